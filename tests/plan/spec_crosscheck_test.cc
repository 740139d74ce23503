// An outside tester's cross-check of the planner against its specification:
// DOMAIN.md (money rules, worked examples E1-E4, UK VAT, bundles, exchanges,
// ReturnGo payload facts), issue 4 (the planner), the public headers and
// docs/integration/*.md, docs/money.md.
//
// Every expected figure below was computed independently of lib/ (by hand
// and with python3's fractions and uuid modules) from the rules the spec
// states:
//   F(m) = round(T * m / Q), half away from zero; a slice of units k+1..k+n
//   is F(k+n) - F(k), per figure (gross, discount, tax per rate);
//   VAT in a VAT-inclusive gross = round(G * r / (100 + r)), net = G - VAT;
//   weights split by largest remainder, ties to the lower index;
//   keys = uuid5(6985cd8b-929e-5a0a-8e80-8bf1433643e6, identity string).
// A test named DISABLED_ records a discrepancy between spec and library; its
// comment says what the spec expects and what the library does.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "retcon/adapters.h"
#include "retcon/allocation.h"
#include "retcon/apportion.h"
#include "retcon/idempotency.h"
#include "retcon/money.h"
#include "retcon/planner.h"
#include "retcon/rules.h"
#include "retcon/tax.h"
#include "retcon/v1/facts.pb.h"
#include "tests/apportion/apportion_test_util.h"

namespace retcon {
namespace {

using testing_internal::ParseText;

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Every stock movement goes to MAIN as sellable; exchange orders are "EXCH".
// No refund_tolerance: a refund must equal the computed total exactly.
constexpr char kRules[] = R"pb(
  id: "crosscheck"
  version: "1"
  decisions {
    name: "depot"
    fact_type: "retcon.v1.ReturnItemFact"
    hit_policy: FIRST
    inputs: "condition"
    outputs { name: "depot" type: STRING }
    rows {
      id: "all"
      cells { any {} }
      outputs { string_value: "MAIN" }
    }
  }
  decisions {
    name: "disposition"
    fact_type: "retcon.v1.ReturnItemFact"
    hit_policy: FIRST
    inputs: "condition"
    outputs {
      name: "disposition"
      type: ENUM
      enum_type: "retcon.v1.Disposition"
    }
    rows {
      id: "all"
      cells { any {} }
      outputs { enum_value: "DISPOSITION_SELLABLE" }
    }
  }
  decisions {
    name: "exchange_order_type"
    fact_type: "retcon.v1.ExchangeFact"
    hit_policy: FIRST
    inputs: "currency_code"
    outputs { name: "order_type" type: STRING }
    rows {
      id: "all"
      cells { any {} }
      outputs { string_value: "EXCH" }
    }
  }
)pb";

// A planner over kRules plus `extra_rules` (more decisions, text format).
std::unique_ptr<const Planner> PlannerWith(const std::string& extra_rules,
                                           const std::string& catalog = "",
                                           const PlannerOptions& options = {}) {
  v1::ReturnItemFact::descriptor();
  absl::StatusOr<ParsedRuleSet> parsed =
      ParseRuleSetText(std::string(kRules) + extra_rules, "rules");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  if (!parsed.ok()) return nullptr;
  auto rules = CompileRuleSet(*parsed, {});
  EXPECT_TRUE(rules.ok()) << rules.status();
  if (!rules.ok()) return nullptr;
  auto planner =
      Planner::Create(std::shared_ptr<const CompiledRuleSet>(std::move(*rules)),
                      ParseText<v1::Catalog>(catalog), options);
  EXPECT_TRUE(planner.ok()) << planner.status();
  if (!planner.ok()) return nullptr;
  return std::move(*planner);
}

std::unique_ptr<const Planner> MakePlanner(const std::string& catalog = "") {
  return PlannerWith("", catalog);
}

// Sums of a note's goods lines for one order line (several return lines of
// one order line may or may not be merged into one credit line).
struct LineSum {
  int64_t quantity = 0;
  int64_t gross = 0;
  int64_t tax = 0;
  int64_t net = 0;
  int64_t discount = 0;
};
LineSum GoodsOf(const v1::CreditNote& note, const std::string& order_line_id,
                const std::string& component_sku = "") {
  LineSum sum;
  for (const v1::RefundLine& line : note.lines()) {
    if (line.kind() != v1::CREDIT_LINE_KIND_GOODS) continue;
    if (line.order_line_id() != order_line_id) continue;
    if (line.component_sku() != component_sku) continue;
    sum.quantity += line.quantity();
    sum.gross += line.gross().minor_units();
    sum.tax += line.tax().minor_units();
    sum.net += line.net().minor_units();
    sum.discount += line.discount().minor_units();
  }
  return sum;
}

int CountKind(const v1::CreditNote& note, v1::CreditLineKind kind) {
  int n = 0;
  for (const v1::RefundLine& line : note.lines()) n += line.kind() == kind;
  return n;
}

bool HasException(const v1::PostingPlan& plan, v1::ExceptionCode code) {
  for (const v1::Exception& e : plan.exceptions()) {
    if (e.code() == code) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// E1: a line of 6 units paid 10.00 (6 x 2.00 less a 2.00 line discount),
// VAT 20% included. Line VAT = round(1000 * 20 / 120) = 167.

constexpr char kOrderE1[] = R"pb(
  order_id: "E1"
  order_number: "#1005"
  source: "shopify"
  currency_code: "GBP"
  prices_include_tax: true
  discounts {
    application_id: "P1"
    title: "6 for 10"
    level: DISCOUNT_LEVEL_LINE
    amount { minor_units: 200 }
  }
  lines {
    line_id: "L1"
    sku: "SCRUNCHIE"
    quantity: 6
    unit_price { minor_units: 200 }
    discount_allocations {
      application_id: "P1"
      amount { minor_units: 200 }
      level: DISCOUNT_LEVEL_LINE
    }
    tax_lines { rate: "20" }
  }
)pb";

// A finalised return of `units` units of L1 (refund to card, received).
v1::ReturnRequest E1Return(const std::string& return_id, int64_t units) {
  v1::ReturnRequest ret = ParseText<v1::ReturnRequest>(R"pb(
    source: "returngo"
    order_id: "E1"
    status: RETURN_STATUS_DONE
    lines {
      return_line_id: "R1"
      order_line_id: "L1"
      platform_sku: "SCRUNCHIE"
      resolution: RESOLUTION_REFUND_TO_PAYMENT_METHOD
      inspection { returned: true restockable: true }
    }
  )pb");
  ret.set_return_id(return_id);
  ret.mutable_lines(0)->set_quantity(units);
  return ret;
}

struct Slice {
  int64_t gross, tax, net, discount;
};

// Plans each return in turn, records its plan, and checks its only credit
// note against `expected`.
void RunE1(const std::vector<int64_t>& units,
           const std::vector<Slice>& expected) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kOrderE1);
  v1::OrderHistory history;
  int64_t total = 0;
  for (size_t i = 0; i < units.size(); ++i) {
    SCOPED_TRACE(i);
    const std::string id = "RMA-E1-" + std::to_string(i + 1);
    absl::StatusOr<v1::PostingPlan> plan =
        planner->Plan(order, E1Return(id, units[i]), history);
    ASSERT_TRUE(plan.ok()) << plan.status();
    ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
    const v1::CreditNote& note = plan->credit_notes(0);
    EXPECT_EQ(note.id().identity(),
              "retcon/v1/credit-note-final/returngo/" + id);
    EXPECT_EQ(note.total_gross().minor_units(), expected[i].gross);
    EXPECT_EQ(note.total_tax().minor_units(), expected[i].tax);
    EXPECT_EQ(note.total_net().minor_units(), expected[i].net);
    LineSum l1 = GoodsOf(note, "L1");
    EXPECT_EQ(l1.quantity, units[i]);
    EXPECT_EQ(l1.gross, expected[i].gross);
    EXPECT_EQ(l1.discount, expected[i].discount);
    total += note.total_gross().minor_units();
    ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());
  }
  EXPECT_EQ(total, 1000);
}

TEST(SpecCrosscheckE1, OneThenThreeThenTwoUnitsRefund167_500_333) {
  // DOMAIN.md E1: "Returning 1 then 3 then 2 units refunds 1.67, 5.00, 3.33".
  // VAT slices round(167m/6): 28, 111-28=83, 167-111=56; discount
  // round(200m/6): 33, 100, 67.
  RunE1({1, 3, 2},
        {{167, 28, 139, 33}, {500, 83, 417, 100}, {333, 56, 277, 67}});
}

TEST(SpecCrosscheckE1, OneUnitAtATimeRefunds167_166_167_167_166_167) {
  // DOMAIN.md E1: "returning 1 unit at a time refunds 1.67, 1.66, 1.67,
  // 1.67, 1.66, 1.67". VAT: round(167m/6) = 28, 56, 84 (83.5 half up),
  // 111, 139, 167 -> 28, 28, 28, 27, 28, 28.
  RunE1({1, 1, 1, 1, 1, 1}, {{167, 28, 139, 33},
                             {166, 28, 138, 34},
                             {167, 28, 139, 33},
                             {167, 27, 140, 33},
                             {166, 28, 138, 34},
                             {167, 28, 139, 33}});
}

TEST(SpecCrosscheckE1, MoneyFunctionsAgree) {
  const std::vector<int64_t> f = {0, 167, 333, 500, 667, 833, 1000};
  for (int64_t m = 0; m <= 6; ++m) {
    EXPECT_EQ(*CumulativeShare(1000, m, 6), f[m]) << m;
  }
  EXPECT_EQ(*CumulativeSlice(1000, 0, 1, 6), 167);
  EXPECT_EQ(*CumulativeSlice(1000, 1, 3, 6), 500);
  EXPECT_EQ(*CumulativeSlice(1000, 4, 2, 6), 333);
}

// ---------------------------------------------------------------------------
// E2, E3 and 20.00 at 20%: one unit each, VAT included.

TEST(SpecCrosscheckVat, E2E3AndTwentyPoundsThroughTheCreditNote) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(R"pb(
    order_id: "V1"
    currency_code: "GBP"
    prices_include_tax: true
    lines {
      line_id: "E2"
      sku: "COAT"
      quantity: 1
      unit_price { minor_units: 17925 }
      tax_lines { rate: "20" }
    }
    lines {
      line_id: "E3"
      sku: "SHIRT"
      quantity: 1
      unit_price { minor_units: 2499 }
      tax_lines { rate: "20" }
    }
    lines {
      line_id: "T20"
      sku: "BELT"
      quantity: 1
      unit_price { minor_units: 2000 }
      tax_lines { rate: "20" }
    }
  )pb");
  const auto ret = ParseText<v1::ReturnRequest>(R"pb(
    source: "returngo"
    return_id: "RMA-V1"
    order_id: "V1"
    status: RETURN_STATUS_DONE
    lines {
      return_line_id: "R1"
      order_line_id: "E2"
      quantity: 1
      resolution: RESOLUTION_REFUND_TO_PAYMENT_METHOD
      inspection { returned: true }
    }
    lines {
      return_line_id: "R2"
      order_line_id: "E3"
      quantity: 1
      resolution: RESOLUTION_REFUND_TO_PAYMENT_METHOD
      inspection { returned: true }
    }
    lines {
      return_line_id: "R3"
      order_line_id: "T20"
      quantity: 1
      resolution: RESOLUTION_REFUND_TO_PAYMENT_METHOD
      inspection { returned: true }
    }
    refunds {
      refund_id: "RF1"
      amount { minor_units: 22424 }
      status: TRANSACTION_STATUS_SUCCESS
      method: RESOLUTION_REFUND_TO_PAYMENT_METHOD
    }
  )pb");
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  const v1::CreditNote& note = plan->credit_notes(0);
  // E2: "VAT = round(17925/6) = 29.88, net = 149.37".
  LineSum e2 = GoodsOf(note, "E2");
  EXPECT_EQ(e2.gross, 17925);
  EXPECT_EQ(e2.tax, 2988);
  EXPECT_EQ(e2.net, 14937);
  // E3: "24.99 VAT-inclusive at 20%: VAT 4.17, net 20.82".
  LineSum e3 = GoodsOf(note, "E3");
  EXPECT_EQ(e3.gross, 2499);
  EXPECT_EQ(e3.tax, 417);
  EXPECT_EQ(e3.net, 2082);
  // "20.00 at 20% -> VAT 3.33, net 16.67".
  LineSum t20 = GoodsOf(note, "T20");
  EXPECT_EQ(t20.gross, 2000);
  EXPECT_EQ(t20.tax, 333);
  EXPECT_EQ(t20.net, 1667);
  EXPECT_EQ(note.total_gross().minor_units(), 22424);
  EXPECT_EQ(note.total_tax().minor_units(), 3738);
  EXPECT_EQ(note.total_net().minor_units(), 18686);
  EXPECT_EQ(note.variance().minor_units(), 0);
  ASSERT_EQ(note.tenders_size(), 1);
  EXPECT_EQ(note.tenders(0).amount().minor_units(), 22424);

  // The tax functions on their own.
  const TaxRate vat = *TaxRate::Parse("20");
  EXPECT_EQ(ExtractTax(17925, vat).tax, 2988);
  EXPECT_EQ(ExtractTax(2499, vat).tax, 417);
  EXPECT_EQ(ExtractTax(2000, vat).tax, 333);
  EXPECT_EQ(ExtractTax(2000, vat).net, 1667);
  EXPECT_EQ(ExtractTax(-17925, vat).tax, -2988);
}

// ---------------------------------------------------------------------------
// E4: a 0.04 discount over 3 units gives 0.01, 0.01, 0.02 in some order.

TEST(SpecCrosscheckE4, DiscountOfFourPenceOverThreeUnitsOfALine) {
  // One line of 3 units at 1.00 with 0.04 off; returned one unit at a time,
  // the discount slices are round(4m/3) differences: 1, 2, 1.
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(R"pb(
    order_id: "E4"
    currency_code: "GBP"
    prices_include_tax: true
    discounts {
      application_id: "P"
      level: DISCOUNT_LEVEL_LINE
      amount { minor_units: 4 }
    }
    lines {
      line_id: "L1"
      sku: "PEN"
      quantity: 3
      unit_price { minor_units: 100 }
      discount_allocations {
        application_id: "P"
        amount { minor_units: 4 }
        level: DISCOUNT_LEVEL_LINE
      }
    }
  )pb");
  v1::OrderHistory history;
  std::vector<int64_t> discounts, gross;
  for (int i = 0; i < 3; ++i) {
    auto ret = E1Return("RMA-E4-" + std::to_string(i), 1);
    ret.set_order_id("E4");
    ret.mutable_lines(0)->set_platform_sku("PEN");
    absl::StatusOr<v1::PostingPlan> plan = planner->Plan(order, ret, history);
    ASSERT_TRUE(plan.ok()) << plan.status();
    ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
    LineSum l1 = GoodsOf(plan->credit_notes(0), "L1");
    discounts.push_back(l1.discount);
    gross.push_back(l1.gross);
    ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());
  }
  EXPECT_EQ(discounts, (std::vector<int64_t>{1, 2, 1}));
  // Paid 296 over 3 units: round(296m/3) = 99, 197, 296.
  EXPECT_EQ(gross, (std::vector<int64_t>{99, 98, 99}));
}

TEST(SpecCrosscheckE4, OrderDiscountOfFourPenceOverThreeEqualLines) {
  // An order-level 0.04 code no allocation refers to, over three 10.00
  // lines: largest remainder, ties to the lower index: 2, 1, 1 (docs/money.md
  // section 6). Line gross 998, 999, 999; VAT round(G/6) 166, 167 (166.5
  // half up), 167.
  EXPECT_EQ(*AllocateByWeights(4, {1, 1, 1}), (std::vector<int64_t>{2, 1, 1}));
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(R"pb(
    order_id: "E4B"
    currency_code: "GBP"
    prices_include_tax: true
    discounts {
      application_id: "CODE"
      level: DISCOUNT_LEVEL_ORDER
      amount { minor_units: 4 }
    }
    lines {
      line_id: "A"
      sku: "A"
      quantity: 1
      unit_price { minor_units: 1000 }
      tax_lines { rate: "20" }
    }
    lines {
      line_id: "B"
      sku: "B"
      quantity: 1
      unit_price { minor_units: 1000 }
      tax_lines { rate: "20" }
    }
    lines {
      line_id: "C"
      sku: "C"
      quantity: 1
      unit_price { minor_units: 1000 }
      tax_lines { rate: "20" }
    }
  )pb");
  const auto ret = ParseText<v1::ReturnRequest>(R"pb(
    source: "returngo"
    return_id: "RMA-E4B"
    order_id: "E4B"
    status: RETURN_STATUS_DONE
    lines {
      return_line_id: "R1"
      order_line_id: "A"
      quantity: 1
      resolution: RESOLUTION_STORE_CREDIT
      inspection { returned: true }
    }
    lines {
      return_line_id: "R2"
      order_line_id: "B"
      quantity: 1
      resolution: RESOLUTION_STORE_CREDIT
      inspection { returned: true }
    }
    lines {
      return_line_id: "R3"
      order_line_id: "C"
      quantity: 1
      resolution: RESOLUTION_STORE_CREDIT
      inspection { returned: true }
    }
  )pb");
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  const v1::CreditNote& note = plan->credit_notes(0);
  EXPECT_EQ(GoodsOf(note, "A").discount, 2);
  EXPECT_EQ(GoodsOf(note, "B").discount, 1);
  EXPECT_EQ(GoodsOf(note, "C").discount, 1);
  EXPECT_EQ(GoodsOf(note, "A").gross, 998);
  EXPECT_EQ(GoodsOf(note, "B").gross, 999);
  EXPECT_EQ(GoodsOf(note, "A").tax, 166);
  EXPECT_EQ(GoodsOf(note, "B").tax, 167);
  EXPECT_EQ(note.total_gross().minor_units(), 2996);
  EXPECT_EQ(note.total_tax().minor_units(), 500);
  // Store credit, finalised: tender is the note's total.
  ASSERT_EQ(note.tenders_size(), 1);
  EXPECT_EQ(note.tenders(0).method(), v1::RESOLUTION_STORE_CREDIT);
  EXPECT_EQ(note.tenders(0).amount().minor_units(), 2996);
}

// ---------------------------------------------------------------------------
// ReturnGo RMAs, real-shaped, through the adapter and the planner.
//
// Order 5528190001: line ...001 is 3 shirts at 29.99 less a 10.00 line
// promotion = 79.97 (VAT round(7997/6) = 13.33); line ...002 is 2 sock
// packs at 9.90 = 19.80 (VAT 3.30).

constexpr char kShopOrder[] = R"pb(
  order_id: "5528190001"
  order_number: "#1001"
  source: "shopify"
  currency_code: "GBP"
  prices_include_tax: true
  discounts {
    application_id: "0"
    level: DISCOUNT_LEVEL_LINE
    amount { minor_units: 1000 }
  }
  lines {
    line_id: "13711044001001"
    sku: "HH-SHIRT-WHT-M"
    quantity: 3
    unit_price { minor_units: 2999 }
    discount_allocations {
      application_id: "0"
      amount { minor_units: 1000 }
      level: DISCOUNT_LEVEL_LINE
    }
    tax_lines { rate: "20" }
  }
  lines {
    line_id: "13711044001002"
    sku: "HH-SOCK-3PK-NVY"
    quantity: 2
    unit_price { minor_units: 990 }
    tax_lines { rate: "20" }
  }
)pb";

// Two shirts and one sock pack. Amounts as strings and numbers, booleans as
// 0/1, "true" and true, ids as numbers and strings, a zero restocking fee.
// Units 1-2 of the shirts: F(2) = round(7997*2/3) = 5331, VAT round(1333*2/3)
// = 889; one sock pack 990, VAT 165. Total 63.21, VAT 10.54, net 52.67.
constexpr char kRma1[] = R"json({
  "rmaSummary": {"rmaId": 10001, "status": "Done", "order_name": "#1001",
                 "events": []},
  "orderDetails": {"orderId": 5528190001, "order_name": "#1001"},
  "createdAt": "2026-03-20T10:00:00.000Z",
  "lastUpdated": "2026-03-24T09:12:00Z",
  "isOutOfPolicy": 0,
  "shipments": [{"status": "Received"}],
  "exchangeOrders": [],
  "items": [
    {"shopLineItemId": 13711044001001, "returnedItemId": 9001,
     "shopProductId": 1, "variantId": 2, "sku": "HH-SHIRT-WHT-M",
     "barcode": "5012345678900", "productName": "Oxford shirt",
     "paidPrice": {"amount": "26.66", "currency": "GBP",
                   "shopAmount": "26.66", "shopCurrency": "GBP"},
     "paidTax": {"amount": 4.44, "currency": "GBP"}, "taxIncluded": 1,
     "returnReason": "TOO_SMALL", "resolutionType": "RefundToPaymentMethod",
     "restockingFee": 0, "returnFee": "0.00",
     "itemValidationStatusResponse": {"isReturned": 1,
        "isRestockable": "true", "storeLocationId": "LDN 1"}},
    {"shopLineItemId": "13711044001001", "returnedItemId": "9002",
     "sku": "HH-SHIRT-WHT-M",
     "paidPrice": {"amount": 26.65, "currency": "GBP"}, "taxIncluded": true,
     "returnReason": "TOO_SMALL", "resolutionType": "RefundToPaymentMethod",
     "itemValidationStatusResponse": {"isReturned": true,
        "isRestockable": 1, "storeLocationId": "LDN 1"}},
    {"shopLineItemId": "13711044001002", "returnedItemId": 9003,
     "sku": "HH-SOCK-3PK-NVY",
     "paidPrice": {"amount": 9.9, "currency": "GBP"}, "taxIncluded": "1",
     "returnReason": "CHANGED_MIND", "resolutionType": "RefundToPaymentMethod",
     "itemValidationStatusResponse": {"isReturned": "1",
        "isRestockable": false, "storeLocationId": 44}}
  ],
  "transactions": [
    {"id": "tx-1", "type": "RefundToPaymentMethod", "status": "Success",
     "externalReferenceId": "re_1", "amount": {"amount": 63.21,
     "currency": "GBP"}, "returnItemIds": [9001, "9002", 9003]}
  ]
})json";

