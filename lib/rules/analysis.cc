// AnalyseRuleSet: shadowed rows, overlaps under UNIQUE, unreachable output
// values; points, gaps and the search over several rows are in gaps.cc.
//
// The pairwise checks look only at candidate rows taken from the column
// indexes (the rows whose cells can contain, or meet, a row's cells), so a
// typical table costs about rows x columns x rows / 64 word operations, not
// rows^2 x columns cell comparisons.
#include "lib/rules/internal/analysis.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/numeric/bits.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/rules/internal/cell_algebra.h"
#include "lib/rules/internal/rule_set_impl.h"
#include "retcon/rules_analysis.h"

namespace retcon {
namespace rules_internal {
namespace {

const std::string& RowId(const CompiledDecision& d, int r) {
  return d.decision->rows(r).id();
}

bool RowCovers(const CompiledDecision& d, int a, int b) {
  for (size_t c = 0; c < d.inputs.size(); ++c) {
    if (!Covers(d.cells[a][c], d.cells[b][c])) return false;
  }
  return true;
}

// The weakest overlap over the columns of rows a and b.
Overlap RowOverlap(const CompiledDecision& d, int a, int b) {
  Overlap result = Overlap::kYes;
  for (size_t c = 0; c < d.inputs.size(); ++c) {
    Overlap o = Intersect(d.cells[a][c], d.cells[b][c], d.inputs[c]);
    if (o == Overlap::kNo) return o;
    if (o == Overlap::kMaybe) result = o;
  }
  return result;
}

// Rows that may cover, or overlap, a given row: a superset found through
// the column indexes, column by column, then checked cell by cell.
class CandidateRows {
 public:
  explicit CandidateRows(const CompiledDecision& d)
      : d_(d), columns_(d.inputs.size()), scratch_(d.inputs.size()) {
    for (size_t c = 0; c < d.inputs.size(); ++c) {
      if (!d.columns[c].all_any) ClassifyCells(static_cast<int>(c));
    }
  }

  // Words [0, b's word] of `rows`: rows before b whose every cell may
  // accept all that b's accepts.
  void Covering(int b, RowBits& rows) {
    const int words = (b >> 6) + 1;
    rows.assign(d_.all_rows.begin(), d_.all_rows.begin() + words);
    rows[words - 1] &= (uint64_t{1} << (b & 63)) - 1;
    for (size_t c = 0; c < d_.inputs.size() && Any(rows, 0); ++c) {
      if (!d_.columns[c].all_any) AndCovering(c, d_.cells[b][c], rows, words);
    }
  }

  // Words [a's word, end) of `rows` (the others zero): rows after a whose
  // every cell may accept a value a's accepts.
  void Overlapping(int a, RowBits& rows) {
    const int from = a >> 6;
    rows.assign(d_.num_words, 0);
    std::copy(d_.all_rows.begin() + from, d_.all_rows.end(),
              rows.begin() + from);
    rows[from] &= ~((uint64_t{2} << (a & 63)) - 1);
    for (size_t c = 0; c < d_.inputs.size() && Any(rows, from); ++c) {
      if (!d_.columns[c].all_any) AndOverlapping(c, d_.cells[a][c], rows, from);
    }
  }

 private:
  // Rows of a column by the kind of their cell, beyond what the index has.
  struct Cells {
    RowBits any;             // `any`
    RowBits any_or_present;  // `any`, `is_present`
    RowBits present;  // May accept a present value: all but `is_missing`.
    absl::flat_hash_map<std::string, RowBits> by_pattern;  // Regex rows.
  };

  void ClassifyCells(int c) {
    Cells& cells = columns_[c];
    cells.any = cells.any_or_present = d_.zeros;
    cells.present = d_.all_rows;
    for (int r = 0; r < d_.num_rows; ++r) {
      const NormalCell& cell = d_.cells[r][c];
      if (cell.kind == NormalCell::kAny) SetBit(cells.any, r);
      if (cell.kind == NormalCell::kAny || cell.kind == NormalCell::kPresent) {
        SetBit(cells.any_or_present, r);
      }
      if (cell.kind == NormalCell::kMissing) {
        cells.present[r >> 6] &= ~(uint64_t{1} << (r & 63));
      }
      if (cell.kind == NormalCell::kRegex) {
        auto [it, added] = cells.by_pattern.try_emplace(cell.regex);
        if (added) it->second = d_.zeros;
        SetBit(it->second, r);
      }
    }
  }

