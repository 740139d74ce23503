// The indexed evaluator against a row-by-row reference over random tables
// and facts (fixed seeds, printed on failure): every cell kind, missing
// values, regex and range columns mixed with discrete cells.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/rules/internal/rule_set_impl.h"
#include "re2/re2.h"
#include "re2/set.h"
#include "retcon/field_accessors.h"
#include "retcon/rules.h"
#include "retcon/rules_analysis.h"
#include "tests/rules/rules_test_fact.pb.h"

namespace retcon {
namespace {

using rules_test::ReturnFact;

const char* const kInputs[] = {
    "reason",           "location",          "sku",
    "days_since_order", "order.total_minor", "restockable"};
// Keys of every length class the string tables treat apart (empty, under 4,
// 4 to 7, 8 to 16, longer), and pairs that differ only in one byte.
const char* const kLocations[] = {"LEEDS",
                                  "YORK",
                                  "",
                                  "HU",
                                  "LEEDS-DEPOT",
                                  "LEEDS-DEPOX",
                                  "WAREHOUSE-NORTH-LEEDS-2",
                                  "WAREHOUSE-NORTH-LEEDS-3"};
constexpr int kNumLocations = 8;
const char* const kPatterns[] = {
    "^A", "B", "C$", "^A.*C$", "[0-9]", "^WAREHOUSE-NORTH", "^LEEDS-"};
constexpr int kNumPatterns = 7;
const char* const kSkus[] = {"A1", "AB", "BC", "XYC", "Z", "", "ABC"};

struct Input {
  bool present = false;
  int64_t number = 0;
  std::string text;
};

Input Read(const ReturnFact& f, int c) {
  switch (c) {
    case 0:
      return {true, f.reason(), ""};
    case 1:
      return {true, 0, f.location()};
    case 2:
      return {true, 0, f.sku()};
    case 3:
      return {true, f.days_since_order(), ""};
    case 4:
      return {f.has_order() && f.order().has_total_minor(),
              f.order().total_minor(), ""};
    default:
      return {f.has_restockable(), f.restockable() ? 1 : 0, ""};
  }
}

bool Equal(const v1::Value& v, const Input& in, int c) {
  switch (c) {
    case 0:
      return rules_test::Reason_Name(in.number) == v.enum_value();
    case 1:
    case 2:
      return v.string_value() == in.text;
    case 5:
      return v.bool_value() == (in.number != 0);
    default:
      return v.int_value() == in.number;
  }
}

bool InRange(const v1::Range& r, int64_t x) {
  if (!r.low().empty()) {
    int64_t low = std::stoll(r.low());
    if (x < low || (x == low && !r.low_inclusive())) return false;
  }
  if (!r.high().empty()) {
    int64_t high = std::stoll(r.high());
    if (x > high || (x == high && !r.high_inclusive())) return false;
  }
  return true;
}

bool Matches(const v1::Cell& cell, const Input& in, int c) {
  auto any_equal = [&](const v1::ValueList& list) {
    for (const v1::Value& v : list.values()) {
      if (Equal(v, in, c)) return true;
    }
    return false;
  };
  switch (cell.test_case()) {
    case v1::Cell::kAny:
      return true;
    case v1::Cell::kIsMissing:
      return !in.present;
    case v1::Cell::kIsPresent:
      return in.present;
    case v1::Cell::kEquals:
      return in.present && Equal(cell.equals(), in, c);
    case v1::Cell::kOneOf:
      return in.present && any_equal(cell.one_of());
    case v1::Cell::kNotOneOf:
      return in.present && !any_equal(cell.not_one_of());
    case v1::Cell::kRegex:
      return in.present && RE2::PartialMatch(in.text, cell.regex());
    default:
      return in.present && InRange(cell.range(), in.number);
  }
}

class Random {
 public:
  explicit Random(uint32_t seed) : rng_(seed) {}
  int Below(int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng_);
  }

