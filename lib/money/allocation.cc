#include "retcon/allocation.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "lib/internal/status_macros.h"
#include "lib/money/internal/rounding.h"

namespace retcon {
namespace money_internal {

void AllocateByWeightsUnchecked(int64_t total,
                                absl::Span<const int64_t> weights,
                                absl::Span<int64_t> shares) {
  // Allocate the magnitude and restore the sign at the end: this is what
  // makes allocate(-X) == -allocate(X) exactly.
  const bool negative = total < 0;
  const absl::int128 magnitude =
      negative ? -absl::int128(total) : absl::int128(total);
  absl::int128 weight_sum = 0;
  for (int64_t w : weights) weight_sum += w;

  absl::InlinedVector<absl::int128, 16> remainders(weights.size());
  absl::int128 floored_sum = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const absl::int128 product = magnitude * weights[i];
    const absl::int128 floor_share = product / weight_sum;
    remainders[i] = product % weight_sum;
    shares[i] = static_cast<int64_t>(floor_share);
    floored_sum += floor_share;
  }
  // Fewer units are left than there are non-zero remainders, so zero weights
  // (remainder 0) never receive one.
  const size_t left = static_cast<size_t>(magnitude - floored_sum);
  if (left > 0) {
    absl::InlinedVector<size_t, 16> order(weights.size());
    std::iota(order.begin(), order.end(), size_t{0});
    const auto larger_remainder_first = [&remainders](size_t a, size_t b) {
      if (remainders[a] != remainders[b]) return remainders[a] > remainders[b];
      return a < b;
    };
    std::partial_sort(order.begin(), order.begin() + left, order.end(),
                      larger_remainder_first);
    for (size_t k = 0; k < left; ++k) ++shares[order[k]];
  }
  if (negative) {
    for (int64_t& share : shares) share = -share;
  }
}

}  // namespace money_internal

absl::StatusOr<int64_t> DivideRounded(absl::int128 numerator,
                                      absl::int128 denominator,
                                      RoundingMode mode) {
  if (denominator == 0) {
    return absl::InvalidArgumentError("denominator: must not be zero");
  }
  if (denominator < 0) {
    // Guard the one value whose negation overflows.
    if (numerator == absl::Int128Min() || denominator == absl::Int128Min()) {
      return absl::OutOfRangeError("quotient does not fit int64");
    }
    numerator = -numerator;
    denominator = -denominator;
  }
  const absl::int128 q =
      money_internal::DivideRoundedUnchecked(numerator, denominator, mode);
  if (q > std::numeric_limits<int64_t>::max() ||
      q < std::numeric_limits<int64_t>::min()) {
    return absl::OutOfRangeError("quotient does not fit int64");
  }
  return static_cast<int64_t>(q);
}

static absl::Status ValidateWeights(absl::Span<const int64_t> weights) {
  if (weights.empty()) {
    return absl::InvalidArgumentError("weights: must not be empty");
  }
  bool any_positive = false;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("weights[", i, "]: must not be negative, got ",
                       weights[i]));
    }
    any_positive |= weights[i] > 0;
  }
  if (!any_positive) {
    return absl::InvalidArgumentError(
        "weights: all weights are zero; nothing to allocate by");
  }
  return absl::OkStatus();
}

absl::Status AllocateByWeights(int64_t total, absl::Span<const int64_t> weights,
                               absl::Span<int64_t> shares) {
  RETCON_RETURN_IF_ERROR(ValidateWeights(weights));
  if (shares.size() != weights.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("shares: size ", shares.size(),
                     " differs from the number of weights ", weights.size()));
  }
  money_internal::AllocateByWeightsUnchecked(total, weights, shares);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int64_t>> AllocateByWeights(
    int64_t total, absl::Span<const int64_t> weights) {
  std::vector<int64_t> shares(weights.size());
  RETCON_RETURN_IF_ERROR(
      AllocateByWeights(total, weights, absl::MakeSpan(shares)));
  return shares;
}

static absl::Status ValidateUnits(int64_t m, int64_t units) {
  if (units <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("units: must be > 0, got ", units));
  }
  if (m < 0 || m > units) {
    return absl::InvalidArgumentError(absl::StrCat(
        "m: must be between 0 and units (", units, "), got ", m));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> CumulativeShare(int64_t total, int64_t m,
                                        int64_t units, RoundingMode mode) {
  RETCON_RETURN_IF_ERROR(ValidateUnits(m, units));
  return money_internal::CumulativeShareUnchecked(total, m, units, mode);
}

absl::StatusOr<int64_t> CumulativeSlice(int64_t total, int64_t already,
                                        int64_t count, int64_t units,
                                        RoundingMode mode) {
  if (already < 0 || count < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "already, count: must not be negative, got ", already, ", ", count));
  }
  if (units > 0 && count > units - already) {
    return absl::InvalidArgumentError(
        absl::StrCat("count: ", count, " exceeds the ", units - already,
                     " units not yet allocated of ", units));
  }
  RETCON_RETURN_IF_ERROR(ValidateUnits(already, units));
  return money_internal::CumulativeShareUnchecked(total, already + count,
                                                  units, mode) -
         money_internal::CumulativeShareUnchecked(total, already, units, mode);
}

}  // namespace retcon
