#include "retcon/allocation.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/money/test_random.h"

namespace retcon {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_internal::SeedTrace;
using testing_internal::TestRng;
using testing_internal::TestSeed;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr RoundingMode kHalfAway = RoundingMode::kHalfAwayFromZero;
constexpr RoundingMode kHalfEven = RoundingMode::kHalfEven;

// --- Reference arithmetic, written from the spec in 128-bit integers ---------

absl::int128 Abs128(absl::int128 v) { return v < 0 ? -v : v; }

// num / den rounded by `mode`, computed independently of the library.
absl::int128 RefRound(absl::int128 num, absl::int128 den, RoundingMode mode) {
  if (den < 0) {
    num = -num;
    den = -den;
  }
  const bool negative = num < 0;
  const absl::int128 mag = Abs128(num);
  absl::int128 q = mag / den;
  const absl::int128 r = mag % den;
  if (2 * r > den) {
    ++q;
  } else if (2 * r == den) {
    if (mode == kHalfAway || (q % 2) == 1) ++q;
  }
  return negative ? -q : q;
}

// True when `share` is floor or ceil of num / den (den > 0).
bool IsFloorOrCeil(int64_t share, absl::int128 num, absl::int128 den) {
  // floor(x) <= share <= ceil(x)  <=>  share - 1 < x < share + 1.
  const absl::int128 s = share;
  return (s - 1) * den < num && num < (s + 1) * den;
}

// Largest remainder on the magnitude, ties to the lower index, sign applied
// afterwards (the spec's sign symmetry).
std::vector<int64_t> RefLargestRemainder(int64_t total,
                                         const std::vector<int64_t>& weights) {
  const absl::int128 mag = Abs128(total);
  absl::int128 sum = 0;
  for (int64_t w : weights) sum += w;
  std::vector<absl::int128> shares(weights.size());
  std::vector<absl::int128> rems(weights.size());
  absl::int128 left = mag;
  for (size_t i = 0; i < weights.size(); ++i) {
    shares[i] = mag * weights[i] / sum;
    rems[i] = mag * weights[i] % sum;
    left -= shares[i];
  }
  std::vector<size_t> order(weights.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return rems[a] > rems[b]; });
  for (size_t k = 0; left > 0; ++k, --left) ++shares[order[k]];
  std::vector<int64_t> out;
  for (absl::int128 s : shares) {
    out.push_back(static_cast<int64_t>(total < 0 ? -s : s));
  }
  return out;
}

std::vector<int64_t> MustAllocate(int64_t total,
                                  const std::vector<int64_t>& weights) {
  absl::StatusOr<std::vector<int64_t>> shares =
      AllocateByWeights(total, weights);
  EXPECT_TRUE(shares.ok()) << shares.status();
  return shares.ok() ? *shares : std::vector<int64_t>();
}

// --- DivideRounded -----------------------------------------------------------

TEST(DivideRoundedTest, HalfAwayFromZero) {
  EXPECT_EQ(DivideRounded(5, 2).value(), 3);  // 2.5
  EXPECT_EQ(DivideRounded(-5, 2).value(), -3);
  EXPECT_EQ(DivideRounded(5, -2).value(), -3);
  EXPECT_EQ(DivideRounded(-5, -2).value(), 3);
  EXPECT_EQ(DivideRounded(1, 2).value(), 1);  // 0.5
  EXPECT_EQ(DivideRounded(-1, 2).value(), -1);
  EXPECT_EQ(DivideRounded(3, 2).value(), 2);  // 1.5
  EXPECT_EQ(DivideRounded(7, 3).value(), 2);  // 2.33
  EXPECT_EQ(DivideRounded(8, 3).value(), 3);  // 2.67
  EXPECT_EQ(DivideRounded(-8, 3).value(), -3);
  EXPECT_EQ(DivideRounded(0, 7).value(), 0);
  EXPECT_EQ(DivideRounded(6, 3).value(), 2);
}

