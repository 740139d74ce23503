// The refund fact: what the rules (refund_policy, refund_tolerance) see of
// a credit note's event.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/types/span.h"
#include "lib/plan/internal/credit_note.h"
#include "lib/plan/internal/plan_context.h"

namespace retcon {
namespace plan_internal {
namespace {

// The reason code of return lines `lines`: their common one, or "MIXED".
std::string SharedReason(const PlanContext& ctx, absl::Span<const int> lines) {
  std::string reason;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& r = ctx.ret.lines(lines[i]).reason_code();
    if (i == 0) {
      reason = r;
    } else if (r != reason) {
      return "MIXED";
    }
  }
  return reason;
}

}  // namespace

v1::Resolution RefundMethod(const PlanContext& ctx, const CreditEvent& event) {
  if (event.refund != nullptr &&
      event.refund->method() != v1::RESOLUTION_UNSPECIFIED) {
    return event.refund->method();
  }
  for (int r : event.lines) {
    v1::Resolution res = ctx.ret.lines(r).resolution();
    if (IsRefundResolution(res)) return res;
  }
  return v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD;
}

void FillRefundFact(const PlanContext& ctx, const CreditEvent& event,
                    int64_t computed, v1::RefundFact& fact) {
  FillCommonFacts(ctx, fact.mutable_source(), fact.mutable_currency_code(),
                  fact.mutable_country_code(), fact.mutable_channel());
  fact.set_reason_code(SharedReason(ctx, event.lines));
  fact.set_method(RefundMethod(ctx, event));
  fact.set_out_of_policy(ctx.ret.out_of_policy());
  if (ctx.days_since_order) fact.set_days_since_order(*ctx.days_since_order);
  if (event.refund != nullptr) {
    fact.set_refunded_minor(event.refund->amount().minor_units());
  }
  fact.set_computed_minor(computed);
}

}  // namespace plan_internal
}  // namespace retcon
