#include "retcon/tax.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/money/test_random.h"

namespace retcon {
namespace {

using testing_internal::SeedTrace;
using testing_internal::TestRng;
using testing_internal::TestSeed;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr RoundingMode kHalfAway = RoundingMode::kHalfAwayFromZero;
constexpr RoundingMode kHalfEven = RoundingMode::kHalfEven;

// 100% in TaxRate's scale.
constexpr int64_t kHundredPercent = 100 * TaxRate::kScale;

TaxRate Rate(absl::string_view percent) {
  absl::StatusOr<TaxRate> rate = TaxRate::Parse(percent);
  EXPECT_TRUE(rate.ok()) << percent << ": " << rate.status();
  return rate.value_or(TaxRate());
}

// num / den rounded by `mode` (den > 0), independent of the library.
absl::int128 RefRound(absl::int128 num, absl::int128 den, RoundingMode mode) {
  const bool negative = num < 0;
  const absl::int128 mag = negative ? -num : num;
  absl::int128 q = mag / den;
  const absl::int128 r = mag % den;
  if (2 * r > den || (2 * r == den && (mode == kHalfAway || q % 2 == 1))) ++q;
  return negative ? -q : q;
}

// --- TaxRate -----------------------------------------------------------------

TEST(TaxRateTest, ParsesDecimalPercentages) {
  EXPECT_EQ(Rate("20").scaled_percent(), 20000000);
  EXPECT_EQ(Rate("17.5").scaled_percent(), 17500000);
  EXPECT_EQ(Rate("0").scaled_percent(), 0);
  EXPECT_TRUE(Rate("0").is_zero());
  EXPECT_EQ(Rate("5.5").scaled_percent(), 5500000);
  EXPECT_EQ(Rate("5.50"), Rate("5.5"));
  EXPECT_EQ(Rate("0.000001").scaled_percent(), 1);
  EXPECT_EQ(Rate("12.345678").scaled_percent(), 12345678);
  EXPECT_EQ(Rate("1000").scaled_percent(), 1000 * TaxRate::kScale);
  EXPECT_EQ(Rate("1000.000000").scaled_percent(), 1000 * TaxRate::kScale);
  EXPECT_EQ(Rate("020"), Rate("20"));
}

TEST(TaxRateTest, AcceptsZerosBeyondSixDecimals) {
  // Only non-zero decimals beyond the sixth are an error.
  EXPECT_EQ(Rate("5.5000000"), Rate("5.5"));
}

TEST(TaxRateTest, DefaultIsZero) {
  TaxRate rate;
  EXPECT_TRUE(rate.is_zero());
  EXPECT_EQ(rate.scaled_percent(), 0);
  EXPECT_EQ(rate, Rate("0"));
  EXPECT_EQ(rate.ToString(), "0");
}

TEST(TaxRateTest, RejectsMalformedOrOutOfRange) {
  for (const char* text :
       {"-1", "-0.5", "abc", "20%", "1000.1", "1000.000001", "1001",
        "1.0000001", "0.0000001", "", ".", "1e1", " 20", "20 ", "2,5", "--1",
        "99999999999999999999999"}) {
    SCOPED_TRACE(absl::StrCat("'", text, "'"));
    absl::StatusOr<TaxRate> rate = TaxRate::Parse(text);
    EXPECT_EQ(rate.status().code(), absl::StatusCode::kInvalidArgument)
        << "parsed as " << (rate.ok() ? rate->ToString() : "");
  }
}

TEST(TaxRateTest, ToStringIsShortestExactForm) {
  EXPECT_EQ(Rate("20").ToString(), "20");
  EXPECT_EQ(Rate("20.000").ToString(), "20");
  EXPECT_EQ(Rate("17.5").ToString(), "17.5");
  EXPECT_EQ(Rate("17.50").ToString(), "17.5");
  EXPECT_EQ(Rate("5.50").ToString(), "5.5");
  EXPECT_EQ(Rate("0").ToString(), "0");
  EXPECT_EQ(Rate("0.00").ToString(), "0");
  EXPECT_EQ(Rate("0.000001").ToString(), "0.000001");
  EXPECT_EQ(Rate("0.1").ToString(), "0.1");
  EXPECT_EQ(Rate("10").ToString(), "10");
  EXPECT_EQ(Rate("100").ToString(), "100");
  EXPECT_EQ(Rate("1000").ToString(), "1000");
  EXPECT_EQ(Rate("12.345678").ToString(), "12.345678");
  EXPECT_EQ(Rate("0.05").ToString(), "0.05");
  EXPECT_EQ(Rate("7.050").ToString(), "7.05");
  EXPECT_EQ(Rate("999.000009").ToString(), "999.000009");
}

TEST(TaxRateTest, ToStringRoundTripsForRandomRates) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE(SeedTrace(seed));
  TestRng rng(seed);
  for (int i = 0; i < 5000; ++i) {
    // Build "<int>.<6 digits>" and compare scaled values.
    const int64_t scaled = rng.Uniform(0, 1000 * TaxRate::kScale);
    const std::string text = absl::StrCat(
        scaled / TaxRate::kScale, ".",
        std::string(6 - absl::StrCat(scaled % TaxRate::kScale).size(), '0'),
        scaled % TaxRate::kScale);
    SCOPED_TRACE(absl::StrCat("case #", i, ": ", text));
    const TaxRate rate = Rate(text);
    ASSERT_EQ(rate.scaled_percent(), scaled);
    const std::string shortest = rate.ToString();
    ASSERT_EQ(Rate(shortest), rate) << shortest;
    // Shortest: no trailing zero after a '.', no trailing '.'.
    if (shortest.find('.') != std::string::npos) {
      ASSERT_NE(shortest.back(), '0') << shortest;
      ASSERT_NE(shortest.back(), '.') << shortest;
    }
  }
}

TEST(TaxRateTest, DecimalsAndScaledTo) {
  EXPECT_EQ(Rate("20").decimals(), 0);
  EXPECT_EQ(Rate("17.5").decimals(), 1);
  EXPECT_EQ(Rate("17.50").decimals(), 1);
  EXPECT_EQ(Rate("0").decimals(), 0);
  EXPECT_EQ(Rate("0.000001").decimals(), 6);
  EXPECT_EQ(Rate("1000").decimals(), 0);
  EXPECT_EQ(Rate("17.5").ScaledTo(1), 175);
  EXPECT_EQ(Rate("17.5").ScaledTo(2), 1750);
  EXPECT_EQ(Rate("17.5").ScaledTo(6), 17500000);
  EXPECT_EQ(Rate("20").ScaledTo(0), 20);
  EXPECT_EQ(Rate("1000").ScaledTo(6), 1000000000);
  EXPECT_EQ(Rate("12.345678").ScaledTo(6), 12345678);
}

TEST(TaxRateTest, ScaledToAgreesWithScaledPercent) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE(SeedTrace(seed));
  TestRng rng(seed);
  for (int i = 0; i < 2000; ++i) {
    const int64_t scaled = rng.Uniform(0, 1000 * TaxRate::kScale);
    const std::string frac = absl::StrCat(scaled % TaxRate::kScale);
    const TaxRate rate =
        Rate(absl::StrCat(scaled / TaxRate::kScale, ".",
                          std::string(6 - frac.size(), '0'), frac));
    SCOPED_TRACE(absl::StrCat("case #", i, ": ", rate.ToString()));
    ASSERT_EQ(rate.scaled_percent(), scaled);
    // decimals() is the fewest places that hold the rate exactly.
    const int d = rate.decimals();
    ASSERT_GE(d, 0);
    ASSERT_LE(d, TaxRate::kMaxDecimals);
    int64_t power = 1;
    for (int k = d; k < TaxRate::kMaxDecimals; ++k) power *= 10;
    ASSERT_EQ(scaled % power, 0);
    if (d > 0) ASSERT_NE(scaled % (power * 10), 0);
    for (int to = d; to <= TaxRate::kMaxDecimals; ++to) {
      int64_t down = 1;
      for (int k = to; k < TaxRate::kMaxDecimals; ++k) down *= 10;
      ASSERT_EQ(rate.ScaledTo(to), scaled / down) << "to " << to;
    }
  }
}

