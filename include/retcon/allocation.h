// Exact allocation of an amount of minor units: by weights (largest
// remainder) and cumulatively over units (for partial returns).
//
//   // A 0.04 discount over three equal lines: the unit left over after
//   // flooring goes to the lowest index among equal remainders: {2, 1, 1}.
//   absl::StatusOr<std::vector<int64_t>> shares =
//       retcon::AllocateByWeights(4, {1, 1, 1});
//
//   // Units 2..4 of a 6-unit line that paid 10.00: F(4) - F(1) = 667 - 167.
//   absl::StatusOr<int64_t> refund = retcon::CumulativeSlice(1000, 1, 3, 6);
//
// Every function is pure and thread-safe; intermediates are 128-bit, so no
// product of int64 inputs can overflow.
#ifndef RETCON_ALLOCATION_H_
#define RETCON_ALLOCATION_H_

#include <cstdint>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "retcon/money.h"

namespace retcon {

// numerator / denominator rounded to an integer by `mode`.
// Errors: InvalidArgument when denominator is 0, OutOfRange when the quotient
// does not fit int64.
absl::StatusOr<int64_t> DivideRounded(
    absl::int128 numerator, absl::int128 denominator,
    RoundingMode mode = RoundingMode::kHalfAwayFromZero);

// Splits `total` over `weights` by the largest-remainder method:
//  - the shares sum to `total` exactly;
//  - each share is the floor or the ceiling of total * w[i] / sum(w);
//  - the units left after flooring go to the largest remainders, ties to the
//    lower index;
//  - a zero weight gets zero;
//  - allocating -total gives exactly the negated shares (sign-symmetric).
// Errors: InvalidArgument for an empty or negative weight, or when every
// weight is zero (the field is named "weights[i]").
absl::StatusOr<std::vector<int64_t>> AllocateByWeights(
    int64_t total, absl::Span<const int64_t> weights);

// As above, writing into `shares` (no allocation when weights.size() <= 16).
// REQUIRES: shares.size() == weights.size().
absl::Status AllocateByWeights(int64_t total, absl::Span<const int64_t> weights,
                               absl::Span<int64_t> shares);

// F(m) = round(total * m / units): the cumulative share of the first m of
// `units` units that together carry `total`.
// Errors: InvalidArgument unless units > 0 and 0 <= m <= units.
absl::StatusOr<int64_t> CumulativeShare(
    int64_t total, int64_t m, int64_t units,
    RoundingMode mode = RoundingMode::kHalfAwayFromZero);

// F(already + count) - F(already): what units already+1 .. already+count
// carry. However a line's units are grouped into slices and in whatever order
// the slices come, the slices sum to `total` exactly, and each single unit
// gets the floor or ceiling of total / units.
// Errors: InvalidArgument unless units > 0, already >= 0, count >= 0 and
// already + count <= units.
absl::StatusOr<int64_t> CumulativeSlice(
    int64_t total, int64_t already, int64_t count, int64_t units,
    RoundingMode mode = RoundingMode::kHalfAwayFromZero);

}  // namespace retcon

#endif  // RETCON_ALLOCATION_H_
