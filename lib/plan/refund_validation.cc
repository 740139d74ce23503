// CheckRefundedAmount: what the platform refunded against the note's
// value, what the order has left to refund, the refund tolerance, and what
// a transaction covering held lines paid for.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/internal/status_macros.h"
#include "lib/plan/internal/credit_note.h"
#include "lib/plan/internal/plan_context.h"
#include "retcon/allocation.h"
#include "retcon/v1/facts.pb.h"

namespace retcon {
namespace plan_internal {
namespace {

// How far `refunded` is from `value`.
int64_t Distance(int64_t refunded, int64_t value) {
  return refunded < value ? value - refunded : refunded - value;
}

// The checks of CheckRefundedAmount on one note. One use: construct,
// Validate(). The arguments must outlive it.
class RefundCheck {
 public:
  RefundCheck(PlanContext& ctx, const CreditEvent& event, bool all_returned,
              v1::CreditNote& note, std::vector<Issue>& issues)
      : ctx_(ctx),
        event_(event),
        all_returned_(all_returned),
        note_(note),
        issues_(issues) {}

  absl::Status Validate();

 private:
  // The held lines of the event's transaction (DescribeHeldLines), what is
  // left of their value to count for it, and the earlier transactions that
  // paid for the rest (HeldValueLeft); empty `described` when none is held.
  struct HeldLines {
    std::string described;
    int64_t value = 0;
    std::vector<int> payers;
  };

  // The REFUND_OUTSIDE_PLATFORM issue of a refund paid on a rejected or
  // cancelled return.
  Issue OutsidePlatformIssue(int64_t refunded) const;
  absl::StatusOr<HeldLines> HeldLinesOf() const;
  // The OVER_REFUND issue of a refund beyond what the order has left.
  Issue OverRefundableIssue(int64_t refunded, int64_t refundable,
                            const HeldLines& held) const;
  // The REFUND_VARIANCE issue, if any, of a note none of whose lines is
  // held.
  absl::Status CheckVariance(int64_t refunded, int64_t total);
  // The most a refund may differ from `computed`, per refund_tolerance.
  absl::StatusOr<int64_t> Allowed(int64_t computed) const;
  // The amount check of a transaction some (`held` describes which) or all
  // of whose lines a failed refund's posted note credits, for `held_value`.
  // It paid for those items too when its amount is (within tolerance) that
  // note's value plus its own note's; it paid only for its other items when
  // its amount is its own note's alone. Otherwise its note is held back.
  absl::Status ValidateHeld(const std::string& held, int64_t held_value);
  // The REFUND_VARIANCE issue of a transaction standing in for a held note
  // whose amount is off that note's by more than `allowed`.
  Issue StandInVarianceIssue(const std::string& held, int64_t held_value,
                             int64_t allowed) const;
  // The REFUND_VARIANCE issue of a partly held transaction whose amount is
  // off both readings (all its items; its other items only).
  Issue PartlyHeldVarianceIssue(const std::string& held, int64_t held_value,
                                int64_t allowed, int64_t allowed_own) const;
  // "return.refunds[i].amount", for issue details.
  std::string AmountField() const;