  // The rows of column c accepting `value`, as the index's parts.
  ColumnSelection Accepting(size_t c, int64_t number, const std::string* text) {
    InputValue v{true, number, text != nullptr ? absl::string_view(*text) : ""};
    return SelectRows(d_, static_cast<int>(c), v, scratch_[c]);
  }

  static void And(const uint64_t* bits, RowBits& rows, int from, int to) {
    for (int w = from; w < to; ++w) rows[w] &= bits[w];
  }
  static void And(const ColumnSelection& s, RowBits& rows, int from, int to) {
    for (int w = from; w < to; ++w) {
      rows[w] &= s.parts[0][w] | s.parts[1][w] | s.parts[2][w];
    }
  }

  // rows &= rows whose cell in column c may cover `b`.
  void AndCovering(size_t c, const NormalCell& b, RowBits& rows, int words) {
    const Cells& cells = columns_[c];
    switch (b.kind) {
      case NormalCell::kAny:
        return And(cells.any.data(), rows, 0, words);
      case NormalCell::kMissing:
        return And(d_.columns[c].missing.data(), rows, 0, words);
      case NormalCell::kPresent:
        return And(cells.any_or_present.data(), rows, 0, words);
      case NormalCell::kIn:  // Exact: the rows accepting every value.
        for (int64_t n : b.numbers)
          And(Accepting(c, n, nullptr), rows, 0, words);
        for (const std::string& s : b.texts) {
          And(Accepting(c, 0, &s), rows, 0, words);
        }
        return;
      case NormalCell::kNotIn:  // any, is_present, not_one_of.
        return And(d_.columns[c].other.data(), rows, 0, words);
      case NormalCell::kRange:  // Those accepting both ends.
        And(Accepting(c, b.low, nullptr), rows, 0, words);
        return And(Accepting(c, b.high, nullptr), rows, 0, words);
      default: {  // kRegex: any, is_present or the same pattern.
        const RowBits& same = cells.by_pattern.at(b.regex);
        for (int w = 0; w < words; ++w) {
          rows[w] &= cells.any_or_present[w] | same[w];
        }
      }
    }
  }

  // rows &= rows whose cell in column c may accept a value `a` accepts.
  void AndOverlapping(size_t c, const NormalCell& a, RowBits& rows, int from) {
    const int to = d_.num_words;
    switch (a.kind) {
      case NormalCell::kAny:
        return;
      case NormalCell::kMissing:
        return And(d_.columns[c].missing.data(), rows, from, to);
      case NormalCell::kIn: {  // Exact: the rows accepting some value.
        union_.assign(d_.num_words, 0);
        auto add = [&](const ColumnSelection& s) {
          for (int w = from; w < to; ++w) {
            union_[w] |= s.parts[0][w] | s.parts[1][w] | s.parts[2][w];
          }
        };
        for (int64_t n : a.numbers) add(Accepting(c, n, nullptr));
        for (const std::string& s : a.texts) add(Accepting(c, 0, &s));
        return And(union_.data(), rows, from, to);
      }
      default:
        return And(columns_[c].present.data(), rows, from, to);
    }
  }

  static bool Any(const RowBits& rows, int from) {
    for (size_t w = from; w < rows.size(); ++w) {
      if (rows[w] != 0) return true;
    }
    return false;
  }

