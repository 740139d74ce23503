// Typed, tolerant reads of JSON values for the adapters, each naming the JSON
// path of what it reads in its errors ("items[2].paidPrice.amount: ...").
// What the payloads send loosely is accepted here, in one place: ids as
// strings or integers, booleans as true/false, 0/1 or their strings, amounts
// as decimal strings or numbers. JSON null is treated as absent.
#ifndef RETCON_LIB_ADAPTERS_INTERNAL_FIELDS_H_
#define RETCON_LIB_ADAPTERS_INTERNAL_FIELDS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"
#include "lib/adapters/internal/json.h"
#include "retcon/v1/money.pb.h"

namespace retcon {
namespace adapters_internal {

// A JSON path, kept as a chain of steps on the stack and spelled out only
// when an error needs it. The root is "$"; its members are "rma",
// "items[2].sku". REQUIRES: the parent outlives the path.
class Path {
 public:
  Path() = default;  // The root.
  Path Key(absl::string_view key) const { return Path(this, key, -1); }
  Path Index(size_t index) const {
    return Path(this, {}, static_cast<int64_t>(index));
  }
  std::string ToString() const;

 private:
  Path(const Path* parent, absl::string_view key, int64_t index)
      : parent_(parent), key_(key), index_(index) {}
  const Path* parent_ = nullptr;
  absl::string_view key_;
  int64_t index_ = -1;  // An array index, or -1 for a key.
};

// `text` in double quotes for a message, cut after 40 characters ("...").
std::string Quoted(absl::string_view text);

// "<path>: <reason>" as InvalidArgument.
absl::Status FieldError(const Path& path, absl::string_view reason);
// "<path>: required field is missing".
absl::Status MissingField(const Path& path);

// The member `key` of `object`; null when `object` is null, not an object,
// lacks the member or has it as JSON null.
const JsonValue* Member(const JsonValue* object, absl::string_view key);

// The member `key` of `object` as Member(), or the missing-field error.
absl::StatusOr<const JsonValue*> RequiredMember(const JsonValue& object,
                                                absl::string_view key,
                                                const Path& object_path);

// InvalidArgument "<path>: expected <type>, got <type>" unless `value` is of
// `type`.
absl::Status ExpectType(const JsonValue& value, JsonType type,
                        const Path& path);

// An id: a string (as is, not empty) or a non-negative integer number (its
// digits).
absl::StatusOr<std::string> ReadId(const JsonValue& value, const Path& path);
// A Shopify id: as ReadId, and a GraphQL global id
// ("gid://shopify/LineItem/13711044001001") is read as its numeric part, so
// that REST and GraphQL payloads name a line the same way.
absl::StatusOr<std::string> ReadShopifyId(const JsonValue& value,
                                          const Path& path);
// Text: a string, or a number's text (a SKU sent as 12345).
absl::StatusOr<absl::string_view> ReadText(const JsonValue& value,
                                           const Path& path);
// A boolean: true/false, the numbers 0/1, or the strings "true"/"false"/
// "1"/"0" (any case).
absl::StatusOr<bool> ReadBool(const JsonValue& value, const Path& path);
// A whole number, as a number or a string of digits.
absl::StatusOr<int64_t> ReadInteger(const JsonValue& value, const Path& path);
// An ISO-8601 / RFC 3339 time: "2025-03-15T19:05:12Z", with an offset
// ("+01:00" or "+0100") or fractional seconds; without a zone it is taken as
// UTC; a date alone is midnight UTC.
absl::StatusOr<google::protobuf::Timestamp> ReadTimestamp(
    const JsonValue& value, const Path& path);

// Sets `money` to `amount` (a string or number holding a decimal amount) of
// `currency_code`, exactly. Errors name `path` for a value that is not a
// decimal amount, is negative, or has more decimals than the currency has,
// and `currency_path` for a code that is not an ISO 4217 currency.
absl::Status ReadMoney(const JsonValue& amount, const Path& path,
                       absl::string_view currency_code,
                       const Path& currency_path, v1::Money* money);

// A tax rate given as a fraction (Shopify's 0.2, 0.175) as retcon's exact
// decimal percentage string ("20", "17.5"), shifting the decimal text; never
// through a double.
absl::StatusOr<std::string> ReadFractionAsPercent(const JsonValue& value,
                                                  const Path& path);

// The plain decimal form of `number` (JSON number text, perhaps with an
// exponent) multiplied by 10^shift: ("0.2", 2) -> "20", ("1.5e2", 0) ->
// "150", ("0.075", 2) -> "7.5". Trailing fractional zeros are dropped.
// Errors: InvalidArgument for text that is not a decimal number.
absl::StatusOr<std::string> ShiftDecimal(absl::string_view number, int shift);

}  // namespace adapters_internal
}  // namespace retcon

#endif  // RETCON_LIB_ADAPTERS_INTERNAL_FIELDS_H_
