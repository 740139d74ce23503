#include "examples/retcon/rules_command.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "examples/retcon/command_line.h"
#include "examples/retcon/documents.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "retcon/adapters.h"
#include "retcon/money.h"
#include "retcon/planner.h"
#include "retcon/rules.h"
#include "retcon/rules_analysis.h"
#include "retcon/rules_book.h"
#include "retcon/rules_what_if.h"
#include "retcon/v1/catalog.pb.h"
#include "retcon/v1/facts.pb.h"

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
// Some records were reported and skipped, the rest compared: the exit code
// `retcon plan` gives the same case.
constexpr int kExitSkippedRecords = 3;

// --- loading rules files ---------------------------------------------------

// One version of a rules file, compiled, with the lines of its parts.
struct RulesVersion {
  std::shared_ptr<const CompiledRuleSet> rules;
  RuleSetSourceMap source_map;
};

// A rules file: one rule set, or a rule book's versions in file order.
struct RulesFile {
  std::string path;
  bool is_book = false;
  std::vector<RulesVersion> versions;
};

absl::StatusOr<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// The fact types must be in the generated pool before compiling.
void LinkFactTypes() {
  v1::ReturnItemFact::descriptor();
  v1::RefundFact::descriptor();
  v1::ExchangeFact::descriptor();
  v1::ExceptionFact::descriptor();
}

absl::StatusOr<v1::RuleBook> ParseBookJson(const std::string& path,
                                           const std::string& text) {
  v1::RuleBook book;
  google::protobuf::util::JsonParseOptions options;
  auto status =
      google::protobuf::util::JsonStringToMessage(text, &book, options);
  if (status.ok()) return book;
  return absl::InvalidArgumentError(absl::StrCat(
      path, ": ",
      std::string(status.message().data(), status.message().size())));
}

// The versions of a rule book (text or JSON), checked for overlapping
// periods, into `sets` and `file`.
absl::Status ParseBook(const std::string& path, const std::string& text,
                       bool is_text, std::vector<v1::RuleSet>* sets,
                       RulesFile* file) {
  file->is_book = true;
  v1::RuleBook book;
  std::vector<RuleSetSourceMap> source_maps;
  absl::StatusOr<std::unique_ptr<const CompiledRuleBook>> compiled;
  if (is_text) {
    absl::StatusOr<ParsedRuleBook> parsed = ParseRuleBookText(text, path);
    if (!parsed.ok()) return parsed.status();
    compiled = CompileRuleBook(*parsed, CompileOptions{});
    book = parsed->rule_book;
    source_maps = parsed->source_maps;
  } else {
    absl::StatusOr<v1::RuleBook> parsed = ParseBookJson(path, text);
    if (!parsed.ok()) return parsed.status();
    book = *parsed;
    compiled = CompileRuleBook(book, CompileOptions{});
    if (!compiled.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": ", compiled.status().message()));
    }
    source_maps.assign(book.versions_size(), RuleSetSourceMap(path));
  }
  if (!compiled.ok()) return compiled.status();
  for (int v = 0; v < book.versions_size(); ++v) {
    sets->push_back(book.versions(v));
    file->versions.push_back({nullptr, source_maps[v]});
  }
  return absl::OkStatus();
}

// Compiles each of `sets` into the matching version of `file`, naming the
// file in errors that have no line (JSON).
absl::Status CompileVersions(const std::vector<v1::RuleSet>& sets,
                             RulesFile* file) {
  for (size_t v = 0; v < sets.size(); ++v) {
    RulesVersion& version = file->versions[v];
    absl::StatusOr<std::unique_ptr<const CompiledRuleSet>> compiled =
        CompileRuleSet(sets[v], CompileOptions{}, &version.source_map);
    if (!compiled.ok()) {
      absl::string_view message = compiled.status().message();
      if (absl::StartsWith(message, file->path)) return compiled.status();
      return absl::InvalidArgumentError(absl::StrCat(
          file->path, ": ",
          file->is_book ? absl::StrCat("versions[", v, "]: ") : "", message));
    }
    version.rules = std::move(*compiled);
  }
  return absl::OkStatus();
}

// Parses `path` as a RuleSet, else (when it has `versions`) as a RuleBook,
// and compiles every version.
absl::StatusOr<RulesFile> LoadRules(const std::string& path) {
  LinkFactTypes();
  absl::StatusOr<std::string> text = ReadText(path);
  if (!text.ok()) return text.status();
  const bool is_text = FormatOf(path) == DocumentFormat::kText;
  RulesFile file;
  file.path = path;
  std::vector<v1::RuleSet> sets;
  absl::StatusOr<ParsedRuleSet> set =
      is_text ? ParseRuleSetText(*text, path) : ParseRuleSetJson(*text, path);
  if (set.ok()) {
    sets.push_back(set->rule_set);
    file.versions.push_back({nullptr, set->source_map});
  } else if (!absl::StrContains(set.status().message(), "versions")) {
    return set.status();
  } else if (absl::Status s = ParseBook(path, *text, is_text, &sets, &file);
             !s.ok()) {
    return s;
  }
  if (absl::Status s = CompileVersions(sets, &file); !s.ok()) return s;
  return file;
}

bool IsDate(absl::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(date[i]))) return false;
  }
  return true;
}

