// Property tests of refund apportioning over random orders: every property
// of DOMAIN.md "Money", checked against an independent model.
//
// For each random order: PaidFigures against the model (random_order.h);
// then every unit of every line is returned in random partitions and
// orders, several lines per refund, each refund fed back as history, and
// each refund is checked against the item's cumulative share X(m) (what
// ApportionRefund credits for the first m units from an empty history):
// a slice is exactly X(k + n) - X(k) whatever came before (grouping
// independence), X follows the spec's formulas (property_model.h), nothing
// is negative or above what was paid, and everything closes exactly.
//
// Seeded: RETCON_TEST_SEED=<n> replays a run; failures print the seed and
// the case number, and stop at the first failing order.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "retcon/allocation.h"
#include "retcon/apportion.h"
#include "retcon/tax.h"
#include "tests/apportion/apportion_test_util.h"
#include "tests/apportion/property_model.h"
#include "tests/apportion/random_order.h"
#include "tests/money/test_random.h"

namespace retcon {
namespace {

using testing_internal::Amounts;
using testing_internal::At;
using testing_internal::ComponentCumulative;
using testing_internal::DebugString;
using testing_internal::Difference;
using testing_internal::GenerateOrder;
using testing_internal::IsFloorOrCeil;
using testing_internal::ModelLine;
using testing_internal::PlainCumulative;
using testing_internal::PlainTaxStepsFit;
using testing_internal::RandomOrder;
using testing_internal::RefCumulative;
using testing_internal::RefLargestRemainder;
using testing_internal::RefRound;
using testing_internal::SeedTrace;
using testing_internal::Sum;
using testing_internal::Taxes;
using testing_internal::TaxMap;
using testing_internal::TestRng;
using testing_internal::TestSeed;

constexpr int kOrders = 10000;
// Every this many orders, ApportionRefund's own cumulative share X(0..Q) of
// each item is checked: against the spec, and for its unit steps.
constexpr int kFullCurveEvery = 10;

// SCOPED_TRACE for messages that are costly to build: the message is built
// only when the scope added a failure, and is reported as one more failure
// when the scope ends.
class LazyTrace {
 public:
  explicit LazyTrace(std::function<std::string()> describe)
      : describe_(std::move(describe)),
        had_failure_(::testing::Test::HasFailure()) {}
  ~LazyTrace() {
    if (!had_failure_ && ::testing::Test::HasFailure()) {
      ADD_FAILURE() << "... in " << describe_();
    }
  }
  LazyTrace(const LazyTrace&) = delete;
  LazyTrace& operator=(const LazyTrace&) = delete;

 private:
  std::function<std::string()> describe_;
  bool had_failure_;
};

bool SameFigures(const Figures& a, const Figures& b) {
  if (a.gross != b.gross || a.discount != b.discount || a.net != b.net ||
      a.taxes.size() != b.taxes.size()) {
    return false;
  }
  for (size_t t = 0; t < a.taxes.size(); ++t) {
    if (a.taxes[t].rate != b.taxes[t].rate ||
        a.taxes[t].amount != b.taxes[t].amount) {
      return false;
    }
  }
  return true;
}

// Field-by-field equality of two refunds, in order.
bool SameRefund(const Refund& a, const Refund& b) {
  if (a.currency_code != b.currency_code || a.exponent != b.exponent ||
      a.lines.size() != b.lines.size() || !SameFigures(a.total, b.total)) {
    return false;
  }
  for (size_t i = 0; i < a.lines.size(); ++i) {
    const RefundedLine& x = a.lines[i];
    const RefundedLine& y = b.lines[i];
    if (x.kind != y.kind || x.order_line_id != y.order_line_id ||
        x.component_sku != y.component_sku || x.sku != y.sku ||
        x.quantity != y.quantity || !SameFigures(x.refund, y.refund)) {
      return false;
    }
  }
  return true;
}

// How the starting history of a line or component records amounts.
enum class HistoryMode {
  kQuantityOnly,  // Amounts absent: retcon assumes its own rule.
  kByTheRule,     // Amounts recorded as the rule gives them.
  kPerturbed,     // Amounts recorded off the rule (another system's rounding).
};

// A returnable thing: a plain line or one component of a bundle line.
struct Item {
  int line = 0;
  int component = -1;  // Index among the line's components, or -1.
  std::string line_id;
  std::string component_sku;
  std::string sku;
  int64_t units = 0;
  int64_t per_bundle = 1;
  Amounts paid;
  int64_t credited_quantity = 0;
  Amounts credited;
  HistoryMode mode = HistoryMode::kQuantityOnly;
  // A perturbed history that records more net than the item paid:
  // refunding all the remaining tax would need a negative net, so some tax
  // may stay unrefunded (never the gross or the discount).
  bool over_credited_net = false;
  // What was credited so far is exactly X(credited_quantity).
  bool on_rule = true;
  std::map<int64_t, Amounts> curve;  // X(m), as far as computed.
  int64_t remaining() const { return units - credited_quantity; }
};

// A bundle component with tax whose units carry only a few minor units of
// net each. Its cumulative share follows the bundle line's, split by
// largest remainder, so a unit can get a unit of tax but no gross; retcon
// then cuts the tax back and the tax of such a component depends on the
// grouping (BundleTest.SubPennyComponentTaxWithQuantityOnlyHistoryCloses
// pins that against docs/money.md). For these, only gross and discount are
// checked exactly here.
bool Fragile(const Item& item) {
  return item.component >= 0 && !item.paid.taxes.empty() &&
         item.paid.net < 8 * item.units;
}

struct ShippingState {
  std::string shipping_id;
  Amounts paid;
  Amounts credited;
  bool recorded = false;  // The history has an entry for it.
  bool refunded = false;  // A refund with include_shipping covered it.
};

int64_t Perturb(TestRng& rng, int64_t value, int64_t paid) {
  return std::clamp<int64_t>(value + rng.Uniform(-3, 3), 0, paid);
}

int64_t RandomSlice(TestRng& rng, int64_t remaining) {
  if (rng.OneIn(3)) return 1;
  if (rng.OneIn(6)) return remaining;
  return rng.Uniform(1, remaining);
}

// Writes recorded amounts: every rate the item was paid tax at is written,
// zero included, because an absent rate means "credited by the rule".
void SetAmounts(const Amounts& a, const Amounts& paid,
                const std::string& currency, v1::Money* gross,
                v1::Money* discount,
                google::protobuf::RepeatedPtrField<v1::TaxAmount>* taxes) {
  gross->set_currency_code(currency);
  gross->set_minor_units(a.gross);
  discount->set_currency_code(currency);
  discount->set_minor_units(a.discount);
  for (const auto& [rate, paid_amount] : paid.taxes) {
    v1::TaxAmount* tax = taxes->Add();
    tax->set_rate(rate);
    tax->mutable_amount()->set_currency_code(currency);
    tax->mutable_amount()->set_minor_units(At(a.taxes, rate));
  }
}

class ApportionPropertyTest : public ::testing::Test {
 protected:
  void CheckOrder(TestRng& rng, int64_t index);
  void CheckPaidFigures();
  void MakeItems();
  // X(m) of an item, from ApportionRefund on an empty history; checked
  // against the spec's formulas on first use.
  // On orders where check_curves_ is not set, X(m) comes straight from the
  // spec where the spec defines it exactly (most items), which keeps the
  // test fast; the refunds are then checked against the spec directly.
  const Amounts& Cumulative(int item, int64_t m);
  Amounts SpecCumulative(int item, int64_t m) const;
  void CheckCumulativeAgainstSpec(int item, int64_t m, const Amounts& x);
  void CheckWholeCurve(int item);
  void StartHistory(TestRng& rng);
  v1::OrderHistory HistoryProto(TestRng& rng) const;
  void ReturnEverything(TestRng& rng);
  void CheckRefund(const std::map<int, int64_t>& quantities,
                   bool include_shipping, const Refund& refund);
  void CheckGoodsLine(int index, int64_t n, const Amounts& got);
  void CheckWholeSets(const std::map<int, int64_t>& quantities,
                      const std::map<int, Amounts>& refunded);
  void CheckConservation();