TEST(DivideRoundedTest, HalfEven) {
  EXPECT_EQ(DivideRounded(5, 2, kHalfEven).value(), 2);  // 2.5
  EXPECT_EQ(DivideRounded(-5, 2, kHalfEven).value(), -2);
  EXPECT_EQ(DivideRounded(1, 2, kHalfEven).value(), 0);  // 0.5
  EXPECT_EQ(DivideRounded(-1, 2, kHalfEven).value(), 0);
  EXPECT_EQ(DivideRounded(3, 2, kHalfEven).value(), 2);  // 1.5
  EXPECT_EQ(DivideRounded(-3, 2, kHalfEven).value(), -2);
  EXPECT_EQ(DivideRounded(7, 2, kHalfEven).value(), 4);  // 3.5
  EXPECT_EQ(DivideRounded(5, -2, kHalfEven).value(), -2);
  // Not a tie: rounds to nearest in both modes.
  EXPECT_EQ(DivideRounded(8, 3, kHalfEven).value(), 3);
  EXPECT_EQ(DivideRounded(-7, 3, kHalfEven).value(), -2);
}

TEST(DivideRoundedTest, RejectsZeroDenominator) {
  EXPECT_EQ(DivideRounded(1, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DivideRounded(0, 0, kHalfEven).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DivideRoundedTest, Int64Limits) {
  EXPECT_EQ(DivideRounded(kMax, 1).value(), kMax);
  EXPECT_EQ(DivideRounded(kMin, 1).value(), kMin);
  EXPECT_EQ(DivideRounded(absl::int128(kMin) * 3, 3).value(), kMin);
  EXPECT_EQ(DivideRounded(absl::int128(kMax) + 1, 1).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(DivideRounded(absl::int128(kMin) - 1, 1).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(DivideRounded(kMin, -1).status().code(),
            absl::StatusCode::kOutOfRange);
  // kMax + 0.5 rounds out of range in both modes (kMax is odd).
  const absl::int128 max_and_a_half = absl::int128(kMax) * 2 + 1;
  EXPECT_EQ(DivideRounded(max_and_a_half, 2).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(DivideRounded(max_and_a_half, 2, kHalfEven).status().code(),
            absl::StatusCode::kOutOfRange);
  // kMax - 0.5: half away -> kMax; half even -> kMax - 1 (even).
  const absl::int128 max_less_a_half = absl::int128(kMax) * 2 - 1;
  EXPECT_EQ(DivideRounded(max_less_a_half, 2).value(), kMax);
  EXPECT_EQ(DivideRounded(max_less_a_half, 2, kHalfEven).value(), kMax - 1);
  // kMin - 0.5 rounds below range half away, to kMin half even (kMin even).
  const absl::int128 min_less_a_half = absl::int128(kMin) * 2 - 1;
  EXPECT_EQ(DivideRounded(min_less_a_half, 2).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(DivideRounded(min_less_a_half, 2, kHalfEven).value(), kMin);
}

TEST(DivideRoundedTest, MatchesReferenceOnRandomInputs) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE(SeedTrace(seed));
  TestRng rng(seed);
  for (int i = 0; i < 20000; ++i) {
    const absl::int128 num =
        absl::int128(rng.Uniform(kMin, kMax)) * rng.LogUniform(62);
    absl::int128 den = rng.LogUniform(62);
    if (den == 0) den = 1;
    if (rng.OneIn(4)) den = -den;
    for (RoundingMode mode : {kHalfAway, kHalfEven}) {
      const absl::int128 expected = RefRound(num, den, mode);
      absl::StatusOr<int64_t> got = DivideRounded(num, den, mode);
      SCOPED_TRACE(absl::StrCat("case #", i, " mode ", static_cast<int>(mode)));
      if (expected > kMax || expected < kMin) {
        EXPECT_EQ(got.status().code(), absl::StatusCode::kOutOfRange);
      } else {
        ASSERT_TRUE(got.ok()) << got.status();
        ASSERT_EQ(absl::int128(*got), expected);
        // Sign symmetric in both modes.
        ASSERT_EQ(DivideRounded(-num, den, mode).value_or(0), -*got);
      }
    }
  }
}

// --- AllocateByWeights: examples ---------------------------------------------

TEST(AllocateByWeightsTest, E4TieGoesToLowerIndex) {
  // DOMAIN.md E4: 0.04 over three units: 0.02, 0.01, 0.01.
  EXPECT_THAT(MustAllocate(4, {1, 1, 1}), ElementsAre(2, 1, 1));
  EXPECT_THAT(MustAllocate(-4, {1, 1, 1}), ElementsAre(-2, -1, -1));
  EXPECT_THAT(MustAllocate(1, {1, 1}), ElementsAre(1, 0));
  EXPECT_THAT(MustAllocate(2, {1, 1, 1}), ElementsAre(1, 1, 0));
  EXPECT_THAT(MustAllocate(100, {1, 1, 1}), ElementsAre(34, 33, 33));
}

TEST(AllocateByWeightsTest, LargestRemainderWins) {
  // Exact 1.875, 1.875, 0.625, 0.625: three leftovers go to 0, 1, 2.
  EXPECT_THAT(MustAllocate(5, {3, 3, 1, 1}), ElementsAre(2, 2, 1, 0));
  // Exact 0.25, 0.75: the larger remainder is at the higher index.
  EXPECT_THAT(MustAllocate(1, {1, 3}), ElementsAre(0, 1));
  // Exact 3.3, 3.6, 3.1: one leftover to index 1.
  EXPECT_THAT(MustAllocate(10, {33, 36, 31}), ElementsAre(3, 4, 3));
  EXPECT_THAT(MustAllocate(-10, {33, 36, 31}), ElementsAre(-3, -4, -3));
  // Exact division needs no leftovers.
  EXPECT_THAT(MustAllocate(10, {1, 2, 3, 4}), ElementsAre(1, 2, 3, 4));
}

TEST(AllocateByWeightsTest, ZeroWeightGetsZero) {
  EXPECT_THAT(MustAllocate(2, {0, 1, 0, 1}), ElementsAre(0, 1, 0, 1));
  EXPECT_THAT(MustAllocate(1, {0, 1, 0, 1}), ElementsAre(0, 1, 0, 0));
  EXPECT_THAT(MustAllocate(7, {0, 0, 5}), ElementsAre(0, 0, 7));
  EXPECT_THAT(MustAllocate(-7, {5, 0}), ElementsAre(-7, 0));
  EXPECT_THAT(MustAllocate(kMax, {0, 1, 0}), ElementsAre(0, kMax, 0));
}

TEST(AllocateByWeightsTest, ZeroTotal) {
  EXPECT_THAT(MustAllocate(0, {1, 2, 3}), ElementsAre(0, 0, 0));
}

TEST(AllocateByWeightsTest, SingleWeightTakesAll) {
  EXPECT_THAT(MustAllocate(kMin, {3}), ElementsAre(kMin));
  EXPECT_THAT(MustAllocate(kMax, {kMax}), ElementsAre(kMax));
}

TEST(AllocateByWeightsTest, RejectsBadWeights) {
  absl::StatusOr<std::vector<int64_t>> empty = AllocateByWeights(4, {});
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.status().message(), HasSubstr("weights"));

  absl::StatusOr<std::vector<int64_t>> zero = AllocateByWeights(4, {0, 0, 0});
  EXPECT_EQ(zero.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(zero.status().message(), HasSubstr("weights"));

  absl::StatusOr<std::vector<int64_t>> negative =
      AllocateByWeights(4, {1, 2, -1});
  EXPECT_EQ(negative.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(negative.status().message(), HasSubstr("weights[2]"));

  absl::StatusOr<std::vector<int64_t>> min_weight =
      AllocateByWeights(4, {kMin, 1});
  EXPECT_EQ(min_weight.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(min_weight.status().message(), HasSubstr("weights[0]"));
}

TEST(AllocateByWeightsTest, ExtremeValuesDoNotOverflow) {
  // 3 * 3074457345618258602 + 1 == kMax.
  EXPECT_THAT(MustAllocate(kMax, {kMax, kMax, kMax}),
              ElementsAre(3074457345618258603, 3074457345618258602,
                          3074457345618258602));
  EXPECT_THAT(MustAllocate(-kMax, {kMax, kMax, kMax}),
              ElementsAre(-3074457345618258603, -3074457345618258602,
                          -3074457345618258602));
  // The sum of the weights exceeds int64.
  std::vector<int64_t> huge(40, kMax);
  std::vector<int64_t> shares = MustAllocate(kMax, huge);
  ASSERT_EQ(shares.size(), huge.size());
  EXPECT_EQ(RefLargestRemainder(kMax, huge), shares);

  const std::vector<int64_t> weights = {kMax, 1, kMax - 1, 7};
  std::vector<int64_t> mixed = MustAllocate(kMin, weights);
  EXPECT_EQ(std::accumulate(mixed.begin(), mixed.end(), absl::int128(0)),
            absl::int128(kMin));
  EXPECT_EQ(mixed, RefLargestRemainder(kMin, weights));
}

TEST(AllocateByWeightsTest, SpanOverloadMatchesVectorOverload) {
  const std::vector<int64_t> weights = {3, 3, 1, 1, 0, 9, 2, 2, 2, 2,
                                        2, 2, 2, 2, 2, 2, 2, 5, 1, 1};
  for (int64_t total :
       {int64_t{0}, int64_t{5}, int64_t{-5}, int64_t{12345}, kMax, -kMax}) {
    for (size_t n : {size_t{1}, size_t{4}, size_t{16}, size_t{20}}) {
      SCOPED_TRACE(absl::StrCat(total, " over ", n, " weights"));
      std::vector<int64_t> w(weights.begin(), weights.begin() + n);
      if (n == 1) w[0] = 3;
      std::vector<int64_t> out(n, -42);
      ASSERT_TRUE(AllocateByWeights(total, w, absl::MakeSpan(out)).ok());
      EXPECT_EQ(out, MustAllocate(total, w));
    }
  }
  std::vector<int64_t> out(3);
  const std::vector<int64_t> zeros = {0, 0, 0};
  EXPECT_EQ(AllocateByWeights(5, zeros, absl::MakeSpan(out)).code(),
            absl::StatusCode::kInvalidArgument);
  const std::vector<int64_t> negative = {1, -1, 0};
  absl::Status status = AllocateByWeights(5, negative, absl::MakeSpan(out));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("weights[1]"));
}

// --- AllocateByWeights: properties -------------------------------------------

std::vector<int64_t> RandomWeights(TestRng& rng) {
  const int n = static_cast<int>(rng.Uniform(1, rng.OneIn(10) ? 40 : 8));
  const int style = static_cast<int>(rng.Uniform(0, 3));
  std::vector<int64_t> w(n);
  for (int64_t& x : w) {
    switch (style) {
      case 0:  // Small, many ties.
        x = rng.Uniform(0, 3);
        break;
      case 1:  // Prices.
        x = rng.Uniform(0, 100000);
        break;
      case 2:  // Any magnitude up to int64.
        x = rng.LogUniform(63);
        break;
      default:  // Equal weights.
        x = 7;
        break;
    }
    if (rng.OneIn(8)) x = 0;
  }
  if (std::all_of(w.begin(), w.end(), [](int64_t x) { return x == 0; })) {
    w[rng.Uniform(0, n - 1)] = rng.Uniform(1, 10);
  }
  return w;
}

int64_t RandomTotal(TestRng& rng) {
  int64_t t = rng.OneIn(3) ? rng.Uniform(0, 1000) : rng.LogUniform(63);
  if (rng.OneIn(2)) t = -t;
  if (rng.OneIn(100)) t = kMin;
  return t;
}

TEST(AllocateByWeightsPropertyTest, SharesAreExactAndLargestRemainder) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE(SeedTrace(seed));
  TestRng rng(seed);
  for (int i = 0; i < 20000; ++i) {
    const int64_t total = RandomTotal(rng);
    const std::vector<int64_t> weights = RandomWeights(rng);
    SCOPED_TRACE(absl::StrCat("case #", i, ": total ", total, " weights {",
                              absl::StrJoin(weights, ", "), "}"));
    absl::StatusOr<std::vector<int64_t>> shares =
        AllocateByWeights(total, weights);
    ASSERT_TRUE(shares.ok()) << shares.status();
    ASSERT_EQ(shares->size(), weights.size());

    absl::int128 sum_w = 0;
    for (int64_t w : weights) sum_w += w;
    absl::int128 sum = 0;
    for (size_t k = 0; k < weights.size(); ++k) {
      const int64_t s = (*shares)[k];
      sum += s;
      if (weights[k] == 0) {
        ASSERT_EQ(s, 0) << "zero weight at " << k;
      } else {
        ASSERT_TRUE(IsFloorOrCeil(s, absl::int128(total) * weights[k], sum_w))
            << "share " << k << " = " << s;
      }
      // Same sign as the total (or zero).
      ASSERT_TRUE(total >= 0 ? s >= 0 : s <= 0) << "share " << k;
    }
    ASSERT_EQ(sum, absl::int128(total));
    ASSERT_EQ(*shares, RefLargestRemainder(total, weights));

    if (total != kMin) {
      absl::StatusOr<std::vector<int64_t>> negated =
          AllocateByWeights(-total, weights);
      ASSERT_TRUE(negated.ok()) << negated.status();
      for (size_t k = 0; k < weights.size(); ++k) {
        ASSERT_EQ((*negated)[k], -(*shares)[k]) << "sign symmetry at " << k;
      }
    }
    // Deterministic.
    ASSERT_EQ(AllocateByWeights(total, weights).value(), *shares);
  }
}

// --- CumulativeShare / CumulativeSlice: examples -----------------------------

TEST(CumulativeShareTest, E1SixUnitsPaidTenPounds) {
  const std::vector<int64_t> expected = {0, 167, 333, 500, 667, 833, 1000};
  for (int m = 0; m <= 6; ++m) {
    SCOPED_TRACE(m);
    EXPECT_EQ(CumulativeShare(1000, m, 6).value(), expected[m]);
    EXPECT_EQ(CumulativeShare(-1000, m, 6).value(), -expected[m]);
  }
}

TEST(CumulativeShareTest, RoundingModes) {
  // 5 over 2 units: F(1) = 2.5.
  EXPECT_EQ(CumulativeShare(5, 1, 2).value(), 3);
  EXPECT_EQ(CumulativeShare(5, 1, 2, kHalfEven).value(), 2);
  EXPECT_EQ(CumulativeShare(-5, 1, 2).value(), -3);
  EXPECT_EQ(CumulativeShare(-5, 1, 2, kHalfEven).value(), -2);
  // 7 over 2: F(1) = 3.5 -> 4 either way.
  EXPECT_EQ(CumulativeShare(7, 1, 2).value(), 4);
  EXPECT_EQ(CumulativeShare(7, 1, 2, kHalfEven).value(), 4);
  // Either way the last unit closes the line.
  EXPECT_EQ(CumulativeShare(5, 2, 2, kHalfEven).value(), 5);
}

TEST(CumulativeShareTest, ExtremeValues) {
  EXPECT_EQ(CumulativeShare(kMax, kMax - 1, kMax).value(), kMax - 1);
  EXPECT_EQ(CumulativeShare(kMin, kMax, kMax).value(), kMin);
  // kMin / 3 = -3074457345618258602.67
  EXPECT_EQ(CumulativeShare(kMin, 1, 3).value(), -3074457345618258603);
  EXPECT_EQ(CumulativeShare(kMax, 1, 3).value(), 3074457345618258602);
  EXPECT_EQ(CumulativeShare(kMax, 2, 3).value(), 6148914691236517205);
}

TEST(CumulativeShareTest, RejectsBadArguments) {
  EXPECT_EQ(CumulativeShare(1000, 0, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CumulativeShare(1000, 0, -6).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CumulativeShare(1000, -1, 6).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CumulativeShare(1000, 7, 6).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CumulativeShare(1000, kMin, 6).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CumulativeSliceTest, E1OneThenThreeThenTwo) {
  EXPECT_EQ(CumulativeSlice(1000, 0, 1, 6).value(), 167);
  EXPECT_EQ(CumulativeSlice(1000, 1, 3, 6).value(), 500);
  EXPECT_EQ(CumulativeSlice(1000, 4, 2, 6).value(), 333);
}

TEST(CumulativeSliceTest, E1OneAtATime) {
  const std::vector<int64_t> expected = {167, 166, 167, 167, 166, 167};
  int64_t total = 0;
  for (int k = 0; k < 6; ++k) {
    SCOPED_TRACE(k);
    const int64_t slice = CumulativeSlice(1000, k, 1, 6).value();
    EXPECT_EQ(slice, expected[k]);
    total += slice;
  }
  EXPECT_EQ(total, 1000);
}

TEST(CumulativeSliceTest, EmptySliceIsZero) {
  EXPECT_EQ(CumulativeSlice(1000, 3, 0, 6).value(), 0);
  EXPECT_EQ(CumulativeSlice(1000, 6, 0, 6).value(), 0);
}

TEST(CumulativeSliceTest, RejectsBadArguments) {
  for (auto [already, count, units] :
       std::vector<std::tuple<int64_t, int64_t, int64_t>>{
           {0, 1, 0},
           {0, 0, -1},
           {-1, 1, 6},
           {0, -1, 6},
           {5, 2, 6},
           {0, 7, 6},
           {7, 0, 6},
           {kMax, 1, kMax},  // already + count overflows int64.
           {1, kMax, kMax},
           {kMax, kMax, kMax},
       }) {
    SCOPED_TRACE(absl::StrCat(already, " + ", count, " of ", units));
    EXPECT_EQ(CumulativeSlice(1000, already, count, units).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

// --- Cumulative: properties --------------------------------------------------

// Random positive sizes summing to `units`, in random order.
std::vector<int64_t> RandomPartition(TestRng& rng, int64_t units) {
  std::vector<int64_t> sizes;
  int64_t left = units;
  while (left > 0) {
    const int64_t n = rng.OneIn(3) ? 1 : rng.Uniform(1, left);
    sizes.push_back(n);
    left -= n;
  }
  for (size_t k = sizes.size(); k > 1; --k) {
    std::swap(sizes[k - 1], sizes[rng.Uniform(0, static_cast<int64_t>(k - 1))]);
  }
  return sizes;
}

TEST(CumulativePropertyTest, PartitionsSumExactlyToTotal) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE(SeedTrace(seed));
  TestRng rng(seed);
  for (int i = 0; i < 10000; ++i) {
    const int64_t total = RandomTotal(rng);
    const int64_t units =
        rng.OneIn(20) ? rng.LogUniform(62) + 1 : rng.Uniform(1, 60);
    const RoundingMode mode = rng.OneIn(2) ? kHalfAway : kHalfEven;
    const std::vector<int64_t> sizes =
        units <= 200
            ? RandomPartition(rng, units)
            : std::vector<int64_t>{units / 3, 1, units - units / 3 - 1};
    SCOPED_TRACE(absl::StrCat("case #", i, ": total ", total, " units ", units,
                              " mode ", static_cast<int>(mode), " slices {",
                              absl::StrJoin(sizes, ", "), "}"));
    absl::int128 sum = 0;
    int64_t already = 0;
    for (int64_t n : sizes) {
      if (n == 0) continue;
      absl::StatusOr<int64_t> slice =
          CumulativeSlice(total, already, n, units, mode);
      ASSERT_TRUE(slice.ok()) << slice.status();
      // The difference form of F.
      const absl::int128 f_before =
          RefRound(absl::int128(total) * already, units, mode);
      const absl::int128 f_after =
          RefRound(absl::int128(total) * (already + n), units, mode);
      ASSERT_EQ(absl::int128(*slice), f_after - f_before);
      ASSERT_EQ(absl::int128(
                    CumulativeShare(total, already + n, units, mode).value()),
                f_after);
      // A slice of n units is within one minor unit of its exact share
      // (F is within half a unit of exact at both ends).
      ASSERT_TRUE(absl::int128(*slice) * units - absl::int128(total) * n <=
                      absl::int128(units) &&
                  absl::int128(total) * n - absl::int128(*slice) * units <=
                      absl::int128(units))
          << "slice " << already << "+" << n << " = " << *slice;
      // Never of the opposite sign.
      ASSERT_TRUE(total >= 0 ? *slice >= 0 : *slice <= 0);
      if (total != kMin) {
        ASSERT_EQ(CumulativeSlice(-total, already, n, units, mode).value(),
                  -*slice);
      }
      sum += *slice;
      already += n;
    }
    ASSERT_EQ(already, units);
    ASSERT_EQ(sum, absl::int128(total));
  }
}

TEST(CumulativePropertyTest, EachUnitIsFloorOrCeilOfItsExactShare) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE(SeedTrace(seed));
  TestRng rng(seed);
  for (int i = 0; i < 2000; ++i) {
    const int64_t total = RandomTotal(rng);
    const int64_t units = rng.Uniform(1, 50);
    const RoundingMode mode = rng.OneIn(2) ? kHalfAway : kHalfEven;
    SCOPED_TRACE(absl::StrCat("case #", i, ": total ", total, " units ", units,
                              " mode ", static_cast<int>(mode)));
    absl::int128 sum = 0;
    for (int64_t k = 0; k < units; ++k) {
      const int64_t unit = CumulativeSlice(total, k, 1, units, mode).value();
      ASSERT_TRUE(IsFloorOrCeil(unit, total, units))
          << "unit " << k << " = " << unit;
      sum += unit;
    }
    ASSERT_EQ(sum, absl::int128(total));
  }
  // Near the int64 limits, sampled units.
  for (int i = 0; i < 2000; ++i) {
    const int64_t total =
        rng.OneIn(2) ? kMax - rng.Uniform(0, 100) : kMin + rng.Uniform(0, 100);
    const int64_t units = rng.LogUniform(62) + 1;
    const int64_t k = rng.Uniform(0, units - 1);
    SCOPED_TRACE(absl::StrCat("limit case #", i, ": total ", total, " units ",
                              units, " unit ", k));
    const int64_t unit = CumulativeSlice(total, k, 1, units).value();
    ASSERT_TRUE(IsFloorOrCeil(unit, total, units)) << unit;
  }
}

}  // namespace
}  // namespace retcon
