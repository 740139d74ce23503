// The inputs of `retcon plan` that are loaded whole before the returns are
// streamed: the planner (rules and catalog) and the orders.
//
//   absl::StatusOr<std::unique_ptr<const DatedPlanners>> planners =
//       LoadPlanners("rules.textproto", "catalog.json");
//   absl::StatusOr<const Planner*> planner = (*planners)->For(ret, "");
//   OrderIndex orders;
//   orders.Load("orders.ndjson", FeedFormat::kAuto, &counts, std::cerr);
//   orders.Find(ret, &order, &where);
//
// Thread-compatible.
#ifndef RETCON_EXAMPLES_RETCON_PLAN_INPUTS_H_
#define RETCON_EXAMPLES_RETCON_PLAN_INPUTS_H_

#include <memory>
#include <ostream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "examples/retcon/feed.h"
#include "examples/retcon/plan_summary.h"
#include "retcon/planner.h"
#include "retcon/v1/order.pb.h"
#include "retcon/v1/return.pb.h"

namespace retcon {
namespace cli {

// One planner per version of the rules: a rule set gives one, open-ended; a
// rule book one per version, each over its effective period.
class DatedPlanners {
 public:
  struct Version {
    std::string from;   // "" = since always.
    std::string until;  // "" = open-ended (exclusive).
    std::unique_ptr<const Planner> planner;
  };

  explicit DatedPlanners(std::vector<Version> versions)
      : versions_(std::move(versions)) {}

  // The planner for `ret`: the version in force on `as_of` when not empty,
  // else on the return's created_at (UTC date), else the latest version.
  // Errors: InvalidArgument "return.created_at: no version of the rules is
  // in force on DATE".
  absl::StatusOr<const Planner*> For(const v1::ReturnRequest& ret,
                                     const std::string& as_of) const;

 private:
  std::vector<Version> versions_;  // By effective_from.
};

// Parses and compiles the rules (a retcon.v1.RuleSet, or a RuleBook of
// versions with effective dates; text format or JSON) and reads the catalog
// (JSON or text format); creates the planners.
// Errors name the file: "rules.textproto:7: decision 'depot' ...".
absl::StatusOr<std::unique_ptr<const DatedPlanners>> LoadPlanners(
    const std::string& rules_path, const std::string& catalog_path);

// The orders, kept serialized (compact) and parsed again when a return needs
// one.
class OrderIndex {
 public:
  // Reads the feed at `path` (records of `format`); bad records are reported
  // on `err` and counted in `counts`. Errors: the file cannot be read.
  absl::Status Load(const std::string& path, FeedFormat format,
                    PlanCounts* counts, std::ostream& err);

  // The order `ret` is against, by order_id, else by order_number, and where
  // it was read. NotFound "return.order_id: order '...' is not in FILE".
  absl::Status Find(const v1::ReturnRequest& ret, v1::SalesOrder* order,
                    std::string* where) const;

 private:
  struct Entry {
    std::string bytes;  // Serialized retcon.v1.SalesOrder.
    std::string where;  // "orders.ndjson:12".
  };

  absl::Status Add(const v1::SalesOrder& order, const std::string& where);

  std::string path_;
  std::unordered_map<std::string, Entry> by_id_;
  std::unordered_map<std::string, std::string> id_by_number_;
};

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_PLAN_INPUTS_H_