TEST(TaxRateTest, Ordering) {
  EXPECT_LT(Rate("5"), Rate("17.5"));
  EXPECT_LT(Rate("17.5"), Rate("20"));
  EXPECT_FALSE(Rate("20") < Rate("20"));
  EXPECT_NE(Rate("20"), Rate("17.5"));
}

// --- ExtractTax: worked examples ---------------------------------------------

TEST(ExtractTaxTest, E2VatInclusive) {
  // 179.25 * 20/120 = 29.875 -> 29.88; net 149.37.
  const TaxSplit split = ExtractTax(17925, Rate("20"));
  EXPECT_EQ(split.tax, 2988);
  EXPECT_EQ(split.net, 14937);
}

TEST(ExtractTaxTest, E3VatInclusive) {
  // 24.99 / 6 = 4.165 -> 4.17; net 20.82.
  const TaxSplit split = ExtractTax(2499, Rate("20"));
  EXPECT_EQ(split.tax, 417);
  EXPECT_EQ(split.net, 2082);
}

TEST(ExtractTaxTest, HmrcExample) {
  const TaxSplit split = ExtractTax(2000, Rate("20"));
  EXPECT_EQ(split.tax, 333);
  EXPECT_EQ(split.net, 1667);
}

TEST(ExtractTaxTest, ReducedAndOddRates) {
  // 10.50 at 5%: 1050 * 5/105 = 50 exactly.
  EXPECT_EQ(ExtractTax(1050, Rate("5")).tax, 50);
  // 117.50 at 17.5%: 17.50 exactly.
  EXPECT_EQ(ExtractTax(11750, Rate("17.5")).tax, 1750);
  EXPECT_EQ(ExtractTax(11750, Rate("17.5")).net, 10000);
  // 1.00 at 17.5%: 14.893... -> 15.
  EXPECT_EQ(ExtractTax(100, Rate("17.5")).tax, 15);
  EXPECT_EQ(ExtractTax(100, Rate("17.5")).net, 85);
}

