// PlanCreditNote: the credit note of one refund event, its goods from the
// apportioning core, then refunds owed on exchanges, fees, totals and the
// tender. The amount checks are in refund_validation.cc.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "lib/apportion/internal/fields.h"
#include "lib/internal/status_macros.h"
#include "lib/plan/internal/credit_note.h"
#include "lib/plan/internal/enum_names.h"
#include "lib/plan/internal/plan_context.h"
#include "lib/plan/internal/units_taken.h"
#include "retcon/apportion.h"
#include "retcon/v1/facts.pb.h"

namespace retcon {
namespace plan_internal {
namespace {

// "return.lines[r].<name>", for issue details.
std::string ReturnLineField(int r, absl::string_view name) {
  return absl::StrCat("return.lines[", r, "].", name);
}

// Adds `quantity` units of `line` to `returns`, merged with those of the
// same order line and component.
void AddReturned(const v1::ReturnLine& line, int64_t quantity,
                 std::vector<ReturnQuantity>& returns) {
  auto same = [&](const ReturnQuantity& q) {
    return q.order_line_id == line.order_line_id() &&
           q.component_sku == line.component_sku();
  };
  auto it = std::find_if(returns.begin(), returns.end(), same);
  if (it != returns.end()) {
    it->quantity += quantity;
  } else {
    returns.push_back(
        ReturnQuantity{line.order_line_id(), line.component_sku(), quantity});
  }
}

// Plans the credit note of one CreditEvent (see PlanCreditNote). One use:
// construct, Run(). `ctx` and `event` must outlive it.
class EventPlanner {
 public:
  EventPlanner(PlanContext& ctx, const CreditEvent& event, bool record)
      : ctx_(ctx), event_(event), record_(record), taken_(ctx) {}

  absl::Status Run();

 private:
  // The amount check of a transaction standing in for a held note, on an
  // empty scratch note: blocking issues park nothing (there is no note).
  absl::Status CheckStandIn();
  // The note's order, return and refund ids and its currency.
  void SetHeader();
  // Raises the issues: parks the note when one blocks it; else records the
  // note into ctx.working when `record_`.
  absl::Status ParkOrRecord();

  ApportionOptions Options() const;

  // The goods units of the event, merged per line and component, capped at
  // what remains refundable (an OVER_REFUND issue for the excess).
  std::vector<ReturnQuantity> GoodsQuantities();
  // The UNKNOWN_BUNDLE issue of return line `r`, of order line `l`, whose
  // component has no price share.
  Issue UnknownComponentIssue(int r, int l) const;
  // The units of return line `r` (of order line `l`) still refundable, at
  // most its quantity; an OVER_REFUND issue for the rest.
  int64_t RefundableQuantity(int r, int l);
  // That OVER_REFUND issue: `left` units were refundable, `quantity` kept.
  Issue OverRefundedUnitsIssue(int r, int l, int64_t left,
                               int64_t quantity) const;

  // Goods (and shipping, per refund_policy) from the apportioning core.
  absl::Status Apportion(const std::vector<ReturnQuantity>& returns);
  // Whether refund_policy refunds shipping with goods worth `goods_gross`.
  // REQUIRES: all_returned_ is set.
  absl::StatusOr<bool> IncludesShipping(int64_t goods_gross) const;
  // Sets the return line of each goods line of the note: the first of the
  // event's lines for its order line and component (or whole bundle).
  void SetGoodsReturnLines();
  // The refunds owed on the event's exchanged lines, as credit lines; an
  // INCOMPLETE_EXCHANGE issue when the exchange order is parked.
  absl::Status AddDifferenceLines();
  // The fees deducted on this note, as negative credit lines.
  absl::Status AddFeeLines();
  void SetTender();

