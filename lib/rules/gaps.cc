// Gap search: enumerate combinations of representative input values (from
// the table's own values and boundaries) and look for ones no row accepts,
// using the evaluator's column indexes.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/numeric/bits.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/rules/internal/analysis.h"

namespace retcon {
namespace rules_internal {
namespace {

struct Point {
  bool present = true;
  int64_t number = 0;
  std::string text;
  std::string label;
};

bool CanBeMissing(const InputPath& in) {
  return in.chain.size() > 1 || in.chain.back()->has_presence();
}

void AddNumber(int64_t n, std::vector<int64_t>& out) {
  out.push_back(n);
  if (n > INT64_MIN) out.push_back(n - 1);
  if (n < INT64_MAX) out.push_back(n + 1);
}

std::vector<Point> IntegerPoints(const CompiledDecision& d, int c) {
  std::vector<int64_t> numbers;
  for (int r = 0; r < d.num_rows; ++r) {
    const NormalCell& cell = d.cells[r][c];
    for (int64_t n : cell.numbers) AddNumber(n, numbers);
    if (cell.kind != NormalCell::kRange) continue;
    if (cell.low > INT64_MIN) AddNumber(cell.low, numbers);
    if (cell.high < INT64_MAX) AddNumber(cell.high, numbers);
  }
  if (numbers.empty()) numbers.push_back(0);
  std::sort(numbers.begin(), numbers.end());
  numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  std::vector<Point> points;
  for (int64_t n : numbers) {
    points.push_back({true, n, "", NumberText(d.inputs[c], n)});
  }
  return points;
}

std::vector<Point> StringPoints(const CompiledDecision& d, int c) {
  std::vector<Point> points;
  auto add = [&](const std::string& s) {
    for (const Point& p : points) {
      if (p.text == s) return;
    }
    points.push_back({true, 0, s, absl::StrCat("\"", s, "\"")});
  };
  for (int r = 0; r < d.num_rows; ++r) {
    const NormalCell& cell = d.cells[r][c];
    for (const std::string& s : cell.texts) add(s);
    if (cell.kind == NormalCell::kRegex && cell.regex.size() > 1 &&
        cell.regex[0] == '^') {
      add(cell.regex.substr(1));
    }
  }
  points.push_back({true, 0, "\x1f", "<any other value>"});
  return points;
}

std::vector<Point> PointsOf(const CompiledDecision& d, int c) {
  const InputPath& in = d.inputs[c];
  std::vector<Point> points;
  switch (in.kind) {
    case InputKind::kEnum:
      for (int i = 0; i < in.enum_type->value_count(); ++i) {
        const auto* v = in.enum_type->value(i);
        points.push_back({true, v->number(), "", v->name()});
      }
      break;
    case InputKind::kBool:
      points = {{true, 0, "", "false"}, {true, 1, "", "true"}};
      break;
    case InputKind::kInteger:
      points = IntegerPoints(d, c);
      break;
    case InputKind::kString:
      points = StringPoints(d, c);
      break;
    default:
      points = {{true, 0, "", "<present>"}};
  }
  if (CanBeMissing(in)) points.push_back({false, 0, "", "<missing>"});
  return points;
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

// Whether no row accepts the combination (points[c][at[c]] per column).
bool IsGap(const CompiledDecision& d, const std::vector<int>& columns,
           const std::vector<std::vector<Point>>& points,
           const std::vector<size_t>& at, std::vector<RowBits>& scratch) {
  RowBits acc = d.all_rows;
  for (size_t k = 0; k < columns.size(); ++k) {
    const Point& p = points[k][at[k]];
    InputValue v{p.present, p.number, p.text};
    ColumnSelection s = SelectRows(d, columns[k], v, scratch[k]);
    for (int w = 0; w < d.num_words; ++w) {
      acc[w] &= s.parts[0][w] | s.parts[1][w] | s.parts[2][w];
    }
  }
  for (uint64_t word : acc) {
    if (word != 0) return false;
  }
  return true;
}

RuleFinding GapFinding(const CompiledDecision& d,
                       const std::vector<int>& columns,
                       const std::vector<std::vector<Point>>& points,
                       const std::vector<size_t>& at) {
  RuleFinding f;
  f.kind = RuleFinding::kGap;
  f.decision = d.decision->name();
  std::vector<std::string> parts;
  for (size_t k = 0; k < columns.size(); ++k) {
    f.inputs.emplace_back(d.inputs[columns[k]].path, points[k][at[k]].label);
    parts.push_back(
        absl::StrCat(f.inputs.back().first, " = ", f.inputs.back().second));
  }
  f.message = absl::StrCat("decision '", f.decision, "': no row covers ",
                           absl::StrJoin(parts, ", "));
  return f;
}

// Advances the odometer `at`; false after the last combination.
bool Next(const std::vector<std::vector<Point>>& points,
          std::vector<size_t>& at) {
  for (size_t k = at.size(); k-- > 0;) {
    if (++at[k] < points[k].size()) return true;
    at[k] = 0;
  }
  return false;
}

bool HasRegex(const CompiledDecision& d) {
  for (const ColumnIndex& col : d.columns) {
    if (!col.prefix_rows.empty() || col.regex_set != nullptr) return true;
  }
  return false;
}

bool RowAccepts(const CompiledDecision& d, int c, int row, const Point& p,
                RowBits& scratch) {
  InputValue v{p.present, p.number, p.text};
  ColumnSelection s = SelectRows(d, c, v, scratch);
  int w = row >> 6;
  uint64_t bit = uint64_t{1} << (row & 63);
  return ((s.parts[0][w] | s.parts[1][w] | s.parts[2][w]) & bit) != 0;
}

// The first row before `b` accepting the combination, or -1.
int FirstEarlierRow(const CompiledDecision& d, int b,
                    const std::vector<int>& columns,
                    const std::vector<std::vector<Point>>& points,
                    const std::vector<size_t>& at,
                    std::vector<RowBits>& scratch) {
  RowBits acc = d.all_rows;
  for (size_t k = 0; k < columns.size(); ++k) {
    const Point& p = points[k][at[k]];
    InputValue v{p.present, p.number, p.text};
    ColumnSelection s = SelectRows(d, columns[k], v, scratch[k]);
    for (int w = 0; w < d.num_words; ++w) {
      acc[w] &= s.parts[0][w] | s.parts[1][w] | s.parts[2][w];
    }
  }
  for (int w = 0; w <= (b >> 6) && w < d.num_words; ++w) {
    uint64_t word = acc[w];
    if (w == (b >> 6)) word &= (uint64_t{1} << (b & 63)) - 1;
    if (word != 0) return w * 64 + absl::countr_zero(word);
  }
  return -1;
}

}  // namespace

std::vector<int> RowsCoveringTogether(const CompiledDecision& d, int b,
                                      int64_t max_combinations) {
  if (HasRegex(d)) return {};
  std::vector<int> columns;
  std::vector<std::vector<Point>> points;
  std::vector<RowBits> scratch(d.inputs.size());
  int64_t combinations = 1;
  for (size_t c = 0; c < d.inputs.size(); ++c) {
    if (d.columns[c].all_any) continue;
    std::vector<Point> accepted;
    for (Point& p : PointsOf(d, static_cast<int>(c))) {
      if (RowAccepts(d, c, b, p, scratch[c])) accepted.push_back(std::move(p));
    }
    combinations *= static_cast<int64_t>(accepted.size());
    if (combinations == 0 || combinations > max_combinations) return {};
    columns.push_back(static_cast<int>(c));
    points.push_back(std::move(accepted));
  }
  std::vector<size_t> at(columns.size(), 0);
  std::vector<int> covering;
  do {
    int row = FirstEarlierRow(d, b, columns, points, at, scratch);
    if (row < 0) return {};
    if (std::find(covering.begin(), covering.end(), row) == covering.end()) {
      covering.push_back(row);
    }
  } while (Next(points, at));
  std::sort(covering.begin(), covering.end());
  return covering;
}

void ReportGaps(const CompiledDecision& d, const AnalysisOptions& options,
                std::vector<RuleFinding>& out) {
  if (HasCatchAll(d)) return;
  std::vector<int> columns;
  std::vector<std::vector<Point>> points;
  int64_t combinations = 1;
  for (size_t c = 0; c < d.inputs.size(); ++c) {
    if (d.columns[c].all_any) continue;
    columns.push_back(static_cast<int>(c));
    points.push_back(PointsOf(d, static_cast<int>(c)));
    combinations *= static_cast<int64_t>(points.back().size());
    if (combinations > options.max_gap_combinations) {
      RuleFinding f;
      f.kind = RuleFinding::kSkipped;
      f.decision = d.decision->name();
      f.message = absl::StrCat("decision '", f.decision,
                               "': gap search skipped (more than ",
                               options.max_gap_combinations, " combinations)");
      out.push_back(std::move(f));
      return;
    }
  }
  std::vector<size_t> at(columns.size(), 0);
  std::vector<RowBits> scratch(columns.size());
  int64_t gaps = 0;
  do {
    if (!IsGap(d, columns, points, at, scratch)) continue;
    if (++gaps <= options.max_gaps_reported) {
      out.push_back(GapFinding(d, columns, points, at));
    }
  } while (Next(points, at));
  if (gaps > options.max_gaps_reported) {
    RuleFinding f;
    f.kind = RuleFinding::kGap;
    f.decision = d.decision->name();
    f.message = absl::StrCat("decision '", f.decision, "': ", gaps,
                             " uncovered combinations in all (",
                             options.max_gaps_reported, " listed)");
    out.push_back(std::move(f));
  }
}

}  // namespace rules_internal
}  // namespace retcon
