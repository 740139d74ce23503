// retcon: the command-line tool. See `retcon --help`.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "examples/retcon/apportion_command.h"
#include "examples/retcon/command_line.h"
#include "examples/retcon/plan_command.h"
#include "examples/retcon/reconcile_command.h"
#include "examples/retcon/rules_command.h"

namespace retcon {
namespace cli {
namespace {

constexpr char kHelp[] =
    R"(retcon: exact refunds of retail returns, recomputed from the original sales
order, for posting to the ERP.

Usage:
  retcon <command> [flags]
  retcon <command> --help     flags of one command
  retcon --help | --version

Commands:
  apportion   The reference calculator: what returning some units of an order
              refunds (gross, discount, net, tax per rate), per line and in
              total, continued from what was already credited.
  plan        The batch run: plans a feed of returns against their orders
              with rules and a catalog; writes postings.ndjson and
              exceptions.ndjson and a summary; --ledger (SQLite) makes
              reruns post nothing twice.
  reconcile   Month-end reconciliation: returns against ERP credit notes,
              stock movements and gateway refunds; every gap with an owner.
  rules       The rules files: check (validation and analysis), explain
              (one decision's trace for one fact), what-if (which returns
              would change outcome under new rules).

Exit codes (every command):
  0  success
  1  a file could not be read or parsed, or the input was rejected; the
     message on stderr names the file (or flag) and the field path, e.g.
     order.json: order.lines[2].quantity: must be between 1 and 10000000, got 0
  2  usage error: unknown command or flag, missing or malformed flag value
  3  (plan, reconcile, rules what-if) some records were bad: each was
     reported (file:line: field: problem) and skipped; the rest were
     processed (planned and written; reconciled; compared)

Money is exact: integer minor units, no floating point. The rules are in
docs/money.md; embedding the library is in docs/integration/README.md.
)";

int Run(absl::Span<const char* const> args) {
  if (args.empty()) {
    std::cerr << kHelp;
    return kExitUsage;
  }
  const absl::string_view command = args[0];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kHelp;
    return kExitOk;
  }
  if (command == "--version") {
    std::cout << "retcon " << RETCON_VERSION << "\n";
    return kExitOk;
  }
  if (command == "apportion") {
    return RunApportion(args.subspan(1), std::cout, std::cerr);
  }
  if (command == "plan") {
    return RunPlan(args.subspan(1), std::cout, std::cerr);
  }
  if (command == "reconcile") {
    return RunReconcile(args.subspan(1), std::cout, std::cerr);
  }
  if (command == "rules") {
    return RunRules(args.subspan(1), std::cout, std::cerr);
  }
  return UsageError("", absl::StrCat("unknown command '", command, "'"),
                    std::cerr);
}

}  // namespace
}  // namespace cli
}  // namespace retcon

int main(int argc, char** argv) {
  return retcon::cli::Run(absl::Span<const char* const>(argv + 1, argc - 1));
}