// The version in force on `as_of`, or, without a date, the latest one.
absl::StatusOr<const RulesVersion*> VersionAsOf(const RulesFile& file,
                                                const std::string& as_of) {
  const RulesVersion* latest = nullptr;
  for (const RulesVersion& v : file.versions) {
    const v1::RuleSet& set = v.rules->rule_set();
    if (as_of.empty()) {
      if (latest == nullptr ||
          set.effective_from() > latest->rules->rule_set().effective_from()) {
        latest = &v;
      }
      continue;
    }
    if ((set.effective_from().empty() || set.effective_from() <= as_of) &&
        (set.effective_until().empty() || as_of < set.effective_until())) {
      return &v;
    }
  }
  if (latest != nullptr) return latest;
  return absl::NotFoundError(absl::StrCat(
      file.path, ": no version of the rules is in force on ", as_of));
}

std::string Describe(const v1::RuleSet& set) {
  std::string text = absl::StrCat("rule set '", set.id(), "'");
  if (!set.version().empty())
    absl::StrAppend(&text, " version '", set.version(), "'");
  if (!set.effective_from().empty() || !set.effective_until().empty()) {
    absl::StrAppend(&text, ", in force ",
                    set.effective_from().empty()
                        ? "since always"
                        : "from " + set.effective_from(),
                    set.effective_until().empty()
                        ? ""
                        : " until " + set.effective_until() + " (exclusive)");
  }
  return text;
}

int DecisionIndexOf(const v1::RuleSet& set, absl::string_view name) {
  for (int d = 0; d < set.decisions_size(); ++d) {
    if (set.decisions(d).name() == name) return d;
  }
  return -1;
}

int RowIndexOf(const v1::Decision& decision, absl::string_view id) {
  for (int r = 0; r < decision.rows_size(); ++r) {
    if (decision.rows(r).id() == id) return r;
  }
  return -1;
}

// "file:line" of a decision's row (or of the decision when the row is not
// known); "file" when the line is unknown.
std::string Where(const RulesFile& file, const RulesVersion& version,
                  absl::string_view decision, absl::string_view row_id) {
  const v1::RuleSet& set = version.rules->rule_set();
  const int d = DecisionIndexOf(set, decision);
  const int r = d < 0 ? -1 : RowIndexOf(set.decisions(d), row_id);
  const int line = version.source_map.Line(d, r, -1);
  return line > 0 ? absl::StrCat(file.path, ":", line) : file.path;
}

// The planner refuses decisions of its names over other facts or without
// the outputs it reads; so does check, citing the decision's line.
absl::Status CheckPlannerDecisions(const RulesFile& file,
                                   const RulesVersion& version) {
  absl::StatusOr<std::unique_ptr<const Planner>> planner =
      Planner::Create(version.rules, v1::Catalog{});
  if (planner.ok()) return absl::OkStatus();
  absl::string_view message = planner.status().message();
  absl::ConsumePrefix(&message, "rules: ");
  std::string decision;
  const size_t start = message.find("decision '");
  if (start != absl::string_view::npos) {
    const size_t from = start + 10;
    decision =
        std::string(message.substr(from, message.find('\'', from) - from));
  }
  return absl::InvalidArgumentError(
      absl::StrCat(Where(file, version, decision, ""), ": ", message));
}

// --- check -----------------------------------------------------------------

absl::string_view KindName(const RuleFinding& finding) {
  switch (finding.kind) {
    case RuleFinding::kShadowedRow:
      return "shadowed row";
    case RuleFinding::kOverlap:
      return finding.certain ? "overlap" : "possible overlap";
    case RuleFinding::kGap:
      return "gap";
    case RuleFinding::kUnreachableOutput:
      return "unreachable output";
    case RuleFinding::kSkipped:
      return "analysis skipped";
  }
  return "finding";
}

void PrintDecisions(const v1::RuleSet& set, std::ostream& out) {
  for (const v1::Decision& d : set.decisions()) {
    out << "  " << d.name() << ": "
        << v1::Decision::HitPolicy_Name(d.hit_policy()) << " over "
        << d.fact_type() << ", " << d.rows_size()
        << (d.rows_size() == 1 ? " row" : " rows")
        << (d.default_outputs_size() > 0 ? ", with default outputs" : "")
        << "\n";
  }
}

int RunCheck(const ParsedFlags& flags, std::ostream& out, std::ostream& err) {
  if (!flags.Has("rules")) {
    return UsageError("rules check", "the rules file is required", err);
  }
  absl::StatusOr<RulesFile> file = LoadRules(flags.Value("rules"));
  if (!file.ok()) {
    err << "retcon rules check: " << file.status().message() << "\n";
    return kExitError;
  }
  int findings = 0;
  std::map<std::string, int> by_kind;
  for (const RulesVersion& version : file->versions) {
    if (absl::Status s = CheckPlannerDecisions(*file, version); !s.ok()) {
      err << "retcon rules check: " << s.message() << "\n";
      return kExitError;
    }
    const v1::RuleSet& set = version.rules->rule_set();
    out << file->path << ": " << Describe(set) << ", " << set.decisions_size()
        << (set.decisions_size() == 1 ? " decision\n" : " decisions\n");
    PrintDecisions(set, out);
    for (const RuleFinding& f : AnalyseRuleSet(*version.rules)) {
      const std::string row = f.row_ids.empty() ? "" : f.row_ids.front();
      out << Where(*file, version, f.decision, row) << ": " << KindName(f)
          << ": " << f.message << "\n";
      ++findings;
      ++by_kind[std::string(KindName(f))];
    }
  }
  std::vector<std::string> counts;
  for (const auto& [kind, count] : by_kind) {
    counts.push_back(absl::StrCat(count, " ", kind, count == 1 ? "" : "s"));
  }
  if (findings == 0) {
    out << "OK: valid, no findings\n";
    return kExitOk;
  }
  out << (flags.Has("strict") ? "FAILED (--strict)" : "OK: valid") << ", "
      << findings << (findings == 1 ? " finding" : " findings") << " ("
      << absl::StrJoin(counts, ", ") << ")\n";
  return flags.Has("strict") ? kExitError : kExitOk;
}

