// Reconcile(): pairs expected postings with ERP documents and gateway
// refunds in one pass per matching stage, over flat vectors and hash maps
// of string_views into the inputs (no per-record allocation).
#include "retcon/reconcile.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/internal/status_macros.h"
#include "lib/reconcile/internal/reconcile_internal.h"
#include "retcon/idempotency.h"
#include "retcon/money.h"

namespace retcon {
namespace {

using reconcile_internal::BucketOf;
using reconcile_internal::OwnerOf;
using sv = absl::string_view;

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
constexpr int32_t kSecondsPerDay = 86400;

// "GBP 24.99" for (GBP, 2499).
std::string Amount(sv currency, int64_t minor_units) {
  absl::StatusOr<int> exponent = CurrencyExponent(currency);
  return absl::StrCat(
      currency, " ",
      FormatMinorUnits(minor_units, exponent.ok() ? *exponent : 0));
}

int32_t DayOf(const google::protobuf::Timestamp& t) {
  int64_t s = t.seconds();
  return static_cast<int32_t>(
      s >= 0 ? s / kSecondsPerDay
             : -((-s + kSecondsPerDay - 1) / kSecondsPerDay));
}

// A posting the returns side says the ERP should hold.
struct ExpectedCredit {
  uint32_t ret;
  int32_t refund;  // Index in refunds; -1: a finalised return's credit note.
  int32_t day;
  uint32_t erp = kNone;      // Matched credit note.
  uint32_t gateway = kNone;  // Matched gateway refund.
  v1::MatchMethod erp_method = v1::MATCH_METHOD_UNSPECIFIED;
  v1::MatchMethod gateway_method = v1::MATCH_METHOD_UNSPECIFIED;
  int32_t confidence = 100;
  uint32_t next_in_order = kNone;  // Fuzzy chain by order number.
};

struct ExpectedStock {
  uint32_t ret;
  int32_t line;
  int32_t day;
  uint32_t erp = kNone;
  uint32_t next_in_order = kNone;
};

using Key128 = std::pair<uint64_t, uint64_t>;

Key128 KeyOf(const Uuid& u) {
  uint64_t hi = 0, lo = 0;
  for (int i = 0; i < 8; ++i) hi = hi << 8 | u[i];
  for (int i = 8; i < 16; ++i) lo = lo << 8 | u[i];
  return {hi, lo};
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// REQUIRES: `text` passed ValidateErpDocument's UUID check.
Key128 ParseKey(sv text) {
  Uuid u{};
  int n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '-') continue;
    u[n / 2] = static_cast<uint8_t>(u[n / 2] << 4 | HexValue(text[i]));
    ++n;
  }
  return KeyOf(u);
}

class Reconciler {
 public:
  Reconciler(absl::Span<const v1::ReturnRequest> returns,
             absl::Span<const v1::ErpDocument> erp,
             absl::Span<const v1::GatewayRefund> gateway,
             const ReconcileOptions& options, int32_t as_of)
      : returns_(returns),
        erp_(erp),
        gateway_(gateway),
        options_(options),
        as_of_(as_of) {}

  v1::ReconcileReport Run() {
    CollectExpected();
    MatchErpExact();
    MatchErpFuzzy();
    MatchGateway();
    ReportReturnSide();
    v1::ReconcileSummary* s = report_.mutable_summary();
    s->set_as_of(options_.as_of);
    s->set_returns(static_cast<int64_t>(returns_.size()));
    s->set_erp_documents(static_cast<int64_t>(erp_.size()));
    s->set_gateway_refunds(static_cast<int64_t>(gateway_.size()));
    s->set_matched_by_key(matched_[v1::MATCH_METHOD_IDEMPOTENCY_KEY]);
    s->set_matched_by_reference(matched_[v1::MATCH_METHOD_REFERENCE]);
    s->set_matched_fuzzy(matched_[v1::MATCH_METHOD_FUZZY]);
    reconcile_internal::SummariseGaps(&report_);
    return std::move(report_);
  }

