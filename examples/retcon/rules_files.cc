#include "examples/retcon/rules_files.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "examples/retcon/documents.h"
#include "google/protobuf/util/json_util.h"
#include "retcon/rules.h"
#include "retcon/rules_book.h"
#include "retcon/v1/facts.pb.h"

namespace retcon {
namespace cli {
namespace {

// The fact types must be in the generated pool before compiling.
void LinkFactTypes() {
  v1::ReturnItemFact::descriptor();
  v1::RefundFact::descriptor();
  v1::ExchangeFact::descriptor();
  v1::ExceptionFact::descriptor();
}

absl::StatusOr<v1::RuleBook> ParseBookJson(const std::string& path,
                                           const std::string& text) {
  v1::RuleBook book;
  google::protobuf::util::JsonParseOptions options;
  auto status =
      google::protobuf::util::JsonStringToMessage(text, &book, options);
  if (status.ok()) return book;
  return absl::InvalidArgumentError(absl::StrCat(
      path, ": ",
      std::string(status.message().data(), status.message().size())));
}

// The versions of a rule book (text or JSON), checked for overlapping
// periods, into `sets` and `file`.
absl::Status ParseBook(const std::string& path, const std::string& text,
                       bool is_text, std::vector<v1::RuleSet>* sets,
                       RulesFile* file) {
  file->is_book = true;
  v1::RuleBook book;
  std::vector<RuleSetSourceMap> source_maps;
  absl::StatusOr<std::unique_ptr<const CompiledRuleBook>> compiled;
  if (is_text) {
    absl::StatusOr<ParsedRuleBook> parsed = ParseRuleBookText(text, path);
    if (!parsed.ok()) return parsed.status();
    compiled = CompileRuleBook(*parsed, CompileOptions{});
    book = parsed->rule_book;
    source_maps = parsed->source_maps;
  } else {
    absl::StatusOr<v1::RuleBook> parsed = ParseBookJson(path, text);
    if (!parsed.ok()) return parsed.status();
    book = *parsed;
    compiled = CompileRuleBook(book, CompileOptions{});
    if (!compiled.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": ", compiled.status().message()));
    }
    source_maps.assign(book.versions_size(), RuleSetSourceMap(path));
  }
  if (!compiled.ok()) return compiled.status();
  for (int v = 0; v < book.versions_size(); ++v) {
    sets->push_back(book.versions(v));
    file->versions.push_back({nullptr, source_maps[v]});
  }
  return absl::OkStatus();
}

// Compiles each of `sets` into the matching version of `file`, naming the
// file in errors that have no line (JSON).
absl::Status CompileVersions(const std::vector<v1::RuleSet>& sets,
                             RulesFile* file) {
  for (size_t v = 0; v < sets.size(); ++v) {
    RulesVersion& version = file->versions[v];
    absl::StatusOr<std::unique_ptr<const CompiledRuleSet>> compiled =
        CompileRuleSet(sets[v], CompileOptions{}, &version.source_map);
    if (!compiled.ok()) {
      absl::string_view message = compiled.status().message();
      if (absl::StartsWith(message, file->path)) return compiled.status();
      return absl::InvalidArgumentError(absl::StrCat(
          file->path, ": ",
          file->is_book ? absl::StrCat("versions[", v, "]: ") : "", message));
    }
    version.rules = std::move(*compiled);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

absl::StatusOr<RulesFile> LoadRules(const std::string& path) {
  LinkFactTypes();
  absl::StatusOr<std::string> text = ReadText(path);
  if (!text.ok()) return text.status();
  const bool is_text = FormatOf(path) == DocumentFormat::kText;
  RulesFile file;
  file.path = path;
  std::vector<v1::RuleSet> sets;
  absl::StatusOr<ParsedRuleSet> set =
      is_text ? ParseRuleSetText(*text, path) : ParseRuleSetJson(*text, path);
  if (set.ok()) {
    sets.push_back(set->rule_set);
    file.versions.push_back({nullptr, set->source_map});
  } else if (!absl::StrContains(set.status().message(), "versions")) {
    return set.status();
  } else if (absl::Status s = ParseBook(path, *text, is_text, &sets, &file);
             !s.ok()) {
    return s;
  }
  if (absl::Status s = CompileVersions(sets, &file); !s.ok()) return s;
  return file;
}

absl::StatusOr<const RulesVersion*> VersionAsOf(const RulesFile& file,
                                                const std::string& as_of) {
  const RulesVersion* latest = nullptr;
  for (const RulesVersion& v : file.versions) {
    const v1::RuleSet& set = v.rules->rule_set();
    if (as_of.empty()) {
      if (latest == nullptr ||
          set.effective_from() > latest->rules->rule_set().effective_from()) {
        latest = &v;
      }
      continue;
    }
    if ((set.effective_from().empty() || set.effective_from() <= as_of) &&
        (set.effective_until().empty() || as_of < set.effective_until())) {
      return &v;
    }
  }
  if (latest != nullptr) return latest;
  return absl::NotFoundError(absl::StrCat(
      file.path, ": no version of the rules is in force on ", as_of));
}

std::string Describe(const v1::RuleSet& set) {
  std::string text = absl::StrCat("rule set '", set.id(), "'");
  if (!set.version().empty())
    absl::StrAppend(&text, " version '", set.version(), "'");
  if (!set.effective_from().empty() || !set.effective_until().empty()) {
    absl::StrAppend(&text, ", in force ",
                    set.effective_from().empty()
                        ? "since always"
                        : "from " + set.effective_from(),
                    set.effective_until().empty()
                        ? ""
                        : " until " + set.effective_until() + " (exclusive)");
  }
  return text;
}

int DecisionIndexOf(const v1::RuleSet& set, absl::string_view name) {
  for (int d = 0; d < set.decisions_size(); ++d) {
    if (set.decisions(d).name() == name) return d;
  }
  return -1;
}

int RowIndexOf(const v1::Decision& decision, absl::string_view id) {
  for (int r = 0; r < decision.rows_size(); ++r) {
    if (decision.rows(r).id() == id) return r;
  }
  return -1;
}

std::string Where(const RulesFile& file, const RulesVersion& version,
                  absl::string_view decision, absl::string_view row_id) {
  const v1::RuleSet& set = version.rules->rule_set();
  const int d = DecisionIndexOf(set, decision);
  const int r = d < 0 ? -1 : RowIndexOf(set.decisions(d), row_id);
  const int line = version.source_map.Line(d, r, -1);
  return line > 0 ? absl::StrCat(file.path, ":", line) : file.path;
}

}  // namespace cli
}  // namespace retcon
