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

Reconciler::Holding Reconciler::HoldingOf(const ExpectedCredit& e,
                                          const FailedCredit& f) const {
  const v1::ReturnRequest& r = returns_[e.ret];
  Holding h;
  bool any = false, all = true;
  for (const v1::ReturnLine& line : r.lines()) {
    if (e.refund >= 0 ? !RefundCovers(RefundOf(e), line)
                      : !OwedByFinalNote(r, line)) {
      continue;
    }
    bool held = false;
    for (uint32_t g = f.failed_begin; g < f.failed_end && !held; ++g) {
      held = failed_[g].erp != kNone &&
             RefundCovers(r.refunds(failed_[g].refund), line);
    }
    any = true;
    all = all && held;
    h.by_f = h.by_f || RefundCovers(r.refunds(f.refund), line);
  }
  h.all = any && all;
  return h;
}

bool Reconciler::PaidOthersOnly(const ExpectedCredit& e, uint32_t begin,
                                uint32_t end) const {
  if (e.refund < 0 || e.erp == kNone) return false;
  const sv currency = CurrencyOf(e);
  const v1::Money& own = erp_[e.erp].amount();
  if (own.currency_code() != currency) return false;
  int64_t held = 0;
  for (uint32_t fi = begin; fi < end; ++fi) {
    const FailedCredit& f = failed_[fi];
    if (f.erp == kNone || erp_[f.erp].amount().currency_code() != currency ||
        !HoldingOf(e, f).by_f) {
      continue;
    }
    held += erp_[f.erp].amount().minor_units();
  }
  // As ValuePostedReplacement in lib/plan/refund_cover.cc: a tie is paid
  // for the held items too.
  const int64_t amount = RefundOf(e).amount().minor_units();
  auto off = [amount](int64_t v) {
    return amount < v ? v - amount : amount - v;
  };
  return off(own.minor_units() + held) > off(own.minor_units());
}

