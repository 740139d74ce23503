// The planner on worked examples: values, triggers, exactly-once replays,
// exceptions and malformed input. Scenario files are in tests/testdata/plan
// (golden_test.cc); these tests pin the figures by hand.
#include "retcon/planner.h"

#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "lib/plan/internal/plan_context.h"
#include "retcon/idempotency.h"
#include "retcon/rules.h"
#include "retcon/v1/facts.pb.h"
#include "tests/apportion/apportion_test_util.h"

namespace retcon {
namespace {

using testing_internal::ParseText;

using ::testing::HasSubstr;
using ::testing::Not;

// The messages of the plan's exceptions of `code`, in order.
std::vector<std::string> MessagesOf(const v1::PostingPlan& plan,
                                    v1::ExceptionCode code) {
  std::vector<std::string> out;
  for (const v1::Exception& e : plan.exceptions()) {
    if (e.code() == code) out.push_back(e.message());
  }
  return out;
}

constexpr char kRules[] = R"pb(
  id: "test"
  version: "1"
  decisions {
    name: "depot"
    fact_type: "retcon.v1.ReturnItemFact"
    hit_policy: FIRST
    inputs: "condition"
    outputs { name: "depot" type: STRING }
    rows {
      id: "faulty"
      cells { equals { enum_value: "ITEM_CONDITION_FAULTY" } }
      outputs { string_value: "LEEDS-QUARANTINE" }
    }
    rows {
      id: "rest"
      cells { any {} }
      outputs { string_value: "LEEDS" }
    }
  }
  decisions {
    name: "disposition"
    fact_type: "retcon.v1.ReturnItemFact"
    hit_policy: FIRST
    inputs: "condition"
    inputs: "restockable"
    outputs {
      name: "disposition"
      type: ENUM
      enum_type: "retcon.v1.Disposition"
    }
    rows {
      id: "faulty"
      cells { equals { enum_value: "ITEM_CONDITION_FAULTY" } }
      cells { any {} }
      outputs { enum_value: "DISPOSITION_QUARANTINE" }
    }
    rows {
      id: "sellable"
      cells { any {} }
      cells { equals { bool_value: true } }
      outputs { enum_value: "DISPOSITION_SELLABLE" }
    }
  }
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
      outputs { int_value: 1 }
      outputs { int_value: 0 }
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

// Two lines, 20% VAT included, a 10.00 order-level code split 6.00 / 4.00.
constexpr char kOrder[] = R"pb(
  order_id: "1001"
  order_number: "#1001"
  source: "shopify"
  currency_code: "GBP"
  prices_include_tax: true
  channel: "web-uk"
  customer {
    customer_id: "C1"
    email: "ann@example.com"
    first_name: "Ann"
    last_name: "Lee"
  }
  shipping_address {
    name: "Ann Lee"
    line1: "1 High St"
    city: "Leeds"
    postal_code: "LS1 1AA"
    country_code: "GB"
  }
  discounts {
    application_id: "D1"
    code: "TEN"
    level: DISCOUNT_LEVEL_ORDER
    amount { minor_units: 1000 }
  }
  lines {
    line_id: "L1"
    sku: "DRESS-RED-10"
    quantity: 1
    unit_price { minor_units: 6000 }
    discount_allocations {
      application_id: "D1"
      amount { minor_units: 600 }
      level: DISCOUNT_LEVEL_ORDER
    }
    tax_lines { rate: "20" }
  }
  lines {
    line_id: "L2"
    sku: "SCARF-BLUE"
    quantity: 1
    unit_price { minor_units: 4000 }
    discount_allocations {
      application_id: "D1"
      amount { minor_units: 400 }
      level: DISCOUNT_LEVEL_ORDER
    }
    tax_lines { rate: "20" }
  }
)pb";

constexpr char kReturn[] = R"pb(
  source: "returngo"
  return_id: "RMA-1"
  order_id: "1001"
  status: RETURN_STATUS_DONE
  lines {
    return_line_id: "R1"
    order_line_id: "L1"
    platform_sku: "DRESS-RED-10"
    quantity: 1
    reason_code: "TOO_SMALL"
    resolution: RESOLUTION_REFUND_TO_PAYMENT_METHOD
    inspection {
      returned: true
      restockable: true
      condition: ITEM_CONDITION_AS_NEW
      return_location: "LEEDS"
    }
  }
  lines {
    return_line_id: "R2"
    order_line_id: "L2"
    platform_sku: "SCARF-BLUE"
    quantity: 1
    reason_code: "FAULTY"
    resolution: RESOLUTION_REFUND_TO_PAYMENT_METHOD
    inspection {
      returned: true
      restockable: false
      condition: ITEM_CONDITION_FAULTY
      return_location: "LEEDS"
    }
  }
  refunds {
    refund_id: "RF1"
    amount { minor_units: 9000 }
    status: TRANSACTION_STATUS_SUCCESS
    method: RESOLUTION_REFUND_TO_PAYMENT_METHOD
  }
)pb";

std::unique_ptr<const Planner> MakePlanner(
    const std::string& rules_text = kRules, const std::string& catalog = "") {
  v1::ReturnItemFact::descriptor();
  absl::StatusOr<ParsedRuleSet> parsed = ParseRuleSetText(rules_text, "rules");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  auto rules = CompileRuleSet(*parsed, {});
  EXPECT_TRUE(rules.ok()) << rules.status();
  auto planner =
      Planner::Create(std::shared_ptr<const CompiledRuleSet>(std::move(*rules)),
                      ParseText<v1::Catalog>(catalog));
  EXPECT_TRUE(planner.ok()) << planner.status();
  return std::move(*planner);
}

TEST(PlannerTest, FullRefundWithOrderDiscountAndVat) {
  auto planner = MakePlanner();
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(ParseText<v1::SalesOrder>(kOrder),
                    ParseText<v1::ReturnRequest>(kReturn), v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->credit_notes_size(), 1);
  const v1::CreditNote& note = plan->credit_notes(0);
  // 54.00 + 36.00 paid; VAT 9.00 + 6.00.
  EXPECT_EQ(note.total_gross().minor_units(), 9000);
  EXPECT_EQ(note.total_tax().minor_units(), 1500);
  EXPECT_EQ(note.total_net().minor_units(), 7500);
  ASSERT_EQ(note.lines_size(), 2);
  EXPECT_EQ(note.lines(0).gross().minor_units(), 5400);
  EXPECT_EQ(note.lines(0).discount().minor_units(), 600);
  EXPECT_EQ(note.lines(1).tax().minor_units(), 600);
  EXPECT_EQ(note.variance().minor_units(), 0);
  EXPECT_EQ(note.id().identity(), "retcon/v1/credit-note/returngo/RMA-1/RF1");
  ASSERT_EQ(plan->stock_movements_size(), 2);
  EXPECT_EQ(plan->stock_movements(0).depot(), "LEEDS");
  EXPECT_EQ(plan->stock_movements(0).disposition(), v1::DISPOSITION_SELLABLE);
  EXPECT_EQ(plan->stock_movements(1).depot(), "LEEDS-QUARANTINE");
  EXPECT_EQ(plan->stock_movements(1).disposition(), v1::DISPOSITION_QUARANTINE);
  EXPECT_EQ(plan->stock_movements(1).erp_sku(), "SCARF-BLUE");
}

TEST(PlannerTest, SecondDeliveryPostsNothingAndConflictIsParked) {
  auto planner = MakePlanner();
  const auto order = ParseText<v1::SalesOrder>(kOrder);
  const auto ret = ParseText<v1::ReturnRequest>(kReturn);
  v1::OrderHistory history;
  absl::StatusOr<v1::PostingPlan> first = planner->Plan(order, ret, history);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(planner->RecordPlan(order, *first, &history).ok());
  EXPECT_EQ(history.postings_size(), 3);

  absl::StatusOr<v1::PostingPlan> again = planner->Plan(order, ret, history);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->credit_notes_size(), 0);
  EXPECT_EQ(again->stock_movements_size(), 0);
  EXPECT_EQ(again->exceptions_size(), 0);
  EXPECT_EQ(again->already_posted_size(), 3);

  v1::ReturnRequest changed = ret;
  changed.mutable_refunds(0)->mutable_amount()->set_minor_units(8000);
  absl::StatusOr<v1::PostingPlan> conflict =
      planner->Plan(order, changed, history);
  ASSERT_TRUE(conflict.ok()) << conflict.status();
  EXPECT_EQ(conflict->credit_notes_size(), 0);
  ASSERT_EQ(conflict->exceptions_size(), 1);
  EXPECT_EQ(conflict->exceptions(0).code(), v1::EXCEPTION_CODE_REPLAY_CONFLICT);
  EXPECT_EQ(conflict->exceptions(0).owner(), v1::OWNER_FINANCE);
  // Recording the same plan twice is refused, and leaves history as it was.
  const std::string before = history.SerializeAsString();
  EXPECT_FALSE(planner->RecordPlan(order, *first, &history).ok());
  EXPECT_EQ(history.SerializeAsString(), before);
}

TEST(PlannerTest, VarianceBeyondToleranceParksTheCreditNote) {
  auto planner = MakePlanner();
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.mutable_refunds(0)->mutable_amount()->set_minor_units(8998);
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(ParseText<v1::SalesOrder>(kOrder), ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size(), 0);
  ASSERT_EQ(plan->parked_credit_notes_size(), 1);
  ASSERT_EQ(plan->exceptions_size(), 1);
  const v1::Exception& e = plan->exceptions(0);
  EXPECT_EQ(e.code(), v1::EXCEPTION_CODE_REFUND_VARIANCE);
  EXPECT_EQ(e.severity(), v1::SEVERITY_BLOCKING);
  EXPECT_THAT(e.message(), HasSubstr("GBP 89.98"));
  EXPECT_THAT(e.message(), HasSubstr("GBP 90.00"));
  ASSERT_EQ(e.parked_keys_size(), 1);
  EXPECT_EQ(e.parked_keys(0),
            plan->parked_credit_notes(0).id().idempotency_key());

  // One penny is within the GBP tolerance: posted, variance shown.
  ret.mutable_refunds(0)->mutable_amount()->set_minor_units(8999);
  plan =
      planner->Plan(ParseText<v1::SalesOrder>(kOrder), ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->credit_notes_size(), 1);
  EXPECT_EQ(plan->credit_notes(0).variance().minor_units(), -1);
}

