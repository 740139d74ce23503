// RecordRefund: carrying what a refund credited into the order's history.
#include <string>

#include "absl/strings/str_cat.h"
#include "lib/apportion/internal/fields.h"
#include "lib/apportion/internal/figures.h"
#include "lib/internal/status_macros.h"
#include "retcon/apportion.h"

namespace retcon {
namespace {

using google::protobuf::RepeatedPtrField;

void AddMoney(const std::string& currency, int64_t amount, v1::Money* money) {
  money->set_currency_code(currency);
  money->set_minor_units(money->minor_units() + amount);
}

v1::TaxAmount* TaxEntry(RepeatedPtrField<v1::TaxAmount>* taxes, TaxRate rate) {
  for (v1::TaxAmount& tax : *taxes) {
    absl::StatusOr<TaxRate> parsed = TaxRate::Parse(tax.rate());
    if (parsed.ok() && *parsed == rate) return &tax;
  }
  return nullptr;
}

// Adds `refund` to credited amounts. A figure the entry does not record yet
// starts from `rule` (what ApportionRefund assumed was credited), so the
// recorded amounts are exact from here on.
void AddFigures(const std::string& currency, const Figures& refund,
                const Figures& rule, v1::Money* gross, v1::Money* discount,
                RepeatedPtrField<v1::TaxAmount>* taxes, bool recorded_gross,
                bool recorded_discount) {
  AddMoney(currency, refund.gross + (recorded_gross ? 0 : rule.gross), gross);
  AddMoney(currency, refund.discount + (recorded_discount ? 0 : rule.discount),
           discount);
  for (size_t t = 0; t < refund.taxes.size(); ++t) {
    v1::TaxAmount* entry = TaxEntry(taxes, refund.taxes[t].rate);
    int64_t start = 0;
    if (entry == nullptr) {
      entry = taxes->Add();
      entry->set_rate(refund.taxes[t].rate.ToString());
      start = t < rule.taxes.size() ? rule.taxes[t].amount : 0;
    }
    AddMoney(currency, start + refund.taxes[t].amount, entry->mutable_amount());
  }
}

v1::LineHistory* LineEntry(const RefundedLine& line,
                           v1::OrderHistory* history) {
  for (v1::LineHistory& entry : *history->mutable_lines()) {
    if (entry.order_line_id() == line.order_line_id &&
        entry.component_sku() == line.component_sku) {
      return &entry;
    }
  }
  v1::LineHistory* entry = history->add_lines();
  entry->set_order_line_id(line.order_line_id);
  entry->set_component_sku(line.component_sku);
  return entry;
}

v1::ShippingHistory* ShippingEntry(const RefundedLine& line,
                                   v1::OrderHistory* history) {
  for (v1::ShippingHistory& entry : *history->mutable_shipping()) {
    if (entry.shipping_id() == line.order_line_id) return &entry;
  }
  v1::ShippingHistory* entry = history->add_shipping();
  entry->set_shipping_id(line.order_line_id);
  return entry;
}

}  // namespace

absl::Status RecordRefund(const v1::SalesOrder& order, const Refund& refund,
                          v1::OrderHistory* history,
                          const ApportionOptions& options) {
  RETCON_ASSIGN_OR_RETURN(OrderFigures figures, PaidFigures(order, options));
  // Work on a copy: on an error the caller's history is left as it was.
  v1::OrderHistory updated = *history;
  RETCON_RETURN_IF_ERROR(apportion_internal::RecordWithFigures(
      order, figures, refund, &updated, options));
  history->Swap(&updated);
  return absl::OkStatus();
}

namespace apportion_internal {

absl::Status RecordWithFigures(const v1::SalesOrder& order,
                               const OrderFigures& figures,
                               const Refund& refund, v1::OrderHistory* history,
                               const ApportionOptions& options) {
  if (refund.currency_code != figures.currency_code) {
    return apportion_internal::FieldError(
        "refund.currency_code",
        absl::StrCat("is ", refund.currency_code, " but the order is in ",
                     figures.currency_code));
  }
  v1::OrderHistory& updated = *history;
  if (updated.order_id().empty()) updated.set_order_id(order.order_id());
  const std::string& currency = refund.currency_code;
  for (size_t i = 0; i < refund.lines.size(); ++i) {
    const RefundedLine& line = refund.lines[i];
    if (line.kind == RefundedKind::kShipping) {
      v1::ShippingHistory* entry = ShippingEntry(line, &updated);
      AddFigures(currency, line.refund, Figures{},
                 entry->mutable_credited_gross(),
                 entry->mutable_credited_discount(),
                 entry->mutable_credited_taxes(), true, true);
      continue;
    }
    RETCON_ASSIGN_OR_RETURN(
        const PaidLine* paid,
        apportion_internal::Resolve(
            order, figures, line.order_line_id, line.component_sku,
            [i] { return absl::StrCat("refund.lines[", i, "]"); },
            /*whole_bundle_ok=*/false));
    v1::LineHistory* entry = LineEntry(line, &updated);
    if (line.quantity < 0 ||
        line.quantity > paid->units - entry->credited_quantity()) {
      return apportion_internal::FieldError(
          absl::StrCat("refund.lines[", i, "].quantity"),
          absl::StrCat(line.quantity, " would take ",
                       apportion_internal::Describe(order, *paid), " past the ",
                       paid->units, " units sold (", entry->credited_quantity(),
                       " already credited)"));
    }
    const Figures rule = apportion_internal::CumulativeOf(
        figures, *paid, entry->credited_quantity(), options.rounding);
    const bool recorded_gross = entry->has_credited_gross();
    const bool recorded_discount = entry->has_credited_discount();
    AddFigures(currency, line.refund, rule, entry->mutable_credited_gross(),
               entry->mutable_credited_discount(),
               entry->mutable_credited_taxes(), recorded_gross,
               recorded_discount);
    entry->set_credited_quantity(entry->credited_quantity() + line.quantity);
  }
  return absl::OkStatus();
}

}  // namespace apportion_internal
}  // namespace retcon
