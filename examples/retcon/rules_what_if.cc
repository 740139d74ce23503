#include "examples/retcon/rules_what_if.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "examples/retcon/documents.h"
#include "examples/retcon/rules_files.h"
#include "examples/retcon/rules_what_if_feed.h"
#include "examples/retcon/rules_what_if_outcomes.h"
#include "retcon/planner.h"
#include "retcon/rules_what_if.h"
#include "retcon/v1/catalog.pb.h"
#include "retcon/v1/facts.pb.h"

namespace retcon {
namespace cli {
namespace {

// Some records were reported and skipped, the rest compared: the exit code
// `retcon plan` gives the same case.
constexpr int kExitSkippedRecords = 3;

// "1 return", "2 returns".
std::string Count(size_t n, absl::string_view noun) {
  return absl::StrCat(n, " ", noun, n == 1 ? "" : "s");
}

void PrintChanges(
    const std::map<std::pair<std::string, std::string>, ChangeGroup>& groups,
    std::ostream& out) {
  std::vector<std::pair<std::pair<std::string, std::string>, ChangeGroup>>
      sorted(groups.begin(), groups.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) {
                     return a.second.count > b.second.count;
                   });
  for (const auto& [outcomes, group] : sorted) {
    out << "\n"
        << group.count << " x\n  old: " << outcomes.first
        << "\n  new: " << outcomes.second << "\n  e.g. "
        << absl::StrJoin(group.examples, ", ") << "\n";
  }
}

absl::StatusOr<std::unique_ptr<const Planner>> PlannerFor(
    const RulesFile& file, const std::string& as_of,
    const v1::Catalog& catalog) {
  absl::StatusOr<const RulesVersion*> version = VersionAsOf(file, as_of);
  if (!version.ok()) return version.status();
  absl::StatusOr<std::unique_ptr<const Planner>> planner =
      Planner::Create((*version)->rules, catalog);
  if (!planner.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file.path, ": ", planner.status().message()));
  }
  return planner;
}

int PlannedWhatIf(const ParsedFlags& flags, const RulesFile& old_rules,
                  const RulesFile& new_rules, const Feed& feed, int examples,
                  std::ostream& out, std::ostream& err) {
  v1::Catalog catalog;
  if (flags.Has("catalog")) {
    if (absl::Status s =
            ReadDocument(flags.Value("catalog"), "catalog", &catalog);
        !s.ok()) {
      err << "retcon rules what-if: " << s.message() << "\n";
      return kExitError;
    }
  }
  const std::string as_of = flags.Value("as-of");
  absl::StatusOr<std::unique_ptr<const Planner>> old_planner =
      PlannerFor(old_rules, as_of, catalog);
  absl::StatusOr<std::unique_ptr<const Planner>> new_planner =
      old_planner.ok() ? PlannerFor(new_rules, as_of, catalog)
                       : old_planner.status();
  if (!new_planner.ok()) {
    err << "retcon rules what-if: " << new_planner.status().message() << "\n";
    return kExitError;
  }
  WhatIfSide before(*std::move(old_planner)), after(*std::move(new_planner));
  OutcomeTally tally(examples);
  int planned = 0, skipped = feed.skipped;
  for (size_t i = 0; i < feed.returns.size(); ++i) {
    const v1::ReturnRequest& ret = feed.returns[i];
    const v1::SalesOrder* order = feed.OrderOf(ret);
    if (order == nullptr) {
      err << "retcon rules what-if: " << feed.return_where[i] << ": order '"
          << ret.order_id() << "' of return '" << ret.return_id()
          << "' is not in " << flags.Value("orders") << " (skipped)\n";
      ++skipped;
      continue;
    }
    ++planned;
    tally.Add(ret.return_id(), before.Outcomes(*order, ret),
              after.Outcomes(*order, ret));
  }
  out << "What-if: " << old_rules.path << " (old) -> " << new_rules.path
      << " (new)\n"
      << "Planned " << Count(planned, "return") << " against "
      << Count(feed.orders.size(), "order") << " under both; "
      << tally.outcomes()
      << " outcomes compared (one per return line, one per return)";
  if (skipped > 0) out << "; " << Count(skipped, "record") << " skipped";
  out << "\nExceptions (old): " << before.ExceptionCounts()
      << "\nExceptions (new): " << after.ExceptionCounts()
      << "\nChanged: " << tally.changed() << " outcomes in "
      << Count(tally.changed_returns(), "return") << "\n";
  PrintChanges(tally.groups(), out);
  return skipped > 0 ? kExitSkippedRecords : kExitOk;
}

// Facts from the return alone, one per line, for depot and disposition.
v1::ReturnItemFact FactOfLine(const v1::ReturnRequest& ret,
                              const v1::ReturnLine& line) {
  v1::ReturnItemFact fact;
  fact.set_source(ret.source());
  fact.set_reason_code(line.reason_code());
  fact.set_condition(line.inspection().condition());
  if (line.inspection().has_restockable()) {
    fact.set_restockable(line.inspection().restockable());
  }
  if (line.inspection().has_returned()) {
    fact.set_returned(line.inspection().returned());
  }
  fact.set_return_location(line.inspection().return_location());
  fact.set_currency_code(ret.currency_code());
  fact.set_platform_sku(line.platform_sku());
  fact.set_resolution(line.resolution());
  fact.set_out_of_policy(ret.out_of_policy());
  fact.set_quantity(line.quantity());
  return fact;
}

