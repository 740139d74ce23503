// Random sales orders and random return lives for the planner's property
// tests (planner_property_test.cc).
//
// An order: 1-6 lines of 1-5 units in GBP, EUR or JPY, tax-inclusive or
// exclusive, at 0%, 5% or 20% (or untaxed), with line discounts, an order
// discount (allocated to lines by the source, or spread by retcon),
// optional shipping, and bundle lines whose components carry allocated
// prices; some bundles are stocked as kits in the catalog.
//
// A life: returns that together send back every unit of every line, each a
// random subset of what remains (whole bundles, single components, a line
// split over several return lines), delivered as the platform would send it
// (APPROVED, RECEIVED, DONE snapshots). Refund transactions are generated
// with amount 0: the test sets each to what retcon computes.
#ifndef RETCON_TESTS_PLAN_PLAN_MODEL_H_
#define RETCON_TESTS_PLAN_PLAN_MODEL_H_

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "retcon/money.h"
#include "retcon/v1/catalog.pb.h"
#include "retcon/v1/order.pb.h"
#include "retcon/v1/return.pb.h"
#include "tests/money/test_random.h"

namespace retcon {
namespace testing_internal {

// A returnable thing: a plain line, or one component of a bundle line.
struct PlanItem {
  int line = 0;
  std::string line_id;
  std::string component_sku;  // Empty for a plain line.
  std::string sku;            // The line's or the component's SKU.
  int64_t units = 0;          // Units sold (components: bundles x per).
  int64_t per_bundle = 1;
};

struct PlanOrder {
  v1::SalesOrder order;
  v1::Catalog catalog;
  std::vector<PlanItem> items;
  std::vector<std::vector<int>> line_items;  // Items of each order line.
  std::vector<bool> bundle;                  // Per line.
  std::vector<bool> kit;  // Per line: the catalog stocks it as a kit.
  // PlannerOptions::rounding to plan this order with.
  RoundingMode rounding = RoundingMode::kHalfAwayFromZero;
};

// (order line id, component SKU) -> units.
using UnitsBy = std::map<std::pair<std::string, std::string>, int64_t>;

inline void SetMinor(int64_t minor, const std::string& currency,
                     v1::Money* money) {
  money->set_currency_code(currency);
  money->set_minor_units(minor);
}

inline PlanOrder GeneratePlanOrder(TestRng& rng, int64_t index) {
  PlanOrder out;
  v1::SalesOrder& order = out.order;
  static constexpr const char* kCurrencies[] = {"GBP", "GBP", "EUR", "JPY"};
  const std::string currency = kCurrencies[rng.Uniform(0, 3)];
  const int64_t max_price = currency == "JPY" ? 30000 : 20000;
  order.set_order_id(absl::StrCat("SO-", index));
  order.set_order_number(absl::StrCat("#", 1000 + index));
  order.set_source("shopify");
  order.set_currency_code(currency);
  order.set_prices_include_tax(!rng.OneIn(3));
  if (rng.OneIn(4)) out.rounding = RoundingMode::kHalfEven;
  order.set_channel("web");
  order.set_order_type("WEB");
  order.mutable_customer()->set_customer_id("C1");
  order.mutable_customer()->set_email("ann@example.com");
  order.mutable_customer()->set_last_name("Lee");
  v1::Address* address = order.mutable_shipping_address();
  address->set_name("Ann Lee");
  address->set_line1("1 High St");
  address->set_city("Leeds");
  address->set_postal_code("LS1 1AA");
  address->set_country_code("GB");

  const int n_lines = static_cast<int>(rng.Uniform(1, 6));
  std::vector<int64_t> room;  // Price less line discounts, per line.
  for (int i = 0; i < n_lines; ++i) {
    v1::SalesOrderLine* line = order.add_lines();
    line->set_line_id(absl::StrCat("L", i + 1));
    line->set_sku(absl::StrCat("SKU-", index, "-", i + 1));
    line->set_product_name(absl::StrCat("Product ", i + 1));
    const int64_t quantity = rng.Uniform(1, 5);
    line->set_quantity(quantity);
    const int64_t unit_price = rng.OneIn(25)   ? 0
                               : rng.OneIn(10) ? rng.Uniform(1, 9)
                                               : rng.Uniform(100, max_price);
    SetMinor(unit_price, currency, line->mutable_unit_price());
    int64_t left = unit_price * quantity;
    if (left > 0 && rng.OneIn(3)) {
      const int64_t amount = rng.Uniform(1, std::max<int64_t>(1, left / 3));
      v1::DiscountAllocation* allocation = line->add_discount_allocations();
      SetMinor(amount, currency, allocation->mutable_amount());
      allocation->set_level(v1::DISCOUNT_LEVEL_LINE);
      left -= amount;
    }
    room.push_back(left);
    const bool bundle = rng.OneIn(4);
    out.bundle.push_back(bundle);
    out.kit.push_back(bundle && rng.OneIn(3));
    if (bundle) {
      v1::BundleDefinition* definition = nullptr;
      if (out.kit.back()) {
        definition = out.catalog.add_bundles();
        definition->set_bundle_sku(line->sku());
        definition->set_stocked_as_kit(true);
      }
      const int n_components = static_cast<int>(rng.Uniform(2, 3));
      for (int c = 0; c < n_components; ++c) {
        v1::BundleComponent* component = line->add_components();
        component->set_sku(absl::StrCat(line->sku(), "-C", c + 1));
        component->set_quantity(rng.Uniform(1, 2));
        SetMinor(rng.Uniform(1, 5000), currency,
                 component->mutable_allocated_price());
        if (definition != nullptr) {
          v1::BundleComponentDefinition* def = definition->add_components();
          def->set_sku(component->sku());
          def->set_quantity(component->quantity());
          SetMinor(component->allocated_price().minor_units(), currency,
                   def->mutable_list_price());
        }
      }
    }
  }

  // Order discount: none, allocated by the source, or spread by retcon.
  int64_t total_room = 0;
  for (int64_t r : room) total_room += r;
  const int64_t kind = rng.Uniform(0, 2);
  if (kind > 0 && total_room > 0) {
    const int64_t amount = rng.Uniform(1, std::max<int64_t>(1, total_room / 4));
    v1::DiscountApplication* application = order.add_discounts();
    application->set_application_id("D1");
    application->set_code("SAVE");
    application->set_level(v1::DISCOUNT_LEVEL_ORDER);
    SetMinor(amount, currency, application->mutable_amount());
    if (kind == 2) {  // Allocated: the source split it over the lines.
      std::vector<int64_t> parts(n_lines, 0);
      int64_t left = amount;
      for (int pass = 0; left > 0; ++pass) {
        for (int i = 0; i < n_lines && left > 0; ++i) {
          const int64_t fits = std::min(room[i] - parts[i], left);
          const int64_t take = pass == 0 ? rng.Uniform(0, fits) : fits;
          parts[i] += take;
          left -= take;
        }
      }
      for (int i = 0; i < n_lines; ++i) {
        if (parts[i] == 0 && rng.OneIn(2)) continue;
        v1::DiscountAllocation* allocation =
            order.mutable_lines(i)->add_discount_allocations();
        allocation->set_application_id("D1");
        allocation->set_level(v1::DISCOUNT_LEVEL_ORDER);
        SetMinor(parts[i], currency, allocation->mutable_amount());
      }
    }
  }

  static constexpr const char* kRates[] = {"", "0", "5", "20", "20"};
  for (int i = 0; i < n_lines; ++i) {
    const std::string rate = kRates[rng.Uniform(0, 4)];
    if (!rate.empty()) order.mutable_lines(i)->add_tax_lines()->set_rate(rate);
  }
  const int n_shipping = rng.OneIn(2) ? 0 : rng.OneIn(4) ? 2 : 1;
  for (int s = 0; s < n_shipping; ++s) {
    v1::ShippingLine* shipping = order.add_shipping_lines();
    shipping->set_shipping_id(absl::StrCat("S", s + 1));
    shipping->set_title("Standard");
    const int64_t price = rng.OneIn(6) ? 0 : rng.Uniform(1, 1500);
    SetMinor(price, currency, shipping->mutable_price());
    if (price > 0 && rng.OneIn(4)) {
      SetMinor(rng.Uniform(1, price), currency,
               shipping->add_discount_allocations()->mutable_amount());
    }
    if (!rng.OneIn(3)) shipping->add_tax_lines()->set_rate("20");
  }

  out.line_items.assign(n_lines, {});
  for (int i = 0; i < n_lines; ++i) {
    const v1::SalesOrderLine& line = order.lines(i);
    auto add = [&](PlanItem item) {
      out.line_items[i].push_back(static_cast<int>(out.items.size()));
      out.items.push_back(std::move(item));
    };
    if (line.components_size() == 0) {
      add({i, line.line_id(), "", line.sku(), line.quantity(), 1});
      continue;
    }
    for (const v1::BundleComponent& c : line.components()) {
      add({i, line.line_id(), c.sku(), c.sku(), line.quantity() * c.quantity(),
           c.quantity()});
    }
  }
  return out;
}

struct LifeOptions {
  // Every returned line is inspected as returned (KEEP_ITEM lines too), so
  // every unit sold moves back into stock.
  bool all_received = false;
  // DONE snapshots carry SUCCESS refund transactions; otherwise the
  // finalised credit note refunds each return.
  bool transactions = true;
};

// One payload the platform sends: a snapshot of return `return_index`.
struct Delivery {
  int return_index = 0;
  v1::ReturnRequest ret;
};

struct Life {
  std::vector<Delivery> deliveries;  // In the order the platform sent them.
  int returns = 0;
  // Units that move into stock per (order line, component SKU): component
  // SKUs for components and whole non-kit bundles, "" for plain lines and
  // whole kit bundles.
  UnitsBy expected_moves;
  int split_lines = 0;      // Order lines returned as several return lines.
  int mixed_bundles = 0;    // Whole bundles and components in one return.
  int split_refunds = 0;    // Returns with two refund transactions.
  int partial_refunds = 0;  // A transaction for some lines, the rest final.
};

// 1 unit, all of them, or anything in between.
inline int64_t RandomSlice(TestRng& rng, int64_t remaining) {
  if (rng.OneIn(3)) return 1;
  if (rng.OneIn(4)) return remaining;
  return rng.Uniform(1, remaining);
}

class LifeGenerator {
 public:
  LifeGenerator(TestRng& rng, const PlanOrder& order, LifeOptions options)
      : rng_(rng), order_(order), options_(options) {
    for (const PlanItem& item : order.items) left_.push_back(item.units);
  }