TEST(PlannerTest, PendingReturnProducesNothing) {
  auto planner = MakePlanner();
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.set_status(v1::RETURN_STATUS_APPROVED);
  ret.mutable_refunds(0)->set_status(v1::TRANSACTION_STATUS_REQUESTED);
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(ParseText<v1::SalesOrder>(kOrder), ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  v1::PostingPlan empty;
  empty.set_source("returngo");
  empty.set_return_id("RMA-1");
  empty.set_order_id("1001");
  EXPECT_EQ(plan->SerializeAsString(), empty.SerializeAsString())
      << plan->DebugString();
  EXPECT_EQ(plan->exceptions_size(), 0);
}

TEST(PlannerTest, MalformedInputNamesTheField) {
  auto planner = MakePlanner();
  const auto order = ParseText<v1::SalesOrder>(kOrder);
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.mutable_lines(1)->set_order_line_id("L9");
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ret, v1::OrderHistory());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(plan.status().message(),
              HasSubstr("return.lines[1].order_line_id"));

  ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.mutable_refunds(0)->add_return_line_ids("R7");
  plan = planner->Plan(order, ret, v1::OrderHistory());
  EXPECT_THAT(plan.status().message(),
              HasSubstr("return.refunds[0].return_line_ids[0]"));

  ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.set_currency_code("EUR");
  plan = planner->Plan(order, ret, v1::OrderHistory());
  EXPECT_THAT(plan.status().message(), HasSubstr("return.currency_code"));

  ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.clear_return_id();
  plan = planner->Plan(order, ret, v1::OrderHistory());
  EXPECT_THAT(plan.status().message(), HasSubstr("return.return_id"));
}

TEST(PlannerTest, CreateRejectsDecisionsOfTheWrongShape) {
  absl::StatusOr<ParsedRuleSet> parsed =
      ParseRuleSetText(R"pb(
                         id: "bad"
                         decisions {
                           name: "depot"
                           fact_type: "retcon.v1.RefundFact"
                           hit_policy: FIRST
                           inputs: "currency_code"
                           outputs { name: "depot" type: STRING }
                           rows {
                             id: "a"
                             cells { any {} }
                             outputs { string_value: "X" }
                           }
                         }
                       )pb",
                       "rules");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  auto rules = CompileRuleSet(*parsed, {});
  ASSERT_TRUE(rules.ok()) << rules.status();
  auto planner = Planner::Create(
      std::shared_ptr<const CompiledRuleSet>(std::move(*rules)), {});
  EXPECT_THAT(
      planner.status().message(),
      HasSubstr("decision 'depot' must take a retcon.v1.ReturnItemFact"));

  auto good = CompileRuleSet(*ParseRuleSetText(kRules, "rules"), {});
  ASSERT_TRUE(good.ok());
  v1::Catalog catalog;
  catalog.add_sku_rewrites()->set_pattern("([A-Z");
  auto bad_catalog = Planner::Create(
      std::shared_ptr<const CompiledRuleSet>(std::move(*good)), catalog);
  EXPECT_THAT(bad_catalog.status().message(),
              HasSubstr("catalog.sku_rewrites[0].pattern"));
}

// A fee on the whole return goes with the first live refund transaction,
// whichever transaction succeeds first: it is deducted once, and the
// second delivery is no replay conflict.
TEST(PlannerTest, ReturnFeeGoesWithTheFirstLiveRefundInEveryDelivery) {
  auto planner = MakePlanner();
  const auto order = ParseText<v1::SalesOrder>(kOrder);
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.clear_refunds();
  ret.add_fees()->mutable_amount()->set_minor_units(300);  // 3.00 label
  v1::RefundTransaction* rf1 = ret.add_refunds();
  rf1->set_refund_id("RF1");
  rf1->add_return_line_ids("R1");
  rf1->set_status(v1::TRANSACTION_STATUS_PENDING);
  rf1->mutable_amount()->set_minor_units(5400 - 300);
  v1::RefundTransaction* rf2 = ret.add_refunds();
  rf2->set_refund_id("RF2");
  rf2->add_return_line_ids("R2");
  rf2->set_status(v1::TRANSACTION_STATUS_SUCCESS);
  rf2->mutable_amount()->set_minor_units(3600);
  v1::OrderHistory history;
  absl::StatusOr<v1::PostingPlan> first = planner->Plan(order, ret, history);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->credit_notes_size(), 1) << first->DebugString();
  EXPECT_EQ(first->credit_notes(0).refund_id(), "RF2");
  EXPECT_EQ(first->credit_notes(0).total_gross().minor_units(), 3600);
  ASSERT_TRUE(planner->RecordPlan(order, *first, &history).ok());

  ret.mutable_refunds(0)->set_status(v1::TRANSACTION_STATUS_SUCCESS);
  absl::StatusOr<v1::PostingPlan> second = planner->Plan(order, ret, history);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->exceptions_size(), 0) << second->DebugString();
  ASSERT_EQ(second->credit_notes_size(), 1);
  EXPECT_EQ(second->credit_notes(0).refund_id(), "RF1");
  EXPECT_EQ(second->credit_notes(0).total_gross().minor_units(), 5100);
}

int64_t FeeLines(const v1::CreditNote& note) {
  int64_t n = 0;
  for (const v1::RefundLine& line : note.lines()) {
    n += line.kind() == v1::CREDIT_LINE_KIND_FEE;
  }
  return n;
}

// The first live transaction carried the return's fee but failed before
// its note was posted; the next one was already posted without it. The fee
// goes to the transaction that replaces the failed one: the posted note is
// no replay conflict and the fee is deducted once (it once moved to the
// posted note: REPLAY_CONFLICT, and the fee deducted nowhere).
TEST(PlannerTest, ReturnFeeOfAFailedRefundGoesToItsReplacement) {
  auto planner = MakePlanner();
  const auto order = ParseText<v1::SalesOrder>(kOrder);
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.clear_refunds();
  ret.add_fees()->mutable_amount()->set_minor_units(300);
  v1::RefundTransaction* rf1 = ret.add_refunds();
  rf1->set_refund_id("RF1");
  rf1->add_return_line_ids("R1");
  rf1->set_status(v1::TRANSACTION_STATUS_PENDING);
  rf1->mutable_amount()->set_minor_units(5400 - 300);
  v1::RefundTransaction* rf2 = ret.add_refunds();
  rf2->set_refund_id("RF2");
  rf2->add_return_line_ids("R2");
  rf2->set_status(v1::TRANSACTION_STATUS_SUCCESS);
  rf2->mutable_amount()->set_minor_units(3600);
  v1::OrderHistory history;
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(FeeLines(plan->credit_notes(0)), 0);
  ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());

  ret.mutable_refunds(0)->set_status(v1::TRANSACTION_STATUS_FAILED);
  v1::RefundTransaction* rf3 = ret.add_refunds();
  *rf3 = ret.refunds(0);
  rf3->set_refund_id("RF3");
  rf3->set_status(v1::TRANSACTION_STATUS_SUCCESS);
  plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes(0).refund_id(), "RF3");
  EXPECT_EQ(FeeLines(plan->credit_notes(0)), 1);
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 5100);
  EXPECT_EQ(plan->already_posted_size(), 3);  // RF2's note, both movements.
}

// A note posted with the return's fee keeps it when its transaction later
// fails: the next transaction's note does not deduct the fee a second time,
// and the failed refund's posted note is reported to finance.
TEST(PlannerTest, ReturnFeePostedStaysWithItsNote) {
  auto planner = MakePlanner();
  const auto order = ParseText<v1::SalesOrder>(kOrder);
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.clear_refunds();
  ret.add_fees()->mutable_amount()->set_minor_units(300);
  v1::RefundTransaction* rf1 = ret.add_refunds();
  rf1->set_refund_id("RF1");
  rf1->add_return_line_ids("R1");
  rf1->set_status(v1::TRANSACTION_STATUS_SUCCESS);
  rf1->mutable_amount()->set_minor_units(5400 - 300);
  ret.set_status(v1::RETURN_STATUS_RECEIVED);  // No finalised note yet.
  v1::OrderHistory history;
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(FeeLines(plan->credit_notes(0)), 1);
  ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());

  ret.mutable_refunds(0)->set_status(v1::TRANSACTION_STATUS_FAILED);
  v1::RefundTransaction* rf2 = ret.add_refunds();
  rf2->set_refund_id("RF2");
  rf2->add_return_line_ids("R2");
  rf2->set_status(v1::TRANSACTION_STATUS_SUCCESS);
  rf2->mutable_amount()->set_minor_units(3600);
  plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes(0).refund_id(), "RF2");
  EXPECT_EQ(FeeLines(plan->credit_notes(0)), 0);
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 3600);
  for (const v1::Exception& e : plan->exceptions()) {
    EXPECT_NE(e.code(), v1::EXCEPTION_CODE_REPLAY_CONFLICT) << e.message();
  }
  // RF1's note is in the ERP but RF1 was never paid: finance must hear of
  // it; nothing is parked, nothing reversed.
  std::vector<std::string> messages =
      MessagesOf(*plan, v1::EXCEPTION_CODE_REFUND_VARIANCE);
  ASSERT_EQ(messages.size(), 1u) << plan->DebugString();
  EXPECT_THAT(messages[0],
              HasSubstr("A credit note was posted for refund RF1 of return "
                        "RMA-1, but the returns platform now says that refund "
                        "failed (it was for GBP 51.00)"));
  const v1::Exception& failed = plan->exceptions(plan->exceptions_size() - 1);
  EXPECT_EQ(failed.owner(), v1::OWNER_FINANCE);
  EXPECT_EQ(failed.severity(), v1::SEVERITY_WARNING);
  EXPECT_EQ(failed.parked_keys_size(), 0);
  ASSERT_EQ(failed.details_size(), 1);
  EXPECT_EQ(failed.details(0).field(), "return.refunds[0].status");
  EXPECT_EQ(failed.details(0).actual(), "TRANSACTION_STATUS_FAILED");
}

