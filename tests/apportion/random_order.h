// Random sales orders for the apportioning property tests, each with an
// independent model of what the spec says every line was paid.
//
// The model is computed here from DOMAIN.md and apportion.h only (integer
// arithmetic, 128-bit intermediates), never from the implementation.
#ifndef RETCON_TESTS_APPORTION_RANDOM_ORDER_H_
#define RETCON_TESTS_APPORTION_RANDOM_ORDER_H_

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "retcon/money.h"
#include "retcon/tax.h"
#include "retcon/v1/catalog.pb.h"
#include "retcon/v1/order.pb.h"
#include "tests/money/test_random.h"

namespace retcon {
namespace testing_internal {

// num / den rounded by `mode`; den > 0.
inline absl::int128 RefRound(absl::int128 num, absl::int128 den,
                             RoundingMode mode) {
  const bool negative = num < 0;
  const absl::int128 mag = negative ? -num : num;
  absl::int128 q = mag / den;
  const absl::int128 r = mag % den;
  if (2 * r > den ||
      (2 * r == den &&
       (mode == RoundingMode::kHalfAwayFromZero || q % 2 == 1))) {
    ++q;
  }
  return negative ? -q : q;
}

// F(m) = round(total * m / units).
inline int64_t RefCumulative(int64_t total, int64_t m, int64_t units,
                             RoundingMode mode) {
  return static_cast<int64_t>(RefRound(absl::int128(total) * m, units, mode));
}

// Largest remainder of a non-negative total, ties to the lower index.
inline std::vector<int64_t> RefLargestRemainder(
    int64_t total, const std::vector<int64_t>& weights) {
  absl::int128 sum = 0;
  for (int64_t w : weights) sum += w;
  std::vector<int64_t> shares(weights.size());
  std::vector<absl::int128> rems(weights.size());
  absl::int128 left = total;
  for (size_t i = 0; i < weights.size(); ++i) {
    shares[i] = static_cast<int64_t>(absl::int128(total) * weights[i] / sum);
    rems[i] = absl::int128(total) * weights[i] % sum;
    left -= shares[i];
  }
  std::vector<size_t> order(weights.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return rems[a] > rems[b]; });
  for (size_t k = 0; left > 0; ++k, --left) ++shares[order[k]];
  return shares;
}

// True when `share` is floor or ceil of num / den (den > 0).
inline bool IsFloorOrCeil(int64_t share, absl::int128 num, absl::int128 den) {
  const absl::int128 s = share;
  return (s - 1) * den < num && num < (s + 1) * den;
}

// What the spec says one order line was paid, before tax derivation.
struct ModelLine {
  std::string line_id;
  int64_t quantity = 0;
  int64_t list = 0;                // unit_price * quantity.
  int64_t given_discount = 0;      // Allocations stated on the line.
  int64_t order_share = 0;         // Share of the unallocated order discount.
  std::vector<std::string> rates;  // Distinct, as TaxRate::ToString().
  // Per rate when the order states the tax; empty when derived.
  std::vector<int64_t> given_tax;
  // Bundles: component SKUs, units per bundle and allocation weights.
  std::vector<std::string> component_skus;
  std::vector<int64_t> per_bundle;
  std::vector<int64_t> weights;

