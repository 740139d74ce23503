// Evaluation: hit policies, every cell kind, missing values, defaults,
// traces, coverage and concurrent evaluation.
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "retcon/field_accessors.h"
#include "retcon/rules.h"
#include "retcon/v1/return.pb.h"
#include "tests/rules/rules_test_fact.pb.h"
#include "tests/rules/rules_test_util.h"

// Allocations on this thread, counted by the replaced operator new below
// (not inlined, so that the compiler does not pair its malloc with the
// library's deletes).
thread_local int64_t allocations_on_this_thread = 0;

__attribute__((noinline)) void* operator new(std::size_t size) {
  ++allocations_on_this_thread;
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
__attribute__((noinline)) void operator delete(void* p) noexcept {
  std::free(p);
}
__attribute__((noinline)) void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace retcon {
namespace {

using rules_test::MustCompile;
using rules_test::ReturnFact;
using rules_test::Row;
using rules_test::Table;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// The winning output of decision "d", "" for no match, or the error.
std::string Out(const CompiledRuleSet& rules, const ReturnFact& fact) {
  absl::StatusOr<DecisionResult> r = rules.Evaluate("d", fact);
  if (!r.ok()) return std::string(r.status().message());
  if (!r->matched()) return "";
  return r->outputs()[0].string_value();
}

ReturnFact Fact(rules_test::Condition condition, const std::string& sku,
                int64_t days) {
  ReturnFact f;
  f.set_condition(condition);
  f.set_sku(sku);
  f.set_days_since_order(days);
  return f;
}

TEST(EvaluateTest, FirstPicksTheFirstMatchingRow) {
  auto rules = MustCompile(Table(
      "FIRST", "inputs: 'condition'",
      Row("R1", "cells { equals { enum_value: 'BROKEN' } }", "QUARANTINE") +
          Row("R2", "cells { any {} }", "SELLABLE")));
  EXPECT_EQ(Out(*rules, Fact(rules_test::BROKEN, "", 0)), "QUARANTINE");
  EXPECT_EQ(Out(*rules, Fact(rules_test::USED, "", 0)), "SELLABLE");
}

TEST(EvaluateTest, UniqueNamesBothRowsWhenTwoMatch) {
  auto rules = MustCompile(
      Table("UNIQUE", "inputs: 'condition'",
            Row("R1", "cells { equals { enum_value: 'BROKEN' } }", "A") +
                Row("R2",
                    "cells { one_of { values { enum_value: 'BROKEN' } "
                    "values { enum_value: 'USED' } } }",
                    "B")));
  EXPECT_EQ(Out(*rules, Fact(rules_test::USED, "", 0)), "B");
  absl::StatusOr<DecisionResult> r =
      rules->Evaluate("d", Fact(rules_test::BROKEN, "", 0));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("rows 'R1' and 'R2'"));
}

TEST(EvaluateTest, PriorityFollowsTheDeclaredOrderOfOutputValues) {
  auto rules = MustCompile(Table(
      "PRIORITY", "inputs: 'condition' inputs: 'sku'",
      Row("R1", "cells { any {} } cells { any {} }", "SELLABLE") +
          Row("R2", "cells { equals { enum_value: 'USED' } } cells { any {} }",
              "DAMAGED") +
          Row("R3", "cells { any {} } cells { regex: '^X' }", "QUARANTINE") +
          Row("R4", "cells { equals { enum_value: 'USED' } } cells { any {} }",
              "DAMAGED"),
      "priority_order { string_value: 'QUARANTINE' } "
      "priority_order { string_value: 'DAMAGED' } "
      "priority_order { string_value: 'SELLABLE' }"));
  EXPECT_EQ(Out(*rules, Fact(rules_test::NEW_WITH_TAGS, "A1", 0)), "SELLABLE");
  EXPECT_EQ(Out(*rules, Fact(rules_test::USED, "X1", 0)), "QUARANTINE");
  absl::StatusOr<DecisionResult> r =
      rules->Evaluate("d", Fact(rules_test::USED, "A1", 0));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->hits[0].row_id, "R2");  // Tie with R4: the earlier row.
}

TEST(EvaluateTest, PriorityWithoutOrderUsesRowPriority) {
  auto rules = MustCompile(
      Table("PRIORITY", "inputs: 'condition'",
            Row("R1", "cells { any {} }", "LOW", "priority: 1") +
                Row("R2", "cells { any {} }", "HIGH", "priority: 9") +
                Row("R3", "cells { any {} }", "MID", "priority: 5")));
  EXPECT_EQ(Out(*rules, ReturnFact()), "HIGH");
}

// The rank of a row priority is its negation; INT32_MIN must stay lowest.
TEST(EvaluateTest, RowPriorityExtremesKeepTheirOrder) {
  auto rules = MustCompile(Table(
      "PRIORITY", "inputs: 'condition'",
      Row("LOWEST", "cells { any {} }", "LOWEST", "priority: -2147483648") +
          Row("ZERO", "cells { any {} }", "ZERO", "priority: 0") +
          Row("LOWEST_AGAIN", "cells { any {} }", "LOWEST_AGAIN",
              "priority: -2147483648")));
  EXPECT_EQ(Out(*rules, ReturnFact()), "ZERO");
  auto highest = MustCompile(Table(
      "PRIORITY", "inputs: 'condition'",
      Row("ZERO", "cells { any {} }", "ZERO", "priority: 0") +
          Row("MAX", "cells { any {} }", "MAX", "priority: 2147483647") +
          Row("MIN", "cells { any {} }", "MIN", "priority: -2147483648")));
  EXPECT_EQ(Out(*highest, ReturnFact()), "MAX");
}

TEST(EvaluateTest, CollectReturnsEveryMatchInRowOrder) {
  auto rules = MustCompile(
      Table("COLLECT", "inputs: 'sku'",
            Row("R1", "cells { regex: 'RED' }", "a") +
                Row("R2", "cells { regex: '^SHOE' }", "b") +
                Row("R3", "cells { equals { string_value: 'X' } }", "c") +
                Row("R4", "cells { any {} }", "d")));
  ReturnFact f;
  f.set_sku("SHOE-RED-42");
  absl::StatusOr<DecisionResult> r = rules->Evaluate("d", f);
  ASSERT_TRUE(r.ok());
  std::vector<std::string> ids;
  for (const RuleHit& hit : r->hits) ids.emplace_back(hit.row_id);
  EXPECT_THAT(ids, ElementsAre("R1", "R2", "R4"));
}

TEST(EvaluateTest, NotOneOfMatchesOtherPresentValuesOnly) {
  auto rules = MustCompile(
      Table("FIRST", "inputs: 'order.country'",
            Row("R1",
                "cells { not_one_of { values { string_value: 'GB' } "
                "values { string_value: 'IE' } } }",
                "EXPORT")));
  ReturnFact f;
  f.mutable_order()->set_country("FR");
  EXPECT_EQ(Out(*rules, f), "EXPORT");
  f.mutable_order()->set_country("GB");
  EXPECT_EQ(Out(*rules, f), "");
  EXPECT_EQ(Out(*rules, ReturnFact()), "");  // order unset: missing.
}

TEST(EvaluateTest, RegexSearchesUnlessAnchored) {
  auto rules =
      MustCompile(Table("FIRST", "inputs: 'sku'",
                        Row("R1", "cells { regex: '^GIFT-[0-9]+$' }", "GIFT") +
                            Row("R2", "cells { regex: 'RED' }", "RED")));
  ReturnFact f;
  f.set_sku("GIFT-12");
  EXPECT_EQ(Out(*rules, f), "GIFT");
  f.set_sku("GIFT-12-RED");
  EXPECT_EQ(Out(*rules, f), "RED");
  f.set_sku("BLUE");
  EXPECT_EQ(Out(*rules, f), "");
}

TEST(EvaluateTest, RangesHonourOpenAndClosedEndsAndDecimalBounds) {
  auto rules = MustCompile(Table(
      "FIRST", "inputs: 'days_since_order'",
      Row("R1", "cells { range { high: '14' high_inclusive: true } }", "IN14") +
          Row("R2", "cells { range { low: '14' high: '30' } }", "TO30") +
          Row("R3", "cells { range { low: '29.5' high: '40.5' } }", "TO40") +
          Row("R4", "cells { range { low: '40.5' } }", "LATE")));
  auto at = [&](int64_t days) { return Out(*rules, Fact({}, "", days)); };
  EXPECT_EQ(at(-3), "IN14");
  EXPECT_EQ(at(14), "IN14");
  EXPECT_EQ(at(15), "TO30");
  EXPECT_EQ(at(29), "TO30");
  EXPECT_EQ(at(30), "TO40");
  EXPECT_EQ(at(40), "TO40");
  EXPECT_EQ(at(41), "LATE");
}

// uint64 inputs compare as unsigned: 2^63 and 2^64-1 are large, not
// negative.
TEST(EvaluateTest, Uint64InputsCompareAsUnsigned) {
  auto rules = MustCompile(Table(
      "FIRST", "inputs: 'u64'",
      Row("TOP",
          "cells { range { low: '18446744073709551615' low_inclusive: "
          "true } }",
          "TOP") +
          Row("HIGH_HALF",
              "cells { range { low: '9223372036854775808' low_inclusive: "
              "true high: '18446744073709551616' } }",
              "HIGH_HALF") +
          Row("SEVEN",
              "cells { one_of { values { int_value: 7 } "
              "values { int_value: 9223372036854775807 } } }",
              "SEVEN_OR_INT64_MAX") +
          Row("NOT_ZERO", "cells { not_one_of { values { int_value: 0 } } }",
              "NOT_ZERO") +
          Row("REST", "cells { range { low: '0' low_inclusive: true } }",
              "ZERO")));
  auto at = [&](uint64_t x) {
    ReturnFact f;
    f.set_u64(x);
    return Out(*rules, f);
  };
  EXPECT_EQ(at(UINT64_MAX), "TOP");
  EXPECT_EQ(at(UINT64_MAX - 1), "HIGH_HALF");
  EXPECT_EQ(at(uint64_t{1} << 63), "HIGH_HALF");
  EXPECT_EQ(at(INT64_MAX), "SEVEN_OR_INT64_MAX");
  EXPECT_EQ(at(7), "SEVEN_OR_INT64_MAX");
  EXPECT_EQ(at(1), "NOT_ZERO");
  EXPECT_EQ(at(0), "ZERO");
  EvaluationTrace trace;
  ReturnFact f;
  f.set_u64(UINT64_MAX);
  ASSERT_TRUE(rules->Evaluate("d", f, &trace).ok());
  EXPECT_THAT(trace.inputs, ElementsAre(Pair("u64", "18446744073709551615")));
}

TEST(EvaluateTest, NarrowIntegerFieldsUseTheirOwnRange) {
  auto rules = MustCompile(Table(
      "COLLECT", "inputs: 'u32' inputs: 'i32'",
      Row("U32_LOW", "cells { range { high: '10' } } cells { any {} }", "a") +
          Row("U32_TOP",
              "cells { range { low: '4294967294' } } cells { any {} }", "b") +
          Row("I32_NEG",
              "cells { any {} } cells { range { low: '-99999999999' high: "
              "'0' } }",
              "c") +
          Row("I32_MIN",
              "cells { any {} } cells { equals { int_value: -2147483648 } }",
              "d")));
  auto ids = [&](uint32_t u, int32_t i) {
    ReturnFact f;
    f.set_u32(u);
    f.set_i32(i);
    absl::StatusOr<DecisionResult> r = rules->Evaluate("d", f);
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (const RuleHit& hit : r->hits) out.emplace_back(hit.row_id);
    return out;
  };
  EXPECT_THAT(ids(0, INT32_MIN), ElementsAre("U32_LOW", "I32_NEG", "I32_MIN"));
  EXPECT_THAT(ids(UINT32_MAX, 0), ElementsAre("U32_TOP"));
  EXPECT_THAT(ids(4294967294u, -1), ElementsAre("I32_NEG"));
}

TEST(EvaluateTest, MissingValuesMatchOnlyAnyAndIsMissing) {
  auto rules = MustCompile(Table(
      "COLLECT", "inputs: 'order.total_minor'",
      Row("any", "cells { any {} }", "a") +
          Row("missing", "cells { is_missing {} }", "m") +
          Row("present", "cells { is_present {} }", "p") +
          Row("zero", "cells { equals { int_value: 0 } }", "z") +
          Row("not5", "cells { not_one_of { values { int_value: 5 } } }", "n") +
          Row("range", "cells { range { low: '-1' high: '1' } }", "r")));
  auto ids = [&](const ReturnFact& f) {
    std::vector<std::string> out;
    absl::StatusOr<DecisionResult> r = rules->Evaluate("d", f);
    for (const RuleHit& hit : r->hits) {
      out.emplace_back(hit.row_id);
    }
    return out;
  };
  ReturnFact f;
  EXPECT_THAT(ids(f), ElementsAre("any", "missing"));  // order unset
  f.mutable_order();
  EXPECT_THAT(ids(f), ElementsAre("any", "missing"));  // optional unset
  f.mutable_order()->set_total_minor(0);
  EXPECT_THAT(ids(f), ElementsAre("any", "present", "zero", "not5", "range"));
}

TEST(EvaluateTest, PlainProto3ScalarsAreAlwaysPresent) {
  auto rules = MustCompile(
      Table("FIRST", "inputs: 'location'",
            Row("R1", "cells { is_missing {} }", "MISSING") +
                Row("R2", "cells { equals { string_value: '' } }", "EMPTY")));
  EXPECT_EQ(Out(*rules, ReturnFact()), "EMPTY");
}

TEST(EvaluateTest, OptionalBoolAndMessagePresence) {
  auto rules = MustCompile(Table(
      "FIRST", "inputs: 'restockable' inputs: 'order'",
      Row("R1", "cells { equals { bool_value: false } } cells { any {} }",
          "NOT_RESTOCKABLE") +
          Row("R2", "cells { any {} } cells { is_present {} }", "HAS_ORDER")));
  ReturnFact f;
  EXPECT_EQ(Out(*rules, f), "");
  f.mutable_order();
  EXPECT_EQ(Out(*rules, f), "HAS_ORDER");
  f.set_restockable(false);
  EXPECT_EQ(Out(*rules, f), "NOT_RESTOCKABLE");
}

TEST(EvaluateTest, EvaluateEachGivesWhatEvaluateGivesDecisionByDecision) {
  // Two decisions sharing 'sku' and 'condition', each with one input of its
  // own (one nested, one optional), then the first again.
  auto decision = [](const std::string& name, const std::string& inputs,
                     const std::string& rows) {
    return "decisions { name: '" + name +
           "' fact_type: 'retcon.rules_test.ReturnFact' hit_policy: FIRST " +
           inputs + " outputs { name: 'out' type: STRING } " + rows + " }\n";
  };
  auto rules = MustCompile(
      "id: 't' version: '1'\n" +
      decision("a", "inputs: 'sku' inputs: 'condition' inputs: 'order.country'",
               Row("A1",
                   "cells { equals { string_value: 'TEE' } } "
                   "cells { equals { enum_value: 'BROKEN' } } cells { any {} }",
                   "QUARANTINE") +
                   Row("A2",
                       "cells { any {} } cells { any {} } "
                       "cells { equals { string_value: 'GB' } }",
                       "UK")) +
      decision("b", "inputs: 'condition' inputs: 'restockable' inputs: 'sku'",
               Row("B1",
                   "cells { equals { enum_value: 'USED' } } "
                   "cells { equals { bool_value: true } } "
                   "cells { regex: '^TEE' }",
                   "RESELL") +
                   Row("B2",
                       "cells { any {} } cells { is_missing {} } "
                       "cells { any {} }",
                       "UNKNOWN")));
  ASSERT_NE(rules, nullptr);
  const int indexes[] = {0, 1, 0};
  for (int condition : {rules_test::BROKEN, rules_test::USED}) {
    for (const char* sku : {"TEE", "TEE-2", ""}) {
      for (int restockable : {-1, 0, 1}) {
        ReturnFact fact =
            Fact(static_cast<rules_test::Condition>(condition), sku, 3);
        if (restockable >= 0) fact.set_restockable(restockable == 1);
        if (restockable == 1) fact.mutable_order()->set_country("GB");
        DecisionResult results[3];
        ASSERT_TRUE(rules->EvaluateEach(indexes, fact, results).ok());
        for (int i = 0; i < 3; ++i) {
          absl::StatusOr<DecisionResult> one =
              rules->Evaluate(indexes[i], fact);
          ASSERT_TRUE(one.ok());
          ASSERT_EQ(results[i].hits.size(), one->hits.size());
          if (!one->hits.empty()) {
            EXPECT_EQ(results[i].hits[0].row_id, one->hits[0].row_id)
                << "decision " << indexes[i] << " sku '" << sku << "'";
          }
        }
      }
    }
  }
  DecisionResult too_few[1];
  EXPECT_FALSE(rules->EvaluateEach(indexes, ReturnFact(), too_few).ok());
  const int unknown[] = {0, 7};
  DecisionResult two[2];
  EXPECT_FALSE(rules->EvaluateEach(unknown, ReturnFact(), two).ok());
}

TEST(EvaluateTest, DefaultOutputsApplyWhenNoRowMatches) {
  std::string text = Table(
      "FIRST", "inputs: 'condition'",
      Row("R1", "cells { equals { enum_value: 'BROKEN' } }", "QUARANTINE") +
          "default_outputs { string_value: 'SELLABLE' }");
  auto rules = MustCompile(text);
  absl::StatusOr<DecisionResult> r = rules->Evaluate("d", ReturnFact());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->used_default);
  EXPECT_TRUE(r->hits.empty());
  EXPECT_EQ(r->outputs()[0].string_value(), "SELLABLE");
}

