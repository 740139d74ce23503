// Reconciliation on crafted data: one clean month-end for a single return,
// then each gap type by changing one thing; malformed inputs name the field.
#include "retcon/reconcile.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "retcon/idempotency.h"
#include "tests/apportion/apportion_test_util.h"

namespace retcon {
namespace {

using testing_internal::ParseText;

using ::testing::HasSubstr;
using ::testing::Not;
using v1::ErpDocument;
using v1::Gap;
using v1::GatewayRefund;
using v1::ReturnRequest;

// Refunded 2026-11-20, received 2026-11-19.
constexpr char kReturn[] = R"pb(
  source: "returngo"
  return_id: "RMA1"
  order_number: "#1001"
  status: RETURN_STATUS_DONE
  currency_code: "GBP"
  lines {
    return_line_id: "L1"
    platform_sku: "TEE-M"
    quantity: 1
    resolution: RESOLUTION_REFUND_TO_PAYMENT_METHOD
    inspection {
      returned: true
      inspected_at { seconds: 1795089600 }
    }
  }
  refunds {
    refund_id: "RF1"
    amount { currency_code: "GBP" minor_units: 2499 }
    status: TRANSACTION_STATUS_SUCCESS
    method: RESOLUTION_REFUND_TO_PAYMENT_METHOD
    external_reference_id: "re_1"
    created_at { seconds: 1795176000 }
  }
)pb";

constexpr char kCreditNote[] = R"pb(
  kind: ERP_DOCUMENT_KIND_CREDIT_NOTE
  document_id: "CN-1"
  order_number: "#1001"
  return_id: "RMA1"
  refund_id: "RF1"
  amount { currency_code: "GBP" minor_units: 2499 }
  posted_date: "2026-11-20"
)pb";

constexpr char kStockMovement[] = R"pb(
  kind: ERP_DOCUMENT_KIND_STOCK_MOVEMENT
  document_id: "SM-1"
  order_number: "#1001"
  return_id: "RMA1"
  return_line_id: "L1"
  sku: "TEE-M"
  quantity: 1
  posted_date: "2026-11-19"
  depot: "LEEDS"
)pb";

constexpr char kGateway[] = R"pb(
  gateway_refund_id: "GW1"
  amount { currency_code: "GBP" minor_units: 2499 }
  refund_date: "2026-11-21"
  order_number: "#1001"
  refund_reference: "re_1"
)pb";

class ReconcileTest : public ::testing::Test {
 public:
  ReconcileTest()
      : returns_{ParseText<ReturnRequest>(kReturn)},
        erp_{ParseText<ErpDocument>(kCreditNote),
             ParseText<ErpDocument>(kStockMovement)},
        gateway_{ParseText<GatewayRefund>(kGateway)} {
    options_.as_of = "2026-11-30";
  }

  v1::ReconcileReport Run() {
    absl::StatusOr<v1::ReconcileReport> report =
        Reconcile(returns_, erp_, gateway_, options_);
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? *report : v1::ReconcileReport();
  }

  // The single gap of the report, which must have exactly one.
  Gap OnlyGap() {
    v1::ReconcileReport report = Run();
    EXPECT_EQ(report.gaps_size(), 1) << report.DebugString();
    return report.gaps_size() > 0 ? report.gaps(0) : Gap();
  }

  std::vector<ReturnRequest> returns_;
  std::vector<ErpDocument> erp_;
  std::vector<GatewayRefund> gateway_;
  ReconcileOptions options_;
};

TEST_F(ReconcileTest, CleanMonthHasNoGaps) {
  v1::ReconcileReport report = Run();
  EXPECT_EQ(report.gaps_size(), 0) << report.DebugString();
  EXPECT_EQ(report.summary().matched_by_reference(), 3);
  EXPECT_EQ(report.summary().gaps(), 0);
}

TEST_F(ReconcileTest, MatchesByIdempotencyKeyFirst) {
  erp_[0].clear_return_id();
  erp_[0].clear_refund_id();
  erp_[0].set_idempotency_key(
      RetconUuid("retcon/v1/credit-note/returngo/RMA1/RF1"));
  erp_[1].clear_return_id();
  erp_[1].set_idempotency_key(
      RetconUuid("retcon/v1/stock-movement/returngo/RMA1/L1/"));
  v1::ReconcileReport report = Run();
  EXPECT_EQ(report.gaps_size(), 0) << report.DebugString();
  EXPECT_EQ(report.summary().matched_by_key(), 2);
}

TEST_F(ReconcileTest, FinalisedReturnWithoutCreditNote) {
  erp_.erase(erp_.begin());
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_RETURN_WITHOUT_CREDIT_NOTE);
  EXPECT_EQ(gap.owner(), v1::OWNER_FINANCE);
  EXPECT_EQ(gap.money_at_stake().currency_code(), "GBP");
  EXPECT_EQ(gap.money_at_stake().minor_units(), 2499);
  EXPECT_EQ(gap.age_days(), 10);
  EXPECT_EQ(gap.age_bucket(), v1::AGE_BUCKET_8_30);
  EXPECT_EQ(gap.return_id(), "RMA1");
  EXPECT_EQ(gap.refund_id(), "RF1");
}

TEST_F(ReconcileTest, FinalisedReturnWithoutRefundTransactionNeedsCreditNote) {
  returns_[0].clear_refunds();
  gateway_.clear();
  erp_.erase(erp_.begin());
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_RETURN_WITHOUT_CREDIT_NOTE);
  EXPECT_EQ(gap.money_at_stake().minor_units(), 0);
}

TEST_F(ReconcileTest, CreditNoteWithoutReturn) {
  ErpDocument outside = ParseText<ErpDocument>(kCreditNote);
  outside.set_document_id("CN-9");
  outside.set_return_id("");
  outside.set_refund_id("");
  outside.set_order_number("#2002");
  outside.mutable_amount()->set_minor_units(1500);
  outside.set_posted_date("2026-10-01");
  erp_.push_back(outside);
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_CREDIT_NOTE_WITHOUT_RETURN);
  EXPECT_EQ(gap.owner(), v1::OWNER_CUSTOMER_SERVICE);
  EXPECT_EQ(gap.erp_document_id(), "CN-9");
  EXPECT_EQ(gap.money_at_stake().minor_units(), 1500);
  EXPECT_EQ(gap.age_days(), 60);
  EXPECT_EQ(gap.age_bucket(), v1::AGE_BUCKET_OVER_30);
}

