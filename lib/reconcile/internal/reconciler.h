// The Reconciler: one Reconcile() call's working state, shared by the
// matching stages in lib/reconcile/*.cc. Not thread-safe; one per call.
#ifndef RETCON_LIB_RECONCILE_INTERNAL_RECONCILER_H_
#define RETCON_LIB_RECONCILE_INTERNAL_RECONCILER_H_

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "google/protobuf/timestamp.pb.h"
#include "lib/internal/resolutions.h"
#include "lib/reconcile/internal/reconcile_internal.h"
#include "retcon/idempotency.h"
#include "retcon/reconcile.h"
#include "retcon/v1/reconcile.pb.h"
#include "retcon/v1/return.pb.h"

namespace retcon {
namespace reconcile_internal {

using sv = absl::string_view;

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
constexpr int32_t kSecondsPerDay = 86400;

// "GBP 24.99" for (GBP, 2499).
std::string Amount(sv currency, int64_t minor_units);

// UTC day (days since 1970-01-01) of a timestamp.
int32_t DayOf(const google::protobuf::Timestamp& t);

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
  // A refund paying for items a failed refund's credit note holds
  // (failed_refund.cc): its group in held_groups_, compared as a whole, and
  // whether the held notes hold all its items (it needs no note of its own).
  uint32_t group = kNone;
  bool held_whole = false;
  // Partly held with its own note, and its amount nearer that note alone
  // than that note plus the held notes of its items: as the planner has it
  // (ValuePostedReplacement), it paid only for its other items, so it is
  // in no group and the held notes stand for no refund.
  bool paid_others_only = false;
};

// A refund the platform shows as FAILED or CANCELED: the ERP should hold
// no credit note for it, but may (one posted before it failed).
struct FailedCredit {
  uint32_t ret;
  int32_t refund;  // Index in refunds.
  // The return's expected credits and failed refunds: [begin, end) in
  // credits_ and failed_.
  uint32_t credits_begin, credits_end;
  uint32_t failed_begin, failed_end;
  uint32_t erp = kNone;  // The credit note found for it.
  v1::MatchMethod method = v1::MATCH_METHOD_UNSPECIFIED;
  uint32_t group = kNone;  // In held_groups_, when a later refund pays it.
};

// Credit notes of failed refunds and the later refunds of one return that
// pay for their items, linked through shared return lines: the platform
// and gateway amounts of the refunds are compared once with the held notes
// plus the refunds' own notes (each of which leaves the held items out).
struct HeldGroup {
  uint32_t first_credit;  // Where the group's amounts are compared.
  uint32_t credits_begin, credits_end;  // Its return's ranges, as in
  uint32_t failed_begin, failed_end;    // FailedCredit.
};

struct ExpectedStock {
  uint32_t ret;
  int32_t line;
  int32_t day;
  uint32_t erp = kNone;
  uint32_t next_in_order = kNone;
};

using Key128 = std::pair<uint64_t, uint64_t>;

Key128 KeyOf(const Uuid& u);

// REQUIRES: `text` passed ValidateErpDocument's UUID check.
Key128 ParseKey(sv text);

// Whether a line so resolved is owed money (a finalised return expects a
// credit note for it): internal::IsRefundResolution, as the planner has it.
bool IsMoneyResolution(v1::Resolution r);

// Whether `refund` covers `line`: one definition with the planner.
using ::retcon::internal::RefundCovers;

// Whether a finalised return's credit note credits `line` of `r`, as the
// planner has it: a line owed money that no transaction still live (not
// failed or canceled) covers. (An exchanged line owed the difference is not
// told from the return.)
bool OwedByFinalNote(const v1::ReturnRequest& r, const v1::ReturnLine& line);

// Confidence of a fuzzy pairing: 95 on the same day, 5 less per day apart,
// at least 60; halved when another candidate was just as plausible.
int32_t FuzzyConfidence(int32_t days_apart, int candidates);

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