// The rest: the third shirt F(3) - F(2) = 2666 (VAT 444) and the second
// sock pack 990 (VAT 165). Total 36.56.
constexpr char kRma2[] = R"json({"rma": {
  "rmaSummary": {"rmaId": "10002", "status": "Done"},
  "orderDetails": {"orderId": "5528190001"},
  "items": [
    {"shopLineItemId": "13711044001001", "returnedItemId": 9004,
     "sku": "HH-SHIRT-WHT-M",
     "paidPrice": {"amount": "26.66", "currency": "GBP"},
     "resolutionType": "refund_to_payment_method",
     "itemValidationStatusResponse": {"isReturned": "true",
        "isRestockable": 0}},
    {"shopLineItemId": 13711044001002, "returnedItemId": "9005",
     "sku": "HH-SOCK-3PK-NVY",
     "paidPrice": {"amount": "9.90", "currency": "GBP"},
     "resolutionType": "RefundToPaymentMethod",
     "itemValidationStatusResponse": {"isReturned": 1, "isRestockable": 1}}
  ],
  "transactions": [
    {"id": 77, "type": "RefundToPaymentMethod", "status": "success",
     "amount": {"amount": "36.56", "currency": "GBP"},
     "returnItemIds": ["9004", 9005]}
  ]
}})json";

TEST(SpecCrosscheckReturnGo, AdapterReadsTheTolerantShapes) {
  absl::StatusOr<v1::ReturnRequest> ret = ReturnRequestFromReturnGo(kRma1);
  ASSERT_TRUE(ret.ok()) << ret.status();
  EXPECT_EQ(ret->source(), "returngo");
  EXPECT_EQ(ret->return_id(), "10001");
  EXPECT_EQ(ret->order_id(), "5528190001");
  EXPECT_EQ(ret->order_number(), "#1001");
  EXPECT_EQ(ret->status(), v1::RETURN_STATUS_DONE);
  EXPECT_EQ(ret->currency_code(), "GBP");
  // One line per unit by default (adapters.h, line_per_unit = true).
  ASSERT_EQ(ret->lines_size(), 3);
  EXPECT_EQ(ret->lines(0).return_line_id(), "9001");
  EXPECT_EQ(ret->lines(1).return_line_id(), "9002");
  EXPECT_EQ(ret->lines(2).return_line_id(), "9003");
  EXPECT_EQ(ret->lines(0).order_line_id(), "13711044001001");
  EXPECT_EQ(ret->lines(1).order_line_id(), "13711044001001");
  EXPECT_EQ(ret->lines(2).order_line_id(), "13711044001002");
  for (const v1::ReturnLine& line : ret->lines()) {
    EXPECT_EQ(line.quantity(), 1);
    EXPECT_EQ(line.resolution(), v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD);
    EXPECT_TRUE(line.inspection().has_returned());
    EXPECT_TRUE(line.inspection().returned());
  }
  EXPECT_TRUE(ret->lines(0).inspection().restockable());
  EXPECT_TRUE(ret->lines(1).inspection().restockable());
  EXPECT_FALSE(ret->lines(2).inspection().restockable());
  EXPECT_EQ(ret->lines(0).inspection().return_location(), "LDN 1");
  EXPECT_EQ(ret->lines(2).inspection().return_location(), "44");
  // Zero fees are left out.
  EXPECT_EQ(ret->fees_size(), 0);
  ASSERT_EQ(ret->refunds_size(), 1);
  EXPECT_EQ(ret->refunds(0).refund_id(), "tx-1");
  EXPECT_EQ(ret->refunds(0).amount().minor_units(), 6321);
  EXPECT_EQ(ret->refunds(0).status(), v1::TRANSACTION_STATUS_SUCCESS);
  EXPECT_EQ(ret->refunds(0).method(), v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD);
  EXPECT_THAT(ret->refunds(0).return_line_ids(),
              ::testing::ElementsAre("9001", "9002", "9003"));

  absl::StatusOr<v1::ReturnRequest> wrapped = ReturnRequestFromReturnGo(kRma2);
  ASSERT_TRUE(wrapped.ok()) << wrapped.status();
  EXPECT_EQ(wrapped->return_id(), "10002");
  ASSERT_EQ(wrapped->refunds_size(), 1);
  EXPECT_EQ(wrapped->refunds(0).refund_id(), "77");
  EXPECT_EQ(wrapped->refunds(0).amount().minor_units(), 3656);
  ASSERT_EQ(wrapped->lines_size(), 2);
  EXPECT_TRUE(wrapped->lines(0).inspection().returned());
  EXPECT_FALSE(wrapped->lines(0).inspection().restockable());
}

TEST(SpecCrosscheckReturnGo, PartialReturnThenTheRestSumExactlyToTheLines) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kShopOrder);
  v1::OrderHistory history;

  absl::StatusOr<v1::ReturnRequest> rma1 = ReturnRequestFromReturnGo(kRma1);
  ASSERT_TRUE(rma1.ok()) << rma1.status();
  absl::StatusOr<v1::PostingPlan> plan1 = planner->Plan(order, *rma1, history);
  ASSERT_TRUE(plan1.ok()) << plan1.status();
  EXPECT_EQ(plan1->exceptions_size(), 0) << plan1->DebugString();
  ASSERT_EQ(plan1->credit_notes_size(), 1) << plan1->DebugString();
  const v1::CreditNote& n1 = plan1->credit_notes(0);
  EXPECT_EQ(n1.order_id(), "5528190001");
  EXPECT_EQ(n1.refund_id(), "tx-1");
  EXPECT_EQ(n1.total_gross().minor_units(), 6321);
  EXPECT_EQ(n1.total_tax().minor_units(), 1054);
  EXPECT_EQ(n1.total_net().minor_units(), 5267);
  EXPECT_EQ(n1.variance().minor_units(), 0);
  LineSum shirts1 = GoodsOf(n1, "13711044001001");
  EXPECT_EQ(shirts1.quantity, 2);
  EXPECT_EQ(shirts1.gross, 5331);
  EXPECT_EQ(shirts1.tax, 889);
  LineSum socks1 = GoodsOf(n1, "13711044001002");
  EXPECT_EQ(socks1.quantity, 1);
  EXPECT_EQ(socks1.gross, 990);
  EXPECT_EQ(socks1.tax, 165);
  // Every credit line names the order's SKU, never another.
  for (const v1::RefundLine& line : n1.lines()) {
    EXPECT_TRUE(line.sku() == "HH-SHIRT-WHT-M" ||
                line.sku() == "HH-SOCK-3PK-NVY")
        << line.sku();
  }
  // One stock movement per returned unit line, the order's SKU.
  ASSERT_EQ(plan1->stock_movements_size(), 3);
  EXPECT_EQ(plan1->stock_movements(0).erp_sku(), "HH-SHIRT-WHT-M");
  EXPECT_EQ(plan1->stock_movements(0).quantity(), 1);
  EXPECT_EQ(plan1->stock_movements(0).depot(), "MAIN");
  EXPECT_EQ(plan1->stock_movements(2).erp_sku(), "HH-SOCK-3PK-NVY");
  ASSERT_TRUE(planner->RecordPlan(order, *plan1, &history).ok());

  absl::StatusOr<v1::ReturnRequest> rma2 = ReturnRequestFromReturnGo(kRma2);
  ASSERT_TRUE(rma2.ok()) << rma2.status();
  absl::StatusOr<v1::PostingPlan> plan2 = planner->Plan(order, *rma2, history);
  ASSERT_TRUE(plan2.ok()) << plan2.status();
  EXPECT_EQ(plan2->exceptions_size(), 0) << plan2->DebugString();
  ASSERT_EQ(plan2->credit_notes_size(), 1) << plan2->DebugString();
  const v1::CreditNote& n2 = plan2->credit_notes(0);
  EXPECT_EQ(n2.total_gross().minor_units(), 3656);
  EXPECT_EQ(n2.total_tax().minor_units(), 609);
  EXPECT_EQ(n2.total_net().minor_units(), 3047);
  LineSum shirts2 = GoodsOf(n2, "13711044001001");
  LineSum socks2 = GoodsOf(n2, "13711044001002");
  EXPECT_EQ(shirts2.gross, 2666);
  EXPECT_EQ(shirts2.tax, 444);
  // Together: exactly what each line paid (DOMAIN.md property 2).
  EXPECT_EQ(shirts1.gross + shirts2.gross, 7997);
  EXPECT_EQ(shirts1.tax + shirts2.tax, 1333);
  EXPECT_EQ(shirts1.discount + shirts2.discount, 1000);
  EXPECT_EQ(socks1.gross + socks2.gross, 1980);
  EXPECT_EQ(socks1.tax + socks2.tax, 330);
  ASSERT_TRUE(planner->RecordPlan(order, *plan2, &history).ok());
}

TEST(SpecCrosscheckReturnGo, KeysAreUuid5OfTheDocumentedStrings) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  absl::StatusOr<v1::ReturnRequest> rma1 = ReturnRequestFromReturnGo(kRma1);
  ASSERT_TRUE(rma1.ok()) << rma1.status();
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(
      ParseText<v1::SalesOrder>(kShopOrder), *rma1, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1);
  // python3: uuid.uuid5(uuid.UUID("6985cd8b-929e-5a0a-8e80-8bf1433643e6"),
  //                     s) for each string s.
  const v1::PostingId& note = plan->credit_notes(0).id();
  EXPECT_EQ(note.identity(), "retcon/v1/credit-note/returngo/10001/tx-1");
  EXPECT_EQ(note.idempotency_key(), "6929fd0f-f8d6-58fb-9442-1dd148263309");
  // Content per idempotency.md, "Credit note for a refund transaction":
  // v1|kind=credit-note|refund_id=tx-1|amount=6321|currency=GBP|method=...
  // |line=9001|order_line_id=13711044001001|component_sku=|quantity=1|
  // resolution=... (and 9002, 9003).
  EXPECT_EQ(note.fingerprint(), "9214d06f-f9d7-57fe-8639-5ae87f1a0ccb");
  ASSERT_EQ(plan->stock_movements_size(), 3);
  const v1::PostingId& move = plan->stock_movements(0).id();
  EXPECT_EQ(move.identity(), "retcon/v1/stock-movement/returngo/10001/9001/");
  EXPECT_EQ(move.idempotency_key(), "8b2fdbae-08c5-592e-9399-8498a4474515");
  // v1|kind=stock-movement|order_line_id=13711044001001|component_sku=|
  // platform_sku=HH-SHIRT-WHT-M|quantity=1|returned=1|restockable=1|
  // condition=ITEM_CONDITION_UNSPECIFIED|return_location=LDN%201|
  // reason_code=TOO_SMALL
  EXPECT_EQ(move.fingerprint(), "6262ab9e-29b5-508e-ae7e-cef619f521ad");
  EXPECT_EQ(plan->stock_movements(2).id().idempotency_key(),
            "20620561-78cd-54ac-bd1f-dbb735c66528");
}

TEST(SpecCrosscheckReturnGo, SameRmaPlannedTwicePostsNothingTheSecondTime) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kShopOrder);
  v1::OrderHistory history;
  absl::StatusOr<v1::ReturnRequest> rma1 = ReturnRequestFromReturnGo(kRma1);
  ASSERT_TRUE(rma1.ok()) << rma1.status();
  absl::StatusOr<v1::PostingPlan> first = planner->Plan(order, *rma1, history);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(planner->RecordPlan(order, *first, &history).ok());
  EXPECT_EQ(history.postings_size(), 4);  // 1 note + 3 movements.

  // The webhook fires again; the RMA is re-fetched unchanged.
  absl::StatusOr<v1::ReturnRequest> again_rma =
      ReturnRequestFromReturnGo(kRma1);
  ASSERT_TRUE(again_rma.ok());
  absl::StatusOr<v1::PostingPlan> again =
      planner->Plan(order, *again_rma, history);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->credit_notes_size(), 0);
  EXPECT_EQ(again->stock_movements_size(), 0);
  EXPECT_EQ(again->exchange_orders_size(), 0);
  EXPECT_EQ(again->parked_credit_notes_size(), 0);
  EXPECT_EQ(again->parked_stock_movements_size(), 0);
  EXPECT_EQ(again->exceptions_size(), 0) << again->DebugString();
  EXPECT_EQ(again->already_posted_size(), 4);
}

// JPY has no decimals: 3 units at 1000 less 100 = 2900, consumption tax 10%
// included: round(2900*10/110) = 264. One unit: round(2900/3) = 967, tax
// round(264/3) = 88; the other two: 1933, tax 176.
constexpr char kJpyOrder[] = R"pb(
  order_id: "7001"
  currency_code: "JPY"
  prices_include_tax: true
  discounts {
    application_id: "0"
    level: DISCOUNT_LEVEL_LINE
    amount { minor_units: 100 }
  }
  lines {
    line_id: "5001"
    sku: "TEA-CUP"
    quantity: 3
    unit_price { minor_units: 1000 }
    discount_allocations {
      application_id: "0"
      amount { minor_units: 100 }
      level: DISCOUNT_LEVEL_LINE
    }
    tax_lines { rate: "10" }
  }
)pb";

TEST(SpecCrosscheckReturnGo, JpyOrderZeroDecimals) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kJpyOrder);
  v1::OrderHistory history;
  absl::StatusOr<v1::ReturnRequest> first = ReturnRequestFromReturnGo(R"json({
    "rmaSummary": {"rmaId": "J-1", "status": "Done"},
    "orderDetails": {"orderId": 7001},
    "items": [{"shopLineItemId": 5001, "returnedItemId": 1, "sku": "TEA-CUP",
      "paidPrice": {"amount": "967.00", "currency": "JPY"},
      "resolutionType": "StoreCredit",
      "itemValidationStatusResponse": {"isReturned": 1}}],
    "transactions": [{"id": "j1", "type": "StoreCredit", "status": "Success",
      "amount": {"amount": "967", "currency": "JPY"}, "returnItemIds": [1]}]
  })json");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->currency_code(), "JPY");
  absl::StatusOr<v1::PostingPlan> plan1 = planner->Plan(order, *first, history);
  ASSERT_TRUE(plan1.ok()) << plan1.status();
  EXPECT_EQ(plan1->exceptions_size(), 0) << plan1->DebugString();
  ASSERT_EQ(plan1->credit_notes_size(), 1) << plan1->DebugString();
  EXPECT_EQ(plan1->credit_notes(0).currency_code(), "JPY");
  EXPECT_EQ(plan1->credit_notes(0).total_gross().minor_units(), 967);
  EXPECT_EQ(plan1->credit_notes(0).total_tax().minor_units(), 88);
  ASSERT_EQ(plan1->credit_notes(0).tenders_size(), 1);
  EXPECT_EQ(plan1->credit_notes(0).tenders(0).method(),
            v1::RESOLUTION_STORE_CREDIT);
  ASSERT_TRUE(planner->RecordPlan(order, *plan1, &history).ok());

  absl::StatusOr<v1::ReturnRequest> rest = ReturnRequestFromReturnGo(R"json({
    "rmaSummary": {"rmaId": "J-2", "status": "Done"},
    "orderDetails": {"orderId": "7001"},
    "items": [
      {"shopLineItemId": "5001", "returnedItemId": 2, "sku": "TEA-CUP",
       "paidPrice": {"amount": 967, "currency": "JPY"},
       "resolutionType": "StoreCredit",
       "itemValidationStatusResponse": {"isReturned": true}},
      {"shopLineItemId": "5001", "returnedItemId": 3, "sku": "TEA-CUP",
       "paidPrice": {"amount": 966, "currency": "JPY"},
       "resolutionType": "StoreCredit",
       "itemValidationStatusResponse": {"isReturned": true}}],
    "transactions": [{"id": "j2", "type": "StoreCredit", "status": "Success",
      "amount": {"amount": 1933, "currency": "JPY"}, "returnItemIds": [2, 3]}]
  })json");
  ASSERT_TRUE(rest.ok()) << rest.status();
  absl::StatusOr<v1::PostingPlan> plan2 = planner->Plan(order, *rest, history);
  ASSERT_TRUE(plan2.ok()) << plan2.status();
  EXPECT_EQ(plan2->exceptions_size(), 0) << plan2->DebugString();
  ASSERT_EQ(plan2->credit_notes_size(), 1) << plan2->DebugString();
  EXPECT_EQ(plan2->credit_notes(0).total_gross().minor_units(), 1933);
  EXPECT_EQ(plan2->credit_notes(0).total_tax().minor_units(), 176);
  EXPECT_EQ(plan2->credit_notes(0).total_net().minor_units(), 1757);
}

// KWD has 3 decimals: 3 units at 1.000 less 0.001 = 2.999, untaxed. One
// unit: round(2999/3) = 1000 fils; the other two: 1999.
TEST(SpecCrosscheckReturnGo, KwdOrderThreeDecimals) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(R"pb(
    order_id: "8001"
    currency_code: "KWD"
    prices_include_tax: false
    discounts {
      application_id: "0"
      level: DISCOUNT_LEVEL_LINE
      amount { minor_units: 1 }
    }
    lines {
      line_id: "6001"
      sku: "OUD-OIL"
      quantity: 3
      unit_price { minor_units: 1000 }
      discount_allocations {
        application_id: "0"
        amount { minor_units: 1 }
        level: DISCOUNT_LEVEL_LINE
      }
    }
  )pb");
  v1::OrderHistory history;
  absl::StatusOr<v1::ReturnRequest> first = ReturnRequestFromReturnGo(R"json({
    "rmaSummary": {"rmaId": "K-1", "status": "Done"},
    "orderDetails": {"orderId": 8001},
    "items": [{"shopLineItemId": 6001, "returnedItemId": 1, "sku": "OUD-OIL",
      "paidPrice": {"amount": "1.000", "currency": "KWD"},
      "resolutionType": "RefundToPaymentMethod",
      "itemValidationStatusResponse": {"isReturned": 1}}],
    "transactions": [{"id": "k1", "status": "Success",
      "amount": {"amount": "1.000", "currency": "KWD"}, "returnItemIds": [1]}]
  })json");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->refunds(0).amount().minor_units(), 1000);
  absl::StatusOr<v1::PostingPlan> plan1 = planner->Plan(order, *first, history);
  ASSERT_TRUE(plan1.ok()) << plan1.status();
  EXPECT_EQ(plan1->exceptions_size(), 0) << plan1->DebugString();
  ASSERT_EQ(plan1->credit_notes_size(), 1) << plan1->DebugString();
  EXPECT_EQ(plan1->credit_notes(0).total_gross().minor_units(), 1000);
  EXPECT_EQ(plan1->credit_notes(0).total_tax().minor_units(), 0);
  ASSERT_TRUE(planner->RecordPlan(order, *plan1, &history).ok());

  absl::StatusOr<v1::ReturnRequest> rest = ReturnRequestFromReturnGo(R"json({
    "rmaSummary": {"rmaId": "K-2", "status": "Done"},
    "orderDetails": {"orderId": 8001},
    "items": [
      {"shopLineItemId": 6001, "returnedItemId": 2, "sku": "OUD-OIL",
       "paidPrice": {"amount": 1.0, "currency": "KWD"},
       "resolutionType": "RefundToPaymentMethod",
       "itemValidationStatusResponse": {"isReturned": 1}},
      {"shopLineItemId": 6001, "returnedItemId": 3, "sku": "OUD-OIL",
       "paidPrice": {"amount": 0.999, "currency": "KWD"},
       "resolutionType": "RefundToPaymentMethod",
       "itemValidationStatusResponse": {"isReturned": 1}}],
    "transactions": [{"id": "k2", "status": "Success",
      "amount": {"amount": 1.999, "currency": "KWD"}, "returnItemIds": [2, 3]}]
  })json");
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(rest->refunds(0).amount().minor_units(), 1999);
  absl::StatusOr<v1::PostingPlan> plan2 = planner->Plan(order, *rest, history);
  ASSERT_TRUE(plan2.ok()) << plan2.status();
  EXPECT_EQ(plan2->exceptions_size(), 0) << plan2->DebugString();
  ASSERT_EQ(plan2->credit_notes_size(), 1) << plan2->DebugString();
  EXPECT_EQ(plan2->credit_notes(0).total_gross().minor_units(), 1999);
  EXPECT_EQ(plan2->credit_notes(0).currency_code(), "KWD");
}

TEST(SpecCrosscheckReturnGo, DocumentedTwoUnitExampleGrouped) {
  // adapters.md "Examples": the two-unit RMA with a 1.00 restocking fee per
  // unit. Grouped (line_per_unit = false) it becomes one line of 2 units,
  // id 9002, and a 2.00 fee; by default one line per unit, each with its own
  // 1.00 fee (adapters.h: fees per unit, summed per line).
  constexpr char kRma[] =
      R"json({"rmaSummary": {"rmaId": 10001, "status": "Done"},
 "orderDetails": {"orderId": 5528190001, "order_name": "#1001"},
 "items": [
   {"shopLineItemId": "13711044001002", "returnedItemId": 9002, "sku": "HH-SOCK-3PK-NVY",
    "paidPrice": {"amount": 9.90, "currency": "GBP"}, "resolutionType": "RefundToPaymentMethod",
    "restockingFee": "1.00", "itemValidationStatusResponse": {"isReturned": 1, "isRestockable": "true"}},
   {"shopLineItemId": "13711044001002", "returnedItemId": 9003, "sku": "HH-SOCK-3PK-NVY",
    "paidPrice": {"amount": 9.90, "currency": "GBP"}, "resolutionType": "RefundToPaymentMethod",
    "restockingFee": "1.00", "itemValidationStatusResponse": {"isReturned": true, "isRestockable": 1}}],
 "transactions": [{"id": "tx-1", "type": "RefundToPaymentMethod", "status": "Success",
   "amount": {"amount": "17.80", "currency": "GBP"}, "returnItemIds": [9002, "9003"]}]})json";
  ReturnGoOptions grouped;
  grouped.line_per_unit = false;
  absl::StatusOr<v1::ReturnRequest> g =
      ReturnRequestFromReturnGo(kRma, grouped);
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(g->lines_size(), 1);
  EXPECT_EQ(g->lines(0).return_line_id(), "9002");
  EXPECT_EQ(g->lines(0).quantity(), 2);
  EXPECT_THAT(g->lines(0).item_ids(), ::testing::ElementsAre("9002", "9003"));
  ASSERT_EQ(g->fees_size(), 1);
  EXPECT_EQ(g->fees(0).type(), v1::FEE_TYPE_RESTOCKING);
  EXPECT_EQ(g->fees(0).amount().minor_units(), 200);
  EXPECT_EQ(g->fees(0).return_line_id(), "9002");
  EXPECT_THAT(g->refunds(0).return_line_ids(), ::testing::ElementsAre("9002"));

  absl::StatusOr<v1::ReturnRequest> u = ReturnRequestFromReturnGo(kRma);
  ASSERT_TRUE(u.ok()) << u.status();
  ASSERT_EQ(u->lines_size(), 2);
  ASSERT_EQ(u->fees_size(), 2);
  EXPECT_EQ(u->fees(0).amount().minor_units(), 100);
  EXPECT_EQ(u->fees(1).return_line_id(), "9003");

  // Planned: both sock packs 19.80 less 2.00 of fees = 17.80, what ReturnGo
  // paid; the fee is an explicit negative line.
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  for (const v1::ReturnRequest* ret : {&*g, &*u}) {
    absl::StatusOr<v1::PostingPlan> plan = planner->Plan(
        ParseText<v1::SalesOrder>(kShopOrder), *ret, v1::OrderHistory());
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
    ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
    const v1::CreditNote& note = plan->credit_notes(0);
    EXPECT_EQ(note.total_gross().minor_units(), 1780);
    EXPECT_EQ(GoodsOf(note, "13711044001002").gross, 1980);
    int64_t fees = 0;
    for (const v1::RefundLine& line : note.lines()) {
      if (line.kind() == v1::CREDIT_LINE_KIND_FEE) {
        EXPECT_LT(line.gross().minor_units(), 0);
        fees += line.gross().minor_units();
      }
    }
    EXPECT_EQ(fees, -200);
  }
}

