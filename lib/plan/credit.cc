// Credit notes: one per refund event, valued from the sales order (never
// copied from the returns platform), validated against what the platform
// refunded. This file finds the events and plans them in order; each note
// is planned by PlanCreditNote (credit_event_planner.cc).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "lib/internal/status_macros.h"
#include "lib/plan/internal/credit_note.h"
#include "lib/plan/internal/plan_context.h"

namespace retcon {
namespace plan_internal {

namespace {

absl::Status ReportRepeatedRefund(PlanContext& ctx, int index) {
  const v1::RefundTransaction& refund = ctx.ret.refunds(index);
  std::vector<Issue> issues(1);
  issues[0].code = v1::EXCEPTION_CODE_DUPLICATE_SIGNAL;
  issues[0].message = absl::StrCat(
      "Refund ", refund.refund_id(), " appears more than once in return ",
      ctx.ret.return_id(),
      "; only its first entry was used. Nothing to do unless the entries "
      "differ.");
  issues[0].details.push_back(
      Detail(absl::StrCat("return.refunds[", index, "].refund_id"), "unique",
             refund.refund_id()));
  return RaiseIssues(ctx, issues, "").status();
}

// The finalised return's event: the lines owed money that neither a live
// transaction nor a failed one's posted note covers.
CreditEvent FinalEvent(const PlanContext& ctx, RefundCover& cover) {
  absl::InlinedVector<bool, 8> covered = {cover.held.begin(), cover.held.end()};
  for (const RefundCover::Transaction& t : cover.refunds) {
    if (t.repeated || !t.live) continue;
    for (int r : t.lines) covered[r] = true;
  }
  CreditEvent final_event;
  final_event.cover = &cover;
  for (int r = 0; r < ctx.ret.lines_size(); ++r) {
    if (covered[r]) continue;
    const v1::ReturnLine& line = ctx.ret.lines(r);
    bool owed = IsRefundResolution(line.resolution());
    // An exchanged line (EXCHANGE, or no resolution and named by an
    // exchange item) is owed the difference when the new items cost less.
    if (ctx.exchange_values[r].exchanged) {
      owed = ctx.exchange_values[r].difference < 0;
    }
    if (owed) final_event.lines.push_back(r);
  }
  return final_event;
}

// The transaction events to plan a note for, in payload order: those whose
// state triggers a note and that have no other note reporting them.
absl::InlinedVector<CreditEvent, 2> TransactionEvents(const PlanContext& ctx,
                                                      RefundCover& cover) {
  const Triggers& triggers = ctx.config.options.triggers;
  absl::InlinedVector<CreditEvent, 2> events;
  for (int i = 0; i < ctx.ret.refunds_size(); ++i) {
    const v1::RefundTransaction& refund = ctx.ret.refunds(i);
    const RefundCover::Transaction& t = cover.refunds[i];
    // A transaction whose every line a posted note holds, and with a note
    // of its own posted too, is reported with the held note (credited
    // twice).
    if (t.repeated || (t.StandsIn() && t.posted) ||
        std::find(triggers.refund_statuses.begin(),
                  triggers.refund_statuses.end(),
                  refund.status()) == triggers.refund_statuses.end()) {
      continue;
    }
    CreditEvent event;
    event.refund = &refund;
    event.refund_index = i;
    event.cover = &cover;
    // A transaction whose every line a posted note holds has that note:
    // only its amount is checked (its lines give the rules' facts).
    event.stands_in = t.StandsIn();
    event.lines = event.stands_in ? t.lines : t.credited;
    events.push_back(std::move(event));
  }
  return events;
}

// Reports the repeated transactions and the posted notes of failed ones,
// and places those exceptions before the notes' (from index `first` on).
// What a failed refund's posted note stands for depends on what its
// replacements' checks found, so it is reported after them, and placed
// before their exceptions, in the order of the transactions.
absl::Status ReportTransactions(PlanContext& ctx, const RefundCover& cover,
                                int first) {
  const int planned = ctx.plan.exceptions_size();
  for (int i = 0; i < ctx.ret.refunds_size(); ++i) {
    const RefundCover::Transaction& t = cover.refunds[i];
    if (t.repeated) {
      RETCON_RETURN_IF_ERROR(ReportRepeatedRefund(ctx, i));
    } else if (!t.live && t.posted) {
      RETCON_RETURN_IF_ERROR(ReportNoteOfFailedRefund(ctx, cover, i));
    }
  }
  auto* exceptions = ctx.plan.mutable_exceptions();
  std::rotate(exceptions->pointer_begin() + first,
              exceptions->pointer_begin() + planned, exceptions->pointer_end());
  return absl::OkStatus();
}

}  // namespace

absl::Status PlanCreditNotes(PlanContext& ctx) {
  RETCON_ASSIGN_OR_RETURN(RefundCover cover, CoverOf(ctx));
  absl::InlinedVector<CreditEvent, 2> events = TransactionEvents(ctx, cover);
  if (InStatuses(ctx.ret.status(),
                 ctx.config.options.triggers.finalised_statuses)) {
    CreditEvent final_event = FinalEvent(ctx, cover);
    if (!final_event.lines.empty()) events.push_back(std::move(final_event));
  }
  if (const int holder = ReturnFeeHolder(ctx, cover, events); holder >= 0) {
    events[holder].return_fees = true;
  }
  const int first = ctx.plan.exceptions_size();
  // The last note is not recorded into ctx.working: nothing planned after
  // it reads that (the reports read only `cover`).
  for (size_t e = 0; e < events.size(); ++e) {
    const bool last = e + 1 == events.size();
    RETCON_RETURN_IF_ERROR(PlanCreditNote(ctx, events[e], !last));
  }
  return ReportTransactions(ctx, cover, first);
}

}  // namespace plan_internal
}  // namespace retcon
