// Effective dating: the version in force on a date, boundaries, gaps and
// overlapping periods.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "retcon/rules_book.h"
#include "retcon/v1/return.pb.h"

namespace retcon {
namespace {

using ::testing::HasSubstr;

void AddVersion(v1::RuleBook& book, const std::string& version,
                const std::string& from, const std::string& until) {
  v1::RuleSet* rs = book.add_versions();
  rs->set_id("uk-returns");
  rs->set_version(version);
  rs->set_effective_from(from);
  rs->set_effective_until(until);
}

std::string VersionOn(const CompiledRuleBook& book, const std::string& date) {
  absl::StatusOr<const CompiledRuleSet*> rules = book.AsOf(date);
  if (!rules.ok()) return std::string(rules.status().message());
  return (*rules)->rule_set().version();
}

TEST(RuleBookTest, AsOfUsesTheVersionInForceWithInclusiveFromExclusiveUntil) {
  v1::RuleBook book;
  AddVersion(book, "v3", "2026-07-01", "");
  AddVersion(book, "v1", "", "2026-01-01");
  AddVersion(book, "v2", "2026-01-01", "2026-07-01");
  auto compiled = CompileRuleBook(book, {});
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  EXPECT_EQ(VersionOn(**compiled, "1999-01-01"), "v1");
  EXPECT_EQ(VersionOn(**compiled, "2025-12-31"), "v1");
  EXPECT_EQ(VersionOn(**compiled, "2026-01-01"), "v2");
  EXPECT_EQ(VersionOn(**compiled, "2026-06-30"), "v2");
  EXPECT_EQ(VersionOn(**compiled, "2026-07-01"), "v3");
  EXPECT_EQ(VersionOn(**compiled, "2999-12-31"), "v3");
}

TEST(RuleBookTest, ADayNoVersionCoversIsNotFound) {
  v1::RuleBook book;
  AddVersion(book, "v1", "2026-01-01", "2026-02-01");
  AddVersion(book, "v2", "2026-03-01", "");
  auto compiled = CompileRuleBook(book, {});
  ASSERT_TRUE(compiled.ok());
  EXPECT_EQ((*compiled)->AsOf("2026-02-15").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ((*compiled)->AsOf("2025-12-31").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ((*compiled)->AsOf("2026-2-15").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RuleBookTest, OverlappingPeriodsAreACompileError) {
  v1::RuleBook book;
  AddVersion(book, "v1", "2026-01-01", "2026-02-02");
  AddVersion(book, "v2", "2026-02-01", "");
  EXPECT_EQ(std::string(CompileRuleBook(book, {}).status().message()),
            "versions 'v1' [2026-01-01, 2026-02-02) and 'v2' [2026-02-01, ) "
            "overlap");
  book.mutable_versions(0)->set_effective_until("2026-02-01");
  EXPECT_TRUE(CompileRuleBook(book, {}).ok());  // Touching is fine.
  AddVersion(book, "v3", "", "");
  EXPECT_THAT(std::string(CompileRuleBook(book, {}).status().message()),
              HasSubstr("'v3' [, ) and 'v1'"));
}

TEST(RuleBookTest, VersionErrorsNameTheVersion) {
  v1::RuleBook book;
  AddVersion(book, "v1", "2026-01-01", "");
  AddVersion(book, "v2", "2027-01-01", "");
  book.mutable_versions(1)->add_decisions()->set_name("depot");
  EXPECT_THAT(std::string(CompileRuleBook(book, {}).status().message()),
              HasSubstr("versions[1]: decision 'depot': unknown fact type"));
}

// A book of two versions; the second's row R1 (line 17) has `cell`.
std::string BookText(const std::string& cell, const std::string& v1_until) {
  return "versions {\n"  // 1
         "  version: 'v1' effective_until: '" +
         v1_until +
         "'\n"                                                // 2
         "}\n"                                                // 3
         "# The next version.\n"                              // 4
         "versions {\n"                                       // 5
         "  version: 'v2'\n"                                  // 6
         "  effective_from: '2027-01-01'\n"                   // 7
         "  decisions {\n"                                    // 8
         "    name: 'depot'\n"                                // 9
         "    fact_type: 'retcon.v1.ReturnLine'\n"            // 10
         "    hit_policy: FIRST\n"                            // 11
         "    inputs: 'reason_code'\n"                        // 12
         "    outputs { name: 'depot' type: STRING }\n"       // 13
         "    rows { id: 'R0' cells { regex: 'A[0-9]+B' }\n"  // 14
         "           outputs { string_value: 'YORK' } }\n"    // 15
         "    rows {\n"                                       // 16
         "      id: 'R1' " +
         cell +
         "\n"                                         // 17
         "      outputs { string_value: 'LEEDS' }\n"  // 18
         "    }\n"                                    // 19
         "  }\n"                                      // 20
         "}\n";                                       // 21
}

absl::Status CompileBook(const std::string& text,
                         const CompileOptions& options = {}) {
  v1::ReturnLine::descriptor();
  absl::StatusOr<ParsedRuleBook> parsed =
      ParseRuleBookText(text, "book.textproto");
  if (!parsed.ok()) return parsed.status();
  return CompileRuleBook(*parsed, options).status();
}

TEST(RuleBookTest, ParsedBookErrorsCiteFileLineAndVersion) {
  EXPECT_TRUE(CompileBook(BookText("cells { regex: 'C' }", "2027-01-01")).ok());
  EXPECT_EQ(std::string(CompileBook(BookText("cells { range { low: '1' } }",
                                             "2027-01-01"))
                            .message()),
            "book.textproto:17: versions[1]: decision 'depot' row 'R1' input "
            "'reason_code': range needs an integer input; this input is a "
            "string");
  EXPECT_EQ(
      std::string(CompileBook(BookText("cells { regex: 'C' }", "2027-02-01"))
                      .message()),
      "book.textproto:5: versions 'v1' [, 2027-02-01) and 'v2' [2027-01-01, ) "
      "overlap");
  EXPECT_EQ(
      std::string(CompileBook(BookText("cells { regex: 'C' }", "2027-13-01"))
                      .message()),
      "book.textproto:1: versions[0]: effective_until: '2027-13-01' is not a "
      "date YYYY-MM-DD");
  CompileOptions small_sets;
  small_sets.regex_set_max_mem = 2000;
  EXPECT_EQ(std::string(CompileBook(BookText("cells { regex: 'C(D|E)*F' }",
                                             "2027-01-01"),
                                    small_sets)
                            .message()),
            "book.textproto:8: versions[1]: decision 'depot' input "
            "'reason_code': the column's 2 regexes together are too large for "
            "RE2 (more than CompileOptions::regex_set_max_mem, 2000 bytes)");
  EXPECT_THAT(std::string(ParseRuleBookText("versions { nope: 1 }", "b.txt")
                              .status()
                              .message()),
              HasSubstr("b.txt:1:16: Message type"));
}

}  // namespace
}  // namespace retcon
