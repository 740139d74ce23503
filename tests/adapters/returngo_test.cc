// Tests of ReturnRequestFromReturnGo (lib/adapters/returngo.cc).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "retcon/adapters.h"
#include "tests/adapters/adapters_test_util.h"

namespace retcon {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::ReturnRequest Adapt(const std::string& json,
                        const ReturnGoOptions& options = {}) {
  absl::StatusOr<v1::ReturnRequest> ret =
      ReturnRequestFromReturnGo(json, options);
  EXPECT_TRUE(ret.ok()) << ret.status();
  return ret.ok() ? *ret : v1::ReturnRequest();
}

std::string ErrorOf(const std::string& json) {
  absl::StatusOr<v1::ReturnRequest> ret = ReturnRequestFromReturnGo(json);
  if (ret.ok()) return "OK";
  EXPECT_EQ(ret.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(ret.status().message());
}

// A minimal valid RMA with `item` as its only item and `extra` members.
std::string Rma(const std::string& item, const std::string& extra = "") {
  return R"({"rmaSummary": {"rmaId": "R1", "status": "Done"},
             "orderDetails": {"orderId": 1},
             "items": [)" +
         item + "]" + extra + "}";
}
// Grouping units into lines (ReturnGoOptions::line_per_unit = false).
ReturnGoOptions Grouped() {
  ReturnGoOptions options;
  options.line_per_unit = false;
  return options;
}

constexpr char kUnit[] =
    R"({"shopLineItemId": 11, "returnedItemId": 21,
        "paidPrice": {"amount": "10.00", "currency": "GBP"}})";

TEST(ReturnGoTest, MapsMultiUnitRma) {
  v1::ReturnRequest ret =
      Adapt(ReadFixture("returngo_rma_multi_unit_done.json"), Grouped());
  EXPECT_EQ(ret.source(), "returngo");
  EXPECT_EQ(ret.return_id(), "10001");
  EXPECT_EQ(ret.order_id(), "5528190001");
  EXPECT_EQ(ret.order_number(), "#1001");
  EXPECT_EQ(ret.status(), v1::RETURN_STATUS_DONE);
  EXPECT_EQ(ret.currency_code(), "GBP");
  EXPECT_FALSE(ret.out_of_policy());
  EXPECT_EQ(ret.created_at().seconds(), 1742112000);  // 2025-03-16T08:00:00Z
  EXPECT_EQ(ret.updated_at().seconds(), 1742575510);

  ASSERT_EQ(ret.lines_size(), 2);
  const v1::ReturnLine& tee = ret.lines(0);
  EXPECT_EQ(tee.return_line_id(), "9001");
  EXPECT_EQ(tee.order_line_id(), "13711044001001");
  EXPECT_EQ(tee.platform_sku(), "HH-TEE-ORG-WHT-M");
  EXPECT_EQ(tee.quantity(), 1);
  EXPECT_EQ(tee.reason_code(), "TOO_SMALL");
  EXPECT_EQ(tee.reason_text(), "Runs a size small");
  EXPECT_EQ(tee.resolution(), v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD);
  EXPECT_THAT(tee.item_ids(), ElementsAre("9001"));
  ASSERT_TRUE(tee.has_inspection());
  EXPECT_TRUE(tee.inspection().has_returned());
  EXPECT_TRUE(tee.inspection().returned());
  EXPECT_TRUE(tee.inspection().restockable());
  EXPECT_EQ(tee.inspection().return_location(), "LEEDS-DC");
  EXPECT_EQ(tee.inspection().inspected_at().seconds(), 1742464800);

  const v1::ReturnLine& socks = ret.lines(1);
  EXPECT_EQ(socks.return_line_id(), "9002");
  EXPECT_EQ(socks.order_line_id(), "13711044001002");
  EXPECT_EQ(socks.quantity(), 2);
  EXPECT_THAT(socks.item_ids(), ElementsAre("9002", "9003"));
  EXPECT_EQ(socks.reason_text(), "");

  // Zero fees are left out; the two units' 1.00 restocking fees make 2.00.
  ASSERT_EQ(ret.fees_size(), 1);
  EXPECT_EQ(ret.fees(0).type(), v1::FEE_TYPE_RESTOCKING);
  EXPECT_EQ(ret.fees(0).return_line_id(), "9002");
  EXPECT_EQ(ret.fees(0).amount().currency_code(), "GBP");
  EXPECT_EQ(ret.fees(0).amount().minor_units(), 200);

  ASSERT_EQ(ret.refunds_size(), 1);
  const v1::RefundTransaction& refund = ret.refunds(0);
  EXPECT_EQ(refund.refund_id(), "tx-5001");
  EXPECT_EQ(refund.status(), v1::TRANSACTION_STATUS_SUCCESS);
  EXPECT_EQ(refund.method(), v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD);
  EXPECT_EQ(refund.amount().minor_units(), 4030);
  EXPECT_EQ(refund.external_reference_id(), "9988776655");
  EXPECT_THAT(refund.return_line_ids(), ElementsAre("9001", "9002"));
  EXPECT_EQ(refund.created_at().seconds(), 1742575500);
}

