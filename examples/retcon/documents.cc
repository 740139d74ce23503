#include "examples/retcon/documents.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"

namespace retcon {
namespace cli {
namespace {

absl::Status FileError(absl::string_view path, int error_number) {
  return absl::Status(absl::ErrnoToStatusCode(error_number),
                      absl::StrCat(path, ": ", std::strerror(error_number)));
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return FileError(path, errno);
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return FileError(path, errno);
  return content.str();
}

// Keeps the first error of the text-format parser, with its position.
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (!message_.empty()) return;
    // The parser counts from 0; editors count from 1.
    message_ = absl::StrCat(line + 1, ":", column + 1, ": ", message);
  }
  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

absl::Status ParseText(const std::string& path, const std::string& content,
                       google::protobuf::Message* message) {
  google::protobuf::TextFormat::Parser parser;
  FirstError error;
  parser.RecordErrorsTo(&error);
  if (parser.ParseFromString(content, message)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(path, ":", error.message()));
}

absl::Status ParseJson(const std::string& path, absl::string_view root,
                       const std::string& content,
                       google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status =
      google::protobuf::util::JsonStringToMessage(content, message, options);
  if (status.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      path, ": ",
      DescribeJsonError(
          absl::string_view(status.message().data(), status.message().size()),
          root, /*snippet=*/true)));
}

}  // namespace

std::string DescribeJsonError(absl::string_view message, absl::string_view root,
                              bool snippet) {
  auto join = [root](absl::string_view sub) {
    if (root.empty()) return std::string(sub);
    if (sub.empty()) return std::string(root);
    return absl::StrCat(root, ".", sub);
  };
  std::string path;
  bool located = false;
  if (absl::ConsumePrefix(&message, "(")) {
    const size_t close = message.find(')');
    if (close != absl::string_view::npos) {
      path = join(message.substr(0, close));
      message.remove_prefix(close + 1);
      absl::ConsumePrefix(&message, ":");
      message = absl::StripLeadingAsciiWhitespace(message);
      located = true;
    }
  }
  absl::string_view field = message;
  if (absl::ConsumeSuffix(&field, ": Cannot find field.")) {
    return absl::StrCat(located ? path : std::string(root),
                        located || !root.empty() ? "." : "", field,
                        ": unknown field");
  }
  // The parser's messages hold a newline and a caret line after the first;
  // a type is named by its type URL.
  const size_t newline = message.find('\n');
  const absl::string_view first = message.substr(0, newline);
  const std::string what =
      absl::StrReplaceAll(first, {{"type.googleapis.com/", ""}});
  if (located) {
    return absl::StrCat(path.empty() ? "(record)" : path, ": ", what);
  }
  if (absl::StrContains(what, "Root element must be a message")) {
    return "expected a JSON object";
  }
  absl::string_view rest = what;
  absl::ConsumePrefix(&rest, ": ");
  std::string out = absl::StrCat("malformed JSON: ", rest);
  if (snippet && newline != absl::string_view::npos) {
    absl::StrAppend(
        &out, "\n    ",
        absl::StrReplaceAll(message.substr(newline + 1), {{"\n", "\n    "}}));
  }
  return out;
}

DocumentFormat FormatOf(absl::string_view path) {
  for (absl::string_view ext :
       {".textproto", ".txtpb", ".pbtxt", ".prototxt"}) {
    if (absl::EndsWith(path, ext)) return DocumentFormat::kText;
  }
  return DocumentFormat::kJson;
}

absl::Status ReadDocument(const std::string& path, absl::string_view root,
                          google::protobuf::Message* message) {
  absl::StatusOr<std::string> content = ReadFile(path);
  if (!content.ok()) return content.status();
  message->Clear();
  if (FormatOf(path) == DocumentFormat::kText) {
    return ParseText(path, *content, message);
  }
  return ParseJson(path, root, *content, message);
}

absl::Status WriteDocument(const std::string& path,
                           const google::protobuf::Message& message) {
  std::string content;
  if (FormatOf(path) == DocumentFormat::kText) {
    google::protobuf::TextFormat::PrintToString(message, &content);
  } else {
    google::protobuf::util::JsonPrintOptions options;
    options.add_whitespace = true;
    options.preserve_proto_field_names = true;
    auto status =
        google::protobuf::util::MessageToJsonString(message, &content, options);
    if (!status.ok()) {
      return absl::InternalError(absl::StrCat(path, ": ", status.ToString()));
    }
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return FileError(path, errno);
  out << content;
  out.close();
  if (!out) return FileError(path, errno);
  return absl::OkStatus();
}

std::string ToJsonLine(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  // Printing a valid message cannot fail: every type here is known.
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

}  // namespace cli
}  // namespace retcon