// RF1 failed after its credit note CN-1 was posted: a finance gap naming
// the note and the refund, found by reference or by key (it was a customer
// service CREDIT_NOTE_WITHOUT_RETURN). The note also stands for the
// finalised return, which expects one now that no refund succeeded.
TEST_F(ReconcileTest, CreditNoteForFailedRefund) {
  returns_[0].mutable_refunds(0)->set_status(v1::TRANSACTION_STATUS_FAILED);
  gateway_.clear();  // The gateway paid nothing.
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_CREDIT_NOTE_FOR_FAILED_REFUND);
  EXPECT_EQ(gap.owner(), v1::OWNER_FINANCE);
  EXPECT_EQ(gap.erp_document_id(), "CN-1");
  EXPECT_EQ(gap.return_id(), "RMA1");
  EXPECT_EQ(gap.refund_id(), "RF1");
  EXPECT_EQ(gap.match_method(), v1::MATCH_METHOD_REFERENCE);
  EXPECT_EQ(gap.confidence_percent(), 100);
  EXPECT_EQ(gap.money_at_stake().currency_code(), "GBP");
  EXPECT_EQ(gap.money_at_stake().minor_units(), 2499);
  EXPECT_EQ(gap.age_days(), 10);  // From the posting.
  EXPECT_EQ(gap.message(),
            "Credit note CN-1 is for refund RF1 of return RMA1, which the "
            "returns platform shows as failed: the ERP credits GBP 24.99 the "
            "customer was not paid. Check the refund with the payment "
            "provider and reverse the credit note if it will not be paid "
            "(keep it if a new refund is to pay for these items: retcon posts "
            "no second credit note for them).");
  EXPECT_EQ(Run().summary().matched_by_reference(), 2);  // CN-1 and SM-1.

  returns_[0].mutable_refunds(0)->set_status(v1::TRANSACTION_STATUS_CANCELED);
  erp_[0].clear_return_id();
  erp_[0].clear_refund_id();
  erp_[0].set_idempotency_key(
      RetconUuid("retcon/v1/credit-note/returngo/RMA1/RF1"));
  gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_CREDIT_NOTE_FOR_FAILED_REFUND);
  EXPECT_EQ(gap.match_method(), v1::MATCH_METHOD_IDEMPOTENCY_KEY);
  EXPECT_THAT(gap.message(), HasSubstr("shows as canceled"));

  // A second note for the same failed refund is a duplicate.
  ErpDocument again = erp_[0];
  again.set_document_id("CN-2");
  again.clear_idempotency_key();
  again.set_return_id("RMA1");
  again.set_refund_id("RF1");
  erp_.push_back(again);
  v1::ReconcileReport report = Run();
  ASSERT_EQ(report.gaps_size(), 2) << report.DebugString();
  EXPECT_EQ(report.gaps(0).type(), v1::GAP_TYPE_DUPLICATE_POSTING);
  EXPECT_EQ(report.gaps(0).erp_document_id(), "CN-2");
  EXPECT_EQ(report.gaps(1).type(), v1::GAP_TYPE_CREDIT_NOTE_FOR_FAILED_REFUND);
}

// The platform paid RF2 for the same item after RF1 failed; the planner
// posts no note for RF2, since CN-1 stands for it. CN-1 is paired with RF2
// (no RETURN_WITHOUT_CREDIT_NOTE, and the amounts are compared): the gap
// says so, with no money at stake, unless the amounts disagree.
TEST_F(ReconcileTest, CreditNoteForFailedRefundStandsForItsReplacement) {
  v1::RefundTransaction* rf2 = returns_[0].add_refunds();
  *rf2 = returns_[0].refunds(0);
  rf2->set_refund_id("RF2");
  returns_[0].mutable_refunds(0)->set_status(v1::TRANSACTION_STATUS_FAILED);
  returns_[0].mutable_refunds(0)->set_external_reference_id("re_0");
  Gap gap = OnlyGap();  // GW1 (re_1) pairs with RF2.
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_CREDIT_NOTE_FOR_FAILED_REFUND);
  EXPECT_EQ(gap.refund_id(), "RF1");
  EXPECT_EQ(gap.money_at_stake().minor_units(), 0);
  EXPECT_EQ(gap.message(),
            "Credit note CN-1 is for refund RF1 of return RMA1, which the "
            "returns platform shows as failed; refund RF2 paid for the same "
            "items and has no credit note of its own, so CN-1 stands for it. "
            "Keep it and note on it in the ERP that RF2 paid it; amounts are "
            "compared with RF2.");

  rf2->mutable_amount()->set_minor_units(2399);
  gateway_[0].mutable_amount()->set_minor_units(2399);
  v1::ReconcileReport report = Run();
  ASSERT_EQ(report.gaps_size(), 2) << report.DebugString();
  EXPECT_EQ(report.gaps(0).type(), v1::GAP_TYPE_CREDIT_NOTE_FOR_FAILED_REFUND);
  EXPECT_EQ(report.gaps(1).type(), v1::GAP_TYPE_AMOUNT_DISAGREEMENT);
  EXPECT_EQ(report.gaps(1).refund_id(), "RF2");
  EXPECT_EQ(report.gaps(1).erp_document_id(), "CN-1");
  EXPECT_EQ(report.gaps(1).money_at_stake().minor_units(), 100);

  // RF2 with a note of its own: CN-1 stands for nothing, its money is at
  // stake.
  rf2->mutable_amount()->set_minor_units(2499);
  gateway_[0].mutable_amount()->set_minor_units(2499);
  ErpDocument own = erp_[0];
  own.set_document_id("CN-2");
  own.set_refund_id("RF2");
  erp_.push_back(own);
  gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_CREDIT_NOTE_FOR_FAILED_REFUND);
  EXPECT_EQ(gap.money_at_stake().minor_units(), 2499);
}

// Two lines (L1 43.89, L2 58.21): RF1 for L1 failed after its note CN-1
// was posted; RF2 paid for both. The planner posts RF2's note CN-2 for L2
// only (CN-1 holds L1), so RF2 is compared with CN-1 plus CN-2.
class HeldNoteReconcileTest : public ReconcileTest {
 public:
  HeldNoteReconcileTest() {
    ReturnRequest& r = returns_[0];
    v1::ReturnLine* l2 = r.add_lines();
    *l2 = r.lines(0);
    l2->set_return_line_id("L2");
    l2->set_platform_sku("TEE-L");
    v1::RefundTransaction* rf1 = r.mutable_refunds(0);
    rf1->set_status(v1::TRANSACTION_STATUS_FAILED);
    rf1->set_external_reference_id("re_0");
    rf1->mutable_amount()->set_minor_units(4389);
    rf1->add_return_line_ids("L1");
    v1::RefundTransaction* rf2 = r.add_refunds();
    *rf2 = ParseText<v1::RefundTransaction>(R"pb(
      refund_id: "RF2"
      amount { currency_code: "GBP" minor_units: 10210 }
      status: TRANSACTION_STATUS_SUCCESS
      method: RESOLUTION_REFUND_TO_PAYMENT_METHOD
      external_reference_id: "re_2"
      created_at { seconds: 1795176000 }
      return_line_ids: "L1"
      return_line_ids: "L2"
    )pb");
    erp_[0].mutable_amount()->set_minor_units(4389);
    ErpDocument cn2 = erp_[0];
    cn2.set_document_id("CN-2");
    cn2.set_refund_id("RF2");
    cn2.mutable_amount()->set_minor_units(5821);
    erp_.push_back(cn2);
    ErpDocument sm2 = erp_[1];
    sm2.set_document_id("SM-2");
    sm2.set_return_line_id("L2");
    sm2.set_sku("TEE-L");
    erp_.push_back(sm2);
    gateway_[0].set_refund_reference("re_2");
    gateway_[0].mutable_amount()->set_minor_units(10210);
  }
};