TEST(ExtractTaxTest, ZeroRateAndZeroGross) {
  const TaxSplit untaxed = ExtractTax(12345, Rate("0"));
  EXPECT_EQ(untaxed.tax, 0);
  EXPECT_EQ(untaxed.net, 12345);
  const TaxSplit nothing = ExtractTax(0, Rate("20"));
  EXPECT_EQ(nothing.tax, 0);
  EXPECT_EQ(nothing.net, 0);
}

TEST(ExtractTaxTest, HalfAwayVersusHalfEvenOnExactHalves) {
  // 0.15 at 20%: 2.5 pence exactly.
  EXPECT_EQ(ExtractTax(15, Rate("20")).tax, 3);
  EXPECT_EQ(ExtractTax(15, Rate("20"), kHalfAway).tax, 3);
  EXPECT_EQ(ExtractTax(15, Rate("20"), kHalfEven).tax, 2);
  EXPECT_EQ(ExtractTax(15, Rate("20"), kHalfEven).net, 13);
  // 0.03 at 20%: 0.5 pence.
  EXPECT_EQ(ExtractTax(3, Rate("20")).tax, 1);
  EXPECT_EQ(ExtractTax(3, Rate("20"), kHalfEven).tax, 0);
  EXPECT_EQ(ExtractTax(3, Rate("20"), kHalfEven).net, 3);
  // 0.09 at 20%: 1.5 pence -> 2 either way.
  EXPECT_EQ(ExtractTax(9, Rate("20")).tax, 2);
  EXPECT_EQ(ExtractTax(9, Rate("20"), kHalfEven).tax, 2);
  // Negative: -2.5 -> -3 half away, -2 half even.
  EXPECT_EQ(ExtractTax(-15, Rate("20")).tax, -3);
  EXPECT_EQ(ExtractTax(-15, Rate("20")).net, -12);
  EXPECT_EQ(ExtractTax(-15, Rate("20"), kHalfEven).tax, -2);
  EXPECT_EQ(ExtractTax(-15, Rate("20"), kHalfEven).net, -13);
}

