// Recording posted documents in the order's history.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/internal/status_macros.h"
#include "lib/plan/internal/plan_context.h"
#include "retcon/tax.h"

namespace retcon {
namespace plan_internal {
namespace {

absl::Status FieldError(absl::string_view path, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", message));
}

absl::Status CheckOrder(const v1::SalesOrder& order, const std::string& id,
                        const char* field, const v1::OrderHistory& history) {
  if (id != order.order_id()) {
    return FieldError(field, absl::StrCat("'", id, "' is not order '",
                                          order.order_id(), "'"));
  }
  if (!history.order_id().empty() && history.order_id() != order.order_id()) {
    return FieldError("history.order_id",
                      absl::StrCat("'", history.order_id(), "' is not order '",
                                   order.order_id(), "'"));
  }
  return absl::OkStatus();
}

// Adds the posting's key; an error when the key is there with another
// fingerprint (the same posting recorded with different content).
absl::Status AddKey(const v1::PostingId& id, v1::PostingKind kind,
                    v1::OrderHistory& history) {
  if (id.idempotency_key().empty()) {
    return FieldError("id.idempotency_key", "is empty");
  }
  for (const v1::PostedKey& key : history.postings()) {
    if (key.idempotency_key() != id.idempotency_key()) continue;
    if (key.fingerprint() == id.fingerprint()) {
      return FieldError("id.idempotency_key",
                        absl::StrCat("'", id.idempotency_key(),
                                     "' is already recorded as posted"));
    }
    return FieldError("id.fingerprint",
                      absl::StrCat("key '", id.idempotency_key(),
                                   "' is recorded with fingerprint '",
                                   key.fingerprint(), "'"));
  }
  v1::PostedKey* key = history.add_postings();
  key->set_idempotency_key(id.idempotency_key());
  key->set_fingerprint(id.fingerprint());
  key->set_kind(kind);
  return absl::OkStatus();
}

absl::StatusOr<Figures> FiguresOf(const v1::RefundLine& line,
                                  const std::string& path) {
  Figures f;
  f.gross = line.gross().minor_units();
  f.discount = line.discount().minor_units();
  f.net = line.net().minor_units();
  for (int t = 0; t < line.taxes_size(); ++t) {
    absl::StatusOr<TaxRate> rate = TaxRate::Parse(line.taxes(t).rate());
    if (!rate.ok()) {
      return FieldError(absl::StrCat(path, ".taxes[", t, "].rate"),
                        rate.status().message());
    }
    f.taxes.push_back(TaxShare{*rate, line.taxes(t).amount().minor_units()});
  }
  if (f.gross != f.net + f.tax()) {
    return FieldError(path, "gross is not net plus tax");
  }
  return f;
}

}  // namespace

absl::Status RecordCreditNote(const PlannerConfig& config,
                              const v1::SalesOrder& order,
                              const v1::CreditNote& note,
                              v1::OrderHistory* history) {
  RETCON_RETURN_IF_ERROR(
      CheckOrder(order, note.order_id(), "note.order_id", *history));
  Refund refund;
  refund.currency_code = note.currency_code();
  for (int i = 0; i < note.lines_size(); ++i) {
    const v1::RefundLine& line = note.lines(i);
    if (line.kind() != v1::CREDIT_LINE_KIND_GOODS &&
        line.kind() != v1::CREDIT_LINE_KIND_SHIPPING) {
      continue;  // Fees and exchange differences are not line credits.
    }
    RefundedLine out;
    out.kind = line.kind() == v1::CREDIT_LINE_KIND_GOODS
                   ? RefundedKind::kGoods
                   : RefundedKind::kShipping;
    out.order_line_id = line.order_line_id();
    out.component_sku = line.component_sku();
    out.sku = line.sku();
    out.quantity = line.quantity();
    RETCON_ASSIGN_OR_RETURN(
        out.refund, FiguresOf(line, absl::StrCat("note.lines[", i, "]")));
    refund.lines.push_back(std::move(out));
  }
  ApportionOptions options;
  options.rounding = config.options.rounding;
  options.catalog = &config.catalog;
  std::optional<v1::SalesOrder> known =
      WithoutUnknownBundles(order, config.catalog);
  v1::OrderHistory updated = *history;
  RETCON_RETURN_IF_ERROR(
      RecordRefund(known ? *known : order, refund, &updated, options));
  RETCON_RETURN_IF_ERROR(
      AddKey(note.id(), v1::POSTING_KIND_CREDIT_NOTE, updated));
  history->Swap(&updated);
  return absl::OkStatus();
}

absl::Status RecordStockMovement(const PlannerConfig& config,
                                 const v1::SalesOrder& order,
                                 const v1::StockMovement& movement,
                                 v1::OrderHistory* history) {
  RETCON_RETURN_IF_ERROR(
      CheckOrder(order, movement.order_id(), "movement.order_id", *history));
  if (movement.quantity() <= 0) {
    return FieldError("movement.quantity", "must be > 0");
  }
  ApportionOptions options;
  options.rounding = config.options.rounding;
  options.catalog = &config.catalog;
  std::optional<v1::SalesOrder> known =
      WithoutUnknownBundles(order, config.catalog);
  const v1::SalesOrder& valued = known ? *known : order;
  RETCON_ASSIGN_OR_RETURN(OrderFigures figures, PaidFigures(valued, options));
  int line = -1;
  for (int i = 0; i < valued.lines_size(); ++i) {
    if (valued.lines(i).line_id() == movement.order_line_id()) line = i;
  }
  if (line < 0) {
    return FieldError(
        "movement.order_line_id",
        absl::StrCat("the order has no line '", movement.order_line_id(), "'"));
  }
  v1::OrderHistory updated = *history;
  if (updated.order_id().empty()) updated.set_order_id(order.order_id());
  AddMoved(figures, valued, line, movement.component_sku(), movement.quantity(),
           updated);
  RETCON_RETURN_IF_ERROR(
      AddKey(movement.id(), v1::POSTING_KIND_STOCK_MOVEMENT, updated));
  history->Swap(&updated);
  return absl::OkStatus();
}

absl::Status RecordExchangeOrder(const v1::SalesOrder& order,
                                 const v1::ExchangeOrder& exchange,
                                 v1::OrderHistory* history) {
  RETCON_RETURN_IF_ERROR(CheckOrder(order, exchange.original_order_id(),
                                    "exchange.original_order_id", *history));
  v1::OrderHistory updated = *history;
  if (updated.order_id().empty()) updated.set_order_id(order.order_id());
  for (int i = 0; i < exchange.replaced_size(); ++i) {
    const v1::ReplacedUnits& units = exchange.replaced(i);
    bool known = false;
    for (const v1::SalesOrderLine& line : order.lines()) {
      known = known || line.line_id() == units.order_line_id();
    }
    if (!known || units.quantity() <= 0) {
      return FieldError(absl::StrCat("exchange.replaced[", i, "]"),
                        "names no line of the order or a quantity <= 0");
    }
    v1::LineHistory* h =
        MutableHistory(updated, units.order_line_id(), units.component_sku());
    h->set_exchanged_quantity(h->exchanged_quantity() + units.quantity());
  }
  RETCON_RETURN_IF_ERROR(
      AddKey(exchange.id(), v1::POSTING_KIND_EXCHANGE_ORDER, updated));
  history->Swap(&updated);
  return absl::OkStatus();
}

}  // namespace plan_internal
}  // namespace retcon
