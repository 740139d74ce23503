// What of the order is still refundable: units not yet credited nor
// exchanged, and the money paid and not yet credited.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "lib/plan/internal/credit_note.h"
#include "lib/plan/internal/plan_context.h"
#include "retcon/allocation.h"
#include "retcon/apportion.h"

namespace retcon {
namespace plan_internal {

// Units of a line (or component) not yet credited nor exchanged, per the
// working history; whole bundles count complete sets.
int64_t Remaining(const PlanContext& ctx, int order_line,
                  absl::string_view component) {
  const std::string& line_id = ctx.order.lines(order_line).line_id();
  auto left = [&](const PaidLine& paid, absl::string_view sku) {
    const v1::LineHistory* h = ctx.History(line_id, sku);
    return paid.units -
           (h == nullptr ? 0
                         : h->credited_quantity() + h->exchanged_quantity());
  };
  const PaidLine& line = ctx.figures.lines[order_line];
  if (!component.empty()) {
    const PaidLine* paid = ctx.Paid(order_line, component);
    return paid == nullptr ? 0 : left(*paid, component);
  }
  if (line.component_begin == line.component_end) return left(line, "");
  int64_t sets = line.units;
  for (int c = line.component_begin; c < line.component_end; ++c) {
    const PaidLine& paid = ctx.figures.components[c];
    const int64_t per_bundle = paid.units / line.units;
    sets = std::min(sets, left(paid, paid.sku) / per_bundle);
  }
  return sets;
}

// Whether every unit of every order line is credited or exchanged once
// `returns` are.
bool AllReturnedAfter(const PlanContext& ctx,
                      const std::vector<ReturnQuantity>& returns) {
  for (int l = 0; l < ctx.order.lines_size(); ++l) {
    const PaidLine& line = ctx.figures.lines[l];
    const std::string& id = ctx.order.lines(l).line_id();
    auto now = [&](absl::string_view component, int64_t per_bundle) {
      int64_t n = 0;
      for (const ReturnQuantity& q : returns) {
        if (q.order_line_id != id) continue;
        if (q.component_sku == component) n += q.quantity;
        if (!component.empty() && q.component_sku.empty()) {
          n += q.quantity * per_bundle;
        }
      }
      return n;
    };
    if (line.component_begin == line.component_end) {
      if (Remaining(ctx, l, "") - now("", 1) > 0) return false;
      continue;
    }
    for (int c = line.component_begin; c < line.component_end; ++c) {
      const PaidLine& paid = ctx.figures.components[c];
      if (Remaining(ctx, l, paid.sku) - now(paid.sku, paid.units / line.units) >
          0) {
        return false;
      }
    }
  }
  return true;
}

// What the order has paid and not yet had credited (goods and shipping).
int64_t StillRefundable(const PlanContext& ctx) {
  int64_t credited = 0;
  for (const v1::LineHistory& h : ctx.working.lines()) {
    if (h.has_credited_gross() || h.credited_quantity() == 0) {
      credited += h.credited_gross().minor_units();
      continue;
    }
    // Quantities without amounts were credited by the cumulative rule.
    const int l = ctx.OrderLine(h.order_line_id());
    const PaidLine* paid = l < 0 ? nullptr : ctx.Paid(l, h.component_sku());
    if (paid == nullptr || paid->units <= 0) continue;
    absl::StatusOr<int64_t> share = CumulativeShare(
        paid->paid.gross, std::min(h.credited_quantity(), paid->units),
        paid->units, ctx.config.options.rounding);
    if (share.ok()) credited += *share;
  }
  for (const v1::ShippingHistory& s : ctx.working.shipping()) {
    credited += s.credited_gross().minor_units();
  }
  return ctx.order_paid_minor - credited;
}

}  // namespace plan_internal
}  // namespace retcon
