// One-line JSON of a message, as documents.h's ToJsonLine prints it (proto
// field names, zero values and empty lists printed), but written directly by
// reflection: protobuf 3.21's JSON printer goes through a type resolver and
// an object-writer pipeline, and was most of `retcon plan`'s time.
//
//   std::string line = JsonLine(credit_note);
//
// Messages with maps, floating point, bytes or well-known types (none of the
// posting and exception messages has any) go to ToJsonLine. With the
// environment variable RETCON_JSON_SELFCHECK=1 every line is also printed by
// ToJsonLine and a difference aborts the process (a test aid).
//
// Thread-safe.
#ifndef RETCON_EXAMPLES_RETCON_JSON_LINE_H_
#define RETCON_EXAMPLES_RETCON_JSON_LINE_H_

#include <string>

#include "google/protobuf/message.h"

namespace retcon {
namespace cli {

std::string JsonLine(const google::protobuf::Message& message);

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_JSON_LINE_H_
