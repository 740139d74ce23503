// Loading `retcon rules` files: a retcon.v1.RuleSet, or a RuleBook of
// versions with effective dates, in text format or JSON, compiled with the
// lines of their parts for messages.
//
//   absl::StatusOr<RulesFile> file = LoadRules("rules.textproto");
//   absl::StatusOr<const RulesVersion*> version = VersionAsOf(*file, "");
//   Where(*file, **version, "depot", "r2");  // "rules.textproto:14"
//
// Thread-compatible.
#ifndef RETCON_EXAMPLES_RETCON_RULES_FILES_H_
#define RETCON_EXAMPLES_RETCON_RULES_FILES_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "retcon/rules.h"
#include "retcon/v1/rules.pb.h"

namespace retcon {
namespace cli {

// One version of a rules file, compiled, with the lines of its parts.
struct RulesVersion {
  std::shared_ptr<const CompiledRuleSet> rules;
  RuleSetSourceMap source_map;
};

// A rules file: one rule set, or a rule book's versions in file order.
struct RulesFile {
  std::string path;
  bool is_book = false;
  std::vector<RulesVersion> versions;
};

// The text of the file at `path`. NotFound "<path>: cannot open".
absl::StatusOr<std::string> ReadText(const std::string& path);

// Parses `path` as a RuleSet, else (when it has `versions`) as a RuleBook,
// and compiles every version. Errors name the file (and line).
absl::StatusOr<RulesFile> LoadRules(const std::string& path);

// The version in force on `as_of`, or, without a date, the latest one.
absl::StatusOr<const RulesVersion*> VersionAsOf(const RulesFile& file,
                                                const std::string& as_of);

// "rule set 'id' version 'v', in force from D until E (exclusive)".
std::string Describe(const v1::RuleSet& set);

// The index of a decision by name, of a row by id; -1 when there is none.
int DecisionIndexOf(const v1::RuleSet& set, absl::string_view name);
int RowIndexOf(const v1::Decision& decision, absl::string_view id);

// "file:line" of a decision's row (or of the decision when the row is not
// known); "file" when the line is unknown.
std::string Where(const RulesFile& file, const RulesVersion& version,
                  absl::string_view decision, absl::string_view row_id);

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_RULES_FILES_H_