TEST(ExtractTaxTest, SignSymmetric) {
  // Unlike ERPNext #47705 (+12.345 -> 12.35 but -12.345 -> -12.34).
  for (int64_t gross : {int64_t{17925}, int64_t{2499}, int64_t{15}, int64_t{3},
                        int64_t{1}, kMax}) {
    for (const char* rate : {"20", "17.5", "5", "0.000001", "1000"}) {
      SCOPED_TRACE(absl::StrCat(gross, " at ", rate));
      const TaxSplit pos = ExtractTax(gross, Rate(rate));
      const TaxSplit neg = ExtractTax(-gross, Rate(rate));
      EXPECT_EQ(neg.tax, -pos.tax);
      EXPECT_EQ(neg.net, -pos.net);
    }
  }
}

TEST(ExtractTaxTest, Int64Limits) {
  for (int64_t gross : {kMax, kMin, kMin + 1}) {
    for (const char* rate : {"20", "1000", "0.000001", "999.999999"}) {
      SCOPED_TRACE(absl::StrCat(gross, " at ", rate));
      const TaxRate r = Rate(rate);
      const TaxSplit split = ExtractTax(gross, r);
      EXPECT_EQ(absl::int128(split.tax),
                RefRound(absl::int128(gross) * r.scaled_percent(),
                         kHundredPercent + r.scaled_percent(), kHalfAway));
      EXPECT_EQ(absl::int128(split.net) + split.tax, absl::int128(gross));
    }
  }
}

// --- TaxOnNet ----------------------------------------------------------------

TEST(TaxOnNetTest, Examples) {
  EXPECT_EQ(TaxOnNet(1000, Rate("20")).value(), 200);
  EXPECT_EQ(TaxOnNet(14937, Rate("20")).value(), 2987);  // 29.874 -> 29.87
  EXPECT_EQ(TaxOnNet(100, Rate("17.5")).value(), 18);    // 17.5 -> 18
  EXPECT_EQ(TaxOnNet(0, Rate("20")).value(), 0);
  EXPECT_EQ(TaxOnNet(12345, Rate("0")).value(), 0);
  EXPECT_EQ(TaxOnNet(1, Rate("0.000001")).value(), 0);
  EXPECT_EQ(TaxOnNet(1, Rate("1000")).value(), 10);
}

TEST(TaxOnNetTest, HalfAwayVersusHalfEven) {
  // 0.10 at 5% = 0.5p.
  EXPECT_EQ(TaxOnNet(10, Rate("5")).value(), 1);
  EXPECT_EQ(TaxOnNet(10, Rate("5"), kHalfEven).value(), 0);
  // 0.60 at 17.5% = 10.5p.
  EXPECT_EQ(TaxOnNet(60, Rate("17.5")).value(), 11);
  EXPECT_EQ(TaxOnNet(60, Rate("17.5"), kHalfEven).value(), 10);
  // 0.20 at 17.5% = 3.5p -> 4 either way.
  EXPECT_EQ(TaxOnNet(20, Rate("17.5")).value(), 4);
  EXPECT_EQ(TaxOnNet(20, Rate("17.5"), kHalfEven).value(), 4);
  // Negatives mirror.
  EXPECT_EQ(TaxOnNet(-60, Rate("17.5")).value(), -11);
  EXPECT_EQ(TaxOnNet(-60, Rate("17.5"), kHalfEven).value(), -10);
  EXPECT_EQ(TaxOnNet(-10, Rate("5")).value(), -1);
}