TEST(EvaluateTest, NoMatchWithoutDefaultsIsNotAnError) {
  auto rules = MustCompile(
      Table("FIRST", "inputs: 'condition'",
            Row("R1", "cells { equals { enum_value: 'BROKEN' } }", "Q")));
  absl::StatusOr<DecisionResult> r = rules->Evaluate("d", ReturnFact());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->matched());
  EXPECT_TRUE(r->outputs().empty());
}

TEST(EvaluateTest, WrongFactTypeAndUnknownDecisionAreInvalidArgument) {
  auto rules = MustCompile(Table("FIRST", "inputs: 'condition'",
                                 Row("R1", "cells { any {} }", "X")));
  EXPECT_EQ(rules->Evaluate("nope", ReturnFact()).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::Status s = rules->Evaluate("d", v1::ReturnLine()).status();
  EXPECT_THAT(s.message(), HasSubstr("takes a retcon.rules_test.ReturnFact"));
}

TEST(EvaluateTest, TraceRecordsInputsMatchesWinnerAndReason) {
  auto rules = MustCompile(Table(
      "FIRST", "inputs: 'condition' inputs: 'sku' inputs: 'order.country'",
      Row("R1",
          "cells { equals { enum_value: 'BROKEN' } } cells { any {} } "
          "cells { any {} }",
          "Q") +
          Row("R2", "cells { any {} } cells { any {} } cells { any {} }",
              "S")));
  EvaluationTrace trace;
  ASSERT_TRUE(
      rules->Evaluate("d", Fact(rules_test::BROKEN, "A1", 3), &trace).ok());
  EXPECT_EQ(trace.decision, "d");
  EXPECT_THAT(trace.inputs,
              ElementsAre(Pair("condition", "BROKEN"), Pair("sku", "\"A1\""),
                          Pair("order.country", "<missing>")));
  EXPECT_THAT(trace.matched_row_ids, ElementsAre("R1", "R2"));
  EXPECT_EQ(trace.winner, "R1");
  EXPECT_EQ(trace.reason, "first matching row");
}

TEST(EvaluateTest, TraceOfAUniqueErrorListsTheMatchesAndHasNoWinner) {
  auto rules =
      MustCompile(Table("UNIQUE", "inputs: 'sku'",
                        Row("R1", "cells { any {} }", "A") +
                            Row("R2", "cells { regex: 'X' }", "B") +
                            Row("R3", "cells { is_present {} }", "C")));
  EvaluationTrace trace;
  ReturnFact f;
  f.set_sku("X1");
  absl::StatusOr<DecisionResult> r = rules->Evaluate("d", f, &trace);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(trace.matched_row_ids, ElementsAre("R1", "R2", "R3"));
  EXPECT_EQ(trace.winner, "");
  EXPECT_EQ(trace.reason, "UNIQUE: rows 'R1' and 'R2' both match");
}

TEST(EvaluateTest, CoverageReportsRowsThatNeverFired) {
  auto rules = MustCompile(
      Table("FIRST", "inputs: 'condition'",
            Row("R1", "cells { equals { enum_value: 'BROKEN' } }", "Q") +
                Row("R2", "cells { equals { enum_value: 'USED' } }", "D") +
                Row("R3", "cells { any {} }", "S")));
  RowCoverage coverage(*rules);
  for (auto c : {rules_test::BROKEN, rules_test::AS_NEW, rules_test::BROKEN}) {
    coverage.Record(*rules->Evaluate("d", Fact(c, "", 0)));
  }
  EXPECT_EQ(coverage.Count(0, 0), 2);
  EXPECT_EQ(coverage.Count(0, 2), 1);
  ASSERT_EQ(coverage.NeverFired().size(), 1u);
  EXPECT_EQ(coverage.NeverFired()[0].row_id, "R2");
}

TEST(EvaluateTest, CoverageCountsHitsOfOtherRuleSetsAsForeign) {
  const std::string one_row =
      Table("FIRST", "inputs: 'condition'", Row("R1", "cells { any {} }", "A"));
  auto rules = MustCompile(one_row);
  auto bigger = MustCompile(Table("FIRST", "inputs: 'condition'",
                                  Row("R1", "cells { is_missing {} }", "A") +
                                      Row("R2", "cells { any {} }", "B")));
  auto same_text = MustCompile(one_row);
  RowCoverage coverage(*rules);
  coverage.Record(*bigger->Evaluate("d", ReturnFact()));     // Row 1 of 1.
  coverage.Record(*same_text->Evaluate("d", ReturnFact()));  // Other copy.
  DecisionResult made_up;
  made_up.decision_index = 0;
  made_up.hits.push_back(RuleHit{-1, "R0", nullptr});
  coverage.Record(made_up);
  made_up.decision_index = 7;
  coverage.Record(made_up);
  coverage.Record(*rules->Evaluate("d", ReturnFact()));
  EXPECT_EQ(coverage.ForeignHits(), 4);
  EXPECT_EQ(coverage.Count(0, 0), 1);
  EXPECT_EQ(coverage.Count(0, 1), 0);
  EXPECT_EQ(coverage.Count(3, 0), 0);
  EXPECT_TRUE(coverage.NeverFired().empty());
}

TEST(EvaluateTest, EightThreadsShareOneCompiledRuleSet) {
  auto rules = MustCompile(Table(
      "FIRST", "inputs: 'condition' inputs: 'sku' inputs: 'days_since_order'",
      Row("R1",
          "cells { equals { enum_value: 'BROKEN' } } cells { any {} } "
          "cells { any {} }",
          "Q") +
          Row("R2",
              "cells { any {} } cells { regex: 'RED|BLUE' } "
              "cells { range { high: '30' } }",
              "C") +
          // Never wins (days stay under 50), but its regex matches with
          // R2's, so each evaluation unions two regex row sets.
          Row("R2b",
              "cells { any {} } cells { regex: 'SHOE-' } "
              "cells { range { low: '1000' } }",
              "C") +
          Row("R3", "cells { any {} } cells { any {} } cells { any {} }",
              "S")));
  RowCoverage coverage(*rules);
  std::vector<std::thread> threads;
  std::vector<int> failures(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        auto c = i % 3 == 0 ? rules_test::BROKEN : rules_test::USED;
        std::string sku = i % 2 == 0 ? "SHOE-RED" : "SHOE-GREEN";
        std::string want = c == rules_test::BROKEN     ? "Q"
                           : i % 2 == 0 && i % 50 < 30 ? "C"
                                                       : "S";
        ReturnFact f = Fact(c, sku, i % 50);
        absl::StatusOr<DecisionResult> r = rules->Evaluate("d", f);
        if (!r.ok() || r->outputs()[0].string_value() != want) ++failures[t];
        if (r.ok()) coverage.Record(*r);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(failures, ::testing::Each(0));
  EXPECT_EQ(coverage.Count(0, 2), 0);
  EXPECT_EQ(coverage.Count(0, 0) + coverage.Count(0, 1) + coverage.Count(0, 3),
            8 * 2000);
}

TEST(EvaluateTest, JsonRuleSetsEvaluateLikeTextOnes) {
  const char* json = R"({
    "id": "t", "decisions": [{
      "name": "d", "factType": "retcon.rules_test.ReturnFact",
      "inputs": ["condition"], "hitPolicy": "FIRST",
      "outputs": [{"name": "out", "type": "STRING"}],
      "rows": [{"id": "R1", "cells": [{"equals": {"enumValue": "USED"}}],
                "outputs": [{"stringValue": "DAMAGED"}]}]}]})";
  absl::StatusOr<ParsedRuleSet> parsed = ParseRuleSetJson(json, "r.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  auto rules = CompileRuleSet(*parsed, {});
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(Out(**rules, Fact(rules_test::USED, "", 0)), "DAMAGED");
  EXPECT_FALSE(ParseRuleSetJson("{\"nope\": 1}", "r.json").ok());
}

TEST(EvaluateTest, FactTypesFromAnotherPoolUseDynamicMessages) {
  google::protobuf::FileDescriptorProto file;
  ReturnFact::descriptor()->file()->CopyTo(&file);
  google::protobuf::DescriptorPool pool;
  ASSERT_NE(pool.BuildFile(file), nullptr);
  google::protobuf::DynamicMessageFactory factory(&pool);
  const google::protobuf::Descriptor* type =
      pool.FindMessageTypeByName("retcon.rules_test.ReturnFact");
  std::unique_ptr<google::protobuf::Message> fact(
      factory.GetPrototype(type)->New());
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      "condition: BROKEN order { country: 'GB' }", fact.get()));
  auto parsed = ParseRuleSetText(
      Table("FIRST", "inputs: 'condition' inputs: 'order.country'",
            Row("R1",
                "cells { equals { enum_value: 'BROKEN' } } "
                "cells { equals { string_value: 'GB' } }",
                "Q")),
      "r.textproto");
  ASSERT_TRUE(parsed.ok());
  CompileOptions options;
  options.pool = &pool;
  auto rules = CompileRuleSet(*parsed, options);
  ASSERT_TRUE(rules.ok()) << rules.status();
  absl::StatusOr<DecisionResult> r = (*rules)->Evaluate("d", *fact);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outputs()[0].string_value(), "Q");
  // The generated class is another type: refused, not misread.
  EXPECT_FALSE((*rules)->Evaluate("d", ReturnFact()).ok());
  // Accessors of the generated class are not applied to the dynamic
  // message (it is not that class): reflection reads it.
  FieldAccessors accessors = FieldAccessors::For<ReturnFact>();
  ASSERT_TRUE(
      accessors.Add<&ReturnFact::condition>(ReturnFact::kConditionFieldNumber)
          .ok());
  const int first[] = {0};
  DecisionResult result;
  ASSERT_TRUE(
      (*rules)
          ->EvaluateEach(first, *fact, accessors, absl::MakeSpan(&result, 1))
          .ok());
  EXPECT_EQ(result.outputs()[0].string_value(), "Q");
}

