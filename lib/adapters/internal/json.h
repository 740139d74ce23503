// A small, strict JSON reader for the adapters.
//
//   absl::StatusOr<JsonDocument> doc = JsonDocument::Parse(text);
//   if (!doc.ok()) return doc.status();  // "$: not valid JSON at offset 118:
//   ..." const JsonValue& root = doc->root(); if (const JsonValue* id =
//   root.Find("rmaId")) id->text();
//
// RFC 8259, strictly: no comments, no trailing commas, no NaN, no leading
// zeros, no control characters or invalid UTF-8 in strings (a leading UTF-8
// byte order mark is skipped). Numbers are kept
// as their raw text (amounts never go through a double); strings are decoded
// (\u escapes, surrogate pairs). Nesting is limited to kMaxDepth levels.
// Duplicate keys in one object are an error: which one a payload meant is a
// guess. Syntax errors name the byte offset and the path being read
// ("items[2].paidPrice: not valid JSON at offset 118: expected ',' or '}'").
//
// A JsonDocument refers to the text it was parsed from (strings without
// escapes are views into it): REQUIRES the text to outlive the document.
// Thread-compatible; an immutable document may be read from any thread.
#ifndef RETCON_LIB_ADAPTERS_INTERNAL_JSON_H_
#define RETCON_LIB_ADAPTERS_INTERNAL_JSON_H_

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace retcon {
namespace adapters_internal {

enum class JsonType { kNull, kBool, kNumber, kString, kArray, kObject };

// "null", "boolean", "number", "string", "array", "object".
absl::string_view JsonTypeName(JsonType type);

// One value of a parsed document.
class JsonValue {
 public:
  JsonType type() const { return type_; }
  bool is_null() const { return type_ == JsonType::kNull; }
  bool is_object() const { return type_ == JsonType::kObject; }
  bool is_array() const { return type_ == JsonType::kArray; }
  // kBool only.
  bool bool_value() const { return bool_; }
  // kNumber: the number exactly as written ("12.50", "-3e2"); kString: the
  // decoded string. Empty for other types.
  absl::string_view text() const { return text_; }
  // Byte offset of the value in the document.
  size_t offset() const { return offset_; }

  // Elements of an array, or member values of an object, in document order.
  size_t size() const { return elements_.size(); }
  const JsonValue& element(size_t i) const { return elements_[i]; }
  // The key of member i of an object.
  absl::string_view key(size_t i) const { return keys_[i]; }
  // The member named `key` of an object; null when absent or not an object.
  const JsonValue* Find(absl::string_view key) const;

 private:
  friend class JsonParser;
  JsonType type_ = JsonType::kNull;
  bool bool_ = false;
  size_t offset_ = 0;
  absl::string_view text_;
  std::vector<JsonValue> elements_;
  std::vector<absl::string_view> keys_;  // Objects only; parallel to elements_.
};

// A parsed JSON text. Movable; the values stay where they are when moved.
class JsonDocument {
 public:
  // Deepest nesting of arrays and objects accepted.
  static constexpr int kMaxDepth = 64;

  // Parses `text` (one JSON value, surrounded by optional whitespace).
  // Errors: InvalidArgument "<path>: not valid JSON at offset N: <reason>",
  // where <path> is the JSON path being read ("$" at the top).
  static absl::StatusOr<JsonDocument> Parse(absl::string_view text);

  const JsonValue& root() const { return *root_; }

 private:
  friend class JsonParser;
  JsonDocument() = default;
  std::unique_ptr<JsonValue> root_;
  // Decoded strings that had escapes; deque: their addresses are stable.
  std::unique_ptr<std::deque<std::string>> decoded_;
};

}  // namespace adapters_internal
}  // namespace retcon

#endif  // RETCON_LIB_ADAPTERS_INTERNAL_JSON_H_
