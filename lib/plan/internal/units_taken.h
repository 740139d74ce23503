// The units of an order's lines that the return lines seen so far in one
// pass take (the lines of one credit note, or the exchanged lines of a
// return), so that later lines drawing on the same order line see only what
// is left of it. Inline: it is on the planner's hot path.
#ifndef RETCON_LIB_PLAN_INTERNAL_UNITS_TAKEN_H_
#define RETCON_LIB_PLAN_INTERNAL_UNITS_TAKEN_H_

#include <algorithm>
#include <cstdint>

#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "lib/plan/internal/credit_note.h"
#include "lib/plan/internal/plan_context.h"
#include "retcon/apportion.h"

namespace retcon {
namespace plan_internal {

// Units taken per order line and SKU (components of bundle lines; the
// line's own SKU otherwise): whole bundles and single components of one
// line draw on the same component units. Thread-compatible; `ctx` must
// outlive it, and the SKUs taken must outlive it too (views into ctx).
class UnitsTaken {
 public:
  explicit UnitsTaken(const PlanContext& ctx) : ctx_(ctx) {}

  // Units of the line, component or whole bundles still refundable
  // (Remaining) once the units taken so far are.
  int64_t Left(int l, absl::string_view component) const {
    const PaidLine& line = ctx_.figures.lines[l];
    if (!component.empty() || line.component_begin == line.component_end) {
      return Remaining(ctx_, l, component) - Of(l, component);
    }
    int64_t sets = line.units;
    for (int c = line.component_begin; c < line.component_end; ++c) {
      const PaidLine& paid = ctx_.figures.components[c];
      const int64_t per_bundle = paid.units / line.units;
      sets = std::min(
          sets, (Remaining(ctx_, l, paid.sku) - Of(l, paid.sku)) / per_bundle);
    }
    return sets;
  }

  // Takes `quantity` units of the line or component; of a bundle line as a
  // whole, `quantity` bundles' units of each component.
  void Take(int l, absl::string_view component, int64_t quantity) {
    const PaidLine& line = ctx_.figures.lines[l];
    if (!component.empty() || line.component_begin == line.component_end) {
      Add(l, component, quantity);
      return;
    }
    for (int c = line.component_begin; c < line.component_end; ++c) {
      const PaidLine& paid = ctx_.figures.components[c];
      Add(l, paid.sku, quantity * (paid.units / line.units));
    }
  }

 private:
  struct Units {
    int order_line;
    absl::string_view sku;
    int64_t units;
  };

  // Units taken of order line `l`'s SKU `sku`.
  int64_t Of(int l, absl::string_view sku) const {
    for (const Units& u : units_) {
      if (u.order_line == l && u.sku == sku) return u.units;
    }
    return 0;
  }
  void Add(int l, absl::string_view sku, int64_t units) {
    for (Units& u : units_) {
      if (u.order_line == l && u.sku == sku) {
        u.units += units;
        return;
      }
    }
    units_.push_back(Units{l, sku, units});
  }

  const PlanContext& ctx_;
  absl::InlinedVector<Units, 8> units_;
};

}  // namespace plan_internal
}  // namespace retcon

#endif  // RETCON_LIB_PLAN_INTERNAL_UNITS_TAKEN_H_