  Life Generate() {
    for (int r = 0; AnyLeft(); ++r) AddReturn(r, /*everything=*/r >= 7);
    return std::move(life_);
  }

 private:
  bool AnyLeft() const {
    return std::any_of(left_.begin(), left_.end(),
                       [](int64_t n) { return n > 0; });
  }
  bool LineLeft(int line) const {
    for (int item : order_.line_items[line]) {
      if (left_[item] > 0) return true;
    }
    return false;
  }

  void AddLine(int line, const std::string& component, int64_t quantity) {
    const v1::SalesOrderLine& sold = order_.order.lines(line);
    // Sometimes as several return lines (the planner merges them).
    std::vector<int64_t> parts = {quantity};
    if (quantity >= 2 && rng_.OneIn(4)) {
      const int64_t first = rng_.Uniform(1, quantity - 1);
      parts = {first, quantity - first};
      ++life_.split_lines;
    }
    for (int64_t part : parts) {
      v1::ReturnLine* out = ret_.add_lines();
      out->set_return_line_id(absl::StrCat("R", ret_.lines_size()));
      out->set_order_line_id(sold.line_id());
      out->set_component_sku(component);
      if (!rng_.OneIn(5)) {
        out->set_platform_sku(component.empty() ? sold.sku() : component);
      }
      out->set_quantity(part);
      static constexpr const char* kReasons[] = {"TOO_SMALL", "FAULTY",
                                                 "CHANGED_MIND"};
      out->set_reason_code(kReasons[rng_.Uniform(0, 2)]);
      static constexpr v1::Resolution kResolutions[] = {
          v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD,
          v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD, v1::RESOLUTION_STORE_CREDIT,
          v1::RESOLUTION_KEEP_ITEM};
      out->set_resolution(kResolutions[rng_.Uniform(0, 3)]);
      const bool received = options_.all_received ||
                            out->resolution() != v1::RESOLUTION_KEEP_ITEM;
      if (received) {
        v1::Inspection* in = out->mutable_inspection();
        in->set_returned(true);
        if (!rng_.OneIn(4)) in->set_restockable(rng_.OneIn(2));
        static constexpr v1::ItemCondition kConditions[] = {
            v1::ITEM_CONDITION_UNSPECIFIED, v1::ITEM_CONDITION_NEW_WITH_TAGS,
            v1::ITEM_CONDITION_AS_NEW,      v1::ITEM_CONDITION_USED,
            v1::ITEM_CONDITION_FAULTY,      v1::ITEM_CONDITION_DAMAGED};
        in->set_condition(kConditions[rng_.Uniform(0, 5)]);
        in->set_return_location("LEEDS");
        ExpectMoves(line, component, part);
      } else if (rng_.OneIn(2)) {
        out->mutable_inspection()->set_returned(false);
      }
    }
  }