// The plan's exceptions of `code`.
std::vector<v1::Exception> ExceptionsOf(const v1::PostingPlan& plan,
                                        v1::ExceptionCode code) {
  std::vector<v1::Exception> out;
  for (const v1::Exception& e : plan.exceptions()) {
    if (e.code() == code) out.push_back(e);
  }
  return out;
}

// The routing fact carries the case's own severity, so that a rule can
// route a warning (the variance of a refund that failed after its note was
// posted, nothing held back) apart from a blocking variance.
TEST(PlannerTest, RoutingSeesTheSeverityOfTheCase) {
  auto planner = MakePlanner(absl::StrCat(kRules, R"pb(
    decisions {
      name: "exception_routing"
      fact_type: "retcon.v1.ExceptionFact"
      hit_policy: FIRST
      inputs: "code"
      inputs: "severity"
      outputs { name: "owner" type: ENUM enum_type: "retcon.v1.Owner" }
      rows {
        id: "small-blocking-variance"
        cells { equals { enum_value: "EXCEPTION_CODE_REFUND_VARIANCE" } }
        cells { equals { enum_value: "SEVERITY_BLOCKING" } }
        outputs { enum_value: "OWNER_CUSTOMER_SERVICE" }
      }
    }
  )pb"));
  const auto order = ParseText<v1::SalesOrder>(kOrder);
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.mutable_refunds(0)->mutable_amount()->set_minor_units(8900);
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  std::vector<v1::Exception> variances =
      ExceptionsOf(*plan, v1::EXCEPTION_CODE_REFUND_VARIANCE);
  ASSERT_EQ(variances.size(), 1u) << plan->DebugString();
  EXPECT_EQ(variances[0].severity(), v1::SEVERITY_BLOCKING);
  EXPECT_EQ(variances[0].owner(), v1::OWNER_CUSTOMER_SERVICE);

  // Paid in full and recorded; then the refund fails: a warning, which the
  // row does not take, so it stays with finance.
  ret.mutable_refunds(0)->mutable_amount()->set_minor_units(9000);
  v1::OrderHistory history;
  plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());
  ret.mutable_refunds(0)->set_status(v1::TRANSACTION_STATUS_FAILED);
  plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  variances = ExceptionsOf(*plan, v1::EXCEPTION_CODE_REFUND_VARIANCE);
  ASSERT_EQ(variances.size(), 1u) << plan->DebugString();
  EXPECT_EQ(variances[0].severity(), v1::SEVERITY_WARNING);
  EXPECT_EQ(variances[0].owner(), v1::OWNER_FINANCE);
}

// kReturn with RF1 refunding only R1 (54.00) and RF2 only R2 (36.00), both
// paid, planned and recorded in `history`; then RF1 fails.
v1::ReturnRequest TwoRefundsTheFirstFailingAfterItsNote(
    const Planner& planner, const v1::SalesOrder& order,
    v1::OrderHistory& history) {
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.clear_refunds();
  for (const auto& [id, line, amount] : {std::make_tuple("RF1", "R1", 5400),
                                         std::make_tuple("RF2", "R2", 3600)}) {
    v1::RefundTransaction* refund = ret.add_refunds();
    refund->set_refund_id(id);
    refund->add_return_line_ids(line);
    refund->set_status(v1::TRANSACTION_STATUS_SUCCESS);
    refund->set_method(v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD);
    refund->mutable_amount()->set_minor_units(amount);
  }
  absl::StatusOr<v1::PostingPlan> plan = planner.Plan(order, ret, history);
  EXPECT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size(), 2) << plan->DebugString();
  EXPECT_TRUE(planner.RecordPlan(order, *plan, &history).ok());
  ret.mutable_refunds(0)->set_status(v1::TRANSACTION_STATUS_FAILED);
  return ret;
}

// RF1's note is posted, then RF1 fails and the return is finalised: R1 is
// still credited by that note, so the finalised note does not credit it
// again (it once did, parked as an OVER_REFUND); finance is told to reverse
// the note unless the refund is paid after all.
TEST(PlannerTest, FinalisedNoteLeavesTheLinesOfAFailedRefundsPostedNote) {
  auto planner = MakePlanner();
  const auto order = ParseText<v1::SalesOrder>(kOrder);
  v1::OrderHistory history;
  const v1::ReturnRequest ret =
      TwoRefundsTheFirstFailingAfterItsNote(*planner, order, history);
  ASSERT_EQ(ret.status(), v1::RETURN_STATUS_DONE);
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size(), 0) << plan->DebugString();
  EXPECT_EQ(plan->parked_credit_notes_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->exceptions_size(), 1) << plan->DebugString();
  const v1::Exception& e = plan->exceptions(0);
  EXPECT_EQ(e.code(), v1::EXCEPTION_CODE_REFUND_VARIANCE);
  EXPECT_EQ(e.severity(), v1::SEVERITY_WARNING);
  EXPECT_EQ(e.parked_keys_size(), 0);
  EXPECT_EQ(e.message(),
            "A credit note was posted for refund RF1 of return RMA-1, but the "
            "returns platform now says that refund failed (it was for GBP "
            "54.00). The ERP credits the customer money that was not paid; "
            "nothing is held back. Check the refund with the payment "
            "provider. If it will not be paid, reverse the credit note in the "
            "ERP. If a new refund pays for these items instead, keep the "
            "credit note: it stands for the new refund, and retcon posts no "
            "second credit note for them.");
  // Nothing changes on the next delivery.
  ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());
  absl::StatusOr<v1::PostingPlan> again = planner->Plan(order, ret, history);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->SerializeAsString(), plan->SerializeAsString());
}

// After RF1's note is posted RF1 fails, and the platform pays RF3 for the
// same item instead: RF1's note stands for RF3, so no second note credits
// R1 (it once got an OVER_REFUND) and finance is told to keep it. While RF3
// is not paid, it is awaited: no difference to book yet.
TEST(PlannerTest, ReplacementOfAFailedRefundIsCoveredByItsPostedNote) {
  auto planner = MakePlanner();
  const auto order = ParseText<v1::SalesOrder>(kOrder);
  v1::OrderHistory history;
  v1::ReturnRequest ret =
      TwoRefundsTheFirstFailingAfterItsNote(*planner, order, history);
  v1::RefundTransaction* rf3 = ret.add_refunds();
  *rf3 = ret.refunds(0);
  rf3->set_refund_id("RF3");
  rf3->set_status(v1::TRANSACTION_STATUS_SUCCESS);
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size(), 0) << plan->DebugString();
  EXPECT_EQ(plan->parked_credit_notes_size(), 0) << plan->DebugString();
  EXPECT_TRUE(ExceptionsOf(*plan, v1::EXCEPTION_CODE_OVER_REFUND).empty());
  ASSERT_EQ(plan->exceptions_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->exceptions(0).severity(), v1::SEVERITY_WARNING);
  EXPECT_EQ(plan->exceptions(0).owner(), v1::OWNER_FINANCE);
  EXPECT_EQ(plan->exceptions(0).parked_keys_size(), 0);
  EXPECT_EQ(plan->exceptions(0).message(),
            "A credit note was posted for refund RF1 of return RMA-1, but the "
            "returns platform now says that refund failed (it was for GBP "
            "54.00). Refund RF3 (GBP 54.00, paid) covers the same items, so "
            "this credit note stands for it: retcon posts no second credit "
            "note for those items. Keep this credit note and note on it in the "
            "ERP that refund RF3 paid it; if it was already reversed, credit "
            "those items again by hand for RF3.");

  // Still pending, and for less: awaited, nothing to book or check yet.
  ret.mutable_refunds(2)->set_status(v1::TRANSACTION_STATUS_PENDING);
  ret.mutable_refunds(2)->mutable_amount()->set_minor_units(5300);
  plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->exceptions_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->exceptions(0).severity(), v1::SEVERITY_WARNING);
  EXPECT_EQ(plan->exceptions(0).message(),
            "A credit note was posted for refund RF1 of return RMA-1, but the "
            "returns platform now says that refund failed (it was for GBP "
            "54.00). Refund RF3 (GBP 53.00, pending) covers the same items, so "
            "this credit note stands for it: retcon posts no second credit "
            "note for those items. RF3 is not paid yet: keep this credit note "
            "while it is awaited. If it fails or is canceled too, check with "
            "the payment provider and reverse this credit note in the ERP "
            "unless these items are still to be paid.");
  EXPECT_THAT(plan->exceptions(0).message(),
              Not(HasSubstr("book the difference")));
}