int FactWhatIf(const RulesFile& old_rules, const RulesFile& new_rules,
               const std::string& as_of, const Feed& feed, int examples,
               std::ostream& out, std::ostream& err) {
  absl::StatusOr<const RulesVersion*> a = VersionAsOf(old_rules, as_of);
  absl::StatusOr<const RulesVersion*> b =
      a.ok() ? VersionAsOf(new_rules, as_of) : a;
  if (!b.ok()) {
    err << "retcon rules what-if: " << b.status().message() << "\n";
    return kExitError;
  }
  std::vector<v1::ReturnItemFact> facts;
  std::vector<FactRef> refs;
  for (const v1::ReturnRequest& ret : feed.returns) {
    for (const v1::ReturnLine& line : ret.lines())
      facts.push_back(FactOfLine(ret, line));
  }
  size_t f = 0;
  for (const v1::ReturnRequest& ret : feed.returns) {
    for (const v1::ReturnLine& line : ret.lines()) {
      refs.push_back({absl::StrCat(ret.return_id(), "/", line.return_line_id()),
                      &facts[f++]});
    }
  }
  out << "What-if: " << old_rules.path << " (old) -> " << new_rules.path
      << " (new), on facts from " << Count(feed.returns.size(), "return")
      << " alone (no orders: the order's fields are empty)";
  if (feed.skipped > 0) {
    out << "; " << Count(feed.skipped, "record") << " skipped";
  }
  out << "\n";
  for (absl::string_view decision : {"depot", "disposition"}) {
    if ((*a)->rules->DecisionIndex(decision) < 0 ||
        (*b)->rules->DecisionIndex(decision) < 0) {
      out << "\nDecision '" << decision << "': not in both rule sets\n";
      continue;
    }
    absl::StatusOr<WhatIfReport> report =
        CompareRuleSets(*(*a)->rules, *(*b)->rules, decision, refs, examples);
    if (!report.ok()) {
      err << "retcon rules what-if: " << report.status().message() << "\n";
      return kExitError;
    }
    out << "\nDecision '" << decision << "': " << report->changed << " of "
        << report->facts << " return lines change\n";
    std::map<std::pair<std::string, std::string>, ChangeGroup> groups;
    for (const OutcomeChange& c : report->changes) {
      groups[{c.old_outcome, c.new_outcome}] = {c.count, c.example_ids};
    }
    PrintChanges(groups, out);
  }
  return feed.skipped > 0 ? kExitSkippedRecords : kExitOk;
}

}  // namespace

int RunRulesWhatIf(const ParsedFlags& flags, std::ostream& out,
                   std::ostream& err) {
  for (absl::string_view required : {"old", "new", "returns"}) {
    if (!flags.Has(required)) {
      return UsageError("rules what-if",
                        absl::StrCat("--", required, " is required"), err);
    }
  }
  if (flags.Has("catalog") && !flags.Has("orders")) {
    return UsageError("rules what-if", "--catalog needs --orders", err);
  }
  int examples = 5;
  if (flags.Has("examples") &&
      (!absl::SimpleAtoi(flags.Value("examples"), &examples) || examples < 0)) {
    return UsageError("rules what-if",
                      absl::StrCat("--examples ", flags.Value("examples"),
                                   ": expected a whole number >= 0"),
                      err);
  }
  if (flags.Has("as-of") && !IsDate(flags.Value("as-of"))) {
    return UsageError(
        "rules what-if",
        absl::StrCat("--as-of ", flags.Value("as-of"), ": expected YYYY-MM-DD"),
        err);
  }
  absl::StatusOr<RulesFile> old_rules = LoadRules(flags.Value("old"));
  absl::StatusOr<RulesFile> new_rules =
      old_rules.ok() ? LoadRules(flags.Value("new")) : old_rules.status();
  if (!new_rules.ok()) {
    err << "retcon rules what-if: " << new_rules.status().message() << "\n";
    return kExitError;
  }
  Feed feed;
  absl::Status read = ReadFeed(flags.Value("returns"), true, &feed, err);
  if (read.ok() && flags.Has("orders")) {
    read = ReadFeed(flags.Value("orders"), false, &feed, err);
  }
  if (!read.ok()) {
    err << "retcon rules what-if: " << read.message() << "\n";
    return kExitError;
  }
  if (flags.Has("orders")) {
    return PlannedWhatIf(flags, *old_rules, *new_rules, feed, examples, out,
                         err);
  }
  return FactWhatIf(*old_rules, *new_rules, flags.Value("as-of"), feed,
                    examples, out, err);
}

}  // namespace cli
}  // namespace retcon