 private:
  std::mt19937 rng_;
};

// Numbers near zero, and far ones that keep a column's values from being
// laid out as a dense table.
int64_t RandomNumber(Random& r) {
  static constexpr int64_t kFar[] = {100000, -100000, INT64_MAX, INT64_MIN};
  if (r.Below(16) == 0) return kFar[r.Below(4)];
  return r.Below(8) - 2;
}

v1::Value RandomValue(Random& r, int c) {
  v1::Value v;
  switch (c) {
    case 0:
      v.set_enum_value(rules_test::Reason_Name(r.Below(4)));
      break;
    case 1:
      v.set_string_value(kLocations[r.Below(kNumLocations)]);
      break;
    case 2:
      v.set_string_value(kSkus[r.Below(7)]);
      break;
    case 5:
      v.set_bool_value(r.Below(2) == 1);
      break;
    default:
      v.set_int_value(RandomNumber(r));
  }
  return v;
}

v1::Cell RandomCell(Random& r, int c) {
  v1::Cell cell;
  int kind = r.Below(8);
  if (kind == 5 && (c == 2 || c == 1)) {
    cell.set_regex(kPatterns[r.Below(kNumPatterns)]);
  } else if (kind == 5 && (c == 3 || c == 4)) {
    v1::Range* range = cell.mutable_range();
    int low = r.Below(6) - 2;
    if (r.Below(3) > 0) range->set_low(absl::StrCat(low));
    if (r.Below(3) > 0) range->set_high(absl::StrCat(low + 1 + r.Below(4)));
    range->set_low_inclusive(r.Below(2) == 1);
    range->set_high_inclusive(true);
  } else if (kind == 1) {
    *cell.mutable_equals() = RandomValue(r, c);
  } else if (kind == 2 || kind == 3) {
    v1::ValueList* list =
        kind == 2 ? cell.mutable_one_of() : cell.mutable_not_one_of();
    for (int i = 0, n = 1 + r.Below(2); i < n; ++i) {
      *list->add_values() = RandomValue(r, c);
    }
  } else if (kind == 4) {
    r.Below(2) ? (void)cell.mutable_is_missing()
               : (void)cell.mutable_is_present();
  } else {
    cell.mutable_any();
  }
  return cell;
}

v1::RuleSet RandomTable(Random& r, int rows) {
  v1::RuleSet rs;
  v1::Decision* d = rs.add_decisions();
  d->set_name("d");
  d->set_fact_type("retcon.rules_test.ReturnFact");
  d->set_hit_policy(v1::Decision::COLLECT);
  for (const char* in : kInputs) d->add_inputs(in);
  v1::Output* out = d->add_outputs();
  out->set_name("o");
  out->set_type(v1::Output::INTEGER);
  for (int i = 0; i < rows; ++i) {
    v1::Row* row = d->add_rows();
    row->set_id(absl::StrCat("R", i));
    for (int c = 0; c < 6; ++c) *row->add_cells() = RandomCell(r, c);
    row->add_outputs()->set_int_value(i);
  }
  return rs;
}

ReturnFact RandomFact(Random& r) {
  ReturnFact f;
  f.set_reason(static_cast<rules_test::Reason>(r.Below(5)));
  f.set_location(kLocations[r.Below(kNumLocations)]);
  f.set_sku(kSkus[r.Below(7)]);
  f.set_days_since_order(RandomNumber(r));
  if (r.Below(3) > 0) f.mutable_order();
  if (r.Below(3) > 0) f.mutable_order()->set_total_minor(RandomNumber(r));
  if (r.Below(2) > 0) f.set_restockable(r.Below(2) == 1);
  return f;
}

TEST(EvaluatePropertyTest, IndexedCollectEqualsRowByRowReference) {
  ReturnFact::descriptor();
  int64_t matches = 0;  // The reference must find matches to prove much.
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    Random r(seed);
    int rows = 1 + r.Below(seed % 4 == 0 ? 300 : 40);
    v1::RuleSet rs = RandomTable(r, rows);
    auto rules = CompileRuleSet(rs, {});
    ASSERT_TRUE(rules.ok()) << "seed " << seed << ": " << rules.status();
    for (int i = 0; i < 200; ++i) {
      ReturnFact f = RandomFact(r);
      std::vector<int> want;
      for (int row = 0; row < rows; ++row) {
        bool all = true;
        for (int c = 0; c < 6 && all; ++c) {
          all = Matches(rs.decisions(0).rows(row).cells(c), Read(f, c), c);
        }
        if (all) want.push_back(row);
      }
      absl::StatusOr<DecisionResult> got = (*rules)->Evaluate("d", f);
      ASSERT_TRUE(got.ok());
      std::vector<int> got_rows;
      for (const RuleHit& hit : got->hits) got_rows.push_back(hit.row_index);
      matches += want.size();
      ASSERT_EQ(got_rows, want)
          << "seed " << seed << " fact " << f.ShortDebugString();
    }
  }
}

