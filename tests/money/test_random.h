// Seeded, reproducible randomness for retcon's property tests.
//
// Every property test starts from TestSeed(): a fixed default, or the value
// of the RETCON_TEST_SEED environment variable. Failures print the seed (and
// the case number) through SCOPED_TRACE(SeedTrace(...)), so any failure can
// be replayed with RETCON_TEST_SEED=<seed>.
//
// TestRng is a SplitMix64 generator with its own bounded-integer mapping, so
// the same seed gives the same cases on every platform and standard library
// (std::uniform_int_distribution is implementation-defined).
#ifndef RETCON_TESTS_MONEY_TEST_RANDOM_H_
#define RETCON_TESTS_MONEY_TEST_RANDOM_H_

#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/numeric/int128.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace retcon {
namespace testing_internal {

inline constexpr uint64_t kDefaultTestSeed = 20240601;

// The seed of this run: RETCON_TEST_SEED when set to a number, else the
// fixed default.
inline uint64_t TestSeed() {
  const char* env = std::getenv("RETCON_TEST_SEED");
  uint64_t seed = 0;
  if (env != nullptr && absl::SimpleAtoi(env, &seed)) return seed;
  return kDefaultTestSeed;
}

// A message naming the seed, for SCOPED_TRACE.
inline std::string SeedTrace(uint64_t seed) {
  return absl::StrCat("RETCON_TEST_SEED=", seed);
}
inline std::string SeedTrace(uint64_t seed, int64_t case_index) {
  return absl::StrCat("RETCON_TEST_SEED=", seed, " case #", case_index);
}

class TestRng {
 public:
  explicit TestRng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  // Uniform in [lo, hi] (inclusive), including the full int64 range.
  int64_t Uniform(int64_t lo, int64_t hi) {
    const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
    if (span == UINT64_MAX) return static_cast<int64_t>(Next());
    const uint64_t n = span + 1;
    // Lemire's multiply-shift with rejection: exactly uniform.
    const uint64_t threshold = (0 - n) % n;
    for (;;) {
      const absl::uint128 m = absl::uint128(Next()) * n;
      if (absl::Uint128Low64(m) >= threshold) {
        return static_cast<int64_t>(static_cast<uint64_t>(lo) +
                                    absl::Uint128High64(m));
      }
    }
  }

  // True with probability 1/n.
  bool OneIn(int n) { return Uniform(0, n - 1) == 0; }

  // A value whose magnitude is spread over every order of magnitude from 1
  // to 2^bits, so small, medium and huge values all occur.
  int64_t LogUniform(int max_bits) {
    const int bits = static_cast<int>(Uniform(0, max_bits));
    if (bits == 0) return 0;
    if (bits >= 63) return Uniform(0, INT64_MAX);
    return Uniform(0, (int64_t{1} << bits) - 1);
  }

  // Derives an independent generator for case `index`.
  static uint64_t CaseSeed(uint64_t seed, uint64_t index) {
    TestRng mix(seed ^ (index * 0xD1B54A32D192ED03ULL));
    return mix.Next();
  }

 private:
  uint64_t state_;
};

}  // namespace testing_internal
}  // namespace retcon

#endif  // RETCON_TESTS_MONEY_TEST_RANDOM_H_