// Links the failed refunds' notes of one return (failed_[begin, end)) with
// the later refunds paying for some of their items, into held_groups_. A
// refund held whole needs no note of its own (the planner posts none); one
// with its own note is linked only when some of its items are not held
// (its note leaves the held ones out): held whole and with a note of its
// own, the items are credited twice, and the held note stands for nothing.
// Nor is one whose amount says it paid only for its other items (as the
// planner decides: PaidOthersOnly).
// A finalised return's expected note held whole is the held note.
void Reconciler::GroupHeldNotes(uint32_t begin, uint32_t end) {
  const uint32_t cb = failed_[begin].credits_begin;
  const uint32_t ce = failed_[begin].credits_end;
  // Union-find over failed_[begin, end) then credits_[cb, ce).
  std::vector<uint32_t> parent(end - begin + ce - cb);
  for (uint32_t i = 0; i < parent.size(); ++i) parent[i] = i;
  auto root = [&parent](uint32_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  std::vector<bool> linked(parent.size(), false);
  for (uint32_t fi = begin; fi < end; ++fi) {
    const FailedCredit& f = failed_[fi];
    if (f.erp == kNone) continue;
    const sv currency = erp_[f.erp].amount().currency_code();
    for (uint32_t c = cb; c < ce; ++c) {
      ExpectedCredit& e = credits_[c];
      if (CurrencyOf(e) != currency) continue;
      const Holding h = HoldingOf(e, f);
      if (!h.by_f) continue;
      if (e.refund < 0) {
        if (e.erp == kNone && h.all) {
          e.erp = f.erp;
          e.erp_method = f.method;
        }
        continue;
      }
      if (e.erp != kNone && h.all) continue;
      if (e.erp != kNone && PaidOthersOnly(e, begin, end)) {
        e.paid_others_only = true;
        continue;
      }
      e.held_whole = h.all;
      const uint32_t a = fi - begin, b = end - begin + c - cb;
      linked[a] = linked[b] = true;
      parent[root(a)] = root(b);
    }
  }
  std::vector<uint32_t> group_of(parent.size(), kNone);
  for (uint32_t i = 0; i < parent.size(); ++i) {
    if (!linked[i]) continue;
    uint32_t& g = group_of[root(i)];
    if (g == kNone) {
      g = static_cast<uint32_t>(held_groups_.size());
      held_groups_.push_back({kNone, cb, ce, begin, end});
    }
    if (i < end - begin) {
      failed_[begin + i].group = g;
      continue;
    }
    const uint32_t c = cb + i - (end - begin);
    credits_[c].group = g;
    if (held_groups_[g].first_credit == kNone) held_groups_[g].first_credit = c;
  }
}

void Reconciler::ReportFailedRefundNotes() {
  for (uint32_t begin = 0; begin < failed_.size();
       begin = failed_[begin].failed_end) {
    GroupHeldNotes(begin, failed_[begin].failed_end);
  }
  for (const FailedCredit& f : failed_) {
    if (f.erp != kNone) ReportFailedRefundNote(f);
  }
}

void Reconciler::ReportFailedRefundNote(const FailedCredit& f) {
  const v1::ErpDocument& d = erp_[f.erp];
  const v1::ReturnRequest& r = returns_[f.ret];
  const v1::RefundTransaction& refund = r.refunds(f.refund);
  // Later refunds of some of the same items: with no note of their own
  // (the note stands for them), or with one for their other items.
  std::vector<std::string> paid_by;
  bool partly = false;  // One of them paid for other items too.
  for (uint32_t c = f.credits_begin; c < f.credits_end; ++c) {
    const ExpectedCredit& e = credits_[c];
    if (f.group == kNone || e.group != f.group || !HoldingOf(e, f).by_f) {
      continue;
    }
    paid_by.push_back(RefundOf(e).refund_id());
    partly = partly || !e.held_whole;
  }
  v1::Gap* gap = AddGap(v1::GAP_TYPE_CREDIT_NOTE_FOR_FAILED_REFUND,
                        *ParseCivilDay(d.posted_date(), ""));
  SetReturnSide(gap, r);
  SetErpSide(gap, d);
  gap->set_refund_id(refund.refund_id());
  gap->set_match_method(f.method);
  gap->set_confidence_percent(100);
  // Paid by a later refund, the note's money is accounted for: its amount
  // is compared, with that refund's own note, with that refund's.
  SetMoney(gap, d.amount().currency_code(),
           paid_by.empty() ? d.amount().minor_units() : 0);
  const std::string head = absl::StrCat(
      "Credit note ", d.document_id(), " is for refund ", refund.refund_id(),
      " of return ", r.return_id(), ", which the returns platform shows as ",
      refund.status() == v1::TRANSACTION_STATUS_FAILED ? "failed" : "canceled");
  if (paid_by.empty()) {
    // Live refunds not yet paid covering some of these items: the planner
    // keeps the note while they are awaited.
    std::vector<std::string> awaited;
    for (const v1::RefundTransaction& later : r.refunds()) {
      if (later.status() == v1::TRANSACTION_STATUS_SUCCESS ||
          later.status() == v1::TRANSACTION_STATUS_FAILED ||
          later.status() == v1::TRANSACTION_STATUS_CANCELED) {
        continue;
      }
      const bool covers = std::any_of(
          r.lines().begin(), r.lines().end(), [&](const v1::ReturnLine& line) {
            return RefundCovers(refund, line) && RefundCovers(later, line);
          });
      if (covers) awaited.push_back(later.refund_id());
    }
    if (!awaited.empty()) {
      const bool one = awaited.size() == 1;
      const std::string names = absl::StrJoin(awaited, " and ");
      gap->set_message(absl::StrCat(
          head, ": the ERP credits ",
          Amount(d.amount().currency_code(), d.amount().minor_units()),
          " the customer was not paid yet. ", one ? "Refund " : "Refunds ",
          names, one ? " covers" : " cover",
          " these items and is not paid yet, so ", d.document_id(),
          " stands for ", one ? "it" : "them", ": keep the credit note while ",
          names, one ? " is" : " are",
          " awaited (retcon posts no second credit note for these items). "
          "If ",
          one ? "it fails or is" : "they fail or are",
          " canceled too, check with the payment provider and reverse the "
          "credit note unless these items are still to be paid."));
      return;
    }
    // Later refunds of these items and others, with their own notes, that
    // paid only for the others.
    std::vector<std::string> others, others_notes;
    int64_t others_paid = 0, others_credited = 0;
    for (uint32_t c = f.credits_begin; c < f.credits_end; ++c) {
      const ExpectedCredit& e = credits_[c];
      if (!e.paid_others_only || !HoldingOf(e, f).by_f) continue;
      others.push_back(RefundOf(e).refund_id());
      others_notes.push_back(erp_[e.erp].document_id());
      others_paid += RefundOf(e).amount().minor_units();
      others_credited += erp_[e.erp].amount().minor_units();
    }
    if (!others.empty()) {
      const bool one = others.size() == 1;
      const sv currency = d.amount().currency_code();
      gap->set_message(absl::StrCat(
          head, ": the ERP credits ",
          Amount(currency, d.amount().minor_units()),
          " the customer was not paid. ", one ? "Refund " : "Refunds ",
          absl::StrJoin(others, " and "), one ? " covers" : " cover",
          " these items and others but paid only for the others (",
          Amount(currency, others_paid), "; ", one ? "its" : "their",
          " own credit note", one ? " " : "s ",
          absl::StrJoin(others_notes, " and "), one ? " credits " : " credit ",
          Amount(currency, others_credited), "), so ", d.document_id(),
          " stands for no refund. Check the refund with the payment provider "
          "and reverse the credit note if it will not be paid (keep it if a "
          "new refund is to pay for these items: retcon posts no second "
          "credit note for them)."));
      return;
    }
    gap->set_message(absl::StrCat(
        head, ": the ERP credits ",
        Amount(d.amount().currency_code(), d.amount().minor_units()),
        " the customer was not paid. Check the refund with the payment "
        "provider and reverse the credit note if it will not be paid (keep "
        "it if a new refund is to pay for these items: retcon posts no "
        "second credit note for them)."));
    return;
  }
  const bool one = paid_by.size() == 1;
  const std::string names = absl::StrJoin(paid_by, " and ");
  const std::string why =
      partly ? absl::StrCat(" paid for these items and others, so ",
                            d.document_id(), " stands for ",
                            one ? "it" : "them", " for these items (",
                            one ? "its" : "their", " own credit note",
                            one ? " is" : "s are", " for the others only)")
             : absl::StrCat(" paid for the same items and ",
                            one ? "has" : "have", " no credit note of ",
                            one ? "its" : "their", " own, so ", d.document_id(),
                            " stands for ", one ? "it" : "them");
  gap->set_message(absl::StrCat(
      head, "; ", one ? "refund " : "refunds ", names, why,
      ". Keep it and note on it in the ERP that ", names,
      " paid it; amounts are compared with ", names,
      partly ? absl::StrCat(", with this note and ", one ? "its" : "their",
                            " own note", one ? "" : "s", " together.")
             : "."));
}

}  // namespace reconcile_internal
}  // namespace retcon
