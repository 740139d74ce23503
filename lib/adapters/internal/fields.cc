#include "lib/adapters/internal/fields.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "lib/internal/status_macros.h"
#include "retcon/money.h"

namespace retcon {
namespace adapters_internal {
namespace {

bool IsDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

absl::Status WrongType(const JsonValue& value, absl::string_view expected,
                       const Path& path) {
  return FieldError(path, absl::StrCat("expected ", expected, ", got ",
                                       JsonTypeName(value.type())));
}

}  // namespace

std::string Quoted(absl::string_view text) {
  constexpr size_t kMax = 40;  // Long values are cut in messages.
  if (text.size() > kMax)
    return absl::StrCat("\"", text.substr(0, kMax), "...\"");
  return absl::StrCat("\"", text, "\"");
}

std::string Path::ToString() const {
  std::vector<const Path*> steps;
  for (const Path* p = this; p->parent_ != nullptr; p = p->parent_) {
    steps.push_back(p);
  }
  std::string out;
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    if ((*it)->index_ >= 0) {
      absl::StrAppend(&out, "[", (*it)->index_, "]");
    } else {
      absl::StrAppend(&out, out.empty() ? "" : ".", (*it)->key_);
    }
  }
  if (out.empty() || out[0] == '[') out.insert(0, "$");
  return out;
}

absl::Status FieldError(const Path& path, absl::string_view reason) {
  return absl::InvalidArgumentError(
      absl::StrCat(path.ToString(), ": ", reason));
}

absl::Status MissingField(const Path& path) {
  return FieldError(path, "required field is missing");
}

const JsonValue* Member(const JsonValue* object, absl::string_view key) {
  if (object == nullptr) return nullptr;
  const JsonValue* value = object->Find(key);
  if (value == nullptr || value->is_null()) return nullptr;
  return value;
}

absl::StatusOr<const JsonValue*> RequiredMember(const JsonValue& object,
                                                absl::string_view key,
                                                const Path& object_path) {
  const JsonValue* value = Member(&object, key);
  if (value == nullptr) return MissingField(object_path.Key(key));
  return value;
}

absl::Status ExpectType(const JsonValue& value, JsonType type,
                        const Path& path) {
  if (value.type() == type) return absl::OkStatus();
  const absl::string_view name = JsonTypeName(type);
  return WrongType(
      value,
      absl::StrCat(
          type == JsonType::kArray || type == JsonType::kObject ? "an " : "a ",
          name),
      path);
}

absl::StatusOr<std::string> ReadId(const JsonValue& value, const Path& path) {
  if (value.type() == JsonType::kString) {
    absl::string_view id = absl::StripAsciiWhitespace(value.text());
    if (id.empty()) return FieldError(path, "must not be empty");
    return std::string(id);
  }
  if (value.type() == JsonType::kNumber) {
    if (!IsDigits(value.text())) {
      return FieldError(path, absl::StrCat(value.text(),
                                           " is not an id (expected a string "
                                           "or a whole non-negative number)"));
    }
    return std::string(value.text());
  }
  return WrongType(value, "an id (string or number)", path);
}

absl::StatusOr<std::string> ReadShopifyId(const JsonValue& value,
                                          const Path& path) {
  RETCON_ASSIGN_OR_RETURN(std::string id, ReadId(value, path));
  constexpr absl::string_view kGid = "gid://shopify/";
  if (!absl::StartsWith(id, kGid)) return id;
  absl::string_view rest = absl::string_view(id).substr(kGid.size());
  rest = rest.substr(0, rest.find('?'));  // "?session=..." suffixes.
  const size_t slash = rest.find('/');
  absl::string_view number =
      slash == absl::string_view::npos ? "" : rest.substr(slash + 1);
  if (!IsDigits(number)) {
    return FieldError(path, absl::StrCat(Quoted(id),
                                         " is not a Shopify id (expected "
                                         "gid://shopify/<Type>/<number>)"));
  }
  return std::string(number);
}

absl::StatusOr<absl::string_view> ReadText(const JsonValue& value,
                                           const Path& path) {
  if (value.type() == JsonType::kString || value.type() == JsonType::kNumber) {
    return value.text();
  }
  return WrongType(value, "a string", path);
}

absl::StatusOr<bool> ReadBool(const JsonValue& value, const Path& path) {
  if (value.type() == JsonType::kBool) return value.bool_value();
  absl::string_view text = value.text();
  if (value.type() == JsonType::kNumber) {
    if (text == "1") return true;
    if (text == "0") return false;
    return FieldError(path, absl::StrCat(text,
                                         " is not a boolean (expected "
                                         "true, false, 0 or 1)"));
  }
  if (value.type() == JsonType::kString) {
    text = absl::StripAsciiWhitespace(text);
    if (absl::EqualsIgnoreCase(text, "true") || text == "1") return true;
    if (absl::EqualsIgnoreCase(text, "false") || text == "0") return false;
    return FieldError(path, absl::StrCat(Quoted(value.text()),
                                         " is not a boolean (expected true, "
                                         "false, 0 or 1)"));
  }
  return WrongType(value, "a boolean", path);
}

absl::StatusOr<int64_t> ReadInteger(const JsonValue& value, const Path& path) {
  if (value.type() != JsonType::kNumber && value.type() != JsonType::kString) {
    return WrongType(value, "a whole number", path);
  }
  absl::string_view text = absl::StripAsciiWhitespace(value.text());
  int64_t n;
  // Digits only (with an optional '-'): "2.0" or "2e0" are not counts.
  absl::string_view digits = text;
  if (!digits.empty() && digits[0] == '-') digits.remove_prefix(1);
  if (!IsDigits(digits) || !absl::SimpleAtoi(text, &n)) {
    return FieldError(path, absl::StrCat(value.type() == JsonType::kString
                                             ? Quoted(value.text())
                                             : std::string(value.text()),
                                         " is not a whole number"));
  }
  return n;
}

absl::StatusOr<google::protobuf::Timestamp> ReadTimestamp(
    const JsonValue& value, const Path& path) {
  if (value.type() != JsonType::kString) {
    return WrongType(value, "an ISO-8601 time string", path);
  }
  const std::string text(absl::StripAsciiWhitespace(value.text()));
  absl::Time time;
  std::string err;
  // RFC 3339 with a zone (also "+0100"); else a local form taken as UTC;
  // else a date.
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &err) &&
      !absl::ParseTime("%Y-%m-%dT%H:%M:%E*S%z", text, &time, &err) &&
      !absl::ParseTime("%Y-%m-%dT%H:%M:%E*S", text, absl::UTCTimeZone(), &time,
                       &err) &&
      !absl::ParseTime("%Y-%m-%d %H:%M:%E*S", text, absl::UTCTimeZone(), &time,
                       &err) &&
      !absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &time, &err)) {
    return FieldError(path, absl::StrCat(Quoted(value.text()),
                                         " is not an ISO-8601 time (expected "
                                         "e.g. 2025-03-15T19:05:12Z)"));
  }
  const int64_t seconds = absl::ToUnixSeconds(time);
  // google.protobuf.Timestamp's range: years 0001..9999.
  if (seconds < -62135596800 || seconds > 253402300799) {
    return FieldError(path, absl::StrCat(Quoted(value.text()),
                                         " is outside years 0001..9999"));
  }
  google::protobuf::Timestamp out;
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
  return out;
}