 private:
  const v1::ReturnRequest& ReturnOf(uint32_t i) const { return returns_[i]; }
  const v1::RefundTransaction& RefundOf(const ExpectedCredit& e) const {
    return returns_[e.ret].refunds(e.refund);
  }
  sv CurrencyOf(const ExpectedCredit& e) const {
    const v1::ReturnRequest& r = returns_[e.ret];
    if (e.refund >= 0 && !RefundOf(e).amount().currency_code().empty()) {
      return RefundOf(e).amount().currency_code();
    }
    return r.currency_code();
  }
  // The SKU the ERP should stock for a return line.
  sv ErpSkuOf(const v1::ReturnLine& line) const {
    sv sku = line.component_sku().empty() ? sv(line.platform_sku())
                                          : sv(line.component_sku());
    auto it = options_.sku_map.find(sku);
    return it == options_.sku_map.end() ? sku : sv(it->second);
  }
  int32_t ReturnDay(const v1::ReturnRequest& r) const {
    if (r.has_updated_at()) return DayOf(r.updated_at());
    if (r.has_created_at()) return DayOf(r.created_at());
    return as_of_;
  }

  v1::Gap* AddGap(v1::GapType type, int32_t day) {
    v1::Gap* gap = report_.add_gaps();
    gap->set_type(type);
    gap->set_owner(OwnerOf(type));
    const int32_t age = std::max(0, as_of_ - day);
    gap->set_age_days(age);
    gap->set_age_bucket(BucketOf(age));
    return gap;
  }
  static void SetMoney(v1::Gap* gap, sv currency, int64_t minor_units) {
    gap->mutable_money_at_stake()->set_currency_code(std::string(currency));
    gap->mutable_money_at_stake()->set_minor_units(minor_units);
  }
  void SetReturnSide(v1::Gap* gap, const v1::ReturnRequest& r) const {
    gap->set_source(r.source());
    gap->set_return_id(r.return_id());
    gap->set_order_number(r.order_number());
  }
  void SetErpSide(v1::Gap* gap, const v1::ErpDocument& d) const {
    gap->set_erp_document_id(d.document_id());
    gap->set_idempotency_key(d.idempotency_key());
    if (gap->order_number().empty()) gap->set_order_number(d.order_number());
  }

  void CollectExpected();
  void IndexKeys();
  void MatchErpExact();
  void MatchErpFuzzy();
  void MatchGateway();
  void ReportReturnSide();
  void MatchCredit(uint32_t doc, uint32_t expected, v1::MatchMethod method,
                   int32_t confidence);
  void MatchStock(uint32_t doc, uint32_t expected, v1::MatchMethod method,
                  int32_t confidence);
  void Duplicate(uint32_t doc, sv why);
  void CompareAmounts(const ExpectedCredit& e);

  absl::Span<const v1::ReturnRequest> returns_;
  absl::Span<const v1::ErpDocument> erp_;
  absl::Span<const v1::GatewayRefund> gateway_;
  const ReconcileOptions& options_;
  const int32_t as_of_;

