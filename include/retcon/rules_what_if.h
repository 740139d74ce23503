// What-if: compare two rule sets over a batch of facts before switching.
// Facts whose outcome differs are grouped by (old outcome, new outcome),
// with counts and example fact ids.
//
//   std::vector<retcon::FactRef> batch = {{"RMA-1/L1", &line1}, ...};
//   absl::StatusOr<retcon::WhatIfReport> report =
//       retcon::CompareRuleSets(*current, *proposed, "depot", batch);
//   for (const auto& c : report->changes)
//     // "depot=LEEDS, disposition=SELLABLE" -> "depot=YORK, ...": 42 facts
//
// An outcome is the decision's output values as "name=value, ..." (COLLECT:
// each hit's, joined by " | "), "<no match>", or "<error: ...>" for an
// evaluation error (two matches under UNIQUE). A string value or name is
// written as is when it is a plain word (letters, digits, `_-./:@#+`, not a
// number or bool), else quoted and C-escaped ("1, b=2"). Outcomes are
// compared and grouped as typed values, never by this text. Thread-safe;
// pure.
#ifndef RETCON_RULES_WHAT_IF_H_
#define RETCON_RULES_WHAT_IF_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "google/protobuf/message.h"
#include "retcon/rules.h"

namespace retcon {

// A fact and the id to cite it by. The fact is not owned.
struct FactRef {
  std::string id;
  const google::protobuf::Message* fact = nullptr;
};

struct OutcomeChange {
  std::string old_outcome;
  std::string new_outcome;
  int64_t count = 0;
  std::vector<std::string> example_ids;  // The first few, in batch order.
};

struct WhatIfReport {
  int64_t facts = 0;    // Facts compared.
  int64_t changed = 0;  // Facts whose outcome differs.
  // One entry per (old, new) pair; most frequent first, ties by old, new.
  std::vector<OutcomeChange> changes;
};

// Evaluates `decision` of both rule sets on every fact. InvalidArgument when
// either rule set lacks the decision or a fact is of the wrong type.
absl::StatusOr<WhatIfReport> CompareRuleSets(const CompiledRuleSet& before,
                                             const CompiledRuleSet& after,
                                             absl::string_view decision,
                                             absl::Span<const FactRef> facts,
                                             int max_examples = 5);

// The outcome text of one result of `decision` in `rules` (see above).
std::string OutcomeText(const CompiledRuleSet& rules,
                        const absl::StatusOr<DecisionResult>& result);

}  // namespace retcon

#endif  // RETCON_RULES_WHAT_IF_H_