TEST(ReturnGoTest, PartialRefundSplitsTheLineByTransaction) {
  v1::ReturnRequest ret =
      Adapt(ReadFixture("returngo_rma_partial_refund.json"), Grouped());
  EXPECT_EQ(ret.status(), v1::RETURN_STATUS_VALIDATED);
  EXPECT_EQ(ret.order_id(), "5528190001");
  EXPECT_EQ(ret.order_number(), "#1001");  // From rmaSummary.
  ASSERT_EQ(ret.lines_size(), 2);
  EXPECT_EQ(ret.lines(0).return_line_id(), "9101");
  EXPECT_EQ(ret.lines(0).quantity(), 1);
  EXPECT_EQ(ret.lines(1).return_line_id(), "9102");
  EXPECT_EQ(ret.lines(1).quantity(), 2);
  EXPECT_THAT(ret.lines(1).item_ids(), ElementsAre("9102", "9103"));
  EXPECT_EQ(ret.lines(1).order_line_id(), "13711044001002");
  EXPECT_FALSE(ret.lines(0).inspection().restockable());
  EXPECT_TRUE(ret.lines(0).inspection().has_restockable());
  EXPECT_EQ(ret.lines(0).inspection().return_location(), "77");  // A number.
  EXPECT_EQ(ret.lines(0).inspection().non_restockable_reason(), "Hole in heel");
  ASSERT_EQ(ret.refunds_size(), 2);
  EXPECT_EQ(ret.refunds(0).refund_id(), "7001");
  EXPECT_THAT(ret.refunds(0).return_line_ids(), ElementsAre("9101"));
  EXPECT_EQ(ret.refunds(0).amount().minor_units(), 990);
  EXPECT_EQ(ret.refunds(1).status(), v1::TRANSACTION_STATUS_PENDING);
  // A bare amount beside its currency.
  EXPECT_EQ(ret.refunds(1).amount().minor_units(), 1980);
  EXPECT_EQ(ret.refunds(1).amount().currency_code(), "GBP");
  EXPECT_THAT(ret.refunds(1).return_line_ids(), ElementsAre("9102"));
}

TEST(ReturnGoTest, LinePerUnitByDefaultKeepsLineIdsStableAsTheRmaProgresses) {
  const ReturnGoOptions options;  // line_per_unit is the default.
  ASSERT_TRUE(options.line_per_unit);
  v1::ReturnRequest ret =
      Adapt(ReadFixture("returngo_rma_multi_unit_done.json"), options);
  ASSERT_EQ(ret.lines_size(), 3);
  EXPECT_EQ(ret.lines(1).return_line_id(), "9002");
  EXPECT_EQ(ret.lines(2).return_line_id(), "9003");
  EXPECT_EQ(ret.lines(2).order_line_id(), "13711044001002");
  EXPECT_EQ(ret.lines(2).quantity(), 1);
  EXPECT_THAT(ret.lines(2).item_ids(), ElementsAre("9003"));
  // Each unit's fee stays on its own line.
  ASSERT_EQ(ret.fees_size(), 2);
  EXPECT_EQ(ret.fees(1).return_line_id(), "9003");
  EXPECT_EQ(ret.fees(1).amount().minor_units(), 100);
  EXPECT_THAT(ret.refunds(0).return_line_ids(),
              ElementsAre("9001", "9002", "9003"));
  // Before and after its transactions, the partial refund's lines are the
  // same three.
  const std::string json = ReadFixture("returngo_rma_partial_refund.json");
  v1::ReturnRequest after = Adapt(json, options);
  const size_t t = json.find("\"transactions\"");
  v1::ReturnRequest before =
      Adapt(json.substr(0, json.rfind(',', t)) + "}", options);
  ASSERT_EQ(before.refunds_size(), 0);
  ASSERT_EQ(after.lines_size(), 3);
  ASSERT_EQ(before.lines_size(), 3);
  for (int l = 0; l < 3; ++l) {
    EXPECT_EQ(before.lines(l).return_line_id(),
              after.lines(l).return_line_id());
    EXPECT_EQ(before.lines(l).quantity(), after.lines(l).quantity());
  }
  EXPECT_THAT(after.refunds(1).return_line_ids(), ElementsAre("9102", "9103"));
}