// A transaction standing in for a held note gets the amount check of any
// refund, against what that note credits: paid beyond what the order paid
// is an OVER_REFUND, a variance beyond tolerance a blocking
// REFUND_VARIANCE; neither parks anything (there is no note of its own).
// RF1 once got only a warning telling finance to book GBP 446.00 by hand.
TEST(PlannerTest, ReplacementStandingInForAHeldNoteIsChecked) {
  auto planner = MakePlanner();
  const auto order = ParseText<v1::SalesOrder>(kOrder);
  v1::OrderHistory history;
  v1::ReturnRequest ret =
      TwoRefundsTheFirstFailingAfterItsNote(*planner, order, history);
  v1::RefundTransaction* rf3 = ret.add_refunds();
  *rf3 = ret.refunds(0);
  rf3->set_refund_id("RF3");
  rf3->set_status(v1::TRANSACTION_STATUS_SUCCESS);
  rf3->mutable_amount()->set_minor_units(50000);
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size(), 0) << plan->DebugString();
  EXPECT_EQ(plan->parked_credit_notes_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->exceptions_size(), 2) << plan->DebugString();
  const v1::Exception& failed = plan->exceptions(0);
  EXPECT_EQ(failed.code(), v1::EXCEPTION_CODE_REFUND_VARIANCE);
  EXPECT_EQ(failed.severity(), v1::SEVERITY_WARNING);
  EXPECT_THAT(failed.message(),
              HasSubstr("RF3 is for GBP 500.00, GBP 446.00 more than the GBP "
                        "54.00 this credit note credits: see the exception "
                        "raised for RF3; once the difference is settled, book "
                        "what was approved in the ERP by hand."));
  const v1::Exception& over = plan->exceptions(1);
  EXPECT_EQ(over.code(), v1::EXCEPTION_CODE_OVER_REFUND);
  EXPECT_EQ(over.severity(), v1::SEVERITY_BLOCKING);
  EXPECT_EQ(over.owner(), v1::OWNER_FINANCE);
  EXPECT_EQ(over.parked_keys_size(), 0);
  EXPECT_EQ(over.message(),
            "Refund RF3 paid GBP 500.00, but order #1001 has only GBP 54.00 "
            "left that was paid and not yet credited (counting GBP 54.00 for "
            "its items already credited: line 'R1' of it is already credited "
            "by the credit note posted for refund RF1, which failed). RF3 gets "
            "no credit note of its own, so nothing is held back: recover the "
            "excess or record why it was paid.");

  // Less than the note credits: a blocking variance.
  ret.mutable_refunds(2)->mutable_amount()->set_minor_units(5000);
  plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size(), 0) << plan->DebugString();
  EXPECT_EQ(plan->parked_credit_notes_size(), 0) << plan->DebugString();
  std::vector<v1::Exception> variances =
      ExceptionsOf(*plan, v1::EXCEPTION_CODE_REFUND_VARIANCE);
  ASSERT_EQ(variances.size(), 2u) << plan->DebugString();
  EXPECT_EQ(variances[1].severity(), v1::SEVERITY_BLOCKING);
  EXPECT_EQ(variances[1].owner(), v1::OWNER_FINANCE);
  EXPECT_EQ(variances[1].parked_keys_size(), 0);
  EXPECT_EQ(variances[1].message(),
            "The returns platform refunded GBP 50.00 (refund RF3), but line "
            "'R1' of it is already credited by the credit note posted for "
            "refund RF1, which failed; that credit note credits GBP 54.00 for "
            "those items: a difference of GBP 4.00, more than the GBP 0.01 "
            "allowed. RF3 gets no credit note of its own (that credit note "
            "stands for it), so nothing is held back. Check the refund in the "
            "returns platform; book any difference that is approved in the "
            "ERP by hand.");
  ASSERT_EQ(variances[1].details_size(), 1);
  EXPECT_EQ(variances[1].details(0).field(), "return.refunds[2].amount");
  EXPECT_EQ(variances[1].details(0).expected(), "GBP 54.00");
  EXPECT_THAT(variances[0].message(),
              HasSubstr("RF3 is for GBP 50.00, GBP 4.00 less than the GBP "
                        "54.00 this credit note credits"));

  // Pending: not checked until it is paid (its state triggers no note).
  ret.mutable_refunds(2)->set_status(v1::TRANSACTION_STATUS_PENDING);
  ret.mutable_refunds(2)->mutable_amount()->set_minor_units(50000);
  plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->exceptions_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->exceptions(0).severity(), v1::SEVERITY_WARNING);
  EXPECT_THAT(plan->exceptions(0).message(),
              HasSubstr("RF3 is not paid yet: keep this credit note while it "
                        "is awaited."));
}

// RF1's note credits R1 and R2; RF1 fails, then RF2 and RF3 are both paid
// in full for both items. The note stands for RF2, the first listed: RF3
// is checked with nothing counted for those items, so it is an OVER_REFUND
// (blocking, nothing parked: it has no note). The customer was paid twice;
// retcon once only warned that the note stood for both.
TEST(PlannerTest, TwoRefundsStandingInForOneHeldNoteAreCaught) {
  auto planner = MakePlanner();
  const auto order = ParseText<v1::SalesOrder>(kOrder);
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.set_status(v1::RETURN_STATUS_RECEIVED);
  ret.mutable_refunds(0)->add_return_line_ids("R1");
  ret.mutable_refunds(0)->add_return_line_ids("R2");
  v1::OrderHistory history;
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  ASSERT_EQ(plan->credit_notes(0).total_gross().minor_units(), 9000);
  ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());

  ret.mutable_refunds(0)->set_status(v1::TRANSACTION_STATUS_FAILED);
  for (const char* id : {"RF2", "RF3"}) {
    v1::RefundTransaction* rf = ret.add_refunds();
    *rf = ret.refunds(0);
    rf->set_refund_id(id);
    rf->set_status(v1::TRANSACTION_STATUS_SUCCESS);
  }
  plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size(), 0) << plan->DebugString();
  EXPECT_EQ(plan->parked_credit_notes_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->exceptions_size(), 2) << plan->DebugString();
  const v1::Exception& failed = plan->exceptions(0);
  EXPECT_EQ(failed.code(), v1::EXCEPTION_CODE_REFUND_VARIANCE);
  EXPECT_EQ(failed.severity(), v1::SEVERITY_WARNING);
  EXPECT_EQ(failed.message(),
            "A credit note was posted for refund RF1 of return RMA-1, but the "
            "returns platform now says that refund failed (it was for GBP "
            "90.00). Refund RF2 (GBP 90.00, paid) covers the same items, so "
            "this credit note stands for it: retcon posts no second credit "
            "note for those items. Keep this credit note and note on it in the "
            "ERP that refund RF2 paid it; if it was already reversed, credit "
            "those items again by hand for RF2.");
  const v1::Exception& over = plan->exceptions(1);
  EXPECT_EQ(over.code(), v1::EXCEPTION_CODE_OVER_REFUND);
  EXPECT_EQ(over.severity(), v1::SEVERITY_BLOCKING);
  EXPECT_EQ(over.owner(), v1::OWNER_FINANCE);
  EXPECT_EQ(over.parked_keys_size(), 0);
  EXPECT_EQ(over.message(),
            "Refund RF3 paid GBP 90.00, but order #1001 has only GBP 0.00 "
            "left that was paid and not yet credited (counting GBP 0.00 for "
            "its items already credited: lines 'R1' and 'R2' of it are "
            "already credited by the credit note posted for refund RF1, which "
            "failed; refund RF2, listed before it, already paid for them). "
            "RF3 gets no credit note of its own, so nothing is held back: "
            "recover the excess or record why it was paid.");
  ASSERT_EQ(over.details_size(), 1);
  EXPECT_EQ(over.details(0).field(), "return.refunds[2].amount");

  // The next delivery plans the same: nothing is posted twice.
  ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());
  absl::StatusOr<v1::PostingPlan> again = planner->Plan(order, ret, history);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->SerializeAsString(), plan->SerializeAsString());
}

// RF1's note credits R1 and R2; RF1 fails and RF2 pays for R1 alone: the
// warning names R2, which no refund covers, and what the note credits for it.
TEST(PlannerTest, ReplacementForSomeHeldItemsNamesTheOthers) {
  auto planner = MakePlanner();
  const auto order = ParseText<v1::SalesOrder>(kOrder);
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.set_status(v1::RETURN_STATUS_RECEIVED);
  ret.mutable_refunds(0)->add_return_line_ids("R1");
  ret.mutable_refunds(0)->add_return_line_ids("R2");
  v1::OrderHistory history;
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());

  ret.mutable_refunds(0)->set_status(v1::TRANSACTION_STATUS_FAILED);
  v1::RefundTransaction* rf2 = ret.add_refunds();
  *rf2 = ret.refunds(0);
  rf2->set_refund_id("RF2");
  rf2->set_status(v1::TRANSACTION_STATUS_SUCCESS);
  rf2->clear_return_line_ids();
  rf2->add_return_line_ids("R1");
  rf2->mutable_amount()->set_minor_units(5400);
  plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->exceptions_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->exceptions(0).severity(), v1::SEVERITY_WARNING);
  EXPECT_EQ(plan->exceptions(0).message(),
            "A credit note was posted for refund RF1 of return RMA-1, but the "
            "returns platform now says that refund failed (it was for GBP "
            "90.00). Refund RF2 (GBP 54.00, paid) covers some of these items, "
            "so this credit note stands for it: retcon posts no second credit "
            "note for those items. Keep this credit note and note on it in the "
            "ERP that refund RF2 paid it; if it was already reversed, credit "
            "those items again by hand for RF2. But line 'R2', which this "
            "credit note credits for GBP 36.00, is covered by no refund: the "
            "ERP credits the customer that money, which was not paid. Check "
            "with the payment provider and, unless it is still to be paid, "
            "reverse that much of this credit note in the ERP.");
}

// The check is against what the held note credits, not the failed
// refund's amount: RF1 was for 53.99 (within the 0.01 allowed), its note
// credited 54.00, and RF3 pays 54.00: nothing to book.
TEST(PlannerTest, StandInIsCheckedAgainstWhatTheHeldNoteCredits) {
  auto planner = MakePlanner();
  const auto order = ParseText<v1::SalesOrder>(kOrder);
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.set_status(v1::RETURN_STATUS_RECEIVED);
  ret.mutable_refunds(0)->add_return_line_ids("R1");
  ret.mutable_refunds(0)->mutable_amount()->set_minor_units(5399);
  v1::OrderHistory history;
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  ASSERT_EQ(plan->credit_notes(0).total_gross().minor_units(), 5400);
  ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());

  ret.mutable_refunds(0)->set_status(v1::TRANSACTION_STATUS_FAILED);
  v1::RefundTransaction* rf3 = ret.add_refunds();
  *rf3 = ret.refunds(0);
  rf3->set_refund_id("RF3");
  rf3->set_status(v1::TRANSACTION_STATUS_SUCCESS);
  rf3->mutable_amount()->set_minor_units(5400);
  plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->exceptions_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->exceptions(0).severity(), v1::SEVERITY_WARNING);
  EXPECT_THAT(plan->exceptions(0).message(),
              HasSubstr("(it was for GBP 53.99). Refund RF3 (GBP 54.00, paid) "
                        "covers the same items, so this credit note stands "
                        "for it"));
  EXPECT_THAT(plan->exceptions(0).message(), Not(HasSubstr("difference")));
}

