// Effective dating: the version in force on a date, boundaries, gaps and
// overlapping periods.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "retcon/rules_book.h"

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

}  // namespace
}  // namespace retcon
