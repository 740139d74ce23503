// Per-column indexes: value -> bitset of accepting rows.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/rules/internal/compile_error.h"
#include "lib/rules/internal/compiled_decision.h"
#include "lib/rules/internal/re2_options.h"
#include "re2/re2.h"
#include "re2/set.h"

namespace retcon {
namespace rules_internal {
namespace {

inline void ClearBit(RowBits& bits, int row) {
  bits[row >> 6] &= ~(uint64_t{1} << (row & 63));
}

// Fills `other` and `missing`, then the value maps: each listed value
// accepts what `other` accepts, plus the rows listing it in an `in` cell,
// minus those listing it in a `not in` cell. Each row touches only its own
// values: O(distinct values x words + cells).
template <typename T>
void BuildDiscrete(const CompiledDecision& d, int c,
                   absl::flat_hash_map<T, RowBits>& map, ColumnIndex& col,
                   const std::vector<T> NormalCell::*values) {
  for (int r = 0; r < d.num_rows; ++r) {
    const NormalCell::Kind kind = d.cells[r][c].kind;
    if (kind == NormalCell::kAny || kind == NormalCell::kPresent ||
        kind == NormalCell::kNotIn) {
      SetBit(col.other, r);
    }
    if (kind == NormalCell::kAny || kind == NormalCell::kMissing) {
      SetBit(col.missing, r);
    }
  }
  for (int r = 0; r < d.num_rows; ++r) {
    const NormalCell& cell = d.cells[r][c];
    for (const T& v : cell.*values) {
      auto [it, added] = map.try_emplace(v);
      if (added) it->second = col.other;
      if (cell.kind == NormalCell::kIn) {
        SetBit(it->second, r);
      } else {
        ClearBit(it->second, r);
      }
    }
  }
}

// The lookup table of a map's row bitsets (which must not move after).
TextTable TableOf(const absl::flat_hash_map<std::string, RowBits>& map) {
  std::vector<std::pair<std::string, const uint64_t*>> entries;
  for (const auto& [text, rows] : map) entries.emplace_back(text, rows.data());
  TextTable table;
  table.Build(std::move(entries));
  return table;
}

// Lays by_number out as a table when its keys are few and close together.
void BuildDense(ColumnIndex& col) {
  if (col.by_number.empty()) return;
  int64_t low = INT64_MAX, high = INT64_MIN;
  for (const auto& entry : col.by_number) {
    low = std::min(low, entry.first);
    high = std::max(high, entry.first);
  }
  // Compared as unsigned so that a span beyond INT64_MAX cannot wrap.
  if (static_cast<uint64_t>(high) - static_cast<uint64_t>(low) >=
      static_cast<uint64_t>(ColumnIndex::kMaxDenseSpan)) {
    return;
  }
  col.dense_min = low;
  col.dense.assign(static_cast<size_t>(high - low) + 1, col.other.data());
  for (const auto& [value, bits] : col.by_number) {
    col.dense[static_cast<size_t>(value - low)] = bits.data();
  }
}

// The literal of a pattern `^literal` (no other metacharacter), if it is one.
bool AnchoredLiteral(const std::string& pattern, std::string* literal) {
  if (pattern.size() < 2 || pattern[0] != '^') return false;
  if (pattern.find_first_of("\\.^$|?*+()[]{}", 1) != std::string::npos) {
    return false;
  }
  *literal = pattern.substr(1);
  return true;
}

// A distinct pattern of a column: the first row using it, and every row.
struct ColumnPattern {
  int first_row = -1;
  const NormalCell* cell = nullptr;
  RowBits rows;
};

// The distinct patterns of column `c`, in order of first use.
std::vector<ColumnPattern> RegexPatterns(const CompiledDecision& d, int c) {
  std::vector<ColumnPattern> patterns;
  absl::flat_hash_map<absl::string_view, size_t> index;
  for (int r = 0; r < d.num_rows; ++r) {
    const NormalCell& cell = d.cells[r][c];
    if (cell.kind != NormalCell::kRegex) continue;
    auto [it, added] = index.try_emplace(cell.regex, patterns.size());
    if (added) patterns.push_back({r, &cell, d.zeros});
    SetBit(patterns[it->second].rows, r);
  }
  return patterns;
}

absl::Status BuildRegexSet(const CompileOptions& options,
                           const CompiledDecision& d, int c,
                           const std::vector<int>& first_rows,
                           const Where& where, ColumnIndex& col) {
  // The set holds every pattern of the column; each was checked alone.
  col.regex_set = std::make_unique<RE2::Set>(
      RegexOptions(options.regex_set_max_mem), RE2::UNANCHORED);
  for (size_t i = 0; i < col.regex_patterns.size(); ++i) {
    std::string error;
    if (col.regex_set->Add(col.regex_patterns[i], &error) < 0) {
      Where at = where;
      at.row = first_rows[i];
      at.cell = c;
      at.row_id = d.decision->rows(first_rows[i]).id();
      return ErrorAt(at, absl::StrCat("RE2::Set refused regex '",
                                      col.regex_patterns[i], "': ", error));
    }
  }
  if (!col.regex_set->Compile()) {
    return ErrorAt(where,
                   absl::StrCat("the column's ", col.regex_rows.size(),
                                " regexes together are too large for RE2 (more "
                                "than CompileOptions::regex_set_max_mem, ",
                                options.regex_set_max_mem, " bytes)"));
  }
  return absl::OkStatus();
}

absl::Status BuildRegex(const CompileOptions& options, const Where& where,
                        CompiledDecision& d, int c) {
  ColumnIndex& col = d.columns[c];
  std::vector<int> first_rows;  // Of each pattern in the set.
  for (ColumnPattern& pattern : RegexPatterns(d, c)) {
    std::string literal;
    if (AnchoredLiteral(pattern.cell->regex, &literal)) {
      col.prefix_lengths.push_back(literal.size());
      col.prefix_rows.emplace(std::move(literal), std::move(pattern.rows));
    } else {
      col.regex_patterns.push_back(pattern.cell->regex);
      col.regex_programs.push_back(pattern.cell->re.get());
      col.regex_rows.push_back(std::move(pattern.rows));
      first_rows.push_back(pattern.first_row);
    }
  }
  col.prefix_table = TableOf(col.prefix_rows);
  std::sort(col.prefix_lengths.begin(), col.prefix_lengths.end());
  col.prefix_lengths.erase(
      std::unique(col.prefix_lengths.begin(), col.prefix_lengths.end()),
      col.prefix_lengths.end());
  if (col.regex_rows.empty()) return absl::OkStatus();
  return BuildRegexSet(options, d, c, first_rows, where, col);
}

// Half-open buckets between the distinct bounds of the range cells. Each
// range covers a run of buckets; one sweep over the buckets adds a row where
// its run starts and removes it after it ends: O(buckets x words + rows).
void BuildRange(CompiledDecision& d, int c) {
  ColumnIndex& col = d.columns[c];
  const InputPath& in = d.inputs[c];
  std::vector<int64_t>& b = col.bounds;
  // The ends of the field's range are open ends: no value lies beyond.
  for (int r = 0; r < d.num_rows; ++r) {
    const NormalCell& cell = d.cells[r][c];
    if (cell.kind != NormalCell::kRange) continue;
    if (cell.low > in.min_key) b.push_back(cell.low);
    if (cell.high < in.max_key) b.push_back(cell.high + 1);
  }
  std::sort(b.begin(), b.end());
  b.erase(std::unique(b.begin(), b.end()), b.end());
  auto position = [&](int64_t bound) {
    return static_cast<size_t>(std::lower_bound(b.begin(), b.end(), bound) -
                               b.begin());
  };
  // Bucket i covers [b[i-1], b[i]): a range from `low` starts at the bucket
  // after low's position; one through `high` ends at high + 1's position.
  std::vector<std::vector<int>> starts(b.size() + 1), ends(b.size() + 1);
  for (int r = 0; r < d.num_rows; ++r) {
    const NormalCell& cell = d.cells[r][c];
    if (cell.kind != NormalCell::kRange) continue;
    size_t first = cell.low > in.min_key ? position(cell.low) + 1 : 0;
    size_t last = cell.high < in.max_key ? position(cell.high + 1) : b.size();
    starts[first].push_back(r);
    ends[last].push_back(r);
  }
  col.buckets.reserve(b.size() + 1);
  RowBits rows = d.zeros;
  for (size_t i = 0; i <= b.size(); ++i) {
    for (int r : starts[i]) SetBit(rows, r);
    col.buckets.push_back(rows);
    for (int r : ends[i]) ClearBit(rows, r);
  }
}

}  // namespace

absl::Status BuildColumnIndexes(const CompileOptions& options,
                                const Where& where, CompiledDecision& d) {
  d.num_words = (d.num_rows + 63) / 64;
  d.zeros.assign(d.num_words, 0);
  d.all_rows = d.zeros;
  for (int r = 0; r < d.num_rows; ++r) SetBit(d.all_rows, r);
  d.columns = std::vector<ColumnIndex>(d.inputs.size());
  for (size_t c = 0; c < d.inputs.size(); ++c) {
    ColumnIndex& col = d.columns[c];
    for (int r = 0; r < d.num_rows; ++r) {
      if (d.cells[r][c].kind != NormalCell::kAny) col.all_any = false;
    }
    if (col.all_any) continue;
    col.is_string = d.inputs[c].kind == InputKind::kString;
    col.other = d.zeros;
    col.missing = d.zeros;
    if (col.is_string) {
      BuildDiscrete(d, c, col.by_text, col, &NormalCell::texts);
      col.text_table = TableOf(col.by_text);
    } else {
      BuildDiscrete(d, c, col.by_number, col, &NormalCell::numbers);
      BuildDense(col);
    }
    Where at = where;
    at.input = absl::StrCat("input '", d.inputs[c].path, "'");
    absl::Status status = BuildRegex(options, at, d, static_cast<int>(c));
    if (!status.ok()) return status;
    BuildRange(d, c);
  }
  return absl::OkStatus();
}

namespace {

// The union of the bitsets added: a pointer to the only one, or `scratch`.
class RowUnion {
 public:
  RowUnion(RowBits& scratch, int num_words)
      : scratch_(scratch), num_words_(num_words) {}
  void Add(const uint64_t* rows) {
    if (single_ == nullptr) {
      single_ = rows;
      return;
    }
    if (single_ != scratch_.data()) {
      scratch_.assign(single_, single_ + num_words_);
      single_ = scratch_.data();
    }
    for (int w = 0; w < num_words_; ++w) scratch_[w] |= rows[w];
  }
  const uint64_t* result() const { return single_; }

