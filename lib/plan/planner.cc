// Planner::Create and Plan(): checks the configuration once, then per return
// validates the input and plans, in this order: exchange valuation (which
// first rewrites per component any bundle line the history recorded whole
// before its split was known), stock movements, the exchange order, credit
// notes (a refund owed on an exchange waits for its parked exchange order).
#include "retcon/planner.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "lib/internal/status_macros.h"
#include "lib/plan/internal/plan_context.h"
#include "retcon/money.h"
#include "retcon/v1/facts.pb.h"

namespace retcon {
namespace plan_internal {
namespace {

class PlannerImpl final : public Planner {
 public:
  explicit PlannerImpl(PlannerConfig config) : config_(std::move(config)) {}

  using Planner::Plan;
  absl::Status Plan(const v1::SalesOrder& order, const v1::ReturnRequest& ret,
                    const v1::OrderHistory& history,
                    v1::PostingPlan* plan) const override;

  absl::Status RecordCreditNote(const v1::SalesOrder& order,
                                const v1::CreditNote& note,
                                v1::OrderHistory* history) const override {
    return plan_internal::RecordCreditNote(config_, order, note, history);
  }
  absl::Status RecordStockMovement(const v1::SalesOrder& order,
                                   const v1::StockMovement& movement,
                                   v1::OrderHistory* history) const override {
    return plan_internal::RecordStockMovement(config_, order, movement,
                                              history);
  }
  absl::Status RecordExchangeOrder(const v1::SalesOrder& order,
                                   const v1::ExchangeOrder& exchange,
                                   v1::OrderHistory* history) const override {
    return plan_internal::RecordExchangeOrder(order, exchange, history);
  }
  absl::Status RecordPlan(const v1::SalesOrder& order,
                          const v1::PostingPlan& plan,
                          v1::OrderHistory* history) const override {
    // On a copy, so that a failure part-way leaves `history` as it was.
    v1::OrderHistory updated = *history;
    for (const v1::CreditNote& note : plan.credit_notes()) {
      RETCON_RETURN_IF_ERROR(RecordCreditNote(order, note, &updated));
    }
    for (const v1::StockMovement& movement : plan.stock_movements()) {
      RETCON_RETURN_IF_ERROR(RecordStockMovement(order, movement, &updated));
    }
    for (const v1::ExchangeOrder& exchange : plan.exchange_orders()) {
      RETCON_RETURN_IF_ERROR(RecordExchangeOrder(order, exchange, &updated));
    }
    history->Swap(&updated);
    return absl::OkStatus();
  }

