// End to end: Shopify order and ReturnGo RMA through the adapters, then
// apportioned and planned by the core with the planner's golden rules.
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "retcon/adapters.h"
#include "retcon/apportion.h"
#include "retcon/planner.h"
#include "retcon/rules.h"
#include "retcon/v1/facts.pb.h"
#include "tests/adapters/adapters_test_util.h"

namespace retcon {
namespace {

std::string ReadPlanTestdata(const std::string& name) {
  std::ifstream in(std::string(RETCON_PLAN_TESTDATA) + "/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::unique_ptr<const Planner> GoldenPlanner() {
  v1::ReturnItemFact::descriptor();
  absl::StatusOr<ParsedRuleSet> parsed =
      ParseRuleSetText(ReadPlanTestdata("rules.textproto"), "rules");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  auto rules = CompileRuleSet(*parsed, {});
  EXPECT_TRUE(rules.ok()) << rules.status();
  v1::Catalog catalog;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      ReadPlanTestdata("catalog.textproto"), &catalog));
  auto planner = Planner::Create(
      std::shared_ptr<const CompiledRuleSet>(std::move(*rules)), catalog);
  EXPECT_TRUE(planner.ok()) << planner.status();
  return std::move(*planner);
}

v1::SalesOrder Order(const std::string& fixture) {
  absl::StatusOr<v1::SalesOrder> order =
      SalesOrderFromShopify(ReadFixture(fixture));
  EXPECT_TRUE(order.ok()) << order.status();
  return order.ok() ? *order : v1::SalesOrder();
}

v1::ReturnRequest Return(const std::string& fixture) {
  absl::StatusOr<v1::ReturnRequest> ret =
      ReturnRequestFromReturnGo(ReadFixture(fixture));
  EXPECT_TRUE(ret.ok()) << ret.status();
  return ret.ok() ? *ret : v1::ReturnRequest();
}

// The adapted return lines as quantities for ApportionRefund.
std::vector<ReturnQuantity> Quantities(const v1::ReturnRequest& ret) {
  std::vector<ReturnQuantity> out;
  for (const v1::ReturnLine& line : ret.lines()) {
    out.push_back({line.order_line_id(), "", line.quantity()});
  }
  return out;
}

TEST(AdaptersEndToEndTest, EveryAdaptedOrderIsAcceptedByTheCore) {
  for (const char* fixture :
       {"shopify_order_uk_taxes_included.json",
        "shopify_order_us_taxes_excluded.json",
        "shopify_order_eur_zero_rated.json", "shopify_order_jpy.json",
        "shopify_order_presentment_eur.json"}) {
    v1::SalesOrder order = Order(fixture);
    absl::StatusOr<OrderFigures> figures = PaidFigures(order);
    EXPECT_TRUE(figures.ok()) << fixture << ": " << figures.status();
  }
}

TEST(AdaptersEndToEndTest, UsOrderAddsTaxOnTop) {
  v1::SalesOrder order = Order("shopify_order_us_taxes_excluded.json");
  absl::StatusOr<OrderFigures> figures = PaidFigures(order);
  ASSERT_TRUE(figures.ok()) << figures.status();
  // 199.00 - 4.01 + 16.09 tax.
  EXPECT_EQ(figures->lines[0].paid.gross, 21108);
  EXPECT_EQ(figures->lines[0].paid.tax(), 1609);
  EXPECT_EQ(figures->lines[1].paid.gross, 4801 + 396);
}

TEST(AdaptersEndToEndTest, ApportionsTheAdaptedReturn) {
  v1::SalesOrder order = Order("shopify_order_uk_taxes_included.json");
  v1::ReturnRequest ret = Return("returngo_rma_multi_unit_done.json");
  absl::StatusOr<Refund> refund =
      ApportionRefund(order, v1::OrderHistory(), Quantities(ret));
  ASSERT_TRUE(refund.ok()) << refund.status();
  // The tee paid 22.50; 2 of 3 socks 29.70 * 2 / 3 = 19.80.
  ASSERT_EQ(refund->lines.size(), 2u);
  EXPECT_EQ(refund->lines[0].refund.gross, 2250);
  EXPECT_EQ(refund->lines[1].refund.gross, 1980);
  EXPECT_EQ(refund->total.gross, 4230);
  EXPECT_EQ(refund->total.tax(), 375 + 330);
}

TEST(AdaptersEndToEndTest, ApportionsJpy) {
  v1::SalesOrder order = Order("shopify_order_jpy.json");
  v1::ReturnRequest ret = Return("returngo_rma_jpy_store_credit.json");
  absl::StatusOr<Refund> refund =
      ApportionRefund(order, v1::OrderHistory(), Quantities(ret));
  ASSERT_TRUE(refund.ok()) << refund.status();
  EXPECT_EQ(refund->total.gross, 6600);
  EXPECT_EQ(refund->total.tax(), 600);
}

TEST(AdaptersEndToEndTest, PlansTheAdaptedReturn) {
  auto planner = GoldenPlanner();
  v1::SalesOrder order = Order("shopify_order_uk_taxes_included.json");
  v1::ReturnRequest ret = Return("returngo_rma_multi_unit_done.json");
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  const v1::CreditNote& note = plan->credit_notes(0);
  EXPECT_EQ(note.refund_id(), "tx-5001");
  // 42.30 of goods less the 2.00 restocking fee: what ReturnGo refunded.
  EXPECT_EQ(note.total_gross().minor_units(), 4030) << note.DebugString();
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  // One movement per unit: the tee and two pairs of socks.
  EXPECT_EQ(plan->stock_movements_size(), 3) << plan->DebugString();
}

// The RMA planned on a webhook before its refunds, then again after them:
// with a line per unit (the default) nothing posted is posted again or
// conflicts.
TEST(AdaptersEndToEndTest, LinePerUnitReplansARefetchedRmaCleanly) {
  auto planner = GoldenPlanner();
  v1::SalesOrder order = Order("shopify_order_uk_taxes_included.json");
  std::string json = ReadFixture("returngo_rma_partial_refund.json");
  for (size_t at;
       (at = json.find("\"storeLocationId\": 77")) != std::string::npos;) {
    json.replace(at, 22, "\"storeLocationId\": \"LEEDS-DC\"");
  }
  const size_t t = json.find("\"transactions\"");
  const std::string before_refunds = json.substr(0, json.rfind(',', t)) + "}";
  const ReturnGoOptions options;
  absl::StatusOr<v1::ReturnRequest> first =
      ReturnRequestFromReturnGo(before_refunds, options);
  absl::StatusOr<v1::ReturnRequest> second =
      ReturnRequestFromReturnGo(json, options);
  ASSERT_TRUE(first.ok() && second.ok());

  v1::OrderHistory history;
  absl::StatusOr<v1::PostingPlan> plan1 = planner->Plan(order, *first, history);
  ASSERT_TRUE(plan1.ok()) << plan1.status();
  EXPECT_EQ(plan1->stock_movements_size(), 3) << plan1->DebugString();
  EXPECT_EQ(plan1->credit_notes_size(), 0);
  ASSERT_TRUE(planner->RecordPlan(order, *plan1, &history).ok());

  absl::StatusOr<v1::PostingPlan> plan2 =
      planner->Plan(order, *second, history);
  ASSERT_TRUE(plan2.ok()) << plan2.status();
  EXPECT_EQ(plan2->stock_movements_size(), 0) << plan2->DebugString();
  EXPECT_EQ(plan2->exceptions_size(), 0) << plan2->DebugString();
  ASSERT_EQ(plan2->credit_notes_size(), 1);  // 7002 is still pending.
  EXPECT_EQ(plan2->credit_notes(0).total_gross().minor_units(), 990);
}

TEST(AdaptersEndToEndTest, PlansEveryAdaptedReturn) {
  auto planner = GoldenPlanner();
  const std::pair<const char*, const char*> cases[] = {
      {"shopify_order_uk_taxes_included.json",
       "returngo_rma_partial_refund.json"},
      {"shopify_order_uk_taxes_included.json",
       "returngo_rma_exchange_uneven.json"},
      {"shopify_order_uk_taxes_included.json",
       "returngo_rma_pending_minimal.json"},
      {"shopify_order_jpy.json", "returngo_rma_jpy_store_credit.json"}};
  for (const auto& [order_fixture, return_fixture] : cases) {
    absl::StatusOr<v1::PostingPlan> plan = planner->Plan(
        Order(order_fixture), Return(return_fixture), v1::OrderHistory());
    EXPECT_TRUE(plan.ok()) << return_fixture << ": " << plan.status();
  }
}

}  // namespace
}  // namespace retcon
