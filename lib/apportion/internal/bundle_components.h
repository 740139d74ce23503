// The components of an order's bundle lines, for PaidFigures: what each
// line is made of, by what weights its paid figures are split, and the
// split itself.
#ifndef RETCON_LIB_APPORTION_INTERNAL_BUNDLE_COMPONENTS_H_
#define RETCON_LIB_APPORTION_INTERNAL_BUNDLE_COMPONENTS_H_

#include <cstdint>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "lib/apportion/internal/fields.h"
#include "retcon/apportion.h"
#include "retcon/v1/order.pb.h"

namespace retcon {
namespace apportion_internal {

// The most units an order line, or a component in one bundle, may have: a
// bound on the work of sub-penny tax slicing, far above any retail order.
inline constexpr int64_t kMaxUnits = 10'000'000;

// One component of a bundle line: units per bundle and allocation weight.
struct ComponentSpec {
  absl::string_view sku;
  int64_t per_bundle = 0;
  int64_t weight = 0;
};
// Inline storage: a bundle of up to 4 components costs no allocation.
using ComponentSpecs = absl::InlinedVector<ComponentSpec, 4>;

// The components of bundle line `line` with their allocation weights, into
// `specs` (replacing what it held); empty when the line is not a bundle.
// Weights are the order's allocated prices (in `currency`) when every
// component has one and they are not all zero, else the catalog's
// (options.catalog). Errors name fields under `owner` (the line) or the
// catalog bundle.
absl::Status ReadComponents(const v1::SalesOrderLine& line,
                            const ApportionOptions& options,
                            absl::string_view currency, PathFn owner,
                            ComponentSpecs& specs);

// Splits a bundle line's figures over its components by weight, appending
// one PaidLine per spec to `components`; every figure is allocated
// separately, so each sums exactly to the line's.
// REQUIRES: the specs' weights have a positive sum (ReadComponents).
void AddComponents(const PaidLine& line, const ComponentSpecs& specs,
                   std::vector<PaidLine>& components);

}  // namespace apportion_internal
}  // namespace retcon

#endif  // RETCON_LIB_APPORTION_INTERNAL_BUNDLE_COMPONENTS_H_
