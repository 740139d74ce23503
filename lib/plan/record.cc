// Recording posted documents in the order's history.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/apportion/internal/figures.h"
#include "lib/internal/status_macros.h"
#include "lib/plan/internal/plan_context.h"
#include "retcon/allocation.h"
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

// The tax entry of `rate` in `taxes`, added (at 0) when missing.
v1::Money* TaxAt(google::protobuf::RepeatedPtrField<v1::TaxAmount>* taxes,
                 const TaxRate& rate) {
  for (v1::TaxAmount& t : *taxes) {
    absl::StatusOr<TaxRate> parsed = TaxRate::Parse(t.rate());
    if (parsed.ok() && *parsed == rate) return t.mutable_amount();
  }
  v1::TaxAmount* t = taxes->Add();
  t->set_rate(rate.ToString());
  return t->mutable_amount();
}

// What line-level entry `h` of bundle line `line` credited, amount by
// amount (gross, discount, then the line's rates): as recorded, or by the
// cumulative rule where it records nothing.
absl::StatusOr<Figures> LineCredited(const v1::LineHistory& h,
                                     const PaidLine& line, RoundingMode mode,
                                     absl::string_view path) {
  const Figures rule = apportion_internal::Cumulative(
      line.paid, h.credited_quantity(), line.units, mode);
  Figures f = rule;
  if (h.has_credited_gross()) f.gross = h.credited_gross().minor_units();
  if (h.has_credited_discount()) {
    f.discount = h.credited_discount().minor_units();
  }
  for (int t = 0; t < h.credited_taxes_size(); ++t) {
    absl::StatusOr<TaxRate> rate = TaxRate::Parse(h.credited_taxes(t).rate());
    auto it = std::find_if(
        f.taxes.begin(), f.taxes.end(),
        [&](const TaxShare& s) { return rate.ok() && s.rate == *rate; });
    if (it == f.taxes.end()) {
      return FieldError(absl::StrCat(path, ".credited_taxes[", t, "].rate"),
                        absl::StrCat("the line has no tax at ",
                                     h.credited_taxes(t).rate(), "%"));
    }
    it->amount = h.credited_taxes(t).amount().minor_units();
  }
  return f;
}

// SplitBundleHistory, computing the order's figures only when the history
// has a line-level entry for a line that may be a bundle.
absl::Status SplitBundleHistoryOf(const v1::SalesOrder& order,
                                  const ApportionOptions& options,
                                  v1::OrderHistory& history) {
  auto bundle = [&](const v1::SalesOrderLine& line) {
    if (line.components_size() > 0) return true;
    if (options.catalog == nullptr) return false;
    for (const v1::BundleDefinition& b : options.catalog->bundles()) {
      if (b.bundle_sku() == line.sku()) return true;
    }
    return false;
  };
  bool any = false;
  for (const v1::LineHistory& h : history.lines()) {
    if (!h.component_sku().empty()) continue;
    for (const v1::SalesOrderLine& line : order.lines()) {
      any = any || (line.line_id() == h.order_line_id() && bundle(line));
    }
  }
  if (!any) return absl::OkStatus();
  RETCON_ASSIGN_OR_RETURN(OrderFigures figures, PaidFigures(order, options));
  return SplitBundleHistory(figures, order, options.rounding, history);
}

}  // namespace

