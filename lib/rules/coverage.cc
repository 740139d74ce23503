// RowCoverage: relaxed atomic counters per row.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "retcon/rules.h"

namespace retcon {

RowCoverage::RowCoverage(const CompiledRuleSet& rules) : rules_(rules) {
  for (const v1::Decision& d : rules.rule_set().decisions()) {
    auto counts = std::make_unique<std::atomic<int64_t>[]>(d.rows_size());
    for (int r = 0; r < d.rows_size(); ++r) counts[r].store(0);
    counts_.push_back(std::move(counts));
  }
}

namespace {

// Whether `hit` is row `hit.row_index` of decision `d` of `rs`: the index is
// in range and the outputs are that row's (a result of another rule set
// views another copy).
bool IsRowOf(const v1::RuleSet& rs, int d, const RuleHit& hit) {
  if (d < 0 || d >= rs.decisions_size()) return false;
  const v1::Decision& decision = rs.decisions(d);
  return hit.row_index >= 0 && hit.row_index < decision.rows_size() &&
         hit.outputs == &decision.rows(hit.row_index).outputs();
}

}  // namespace

void RowCoverage::Record(const DecisionResult& result) {
  const v1::RuleSet& rs = rules_.rule_set();
  for (const RuleHit& hit : result.hits) {
    if (!IsRowOf(rs, result.decision_index, hit)) {
      foreign_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    counts_[result.decision_index][hit.row_index].fetch_add(
        1, std::memory_order_relaxed);
  }
}

int64_t RowCoverage::Count(int decision_index, int row_index) const {
  const v1::RuleSet& rs = rules_.rule_set();
  if (decision_index < 0 || decision_index >= rs.decisions_size() ||
      row_index < 0 || row_index >= rs.decisions(decision_index).rows_size()) {
    return 0;
  }
  return counts_[decision_index][row_index].load(std::memory_order_relaxed);
}

std::vector<RowCoverage::UnfiredRow> RowCoverage::NeverFired() const {
  std::vector<UnfiredRow> unfired;
  const v1::RuleSet& rs = rules_.rule_set();
  for (int d = 0; d < rs.decisions_size(); ++d) {
    for (int r = 0; r < rs.decisions(d).rows_size(); ++r) {
      if (Count(d, r) == 0) {
        unfired.push_back(
            {rs.decisions(d).name(), rs.decisions(d).rows(r).id()});
      }
    }
  }
  return unfired;
}

}  // namespace retcon