  const RandomOrder* random_ = nullptr;
  const OrderFigures* paid_ = nullptr;
  ApportionOptions options_;
  bool check_curves_ = false;  // See Cumulative().
  std::vector<Item> items_;
  std::vector<std::vector<int>> line_items_;  // Items of each line.
  std::vector<Amounts> line_paid_;
  std::vector<bool> line_tax_steps_fit_;
  std::vector<ShippingState> shipping_;
  int64_t calls_ = 0;

  // How often each situation came up, so a generator change cannot quietly
  // stop exercising one.
  struct Coverage {
    int64_t exclusive_orders = 0;
    int64_t half_even_orders = 0;
    int64_t spread_discounts = 0;
    int64_t catalog_bundles = 0;
    int64_t whole_set_refunds = 0;
    int64_t held_back_tax_items = 0;
    int64_t cut_back_tax_slices = 0;
    int64_t perturbed_items = 0;
    int64_t shipping_refunds = 0;
    int64_t merged_entries = 0;
  } coverage_;
};

// --- PaidFigures against the model ------------------------------------------

void ApportionPropertyTest::CheckPaidFigures() {
  const RandomOrder& random = *random_;
  const OrderFigures& paid = *paid_;
  const bool inclusive = random.order.prices_include_tax();
  ASSERT_EQ(paid.currency_code, random.order.currency_code());
  ASSERT_EQ(paid.lines.size(), random.lines.size());
  for (size_t i = 0; i < random.lines.size(); ++i) {
    const ModelLine& model = random.lines[i];
    const PaidLine& line = paid.lines[i];
    LazyTrace trace([&] {
      return absl::StrCat("line ", model.line_id, " paid ",
                          DebugString(line.paid));
    });
    ASSERT_EQ(line.line_index, static_cast<int>(i));
    ASSERT_EQ(line.units, model.quantity);
    const Figures& f = line.paid;
    // Balanced, nothing negative.
    ASSERT_EQ(f.gross, f.net + f.tax());
    ASSERT_GE(f.gross, 0);
    ASSERT_GE(f.net, 0);
    for (const TaxShare& share : f.taxes) ASSERT_GE(share.amount, 0);
    // Discount: given allocations plus the largest-remainder share.
    ASSERT_EQ(f.discount, model.discount());
    // Taxes: as given, else derived from the rates on the line's own
    // amount (docs/money.md section 3): on a tax-exclusive net N,
    // round(N * r / 100); inside a tax-inclusive G, round(G * r / (100 +
    // sum of the line's rates)).
    const int64_t base = model.list - model.discount();
    int64_t rate_sum = 0;
    for (const std::string& rate : model.rates) {
      rate_sum += TaxRate::Parse(rate)->scaled_percent();
    }
    TaxMap expected_taxes;
    for (size_t r = 0; r < model.rates.size(); ++r) {
      const int64_t scaled = TaxRate::Parse(model.rates[r])->scaled_percent();
      int64_t tax = 0;
      if (!model.given_tax.empty()) {
        tax = model.given_tax[r];
      } else {
        const int64_t den =
            100 * TaxRate::kScale + (inclusive ? rate_sum : int64_t{0});
        tax = static_cast<int64_t>(
            RefRound(absl::int128(base) * scaled, den, random.rounding));
      }
      if (tax != 0) expected_taxes[model.rates[r]] = tax;
    }
    ASSERT_EQ(Taxes(f), expected_taxes);
    if (inclusive) {
      ASSERT_EQ(f.gross, base);
    } else {
      ASSERT_EQ(f.net, base);
    }

    // Bundle components: each figure split by the weights, largest
    // remainder, ties to the lower index; net = gross - tax.
    if (!model.is_bundle()) {
      ASSERT_EQ(line.component_begin, line.component_end);
      continue;
    }
    ASSERT_EQ(line.component_end - line.component_begin,
              static_cast<int>(model.component_skus.size()));
    ASSERT_LE(line.component_end, static_cast<int>(paid.components.size()));
    const std::vector<int64_t> gross_shares =
        RefLargestRemainder(f.gross, model.weights);
    const std::vector<int64_t> discount_shares =
        RefLargestRemainder(f.discount, model.weights);
    std::map<std::string, std::vector<int64_t>> tax_shares;
    for (const auto& [rate, amount] : Taxes(f)) {
      tax_shares[rate] = RefLargestRemainder(amount, model.weights);
    }
    Amounts sum;
    for (size_t c = 0; c < model.component_skus.size(); ++c) {
      const PaidLine& component = paid.components[line.component_begin + c];
      LazyTrace trace([&] {
        return absl::StrCat("component ", model.component_skus[c], " ",
                            DebugString(component.paid));
      });
      ASSERT_EQ(component.sku, model.component_skus[c]);
      ASSERT_EQ(component.line_index, static_cast<int>(i));
      ASSERT_EQ(component.units, model.quantity * model.per_bundle[c]);
      const Figures& cf = component.paid;
      ASSERT_EQ(cf.gross, cf.net + cf.tax());
      ASSERT_EQ(cf.gross, gross_shares[c]);
      ASSERT_EQ(cf.discount, discount_shares[c]);
      TaxMap component_taxes;
      for (const auto& [rate, shares] : tax_shares) {
        if (shares[c] != 0) component_taxes[rate] = shares[c];
      }
      ASSERT_EQ(Taxes(cf), component_taxes);
      sum.Add(Amounts::Of(cf));
    }
    ASSERT_EQ(sum, Amounts::Of(f));
  }

  // The unallocated order-level discount: within one minor unit of exact,
  // largest remainder with ties to the lower index, sign-symmetric.
  if (random.spread_amount > 0) {
    absl::int128 weight_sum = 0;
    for (int64_t w : random.spread_weights) weight_sum += w;
    for (size_t i = 0; i < random.lines.size(); ++i) {
      const absl::int128 share = random.lines[i].order_share;
      const absl::int128 exact =
          absl::int128(random.spread_amount) * random.spread_weights[i];
      ASSERT_LT(share * weight_sum - exact, weight_sum);
      ASSERT_LT(exact - share * weight_sum, weight_sum);
    }
    absl::StatusOr<std::vector<int64_t>> spread =
        AllocateByWeights(random.spread_amount, random.spread_weights);
    absl::StatusOr<std::vector<int64_t>> negated =
        AllocateByWeights(-random.spread_amount, random.spread_weights);
    ASSERT_TRUE(spread.ok() && negated.ok());
    for (size_t i = 0; i < random.lines.size(); ++i) {
      ASSERT_EQ((*spread)[i], random.lines[i].order_share);
      ASSERT_EQ((*negated)[i], -random.lines[i].order_share);
    }
  }

  for (const PaidShipping& shipping : paid.shipping) {
    LazyTrace trace(
        [&] { return absl::StrCat("shipping ", DebugString(shipping.paid)); });
    ASSERT_EQ(shipping.paid.gross, shipping.paid.net + shipping.paid.tax());
    ASSERT_GE(shipping.paid.gross, 0);
    ASSERT_GE(shipping.paid.net, 0);
  }
}

// --- The cumulative share X(m) of each item ----------------------------------

void ApportionPropertyTest::MakeItems() {
  const OrderFigures& paid = *paid_;
  items_.clear();
  line_items_.assign(random_->lines.size(), {});
  line_paid_.clear();
  line_tax_steps_fit_.clear();
  for (size_t i = 0; i < random_->lines.size(); ++i) {
    const ModelLine& model = random_->lines[i];
    const PaidLine& line = paid.lines[i];
    line_paid_.push_back(Amounts::Of(line.paid));
    line_tax_steps_fit_.push_back(
        PlainTaxStepsFit(line_paid_.back(), line.units, random_->rounding));
    const int parts =
        model.is_bundle() ? line.component_end - line.component_begin : 1;
    for (int c = 0; c < parts; ++c) {
      const PaidLine& part =
          model.is_bundle() ? paid.components[line.component_begin + c] : line;
      Item item;
      item.line = static_cast<int>(i);
      item.component = model.is_bundle() ? c : -1;
      item.line_id = model.line_id;
      item.component_sku = model.is_bundle() ? std::string(part.sku) : "";
      item.sku = std::string(part.sku);
      item.units = part.units;
      item.per_bundle = model.is_bundle() ? model.per_bundle[c] : 1;
      item.paid = Amounts::Of(part.paid);
      line_items_[i].push_back(static_cast<int>(items_.size()));
      items_.push_back(std::move(item));
    }
    if (!line_tax_steps_fit_.back() && !line_paid_.back().taxes.empty()) {
      ++coverage_.held_back_tax_items;
    }
  }
  // The spec's share of a bundle component never goes down from one unit
  // to the next (docs/money.md section 7 falls back to each component's own
  // rounding where largest remainder's Alabama paradox could strike).
  for (int index = 0; index < static_cast<int>(items_.size()); ++index) {
    const Item& item = items_[index];
    if (item.component < 0) continue;
    Amounts before = SpecCumulative(index, 0);
    for (int64_t m = 1; m <= item.units; ++m) {
      const Amounts after = SpecCumulative(index, m);
      const Amounts step = Difference(after, before);
      ASSERT_GE(step.gross, 0) << item.sku << " unit " << m;
      ASSERT_GE(step.discount, 0) << item.sku << " unit " << m;
      if (line_tax_steps_fit_[item.line]) {
        for (const auto& [rate, amount] : step.taxes) {
          ASSERT_GE(amount, 0) << item.sku << " unit " << m << " tax " << rate;
        }
      }
      before = after;
    }
  }
}

const Amounts& ApportionPropertyTest::Cumulative(int index, int64_t m) {
  Item& item = items_[index];
  const auto cached = item.curve.find(m);
  if (cached != item.curve.end()) return cached->second;
  Amounts x;
  if (!check_curves_ && line_tax_steps_fit_[item.line] && !Fragile(item)) {
    // The spec defines X exactly here; ApportionRefund's own X(m) is
    // compared with it on the orders where check_curves_ is set.
    return item.curve[m] = SpecCumulative(index, m);
  }
  if (m > 0) {
    ApportionOptions options = options_;
    options.include_shipping = false;
    const std::vector<ReturnQuantity> returns = {
        {item.line_id, item.component_sku, m}};
    absl::StatusOr<Refund> refund =
        ApportionRefund(random_->order, {}, returns, options);
    EXPECT_TRUE(refund.ok()) << refund.status();
    if (refund.ok()) {
      const RefundedLine* line = testing_internal::FindGoods(
          *refund, item.line_id, item.component_sku);
      EXPECT_NE(line, nullptr) << DebugString(*refund);
      if (line != nullptr) x = Amounts::Of(line->refund);
    }
  }
  CheckCumulativeAgainstSpec(index, m, x);
  return item.curve[m] = x;
}

// X(m) as the spec defines it (apportion.h; docs/money.md sections 5 and
// 7). Its taxes are exact only where the line's taxes are not held back.
Amounts ApportionPropertyTest::SpecCumulative(int index, int64_t m) const {
  const Item& item = items_[index];
  const RoundingMode mode = random_->rounding;
  if (item.component < 0) {
    // A line: F(m) = round(T * m / Q) for every figure.
    return PlainCumulative(item.paid, m, item.units, mode);
  }
  // A component: its part of the line's F at whole bundles, interpolated.
  const ModelLine& model = random_->lines[item.line];
  const std::vector<int>& parts = line_items_[item.line];
  const Amounts& line = line_paid_[item.line];
  std::vector<int64_t> weights(parts.size());
  // The line's taxes step evenly (never held back) when the smallest gross
  // step covers the largest steps of all taxes together.
  int64_t room = line.gross / model.quantity;
  for (const auto& [rate, amount] : line.taxes) {
    room -= amount / model.quantity + (amount % model.quantity != 0 ? 1 : 0);
  }
  const auto figure = [&](auto paid_of, int64_t line_total, bool is_tax) {
    // The split of the line's F rises with every bundle for every component
    // when each one's part of the smallest step is at least a minor unit;
    // otherwise a component follows its own round(X_c * b / B).
    bool rises = !is_tax || room >= 0;
    for (size_t c = 0; c < parts.size(); ++c) {
      weights[c] = paid_of(items_[parts[c]].paid);
      if (weights[c] > 0 &&
          absl::int128(line_total / model.quantity) * weights[c] < line_total) {
        rises = false;
      }
    }
    if (rises) {
      return ComponentCumulative(
          [&](int64_t b) {
            return RefCumulative(line_total, b, model.quantity, mode);
          },
          weights, item.component, item.per_bundle, m, mode);
    }
    const int64_t own = weights[item.component];
    return ComponentCumulative(
        [&](int64_t b) { return RefCumulative(own, b, model.quantity, mode); },
        std::vector<int64_t>{1}, 0, item.per_bundle, m, mode);
  };
  Amounts expected;
  expected.gross =
      figure([](const Amounts& a) { return a.gross; }, line.gross, false);
  expected.discount =
      figure([](const Amounts& a) { return a.discount; }, line.discount, false);
  for (const auto& [rate, amount] : line.taxes) {
    expected.SetTax(
        rate, figure([&r = rate](const Amounts& a) { return At(a.taxes, r); },
                     amount, true));
  }
  expected.net = expected.gross - Sum(expected.taxes);
  return expected;
}

void ApportionPropertyTest::CheckCumulativeAgainstSpec(int index, int64_t m,
                                                       const Amounts& x) {
  const Item& item = items_[index];
  LazyTrace trace([&] {
    return absl::StrCat("X(", m, ") of ", item.line_id, "/", item.component_sku,
                        " = ", x.ToString(), " paid ", item.paid.ToString(),
                        " over ", item.units);
  });
  EXPECT_EQ(x.gross, x.net + Sum(x.taxes));
  const Amounts expected = SpecCumulative(index, m);
  EXPECT_EQ(x.gross, expected.gross);
  EXPECT_EQ(x.discount, expected.discount);
  if (line_tax_steps_fit_[item.line] && !Fragile(item)) {
    EXPECT_EQ(x.taxes, expected.taxes);
  } else {
    for (const auto& [rate, amount] : x.taxes) {
      EXPECT_GE(amount, 0) << rate;
      EXPECT_LE(amount, At(item.paid.taxes, rate)) << rate;
    }
  }
  if (m == item.units) EXPECT_EQ(x, item.paid) << "X(Q) is what was paid";
}

// The whole curve: X(0) = 0, X(Q) = paid, and every step of one unit is
// non-negative in every figure with no more tax than gross.
void ApportionPropertyTest::CheckWholeCurve(int index) {
  const Item& item = items_[index];
  Amounts before = Cumulative(index, 0);
  ASSERT_EQ(before, Amounts());
  for (int64_t m = 1; m <= item.units; ++m) {
    const Amounts after = Cumulative(index, m);
    const Amounts step = Difference(after, before);
    LazyTrace trace([&] {
      return absl::StrCat("unit ", m, " of ", item.line_id, "/",
                          item.component_sku, ": ", step.ToString());
    });
    ASSERT_GE(step.gross, 0);
    ASSERT_GE(step.discount, 0);
    if (!Fragile(item)) {
      ASSERT_GE(step.net, 0);
      for (const auto& [rate, amount] : step.taxes) {
        ASSERT_GE(amount, 0) << rate;
      }
    }
    before = after;
  }
  ASSERT_EQ(before, item.paid);
}

// --- Histories ---------------------------------------------------------------

void ApportionPropertyTest::StartHistory(TestRng& rng) {
  for (int index = 0; index < static_cast<int>(items_.size()); ++index) {
    Item& item = items_[index];
    if (rng.OneIn(3)) item.credited_quantity = rng.Uniform(0, item.units);
    const int mode = static_cast<int>(rng.Uniform(0, 3));
    item.mode = mode == 0   ? HistoryMode::kByTheRule
                : mode == 1 ? HistoryMode::kPerturbed
                            : HistoryMode::kQuantityOnly;
    item.credited = Cumulative(index, item.credited_quantity);
    if (item.mode != HistoryMode::kPerturbed) continue;
    if (item.credited_quantity == 0 || item.credited_quantity == item.units) {
      item.mode = HistoryMode::kByTheRule;
      continue;
    }
    Amounts& c = item.credited;
    c.gross = Perturb(rng, c.gross, item.paid.gross);
    c.discount = Perturb(rng, c.discount, item.paid.discount);
    for (const auto& [rate, amount] : item.paid.taxes) {
      c.SetTax(rate, Perturb(rng, At(c.taxes, rate), amount));
    }
    c.net = c.gross - Sum(c.taxes);
    item.over_credited_net = c.net > item.paid.net;
    item.on_rule = false;
    ++coverage_.perturbed_items;
  }
  shipping_.clear();
  for (size_t s = 0; s < paid_->shipping.size(); ++s) {
    ShippingState state;
    state.shipping_id = random_->order.shipping_lines(s).shipping_id();
    state.paid = Amounts::Of(paid_->shipping[s].paid);
    if (rng.OneIn(4)) {  // Half of it was credited before.
      state.recorded = true;
      state.credited.gross = state.paid.gross / 2;
      state.credited.discount = state.paid.discount / 2;
      for (const auto& [rate, amount] : state.paid.taxes) {
        state.credited.SetTax(rate, amount / 2);
      }
      state.credited.net = state.credited.gross - Sum(state.credited.taxes);
    }
    shipping_.push_back(std::move(state));
  }
}

v1::OrderHistory ApportionPropertyTest::HistoryProto(TestRng& rng) const {
  v1::OrderHistory history;
  if (rng.OneIn(2)) history.set_order_id(random_->order.order_id());
  const std::string currency =
      rng.OneIn(2) ? "" : random_->order.currency_code();
  for (const Item& item : items_) {
    if (item.credited_quantity == 0 && rng.OneIn(2)) continue;
    v1::LineHistory* entry = history.add_lines();
    entry->set_order_line_id(item.line_id);
    entry->set_component_sku(item.component_sku);
    entry->set_credited_quantity(item.credited_quantity);
    if (item.mode != HistoryMode::kQuantityOnly) {
      SetAmounts(
          item.credited, item.paid, currency, entry->mutable_credited_gross(),
          entry->mutable_credited_discount(), entry->mutable_credited_taxes());
    }
  }
  for (const ShippingState& state : shipping_) {
    if (!state.recorded) continue;
    v1::ShippingHistory* entry = history.add_shipping();
    entry->set_shipping_id(state.shipping_id);
    SetAmounts(
        state.credited, state.paid, currency, entry->mutable_credited_gross(),
        entry->mutable_credited_discount(), entry->mutable_credited_taxes());
  }
  // Hosts keep no particular order.
  for (int k = history.lines_size(); k > 1; --k) {
    history.mutable_lines()->SwapElements(
        k - 1, static_cast<int>(rng.Uniform(0, k - 1)));
  }
  return history;
}

// --- Refunds -----------------------------------------------------------------

void ApportionPropertyTest::CheckRefund(
    const std::map<int, int64_t>& quantities, bool include_shipping,
    const Refund& refund) {
  LazyTrace trace([&] { return DebugString(refund); });
  Amounts total;
  std::map<int, Amounts> refunded;  // Item -> this refund.
  for (const RefundedLine& line : refund.lines) {
    const Amounts got = Amounts::Of(line.refund);
    total.Add(got);
    // Balanced always; nothing negative, net included.
    ASSERT_EQ(line.refund.gross, line.refund.net + line.refund.tax());
    ASSERT_GE(line.refund.gross, 0);
    ASSERT_GE(line.refund.discount, 0);
    ASSERT_GE(line.refund.net, 0);
    for (const TaxShare& share : line.refund.taxes) ASSERT_GE(share.amount, 0);
    if (line.kind == RefundedKind::kShipping) {
      ASSERT_TRUE(include_shipping);
      ASSERT_EQ(line.quantity, 0);
      auto it = std::find_if(shipping_.begin(), shipping_.end(),
                             [&](const ShippingState& s) {
                               return s.shipping_id == line.order_line_id;
                             });
      ASSERT_NE(it, shipping_.end()) << line.order_line_id;
      // What remains of the shipping line, exactly.
      const Amounts expected = Difference(it->paid, it->credited);
      ASSERT_EQ(got, expected) << "shipping " << it->shipping_id;
      it->credited.Add(got);
      it->recorded = true;
      it->refunded = true;
      ++coverage_.shipping_refunds;
      continue;
    }
    const auto it =
        std::find_if(items_.begin(), items_.end(), [&](const Item& i) {
          return i.line_id == line.order_line_id &&
                 i.component_sku == line.component_sku;
        });
    ASSERT_NE(it, items_.end()) << "refund of unknown " << line.order_line_id
                                << "/" << line.component_sku;
    const int index = static_cast<int>(it - items_.begin());
    ASSERT_EQ(refunded.count(index), 0u) << "two refunded lines for one item";
    ASSERT_EQ(quantities.count(index), 1u)
        << "refund of an item not returned: " << it->line_id << "/"
        << it->component_sku;
    ASSERT_EQ(line.quantity, quantities.at(index));
    ASSERT_EQ(line.sku, it->sku);
    refunded[index] = got;
  }
  ASSERT_EQ(refunded.size(), quantities.size())
      << "some returned items have no refunded line";
  ASSERT_EQ(total, Amounts::Of(refund.total));
  ASSERT_NO_FATAL_FAILURE(CheckWholeSets(quantities, refunded));
  for (const auto& [index, got] : refunded) {
    ASSERT_NO_FATAL_FAILURE(CheckGoodsLine(index, quantities.at(index), got));
  }
}

// One returned item: the slice X(k + n) - C, where C is what the history
// records (X(k) when it records only the quantity).
void ApportionPropertyTest::CheckGoodsLine(int index, int64_t n,
                                           const Amounts& got) {
  Item& item = items_[index];
  const int64_t k = item.credited_quantity;
  LazyTrace trace([&, credited = item.credited] {
    return absl::StrCat("item ", item.line_id, "/", item.component_sku,
                        " units ", k, "+", n, " of ", item.units, " paid ",
                        item.paid.ToString(), " credited ", credited.ToString(),
                        " got ", got.ToString());
  });
  const Amounts target = Cumulative(index, k + n);
  const Amounts already = item.mode == HistoryMode::kQuantityOnly
                              ? Cumulative(index, k)
                              : item.credited;
  if (item.on_rule) {
    // Grouping independence: exactly X(k + n) - X(k), whatever the earlier
    // slices were.
    const Amounts slice = Difference(target, Cumulative(index, k));
    if (Fragile(item)) {
      ASSERT_EQ(got.gross, slice.gross);
      ASSERT_EQ(got.discount, slice.discount);
      if (got != slice) item.on_rule = false;
    } else {
      ASSERT_EQ(got, slice);
    }
    if (n == 1 && item.component < 0) {
      // Each unit's share is the floor or ceiling of its exact share: the
      // gross always (DOMAIN.md property 4), the tax where not held back.
      ASSERT_TRUE(IsFloorOrCeil(got.gross, item.paid.gross, item.units));
      if (line_tax_steps_fit_[item.line]) {
        for (const auto& [rate, amount] : item.paid.taxes) {
          ASSERT_TRUE(IsFloorOrCeil(At(got.taxes, rate), amount, item.units))
              << "tax at " << rate;
        }
      }
    } else if (n == 1) {
      // A component's unit can miss floor/ceil since its share follows the
      // bundle line's (BundleTest.ComponentUnitsGetFloorOrCeilOfTheirShare
      // pins that against DOMAIN.md property 4); docs/money.md section 7
      // keeps it within one minor unit of them: |unit - exact| < 2.
      const absl::int128 error =
          absl::int128(got.gross) * item.units - item.paid.gross;
      ASSERT_LT(error < 0 ? -error : error, absl::int128(2) * item.units);
    }
    if (item.component < 0) {
      // The primitive a line's gross rests on is sign-symmetric.
      ASSERT_EQ(
          CumulativeSlice(-item.paid.gross, k, n, item.units, random_->rounding)
              .value_or(1),
          -got.gross);
    }
  } else {
    // A history off the rule: target - C per figure, never below zero; if
    // that would give a slice more tax than gross, the tax is cut back.
    const auto gap = [](int64_t t, int64_t a) { return t > a ? t - a : 0; };
    ASSERT_EQ(got.gross, gap(target.gross, already.gross));
    ASSERT_EQ(got.discount, gap(target.discount, already.discount));
    TaxMap expected_taxes;
    for (const auto& [rate, amount] : item.paid.taxes) {
      const int64_t e = gap(At(target.taxes, rate), At(already.taxes, rate));
      if (e != 0) expected_taxes[rate] = e;
    }
    if (Fragile(item)) {
      // Taxes: only the caps below.
    } else if (Sum(expected_taxes) <= got.gross) {
      ASSERT_EQ(got.taxes, expected_taxes);
    } else {
      ASSERT_EQ(Sum(got.taxes), got.gross) << "cut-back tax leaves net 0";
      for (const auto& [rate, amount] : got.taxes) {
        ASSERT_LE(amount, expected_taxes[rate]) << "tax at " << rate;
      }
      ++coverage_.cut_back_tax_slices;
    }
  }
  // Capped: never above what was paid, for every figure.
  item.credited.Add(got);
  item.credited_quantity += n;
  ASSERT_LE(item.credited.gross, item.paid.gross);
  ASSERT_LE(item.credited.discount, item.paid.discount);
  // (A fragile component's tax can be path-dependent; with a history of
  // quantities only that shows as tax above what was paid: see Fragile.)
  if (!(Fragile(item) && item.mode == HistoryMode::kQuantityOnly)) {
    for (const auto& [rate, amount] : item.credited.taxes) {
      ASSERT_LE(amount, At(item.paid.taxes, rate)) << "tax at " << rate;
    }
  }
  if (item.on_rule) ASSERT_EQ(item.credited, Cumulative(index, k + n));
  if (item.on_rule && item.credited_quantity == item.units) {
    ASSERT_EQ(item.credited, item.paid);
  }
}

// A refund that takes every component of a bundle line from b1 to b2 whole
// bundles refunds exactly what the line's own F(b2) - F(b1) gives.
void ApportionPropertyTest::CheckWholeSets(
    const std::map<int, int64_t>& quantities,
    const std::map<int, Amounts>& refunded) {
  for (size_t i = 0; i < line_items_.size(); ++i) {
    const ModelLine& model = random_->lines[i];
    if (!model.is_bundle()) continue;
    int64_t b1 = -1;
    int64_t b2 = -1;
    bool whole = true;
    Amounts sum;
    for (int index : line_items_[i]) {
      const Item& item = items_[index];
      const auto q = quantities.find(index);
      if (q == quantities.end() || !item.on_rule ||
          item.credited_quantity % item.per_bundle != 0 ||
          (item.credited_quantity + q->second) % item.per_bundle != 0) {
        whole = false;
        break;
      }
      const int64_t from = item.credited_quantity / item.per_bundle;
      const int64_t to = (item.credited_quantity + q->second) / item.per_bundle;
      if ((b1 >= 0 && from != b1) || (b2 >= 0 && to != b2)) {
        whole = false;
        break;
      }
      b1 = from;
      b2 = to;
      sum.Add(refunded.at(index));
    }
    if (!whole) continue;
    ++coverage_.whole_set_refunds;
    const RoundingMode mode = random_->rounding;
    LazyTrace trace([&] {
      return absl::StrCat("whole sets ", b1, " -> ", b2, " of line ",
                          model.line_id, ": ", sum.ToString());
    });
    // Whole sets follow the line's own F for a figure whenever its split
    // rises with every bundle (each component's part of the smallest step
    // is at least a minor unit); see docs/money.md section 7.
    const auto rises = [&](auto paid_of, int64_t total) {
      for (int index : line_items_[i]) {
        const int64_t part = paid_of(items_[index].paid);
        if (part > 0 && absl::int128(total / model.quantity) * part < total) {
          return false;
        }
      }
      return true;
    };
    if (rises([](const Amounts& a) { return a.gross; }, line_paid_[i].gross)) {
      ASSERT_EQ(
          sum.gross,
          RefCumulative(line_paid_[i].gross, b2, model.quantity, mode) -
              RefCumulative(line_paid_[i].gross, b1, model.quantity, mode));
    }
    if (rises([](const Amounts& a) { return a.discount; },
              line_paid_[i].discount)) {
      ASSERT_EQ(
          sum.discount,
          RefCumulative(line_paid_[i].discount, b2, model.quantity, mode) -
              RefCumulative(line_paid_[i].discount, b1, model.quantity, mode));
    }
  }
}

void ApportionPropertyTest::ReturnEverything(TestRng& rng) {
  for (int step = 0;; ++step) {
    ASSERT_LT(step, 10000) << "returns do not terminate";
    std::vector<int> open_lines;
    for (size_t i = 0; i < line_items_.size(); ++i) {
      for (int item : line_items_[i]) {
        if (items_[item].remaining() > 0) {
          open_lines.push_back(static_cast<int>(i));
          break;
        }
      }
    }
    if (open_lines.empty()) break;
    // Up to three lines per refund, in random order.
    for (size_t k = open_lines.size(); k > 1; --k) {
      std::swap(open_lines[k - 1],
                open_lines[rng.Uniform(0, static_cast<int64_t>(k - 1))]);
    }
    open_lines.resize(std::min<size_t>(open_lines.size(), rng.Uniform(1, 3)));

    std::vector<ReturnQuantity> returns;
    std::map<int, int64_t> quantities;  // Item -> units.
    for (int line : open_lines) {
      const ModelLine& model = random_->lines[line];
      const std::vector<int>& its = line_items_[line];
      if (!model.is_bundle()) {
        const Item& item = items_[its[0]];
        const int64_t n = RandomSlice(rng, item.remaining());
        quantities[its[0]] = n;
        if (n >= 2 && rng.OneIn(5)) {  // Two entries, merged.
          ++coverage_.merged_entries;
          returns.push_back({item.line_id, "", 1});
          returns.push_back({item.line_id, "", n - 1});
        } else {
          returns.push_back({item.line_id, "", n});
        }
        continue;
      }
      int64_t whole = INT64_MAX;
      for (int item : its) {
        whole =
            std::min(whole, items_[item].remaining() / items_[item].per_bundle);
      }
      if (whole > 0 && rng.OneIn(2)) {
        const int64_t bundles = RandomSlice(rng, whole);
        returns.push_back({model.line_id, "", bundles});
        for (int item : its) {
          quantities[item] = bundles * items_[item].per_bundle;
        }
        continue;
      }
      std::vector<int> open;
      for (int item : its) {
        if (items_[item].remaining() > 0) open.push_back(item);
      }
      const int item =
          open[rng.Uniform(0, static_cast<int64_t>(open.size() - 1))];
      const int64_t n = RandomSlice(rng, items_[item].remaining());
      returns.push_back({model.line_id, items_[item].component_sku, n});
      quantities[item] = n;
    }

    ApportionOptions options = options_;
    options.include_shipping = !shipping_.empty() && rng.OneIn(4);
    const v1::OrderHistory history = HistoryProto(rng);
    LazyTrace trace([&] {
      return absl::StrCat("step ", step, " history ",
                          history.ShortDebugString());
    });
    absl::StatusOr<Refund> refund =
        ApportionRefund(random_->order, history, returns, options);
    ++calls_;
    ASSERT_TRUE(refund.ok()) << refund.status();
    if (calls_ % 4 == 0) {  // Deterministic.
      absl::StatusOr<Refund> again =
          ApportionRefund(random_->order, history, returns, options);
      ASSERT_TRUE(again.ok()) << again.status();
      ASSERT_TRUE(SameRefund(*again, *refund)) << DebugString(*again) << "\n"
                                               << DebugString(*refund);
    }
    ASSERT_NO_FATAL_FAILURE(
        CheckRefund(quantities, options.include_shipping, *refund));
  }
}

// Each item, each line and each refunded shipping line was credited
// exactly what it paid.
void ApportionPropertyTest::CheckConservation() {
  for (size_t i = 0; i < line_items_.size(); ++i) {
    Amounts credited;
    bool exact = true;
    for (int index : line_items_[i]) {
      const Item& item = items_[index];
      LazyTrace trace([&] {
        return absl::StrCat("item ", item.line_id, "/", item.component_sku);
      });
      ASSERT_EQ(item.credited_quantity, item.units);
      credited.Add(item.credited);
      if (item.over_credited_net || Fragile(item)) {
        // Only the tax may stay short (see Item::over_credited_net and
        // Fragile): gross and discount close.
        ASSERT_EQ(item.credited.gross, item.paid.gross);
        ASSERT_EQ(item.credited.discount, item.paid.discount);
        exact = false;
        continue;
      }
      ASSERT_EQ(item.credited, item.paid);
    }
    if (exact) ASSERT_EQ(credited, line_paid_[i]) << "line " << i;
  }
  for (const ShippingState& state : shipping_) {
    if (!state.refunded) continue;
    ASSERT_EQ(state.credited, state.paid) << "shipping " << state.shipping_id;
  }
}

void ApportionPropertyTest::CheckOrder(TestRng& rng, int64_t index) {
  const RandomOrder random = GenerateOrder(rng, index);
  random_ = &random;
  LazyTrace trace([&] {
    return absl::StrCat(
        "rounding ",
        random.rounding == RoundingMode::kHalfEven ? "half-even" : "half-away",
        random.uses_catalog ? " catalog " + random.catalog.ShortDebugString()
                            : std::string(),
        " order ", random.order.ShortDebugString());
  });
  coverage_.exclusive_orders += random.order.prices_include_tax() ? 0 : 1;
  coverage_.half_even_orders +=
      random.rounding == RoundingMode::kHalfEven ? 1 : 0;
  coverage_.spread_discounts += random.spread_amount > 0 ? 1 : 0;
  coverage_.catalog_bundles += random.catalog.bundles_size();

  options_ = ApportionOptions();
  options_.rounding = random.rounding;
  if (random.uses_catalog || rng.OneIn(2)) options_.catalog = &random.catalog;
  absl::StatusOr<OrderFigures> paid = PaidFigures(random.order, options_);
  ASSERT_TRUE(paid.ok()) << paid.status();
  paid_ = &*paid;
  ASSERT_NO_FATAL_FAILURE(CheckPaidFigures());
  ASSERT_NO_FATAL_FAILURE(MakeItems());
  check_curves_ = index % kFullCurveEvery == 0;
  if (check_curves_) {
    for (int item = 0; item < static_cast<int>(items_.size()); ++item) {
      ASSERT_NO_FATAL_FAILURE(CheckWholeCurve(item));
    }
  }
  StartHistory(rng);
  ASSERT_NO_FATAL_FAILURE(ReturnEverything(rng));
  ASSERT_NO_FATAL_FAILURE(CheckConservation());
}

TEST_F(ApportionPropertyTest, RandomOrdersKeepEveryMoneyProperty) {
  const uint64_t seed = TestSeed();
  TestRng rng(seed);
  for (int64_t i = 0; i < kOrders; ++i) {
    SCOPED_TRACE(SeedTrace(seed, i));
    CheckOrder(rng, i);
    if (HasFailure()) return;  // Report the first failing order only.
  }
  EXPECT_GE(calls_, kOrders);
  const std::pair<const char*, int64_t> counts[] = {
      {"exclusive_orders", coverage_.exclusive_orders},
      {"half_even_orders", coverage_.half_even_orders},
      {"spread_discounts", coverage_.spread_discounts},
      {"catalog_bundles", coverage_.catalog_bundles},
      {"whole_set_refunds", coverage_.whole_set_refunds},
      {"held_back_tax_items", coverage_.held_back_tax_items},
      {"perturbed_items", coverage_.perturbed_items},
      {"shipping_refunds", coverage_.shipping_refunds},
      {"merged_entries", coverage_.merged_entries},
  };
  for (const auto& [name, count] : counts) {
    RecordProperty(name, static_cast<int>(count));
    EXPECT_GT(count, 0) << name << " never came up";
  }
  RecordProperty("cut_back_tax_slices",
                 static_cast<int>(coverage_.cut_back_tax_slices));
}

}  // namespace
}  // namespace retcon
