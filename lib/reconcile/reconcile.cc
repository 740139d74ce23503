// Reconcile(): checks the inputs, lists the postings the returns side
// expects, runs the matching stages (match_erp.cc, match_gateway.cc) and
// reports what is left. One pass per stage, over flat vectors and hash maps
// of string_views into the inputs (no per-record allocation).
#include "retcon/reconcile.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/internal/resolutions.h"
#include "lib/internal/status_macros.h"
#include "lib/reconcile/internal/reconcile_internal.h"
#include "lib/reconcile/internal/reconciler.h"
#include "retcon/idempotency.h"
#include "retcon/money.h"

namespace retcon {
namespace reconcile_internal {

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

bool IsMoneyResolution(v1::Resolution r) {
  return internal::IsRefundResolution(r);
}

bool OwedByFinalNote(const v1::ReturnRequest& r, const v1::ReturnLine& line) {
  return IsMoneyResolution(line.resolution()) &&
         std::none_of(
             r.refunds().begin(), r.refunds().end(),
             [&](const v1::RefundTransaction& refund) {
               return refund.status() != v1::TRANSACTION_STATUS_FAILED &&
                      refund.status() != v1::TRANSACTION_STATUS_CANCELED &&
                      RefundCovers(refund, line);
             });
}

namespace {

// Whether the planner posts a finalised return's credit note (when the
// return is DONE): some line is owed by it.
bool FinalNoteOwed(const v1::ReturnRequest& r) {
  return std::any_of(
      r.lines().begin(), r.lines().end(),
      [&](const v1::ReturnLine& line) { return OwedByFinalNote(r, line); });
}

}  // namespace

absl::Status Reconciler::CollectExpected() {
  credits_.reserve(returns_.size());
  stocks_.reserve(returns_.size());
  credit_by_ref_.reserve(returns_.size());
  stock_by_ref_.reserve(returns_.size());
  for (uint32_t i = 0; i < returns_.size(); ++i) {
    const v1::ReturnRequest& r = returns_[i];
    const auto credits_begin = static_cast<uint32_t>(credits_.size());
    const auto failed_begin = static_cast<uint32_t>(failed_.size());
    for (int j = 0; j < r.refunds_size(); ++j) {
      const v1::RefundTransaction& refund = r.refunds(j);
      if (refund.status() == v1::TRANSACTION_STATUS_FAILED ||
          refund.status() == v1::TRANSACTION_STATUS_CANCELED) {
        failed_by_ref_.emplace(
            std::make_pair(sv(r.return_id()), sv(refund.refund_id())),
            static_cast<uint32_t>(failed_.size()));
        failed_.push_back({i, j, credits_begin, 0, failed_begin, 0});
        continue;
      }
      if (refund.status() != v1::TRANSACTION_STATUS_SUCCESS) continue;
      const int32_t day =
          refund.has_created_at() ? DayOf(refund.created_at()) : ReturnDay(r);
      auto [seen, fresh] = credit_by_ref_.emplace(
          std::make_pair(sv(r.return_id()), sv(refund.refund_id())),
          static_cast<uint32_t>(credits_.size()));
      if (!fresh) return ReturnTwice(i, credits_[seen->second].ret);
      // A credit note naming the return but no refund pairs with the
      // return's first expected credit note (its final one, when owed).
      credit_by_ref_.emplace(std::make_pair(sv(r.return_id()), sv()),
                             static_cast<uint32_t>(credits_.size()));
      credits_.push_back({i, j, day});
    }
    if (r.status() == v1::RETURN_STATUS_DONE && FinalNoteOwed(r)) {
      // A note naming the return but no refund is this one.
      credit_by_ref_.insert_or_assign(std::make_pair(sv(r.return_id()), sv()),
                                      static_cast<uint32_t>(credits_.size()));
      credits_.push_back({i, -1, ReturnDay(r)});
    }
    for (uint32_t f = failed_begin; f < failed_.size(); ++f) {
      failed_[f].credits_end = static_cast<uint32_t>(credits_.size());
      failed_[f].failed_end = static_cast<uint32_t>(failed_.size());
    }
    for (int k = 0; k < r.lines_size(); ++k) {
      const v1::ReturnLine& line = r.lines(k);
      if (!line.inspection().has_returned() || !line.inspection().returned()) {
        continue;
      }
      const int32_t day = line.inspection().has_inspected_at()
                              ? DayOf(line.inspection().inspected_at())
                              : ReturnDay(r);
      auto [seen, fresh] = stock_by_ref_.emplace(
          std::make_pair(sv(r.return_id()), sv(line.return_line_id())),
          static_cast<uint32_t>(stocks_.size()));
      if (!fresh) return ReturnTwice(i, stocks_[seen->second].ret);
      stocks_.push_back({i, k, day});
    }
  }
  if (std::any_of(erp_.begin(), erp_.end(), [](const v1::ErpDocument& d) {
        return !d.idempotency_key().empty();
      })) {
    IndexKeys();
  }
  return absl::OkStatus();
}

// One record per return (its latest state): a second copy would expect
// every posting twice. Found where it matters, while indexing references.
absl::Status Reconciler::ReturnTwice(uint32_t again, uint32_t first) const {
  return absl::InvalidArgumentError(absl::StrCat(
      "returns[", again, "].return_id: \"", returns_[again].return_id(),
      "\" appears twice (also returns[", first,
      "]); give each return once, in its latest state"));
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
  failed_by_key_.reserve(failed_.size());
  for (uint32_t i = 0; i < failed_.size(); ++i) {
    const v1::ReturnRequest& r = returns_[failed_[i].ret];
    const std::string identity = CanonicalIdentity(
        "credit-note",
        {r.source(), r.return_id(), r.refunds(failed_[i].refund).refund_id()});
    failed_by_key_.emplace(KeyOf(Uuid5(RetconNamespace(), identity)), i);
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

// What a refund with no credit note leaves uncredited: its amount, less
// what the notes of its held group already credit of the group's refunds.
int64_t Reconciler::MissingCredit(const ExpectedCredit& e) const {
  const int64_t amount = RefundOf(e).amount().minor_units();
  if (e.group == kNone) return amount;
  const GroupTotals t = TotalsOf(e.group);
  return std::clamp<int64_t>(t.platform - t.erp, 0, amount);
}

// " for the items that CN-1 of failed refund RF1 does not already credit".
std::string Reconciler::HeldItemsLeftOut(uint32_t group) const {
  const GroupTotals t = TotalsOf(group);
  return absl::StrCat(" for the items that ", t.notes,
                      t.note_count == 1 ? " does" : " do",
                      " not already credit");
}

void Reconciler::ReportReturnSide() {
  for (const ExpectedCredit& e : credits_) {
    const v1::ReturnRequest& r = returns_[e.ret];
    if (e.erp == kNone && !e.held_whole) {
      v1::Gap* gap = AddGap(v1::GAP_TYPE_RETURN_WITHOUT_CREDIT_NOTE, e.day);
      SetReturnSide(gap, r);
      if (e.refund >= 0) {
        gap->set_refund_id(RefundOf(e).refund_id());
        SetMoney(gap, CurrencyOf(e), MissingCredit(e));
        gap->set_message(absl::StrCat(
            "Return ", r.return_id(), " refunded ", RefundOf(e).refund_id(),
            " but the ERP has no credit note for it; post the credit note",
            e.group == kNone ? "" : HeldItemsLeftOut(e.group), "."));
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
    // A bundle moved as its components need not be an ERP stock item; the
    // components' SKUs are checked against their movements.
    const sv sku = ErpSkuOf(line);
    if (!known.empty() && !sku.empty() && !known.contains(sku) &&
        !MovedAsComponents(e)) {
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

}  // namespace reconcile_internal

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
  for (size_t i = 0; i < returns.size(); ++i) {
    absl::Status s = ValidateReturnForReconcile(returns[i]);
    if (!s.ok()) return prefixed(s, "returns", i);
  }
  for (size_t i = 0; i < erp_documents.size(); ++i) {
    absl::Status s = ValidateErpDocument(erp_documents[i]);
    if (!s.ok()) return prefixed(s, "erp", i);
  }
  for (size_t i = 0; i < gateway_refunds.size(); ++i) {
    absl::Status s = ValidateGatewayRefund(gateway_refunds[i]);
    if (!s.ok()) return prefixed(s, "gateway", i);
  }
  return reconcile_internal::Reconciler(returns, erp_documents, gateway_refunds,
                                        options, as_of)
      .Run();
}

}  // namespace retcon