 private:
  const PlannerConfig config_;
};

absl::Status PlannerImpl::Plan(const v1::SalesOrder& order,
                               const v1::ReturnRequest& ret,
                               const v1::OrderHistory& history,
                               v1::PostingPlan* out) const {
  v1::PostingPlan& plan = *out;
  // An order whose bundle split is unknown is still planned: returns of its
  // components are parked as UNKNOWN_BUNDLE (see the credit planner).
  const ValuedOrder valued(order, config_);
  RETCON_ASSIGN_OR_RETURN(OrderFigures figures,
                          PaidFigures(valued.order(), valued.options()));
  RETCON_RETURN_IF_ERROR(ValidateReturn(order, ret, figures.currency_code));
  RETCON_RETURN_IF_ERROR(ValidateHistory(order, history));

  plan.Clear();
  plan.set_source(ret.source());
  plan.set_return_id(ret.return_id());
  plan.set_order_id(order.order_id());
  // Temporaries (facts, the working history) live on an arena whose first
  // block is on the stack: a typical return allocates nothing for them.
  alignas(16) char block[16 * 1024];
  google::protobuf::ArenaOptions arena_options;
  arena_options.initial_block = block;
  arena_options.initial_block_size = sizeof(block);
  google::protobuf::Arena arena(arena_options);
  auto* working =
      google::protobuf::Arena::CreateMessage<v1::OrderHistory>(&arena);
  *working = history;
  PlanContext ctx(config_, valued.order(), ret, figures, *working, plan,
                  &arena);
  ctx.original = &order;
  if (ctx.working.order_id().empty()) {
    ctx.working.set_order_id(order.order_id());
  }
  for (const v1::PostedKey& key : history.postings()) {
    ctx.posted.emplace(key.idempotency_key(), &key);
  }
  if (order.has_placed_at() && ret.has_created_at()) {
    absl::Duration age =
        absl::Seconds(ret.created_at().seconds() - order.placed_at().seconds());
    ctx.days_since_order = absl::IDivDuration(age, absl::Hours(24), &age);
    if (age < absl::ZeroDuration()) --*ctx.days_since_order;  // floor
  }
  for (const PaidLine& line : figures.lines) {
    ctx.order_paid_minor += line.paid.gross;
  }
  for (const PaidShipping& s : figures.shipping) {
    ctx.order_paid_minor += s.paid.gross;
  }
  // Before anything reads the working history: bundle lines credited at
  // line level before the catalog defined them, per component.
  RETCON_RETURN_IF_ERROR(SplitBundleHistory(
      ctx.figures, ctx.order, ctx.config.options.rounding, ctx.working));
  RETCON_RETURN_IF_ERROR(ValueExchanges(ctx));
  RETCON_RETURN_IF_ERROR(PlanStockMovements(ctx));
  // The exchange before the credit notes: a refund owed on an exchange is
  // held back when its exchange order is.
  RETCON_RETURN_IF_ERROR(PlanExchange(ctx));
  RETCON_RETURN_IF_ERROR(PlanCreditNotes(ctx));
  return absl::OkStatus();
}

}  // namespace

std::optional<v1::SalesOrder> WithoutUnknownBundles(
    const v1::SalesOrder& order, const v1::Catalog& catalog) {
  std::optional<v1::SalesOrder> copy;
  for (int i = 0; i < order.lines_size(); ++i) {
    const v1::SalesOrderLine& line = order.lines(i);
    if (line.components_size() == 0) continue;
    bool priced = true;
    for (const v1::BundleComponent& c : line.components()) {
      priced = priced && c.has_allocated_price();
    }
    if (priced) continue;
    bool defined = false;
    for (const v1::BundleDefinition& b : catalog.bundles()) {
      defined = defined || b.bundle_sku() == line.sku();
    }
    if (defined) continue;
    if (!copy) copy = order;
    copy->mutable_lines(i)->clear_components();
  }
  return copy;
}

ValuedOrder::ValuedOrder(const v1::SalesOrder& order,
                         const PlannerConfig& config)
    : order_(order),
      known_(WithoutUnknownBundles(order, config.catalog)),
      options_(config.Apportioning()) {}

std::string PlanContext::Format(int64_t minor) const {
  return absl::StrCat(currency(), " ", FormatMinorUnits(minor, exponent()));
}

void PlanContext::SetMoney(int64_t minor, v1::Money* money) const {
  money->set_currency_code(currency());
  money->set_minor_units(minor);
}

int PlanContext::OrderLine(absl::string_view line_id) const {
  for (int i = 0; i < order.lines_size(); ++i) {
    if (order.lines(i).line_id() == line_id) return i;
  }
  return -1;
}

const PaidLine* PlanContext::Paid(int order_line,
                                  absl::string_view component_sku) const {
  const PaidLine& line = figures.lines[order_line];
  if (component_sku.empty()) return &line;
  for (int c = line.component_begin; c < line.component_end; ++c) {
    if (figures.components[c].sku == component_sku) {
      return &figures.components[c];
    }
  }
  return nullptr;
}

const v1::LineHistory* PlanContext::History(
    absl::string_view order_line_id, absl::string_view component_sku) const {
  for (const v1::LineHistory& h : working.lines()) {
    if (h.order_line_id() == order_line_id &&
        h.component_sku() == component_sku) {
      return &h;
    }
  }
  return nullptr;
}

bool InStatuses(v1::ReturnStatus status,
                const std::vector<v1::ReturnStatus>& statuses) {
  return std::find(statuses.begin(), statuses.end(), status) != statuses.end();
}

}  // namespace plan_internal

absl::StatusOr<std::unique_ptr<const Planner>> Planner::Create(
    std::shared_ptr<const CompiledRuleSet> rules, v1::Catalog catalog,
    PlannerOptions options) {
  using plan_internal::ExpectedDecision;
  if (rules == nullptr) {
    return absl::InvalidArgumentError("rules: no compiled rule set given");
  }
  plan_internal::PlannerConfig config;
  RETCON_ASSIGN_OR_RETURN(config.skus, plan_internal::SkuMap::Create(catalog));
  RETCON_ASSIGN_OR_RETURN(config.facts,
                          plan_internal::FactAccessorSet::Shared());
  const auto* item = v1::ReturnItemFact::descriptor();
  const auto* refund = v1::RefundFact::descriptor();
  const auto* exchange = v1::ExchangeFact::descriptor();
  const auto* exception = v1::ExceptionFact::descriptor();
  const ExpectedDecision expected[] = {
      {"depot", item, {"depot", nullptr}, {v1::Output::STRING}, {nullptr}},
      {"disposition",
       item,
       {"disposition", nullptr},
       {v1::Output::ENUM},
       {"retcon.v1.Disposition"}},
      {"refund_policy",
       refund,
       {"shipping", nullptr},
       {v1::Output::ENUM},
       {"retcon.v1.ShippingRefund"}},
      {"refund_tolerance",
       refund,
       {"absolute_minor", "basis_points"},
       {v1::Output::INTEGER, v1::Output::INTEGER},
       {nullptr, nullptr}},
      {"exchange_order_type",
       exchange,
       {"order_type", nullptr},
       {v1::Output::STRING},
       {nullptr}},
      {"exception_routing",
       exception,
       {"owner", "severity"},
       {v1::Output::ENUM, v1::Output::ENUM},
       {"retcon.v1.Owner", "retcon.v1.Severity"}},
  };
  plan_internal::DecisionRef* refs[] = {
      &config.depot,         &config.disposition,
      &config.refund_policy, &config.refund_tolerance,
      &config.exchange_type, &config.routing};
  for (size_t i = 0; i < std::size(expected); ++i) {
    RETCON_ASSIGN_OR_RETURN(*refs[i],
                            plan_internal::Resolve(*rules, expected[i]));
  }
  config.rules = std::move(rules);
  config.catalog = std::move(catalog);
  config.options = std::move(options);
  return std::unique_ptr<const Planner>(
      new plan_internal::PlannerImpl(std::move(config)));
}

}  // namespace retcon
