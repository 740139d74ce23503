// The `--return` argument: which units of an order are being returned.
//
//   "L1:2"                two units of line L1
//   "L3/GS-SCARF-GRY:1"   one scarf out of the gift-set bundle on line L3
//   "L3:1,L7:2"           several lines in one refund
//
// Thread-compatible: pure functions.
#ifndef RETCON_EXAMPLES_RETCON_RETURN_SPEC_H_
#define RETCON_EXAMPLES_RETCON_RETURN_SPEC_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "retcon/apportion.h"

namespace retcon {
namespace cli {

// Parses a comma-separated list of LINE:QTY or LINE/COMPONENT_SKU:QTY items.
// The line id ends at the first '/' (component SKUs may contain '/'), the
// quantity follows the last ':'. QTY is a decimal integer; whether it is
// positive and returnable is the library's call, so that its error names the
// field path.
// Errors: InvalidArgument for an empty item, a missing line id, component
// SKU or quantity, or a quantity that is not an integer.
absl::StatusOr<std::vector<ReturnQuantity>> ParseReturnSpec(
    absl::string_view spec);

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_RETURN_SPEC_H_
