#include "examples/retcon/json_line.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "examples/retcon/documents.h"
#include "google/protobuf/descriptor.h"

namespace retcon {
namespace cli {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Whether every field under `d` is of a kind this printer handles.
bool Supported(const Descriptor* d, std::map<const Descriptor*, bool>* seen) {
  auto [it, added] = seen->emplace(d, true);
  if (!added) return it->second;
  bool ok = d->file()->package() != "google.protobuf";
  for (int i = 0; ok && i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT:
        ok = false;
        break;
      case FieldDescriptor::CPPTYPE_STRING:
        ok = f->type() != FieldDescriptor::TYPE_BYTES;
        break;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        ok = !f->is_map() && Supported(f->message_type(), seen);
        break;
      default:
        break;
    }
  }
  (*seen)[d] = ok;
  return ok;
}

bool IsSupported(const Descriptor* d) {
  static std::mutex* mu = new std::mutex;
  static auto* cache = new std::map<const Descriptor*, bool>;
  std::lock_guard<std::mutex> lock(*mu);
  return Supported(d, cache);
}

// As protobuf's JSON escaping: '"' and '\\', control characters, DEL, '<',
// '>', U+2028 and U+2029 escaped; other UTF-8 as it is.
void AppendString(const std::string& s, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out->append("\\\"");
        continue;
      case '\\':
        out->append("\\\\");
        continue;
      case '\b':
        out->append("\\b");
        continue;
      case '\f':
        out->append("\\f");
        continue;
      case '\n':
        out->append("\\n");
        continue;
      case '\r':
        out->append("\\r");
        continue;
      case '\t':
        out->append("\\t");
        continue;
      case '<':
      case '>':
      case 0x7f:
        break;
      default:
        if (c >= 0x20) {
          // U+2028 / U+2029: E2 80 A8 / E2 80 A9.
          if (c == 0xE2 && i + 2 < s.size() &&
              static_cast<unsigned char>(s[i + 1]) == 0x80 &&
              (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
               static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
            out->append(s[i + 2] == static_cast<char>(0xA8) ? "\\u2028"
                                                            : "\\u2029");
            i += 2;
            continue;
          }
          out->push_back(static_cast<char>(c));
          continue;
        }
    }
    char buffer[8];
    std::snprintf(buffer, sizeof(buffer), "\\u%04x", c);
    out->append(buffer);
  }
  out->push_back('"');
}

void AppendMessage(const Message& m, std::string* out);

void AppendValue(const Message& m, const Reflection& r,
                 const FieldDescriptor* f, int index, std::string* out) {
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      absl::StrAppend(out,
                      rep ? r.GetRepeatedInt32(m, f, index) : r.GetInt32(m, f));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      absl::StrAppend(
          out, rep ? r.GetRepeatedUInt32(m, f, index) : r.GetUInt32(m, f));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      absl::StrAppend(out, "\"",
                      rep ? r.GetRepeatedInt64(m, f, index) : r.GetInt64(m, f),
                      "\"");
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      absl::StrAppend(
          out, "\"", rep ? r.GetRepeatedUInt64(m, f, index) : r.GetUInt64(m, f),
          "\"");
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      out->append((rep ? r.GetRepeatedBool(m, f, index) : r.GetBool(m, f))
                      ? "true"
                      : "false");
      break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number =
          rep ? r.GetRepeatedEnumValue(m, f, index) : r.GetEnumValue(m, f);
      const auto* value = f->enum_type()->FindValueByNumber(number);
      if (value != nullptr) {
        AppendString(value->name(), out);
      } else {
        absl::StrAppend(out, number);
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      AppendString(rep ? r.GetRepeatedStringReference(m, f, index, &scratch)
                       : r.GetStringReference(m, f, &scratch),
                   out);
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      AppendMessage(
          rep ? r.GetRepeatedMessage(m, f, index) : r.GetMessage(m, f), out);
      break;
    default:
      break;  // Excluded by IsSupported.
  }
}

void AppendMessage(const Message& m, std::string* out) {
  const Descriptor* d = m.GetDescriptor();
  const Reflection& r = *m.GetReflection();
  out->push_back('{');
  bool first = true;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    const bool print = f->is_repeated()    ? true
                       : f->has_presence() ? r.HasField(m, f)
                                           : true;
    if (!print) continue;
    if (!first) out->push_back(',');
    first = false;
    absl::StrAppend(out, "\"", f->name(), "\":");
    if (f->is_repeated()) {
      out->push_back('[');
      const int n = r.FieldSize(m, f);
      for (int k = 0; k < n; ++k) {
        if (k > 0) out->push_back(',');
        AppendValue(m, r, f, k, out);
      }
      out->push_back(']');
    } else {
      AppendValue(m, r, f, -1, out);
    }
  }
  out->push_back('}');
}

}  // namespace

std::string JsonLine(const Message& message) {
  if (!IsSupported(message.GetDescriptor())) return ToJsonLine(message);
  std::string json;
  AppendMessage(message, &json);
  static const bool self_check = [] {
    const char* v = std::getenv("RETCON_JSON_SELFCHECK");
    return v != nullptr && v[0] == '1';
  }();
  if (self_check) {
    const std::string reference = ToJsonLine(message);
    if (reference != json) {
      std::fprintf(stderr, "JsonLine differs from ToJsonLine:\n%s\n%s\n",
                   json.c_str(), reference.c_str());
      std::abort();
    }
  }
  return json;
}

}  // namespace cli
}  // namespace retcon
