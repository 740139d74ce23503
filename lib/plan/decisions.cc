// The planner's use of the rule set: where each decision it reads is
// (checked once, by Planner::Create), the facts every decision shares, and
// evaluating decisions for a fact.
#include <cstddef>
#include <string>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "lib/internal/status_macros.h"
#include "lib/plan/internal/plan_context.h"
#include "retcon/rules.h"
#include "retcon/v1/facts.pb.h"

namespace retcon {
namespace plan_internal {

absl::StatusOr<DecisionRef> Resolve(const CompiledRuleSet& rules,
                                    const ExpectedDecision& want) {
  DecisionRef ref;
  ref.index = rules.DecisionIndex(want.name);
  if (ref.index < 0) return ref;
  const v1::Decision& d = rules.rule_set().decisions(ref.index);
  const std::string where = absl::StrCat("rules: decision '", want.name, "'");
  if (d.fact_type() != want.fact->full_name()) {
    return absl::InvalidArgumentError(absl::StrCat(where, " must take a ",
                                                   want.fact->full_name(),
                                                   ", not a ", d.fact_type()));
  }
  bool any = false;
  for (int k = 0; k < 2 && want.outputs[k] != nullptr; ++k) {
    for (int o = 0; o < d.outputs_size(); ++o) {
      if (d.outputs(o).name() != want.outputs[k]) continue;
      const v1::Output& out = d.outputs(o);
      if (out.type() != want.types[k] ||
          (want.enum_types[k] != nullptr &&
           out.enum_type() != want.enum_types[k])) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, " output '", want.outputs[k], "' must be of type ",
            v1::Output::Type_Name(want.types[k]),
            want.enum_types[k] != nullptr
                ? absl::StrCat(" (", want.enum_types[k], ")")
                : ""));
      }
      ref.outputs[k] = o;
      any = true;
    }
  }
  if (!any) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, " has none of the outputs the planner reads ('", want.outputs[0],
        "'",
        want.outputs[1] != nullptr ? absl::StrCat(", '", want.outputs[1], "'")
                                   : "",
        ")"));
  }
  return ref;
}

void FillCommonFacts(const PlanContext& ctx, std::string* source,
                     std::string* currency, std::string* country,
                     std::string* channel) {
  *source = ctx.ret.source();
  *currency = ctx.currency();
  *country = ctx.order.shipping_address().country_code();
  *channel = ctx.order.channel();
}

namespace {
// The rule set's EvaluateEach, reading the planner's facts through their
// generated accessors.
absl::Status Evaluate(const PlanContext& ctx, absl::Span<const int> indexes,
                      const google::protobuf::Message& fact,
                      absl::Span<DecisionResult> results) {
  const FieldAccessors* accessors = ctx.config.facts->For(fact.GetDescriptor());
  if (accessors == nullptr) {
    return ctx.config.rules->EvaluateEach(indexes, fact, results);
  }
  return ctx.config.rules->EvaluateEach(indexes, fact, *accessors, results);
}
}  // namespace

absl::Status Decide(const PlanContext& ctx, const DecisionRef& ref,
                    const google::protobuf::Message& fact,
                    const v1::Value* outputs[2]) {
  outputs[0] = outputs[1] = nullptr;
  if (ref.index < 0) return absl::OkStatus();
  DecisionResult result;
  RETCON_RETURN_IF_ERROR(Evaluate(ctx, absl::MakeConstSpan(&ref.index, 1), fact,
                                  absl::MakeSpan(&result, 1)));
  if (!result.matched()) return absl::OkStatus();
  const auto& values = result.outputs();
  for (int k = 0; k < 2; ++k) {
    if (ref.outputs[k] >= 0 && ref.outputs[k] < values.size()) {
      outputs[k] = &values[ref.outputs[k]];
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<const v1::Value*> DecideOne(
    const PlanContext& ctx, const DecisionRef& ref, int output,
    const google::protobuf::Message& fact) {
  if (ref.outputs[output] < 0) return nullptr;
  const v1::Value* outputs[2];
  RETCON_RETURN_IF_ERROR(Decide(ctx, ref, fact, outputs));
  return outputs[output];
}

absl::Status DecideEach(const PlanContext& ctx,
                        absl::Span<const DecisionOutput> wanted,
                        const google::protobuf::Message& fact,
                        absl::Span<const v1::Value*> values) {
  // Only decisions that have the output are evaluated, as DecideOne.
  absl::InlinedVector<int, 4> indexes;
  absl::InlinedVector<size_t, 4> of;  // Into `wanted`, per index.
  for (size_t i = 0; i < wanted.size(); ++i) {
    values[i] = nullptr;
    const DecisionRef& ref = *wanted[i].ref;
    if (ref.index < 0 || ref.outputs[wanted[i].output] < 0) continue;
    indexes.push_back(ref.index);
    of.push_back(i);
  }
  if (indexes.empty()) return absl::OkStatus();
  absl::InlinedVector<DecisionResult, 4> results(indexes.size());
  RETCON_RETURN_IF_ERROR(Evaluate(ctx, indexes, fact, absl::MakeSpan(results)));
  for (size_t j = 0; j < results.size(); ++j) {
    if (!results[j].matched()) continue;
    const size_t i = of[j];
    const int output = wanted[i].ref->outputs[wanted[i].output];
    const auto& outputs = results[j].outputs();
    if (output < outputs.size()) values[i] = &outputs[output];
  }
  return absl::OkStatus();
}

}  // namespace plan_internal
}  // namespace retcon
