// Figures seen as a list of amounts (gross, discount, then each tax), so one
// allocation routine serves every figure.
#ifndef RETCON_LIB_APPORTION_INTERNAL_FIGURES_H_
#define RETCON_LIB_APPORTION_INTERNAL_FIGURES_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "lib/apportion/internal/fields.h"
#include "retcon/apportion.h"

namespace retcon {
namespace apportion_internal {

// Number of allocated amounts of `f`: gross, discount and one per tax rate.
// Net is not among them: it is always derived as gross - tax.
inline size_t AmountCount(const Figures& f) { return 2 + f.taxes.size(); }

inline int64_t& AmountAt(Figures& f, size_t k) {
  return k == 0 ? f.gross : k == 1 ? f.discount : f.taxes[k - 2].amount;
}
inline int64_t AmountAt(const Figures& f, size_t k) {
  return k == 0 ? f.gross : k == 1 ? f.discount : f.taxes[k - 2].amount;
}

// Splits every amount of `total` over `parts` by largest remainder, part c
// weighted by weights[c] for every amount, then sets each part's net.
// REQUIRES: each part has total's tax rates in total's order; weights >= 0
// with a positive sum; weights.size() == parts.size().
void SplitFigures(const Figures& total, absl::Span<const int64_t> weights,
                  absl::Span<Figures* const> parts);

// The paid line whose id is `id`, or null.
const PaidLine* FindLine(const v1::SalesOrder& order,
                         const OrderFigures& figures, absl::string_view id);

// The component `sku` of bundle line `line`, or null.
const PaidLine* FindComponent(const OrderFigures& figures, const PaidLine& line,
                              absl::string_view sku);

inline bool IsBundle(const PaidLine& line) {
  return line.component_end > line.component_begin;
}

// "1 unit", "3 units", for messages.
std::string Units(int64_t n);

// "line 'L1'" or "component 'MUG' of line 'L3'", for messages.
std::string Describe(const v1::SalesOrder& order, const PaidLine& paid);

// Resolves (order_line_id, component_sku) of a history entry or a return to
// the paid line or component; `path` names the fields for errors. A bundle
// line without a component is accepted only when `whole_bundle_ok`.
absl::StatusOr<const PaidLine*> Resolve(const v1::SalesOrder& order,
                                        const OrderFigures& figures,
                                        absl::string_view line_id,
                                        absl::string_view component_sku,
                                        PathFn path, bool whole_bundle_ok);

// F(m) for every figure: the cumulative share of the first m of `units`
// units. Net is left 0.
Figures Cumulative(const Figures& total, int64_t m, int64_t units,
                   RoundingMode mode);

// F(m) of a line or a component of `figures`: the cumulative share of its
// first m units. For a component: at every whole number of bundles, its
// part of the bundle line's own F, and in between, interpolated.
Figures CumulativeOf(const OrderFigures& figures, const PaidLine& paid,
                     int64_t m, RoundingMode mode);

}  // namespace apportion_internal
}  // namespace retcon

#endif  // RETCON_LIB_APPORTION_INTERNAL_FIGURES_H_
