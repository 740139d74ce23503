// The parts of credit-note planning, shared by PlanCreditNotes
// (lib/plan/credit.cc) and the files that plan one note: the refund event a
// note is planned for, its fingerprint, its lines and totals, its amount
// checks, the refund fact, and what is still refundable (Remaining, which
// exchange valuation and UnitsTaken use too).
#ifndef RETCON_LIB_PLAN_INTERNAL_CREDIT_NOTE_H_
#define RETCON_LIB_PLAN_INTERNAL_CREDIT_NOTE_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "lib/plan/internal/plan_context.h"
#include "retcon/apportion.h"
#include "retcon/idempotency.h"
#include "retcon/v1/facts.pb.h"

namespace retcon {
namespace plan_internal {

// A refund transaction, or the lines a finalised return still owes: what
// one credit note is planned for.
struct CreditEvent {
  const v1::RefundTransaction* refund = nullptr;  // nullptr: finalised
  int refund_index = -1;
  absl::InlinedVector<int, 8> lines;  // Return line indexes, in order.
  bool return_fees = false;           // Carries the fees on the whole return.
  RefundCover* cover = nullptr;       // Of the return's transactions.
  // A transaction every line of which a failed refund's posted note holds:
  // no note of its own, only its amount checked against that note's.
  bool stands_in = false;
};

// Identity and content (lib/plan/credit_identity.cc).

// The fingerprint of the note's canonical content.
Uuid CreditNoteFingerprint(const PlanContext& ctx, const CreditEvent& event);

// Which of `events` carries the fees on the whole return (-1: none of
// them). The choice must not move once a note is posted: its content (and
// fingerprint) says whether it deducted them. The full rule is at the
// definition.
int ReturnFeeHolder(const PlanContext& ctx, const RefundCover& cover,
                    absl::Span<const CreditEvent> events);

// One note (lib/plan/credit_event_planner.cc).

// Plans the credit note of `event` into ctx.plan: posted, parked with its
// exceptions, or dropped as a replay. `record`: whether to add the note to
// ctx.working for the postings planned after it (none follow the last
// note: Plan() ends with them). Errors come from the apportioning core or
// the rules.
absl::Status PlanCreditNote(PlanContext& ctx, const CreditEvent& event,
                            bool record);

// Amount checks (lib/plan/refund_validation.cc).

// Sets the variance of `note` (its lines totalled) and adds to `issues`
// what is wrong with the amount `event` refunded: a refund on a rejected or
// cancelled return, more than the order has left to refund, or a variance
// beyond refund_tolerance. For a transaction covering lines a failed
// refund's posted note holds, also records in event.cover what it paid for.
// An OVER_REFUND already in `issues` (units beyond what is refundable)
// stands for any amount excess. `all_returned`: for the rules' facts.
absl::Status CheckRefundedAmount(PlanContext& ctx, const CreditEvent& event,
                                 bool all_returned, v1::CreditNote& note,
                                 std::vector<Issue>& issues);

// The refund fact (lib/plan/refund_fact.cc).

// The refund method of `event`'s note: the transaction's, else the first
// refund resolution of its lines, else to the payment method.
v1::Resolution RefundMethod(const PlanContext& ctx, const CreditEvent& event);

// Fills `fact` (but all_items_returned) for `event`'s note valued at
// `computed`, for refund_policy and refund_tolerance.
void FillRefundFact(const PlanContext& ctx, const CreditEvent& event,
                    int64_t computed, v1::RefundFact& fact);

// Lines and totals (lib/plan/credit_lines.cc).

// Whether `fee` is deducted on a note crediting return lines `lines`: a
// fee of one of those lines, or a fee on the whole return when
// `return_fees`. Inline: the planner asks it of every fee.
inline bool FeeOnNote(const PlanContext& ctx, const v1::Fee& fee,
                      absl::Span<const int> lines, bool return_fees) {
  if (fee.return_line_id().empty()) return return_fees;
  return std::any_of(lines.begin(), lines.end(), [&](int r) {
    return ctx.ret.lines(r).return_line_id() == fee.return_line_id();
  });
}

// A fee as a negative credit line. Errors: a tax rate that does not parse.
absl::StatusOr<v1::RefundLine> FeeLine(const PlanContext& ctx,
                                       const v1::Fee& fee);

// The refund owed on exchange line `r` (new items cheaper than the returned
// units) as a credit line; nullopt when nothing is owed.
absl::StatusOr<std::optional<v1::RefundLine>> DifferenceLine(
    const PlanContext& ctx, int r);

// Totals and tax summary of `note` from its lines.
void SetNoteTotals(const PlanContext& ctx, v1::CreditNote& note);

// What is still refundable (lib/plan/refundable_units.cc).

// What the order has paid and not yet had credited (goods and shipping).
int64_t StillRefundable(const PlanContext& ctx);

// Units of a line (or component) not yet credited nor exchanged, per the
// working history; whole bundles count complete sets.
int64_t Remaining(const PlanContext& ctx, int order_line,
                  absl::string_view component);

// Whether every unit of every order line is credited or exchanged once
// `returns` are.
bool AllReturnedAfter(const PlanContext& ctx,
                      const std::vector<ReturnQuantity>& returns);

}  // namespace plan_internal
}  // namespace retcon

#endif  // RETCON_LIB_PLAN_INTERNAL_CREDIT_NOTE_H_
