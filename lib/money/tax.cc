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
// 100% expressed in the scaled unit: r = scaled / kHundredPercent.
constexpr int64_t kHundredPercent = 100 * TaxRate::kScale;

}  // namespace

absl::StatusOr<TaxRate> TaxRate::Parse(absl::string_view percent) {
  if (!percent.empty() && percent[0] == '-') {
    return absl::InvalidArgumentError(
        absl::StrCat("tax rate '", percent, "' must not be negative"));
  }
  // A rate is a decimal with 6 places: reuse the exact amount parser.
  absl::StatusOr<int64_t> scaled = ParseMinorUnits(percent, kMaxDecimals);
  if (!scaled.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tax rate '", percent,
        "' is not a decimal percentage with at most 6 decimals (e.g. 20, "
        "17.5)"));
  }
  if (*scaled > kMaxScaledPercent) {
    return absl::InvalidArgumentError(
        absl::StrCat("tax rate '", percent, "' is above 1000%"));
  }
  return TaxRate(*scaled);
}

std::string TaxRate::ToString() const {
  std::string text = FormatMinorUnits(scaled_percent_, kMaxDecimals);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

TaxSplit ExtractTax(int64_t gross, TaxRate rate, RoundingMode mode) {
  // tax = gross * r / (1 + r) with r = s / 100%: gross * s / (100% + s).
  // |tax| <= |gross|, so the quotient fits int64.
  const int64_t tax = static_cast<int64_t>(money_internal::DivideRoundedUnchecked(
      absl::int128(gross) * rate.scaled_percent(),
      absl::int128(kHundredPercent) + rate.scaled_percent(), mode));
  return TaxSplit{gross - tax, tax};
}

absl::StatusOr<int64_t> TaxOnNet(int64_t net, TaxRate rate, RoundingMode mode) {
  const absl::int128 tax = money_internal::DivideRoundedUnchecked(
      absl::int128(net) * rate.scaled_percent(), kHundredPercent, mode);
  if (tax > std::numeric_limits<int64_t>::max() ||
      tax < std::numeric_limits<int64_t>::min()) {
    return absl::OutOfRangeError("tax does not fit int64 minor units");
  }
  return static_cast<int64_t>(tax);
}

}  // namespace retcon
