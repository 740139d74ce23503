#include "examples/retcon/order_history.h"

#include <string>

namespace retcon {
namespace cli {
namespace {

using google::protobuf::RepeatedPtrField;

void AddMoney(const std::string& currency, int64_t amount, v1::Money* money) {
  money->set_currency_code(currency);
  money->set_minor_units(money->minor_units() + amount);
}

void AddTaxes(const std::string& currency, const TaxShares& taxes,
              RepeatedPtrField<v1::TaxAmount>* credited) {
  for (const TaxShare& share : taxes) {
    const std::string rate = share.rate.ToString();
    v1::TaxAmount* entry = nullptr;
    for (v1::TaxAmount& tax : *credited) {
      if (tax.rate() == rate) entry = &tax;
    }
    if (entry == nullptr) {
      entry = credited->Add();
      entry->set_rate(rate);
    }
    AddMoney(currency, share.amount, entry->mutable_amount());
  }
}

v1::LineHistory* FindOrAddLine(const RefundedLine& line,
                               v1::OrderHistory* history, bool* added) {
  for (v1::LineHistory& entry : *history->mutable_lines()) {
    if (entry.order_line_id() == line.order_line_id &&
        entry.component_sku() == line.component_sku) {
      *added = false;
      return &entry;
    }
  }
  *added = true;
  v1::LineHistory* entry = history->add_lines();
  entry->set_order_line_id(line.order_line_id);
  entry->set_component_sku(line.component_sku);
  return entry;
}

void RecordGoods(const std::string& currency, const RefundedLine& line,
                 v1::OrderHistory* history) {
  bool added;
  v1::LineHistory* entry = FindOrAddLine(line, history, &added);
  // Amounts are recorded only where the history already keeps them: an
  // earlier quantity without amounts must stay on the cumulative rule.
  const bool amounts = added || entry->credited_quantity() == 0;
  entry->set_credited_quantity(entry->credited_quantity() + line.quantity);
  if (amounts || entry->has_credited_gross()) {
    AddMoney(currency, line.refund.gross, entry->mutable_credited_gross());
  }
  if (amounts || entry->has_credited_discount()) {
    AddMoney(currency, line.refund.discount,
             entry->mutable_credited_discount());
  }
  if (amounts || entry->credited_taxes_size() > 0) {
    AddTaxes(currency, line.refund.taxes, entry->mutable_credited_taxes());
  }
}

void RecordShipping(const std::string& currency, const RefundedLine& line,
                    v1::OrderHistory* history) {
  v1::ShippingHistory* entry = nullptr;
  for (v1::ShippingHistory& shipping : *history->mutable_shipping()) {
    if (shipping.shipping_id() == line.order_line_id) entry = &shipping;
  }
  if (entry == nullptr) {
    entry = history->add_shipping();
    entry->set_shipping_id(line.order_line_id);
  }
  AddMoney(currency, line.refund.gross, entry->mutable_credited_gross());
  AddMoney(currency, line.refund.discount, entry->mutable_credited_discount());
  AddTaxes(currency, line.refund.taxes, entry->mutable_credited_taxes());
}

}  // namespace

void RecordRefund(const v1::SalesOrder& order, const Refund& refund,
                  v1::OrderHistory* history) {
  if (history->order_id().empty()) history->set_order_id(order.order_id());
  for (const RefundedLine& line : refund.lines) {
    if (line.kind == RefundedKind::kShipping) {
      RecordShipping(refund.currency_code, line, history);
    } else {
      RecordGoods(refund.currency_code, line, history);
    }
  }
}

}  // namespace cli
}  // namespace retcon