TEST(TaxOnNetTest, OutOfRange) {
  EXPECT_EQ(TaxOnNet(kMax, Rate("1000")).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(TaxOnNet(kMin, Rate("100.000001")).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(TaxOnNet(kMax, Rate("100")).value(), kMax);
  EXPECT_EQ(TaxOnNet(kMin, Rate("100")).value(), kMin);
  EXPECT_EQ(TaxOnNet(kMax, Rate("20")).value(), 1844674407370955161);
}

// --- Properties --------------------------------------------------------------

TaxRate RandomRate(TestRng& rng) {
  switch (rng.Uniform(0, 6)) {
    case 0:
      return Rate("0");
    case 1:
      return Rate("5");
    case 2:
      return Rate("17.5");
    case 3:
      return Rate("20");
    case 4:
      return Rate(absl::StrCat(rng.Uniform(0, 1000)));
    default: {
      const int64_t scaled = rng.Uniform(0, 1000 * TaxRate::kScale);
      const std::string frac = absl::StrCat(scaled % TaxRate::kScale);
      return Rate(absl::StrCat(scaled / TaxRate::kScale, ".",
                               std::string(6 - frac.size(), '0'), frac));
    }
  }
}

TEST(TaxPropertyTest, ExtractTaxIsExactRoundedAndSymmetric) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE(SeedTrace(seed));
  TestRng rng(seed);
  for (int i = 0; i < 20000; ++i) {
    int64_t gross = rng.OneIn(2) ? rng.Uniform(0, 100000) : rng.LogUniform(63);
    if (rng.OneIn(2)) gross = -gross;
    const TaxRate rate = RandomRate(rng);
    const RoundingMode mode = rng.OneIn(2) ? kHalfAway : kHalfEven;
    SCOPED_TRACE(absl::StrCat("case #", i, ": gross ", gross, " rate ",
                              rate.ToString(), " mode ",
                              static_cast<int>(mode)));
    const TaxSplit split = ExtractTax(gross, rate, mode);
    ASSERT_EQ(absl::int128(split.net) + split.tax, absl::int128(gross));
    ASSERT_EQ(absl::int128(split.tax),
              RefRound(absl::int128(gross) * rate.scaled_percent(),
                       kHundredPercent + rate.scaled_percent(), mode));
    // Tax has the sign of the gross and never exceeds it.
    if (gross >= 0) {
      ASSERT_GE(split.tax, 0);
      ASSERT_LE(split.tax, gross);
    } else {
      ASSERT_LE(split.tax, 0);
      ASSERT_GE(split.tax, gross);
    }
    const TaxSplit neg = ExtractTax(-gross, rate, mode);
    ASSERT_EQ(neg.tax, -split.tax);
    ASSERT_EQ(neg.net, -split.net);
  }
}

TEST(TaxPropertyTest, TaxOnNetIsRoundedAndSymmetric) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE(SeedTrace(seed));
  TestRng rng(seed);
  for (int i = 0; i < 20000; ++i) {
    int64_t net = rng.OneIn(2) ? rng.Uniform(0, 100000) : rng.LogUniform(63);
    if (rng.OneIn(2)) net = -net;
    const TaxRate rate = RandomRate(rng);
    const RoundingMode mode = rng.OneIn(2) ? kHalfAway : kHalfEven;
    SCOPED_TRACE(absl::StrCat("case #", i, ": net ", net, " rate ",
                              rate.ToString(), " mode ",
                              static_cast<int>(mode)));
    const absl::int128 expected = RefRound(
        absl::int128(net) * rate.scaled_percent(), kHundredPercent, mode);
    absl::StatusOr<int64_t> tax = TaxOnNet(net, rate, mode);
    if (expected > kMax || expected < kMin) {
      ASSERT_EQ(tax.status().code(), absl::StatusCode::kOutOfRange);
      continue;
    }
    ASSERT_TRUE(tax.ok()) << tax.status();
    ASSERT_EQ(absl::int128(*tax), expected);
    ASSERT_EQ(TaxOnNet(-net, rate, mode).value(), -*tax);
  }
}

}  // namespace
}  // namespace retcon
