// `retcon rules explain`: evaluates one fact against the decisions of a
// rules file and prints the trace: the inputs seen, the rows matched (with
// their lines), the winner and why, and the outcome.
//
//   int exit_code = RunRulesExplain(flags, std::cout, std::cerr);
//
// Thread-compatible.
#ifndef RETCON_EXAMPLES_RETCON_RULES_EXPLAIN_H_
#define RETCON_EXAMPLES_RETCON_RULES_EXPLAIN_H_

#include <ostream>

#include "examples/retcon/command_line.h"

namespace retcon {
namespace cli {

// Explains --fact under --rules (--decision, --as-of). Returns an ExitCode.
int RunRulesExplain(const ParsedFlags& flags, std::ostream& out,
                    std::ostream& err);

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_RULES_EXPLAIN_H_