  std::vector<ExpectedCredit> credits_;
  std::vector<ExpectedStock> stocks_;
  // Targets of keys and references: credits as i, stocks as i | kStockBit.
  static constexpr uint32_t kStockBit = 0x80000000u;
  absl::flat_hash_map<Key128, uint32_t> by_key_;
  absl::flat_hash_map<std::pair<sv, sv>, uint32_t> credit_by_ref_;
  absl::flat_hash_map<std::pair<sv, sv>, uint32_t> stock_by_ref_;
  std::vector<uint32_t> unmatched_erp_;
  int64_t matched_[4] = {0, 0, 0, 0};
  v1::ReconcileReport report_;
};

bool IsMoneyResolution(v1::Resolution r) {
  return r == v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD ||
         r == v1::RESOLUTION_STORE_CREDIT || r == v1::RESOLUTION_GIFT_CARD ||
         r == v1::RESOLUTION_BANK_TRANSFER || r == v1::RESOLUTION_KEEP_ITEM;
}

void Reconciler::CollectExpected() {
  credits_.reserve(returns_.size());
  stocks_.reserve(returns_.size());
  credit_by_ref_.reserve(returns_.size());
  stock_by_ref_.reserve(returns_.size());
  for (uint32_t i = 0; i < returns_.size(); ++i) {
    const v1::ReturnRequest& r = returns_[i];
    bool any_success = false;
    for (int j = 0; j < r.refunds_size(); ++j) {
      const v1::RefundTransaction& refund = r.refunds(j);
      if (refund.status() != v1::TRANSACTION_STATUS_SUCCESS) continue;
      any_success = true;
      const int32_t day =
          refund.has_created_at() ? DayOf(refund.created_at()) : ReturnDay(r);
      credit_by_ref_.emplace(
          std::make_pair(sv(r.return_id()), sv(refund.refund_id())),
          static_cast<uint32_t>(credits_.size()));
      // A credit note naming the return but no refund pairs with the
      // return's first expected credit note.
      credit_by_ref_.emplace(std::make_pair(sv(r.return_id()), sv()),
                             static_cast<uint32_t>(credits_.size()));
      credits_.push_back({i, j, day});
    }
    if (!any_success && r.status() == v1::RETURN_STATUS_DONE &&
        std::any_of(r.lines().begin(), r.lines().end(),
                    [](const v1::ReturnLine& l) {
                      return IsMoneyResolution(l.resolution());
                    })) {
      credit_by_ref_.emplace(std::make_pair(sv(r.return_id()), sv()),
                             static_cast<uint32_t>(credits_.size()));
      credits_.push_back({i, -1, ReturnDay(r)});
    }
    for (int k = 0; k < r.lines_size(); ++k) {
      const v1::ReturnLine& line = r.lines(k);
      if (!line.inspection().has_returned() || !line.inspection().returned()) {
        continue;
      }
      const int32_t day = line.inspection().has_inspected_at()
                              ? DayOf(line.inspection().inspected_at())
                              : ReturnDay(r);
      stock_by_ref_.emplace(
          std::make_pair(sv(r.return_id()), sv(line.return_line_id())),
          static_cast<uint32_t>(stocks_.size()));
      stocks_.push_back({i, k, day});
    }
  }
  if (std::any_of(erp_.begin(), erp_.end(), [](const v1::ErpDocument& d) {
        return !d.idempotency_key().empty();
      })) {
    IndexKeys();
  }
}

// The keys the planner gives these postings (docs/integration/idempotency.md).
void Reconciler::IndexKeys() {
  by_key_.reserve(credits_.size() + stocks_.size());
  for (uint32_t i = 0; i < credits_.size(); ++i) {
    const ExpectedCredit& e = credits_[i];
    const v1::ReturnRequest& r = returns_[e.ret];
    const std::string identity =
        e.refund >= 0
            ? CanonicalIdentity("credit-note", {r.source(), r.return_id(),
                                                RefundOf(e).refund_id()})
            : CanonicalIdentity("credit-note-final",
                                {r.source(), r.return_id()});
    by_key_.emplace(KeyOf(Uuid5(RetconNamespace(), identity)), i);
  }
  for (uint32_t i = 0; i < stocks_.size(); ++i) {
    const v1::ReturnRequest& r = returns_[stocks_[i].ret];
    const v1::ReturnLine& line = r.lines(stocks_[i].line);
    const std::string identity = CanonicalIdentity(
        "stock-movement", {r.source(), r.return_id(), line.return_line_id(),
                           line.component_sku()});
    by_key_.emplace(KeyOf(Uuid5(RetconNamespace(), identity)), i | kStockBit);
  }
}

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
    if (target == kNone && !d.return_id().empty()) {
      const auto& index = credit ? credit_by_ref_ : stock_by_ref_;
      auto it = index.find(
          std::make_pair(sv(d.return_id()),
                         credit ? sv(d.refund_id()) : sv(d.return_line_id())));
      if (it != index.end()) {
        target = it->second;
        method = v1::MATCH_METHOD_REFERENCE;
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
    } else if (stocks_[target].erp != kNone) {
      Duplicate(i, "same return line twice");
    } else {
      MatchStock(i, target, method, 100);
    }
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
  e.erp = doc;
  ++matched_[method];
  const v1::ErpDocument& d = erp_[doc];
  const v1::ReturnLine& line = returns_[e.ret].lines(e.line);
  const sv want = ErpSkuOf(line);
  if (!d.sku().empty() && !want.empty() && d.sku() != want) {
    v1::Gap* gap = AddGap(v1::GAP_TYPE_SKU_MISMATCH, e.day);
    SetReturnSide(gap, returns_[e.ret]);
    SetErpSide(gap, d);
    gap->set_return_line_id(line.return_line_id());
    gap->set_match_method(method);
    gap->set_confidence_percent(confidence);
    SetMoney(gap, returns_[e.ret].currency_code(), 0);
    gap->set_message(absl::StrCat("Stock movement ", d.document_id(),
                                  " moved SKU ", d.sku(),
                                  " but the returned item is ", want,
                                  "; correct the movement or the SKU map."));
  }
}

// Confidence of a fuzzy pairing: 95 on the same day, 5 less per day apart,
// at least 60; halved when another candidate was just as plausible.
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

// Credit note vs platform refund vs gateway refund, beyond tolerance.
void Reconciler::CompareAmounts(const ExpectedCredit& e) {
  const v1::RefundTransaction& refund = RefundOf(e);
  const sv currency = CurrencyOf(e);
  const int64_t platform = refund.amount().minor_units();
  int64_t low = platform, high = platform;
  std::string seen = absl::StrCat("platform ", Amount(currency, platform));
  if (e.erp != kNone) {
    const v1::Money& m = erp_[e.erp].amount();
    if (m.currency_code() != currency) return;  // Reported as a mismatch.
    low = std::min(low, m.minor_units());
    high = std::max(high, m.minor_units());
    absl::StrAppend(&seen, ", credit note ", Amount(currency, m.minor_units()));
  }
  const bool gateway_expected =
      !gateway_.empty() &&
      refund.method() == v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD;
  v1::Gap* gap = nullptr;
  if (e.gateway != kNone) {
    const v1::Money& m = gateway_[e.gateway].amount();
    if (m.currency_code() != currency) {
      gap = AddGap(v1::GAP_TYPE_CURRENCY_MISMATCH, e.day);
      SetMoney(gap, m.currency_code(), m.minor_units());
      gap->set_message(absl::StrCat("Gateway refund is in ", m.currency_code(),
                                    " but the platform refund is in ", currency,
                                    "."));
    } else {
      low = std::min(low, m.minor_units());
      high = std::max(high, m.minor_units());
      absl::StrAppend(&seen, ", gateway ", Amount(currency, m.minor_units()));
    }
  } else if (gateway_expected) {
    gap = AddGap(v1::GAP_TYPE_AMOUNT_DISAGREEMENT, e.day);
    SetMoney(gap, currency, platform);
    gap->set_message(absl::StrCat(
        "Refund ", refund.refund_id(),
        " to the payment method has no gateway refund; check that the "
        "customer was paid."));
  }
  if (gap == nullptr) {
    auto tol = options_.tolerance_minor_units.find(currency);
    const int64_t tolerance =
        tol == options_.tolerance_minor_units.end() ? 0 : tol->second;
    if (high - low <= tolerance) return;
    gap = AddGap(v1::GAP_TYPE_AMOUNT_DISAGREEMENT, e.day);
    SetMoney(gap, currency, high - low);
    gap->set_message(
        absl::StrCat("Amounts disagree by ", Amount(currency, high - low), " (",
                     seen, "); correct the credit note or chase the refund."));
  }
  SetReturnSide(gap, returns_[e.ret]);
  gap->set_refund_id(refund.refund_id());
  if (e.erp != kNone) SetErpSide(gap, erp_[e.erp]);
  if (e.gateway != kNone) {
    gap->set_gateway_refund_id(gateway_[e.gateway].gateway_refund_id());
  }
  const bool fuzzy = e.erp_method == v1::MATCH_METHOD_FUZZY ||
                     e.gateway_method == v1::MATCH_METHOD_FUZZY;
  gap->set_match_method(fuzzy            ? v1::MATCH_METHOD_FUZZY
                        : e.erp != kNone ? e.erp_method
                                         : e.gateway_method);
  gap->set_confidence_percent(e.confidence);
}

void Reconciler::ReportReturnSide() {
  for (const ExpectedCredit& e : credits_) {
    const v1::ReturnRequest& r = returns_[e.ret];
    if (e.erp == kNone) {
      v1::Gap* gap = AddGap(v1::GAP_TYPE_RETURN_WITHOUT_CREDIT_NOTE, e.day);
      SetReturnSide(gap, r);
      if (e.refund >= 0) {
        gap->set_refund_id(RefundOf(e).refund_id());
        SetMoney(gap, CurrencyOf(e), RefundOf(e).amount().minor_units());
        gap->set_message(absl::StrCat("Return ", r.return_id(), " refunded ",
                                      RefundOf(e).refund_id(),
                                      " but the ERP has no credit note for it; "
                                      "post the credit note."));
      } else {
        SetMoney(gap, r.currency_code(), 0);
        gap->set_message(absl::StrCat(
            "Return ", r.return_id(),
            " is finalised with refund lines but "
            "the ERP has no credit note for it; post the credit note."));
      }
    }
    if (e.refund >= 0) CompareAmounts(e);
  }
  absl::flat_hash_set<sv> known;
  if (!options_.erp_skus.empty()) {
    known.reserve(options_.erp_skus.size());
    for (const std::string& s : options_.erp_skus) known.insert(s);
  }
  for (const ExpectedStock& e : stocks_) {
    const v1::ReturnRequest& r = returns_[e.ret];
    const v1::ReturnLine& line = r.lines(e.line);
    if (e.erp == kNone) {
      v1::Gap* gap = AddGap(v1::GAP_TYPE_RETURN_WITHOUT_STOCK_MOVEMENT, e.day);
      SetReturnSide(gap, r);
      gap->set_return_line_id(line.return_line_id());
      SetMoney(gap, r.currency_code(), 0);
      gap->set_message(absl::StrCat(
          "Return ", r.return_id(), " line ", line.return_line_id(), " (",
          line.quantity(), " x ", ErpSkuOf(line),
          ") was received but no stock movement is posted; post it."));
    }
    const sv sku = ErpSkuOf(line);
    if (!known.empty() && !sku.empty() && !known.contains(sku)) {
      v1::Gap* gap = AddGap(v1::GAP_TYPE_SKU_MISMATCH, e.day);
      SetReturnSide(gap, r);
      gap->set_return_line_id(line.return_line_id());
      SetMoney(gap, r.currency_code(), 0);
      gap->set_message(absl::StrCat("Returned SKU ", sku,
                                    " is unknown in the ERP item list; add it "
                                    "or map it to an ERP SKU."));
    }
  }
}

}  // namespace

