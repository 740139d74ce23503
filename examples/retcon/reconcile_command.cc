#include "examples/retcon/reconcile_command.h"

#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "examples/retcon/command_line.h"
#include "examples/retcon/feed.h"
#include "google/protobuf/util/json_util.h"
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
                   auto (default: told from the first record), retcon or
                   returngo.
  --returngo-lines unit|grouped
                   ReturnGo units as one return line each (default) or
                   grouped, as `retcon plan` read them when it posted (the
                   return line ids in the ERP's stock movements must match).
  --erp FILE       ERP credit notes and stock movements (retcon.v1.ErpDocument),
                   one JSON object a line.
  --payouts FILE   Payment gateway refunds (retcon.v1.GatewayRefund), one JSON
                   object a line. Optional.
  --as-of DATE     YYYY-MM-DD: ages are counted to this day.
  --json           The whole report as JSON (gaps and summary).
  --csv            The gaps as CSV for a spreadsheet (RFC 4180).
                   Default: a readable summary, then one line per gap.
  --tolerance C:N  Amounts of currency C within N minor units agree
                   (e.g. GBP:1). Default 0 for every currency.
  --window DAYS    Fuzzy matching date window in days (default 7).

--erp and --payouts are NDJSON: one record a line in the proto3 JSON mapping;
blank lines are skipped. An error names the file, the line and the field:
  erp.ndjson:12: posted_date: expected a date YYYY-MM-DD, got "12/11/2026"
A bad record is reported on stderr and left out; the report is written from
the rest and the exit status is 3. A return given more than once (a feed of
re-fetched RMAs) is reconciled in its latest state (greatest updated_at, then
the last in the file), with a note on stderr.
Exit codes: 0 report written (gaps or not), 1 a file could not be read,
2 usage, 3 report written but some records were bad and left out.
See docs/operations/month-end.md and docs/integration/reconcile.md.
)";

namespace {

// Line numbers of the records read from one file, to turn the library's
// "returns[7].field: ..." into "returns.ndjson:9: field: ...".
struct Lines {
  absl::string_view name;  // "returns", "erp", "gateway".
  std::string path;
  std::vector<int64_t> of_record;
};

std::string Locate(absl::string_view message,
                   std::initializer_list<const Lines*> files) {
  for (const Lines* f : files) {
    absl::string_view rest = message;
    size_t index = 0;
    if (!absl::ConsumePrefix(&rest, f->name) ||
        !absl::ConsumePrefix(&rest, "[")) {
      continue;
    }
    const size_t close = rest.find("].");
    if (close == absl::string_view::npos ||
        !absl::SimpleAtoi(rest.substr(0, close), &index) ||
        index >= f->of_record.size()) {
      continue;
    }
    return absl::StrCat(f->path, ":", f->of_record[index], ": ",
                        rest.substr(close + 2));
  }
  return std::string(message);
}

// Reports a bad record on `err` and counts it; the run goes on without it.
void Skip(absl::string_view message, std::ostream& err, int64_t* skipped) {
  err << "retcon reconcile: " << message << " (skipped)\n";
  ++*skipped;
}

// Reads `path` as NDJSON of `Record`, checking each record with `validate`.
// A bad record is reported and skipped. Errors: the file cannot be read.
template <typename Record>
absl::Status ReadNdjson(const std::string& path,
                        absl::Status (*validate)(const Record&),
                        std::vector<Record>* out, Lines* lines,
                        std::ostream& err, int64_t* skipped) {
  lines->path = path;
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    Record record;
    auto parsed =
        google::protobuf::util::JsonStringToMessage(line, &record, options);
    absl::Status valid =
        parsed.ok() ? validate(record)
                    : absl::InvalidArgumentError(absl::string_view(
                          parsed.message().data(), parsed.message().size()));
    if (!valid.ok()) {
      Skip(absl::StrCat(path, ":", number, ": ", valid.message()), err,
           skipped);
      continue;
    }
    out->push_back(std::move(record));
    lines->of_record.push_back(number);
  }
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read error"));
  return absl::OkStatus();
}