  const CompiledDecision& d_;
  std::vector<Cells> columns_;
  std::vector<RowBits> scratch_;
  RowBits union_;
};

// Calls f(row) for each set bit of `rows` in order until f returns false.
template <typename F>
void ForEachRow(const RowBits& rows, F f) {
  for (size_t w = 0; w < rows.size(); ++w) {
    for (uint64_t bits = rows[w]; bits != 0; bits &= bits - 1) {
      if (!f(static_cast<int>(w * 64) + absl::countr_zero(bits))) return;
    }
  }
}

std::string StoppedAt(const CompiledDecision& d, const char* search, int row) {
  return absl::StrCat(search,
                      " stopped by the work budget "
                      "(AnalysisOptions::max_work) at row '",
                      RowId(d, row), "': it and the ", d.num_rows - row - 1,
                      " rows after it were not checked");
}

// Per row, the earlier rows that shadow it: one row covering it alone, else
// several together; empty when it can fire (or not under FIRST).
std::vector<std::vector<int>> ShadowingRows(
    const CompiledDecision& d, const std::vector<ColumnPoints>& points,
    const AnalysisOptions& options, WorkBudget& budget,
    std::vector<RuleFinding>& out) {
  std::vector<std::vector<int>> by(d.num_rows);
  if (d.decision->hit_policy() != v1::Decision::FIRST) return by;
  CandidateRows candidates(d);
  TogetherSearch together(d, points);
  const bool exact_points = !HasRegex(d);
  const int64_t columns = static_cast<int64_t>(d.inputs.size());
  RowBits rows;
  for (int b = 1; b < d.num_rows; ++b) {
    if (!budget.Spend(columns * ((b >> 6) + 1))) {
      out.push_back(SkippedFinding(d, StoppedAt(d, "shadow search", b)));
      break;
    }
    candidates.Covering(b, rows);
    ForEachRow(rows, [&](int a) {
      if (!budget.Spend(columns)) return false;
      if (RowCovers(d, a, b)) by[b] = {a};
      return by[b].empty();
    });
    if (by[b].empty() && exact_points && !budget.exhausted()) {
      auto outcome =
          together.Search(b, options.max_shadow_combinations, budget, by[b]);
      if (outcome != TogetherSearch::Outcome::kCovered) by[b].clear();
    }
    if (budget.exhausted()) {
      out.push_back(SkippedFinding(d, StoppedAt(d, "shadow search", b)));
      break;
    }
  }
  return by;
}

void ReportShadowed(const CompiledDecision& d,
                    const std::vector<std::vector<int>>& by,
                    std::vector<RuleFinding>& out) {
  for (int b = 0; b < d.num_rows; ++b) {
    if (by[b].empty()) continue;
    RuleFinding f;
    f.kind = RuleFinding::kShadowedRow;
    f.decision = d.decision->name();
    f.row_ids = {RowId(d, b)};
    std::vector<std::string> quoted;
    for (int a : by[b]) {
      f.row_ids.push_back(RowId(d, a));
      quoted.push_back(absl::StrCat("'", RowId(d, a), "'"));
    }
    f.message = absl::StrCat(
        "decision '", f.decision, "': row '", RowId(d, b), "' is shadowed by ",
        by[b].size() == 1 ? "row " : "rows ", absl::StrJoin(quoted, ", "),
        by[b].size() == 1 ? "" : " together", " (FIRST): it can never fire");
    out.push_back(std::move(f));
  }
}

RuleFinding OverlapFinding(const CompiledDecision& d, int a, int b, Overlap o) {
  RuleFinding f;
  f.kind = RuleFinding::kOverlap;
  f.decision = d.decision->name();
  f.row_ids = {RowId(d, a), RowId(d, b)};
  f.certain = o == Overlap::kYes;
  f.message = absl::StrCat(
      "decision '", f.decision, "': rows '", RowId(d, a), "' and '",
      RowId(d, b), f.certain ? "' overlap" : "' may overlap (regex)",
      " (UNIQUE): a fact matching both is an evaluation error");
  return f;
}

void ReportOverlaps(const CompiledDecision& d, const AnalysisOptions& options,
                    WorkBudget& budget, std::vector<RuleFinding>& out) {
  if (d.decision->hit_policy() != v1::Decision::UNIQUE) return;
  CandidateRows candidates(d);
  const int64_t columns = static_cast<int64_t>(d.inputs.size());
  RowBits rows;
  int64_t pairs = 0;
  int stopped_at = -1;
  for (int a = 0; a < d.num_rows && stopped_at < 0; ++a) {
    if (!budget.Spend(columns * (d.num_words - (a >> 6)))) {
      stopped_at = a;
      break;
    }
    candidates.Overlapping(a, rows);
    ForEachRow(rows, [&](int b) {
      if (!budget.Spend(columns)) {
        stopped_at = a;
        return false;
      }
      Overlap o = RowOverlap(d, a, b);
      if (o != Overlap::kNo && ++pairs <= options.max_overlaps_reported) {
        out.push_back(OverlapFinding(d, a, b, o));
      }
      return true;
    });
  }
  if (pairs > options.max_overlaps_reported) {
    RuleFinding f;
    f.kind = RuleFinding::kOverlap;
    f.decision = d.decision->name();
    f.message = absl::StrCat("decision '", f.decision,
                             "': ", stopped_at < 0 ? "" : "at least ", pairs,
                             " overlapping row pairs in all (",
                             options.max_overlaps_reported, " listed)");
    out.push_back(std::move(f));
  }
  if (stopped_at >= 0) {
    out.push_back(
        SkippedFinding(d, StoppedAt(d, "overlap search", stopped_at)));
  }
}

// Values of output `o` as keys, with the rows carrying them.
void ReportUnreachable(const CompiledDecision& d,
                       const std::vector<std::vector<int>>& by,
                       std::vector<RuleFinding>& out) {
  const v1::Decision& dec = *d.decision;
  for (int o = 0; o < dec.outputs_size(); ++o) {
    absl::flat_hash_set<std::string> live;
    absl::flat_hash_map<std::string, std::vector<std::string>> dead;
    std::vector<std::string> dead_order;
    for (int r = 0; r < d.num_rows; ++r) {
      std::string key = dec.rows(r).outputs(o).ShortDebugString();
      if (by[r].empty()) {
        live.insert(key);
      } else if (dead[key].empty()) {
        dead_order.push_back(key);
      }
      if (!by[r].empty()) dead[key].push_back(RowId(d, r));
    }
    if (o < dec.default_outputs_size()) {
      live.insert(dec.default_outputs(o).ShortDebugString());
    }
    for (const v1::Value& v : dec.outputs(o).priority_order()) {
      std::string key = v.ShortDebugString();
      if (!live.contains(key) && !dead.contains(key)) dead_order.push_back(key);
    }
    for (const std::string& key : dead_order) {
      if (live.contains(key)) continue;
      RuleFinding f;
      f.kind = RuleFinding::kUnreachableOutput;
      f.decision = dec.name();
      f.row_ids = dead[key];
      f.message = absl::StrCat(
          "decision '", f.decision, "' output '", dec.outputs(o).name(),
          "': value {", key, "} is unreachable",
          f.row_ids.empty()
              ? " (no row produces it)"
              : absl::StrCat(" (only in shadowed rows ",
                             absl::StrJoin(f.row_ids, ", "), ")"));
      out.push_back(std::move(f));
    }
  }
}

}  // namespace
}  // namespace rules_internal

std::vector<RuleFinding> AnalyseRuleSet(const CompiledRuleSet& rules,
                                        const AnalysisOptions& options) {
  using namespace rules_internal;  // NOLINT: this file's own namespace.
  const auto& impl = static_cast<const RuleSetImpl&>(rules);
  std::vector<RuleFinding> findings;
  for (const CompiledDecision& d : impl.decisions) {
    WorkBudget budget(options.max_work);
    const std::vector<ColumnPoints> points = DecisionPoints(d);
    std::vector<std::vector<int>> by =
        ShadowingRows(d, points, options, budget, findings);
    ReportShadowed(d, by, findings);
    ReportOverlaps(d, options, budget, findings);
    ReportGaps(d, points, options, budget, findings);
    ReportUnreachable(d, by, findings);
  }
  return findings;
}

}  // namespace retcon
