#include "examples/retcon/reconcile_command.h"

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "examples/retcon/command_line.h"
#include "examples/retcon/feed.h"
#include "examples/retcon/reconcile_inputs.h"
#include "retcon/adapters.h"
#include "retcon/reconcile.h"

namespace retcon {
namespace cli {

const char kReconcileHelp[] =
    R"(retcon reconcile: month-end reconciliation of returns against the ERP and
the payment gateway. Lists every gap (a refund with no credit note, a credit
note with no return, amounts that disagree, received items with no stock
movement, stock movements with no return, duplicate postings, SKU and
currency mismatches, gateway refunds with no return) with its owner, money
at stake and age.

Usage:
  retcon reconcile --returns FILE --erp FILE [--payouts FILE] --as-of DATE
                   [--json | --csv] [--tolerance CUR:MINOR_UNITS]...
                   [--window DAYS] [--returns-format FORMAT]
                   [--returngo-lines unit|grouped]

Flags:
  --returns FILE   Returns with their refund transactions and inspections:
                   retcon.v1.ReturnRequest JSON or ReturnGo RMAs as
                   GET /rma/{id} returns them (one ReturnLine per unit),
                   NDJSON or one JSON array.
  --returns-format F
                   auto (default: told from the first recognisable record,
                   as `retcon plan` tells it), retcon or returngo.
  --returngo-lines unit|grouped
                   ReturnGo units as one return line each (default) or
                   grouped, as `retcon plan` read them when it posted (the
                   return line ids in the ERP's stock movements must match).
  --erp FILE       ERP credit notes and stock movements (retcon.v1.ErpDocument).
  --payouts FILE   Payment gateway refunds (retcon.v1.GatewayRefund).
                   Optional.
  --as-of DATE     YYYY-MM-DD: ages are counted to this day.
  --json           The whole report as JSON (gaps and summary).
  --csv            The gaps as CSV for a spreadsheet (RFC 4180).
                   Default: a readable summary, then one line per gap.
  --tolerance C:N  Amounts of currency C within N minor units agree
                   (e.g. GBP:1). Default 0 for every currency.
  --window DAYS    Fuzzy matching date window in days (default 7).
  -h, --help       Show this help.

Each file is NDJSON (one record a line, blank lines skipped) or one JSON
array; --erp and --payouts records are in the proto3 JSON mapping. An error
names the file, the line and the field:
  erp.ndjson:12: posted_date: expected a date YYYY-MM-DD, got "12/11/2026"
In a JSON array the place is FILE:LINE (element [I]): the line where the
element starts and its 0-based index. A field of a return read from a
ReturnGo RMA is named as the retcon.v1.ReturnRequest field, with the RMA and
where in the RMA it comes from:
  rmas.json:2 (element [0]): RMA '10001' (as retcon.v1.ReturnRequest):
  refunds[1].refund_id (from transactions[1].id): ...
A bad record is reported on stderr and left out (so is the rest of a JSON
array whose element is never closed); the report is written from the rest
and the exit status is 3. The report counts the records left out per input
(a WARNING in the text summary; returns_skipped, erp_documents_skipped and
gateway_refunds_skipped in the --json summary): gaps that involve them may
be false (a credit note left out shows its return as without one) or
missing. A CSV has no place for the counts: with --csv, treat exit 3 as
"some records were left out". All the returns are read as the kind of
the first recognisable one (records before it too). A return given more than
once (a feed of re-fetched RMAs) is reconciled in its latest state (greatest
updated_at, none counting as oldest, then the last in the file), with a note
on stderr, and a warning when two differing copies have the same
updated_at. A refund
listed twice in one return is reconciled once, its first entry, as `retcon
plan` plans it; a warning on stderr.
Exit codes: 0 report written (gaps or not), 1 a file could not be opened, the
returns file holds the other kind than --returns-format says, or none of its
records could be read as a valid return (each was left out, and no report is
written: it would show every ERP document as a gap), 2 usage, 3 report written but some records
were bad and left out.
See docs/operations/month-end.md and docs/integration/reconcile.md.
)";

namespace {

absl::Status ParseTolerances(const std::vector<std::string>& specs,
                             ReconcileOptions* options) {
  for (const std::string& spec : specs) {
    std::vector<absl::string_view> parts = absl::StrSplit(spec, ':');
    int64_t units = 0;
    if (parts.size() != 2 || parts[0].size() != 3 ||
        !absl::SimpleAtoi(parts[1], &units) || units < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--tolerance ", spec, ": expected CUR:MINOR_UNITS, e.g. GBP:1"));
    }
    options->tolerance_minor_units[std::string(parts[0])] = units;
  }
  return absl::OkStatus();
}

}  // namespace

int RunReconcile(absl::Span<const char* const> args, std::ostream& out,
                 std::ostream& err) {
  constexpr FlagSpec kFlags[] = {{"returns", FlagKind::kValue},
                                 {"erp", FlagKind::kValue},
                                 {"payouts", FlagKind::kValue},
                                 {"as-of", FlagKind::kValue},
                                 {"json", FlagKind::kSwitch},
                                 {"csv", FlagKind::kSwitch},
                                 {"tolerance", FlagKind::kRepeated},
                                 {"window", FlagKind::kValue},
                                 {"returns-format", FlagKind::kValue},
                                 {"returngo-lines", FlagKind::kValue},
                                 {"help", FlagKind::kSwitch}};
  absl::StatusOr<ParsedFlags> flags = ParseFlags(args, kFlags);
  if (!flags.ok())
    return UsageError("reconcile", flags.status().message(), err);
  if (flags->Has("help")) {
    out << kReconcileHelp;
    return kExitOk;
  }
  for (absl::string_view required : {"returns", "erp", "as-of"}) {
    if (!flags->Has(required)) {
      return UsageError("reconcile",
                        absl::StrCat("--", required, " is required"), err);
    }
  }
  if (flags->Has("json") && flags->Has("csv")) {
    return UsageError("reconcile", "--json and --csv exclude each other", err);
  }
  FeedFormat returns_format = FeedFormat::kAuto;
  if (flags->Has("returns-format") &&
      (!ParseFeedFormat(flags->Value("returns-format"), &returns_format) ||
       returns_format == FeedFormat::kShopify)) {
    return UsageError(
        "reconcile",
        absl::StrCat("--returns-format ", flags->Value("returns-format"),
                     ": expected auto, retcon or returngo"),
        err);
  }
  ReturnGoOptions returngo;
  if (flags->Has("returngo-lines") &&
      !ParseReturnGoLines(flags->Value("returngo-lines"), &returngo)) {
    return UsageError(
        "reconcile",
        absl::StrCat("--returngo-lines ", flags->Value("returngo-lines"),
                     ": expected unit or grouped"),
        err);
  }
  ReconcileOptions options;
  options.as_of = flags->Value("as-of");
  if (!ParseCivilDay(options.as_of, "--as-of").ok()) {
    return UsageError(
        "reconcile",
        absl::StrCat("--as-of ", options.as_of, ": expected a date YYYY-MM-DD"),
        err);
  }
  if (flags->Has("window") &&
      (!absl::SimpleAtoi(flags->Value("window"), &options.fuzzy_window_days) ||
       options.fuzzy_window_days < 0)) {
    return UsageError("reconcile",
                      absl::StrCat("--window ", flags->Value("window"),
                                   ": expected a whole number of days >= 0"),
                      err);
  }
  if (absl::Status s = ParseTolerances(flags->Values("tolerance"), &options);
      !s.ok()) {
    return UsageError("reconcile", s.message(), err);
  }
  ReconcileInputs inputs(err);
  absl::Status read =
      inputs.ReadReturns(flags->Value("returns"), returns_format, returngo);
  if (read.ok()) read = inputs.ReadErp(flags->Value("erp"));
  if (read.ok() && flags->Has("payouts")) {
    read = inputs.ReadPayouts(flags->Value("payouts"));
  }
  if (!read.ok()) {
    err << "retcon reconcile: " << read.message() << "\n";
    return kExitError;
  }
  absl::StatusOr<v1::ReconcileReport> report =
      Reconcile(inputs.returns(), inputs.erp(), inputs.payouts(), options);
  if (!report.ok()) {
    err << "retcon reconcile: " << inputs.Locate(report.status().message())
        << "\n";
    return kExitError;
  }
  // In the report itself, so that a JSON or CSV consumer can tell too.
  v1::ReconcileSummary* summary = report->mutable_summary();
  summary->set_returns_skipped(inputs.returns_skipped());
  summary->set_erp_documents_skipped(inputs.erp_skipped());
  summary->set_gateway_refunds_skipped(inputs.payouts_skipped());
  if (flags->Has("json")) {
    out << ReportJson(*report) << "\n";
  } else if (flags->Has("csv")) {
    out << ReportGapsCsv(*report);
  } else {
    out << ReportSummaryText(*report);
    if (report->gaps_size() > 0) out << "\nGaps\n";
    for (const v1::Gap& gap : report->gaps()) {
      out << "  - [" << v1::Owner_Name(gap.owner()).substr(6) << ", "
          << gap.age_days() << "d] " << gap.message() << "\n";
    }
  }
  if (inputs.warnings() > 0) {
    err << "retcon reconcile: " << inputs.warnings()
        << (inputs.warnings() == 1 ? " warning" : " warnings")
        << " (see above); the records warned about are in the report\n";
  }
  if (const int64_t skipped = inputs.skipped(); skipped > 0) {
    err << "retcon reconcile: " << skipped
        << (skipped == 1 ? " record was" : " records were")
        << " left out (see above): gaps that involve them may be missing or "
           "false until they are fixed and the report is run again\n";
    return kExitPartial;
  }
  return kExitOk;
}

}  // namespace cli
}  // namespace retcon