// Reads the returns feed at `path` (NDJSON or a JSON array; retcon.v1 or
// ReturnGo records, as `retcon plan` reads them). A bad record is reported
// and skipped. A return given more than once (a feed of webhook re-fetches)
// is reconciled in its latest state: the greatest updated_at, then the last
// in the file; each repeat is noted on `err`. Errors: the file cannot be
// read, or its records are of no recognisable kind.
absl::Status ReadReturns(const std::string& path, FeedFormat format,
                         const ReturnGoOptions& returngo,
                         std::vector<v1::ReturnRequest>* out, Lines* lines,
                         std::ostream& err, int64_t* skipped) {
  lines->path = path;
  absl::StatusOr<std::unique_ptr<FeedReader>> feed = FeedReader::Open(path);
  if (!feed.ok()) return feed.status();
  absl::flat_hash_map<std::string, size_t> index_of;  // return_id -> index.
  std::vector<std::string> where_of;
  FeedRecord record;
  PayloadKind kind = PayloadKind::kUnknown;
  while ((*feed)->Next(&record)) {
    if (kind == PayloadKind::kUnknown) {
      const PayloadKind detected = DetectPayloadKind(record.text);
      kind = ReturnKindFor(format, detected);
      if (kind != PayloadKind::kUnknown &&
          ReturnKindFor(FeedFormat::kAuto, detected) != PayloadKind::kUnknown &&
          detected != kind) {
        // The whole file is of the other kind: reading on would leave every
        // return out and report their documents as gaps.
        return absl::InvalidArgumentError(absl::StrCat(
            record.where, ": the record looks like ",
            detected == PayloadKind::kReturnGoRma ? "a ReturnGo RMA"
                                                  : "a retcon.v1.ReturnRequest",
            " but --returns-format says otherwise"));
      }
      if (kind == PayloadKind::kUnknown) {
        return absl::InvalidArgumentError(
            absl::StrCat(record.where,
                         ": not a recognisable return (retcon.v1.ReturnRequest "
                         "or ReturnGo RMA JSON); see --returns-format"));
      }
    }
    v1::ReturnRequest ret;
    absl::Status valid = ParseReturnRecord(record, kind, &ret, returngo);
    if (valid.ok()) {
      valid = ValidateReturnForReconcile(ret);
      if (!valid.ok()) {
        valid = absl::InvalidArgumentError(
            absl::StrCat(record.where, ": ", valid.message()));
      }
    }
    if (!valid.ok()) {
      Skip(valid.message(), err, skipped);
      continue;
    }
    auto [it, added] = index_of.try_emplace(ret.return_id(), out->size());
    if (!added) {
      v1::ReturnRequest& kept = (*out)[it->second];
      const bool later = std::make_pair(ret.updated_at().seconds(),
                                        ret.updated_at().nanos()) >=
                         std::make_pair(kept.updated_at().seconds(),
                                        kept.updated_at().nanos());
      err << "retcon reconcile: " << record.where << ": return \""
          << ret.return_id() << "\" also at " << where_of[it->second]
          << "; reconciling the "
          << (later ? "state given here" : "state given there")
          << " (latest updated_at, then last in the file)\n";
      if (later) {
        kept = std::move(ret);
        lines->of_record[it->second] = record.line;
        where_of[it->second] = record.where;
      }
      continue;
    }
    out->push_back(std::move(ret));
    lines->of_record.push_back(record.line);
    where_of.push_back(record.where);
  }
  return (*feed)->error();
}

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
  std::vector<v1::ReturnRequest> returns;
  std::vector<v1::ErpDocument> erp;
  std::vector<v1::GatewayRefund> payouts;
  Lines returns_lines{"returns", "", {}}, erp_lines{"erp", "", {}},
      payout_lines{"gateway", "", {}};
  int64_t skipped = 0;
  absl::Status read =
      ReadReturns(flags->Value("returns"), returns_format, returngo, &returns,
                  &returns_lines, err, &skipped);
  if (read.ok()) {
    read = ReadNdjson(flags->Value("erp"), &ValidateErpDocument, &erp,
                      &erp_lines, err, &skipped);
  }
  if (read.ok() && flags->Has("payouts")) {
    read = ReadNdjson(flags->Value("payouts"), &ValidateGatewayRefund, &payouts,
                      &payout_lines, err, &skipped);
  }
  if (!read.ok()) {
    err << "retcon reconcile: " << read.message() << "\n";
    return kExitError;
  }
  absl::StatusOr<v1::ReconcileReport> report =
      Reconcile(returns, erp, payouts, options);
  if (!report.ok()) {
    err << "retcon reconcile: "
        << Locate(report.status().message(),
                  {&returns_lines, &erp_lines, &payout_lines})
        << "\n";
    return kExitError;
  }
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
  if (skipped > 0) {
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
