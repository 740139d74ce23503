#include "retcon/money.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "lib/internal/status_macros.h"
#include "retcon/v1/money.pb.h"

namespace retcon {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

absl::Status Malformed(absl::string_view text) {
  return absl::InvalidArgumentError(absl::StrCat(
      "'", text, "' is not a decimal amount (expected digits, e.g. 12.34)"));
}

}  // namespace

absl::StatusOr<int64_t> ParseMinorUnits(absl::string_view text, int exponent) {
  if (exponent < 0 || exponent > 18) {
    return absl::InvalidArgumentError(
        absl::StrCat("exponent: must be 0..18, got ", exponent));
  }
  if (text.empty()) return absl::InvalidArgumentError("amount is empty");
  size_t pos = 0;
  const bool negative = text[0] == '-';
  if (text[0] == '-' || text[0] == '+') ++pos;

  // Accumulate the magnitude in 128 bits; anything past int64 is rejected.
  absl::int128 magnitude = 0;
  const absl::int128 limit =
      absl::int128(std::numeric_limits<int64_t>::max()) + 1;
  size_t integer_digits = 0;
  for (; pos < text.size() && IsDigit(text[pos]); ++pos, ++integer_digits) {
    magnitude = magnitude * 10 + (text[pos] - '0');
    if (magnitude > limit) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", text, "' is too large for int64 minor units"));
    }
  }
  if (integer_digits == 0) return Malformed(text);
  int decimals = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t fraction_start = pos;
    for (; pos < text.size() && IsDigit(text[pos]); ++pos) {
      if (decimals < exponent) {
        magnitude = magnitude * 10 + (text[pos] - '0');
        ++decimals;
      } else if (text[pos] != '0') {
        return absl::InvalidArgumentError(absl::StrCat(
            "'", text, "' has more decimal places than the currency's ",
            exponent));
      }
    }
    if (pos == fraction_start) return Malformed(text);
  }
  if (pos != text.size()) return Malformed(text);
  for (; decimals < exponent; ++decimals) magnitude *= 10;
  if (magnitude > limit || (magnitude == limit && !negative)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is too large for int64 minor units"));
  }
  return static_cast<int64_t>(negative ? -magnitude : magnitude);
}

std::string FormatMinorUnits(int64_t minor_units, int exponent) {
  const bool negative = minor_units < 0;
  // Magnitude as unsigned so INT64_MIN formats too.
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(minor_units)
                                : static_cast<uint64_t>(minor_units);
  std::string digits = absl::StrCat(magnitude);
  if (exponent > 0) {
    if (digits.size() <= static_cast<size_t>(exponent)) {
      digits.insert(0, exponent + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - exponent, 1, '.');
  }
  return negative ? absl::StrCat("-", digits) : digits;
}

absl::StatusOr<Money> Money::Parse(absl::string_view text,
                                   absl::string_view currency_code) {
  RETCON_ASSIGN_OR_RETURN(int exponent, CurrencyExponent(currency_code));
  RETCON_ASSIGN_OR_RETURN(int64_t minor, ParseMinorUnits(text, exponent));
  return Money(std::string(currency_code), exponent, minor);
}

absl::StatusOr<Money> Money::FromMinorUnits(absl::string_view currency_code,
                                            int64_t minor_units) {
  RETCON_ASSIGN_OR_RETURN(int exponent, CurrencyExponent(currency_code));
  return Money(std::string(currency_code), exponent, minor_units);
}

absl::StatusOr<Money> Money::FromProto(const v1::Money& proto) {
  return FromMinorUnits(proto.currency_code(), proto.minor_units());
}

std::string Money::ToString() const {
  return FormatMinorUnits(minor_units_, exponent_);
}

std::string Money::ToDisplayString() const {
  return absl::StrCat(currency_code_, " ", ToString());
}

void Money::ToProto(v1::Money* proto) const {
  proto->set_currency_code(currency_code_);
  proto->set_minor_units(minor_units_);
}

absl::StatusOr<Money> Money::Plus(const Money& other) const {
  if (other.currency_code_ != currency_code_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot add ", other.currency_code_, " to ", currency_code_));
  }
  int64_t sum;
  if (__builtin_add_overflow(minor_units_, other.minor_units_, &sum)) {
    return absl::OutOfRangeError("sum does not fit int64 minor units");
  }
  return Money(currency_code_, exponent_, sum);
}

absl::StatusOr<Money> Money::Minus(const Money& other) const {
  if (other.currency_code_ != currency_code_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot subtract ", other.currency_code_, " from ", currency_code_));
  }
  int64_t difference;
  if (__builtin_sub_overflow(minor_units_, other.minor_units_, &difference)) {
    return absl::OutOfRangeError("difference does not fit int64 minor units");
  }
  return Money(currency_code_, exponent_, difference);
}

absl::StatusOr<Money> Money::Negated() const {
  if (minor_units_ == std::numeric_limits<int64_t>::min()) {
    return absl::OutOfRangeError("negation does not fit int64 minor units");
  }
  return Money(currency_code_, exponent_, -minor_units_);
}

}  // namespace retcon
