#include "lib/adapters/internal/json.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace retcon {
namespace adapters_internal {

absl::string_view JsonTypeName(JsonType type) {
  switch (type) {
    case JsonType::kNull:
      return "null";
    case JsonType::kBool:
      return "boolean";
    case JsonType::kNumber:
      return "number";
    case JsonType::kString:
      return "string";
    case JsonType::kArray:
      return "array";
    case JsonType::kObject:
      return "object";
  }
  return "value";
}

const JsonValue* JsonValue::Find(absl::string_view key) const {
  if (type_ != JsonType::kObject) return nullptr;
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == key) return &elements_[i];
  }
  return nullptr;
}

// Recursive descent over the text; one instance per Parse().
class JsonParser {
 public:
  JsonParser(absl::string_view text, std::deque<std::string>* decoded)
      : text_(text), decoded_(decoded) {}

  absl::Status ParseDocument(JsonValue* root) {
    // A UTF-8 byte order mark, which some exporters write, is skipped
    // (RFC 8259 section 8.1 lets a parser ignore it).
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    SkipSpace();
    if (!ParseValue(root, 0)) return error_;
    SkipSpace();
    if (pos_ != text_.size()) {
      Fail("unexpected text after the JSON value");
      return error_;
    }
    return absl::OkStatus();
  }

 private:
  // Where the parser is, for the path of an error.
  struct Step {
    const std::vector<absl::string_view>* keys;  // Object keys, or null.
    size_t index;
  };

  bool Fail(absl::string_view reason) { return FailAt(pos_, reason); }
  bool FailAt(size_t offset, absl::string_view reason) {
    std::string path;
    for (const Step& step : path_) {
      if (step.keys == nullptr) {
        absl::StrAppend(&path, "[", step.index, "]");
      } else if (step.index < step.keys->size()) {
        absl::StrAppend(&path, path.empty() ? "" : ".",
                        (*step.keys)[step.index]);
      }
    }
    if (path.empty() || path[0] == '[') path.insert(0, "$");
    error_ = absl::InvalidArgumentError(absl::StrCat(
        path, ": not valid JSON at offset ", offset, ": ", reason));
    return false;
  }

