// Malformed input to PaidFigures and ApportionRefund: every error is
// InvalidArgument and names the offending field path. The functions are
// pure, so an error leaves nothing half-done; the status is all there is.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "retcon/apportion.h"
#include "retcon/v1/catalog.pb.h"
#include "retcon/v1/history.pb.h"
#include "retcon/v1/order.pb.h"
#include "tests/apportion/apportion_test_util.h"

namespace retcon {
namespace {

using ::testing::HasSubstr;
using testing_internal::ParseOrder;
using testing_internal::ParseText;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// A valid order: a plain taxed line, a bundle line and shipping.
v1::SalesOrder BaseOrder() {
  return ParseOrder(R"pb(
    order_id: "SO-1"
    currency_code: "GBP"
    prices_include_tax: true
    lines {
      line_id: "L1"
      sku: "SOCK"
      quantity: 6
      unit_price { currency_code: "GBP" minor_units: 200 }
      tax_lines { rate: "20" }
    }
    lines {
      line_id: "B1"
      sku: "GIFT"
      quantity: 2
      unit_price { currency_code: "GBP" minor_units: 3600 }
      tax_lines { rate: "20" }
      components {
        sku: "MUG"
        quantity: 1
        allocated_price { minor_units: 2400 }
      }
      components {
        sku: "TEA"
        quantity: 2
        allocated_price { minor_units: 1200 }
      }
    }
    shipping_lines {
      shipping_id: "S1"
      price { minor_units: 499 }
      tax_lines { rate: "20" }
    }
  )pb");
}

v1::OrderHistory History(absl::string_view text) {
  return ParseText<v1::OrderHistory>(text);
}

// Expects InvalidArgument with `path` in the message.
template <typename T>
void ExpectInvalid(const absl::StatusOr<T>& result, absl::string_view path) {
  ASSERT_FALSE(result.ok()) << "expected an error naming " << path;
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument)
      << result.status();
  EXPECT_THAT(std::string(result.status().message()), HasSubstr(path));
}

// A malformed order fails PaidFigures and ApportionRefund alike.
void ExpectInvalidOrder(const v1::SalesOrder& order, absl::string_view path,
                        const ApportionOptions& options = {}) {
  {
    SCOPED_TRACE("PaidFigures");
    ExpectInvalid(PaidFigures(order, options), path);
  }
  {
    SCOPED_TRACE("ApportionRefund");
    const std::vector<ReturnQuantity> returns = {{"L1", "", 1}};
    ExpectInvalid(ApportionRefund(order, {}, returns, options), path);
  }
}

absl::StatusOr<Refund> Apportion(const v1::SalesOrder& order,
                                 const v1::OrderHistory& history,
                                 std::vector<ReturnQuantity> returns) {
  return ApportionRefund(order, history, returns);
}

TEST(ApportionErrorsTest, BaseOrderIsValid) {
  const v1::SalesOrder base = BaseOrder();
  ASSERT_TRUE(PaidFigures(base).ok());
  absl::StatusOr<Refund> refund =
      Apportion(BaseOrder(), {}, {{"L1", "", 6}, {"B1", "", 2}});
  ASSERT_TRUE(refund.ok()) << refund.status();
}

// --- Returns -----------------------------------------------------------------

TEST(ApportionErrorsTest, UnknownLine) {
  ExpectInvalid(Apportion(BaseOrder(), {}, {{"L9", "", 1}}),
                "returns[0].order_line_id");
  ExpectInvalid(Apportion(BaseOrder(), {}, {{"L1", "", 1}, {"", "", 1}}),
                "returns[1].order_line_id");
}

TEST(ApportionErrorsTest, UnknownComponent) {
  ExpectInvalid(Apportion(BaseOrder(), {}, {{"B1", "SAUCER", 1}}),
                "returns[0].component_sku");
  // The bundle SKU itself is not one of its components.
  ExpectInvalid(Apportion(BaseOrder(), {}, {{"B1", "GIFT", 1}}),
                "returns[0].component_sku");
}

TEST(ApportionErrorsTest, ComponentOnALineThatIsNotABundle) {
  ExpectInvalid(Apportion(BaseOrder(), {}, {{"L1", "SOCK", 1}}),
                "returns[0].component_sku");
  ExpectInvalid(Apportion(BaseOrder(), {}, {{"B1", "", 1}, {"L1", "MUG", 1}}),
                "returns[1].component_sku");
}

TEST(ApportionErrorsTest, ZeroOrNegativeQuantity) {
  ExpectInvalid(Apportion(BaseOrder(), {}, {{"L1", "", 0}}),
                "returns[0].quantity");
  ExpectInvalid(Apportion(BaseOrder(), {}, {{"L1", "", -1}}),
                "returns[0].quantity");
  ExpectInvalid(Apportion(BaseOrder(), {}, {{"B1", "TEA", 0}}),
                "returns[0].quantity");
  ExpectInvalid(Apportion(BaseOrder(), {},
                          {{"L1", "", 1},
                           {"L1", "", std::numeric_limits<int64_t>::min()}}),
                "returns[1].quantity");
}

TEST(ApportionErrorsTest, QuantityAboveUnitsSold) {
  ExpectInvalid(Apportion(BaseOrder(), {}, {{"L1", "", 7}}),
                "returns[0].quantity");
  ExpectInvalid(Apportion(BaseOrder(), {}, {{"B1", "", 3}}),
                "returns[0].quantity");
  ExpectInvalid(Apportion(BaseOrder(), {}, {{"B1", "TEA", 5}}),
                "returns[0].quantity");
  ExpectInvalid(Apportion(BaseOrder(), {}, {{"L1", "", kMax}}),
                "returns[0].quantity");
}

TEST(ApportionErrorsTest, QuantityAboveWhatRemainsAfterHistory) {
  const v1::OrderHistory history = History(R"pb(
    order_id: "SO-1"
    lines { order_line_id: "L1" credited_quantity: 4 }
    lines { order_line_id: "B1" component_sku: "TEA" credited_quantity: 3 }
  )pb");
  ASSERT_TRUE(Apportion(BaseOrder(), history, {{"L1", "", 2}}).ok());
  absl::StatusOr<Refund> three =
      Apportion(BaseOrder(), history, {{"L1", "", 3}});
  ExpectInvalid(three, "returns[0].quantity");
  // The message explains the numbers.
  EXPECT_THAT(std::string(three.status().message()), HasSubstr("3"));
  EXPECT_THAT(std::string(three.status().message()), HasSubstr("2"));
  ExpectInvalid(Apportion(BaseOrder(), history, {{"B1", "TEA", 2}}),
                "returns[0].quantity");
  // A whole bundle needs two tins; one is left.
  ExpectInvalid(Apportion(BaseOrder(), history, {{"B1", "", 1}}),
                "returns[0].quantity");
}

TEST(ApportionErrorsTest, MergedEntriesAboveWhatRemains) {
  absl::StatusOr<Refund> merged =
      Apportion(BaseOrder(), {}, {{"L1", "", 4}, {"L1", "", 3}});
  ExpectInvalid(merged, "returns[");
  EXPECT_THAT(std::string(merged.status().message()), HasSubstr("quantity"));
  // Summing these must not overflow.
  ExpectInvalid(
      Apportion(BaseOrder(), {}, {{"L1", "", kMax}, {"L1", "", kMax}}),
      "returns[0].quantity");
  ExpectInvalid(Apportion(BaseOrder(), {}, {{"L1", "", 1}, {"L1", "", kMax}}),
                "quantity");
  // A whole bundle and its components together exceed the tins sold.
  ExpectInvalid(Apportion(BaseOrder(), {}, {{"B1", "", 2}, {"B1", "TEA", 1}}),
                "quantity");
}

// --- The order ---------------------------------------------------------------

TEST(ApportionErrorsTest, UnknownOrderCurrency) {
  v1::SalesOrder order = BaseOrder();
  order.set_currency_code("XYZ");
  ExpectInvalidOrder(order, "order.currency_code");
  order.set_currency_code("gbp");
  ExpectInvalidOrder(order, "order.currency_code");
  order.set_currency_code("");
  ExpectInvalidOrder(order, "order.currency_code");
}

TEST(ApportionErrorsTest, AmountInAnotherCurrency) {
  v1::SalesOrder order = BaseOrder();
  order.mutable_lines(0)->mutable_unit_price()->set_currency_code("EUR");
  ExpectInvalidOrder(order, "order.lines[0].unit_price");

  order = BaseOrder();
  order.mutable_lines(1)->mutable_unit_price()->set_currency_code("XYZ");
  ExpectInvalidOrder(order, "order.lines[1].unit_price");

  order = BaseOrder();
  order.mutable_shipping_lines(0)->mutable_price()->set_currency_code("EUR");
  ExpectInvalidOrder(order, "order.shipping_lines[0].price");

  order = BaseOrder();
  v1::DiscountAllocation* discount =
      order.mutable_lines(0)->add_discount_allocations();
  discount->mutable_amount()->set_currency_code("USD");
  discount->mutable_amount()->set_minor_units(10);
  ExpectInvalidOrder(order, "order.lines[0].discount_allocations[0].amount");

  order = BaseOrder();
  v1::Money* tax =
      order.mutable_lines(0)->mutable_tax_lines(0)->mutable_amount();
  tax->set_currency_code("EUR");
  tax->set_minor_units(200);
  ExpectInvalidOrder(order, "order.lines[0].tax_lines[0].amount");

  order = BaseOrder();
  order.mutable_lines(1)
      ->mutable_components(1)
      ->mutable_allocated_price()
      ->set_currency_code("EUR");
  ExpectInvalidOrder(order, "order.lines[1].components[1].allocated_price");
}

TEST(ApportionErrorsTest, NegativePrice) {
  v1::SalesOrder order = BaseOrder();
  order.mutable_lines(0)->mutable_unit_price()->set_minor_units(-1);
  ExpectInvalidOrder(order, "order.lines[0].unit_price");

  order = BaseOrder();
  order.mutable_shipping_lines(0)->mutable_price()->set_minor_units(-499);
  ExpectInvalidOrder(order, "order.shipping_lines[0].price");
}

TEST(ApportionErrorsTest, LineQuantityNotPositive) {
  v1::SalesOrder order = BaseOrder();
  order.mutable_lines(0)->set_quantity(0);
  ExpectInvalidOrder(order, "order.lines[0].quantity");
  order.mutable_lines(0)->set_quantity(-6);
  ExpectInvalidOrder(order, "order.lines[0].quantity");
}

TEST(ApportionErrorsTest, EmptyOrDuplicateLineId) {
  v1::SalesOrder order = BaseOrder();
  order.mutable_lines(1)->set_line_id("L1");
  ExpectInvalidOrder(order, "order.lines[1].line_id");

  order = BaseOrder();
  order.mutable_lines(0)->set_line_id("");
  {
    SCOPED_TRACE("PaidFigures");
    ExpectInvalid(PaidFigures(order), "order.lines[0].line_id");
  }
}

TEST(ApportionErrorsTest, NegativeDiscount) {
  v1::SalesOrder order = BaseOrder();
  order.mutable_lines(0)
      ->add_discount_allocations()
      ->mutable_amount()
      ->set_minor_units(-5);
  ExpectInvalidOrder(order, "order.lines[0].discount_allocations[0].amount");
}

TEST(ApportionErrorsTest, DiscountsExceedingThePrice) {
  // 6 x 2.00 = 12.00 with 7.00 + 5.01 of line discounts.
  v1::SalesOrder order = BaseOrder();
  order.mutable_lines(0)
      ->add_discount_allocations()
      ->mutable_amount()
      ->set_minor_units(700);
  order.mutable_lines(0)
      ->add_discount_allocations()
      ->mutable_amount()
      ->set_minor_units(501);
  ExpectInvalidOrder(order, "order.lines[0]");
  {
    absl::StatusOr<OrderFigures> paid = PaidFigures(order);
    EXPECT_THAT(std::string(paid.status().message()), HasSubstr("discount"));
  }

  // Exactly the price is fine: the line was free.
  order.mutable_lines(0)
      ->mutable_discount_allocations(1)
      ->mutable_amount()
      ->set_minor_units(500);
  absl::StatusOr<OrderFigures> free_line = PaidFigures(order);
  ASSERT_TRUE(free_line.ok()) << free_line.status();
  EXPECT_EQ(free_line->lines[0].paid.gross, 0);
}

TEST(ApportionErrorsTest, OrderDiscountAboveEveryLineTogether) {
  // An order-level code larger than all lines together (12.00 + 72.00): the
  // field at fault is the application, not whichever line the spread
  // happens to overfill.
  v1::SalesOrder order = BaseOrder();
  v1::DiscountApplication* code = order.add_discounts();
  code->set_application_id("BIG");
  code->set_level(v1::DISCOUNT_LEVEL_ORDER);
  code->mutable_amount()->set_minor_units(1200 + 7200 + 1);
  ExpectInvalidOrder(order, "order.discounts[0]");
}

TEST(ApportionErrorsTest, MalformedTaxRate) {
  for (const char* rate : {"20%", "abc", "-5", "", "1000.5", "17.5000001"}) {
    SCOPED_TRACE(rate);
    v1::SalesOrder order = BaseOrder();
    order.mutable_lines(0)->mutable_tax_lines(0)->set_rate(rate);
    ExpectInvalidOrder(order, "order.lines[0].tax_lines[0].rate");
  }
  v1::SalesOrder order = BaseOrder();
  order.mutable_shipping_lines(0)->mutable_tax_lines(0)->set_rate("VAT");
  ExpectInvalidOrder(order, "order.shipping_lines[0].tax_lines[0].rate");
}

TEST(ApportionErrorsTest, NegativeOrExcessiveTaxAmount) {
  v1::SalesOrder order = BaseOrder();
  order.mutable_lines(0)
      ->mutable_tax_lines(0)
      ->mutable_amount()
      ->set_minor_units(-1);
  ExpectInvalidOrder(order, "order.lines[0].tax_lines[0].amount");

  // Tax above the tax-inclusive price of the line (12.00).
  order = BaseOrder();
  order.mutable_lines(0)
      ->mutable_tax_lines(0)
      ->mutable_amount()
      ->set_minor_units(1201);
  ExpectInvalidOrder(order, "order.lines[0].tax_lines");
}

TEST(ApportionErrorsTest, AllocationNamingAnUnknownApplication) {
  v1::SalesOrder order = BaseOrder();
  v1::DiscountAllocation* discount =
      order.mutable_lines(0)->add_discount_allocations();
  discount->mutable_amount()->set_minor_units(10);
  discount->set_application_id("NOPE");
  ExpectInvalidOrder(order,
                     "order.lines[0].discount_allocations[0].application_id");
}

TEST(ApportionErrorsTest, AllocationsDisagreeWithTheirApplication) {
  v1::SalesOrder order = BaseOrder();
  v1::DiscountApplication* code = order.add_discounts();
  code->set_application_id("CODE");
  code->set_level(v1::DISCOUNT_LEVEL_ORDER);
  code->mutable_amount()->set_minor_units(100);
  for (int line : {0, 1}) {
    v1::DiscountAllocation* allocation =
        order.mutable_lines(line)->add_discount_allocations();
    allocation->set_application_id("CODE");
    allocation->mutable_amount()->set_minor_units(49);  // 98 != 100
  }
  ExpectInvalidOrder(order, "order.discounts[0]");
}

TEST(ApportionErrorsTest, BundleWithUnknownWeights) {
  // Components without allocated prices and no catalog definition.
  v1::SalesOrder order = BaseOrder();
  order.mutable_lines(1)->mutable_components(0)->clear_allocated_price();
  order.mutable_lines(1)->mutable_components(1)->clear_allocated_price();
  ExpectInvalidOrder(order, "order.lines[1]");

  // A catalog that does not define the bundle does not help.
  const v1::Catalog catalog = ParseText<v1::Catalog>(R"pb(
    bundles {
      bundle_sku: "OTHER"
      components { sku: "MUG" quantity: 1 weight: 1 }
    }
  )pb");
  ApportionOptions options;
  options.catalog = &catalog;
  ExpectInvalidOrder(order, "order.lines[1]", options);
}

TEST(ApportionErrorsTest, BundleComponentQuantityNotPositive) {
  v1::SalesOrder order = BaseOrder();
  order.mutable_lines(1)->mutable_components(1)->set_quantity(0);
  ExpectInvalidOrder(order, "order.lines[1].components[1].quantity");
}

TEST(ApportionErrorsTest, UnallocatedApplicationMustBeOrderLevel) {
  // order.proto: an application no allocation refers to must say ORDER to
  // be spread over the lines; otherwise it is an error.
  v1::SalesOrder order = BaseOrder();
  v1::DiscountApplication* code = order.add_discounts();
  code->set_application_id("CODE");
  code->mutable_amount()->set_minor_units(100);
  ExpectInvalidOrder(order, "order.discounts[0]");
  code->set_level(v1::DISCOUNT_LEVEL_LINE);
  ExpectInvalidOrder(order, "order.discounts[0]");
  code->set_level(v1::DISCOUNT_LEVEL_ORDER);
  ASSERT_TRUE(PaidFigures(order).ok());
}

TEST(ApportionErrorsTest, DuplicateApplicationId) {
  // order.proto: DiscountApplication.application_id is unique in the order.
  v1::SalesOrder order = BaseOrder();
  for (int i = 0; i < 2; ++i) {
    v1::DiscountApplication* code = order.add_discounts();
    code->set_application_id("CODE");
    code->set_level(v1::DISCOUNT_LEVEL_ORDER);
    code->mutable_amount()->set_minor_units(100);
  }
  ExpectInvalidOrder(order, "order.discounts[1].application_id");
}

// --- The history -------------------------------------------------------------

TEST(ApportionErrorsTest, HistoryForAnUnknownLine) {
  ExpectInvalid(Apportion(BaseOrder(), History(R"pb(
                            lines { order_line_id: "L9" credited_quantity: 1 }
                          )pb"),
                          {{"L1", "", 1}}),
                "history.lines[0].order_line_id");
}

TEST(ApportionErrorsTest, HistoryForAnUnknownComponent) {
  ExpectInvalid(Apportion(BaseOrder(), History(R"pb(
                            lines {
                              order_line_id: "B1"
                              component_sku: "SAUCER"
                              credited_quantity: 1
                            }
                          )pb"),
                          {{"L1", "", 1}}),
                "history.lines[0].component_sku");
}

TEST(ApportionErrorsTest, HistoryQuantityImpossible) {
  ExpectInvalid(Apportion(BaseOrder(), History(R"pb(
                            lines { order_line_id: "L1" credited_quantity: 7 }
                          )pb"),
                          {{"B1", "", 1}}),
                "history.lines[0].credited_quantity");
  ExpectInvalid(Apportion(BaseOrder(), History(R"pb(
                            lines { order_line_id: "L1" credited_quantity: -1 }
                          )pb"),
                          {{"L1", "", 1}}),
                "history.lines[0].credited_quantity");
  ExpectInvalid(Apportion(BaseOrder(), History(R"pb(
                            lines { order_line_id: "L1" credited_quantity: 1 }
                            lines {
                              order_line_id: "B1"
                              component_sku: "TEA"
                              credited_quantity: 5
                            }
                          )pb"),
                          {{"L1", "", 1}}),
                "history.lines[1].credited_quantity");
}

TEST(ApportionErrorsTest, HistoryNegativeAmounts) {
  ExpectInvalid(Apportion(BaseOrder(), History(R"pb(
                            lines {
                              order_line_id: "L1"
                              credited_quantity: 1
                              credited_gross { minor_units: -1 }
                            }
                          )pb"),
                          {{"L1", "", 1}}),
                "history.lines[0].credited_gross");
  ExpectInvalid(Apportion(BaseOrder(), History(R"pb(
                            lines {
                              order_line_id: "L1"
                              credited_quantity: 1
                              credited_taxes {
                                rate: "20"
                                amount { minor_units: -1 }
                              }
                            }
                          )pb"),
                          {{"L1", "", 1}}),
                "history.lines[0].credited_taxes[0]");
}

TEST(ApportionErrorsTest, HistoryInAnotherCurrency) {
  ExpectInvalid(
      Apportion(BaseOrder(), History(R"pb(
                  lines {
                    order_line_id: "L1"
                    credited_quantity: 1
                    credited_gross { currency_code: "EUR" minor_units: 200 }
                  }
                )pb"),
                {{"L1", "", 1}}),
      "history.lines[0].credited_gross");
}

TEST(ApportionErrorsTest, HistoryMalformedTaxRate) {
  ExpectInvalid(Apportion(BaseOrder(), History(R"pb(
                            lines {
                              order_line_id: "L1"
                              credited_quantity: 1
                              credited_taxes {
                                rate: "twenty"
                                amount { minor_units: 33 }
                              }
                            }
                          )pb"),
                          {{"L1", "", 1}}),
                "history.lines[0].credited_taxes[0].rate");
}

TEST(ApportionErrorsTest, HistoryForAnotherOrder) {
  ExpectInvalid(Apportion(BaseOrder(), History(R"pb(
                            order_id: "SO-2"
                          )pb"),
                          {{"L1", "", 1}}),
                "history.order_id");
}

TEST(ApportionErrorsTest, HistoryForAnUnknownShippingLine) {
  const v1::OrderHistory history = History(R"pb(
    shipping {
      shipping_id: "S9"
      credited_gross { minor_units: 100 }
    }
  )pb");
  const std::vector<ReturnQuantity> returns = {{"L1", "", 1}};
  ApportionOptions options;
  options.include_shipping = true;
  {
    SCOPED_TRACE("include_shipping");
    ExpectInvalid(ApportionRefund(BaseOrder(), history, returns, options),
                  "history.shipping[0].shipping_id");
  }
  {
    // The history is malformed whether or not shipping is refunded now.
    SCOPED_TRACE("goods only");
    ExpectInvalid(ApportionRefund(BaseOrder(), history, returns),
                  "history.shipping[0].shipping_id");
  }
}

// --- RecordRefund -----------------------------------------------------------

Refund OneUnitRefund() {
  absl::StatusOr<Refund> refund = Apportion(BaseOrder(), {}, {{"L1", "", 1}});
  EXPECT_TRUE(refund.ok()) << refund.status();
  return refund.ok() ? *refund : Refund();
}

TEST(RecordRefundErrorsTest, RefundInAnotherCurrency) {
  const v1::SalesOrder order = BaseOrder();
  Refund refund = OneUnitRefund();
  refund.currency_code = "EUR";
  v1::OrderHistory history = History(R"pb(
    lines { order_line_id: "L1" credited_quantity: 1 }
  )pb");
  const v1::OrderHistory before = history;
  const absl::Status status = RecordRefund(order, refund, &history);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  // On an error the history is left unchanged.
  EXPECT_EQ(history.SerializeAsString(), before.SerializeAsString());
}

TEST(RecordRefundErrorsTest, MoreUnitsThanSold) {
  const v1::SalesOrder order = BaseOrder();
  Refund refund = OneUnitRefund();
  v1::OrderHistory history = History(R"pb(
    lines { order_line_id: "L1" credited_quantity: 6 }
  )pb");
  const v1::OrderHistory before = history;
  const absl::Status status = RecordRefund(order, refund, &history);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(history.SerializeAsString(), before.SerializeAsString());
}

TEST(RecordRefundErrorsTest, UnknownComponentLeavesHistoryUnchanged) {
  const v1::SalesOrder order = BaseOrder();
  Refund refund = OneUnitRefund();
  RefundedLine bogus = refund.lines[0];
  bogus.order_line_id = "B1";
  bogus.component_sku = "SAUCER";
  refund.lines.push_back(bogus);  // The first line is fine; the second not.
  v1::OrderHistory history;
  const absl::Status status = RecordRefund(order, refund, &history);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("refund.lines[1]"));
  EXPECT_EQ(history.lines_size(), 0) << "nothing half-recorded";
}

}  // namespace
}  // namespace retcon
