// Reading and writing retcon.v1 documents as files: JSON in the protobuf JSON
// mapping, or protobuf text format. Errors name the file and the field path.
//
//   v1::SalesOrder order;
//   absl::Status status = ReadDocument("order.json", "order", &order);
//   // "order.json: order.lines[0].quantity: invalid value "x" for type ..."
//
// Thread-compatible: the functions share no state.
#ifndef RETCON_EXAMPLES_RETCON_DOCUMENTS_H_
#define RETCON_EXAMPLES_RETCON_DOCUMENTS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace retcon {
namespace cli {

enum class DocumentFormat {
  kJson,  // Protobuf JSON mapping; proto or lowerCamelCase field names.
  kText,  // Protobuf text format.
};

// The format of `path` by its extension: .textproto, .txtpb, .pbtxt and
// .prototxt are text format; anything else is JSON.
DocumentFormat FormatOf(absl::string_view path);

// Parses the file at `path` into `message`. `root` names the document in
// field paths ("order" gives "order.lines[0].quantity"), as the library's
// errors do. Unknown fields are errors: a misspelt field must not silently
// drop money.
// Errors: InvalidArgument "<path>: <field path>: <problem>" for malformed
// content ("<path>:<line>:<column>: <problem>" in text format); NotFound or
// PermissionDenied "<path>: ..." when the file cannot be read.
absl::Status ReadDocument(const std::string& path, absl::string_view root,
                          google::protobuf::Message* message);

// Rewrites a message of protobuf's JSON parser ("(lines[0].quantity):
// invalid value ...", "(customer) bar: Cannot find field.", or for a syntax
// error what it expected, then a snippet of the text with a caret under the
// spot) into "<root>.<field path>: <what>", "<root>.bar: unknown field" or
// "malformed JSON: <what>". Types are named without their type URL. The
// snippet follows, indented, only when `snippet` (for whole files; a feed's
// record is one line, which its location already gives).
std::string DescribeJsonError(absl::string_view message, absl::string_view root,
                              bool snippet);

// Writes `message` to `path` (JSON with proto field names, indented, or text
// format, by FormatOf). Errors: "<path>: ..." when it cannot be written.
absl::Status WriteDocument(const std::string& path,
                           const google::protobuf::Message& message);

// `message` as one line of JSON with proto field names; zero amounts and
// enum values are printed, not omitted.
std::string ToJsonLine(const google::protobuf::Message& message);

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_DOCUMENTS_H_
