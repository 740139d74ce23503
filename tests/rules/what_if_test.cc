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
using rules_test::Table;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Row(const std::string& id, const std::string& cells,
                const std::string& out) {
  return "rows { id: '" + id + "' " + cells + " outputs { string_value: '" +
         out + "' } }\n";
}

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