absl::StatusOr<std::string> ShiftDecimal(absl::string_view number, int shift) {
  const auto malformed = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat(Quoted(number), " is not a decimal number"));
  };
  size_t pos = 0;
  bool negative = false;
  if (pos < number.size() && (number[pos] == '-' || number[pos] == '+')) {
    negative = number[pos] == '-';
    ++pos;
  }
  std::string digits;  // Mantissa digits without the point.
  int point = 0;       // Digits before the point.
  bool seen_point = false, any_digit = false;
  for (; pos < number.size(); ++pos) {
    const char c = number[pos];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
      any_digit = true;
      if (!seen_point) ++point;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!any_digit || (seen_point && digits.size() == static_cast<size_t>(point)))
    return malformed();
  if (pos < number.size()) {
    if (number[pos] != 'e' && number[pos] != 'E') return malformed();
    int exponent;
    absl::string_view exp_text = number.substr(pos + 1);
    // One optional sign, then digits.
    if (!exp_text.empty() && exp_text[0] == '+') exp_text.remove_prefix(1);
    const bool exp_negative = !exp_text.empty() && exp_text[0] == '-';
    if (exp_negative && number[pos + 1] == '+') return malformed();
    const absl::string_view exp_digits =
        exp_negative ? exp_text.substr(1) : exp_text;
    if (!IsDigits(exp_digits) || !absl::SimpleAtoi(exp_text, &exponent)) {
      return malformed();
    }
    if (exponent > 40 || exponent < -40) {
      return absl::InvalidArgumentError(
          absl::StrCat(Quoted(number), " has an exponent beyond +/-40"));
    }
    shift += exponent;
  }
  point += shift;
  // Place the point at `point` (may be outside the digits).
  if (point < 0) {
    digits.insert(0, static_cast<size_t>(-point), '0');
    point = 0;
  }
  if (static_cast<size_t>(point) > digits.size()) {
    digits.append(point - digits.size(), '0');
  }
  std::string integer = digits.substr(0, point);
  std::string fraction = digits.substr(point);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  size_t lead = 0;
  while (lead + 1 < integer.size() && integer[lead] == '0') ++lead;
  integer.erase(0, lead);
  if (integer.empty()) integer = "0";
  std::string out = negative ? "-" : "";
  absl::StrAppend(&out, integer);
  if (!fraction.empty()) absl::StrAppend(&out, ".", fraction);
  if (out == "-0") out = "0";
  return out;
}

