// Static analysis on crafted tables: shadowed rows, UNIQUE overlaps, gaps,
// unreachable output values.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "retcon/rules_analysis.h"
#include "tests/rules/rules_test_util.h"

namespace retcon {
namespace {

using rules_test::FindingsOf;
using rules_test::MustCompile;
using rules_test::Row;
using rules_test::Table;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Messages(const CompiledRuleSet& rules,
                                  RuleFinding::Kind kind,
                                  const AnalysisOptions& options = {}) {
  std::vector<std::string> out;
  for (const RuleFinding& f : AnalyseRuleSet(rules, options)) {
    if (f.kind == kind) out.push_back(f.message);
  }
  return out;
}

TEST(AnalysisTest, ShadowedRowsAndTheirUnreachableOutputs) {
  auto rules = MustCompile(Table(
      "FIRST", "inputs: 'condition' inputs: 'days_since_order'",
      Row("R1",
          "cells { one_of { values { enum_value: 'BROKEN' } "
          "values { enum_value: 'USED' } } } cells { any {} }",
          "QUARANTINE") +
          Row("R2",
              "cells { equals { enum_value: 'BROKEN' } } "
              "cells { range { low: '2' high: '5' } }",
              "ONLY_R2") +
          Row("R3", "cells { any {} } cells { range { low: '0' high: '10' } }",
              "SELLABLE") +
          Row("R4",
              "cells { not_one_of { values { enum_value: 'USED' } } } "
              "cells { range { low: '2' high: '5' } }",
              "SELLABLE") +
          Row("R5", "cells { any {} } cells { any {} }", "SELLABLE")));
  EXPECT_THAT(
      Messages(*rules, RuleFinding::kShadowedRow),
      ElementsAre("decision 'd': row 'R2' is shadowed by row 'R1' (FIRST): it "
                  "can never fire",
                  "decision 'd': row 'R4' is shadowed by row 'R3' (FIRST): it "
                  "can never fire"));
  EXPECT_THAT(Messages(*rules, RuleFinding::kUnreachableOutput),
              ElementsAre("decision 'd' output 'out': value {string_value: "
                          "\"ONLY_R2\"} is unreachable (only in shadowed rows "
                          "R2)"));
  EXPECT_TRUE(Messages(*rules, RuleFinding::kGap).empty());  // R5 catches all
}

TEST(AnalysisTest, RowsShadowedBySeveralEarlierRowsTogether) {
  auto rules = MustCompile(Table(
      "FIRST", "inputs: 'condition' inputs: 'days_since_order'",
      Row("R1", "cells { equals { enum_value: 'BROKEN' } } cells { any {} }",
          "QUARANTINE") +
          Row("R2",
              "cells { equals { enum_value: 'USED' } } cells { range { high: "
              "'10' high_inclusive: true } }",
              "SELLABLE") +
          Row("R3",
              "cells { one_of { values { enum_value: 'BROKEN' } "
              "values { enum_value: 'USED' } } } "
              "cells { range { low: '0' low_inclusive: true high: '5' } }",
              "DAMAGED") +
          Row("R4",
              "cells { one_of { values { enum_value: 'BROKEN' } "
              "values { enum_value: 'USED' } } } "
              "cells { range { low: '0' low_inclusive: true high: '50' } }",
              "DAMAGED")));
  EXPECT_THAT(Messages(*rules, RuleFinding::kShadowedRow),
              ElementsAre("decision 'd': row 'R3' is shadowed by rows 'R1', "
                          "'R2' together (FIRST): it can never fire"));
}

TEST(AnalysisTest, UniqueOverlapsCertainAndThroughRegexes) {
  auto rules = MustCompile(Table(
      "UNIQUE", "inputs: 'condition' inputs: 'sku'",
      Row("R1",
          "cells { equals { enum_value: 'BROKEN' } } cells { regex: '^A' }",
          "a") +
          Row("R2",
              "cells { not_one_of { values { enum_value: 'USED' } } } "
              "cells { regex: '^A' }",
              "b") +
          Row("R3",
              "cells { equals { enum_value: 'USED' } } cells { regex: 'B' }",
              "c") +
          Row("R4",
              "cells { equals { enum_value: 'USED' } } cells { regex: 'C' }",
              "d")));
  std::vector<RuleFinding> overlaps;
  for (const RuleFinding& f : AnalyseRuleSet(*rules)) {
    if (f.kind == RuleFinding::kOverlap) overlaps.push_back(f);
  }
  ASSERT_EQ(overlaps.size(), 2u);
  EXPECT_THAT(overlaps[0].row_ids, ElementsAre("R1", "R2"));
  EXPECT_TRUE(overlaps[0].certain);
  EXPECT_THAT(overlaps[1].row_ids, ElementsAre("R3", "R4"));
  EXPECT_FALSE(overlaps[1].certain);
}

// A repeated value in a not_one_of list is one value: [5, 6] minus {5, 5}
// still holds 6.
TEST(AnalysisTest, RepeatedValuesInANotOneOfListCountOnce) {
  auto rules = MustCompile(
      Table("UNIQUE", "inputs: 'days_since_order'",
            Row("R1",
                "cells { range { low: '5' low_inclusive: true high: '6' "
                "high_inclusive: true } }",
                "A") +
                Row("R2",
                    "cells { not_one_of { values { int_value: 5 } "
                    "values { int_value: 5 } } }",
                    "B")));
  EXPECT_THAT(Messages(*rules, RuleFinding::kOverlap),
              ElementsAre("decision 'd': rows 'R1' and 'R2' overlap (UNIQUE): "
                          "a fact matching both is an evaluation error"));
  rules_test::ReturnFact f;
  f.set_days_since_order(6);
  EXPECT_EQ(rules->Evaluate("d", f).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

std::string ManyRows(int n, const std::string& cell) {
  std::string rows;
  for (int i = 0; i < n; ++i) {
    rows += Row(absl::StrCat("R", i),
                absl::StrReplaceAll(cell, {{"$i", absl::StrCat(i)}}), "A");
  }
  return rows;
}

// 4,000 distinct values (which took 33 s when each row rebuilt the table's
// values and compared them pairwise; milliseconds with candidates from the
// column indexes) give the one finding. The time is measured by
// bench/rules_benchmark.cc (BM_Rules_Analyse), not asserted here: a time
// bound fails on a slow or loaded machine.
TEST(AnalysisTest, LargeTablesOfDistinctValuesGiveOneFinding) {
  auto rules = MustCompile(
      Table("FIRST", "inputs: 'sku'",
            ManyRows(4000, "cells { equals { string_value: 'SKU-$i' } }")));
  std::vector<RuleFinding> findings = AnalyseRuleSet(*rules);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].message,
            "decision 'd': no row covers sku = <any other value>");
}

TEST(AnalysisTest, OverlapsAreCappedAndCounted) {
  auto rules = MustCompile(
      Table("UNIQUE", "inputs: 'sku'", ManyRows(1500, "cells { any {} }")));
  std::vector<RuleFinding> overlaps;
  for (const RuleFinding& f : AnalyseRuleSet(*rules)) {
    if (f.kind == RuleFinding::kOverlap) overlaps.push_back(f);
  }
  ASSERT_EQ(overlaps.size(), 21u);
  EXPECT_THAT(overlaps[19].row_ids, ElementsAre("R0", "R20"));
  EXPECT_TRUE(overlaps[20].row_ids.empty());
  EXPECT_EQ(overlaps[20].message,
            "decision 'd': 1124250 overlapping row pairs in all (20 listed)");
}

TEST(AnalysisTest, WorkBudgetExhaustionIsReported) {
  auto rules =
      MustCompile(Table("FIRST", "inputs: 'sku' inputs: 'days_since_order'",
                        ManyRows(300,
                                 "cells { equals { string_value: 'SKU-$i' } } "
                                 "cells { range { low: '$i' } }")));
  AnalysisOptions small;
  small.max_work = 2000;
  EXPECT_THAT(
      Messages(*rules, RuleFinding::kSkipped, small),
      ElementsAre(
          ::testing::MatchesRegex(
              "decision 'd': shadow search stopped by the work budget "
              "\\(AnalysisOptions::max_work\\) at row 'R[0-9]+': it and the "
              "[0-9]+ rows after it were not checked"),
          ::testing::StartsWith("decision 'd': gap search stopped by the work "
                                "budget (AnalysisOptions::max_work) after 0 of "
                                "90902 combinations")));
  EXPECT_TRUE(Messages(*rules, RuleFinding::kSkipped).empty());
}

// Two not_one_of cells over a finite domain overlap exactly when some value
// is in neither list; "(regex)" is said only when a regex is involved.
TEST(AnalysisTest, NotOneOfOverlapsOnFiniteDomainsAreDecided) {
  auto open_enum = MustCompile(Table(
      "UNIQUE", "inputs: 'condition'",
      Row("R1", "cells { not_one_of { values { enum_value: 'USED' } } }", "A") +
          Row("R2", "cells { not_one_of { values { enum_value: 'BROKEN' } } }",
              "B")));
  EXPECT_THAT(Messages(*open_enum, RuleFinding::kOverlap),
              ElementsAre("decision 'd': rows 'R1' and 'R2' overlap (UNIQUE): "
                          "a fact matching both is an evaluation error"));
  auto bools = MustCompile(Table(
      "UNIQUE", "inputs: 'restockable'",
      Row("R1", "cells { not_one_of { values { bool_value: true } } }", "A") +
          Row("R2", "cells { not_one_of { values { bool_value: false } } }",
              "B") +
          Row("R3", "cells { not_one_of { values { bool_value: true } } }",
              "C")));
  std::vector<RuleFinding> overlaps;
  for (const RuleFinding& f : AnalyseRuleSet(*bools)) {
    if (f.kind == RuleFinding::kOverlap) overlaps.push_back(f);
  }
  ASSERT_EQ(overlaps.size(), 1u);
  EXPECT_THAT(overlaps[0].row_ids, ElementsAre("R1", "R3"));
  EXPECT_TRUE(overlaps[0].certain);
  // Missing on an input that cannot be missing is no common value.
  auto never_missing =
      MustCompile(Table("UNIQUE", "inputs: 'sku'",
                        Row("R1", "cells { any {} }", "A") +
                            Row("R2", "cells { is_missing {} }", "B")));
  EXPECT_TRUE(Messages(*never_missing, RuleFinding::kOverlap).empty());
}

TEST(AnalysisTest, GapsIncludeMissingValuesAndRangeEdges) {
  auto rules = MustCompile(Table(
      "FIRST", "inputs: 'restockable' inputs: 'days_since_order'",
      Row("R1", "cells { equals { bool_value: true } } cells { any {} }", "a") +
          Row("R2",
              "cells { equals { bool_value: false } } "
              "cells { range { low: '0' low_inclusive: true } }",
              "b")));
  EXPECT_THAT(Messages(*rules, RuleFinding::kGap),
              ElementsAre("decision 'd': no row covers restockable = false, "
                          "days_since_order = -1",
                          // -1, 0 and 1: every value of days_since_order.
                          "decision 'd': no row covers restockable = <missing> "
                          "(any days_since_order)"));
  AnalysisOptions small;
  small.max_gap_combinations = 4;
  EXPECT_EQ(Messages(*rules, RuleFinding::kSkipped, small).size(), 1u);
}

// A gap uncovered whatever the value of some inputs is one finding, those
// inputs "any": each finding is the first gap not yet listed, widened input
// by input (from the last) while every combination it stands for is a gap.
// Findings may overlap (BROKEN with 31 days is in the first two). Past
// max_gaps_reported, a last finding counts the combinations and how many
// the listed ones stand for.
TEST(AnalysisTest, GapsCoveringEveryValueOfAnInputAreOneFinding) {
  auto rules = MustCompile(Table(
      "FIRST",
      "inputs: 'restockable' inputs: 'condition' inputs: 'days_since_order'",
      Row("R1",
          "cells { equals { bool_value: true } } cells { any {} } "
          "cells { any {} }",
          "a") +
          Row("R2",
              "cells { equals { bool_value: false } } "
              "cells { not_one_of { values { enum_value: 'BROKEN' } } } "
              "cells { range { high: '30' high_inclusive: true } }",
              "b")));
  const std::vector<RuleFinding> gaps = FindingsOf(*rules, RuleFinding::kGap);
  std::vector<std::string> messages;
  for (const RuleFinding& f : gaps) messages.push_back(f.message);
  EXPECT_THAT(
      messages,
      ElementsAre(
          "decision 'd': no row covers restockable = false, days_since_order "
          "= 31 (any condition)",
          "decision 'd': no row covers restockable = false, condition = "
          "BROKEN (any days_since_order)",
          "decision 'd': no row covers restockable = <missing> (any "
          "condition, days_since_order)"));
  ASSERT_EQ(gaps.size(), 3u);
  EXPECT_THAT(gaps[1].inputs,
              ElementsAre(std::make_pair("restockable", "false"),
                          std::make_pair("condition", "BROKEN"),
                          std::make_pair("days_since_order", "<any>")));

  AnalysisOptions two;
  two.max_gaps_reported = 2;
  EXPECT_THAT(Messages(*rules, RuleFinding::kGap, two),
              ElementsAre(HasSubstr("= 31 (any condition)"),
                          HasSubstr("condition = BROKEN"),
                          // 3 day points x 7 conditions for <missing>, 3
                          // for BROKEN, 7 for 31 days, one in both: 30.
                          "decision 'd': 30 uncovered combinations in all "
                          "(the 2 listed stand for 9)"));
}

// A proto3 enum field can hold a number its enum does not name (a newer
// writer's value): listing every named value does not cover it.
TEST(AnalysisTest, OpenEnumsHaveValuesBeyondTheirNames) {
  auto rules = MustCompile(Table(
      "FIRST", "inputs: 'condition'",
      Row("R1",
          "cells { one_of { values { enum_value: 'CONDITION_UNSPECIFIED' } "
          "values { enum_value: 'NEW_WITH_TAGS' } "
          "values { enum_value: 'AS_NEW' } } }",
          "A") +
          Row("R2",
              "cells { one_of { values { enum_value: 'USED' } "
              "values { enum_value: 'BROKEN' } "
              "values { enum_value: 'INCOMPLETE' } } }",
              "B") +
          Row("R3", "cells { is_present {} }", "C")));
  EXPECT_TRUE(AnalyseRuleSet(*rules).empty());
  rules_test::ReturnFact f;
  f.set_condition(static_cast<rules_test::Condition>(99));
  EXPECT_EQ(rules->Evaluate("d", f)->outputs()[0].string_value(), "C");

  auto no_catch_all = MustCompile(Table(
      "FIRST", "inputs: 'condition'",
      Row("R1",
          "cells { one_of { values { enum_value: 'CONDITION_UNSPECIFIED' } "
          "values { enum_value: 'NEW_WITH_TAGS' } "
          "values { enum_value: 'AS_NEW' } values { enum_value: 'USED' } "
          "values { enum_value: 'BROKEN' } "
          "values { enum_value: 'INCOMPLETE' } } }",
          "A")));
  EXPECT_THAT(Messages(*no_catch_all, RuleFinding::kGap),
              ElementsAre("decision 'd': no row covers condition = <any "
                          "unnamed value>"));
}

// A proto2 enum is closed: its named values are all there is.
TEST(AnalysisTest, ClosedEnumsHaveOnlyTheirNamedValues) {
  google::protobuf::FileDescriptorProto file;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"(name: "closed.proto" package: "closed" syntax: "proto2"
         enum_type { name: "Colour" value { name: "RED" number: 1 }
                     value { name: "BLUE" number: 2 } }
         message_type { name: "Fact" field { name: "colour" number: 1
           label: LABEL_OPTIONAL type: TYPE_ENUM type_name: ".closed.Colour" } })",
      &file));
  google::protobuf::DescriptorPool pool;
  ASSERT_NE(pool.BuildFile(file), nullptr);
  auto parsed = ParseRuleSetText(
      "id: 't' decisions { name: 'd' fact_type: 'closed.Fact' "
      "hit_policy: FIRST inputs: 'colour' outputs { name: 'o' type: STRING } "
      "rows { id: 'R1' cells { equals { enum_value: 'RED' } } "
      "outputs { string_value: 'A' } } "
      "rows { id: 'R2' cells { equals { enum_value: 'BLUE' } } "
      "outputs { string_value: 'B' } } "
      "rows { id: 'R3' cells { is_present {} } "
      "outputs { string_value: 'C' } } }",
      "closed.textproto");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  CompileOptions options;
  options.pool = &pool;
  auto rules = CompileRuleSet(*parsed, options);
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_THAT(Messages(**rules, RuleFinding::kShadowedRow),
              ElementsAre("decision 'd': row 'R3' is shadowed by rows 'R1', "
                          "'R2' together (FIRST): it can never fire"));
}

