// An outside tester's check of the rules engine against its specification
// (issue 3, docs/rules.md, the public headers and proto/retcon/v1/rules.proto).
// Every expected value here is worked out from those documents, not from the
// implementation. The last tests compare the library with a small reference
// evaluator written from the spec over random tables and facts.
//
// The two findings (the library disagreeing with its documents) were fixed;
// the tests that found them say what they were.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "retcon/field_accessors.h"
#include "retcon/rules.h"
#include "retcon/rules_analysis.h"
#include "retcon/rules_book.h"
#include "retcon/rules_what_if.h"
#include "tests/rules/rules_test_fact.pb.h"
#include "tests/rules/rules_test_util.h"

namespace retcon {
namespace {

using rules_test::Compile;
using rules_test::FindingsOf;
using rules_test::MustCompile;
using rules_test::ReturnFact;
using rules_test::Row;
using rules_test::Table;
using ::testing::ContainsRegex;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

// The first output of decision "d" as text; "" for no match; "ERR: ..." for
// an error.
std::string Out(const CompiledRuleSet& rules, const ReturnFact& fact) {
  absl::StatusOr<DecisionResult> r = rules.Evaluate("d", fact);
  if (!r.ok()) return absl::StrCat("ERR: ", r.status().message());
  if (!r->matched()) return "";
  return r->outputs()[0].string_value();
}

// Row ids of the hits of decision "d".
std::vector<std::string> Hits(const CompiledRuleSet& rules,
                              const ReturnFact& fact) {
  std::vector<std::string> ids;
  absl::StatusOr<DecisionResult> r = rules.Evaluate("d", fact);
  if (!r.ok()) return {absl::StrCat("ERR: ", r.status().message())};
  for (const RuleHit& h : r->hits) ids.emplace_back(h.row_id);
  return ids;
}

ReturnFact WithReason(rules_test::Reason reason) {
  ReturnFact f;
  f.set_reason(reason);
  return f;
}
ReturnFact WithCondition(rules_test::Condition c) {
  ReturnFact f;
  f.set_condition(c);
  return f;
}
ReturnFact WithDays(int64_t days) {
  ReturnFact f;
  f.set_days_since_order(days);
  return f;
}
ReturnFact WithLocation(const std::string& s) {
  ReturnFact f;
  f.set_location(s);
  return f;
}
ReturnFact WithSku(const std::string& s) {
  ReturnFact f;
  f.set_sku(s);
  return f;
}

// 1-based line of the first line of `text` holding `marker`.
int LineOf(const std::string& text, const std::string& marker) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find(marker) != std::string::npos) return int(i) + 1;
  }
  return -1;
}

// The compile error of `text`, which must be InvalidArgument.
std::string CompileError(const std::string& text,
                         const CompileOptions& options = {}) {
  ReturnFact::descriptor();
  absl::StatusOr<ParsedRuleSet> parsed =
      ParseRuleSetText(text, "rules.textproto");
  if (!parsed.ok()) return absl::StrCat("PARSE: ", parsed.status().message());
  auto compiled = CompileRuleSet(*parsed, options);
  if (compiled.ok()) return "<compiled>";
  EXPECT_EQ(compiled.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(compiled.status().message());
}

// ---------------------------------------------------------------------------
// Hit policies and defaults (docs/rules.md "Hit policies").

TEST(RulesSpecCrossCheck, FirstTakesTheFirstFittingRowTopToBottom) {
  auto rules = MustCompile(Table(
      "FIRST", "inputs: 'reason' inputs: 'condition'",
      Row("R1",
          "cells { equals { enum_value: 'FAULTY' } } cells { equals { "
          "enum_value: 'BROKEN' } }",
          "Q") +
          Row("R2",
              "cells { equals { enum_value: 'FAULTY' } } cells { any {} }",
              "D") +
          Row("R3", "cells { any {} } cells { any {} }", "S")));
  ReturnFact f = WithReason(rules_test::FAULTY);
  f.set_condition(rules_test::BROKEN);
  EXPECT_EQ(Out(*rules, f), "Q");
  EXPECT_THAT(Hits(*rules, f), ElementsAre("R1"));
  f.set_condition(rules_test::USED);
  EXPECT_EQ(Out(*rules, f), "D");
  EXPECT_EQ(Out(*rules, WithReason(rules_test::LATE)), "S");
}

TEST(RulesSpecCrossCheck, UniqueIsAnErrorNamingBothRows) {
  auto rules = MustCompile(Table(
      "UNIQUE", "inputs: 'days_since_order'",
      Row("A7",
          "cells { range { low: '0' low_inclusive: true high: '10' "
          "high_inclusive: true } }",
          "x") +
          Row("B9", "cells { range { low: '10' low_inclusive: true } }", "y")));
  EXPECT_EQ(Out(*rules, WithDays(3)), "x");
  EXPECT_EQ(Out(*rules, WithDays(11)), "y");
  EXPECT_EQ(Out(*rules, WithDays(-1)), "");
  EvaluationTrace trace;
  absl::StatusOr<DecisionResult> r = rules->Evaluate("d", WithDays(10), &trace);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("'A7'"));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("'B9'"));
  // docs/rules.md "Reading a trace": the UNIQUE error, with no winner.
  EXPECT_EQ(trace.reason, "UNIQUE: rows 'A7' and 'B9' both match");
  EXPECT_EQ(trace.winner, "");
  EXPECT_THAT(trace.matched_row_ids, ElementsAre("A7", "B9"));
}

TEST(RulesSpecCrossCheck, PriorityByDeclaredOrderOfTheFirstOutputsValues) {
  const std::string order =
      "priority_order { string_value: 'QUARANTINE' } "
      "priority_order { string_value: 'DAMAGED' } "
      "priority_order { string_value: 'SELLABLE' }";
  auto rules = MustCompile(Table(
      "PRIORITY", "inputs: 'reason' inputs: 'condition'",
      Row("R1", "cells { any {} } cells { any {} }", "SELLABLE") +
          Row("R2",
              "cells { equals { enum_value: 'FAULTY' } } cells { any {} }",
              "DAMAGED") +
          Row("R3",
              "cells { any {} } cells { equals { enum_value: 'BROKEN' } }",
              "QUARANTINE") +
          Row("R4",
              "cells { equals { enum_value: 'FAULTY' } } cells { any {} }",
              "DAMAGED"),
      order));
  ReturnFact f = WithReason(rules_test::FAULTY);
  EvaluationTrace trace;
  absl::StatusOr<DecisionResult> r = rules->Evaluate("d", f, &trace);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->hits.size(), 1u);
  EXPECT_EQ(r->hits[0].row_id, "R2");  // Tie with R4: the earlier row.
  EXPECT_EQ(trace.winner, "R2");
  EXPECT_EQ(trace.reason,
            "highest in the priority_order of output 'out' among matches");
  EXPECT_THAT(trace.matched_row_ids, ElementsAre("R1", "R2", "R4"));
  f.set_condition(rules_test::BROKEN);
  EXPECT_EQ(Out(*rules, f), "QUARANTINE");  // Last row, highest value.
  EXPECT_EQ(Out(*rules, WithReason(rules_test::LATE)), "SELLABLE");
}

TEST(RulesSpecCrossCheck, PriorityWithoutOrderTakesTheHighestRowPriority) {
  auto rules = MustCompile(
      Table("PRIORITY", "inputs: 'reason'",
            Row("R1", "cells { any {} }", "low", "priority: -5") +
                Row("R2", "cells { equals { enum_value: 'LATE' } }", "high",
                    "priority: 7") +
                Row("R3", "cells { any {} }", "mid", "priority: 3") +
                Row("R4", "cells { any {} }", "mid2", "priority: 3")));
  EvaluationTrace trace;
  absl::StatusOr<DecisionResult> r =
      rules->Evaluate("d", WithReason(rules_test::LATE), &trace);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->hits[0].row_id, "R2");
  EXPECT_EQ(trace.reason, "highest row priority among matches");
  // R3 and R4 tie at 3; the earlier row (ambiguity: the docs state "ties go
  // to the earlier row" in the priority_order sentence only).
  EXPECT_EQ(Out(*rules, WithReason(rules_test::FAULTY)), "mid");
}

TEST(RulesSpecCrossCheck, CollectListsEveryFittingRowInRowOrder) {
  auto rules = MustCompile(Table(
      "COLLECT", "inputs: 'condition'",
      Row("Z", "cells { any {} }", "a") +
          Row("A", "cells { equals { enum_value: 'USED' } }", "b") +
          Row("M", "cells { not_one_of { values { enum_value: 'USED' } } }",
              "c") +
          Row("B", "cells { is_present {} }", "d")));
  EXPECT_THAT(Hits(*rules, WithCondition(rules_test::USED)),
              ElementsAre("Z", "A", "B"));
  EXPECT_THAT(Hits(*rules, WithCondition(rules_test::AS_NEW)),
              ElementsAre("Z", "M", "B"));
  EvaluationTrace trace;
  absl::StatusOr<DecisionResult> r =
      rules->Evaluate("d", WithCondition(rules_test::USED), &trace);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outputs()[0].string_value(), "a");  // The first hit's.
  EXPECT_EQ(trace.reason, "COLLECT: every matching row");
  EXPECT_EQ(trace.winner, "");
}

TEST(RulesSpecCrossCheck, DefaultOutputsWhenNothingFitsElseNoMatch) {
  const std::string rows =
      Row("R1", "cells { equals { string_value: 'GB' } }", "domestic");
  auto with = MustCompile(Table("FIRST", "inputs: 'order.country'",
                                rows + "default_outputs { string_value: "
                                       "'abroad' }"));
  auto without = MustCompile(Table("FIRST", "inputs: 'order.country'", rows));
  for (const char* policy : {"FIRST", "UNIQUE", "COLLECT"}) {
    SCOPED_TRACE(policy);
    auto p =
        MustCompile(Table(policy, "inputs: 'order.country'",
                          rows + "default_outputs { string_value: 'abroad' }"));
    ReturnFact f;
    f.mutable_order()->set_country("FR");
    absl::StatusOr<DecisionResult> r = p->Evaluate("d", f);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->used_default);
    EXPECT_TRUE(r->hits.empty());
    EXPECT_EQ(r->outputs()[0].string_value(), "abroad");
  }
  ReturnFact fr;
  fr.mutable_order()->set_country("FR");
  EvaluationTrace trace;
  absl::StatusOr<DecisionResult> r = with->Evaluate("d", fr, &trace);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->matched());
  EXPECT_TRUE(r->used_default);
  EXPECT_EQ(trace.reason, "no row matched; default outputs");
  r = without->Evaluate("d", fr, &trace);
  ASSERT_TRUE(r.ok());  // No match is not an error.
  EXPECT_FALSE(r->matched());
  EXPECT_FALSE(r->used_default);
  EXPECT_TRUE(r->outputs().empty());
  EXPECT_EQ(trace.reason, "no row matched; no default outputs");
  // A missing country (no order at all) also gets the default.
  EXPECT_EQ(Out(*with, ReturnFact()), "abroad");
  fr.mutable_order()->set_country("GB");
  EXPECT_EQ(Out(*with, fr), "domestic");
}

// ---------------------------------------------------------------------------
// Cells (docs/rules.md "Cells").

TEST(RulesSpecCrossCheck, EqualsOneOfNotOneOfOnEveryValueType) {
  auto rules = MustCompile(
      Table("FIRST",
            "inputs: 'reason' inputs: 'location' inputs: 'i32' inputs: "
            "'restockable'",
            Row("E",
                "cells { equals { enum_value: 'COLOUR' } } cells { any {} } "
                "cells { any {} } cells { any {} }",
                "enum-eq") +
                Row("S",
                    "cells { any {} } cells { one_of { values { string_value: "
                    "'LEEDS' } values { string_value: 'YORK' } } } cells { any "
                    "{} } cells { any {} }",
                    "str-one-of") +
                Row("I",
                    "cells { any {} } cells { any {} } cells { equals { "
                    "int_value: -2147483648 } } cells { any {} }",
                    "int-eq") +
                Row("B",
                    "cells { any {} } cells { any {} } cells { any {} } cells "
                    "{ equals { bool_value: false } }",
                    "bool-eq") +
                Row("N",
                    "cells { not_one_of { values { enum_value: "
                    "'REASON_UNSPECIFIED' } "
                    "values { enum_value: 'LATE' } } } cells { any {} } cells "
                    "{ any {} } cells { any {} }",
                    "enum-not")));
  EXPECT_EQ(Out(*rules, WithReason(rules_test::COLOUR)), "enum-eq");
  EXPECT_EQ(Out(*rules, WithLocation("YORK")), "str-one-of");
  EXPECT_EQ(Out(*rules, WithLocation("york")), "");  // Case matters.
  ReturnFact f;
  f.set_i32(std::numeric_limits<int32_t>::min());
  EXPECT_EQ(Out(*rules, f), "int-eq");
  f.set_i32(0);
  f.set_restockable(false);
  EXPECT_EQ(Out(*rules, f), "bool-eq");
  f.set_restockable(true);
  EXPECT_EQ(Out(*rules, f), "");
  EXPECT_EQ(Out(*rules, WithReason(rules_test::LATE)), "");
  EXPECT_EQ(Out(*rules, WithReason(rules_test::QUALITY)), "enum-not");
  // A proto3 enum is open: a number no value names is present and equal to
  // none of the listed values.
  EXPECT_EQ(Out(*rules, WithReason(static_cast<rules_test::Reason>(99))),
            "enum-not");
}

TEST(RulesSpecCrossCheck, AValueTestNeverFitsAMissingInput) {
  // docs/rules.md: "A missing input fits only any and is_missing.
  // not_one_of { GB } does not fit a missing country."
  const std::string cells[] = {
      "cells { equals { string_value: '' } }",
      "cells { one_of { values { string_value: '' } values { string_value: "
      "'GB' } } }",
      "cells { not_one_of { values { string_value: 'GB' } } }",
      "cells { regex: '' }",
      "cells { regex: '.*' }",
      "cells { regex: '^$' }",
      "cells { is_present {} }",
  };
  for (const std::string& cell : cells) {
    SCOPED_TRACE(cell);
    auto rules = MustCompile(
        Table("FIRST", "inputs: 'order.country'", Row("R1", cell, "hit")));
    EXPECT_EQ(Out(*rules, ReturnFact()), "");  // No order: country missing.
    ReturnFact empty_country;
    empty_country.mutable_order();  // Order present, country "" (a value).
    EXPECT_EQ(Out(*rules, empty_country), "hit");
  }
  for (const std::string& cell :
       {std::string("cells { equals { int_value: 0 } }"),
        std::string("cells { not_one_of { values { int_value: 5 } } }"),
        std::string("cells { range { } }"),
        std::string("cells { range { high: '0' high_inclusive: true } }"),
        std::string("cells { is_present {} }")}) {
    SCOPED_TRACE(cell);
    auto rules = MustCompile(
        Table("FIRST", "inputs: 'order.total_minor'", Row("R1", cell, "hit")));
    ReturnFact f;
    EXPECT_EQ(Out(*rules, f), "");  // No order.
    f.mutable_order()->set_country("GB");
    EXPECT_EQ(Out(*rules, f), "");  // Order, total not set (optional).
    f.mutable_order()->set_total_minor(0);
    EXPECT_EQ(Out(*rules, f), "hit");
  }
  auto rules = MustCompile(
      Table("FIRST", "inputs: 'restockable'",
            Row("R1", "cells { not_one_of { values { bool_value: true } } }",
                "not-true") +
                Row("R2", "cells { is_missing {} }", "missing")));
  EXPECT_EQ(Out(*rules, ReturnFact()), "missing");
  ReturnFact f;
  f.set_restockable(false);
  EXPECT_EQ(Out(*rules, f), "not-true");
}

TEST(RulesSpecCrossCheck, IsMissingAndIsPresentOnMessagesAndOptionals) {
  auto rules = MustCompile(Table(
      "COLLECT", "inputs: 'order' inputs: 'order.total_minor'",
      Row("NoOrder", "cells { is_missing {} } cells { any {} }", "a") +
          Row("Order", "cells { is_present {} } cells { any {} }", "b") +
          Row("NoTotal", "cells { any {} } cells { is_missing {} }", "c") +
          Row("Total", "cells { any {} } cells { is_present {} }", "d")));
  ReturnFact f;
  EXPECT_THAT(Hits(*rules, f), ElementsAre("NoOrder", "NoTotal"));
  f.mutable_order();
  EXPECT_THAT(Hits(*rules, f), ElementsAre("Order", "NoTotal"));
  f.mutable_order()->set_total_minor(0);
  EXPECT_THAT(Hits(*rules, f), ElementsAre("Order", "Total"));
}

