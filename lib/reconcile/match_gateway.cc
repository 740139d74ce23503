// Pairing gateway refunds with platform refunds, and the three-way amount
// comparison of credit note, platform refund and gateway refund.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "lib/reconcile/internal/reconcile_internal.h"
#include "lib/reconcile/internal/reconciler.h"
#include "retcon/money.h"
#include "retcon/reconcile.h"

namespace retcon {
namespace reconcile_internal {

namespace {

// How a gap's documents were paired; a gap with none paired has no
// confidence (0, shown empty in the CSV).
void SetMatch(v1::Gap* gap, v1::MatchMethod method, int32_t confidence) {
  gap->set_match_method(method);
  gap->set_confidence_percent(
      method == v1::MATCH_METHOD_UNSPECIFIED ? 0 : confidence);
}

}  // namespace

void Reconciler::MatchGateway() {
  if (gateway_.empty()) return;
  absl::flat_hash_map<sv, uint32_t> by_ref, order_head;
  by_ref.reserve(credits_.size() * 2);
  for (uint32_t i = static_cast<uint32_t>(credits_.size()); i-- > 0;) {
    if (credits_[i].refund < 0) continue;
    const v1::RefundTransaction& refund = RefundOf(credits_[i]);
    by_ref.emplace(refund.refund_id(), i);
    if (!refund.external_reference_id().empty()) {
      by_ref.emplace(refund.external_reference_id(), i);
    }
    const sv order = returns_[credits_[i].ret].order_number();
    if (order.empty()) continue;
    // Reuses next_in_order: the ERP fuzzy pass is over.
    credits_[i].next_in_order = kNone;
    auto [it, fresh] = order_head.try_emplace(order, i);
    if (!fresh) credits_[i].next_in_order = std::exchange(it->second, i);
  }
  for (uint32_t g = 0; g < gateway_.size(); ++g) {
    const v1::GatewayRefund& p = gateway_[g];
    const int32_t day = *ParseCivilDay(p.refund_date(), "");
    if (!p.refund_reference().empty()) {
      auto it = by_ref.find(p.refund_reference());
      if (it != by_ref.end()) {
        ExpectedCredit& e = credits_[it->second];
        // A refund id is unique only within its return: the order number,
        // when the gateway gives one, must agree too.
        const bool same_order =
            p.order_number().empty() ||
            p.order_number() == returns_[e.ret].order_number();
        if (e.gateway == kNone && same_order) {
          e.gateway = g;
          e.gateway_method = v1::MATCH_METHOD_REFERENCE;
          ++matched_[v1::MATCH_METHOD_REFERENCE];
          continue;
        }
      }
    }
    uint32_t best = kNone;
    int32_t best_apart = 0;
    int candidates = 0;
    auto head = p.order_number().empty() ? order_head.end()
                                         : order_head.find(p.order_number());
    for (uint32_t c = head == order_head.end() ? kNone : head->second;
         c != kNone; c = credits_[c].next_in_order) {
      const ExpectedCredit& e = credits_[c];
      if (e.gateway != kNone || CurrencyOf(e) != p.amount().currency_code() ||
          RefundOf(e).amount().minor_units() != p.amount().minor_units()) {
        continue;
      }
      const int32_t apart = std::abs(e.day - day);
      if (apart > options_.fuzzy_window_days) continue;
      ++candidates;
      if (best == kNone || apart < best_apart) best = c, best_apart = apart;
    }
    if (best != kNone) {
      ExpectedCredit& e = credits_[best];
      e.gateway = g;
      e.gateway_method = v1::MATCH_METHOD_FUZZY;
      e.confidence =
          std::min(e.confidence, FuzzyConfidence(best_apart, candidates));
      ++matched_[v1::MATCH_METHOD_FUZZY];
      continue;
    }
    v1::Gap* gap = AddGap(v1::GAP_TYPE_GATEWAY_REFUND_WITHOUT_RETURN, day);
    gap->set_gateway_refund_id(p.gateway_refund_id());
    gap->set_order_number(p.order_number());
    gap->set_refund_id(p.refund_reference());
    SetMoney(gap, p.amount().currency_code(), p.amount().minor_units());
    gap->set_message(absl::StrCat(
        "The payment gateway paid refund ", p.gateway_refund_id(),
        " that no return in the returns platform accounts for; find who "
        "refunded it and raise the return."));
  }
}

v1::Gap* Reconciler::NoGatewayRefund(const ExpectedCredit& e) {
  const v1::RefundTransaction& refund = RefundOf(e);
  if (e.gateway != kNone || gateway_.empty() ||
      refund.method() != v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD) {
    return nullptr;
  }
  v1::Gap* gap = AddGap(v1::GAP_TYPE_AMOUNT_DISAGREEMENT, e.day);
  SetMoney(gap, CurrencyOf(e), refund.amount().minor_units());
  gap->set_message(absl::StrCat(
      "Refund ", refund.refund_id(),
      " to the payment method has no gateway refund; check that the "
      "customer was paid."));
  return gap;
}

// The gateway refund of `e` in another currency than the platform's, or
// null.
v1::Gap* Reconciler::GatewayCurrencyMismatch(const ExpectedCredit& e) {
  if (e.gateway == kNone) return nullptr;
  const v1::Money& m = gateway_[e.gateway].amount();
  if (m.currency_code() == CurrencyOf(e)) return nullptr;
  v1::Gap* gap = AddGap(v1::GAP_TYPE_CURRENCY_MISMATCH, e.day);
  SetMoney(gap, m.currency_code(), m.minor_units());
  gap->set_message(absl::StrCat("Gateway refund is in ", m.currency_code(),
                                " but the platform refund is in ",
                                CurrencyOf(e), "."));
  return gap;
}

void Reconciler::FillAmountGap(v1::Gap* gap, const ExpectedCredit& e) {
  SetReturnSide(gap, returns_[e.ret]);
  gap->set_refund_id(RefundOf(e).refund_id());
  if (e.erp != kNone) SetErpSide(gap, erp_[e.erp]);
  if (e.gateway != kNone) {
    gap->set_gateway_refund_id(gateway_[e.gateway].gateway_refund_id());
  }
  const bool fuzzy = e.erp_method == v1::MATCH_METHOD_FUZZY ||
                     e.gateway_method == v1::MATCH_METHOD_FUZZY;
  SetMatch(gap,
           fuzzy            ? v1::MATCH_METHOD_FUZZY
           : e.erp != kNone ? e.erp_method
                            : e.gateway_method,
           e.confidence);
}

// Credit note vs platform refund vs gateway refund, beyond tolerance.
void Reconciler::CompareAmounts(const ExpectedCredit& e) {
  if (e.group != kNone) return CompareGroupAmounts(e);
  const v1::RefundTransaction& refund = RefundOf(e);
  const sv currency = CurrencyOf(e);
  const int64_t platform = refund.amount().minor_units();
  int64_t low = platform, high = platform;
  std::string seen = absl::StrCat("platform ", Amount(currency, platform));
  if (e.erp != kNone) {
    const v1::Money& m = erp_[e.erp].amount();
    if (m.currency_code() != currency) {
      // The note is reported as a mismatch, and the amounts are compared
      // once it is corrected; a gateway refund in yet another currency, or
      // none at all, is a gap of its own.
      v1::Gap* gap = GatewayCurrencyMismatch(e);
      if (gap == nullptr) gap = NoGatewayRefund(e);
      if (gap != nullptr) FillAmountGap(gap, e);
      return;
    }
    low = std::min(low, m.minor_units());
    high = std::max(high, m.minor_units());
    absl::StrAppend(&seen, ", credit note ", Amount(currency, m.minor_units()));
  }
  v1::Gap* gap = GatewayCurrencyMismatch(e);
  if (gap == nullptr) gap = NoGatewayRefund(e);
  if (gap == nullptr && e.gateway != kNone) {
    const int64_t paid = gateway_[e.gateway].amount().minor_units();
    low = std::min(low, paid);
    high = std::max(high, paid);
    absl::StrAppend(&seen, ", gateway ", Amount(currency, paid));
  }
  if (gap == nullptr) {
    if (high - low <= ToleranceOf(currency)) return;
    gap = AddGap(v1::GAP_TYPE_AMOUNT_DISAGREEMENT, e.day);
    SetMoney(gap, currency, high - low);
    gap->set_message(
        absl::StrCat("Amounts disagree by ", Amount(currency, high - low), " (",
                     seen, "); correct the credit note or chase the refund."));
  }
  FillAmountGap(gap, e);
}

Reconciler::GroupTotals Reconciler::TotalsOf(uint32_t group) const {
  const HeldGroup& g = held_groups_[group];
  GroupTotals t;
  const v1::ReturnRequest& r = returns_[credits_[g.first_credit].ret];
  for (uint32_t f = g.failed_begin; f < g.failed_end; ++f) {
    if (failed_[f].group != group) continue;
    const v1::ErpDocument& d = erp_[failed_[f].erp];
    t.erp += d.amount().minor_units();
    absl::StrAppend(&t.notes, t.notes.empty() ? "" : " and ", d.document_id(),
                    " of failed refund ",
                    r.refunds(failed_[f].refund).refund_id());
    ++t.note_count;
  }
  for (uint32_t c = g.credits_begin; c < g.credits_end; ++c) {
    const ExpectedCredit& e = credits_[c];
    if (e.group != group) continue;
    t.platform += RefundOf(e).amount().minor_units();
    absl::StrAppend(&t.refunds, t.refunds.empty() ? "" : " and ",
                    RefundOf(e).refund_id());
    if (e.erp != kNone &&
        erp_[e.erp].amount().currency_code() == CurrencyOf(e)) {
      t.erp += erp_[e.erp].amount().minor_units();
      absl::StrAppend(&t.notes, " and ", erp_[e.erp].document_id());
      ++t.note_count;
    } else if (!e.held_whole) {
      t.all_notes = false;  // Missing, or in another currency: reported.
    }
    if (e.gateway != kNone &&
        gateway_[e.gateway].amount().currency_code() == CurrencyOf(e)) {
      t.gateway += gateway_[e.gateway].amount().minor_units();
    } else {
      t.all_gateway = false;
    }
  }
  return t;
}

// A refund paying for items a failed refund's note holds: its gateway
// refund is checked on its own; the group's amounts (the refunds', their
// gateway refunds', the held notes' plus the refunds' own notes') are
// compared once, at its first refund, so that neither a held note paid by
// two refunds nor a refund paid with two notes looks like a disagreement.
void Reconciler::CompareGroupAmounts(const ExpectedCredit& e) {
  if (v1::Gap* gap = GatewayCurrencyMismatch(e); gap != nullptr) {
    FillAmountGap(gap, e);
  } else if (v1::Gap* gap = NoGatewayRefund(e); gap != nullptr) {
    FillAmountGap(gap, e);
  }
  const HeldGroup& g = held_groups_[e.group];
  if (&e != &credits_[g.first_credit]) return;
  const GroupTotals t = TotalsOf(e.group);
  const sv currency = CurrencyOf(e);
  int64_t low = t.platform, high = t.platform;
  std::string seen = absl::StrCat("platform ", Amount(currency, t.platform),
                                  " for ", t.refunds);
  if (t.all_notes) {
    low = std::min(low, t.erp);
    high = std::max(high, t.erp);
    absl::StrAppend(&seen,
                    t.note_count == 1 ? ", credit note " : ", credit notes ",
                    Amount(currency, t.erp), " for ", t.notes);
  }
  if (t.all_gateway) {
    low = std::min(low, t.gateway);
    high = std::max(high, t.gateway);
    absl::StrAppend(&seen, ", gateway ", Amount(currency, t.gateway));
  }
  if (high - low <= ToleranceOf(currency)) return;
  v1::Gap* gap = AddGap(v1::GAP_TYPE_AMOUNT_DISAGREEMENT, e.day);
  SetMoney(gap, currency, high - low);
  gap->set_message(
      absl::StrCat("Amounts disagree by ", Amount(currency, high - low), " (",
                   seen, "); correct the credit note or chase the refund."));
  FillAmountGap(gap, e);
  if (e.erp == kNone) {
    for (uint32_t f = g.failed_begin; f < g.failed_end; ++f) {
      if (failed_[f].group != e.group) continue;
      SetErpSide(gap, erp_[failed_[f].erp]);
      SetMatch(gap, failed_[f].method, e.confidence);
      break;
    }
  }
}

}  // namespace reconcile_internal
}  // namespace retcon
