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
  if (failures > 0) return 1;
  std::cout << "consumer: retcon found, linked and computed E1 and E4\n";
  return 0;
}
