#include "examples/retcon/command_line.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "retcon/reconcile.h"

namespace retcon {
namespace cli {
namespace {

const FlagSpec* FindSpec(absl::Span<const FlagSpec> specs,
                         absl::string_view name) {
  auto it = std::find_if(specs.begin(), specs.end(),
                         [name](const FlagSpec& s) { return s.name == name; });
  return it == specs.end() ? nullptr : &*it;
}

}  // namespace

bool ParsedFlags::Has(absl::string_view name) const {
  return values_.find(name) != values_.end();
}

const std::string& ParsedFlags::Value(absl::string_view name) const {
  static const std::string* const kEmpty = new std::string;
  auto it = values_.find(name);
  return it == values_.end() ? *kEmpty : it->second.back();
}

const std::vector<std::string>& ParsedFlags::Values(
    absl::string_view name) const {
  static const auto* const kNone = new std::vector<std::string>;
  auto it = values_.find(name);
  return it == values_.end() ? *kNone : it->second;
}

// Friend of ParsedFlags: the only writer of its values.
class FlagParser {
 public:
  explicit FlagParser(absl::Span<const FlagSpec> specs) : specs_(specs) {}

  absl::Status Parse(absl::Span<const char* const> args) {
    for (size_t i = 0; i < args.size(); ++i) {
      absl::string_view word = args[i];
      if (word == "-h") word = "--help";
      if (!absl::ConsumePrefix(&word, "--") || word.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("unexpected argument '", args[i], "'"));
      }
      absl::string_view name = word.substr(0, word.find('='));
      const FlagSpec* spec = FindSpec(specs_, name);
      if (spec == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("unknown flag --", name));
      }
      const bool inline_value = name.size() < word.size();
      std::string value;
      if (spec->kind == FlagKind::kSwitch) {
        if (inline_value) {
          return absl::InvalidArgumentError(
              absl::StrCat("--", name, " takes no value"));
        }
      } else if (inline_value) {
        value = std::string(word.substr(name.size() + 1));
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " needs a value"));
      }
      auto& values = flags_.values_[std::string(name)];
      if (spec->kind != FlagKind::kRepeated && !values.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " given more than once"));
      }
      values.push_back(std::move(value));
    }
    return absl::OkStatus();
  }

  ParsedFlags Release() { return std::move(flags_); }

 private:
  absl::Span<const FlagSpec> specs_;
  ParsedFlags flags_;
};

absl::StatusOr<ParsedFlags> ParseFlags(absl::Span<const char* const> args,
                                       absl::Span<const FlagSpec> specs) {
  FlagParser parser(specs);
  absl::Status status = parser.Parse(args);
  if (!status.ok()) return status;
  return parser.Release();
}

int UsageError(absl::string_view command, absl::string_view message,
               std::ostream& err) {
  const std::string tool =
      command.empty() ? "retcon" : absl::StrCat("retcon ", command);
  err << tool << ": " << message << "\n"
      << "Run '" << tool << " --help' for usage.\n";
  return kExitUsage;
}

bool IsDate(absl::string_view date) { return ParseCivilDay(date, "").ok(); }

}  // namespace cli
}  // namespace retcon