TEST(ReturnGoTest, UnitsWithDifferentInspectionsOrResolutionsStayApart) {
  v1::ReturnRequest ret = Adapt(
      Rma(
          R"({"shopLineItemId": 11, "returnedItemId": 1, "resolutionType": "StoreCredit",
          "itemValidationStatusResponse": {"isReturned": 1, "isRestockable": 1}},
         {"shopLineItemId": 11, "returnedItemId": 2, "resolutionType": "StoreCredit",
          "itemValidationStatusResponse": {"isReturned": 1, "isRestockable": 0}},
         {"shopLineItemId": 11, "returnedItemId": 3, "resolutionType": "GiftCard",
          "itemValidationStatusResponse": {"isReturned": 1, "isRestockable": 1}},
         {"shopLineItemId": 11, "returnedItemId": 4, "resolutionType": "StoreCredit",
          "itemValidationStatusResponse": {"isReturned": "true", "isRestockable": "1"}},
         {"shopLineItemId": 11, "returnedItemId": 5, "resolutionType": "StoreCredit"},
         {"shopLineItemId": 11, "sku": "OTHER", "returnedItemId": 6,
          "resolutionType": "StoreCredit"})"),
      Grouped());
  ASSERT_EQ(ret.lines_size(), 5);
  EXPECT_THAT(ret.lines(0).item_ids(), ElementsAre("1", "4"));
  EXPECT_THAT(ret.lines(1).item_ids(), ElementsAre("2"));
  EXPECT_THAT(ret.lines(2).item_ids(), ElementsAre("3"));
  EXPECT_EQ(ret.lines(2).resolution(), v1::RESOLUTION_GIFT_CARD);
  // Not inspected: no inspection at all.
  EXPECT_FALSE(ret.lines(3).has_inspection());
  EXPECT_EQ(ret.lines(4).platform_sku(), "OTHER");
}

TEST(ReturnGoTest, MapsUnevenExchange) {
  v1::ReturnRequest ret =
      Adapt(ReadFixture("returngo_rma_exchange_uneven.json"));
  ASSERT_EQ(ret.lines_size(), 1);
  EXPECT_EQ(ret.lines(0).resolution(), v1::RESOLUTION_EXCHANGE);
  ASSERT_EQ(ret.exchange_items_size(), 1);
  const v1::ExchangeItem& x = ret.exchange_items(0);
  EXPECT_EQ(x.return_line_id(), "9201");
  EXPECT_EQ(x.sku(), "HH-TEE-ORG-WHT-L");
  EXPECT_EQ(x.variant_id(), "44120339250002");
  EXPECT_EQ(x.product_name(), "Organic tee - White / L");
  EXPECT_EQ(x.quantity(), 1);
  EXPECT_EQ(x.unit_price().minor_units(), 2700);
  EXPECT_EQ(x.unit_price().currency_code(), "GBP");
  EXPECT_EQ(ret.refunds_size(), 0);
  EXPECT_FALSE(ret.out_of_policy());
}

TEST(ReturnGoTest, ExchangeItemsOfEqualUnitsMerge) {
  v1::ReturnRequest ret = Adapt(
      Rma(
          R"({"shopLineItemId": 11, "returnedItemId": 1, "resolutionType": "Exchange",
          "paidPrice": {"amount": "10", "currency": "EUR"},
          "exchangeItems": [{"sku": "B", "effectivePrice": "12.00"}]},
         {"shopLineItemId": 11, "returnedItemId": 2, "resolutionType": "ExchangeProduct",
          "exchangeItems": [{"sku": "B", "effectivePrice": 12}]})"),
      Grouped());
  ASSERT_EQ(ret.lines_size(), 1);
  ASSERT_EQ(ret.exchange_items_size(), 1);
  EXPECT_EQ(ret.exchange_items(0).quantity(), 2);
  EXPECT_EQ(ret.exchange_items(0).unit_price().currency_code(), "EUR");
}

TEST(ReturnGoTest, MapsJpyWithNumbersAndPerUnitFees) {
  v1::ReturnRequest ret =
      Adapt(ReadFixture("returngo_rma_jpy_store_credit.json"), Grouped());
  EXPECT_EQ(ret.return_id(), "RG-JP-77");
  EXPECT_EQ(ret.currency_code(), "JPY");
  EXPECT_EQ(ret.status(), v1::RETURN_STATUS_RECEIVED);
  EXPECT_EQ(ret.created_at().seconds(), 1747699200);  // 09:00+09:00
  ASSERT_EQ(ret.lines_size(), 1);
  EXPECT_EQ(ret.lines(0).quantity(), 2);
  EXPECT_EQ(ret.lines(0).resolution(), v1::RESOLUTION_STORE_CREDIT);
  ASSERT_EQ(ret.fees_size(), 1);
  EXPECT_EQ(ret.fees(0).type(), v1::FEE_TYPE_RETURN_SHIPPING);
  EXPECT_EQ(ret.fees(0).amount().minor_units(), 330);
  ASSERT_EQ(ret.refunds_size(), 1);
  EXPECT_EQ(ret.refunds(0).amount().minor_units(), 6270);
  EXPECT_EQ(ret.refunds(0).method(), v1::RESOLUTION_STORE_CREDIT);
  EXPECT_EQ(ret.refunds(0).status(), v1::TRANSACTION_STATUS_REQUESTED);
}