// A dynamic message of the generated type itself (same descriptor, not the
// generated class) is read by reflection, never through the accessors.
TEST(EvaluateTest, AccessorsAreNotAppliedToDynamicMessagesOfTheirType) {
  google::protobuf::DynamicMessageFactory factory;
  std::unique_ptr<google::protobuf::Message> fact(
      factory.GetPrototype(ReturnFact::descriptor())->New());
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      "condition: BROKEN sku: 'GS-1'", fact.get()));
  auto rules =
      MustCompile(Table("FIRST", "inputs: 'condition' inputs: 'sku'",
                        Row("R1",
                            "cells { equals { enum_value: 'BROKEN' } } "
                            "cells { equals { string_value: 'GS-1' } }",
                            "Q")));
  FieldAccessors accessors = FieldAccessors::For<ReturnFact>();
  ASSERT_TRUE(
      accessors.Add<&ReturnFact::condition>(ReturnFact::kConditionFieldNumber)
          .ok());
  ASSERT_TRUE(
      accessors.Add<&ReturnFact::sku>(ReturnFact::kSkuFieldNumber).ok());
  const int first[] = {0};
  DecisionResult result;
  ASSERT_TRUE(
      rules->EvaluateEach(first, *fact, accessors, absl::MakeSpan(&result, 1))
          .ok());
  EXPECT_EQ(result.outputs()[0].string_value(), "Q");
}