// ---------------------------------------------------------------------------
// Bundles. Two gift sets at 75.00, VAT 20% included; catalog list prices
// scarf 39.00, beanie 22.00, gloves 25.00 (weights 3900, 2200, 2500).
// Line gross 15000 -> 6802, 3837, 4361; VAT 2500 -> 1134, 639, 727.
// One set: F(1) = 7500 split over (6802, 3837, 4361) = 3401, 1919, 2180;
// VAT F(1) = 1250 split over (1134, 639, 727) = 567, 320, 363.

constexpr char kBundleOrder[] = R"pb(
  order_id: "B1"
  currency_code: "GBP"
  prices_include_tax: true
  lines {
    line_id: "LB"
    sku: "GS-WINTER"
    quantity: 2
    unit_price { minor_units: 7500 }
    tax_lines { rate: "20" }
  }
)pb";

std::string BundleCatalog(bool kit) {
  return std::string(R"pb(
           bundles { bundle_sku: "GS-WINTER"
                     components {
                       sku: "GS-SCARF"
                       quantity: 1
                       list_price { minor_units: 3900 }
                     }
                     components {
                       sku: "GS-BEANIE"
                       quantity: 1
                       list_price { minor_units: 2200 }
                     }
                     components {
                       sku: "GS-GLOVES"
                       quantity: 1
                       list_price { minor_units: 2500 }
                     }
         )pb") +
         (kit ? "stocked_as_kit: true }" : "}");
}

v1::ReturnRequest BundleReturn(const std::string& component_sku) {
  v1::ReturnRequest ret = ParseText<v1::ReturnRequest>(R"pb(
    source: "returngo"
    return_id: "RMA-B1"
    order_id: "B1"
    status: RETURN_STATUS_DONE
    lines {
      return_line_id: "R1"
      order_line_id: "LB"
      quantity: 1
      resolution: RESOLUTION_REFUND_TO_PAYMENT_METHOD
      inspection { returned: true restockable: true }
    }
  )pb");
  ret.mutable_lines(0)->set_component_sku(component_sku);
  if (component_sku.empty()) {
    ret.mutable_lines(0)->set_platform_sku("GS-WINTER");
  }
  return ret;
}

TEST(SpecCrosscheckBundle, PartialReturnMovesOnlyTheComponent) {
  auto planner = MakePlanner(BundleCatalog(false));
  ASSERT_NE(planner, nullptr);
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(ParseText<v1::SalesOrder>(kBundleOrder),
                    BundleReturn("GS-SCARF"), v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->stock_movements_size(), 1) << plan->DebugString();
  const v1::StockMovement& move = plan->stock_movements(0);
  EXPECT_EQ(move.erp_sku(), "GS-SCARF");
  EXPECT_EQ(move.component_sku(), "GS-SCARF");
  EXPECT_EQ(move.quantity(), 1);
  EXPECT_EQ(move.id().identity(),
            "retcon/v1/stock-movement/returngo/RMA-B1/R1/GS-SCARF");
  EXPECT_EQ(move.id().idempotency_key(),
            "fd4957eb-283a-5075-96f1-ab9f13e78f9d");
  for (const v1::StockMovement& m : plan->parked_stock_movements()) {
    EXPECT_NE(m.erp_sku(), "GS-WINTER");
  }
  ASSERT_EQ(plan->credit_notes_size(), 1);
  const v1::CreditNote& note = plan->credit_notes(0);
  LineSum scarf = GoodsOf(note, "LB", "GS-SCARF");
  EXPECT_EQ(scarf.quantity, 1);
  EXPECT_EQ(scarf.gross, 3401);
  EXPECT_EQ(scarf.tax, 567);
  EXPECT_EQ(scarf.net, 2834);
  EXPECT_EQ(note.total_gross().minor_units(), 3401);
  for (const v1::RefundLine& line : note.lines()) {
    EXPECT_EQ(line.sku(), "GS-SCARF");
  }
}

TEST(SpecCrosscheckBundle, WholeBundleMovesEachComponentAndRefundsTheSet) {
  auto planner = MakePlanner(BundleCatalog(false));
  ASSERT_NE(planner, nullptr);
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(ParseText<v1::SalesOrder>(kBundleOrder), BundleReturn(""),
                    v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->stock_movements_size(), 3) << plan->DebugString();
  std::vector<std::string> skus;
  for (const v1::StockMovement& m : plan->stock_movements()) {
    skus.push_back(m.erp_sku());
    EXPECT_EQ(m.quantity(), 1);
    EXPECT_EQ(m.component_sku(), m.erp_sku());
  }
  EXPECT_THAT(skus, ::testing::UnorderedElementsAre("GS-SCARF", "GS-BEANIE",
                                                    "GS-GLOVES"));
  ASSERT_EQ(plan->credit_notes_size(), 1);
  const v1::CreditNote& note = plan->credit_notes(0);
  EXPECT_EQ(note.total_gross().minor_units(), 7500);
  EXPECT_EQ(note.total_tax().minor_units(), 1250);
  EXPECT_EQ(GoodsOf(note, "LB", "GS-SCARF").gross, 3401);
  EXPECT_EQ(GoodsOf(note, "LB", "GS-BEANIE").gross, 1919);
  EXPECT_EQ(GoodsOf(note, "LB", "GS-GLOVES").gross, 2180);
  EXPECT_EQ(GoodsOf(note, "LB", "GS-BEANIE").tax, 320);
  EXPECT_EQ(GoodsOf(note, "LB", "GS-GLOVES").tax, 363);
  EXPECT_EQ(GoodsOf(note, "LB").gross, 0);  // Never the bundle SKU line.
}

TEST(SpecCrosscheckBundle, WholeKitStockedBundleMovesTheKitSku) {
  auto planner = MakePlanner(BundleCatalog(true));
  ASSERT_NE(planner, nullptr);
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(ParseText<v1::SalesOrder>(kBundleOrder), BundleReturn(""),
                    v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->stock_movements_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->stock_movements(0).erp_sku(), "GS-WINTER");
  EXPECT_EQ(plan->stock_movements(0).component_sku(), "");
  EXPECT_EQ(plan->stock_movements(0).quantity(), 1);
  EXPECT_EQ(plan->stock_movements(0).id().identity(),
            "retcon/v1/stock-movement/returngo/RMA-B1/R1/");
  ASSERT_EQ(plan->credit_notes_size(), 1);
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 7500);
}

TEST(SpecCrosscheckBundle, ScarfThenTheRestOfTheSetRefundsExactlyOneSet) {
  // money.md section 7: "returning a set whole, or its components one by
  // one in any order, credits the same amounts".
  auto planner = MakePlanner(BundleCatalog(false));
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kBundleOrder);
  v1::OrderHistory history;
  int64_t total = 0;
  int i = 0;
  for (const char* sku : {"GS-GLOVES", "GS-SCARF", "GS-BEANIE"}) {
    v1::ReturnRequest ret = BundleReturn(sku);
    ret.set_return_id("RMA-B-" + std::to_string(i++));
    absl::StatusOr<v1::PostingPlan> plan = planner->Plan(order, ret, history);
    ASSERT_TRUE(plan.ok()) << plan.status();
    ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
    total += plan->credit_notes(0).total_gross().minor_units();
    ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());
  }
  EXPECT_EQ(total, 7500);
}

// ---------------------------------------------------------------------------
// Exchanges. One shirt at 30.00, VAT 20% included (VAT 5.00).

constexpr char kExchangeOrder[] = R"pb(
  order_id: "X1"
  order_number: "#2001"
  currency_code: "GBP"
  prices_include_tax: true
  order_type: "WEB"
  customer {
    customer_id: "C9"
    email: "bo@example.com"
    first_name: "Bo"
    last_name: "Ng"
  }
  billing_address {
    name: "Bo Ng"
    line1: "2 Low Rd"
    city: "York"
    postal_code: "YO1 1AA"
    country_code: "GB"
  }
  shipping_address {
    name: "Bo Ng"
    line1: "2 Low Rd"
    city: "York"
    postal_code: "YO1 1AA"
    country_code: "GB"
  }
  lines {
    line_id: "L1"
    sku: "SHIRT-WHT-M"
    quantity: 1
    unit_price { minor_units: 3000 }
    tax_lines { rate: "20" }
  }
)pb";

v1::ReturnRequest ExchangeReturn(int64_t new_unit_price) {
  v1::ReturnRequest ret = ParseText<v1::ReturnRequest>(R"pb(
    source: "returngo"
    return_id: "RMA-X"
    order_id: "X1"
    status: RETURN_STATUS_DONE
    lines {
      return_line_id: "R1"
      order_line_id: "L1"
      platform_sku: "SHIRT-WHT-M"
      quantity: 1
      resolution: RESOLUTION_EXCHANGE
      inspection { returned: true restockable: true }
    }
    exchange_items {
      return_line_id: "R1"
      sku: "SHIRT-BLU-L"
      variant_id: "777"
      quantity: 1
    }
  )pb");
  ret.mutable_exchange_items(0)->mutable_unit_price()->set_minor_units(
      new_unit_price);
  return ret;
}

TEST(SpecCrosscheckExchange, EvenExchangeIsAZeroValueOrderAndNoCreditNote) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kExchangeOrder);
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ExchangeReturn(3000), v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes_size(), 0);
  EXPECT_EQ(plan->parked_credit_notes_size(), 0);
  ASSERT_EQ(plan->stock_movements_size(), 1);
  EXPECT_EQ(plan->stock_movements(0).erp_sku(), "SHIRT-WHT-M");
  ASSERT_EQ(plan->exchange_orders_size(), 1) << plan->DebugString();
  const v1::ExchangeOrder& x = plan->exchange_orders(0);
  EXPECT_EQ(x.order_type(), "EXCH");
  EXPECT_EQ(x.original_order_id(), "X1");
  EXPECT_EQ(x.original_order_number(), "#2001");
  EXPECT_EQ(x.return_id(), "RMA-X");
  EXPECT_EQ(x.currency_code(), "GBP");
  EXPECT_EQ(x.customer().SerializeAsString(),
            order.customer().SerializeAsString());
  EXPECT_EQ(x.billing_address().SerializeAsString(),
            order.billing_address().SerializeAsString());
  EXPECT_EQ(x.shipping_address().SerializeAsString(),
            order.shipping_address().SerializeAsString());
  EXPECT_EQ(x.price_difference().minor_units(), 0);
  ASSERT_EQ(x.lines_size(), 1);
  EXPECT_EQ(x.lines(0).kind(), v1::EXCHANGE_LINE_KIND_GOODS);
  EXPECT_EQ(x.lines(0).sku(), "SHIRT-BLU-L");
  EXPECT_EQ(x.lines(0).quantity(), 1);
  EXPECT_EQ(x.lines(0).unit_price().minor_units(), 0);
  ASSERT_EQ(x.replaced_size(), 1);
  EXPECT_EQ(x.replaced(0).order_line_id(), "L1");
  EXPECT_EQ(x.replaced(0).quantity(), 1);
  // identity retcon/v1/exchange-order/returngo/RMA-X; content
  // v1|kind=exchange-order|line=R1|order_line_id=L1|component_sku=|
  // quantity=1|item_line=R1|sku=SHIRT-BLU-L|variant_id=777|quantity=1|
  // unit_price=3000
  EXPECT_EQ(x.id().identity(), "retcon/v1/exchange-order/returngo/RMA-X");
  EXPECT_EQ(x.id().idempotency_key(), "fd56b856-d21e-59c3-8399-6cd43991357c");
  EXPECT_EQ(x.id().fingerprint(), "a27325fb-980e-55e3-8c31-f448acb2ae54");
}

TEST(SpecCrosscheckExchange, CustomerPaysMoreGetsAChargeLineAndNoCreditNote) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(ParseText<v1::SalesOrder>(kExchangeOrder),
                    ExchangeReturn(3500), v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes_size(), 0);
  EXPECT_EQ(plan->parked_credit_notes_size(), 0);
  ASSERT_EQ(plan->exchange_orders_size(), 1);
  const v1::ExchangeOrder& x = plan->exchange_orders(0);
  EXPECT_EQ(x.price_difference().minor_units(), 500);
  ASSERT_EQ(x.lines_size(), 2);
  EXPECT_EQ(x.lines(0).kind(), v1::EXCHANGE_LINE_KIND_GOODS);
  EXPECT_EQ(x.lines(0).unit_price().minor_units(), 0);
  EXPECT_EQ(x.lines(1).kind(), v1::EXCHANGE_LINE_KIND_PRICE_DIFFERENCE);
  EXPECT_EQ(x.lines(1).quantity(), 1);
  EXPECT_EQ(x.lines(1).unit_price().minor_units(), 500);
  EXPECT_EQ(x.lines(1).sku(), "");
  EXPECT_EQ(x.lines(1).product_name(), "Exchange price difference");
}

TEST(SpecCrosscheckExchange, CustomerOwedTheDifferenceGetsOnlyTheDifference) {
  // New shirt 25.00 for a 30.00 one: 5.00 owed, split like the returned
  // unit (gross 3000, VAT 500): VAT round(500 * 500 / 3000) = 83, net 417.
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(ParseText<v1::SalesOrder>(kExchangeOrder),
                    ExchangeReturn(2500), v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->exchange_orders_size(), 1);
  const v1::ExchangeOrder& x = plan->exchange_orders(0);
  EXPECT_EQ(x.price_difference().minor_units(), -500);
  ASSERT_EQ(x.lines_size(), 1);
  EXPECT_EQ(x.lines(0).unit_price().minor_units(), 0);
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  const v1::CreditNote& note = plan->credit_notes(0);
  EXPECT_EQ(note.id().identity(), "retcon/v1/credit-note-final/returngo/RMA-X");
  EXPECT_EQ(CountKind(note, v1::CREDIT_LINE_KIND_GOODS), 0);
  ASSERT_EQ(CountKind(note, v1::CREDIT_LINE_KIND_EXCHANGE_DIFFERENCE), 1);
  EXPECT_EQ(note.total_gross().minor_units(), 500);
  EXPECT_EQ(note.total_tax().minor_units(), 83);
  EXPECT_EQ(note.total_net().minor_units(), 417);
  EXPECT_EQ(note.lines(0).quantity(), 0);
}

TEST(SpecCrosscheckExchange, EvenExchangeRecordedThenPlannedAgainPostsNothing) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kExchangeOrder);
  v1::OrderHistory history;
  absl::StatusOr<v1::PostingPlan> first =
      planner->Plan(order, ExchangeReturn(3000), history);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(planner->RecordPlan(order, *first, &history).ok());
  absl::StatusOr<v1::PostingPlan> again =
      planner->Plan(order, ExchangeReturn(3000), history);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->exchange_orders_size(), 0);
  EXPECT_EQ(again->stock_movements_size(), 0);
  EXPECT_EQ(again->credit_notes_size(), 0);
  EXPECT_EQ(again->exceptions_size(), 0) << again->DebugString();
  EXPECT_EQ(again->already_posted_size(), 2);
}

// ---------------------------------------------------------------------------
// Idempotency keys against python3's uuid.uuid5.

TEST(SpecCrosscheckIdempotency, NamespaceAndKeysMatchPythonUuid5) {
  // uuid.uuid5(uuid.NAMESPACE_URL, "urn:retcon:v1")
  EXPECT_EQ(kRetconNamespace, "6985cd8b-929e-5a0a-8e80-8bf1433643e6");
  Uuid url_ns = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
  EXPECT_EQ(FormatUuid(Uuid5(url_ns, "urn:retcon:v1")),
            "6985cd8b-929e-5a0a-8e80-8bf1433643e6");
  EXPECT_EQ(FormatUuid(RetconNamespace()), kRetconNamespace);
  struct Vector {
    const char* kind;
    std::vector<absl::string_view> segments;
    const char* identity;
    const char* key;
  };
  const std::vector<Vector> vectors = {
      {"credit-note",
       {"returngo", "10001", "tx-1"},
       "retcon/v1/credit-note/returngo/10001/tx-1",
       "6929fd0f-f8d6-58fb-9442-1dd148263309"},
      {"credit-note",
       {"returngo", "10002", "tx-2"},
       "retcon/v1/credit-note/returngo/10002/tx-2",
       "90b0c68a-e539-55a9-b7e7-af462eb46a56"},
      {"credit-note-final",
       {"returngo", "RMA-E2"},
       "retcon/v1/credit-note-final/returngo/RMA-E2",
       "9e1c759a-671e-5701-899f-720573af7974"},
      {"stock-movement",
       {"returngo", "10001", "9001", ""},
       "retcon/v1/stock-movement/returngo/10001/9001/",
       "8b2fdbae-08c5-592e-9399-8498a4474515"},
      {"credit-note",
       {"returngo", "RMA/2026 #7", "tx|1"},
       "retcon/v1/credit-note/returngo/RMA%2F2026%20%237/tx%7C1",
       "be213475-a7c0-5873-9916-17da03e84524"},
      // The documented vector of idempotency.md.
      {"credit-note",
       {"returngo", "RMA123", "RF9"},
       "retcon/v1/credit-note/returngo/RMA123/RF9",
       "ab488005-dbdc-51b3-99f8-4b90070edf0b"},
  };
  for (const Vector& v : vectors) {
    const std::string identity = CanonicalIdentity(v.kind, v.segments);
    EXPECT_EQ(identity, v.identity);
    EXPECT_EQ(RetconUuid(identity), v.key) << identity;
  }
  ContentString content;
  content.Add("kind", "credit-note-final")
      .Add("line", "R1")
      .Add("order_line_id", "L1")
      .Add("component_sku", "")
      .Add("quantity", int64_t{1})
      .Add("resolution", "RESOLUTION_REFUND_TO_PAYMENT_METHOD");
  EXPECT_EQ(content.text(),
            "v1|kind=credit-note-final|line=R1|order_line_id=L1|"
            "component_sku=|quantity=1|resolution=RESOLUTION_REFUND_TO_"
            "PAYMENT_METHOD");
  EXPECT_EQ(content.Fingerprint(), "8b846862-6455-5f8b-bd6d-9ef35236b65d");
}

TEST(SpecCrosscheckIdempotency, FinalisedNoteKeyAndFingerprint) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(R"pb(
    order_id: "V2"
    currency_code: "GBP"
    prices_include_tax: true
    lines {
      line_id: "L1"
      sku: "COAT"
      quantity: 1
      unit_price { minor_units: 17925 }
      tax_lines { rate: "20" }
    }
  )pb");
  const auto ret = ParseText<v1::ReturnRequest>(R"pb(
    source: "returngo"
    return_id: "RMA-E2"
    order_id: "V2"
    status: RETURN_STATUS_DONE
    lines {
      return_line_id: "R1"
      order_line_id: "L1"
      quantity: 1
      resolution: RESOLUTION_REFUND_TO_PAYMENT_METHOD
    }
  )pb");
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  const v1::CreditNote& note = plan->credit_notes(0);
  EXPECT_EQ(note.id().identity(),
            "retcon/v1/credit-note-final/returngo/RMA-E2");
  EXPECT_EQ(note.id().idempotency_key(),
            "9e1c759a-671e-5701-899f-720573af7974");
  EXPECT_EQ(note.id().fingerprint(), "8b846862-6455-5f8b-bd6d-9ef35236b65d");
  EXPECT_EQ(note.total_gross().minor_units(), 17925);
  EXPECT_EQ(note.total_tax().minor_units(), 2988);
  ASSERT_EQ(note.tenders_size(), 1);
  EXPECT_EQ(note.tenders(0).amount().minor_units(), 17925);
  EXPECT_EQ(note.variance().minor_units(), 0);
}

// ---------------------------------------------------------------------------
// Malformed input: errors name the field path.

void ExpectInvalid(const absl::Status& status, const std::string& prefix) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), StartsWith(prefix)) << status;
}

TEST(SpecCrosscheckErrors, AdapterErrorsNameTheJsonPath) {
  const std::string head =
      R"({"rmaSummary": {"rmaId": 1, "status": "Done"},
          "orderDetails": {"orderId": 5},)";
  ExpectInvalid(ReturnRequestFromReturnGo(head + R"("items": [
      {"returnedItemId": 1, "paidPrice": {"amount": "1.00", "currency": "GBP"}}]})")
                    .status(),
                "items[0].shopLineItemId: required field is missing");
  ExpectInvalid(ReturnRequestFromReturnGo(head + R"("items": [
      {"shopLineItemId": 2, "returnedItemId": 1,
       "paidPrice": {"amount": "1.00", "currency": "GBP"},
       "restockingFee": "12.3.4"}]})")
                    .status(),
                "items[0].restockingFee:");
  ExpectInvalid(ReturnRequestFromReturnGo(head + R"("items": [
      {"shopLineItemId": 2, "returnedItemId": 1,
       "paidPrice": {"amount": "1.00", "currency": "GBP"}}],
      "transactions": [{"id": "t", "status": "Success",
       "amount": {"amount": "1.005", "currency": "GBP"}}]})")
                    .status(),
                "transactions[0].amount.amount:");
  ExpectInvalid(ReturnRequestFromReturnGo(head + R"("items": [
      {"shopLineItemId": 2, "returnedItemId": 1,
       "paidPrice": {"amount": "1.00", "currency": "GBP"}}],
      "transactions": [{"id": "t", "status": "Success",
       "amount": {"amount": "1.00", "currency": "GBP"},
       "returnItemIds": [1, 99]}]})")
                    .status(),
                "transactions[0].returnItemIds[1]:");
  ExpectInvalid(ReturnRequestFromReturnGo(head + R"("items": [
      {"shopLineItemId": 2, "returnedItemId": 7,
       "paidPrice": {"amount": "1.00", "currency": "GBP"}},
      {"shopLineItemId": 2, "returnedItemId": "7",
       "paidPrice": {"amount": "1.00", "currency": "GBP"}}]})")
                    .status(),
                "items[1].returnedItemId:");
  ExpectInvalid(ReturnRequestFromReturnGo(head + R"("items": [
      {"shopLineItemId": 2, "returnedItemId": 1,
       "paidPrice": {"amount": "1.00", "currency": "GBP"},
       "resolutionType": "Teleport"}]})")
                    .status(),
                "items[0].resolutionType:");
  ExpectInvalid(
      ReturnRequestFromReturnGo(R"({"rma": {"rmaSummary": {"status": "Done"},
        "orderDetails": {"orderId": 5}, "items": [{"shopLineItemId": 2,
        "returnedItemId": 1}]}})")
          .status(),
      "rma.rmaSummary.rmaId: required field is missing");
}