// --- explain ---------------------------------------------------------------

const google::protobuf::Descriptor* FindMessage(absl::string_view name) {
  return google::protobuf::DescriptorPool::generated_pool()
      ->FindMessageTypeByName(std::string(name));
}

// The type a text-format fact names in a "# proto-message: T" line.
std::string DeclaredType(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    absl::string_view rest = absl::StripAsciiWhitespace(line);
    if (!absl::ConsumePrefix(&rest, "#")) continue;
    rest = absl::StripLeadingAsciiWhitespace(rest);
    if (absl::ConsumePrefix(&rest, "proto-message:")) {
      return std::string(absl::StripAsciiWhitespace(rest));
    }
  }
  return "";
}

absl::StatusOr<std::unique_ptr<google::protobuf::Message>> ReadFact(
    const std::string& path, const google::protobuf::Descriptor* type) {
  std::unique_ptr<google::protobuf::Message> fact(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(type)
          ->New());
  absl::Status status = ReadDocument(path, "fact", fact.get());
  if (!status.ok()) return status;
  return fact;
}

// The planner's consequence of a decision with no match.
absl::string_view WithoutMatch(absl::string_view decision) {
  if (decision == "depot" || decision == "disposition") {
    return "the planner parks the stock movement as NO_DEPOT_MAPPING";
  }
  if (decision == "refund_policy") return "the planner refunds no shipping";
  if (decision == "refund_tolerance") {
    return "the planner allows no tolerance: the refund must match exactly";
  }
  if (decision == "exchange_order_type") {
    return "the planner parks the exchange order as INCOMPLETE_EXCHANGE";
  }
  if (decision == "exception_routing") {
    return "the exception keeps its default owner and severity";
  }
  return "";
}

void PrintTrace(const RulesFile& file, const RulesVersion& version,
                int decision_index, const EvaluationTrace& trace,
                const absl::StatusOr<DecisionResult>& result,
                std::ostream& out) {
  const v1::Decision& d = version.rules->rule_set().decisions(decision_index);
  out << "Decision '" << d.name() << "' ("
      << v1::Decision::HitPolicy_Name(d.hit_policy()) << " over "
      << d.fact_type() << ") at " << Where(file, version, d.name(), "") << ", "
      << Describe(version.rules->rule_set()) << "\n";
  out << "  Inputs seen:\n";
  for (const auto& [path, value] : trace.inputs) {
    out << "    " << path << " = " << value << "\n";
  }
  std::vector<std::string> matched;
  for (const std::string& id : trace.matched_row_ids) {
    const int r = RowIndexOf(d, id);
    const int line = version.source_map.Line(decision_index, r, -1);
    matched.push_back(line > 0 ? absl::StrCat(id, " (line ", line, ")") : id);
  }
  out << "  Rows matched: "
      << (matched.empty() ? "none" : absl::StrJoin(matched, ", ")) << "\n";
  out << "  Winner: " << (trace.winner.empty() ? "none" : trace.winner) << " ("
      << trace.reason << ")\n";
  const int winner = RowIndexOf(d, trace.winner);
  if (winner >= 0 && !d.rows(winner).description().empty()) {
    out << "    \"" << d.rows(winner).description() << "\"\n";
  }
  out << "  Outcome: " << OutcomeText(*version.rules, result) << "\n";
  if (result.ok() && !result->matched() && !WithoutMatch(d.name()).empty()) {
    out << "  With no match, " << WithoutMatch(d.name()) << ".\n";
  }
}

// The fact type of the file when no --decision says it.
absl::StatusOr<const google::protobuf::Descriptor*> GuessFactType(
    const std::string& path, const v1::RuleSet& set) {
  absl::StatusOr<std::string> text = ReadText(path);
  if (!text.ok()) return text.status();
  if (std::string declared = DeclaredType(*text); !declared.empty()) {
    const google::protobuf::Descriptor* type = FindMessage(declared);
    if (type == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": proto-message: unknown message type '", declared, "'"));
    }
    return type;
  }
  std::vector<const google::protobuf::Descriptor*> fits;
  std::set<std::string> tried;
  for (const v1::Decision& d : set.decisions()) {
    if (!tried.insert(d.fact_type()).second) continue;
    const google::protobuf::Descriptor* type = FindMessage(d.fact_type());
    if (type != nullptr && ReadFact(path, type).ok()) fits.push_back(type);
  }
  if (fits.size() == 1) return fits.front();
  std::vector<std::string> names;
  for (const auto* t : fits) names.push_back(t->full_name());
  return absl::InvalidArgumentError(absl::StrCat(
      path, ": ",
      fits.empty()
          ? absl::StrCat("not a fact of any decision of the rules (",
                         absl::StrJoin(tried, ", "), ")")
          : absl::StrCat("could be a ", absl::StrJoin(names, " or a ")),
      "; name the decision with --decision, or the type with a "
      "'# proto-message: retcon.v1.RefundFact' line"));
}

