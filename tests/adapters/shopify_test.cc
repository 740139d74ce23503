// Tests of SalesOrderFromShopify (lib/adapters/shopify.cc).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "retcon/adapters.h"
#include "tests/adapters/adapters_test_util.h"

namespace retcon {
namespace {

using ::testing::HasSubstr;

v1::SalesOrder Adapt(const std::string& json,
                     const ShopifyOptions& options = {}) {
  absl::StatusOr<v1::SalesOrder> order = SalesOrderFromShopify(json, options);
  EXPECT_TRUE(order.ok()) << order.status();
  return order.ok() ? *order : v1::SalesOrder();
}

std::string ErrorOf(const std::string& json,
                    const ShopifyOptions& options = {}) {
  absl::StatusOr<v1::SalesOrder> order = SalesOrderFromShopify(json, options);
  if (order.ok()) return "OK";
  EXPECT_EQ(order.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(order.status().message());
}

// An order with `line` as its only line item and `extra` members.
std::string Order(const std::string& line, const std::string& extra = "") {
  return R"({"id": 1, "currency": "GBP", "line_items": [)" + line + "]" +
         extra + "}";
}
constexpr char kLine[] = R"({"id": 10, "quantity": 1, "price": "5.00"})";

TEST(ShopifyTest, MapsUkOrderWithTaxesIncluded) {
  v1::SalesOrder order =
      Adapt(ReadFixture("shopify_order_uk_taxes_included.json"));
  EXPECT_EQ(order.order_id(), "5528190001");
  EXPECT_EQ(order.order_number(), "#1001");
  EXPECT_EQ(order.source(), "shopify");
  EXPECT_EQ(order.currency_code(), "GBP");
  EXPECT_TRUE(order.prices_include_tax());
  EXPECT_EQ(order.placed_at().seconds(), 1741943558);  // processed_at
  EXPECT_EQ(order.customer().customer_id(), "7712093311001");
  EXPECT_EQ(order.customer().email(), "amara.h@example.co.uk");
  EXPECT_EQ(order.customer().first_name(), "Amara");
  EXPECT_EQ(order.customer().phone(), "");
  EXPECT_EQ(order.billing_address().name(), "Amara Hughes");
  EXPECT_EQ(order.billing_address().line1(), "14 Briggate");
  EXPECT_EQ(order.billing_address().region(), "West Yorkshire");
  EXPECT_EQ(order.billing_address().postal_code(), "LS1 6HD");
  EXPECT_EQ(order.billing_address().country_code(), "GB");
  EXPECT_EQ(order.billing_address().phone(), "+44 113 496 0000");
  EXPECT_EQ(order.shipping_address().name(), "Amara Hughes");
  EXPECT_EQ(order.shipping_address().region(), "WYK");

  ASSERT_EQ(order.discounts_size(), 2);
  EXPECT_EQ(order.discounts(0).application_id(), "0");
  EXPECT_EQ(order.discounts(0).code(), "SPRING10");
  EXPECT_EQ(order.discounts(0).level(), v1::DISCOUNT_LEVEL_ORDER);
  EXPECT_EQ(order.discounts(0).amount().minor_units(), 580);
  EXPECT_EQ(order.discounts(1).application_id(), "1");
  EXPECT_EQ(order.discounts(1).title(), "Socks: 1.00 off each");
  EXPECT_EQ(order.discounts(1).level(), v1::DISCOUNT_LEVEL_LINE);
  EXPECT_EQ(order.discounts(1).amount().minor_units(), 300);

  ASSERT_EQ(order.lines_size(), 2);
  const v1::SalesOrderLine& tee = order.lines(0);
  EXPECT_EQ(tee.line_id(), "13711044001001");
  EXPECT_EQ(tee.sku(), "HH-TEE-ORG-WHT-M");
  EXPECT_EQ(tee.product_name(), "Organic tee - White / M");
  EXPECT_EQ(tee.variant_id(), "44120339250001");
  EXPECT_EQ(tee.quantity(), 1);
  EXPECT_EQ(tee.unit_price().minor_units(), 2500);
  EXPECT_EQ(tee.unit_price().currency_code(), "GBP");
  ASSERT_EQ(tee.discount_allocations_size(), 1);
  EXPECT_EQ(tee.discount_allocations(0).amount().minor_units(), 250);
  EXPECT_EQ(tee.discount_allocations(0).application_id(), "0");
  EXPECT_EQ(tee.discount_allocations(0).level(), v1::DISCOUNT_LEVEL_ORDER);
  ASSERT_EQ(tee.tax_lines_size(), 1);
  EXPECT_EQ(tee.tax_lines(0).rate(), "20");
  EXPECT_EQ(tee.tax_lines(0).title(), "GB VAT");
  EXPECT_EQ(tee.tax_lines(0).amount().minor_units(), 375);

  const v1::SalesOrderLine& socks = order.lines(1);
  EXPECT_EQ(socks.quantity(), 3);
  EXPECT_EQ(socks.unit_price().minor_units(), 1200);  // A number: 12.00.
  ASSERT_EQ(socks.discount_allocations_size(), 2);
  EXPECT_EQ(socks.discount_allocations(0).level(), v1::DISCOUNT_LEVEL_LINE);
  EXPECT_EQ(socks.discount_allocations(1).amount().minor_units(), 330);
  EXPECT_EQ(socks.discount_allocations(1).application_id(), "0");
  EXPECT_EQ(socks.tax_lines(0).rate(), "20");  // "0.20" as a string.

  ASSERT_EQ(order.shipping_lines_size(), 1);
  EXPECT_EQ(order.shipping_lines(0).shipping_id(), "4410231000");
  EXPECT_EQ(order.shipping_lines(0).title(), "Standard UK delivery");
  EXPECT_EQ(order.shipping_lines(0).price().minor_units(), 495);
  EXPECT_EQ(order.shipping_lines(0).tax_lines(0).amount().minor_units(), 83);
}

TEST(ShopifyTest, MapsUsOrderWithTaxesExcluded) {
  v1::SalesOrder order =
      Adapt(ReadFixture("shopify_order_us_taxes_excluded.json"));
  EXPECT_EQ(order.order_id(), "820982911946154508");
  EXPECT_EQ(order.currency_code(), "USD");
  EXPECT_FALSE(order.prices_include_tax());
  EXPECT_EQ(order.placed_at().seconds(), 1748891045);  // 15:04:05-04:00
  EXPECT_EQ(order.customer().customer_id(), "115310627314723954");
  EXPECT_EQ(order.customer().email(), "jon@example.com");  // From the order.
  EXPECT_EQ(order.shipping_address().name(), "Jon Reyes");
  EXPECT_EQ(order.shipping_address().region(), "Texas");
  ASSERT_EQ(order.lines_size(), 2);
  EXPECT_EQ(order.lines(0).tax_lines(0).rate(), "8.25");
  EXPECT_EQ(order.lines(0).tax_lines(0).amount().minor_units(), 1609);
  EXPECT_EQ(order.discounts(0).amount().minor_units(), 500);
  EXPECT_EQ(order.discounts(0).level(), v1::DISCOUNT_LEVEL_ORDER);
  ASSERT_EQ(order.shipping_lines_size(), 1);
  EXPECT_EQ(order.shipping_lines(0).tax_lines_size(), 0);
}

TEST(ShopifyTest, MapsEurOrderWithZeroRatedAndUntaxedLines) {
  v1::SalesOrder order =
      Adapt(ReadFixture("shopify_order_eur_zero_rated.json"));
  EXPECT_EQ(order.currency_code(), "EUR");
  EXPECT_TRUE(order.prices_include_tax());  // "true" as a string.
  EXPECT_FALSE(order.has_customer());
  EXPECT_FALSE(order.has_billing_address());
  EXPECT_EQ(order.placed_at().seconds(), 1743508800);  // created_at
  ASSERT_EQ(order.lines_size(), 3);
  EXPECT_EQ(order.lines(0).tax_lines(0).rate(), "21");
  EXPECT_EQ(order.lines(1).tax_lines(0).rate(), "0");
  EXPECT_EQ(order.lines(1).tax_lines(0).amount().minor_units(), 0);
  EXPECT_EQ(order.lines(2).tax_lines_size(), 0);
  EXPECT_EQ(order.shipping_lines_size(), 0);
  EXPECT_EQ(order.discounts_size(), 0);
}

TEST(ShopifyTest, MapsJpyOrder) {
  v1::SalesOrder order = Adapt(ReadFixture("shopify_order_jpy.json"));
  EXPECT_EQ(order.currency_code(), "JPY");
  EXPECT_TRUE(order.prices_include_tax());             // 1
  EXPECT_EQ(order.placed_at().seconds(), 1746869400);  // 18:30+09:00
  EXPECT_EQ(order.lines(0).unit_price().minor_units(), 3300);
  EXPECT_EQ(order.lines(0).tax_lines(0).rate(), "10");
  EXPECT_EQ(order.lines(0).tax_lines(0).amount().minor_units(), 600);
  EXPECT_EQ(order.lines(1).unit_price().minor_units(), 1100);  // "1100.00"
  EXPECT_EQ(order.lines(1).tax_lines(0).amount().minor_units(), 100);
  EXPECT_EQ(order.shipping_lines(0).price().minor_units(), 550);
}

TEST(ShopifyTest, PresentmentMoneyOnRequest) {
  const std::string json = ReadFixture("shopify_order_presentment_eur.json");
  v1::SalesOrder shop = Adapt(json);
  EXPECT_EQ(shop.currency_code(), "GBP");
  EXPECT_EQ(shop.lines(0).unit_price().minor_units(), 3500);
  EXPECT_EQ(shop.lines(0).tax_lines(0).amount().minor_units(), 583);
  ShopifyOptions options;
  options.presentment_money = true;
  options.source = "shopify-eu";
  options.order_type = "WEB";
  options.channel = "web-eu";
  v1::SalesOrder presented = Adapt(json, options);
  EXPECT_EQ(presented.source(), "shopify-eu");
  EXPECT_EQ(presented.order_type(), "WEB");
  EXPECT_EQ(presented.channel(), "web-eu");
  EXPECT_EQ(presented.currency_code(), "EUR");
  EXPECT_EQ(presented.lines(0).unit_price().minor_units(), 4150);
  EXPECT_EQ(presented.lines(0).unit_price().currency_code(), "EUR");
  EXPECT_EQ(presented.lines(0).tax_lines(0).amount().minor_units(), 692);
  // Without the set, the plain price is in the shop's currency: an error.
  EXPECT_EQ(
      ErrorOf(R"({"id": 1, "currency": "GBP", "presentment_currency": "EUR",
                        "line_items": [{"id": 2, "quantity": 1, "price": "1.00"}]})",
              options),
      "line_items[0].price_set.presentment_money: required field is "
      "missing");
  // A bad presentment currency is named there, as the payload has it.
  EXPECT_EQ(ErrorOf(R"({"id": 1, "currency": "GBP",
                        "presentment_currency": "euro", "line_items": []})",
                    options),
            "presentment_currency: \"euro\" is not an ISO 4217 currency "
            "code");
  // The same currency written twice, in different case: no set needed.
  v1::SalesOrder same = Adapt(
      R"({"id": 1, "currency": "GBP", "presentment_currency": "gbp",
          "line_items": [{"id": 2, "quantity": 1, "price": "1.00"}]})",
      options);
  EXPECT_EQ(same.currency_code(), "GBP");
  EXPECT_EQ(same.lines(0).unit_price().minor_units(), 100);
}

