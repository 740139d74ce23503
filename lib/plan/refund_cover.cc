// Which return lines each refund transaction's credit note credits, when a
// note posted for a transaction that has since failed or been cancelled
// still holds its lines; and what finance is told about such a note.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "lib/plan/internal/plan_context.h"
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
    const std::string& id = ret.lines(r).return_line_id();
    if (refund.return_line_ids().empty() ||
        std::find(refund.return_line_ids().begin(),
                  refund.return_line_ids().end(),
                  id) != refund.return_line_ids().end()) {
      lines.push_back(r);
    }
  }
  return lines;
}

namespace {

bool Posted(const PlanContext& ctx, const v1::RefundTransaction& refund) {
  return ctx.posted.contains(RetconUuid(CreditNoteIdentity(ctx.ret, &refund)));
}

bool Overlap(absl::Span<const int> a, absl::Span<const int> b) {
  return std::any_of(a.begin(), a.end(), [&](int r) {
    return std::find(b.begin(), b.end(), r) != b.end();
  });
}

bool Within(absl::Span<const int> a, absl::Span<const int> b) {
  return std::all_of(a.begin(), a.end(), [&](int r) {
    return std::find(b.begin(), b.end(), r) != b.end();
  });
}

// "A", "A and B", "A, B and C".
std::string ListOf(const std::vector<std::string>& names) {
  if (names.size() <= 1) return names.empty() ? "" : names[0];
  return absl::StrCat(absl::StrJoin(names.begin(), names.end() - 1, ", "),
                      " and ", names.back());
}

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
    (t.posted ? out.separate : out.standing).push_back(j);
  }
  return out;
}

// What finance does about a held note that stands for `standing`.
std::string StandsFor(const PlanContext& ctx, const RefundCover& cover,
                      int index, const std::vector<int>& standing) {
  const v1::RefundTransaction& failed = ctx.ret.refunds(index);
  const bool one = standing.size() == 1;
  std::vector<std::string> names, described;
  int64_t paid = 0;
  bool comparable = true;  // Their money is for the failed refund's items.
  for (int j : standing) {
    const v1::RefundTransaction& r = ctx.ret.refunds(j);
    names.push_back(r.refund_id());
    described.push_back(absl::StrCat(r.refund_id(), " (",
                                     ctx.Format(r.amount().minor_units()), ", ",
                                     StatusWord(r.status()), ")"));
    paid += r.amount().minor_units();
    comparable = comparable && cover.refunds[j].StandsIn() &&
                 Within(cover.refunds[j].lines, cover.refunds[index].lines);
  }
  std::string out = absl::StrCat(
      one ? " Refund " : " Refunds ", ListOf(described),
      one ? " covers" : " cover",
      " the same items, so this credit note stands for ", one ? "it" : "them",
      ": retcon posts no second credit note for those items. Keep this "
      "credit note and note on it in the ERP that ",
      one ? "refund " : "refunds ", ListOf(names),
      " paid it; if it was already reversed, credit those items again by hand "
      "for ",
      ListOf(names), ".");
  const int64_t was = failed.amount().minor_units();
  if (comparable && paid != was) {
    absl::StrAppend(&out, " ", ListOf(names), one ? " is" : " are", " for ",
                    ctx.Format(paid), ", ",
                    ctx.Format(paid < was ? was - paid : paid - was),
                    paid < was ? " less" : " more", " than refund ",
                    failed.refund_id(),
                    ": book the difference in the ERP by hand.");
  }
  return out;
}

}  // namespace

RefundCover CoverOf(const PlanContext& ctx) {
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
  return cover;
}

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
  } else if (!replacements.standing.empty()) {
    absl::StrAppend(&issue.message,
                    StandsFor(ctx, cover, index, replacements.standing));
  } else {
    absl::StrAppend(
        &issue.message,
        " The ERP credits the customer money that was not paid; nothing is "
        "held back. Check the refund with the payment provider. If it will "
        "not be paid, reverse the credit note in the ERP. If a new refund "
        "pays for these items instead, keep the credit note: it stands for "
        "the new refund, and retcon posts no second credit note for them.");
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