TEST_F(HeldNoteReconcileTest, ReplacementPaidWithHeldNoteAndItsOwnNote) {
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_CREDIT_NOTE_FOR_FAILED_REFUND);
  EXPECT_EQ(gap.erp_document_id(), "CN-1");
  EXPECT_EQ(gap.money_at_stake().minor_units(), 0);
  EXPECT_EQ(gap.message(),
            "Credit note CN-1 is for refund RF1 of return RMA1, which the "
            "returns platform shows as failed; refund RF2 paid for these items "
            "and others, so CN-1 stands for it for these items (its own credit "
            "note is for the others only). Keep it and note on it in the ERP "
            "that RF2 paid it; amounts are compared with RF2, with this note "
            "and its own note together.");

  // The platform paid RF2 a little less than the two notes credit (nearer
  // both than CN-2 alone, so it paid for CN-1's item too).
  returns_[0].mutable_refunds(1)->mutable_amount()->set_minor_units(10000);
  gateway_[0].mutable_amount()->set_minor_units(10000);
  v1::ReconcileReport report = Run();
  ASSERT_EQ(report.gaps_size(), 2) << report.DebugString();
  EXPECT_EQ(report.gaps(0).money_at_stake().minor_units(), 0);
  EXPECT_EQ(report.gaps(1).type(), v1::GAP_TYPE_AMOUNT_DISAGREEMENT);
  EXPECT_EQ(report.gaps(1).refund_id(), "RF2");
  EXPECT_EQ(report.gaps(1).erp_document_id(), "CN-2");
  EXPECT_EQ(report.gaps(1).money_at_stake().minor_units(), 210);
  EXPECT_EQ(report.gaps(1).message(),
            "Amounts disagree by GBP 2.10 (platform GBP 100.00 for RF2, credit "
            "notes GBP 102.10 for CN-1 of failed refund RF1 and CN-2, gateway "
            "GBP 100.00); correct the credit note or chase the refund.");
}

// RF2 covers L1 and L2 but was paid 58.21, what its own note CN-2 credits:
// as the planner decides (nearer CN-2 alone than CN-2 plus CN-1), it paid
// only for L2, so CN-1 stands for no refund and is to be reversed.
TEST_F(HeldNoteReconcileTest, ReplacementPaidOnlyForTheOthersLeavesHeldNote) {
  returns_[0].mutable_refunds(1)->mutable_amount()->set_minor_units(5821);
  gateway_[0].mutable_amount()->set_minor_units(5821);
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_CREDIT_NOTE_FOR_FAILED_REFUND);
  EXPECT_EQ(gap.erp_document_id(), "CN-1");
  EXPECT_EQ(gap.refund_id(), "RF1");
  EXPECT_EQ(gap.money_at_stake().minor_units(), 4389);
  EXPECT_EQ(gap.message(),
            "Credit note CN-1 is for refund RF1 of return RMA1, which the "
            "returns platform shows as failed: the ERP credits GBP 43.89 the "
            "customer was not paid. Refund RF2 covers these items and others "
            "but paid only for the others (GBP 58.21; its own credit note "
            "CN-2 credits GBP 58.21), so CN-1 stands for no refund. Check the "
            "refund with the payment provider and reverse the credit note if "
            "it will not be paid (keep it if a new refund is to pay for these "
            "items: retcon posts no second credit note for them).");

  // Nearer CN-2 alone than both, though off both: still the others only,
  // and RF2 is compared with CN-2 alone.
  returns_[0].mutable_refunds(1)->mutable_amount()->set_minor_units(6000);
  gateway_[0].mutable_amount()->set_minor_units(6000);
  v1::ReconcileReport report = Run();
  ASSERT_EQ(report.gaps_size(), 2) << report.DebugString();
  EXPECT_EQ(report.gaps(0).type(), v1::GAP_TYPE_CREDIT_NOTE_FOR_FAILED_REFUND);
  EXPECT_EQ(report.gaps(0).money_at_stake().minor_units(), 4389);
  EXPECT_EQ(report.gaps(1).type(), v1::GAP_TYPE_AMOUNT_DISAGREEMENT);
  EXPECT_EQ(report.gaps(1).erp_document_id(), "CN-2");
  EXPECT_EQ(report.gaps(1).money_at_stake().minor_units(), 179);
}

// RF2 for L1 and L2 is pending: CN-1 is kept while RF2 is awaited (as the
// planner says), its money still at stake.
TEST_F(HeldNoteReconcileTest, PendingReplacementKeepsTheHeldNote) {
  returns_[0].mutable_refunds(1)->set_status(v1::TRANSACTION_STATUS_PENDING);
  erp_.erase(erp_.begin() + 2);  // CN-2: not posted while RF2 is pending.
  gateway_.clear();
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_CREDIT_NOTE_FOR_FAILED_REFUND);
  EXPECT_EQ(gap.erp_document_id(), "CN-1");
  EXPECT_EQ(gap.money_at_stake().minor_units(), 4389);
  EXPECT_EQ(gap.message(),
            "Credit note CN-1 is for refund RF1 of return RMA1, which the "
            "returns platform shows as failed: the ERP credits GBP 43.89 the "
            "customer was not paid yet. Refund RF2 covers these items and is "
            "not paid yet, so CN-1 stands for it: keep the credit note while "
            "RF2 is awaited (retcon posts no second credit note for these "
            "items). If it fails or is canceled too, check with the payment "
            "provider and reverse the credit note unless these items are "
            "still to be paid.");
  EXPECT_THAT(gap.message(), Not(HasSubstr("reverse the credit note if")));

  // A pending refund of other items only is not awaited for CN-1's.
  returns_[0].mutable_refunds(1)->clear_return_line_ids();
  returns_[0].mutable_refunds(1)->add_return_line_ids("L2");
  EXPECT_THAT(OnlyGap().message(), HasSubstr("the customer was not paid."));
}

// RF2 paid for L2 only: nothing pays for CN-1's item.
TEST_F(HeldNoteReconcileTest, ReplacementOfOtherItemsDoesNotPayTheHeldNote) {
  v1::RefundTransaction* rf2 = returns_[0].mutable_refunds(1);
  rf2->clear_return_line_ids();
  rf2->add_return_line_ids("L2");
  rf2->mutable_amount()->set_minor_units(5821);
  gateway_[0].mutable_amount()->set_minor_units(5821);
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_CREDIT_NOTE_FOR_FAILED_REFUND);
  EXPECT_EQ(gap.money_at_stake().minor_units(), 4389);
  EXPECT_THAT(gap.message(), HasSubstr("the customer was not paid"));
}

