// Uses the installed retcon headers and library: parses an amount, allocates
// it, apportions a refund on a tiny order and checks every figure. Exits 1
// on the first mismatch.
#include <cstdint>
#include <iostream>
#include <vector>

#include "retcon/allocation.h"
#include "retcon/apportion.h"
#include "retcon/money.h"
#include "retcon/v1/history.pb.h"
#include "retcon/v1/order.pb.h"
#include "readme_example.h"

namespace {

int failures = 0;

void Expect(const char* what, int64_t actual, int64_t expected) {
  if (actual == expected) return;
  std::cerr << "consumer: " << what << " is " << actual << ", expected "
            << expected << "\n";
  ++failures;
}

// E1 of docs/money.md: six units that paid 10.00 in total, VAT 20% included.
retcon::v1::SalesOrder SixUnitsForTenPounds() {
  retcon::v1::SalesOrder order;
  order.set_order_id("consumer-1");
  order.set_currency_code("GBP");
  order.set_prices_include_tax(true);
  retcon::v1::SalesOrderLine* line = order.add_lines();
  line->set_line_id("L1");
  line->set_sku("SCRUNCHIE");
  line->set_quantity(6);
  line->mutable_unit_price()->set_minor_units(200);
  line->add_discount_allocations()->mutable_amount()->set_minor_units(200);
  line->add_tax_lines()->set_rate("20");
  return order;
}

// Two one-row rules: everything received goes to Leeds, to be sold again.
constexpr char kRules[] = R"pb(
  id: "consumer" version: "1" effective_from: "2026-01-01"
  decisions {
    name: "depot" fact_type: "retcon.v1.ReturnItemFact" hit_policy: FIRST
    outputs { name: "depot" type: STRING }
    rows { id: "ALL" outputs { string_value: "LEEDS" } }
  }
  decisions {
    name: "disposition" fact_type: "retcon.v1.ReturnItemFact"
    hit_policy: FIRST
    outputs {
      name: "disposition" type: ENUM enum_type: "retcon.v1.Disposition"
    }
    rows { id: "ALL" outputs { enum_value: "DISPOSITION_SELLABLE" } }
  }
)pb";

// The README's embedding example: the first return of 1 unit of E1's line,
// refunded 1.67, plans a credit note of 1.67 and a movement into LEEDS;
// planning it again after recording posts nothing.
void PlanWithTheReadmeExample(const retcon::v1::SalesOrder& order) {
  retcon::v1::ReturnRequest ret;
  ret.set_source("returngo");
  ret.set_return_id("RMA-1");
  ret.set_order_id(order.order_id());
  ret.set_status(retcon::v1::RETURN_STATUS_DONE);
  retcon::v1::ReturnLine* line = ret.add_lines();
  line->set_return_line_id("R1");
  line->set_order_line_id("L1");
  line->set_quantity(1);
  line->set_resolution(retcon::v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD);
  line->mutable_inspection()->set_returned(true);
  retcon::v1::RefundTransaction* refund = ret.add_refunds();
  refund->set_refund_id("RF-1");
  refund->set_status(retcon::v1::TRANSACTION_STATUS_SUCCESS);
  refund->set_method(retcon::v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD);
  refund->mutable_amount()->set_minor_units(167);

  retcon::v1::OrderHistory history;
  history.set_order_id(order.order_id());
  absl::StatusOr<retcon::v1::PostingPlan> plan =
      PlanReturn(kRules, retcon::v1::Catalog(), order, ret, history);
  if (!plan.ok()) {
    std::cerr << "consumer: PlanReturn: " << plan.status() << "\n";
    ++failures;
    return;
  }
  Expect("credit notes", plan->credit_notes_size(), 1);
  Expect("exceptions", plan->exceptions_size(), 0);
  Expect("stock movements", plan->stock_movements_size(), 1);
  if (plan->credit_notes_size() == 1) {
    Expect("credit note gross",
           plan->credit_notes(0).total_gross().minor_units(), 167);
  }
  if (plan->stock_movements_size() == 1 &&
      plan->stock_movements(0).depot() != "LEEDS") {
    std::cerr << "consumer: depot is " << plan->stock_movements(0).depot()
              << ", expected LEEDS\n";
    ++failures;
  }
  absl::StatusOr<retcon::v1::PostingPlan> again =
      PlanReturn(kRules, retcon::v1::Catalog(), order, ret, history);
  if (!again.ok()) {
    std::cerr << "consumer: PlanReturn again: " << again.status() << "\n";
    ++failures;
    return;
  }
  Expect("credit notes on replay", again->credit_notes_size(), 0);
  Expect("stock movements on replay", again->stock_movements_size(), 0);
  Expect("already posted on replay", again->already_posted_size(), 2);
}

}  // namespace

int main() {
  absl::StatusOr<retcon::Money> price = retcon::Money::Parse("10.00", "GBP");
  if (!price.ok()) {
    std::cerr << "consumer: " << price.status() << "\n";
    return 1;
  }
  Expect("parsed 10.00", price->minor_units(), 1000);
  Expect("12.345 GBP rejected",
         retcon::Money::Parse("12.345", "GBP").ok() ? 1 : 0, 0);

  absl::StatusOr<std::vector<int64_t>> shares =
      retcon::AllocateByWeights(4, {1, 1, 1});  // E4 of docs/money.md
  if (!shares.ok() || shares->size() != 3) {
    std::cerr << "consumer: AllocateByWeights failed\n";
    return 1;
  }
  Expect("E4 share 0", (*shares)[0], 2);
  Expect("E4 share 1", (*shares)[1], 1);
  Expect("E4 share 2", (*shares)[2], 1);

  const retcon::v1::SalesOrder order = SixUnitsForTenPounds();
  retcon::v1::OrderHistory history;
  history.set_order_id(order.order_id());
  history.add_lines()->set_order_line_id("L1");
  const int64_t expected_gross[] = {167, 500, 333};  // E1: 1, then 3, then 2
  const int64_t quantities[] = {1, 3, 2};
  int64_t credited = 0;
  for (int i = 0; i < 3; ++i) {
    history.mutable_lines(0)->set_credited_quantity(credited);
    const std::vector<retcon::ReturnQuantity> returns = {
        {"L1", "", quantities[i]}};
    absl::StatusOr<retcon::Refund> refund =
        retcon::ApportionRefund(order, history, returns);
    if (!refund.ok()) {
      std::cerr << "consumer: " << refund.status() << "\n";
      return 1;
    }
    Expect("E1 refund gross", refund->total.gross, expected_gross[i]);
    Expect("E1 gross - net - tax",
           refund->total.gross - refund->total.net - refund->total.tax(), 0);
    credited += quantities[i];
  }
  PlanWithTheReadmeExample(order);
  if (failures > 0) return 1;
  std::cout << "consumer: retcon found, linked, computed E1 and E4 and "
               "planned the README's example\n";
  return 0;
}
