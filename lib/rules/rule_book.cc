// CompileRuleBook and evaluation as of a date.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "retcon/rules_book.h"

namespace retcon {
namespace {

// Whether [from, until) contains `date`; ISO dates compare as strings.
bool Covers(const CompiledRuleBook::Version& v, const std::string& date) {
  return (v.from.empty() || v.from <= date) &&
         (v.until.empty() || date < v.until);
}

// Versions sorted by from ("" first) overlap when one starts before the
// previous one ends.
absl::Status CheckNoOverlap(const std::vector<CompiledRuleBook::Version>& v) {
  for (size_t i = 1; i < v.size(); ++i) {
    const auto& prev = v[i - 1];
    if (prev.until.empty() || v[i].from.empty() || v[i].from < prev.until) {
      const v1::RuleSet& a = prev.rules->rule_set();
      const v1::RuleSet& b = v[i].rules->rule_set();
      return absl::InvalidArgumentError(absl::StrCat(
          "versions '", a.version(), "' [", a.effective_from(), ", ",
          a.effective_until(), ") and '", b.version(), "' [",
          b.effective_from(), ", ", b.effective_until(), ") overlap"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<const CompiledRuleSet*> CompiledRuleBook::AsOf(
    absl::string_view date) const {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(date, &day) || absl::FormatCivilTime(day) != date) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", date, "' is not a date YYYY-MM-DD"));
  }
  const std::string d(date);
  for (const Version& v : versions_) {
    if (Covers(v, d)) return v.rules.get();
  }
  return absl::NotFoundError(
      absl::StrCat("no rule set version in force on ", d));
}

absl::StatusOr<std::unique_ptr<const CompiledRuleBook>> CompileRuleBook(
    const v1::RuleBook& book, const CompileOptions& options) {
  std::vector<CompiledRuleBook::Version> versions;
  for (int i = 0; i < book.versions_size(); ++i) {
    auto rules = CompileRuleSet(book.versions(i), options);
    if (!rules.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("versions[", i, "]: ", rules.status().message()));
    }
    versions.push_back({*std::move(rules), book.versions(i).effective_from(),
                        book.versions(i).effective_until()});
  }
  std::stable_sort(
      versions.begin(), versions.end(),
      [](const auto& a, const auto& b) { return a.from < b.from; });
  absl::Status status = CheckNoOverlap(versions);
  if (!status.ok()) return status;
  return std::make_unique<const CompiledRuleBook>(std::move(versions));
}

}  // namespace retcon
