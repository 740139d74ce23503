// PaidFigures: what every line, bundle component and shipping line of an
// order was paid, from the order's own allocations where it recorded them.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "lib/apportion/internal/bundle_components.h"
#include "lib/apportion/internal/fields.h"
#include "lib/apportion/internal/figures.h"
#include "lib/internal/status_macros.h"
#include "lib/money/internal/rounding.h"
#include "retcon/apportion.h"

namespace retcon {
namespace {

using apportion_internal::AddComponents;
using apportion_internal::ComponentSpec;
using apportion_internal::ComponentSpecs;
using apportion_internal::FieldError;
using apportion_internal::kMaxUnits;
using apportion_internal::PathFn;
using apportion_internal::ReadComponents;
using apportion_internal::ReadNonNegative;
using apportion_internal::ReadRate;
using apportion_internal::SameText;
using google::protobuf::RepeatedPtrField;

// What the order's discount applications have been allocated so far.
struct ApplicationUse {
  bool referenced = false;
  absl::int128 allocated = 0;
};

// Order-wide state while the lines are read.
struct Reading {
  const v1::SalesOrder& order;
  const ApportionOptions& options;
  const std::string& currency;
  absl::InlinedVector<ApplicationUse, 4> applications;
  // Tax rate texts parsed so far and their values: an order has few rates.
  absl::InlinedVector<std::pair<absl::string_view, TaxRate>, 4> rates;
};

absl::StatusOr<int> FindApplication(const v1::SalesOrder& order,
                                    absl::string_view id) {
  for (int a = 0; a < order.discounts_size(); ++a) {
    if (order.discounts(a).application_id() == id) return a;
  }
  return absl::NotFoundError(id);
}

// Sum of the discounts the source allocated to one line or shipping line;
// marks the applications they belong to as allocated.
absl::StatusOr<int64_t> ReadAllocations(
    Reading& reading, const RepeatedPtrField<v1::DiscountAllocation>& allocs,
    PathFn owner) {
  absl::int128 sum = 0;
  for (int j = 0; j < allocs.size(); ++j) {
    const auto path = [&] {
      return absl::StrCat(owner(), ".discount_allocations[", j, "]");
    };
    RETCON_ASSIGN_OR_RETURN(
        int64_t amount,
        ReadNonNegative(allocs[j].amount(), reading.currency,
                        [&] { return absl::StrCat(path(), ".amount"); }));
    sum += amount;
    if (allocs[j].application_id().empty()) continue;
    absl::StatusOr<int> a =
        FindApplication(reading.order, allocs[j].application_id());
    if (!a.ok()) {
      return FieldError(
          absl::StrCat(path(), ".application_id"),
          absl::StrCat("no discount application '", allocs[j].application_id(),
                       "' in order.discounts"));
    }
    reading.applications[*a].referenced = true;
    reading.applications[*a].allocated += amount;
  }
  if (sum > std::numeric_limits<int64_t>::max()) {
    return FieldError(owner(), "discount allocations overflow int64");
  }
  return static_cast<int64_t>(sum);
}

// Tax per distinct rate on an amount `paid` in the order's price basis. Tax
// amounts the source recorded are used as given; missing ones are derived
// from the rate. Fills `figures` (gross, net, taxes).
// The rate of tax line `t`. The lines of an order share a few rates, so
// each text is parsed once per order.
absl::StatusOr<TaxRate> RateOf(Reading& reading,
                               const RepeatedPtrField<v1::TaxLine>& tax_lines,
                               int t, PathFn owner) {
  const std::string& text = tax_lines[t].rate();
  for (const auto& known : reading.rates) {
    if (SameText(known.first, text)) return known.second;
  }
  RETCON_ASSIGN_OR_RETURN(TaxRate rate, ReadRate(text, [&] {
                            return absl::StrCat(owner(), ".tax_lines[", t,
                                                "].rate");
                          }));
  reading.rates.emplace_back(text, rate);
  return rate;
}

// Sets gross and net from the price in the order's basis and its tax.
absl::Status SetGrossAndNet(bool inclusive, int64_t paid, absl::int128 tax,
                            PathFn owner, Figures& figures) {
  if (inclusive) {
    if (tax > paid) {
      return FieldError(
          absl::StrCat(owner(), ".tax_lines"),
          absl::StrCat("tax of ", static_cast<int64_t>(tax),
                       " minor units exceeds the tax-inclusive price of ",
                       paid));
    }
    figures.gross = paid;
    figures.net = paid - static_cast<int64_t>(tax);
    return absl::OkStatus();
  }
  const absl::int128 gross = absl::int128(paid) + tax;
  if (gross > std::numeric_limits<int64_t>::max()) {
    return FieldError(owner(), "price plus tax overflows int64");
  }
  figures.net = paid;
  figures.gross = static_cast<int64_t>(gross);
  return absl::OkStatus();
}

absl::Status ReadTaxes(Reading& reading,
                       const RepeatedPtrField<v1::TaxLine>& tax_lines,
                       int64_t paid, PathFn owner, Figures& figures) {
  const bool inclusive = reading.order.prices_include_tax();
  const RoundingMode mode = reading.options.rounding;
  figures.taxes.clear();
  if (tax_lines.size() == 1 && !tax_lines[0].has_amount()) {
    // The common case: one rate, the tax left to compute.
    RETCON_ASSIGN_OR_RETURN(TaxRate rate, RateOf(reading, tax_lines, 0, owner));
    int64_t tax;
    if (inclusive) {
      tax = ExtractTax(paid, rate, mode).tax;
    } else {
      absl::StatusOr<int64_t> on_net = TaxOnNet(paid, rate, mode);
      if (!on_net.ok()) {
        return FieldError(absl::StrCat(owner(), ".tax_lines[0]"),
                          on_net.status().message());
      }
      tax = *on_net;
    }
    figures.taxes.push_back(TaxShare{rate, tax});
    return SetGrossAndNet(inclusive, paid, tax, owner, figures);
  }
  absl::InlinedVector<TaxRate, 2> rates;
  int decimals = 0;
  for (int t = 0; t < tax_lines.size(); ++t) {
    RETCON_ASSIGN_OR_RETURN(TaxRate rate, RateOf(reading, tax_lines, t, owner));
    rates.push_back(rate);
    decimals = std::max(decimals, rate.decimals());
  }
  // Work in the smallest decimal scale of the rates (20% as 20/100, 17.5%
  // as 175/1000): the same exact fractions in cheaper arithmetic. An
  // inclusive price holds all its taxes at once: each rate's part of it is
  // price * r / (1 + sum of rates).
  int64_t hundred = 100;
  for (int d = 0; d < decimals; ++d) hundred *= 10;
  int64_t rate_sum = 0;
  for (TaxRate rate : rates) rate_sum += rate.ScaledTo(decimals);
  const absl::int128 denominator =
      inclusive ? absl::int128(hundred) + rate_sum : absl::int128(hundred);
  absl::int128 tax_sum = 0;
  for (int t = 0; t < tax_lines.size(); ++t) {
    int64_t amount;
    if (tax_lines[t].has_amount()) {
      RETCON_ASSIGN_OR_RETURN(
          amount, ReadNonNegative(tax_lines[t].amount(), reading.currency, [&] {
            return absl::StrCat(owner(), ".tax_lines[", t, "].amount");
          }));
    } else {
      amount = static_cast<int64_t>(money_internal::DivideRoundedUnchecked(
          absl::int128(paid) * rates[t].ScaledTo(decimals), denominator, mode));
    }
    tax_sum += amount;
    auto same_rate =
        std::find_if(figures.taxes.begin(), figures.taxes.end(),
                     [&](const TaxShare& s) { return s.rate == rates[t]; });
    if (same_rate == figures.taxes.end()) {
      figures.taxes.push_back(TaxShare{rates[t], amount});
    } else {
      same_rate->amount += amount;
    }
  }
  return SetGrossAndNet(inclusive, paid, tax_sum, owner, figures);
}

// Reads the lines' list prices and the discounts the source allocated.
// Returns list price and allocated discount per line.
struct LineAmounts {
  int64_t list = 0;
  int64_t discount = 0;
};

absl::Status ReadLines(Reading& reading,
                       absl::InlinedVector<LineAmounts, 16>& amounts) {
  const v1::SalesOrder& order = reading.order;
  for (int i = 0; i < order.lines_size(); ++i) {
    const v1::SalesOrderLine& line = order.lines(i);
    const auto owner = [i] { return absl::StrCat("order.lines[", i, "]"); };
    if (line.line_id().empty()) {
      return FieldError(absl::StrCat(owner(), ".line_id"), "must not be empty");
    }
    for (int j = 0; j < i; ++j) {
      if (SameText(order.lines(j).line_id(), line.line_id())) {
        return FieldError(
            absl::StrCat(owner(), ".line_id"),
            absl::StrCat("'", line.line_id(),
                         "' is also the id of order.lines[", j, "]"));
      }
    }
    if (line.quantity() <= 0 || line.quantity() > kMaxUnits) {
      return FieldError(absl::StrCat(owner(), ".quantity"),
                        absl::StrCat("must be between 1 and ", kMaxUnits,
                                     ", got ", line.quantity()));
    }
    RETCON_ASSIGN_OR_RETURN(
        int64_t unit_price,
        ReadNonNegative(line.unit_price(), reading.currency,
                        [&] { return absl::StrCat(owner(), ".unit_price"); }));
    const absl::int128 list = absl::int128(unit_price) * line.quantity();
    if (list > std::numeric_limits<int64_t>::max()) {
      return FieldError(owner(), "unit_price x quantity overflows int64");
    }
    amounts[i].list = static_cast<int64_t>(list);
    RETCON_ASSIGN_OR_RETURN(
        amounts[i].discount,
        ReadAllocations(reading, line.discount_allocations(), owner));
  }
  return absl::OkStatus();
}

// Spreads each order-level discount that no allocation refers to over the
// lines, by largest remainder of their price after line discounts.
absl::Status SpreadOrderDiscounts(
    Reading& reading, absl::InlinedVector<LineAmounts, 16>& amounts) {
  const v1::SalesOrder& order = reading.order;
  absl::InlinedVector<int64_t, 16> weights(amounts.size()),
      shares(amounts.size());
  absl::int128 spreadable = 0;  // What the lines have left to discount.
  for (size_t i = 0; i < amounts.size(); ++i) {
    weights[i] = std::max<int64_t>(0, amounts[i].list - amounts[i].discount);
    spreadable += weights[i];
  }
  for (int a = 0; a < order.discounts_size(); ++a) {
    const v1::DiscountApplication& app = order.discounts(a);
    const auto path = [a] { return absl::StrCat("order.discounts[", a, "]"); };
    for (int b = 0; b < a && !app.application_id().empty(); ++b) {
      if (order.discounts(b).application_id() == app.application_id()) {
        return FieldError(
            absl::StrCat(path(), ".application_id"),
            absl::StrCat("'", app.application_id(),
                         "' is also the id of order.discounts[", b, "]"));
      }
    }
    if (!app.has_amount()) continue;
    RETCON_ASSIGN_OR_RETURN(
        int64_t amount, ReadNonNegative(app.amount(), reading.currency, [&] {
          return absl::StrCat(path(), ".amount");
        }));
    const ApplicationUse& use = reading.applications[a];
    if (use.referenced) {
      if (use.allocated != amount) {
        return FieldError(absl::StrCat(path(), ".amount"),
                          absl::StrCat(amount,
                                       " minor units, but the line allocations "
                                       "that refer to it sum to ",
                                       static_cast<int64_t>(use.allocated)));
      }
      continue;
    }
    if (amount == 0) continue;
    if (app.level() != v1::DISCOUNT_LEVEL_ORDER) {
      return FieldError(
          absl::StrCat(path(), ".level"),
          "a discount no line allocation refers to is spread over the lines "
          "only when its level is DISCOUNT_LEVEL_ORDER; otherwise allocate it "
          "to its line");
    }
    if (amount > spreadable) {
      return FieldError(absl::StrCat(path(), ".amount"),
                        absl::StrCat(amount,
                                     " minor units exceed the lines' price "
                                     "left after discounts, ",
                                     static_cast<int64_t>(spreadable)));
    }
    spreadable -= amount;
    money_internal::AllocateByWeightsUnchecked(amount, weights,
                                               absl::MakeSpan(shares));
    // Each share is at most its weight (amount <= sum of weights), so the
    // next discount spreads over what the lines have left.
    for (size_t i = 0; i < amounts.size(); ++i) {
      amounts[i].discount += shares[i];
      weights[i] -= shares[i];
    }
  }
  return absl::OkStatus();
}

absl::Status ReadShipping(Reading& reading, OrderFigures& figures) {
  const v1::SalesOrder& order = reading.order;
  for (int s = 0; s < order.shipping_lines_size(); ++s) {
    const v1::ShippingLine& line = order.shipping_lines(s);
    const auto owner = [s] {
      return absl::StrCat("order.shipping_lines[", s, "]");
    };
    for (int t = 0; t < s; ++t) {
      if (order.shipping_lines(t).shipping_id() == line.shipping_id()) {
        return FieldError(absl::StrCat(owner(), ".shipping_id"),
                          absl::StrCat("'", line.shipping_id(),
                                       "' is also the id of "
                                       "order.shipping_lines[",
                                       t, "]"));
      }
    }
    RETCON_ASSIGN_OR_RETURN(
        int64_t price, ReadNonNegative(line.price(), reading.currency, [&] {
          return absl::StrCat(owner(), ".price");
        }));
    RETCON_ASSIGN_OR_RETURN(
        int64_t discount,
        ReadAllocations(reading, line.discount_allocations(), owner));
    if (discount > price) {
      return FieldError(owner(), absl::StrCat("discounts of ", discount,
                                              " exceed the price of ", price));
    }
    PaidShipping shipping;
    shipping.shipping_index = s;
    shipping.paid.discount = discount;
    RETCON_RETURN_IF_ERROR(ReadTaxes(reading, line.tax_lines(),
                                     price - discount, owner, shipping.paid));
    figures.shipping.push_back(std::move(shipping));
  }
  return absl::OkStatus();
}

}  // namespace

int64_t Figures::tax() const {
  int64_t sum = 0;
  for (const TaxShare& share : taxes) sum += share.amount;
  return sum;
}

namespace apportion_internal {

absl::Status ComputePaidFigures(const v1::SalesOrder& order,
                                const ApportionOptions& options,
                                OrderFigures& figures) {
  figures.currency_code = order.currency_code();
  absl::StatusOr<int> exponent = CurrencyExponent(order.currency_code());
  if (!exponent.ok()) {
    return FieldError("order.currency_code", exponent.status().message());
  }
  figures.exponent = *exponent;

  Reading reading{order, options, figures.currency_code, {}, {}};
  reading.applications.resize(order.discounts_size());
  absl::InlinedVector<LineAmounts, 16> amounts(order.lines_size());
  RETCON_RETURN_IF_ERROR(ReadLines(reading, amounts));
  RETCON_RETURN_IF_ERROR(ReadShipping(reading, figures));
  RETCON_RETURN_IF_ERROR(SpreadOrderDiscounts(reading, amounts));

  ComponentSpecs specs;  // Of the line being read.
  for (int i = 0; i < order.lines_size(); ++i) {
    const v1::SalesOrderLine& line = order.lines(i);
    const auto owner = [i] { return absl::StrCat("order.lines[", i, "]"); };
    if (amounts[i].discount > amounts[i].list) {
      return FieldError(owner(),
                        absl::StrCat("discounts of ", amounts[i].discount,
                                     " minor units exceed the line's price of ",
                                     amounts[i].list));
    }
    PaidLine paid;
    paid.line_index = i;
    paid.sku = line.sku();
    paid.units = line.quantity();
    paid.paid.discount = amounts[i].discount;
    RETCON_RETURN_IF_ERROR(ReadTaxes(reading, line.tax_lines(),
                                     amounts[i].list - amounts[i].discount,
                                     owner, paid.paid));
    RETCON_RETURN_IF_ERROR(
        ReadComponents(line, reading.options, reading.currency, owner, specs));
    paid.component_begin = static_cast<int>(figures.components.size());
    if (!specs.empty()) {
      for (const ComponentSpec& spec : specs) {
        if (absl::int128(paid.units) * spec.per_bundle >
            std::numeric_limits<int64_t>::max()) {
          return FieldError(owner(), "component units overflow int64");
        }
      }
      AddComponents(paid, specs, figures.components);
    }
    paid.component_end = static_cast<int>(figures.components.size());
    figures.lines.push_back(std::move(paid));
  }
  return absl::OkStatus();
}

}  // namespace apportion_internal

absl::StatusOr<OrderFigures> PaidFigures(const v1::SalesOrder& order,
                                         const ApportionOptions& options) {
  OrderFigures figures;
  RETCON_RETURN_IF_ERROR(
      apportion_internal::ComputePaidFigures(order, options, figures));
  return figures;
}

}  // namespace retcon
