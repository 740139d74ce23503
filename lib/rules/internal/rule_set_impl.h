// The concrete CompiledRuleSet: an owned copy of the rule set and one
// CompiledDecision per decision.
#ifndef RETCON_LIB_RULES_INTERNAL_RULE_SET_IMPL_H_
#define RETCON_LIB_RULES_INTERNAL_RULE_SET_IMPL_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "lib/rules/internal/compiled_decision.h"
#include "retcon/rules.h"

namespace retcon {
namespace rules_internal {

class RuleSetImpl final : public CompiledRuleSet {
 public:
  explicit RuleSetImpl(const v1::RuleSet& rule_set) : rule_set_(rule_set) {}

  absl::StatusOr<DecisionResult> Evaluate(
      absl::string_view decision, const google::protobuf::Message& fact,
      EvaluationTrace* trace) const override;
  absl::StatusOr<DecisionResult> Evaluate(
      int decision_index, const google::protobuf::Message& fact,
      EvaluationTrace* trace) const override;
  absl::Status EvaluateEach(
      absl::Span<const int> decision_indexes,
      const google::protobuf::Message& fact,
      absl::Span<DecisionResult> results) const override;
  absl::Status EvaluateEach(absl::Span<const int> decision_indexes,
                            const google::protobuf::Message& fact,
                            const FieldAccessors& accessors,
                            absl::Span<DecisionResult> results) const override;
  const v1::RuleSet& rule_set() const override { return rule_set_; }
  int DecisionIndex(absl::string_view name) const override;

  // Filled by the compiler, then never changed.
  std::vector<CompiledDecision> decisions;
  absl::flat_hash_map<std::string, int> by_name;

 private:
  // Evaluate(index, fact, trace), taking fields already read from `fact`
  // from `read` and adding those it reads (nullptr: read every input), and
  // reading through `accessors` the fields they cover (nullptr: none).
  absl::StatusOr<DecisionResult> EvaluateReading(
      int index, const google::protobuf::Message& fact, EvaluationTrace* trace,
      ReadFields* read, const FieldAccessors* accessors = nullptr) const;
  absl::Status EvaluateBatch(absl::Span<const int> decision_indexes,
                             const google::protobuf::Message& fact,
                             const FieldAccessors* accessors,
                             absl::Span<DecisionResult> results) const;

  const v1::RuleSet rule_set_;
};

}  // namespace rules_internal
}  // namespace retcon

#endif  // RETCON_LIB_RULES_INTERNAL_RULE_SET_IMPL_H_