// RF2's own note for L2 is missing: only what CN-1 does not hold is owed.
TEST_F(HeldNoteReconcileTest, ReplacementWithoutItsOwnNoteOwesTheRest) {
  erp_.erase(erp_.begin() + 2);  // CN-2.
  v1::ReconcileReport report = Run();
  ASSERT_EQ(report.gaps_size(), 2) << report.DebugString();
  EXPECT_EQ(report.gaps(0).type(), v1::GAP_TYPE_CREDIT_NOTE_FOR_FAILED_REFUND);
  EXPECT_EQ(report.gaps(0).money_at_stake().minor_units(), 0);
  EXPECT_EQ(report.gaps(1).type(), v1::GAP_TYPE_RETURN_WITHOUT_CREDIT_NOTE);
  EXPECT_EQ(report.gaps(1).refund_id(), "RF2");
  EXPECT_EQ(report.gaps(1).money_at_stake().minor_units(), 5821);
  EXPECT_EQ(report.gaps(1).message(),
            "Return RMA1 refunded RF2 but the ERP has no credit note for it; "
            "post the credit note for the items that CN-1 of failed refund "
            "RF1 does not already credit.");
}

// RF1 for both lines failed after CN-1 was posted; RF2 paid L1 and RF3
// paid L2, with no notes of their own: CN-1 is compared once with both.
TEST_F(HeldNoteReconcileTest, TwoReplacementsOfOneHeldNoteAreComparedTogether) {
  ReturnRequest& r = returns_[0];
  r.mutable_refunds(0)->add_return_line_ids("L2");
  r.mutable_refunds(0)->mutable_amount()->set_minor_units(10210);
  erp_[0].mutable_amount()->set_minor_units(10210);
  erp_.erase(erp_.begin() + 2);  // CN-2.
  v1::RefundTransaction* rf2 = r.mutable_refunds(1);
  rf2->clear_return_line_ids();
  rf2->add_return_line_ids("L1");
  rf2->mutable_amount()->set_minor_units(4389);
  v1::RefundTransaction* rf3 = r.add_refunds();
  *rf3 = *rf2;
  rf3->set_refund_id("RF3");
  rf3->set_external_reference_id("re_3");
  rf3->set_return_line_ids(0, "L2");
  rf3->mutable_amount()->set_minor_units(5821);
  gateway_[0].mutable_amount()->set_minor_units(4389);
  GatewayRefund gw3 = gateway_[0];
  gw3.set_gateway_refund_id("GW3");
  gw3.set_refund_reference("re_3");
  gw3.mutable_amount()->set_minor_units(5821);
  gateway_.push_back(gw3);
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_CREDIT_NOTE_FOR_FAILED_REFUND);
  EXPECT_EQ(gap.money_at_stake().minor_units(), 0);
  EXPECT_THAT(gap.message(),
              HasSubstr("refunds RF2 and RF3 paid for the same items and have "
                        "no credit note of their own, so CN-1 stands for "
                        "them"));

  rf3->mutable_amount()->set_minor_units(5800);
  gateway_[1].mutable_amount()->set_minor_units(5800);
  v1::ReconcileReport report = Run();
  ASSERT_EQ(report.gaps_size(), 2) << report.DebugString();
  EXPECT_EQ(report.gaps(1).type(), v1::GAP_TYPE_AMOUNT_DISAGREEMENT);
  EXPECT_EQ(report.gaps(1).erp_document_id(), "CN-1");
  EXPECT_EQ(report.gaps(1).money_at_stake().minor_units(), 21);
}

// The planner posts a finalised return's note for a donated line; reconcile
// expects it too (internal::IsRefundResolution).
TEST_F(ReconcileTest, DonatedLineOfFinalisedReturnExpectsACreditNote) {
  returns_[0].mutable_lines(0)->set_resolution(v1::RESOLUTION_DONATE);
  returns_[0].clear_refunds();
  gateway_.clear();
  erp_[0].clear_return_id();
  erp_[0].clear_refund_id();
  erp_[0].set_idempotency_key(
      RetconUuid("retcon/v1/credit-note-final/returngo/RMA1"));
  v1::ReconcileReport report = Run();
  EXPECT_EQ(report.gaps_size(), 0) << report.DebugString();
  EXPECT_EQ(report.summary().matched_by_key(), 1);

  erp_.erase(erp_.begin());
  EXPECT_EQ(OnlyGap().type(), v1::GAP_TYPE_RETURN_WITHOUT_CREDIT_NOTE);
}

// As the planner has it: a finalised return's own credit note credits the
// lines owed money that no live transaction covers, even when another
// transaction paid other lines (it was reported as a second posting of
// RF1's note); a pending transaction covers its lines, so a return whose
// only transaction is pending expects no note.
TEST_F(ReconcileTest, FinalisedNoteCreditsLinesNoTransactionCovers) {
  ReturnRequest& r = returns_[0];
  r.mutable_refunds(0)->add_return_line_ids("L1");
  v1::ReturnLine* l2 = r.add_lines();
  l2->set_return_line_id("L2");
  l2->set_platform_sku("CAP");
  l2->set_quantity(1);
  l2->set_resolution(v1::RESOLUTION_STORE_CREDIT);
  ErpDocument final_note = ParseText<ErpDocument>(kCreditNote);
  final_note.set_document_id("CN-F");
  final_note.clear_refund_id();
  final_note.mutable_amount()->set_minor_units(1500);
  erp_.push_back(final_note);
  v1::ReconcileReport report = Run();
  EXPECT_EQ(report.gaps_size(), 0) << report.DebugString();

  erp_.pop_back();
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_RETURN_WITHOUT_CREDIT_NOTE);
  EXPECT_EQ(gap.refund_id(), "");
  EXPECT_THAT(gap.message(), HasSubstr("is finalised with refund lines"));

  // L2's transaction pending: no final note owed; RF1's is still expected.
  v1::RefundTransaction* pending = r.add_refunds();
  pending->set_refund_id("RF2");
  pending->add_return_line_ids("L2");
  pending->set_status(v1::TRANSACTION_STATUS_PENDING);
  pending->mutable_amount()->set_currency_code("GBP");
  pending->mutable_amount()->set_minor_units(1500);
  EXPECT_EQ(Run().gaps_size(), 0) << Run().DebugString();
}

