// Parsing rule sets and rule books from text format (with line numbers)
// and rule sets from JSON; the source map.
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "retcon/rules.h"
#include "retcon/rules_book.h"

namespace retcon {
namespace {

using google::protobuf::TextFormat;

// Keeps the first parse error, with its 1-based position.
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  explicit FirstError(absl::string_view file_name) : file_name_(file_name) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (!message_.empty()) return;
    message_ =
        absl::StrCat(file_name_, ":", line + 1, ":", column + 1, ": ", message);
  }
  const std::string& message() const { return message_; }

 private:
  std::string file_name_;
  std::string message_;
};

void RecordRows(const TextFormat::ParseInfoTree& tree, int d,
                RuleSetSourceMap& map) {
  const auto* desc = v1::Decision::descriptor();
  const auto* rows = desc->FindFieldByName("rows");
  const auto* cells = v1::Row::descriptor()->FindFieldByName("cells");
  for (int r = 0;; ++r) {
    auto location = tree.GetLocation(rows, r);
    if (location.line < 0) break;
    map.Set(d, r, -1, location.line + 1);
    const TextFormat::ParseInfoTree* row_tree = tree.GetTreeForNested(rows, r);
    if (row_tree == nullptr) continue;
    for (int c = 0;; ++c) {
      auto cell = row_tree->GetLocation(cells, c);
      if (cell.line < 0) break;
      map.Set(d, r, c, cell.line + 1);
    }
  }
}

// Records the lines of the decisions, rows and cells of the rule set whose
// parse locations are `tree`.
void RecordRuleSet(const TextFormat::ParseInfoTree& tree,
                   RuleSetSourceMap& map) {
  const auto* decisions =
      v1::RuleSet::descriptor()->FindFieldByName("decisions");
  for (int d = 0;; ++d) {
    auto location = tree.GetLocation(decisions, d);
    if (location.line < 0) break;
    map.Set(d, -1, -1, location.line + 1);
    const TextFormat::ParseInfoTree* nested =
        tree.GetTreeForNested(decisions, d);
    if (nested != nullptr) RecordRows(*nested, d, map);
  }
}

// Parses `text` into `message`, recording locations in `tree`.
absl::Status ParseText(absl::string_view text, absl::string_view file_name,
                       google::protobuf::Message& message,
                       TextFormat::ParseInfoTree& tree) {
  FirstError errors(file_name);
  TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(&tree);
  if (!parser.ParseFromString(std::string(text), &message)) {
    return absl::InvalidArgumentError(errors.message());
  }
  return absl::OkStatus();
}

}  // namespace

int RuleSetSourceMap::Line(int d, int r, int c) const {
  for (const auto& key :
       {std::make_tuple(d, r, c), std::make_tuple(d, r, -1),
        std::make_tuple(d, -1, -1), std::make_tuple(-1, -1, -1)}) {
    auto it = lines_.find(key);
    if (it != lines_.end()) return it->second;
  }
  return 0;
}

absl::StatusOr<ParsedRuleSet> ParseRuleSetText(absl::string_view text,
                                               absl::string_view file_name) {
  ParsedRuleSet parsed;
  parsed.source_map = RuleSetSourceMap(std::string(file_name));
  TextFormat::ParseInfoTree tree;
  absl::Status status = ParseText(text, file_name, parsed.rule_set, tree);
  if (!status.ok()) return status;
  RecordRuleSet(tree, parsed.source_map);
  return parsed;
}

absl::StatusOr<ParsedRuleBook> ParseRuleBookText(absl::string_view text,
                                                 absl::string_view file_name) {
  ParsedRuleBook parsed;
  TextFormat::ParseInfoTree tree;
  absl::Status status = ParseText(text, file_name, parsed.rule_book, tree);
  if (!status.ok()) return status;
  const auto* versions =
      v1::RuleBook::descriptor()->FindFieldByName("versions");
  for (int v = 0; v < parsed.rule_book.versions_size(); ++v) {
    RuleSetSourceMap& map =
        parsed.source_maps.emplace_back(std::string(file_name));
    auto location = tree.GetLocation(versions, v);
    if (location.line >= 0) map.Set(-1, -1, -1, location.line + 1);
    const TextFormat::ParseInfoTree* nested =
        tree.GetTreeForNested(versions, v);
    if (nested != nullptr) RecordRuleSet(*nested, map);
  }
  return parsed;
}

absl::StatusOr<ParsedRuleSet> ParseRuleSetJson(absl::string_view json,
                                               absl::string_view file_name) {
  ParsedRuleSet parsed;
  parsed.source_map = RuleSetSourceMap(std::string(file_name));
  auto status = google::protobuf::util::JsonStringToMessage(std::string(json),
                                                            &parsed.rule_set);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ": ", std::string(status.message())));
  }
  return parsed;
}

}  // namespace retcon
