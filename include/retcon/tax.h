// Tax rates as exact decimals, and tax on tax-inclusive or tax-exclusive
// amounts. The tax is rounded; the net is derived (gross - tax), so
// gross = net + tax always holds exactly.
//
//   absl::StatusOr<retcon::TaxRate> vat = retcon::TaxRate::Parse("20");
//   retcon::TaxSplit split = retcon::ExtractTax(17925, *vat);
//   // 179.25 * 20/120 = 29.875 -> tax 2988; net 14937
//
// Thread-safe; TaxRate is an immutable value.
#ifndef RETCON_TAX_H_
#define RETCON_TAX_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "retcon/money.h"

namespace retcon {

// A tax rate in percent, held exactly as scaled_percent / 10^6
// ("17.5" -> 17500000). Between 0% and 1000%, at most 6 decimal places.
class TaxRate {
 public:
  static constexpr int kMaxDecimals = 6;
  static constexpr int64_t kScale = 1000000;  // 10^kMaxDecimals

  // Parses a decimal percentage: "20", "17.5", "0", "5.50".
  // Errors: InvalidArgument for empty or malformed text, a negative rate,
  // more than 6 non-zero decimals, or a rate above 1000%.
  static absl::StatusOr<TaxRate> Parse(absl::string_view percent);

  TaxRate() = default;  // 0%.

  // The rate in millionths of a percent: 20% -> 20000000.
  int64_t scaled_percent() const { return ScaledTo(kMaxDecimals); }
  // Decimal places the rate needs: "20" -> 0, "17.5" -> 1.
  int decimals() const { return decimals_; }
  // The rate times 10^d in percent: "17.5".ScaledTo(2) == 1750. Small
  // scales keep tax arithmetic in fast 64- or 32-bit division.
  // REQUIRES: decimals() <= d <= kMaxDecimals.
  int64_t ScaledTo(int d) const;
  bool is_zero() const { return compact_ == 0; }
  // Shortest exact form: "20", "17.5", "0".
  std::string ToString() const;

  friend bool operator==(TaxRate a, TaxRate b) {
    // The compact form is canonical (no trailing zeros).
    return a.compact_ == b.compact_ && a.decimals_ == b.decimals_;
  }
  friend bool operator!=(TaxRate a, TaxRate b) { return !(a == b); }
  friend bool operator<(TaxRate a, TaxRate b) {
    return a.scaled_percent() < b.scaled_percent();
  }

 private:
  // `compact` / 10^`decimals` percent; trailing zeros are stripped.
  TaxRate(int64_t compact, int decimals);
  // The rate is compact_ / 10^decimals_ percent, with no trailing zeros.
  int64_t compact_ = 0;
  int decimals_ = 0;
};

// A tax-inclusive amount split into net and tax; gross == net + tax.
struct TaxSplit {
  int64_t net = 0;
  int64_t tax = 0;
};

// Tax contained in a tax-inclusive `gross`: tax = round(gross * r / (1 + r)),
// net = gross - tax. 20.00 at 20% -> tax 3.33, net 16.67. Sign-symmetric.
TaxSplit ExtractTax(int64_t gross, TaxRate rate,
                    RoundingMode mode = RoundingMode::kHalfAwayFromZero);

// Tax on a tax-exclusive `net`: round(net * r). Sign-symmetric.
// Errors: OutOfRange when the tax does not fit int64 minor units.
absl::StatusOr<int64_t> TaxOnNet(
    int64_t net, TaxRate rate,
    RoundingMode mode = RoundingMode::kHalfAwayFromZero);

}  // namespace retcon

#endif  // RETCON_TAX_H_