  void SkipSpace() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') break;
      ++pos_;
    }
  }

  bool AtEnd() const { return pos_ >= text_.size(); }

  bool ParseValue(JsonValue* out, int depth) {
    if (AtEnd()) return Fail("unexpected end of input, expected a value");
    out->offset_ = pos_;
    switch (text_[pos_]) {
      case '{':
        return ParseObject(out, depth + 1);
      case '[':
        return ParseArray(out, depth + 1);
      case '"':
        out->type_ = JsonType::kString;
        return ParseString(&out->text_);
      case 't':
        out->type_ = JsonType::kBool;
        out->bool_ = true;
        return ParseLiteral("true");
      case 'f':
        out->type_ = JsonType::kBool;
        return ParseLiteral("false");
      case 'n':
        out->type_ = JsonType::kNull;
        return ParseLiteral("null");
      default:
        out->type_ = JsonType::kNumber;
        return ParseNumber(&out->text_);
    }
  }

  bool ParseLiteral(absl::string_view word) {
    if (text_.substr(pos_, word.size()) != word) {
      return Fail(
          "expected a value (object, array, string, number, true, "
          "false or null)");
    }
    pos_ += word.size();
    return true;
  }

  bool ParseDigits() {
    size_t start = pos_;
    while (!AtEnd() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool ParseNumber(absl::string_view* out) {
    const size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    if (AtEnd() || text_[pos_] < '0' || text_[pos_] > '9') {
      return start == pos_ ? Fail(
                                 "expected a value (object, array, string, "
                                 "number, true, false or null)")
                           : Fail("expected a digit after '-'");
    }
    if (text_[pos_] == '0') {
      ++pos_;
      if (!AtEnd() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        return Fail("leading zeros are not allowed in a number");
      }
    } else {
      ParseDigits();
    }
    if (!AtEnd() && text_[pos_] == '.') {
      ++pos_;
      if (!ParseDigits()) return Fail("expected a digit after '.'");
    }
    if (!AtEnd() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (!AtEnd() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!ParseDigits()) return Fail("expected a digit in the exponent");
    }
    *out = text_.substr(start, pos_ - start);
    return true;
  }

  static bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

  // Length of the valid UTF-8 sequence at pos_, or 0 (overlong forms,
  // surrogates and code points above U+10FFFF are invalid).
  size_t Utf8Length() const {
    const auto* s = reinterpret_cast<const unsigned char*>(text_.data());
    const size_t n = text_.size();
    const size_t p = pos_;
    unsigned char c = s[p];
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) {
      return p + 1 < n && IsContinuation(s[p + 1]) ? 2 : 0;
    }
    if (c >= 0xE0 && c <= 0xEF) {
      if (p + 2 >= n || !IsContinuation(s[p + 1]) || !IsContinuation(s[p + 2]))
        return 0;
      if (c == 0xE0 && s[p + 1] < 0xA0) return 0;   // Overlong.
      if (c == 0xED && s[p + 1] >= 0xA0) return 0;  // Surrogate.
      return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
      if (p + 3 >= n || !IsContinuation(s[p + 1]) ||
          !IsContinuation(s[p + 2]) || !IsContinuation(s[p + 3]))
        return 0;
      if (c == 0xF0 && s[p + 1] < 0x90) return 0;   // Overlong.
      if (c == 0xF4 && s[p + 1] >= 0x90) return 0;  // Above U+10FFFF.
      return 4;
    }
    return 0;
  }

  // Four hex digits at pos_ (after "\u").
  bool ParseHex4(uint32_t* out) {
    if (pos_ + 4 > text_.size()) {
      return Fail("expected four hex digits after \\u");
    }
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_ + i];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        v |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        v |= c - 'A' + 10;
      } else {
        return Fail("expected four hex digits after \\u");
      }
    }
    pos_ += 4;
    *out = v;
    return true;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // An escape at pos_ (just after the backslash), appended to `out`.
  bool ParseEscape(std::string* out) {
    if (AtEnd()) return Fail("unterminated string");
    const char c = text_[pos_++];
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out->push_back(c);
        return true;
      case 'b':
        out->push_back('\b');
        return true;
      case 'f':
        out->push_back('\f');
        return true;
      case 'n':
        out->push_back('\n');
        return true;
      case 'r':
        out->push_back('\r');
        return true;
      case 't':
        out->push_back('\t');
        return true;
      case 'u':
        break;
      default:
        --pos_;
        return Fail("invalid escape in string");
    }
    const size_t escape_start = pos_ - 2;
    uint32_t cp = 0;
    if (!ParseHex4(&cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return FailAt(escape_start, "unpaired low surrogate in \\u escape");
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low = 0;
      if (text_.substr(pos_, 2) != "\\u") {
        return FailAt(escape_start, "unpaired high surrogate in \\u escape");
      }
      pos_ += 2;
      if (!ParseHex4(&low)) return false;
      if (low < 0xDC00 || low > 0xDFFF) {
        return FailAt(escape_start, "unpaired high surrogate in \\u escape");
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(cp, out);
    return true;
  }

  // A string at pos_ (the opening quote). Without escapes, a view into the
  // text; otherwise decoded into decoded_.
  bool ParseString(absl::string_view* out) {
    const size_t start = ++pos_;
    std::string* decoded = nullptr;
    size_t copied = start;  // Text before this is already in `decoded`.
    while (true) {
      if (AtEnd()) return FailAt(start - 1, "unterminated string");
      const unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') break;
      if (c < 0x20) return Fail("control character in string (escape it)");
      if (c == '\\') {
        if (decoded == nullptr) {
          decoded_->emplace_back();
          decoded = &decoded_->back();
        }
        decoded->append(text_.data() + copied, pos_ - copied);
        ++pos_;
        if (!ParseEscape(decoded)) return false;
        copied = pos_;
        continue;
      }
      if (c < 0x80) {
        ++pos_;
        continue;
      }
      const size_t len = Utf8Length();
      if (len == 0) return Fail("invalid UTF-8 in string");
      pos_ += len;
    }
    if (decoded == nullptr) {
      *out = text_.substr(start, pos_ - start);
    } else {
      decoded->append(text_.data() + copied, pos_ - copied);
      *out = *decoded;
    }
    ++pos_;  // Closing quote.
    return true;
  }

  bool ParseArray(JsonValue* out, int depth) {
    if (depth > JsonDocument::kMaxDepth) {
      return Fail(absl::StrCat("nested deeper than ", JsonDocument::kMaxDepth,
                               " levels"));
    }
    out->type_ = JsonType::kArray;
    ++pos_;
    SkipSpace();
    if (!AtEnd() && text_[pos_] == ']') {
      ++pos_;
      return true;
    }
    path_.push_back(Step{nullptr, 0});
    while (true) {
      path_.back().index = out->elements_.size();
      out->elements_.emplace_back();
      SkipSpace();
      if (!ParseValue(&out->elements_.back(), depth)) return false;
      SkipSpace();
      if (AtEnd()) return Fail("unexpected end of input, expected ',' or ']'");
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (text_[pos_] == ']') break;
      return Fail("expected ',' or ']'");
    }
    ++pos_;
    path_.pop_back();
    return true;
  }

  bool ParseObject(JsonValue* out, int depth) {
    if (depth > JsonDocument::kMaxDepth) {
      return Fail(absl::StrCat("nested deeper than ", JsonDocument::kMaxDepth,
                               " levels"));
    }
    out->type_ = JsonType::kObject;
    ++pos_;
    SkipSpace();
    if (!AtEnd() && text_[pos_] == '}') {
      ++pos_;
      return true;
    }
    path_.push_back(Step{&out->keys_, 0});
    while (true) {
      SkipSpace();
      if (AtEnd()) return Fail("unexpected end of input, expected a key");
      if (text_[pos_] != '"') return Fail("expected a string key");
      const size_t key_offset = pos_;
      absl::string_view key;
      if (!ParseString(&key)) return false;
      if (IsDuplicate(*out, key)) {
        return FailAt(key_offset, absl::StrCat("duplicate key \"", key, "\""));
      }
      out->keys_.push_back(key);
      path_.back().index = out->keys_.size() - 1;
      SkipSpace();
      if (AtEnd() || text_[pos_] != ':') return Fail("expected ':'");
      ++pos_;
      SkipSpace();
      out->elements_.emplace_back();
      if (!ParseValue(&out->elements_.back(), depth)) return false;
      SkipSpace();
      if (AtEnd()) return Fail("unexpected end of input, expected ',' or '}'");
      if (text_[pos_] == ',') {
        ++pos_;
        path_.back().index = out->keys_.size();  // The object, until a key.
        continue;
      }
      if (text_[pos_] == '}') break;
      return Fail("expected ',' or '}'");
    }
    ++pos_;
    path_.pop_back();
    return CheckLargeObject(*out);
  }

  // Whether `key` is already a key of `object`. Objects are mostly small:
  // a linear scan; large ones are checked once complete (CheckLargeObject).
  static bool IsDuplicate(const JsonValue& object, absl::string_view key) {
    const std::vector<absl::string_view>& keys = object.keys_;
    if (keys.size() >= kLinearKeys) return false;
    for (absl::string_view k : keys) {
      if (k == key) return true;
    }
    return false;
  }

  bool CheckLargeObject(const JsonValue& object) {
    if (object.keys_.size() <= kLinearKeys) return true;
    absl::flat_hash_set<absl::string_view> seen;
    seen.reserve(object.keys_.size());
    for (size_t i = 0; i < object.keys_.size(); ++i) {
      if (!seen.insert(object.keys_[i]).second) {
        return FailAt(object.elements_[i].offset_,
                      absl::StrCat("duplicate key \"", object.keys_[i], "\""));
      }
    }
    return true;
  }

  static constexpr size_t kLinearKeys = 32;

  absl::string_view text_;
  std::deque<std::string>* decoded_;
  size_t pos_ = 0;
  std::vector<Step> path_;
  absl::Status error_;
};

absl::StatusOr<JsonDocument> JsonDocument::Parse(absl::string_view text) {
  JsonDocument doc;
  doc.root_ = std::make_unique<JsonValue>();
  doc.decoded_ = std::make_unique<std::deque<std::string>>();
  JsonParser parser(text, doc.decoded_.get());
  absl::Status status = parser.ParseDocument(doc.root_.get());
  if (!status.ok()) return status;
  return doc;
}

}  // namespace adapters_internal
}  // namespace retcon