// adapters.h's example error, on an amount the adapter reads (paidPrice
// amounts are ignored, adapters.md: the order says what was paid), and a
// malformed paidPrice amount is no error.
TEST(SpecCrosscheckErrors, AdapterHeaderExampleForAMalformedAmount) {
  const absl::Status status = ReturnRequestFromReturnGo(R"({
      "rmaSummary": {"rmaId": 1, "status": "Done"},
      "orderDetails": {"orderId": 5},
      "items": [{"shopLineItemId": 2, "returnedItemId": 1,
                 "paidPrice": {"amount": "12.3.4", "currency": "GBP"}}],
      "transactions": [{"id": 7, "status": "Success",
                        "amount": {"amount": "1.00", "currency": "GBP"}},
                       {"id": 8, "status": "Success",
                        "amount": {"amount": "12.3.4", "currency": "GBP"}}]})")
                                  .status();
  EXPECT_EQ(std::string(status.message()),
            "transactions[1].amount.amount: '12.3.4' is not a decimal amount "
            "(expected digits, e.g. 12.34) (GBP)");
}

TEST(SpecCrosscheckErrors, PlannerErrorsNameTheField) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kExchangeOrder);
  const v1::ReturnRequest good = E1Return("RMA-ERR", 1);
  auto for_x1 = [&](v1::ReturnRequest ret) {
    ret.set_order_id("X1");
    return ret;
  };
  {
    v1::ReturnRequest ret = for_x1(good);
    ret.mutable_lines(0)->set_order_line_id("L9");
    ExpectInvalid(planner->Plan(order, ret, v1::OrderHistory()).status(),
                  "return.lines[0].order_line_id:");
  }
  {
    v1::ReturnRequest ret = for_x1(good);
    ret.mutable_lines(0)->set_quantity(0);
    ExpectInvalid(planner->Plan(order, ret, v1::OrderHistory()).status(),
                  "return.lines[0].quantity:");
  }
  {
    v1::ReturnRequest ret = for_x1(good);
    ret.set_currency_code("EUR");
    ExpectInvalid(planner->Plan(order, ret, v1::OrderHistory()).status(),
                  "return.currency_code:");
  }
  {
    v1::ReturnRequest ret = for_x1(good);
    auto* refund = ret.add_refunds();
    refund->set_refund_id("RF");
    refund->mutable_amount()->set_minor_units(100);
    refund->set_status(v1::TRANSACTION_STATUS_SUCCESS);
    refund->add_return_line_ids("R7");
    ExpectInvalid(planner->Plan(order, ret, v1::OrderHistory()).status(),
                  "return.refunds[0].return_line_ids[0]:");
  }
  {
    v1::ReturnRequest ret = for_x1(good);
    auto* refund = ret.add_refunds();
    refund->set_refund_id("RF");
    refund->mutable_amount()->set_minor_units(-100);
    refund->set_status(v1::TRANSACTION_STATUS_SUCCESS);
    ExpectInvalid(planner->Plan(order, ret, v1::OrderHistory()).status(),
                  "return.refunds[0].amount");
  }
  {
    v1::ReturnRequest ret = for_x1(good);
    ret.set_return_id("");
    ExpectInvalid(planner->Plan(order, ret, v1::OrderHistory()).status(),
                  "return.return_id");
  }
  {
    v1::SalesOrder bad = order;
    bad.mutable_lines(0)->set_quantity(0);
    ExpectInvalid(planner->Plan(bad, for_x1(good), v1::OrderHistory()).status(),
                  "order.lines[0].quantity:");
  }
  {
    v1::OrderHistory history;
    history.set_order_id("OTHER");
    ExpectInvalid(planner->Plan(order, for_x1(good), history).status(),
                  "history.order_id:");
  }
}

// ---------------------------------------------------------------------------
// Round 2: rounding modes, tax bases, shipping, exceptions, adapter edges.

// One line of 2 units that paid 87.77 (VAT round(8777/6) = 1463): one unit
// is worth 43.885 -> 43.89 half away from zero, 43.88 half-even (money.md
// section 2); its VAT 731.5 -> 732 either way.
TEST(SpecCrosscheckRounding, HalfAwayAndHalfEvenThroughThePlanner) {
  const auto order = ParseText<v1::SalesOrder>(R"pb(
    order_id: "H1"
    currency_code: "GBP"
    prices_include_tax: true
    lines {
      line_id: "L1"
      sku: "SHIRT"
      quantity: 2
      unit_price { minor_units: 8777 }
      discount_allocations {
        application_id: "P"
        amount { minor_units: 8777 }
        level: DISCOUNT_LEVEL_LINE
      }
      tax_lines { rate: "20" }
    }
    discounts {
      application_id: "P"
      level: DISCOUNT_LEVEL_LINE
      amount { minor_units: 8777 }
    }
  )pb");
  v1::ReturnRequest ret = E1Return("RMA-H1", 1);
  ret.set_order_id("H1");
  ret.mutable_lines(0)->set_platform_sku("SHIRT");
  for (RoundingMode mode :
       {RoundingMode::kHalfAwayFromZero, RoundingMode::kHalfEven}) {
    PlannerOptions options;
    options.rounding = mode;
    auto planner = PlannerWith("", "", options);
    ASSERT_NE(planner, nullptr);
    absl::StatusOr<v1::PostingPlan> plan =
        planner->Plan(order, ret, v1::OrderHistory());
    ASSERT_TRUE(plan.ok()) << plan.status();
    ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
    const v1::CreditNote& note = plan->credit_notes(0);
    const bool even = mode == RoundingMode::kHalfEven;
    EXPECT_EQ(note.total_gross().minor_units(), even ? 4388 : 4389);
    EXPECT_EQ(note.total_tax().minor_units(), 732);
    EXPECT_EQ(note.total_net().minor_units(), even ? 3656 : 3657);
  }
}

TEST(SpecCrosscheckRounding, SignSymmetric) {
  // DOMAIN.md property 5 and ERPNext #47705: -12.345 -> -12.35.
  EXPECT_EQ(*DivideRounded(-12345, 10), -1235);
  EXPECT_EQ(*DivideRounded(12345, 10), 1235);
  EXPECT_EQ(*DivideRounded(-25, 10, RoundingMode::kHalfEven), -2);
  EXPECT_EQ(*CumulativeShare(-1000, 1, 6), -167);
  EXPECT_EQ(*CumulativeSlice(-1000, 1, 3, 6), -500);
  EXPECT_EQ(*AllocateByWeights(-4, {1, 1, 1}),
            (std::vector<int64_t>{-2, -1, -1}));
  const TaxRate vat = *TaxRate::Parse("20");
  EXPECT_EQ(ExtractTax(-2000, vat).tax, -333);
  EXPECT_EQ(ExtractTax(-2000, vat).net, -1667);
  EXPECT_EQ(*TaxOnNet(-2000, *TaxRate::Parse("8.25")), -165);
}

TEST(SpecCrosscheckTax, TaxExclusiveOrderAddsTaxOnTop) {
  // US-style: 2 units at 10.00 net, 8.25% on top: tax round(20.00 * 8.25%)
  // = 1.65, gross 21.65. One unit: gross round(2165/2) = 1083, tax
  // round(165/2) = 83, net 1000.
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(R"pb(
    order_id: "US1"
    currency_code: "USD"
    prices_include_tax: false
    lines {
      line_id: "L1"
      sku: "MUG"
      quantity: 2
      unit_price { minor_units: 1000 }
      tax_lines { rate: "8.25" }
    }
  )pb");
  v1::ReturnRequest ret = E1Return("RMA-US1", 1);
  ret.set_order_id("US1");
  ret.mutable_lines(0)->set_platform_sku("MUG");
  v1::OrderHistory history;
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 1083);
  EXPECT_EQ(plan->credit_notes(0).total_tax().minor_units(), 83);
  EXPECT_EQ(plan->credit_notes(0).total_net().minor_units(), 1000);
  ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());
  ret.set_return_id("RMA-US2");
  plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 1082);
  EXPECT_EQ(plan->credit_notes(0).total_tax().minor_units(), 82);
}

TEST(SpecCrosscheckTax, StatedTaxIsUsedAsGivenAndRatesSplitTheGross) {
  // DOMAIN.md property 6: a stated tax (4.16, where 24.99 at 20% would
  // compute 4.17) is used as given. A 9.99 line at 20% + 5% with no amounts:
  // round(999 * 20 / 125) = 160, round(999 * 5 / 125) = 40 (money.md 3).
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(R"pb(
    order_id: "T1"
    currency_code: "GBP"
    prices_include_tax: true
    lines {
      line_id: "L1"
      sku: "SHIRT"
      quantity: 1
      unit_price { minor_units: 2499 }
      tax_lines {
        rate: "20"
        amount { minor_units: 416 }
      }
    }
    lines {
      line_id: "L2"
      sku: "KIT"
      quantity: 1
      unit_price { minor_units: 999 }
      tax_lines { rate: "20" }
      tax_lines { rate: "5" }
    }
  )pb");
  const auto ret = ParseText<v1::ReturnRequest>(R"pb(
    source: "returngo"
    return_id: "RMA-T1"
    order_id: "T1"
    status: RETURN_STATUS_DONE
    lines {
      return_line_id: "R1"
      order_line_id: "L1"
      quantity: 1
      resolution: RESOLUTION_KEEP_ITEM
    }
    lines {
      return_line_id: "R2"
      order_line_id: "L2"
      quantity: 1
      resolution: RESOLUTION_KEEP_ITEM
    }
  )pb");
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  // Keep item: money back, nothing moves, no STOCK_NOT_POSTED.
  EXPECT_EQ(plan->stock_movements_size(), 0);
  EXPECT_EQ(plan->parked_stock_movements_size(), 0);
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  const v1::CreditNote& note = plan->credit_notes(0);
  EXPECT_EQ(GoodsOf(note, "L1").tax, 416);
  EXPECT_EQ(GoodsOf(note, "L1").net, 2083);
  EXPECT_EQ(GoodsOf(note, "L2").tax, 200);
  EXPECT_EQ(GoodsOf(note, "L2").net, 799);
  int64_t at20 = 0, at5 = 0;
  for (const v1::TaxAmount& t : note.tax_summary()) {
    if (t.rate() == "20") at20 += t.amount().minor_units();
    if (t.rate() == "5") at5 += t.amount().minor_units();
  }
  EXPECT_EQ(at20, 416 + 160);
  EXPECT_EQ(at5, 40);
  EXPECT_EQ(note.total_gross().minor_units(), 2499 + 999);
  EXPECT_EQ(note.total_tax().minor_units(), 616);
}

// The refund_policy decision: shipping refunded once every item is returned.
constexpr char kShippingPolicy[] = R"pb(
  decisions {
    name: "refund_policy"
    fact_type: "retcon.v1.RefundFact"
    hit_policy: FIRST
    inputs: "currency_code"
    outputs {
      name: "shipping"
      type: ENUM
      enum_type: "retcon.v1.ShippingRefund"
    }
    rows {
      id: "all"
      cells { any {} }
      outputs { enum_value: "SHIPPING_REFUND_WHEN_ALL_RETURNED" }
    }
  }
)pb";

TEST(SpecCrosscheckShipping, RefundedOnceEveryItemIsReturned) {
  // Issue 4: shipping "when every item is returned". Shipping 4.95 at 20%
  // included: VAT round(495/6) = 83 (82.5 half up), net 412.
  auto planner = PlannerWith(kShippingPolicy);
  ASSERT_NE(planner, nullptr);
  v1::SalesOrder order = ParseText<v1::SalesOrder>(kOrderE1);
  v1::ShippingLine* ship = order.add_shipping_lines();
  ship->set_shipping_id("S1");
  ship->mutable_price()->set_minor_units(495);
  ship->add_tax_lines()->set_rate("20");
  v1::OrderHistory history;
  // 4 units first: no shipping.
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, E1Return("RMA-S1", 4), history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(CountKind(plan->credit_notes(0), v1::CREDIT_LINE_KIND_SHIPPING), 0);
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 667);
  ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());
  // The last 2: goods 333 plus shipping 495.
  plan = planner->Plan(order, E1Return("RMA-S2", 2), history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  const v1::CreditNote& note = plan->credit_notes(0);
  ASSERT_EQ(CountKind(note, v1::CREDIT_LINE_KIND_SHIPPING), 1);
  for (const v1::RefundLine& line : note.lines()) {
    if (line.kind() != v1::CREDIT_LINE_KIND_SHIPPING) continue;
    EXPECT_EQ(line.order_line_id(), "S1");
    EXPECT_EQ(line.gross().minor_units(), 495);
    EXPECT_EQ(line.tax().minor_units(), 83);
    EXPECT_EQ(line.net().minor_units(), 412);
  }
  EXPECT_EQ(note.total_gross().minor_units(), 333 + 495);
  EXPECT_EQ(note.total_tax().minor_units(), 56 + 83);
}

// One shirt at 30.00 (kExchangeOrder) refunded by a transaction.
v1::ReturnRequest RefundReturn(int64_t amount) {
  v1::ReturnRequest ret = ParseText<v1::ReturnRequest>(R"pb(
    source: "returngo"
    return_id: "RMA-R"
    order_id: "X1"
    status: RETURN_STATUS_DONE
    lines {
      return_line_id: "R1"
      order_line_id: "L1"
      platform_sku: "SHIRT-WHT-M"
      quantity: 1
      resolution: RESOLUTION_REFUND_TO_PAYMENT_METHOD
      inspection { returned: true restockable: true }
    }
    refunds {
      refund_id: "RF1"
      status: TRANSACTION_STATUS_SUCCESS
      method: RESOLUTION_REFUND_TO_PAYMENT_METHOD
    }
  )pb");
  ret.mutable_refunds(0)->mutable_amount()->set_minor_units(amount);
  return ret;
}

const v1::Exception* FindException(const v1::PostingPlan& plan,
                                   v1::ExceptionCode code) {
  for (const v1::Exception& e : plan.exceptions()) {
    if (e.code() == code) return &e;
  }
  return nullptr;
}

TEST(SpecCrosscheckExceptions, RefundVarianceWithoutToleranceParksTheNote) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(ParseText<v1::SalesOrder>(kExchangeOrder),
                    RefundReturn(2999), v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size(), 0);
  ASSERT_EQ(plan->parked_credit_notes_size(), 1);
  EXPECT_EQ(plan->parked_credit_notes(0).total_gross().minor_units(), 3000);
  const v1::Exception* e =
      FindException(*plan, v1::EXCEPTION_CODE_REFUND_VARIANCE);
  ASSERT_NE(e, nullptr) << plan->DebugString();
  EXPECT_EQ(e->owner(), v1::OWNER_FINANCE);
  EXPECT_EQ(e->severity(), v1::SEVERITY_BLOCKING);
  ASSERT_EQ(e->parked_keys_size(), 1);
  EXPECT_EQ(e->parked_keys(0),
            plan->parked_credit_notes(0).id().idempotency_key());
  // The stock movement is not held back by a money problem.
  EXPECT_EQ(plan->stock_movements_size(), 1);
}

TEST(SpecCrosscheckExceptions, RefundAbovePaidIsOverRefundNotVariance) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(ParseText<v1::SalesOrder>(kExchangeOrder),
                    RefundReturn(3100), v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size(), 0);
  EXPECT_EQ(plan->parked_credit_notes_size(), 1);
  EXPECT_NE(FindException(*plan, v1::EXCEPTION_CODE_OVER_REFUND), nullptr)
      << plan->DebugString();
  EXPECT_EQ(FindException(*plan, v1::EXCEPTION_CODE_REFUND_VARIANCE), nullptr);
}

TEST(SpecCrosscheckExceptions, SecondReturnOfTheSameUnitIsOverRefund) {
  // DOMAIN.md property 3: never credit more than was paid.
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kExchangeOrder);
  v1::OrderHistory history;
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, RefundReturn(3000), history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1);
  ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());
  v1::ReturnRequest again = RefundReturn(3000);
  again.set_return_id("RMA-R2");
  again.mutable_refunds(0)->set_refund_id("RF2");
  plan = planner->Plan(order, again, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size(), 0) << plan->DebugString();
  EXPECT_NE(FindException(*plan, v1::EXCEPTION_CODE_OVER_REFUND), nullptr)
      << plan->DebugString();
  // And the unit cannot come back into stock twice.
  EXPECT_EQ(plan->stock_movements_size(), 0);
}

TEST(SpecCrosscheckExceptions, RefundOnARejectedReturnIsOutsideThePlatform) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  v1::ReturnRequest ret = RefundReturn(3000);
  ret.set_status(v1::RETURN_STATUS_REJECTED);
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(
      ParseText<v1::SalesOrder>(kExchangeOrder), ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size(), 0);
  EXPECT_EQ(plan->parked_credit_notes_size(), 1);
  const v1::Exception* e =
      FindException(*plan, v1::EXCEPTION_CODE_REFUND_OUTSIDE_PLATFORM);
  ASSERT_NE(e, nullptr) << plan->DebugString();
  EXPECT_EQ(e->owner(), v1::OWNER_FINANCE);
}

TEST(SpecCrosscheckExceptions, PendingReturnPlansNothing) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  v1::ReturnRequest ret = RefundReturn(3000);
  ret.set_status(v1::RETURN_STATUS_APPROVED);
  ret.mutable_lines(0)->clear_inspection();
  ret.mutable_refunds(0)->set_status(v1::TRANSACTION_STATUS_REQUESTED);
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(
      ParseText<v1::SalesOrder>(kExchangeOrder), ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size() + plan->parked_credit_notes_size() +
                plan->stock_movements_size() +
                plan->parked_stock_movements_size() +
                plan->exchange_orders_size() + plan->exceptions_size(),
            0)
      << plan->DebugString();
}

TEST(SpecCrosscheckExceptions, SkuMismatchParksTheMovement) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  v1::ReturnRequest ret = RefundReturn(3000);
  ret.mutable_lines(0)->set_platform_sku("DRESS-RED-10");
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(
      ParseText<v1::SalesOrder>(kExchangeOrder), ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->stock_movements_size(), 0);
  EXPECT_EQ(plan->parked_stock_movements_size(), 1);
  const v1::Exception* e =
      FindException(*plan, v1::EXCEPTION_CODE_SKU_MISMATCH);
  ASSERT_NE(e, nullptr) << plan->DebugString();
  EXPECT_EQ(e->owner(), v1::OWNER_OPERATIONS);
  // The money is right, so the credit note goes through.
  EXPECT_EQ(plan->credit_notes_size(), 1);
}

TEST(SpecCrosscheckExceptions, NoDepotRulesParkTheMovement) {
  // "never a default depot unless a rule says so".
  v1::ReturnItemFact::descriptor();
  auto rules = CompileRuleSet(
      *ParseRuleSetText("id: \"empty\" version: \"1\"", "rules"), {});
  ASSERT_TRUE(rules.ok()) << rules.status();
  auto planner = Planner::Create(
      std::shared_ptr<const CompiledRuleSet>(std::move(*rules)), v1::Catalog());
  ASSERT_TRUE(planner.ok()) << planner.status();
  absl::StatusOr<v1::PostingPlan> plan =
      (*planner)->Plan(ParseText<v1::SalesOrder>(kExchangeOrder),
                       RefundReturn(3000), v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->stock_movements_size(), 0);
  ASSERT_EQ(plan->parked_stock_movements_size(), 1);
  EXPECT_EQ(plan->parked_stock_movements(0).depot(), "");
  EXPECT_NE(FindException(*plan, v1::EXCEPTION_CODE_NO_DEPOT_MAPPING), nullptr);
}

TEST(SpecCrosscheckExceptions, ExchangeWithoutDeliveryAddressIsIncomplete) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  v1::SalesOrder order = ParseText<v1::SalesOrder>(kExchangeOrder);
  order.clear_shipping_address();
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ExchangeReturn(3000), v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exchange_orders_size(), 0);
  EXPECT_EQ(plan->parked_exchange_orders_size(), 1);
  const v1::Exception* e =
      FindException(*plan, v1::EXCEPTION_CODE_INCOMPLETE_EXCHANGE);
  ASSERT_NE(e, nullptr) << plan->DebugString();
  EXPECT_EQ(e->owner(), v1::OWNER_CUSTOMER_SERVICE);
  EXPECT_EQ(plan->credit_notes_size(), 0);
}

TEST(SpecCrosscheckExceptions, ReinspectionAfterPostingIsAReplayConflict) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kExchangeOrder);
  v1::OrderHistory history;
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, RefundReturn(3000), history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());
  v1::ReturnRequest changed = RefundReturn(3000);
  changed.mutable_lines(0)->mutable_inspection()->set_condition(
      v1::ITEM_CONDITION_DAMAGED);
  plan = planner->Plan(order, changed, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->stock_movements_size(), 0);
  EXPECT_EQ(plan->parked_stock_movements_size(), 0);
  EXPECT_EQ(plan->credit_notes_size(), 0);
  const v1::Exception* e =
      FindException(*plan, v1::EXCEPTION_CODE_REPLAY_CONFLICT);
  ASSERT_NE(e, nullptr) << plan->DebugString();
  EXPECT_EQ(e->owner(), v1::OWNER_OPERATIONS);
  EXPECT_EQ(e->parked_keys_size(), 0);
}