TEST(EvaluateTest, FieldAccessorsRefuseAccessorsThatDoNotFitTheField) {
  FieldAccessors a = FieldAccessors::For<ReturnFact>();
  // No field 99; a string accessor for an int64 field; presence missing for
  // an optional field, and given for a plain one; another class's accessor.
  EXPECT_THAT(a.Add<&ReturnFact::sku>(99).message(),
              testing::HasSubstr("there is no field 99"));
  EXPECT_THAT(
      a.Add<&ReturnFact::sku>(ReturnFact::kDaysSinceOrderFieldNumber).message(),
      testing::HasSubstr(
          "field 6 (days_since_order) is int64, the accessor reads string"));
  EXPECT_THAT(
      a.Add<&ReturnFact::restockable>(ReturnFact::kRestockableFieldNumber)
          .message(),
      testing::HasSubstr("has presence: give its has_ accessor"));
  EXPECT_THAT((a.Add<&ReturnFact::sku, &ReturnFact::has_order>(
                    ReturnFact::kSkuFieldNumber)
                   .message()),
              testing::HasSubstr("has no presence"));
  EXPECT_THAT(
      a.Add<&rules_test::Order::country>(rules_test::Order::kCountryFieldNumber)
          .message(),
      testing::HasSubstr("the accessor is of retcon.rules_test.Order"));
  // Getters and presence tests of another field, of the right types.
  EXPECT_THAT(
      a.Add<&ReturnFact::sku>(ReturnFact::kLocationFieldNumber).message(),
      testing::HasSubstr("field 4 (location) reads another field"));
  EXPECT_THAT((a.Add<&ReturnFact::restockable, &ReturnFact::has_order>(
                    ReturnFact::kRestockableFieldNumber)
                   .message()),
              testing::HasSubstr("presence test given for field 8 "
                                 "(restockable) is another field's"));
  // None of them was added; a fitting one is.
  for (int i = 0; i < ReturnFact::descriptor()->field_count(); ++i) {
    EXPECT_EQ(a.reader(i), nullptr) << i;
  }
  EXPECT_TRUE(a.Add<&ReturnFact::sku>(ReturnFact::kSkuFieldNumber).ok());
  const int sku = ReturnFact::descriptor()
                      ->FindFieldByNumber(ReturnFact::kSkuFieldNumber)
                      ->index();
  ASSERT_NE(a.reader(sku), nullptr);
  ReturnFact f;
  f.set_sku("GS-1");
  EXPECT_EQ(a.reader(sku)(f).text, "GS-1");
  EXPECT_TRUE(a.reader(sku)(f).present);
}

