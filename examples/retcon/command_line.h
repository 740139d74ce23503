// Flag parsing and exit codes shared by the retcon tool's subcommands.
//
//   constexpr FlagSpec kFlags[] = {{"order", FlagKind::kValue},
//                                  {"json", FlagKind::kSwitch}};
//   absl::StatusOr<ParsedFlags> flags = ParseFlags(args, kFlags);
//   if (!flags.ok()) return UsageError(command, flags.status(), err);
//   flags->Value("order");
//
// Flags are "--name VALUE", "--name=VALUE" or "--name" for a switch; "-h" is
// "--help". There are no positional arguments. Values are thread-compatible.
#ifndef RETCON_EXAMPLES_RETCON_COMMAND_LINE_H_
#define RETCON_EXAMPLES_RETCON_COMMAND_LINE_H_

#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace retcon {
namespace cli {

// The tool's exit codes, as documented in `retcon --help`.
enum ExitCode : int {
  kExitOk = 0,     // Done.
  kExitError = 1,  // Bad input file or a calculation error.
  kExitUsage = 2,  // Unknown command or flag, missing or malformed value.
  // Some records were bad: each was reported and skipped, the rest done
  // (`retcon plan`).
  kExitPartial = 3,
};

enum class FlagKind {
  kSwitch,    // "--json": present or not.
  kValue,     // "--order FILE": at most once.
  kRepeated,  // "--then SPEC": any number of times, in order.
};

struct FlagSpec {
  absl::string_view name;  // Without the leading "--".
  FlagKind kind;
};

// The flags given on one command line.
class ParsedFlags {
 public:
  bool Has(absl::string_view name) const;
  // The value of a kValue flag; empty when absent.
  const std::string& Value(absl::string_view name) const;
  // Every value of a kRepeated flag, in command-line order.
  const std::vector<std::string>& Values(absl::string_view name) const;

 private:
  friend class FlagParser;
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
};

// Parses `args` (the words after the subcommand) against `specs`.
// Errors: InvalidArgument for an unknown flag, a missing value, a kValue or
// kSwitch flag given twice, a value given to a switch, or a positional
// argument.
absl::StatusOr<ParsedFlags> ParseFlags(absl::Span<const char* const> args,
                                       absl::Span<const FlagSpec> specs);

// Writes "retcon <command>: <message>" and a pointer to the command's help
// to `err`; returns kExitUsage.
int UsageError(absl::string_view command, absl::string_view message,
               std::ostream& err);

// Whether `date` is a day of the calendar written YYYY-MM-DD ("2026-11-30";
// not "2026-13-01", "2026-1-01" nor "2026-02-30"), as the --as-of flags take
// and as the library reads dates (ParseCivilDay).
bool IsDate(absl::string_view date);

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_COMMAND_LINE_H_
