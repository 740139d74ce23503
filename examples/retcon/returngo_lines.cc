#include "examples/retcon/returngo_lines.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "examples/retcon/feed.h"

namespace retcon {
namespace cli {

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
  if (setting.value == wanted) return false;
  const std::string how =
      setting.run_id > 0
          ? absl::StrCat("planned ReturnGo RMAs with --returngo-lines ",
                         setting.value, " (run ", setting.run_id, ")")
          : absl::StrCat(
                "holds ReturnGo postings made before it recorded "
                "--returngo-lines, when RMAs were read ",
                setting.value);
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