// The same RMAs read the default way, one line per unit: each unit keeps
// its own exchange item, fee and place in the transactions.
TEST(ReturnGoTest, ExchangeItemsStayWithTheirUnitByDefault) {
  v1::ReturnRequest ret = Adapt(Rma(
      R"({"shopLineItemId": 11, "returnedItemId": 1, "resolutionType": "Exchange",
          "paidPrice": {"amount": "10", "currency": "EUR"},
          "exchangeItems": [{"sku": "B", "effectivePrice": "12.00"}]},
         {"shopLineItemId": 11, "returnedItemId": 2, "resolutionType": "ExchangeProduct",
          "exchangeItems": [{"sku": "B", "effectivePrice": 12}]})"));
  ASSERT_EQ(ret.lines_size(), 2);
  ASSERT_EQ(ret.exchange_items_size(), 2);
  for (int i = 0; i < 2; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(ret.lines(i).resolution(), v1::RESOLUTION_EXCHANGE);
    EXPECT_EQ(ret.lines(i).quantity(), 1);
    EXPECT_EQ(ret.exchange_items(i).return_line_id(),
              ret.lines(i).return_line_id());
    EXPECT_EQ(ret.exchange_items(i).sku(), "B");
    EXPECT_EQ(ret.exchange_items(i).quantity(), 1);
    EXPECT_EQ(ret.exchange_items(i).unit_price().minor_units(), 1200);
    EXPECT_EQ(ret.exchange_items(i).unit_price().currency_code(), "EUR");
  }
  EXPECT_EQ(ret.lines(0).return_line_id(), "1");
  EXPECT_EQ(ret.lines(1).return_line_id(), "2");
}

TEST(ReturnGoTest, MapsJpyPerUnitByDefault) {
  v1::ReturnRequest ret =
      Adapt(ReadFixture("returngo_rma_jpy_store_credit.json"));
  EXPECT_EQ(ret.currency_code(), "JPY");
  ASSERT_EQ(ret.lines_size(), 2);
  EXPECT_EQ(ret.lines(0).return_line_id(), "31");
  EXPECT_EQ(ret.lines(1).return_line_id(), "32");
  for (const v1::ReturnLine& line : ret.lines()) {
    EXPECT_EQ(line.quantity(), 1);
    EXPECT_EQ(line.resolution(), v1::RESOLUTION_STORE_CREDIT);
  }
  // The one non-zero fee stays on the unit that carries it.
  ASSERT_EQ(ret.fees_size(), 1);
  EXPECT_EQ(ret.fees(0).return_line_id(), "31");
  EXPECT_EQ(ret.fees(0).type(), v1::FEE_TYPE_RETURN_SHIPPING);
  EXPECT_EQ(ret.fees(0).amount().minor_units(), 330);
  EXPECT_EQ(ret.fees(0).amount().currency_code(), "JPY");
  ASSERT_EQ(ret.refunds_size(), 1);
  EXPECT_EQ(ret.refunds(0).amount().minor_units(), 6270);
  EXPECT_THAT(ret.refunds(0).return_line_ids(), ElementsAre("31", "32"));
}

TEST(ReturnGoTest, PartialRefundCoversItsUnitsByDefault) {
  v1::ReturnRequest ret =
      Adapt(ReadFixture("returngo_rma_partial_refund.json"));
  ASSERT_EQ(ret.lines_size(), 3);
  EXPECT_EQ(ret.lines(0).return_line_id(), "9101");
  EXPECT_EQ(ret.lines(1).return_line_id(), "9102");
  EXPECT_EQ(ret.lines(2).return_line_id(), "9103");
  EXPECT_EQ(ret.lines(1).order_line_id(), ret.lines(2).order_line_id());
  ASSERT_EQ(ret.refunds_size(), 2);
  EXPECT_EQ(ret.refunds(0).refund_id(), "7001");
  EXPECT_EQ(ret.refunds(0).amount().minor_units(), 990);
  EXPECT_EQ(ret.refunds(0).status(), v1::TRANSACTION_STATUS_SUCCESS);
  EXPECT_THAT(ret.refunds(0).return_line_ids(), ElementsAre("9101"));
  EXPECT_EQ(ret.refunds(1).amount().minor_units(), 1980);
  EXPECT_EQ(ret.refunds(1).status(), v1::TRANSACTION_STATUS_PENDING);
  EXPECT_THAT(ret.refunds(1).return_line_ids(), ElementsAre("9102", "9103"));
}

TEST(ReturnGoTest, MapsWrappedMinimalRma) {
  v1::ReturnRequest ret =
      Adapt(ReadFixture("returngo_rma_pending_minimal.json"));
  EXPECT_EQ(ret.return_id(), "10004");
  EXPECT_EQ(ret.status(), v1::RETURN_STATUS_PENDING);
  EXPECT_EQ(ret.order_id(), "");
  EXPECT_EQ(ret.order_number(), "#1001");
  EXPECT_EQ(ret.currency_code(), "");
  ASSERT_EQ(ret.lines_size(), 1);
  EXPECT_EQ(ret.lines(0).resolution(), v1::RESOLUTION_KEEP_ITEM);
  EXPECT_FALSE(ret.lines(0).has_inspection());
  EXPECT_EQ(ret.refunds_size(), 0);
}