  void ExpectMoves(int line, const std::string& component, int64_t n) {
    const std::string& id = order_.order.lines(line).line_id();
    if (!component.empty() || !order_.bundle[line] || order_.kit[line]) {
      life_.expected_moves[{id, component}] += n;
      return;
    }
    for (int item : order_.line_items[line]) {
      const PlanItem& it = order_.items[item];
      life_.expected_moves[{id, it.component_sku}] += n * it.per_bundle;
    }
  }

  // Some (or, with `everything`, all) of what remains of `line`.
  void ReturnFromLine(int line, bool everything) {
    const std::vector<int>& items = order_.line_items[line];
    if (!order_.bundle[line]) {
      const int64_t n =
          everything ? left_[items[0]] : RandomSlice(rng_, left_[items[0]]);
      left_[items[0]] -= n;
      AddLine(line, "", n);
      return;
    }
    int64_t whole = INT64_MAX;
    for (int item : items) {
      whole = std::min(whole, left_[item] / order_.items[item].per_bundle);
    }
    bool took_whole = false;
    if (whole > 0 && (everything || rng_.OneIn(2))) {
      const int64_t b = everything ? whole : RandomSlice(rng_, whole);
      for (int item : items) left_[item] -= b * order_.items[item].per_bundle;
      AddLine(line, "", b);
      took_whole = true;
    }
    std::vector<int> open;
    for (int item : items) {
      if (left_[item] > 0) open.push_back(item);
    }
    if (open.empty() || (!everything && took_whole && !rng_.OneIn(3))) return;
    if (!everything) open = {open[rng_.Uniform(0, open.size() - 1)]};
    for (int item : open) {
      const int64_t n =
          everything ? left_[item] : RandomSlice(rng_, left_[item]);
      left_[item] -= n;
      AddLine(line, order_.items[item].component_sku, n);
    }
    if (took_whole) ++life_.mixed_bundles;
  }

