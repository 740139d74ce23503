// `retcon rules check`: validates a rules file (syntax, types, row ids,
// regexes, dates, the decisions the planner reads) and prints the static
// analysis of every table: shadowed rows, overlaps, gaps, unreachable
// outputs, each at its file and line.
//
//   int exit_code = RunRulesCheck(flags, std::cout, std::cerr);
//
// Thread-compatible.
#ifndef RETCON_EXAMPLES_RETCON_RULES_CHECK_H_
#define RETCON_EXAMPLES_RETCON_RULES_CHECK_H_

#include <ostream>

#include "examples/retcon/command_line.h"

namespace retcon {
namespace cli {

// Runs the check of --rules (--strict: findings are errors). Returns an
// ExitCode.
int RunRulesCheck(const ParsedFlags& flags, std::ostream& out,
                  std::ostream& err);

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_RULES_CHECK_H_
