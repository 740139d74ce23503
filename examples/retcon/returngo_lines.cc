#include "examples/retcon/returngo_lines.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "examples/retcon/feed.h"

namespace retcon {
namespace cli {
namespace {

// The setting of a ledger upgraded with ReturnGo postings (Ledger::Open).
constexpr absl::string_view kUnknownReturnGoLines = "unknown";

}  // namespace

absl::StatusOr<bool> CheckReturnGoLines(Ledger& ledger,
                                        absl::string_view ledger_path,
                                        const ReturnGoOptions& requested,
                                        bool flag_given) {
  absl::StatusOr<std::optional<LedgerSetting>> recorded =
      ledger.GetSetting(Ledger::kReturnGoLines);
  if (!recorded.ok()) return recorded.status();
  if (!recorded->has_value()) return true;
  const LedgerSetting& setting = **recorded;
  const absl::string_view wanted = ReturnGoLinesName(requested);
  if (setting.value == kUnknownReturnGoLines) {
    // Made before the ledger recorded it: the run must say it.
    if (flag_given) return true;
    absl::StatusOr<int64_t> several =
        ledger.CountReturnGoMovementsOfSeveralUnits();
    if (!several.ok()) return several.status();
    return absl::FailedPreconditionError(absl::StrCat(
        ledger_path,
        ": the ledger holds ReturnGo postings made before it recorded how "
        "RMAs were read, one return line per unit or grouped; say which with "
        "--returngo-lines unit or --returngo-lines grouped, as those runs "
        "read them (the tool read them grouped until it had the flag, then "
        "one line per unit by default). ",
        *several > 0
            ? absl::StrCat(*several,
                           *several == 1
                               ? " of its ReturnGo stock movements is"
                               : " of its ReturnGo stock movements are",
                           " of several units, which grouped reading gives. ")
            : "",
        "The wrong setting gives the same units other return line ids, so "
        "other idempotency keys, and their postings would be handed over "
        "again (docs/integration/cli.md, \"The ledger\")"));
  }
  if (setting.value == wanted) return false;
  const std::string how =
      absl::StrCat("planned ReturnGo RMAs with --returngo-lines ",
                   setting.value, " (run ", setting.run_id, ")");
  return absl::FailedPreconditionError(absl::StrCat(
      ledger_path, ": the ledger ", how, "; this run asks for ", wanted,
      flag_given ? "" : " (the default)",
      ": the same units would get other return line ids, so other "
      "idempotency keys, and their postings would be handed over again. Run "
      "with --returngo-lines ",
      setting.value, " (docs/integration/cli.md, \"The ledger\")"));
}

absl::Status RecordReturnGoLines(Ledger& ledger, const ReturnGoOptions& options,
                                 int64_t run_id) {
  return ledger.PutSetting(Ledger::kReturnGoLines, ReturnGoLinesName(options),
                           run_id);
}

}  // namespace cli
}  // namespace retcon
