// Unchecked integer kernels behind the public money functions, for hot paths
// whose callers have already validated their inputs.
#ifndef RETCON_LIB_MONEY_INTERNAL_ROUNDING_H_
#define RETCON_LIB_MONEY_INTERNAL_ROUNDING_H_

#include <cstdint>

#include "absl/numeric/int128.h"
#include "absl/types/span.h"
#include "retcon/money.h"

namespace retcon {
namespace money_internal {

// numerator / denominator rounded by `mode`. Truncating division is symmetric
// in sign, and so is the half-way adjustment, so f(-n) == -f(n).
// REQUIRES: denominator > 0.
inline absl::int128 DivideRoundedUnchecked(absl::int128 numerator,
                                           absl::int128 denominator,
                                           RoundingMode mode) {
  absl::int128 quotient = numerator / denominator;
  absl::int128 remainder = numerator % denominator;
  if (remainder == 0) return quotient;
  const absl::int128 magnitude = remainder < 0 ? -remainder : remainder;
  const absl::int128 rest = denominator - magnitude;  // avoids 2*r overflow
  bool away = magnitude > rest;
  if (magnitude == rest) {
    away = mode == RoundingMode::kHalfAwayFromZero || (quotient & 1) != 0;
  }
  if (away) quotient += numerator < 0 ? -1 : 1;
  return quotient;
}

// F(m) = round(total * m / units). Fits int64 because |F(m)| <= |total|.
// REQUIRES: units > 0, 0 <= m <= units.
inline int64_t CumulativeShareUnchecked(int64_t total, int64_t m, int64_t units,
                                        RoundingMode mode) {
  return static_cast<int64_t>(DivideRoundedUnchecked(
      absl::int128(total) * m, absl::int128(units), mode));
}

// Largest-remainder allocation of `total` over `weights`.
// REQUIRES: weights non-negative with a positive sum;
//           shares.size() == weights.size().
void AllocateByWeightsUnchecked(int64_t total,
                                absl::Span<const int64_t> weights,
                                absl::Span<int64_t> shares);

}  // namespace money_internal
}  // namespace retcon

#endif  // RETCON_LIB_MONEY_INTERNAL_ROUNDING_H_