// Accessors for the top-level fields of ReturnFact that they can read (the
// nested order.total_minor stays with reflection).
const FieldAccessors& TestAccessors() {
  static const FieldAccessors* const kAccessors = [] {
    auto* a = new FieldAccessors(FieldAccessors::For<ReturnFact>());
    bool ok = a->Add<&ReturnFact::reason>(ReturnFact::kReasonFieldNumber).ok();
    ok &= a->Add<&ReturnFact::location>(ReturnFact::kLocationFieldNumber).ok();
    ok &= a->Add<&ReturnFact::sku>(ReturnFact::kSkuFieldNumber).ok();
    ok &= a->Add<&ReturnFact::days_since_order>(
               ReturnFact::kDaysSinceOrderFieldNumber)
              .ok();
    ok &= a->Add<&ReturnFact::restockable, &ReturnFact::has_restockable>(
               ReturnFact::kRestockableFieldNumber)
              .ok();
    if (!ok) abort();
    return a;
  }();
  return *kAccessors;
}

// Reading through generated accessors changes no result: the same random
// tables and facts (missing optional fields included), evaluated with and
// without them, alone and as a batch of two decisions over one fact.
TEST(EvaluatePropertyTest, AccessorsGiveTheSameResultsAsReflection) {
  ReturnFact::descriptor();
  int64_t matches = 0;
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    Random r(seed);
    v1::RuleSet rs = RandomTable(r, 1 + r.Below(seed % 4 == 0 ? 300 : 40));
    *rs.add_decisions() = RandomTable(r, 1 + r.Below(40)).decisions(0);
    rs.mutable_decisions(1)->set_name("e");
    auto rules = CompileRuleSet(rs, {});
    ASSERT_TRUE(rules.ok()) << "seed " << seed << ": " << rules.status();
    const int both[] = {0, 1};
    for (int i = 0; i < 200; ++i) {
      ReturnFact f = RandomFact(r);
      DecisionResult want[2], got[2];
      ASSERT_TRUE((*rules)->EvaluateEach(both, f, absl::MakeSpan(want)).ok());
      ASSERT_TRUE(
          (*rules)
              ->EvaluateEach(both, f, TestAccessors(), absl::MakeSpan(got))
              .ok());
      for (int k = 0; k < 2; ++k) {
        std::vector<int> want_rows, got_rows;
        for (const RuleHit& hit : want[k].hits) {
          want_rows.push_back(hit.row_index);
        }
        for (const RuleHit& hit : got[k].hits)
          got_rows.push_back(hit.row_index);
        matches += want_rows.size();
        ASSERT_EQ(got_rows, want_rows) << "seed " << seed << " decision " << k
                                       << " fact " << f.ShortDebugString();
      }
    }
  }
  EXPECT_GT(matches, 1000);
}