// The decisions to explain and the fact type they take.
struct ExplainTarget {
  const google::protobuf::Descriptor* type = nullptr;
  std::vector<int> decisions;
};

// --decision NAME, or every decision over the fact file's type.
absl::StatusOr<ExplainTarget> TargetOf(const ParsedFlags& flags,
                                       const RulesFile& file,
                                       const v1::RuleSet& set) {
  ExplainTarget target;
  if (flags.Has("decision")) {
    const int d = DecisionIndexOf(set, flags.Value("decision"));
    if (d < 0) {
      std::vector<std::string> names;
      for (const v1::Decision& x : set.decisions()) names.push_back(x.name());
      return absl::InvalidArgumentError(absl::StrCat(
          "--decision ", flags.Value("decision"), ": ", file.path,
          " has no such decision (it has ", absl::StrJoin(names, ", "), ")"));
    }
    target.type = FindMessage(set.decisions(d).fact_type());
    target.decisions.push_back(d);
    return target;
  }
  absl::StatusOr<const google::protobuf::Descriptor*> guessed =
      GuessFactType(flags.Value("fact"), set);
  if (!guessed.ok()) return guessed.status();
  target.type = *guessed;
  for (int d = 0; d < set.decisions_size(); ++d) {
    if (set.decisions(d).fact_type() == target.type->full_name()) {
      target.decisions.push_back(d);
    }
  }
  if (target.decisions.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        file.path, " has no decision over ", target.type->full_name()));
  }
  return target;
}

// Why a fact file did not read as `type`: "(read as a T, the fact of
// decision 'd'; it reads as a U, the fact of x and y)".
std::string WrongTypeNote(const ParsedFlags& flags, const v1::RuleSet& set,
                          const google::protobuf::Descriptor* type) {
  std::string note = absl::StrCat(" (read as a ", type->full_name());
  if (flags.Has("decision")) {
    absl::StrAppend(&note, ", the fact of decision '", flags.Value("decision"),
                    "'");
    absl::StatusOr<const google::protobuf::Descriptor*> other =
        GuessFactType(flags.Value("fact"), set);
    if (other.ok() && *other != type) {
      std::vector<std::string> names;
      for (const v1::Decision& d : set.decisions()) {
        if (d.fact_type() == (*other)->full_name()) names.push_back(d.name());
      }
      absl::StrAppend(&note, "; it reads as a ", (*other)->full_name(),
                      ", the fact of ", absl::StrJoin(names, " and "));
    }
  }
  return note + ")";
}

int RunExplain(const ParsedFlags& flags, std::ostream& out, std::ostream& err) {
  for (absl::string_view required : {"rules", "fact"}) {
    if (!flags.Has(required)) {
      return UsageError("rules explain",
                        absl::StrCat("--", required, " is required"), err);
    }
  }
  const std::string as_of = flags.Value("as-of");
  if (flags.Has("as-of") && !IsDate(as_of)) {
    return UsageError("rules explain",
                      absl::StrCat("--as-of ", as_of, ": expected YYYY-MM-DD"),
                      err);
  }
  absl::StatusOr<RulesFile> file = LoadRules(flags.Value("rules"));
  absl::StatusOr<const RulesVersion*> version =
      file.ok() ? VersionAsOf(*file, as_of)
                : absl::StatusOr<const RulesVersion*>(file.status());
  if (!version.ok()) {
    err << "retcon rules explain: " << version.status().message() << "\n";
    return kExitError;
  }
  const v1::RuleSet& set = (*version)->rules->rule_set();
  absl::StatusOr<ExplainTarget> target = TargetOf(flags, *file, set);
  if (!target.ok()) {
    err << "retcon rules explain: " << target.status().message() << "\n";
    return kExitError;
  }
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> fact =
      ReadFact(flags.Value("fact"), target->type);
  if (!fact.ok()) {
    err << "retcon rules explain: " << fact.status().message()
        << WrongTypeNote(flags, set, target->type) << "\n";
    return kExitError;
  }
  int exit_code = kExitOk;
  for (size_t i = 0; i < target->decisions.size(); ++i) {
    EvaluationTrace trace;
    absl::StatusOr<DecisionResult> result =
        (*version)->rules->Evaluate(target->decisions[i], **fact, &trace);
    if (i > 0) out << "\n";
    PrintTrace(*file, **version, target->decisions[i], trace, result, out);
    if (!result.ok()) {
      err << "retcon rules explain: " << result.status().message() << "\n";
      exit_code = kExitError;
    }
  }
  return exit_code;
}

// --- what-if: reading feeds ------------------------------------------------

struct Feed {
  std::vector<v1::ReturnRequest> returns;
  std::vector<std::string> return_where;         // "file:line" of each return.
  std::map<std::string, v1::SalesOrder> orders;  // By order_id.
  int skipped = 0;

