// The history entries of order lines and bundle components, as the planners
// read and update the working history: units moved back, counted per
// component for bundles.
#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "lib/plan/internal/plan_context.h"
#include "retcon/v1/facts.pb.h"

namespace retcon {
namespace plan_internal {

v1::LineHistory* MutableHistory(v1::OrderHistory& history,
                                absl::string_view order_line_id,
                                absl::string_view component_sku) {
  for (v1::LineHistory& h : *history.mutable_lines()) {
    if (h.order_line_id() == order_line_id &&
        h.component_sku() == component_sku) {
      return &h;
    }
  }
  v1::LineHistory* h = history.add_lines();
  h->set_order_line_id(std::string(order_line_id));
  h->set_component_sku(std::string(component_sku));
  return h;
}

namespace {
const v1::LineHistory* Find(const v1::OrderHistory& history,
                            absl::string_view line_id,
                            absl::string_view component) {
  for (const v1::LineHistory& h : history.lines()) {
    if (h.order_line_id() == line_id && h.component_sku() == component) {
      return &h;
    }
  }
  return nullptr;
}
}  // namespace

int64_t MovedUnits(const OrderFigures& figures, const v1::SalesOrder& order,
                   const v1::OrderHistory& history, int order_line,
                   absl::string_view component) {
  const std::string& line_id = order.lines(order_line).line_id();
  const PaidLine& line = figures.lines[order_line];
  if (!component.empty() || line.component_begin == line.component_end) {
    const v1::LineHistory* h = Find(history, line_id, component);
    return h == nullptr ? 0 : h->moved_quantity();
  }
  int64_t sets = line.units;
  for (int c = line.component_begin; c < line.component_end; ++c) {
    const PaidLine& paid = figures.components[c];
    const v1::LineHistory* h = Find(history, line_id, paid.sku);
    const int64_t moved = h == nullptr ? 0 : h->moved_quantity();
    sets = std::min(sets, moved / (paid.units / line.units));
  }
  return sets;
}

void AddMoved(const OrderFigures& figures, const v1::SalesOrder& order,
              int order_line, absl::string_view component, int64_t quantity,
              v1::OrderHistory& history) {
  const std::string& line_id = order.lines(order_line).line_id();
  const PaidLine& line = figures.lines[order_line];
  auto add = [&](absl::string_view sku, int64_t n) {
    v1::LineHistory* h = MutableHistory(history, line_id, sku);
    h->set_moved_quantity(h->moved_quantity() + n);
  };
  if (!component.empty() || line.component_begin == line.component_end) {
    add(component, quantity);
    return;
  }
  for (int c = line.component_begin; c < line.component_end; ++c) {
    const PaidLine& paid = figures.components[c];
    add(paid.sku, quantity * (paid.units / line.units));
  }
}

}  // namespace plan_internal
}  // namespace retcon
