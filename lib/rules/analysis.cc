// AnalyseRuleSet: shadowed rows, overlaps under UNIQUE, unreachable output
// values; gaps are in gaps.cc.
#include "lib/rules/internal/analysis.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
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

// Per row, the earlier rows that shadow it: one row covering it alone, else
// several together; empty when it can fire (or not under FIRST).
std::vector<std::vector<int>> ShadowingRows(const CompiledDecision& d,
                                            const AnalysisOptions& options) {
  std::vector<std::vector<int>> by(d.num_rows);
  if (d.decision->hit_policy() != v1::Decision::FIRST) return by;
  for (int b = 1; b < d.num_rows; ++b) {
    for (int a = 0; a < b && by[b].empty(); ++a) {
      if (RowCovers(d, a, b)) by[b] = {a};
    }
    if (by[b].empty()) {
      by[b] = RowsCoveringTogether(d, b, options.max_shadow_combinations);
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

// The weakest overlap over the columns of rows a and b.
Overlap RowOverlap(const CompiledDecision& d, int a, int b) {
  Overlap result = Overlap::kYes;
  for (size_t c = 0; c < d.inputs.size(); ++c) {
    Overlap o = Intersect(d.cells[a][c], d.cells[b][c], d.inputs[c].kind);
    if (o == Overlap::kNo) return o;
    if (o == Overlap::kMaybe) result = o;
  }
  return result;
}

void ReportOverlaps(const CompiledDecision& d, std::vector<RuleFinding>& out) {
  if (d.decision->hit_policy() != v1::Decision::UNIQUE) return;
  for (int a = 0; a < d.num_rows; ++a) {
    for (int b = a + 1; b < d.num_rows; ++b) {
      Overlap o = RowOverlap(d, a, b);
      if (o == Overlap::kNo) continue;
      RuleFinding f;
      f.kind = RuleFinding::kOverlap;
      f.decision = d.decision->name();
      f.row_ids = {RowId(d, a), RowId(d, b)};
      f.certain = o == Overlap::kYes;
      f.message = absl::StrCat(
          "decision '", f.decision, "': rows '", RowId(d, a), "' and '",
          RowId(d, b), f.certain ? "' overlap" : "' may overlap (regex)",
          " (UNIQUE): a fact matching both is an evaluation error");
      out.push_back(std::move(f));
    }
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
  const auto& impl = static_cast<const rules_internal::RuleSetImpl&>(rules);
  std::vector<RuleFinding> findings;
  for (const rules_internal::CompiledDecision& d : impl.decisions) {
    std::vector<std::vector<int>> by =
        rules_internal::ShadowingRows(d, options);
    rules_internal::ReportShadowed(d, by, findings);
    rules_internal::ReportOverlaps(d, findings);
    rules_internal::ReportGaps(d, options, findings);
    rules_internal::ReportUnreachable(d, by, findings);
  }
  return findings;
}

}  // namespace retcon
