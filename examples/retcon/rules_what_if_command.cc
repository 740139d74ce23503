#include "examples/retcon/rules_what_if_command.h"

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
#include "examples/retcon/command_line.h"
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

// The planners of both rule sets (the versions in force on --as-of) with the
// --catalog, or an empty one.
absl::Status CreatePlanners(const ParsedFlags& flags,
                            const RulesFile& old_rules,
                            const RulesFile& new_rules,
                            std::unique_ptr<const Planner>* old_planner,
                            std::unique_ptr<const Planner>* new_planner) {
  v1::Catalog catalog;
  if (flags.Has("catalog")) {
    if (absl::Status s =
            ReadDocument(flags.Value("catalog"), "catalog", &catalog);
        !s.ok()) {
      return s;
    }
  }
  const std::string as_of = flags.Value("as-of");
  absl::StatusOr<std::unique_ptr<const Planner>> old_created =
      PlannerFor(old_rules, as_of, catalog);
  if (!old_created.ok()) return old_created.status();
  absl::StatusOr<std::unique_ptr<const Planner>> new_created =
      PlannerFor(new_rules, as_of, catalog);
  if (!new_created.ok()) return new_created.status();
  *old_planner = *std::move(old_created);
  *new_planner = *std::move(new_created);
  return absl::OkStatus();
}

// Plans each return of `feed` against its order under both rule sets into
// `tally`. A return whose order is not in the feed is reported on `err` and
// counted in `skipped`. Returns how many returns were planned.
int PlanReturns(const Feed& feed, const std::string& orders_path,
                WhatIfSide* before, WhatIfSide* after, OutcomeTally* tally,
                int* skipped, std::ostream& err) {
  int planned = 0;
  for (size_t i = 0; i < feed.returns.size(); ++i) {
    const v1::ReturnRequest& ret = feed.returns[i];
    const v1::SalesOrder* order = feed.OrderOf(ret);
    if (order == nullptr) {
      err << "retcon rules what-if: " << feed.return_where[i] << ": order '"
          << ret.order_id() << "' of return '" << ret.return_id()
          << "' is not in " << orders_path << " (skipped)\n";
      ++*skipped;
      continue;
    }
    ++planned;
    tally->Add(ret.return_id(), before->Outcomes(*order, ret),
               after->Outcomes(*order, ret));
  }
  return planned;
}