  PlanContext& ctx_;
  const CreditEvent& event_;
  const bool record_;
  v1::CreditNote* note_ = nullptr;  // In ctx_.plan.credit_notes.
  std::optional<Refund> refund_;
  bool include_shipping_ = false;
  bool all_returned_ = false;  // After this event, every unit credited.
  UnitsTaken taken_;           // By this event's earlier lines.
  std::vector<Issue> issues_;
};

absl::Status EventPlanner::Run() {
  if (event_.stands_in) return CheckStandIn();
  // Built in place; moved to the parked list, or removed, as it turns out.
  note_ = ctx_.plan.add_credit_notes();
  SetPostingId(CreditNoteIdentity(ctx_.ret, event_.refund),
               CreditNoteFingerprint(ctx_, event_), note_->mutable_id());
  RETCON_ASSIGN_OR_RETURN(
      Replay replay, CheckReplay(ctx_, note_->id(),
                                 v1::POSTING_KIND_CREDIT_NOTE, "credit note"));
  if (replay != Replay::kNew) {
    ctx_.plan.mutable_credit_notes()->RemoveLast();
    return absl::OkStatus();
  }
  SetHeader();

  std::vector<ReturnQuantity> returns = GoodsQuantities();
  RETCON_RETURN_IF_ERROR(Apportion(returns));
  RETCON_RETURN_IF_ERROR(AddDifferenceLines());
  RETCON_RETURN_IF_ERROR(AddFeeLines());
  SetNoteTotals(ctx_, *note_);
  RETCON_RETURN_IF_ERROR(
      CheckRefundedAmount(ctx_, event_, all_returned_, *note_, issues_));
  SetTender();
  return ParkOrRecord();
}

absl::Status EventPlanner::CheckStandIn() {
  note_ = ctx_.plan.add_credit_notes();
  SetNoteTotals(ctx_, *note_);
  const absl::Status status =
      CheckRefundedAmount(ctx_, event_, all_returned_, *note_, issues_);
  ctx_.plan.mutable_credit_notes()->RemoveLast();
  note_ = nullptr;
  RETCON_RETURN_IF_ERROR(status);
  return RaiseIssues(ctx_, issues_, "").status();
}

void EventPlanner::SetHeader() {
  note_->set_order_id(ctx_.order.order_id());
  note_->set_order_number(ctx_.order.order_number());
  note_->set_source(ctx_.ret.source());
  note_->set_return_id(ctx_.ret.return_id());
  if (event_.refund != nullptr) {
    note_->set_refund_id(event_.refund->refund_id());
  }
  note_->set_currency_code(ctx_.currency());
}

absl::Status EventPlanner::ParkOrRecord() {
  RETCON_ASSIGN_OR_RETURN(
      bool parked, RaiseIssues(ctx_, issues_, note_->id().idempotency_key()));
  if (parked) {
    MoveLast(ctx_.plan.mutable_credit_notes(),
             ctx_.plan.mutable_parked_credit_notes());
    return absl::OkStatus();
  }
  if (refund_ && record_) {
    ApportionOptions options = Options();
    RETCON_RETURN_IF_ERROR(apportion_internal::RecordWithFigures(
        ctx_.order, ctx_.figures, *refund_, &ctx_.working, options));
  }
  return absl::OkStatus();
}

ApportionOptions EventPlanner::Options() const {
  ApportionOptions options = ctx_.config.Apportioning();
  options.include_shipping = include_shipping_;
  return options;
}

std::vector<ReturnQuantity> EventPlanner::GoodsQuantities() {
  std::vector<ReturnQuantity> returns;
  returns.reserve(event_.lines.size());
  for (int r : event_.lines) {
    const v1::ReturnLine& line = ctx_.ret.lines(r);
    // Exchanged units are not refunded: only a difference owed on them is
    // (DifferenceLine), whatever the line's resolution.
    if (ctx_.exchange_values[r].exchanged) continue;
    const int l = ctx_.OrderLine(line.order_line_id());
    if (!line.component_sku().empty() &&
        ctx_.Paid(l, line.component_sku()) == nullptr) {
      issues_.push_back(UnknownComponentIssue(r, l));
      continue;
    }
    const int64_t quantity = RefundableQuantity(r, l);
    if (quantity == 0) continue;
    taken_.Take(l, line.component_sku(), quantity);
    AddReturned(line, quantity, returns);
  }
  return returns;
}

Issue EventPlanner::UnknownComponentIssue(int r, int l) const {
  const v1::ReturnLine& line = ctx_.ret.lines(r);
  const UnknownComponent why =
      DescribeUnknownComponent(ctx_, l, line.component_sku());
  Issue issue;
  issue.code = v1::EXCEPTION_CODE_UNKNOWN_BUNDLE;
  issue.message = absl::StrCat(
      "Line '", line.return_line_id(), "' returns component ",
      line.component_sku(), " of order line '", line.order_line_id(), "', but ",
      why.reason,
      ", so its refund cannot be valued. The credit note is held back. ",
      why.action);
  issue.details.push_back(Detail(ReturnLineField(r, "component_sku"),
                                 "a component with a known price share",
                                 line.component_sku()));
  return issue;
}

int64_t EventPlanner::RefundableQuantity(int r, int l) {
  const v1::ReturnLine& line = ctx_.ret.lines(r);
  const int64_t left = taken_.Left(l, line.component_sku());
  const int64_t quantity =
      std::min(line.quantity(), std::max<int64_t>(left, 0));
  if (quantity < line.quantity()) {
    issues_.push_back(OverRefundedUnitsIssue(r, l, left, quantity));
  }
  return quantity;
}

Issue EventPlanner::OverRefundedUnitsIssue(int r, int l, int64_t left,
                                           int64_t quantity) const {
  const v1::ReturnLine& line = ctx_.ret.lines(r);
  Issue issue;
  issue.code = v1::EXCEPTION_CODE_OVER_REFUND;
  if (const PaidLine* paid = ctx_.Paid(l, line.component_sku());
      paid != nullptr && paid->units > 0) {
    // Roughly what the excess units paid, for the routing rules.
    issue.amount_minor =
        paid->paid.gross / paid->units * (line.quantity() - quantity);
  }
  issue.message = absl::StrCat(
      "Line '", line.return_line_id(), "' refunds ", line.quantity(), " x ",
      line.component_sku().empty() ? line.platform_sku() : line.component_sku(),
      " of order ", ctx_.order.order_number(), ", but ",
      left <= 0   ? "none of those units is"
      : left == 1 ? "only 1 of those units is"
                  : absl::StrCat("only ", left, " of those units are"),
      " still refundable (the rest were already credited or "
      "exchanged). The credit note is held back: check for a refund "
      "made twice.");
  issue.details.push_back(
      Detail(ReturnLineField(r, "quantity"),
             absl::StrCat("<= ", std::max<int64_t>(left, 0)),
             absl::StrCat(line.quantity())));
  return issue;
}

absl::Status EventPlanner::Apportion(
    const std::vector<ReturnQuantity>& returns) {
  all_returned_ = AllReturnedAfter(ctx_, returns);
  // Goods first: the policy decision sees their value.
  absl::StatusOr<Refund> refund = apportion_internal::ApportionWithFigures(
      ctx_.order, ctx_.figures, ctx_.working, returns, Options());
  if (!refund.ok()) return refund.status();
  RETCON_ASSIGN_OR_RETURN(include_shipping_,
                          IncludesShipping(refund->total.gross));
  if (returns.empty() && !include_shipping_) return absl::OkStatus();
  if (include_shipping_) {  // The goods as they are, plus shipping.
    RETCON_RETURN_IF_ERROR(apportion_internal::AddShippingWithFigures(
        ctx_.order, ctx_.figures, ctx_.working, *refund));
  }
  FillCreditNote(*refund, note_);
  SetGoodsReturnLines();
  refund_ = *std::move(refund);
  return absl::OkStatus();
}

absl::StatusOr<bool> EventPlanner::IncludesShipping(int64_t goods_gross) const {
  auto& fact = *ctx_.Scratch<v1::RefundFact>();
  FillRefundFact(ctx_, event_, goods_gross, fact);
  fact.set_all_items_returned(all_returned_);
  RETCON_ASSIGN_OR_RETURN(const v1::Value* shipping,
                          DecideOne(ctx_, ctx_.config.refund_policy, 0, fact));
  v1::ShippingRefund policy = v1::SHIPPING_REFUND_NEVER;
  if (shipping != nullptr && !ParseEnum(shipping->enum_value(), &policy)) {
    policy = v1::SHIPPING_REFUND_NEVER;
  }
  return policy == v1::SHIPPING_REFUND_ALWAYS ||
         (policy == v1::SHIPPING_REFUND_WHEN_ALL_RETURNED && all_returned_);
}

void EventPlanner::SetGoodsReturnLines() {
  for (v1::RefundLine& line : *note_->mutable_lines()) {
    if (line.kind() != v1::CREDIT_LINE_KIND_GOODS) continue;
    for (int r : event_.lines) {
      const v1::ReturnLine& rl = ctx_.ret.lines(r);
      if (rl.order_line_id() == line.order_line_id() &&
          (rl.component_sku() == line.component_sku() ||
           rl.component_sku().empty())) {
        line.set_return_line_id(rl.return_line_id());
        break;
      }
    }
  }
}

absl::Status EventPlanner::AddDifferenceLines() {
  bool owed_on_exchange = false;
  for (int r : event_.lines) {
    // EXCHANGE lines, and lines of no resolution an exchange item names.
    if (!ctx_.exchange_values[r].exchanged) continue;
    RETCON_ASSIGN_OR_RETURN(std::optional<v1::RefundLine> line,
                            DifferenceLine(ctx_, r));
    if (!line) continue;
    *note_->add_lines() = *std::move(line);
    owed_on_exchange = true;
  }
  if (owed_on_exchange && ctx_.exchange_parked) {
    Issue issue;
    issue.code = v1::EXCEPTION_CODE_INCOMPLETE_EXCHANGE;
    issue.message = absl::StrCat(
        "The refund owed on the exchange for order ", ctx_.order.order_number(),
        " is held back with its exchange order, which is held back too "
        "(see that exception). Both go through once it is resolved.");
    issue.details.push_back(Detail("exchange_order", "posted", "held back"));
    issues_.push_back(std::move(issue));
  }
  return absl::OkStatus();
}

absl::Status EventPlanner::AddFeeLines() {
  for (const v1::Fee& fee : ctx_.ret.fees()) {
    if (!FeeOnNote(ctx_, fee, event_.lines, event_.return_fees)) continue;
    RETCON_ASSIGN_OR_RETURN(v1::RefundLine line, FeeLine(ctx_, fee));
    *note_->add_lines() = std::move(line);
  }
  return absl::OkStatus();
}

void EventPlanner::SetTender() {
  v1::Tender* tender = note_->add_tenders();
  tender->set_method(RefundMethod(ctx_, event_));
  ctx_.SetMoney(event_.refund != nullptr ? event_.refund->amount().minor_units()
                                         : note_->total_gross().minor_units(),
                tender->mutable_amount());
  if (event_.refund != nullptr) {
    tender->set_refund_id(event_.refund->refund_id());
  }
}

}  // namespace

absl::Status PlanCreditNote(PlanContext& ctx, const CreditEvent& event,
                            bool record) {
  return EventPlanner(ctx, event, record).Run();
}

}  // namespace plan_internal
}  // namespace retcon