  // The order of `ret`: by order_id, else by order_number (as `retcon plan`
  // joins them); nullptr when the feed has none.
  const v1::SalesOrder* OrderOf(const v1::ReturnRequest& ret) const {
    auto it = orders.find(ret.order_id());
    if (it != orders.end()) return &it->second;
    if (ret.order_number().empty()) return nullptr;
    for (const auto& [id, order] : orders) {
      if (order.order_number() == ret.order_number()) return &order;
    }
    return nullptr;
  }
};

absl::Status JsonTo(const std::string& line, google::protobuf::Message* m) {
  google::protobuf::util::JsonParseOptions options;
  auto status = google::protobuf::util::JsonStringToMessage(line, m, options);
  if (status.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      std::string(status.message().data(), status.message().size()));
}

absl::Status ReadRecord(const std::string& line, bool want_return, Feed* feed,
                        const std::string& where) {
  const PayloadKind kind = DetectPayloadKind(line);
  if (kind == PayloadKind::kUnknown) {
    // The adapter's parser says where JSON breaks ("a.b: not valid JSON...").
    absl::Status json = ReturnRequestFromReturnGo(line).status();
    if (absl::StrContains(json.message(), ": not valid JSON at offset")) {
      return json;
    }
  }
  if (want_return) {
    absl::StatusOr<v1::ReturnRequest> ret;
    if (kind == PayloadKind::kReturnGoRma) {
      ret = ReturnRequestFromReturnGo(line);
    } else if (kind == PayloadKind::kRetconReturn) {
      v1::ReturnRequest r;
      absl::Status s = JsonTo(line, &r);
      ret = s.ok() ? absl::StatusOr<v1::ReturnRequest>(r) : s;
    } else {
      return absl::InvalidArgumentError(
          "neither a ReturnGo RMA nor a retcon.v1.ReturnRequest (or not JSON)");
    }
    if (!ret.ok()) return ret.status();
    feed->returns.push_back(*std::move(ret));
    feed->return_where.push_back(where);
    return absl::OkStatus();
  }
  absl::StatusOr<v1::SalesOrder> order;
  if (kind == PayloadKind::kShopifyOrder) {
    order = SalesOrderFromShopify(line);
  } else if (kind == PayloadKind::kRetconSalesOrder) {
    v1::SalesOrder o;
    absl::Status s = JsonTo(line, &o);
    order = s.ok() ? absl::StatusOr<v1::SalesOrder>(o) : s;
  } else {
    return absl::InvalidArgumentError(
        "neither a Shopify order nor a retcon.v1.SalesOrder (or not JSON)");
  }
  if (!order.ok()) return order.status();
  feed->orders[order->order_id()] = *std::move(order);
  return absl::OkStatus();
}

// Reads NDJSON records; a bad one is reported on `err` and skipped.
absl::Status ReadFeed(const std::string& path, bool want_returns, Feed* feed,
                      std::ostream& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    const std::string where = absl::StrCat(path, ":", number);
    if (absl::Status s = ReadRecord(line, want_returns, feed, where); !s.ok()) {
      err << "retcon rules what-if: " << where << ": " << s.message()
          << " (skipped)\n";
      ++feed->skipped;
    }
  }
  return absl::OkStatus();
}

// --- what-if: outcomes per return line -------------------------------------

constexpr char kReturnLevel[] = "(return)";

// "1 return", "2 returns".
std::string Count(size_t n, absl::string_view noun) {
  return absl::StrCat(n, " ", noun, n == 1 ? "" : "s");
}

std::string Short(absl::string_view enum_name, absl::string_view prefix) {
  absl::ConsumePrefix(&enum_name, prefix);
  return std::string(enum_name);
}

std::string Amount(const v1::Money& money) {
  absl::StatusOr<int> exponent = CurrencyExponent(money.currency_code());
  return absl::StrCat(
      money.currency_code(), " ",
      FormatMinorUnits(money.minor_units(), exponent.ok() ? *exponent : 2));
}

// What one plan did, as text per return line (and kReturnLevel).
class LineOutcomes {
 public:
  LineOutcomes(const v1::ReturnRequest& ret, const v1::PostingPlan& plan) {
    for (const v1::ReturnLine& line : ret.lines())
      lines_[line.return_line_id()];
    lines_[kReturnLevel];
    for (const auto& m : plan.stock_movements()) AddMovement(m, false);
    for (const auto& m : plan.parked_stock_movements()) AddMovement(m, true);
    for (const auto& o : plan.exchange_orders()) AddExchange(o, false);
    for (const auto& o : plan.parked_exchange_orders()) AddExchange(o, true);
    for (const auto& n : plan.credit_notes()) AddCredit(n, false);
    for (const auto& n : plan.parked_credit_notes()) AddCredit(n, true);
    for (const v1::Exception& e : plan.exceptions()) AddException(e);
  }

  std::map<std::string, std::string> Texts() const {
    std::map<std::string, std::string> texts;
    for (const auto& [id, o] : lines_) {
      const std::string exceptions =
          o.exceptions.empty() ? "-" : absl::StrJoin(o.exceptions, ",");
      if (id == kReturnLevel) {
        texts[id] = absl::StrCat(
            "shipping=",
            o.shipping.empty() ? "-" : absl::StrJoin(o.shipping, "+"),
            " exceptions=", exceptions);
        continue;
      }
      texts[id] = absl::StrCat(
          "stock=", Join(o.stock), " credit=", Join(o.credit),
          " exchange=", Join(o.exchange), " exceptions=", exceptions);
    }
    return texts;
  }