  void AddRefunds(v1::ReturnRequest& done) {
    const std::string& currency = order_.order.currency_code();
    auto add = [&](v1::TransactionStatus status) {
      v1::RefundTransaction* refund = done.add_refunds();
      refund->set_refund_id(absl::StrCat("RF", done.refunds_size()));
      refund->set_status(status);
      refund->set_method(rng_.OneIn(3)
                             ? v1::RESOLUTION_STORE_CREDIT
                             : v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD);
      SetMinor(0, currency, refund->mutable_amount());
      return refund;
    };
    if (rng_.OneIn(6)) {  // A failed attempt first: it refunds nothing.
      SetMinor(rng_.Uniform(1, 5000), currency,
               add(v1::TRANSACTION_STATUS_FAILED)->mutable_amount());
    }
    const int n = done.lines_size();
    const int64_t mode = n < 2 ? 0 : rng_.Uniform(0, 3);
    if (mode <= 1) {  // One transaction for every line.
      v1::RefundTransaction* refund = add(v1::TRANSACTION_STATUS_SUCCESS);
      if (rng_.OneIn(3)) {
        for (const v1::ReturnLine& line : done.lines()) {
          refund->add_return_line_ids(line.return_line_id());
        }
      }
      return;
    }
    // Two groups of lines: two transactions, or one and the finalised note.
    std::vector<int> order(n);
    for (int i = 0; i < n; ++i) order[i] = i;
    for (int i = n - 1; i > 0; --i) {
      std::swap(order[i], order[rng_.Uniform(0, i)]);
    }
    const int cut = static_cast<int>(rng_.Uniform(1, n - 1));
    v1::RefundTransaction* first = add(v1::TRANSACTION_STATUS_SUCCESS);
    for (int i = 0; i < cut; ++i) {
      first->add_return_line_ids(done.lines(order[i]).return_line_id());
    }
    if (mode == 3) {
      ++life_.partial_refunds;
      return;
    }
    ++life_.split_refunds;
    v1::RefundTransaction* second = add(v1::TRANSACTION_STATUS_SUCCESS);
    for (int i = cut; i < n; ++i) {
      second->add_return_line_ids(done.lines(order[i]).return_line_id());
    }
  }

