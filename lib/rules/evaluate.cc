// Evaluation: read the inputs once, select each column's accepting rows from
// its index, AND the columns word by word, apply the hit policy.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/numeric/bits.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/rules/internal/compiled_decision.h"
#include "lib/rules/internal/rule_set_impl.h"

namespace retcon {
namespace rules_internal {
namespace {

// Buffers that evaluations on one thread reuse: the inputs' values, the
// messages on their paths, each column's selection, copies of input strings
// that reflection cannot view in place, and unions of a column's regex
// matches. Per thread, so that an evaluation neither constructs them nor,
// once they have grown, allocates. Valid until the evaluation returns.
struct EvalScratch {
  std::vector<InputValue> values;
  std::vector<const google::protobuf::Message*> held;
  std::vector<ColumnSelection> selections;
  std::vector<std::string> texts;
  std::vector<RowBits> rows;
};

EvalScratch& ThreadScratch(const CompiledDecision& d) {
  thread_local EvalScratch scratch;
  const size_t inputs = d.inputs.size();
  if (scratch.values.size() < inputs) {
    scratch.values.resize(inputs);
    scratch.selections.resize(inputs);
    scratch.texts.resize(inputs);
    scratch.rows.resize(inputs);
  }
  if (scratch.held.size() < d.message_steps.size()) {
    scratch.held.resize(d.message_steps.size());
  }
  return scratch;
}

// The rows that accept every input, one 64-row word at a time.
class MatchScan {
 public:
  MatchScan(const CompiledDecision& d, const InputValue* values,
            EvalScratch& scratch)
      : d_(d), selections_(scratch.selections.data()) {
    for (size_t c = 0; c < d.columns.size(); ++c) {
      if (d.columns[c].all_any) continue;
      SelectRowsInto(d, c, values[c], scratch.rows[c],
                     selections_[num_selections_++]);
    }
  }

  // Calls on_match(row) for matching rows in row order until it returns
  // false.
  template <typename OnMatch>
  void ForEach(OnMatch on_match) const {
    const uint64_t* all = d_.all_rows.data();
    const ColumnSelection* const end = selections_ + num_selections_;
    for (int w = 0; w < d_.num_words; ++w) {
      uint64_t acc = all[w];
      for (const ColumnSelection* s = selections_; s != end; ++s) {
        acc &= s->parts[0][w] | s->parts[1][w] | s->parts[2][w];
        if (acc == 0) break;
      }
      while (acc != 0) {
        int row = w * 64 + absl::countr_zero(acc);
        if (!on_match(row)) return;
        acc &= acc - 1;
      }
    }
  }

