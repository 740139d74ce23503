// CompareRuleSets: outcomes of two rule sets over one batch.
#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "retcon/rules_what_if.h"

namespace retcon {
namespace {

std::string ValueText(const v1::Value& v) {
  switch (v.kind_case()) {
    case v1::Value::kStringValue:
      return v.string_value();
    case v1::Value::kIntValue:
      return absl::StrCat(v.int_value());
    case v1::Value::kBoolValue:
      return v.bool_value() ? "true" : "false";
    case v1::Value::kMoneyValue:
      return absl::StrCat(v.money_value().currency_code(), " ",
                          v.money_value().minor_units(), " minor");
    case v1::Value::kEnumValue:
      return v.enum_value();
    default:
      return "";
  }
}

std::string OutputsText(
    const v1::Decision& d,
    const google::protobuf::RepeatedPtrField<v1::Value>& values) {
  std::vector<std::string> parts;
  for (int i = 0; i < values.size() && i < d.outputs_size(); ++i) {
    parts.push_back(
        absl::StrCat(d.outputs(i).name(), "=", ValueText(values[i])));
  }
  return absl::StrJoin(parts, ", ");
}

absl::Status CheckDecision(const CompiledRuleSet& rules, absl::string_view name,
                           const char* which) {
  if (rules.DecisionIndex(name) >= 0) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(which, " rule set has no decision '", name, "'"));
}

}  // namespace

std::string OutcomeText(const CompiledRuleSet& rules,
                        const absl::StatusOr<DecisionResult>& result) {
  if (!result.ok())
    return absl::StrCat("<error: ", result.status().message(), ">");
  if (!result->matched()) return "<no match>";
  const v1::Decision& d = rules.rule_set().decisions(result->decision_index);
  if (result->hits.empty()) return OutputsText(d, result->outputs());
  std::vector<std::string> hits;
  for (const RuleHit& hit : result->hits) {
    hits.push_back(OutputsText(d, *hit.outputs));
  }
  return absl::StrJoin(hits, " | ");
}

absl::StatusOr<WhatIfReport> CompareRuleSets(const CompiledRuleSet& before,
                                             const CompiledRuleSet& after,
                                             absl::string_view decision,
                                             absl::Span<const FactRef> facts,
                                             int max_examples) {
  absl::Status status = CheckDecision(before, decision, "the old");
  if (status.ok()) status = CheckDecision(after, decision, "the new");
  if (!status.ok()) return status;
  WhatIfReport report;
  std::map<std::pair<std::string, std::string>, OutcomeChange> changes;
  for (const FactRef& ref : facts) {
    auto old_result = before.Evaluate(decision, *ref.fact);
    auto new_result = after.Evaluate(decision, *ref.fact);
    for (const auto* r : {&old_result, &new_result}) {
      if (r->status().code() == absl::StatusCode::kInvalidArgument) {
        return absl::InvalidArgumentError(
            absl::StrCat("fact '", ref.id, "': ", r->status().message()));
      }
    }
    ++report.facts;
    std::string old_text = OutcomeText(before, old_result);
    std::string new_text = OutcomeText(after, new_result);
    if (old_text == new_text) continue;
    ++report.changed;
    OutcomeChange& change = changes[{old_text, new_text}];
    change.old_outcome = old_text;
    change.new_outcome = new_text;
    ++change.count;
    if (static_cast<int>(change.example_ids.size()) < max_examples) {
      change.example_ids.push_back(ref.id);
    }
  }
  for (auto& [key, change] : changes)
    report.changes.push_back(std::move(change));
  std::stable_sort(report.changes.begin(), report.changes.end(),
                   [](const OutcomeChange& a, const OutcomeChange& b) {
                     return a.count > b.count;
                   });
  return report;
}

}  // namespace retcon
