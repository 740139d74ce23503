// Calendar dates as retcon's inputs write them: "YYYY-MM-DD", four digits
// of year (0000-9999), two of month and day, a real day of the proleptic
// Gregorian calendar. One reading for the rules' effective periods and
// as-of dates and for reconciliation's document dates. Fixed width, so such
// dates compare as text in calendar order.
#ifndef RETCON_LIB_INTERNAL_ISO_DATE_H_
#define RETCON_LIB_INTERNAL_ISO_DATE_H_

#include <cstdint>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"

namespace retcon {
namespace internal {

// Days from 1970-01-01 to year-month-day (proleptic Gregorian; H. Hinnant's
// days_from_civil). REQUIRES: a real day.
inline int32_t DaysFromCivil(int32_t y, uint32_t m, uint32_t d) {
  y -= m <= 2;
  const int32_t era = (y >= 0 ? y : y - 399) / 400;
  const uint32_t yoe = static_cast<uint32_t>(y - era * 400);
  const uint32_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int32_t>(doe) - 719468;
}

// Days from 1970-01-01 to the date `text`; nullopt when `text` is not such
// a date ("2026-1-01", "2026-02-30", " 2026-01-01" and "" are not).
inline std::optional<int32_t> IsoDateDays(absl::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return std::nullopt;
  }
  int32_t parts[3] = {0, 0, 0};
  constexpr int kStarts[3] = {0, 5, 8};
  constexpr int kLengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (int i = 0; i < kLengths[p]; ++i) {
      const char c = text[kStarts[p] + i];
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
        return std::nullopt;
      }
      parts[p] = parts[p] * 10 + (c - '0');
    }
  }
  const int32_t year = parts[0], month = parts[1], day = parts[2];
  constexpr int kDays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) {
    return std::nullopt;
  }
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return std::nullopt;
  return DaysFromCivil(year, static_cast<uint32_t>(month),
                       static_cast<uint32_t>(day));
}

inline bool IsIsoDate(absl::string_view text) {
  return IsoDateDays(text).has_value();
}

}  // namespace internal
}  // namespace retcon

#endif  // RETCON_LIB_INTERNAL_ISO_DATE_H_
