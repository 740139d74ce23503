// Decision tables over typed protobuf facts: compile once, evaluate many.
//
// A retcon.v1.RuleSet (proto/retcon/v1/rules.proto) holds decision tables
// whose inputs are field paths into a fact message. CompileRuleSet validates
// every table against the fact message's descriptor and builds per-column
// indexes; the result is immutable and evaluates any number of facts from any
// number of threads. The engine knows nothing of returns.
//
//   absl::StatusOr<retcon::ParsedRuleSet> parsed =
//       retcon::ParseRuleSetText(text, "depot.textproto");
//   if (!parsed.ok()) return parsed.status();
//   absl::StatusOr<std::unique_ptr<const retcon::CompiledRuleSet>> rules =
//       retcon::CompileRuleSet(*parsed, {});
//   if (!rules.ok()) return rules.status();  // "depot.textproto:12: ..."
//   retcon::v1::ReturnLine line = ...;
//   absl::StatusOr<retcon::DecisionResult> r = (*rules)->Evaluate("depot",
//   line); if (r.ok() && r->matched())
//   UseDepot(r->outputs()[0].string_value());
//
// Field presence: a message field on the path, or an `optional` scalar, that
// is unset makes the input missing. A missing input matches only `any` and
// `is_missing` cells; no value test matches it. Plain proto3 scalars (no
// `optional`) have no presence and are always present (their default value
// is a value).
#ifndef RETCON_RULES_H_
#define RETCON_RULES_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "retcon/field_accessors.h"
#include "retcon/v1/rules.pb.h"

namespace retcon {

// Where each part of a parsed rule set came from, for error messages.
// Lines are 1-based; 0 means unknown.
class RuleSetSourceMap {
 public:
  RuleSetSourceMap() = default;
  explicit RuleSetSourceMap(std::string file_name)
      : file_name_(std::move(file_name)) {}

  const std::string& file_name() const { return file_name_; }
  // Records the line of decision `d` (-1: the rule set itself), row `r`
  // (-1: the decision itself) and cell `c` (-1: the row itself).
  void Set(int d, int r, int c, int line) { lines_[{d, r, c}] = line; }
  // The most precise known line for (d, r, c): the cell, else the row, else
  // the decision, else the rule set; 0 when unknown.
  int Line(int d, int r, int c) const;

 private:
  std::string file_name_;
  std::map<std::tuple<int, int, int>, int> lines_;
};

// A rule set as parsed from a file, with the lines of its parts.
struct ParsedRuleSet {
  v1::RuleSet rule_set;
  RuleSetSourceMap source_map;
};

// Parses text format (comments allowed). Errors are InvalidArgument with
// `file_name:line:column`.
absl::StatusOr<ParsedRuleSet> ParseRuleSetText(absl::string_view text,
                                               absl::string_view file_name);
// Parses the proto3 JSON mapping of RuleSet. No line numbers are recorded.
absl::StatusOr<ParsedRuleSet> ParseRuleSetJson(absl::string_view json,
                                               absl::string_view file_name);

struct CompileOptions {
  // Where fact message and enum types are looked up. nullptr = the generated
  // pool. A generated type is there only if its .pb.o is linked into the
  // program: with a static library, reference it (`Foo::descriptor()`)
  // before compiling. Must outlive the compiled rule set.
  const google::protobuf::DescriptorPool* pool = nullptr;
  // Memory RE2 may use to compile one pattern (RE2::Options::max_mem).
  int64_t regex_max_mem = 1 << 20;
  // Largest accepted RE2 program (RE2::ProgramSize), in instructions.
  int regex_max_program_size = 2000;
  // Memory for the RE2::Set that matches the regexes of one column at once
  // (its program and DFA cache). A set that does not fit is a compile error;
  // when a match runs out of DFA memory, that column's patterns are matched
  // one by one instead (same result, slower). Columns of thousands of
  // patterns match faster with more (the DFA cache is reset less often).
  int64_t regex_set_max_mem = int64_t{64} << 20;
};

// One row that matched, as reported in a result.
struct RuleHit {
  int row_index = -1;        // Index into Decision.rows.
  absl::string_view row_id;  // Row.id.
  // Row.outputs; points into the compiled rule set.
  const google::protobuf::RepeatedPtrField<v1::Value>* outputs = nullptr;
};

// The outcome of one decision for one fact. Views into the compiled rule set:
// valid while it lives.
struct DecisionResult {
  // Decision index in the rule set, and whether default_outputs were used.
  int decision_index = -1;
  bool used_default = false;
  // The winning row (FIRST, UNIQUE, PRIORITY) or every matching row in row
  // order (COLLECT). Empty when no row matched.
  absl::InlinedVector<RuleHit, 1> hits;

  // Whether a row matched or default outputs apply.
  bool matched() const { return !hits.empty() || used_default; }
  // The outputs of the first hit, else the defaults; empty when none.
  const google::protobuf::RepeatedPtrField<v1::Value>& outputs() const;