 private:
  const CompiledDecision& d_;
  ColumnSelection* const selections_;  // In the thread's scratch.
  size_t num_selections_ = 0;
};

RuleHit HitOf(const CompiledDecision& d, int row) {
  const v1::Row& r = d.decision->rows(row);
  return RuleHit{row, r.id(), &r.outputs()};
}

// Appends up to `limit` matching rows to the hits, in row order.
void AddMatches(const CompiledDecision& d, const MatchScan& scan, size_t limit,
                DecisionResult& result) {
  scan.ForEach([&](int row) {
    result.hits.push_back(HitOf(d, row));
    return result.hits.size() < limit;
  });
}

// The matching row of best (lowest) rank, earliest on ties; -1 for none.
int PriorityWinner(const CompiledDecision& d, const MatchScan& scan) {
  int best = -1;
  scan.ForEach([&](int row) {
    if (best < 0 || d.priority_rank[row] < d.priority_rank[best]) best = row;
    return true;
  });
  return best;
}

absl::Status ApplyPolicy(const CompiledDecision& d, const MatchScan& scan,
                         DecisionResult& result) {
  switch (d.decision->hit_policy()) {
    case v1::Decision::FIRST:
      AddMatches(d, scan, 1, result);
      return absl::OkStatus();
    case v1::Decision::UNIQUE:
      AddMatches(d, scan, 2, result);
      if (result.hits.size() < 2) return absl::OkStatus();
      return absl::FailedPreconditionError(
          absl::StrCat("decision '", d.decision->name(), "' (UNIQUE): rows '",
                       result.hits[0].row_id, "' and '", result.hits[1].row_id,
                       "' both match"));
    case v1::Decision::PRIORITY: {
      int best = PriorityWinner(d, scan);
      if (best >= 0) result.hits.push_back(HitOf(d, best));
      return absl::OkStatus();
    }
    default:  // COLLECT
      AddMatches(d, scan, SIZE_MAX, result);
      return absl::OkStatus();
  }
}

std::string WhyWinner(const CompiledDecision& d, const DecisionResult& r,
                      bool unique_failed) {
  if (unique_failed) {
    return absl::StrCat("UNIQUE: rows '", r.hits[0].row_id, "' and '",
                        r.hits[1].row_id, "' both match");
  }
  if (r.used_default) return "no row matched; default outputs";
  if (r.hits.empty()) return "no row matched; no default outputs";
  switch (d.decision->hit_policy()) {
    case v1::Decision::FIRST:
      return "first matching row";
    case v1::Decision::UNIQUE:
      return "the only matching row";
    case v1::Decision::PRIORITY:
      return d.decision->outputs(0).priority_order().empty()
                 ? "highest row priority among matches"
                 : absl::StrCat("highest in the priority_order of output '",
                                d.decision->outputs(0).name(),
                                "' among matches");
    default:
      return "COLLECT: every matching row";
  }
}

// `failed`: the hit policy refused the matches (two under UNIQUE), so there
// is no winner.
void FillTrace(const CompiledDecision& d, const InputValue* values,
               const MatchScan& scan, const DecisionResult& result, bool failed,
               EvaluationTrace& trace) {
  trace = EvaluationTrace{};
  trace.decision = d.decision->name();
  for (size_t c = 0; c < d.inputs.size(); ++c) {
    trace.inputs.emplace_back(d.inputs[c].path,
                              RenderInput(d.inputs[c], values[c]));
  }
  scan.ForEach([&](int row) {
    trace.matched_row_ids.push_back(d.decision->rows(row).id());
    return true;
  });
  if (!failed && !result.hits.empty() &&
      d.decision->hit_policy() != v1::Decision::COLLECT) {
    trace.winner = std::string(result.hits[0].row_id);
  }
  trace.reason = WhyWinner(d, result, failed);
}

}  // namespace

int RuleSetImpl::DecisionIndex(absl::string_view name) const {
  auto it = by_name.find(name);
  return it == by_name.end() ? -1 : it->second;
}

absl::StatusOr<DecisionResult> RuleSetImpl::Evaluate(
    absl::string_view decision, const google::protobuf::Message& fact,
    EvaluationTrace* trace) const {
  int index = DecisionIndex(decision);
  if (index < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown decision '", decision, "'"));
  }
  return Evaluate(index, fact, trace);
}

absl::StatusOr<DecisionResult> RuleSetImpl::Evaluate(
    int index, const google::protobuf::Message& fact,
    EvaluationTrace* trace) const {
  return EvaluateReading(index, fact, trace, nullptr);
}

absl::Status RuleSetImpl::EvaluateEach(
    absl::Span<const int> decision_indexes,
    const google::protobuf::Message& fact,
    absl::Span<DecisionResult> results) const {
  return EvaluateBatch(decision_indexes, fact, nullptr, results);
}

absl::Status RuleSetImpl::EvaluateEach(
    absl::Span<const int> decision_indexes,
    const google::protobuf::Message& fact, const FieldAccessors& accessors,
    absl::Span<DecisionResult> results) const {
  return EvaluateBatch(decision_indexes, fact, &accessors, results);
}

absl::Status RuleSetImpl::EvaluateBatch(
    absl::Span<const int> decision_indexes,
    const google::protobuf::Message& fact, const FieldAccessors* accessors,
    absl::Span<DecisionResult> results) const {
  if (results.size() != decision_indexes.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("EvaluateEach: ", decision_indexes.size(),
                     " decisions but room for ", results.size(), " results"));
  }
  // Per thread and reused: fields read for this fact, kept for the batch.
  thread_local ReadFields read;
  read.values.clear();
  for (size_t i = 0; i < decision_indexes.size(); ++i) {
    absl::StatusOr<DecisionResult> result =
        EvaluateReading(decision_indexes[i], fact, nullptr, &read, accessors);
    if (!result.ok()) return result.status();
    results[i] = *std::move(result);
  }
  return absl::OkStatus();
}

absl::StatusOr<DecisionResult> RuleSetImpl::EvaluateReading(
    int index, const google::protobuf::Message& fact, EvaluationTrace* trace,
    ReadFields* read, const FieldAccessors* accessors) const {
  if (index < 0 || static_cast<size_t>(index) >= decisions.size()) {
    return absl::InvalidArgumentError(absl::StrCat("no decision has index ",
                                                   index, " (the rule set has ",
                                                   decisions.size(), ")"));
  }
  const CompiledDecision& d = decisions[index];
  // The same generated reflection implies the same type; one virtual call.
  const bool generated = d.generated_reflection != nullptr &&
                         fact.GetReflection() == d.generated_reflection;
  if (!generated && fact.GetDescriptor() != d.fact_type) {
    return absl::InvalidArgumentError(
        absl::StrCat("decision '", d.decision->name(), "' takes a ",
                     d.fact_type->full_name(), ", not a ",
                     fact.GetDescriptor()->full_name()));
  }
  EvalScratch& scratch = ThreadScratch(d);
  InputValue* values = scratch.values.data();
  ReadInputs(d, fact, generated, values, scratch.held.data(),
             scratch.texts.data(), read, accessors);
  MatchScan scan(d, values, scratch);
  DecisionResult result;
  result.decision_index = index;
  absl::Status status = ApplyPolicy(d, scan, result);
  if (status.ok() && result.hits.empty() &&
      !d.decision->default_outputs().empty()) {
    result.used_default = true;
    result.default_outputs = &d.decision->default_outputs();
  }
  if (trace != nullptr) {
    FillTrace(d, values, scan, result, !status.ok(), *trace);
  }
  if (!status.ok()) return status;
  return result;
}

}  // namespace rules_internal

absl::Status CompiledRuleSet::EvaluateEach(
    absl::Span<const int> decision_indexes,
    const google::protobuf::Message& fact,
    absl::Span<DecisionResult> results) const {
  if (results.size() != decision_indexes.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("EvaluateEach: ", decision_indexes.size(),
                     " decisions but room for ", results.size(), " results"));
  }
  for (size_t i = 0; i < decision_indexes.size(); ++i) {
    absl::StatusOr<DecisionResult> result = Evaluate(decision_indexes[i], fact);
    if (!result.ok()) return result.status();
    results[i] = *std::move(result);
  }
  return absl::OkStatus();
}

absl::Status CompiledRuleSet::EvaluateEach(
    absl::Span<const int> decision_indexes,
    const google::protobuf::Message& fact, const FieldAccessors& /*accessors*/,
    absl::Span<DecisionResult> results) const {
  return EvaluateEach(decision_indexes, fact, results);
}

const google::protobuf::RepeatedPtrField<v1::Value>& DecisionResult::outputs()
    const {
  static const auto* const kNone =
      new google::protobuf::RepeatedPtrField<v1::Value>();
  if (!hits.empty()) return *hits[0].outputs;
  if (used_default) return *default_outputs;
  return *kNone;
}

}  // namespace retcon
