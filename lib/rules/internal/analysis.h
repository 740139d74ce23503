// Parts of AnalyseRuleSet shared between its files: the representative
// values ("points") of each column, a work budget, the gap search and the
// search for rows shadowed by several rows together.
#ifndef RETCON_LIB_RULES_INTERNAL_ANALYSIS_H_
#define RETCON_LIB_RULES_INTERNAL_ANALYSIS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "lib/rules/internal/compiled_decision.h"
#include "retcon/rules_analysis.h"

namespace retcon {
namespace rules_internal {

// A representative input value of one column. Without regexes, the points
// of a column split its values into classes that every cell of the column
// treats alike (accepts all or none of): each listed value, the values
// next to it and to range ends, one value listed nowhere, <missing>.
struct Point {
  bool present = true;
  int64_t number = 0;  // Integer key, enum number, bool 0/1.
  std::string text;
  std::string label;  // For findings: "42", "BROKEN", "\"GB\"", "<missing>".
};

// The points of one column that is not all `any`.
struct ColumnPoints {
  int column = -1;
  // Present points first (integers in ascending order), then <missing> when
  // the input can be missing.
  std::vector<Point> points;
  size_t present = 0;  // How many points are present values.
  // Index of the point of each listed number or text.
  absl::flat_hash_map<int64_t, int> by_number;
  absl::flat_hash_map<std::string, int> by_text;
};

// The points of every column of `d` that is not all `any`, in column order.
// Built once per decision: O(cells + points log points).
std::vector<ColumnPoints> DecisionPoints(const CompiledDecision& d);

// Work the searches of one decision may still do, in units of about one
// 64-row word of a bitset operation.
class WorkBudget {
 public:
  explicit WorkBudget(int64_t units) : left_(units) {}
  // Takes `units`; false (and exhausted from then on) when they are not
  // left.
  bool Spend(int64_t units) {
    if (exhausted_ || units > left_) {
      exhausted_ = true;
      return false;
    }
    left_ -= units;
    return true;
  }
  bool exhausted() const { return exhausted_; }

 private:
  int64_t left_;
  bool exhausted_ = false;
};

// Whether some column of `d` has a regex cell (points then do not split its
// values exactly).
bool HasRegex(const CompiledDecision& d);

// Finds rows that several earlier rows together shadow under FIRST, by
// enumerating the point combinations a row accepts. Exact for tables
// without regexes.
class TogetherSearch {
 public:
  enum class Outcome {
    kCovered,
    kNotCovered,
    kTooManyCombinations,
    kOutOfWork
  };

  TogetherSearch(const CompiledDecision& d,
                 const std::vector<ColumnPoints>& points);

  // Whether rows before `b` together accept every fact `b` accepts; if so,
  // `covering` holds them in row order (one row per combination, the first
  // accepting it). Gives up above `max_combinations` combinations.
  Outcome Search(int b, int64_t max_combinations, WorkBudget& budget,
                 std::vector<int>& covering);

 private:
  // The points of column k that row b's cell accepts.
  void AcceptedPoints(int b, size_t k, std::vector<int>& out) const;
  int64_t CountAccepted(int b, size_t k) const;

  const CompiledDecision& d_;
  const std::vector<ColumnPoints>& points_;
  std::vector<RowBits> scratch_;  // Per column, for SelectRows.
};

// Appends the gap findings of `d`: none when a row accepts everything or the
// decision has default outputs.
void ReportGaps(const CompiledDecision& d,
                const std::vector<ColumnPoints>& points,
                const AnalysisOptions& options, WorkBudget& budget,
                std::vector<RuleFinding>& out);

// A kSkipped finding of decision `d`.
RuleFinding SkippedFinding(const CompiledDecision& d,
                           const std::string& message);

}  // namespace rules_internal
}  // namespace retcon

#endif  // RETCON_LIB_RULES_INTERNAL_ANALYSIS_H_
