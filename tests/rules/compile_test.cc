// Compile errors: each names decision, row id, input or output, and the
// text-format line of the decision, row or cell.
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "retcon/rules.h"
#include "retcon/v1/return.pb.h"
#include "tests/rules/rules_test_util.h"

namespace retcon {
namespace {

using ::testing::HasSubstr;

struct Case {
  std::string name;
  std::string input;   // Decision.inputs[0]
  std::string cell;    // Row R7's cell, on line 10
  std::string output;  // Row R7's output value, on line 11
  std::string extra;   // More decision fields, from line 13
  std::string want;    // The whole error message
};

// A one-row decision over retcon.v1.ReturnLine with fixed line numbers:
// decision on line 2, row R7 on line 8, its cell on line 10.
std::string Text(const Case& c) {
  return "id: 'x'\n"                              // 1
         "decisions {\n"                          // 2
         "  name: 'depot'\n"                      // 3
         "  fact_type: 'retcon.v1.ReturnLine'\n"  // 4
         "  hit_policy: FIRST\n"                  // 5
         "  inputs: '" +
         c.input +
         "'\n"                                         // 6
         "  outputs { name: 'depot' type: STRING }\n"  // 7
         "  rows {\n"                                  // 8
         "    id: 'R7'\n"                              // 9
         "    " +
         c.cell +
         "\n"  // 10
         "    outputs { " +
         c.output +
         " }\n"       // 11
         "  }\n"      // 12
         + c.extra +  // 13...
         "}\n";
}

class CompileErrorTest : public ::testing::TestWithParam<Case> {};

TEST_P(CompileErrorTest, NamesTheLocation) {
  const Case& c = GetParam();
  auto compiled = rules_test::Compile(Text(c));
  ASSERT_FALSE(compiled.ok()) << Text(c);
  EXPECT_EQ(compiled.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(compiled.status().message()), c.want);
}

const char kOut[] = "string_value: 'LEEDS'";
const char kAt[] = "rules.textproto:10: decision 'depot' row 'R7' input ";

INSTANTIATE_TEST_SUITE_P(
    AllErrors, CompileErrorTest,
    ::testing::Values(
        Case{"UnknownEnumValue", "inspection.condition",
             "cells { equals { enum_value: 'BROKEN' } }", kOut, "",
             std::string(kAt) +
                 "'inspection.condition': unknown enum value 'BROKEN' of "
                 "retcon.v1.ItemCondition"},
        Case{"UnknownFieldPath", "inspection.nope", "cells { any {} }", kOut,
             "",
             "rules.textproto:2: decision 'depot' input 'inspection.nope': "
             "unknown field 'nope' in retcon.v1.Inspection"},
        Case{"PathThroughScalar", "quantity.units", "cells { any {} }", kOut,
             "",
             "rules.textproto:2: decision 'depot' input 'quantity.units': "
             "'quantity' is not a message"},
        Case{"RepeatedField", "item_ids", "cells { any {} }", kOut, "",
             "rules.textproto:2: decision 'depot' input 'item_ids': repeated "
             "field 'item_ids' cannot be an input"},
        Case{"RangeOnString", "reason_code", "cells { range { low: '1' } }",
             kOut, "",
             std::string(kAt) + "'reason_code': range needs an integer input; "
                                "this input is a string"},
        Case{"RegexOnInteger", "quantity", "cells { regex: '1' }", kOut, "",
             std::string(kAt) +
                 "'quantity': regex needs a string input; this input is an "
                 "integer"},
        Case{"RegexOnEnum", "inspection.condition", "cells { regex: 'USED' }",
             kOut, "",
             std::string(kAt) +
                 "'inspection.condition': regex needs a string input; this "
                 "input is an enum"},
        Case{"BadRegex", "reason_code", "cells { regex: 'FAULTY(' }", kOut, "",
             std::string(kAt) +
                 "'reason_code': bad regex 'FAULTY(': missing ): FAULTY("},
        Case{"RegexTooLarge", "reason_code", "cells { regex: '(abcdef){900}' }",
             kOut, "",
             std::string(kAt) +
                 "'reason_code': regex program too large: 7204 instructions "
                 "(limit 2000)"},
        Case{"ValueTestOnMessage", "inspection",
             "cells { equals { int_value: 1 } }", kOut, "",
             std::string(kAt) + "'inspection': a message input takes only "
                                "any, is_missing and is_present"},
        Case{"WrongValueType", "quantity",
             "cells { equals { string_value: '1' } }", kOut, "",
             std::string(kAt) +
                 "'quantity': expected an int_value, got string_value"},
        Case{"EmptyOneOf", "quantity", "cells { one_of { } }", kOut, "",
             std::string(kAt) + "'quantity': an empty value list"},
        Case{"CellWithoutTest", "quantity", "cells { }", kOut, "",
             std::string(kAt) + "'quantity': the cell has no test (write "
                                "`any {}` to accept anything)"},
        Case{"EmptyRange", "quantity", "cells { range { low: '5' high: '5' } }",
             kOut, "",
             std::string(kAt) +
                 "'quantity': the range (5, 5) contains no integer"},
        Case{"EmptyRangeAfterRounding", "quantity",
             "cells { range { low: '5.1' high: '5.9' high_inclusive: true } }",
             kOut, "",
             std::string(kAt) +
                 "'quantity': the range (5.1, 5.9] contains no integer"},
        Case{"RangeBeyondTheField", "quantity",
             "cells { range { low: '9223372036854775808' "
             "low_inclusive: true } }",
             kOut, "",
             std::string(kAt) +
                 "'quantity': the range [9223372036854775808, +inf) holds no "
                 "value of int64 field 'quantity' (-9223372036854775808 to "
                 "9223372036854775807)"},
        Case{"NotADecimal", "quantity", "cells { range { low: '1e3' } }", kOut,
             "",
             std::string(kAt) +
                 "'quantity': range bound '1e3' is not an exact decimal"},
        Case{"WrongOutputType", "quantity", "cells { any {} }", "int_value: 3",
             "",
             "rules.textproto:8: decision 'depot' row 'R7' output 'depot': "
             "expected a string_value, got int_value"},
        Case{"WrongCellCount", "quantity", "cells { any {} } cells { any {} }",
             kOut, "",
             "rules.textproto:8: decision 'depot' row 'R7': 2 cells for 1 "
             "inputs"},
        Case{"WrongOutputCount", "quantity", "cells { any {} }",
             "} outputs { string_value: 'YORK'", "",
             "rules.textproto:8: decision 'depot' row 'R7': 2 output values "
             "for 1 outputs"},
        Case{"DuplicateRowId", "quantity", "cells { any {} }", kOut,
             "  rows { id: 'R7' cells { any {} } outputs { " +
                 std::string(kOut) + " } }\n",
             "rules.textproto:13: decision 'depot' row 'R7': duplicate row "
             "id"},
        Case{"WrongDefaultOutput", "quantity", "cells { any {} }", kOut,
             "  default_outputs { bool_value: true }\n",
             "rules.textproto:2: decision 'depot' row 'default_outputs' "
             "output 'depot': expected a string_value, got bool_value"}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

std::string Decision(const std::string& body) {
  return "id: 'x' decisions { name: 'depot' " + body + " }";
}

absl::Status CompileFactTable(const std::string& inputs,
                              const std::string& cells) {
  return rules_test::Compile(
             rules_test::Table("FIRST", inputs,
                               "rows { id: 'R1' " + cells +
                                   " outputs { string_value: 'A' } }"))
      .status();
}

TEST(CompileTest, IntegerValuesMustFitTheFieldType) {
  EXPECT_EQ(
      std::string(CompileFactTable("inputs: 'i32'",
                                   "cells { equals { int_value: 5000000000 } }")
                      .message()),
      "rules.textproto:7: decision 'd' row 'R1' input 'i32': value "
      "5000000000 does not fit int32 field 'i32'");
  EXPECT_EQ(
      std::string(CompileFactTable("inputs: 'u32'",
                                   "cells { one_of { values { int_value: 1 } "
                                   "values { int_value: -1 } } }")
                      .message()),
      "rules.textproto:7: decision 'd' row 'R1' input 'u32': value -1 does "
      "not fit uint32 field 'u32'");
  EXPECT_THAT(std::string(CompileFactTable(
                              "inputs: 'u64'",
                              "cells { not_one_of { values { int_value: -1 } "
                              "} }")
                              .message()),
              HasSubstr("value -1 does not fit uint64 field 'u64'"));
  EXPECT_TRUE(CompileFactTable("inputs: 'i32'",
                               "cells { equals { int_value: -2147483648 } }")
                  .ok());
  EXPECT_TRUE(CompileFactTable("inputs: 'u32'",
                               "cells { equals { int_value: 4294967295 } }")
                  .ok());
}

TEST(CompileTest, RangeBoundsAreAnyExactDecimal) {
  for (const char* range :
       {"low: '-9223372036854775808' low_inclusive: true high: '0'",
        "low: '0' high: '9223372036854775808'",
        "low: '-9223372036854775809' high: '9223372036854775807' "
        "high_inclusive: true",
        "low: '-123456789012345678901234567890.5' "
        "high: '123456789012345678901234567890123456789012345678901'"}) {
    EXPECT_TRUE(
        CompileFactTable("inputs: 'days_since_order'",
                         absl::StrCat("cells { range { ", range, " } }"))
            .ok())
        << range;
  }
  EXPECT_THAT(std::string(CompileFactTable("inputs: 'days_since_order'",
                                           "cells { range { low: '1.2.3' } }")
                              .message()),
              HasSubstr("range bound '1.2.3' is not an exact decimal"));
}

TEST(CompileTest, RangesHoldingNoValueOfTheFieldAreErrors) {
  EXPECT_EQ(std::string(CompileFactTable("inputs: 'u32'",
                                         "cells { range { high: '0' } }")
                            .message()),
            "rules.textproto:7: decision 'd' row 'R1' input 'u32': the range "
            "(-inf, 0) holds no value of uint32 field 'u32' (0 to "
            "4294967295)");
  EXPECT_THAT(std::string(CompileFactTable("inputs: 'i32'",
                                           "cells { range { low: "
                                           "'2147483647' } }")
                              .message()),
              HasSubstr("the range (2147483647, +inf) holds no value of "
                        "int32 field 'i32' (-2147483648 to 2147483647)"));
  EXPECT_THAT(std::string(CompileFactTable("inputs: 'u64'",
                                           "cells { range { low: "
                                           "'18446744073709551615' } }")
                              .message()),
              HasSubstr("holds no value of uint64 field 'u64' (0 to "
                        "18446744073709551615)"));
  // Beyond the field's range on one side only: the same as an open end.
  EXPECT_TRUE(CompileFactTable("inputs: 'u32'",
                               "cells { range { low: '-5' high: '0' "
                               "high_inclusive: true } }")
                  .ok());
}

TEST(CompileTest, UnknownFactType) {
  auto compiled = rules_test::Compile(
      Decision("fact_type: 'retcon.v1.Nope' hit_policy: FIRST "
               "outputs { name: 'o' type: STRING }"));
  EXPECT_EQ(std::string(compiled.status().message()),
            "rules.textproto:1: decision 'depot': unknown fact type "
            "'retcon.v1.Nope'");
}

TEST(CompileTest, MissingHitPolicy) {
  auto compiled = rules_test::Compile(Decision(
      "fact_type: 'retcon.v1.ReturnLine' outputs { name: 'o' type: STRING }"));
  EXPECT_THAT(std::string(compiled.status().message()),
              HasSubstr("has no hit_policy"));
}

TEST(CompileTest, UnknownEnumOutputType) {
  auto compiled = rules_test::Compile(
      Decision("fact_type: 'retcon.v1.ReturnLine' hit_policy: FIRST "
               "outputs { name: 'o' type: ENUM enum_type: 'retcon.v1.Nope' }"));
  EXPECT_THAT(std::string(compiled.status().message()),
              HasSubstr("output 'o': unknown enum type 'retcon.v1.Nope'"));
}

TEST(CompileTest, UnknownEnumOutputValue) {
  auto compiled = rules_test::Compile(Decision(
      "fact_type: 'retcon.v1.ReturnLine' hit_policy: FIRST "
      "outputs { name: 'o' type: ENUM enum_type: 'retcon.v1.ItemCondition' } "
      "rows { id: 'R1' outputs { enum_value: 'SHINY' } }"));
  EXPECT_EQ(std::string(compiled.status().message()),
            "rules.textproto:1: decision 'depot' row 'R1' output 'o': unknown "
            "enum value 'SHINY' of retcon.v1.ItemCondition");
}

TEST(CompileTest, PriorityValueOutsideTheOrder) {
  auto compiled = rules_test::Compile(Decision(
      "fact_type: 'retcon.v1.ReturnLine' hit_policy: PRIORITY "
      "outputs { name: 'o' type: STRING priority_order { string_value: 'A' } "
      "} rows { id: 'R1' outputs { string_value: 'B' } }"));
  EXPECT_THAT(std::string(compiled.status().message()),
              HasSubstr("row 'R1' output 'o': the value is not in the "
                        "output's priority_order"));
}

TEST(CompileTest, DuplicateDecisionNames) {
  auto compiled = rules_test::Compile(
      Decision("fact_type: 'retcon.v1.ReturnLine' hit_policy: FIRST "
               "outputs { name: 'o' type: STRING }") +
      " decisions { name: 'depot' }");
  EXPECT_THAT(std::string(compiled.status().message()),
              HasSubstr("decision names must be unique"));
}

TEST(CompileTest, EffectiveDatesMustBeDatesInOrder) {
  v1::RuleSet rs;
  rs.set_effective_from("2026-13-01");
  EXPECT_THAT(std::string(CompileRuleSet(rs, {}).status().message()),
              HasSubstr("effective_from: '2026-13-01' is not a date"));
  rs.set_effective_from("2026-12-01");
  rs.set_effective_until("2026-12-01");
  EXPECT_THAT(std::string(CompileRuleSet(rs, {}).status().message()),
              HasSubstr("effective_until must be after effective_from"));
  rs.set_effective_until("2027-01-01");
  EXPECT_TRUE(CompileRuleSet(rs, {}).ok());
}

TEST(CompileTest, ProgramSizeLimitIsAnOption) {
  std::string text = Decision(
      "fact_type: 'retcon.v1.ReturnLine' hit_policy: FIRST "
      "inputs: 'reason_code' outputs { name: 'o' type: STRING } "
      "rows { id: 'R1' cells { regex: '[a-z]{40}' } "
      "outputs { string_value: 'A' } }");
  auto parsed = ParseRuleSetText(text, "r.textproto");
  ASSERT_TRUE(parsed.ok());
  v1::ReturnLine::descriptor();
  CompileOptions options;
  EXPECT_TRUE(CompileRuleSet(*parsed, options).ok());
  options.regex_max_mem = 1 << 10;  // RE2 itself refuses the pattern.
  EXPECT_THAT(std::string(CompileRuleSet(*parsed, options).status().message()),
              HasSubstr("regex program too large: pattern too large"));
  options.regex_max_mem = 1 << 20;
  options.regex_max_program_size = 20;
  EXPECT_THAT(std::string(CompileRuleSet(*parsed, options).status().message()),
              HasSubstr("regex program too large: "));
}

// 32,000 distinct values or ranges compile and match the right row. How
// long that takes is measured by bench/rules_benchmark.cc
// (BM_Rules_CompileDistinct), not asserted here: a time bound fails on a
// slow or loaded machine, as this one did under the sanitizers.
TEST(CompileTest, LargeTablesOfDistinctValuesCompileAndMatch) {
  for (const char* kind : {"values", "ranges"}) {
    std::string rows;
    for (int i = 0; i < 32000; ++i) {
      rows += absl::StrCat(
          "rows { id: 'R", i, "' cells { ",
          std::string(kind) == "values"
              ? absl::StrCat("equals { string_value: 'SKU-", i, "' }")
              : absl::StrCat("range { low: '", 3 * i, "' high: '", 3 * i + 100,
                             "' }"),
          " } outputs { string_value: 'A' } }\n");
    }
    auto parsed =
        ParseRuleSetText(rules_test::Table("FIRST",
                                           std::string(kind) == "values"
                                               ? "inputs: 'sku'"
                                               : "inputs: 'days_since_order'",
                                           rows),
                         "big.textproto");
    ASSERT_TRUE(parsed.ok());
    rules_test::ReturnFact::descriptor();
    auto compiled = CompileRuleSet(*parsed, {});
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    rules_test::ReturnFact f;
    f.set_sku("SKU-31999");
    f.set_days_since_order(95999);  // R31967 is (95901, 96001).
    auto r = (*compiled)->Evaluate("d", f);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->hits[0].row_id,
              std::string(kind) == "values" ? "R31999" : "R31967");
  }
}

TEST(CompileTest, RegexSetMemoryIsCappedByAnOption) {
  auto parsed = ParseRuleSetText(
      rules_test::Table(
          "FIRST", "inputs: 'condition' inputs: 'sku'",
          "rows { id: 'R1' cells { any {} } cells { regex: '(a|b)*a(a|b){8}' } "
          "outputs { string_value: 'A' } }\n"
          "rows { id: 'R2' cells { any {} } cells { regex: 'b[0-9]+c' } "
          "outputs { string_value: 'B' } }"),
      "set.textproto");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  rules_test::ReturnFact::descriptor();
  CompileOptions options;
  EXPECT_TRUE(CompileRuleSet(*parsed, options).ok());
  options.regex_set_max_mem = 2000;
  EXPECT_EQ(std::string(CompileRuleSet(*parsed, options).status().message()),
            "set.textproto:2: decision 'd' input 'sku': the column's 2 "
            "regexes together are too large for RE2 (more than "
            "CompileOptions::regex_set_max_mem, 2000 bytes)");
}

TEST(CompileTest, TextSyntaxErrorsCiteLineAndColumn) {
  auto parsed = ParseRuleSetText("id: 'x'\ndecisions { nme: 'd' }", "r.txt");
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(parsed.status().message()),
              HasSubstr("r.txt:2:16: Message type"));
}

}  // namespace
}  // namespace retcon
