// `retcon rules what-if`: which returns would change outcome under new
// rules. With --orders, plans every return under both rule sets and compares
// per return line; without, compares the depot and disposition decisions on
// facts built from the returns alone.
//
//   int exit_code = RunRulesWhatIf(flags, std::cout, std::cerr);
//
// Thread-compatible.
#ifndef RETCON_EXAMPLES_RETCON_RULES_WHAT_IF_COMMAND_H_
#define RETCON_EXAMPLES_RETCON_RULES_WHAT_IF_COMMAND_H_

#include <ostream>

#include "examples/retcon/command_line.h"

namespace retcon {
namespace cli {

// Compares --old and --new on --returns (--orders, --catalog, --as-of,
// --examples). Returns an ExitCode; kExitPartial when records were skipped.
int RunRulesWhatIf(const ParsedFlags& flags, std::ostream& out,
                   std::ostream& err);

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_RULES_WHAT_IF_COMMAND_H_