TEST_F(ReconcileTest, ThreeWayDisagreementBeyondTolerance) {
  erp_[0].mutable_amount()->set_minor_units(2498);
  gateway_[0].mutable_amount()->set_minor_units(2501);
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_AMOUNT_DISAGREEMENT);
  EXPECT_EQ(gap.owner(), v1::OWNER_FINANCE);
  EXPECT_EQ(gap.money_at_stake().minor_units(), 3);  // 25.01 - 24.98.
  EXPECT_EQ(gap.erp_document_id(), "CN-1");
  EXPECT_EQ(gap.gateway_refund_id(), "GW1");
  EXPECT_EQ(gap.match_method(), v1::MATCH_METHOD_REFERENCE);
}

TEST_F(ReconcileTest, DisagreementWithinToleranceIsNoGap) {
  erp_[0].mutable_amount()->set_minor_units(2498);
  gateway_[0].mutable_amount()->set_minor_units(2501);
  options_.tolerance_minor_units["GBP"] = 3;
  EXPECT_EQ(Run().gaps_size(), 0);
  options_.tolerance_minor_units["GBP"] = 2;
  EXPECT_EQ(Run().gaps_size(), 1);
}

TEST_F(ReconcileTest, RefundToCardWithoutGatewayRefund) {
  gateway_[0].set_refund_reference("");
  gateway_[0].set_order_number("#other");
  v1::ReconcileReport report = Run();
  ASSERT_EQ(report.gaps_size(), 2) << report.DebugString();
  EXPECT_EQ(report.gaps(0).type(), v1::GAP_TYPE_GATEWAY_REFUND_WITHOUT_RETURN);
  EXPECT_EQ(report.gaps(0).owner(), v1::OWNER_CUSTOMER_SERVICE);
  EXPECT_EQ(report.gaps(1).type(), v1::GAP_TYPE_AMOUNT_DISAGREEMENT);
  EXPECT_EQ(report.gaps(1).money_at_stake().minor_units(), 2499);
}

TEST_F(ReconcileTest, GatewayReferenceMustAgreeOnOrder) {
  // Another return's refund id: the order number tells them apart.
  gateway_[0].set_refund_reference("RF1");
  gateway_[0].set_order_number("#other");
  v1::ReconcileReport report = Run();
  ASSERT_EQ(report.gaps_size(), 2) << report.DebugString();
  EXPECT_EQ(report.gaps(0).type(), v1::GAP_TYPE_GATEWAY_REFUND_WITHOUT_RETURN);
  gateway_[0].set_order_number("#1001");
  EXPECT_EQ(Run().gaps_size(), 0);
}

TEST_F(ReconcileTest, ReceivedItemWithoutStockMovement) {
  erp_.pop_back();
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_RETURN_WITHOUT_STOCK_MOVEMENT);
  EXPECT_EQ(gap.owner(), v1::OWNER_OPERATIONS);
  EXPECT_EQ(gap.return_line_id(), "L1");
  EXPECT_EQ(gap.age_days(), 11);
}

TEST_F(ReconcileTest, ItemNotReceivedNeedsNoStockMovement) {
  returns_[0].mutable_lines(0)->mutable_inspection()->set_returned(false);
  v1::ReconcileReport report = Run();
  ASSERT_EQ(report.gaps_size(), 1);
  EXPECT_EQ(report.gaps(0).type(), v1::GAP_TYPE_STOCK_MOVEMENT_WITHOUT_RETURN);
  erp_.pop_back();
  EXPECT_EQ(Run().gaps_size(), 0);
}

TEST_F(ReconcileTest, StockMovementWithoutReturn) {
  ErpDocument stray = ParseText<ErpDocument>(kStockMovement);
  stray.set_document_id("SM-9");
  stray.set_return_id("RMA404");
  erp_.push_back(stray);
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_STOCK_MOVEMENT_WITHOUT_RETURN);
  EXPECT_EQ(gap.owner(), v1::OWNER_OPERATIONS);
  EXPECT_EQ(gap.erp_document_id(), "SM-9");
}

TEST_F(ReconcileTest, DuplicateSameKeyTwice) {
  erp_[1].set_idempotency_key(
      RetconUuid("retcon/v1/stock-movement/returngo/RMA1/L1/"));
  ErpDocument again = erp_[1];
  again.set_document_id("SM-2");
  again.clear_return_id();
  erp_.push_back(again);
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_DUPLICATE_POSTING);
  EXPECT_EQ(gap.owner(), v1::OWNER_FINANCE);
  EXPECT_EQ(gap.erp_document_id(), "SM-2");
  EXPECT_THAT(gap.message(), HasSubstr("same idempotency key"));
}

TEST_F(ReconcileTest, DuplicateSameReturnLineTwiceWithoutKey) {
  ErpDocument again = erp_[1];
  again.set_document_id("SM-2");
  erp_.push_back(again);
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_DUPLICATE_POSTING);
  EXPECT_EQ(gap.erp_document_id(), "SM-2");
  EXPECT_EQ(gap.return_line_id(), "L1");
}

TEST_F(ReconcileTest, DuplicateCreditNoteCarriesItsMoney) {
  ErpDocument again = erp_[0];
  again.set_document_id("CN-2");
  erp_.push_back(again);
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_DUPLICATE_POSTING);
  EXPECT_EQ(gap.money_at_stake().minor_units(), 2499);
}

TEST_F(ReconcileTest, SkuMovedDiffersFromSkuReturned) {
  erp_[1].set_sku("TEE-L");
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_SKU_MISMATCH);
  EXPECT_EQ(gap.owner(), v1::OWNER_OPERATIONS);
  EXPECT_THAT(gap.message(), HasSubstr("TEE-L"));
}

TEST_F(ReconcileTest, SkuMapTranslatesPlatformSku) {
  erp_[1].set_sku("TEE|BLK|M");
  options_.sku_map["TEE-M"] = "TEE|BLK|M";
  EXPECT_EQ(Run().gaps_size(), 0);
}

TEST_F(ReconcileTest, SkuUnknownToErpItemList) {
  const std::vector<std::string> items = {"TEE-S", "TEE-L"};
  options_.erp_skus = items;
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_SKU_MISMATCH);
  EXPECT_THAT(gap.message(), HasSubstr("unknown in the ERP"));
}

TEST_F(ReconcileTest, DepotDiffersIsInformationalWhenHostGivesExpectedDepot) {
  EXPECT_EQ(Run().gaps_size(), 0);  // Not checked without expected_depot.
  options_.expected_depot = [](const ReturnRequest&, const v1::ReturnLine&) {
    return std::string("LEEDS-QUARANTINE");
  };
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_DEPOT_DIFFERS);
  EXPECT_EQ(gap.owner(), v1::OWNER_OPERATIONS);
  EXPECT_EQ(gap.erp_document_id(), "SM-1");
  EXPECT_THAT(gap.message(), HasSubstr("LEEDS-QUARANTINE"));
  options_.expected_depot = [](const ReturnRequest&, const v1::ReturnLine&) {
    return std::string("LEEDS");
  };
  EXPECT_EQ(Run().gaps_size(), 0);
}

