// Compile errors that name where they are: file:line, decision, row, input.
#ifndef RETCON_LIB_RULES_INTERNAL_COMPILE_ERROR_H_
#define RETCON_LIB_RULES_INTERNAL_COMPILE_ERROR_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "lib/rules/internal/compiled_decision.h"
#include "retcon/rules.h"
#include "retcon/v1/rules.pb.h"

namespace retcon {
namespace rules_internal {

// The part of a rule set an error is about. Indexes are -1 when not known.
struct Where {
  const RuleSetSourceMap* source_map = nullptr;
  std::string scope;  // Which rule set, in a book: "versions[1]: ".
  int decision = -1;
  int row = -1;
  int cell = -1;
  std::string decision_name;
  std::string row_id;
  std::string input;   // "input 'inspection.condition'"
  std::string output;  // "output 'depot'"
};

// InvalidArgument "file:line: decision 'd' row 'r' input 'i': message",
// with where.scope after the location.
absl::Status ErrorAt(const Where& where, absl::string_view message);

// CompileRuleSet for rule set `scope` ("versions[1]: ", or "") of a file:
// errors read "file:line: versions[1]: decision ...".
absl::StatusOr<std::unique_ptr<const CompiledRuleSet>> CompileRuleSetIn(
    const v1::RuleSet& rule_set, const CompileOptions& options,
    const RuleSetSourceMap* source_map, absl::string_view scope);

// Converts a cell to its normal form for `input`; errors are bare messages
// ("unknown enum value 'BROKEN' of retcon.v1.ItemCondition"). Regexes are
// compiled through `regexes`.
absl::StatusOr<NormalCell> NormalizeCell(const v1::Cell& cell,
                                         const InputPath& input,
                                         const CompileOptions& options,
                                         RegexCache& regexes);

// Checks that `value` has the type of `output`.
absl::Status CheckOutputValue(const v1::Value& value, const v1::Output& output,
                              const google::protobuf::DescriptorPool& pool);

// Resolves a dotted field path in `type`.
absl::StatusOr<InputPath> ResolveInputPath(
    absl::string_view path, const google::protobuf::Descriptor* type);

}  // namespace rules_internal
}  // namespace retcon

#endif  // RETCON_LIB_RULES_INTERNAL_COMPILE_ERROR_H_
