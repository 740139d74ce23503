// Pairing ERP documents with expected postings: by idempotency key and by
// references in one pass, then fuzzily (same order, amount or SKU and
// quantity, date window) for what is left.
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
#include "retcon/idempotency.h"
#include "retcon/reconcile.h"

namespace retcon {
namespace reconcile_internal {

void Reconciler::Duplicate(uint32_t doc, sv why) {
  const v1::ErpDocument& d = erp_[doc];
  v1::Gap* gap = AddGap(v1::GAP_TYPE_DUPLICATE_POSTING,
                        *ParseCivilDay(d.posted_date(), ""));
  SetErpSide(gap, d);
  gap->set_source(d.source());
  gap->set_return_id(d.return_id());
  gap->set_refund_id(d.refund_id());
  gap->set_return_line_id(d.return_line_id());
  if (d.kind() == v1::ERP_DOCUMENT_KIND_CREDIT_NOTE) {
    SetMoney(gap, d.amount().currency_code(), d.amount().minor_units());
  }
  gap->set_message(absl::StrCat("ERP document ", d.document_id(),
                                " is posted twice (", why,
                                "); reverse the second posting."));
}

void Reconciler::MatchErpExact() {
  absl::flat_hash_set<Key128> seen_keys;
  seen_keys.reserve(erp_.size());
  for (uint32_t i = 0; i < erp_.size(); ++i) {
    const v1::ErpDocument& d = erp_[i];
    const bool credit = d.kind() == v1::ERP_DOCUMENT_KIND_CREDIT_NOTE;
    uint32_t target = kNone;
    v1::MatchMethod method = v1::MATCH_METHOD_UNSPECIFIED;
    if (!d.idempotency_key().empty()) {
      const Key128 key = ParseKey(d.idempotency_key());
      if (!seen_keys.insert(key).second) {
        Duplicate(i, "same idempotency key twice");
        continue;
      }
      auto it = by_key_.find(key);
      if (it != by_key_.end() && ((it->second & kStockBit) == 0) == credit) {
        target = it->second & ~kStockBit;
        method = v1::MATCH_METHOD_IDEMPOTENCY_KEY;
      }
    }
    if (target == kNone && credit && !failed_by_key_.empty() &&
        !d.idempotency_key().empty()) {
      const uint32_t failed =
          FailedCreditOf(d, v1::MATCH_METHOD_IDEMPOTENCY_KEY);
      if (failed != kNone) {
        MatchFailed(i, failed, v1::MATCH_METHOD_IDEMPOTENCY_KEY);
        continue;
      }
    }
    if (target == kNone && !d.return_id().empty()) {
      const auto& index = credit ? credit_by_ref_ : stock_by_ref_;
      auto it = index.find(
          std::make_pair(sv(d.return_id()),
                         credit ? sv(d.refund_id()) : sv(d.return_line_id())));
      if (it != index.end()) {
        target = it->second;
        method = v1::MATCH_METHOD_REFERENCE;
        if (!credit && !d.idempotency_key().empty() &&
            ComponentKeyMatches(d, stocks_[target])) {
          method = v1::MATCH_METHOD_IDEMPOTENCY_KEY;
        }
      }
    }
    if (target == kNone && credit && !failed_.empty()) {
      const uint32_t failed = FailedCreditOf(d, v1::MATCH_METHOD_REFERENCE);
      if (failed != kNone) {
        MatchFailed(i, failed, v1::MATCH_METHOD_REFERENCE);
        continue;
      }
    }
    if (target == kNone) {
      unmatched_erp_.push_back(i);
    } else if (credit) {
      if (credits_[target].erp != kNone) {
        Duplicate(i, "same return and refund twice");
      } else {
        MatchCredit(i, target, method, 100);
      }
    } else {
      PairStock(i, target, method, 100);
    }
  }
}

// A component movement's key names the return line and the component
// (docs/integration/idempotency.md): recomputed with the document's
// component SKU, since reconciliation does not know a bundle's make-up.
bool Reconciler::ComponentKeyMatches(const v1::ErpDocument& d,
                                     const ExpectedStock& e) const {
  if (d.component_sku().empty()) return false;  // Before reading the line.
  const v1::ReturnRequest& r = returns_[e.ret];
  const v1::ReturnLine& line = r.lines(e.line);
  if (!IsComponentOf(d, line)) return false;
  const absl::string_view segments[] = {
      r.source(), r.return_id(), line.return_line_id(), d.component_sku()};
  return KeyOf(Uuid5(RetconNamespace(),
                     CanonicalIdentity("stock-movement", segments))) ==
         ParseKey(d.idempotency_key());
}

// A component movement known only by its key (and order number): its key
// is recomputed for each received line of that order. Runs only when such
// documents are left over from the exact pass.
void Reconciler::MatchComponentsByKey() {
  auto by_key_only = [this](uint32_t doc) {
    const v1::ErpDocument& d = erp_[doc];
    return d.kind() == v1::ERP_DOCUMENT_KIND_STOCK_MOVEMENT &&
           !d.component_sku().empty() && !d.idempotency_key().empty() &&
           !d.order_number().empty();
  };
  absl::flat_hash_map<sv, uint32_t> head;
  for (uint32_t doc : unmatched_erp_) {
    if (by_key_only(doc)) head.emplace(erp_[doc].order_number(), kNone);
  }
  if (head.empty()) return;
  for (uint32_t i = static_cast<uint32_t>(stocks_.size()); i-- > 0;) {
    auto it = head.find(returns_[stocks_[i].ret].order_number());
    if (it != head.end()) {
      stocks_[i].next_in_order = std::exchange(it->second, i);
    }
  }
  size_t kept = 0;
  for (uint32_t doc : unmatched_erp_) {
    uint32_t found = kNone;
    if (by_key_only(doc)) {
      for (uint32_t c = head.find(erp_[doc].order_number())->second;
           c != kNone && found == kNone; c = stocks_[c].next_in_order) {
        if (ComponentKeyMatches(erp_[doc], stocks_[c])) found = c;
      }
    }
    if (found == kNone) {
      unmatched_erp_[kept++] = doc;
    } else {
      PairStock(doc, found, v1::MATCH_METHOD_IDEMPOTENCY_KEY, 100);
    }
  }
  unmatched_erp_.resize(kept);
  // The fuzzy pass builds its own chains from kNone.
  for (const auto& [order, first] : head) {
    for (uint32_t c = first; c != kNone;) {
      c = std::exchange(stocks_[c].next_in_order, kNone);
    }
  }
}

// A received line takes one stock movement; a whole bundle (a line that
// names no component) moved as components takes one per distinct
// component. Anything more is a duplicate.
void Reconciler::PairStock(uint32_t doc, uint32_t expected,
                           v1::MatchMethod method, int32_t confidence) {
  const ExpectedStock& e = stocks_[expected];
  const v1::ErpDocument& d = erp_[doc];
  // Most documents name no component: decided without reading the line.
  if (d.component_sku().empty() ||
      !IsComponentOf(d, returns_[e.ret].lines(e.line))) {
    if (e.erp == kNone) {
      MatchStock(doc, expected, method, confidence);
    } else {
      Duplicate(doc, "same return line twice");
    }
    return;
  }
  if (e.erp != kNone && !MovedAsComponents(e)) {
    Duplicate(doc, "same return line twice");
  } else if (!components_seen_.emplace(expected, d.component_sku()).second) {
    Duplicate(doc, absl::StrCat("same return line and bundle component ",
                                d.component_sku(), " twice"));
  } else {
    MatchStock(doc, expected, method, confidence);
  }
}

void Reconciler::MatchCredit(uint32_t doc, uint32_t expected,
                             v1::MatchMethod method, int32_t confidence) {
  ExpectedCredit& e = credits_[expected];
  e.erp = doc;
  e.erp_method = method;
  e.confidence = confidence;
  ++matched_[method];
  const v1::ErpDocument& d = erp_[doc];
  const sv currency = CurrencyOf(e);
  if (!currency.empty() && d.amount().currency_code() != currency) {
    v1::Gap* gap = AddGap(v1::GAP_TYPE_CURRENCY_MISMATCH, e.day);
    SetReturnSide(gap, returns_[e.ret]);
    SetErpSide(gap, d);
    if (e.refund >= 0) gap->set_refund_id(RefundOf(e).refund_id());
    gap->set_match_method(method);
    gap->set_confidence_percent(confidence);
    SetMoney(gap, d.amount().currency_code(), d.amount().minor_units());
    gap->set_message(absl::StrCat("Credit note ", d.document_id(), " is in ",
                                  d.amount().currency_code(),
                                  " but the refund is in ", currency,
                                  "; correct the credit note's currency."));
  }
}

void Reconciler::MatchStock(uint32_t doc, uint32_t expected,
                            v1::MatchMethod method, int32_t confidence) {
  ExpectedStock& e = stocks_[expected];
  if (e.erp == kNone) e.erp = doc;  // A bundle's first component, or the one.
  ++matched_[method];
  const v1::ErpDocument& d = erp_[doc];
  const v1::ReturnLine& line = returns_[e.ret].lines(e.line);
  CompareSku(e, d, method, confidence);
  // A component moves bundles x its units per bundle, which only the order
  // or the catalog knows: not compared.
  if (!IsComponentOf(d, line)) CompareQuantity(e, d, method, confidence);
  if (options_.expected_depot && !d.depot().empty()) {
    const std::string depot = options_.expected_depot(returns_[e.ret], line);
    if (!depot.empty() && depot != d.depot()) {
      v1::Gap* gap = AddGap(v1::GAP_TYPE_DEPOT_DIFFERS, e.day);
      SetReturnSide(gap, returns_[e.ret]);
      SetErpSide(gap, d);
      gap->set_return_line_id(line.return_line_id());
      gap->set_match_method(method);
      gap->set_confidence_percent(confidence);
      gap->set_message(absl::StrCat(
          "For information: stock movement ", d.document_id(), " went to ",
          d.depot(), "; today's rules would send it to ", depot, "."));
    }
  }
}

// The line's SKU; for a whole bundle's component movement, the component it
// names (as given or translated by sku_map), since the line's is the
// bundle's.
void Reconciler::CompareSku(const ExpectedStock& e, const v1::ErpDocument& d,
                            v1::MatchMethod method, int32_t confidence) {
  const v1::ReturnRequest& r = returns_[e.ret];
  const v1::ReturnLine& line = r.lines(e.line);
  const bool component = IsComponentOf(d, line);
  const sv want = component ? sv(d.component_sku()) : ErpSkuOf(line);
  if (d.sku().empty() || want.empty() || d.sku() == want ||
      (component && d.sku() == MapSku(want))) {
    return;
  }
  v1::Gap* gap = AddGap(v1::GAP_TYPE_SKU_MISMATCH, e.day);
  SetReturnSide(gap, r);
  SetErpSide(gap, d);
  gap->set_return_line_id(line.return_line_id());
  gap->set_match_method(method);
  gap->set_confidence_percent(confidence);
  SetMoney(gap, r.currency_code(), 0);
  if (component) {
    gap->set_message(
        absl::StrCat("Stock movement ", d.document_id(), " moved SKU ", d.sku(),
                     " but is booked as bundle component ", want, " of return ",
                     r.return_id(), " line ", line.return_line_id(),
                     "; correct the movement or the SKU map."));
  } else {
    gap->set_message(absl::StrCat("Stock movement ", d.document_id(),
                                  " moved SKU ", d.sku(),
                                  " but the returned item is ", want,
                                  "; correct the movement or the SKU map."));
  }
}

// Units moved against units received: fewer is stock not posted, more is
// stock no return accounts for.
void Reconciler::CompareQuantity(const ExpectedStock& e,
                                 const v1::ErpDocument& d,
                                 v1::MatchMethod method, int32_t confidence) {
  const v1::ReturnRequest& r = returns_[e.ret];
  const v1::ReturnLine& line = r.lines(e.line);
  const int64_t received = line.quantity();
  const int64_t moved = d.quantity();
  if (moved == received) return;
  const sv sku = ErpSkuOf(line);
  v1::Gap* gap = moved < received
                     ? AddGap(v1::GAP_TYPE_RETURN_WITHOUT_STOCK_MOVEMENT, e.day)
                     : AddGap(v1::GAP_TYPE_STOCK_MOVEMENT_WITHOUT_RETURN,
                              *ParseCivilDay(d.posted_date(), ""));
  SetReturnSide(gap, r);
  SetErpSide(gap, d);
  gap->set_return_line_id(line.return_line_id());
  gap->set_match_method(method);
  gap->set_confidence_percent(confidence);
  if (moved < received) {
    SetMoney(gap, r.currency_code(), 0);
    gap->set_message(absl::StrCat("Return ", r.return_id(), " line ",
                                  line.return_line_id(), " (", received, " x ",
                                  sku, ") was received but stock movement ",
                                  d.document_id(), " moved only ", moved,
                                  "; post the other ", received - moved, "."));
  } else {
    gap->set_message(absl::StrCat(
        "Stock movement ", d.document_id(), " (", moved, " x ",
        d.sku().empty() ? sku : sv(d.sku()), ") is for return ", r.return_id(),
        " line ", line.return_line_id(), ", which received ", received,
        "; check the goods and reverse the extra ", moved - received,
        " if no more came back."));
  }
}

int32_t FuzzyConfidence(int32_t days_apart, int candidates) {
  int32_t c = std::max(60, 95 - 5 * days_apart);
  return candidates > 1 ? c / 2 : c;
}

void Reconciler::MatchErpFuzzy() {
  if (unmatched_erp_.empty()) return;
  absl::flat_hash_map<sv, uint32_t> credit_head, stock_head;
  credit_head.reserve(credits_.size());
  stock_head.reserve(stocks_.size());
  for (uint32_t i = static_cast<uint32_t>(credits_.size()); i-- > 0;) {
    if (credits_[i].erp != kNone || credits_[i].refund < 0) continue;
    const sv order = returns_[credits_[i].ret].order_number();
    if (order.empty()) continue;
    auto [it, fresh] = credit_head.try_emplace(order, i);
    if (!fresh) credits_[i].next_in_order = std::exchange(it->second, i);
  }
  for (uint32_t i = static_cast<uint32_t>(stocks_.size()); i-- > 0;) {
    if (stocks_[i].erp != kNone) continue;
    const sv order = returns_[stocks_[i].ret].order_number();
    if (order.empty()) continue;
    auto [it, fresh] = stock_head.try_emplace(order, i);
    if (!fresh) stocks_[i].next_in_order = std::exchange(it->second, i);
  }
  const int32_t window = options_.fuzzy_window_days;
  for (uint32_t doc : unmatched_erp_) {
    const v1::ErpDocument& d = erp_[doc];
    const int32_t day = *ParseCivilDay(d.posted_date(), "");
    const bool credit = d.kind() == v1::ERP_DOCUMENT_KIND_CREDIT_NOTE;
    uint32_t best = kNone;
    int32_t best_apart = 0;
    int candidates = 0;
    const auto& heads = credit ? credit_head : stock_head;
    auto head =
        d.order_number().empty() ? heads.end() : heads.find(d.order_number());
    for (uint32_t c = head == heads.end() ? kNone : head->second; c != kNone;
         c = credit ? credits_[c].next_in_order : stocks_[c].next_in_order) {
      int32_t apart;
      if (credit) {
        const ExpectedCredit& e = credits_[c];
        if (e.erp != kNone || CurrencyOf(e) != d.amount().currency_code() ||
            RefundOf(e).amount().minor_units() != d.amount().minor_units()) {
          continue;
        }
        apart = std::abs(e.day - day);
      } else {
        const ExpectedStock& e = stocks_[c];
        const v1::ReturnLine& line = returns_[e.ret].lines(e.line);
        if (e.erp != kNone || line.quantity() != d.quantity() ||
            ErpSkuOf(line) != d.sku()) {
          continue;
        }
        apart = std::abs(e.day - day);
      }
      if (apart > window) continue;
      ++candidates;
      if (best == kNone || apart < best_apart) best = c, best_apart = apart;
    }
    if (best != kNone) {
      const int32_t confidence = FuzzyConfidence(best_apart, candidates);
      if (credit) {
        MatchCredit(doc, best, v1::MATCH_METHOD_FUZZY, confidence);
      } else {
        MatchStock(doc, best, v1::MATCH_METHOD_FUZZY, confidence);
      }
      continue;
    }
    v1::Gap* gap = AddGap(credit ? v1::GAP_TYPE_CREDIT_NOTE_WITHOUT_RETURN
                                 : v1::GAP_TYPE_STOCK_MOVEMENT_WITHOUT_RETURN,
                          day);
    SetErpSide(gap, d);
    gap->set_source(d.source());
    gap->set_return_id(d.return_id());
    gap->set_refund_id(d.refund_id());
    gap->set_return_line_id(d.return_line_id());
    if (credit) {
      SetMoney(gap, d.amount().currency_code(), d.amount().minor_units());
      gap->set_message(absl::StrCat(
          "Credit note ", d.document_id(),
          " matches no return in the returns platform: a refund made outside "
          "it. Raise the return in the platform or explain the credit."));
    } else {
      gap->set_message(absl::StrCat(
          "Stock movement ", d.document_id(), " (", d.quantity(), " x ",
          d.sku(),
          ") matches no returned item; check the goods and reverse "
          "the movement if nothing came back."));
    }
  }
}

}  // namespace reconcile_internal
}  // namespace retcon