// A replacement whose own note is posted too (a note released by hand
// after an OVER_REFUND): the items are credited twice in the ERP, and
// finance is told to reverse the failed refund's note.
TEST(PlannerTest, ReplacementWithItsOwnPostedNoteIsCreditedTwice) {
  auto planner = MakePlanner();
  const auto order = ParseText<v1::SalesOrder>(kOrder);
  v1::OrderHistory history;
  v1::ReturnRequest ret =
      TwoRefundsTheFirstFailingAfterItsNote(*planner, order, history);
  v1::RefundTransaction* rf3 = ret.add_refunds();
  *rf3 = ret.refunds(0);
  rf3->set_refund_id("RF3");
  rf3->set_status(v1::TRANSACTION_STATUS_SUCCESS);
  v1::PostedKey* key = history.add_postings();
  key->set_idempotency_key(RetconUuid(
      CanonicalIdentity("credit-note", {"returngo", "RMA-1", "RF3"})));
  key->set_fingerprint("released by hand");
  key->set_kind(v1::POSTING_KIND_CREDIT_NOTE);
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->exceptions_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->exceptions(0).severity(), v1::SEVERITY_WARNING);
  EXPECT_THAT(plan->exceptions(0).message(),
              HasSubstr("(it was for GBP 54.00). Refund RF3 covers the same "
                        "items and has its own credit note, so the ERP "
                        "credits them twice: reverse the credit note for RF1 "
                        "in the ERP."));
}

// kReturn (status `status`) where RF1 refunded R1 (54.00) and its note was
// posted in `history`, then RF1 failed; RF3, paid, covers R1 and R2 for
// `amount`.
v1::ReturnRequest FailedRefundThenOneForBothItems(const Planner& planner,
                                                  const v1::SalesOrder& order,
                                                  v1::ReturnStatus status,
                                                  int64_t amount,
                                                  v1::OrderHistory& history) {
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.set_status(v1::RETURN_STATUS_RECEIVED);
  v1::RefundTransaction* rf1 = ret.mutable_refunds(0);
  rf1->add_return_line_ids("R1");
  rf1->mutable_amount()->set_minor_units(5400);
  absl::StatusOr<v1::PostingPlan> plan = planner.Plan(order, ret, history);
  EXPECT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_TRUE(planner.RecordPlan(order, *plan, &history).ok());
  ret.set_status(status);
  ret.mutable_refunds(0)->set_status(v1::TRANSACTION_STATUS_FAILED);
  v1::RefundTransaction* rf3 = ret.add_refunds();
  rf3->set_refund_id("RF3");
  rf3->set_status(v1::TRANSACTION_STATUS_SUCCESS);
  rf3->mutable_amount()->set_minor_units(amount);
  return ret;
}

// RF3 replaces failed RF1 and also pays for R2. Its note credits R2 only.
// Paid for both items (90.00 = RF1's note's 54.00 + 36.00), RF1's note
// stands for it and its note goes through; the next delivery plans the
// same (RF3's posted note credits only R2: no double credit).
TEST(PlannerTest, ReplacementCoveringMoreLinesCreditsOnlyTheOthers) {
  auto planner = MakePlanner();
  const auto order = ParseText<v1::SalesOrder>(kOrder);
  v1::OrderHistory history;
  const v1::ReturnRequest ret = FailedRefundThenOneForBothItems(
      *planner, order, v1::RETURN_STATUS_RECEIVED, 9000, history);
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->parked_credit_notes_size(), 0) << plan->DebugString();
  const v1::CreditNote& note = plan->credit_notes(0);
  EXPECT_EQ(note.refund_id(), "RF3");
  ASSERT_EQ(note.lines_size(), 1);
  EXPECT_EQ(note.lines(0).order_line_id(), "L2");
  EXPECT_EQ(note.total_gross().minor_units(), 3600);
  ASSERT_EQ(plan->exceptions_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->exceptions(0).severity(), v1::SEVERITY_WARNING);
  EXPECT_EQ(plan->exceptions(0).message(),
            "A credit note was posted for refund RF1 of return RMA-1, but the "
            "returns platform now says that refund failed (it was for GBP "
            "54.00). Refund RF3 (GBP 90.00, paid) covers these items (and "
            "others), so this credit note stands for it: retcon posts no "
            "second credit note for those items. Keep this credit note and "
            "note on it in the ERP that refund RF3 paid it; if it was already "
            "reversed, credit those items again by hand for RF3.");

  ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());
  absl::StatusOr<v1::PostingPlan> again = planner->Plan(order, ret, history);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->credit_notes_size(), 0) << again->DebugString();
  ASSERT_EQ(again->exceptions_size(), 1) << again->DebugString();
  EXPECT_EQ(again->exceptions(0).message(), plan->exceptions(0).message());
}

// RF3 covers R1 and R2 but paid only for R2 (36.00, what its own note
// credits): RF1's note stands for no refund, and finance is told to reverse
// it unless RF1 is paid after all; the finalised note does not credit R1
// either (RF1's note still does, in the ERP). Next delivery: the same.
TEST(PlannerTest, ReplacementPayingOnlyForTheOthersLeavesTheHeldNoteUnpaid) {
  auto planner = MakePlanner();
  const auto order = ParseText<v1::SalesOrder>(kOrder);
  v1::OrderHistory history;
  const v1::ReturnRequest ret = FailedRefundThenOneForBothItems(
      *planner, order, v1::RETURN_STATUS_DONE, 3600, history);
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->parked_credit_notes_size(), 0) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes(0).refund_id(), "RF3");
  ASSERT_EQ(plan->credit_notes(0).lines_size(), 1);
  EXPECT_EQ(plan->credit_notes(0).lines(0).return_line_id(), "R2");
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 3600);
  ASSERT_EQ(plan->exceptions_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->exceptions(0).severity(), v1::SEVERITY_WARNING);
  EXPECT_EQ(plan->exceptions(0).message(),
            "A credit note was posted for refund RF1 of return RMA-1, but the "
            "returns platform now says that refund failed (it was for GBP "
            "54.00). Refund RF3 (GBP 36.00, paid) covers these items and "
            "others but paid only for the others (its own credit note credits "
            "GBP 36.00), so this credit note stands for no refund. The ERP "
            "credits the customer money that was not paid; nothing is held "
            "back. Check the refund with the payment provider. If it will not "
            "be paid, reverse the credit note in the ERP. If a new refund pays "
            "for these items instead, keep the credit note: it stands for the "
            "new refund, and retcon posts no second credit note for them.");

  ASSERT_TRUE(planner->RecordPlan(order, *plan, &history).ok());
  absl::StatusOr<v1::PostingPlan> again = planner->Plan(order, ret, history);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->credit_notes_size(), 0) << again->DebugString();
  ASSERT_EQ(again->exceptions_size(), 1) << again->DebugString();
  EXPECT_EQ(again->exceptions(0).message(), plan->exceptions(0).message());
}

// RF3 covers R1 and R2 but is still pending: no note and no check yet;
// RF1's note is kept while RF3 is awaited, with no difference to book.
TEST(PlannerTest, PendingReplacementCoveringMoreLinesIsAwaited) {
  auto planner = MakePlanner();
  const auto order = ParseText<v1::SalesOrder>(kOrder);
  v1::OrderHistory history;
  v1::ReturnRequest ret = FailedRefundThenOneForBothItems(
      *planner, order, v1::RETURN_STATUS_DONE, 7000, history);
  ret.mutable_refunds(1)->set_status(v1::TRANSACTION_STATUS_PENDING);
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size(), 0) << plan->DebugString();
  EXPECT_EQ(plan->parked_credit_notes_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->exceptions_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->exceptions(0).severity(), v1::SEVERITY_WARNING);
  EXPECT_EQ(plan->exceptions(0).message(),
            "A credit note was posted for refund RF1 of return RMA-1, but the "
            "returns platform now says that refund failed (it was for GBP "
            "54.00). Refund RF3 (GBP 70.00, pending) covers these items (and "
            "others), so this credit note stands for it: retcon posts no "
            "second credit note for those items. RF3 is not paid yet: keep "
            "this credit note while it is awaited; retcon checks what was "
            "paid for once it is paid. If it fails or is canceled too, check "
            "with the payment provider and reverse this credit note in the "
            "ERP unless these items are still to be paid.");
}

// RF3 covers R1 and R2 for an amount that is neither both items (90.00)
// nor R2 alone (36.00): its note is held back with a variance naming both
// figures, and RF1's note is kept until that is settled.
TEST(PlannerTest, ReplacementPayingNeitherFigureIsHeldBack) {
  auto planner = MakePlanner();
  const auto order = ParseText<v1::SalesOrder>(kOrder);
  v1::OrderHistory history;
  const v1::ReturnRequest ret = FailedRefundThenOneForBothItems(
      *planner, order, v1::RETURN_STATUS_RECEIVED, 7000, history);
  absl::StatusOr<v1::PostingPlan> plan = planner->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->parked_credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->parked_credit_notes(0).total_gross().minor_units(), 3600);
  const std::vector<v1::Exception> variances =
      ExceptionsOf(*plan, v1::EXCEPTION_CODE_REFUND_VARIANCE);
  ASSERT_EQ(variances.size(), 2u) << plan->DebugString();
  EXPECT_EQ(variances[0].severity(), v1::SEVERITY_WARNING);
  EXPECT_THAT(variances[0].message(),
              HasSubstr("Refund RF3 (GBP 70.00, paid) covers these items (and "
                        "others), but its amount is neither what all its "
                        "items are worth nor what the others alone are worth"));
  EXPECT_EQ(variances[1].severity(), v1::SEVERITY_BLOCKING);
  EXPECT_EQ(variances[1].parked_keys_size(), 1);
  EXPECT_EQ(variances[1].message(),
            "The returns platform refunded GBP 70.00 (refund RF3), but line "
            "'R1' of it is already credited by the credit note posted for "
            "refund RF1, which failed; that credit note credits GBP 54.00 for "
            "those items, and the order's prices, discounts, fees and tax make "
            "its other items worth GBP 36.00. So RF3 should be for GBP 90.00 "
            "if it paid for all its items, or GBP 36.00 if it paid only for "
            "the others: it is GBP 20.00 off the first and GBP 34.00 off the "
            "second, more than the GBP 0.01 allowed. This credit note, for the "
            "other items only, is held back. Check the refund in the returns "
            "platform; post the credit note once the figures agree or the "
            "difference is approved.");
}

