// A credit note's identity and content fingerprint, and which note carries
// the fees on the whole return (a part of its content, so fixed once a note
// is posted).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "lib/plan/internal/content_fingerprint.h"
#include "lib/plan/internal/credit_note.h"
#include "lib/plan/internal/enum_names.h"
#include "lib/plan/internal/plan_context.h"
#include "retcon/idempotency.h"

namespace retcon {
namespace plan_internal {

std::string CreditNoteIdentity(const v1::ReturnRequest& ret,
                               const v1::RefundTransaction* refund) {
  absl::InlinedVector<absl::string_view, 3> segments = {ret.source(),
                                                        ret.return_id()};
  if (refund != nullptr) segments.push_back(refund->refund_id());
  return CanonicalIdentity(
      refund != nullptr ? "credit-note" : "credit-note-final", segments);
}

// The fingerprint of the note's canonical content.
Uuid CreditNoteFingerprint(const PlanContext& ctx, const CreditEvent& event) {
  ContentFingerprint content;
  content.Add("kind",
              event.refund != nullptr ? "credit-note" : "credit-note-final");
  if (event.refund != nullptr) {
    content.Add("refund_id", event.refund->refund_id())
        .Add("amount", event.refund->amount().minor_units())
        .Add("currency", ctx.currency())
        .Add("method", EnumName(event.refund->method()));
  }
  for (int r : event.lines) {
    const v1::ReturnLine& line = ctx.ret.lines(r);
    content.Add("line", line.return_line_id())
        .Add("order_line_id", line.order_line_id())
        .Add("component_sku", line.component_sku())
        .Add("quantity", line.quantity())
        .Add("resolution", EnumName(line.resolution()));
  }
  for (const v1::Fee& fee : ctx.ret.fees()) {
    if (!FeeOnNote(ctx, fee, event.lines, event.return_fees)) continue;
    content.Add("fee", EnumName(fee.type()))
        .Add("fee_amount", fee.amount().minor_units())
        .Add("fee_line", fee.return_line_id())
        .Add("fee_tax_rate", fee.tax_rate());
  }
  return content.Finish();
}

bool PostedNoteOf(const PlanContext& ctx, int index,
                  absl::Span<const int> lines, bool* return_fees) {
  CreditEvent note;
  note.refund = &ctx.ret.refunds(index);
  note.refund_index = index;
  note.lines.assign(lines.begin(), lines.end());
  auto it =
      ctx.posted.find(RetconUuid(CreditNoteIdentity(ctx.ret, note.refund)));
  if (it == ctx.posted.end()) return false;
  for (const bool fees : {false, true}) {
    note.return_fees = fees;
    if (FormatUuid(CreditNoteFingerprint(ctx, note)) ==
        it->second->fingerprint()) {
      *return_fees = fees;
      return true;
    }
  }
  return false;
}

namespace {

// Every distinct transaction of the return as a note, then `final_event`
// (when not null).
std::vector<CreditEvent> NotesOfReturn(const PlanContext& ctx,
                                       const RefundCover& cover,
                                       const CreditEvent* final_event) {
  std::vector<CreditEvent> notes;
  for (int i = 0; i < ctx.ret.refunds_size(); ++i) {
    if (cover.refunds[i].repeated) continue;
    CreditEvent note;
    note.refund = &ctx.ret.refunds(i);
    note.refund_index = i;
    note.lines = cover.refunds[i].credited;
    notes.push_back(std::move(note));
  }
  if (final_event != nullptr) notes.push_back(*final_event);
  return notes;
}

// What the history says of the fees on the notes of the return, as far
// as ReturnFeeHolder's rules 1 and 2 need it.
struct PostedFees {
  std::vector<bool> posted;  // Per note: in the history (checked so far).
  int holder = -1;           // The note posted with the fees.
  bool unknown = false;      // Some posted note may have deducted them.
};

// Rules 1 and 2 of ReturnFeeHolder over `notes` (their return_fees are
// used as scratch). `final_planned`: whether the finalised note is one.
PostedFees PostedFeesOf(const PlanContext& ctx, std::vector<CreditEvent>& notes,
                        bool final_planned) {
  PostedFees out;
  out.posted.assign(notes.size(), false);
  for (size_t n = 0; n < notes.size() && out.holder < 0; ++n) {
    auto it = ctx.posted.find(
        RetconUuid(CreditNoteIdentity(ctx.ret, notes[n].refund)));
    if (it == ctx.posted.end()) continue;
    out.posted[n] = true;
    const std::string& fingerprint = it->second->fingerprint();
    notes[n].return_fees = true;
    if (FormatUuid(CreditNoteFingerprint(ctx, notes[n])) == fingerprint) {
      out.holder = static_cast<int>(n);
      continue;
    }
    notes[n].return_fees = false;
    out.unknown = out.unknown || FormatUuid(CreditNoteFingerprint(
                                     ctx, notes[n])) != fingerprint;
  }
  if (!final_planned && out.holder < 0) {
    // A finalised note posted earlier that this plan does not plan (its
    // lines are covered by a transaction now): it may hold the fees.
    out.unknown =
        out.unknown ||
        ctx.posted.contains(RetconUuid(CreditNoteIdentity(ctx.ret, nullptr)));
  }
  return out;
}

// Rule 3 of ReturnFeeHolder: the first of `notes` not posted that may carry
// the fees (-1: none).
int FirstUnpostedHolder(const RefundCover& cover,
                        const std::vector<CreditEvent>& notes,
                        const std::vector<bool>& posted) {
  for (size_t n = 0; n < notes.size(); ++n) {
    if (posted[n]) continue;
    if (notes[n].refund == nullptr) return static_cast<int>(n);
    const RefundCover::Transaction& t = cover.refunds[notes[n].refund_index];
    if (t.live && !t.StandsIn()) return static_cast<int>(n);
  }
  return -1;
}

// The index of `note`'s event in `events`: -1 when its transaction does not
// trigger a note yet.
int EventOf(absl::Span<const CreditEvent> events, const CreditEvent& note) {
  for (size_t e = 0; e < events.size(); ++e) {
    if (note.refund == nullptr ? events[e].refund == nullptr
                               : events[e].refund_index == note.refund_index) {
      return static_cast<int>(e);
    }
  }
  return -1;
}

}  // namespace

// Which of `events` carries the fees on the whole return (-1: none of
// them). The choice must not move once a note is posted: its content (and
// fingerprint) says whether it deducted them.
//  1. A credit note of the return already posted with the fees keeps them;
//     no other note deducts them again.
//  2. Else, while a posted note matches neither its content with the fees
//     nor without (a REPLAY_CONFLICT, or a transaction changed since), or
//     the finalised note is posted but not planned now, it may have
//     deducted them: no note deducts them until that is settled.
//  3. Else the first live refund transaction in payload order (live: not
//     FAILED or CANCELED, whatever else its state) whose note is not posted
//     yet: it carries them once its state triggers a note, and until then
//     no note does (the platform usually deducts a fee from its first
//     refund). With none, the finalised note, if this plan has one. A
//     transaction whose lines a failed transaction's posted note holds
//     has no note of its own, so it is passed over.
// So a transaction that fails hands the fees on to the next one not yet
// posted, and a note posted without them is never changed to carry them.
int ReturnFeeHolder(const PlanContext& ctx, const RefundCover& cover,
                    absl::Span<const CreditEvent> events) {
  if (std::none_of(
          ctx.ret.fees().begin(), ctx.ret.fees().end(),
          [](const v1::Fee& f) { return f.return_line_id().empty(); })) {
    return -1;
  }
  const CreditEvent* final_event = nullptr;
  for (const CreditEvent& event : events) {
    if (event.refund == nullptr) final_event = &event;
  }
  std::vector<CreditEvent> notes = NotesOfReturn(ctx, cover, final_event);
  const PostedFees posted =
      PostedFeesOf(ctx, notes, /*final_planned=*/final_event != nullptr);
  if (posted.holder >= 0) return EventOf(events, notes[posted.holder]);
  if (posted.unknown) return -1;
  const int holder = FirstUnpostedHolder(cover, notes, posted.posted);
  return holder < 0 ? -1 : EventOf(events, notes[holder]);
}

}  // namespace plan_internal
}  // namespace retcon
