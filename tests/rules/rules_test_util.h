// Helpers for the rules tests: compile a text-format rule set.
#ifndef RETCON_TESTS_RULES_RULES_TEST_UTIL_H_
#define RETCON_TESTS_RULES_RULES_TEST_UTIL_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "retcon/rules.h"
#include "retcon/rules_analysis.h"
#include "retcon/v1/return.pb.h"
#include "tests/rules/rules_test_fact.pb.h"

namespace retcon {
namespace rules_test {

// Compiles `text` (a RuleSet in text format, file name "rules.textproto").
inline absl::StatusOr<std::unique_ptr<const CompiledRuleSet>> Compile(
    const std::string& text) {
  // Links the fact types into the generated pool (a static library's unused
  // .pb.o files are otherwise left out).
  v1::ReturnLine::descriptor();
  rules_test::ReturnFact::descriptor();
  absl::StatusOr<ParsedRuleSet> parsed =
      ParseRuleSetText(text, "rules.textproto");
  if (!parsed.ok()) return parsed.status();
  return CompileRuleSet(*parsed, CompileOptions{});
}

// Compiles `text`, failing the test on error.
inline std::unique_ptr<const CompiledRuleSet> MustCompile(
    const std::string& text) {
  auto compiled = Compile(text);
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  return compiled.ok() ? *std::move(compiled) : nullptr;
}

// A text-format row `id` with `cells` (a fragment of `cells { ... }` lines),
// one string output `out`, and `extra` (e.g. "priority: 2").
inline std::string Row(const std::string& id, const std::string& cells,
                       const std::string& out, const std::string& extra = "") {
  return "rows { id: '" + id + "' " + cells + " outputs { string_value: '" +
         out + "' } " + extra + " }\n";
}

// The findings of AnalyseRuleSet(rules) of one kind, in their order.
inline std::vector<RuleFinding> FindingsOf(const CompiledRuleSet& rules,
                                           RuleFinding::Kind kind) {
  std::vector<RuleFinding> out;
  for (RuleFinding& f : AnalyseRuleSet(rules)) {
    if (f.kind == kind) out.push_back(std::move(f));
  }
  return out;
}

// One decision "d" over retcon.rules_test.ReturnFact with `inputs` (a
// text-format fragment of `inputs: ...` lines), hit policy `policy`, one
// STRING output "out", and `rows`.
inline std::string Table(const std::string& policy, const std::string& inputs,
                         const std::string& rows,
                         const std::string& extra = "") {
  return "id: 't' version: '1'\n"
         "decisions {\n"
         "  name: 'd' fact_type: 'retcon.rules_test.ReturnFact'\n"
         "  hit_policy: " +
         policy + "\n" + inputs + "\n  outputs { name: 'out' type: STRING " +
         extra + " }\n" + rows + "\n}\n";
}

}  // namespace rules_test
}  // namespace retcon

#endif  // RETCON_TESTS_RULES_RULES_TEST_UTIL_H_