 private:
  struct Outcome {
    std::set<std::string> stock, credit, exchange, exceptions;
    std::vector<std::string> shipping;
  };

  static std::string Join(const std::set<std::string>& parts) {
    return parts.empty() ? "-" : absl::StrJoin(parts, ",");
  }

  Outcome& Line(const std::string& id) {
    auto it = lines_.find(id);
    return it == lines_.end() ? lines_[kReturnLevel] : it->second;
  }

  void AddMovement(const v1::StockMovement& m, bool held) {
    std::string text =
        held ? "held"
             : absl::StrCat(m.depot(), "/",
                            Short(v1::Disposition_Name(m.disposition()),
                                  "DISPOSITION_"));
    Line(m.return_line_id()).stock.insert(text);
    keys_[m.id().idempotency_key()].insert(m.return_line_id());
  }

  void AddExchange(const v1::ExchangeOrder& o, bool held) {
    for (const v1::ExchangeOrderLine& l : o.lines()) {
      if (l.return_line_id().empty()) continue;
      Line(l.return_line_id()).exchange.insert(held ? "held" : o.order_type());
      keys_[o.id().idempotency_key()].insert(l.return_line_id());
    }
  }

  void AddCredit(const v1::CreditNote& n, bool held) {
    for (const v1::RefundLine& l : n.lines()) {
      if (l.kind() == v1::CREDIT_LINE_KIND_SHIPPING) {
        Line(kReturnLevel)
            .shipping.push_back(
                absl::StrCat(Amount(l.gross()), held ? " held" : ""));
        continue;
      }
      if (l.return_line_id().empty()) continue;
      Line(l.return_line_id()).credit.insert(held ? "held" : "ready");
      keys_[n.id().idempotency_key()].insert(l.return_line_id());
    }
  }

  void AddException(const v1::Exception& e) {
    const std::string code =
        Short(v1::ExceptionCode_Name(e.code()), "EXCEPTION_CODE_");
    bool placed = false;
    for (const std::string& key : e.parked_keys()) {
      auto it = keys_.find(key);
      if (it == keys_.end()) continue;
      for (const std::string& line : it->second) {
        Line(line).exceptions.insert(code);
        placed = true;
      }
    }
    if (!placed) Line(kReturnLevel).exceptions.insert(code);
  }

  std::map<std::string, Outcome> lines_;
  std::map<std::string, std::set<std::string>> keys_;  // Key -> lines.
};

struct ChangeGroup {
  int64_t count = 0;
  std::vector<std::string> examples;
};

// Plans with one rule set, each order's history carried across its returns.
class WhatIfSide {
 public:
  explicit WhatIfSide(std::unique_ptr<const Planner> planner)
      : planner_(std::move(planner)) {}

  std::map<std::string, std::string> Outcomes(const v1::SalesOrder& order,
                                              const v1::ReturnRequest& ret) {
    v1::OrderHistory& history = histories_[order.order_id()];
    if (history.order_id().empty()) history.set_order_id(order.order_id());
    absl::StatusOr<v1::PostingPlan> plan = planner_->Plan(order, ret, history);
    if (!plan.ok()) {
      return {{kReturnLevel,
               absl::StrCat("<error: ", plan.status().message(), ">")}};
    }
    (void)planner_->RecordPlan(order, *plan, &history);
    for (const v1::Exception& e : plan->exceptions()) {
      ++exceptions_[Short(v1::ExceptionCode_Name(e.code()), "EXCEPTION_CODE_")];
    }
    return LineOutcomes(ret, *plan).Texts();
  }

  // Exceptions raised over the feed, by code: "NO_DEPOT_MAPPING 2, ...".
  std::string ExceptionCounts() const {
    if (exceptions_.empty()) return "none";
    std::vector<std::string> parts;
    for (const auto& [code, count] : exceptions_) {
      parts.push_back(absl::StrCat(code, " ", count));
    }
    return absl::StrJoin(parts, ", ");
  }

 private:
  std::unique_ptr<const Planner> planner_;
  std::map<std::string, v1::OrderHistory> histories_;
  std::map<std::string, int> exceptions_;
};

void PrintChanges(
    const std::map<std::pair<std::string, std::string>, ChangeGroup>& groups,
    std::ostream& out) {
  std::vector<std::pair<std::pair<std::string, std::string>, ChangeGroup>>
      sorted(groups.begin(), groups.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) {
                     return a.second.count > b.second.count;
                   });
  for (const auto& [outcomes, group] : sorted) {
    out << "\n"
        << group.count << " x\n  old: " << outcomes.first
        << "\n  new: " << outcomes.second << "\n  e.g. "
        << absl::StrJoin(group.examples, ", ") << "\n";
  }
}

// Outcomes of both rule sets, per return line, grouped by (old, new).
class OutcomeTally {
 public:
  using Groups = std::map<std::pair<std::string, std::string>, ChangeGroup>;

  explicit OutcomeTally(int max_examples) : max_examples_(max_examples) {}