TEST(EvaluateTest, ByIndexMatchesByNameAndRejectsIndexesOutOfRange) {
  auto rules = MustCompile(Table(
      "FIRST", "inputs: 'condition'",
      Row("R1", "cells { equals { enum_value: 'BROKEN' } }", "QUARANTINE")));
  const int index = rules->DecisionIndex("d");
  ASSERT_EQ(index, 0);
  absl::StatusOr<DecisionResult> r =
      rules->Evaluate(index, Fact(rules_test::BROKEN, "", 0));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outputs()[0].string_value(), "QUARANTINE");
  for (int bad : {-1, 1}) {
    absl::StatusOr<DecisionResult> e =
        rules->Evaluate(bad, Fact(rules_test::BROKEN, "", 0));
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(e.status().message(), HasSubstr("no decision has index"));
  }
}

// Allocations of evaluating `fact` once the thread's scratch has grown.
int64_t AllocationsPerEvaluation(const CompiledRuleSet& rules,
                                 const google::protobuf::Message& fact) {
  for (int i = 0; i < 3; ++i) (void)rules.Evaluate(0, fact);
  const int64_t before = allocations_on_this_thread;
  for (int i = 0; i < 100; ++i) (void)rules.Evaluate(0, fact);
  return (allocations_on_this_thread - before) / 100;
}