// Ranges with bounds at and beyond the ends of int32, uint32, int64 and
// uint64 fields, against a reference in 128 bits.
struct ExtremeField {
  const char* input;
  absl::int128 min, max;  // The field's range.
  void Set(ReturnFact& f, absl::int128 x) const {
    std::string name = input;
    if (name == "i32") f.set_i32(static_cast<int32_t>(x));
    if (name == "u32") f.set_u32(static_cast<uint32_t>(x));
    if (name == "u64") f.set_u64(static_cast<uint64_t>(x));
    if (name == "days_since_order") {
      f.set_days_since_order(static_cast<int64_t>(x));
    }
  }
};

std::string Int128Text(absl::int128 x) {
  std::ostringstream text;
  text << x;
  return text.str();
}

TEST(EvaluatePropertyTest, RangesAtTheIntegerExtremesMatchTheReference) {
  ReturnFact::descriptor();
  const absl::int128 k63 = absl::int128(1) << 63;
  const absl::int128 k64 = absl::int128(1) << 64;
  const ExtremeField fields[] = {
      {"i32", INT32_MIN, INT32_MAX},
      {"u32", 0, UINT32_MAX},
      {"days_since_order", -k63, k63 - 1},
      {"u64", 0, k64 - 1},
  };
  struct Bound {
    bool set, inclusive;
    absl::int128 at;
  };
  int64_t checked = 0, matched = 0;
  for (const ExtremeField& field : fields) {
    // Values near 0 and near each end of the field, and bounds a little
    // beyond them too.
    std::vector<absl::int128> values, bounds;
    for (absl::int128 base : {field.min, absl::int128(0), field.max}) {
      for (int delta = -2; delta <= 2; ++delta) {
        absl::int128 v = base + delta;
        bounds.push_back(v);
        if (v >= field.min && v <= field.max) values.push_back(v);
      }
    }
    Random r(static_cast<uint32_t>(field.max & 0xffff));
    for (int t = 0; t < 150; ++t) {
      v1::RuleSet rs;
      v1::Decision* d = rs.add_decisions();
      d->set_name("d");
      d->set_fact_type("retcon.rules_test.ReturnFact");
      d->set_hit_policy(v1::Decision::COLLECT);
      d->add_inputs(field.input);
      d->add_outputs()->set_name("o");
      d->mutable_outputs(0)->set_type(v1::Output::INTEGER);
      std::vector<std::pair<Bound, Bound>> ranges;
      for (int i = 0, n = 1 + r.Below(6); i < n; ++i) {
        Bound low{r.Below(4) > 0, r.Below(2) == 1,
                  bounds[r.Below(bounds.size())]};
        Bound high{r.Below(4) > 0, r.Below(2) == 1,
                   bounds[r.Below(bounds.size())]};
        v1::Row row;
        row.set_id(absl::StrCat("R", ranges.size()));
        v1::Range* range = row.add_cells()->mutable_range();
        if (low.set) range->set_low(Int128Text(low.at));
        if (high.set) range->set_high(Int128Text(high.at));
        range->set_low_inclusive(low.inclusive);
        range->set_high_inclusive(high.inclusive);
        row.add_outputs()->set_int_value(i);
        *d->add_rows() = row;
        // An empty range is a compile error: leave such rows out.
        if (!CompileRuleSet(rs, {}).ok()) {
          d->mutable_rows()->RemoveLast();
          continue;
        }
        ranges.emplace_back(low, high);
      }
      if (ranges.empty()) continue;
      auto rules = CompileRuleSet(rs, {});
      ASSERT_TRUE(rules.ok()) << rules.status();
      for (absl::int128 x : values) {
        ReturnFact f;
        field.Set(f, x);
        std::vector<int> want;
        for (size_t i = 0; i < ranges.size(); ++i) {
          const auto& [low, high] = ranges[i];
          bool in =
              (!low.set || x > low.at || (low.inclusive && x == low.at)) &&
              (!high.set || x < high.at || (high.inclusive && x == high.at));
          if (in) want.push_back(static_cast<int>(i));
        }
        absl::StatusOr<DecisionResult> got = (*rules)->Evaluate("d", f);
        ASSERT_TRUE(got.ok());
        std::vector<int> got_rows;
        for (const RuleHit& hit : got->hits) got_rows.push_back(hit.row_index);
        ASSERT_EQ(got_rows, want) << field.input << " = " << Int128Text(x)
                                  << " in " << rs.ShortDebugString();
        ++checked;
        matched += !want.empty();
      }
    }
  }
  EXPECT_GT(checked, 1000);
  EXPECT_GT(matched, checked / 4);
}