  bool is_bundle() const { return !component_skus.empty(); }
  int64_t discount() const { return given_discount + order_share; }
};

struct RandomOrder {
  v1::SalesOrder order;
  v1::Catalog catalog;
  bool uses_catalog = false;
  RoundingMode rounding = RoundingMode::kHalfAwayFromZero;
  std::vector<ModelLine> lines;
  // The unallocated order-level application, if any: its amount and the
  // weights (discounted gross in the price basis) it is spread by.
  int64_t spread_amount = 0;
  std::vector<int64_t> spread_weights;
};

inline std::string RandomRateText(TestRng& rng) {
  switch (rng.Uniform(0, 7)) {
    case 0:
      return "0";
    case 1:
      return "5";
    case 2:
      return "17.5";
    case 3:
    case 4:
      return "20";
    case 5:
      return absl::StrCat(rng.Uniform(1, 30), ".", rng.Uniform(1, 99));
    case 6:
      return absl::StrCat("0.", std::string(5, '0'), rng.Uniform(1, 9));
    default:
      return absl::StrCat(rng.Uniform(0, 99), ".",
                          100000 + rng.Uniform(0, 899999));
  }
}

inline void SetMoney(int64_t minor_units, absl::string_view currency,
                     TestRng& rng, v1::Money* money) {
  // An empty code means the order's currency; use both forms.
  if (rng.OneIn(2)) money->set_currency_code(std::string(currency));
  money->set_minor_units(minor_units);
}

// Spreads `amount` at random over `caps` (each part <= its cap).
inline std::vector<int64_t> RandomSplit(TestRng& rng, int64_t amount,
                                        const std::vector<int64_t>& caps) {
  std::vector<int64_t> parts(caps.size(), 0);
  int64_t left = amount;
  for (int pass = 0; left > 0; ++pass) {
    for (size_t i = 0; i < caps.size() && left > 0; ++i) {
      const int64_t room = caps[i] - parts[i];
      if (room <= 0) continue;
      const int64_t take = pass < 2 ? rng.Uniform(0, std::min(room, left))
                                    : std::min(room, left);
      parts[i] += take;
      left -= take;
    }
  }
  return parts;
}

inline RandomOrder GenerateOrder(TestRng& rng, int64_t index) {
  RandomOrder out;
  v1::SalesOrder& order = out.order;
  static constexpr const char* kCurrencies[] = {"GBP", "GBP", "GBP",
                                                "EUR", "JPY", "KWD"};
  const std::string currency = kCurrencies[rng.Uniform(0, 5)];
  order.set_order_id(absl::StrCat("SO-", index));
  order.set_currency_code(currency);
  const bool inclusive = !rng.OneIn(3);
  order.set_prices_include_tax(inclusive);
  out.rounding =
      rng.OneIn(4) ? RoundingMode::kHalfEven : RoundingMode::kHalfAwayFromZero;

  // Lines: price, quantity, line-level discounts, bundle make-up.
  const int n_lines = static_cast<int>(rng.Uniform(1, 5));
  for (int i = 0; i < n_lines; ++i) {
    ModelLine model;
    model.line_id = absl::StrCat("L", i + 1);
    model.quantity = rng.OneIn(10) ? rng.Uniform(1, 60) : rng.Uniform(1, 12);
    int64_t unit_price = rng.OneIn(15)   ? 0
                         : rng.OneIn(20) ? rng.LogUniform(36)
                                         : rng.Uniform(1, 20000);
    if (rng.OneIn(25)) {  // Units worth a few minor units: sub-penny shares.
      unit_price = rng.Uniform(1, 3);
      model.quantity = rng.Uniform(5, 60);
    }
    model.list = unit_price * model.quantity;
    v1::SalesOrderLine* line = order.add_lines();
    line->set_line_id(model.line_id);
    line->set_sku(absl::StrCat("SKU-", i + 1));
    line->set_quantity(model.quantity);
    SetMoney(unit_price, currency, rng, line->mutable_unit_price());
    const int n_line_discounts = rng.OneIn(3) ? rng.Uniform(1, 2) : 0;
    for (int d = 0; d < n_line_discounts; ++d) {
      const int64_t room = model.list - model.given_discount;
      const int64_t amount = rng.OneIn(10) ? room : rng.Uniform(0, room / 3);
      model.given_discount += amount;
      v1::DiscountAllocation* allocation = line->add_discount_allocations();
      SetMoney(amount, currency, rng, allocation->mutable_amount());
      if (rng.OneIn(2)) allocation->set_level(v1::DISCOUNT_LEVEL_LINE);
    }
    if (rng.OneIn(5)) {
      const int n_components = static_cast<int>(rng.Uniform(1, 3));
      const int weight_source = static_cast<int>(rng.Uniform(0, 3));
      v1::BundleDefinition* definition = nullptr;
      if (weight_source != 0) {
        out.uses_catalog = true;
        definition = out.catalog.add_bundles();
        definition->set_bundle_sku(line->sku());
      }
      const bool list_on_line = weight_source == 0 || rng.OneIn(2);
      for (int c = 0; c < n_components; ++c) {
        const std::string sku = absl::StrCat("C", i + 1, "-", c + 1);
        const int64_t per = rng.Uniform(1, 3);
        model.component_skus.push_back(sku);
        model.per_bundle.push_back(per);
        int64_t weight = 0;
        if (weight_source == 0) {  // Allocated prices on the order.
          weight = rng.Uniform(1, 10000);
        } else if (weight_source == 1) {  // Fixed catalog weights.
          weight = rng.Uniform(1, 50);
        } else {  // Catalog list price x quantity.
          weight = rng.Uniform(1, 5000) * per;
        }
        model.weights.push_back(weight);
        if (list_on_line) {
          v1::BundleComponent* component = line->add_components();
          component->set_sku(sku);
          component->set_quantity(per);
          if (weight_source == 0) {
            SetMoney(weight, currency, rng,
                     component->mutable_allocated_price());
          }
        }
        if (definition != nullptr) {
          v1::BundleComponentDefinition* def = definition->add_components();
          def->set_sku(sku);
          def->set_quantity(per);
          if (weight_source == 1) {
            def->set_weight(weight);
            def->mutable_list_price()->set_currency_code(currency);
            def->mutable_list_price()->set_minor_units(rng.Uniform(1, 999));
          } else {
            def->mutable_list_price()->set_currency_code(currency);
            def->mutable_list_price()->set_minor_units(weight / per);
          }
        }
      }
    }
    out.lines.push_back(std::move(model));
  }

  // Order-level discounts: none, one the order allocates to lines, or one
  // retcon spreads (weights: each line's discounted price).
  std::vector<int64_t> room;
  int64_t total_room = 0;
  for (const ModelLine& model : out.lines) {
    room.push_back(model.list - model.given_discount);
    total_room += room.back();
  }
  const int order_discount = static_cast<int>(rng.Uniform(0, 3));
  if (order_discount == 1 && total_room > 0) {
    const int64_t amount =
        rng.OneIn(10) ? total_room
                      : rng.Uniform(1, std::max<int64_t>(1, total_room / 4));
    v1::DiscountApplication* application = order.add_discounts();
    application->set_application_id("SPREAD");
    application->set_code("SAVE");
    application->set_level(v1::DISCOUNT_LEVEL_ORDER);
    SetMoney(amount, currency, rng, application->mutable_amount());
    out.spread_amount = amount;
    out.spread_weights = room;
    const std::vector<int64_t> shares = RefLargestRemainder(amount, room);
    for (size_t i = 0; i < out.lines.size(); ++i) {
      out.lines[i].order_share = shares[i];
    }
  } else if (order_discount == 2 && total_room > 0) {
    const int64_t amount = rng.Uniform(1, std::max<int64_t>(1, total_room / 3));
    const std::vector<int64_t> parts = RandomSplit(rng, amount, room);
    v1::DiscountApplication* application = order.add_discounts();
    application->set_application_id("GIVEN");
    application->set_level(v1::DISCOUNT_LEVEL_ORDER);
    SetMoney(amount, currency, rng, application->mutable_amount());
    for (size_t i = 0; i < out.lines.size(); ++i) {
      if (parts[i] == 0 && rng.OneIn(2)) continue;
      v1::DiscountAllocation* allocation =
          order.mutable_lines(static_cast<int>(i))->add_discount_allocations();
      allocation->set_application_id("GIVEN");
      SetMoney(parts[i], currency, rng, allocation->mutable_amount());
      out.lines[i].given_discount += parts[i];
    }
  }

  // Taxes: untaxed, one rate or two; stated by the order or derived.
  for (size_t i = 0; i < out.lines.size(); ++i) {
    ModelLine& model = out.lines[i];
    v1::SalesOrderLine* line = order.mutable_lines(static_cast<int>(i));
    const int n_rates = rng.OneIn(8) ? 0 : rng.OneIn(8) ? 2 : 1;
    while (static_cast<int>(model.rates.size()) < n_rates) {
      const std::string text = RandomRateText(rng);
      const std::string canonical = TaxRate::Parse(text)->ToString();
      if (std::find(model.rates.begin(), model.rates.end(), canonical) !=
          model.rates.end()) {
        continue;
      }
      model.rates.push_back(canonical);
      line->add_tax_lines()->set_rate(text);
    }
    if (n_rates > 0 && rng.OneIn(3)) {
      const int64_t base = model.list - model.discount();
      for (int r = 0; r < n_rates; ++r) {
        const int64_t amount = rng.Uniform(0, base / (2 * n_rates));
        model.given_tax.push_back(amount);
        SetMoney(amount, currency, rng,
                 line->mutable_tax_lines(r)->mutable_amount());
      }
    }
  }

  // Shipping.
  const int n_shipping = rng.OneIn(2) ? 0 : rng.Uniform(1, 2);
  for (int s = 0; s < n_shipping; ++s) {
    v1::ShippingLine* shipping = order.add_shipping_lines();
    shipping->set_shipping_id(absl::StrCat("S", s + 1));
    const int64_t price = rng.OneIn(5) ? 0 : rng.Uniform(1, 1500);
    SetMoney(price, currency, rng, shipping->mutable_price());
    if (price > 0 && rng.OneIn(4)) {
      SetMoney(rng.Uniform(0, price), currency, rng,
               shipping->add_discount_allocations()->mutable_amount());
    }
    if (!rng.OneIn(4)) shipping->add_tax_lines()->set_rate("20");
  }
  return out;
}

}  // namespace testing_internal
}  // namespace retcon

#endif  // RETCON_TESTS_APPORTION_RANDOM_ORDER_H_
