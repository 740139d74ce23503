// Exact money: ISO 4217 currencies, integer minor units, exact decimal
// parsing and formatting. No floating point anywhere.
//
//   absl::StatusOr<retcon::Money> price = retcon::Money::Parse("24.99", "GBP");
//   if (!price.ok()) return price.status();  // e.g. "12.345" for GBP
//   price->minor_units();  // 2499
//   price->ToString();     // "24.99"
//
// All functions here are thread-safe; Money is a value type
// (thread-compatible).
#ifndef RETCON_MONEY_H_
#define RETCON_MONEY_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace retcon {

namespace v1 {
class Money;
}  // namespace v1

// How a value exactly half-way between two minor units is rounded.
enum class RoundingMode {
  // 0.5 -> 1, -0.5 -> -1, 2.5 -> 3. The default: HMRC lets retailers round
  // VAT to the nearest penny this way, and it is symmetric in sign.
  kHalfAwayFromZero,
  // Banker's rounding: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -2.5 -> -2.
  kHalfEven,
};

// Number of decimal places of an active ISO 4217 currency (GBP 2, JPY 0,
// KWD 3, CLF 4). The code must be upper case.
// Errors: InvalidArgument for a code that is not an active ISO 4217 currency.
absl::StatusOr<int> CurrencyExponent(absl::string_view currency_code);

// Parses a decimal string into minor units for a currency with `exponent`
// decimals: "12.3" with exponent 2 is 1230. Accepts an optional leading '+'
// or '-', digits, and an optional '.' followed by digits. Digits beyond the
// exponent are accepted only when they are zeros ("1000.00" for JPY, as shops
// send it), so the value is always exact.
// Errors: InvalidArgument for empty or malformed text, an exponent form
// ("1e3"), non-zero digits beyond the exponent ("12.345" for GBP), or a value
// outside int64 minor units.
absl::StatusOr<int64_t> ParseMinorUnits(absl::string_view text, int exponent);

// Formats minor units as a plain decimal string with exactly `exponent`
// decimals: (1230, 2) -> "12.30", (-5, 2) -> "-0.05", (1999, 0) -> "1999".
// REQUIRES: 0 <= exponent <= 18.
std::string FormatMinorUnits(int64_t minor_units, int exponent);

// An exact amount of one currency.
class Money {
 public:
  // Parses `text` as an amount of `currency_code` (see ParseMinorUnits).
  static absl::StatusOr<Money> Parse(absl::string_view text,
                                     absl::string_view currency_code);
  // Builds from minor units. Errors: InvalidArgument for an unknown currency.
  static absl::StatusOr<Money> FromMinorUnits(absl::string_view currency_code,
                                              int64_t minor_units);
  // Reads a retcon.v1.Money. An empty currency_code (which inside a document
  // means "the document's currency") is not resolved here: it is an error,
  // like any code that is not an active ISO 4217 currency (InvalidArgument).
  static absl::StatusOr<Money> FromProto(const v1::Money& proto);

  const std::string& currency_code() const { return currency_code_; }
  int64_t minor_units() const { return minor_units_; }
  int exponent() const { return exponent_; }

  // "24.99" (no currency code).
  std::string ToString() const;
  // "GBP 24.99".
  std::string ToDisplayString() const;
  void ToProto(v1::Money* proto) const;

  // Checked arithmetic. Errors: InvalidArgument when the currencies differ,
  // OutOfRange when the result does not fit int64 minor units.
  absl::StatusOr<Money> Plus(const Money& other) const;
  absl::StatusOr<Money> Minus(const Money& other) const;
  // -this. Errors: OutOfRange for INT64_MIN minor units.
  absl::StatusOr<Money> Negated() const;

  friend bool operator==(const Money& a, const Money& b) {
    return a.minor_units_ == b.minor_units_ &&
           a.currency_code_ == b.currency_code_;
  }
  friend bool operator!=(const Money& a, const Money& b) { return !(a == b); }

 private:
  Money(std::string currency_code, int exponent, int64_t minor_units)
      : currency_code_(std::move(currency_code)),
        exponent_(exponent),
        minor_units_(minor_units) {}

  std::string currency_code_;
  int exponent_;
  int64_t minor_units_;
};

}  // namespace retcon

#endif  // RETCON_MONEY_H_