// what-if with --orders: plans every return under both rule sets.
int PlannedWhatIf(const ParsedFlags& flags, const RulesFile& old_rules,
                  const RulesFile& new_rules, const Feed& feed, int examples,
                  std::ostream& out, std::ostream& err) {
  std::unique_ptr<const Planner> old_planner, new_planner;
  if (absl::Status s = CreatePlanners(flags, old_rules, new_rules, &old_planner,
                                      &new_planner);
      !s.ok()) {
    err << "retcon rules what-if: " << s.message() << "\n";
    return kExitError;
  }
  WhatIfSide before(std::move(old_planner)), after(std::move(new_planner));
  OutcomeTally tally(examples);
  int skipped = feed.skipped;
  const int planned = PlanReturns(feed, flags.Value("orders"), &before, &after,
                                  &tally, &skipped, err);
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
  return skipped > 0 ? kExitPartial : kExitOk;
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

// One fact per return line of `feed` into `facts`, and into `refs` a
// reference to each, named "return_id/return_line_id".
// REQUIRES: `facts` is empty, and is not changed while `refs` is used.
void FactsOfLines(const Feed& feed, std::vector<v1::ReturnItemFact>* facts,
                  std::vector<FactRef>* refs) {
  for (const v1::ReturnRequest& ret : feed.returns) {
    for (const v1::ReturnLine& line : ret.lines())
      facts->push_back(FactOfLine(ret, line));
  }
  size_t f = 0;
  for (const v1::ReturnRequest& ret : feed.returns) {
    for (const v1::ReturnLine& line : ret.lines()) {
      refs->push_back(
          {absl::StrCat(ret.return_id(), "/", line.return_line_id()),
           &(*facts)[f++]});
    }
  }
}

// Compares `decision` of the old and new rules on `refs` and prints how its
// outcomes change, or that one of the rule sets has no such decision.
absl::Status PrintDecisionChanges(const CompiledRuleSet& old_rules,
                                  const CompiledRuleSet& new_rules,
                                  absl::string_view decision,
                                  const std::vector<FactRef>& refs,
                                  int examples, std::ostream& out) {
  if (old_rules.DecisionIndex(decision) < 0 ||
      new_rules.DecisionIndex(decision) < 0) {
    out << "\nDecision '" << decision << "': not in both rule sets\n";
    return absl::OkStatus();
  }
  absl::StatusOr<WhatIfReport> report =
      CompareRuleSets(old_rules, new_rules, decision, refs, examples);
  if (!report.ok()) return report.status();
  out << "\nDecision '" << decision << "': " << report->changed << " of "
      << report->facts << " return lines change\n";
  std::map<std::pair<std::string, std::string>, ChangeGroup> groups;
  for (const OutcomeChange& c : report->changes) {
    groups[{c.old_outcome, c.new_outcome}] = {c.count, c.example_ids};
  }
  PrintChanges(groups, out);
  return absl::OkStatus();
}

// what-if without --orders: compares depot and disposition on facts built
// from the returns alone.
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
  FactsOfLines(feed, &facts, &refs);
  out << "What-if: " << old_rules.path << " (old) -> " << new_rules.path
      << " (new), on facts from " << Count(feed.returns.size(), "return")
      << " alone (no orders: the order's fields are empty)";
  if (feed.skipped > 0) {
    out << "; " << Count(feed.skipped, "record") << " skipped";
  }
  out << "\n";
  for (absl::string_view decision : {"depot", "disposition"}) {
    if (absl::Status s = PrintDecisionChanges(*(*a)->rules, *(*b)->rules,
                                              decision, refs, examples, out);
        !s.ok()) {
      err << "retcon rules what-if: " << s.message() << "\n";
      return kExitError;
    }
  }
  return feed.skipped > 0 ? kExitPartial : kExitOk;
}

// What is wrong with the command line, as UsageError tells it; OK if nothing.
// Sets `examples` from --examples (default 5).
absl::Status WhatIfUsage(const ParsedFlags& flags, int* examples) {
  for (absl::string_view required : {"old", "new", "returns"}) {
    if (!flags.Has(required)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", required, " is required"));
    }
  }
  if (flags.Has("catalog") && !flags.Has("orders")) {
    return absl::InvalidArgumentError("--catalog needs --orders");
  }
  *examples = 5;
  if (flags.Has("examples") &&
      (!absl::SimpleAtoi(flags.Value("examples"), examples) || *examples < 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--examples ", flags.Value("examples"),
                     ": expected a whole number >= 0"));
  }
  if (flags.Has("as-of") && !IsDate(flags.Value("as-of"))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--as-of ", flags.Value("as-of"), ": expected YYYY-MM-DD"));
  }
  return absl::OkStatus();
}

// The --returns (and --orders) feeds; bad records are reported on `err`.
absl::Status ReadFeeds(const ParsedFlags& flags, Feed* feed,
                       std::ostream& err) {
  absl::Status read = ReadFeed(flags.Value("returns"), true, feed, err);
  if (read.ok() && flags.Has("orders")) {
    read = ReadFeed(flags.Value("orders"), false, feed, err);
  }
  return read;
}

}  // namespace

int RunRulesWhatIf(const ParsedFlags& flags, std::ostream& out,
                   std::ostream& err) {
  int examples = 5;
  if (absl::Status usage = WhatIfUsage(flags, &examples); !usage.ok()) {
    return UsageError("rules what-if", usage.message(), err);
  }
  absl::StatusOr<RulesFile> old_rules = LoadRules(flags.Value("old"));
  absl::StatusOr<RulesFile> new_rules =
      old_rules.ok() ? LoadRules(flags.Value("new")) : old_rules.status();
  if (!new_rules.ok()) {
    err << "retcon rules what-if: " << new_rules.status().message() << "\n";
    return kExitError;
  }
  Feed feed;
  if (absl::Status read = ReadFeeds(flags, &feed, err); !read.ok()) {
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
