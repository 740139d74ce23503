// Parts of AnalyseRuleSet that have their own file.
#ifndef RETCON_LIB_RULES_INTERNAL_ANALYSIS_H_
#define RETCON_LIB_RULES_INTERNAL_ANALYSIS_H_

#include <vector>

#include "lib/rules/internal/compiled_decision.h"
#include "retcon/rules_analysis.h"

namespace retcon {
namespace rules_internal {

// Appends gap findings of `d` (none when a row accepts everything).
void ReportGaps(const CompiledDecision& d, const AnalysisOptions& options,
                std::vector<RuleFinding>& out);

}  // namespace rules_internal
}  // namespace retcon

#endif  // RETCON_LIB_RULES_INTERNAL_ANALYSIS_H_