TEST(SpecCrosscheckExceptions, RefundListedTwiceIsADuplicateSignal) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  v1::ReturnRequest ret = RefundReturn(3000);
  *ret.add_refunds() = ret.refunds(0);
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(
      ParseText<v1::SalesOrder>(kExchangeOrder), ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 3000);
  const v1::Exception* e =
      FindException(*plan, v1::EXCEPTION_CODE_DUPLICATE_SIGNAL);
  ASSERT_NE(e, nullptr) << plan->DebugString();
  EXPECT_EQ(e->severity(), v1::SEVERITY_INFO);
}

TEST(SpecCrosscheckReturnGo, BigIdsGlobalIdsExponentsAndWholeReturnRefunds) {
  absl::StatusOr<v1::ReturnRequest> ret = ReturnRequestFromReturnGo(R"json({
    "rmaSummary": {"rmaId": 9007199254740993, "status": "DONE"},
    "orderDetails": {"orderId": 9007199254740995},
    "items": [
      {"shopLineItemId": "gid://shopify/LineItem/13711044001001",
       "returnedItemId": 9007199254740997,
       "paidPrice": {"amount": 2.5e1, "currency": "GBP"},
       "resolutionType": "ExchangeVariant",
       "exchangeItems": [{"sku": "B", "quantity": 1,
                          "effectivePrice": "1.5e2"}]},
      {"shopLineItemId": 13711044001002, "returnedItemId": 2,
       "resolutionType": "KeepItemRefund", "returnFee": 1.5e0}],
    "transactions": [{"id": 1, "status": "Succeeded",
      "amount": {"amount": 1.5e2, "currency": "GBP"}}]
  })json");
  // A decimal string with an exponent is not an amount (money.md: "1e3" is
  // an error; adapters.md allows exponents in JSON numbers only).
  ExpectInvalid(ret.status(), "items[0].exchangeItems[0].effectivePrice");
  ret = ReturnRequestFromReturnGo(R"json({
    "rmaSummary": {"rmaId": 9007199254740993, "status": "DONE"},
    "orderDetails": {"orderId": 9007199254740995},
    "items": [
      {"shopLineItemId": "gid://shopify/LineItem/13711044001001",
       "returnedItemId": 9007199254740997,
       "paidPrice": {"amount": 2.5e1, "currency": "GBP"},
       "resolutionType": "ExchangeVariant",
       "exchangeItems": [{"sku": "B", "quantity": 1,
                          "effectivePrice": 1.5e2}]},
      {"shopLineItemId": 13711044001002, "returnedItemId": 2,
       "resolutionType": "KeepItemRefund", "returnFee": 1.5e0}],
    "transactions": [{"id": 1, "status": "Succeeded",
      "amount": {"amount": 1.5e2, "currency": "GBP"}}]
  })json");
  ASSERT_TRUE(ret.ok()) << ret.status();
  EXPECT_EQ(ret->return_id(), "9007199254740993");
  EXPECT_EQ(ret->order_id(), "9007199254740995");
  ASSERT_EQ(ret->lines_size(), 2);
  EXPECT_EQ(ret->lines(0).return_line_id(), "9007199254740997");
  EXPECT_EQ(ret->lines(0).order_line_id(), "13711044001001");
  EXPECT_EQ(ret->lines(0).resolution(), v1::RESOLUTION_EXCHANGE);
  EXPECT_EQ(ret->lines(1).resolution(), v1::RESOLUTION_KEEP_ITEM);
  EXPECT_FALSE(ret->lines(0).has_inspection());
  ASSERT_EQ(ret->exchange_items_size(), 1);
  EXPECT_EQ(ret->exchange_items(0).return_line_id(), "9007199254740997");
  EXPECT_EQ(ret->exchange_items(0).unit_price().minor_units(), 15000);
  ASSERT_EQ(ret->fees_size(), 1);
  EXPECT_EQ(ret->fees(0).type(), v1::FEE_TYPE_OTHER);
  EXPECT_EQ(ret->fees(0).amount().minor_units(), 150);
  ASSERT_EQ(ret->refunds_size(), 1);
  EXPECT_EQ(ret->refunds(0).refund_id(), "1");
  EXPECT_EQ(ret->refunds(0).status(), v1::TRANSACTION_STATUS_SUCCESS);
  EXPECT_EQ(ret->refunds(0).amount().minor_units(), 15000);
  // No returnItemIds: the whole return (empty list).
  EXPECT_EQ(ret->refunds(0).return_line_ids_size(), 0);
}

constexpr char kShopifyOrderJson[] = R"json({"order": {
  "id": 5528190001, "name": "#1001", "currency": "GBP",
  "taxes_included": true, "processed_at": "2026-03-01T12:00:00+00:00",
  "customer": {"id": 42, "email": "ann@example.com", "first_name": "Ann",
               "last_name": "Lee"},
  "discount_applications": [{"target_type": "line_item",
    "target_selection": "entitled", "allocation_method": "across",
    "value_type": "fixed_amount", "value": "10.0", "title": "Shirt promo",
    "type": "automatic"}],
  "line_items": [
    {"id": 13711044001001, "sku": "HH-SHIRT-WHT-M", "quantity": 3,
     "price": "29.99",
     "discount_allocations": [{"amount": "10.00",
                               "discount_application_index": 0}],
     "tax_lines": [{"rate": 0.2, "price": "13.33", "title": "VAT"}]},
    {"id": 13711044001002, "sku": "HH-SOCK-3PK-NVY", "quantity": 2,
     "price": 9.9, "tax_lines": [{"rate": 0.2, "price": "3.30",
                                  "title": "VAT"}]}],
  "shipping_lines": [{"id": 7, "price": "4.95",
    "tax_lines": [{"rate": 0.2, "price": "0.83"}]}]}})json";

TEST(SpecCrosscheckReturnGo, ShopifyOrderAndReturnGoRmaJoin) {
  absl::StatusOr<v1::SalesOrder> order =
      SalesOrderFromShopify(kShopifyOrderJson);
  ASSERT_TRUE(order.ok()) << order.status();
  ASSERT_EQ(order->lines_size(), 2);
  EXPECT_EQ(order->lines(0).line_id(), "13711044001001");
  EXPECT_EQ(order->lines(0).unit_price().minor_units(), 2999);
  EXPECT_EQ(order->lines(0).tax_lines(0).rate(), "20");
  EXPECT_EQ(order->lines(1).unit_price().minor_units(), 990);
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  absl::StatusOr<v1::ReturnRequest> rma1 = ReturnRequestFromReturnGo(kRma1);
  ASSERT_TRUE(rma1.ok());
  v1::OrderHistory history;
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(*order, *rma1, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->credit_notes_size(), 1);
  // Same figures as from the hand-written order (the stated VAT 13.33 and
  // 3.30 equal the computed ones).
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 6321);
  EXPECT_EQ(plan->credit_notes(0).total_tax().minor_units(), 1054);
  ASSERT_TRUE(planner->RecordPlan(*order, *plan, &history).ok());
  absl::StatusOr<v1::ReturnRequest> rma2 = ReturnRequestFromReturnGo(kRma2);
  ASSERT_TRUE(rma2.ok());
  plan = planner->Plan(*order, *rma2, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 3656);
  // Shipping is never refunded without a refund_policy (the default NEVER).
  EXPECT_EQ(CountKind(plan->credit_notes(0), v1::CREDIT_LINE_KIND_SHIPPING), 0);
}

TEST(SpecCrosscheckReturnGo, GroupedAndPerUnitLinesCreditTheSameMoney) {
  // adapters.md: "the money is the same (apportioning is cumulative, so
  // three one-unit refunds of a line sum to the three-unit refund)".
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kShopOrder);
  ReturnGoOptions grouped;
  grouped.line_per_unit = false;
  for (bool per_unit : {true, false}) {
    absl::StatusOr<v1::ReturnRequest> ret =
        per_unit ? ReturnRequestFromReturnGo(kRma1)
                 : ReturnRequestFromReturnGo(kRma1, grouped);
    ASSERT_TRUE(ret.ok()) << ret.status();
    if (!per_unit) {
      // Shirts: same resolution, inspection, transaction -> one line of 2;
      // the sock pack is not restockable -> its own line.
      ASSERT_EQ(ret->lines_size(), 2);
      EXPECT_EQ(ret->lines(0).quantity(), 2);
    }
    absl::StatusOr<v1::PostingPlan> plan =
        planner->Plan(order, *ret, v1::OrderHistory());
    ASSERT_TRUE(plan.ok()) << plan.status();
    ASSERT_EQ(plan->credit_notes_size(), 1);
    EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 6321);
    EXPECT_EQ(GoodsOf(plan->credit_notes(0), "13711044001001").tax, 889);
    int64_t moved = 0;
    for (const v1::StockMovement& m : plan->stock_movements()) {
      moved += m.quantity();
    }
    EXPECT_EQ(moved, 3);
  }
}

// ---------------------------------------------------------------------------
// Round 3: the worked examples of idempotency.md planned for real, history
// amounts, tiny lines, bundle interpolation, stated bundle prices, tolerance.

// Order #2041: a 45.00 linen shirt (L1), the lavender spa gift set (L2: a
// candle, two bath oils, a hand cream), 60.00 navy chinos (L3); VAT 20%
// included.
constexpr char kOrder2041[] = R"pb(
  order_id: "2041"
  order_number: "#2041"
  currency_code: "GBP"
  prices_include_tax: true
  customer {
    customer_id: "C2041"
    email: "cy@example.com"
    first_name: "Cy"
    last_name: "Ode"
  }
  shipping_address {
    name: "Cy Ode"
    line1: "9 Mill Ln"
    city: "Bath"
    postal_code: "BA1 1AA"
    country_code: "GB"
  }
  lines {
    line_id: "L1"
    sku: "HH-LINEN-WHT-M"
    quantity: 1
    unit_price { minor_units: 4500 }
    tax_lines { rate: "20" }
  }
  lines {
    line_id: "L2"
    sku: "GS-SPA-LAV"
    quantity: 1
    unit_price { minor_units: 5000 }
    tax_lines { rate: "20" }
  }
  lines {
    line_id: "L3"
    sku: "HH-CHN-NVY-32R"
    quantity: 1
    unit_price { minor_units: 6000 }
    tax_lines { rate: "20" }
  }
)pb";

constexpr char kSpaCatalog[] = R"pb(
  bundles {
    bundle_sku: "GS-SPA-LAV"
    components {
      sku: "GS-CANDLE-LAV"
      quantity: 1
      list_price { minor_units: 2000 }
    }
    components {
      sku: "GS-OIL-LAV"
      quantity: 2
      list_price { minor_units: 1200 }
    }
    components {
      sku: "GS-CREAM-LAV"
      quantity: 1
      list_price { minor_units: 1600 }
    }
  }
)pb";

TEST(SpecCrosscheckIdempotency, DocumentedCreditNoteWithReturnFee) {
  // idempotency.md RG-7001: 45.00 shirt, a 3.95 return-postage fee (20%)
  // on the whole return, 41.05 refunded. Fee VAT extracted (prices include
  // tax): round(395/6) = 66, net 329. Goods VAT 750. Note: 4105, VAT 684.
  auto planner = MakePlanner(kSpaCatalog);
  ASSERT_NE(planner, nullptr);
  const auto ret = ParseText<v1::ReturnRequest>(R"pb(
    source: "returngo"
    return_id: "RG-7001"
    order_id: "2041"
    status: RETURN_STATUS_DONE
    lines {
      return_line_id: "R1"
      order_line_id: "L1"
      quantity: 1
      resolution: RESOLUTION_REFUND_TO_PAYMENT_METHOD
    }
    fees {
      type: FEE_TYPE_RETURN_SHIPPING
      amount { minor_units: 395 }
      tax_rate: "20"
    }
    refunds {
      refund_id: "RF-7001-1"
      amount { minor_units: 4105 }
      status: TRANSACTION_STATUS_SUCCESS
      method: RESOLUTION_REFUND_TO_PAYMENT_METHOD
    }
  )pb");
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(
      ParseText<v1::SalesOrder>(kOrder2041), ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  const v1::CreditNote& note = plan->credit_notes(0);
  EXPECT_EQ(note.id().idempotency_key(),
            "0d823161-b353-549e-b186-0fbb756f241c");
  EXPECT_EQ(note.id().fingerprint(), "aa81741f-d72b-5693-bc47-854369a58ba1");
  EXPECT_EQ(note.total_gross().minor_units(), 4105);
  EXPECT_EQ(note.total_tax().minor_units(), 684);
  EXPECT_EQ(note.total_net().minor_units(), 3421);
  EXPECT_EQ(note.variance().minor_units(), 0);
  ASSERT_EQ(CountKind(note, v1::CREDIT_LINE_KIND_FEE), 1);
  const v1::RefundLine& fee = note.lines(note.lines_size() - 1);
  EXPECT_EQ(fee.kind(), v1::CREDIT_LINE_KIND_FEE);
  EXPECT_EQ(fee.fee_type(), v1::FEE_TYPE_RETURN_SHIPPING);
  EXPECT_EQ(fee.gross().minor_units(), -395);
  EXPECT_EQ(fee.tax().minor_units(), -66);
  EXPECT_EQ(fee.net().minor_units(), -329);
}

TEST(SpecCrosscheckIdempotency, DocumentedFinalStockAndExchangeExamples) {
  auto planner = MakePlanner(kSpaCatalog);
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kOrder2041);
  {
    // RG-7002: the chinos back for store credit, no transaction, Done.
    const auto ret = ParseText<v1::ReturnRequest>(R"pb(
      source: "returngo"
      return_id: "RG-7002"
      order_id: "2041"
      status: RETURN_STATUS_DONE
      lines {
        return_line_id: "R1"
        order_line_id: "L3"
        quantity: 1
        resolution: RESOLUTION_STORE_CREDIT
      }
    )pb");
    absl::StatusOr<v1::PostingPlan> plan =
        planner->Plan(order, ret, v1::OrderHistory());
    ASSERT_TRUE(plan.ok()) << plan.status();
    ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
    const v1::CreditNote& note = plan->credit_notes(0);
    EXPECT_EQ(note.id().idempotency_key(),
              "13f5740c-226a-525f-9bc0-ce2add40c645");
    EXPECT_EQ(note.id().fingerprint(), "a2b04040-5598-5926-88ee-68c3a228174b");
    EXPECT_EQ(note.total_gross().minor_units(), 6000);
    EXPECT_EQ(note.total_tax().minor_units(), 1000);
    ASSERT_EQ(note.tenders_size(), 1);
    EXPECT_EQ(note.tenders(0).method(), v1::RESOLUTION_STORE_CREDIT);
    EXPECT_EQ(note.tenders(0).amount().minor_units(), 6000);
  }
  {
    // RG-7003: the whole spa set, unopened, at the Regent Street store.
    const auto ret = ParseText<v1::ReturnRequest>(R"pb(
      source: "returngo"
      return_id: "RG-7003"
      order_id: "2041"
      status: RETURN_STATUS_RECEIVED
      lines {
        return_line_id: "R1"
        order_line_id: "L2"
        platform_sku: "GS-SPA-LAV"
        quantity: 1
        reason_code: "UNWANTED_GIFT"
        resolution: RESOLUTION_REFUND_TO_PAYMENT_METHOD
        inspection {
          returned: true
          restockable: true
          condition: ITEM_CONDITION_NEW_WITH_TAGS
          return_location: "LDN Regent St"
        }
      }
    )pb");
    absl::StatusOr<v1::PostingPlan> plan =
        planner->Plan(order, ret, v1::OrderHistory());
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_EQ(plan->credit_notes_size(), 0);  // Received, not finalised.
    ASSERT_EQ(plan->stock_movements_size(), 3) << plan->DebugString();
    const v1::StockMovement* oil = nullptr;
    for (const v1::StockMovement& m : plan->stock_movements()) {
      EXPECT_NE(m.erp_sku(), "GS-SPA-LAV");
      if (m.component_sku() == "GS-OIL-LAV") oil = &m;
    }
    ASSERT_NE(oil, nullptr);
    EXPECT_EQ(oil->quantity(), 2);
    EXPECT_EQ(oil->platform_sku(), "GS-SPA-LAV");
    EXPECT_EQ(oil->id().idempotency_key(),
              "02440ad5-fd12-5909-9911-a65820771a84");
    EXPECT_EQ(oil->id().fingerprint(), "d9b52cf5-8642-5d38-b2b5-b9860158f1f1");
  }
  {
    // RG-7004: 32R chinos exchanged for 34R at the same price.
    const auto ret = ParseText<v1::ReturnRequest>(R"pb(
      source: "returngo"
      return_id: "RG-7004"
      order_id: "2041"
      status: RETURN_STATUS_DONE
      lines {
        return_line_id: "R1"
        order_line_id: "L3"
        quantity: 1
        resolution: RESOLUTION_EXCHANGE
      }
      exchange_items {
        return_line_id: "R1"
        sku: "HH-CHN-NVY-34R"
        variant_id: "gid://shopify/ProductVariant/44120918034"
        quantity: 1
        unit_price { minor_units: 6000 }
      }
    )pb");
    absl::StatusOr<v1::PostingPlan> plan =
        planner->Plan(order, ret, v1::OrderHistory());
    ASSERT_TRUE(plan.ok()) << plan.status();
    ASSERT_EQ(plan->exchange_orders_size(), 1) << plan->DebugString();
    EXPECT_EQ(plan->exchange_orders(0).id().idempotency_key(),
              "584e72ce-1e2b-5986-91fd-7a29d9978906");
    EXPECT_EQ(plan->exchange_orders(0).id().fingerprint(),
              "2c6e9bcd-ee98-5dfe-9e5c-65e461d5b5fc");
    EXPECT_EQ(plan->exchange_orders(0).price_difference().minor_units(), 0);
    EXPECT_EQ(plan->credit_notes_size(), 0);
  }
}

TEST(SpecCrosscheckHistory, RecordedAmountsAbsorbEarlierDifferences) {
  // money.md 5: "When the history records the amounts C, the refund is
  // F(k + n) - C". 1 unit credited as 1.70 (VAT 0.28, discount 0.33) by
  // other means; 3 more: 667 - 170 = 497, VAT 111 - 28 = 83; the last 2 close
  // the line at exactly 10.00.
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kOrderE1);
  v1::OrderHistory history = ParseText<v1::OrderHistory>(R"pb(
    order_id: "E1"
    lines {
      order_line_id: "L1"
      credited_quantity: 1
      credited_gross { currency_code: "GBP" minor_units: 170 }
      credited_discount { currency_code: "GBP" minor_units: 33 }
      credited_taxes {
        rate: "20"
        amount { currency_code: "GBP" minor_units: 28 }
      }
    }
  )pb");
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, E1Return("RMA-C1", 3), history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 497);
  EXPECT_EQ(plan->credit_notes(0).total_tax().minor_units(), 83);
  ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());
  plan = planner->Plan(order, E1Return("RMA-C2", 2), history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 333);
  EXPECT_EQ(170 + 497 + plan->credit_notes(0).total_gross().minor_units(),
            1000);
}

TEST(SpecCrosscheckHistory, TinyLineNeverCreditsMoreTaxThanGross) {
  // money.md 5: ten items for 0.04 (VAT round(4/6) = 1): no slice has more
  // tax than gross, and the tax still ends at exactly 0.01.
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(R"pb(
    order_id: "E1"
    currency_code: "GBP"
    prices_include_tax: true
    discounts {
      application_id: "P1"
      level: DISCOUNT_LEVEL_LINE
      amount { minor_units: 6 }
    }
    lines {
      line_id: "L1"
      sku: "SCRUNCHIE"
      quantity: 10
      unit_price { minor_units: 1 }
      discount_allocations {
        application_id: "P1"
        amount { minor_units: 6 }
        level: DISCOUNT_LEVEL_LINE
      }
      tax_lines { rate: "20" }
    }
  )pb");
  v1::OrderHistory history;
  int64_t gross = 0, tax = 0;
  for (int i = 0; i < 10; ++i) {
    absl::StatusOr<v1::PostingPlan> plan =
        planner->Plan(order, E1Return("RMA-T" + std::to_string(i), 1), history);
    ASSERT_TRUE(plan.ok()) << plan.status();
    ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
    const v1::CreditNote& note = plan->credit_notes(0);
    EXPECT_LE(note.total_tax().minor_units(), note.total_gross().minor_units())
        << i;
    EXPECT_GE(note.total_net().minor_units(), 0) << i;
    gross += note.total_gross().minor_units();
    tax += note.total_tax().minor_units();
    ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());
  }
  EXPECT_EQ(gross, 4);
  EXPECT_EQ(tax, 1);
}

TEST(SpecCrosscheckBundle, ComponentWithTwoUnitsPerBundleIsInterpolated) {
  // One bundle at 10.00: component A (2 per bundle, list 3.00) and B (1,
  // list 4.00); weights 600 and 400 -> 600 and 400; VAT 167 -> 100 and 67.
  // One unit of A: H(1) = G(0) + round((600 - 0) * 1 / 2) = 300; VAT 50.
  auto planner = MakePlanner(R"pb(
    bundles {
      bundle_sku: "DUO"
      components {
        sku: "A"
        quantity: 2
        list_price { minor_units: 300 }
      }
      components {
        sku: "B"
        quantity: 1
        list_price { minor_units: 400 }
      }
    }
  )pb");
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(R"pb(
    order_id: "D1"
    currency_code: "GBP"
    prices_include_tax: true
    lines {
      line_id: "L1"
      sku: "DUO"
      quantity: 1
      unit_price { minor_units: 1000 }
      tax_lines { rate: "20" }
    }
  )pb");
  v1::ReturnRequest ret = BundleReturn("A");
  ret.set_order_id("D1");
  ret.mutable_lines(0)->set_order_line_id("L1");
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  LineSum a = GoodsOf(plan->credit_notes(0), "L1", "A");
  EXPECT_EQ(a.quantity, 1);
  EXPECT_EQ(a.gross, 300);
  EXPECT_EQ(a.tax, 50);
  ASSERT_EQ(plan->stock_movements_size(), 1);
  EXPECT_EQ(plan->stock_movements(0).erp_sku(), "A");
  EXPECT_EQ(plan->stock_movements(0).quantity(), 1);
}