  void Add(const std::string& return_id,
           const std::map<std::string, std::string>& before,
           std::map<std::string, std::string> after) {
    for (const auto& entry : before) after.emplace(entry.first, "-");
    for (const auto& [line, new_text] : after) {
      ++outcomes_;
      const auto it = before.find(line);
      const std::string old_text = it == before.end() ? "-" : it->second;
      if (old_text == new_text) continue;
      ++changed_;
      changed_returns_.insert(return_id);
      ChangeGroup& group = groups_[{old_text, new_text}];
      ++group.count;
      if (static_cast<int>(group.examples.size()) < max_examples_) {
        group.examples.push_back(line == kReturnLevel
                                     ? return_id
                                     : absl::StrCat(return_id, "/", line));
      }
    }
  }

  int64_t outcomes() const { return outcomes_; }
  int64_t changed() const { return changed_; }
  size_t changed_returns() const { return changed_returns_.size(); }
  const Groups& groups() const { return groups_; }

 private:
  int max_examples_;
  int64_t outcomes_ = 0, changed_ = 0;
  std::set<std::string> changed_returns_;
  Groups groups_;
};

absl::StatusOr<std::unique_ptr<const Planner>> PlannerFor(
    const RulesFile& file, const std::string& as_of,
    const v1::Catalog& catalog) {
  absl::StatusOr<const RulesVersion*> version = VersionAsOf(file, as_of);
  if (!version.ok()) return version.status();
  absl::StatusOr<std::unique_ptr<const Planner>> planner =
      Planner::Create((*version)->rules, catalog);
  if (!planner.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file.path, ": ", planner.status().message()));
  }
  return planner;
}

int PlannedWhatIf(const ParsedFlags& flags, const RulesFile& old_rules,
                  const RulesFile& new_rules, const Feed& feed, int examples,
                  std::ostream& out, std::ostream& err) {
  v1::Catalog catalog;
  if (flags.Has("catalog")) {
    if (absl::Status s =
            ReadDocument(flags.Value("catalog"), "catalog", &catalog);
        !s.ok()) {
      err << "retcon rules what-if: " << s.message() << "\n";
      return kExitError;
    }
  }
  const std::string as_of = flags.Value("as-of");
  absl::StatusOr<std::unique_ptr<const Planner>> old_planner =
      PlannerFor(old_rules, as_of, catalog);
  absl::StatusOr<std::unique_ptr<const Planner>> new_planner =
      old_planner.ok() ? PlannerFor(new_rules, as_of, catalog)
                       : old_planner.status();
  if (!new_planner.ok()) {
    err << "retcon rules what-if: " << new_planner.status().message() << "\n";
    return kExitError;
  }
  WhatIfSide before(*std::move(old_planner)), after(*std::move(new_planner));
  OutcomeTally tally(examples);
  int planned = 0, skipped = feed.skipped;
  for (size_t i = 0; i < feed.returns.size(); ++i) {
    const v1::ReturnRequest& ret = feed.returns[i];
    const v1::SalesOrder* order = feed.OrderOf(ret);
    if (order == nullptr) {
      err << "retcon rules what-if: " << feed.return_where[i] << ": order '"
          << ret.order_id() << "' of return '" << ret.return_id()
          << "' is not in " << flags.Value("orders") << " (skipped)\n";
      ++skipped;
      continue;
    }
    ++planned;
    tally.Add(ret.return_id(), before.Outcomes(*order, ret),
              after.Outcomes(*order, ret));
  }
  out << "What-if: " << old_rules.path << " (old) -> " << new_rules.path
      << " (new)\n"
      << "Planned " << Count(planned, "return") << " against "
      << Count(feed.orders.size(), "order") << " under both; "
      << tally.outcomes()
      << " outcomes compared (one per return line, one per return)";
  if (skipped > 0) out << "; " << Count(skipped, "record") << " skipped";
  out << "\nExceptions (old): " << before.ExceptionCounts()
      << "\nExceptions (new): " << after.ExceptionCounts()
      << "\nChanged: " << tally.changed() << " outcomes in "
      << Count(tally.changed_returns(), "return") << "\n";
  PrintChanges(tally.groups(), out);
  return skipped > 0 ? kExitSkippedRecords : kExitOk;
}

// Facts from the return alone, one per line, for depot and disposition.
v1::ReturnItemFact FactOfLine(const v1::ReturnRequest& ret,
                              const v1::ReturnLine& line) {
  v1::ReturnItemFact fact;
  fact.set_source(ret.source());
  fact.set_reason_code(line.reason_code());
  fact.set_condition(line.inspection().condition());
  if (line.inspection().has_restockable()) {
    fact.set_restockable(line.inspection().restockable());
  }
  if (line.inspection().has_returned()) {
    fact.set_returned(line.inspection().returned());
  }
  fact.set_return_location(line.inspection().return_location());
  fact.set_currency_code(ret.currency_code());
  fact.set_platform_sku(line.platform_sku());
  fact.set_resolution(line.resolution());
  fact.set_out_of_policy(ret.out_of_policy());
  fact.set_quantity(line.quantity());
  return fact;
}