TEST_F(ReconcileTest, CurrencyMismatch) {
  erp_[0].mutable_amount()->set_currency_code("EUR");
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_CURRENCY_MISMATCH);
  EXPECT_EQ(gap.owner(), v1::OWNER_FINANCE);
  EXPECT_EQ(gap.money_at_stake().currency_code(), "EUR");
}

TEST_F(ReconcileTest, FuzzyMatchSameOrderAmountAndWindow) {
  erp_[0].clear_return_id();
  erp_[0].clear_refund_id();
  erp_[0].set_posted_date("2026-11-22");  // Two days after the refund.
  erp_[0].mutable_amount()->set_minor_units(2499);
  v1::ReconcileReport report = Run();
  EXPECT_EQ(report.gaps_size(), 0) << report.DebugString();
  EXPECT_EQ(report.summary().matched_fuzzy(), 1);
}

TEST_F(ReconcileTest, FuzzyMatchReportsConfidenceOnGap) {
  erp_[0].clear_return_id();
  erp_[0].clear_refund_id();
  erp_[0].set_posted_date("2026-11-22");
  gateway_[0].mutable_amount()->set_minor_units(2000);
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_AMOUNT_DISAGREEMENT);
  EXPECT_EQ(gap.match_method(), v1::MATCH_METHOD_FUZZY);
  EXPECT_EQ(gap.confidence_percent(), 85);  // 95 - 5 per day apart.
}

TEST_F(ReconcileTest, FuzzyMatchOutsideWindowIsNoMatch) {
  erp_[0].clear_return_id();
  erp_[0].clear_refund_id();
  erp_[0].set_posted_date("2026-11-28");
  options_.fuzzy_window_days = 7;
  v1::ReconcileReport report = Run();
  ASSERT_EQ(report.gaps_size(), 2) << report.DebugString();
  EXPECT_EQ(report.gaps(0).type(), v1::GAP_TYPE_CREDIT_NOTE_WITHOUT_RETURN);
  EXPECT_EQ(report.gaps(1).type(), v1::GAP_TYPE_RETURN_WITHOUT_CREDIT_NOTE);
}

TEST_F(ReconcileTest, AgeBuckets) {
  erp_.erase(erp_.begin());
  const std::pair<const char*, v1::AgeBucket> cases[] = {
      {"2026-11-20", v1::AGE_BUCKET_0_2},
      {"2026-11-22", v1::AGE_BUCKET_0_2},
      {"2026-11-23", v1::AGE_BUCKET_3_7},
      {"2026-11-27", v1::AGE_BUCKET_3_7},
      {"2026-11-28", v1::AGE_BUCKET_8_30},
      {"2026-12-20", v1::AGE_BUCKET_8_30},
      {"2026-12-21", v1::AGE_BUCKET_OVER_30}};
  for (const auto& [as_of, bucket] : cases) {
    options_.as_of = as_of;
    EXPECT_EQ(OnlyGap().age_bucket(), bucket) << as_of;
  }
}

TEST_F(ReconcileTest, SummaryTotalsPerTypeOwnerAndBucketPerCurrency) {
  erp_.clear();  // No credit note, no stock movement.
  v1::ReconcileReport report = Run();
  const v1::ReconcileSummary& s = report.summary();
  EXPECT_EQ(s.gaps(), 2);
  ASSERT_EQ(s.by_type_size(), 2);
  EXPECT_EQ(s.by_type(0).name(), "RETURN_WITHOUT_CREDIT_NOTE");
  EXPECT_EQ(s.by_type(0).money_at_stake(0).minor_units(), 2499);
  ASSERT_EQ(s.by_owner_size(), 2);
  EXPECT_EQ(s.by_owner(0).name(), "FINANCE");
  EXPECT_EQ(s.by_owner(1).name(), "OPERATIONS");
  ASSERT_EQ(s.money_at_stake_size(), 1);
  EXPECT_EQ(s.money_at_stake(0).currency_code(), "GBP");
  EXPECT_EQ(s.money_at_stake(0).minor_units(), 2499);
  const std::string text = ReportSummaryText(report);
  EXPECT_THAT(text, HasSubstr("RETURN_WITHOUT_CREDIT_NOTE"));
  EXPECT_THAT(text, HasSubstr("GBP 24.99"));
}

TEST_F(ReconcileTest, CsvQuotesPerRfc4180) {
  erp_.erase(erp_.begin());
  returns_[0].set_order_number("#1001, \"gift\"");
  const std::string csv = ReportGapsCsv(Run());
  EXPECT_THAT(csv,
              HasSubstr("\r\nRETURN_WITHOUT_CREDIT_NOTE,FINANCE,GBP,24.99,10,"
                        "8-30,,,returngo,RMA1,RF1,,"
                        "\"#1001, \"\"gift\"\"\",,,,"));
  EXPECT_THAT(csv, HasSubstr("type,owner,currency,money_at_stake"));
}

TEST_F(ReconcileTest, CsvTextThatLooksLikeAFormulaIsEscaped) {
  erp_.erase(erp_.begin());
  returns_[0].set_order_number("=HYPERLINK(\"http://x\",\"y\")");
  returns_[0].set_return_id("@RMA1");
  const std::string csv = ReportGapsCsv(Run());
  EXPECT_THAT(csv, HasSubstr(",returngo,'@RMA1,RF1,,"
                             "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","));
  EXPECT_THAT(csv, Not(HasSubstr(",=HYPERLINK")));
  EXPECT_THAT(csv, Not(HasSubstr(",@RMA1")));
}

TEST_F(ReconcileTest, JsonUsesProtoFieldNames) {
  erp_.erase(erp_.begin());
  EXPECT_THAT(ReportJson(Run()), HasSubstr("\"money_at_stake\""));
}

TEST_F(ReconcileTest, SameInputsSameReport) {
  erp_.clear();
  EXPECT_EQ(Run().SerializeAsString(), Run().SerializeAsString());
}

// --- whole bundles and quantities ------------------------------------------

// Line L1 returns one whole gift set (not stocked as a kit): the planner
// posts one movement per component, 2 x GS-OIL and 1 x GS-CANDLE.
class BundleReconcileTest : public ReconcileTest {
 public:
  BundleReconcileTest() {
    returns_[0].mutable_lines(0)->set_platform_sku("GS-SPA");
    erp_[1] = Component("SM-1", "GS-OIL", 2);
    erp_.push_back(Component("SM-2", "GS-CANDLE", 1));
  }

  static ErpDocument Component(const std::string& id, const std::string& sku,
                               int64_t quantity) {
    ErpDocument d = ParseText<ErpDocument>(kStockMovement);
    d.set_document_id(id);
    d.set_component_sku(sku);
    d.set_sku(sku);
    d.set_quantity(quantity);
    return d;
  }
  static std::string KeyOf(const std::string& component) {
    return RetconUuid(
        absl::StrCat("retcon/v1/stock-movement/returngo/RMA1/L1/", component));
  }
};

TEST_F(BundleReconcileTest, WholeBundleMovedAsComponentsHasNoGaps) {
  v1::ReconcileReport report = Run();
  EXPECT_EQ(report.gaps_size(), 0) << report.DebugString();
  EXPECT_EQ(report.summary().matched_by_reference(), 4);  // CN, SM-1, SM-2, GW.
}

TEST_F(BundleReconcileTest, ComponentsMatchByTheirOwnKeys) {
  // With references and a key: the key is checked, so the pairing is by key.
  erp_[1].set_idempotency_key(KeyOf("GS-OIL"));
  // Only the key and the order number: found through the order's lines.
  erp_[2].clear_return_id();
  erp_[2].clear_return_line_id();
  erp_[2].set_idempotency_key(KeyOf("GS-CANDLE"));
  v1::ReconcileReport report = Run();
  EXPECT_EQ(report.gaps_size(), 0) << report.DebugString();
  EXPECT_EQ(report.summary().matched_by_key(), 2);
  EXPECT_EQ(report.summary().matched_by_reference(), 2);  // CN, GW.
}

TEST_F(BundleReconcileTest, ComponentKeyOfAnotherLineIsNotAMatch) {
  erp_[2].clear_return_id();
  erp_[2].clear_return_line_id();
  erp_[2].set_idempotency_key(
      RetconUuid("retcon/v1/stock-movement/returngo/RMA1/L2/GS-CANDLE"));
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_STOCK_MOVEMENT_WITHOUT_RETURN);
  EXPECT_EQ(gap.erp_document_id(), "SM-2");
}

TEST_F(BundleReconcileTest, ComponentPostedTwiceIsOneDuplicate) {
  erp_.push_back(Component("SM-3", "GS-OIL", 2));
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_DUPLICATE_POSTING);
  EXPECT_EQ(gap.erp_document_id(), "SM-3");
  EXPECT_EQ(gap.return_line_id(), "L1");
  EXPECT_EQ(gap.message(),
            "ERP document SM-3 is posted twice (same return line and bundle "
            "component GS-OIL twice); reverse the second posting.");
}

