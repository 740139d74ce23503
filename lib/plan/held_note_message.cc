// What finance is told about a credit note posted for a refund
// transaction that has since failed or been cancelled, and about the
// lines such a note still holds (the cover itself: refund_cover.cc).
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/internal/status_macros.h"
#include "lib/plan/internal/line_sets.h"
#include "lib/plan/internal/plan_context.h"

namespace retcon {
namespace plan_internal {

namespace {

std::string StatusWord(v1::TransactionStatus status) {
  switch (status) {
    case v1::TRANSACTION_STATUS_SUCCESS:
      return "paid";
    case v1::TRANSACTION_STATUS_PENDING:
      return "pending";
    case v1::TRANSACTION_STATUS_REQUESTED:
      return "requested";
    default:
      return "not yet paid";
  }
}

// The live transactions other than `index` that cover a line of it: those
// the held note stands for, and those with a note of their own posted.
struct Replacements {
  std::vector<int> standing;
  std::vector<int> separate;
};

Replacements ReplacementsOf(const RefundCover& cover, int index) {
  Replacements out;
  const RefundCover::Transaction& failed = cover.refunds[index];
  for (int j = 0; j < static_cast<int>(cover.refunds.size()); ++j) {
    const RefundCover::Transaction& t = cover.refunds[j];
    if (j == index || t.repeated || !t.live) continue;
    if (!Overlap(t.lines, failed.lines)) continue;
    if (!t.posted || t.posted_others_only) {
      // Every item of this note it covers is paid for by an earlier
      // transaction: the note stands for that one, not for it.
      const absl::InlinedVector<int, 8> paid = HeldPaidEarlier(cover, j);
      if (std::all_of(failed.lines.begin(), failed.lines.end(), [&](int r) {
            return std::find(t.lines.begin(), t.lines.end(), r) ==
                       t.lines.end() ||
                   std::find(paid.begin(), paid.end(), r) != paid.end();
          })) {
        continue;
      }
    }
    (t.posted && !t.posted_others_only ? out.separate : out.standing)
        .push_back(j);
  }
  return out;
}

using Paid = RefundCover::Transaction::Paid;

// "RF2 (GBP 58.21, paid)" for each of `refunds`.
std::vector<std::string> Described(const PlanContext& ctx,
                                   const std::vector<int>& refunds) {
  std::vector<std::string> out;
  for (int j : refunds) {
    const v1::RefundTransaction& r = ctx.ret.refunds(j);
    out.push_back(absl::StrCat(r.refund_id(), " (",
                               ctx.Format(r.amount().minor_units()), ", ",
                               StatusWord(r.status()), ")"));
  }
  return out;
}

std::vector<std::string> Names(const PlanContext& ctx,
                               const std::vector<int>& refunds) {
  std::vector<std::string> out;
  for (int j : refunds) out.push_back(ctx.ret.refunds(j).refund_id());
  return out;
}

// "the same items", "these items (and others)", "some of these items"...
std::string Coverage(const RefundCover& cover, int index,
                     const std::vector<int>& refunds) {
  const RefundCover::Transaction& failed = cover.refunds[index];
  bool more = false;
  std::vector<int> covered;
  for (int j : refunds) {
    const RefundCover::Transaction& t = cover.refunds[j];
    more = more || !Within(t.lines, failed.lines);
    covered.insert(covered.end(), t.lines.begin(), t.lines.end());
  }
  const bool all = Within(failed.lines, covered);
  if (!more) return all ? "the same items" : "some of these items";
  return all ? "these items (and others)" : "some of these items (and others)";
}

// What finance does about a held note that stands for `standing`: live
// transactions without a note of their own for its items, that pay for
// them or may (not yet paid or checked).
absl::StatusOr<std::string> StandsFor(const PlanContext& ctx,
                                      const RefundCover& cover, int index,
                                      const std::vector<int>& standing) {
  const bool one = standing.size() == 1;
  const std::vector<std::string> names = Names(ctx, standing);
  std::vector<std::string> awaited;
  bool unchecked = false;  // Partly held and not yet checked.
  for (int j : standing) {
    const v1::RefundTransaction& r = ctx.ret.refunds(j);
    if (r.status() == v1::TRANSACTION_STATUS_SUCCESS) continue;
    awaited.push_back(r.refund_id());
    unchecked = unchecked || cover.refunds[j].PartlyHeld();
  }
  std::string out = absl::StrCat(
      one ? " Refund " : " Refunds ", ListOf(Described(ctx, standing)),
      one ? " covers " : " cover ", Coverage(cover, index, standing),
      ", so this credit note stands for ", one ? "it" : "them",
      ": retcon posts no second credit note for those items.");
  if (!awaited.empty()) {
    const bool one_awaited = awaited.size() == 1;
    absl::StrAppend(
        &out, " ", ListOf(awaited), one_awaited ? " is" : " are",
        " not paid yet: keep this credit note while ",
        one_awaited ? "it is" : "they are", " awaited",
        unchecked ? "; retcon checks what was paid for once it is paid" : "",
        ". If ", one_awaited ? "it fails or is" : "they fail or are",
        " canceled too, check with the payment provider and reverse this "
        "credit note in the ERP unless these items are still to be paid.");
    return out;
  }
  absl::StrAppend(&out,
                  " Keep this credit note and note on it in the ERP that ",
                  one ? "refund " : "refunds ", ListOf(names),
                  " paid it; if it was already reversed, credit those items "
                  "again by hand for ",
                  ListOf(names), ".");
  // Held items no live transaction covers: credited, and paid by none.
  std::vector<int> uncovered;
  for (int r : cover.refunds[index].lines) {
    if (std::none_of(cover.refunds.begin(), cover.refunds.end(),
                     [r](const RefundCover::Transaction& t) {
                       return !t.repeated && t.live &&
                              std::find(t.lines.begin(), t.lines.end(), r) !=
                                  t.lines.end();
                     })) {
      uncovered.push_back(r);
    }
  }
  if (!uncovered.empty()) {
    std::vector<std::string> ids;
    int64_t value = 0;
    for (int r : uncovered) {
      ids.push_back(absl::StrCat("'", ctx.ret.lines(r).return_line_id(), "'"));
      value += cover.line_value[r];
    }
    RETCON_ASSIGN_OR_RETURN(int64_t fees, FeesOf(ctx, uncovered, false));
    const bool one_line = ids.size() == 1;
    absl::StrAppend(
        &out, " But ", one_line ? "line " : "lines ", ListOf(ids),
        ", which this credit note credits for ", ctx.Format(value - fees),
        one_line ? ", is" : ", are",
        " covered by no refund: the ERP credits the customer that money, "
        "which was not paid. Check with the payment provider and, unless ",
        one_line ? "it is" : "they are",
        " still to be paid, reverse that much of this credit note in the "
        "ERP.");
  }
  // A transaction with no note of its own whose amount failed its check
  // (a blocking exception of its own): the figures for finance.
  int64_t paid = 0;
  bool comparable = true, blocked = false;
  for (int j : standing) {
    paid += ctx.ret.refunds(j).amount().minor_units();
    comparable = comparable && cover.refunds[j].StandsIn() &&
                 Within(cover.refunds[j].lines, cover.refunds[index].lines);
    blocked = blocked || cover.refunds[j].paid == Paid::kNeither;
  }
  const int64_t was = cover.refunds[index].held_value;
  if (comparable && blocked && paid != was) {
    absl::StrAppend(&out, " ", ListOf(names), one ? " is" : " are", " for ",
                    ctx.Format(paid), ", ",
                    ctx.Format(paid < was ? was - paid : paid - was),
                    paid < was ? " less" : " more", " than the ",
                    ctx.Format(was),
                    " this credit note credits: see the exception raised for ",
                    ListOf(names),
                    "; once the difference is settled, book what was approved "
                    "in the ERP by hand.");
  }
  return out;
}

// Live transactions covering these items and others, whose amount matches
// neither paying for all their items nor for the others alone.
std::string Unsettled(const PlanContext& ctx, const RefundCover& cover,
                      int index, const std::vector<int>& neither) {
  const bool one = neither.size() == 1;
  const std::string names = ListOf(Names(ctx, neither));
  return absl::StrCat(
      one ? " Refund " : " Refunds ", ListOf(Described(ctx, neither)),
      one ? " covers " : " cover ", Coverage(cover, index, neither), ", but ",
      one ? "its amount is" : "their amounts are", " neither what all ",
      one ? "its" : "their",
      " items are worth nor what the others alone are worth, so ",
      one ? "its credit note is" : "their credit notes are",
      " held back (see that exception). Keep this credit note until that is "
      "settled: if ",
      names, " paid for these items too, this credit note stands for ",
      one ? "it" : "them",
      "; if not, check the refund with the payment provider and reverse this "
      "credit note in the ERP unless it is still to be paid.");
}

// Live transactions covering these items and others that paid only for
// the others: this note stands for none of them.
std::string PaidOthersOnly(const PlanContext& ctx, const RefundCover& cover,
                           const std::vector<int>& others) {
  const bool one = others.size() == 1;
  int64_t own = 0;
  for (int j : others) own += cover.refunds[j].own_value;
  return absl::StrCat(
      one ? " Refund " : " Refunds ", ListOf(Described(ctx, others)),
      one ? " covers" : " cover", " these items and others but paid only for ",
      "the others (",
      one ? "its own credit note credits "
          : "their own "
            "credit notes credit ",
      ctx.Format(own), "), so this credit note stands for no refund.");
}

}  // namespace

absl::Status ReportNoteOfFailedRefund(PlanContext& ctx,
                                      const RefundCover& cover, int index) {
  const v1::RefundTransaction& refund = ctx.ret.refunds(index);
  const bool failed = refund.status() == v1::TRANSACTION_STATUS_FAILED;
  const int64_t amount = refund.amount().minor_units();
  const Replacements replacements = ReplacementsOf(cover, index);
  std::vector<Issue> issues(1);
  Issue& issue = issues[0];
  issue.code = v1::EXCEPTION_CODE_REFUND_VARIANCE;
  issue.severity = v1::SEVERITY_WARNING;  // Nothing is held back.
  issue.amount_minor = -amount;
  issue.message = absl::StrCat(
      "A credit note was posted for refund ", refund.refund_id(), " of return ",
      ctx.ret.return_id(), ", but the returns platform now says that refund ",
      failed ? "failed" : "was canceled", " (it was for ", ctx.Format(amount),
      ").");
  if (!replacements.separate.empty()) {
    std::vector<std::string> names;
    for (int j : replacements.separate) {
      names.push_back(ctx.ret.refunds(j).refund_id());
    }
    const bool one = names.size() == 1;
    absl::StrAppend(&issue.message, one ? " Refund " : " Refunds ",
                    ListOf(names), one ? " covers" : " cover",
                    " the same items and ", one ? "has its" : "have their",
                    " own credit note, so the ERP credits them twice: reverse "
                    "the credit note for ",
                    refund.refund_id(), " in the ERP.");
  } else {
    std::vector<int> stands, others, neither;
    for (int j : replacements.standing) {
      const RefundCover::Transaction& t = cover.refunds[j];
      if (t.StandsIn()) {
        stands.push_back(j);
      } else if (t.paid == Paid::kOthersOnly) {
        others.push_back(j);
      } else if (t.paid == Paid::kNeither) {
        neither.push_back(j);
      } else {
        stands.push_back(j);  // Paid for these items too, or not yet known.
      }
    }
    if (!neither.empty()) {
      absl::StrAppend(&issue.message, Unsettled(ctx, cover, index, neither));
    } else if (!stands.empty()) {
      RETCON_ASSIGN_OR_RETURN(std::string stands_for,
                              StandsFor(ctx, cover, index, stands));
      absl::StrAppend(&issue.message, stands_for);
    } else {
      if (!others.empty()) {
        absl::StrAppend(&issue.message, PaidOthersOnly(ctx, cover, others));
      }
      absl::StrAppend(
          &issue.message,
          " The ERP credits the customer money that was not paid; nothing is "
          "held back. Check the refund with the payment provider. If it will "
          "not be paid, reverse the credit note in the ERP. If a new refund "
          "pays for these items instead, keep the credit note: it stands for "
          "the new refund, and retcon posts no second credit note for them.");
    }
  }
  v1::ExceptionDetail& detail = issue.details.emplace_back();
  detail.set_field(absl::StrCat("return.refunds[", index, "].status"));
  detail.set_expected("a refund that was paid (its credit note is posted)");
  detail.set_actual(v1::TransactionStatus_Name(refund.status()));
  return RaiseIssues(ctx, issues, "").status();
}

std::string DescribeHeldLines(const PlanContext& ctx, const RefundCover& cover,
                              int index) {
  const RefundCover::Transaction& t = cover.refunds[index];
  std::vector<std::string> lines, holders;
  bool all_failed = true;
  for (int r : t.lines) {
    if (!cover.held[r]) continue;
    lines.push_back(absl::StrCat("'", ctx.ret.lines(r).return_line_id(), "'"));
  }
  if (lines.empty()) return "";
  for (int j = 0; j < static_cast<int>(cover.refunds.size()); ++j) {
    const RefundCover::Transaction& h = cover.refunds[j];
    if (h.repeated || h.live || !h.posted || !Overlap(h.lines, t.lines)) {
      continue;
    }
    holders.push_back(ctx.ret.refunds(j).refund_id());
    all_failed = all_failed &&
                 ctx.ret.refunds(j).status() == v1::TRANSACTION_STATUS_FAILED;
  }
  const bool one_line = lines.size() == 1;
  const bool one_holder = holders.size() == 1;
  return absl::StrCat(one_line ? "line " : "lines ", ListOf(lines), " of it ",
                      one_line ? "is" : "are",
                      " already credited by the credit note",
                      one_holder ? "" : "s", " posted for refund",
                      one_holder ? " " : "s ", ListOf(holders), ", which ",
                      all_failed   ? "failed"
                      : one_holder ? "was canceled"
                                   : "failed or were canceled");
}

}  // namespace plan_internal
}  // namespace retcon