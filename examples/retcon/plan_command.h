// `retcon plan`: the batch run. Plans every return of a feed against its
// order, with the rules and the catalog; writes the ready postings to
// postings.ndjson and the exceptions to exceptions.ndjson; with --ledger,
// keeps what was handed over in an SQLite ledger so that a rerun posts
// nothing twice (examples/retcon/ledger.h).
//
//   int exit_code = RunPlan(args, std::cout, std::cerr);
//
// Thread-compatible: reads the files named in `args`, writes the outputs and
// the ledger, nothing else.
#ifndef RETCON_EXAMPLES_RETCON_PLAN_COMMAND_H_
#define RETCON_EXAMPLES_RETCON_PLAN_COMMAND_H_

#include <ostream>

#include "absl/types/span.h"

namespace retcon {
namespace cli {

// The text of `retcon plan --help`.
extern const char kPlanHelp[];

// Runs `retcon plan` with `args` (the words after "plan"): the summary to
// `out`, errors and progress to `err`. Returns kExitOk when every record was
// planned, kExitPartial when some records were reported and skipped (the
// rest were planned and written), kExitError when the run could not start
// or stopped (bad rules or catalog, unreadable feed, ledger error), and
// kExitUsage for bad flags.
int RunPlan(absl::Span<const char* const> args, std::ostream& out,
            std::ostream& err);

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_PLAN_COMMAND_H_