  PlanContext& ctx_;
  const CreditEvent& event_;
  const bool all_returned_;  // After this event, every unit credited.
  v1::CreditNote& note_;
  std::vector<Issue>& issues_;
};

absl::Status RefundCheck::Validate() {
  const int64_t total = note_.total_gross().minor_units();
  ctx_.SetMoney(0, note_.mutable_variance());
  if (event_.refund == nullptr) return absl::OkStatus();
  const int64_t refunded = event_.refund->amount().minor_units();
  ctx_.SetMoney(refunded - total, note_.mutable_variance());
  if (ctx_.ret.status() == v1::RETURN_STATUS_REJECTED ||
      ctx_.ret.status() == v1::RETURN_STATUS_CANCELED) {
    issues_.push_back(OutsidePlatformIssue(refunded));
  }
  // Units beyond what remains refundable are already an OVER_REFUND: a
  // variance against the capped value would say the same thing twice.
  const bool over = std::any_of(
      issues_.begin(), issues_.end(),
      [](const Issue& i) { return i.code == v1::EXCEPTION_CODE_OVER_REFUND; });
  // Lines a failed refund's posted note still credits are not "left to
  // refund" by the history's count: what that note credits for them
  // counts as paid for by this transaction too, when it says so.
  RETCON_ASSIGN_OR_RETURN(const HeldLines held, HeldLinesOf());
  RefundCover::Transaction& self = event_.cover->refunds[event_.refund_index];
  self.own_value = total;
  if (!held.described.empty()) {
    self.paid = RefundCover::Transaction::Paid::kNeither;
  }
  const int64_t refundable = StillRefundable(ctx_) + held.value;
  if (!over && refunded > refundable) {
    issues_.push_back(OverRefundableIssue(refunded, refundable, held));
    return absl::OkStatus();
  }
  if (over) return absl::OkStatus();
  if (!held.described.empty()) return ValidateHeld(held.described, held.value);
  return CheckVariance(refunded, total);
}

Issue RefundCheck::OutsidePlatformIssue(int64_t refunded) const {
  Issue issue;
  issue.code = v1::EXCEPTION_CODE_REFUND_OUTSIDE_PLATFORM;
  issue.amount_minor = refunded;
  issue.message = absl::StrCat(
      "Refund ", event_.refund->refund_id(), " of ", ctx_.Format(refunded),
      " was paid on return ", ctx_.ret.return_id(), ", which is ",
      ctx_.ret.status() == v1::RETURN_STATUS_REJECTED ? "rejected"
                                                      : "cancelled",
      ": money went back outside the returns process. The credit note is "
      "held back; find out who authorised the refund.");
  issue.details.push_back(Detail("return.status", "an open or finalised return",
                                 v1::ReturnStatus_Name(ctx_.ret.status())));
  return issue;
}

absl::StatusOr<RefundCheck::HeldLines> RefundCheck::HeldLinesOf() const {
  HeldLines held;
  held.described = DescribeHeldLines(ctx_, *event_.cover, event_.refund_index);
  // Held lines an earlier transaction pays for count for nothing here:
  // each held line is paid for once.
  if (!held.described.empty()) {
    RETCON_ASSIGN_OR_RETURN(
        held.value,
        HeldValueLeft(ctx_, *event_.cover, event_.refund_index, &held.payers));
  }
  return held;
}

Issue RefundCheck::OverRefundableIssue(int64_t refunded, int64_t refundable,
                                       const HeldLines& held) const {
  std::string counted;  // What the message says of the held lines.
  if (!held.described.empty()) {
    counted = absl::StrCat(" (counting ", ctx_.Format(held.value),
                           " for its items already credited: ", held.described);
    if (!held.payers.empty()) {
      std::vector<std::string> ids;
      for (int j : held.payers) ids.push_back(ctx_.ret.refunds(j).refund_id());
      const std::string last = ids.back();
      ids.pop_back();
      absl::StrAppend(&counted, "; refund", ids.empty() ? " " : "s ",
                      absl::StrJoin(ids, ", "), ids.empty() ? "" : " and ",
                      last, ", listed before it, already paid for ",
                      held.value == 0 ? "them" : "some of them");
    }
    absl::StrAppend(&counted, ")");
  }
  Issue issue;
  issue.code = v1::EXCEPTION_CODE_OVER_REFUND;
  issue.amount_minor = refunded - refundable;
  issue.message = absl::StrCat(
      "Refund ", event_.refund->refund_id(), " paid ", ctx_.Format(refunded),
      ", but order ", ctx_.order.order_number(), " has only ",
      ctx_.Format(refundable), " left that was paid and not yet credited",
      counted,
      event_.stands_in
          ? absl::StrCat(". ", event_.refund->refund_id(),
                         " gets no credit note of its own, so nothing is "
                         "held back: recover the excess or record why it "
                         "was paid.")
          : ". The credit note is held back; recover the excess or "
            "record why it was paid.");
  issue.details.push_back(Detail(AmountField(),
                                 absl::StrCat("<= ", ctx_.Format(refundable)),
                                 ctx_.Format(refunded)));
  return issue;
}

absl::Status RefundCheck::CheckVariance(int64_t refunded, int64_t total) {
  const int64_t variance = refunded - total;
  // An exact refund is within any tolerance: the decision is consulted
  // only when the amounts differ.
  if (variance == 0) return absl::OkStatus();
  RETCON_ASSIGN_OR_RETURN(const int64_t allowed, Allowed(total));
  if (variance <= allowed && -variance <= allowed) return absl::OkStatus();
  Issue issue;
  issue.code = v1::EXCEPTION_CODE_REFUND_VARIANCE;
  issue.amount_minor = variance;
  issue.message = absl::StrCat(
      "The returns platform refunded ", ctx_.Format(refunded), " (refund ",
      event_.refund->refund_id(),
      "), but the order's prices, discounts, fees and tax make the "
      "returned items worth ",
      ctx_.Format(total), ": a difference of ",
      ctx_.Format(variance < 0 ? -variance : variance), ", more than the ",
      ctx_.Format(allowed),
      " allowed. The credit note is held back. Check the refund in the "
      "returns platform; post the credit note once the figures agree or the "
      "difference is approved.");
  issue.details.push_back(
      Detail(AmountField(), ctx_.Format(total), ctx_.Format(refunded)));
  issues_.push_back(std::move(issue));
  return absl::OkStatus();
}

absl::StatusOr<int64_t> RefundCheck::Allowed(int64_t computed) const {
  auto& fact = *ctx_.Scratch<v1::RefundFact>();
  FillRefundFact(ctx_, event_, computed, fact);
  fact.set_all_items_returned(all_returned_);
  const v1::Value* limits[2] = {nullptr, nullptr};
  RETCON_RETURN_IF_ERROR(
      Decide(ctx_, ctx_.config.refund_tolerance, fact, limits));
  const int64_t absolute =
      limits[0] == nullptr ? 0 : std::max<int64_t>(limits[0]->int_value(), 0);
  const int64_t basis_points =
      limits[1] == nullptr ? 0 : std::max<int64_t>(limits[1]->int_value(), 0);
  RETCON_ASSIGN_OR_RETURN(
      int64_t relative,
      DivideRounded(
          absl::int128(computed < 0 ? -computed : computed) * basis_points,
          10000, ctx_.config.options.rounding));
  return std::max(absolute, relative);
}

absl::Status RefundCheck::ValidateHeld(const std::string& held,
                                       int64_t held_value) {
  using Paid = RefundCover::Transaction::Paid;
  RefundCover::Transaction& self = event_.cover->refunds[event_.refund_index];
  const int64_t own = note_.total_gross().minor_units();
  const int64_t refunded = event_.refund->amount().minor_units();
  const int64_t all = own + held_value;
  RETCON_ASSIGN_OR_RETURN(const int64_t allowed, Allowed(all));
  if (Distance(refunded, all) <= allowed) {
    self.paid = Paid::kHeldToo;
    return absl::OkStatus();
  }
  if (event_.stands_in) {
    issues_.push_back(StandInVarianceIssue(held, held_value, allowed));
    return absl::OkStatus();
  }
  RETCON_ASSIGN_OR_RETURN(const int64_t allowed_own, Allowed(own));
  if (Distance(refunded, own) <= allowed_own) {
    self.paid = Paid::kOthersOnly;
    return absl::OkStatus();
  }
  issues_.push_back(
      PartlyHeldVarianceIssue(held, held_value, allowed, allowed_own));
  return absl::OkStatus();
}

Issue RefundCheck::StandInVarianceIssue(const std::string& held,
                                        int64_t held_value,
                                        int64_t allowed) const {
  const std::string& id = event_.refund->refund_id();
  const int64_t refunded = event_.refund->amount().minor_units();
  const int64_t all = note_.total_gross().minor_units() + held_value;
  Issue issue;
  issue.code = v1::EXCEPTION_CODE_REFUND_VARIANCE;
  issue.amount_minor = refunded - all;
  issue.message = absl::StrCat(
      "The returns platform refunded ", ctx_.Format(refunded), " (refund ", id,
      "), but ", held, "; that credit note credits ", ctx_.Format(held_value),
      " for those items: a difference of ",
      ctx_.Format(Distance(refunded, all)), ", more than the ",
      ctx_.Format(allowed), " allowed. ", id,
      " gets no credit note of its own (that credit note stands for it), "
      "so nothing is held back. Check the refund in the returns platform; "
      "book any difference that is approved in the ERP by hand.");
  issue.details.push_back(
      Detail(AmountField(), ctx_.Format(all), ctx_.Format(refunded)));
  return issue;
}

Issue RefundCheck::PartlyHeldVarianceIssue(const std::string& held,
                                           int64_t held_value, int64_t allowed,
                                           int64_t allowed_own) const {
  const std::string& id = event_.refund->refund_id();
  const int64_t refunded = event_.refund->amount().minor_units();
  const int64_t own = note_.total_gross().minor_units();
  const int64_t all = own + held_value;
  Issue issue;
  issue.code = v1::EXCEPTION_CODE_REFUND_VARIANCE;
  issue.amount_minor = refunded - all;
  issue.message = absl::StrCat(
      "The returns platform refunded ", ctx_.Format(refunded), " (refund ", id,
      "), but ", held, "; that credit note credits ", ctx_.Format(held_value),
      " for those items, and the order's prices, discounts, fees and tax "
      "make its other items worth ",
      ctx_.Format(own), ". So ", id, " should be for ", ctx_.Format(all),
      " if it paid for all its items, or ", ctx_.Format(own),
      " if it paid only for the others: it is ",
      ctx_.Format(Distance(refunded, all)), " off the first and ",
      ctx_.Format(Distance(refunded, own)), " off the second, more than the ",
      ctx_.Format(std::max(allowed, allowed_own)),
      " allowed. This credit note, for the other items only, is held back. "
      "Check the refund in the returns platform; post the credit note once "
      "the figures agree or the difference is approved.");
  issue.details.push_back(
      Detail(AmountField(),
             absl::StrCat(ctx_.Format(all), " (all its items) or ",
                          ctx_.Format(own), " (its other items only)"),
             ctx_.Format(refunded)));
  return issue;
}

std::string RefundCheck::AmountField() const {
  return absl::StrCat("return.refunds[", event_.refund_index, "].amount");
}

}  // namespace

absl::Status CheckRefundedAmount(PlanContext& ctx, const CreditEvent& event,
                                 bool all_returned, v1::CreditNote& note,
                                 std::vector<Issue>& issues) {
  return RefundCheck(ctx, event, all_returned, note, issues).Validate();
}

}  // namespace plan_internal
}  // namespace retcon
