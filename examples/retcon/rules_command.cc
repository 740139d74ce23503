#include "examples/retcon/rules_command.h"

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "examples/retcon/command_line.h"
#include "examples/retcon/rules_check.h"
#include "examples/retcon/rules_explain.h"
#include "examples/retcon/rules_what_if_command.h"

namespace retcon {
namespace cli {

const char kRulesHelp[] =
    R"(Usage:
  retcon rules check RULES [--strict]            (or --rules RULES)
  retcon rules explain --rules RULES --fact FILE [--decision NAME]
                       [--as-of YYYY-MM-DD]
  retcon rules what-if --old RULES --new RULES --returns FILE
                       [--orders FILE [--catalog FILE]] [--as-of YYYY-MM-DD]
                       [--examples N]

The rules file is a retcon.v1.RuleSet, or a retcon.v1.RuleBook (versions with
effective dates), in text format (*.textproto, *.txtpb, *.pbtxt, *.prototxt;
comments allowed) or JSON. docs/rules.md explains the tables.

check    Validates the file (syntax, types, row ids, regexes, dates; every
         decision the planner reads takes the right fact and has its
         outputs) and analyses every table: rows shadowed by earlier rows,
         rows that overlap under UNIQUE, gaps (facts no row accepts) and
         output values no row can produce. Errors and findings name the
         file, line, decision and row ids.
         --strict   findings count as errors (exit 1).

explain  Evaluates one fact and prints the trace: the inputs the table saw,
         every row that matched (with its line), the winner and why, and
         the outputs. The fact file holds the fact message of the decision
         (ReturnItemFact for depot and disposition, RefundFact for
         refund_policy and refund_tolerance, ExchangeFact for
         exchange_order_type, ExceptionFact for exception_routing: see
         proto/retcon/v1/facts.proto), JSON or text format. Without
         --decision, every decision taking that fact type is explained; the
         type is then read from a '# proto-message: retcon.v1.RefundFact'
         line, or is the only fact type of the rule set the file parses as.
         --as-of picks the version of a rule book (default: the latest).

what-if  Which returns would change outcome under the new rules.
         With --orders (and usually --catalog): plans every return of the
         feed under both rule sets, each order's returns in feed order
         continuing from what the earlier ones posted, and compares per
         return line: stock (depot/disposition, or held), credit (ready,
         held), exchange (order type, or held) and the exception codes
         holding that line's postings back; per return, the shipping
         refunded and the exceptions holding back no posting of a line.
         Without --orders: compares the depot and disposition decisions on
         facts built from the returns alone (the order's fields, such as
         country_code, channel and sku, are then empty).
         Changes are grouped by (old outcome, new outcome), most frequent
         first, with counts and up to --examples (default 5) examples.
         --returns: ReturnGo RMAs (GET /rma/{id}) or retcon.v1.ReturnRequest
         JSON, one a line. --orders: Shopify orders or retcon.v1.SalesOrder
         JSON, one a line. --catalog: retcon.v1.Catalog. A bad record is
         reported (file:line: field: problem) and skipped.

Exit codes:
  0  done (check: no errors; findings are warnings unless --strict)
  1  a file could not be read or parsed, the rules do not compile, a fact
     is of the wrong type, or check --strict found something
  2  usage error: unknown subcommand or flag, missing or malformed value
  3  what-if reported and skipped some records; the report covers the rest
     (as `retcon plan` does)
)";

namespace {

constexpr char kCommand[] = "rules";

constexpr FlagSpec kFlags[] = {
    {"rules", FlagKind::kValue},    {"strict", FlagKind::kSwitch},
    {"fact", FlagKind::kValue},     {"decision", FlagKind::kValue},
    {"as-of", FlagKind::kValue},    {"old", FlagKind::kValue},
    {"new", FlagKind::kValue},      {"returns", FlagKind::kValue},
    {"orders", FlagKind::kValue},   {"catalog", FlagKind::kValue},
    {"examples", FlagKind::kValue}, {"help", FlagKind::kSwitch},
};

// Which flags each subcommand takes (besides --help).
bool FlagAllowed(absl::string_view sub, absl::string_view flag) {
  static const std::map<std::string, std::set<std::string>, std::less<>>
      kAllowed = {
          {"check", {"rules", "strict"}},
          {"explain", {"rules", "fact", "decision", "as-of"}},
          {"what-if",
           {"old", "new", "returns", "orders", "catalog", "as-of", "examples"}},
      };
  return flag == "help" || kAllowed.find(sub)->second.count(std::string(flag));
}

// The words after the subcommand, with `check RULES`'s one positional
// argument (anywhere among the flags) read as --rules RULES.
std::vector<const char*> FlagWords(absl::string_view sub,
                                   absl::Span<const char* const> args) {
  std::vector<const char*> words(args.begin() + 1, args.end());
  for (size_t i = 0; sub == "check" && i < words.size(); ++i) {
    const absl::string_view word = words[i];
    if (word == "--rules") {
      ++i;  // Its value.
    } else if (!word.empty() && word[0] != '-') {
      words.insert(words.begin() + i, "--rules");
      break;
    }
  }
  return words;
}

// InvalidArgument "--NAME is not a flag of SUB" for the first such flag.
absl::Status CheckFlagsOf(absl::string_view sub, const ParsedFlags& flags) {
  for (const FlagSpec& spec : kFlags) {
    if (flags.Has(spec.name) && !FlagAllowed(sub, spec.name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", spec.name, " is not a flag of ", sub));
    }
  }
  return absl::OkStatus();
}

}  // namespace

int RunRules(absl::Span<const char* const> args, std::ostream& out,
             std::ostream& err) {
  if (args.empty()) {
    err << kRulesHelp;
    return kExitUsage;
  }
  const absl::string_view sub = args[0];
  if (sub == "--help" || sub == "-h" || sub == "help") {
    out << kRulesHelp;
    return kExitOk;
  }
  if (sub != "check" && sub != "explain" && sub != "what-if") {
    return UsageError(kCommand,
                      absl::StrCat("unknown subcommand '", sub,
                                   "' (check, explain or what-if)"),
                      err);
  }
  const std::string command = absl::StrCat(kCommand, " ", sub);
  absl::StatusOr<ParsedFlags> flags = ParseFlags(FlagWords(sub, args), kFlags);
  if (!flags.ok()) return UsageError(command, flags.status().message(), err);
  if (flags->Has("help")) {
    out << kRulesHelp;
    return kExitOk;
  }
  if (absl::Status s = CheckFlagsOf(sub, *flags); !s.ok()) {
    return UsageError(command, s.message(), err);
  }
  if (sub == "check") return RunRulesCheck(*flags, out, err);
  if (sub == "explain") return RunRulesExplain(*flags, out, err);
  return RunRulesWhatIf(*flags, out, err);
}

}  // namespace cli
}  // namespace retcon
