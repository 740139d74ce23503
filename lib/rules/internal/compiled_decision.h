// The compiled form of a decision table: input paths resolved to field
// descriptor chains, cells normalised, and one index per input column that
// maps an input value to the bitset of rows whose cell accepts it.
#ifndef RETCON_LIB_RULES_INTERNAL_COMPILED_DECISION_H_
#define RETCON_LIB_RULES_INTERNAL_COMPILED_DECISION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "lib/rules/internal/text_table.h"
#include "re2/re2.h"
#include "re2/set.h"
#include "retcon/field_accessors.h"
#include "retcon/rules.h"
#include "retcon/v1/rules.pb.h"

namespace retcon {
namespace rules_internal {

// One bit per row; bit i of word i / 64 is row i.
using RowBits = std::vector<uint64_t>;

inline void SetBit(RowBits& bits, int row) {
  bits[row >> 6] |= uint64_t{1} << (row & 63);
}

// What an input reads, by the type of the last field on its path.
enum class InputKind { kInteger, kBool, kEnum, kString, kMessage };

// A resolved input path.
struct InputPath {
  std::string path;
  std::vector<const google::protobuf::FieldDescriptor*> chain;
  // Of the last field, looked up once at compile time rather than per read.
  google::protobuf::FieldDescriptor::CppType cpp_type =
      google::protobuf::FieldDescriptor::CPPTYPE_INT64;
  bool has_presence = false;
  InputKind kind = InputKind::kInteger;
  const google::protobuf::EnumDescriptor* enum_type = nullptr;
  // kEnum: the field can hold numbers its enum does not name (proto3 enums
  // are open; proto2 enums, and proto2 fields, are closed).
  bool open_enum = false;
  // kInteger: the field's range, as values and as keys (see KeyOf).
  absl::int128 min_value = 0;
  absl::int128 max_value = 0;
  int64_t min_key = INT64_MIN;
  int64_t max_key = INT64_MAX;
  // Set by PlanReads: the message step holding the last field (-1: the fact
  // itself), and for generated types that message's reflection.
  int holder = -1;
  const google::protobuf::Reflection* reflection = nullptr;
};

// A message on the way to some input ("order" for "order.country"), read
// once per evaluation however many inputs lie under it. Steps are ordered so
// that a parent comes before its children.
struct MessageStep {
  int parent = -1;  // Step holding `field`; -1: the fact itself.
  const google::protobuf::FieldDescriptor* field = nullptr;
  // Reflection of the message holding `field`, for generated types.
  const google::protobuf::Reflection* reflection = nullptr;
};

// Integer inputs are held as order-preserving int64 keys: a uint64 value is
// its key with the sign bit flipped (0 is INT64_MIN, 2^64-1 is INT64_MAX),
// so that uint64 values compare as unsigned; every other integer is its own
// key. Cells, indexes and analysis work on keys throughout.
inline int64_t KeyOfUnsigned64(uint64_t value) {
  return static_cast<int64_t>(value ^ (uint64_t{1} << 63));
}
// The key of `value` for `in`. REQUIRES: value within in's field range.
int64_t KeyOf(const InputPath& in, absl::int128 value);
// The value of `key` for `in`.
absl::int128 ValueOfKey(const InputPath& in, int64_t key);
// The value of `key` as decimal text ("-5", "18446744073709551615").
std::string NumberText(const InputPath& in, int64_t key);

// One input's value in one evaluation. Integer keys, bools (0/1) and enum
// numbers are in `number`; strings view the fact or `scratch`. The public
// FieldValue, so that FieldAccessors write it directly.
using InputValue = FieldValue;

// A cell in one shape per kind, with values converted to the column's type.
struct NormalCell {
  enum Kind { kAny, kIn, kNotIn, kRegex, kRange, kMissing, kPresent };
  Kind kind = kAny;
  // kIn/kNotIn values, sorted and distinct: numbers for integer, bool and
  // enum inputs, texts for string inputs.
  std::vector<int64_t> numbers;
  std::vector<std::string> texts;
  std::string regex;
  // kRegex: the compiled pattern, shared by the cells of a decision with the
  // same pattern; for the analysis and for matching patterns one by one.
  std::shared_ptr<const RE2> re;
  // kRange: inclusive bounds as keys, within the field's range (min_key and
  // max_key stand for an open end).
  int64_t low = 0;
  int64_t high = 0;
};

// Compiled patterns by text, so that a pattern used in many rows of a
// decision is compiled once.
using RegexCache = absl::flat_hash_map<std::string, std::shared_ptr<const RE2>>;

// Maps one input's value to the rows whose cell in that column accepts it.
// A row appears in exactly one part (discrete, regex or range), so the rows
// accepting a value are the union of at most three bitsets.
struct ColumnIndex {
  bool all_any = true;  // Every cell is `any`: the column is skipped.
  bool is_string = false;
  // Discrete cells (any, in, not in, missing, present).
  absl::flat_hash_map<int64_t, RowBits> by_number;
  // by_number as a table when its keys span at most kMaxDenseSpan values
  // (enums, small codes): dense[v - dense_min] is the rows for v, or
  // `other` for a value not in the map. Empty when not dense.
  static constexpr int64_t kMaxDenseSpan = 1024;
  int64_t dense_min = 0;
  std::vector<const uint64_t*> dense;
  absl::flat_hash_map<std::string, RowBits> by_text;
  TextTable text_table;  // by_text, for evaluation.
  RowBits other;         // Accept a present value absent from the maps.
  RowBits missing;       // Accept a missing input.
  // Regex cells whose pattern is `^literal`: a hash lookup per distinct
  // literal length instead of a regex search.
  absl::flat_hash_map<std::string, RowBits> prefix_rows;
  TextTable prefix_table;              // prefix_rows, for evaluation.
  std::vector<size_t> prefix_lengths;  // Distinct, ascending.
  // Other regex cells: one RE2::Set over the distinct patterns. When the
  // set's DFA runs out of memory, the patterns are matched one by one.
  std::unique_ptr<RE2::Set> regex_set;
  std::vector<std::string> regex_patterns;  // In regex_set order.
  std::vector<const RE2*> regex_programs;   // Same order; owned by cells.
  std::vector<RowBits> regex_rows;          // Per index in regex_set.
  // Range cells: bucket i holds values in [bounds[i-1], bounds[i]).
  std::vector<int64_t> bounds;
  std::vector<RowBits> buckets;  // bounds.size() + 1 of them
};

struct CompiledDecision {
  const v1::Decision* decision = nullptr;  // Into the owned RuleSet.
  const google::protobuf::Descriptor* fact_type = nullptr;
  // The generated class's reflection, or nullptr for other pools.
  const google::protobuf::Reflection* generated_reflection = nullptr;
  std::vector<InputPath> inputs;
  std::vector<MessageStep> message_steps;
  std::vector<std::vector<NormalCell>> cells;  // [row][input]
  std::vector<ColumnIndex> columns;
  int num_rows = 0;
  int num_words = 0;
  RowBits zeros;  // num_words zero words, for "no rows" parts.
  RowBits all_rows;
  // PRIORITY: rank per row, lower wins. 64-bit: the rank of a row priority
  // is its negation, and -INT32_MIN does not fit an int.
  std::vector<int64_t> priority_rank;
};

struct Where;

// Builds the column indexes of `d` from its normalised cells. Errors (a
// regex set RE2 cannot compile) are located by `where` (the decision) and
// name the input.
absl::Status BuildColumnIndexes(const CompileOptions& options,
                                const Where& where, CompiledDecision& d);

// Fills d.message_steps and each input's holder, sharing common prefixes;
// for generated fact types also the reflections, and d.generated_reflection.
void PlanReads(CompiledDecision& d);

// Reads every input of `fact` (of the decision's fact type) into
// values[0..inputs.size()), through held[0..message_steps.size()) (the
// messages on the way). `generated`: fact is the generated class, so the
// cached reflections apply. String values view the fact or `scratch[c]`.
// `read`, when given, holds fields of the same fact that earlier decisions
// of a batch read (top-level fields of generated facts whose values view
// the fact): those are taken from it, and fields read here are added.
// `accessors`, when given for a generated fact of their type, read the
// top-level fields they cover instead of reflection.
struct ReadFields {
  std::vector<std::pair<const google::protobuf::FieldDescriptor*, InputValue>>
      values;
};
void ReadInputs(const CompiledDecision& d,
                const google::protobuf::Message& fact, bool generated,
                InputValue* values, const google::protobuf::Message** held,
                std::string* scratch, ReadFields* read = nullptr,
                const FieldAccessors* accessors = nullptr);

// The input value as text for traces: "42", "true", "ITEM_CONDITION_USED",
// "\"LEEDS\"" or "<missing>".
std::string RenderInput(const InputPath& in, const InputValue& value);

// The indexes into col.regex_patterns of the patterns found in `text`,
// through col.regex_set (allocating only when some pattern matches), or
// alone when the column has one pattern or the set's DFA runs out of memory.
// REQUIRES: col.regex_set is set.
void MatchRegexes(const ColumnIndex& col, absl::string_view text,
                  std::vector<int>& matches);
// The same, matching each pattern alone (no allocation once `matches` has
// grown).
void MatchRegexesOneByOne(const ColumnIndex& col, absl::string_view text,
                          std::vector<int>& matches);

// The (up to three) bitsets whose union is the rows of column `c` that
// accept `value`. Uses `scratch` when several regexes match.
struct ColumnSelection {
  const uint64_t* parts[3];
};
// Writes the selection into `out` (evaluation's form: returning the struct
// by value stalls on store forwarding when it is copied on).
void SelectRowsInto(const CompiledDecision& d, int c, const InputValue& value,
                    RowBits& scratch, ColumnSelection& out);
inline ColumnSelection SelectRows(const CompiledDecision& d, int c,
                                  const InputValue& value, RowBits& scratch) {
  ColumnSelection s;
  SelectRowsInto(d, c, value, scratch, s);
  return s;
}

}  // namespace rules_internal
}  // namespace retcon

#endif  // RETCON_LIB_RULES_INTERNAL_COMPILED_DECISION_H_
