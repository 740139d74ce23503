// What `retcon rules what-if --orders` compares: the outcome of each return
// line (stock, credit, exchange, the exceptions holding it back) and of each
// return (shipping refunded, exceptions holding back no line), as text,
// under the old and the new rules, tallied by (old, new).
//
//   WhatIfSide before(std::move(old_planner)), after(std::move(new_planner));
//   OutcomeTally tally(/*max_examples=*/5);
//   tally.Add(ret.return_id(), before.Outcomes(order, ret),
//             after.Outcomes(order, ret));
//
// Thread-compatible.
#ifndef RETCON_EXAMPLES_RETCON_RULES_WHAT_IF_OUTCOMES_H_
#define RETCON_EXAMPLES_RETCON_RULES_WHAT_IF_OUTCOMES_H_

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "retcon/planner.h"
#include "retcon/v1/history.pb.h"
#include "retcon/v1/order.pb.h"
#include "retcon/v1/return.pb.h"

namespace retcon {
namespace cli {

// The outcomes that changed one way: how many, and the first few of them
// ("R1/L2", or "R1" for a return's own outcome).
struct ChangeGroup {
  int64_t count = 0;
  std::vector<std::string> examples;
};

// Plans with one rule set, each order's history carried across its returns.
class WhatIfSide {
 public:
  explicit WhatIfSide(std::unique_ptr<const Planner> planner)
      : planner_(std::move(planner)) {}

  // Plans `ret` against `order` (after the order's earlier returns): the
  // outcome text per return line, and of the return under "(return)".
  std::map<std::string, std::string> Outcomes(const v1::SalesOrder& order,
                                              const v1::ReturnRequest& ret);

  // Exceptions raised over the feed, by code: "NO_DEPOT_MAPPING 2, ...".
  std::string ExceptionCounts() const;

 private:
  std::unique_ptr<const Planner> planner_;
  std::map<std::string, v1::OrderHistory> histories_;
  std::map<std::string, int> exceptions_;
};

// Outcomes of both rule sets, per return line, grouped by (old, new).
class OutcomeTally {
 public:
  using Groups = std::map<std::pair<std::string, std::string>, ChangeGroup>;

  explicit OutcomeTally(int max_examples) : max_examples_(max_examples) {}

  void Add(const std::string& return_id,
           const std::map<std::string, std::string>& before,
           std::map<std::string, std::string> after);

  int64_t outcomes() const { return outcomes_; }
  int64_t changed() const { return changed_; }
  size_t changed_returns() const { return changed_returns_.size(); }
  const Groups& groups() const { return groups_; }

 private:
  int max_examples_;
  int64_t outcomes_ = 0, changed_ = 0;
  std::set<std::string> changed_returns_;
  Groups groups_;
};

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_RULES_WHAT_IF_OUTCOMES_H_
