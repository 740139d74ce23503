// The planner: from a finished return to the postings the ERP needs — credit
// notes, stock movements, exchange orders — each exactly once, and an
// exception queue for whatever does not add up.
//
//   retcon::v1::Catalog catalog = ...;       // bundles, SKU aliases
//   absl::StatusOr<std::unique_ptr<const retcon::Planner>> planner =
//       retcon::Planner::Create(rules, catalog, retcon::PlannerOptions{});
//   if (!planner.ok()) return planner.status();   // bad rules or catalog
//   // Per return (any thread):
//   absl::StatusOr<retcon::v1::PostingPlan> plan =
//       (*planner)->Plan(order, ret, history);
//   if (!plan.ok()) return plan.status();  // malformed input, field named
//   for (const auto& note : plan->credit_notes()) PostToErp(note);
//   // After the ERP accepted them:
//   (*planner)->RecordPlan(order, *plan, &history);
//
// Plan() is pure: the same order, return and history give byte-identical
// serialized plans. What was posted before comes in through the history (its
// posted keys and credited quantities); the host keeps it. A malformed input
// is an InvalidArgument naming the field; a business problem (a refund that
// does not match, an unknown SKU, no depot) is an Exception inside an OK
// plan, holding back the postings it concerns.
//
// Decisions the planner evaluates, by name (all optional; see
// docs/operations/exceptions.md and docs/rules.md for what happens without
// them), each a table over a message of retcon/v1/facts.proto:
//   depot                 ReturnItemFact -> output "depot" (STRING)
//   disposition           ReturnItemFact -> output "disposition"
//                                           (ENUM retcon.v1.Disposition)
//   refund_policy         RefundFact     -> output "shipping"
//                                           (ENUM retcon.v1.ShippingRefund)
//   refund_tolerance      RefundFact     -> outputs "absolute_minor" and
//                                           "basis_points" (INTEGER)
//   exchange_order_type   ExchangeFact   -> output "order_type" (STRING)
//   exception_routing     ExceptionFact  -> outputs "owner"
//                         (ENUM retcon.v1.Owner), "severity" (ENUM
//                         retcon.v1.Severity); either may be absent
#ifndef RETCON_PLANNER_H_
#define RETCON_PLANNER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "retcon/money.h"
#include "retcon/rules.h"
#include "retcon/v1/catalog.pb.h"
#include "retcon/v1/history.pb.h"
#include "retcon/v1/order.pb.h"
#include "retcon/v1/plan.pb.h"
#include "retcon/v1/return.pb.h"

namespace retcon {

// Which states produce which postings.
struct Triggers {
  // Stock movements: for return lines whose inspection says returned = true,
  // while the return is in one of these states.
  std::vector<v1::ReturnStatus> stock_statuses = {v1::RETURN_STATUS_RECEIVED,
                                                  v1::RETURN_STATUS_VALIDATED,
                                                  v1::RETURN_STATUS_DONE};
  // Credit notes: one per refund transaction in one of these states.
  std::vector<v1::TransactionStatus> refund_statuses = {
      v1::TRANSACTION_STATUS_SUCCESS};
  // And one more for refund lines no live transaction covers, once the
  // return is in one of these states (finalised with a refund resolution).
  std::vector<v1::ReturnStatus> finalised_statuses = {v1::RETURN_STATUS_DONE};
  // Exchange orders: while the return is in one of these states.
  std::vector<v1::ReturnStatus> exchange_statuses = {v1::RETURN_STATUS_DONE};
};

struct PlannerOptions {
  Triggers triggers;
  // Rounding of computed tax and of cumulative shares.
  RoundingMode rounding = RoundingMode::kHalfAwayFromZero;
};

// Built once from compiled rules, a catalog and options; immutable and
// thread-safe.
class Planner {
 public:
  // Checks that each decision the planner uses, when present in `rules`,
  // takes the right fact message and has the outputs it reads, and compiles
  // the catalog's SKU rewrites (RE2). Errors are InvalidArgument naming the
  // decision or catalog field ("catalog.sku_rewrites[2].pattern: ...").
  static absl::StatusOr<std::unique_ptr<const Planner>> Create(
      std::shared_ptr<const CompiledRuleSet> rules, v1::Catalog catalog,
      PlannerOptions options = {});

  virtual ~Planner() = default;

  // Plans the postings of `ret` against `order`, given what `history` says
  // was already posted and credited for the order.
  // Errors (InvalidArgument, naming the field): the order's own (as
  // PaidFigures); a return without source or return_id, for another order,
  // or in another currency; return lines with empty or duplicate ids,
  // unknown order lines, quantities <= 0; refunds, fees or exchange items
  // naming unknown return lines, negative amounts, quantities <= 0; a
  // history for another order or with impossible quantities.
  absl::StatusOr<v1::PostingPlan> Plan(const v1::SalesOrder& order,
                                       const v1::ReturnRequest& ret,
                                       const v1::OrderHistory& history) const {
    v1::PostingPlan plan;
    absl::Status status = Plan(order, ret, history, &plan);
    if (!status.ok()) return status;
    return plan;
  }
  // Same, into `plan` (cleared first). A batch host that plans many returns
  // saves most of the allocations by passing the same `plan` again and
  // again (clearing keeps its repeated elements and string buffers) or one
  // on its protobuf arena; docs/integration/planner.md ("Speed") gives the
  // figures. On an error `plan` holds no complete result.
  virtual absl::Status Plan(const v1::SalesOrder& order,
                            const v1::ReturnRequest& ret,
                            const v1::OrderHistory& history,
                            v1::PostingPlan* plan) const = 0;

  // Recording what the ERP accepted. The host calls these once a posting is
  // posted (never for parked ones), so that the next Plan() continues from
  // it and drops a replay. Each adds the posting's key and fingerprint to
  // history.postings. All or nothing: on an error `history` is unchanged.
  // RecordCreditNote and RecordStockMovement first rewrite a line-level entry
  // of a bundle line (credited before the catalog defined the bundle) per
  // component, as Plan() reads it, so stored histories end up per component.

  // What credit note `note` credited (goods and shipping, per line and
  // rate). Errors: InvalidArgument when the note is for another order or
  // currency, names lines the order does not have, or would credit more
  // units than were sold.
  virtual absl::Status RecordCreditNote(const v1::SalesOrder& order,
                                        const v1::CreditNote& note,
                                        v1::OrderHistory* history) const = 0;
  // The units stock movement `movement` moved back.
  virtual absl::Status RecordStockMovement(const v1::SalesOrder& order,
                                           const v1::StockMovement& movement,
                                           v1::OrderHistory* history) const = 0;
  // The units exchange order `exchange` replaced (no longer refundable).
  virtual absl::Status RecordExchangeOrder(const v1::SalesOrder& order,
                                           const v1::ExchangeOrder& exchange,
                                           v1::OrderHistory* history) const = 0;
  // Every posting of `plan` that is not parked, in plan order: credit notes,
  // stock movements, exchange orders.
  virtual absl::Status RecordPlan(const v1::SalesOrder& order,
                                  const v1::PostingPlan& plan,
                                  v1::OrderHistory* history) const = 0;
};

}  // namespace retcon

#endif  // RETCON_PLANNER_H_
