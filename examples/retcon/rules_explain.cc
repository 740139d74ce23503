#include "examples/retcon/rules_explain.h"

#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "examples/retcon/command_line.h"
#include "examples/retcon/documents.h"
#include "examples/retcon/rules_files.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"
#include "retcon/rules.h"
#include "retcon/rules_what_if.h"

namespace retcon {
namespace cli {
namespace {

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

// What is wrong with the command line, as UsageError tells it; OK if nothing.
absl::Status ExplainUsage(const ParsedFlags& flags) {
  for (absl::string_view required : {"rules", "fact"}) {
    if (!flags.Has(required)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", required, " is required"));
    }
  }
  const std::string& as_of = flags.Value("as-of");
  if (flags.Has("as-of") && !IsDate(as_of)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--as-of ", as_of, ": expected YYYY-MM-DD"));
  }
  return absl::OkStatus();
}

// Evaluates `fact` with each of `decisions` and prints the traces, a blank
// line between them. Returns kExitError if an evaluation failed.
int PrintTraces(const RulesFile& file, const RulesVersion& version,
                const std::vector<int>& decisions,
                const google::protobuf::Message& fact, std::ostream& out,
                std::ostream& err) {
  int exit_code = kExitOk;
  for (size_t i = 0; i < decisions.size(); ++i) {
    EvaluationTrace trace;
    absl::StatusOr<DecisionResult> result =
        version.rules->Evaluate(decisions[i], fact, &trace);
    if (i > 0) out << "\n";
    PrintTrace(file, version, decisions[i], trace, result, out);
    if (!result.ok()) {
      err << "retcon rules explain: " << result.status().message() << "\n";
      exit_code = kExitError;
    }
  }
  return exit_code;
}

}  // namespace

int RunRulesExplain(const ParsedFlags& flags, std::ostream& out,
                    std::ostream& err) {
  if (absl::Status usage = ExplainUsage(flags); !usage.ok()) {
    return UsageError("rules explain", usage.message(), err);
  }
  absl::StatusOr<RulesFile> file = LoadRules(flags.Value("rules"));
  absl::StatusOr<const RulesVersion*> version =
      file.ok() ? VersionAsOf(*file, flags.Value("as-of"))
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
  return PrintTraces(*file, **version, target->decisions, **fact, out, err);
}

}  // namespace cli
}  // namespace retcon