TEST(PlannerTest, ExchangeItemsMayNotReplaceRefundedLines) {
  auto planner = MakePlanner();
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  v1::ExchangeItem* item = ret.add_exchange_items();
  item->set_return_line_id("R1");
  item->set_sku("DRESS-RED-12");
  item->set_quantity(1);
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(ParseText<v1::SalesOrder>(kOrder), ret, v1::OrderHistory());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(plan.status().message(),
              HasSubstr("return.exchange_items[0].return_line_id"));
}

// A line with no resolution that an exchange item names is exchanged: a
// refund transaction covering it pays the difference owed (new items
// cheaper), never the returned units as goods on top of the exchange.
TEST(PlannerTest, ExchangeOfALineWithNoResolutionCreditsOnlyTheDifference) {
  auto planner = MakePlanner();
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.mutable_lines()->RemoveLast();
  ret.mutable_lines(0)->clear_resolution();
  v1::ExchangeItem* item = ret.add_exchange_items();
  item->set_return_line_id("R1");
  item->set_sku("DRESS-RED-12");
  item->set_quantity(1);
  item->mutable_unit_price()->set_minor_units(4400);
  ret.mutable_refunds(0)->add_return_line_ids("R1");
  ret.mutable_refunds(0)->mutable_amount()->set_minor_units(1000);
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(ParseText<v1::SalesOrder>(kOrder), ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  const v1::CreditNote& note = plan->credit_notes(0);
  ASSERT_EQ(note.lines_size(), 1);
  // 54.00 paid less 44.00: 10.00, split 45.00 : 9.00 -> net 8.33, VAT 1.67.
  EXPECT_EQ(note.lines(0).kind(), v1::CREDIT_LINE_KIND_EXCHANGE_DIFFERENCE);
  EXPECT_EQ(note.lines(0).gross().minor_units(), 1000);
  EXPECT_EQ(note.lines(0).tax().minor_units(), 167);
  EXPECT_EQ(note.total_gross().minor_units(), 1000);
  ASSERT_EQ(plan->exchange_orders_size(), 1);
  EXPECT_EQ(plan->exchange_orders(0).price_difference().minor_units(), -1000);

  // Without a transaction, the finalised note pays it.
  ret.clear_refunds();
  plan =
      planner->Plan(ParseText<v1::SalesOrder>(kOrder), ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes(0).id().identity(),
            "retcon/v1/credit-note-final/returngo/RMA-1");
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 1000);
}

TEST(PlannerTest, ExchangeWithoutItemsIsIncompleteAndOwesNothing) {
  auto planner = MakePlanner();
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.clear_refunds();
  ret.mutable_lines(0)->set_resolution(v1::RESOLUTION_EXCHANGE);
  ret.mutable_lines()->RemoveLast();
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(ParseText<v1::SalesOrder>(kOrder), ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size() + plan->parked_credit_notes_size(), 0)
      << plan->DebugString();
  ASSERT_EQ(plan->parked_exchange_orders_size(), 1);
  ASSERT_EQ(plan->exceptions_size(), 1);
  EXPECT_EQ(plan->exceptions(0).code(), v1::EXCEPTION_CODE_INCOMPLETE_EXCHANGE);
  EXPECT_THAT(plan->exceptions(0).message(), HasSubstr("no exchange item"));
}

TEST(PlannerTest, WholeBundleOfUnknownSplitIsNotStockedAsTheBundleSku) {
  auto planner = MakePlanner();
  auto order = ParseText<v1::SalesOrder>(kOrder);
  v1::BundleComponent* c = order.mutable_lines(1)->add_components();
  c->set_sku("SCARF-PART-A");
  c->set_quantity(1);  // No allocated price, no catalog definition.
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->parked_stock_movements_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->parked_stock_movements(0).order_line_id(), "L2");
  // Nothing can be moved yet: no ERP SKU (never the bundle's own).
  EXPECT_EQ(plan->parked_stock_movements(0).erp_sku(), "");
  const v1::Exception* unknown_bundle = nullptr;
  for (const v1::Exception& e : plan->exceptions()) {
    if (e.code() == v1::EXCEPTION_CODE_UNKNOWN_BUNDLE) unknown_bundle = &e;
  }
  ASSERT_NE(unknown_bundle, nullptr);
  EXPECT_THAT(unknown_bundle->message(),
              HasSubstr("(the order lists 1 x SCARF-PART-A per bundle)"));
  EXPECT_THAT(unknown_bundle->message(),
              HasSubstr("nothing of its return can be moved into stock yet"));
  ASSERT_EQ(unknown_bundle->details_size(), 1);
  EXPECT_EQ(unknown_bundle->details(0).field(), "order.lines[1].sku");
  EXPECT_EQ(unknown_bundle->details(0).actual(), "SCARF-BLUE");
  // The whole line's money is known: the credit note still goes through.
  EXPECT_EQ(plan->credit_notes_size(), 1);
}

// A bundle line credited (and moved) whole while the catalog did not define
// it is recorded at line level. Once the catalog defines it, a return of
// one component continues from that history per component (it once failed
// with "history.lines[i].component_sku: line 'L2' is a bundle"), and
// recording it rewrites the line-level entry per component.
TEST(PlannerTest, BundleDefinedAfterItWasCreditedWholeContinuesPerComponent) {
  auto before = MakePlanner();
  auto after = MakePlanner(kRules, R"pb(
    bundles {
      bundle_sku: "SCARF-SET"
      components { sku: "SCARF-A" quantity: 1 weight: 3 }
      components { sku: "SCARF-B" quantity: 1 weight: 1 }
    }
  )pb");
  auto order = ParseText<v1::SalesOrder>(kOrder);
  order.mutable_lines(1)->set_sku("SCARF-SET");
  order.mutable_lines(1)->set_quantity(2);
  order.mutable_lines(1)->mutable_unit_price()->set_minor_units(2000);
  // L2 paid 40.00 - 4.00 = 36.00, VAT 6.00: per set 18.00, VAT 3.00. By
  // weights 3 : 1, SCARF-A paid 27.00 (VAT 4.50), SCARF-B 9.00 (VAT 1.50).
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.mutable_lines()->DeleteSubrange(0, 1);
  ret.mutable_lines(0)->set_platform_sku("SCARF-SET");
  ret.mutable_refunds(0)->mutable_amount()->set_minor_units(1800);
  v1::OrderHistory history;
  absl::StatusOr<v1::PostingPlan> plan = before->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes(0).lines(0).component_sku(), "");
  ASSERT_TRUE(before->RecordPlan(order, *plan, &history).ok());

  ret.set_return_id("RMA-2");
  ret.mutable_lines(0)->set_component_sku("SCARF-A");
  ret.mutable_lines(0)->set_platform_sku("SCARF-A");
  ret.mutable_refunds(0)->set_refund_id("RF2");
  ret.mutable_refunds(0)->mutable_amount()->set_minor_units(1350);
  plan = after->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  // The whole set credited 13.50 (VAT 2.25) of SCARF-A's 27.00 (4.50).
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 1350);
  EXPECT_EQ(plan->credit_notes(0).total_tax().minor_units(), 225);
  ASSERT_TRUE(after->RecordPlan(order, *plan, &history).ok());
  for (const v1::LineHistory& h : history.lines()) {
    if (h.order_line_id() != "L2") continue;
    EXPECT_FALSE(h.component_sku().empty()) << history.DebugString();
    EXPECT_EQ(h.credited_quantity(), h.component_sku() == "SCARF-A" ? 2 : 1);
    EXPECT_EQ(h.credited_gross().minor_units(),
              h.component_sku() == "SCARF-A" ? 2700 : 450);
    EXPECT_EQ(h.moved_quantity(), h.component_sku() == "SCARF-A" ? 2 : 1);
  }

  // SCARF-A again: nothing of it is left, a business problem, not an error.
  ret.set_return_id("RMA-3");
  ret.mutable_refunds(0)->set_refund_id("RF3");
  plan = after->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->credit_notes_size(), 0);
  ASSERT_EQ(plan->parked_credit_notes_size(), 1);

  // A line-level entry beyond the bundles sold is malformed history.
  v1::OrderHistory bad;
  v1::LineHistory* whole = bad.add_lines();
  whole->set_order_line_id("L2");
  whole->set_credited_quantity(3);
  absl::StatusOr<v1::PostingPlan> refused = after->Plan(order, ret, bad);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("history.lines[0].credited_quantity: must be between "
                        "0 and the 2 bundles sold, got 3"));

  // The rest: SCARF-B of the second set, 4.50 (VAT 0.75); 36.00 in all.
  ret.set_return_id("RMA-4");
  ret.mutable_lines(0)->set_component_sku("SCARF-B");
  ret.mutable_lines(0)->set_platform_sku("SCARF-B");
  ret.mutable_refunds(0)->set_refund_id("RF4");
  ret.mutable_refunds(0)->mutable_amount()->set_minor_units(450);
  plan = after->Plan(order, ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 450);
  EXPECT_EQ(plan->credit_notes(0).total_tax().minor_units(), 75);
}