TEST(RulesSpecCrossCheck, PlainProto3ScalarsAreAlwaysPresent) {
  // docs/rules.md "Presence": their default (0, "", first enum value) is a
  // value like any other.
  auto rules = MustCompile(
      Table("COLLECT",
            "inputs: 'location' inputs: 'days_since_order' inputs: 'reason'",
            Row("S",
                "cells { equals { string_value: '' } } cells { any {} } cells "
                "{ any {} }",
                "a") +
                Row("I",
                    "cells { any {} } cells { equals { int_value: 0 } } cells "
                    "{ any {} }",
                    "b") +
                Row("E",
                    "cells { any {} } cells { any {} } cells { equals { "
                    "enum_value: 'REASON_UNSPECIFIED' } }",
                    "c") +
                Row("P",
                    "cells { is_present {} } cells { is_present {} } cells { "
                    "is_present {} }",
                    "d")));
  EXPECT_THAT(Hits(*rules, ReturnFact()), ElementsAre("S", "I", "E", "P"));
}

TEST(RulesSpecCrossCheck, RegexSearchesUnanchoredUnlessThePatternAnchors) {
  struct Case {
    const char* pattern;  // As written in the .textproto (single-quoted).
    const char* text;
    bool fits;
  };
  const Case cases[] = {
      {"RED", "SHOE-RED-42", true},  // docs/rules.md example.
      {"^GIFT-[0-9]+$", "GIFT-12", true},
      {"^GIFT-[0-9]+$", "XGIFT-12", false},
      {"^GIFT-[0-9]+$", "GIFT-12X", false},
      {"^GIFT-", "GIFT-", true},
      {"-42$", "SHOE-RED-42", true},
      {"-42$", "SHOE-42-RED", false},
      {"red", "SHOE-RED-42", false},  // RE2 default: case-sensitive.
      {"(?i)red", "SHOE-RED-42", true},
      {R"(A\\.B)", "A.B", true},  // An escaped dot is a literal dot.
      {R"(A\\.B)", "AxB", false},
      {"A.B", "AxB", true},
      {R"(\\(x\\)\\[y\\]\\*\\+\\?\\{\\}\\|\\$\\^)", "(x)[y]*+?{}|$^", true},
      {R"(\\Qa+b\\E)", "xa+by", true},
      {"café", "Grand café", true},
      {"^$", "", true},
      {"^$", "x", false},
      {"", "", true},
      {"", "anything", true},
      {"x*", "", true},
      {"^[A-Z]+$", "CAFÉ", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.pattern, " on '", c.text, "'"));
    auto rules = MustCompile(Table(
        "FIRST", "inputs: 'sku'",
        Row("R1", absl::StrCat("cells { regex: '", c.pattern, "' }"), "hit")));
    ASSERT_NE(rules, nullptr);
    EXPECT_EQ(Out(*rules, WithSku(c.text)), c.fits ? "hit" : "");
  }
}

// AMBIGUITY: docs/rules.md says only "RE2 syntax"; it does not say whether
// text is matched as UTF-8 characters or as bytes. RE2's default (UTF-8) is
// what an RE2 user expects: '.' is one character, so "café" has 4.
TEST(RulesSpecCrossCheck, RegexDotIsOneUnicodeCharacter) {
  auto rules =
      MustCompile(Table("FIRST", "inputs: 'sku'",
                        Row("R1", "cells { regex: '^.{4}$' }", "four")));
  EXPECT_EQ(Out(*rules, WithSku("café")), "four");
  EXPECT_EQ(Out(*rules, WithSku("cafe")), "four");
  EXPECT_EQ(Out(*rules, WithSku("caf")), "");
}

TEST(RulesSpecCrossCheck, EqualsOnStringsIsExactBytes) {
  auto rules = MustCompile(Table(
      "FIRST", "inputs: 'location'",
      Row("R1", "cells { equals { string_value: 'Café' } }", "accent") +
          Row("R2", "cells { equals { string_value: ' LEEDS' } }", "space") +
          Row("R3", "cells { equals { string_value: '' } }", "empty") +
          Row("R4", "cells { equals { string_value: '.*' } }", "literal")));
  EXPECT_EQ(Out(*rules, WithLocation("Café")), "accent");
  EXPECT_EQ(Out(*rules, WithLocation("café")), "");
  EXPECT_EQ(Out(*rules, WithLocation("Cafe")), "");
  EXPECT_EQ(Out(*rules, WithLocation(" LEEDS")), "space");
  EXPECT_EQ(Out(*rules, WithLocation("LEEDS")), "");
  EXPECT_EQ(Out(*rules, WithLocation("")), "empty");
  EXPECT_EQ(Out(*rules, WithLocation(".*")), "literal");
  EXPECT_EQ(Out(*rules, WithLocation("x")), "");
}

// One range cell on days_since_order (int64) and the values it must fit.
struct RangeCase {
  std::string range;
  std::vector<int64_t> in;
  std::vector<int64_t> out;
};

TEST(RulesSpecCrossCheck, RangeEndsOpenClosedAndExactBoundaries) {
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  const RangeCase cases[] = {
      // docs/rules.md: neither end included fits 15 to 29.
      {"low: '14' high: '30'", {15, 29}, {14, 30, 0, 31}},
      {"low: '14' low_inclusive: true high: '30' high_inclusive: true",
       {14, 30},
       {13, 31}},
      {"low: '14' low_inclusive: true high: '30'", {14, 29}, {13, 30}},
      {"low: '0' low_inclusive: true", {0, 1, kMax}, {-1, kMin}},
      {"high: '0'", {-1, kMin}, {0, 1}},
      {"high: '-5' high_inclusive: true", {-5, -6, kMin}, {-4, 0}},
      {"low: '-10' high: '-2'", {-9, -3}, {-10, -2, 0}},
      {"", {kMin, 0, kMax}, {}},
      // Exact decimals, converted exactly to inclusive integer bounds.
      {"low: '49.99' low_inclusive: true", {50}, {49}},
      {"low: '49.99'", {50}, {49}},
      {"high: '49.99' high_inclusive: true", {49}, {50}},
      {"high: '49.99'", {49}, {50}},
      {"low: '-1.5' low_inclusive: true", {-1, 0}, {-2}},
      {"high: '-1.5'", {-2}, {-1}},
      {"low: '14.000' high: '30.0' high_inclusive: true", {15, 30}, {14, 31}},
      {"low: '-0.5' high: '0.5'", {0}, {-1, 1}},
      // Extreme int64 values and bounds beyond the field (open ends).
      {"low: '9223372036854775807' low_inclusive: true", {kMax}, {kMax - 1}},
      {"high: '-9223372036854775808' high_inclusive: true", {kMin}, {kMin + 1}},
      {"low: '9223372036854775806'", {kMax}, {kMax - 1}},
      {"high: '9223372036854775808'", {kMax, 0}, {}},
      {"low: '-9223372036854775809' high: '-9223372036854775807'",
       {kMin},
       {kMin + 1}},
      {"low: '-99999999999999999999999' high: "
       "'99999999999999999999999'",
       {kMin, kMax},
       {}},
  };
  for (const RangeCase& c : cases) {
    SCOPED_TRACE(c.range);
    auto rules = MustCompile(
        Table("FIRST", "inputs: 'days_since_order'",
              Row("R1", "cells { range { " + c.range + " } }", "in")));
    ASSERT_NE(rules, nullptr);
    for (int64_t v : c.in) EXPECT_EQ(Out(*rules, WithDays(v)), "in") << v;
    for (int64_t v : c.out) EXPECT_EQ(Out(*rules, WithDays(v)), "") << v;
  }
}

TEST(RulesSpecCrossCheck, RangesOnUnsignedAndNarrowIntegers) {
  const uint64_t kU64Max = std::numeric_limits<uint64_t>::max();
  auto u64 = MustCompile(Table(
      "FIRST", "inputs: 'u64'",
      Row("Top",
          "cells { range { low: '18446744073709551615' low_inclusive: true } }",
          "top") +
          Row("High", "cells { range { low: '9223372036854775807' } }",
              "high") +
          Row("Zero", "cells { equals { int_value: 0 } }", "zero")));
  ReturnFact f;
  f.set_u64(kU64Max);
  EXPECT_EQ(Out(*u64, f), "top");  // Compared as unsigned.
  f.set_u64(uint64_t{1} << 63);
  EXPECT_EQ(Out(*u64, f), "high");
  f.set_u64(kU64Max - 1);
  EXPECT_EQ(Out(*u64, f), "high");
  f.set_u64(0);
  EXPECT_EQ(Out(*u64, f), "zero");
  f.set_u64(9223372036854775807u);
  EXPECT_EQ(Out(*u64, f), "");

  auto u32 = MustCompile(Table(
      "FIRST", "inputs: 'u32'",
      Row("Neg", "cells { range { low: '-5' high: '0' high_inclusive: true } }",
          "zero") +
          Row("Max", "cells { equals { int_value: 4294967295 } }", "max")));
  ReturnFact g;
  EXPECT_EQ(Out(*u32, g), "zero");
  g.set_u32(4294967295u);
  EXPECT_EQ(Out(*u32, g), "max");
  g.set_u32(1);
  EXPECT_EQ(Out(*u32, g), "");
}

TEST(RulesSpecCrossCheck, NestedPathsReadThroughTheMessage) {
  auto rules = MustCompile(Table(
      "FIRST", "inputs: 'order.country' inputs: 'order.total_minor'",
      Row("R1",
          "cells { equals { string_value: 'GB' } } cells { range { low: "
          "'5000' low_inclusive: true } }",
          "big-gb") +
          Row("R2", "cells { equals { string_value: 'GB' } } cells { any {} }",
              "gb") +
          Row("R3", "cells { any {} } cells { is_missing {} }", "no-total")));
  ReturnFact f;
  f.mutable_order()->set_country("GB");
  EXPECT_EQ(Out(*rules, f), "gb");
  f.mutable_order()->set_total_minor(5000);
  EXPECT_EQ(Out(*rules, f), "big-gb");
  f.mutable_order()->set_total_minor(4999);
  EXPECT_EQ(Out(*rules, f), "gb");
  f.mutable_order()->set_country("IE");
  EXPECT_EQ(Out(*rules, f), "");
  EXPECT_EQ(Out(*rules, ReturnFact()), "no-total");
}

TEST(RulesSpecCrossCheck, TypedOutputsEnumIntegerBoolMoneyString) {
  auto rules = MustCompile(R"pb(
    id: 't'
    version: '1'
    decisions {
      name: 'd'
      fact_type: 'retcon.rules_test.ReturnFact'
      hit_policy: FIRST
      inputs: 'reason'
      outputs { name: 'e' type: ENUM enum_type: 'retcon.rules_test.Condition' }
      outputs { name: 'n' type: INTEGER }
      outputs { name: 'b' type: BOOL }
      outputs { name: 'm' type: MONEY }
      outputs { name: 's' type: STRING }
      rows {
        id: 'R1'
        cells { equals { enum_value: 'FAULTY' } }
        outputs { enum_value: 'BROKEN' }
        outputs { int_value: -9223372036854775808 }
        outputs { bool_value: true }
        outputs { money_value { currency_code: 'GBP' minor_units: 4999 } }
        outputs { string_value: 'Café ✓' }
      }
      default_outputs { enum_value: 'CONDITION_UNSPECIFIED' }
      default_outputs { int_value: 9223372036854775807 }
      default_outputs { bool_value: false }
      default_outputs { money_value { currency_code: 'JPY' minor_units: -1 } }
      default_outputs { string_value: '' }
    }
  )pb");
  ASSERT_NE(rules, nullptr);
  absl::StatusOr<DecisionResult> r =
      rules->Evaluate("d", WithReason(rules_test::FAULTY));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->outputs().size(), 5);
  EXPECT_EQ(r->outputs()[0].enum_value(), "BROKEN");
  EXPECT_EQ(r->outputs()[1].int_value(), std::numeric_limits<int64_t>::min());
  EXPECT_TRUE(r->outputs()[2].has_bool_value());
  EXPECT_TRUE(r->outputs()[2].bool_value());
  EXPECT_EQ(r->outputs()[3].money_value().currency_code(), "GBP");
  EXPECT_EQ(r->outputs()[3].money_value().minor_units(), 4999);
  EXPECT_EQ(r->outputs()[4].string_value(), "Café ✓");
  r = rules->Evaluate("d", ReturnFact());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->used_default);
  EXPECT_EQ(r->outputs()[0].enum_value(), "CONDITION_UNSPECIFIED");
  EXPECT_EQ(r->outputs()[1].int_value(), std::numeric_limits<int64_t>::max());
  EXPECT_TRUE(r->outputs()[2].has_bool_value());
  EXPECT_FALSE(r->outputs()[2].bool_value());
  EXPECT_EQ(r->outputs()[3].money_value().minor_units(), -1);
  EXPECT_TRUE(r->outputs()[4].has_string_value());
}

