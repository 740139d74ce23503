#include "retcon/money.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "retcon/v1/money.pb.h"
#include "tests/money/test_random.h"

namespace retcon {
namespace {

using testing_internal::SeedTrace;
using testing_internal::TestRng;
using testing_internal::TestSeed;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// --- CurrencyExponent --------------------------------------------------------

TEST(CurrencyExponentTest, KnowsCommonExponents) {
  EXPECT_EQ(CurrencyExponent("GBP").value_or(-1), 2);
  EXPECT_EQ(CurrencyExponent("EUR").value_or(-1), 2);
  EXPECT_EQ(CurrencyExponent("USD").value_or(-1), 2);
  EXPECT_EQ(CurrencyExponent("JPY").value_or(-1), 0);
  EXPECT_EQ(CurrencyExponent("KWD").value_or(-1), 3);
  EXPECT_EQ(CurrencyExponent("CLF").value_or(-1), 4);
}

TEST(CurrencyExponentTest, RejectsUnknownOrMalformedCodes) {
  for (const char* code : {"XYZ", "gbp", "Gbp", "", "GB", "GBPP", " GBP"}) {
    SCOPED_TRACE(absl::StrCat("code '", code, "'"));
    absl::StatusOr<int> exponent = CurrencyExponent(code);
    EXPECT_EQ(exponent.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

// --- ParseMinorUnits ---------------------------------------------------------

void ExpectParses(absl::string_view text, int exponent, int64_t expected) {
  SCOPED_TRACE(absl::StrCat("'", text, "' exponent ", exponent));
  absl::StatusOr<int64_t> parsed = ParseMinorUnits(text, exponent);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, expected);
}

void ExpectRejected(absl::string_view text, int exponent) {
  SCOPED_TRACE(absl::StrCat("'", text, "' exponent ", exponent));
  absl::StatusOr<int64_t> parsed = ParseMinorUnits(text, exponent);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
      << "parsed as " << (parsed.ok() ? absl::StrCat(*parsed) : "");
}

TEST(ParseMinorUnitsTest, ParsesPlainDecimals) {
  ExpectParses("12.3", 2, 1230);
  ExpectParses("12.30", 2, 1230);
  ExpectParses("12", 2, 1200);
  ExpectParses("0", 2, 0);
  ExpectParses("0.01", 2, 1);
  ExpectParses("24.99", 2, 2499);
  ExpectParses("1.250", 3, 1250);
  ExpectParses("1.25", 3, 1250);
  ExpectParses("1999", 0, 1999);
}

TEST(ParseMinorUnitsTest, ParsesSigns) {
  ExpectParses("-0.05", 2, -5);
  ExpectParses("+1", 2, 100);
  ExpectParses("-12.3", 2, -1230);
  ExpectParses("-0", 2, 0);
  ExpectParses("+0.00", 2, 0);
}

TEST(ParseMinorUnitsTest, AcceptsZerosBeyondTheExponent) {
  ExpectParses("1000.00", 0, 1000);  // JPY as shops send it.
  ExpectParses("1000.0", 0, 1000);
  ExpectParses("12.3400000000000000000000000", 2, 1234);
  ExpectParses("-0.050", 2, -5);
}

TEST(ParseMinorUnitsTest, AcceptsLeadingZeros) {
  ExpectParses("007", 2, 700);
  ExpectParses("0000000000000000000000000000001.5", 2, 150);
}

TEST(ParseMinorUnitsTest, RejectsDigitsBeyondTheExponent) {
  ExpectRejected("12.345", 2);
  ExpectRejected("0.001", 2);
  ExpectRejected("1000.5", 0);
  ExpectRejected("1.0001", 3);
  ExpectRejected("12.3400000000000000000000001", 2);
}

TEST(ParseMinorUnitsTest, RejectsMalformedText) {
  for (const char* text :
       {"",      "-",   "+",     "1.",  ".5",    "-.5", "1,00", " 1",
        "1 ",    "1e3", "1E3",   "abc", "1.2.3", "--1", "+-1",  "0x10",
        "1_000", "١",   "12.3a", ".",   "-1.",   "NaN", "inf"}) {
    ExpectRejected(text, 2);
  }
  ExpectRejected("1e3", 0);
  ExpectRejected(absl::string_view("1\0", 2), 2);
}

TEST(ParseMinorUnitsTest, AcceptsExactlyTheInt64Range) {
  ExpectParses("92233720368547758.07", 2, kMax);
  ExpectParses("-92233720368547758.08", 2, kMin);
  ExpectRejected("92233720368547758.08", 2);
  ExpectRejected("-92233720368547758.09", 2);
  ExpectParses("9223372036854775807", 0, kMax);
  ExpectParses("-9223372036854775808", 0, kMin);
  ExpectRejected("9223372036854775808", 0);
  ExpectRejected("-9223372036854775809", 0);
  ExpectParses("9223372036854775.807", 3, kMax);
  ExpectRejected("9223372036854775.808", 3);
  // Far beyond the range, and values that would wrap around modulo 2^64.
  ExpectRejected("18446744073709551616", 0);  // 2^64 -> 0 if wrapped
  ExpectRejected("18446744073709551617", 0);  // 2^64 + 1 -> 1 if wrapped
  ExpectRejected("184467440737095516.16", 2);
  ExpectRejected("99999999999999999999999999999999", 0);
  // A value that fits only before scaling by the exponent.
  ExpectRejected("92233720368547759", 2);
}

TEST(ParseMinorUnitsTest, LargeExponents) {
  ExpectParses("9.223372036854775807", 18, kMax);
  ExpectParses("-9.223372036854775808", 18, kMin);
  ExpectRejected("9.223372036854775808", 18);
  ExpectParses("0.000000000000000001", 18, 1);
  ExpectRejected("10", 18);
}

// --- FormatMinorUnits --------------------------------------------------------

TEST(FormatMinorUnitsTest, FormatsWithExactlyExponentDecimals) {
  EXPECT_EQ(FormatMinorUnits(1230, 2), "12.30");
  EXPECT_EQ(FormatMinorUnits(-5, 2), "-0.05");
  EXPECT_EQ(FormatMinorUnits(1999, 0), "1999");
  EXPECT_EQ(FormatMinorUnits(-1999, 0), "-1999");
  EXPECT_EQ(FormatMinorUnits(0, 2), "0.00");
  EXPECT_EQ(FormatMinorUnits(0, 0), "0");
  EXPECT_EQ(FormatMinorUnits(1250, 3), "1.250");
  EXPECT_EQ(FormatMinorUnits(-1, 3), "-0.001");
  EXPECT_EQ(FormatMinorUnits(1, 18), "0.000000000000000001");
}

TEST(FormatMinorUnitsTest, FormatsInt64Limits) {
  EXPECT_EQ(FormatMinorUnits(kMax, 2), "92233720368547758.07");
  EXPECT_EQ(FormatMinorUnits(kMin, 2), "-92233720368547758.08");
  EXPECT_EQ(FormatMinorUnits(kMin, 0), "-9223372036854775808");
  EXPECT_EQ(FormatMinorUnits(kMin, 3), "-9223372036854775.808");
  EXPECT_EQ(FormatMinorUnits(kMin, 18), "-9.223372036854775808");
  EXPECT_EQ(FormatMinorUnits(kMax, 18), "9.223372036854775807");
}

TEST(FormatMinorUnitsTest, RoundTripsThroughParse) {
  for (int exponent : {0, 2, 3, 4, 18}) {
    for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{5},
                      int64_t{-5}, int64_t{1000}, kMax, kMin, kMin + 1}) {
      SCOPED_TRACE(absl::StrCat(v, " exponent ", exponent));
      absl::StatusOr<int64_t> back =
          ParseMinorUnits(FormatMinorUnits(v, exponent), exponent);
      ASSERT_TRUE(back.ok()) << back.status();
      EXPECT_EQ(*back, v);
    }
  }
}

TEST(FormatMinorUnitsTest, RandomValuesRoundTrip) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE(SeedTrace(seed));
  TestRng rng(seed);
  for (int i = 0; i < 20000; ++i) {
    const int exponent = static_cast<int>(rng.Uniform(0, 18));
    int64_t v = rng.LogUniform(63);
    if (rng.OneIn(2)) v = -v;
    if (rng.OneIn(50)) v = kMin;
    const std::string text = FormatMinorUnits(v, exponent);
    SCOPED_TRACE(absl::StrCat("case #", i, ": ", v, " exponent ", exponent,
                              " -> '", text, "'"));
    // Exactly `exponent` decimals.
    const size_t dot = text.find('.');
    if (exponent == 0) {
      EXPECT_EQ(dot, std::string::npos);
    } else {
      ASSERT_NE(dot, std::string::npos);
      EXPECT_EQ(text.size() - dot - 1, static_cast<size_t>(exponent));
    }
    absl::StatusOr<int64_t> back = ParseMinorUnits(text, exponent);
    ASSERT_TRUE(back.ok()) << back.status();
    ASSERT_EQ(*back, v);
  }
}

// --- Money -------------------------------------------------------------------

Money MustParse(absl::string_view text, absl::string_view currency) {
  absl::StatusOr<Money> m = Money::Parse(text, currency);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *m : *Money::FromMinorUnits("GBP", 0);
}

TEST(MoneyTest, ParsesPerCurrencyExponent) {
  absl::StatusOr<Money> gbp = Money::Parse("24.99", "GBP");
  ASSERT_TRUE(gbp.ok()) << gbp.status();
  EXPECT_EQ(gbp->minor_units(), 2499);
  EXPECT_EQ(gbp->currency_code(), "GBP");
  EXPECT_EQ(gbp->exponent(), 2);

  absl::StatusOr<Money> jpy = Money::Parse("1000.00", "JPY");
  ASSERT_TRUE(jpy.ok()) << jpy.status();
  EXPECT_EQ(jpy->minor_units(), 1000);
  EXPECT_EQ(jpy->exponent(), 0);

  absl::StatusOr<Money> kwd = Money::Parse("1.25", "KWD");
  ASSERT_TRUE(kwd.ok()) << kwd.status();
  EXPECT_EQ(kwd->minor_units(), 1250);
  EXPECT_EQ(kwd->exponent(), 3);
}

TEST(MoneyTest, ParseRejectsBadTextAndUnknownCurrency) {
  EXPECT_EQ(Money::Parse("12.345", "GBP").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Money::Parse("1000.5", "JPY").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Money::Parse("12.345", "KWD").ok());
  for (const char* code : {"XYZ", "gbp", ""}) {
    SCOPED_TRACE(code);
    EXPECT_EQ(Money::Parse("1.00", code).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(Money::Parse("1e3", "GBP").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MoneyTest, FromMinorUnits) {
  absl::StatusOr<Money> m = Money::FromMinorUnits("KWD", -1250);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->minor_units(), -1250);
  EXPECT_EQ(m->ToString(), "-1.250");
  EXPECT_EQ(Money::FromMinorUnits("XYZ", 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Money::FromMinorUnits("", 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MoneyTest, FormatsPlainAndDisplay) {
  EXPECT_EQ(MustParse("24.99", "GBP").ToString(), "24.99");
  EXPECT_EQ(MustParse("24.99", "GBP").ToDisplayString(), "GBP 24.99");
  EXPECT_EQ(MustParse("-0.05", "GBP").ToString(), "-0.05");
  EXPECT_EQ(MustParse("1999", "JPY").ToString(), "1999");
  EXPECT_EQ(MustParse("1999", "JPY").ToDisplayString(), "JPY 1999");
  EXPECT_EQ(MustParse("1.25", "KWD").ToString(), "1.250");
}

TEST(MoneyTest, ProtoRoundTrip) {
  v1::Money proto;
  MustParse("179.25", "GBP").ToProto(&proto);
  EXPECT_EQ(proto.currency_code(), "GBP");
  EXPECT_EQ(proto.minor_units(), 17925);

  absl::StatusOr<Money> back = Money::FromProto(proto);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, MustParse("179.25", "GBP"));

  proto.set_currency_code("XYZ");
  EXPECT_EQ(Money::FromProto(proto).status().code(),
            absl::StatusCode::kInvalidArgument);
  proto.set_currency_code("");
  EXPECT_EQ(Money::FromProto(proto).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MoneyTest, EqualityComparesCurrencyAndAmount) {
  EXPECT_EQ(MustParse("1.00", "GBP"), MustParse("1", "GBP"));
  EXPECT_NE(MustParse("1.00", "GBP"), MustParse("1.01", "GBP"));
  EXPECT_NE(MustParse("1.00", "GBP"), MustParse("1.00", "EUR"));
  // Same minor units, different currencies.
  EXPECT_NE(*Money::FromMinorUnits("GBP", 100),
            *Money::FromMinorUnits("JPY", 100));
}

TEST(MoneyTest, PlusAndMinus) {
  const Money a = MustParse("10.00", "GBP");
  const Money b = MustParse("0.01", "GBP");
  absl::StatusOr<Money> sum = a.Plus(b);
  ASSERT_TRUE(sum.ok()) << sum.status();
  EXPECT_EQ(sum->minor_units(), 1001);
  EXPECT_EQ(sum->currency_code(), "GBP");
  absl::StatusOr<Money> diff = b.Minus(a);
  ASSERT_TRUE(diff.ok()) << diff.status();
  EXPECT_EQ(diff->minor_units(), -999);
  EXPECT_EQ(a.Negated()->minor_units(), -1000);
  EXPECT_EQ(a.Negated()->currency_code(), "GBP");
}

TEST(MoneyTest, PlusAndMinusRejectCurrencyMismatch) {
  const Money gbp = MustParse("1.00", "GBP");
  const Money eur = MustParse("1.00", "EUR");
  EXPECT_EQ(gbp.Plus(eur).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(gbp.Minus(eur).status().code(), absl::StatusCode::kInvalidArgument);
  const Money jpy = *Money::FromMinorUnits("JPY", 100);
  const Money gbp100 = *Money::FromMinorUnits("GBP", 100);
  EXPECT_EQ(gbp100.Plus(jpy).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MoneyTest, PlusAndMinusDetectOverflow) {
  const Money max = *Money::FromMinorUnits("GBP", kMax);
  const Money min = *Money::FromMinorUnits("GBP", kMin);
  const Money one = *Money::FromMinorUnits("GBP", 1);
  EXPECT_EQ(max.Plus(one).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(min.Minus(one).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(min.Plus(min).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(max.Minus(min).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(one.Minus(min).status().code(), absl::StatusCode::kOutOfRange);
  // Right at the limits is fine.
  absl::StatusOr<Money> at_max = max.Minus(one).value().Plus(one);
  ASSERT_TRUE(at_max.ok()) << at_max.status();
  EXPECT_EQ(at_max->minor_units(), kMax);
  absl::StatusOr<Money> zero = min.Minus(min);
  ASSERT_TRUE(zero.ok()) << zero.status();
  EXPECT_EQ(zero->minor_units(), 0);
  absl::StatusOr<Money> minus_one = min.Plus(max);
  ASSERT_TRUE(minus_one.ok()) << minus_one.status();
  EXPECT_EQ(minus_one->minor_units(), -1);
}

}  // namespace
}  // namespace retcon
