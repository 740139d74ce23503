// CompareRuleSets: outcomes of two rule sets over one batch.
#include <algorithm>
#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "retcon/rules_what_if.h"

namespace retcon {
namespace {

// Whether `text` reads unambiguously without quotes in an outcome: a word
// of letters, digits and `_-./:@#+`, not a number or bool, so that it
// cannot be taken for another value or for the ", ", "=" and " | " that join
// outcomes.
bool IsPlainWord(absl::string_view text) {
  if (text.empty() || text == "true" || text == "false") return false;
  int64_t number;
  if (absl::SimpleAtoi(text, &number)) return false;
  return absl::c_all_of(text, [](char c) {
    return absl::ascii_isalnum(c) ||
           absl::string_view("_-./:@#+").find(c) != absl::string_view::npos;
  });
}

// A string as written in an outcome: as is when plain, else quoted.
std::string Word(absl::string_view text) {
  if (IsPlainWord(text)) return std::string(text);
  return absl::StrCat("\"", absl::CEscape(text), "\"");
}

std::string ValueText(const v1::Value& v) {
  switch (v.kind_case()) {
    case v1::Value::kStringValue:
      return Word(v.string_value());
    case v1::Value::kIntValue:
      return absl::StrCat(v.int_value());
    case v1::Value::kBoolValue:
      return v.bool_value() ? "true" : "false";
    case v1::Value::kMoneyValue:
      return absl::StrCat(Word(v.money_value().currency_code()), " ",
                          v.money_value().minor_units(), " minor");
    case v1::Value::kEnumValue:
      return Word(v.enum_value());
    default:
      return "<no value>";
  }
}

std::string OutputsText(
    const v1::Decision& d,
    const google::protobuf::RepeatedPtrField<v1::Value>& values) {
  std::vector<std::string> parts;
  for (int i = 0; i < values.size() && i < d.outputs_size(); ++i) {
    parts.push_back(
        absl::StrCat(Word(d.outputs(i).name()), "=", ValueText(values[i])));
  }
  return absl::StrJoin(parts, ", ");
}

// Appends `part` so that no sequence of parts reads as another.
void AddPart(absl::string_view part, std::string& key) {
  absl::StrAppend(&key, part.size(), ":", part);
}

// An outcome as a key that two outcomes share only when they are equal:
// each output's name and typed value, hit by hit, length-prefixed.
std::string OutcomeKey(const CompiledRuleSet& rules,
                       const absl::StatusOr<DecisionResult>& result) {
  std::string key;
  if (!result.ok()) {
    AddPart("error", key);
    AddPart(result.status().message(), key);
    return key;
  }
  if (!result->matched()) {
    AddPart("no match", key);
    return key;
  }
  const v1::Decision& d = rules.rule_set().decisions(result->decision_index);
  auto add_outputs =
      [&](const google::protobuf::RepeatedPtrField<v1::Value>& values) {
        AddPart("hit", key);
        for (int i = 0; i < values.size() && i < d.outputs_size(); ++i) {
          AddPart(d.outputs(i).name(), key);
          AddPart(values[i].ShortDebugString(), key);
        }
      };
  if (result->hits.empty()) add_outputs(result->outputs());
  for (const RuleHit& hit : result->hits) add_outputs(*hit.outputs);
  return key;
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
  // By (old key, new key): outcomes are compared as values, not as text.
  absl::flat_hash_map<std::pair<std::string, std::string>, OutcomeChange>
      changes;
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
    std::string old_key = OutcomeKey(before, old_result);
    std::string new_key = OutcomeKey(after, new_result);
    if (old_key == new_key) continue;
    ++report.changed;
    OutcomeChange& change = changes[{old_key, new_key}];
    if (change.count == 0) {
      change.old_outcome = OutcomeText(before, old_result);
      change.new_outcome = OutcomeText(after, new_result);
    }
    ++change.count;
    if (static_cast<int>(change.example_ids.size()) < max_examples) {
      change.example_ids.push_back(ref.id);
    }
  }
  for (auto& [key, change] : changes)
    report.changes.push_back(std::move(change));
  std::sort(
      report.changes.begin(), report.changes.end(),
      [](const OutcomeChange& a, const OutcomeChange& b) {
        return std::tie(b.count, a.old_outcome, a.new_outcome, a.example_ids) <
               std::tie(a.count, b.old_outcome, b.new_outcome, b.example_ids);
      });
  return report;
}

}  // namespace retcon
