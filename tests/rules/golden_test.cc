// The rule set of docs/rules.md, from its file: parsed, compiled, evaluated
// on return lines, explained, analysed.
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "retcon/rules.h"
#include "retcon/rules_analysis.h"
#include "retcon/v1/return.pb.h"

namespace retcon {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

std::unique_ptr<const CompiledRuleSet> LoadUkDepot() {
  std::ifstream in(RETCON_RULES_TESTDATA "/uk_depot.textproto");
  std::stringstream text;
  text << in.rdbuf();
  v1::ReturnLine::descriptor();
  auto parsed = ParseRuleSetText(text.str(), "uk_depot.textproto");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  if (!parsed.ok()) return nullptr;
  auto rules = CompileRuleSet(*parsed, {});
  EXPECT_TRUE(rules.ok()) << rules.status();
  return rules.ok() ? *std::move(rules) : nullptr;
}

v1::ReturnLine Line(v1::ItemCondition condition, const std::string& reason) {
  v1::ReturnLine line;
  line.mutable_inspection()->set_condition(condition);
  line.set_reason_code(reason);
  return line;
}

std::string DepotAndDisposition(const CompiledRuleSet& rules,
                                const v1::ReturnLine& line) {
  absl::StatusOr<DecisionResult> r = rules.Evaluate("depot", line);
  if (!r.ok() || !r->matched()) return "?";
  return r->outputs()[0].string_value() + "/" + r->outputs()[1].string_value();
}

TEST(GoldenTest, UkDepotRoutesReturnedItems) {
  auto rules = LoadUkDepot();
  ASSERT_NE(rules, nullptr);
  EXPECT_EQ(
      DepotAndDisposition(*rules, Line(v1::ITEM_CONDITION_FAULTY, "TOO_SMALL")),
      "LEEDS/QUARANTINE");
  EXPECT_EQ(DepotAndDisposition(
                *rules, Line(v1::ITEM_CONDITION_DAMAGED, "DAMAGED_IN_TRANSIT")),
            "YORK/DAMAGED");
  EXPECT_EQ(DepotAndDisposition(*rules,
                                Line(v1::ITEM_CONDITION_DAMAGED, "TOO_SMALL")),
            "LEEDS/SELLABLE");
  EXPECT_EQ(DepotAndDisposition(*rules, v1::ReturnLine()), "LEEDS/SELLABLE");
}

TEST(GoldenTest, UkDepotTraceShowsWhatWasReadAndWhy) {
  auto rules = LoadUkDepot();
  ASSERT_NE(rules, nullptr);
  EvaluationTrace trace;
  v1::ReturnLine line;
  line.set_reason_code("DAMAGED_BOX");
  ASSERT_TRUE(rules->Evaluate("depot", line, &trace).ok());
  EXPECT_THAT(trace.inputs,
              ElementsAre(Pair("inspection.condition", "<missing>"),
                          Pair("reason_code", "\"DAMAGED_BOX\"")));
  EXPECT_THAT(trace.matched_row_ids, ElementsAre("R9"));
  EXPECT_EQ(trace.winner, "R9");
  EXPECT_EQ(trace.reason, "first matching row");
}

TEST(GoldenTest, UkDepotHasNoAnalysisFindings) {
  auto rules = LoadUkDepot();
  ASSERT_NE(rules, nullptr);
  EXPECT_TRUE(AnalyseRuleSet(*rules).empty());
}

}  // namespace
}  // namespace retcon