absl::StatusOr<v1::ReconcileReport> Reconcile(
    absl::Span<const v1::ReturnRequest> returns,
    absl::Span<const v1::ErpDocument> erp_documents,
    absl::Span<const v1::GatewayRefund> gateway_refunds,
    const ReconcileOptions& options) {
  RETCON_ASSIGN_OR_RETURN(const int32_t as_of,
                          ParseCivilDay(options.as_of, "options.as_of"));
  if (options.fuzzy_window_days < 0) {
    return absl::InvalidArgumentError(
        "options.fuzzy_window_days: must not be negative");
  }
  for (const auto& [currency, tolerance] : options.tolerance_minor_units) {
    if (tolerance < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("options.tolerance_minor_units[", currency,
                       "]: must not be negative"));
    }
  }
  auto prefixed = [](absl::Status s, absl::string_view what, size_t i) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, "[", i, "].", s.message()));
  };
  {
    // One record per return (its latest state): a second one would expect
    // every posting twice.
    absl::flat_hash_map<sv, size_t> first;
    first.reserve(returns.size());
    for (size_t i = 0; i < returns.size(); ++i) {
      absl::Status s = ValidateReturnForReconcile(returns[i]);
      if (!s.ok()) return prefixed(s, "returns", i);
      auto [it, fresh] = first.try_emplace(returns[i].return_id(), i);
      if (!fresh) {
        return absl::InvalidArgumentError(absl::StrCat(
            "returns[", i, "].return_id: \"", returns[i].return_id(),
            "\" appears twice (also returns[", it->second,
            "]); give each return once, in its latest state"));
      }
    }
  }
  for (size_t i = 0; i < erp_documents.size(); ++i) {
    absl::Status s = ValidateErpDocument(erp_documents[i]);
    if (!s.ok()) return prefixed(s, "erp", i);
  }
  for (size_t i = 0; i < gateway_refunds.size(); ++i) {
    absl::Status s = ValidateGatewayRefund(gateway_refunds[i]);
    if (!s.ok()) return prefixed(s, "gateway", i);
  }
  return Reconciler(returns, erp_documents, gateway_refunds, options, as_of)
      .Run();
}

}  // namespace retcon
