// CompileRuleBook and evaluation as of a date.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/internal/iso_date.h"
#include "lib/rules/internal/compile_error.h"
#include "retcon/rules_book.h"

namespace retcon {
namespace {

// Whether [from, until) contains `date`; ISO dates compare as strings.
bool Covers(const CompiledRuleBook::Version& v, const std::string& date) {
  return (v.from.empty() || v.from <= date) &&
         (v.until.empty() || date < v.until);
}

// A compiled version and its place in the book.
struct Numbered {
  CompiledRuleBook::Version version;
  int index = 0;
};

// Versions sorted by from ("" first) overlap when one starts before the
// previous one ends. The error cites the later version's line, if known.
absl::Status CheckNoOverlap(const std::vector<Numbered>& v,
                            const std::vector<RuleSetSourceMap>* maps) {
  for (size_t i = 1; i < v.size(); ++i) {
    const auto& prev = v[i - 1].version;
    const auto& next = v[i].version;
    if (prev.until.empty() || next.from.empty() || next.from < prev.until) {
      const v1::RuleSet& a = prev.rules->rule_set();
      const v1::RuleSet& b = next.rules->rule_set();
      std::string where;
      if (maps != nullptr && maps->at(v[i].index).Line(-1, -1, -1) > 0) {
        const RuleSetSourceMap& map = maps->at(v[i].index);
        where = absl::StrCat(map.file_name(), ":", map.Line(-1, -1, -1), ": ");
      }
      return absl::InvalidArgumentError(absl::StrCat(
          where, "versions '", a.version(), "' [", a.effective_from(), ", ",
          a.effective_until(), ") and '", b.version(), "' [",
          b.effective_from(), ", ", b.effective_until(), ") overlap"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<const CompiledRuleBook>> Compile(
    const v1::RuleBook& book, const CompileOptions& options,
    const std::vector<RuleSetSourceMap>* maps) {
  std::vector<Numbered> numbered;
  for (int i = 0; i < book.versions_size(); ++i) {
    const RuleSetSourceMap* map =
        maps != nullptr && i < static_cast<int>(maps->size()) ? &maps->at(i)
                                                              : nullptr;
    auto rules = rules_internal::CompileRuleSetIn(
        book.versions(i), options, map, absl::StrCat("versions[", i, "]: "));
    if (!rules.ok()) return rules.status();
    numbered.push_back({{*std::move(rules), book.versions(i).effective_from(),
                         book.versions(i).effective_until()},
                        i});
  }
  std::stable_sort(numbered.begin(), numbered.end(),
                   [](const Numbered& a, const Numbered& b) {
                     return a.version.from < b.version.from;
                   });
  absl::Status status = CheckNoOverlap(numbered, maps);
  if (!status.ok()) return status;
  std::vector<CompiledRuleBook::Version> versions;
  for (Numbered& n : numbered) versions.push_back(std::move(n.version));
  return std::make_unique<const CompiledRuleBook>(std::move(versions));
}

}  // namespace

absl::StatusOr<const CompiledRuleSet*> CompiledRuleBook::AsOf(
    absl::string_view date) const {
  if (!internal::IsIsoDate(date)) {
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
  return Compile(book, options, nullptr);
}

absl::StatusOr<std::unique_ptr<const CompiledRuleBook>> CompileRuleBook(
    const ParsedRuleBook& parsed, const CompileOptions& options) {
  return Compile(parsed.rule_book, options, &parsed.source_maps);
}

}  // namespace retcon
