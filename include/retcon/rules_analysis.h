// Static analysis of compiled decision tables: shadowed rows, overlaps under
// UNIQUE, gaps, unreachable output values. Each finding cites row ids.
//
//   for (const retcon::RuleFinding& f : retcon::AnalyseRuleSet(*rules)) {
//     std::cout << f.message << "\n";
//     // "decision 'depot': row 'R9' is shadowed by row 'R2' (FIRST)"
//   }
//
// Semantics and limits:
// - Shadowed (FIRST): earlier rows accept everything the row accepts: one
//   row alone (exact, regexes compared by pattern), or several together
//   (searched over the table's values as for gaps; only for tables without
//   regexes and within max_shadow_combinations per row).
// - Overlap (UNIQUE): two rows that can match one fact. `certain` is false
//   only when regexes (other than the same pattern) keep it from being
//   decided; not_one_of lists over bools and closed enums are decided value
//   by value. The first max_overlaps_reported
//   pairs are listed, then one finding with the count of all.
// - Gap (no catch-all row, no default outputs): a combination of input
//   values no row accepts. Each finding is the first gap not yet listed,
//   widened input by input (from the last) to "<any>" while every
//   combination it then stands for is a gap; findings may overlap.
//   Values are drawn from the table: every enum value (and for open, proto3
//   enums one number no value names), true/false, the boundaries of ranges
//   and listed values within the field's range, one "other" string, and
//   <missing> for inputs that can be missing. Regexes are tested on those
//   values only. Skipped (with a finding) above max_gap_combinations.
// - Unreachable output value: appears only in shadowed rows, or is listed in
//   a priority_order no row produces.
// Cost: the pairwise checks take candidate rows from the column indexes, so
// a decision costs about rows x columns x rows / 64 word operations (a
// 10,000-row table: tens of milliseconds), plus the enumerations above.
// Each decision's searches share AnalysisOptions::max_work; when it runs
// out they stop, with a kSkipped finding saying what was not checked.
// Pure function of the compiled rules; thread-safe.
#ifndef RETCON_RULES_ANALYSIS_H_
#define RETCON_RULES_ANALYSIS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "retcon/rules.h"

namespace retcon {

struct RuleFinding {
  enum Kind { kShadowedRow, kOverlap, kGap, kUnreachableOutput, kSkipped };
  Kind kind = kShadowedRow;
  std::string decision;
  // kShadowedRow: {shadowed, covering...}; kOverlap: {first, second};
  // kUnreachableOutput: the rows that carry the value.
  std::vector<std::string> row_ids;
  // kGap: (input path, value) per input; value "<any>" for an input no
  // value of which is covered (given the others).
  std::vector<std::pair<std::string, std::string>> inputs;
  bool certain = true;  // kOverlap only: false for "may overlap (regex)".
  std::string message;  // One line for people.
};

struct AnalysisOptions {
  // Largest number of value combinations a gap search enumerates.
  int64_t max_gap_combinations = 200000;
  // Largest number of value combinations searched per row when looking for
  // rows shadowed by several earlier rows together.
  int64_t max_shadow_combinations = 4096;
  // Gap findings reported per decision (when they do not stand for every
  // uncovered combination, a last kGap finding, with no inputs, counts
  // them).
  int max_gaps_reported = 20;
  // Overlapping row pairs reported per UNIQUE decision (the count of all is
  // in a last kOverlap finding, with no row ids).
  int max_overlaps_reported = 20;
  // Work the searches of one decision may do, in units of about one 64-row
  // word of a bitset operation (roughly a nanosecond each). When it is
  // spent, the searches stop and a kSkipped finding says which rows or
  // combinations were not checked.
  int64_t max_work = 2'000'000'000;
};

// Analyses every decision of `rules`.
// REQUIRES: `rules` was built by CompileRuleSet.
std::vector<RuleFinding> AnalyseRuleSet(const CompiledRuleSet& rules,
                                        const AnalysisOptions& options = {});

}  // namespace retcon

#endif  // RETCON_RULES_ANALYSIS_H_