TEST_F(BundleReconcileTest, ComponentPostedTwiceByKeyOnly) {
  erp_[1].set_idempotency_key(KeyOf("GS-OIL"));
  ErpDocument again = Component("SM-3", "GS-OIL", 2);
  again.clear_return_id();
  again.clear_return_line_id();
  again.set_idempotency_key(KeyOf("GS-OIL"));
  erp_.push_back(again);
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_DUPLICATE_POSTING);
  EXPECT_EQ(gap.erp_document_id(), "SM-3");
  EXPECT_THAT(gap.message(), HasSubstr("same idempotency key twice"));
}

TEST_F(BundleReconcileTest, BundleMovedWholeAndAsComponentsIsADuplicate) {
  ErpDocument whole = ParseText<ErpDocument>(kStockMovement);
  whole.set_document_id("SM-0");
  whole.set_sku("GS-SPA");
  erp_.insert(erp_.begin() + 1, whole);
  v1::ReconcileReport report = Run();
  ASSERT_EQ(report.gaps_size(), 2) << report.DebugString();
  EXPECT_EQ(report.gaps(0).type(), v1::GAP_TYPE_DUPLICATE_POSTING);
  EXPECT_EQ(report.gaps(0).erp_document_id(), "SM-1");
  EXPECT_THAT(report.gaps(0).message(), HasSubstr("same return line twice"));
  EXPECT_EQ(report.gaps(1).erp_document_id(), "SM-2");
}

TEST_F(BundleReconcileTest, KitStockedBundleMovesTheBundleSku) {
  ErpDocument kit = ParseText<ErpDocument>(kStockMovement);
  kit.set_sku("GS-SPA");
  kit.set_idempotency_key(KeyOf(""));
  erp_.resize(1);
  erp_.push_back(kit);
  v1::ReconcileReport report = Run();
  EXPECT_EQ(report.gaps_size(), 0) << report.DebugString();
  EXPECT_EQ(report.summary().matched_by_key(), 1);
  // A kit's units are the bundles returned: compared.
  erp_[1].set_quantity(2);
  EXPECT_EQ(OnlyGap().type(), v1::GAP_TYPE_STOCK_MOVEMENT_WITHOUT_RETURN);
  // A second kit movement of the line is a duplicate.
  erp_[1].set_quantity(1);
  erp_.push_back(erp_[1]);
  erp_.back().set_document_id("SM-2");
  erp_.back().clear_idempotency_key();
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_DUPLICATE_POSTING);
  EXPECT_EQ(gap.erp_document_id(), "SM-2");
}

TEST_F(BundleReconcileTest, ComponentQuantitiesAreNotCompared) {
  erp_[1].set_quantity(7);  // Units per bundle are unknown here.
  EXPECT_EQ(Run().gaps_size(), 0);
}

TEST_F(BundleReconcileTest, ComponentSkuComparedWithTheComponentItNames) {
  erp_[2].set_sku("GS-CANDLE-ROSE");
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_SKU_MISMATCH);
  EXPECT_EQ(gap.erp_document_id(), "SM-2");
  EXPECT_EQ(gap.message(),
            "Stock movement SM-2 moved SKU GS-CANDLE-ROSE but is booked as "
            "bundle component GS-CANDLE of return RMA1 line L1; correct the "
            "movement or the SKU map.");
  options_.sku_map["GS-CANDLE"] = "GS-CANDLE-ROSE";  // Or as translated.
  EXPECT_EQ(Run().gaps_size(), 0);
}

TEST_F(BundleReconcileTest, BundleMovedAsComponentsNeedNotBeAnErpItem) {
  const std::vector<std::string> items = {"GS-OIL", "GS-CANDLE"};
  options_.erp_skus = items;
  EXPECT_EQ(Run().gaps_size(), 0);
  erp_.resize(1);  // Nothing moved: the returned SKU is all there is.
  v1::ReconcileReport report = Run();
  ASSERT_EQ(report.gaps_size(), 2) << report.DebugString();
  EXPECT_EQ(report.gaps(1).type(), v1::GAP_TYPE_SKU_MISMATCH);
}

TEST_F(BundleReconcileTest, ReturnedComponentTakesOneMovementOfItsUnits) {
  // A component returned on its own: its line names it.
  returns_[0].mutable_lines(0)->set_component_sku("GS-OIL");
  erp_[1].set_quantity(1);
  erp_.resize(2);
  EXPECT_EQ(Run().gaps_size(), 0);
  erp_[1].set_quantity(2);
  EXPECT_EQ(OnlyGap().type(), v1::GAP_TYPE_STOCK_MOVEMENT_WITHOUT_RETURN);
}

