// Refund apportioning on a realistic order: 10 lines, a line-level and an
// order-level discount, two VAT rates (20% and 5%), three lines returned.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "retcon/apportion.h"

namespace retcon {
namespace {

v1::SalesOrder TenLineOrder(bool with_tax_amounts) {
  v1::SalesOrder order;
  order.set_order_id("1001");
  order.set_currency_code("GBP");
  order.set_prices_include_tax(true);
  v1::DiscountApplication* code = order.add_discounts();
  code->set_application_id("SPRING10");
  code->set_level(v1::DISCOUNT_LEVEL_ORDER);
  code->mutable_amount()->set_minor_units(1234);
  for (int i = 0; i < 10; ++i) {
    v1::SalesOrderLine* line = order.add_lines();
    line->set_line_id(absl::StrCat("L", i + 1));
    line->set_sku(absl::StrCat("SKU-", 1000 + i));
    line->set_quantity(1 + i % 4);
    line->mutable_unit_price()->set_minor_units(1999 + 250 * i);
    if (i == 2) {
      line->add_discount_allocations()->mutable_amount()->set_minor_units(500);
    }
    v1::TaxLine* tax = line->add_tax_lines();
    tax->set_rate(i % 5 == 4 ? "5" : "20");
    if (with_tax_amounts) tax->mutable_amount()->set_minor_units(300 + i);
  }
  v1::ShippingLine* shipping = order.add_shipping_lines();
  shipping->set_shipping_id("STD");
  shipping->mutable_price()->set_minor_units(495);
  shipping->add_tax_lines()->set_rate("20");
  return order;
}

// Times ApportionRefund; an input error fails the benchmark instead of
// timing the error path.
void RunApportionRefund(benchmark::State& state, const v1::SalesOrder& order,
                        const v1::OrderHistory& history,
                        const std::vector<ReturnQuantity>& returns) {
  if (absl::Status s = ApportionRefund(order, history, returns).status();
      !s.ok()) {
    state.SkipWithError(std::string(s.message()).c_str());
  }
  for (auto _ : state) {
    absl::StatusOr<Refund> refund = ApportionRefund(order, history, returns);
    benchmark::DoNotOptimize(refund);
  }
}

void BM_ApportionRefund_TenLinesThreeReturned(benchmark::State& state) {
  RunApportionRefund(state, TenLineOrder(/*with_tax_amounts=*/false), {},
                     {{"L3", "", 1}, {"L6", "", 2}, {"L8", "", 3}});
}
BENCHMARK(BM_ApportionRefund_TenLinesThreeReturned);

// The order's own tax amounts, and one line partly credited before.
void BM_ApportionRefund_TenLinesThreeReturnedWithHistory(
    benchmark::State& state) {
  v1::OrderHistory history;
  v1::LineHistory* l8 = history.add_lines();
  l8->set_order_line_id("L8");
  l8->set_credited_quantity(1);
  RunApportionRefund(state, TenLineOrder(/*with_tax_amounts=*/true), history,
                     {{"L3", "", 1}, {"L6", "", 2}, {"L8", "", 2}});
}
BENCHMARK(BM_ApportionRefund_TenLinesThreeReturnedWithHistory);

void BM_PaidFigures_TenLines(benchmark::State& state) {
  const v1::SalesOrder order = TenLineOrder(/*with_tax_amounts=*/false);
  for (auto _ : state) {
    absl::StatusOr<OrderFigures> figures = PaidFigures(order);
    benchmark::DoNotOptimize(figures);
  }
}
BENCHMARK(BM_PaidFigures_TenLines);

void BM_FillCreditNote_ThreeLines(benchmark::State& state) {
  const v1::SalesOrder order = TenLineOrder(/*with_tax_amounts=*/false);
  const std::vector<ReturnQuantity> returns = {
      {"L3", "", 1}, {"L6", "", 2}, {"L8", "", 3}};
  const Refund refund = *ApportionRefund(order, {}, returns);
  v1::CreditNote note;
  for (auto _ : state) {
    FillCreditNote(refund, &note);
    benchmark::DoNotOptimize(note);
  }
}
BENCHMARK(BM_FillCreditNote_ThreeLines);

}  // namespace
}  // namespace retcon
