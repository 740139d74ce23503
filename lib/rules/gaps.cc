// Points (representative input values drawn from the table), and the two
// searches that enumerate combinations of them through the evaluator's
// column indexes: gaps, and rows shadowed by several rows together.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/numeric/bits.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/rules/internal/analysis.h"
#include "lib/rules/internal/cell_algebra.h"

namespace retcon {
namespace rules_internal {
namespace {

// Adds key `n` and its neighbours within the field's range.
void AddNumber(const InputPath& in, int64_t n, std::vector<int64_t>& out) {
  out.push_back(n);
  if (n > in.min_key) out.push_back(n - 1);
  if (n < in.max_key) out.push_back(n + 1);
}

void IntegerPoints(const CompiledDecision& d, int c, ColumnPoints& cp) {
  const InputPath& in = d.inputs[c];
  std::vector<int64_t> numbers;
  for (int r = 0; r < d.num_rows; ++r) {
    const NormalCell& cell = d.cells[r][c];
    for (int64_t n : cell.numbers) AddNumber(in, n, numbers);
    if (cell.kind != NormalCell::kRange) continue;
    if (cell.low > in.min_key) AddNumber(in, cell.low, numbers);
    if (cell.high < in.max_key) AddNumber(in, cell.high, numbers);
  }
  if (numbers.empty()) numbers.push_back(KeyOf(in, 0));
  std::sort(numbers.begin(), numbers.end());
  numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  for (int64_t n : numbers) {
    cp.points.push_back({true, n, "", NumberText(in, n)});
  }
}

void StringPoints(const CompiledDecision& d, int c, ColumnPoints& cp) {
  absl::flat_hash_set<std::string> seen;
  auto add = [&](const std::string& s) {
    if (seen.insert(s).second) {
      cp.points.push_back({true, 0, s, absl::StrCat("\"", s, "\"")});
    }
  };
  for (int r = 0; r < d.num_rows; ++r) {
    const NormalCell& cell = d.cells[r][c];
    for (const std::string& s : cell.texts) add(s);
    if (cell.kind == NormalCell::kRegex && cell.regex.size() > 1 &&
        cell.regex[0] == '^') {
      add(cell.regex.substr(1));
    }
  }
  std::string other = "\x1f";  // A text no cell lists.
  while (seen.contains(other)) other += '\x1f';
  cp.points.push_back({true, 0, other, "<any other value>"});
}

// Every named value; for an open enum also one number no value names (a
// newer writer's value), which only `any`, `is_present` and `not_one_of`
// cells accept.
void EnumPoints(const InputPath& in, ColumnPoints& cp) {
  absl::flat_hash_set<int> seen;  // Aliases share a number.
  for (int i = 0; i < in.enum_type->value_count(); ++i) {
    const auto* v = in.enum_type->value(i);
    if (seen.insert(v->number()).second) {
      cp.points.push_back({true, v->number(), "", v->name()});
    }
  }
  if (!in.open_enum) return;
  int unnamed = 0;
  while (seen.contains(unnamed)) ++unnamed;
  cp.points.push_back({true, unnamed, "", "<any unnamed value>"});
}

ColumnPoints PointsOf(const CompiledDecision& d, int c) {
  const InputPath& in = d.inputs[c];
  ColumnPoints cp;
  cp.column = c;
  switch (in.kind) {
    case InputKind::kEnum:
      EnumPoints(in, cp);
      break;
    case InputKind::kBool:
      cp.points = {{true, 0, "", "false"}, {true, 1, "", "true"}};
      break;
    case InputKind::kInteger:
      IntegerPoints(d, c, cp);
      break;
    case InputKind::kString:
      StringPoints(d, c, cp);
      break;
    default:
      cp.points = {{true, 0, "", "<present>"}};
  }
  cp.present = cp.points.size();
  for (size_t i = 0; i < cp.present; ++i) {
    const Point& p = cp.points[i];
    if (in.kind == InputKind::kString) {
      cp.by_text.emplace(p.text, static_cast<int>(i));
    } else {
      cp.by_number.emplace(p.number, static_cast<int>(i));
    }
  }
  if (CanBeMissing(in)) cp.points.push_back({false, 0, "", "<missing>"});
  return cp;
}

bool HasCatchAll(const CompiledDecision& d) {
  for (int r = 0; r < d.num_rows; ++r) {
    bool all_any = true;
    for (const NormalCell& cell : d.cells[r]) {
      all_any = all_any && cell.kind == NormalCell::kAny;
    }
    if (all_any) return true;
  }
  return false;
}

// Combinations of one point per column (the last column varying fastest),
// with the rows accepting each. The rows accepting the first k points are
// kept per k, so a step recomputes only the columns that changed.
class PointCombinations {
 public:
  // `choices[k]`: indexes into points[k].points to try. `start`: `words`
  // words of the rows to consider.
  PointCombinations(const CompiledDecision& d,
                    const std::vector<ColumnPoints>& points,
                    std::vector<std::vector<int>> choices,
                    const uint64_t* start, int words,
                    std::vector<RowBits>& scratch)
      : d_(d),
        points_(points),
        choices_(std::move(choices)),
        words_(words),
        scratch_(scratch),
        at_(choices_.size(), 0),
        levels_(choices_.size() + 1, RowBits(words)) {
    std::copy(start, start + words, levels_[0].begin());
  }

