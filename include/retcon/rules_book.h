// Effective dating: a rule book holds several versions of a rule set, each in
// force over a period; evaluation "as of" a date uses the version in force.
//
//   absl::StatusOr<std::unique_ptr<const retcon::CompiledRuleBook>> book =
//       retcon::CompileRuleBook(rule_book, {});
//   if (!book.ok()) return book.status();  // overlapping periods, bad rules
//   absl::StatusOr<const retcon::CompiledRuleSet*> rules =
//       (*book)->AsOf("2026-11-28");
//   if (rules.ok()) (*rules)->Evaluate("depot", line);
//
// Periods: effective_from inclusive, effective_until exclusive, either end
// open when empty. Two versions whose periods share a day are a compile
// error; a date no version covers is NotFound.
#ifndef RETCON_RULES_BOOK_H_
#define RETCON_RULES_BOOK_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "retcon/rules.h"
#include "retcon/v1/rules.pb.h"

namespace retcon {

// Compiled versions of a rule book. Immutable and thread-safe.
class CompiledRuleBook {
 public:
  struct Version {
    std::unique_ptr<const CompiledRuleSet> rules;
    std::string from;   // "" = since always
    std::string until;  // "" = open-ended
  };

  explicit CompiledRuleBook(std::vector<Version> versions)
      : versions_(std::move(versions)) {}

  // The version in force on `date` ("YYYY-MM-DD"). InvalidArgument for a
  // malformed date, NotFound when no version covers it. The pointer lives
  // as long as this book.
  absl::StatusOr<const CompiledRuleSet*> AsOf(absl::string_view date) const;

  // Versions ordered by effective_from.
  const std::vector<Version>& versions() const { return versions_; }

 private:
  std::vector<Version> versions_;
};

// Compiles every version (errors are prefixed "versions[i]: ") and checks
// that no two periods overlap.
absl::StatusOr<std::unique_ptr<const CompiledRuleBook>> CompileRuleBook(
    const v1::RuleBook& book, const CompileOptions& options);

}  // namespace retcon

#endif  // RETCON_RULES_BOOK_H_