TEST(SpecCrosscheckBundle, OrderStatedAllocatedPricesComeFirst) {
  // money.md 7: weights are "1. the allocated_price of every component as
  // the order recorded it". A 27.00 set whose order states 20.00 and 10.00
  // (the catalog says otherwise): 1800 and 900; VAT 450 -> 300 and 150.
  auto planner = MakePlanner(R"pb(
    bundles {
      bundle_sku: "SET"
      components {
        sku: "X"
        quantity: 1
        list_price { minor_units: 100 }
      }
      components {
        sku: "Y"
        quantity: 1
        list_price { minor_units: 900 }
      }
    }
  )pb");
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(R"pb(
    order_id: "D1"
    currency_code: "GBP"
    prices_include_tax: true
    lines {
      line_id: "L1"
      sku: "SET"
      quantity: 1
      unit_price { minor_units: 2700 }
      tax_lines { rate: "20" }
      components {
        sku: "X"
        quantity: 1
        allocated_price { minor_units: 2000 }
      }
      components {
        sku: "Y"
        quantity: 1
        allocated_price { minor_units: 1000 }
      }
    }
  )pb");
  v1::ReturnRequest ret = BundleReturn("");
  ret.set_order_id("D1");
  ret.mutable_lines(0)->set_order_line_id("L1");
  ret.mutable_lines(0)->set_platform_sku("SET");
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  const v1::CreditNote& note = plan->credit_notes(0);
  EXPECT_EQ(GoodsOf(note, "L1", "X").gross, 1800);
  EXPECT_EQ(GoodsOf(note, "L1", "Y").gross, 900);
  EXPECT_EQ(GoodsOf(note, "L1", "X").tax, 300);
  EXPECT_EQ(GoodsOf(note, "L1", "Y").tax, 150);
  EXPECT_EQ(plan->stock_movements_size(), 2);
}

TEST(SpecCrosscheckExceptions, PercentToleranceIsOfTheNoteTotal) {
  // docs/design/planner.md: tolerance = max(absolute_minor, round(|total| *
  // basis_points / 10000)). 1% of 30.00 = 0.30: 29.70 passes with variance
  // -0.30; 29.69 is parked.
  v1::ReturnItemFact::descriptor();
  const std::string tolerance = R"pb(
    decisions {
      name: "refund_tolerance"
      fact_type: "retcon.v1.RefundFact"
      hit_policy: FIRST
      inputs: "currency_code"
      outputs { name: "absolute_minor" type: INTEGER }
      outputs { name: "basis_points" type: INTEGER }
      rows {
        id: "gbp"
        cells { equals { string_value: "GBP" } }
        outputs { int_value: 5 }
        outputs { int_value: 100 }
      }
    }
  )pb";
  auto planner = PlannerWith(tolerance);
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kExchangeOrder);
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, RefundReturn(2970), v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes(0).variance().minor_units(), -30);
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 3000);
  EXPECT_EQ(plan->credit_notes(0).tenders(0).amount().minor_units(), 2970);
  plan = planner->Plan(order, RefundReturn(3030), v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  // 30.30 is above the 30.00 paid: an over-refund, whatever the tolerance.
  EXPECT_EQ(plan->credit_notes_size(), 0);
  EXPECT_NE(FindException(*plan, v1::EXCEPTION_CODE_OVER_REFUND), nullptr)
      << plan->DebugString();
  plan = planner->Plan(order, RefundReturn(2969), v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size(), 0);
  EXPECT_NE(FindException(*plan, v1::EXCEPTION_CODE_REFUND_VARIANCE), nullptr);
}

// ---------------------------------------------------------------------------
// Round 4: exchanges paid through ReturnGo, transaction states, money text,
// shop vs presentment money, determinism.

TEST(SpecCrosscheckExchange, RefundOfTheDifferenceIsTheOnlyCredit) {
  // DOMAIN.md: "An exchange posts the returned item's stock movement, a
  // zero-value exchange order, and money only for the price difference."
  // A 30.00 shirt for a 25.00 one; ReturnGo refunds the 5.00 in a
  // transaction covering the exchanged unit. The note carries one exchange
  // difference line of 5.00 (VAT 83) and agrees with the transaction.
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  v1::ReturnRequest ret = ExchangeReturn(2500);
  v1::RefundTransaction* tx = ret.add_refunds();
  tx->set_refund_id("RF-DIFF");
  tx->mutable_amount()->set_minor_units(500);
  tx->set_status(v1::TRANSACTION_STATUS_SUCCESS);
  tx->set_method(v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD);
  tx->add_return_line_ids("R1");
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(
      ParseText<v1::SalesOrder>(kExchangeOrder), ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  const v1::CreditNote& note = plan->credit_notes(0);
  EXPECT_EQ(note.refund_id(), "RF-DIFF");
  EXPECT_EQ(CountKind(note, v1::CREDIT_LINE_KIND_GOODS), 0);
  EXPECT_EQ(CountKind(note, v1::CREDIT_LINE_KIND_EXCHANGE_DIFFERENCE), 1);
  EXPECT_EQ(note.total_gross().minor_units(), 500);
  EXPECT_EQ(note.total_tax().minor_units(), 83);
  EXPECT_EQ(note.variance().minor_units(), 0);
  ASSERT_EQ(plan->exchange_orders_size(), 1);
  EXPECT_EQ(plan->exchange_orders(0).price_difference().minor_units(), -500);
}

TEST(SpecCrosscheckExchange, ExchangeThroughTheReturnGoAdapter) {
  // A real-shaped uneven exchange: the customer pays 5.00 more.
  absl::StatusOr<v1::ReturnRequest> ret = ReturnRequestFromReturnGo(R"json({
    "rmaSummary": {"rmaId": "RMA-X", "status": "Done"},
    "orderDetails": {"orderId": "X1", "order_name": "#2001"},
    "items": [{"shopLineItemId": "L1", "returnedItemId": "R1",
      "sku": "SHIRT-WHT-M",
      "paidPrice": {"amount": "30.00", "currency": "GBP"},
      "resolutionType": "ExchangeProduct",
      "exchangeItems": [{"sku": "SHIRT-BLU-L", "variantId": 777,
                         "quantity": 1, "effectivePrice": "35.00"}],
      "itemValidationStatusResponse": {"isReturned": 1,
                                       "isRestockable": 1}}]
  })json");
  ASSERT_TRUE(ret.ok()) << ret.status();
  ASSERT_EQ(ret->exchange_items_size(), 1);
  EXPECT_EQ(ret->exchange_items(0).variant_id(), "777");
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(
      ParseText<v1::SalesOrder>(kExchangeOrder), *ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes_size(), 0);
  ASSERT_EQ(plan->exchange_orders_size(), 1);
  EXPECT_EQ(plan->exchange_orders(0).price_difference().minor_units(), 500);
  // Same event as the hand-written one: same key and fingerprint, except
  // that the unit price is 3500: v1|kind=exchange-order|line=R1|
  // order_line_id=L1|component_sku=|quantity=1|item_line=R1|sku=SHIRT-BLU-L|
  // variant_id=777|quantity=1|unit_price=3500
  EXPECT_EQ(plan->exchange_orders(0).id().idempotency_key(),
            "fd56b856-d21e-59c3-8399-6cd43991357c");
  ASSERT_EQ(plan->stock_movements_size(), 1);
  EXPECT_EQ(plan->stock_movements(0).quantity(), 1);
}

TEST(SpecCrosscheckTriggers, TransactionStatesDecideTheNotes) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kExchangeOrder);
  {
    // A pending transaction on a Done return: it covers the line, so no
    // finalised note either; nothing to credit yet.
    v1::ReturnRequest ret = RefundReturn(3000);
    ret.mutable_refunds(0)->set_status(v1::TRANSACTION_STATUS_PENDING);
    absl::StatusOr<v1::PostingPlan> plan =
        planner->Plan(order, ret, v1::OrderHistory());
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_EQ(plan->credit_notes_size() + plan->parked_credit_notes_size(), 0)
        << plan->DebugString();
    EXPECT_EQ(plan->stock_movements_size(), 1);
  }
  {
    // A failed transaction covers nothing: the finalised return's note
    // credits the line, tender = its total.
    v1::ReturnRequest ret = RefundReturn(3000);
    ret.mutable_refunds(0)->set_status(v1::TRANSACTION_STATUS_FAILED);
    absl::StatusOr<v1::PostingPlan> plan =
        planner->Plan(order, ret, v1::OrderHistory());
    ASSERT_TRUE(plan.ok()) << plan.status();
    ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
    EXPECT_EQ(plan->credit_notes(0).id().identity(),
              "retcon/v1/credit-note-final/returngo/RMA-R");
    EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 3000);
  }
  {
    // No method on the transaction: the tender is the first refund
    // resolution among the note's lines.
    v1::ReturnRequest ret = RefundReturn(3000);
    ret.mutable_refunds(0)->set_method(v1::RESOLUTION_UNSPECIFIED);
    ret.mutable_lines(0)->set_resolution(v1::RESOLUTION_GIFT_CARD);
    absl::StatusOr<v1::PostingPlan> plan =
        planner->Plan(order, ret, v1::OrderHistory());
    ASSERT_TRUE(plan.ok()) << plan.status();
    ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
    ASSERT_EQ(plan->credit_notes(0).tenders_size(), 1);
    EXPECT_EQ(plan->credit_notes(0).tenders(0).method(),
              v1::RESOLUTION_GIFT_CARD);
    EXPECT_EQ(plan->credit_notes(0).tenders(0).amount().minor_units(), 3000);
  }
  {
    // Finalised with a line never inspected as returned: STOCK_NOT_POSTED,
    // a warning for operations; the credit note still goes.
    v1::ReturnRequest ret = RefundReturn(3000);
    ret.mutable_lines(0)->clear_inspection();
    absl::StatusOr<v1::PostingPlan> plan =
        planner->Plan(order, ret, v1::OrderHistory());
    ASSERT_TRUE(plan.ok()) << plan.status();
    const v1::Exception* e =
        FindException(*plan, v1::EXCEPTION_CODE_STOCK_NOT_POSTED);
    ASSERT_NE(e, nullptr) << plan->DebugString();
    EXPECT_EQ(e->owner(), v1::OWNER_OPERATIONS);
    EXPECT_EQ(e->severity(), v1::SEVERITY_WARNING);
    EXPECT_EQ(plan->credit_notes_size(), 1);
    EXPECT_EQ(plan->stock_movements_size(), 0);
  }
}

TEST(SpecCrosscheckTriggers, PlanIsByteIdentical) {
  auto planner = MakePlanner(BundleCatalog(false));
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kShopOrder);
  absl::StatusOr<v1::ReturnRequest> rma = ReturnRequestFromReturnGo(kRma1);
  ASSERT_TRUE(rma.ok());
  absl::StatusOr<v1::PostingPlan> a =
      planner->Plan(order, *rma, v1::OrderHistory());
  absl::StatusOr<v1::PostingPlan> b =
      MakePlanner(BundleCatalog(false))->Plan(order, *rma, v1::OrderHistory());
  ASSERT_TRUE(a.ok() && b.ok());
  std::string sa, sb;
  ASSERT_TRUE(a->SerializeToString(&sa));
  ASSERT_TRUE(b->SerializeToString(&sb));
  EXPECT_EQ(sa, sb);
}

TEST(SpecCrosscheckMoney, DecimalTextIsExactOrAnError) {
  // money.md section 1, table.
  EXPECT_EQ(*ParseMinorUnits("24.99", 2), 2499);
  EXPECT_EQ(*ParseMinorUnits("12.3", 2), 1230);
  EXPECT_EQ(*ParseMinorUnits("-0.05", 2), -5);
  EXPECT_EQ(*ParseMinorUnits("1000.00", 0), 1000);
  EXPECT_EQ(*ParseMinorUnits("12.340", 2), 1234);
  EXPECT_EQ(*ParseMinorUnits("+7", 3), 7000);
  for (const char* bad : {"12.345", "1e3", "12,50", " 5", "5.", ".5", "", "-",
                          "9223372036854775808"}) {
    EXPECT_FALSE(
        ParseMinorUnits(bad, bad == std::string("9223372036854775808") ? 0 : 2)
            .ok())
        << bad;
  }
  EXPECT_EQ(*ParseMinorUnits("9223372036854775807", 0), INT64_MAX);
  EXPECT_EQ(FormatMinorUnits(1230, 2), "12.30");
  EXPECT_EQ(FormatMinorUnits(-5, 2), "-0.05");
  EXPECT_EQ(FormatMinorUnits(1999, 0), "1999");
  EXPECT_EQ(FormatMinorUnits(1250, 3), "1.250");
  EXPECT_EQ(*CurrencyExponent("GBP"), 2);
  EXPECT_EQ(*CurrencyExponent("JPY"), 0);
  EXPECT_EQ(*CurrencyExponent("KWD"), 3);
  EXPECT_EQ(*CurrencyExponent("CLF"), 4);
  EXPECT_FALSE(CurrencyExponent("gbp").ok());
  EXPECT_FALSE(CurrencyExponent("XXQ").ok());
  EXPECT_EQ(Money::Parse("1.250", "KWD")->ToDisplayString(), "KWD 1.250");
}

TEST(SpecCrosscheckReturnGo, ShopMoneyByDefaultPresentmentOnRequest) {
  // adapters.md "Currency": the shop pair by default; shop_money = false
  // reads amount/currency.
  constexpr char kRma[] = R"json({
    "rmaSummary": {"rmaId": 1, "status": "Done"},
    "orderDetails": {"orderId": 5},
    "items": [{"shopLineItemId": 2, "returnedItemId": 1,
      "paidPrice": {"amount": "10.00", "currency": "EUR",
                    "shopAmount": "8.50", "shopCurrency": "GBP"},
      "restockingFee": {"amount": "1.20", "currency": "EUR",
                        "shopAmount": "1.00", "shopCurrency": "GBP"}}],
    "transactions": [{"id": "t", "status": "Success",
      "amount": {"amount": "8.80", "currency": "EUR",
                 "shopAmount": "7.50", "shopCurrency": "GBP"}}]
  })json";
  absl::StatusOr<v1::ReturnRequest> shop = ReturnRequestFromReturnGo(kRma);
  ASSERT_TRUE(shop.ok()) << shop.status();
  EXPECT_EQ(shop->currency_code(), "GBP");
  EXPECT_EQ(shop->refunds(0).amount().minor_units(), 750);
  ASSERT_EQ(shop->fees_size(), 1);
  EXPECT_EQ(shop->fees(0).amount().minor_units(), 100);
  ReturnGoOptions presentment;
  presentment.shop_money = false;
  absl::StatusOr<v1::ReturnRequest> pres =
      ReturnRequestFromReturnGo(kRma, presentment);
  ASSERT_TRUE(pres.ok()) << pres.status();
  EXPECT_EQ(pres->currency_code(), "EUR");
  EXPECT_EQ(pres->refunds(0).amount().minor_units(), 880);
  ASSERT_EQ(pres->fees_size(), 1);
  EXPECT_EQ(pres->fees(0).amount().minor_units(), 120);
}

TEST(SpecCrosscheckReturnGo, AbsentInspectionFieldsStayUnset) {
  absl::StatusOr<v1::ReturnRequest> ret = ReturnRequestFromReturnGo(R"json({
    "rmaSummary": {"rmaId": 1, "status": "Cancelled"},
    "orderDetails": {"orderId": 5},
    "items": [
      {"shopLineItemId": 2, "returnedItemId": 1,
       "paidPrice": {"amount": "1.00", "currency": "GBP"},
       "itemValidationStatusResponse": {"isRestockable": 0}},
      {"shopLineItemId": 2, "returnedItemId": 2,
       "paidPrice": {"amount": "1.00", "currency": "GBP"}}]
  })json");
  ASSERT_TRUE(ret.ok()) << ret.status();
  EXPECT_EQ(ret->status(), v1::RETURN_STATUS_CANCELED);
  ASSERT_EQ(ret->lines_size(), 2);
  EXPECT_TRUE(ret->lines(0).has_inspection());
  EXPECT_FALSE(ret->lines(0).inspection().has_returned());
  EXPECT_TRUE(ret->lines(0).inspection().has_restockable());
  EXPECT_FALSE(ret->lines(0).inspection().restockable());
  EXPECT_FALSE(ret->lines(1).has_inspection());
  EXPECT_EQ(ret->lines(1).resolution(), v1::RESOLUTION_UNSPECIFIED);
}

TEST(SpecCrosscheckErrors, OrderErrorsNameTheField) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const v1::ReturnRequest ret = RefundReturn(3000);
  {
    // An order-level application whose allocations do not add up to it.
    v1::SalesOrder order = ParseText<v1::SalesOrder>(kExchangeOrder);
    auto* d = order.add_discounts();
    d->set_application_id("D");
    d->set_level(v1::DISCOUNT_LEVEL_ORDER);
    d->mutable_amount()->set_minor_units(1000);
    auto* a = order.mutable_lines(0)->add_discount_allocations();
    a->set_application_id("D");
    a->mutable_amount()->set_minor_units(500);
    a->set_level(v1::DISCOUNT_LEVEL_ORDER);
    const absl::Status status =
        planner->Plan(order, ret, v1::OrderHistory()).status();
    ExpectInvalid(status, "order.");
  }
  {
    // A discount above the line's price.
    v1::SalesOrder order = ParseText<v1::SalesOrder>(kExchangeOrder);
    auto* d = order.add_discounts();
    d->set_application_id("P");
    d->set_level(v1::DISCOUNT_LEVEL_LINE);
    d->mutable_amount()->set_minor_units(3001);
    auto* a = order.mutable_lines(0)->add_discount_allocations();
    a->set_application_id("P");
    a->mutable_amount()->set_minor_units(3001);
    a->set_level(v1::DISCOUNT_LEVEL_LINE);
    ExpectInvalid(planner->Plan(order, ret, v1::OrderHistory()).status(),
                  "order.lines[0]");
  }
  {
    // A malformed tax rate.
    v1::SalesOrder order = ParseText<v1::SalesOrder>(kExchangeOrder);
    order.mutable_lines(0)->mutable_tax_lines(0)->set_rate("twenty");
    ExpectInvalid(planner->Plan(order, ret, v1::OrderHistory()).status(),
                  "order.lines[0].tax_lines[0].rate");
  }
  {
    // An exchange item may not name a refunded line.
    v1::ReturnRequest bad = ret;
    auto* item = bad.add_exchange_items();
    item->set_return_line_id("R1");
    item->set_sku("SHIRT-BLU-L");
    item->set_quantity(1);
    ExpectInvalid(planner
                      ->Plan(ParseText<v1::SalesOrder>(kExchangeOrder), bad,
                             v1::OrderHistory())
                      .status(),
                  "return.exchange_items[0].return_line_id");
  }
}

// ---------------------------------------------------------------------------
// Round 5: posting fields the docs define, and what an exchange uses up.

TEST(SpecCrosscheckFields, CreditAndMovementFieldsAsDocumented) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  absl::StatusOr<v1::ReturnRequest> rma1 = ReturnRequestFromReturnGo(kRma1);
  ASSERT_TRUE(rma1.ok());
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(
      ParseText<v1::SalesOrder>(kShopOrder), *rma1, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1);
  const v1::CreditNote& note = plan->credit_notes(0);
  EXPECT_EQ(note.order_number(), "#1001");
  EXPECT_EQ(note.source(), "returngo");
  EXPECT_EQ(note.return_id(), "10001");
  EXPECT_EQ(note.currency_code(), "GBP");
  // planner.md: a goods line's return_line_id is "the first return line of
  // the note for that line or component": one line per order line.
  ASSERT_EQ(CountKind(note, v1::CREDIT_LINE_KIND_GOODS), 2);
  EXPECT_EQ(note.lines(0).order_line_id(), "13711044001001");
  EXPECT_EQ(note.lines(0).return_line_id(), "9001");
  EXPECT_EQ(note.lines(0).quantity(), 2);
  EXPECT_EQ(note.lines(1).return_line_id(), "9003");
  // Discount on the two shirts: round(1000 * 2 / 3) = 667.
  EXPECT_EQ(note.lines(0).discount().minor_units(), 667);
  ASSERT_EQ(note.tax_summary_size(), 1);
  EXPECT_EQ(note.tax_summary(0).rate(), "20");
  EXPECT_EQ(note.tax_summary(0).amount().minor_units(), 1054);
  ASSERT_EQ(note.tenders_size(), 1);
  EXPECT_EQ(note.tenders(0).refund_id(), "tx-1");
  EXPECT_EQ(note.tenders(0).amount().minor_units(), 6321);
  EXPECT_EQ(note.tenders(0).method(), v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD);
  const v1::StockMovement& m = plan->stock_movements(2);
  EXPECT_EQ(m.order_id(), "5528190001");
  EXPECT_EQ(m.return_id(), "10001");
  EXPECT_EQ(m.return_line_id(), "9003");
  EXPECT_EQ(m.order_line_id(), "13711044001002");
  EXPECT_EQ(m.platform_sku(), "HH-SOCK-3PK-NVY");
  EXPECT_EQ(m.reason_code(), "CHANGED_MIND");
  EXPECT_EQ(m.component_sku(), "");
}

TEST(SpecCrosscheckFields, VarianceExceptionStatesBothFigures) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(ParseText<v1::SalesOrder>(kExchangeOrder),
                    RefundReturn(2999), v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  const v1::Exception* e =
      FindException(*plan, v1::EXCEPTION_CODE_REFUND_VARIANCE);
  ASSERT_NE(e, nullptr);
  EXPECT_THAT(e->message(), HasSubstr("29.99"));
  EXPECT_THAT(e->message(), HasSubstr("30.00"));
  EXPECT_EQ(e->return_id(), "RMA-R");
  EXPECT_EQ(e->order_id(), "X1");
  ASSERT_GE(e->details_size(), 1);
  EXPECT_EQ(e->details(0).field(), "return.refunds[0].amount");
}

TEST(SpecCrosscheckExchange, ExchangedUnitIsNoLongerRefundable) {
  // planner.md: `replaced` units are "no longer refundable once the order is
  // recorded". A later refund of the same unit is an over-refund.
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kExchangeOrder);
  v1::OrderHistory history;
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ExchangeReturn(3000), history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());
  v1::ReturnRequest refund = RefundReturn(3000);
  refund.set_return_id("RMA-LATER");
  refund.mutable_lines(0)->clear_inspection();
  plan = planner->Plan(order, refund, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size(), 0) << plan->DebugString();
  EXPECT_NE(FindException(*plan, v1::EXCEPTION_CODE_OVER_REFUND), nullptr)
      << plan->DebugString();
}

