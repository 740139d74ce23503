#include "examples/retcon/rules_check.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "examples/retcon/rules_files.h"
#include "retcon/planner.h"
#include "retcon/rules_analysis.h"
#include "retcon/v1/catalog.pb.h"

namespace retcon {
namespace cli {
namespace {

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

// Prints a version's decisions and the findings of its analysis (each at its
// line), counting the findings by kind into `by_kind`.
void PrintAnalysis(const RulesFile& file, const RulesVersion& version,
                   std::map<std::string, int>* by_kind, std::ostream& out) {
  const v1::RuleSet& set = version.rules->rule_set();
  out << file.path << ": " << Describe(set) << ", " << set.decisions_size()
      << (set.decisions_size() == 1 ? " decision\n" : " decisions\n");
  PrintDecisions(set, out);
  for (const RuleFinding& f : AnalyseRuleSet(*version.rules)) {
    const std::string row = f.row_ids.empty() ? "" : f.row_ids.front();
    out << Where(file, version, f.decision, row) << ": " << KindName(f) << ": "
        << f.message << "\n";
    ++(*by_kind)[std::string(KindName(f))];
  }
}

// The last line of the check: "OK: valid, no findings", or the findings
// counted by kind. Returns the exit code (findings fail only when `strict`).
int PrintVerdict(const std::map<std::string, int>& by_kind, bool strict,
                 std::ostream& out) {
  int findings = 0;
  std::vector<std::string> counts;
  for (const auto& [kind, count] : by_kind) {
    findings += count;
    counts.push_back(absl::StrCat(count, " ", kind, count == 1 ? "" : "s"));
  }
  if (findings == 0) {
    out << "OK: valid, no findings\n";
    return kExitOk;
  }
  out << (strict ? "FAILED (--strict)" : "OK: valid") << ", " << findings
      << (findings == 1 ? " finding" : " findings") << " ("
      << absl::StrJoin(counts, ", ") << ")\n";
  return strict ? kExitError : kExitOk;
}

}  // namespace

int RunRulesCheck(const ParsedFlags& flags, std::ostream& out,
                  std::ostream& err) {
  if (!flags.Has("rules")) {
    return UsageError("rules check", "the rules file is required", err);
  }
  absl::StatusOr<RulesFile> file = LoadRules(flags.Value("rules"));
  if (!file.ok()) {
    err << "retcon rules check: " << file.status().message() << "\n";
    return kExitError;
  }
  std::map<std::string, int> by_kind;
  for (const RulesVersion& version : file->versions) {
    if (absl::Status s = CheckPlannerDecisions(*file, version); !s.ok()) {
      err << "retcon rules check: " << s.message() << "\n";
      return kExitError;
    }
    PrintAnalysis(*file, version, &by_kind, out);
  }
  return PrintVerdict(by_kind, flags.Has("strict"), out);
}

}  // namespace cli
}  // namespace retcon