TEST(ShopifyTest, ConvertsRatesExactly) {
  const std::pair<const char*, const char*> rates[] = {
      {"0.2", "20"},      {"0.175", "17.5"},
      {"0.0825", "8.25"}, {"0", "0"},
      {"0.00", "0"},      {"1", "100"},
      {"2e-1", "20"},     {"\"0.05\"", "5"},
      {"0.055", "5.5"},   {"0.07000001", "7.000001"}};
  for (const auto& [json_rate, percent] : rates) {
    v1::SalesOrder order = Adapt(Order(
        R"({"id": 10, "quantity": 1, "price": "5.00", "tax_lines": [{"rate": )" +
        std::string(json_rate) + "}]}"));
    ASSERT_EQ(order.lines(0).tax_lines_size(), 1) << json_rate;
    EXPECT_EQ(order.lines(0).tax_lines(0).rate(), percent) << json_rate;
    EXPECT_FALSE(order.lines(0).tax_lines(0).has_amount());
  }
}

TEST(ShopifyTest, ShippingDiscountsAndUnallocatedApplications) {
  v1::SalesOrder order = Adapt(Order(kLine,
                                     R"(, "discount_applications": [
            {"target_type": "shipping_line", "target_selection": "all",
             "allocation_method": "each", "title": "Free shipping"},
            {"target_type": "line_item", "target_selection": "all",
             "allocation_method": "across", "description": "Never used"}],
          "shipping_lines": [{"id": "s1", "price": "4.95",
            "discount_allocations": [{"amount": "4.95", "discount_application_index": 0}],
            "tax_lines": [{"rate": "0.2", "price": "0.00"}]}])"));
  ASSERT_EQ(order.discounts_size(), 2);
  EXPECT_EQ(order.discounts(0).title(), "Free shipping");
  EXPECT_EQ(order.discounts(0).level(), v1::DISCOUNT_LEVEL_LINE);
  EXPECT_EQ(order.discounts(0).amount().minor_units(), 495);
  EXPECT_EQ(order.discounts(1).title(), "Never used");
  EXPECT_EQ(order.discounts(1).level(), v1::DISCOUNT_LEVEL_ORDER);
  EXPECT_FALSE(order.discounts(1).has_amount());
  EXPECT_EQ(order.shipping_lines(0).shipping_id(), "s1");
  EXPECT_EQ(order.shipping_lines(0).discount_allocations(0).application_id(),
            "0");
  EXPECT_FALSE(order.prices_include_tax());  // taxes_included absent.
  EXPECT_FALSE(order.has_placed_at());
}