// What docs/rules.md promises: no allocation once the per-thread scratch
// has grown, whatever the number of inputs, nested messages or regex
// matches; a result holding more than one hit allocates its list.
TEST(EvaluateTest, EvaluationDoesNotAllocateOnceScratchHasGrown) {
  std::string inputs, cells;
  for (const char* input :
       {"sku", "location", "id", "reason", "condition", "days_since_order",
        "u32", "u64", "i32", "order.country", "order.total_minor"}) {
    inputs += absl::StrCat("inputs: '", input, "' ");
  }
  auto eleven = MustCompile(
      Table("FIRST", inputs,
            Row("R1",
                "cells { regex: 'A|B' } cells { regex: '[AB]' } "
                "cells { is_present {} } "
                "cells { not_one_of { values { enum_value: 'LATE' } } } "
                "cells { not_one_of { values { enum_value: 'BROKEN' } } } "
                "cells { range { low: '0' low_inclusive: true } } "
                "cells { not_one_of { values { int_value: 7 } } } "
                "cells { any {} } cells { equals { int_value: 0 } } "
                "cells { is_present {} } cells { is_missing {} }",
                "A")));
  ReturnFact f;
  f.set_sku("AB");
  f.set_location("AB");
  f.mutable_order()->set_country("GB");
  EXPECT_EQ(Out(*eleven, f), "A");
  EXPECT_EQ(AllocationsPerEvaluation(*eleven, f), 0);
  // Several patterns in a column go through one RE2::Set, which allocates
  // its list of matches only when some pattern matches.
  auto set =
      MustCompile(Table("FIRST", "inputs: 'sku'",
                        Row("R1", "cells { regex: 'A|B' }", "A") +
                            Row("R2", "cells { regex: '[0-9]C' }", "B")));
  f.set_sku("XYZ");
  EXPECT_EQ(Out(*set, f), "");
  EXPECT_EQ(AllocationsPerEvaluation(*set, f), 0);
  auto collect = MustCompile(Table(
      "COLLECT", "inputs: 'sku'",
      Row("R1", "cells { any {} }", "A") + Row("R2", "cells { any {} }", "B")));
  EXPECT_EQ(AllocationsPerEvaluation(*collect, f), 1);  // The hit list.
}

// Inputs under the same message are read through it once; when it is unset
// each of them is missing, and when it is set each reads its own field.
TEST(EvaluateTest, InputsSharingAnUnsetMessageAreAllMissing) {
  auto rules = MustCompile(Table(
      "FIRST", "inputs: 'order.country' inputs: 'order.total_minor'",
      Row("BOTH_MISSING", "cells { is_missing {} } cells { is_missing {} }",
          "NONE") +
          Row("GB_NO_TOTAL",
              "cells { equals { string_value: 'GB' } } cells { is_missing {} }",
              "GB") +
          Row("GB_TOTAL",
              "cells { equals { string_value: 'GB' } } "
              "cells { range { low: '0' low_inclusive: true } }",
              "GB_PAID")));
  ReturnFact f;
  EXPECT_EQ(Out(*rules, f), "NONE");
  f.mutable_order()->set_country("GB");
  EXPECT_EQ(Out(*rules, f), "GB");
  f.mutable_order()->set_total_minor(0);
  EXPECT_EQ(Out(*rules, f), "GB_PAID");
}

}  // namespace
}  // namespace retcon