 private:
  RowBits& scratch_;
  const int num_words_;
  const uint64_t* single_ = nullptr;
};

const uint64_t* RegexRows(const ColumnIndex& col, int num_words,
                          absl::string_view text, RowBits& scratch) {
  RowUnion rows(scratch, num_words);
  for (size_t length : col.prefix_lengths) {
    if (length > text.size()) break;
    const uint64_t* found = col.prefix_table.Find(text.substr(0, length));
    if (found != nullptr) rows.Add(found);
  }
  if (col.regex_set != nullptr) {
    thread_local std::vector<int> matches;
    MatchRegexes(col, text, matches);
    for (int m : matches) rows.Add(col.regex_rows[m].data());
  }
  return rows.result();
}

// The discrete cells' rows accepting present number `v`.
const uint64_t* DiscreteRows(const ColumnIndex& col, int64_t v) {
  if (!col.dense.empty()) {
    uint64_t offset =
        static_cast<uint64_t>(v) - static_cast<uint64_t>(col.dense_min);
    return offset < col.dense.size() ? col.dense[offset] : col.other.data();
  }
  auto it = col.by_number.find(v);
  return it == col.by_number.end() ? col.other.data() : it->second.data();
}

const uint64_t* RangeRows(const ColumnIndex& col, int64_t v) {
  if (col.buckets.empty()) return nullptr;
  // The bucket is the number of bounds <= v. Counting without branches
  // beats a binary search (whose branches facts mispredict) on short lists.
  size_t i = 0;
  if (col.bounds.size() <= 32) {
    for (int64_t bound : col.bounds) i += bound <= v;
  } else {
    i = std::upper_bound(col.bounds.begin(), col.bounds.end(), v) -
        col.bounds.begin();
  }
  return col.buckets[i].data();
}

}  // namespace

void MatchRegexes(const ColumnIndex& col, absl::string_view text,
                  std::vector<int>& matches) {
  // One pattern: RE2 alone is quicker than a set, and never allocates.
  if (col.regex_programs.size() == 1) {
    return MatchRegexesOneByOne(col, text, matches);
  }
  const re2::StringPiece piece(text.data(), text.size());
  RE2::Set::ErrorInfo error;
  error.kind = RE2::Set::kNoError;
  // Asked only whether any pattern matches, the set stops at the first match
  // and does not allocate; asked which, it allocates the list.
  if (!col.regex_set->Match(piece, nullptr, &error)) {
    if (error.kind == RE2::Set::kNoError) return matches.clear();
    return MatchRegexesOneByOne(col, text, matches);  // Out of DFA memory.
  }
  if (!col.regex_set->Match(piece, &matches, &error) &&
      error.kind != RE2::Set::kNoError) {
    MatchRegexesOneByOne(col, text, matches);
  }
}

void MatchRegexesOneByOne(const ColumnIndex& col, absl::string_view text,
                          std::vector<int>& matches) {
  matches.clear();
  const re2::StringPiece piece(text.data(), text.size());
  for (size_t i = 0; i < col.regex_programs.size(); ++i) {
    if (RE2::PartialMatch(piece, *col.regex_programs[i])) {
      matches.push_back(static_cast<int>(i));
    }
  }
}

void SelectRowsInto(const CompiledDecision& d, int c, const InputValue& value,
                    RowBits& scratch, ColumnSelection& s) {
  const ColumnIndex& col = d.columns[c];
  const uint64_t* zeros = d.zeros.data();
  s.parts[0] = s.parts[1] = s.parts[2] = zeros;
  if (!value.present) {
    s.parts[0] = col.missing.data();
    return;
  }
  if (col.is_string) {
    const uint64_t* found = col.text_table.Find(value.text);
    s.parts[0] = found == nullptr ? col.other.data() : found;
    const uint64_t* re = RegexRows(col, d.num_words, value.text, scratch);
    if (re != nullptr) s.parts[1] = re;
  } else {
    s.parts[0] = DiscreteRows(col, value.number);
    const uint64_t* range = RangeRows(col, value.number);
    if (range != nullptr) s.parts[1] = range;
  }
}

}  // namespace rules_internal
}  // namespace retcon
