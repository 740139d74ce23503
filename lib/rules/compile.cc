// CompileRuleSet: validation of a rule set against its fact types, then the
// column indexes.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "lib/internal/iso_date.h"
#include "lib/internal/status_macros.h"
#include "lib/rules/internal/compile_error.h"
#include "lib/rules/internal/rule_set_impl.h"
#include "retcon/rules.h"

namespace retcon {
namespace rules_internal {
namespace {

using google::protobuf::DescriptorPool;

absl::Status Locate(const Where& where, const absl::Status& status) {
  if (status.ok()) return status;
  return ErrorAt(where, status.message());
}

absl::Status CheckOutputs(const v1::Decision& d, const DescriptorPool& pool,
                          Where where) {
  absl::flat_hash_set<std::string> names;
  for (const v1::Output& out : d.outputs()) {
    where.output = absl::StrCat("output '", out.name(), "'");
    if (out.name().empty() || !names.insert(out.name()).second) {
      return ErrorAt(where, "output names must be unique and not empty");
    }
    if (out.type() == v1::Output::TYPE_UNSPECIFIED) {
      return ErrorAt(where, "the output has no type");
    }
    if (out.type() == v1::Output::ENUM &&
        pool.FindEnumTypeByName(out.enum_type()) == nullptr) {
      return ErrorAt(where,
                     absl::StrCat("unknown enum type '", out.enum_type(), "'"));
    }
    for (const v1::Value& v : out.priority_order()) {
      RETCON_RETURN_IF_ERROR(Locate(where, CheckOutputValue(v, out, pool)));
    }
  }
  if (d.outputs().empty()) return ErrorAt(where, "the decision has no outputs");
  return absl::OkStatus();
}

absl::Status CheckOutputValues(
    const google::protobuf::RepeatedPtrField<v1::Value>& values,
    const v1::Decision& d, const DescriptorPool& pool, Where where) {
  if (values.size() != d.outputs_size()) {
    return ErrorAt(where, absl::StrCat(values.size(), " output values for ",
                                       d.outputs_size(), " outputs"));
  }
  for (int i = 0; i < values.size(); ++i) {
    where.output = absl::StrCat("output '", d.outputs(i).name(), "'");
    RETCON_RETURN_IF_ERROR(
        Locate(where, CheckOutputValue(values[i], d.outputs(i), pool)));
  }
  return absl::OkStatus();
}

absl::Status CompileRow(const v1::Row& row, const DescriptorPool& pool,
                        const CompileOptions& options, Where where,
                        RegexCache& regexes, CompiledDecision& cd) {
  const v1::Decision& d = *cd.decision;
  if (row.cells_size() != d.inputs_size()) {
    return ErrorAt(where, absl::StrCat(row.cells_size(), " cells for ",
                                       d.inputs_size(), " inputs"));
  }
  std::vector<NormalCell>& cells = cd.cells.emplace_back();
  for (int c = 0; c < row.cells_size(); ++c) {
    Where at = where;
    at.cell = c;
    at.input = absl::StrCat("input '", d.inputs(c), "'");
    RETCON_ASSIGN_OR_RETURN(
        NormalCell cell, [&]() -> absl::StatusOr<NormalCell> {
          auto normal =
              NormalizeCell(row.cells(c), cd.inputs[c], options, regexes);
          if (!normal.ok()) return ErrorAt(at, normal.status().message());
          return normal;
        }());
    cells.push_back(std::move(cell));
  }
  return CheckOutputValues(row.outputs(), d, pool, where);
}

// PRIORITY: rank by the first output's priority_order, else by -priority.
absl::Status RankRows(CompiledDecision& cd, Where where) {
  const v1::Decision& d = *cd.decision;
  const v1::Output& first = d.outputs(0);
  for (int r = 0; r < d.rows_size(); ++r) {
    const v1::Row& row = d.rows(r);
    if (first.priority_order().empty()) {
      cd.priority_rank.push_back(-static_cast<int64_t>(row.priority()));
      continue;
    }
    int rank = -1;
    for (int i = 0; i < first.priority_order_size() && rank < 0; ++i) {
      if (google::protobuf::util::MessageDifferencer::Equals(
              first.priority_order(i), row.outputs(0))) {
        rank = i;
      }
    }
    if (rank < 0) {
      where.row = r;
      where.row_id = row.id();
      where.output = absl::StrCat("output '", first.name(), "'");
      return ErrorAt(where, "the value is not in the output's priority_order");
    }
    cd.priority_rank.push_back(rank);
  }
  return absl::OkStatus();
}

absl::Status CompileRows(const DescriptorPool& pool,
                         const CompileOptions& options, const Where& where,
                         CompiledDecision& cd) {
  const v1::Decision& d = *cd.decision;
  absl::flat_hash_set<std::string> ids;
  RegexCache regexes;
  for (int r = 0; r < d.rows_size(); ++r) {
    Where at = where;
    at.row = r;
    at.row_id = d.rows(r).id();
    if (at.row_id.empty()) {
      at.row_id = absl::StrCat("#", r + 1);
      return ErrorAt(at, "the row has no id");
    }
    if (!ids.insert(at.row_id).second) return ErrorAt(at, "duplicate row id");
    RETCON_RETURN_IF_ERROR(
        CompileRow(d.rows(r), pool, options, at, regexes, cd));
  }
  if (!d.default_outputs().empty()) {
    Where at = where;
    at.row_id = "default_outputs";
    RETCON_RETURN_IF_ERROR(CheckOutputValues(d.default_outputs(), d, pool, at));
  }
  if (d.hit_policy() == v1::Decision::PRIORITY) return RankRows(cd, where);
  return absl::OkStatus();
}

absl::Status CompileDecision(const DescriptorPool& pool,
                             const CompileOptions& options, Where where,
                             CompiledDecision& cd) {
  const v1::Decision& d = *cd.decision;
  cd.fact_type = pool.FindMessageTypeByName(d.fact_type());
  if (cd.fact_type == nullptr) {
    return ErrorAt(where,
                   absl::StrCat("unknown fact type '", d.fact_type(), "'"));
  }
  if (d.hit_policy() == v1::Decision::HIT_POLICY_UNSPECIFIED) {
    return ErrorAt(where, "the decision has no hit_policy");
  }
  for (const std::string& path : d.inputs()) {
    Where at = where;
    at.input = absl::StrCat("input '", path, "'");
    auto in = ResolveInputPath(path, cd.fact_type);
    if (!in.ok()) return ErrorAt(at, in.status().message());
    cd.inputs.push_back(*std::move(in));
  }
  PlanReads(cd);
  RETCON_RETURN_IF_ERROR(CheckOutputs(d, pool, where));
  RETCON_RETURN_IF_ERROR(CompileRows(pool, options, where, cd));
  cd.num_rows = d.rows_size();
  return BuildColumnIndexes(options, where, cd);
}

absl::Status CheckDate(const std::string& date, const char* field) {
  if (date.empty() || internal::IsIsoDate(date)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": '", date, "' is not a date YYYY-MM-DD"));
}

absl::Status CheckPeriod(const v1::RuleSet& rs) {
  RETCON_RETURN_IF_ERROR(CheckDate(rs.effective_from(), "effective_from"));
  RETCON_RETURN_IF_ERROR(CheckDate(rs.effective_until(), "effective_until"));
  if (!rs.effective_from().empty() && !rs.effective_until().empty() &&
      rs.effective_from() >= rs.effective_until()) {
    return absl::InvalidArgumentError(
        "effective_until must be after effective_from");
  }
  return absl::OkStatus();
}

// "file:line: " of `w` when known, then its scope.
std::string Location(const Where& w) {
  std::string text;
  if (w.source_map != nullptr) {
    int line = w.source_map->Line(w.decision, w.row, w.cell);
    if (line > 0) {
      absl::StrAppend(&text, w.source_map->file_name(), ":", line, ": ");
    }
  }
  absl::StrAppend(&text, w.scope);
  return text;
}

}  // namespace

absl::Status ErrorAt(const Where& w, absl::string_view message) {
  std::string text = Location(w);
  absl::StrAppend(&text, "decision '", w.decision_name, "'");
  if (!w.row_id.empty()) absl::StrAppend(&text, " row '", w.row_id, "'");
  if (!w.input.empty()) absl::StrAppend(&text, " ", w.input);
  if (!w.output.empty()) absl::StrAppend(&text, " ", w.output);
  absl::StrAppend(&text, ": ", message);
  return absl::InvalidArgumentError(text);
}

absl::StatusOr<std::unique_ptr<const CompiledRuleSet>> CompileRuleSetIn(
    const v1::RuleSet& rule_set, const CompileOptions& options,
    const RuleSetSourceMap* source_map, absl::string_view scope) {
  Where set;
  set.source_map = source_map;
  set.scope = std::string(scope);
  absl::Status period = CheckPeriod(rule_set);
  if (!period.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Location(set), period.message()));
  }
  const google::protobuf::DescriptorPool& pool =
      options.pool != nullptr
          ? *options.pool
          : *google::protobuf::DescriptorPool::generated_pool();
  auto impl = std::make_unique<RuleSetImpl>(rule_set);
  const v1::RuleSet& owned = impl->rule_set();
  impl->decisions.resize(owned.decisions_size());
  for (int i = 0; i < owned.decisions_size(); ++i) {
    Where where = set;
    where.decision = i;
    where.decision_name = owned.decisions(i).name();
    if (where.decision_name.empty() ||
        !impl->by_name.emplace(where.decision_name, i).second) {
      return ErrorAt(where, "decision names must be unique and not empty");
    }
    impl->decisions[i].decision = &owned.decisions(i);
    RETCON_RETURN_IF_ERROR(
        CompileDecision(pool, options, where, impl->decisions[i]));
  }
  return std::unique_ptr<const CompiledRuleSet>(std::move(impl));
}

}  // namespace rules_internal

absl::StatusOr<std::unique_ptr<const CompiledRuleSet>> CompileRuleSet(
    const v1::RuleSet& rule_set, const CompileOptions& options,
    const RuleSetSourceMap* source_map) {
  return rules_internal::CompileRuleSetIn(rule_set, options, source_map, "");
}

absl::StatusOr<std::unique_ptr<const CompiledRuleSet>> CompileRuleSet(
    const ParsedRuleSet& parsed, const CompileOptions& options) {
  return CompileRuleSet(parsed.rule_set, options, &parsed.source_map);
}

}  // namespace retcon
