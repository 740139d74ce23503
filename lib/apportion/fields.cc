#include "lib/apportion/internal/fields.h"

#include "absl/strings/str_cat.h"

namespace retcon {
namespace apportion_internal {

absl::Status FieldError(absl::string_view path, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", message));
}

absl::StatusOr<int64_t> ReadNonNegative(const v1::Money& money,
                                        absl::string_view currency,
                                        PathFn path) {
  if (!money.currency_code().empty() && money.currency_code() != currency) {
    return FieldError(path(),
                      absl::StrCat("amount is in ", money.currency_code(),
                                   " but the document is in ", currency));
  }
  if (money.minor_units() < 0) {
    return FieldError(
        path(), absl::StrCat("must not be negative, got ", money.minor_units(),
                             " minor units"));
  }
  return money.minor_units();
}

absl::StatusOr<TaxRate> ReadRate(absl::string_view rate, PathFn path) {
  absl::StatusOr<TaxRate> parsed = TaxRate::Parse(rate);
  if (!parsed.ok()) return FieldError(path(), parsed.status().message());
  return parsed;
}

}  // namespace apportion_internal
}  // namespace retcon