  // Set by the evaluator when used_default is true.
  const google::protobuf::RepeatedPtrField<v1::Value>* default_outputs =
      nullptr;
};

// What one evaluation saw and did; filled only when requested.
struct EvaluationTrace {
  std::string decision;
  // (input path, value as text or "<missing>"), in input order.
  std::vector<std::pair<std::string, std::string>> inputs;
  // Ids of every row that matched, in row order.
  std::vector<std::string> matched_row_ids;
  // Id of the winning row; empty when none (or COLLECT, or when two rows
  // match under UNIQUE).
  std::string winner;
  // Why the winner won, or why there was none ("first matching row",
  // "no row matched; default outputs", "UNIQUE: rows 'R1' and 'R2' both
  // match").
  std::string reason;
};

// A compiled rule set. Immutable and thread-safe: Evaluate may be called from
// any number of threads at once.
class CompiledRuleSet {
 public:
  virtual ~CompiledRuleSet() = default;

  // Evaluates decision `decision` against `fact`. Reads each input once,
  // matches through per-column indexes. A fact of the wrong type or an
  // unknown decision is InvalidArgument; two matches under UNIQUE are
  // FailedPrecondition naming both rows. No match is not an error.
  // The result views this object (row ids, output values), never `fact`:
  // it stays valid while this object lives. `trace`, when given, is
  // overwritten (also when an error is returned after matching).
  virtual absl::StatusOr<DecisionResult> Evaluate(
      absl::string_view decision, const google::protobuf::Message& fact,
      EvaluationTrace* trace = nullptr) const = 0;
  // Same, for the decision at `decision_index` (from DecisionIndex(), or
  // the decision's position in the rule set): no lookup by name. An index
  // out of range is InvalidArgument.
  virtual absl::StatusOr<DecisionResult> Evaluate(
      int decision_index, const google::protobuf::Message& fact,
      EvaluationTrace* trace = nullptr) const = 0;

  // Evaluates the decisions at `decision_indexes` against one `fact`, in
  // that order, as Evaluate(decision_indexes[i], fact) into results[i]:
  // the same results and errors, but a top-level field of a generated fact
  // that several of the decisions take is read once (a depot and a
  // disposition table over the same return item, say). The first error
  // stops the batch and is returned; results from there on are unspecified.
  // REQUIRES: results.size() == decision_indexes.size() (else
  // InvalidArgument), and `fact` unchanged during the call.
  virtual absl::Status EvaluateEach(absl::Span<const int> decision_indexes,
                                    const google::protobuf::Message& fact,
                                    absl::Span<DecisionResult> results) const;

  // The rule set as compiled (a copy owned by this object).
  virtual const v1::RuleSet& rule_set() const = 0;
  // Index of a decision by name; -1 when there is none.
  virtual int DecisionIndex(absl::string_view name) const = 0;

  // EvaluateEach above, reading the top-level fields of `fact` that
  // `accessors` cover through them rather than by reflection (see
  // field_accessors.h): same results, faster. Accessors of another type
  // than `fact`'s, and accessors for a dynamic message, are unused.
  // Implementations that do not override this ignore `accessors`. (Last
  // among the virtual functions, so that the others keep their places.)
  virtual absl::Status EvaluateEach(absl::Span<const int> decision_indexes,
                                    const google::protobuf::Message& fact,
                                    const FieldAccessors& accessors,
                                    absl::Span<DecisionResult> results) const;
};

// Validates `rule_set` against its fact types and compiles it. Errors are
// InvalidArgument naming decision, row id and input, prefixed by
// `file:line:` when `source_map` knows the location.
absl::StatusOr<std::unique_ptr<const CompiledRuleSet>> CompileRuleSet(
    const v1::RuleSet& rule_set, const CompileOptions& options,
    const RuleSetSourceMap* source_map = nullptr);
// Same, citing the parsed file's lines.
absl::StatusOr<std::unique_ptr<const CompiledRuleSet>> CompileRuleSet(
    const ParsedRuleSet& parsed, const CompileOptions& options);

// Counts how often each row fired over a batch of evaluations. Thread-safe:
// Record may be called concurrently (relaxed atomic counters).
//
//   retcon::RowCoverage coverage(*rules);
//   for (const auto& fact : batch) coverage.Record(*rules->Evaluate(...));
//   for (const auto& row : coverage.NeverFired()) Report(row);
class RowCoverage {
 public:
  // REQUIRES: `rules` outlives this object.
  explicit RowCoverage(const CompiledRuleSet& rules);
  RowCoverage(const RowCoverage&) = delete;
  RowCoverage& operator=(const RowCoverage&) = delete;

  // Counts every hit of `result`. A hit that is not a row of this rule set
  // (a result of another rule set, an index out of range) is not counted
  // against any row but as foreign.
  void Record(const DecisionResult& result);
  // How often row `row_index` of decision `decision_index` fired; 0 for
  // indexes out of range.
  int64_t Count(int decision_index, int row_index) const;
  // Hits recorded that were not rows of this rule set.
  int64_t ForeignHits() const {
    return foreign_.load(std::memory_order_relaxed);
  }

  struct UnfiredRow {
    std::string decision;
    std::string row_id;
  };
  // Rows that never fired, in decision then row order.
  std::vector<UnfiredRow> NeverFired() const;

 private:
  const CompiledRuleSet& rules_;
  // Per decision, per row.
  std::vector<std::unique_ptr<std::atomic<int64_t>[]>> counts_;
  std::atomic<int64_t> foreign_{0};
};

}  // namespace retcon

#endif  // RETCON_RULES_H_
