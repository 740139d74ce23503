// What-if comparison of two rule sets over a batch of facts.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "retcon/rules_what_if.h"
#include "tests/rules/rules_test_util.h"

namespace retcon {
namespace {

using rules_test::MustCompile;
using rules_test::ReturnFact;
using rules_test::Row;
using rules_test::Table;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(WhatIfTest, GroupsChangedOutcomesWithCountsAndExamples) {
  auto before = MustCompile(Table(
      "FIRST", "inputs: 'condition'",
      Row("R1", "cells { equals { enum_value: 'BROKEN' } }", "QUARANTINE") +
          Row("R2", "cells { any {} }", "SELLABLE")));
  auto after = MustCompile(Table(
      "FIRST", "inputs: 'condition'",
      Row("R1", "cells { equals { enum_value: 'BROKEN' } }", "QUARANTINE") +
          Row("R2", "cells { equals { enum_value: 'USED' } }", "DAMAGED") +
          Row("R3",
              "cells { not_one_of { values { enum_value: 'NEW_WITH_TAGS' } } }",
              "SELLABLE")));
  std::vector<ReturnFact> facts(5);
  const rules_test::Condition conditions[] = {
      rules_test::BROKEN, rules_test::USED, rules_test::USED,
      rules_test::NEW_WITH_TAGS, rules_test::AS_NEW};
  std::vector<FactRef> batch;
  for (int i = 0; i < 5; ++i) {
    facts[i].set_condition(conditions[i]);
    batch.push_back({"f" + std::to_string(i + 1), &facts[i]});
  }
  absl::StatusOr<WhatIfReport> report =
      CompareRuleSets(*before, *after, "d", batch);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->facts, 5);
  EXPECT_EQ(report->changed, 3);
  ASSERT_EQ(report->changes.size(), 2u);
  EXPECT_EQ(report->changes[0].old_outcome, "out=SELLABLE");
  EXPECT_EQ(report->changes[0].new_outcome, "out=DAMAGED");
  EXPECT_EQ(report->changes[0].count, 2);
  EXPECT_THAT(report->changes[0].example_ids, ElementsAre("f2", "f3"));
  EXPECT_EQ(report->changes[1].new_outcome, "<no match>");
  EXPECT_THAT(report->changes[1].example_ids, ElementsAre("f4"));
}

// Outcomes are compared as values: output values holding the ", ", "=" or
// " | " that join outcome text do not make two outcomes look alike, and the
// text quotes them.
TEST(WhatIfTest, OutcomesThatReadAlikeAsJoinedTextStayApart) {
  auto two_outputs = [](const std::string& a, const std::string& b) {
    return MustCompile(
        "id: 't' decisions { name: 'd' "
        "fact_type: 'retcon.rules_test.ReturnFact' hit_policy: FIRST "
        "inputs: 'sku' outputs { name: 'a' type: STRING } "
        "outputs { name: 'b' type: STRING } "
        "rows { id: 'R1' cells { any {} } outputs { string_value: '" +
        a + "' } outputs { string_value: '" + b + "' } } }");
  };
  auto before = two_outputs("1, b=2", "3");
  auto after = two_outputs("1", "2, b=3");
  ReturnFact fact;
  std::vector<FactRef> batch = {{"f1", &fact}};
  absl::StatusOr<WhatIfReport> report =
      CompareRuleSets(*before, *after, "d", batch);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->changed, 1);
  ASSERT_EQ(report->changes.size(), 1u);
  // Strings that read as numbers are quoted too.
  EXPECT_EQ(report->changes[0].old_outcome, "a=\"1, b=2\", b=\"3\"");
  EXPECT_EQ(report->changes[0].new_outcome, "a=\"1\", b=\"2, b=3\"");

  auto collect = [](const std::string& rows) {
    return MustCompile(Table("COLLECT", "inputs: 'sku'", rows));
  };
  auto one_hit = collect(Row("R1", "cells { any {} }", "x | out=y"));
  auto two_hits = collect(Row("R1", "cells { any {} }", "x") +
                          Row("R2", "cells { any {} }", "y"));
  report = CompareRuleSets(*one_hit, *two_hits, "d", batch);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->changes.size(), 1u);
  EXPECT_EQ(report->changes[0].old_outcome, "out=\"x | out=y\"");
  EXPECT_EQ(report->changes[0].new_outcome, "out=x | out=y");

  // The same outcome from another row is no change.
  auto text_7 = collect(Row("R1", "cells { any {} }", "7"));
  EXPECT_EQ(OutcomeText(*text_7, text_7->Evaluate("d", fact)), "out=\"7\"");
  report = CompareRuleSets(
      *text_7, *collect(Row("R9", "cells { any {} }", "7")), "d", batch);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->changed, 0);
}

TEST(WhatIfTest, UnknownDecisionOrWrongFactTypeIsInvalidArgument) {
  auto rules = MustCompile(Table("FIRST", "inputs: 'condition'",
                                 Row("R1", "cells { any {} }", "X")));
  ReturnFact fact;
  std::vector<FactRef> batch = {{"f1", &fact}};
  EXPECT_THAT(
      std::string(
          CompareRuleSets(*rules, *rules, "nope", batch).status().message()),
      HasSubstr("the old rule set has no decision 'nope'"));
  v1::RuleSet not_a_fact;
  std::vector<FactRef> wrong = {{"f9", &not_a_fact}};
  EXPECT_THAT(
      std::string(
          CompareRuleSets(*rules, *rules, "d", wrong).status().message()),
      HasSubstr("fact 'f9': decision 'd' takes a"));
}

}  // namespace
}  // namespace retcon
