// The embedding example of the README, verbatim between the markers, so that
// the consumer test proves it compiles and works against an installed retcon.
#include "readme_example.h"

// --- README example begins ---
#include "retcon/planner.h"  // also brings retcon/v1/*.pb.h
#include "retcon/rules.h"

// Plans one finished return: what to post to the ERP, and what to park.
absl::StatusOr<retcon::v1::PostingPlan> PlanReturn(
    absl::string_view rules_text, const retcon::v1::Catalog& catalog,
    const retcon::v1::SalesOrder& order, const retcon::v1::ReturnRequest& ret,
    retcon::v1::OrderHistory& history) {
  auto parsed = retcon::ParseRuleSetText(rules_text, "rules.textproto");
  if (!parsed.ok()) return parsed.status();  // file:line:column: problem
  auto rules = retcon::CompileRuleSet(*parsed, retcon::CompileOptions{});
  if (!rules.ok()) return rules.status();  // names decision, row and input
  // A real host creates the planner once and calls Plan() from any thread.
  auto planner = retcon::Planner::Create(std::move(*rules), catalog);
  if (!planner.ok()) return planner.status();
  auto plan = (*planner)->Plan(order, ret, history);
  if (!plan.ok()) return plan.status();  // malformed input, field named
  // Post plan->credit_notes(), stock_movements() and exchange_orders() with
  // their idempotency keys; route plan->exceptions() to their owners. Once
  // the ERP has accepted them, remember what was posted:
  absl::Status recorded = (*planner)->RecordPlan(order, *plan, &history);
  if (!recorded.ok()) return recorded;
  return plan;
}
// --- README example ends ---
