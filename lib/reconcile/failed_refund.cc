// Credit notes for refunds the platform shows as FAILED or CANCELED. The
// planner never reverses a note: one posted before its refund failed stays
// in the ERP, and it stands for a later refund of the same items (the
// planner posts no note for that one; docs/integration/planner.md). So such
// a note is a finance gap of its own, not a credit note without return, and
// a later refund whose items it holds is paired with it rather than
// reported as a return without credit note.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/reconcile/internal/reconcile_internal.h"
#include "lib/reconcile/internal/reconciler.h"
#include "retcon/reconcile.h"

namespace retcon {
namespace reconcile_internal {

bool RefundCovers(const v1::RefundTransaction& refund,
                  const v1::ReturnLine& line) {
  return refund.return_line_ids().empty() ||
         std::find(refund.return_line_ids().begin(),
                   refund.return_line_ids().end(),
                   line.return_line_id()) != refund.return_line_ids().end();
}

uint32_t Reconciler::FailedCreditOf(const v1::ErpDocument& d,
                                    v1::MatchMethod method) const {
  if (method == v1::MATCH_METHOD_IDEMPOTENCY_KEY) {
    auto it = failed_by_key_.find(ParseKey(d.idempotency_key()));
    return it == failed_by_key_.end() ? kNone : it->second;
  }
  auto it =
      failed_by_ref_.find(std::make_pair(sv(d.return_id()), sv(d.refund_id())));
  return it == failed_by_ref_.end() ? kNone : it->second;
}

void Reconciler::MatchFailed(uint32_t doc, uint32_t failed,
                             v1::MatchMethod method) {
  FailedCredit& f = failed_[failed];
  if (f.erp != kNone) {
    Duplicate(doc, "same return and refund twice");
    return;
  }
  f.erp = doc;
  f.method = method;
  ++matched_[method];
}

// Whether the lines expected credit `e` credits (its refund's, or a
// finalised return's lines owed money) are all held by the credit notes of
// the return's failed refunds, one of them `f`'s.
bool Reconciler::HeldBy(const ExpectedCredit& e, const FailedCredit& f) const {
  const v1::ReturnRequest& r = returns_[e.ret];
  bool any = false, by_f = false;
  for (const v1::ReturnLine& line : r.lines()) {
    if (e.refund >= 0 ? !RefundCovers(RefundOf(e), line)
                      : !IsMoneyResolution(line.resolution())) {
      continue;
    }
    bool held = false;
    for (uint32_t g = f.failed_begin; g < f.failed_end && !held; ++g) {
      held = failed_[g].erp != kNone &&
             RefundCovers(r.refunds(failed_[g].refund), line);
    }
    if (!held) return false;
    any = true;
    by_f = by_f || RefundCovers(r.refunds(f.refund), line);
  }
  return any && by_f;
}

void Reconciler::ReportFailedRefundNotes() {
  for (const FailedCredit& f : failed_) {
    if (f.erp == kNone) continue;
    const v1::ErpDocument& d = erp_[f.erp];
    const v1::ReturnRequest& r = returns_[f.ret];
    const v1::RefundTransaction& refund = r.refunds(f.refund);
    // Later refunds of the same items, with no note of their own.
    std::vector<std::string> paid_by;
    for (uint32_t c = f.credits_begin; c < f.credits_end; ++c) {
      ExpectedCredit& e = credits_[c];
      if (e.erp != kNone || CurrencyOf(e) != d.amount().currency_code() ||
          !HeldBy(e, f)) {
        continue;
      }
      e.erp = f.erp;
      e.erp_method = f.method;
      if (e.refund >= 0) paid_by.push_back(RefundOf(e).refund_id());
    }
    v1::Gap* gap = AddGap(v1::GAP_TYPE_CREDIT_NOTE_FOR_FAILED_REFUND,
                          *ParseCivilDay(d.posted_date(), ""));
    SetReturnSide(gap, r);
    SetErpSide(gap, d);
    gap->set_refund_id(refund.refund_id());
    gap->set_match_method(f.method);
    gap->set_confidence_percent(100);
    // Paid by a later refund, the note's money is accounted for: its
    // amount is compared with that refund's as usual.
    SetMoney(gap, d.amount().currency_code(),
             paid_by.empty() ? d.amount().minor_units() : 0);
    const std::string head = absl::StrCat(
        "Credit note ", d.document_id(), " is for refund ", refund.refund_id(),
        " of return ", r.return_id(), ", which the returns platform shows as ",
        refund.status() == v1::TRANSACTION_STATUS_FAILED ? "failed"
                                                         : "canceled");
    if (paid_by.empty()) {
      gap->set_message(absl::StrCat(
          head, ": the ERP credits ",
          Amount(d.amount().currency_code(), d.amount().minor_units()),
          " the customer was not paid. Check the refund with the payment "
          "provider and reverse the credit note if it will not be paid (keep "
          "it if a new refund is to pay for these items: retcon posts no "
          "second credit note for them)."));
      continue;
    }
    const bool one = paid_by.size() == 1;
    const std::string names = absl::StrJoin(paid_by, " and ");
    gap->set_message(
        absl::StrCat(head, "; ", one ? "refund " : "refunds ", names,
                     " paid for the same items and ", one ? "has" : "have",
                     " no credit note of ", one ? "its" : "their", " own, so ",
                     d.document_id(), " stands for ", one ? "it" : "them",
                     ". Keep it and note on it in the ERP that ", names,
                     " paid it; amounts are compared with ", names, "."));
  }
}

}  // namespace reconcile_internal
}  // namespace retcon