TEST(ReturnGoTest, ReadsEveryResolutionAndStatus) {
  const std::pair<const char*, v1::Resolution> resolutions[] = {
      {"RefundToPaymentMethod", v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD},
      {"refund_to_payment_method", v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD},
      {"StoreCredit", v1::RESOLUTION_STORE_CREDIT},
      {"GiftCard", v1::RESOLUTION_GIFT_CARD},
      {"BankTransfer", v1::RESOLUTION_BANK_TRANSFER},
      {"Exchange", v1::RESOLUTION_EXCHANGE},
      {"ExchangeVariant", v1::RESOLUTION_EXCHANGE},
      {"ExchangeProduct", v1::RESOLUTION_EXCHANGE},
      {"KeepItem", v1::RESOLUTION_KEEP_ITEM},
      {"KeepItemStoreCredit", v1::RESOLUTION_KEEP_ITEM},
      {"Donate", v1::RESOLUTION_DONATE}};
  for (const auto& [text, resolution] : resolutions) {
    v1::ReturnRequest ret = Adapt(Rma(
        R"({"shopLineItemId": 1, "returnedItemId": 2, "resolutionType": ")" +
        std::string(text) + "\"}"));
    EXPECT_EQ(ret.lines(0).resolution(), resolution) << text;
  }
  const std::pair<const char*, v1::ReturnStatus> statuses[] = {
      {"Pending", v1::RETURN_STATUS_PENDING},
      {"Approved", v1::RETURN_STATUS_APPROVED},
      {"Received", v1::RETURN_STATUS_RECEIVED},
      {"Validated", v1::RETURN_STATUS_VALIDATED},
      {"Done", v1::RETURN_STATUS_DONE},
      {"Rejected", v1::RETURN_STATUS_REJECTED},
      {"Canceled", v1::RETURN_STATUS_CANCELED},
      {"CANCELLED", v1::RETURN_STATUS_CANCELED}};
  for (const auto& [text, status] : statuses) {
    v1::ReturnRequest ret = Adapt(
        R"({"rmaSummary": {"rmaId": 1, "status": ")" + std::string(text) +
        R"(", "order_name": "#1"}, "items": [{"shopLineItemId": 1, "returnedItemId": 2}]})");
    EXPECT_EQ(ret.status(), status) << text;
  }
  const std::pair<const char*, v1::TransactionStatus> transaction_statuses[] = {
      {"Requested", v1::TRANSACTION_STATUS_REQUESTED},
      {"Pending", v1::TRANSACTION_STATUS_PENDING},
      {"Success", v1::TRANSACTION_STATUS_SUCCESS},
      {"Failed", v1::TRANSACTION_STATUS_FAILED},
      {"Canceled", v1::TRANSACTION_STATUS_CANCELED}};
  for (const auto& [text, status] : transaction_statuses) {
    v1::ReturnRequest ret =
        Adapt(Rma(kUnit, R"(, "transactions": [{"id": 1, "status": ")" +
                             std::string(text) + R"(", "amount": "1.00"}])"));
    EXPECT_EQ(ret.refunds(0).status(), status) << text;
    // No returnItemIds: the refund covers the whole return.
    EXPECT_EQ(ret.refunds(0).return_line_ids_size(), 0);
  }
}

TEST(ReturnGoTest, PrefersTheShopCurrencyPairByDefault) {
  const std::string json = Rma(
      R"({"shopLineItemId": 11, "returnedItemId": 21,
          "paidPrice": {"amount": "12.00", "currency": "EUR",
                        "shopAmount": "10.00", "shopCurrency": "GBP"}})",
      R"(, "transactions": [{"id": 1, "status": "Success",
          "amount": {"amount": "12.00", "currency": "EUR",
                     "shopAmount": "10.00", "shopCurrency": "GBP"}}])");
  v1::ReturnRequest shop = Adapt(json);
  EXPECT_EQ(shop.currency_code(), "GBP");
  EXPECT_EQ(shop.refunds(0).amount().minor_units(), 1000);
  ReturnGoOptions options;
  options.shop_money = false;
  options.source = "returngo-eu";
  v1::ReturnRequest customer = Adapt(json, options);
  EXPECT_EQ(customer.source(), "returngo-eu");
  EXPECT_EQ(customer.currency_code(), "EUR");
  EXPECT_EQ(customer.refunds(0).amount().minor_units(), 1200);
  EXPECT_EQ(customer.refunds(0).amount().currency_code(), "EUR");
}

