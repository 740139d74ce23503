// Exchange orders: a zero-value sales order sending the new items, with the
// customer and addresses of the original order; money only for a price
// difference the customer pays (a refund owed goes on a credit note).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "lib/internal/status_macros.h"
#include "lib/plan/internal/content_fingerprint.h"
#include "lib/plan/internal/plan_context.h"
#include "retcon/idempotency.h"

namespace retcon {
namespace plan_internal {
namespace {

// The fingerprint of the exchange's canonical content.
Uuid ContentOf(const PlanContext& ctx, const std::vector<int>& lines) {
  ContentFingerprint content;
  content.Add("kind", "exchange-order");
  for (int r : lines) {
    const v1::ReturnLine& line = ctx.ret.lines(r);
    content.Add("line", line.return_line_id())
        .Add("order_line_id", line.order_line_id())
        .Add("component_sku", line.component_sku())
        .Add("quantity", line.quantity());
  }
  for (const v1::ExchangeItem& item : ctx.ret.exchange_items()) {
    content.Add("item_line", item.return_line_id())
        .Add("sku", item.sku())
        .Add("variant_id", item.variant_id())
        .Add("quantity", item.quantity())
        .Add("unit_price", item.unit_price().minor_units());
  }
  return content.Finish();
}

// SKUs the ERP is known to stock: alias targets, the order's SKUs and
// bundle components.
absl::flat_hash_set<std::string> KnownSkus(const PlanContext& ctx) {
  absl::flat_hash_set<std::string> known;
  for (const v1::SkuAlias& alias : ctx.config.catalog.sku_aliases()) {
    known.insert(alias.erp_sku());
  }
  for (const v1::BundleDefinition& b : ctx.config.catalog.bundles()) {
    known.insert(b.bundle_sku());
    for (const auto& c : b.components()) known.insert(c.sku());
  }
  // The order as given: components listed without prices count too.
  const v1::SalesOrder& order =
      ctx.original != nullptr ? *ctx.original : ctx.order;
  for (const v1::SalesOrderLine& line : order.lines()) {
    known.insert(line.sku());
    for (const v1::BundleComponent& c : line.components())
      known.insert(c.sku());
  }
  return known;
}

void CheckComplete(const v1::SalesOrder& order, std::vector<Issue>& issues) {
  std::vector<std::pair<std::string, std::string>> missing;  // field, what
  const v1::Customer& c = order.customer();
  if (c.first_name().empty() && c.last_name().empty()) {
    missing.emplace_back("order.customer.last_name", "the customer's name");
  }
  if (c.email().empty() && c.customer_id().empty()) {
    missing.emplace_back("order.customer.email",
                         "the customer's e-mail or customer id");
  }
  const v1::Address& a = order.shipping_address();
  const std::pair<const std::string*, const char*> fields[] = {
      {&a.name(), "name"},
      {&a.line1(), "line1"},
      {&a.city(), "city"},
      {&a.postal_code(), "postal_code"},
      {&a.country_code(), "country_code"}};
  for (const auto& [value, name] : fields) {
    if (value->empty()) {
      missing.emplace_back(absl::StrCat("order.shipping_address.", name),
                           absl::StrCat("the delivery address's ", name));
    }
  }
  if (missing.empty()) return;
  Issue issue;
  issue.code = v1::EXCEPTION_CODE_INCOMPLETE_EXCHANGE;
  std::string what;
  for (size_t i = 0; i < missing.size(); ++i) {
    absl::StrAppend(&what, i == 0 ? "" : ", ", missing[i].second);
    issue.details.push_back(Detail(missing[i].first, "set", "empty"));
  }
  issue.message = absl::StrCat(
      "The exchange order for order ", order.order_number(),
      " cannot be sent: the original order lacks ", what,
      ". The exchange order is held back; complete the customer's details "
      "in the ERP or the shop, then plan the return again.");
  issues.push_back(std::move(issue));
}

}  // namespace

absl::Status PlanExchange(PlanContext& ctx) {
  if (!InStatuses(ctx.ret.status(),
                  ctx.config.options.triggers.exchange_statuses)) {
    return absl::OkStatus();
  }
  // Return lines the exchange replaces: EXCHANGE lines and any line an
  // exchange item names, in return order.
  std::vector<int> lines;
  for (int r = 0; r < ctx.ret.lines_size(); ++r) {
    if (ctx.exchange_values[r].exchanged) lines.push_back(r);
  }
  if (lines.empty()) return absl::OkStatus();
  // Built in place; moved to the parked list, or removed, as it turns out.
  v1::ExchangeOrder& out = *ctx.plan.add_exchange_orders();
  const absl::string_view segments[] = {ctx.ret.source(), ctx.ret.return_id()};
  SetPostingId(CanonicalIdentity("exchange-order", segments),
               ContentOf(ctx, lines), out.mutable_id());
  RETCON_ASSIGN_OR_RETURN(
      Replay replay, CheckReplay(ctx, out.id(), v1::POSTING_KIND_EXCHANGE_ORDER,
                                 "exchange order"));
  if (replay != Replay::kNew) {
    ctx.plan.mutable_exchange_orders()->RemoveLast();
    return absl::OkStatus();
  }

  out.set_original_order_id(ctx.order.order_id());
  out.set_original_order_number(ctx.order.order_number());
  out.set_source(ctx.ret.source());
  out.set_return_id(ctx.ret.return_id());
  out.set_currency_code(ctx.currency());
  *out.mutable_customer() = ctx.order.customer();
  *out.mutable_billing_address() = ctx.order.billing_address();
  *out.mutable_shipping_address() = ctx.order.shipping_address();

  std::vector<Issue> issues;
  int64_t difference = 0;
  for (int r : lines) {
    difference += ctx.exchange_values[r].difference;
    const v1::ReturnLine& line = ctx.ret.lines(r);
    const int l = ctx.OrderLine(line.order_line_id());
    const PaidLine& paid = ctx.figures.lines[l];
    if (line.component_sku().empty() &&
        paid.component_begin != paid.component_end) {
      for (int c = paid.component_begin; c < paid.component_end; ++c) {
        const PaidLine& component = ctx.figures.components[c];
        v1::ReplacedUnits* units = out.add_replaced();
        units->set_return_line_id(line.return_line_id());
        units->set_order_line_id(line.order_line_id());
        units->set_component_sku(std::string(component.sku));
        units->set_quantity(line.quantity() * (component.units / paid.units));
      }
      continue;
    }
    v1::ReplacedUnits* units = out.add_replaced();
    units->set_return_line_id(line.return_line_id());
    units->set_order_line_id(line.order_line_id());
    units->set_component_sku(line.component_sku());
    units->set_quantity(line.quantity());
  }
  ctx.SetMoney(difference, out.mutable_price_difference());

  const bool check_skus = ctx.config.catalog.sku_aliases_size() > 0;
  const absl::flat_hash_set<std::string> known =
      check_skus ? KnownSkus(ctx) : absl::flat_hash_set<std::string>();
  for (int i = 0; i < ctx.ret.exchange_items_size(); ++i) {
    const v1::ExchangeItem& item = ctx.ret.exchange_items(i);
    v1::ExchangeOrderLine* line = out.add_lines();
    line->set_kind(v1::EXCHANGE_LINE_KIND_GOODS);
    line->set_platform_sku(item.sku());
    line->set_sku(ctx.config.skus.Map(item.sku()));
    line->set_quantity(item.quantity());
    ctx.SetMoney(0, line->mutable_unit_price());
    line->set_product_name(item.product_name());
    line->set_return_line_id(item.return_line_id());
    if (!line->sku().empty() && (!check_skus || known.contains(line->sku()))) {
      continue;
    }
    Issue issue;
    issue.code = v1::EXCEPTION_CODE_SKU_MISMATCH;
    issue.message = absl::StrCat(
        "The exchange sends '", item.sku(), "'",
        item.product_name().empty()
            ? ""
            : absl::StrCat(" (", item.product_name(), ")"),
        ", which matches no SKU the ERP is known to stock. The exchange "
        "order is held back; add a SKU alias to the catalog for it.");
    issue.details.push_back(
        Detail(absl::StrCat("return.exchange_items[", i, "].sku"),
               "a known ERP SKU", item.sku()));
    issues.push_back(std::move(issue));
  }
  if (difference > 0) {
    v1::ExchangeOrderLine* line = out.add_lines();
    line->set_kind(v1::EXCHANGE_LINE_KIND_PRICE_DIFFERENCE);
    line->set_quantity(1);
    ctx.SetMoney(difference, line->mutable_unit_price());
    line->set_product_name("Exchange price difference");
  }

  auto& fact = *ctx.Scratch<v1::ExchangeFact>();
  FillCommonFacts(ctx, fact.mutable_source(), fact.mutable_currency_code(),
                  fact.mutable_country_code(), fact.mutable_channel());
  fact.set_order_type(ctx.order.order_type());
  std::string reason;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& r = ctx.ret.lines(lines[i]).reason_code();
    reason = i == 0 ? r : (r == reason ? reason : "MIXED");
  }
  fact.set_reason_code(reason);
  fact.set_price_difference_minor(difference);
  RETCON_ASSIGN_OR_RETURN(const v1::Value* type,
                          DecideOne(ctx, ctx.config.exchange_type, 0, fact));
  if (type != nullptr && !type->string_value().empty()) {
    out.set_order_type(type->string_value());
  } else {
    Issue issue;
    issue.code = v1::EXCEPTION_CODE_INCOMPLETE_EXCHANGE;
    issue.message = absl::StrCat(
        "No rule gives the ERP order type for the exchange on order ",
        ctx.order.order_number(),
        ", so the exchange order is held back. Add a row to the "
        "'exchange_order_type' rules that covers it.");
    issue.details.push_back(Detail("order_type", "set", "no matching rule"));
    issues.push_back(std::move(issue));
  }
  CheckComplete(ctx.order, issues);
  for (int r : lines) {
    const v1::ReturnLine& line = ctx.ret.lines(r);
    const PlanContext::ExchangeValue& value = ctx.exchange_values[r];
    if (!value.has_items) {
      Issue issue;
      issue.code = v1::EXCEPTION_CODE_INCOMPLETE_EXCHANGE;
      issue.message = absl::StrCat(
          "Line '", line.return_line_id(), "' of return ", ctx.ret.return_id(),
          " is an exchange, but the returns platform sent no exchange item "
          "for it, so there is nothing to send. The exchange order is held "
          "back; check the exchange in the returns platform.");
      issue.details.push_back(
          Detail("return.exchange_items",
                 "an item for line '" + line.return_line_id() + "'", "none"));
      issues.push_back(std::move(issue));
    }
    if (value.unvalued) {
      const UnknownComponent why = DescribeUnknownComponent(
          ctx, ctx.OrderLine(line.order_line_id()), line.component_sku());
      Issue issue;
      issue.code = v1::EXCEPTION_CODE_UNKNOWN_BUNDLE;
      issue.message = absl::StrCat(
          "Line '", line.return_line_id(), "' exchanges component ",
          line.component_sku(), " of order line '", line.order_line_id(),
          "', but ", why.reason,
          ", so its value cannot be set against the new items (the price "
          "difference would charge their full price). The exchange order is "
          "held back. ",
          why.action);
      issue.details.push_back(
          Detail(absl::StrCat("return.lines[", r, "].component_sku"),
                 "a component with a known price share", line.component_sku()));
      issues.push_back(std::move(issue));
    }
    if (value.excess > 0) {
      const int64_t left = line.quantity() - value.excess;
      const int64_t new_items = value.difference + value.returned.gross;
      Issue issue;
      issue.code = v1::EXCEPTION_CODE_OVER_REFUND;
      issue.message = absl::StrCat(
          "Line '", line.return_line_id(), "' exchanges ",
          Units(line.quantity()), " of order line '", line.order_line_id(),
          "', but ",
          line.quantity() == 1 ? "it was"
          : value.excess == 1  ? "1 of them was"
                               : absl::StrCat(value.excess, " of them were"),
          " already credited or exchanged. The exchange order is held back: "
          "check for an exchange or refund made twice. Its price difference "
          "sets the new items (",
          ctx.Format(new_items), ") against ",
          left == 0 ? "nothing returned: no unit is still refundable"
                    : absl::StrCat("the ", Units(left),
                                   " still refundable only (worth ",
                                   ctx.Format(value.returned.gross), ")"),
          ".");
      issue.details.push_back(
          Detail(absl::StrCat("return.lines[", r, "].quantity"),
                 absl::StrCat("<= ", left), absl::StrCat(line.quantity())));
      issues.push_back(std::move(issue));
    }
  }

  RETCON_ASSIGN_OR_RETURN(bool parked,
                          RaiseIssues(ctx, issues, out.id().idempotency_key()));
  ctx.exchange_parked = parked;
  if (parked) {
    MoveLast(ctx.plan.mutable_exchange_orders(),
             ctx.plan.mutable_parked_exchange_orders());
    return absl::OkStatus();
  }
  for (const v1::ReplacedUnits& units : out.replaced()) {
    v1::LineHistory* h = MutableHistory(ctx.working, units.order_line_id(),
                                        units.component_sku());
    h->set_exchanged_quantity(h->exchanged_quantity() + units.quantity());
  }
  return absl::OkStatus();
}

}  // namespace plan_internal
}  // namespace retcon
