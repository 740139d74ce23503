// Per-column indexes: value -> bitset of accepting rows.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/rules/internal/compiled_decision.h"
#include "lib/rules/internal/re2_options.h"
#include "re2/re2.h"
#include "re2/set.h"

namespace retcon {
namespace rules_internal {
namespace {

bool Contains(const NormalCell& cell, int64_t n) {
  return std::find(cell.numbers.begin(), cell.numbers.end(), n) !=
         cell.numbers.end();
}
bool Contains(const NormalCell& cell, const std::string& s) {
  return std::find(cell.texts.begin(), cell.texts.end(), s) != cell.texts.end();
}

bool IsDiscrete(const NormalCell& cell) {
  return cell.kind != NormalCell::kRegex && cell.kind != NormalCell::kRange;
}

// Whether a discrete cell accepts present value `v`.
template <typename T>
bool Accepts(const NormalCell& cell, const T& v) {
  switch (cell.kind) {
    case NormalCell::kAny:
    case NormalCell::kPresent:
      return true;
    case NormalCell::kIn:
      return Contains(cell, v);
    case NormalCell::kNotIn:
      return !Contains(cell, v);
    default:
      return false;
  }
}

// Fills the value maps, `other` and `missing` from the discrete cells.
template <typename T>
void BuildDiscrete(const CompiledDecision& d, int c,
                   absl::flat_hash_map<T, RowBits>& map, ColumnIndex& col,
                   const std::vector<T> NormalCell::*values) {
  for (int r = 0; r < d.num_rows; ++r) {
    for (const T& v : d.cells[r][c].*values) map.try_emplace(v, d.zeros);
  }
  for (int r = 0; r < d.num_rows; ++r) {
    const NormalCell& cell = d.cells[r][c];
    if (!IsDiscrete(cell)) continue;
    for (auto& [value, bits] : map) {
      if (Accepts(cell, value)) SetBit(bits, r);
    }
    if (cell.kind == NormalCell::kAny || cell.kind == NormalCell::kPresent ||
        cell.kind == NormalCell::kNotIn) {
      SetBit(col.other, r);
    }
    if (cell.kind == NormalCell::kAny || cell.kind == NormalCell::kMissing) {
      SetBit(col.missing, r);
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

// The distinct patterns of column `c`, each with its rows.
std::vector<std::pair<std::string, RowBits>> RegexPatterns(
    const CompiledDecision& d, int c) {
  std::vector<std::pair<std::string, RowBits>> patterns;
  absl::flat_hash_map<std::string, size_t> index;
  for (int r = 0; r < d.num_rows; ++r) {
    const NormalCell& cell = d.cells[r][c];
    if (cell.kind != NormalCell::kRegex) continue;
    auto [it, added] = index.try_emplace(cell.regex, patterns.size());
    if (added) patterns.emplace_back(cell.regex, d.zeros);
    SetBit(patterns[it->second].second, r);
  }
  return patterns;
}

absl::Status BuildRegexSet(const CompileOptions& options,
                           const CompiledDecision& d, int c, ColumnIndex& col) {
  // The set holds every pattern of the column; each was checked alone.
  RE2::Options re_options = RegexOptions(std::max<int64_t>(
      64 << 20,
      options.regex_max_mem * static_cast<int64_t>(col.regex_rows.size())));
  col.regex_set = std::make_unique<RE2::Set>(re_options, RE2::UNANCHORED);
  for (const std::string& p : col.regex_patterns) {
    std::string error;
    if (col.regex_set->Add(p, &error) < 0) {
      return absl::InvalidArgumentError(error);
    }
  }
  if (!col.regex_set->Compile()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "decision '", d.decision->name(), "' input '", d.inputs[c].path,
        "': the column's ", col.regex_rows.size(),
        " regexes together are too large for RE2"));
  }
  return absl::OkStatus();
}

absl::Status BuildRegex(const CompileOptions& options, CompiledDecision& d,
                        int c) {
  ColumnIndex& col = d.columns[c];
  for (auto& [pattern, rows] : RegexPatterns(d, c)) {
    std::string literal;
    if (AnchoredLiteral(pattern, &literal)) {
      col.prefix_lengths.push_back(literal.size());
      col.prefix_rows.emplace(std::move(literal), std::move(rows));
    } else {
      col.regex_patterns.push_back(pattern);
      col.regex_rows.push_back(std::move(rows));
    }
  }
  col.prefix_table = TableOf(col.prefix_rows);
  std::sort(col.prefix_lengths.begin(), col.prefix_lengths.end());
  col.prefix_lengths.erase(
      std::unique(col.prefix_lengths.begin(), col.prefix_lengths.end()),
      col.prefix_lengths.end());
  if (col.regex_rows.empty()) return absl::OkStatus();
  return BuildRegexSet(options, d, c, col);
}

// Half-open buckets between the distinct bounds of the range cells.
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
  col.buckets.assign(b.size() + 1, d.zeros);
  for (int r = 0; r < d.num_rows; ++r) {
    const NormalCell& cell = d.cells[r][c];
    if (cell.kind != NormalCell::kRange) continue;
    // Bucket i covers [b[i-1], b[i]); it is inside the cell when
    // low <= b[i-1] (or i == 0 and low is open) and b[i] - 1 <= high.
    for (size_t i = 0; i < col.buckets.size(); ++i) {
      int64_t from = i == 0 ? in.min_key : b[i - 1];
      int64_t to_inclusive = i == b.size() ? in.max_key : b[i] - 1;
      if (from >= cell.low && to_inclusive <= cell.high) {
        SetBit(col.buckets[i], r);
      }
    }
  }
}

}  // namespace

absl::Status BuildColumnIndexes(const CompileOptions& options,
                                CompiledDecision& d) {
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
    absl::Status status = BuildRegex(options, d, c);
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
    matches.clear();
    if (col.regex_set->Match(re2::StringPiece(text.data(), text.size()),
                             &matches)) {
      for (int m : matches) rows.Add(col.regex_rows[m].data());
    }
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