// An UNKNOWN_BUNDLE about one component says what is wrong: the order lists
// it without a price split, lists other components, or the bundle's known
// components do not include it (naming them).
TEST(PlannerTest, UnknownComponentMessagesSayWhatIsWrong) {
  auto order = ParseText<v1::SalesOrder>(kOrder);
  v1::BundleComponent* c = order.mutable_lines(1)->add_components();
  c->set_sku("SCARF-PART-A");
  c->set_quantity(1);  // No allocated price, no catalog definition.
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.mutable_lines()->DeleteSubrange(0, 1);
  ret.mutable_lines(0)->set_component_sku("SCARF-PART-A");
  ret.mutable_lines(0)->set_platform_sku("SCARF-PART-A");
  auto planner = MakePlanner();
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  std::vector<std::string> messages =
      MessagesOf(*plan, v1::EXCEPTION_CODE_UNKNOWN_BUNDLE);
  ASSERT_EQ(messages.size(), 2u) << plan->DebugString();  // Stock, credit.
  for (const std::string& m : messages) {
    EXPECT_THAT(m, HasSubstr("but the order lists SCARF-PART-A as a component "
                             "of order line 'L2' (SCARF-BLUE) without its "
                             "share of the price, and the catalog does not "
                             "define that bundle"));
    EXPECT_THAT(m, Not(HasSubstr("neither the order nor the catalog")));
  }

  ret.mutable_lines(0)->set_component_sku("SCARF-PART-Z");
  plan = planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  messages = MessagesOf(*plan, v1::EXCEPTION_CODE_UNKNOWN_BUNDLE);
  ASSERT_EQ(messages.size(), 2u) << plan->DebugString();
  EXPECT_THAT(messages[0],
              HasSubstr("but the order lists SCARF-PART-A, not SCARF-PART-Z, "
                        "as the components of order line 'L2' (SCARF-BLUE)"));

  auto defined = MakePlanner(kRules, R"pb(
    bundles {
      bundle_sku: "SCARF-BLUE"
      components { sku: "SCARF-PART-A" quantity: 1 weight: 3 }
      components { sku: "SCARF-PART-B" quantity: 1 weight: 1 }
    }
  )pb");
  order.mutable_lines(1)->clear_components();
  plan = defined->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  messages = MessagesOf(*plan, v1::EXCEPTION_CODE_UNKNOWN_BUNDLE);
  ASSERT_EQ(messages.size(), 2u) << plan->DebugString();
  EXPECT_THAT(messages[0],
              HasSubstr("but SCARF-PART-Z is not one of the components of "
                        "order line 'L2' (SCARF-BLUE): SCARF-PART-A and "
                        "SCARF-PART-B. Its stock movement is held back."));

  ret.mutable_lines(0)->set_component_sku("SCARF-PART-A");
  plan = planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  messages = MessagesOf(*plan, v1::EXCEPTION_CODE_UNKNOWN_BUNDLE);
  ASSERT_EQ(messages.size(), 2u) << plan->DebugString();
  EXPECT_THAT(messages[0], HasSubstr("order line 'L2' (SCARF-BLUE) is not a "
                                     "bundle"));
}

// Exchanging a component whose price share is unknown parks the exchange
// order: its value cannot be set against the new items (it once went out
// charging the new item's full price as the difference).
TEST(PlannerTest, ExchangeOfAComponentOfUnknownSplitIsParked) {
  auto order = ParseText<v1::SalesOrder>(kOrder);
  v1::BundleComponent* c = order.mutable_lines(1)->add_components();
  c->set_sku("SCARF-PART-A");
  c->set_quantity(1);
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.clear_refunds();
  ret.mutable_lines()->DeleteSubrange(0, 1);
  ret.mutable_lines(0)->set_component_sku("SCARF-PART-A");
  ret.mutable_lines(0)->set_resolution(v1::RESOLUTION_EXCHANGE);
  v1::ExchangeItem* item = ret.add_exchange_items();
  item->set_return_line_id("R2");
  item->set_sku("SCARF-RED");
  item->set_quantity(1);
  item->mutable_unit_price()->set_minor_units(4000);
  absl::StatusOr<v1::PostingPlan> plan =
      MakePlanner()->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exchange_orders_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->parked_exchange_orders_size(), 1);
  bool found = false;
  for (const v1::Exception& e : plan->exceptions()) {
    found |= e.code() == v1::EXCEPTION_CODE_UNKNOWN_BUNDLE &&
             e.parked_keys_size() == 1 &&
             e.parked_keys(0) ==
                 plan->parked_exchange_orders(0).id().idempotency_key();
  }
  EXPECT_TRUE(found) << plan->DebugString();
}

// With SKU aliases, an exchange item must be a SKU the ERP is known to
// stock, which includes a component the order lists without a price split
// (it was once missing from that list: SKU_MISMATCH).
TEST(PlannerTest, ExchangeToAComponentListedWithoutPricesIsKnown) {
  auto order = ParseText<v1::SalesOrder>(kOrder);
  v1::BundleComponent* c = order.mutable_lines(1)->add_components();
  c->set_sku("SCARF-PART-A");
  c->set_quantity(1);
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.clear_refunds();
  ret.mutable_lines()->RemoveLast();
  ret.mutable_lines(0)->set_resolution(v1::RESOLUTION_EXCHANGE);
  v1::ExchangeItem* item = ret.add_exchange_items();
  item->set_return_line_id("R1");
  item->set_sku("SCARF-PART-A");
  item->set_quantity(1);
  item->mutable_unit_price()->set_minor_units(5400);
  auto planner = MakePlanner(kRules, R"pb(
    sku_aliases { platform_sku: "DRESS-RED-10-UK" erp_sku: "DRESS-RED-10" }
  )pb");
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_TRUE(MessagesOf(*plan, v1::EXCEPTION_CODE_SKU_MISMATCH).empty())
      << plan->DebugString();
  EXPECT_EQ(plan->exchange_orders_size(), 1) << plan->DebugString();
}

// An order that names what it sold in the shop's SKUs (as a Shopify order
// does when the shop's SKUs are not the ERP's) agrees with a platform that
// sends the same SKU: both map to one ERP SKU, which is what moves, with or
// without the platform naming the item. A platform SKU that maps elsewhere
// is a mismatch whose message gives both ERP SKUs.
TEST(PlannerTest, OrderInTheShopsSkusMovesTheErpSku) {
  auto planner = MakePlanner(kRules, R"pb(
    sku_aliases { platform_sku: "DRESS-RED-10" erp_sku: "DRESS/RED/10" }
    sku_aliases { platform_sku: "DRESS-RED-12" erp_sku: "DRESS/RED/12" }
  )pb");
  const auto order = ParseText<v1::SalesOrder>(kOrder);
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.clear_refunds();
  ret.mutable_lines()->RemoveLast();
  for (const char* platform_sku : {"DRESS-RED-10", ""}) {
    SCOPED_TRACE(absl::StrCat("platform_sku '", platform_sku, "'"));
    ret.mutable_lines(0)->set_platform_sku(platform_sku);
    absl::StatusOr<v1::PostingPlan> plan =
        planner->Plan(order, ret, v1::OrderHistory());
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
    ASSERT_EQ(plan->stock_movements_size(), 1) << plan->DebugString();
    EXPECT_EQ(plan->stock_movements(0).erp_sku(), "DRESS/RED/10");
  }
  ret.mutable_lines(0)->set_platform_sku("DRESS-RED-12");
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  std::vector<std::string> messages =
      MessagesOf(*plan, v1::EXCEPTION_CODE_SKU_MISMATCH);
  ASSERT_EQ(messages.size(), 1u) << plan->DebugString();
  EXPECT_THAT(messages[0],
              HasSubstr("calls the returned item 'DRESS-RED-12' (ERP SKU "
                        "'DRESS/RED/12'), but order line 'L1' sold "
                        "'DRESS-RED-10' (ERP SKU 'DRESS/RED/10')"));
}

// The components of a whole bundle, as the order lists them (here in the
// shop's SKUs), move as the ERP stocks them: mapped through the catalog
// like any other SKU. A rewrite meant for the shop's SKUs never renames a
// SKU the catalog names as an ERP SKU (an alias's target, a bundle
// component), so the dress sold as its ERP SKU moves unchanged.
TEST(PlannerTest, WholeBundleComponentsAndKnownErpSkusMapAsTheErpStocksThem) {
  auto planner = MakePlanner(kRules, R"pb(
    sku_aliases { platform_sku: "SCARF-A-UK" erp_sku: "SCARF/A" }
    sku_aliases { platform_sku: "DRESS-10" erp_sku: "DRESS-RED-10" }
    sku_rewrites { pattern: "(.*)-(\\d+)" rewrite: "\\1/\\2" }
  )pb");
  auto order = ParseText<v1::SalesOrder>(kOrder);
  v1::SalesOrderLine* scarf = order.mutable_lines(1);
  v1::BundleComponent* a = scarf->add_components();
  a->set_sku("SCARF-A-UK");
  a->set_quantity(1);
  a->mutable_allocated_price()->set_minor_units(3000);
  v1::BundleComponent* b = scarf->add_components();
  b->set_sku("SCARF-B-7");
  b->set_quantity(1);
  b->mutable_allocated_price()->set_minor_units(1000);
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.clear_refunds();
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_TRUE(MessagesOf(*plan, v1::EXCEPTION_CODE_SKU_MISMATCH).empty())
      << plan->DebugString();
  std::vector<std::pair<std::string, std::string>> moved;
  for (const v1::StockMovement& m : plan->stock_movements()) {
    moved.emplace_back(m.component_sku(), m.erp_sku());
  }
  EXPECT_THAT(
      moved, ::testing::UnorderedElementsAre(
                 std::pair<std::string, std::string>("", "DRESS-RED-10"),
                 std::pair<std::string, std::string>("SCARF-A-UK", "SCARF/A"),
                 std::pair<std::string, std::string>("SCARF-B-7", "SCARF-B/7")))
      << plan->DebugString();
}