TEST(ReturnGoTest, ReadsFlatRmasTimesAndExponentAmounts) {
  v1::ReturnRequest ret = Adapt(
      R"({"rmaId": "F1", "status": "Approved", "order_name": "#7",
          "createdAt": "2025-03-16 08:00:00", "lastUpdated": "2025-03-17",
          "isOutOfPolicy": "TRUE",
          "items": [{"shopLineItemId": 1, "returnedItemId": 2,
                     "paidPrice": {"amount": "1", "currency": "gbp"},
                     "restockingFee": 1.5e1, "returnFee": {"amount": 2}}]})");
  EXPECT_EQ(ret.return_id(), "F1");
  EXPECT_EQ(ret.status(), v1::RETURN_STATUS_APPROVED);
  EXPECT_EQ(ret.order_number(), "#7");
  EXPECT_EQ(ret.currency_code(), "GBP");
  EXPECT_EQ(ret.created_at().seconds(), 1742112000);  // No zone: UTC.
  EXPECT_EQ(ret.updated_at().seconds(), 1742169600);  // A date: midnight.
  EXPECT_TRUE(ret.out_of_policy());
  ASSERT_EQ(ret.fees_size(), 2);
  EXPECT_EQ(ret.fees(0).amount().minor_units(), 1500);
  EXPECT_EQ(ret.fees(1).type(), v1::FEE_TYPE_OTHER);
  EXPECT_EQ(ret.fees(1).amount().minor_units(), 200);
  EXPECT_EQ(ret.fees(1).amount().currency_code(), "GBP");
}

TEST(ReturnGoTest, ReadsShopifyGraphQlIds) {
  v1::ReturnRequest ret = Adapt(
      R"({"rmaSummary": {"rmaId": 1, "status": "Done"},
          "orderDetails": {"orderId": "gid://shopify/Order/5528190001"},
          "items": [{"shopLineItemId": "gid://shopify/LineItem/13711044001001",
                     "returnedItemId": 2, "resolutionType": "Exchange",
                     "exchangeItems": [{"variantId": "gid://shopify/ProductVariant/44"}]}]})");
  EXPECT_EQ(ret.order_id(), "5528190001");
  EXPECT_EQ(ret.lines(0).order_line_id(), "13711044001001");
  EXPECT_EQ(ret.exchange_items(0).variant_id(), "44");
  EXPECT_EQ(ErrorOf(Rma(R"({"shopLineItemId": "gid://shopify/LineItem/abc",
                           "returnedItemId": 1})")),
            "items[0].shopLineItemId: \"gid://shopify/LineItem/abc\" is not a "
            "Shopify id (expected gid://shopify/<Type>/<number>)");
}

TEST(ReturnGoTest, MissingRequiredFieldsNameTheirPath) {
  EXPECT_EQ(ErrorOf(R"({"rmaSummary": {"status": "Done"}, "items": []})"),
            "rmaSummary.rmaId: required field is missing");
  EXPECT_EQ(ErrorOf(R"({"rmaSummary": {"rmaId": 1}})"),
            "rmaSummary.status: required field is missing");
  EXPECT_EQ(
      ErrorOf(R"({"rmaSummary": {"rmaId": 1, "status": "Done"}, "items": []})"),
      "orderDetails.orderId: required field is missing (and no "
      "order_name either)");
  EXPECT_EQ(ErrorOf(R"({"rmaSummary": {"rmaId": 1, "status": "Done"},
                        "orderDetails": {"orderId": null, "order_name": "#9"}})"),
            "items: required field is missing");
  EXPECT_EQ(ErrorOf(Rma("")), "items: must not be empty");
  EXPECT_EQ(ErrorOf(Rma(R"({"returnedItemId": 1}, {"shopLineItemId": 1})")),
            "items[0].shopLineItemId: required field is missing");
  EXPECT_EQ(ErrorOf(Rma(R"({"shopLineItemId": 1, "returnedItemId": 1},
                           {"shopLineItemId": 1})")),
            "items[1].returnedItemId: required field is missing");
  EXPECT_EQ(ErrorOf(Rma(kUnit, R"(, "transactions": [{"status": "Success"}])")),
            "transactions[0].id: required field is missing");
  EXPECT_EQ(ErrorOf(Rma(kUnit, R"(, "transactions": [{"id": 1}])")),
            "transactions[0].status: required field is missing");
  EXPECT_EQ(
      ErrorOf(
          Rma(kUnit, R"(, "transactions": [{"id": 1, "status": "Success"}])")),
      "transactions[0].amount: required field is missing");
  EXPECT_EQ(
      ErrorOf(Rma(kUnit, R"(, "transactions": [{"id": 1, "status": "Success",
                                  "amount": {"currency": "GBP"}}])")),
      "transactions[0].amount.amount: required field is missing");
  EXPECT_EQ(ErrorOf(Rma(R"({"shopLineItemId": 1, "returnedItemId": 2,
                           "exchangeItems": [{"quantity": 1}]})")),
            "items[0].exchangeItems[0].sku: required field is missing");
  EXPECT_EQ(ErrorOf(R"({"rma": {"rmaSummary": {"status": "Done"}}})"),
            "rma.rmaSummary.rmaId: required field is missing");
}

