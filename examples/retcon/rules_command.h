// `retcon rules`: check, explain and compare the rules files that finance and
// operations own (decision tables, docs/rules.md).
//
//   int exit_code = RunRules(args, std::cout, std::cerr);
//
// Subcommands: `check` (validation and static analysis), `explain` (the
// trace of one decision for one fact) and `what-if` (which returns would
// change outcome under new rules). See kRulesHelp and
// docs/integration/cli-rules.md.
//
// Thread-compatible: reads the files named in `args`, writes nothing else.
#ifndef RETCON_EXAMPLES_RETCON_RULES_COMMAND_H_
#define RETCON_EXAMPLES_RETCON_RULES_COMMAND_H_

#include <ostream>

#include "absl/types/span.h"

namespace retcon {
namespace cli {

// The text of `retcon rules --help`.
extern const char kRulesHelp[];

// Runs `retcon rules` with `args` (the words after "rules"): results to
// `out`, errors and findings' summary to `err`. Returns an ExitCode.
int RunRules(absl::Span<const char* const> args, std::ostream& out,
             std::ostream& err);

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_RULES_COMMAND_H_
