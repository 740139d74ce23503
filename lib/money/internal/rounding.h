// Unchecked integer kernels behind the public money functions, for hot paths
// whose callers have already validated their inputs.
#ifndef RETCON_LIB_MONEY_INTERNAL_ROUNDING_H_
#define RETCON_LIB_MONEY_INTERNAL_ROUNDING_H_

#include <cstdint>
#include <limits>

#include "absl/numeric/int128.h"
#include "absl/types/span.h"
#include "retcon/money.h"

namespace retcon {
namespace money_internal {

// DivideRoundedUnchecked in one integer type.
template <typename Int>
inline Int DivideRoundedIn(Int numerator, Int denominator, RoundingMode mode) {
  if (numerator == 0) return 0;
  Int quotient;
  if (sizeof(Int) == 8 && numerator > 0 &&
      (static_cast<uint64_t>(numerator) | static_cast<uint64_t>(denominator)) <=
          0xffffffffu) {
    // 32-bit division is several times faster than 64-bit on x86-64.
    quotient =
        static_cast<uint32_t>(numerator) / static_cast<uint32_t>(denominator);
  } else {
    quotient = numerator / denominator;
  }
  const Int remainder = numerator - quotient * denominator;
  if (remainder == 0) return quotient;
  const Int magnitude = remainder < 0 ? -remainder : remainder;
  const Int rest = denominator - magnitude;  // avoids 2*r overflow
  bool away = magnitude > rest;
  if (magnitude == rest) {
    away = mode == RoundingMode::kHalfAwayFromZero || (quotient & 1) != 0;
  }
  if (away) quotient += numerator < 0 ? -1 : 1;
  return quotient;
}

inline bool FitsInt64(absl::int128 v) {
  return v >= absl::int128(std::numeric_limits<int64_t>::min()) &&
         v <= absl::int128(std::numeric_limits<int64_t>::max());
}

// numerator / denominator rounded by `mode`. Truncating division is symmetric
// in sign, and so is the half-way adjustment, so f(-n) == -f(n). Runs in
// 64-bit arithmetic when the operands allow (128-bit division is a library
// call several times slower), with the same result.
// REQUIRES: denominator > 0.
inline absl::int128 DivideRoundedUnchecked(absl::int128 numerator,
                                           absl::int128 denominator,
                                           RoundingMode mode) {
  if (FitsInt64(numerator) && FitsInt64(denominator) &&
      numerator != absl::int128(std::numeric_limits<int64_t>::min())) {
    return DivideRoundedIn<int64_t>(static_cast<int64_t>(numerator),
                                    static_cast<int64_t>(denominator), mode);
  }
  return DivideRoundedIn<absl::int128>(numerator, denominator, mode);
}

// F(m) = round(total * m / units). Fits int64 because |F(m)| <= |total|.
// REQUIRES: units > 0, 0 <= m <= units.
inline int64_t CumulativeShareUnchecked(int64_t total, int64_t m, int64_t units,
                                        RoundingMode mode) {
  if (m == 0) return 0;
  if (m == units) return total;
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
