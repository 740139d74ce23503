// Per-column indexes: value -> bitset of accepting rows.
#include <algorithm>
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
  std::vector<int64_t>& b = col.bounds;
  for (int r = 0; r < d.num_rows; ++r) {
    const NormalCell& cell = d.cells[r][c];
    if (cell.kind != NormalCell::kRange) continue;
    if (cell.low != INT64_MIN) b.push_back(cell.low);
    if (cell.high != INT64_MAX) b.push_back(cell.high + 1);
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
      int64_t from = i == 0 ? INT64_MIN : b[i - 1];
      int64_t to_inclusive = i == b.size() ? INT64_MAX : b[i] - 1;
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
    } else {
      BuildDiscrete(d, c, col.by_number, col, &NormalCell::numbers);
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
  explicit RowUnion(RowBits& scratch) : scratch_(scratch) {}
  void Add(const RowBits& rows) {
    if (single_ == nullptr) {
      single_ = &rows;
      return;
    }
    if (single_ != &scratch_) {
      scratch_ = *single_;
      single_ = &scratch_;
    }
    for (size_t w = 0; w < scratch_.size(); ++w) scratch_[w] |= rows[w];
  }
  const uint64_t* result() const {
    return single_ == nullptr ? nullptr : single_->data();
  }

 private:
  RowBits& scratch_;
  const RowBits* single_ = nullptr;
};

const uint64_t* RegexRows(const ColumnIndex& col, absl::string_view text,
                          RowBits& scratch) {
  RowUnion rows(scratch);
  for (size_t length : col.prefix_lengths) {
    if (length > text.size()) break;
    auto it = col.prefix_rows.find(text.substr(0, length));
    if (it != col.prefix_rows.end()) rows.Add(it->second);
  }
  if (col.regex_set != nullptr) {
    thread_local std::vector<int> matches;
    matches.clear();
    if (col.regex_set->Match(re2::StringPiece(text.data(), text.size()),
                             &matches)) {
      for (int m : matches) rows.Add(col.regex_rows[m]);
    }
  }
  return rows.result();
}

const uint64_t* RangeRows(const ColumnIndex& col, int64_t v) {
  if (col.buckets.empty()) return nullptr;
  size_t i = std::upper_bound(col.bounds.begin(), col.bounds.end(), v) -
             col.bounds.begin();
  return col.buckets[i].data();
}

}  // namespace

ColumnSelection SelectRows(const CompiledDecision& d, int c,
                           const InputValue& value, RowBits& scratch) {
  const ColumnIndex& col = d.columns[c];
  const uint64_t* zeros = d.zeros.data();
  ColumnSelection s{{zeros, zeros, zeros}};
  if (!value.present) {
    s.parts[0] = col.missing.data();
    return s;
  }
  if (col.is_string) {
    auto it = col.by_text.find(value.text);
    s.parts[0] = it == col.by_text.end() ? col.other.data() : it->second.data();
    const uint64_t* re = RegexRows(col, value.text, scratch);
    if (re != nullptr) s.parts[1] = re;
  } else {
    auto it = col.by_number.find(value.number);
    s.parts[0] =
        it == col.by_number.end() ? col.other.data() : it->second.data();
    const uint64_t* range = RangeRows(col, value.number);
    if (range != nullptr) s.parts[1] = range;
  }
  return s;
}

}  // namespace rules_internal
}  // namespace retcon
