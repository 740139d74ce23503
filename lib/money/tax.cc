#include "retcon/tax.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "lib/internal/status_macros.h"
#include "lib/money/internal/rounding.h"

namespace retcon {
namespace {

constexpr int64_t kMaxScaledPercent = 1000 * TaxRate::kScale;  // 1000%
constexpr int64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};

}  // namespace

TaxRate::TaxRate(int64_t compact, int decimals)
    : compact_(compact), decimals_(decimals) {
  while (decimals_ > 0 && compact_ % 10 == 0) {
    compact_ /= 10;
    --decimals_;
  }
}

int64_t TaxRate::ScaledTo(int d) const {
  return compact_ * kPow10[d - decimals_];
}

absl::StatusOr<TaxRate> TaxRate::Parse(absl::string_view percent) {
  if (!percent.empty() && percent[0] == '-') {
    return absl::InvalidArgumentError(
        absl::StrCat("tax rate '", percent, "' must not be negative"));
  }
  // Rates are parsed once per line on every call, so this avoids the
  // general 128-bit amount parser: at most 4 integer digits fit the range.
  int64_t scaled = 0;
  size_t pos = 0, integer_digits = 0, decimals = 0;
  bool in_range = true;
  for (; pos < percent.size() && percent[pos] >= '0' && percent[pos] <= '9';
       ++pos, ++integer_digits) {
    scaled = scaled * 10 + (percent[pos] - '0');
    if (scaled > 1000) {
      in_range = false;
      break;
    }
  }
  bool well_formed = integer_digits > 0 && in_range;
  if (well_formed && pos < percent.size() && percent[pos] == '.') {
    const size_t fraction_start = ++pos;
    for (; pos < percent.size() && percent[pos] >= '0' && percent[pos] <= '9';
         ++pos) {
      if (decimals < kMaxDecimals) {
        scaled = scaled * 10 + (percent[pos] - '0');
        ++decimals;
      } else {
        well_formed &= percent[pos] == '0';
      }
    }
    well_formed &= pos > fraction_start;
  }
  well_formed &= pos == percent.size();
  if (!in_range) {
    return absl::InvalidArgumentError(
        absl::StrCat("tax rate '", percent, "' is above 1000%"));
  }
  if (!well_formed) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tax rate '", percent,
        "' is not a decimal percentage with at most 6 decimals (e.g. 20, "
        "17.5)"));
  }
  if (scaled * kPow10[kMaxDecimals - decimals] > kMaxScaledPercent) {
    return absl::InvalidArgumentError(
        absl::StrCat("tax rate '", percent, "' is above 1000%"));
  }
  return TaxRate(scaled, static_cast<int>(decimals));
}

std::string TaxRate::ToString() const {
  // Straight from the compact form (non-negative, no trailing zeros), right
  // to left: every credit line states its rates.
  char text[24];
  char* const end = text + sizeof(text);
  char* p = end;
  uint64_t fraction = static_cast<uint64_t>(compact_ % kPow10[decimals_]);
  uint64_t whole = static_cast<uint64_t>(compact_ / kPow10[decimals_]);
  for (int d = 0; d < decimals_; ++d, fraction /= 10) {
    *--p = static_cast<char>('0' + fraction % 10);
  }
  if (decimals_ > 0) *--p = '.';
  do {
    *--p = static_cast<char>('0' + whole % 10);
    whole /= 10;
  } while (whole != 0);
  return std::string(p, end - p);
}

TaxSplit ExtractTax(int64_t gross, TaxRate rate, RoundingMode mode) {
  // tax = gross * r / (1 + r) with r = p / 100: gross * p / (100 + p), in
  // the rate's own decimal scale. |tax| <= |gross|, so it fits int64.
  const int d = rate.decimals();
  const int64_t scaled = rate.ScaledTo(d);
  const int64_t denominator = 100 * kPow10[d] + scaled;
  int64_t product;
  int64_t tax;
  if (!__builtin_mul_overflow(gross, scaled, &product)) {
    tax = money_internal::DivideRoundedIn<int64_t>(product, denominator, mode);
  } else {
    tax = static_cast<int64_t>(money_internal::DivideRoundedUnchecked(
        absl::int128(gross) * scaled, denominator, mode));
  }
  return TaxSplit{gross - tax, tax};
}

absl::StatusOr<int64_t> TaxOnNet(int64_t net, TaxRate rate, RoundingMode mode) {
  const absl::int128 tax = money_internal::DivideRoundedUnchecked(
      absl::int128(net) * rate.ScaledTo(rate.decimals()),
      absl::int128(100 * kPow10[rate.decimals()]), mode);
  if (tax > std::numeric_limits<int64_t>::max() ||
      tax < std::numeric_limits<int64_t>::min()) {
    return absl::OutOfRangeError("tax does not fit int64 minor units");
  }
  return static_cast<int64_t>(tax);
}

}  // namespace retcon
