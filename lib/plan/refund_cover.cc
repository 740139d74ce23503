// Which return lines each refund transaction's credit note credits, and
// what they are worth, when a note posted for a transaction that has since
// failed or been cancelled still holds its lines. What finance is told
// about such a note: held_note_message.cc.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "lib/internal/status_macros.h"
#include "lib/plan/internal/line_sets.h"
#include "lib/plan/internal/plan_context.h"
#include "retcon/allocation.h"
#include "retcon/idempotency.h"

namespace retcon {
namespace plan_internal {

bool LiveRefund(const v1::RefundTransaction& refund) {
  return refund.status() != v1::TRANSACTION_STATUS_FAILED &&
         refund.status() != v1::TRANSACTION_STATUS_CANCELED;
}

absl::InlinedVector<int, 8> CoveredLines(const v1::ReturnRequest& ret,
                                         const v1::RefundTransaction& refund) {
  absl::InlinedVector<int, 8> lines;
  for (int r = 0; r < ret.lines_size(); ++r) {
    if (internal::RefundCovers(refund, ret.lines(r))) lines.push_back(r);
  }
  return lines;
}

namespace {

bool Posted(const PlanContext& ctx, const v1::RefundTransaction& refund) {
  return ctx.posted.contains(RetconUuid(CreditNoteIdentity(ctx.ret, &refund)));
}

using Paid = RefundCover::Transaction::Paid;

// Units of one line or component already valued, so that two held lines of
// one order line take different units.
struct Valued {
  int order_line;
  std::string sku;
  int64_t units;
};

// The gross the history counts for `count` credited units of a line or
// component: the last ones credited, below the `valued` already taken.
// The last unit is what the history records when it records an amount;
// the others are valued by the cumulative rule.
int64_t LastCredited(const PlanContext& ctx, int l, absl::string_view sku,
                     int64_t count, std::vector<Valued>& valued) {
  const PaidLine* paid = ctx.Paid(l, sku);
  if (paid == nullptr || paid->units <= 0) return 0;
  const v1::LineHistory* h = ctx.History(ctx.order.lines(l).line_id(), sku);
  const int64_t k =
      h == nullptr ? 0 : std::min(h->credited_quantity(), paid->units);
  auto it = std::find_if(valued.begin(), valued.end(), [&](const Valued& v) {
    return v.order_line == l && v.sku == sku;
  });
  if (it == valued.end()) {
    it = valued.insert(valued.end(), Valued{l, std::string(sku), 0});
  }
  const int64_t top = std::max<int64_t>(k - it->units, 0);
  const int64_t bottom = std::max<int64_t>(top - count, 0);
  it->units += count;
  auto at = [&](int64_t m) -> int64_t {
    if (m == k && h != nullptr && h->has_credited_gross()) {
      return h->credited_gross().minor_units();
    }
    return CumulativeShare(paid->paid.gross, m, paid->units,
                           ctx.config.options.rounding)
        .value_or(0);
  };
  return at(top) - at(bottom);
}

// What notes crediting return lines `lines` credited for their goods, per
// LastCredited. Exchanged lines carry no goods (a difference owed on them
// is not counted).
int64_t GoodsCredited(const PlanContext& ctx, absl::Span<const int> lines,
                      std::vector<Valued>& valued) {
  int64_t value = 0;
  for (int r : lines) {
    if (ctx.exchange_values[r].exchanged) continue;
    const v1::ReturnLine& line = ctx.ret.lines(r);
    const int l = ctx.OrderLine(line.order_line_id());
    if (l < 0) continue;
    const PaidLine& paid = ctx.figures.lines[l];
    if (!line.component_sku().empty() ||
        paid.component_begin == paid.component_end) {
      value +=
          LastCredited(ctx, l, line.component_sku(), line.quantity(), valued);
      continue;
    }
    for (int c = paid.component_begin; c < paid.component_end; ++c) {
      const PaidLine& component = ctx.figures.components[c];
      value += LastCredited(ctx, l, component.sku,
                            line.quantity() * (component.units / paid.units),
                            valued);
    }
  }
  return value;
}

// Sets the held value of each live transaction covering held lines, and of
// each held note (its own lines).
absl::Status ValueHeldNotes(const PlanContext& ctx, RefundCover& cover) {
  std::vector<int64_t>& line_value = cover.line_value;
  line_value.assign(ctx.ret.lines_size(), 0);
  std::vector<Valued> valued;
  for (int r = 0; r < ctx.ret.lines_size(); ++r) {
    if (cover.held[r]) line_value[r] = GoodsCredited(ctx, {r}, valued);
  }
  for (int i = 0; i < static_cast<int>(cover.refunds.size()); ++i) {
    RefundCover::Transaction& t = cover.refunds[i];
    if (t.repeated || t.live || !t.posted) continue;
    bool return_fees = false;
    PostedNoteOf(ctx, i, t.lines, &return_fees);
    RETCON_ASSIGN_OR_RETURN(int64_t fees, FeesOf(ctx, t.lines, return_fees));
    for (int r : t.lines) t.held_value += line_value[r];
    t.held_value -= fees;
    // Whoever covers all its lines pays for the return's fees it deducted.
    RETCON_ASSIGN_OR_RETURN(int64_t return_fees_gross,
                            FeesOf(ctx, {}, return_fees));
    for (RefundCover::Transaction& live : cover.refunds) {
      if (!live.repeated && live.live && Within(t.lines, live.lines)) {
        live.held_value -= return_fees_gross;
      }
    }
  }
  for (RefundCover::Transaction& t : cover.refunds) {
    if (t.repeated || !t.live || t.credited.size() == t.lines.size()) continue;
    std::vector<int> held;
    for (int r : t.lines) {
      if (!cover.held[r]) continue;
      held.push_back(r);
      t.held_value += line_value[r];
    }
    RETCON_ASSIGN_OR_RETURN(int64_t fees, FeesOf(ctx, held, false));
    t.held_value -= fees;
  }
  return absl::OkStatus();
}

// For a partly held transaction whose own note is posted: whether that
// note credits only its other lines, what it credits, and so what the
// transaction paid for (of the two, the figure its amount is nearer: the
// note passed the amount check when it was planned).
absl::Status ValuePostedReplacement(const PlanContext& ctx, int index,
                                    RefundCover::Transaction& t) {
  bool return_fees = false;
  t.posted_others_only = PostedNoteOf(ctx, index, t.credited, &return_fees);
  if (!t.posted_others_only) return absl::OkStatus();
  std::vector<Valued> valued;
  RETCON_ASSIGN_OR_RETURN(int64_t fees, FeesOf(ctx, t.credited, return_fees));
  t.own_value = GoodsCredited(ctx, t.credited, valued) - fees;
  const int64_t amount = ctx.ret.refunds(index).amount().minor_units();
  auto off = [amount](int64_t v) {
    return amount < v ? v - amount : amount - v;
  };
  t.paid = off(t.own_value + t.held_value) <= off(t.own_value)
               ? RefundCover::Transaction::Paid::kHeldToo
               : RefundCover::Transaction::Paid::kOthersOnly;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RefundCover> CoverOf(const PlanContext& ctx) {
  RefundCover cover;
  cover.refunds.resize(ctx.ret.refunds_size());
  cover.held.assign(ctx.ret.lines_size(), false);
  bool any_held = false;
  for (int i = 0; i < ctx.ret.refunds_size(); ++i) {
    const v1::RefundTransaction& refund = ctx.ret.refunds(i);
    RefundCover::Transaction& t = cover.refunds[i];
    for (int j = 0; j < i && !t.repeated; ++j) {
      t.repeated = ctx.ret.refunds(j).refund_id() == refund.refund_id();
    }
    if (t.repeated) continue;
    t.live = LiveRefund(refund);
    t.lines = CoveredLines(ctx.ret, refund);
    t.credited = t.lines;
    if (t.live) continue;
    t.posted = Posted(ctx, refund);
    if (!t.posted) continue;
    for (int r : t.lines) cover.held[r] = true;
    any_held = any_held || !t.lines.empty();
  }
  if (!any_held) return cover;
  for (int i = 0; i < ctx.ret.refunds_size(); ++i) {
    RefundCover::Transaction& t = cover.refunds[i];
    if (t.repeated || !t.live) continue;
    t.credited.clear();
    for (int r : t.lines) {
      if (!cover.held[r]) t.credited.push_back(r);
    }
    if (t.credited.size() < t.lines.size()) {
      t.posted = Posted(ctx, ctx.ret.refunds(i));
    }
  }
  RETCON_RETURN_IF_ERROR(ValueHeldNotes(ctx, cover));
  for (int i = 0; i < ctx.ret.refunds_size(); ++i) {
    RefundCover::Transaction& t = cover.refunds[i];
    if (t.PartlyHeld() && t.posted) {
      RETCON_RETURN_IF_ERROR(ValuePostedReplacement(ctx, i, t));
    }
  }
  return cover;
}

namespace {

// Whether live transaction `t` pays for its held lines: it stands in for
// them, or it is partly held and its amount was found to pay for them too.
bool PaysForHeld(const RefundCover::Transaction& t) {
  return !t.repeated && t.live &&
         (t.StandsIn() || (t.PartlyHeld() && t.paid == Paid::kHeldToo));
}

// The first transaction before `index` paying for held line `r`, or -1.
int PayerOf(const RefundCover& cover, int index, int r) {
  for (int j = 0; j < index; ++j) {
    const RefundCover::Transaction& t = cover.refunds[j];
    if (PaysForHeld(t) &&
        std::find(t.lines.begin(), t.lines.end(), r) != t.lines.end()) {
      return j;
    }
  }
  return -1;
}

}  // namespace

absl::InlinedVector<int, 8> HeldPaidEarlier(const RefundCover& cover,
                                            int index) {
  absl::InlinedVector<int, 8> out;
  const RefundCover::Transaction& t = cover.refunds[index];
  if (t.repeated || !t.live) return out;
  for (int r : t.lines) {
    if (cover.held[r] && PayerOf(cover, index, r) >= 0) out.push_back(r);
  }
  return out;
}

absl::StatusOr<int64_t> HeldValueLeft(const PlanContext& ctx,
                                      const RefundCover& cover, int index,
                                      std::vector<int>* payers) {
  const RefundCover::Transaction& t = cover.refunds[index];
  const absl::InlinedVector<int, 8> paid = HeldPaidEarlier(cover, index);
  payers->clear();
  for (int r : paid) {
    const int j = PayerOf(cover, index, r);
    if (std::find(payers->begin(), payers->end(), j) == payers->end()) {
      payers->push_back(j);
    }
  }
  std::sort(payers->begin(), payers->end());
  if (paid.empty()) return t.held_value;
  std::vector<int> left;
  for (int r : t.lines) {
    if (cover.held[r] && std::find(paid.begin(), paid.end(), r) == paid.end()) {
      left.push_back(r);
    }
  }
  if (left.empty()) return 0;
  // As ValueHeldNotes values them, for the lines left alone.
  int64_t value = 0;
  for (int r : left) value += cover.line_value[r];
  RETCON_ASSIGN_OR_RETURN(int64_t fees, FeesOf(ctx, left, false));
  value -= fees;
  for (int h = 0; h < static_cast<int>(cover.refunds.size()); ++h) {
    const RefundCover::Transaction& note = cover.refunds[h];
    if (note.repeated || note.live || !note.posted ||
        !Within(note.lines, left)) {
      continue;
    }
    bool return_fees = false;
    PostedNoteOf(ctx, h, note.lines, &return_fees);
    RETCON_ASSIGN_OR_RETURN(int64_t return_fees_gross,
                            FeesOf(ctx, {}, return_fees));
    value -= return_fees_gross;
  }
  return value;
}
}  // namespace plan_internal
}  // namespace retcon