  // Errors: InvalidArgument for a return given twice; OutOfRange for
  // totals that do not fit int64 (SummariseGaps).
  absl::StatusOr<v1::ReconcileReport> Run() {
    if (absl::Status s = CollectExpected(); !s.ok()) return s;
    MatchErpExact();
    MatchComponentsByKey();
    MatchErpFuzzy();
    ReportFailedRefundNotes();
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
    if (absl::Status summed = SummariseGaps(&report_); !summed.ok()) {
      return summed;
    }
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
  // A platform SKU as the ERP knows it (options.sku_map).
  sv MapSku(sv sku) const {
    auto it = options_.sku_map.find(sku);
    return it == options_.sku_map.end() ? sku : sv(it->second);
  }
  // The SKU the ERP should stock for a return line.
  sv ErpSkuOf(const v1::ReturnLine& line) const {
    return MapSku(line.component_sku().empty() ? sv(line.platform_sku())
                                               : sv(line.component_sku()));
  }
  // Whether `d` is one component movement of a whole bundle returned on
  // `line`: the line names no component, the document does.
  static bool IsComponentOf(const v1::ErpDocument& d,
                            const v1::ReturnLine& line) {
    return !d.component_sku().empty() && line.component_sku().empty();
  }
  // Whether `e` was moved as a whole bundle's components (its first matched
  // document is a component movement).
  bool MovedAsComponents(const ExpectedStock& e) const {
    return e.erp != kNone &&
           IsComponentOf(erp_[e.erp], returns_[e.ret].lines(e.line));
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

  absl::Status CollectExpected();
  absl::Status ReturnTwice(uint32_t again, uint32_t first) const;
  void IndexKeys();
  void MatchErpExact();
  void MatchErpFuzzy();
  void MatchGateway();
  void ReportReturnSide();
  void MatchCredit(uint32_t doc, uint32_t expected, v1::MatchMethod method,
                   int32_t confidence);
  void PairStock(uint32_t doc, uint32_t expected, v1::MatchMethod method,
                 int32_t confidence);
  void MatchStock(uint32_t doc, uint32_t expected, v1::MatchMethod method,
                  int32_t confidence);
  bool ComponentKeyMatches(const v1::ErpDocument& d,
                           const ExpectedStock& e) const;
  void MatchComponentsByKey();
  void CompareSku(const ExpectedStock& e, const v1::ErpDocument& d,
                  v1::MatchMethod method, int32_t confidence);
  void CompareQuantity(const ExpectedStock& e, const v1::ErpDocument& d,
                       v1::MatchMethod method, int32_t confidence);
  void Duplicate(uint32_t doc, sv why);
  // A credit note for a failed or canceled refund (lib/reconcile/
  // failed_refund.cc): found by key or reference in MatchErpExact, reported
  // once the other pairings are known.
  // The failed refund credit note `d` names by key or by reference
  // (`method`), or kNone.
  uint32_t FailedCreditOf(const v1::ErpDocument& d,
                          v1::MatchMethod method) const;
  void MatchFailed(uint32_t doc, uint32_t failed, v1::MatchMethod method);
  // Of the lines expected credit `e` credits: whether any is held by `f`'s
  // note, and whether all are held by notes of the return's failed refunds.
  struct Holding {
    bool by_f = false;
    bool all = false;
  };
  Holding HoldingOf(const ExpectedCredit& e, const FailedCredit& f) const;
  // Whether `e`, partly held and with its own note, paid only for its items
  // the notes of failed_[begin, end) do not hold (ExpectedCredit::
  // paid_others_only).
  bool PaidOthersOnly(const ExpectedCredit& e, uint32_t failed_begin,
                      uint32_t failed_end) const;
  void GroupHeldNotes(uint32_t failed_begin, uint32_t failed_end);
  void ReportFailedRefundNotes();
  void ReportFailedRefundNote(const FailedCredit& f);
  void CompareAmounts(const ExpectedCredit& e);
  // The amounts of a held group, summed (match_gateway.cc).
  struct GroupTotals {
    int64_t platform = 0, erp = 0, gateway = 0;
    bool all_notes = true;    // Each refund has its note or is held whole.
    bool all_gateway = true;  // Each refund has its gateway refund.
    // "RF2 and RF3"; "CN-1 of failed refund RF1 and CN-2".
    std::string refunds, notes;
    int note_count = 0;
  };
  GroupTotals TotalsOf(uint32_t group) const;
  void CompareGroupAmounts(const ExpectedCredit& e);
  // A refund to the payment method with no gateway refund; null if none is
  // expected or one was found.
  v1::Gap* NoGatewayRefund(const ExpectedCredit& e);
  v1::Gap* GatewayCurrencyMismatch(const ExpectedCredit& e);
  int64_t ToleranceOf(sv currency) const {
    auto it = options_.tolerance_minor_units.find(currency);
    return it == options_.tolerance_minor_units.end() ? 0 : it->second;
  }
  void FillAmountGap(v1::Gap* gap, const ExpectedCredit& e);
  int64_t MissingCredit(const ExpectedCredit& e) const;
  std::string HeldItemsLeftOut(uint32_t group) const;

  absl::Span<const v1::ReturnRequest> returns_;
  absl::Span<const v1::ErpDocument> erp_;
  absl::Span<const v1::GatewayRefund> gateway_;
  const ReconcileOptions& options_;
  const int32_t as_of_;

  std::vector<ExpectedCredit> credits_;
  std::vector<FailedCredit> failed_;
  std::vector<HeldGroup> held_groups_;
  std::vector<ExpectedStock> stocks_;
  // Targets of keys and references: credits as i, stocks as i | kStockBit.
  static constexpr uint32_t kStockBit = 0x80000000u;
  absl::flat_hash_map<Key128, uint32_t> by_key_;
  absl::flat_hash_map<std::pair<sv, sv>, uint32_t> credit_by_ref_;
  absl::flat_hash_map<std::pair<sv, sv>, uint32_t> stock_by_ref_;
  // failed_ by credit note key and by (return id, refund id).
  absl::flat_hash_map<Key128, uint32_t> failed_by_key_;
  absl::flat_hash_map<std::pair<sv, sv>, uint32_t> failed_by_ref_;
  // Components of whole bundles matched so far: (expected stock, SKU).
  absl::flat_hash_set<std::pair<uint32_t, sv>> components_seen_;
  std::vector<uint32_t> unmatched_erp_;
  int64_t matched_[4] = {0, 0, 0, 0};
  v1::ReconcileReport report_;
};

}  // namespace reconcile_internal
}  // namespace retcon

#endif  // RETCON_LIB_RECONCILE_INTERNAL_RECONCILER_H_