// A component never inspected is named by its own SKU, not the bundle's.
TEST(PlannerTest, StockNotPostedNamesTheComponent) {
  auto planner = MakePlanner(kRules, R"pb(
    bundles {
      bundle_sku: "SCARF-BLUE"
      components { sku: "SCARF-PART-A" quantity: 1 weight: 3 }
      components { sku: "SCARF-PART-B" quantity: 1 weight: 1 }
    }
  )pb");
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.clear_refunds();
  ret.mutable_lines()->DeleteSubrange(0, 1);
  ret.mutable_lines(0)->set_component_sku("SCARF-PART-B");
  ret.mutable_lines(0)->clear_platform_sku();
  ret.mutable_lines(0)->clear_inspection();
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(ParseText<v1::SalesOrder>(kOrder), ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  std::vector<std::string> messages =
      MessagesOf(*plan, v1::EXCEPTION_CODE_STOCK_NOT_POSTED);
  ASSERT_EQ(messages.size(), 1u) << plan->DebugString();
  EXPECT_THAT(messages[0], HasSubstr("(1 x SCARF-PART-B)"));
}

// Several return lines exchanging units of one order line (a platform that
// lists one item per unit) draw on the same units: valued cumulatively, so
// the refunds owed add up to what the line paid, and units beyond what was
// sold are an OVER_REFUND. (Each line was valued as if it came first: 3 x
// 3.33 = 9.99 of 10.00, and any number of units could be exchanged.)
TEST(PlannerTest, ExchangeLinesOfOneOrderLineShareItsUnits) {
  auto order = ParseText<v1::SalesOrder>(kOrder);
  v1::SalesOrderLine* socks = order.add_lines();
  socks->set_line_id("L3");
  socks->set_sku("SOCKS");
  socks->set_quantity(3);
  socks->mutable_unit_price()->set_minor_units(400);
  socks->add_tax_lines()->set_rate("0");
  v1::DiscountAllocation* a = socks->add_discount_allocations();
  a->set_level(v1::DISCOUNT_LEVEL_LINE);
  a->mutable_amount()->set_minor_units(200);  // L3 paid 10.00 for 3.
  v1::ReturnRequest ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.clear_refunds();
  ret.clear_lines();
  for (int r = 0; r < 3; ++r) {
    v1::ReturnLine* line = ret.add_lines();
    line->set_return_line_id(absl::StrCat("R", r));
    line->set_order_line_id("L3");
    line->set_quantity(1);
    line->set_resolution(v1::RESOLUTION_EXCHANGE);
    line->mutable_inspection()->set_returned(false);  // Still on its way.
    v1::ExchangeItem* item = ret.add_exchange_items();
    item->set_return_line_id(line->return_line_id());
    item->set_sku("SOCKS");
    item->set_quantity(1);
    item->mutable_unit_price()->set_minor_units(0);  // A free replacement.
  }
  auto planner = MakePlanner();
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exceptions_size(), 0) << plan->DebugString();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  const v1::CreditNote& note = plan->credit_notes(0);
  ASSERT_EQ(note.lines_size(), 3);
  EXPECT_EQ(note.lines(0).gross().minor_units(), 333);
  EXPECT_EQ(note.lines(1).gross().minor_units(), 334);
  EXPECT_EQ(note.lines(2).gross().minor_units(), 333);
  ASSERT_EQ(plan->exchange_orders_size(), 1);
  EXPECT_EQ(plan->exchange_orders(0).price_difference().minor_units(), -1000);

  // A fourth unit of the three sold: the exchange order is held back.
  *ret.add_lines() = ret.lines(0);
  ret.mutable_lines(3)->set_return_line_id("R3");
  *ret.add_exchange_items() = ret.exchange_items(0);
  ret.mutable_exchange_items(3)->set_return_line_id("R3");
  plan = planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exchange_orders_size(), 0);
  ASSERT_EQ(plan->parked_exchange_orders_size(), 1) << plan->DebugString();
  EXPECT_EQ(MessagesOf(*plan, v1::EXCEPTION_CODE_OVER_REFUND).size(), 1u)
      << plan->DebugString();
}

// An exchange of units already credited is parked; the exception says what
// its price difference covers, in the singular for one unit.
TEST(PlannerTest, OverExchangeSaysWhatThePriceDifferenceCovers) {
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.clear_refunds();
  ret.mutable_lines()->RemoveLast();
  ret.mutable_lines(0)->set_resolution(v1::RESOLUTION_EXCHANGE);
  v1::ExchangeItem* item = ret.add_exchange_items();
  item->set_return_line_id("R1");
  item->set_sku("DRESS-RED-12");
  item->set_quantity(1);
  item->mutable_unit_price()->set_minor_units(6000);
  v1::OrderHistory history;
  v1::LineHistory* h = history.add_lines();
  h->set_order_line_id("L1");
  h->set_credited_quantity(1);
  absl::StatusOr<v1::PostingPlan> plan =
      MakePlanner()->Plan(ParseText<v1::SalesOrder>(kOrder), ret, history);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->parked_exchange_orders_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->parked_exchange_orders(0).price_difference().minor_units(),
            6000);
  std::vector<std::string> messages =
      MessagesOf(*plan, v1::EXCEPTION_CODE_OVER_REFUND);
  ASSERT_EQ(messages.size(), 1u) << plan->DebugString();
  EXPECT_THAT(messages[0],
              HasSubstr("Line 'R1' exchanges 1 unit of order line 'L1', but it "
                        "was already credited or exchanged."));
  EXPECT_THAT(messages[0],
              HasSubstr("Its price difference sets the new items (GBP 60.00) "
                        "against nothing returned: no unit is still "
                        "refundable."));
}

TEST(PlannerTest, RefundPolicySeesTheGoodsValue) {
  std::string rules = kRules;
  rules += R"pb(
    decisions {
      name: "refund_policy"
      fact_type: "retcon.v1.RefundFact"
      hit_policy: FIRST
      inputs: "computed_minor"
      outputs {
        name: "shipping"
        type: ENUM
        enum_type: "retcon.v1.ShippingRefund"
      }
      rows {
        id: "big"
        cells { range { low: "5000" low_inclusive: true } }
        outputs { enum_value: "SHIPPING_REFUND_ALWAYS" }
      }
      rows {
        id: "small"
        cells { any {} }
        outputs { enum_value: "SHIPPING_REFUND_NEVER" }
      }
    }
  )pb";
  auto planner = MakePlanner(rules);
  auto order = ParseText<v1::SalesOrder>(kOrder);
  v1::ShippingLine* shipping = order.add_shipping_lines();
  shipping->set_shipping_id("S1");
  shipping->mutable_price()->set_minor_units(495);
  shipping->add_tax_lines()->set_rate("20");
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  ret.mutable_refunds(0)->mutable_amount()->set_minor_units(9000 + 495);
  absl::StatusOr<v1::PostingPlan> plan =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->credit_notes_size(), 1) << plan->DebugString();
  EXPECT_EQ(plan->credit_notes(0).total_gross().minor_units(), 9495);
}

// Plan() keeps per-thread scratch (facts, rule inputs, digest contexts):
// eight threads planning at once get the bytes one thread gets.
TEST(PlannerTest, EightThreadsPlanTheSameBytes) {
  auto planner = MakePlanner();
  const auto order = ParseText<v1::SalesOrder>(kOrder);
  const auto ret = ParseText<v1::ReturnRequest>(kReturn);
  absl::StatusOr<v1::PostingPlan> one =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(one.ok()) << one.status();
  std::string expected;
  ASSERT_TRUE(one->SerializeToString(&expected));
  std::vector<std::string> got(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        absl::StatusOr<v1::PostingPlan> plan =
            planner->Plan(order, ret, v1::OrderHistory());
        std::string bytes;
        if (!plan.ok() || !plan->SerializeToString(&bytes)) return;
        if (bytes != expected) return;
      }
      got[t] = expected;
    });
  }
  for (std::thread& t : threads) t.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(got[t], expected) << "thread " << t;
}

// An exact refund is within any tolerance, so the tolerance decision is
// consulted only when the amounts differ: a UNIQUE table whose rows both
// match fails only then.
TEST(PlannerTest, ToleranceIsConsultedOnlyWhenTheRefundDiffers) {
  auto planner = MakePlanner(R"pb(
    id: "unique-tolerance"
    decisions {
      name: "refund_tolerance"
      fact_type: "retcon.v1.RefundFact"
      hit_policy: UNIQUE
      inputs: "currency_code"
      outputs { name: "absolute_minor" type: INTEGER }
      rows {
        id: "gbp"
        cells { equals { string_value: "GBP" } }
        outputs { int_value: 1 }
      }
      rows {
        id: "any"
        cells { any {} }
        outputs { int_value: 5 }
      }
    }
  )pb");
  const auto order = ParseText<v1::SalesOrder>(kOrder);
  auto ret = ParseText<v1::ReturnRequest>(kReturn);
  absl::StatusOr<v1::PostingPlan> exact =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_TRUE(exact.ok()) << exact.status();
  EXPECT_EQ(exact->credit_notes_size(), 1);
  ret.mutable_refunds(0)->mutable_amount()->set_minor_units(8999);
  absl::StatusOr<v1::PostingPlan> off =
      planner->Plan(order, ret, v1::OrderHistory());
  ASSERT_FALSE(off.ok());
  EXPECT_THAT(off.status().message(), HasSubstr("'gbp' and 'any'"));
}

// The rules engine reads every field of the planner's facts through the
// generated accessors: a field added to facts.proto without one fails here.
TEST(PlannerTest, EveryFactFieldHasAnAccessor) {
  absl::StatusOr<plan_internal::FactAccessorSet> facts =
      plan_internal::FactAccessorSet::Build();
  ASSERT_TRUE(facts.ok()) << facts.status();
  for (const google::protobuf::Descriptor* type :
       {v1::ReturnItemFact::descriptor(), v1::RefundFact::descriptor(),
        v1::ExchangeFact::descriptor(), v1::ExceptionFact::descriptor()}) {
    const FieldAccessors* accessors = facts->For(type);
    ASSERT_NE(accessors, nullptr) << type->full_name();
    for (int i = 0; i < type->field_count(); ++i) {
      EXPECT_NE(accessors->reader(i), nullptr)
          << type->full_name() << "." << type->field(i)->name();
    }
  }
  EXPECT_EQ(facts->For(v1::ReturnLine::descriptor()), nullptr);
}

}  // namespace
}  // namespace retcon