TEST(ShopifyTest, ReadsGraphQlIds) {
  v1::SalesOrder order = Adapt(
      R"({"id": "gid://shopify/Order/5528190001", "currency": "GBP",
          "line_items": [{"id": "gid://shopify/LineItem/13711044001001",
                          "variant_id": "gid://shopify/ProductVariant/7?x=1",
                          "quantity": 1, "price": "1.00"}]})");
  EXPECT_EQ(order.order_id(), "5528190001");
  EXPECT_EQ(order.lines(0).line_id(), "13711044001001");
  EXPECT_EQ(order.lines(0).variant_id(), "7");
}

TEST(ShopifyTest, UnwrapsTheOrderObject) {
  v1::SalesOrder order = Adapt(R"({"order": )" + Order(kLine) + "}");
  EXPECT_EQ(order.order_id(), "1");
  EXPECT_EQ(ErrorOf(R"({"order": {"currency": "GBP"}})"),
            "order.id: required field is missing");
}

TEST(ShopifyTest, MissingRequiredFieldsNameTheirPath) {
  EXPECT_EQ(ErrorOf(R"({"currency": "GBP", "line_items": []})"),
            "id: required field is missing");
  EXPECT_EQ(ErrorOf(R"({"id": 1, "line_items": []})"),
            "currency: required field is missing");
  EXPECT_EQ(ErrorOf(R"({"id": 1, "currency": "GBP"})"),
            "line_items: required field is missing");
  EXPECT_EQ(ErrorOf(Order(R"({"quantity": 1, "price": "1"})")),
            "line_items[0].id: required field is missing");
  EXPECT_EQ(ErrorOf(Order(R"({"id": 1, "price": "1"})")),
            "line_items[0].quantity: required field is missing");
  EXPECT_EQ(ErrorOf(Order(R"({"id": 1, "quantity": 1})")),
            "line_items[0].price: required field is missing");
  EXPECT_EQ(ErrorOf(Order(R"({"id": 1, "quantity": 1, "price": "1",
                             "tax_lines": [{"price": "0.17"}]})")),
            "line_items[0].tax_lines[0].rate: required field is missing");
  EXPECT_EQ(ErrorOf(Order(R"({"id": 1, "quantity": 1, "price": "1",
                             "price_set": {"shop_money": {"currency_code": "GBP"}}})")),
            "line_items[0].price_set.shop_money.amount: required field is "
            "missing");
  EXPECT_EQ(ErrorOf(Order(kLine, R"(, "shipping_lines": [{"price": "1"}])")),
            "shipping_lines[0].id: required field is missing");
  EXPECT_EQ(ErrorOf(Order(
                R"({"id": 1, "quantity": 1, "price": "1",
                             "discount_allocations": [{"discount_application_index": 0}]})",
                R"(, "discount_applications": [{"target_selection": "all"}])")),
            "line_items[0].discount_allocations[0].amount: required field is "
            "missing");
}