  void AddReturn(int r, bool everything) {
    ret_.Clear();
    ret_.set_source("returngo");
    ret_.set_return_id(absl::StrCat("RMA-", r + 1));
    ret_.set_order_id(order_.order.order_id());
    ret_.set_currency_code(order_.order.currency_code());
    std::vector<int> open;
    for (int l = 0; l < order_.order.lines_size(); ++l) {
      if (LineLeft(l)) open.push_back(l);
    }
    std::vector<int> picked;
    for (int l : open) {
      if (everything || rng_.OneIn(2)) picked.push_back(l);
    }
    if (picked.empty())
      picked.push_back(open[rng_.Uniform(0, open.size() - 1)]);
    for (int l : picked) ReturnFromLine(l, everything);

    // Snapshots: approved (nothing to post), received (stock), done.
    auto deliver = [&](const v1::ReturnRequest& snapshot) {
      life_.deliveries.push_back(Delivery{r, snapshot});
    };
    if (rng_.OneIn(4)) {
      v1::ReturnRequest approved = ret_;
      approved.set_status(v1::RETURN_STATUS_APPROVED);
      for (v1::ReturnLine& line : *approved.mutable_lines()) {
        line.clear_inspection();
      }
      deliver(approved);
    }
    if (rng_.OneIn(3)) {
      v1::ReturnRequest received = ret_;
      received.set_status(v1::RETURN_STATUS_RECEIVED);
      deliver(received);
    }
    v1::ReturnRequest done = ret_;
    done.set_status(v1::RETURN_STATUS_DONE);
    if (options_.transactions) AddRefunds(done);
    deliver(done);
    ++life_.returns;
  }

  TestRng& rng_;
  const PlanOrder& order_;
  const LifeOptions options_;
  std::vector<int64_t> left_;  // Units of each item not yet returned.
  v1::ReturnRequest ret_;      // The return being built.
  Life life_;
};

inline Life GenerateLife(TestRng& rng, const PlanOrder& order,
                         LifeOptions options) {
  return LifeGenerator(rng, order, options).Generate();
}

}  // namespace testing_internal
}  // namespace retcon

#endif  // RETCON_TESTS_PLAN_PLAN_MODEL_H_
