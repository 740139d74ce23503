// Parts of AnalyseRuleSet that have their own file.
#ifndef RETCON_LIB_RULES_INTERNAL_ANALYSIS_H_
#define RETCON_LIB_RULES_INTERNAL_ANALYSIS_H_

#include <cstdint>
#include <vector>

#include "lib/rules/internal/compiled_decision.h"
#include "retcon/rules_analysis.h"

namespace retcon {
namespace rules_internal {

// Appends gap findings of `d` (none when a row accepts everything).
void ReportGaps(const CompiledDecision& d, const AnalysisOptions& options,
                std::vector<RuleFinding>& out);

// Rows before `b` that together accept every input row `b` accepts (so `b`
// never fires under FIRST), in row order; empty when they do not, or when
// the table has regexes or more than `max_combinations` value combinations
// (the search is then not exact). Values come from the table, as for gaps.
std::vector<int> RowsCoveringTogether(const CompiledDecision& d, int b,
                                      int64_t max_combinations);

}  // namespace rules_internal
}  // namespace retcon

#endif  // RETCON_LIB_RULES_INTERNAL_ANALYSIS_H_