absl::Status SplitBundleHistory(const OrderFigures& figures,
                                const v1::SalesOrder& order, RoundingMode mode,
                                v1::OrderHistory& history) {
  if (figures.components.empty()) return absl::OkStatus();  // No bundles.
  for (int i = 0; i < history.lines_size(); ++i) {
    const v1::LineHistory& h = history.lines(i);
    if (!h.component_sku().empty()) continue;
    int l = -1;
    for (int k = 0; k < order.lines_size() && l < 0; ++k) {
      if (order.lines(k).line_id() == h.order_line_id()) l = k;
    }
    if (l < 0) continue;  // Apportioning names the unknown line.
    const PaidLine& line = figures.lines[l];
    if (line.component_begin == line.component_end) continue;
    const std::string path = absl::StrCat("history.lines[", i, "]");
    const std::pair<int64_t, const char*> counts[] = {
        {h.credited_quantity(), "credited_quantity"},
        {h.moved_quantity(), "moved_quantity"},
        {h.exchanged_quantity(), "exchanged_quantity"}};
    for (const auto& [n, name] : counts) {
      if (n < 0 || n > line.units) {
        return FieldError(absl::StrCat(path, ".", name),
                          absl::StrCat("must be between 0 and the ", line.units,
                                       " bundles sold, got ", n));
      }
    }
    RETCON_ASSIGN_OR_RETURN(Figures credited,
                            LineCredited(h, line, mode, path));
    // Each amount in proportion to what each component was paid of it (by
    // units when none was paid any), largest remainder: the parts add up to
    // what the line credited, so nothing is credited twice or lost.
    const int n = line.component_end - line.component_begin;
    std::vector<Figures> parts(n);
    for (size_t k = 0; k < apportion_internal::AmountCount(credited); ++k) {
      std::vector<int64_t> weights(n);
      bool any = false;
      for (int c = 0; c < n; ++c) {
        weights[c] = apportion_internal::AmountAt(
            figures.components[line.component_begin + c].paid, k);
        any = any || weights[c] > 0;
      }
      if (!any) {
        for (int c = 0; c < n; ++c) {
          weights[c] = figures.components[line.component_begin + c].units;
        }
      }
      RETCON_ASSIGN_OR_RETURN(
          std::vector<int64_t> shares,
          AllocateByWeights(apportion_internal::AmountAt(credited, k),
                            weights));
      for (int c = 0; c < n; ++c) {
        if (k == 0) parts[c].taxes = credited.taxes;
        apportion_internal::AmountAt(parts[c], k) = shares[c];
      }
    }
    const v1::LineHistory whole = h;  // The entry goes; keep its figures.
    history.mutable_lines()->DeleteSubrange(i, 1);
    --i;
    for (int c = 0; c < n; ++c) {
      const PaidLine& component = figures.components[line.component_begin + c];
      const int64_t per_bundle = component.units / line.units;
      v1::LineHistory* entry =
          MutableHistory(history, whole.order_line_id(), component.sku);
      if (whole.credited_quantity() > 0) {
        // A component entry recording quantities only is at its rule.
        const Figures own = apportion_internal::CumulativeOf(
            figures, component, entry->credited_quantity(), mode);
        const std::string& currency = figures.currency_code;
        auto add = [&](v1::Money* money, bool recorded, int64_t start,
                       int64_t amount) {
          money->set_currency_code(currency);
          money->set_minor_units((recorded ? money->minor_units() : start) +
                                 amount);
        };
        add(entry->mutable_credited_gross(), entry->has_credited_gross(),
            own.gross, parts[c].gross);
        add(entry->mutable_credited_discount(), entry->has_credited_discount(),
            own.discount, parts[c].discount);
        for (size_t t = 0; t < parts[c].taxes.size(); ++t) {
          const int before = entry->credited_taxes_size();
          v1::Money* tax =
              TaxAt(entry->mutable_credited_taxes(), parts[c].taxes[t].rate);
          const bool recorded = entry->credited_taxes_size() == before;
          add(tax, recorded, t < own.taxes.size() ? own.taxes[t].amount : 0,
              parts[c].taxes[t].amount);
        }
        entry->set_credited_quantity(entry->credited_quantity() +
                                     whole.credited_quantity() * per_bundle);
      }
      entry->set_moved_quantity(entry->moved_quantity() +
                                whole.moved_quantity() * per_bundle);
      entry->set_exchanged_quantity(entry->exchanged_quantity() +
                                    whole.exchanged_quantity() * per_bundle);
    }
  }
  return absl::OkStatus();
}

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
  const ValuedOrder valued(order, config);
  v1::OrderHistory updated = *history;
  RETCON_RETURN_IF_ERROR(
      SplitBundleHistoryOf(valued.order(), valued.options(), updated));
  RETCON_RETURN_IF_ERROR(
      RecordRefund(valued.order(), refund, &updated, valued.options()));
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
  const ValuedOrder valuing(order, config);
  const v1::SalesOrder& valued = valuing.order();
  RETCON_ASSIGN_OR_RETURN(OrderFigures figures,
                          PaidFigures(valued, valuing.options()));
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
  RETCON_RETURN_IF_ERROR(
      SplitBundleHistory(figures, valued, valuing.options().rounding, updated));
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