int FactWhatIf(const RulesFile& old_rules, const RulesFile& new_rules,
               const std::string& as_of, const Feed& feed, int examples,
               std::ostream& out, std::ostream& err) {
  absl::StatusOr<const RulesVersion*> a = VersionAsOf(old_rules, as_of);
  absl::StatusOr<const RulesVersion*> b =
      a.ok() ? VersionAsOf(new_rules, as_of) : a;
  if (!b.ok()) {
    err << "retcon rules what-if: " << b.status().message() << "\n";
    return kExitError;
  }
  std::vector<v1::ReturnItemFact> facts;
  std::vector<FactRef> refs;
  for (const v1::ReturnRequest& ret : feed.returns) {
    for (const v1::ReturnLine& line : ret.lines())
      facts.push_back(FactOfLine(ret, line));
  }
  size_t f = 0;
  for (const v1::ReturnRequest& ret : feed.returns) {
    for (const v1::ReturnLine& line : ret.lines()) {
      refs.push_back({absl::StrCat(ret.return_id(), "/", line.return_line_id()),
                      &facts[f++]});
    }
  }
  out << "What-if: " << old_rules.path << " (old) -> " << new_rules.path
      << " (new), on facts from " << Count(feed.returns.size(), "return")
      << " alone (no orders: the order's fields are empty)";
  if (feed.skipped > 0) {
    out << "; " << Count(feed.skipped, "record") << " skipped";
  }
  out << "\n";
  for (absl::string_view decision : {"depot", "disposition"}) {
    if ((*a)->rules->DecisionIndex(decision) < 0 ||
        (*b)->rules->DecisionIndex(decision) < 0) {
      out << "\nDecision '" << decision << "': not in both rule sets\n";
      continue;
    }
    absl::StatusOr<WhatIfReport> report =
        CompareRuleSets(*(*a)->rules, *(*b)->rules, decision, refs, examples);
    if (!report.ok()) {
      err << "retcon rules what-if: " << report.status().message() << "\n";
      return kExitError;
    }
    out << "\nDecision '" << decision << "': " << report->changed << " of "
        << report->facts << " return lines change\n";
    std::map<std::pair<std::string, std::string>, ChangeGroup> groups;
    for (const OutcomeChange& c : report->changes) {
      groups[{c.old_outcome, c.new_outcome}] = {c.count, c.example_ids};
    }
    PrintChanges(groups, out);
  }
  return feed.skipped > 0 ? kExitSkippedRecords : kExitOk;
}

int RunWhatIf(const ParsedFlags& flags, std::ostream& out, std::ostream& err) {
  for (absl::string_view required : {"old", "new", "returns"}) {
    if (!flags.Has(required)) {
      return UsageError("rules what-if",
                        absl::StrCat("--", required, " is required"), err);
    }
  }
  if (flags.Has("catalog") && !flags.Has("orders")) {
    return UsageError("rules what-if", "--catalog needs --orders", err);
  }
  int examples = 5;
  if (flags.Has("examples") &&
      (!absl::SimpleAtoi(flags.Value("examples"), &examples) || examples < 0)) {
    return UsageError("rules what-if",
                      absl::StrCat("--examples ", flags.Value("examples"),
                                   ": expected a whole number >= 0"),
                      err);
  }
  if (flags.Has("as-of") && !IsDate(flags.Value("as-of"))) {
    return UsageError(
        "rules what-if",
        absl::StrCat("--as-of ", flags.Value("as-of"), ": expected YYYY-MM-DD"),
        err);
  }
  absl::StatusOr<RulesFile> old_rules = LoadRules(flags.Value("old"));
  absl::StatusOr<RulesFile> new_rules =
      old_rules.ok() ? LoadRules(flags.Value("new")) : old_rules.status();
  if (!new_rules.ok()) {
    err << "retcon rules what-if: " << new_rules.status().message() << "\n";
    return kExitError;
  }
  Feed feed;
  absl::Status read = ReadFeed(flags.Value("returns"), true, &feed, err);
  if (read.ok() && flags.Has("orders")) {
    read = ReadFeed(flags.Value("orders"), false, &feed, err);
  }
  if (!read.ok()) {
    err << "retcon rules what-if: " << read.message() << "\n";
    return kExitError;
  }
  if (flags.Has("orders")) {
    return PlannedWhatIf(flags, *old_rules, *new_rules, feed, examples, out,
                         err);
  }
  return FactWhatIf(*old_rules, *new_rules, flags.Value("as-of"), feed,
                    examples, out, err);
}

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
  // `check RULES`: the one positional argument (anywhere among the flags),
  // read as --rules RULES.
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
  const std::string command = absl::StrCat(kCommand, " ", sub);
  absl::StatusOr<ParsedFlags> flags = ParseFlags(words, kFlags);
  if (!flags.ok()) return UsageError(command, flags.status().message(), err);
  if (flags->Has("help")) {
    out << kRulesHelp;
    return kExitOk;
  }
  for (const FlagSpec& spec : kFlags) {
    if (flags->Has(spec.name) && !FlagAllowed(sub, spec.name)) {
      return UsageError(
          command, absl::StrCat("--", spec.name, " is not a flag of ", sub),
          err);
    }
  }
  if (sub == "check") return RunCheck(*flags, out, err);
  if (sub == "explain") return RunExplain(*flags, out, err);
  return RunWhatIf(*flags, out, err);
}

}  // namespace cli
}  // namespace retcon