TEST(RulesSpecCrossCheck, EvaluateErrorsUnknownDecisionWrongFactBadIndex) {
  auto rules = MustCompile(
      Table("FIRST", "inputs: 'reason'", Row("R1", "cells { any {} }", "x")));
  EXPECT_EQ(rules->Evaluate("nope", ReturnFact()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(rules->Evaluate("d", rules_test::Order()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(rules->Evaluate(1, ReturnFact()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(rules->Evaluate(-1, ReturnFact()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(rules->DecisionIndex("d"), 0);
  EXPECT_EQ(rules->DecisionIndex("nope"), -1);
  EXPECT_TRUE(rules->Evaluate(0, ReturnFact()).ok());
}

// A DMN-style table of several hundred rows: 400 consecutive day bands,
// mixed with enum rows, checked at every band's edges.
TEST(RulesSpecCrossCheck, FourHundredRowBandTableHitsEveryBandEdge) {
  std::string rows;
  for (int i = 0; i < 400; ++i) {
    const int lo = -2000 + 10 * i;  // Band i: [lo, lo + 10).
    if (i % 3 == 0) {
      rows += Row(
          absl::StrCat("F", i),
          absl::StrCat("cells { equals { enum_value: 'FAULTY' } } "
                       "cells { range { low: '",
                       lo, "' low_inclusive: true high: '", lo + 10, "' } }"),
          absl::StrCat("faulty-", i));
    }
    rows += Row(absl::StrCat("B", i),
                absl::StrCat("cells { any {} } cells { range { low: '", lo,
                             "' low_inclusive: true high: '", lo + 10, "' } }"),
                absl::StrCat("band-", i));
  }
  auto rules = MustCompile(
      Table("FIRST", "inputs: 'reason' inputs: 'days_since_order'", rows));
  ASSERT_NE(rules, nullptr);
  for (int i = 0; i < 400; ++i) {
    const int lo = -2000 + 10 * i;
    for (int64_t v : {lo, lo + 9}) {
      ReturnFact f = WithDays(v);
      EXPECT_EQ(Out(*rules, f), absl::StrCat("band-", i)) << v;
      f.set_reason(rules_test::FAULTY);
      EXPECT_EQ(Out(*rules, f),
                absl::StrCat(i % 3 == 0 ? "faulty-" : "band-", i))
          << v;
    }
  }
  EXPECT_EQ(Out(*rules, WithDays(-2001)), "");
  EXPECT_EQ(Out(*rules, WithDays(2000)), "");
}

// ---------------------------------------------------------------------------
// Compile errors: decision, row id, input and line (docs/rules.md "Exact
// semantics"; issue 3 "Compile").

// A table whose row 'R7' (on its own line) holds `cell` for `input`, after a
// valid row 'R1'.
std::string OneBadCell(const std::string& input, const std::string& cell) {
  return Table("FIRST", "inputs: '" + input + "'",
               Row("R1", "cells { any {} }", "ok") + Row("R7", cell, "bad"));
}

void ExpectCellError(const std::string& text, const std::string& input,
                     const std::string& detail) {
  const std::string error = CompileError(text);
  EXPECT_THAT(error, StartsWith(absl::StrCat(
                         "rules.textproto:", LineOf(text, "id: 'R7'"), ": ")));
  EXPECT_THAT(error, HasSubstr("decision 'd'"));
  EXPECT_THAT(error, HasSubstr("row 'R7'"));
  EXPECT_THAT(error, HasSubstr("input '" + input + "'"));
  EXPECT_THAT(error, HasSubstr(detail));
}

TEST(RulesSpecCrossCheck, CompileErrorsNameDecisionRowInputAndLine) {
  ExpectCellError(
      OneBadCell("reason", "cells { equals { enum_value: 'BROKEN' } }"),
      "reason", "unknown enum value 'BROKEN'");
  ExpectCellError(OneBadCell("reason",
                             "cells { one_of { values { enum_value: 'LATE' } "
                             "values { enum_value: 'late' } } }"),
                  "reason", "'late'");
  ExpectCellError(OneBadCell("location", "cells { range { low: '1' } }"),
                  "location", "");
  ExpectCellError(OneBadCell("days_since_order", "cells { regex: '^1' }"),
                  "days_since_order", "");
  ExpectCellError(OneBadCell("sku", "cells { regex: '(abc' }"), "sku",
                  "missing )");  // RE2's own message.
  ExpectCellError(OneBadCell("sku", "cells { regex: '[z-a]' }"), "sku", "z-a");
  ExpectCellError(
      OneBadCell("sku", "cells { regex: '[a-z]{1000}[0-9]{1000}' }"), "sku",
      "");  // Program too large.
  ExpectCellError(
      OneBadCell("i32", "cells { equals { int_value: 5000000000 } }"), "i32",
      "5000000000");
  ExpectCellError(OneBadCell("u32", "cells { equals { int_value: -1 } }"),
                  "u32", "-1");
  ExpectCellError(OneBadCell("location", "cells { equals { int_value: 3 } }"),
                  "location", "");
  ExpectCellError(
      OneBadCell("days_since_order", "cells { equals { string_value: '3' } }"),
      "days_since_order", "");
  ExpectCellError(
      OneBadCell("restockable", "cells { equals { string_value: 'true' } }"),
      "restockable", "");
  ExpectCellError(OneBadCell("order", "cells { equals { string_value: 'x' } }"),
                  "order", "");
  ExpectCellError(
      OneBadCell("days_since_order", "cells { range { low: '5' high: '5' } }"),
      "days_since_order", "");
  ExpectCellError(OneBadCell("days_since_order",
                             "cells { range { low: '5' low_inclusive: true "
                             "high: '4' high_inclusive: true } }"),
                  "days_since_order", "");
  ExpectCellError(
      OneBadCell("days_since_order", "cells { range { low: '1e3' } }"),
      "days_since_order", "1e3");
  ExpectCellError(OneBadCell("days_since_order",
                             "cells { range { low: '4.5' high: '5' } }"),
                  "days_since_order", "");  // Holds no integer.
  ExpectCellError(OneBadCell("u32", "cells { range { high: '0' } }"), "u32",
                  "");  // No value of a uint32.
  ExpectCellError(OneBadCell("u32", "cells { range { low: '4294967295' } }"),
                  "u32", "");
}

TEST(RulesSpecCrossCheck, CompileErrorsOfTablesAndRows) {
  // Duplicate row ids: the second one's line.
  {
    const std::string text =
        Table("FIRST", "inputs: 'reason'",
              Row("R1", "cells { any {} }", "a") +
                  Row("R2", "cells { any {} }", "b") +
                  "rows { id: 'R1' cells { any {} } outputs { string_value: "
                  "'c' } }  # dup\n");
    const std::string error = CompileError(text);
    EXPECT_THAT(error, StartsWith(absl::StrCat(
                           "rules.textproto:", LineOf(text, "# dup"), ": ")));
    EXPECT_THAT(error, HasSubstr("decision 'd'"));
    EXPECT_THAT(error, HasSubstr("'R1'"));
  }
  // Output of the wrong type.
  {
    const std::string text = Table(
        "FIRST", "inputs: 'reason'",
        Row("R1", "cells { any {} }", "a") +
            "rows { id: 'R7' cells { any {} } outputs { int_value: 3 } }\n");
    const std::string error = CompileError(text);
    EXPECT_THAT(error,
                StartsWith(absl::StrCat(
                    "rules.textproto:", LineOf(text, "id: 'R7'"), ": ")));
    EXPECT_THAT(error, HasSubstr("decision 'd'"));
    EXPECT_THAT(error, HasSubstr("row 'R7'"));
  }
  // Unknown enum value in an ENUM output, and an unknown enum_type.
  {
    const std::string text =
        "id: 't' version: '1'\n"
        "decisions {\n"
        "  name: 'd' fact_type: 'retcon.rules_test.ReturnFact' "
        "hit_policy: FIRST\n"
        "  inputs: 'reason'\n"
        "  outputs { name: 'e' type: ENUM enum_type: "
        "'retcon.rules_test.Condition' }\n"
        "  rows { id: 'R1' cells { any {} } outputs { enum_value: 'USED' } }\n"
        "  rows { id: 'R7' cells { any {} } outputs { enum_value: 'FAULTY' } "
        "}\n"
        "}\n";
    const std::string error = CompileError(text);
    EXPECT_THAT(error,
                StartsWith(absl::StrCat(
                    "rules.textproto:", LineOf(text, "'FAULTY'"), ": ")));
    EXPECT_THAT(error, HasSubstr("output 'e'"));
    EXPECT_THAT(error, HasSubstr("row 'R7'"));
    EXPECT_THAT(error, HasSubstr("FAULTY"));
    std::string bad_type = text;
    bad_type.replace(bad_type.find("rules_test.Condition"), 20,
                     "rules_test.Nothing");
    EXPECT_THAT(CompileError(bad_type), HasSubstr("decision 'd'"));
  }
  // Unknown input paths, a repeated field (tags) and a double (weight_kg);
  // no hit policy; wrong cell and output counts; a row without id; a default
  // of the wrong type; a PRIORITY value outside priority_order.
  // (Ambiguity: docs/rules.md "input paths exist, are not repeated" is read
  // as "not a repeated field"; the same path given twice compiles.)
  const std::string bad_tables[] = {
      Table("FIRST", "inputs: 'order.nope'",
            Row("R1", "cells { any {} }", "a")),
      Table("FIRST", "inputs: 'nope'", Row("R1", "cells { any {} }", "a")),
      Table("FIRST", "inputs: 'id.x'", Row("R1", "cells { any {} }", "a")),
      Table("FIRST", "inputs: 'tags'", Row("R1", "cells { any {} }", "a")),
      Table("FIRST", "inputs: 'weight_kg'", Row("R1", "cells { any {} }", "a")),
      Table("HIT_POLICY_UNSPECIFIED", "inputs: 'reason'",
            Row("R1", "cells { any {} }", "a")),
      Table("FIRST", "inputs: 'reason' inputs: 'sku'",
            Row("R1", "cells { any {} }", "a")),
      Table("FIRST", "inputs: 'reason'", "rows { id: 'R1' cells { any {} } }"),
      Table("FIRST", "inputs: 'reason'", Row("", "cells { any {} }", "a")),
      Table("FIRST", "inputs: 'reason'",
            Row("R1", "cells { any {} }", "a") +
                "default_outputs { bool_value: true }"),
      Table("PRIORITY", "inputs: 'reason'", Row("R1", "cells { any {} }", "X"),
            "priority_order { string_value: 'Q' }"),
  };
  for (const std::string& text : bad_tables) {
    SCOPED_TRACE(text);
    const std::string error = CompileError(text);
    EXPECT_THAT(error, StartsWith("rules.textproto:"));
    EXPECT_THAT(error, HasSubstr("decision 'd'"));
  }
  std::string unknown_fact =
      Table("FIRST", "inputs: 'reason'", Row("R1", "cells { any {} }", "a"));
  unknown_fact.replace(unknown_fact.find("rules_test.ReturnFact"), 21,
                       "rules_test.NoSuchFact");
  EXPECT_THAT(CompileError(unknown_fact), HasSubstr("decision 'd'"));
}

TEST(RulesSpecCrossCheck, CompileErrorsTheProtoCommentsPromise) {
  // rules.proto: an output TYPE_UNSPECIFIED is "rejected by the compiler";
  // decision names "are unique within the rule set".
  EXPECT_THAT(
      CompileError("id: 't' version: '1'\n"
                   "decisions { name: 'd' fact_type: "
                   "'retcon.rules_test.ReturnFact' hit_policy: FIRST inputs: "
                   "'reason' outputs { name: 'o' } }\n"),
      HasSubstr("decision 'd'"));
  const std::string decision =
      "decisions { name: 'd' fact_type: 'retcon.rules_test.ReturnFact' "
      "hit_policy: FIRST inputs: 'reason' outputs { name: 'o' type: STRING } "
      "}\n";
  const std::string two = "id: 't' version: '1'\n" + decision + decision;
  EXPECT_THAT(CompileError(two), StartsWith("rules.textproto:3: decision 'd'"));
  // A cell with no test at all.
  ExpectCellError(OneBadCell("reason", "cells { }"), "reason", "");
}

TEST(RulesSpecCrossCheck, ErrorOnAnInputLineCitesTheDecisionsLine) {
  const std::string text = Table("FIRST", "inputs: 'order.nope'",
                                 Row("R1", "cells { any {} }", "a"));
  const std::string error = CompileError(text);
  EXPECT_THAT(error,
              StartsWith(absl::StrCat(
                  "rules.textproto:", LineOf(text, "decisions {"), ": ")));
  EXPECT_THAT(error, HasSubstr("input 'order.nope'"));
}

TEST(RulesSpecCrossCheck, RegexProgramSizeLimitIsAnOption) {
  const std::string text = OneBadCell("sku", "cells { regex: '[a-z]{30}' }");
  CompileOptions small;
  small.regex_max_program_size = 10;
  EXPECT_THAT(CompileError(text, small), HasSubstr("row 'R7'"));
  EXPECT_EQ(CompileError(text), "<compiled>");
}

TEST(RulesSpecCrossCheck, JsonAuthoringIsAcceptedWithoutLineNumbers) {
  const std::string json = R"json({
    "id": "t", "version": "1",
    "decisions": [{
      "name": "d", "factType": "retcon.rules_test.ReturnFact",
      "hitPolicy": "FIRST",
      "inputs": ["order.country", "days_since_order"],
      "outputs": [{"name": "out", "type": "STRING"}],
      "rows": [
        {"id": "R1", "cells": [{"equals": {"stringValue": "GB"}},
                               {"range": {"low": "0", "lowInclusive": true,
                                          "high": "30"}}],
         "outputs": [{"stringValue": "refund"}]},
        {"id": "R2", "cells": [{"any": {}}, {"isPresent": {}}],
         "outputs": [{"stringValue": "review"}]}
      ],
      "defaultOutputs": [{"stringValue": "none"}]
    }]
  })json";
  ReturnFact::descriptor();
  absl::StatusOr<ParsedRuleSet> parsed = ParseRuleSetJson(json, "rules.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  auto rules = CompileRuleSet(*parsed, {});
  ASSERT_TRUE(rules.ok()) << rules.status();
  ReturnFact f = WithDays(29);
  f.mutable_order()->set_country("GB");
  EXPECT_EQ(Out(**rules, f), "refund");
  f.set_days_since_order(30);
  EXPECT_EQ(Out(**rules, f), "review");

  std::string bad = json;
  bad.replace(bad.find("\"GB\""), 4, "7");
  bad.replace(bad.find("stringValue\": 7"), 11, "intValue");
  parsed = ParseRuleSetJson(bad, "rules.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  auto error = CompileRuleSet(*parsed, {});
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(error.status().message()), HasSubstr("decision 'd'"));
  EXPECT_THAT(std::string(error.status().message()), HasSubstr("row 'R1'"));
  EXPECT_THAT(std::string(error.status().message()),
              HasSubstr("input 'order.country'"));
  EXPECT_THAT(std::string(error.status().message()),
              Not(ContainsRegex("json:[0-9]")));
}

// ---------------------------------------------------------------------------
// Trace and coverage.

TEST(RulesSpecCrossCheck, TraceShowsInputsMatchesWinnerAndReason) {
  auto rules = MustCompile(Table(
      "FIRST",
      "inputs: 'condition' inputs: 'location' inputs: 'order.total_minor'",
      Row("R1",
          "cells { equals { enum_value: 'BROKEN' } } cells { any {} } "
          "cells { any {} }",
          "Q") +
          Row("R2", "cells { any {} } cells { regex: 'EED' } cells { any {} }",
              "L") +
          Row("R9", "cells { any {} } cells { any {} } cells { any {} }",
              "S")));
  ReturnFact f = WithCondition(rules_test::BROKEN);
  f.set_location("LEEDS");
  EvaluationTrace trace;
  ASSERT_TRUE(rules->Evaluate("d", f, &trace).ok());
  EXPECT_EQ(trace.decision, "d");
  EXPECT_THAT(
      trace.inputs,
      ElementsAre(Pair("condition", "BROKEN"), Pair("location", "\"LEEDS\""),
                  Pair("order.total_minor", "<missing>")));
  EXPECT_THAT(trace.matched_row_ids, ElementsAre("R1", "R2", "R9"));
  EXPECT_EQ(trace.winner, "R1");
  EXPECT_EQ(trace.reason, "first matching row");

  // UNIQUE with one match: "the only matching row".
  auto unique = MustCompile(
      Table("UNIQUE", "inputs: 'condition'",
            Row("U1", "cells { equals { enum_value: 'BROKEN' } }", "Q") +
                Row("U2", "cells { equals { enum_value: 'USED' } }", "D")));
  ASSERT_TRUE(unique->Evaluate("d", f, &trace).ok());
  EXPECT_EQ(trace.winner, "U1");
  EXPECT_EQ(trace.reason, "the only matching row");
  EXPECT_THAT(trace.matched_row_ids, ElementsAre("U1"));
}

TEST(RulesSpecCrossCheck, CoverageListsRowsThatNeverFired) {
  const std::string rows =
      Row("R1", "cells { equals { enum_value: 'BROKEN' } }", "a") +
      Row("R2", "cells { equals { enum_value: 'USED' } }", "b") +
      Row("R3",
          "cells { one_of { values { enum_value: 'BROKEN' } values { "
          "enum_value: 'AS_NEW' } } }",
          "c") +
      Row("R4", "cells { any {} }", "d");
  auto first = MustCompile(Table("FIRST", "inputs: 'condition'", rows));
  auto collect = MustCompile(Table("COLLECT", "inputs: 'condition'", rows));
  RowCoverage first_cov(*first);
  RowCoverage collect_cov(*collect);
  for (rules_test::Condition c :
       {rules_test::BROKEN, rules_test::BROKEN, rules_test::NEW_WITH_TAGS}) {
    first_cov.Record(*first->Evaluate("d", WithCondition(c)));
    collect_cov.Record(*collect->Evaluate("d", WithCondition(c)));
  }
  EXPECT_EQ(first_cov.Count(0, 0), 2);
  EXPECT_EQ(first_cov.Count(0, 2), 0);
  EXPECT_EQ(first_cov.Count(0, 3), 1);
  EXPECT_EQ(first_cov.Count(0, 99), 0);
  std::vector<std::string> never;
  for (const auto& row : first_cov.NeverFired()) {
    EXPECT_EQ(row.decision, "d");
    never.push_back(row.row_id);
  }
  EXPECT_THAT(never, ElementsAre("R2", "R3"));
  never.clear();
  for (const auto& row : collect_cov.NeverFired()) never.push_back(row.row_id);
  EXPECT_THAT(never, ElementsAre("R2"));  // COLLECT: never matched.
  EXPECT_EQ(collect_cov.Count(0, 3), 3);
  // A result of another rule set is counted apart.
  first_cov.Record(*collect->Evaluate("d", WithCondition(rules_test::BROKEN)));
  EXPECT_EQ(first_cov.ForeignHits(), 3);
  EXPECT_EQ(first_cov.Count(0, 0), 2);
}

TEST(RulesSpecCrossCheck, CoverageInDecisionThenRowOrderAndEvaluateEach) {
  auto rules = MustCompile(R"pb(
    id: 't'
    version: '1'
    decisions {
      name: 'first'
      fact_type: 'retcon.rules_test.ReturnFact'
      hit_policy: FIRST
      inputs: 'condition'
      outputs { name: 'o' type: STRING }
      rows {
        id: 'A1'
        cells { equals { enum_value: 'USED' } }
        outputs { string_value: 'x' }
      }
      rows {
        id: 'A2'
        cells { any {} }
        outputs { string_value: 'y' }
      }
    }
    decisions {
      name: 'second'
      fact_type: 'retcon.rules_test.ReturnFact'
      hit_policy: FIRST
      inputs: 'condition'
      outputs { name: 'o' type: STRING }
      rows {
        id: 'B1'
        cells { equals { enum_value: 'BROKEN' } }
        outputs { string_value: 'z' }
      }
      rows {
        id: 'B2'
        cells { equals { enum_value: 'USED' } }
        outputs { string_value: 'w' }
      }
    }
  )pb");
  ASSERT_NE(rules, nullptr);
  RowCoverage coverage(*rules);
  const std::vector<int> both = {1, 0};
  std::vector<DecisionResult> results(2);
  ASSERT_TRUE(rules
                  ->EvaluateEach(both, WithCondition(rules_test::USED),
                                 absl::MakeSpan(results))
                  .ok());
  EXPECT_EQ(results[0].hits[0].row_id, "B2");  // In the order asked.
  EXPECT_EQ(results[1].hits[0].row_id, "A1");
  for (const DecisionResult& r : results) coverage.Record(r);
  std::vector<std::string> never;
  for (const auto& row : coverage.NeverFired()) {
    never.push_back(row.decision + "/" + row.row_id);
  }
  EXPECT_THAT(never, ElementsAre("first/A2", "second/B1"));
  std::vector<DecisionResult> one(1);
  EXPECT_EQ(rules->EvaluateEach(both, ReturnFact(), absl::MakeSpan(one)).code(),
            absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------
// Static analysis, on tables worked out by hand.

TEST(RulesSpecCrossCheck, AnalysisShadowedRowsAndTheirUnreachableOutputs) {
  // R2 is inside R1; R4 is covered by R1 and R3 together; R5 is not covered
  // (COLOUR is in no earlier row); R6 is the catch-all, so no gaps.
  auto rules = MustCompile(Table(
      "FIRST", "inputs: 'reason' inputs: 'days_since_order'",
      Row("R1",
          "cells { one_of { values { enum_value: 'TOO_SMALL' } values { "
          "enum_value: 'TOO_LARGE' } } } cells { any {} }",
          "size") +
          Row("R2",
              "cells { equals { enum_value: 'TOO_SMALL' } } cells { "
              "range { low: '0' low_inclusive: true } }",
              "small") +
          Row("R3", "cells { equals { enum_value: 'LATE' } } cells { any {} }",
              "late") +
          Row("R4",
              "cells { one_of { values { enum_value: 'LATE' } values { "
              "enum_value: 'TOO_LARGE' } } } cells { range { high: '5' } "
              "}",
              "late-or-large") +
          Row("R5",
              "cells { one_of { values { enum_value: 'LATE' } values { "
              "enum_value: 'COLOUR' } } } cells { any {} }",
              "colour") +
          Row("R6", "cells { any {} } cells { any {} }", "size")));
  std::vector<RuleFinding> shadowed =
      FindingsOf(*rules, RuleFinding::kShadowedRow);
  ASSERT_EQ(shadowed.size(), 2u);
  EXPECT_THAT(shadowed[0].row_ids, ElementsAre("R2", "R1"));
  EXPECT_THAT(shadowed[0].message,
              HasSubstr("row 'R2' is shadowed by row 'R1' (FIRST)"));
  EXPECT_THAT(shadowed[1].row_ids, ElementsAre("R4", "R1", "R3"));
  EXPECT_THAT(shadowed[1].message,
              HasSubstr("shadowed by rows 'R1', 'R3' together"));
  // 'small' and 'late-or-large' are carried only by shadowed rows; 'size' by
  // R1 too.
  std::vector<RuleFinding> unreachable =
      FindingsOf(*rules, RuleFinding::kUnreachableOutput);
  std::vector<std::vector<std::string>> carriers;
  for (const RuleFinding& f : unreachable) carriers.push_back(f.row_ids);
  EXPECT_THAT(carriers,
              UnorderedElementsAre(ElementsAre("R2"), ElementsAre("R4")));
  EXPECT_TRUE(FindingsOf(*rules, RuleFinding::kGap).empty());
  EXPECT_TRUE(FindingsOf(*rules, RuleFinding::kOverlap).empty());
}

TEST(RulesSpecCrossCheck, AnalysisOverlapsUnderUnique) {
  auto rules = MustCompile(
      Table("UNIQUE", "inputs: 'days_since_order' inputs: 'sku'",
            Row("R1",
                "cells { range { low: '0' low_inclusive: true high: '10' "
                "high_inclusive: true } } cells { any {} }",
                "a") +
                Row("R2",
                    "cells { range { low: '10' low_inclusive: true high: "
                    "'20' } } cells { any {} }",
                    "b") +
                Row("R3",
                    "cells { range { low: '20' low_inclusive: true high: "
                    "'30' } } cells { regex: '^A' }",
                    "c") +
                Row("R4",
                    "cells { range { low: '25' low_inclusive: true high: "
                    "'40' } } cells { regex: 'B$' }",
                    "d") +
                Row("R5",
                    "cells { range { low: '30' low_inclusive: true high: "
                    "'40' } } cells { regex: '^A' }",
                    "e") +
                "default_outputs { string_value: 'none' }"));
  // R1/R2 share 10 (certain). R3/R4 share 25..29 with two different regexes
  // ("AB" fits both): "may overlap". R4/R5 share 30..39 with different
  // regexes: may overlap. R3/R5 share no day. R2/R3: 20 is excluded in R2.
  std::vector<RuleFinding> overlaps = FindingsOf(*rules, RuleFinding::kOverlap);
  std::vector<std::string> pairs;
  for (const RuleFinding& f : overlaps) {
    ASSERT_EQ(f.row_ids.size(), 2u);
    pairs.push_back(
        absl::StrCat(f.row_ids[0], "/", f.row_ids[1], f.certain ? "" : "?"));
  }
  EXPECT_THAT(pairs, UnorderedElementsAre("R1/R2", "R3/R4?", "R4/R5?"));
  for (const RuleFinding& f : overlaps) {
    if (f.row_ids[0] == "R1") {
      EXPECT_THAT(f.message, HasSubstr("rows 'R1' and 'R2' overlap"));
    }
  }
  EXPECT_TRUE(FindingsOf(*rules, RuleFinding::kGap).empty());  // Default.
}

TEST(RulesSpecCrossCheck, AnalysisGapsOverAnOpenEnum) {
  // Condition: 6 named values, open (proto3). Rows cover four named values.
  auto rules = MustCompile(
      Table("FIRST", "inputs: 'condition'",
            Row("R1",
                "cells { one_of { values { enum_value: 'NEW_WITH_TAGS' } "
                "values { enum_value: 'AS_NEW' } } }",
                "a") +
                Row("R2",
                    "cells { one_of { values { enum_value: 'USED' } values { "
                    "enum_value: 'BROKEN' } } }",
                    "b")));
  std::vector<std::string> gaps;
  for (const RuleFinding& f : FindingsOf(*rules, RuleFinding::kGap)) {
    ASSERT_EQ(f.inputs.size(), 1u) << f.message;
    EXPECT_EQ(f.inputs[0].first, "condition");
    gaps.push_back(f.inputs[0].second);
  }
  EXPECT_THAT(gaps, UnorderedElementsAre("CONDITION_UNSPECIFIED", "INCOMPLETE",
                                         "<any unnamed value>"));
  // not_one_of covers the unnamed values too.
  auto closed = MustCompile(Table(
      "FIRST", "inputs: 'condition'",
      Row("R1", "cells { not_one_of { values { enum_value: 'USED' } } }", "a") +
          Row("R2", "cells { equals { enum_value: 'USED' } }", "b")));
  EXPECT_TRUE(AnalyseRuleSet(*closed).empty());
}

TEST(RulesSpecCrossCheck, AnalysisGapsOverRangesAndMissingValues) {
  // Days below 0 are not covered; the total is covered when present, not
  // when missing.
  auto days = MustCompile(
      Table("FIRST", "inputs: 'days_since_order'",
            Row("R1",
                "cells { range { low: '0' low_inclusive: true high: '30' "
                "high_inclusive: true } }",
                "a") +
                Row("R2", "cells { range { low: '30' } }", "b")));
  std::vector<RuleFinding> gaps = FindingsOf(*days, RuleFinding::kGap);
  ASSERT_FALSE(gaps.empty());
  for (const RuleFinding& gap : gaps) {
    ASSERT_EQ(gap.inputs.size(), 1u);
    EXPECT_EQ(gap.inputs[0].first, "days_since_order");
    int64_t v = 0;
    ASSERT_TRUE(absl::SimpleAtoi(gap.inputs[0].second, &v))
        << gap.inputs[0].second;
    EXPECT_LT(v, 0);  // Only days below 0 are uncovered.
    EXPECT_THAT(gap.message, HasSubstr("no row covers days_since_order = "));
  }

  auto total = MustCompile(
      Table("FIRST", "inputs: 'order.total_minor'",
            Row("R1", "cells { range { low: '0' low_inclusive: true } }", "a") +
                Row("R2", "cells { range { high: '0' } }", "b")));
  gaps = FindingsOf(*total, RuleFinding::kGap);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_THAT(gaps[0].inputs,
              ElementsAre(Pair("order.total_minor", "<missing>")));
  // An "any" row is a catch-all: no gap analysis finding at all.
  auto caught = MustCompile(
      Table("FIRST", "inputs: 'order.total_minor'",
            Row("R1", "cells { range { low: '0' low_inclusive: true } }", "a") +
                Row("R9", "cells { any {} }", "b")));
  EXPECT_TRUE(AnalyseRuleSet(*caught).empty());
}

TEST(RulesSpecCrossCheck, AnalysisGapWhateverTheOtherInputIsOneFinding) {
  // restockable (optional bool): true, false, missing. The rows cover true
  // for every reason and false for every reason (LATE by R2, the others by
  // R3); missing is covered for no reason: one finding, "restockable =
  // <missing>" with reason "<any>" (rules_analysis.h: "value "<any>" for an
  // input no value of which is covered").
  auto rules = MustCompile(Table(
      "FIRST", "inputs: 'reason' inputs: 'restockable'",
      Row("R1", "cells { any {} } cells { equals { bool_value: true } }", "a") +
          Row("R2",
              "cells { equals { enum_value: 'LATE' } } cells { equals { "
              "bool_value: false } }",
              "b") +
          Row("R3",
              "cells { not_one_of { values { enum_value: 'LATE' } } } cells { "
              "equals { bool_value: false } }",
              "c")));
  std::vector<RuleFinding> gaps = FindingsOf(*rules, RuleFinding::kGap);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_THAT(gaps[0].inputs, ElementsAre(Pair("reason", "<any>"),
                                          Pair("restockable", "<missing>")));
  EXPECT_THAT(gaps[0].message,
              HasSubstr("no row covers restockable = <missing> (any reason)"));
}

// rules_analysis.h (RuleFinding::inputs: value "<any>" for an input no
// value of which is covered) and docs/rules.md "Reading an analysis report":
// an input whose cells are all `any` is named too (it was left out until the
// cross-check found it).
TEST(RulesSpecCrossCheck, AnalysisGapNamesAnAllAnyInputAsAny) {
  auto rules = MustCompile(Table(
      "FIRST", "inputs: 'reason' inputs: 'restockable'",
      Row("R1", "cells { any {} } cells { equals { bool_value: true } }", "a") +
          Row("R2", "cells { any {} } cells { equals { bool_value: false } }",
              "b")));
  std::vector<RuleFinding> gaps = FindingsOf(*rules, RuleFinding::kGap);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_THAT(gaps[0].inputs, ElementsAre(Pair("reason", "<any>"),
                                          Pair("restockable", "<missing>")));
  EXPECT_THAT(gaps[0].message,
              HasSubstr("no row covers restockable = <missing> (any reason)"));
}

TEST(RulesSpecCrossCheck, AnalysisUnreachablePriorityOrderValue) {
  auto rules = MustCompile(
      Table("PRIORITY", "inputs: 'condition'",
            Row("R1", "cells { equals { enum_value: 'USED' } }", "DAMAGED") +
                Row("R2", "cells { any {} }", "SELLABLE"),
            "priority_order { string_value: 'QUARANTINE' } "
            "priority_order { string_value: 'DAMAGED' } "
            "priority_order { string_value: 'SELLABLE' }"));
  std::vector<RuleFinding> unreachable =
      FindingsOf(*rules, RuleFinding::kUnreachableOutput);
  ASSERT_EQ(unreachable.size(), 1u);
  EXPECT_THAT(unreachable[0].message, HasSubstr("QUARANTINE"));
  EXPECT_TRUE(unreachable[0].row_ids.empty());
}

// ---------------------------------------------------------------------------
// Effective dating (docs/rules.md "When rules change"; rules_book.h).

std::string Version(const std::string& version, const std::string& from,
                    const std::string& until, const std::string& out,
                    const std::string& cell = "cells { any {} }") {
  std::string text = "versions { id: 'b' version: '" + version + "'";
  if (!from.empty()) text += " effective_from: '" + from + "'";
  if (!until.empty()) text += " effective_until: '" + until + "'";
  return text +
         "\n  decisions { name: 'd' fact_type: 'retcon.rules_test.ReturnFact' "
         "hit_policy: FIRST inputs: 'reason' outputs { name: 'out' type: "
         "STRING }\n    rows { id: 'R1' " +
         cell + " outputs { string_value: '" + out + "' } }\n  }\n}\n";
}

absl::StatusOr<std::unique_ptr<const CompiledRuleBook>> CompileBook(
    const std::string& text) {
  ReturnFact::descriptor();
  absl::StatusOr<ParsedRuleBook> parsed =
      ParseRuleBookText(text, "book.textproto");
  if (!parsed.ok()) return parsed.status();
  return CompileRuleBook(*parsed, {});
}

std::string OutOn(const CompiledRuleBook& book, const std::string& date) {
  absl::StatusOr<const CompiledRuleSet*> rules = book.AsOf(date);
  if (!rules.ok()) {
    return absl::StrCat(absl::StatusCodeToString(rules.status().code()));
  }
  return Out(**rules, ReturnFact());
}

TEST(RulesSpecCrossCheck, BookFromInclusiveUntilExclusive) {
  auto book = CompileBook(Version("v3", "2026-07-01", "", "three") +
                          Version("v1", "", "2026-01-01", "one") +
                          Version("v2", "2026-01-01", "2026-07-01", "two"));
  ASSERT_TRUE(book.ok()) << book.status();
  EXPECT_EQ(OutOn(**book, "1000-01-01"), "one");
  EXPECT_EQ(OutOn(**book, "1969-12-31"), "one");
  EXPECT_EQ(OutOn(**book, "2025-12-31"), "one");
  EXPECT_EQ(OutOn(**book, "2026-01-01"), "two");
  EXPECT_EQ(OutOn(**book, "2026-06-30"), "two");
  EXPECT_EQ(OutOn(**book, "2026-07-01"), "three");
  EXPECT_EQ(OutOn(**book, "9999-12-31"), "three");
  EXPECT_EQ(OutOn(**book, "2026-1-01"), "INVALID_ARGUMENT");
  EXPECT_EQ(OutOn(**book, "2026-02-30"), "INVALID_ARGUMENT");
  EXPECT_EQ(OutOn(**book, ""), "INVALID_ARGUMENT");
  ASSERT_EQ((*book)->versions().size(), 3u);  // Ordered by from.
  EXPECT_EQ((*book)->versions()[0].rules->rule_set().version(), "v1");
  EXPECT_EQ((*book)->versions()[2].from, "2026-07-01");
}

// docs/rules.md "Exact semantics" ("dates are YYYY-MM-DD"): every four-digit
// year, as reconciliation reads dates (years before 1000 were refused until
// the cross-check found it).
TEST(RulesSpecCrossCheck, BookAcceptsEveryFourDigitYear) {
  auto book = CompileBook(Version("v1", "0500-01-01", "", "one"));
  ASSERT_TRUE(book.ok()) << book.status();
  EXPECT_EQ(OutOn(**book, "0600-01-01"), "one");
  auto open = CompileBook(Version("v1", "", "", "one"));
  ASSERT_TRUE(open.ok()) << open.status();
  EXPECT_EQ(OutOn(**open, "0001-01-01"), "one");
}

TEST(RulesSpecCrossCheck, BookDaysNoVersionCoversAreNotFound) {
  auto book = CompileBook(Version("v1", "2026-01-01", "2026-02-01", "one") +
                          Version("v2", "2026-03-01", "2026-03-02", "two"));
  ASSERT_TRUE(book.ok()) << book.status();
  EXPECT_EQ(OutOn(**book, "2025-12-31"), "NOT_FOUND");
  EXPECT_EQ(OutOn(**book, "2026-01-31"), "one");
  EXPECT_EQ(OutOn(**book, "2026-02-01"), "NOT_FOUND");
  EXPECT_EQ(OutOn(**book, "2026-02-28"), "NOT_FOUND");
  EXPECT_EQ(OutOn(**book, "2026-03-01"), "two");  // A one-day version.
  EXPECT_EQ(OutOn(**book, "2026-03-02"), "NOT_FOUND");
}

TEST(RulesSpecCrossCheck, BookOverlapsAndBadPeriodsAreCompileErrors) {
  // Sharing one day (2026-01-31) is an overlap.
  const std::string overlap = Version("v1", "2026-01-01", "2026-02-01", "one") +
                              Version("v2", "2026-01-31", "", "two");
  auto book = CompileBook(overlap);
  ASSERT_FALSE(book.ok());
  EXPECT_EQ(book.status().code(), absl::StatusCode::kInvalidArgument);
  // The overlap names both versions (by label) and cites the later one's
  // line.
  EXPECT_THAT(std::string(book.status().message()), HasSubstr("'v1'"));
  EXPECT_THAT(std::string(book.status().message()), HasSubstr("'v2'"));
  EXPECT_THAT(std::string(book.status().message()), HasSubstr("overlap"));
  EXPECT_THAT(std::string(book.status().message()),
              StartsWith(absl::StrCat(
                  "book.textproto:", LineOf(overlap, "version: 'v2'"), ":")));
  // Two open-ended versions overlap.
  EXPECT_FALSE(CompileBook(Version("v1", "", "", "one") +
                           Version("v2", "2030-01-01", "", "two"))
                   .ok());
  // from must be before until; dates are real YYYY-MM-DD days.
  for (const auto& [from, until] :
       std::vector<std::pair<std::string, std::string>>{
           {"2026-01-01", "2026-01-01"},
           {"2026-02-01", "2026-01-01"},
           {"2026-13-01", ""},
           {"", "2026-02-30"},
           {"2026-1-1", ""},
           {"01/02/2026", ""}}) {
    SCOPED_TRACE(from + " .. " + until);
    EXPECT_FALSE(CompileBook(Version("v1", from, until, "one")).ok());
  }
  // A version's own bad date cites the version's line.
  const std::string bad_date = Version("v1", "", "2026-01-01", "one") +
                               Version("v2", "2026-02-31", "", "two");
  book = CompileBook(bad_date);
  ASSERT_FALSE(book.ok());
  EXPECT_THAT(std::string(book.status().message()),
              StartsWith(absl::StrCat(
                  "book.textproto:", LineOf(bad_date, "version: 'v2'"),
                  ": versions[1]: ")));
  // Adjacent versions are fine.
  EXPECT_TRUE(CompileBook(Version("v1", "", "2026-01-01", "one") +
                          Version("v2", "2026-01-01", "", "two"))
                  .ok());
}

TEST(RulesSpecCrossCheck, BookErrorsInAVersionCiteVersionDecisionRowInput) {
  const std::string text = Version("v1", "", "2026-01-01", "one") +
                           Version("v2", "2026-01-01", "", "two",
                                   "cells { equals { enum_value: 'BROKEN' } }");
  auto book = CompileBook(text);
  ASSERT_FALSE(book.ok());
  const std::string error(book.status().message());
  // The row of v2 is the second line holding "id: 'R1'".
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  int row_line = 0, seen = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find("id: 'R1'") != std::string::npos && ++seen == 2) {
      row_line = int(i) + 1;
    }
  }
  EXPECT_THAT(error, StartsWith(absl::StrCat("book.textproto:", row_line,
                                             ": versions[1]: decision 'd' "
                                             "row 'R1' input 'reason': ")));
  EXPECT_THAT(error, HasSubstr("BROKEN"));
}

// ---------------------------------------------------------------------------
// What-if.

TEST(RulesSpecCrossCheck, WhatIfGroupsByOldAndNewOutcomeWithCounts) {
  auto before = MustCompile(
      Table("FIRST", "inputs: 'condition'",
            Row("R1", "cells { equals { enum_value: 'BROKEN' } }", "Q") +
                Row("R2", "cells { equals { enum_value: 'USED' } }", "D") +
                Row("R3", "cells { any {} }", "S")));
  auto after = MustCompile(Table(
      "FIRST", "inputs: 'condition'",
      Row("R1",
          "cells { one_of { values { enum_value: 'BROKEN' } values { "
          "enum_value: 'USED' } } }",
          "Q") +
          Row("R3", "cells { not_one_of { values { enum_value: 'AS_NEW' } } }",
              "S")));
  const rules_test::Condition conditions[] = {
      rules_test::BROKEN, rules_test::USED, rules_test::USED,
      rules_test::AS_NEW, rules_test::USED, rules_test::NEW_WITH_TAGS,
      rules_test::AS_NEW, rules_test::USED};
  std::vector<ReturnFact> facts;
  for (rules_test::Condition c : conditions) facts.push_back(WithCondition(c));
  std::vector<FactRef> batch;
  for (size_t i = 0; i < facts.size(); ++i) {
    batch.push_back({absl::StrCat("RMA-", i + 1), &facts[i]});
  }
  absl::StatusOr<WhatIfReport> report =
      CompareRuleSets(*before, *after, "d", batch, 3);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->facts, 8);
  EXPECT_EQ(report->changed, 6);  // 4 USED: D -> Q; 2 AS_NEW: S -> none.
  ASSERT_EQ(report->changes.size(), 2u);
  EXPECT_EQ(report->changes[0].old_outcome, "out=D");
  EXPECT_EQ(report->changes[0].new_outcome, "out=Q");
  EXPECT_EQ(report->changes[0].count, 4);
  EXPECT_THAT(report->changes[0].example_ids,
              ElementsAre("RMA-2", "RMA-3", "RMA-5"));  // First 3, in order.
  EXPECT_EQ(report->changes[1].old_outcome, "out=S");
  EXPECT_EQ(report->changes[1].new_outcome, "<no match>");
  EXPECT_EQ(report->changes[1].count, 2);
  EXPECT_THAT(report->changes[1].example_ids, ElementsAre("RMA-4", "RMA-7"));
  // Unknown decision, wrong fact type.
  EXPECT_EQ(CompareRuleSets(*before, *after, "x", batch).status().code(),
            absl::StatusCode::kInvalidArgument);
  rules_test::Order order;
  std::vector<FactRef> wrong = {{"o", &order}};
  EXPECT_EQ(CompareRuleSets(*before, *after, "d", wrong).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RulesSpecCrossCheck, WhatIfOutcomeTextQuotesWhatIsNotAPlainWord) {
  auto rules = MustCompile(Table(
      "COLLECT", "inputs: 'location'",
      Row("R1", "cells { equals { string_value: 'a' } }", "LEEDS") +
          Row("R2", "cells { equals { string_value: 'b' } }",
              "fragile, boxed") +
          Row("R3", "cells { equals { string_value: 'c' } }", "7") +
          Row("R4",
              "cells { one_of { values { string_value: 'c' } values { "
              "string_value: 'd' } } }",
              "true") +
          Row("R5", "cells { equals { string_value: 'e' } }", "RMA-1/L1")));
  auto text = [&](const std::string& location) {
    return OutcomeText(*rules, rules->Evaluate("d", WithLocation(location)));
  };
  EXPECT_EQ(text("a"), "out=LEEDS");
  EXPECT_EQ(text("b"), "out=\"fragile, boxed\"");
  EXPECT_EQ(text("c"), "out=\"7\" | out=\"true\"");
  EXPECT_EQ(text("e"), "out=RMA-1/L1");
  EXPECT_EQ(text("z"), "<no match>");
  auto unique = MustCompile(Table(
      "UNIQUE", "inputs: 'location'",
      Row("R1", "cells { any {} }", "a") + Row("R2", "cells { any {} }", "b")));
  EXPECT_THAT(OutcomeText(*unique, unique->Evaluate("d", ReturnFact())),
              StartsWith("<error: "));
}

// ---------------------------------------------------------------------------
// More documented details.

TEST(RulesSpecCrossCheck, DocumentedIntegerFitMessages) {
  // docs/rules.md "Integers": `value 5000000000 does not fit int32 field
  // 'i32'`, `value -1 does not fit uint32 field 'u32'`.
  EXPECT_THAT(CompileError(OneBadCell(
                  "i32", "cells { equals { int_value: 5000000000 } }")),
              HasSubstr("value 5000000000 does not fit int32 field 'i32'"));
  EXPECT_THAT(CompileError(OneBadCell(
                  "u32",
                  "cells { one_of { values { int_value: 1 } values { "
                  "int_value: -1 } } }")),
              HasSubstr("value -1 does not fit uint32 field 'u32'"));
  EXPECT_THAT(
      CompileError(
          OneBadCell("reason", "cells { equals { enum_value: 'BROKEN' } }")),
      HasSubstr("unknown enum value 'BROKEN' of retcon.rules_test.Reason"));
}

TEST(RulesSpecCrossCheck, RegexSetMemoryLimitNamesDecisionInputAndLine) {
  // docs/rules.md: the regexes of one column must fit one RE2::Set within
  // regex_set_max_mem; "the error names the decision, the input and the
  // decision's line".
  std::string rows;
  for (int i = 0; i < 40; ++i) {
    rows += Row(absl::StrCat("R", i),
                absl::StrCat("cells { regex: '[a-z]+", i, "[0-9]*x' }"), "a");
  }
  const std::string text = Table("FIRST", "inputs: 'sku'", rows);
  EXPECT_EQ(CompileError(text), "<compiled>");
  CompileOptions tiny;
  tiny.regex_set_max_mem = 2000;
  const std::string error = CompileError(text, tiny);
  EXPECT_THAT(error,
              StartsWith(absl::StrCat(
                  "rules.textproto:", LineOf(text, "decisions {"), ": ")));
  EXPECT_THAT(error, HasSubstr("decision 'd'"));
  EXPECT_THAT(error, HasSubstr("input 'sku'"));
}

TEST(RulesSpecCrossCheck, PriorityOrderOverEnumAndIntegerOutputs) {
  auto enums = MustCompile(R"pb(
    id: 't'
    version: '1'
    decisions {
      name: 'd'
      fact_type: 'retcon.rules_test.ReturnFact'
      hit_policy: PRIORITY
      inputs: 'sku'
      outputs {
        name: 'c'
        type: ENUM
        enum_type: 'retcon.rules_test.Condition'
        priority_order { enum_value: 'BROKEN' }
        priority_order { enum_value: 'USED' }
        priority_order { enum_value: 'AS_NEW' }
      }
      outputs { name: 'n' type: INTEGER }
      rows {
        id: 'A'
        cells { any {} }
        outputs { enum_value: 'AS_NEW' }
        outputs { int_value: 1 }
      }
      rows {
        id: 'U'
        cells { regex: 'U' }
        outputs { enum_value: 'USED' }
        outputs { int_value: 2 }
      }
      rows {
        id: 'B'
        cells { regex: 'B' }
        outputs { enum_value: 'BROKEN' }
        outputs { int_value: 3 }
      }
    }
  )pb");
  ASSERT_NE(enums, nullptr);
  auto winner = [&](const std::string& sku) {
    absl::StatusOr<DecisionResult> r = enums->Evaluate("d", WithSku(sku));
    return r.ok() && r->hits.size() == 1 ? std::string(r->hits[0].row_id)
                                         : std::string("?");
  };
  EXPECT_EQ(winner("x"), "A");
  EXPECT_EQ(winner("U"), "U");
  EXPECT_EQ(winner("UB"), "B");
  EXPECT_EQ(winner("B"), "B");

  auto ints = MustCompile(R"pb(
    id: 't'
    version: '1'
    decisions {
      name: 'd'
      fact_type: 'retcon.rules_test.ReturnFact'
      hit_policy: PRIORITY
      inputs: 'sku'
      outputs {
        name: 'n'
        type: INTEGER
        priority_order { int_value: 10 }
        priority_order { int_value: -1 }
        priority_order { int_value: 99 }
      }
      rows {
        id: 'P99'
        cells { any {} }
        outputs { int_value: 99 }
      }
      rows {
        id: 'M1'
        cells { regex: 'M' }
        outputs { int_value: -1 }
      }
      rows {
        id: 'T10'
        cells { regex: 'T' }
        outputs { int_value: 10 }
      }
    }
  )pb");
  ASSERT_NE(ints, nullptr);
  absl::StatusOr<DecisionResult> r = ints->Evaluate("d", WithSku("MT"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outputs()[0].int_value(), 10);
  r = ints->Evaluate("d", WithSku("M"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outputs()[0].int_value(), -1);
}

TEST(RulesSpecCrossCheck, AnalysisShadowingCountsMissingValues) {
  // R2 (any present total 0..10) is inside R1 (any present total): shadowed.
  // R3 (any) is not: a missing total fits R3 only.
  auto present = MustCompile(
      Table("FIRST", "inputs: 'order.total_minor'",
            Row("R1", "cells { is_present {} }", "a") +
                Row("R2",
                    "cells { range { low: '0' low_inclusive: true high: '10' "
                    "high_inclusive: true } }",
                    "b") +
                Row("R3", "cells { any {} }", "c")));
  std::vector<RuleFinding> shadowed =
      FindingsOf(*present, RuleFinding::kShadowedRow);
  ASSERT_EQ(shadowed.size(), 1u);
  EXPECT_THAT(shadowed[0].row_ids, ElementsAre("R2", "R1"));
  // Two ranges together cover every present total: R3 (is_present) is
  // shadowed by R1 and R2 together; R4 (any) is not.
  auto ranges = MustCompile(Table(
      "FIRST", "inputs: 'order.total_minor'",
      Row("R1", "cells { range { high: '5' high_inclusive: true } }", "a") +
          Row("R2", "cells { range { low: '5' } }", "b") +
          Row("R3", "cells { is_present {} }", "c") +
          Row("R4", "cells { any {} }", "d")));
  shadowed = FindingsOf(*ranges, RuleFinding::kShadowedRow);
  ASSERT_EQ(shadowed.size(), 1u);
  EXPECT_THAT(shadowed[0].row_ids, ElementsAre("R3", "R1", "R2"));
  // not_one_of { GB } then any: GB and a missing country reach R2.
  auto country = MustCompile(Table(
      "FIRST", "inputs: 'order.country'",
      Row("R1", "cells { not_one_of { values { string_value: 'GB' } } }", "a") +
          Row("R2", "cells { any {} }", "b")));
  EXPECT_TRUE(FindingsOf(*country, RuleFinding::kShadowedRow).empty());
  // The same regex pattern: shadowed (regexes compared by pattern).
  auto regex = MustCompile(Table("FIRST", "inputs: 'sku'",
                                 Row("R1", "cells { regex: '^A' }", "a") +
                                     Row("R2", "cells { regex: '^A' }", "b") +
                                     Row("R3", "cells { any {} }", "c")));
  shadowed = FindingsOf(*regex, RuleFinding::kShadowedRow);
  ASSERT_EQ(shadowed.size(), 1u);
  EXPECT_THAT(shadowed[0].row_ids, ElementsAre("R2", "R1"));
}

// Gap findings, expanded ("<any>" = every value), must stand for exactly the
// combinations no row covers: here reason x condition, both open enums (12 +
// 1 and 6 + 1 values), one row covering LATE x USED: 90 uncovered.
TEST(RulesSpecCrossCheck, AnalysisGapFindingsStandForExactlyTheUncovered) {
  auto rules = MustCompile(
      Table("FIRST", "inputs: 'reason' inputs: 'condition'",
            Row("R1",
                "cells { equals { enum_value: 'LATE' } } cells { equals { "
                "enum_value: 'USED' } }",
                "a")));
  std::vector<std::string> reasons, conditions;
  for (int i = 0; i < 12; ++i) {
    reasons.push_back(
        rules_test::Reason_Name(static_cast<rules_test::Reason>(i)));
  }
  reasons.push_back("<any unnamed value>");
  for (int i = 0; i < 6; ++i) {
    conditions.push_back(
        rules_test::Condition_Name(static_cast<rules_test::Condition>(i)));
  }
  conditions.push_back("<any unnamed value>");
  std::set<std::pair<std::string, std::string>> reported;
  AnalysisOptions options;
  options.max_gaps_reported = 1000;
  for (const RuleFinding& f : AnalyseRuleSet(*rules, options)) {
    ASSERT_EQ(f.kind, RuleFinding::kGap) << f.message;
    ASSERT_EQ(f.inputs.size(), 2u) << f.message;
    EXPECT_EQ(f.inputs[0].first, "reason");
    EXPECT_EQ(f.inputs[1].first, "condition");
    for (const std::string& r : reasons) {
      if (f.inputs[0].second != "<any>" && f.inputs[0].second != r) continue;
      for (const std::string& c : conditions) {
        if (f.inputs[1].second != "<any>" && f.inputs[1].second != c) continue;
        EXPECT_FALSE(r == "LATE" && c == "USED") << f.message;
        reported.insert({r, c});
      }
    }
  }
  EXPECT_EQ(reported.size(), 90u);
}

TEST(RulesSpecCrossCheck, WhatIfComparesOutcomesNotRows) {
  // Different rows, same outputs: no change. COLLECT outcomes join the hits.
  auto before = MustCompile(
      Table("COLLECT", "inputs: 'condition'",
            Row("R1", "cells { equals { enum_value: 'USED' } }", "x") +
                Row("R2", "cells { any {} }", "y")));
  auto after = MustCompile(Table(
      "COLLECT", "inputs: 'condition'",
      Row("N1", "cells { one_of { values { enum_value: 'USED' } } }", "x") +
          Row("N2", "cells { is_present {} }", "y") +
          Row("N3", "cells { equals { enum_value: 'BROKEN' } }", "z")));
  std::vector<ReturnFact> facts = {WithCondition(rules_test::USED),
                                   WithCondition(rules_test::AS_NEW),
                                   WithCondition(rules_test::BROKEN)};
  std::vector<FactRef> batch = {
      {"a", &facts[0]}, {"b", &facts[1]}, {"c", &facts[2]}};
  absl::StatusOr<WhatIfReport> report =
      CompareRuleSets(*before, *after, "d", batch);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->facts, 3);
  EXPECT_EQ(report->changed, 1);
  ASSERT_EQ(report->changes.size(), 1u);
  EXPECT_EQ(report->changes[0].old_outcome, "out=y");
  EXPECT_EQ(report->changes[0].new_outcome, "out=y | out=z");
  EXPECT_THAT(report->changes[0].example_ids, ElementsAre("c"));
}

TEST(RulesSpecCrossCheck, UniqueErrorWithThreeMatchesNamesMatchingRows) {
  auto rules = MustCompile(
      Table("UNIQUE", "inputs: 'condition'",
            Row("R1", "cells { equals { enum_value: 'USED' } }", "a") +
                Row("R2", "cells { equals { enum_value: 'AS_NEW' } }", "b") +
                Row("R3", "cells { is_present {} }", "c") +
                Row("R4", "cells { any {} }", "d")));
  absl::StatusOr<DecisionResult> r =
      rules->Evaluate("d", WithCondition(rules_test::USED));
  ASSERT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  // Ambiguity: with three matches the docs do not say which two are named;
  // the first two matching rows are the natural reading.
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("rows 'R1' and 'R3'"));
}

TEST(RulesSpecCrossCheck, CaseInsensitiveAndPrefixRegexesInOneColumn) {
  // Several regexes in one column (matched together), anchored and not.
  auto rules =
      MustCompile(Table("COLLECT", "inputs: 'sku'",
                        Row("Upper", "cells { regex: '^GIFT-' }", "a") +
                            Row("Lower", "cells { regex: '^gift-' }", "b") +
                            Row("Any", "cells { regex: '(?i)^gift-' }", "c") +
                            Row("Mid", "cells { regex: '(?i)ift' }", "d") +
                            Row("Num", "cells { regex: '[0-9]$' }", "e") +
                            Row("Alt", "cells { regex: '^GIFT|^X' }", "f")));
  EXPECT_THAT(Hits(*rules, WithSku("GIFT-1")),
              ElementsAre("Upper", "Any", "Mid", "Num", "Alt"));
  EXPECT_THAT(Hits(*rules, WithSku("gift-x")),
              ElementsAre("Lower", "Any", "Mid"));
  EXPECT_THAT(Hits(*rules, WithSku("Gift-")), ElementsAre("Any", "Mid"));
  EXPECT_THAT(Hits(*rules, WithSku("XGIFT-1")),
              ElementsAre("Mid", "Num", "Alt"));
  EXPECT_THAT(Hits(*rules, WithSku("GIFT")), ElementsAre("Mid", "Alt"));
  EXPECT_THAT(Hits(*rules, WithSku("")), ElementsAre());
}

TEST(RulesSpecCrossCheck, AnalysisOverlapCountAfterTheListedPairs) {
  // Ten rows that fit everything: 45 pairs; the first 20 are listed, then
  // "45 overlapping row pairs in all (20 listed)" (docs/rules.md).
  std::string rows;
  for (int i = 1; i <= 10; ++i) {
    rows += Row(absl::StrCat("R", i), "cells { any {} }", "a");
  }
  auto rules = MustCompile(Table("UNIQUE", "inputs: 'reason'", rows));
  std::vector<RuleFinding> overlaps = FindingsOf(*rules, RuleFinding::kOverlap);
  ASSERT_EQ(overlaps.size(), 21u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(overlaps[i].row_ids.size(), 2u);
  EXPECT_TRUE(overlaps[20].row_ids.empty());
  EXPECT_THAT(overlaps[20].message,
              HasSubstr("45 overlapping row pairs in all (20 listed)"));
}

TEST(RulesSpecCrossCheck, AnalysisGapCountAndSkippedSearches) {
  const std::string text =
      Table("FIRST", "inputs: 'reason' inputs: 'condition'",
            Row("R1",
                "cells { equals { enum_value: 'LATE' } } cells { equals { "
                "enum_value: 'USED' } }",
                "a"));
  auto rules = MustCompile(text);
  // 13 x 7 combinations, 90 uncovered; three findings listed, then the
  // count (when the three do not stand for all 90).
  AnalysisOptions three;
  three.max_gaps_reported = 3;
  std::vector<RuleFinding> gaps;
  for (RuleFinding& f : AnalyseRuleSet(*rules, three)) {
    EXPECT_EQ(f.kind, RuleFinding::kGap) << f.message;
    gaps.push_back(std::move(f));
  }
  ASSERT_EQ(gaps.size(), 4u);
  // Each listed finding stands for 7 (a reason, any condition), 13 (any
  // reason, a condition) or 1 combination; count their union by hand.
  std::set<std::pair<std::string, std::string>> union_of_listed;
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(gaps[i].inputs.size(), 2u);
    for (int r = 0; r < 13; ++r) {
      const std::string reason =
          r < 12 ? rules_test::Reason_Name(static_cast<rules_test::Reason>(r))
                 : "<any unnamed value>";
      if (gaps[i].inputs[0].second != "<any>" &&
          gaps[i].inputs[0].second != reason) {
        continue;
      }
      for (int c = 0; c < 7; ++c) {
        const std::string condition =
            c < 6 ? rules_test::Condition_Name(
                        static_cast<rules_test::Condition>(c))
                  : "<any unnamed value>";
        if (gaps[i].inputs[1].second != "<any>" &&
            gaps[i].inputs[1].second != condition) {
          continue;
        }
        union_of_listed.insert({reason, condition});
      }
    }
  }
  EXPECT_TRUE(gaps[3].inputs.empty());
  EXPECT_THAT(gaps[3].message,
              HasSubstr(absl::StrCat("90 uncovered combinations in all (the 3 "
                                     "listed stand for ",
                                     union_of_listed.size(), ")")));
  // More combinations than max_gap_combinations: skipped, with a finding.
  AnalysisOptions small;
  small.max_gap_combinations = 10;
  std::vector<RuleFinding> findings = AnalyseRuleSet(*rules, small);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, RuleFinding::kSkipped);
  // A work budget of 1 stops the searches, with a finding.
  AnalysisOptions broke;
  broke.max_work = 1;
  bool skipped = false;
  for (const RuleFinding& f : AnalyseRuleSet(*rules, broke)) {
    skipped |= f.kind == RuleFinding::kSkipped;
  }
  EXPECT_TRUE(skipped);
}

// ---------------------------------------------------------------------------
// Randomized cross-check against a reference evaluator written from the
// spec: straightforward loops over rows and cells.

enum class Kind { kEnum, kString, kInt, kBool };

struct InputSpec {
  const char* path;
  Kind kind;
  bool has_presence;  // Can be missing.
  __int128 min, max;  // Integer fields: the field type's range.
  int enum_values;    // Enum fields: named values 0..n-1.
};

constexpr __int128 kI64Min = std::numeric_limits<int64_t>::min();
constexpr __int128 kI64Max = std::numeric_limits<int64_t>::max();
constexpr __int128 kU64Max = std::numeric_limits<uint64_t>::max();

const std::vector<InputSpec>& Inputs() {
  static const auto* inputs = new std::vector<InputSpec>{
      {"reason", Kind::kEnum, false, 0, 0, 12},
      {"condition", Kind::kEnum, false, 0, 0, 6},
      {"location", Kind::kString, false, 0, 0, 0},
      {"sku", Kind::kString, false, 0, 0, 0},
      {"days_since_order", Kind::kInt, false, kI64Min, kI64Max, 0},
      {"order.total_minor", Kind::kInt, true, kI64Min, kI64Max, 0},
      {"order.country", Kind::kString, true, 0, 0, 0},
      {"restockable", Kind::kBool, true, 0, 1, 0},
      {"u32", Kind::kInt, false, 0, 4294967295, 0},
      {"u64", Kind::kInt, false, 0, kU64Max, 0},
      {"i32", Kind::kInt, false, std::numeric_limits<int32_t>::min(),
       std::numeric_limits<int32_t>::max(), 0},
  };
  return *inputs;
}

std::vector<__int128> IntPool(const std::string& path) {
  if (path == "days_since_order") {
    return {kI64Min, -129,
            -128,    -10,
            -1,      0,
            1,       14,
            15,      29,
            30,      31,
            63,      64,
            100,     255,
            256,     1023,
            1024,    65535,
            65536,   int64_t{1} << 32,
            kI64Max};
  }
  if (path == "order.total_minor") return {-500, -1, 0, 4999, 5000, 5001};
  if (path == "u32") return {0, 1, 7, 4294967294, 4294967295};
  if (path == "u64") {
    return {0, 1, kI64Max, kI64Max + 1, kU64Max - 1, kU64Max};
  }
  return {std::numeric_limits<int32_t>::min(), -65537, -1, 0, 1, 64, 4096,
          std::numeric_limits<int32_t>::max()};  // i32
}

const std::vector<std::string>& StringPool() {
  static const auto* pool =
      new std::vector<std::string>{"",
                                   "LEEDS",
                                   "leeds",
                                   "YORK",
                                   "Café",
                                   "A.B",
                                   "AxB",
                                   "GB",
                                   "SHOE-RED-42",
                                   "GIFT-12",
                                   "XGIFT-12",
                                   "GIFT-12X",
                                   "red",
                                   "a\\b",
                                   "x'y",
                                   "Ünï ✓",
                                   "A",
                                   "AB",
                                   "AAB",
                                   "ABBB",
                                   "AC",
                                   "b",
                                   "ba",
                                   "^A",
                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ-1",
                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ-2",
                                   std::string("A\0B", 3),
                                   std::string("A\0C", 3),
                                   "A\nB"};
  return *pool;
}

// Patterns on which RE2 and std::regex (ECMAScript) agree, as raw patterns.
const std::vector<std::string>& RegexPool() {
  static const auto* pool = new std::vector<std::string>{
      "RED", "^GIFT-", "-42$", "^GIFT-[0-9]+$", "A\\.B", "A.B", "é", "^$",
      "^[A-Z]+$", "E", "[0-9]", "^(LEEDS|YORK)$", "\\\\", "'", "✓",
      // Anchored patterns that only look like literal prefixes.
      "^A|b", "^AB*", "^AB?C", "^A{2}", "^A+B", "^A\\.B", "^\\^A", "^A.",
      "^AB$", "^ABCDEFGHIJKLMNOPQRSTUVWXYZ-", "^A[^B]", "^(A|B)B", "^", "$",
      "^AB|^b", "^A\\x00B", "^Caf", "B$"};
  return *pool;
}

std::string Str128(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u = neg ? -(unsigned __int128)v : (unsigned __int128)v;
  std::string s;
  while (u > 0) {
    s.push_back(char('0' + int(u % 10)));
    u /= 10;
  }
  if (neg) s.push_back('-');
  std::reverse(s.begin(), s.end());
  return s;
}

// A text-format string literal.
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppend(&out, "\\", (c >> 6) & 7, (c >> 3) & 7, c & 7);
      continue;
    }
    if (c == '\\' || c == '"') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

struct RefValue {
  bool present = false;
  __int128 i = 0;  // Integers, enum numbers, bools.
  std::string s;
};

RefValue Read(const ReturnFact& f, const std::string& path) {
  RefValue v;
  v.present = true;
  if (path == "reason") v.i = f.reason();
  if (path == "condition") v.i = f.condition();
  if (path == "location") v.s = f.location();
  if (path == "sku") v.s = f.sku();
  if (path == "days_since_order") v.i = f.days_since_order();
  if (path == "order.total_minor") {
    v.present = f.has_order() && f.order().has_total_minor();
    v.i = f.order().total_minor();
  }
  if (path == "order.country") {
    v.present = f.has_order();
    v.s = f.order().country();
  }
  if (path == "restockable") {
    v.present = f.has_restockable();
    v.i = f.restockable();
  }
  if (path == "u32") v.i = f.u32();
  if (path == "u64") v.i = f.u64();
  if (path == "i32") v.i = f.i32();
  return v;
}

struct RefCell {
  enum K {
    kAny,
    kEquals,
    kOneOf,
    kNotOneOf,
    kRegex,
    kRange,
    kMissing,
    kPresent
  };
  K k = kAny;
  std::vector<RefValue> values;
  std::string pattern;
  std::regex re;
  __int128 lo = 0, hi = 0;  // Inclusive, within the field.
  std::string text;         // As written in the table.
};

bool Fits(const RefCell& c, const RefValue& v, Kind kind) {
  auto same = [&](const RefValue& a) {
    return kind == Kind::kString ? a.s == v.s : a.i == v.i;
  };
  switch (c.k) {
    case RefCell::kAny:
      return true;
    case RefCell::kMissing:
      return !v.present;
    case RefCell::kPresent:
      return v.present;
    case RefCell::kEquals:
    case RefCell::kOneOf:
      return v.present && std::any_of(c.values.begin(), c.values.end(), same);
    case RefCell::kNotOneOf:
      return v.present && std::none_of(c.values.begin(), c.values.end(), same);
    case RefCell::kRegex:
      return v.present && std::regex_search(v.s, c.re);
    case RefCell::kRange:
      return v.present && c.lo <= v.i && v.i <= c.hi;
  }
  return false;
}

std::string ValueText(const InputSpec& in, const RefValue& v) {
  switch (in.kind) {
    case Kind::kEnum:
      return absl::StrCat(
          "enum_value: '",
          in.enum_values == 12
              ? rules_test::Reason_Name(static_cast<rules_test::Reason>(v.i))
              : rules_test::Condition_Name(
                    static_cast<rules_test::Condition>(v.i)),
          "'");
    case Kind::kString:
      return "string_value: " + Quote(v.s);
    case Kind::kInt:
      return "int_value: " + Str128(v.i);
    case Kind::kBool:
      return v.i ? "bool_value: true" : "bool_value: false";
  }
  return "";
}

RefValue RandomValue(const InputSpec& in, std::mt19937_64& rng,
                     bool for_int_value) {
  RefValue v;
  v.present = true;
  switch (in.kind) {
    case Kind::kEnum:
      v.i = int(rng() % in.enum_values);
      break;
    case Kind::kString:
      v.s = StringPool()[rng() % StringPool().size()];
      break;
    case Kind::kBool:
      v.i = rng() % 2;
      break;
    case Kind::kInt: {
      std::vector<__int128> pool = IntPool(in.path);
      do {
        v.i = pool[rng() % pool.size()];
      } while (for_int_value && v.i > kI64Max);  // int_value is an int64.
      break;
    }
  }
  return v;
}

// A range bound: an integer, or an integer and a half; or nothing.
struct Bound {
  bool open = true;
  __int128 k = 0;  // floor of the bound
  bool half = false;
  bool inclusive = false;
  std::string Text() const {
    if (!half) return Str128(k);
    if (k >= 0) return Str128(k) + ".5";
    return "-" + Str128(-(k + 1)) + ".5";  // k + 0.5 with k < 0.
  }
};

Bound RandomBound(const InputSpec& in, std::mt19937_64& rng) {
  Bound b;
  if (rng() % 4 == 0) return b;
  b.open = false;
  std::vector<__int128> pool = IntPool(in.path);
  b.k = pool[rng() % pool.size()] + int(rng() % 3) - 1;
  b.half = rng() % 5 == 0;
  b.inclusive = rng() % 2 == 0;
  return b;
}

RefCell RandomCell(const InputSpec& in, std::mt19937_64& rng) {
  RefCell c;
  const int r = int(rng() % 100);
  auto values = [&](int n, bool for_int_value) {
    for (int i = 0; i < n; ++i) {
      c.values.push_back(RandomValue(in, rng, for_int_value));
    }
  };
  auto list = [&](const char* kind) {
    std::string t = absl::StrCat("cells { ", kind, " {");
    for (const RefValue& v : c.values) {
      absl::StrAppend(&t, " values { ", ValueText(in, v), " }");
    }
    return t + " } }";
  };
  if (r < 45) {
    c.k = RefCell::kAny;
    c.text = "cells { any {} }";
  } else if (in.has_presence && r < 50) {
    c.k = RefCell::kMissing;
    c.text = "cells { is_missing {} }";
  } else if (r < 53) {
    c.k = RefCell::kPresent;
    c.text = "cells { is_present {} }";
  } else if (in.kind == Kind::kString && r < 75 &&
             (in.path == std::string("sku") || r < 62)) {
    c.k = RefCell::kRegex;
    c.pattern = RegexPool()[rng() % RegexPool().size()];
    c.re = std::regex(c.pattern);
    c.text = "cells { regex: " + Quote(c.pattern) + " }";
  } else if (in.kind == Kind::kInt && r < 75) {
    for (int attempt = 0; attempt < 50; ++attempt) {
      Bound lo = RandomBound(in, rng), hi = RandomBound(in, rng);
      __int128 l = in.min, h = in.max;
      if (!lo.open) {
        l = lo.half ? lo.k + 1 : (lo.inclusive ? lo.k : lo.k + 1);
      }
      if (!hi.open) {
        h = hi.half ? hi.k : (hi.inclusive ? hi.k : hi.k - 1);
      }
      l = std::max(l, in.min);
      h = std::min(h, in.max);
      if (l > h) continue;  // Holds no value of the field: an error.
      c.k = RefCell::kRange;
      c.lo = l;
      c.hi = h;
      c.text = "cells { range {";
      if (!lo.open) {
        absl::StrAppend(&c.text, " low: '", lo.Text(), "'",
                        lo.inclusive ? " low_inclusive: true" : "");
      }
      if (!hi.open) {
        absl::StrAppend(&c.text, " high: '", hi.Text(), "'",
                        hi.inclusive ? " high_inclusive: true" : "");
      }
      c.text += " } }";
      return c;
    }
    c.k = RefCell::kAny;
    c.text = "cells { any {} }";
  } else if (r < 82) {
    c.k = RefCell::kEquals;
    values(1, true);
    c.text =
        absl::StrCat("cells { equals { ", ValueText(in, c.values[0]), " } }");
  } else if (r < 92) {
    c.k = RefCell::kOneOf;
    values(1 + int(rng() % 3), true);
    c.text = list("one_of");
  } else {
    c.k = RefCell::kNotOneOf;
    values(1 + int(rng() % 2), true);
    c.text = list("not_one_of");
  }
  return c;
}

ReturnFact RandomFact(std::mt19937_64& rng) {
  ReturnFact f;
  auto pick = [&](const char* path) {
    std::vector<__int128> pool = IntPool(path);
    return pool[rng() % pool.size()];
  };
  const auto& strings = StringPool();
  f.set_reason(rng() % 20 == 0 ? static_cast<rules_test::Reason>(99)
                               : static_cast<rules_test::Reason>(rng() % 12));
  f.set_condition(rng() % 20 == 0
                      ? static_cast<rules_test::Condition>(-3)
                      : static_cast<rules_test::Condition>(rng() % 6));
  f.set_location(strings[rng() % strings.size()]);
  f.set_sku(strings[rng() % strings.size()]);
  f.set_days_since_order(int64_t(pick("days_since_order")));
  if (rng() % 4 != 0) {
    rules_test::Order* order = f.mutable_order();
    order->set_country(strings[rng() % strings.size()]);
    if (rng() % 3 != 0)
      order->set_total_minor(int64_t(pick("order.total_minor")));
  }
  if (rng() % 3 != 0) f.set_restockable(rng() % 2 == 0);
  f.set_u32(uint32_t(pick("u32")));
  f.set_u64(uint64_t(pick("u64")));
  f.set_i32(int32_t(pick("i32")));
  return f;
}

enum class Policy { kFirst, kUnique, kPriorityOrder, kPriorityRow, kCollect };

struct RefTable {
  Policy policy = Policy::kFirst;
  std::vector<int> inputs;  // Indexes into Inputs().
  struct RefRow {
    std::string id;
    std::vector<RefCell> cells;
    std::string out;
    int priority = 0;
  };
  std::vector<RefRow> rows;
  bool has_default = false;
  std::string default_out;
  std::string text;
};

const std::vector<std::string> kPriorityOrder = {"Q", "D", "S", "P"};

RefTable RandomTable(std::mt19937_64& rng, int max_rows, bool sparse) {
  RefTable t;
  t.policy = static_cast<Policy>(rng() % 5);
  std::vector<int> all(Inputs().size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = int(i);
  std::shuffle(all.begin(), all.end(), rng);
  t.inputs.assign(all.begin(), all.begin() + (sparse ? 4 : 1) + rng() % 6);
  const int rows = 1 + int(rng() % max_rows);
  // UNIQUE tables of many random rows would mostly be errors: keep them
  // narrower by using fewer "any" cells (below, by redrawing).
  for (int r = 0; r < rows; ++r) {
    RefTable::RefRow row;
    row.id = absl::StrCat("R", r + 1);
    for (int in : t.inputs) {
      RefCell c = RandomCell(Inputs()[in], rng);
      if ((t.policy == Policy::kUnique || sparse) && c.k == RefCell::kAny &&
          rng() % (sparse ? 8 : 2) != 0) {
        c = RandomCell(Inputs()[in], rng);
      }
      row.cells.push_back(std::move(c));
    }
    row.out = t.policy == Policy::kPriorityOrder
                  ? kPriorityOrder[rng() % kPriorityOrder.size()]
                  : absl::StrCat("o", rng() % 7);
    row.priority = int(rng() % 5) - 2;
    t.rows.push_back(std::move(row));
  }
  if (rng() % 4 == 0) {  // A catch-all last row.
    RefTable::RefRow row;
    row.id = "CATCH";
    for (size_t i = 0; i < t.inputs.size(); ++i) {
      row.cells.emplace_back();
      row.cells.back().text = "cells { any {} }";
    }
    row.out = t.policy == Policy::kPriorityOrder ? "P" : "catch";
    t.rows.push_back(std::move(row));
  }
  t.has_default = rng() % 2 == 0;
  t.default_out = t.policy == Policy::kPriorityOrder ? "S" : "dflt";

  const char* policy = t.policy == Policy::kFirst     ? "FIRST"
                       : t.policy == Policy::kUnique  ? "UNIQUE"
                       : t.policy == Policy::kCollect ? "COLLECT"
                                                      : "PRIORITY";
  t.text = absl::StrCat(
      "id: 'rand' version: '1'\ndecisions {\n  name: 'd' fact_type: "
      "'retcon.rules_test.ReturnFact'\n  hit_policy: ",
      policy, "\n");
  for (int in : t.inputs) {
    absl::StrAppend(&t.text, "  inputs: '", Inputs()[in].path, "'\n");
  }
  t.text += "  outputs { name: 'out' type: STRING";
  if (t.policy == Policy::kPriorityOrder) {
    for (const std::string& v : kPriorityOrder) {
      absl::StrAppend(&t.text, " priority_order { string_value: '", v, "' }");
    }
  }
  t.text += " }\n";
  for (const RefTable::RefRow& row : t.rows) {
    absl::StrAppend(&t.text, "  rows { id: '", row.id, "'");
    for (const RefCell& c : row.cells) absl::StrAppend(&t.text, " ", c.text);
    absl::StrAppend(&t.text, " outputs { string_value: '", row.out, "' }");
    if (t.policy == Policy::kPriorityRow) {
      absl::StrAppend(&t.text, " priority: ", row.priority);
    }
    t.text += " }\n";
  }
  if (t.has_default) {
    absl::StrAppend(&t.text, "  default_outputs { string_value: '",
                    t.default_out, "' }\n");
  }
  t.text += "}\n";
  return t;
}

// The reference result: "ERR" + both ids for UNIQUE, else the hit row indexes
// and the first output ("" for no match).
struct RefResult {
  bool unique_error = false;
  std::vector<int> matches;  // Every matching row.
  std::vector<int> hits;
  bool used_default = false;
  std::string out;
};

RefResult Evaluate(const RefTable& t, const ReturnFact& fact) {
  std::vector<RefValue> values;
  for (int in : t.inputs) values.push_back(Read(fact, Inputs()[in].path));
  RefResult r;
  for (size_t row = 0; row < t.rows.size(); ++row) {
    bool fits = true;
    for (size_t c = 0; c < t.inputs.size() && fits; ++c) {
      fits = Fits(t.rows[row].cells[c], values[c], Inputs()[t.inputs[c]].kind);
    }
    if (fits) r.matches.push_back(int(row));
  }
  if (r.matches.empty()) {
    r.used_default = t.has_default;
    if (t.has_default) r.out = t.default_out;
    return r;
  }
  switch (t.policy) {
    case Policy::kFirst:
      r.hits = {r.matches[0]};
      break;
    case Policy::kUnique:
      if (r.matches.size() > 1) {
        r.unique_error = true;
        return r;
      }
      r.hits = {r.matches[0]};
      break;
    case Policy::kPriorityOrder: {
      auto rank = [&](int row) {
        return std::find(kPriorityOrder.begin(), kPriorityOrder.end(),
                         t.rows[row].out) -
               kPriorityOrder.begin();
      };
      int best = r.matches[0];
      for (int m : r.matches) {
        if (rank(m) < rank(best)) best = m;  // Ties: the earlier row.
      }
      r.hits = {best};
      break;
    }
    case Policy::kPriorityRow: {
      int best = r.matches[0];
      for (int m : r.matches) {
        if (t.rows[m].priority > t.rows[best].priority) best = m;
      }
      r.hits = {best};
      break;
    }
    case Policy::kCollect:
      r.hits = r.matches;
      break;
  }
  r.out = t.rows[r.hits[0]].out;
  return r;
}

// Accessors for the top-level fields of ReturnFact that field_accessors.h
// supports (not the uint64).
const FieldAccessors& Accessors() {
  static const FieldAccessors* accessors = [] {
    using F = ReturnFact;
    auto* a = new FieldAccessors(FieldAccessors::For<F>());
    for (const absl::Status& s :
         {a->Add<&F::reason>(F::kReasonFieldNumber),
          a->Add<&F::condition>(F::kConditionFieldNumber),
          a->Add<&F::location>(F::kLocationFieldNumber),
          a->Add<&F::sku>(F::kSkuFieldNumber),
          a->Add<&F::days_since_order>(F::kDaysSinceOrderFieldNumber),
          a->Add<&F::restockable, &F::has_restockable>(
              F::kRestockableFieldNumber),
          a->Add<&F::u32>(F::kU32FieldNumber),
          a->Add<&F::i32>(F::kI32FieldNumber)}) {
      EXPECT_TRUE(s.ok()) << s;
    }
    return a;
  }();
  return *accessors;
}

// Compares the library with the reference on one fact; "" when they agree.
std::string Compare(const RefTable& t, const CompiledRuleSet& rules,
                    const ReturnFact& fact) {
  const RefResult want = Evaluate(t, fact);
  absl::StatusOr<DecisionResult> got = rules.Evaluate("d", fact);
  if (want.unique_error) {
    if (got.status().code() != absl::StatusCode::kFailedPrecondition) {
      return absl::StrCat("want a UNIQUE error, got ", got.status().ToString());
    }
    const std::string message(got.status().message());
    const std::string first = "'" + t.rows[want.matches[0]].id + "'";
    bool other = false;
    for (size_t i = 1; i < want.matches.size(); ++i) {
      other |= message.find("'" + t.rows[want.matches[i]].id + "'") !=
               std::string::npos;
    }
    if (message.find(first) == std::string::npos || !other) {
      return "UNIQUE error names other rows: " + message;
    }
    std::vector<DecisionResult> each(1);
    const int index = 0;
    if (rules
            .EvaluateEach(absl::MakeConstSpan(&index, 1), fact, Accessors(),
                          absl::MakeSpan(each))
            .code() != absl::StatusCode::kFailedPrecondition) {
      return "EvaluateEach with accessors: no UNIQUE error";
    }
    return "";
  }
  if (!got.ok()) return "unexpected error: " + got.status().ToString();
  std::vector<int> hits;
  for (const RuleHit& h : got->hits) hits.push_back(h.row_index);
  std::string got_out = got->matched() && !got->outputs().empty()
                            ? got->outputs()[0].string_value()
                            : "";
  if (hits != want.hits || got->used_default != want.used_default ||
      got_out != want.out) {
    std::string w, g;
    for (int h : want.hits) absl::StrAppend(&w, t.rows[h].id, " ");
    for (int h : hits) absl::StrAppend(&g, t.rows[h].id, " ");
    return absl::StrCat("want hits [", w, "] out '", want.out, "' default ",
                        want.used_default, "; got hits [", g, "] out '",
                        got_out, "' default ", got->used_default);
  }
  // Through generated accessors (field_accessors.h): the same result.
  std::vector<DecisionResult> each(1);
  const int index = 0;
  absl::Status each_status = rules.EvaluateEach(
      absl::MakeConstSpan(&index, 1), fact, Accessors(), absl::MakeSpan(each));
  std::vector<int> each_hits;
  for (const RuleHit& h : each[0].hits) each_hits.push_back(h.row_index);
  if (!each_status.ok() || each_hits != hits ||
      each[0].used_default != got->used_default) {
    return "EvaluateEach with accessors: another result " +
           each_status.ToString();
  }
  // By index, with a trace: the same result, and the trace lists every
  // fitting row top to bottom and the winner (none for COLLECT).
  EvaluationTrace trace;
  absl::StatusOr<DecisionResult> traced = rules.Evaluate(0, fact, &trace);
  if (!traced.ok() || traced->hits.size() != got->hits.size() ||
      traced->used_default != got->used_default) {
    return "by index with a trace: another result";
  }
  std::vector<std::string> want_ids;
  for (int m : want.matches) want_ids.push_back(t.rows[m].id);
  const std::string want_winner =
      want.hits.empty() || t.policy == Policy::kCollect
          ? ""
          : t.rows[want.hits[0]].id;
  if (trace.matched_row_ids != want_ids || trace.winner != want_winner) {
    return absl::StrCat("trace: matched [",
                        absl::StrJoin(trace.matched_row_ids, " "), "] winner '",
                        trace.winner, "'; want [", absl::StrJoin(want_ids, " "),
                        "] winner '", want_winner, "'");
  }
  return "";
}

// How often the random facts reached each kind of outcome (a check on the
// generator: every kind must occur).
struct Stats {
  int64_t no_match = 0, defaults = 0, single = 0, several = 0,
          unique_errors = 0;
};

void Count(const RefTable& t, const ReturnFact& fact, Stats& stats) {
  const RefResult r = Evaluate(t, fact);
  if (r.unique_error) ++stats.unique_errors;
  if (r.matches.empty()) ++(r.used_default ? stats.defaults : stats.no_match);
  if (r.matches.size() == 1) ++stats.single;
  if (r.matches.size() > 1) ++stats.several;
}

int64_t& GapsChecked() {
  static int64_t n = 0;
  return n;
}

// A fact holding the values of gap finding `f`; nullopt when a value is not
// one this test can read ("<any>" keeps the field's default).
std::optional<ReturnFact> FactOfGap(const RuleFinding& f) {
  ReturnFact fact;
  for (const auto& [path, value] : f.inputs) {
    if (value == "<any>") continue;
    if (value == "<missing>") {
      if (path == "order.total_minor" && fact.has_order()) {
        fact.mutable_order()->clear_total_minor();
      } else if (path == "order.country" || path == "order") {
        if (fact.has_order()) return std::nullopt;  // Order already needed.
      } else if (path == "restockable") {
        fact.clear_restockable();
      } else {
        return std::nullopt;
      }
      continue;
    }
    int64_t i = 0;
    uint64_t u = 0;
    if (path == "reason" || path == "condition") {
      int number = 99;
      if (value != "<any unnamed value>") {
        const google::protobuf::EnumDescriptor* e =
            path == "reason" ? rules_test::Reason_descriptor()
                             : rules_test::Condition_descriptor();
        const google::protobuf::EnumValueDescriptor* v =
            e->FindValueByName(value);
        if (v == nullptr) return std::nullopt;
        number = v->number();
      }
      if (path == "reason") {
        fact.set_reason(static_cast<rules_test::Reason>(number));
      } else {
        fact.set_condition(static_cast<rules_test::Condition>(number));
      }
    } else if (path == "restockable" && (value == "true" || value == "false")) {
      fact.set_restockable(value == "true");
    } else if (path == "u64" && absl::SimpleAtoi(value, &u)) {
      fact.set_u64(u);
    } else if (absl::SimpleAtoi(value, &i) &&
               (path == "days_since_order" || path == "order.total_minor" ||
                path == "u32" || path == "i32")) {
      if (path == "days_since_order") fact.set_days_since_order(i);
      if (path == "order.total_minor") {
        // A missing country needs no order: contradiction.
        fact.mutable_order()->set_total_minor(i);
      }
      if (path == "u32") fact.set_u32(uint32_t(i));
      if (path == "i32") fact.set_i32(int32_t(i));
    } else if (value.size() >= 2 && value.front() == '"' &&
               value.back() == '"' && value.find('\\') == std::string::npos) {
      const std::string text = value.substr(1, value.size() - 2);
      if (path == "location") fact.set_location(text);
      if (path == "sku") fact.set_sku(text);
      if (path == "order.country") fact.mutable_order()->set_country(text);
    } else {
      return std::nullopt;
    }
  }
  // A missing country (no order) together with a present total cannot be
  // one fact: skip such findings rather than guess.
  for (const auto& [path, value] : f.inputs) {
    if ((path == "order.country" || path == "order") && value == "<missing>" &&
        fact.has_order()) {
      return std::nullopt;
    }
  }
  return fact;
}

// Soundness of the static analysis against the reference, on the facts the
// random check evaluated: a row reported shadowed never wins under FIRST;
// under UNIQUE every pair of rows that both fit a fact is a reported
// overlap; with no gap reported (tables without regexes and defaults),
// every fact fits some row.
std::string CheckAnalysis(const RefTable& t, const CompiledRuleSet& rules,
                          const std::vector<ReturnFact>& facts) {
  std::set<std::string> shadowed;
  std::set<std::pair<std::string, std::string>> overlaps;
  bool overlaps_truncated = false, gaps = false, skipped = false;
  for (const RuleFinding& f : AnalyseRuleSet(rules)) {
    switch (f.kind) {
      case RuleFinding::kShadowedRow:
        shadowed.insert(f.row_ids.at(0));
        break;
      case RuleFinding::kOverlap:
        if (f.row_ids.size() == 2) {
          overlaps.insert({f.row_ids[0], f.row_ids[1]});
        } else {
          overlaps_truncated = true;
        }
        break;
      case RuleFinding::kGap:
        gaps = true;
        break;
      case RuleFinding::kSkipped:
        skipped = true;
        break;
      case RuleFinding::kUnreachableOutput:
        break;
    }
  }
  if (skipped) return "";
  // Every gap reported must be a fact no row fits (built from the finding's
  // values; findings with a value this test cannot read are skipped).
  for (const RuleFinding& f : AnalyseRuleSet(rules)) {
    if (f.kind != RuleFinding::kGap || f.inputs.empty()) continue;
    // Regexes are tested on the table's own values only (rules_analysis.h):
    // "<any>" over a column with a regex may leave out a text a regex fits
    // (the empty text and '^$', say). Such findings are not checked.
    bool any_over_regex = false;
    for (size_t c = 0; c < t.inputs.size(); ++c) {
      // An input the finding leaves out stands for any value, as "<any>".
      bool any = true;
      for (const auto& [path, value] : f.inputs) {
        if (path == Inputs()[t.inputs[c]].path) any = value == "<any>";
      }
      for (const auto& row : t.rows) {
        any_over_regex |= any && row.cells[c].k == RefCell::kRegex;
      }
    }
    if (any_over_regex) continue;
    std::optional<ReturnFact> fact = FactOfGap(f);
    if (!fact.has_value()) continue;
    ++GapsChecked();
    const RefResult r = Evaluate(t, *fact);
    if (!r.matches.empty()) {
      return absl::StrCat("gap '", f.message, "' is fitted by row '",
                          t.rows[r.matches[0]].id,
                          "': ", fact->ShortDebugString());
    }
  }
  bool has_regex = false;
  for (const auto& row : t.rows) {
    for (const RefCell& c : row.cells) has_regex |= c.k == RefCell::kRegex;
  }
  for (const ReturnFact& fact : facts) {
    const RefResult r = Evaluate(t, fact);
    if (t.policy == Policy::kFirst && !r.hits.empty() &&
        shadowed.count(t.rows[r.hits[0]].id)) {
      return absl::StrCat("row '", t.rows[r.hits[0]].id,
                          "' reported shadowed wins for ",
                          fact.ShortDebugString());
    }
    if (t.policy == Policy::kUnique && !overlaps_truncated) {
      for (size_t i = 0; i < r.matches.size(); ++i) {
        for (size_t j = i + 1; j < r.matches.size(); ++j) {
          const auto pair =
              std::make_pair(t.rows[r.matches[i]].id, t.rows[r.matches[j]].id);
          if (!overlaps.count(pair)) {
            return absl::StrCat("rows '", pair.first, "' and '", pair.second,
                                "' both fit ", fact.ShortDebugString(),
                                " but no overlap is reported");
          }
        }
      }
    }
    if (!gaps && !has_regex && !t.has_default && r.matches.empty()) {
      return "no gap reported, but no row fits " + fact.ShortDebugString();
    }
  }
  return "";
}

void CrossCheck(uint64_t seed, int tables, int max_rows, int facts_per_table,
                bool also_json, bool sparse) {
  int failures = 0;
  Stats stats;
  for (int n = 0; n < tables && failures < 3; ++n) {
    const uint64_t table_seed = seed * 1000003 + n;
    SCOPED_TRACE(absl::StrCat("seed ", seed, " table ", n, " (table seed ",
                              table_seed, ")"));
    std::mt19937_64 rng(table_seed);
    RefTable table = RandomTable(rng, max_rows, sparse);
    auto compiled = Compile(table.text);
    if (!compiled.ok()) {
      ADD_FAILURE() << compiled.status() << "\n" << table.text;
      ++failures;
      continue;
    }
    std::unique_ptr<const CompiledRuleSet> from_json;
    if (also_json) {
      v1::RuleSet rs = (*compiled)->rule_set();
      std::string json;
      ASSERT_TRUE(google::protobuf::util::MessageToJsonString(rs, &json).ok());
      absl::StatusOr<ParsedRuleSet> parsed = ParseRuleSetJson(json, "r.json");
      ASSERT_TRUE(parsed.ok()) << parsed.status();
      auto c = CompileRuleSet(*parsed, {});
      ASSERT_TRUE(c.ok()) << c.status();
      from_json = *std::move(c);
    }
    std::vector<ReturnFact> facts;
    for (int i = 0; i < facts_per_table && failures < 3; ++i) {
      const ReturnFact& fact = facts.emplace_back(RandomFact(rng));
      Count(table, fact, stats);
      std::string diff = Compare(table, **compiled, fact);
      if (diff.empty() && from_json != nullptr) {
        diff = Compare(table, *from_json, fact);
        if (!diff.empty()) diff = "(JSON) " + diff;
      }
      if (!diff.empty()) {
        ++failures;
        ADD_FAILURE() << diff << "\nfact: " << fact.ShortDebugString()
                      << "\ntable:\n"
                      << table.text;
      }
    }
    const std::string analysis = CheckAnalysis(table, **compiled, facts);
    if (!analysis.empty()) {
      ++failures;
      ADD_FAILURE() << "analysis: " << analysis << "\ntable:\n" << table.text;
    }
  }
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  EXPECT_GT(stats.several, 0);
  if (max_rows > 100) return;  // Large tables: most facts fit many rows.
  EXPECT_GT(stats.no_match, 0);
  EXPECT_GT(stats.defaults, 0);
  EXPECT_GT(stats.single, 0);
  EXPECT_GT(stats.unique_errors, 0);
}

// Tables of 1 to 12 rows (and sometimes a catch-all), 40 facts each; every
// table is also compiled from its JSON form.
TEST(RulesSpecCrossCheck, RandomSmallTablesAgreeWithTheReference) {
  CrossCheck(/*seed=*/20261129, /*tables=*/150, /*max_rows=*/12,
             /*facts_per_table=*/40, /*also_json=*/true, /*sparse=*/false);
  EXPECT_GT(GapsChecked(), 100);  // Gap findings built into facts.
}

// Tables of up to 400 rows of 4 to 9 inputs with few "any" cells.
TEST(RulesSpecCrossCheck, RandomLargeTablesAgreeWithTheReference) {
  CrossCheck(/*seed=*/4242, /*tables=*/12, /*max_rows=*/400,
             /*facts_per_table=*/250, /*also_json=*/false, /*sparse=*/true);
}

// More seeds on request: RULES_XCHECK_SEEDS=N runs N more seeds of each.
TEST(RulesSpecCrossCheck, RandomExtraSeedsFromTheEnvironment) {
  const char* env = std::getenv("RULES_XCHECK_SEEDS");
  const int seeds = env == nullptr ? 0 : std::atoi(env);
  for (int i = 1; i <= seeds && !HasFailure(); ++i) {
    CrossCheck(/*seed=*/20261129 + 7919 * i, 150, 12, 40, true, false);
    CrossCheck(/*seed=*/4242 + 7919 * i, 12, 400, 250, false, true);
  }
}

// The reference outcome text of what-if (rules_what_if.h): "out=v" per hit
// joined by " | " (COLLECT), the defaults, or "<no match>". Every output
// value of the random tables is a plain word.
std::string RefOutcome(const RefTable& t, const ReturnFact& fact) {
  const RefResult r = Evaluate(t, fact);
  if (r.hits.empty()) {
    return r.used_default ? "out=" + r.out : std::string("<no match>");
  }
  std::vector<std::string> parts;
  for (int h : r.hits) parts.push_back("out=" + t.rows[h].out);
  return absl::StrJoin(parts, " | ");
}

TEST(RulesSpecCrossCheck, RandomWhatIfAgreesWithTheReference) {
  for (int n = 0; n < 60; ++n) {
    const uint64_t seed = 777000 + n;
    SCOPED_TRACE(absl::StrCat("what-if seed ", seed));
    std::mt19937_64 rng(seed);
    auto table = [&] {
      RefTable t;
      do {
        t = RandomTable(rng, 8, false);
      } while (t.policy == Policy::kUnique);  // Errors: not compared here.
      return t;
    };
    const RefTable before = table(), after = table();
    auto b = Compile(before.text), a = Compile(after.text);
    ASSERT_TRUE(b.ok() && a.ok());
    std::vector<ReturnFact> facts;
    for (int i = 0; i < 200; ++i) facts.push_back(RandomFact(rng));
    std::vector<FactRef> batch;
    std::map<std::pair<std::string, std::string>, std::vector<std::string>>
        want;
    for (size_t i = 0; i < facts.size(); ++i) {
      batch.push_back({absl::StrCat("f", i), &facts[i]});
      const std::string old_outcome = RefOutcome(before, facts[i]);
      const std::string new_outcome = RefOutcome(after, facts[i]);
      if (old_outcome != new_outcome) {
        want[{old_outcome, new_outcome}].push_back(batch.back().id);
      }
    }
    absl::StatusOr<WhatIfReport> report =
        CompareRuleSets(**b, **a, "d", batch, /*max_examples=*/2);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->facts, 200);
    int64_t changed = 0;
    for (const auto& [key, ids] : want) changed += int64_t(ids.size());
    EXPECT_EQ(report->changed, changed);
    ASSERT_EQ(report->changes.size(), want.size());
    for (size_t i = 0; i < report->changes.size(); ++i) {
      const OutcomeChange& c = report->changes[i];
      auto it = want.find({c.old_outcome, c.new_outcome});
      ASSERT_NE(it, want.end()) << c.old_outcome << " -> " << c.new_outcome;
      EXPECT_EQ(c.count, int64_t(it->second.size()));
      const std::vector<std::string> first(
          it->second.begin(),
          it->second.begin() + std::min<size_t>(2, it->second.size()));
      EXPECT_EQ(c.example_ids, first);
      if (i > 0) {  // Most frequent first, ties by old, new.
        const OutcomeChange& p = report->changes[i - 1];
        EXPECT_TRUE(
            p.count > c.count ||
            (p.count == c.count && std::tie(p.old_outcome, p.new_outcome) <
                                       std::tie(c.old_outcome, c.new_outcome)));
      }
    }
  }
}

// One compiled rule set evaluated from 8 threads at once gives every fact
// the reference's result (issue 3: "concurrent evaluation from 8 threads on
// one compiled object").
TEST(RulesSpecCrossCheck, EightThreadsAgreeWithTheReference) {
  std::mt19937_64 rng(99);
  RefTable table;
  do {
    table = RandomTable(rng, 300, true);
  } while (table.policy == Policy::kUnique);
  auto rules = Compile(table.text);
  ASSERT_TRUE(rules.ok()) << rules.status();
  std::vector<ReturnFact> facts;
  std::vector<std::vector<int>> want;
  for (int i = 0; i < 2000; ++i) {
    facts.push_back(RandomFact(rng));
    want.push_back(Evaluate(table, facts.back()).hits);
  }
  std::atomic<int> mismatches{0};
  RowCoverage coverage(**rules);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (size_t i = t; i < facts.size() + t; ++i) {
          const size_t k = i % facts.size();
          absl::StatusOr<DecisionResult> r = (*rules)->Evaluate(0, facts[k]);
          std::vector<int> hits;
          if (r.ok()) {
            for (const RuleHit& h : r->hits) hits.push_back(h.row_index);
            if (round == 0) coverage.Record(*r);
          }
          if (!r.ok() || hits != want[k]) ++mismatches;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
  // Each thread recorded every fact once in round 0.
  std::vector<int64_t> counts(table.rows.size(), 0);
  for (const std::vector<int>& hits : want) {
    for (int h : hits) counts[h] += 8;
  }
  for (size_t row = 0; row < table.rows.size(); ++row) {
    EXPECT_EQ(coverage.Count(0, int(row)), counts[row]) << row;
  }
}

}  // namespace
}  // namespace retcon