TEST(SpecCrosscheckIdempotency, RecordingTwiceIsRefusedAndChangesNothing) {
  // planner.md: "Recording a key the history already has is an error
  // (`id.idempotency_key: '...' is already recorded as posted`". One unit of
  // the six of E1, so that a second recording would not exceed the units
  // sold (for a 1-unit line the library reports the quantity first).
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kOrderE1);
  v1::OrderHistory history;
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, E1Return("RMA-REC", 1), history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_TRUE(
      planner->RecordCreditNote(order, plan->credit_notes(0), &history).ok());
  const std::string before = history.SerializeAsString();
  const absl::Status again =
      planner->RecordCreditNote(order, plan->credit_notes(0), &history);
  EXPECT_EQ(again.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(again.message()), StartsWith("id.idempotency_key"));
  EXPECT_EQ(history.SerializeAsString(), before);
  ASSERT_EQ(history.postings_size(), 1);
  EXPECT_EQ(history.postings(0).idempotency_key(),
            plan->credit_notes(0).id().idempotency_key());
  EXPECT_EQ(history.postings(0).fingerprint(),
            plan->credit_notes(0).id().fingerprint());
  EXPECT_EQ(history.postings(0).kind(), v1::POSTING_KIND_CREDIT_NOTE);
  // The stock movement, not yet recorded, is still planned; the note is
  // listed as already posted.
  absl::StatusOr<v1::PostingPlan> next =
      planner->Plan(order, E1Return("RMA-REC", 1), history);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->credit_notes_size(), 0);
  EXPECT_EQ(next->stock_movements_size(), 1);
  EXPECT_EQ(next->already_posted_size(), 1);
}

// adapters.md, "Examples": the two-unit line, one transaction, read by
// default (a line per unit, each with its 1.00 restocking fee) and grouped
// (line_per_unit = false: one line of 2 units, one 2.00 fee).
TEST(SpecCrosscheckReturnGo, DocumentedExampleByDefaultAndGrouped) {
  constexpr absl::string_view kRma =
      R"json({"rmaSummary": {"rmaId": 10001, "status": "Done"},
 "orderDetails": {"orderId": 5528190001, "order_name": "#1001"},
 "items": [
   {"shopLineItemId": "13711044001002", "returnedItemId": 9002, "sku": "HH-SOCK-3PK-NVY",
    "paidPrice": {"amount": 9.90, "currency": "GBP"}, "resolutionType": "RefundToPaymentMethod",
    "restockingFee": "1.00", "itemValidationStatusResponse": {"isReturned": 1, "isRestockable": "true"}},
   {"shopLineItemId": "13711044001002", "returnedItemId": 9003, "sku": "HH-SOCK-3PK-NVY",
    "paidPrice": {"amount": 9.90, "currency": "GBP"}, "resolutionType": "RefundToPaymentMethod",
    "restockingFee": "1.00", "itemValidationStatusResponse": {"isReturned": true, "isRestockable": 1}}],
 "transactions": [{"id": "tx-1", "type": "RefundToPaymentMethod", "status": "Success",
   "amount": {"amount": "17.80", "currency": "GBP"}, "returnItemIds": [9002, "9003"]}]})json";
  absl::StatusOr<v1::ReturnRequest> ret = ReturnRequestFromReturnGo(kRma);
  ASSERT_TRUE(ret.ok()) << ret.status();
  ASSERT_EQ(ret->lines_size(), 2);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(ret->lines(i).return_line_id(), i == 0 ? "9002" : "9003");
    EXPECT_EQ(ret->lines(i).quantity(), 1);
    ASSERT_EQ(ret->fees_size(), 2);
    EXPECT_EQ(ret->fees(i).amount().minor_units(), 100);
    EXPECT_EQ(ret->fees(i).return_line_id(), ret->lines(i).return_line_id());
  }
  ASSERT_EQ(ret->refunds_size(), 1);
  EXPECT_EQ(ret->refunds(0).return_line_ids_size(), 2);

  ReturnGoOptions grouped;
  grouped.line_per_unit = false;
  ret = ReturnRequestFromReturnGo(kRma, grouped);
  ASSERT_TRUE(ret.ok()) << ret.status();
  ASSERT_EQ(ret->lines_size(), 1);
  EXPECT_EQ(ret->lines(0).quantity(), 2);
  ASSERT_EQ(ret->fees_size(), 1);
  EXPECT_EQ(ret->fees(0).amount().minor_units(), 200);
}

// ---------------------------------------------------------------------------
// Round 6: order-level discount example, second gift set, routing, SKU
// mapping, per-entry quantities.

TEST(SpecCrosscheckE4, OrderCodeOverThreeLinesAsInMoneyMd) {
  // money.md section 4, order #1001: lines 98.00, 65.00, 28.50 and a 20.00
  // code no allocation refers to: 10.23, 6.79, 2.98. Line gross 8777, 5821,
  // 2552; VAT round(G/6) = 1463, 970, 425. Shipping takes no share.
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(R"pb(
    order_id: "1001"
    currency_code: "GBP"
    prices_include_tax: true
    discounts {
      application_id: "CODE20"
      level: DISCOUNT_LEVEL_ORDER
      amount { minor_units: 2000 }
    }
    lines {
      line_id: "A"
      sku: "A"
      quantity: 2
      unit_price { minor_units: 4900 }
      tax_lines { rate: "20" }
    }
    lines {
      line_id: "B"
      sku: "B"
      quantity: 1
      unit_price { minor_units: 6500 }
      tax_lines { rate: "20" }
    }
    lines {
      line_id: "C"
      sku: "C"
      quantity: 3
      unit_price { minor_units: 950 }
      tax_lines { rate: "20" }
    }
    shipping_lines {
      shipping_id: "S"
      price { minor_units: 495 }
      tax_lines { rate: "20" }
    }
  )pb");
  const auto ret = ParseText<v1::ReturnRequest>(R"pb(
    source: "returngo"
    return_id: "RMA-1001"
    order_id: "1001"
    status: RETURN_STATUS_DONE
    lines {
      return_line_id: "R1"
      order_line_id: "A"
      quantity: 2
      resolution: RESOLUTION_KEEP_ITEM
    }
    lines {
      return_line_id: "R2"
      order_line_id: "B"
      quantity: 1
      resolution: RESOLUTION_KEEP_ITEM
    }
    lines {
      return_line_id: "R3"
      order_line_id: "C"
      quantity: 3
      resolution: RESOLUTION_KEEP_ITEM
    }
  )pb");
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  const v1::CreditNote& note = plan->credit_notes(0);
  EXPECT_EQ(GoodsOf(note, "A").discount, 1023);
  EXPECT_EQ(GoodsOf(note, "B").discount, 679);
  EXPECT_EQ(GoodsOf(note, "C").discount, 298);
  EXPECT_EQ(GoodsOf(note, "A").gross, 8777);
  EXPECT_EQ(GoodsOf(note, "B").gross, 5821);
  EXPECT_EQ(GoodsOf(note, "C").gross, 2552);
  EXPECT_EQ(GoodsOf(note, "A").tax, 1463);
  EXPECT_EQ(GoodsOf(note, "B").tax, 970);
  EXPECT_EQ(GoodsOf(note, "C").tax, 425);
  EXPECT_EQ(note.total_gross().minor_units(), 8777 + 5821 + 2552);
  EXPECT_EQ(CountKind(note, v1::CREDIT_LINE_KIND_SHIPPING), 0);
}

TEST(SpecCrosscheckE4, OrderCodeIsSpreadOverWhatRemainsAfterPromotions) {
  // money.md 4.3: "in proportion to each line's list price less its
  // recorded discounts": 100.00 less a 20.00 promotion, and 20.00: a 10.00
  // code splits 8.00 / 2.00.
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(R"pb(
    order_id: "P1"
    currency_code: "GBP"
    prices_include_tax: true
    discounts {
      application_id: "PROMO"
      level: DISCOUNT_LEVEL_LINE
      amount { minor_units: 2000 }
    }
    discounts {
      application_id: "CODE"
      level: DISCOUNT_LEVEL_ORDER
      amount { minor_units: 1000 }
    }
    lines {
      line_id: "A"
      sku: "A"
      quantity: 1
      unit_price { minor_units: 10000 }
      discount_allocations {
        application_id: "PROMO"
        amount { minor_units: 2000 }
        level: DISCOUNT_LEVEL_LINE
      }
    }
    lines {
      line_id: "B"
      sku: "B"
      quantity: 1
      unit_price { minor_units: 2000 }
    }
  )pb");
  const auto ret = ParseText<v1::ReturnRequest>(R"pb(
    source: "returngo"
    return_id: "RMA-P1"
    order_id: "P1"
    status: RETURN_STATUS_DONE
    lines {
      return_line_id: "R1"
      order_line_id: "A"
      quantity: 1
      resolution: RESOLUTION_KEEP_ITEM
    }
    lines {
      return_line_id: "R2"
      order_line_id: "B"
      quantity: 1
      resolution: RESOLUTION_KEEP_ITEM
    }
  )pb");
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(GoodsOf(plan->credit_notes(0), "A").gross, 7200);
  EXPECT_EQ(GoodsOf(plan->credit_notes(0), "A").discount, 2800);
  EXPECT_EQ(GoodsOf(plan->credit_notes(0), "B").gross, 1800);
  EXPECT_EQ(GoodsOf(plan->credit_notes(0), "B").tax, 0);
}

TEST(SpecCrosscheckBundle, SecondWholeSetBringsEachComponentToItsTotal) {
  // money.md 7: "The second set brings each component to its total: 34.01 +
  // 19.18 + 21.81 = 75.00"; VAT 567, 319, 364.
  auto planner = MakePlanner(BundleCatalog(false));
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kBundleOrder);
  v1::OrderHistory history;
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, BundleReturn(""), history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());
  v1::ReturnRequest second = BundleReturn("");
  second.set_return_id("RMA-B2");
  plan = planner->Plan(order, second, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  const v1::CreditNote& note = plan->credit_notes(0);
  EXPECT_EQ(GoodsOf(note, "LB", "GS-SCARF").gross, 3401);
  EXPECT_EQ(GoodsOf(note, "LB", "GS-BEANIE").gross, 1918);
  EXPECT_EQ(GoodsOf(note, "LB", "GS-GLOVES").gross, 2181);
  EXPECT_EQ(GoodsOf(note, "LB", "GS-BEANIE").tax, 319);
  EXPECT_EQ(GoodsOf(note, "LB", "GS-GLOVES").tax, 364);
  EXPECT_EQ(note.total_gross().minor_units(), 7500);
  EXPECT_EQ(plan->stock_movements_size(), 3);
}

TEST(SpecCrosscheckExceptions, RoutingToWarningLetsTheMovementThrough) {
  // planner.md: "A rule table that routes a blocking exception to WARNING or
  // INFO lets the posting through with the problem."
  const std::string routing = R"pb(
    decisions {
      name: "exception_routing"
      fact_type: "retcon.v1.ExceptionFact"
      hit_policy: FIRST
      inputs: "code"
      outputs { name: "owner" type: ENUM enum_type: "retcon.v1.Owner" }
      outputs { name: "severity" type: ENUM enum_type: "retcon.v1.Severity" }
      rows {
        id: "sku"
        cells { equals { enum_value: "EXCEPTION_CODE_SKU_MISMATCH" } }
        outputs { enum_value: "OWNER_FINANCE" }
        outputs { enum_value: "SEVERITY_WARNING" }
      }
    }
  )pb";
  auto planner = PlannerWith(routing);
  ASSERT_NE(planner, nullptr);
  v1::ReturnRequest ret = RefundReturn(3000);
  ret.mutable_lines(0)->set_platform_sku("DRESS-RED-10");
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(
      ParseText<v1::SalesOrder>(kExchangeOrder), ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  const v1::Exception* e =
      FindException(*plan, v1::EXCEPTION_CODE_SKU_MISMATCH);
  ASSERT_NE(e, nullptr) << plan->DebugString();
  EXPECT_EQ(e->owner(), v1::OWNER_FINANCE);
  EXPECT_EQ(e->severity(), v1::SEVERITY_WARNING);
  EXPECT_EQ(e->parked_keys_size(), 0);
  EXPECT_EQ(plan->stock_movements_size(), 1);
  EXPECT_EQ(plan->parked_stock_movements_size(), 0);
}

TEST(SpecCrosscheckSku, AliasesAndRewritesMapThePlatformSku) {
  auto planner = MakePlanner(R"pb(
    sku_aliases { platform_sku: "RG-SHIRT-M" erp_sku: "SHIRT-WHT-M" }
    sku_rewrites { pattern: "(.*)-OLD" rewrite: "\\1" }
  )pb");
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kExchangeOrder);
  for (const char* platform : {"RG-SHIRT-M", "SHIRT-WHT-M-OLD"}) {
    v1::ReturnRequest ret = RefundReturn(3000);
    ret.mutable_lines(0)->set_platform_sku(platform);
    absl::StatusOr<v1::PostingPlan> plan =
        planner->Plan(order, ret, v1::OrderHistory());
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_EQ(plan->exceptions_size(), 0) << platform << plan->DebugString();
    ASSERT_EQ(plan->stock_movements_size(), 1) << platform;
    EXPECT_EQ(plan->stock_movements(0).erp_sku(), "SHIRT-WHT-M");
    EXPECT_EQ(plan->stock_movements(0).platform_sku(), platform);
  }
}

TEST(SpecCrosscheckReturnGo, AnEntryWithItsOwnQuantityCountsThatMany) {
  // adapters.h: quantity 1 per unit, "or the entry's own `quantity` when it
  // carries one". Two socks in one entry: F(2) of 19.80 = 19.80.
  absl::StatusOr<v1::ReturnRequest> ret = ReturnRequestFromReturnGo(R"json({
    "rmaSummary": {"rmaId": 3, "status": "Done"},
    "orderDetails": {"orderId": 5528190001},
    "items": [{"shopLineItemId": 13711044001002, "returnedItemId": 1,
      "quantity": 2, "sku": "HH-SOCK-3PK-NVY",
      "paidPrice": {"amount": "19.80", "currency": "GBP"},
      "resolutionType": "RefundToPaymentMethod",
      "itemValidationStatusResponse": {"isReturned": 1}}]
  })json");
  ASSERT_TRUE(ret.ok()) << ret.status();
  ASSERT_EQ(ret->lines_size(), 1);
  EXPECT_EQ(ret->lines(0).quantity(), 2);
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(
      ParseText<v1::SalesOrder>(kShopOrder), *ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 1980);
  EXPECT_EQ(plan->credit_notes(0).total_tax().minor_units(), 330);
  ASSERT_EQ(plan->stock_movements_size(), 1);
  EXPECT_EQ(plan->stock_movements(0).quantity(), 2);
}

// ---------------------------------------------------------------------------
// Round 7: several notes in one plan, partial kit, multi-unit exchange.

TEST(SpecCrosscheckE1, ThreeTransactionsInOneReturnContinueFromEachOther) {
  // planner.md: "a plan's second credit note continues from its first". E1
  // as one RMA with three refund transactions of 1, 3 and 2 units.
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kOrderE1);
  v1::ReturnRequest ret = ParseText<v1::ReturnRequest>(R"pb(
    source: "returngo"
    return_id: "RMA-E1-ONE"
    order_id: "E1"
    status: RETURN_STATUS_DONE
    lines {
      return_line_id: "A"
      order_line_id: "L1"
      quantity: 1
      resolution: RESOLUTION_REFUND_TO_PAYMENT_METHOD
      inspection { returned: true }
    }
    lines {
      return_line_id: "B"
      order_line_id: "L1"
      quantity: 3
      resolution: RESOLUTION_REFUND_TO_PAYMENT_METHOD
      inspection { returned: true }
    }
    lines {
      return_line_id: "C"
      order_line_id: "L1"
      quantity: 2
      resolution: RESOLUTION_REFUND_TO_PAYMENT_METHOD
      inspection { returned: true }
    }
    refunds {
      refund_id: "T1"
      amount { minor_units: 167 }
      status: TRANSACTION_STATUS_SUCCESS
      return_line_ids: "A"
    }
    refunds {
      refund_id: "T2"
      amount { minor_units: 500 }
      status: TRANSACTION_STATUS_SUCCESS
      return_line_ids: "B"
    }
    refunds {
      refund_id: "T3"
      amount { minor_units: 333 }
      status: TRANSACTION_STATUS_SUCCESS
      return_line_ids: "C"
    }
  )pb");
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->credit_notes_size(), 3) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 167);
  EXPECT_EQ(plan->credit_notes(1).total_gross().minor_units(), 500);
  EXPECT_EQ(plan->credit_notes(2).total_gross().minor_units(), 333);
  EXPECT_EQ(plan->credit_notes(1).total_tax().minor_units(), 83);
  EXPECT_EQ(plan->credit_notes(2).total_tax().minor_units(), 56);
  ASSERT_EQ(plan->stock_movements_size(), 3);
}

TEST(SpecCrosscheckTriggers, TransactionForSomeLinesAndFinalNoteForTheRest) {
  // Triggers: one note per successful transaction for the lines it lists,
  // "and one more for refund lines no live transaction covers, once the
  // return is in one of these states". Units 1 (T1: 167) and 2..6 (final:
  // 1000 - 167 = 833).
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kOrderE1);
  v1::ReturnRequest ret = ParseText<v1::ReturnRequest>(R"pb(
    source: "returngo"
    return_id: "RMA-MIX"
    order_id: "E1"
    status: RETURN_STATUS_DONE
    lines {
      return_line_id: "A"
      order_line_id: "L1"
      quantity: 1
      resolution: RESOLUTION_REFUND_TO_PAYMENT_METHOD
      inspection { returned: true }
    }
    lines {
      return_line_id: "B"
      order_line_id: "L1"
      quantity: 5
      resolution: RESOLUTION_STORE_CREDIT
      inspection { returned: true }
    }
    refunds {
      refund_id: "T1"
      amount { minor_units: 167 }
      status: TRANSACTION_STATUS_SUCCESS
      return_line_ids: "A"
    }
  )pb");
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->credit_notes_size(), 2) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes(0).refund_id(), "T1");
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 167);
  EXPECT_EQ(plan->credit_notes(1).id().identity(),
            "retcon/v1/credit-note-final/returngo/RMA-MIX");
  EXPECT_EQ(plan->credit_notes(1).total_gross().minor_units(), 833);
  EXPECT_EQ(plan->credit_notes(1).total_tax().minor_units(), 167 - 28);
  ASSERT_EQ(plan->credit_notes(1).tenders_size(), 1);
  EXPECT_EQ(plan->credit_notes(1).tenders(0).method(),
            v1::RESOLUTION_STORE_CREDIT);
}

TEST(SpecCrosscheckBundle, ComponentOfAKitStockedBundleMovesTheComponent) {
  // Ambiguity resolved: DOMAIN.md says a partial bundle return "restocks
  // only the returned component SKUs"; the kit exception is for the bundle
  // SKU, which a single component is not. Expect the component to move.
  auto planner = MakePlanner(BundleCatalog(true));
  ASSERT_NE(planner, nullptr);
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(ParseText<v1::SalesOrder>(kBundleOrder),
                    BundleReturn("GS-BEANIE"), v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->stock_movements_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->stock_movements(0).erp_sku(), "GS-BEANIE");
  ASSERT_EQ(plan->credit_notes_size(), 1);
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 1919);
}

TEST(SpecCrosscheckExchange, TwoUnitsForTwoCheaperOnes) {
  // Two units of a 6-unit 10.00 line (E1) exchanged for two items at 1.00:
  // returned value F(2) = 333 (VAT round(167*2/6) = 56); new 200; owed 133,
  // VAT round(133 * 56 / 333) = 22, net 111.
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  v1::SalesOrder order = ParseText<v1::SalesOrder>(kOrderE1);
  *order.mutable_customer() =
      ParseText<v1::SalesOrder>(kExchangeOrder).customer();
  *order.mutable_shipping_address() =
      ParseText<v1::SalesOrder>(kExchangeOrder).shipping_address();
  const auto ret = ParseText<v1::ReturnRequest>(R"pb(
    source: "returngo"
    return_id: "RMA-X2"
    order_id: "E1"
    status: RETURN_STATUS_DONE
    lines {
      return_line_id: "R1"
      order_line_id: "L1"
      quantity: 2
      resolution: RESOLUTION_EXCHANGE
      inspection { returned: true }
    }
    exchange_items {
      return_line_id: "R1"
      sku: "SCRUNCHIE-BLUE"
      quantity: 2
      unit_price { minor_units: 100 }
    }
  )pb");
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->exchange_orders_size(), 1);
  EXPECT_EQ(plan->exchange_orders(0).price_difference().minor_units(), -133);
  ASSERT_EQ(plan->exchange_orders(0).lines_size(), 1);
  EXPECT_EQ(plan->exchange_orders(0).lines(0).quantity(), 2);
  ASSERT_EQ(plan->credit_notes_size(), 1);
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 133);
  EXPECT_EQ(plan->credit_notes(0).total_tax().minor_units(), 22);
  EXPECT_EQ(plan->credit_notes(0).total_net().minor_units(), 111);
}

// ---------------------------------------------------------------------------
// Round 8: the money functions at their edges, and the apportioning API.

TEST(SpecCrosscheckMoney, NoOverflowWith128BitIntermediates) {
  // DOMAIN.md property 5: "integer arithmetic with 128-bit intermediates".
  constexpr int64_t kMax = INT64_MAX;
  EXPECT_EQ(*CumulativeShare(kMax, 1, 3), 3074457345618258602);
  EXPECT_EQ(*CumulativeShare(kMax, 2, 3), 6148914691236517205);
  EXPECT_EQ(*CumulativeShare(kMax, 3, 3), kMax);
  EXPECT_EQ(*CumulativeSlice(kMax, 1, 2, 3), kMax - 3074457345618258602);
  EXPECT_EQ(ExtractTax(kMax, *TaxRate::Parse("20")).tax, 1537228672809129301);
  // 20% of the largest net fits; 1000% of it does not.
  EXPECT_EQ(*TaxOnNet(kMax, *TaxRate::Parse("20")), 1844674407370955161);
  EXPECT_EQ(TaxOnNet(kMax, *TaxRate::Parse("1000")).status().code(),
            absl::StatusCode::kOutOfRange);
  std::vector<int64_t> shares = *AllocateByWeights(kMax, {kMax, kMax, kMax});
  EXPECT_EQ(shares[0] + (shares[1] + shares[2]) - kMax, 0);
  EXPECT_EQ(shares[0], 3074457345618258603);  // The leftover unit, index 0.
  EXPECT_EQ(shares[1], 3074457345618258602);
}