TEST(ReturnGoTest, WrongTypesNameTheirPath) {
  EXPECT_EQ(ErrorOf("[]"), "$: expected an object, got array");
  EXPECT_EQ(ErrorOf(R"({"rmaSummary": []})"),
            "rmaSummary: expected an object, got array");
  EXPECT_EQ(ErrorOf(R"({"rmaSummary": {"rmaId": 1 "status": "Done"}})"),
            "rmaSummary.rmaId: not valid JSON at offset 27: expected ',' or "
            "'}'");
  EXPECT_EQ(ErrorOf(R"({"rmaSummary": {"rmaId": true, "status": "Done"}})"),
            "rmaSummary.rmaId: expected an id (string or number), got boolean");
  EXPECT_EQ(ErrorOf(R"({"rmaSummary": {"rmaId": 1.5, "status": "Done"}})"),
            "rmaSummary.rmaId: 1.5 is not an id (expected a string or a whole "
            "non-negative number)");
  EXPECT_EQ(ErrorOf(R"({"rmaSummary": {"rmaId": "", "status": "Done"}})"),
            "rmaSummary.rmaId: must not be empty");
  EXPECT_EQ(ErrorOf(Rma("5")), "items[0]: expected an object, got number");
  EXPECT_EQ(ErrorOf(Rma(R"({"shopLineItemId": {}, "returnedItemId": 1})")),
            "items[0].shopLineItemId: expected an id (string or number), got "
            "object");
  EXPECT_EQ(ErrorOf(Rma(R"({"shopLineItemId": 1, "returnedItemId": 1,
                           "itemValidationStatusResponse": {"isReturned": 2}})")),
            "items[0].itemValidationStatusResponse.isReturned: 2 is not a "
            "boolean (expected true, false, 0 or 1)");
  EXPECT_EQ(ErrorOf(Rma(R"({"shopLineItemId": 1, "returnedItemId": 1,
                           "itemValidationStatusResponse": {"isRestockable": "yes"}})")),
            "items[0].itemValidationStatusResponse.isRestockable: \"yes\" is "
            "not a boolean (expected true, false, 0 or 1)");
  EXPECT_EQ(ErrorOf(Rma(R"({"shopLineItemId": 1, "returnedItemId": 1,
                           "itemValidationStatusResponse": true})")),
            "items[0].itemValidationStatusResponse: expected an object, got "
            "boolean");
  EXPECT_EQ(ErrorOf(Rma(R"({"shopLineItemId": 1, "returnedItemId": 1,
                           "itemValidationStatusResponse": {"lastValidationDate": "yesterday"}})")),
            "items[0].itemValidationStatusResponse.lastValidationDate: "
            "\"yesterday\" is not an ISO-8601 time (expected e.g. "
            "2025-03-15T19:05:12Z)");
  EXPECT_EQ(ErrorOf(Rma(kUnit, R"(, "transactions": {})")),
            "transactions: expected an array, got object");
  EXPECT_EQ(
      ErrorOf(Rma(kUnit, R"(, "transactions": [{"id": 1, "status": "Success",
                                  "amount": "1", "returnItemIds": "21"}])")),
      "transactions[0].returnItemIds: expected an array, got string");
  EXPECT_EQ(
      ErrorOf(
          Rma(R"({"shopLineItemId": 1, "returnedItemId": 1, "quantity": 0})")),
      "items[0].quantity: 0 is not a unit count (1 to 1000000)");
}