  // Work to compute the rows of the current combination.
  int64_t Cost() const { return (at_.size() - valid_) * int64_t{words_}; }

  // The rows accepting the current combination (words() words).
  const RowBits& Rows() {
    for (size_t k = valid_; k < at_.size(); ++k) {
      const Point& p = point(k);
      InputValue v{p.present, p.number, p.text};
      ColumnSelection s =
          SelectRows(d_, points_[k].column, v, scratch_[points_[k].column]);
      const RowBits& in = levels_[k];
      RowBits& out = levels_[k + 1];
      for (int w = 0; w < words_; ++w) {
        out[w] = in[w] & (s.parts[0][w] | s.parts[1][w] | s.parts[2][w]);
      }
    }
    valid_ = at_.size();
    return levels_.back();
  }

  // Moves to the next combination; false after the last.
  bool Next() {
    for (size_t k = at_.size(); k-- > 0;) {
      valid_ = std::min(valid_, k);
      if (++at_[k] < choices_[k].size()) return true;
      at_[k] = 0;
    }
    return false;
  }

  const Point& point(size_t k) const { return points_[k].points[index(k)]; }
  // The index in points[k].points of the current combination's point.
  int index(size_t k) const { return choices_[k][at_[k]]; }

 private:
  const CompiledDecision& d_;
  const std::vector<ColumnPoints>& points_;
  const std::vector<std::vector<int>> choices_;
  const int words_;
  std::vector<RowBits>& scratch_;
  std::vector<size_t> at_;
  std::vector<RowBits> levels_;  // levels_[k]: rows accepting points < k.
  size_t valid_ = 0;             // levels_[0..valid_] are up to date.
};

bool AnyBit(const RowBits& rows) {
  for (uint64_t word : rows) {
    if (word != 0) return true;
  }
  return false;
}

// A gap: one point index per column, or kAnyPoint for a column every point
// of which is uncovered (given the others).
constexpr int kAnyPoint = -1;
using Gap = std::vector<int>;

bool Covers(const Gap& cube, const Gap& gap) {
  for (size_t k = 0; k < cube.size(); ++k) {
    if (cube[k] != kAnyPoint && cube[k] != gap[k]) return false;
  }
  return true;
}

// True when every combination `cube` stands for is among `uncovered`.
bool AllUncovered(const Gap& cube, const std::vector<ColumnPoints>& points,
                  const absl::flat_hash_set<Gap>& uncovered,
                  WorkBudget& budget) {
  int64_t combinations = 1;
  for (size_t k = 0; k < cube.size(); ++k) {
    if (cube[k] != kAnyPoint) continue;
    combinations *= static_cast<int64_t>(points[k].points.size());
    if (combinations > static_cast<int64_t>(uncovered.size())) return false;
  }
  if (!budget.Spend(combinations)) return false;
  Gap at = cube;
  for (size_t k = 0; k < at.size(); ++k) {
    if (cube[k] == kAnyPoint) at[k] = 0;
  }
  while (true) {
    if (!uncovered.contains(at)) return false;
    size_t k = at.size();
    while (k-- > 0) {
      if (cube[k] != kAnyPoint) continue;
      if (++at[k] < static_cast<int>(points[k].points.size())) break;
      at[k] = 0;
    }
    if (k == static_cast<size_t>(-1)) return true;
  }
}

// Up to `max` findings covering the gaps in order: each the first gap not
// covered yet, widened input by input (from the last) to "any value" while
// every combination it then stands for is a gap.
std::vector<Gap> GapCubes(const std::vector<Gap>& gaps,
                          const std::vector<ColumnPoints>& points, size_t max,
                          WorkBudget& budget) {
  const absl::flat_hash_set<Gap> uncovered(gaps.begin(), gaps.end());
  std::vector<Gap> cubes;
  for (const Gap& gap : gaps) {
    if (cubes.size() == max) break;
    if (std::any_of(cubes.begin(), cubes.end(),
                    [&](const Gap& c) { return Covers(c, gap); })) {
      continue;
    }
    Gap cube = gap;
    for (size_t k = cube.size(); k-- > 0;) {
      Gap wider = cube;
      wider[k] = kAnyPoint;
      if (AllUncovered(wider, points, uncovered, budget)) cube = wider;
    }
    cubes.push_back(std::move(cube));
  }
  return cubes;
}

RuleFinding GapFinding(const CompiledDecision& d,
                       const std::vector<ColumnPoints>& points,
                       const Gap& gap) {
  RuleFinding f;
  f.kind = RuleFinding::kGap;
  f.decision = d.decision->name();
  std::vector<std::string> parts, any;
  // Every input, in order: those whose cells are all `any` have no points
  // (DecisionPoints) and are "<any>" like a widened one.
  size_t k = 0;
  for (size_t c = 0; c < d.inputs.size(); ++c) {
    const std::string& path = d.inputs[c].path;
    const bool searched =
        k < points.size() && points[k].column == static_cast<int>(c);
    if (!searched || gap[k] == kAnyPoint) {
      f.inputs.emplace_back(path, "<any>");
      any.push_back(path);
    } else {
      f.inputs.emplace_back(path, points[k].points[gap[k]].label);
      parts.push_back(absl::StrCat(path, " = ", f.inputs.back().second));
    }
    if (searched) ++k;
  }
  f.message =
      absl::StrCat("decision '", f.decision, "': no row covers ",
                   parts.empty() ? "any fact" : absl::StrJoin(parts, ", "));
  if (!parts.empty() && !any.empty()) {
    absl::StrAppend(&f.message, " (any ", absl::StrJoin(any, ", "), ")");
  }
  return f;
}

}  // namespace

std::vector<ColumnPoints> DecisionPoints(const CompiledDecision& d) {
  std::vector<ColumnPoints> points;
  for (size_t c = 0; c < d.inputs.size(); ++c) {
    if (!d.columns[c].all_any) points.push_back(PointsOf(d, c));
  }
  return points;
}

bool HasRegex(const CompiledDecision& d) {
  for (const ColumnIndex& col : d.columns) {
    if (!col.prefix_rows.empty() || col.regex_set != nullptr) return true;
  }
  return false;
}

RuleFinding SkippedFinding(const CompiledDecision& d,
                           const std::string& message) {
  RuleFinding f;
  f.kind = RuleFinding::kSkipped;
  f.decision = d.decision->name();
  f.message = absl::StrCat("decision '", f.decision, "': ", message);
  return f;
}

TogetherSearch::TogetherSearch(const CompiledDecision& d,
                               const std::vector<ColumnPoints>& points)
    : d_(d), points_(points), scratch_(d.inputs.size()) {}

namespace {

// The present points [first, last) of `cp` within the range [low, high]
// (integer points are in ascending order).
std::pair<int, int> PointsInRange(const ColumnPoints& cp, int64_t low,
                                  int64_t high) {
  auto begin = cp.points.begin();
  auto end = begin + cp.present;
  auto first = std::lower_bound(
      begin, end, low, [](const Point& p, int64_t n) { return p.number < n; });
  auto last = std::upper_bound(
      first, end, high, [](int64_t n, const Point& p) { return n < p.number; });
  return {static_cast<int>(first - begin), static_cast<int>(last - begin)};
}

}  // namespace

int64_t TogetherSearch::CountAccepted(int b, size_t k) const {
  const ColumnPoints& cp = points_[k];
  const NormalCell& cell = d_.cells[b][cp.column];
  const size_t listed = cell.numbers.size() + cell.texts.size();
  switch (cell.kind) {
    case NormalCell::kAny:
      return static_cast<int64_t>(cp.points.size());
    case NormalCell::kMissing:
      return static_cast<int64_t>(cp.points.size() - cp.present);
    case NormalCell::kPresent:
      return static_cast<int64_t>(cp.present);
    case NormalCell::kIn:  // Every listed value is a point.
      return static_cast<int64_t>(listed);
    case NormalCell::kNotIn:
      return static_cast<int64_t>(cp.present - listed);
    default: {  // kRange; tables with regexes are not searched.
      auto [first, last] = PointsInRange(cp, cell.low, cell.high);
      return last - first;
    }
  }
}

void TogetherSearch::AcceptedPoints(int b, size_t k,
                                    std::vector<int>& out) const {
  const ColumnPoints& cp = points_[k];
  const NormalCell& cell = d_.cells[b][cp.column];
  out.clear();
  auto add_run = [&](size_t first, size_t last) {
    for (size_t i = first; i < last; ++i) out.push_back(static_cast<int>(i));
  };
  std::vector<int> listed;
  for (int64_t n : cell.numbers) listed.push_back(cp.by_number.at(n));
  for (const std::string& s : cell.texts) listed.push_back(cp.by_text.at(s));
  std::sort(listed.begin(), listed.end());
  switch (cell.kind) {
    case NormalCell::kAny:
      return add_run(0, cp.points.size());
    case NormalCell::kMissing:
      return add_run(cp.present, cp.points.size());
    case NormalCell::kPresent:
      return add_run(0, cp.present);
    case NormalCell::kIn:
      out = std::move(listed);
      return;
    case NormalCell::kNotIn:
      for (size_t i = 0; i < cp.present; ++i) {
        if (!std::binary_search(listed.begin(), listed.end(),
                                static_cast<int>(i))) {
          out.push_back(static_cast<int>(i));
        }
      }
      return;
    default: {  // kRange
      auto [first, last] = PointsInRange(cp, cell.low, cell.high);
      return add_run(first, last);
    }
  }
}

TogetherSearch::Outcome TogetherSearch::Search(int b, int64_t max_combinations,
                                               WorkBudget& budget,
                                               std::vector<int>& covering) {
  covering.clear();
  int64_t combinations = 1;
  for (size_t k = 0; k < points_.size(); ++k) {
    combinations *= CountAccepted(b, k);
    if (combinations == 0) return Outcome::kNotCovered;  // b accepts nothing.
    if (combinations > max_combinations) {
      return Outcome::kTooManyCombinations;
    }
  }
  std::vector<std::vector<int>> choices(points_.size());
  for (size_t k = 0; k < points_.size(); ++k) {
    AcceptedPoints(b, k, choices[k]);
  }
  // Only rows before b, in the words up to b's.
  const int words = (b >> 6) + 1;
  RowBits before(d_.all_rows.begin(), d_.all_rows.begin() + words);
  before[words - 1] &= (uint64_t{1} << (b & 63)) - 1;
  PointCombinations combination(d_, points_, std::move(choices), before.data(),
                                words, scratch_);
  do {
    if (!budget.Spend(combination.Cost() + 1)) return Outcome::kOutOfWork;
    const RowBits& rows = combination.Rows();
    int first = -1;
    for (int w = 0; w < words && first < 0; ++w) {
      if (rows[w] != 0) first = w * 64 + absl::countr_zero(rows[w]);
    }
    if (first < 0) {
      covering.clear();
      return Outcome::kNotCovered;
    }
    covering.push_back(first);
  } while (combination.Next());
  std::sort(covering.begin(), covering.end());
  covering.erase(std::unique(covering.begin(), covering.end()), covering.end());
  return Outcome::kCovered;
}

void ReportGaps(const CompiledDecision& d,
                const std::vector<ColumnPoints>& points,
                const AnalysisOptions& options, WorkBudget& budget,
                std::vector<RuleFinding>& out) {
  // Default outputs answer every fact no row fits: there are no gaps.
  if (!d.decision->default_outputs().empty() || HasCatchAll(d)) return;
  int64_t combinations = 1;
  std::vector<std::vector<int>> choices;
  for (const ColumnPoints& cp : points) {
    combinations *= static_cast<int64_t>(cp.points.size());
    if (combinations > options.max_gap_combinations) {
      out.push_back(SkippedFinding(
          d, absl::StrCat("gap search skipped (more than ",
                          options.max_gap_combinations, " combinations)")));
      return;
    }
    choices.emplace_back(cp.points.size());
    for (size_t i = 0; i < cp.points.size(); ++i) {
      choices.back()[i] = static_cast<int>(i);
    }
  }
  std::vector<RowBits> scratch(d.inputs.size());
  PointCombinations combination(d, points, std::move(choices),
                                d.all_rows.data(), d.num_words, scratch);
  int64_t tried = 0;
  std::vector<Gap> gaps;
  do {
    if (!budget.Spend(combination.Cost() + 1)) {
      out.push_back(SkippedFinding(
          d, absl::StrCat("gap search stopped by the work budget "
                          "(AnalysisOptions::max_work) after ",
                          tried, " of ", combinations, " combinations, ",
                          gaps.size(), " of them gaps")));
      break;
    }
    ++tried;
    if (AnyBit(combination.Rows())) continue;
    Gap& gap = gaps.emplace_back(points.size());
    for (size_t k = 0; k < points.size(); ++k) gap[k] = combination.index(k);
  } while (combination.Next());
  const std::vector<Gap> cubes = GapCubes(
      gaps, points, static_cast<size_t>(std::max(0, options.max_gaps_reported)),
      budget);
  for (const Gap& cube : cubes) out.push_back(GapFinding(d, points, cube));
  const int64_t covered =
      std::count_if(gaps.begin(), gaps.end(), [&](const Gap& gap) {
        return std::any_of(cubes.begin(), cubes.end(),
                           [&](const Gap& c) { return Covers(c, gap); });
      });
  if (covered < static_cast<int64_t>(gaps.size())) {
    RuleFinding f;
    f.kind = RuleFinding::kGap;
    f.decision = d.decision->name();
    f.message = absl::StrCat("decision '", f.decision, "': ", gaps.size(),
                             " uncovered combinations in all (the ",
                             cubes.size(), " listed stand for ", covered, ")");
    out.push_back(std::move(f));
  }
}

}  // namespace rules_internal
}  // namespace retcon
