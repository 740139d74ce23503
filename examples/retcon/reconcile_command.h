// `retcon reconcile`: month-end reconciliation of the returns platform
// against the ERP's credit notes and stock movements and, optionally, the
// payment gateway's refunds.
//
//   int exit_code = RunReconcile(args, std::cout, std::cerr);
//
// Thread-compatible: reads the files named in `args`, writes nothing else.
#ifndef RETCON_EXAMPLES_RETCON_RECONCILE_COMMAND_H_
#define RETCON_EXAMPLES_RETCON_RECONCILE_COMMAND_H_

#include <ostream>

#include "absl/types/span.h"

namespace retcon {
namespace cli {

// The text of `retcon reconcile --help`.
extern const char kReconcileHelp[];

// Runs `retcon reconcile` with `args` (the words after "reconcile"): the
// report to `out`, errors to `err`. Returns kExitOk (whether or not gaps
// were found), kExitError for a file that cannot be read or a malformed
// record (the message names the file, line and field), kExitUsage for bad
// flags.
int RunReconcile(absl::Span<const char* const> args, std::ostream& out,
                 std::ostream& err);

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_RECONCILE_COMMAND_H_