TEST(ReturnGoTest, BadAmountsNameTheirPath) {
  EXPECT_EQ(ErrorOf(Rma(R"({"shopLineItemId": 1, "returnedItemId": 1,
                           "paidPrice": {"amount": "1", "currency": "GBP"},
                           "restockingFee": "12.3.4"})")),
            "items[0].restockingFee: '12.3.4' is not a decimal amount "
            "(expected digits, e.g. 12.34) (GBP)");
  EXPECT_EQ(
      ErrorOf(Rma(kUnit, R"(, "transactions": [{"id": 1, "status": "Success",
                                  "amount": {"amount": "1.005", "currency": "GBP"}}])")),
      "transactions[0].amount.amount: '1.005' has more decimal places "
      "than the currency's 2 (GBP)");
  EXPECT_EQ(
      ErrorOf(Rma(kUnit, R"(, "transactions": [{"id": 1, "status": "Success",
                                  "amount": {"amount": 1.5, "currency": "JPY"}}])")),
      "transactions[0].amount.amount: '1.5' has more decimal places than "
      "the currency's 0 (JPY)");
  EXPECT_EQ(
      ErrorOf(Rma(kUnit, R"(, "transactions": [{"id": 1, "status": "Success",
                                  "amount": {"amount": "-1.00"}}])")),
      "transactions[0].amount.amount: \"-1.00\" is negative; amounts "
      "here are never negative");
  EXPECT_EQ(
      ErrorOf(Rma(kUnit, R"(, "transactions": [{"id": 1, "status": "Success",
                                  "amount": {"amount": "1.00", "currency": "XXQ"}}])")),
      "transactions[0].amount.currency: \"XXQ\" is not an ISO 4217 "
      "currency code");
  EXPECT_EQ(
      ErrorOf(Rma(kUnit, R"(, "transactions": [{"id": 1, "status": "Success",
                                  "amount": {"amount": true}}])")),
      "transactions[0].amount.amount: expected a decimal amount (string "
      "or number), got boolean");
  EXPECT_EQ(ErrorOf(Rma(R"({"shopLineItemId": 1, "returnedItemId": 1,
                           "paidPrice": {"amount": "1", "currency": "POUNDS"}})")),
            "items[0].paidPrice.currency: \"POUNDS\" is not an ISO 4217 "
            "currency code");
  EXPECT_EQ(ErrorOf(Rma(R"({"shopLineItemId": 1, "returnedItemId": 1})",
                        R"(, "transactions": [{"id": 1, "status": "Success",
                              "amount": "1.00", "currency": "pounds"}])")),
            "transactions[0].currency: \"pounds\" is not an ISO 4217 "
            "currency code");
  EXPECT_EQ(ErrorOf(Rma(R"({"shopLineItemId": 1, "returnedItemId": 1,
                           "paidPrice": {"amount": "1", "currency": "GBP",
                                         "shopAmount": "1",
                                         "shopCurrency": "QUID"}})")),
            "items[0].paidPrice.shopCurrency: \"QUID\" is not an ISO 4217 "
            "currency code");
  // Any money object's currency, as the RMA wrote it.
  EXPECT_EQ(ErrorOf(Rma(R"({"shopLineItemId": 1, "returnedItemId": 1,
                           "paidPrice": {"amount": "1", "currency": "GBP"},
                           "returnFee": {"amount": "1", "currency": "pounds"}})")),
            "items[0].returnFee.currency: \"pounds\" is not an ISO 4217 "
            "currency code");
  // The payload's own text, cut like every quoted value.
  EXPECT_EQ(ErrorOf(Rma(R"({"shopLineItemId": 1, "returnedItemId": 1,
                           "paidPrice": {"amount": "1", "currency":
                           "pounds sterling, as agreed with the customer"}})")),
            "items[0].paidPrice.currency: \"pounds sterling, as agreed with "
            "the cust...\" is not an ISO 4217 currency code");
  EXPECT_EQ(ErrorOf(Rma(R"({"shopLineItemId": 1, "returnedItemId": 1,
                           "returnFee": "1.00"})")),
            "items[0].returnFee: an amount without a currency, and the RMA "
            "states none (items[].paidPrice.currency)");
}

TEST(ReturnGoTest, UnknownEnumStringsNameTheirPathAndValue) {
  EXPECT_EQ(ErrorOf(R"({"rmaSummary": {"rmaId": 1, "status": "Lost"}})"),
            "rmaSummary.status: unknown RMA status \"Lost\" (expected Pending, "
            "Approved, Received, Validated, Done, Rejected or Canceled)");
  EXPECT_EQ(
      ErrorOf(Rma(R"({"shopLineItemId": 1, "returnedItemId": 1},
                           {"shopLineItemId": 1, "returnedItemId": 2,
                            "resolutionType": "Teleport"})")),
      "items[1].resolutionType: unknown resolution \"Teleport\" (expected "
      "RefundToPaymentMethod, StoreCredit, GiftCard, BankTransfer, "
      "Exchange..., KeepItem... or Donate)");
  EXPECT_EQ(ErrorOf(Rma(kUnit,
                        R"(, "transactions": [{"id": 1, "status": "Maybe"}])")),
            "transactions[0].status: unknown transaction status \"Maybe\" "
            "(expected Requested, Pending, Success, Failed or Canceled)");
  EXPECT_THAT(
      ErrorOf(Rma(kUnit, R"(, "transactions": [{"id": 1, "status": "Success",
                                    "type": "Crypto"}])")),
      HasSubstr("transactions[0].type: unknown resolution \"Crypto\""));
}

TEST(ReturnGoTest, UnknownOrDuplicateItemIdsAreErrors) {
  EXPECT_EQ(
      ErrorOf(Rma(kUnit, R"(, "transactions": [{"id": 1, "status": "Success",
                                  "amount": "1", "returnItemIds": [21, "99"]}])")),
      "transactions[0].returnItemIds[1]: \"99\" is not the returnedItemId "
      "of any of items[]");
  EXPECT_EQ(ErrorOf(Rma(R"({"shopLineItemId": 1, "returnedItemId": 7},
                           {"shopLineItemId": 2, "returnedItemId": "7"})")),
            "items[1].returnedItemId: \"7\" is also the returnedItemId of "
            "items[0]");
}

}  // namespace
}  // namespace retcon
