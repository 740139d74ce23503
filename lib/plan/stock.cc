// Stock movements: one per returned SKU per receipt, into the depot and with
// the disposition the rules choose.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "lib/internal/status_macros.h"
#include "lib/plan/internal/content_fingerprint.h"
#include "lib/plan/internal/enum_names.h"
#include "lib/plan/internal/plan_context.h"
#include "retcon/idempotency.h"

namespace retcon {
namespace plan_internal {
namespace {

// One SKU of one return line moving into stock.
struct Move {
  int return_line = 0;
  int order_line = 0;
  std::string component_sku;  // Empty for a plain line or a kit.
  std::string expected_sku;   // The SKU the order sold.
  std::string platform_sku;   // What the platform sent; empty: the order's.
  // Whether platform_sku must map to expected_sku (not for the components
  // of a whole bundle: the platform names the bundle).
  bool check_sku = true;
  int64_t quantity = 0;
  const PaidLine* paid = nullptr;  // nullptr: an unknown component.
};

const v1::BundleDefinition* CatalogBundle(const v1::Catalog& catalog,
                                          absl::string_view sku) {
  for (const v1::BundleDefinition& b : catalog.bundles()) {
    if (b.bundle_sku() == sku) return &b;
  }
  return nullptr;
}

// A line's moves: one, or a whole bundle's components, mostly inline.
using Moves = absl::InlinedVector<Move, 4>;

// The SKUs return line `r` moves: the line, the returned component, every
// component of whole bundles, or the kit.
Moves MovesOf(const PlanContext& ctx, int r) {
  const v1::ReturnLine& line = ctx.ret.lines(r);
  Move base;
  base.return_line = r;
  base.order_line = ctx.OrderLine(line.order_line_id());
  base.quantity = line.quantity();
  base.platform_sku = line.platform_sku();
  const v1::SalesOrderLine& sold = ctx.order.lines(base.order_line);
  const PaidLine& paid = ctx.figures.lines[base.order_line];
  if (!line.component_sku().empty()) {
    base.component_sku = line.component_sku();
    base.expected_sku = line.component_sku();
    base.paid = ctx.Paid(base.order_line, line.component_sku());
    return {base};
  }
  base.expected_sku = sold.sku();
  base.paid = &paid;
  if (ctx.original != nullptr &&
      ctx.original->lines(base.order_line).components_size() > 0 &&
      paid.component_begin == paid.component_end) {
    // A bundle whose split is unknown: which components move, and at what
    // value, is for the catalog to say; never the bundle SKU itself.
    base.paid = nullptr;
    return {base};
  }
  const v1::BundleDefinition* bundle =
      CatalogBundle(ctx.config.catalog, sold.sku());
  if (paid.component_begin == paid.component_end ||
      (bundle != nullptr && bundle->stocked_as_kit())) {
    return {base};
  }
  Moves moves;
  for (int c = paid.component_begin; c < paid.component_end; ++c) {
    const PaidLine& component = ctx.figures.components[c];
    Move m = base;
    m.component_sku = std::string(component.sku);
    m.expected_sku = m.component_sku;
    m.check_sku = false;  // The platform names the bundle, not this.
    m.quantity = line.quantity() * (component.units / paid.units);
    m.paid = &component;
    moves.push_back(std::move(m));
  }
  return moves;
}

// The fingerprint of the movement's canonical content.
Uuid ContentOf(const v1::ReturnLine& line, const Move& m) {
  const v1::Inspection& in = line.inspection();
  ContentFingerprint content;
  content.Add("kind", "stock-movement")
      .Add("order_line_id", line.order_line_id())
      .Add("component_sku", m.component_sku)
      .Add("platform_sku", m.platform_sku)
      .Add("quantity", m.quantity)
      .Add("returned", in.has_returned() ? (in.returned() ? "1" : "0") : "")
      .Add("restockable",
           in.has_restockable() ? (in.restockable() ? "1" : "0") : "")
      .Add("condition", EnumName(in.condition()))
      .Add("return_location", in.return_location())
      .Add("reason_code", line.reason_code());
  return content.Finish();
}

void FillFact(const PlanContext& ctx, const Move& m, const std::string& sku,
              v1::ReturnItemFact& fact) {
  const v1::ReturnLine& line = ctx.ret.lines(m.return_line);
  const v1::Inspection& in = line.inspection();
  std::string currency;
  FillCommonFacts(ctx, fact.mutable_source(), &currency,
                  fact.mutable_country_code(), fact.mutable_channel());
  fact.set_currency_code(currency);
  fact.set_reason_code(line.reason_code());
  fact.set_condition(in.condition());
  if (in.has_restockable()) fact.set_restockable(in.restockable());
  if (in.has_returned()) fact.set_returned(in.returned());
  fact.set_return_location(in.return_location());
  fact.set_order_type(ctx.order.order_type());
  fact.set_sku(sku);
  fact.set_platform_sku(m.platform_sku);
  fact.set_resolution(line.resolution());
  if (m.paid != nullptr && m.paid->units > 0) {
    fact.set_unit_paid_minor(m.paid->paid.gross / m.paid->units);
  }
  fact.set_order_paid_minor(ctx.order_paid_minor);
  if (ctx.days_since_order) fact.set_days_since_order(*ctx.days_since_order);
  fact.set_is_bundle_component(!m.component_sku.empty());
  fact.set_out_of_policy(ctx.ret.out_of_policy());
  fact.set_quantity(m.quantity);
}

// Depot and disposition from the rules, or a NO_DEPOT_MAPPING issue.
absl::Status Route(const PlanContext& ctx, const v1::ReturnItemFact& fact,
                   absl::FunctionRef<std::string(absl::string_view)> field,
                   v1::StockMovement& out, std::vector<Issue>& issues) {
  // Both over one fact: its fields are read once.
  const DecisionOutput wanted[] = {{&ctx.config.depot, 0},
                                   {&ctx.config.disposition, 0}};
  const v1::Value* values[2];
  RETCON_RETURN_IF_ERROR(DecideEach(ctx, wanted, fact, values));
  const v1::Value* depot = values[0];
  const v1::Value* disposition = values[1];
  v1::Disposition value;
  if (disposition != nullptr && ParseEnum(disposition->enum_value(), &value)) {
    out.set_disposition(value);
  }
  if (depot != nullptr && !depot->string_value().empty()) {
    out.set_depot(depot->string_value());
  }
  if (!out.depot().empty() &&
      out.disposition() != v1::DISPOSITION_UNSPECIFIED) {
    return absl::OkStatus();
  }
  Issue issue;
  issue.code = v1::EXCEPTION_CODE_NO_DEPOT_MAPPING;
  const char* missing = out.depot().empty() ? "depot" : "disposition";
  if (out.depot().empty() && out.disposition() == v1::DISPOSITION_UNSPECIFIED) {
    missing = "depot or disposition";
  }
  issue.message = absl::StrCat(
      "No rule says which ", missing, " ", fact.quantity(), " x ", fact.sku(),
      " (reason '", fact.reason_code(), "', condition ",
      v1::ItemCondition_Name(fact.condition()), ", received at '",
      fact.return_location(),
      "') goes to, so its stock movement is held back. Add a row to the ",
      out.depot().empty() && out.disposition() == v1::DISPOSITION_UNSPECIFIED
          ? "'depot' and 'disposition'"
      : out.depot().empty() ? "'depot'"
                            : "'disposition'",
      " rules that covers it, then plan the return again.");
  issue.details.push_back(Detail(field(""), missing, "no matching rule"));
  issues.push_back(std::move(issue));
  return absl::OkStatus();
}

absl::Status PlanMove(PlanContext& ctx, const Move& m) {
  const v1::ReturnLine& line = ctx.ret.lines(m.return_line);
  const int r = m.return_line;
  auto field = [r](absl::string_view name) {
    return name.empty() ? absl::StrCat("return.lines[", r, "]")
                        : absl::StrCat("return.lines[", r, "].", name);
  };
  // Built in place; moved to the parked list, or removed, as it turns out.
  v1::StockMovement& out = *ctx.plan.add_stock_movements();
  const absl::string_view segments[] = {ctx.ret.source(), ctx.ret.return_id(),
                                        line.return_line_id(), m.component_sku};
  SetPostingId(CanonicalIdentity("stock-movement", segments),
               ContentOf(line, m), out.mutable_id());
  RETCON_ASSIGN_OR_RETURN(
      Replay replay, CheckReplay(ctx, out.id(), v1::POSTING_KIND_STOCK_MOVEMENT,
                                 "stock movement"));
  if (replay != Replay::kNew) {
    ctx.plan.mutable_stock_movements()->RemoveLast();
    return absl::OkStatus();
  }

  out.set_order_id(ctx.order.order_id());
  out.set_source(ctx.ret.source());
  out.set_return_id(ctx.ret.return_id());
  out.set_return_line_id(line.return_line_id());
  out.set_order_line_id(line.order_line_id());
  out.set_component_sku(m.component_sku);
  out.set_platform_sku(m.platform_sku);
  out.set_quantity(m.quantity);
  out.set_reason_code(line.reason_code());

  std::vector<Issue> issues;
  std::string erp_sku = m.expected_sku;
  if (m.paid == nullptr) {
    Issue issue;
    issue.code = v1::EXCEPTION_CODE_UNKNOWN_BUNDLE;
    if (m.component_sku.empty()) {
      // A whole bundle of unknown split: nothing moves until the catalog
      // says what it is made of; never the bundle SKU.
      erp_sku.clear();
      const v1::SalesOrderLine& listed = ctx.original->lines(m.order_line);
      std::string components;
      for (int c = 0; c < listed.components_size(); ++c) {
        absl::StrAppend(&components, c == 0 ? "" : ", ",
                        listed.components(c).quantity(), " x ",
                        listed.components(c).sku());
      }
      issue.message = absl::StrCat(
          "Order line '", line.order_line_id(), "' (", m.expected_sku,
          ") is a bundle (the order lists ", components,
          " per bundle) whose price split neither the order nor the catalog "
          "gives, so nothing of its return can be moved into stock yet (the "
          "bundle SKU itself is not stocked). Add the bundle to the catalog, "
          "then plan the return again.");
      issue.details.push_back(Detail(
          absl::StrCat("order.lines[", m.order_line, "].sku"),
          "a bundle the catalog defines, or components with allocated prices",
          m.expected_sku));
    } else {
      const UnknownComponent why =
          DescribeUnknownComponent(ctx, m.order_line, m.component_sku);
      issue.message = absl::StrCat(
          "The return names component ", m.component_sku, " of order line '",
          line.order_line_id(), "', but ", why.reason,
          ". Its stock movement is held back. ", why.action);
      issue.details.push_back(
          Detail(field("component_sku"),
                 why.split_unknown ? "a component with a known price share"
                                   : "a component of the bundle",
                 m.component_sku));
    }
    issues.push_back(std::move(issue));
  } else if (m.check_sku) {
    // The order may name what it sold in the ERP's SKUs or in the shop's
    // (the platform's) own: the two sides agree when the platform's SKU is
    // the order's, or maps to it, or both map to the same ERP SKU.
    const std::string sold_erp = ctx.config.skus.Map(m.expected_sku);
    erp_sku =
        m.platform_sku.empty() ? sold_erp : ctx.config.skus.Map(m.platform_sku);
    if (!m.platform_sku.empty() && m.platform_sku != m.expected_sku &&
        erp_sku != m.expected_sku && erp_sku != sold_erp) {
      Issue issue;
      issue.code = v1::EXCEPTION_CODE_SKU_MISMATCH;
      issue.message = absl::StrCat(
          "The returns platform calls the returned item '", m.platform_sku, "'",
          erp_sku != m.platform_sku ? absl::StrCat(" (ERP SKU '", erp_sku, "')")
                                    : "",
          ", but order line '", line.order_line_id(), "' sold '",
          m.expected_sku, "'",
          sold_erp != m.expected_sku
              ? absl::StrCat(" (ERP SKU '", sold_erp, "')")
              : "",
          ". Its stock movement is held back. Add a SKU alias to the catalog "
          "if they are the same product, or check what was received.");
      issue.details.push_back(
          Detail(field("platform_sku"), m.expected_sku, m.platform_sku));
      issues.push_back(std::move(issue));
    }
  } else {
    // A component of a whole bundle: the platform names the bundle, so
    // there is nothing to compare; the component still moves as the ERP
    // stocks it.
    erp_sku = ctx.config.skus.Map(m.expected_sku);
  }
  out.set_erp_sku(erp_sku);

  if (m.paid != nullptr) {
    int64_t moved = MovedUnits(ctx.figures, ctx.order, ctx.working,
                               m.order_line, m.component_sku);
    int64_t sold = m.component_sku.empty()
                       ? ctx.figures.lines[m.order_line].units
                       : m.paid->units;
    // A kit counts against each of its components, some of which may have
    // come back on their own: the tightest component decides.
    const PaidLine& bundle = ctx.figures.lines[m.order_line];
    if (m.component_sku.empty() &&
        bundle.component_begin != bundle.component_end) {
      for (int c = bundle.component_begin; c < bundle.component_end; ++c) {
        const PaidLine& component = ctx.figures.components[c];
        const int64_t per_bundle = component.units / bundle.units;
        const int64_t moved_c = MovedUnits(ctx.figures, ctx.order, ctx.working,
                                           m.order_line, component.sku);
        const int64_t sets_left = (component.units - moved_c) / per_bundle;
        if (sets_left < sold - moved) {
          moved = sold - sets_left;
        }
      }
    }
    if (moved + m.quantity > sold) {
      Issue issue;
      issue.code = v1::EXCEPTION_CODE_DUPLICATE_SIGNAL;
      issue.severity = v1::SEVERITY_BLOCKING;
      issue.message = absl::StrCat(
          "Receiving ", m.quantity, " x ", erp_sku, " would bring the ",
          Units(moved), " already moved back for order line '",
          line.order_line_id(), "' above the ", sold,
          " sold: this looks like a receipt signalled twice. The movement is "
          "held back; check the warehouse's receipts for this order.");
      issue.details.push_back(Detail(field("quantity"),
                                     absl::StrCat("<= ", sold - moved),
                                     absl::StrCat(m.quantity)));
      issues.push_back(std::move(issue));
    }
  }

  auto& fact = *ctx.Scratch<v1::ReturnItemFact>();
  // The rules still see the bundle's SKU when nothing can be moved yet.
  FillFact(ctx, m, erp_sku.empty() ? m.expected_sku : erp_sku, fact);
  RETCON_RETURN_IF_ERROR(Route(ctx, fact, field, out, issues));

  RETCON_ASSIGN_OR_RETURN(bool parked,
                          RaiseIssues(ctx, issues, out.id().idempotency_key()));
  if (parked) {
    MoveLast(ctx.plan.mutable_stock_movements(),
             ctx.plan.mutable_parked_stock_movements());
    return absl::OkStatus();
  }
  AddMoved(ctx.figures, ctx.order, m.order_line, m.component_sku, m.quantity,
           ctx.working);
  return absl::OkStatus();
}

}  // namespace

absl::Status PlanStockMovements(PlanContext& ctx) {
  const Triggers& triggers = ctx.config.options.triggers;
  if (!InStatuses(ctx.ret.status(), triggers.stock_statuses)) {
    return absl::OkStatus();
  }
  for (int r = 0; r < ctx.ret.lines_size(); ++r) {
    const v1::ReturnLine& line = ctx.ret.lines(r);
    const v1::Inspection& in = line.inspection();
    if (in.has_returned() && in.returned()) {
      for (const Move& m : MovesOf(ctx, r)) {
        RETCON_RETURN_IF_ERROR(PlanMove(ctx, m));
      }
      continue;
    }
    const bool sent_back = line.resolution() != v1::RESOLUTION_KEEP_ITEM &&
                           line.resolution() != v1::RESOLUTION_DONATE;
    if (sent_back && !in.has_returned() &&
        InStatuses(ctx.ret.status(), triggers.finalised_statuses)) {
      std::vector<Issue> issues(1);
      issues[0].code = v1::EXCEPTION_CODE_STOCK_NOT_POSTED;
      issues[0].message = absl::StrCat(
          "Return ", ctx.ret.return_id(), " is finalised, but line '",
          line.return_line_id(), "' (", line.quantity(), " x ",
          !line.platform_sku().empty() ? line.platform_sku()
          : !line.component_sku().empty()
              ? line.component_sku()
              : ctx.order.lines(ctx.OrderLine(line.order_line_id())).sku(),
          ") was never recorded as received, so no stock movement was "
          "posted. Check whether the item arrived and record the inspection.");
      issues[0].details.push_back(
          Detail(absl::StrCat("return.lines[", r, "].inspection.returned"),
                 "true", "not recorded"));
      RETCON_RETURN_IF_ERROR(RaiseIssues(ctx, issues, "").status());
    }
  }
  return absl::OkStatus();
}

}  // namespace plan_internal
}  // namespace retcon
