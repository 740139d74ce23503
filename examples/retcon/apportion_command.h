// `retcon apportion`: the reference calculator. Given a sales order, what
// returning some of its units refunds, per line and in total.
//
//   int exit_code = RunApportion(args, std::cout, std::cerr);
//
// Thread-compatible: reads the files named in `args`, writes only the
// --history-out file.
#ifndef RETCON_EXAMPLES_RETCON_APPORTION_COMMAND_H_
#define RETCON_EXAMPLES_RETCON_APPORTION_COMMAND_H_

#include <ostream>

#include "absl/types/span.h"

namespace retcon {
namespace cli {

// The text of `retcon apportion --help`.
extern const char kApportionHelp[];

// Runs `retcon apportion` with `args` (the words after "apportion"): results
// to `out`, errors to `err`. Returns an ExitCode: kExitOk, kExitError for a
// bad file or a refund the library rejects (the message names the file or
// flag and the field path), kExitUsage for bad flags.
int RunApportion(absl::Span<const char* const> args, std::ostream& out,
                 std::ostream& err);

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_APPORTION_COMMAND_H_
