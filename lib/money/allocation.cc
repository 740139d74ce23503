#include "retcon/allocation.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/internal/status_macros.h"
#include "lib/money/internal/rounding.h"

namespace retcon {
namespace money_internal {

namespace {

// Weights up to this many are allocated with fixed stack buffers (the lines
// of an order, the components of a bundle); more use the heap.
constexpr size_t kSmall = 16;

// Hands the `left` units remaining after flooring to the largest
// remainders, ties to the lower index.
template <typename Uint>
void DistributeLeftover(const Uint* remainders, size_t n, size_t left,
                        absl::Span<int64_t> shares) {
  if (left == 0) return;
  if (n <= kSmall) {
    // Picks the largest remainder not yet taken (the lowest index among
    // equals), `left` times: the same units as sorting, with no buffer, and
    // cheaper for the one or two units usually left.
    uint32_t taken = 0;
    for (size_t k = 0; k < left; ++k) {
      size_t best = n;
      for (size_t i = 0; i < n; ++i) {
        if ((taken >> i) & 1) continue;
        if (best == n || remainders[i] > remainders[best]) best = i;
      }
      taken |= uint32_t{1} << best;
      ++shares[best];
    }
    return;
  }
  std::vector<uint32_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = static_cast<uint32_t>(i);
  const auto larger_remainder_first = [remainders](uint32_t a, uint32_t b) {
    if (remainders[a] != remainders[b]) return remainders[a] > remainders[b];
    return a < b;
  };
  std::partial_sort(order.begin(), order.begin() + left, order.end(),
                    larger_remainder_first);
  for (size_t k = 0; k < left; ++k) ++shares[order[k]];
}

// Floors magnitude * w[i] / sum(w) into `shares` and distributes the rest.
// Uint is wide enough for magnitude * sum(w).
template <typename Uint>
void AllocateMagnitude(Uint magnitude, Uint weight_sum,
                       absl::Span<const int64_t> weights,
                       absl::Span<int64_t> shares) {
  const size_t n = weights.size();
  Uint small[kSmall];
  std::vector<Uint> large;
  Uint* remainders = small;
  if (n > kSmall) {
    large.resize(n);
    remainders = large.data();
  }
  int64_t* out = shares.data();
  Uint floored_sum = 0;
  for (size_t i = 0; i < n; ++i) {
    const Uint product = magnitude * static_cast<Uint>(weights[i]);
    const Uint floor_share = product / weight_sum;
    remainders[i] = product - floor_share * weight_sum;
    out[i] = static_cast<int64_t>(floor_share);
    floored_sum += floor_share;
  }
  // Fewer units are left than there are non-zero remainders, so zero
  // weights (remainder 0) never receive one.
  DistributeLeftover<Uint>(
      remainders, n, static_cast<size_t>(magnitude - floored_sum), shares);
}

}  // namespace

void AllocateByWeightsUnchecked(int64_t total,
                                absl::Span<const int64_t> weights,
                                absl::Span<int64_t> shares) {
  // Allocate the magnitude and restore the sign at the end: this is what
  // makes allocate(-X) == -allocate(X) exactly.
  const bool negative = total < 0;
  // Unsigned negation, so that |INT64_MIN| = 2^63 is exact.
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(total)
                                      : static_cast<uint64_t>(total);
  absl::uint128 weight_sum = 0;
  for (int64_t w : weights) weight_sum += static_cast<uint64_t>(w);
  // 64-bit arithmetic when every product fits (the common case): 128-bit
  // division is a library call several times slower. Same results.
  if (weight_sum <= std::numeric_limits<uint64_t>::max() &&
      absl::uint128(magnitude) * weight_sum <=
          std::numeric_limits<uint64_t>::max()) {
    AllocateMagnitude<uint64_t>(magnitude, absl::Uint128Low64(weight_sum),
                                weights, shares);
  } else {
    AllocateMagnitude<absl::uint128>(absl::uint128(magnitude), weight_sum,
                                     weights, shares);
  }
  if (negative) {
    // A share of 2^63 (all of INT64_MIN) wraps to INT64_MIN: exact.
    for (int64_t& share : shares) {
      share = static_cast<int64_t>(0 - static_cast<uint64_t>(share));
    }
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
      return absl::InvalidArgumentError(absl::StrCat(
          "weights[", i, "]: must not be negative, got ", weights[i]));
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

static absl::Status ValidateUnits(absl::string_view name, int64_t m,
                                  int64_t units) {
  if (units <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("units: must be > 0, got ", units));
  }
  if (m < 0 || m > units) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": must be between 0 and units (", units, "), got ", m));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> CumulativeShare(int64_t total, int64_t m, int64_t units,
                                        RoundingMode mode) {
  RETCON_RETURN_IF_ERROR(ValidateUnits("m", m, units));
  return money_internal::CumulativeShareUnchecked(total, m, units, mode);
}

absl::StatusOr<int64_t> CumulativeSlice(int64_t total, int64_t already,
                                        int64_t count, int64_t units,
                                        RoundingMode mode) {
  if (already < 0 || count < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "already, count: must not be negative, got ", already, ", ", count));
  }
  RETCON_RETURN_IF_ERROR(ValidateUnits("already", already, units));
  if (count > units - already) {
    return absl::InvalidArgumentError(
        absl::StrCat("count: ", count, " exceeds the ", units - already,
                     " units not yet allocated of ", units));
  }
  return money_internal::CumulativeShareUnchecked(total, already + count, units,
                                                  mode) -
         money_internal::CumulativeShareUnchecked(total, already, units, mode);
}

}  // namespace retcon
