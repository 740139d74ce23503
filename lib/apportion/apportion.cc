// ApportionRefund: the refund of returned units, continued cumulatively from
// what the history says was already credited.
#include "retcon/apportion.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "lib/apportion/internal/fields.h"
#include "lib/apportion/internal/figures.h"
#include "lib/internal/status_macros.h"
#include "lib/money/internal/rounding.h"

namespace retcon {
namespace {

using apportion_internal::CumulativeOf;
using apportion_internal::Describe;
using apportion_internal::FieldError;
using apportion_internal::IsBundle;
using apportion_internal::ReadNonNegative;
using apportion_internal::ReadRate;
using apportion_internal::Resolve;
using apportion_internal::Units;

// What the history records as credited for one line or component. Amounts
// are null when the history does not record them.
struct Credited {
  int64_t quantity = 0;
  const v1::LineHistory* entry = nullptr;
};

// Units of one line or component requested in this call.
struct Request {
  const PaidLine* paid;
  int64_t quantity;
  int first_return;  // Index into `returns` that asked first, for errors.
};

absl::Status ValidateCreditedAmounts(
    const v1::Money& gross, const v1::Money& discount,
    const google::protobuf::RepeatedPtrField<v1::TaxAmount>& taxes,
    const Figures& paid, const std::string& currency,
    apportion_internal::PathFn path);

absl::Status ValidateLineHistory(const v1::LineHistory& entry,
                                 const PaidLine& paid,
                                 const std::string& currency,
                                 apportion_internal::PathFn path) {
  if (entry.credited_quantity() < 0 || entry.credited_quantity() > paid.units) {
    return FieldError(
        absl::StrCat(path(), ".credited_quantity"),
        absl::StrCat("must be between 0 and the ", paid.units,
                     " units sold, got ", entry.credited_quantity()));
  }
  if (entry.moved_quantity() < 0 || entry.moved_quantity() > paid.units) {
    return FieldError(
        absl::StrCat(path(), ".moved_quantity"),
        absl::StrCat("must be between 0 and the ", paid.units,
                     " units sold, got ", entry.moved_quantity()));
  }
  return ValidateCreditedAmounts(
      entry.credited_gross(), entry.credited_discount(), entry.credited_taxes(),
      paid.paid, currency, path);
}

// Credited amounts of a history entry: in the order's currency, not
// negative, taxes only at rates the paid figures have.
absl::Status ValidateCreditedAmounts(
    const v1::Money& gross, const v1::Money& discount,
    const google::protobuf::RepeatedPtrField<v1::TaxAmount>& taxes,
    const Figures& paid, const std::string& currency,
    apportion_internal::PathFn path) {
  RETCON_RETURN_IF_ERROR(ReadNonNegative(gross, currency, [&] {
                           return absl::StrCat(path(), ".credited_gross");
                         }).status());
  RETCON_RETURN_IF_ERROR(ReadNonNegative(discount, currency, [&] {
                           return absl::StrCat(path(), ".credited_discount");
                         }).status());
  for (int t = 0; t < taxes.size(); ++t) {
    const auto tax_path = [&] {
      return absl::StrCat(path(), ".credited_taxes[", t, "]");
    };
    RETCON_ASSIGN_OR_RETURN(TaxRate rate, ReadRate(taxes[t].rate(), [&] {
                              return absl::StrCat(tax_path(), ".rate");
                            }));
    for (int u = 0; u < t; ++u) {
      absl::StatusOr<TaxRate> earlier = TaxRate::Parse(taxes[u].rate());
      if (earlier.ok() && *earlier == rate) {
        return FieldError(absl::StrCat(tax_path(), ".rate"),
                          absl::StrCat("rate ", rate.ToString(),
                                       "% is also credited_taxes[", u, "]"));
      }
    }
    if (std::none_of(paid.taxes.begin(), paid.taxes.end(),
                     [rate](const TaxShare& s) { return s.rate == rate; })) {
      return FieldError(
          absl::StrCat(tax_path(), ".rate"),
          absl::StrCat("the line has no tax at ", rate.ToString(), "%"));
    }
    RETCON_RETURN_IF_ERROR(ReadNonNegative(taxes[t].amount(), currency, [&] {
                             return absl::StrCat(tax_path(), ".amount");
                           }).status());
  }
  return absl::OkStatus();
}

// One Credited per history entry, in history order, with its target.
using HistoryIndex =
    absl::InlinedVector<std::pair<const PaidLine*, Credited>, 8>;

absl::StatusOr<HistoryIndex> IndexHistory(const v1::SalesOrder& order,
                                          const OrderFigures& figures,
                                          const v1::OrderHistory& history) {
  if (!history.order_id().empty() && history.order_id() != order.order_id()) {
    return FieldError("history.order_id",
                      absl::StrCat("history is for order '", history.order_id(),
                                   "', not '", order.order_id(), "'"));
  }
  HistoryIndex index;
  for (int j = 0; j < history.lines_size(); ++j) {
    const v1::LineHistory& entry = history.lines(j);
    const auto path = [j] { return absl::StrCat("history.lines[", j, "]"); };
    RETCON_ASSIGN_OR_RETURN(
        const PaidLine* paid,
        Resolve(order, figures, entry.order_line_id(), entry.component_sku(),
                path, /*whole_bundle_ok=*/false));
    for (const auto& seen : index) {
      if (seen.first == paid) {
        return FieldError(path(), absl::StrCat(Describe(order, *paid),
                                               " has more than one entry"));
      }
    }
    RETCON_RETURN_IF_ERROR(
        ValidateLineHistory(entry, *paid, figures.currency_code, path));
    index.push_back({paid, Credited{entry.credited_quantity(), &entry}});
  }
  return index;
}

Credited CreditedFor(const HistoryIndex& index, const PaidLine* paid) {
  for (const auto& entry : index) {
    if (entry.first == paid) return entry.second;
  }
  return Credited{};
}

// Groups the requested quantities by line or component.
absl::StatusOr<absl::InlinedVector<Request, 8>> GroupReturns(
    const v1::SalesOrder& order, const OrderFigures& figures,
    absl::Span<const ReturnQuantity> returns) {
  absl::InlinedVector<Request, 8> requests;
  // Quantities are at most the units sold (checked below), so the sums of a
  // few of them cannot overflow; the saturation is for absurd inputs only.
  const auto add = [&requests](const PaidLine* paid, int64_t quantity, int i) {
    for (Request& r : requests) {
      if (r.paid == paid) {
        if (__builtin_add_overflow(r.quantity, quantity, &r.quantity)) {
          r.quantity = std::numeric_limits<int64_t>::max();
        }
        return;
      }
    }
    requests.push_back(Request{paid, quantity, i});
  };
  for (size_t i = 0; i < returns.size(); ++i) {
    const ReturnQuantity& ret = returns[i];
    const auto path = [i] { return absl::StrCat("returns[", i, "]"); };
    if (ret.quantity <= 0) {
      return FieldError(absl::StrCat(path(), ".quantity"),
                        absl::StrCat("must be > 0, got ", ret.quantity));
    }
    RETCON_ASSIGN_OR_RETURN(
        const PaidLine* paid,
        Resolve(order, figures, ret.order_line_id, ret.component_sku, path,
                /*whole_bundle_ok=*/true));
    if (ret.quantity > paid->units) {
      return FieldError(absl::StrCat(path(), ".quantity"),
                        absl::StrCat("asked for ", Units(ret.quantity), " of ",
                                     Describe(order, *paid), ", but only ",
                                     paid->units, " were sold"));
    }
    if (paid->component_index >= 0 || !IsBundle(*paid)) {
      add(paid, ret.quantity, static_cast<int>(i));
      continue;
    }
    // Whole bundles return every component.
    for (int c = paid->component_begin; c < paid->component_end; ++c) {
      const PaidLine& component = figures.components[c];
      const int64_t per_bundle = component.units / paid->units;
      add(&component, ret.quantity * per_bundle, static_cast<int>(i));
    }
  }
  return requests;
}

// The recorded credited tax at `rate`, or null. The rates were validated.
const v1::Money* CreditedTax(
    const google::protobuf::RepeatedPtrField<v1::TaxAmount>& credited,
    TaxRate rate) {
  for (const v1::TaxAmount& tax : credited) {
    absl::StatusOr<TaxRate> parsed = TaxRate::Parse(tax.rate());
    if (parsed.ok() && *parsed == rate) return &tax.amount();
  }
  return nullptr;
}

// Keeps tax within gross when an inconsistent history makes the slices
// disagree, so net is never negative.
void CapTaxAtGross(Figures& f) {
  int64_t excess = f.tax() - f.gross;
  for (auto it = f.taxes.rbegin(); excess > 0 && it != f.taxes.rend(); ++it) {
    const int64_t cut = std::min(excess, it->amount);
    it->amount -= cut;
    excess -= cut;
  }
  f.net = f.gross - f.tax();
}

// The history's record of what was credited before for amount k, or null
// when it records none.
const v1::Money* RecordedCredit(const PaidLine& paid, const Credited& credited,
                                size_t k) {
  const v1::LineHistory* entry = credited.entry;
  if (entry == nullptr) return nullptr;
  if (k == 0) {
    return entry->has_credited_gross() ? &entry->credited_gross() : nullptr;
  }
  if (k == 1) {
    return entry->has_credited_discount() ? &entry->credited_discount()
                                          : nullptr;
  }
  return CreditedTax(entry->credited_taxes(), paid.paid.taxes[k - 2].rate);
}

// Turns `f` from a cumulative target into the refund: target - already
// credited, amount by amount, never below zero. Already credited is the
// history's record, or the rule's F(credited quantity) where it records
// none (computed only then). Because no target exceeds what was paid,
// neither does the credit after it.
void SubtractCredited(const OrderFigures& figures, const PaidLine& paid,
                      const Credited& credited, RoundingMode mode, Figures& f) {
  if (credited.quantity != 0 || credited.entry != nullptr) {
    Figures rule;
    bool have_rule = false;
    for (size_t k = 0; k < apportion_internal::AmountCount(f); ++k) {
      int64_t& amount = apportion_internal::AmountAt(f, k);
      const v1::Money* recorded = RecordedCredit(paid, credited, k);
      int64_t already;
      if (recorded != nullptr) {
        already = recorded->minor_units();
      } else {
        if (!have_rule) {
          rule = CumulativeOf(figures, paid, credited.quantity, mode);
          have_rule = true;
        }
        already = apportion_internal::AmountAt(rule, k);
      }
      amount = amount > already ? amount - already : 0;
    }
  }
  CapTaxAtGross(f);
}

void AddTo(Figures& total, const Figures& f) {
  total.gross += f.gross;
  total.discount += f.discount;
  total.net += f.net;
  for (const TaxShare& tax : f.taxes) {
    auto it =
        std::find_if(total.taxes.begin(), total.taxes.end(),
                     [&](const TaxShare& s) { return s.rate == tax.rate; });
    if (it == total.taxes.end()) {
      total.taxes.push_back(tax);
    } else {
      it->amount += tax.amount;
    }
  }
}

// What remains unrefunded of one figure of a shipping line.
int64_t Remaining(int64_t paid, const v1::Money* credited) {
  const int64_t already = credited != nullptr ? credited->minor_units() : 0;
  return paid > already ? paid - already : 0;
}

// The history entry of each shipping line (null when none), validated.
using ShippingIndex = absl::InlinedVector<const v1::ShippingHistory*, 2>;

absl::StatusOr<ShippingIndex> IndexShippingHistory(
    const v1::SalesOrder& order, const OrderFigures& figures,
    const v1::OrderHistory& history) {
  ShippingIndex credited(figures.shipping.size(), nullptr);
  for (int j = 0; j < history.shipping_size(); ++j) {
    const v1::ShippingHistory& entry = history.shipping(j);
    const auto path = [j] { return absl::StrCat("history.shipping[", j, "]"); };
    size_t s = 0;
    while (s < figures.shipping.size() &&
           order.shipping_lines(figures.shipping[s].shipping_index)
                   .shipping_id() != entry.shipping_id()) {
      ++s;
    }
    if (s == figures.shipping.size()) {
      return FieldError(absl::StrCat(path(), ".shipping_id"),
                        absl::StrCat("no shipping line '", entry.shipping_id(),
                                     "' in the order"));
    }
    RETCON_RETURN_IF_ERROR(ValidateCreditedAmounts(
        entry.credited_gross(), entry.credited_discount(),
        entry.credited_taxes(), figures.shipping[s].paid, figures.currency_code,
        path));
    if (credited[s] != nullptr) {
      return FieldError(path(),
                        absl::StrCat("shipping line '", entry.shipping_id(),
                                     "' has more than one entry"));
    }
    credited[s] = &entry;
  }
  return credited;
}

void AddShipping(const v1::SalesOrder& order, const OrderFigures& figures,
                 const ShippingIndex& credited, Refund& refund) {
  for (size_t s = 0; s < figures.shipping.size(); ++s) {
    const Figures& paid = figures.shipping[s].paid;
    const v1::ShippingHistory* entry = credited[s];
    RefundedLine line;
    line.kind = RefundedKind::kShipping;
    line.order_line_id =
        order.shipping_lines(figures.shipping[s].shipping_index).shipping_id();
    line.refund.gross =
        Remaining(paid.gross, entry && entry->has_credited_gross()
                                  ? &entry->credited_gross()
                                  : nullptr);
    line.refund.discount =
        Remaining(paid.discount, entry && entry->has_credited_discount()
                                     ? &entry->credited_discount()
                                     : nullptr);
    for (const TaxShare& tax : paid.taxes) {
      const v1::Money* taxed =
          entry ? CreditedTax(entry->credited_taxes(), tax.rate) : nullptr;
      line.refund.taxes.push_back(
          TaxShare{tax.rate, Remaining(tax.amount, taxed)});
    }
    CapTaxAtGross(line.refund);
    if (line.refund.gross == 0 && line.refund.tax() == 0) continue;
    AddTo(refund.total, line.refund);
    refund.lines.push_back(std::move(line));
  }
}

void SetMoney(const std::string& currency, int64_t minor, v1::Money* money) {
  money->set_currency_code(currency);
  money->set_minor_units(minor);
}

// The text of each rate of a refund, formatted once: every line states its
// rates, and a refund has few.
class RateTexts {
 public:
  explicit RateTexts(const TaxShares& rates) {
    for (const TaxShare& tax : rates)
      texts_.emplace_back(tax.rate, tax.rate.ToString());
  }
  const std::string& Of(TaxRate rate) {
    for (const auto& known : texts_) {
      if (known.first == rate) return known.second;
    }
    texts_.emplace_back(rate, rate.ToString());
    return texts_.back().second;
  }

