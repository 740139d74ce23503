// Effective dating: a rule book holds several versions of a rule set, each in
// force over a period; evaluation "as of" a date uses the version in force.
//
//   absl::StatusOr<retcon::ParsedRuleBook> parsed =
//       retcon::ParseRuleBookText(text, "book.textproto");
//   if (!parsed.ok()) return parsed.status();
//   absl::StatusOr<std::unique_ptr<const retcon::CompiledRuleBook>> book =
//       retcon::CompileRuleBook(*parsed, {});
//   if (!book.ok()) return book.status();  // "book.textproto:9: versions[1]:
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
#include <string>
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

// A rule book as parsed from a file, with the lines of each version's
// parts.
struct ParsedRuleBook {
  v1::RuleBook rule_book;
  // One per version, in order: lines of the version, its decisions, rows
  // and cells.
  std::vector<RuleSetSourceMap> source_maps;
};

// Parses a RuleBook in text format (comments allowed). Errors are
// InvalidArgument with `file_name:line:column`.
absl::StatusOr<ParsedRuleBook> ParseRuleBookText(absl::string_view text,
                                                 absl::string_view file_name);

// Compiles every version and checks that no two periods overlap. Errors
// name the version: "versions[1]: decision 'depot' ...".
absl::StatusOr<std::unique_ptr<const CompiledRuleBook>> CompileRuleBook(
    const v1::RuleBook& book, const CompileOptions& options);
// Same, citing the parsed file's lines: "book.textproto:42: versions[1]:
// decision 'depot' row 'R7' ...".
absl::StatusOr<std::unique_ptr<const CompiledRuleBook>> CompileRuleBook(
    const ParsedRuleBook& parsed, const CompileOptions& options);

}  // namespace retcon

#endif  // RETCON_RULES_BOOK_H_