TEST(SpecCrosscheckMoney, AllocationAndRateErrors) {
  EXPECT_FALSE(CumulativeSlice(1000, 4, 3, 6).ok());
  EXPECT_FALSE(CumulativeShare(1000, 7, 6).ok());
  EXPECT_FALSE(CumulativeShare(1000, 1, 0).ok());
  absl::Status neg = AllocateByWeights(10, {1, -1}).status();
  EXPECT_EQ(neg.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(neg.message()), HasSubstr("weights[1]"));
  EXPECT_FALSE(AllocateByWeights(10, {0, 0}).ok());
  EXPECT_FALSE(AllocateByWeights(10, {}).ok());
  EXPECT_EQ(*AllocateByWeights(10, {0, 1, 1}), (std::vector<int64_t>{0, 5, 5}));
  EXPECT_EQ(TaxRate::Parse("17.5")->scaled_percent(), 17500000);
  EXPECT_EQ(TaxRate::Parse("5.50")->ToString(), "5.5");
  EXPECT_EQ(TaxRate::Parse("20")->ToString(), "20");
  EXPECT_TRUE(TaxRate::Parse("1000")->scaled_percent() > 0);
  for (const char* bad : {"-1", "1000.5", "0.0000001", "", "20%", "1e1"}) {
    EXPECT_FALSE(TaxRate::Parse(bad).ok()) << bad;
  }
  // 17.5% (the old UK rate) on 11.75: 11.75 * 17.5 / 117.5 = 1.75 exactly.
  EXPECT_EQ(ExtractTax(1175, *TaxRate::Parse("17.5")).tax, 175);
}

TEST(SpecCrosscheckApportion, E1ThroughTheApportioningApi) {
  const auto order = ParseText<v1::SalesOrder>(kOrderE1);
  v1::OrderHistory history;
  std::vector<int64_t> refunds;
  for (int64_t n : {1, 3, 2}) {
    absl::StatusOr<Refund> refund =
        ApportionRefund(order, history, {{"L1", "", n}});
    ASSERT_TRUE(refund.ok()) << refund.status();
    refunds.push_back(refund->total.gross);
    EXPECT_EQ(refund->total.gross, refund->total.net + refund->total.tax());
    ASSERT_TRUE(RecordRefund(order, *refund, &history).ok());
  }
  EXPECT_EQ(refunds, (std::vector<int64_t>{167, 500, 333}));
  EXPECT_EQ(history.order_id(), "E1");
  // Nothing left: the error names the field and the figures.
  absl::Status over = ApportionRefund(order, history, {{"L1", "", 1}}).status();
  EXPECT_EQ(over.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(over.message()), StartsWith("returns[0].quantity:"));
  EXPECT_THAT(std::string(over.message()), HasSubstr("6 sold, 6 already"));
  absl::Status unknown =
      ApportionRefund(order, v1::OrderHistory(), {{"L1", "", 1}, {"L9", "", 1}})
          .status();
  EXPECT_THAT(std::string(unknown.message()),
              StartsWith("returns[1].order_line_id"));
  absl::Status not_bundle =
      ApportionRefund(order, v1::OrderHistory(), {{"L1", "X", 1}}).status();
  EXPECT_THAT(std::string(not_bundle.message()),
              StartsWith("returns[0].component_sku"));
}

TEST(SpecCrosscheckApportion, PaidFiguresOfTheGiftSet) {
  v1::Catalog catalog = ParseText<v1::Catalog>(BundleCatalog(false));
  ApportionOptions options;
  options.catalog = &catalog;
  const auto order = ParseText<v1::SalesOrder>(kBundleOrder);
  absl::StatusOr<OrderFigures> figures = PaidFigures(order, options);
  ASSERT_TRUE(figures.ok()) << figures.status();
  ASSERT_EQ(figures->lines.size(), 1u);
  EXPECT_EQ(figures->lines[0].paid.gross, 15000);
  EXPECT_EQ(figures->lines[0].paid.tax(), 2500);
  ASSERT_EQ(figures->components.size(), 3u);
  EXPECT_EQ(figures->components[0].sku, "GS-SCARF");
  EXPECT_EQ(figures->components[0].paid.gross, 6802);
  EXPECT_EQ(figures->components[1].paid.gross, 3837);
  EXPECT_EQ(figures->components[2].paid.gross, 4361);
  EXPECT_EQ(figures->components[0].paid.tax(), 1134);
  EXPECT_EQ(figures->components[1].paid.tax(), 639);
  EXPECT_EQ(figures->components[2].paid.tax(), 727);
  EXPECT_EQ(figures->components[0].units, 2);
}

// ---------------------------------------------------------------------------
// Round 9: more malformed input, and a refund paid twice.

TEST(SpecCrosscheckErrors, MoreReturnAndHistoryErrorsNameTheField) {
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kExchangeOrder);
  const v1::ReturnRequest good = RefundReturn(3000);
  auto expect = [&](const v1::ReturnRequest& ret, const v1::OrderHistory& h,
                    const std::string& prefix) {
    ExpectInvalid(planner->Plan(order, ret, h).status(), prefix);
  };
  {
    v1::ReturnRequest ret = good;
    ret.set_order_id("OTHER");
    expect(ret, v1::OrderHistory(), "return.order_id");
  }
  {
    v1::ReturnRequest ret = good;
    *ret.add_lines() = ret.lines(0);
    expect(ret, v1::OrderHistory(), "return.lines[1].return_line_id");
  }
  {
    v1::ReturnRequest ret = good;
    ret.mutable_lines(0)->set_return_line_id("");
    ret.mutable_refunds(0)->clear_return_line_ids();
    expect(ret, v1::OrderHistory(), "return.lines[0].return_line_id");
  }
  {
    v1::ReturnRequest ret = good;
    v1::Fee* fee = ret.add_fees();
    fee->set_type(v1::FEE_TYPE_RESTOCKING);
    fee->mutable_amount()->set_minor_units(100);
    fee->set_return_line_id("R9");
    expect(ret, v1::OrderHistory(), "return.fees[0].return_line_id");
  }
  {
    v1::ReturnRequest ret = good;
    v1::Fee* fee = ret.add_fees();
    fee->set_type(v1::FEE_TYPE_RESTOCKING);
    fee->mutable_amount()->set_minor_units(-100);
    expect(ret, v1::OrderHistory(), "return.fees[0].amount");
  }
  {
    v1::ReturnRequest ret = ExchangeReturn(3000);
    ret.mutable_exchange_items(0)->set_quantity(0);
    expect(ret, v1::OrderHistory(), "return.exchange_items[0].quantity");
  }
  {
    v1::ReturnRequest ret = good;
    ret.set_source("");
    expect(ret, v1::OrderHistory(), "return.source");
  }
  {
    v1::OrderHistory h;
    v1::LineHistory* line = h.add_lines();
    line->set_order_line_id("L1");
    line->set_credited_quantity(2);
    expect(good, h, "history.lines[0].credited_quantity");
  }
  {
    v1::OrderHistory h;
    h.add_lines()->set_order_line_id("L9");
    expect(good, h, "history.lines[0].order_line_id");
  }
}

TEST(SpecCrosscheckErrors, AdapterRejectsWhatIsNotStrictJson) {
  ExpectInvalid(ReturnRequestFromReturnGo(R"({"rmaSummary": {"rmaId": 1,
      "status": "Done",}, "orderDetails": {"orderId": 5}, "items": []})")
                    .status(),
                // adapters.md: "the path is where the reader was".
                "rmaSummary: not valid JSON at offset");
  ExpectInvalid(
      ReturnRequestFromReturnGo(R"({"rmaSummary": {"rmaId": 1, "rmaId": 2,
      "status": "Done"}, "orderDetails": {"orderId": 5},
      "items": [{"shopLineItemId": 2, "returnedItemId": 1}]})")
          .status(),
      "rmaSummary");
  ExpectInvalid(ReturnRequestFromReturnGo(R"({"rmaSummary": {"rmaId": 1,
      "status": "Teleported"}, "orderDetails": {"orderId": 5},
      "items": [{"shopLineItemId": 2, "returnedItemId": 1}]})")
                    .status(),
                "rmaSummary.status");
  ExpectInvalid(ReturnRequestFromReturnGo(R"({"rmaSummary": {"rmaId": 1,
      "status": "Done"}, "orderDetails": {"orderId": 5}, "items": []})")
                    .status(),
                "items");
  ExpectInvalid(ReturnRequestFromReturnGo(R"({"rmaSummary": {"rmaId": 1,
      "status": "Done"}, "orderDetails": {"orderId": 5},
      "items": [{"shopLineItemId": 2, "returnedItemId": 1,
                 "paidPrice": {"amount": "1.5", "currency": "JPY"},
                 "restockingFee": "0.5"}]})")
                    .status(),
                "items[0].restockingFee");
  ExpectInvalid(ReturnRequestFromReturnGo(R"({"rmaSummary": {"rmaId": 1,
      "status": "Done"}, "orderDetails": {"orderId": 5},
      "items": [{"shopLineItemId": 2, "returnedItemId": 1,
                 "paidPrice": {"amount": "1.00", "currency": "GBP"}}],
      "transactions": [{"id": "t", "status": "Success",
                        "amount": {"amount": "-1.00", "currency": "GBP"}}]})")
                    .status(),
                "transactions[0].amount");
}

TEST(SpecCrosscheckExceptions, TwoRefundsForTheSameUnitOverRefund) {
  // Two successful transactions for the whole return (no returnItemIds),
  // each 30.00, for a 30.00 order: the first is credited, the second is an
  // over-refund (issue 4: "Credited beyond what was paid -> OVER_REFUND").
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  v1::ReturnRequest ret = RefundReturn(3000);
  v1::RefundTransaction* second = ret.add_refunds();
  *second = ret.refunds(0);
  second->set_refund_id("RF2");
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(
      ParseText<v1::SalesOrder>(kExchangeOrder), ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes(0).refund_id(), "RF1");
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 3000);
  const v1::Exception* e = FindException(*plan, v1::EXCEPTION_CODE_OVER_REFUND);
  ASSERT_NE(e, nullptr) << plan->DebugString();
  EXPECT_EQ(e->owner(), v1::OWNER_FINANCE);
  EXPECT_EQ(e->severity(), v1::SEVERITY_BLOCKING);
}

// ---------------------------------------------------------------------------
// Round 10: exchanged value refunded by mistake, not-returned items, shipping
// credited once.

TEST(SpecCrosscheckExchange, FullRefundOfAnEvenExchangeIsNotCredited) {
  // Issue 4: "Never a credit note for the exchanged value itself"; DOMAIN.md
  // names "exchange value credited twice" as a failure to avoid. ReturnGo
  // reports a 30.00 refund for the line it also exchanged evenly: no ready
  // note may credit the 30.00 shirt; the mismatch is an exception.
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  v1::ReturnRequest ret = ExchangeReturn(3000);
  v1::RefundTransaction* tx = ret.add_refunds();
  tx->set_refund_id("RF-WRONG");
  tx->mutable_amount()->set_minor_units(3000);
  tx->set_status(v1::TRANSACTION_STATUS_SUCCESS);
  tx->add_return_line_ids("R1");
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(
      ParseText<v1::SalesOrder>(kExchangeOrder), ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  for (const v1::CreditNote& note : plan->credit_notes()) {
    EXPECT_EQ(CountKind(note, v1::CREDIT_LINE_KIND_GOODS), 0)
        << plan->DebugString();
    EXPECT_EQ(note.total_gross().minor_units(), 0);
  }
  EXPECT_GT(plan->exceptions_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->exchange_orders_size(), 1);
  EXPECT_EQ(plan->exchange_orders(0).price_difference().minor_units(), 0);
}

TEST(SpecCrosscheckTriggers, ItemInspectedAsNotReturnedMovesNothing) {
  // Issue 4: "Items not sent back (keep item, missing) move nothing"; a
  // recorded returned = false is not STOCK_NOT_POSTED ("never recorded").
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  absl::StatusOr<v1::ReturnRequest> ret = ReturnRequestFromReturnGo(R"json({
    "rmaSummary": {"rmaId": "RMA-R", "status": "Done"},
    "orderDetails": {"orderId": "X1"},
    "items": [{"shopLineItemId": "L1", "returnedItemId": "R1",
      "sku": "SHIRT-WHT-M", "paidPrice": {"amount": 30, "currency": "GBP"},
      "resolutionType": "RefundToPaymentMethod",
      "itemValidationStatusResponse": {"isReturned": 0, "isRestockable": 1,
        "nonReturnedReason": "Lost in post"}}],
    "transactions": [{"id": "RF1", "status": "Success",
      "amount": {"amount": 30, "currency": "GBP"}}]
  })json");
  ASSERT_TRUE(ret.ok()) << ret.status();
  EXPECT_EQ(ret->lines(0).inspection().non_returned_reason(), "Lost in post");
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(
      ParseText<v1::SalesOrder>(kExchangeOrder), *ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->stock_movements_size(), 0);
  EXPECT_EQ(plan->parked_stock_movements_size(), 0);
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->credit_notes_size(), 1);
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 3000);
}

TEST(SpecCrosscheckShipping, ShippingIsCreditedOnlyOnce) {
  // refund_policy ALWAYS: the first note refunds the 4.95 shipping, the
  // second none of it (money.md 8: "what remains of it").
  std::string rules = kShippingPolicy;
  const std::string from = "SHIPPING_REFUND_WHEN_ALL_RETURNED";
  rules.replace(rules.find(from), from.size(), "SHIPPING_REFUND_ALWAYS");
  auto planner = PlannerWith(rules);
  ASSERT_NE(planner, nullptr);
  v1::SalesOrder order = ParseText<v1::SalesOrder>(kOrderE1);
  v1::ShippingLine* ship = order.add_shipping_lines();
  ship->set_shipping_id("S1");
  ship->mutable_price()->set_minor_units(495);
  ship->add_tax_lines()->set_rate("20");
  v1::OrderHistory history;
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, E1Return("RMA-SA", 1), history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 167 + 495);
  EXPECT_EQ(plan->credit_notes(0).total_tax().minor_units(), 28 + 83);
  ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());
  ASSERT_EQ(history.shipping_size(), 1);
  EXPECT_EQ(history.shipping(0).credited_gross().minor_units(), 495);
  plan = planner->Plan(order, E1Return("RMA-SB", 1), history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 166);
  EXPECT_EQ(CountKind(plan->credit_notes(0), v1::CREDIT_LINE_KIND_SHIPPING), 0);
}

// DISCREPANCY (DOMAIN.md vs library design). DOMAIN.md property 4: "Each
// unit's share is the floor or ceiling of its exact share". Four trios at
// 0.50 less 0.10 (1.90 paid, untaxed), catalog fixed weights 1, 1, 7: the
// components paid 0.21, 0.21, 1.48, so one unit of component C is exactly
// 1.48 / 4 = 0.37 and must refund 0.37. The library refunds 0.38, 0.36,
// 0.37, 0.37: it splits the line's F(1) = round(190 / 4) = 48 over the
// components (money.md 7, largest remainder: 5, 5, 38), then F(2) = 95 into
// 11, 10, 74 (74 - 38 = 36), which money.md states as a deliberate
// consequence ("A single component unit gets within one minor unit of the
// floor or ceiling of its exact share"). The four units still sum to 1.48.
// The project's own BundleTest.ComponentUnitsGetFloorOrCeilOfTheirShare is
// disabled for the same reason. Judgement: a documented trade-off (a whole
// set refunds what a set cost); DOMAIN.md property 4 should say it holds
// for lines, not for bundle components.
TEST(SpecCrosscheckBundle, DISABLED_ComponentUnitIsFloorOrCeilingOfItsShare) {
  auto planner = MakePlanner(R"pb(
    bundles {
      bundle_sku: "TRIO"
      components { sku: "A" quantity: 1 weight: 1 }
      components { sku: "B" quantity: 1 weight: 1 }
      components { sku: "C" quantity: 1 weight: 7 }
    }
  )pb");
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(R"pb(
    order_id: "D1"
    currency_code: "GBP"
    prices_include_tax: true
    discounts {
      application_id: "P"
      level: DISCOUNT_LEVEL_LINE
      amount { minor_units: 10 }
    }
    lines {
      line_id: "L1"
      sku: "TRIO"
      quantity: 4
      unit_price { minor_units: 50 }
      discount_allocations {
        application_id: "P"
        amount { minor_units: 10 }
        level: DISCOUNT_LEVEL_LINE
      }
    }
  )pb");
  v1::ReturnRequest ret = BundleReturn("C");
  ret.set_order_id("D1");
  ret.mutable_lines(0)->set_order_line_id("L1");
  v1::OrderHistory history;
  int64_t total = 0;
  for (int i = 0; i < 4; ++i) {
    ret.set_return_id("RMA-TRIO-" + std::to_string(i));
    absl::StatusOr<v1::PostingPlan> plan = planner->Plan(order, ret, history);
    ASSERT_TRUE(plan.ok()) << plan.status();
    ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
    const int64_t gross = plan->credit_notes(0).total_gross().minor_units();
    EXPECT_EQ(gross, 37) << "unit " << i + 1;
    total += gross;
    ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());
  }
  EXPECT_EQ(total, 148);
}

TEST(SpecCrosscheckExceptions, SameUnitMovedBackByAnotherReturnIsDuplicate) {
  // DOMAIN.md: "no movement was posted twice"; planner.md: units beyond
  // what was sold park the movement as DUPLICATE_SIGNAL (blocking).
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  const auto order = ParseText<v1::SalesOrder>(kExchangeOrder);
  v1::OrderHistory history;
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, RefundReturn(3000), history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());
  v1::ReturnRequest other = RefundReturn(3000);
  other.set_return_id("RMA-OTHER");
  other.clear_refunds();
  other.set_status(v1::RETURN_STATUS_RECEIVED);
  plan = planner->Plan(order, other, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->stock_movements_size(), 0);
  EXPECT_EQ(plan->parked_stock_movements_size(), 1);
  const v1::Exception* e =
      FindException(*plan, v1::EXCEPTION_CODE_DUPLICATE_SIGNAL);
  ASSERT_NE(e, nullptr) << plan->DebugString();
  EXPECT_EQ(e->severity(), v1::SEVERITY_BLOCKING);
  EXPECT_EQ(e->owner(), v1::OWNER_OPERATIONS);
}

TEST(SpecCrosscheckExchange, MissingNameOrPostcodeParksTheOrder) {
  // planner.md: "Missing customer name (first and last both empty) ... or
  // any of the delivery address's name, line 1, city, postcode and country
  // park the order as INCOMPLETE_EXCHANGE". A billing address is not needed.
  auto planner = MakePlanner();
  ASSERT_NE(planner, nullptr);
  {
    v1::SalesOrder order = ParseText<v1::SalesOrder>(kExchangeOrder);
    order.mutable_customer()->clear_first_name();
    order.mutable_customer()->clear_last_name();
    absl::StatusOr<v1::PostingPlan> plan =
        planner->Plan(order, ExchangeReturn(3000), v1::OrderHistory());
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_EQ(plan->exchange_orders_size(), 0);
    EXPECT_EQ(plan->parked_exchange_orders_size(), 1);
  }
  {
    v1::SalesOrder order = ParseText<v1::SalesOrder>(kExchangeOrder);
    order.mutable_shipping_address()->clear_postal_code();
    absl::StatusOr<v1::PostingPlan> plan =
        planner->Plan(order, ExchangeReturn(2500), v1::OrderHistory());
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_EQ(plan->parked_exchange_orders_size(), 1);
    // The refund owed on it waits with it.
    EXPECT_EQ(plan->credit_notes_size(), 0);
    EXPECT_EQ(plan->parked_credit_notes_size(), 1);
  }
  {
    v1::SalesOrder order = ParseText<v1::SalesOrder>(kExchangeOrder);
    order.clear_billing_address();
    absl::StatusOr<v1::PostingPlan> plan =
        planner->Plan(order, ExchangeReturn(3000), v1::OrderHistory());
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_EQ(plan->exchange_orders_size(), 1) << plan->DebugString();
  }
}

TEST(SpecCrosscheckErrors, DocumentedAdapterMessagesWordForWord) {
  // adapters.md "Errors" table, exact texts.
  const std::string head = R"({"rmaSummary": {"rmaId": 1, "status": "Done"},
      "orderDetails": {"orderId": 5},
      "items": [{"shopLineItemId": 2, "returnedItemId": 1,
                 "paidPrice": {"amount": "1.00", "currency": "GBP"}}],)";
  EXPECT_EQ(ReturnRequestFromReturnGo(head + R"("transactions": [{"id": "t",
      "status": "Success", "amount": {"amount": "1.005", "currency": "GBP"}}]})")
                .status()
                .message(),
            "transactions[0].amount.amount: '1.005' has more decimal places "
            "than the currency's 2 (GBP)");
  EXPECT_EQ(ReturnRequestFromReturnGo(head + R"("transactions": [{"id": "t",
      "status": "Success", "amount": {"amount": "1.00", "currency": "XXQ"}}]})")
                .status()
                .message(),
            "transactions[0].amount.currency: \"XXQ\" is not an ISO 4217 "
            "currency code");
  EXPECT_EQ(ReturnRequestFromReturnGo(head + R"("transactions": [{"id": "t",
      "status": "Success", "amount": {"amount": "1.00", "currency": "GBP"},
      "returnItemIds": [1, 99]}]})")
                .status()
                .message(),
            "transactions[0].returnItemIds[1]: \"99\" is not the "
            "returnedItemId of any of items[]");
  EXPECT_EQ(ReturnRequestFromReturnGo(R"({"rmaSummary": [], "items": []})")
                .status()
                .message(),
            "rmaSummary: expected an object, got array");
}

// adapters.h: "InvalidArgument naming the JSON path of the field", as for a
// transaction's `transactions[0].amount.currency: "XXQ" is not an ISO 4217
// currency code`.
TEST(SpecCrosscheckErrors, PaidPriceCurrencyErrorNamesTheField) {
  ExpectInvalid(ReturnRequestFromReturnGo(R"({"rmaSummary": {"rmaId": 1,
      "status": "Done"}, "orderDetails": {"orderId": 5},
      "items": [{"shopLineItemId": 2, "returnedItemId": 1,
                 "paidPrice": {"amount": "1.00", "currency": "XXQ"}}]})")
                    .status(),
                "items[0].paidPrice.currency:");
}

// apportion.h's example of the over-return error, word for word.
TEST(SpecCrosscheckApportion, OverReturnMessageAsInTheHeader) {
  const auto order = ParseText<v1::SalesOrder>(kOrderE1);
  v1::OrderHistory history;
  history.set_order_id("E1");
  v1::LineHistory* line = history.add_lines();
  line->set_order_line_id("L1");
  line->set_credited_quantity(4);
  EXPECT_EQ(ApportionRefund(order, history, {{"L1", "", 3}}).status().message(),
            "returns[0].quantity: asked for 3 units of line 'L1', but only 2 "
            "remain returnable (6 sold, 4 already credited)");
}

}  // namespace
}  // namespace retcon