 private:
  absl::InlinedVector<std::pair<TaxRate, std::string>, 2> texts_;
};

void SetTaxes(const std::string& currency, const TaxShares& taxes,
              RateTexts& texts,
              google::protobuf::RepeatedPtrField<v1::TaxAmount>* out) {
  out->Clear();
  for (const TaxShare& tax : taxes) {
    v1::TaxAmount* amount = out->Add();
    amount->set_rate(texts.Of(tax.rate));
    SetMoney(currency, tax.amount, amount->mutable_amount());
  }
}

}  // namespace

absl::StatusOr<Refund> ApportionRefund(const v1::SalesOrder& order,
                                       const v1::OrderHistory& history,
                                       absl::Span<const ReturnQuantity> returns,
                                       const ApportionOptions& options) {
  OrderFigures figures;
  RETCON_RETURN_IF_ERROR(
      apportion_internal::ComputePaidFigures(order, options, figures));
  return apportion_internal::ApportionWithFigures(order, figures, history,
                                                  returns, options);
}

namespace apportion_internal {

absl::StatusOr<Refund> ApportionWithFigures(
    const v1::SalesOrder& order, const OrderFigures& figures,
    const v1::OrderHistory& history, absl::Span<const ReturnQuantity> returns,
    const ApportionOptions& options) {
  RETCON_ASSIGN_OR_RETURN(HistoryIndex credited,
                          IndexHistory(order, figures, history));
  RETCON_ASSIGN_OR_RETURN(ShippingIndex shipping_credited,
                          IndexShippingHistory(order, figures, history));
  RETCON_ASSIGN_OR_RETURN(auto requests, GroupReturns(order, figures, returns));

  // Each refund line first holds where its line or component should stand
  // after this refund (the cumulative target), then less what it has.
  Refund refund;
  refund.currency_code = figures.currency_code;
  refund.exponent = figures.exponent;
  refund.lines.resize(requests.size());
  absl::InlinedVector<Credited, 8> before(requests.size());
  for (size_t r = 0; r < requests.size(); ++r) {
    const PaidLine& paid = *requests[r].paid;
    before[r] = CreditedFor(credited, requests[r].paid);
    const int64_t returnable = paid.units - before[r].quantity;
    if (requests[r].quantity > returnable) {
      return FieldError(
          absl::StrCat("returns[", requests[r].first_return, "].quantity"),
          absl::StrCat("asked for ", Units(requests[r].quantity), " of ",
                       Describe(order, paid), ", but only ", returnable,
                       " remain returnable (", paid.units, " sold, ",
                       before[r].quantity, " already credited)"));
    }
    RefundedLine& line = refund.lines[r];
    line.order_line_id = order.lines(paid.line_index).line_id();
    if (paid.component_index >= 0) line.component_sku = std::string(paid.sku);
    line.sku = std::string(paid.sku);
    line.quantity = requests[r].quantity;
    line.refund =
        CumulativeOf(figures, paid, before[r].quantity + requests[r].quantity,
                     options.rounding);
    SubtractCredited(figures, paid, before[r], options.rounding, line.refund);
    AddTo(refund.total, refund.lines[r].refund);
  }
  if (options.include_shipping) {
    AddShipping(order, figures, shipping_credited, refund);
  }
  return refund;
}

absl::Status AddShippingWithFigures(const v1::SalesOrder& order,
                                    const OrderFigures& figures,
                                    const v1::OrderHistory& history,
                                    Refund& refund) {
  RETCON_ASSIGN_OR_RETURN(ShippingIndex shipping_credited,
                          IndexShippingHistory(order, figures, history));
  AddShipping(order, figures, shipping_credited, refund);
  return absl::OkStatus();
}

}  // namespace apportion_internal

void FillCreditNote(const Refund& refund, v1::CreditNote* note) {
  const std::string& currency = refund.currency_code;
  note->set_currency_code(currency);
  note->clear_lines();
  RateTexts texts(refund.total.taxes);
  for (const RefundedLine& line : refund.lines) {
    v1::RefundLine* out = note->add_lines();
    out->set_kind(line.kind == RefundedKind::kGoods
                      ? v1::CREDIT_LINE_KIND_GOODS
                      : v1::CREDIT_LINE_KIND_SHIPPING);
    out->set_order_line_id(line.order_line_id);
    // A new line's strings are empty: setting an empty one would only
    // allocate.
    if (!line.component_sku.empty()) {
      out->set_component_sku(line.component_sku);
    }
    out->set_sku(line.sku);
    out->set_quantity(line.quantity);
    SetMoney(currency, line.refund.gross, out->mutable_gross());
    SetMoney(currency, line.refund.discount, out->mutable_discount());
    SetMoney(currency, line.refund.net, out->mutable_net());
    SetMoney(currency, line.refund.tax(), out->mutable_tax());
    SetTaxes(currency, line.refund.taxes, texts, out->mutable_taxes());
  }
  SetMoney(currency, refund.total.gross, note->mutable_total_gross());
  SetMoney(currency, refund.total.net, note->mutable_total_net());
  SetMoney(currency, refund.total.tax(), note->mutable_total_tax());
  SetTaxes(currency, refund.total.taxes, texts, note->mutable_tax_summary());
}

}  // namespace retcon