// The fallback for a regex set out of DFA memory (RE2 checks at compile
// that the DFA works, so it cannot be forced here) finds what the set finds.
TEST(EvaluatePropertyTest, RegexesMatchedOneByOneFindWhatTheSetFinds) {
  int64_t compared = 0, found = 0;
  for (uint32_t seed = 300; seed < 320; ++seed) {
    Random r(seed);
    v1::RuleSet rs = RandomTable(r, 1 + r.Below(60));
    auto compiled = CompileRuleSet(rs, {});
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    const auto& impl =
        static_cast<const rules_internal::RuleSetImpl&>(**compiled);
    for (const rules_internal::ColumnIndex& col : impl.decisions[0].columns) {
      if (col.regex_set == nullptr) continue;
      for (int i = 0; i < 100; ++i) {
        std::string text =
            r.Below(2) ? kLocations[r.Below(kNumLocations)] : kSkus[r.Below(7)];
        if (r.Below(3) == 0) text += kSkus[r.Below(7)];
        std::vector<int> by_set, one_by_one;
        col.regex_set->Match(text, &by_set);
        std::sort(by_set.begin(), by_set.end());
        rules_internal::MatchRegexesOneByOne(col, text, one_by_one);
        EXPECT_EQ(by_set, one_by_one) << "seed " << seed << " '" << text << "'";
        ++compared;
        found += !one_by_one.empty();
      }
    }
  }
  EXPECT_GT(compared, 500);
  EXPECT_GT(found, compared / 10);
}

// Rows matching `f` by the reference, in row order.
std::vector<int> ReferenceMatches(const v1::RuleSet& rs, const ReturnFact& f) {
  std::vector<int> rows;
  const v1::Decision& d = rs.decisions(0);
  for (int row = 0; row < d.rows_size(); ++row) {
    bool all = true;
    for (int c = 0; c < 6 && all; ++c) {
      all = Matches(d.rows(row).cells(c), Read(f, c), c);
    }
    if (all) rows.push_back(row);
  }
  return rows;
}

void StripRegexes(v1::RuleSet& rs) {
  for (v1::Row& row : *rs.mutable_decisions(0)->mutable_rows()) {
    for (v1::Cell& cell : *row.mutable_cells()) {
      if (cell.has_regex()) cell.mutable_any();
    }
  }
}

std::unique_ptr<const CompiledRuleSet> WithPolicy(
    v1::RuleSet rs, v1::Decision::HitPolicy policy) {
  rs.mutable_decisions(0)->set_hit_policy(policy);
  auto compiled = CompileRuleSet(rs, {});
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  return compiled.ok() ? *std::move(compiled) : nullptr;
}

// The winner under FIRST, UNIQUE and PRIORITY (random row priorities) is
// the one the reference's matches imply.
TEST(EvaluatePropertyTest, SingleHitPoliciesPickTheReferenceWinner) {
  for (uint32_t seed = 100; seed < 120; ++seed) {
    Random r(seed);
    v1::RuleSet rs = RandomTable(r, 1 + r.Below(60));
    for (v1::Row& row : *rs.mutable_decisions(0)->mutable_rows()) {
      row.set_priority(r.Below(3));
    }
    auto first = WithPolicy(rs, v1::Decision::FIRST);
    auto unique = WithPolicy(rs, v1::Decision::UNIQUE);
    auto priority = WithPolicy(rs, v1::Decision::PRIORITY);
    ASSERT_TRUE(first && unique && priority) << "seed " << seed;
    for (int i = 0; i < 200; ++i) {
      ReturnFact f = RandomFact(r);
      std::vector<int> want = ReferenceMatches(rs, f);
      SCOPED_TRACE(absl::StrCat("seed ", seed, " fact ", f.ShortDebugString()));
      auto got = first->Evaluate("d", f);
      ASSERT_EQ(got->hits.empty(), want.empty());
      if (want.empty()) continue;
      EXPECT_EQ(got->hits[0].row_index, want[0]);
      int best = want[0];
      for (int row : want) {
        if (rs.decisions(0).rows(row).priority() >
            rs.decisions(0).rows(best).priority()) {
          best = row;
        }
      }
      EXPECT_EQ(priority->Evaluate("d", f)->hits[0].row_index, best);
      EXPECT_EQ(unique->Evaluate("d", f).ok(), want.size() == 1);
    }
  }
}