TEST(AnalysisTest, DefaultOutputsLeaveNoGaps) {
  const std::string rows =
      Row("R1", "cells { equals { enum_value: 'BROKEN' } }", "Q");
  auto without = MustCompile(Table("FIRST", "inputs: 'condition'", rows));
  EXPECT_FALSE(Messages(*without, RuleFinding::kGap).empty());
  auto with =
      MustCompile(Table("FIRST", "inputs: 'condition'",
                        rows + "default_outputs { string_value: 'STOCK' }"));
  EXPECT_TRUE(AnalyseRuleSet(*with).empty());
}

// Gap values stay within the field: no -1 for a uint32, nothing past
// INT32_MAX for an int32.
TEST(AnalysisTest, GapsStayWithinTheFieldsRange) {
  auto u32 = MustCompile(
      Table("FIRST", "inputs: 'u32'",
            Row("R1",
                "cells { range { low: '0' low_inclusive: true high: '10' "
                "high_inclusive: true } }",
                "A") +
                Row("R2", "cells { range { low: '10' } }", "B")));
  EXPECT_TRUE(AnalyseRuleSet(*u32).empty());
  auto i32 = MustCompile(
      Table("FIRST", "inputs: 'i32' inputs: 'u64'",
            Row("R1",
                "cells { range { high: '2147483647' } } "
                "cells { range { low: '0' low_inclusive: true } }",
                "A") +
                Row("R2",
                    "cells { equals { int_value: 2147483647 } } "
                    "cells { range { high: '18446744073709551615' } }",
                    "B")));
  EXPECT_THAT(Messages(*i32, RuleFinding::kGap),
              ElementsAre("decision 'd': no row covers i32 = 2147483647, u64 "
                          "= 18446744073709551615"));
}

TEST(AnalysisTest, EnumGapsListTheUncoveredValues) {
  auto rules = MustCompile(
      Table("FIRST", "inputs: 'condition'",
            Row("R1",
                "cells { not_one_of { values { enum_value: 'BROKEN' } "
                "values { enum_value: 'USED' } } }",
                "a") +
                Row("R2", "cells { equals { enum_value: 'USED' } }", "b")));
  EXPECT_THAT(Messages(*rules, RuleFinding::kGap),
              ElementsAre("decision 'd': no row covers condition = BROKEN"));
}

TEST(AnalysisTest, PriorityValuesNoRowProducesAreUnreachable) {
  auto rules =
      MustCompile(Table("PRIORITY", "inputs: 'condition'",
                        Row("R1", "cells { any {} }", "SELLABLE"),
                        "priority_order { string_value: 'QUARANTINE' } "
                        "priority_order { string_value: 'SELLABLE' }"));
  EXPECT_THAT(Messages(*rules, RuleFinding::kUnreachableOutput),
              ElementsAre("decision 'd' output 'out': value {string_value: "
                          "\"QUARANTINE\"} is unreachable (no row produces "
                          "it)"));
}

}  // namespace
}  // namespace retcon