absl::Status ReadMoney(const JsonValue& amount, const Path& path,
                       absl::string_view currency_code,
                       const Path& currency_path, v1::Money* money) {
  if (amount.type() != JsonType::kString &&
      amount.type() != JsonType::kNumber) {
    return WrongType(amount, "a decimal amount (string or number)", path);
  }
  absl::StatusOr<int> exponent = CurrencyExponent(currency_code);
  if (!exponent.ok()) {
    return FieldError(currency_path,
                      absl::StrCat(Quoted(currency_code),
                                   " is not an ISO 4217 currency code"));
  }
  absl::string_view text = absl::StripAsciiWhitespace(amount.text());
  std::string plain;
  if (amount.type() == JsonType::kNumber &&
      text.find_first_of("eE") != absl::string_view::npos) {
    absl::StatusOr<std::string> shifted = ShiftDecimal(text, 0);
    if (!shifted.ok()) return FieldError(path, shifted.status().message());
    plain = *std::move(shifted);
    text = plain;
  }
  absl::StatusOr<int64_t> minor = ParseMinorUnits(text, *exponent);
  if (!minor.ok()) {
    return FieldError(
        path, absl::StrCat(minor.status().message(), " (", currency_code, ")"));
  }
  if (*minor < 0) {
    return FieldError(path, absl::StrCat(Quoted(amount.text()),
                                         " is negative; amounts here are "
                                         "never negative"));
  }
  money->set_currency_code(std::string(currency_code));
  money->set_minor_units(*minor);
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFractionAsPercent(const JsonValue& value,
                                                  const Path& path) {
  if (value.type() != JsonType::kString && value.type() != JsonType::kNumber) {
    return WrongType(value, "a rate (number)", path);
  }
  absl::StatusOr<std::string> percent =
      ShiftDecimal(absl::StripAsciiWhitespace(value.text()), 2);
  if (!percent.ok()) {
    return FieldError(path, percent.status().message());
  }
  if (!percent->empty() && (*percent)[0] == '-') {
    return FieldError(path,
                      absl::StrCat(value.text(), " is a negative tax rate"));
  }
  return *percent;
}

}  // namespace adapters_internal
}  // namespace retcon