// Analysis is sound against evaluation: a fact matching a shadowed row
// matches its covering row; two rows matching one fact are reported as
// overlapping under UNIQUE.
TEST(EvaluatePropertyTest, AnalysisFindingsHoldOnRandomFacts) {
  size_t shadowed_rows = 0, overlapping_pairs = 0, together = 0;
  for (uint32_t seed = 200; seed < 230; ++seed) {
    Random r(seed);
    v1::RuleSet rs = RandomTable(r, 1 + r.Below(40));
    if (seed % 2 == 1) StripRegexes(rs);  // Lets several rows shadow one.
    auto first = WithPolicy(rs, v1::Decision::FIRST);
    auto unique = WithPolicy(rs, v1::Decision::UNIQUE);
    ASSERT_TRUE(first && unique);
    std::vector<std::pair<int, std::vector<int>>> shadowed;  // row, covers
    for (const RuleFinding& f : AnalyseRuleSet(*first)) {
      if (f.kind != RuleFinding::kShadowedRow) continue;
      std::vector<int> covers;
      for (size_t i = 1; i < f.row_ids.size(); ++i) {
        covers.push_back(std::stoi(f.row_ids[i].substr(1)));
      }
      together += covers.size() > 1;
      shadowed.emplace_back(std::stoi(f.row_ids[0].substr(1)), covers);
    }
    std::set<std::pair<int, int>> overlaps;
    AnalysisOptions every_overlap;
    every_overlap.max_overlaps_reported = 1 << 30;
    for (const RuleFinding& f : AnalyseRuleSet(*unique, every_overlap)) {
      EXPECT_EQ(f.message.find("work budget"), std::string::npos) << f.message;
      if (f.kind != RuleFinding::kOverlap) continue;
      overlaps.emplace(std::stoi(f.row_ids[0].substr(1)),
                       std::stoi(f.row_ids[1].substr(1)));
    }
    shadowed_rows += shadowed.size();
    overlapping_pairs += overlaps.size();
    for (int i = 0; i < 300; ++i) {
      ReturnFact f = RandomFact(r);
      std::vector<int> want = ReferenceMatches(rs, f);
      std::set<int> matched(want.begin(), want.end());
      SCOPED_TRACE(absl::StrCat("seed ", seed, " fact ", f.ShortDebugString()));
      for (const auto& [row, covers] : shadowed) {
        if (matched.count(row) == 0) continue;
        bool covered = false;
        for (int by : covers) covered = covered || matched.count(by) > 0;
        EXPECT_TRUE(covered) << "row " << row;
      }
      for (size_t a = 0; a < want.size(); ++a) {
        for (size_t b = a + 1; b < want.size(); ++b) {
          EXPECT_EQ(overlaps.count({want[a], want[b]}), 1u)
              << want[a] << " " << want[b] << "\n"
              << rs.decisions(0).rows(want[a]).ShortDebugString() << "\n"
              << rs.decisions(0).rows(want[b]).ShortDebugString();
        }
      }
    }
  }
  EXPECT_GT(shadowed_rows, 10u);
  EXPECT_GT(overlapping_pairs, 10u);
  EXPECT_GT(together, 0u);  // Not vacuous.
}

}  // namespace
}  // namespace retcon