TEST_F(ReconcileTest, FewerUnitsMovedThanReceived) {
  returns_[0].mutable_lines(0)->set_quantity(2);
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_RETURN_WITHOUT_STOCK_MOVEMENT);
  EXPECT_EQ(gap.owner(), v1::OWNER_OPERATIONS);
  EXPECT_EQ(gap.erp_document_id(), "SM-1");
  EXPECT_EQ(gap.return_line_id(), "L1");
  EXPECT_EQ(gap.match_method(), v1::MATCH_METHOD_REFERENCE);
  EXPECT_EQ(gap.confidence_percent(), 100);
  EXPECT_EQ(gap.age_days(), 11);  // Dated by the inspection.
  EXPECT_EQ(gap.money_at_stake().minor_units(), 0);
  EXPECT_EQ(gap.message(),
            "Return RMA1 line L1 (2 x TEE-M) was received but stock movement "
            "SM-1 moved only 1; post the other 1.");
}

TEST_F(ReconcileTest, MoreUnitsMovedThanReceived) {
  returns_[0].mutable_lines(0)->set_quantity(2);
  erp_[1].set_quantity(3);
  erp_[1].set_posted_date("2026-11-21");
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_STOCK_MOVEMENT_WITHOUT_RETURN);
  EXPECT_EQ(gap.owner(), v1::OWNER_OPERATIONS);
  EXPECT_EQ(gap.erp_document_id(), "SM-1");
  EXPECT_EQ(gap.return_id(), "RMA1");
  EXPECT_EQ(gap.return_line_id(), "L1");
  EXPECT_EQ(gap.match_method(), v1::MATCH_METHOD_REFERENCE);
  EXPECT_EQ(gap.age_days(), 9);  // Dated by the posting.
  EXPECT_EQ(gap.message(),
            "Stock movement SM-1 (3 x TEE-M) is for return RMA1 line L1, "
            "which received 2; check the goods and reverse the extra 1 if no "
            "more came back.");
}

TEST_F(ReconcileTest, QuantityComparedOnKeyMatchesToo) {
  erp_[1].clear_return_id();
  erp_[1].set_idempotency_key(
      RetconUuid("retcon/v1/stock-movement/returngo/RMA1/L1/"));
  returns_[0].mutable_lines(0)->set_quantity(3);
  Gap gap = OnlyGap();
  EXPECT_EQ(gap.type(), v1::GAP_TYPE_RETURN_WITHOUT_STOCK_MOVEMENT);
  EXPECT_EQ(gap.match_method(), v1::MATCH_METHOD_IDEMPOTENCY_KEY);
  EXPECT_THAT(gap.message(), HasSubstr("post the other 2."));
}

TEST_F(ReconcileTest, DuplicateOfAShortMovementIsStillADuplicate) {
  // The second document is reversed; the first still lacks a unit.
  returns_[0].mutable_lines(0)->set_quantity(2);
  erp_.push_back(erp_[1]);
  erp_.back().set_document_id("SM-2");
  v1::ReconcileReport report = Run();
  ASSERT_EQ(report.gaps_size(), 2) << report.DebugString();
  EXPECT_EQ(report.gaps(0).type(), v1::GAP_TYPE_RETURN_WITHOUT_STOCK_MOVEMENT);
  EXPECT_EQ(report.gaps(0).erp_document_id(), "SM-1");
  EXPECT_EQ(report.gaps(1).type(), v1::GAP_TYPE_DUPLICATE_POSTING);
  EXPECT_EQ(report.gaps(1).erp_document_id(), "SM-2");
}

// --- malformed input --------------------------------------------------------

TEST_F(ReconcileTest, RejectsBadAsOf) {
  options_.as_of = "30/11/2026";
  absl::StatusOr<v1::ReconcileReport> r =
      Reconcile(returns_, erp_, gateway_, options_);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("options.as_of"));
}

TEST_F(ReconcileTest, MalformedRecordsNameTheField) {
  struct Case {
    std::function<void(ReconcileTest*)> change;
    const char* field;
  };
  const Case cases[] = {
      {[](ReconcileTest* t) { t->returns_[0].clear_return_id(); },
       "returns[0].return_id: required"},
      {[](ReconcileTest* t) {
         t->returns_[0].mutable_lines(0)->set_quantity(0);
       },
       "returns[0].lines[0].quantity: must be > 0"},
      {[](ReconcileTest* t) {
         t->returns_[0].mutable_refunds(0)->mutable_amount()->set_currency_code(
             "GBX");
       },
       "returns[0].refunds[0].amount.currency_code: unknown currency"},
      {[](ReconcileTest* t) {
         t->returns_[0].mutable_refunds(0)->mutable_amount()->set_minor_units(
             -1);
       },
       "returns[0].refunds[0].amount.minor_units: must not be negative"},
      {[](ReconcileTest* t) { t->erp_[1].set_posted_date("2026-02-30"); },
       "erp[1].posted_date: expected a date"},
      {[](ReconcileTest* t) { t->erp_[0].clear_amount(); },
       "erp[0].amount: required"},
      {[](ReconcileTest* t) { t->erp_[1].set_quantity(-2); },
       "erp[1].quantity: must be > 0"},
      {[](ReconcileTest* t) { t->erp_[0].set_idempotency_key("abc"); },
       "erp[0].idempotency_key: expected a UUID"},
      {[](ReconcileTest* t) {
         t->erp_[0].set_kind(v1::ERP_DOCUMENT_KIND_UNSPECIFIED);
       },
       "erp[0].kind"},
      {[](ReconcileTest* t) { t->erp_[0].clear_document_id(); },
       "erp[0].document_id: required"},
      {[](ReconcileTest* t) { t->gateway_[0].clear_gateway_refund_id(); },
       "gateway[0].gateway_refund_id: required"},
      {[](ReconcileTest* t) { t->gateway_[0].set_refund_date(""); },
       "gateway[0].refund_date: required"},
      {[](ReconcileTest* t) { t->returns_.push_back(t->returns_[0]); },
       "returns[1].return_id: \"RMA1\" appears twice (also returns[0])"},
      {[](ReconcileTest* t) {
         *t->returns_[0].add_refunds() = t->returns_[0].refunds(0);
       },
       "returns[0].refunds[1].refund_id: \"RF1\" repeats refunds[0]"},
      {[](ReconcileTest* t) {
         *t->returns_[0].add_lines() = t->returns_[0].lines(0);
       },
       "returns[0].lines[1].return_line_id: \"L1\" repeats lines[0]"},
  };
  for (const Case& c : cases) {
    ReconcileTest* self = this;
    std::vector<ReturnRequest> returns = returns_;
    std::vector<ErpDocument> erp = erp_;
    std::vector<GatewayRefund> gateway = gateway_;
    c.change(self);
    absl::StatusOr<v1::ReconcileReport> r =
        Reconcile(returns_, erp_, gateway_, options_);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_THAT(r.status().message(), HasSubstr(c.field));
    returns_ = returns;
    erp_ = erp;
    gateway_ = gateway;
  }
}

}  // namespace
}  // namespace retcon
