// The inputs of `retcon plan` that are loaded whole before the returns are
// streamed: the planner (rules and catalog) and the orders.
//
//   absl::StatusOr<std::unique_ptr<const Planner>> planner =
//       LoadPlanner("rules.textproto", "catalog.json");
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

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "examples/retcon/feed.h"
#include "examples/retcon/plan_summary.h"
#include "retcon/planner.h"
#include "retcon/v1/order.pb.h"
#include "retcon/v1/return.pb.h"

namespace retcon {
namespace cli {

// Parses and compiles the rules (a retcon.v1.RuleSet, text format or JSON)
// and reads the catalog (JSON or text format); creates the planner.
// Errors name the file: "rules.textproto:7: decision 'depot' ...".
absl::StatusOr<std::unique_ptr<const Planner>> LoadPlanner(
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