TEST(ShopifyTest, WrongTypesAndBadValuesNameTheirPath) {
  EXPECT_EQ(ErrorOf("{\"id\": 1,"),
            "$: not valid JSON at offset 9: "
            "unexpected end of input, expected a key");
  EXPECT_EQ(ErrorOf(R"("order")"), "$: expected an object, got string");
  EXPECT_EQ(ErrorOf(R"({"id": 1, "currency": "GBP", "line_items": {}})"),
            "line_items: expected an array, got object");
  EXPECT_EQ(ErrorOf(R"({"id": 1, "currency": "GBX", "line_items": []})"),
            "currency: \"GBX\" is not an ISO 4217 currency code");
  EXPECT_EQ(ErrorOf(R"({"id": 1, "currency": "gbx", "line_items": []})"),
            "currency: \"gbx\" is not an ISO 4217 currency code");
  EXPECT_EQ(ErrorOf(Order(R"({"id": 1, "quantity": "two", "price": "1"})")),
            "line_items[0].quantity: \"two\" is not a whole number");
  EXPECT_EQ(ErrorOf(Order(R"({"id": 1, "quantity": 1.5, "price": "1"})")),
            "line_items[0].quantity: 1.5 is not a whole number");
  EXPECT_EQ(ErrorOf(Order(R"({"id": 1, "quantity": 0, "price": "1"})")),
            "line_items[0].quantity: 0 units; must be > 0");
  EXPECT_EQ(ErrorOf(Order(R"({"id": 1, "quantity": 1, "price": "1.999"})")),
            "line_items[0].price: '1.999' has more decimal places than the "
            "currency's 2 (GBP)");
  EXPECT_EQ(ErrorOf(Order(R"({"id": 1, "quantity": 1, "price": "abc"})")),
            "line_items[0].price: 'abc' is not a decimal amount (expected "
            "digits, e.g. 12.34) (GBP)");
  EXPECT_EQ(ErrorOf(Order(R"({"id": 1, "quantity": 1, "price": [1]})")),
            "line_items[0].price: expected a decimal amount (string or "
            "number), got array");
  EXPECT_EQ(ErrorOf(Order(R"({"id": 1, "quantity": 1, "price": "1",
                             "tax_lines": [{"rate": "twenty"}]})")),
            "line_items[0].tax_lines[0].rate: \"twenty\" is not a decimal "
            "number");
  EXPECT_EQ(ErrorOf(Order(R"({"id": 1, "quantity": 1, "price": "1",
                             "tax_lines": [{"rate": -0.2}]})")),
            "line_items[0].tax_lines[0].rate: -0.2 is a negative tax rate");
  EXPECT_EQ(ErrorOf(Order(R"({"id": 1, "quantity": 1, "price": "1",
                             "discount_allocations": [{"amount": "0.10",
                               "discount_application_index": 3}]})")),
            "line_items[0].discount_allocations[0].discount_application_index: "
            "3 is not an index of discount_applications (0 of them)");
  EXPECT_EQ(ErrorOf(Order(R"({"id": 1, "quantity": 1, "price": "1",
                             "price_set": {"shop_money": {"amount": "1.00",
                                                          "currency_code": "EUR"}}})")),
            "line_items[0].price_set.shop_money.currency_code: \"EUR\" is not "
            "the order's currency \"GBP\"");
  EXPECT_EQ(ErrorOf(Order(kLine, R"(, "taxes_included": "maybe")")),
            "taxes_included: \"maybe\" is not a boolean (expected true, false, "
            "0 or 1)");
  EXPECT_EQ(ErrorOf(Order(kLine, R"(, "customer": "bob")")),
            "customer: expected an object, got string");
  EXPECT_EQ(
      ErrorOf(Order(kLine, R"(, "shipping_address": {"city": ["Leeds"]})")),
      "shipping_address.city: expected a string, got array");
  EXPECT_THAT(
      ErrorOf(Order(kLine, R"(, "processed_at": "03/14/2025")")),
      HasSubstr("processed_at: \"03/14/2025\" is not an ISO-8601 time"));
}

}  // namespace
}  // namespace retcon
