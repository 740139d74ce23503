// Black-box cross-check of the adapters (ReturnGo RMA and Shopify order JSON
// -> retcon.v1) and of the `retcon` command-line tool against their
// specification: include/retcon/adapters.h, docs/integration/adapters.md,
// docs/integration/cli.md, docs/integration/cli-rules.md, README.md and
// ../shared/design/DOMAIN.md. Every expected value below was derived from
// those documents by hand, not from the implementation.
//
// The seven disagreements it found were fixed (in the docs, or in the
// library and tool); the tests that found them say what they were.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "retcon/adapters.h"
#include "retcon/apportion.h"
#include "retcon/v1/order.pb.h"
#include "retcon/v1/plan.pb.h"
#include "retcon/v1/return.pb.h"

namespace retcon {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// ---------------------------------------------------------------------------
// Helpers

absl::StatusOr<v1::ReturnRequest> Rg(const std::string& json,
                                     const ReturnGoOptions& options = {}) {
  return ReturnRequestFromReturnGo(json, options);
}

absl::StatusOr<v1::SalesOrder> Sh(const std::string& json,
                                  const ShopifyOptions& options = {}) {
  return SalesOrderFromShopify(json, options);
}

// "OK", or the message of an InvalidArgument (any other code is a failure).
template <typename T>
std::string ErrorText(const absl::StatusOr<T>& result) {
  if (result.ok()) return "OK";
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument)
      << result.status();
  return std::string(result.status().message());
}
std::string RgError(const std::string& json,
                    const ReturnGoOptions& options = {}) {
  return ErrorText(Rg(json, options));
}
std::string ShError(const std::string& json,
                    const ShopifyOptions& options = {}) {
  return ErrorText(Sh(json, options));
}

template <typename T>
T ParseTextOrDie(const std::string& text) {
  T message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message))
      << text;
  return message;
}

// Compares, with repeated `fees` (whose order the docs do not fix) as a set.
void ExpectSameReturn(const v1::ReturnRequest& actual,
                      const v1::ReturnRequest& expected) {
  MessageDifferencer differ;
  std::string report;
  differ.ReportDifferencesToString(&report);
  differ.TreatAsSet(v1::ReturnRequest::descriptor()->FindFieldByName("fees"));
  EXPECT_TRUE(differ.Compare(expected, actual)) << report << "\nactual:\n"
                                                << actual.DebugString();
}

void ExpectSameOrder(const v1::SalesOrder& actual,
                     const v1::SalesOrder& expected) {
  MessageDifferencer differ;
  std::string report;
  differ.ReportDifferencesToString(&report);
  EXPECT_TRUE(differ.Compare(expected, actual)) << report << "\nactual:\n"
                                                << actual.DebugString();
}

// A minimal RMA around `items` (the inside of the array) plus `extra`
// members.
std::string RmaWith(const std::string& items, const std::string& extra = "") {
  return absl::StrCat(
      R"({"rmaSummary": {"rmaId": "R1", "status": "Done"},
          "orderDetails": {"orderId": 1001},
          "items": [)",
      items, "]", extra, "}");
}
constexpr char kGbpUnit[] =
    R"({"shopLineItemId": 11, "returnedItemId": 21,
        "paidPrice": {"amount": "10.00", "currency": "GBP"}})";

// A minimal Shopify order in `currency` around `line_items` plus `extra`.
std::string OrderWith(const std::string& line_items,
                      const std::string& currency = "GBP",
                      const std::string& extra = "") {
  return absl::StrCat(R"({"id": 77, "currency": ")", currency,
                      R"(", "taxes_included": true, "line_items": [)",
                      line_items, "]", extra, "}");
}

// ---------------------------------------------------------------------------
// ReturnGo: the documented example, field by field.

constexpr char kDocRma[] = R"json(
{"rmaSummary": {"rmaId": 10001, "status": "Done"},
 "orderDetails": {"orderId": 5528190001, "order_name": "#1001"},
 "items": [
   {"shopLineItemId": "13711044001002", "returnedItemId": 9002, "sku": "HH-SOCK-3PK-NVY",
    "paidPrice": {"amount": 9.90, "currency": "GBP"}, "resolutionType": "RefundToPaymentMethod",
    "restockingFee": "1.00", "itemValidationStatusResponse": {"isReturned": 1, "isRestockable": "true"}},
   {"shopLineItemId": "13711044001002", "returnedItemId": 9003, "sku": "HH-SOCK-3PK-NVY",
    "paidPrice": {"amount": 9.90, "currency": "GBP"}, "resolutionType": "RefundToPaymentMethod",
    "restockingFee": "1.00", "itemValidationStatusResponse": {"isReturned": true, "isRestockable": 1}}],
 "transactions": [{"id": "tx-1", "type": "RefundToPaymentMethod", "status": "Success",
   "amount": {"amount": "17.80", "currency": "GBP"}, "returnItemIds": [9002, "9003"]}]}
)json";

// adapters.md, "Examples": the proto3 JSON the example becomes.
constexpr char kDocRmaExpectedJson[] = R"json(
{"source": "returngo", "returnId": "10001", "orderId": "5528190001", "orderNumber": "#1001",
 "status": "RETURN_STATUS_DONE", "currencyCode": "GBP",
 "lines": [{"returnLineId": "9002", "orderLineId": "13711044001002", "platformSku": "HH-SOCK-3PK-NVY",
   "quantity": "1", "resolution": "RESOLUTION_REFUND_TO_PAYMENT_METHOD",
   "inspection": {"returned": true, "restockable": true}, "itemIds": ["9002"]},
  {"returnLineId": "9003", "orderLineId": "13711044001002", "platformSku": "HH-SOCK-3PK-NVY",
   "quantity": "1", "resolution": "RESOLUTION_REFUND_TO_PAYMENT_METHOD",
   "inspection": {"returned": true, "restockable": true}, "itemIds": ["9003"]}],
 "fees": [{"type": "FEE_TYPE_RESTOCKING", "amount": {"currencyCode": "GBP", "minorUnits": "100"},
   "returnLineId": "9002"},
  {"type": "FEE_TYPE_RESTOCKING", "amount": {"currencyCode": "GBP", "minorUnits": "100"},
   "returnLineId": "9003"}],
 "refunds": [{"refundId": "tx-1", "amount": {"currencyCode": "GBP", "minorUnits": "1780"},
   "status": "TRANSACTION_STATUS_SUCCESS", "method": "RESOLUTION_REFUND_TO_PAYMENT_METHOD",
   "returnLineIds": ["9002", "9003"]}]}
)json";

TEST(ReturnGoSpecTest, DocumentedExampleGivesTheDocumentedProtoJson) {
  v1::ReturnRequest expected;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(kDocRmaExpectedJson,
                                                          &expected)
                  .ok());
  absl::StatusOr<v1::ReturnRequest> ret = Rg(kDocRma);
  ASSERT_TRUE(ret.ok()) << ret.status();
  ExpectSameReturn(*ret, expected);
}

TEST(ReturnGoSpecTest, DocumentedExampleGroupedIsOneLineOfTwo) {
  ReturnGoOptions grouped;
  grouped.line_per_unit = false;
  absl::StatusOr<v1::ReturnRequest> ret = Rg(kDocRma, grouped);
  ASSERT_TRUE(ret.ok()) << ret.status();
  ASSERT_EQ(ret->lines_size(), 1);
  EXPECT_EQ(ret->lines(0).return_line_id(), "9002");
  EXPECT_EQ(ret->lines(0).quantity(), 2);
  EXPECT_THAT(ret->lines(0).item_ids(), testing::ElementsAre("9002", "9003"));
  ASSERT_EQ(ret->fees_size(), 1);
  EXPECT_EQ(ret->fees(0).amount().minor_units(), 200);
  EXPECT_EQ(ret->fees(0).return_line_id(), "9002");
  ASSERT_EQ(ret->refunds_size(), 1);
  EXPECT_THAT(ret->refunds(0).return_line_ids(), testing::ElementsAre("9002"));
}

// A real-shaped webhook RMA, wrapped under "rma", with both money pairs,
// GraphQL ids, tolerant booleans, unicode, fees, an exchange, a keep-item
// unit, two transactions and the ignored sections full of odd content.
constexpr char kRealRma[] = R"json(
{"rma": {
 "rmaSummary": {"rmaId": "RMA-77001", "status": "done", "order_name": "#9999",
   "events": [{"eventType": "RMA_CREATED", "eventDate": "not a date"}]},
 "orderDetails": {"orderId": "gid://shopify/Order/5528190001", "order_name": "#1001",
   "customerEmail": "amy@example.co.uk"},
 "createdAt": "2025-03-20T10:00:00.000Z", "lastUpdated": "2025-06-02T15:04:05-04:00",
 "isOutOfPolicy": 0,
 "shipments": [{"status": "Received", "trackingNumber": 123, "weird": [1, {"x": null}]}],
 "exchangeOrders": [{"orderId": "whatever", "total": "abc"}],
 "someFutureField": {"nested": [1, 2, {"deep": true}]},
 "items": [
   {"shopLineItemId": 13711044001001, "shopProductId": 88001, "variantId": 4400100,
    "returnedItemId": 9001, "sku": "HH-OXF-WHT-M", "barcode": "5012345678900",
    "productName": "Oxford shirt", "taxIncluded": "maybe",
    "paidPrice": {"amount": "52.00", "currency": "EUR", "shopAmount": "44.10", "shopCurrency": "GBP"},
    "paidTax": {"amount": "not-a-number", "currency": "EUR"},
    "returnReason": "TOO_BIG", "extendedReason": "Zu groß — Ärmel zu lang 🙁",
    "resolutionType": "ExchangeVariant", "restockingFee": 0,
    "returnFee": {"amount": "2.00", "currency": "EUR", "shopAmount": "1.70", "shopCurrency": "GBP"},
    "shipmentFee": "3.95",
    "exchangeItems": [{"sku": "HH-OXF-WHT-L", "variantId": 4400101, "productName": "Oxford shirt L",
      "quantity": 1,
      "effectivePrice": {"amount": "52.00", "currency": "EUR", "shopAmount": "44.10", "shopCurrency": "GBP"}}],
    "itemValidationStatusResponse": {"isReturned": "1", "isRestockable": "TRUE",
      "storeLocationId": 70011, "lastValidationDate": "2025-03-25", "nonRestockableReason": null}},
   {"shopLineItemId": "gid://shopify/LineItem/13711044001002", "returnedItemId": "9002",
    "sku": "HH-SOCK-3PK-NVY", "paidPrice": {"amount": 11.65, "currency": "EUR", "shopAmount": 9.9, "shopCurrency": "GBP"},
    "returnReason": "FAULTY", "resolutionType": "refund_to_payment_method",
    "itemValidationStatusResponse": {"isReturned": false, "nonReturnedReason": "Parcel lost"}},
   {"shopLineItemId": 13711044001002, "returnedItemId": 9003, "sku": "HH-SOCK-3PK-NVY",
    "paidPrice": {"amount": "11.65", "currency": "EUR", "shopAmount": "9.90", "shopCurrency": "GBP"},
    "resolutionType": "KeepItemWithRefund", "itemValidationStatusResponse": null}],
 "transactions": [
   {"id": 3301, "type": "OriginalPaymentMethod", "status": "Succeeded", "externalReferenceId": "re_123",
    "amount": {"amount": "10.00", "currency": "EUR", "shopAmount": "8.42", "shopCurrency": "GBP"},
    "returnItemIds": ["9003", 9002, 9003], "createdAt": "2025-03-26T12:00:00Z"},
   {"id": "tx-2", "type": "StoreCredit", "status": "pending", "amount": "5", "currency": "GBP"}]
}}
)json";

constexpr char kRealRmaExpected[] = R"pb(
  source: "returngo"
  return_id: "RMA-77001"
  order_id: "5528190001"
  order_number: "#1001"
  status: RETURN_STATUS_DONE
  currency_code: "GBP"
  created_at { seconds: 1742464800 }
  updated_at { seconds: 1748891045 }
  lines {
    return_line_id: "9001"
    order_line_id: "13711044001001"
    platform_sku: "HH-OXF-WHT-M"
    quantity: 1
    reason_code: "TOO_BIG"
    reason_text: "Zu groß — Ärmel zu lang 🙁"
    resolution: RESOLUTION_EXCHANGE
    inspection {
      returned: true
      restockable: true
      return_location: "70011"
      inspected_at { seconds: 1742860800 }
    }
    item_ids: "9001"
  }
  lines {
    return_line_id: "9002"
    order_line_id: "13711044001002"
    platform_sku: "HH-SOCK-3PK-NVY"
    quantity: 1
    reason_code: "FAULTY"
    resolution: RESOLUTION_REFUND_TO_PAYMENT_METHOD
    inspection { returned: false non_returned_reason: "Parcel lost" }
    item_ids: "9002"
  }
  lines {
    return_line_id: "9003"
    order_line_id: "13711044001002"
    platform_sku: "HH-SOCK-3PK-NVY"
    quantity: 1
    resolution: RESOLUTION_KEEP_ITEM
    item_ids: "9003"
  }
  fees {
    type: FEE_TYPE_OTHER
    amount { currency_code: "GBP" minor_units: 170 }
    return_line_id: "9001"
  }
  fees {
    type: FEE_TYPE_RETURN_SHIPPING
    amount { currency_code: "GBP" minor_units: 395 }
    return_line_id: "9001"
  }
  refunds {
    refund_id: "3301"
    amount { currency_code: "GBP" minor_units: 842 }
    status: TRANSACTION_STATUS_SUCCESS
    method: RESOLUTION_REFUND_TO_PAYMENT_METHOD
    external_reference_id: "re_123"
    return_line_ids: "9002"
    return_line_ids: "9003"
    created_at { seconds: 1742990400 }
  }
  refunds {
    refund_id: "tx-2"
    amount { currency_code: "GBP" minor_units: 500 }
    status: TRANSACTION_STATUS_PENDING
    method: RESOLUTION_STORE_CREDIT
  }
  exchange_items {
    return_line_id: "9001"
    sku: "HH-OXF-WHT-L"
    variant_id: "4400101"
    product_name: "Oxford shirt L"
    quantity: 1
    unit_price { currency_code: "GBP" minor_units: 4410 }
  }
)pb";

TEST(ReturnGoSpecTest, RealShapedWebhookRmaMapsEveryDocumentedField) {
  absl::StatusOr<v1::ReturnRequest> ret = Rg(kRealRma);
  ASSERT_TRUE(ret.ok()) << ret.status();
  ExpectSameReturn(*ret, ParseTextOrDie<v1::ReturnRequest>(kRealRmaExpected));
  EXPECT_FALSE(ret->lines(1).inspection().has_restockable());
  EXPECT_FALSE(ret->lines(2).has_inspection());
}

TEST(ReturnGoSpecTest, CustomerMoneyWithShopMoneyOff) {
  ReturnGoOptions customer;
  customer.shop_money = false;
  absl::StatusOr<v1::ReturnRequest> ret = Rg(kRealRma, customer);
  ASSERT_TRUE(ret.ok()) << ret.status();
  // The first paidPrice's customer currency.
  EXPECT_EQ(ret->currency_code(), "EUR");
  ASSERT_EQ(ret->refunds_size(), 2);
  EXPECT_EQ(ret->refunds(0).amount().currency_code(), "EUR");
  EXPECT_EQ(ret->refunds(0).amount().minor_units(), 1000);
  ASSERT_EQ(ret->exchange_items_size(), 1);
  EXPECT_EQ(ret->exchange_items(0).unit_price().currency_code(), "EUR");
  EXPECT_EQ(ret->exchange_items(0).unit_price().minor_units(), 5200);
  for (const v1::Fee& fee : ret->fees()) {
    EXPECT_EQ(fee.amount().currency_code(), "EUR") << fee.DebugString();
    // returnFee 2.00 EUR; the bare shipmentFee 3.95 is in the RMA's currency.
    EXPECT_EQ(fee.amount().minor_units(),
              fee.type() == v1::FEE_TYPE_OTHER ? 200 : 395);
  }
}

TEST(ReturnGoSpecTest, EitherPairIsUsedWhenTheOtherIsAbsent) {
  // Only the customer pair, with shop_money (the default).
  absl::StatusOr<v1::ReturnRequest> ret =
      Rg(RmaWith(kGbpUnit, R"(, "transactions": [{"id": 1, "status": "Success",
        "amount": {"amount": "3.00", "currency": "GBP"}}])"));
  ASSERT_TRUE(ret.ok()) << ret.status();
  EXPECT_EQ(ret->refunds(0).amount().minor_units(), 300);
  // Only the shop pair, with shop_money off.
  ReturnGoOptions customer;
  customer.shop_money = false;
  ret = Rg(RmaWith(R"({"shopLineItemId": 11, "returnedItemId": 21,
                       "paidPrice": {"shopAmount": "10.00", "shopCurrency": "SEK"}})",
                   R"(, "transactions": [{"id": 1, "status": "Success",
        "amount": {"shopAmount": "30", "shopCurrency": "SEK"}}])"),
           customer);
  ASSERT_TRUE(ret.ok()) << ret.status();
  EXPECT_EQ(ret->currency_code(), "SEK");
  EXPECT_EQ(ret->refunds(0).amount().minor_units(), 3000);
}

TEST(ReturnGoSpecTest, GroupedKeepsUnitsApartThatDiffer) {
  // Three units of one line: two alike, one judged not restockable, and one
  // transaction covering only the first. adapters.h: units that differ in
  // inspection outcome or covering transactions are kept apart.
  ReturnGoOptions grouped;
  grouped.line_per_unit = false;
  std::string rma = RmaWith(
      R"({"shopLineItemId": 11, "returnedItemId": 21, "paidPrice": {"amount": "10", "currency": "GBP"},
          "restockingFee": 1.5, "itemValidationStatusResponse": {"isReturned": 1, "isRestockable": 1}},
         {"shopLineItemId": 11, "returnedItemId": 22, "restockingFee": "1.50",
          "itemValidationStatusResponse": {"isReturned": 1, "isRestockable": 1}},
         {"shopLineItemId": 11, "returnedItemId": 23, "restockingFee": "1.5",
          "itemValidationStatusResponse": {"isReturned": 1, "isRestockable": 0}},
         {"shopLineItemId": 11, "returnedItemId": 24,
          "itemValidationStatusResponse": {"isReturned": 1, "isRestockable": 1}})",
      R"(, "transactions": [{"id": "t", "status": "Success", "amount": "10.00",
          "returnItemIds": [24]}])");
  absl::StatusOr<v1::ReturnRequest> ret = Rg(rma, grouped);
  ASSERT_TRUE(ret.ok()) << ret.status();
  ASSERT_EQ(ret->lines_size(), 3) << ret->DebugString();
  EXPECT_EQ(ret->lines(0).return_line_id(), "21");
  EXPECT_EQ(ret->lines(0).quantity(), 2);
  EXPECT_EQ(ret->lines(1).return_line_id(), "23");
  EXPECT_EQ(ret->lines(2).return_line_id(), "24");
  EXPECT_THAT(ret->refunds(0).return_line_ids(), testing::ElementsAre("24"));
  // Fees per unit, summed per line: 3.00 on line 21, 1.50 on 23, none on 24.
  int64_t fee21 = 0, fee23 = 0, fee24 = 0;
  for (const v1::Fee& fee : ret->fees()) {
    EXPECT_EQ(fee.type(), v1::FEE_TYPE_RESTOCKING);
    if (fee.return_line_id() == "21") fee21 += fee.amount().minor_units();
    if (fee.return_line_id() == "23") fee23 += fee.amount().minor_units();
    if (fee.return_line_id() == "24") fee24 += fee.amount().minor_units();
  }
  EXPECT_EQ(fee21, 300);
  EXPECT_EQ(fee23, 150);
  EXPECT_EQ(fee24, 0);
  EXPECT_EQ(ret->fees_size(), 2);
}

TEST(ReturnGoSpecTest, AnItemsOwnQuantityCounts) {
  absl::StatusOr<v1::ReturnRequest> ret =
      Rg(RmaWith(R"({"shopLineItemId": 11, "returnedItemId": 21, "quantity": 3,
                  "paidPrice": {"amount": "10.00", "currency": "GBP"}})"));
  ASSERT_TRUE(ret.ok()) << ret.status();
  EXPECT_EQ(ret->lines(0).quantity(), 3);
}

TEST(ReturnGoSpecTest, TopLevelIdsAndSummaryOrderName) {
  absl::StatusOr<v1::ReturnRequest> ret =
      Rg(R"({"rmaId": 5, "status": "Cancelled",
              "rmaSummary": {"order_name": "#2002"},
              "items": [)" +
         std::string(kGbpUnit) + "]}");
  ASSERT_TRUE(ret.ok()) << ret.status();
  EXPECT_EQ(ret->return_id(), "5");
  EXPECT_EQ(ret->status(), v1::RETURN_STATUS_CANCELED);
  EXPECT_EQ(ret->order_number(), "#2002");
  EXPECT_EQ(ret->order_id(), "");
}

TEST(ReturnGoSpecTest, EveryStatusAndResolutionSpelling) {
  const std::vector<std::pair<std::string, v1::ReturnStatus>> statuses = {
      {"Pending", v1::RETURN_STATUS_PENDING},
      {"APPROVED", v1::RETURN_STATUS_APPROVED},
      {"received", v1::RETURN_STATUS_RECEIVED},
      {"Validated", v1::RETURN_STATUS_VALIDATED},
      {"Done", v1::RETURN_STATUS_DONE},
      {"Rejected", v1::RETURN_STATUS_REJECTED},
      {"Canceled", v1::RETURN_STATUS_CANCELED},
      {"CANCELLED", v1::RETURN_STATUS_CANCELED}};
  for (const auto& [text, status] : statuses) {
    absl::StatusOr<v1::ReturnRequest> ret = Rg(
        R"({"rmaSummary": {"rmaId": 1, "status": ")" + text +
        R"("}, "orderDetails": {"orderId": 2}, "items": [)" + kGbpUnit + "]}");
    ASSERT_TRUE(ret.ok()) << text << ": " << ret.status();
    EXPECT_EQ(ret->status(), status) << text;
  }
  const std::vector<std::pair<std::string, v1::Resolution>> resolutions = {
      {"RefundToPaymentMethod", v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD},
      {"Refund", v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD},
      {"original_payment_method", v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD},
      {"StoreCredit", v1::RESOLUTION_STORE_CREDIT},
      {"RefundToStoreCredit", v1::RESOLUTION_STORE_CREDIT},
      {"GIFT_CARD", v1::RESOLUTION_GIFT_CARD},
      {"RefundToGiftCard", v1::RESOLUTION_GIFT_CARD},
      {"BankTransfer", v1::RESOLUTION_BANK_TRANSFER},
      {"RefundToBankTransfer", v1::RESOLUTION_BANK_TRANSFER},
      {"Exchange", v1::RESOLUTION_EXCHANGE},
      {"ExchangeProduct", v1::RESOLUTION_EXCHANGE},
      {"ExchangeForStoreItem", v1::RESOLUTION_EXCHANGE},
      {"KeepItem", v1::RESOLUTION_KEEP_ITEM},
      {"keep_item_and_refund", v1::RESOLUTION_KEEP_ITEM},
      {"Donate", v1::RESOLUTION_DONATE},
      {"Donation", v1::RESOLUTION_DONATE}};
  for (const auto& [text, resolution] : resolutions) {
    absl::StatusOr<v1::ReturnRequest> ret = Rg(RmaWith(
        R"({"shopLineItemId": 11, "returnedItemId": 21, "resolutionType": ")" +
            text + R"(", "paidPrice": {"amount": "1", "currency": "GBP"}})",
        R"(, "transactions": [{"id": 1, "status": "Requested", "type": ")" +
            text + R"(", "amount": "1"}])"));
    ASSERT_TRUE(ret.ok()) << text << ": " << ret.status();
    EXPECT_EQ(ret->lines(0).resolution(), resolution) << text;
    EXPECT_EQ(ret->refunds(0).method(), resolution) << text;
  }
  const std::vector<std::pair<std::string, v1::TransactionStatus>> tx = {
      {"Requested", v1::TRANSACTION_STATUS_REQUESTED},
      {"Pending", v1::TRANSACTION_STATUS_PENDING},
      {"SUCCESS", v1::TRANSACTION_STATUS_SUCCESS},
      {"Succeeded", v1::TRANSACTION_STATUS_SUCCESS},
      {"failed", v1::TRANSACTION_STATUS_FAILED},
      {"Canceled", v1::TRANSACTION_STATUS_CANCELED},
      {"Cancelled", v1::TRANSACTION_STATUS_CANCELED}};
  for (const auto& [text, status] : tx) {
    absl::StatusOr<v1::ReturnRequest> ret =
        Rg(RmaWith(kGbpUnit, R"(, "transactions": [{"id": 1, "status": ")" +
                                 text + R"(", "amount": "1"}])"));
    ASSERT_TRUE(ret.ok()) << text << ": " << ret.status();
    EXPECT_EQ(ret->refunds(0).status(), status) << text;
  }
}

TEST(ReturnGoSpecTest, BooleansInEveryAcceptedSpelling) {
  const std::vector<std::pair<std::string, bool>> spellings = {
      {"true", true},  {"false", false},   {"1", true},
      {"0", false},    {"\"true\"", true}, {"\"FALSE\"", false},
      {"\"1\"", true}, {"\"0\"", false},   {"\"True\"", true}};
  for (const auto& [text, value] : spellings) {
    absl::StatusOr<v1::ReturnRequest> ret = Rg(RmaWith(
        R"({"shopLineItemId": 11, "returnedItemId": 21,
            "paidPrice": {"amount": "1", "currency": "GBP"},
            "itemValidationStatusResponse": {"isReturned": )" +
            text + R"(, "isRestockable": )" + text + "}}",
        R"(, "isOutOfPolicy": )" + text));
    ASSERT_TRUE(ret.ok()) << text << ": " << ret.status();
    EXPECT_EQ(ret->lines(0).inspection().returned(), value) << text;
    EXPECT_EQ(ret->lines(0).inspection().restockable(), value) << text;
    EXPECT_EQ(ret->out_of_policy(), value) << text;
  }
  // Anything else is not a boolean.
  EXPECT_THAT(RgError(RmaWith(
                  R"({"shopLineItemId": 11, "returnedItemId": 21,
                      "paidPrice": {"amount": "1", "currency": "GBP"},
                      "itemValidationStatusResponse": {"isReturned": "yes"}})")),
              StartsWith("items[0].itemValidationStatusResponse.isReturned: "));
  EXPECT_THAT(
      RgError(RmaWith(
          R"({"shopLineItemId": 11, "returnedItemId": 21,
                      "paidPrice": {"amount": "1", "currency": "GBP"},
                      "itemValidationStatusResponse": {"isRestockable": 2}})")),
      StartsWith("items[0].itemValidationStatusResponse.isRestockable: "));
}

TEST(ReturnGoSpecTest, LargeIdsKeepTheirDigits) {
  // 2^53 + 1 and a 19-digit id: a double would round them.
  absl::StatusOr<v1::ReturnRequest> ret = Rg(
      R"({"rmaSummary": {"rmaId": 9007199254740993, "status": "Done"},
          "orderDetails": {"orderId": 9223372036854775807},
          "items": [{"shopLineItemId": 18446744073709551615, "returnedItemId": 9007199254740995,
                     "paidPrice": {"amount": "1", "currency": "GBP"}}]})");
  ASSERT_TRUE(ret.ok()) << ret.status();
  EXPECT_EQ(ret->return_id(), "9007199254740993");
  EXPECT_EQ(ret->order_id(), "9223372036854775807");
  EXPECT_EQ(ret->lines(0).order_line_id(), "18446744073709551615");
  EXPECT_EQ(ret->lines(0).return_line_id(), "9007199254740995");
}

TEST(ReturnGoSpecTest, AmountsAsStringsNumbersAndExponents) {
  struct Case {
    std::string fee;  // The JSON value of restockingFee.
    std::string currency;
    int64_t minor;
  };
  const std::vector<Case> cases = {
      {"\"9.90\"", "GBP", 990},
      {"9.9", "GBP", 990},
      {"12", "GBP", 1200},
      {"1e3", "GBP", 100000},
      {"1.5e2", "GBP", 15000},
      {"1.5E+2", "GBP", 15000},
      {"2500e-2", "GBP", 2500},
      {"\"1000.00\"", "JPY", 1000},
      {"1000", "JPY", 1000},
      {"\"12.345\"", "KWD", 12345},
      {"12.3", "KWD", 12300},
      {"\"0.10\"", "GBP", 10},
      {"\"92233720368547758.07\"", "GBP", 9223372036854775807LL}};
  for (const Case& c : cases) {
    absl::StatusOr<v1::ReturnRequest> ret =
        Rg(RmaWith(R"({"shopLineItemId": 11, "returnedItemId": 21,
                       "paidPrice": {"amount": "1", "currency": ")" +
                   c.currency + R"("}, "restockingFee": )" + c.fee + "}"));
    ASSERT_TRUE(ret.ok()) << c.fee << " " << c.currency << ": " << ret.status();
    ASSERT_EQ(ret->fees_size(), 1) << c.fee;
    EXPECT_EQ(ret->fees(0).amount().currency_code(), c.currency);
    EXPECT_EQ(ret->fees(0).amount().minor_units(), c.minor) << c.fee;
  }
}

TEST(ReturnGoSpecTest, AmountsThatWouldBeGuessesAreErrors) {
  auto fee_error = [](const std::string& fee, const std::string& currency) {
    return RgError(RmaWith(R"({"shopLineItemId": 11, "returnedItemId": 21,
                       "paidPrice": {"amount": "1", "currency": ")" +
                           currency + R"("}, "restockingFee": )" + fee + "}"));
  };
  EXPECT_EQ(fee_error("\"1.005\"", "GBP"),
            "items[0].restockingFee: '1.005' has more decimal places than the "
            "currency's 2 (GBP)");
  EXPECT_EQ(fee_error("12.345", "GBP"),
            "items[0].restockingFee: '12.345' has more decimal places than the "
            "currency's 2 (GBP)");
  EXPECT_EQ(fee_error("\"1.5\"", "JPY"),
            "items[0].restockingFee: '1.5' has more decimal places than the "
            "currency's 0 (JPY)");
  EXPECT_EQ(fee_error("\"1.2345\"", "KWD"),
            "items[0].restockingFee: '1.2345' has more decimal places than the "
            "currency's 3 (KWD)");
  EXPECT_EQ(fee_error("\"12.3.4\"", "GBP"),
            "items[0].restockingFee: '12.3.4' is not a decimal amount "
            "(expected digits, e.g. 12.34) (GBP)");
  // Negative, overflowing, non-numeric and non-scalar amounts.
  EXPECT_THAT(fee_error("\"-1.00\"", "GBP"),
              StartsWith("items[0].restockingFee: "));
  EXPECT_THAT(fee_error("-1", "GBP"), StartsWith("items[0].restockingFee: "));
  EXPECT_THAT(fee_error("\"92233720368547758.08\"", "GBP"),
              StartsWith("items[0].restockingFee: "));
  EXPECT_THAT(fee_error("1e400", "GBP"),
              StartsWith("items[0].restockingFee: "));
  EXPECT_THAT(fee_error("\"abc\"", "GBP"),
              StartsWith("items[0].restockingFee: "));
  EXPECT_THAT(fee_error("true", "GBP"), StartsWith("items[0].restockingFee: "));
  EXPECT_THAT(fee_error("[1]", "GBP"), StartsWith("items[0].restockingFee: "));
}

TEST(ReturnGoSpecTest, ExactErrorTextsQuotedInTheDocs) {
  // adapters.md, "Errors", each row with a payload that provokes it.
  EXPECT_EQ(RgError(RmaWith(R"({"returnedItemId": 21,
                   "paidPrice": {"amount": "1", "currency": "GBP"}})")),
            "items[0].shopLineItemId: required field is missing");
  EXPECT_EQ(RgError(R"({"rmaSummary": [], "items": [)" + std::string(kGbpUnit) +
                    "]}"),
            "rmaSummary: expected an object, got array");
  EXPECT_EQ(
      RgError(
          RmaWith(kGbpUnit, R"(, "transactions": [{"id": 1, "status": "Success",
          "amount": {"amount": "1.005", "currency": "GBP"}}])")),
      "transactions[0].amount.amount: '1.005' has more decimal places than "
      "the currency's 2 (GBP)");
  EXPECT_EQ(
      RgError(
          RmaWith(kGbpUnit, R"(, "transactions": [{"id": 1, "status": "Success",
          "amount": {"amount": "1.00", "currency": "XXQ"}}])")),
      R"(transactions[0].amount.currency: "XXQ" is not an ISO 4217 currency code)");
  EXPECT_EQ(
      RgError(
          RmaWith(absl::StrCat(kGbpUnit,
                               R"(, {"shopLineItemId": 11, "returnedItemId": 22,
                          "resolutionType": "Teleport"})"))),
      R"(items[1].resolutionType: unknown resolution "Teleport" (expected RefundToPaymentMethod, StoreCredit, GiftCard, BankTransfer, Exchange..., KeepItem... or Donate))");
  EXPECT_EQ(
      RgError(RmaWith(
          absl::StrCat(kGbpUnit,
                       R"(, {"shopLineItemId": 11, "returnedItemId": 22})"),
          R"(, "transactions": [{"id": 1, "status": "Success",
          "amount": "1.00", "returnItemIds": [21, "99"]}])")),
      R"(transactions[0].returnItemIds[1]: "99" is not the returnedItemId of any of items[])");
  EXPECT_EQ(
      RgError(RmaWith(R"({"shopLineItemId": 11, "returnedItemId": "7",
                          "paidPrice": {"amount": "1", "currency": "GBP"}},
                         {"shopLineItemId": 12, "returnedItemId": 7})")),
      R"(items[1].returnedItemId: "7" is also the returnedItemId of items[0])");
}

TEST(ReturnGoSpecTest, PathsInsideTheWrapperIncludeIt) {
  EXPECT_EQ(RgError(R"({"rma": {"rmaSummary": {"status": "Done"},
                     "orderDetails": {"orderId": 1}, "items": [)" +
                    std::string(kGbpUnit) + "]}}"),
            "rma.rmaSummary.rmaId: required field is missing");
  EXPECT_EQ(RgError(R"({"rma": {"rmaSummary": {"rmaId": 1, "status": "Done"},
                     "orderDetails": {"orderId": 1},
                     "items": [{"returnedItemId": 2}]}})"),
            "rma.items[0].shopLineItemId: required field is missing");
}

TEST(ReturnGoSpecTest, EveryRequiredFieldIsNamed) {
  EXPECT_EQ(RgError(R"({"rmaSummary": {"rmaId": 1},
                     "orderDetails": {"orderId": 1}, "items": [)" +
                    std::string(kGbpUnit) + "]}"),
            "rmaSummary.status: required field is missing");
  // Neither orderDetails.orderId nor an order name.
  EXPECT_THAT(RgError(R"({"rmaSummary": {"rmaId": 1, "status": "Done"},
                        "items": [)" +
                      std::string(kGbpUnit) + "]}"),
              HasSubstr("orderId"));
  // items missing, and empty.
  EXPECT_EQ(RgError(R"({"rmaSummary": {"rmaId": 1, "status": "Done"},
                  "orderDetails": {"orderId": 1}})"),
            "items: required field is missing");
  EXPECT_THAT(RgError(R"({"rmaSummary": {"rmaId": 1, "status": "Done"},
                        "orderDetails": {"orderId": 1}, "items": []})"),
              StartsWith("items: "));
  EXPECT_EQ(RgError(RmaWith(R"({"shopLineItemId": 11,
                   "paidPrice": {"amount": "1", "currency": "GBP"}})")),
            "items[0].returnedItemId: required field is missing");
  EXPECT_EQ(
      RgError(RmaWith(kGbpUnit, R"(, "transactions": [{"status": "Success",
                     "amount": "1.00"}])")),
      "transactions[0].id: required field is missing");
  EXPECT_EQ(RgError(RmaWith(kGbpUnit, R"(, "transactions": [{"id": 1,
                     "amount": "1.00"}])")),
            "transactions[0].status: required field is missing");
  EXPECT_EQ(RgError(RmaWith(kGbpUnit, R"(, "transactions": [{"id": 1,
                     "status": "Success"}])")),
            "transactions[0].amount: required field is missing");
  // An exchange item needs a sku or a variantId.
  EXPECT_THAT(RgError(RmaWith(R"({"shopLineItemId": 11, "returnedItemId": 21,
          "paidPrice": {"amount": "1", "currency": "GBP"},
          "exchangeItems": [{"productName": "x", "quantity": 1}]})")),
              StartsWith("items[0].exchangeItems[0]"));
  // A null required field is absent.
  EXPECT_EQ(RgError(RmaWith(R"({"shopLineItemId": null, "returnedItemId": 21,
                   "paidPrice": {"amount": "1", "currency": "GBP"}})")),
            "items[0].shopLineItemId: required field is missing");
}

TEST(ReturnGoSpecTest, BareAmountsWithoutAnyCurrencyAreAnError) {
  // No paidPrice and a bare transaction amount: the RMA states no currency.
  std::string error = RgError(RmaWith(
      R"({"shopLineItemId": 11, "returnedItemId": 21, "restockingFee": "1.00"})"));
  EXPECT_THAT(error, StartsWith("items[0].restockingFee: ")) << error;
  // With no amounts at all there is nothing to be in a currency: empty.
  absl::StatusOr<v1::ReturnRequest> ret =
      Rg(RmaWith(R"({"shopLineItemId": 11, "returnedItemId": 21})"));
  ASSERT_TRUE(ret.ok()) << ret.status();
  EXPECT_EQ(ret->currency_code(), "");
  // The first transaction's currency when no paidPrice states one.
  ret = Rg(RmaWith(R"({"shopLineItemId": 11, "returnedItemId": 21,
                       "shipmentFee": 4})",
                   R"(, "transactions": [{"id": 1, "status": "Success",
                       "amount": {"amount": "500", "currency": "JPY"}}])"));
  ASSERT_TRUE(ret.ok()) << ret.status();
  EXPECT_EQ(ret->currency_code(), "JPY");
  ASSERT_EQ(ret->fees_size(), 1);
  EXPECT_EQ(ret->fees(0).amount().currency_code(), "JPY");
  EXPECT_EQ(ret->fees(0).amount().minor_units(), 4);
}

TEST(ReturnGoSpecTest, ExchangeItemsMergeAndDefaultQuantity) {
  ReturnGoOptions grouped;
  grouped.line_per_unit = false;
  std::string exchange =
      R"("resolutionType": "Exchange", "exchangeItems": [{"sku": "NEW-L", "price": "20.00"}])";
  absl::StatusOr<v1::ReturnRequest> ret =
      Rg(RmaWith(absl::StrCat(R"({"shopLineItemId": 11, "returnedItemId": 21,
             "paidPrice": {"amount": "20", "currency": "GBP"}, )",
                              exchange, R"(}, {"shopLineItemId": 11,
             "returnedItemId": 22, )",
                              exchange, "}")),
         grouped);
  ASSERT_TRUE(ret.ok()) << ret.status();
  ASSERT_EQ(ret->lines_size(), 1);
  ASSERT_EQ(ret->exchange_items_size(), 1) << ret->DebugString();
  EXPECT_EQ(ret->exchange_items(0).return_line_id(), "21");
  EXPECT_EQ(ret->exchange_items(0).quantity(), 2);
  EXPECT_EQ(ret->exchange_items(0).unit_price().minor_units(), 2000);
  // Unit lines: one exchange item each, quantity 1 by default, name from
  // `title`, variant id kept as digits.
  ret = Rg(RmaWith(R"({"shopLineItemId": 11, "returnedItemId": 21,
             "paidPrice": {"amount": "20", "currency": "GBP"},
             "exchangeItems": [{"variantId": "gid://shopify/ProductVariant/4400101",
                                "title": "Shirt L"}]})"));
  ASSERT_TRUE(ret.ok()) << ret.status();
  ASSERT_EQ(ret->exchange_items_size(), 1);
  EXPECT_EQ(ret->exchange_items(0).variant_id(), "4400101");
  EXPECT_EQ(ret->exchange_items(0).product_name(), "Shirt L");
  EXPECT_EQ(ret->exchange_items(0).quantity(), 1);
}

TEST(ReturnGoSpecTest, TimesWithOffsetsFractionsAndDatesAlone) {
  const std::vector<std::pair<std::string, int64_t>> times = {
      {"2025-03-20T10:00:00.000Z", 1742464800},
      {"2025-06-02T15:04:05-04:00", 1748891045},
      {"2025-06-02T19:04:05", 1748891045},  // no zone: UTC
      {"2025-03-25", 1742860800}};          // a date alone: midnight UTC
  for (const auto& [text, seconds] : times) {
    absl::StatusOr<v1::ReturnRequest> ret =
        Rg(RmaWith(kGbpUnit, R"(, "createdAt": ")" + text + "\""));
    ASSERT_TRUE(ret.ok()) << text << ": " << ret.status();
    EXPECT_EQ(ret->created_at().seconds(), seconds) << text;
  }
  EXPECT_THAT(RgError(RmaWith(kGbpUnit, R"(, "createdAt": "yesterday")")),
              StartsWith("createdAt: "));
}

TEST(ReturnGoSpecTest, IgnoredFieldsAreNotReadAtAll) {
  // adapters.h: the values of the fields adapters.md lists as ignored
  // (paidPrice amounts, paidTax, taxIncluded, barcode, shopProductId,
  // variantId, productName, shipments, exchangeOrders, events) are not read.
  absl::StatusOr<v1::ReturnRequest> ret = Rg(
      R"({"rmaSummary": {"rmaId": 1, "status": "Done", "events": "garbage"},
          "orderDetails": {"orderId": 1}, "shipments": 42, "exchangeOrders": "x",
          "items": [{"shopLineItemId": 11, "returnedItemId": 21,
                     "paidPrice": {"amount": "not money", "currency": "GBP"},
                     "paidTax": [1, 2], "taxIncluded": "perhaps", "barcode": {"a": 1},
                     "shopProductId": [], "variantId": {"x": 1}, "productName": 12}]})");
  ASSERT_TRUE(ret.ok()) << ret.status();
  EXPECT_EQ(ret->currency_code(), "GBP");
}

TEST(ReturnGoSpecTest, StrictJsonOnly) {
  std::string good = RmaWith(kGbpUnit);
  // A BOM is skipped.
  EXPECT_EQ(RgError("\xEF\xBB\xBF" + good), "OK");
  EXPECT_EQ(RgError(" \n\t" + good + "\n  "), "OK");
  // Everything else that is not strictly valid JSON is an error.
  for (const std::string& bad :
       {good + " x",
        good + "}",
        good + good,
        std::string("{") + "} {}",
        RmaWith(kGbpUnit, R"(, "note": 'single')"),
        RmaWith(kGbpUnit, R"(, "n": NaN)"),
        RmaWith(kGbpUnit, R"(, "n": Infinity)"),
        RmaWith(kGbpUnit, R"(, "n": 01)"),
        RmaWith(kGbpUnit, R"(, "n": .5)"),
        RmaWith(kGbpUnit, R"(, "n": [1, 2,])"),
        RmaWith(kGbpUnit, ", /* comment */ \"n\": 1"),
        RmaWith(kGbpUnit, ", \"n\": \"tab\tin string\""),
        RmaWith(kGbpUnit, ", \"n\": \"\\x41\""),
        RmaWith(kGbpUnit, ", \"n\": \"bad \xC3\x28 utf8\""),
        RmaWith(kGbpUnit, ", \"n\": \"\\uD800 lone surrogate\""),
        std::string(""),
        std::string("   "),
        std::string("null"),
        std::string("[]"),
        std::string("\"rma\"")}) {
    EXPECT_NE(RgError(bad), "OK") << bad;
  }
}

TEST(ReturnGoSpecTest, SyntaxErrorsGiveTheOffsetAndWhatWasExpected) {
  // The first byte that breaks the JSON is at offset 12 (the quote of "x").
  std::string error = RgError(R"({"rmaId": 1 "x": 2})");
  EXPECT_THAT(error, HasSubstr("not valid JSON at offset 12: expected ',' or "
                               "'}'"));
  // Where the reader was: "$" or the member being read (here rmaId).
  EXPECT_THAT(error, testing::AnyOf(StartsWith("$: "), StartsWith("rmaId: ")));
  // Invalid UTF-8 inside items[1].sku names that path.
  error = RgError(
      RmaWith(absl::StrCat(kGbpUnit,
                           ", {\"shopLineItemId\": 11, \"returnedItemId\": 22, "
                           "\"sku\": \"A\xFF\"}")));
  EXPECT_THAT(error, StartsWith("items[1].sku: not valid JSON at offset "));
  EXPECT_THAT(error, HasSubstr("invalid UTF-8 in string"));
}

TEST(ReturnGoSpecTest, DuplicatedKeysAreErrors) {
  EXPECT_NE(
      RgError(R"({"rmaSummary": {"rmaId": 1, "rmaId": 2, "status": "Done"},
                     "orderDetails": {"orderId": 1}, "items": [)" +
              std::string(kGbpUnit) + "]}"),
      "OK");
  // Also in an unknown field: a key twice in one object is invalid anywhere.
  EXPECT_NE(RgError(RmaWith(kGbpUnit, R"(, "future": {"a": 1, "a": 1})")),
            "OK");
  // And in an ignored field.
  EXPECT_NE(RgError(RmaWith(R"({"shopLineItemId": 11, "returnedItemId": 21,
      "paidPrice": {"amount": "1", "amount": "2", "currency": "GBP"}})")),
            "OK");
}

TEST(ReturnGoSpecTest, NestingDeeperThan64LevelsIsRejected) {
  auto nested = [](int depth) {
    return std::string(depth, '[') + std::string(depth, ']');
  };
  // 10 levels inside an unknown field: fine (ignored).
  EXPECT_EQ(RgError(RmaWith(kGbpUnit, ", \"future\": " + nested(10))), "OK");
  // Far beyond 64: rejected, not a stack overflow.
  EXPECT_NE(RgError(RmaWith(kGbpUnit, ", \"future\": " + nested(100))), "OK");
  EXPECT_NE(RgError(RmaWith(kGbpUnit, ", \"future\": " + nested(100000))),
            "OK");
  EXPECT_NE(RgError(std::string(200000, '[')), "OK");
}

TEST(ReturnGoSpecTest, HugeRmaIsReadWhole) {
  // 2,000 units of 40 lines, one transaction covering all.
  std::string items;
  std::string ids;
  for (int i = 0; i < 2000; ++i) {
    if (i > 0) {
      items += ",";
      ids += ",";
    }
    items +=
        absl::StrCat(R"({"shopLineItemId": )", 100 + i % 40,
                     R"(, "returnedItemId": )", 50000 + i,
                     R"(, "paidPrice": {"amount": "1.99", "currency": "GBP"},
                             "restockingFee": "0.01"})");
    ids += absl::StrCat(50000 + i);
  }
  absl::StatusOr<v1::ReturnRequest> ret =
      Rg(RmaWith(items, R"(, "transactions": [{"id": 1, "status": "Success",
           "amount": "3980.00", "returnItemIds": [)" +
                            ids + "]}]"));
  ASSERT_TRUE(ret.ok()) << ret.status();
  EXPECT_EQ(ret->lines_size(), 2000);
  EXPECT_EQ(ret->fees_size(), 2000);
  EXPECT_EQ(ret->refunds(0).return_line_ids_size(), 2000);
  ReturnGoOptions grouped;
  grouped.line_per_unit = false;
  ret = Rg(RmaWith(items, R"(, "transactions": [{"id": 1, "status": "Success",
           "amount": "3980.00", "returnItemIds": [)" +
                              ids + "]}]"),
           grouped);
  ASSERT_TRUE(ret.ok()) << ret.status();
  ASSERT_EQ(ret->lines_size(), 40);
  EXPECT_EQ(ret->lines(0).quantity(), 50);
  int64_t fees = 0;
  for (const v1::Fee& fee : ret->fees()) fees += fee.amount().minor_units();
  EXPECT_EQ(fees, 2000);
}

TEST(ReturnGoSpecTest, SourceOptionAndRetconShapeDetected) {
  ReturnGoOptions options;
  options.source = "returngo-eu";
  absl::StatusOr<v1::ReturnRequest> ret = Rg(RmaWith(kGbpUnit), options);
  ASSERT_TRUE(ret.ok()) << ret.status();
  EXPECT_EQ(ret->source(), "returngo-eu");
}

TEST(ReturnGoSpecTest, WebhookBodyWithTheRmaBesideOtherMembers) {
  // A webhook body: the event name beside the RMA under "rma".
  const std::string body =
      R"({"event": "RMA_STATUS_UPDATED", "shop": "harrow-hale.myshopify.com",
          "rma": )" +
      RmaWith(kGbpUnit) + "}";
  EXPECT_EQ(DetectPayloadKind(body), PayloadKind::kReturnGoRma);
  absl::StatusOr<v1::ReturnRequest> ret = Rg(body);
  ASSERT_TRUE(ret.ok()) << ret.status();
  EXPECT_EQ(ret->return_id(), "R1");
}

TEST(ReturnGoSpecTest, MoneyObjectWithoutCurrencyIsInTheRmasCurrency) {
  absl::StatusOr<v1::ReturnRequest> ret = Rg(RmaWith(
      R"({"shopLineItemId": 11, "returnedItemId": 21,
          "paidPrice": {"amount": "1000", "currency": "JPY"},
          "restockingFee": {"amount": "300"}})",
      R"(, "transactions": [{"id": 1, "status": "Success", "amount": {"amount": 700},
          "returnItemIds": []}])"));
  ASSERT_TRUE(ret.ok()) << ret.status();
  EXPECT_EQ(ret->currency_code(), "JPY");
  ASSERT_EQ(ret->fees_size(), 1);
  EXPECT_EQ(ret->fees(0).amount().currency_code(), "JPY");
  EXPECT_EQ(ret->fees(0).amount().minor_units(), 300);
  EXPECT_EQ(ret->refunds(0).amount().currency_code(), "JPY");
  EXPECT_EQ(ret->refunds(0).amount().minor_units(), 700);
  // Empty returnItemIds: the whole return.
  EXPECT_EQ(ret->refunds(0).return_line_ids_size(), 0);
}

TEST(ReturnGoSpecTest, UnknownStatusesAreErrorsAtTheirPath) {
  EXPECT_THAT(RgError(R"({"rmaSummary": {"rmaId": 1, "status": "Teleported"},
                        "orderDetails": {"orderId": 1}, "items": [)" +
                      std::string(kGbpUnit) + "]}"),
              StartsWith("rmaSummary.status: "));
  EXPECT_THAT(RgError(RmaWith(kGbpUnit,
                              R"(, "transactions": [{"id": 1, "status": "Maybe",
                  "amount": "1"}])")),
              StartsWith("transactions[0].status: "));
  EXPECT_THAT(RgError(RmaWith(
                  kGbpUnit, R"(, "transactions": [{"id": 1, "status": "Success",
                  "type": "Teleport", "amount": "1"}])")),
              StartsWith("transactions[0].type: "));
  EXPECT_THAT(RgError(RmaWith(kGbpUnit, R"(, "createdAt": 12)")),
              StartsWith("createdAt: "));
}

TEST(ReturnGoSpecTest, NestingUpTo64LevelsIsAccepted) {
  // The root object is level 1, "future" holds 60 more: 61 levels in all.
  EXPECT_EQ(RgError(RmaWith(kGbpUnit, ", \"future\": " + std::string(60, '[') +
                                          std::string(60, ']'))),
            "OK");
}

TEST(ReturnGoSpecTest, BareTransactionAmountBesideBothPairs) {
  const std::string rma = RmaWith(
      R"({"shopLineItemId": 11, "returnedItemId": 21,
          "paidPrice": {"amount": "11.65", "currency": "EUR", "shopAmount": "9.90", "shopCurrency": "GBP"}})",
      R"(, "transactions": [{"id": 1, "status": "Success", "amount": "10.00",
          "currency": "EUR", "shopAmount": "8.42", "shopCurrency": "GBP"}])");
  absl::StatusOr<v1::ReturnRequest> ret = Rg(rma);
  ASSERT_TRUE(ret.ok()) << ret.status();
  EXPECT_EQ(ret->refunds(0).amount().currency_code(), "GBP");
  EXPECT_EQ(ret->refunds(0).amount().minor_units(), 842);
  ReturnGoOptions customer;
  customer.shop_money = false;
  ret = Rg(rma, customer);
  ASSERT_TRUE(ret.ok()) << ret.status();
  EXPECT_EQ(ret->refunds(0).amount().currency_code(), "EUR");
  EXPECT_EQ(ret->refunds(0).amount().minor_units(), 1000);
}

TEST(ReturnGoSpecTest, NegativeAmountsAndBadCountsAreErrorsAtTheirPath) {
  EXPECT_THAT(RgError(RmaWith(kGbpUnit, R"(, "transactions": [{"id": 1,
          "status": "Success", "amount": "-5.00"}])")),
              StartsWith("transactions[0].amount"));
  EXPECT_THAT(RgError(RmaWith(R"({"shopLineItemId": 11, "returnedItemId": 21,
          "paidPrice": {"amount": "1", "currency": "GBP"}, "quantity": 0})")),
              StartsWith("items[0].quantity: "));
  EXPECT_THAT(RgError(RmaWith(R"({"shopLineItemId": 11, "returnedItemId": 21,
          "paidPrice": {"amount": "1", "currency": "GBP"},
          "exchangeItems": [{"sku": "X", "quantity": 0}]})")),
              StartsWith("items[0].exchangeItems[0].quantity: "));
  EXPECT_THAT(RgError(RmaWith(R"({"shopLineItemId": 11, "returnedItemId": 21,
          "paidPrice": {"amount": "1", "currency": "GBP"},
          "exchangeItems": [{"sku": "X", "effectivePrice": "-1"}]})")),
              StartsWith("items[0].exchangeItems[0].effectivePrice"));
  EXPECT_EQ(RgError(R"({"rmaSummary": {"rmaId": 1, "status": "Done"},
                     "orderDetails": {"orderId": 1}, "items": {}})"),
            "items: expected an array, got object");
}

// ---------------------------------------------------------------------------
// Shopify

constexpr char kUkOrder[] = R"json(
{"order": {
 "id": 5528190001, "admin_graphql_api_id": "gid://shopify/Order/5528190001",
 "name": "#1001", "order_number": 1001, "email": "amy@example.co.uk", "phone": "+447700900123",
 "contact_email": "other@example.co.uk",
 "currency": "GBP", "presentment_currency": "GBP", "taxes_included": true,
 "created_at": "2025-03-14T09:00:00+00:00", "processed_at": "2025-03-14T08:59:58+00:00",
 "source_name": "web", "total_price": "60.92", "subtotal_price": "not read",
 "total_discounts": "11.88", "discount_codes": [{"code": "SPRING10", "amount": "6.88", "type": "percentage"}],
 "note_attributes": [{"name": "gift", "value": "yes"}], "fulfillments": [{"id": 1}],
 "refunds": [{"id": 1, "refund_line_items": "whatever"}], "duties": [],
 "customer": {"id": 6001, "email": null, "first_name": "Amy", "last_name": "Brook",
   "phone": null, "admin_graphql_api_id": "gid://shopify/Customer/6001"},
 "billing_address": {"first_name": "Amy", "last_name": "Brook", "name": "Amy Brook",
   "company": null, "address1": "1 High St", "address2": "", "city": "Leeds",
   "province": "West Yorkshire", "province_code": "WYK", "zip": "LS1 1AA",
   "country": "United Kingdom", "country_code": "GB", "phone": "+447700900124"},
 "shipping_address": {"first_name": "Zoë", "last_name": "Brook-Šimić", "company": "Ünïcode Ltd",
   "address1": "2 Low St", "address2": "Flat 3", "city": "York", "province": null,
   "province_code": "ENG", "zip": "YO1 7HH", "country_code": "GB"},
 "discount_applications": [
   {"target_type": "line_item", "type": "discount_code", "value": "10.0", "value_type": "percentage",
    "allocation_method": "across", "target_selection": "all", "code": "SPRING10"},
   {"target_type": "line_item", "type": "automatic", "value": "5.00", "value_type": "fixed_amount",
    "allocation_method": "each", "target_selection": "entitled", "title": "Socks promo"},
   {"target_type": "shipping_line", "type": "discount_code", "value": "100.0",
    "value_type": "percentage", "allocation_method": "each", "target_selection": "all",
    "code": "FREESHIP"},
   {"target_type": "line_item", "type": "manual", "value": "1.00", "value_type": "fixed_amount",
    "allocation_method": "across", "target_selection": "all", "description": "Goodwill"},
   {"target_type": "line_item", "type": "script", "value": "2.00", "allocation_method": "each",
    "target_selection": "all", "title": "Per item"},
   {"target_type": "line_item", "type": "automatic", "value": "2.00", "allocation_method": "one",
    "target_selection": "explicit", "title": "Explicit"}],
 "line_items": [
   {"id": 13711044001001, "admin_graphql_api_id": "gid://shopify/LineItem/13711044001001",
    "variant_id": 4400100, "product_id": 88001, "sku": "HH-OXF-WHT-M",
    "name": "Oxford shirt - White / M", "title": "Oxford shirt", "quantity": 1,
    "price": "48.00", "fulfillment_status": "fulfilled", "properties": [{"name": "x", "value": "y"}],
    "price_set": {"shop_money": {"amount": "49.00", "currency_code": "GBP"},
                  "presentment_money": {"amount": "57.00", "currency_code": "EUR"}},
    "total_discount": "0.00",
    "discount_allocations": [{"amount": "4.90", "discount_application_index": 0,
      "amount_set": {"shop_money": {"amount": "4.90", "currency_code": "GBP"},
                     "presentment_money": {"amount": "5.70", "currency_code": "EUR"}}}],
    "tax_lines": [{"title": "GB VAT", "price": "7.35", "rate": 0.2, "channel_liable": false,
      "price_set": {"shop_money": {"amount": "7.35", "currency_code": "GBP"},
                    "presentment_money": {"amount": "8.55", "currency_code": "EUR"}}}]},
   {"id": "13711044001002", "variant_id": null, "sku": "HH-SOCK-3PK-NVY", "title": "Socks 3-pack",
    "quantity": 2, "price": 9.9,
    "discount_allocations": [{"amount": "1.98", "discount_application_index": 0},
                             {"amount": 5, "discount_application_index": 1}],
    "tax_lines": [{"title": "GB VAT", "price": "1.97", "rate": "0.2"}]}],
 "shipping_lines": [{"id": 4800001, "title": "Standard UK delivery", "code": "STD",
   "price": "3.95", "discounted_price": "0.00",
   "discount_allocations": [{"amount": "3.95", "discount_application_index": 2}],
   "tax_lines": [{"rate": 0.2, "price": "0.00", "title": "GB VAT"}]}]
}}
)json";

constexpr char kUkOrderExpected[] = R"pb(
  order_id: "5528190001"
  order_number: "#1001"
  source: "shopify"
  currency_code: "GBP"
  prices_include_tax: true
  placed_at { seconds: 1741942798 }
  customer {
    customer_id: "6001"
    email: "amy@example.co.uk"
    first_name: "Amy"
    last_name: "Brook"
    phone: "+447700900123"
  }
  billing_address {
    name: "Amy Brook"
    line1: "1 High St"
    city: "Leeds"
    region: "West Yorkshire"
    postal_code: "LS1 1AA"
    country_code: "GB"
    phone: "+447700900124"
  }
  shipping_address {
    name: "Zoë Brook-Šimić"
    company: "Ünïcode Ltd"
    line1: "2 Low St"
    line2: "Flat 3"
    city: "York"
    region: "ENG"
    postal_code: "YO1 7HH"
    country_code: "GB"
  }
  lines {
    line_id: "13711044001001"
    sku: "HH-OXF-WHT-M"
    product_name: "Oxford shirt - White / M"
    variant_id: "4400100"
    quantity: 1
    unit_price { currency_code: "GBP" minor_units: 4900 }
    discount_allocations {
      amount { currency_code: "GBP" minor_units: 490 }
      application_id: "0"
      level: DISCOUNT_LEVEL_ORDER
    }
    tax_lines {
      rate: "20"
      amount { currency_code: "GBP" minor_units: 735 }
      title: "GB VAT"
    }
  }
  lines {
    line_id: "13711044001002"
    sku: "HH-SOCK-3PK-NVY"
    product_name: "Socks 3-pack"
    quantity: 2
    unit_price { currency_code: "GBP" minor_units: 990 }
    discount_allocations {
      amount { currency_code: "GBP" minor_units: 198 }
      application_id: "0"
      level: DISCOUNT_LEVEL_ORDER
    }
    discount_allocations {
      amount { currency_code: "GBP" minor_units: 500 }
      application_id: "1"
      level: DISCOUNT_LEVEL_LINE
    }
    tax_lines {
      rate: "20"
      amount { currency_code: "GBP" minor_units: 197 }
      title: "GB VAT"
    }
  }
  shipping_lines {
    shipping_id: "4800001"
    title: "Standard UK delivery"
    price { currency_code: "GBP" minor_units: 395 }
    discount_allocations {
      amount { currency_code: "GBP" minor_units: 395 }
      application_id: "2"
      level: DISCOUNT_LEVEL_LINE
    }
    tax_lines {
      rate: "20"
      amount { currency_code: "GBP" minor_units: 0 }
      title: "GB VAT"
    }
  }
  discounts {
    application_id: "0"
    code: "SPRING10"
    level: DISCOUNT_LEVEL_ORDER
    amount { currency_code: "GBP" minor_units: 688 }
  }
  discounts {
    application_id: "1"
    title: "Socks promo"
    level: DISCOUNT_LEVEL_LINE
    amount { currency_code: "GBP" minor_units: 500 }
  }
  discounts {
    application_id: "2"
    code: "FREESHIP"
    level: DISCOUNT_LEVEL_LINE
    amount { currency_code: "GBP" minor_units: 395 }
  }
  discounts {
    application_id: "3"
    title: "Goodwill"
    level: DISCOUNT_LEVEL_ORDER
  }
  discounts { application_id: "4" title: "Per item" level: DISCOUNT_LEVEL_LINE }
  discounts { application_id: "5" title: "Explicit" level: DISCOUNT_LEVEL_LINE }
)pb";

TEST(ShopifySpecTest, RealShapedUkOrderMapsEveryDocumentedField) {
  absl::StatusOr<v1::SalesOrder> order = Sh(kUkOrder);
  ASSERT_TRUE(order.ok()) << order.status();
  ExpectSameOrder(*order, ParseTextOrDie<v1::SalesOrder>(kUkOrderExpected));
  EXPECT_FALSE(order->discounts(3).has_amount());
}

TEST(ShopifySpecTest, OptionsSetTypeChannelAndSource) {
  ShopifyOptions options;
  options.order_type = "WEB";
  options.channel = "web-uk";
  options.source = "shopify-uk";
  absl::StatusOr<v1::SalesOrder> order = Sh(kUkOrder, options);
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_EQ(order->order_type(), "WEB");
  EXPECT_EQ(order->channel(), "web-uk");
  EXPECT_EQ(order->source(), "shopify-uk");
}

TEST(ShopifySpecTest, AdaptedUkOrderApportionsAsTheDocsSay) {
  // Returning the shirt refunds what it paid: 49.00 - 4.90 = 44.10 gross,
  // VAT as Shopify computed it for the line, 7.35.
  absl::StatusOr<v1::SalesOrder> order = Sh(kUkOrder);
  ASSERT_TRUE(order.ok()) << order.status();
  std::vector<ReturnQuantity> back = {{"13711044001001", "", 1}};
  absl::StatusOr<Refund> refund =
      ApportionRefund(*order, v1::OrderHistory(), back);
  ASSERT_TRUE(refund.ok()) << refund.status();
  EXPECT_EQ(refund->total.gross, 4410);
  EXPECT_EQ(refund->total.discount, 490);
  EXPECT_EQ(refund->total.tax(), 735);
  EXPECT_EQ(refund->total.net, 4410 - 735);
  // One pair of socks of two: (19.80 - 6.98) / 2 = 6.41, VAT 1.97 / 2 -> 0.99
  // (half away from zero, the default; the first unit takes the rounding).
  back = {{"13711044001002", "", 1}};
  refund = ApportionRefund(*order, v1::OrderHistory(), back);
  ASSERT_TRUE(refund.ok()) << refund.status();
  EXPECT_EQ(refund->total.gross, 641);
  EXPECT_EQ(refund->total.tax(), 99);
}

TEST(ShopifySpecTest, TaxRatesMoveTheDecimalPointExactly) {
  const std::vector<std::pair<std::string, std::string>> rates = {
      {"0.2", "20"},      {"\"0.2\"", "20"},    {"0.175", "17.5"},
      {"0.0825", "8.25"}, {"2e-1", "20"},       {"0", "0"},
      {"0.07", "7"},      {"\"0.055\"", "5.5"}, {"1", "100"},
      {"0.19", "19"}};
  for (const auto& [json, percent] : rates) {
    absl::StatusOr<v1::SalesOrder> order =
        Sh(OrderWith(R"({"id": 1, "quantity": 1, "price": "10.00",
             "tax_lines": [{"rate": )" +
                     json + R"(, "price": "1.00"}]})"));
    ASSERT_TRUE(order.ok()) << json << ": " << order.status();
    EXPECT_EQ(order->lines(0).tax_lines(0).rate(), percent) << json;
  }
}

TEST(ShopifySpecTest, UsOrderTaxesExcludedAndUntaxedLine) {
  absl::StatusOr<v1::SalesOrder> order = Sh(
      R"({"id": 1, "currency": "USD", "taxes_included": false, "created_at": "2025-06-02T15:04:05-04:00",
          "line_items": [
            {"id": 1, "quantity": 1, "price": "100.00",
             "tax_lines": [{"rate": 0.0825, "price": "8.25", "title": "TX State Tax"}]},
            {"id": 2, "quantity": 1, "price": "5.00", "tax_lines": []}]})");
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_FALSE(order->prices_include_tax());
  EXPECT_EQ(order->placed_at().seconds(), 1748891045);  // created_at fallback
  EXPECT_EQ(order->lines(0).tax_lines(0).rate(), "8.25");
  EXPECT_EQ(order->lines(0).tax_lines(0).amount().minor_units(), 825);
  EXPECT_EQ(order->lines(1).tax_lines_size(), 0);
  EXPECT_EQ(order->order_number(), "");
  EXPECT_FALSE(order->has_customer()) << order->customer().DebugString();
  EXPECT_FALSE(order->has_billing_address());
  // taxes_included as "1".
  order = Sh(R"({"id": 1, "currency": "GBP", "taxes_included": "1",
                 "line_items": []})");
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_TRUE(order->prices_include_tax());
  EXPECT_EQ(order->lines_size(), 0);
}

TEST(ShopifySpecTest, ZeroAndThreeDecimalCurrencies) {
  absl::StatusOr<v1::SalesOrder> order =
      Sh(OrderWith(R"({"id": 1, "quantity": 3, "price": "1000.00",
                    "discount_allocations": [{"amount": 300, "discount_application_index": 0}],
                    "tax_lines": [{"rate": 0.1, "price": "245"}]})",
                   "JPY",
                   R"(, "discount_applications": [{"target_type": "line_item",
                    "target_selection": "all", "allocation_method": "across", "code": "X"}])"));
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_EQ(order->lines(0).unit_price().minor_units(), 1000);
  EXPECT_EQ(order->lines(0).discount_allocations(0).amount().minor_units(),
            300);
  EXPECT_EQ(order->lines(0).tax_lines(0).amount().minor_units(), 245);
  EXPECT_EQ(order->discounts(0).amount().minor_units(), 300);
  EXPECT_EQ(ShError(OrderWith(R"({"id": 1, "quantity": 1, "price": "1000.5"})",
                              "JPY")),
            "line_items[0].price: '1000.5' has more decimal places than the "
            "currency's 0 (JPY)");
  order =
      Sh(OrderWith(R"({"id": 1, "quantity": 1, "price": "12.345"})", "KWD"));
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_EQ(order->lines(0).unit_price().minor_units(), 12345);
  EXPECT_EQ(ShError(OrderWith(R"({"id": 1, "quantity": 1, "price": 12.345})")),
            "line_items[0].price: '12.345' has more decimal places than the "
            "currency's 2 (GBP)");
  order = Sh(OrderWith(R"({"id": 1, "quantity": 1, "price": 1e3})"));
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_EQ(order->lines(0).unit_price().minor_units(), 100000);
}

TEST(ShopifySpecTest, PresentmentMoney) {
  ShopifyOptions presentment;
  presentment.presentment_money = true;
  std::string order_json =
      R"({"id": 1, "currency": "GBP", "presentment_currency": "EUR",
      "taxes_included": true, "line_items": [{"id": 1, "quantity": 1, "price": "49.00",
        "price_set": {"shop_money": {"amount": "49.00", "currency_code": "GBP"},
                      "presentment_money": {"amount": "57.00", "currency_code": "EUR"}},
        "discount_allocations": [{"amount": "4.90", "discount_application_index": 0,
          "amount_set": {"shop_money": {"amount": "4.90", "currency_code": "GBP"},
                         "presentment_money": {"amount": "5.70", "currency_code": "EUR"}}}],
        "tax_lines": [{"rate": 0.2, "price": "7.35",
          "price_set": {"shop_money": {"amount": "7.35", "currency_code": "GBP"},
                        "presentment_money": {"amount": "8.55", "currency_code": "EUR"}}}]}],
      "discount_applications": [{"target_type": "line_item", "target_selection": "all",
        "allocation_method": "across", "code": "C"}]})";
  absl::StatusOr<v1::SalesOrder> order = Sh(order_json, presentment);
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_EQ(order->currency_code(), "EUR");
  EXPECT_EQ(order->lines(0).unit_price().currency_code(), "EUR");
  EXPECT_EQ(order->lines(0).unit_price().minor_units(), 5700);
  EXPECT_EQ(order->lines(0).discount_allocations(0).amount().minor_units(),
            570);
  EXPECT_EQ(order->lines(0).tax_lines(0).amount().minor_units(), 855);
  EXPECT_EQ(order->discounts(0).amount().minor_units(), 570);
  // Default: shop money.
  order = Sh(order_json);
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_EQ(order->currency_code(), "GBP");
  EXPECT_EQ(order->lines(0).unit_price().minor_units(), 4900);
  // A missing presentment set when the currencies differ is an error.
  EXPECT_THAT(
      ShError(R"({"id": 1, "currency": "GBP", "presentment_currency": "EUR",
                         "line_items": [{"id": 1, "quantity": 1, "price": "49.00"}]})",
              presentment),
      StartsWith("line_items[0].price"));
  // ... but not when they are the same.
  EXPECT_EQ(
      ShError(R"({"id": 1, "currency": "GBP", "presentment_currency": "GBP",
                       "line_items": [{"id": 1, "quantity": 1, "price": "49.00"}]})",
              presentment),
      "OK");
  // A set in another currency than the order's is an error.
  EXPECT_THAT(ShError(R"({"id": 1, "currency": "GBP",
                         "line_items": [{"id": 1, "quantity": 1, "price": "49.00",
                           "price_set": {"shop_money": {"amount": "49.00", "currency_code": "EUR"}}}]})"),
              StartsWith("line_items[0].price_set.shop_money"));
}

TEST(ShopifySpecTest, ExactErrorTextsAndPaths) {
  EXPECT_EQ(ShError(R"({"currency": "GBP", "line_items": []})"),
            "id: required field is missing");
  EXPECT_EQ(ShError(R"({"order": {"currency": "GBP", "line_items": []}})"),
            "order.id: required field is missing");
  EXPECT_EQ(ShError(R"({"id": 1, "line_items": []})"),
            "currency: required field is missing");
  EXPECT_EQ(ShError(R"({"id": 1, "currency": "GBP"})"),
            "line_items: required field is missing");
  EXPECT_EQ(ShError(OrderWith(R"({"quantity": 1, "price": "1"})")),
            "line_items[0].id: required field is missing");
  EXPECT_EQ(ShError(OrderWith(R"({"id": 1, "price": "1"})")),
            "line_items[0].quantity: required field is missing");
  EXPECT_THAT(ShError(OrderWith(R"({"id": 1, "quantity": 0, "price": "1"})")),
              StartsWith("line_items[0].quantity: "));
  EXPECT_THAT(ShError(OrderWith(R"({"id": 1, "quantity": -2, "price": "1"})")),
              StartsWith("line_items[0].quantity: "));
  EXPECT_THAT(ShError(OrderWith(R"({"id": 1, "quantity": 1.5, "price": "1"})")),
              StartsWith("line_items[0].quantity: "));
  EXPECT_EQ(ShError(OrderWith(R"({"id": 1, "quantity": 1})")),
            "line_items[0].price: required field is missing");
  EXPECT_EQ(
      ShError(OrderWith(
          R"({"id": 1, "quantity": 1, "price": "1"}, {"id": 2, "quantity": 1, "price": "1"},
                   {"id": 3, "quantity": 1, "price": []})")),
      "line_items[2].price: expected a decimal amount (string or "
      "number), got array");
  EXPECT_EQ(ShError(OrderWith(R"({"id": 1, "quantity": 1, "price": "1",
                                   "tax_lines": [{"price": "0.17"}]})")),
            "line_items[0].tax_lines[0].rate: required field is missing");
  EXPECT_EQ(ShError(OrderWith(R"({"id": 1, "quantity": 1, "price": "1",
                                   "discount_allocations": [{"discount_application_index": 0}]})")),
            "line_items[0].discount_allocations[0].amount: required field is "
            "missing");
  EXPECT_EQ(
      ShError(OrderWith(R"({"id": 1, "quantity": 1, "price": "1"})", "GBP",
                        R"(, "shipping_lines": [{"price": "3.95"}])")),
      "shipping_lines[0].id: required field is missing");
  EXPECT_EQ(ShError(OrderWith(R"({"id": 1, "quantity": 1, "price": "1"})",
                              "GBP", R"(, "shipping_lines": [{"id": 5}])")),
            "shipping_lines[0].price: required field is missing");
  EXPECT_EQ(
      ShError(OrderWith(R"({"id": 1, "quantity": 1, "price": "1"})", "XXQ")),
      R"(currency: "XXQ" is not an ISO 4217 currency code)");
  EXPECT_EQ(ShError(R"({"id": 1, "currency": "GBP", "line_items": {}})"),
            "line_items: expected an array, got object");
  EXPECT_THAT(ShError(OrderWith(R"({"id": 1, "quantity": 1, "price": "1",
                            "tax_lines": [{"rate": "twenty", "price": "0.17"}]})")),
              StartsWith("line_items[0].tax_lines[0].rate: "));
  EXPECT_THAT(
      ShError(OrderWith(R"({"id": 1, "quantity": 1, "price": "-1.00"})")),
      StartsWith("line_items[0].price: "));
}

TEST(ShopifySpecTest, NullsAreAbsentAndFallbacksApply) {
  absl::StatusOr<v1::SalesOrder> order =
      Sh(R"({"id": 1, "currency": "GBP", "order_number": 1042, "name": null,
             "contact_email": "c@example.com", "customer": null,
             "billing_address": null, "shipping_address": null,
             "processed_at": null, "created_at": "2025-03-14T09:00:00Z",
             "line_items": [{"id": 1, "quantity": 1, "price": "1", "name": null,
                             "title": "Gift card", "sku": null, "tax_lines": null,
                             "discount_allocations": null}],
             "shipping_lines": null, "discount_applications": null})");
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_EQ(order->order_number(), "1042");
  // "customer": null is absent; the customer's e-mail falls back to the
  // order's contact_email, so the customer holds that alone.
  EXPECT_EQ(order->customer().customer_id(), "");
  EXPECT_EQ(order->customer().email(), "c@example.com");
  EXPECT_FALSE(order->has_billing_address());
  EXPECT_FALSE(order->has_shipping_address());
  EXPECT_EQ(order->placed_at().seconds(), 1741942800);
  EXPECT_EQ(order->lines(0).product_name(), "Gift card");
  EXPECT_EQ(order->lines(0).sku(), "");
  // A customer without email: the order's contact_email.
  order = Sh(R"({"id": 1, "currency": "GBP", "contact_email": "c@example.com",
                 "customer": {"id": "gid://shopify/Customer/42"}, "line_items": []})");
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_EQ(order->customer().customer_id(), "42");
  EXPECT_EQ(order->customer().email(), "c@example.com");
}

TEST(ShopifySpecTest, GraphQlIdsAndHugeIds) {
  absl::StatusOr<v1::SalesOrder> order = Sh(
      R"({"id": "gid://shopify/Order/9007199254740993", "currency": "GBP",
          "line_items": [{"id": 18446744073709551615, "variant_id": "gid://shopify/ProductVariant/77",
                          "quantity": 1, "price": "1"}],
          "shipping_lines": [{"id": "gid://shopify/ShippingLine/9007199254740995", "price": 0}]})");
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_EQ(order->order_id(), "9007199254740993");
  EXPECT_EQ(order->lines(0).line_id(), "18446744073709551615");
  EXPECT_EQ(order->lines(0).variant_id(), "77");
  EXPECT_EQ(order->shipping_lines(0).shipping_id(), "9007199254740995");
}

TEST(ShopifySpecTest, StrictJsonAndDuplicateKeys) {
  std::string good = OrderWith(R"({"id": 1, "quantity": 1, "price": "1"})");
  EXPECT_EQ(ShError("\xEF\xBB\xBF" + good), "OK");
  EXPECT_NE(ShError(good + ","), "OK");
  EXPECT_NE(
      ShError(R"({"id": 1, "id": 2, "currency": "GBP", "line_items": []})"),
      "OK");
  EXPECT_NE(ShError(OrderWith(
                R"({"id": 1, "quantity": 1, "price": "1", "price": "2"})")),
            "OK");
  EXPECT_NE(ShError(OrderWith(R"({"id": 1, "quantity": 1, "price": "1"})",
                              "GBP", ", \"properties\": [,]")),
            "OK");
  EXPECT_NE(ShError(""), "OK");
  EXPECT_NE(ShError("[" + good + "]"), "OK");
}

TEST(ShopifySpecTest, SeveralTaxLinesOnOneLine) {
  // A US line taxed by state and county: one TaxLine each, as given.
  absl::StatusOr<v1::SalesOrder> order = Sh(
      R"({"id": 1, "currency": "USD", "taxes_included": false,
          "line_items": [{"id": 1, "quantity": 2, "price": "50.00",
            "tax_lines": [{"title": "NY State Tax", "rate": 0.04, "price": "4.00"},
                          {"title": "New York City Tax", "rate": 0.045, "price": "4.50"},
                          {"title": "MCTD", "rate": 0.00375, "price": "0.38"}]}]})");
  ASSERT_TRUE(order.ok()) << order.status();
  ASSERT_EQ(order->lines(0).tax_lines_size(), 3);
  EXPECT_EQ(order->lines(0).tax_lines(0).rate(), "4");
  EXPECT_EQ(order->lines(0).tax_lines(1).rate(), "4.5");
  EXPECT_EQ(order->lines(0).tax_lines(2).rate(), "0.375");
  EXPECT_EQ(order->lines(0).tax_lines(2).amount().minor_units(), 38);
  EXPECT_EQ(order->lines(0).tax_lines(1).title(), "New York City Tax");
}

// ---------------------------------------------------------------------------
// DetectPayloadKind

TEST(DetectSpecTest, TopLevelKeysDecide) {
  EXPECT_EQ(DetectPayloadKind(kDocRma), PayloadKind::kReturnGoRma);
  EXPECT_EQ(DetectPayloadKind(kRealRma), PayloadKind::kReturnGoRma);
  EXPECT_EQ(DetectPayloadKind(R"({"items": [{"shopLineItemId": 1}]})"),
            PayloadKind::kReturnGoRma);
  EXPECT_EQ(DetectPayloadKind(kUkOrder), PayloadKind::kShopifyOrder);
  EXPECT_EQ(DetectPayloadKind(R"({"line_items": []})"),
            PayloadKind::kShopifyOrder);
  EXPECT_EQ(DetectPayloadKind(R"({"return_id": "R", "lines": []})"),
            PayloadKind::kRetconReturn);
  EXPECT_EQ(DetectPayloadKind(R"({"returnId": "R", "lines": []})"),
            PayloadKind::kRetconReturn);
  EXPECT_EQ(DetectPayloadKind(R"({"order_id": "O", "lines": []})"),
            PayloadKind::kRetconSalesOrder);
  EXPECT_EQ(DetectPayloadKind(R"({"orderId": "O", "lines": []})"),
            PayloadKind::kRetconSalesOrder);
  // A return carries order_id too: return_id decides.
  EXPECT_EQ(
      DetectPayloadKind(R"({"return_id": "R", "order_id": "O", "lines": []})"),
      PayloadKind::kRetconReturn);
  // Ambiguous, not an object, not JSON, nothing known.
  EXPECT_EQ(DetectPayloadKind(R"({"rmaSummary": {}, "line_items": []})"),
            PayloadKind::kUnknown);
  EXPECT_EQ(DetectPayloadKind("[]"), PayloadKind::kUnknown);
  EXPECT_EQ(DetectPayloadKind("{"), PayloadKind::kUnknown);
  EXPECT_EQ(DetectPayloadKind(""), PayloadKind::kUnknown);
  EXPECT_EQ(DetectPayloadKind(R"({"foo": 1})"), PayloadKind::kUnknown);
  EXPECT_EQ(DetectPayloadKind(R"({"order_id": "O"})"), PayloadKind::kUnknown);
  EXPECT_EQ(DetectPayloadKind("\xEF\xBB\xBF{\"line_items\": []}"),
            PayloadKind::kShopifyOrder);
  EXPECT_EQ(DetectPayloadKind(R"({"line_items": [], "line_items": []})"),
            PayloadKind::kUnknown);
}

// adapters.md ("DetectPayloadKind"): kUnknown when "more than one" kind
// matches, a wrapper counting as its kind (this was kReturnGoRma, whichever
// came first, until the cross-check found it).
TEST(DetectSpecTest, BothWrappersAreAmbiguous) {
  EXPECT_EQ(DetectPayloadKind(R"({"rma": {"rmaSummary": {}},
                                  "order": {"line_items": []}})"),
            PayloadKind::kUnknown);
  EXPECT_EQ(DetectPayloadKind(R"({"order": {"line_items": []},
                                  "rma": {"rmaSummary": {}}})"),
            PayloadKind::kUnknown);
}

// ---------------------------------------------------------------------------
// The `retcon` tool, driven as a user would (docs/integration/cli.md,
// cli-rules.md, README.md).

std::string RepoRoot() {
  std::string testdata = RETCON_ADAPTERS_TESTDATA;
  const std::string suffix = "/tests/testdata/adapters";
  return testdata.substr(0, testdata.size() - suffix.size());
}
std::string DataDir() { return RepoRoot() + "/examples/data"; }

// build/bin/retcon (cli.md), found beside this test's build/tests/ directory,
// or $RETCON_BIN.
std::string RetconBinary() {
  if (const char* bin = std::getenv("RETCON_BIN")) return bin;
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return "retcon";
  std::string path(self, n);
  path = path.substr(0, path.rfind('/'));  // build/tests
  path = path.substr(0, path.rfind('/'));  // build
  return path + "/bin/retcon";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}
void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}
bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!line.empty()) lines.emplace_back(line);
  }
  return lines;
}

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

class CliSpecTest : public testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/retcon_xcheck_XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    tmp_ = dir;
    ASSERT_TRUE(Exists(RetconBinary())) << RetconBinary();
  }
  void TearDown() override {
    if (!tmp_.empty() && !HasFailure()) {
      std::string cmd = "rm -rf '" + tmp_ + "'";
      (void)std::system(cmd.c_str());
    }
  }
  // Runs `retcon ARGS` in `cwd` (default: the temp dir), stdin from
  // /dev/null, stdout and stderr captured (so neither is a terminal).
  CliRun Run(const std::string& args, const std::string& cwd = "") {
    const std::string dir = cwd.empty() ? tmp_ : cwd;
    const std::string out = tmp_ + "/.stdout", err = tmp_ + "/.stderr";
    const std::string cmd = "cd '" + dir + "' && '" + RetconBinary() + "' " +
                            args + " </dev/null >'" + out + "' 2>'" + err + "'";
    int status = std::system(cmd.c_str());
    CliRun run;
    run.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    run.out = ReadFile(out);
    run.err = ReadFile(err);
    return run;
  }
  std::string tmp_;

 public:
  CliRun RunPublic(const std::string& args) { return Run(args); }
};

std::string Show(const CliRun& run) {
  return absl::StrCat("exit ", run.code, "\n--- stdout\n", run.out,
                      "--- stderr\n", run.err);
}

// --- help, version, usage errors --------------------------------------------

TEST_F(CliSpecTest, HelpListsEveryCommandAndExitsZero) {
  CliRun help = Run("--help");
  EXPECT_EQ(help.code, 0) << Show(help);
  for (const char* command : {"apportion", "plan", "reconcile", "rules"}) {
    EXPECT_THAT(help.out + help.err, HasSubstr(command));
  }
  CliRun h = Run("-h");
  EXPECT_EQ(h.code, 0) << Show(h);
  EXPECT_EQ(h.out, help.out);
  CliRun version = Run("--version");
  EXPECT_EQ(version.code, 0) << Show(version);
  EXPECT_FALSE((version.out + version.err).empty());
}

TEST_F(CliSpecTest, EverySubcommandHelpNamesEveryDocumentedFlag) {
  struct Case {
    std::string command;
    std::vector<std::string> flags;
  };
  const std::vector<Case> cases = {
      {"apportion",
       {"--order", "--return", "--then", "--history", "--history-out",
        "--catalog", "--shipping", "--rounding", "--json"}},
      {"plan",
       {"--rules", "--catalog", "--orders", "--returns", "--ledger", "--out",
        "--format", "--orders-format", "--returns-format", "--commit-every",
        "--as-of", "--stats", "--returngo-lines"}},
      {"reconcile",
       {"--returns", "--returns-format", "--returngo-lines", "--erp",
        "--payouts", "--as-of", "--json", "--csv", "--tolerance", "--window"}},
      {"rules",
       {"check", "explain", "what-if", "--strict", "--fact", "--decision",
        "--as-of", "--old", "--new", "--examples"}}};
  for (const Case& c : cases) {
    CliRun run = Run(c.command + " --help");
    EXPECT_EQ(run.code, 0) << c.command << "\n" << Show(run);
    for (const std::string& flag : c.flags) {
      EXPECT_THAT(run.out + run.err, HasSubstr(flag)) << c.command;
    }
  }
}

TEST_F(CliSpecTest, UsageErrorsExitTwo) {
  const std::string order = DataDir() + "/order_1005_six_units.json";
  for (const std::string& args : std::vector<std::string>{
           "frobnicate",
           "plan --bogus x",
           "apportion --return L1:1",                      // no --order
           "apportion --order " + order,                   // no --return
           "apportion --order " + order + " --return L1",  // malformed
           "apportion --order " + order + " --return L1:x",
           "apportion --order " + order + " --return L1:1 --rounding sideways",
           "apportion --order " + order + " --return L1:1 stray",
           "plan --rules r --catalog c --orders o",  // no --returns
           "plan --rules r --catalog c --orders o --returns r --format xml",
           "plan --rules r --catalog c --orders o --returns r "
           "--returngo-lines bogus",
           "plan --rules r --catalog c --orders o --returns r --commit-every x",
           "plan --rules r --catalog c --orders o --returns r "
           "--as-of 2026-02-30",
           "plan --rules r --catalog c --orders o --returns r --as-of "
           "2026-1--01",
           "rules frobnicate",
           "rules check",
           "rules explain --rules r",
           "rules check r --json",
           "reconcile --returns r --erp e",  // no --as-of
           "reconcile --returns r --erp e --as-of 2026-13-01",
           "reconcile --returns r --erp e --as-of 2026-01-01 --window x"}) {
    CliRun run = Run(args);
    EXPECT_EQ(run.code, 2) << args << "\n" << Show(run);
    EXPECT_FALSE(run.err.empty()) << args;
  }
}

// --- apportion: DOMAIN.md E1 through the reference calculator ---------------

std::vector<int64_t> GrossesOf(const std::string& ndjson) {
  std::vector<int64_t> grosses;
  for (const std::string& line : Lines(ndjson)) {
    v1::CreditNote note;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &note).ok())
        << line;
    grosses.push_back(note.total_gross().minor_units());
  }
  return grosses;
}

TEST_F(CliSpecTest, ApportionWorkedExampleE1) {
  // order_1005: six units paying 10.00 in all. DOMAIN.md E1: returning 1,
  // then 3, then 2 refunds 1.67, 5.00, 3.33.
  const std::string order = DataDir() + "/order_1005_six_units.json";
  CliRun table = Run("apportion --order " + order +
                     " --return L1:1 --then L1:3 --then L1:2");
  EXPECT_EQ(table.code, 0) << Show(table);
  for (const char* amount : {"1.67", "5.00", "3.33"}) {
    EXPECT_THAT(table.out, HasSubstr(amount));
  }
  CliRun json = Run("apportion --order=" + order +
                    " --return=L1:1 --then=L1:3 --then=L1:2 --json");
  EXPECT_EQ(json.code, 0) << Show(json);
  EXPECT_THAT(GrossesOf(json.out), testing::ElementsAre(167, 500, 333));
  // One at a time: 1.67, 1.66, 1.67, 1.67, 1.66, 1.67.
  CliRun each = Run("apportion --order " + order +
                    " --return L1:1 --then L1:1 --then L1:1 --then L1:1 "
                    "--then L1:1 --then L1:1 --json");
  EXPECT_EQ(each.code, 0) << Show(each);
  EXPECT_THAT(GrossesOf(each.out),
              testing::ElementsAre(167, 166, 167, 167, 166, 167));
}

TEST_F(CliSpecTest, ApportionHistoryOutThenHistoryContinues) {
  const std::string order = DataDir() + "/order_1005_six_units.json";
  CliRun first = Run("apportion --order " + order +
                     " --return L1:1 --json --history-out h1.json");
  ASSERT_EQ(first.code, 0) << Show(first);
  ASSERT_TRUE(Exists(tmp_ + "/h1.json"));
  CliRun second = Run("apportion --order " + order +
                      " --return L1:3 --json --history h1.json");
  EXPECT_EQ(second.code, 0) << Show(second);
  EXPECT_THAT(GrossesOf(second.out), testing::ElementsAre(500));
  // More than what is left (6 - 1 = 5) is rejected: exit 1.
  CliRun over =
      Run("apportion --order " + order + " --return L1:6 --history h1.json");
  EXPECT_EQ(over.code, 1) << Show(over);
}

// cli.md ("Exit codes", code 1) quotes the message for a bad quantity
// (it quoted `must be > 0`, which the tool never said, until the cross-check
// found it).
TEST_F(CliSpecTest, ApportionQuantityMessageAsDocumented) {
  CliRun broken =
      Run("apportion --order broken/order_bad_quantity.json --return L1:1",
          DataDir());
  EXPECT_EQ(broken.code, 1) << Show(broken);
  EXPECT_THAT(broken.err,
              HasSubstr("broken/order_bad_quantity.json: "
                        "order.lines[0].quantity: must be between 1 and "
                        "10000000, got 0"));
}

TEST_F(CliSpecTest, ApportionBadFilesExitOneNamingFileAndField) {
  CliRun missing = Run("apportion --order no_such_order.json --return L1:1");
  EXPECT_EQ(missing.code, 1) << Show(missing);
  EXPECT_THAT(missing.err, HasSubstr("no_such_order.json"));
  CliRun broken =
      Run("apportion --order broken/order_bad_quantity.json "
          "--return L1:1",
          DataDir());
  EXPECT_EQ(broken.code, 1) << Show(broken);
  EXPECT_THAT(broken.err, HasSubstr("broken/order_bad_quantity.json: "
                                    "order.lines[0].quantity: "));
  WriteFile(tmp_ + "/empty.json", "");
  CliRun empty = Run("apportion --order empty.json --return L1:1");
  EXPECT_EQ(empty.code, 1) << Show(empty);
  EXPECT_THAT(empty.err, HasSubstr("empty.json"));
  WriteFile(tmp_ + "/garbage.json", "{\"order_id\": \"1\", ");
  CliRun garbage = Run("apportion --order garbage.json --return L1:1");
  EXPECT_EQ(garbage.code, 1) << Show(garbage);
  EXPECT_THAT(garbage.err, HasSubstr("garbage.json"));
  // A line the order does not have.
  CliRun no_line = Run("apportion --order " + DataDir() +
                       "/order_1005_six_units.json --return L9:1");
  EXPECT_EQ(no_line.code, 1) << Show(no_line);
  EXPECT_THAT(no_line.err, HasSubstr("L9"));
}

// --- plan
// ---------------------------------------------------------------------

// Copies examples/data/plan's inputs into the temp dir under plain names.
void CopyPlanInputs(const std::string& tmp) {
  const std::string plan = DataDir() + "/plan/";
  for (const char* name :
       {"rules.textproto", "catalog.json", "orders.ndjson", "returns.ndjson",
        "returngo_rmas.ndjson", "shopify_orders.json"}) {
    WriteFile(tmp + "/" + name, ReadFile(plan + name));
  }
}

struct Summary {
  int64_t postings_new = -1;
  int64_t credit_notes = 0;
  int64_t stock_movements = 0;
  int64_t exchange_orders = 0;
};

// Reads "Postings: N new" and the per-type counts from a plan summary.
Summary ParseSummary(const std::string& out) {
  Summary s;
  for (const std::string& line : Lines(out)) {
    long long n = 0;
    if (std::sscanf(line.c_str(), "Postings: %lld new", &n) == 1) {
      s.postings_new = n;
    } else if (std::sscanf(line.c_str(), "  credit notes %lld", &n) == 1) {
      s.credit_notes = n;
    } else if (std::sscanf(line.c_str(), "  stock movements %lld", &n) == 1) {
      s.stock_movements = n;
    } else if (std::sscanf(line.c_str(), "  exchange orders %lld", &n) == 1) {
      s.exchange_orders = n;
    }
  }
  return s;
}

// Every stderr line of a plan run that had bad records is `FILE:LINE...: `.
void ExpectOnlyRecordErrors(const std::string& err, const std::string& file1,
                            const std::string& file2) {
  for (const std::string& line : Lines(err)) {
    // The tool puts "retcon plan: " before each; the docs show the rest.
    absl::string_view rest = line;
    absl::ConsumePrefix(&rest, "retcon plan: ");
    EXPECT_TRUE(absl::StartsWith(rest, file1 + ":") ||
                absl::StartsWith(rest, file2 + ":"))
        << line;
  }
}

TEST_F(CliSpecTest,
       PlanRetconFeedSummaryAgreesWithItsFilesAndRerunPostsNothing) {
  CopyPlanInputs(tmp_);
  const std::string args =
      "plan --rules rules.textproto --catalog catalog.json --orders "
      "orders.ndjson --returns returns.ndjson --ledger ledger.db --out out";
  CliRun first = Run(args);
  ASSERT_TRUE(first.code == 0 || first.code == 3) << Show(first);
  EXPECT_EQ(first.code == 3, !first.err.empty()) << Show(first);
  ExpectOnlyRecordErrors(first.err, "returns.ndjson", "orders.ndjson");
  EXPECT_THAT(first.out, HasSubstr("Orders:  5 read"));
  EXPECT_THAT(first.out, HasSubstr("Returns: 9 read"));
  const std::string postings = ReadFile(tmp_ + "/out/postings.ndjson");
  ASSERT_TRUE(Exists(tmp_ + "/out/exceptions.ndjson"));
  Summary s = ParseSummary(first.out);
  std::vector<std::string> lines = Lines(postings);
  EXPECT_EQ(s.postings_new, static_cast<int64_t>(lines.size())) << first.out;
  EXPECT_THAT(first.out, HasSubstr("-> out/postings.ndjson"));
  int64_t notes = 0, moves = 0, exchanges = 0;
  for (const std::string& line : lines) {
    if (absl::StartsWith(line, "{\"credit_note\"")) ++notes;
    if (absl::StartsWith(line, "{\"stock_movement\"")) ++moves;
    if (absl::StartsWith(line, "{\"exchange_order\"")) ++exchanges;
    EXPECT_THAT(line, HasSubstr("\"idempotency_key\""));
  }
  EXPECT_EQ(notes, s.credit_notes);
  EXPECT_EQ(moves, s.stock_movements);
  EXPECT_EQ(exchanges, s.exchange_orders);
  EXPECT_EQ(notes + moves + exchanges, static_cast<int64_t>(lines.size()));

  // The same feed again on the same ledger posts nothing.
  CliRun second = Run(args);
  EXPECT_EQ(second.code, first.code) << Show(second);
  EXPECT_EQ(ReadFile(tmp_ + "/out/postings.ndjson"), "");
  EXPECT_EQ(ParseSummary(second.out).postings_new, 0) << second.out;
  EXPECT_THAT(second.out, HasSubstr(absl::StrCat("already posted, dropped: ")));
  // And a third run into another directory, for good measure.
  CliRun third = Run(
      "plan --rules rules.textproto --catalog catalog.json --orders "
      "orders.ndjson --returns returns.ndjson --ledger ledger.db --out out3");
  EXPECT_EQ(third.code, first.code) << Show(third);
  EXPECT_EQ(ReadFile(tmp_ + "/out3/postings.ndjson"), "");
}

TEST_F(CliSpecTest, PlanWithoutLedgerIsQuietOnAPipeAndWritesToCwd) {
  CopyPlanInputs(tmp_);
  CliRun run =
      Run("plan --rules rules.textproto --catalog catalog.json --orders "
          "orders.ndjson --returns returns.ndjson");
  ASSERT_TRUE(run.code == 0 || run.code == 3) << Show(run);
  // No progress line on a pipe: only the bad records' lines.
  ExpectOnlyRecordErrors(run.err, "returns.ndjson", "orders.ndjson");
  EXPECT_TRUE(Exists(tmp_ + "/postings.ndjson"));
  EXPECT_TRUE(Exists(tmp_ + "/exceptions.ndjson"));
}

TEST_F(CliSpecTest, PlanAdaptersFeedAutoEqualsExplicitFormat) {
  CopyPlanInputs(tmp_);
  const std::string base =
      "plan --rules rules.textproto --catalog catalog.json --orders "
      "shopify_orders.json --returns returngo_rmas.ndjson";
  CliRun autorun = Run(base + " --out auto");
  ASSERT_TRUE(autorun.code == 0 || autorun.code == 3) << Show(autorun);
  CliRun pair = Run(base + " --format returngo --out pair");
  EXPECT_EQ(pair.code, autorun.code) << Show(pair);
  CliRun each = Run(
      base + " --orders-format shopify --returns-format returngo --out each");
  EXPECT_EQ(each.code, autorun.code) << Show(each);
  const std::string postings = ReadFile(tmp_ + "/auto/postings.ndjson");
  EXPECT_FALSE(postings.empty());
  EXPECT_EQ(ReadFile(tmp_ + "/pair/postings.ndjson"), postings);
  EXPECT_EQ(ReadFile(tmp_ + "/each/postings.ndjson"), postings);
  // Read as the wrong format, every record is bad.
  CliRun wrong = Run(base + " --returns-format retcon --out wrong");
  EXPECT_NE(wrong.code, 0) << Show(wrong);
  EXPECT_NE(wrong.code, 2) << Show(wrong);
}

TEST_F(CliSpecTest, PlanLedgerKeepsItsReturnGoLinesSetting) {
  CopyPlanInputs(tmp_);
  const std::string base =
      "plan --rules rules.textproto --catalog catalog.json --orders "
      "shopify_orders.json --returns returngo_rmas.ndjson --ledger l.db";
  CliRun grouped = Run(base + " --returngo-lines grouped --out g");
  ASSERT_TRUE(grouped.code == 0 || grouped.code == 3) << Show(grouped);
  CliRun unit = Run(base + " --out u");
  EXPECT_EQ(unit.code, 1) << Show(unit);
  EXPECT_THAT(unit.err, HasSubstr("l.db: the ledger planned ReturnGo RMAs "
                                  "with --returngo-lines grouped (run 1); "
                                  "this run asks for unit (the default)"));
  EXPECT_THAT(unit.err, HasSubstr("Run with --returngo-lines grouped"));
  EXPECT_FALSE(Exists(tmp_ + "/u/postings.ndjson"));
  CliRun explicit_unit = Run(base + " --returngo-lines=unit --out u");
  EXPECT_EQ(explicit_unit.code, 1) << Show(explicit_unit);
  // The same setting again: fine, nothing new.
  CliRun again = Run(base + " --returngo-lines grouped --out g2");
  EXPECT_EQ(again.code, grouped.code) << Show(again);
  EXPECT_EQ(ReadFile(tmp_ + "/g2/postings.ndjson"), "");
}

TEST_F(CliSpecTest, PlanRefusesALedgerThatIsNotOne) {
  CopyPlanInputs(tmp_);
  WriteFile(tmp_ + "/notsqlite.db", "hello, I am not SQLite\n");
  CliRun run = Run(
      "plan --rules rules.textproto --catalog catalog.json --orders "
      "orders.ndjson --returns returns.ndjson --ledger notsqlite.db --out o");
  EXPECT_EQ(run.code, 1) << Show(run);
  EXPECT_THAT(run.err, HasSubstr("notsqlite.db"));
  EXPECT_FALSE(Exists(tmp_ + "/o/postings.ndjson"));
  EXPECT_EQ(ReadFile(tmp_ + "/notsqlite.db"), "hello, I am not SQLite\n");
}

TEST_F(CliSpecTest, PlanMissingAndBadInputFilesExitOne) {
  CopyPlanInputs(tmp_);
  const std::string rest = " --out o";
  struct Case {
    std::string args;
    std::string named;
  };
  WriteFile(tmp_ + "/bad_rules.textproto", "decisions { name: ");
  WriteFile(tmp_ + "/bad_catalog.json", "{\"no_such_catalog_field\": 1}");
  const std::vector<Case> cases = {
      {"--rules nope.textproto --catalog catalog.json --orders orders.ndjson "
       "--returns returns.ndjson",
       "nope.textproto"},
      {"--rules rules.textproto --catalog nope.json --orders orders.ndjson "
       "--returns returns.ndjson",
       "nope.json"},
      {"--rules rules.textproto --catalog catalog.json --orders nope.ndjson "
       "--returns returns.ndjson",
       "nope.ndjson"},
      {"--rules rules.textproto --catalog catalog.json --orders orders.ndjson "
       "--returns nope.ndjson",
       "nope.ndjson"},
      {"--rules bad_rules.textproto --catalog catalog.json --orders "
       "orders.ndjson --returns returns.ndjson",
       "bad_rules.textproto"},
      {"--rules rules.textproto --catalog bad_catalog.json --orders "
       "orders.ndjson --returns returns.ndjson",
       "bad_catalog.json"}};
  for (const Case& c : cases) {
    CliRun run = Run("plan " + c.args + rest);
    EXPECT_EQ(run.code, 1) << c.args << "\n" << Show(run);
    EXPECT_THAT(run.err, HasSubstr(c.named)) << c.args;
  }
}

TEST_F(CliSpecTest, PlanEmptyReturnsFileIsANormalRun) {
  CopyPlanInputs(tmp_);
  WriteFile(tmp_ + "/empty.ndjson", "");
  WriteFile(tmp_ + "/blank.ndjson", "\n\r\n  \n");
  WriteFile(tmp_ + "/emptyarray.json", " [ ] ");
  for (const char* returns :
       {"empty.ndjson", "blank.ndjson", "emptyarray.json"}) {
    CliRun run = Run(std::string("plan --rules rules.textproto --catalog "
                                 "catalog.json --orders orders.ndjson "
                                 "--returns ") +
                     returns + " --out o");
    EXPECT_EQ(run.code, 0) << returns << "\n" << Show(run);
    EXPECT_THAT(run.out, HasSubstr("Returns: 0 read")) << returns;
    EXPECT_EQ(ReadFile(tmp_ + "/o/postings.ndjson"), "") << returns;
  }
}

// The first record of returns.ndjson (RG-9001, order 5528190001 / #1001).
std::string FirstReturn() {
  return Lines(ReadFile(DataDir() + "/plan/returns.ndjson"))[0];
}
std::string Replace(std::string text, const std::string& from,
                    const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

TEST_F(CliSpecTest, PlanBadRecordsAreReportedWithFileLineAndFieldAndSkipped) {
  CopyPlanInputs(tmp_);
  const std::string good = FirstReturn();
  const std::string unknown_field =
      Replace(Replace(good, "RG-9001", "RG-X4"), "\"status\"",
              "\"bogus_field\":1,\"status\"");
  const std::string missing_order = Replace(
      Replace(Replace(good, "RG-9001", "RG-X6"), "5528190001", "5528199999"),
      "#1001", "#1999");
  // Line 1 good, 2 not JSON, 3 blank, 4 unknown field, 5 not an object,
  // 6 an order that is not in orders.ndjson; CRLF line ends.
  WriteFile(tmp_ + "/mixed.ndjson", good + "\r\n{not json\r\n\r\n" +
                                        unknown_field + "\r\n[1, 2]\r\n" +
                                        missing_order + "\r\n");
  CliRun run =
      Run("plan --rules rules.textproto --catalog catalog.json --orders "
          "orders.ndjson --returns mixed.ndjson --out o");
  EXPECT_EQ(run.code, 3) << Show(run);
  EXPECT_THAT(run.out, HasSubstr("Returns: 5 read"));
  EXPECT_THAT(run.out, HasSubstr("1 planned"));
  EXPECT_THAT(run.err, HasSubstr("mixed.ndjson:2: "));
  EXPECT_THAT(run.err, HasSubstr("mixed.ndjson:4: "));
  EXPECT_THAT(run.err, HasSubstr("bogus_field"));
  EXPECT_THAT(run.err, HasSubstr("mixed.ndjson:5: "));
  // cli.md, "Bad records", word for word but for the file name.
  EXPECT_THAT(run.err,
              HasSubstr("mixed.ndjson:6: return.order_id: order '5528199999' "
                        "(order_number '#1999') is not in orders.ndjson"));
  EXPECT_THAT(run.err, testing::Not(HasSubstr("mixed.ndjson:1:")));
  EXPECT_THAT(run.err, testing::Not(HasSubstr("mixed.ndjson:3:")));
  EXPECT_FALSE(ReadFile(tmp_ + "/o/postings.ndjson").empty());
}

TEST_F(CliSpecTest, PlanArrayElementsAreLocatedByLineAndIndex) {
  CopyPlanInputs(tmp_);
  const std::string good = FirstReturn();
  const std::string bad = Replace(Replace(good, "RG-9001", "RG-X2"),
                                  "\"status\"", "\"bogus_field\":1,\"status\"");
  // Element [0] on line 2, [1] on line 3, [2] also on line 3.
  WriteFile(tmp_ + "/arr.json",
            "[\n" + good + ",\n" + bad + ", " + bad + "\n]\n");
  CliRun run =
      Run("plan --rules rules.textproto --catalog catalog.json --orders "
          "orders.ndjson --returns arr.json --out o");
  EXPECT_EQ(run.code, 3) << Show(run);
  EXPECT_THAT(run.err, HasSubstr("arr.json:3 (element [1]): "));
  EXPECT_THAT(run.err, HasSubstr("arr.json:3 (element [2]): "));
  // An unclosed array: the file cannot be read whole.
  WriteFile(tmp_ + "/unclosed.json", "[\n" + good + ",\n");
  CliRun unclosed =
      Run("plan --rules rules.textproto --catalog catalog.json --orders "
          "orders.ndjson --returns unclosed.json --out o2");
  EXPECT_NE(unclosed.code, 0) << Show(unclosed);
  EXPECT_NE(unclosed.code, 2) << Show(unclosed);
  EXPECT_THAT(unclosed.err, HasSubstr("unclosed.json"));
}

TEST_F(CliSpecTest, PlanRepeatedOrderIdIsABadRecordAndTheFirstIsUsed) {
  CopyPlanInputs(tmp_);
  std::vector<std::string> orders = Lines(ReadFile(tmp_ + "/orders.ndjson"));
  std::string text;
  for (const std::string& o : orders) text += o + "\n";
  text += orders[0] + "\n";
  WriteFile(tmp_ + "/orders_dup.ndjson", text);
  WriteFile(tmp_ + "/one.ndjson", FirstReturn() + "\n");
  CliRun run =
      Run("plan --rules rules.textproto --catalog catalog.json --orders "
          "orders_dup.ndjson --returns one.ndjson --out o");
  EXPECT_EQ(run.code, 3) << Show(run);
  EXPECT_THAT(run.err, HasSubstr(absl::StrCat(
                           "orders_dup.ndjson:", orders.size() + 1, ": ")));
  EXPECT_THAT(run.out, HasSubstr("Returns: 1 read, 1 planned, 0 failed"));
}

TEST_F(CliSpecTest, PlanAsOfWithARuleSetAndARuleBook) {
  CopyPlanInputs(tmp_);
  WriteFile(tmp_ + "/book.textproto",
            ReadFile(DataDir() + "/plan/rules_book.textproto"));
  CliRun ok =
      Run("plan --rules book.textproto --catalog catalog.json --orders "
          "orders.ndjson --returns returns.ndjson --out o --as-of 2099-01-01");
  EXPECT_TRUE(ok.code == 0 || ok.code == 3 || ok.code == 1) << Show(ok);
  // A day no version covers stops the run: exit 1.
  CliRun early =
      Run("plan --rules book.textproto --catalog catalog.json --orders "
          "orders.ndjson --returns returns.ndjson --out o2 --as-of 1900-01-01");
  EXPECT_EQ(early.code, 1) << Show(early);
}

TEST_F(CliSpecTest, PlanStatsGoesToStderr) {
  CopyPlanInputs(tmp_);
  CliRun plain =
      Run("plan --rules rules.textproto --catalog catalog.json --orders "
          "orders.ndjson --returns returns.ndjson --out a");
  CliRun stats =
      Run("plan --rules rules.textproto --catalog catalog.json --orders "
          "orders.ndjson --returns returns.ndjson --out b --stats");
  EXPECT_EQ(stats.code, plain.code) << Show(stats);
  EXPECT_EQ(stats.out, Replace(plain.out, "a/", "b/"));
  EXPECT_GT(stats.err.size(), plain.err.size());
  EXPECT_EQ(ReadFile(tmp_ + "/a/postings.ndjson"),
            ReadFile(tmp_ + "/b/postings.ndjson"));
}

// --- rules
// --------------------------------------------------------------------

TEST_F(CliSpecTest, RulesCheckSampleRules) {
  CliRun check = Run("rules check rules.textproto", DataDir());
  EXPECT_EQ(check.code, 0) << Show(check);
  ASSERT_FALSE(Lines(check.out).empty());
  EXPECT_THAT(Lines(check.out).back(), StartsWith("OK: valid"));
  CliRun flag = Run("rules check --rules rules.textproto", DataDir());
  EXPECT_EQ(flag.code, 0) << Show(flag);
  EXPECT_EQ(flag.out, check.out);
  // cli-rules.md: the sample rules have gaps on purpose, so --strict fails.
  CliRun strict = Run("rules check rules.textproto --strict", DataDir());
  EXPECT_EQ(strict.code, 1) << Show(strict);
  ASSERT_FALSE(Lines(strict.out + strict.err).empty());
  EXPECT_THAT(strict.out + strict.err, HasSubstr("FAILED (--strict)"));
  CliRun missing = Run("rules check no_such_rules.textproto");
  EXPECT_EQ(missing.code, 1) << Show(missing);
  EXPECT_THAT(missing.err, HasSubstr("no_such_rules.textproto"));
}

TEST_F(CliSpecTest, RulesCheckErrorsQuotedInTheDocs) {
  struct Case {
    std::string file;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"rules/bad_syntax.textproto",
       "rules/bad_syntax.textproto:14:11: Message type \"retcon.v1.Row\" "
       "has no field named \"decisions\"."},
      {"rules/unknown_field.textproto",
       "rules/unknown_field.textproto:4: decision 'depot' input 'location': "
       "unknown field 'location' in retcon.v1.ReturnItemFact"},
      {"rules/bad_enum.textproto",
       "rules/bad_enum.textproto:13: decision 'disposition' row 'P1' output "
       "'disposition': unknown enum value 'DISPOSITION_QUARANTINED' of "
       "retcon.v1.Disposition"},
      {"rules/wrong_fact_type.textproto",
       "rules/wrong_fact_type.textproto:16: decision 'depot' must take a "
       "retcon.v1.ReturnItemFact, not a retcon.v1.RefundFact"}};
  for (const Case& c : cases) {
    CliRun run = Run("rules check " + c.file, DataDir());
    EXPECT_EQ(run.code, 1) << c.file << "\n" << Show(run);
    EXPECT_THAT(run.err, HasSubstr(c.message)) << c.file;
    // "nothing else is printed"
    EXPECT_EQ(run.out, "") << c.file;
  }
}

TEST_F(CliSpecTest, RulesCheckFindingsAsDocumented) {
  CliRun run = Run("rules check rules/findings.textproto", DataDir());
  EXPECT_EQ(run.code, 0) << Show(run);
  for (const char* line :
       {"rules/findings.textproto:30: shadowed row: decision 'disposition': "
        "row 'P3' is shadowed by row 'P2' (FIRST): it can never fire",
        "rules/findings.textproto:30: unreachable output: decision "
        "'disposition' output 'disposition': value {enum_value: "
        "\"DISPOSITION_WRITE_OFF\"} is unreachable (only in shadowed rows P3)",
        "rules/findings.textproto:46: overlap: decision "
        "'exchange_order_type': rows 'X1' and 'X2' overlap (UNIQUE): a fact "
        "matching both is an evaluation error",
        "rules/findings.textproto:39: gap: decision 'exchange_order_type': no "
        "row covers country_code = <any other value>, price_difference_minor "
        "= -1",
        "OK: valid, 5 findings (2 gaps, 1 overlap, 1 shadowed row, 1 "
        "unreachable output)"}) {
    EXPECT_THAT(run.out, HasSubstr(line));
  }
  CliRun strict =
      Run("rules check rules/findings.textproto --strict", DataDir());
  EXPECT_EQ(strict.code, 1) << Show(strict);
}

// The explain output of cli-rules.md, word for word.
const char kExplainDepotDoc[] =
    "Decision 'depot' (FIRST over retcon.v1.ReturnItemFact) at "
    "rules.textproto:25, rule set 'harrow-hale-returns' version '2026-11', "
    "in force from 2026-11-01\n"
    "  Inputs seen:\n"
    "    reason_code = \"TOO_BIG\"\n"
    "    return_location = \"STORE-MAN\"\n"
    "  Rows matched: none\n"
    "  Winner: none (no row matched; no default outputs)\n"
    "  Outcome: <no match>\n"
    "  With no match, the planner parks the stock movement as "
    "NO_DEPOT_MAPPING.\n";

// cli-rules.md ("explain"), word for word: `Decision 'depot' ... at
// rules.textproto:25`, where the depot `decisions {` block opens (the doc
// said :24 until the cross-check found it).
TEST_F(CliSpecTest, RulesExplainLineNumberAsDocumented) {
  CliRun run = Run(
      "rules explain --rules rules.textproto --fact rules/manchester_item.json "
      "--decision depot",
      DataDir());
  EXPECT_EQ(run.code, 0) << Show(run);
  EXPECT_EQ(run.out, kExplainDepotDoc);
}

TEST_F(CliSpecTest, RulesExplainAsDocumented) {
  CliRun run = Run(
      "rules explain --rules rules.textproto --fact rules/manchester_item.json "
      "--decision depot",
      DataDir());
  EXPECT_EQ(run.code, 0) << Show(run);
  // Word for word once the decision's line number is out of both.
  auto without_line = [](std::string text) {
    size_t at = text.find("rules.textproto:");
    if (at != std::string::npos) text.erase(at, text.find(',', at) - at);
    return text;
  };
  EXPECT_EQ(without_line(run.out), without_line(kExplainDepotDoc));
  CliRun wrong =
      Run("rules explain --rules rules.textproto --fact rules/refund_euro.json "
          "--decision depot",
          DataDir());
  EXPECT_EQ(wrong.code, 1) << Show(wrong);
  EXPECT_THAT(wrong.err,
              HasSubstr("rules/refund_euro.json: fact.computed_minor: unknown "
                        "field (read as a retcon.v1.ReturnItemFact, the fact "
                        "of decision 'depot'; it reads as a "
                        "retcon.v1.RefundFact, the fact of refund_policy and "
                        "refund_tolerance)"));
}

TEST_F(CliSpecTest, RulesWhatIfWithAndWithoutOrders) {
  CliRun same =
      Run("rules what-if --old rules.textproto --new rules.textproto --returns "
          "plan/returns.ndjson",
          DataDir());
  EXPECT_TRUE(same.code == 0 || same.code == 3) << Show(same);
  CliRun planned = Run(
      "rules what-if --old rules.textproto --new rules/proposed.textproto "
      "--returns plan/returngo_rmas.ndjson --orders plan/shopify_orders.json "
      "--catalog plan/catalog.json",
      DataDir());
  EXPECT_TRUE(planned.code == 0 || planned.code == 3) << Show(planned);
  EXPECT_THAT(planned.out, StartsWith("What-if: rules.textproto (old) -> "
                                      "rules/proposed.textproto (new)\n"));
  CliRun missing =
      Run("rules what-if --old rules.textproto --new rules.textproto --returns "
          "no_such.ndjson",
          DataDir());
  EXPECT_EQ(missing.code, 1) << Show(missing);
}

// --- reconcile: files and exit codes ---------------------------------------

TEST_F(CliSpecTest, ReconcileMissingFilesExitOne) {
  CliRun run =
      Run("reconcile --returns no_returns.ndjson --erp no_erp.ndjson "
          "--as-of 2026-01-31");
  EXPECT_EQ(run.code, 1) << Show(run);
  EXPECT_THAT(run.err, HasSubstr("no_returns.ndjson"));
}

// --- README's two commands
// ----------------------------------------------------

TEST_F(CliSpecTest, ReadmeToolCommandsRun) {
  // README: `build/bin/retcon --help`, the E1 apportion and `rules check`.
  EXPECT_EQ(Run("--help").code, 0);
  CliRun apportion =
      Run("apportion --order examples/data/order_1005_six_units.json "
          "--return L1:1 --then L1:3 --then L1:2",
          RepoRoot());
  EXPECT_EQ(apportion.code, 0) << Show(apportion);
  CliRun check = Run("rules check examples/data/rules.textproto", RepoRoot());
  EXPECT_EQ(check.code, 0) << Show(check);
}

// README.md, "Quick start": `make demo` plans the sample month (311 Shopify
// orders, 130 ReturnGo RMAs) with a fresh ledger and prints the summary it
// quotes; the same feed again posts nothing. The same two runs as
// scripts/demo.sh, here in a temp dir.
TEST_F(CliSpecTest, ReadmeMainJobFiguresAndRerun) {
  const std::string month = DataDir() + "/month";
  const std::string cp = "cp -R '" + month + "' '" + DataDir() +
                         "/rules.textproto' '" + tmp_ + "/'";
  ASSERT_EQ(std::system(cp.c_str()), 0);
  const std::string plan =
      "plan --rules rules.textproto --catalog month/catalog.textproto "
      "--orders month/orders.ndjson --returns month/returns.ndjson --ledger "
      "ledger.sqlite --out .";
  CliRun first = Run(plan);
  EXPECT_EQ(first.code, 3) << Show(first);  // it has broken records
  // 311 orders and 130 RMAs, plus the deliberately broken records.
  long long orders_read = 0, orders_failed = 0, returns_read = 0,
            returns_planned = 0, returns_failed = 0;
  ASSERT_EQ(std::sscanf(first.out.c_str(),
                        "Orders: %lld read, %lld failed\nReturns: %lld read, "
                        "%lld planned, %lld failed",
                        &orders_read, &orders_failed, &returns_read,
                        &returns_planned, &returns_failed),
            5)
      << first.out;
  EXPECT_EQ(orders_read - orders_failed, 311);
  EXPECT_EQ(returns_planned, 130);
  EXPECT_EQ(returns_read - returns_failed, 130);
  for (const char* line :
       {"Postings: 310 new -> ./postings.ndjson\n",
        "  credit notes         88  EUR 626.25, GBP 7767.00\n",
        "  stock movements     202  202 units\n",
        "  exchange orders      20  20 units sent\n",
        "  charge lines          3  GBP 64.00\n",
        "  already posted, dropped: 0; parked: 3 credit notes, 3 stock "
        "movements, 3 exchange orders\n",
        "Exceptions: 12 new -> ./exceptions.ndjson (1 already queued, not "
        "repeated)\n",
        "  DUPLICATE_SIGNAL         OPERATIONS              2\n",
        "  INCOMPLETE_EXCHANGE      CUSTOMER_SERVICE        2\n"}) {
    EXPECT_THAT(first.out, HasSubstr(line));
  }
  EXPECT_EQ(Lines(ReadFile(tmp_ + "/postings.ndjson")).size(), 310u);
  EXPECT_EQ(Lines(ReadFile(tmp_ + "/exceptions.ndjson")).size(), 12u);
  CliRun second = Run(plan);
  EXPECT_EQ(second.code, 3) << Show(second);
  EXPECT_THAT(second.out, HasSubstr("Postings: 0 new"));
  EXPECT_THAT(second.out, HasSubstr("already posted, dropped: 310"));
  EXPECT_EQ(ReadFile(tmp_ + "/postings.ndjson"), "");
}

TEST_F(CliSpecTest, PlanCommitEveryDoesNotChangeTheOutput) {
  CopyPlanInputs(tmp_);
  const std::string base =
      "plan --rules rules.textproto --catalog catalog.json --orders "
      "orders.ndjson --returns returns.ndjson";
  CliRun every1 = Run(base + " --ledger a.db --out a --commit-every 1");
  CliRun every100 = Run(base + " --ledger b.db --out b --commit-every=100");
  EXPECT_EQ(every1.code, every100.code) << Show(every1);
  EXPECT_EQ(ReadFile(tmp_ + "/a/postings.ndjson"),
            ReadFile(tmp_ + "/b/postings.ndjson"));
  EXPECT_EQ(ReadFile(tmp_ + "/a/exceptions.ndjson"),
            ReadFile(tmp_ + "/b/exceptions.ndjson"));
}

TEST_F(CliSpecTest, PlanOverlappingFeedPostsOnlyTheNewReturns) {
  // A first feed of the first 3 records, then the whole feed: the second
  // run posts what the first did not, and the union has no key twice.
  CopyPlanInputs(tmp_);
  std::vector<std::string> all = Lines(ReadFile(tmp_ + "/returns.ndjson"));
  std::string head;
  for (size_t i = 0; i < 3 && i < all.size(); ++i) head += all[i] + "\n";
  WriteFile(tmp_ + "/head.ndjson", head);
  const std::string base =
      "plan --rules rules.textproto --catalog catalog.json --orders "
      "orders.ndjson --ledger l.db";
  CliRun first = Run(base + " --returns head.ndjson --out one");
  ASSERT_TRUE(first.code == 0 || first.code == 3) << Show(first);
  CliRun second = Run(base + " --returns returns.ndjson --out two");
  ASSERT_TRUE(second.code == 0 || second.code == 3) << Show(second);
  CliRun alone = Run(
      "plan --rules rules.textproto --catalog catalog.json --orders "
      "orders.ndjson --returns returns.ndjson --ledger fresh.db --out alone");
  std::vector<std::string> keys;
  auto key_of = [](const std::string& line) {
    size_t at = line.find("\"idempotency_key\"");
    return at == std::string::npos ? line : line.substr(at, 60);
  };
  for (const char* dir : {"/one", "/two"}) {
    for (const std::string& line :
         Lines(ReadFile(tmp_ + dir + "/postings.ndjson"))) {
      keys.push_back(key_of(line));
    }
  }
  std::vector<std::string> alone_keys;
  for (const std::string& line :
       Lines(ReadFile(tmp_ + "/alone/postings.ndjson"))) {
    alone_keys.push_back(key_of(line));
  }
  std::sort(keys.begin(), keys.end());
  std::sort(alone_keys.begin(), alone_keys.end());
  EXPECT_EQ(std::adjacent_find(keys.begin(), keys.end()), keys.end());
  EXPECT_EQ(keys, alone_keys);
}

// cli.md, "Guarantees and crash semantics": a run killed right after a
// commit (RETCON_TEST_CRASH_AFTER=N, exit 86) and then rerun posts every
// posting exactly once: the union equals one uninterrupted run.
TEST_F(CliSpecTest, PlanCrashThenRerunLosesNothingAndDuplicatesNothing) {
  CopyPlanInputs(tmp_);
  const std::string base =
      "plan --rules rules.textproto --catalog catalog.json --orders "
      "shopify_orders.json --returns returngo_rmas.ndjson";
  CliRun alone = Run(base + " --ledger alone.db --out alone");
  ASSERT_TRUE(alone.code == 0 || alone.code == 3) << Show(alone);
  CliRun crashed =
      Run("--version >/dev/null; RETCON_TEST_CRASH_AFTER=1 '" + RetconBinary() +
          "' " + base + " --ledger l.db --out o --commit-every 1");
  EXPECT_EQ(crashed.code, 86) << Show(crashed);
  CliRun rerun = Run(base + " --ledger l.db --out o --commit-every 1");
  EXPECT_EQ(rerun.code, alone.code) << Show(rerun);
  std::vector<std::string> got = Lines(ReadFile(tmp_ + "/o/postings.ndjson"));
  std::vector<std::string> want =
      Lines(ReadFile(tmp_ + "/alone/postings.ndjson"));
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
}

TEST_F(CliSpecTest, PlanRefusesAnotherApplicationsSqliteFile) {
  CopyPlanInputs(tmp_);
  const std::string make =
      "python3 -c \"import sqlite3; c = sqlite3.connect('" + tmp_ +
      "/other.db'); c.execute('CREATE TABLE t (x)'); c.commit()\"";
  if (std::system(make.c_str()) != 0) GTEST_SKIP() << "no python3 sqlite3";
  const std::string before = ReadFile(tmp_ + "/other.db");
  CliRun run =
      Run("plan --rules rules.textproto --catalog catalog.json --orders "
          "orders.ndjson --returns returns.ndjson --ledger other.db --out o");
  EXPECT_EQ(run.code, 1) << Show(run);
  EXPECT_THAT(run.err, HasSubstr("other.db"));
  EXPECT_FALSE(Exists(tmp_ + "/o/postings.ndjson"));
  EXPECT_EQ(ReadFile(tmp_ + "/other.db"), before);
}

// cli.md (`--out DIR`: "the directory is created if missing"), parents
// too (only the last level was, until the cross-check found it).
TEST_F(CliSpecTest, PlanCreatesANestedOutDirectory) {
  CopyPlanInputs(tmp_);
  CliRun run =
      Run("plan --rules rules.textproto --catalog catalog.json --orders "
          "orders.ndjson --returns returns.ndjson --out a/b/c --format=auto");
  ASSERT_TRUE(run.code == 0 || run.code == 3) << Show(run);
  EXPECT_TRUE(Exists(tmp_ + "/a/b/c/postings.ndjson"));
  EXPECT_TRUE(Exists(tmp_ + "/a/b/c/exceptions.ndjson"));
}

TEST_F(CliSpecTest, ReconcileWithNothingReadableExitsOneAndWritesNoReport) {
  WriteFile(tmp_ + "/returns.ndjson", "{not json\n[1]\n\"x\"\n");
  WriteFile(tmp_ + "/erp.ndjson", "");
  CliRun run =
      Run("reconcile --returns returns.ndjson --erp erp.ndjson --as-of "
          "2026-01-31");
  EXPECT_EQ(run.code, 1) << Show(run);
  EXPECT_THAT(run.err, HasSubstr("returns.ndjson"));
  EXPECT_EQ(run.out, "");
}

// cli.md, "Summary": the example summary, word for word, is what the
// fixtures of examples/data/plan give (run with `--out out`), and the
// documented bad-record message is among the stderr lines.
TEST_F(CliSpecTest, PlanSummaryWordForWordAsDocumented) {
  CopyPlanInputs(tmp_);
  CliRun run = Run(
      "plan --rules rules.textproto --catalog catalog.json --orders "
      "orders.ndjson --returns returns.ndjson --ledger ledger.db --out out");
  EXPECT_EQ(run.code, 3) << Show(run);
  EXPECT_EQ(run.out,
            "Orders:  5 read, 0 failed\n"
            "Returns: 9 read, 5 planned, 4 failed\n"
            "\n"
            "Postings: 7 new -> out/postings.ndjson\n"
            "  credit notes          3  GBP 82.90\n"
            "  stock movements       3  3 units\n"
            "  exchange orders       1  1 units sent\n"
            "  charge lines          1  GBP 6.79\n"
            "  already posted, dropped: 2; parked: 0 credit notes, 1 stock "
            "movements, 0 exchange orders\n"
            "\n"
            "Stock units by depot x disposition\n"
            "  LEEDS            SELLABLE              2\n"
            "  LONDON-RS        DAMAGED               1\n"
            "\n"
            "Exceptions: 1 new -> out/exceptions.ndjson\n"
            "  NO_DEPOT_MAPPING         OPERATIONS              1\n");
  EXPECT_THAT(run.err,
              HasSubstr("returns.ndjson:7: return.order_id: order "
                        "'5528199999' (order_number '#1999') is not in "
                        "orders.ndjson\n"));
  EXPECT_EQ(Lines(run.err).size(), 4u) << run.err;  // 4 failed, 4 lines
}

// cli.md ("Exit codes": 3 is for `plan`, `reconcile`, `rules what-if`), and
// so says `retcon --help` (it left out reconcile until the cross-check).
TEST_F(CliSpecTest, TopLevelHelpExitThreeNamesReconcile) {
  CliRun help = Run("--help");
  EXPECT_EQ(help.code, 0) << Show(help);
  size_t at = help.out.find("\n  3  ");
  ASSERT_NE(at, std::string::npos) << help.out;
  EXPECT_THAT(help.out.substr(at, 60), HasSubstr("reconcile"));
}

// The first RMA of examples/data/plan/returngo_rmas.ndjson (10001, against
// Shopify order 5528190001, its first item returnedItemId "9001" on line
// item 13711044001001).
std::string FirstRma() {
  return Lines(ReadFile(DataDir() + "/plan/returngo_rmas.ndjson"))[0];
}

CliRun PlanRmas(CliSpecTest* test, const std::string& tmp,
                const std::vector<std::string>& records) {
  std::string text;
  for (const std::string& record : records) text += record + "\n";
  WriteFile(tmp + "/r.ndjson", text);
  return test->RunPublic(
      "plan --rules rules.textproto --catalog catalog.json --orders "
      "shopify_orders.json --returns r.ndjson --out o");
}

TEST_F(CliSpecTest, PlannerRejectionNamesTheRmaAndTheSourceField) {
  CopyPlanInputs(tmp_);
  const std::string bad =
      Replace(FirstRma(), "\"shopLineItemId\":13711044001001",
              "\"shopLineItemId\":999");
  ASSERT_NE(bad, FirstRma());
  CliRun run = PlanRmas(this, tmp_, {bad});
  EXPECT_EQ(run.code, 3) << Show(run);
  // cli.md, "Input formats", word for word but for the file name.
  EXPECT_THAT(run.err,
              HasSubstr("r.ndjson:1: RMA '10001' (as retcon.v1.ReturnRequest): "
                        "return.lines[0].order_line_id (from shopLineItemId of "
                        "the item with returnedItemId \"9001\"): the order has "
                        "no line '999'"));
}

TEST_F(CliSpecTest, RecordsBeforeTheFirstRecognisedOneAreReadAsItsKind) {
  CopyPlanInputs(tmp_);
  CliRun run = PlanRmas(this, tmp_, {"{\"foo\": 1}", FirstRma()});
  EXPECT_EQ(run.code, 3) << Show(run);
  // Read as a ReturnGo RMA: the adapter's own message.
  EXPECT_THAT(run.err,
              HasSubstr("r.ndjson:1: rmaSummary.rmaId: required field is "
                        "missing"));
  EXPECT_THAT(run.out, HasSubstr("Returns: 2 read, 1 planned, 1 failed"));
  // Nothing recognisable at all: each is `not a recognisable return`.
  CliRun none = PlanRmas(this, tmp_, {"{\"foo\": 1}", "[1]", "nope"});
  EXPECT_EQ(none.code, 3) << Show(none);
  for (int line = 1; line <= 3; ++line) {
    EXPECT_THAT(none.err,
                HasSubstr(absl::StrCat("r.ndjson:", line,
                                       ": not a recognisable return")));
  }
  // A Shopify order among RMAs is reported as such.
  const std::string order_json =
      Lines(ReadFile(tmp_ + "/orders.ndjson"))[0];  // a retcon.v1 order
  CliRun mixed = PlanRmas(this, tmp_, {FirstRma(), order_json});
  EXPECT_EQ(mixed.code, 3) << Show(mixed);
  EXPECT_THAT(mixed.err, HasSubstr("r.ndjson:2: "));
  EXPECT_THAT(mixed.out, HasSubstr("Returns: 2 read, 1 planned, 1 failed"));
}

TEST_F(CliSpecTest, AReturnDeliveredTwiceInOneRunPostsOnce) {
  CopyPlanInputs(tmp_);
  CliRun once = PlanRmas(this, tmp_, {FirstRma()});
  ASSERT_EQ(once.code, 0) << Show(once);
  const std::string postings = ReadFile(tmp_ + "/o/postings.ndjson");
  ASSERT_FALSE(postings.empty());
  CliRun twice = PlanRmas(this, tmp_, {FirstRma(), FirstRma()});
  EXPECT_EQ(twice.code, 0) << Show(twice);
  EXPECT_EQ(ReadFile(tmp_ + "/o/postings.ndjson"), postings);
  EXPECT_THAT(twice.out, HasSubstr(absl::StrCat("already posted, dropped: ",
                                                Lines(postings).size())));
}

const char kWhatIfMonth[] =
    "rules what-if --old rules.textproto --new rules/proposed.textproto "
    "--returns month/returns.ndjson --orders month/orders.ndjson --catalog "
    "month/catalog.textproto";

// cli-rules.md, "what-if": the month example, all but its two counts (the
// test below).
TEST_F(CliSpecTest, RulesWhatIfMonthAsDocumented) {
  CliRun run = Run(kWhatIfMonth, DataDir());
  EXPECT_EQ(run.code, 3) << Show(run);  // 4 records skipped
  EXPECT_THAT(
      run.out,
      StartsWith("What-if: rules.textproto (old) -> "
                 "rules/proposed.textproto (new)\n"
                 "Planned 130 returns against 311 orders under both; "));
  EXPECT_THAT(run.out,
              HasSubstr(" outcomes compared (one per return line, one per "
                        "return); 4 records skipped\n"
                        "Exceptions (old): DUPLICATE_SIGNAL 2, "
                        "INCOMPLETE_EXCHANGE 2, NO_DEPOT_MAPPING 1, "));
  EXPECT_THAT(run.out, HasSubstr("\nExceptions (new): DUPLICATE_SIGNAL 2, "
                                 "INCOMPLETE_EXCHANGE 2, OVER_REFUND 1, "));
  EXPECT_THAT(run.out, HasSubstr(" in 11 returns\n\n14 x\n"
                                 "  old: stock=LONDON-RS/SELLABLE credit=ready "
                                 "exchange=- exceptions=-\n"
                                 "  new: stock=LEEDS/SELLABLE credit=ready "
                                 "exchange=- exceptions=-\n"
                                 "  e.g. 40010559/90000034, "));
  EXPECT_THAT(run.out, HasSubstr("\n1 x\n"
                                 "  old: stock=held credit=ready exchange=- "
                                 "exceptions=NO_DEPOT_MAPPING\n"
                                 "  new: stock=MANCHESTER-PU/SELLABLE "
                                 "credit=ready exchange=- exceptions=-\n"
                                 "  e.g. 40010078/90000006\n"));
  EXPECT_EQ(Lines(run.err).size(), 4u) << run.err;
}

// cli-rules.md ("what-if" example): its counts (they were stale, 306 and
// 17, until the cross-check found them).
TEST_F(CliSpecTest, RulesWhatIfMonthCountsAsDocumented) {
  CliRun run = Run(kWhatIfMonth, DataDir());
  EXPECT_EQ(run.code, 3) << Show(run);
  EXPECT_THAT(run.out,
              HasSubstr("Planned 130 returns against 311 orders under both; "
                        "353 outcomes compared (one per return line, one per "
                        "return); 4 records skipped\n"));
  EXPECT_THAT(run.out, HasSubstr("\nChanged: 20 outcomes in 11 returns\n"));
}

int CountLinesWith(const std::string& text, const std::string& part) {
  int n = 0;
  for (const std::string& line : Lines(text))
    n += line.find(part) != std::string::npos;
  return n;
}

// cli-rules.md, "check": the sample rules have two kinds of finding on
// purpose, both gaps: `depot` has no catch-all row, `exception_routing` has no
// row for REPLAY_CONFLICT; findings are warnings on stdout, exit 0.
TEST_F(CliSpecTest, RulesCheckSampleGapsAreTheDocumentedOnes) {
  CliRun run = Run("rules check rules.textproto", DataDir());
  EXPECT_EQ(run.code, 0) << Show(run);
  EXPECT_EQ(run.err, "");
  EXPECT_GE(CountLinesWith(run.out, ": gap: decision 'depot': "), 1);
  EXPECT_GE(CountLinesWith(run.out,
                           ": gap: decision 'exception_routing': no row covers "
                           "code = EXCEPTION_CODE_REPLAY_CONFLICT"),
            1);
  EXPECT_EQ(
      CountLinesWith(run.out, ": gap: "),
      CountLinesWith(run.out, ": gap: decision 'depot': ") +
          CountLinesWith(run.out, ": gap: decision 'exception_routing': "));
  EXPECT_EQ(CountLinesWith(run.out, ": shadowed row: ") +
                CountLinesWith(run.out, ": overlap: ") +
                CountLinesWith(run.out, ": unreachable output: "),
            0);
}

// cli-rules.md ("check"): the sample rules' uncovered `exception_routing`
// codes are three lines, `(any amount_minor, severity)` (the doc said nine,
// from before gaps were merged, until the cross-check found it).
TEST_F(CliSpecTest, RulesCheckSampleHasThreeExceptionRoutingGapLines) {
  CliRun run = Run("rules check rules.textproto", DataDir());
  EXPECT_EQ(run.code, 0) << Show(run);
  EXPECT_EQ(CountLinesWith(run.out, ": gap: decision 'exception_routing': "), 3)
      << run.out;
}

// cli.md, "The ledger": `ledger.db.lock` is held (flock) for the whole run,
// so a second `retcon plan` on the same ledger is refused (exit 1).
TEST_F(CliSpecTest, PlanRefusesALedgerInUse) {
  CopyPlanInputs(tmp_);
  const std::string args =
      "plan --rules rules.textproto --catalog catalog.json --orders "
      "orders.ndjson --returns returns.ndjson --ledger l.db";
  CliRun first = Run(args + " --out o1");
  ASSERT_EQ(first.code, 3) << Show(first);
  ASSERT_TRUE(Exists(tmp_ + "/l.db.lock"));
  if (std::system("command -v flock >/dev/null && command -v timeout "
                  ">/dev/null") != 0) {
    GTEST_SKIP() << "no flock(1) or timeout(1)";
  }
  // flock(1) holds the lock while the second run goes.
  CliRun held = Run("--version >/dev/null; timeout 60 flock l.db.lock '" +
                    RetconBinary() + "' " + args + " --out o2");
  EXPECT_EQ(held.code, 1) << Show(held);
  EXPECT_THAT(held.err, HasSubstr("l.db"));
  EXPECT_FALSE(Exists(tmp_ + "/o2/postings.ndjson"));
}

// cli.md, "The ledger": a ledger of another schema version is refused with
// exit 1 and nothing is written.
TEST_F(CliSpecTest, PlanRefusesALedgerOfAnotherVersion) {
  CopyPlanInputs(tmp_);
  const std::string args =
      "plan --rules rules.textproto --catalog catalog.json --orders "
      "orders.ndjson --returns returns.ndjson --ledger l.db";
  ASSERT_EQ(Run(args + " --out o1").code, 3);
  const std::string bump =
      "python3 -c \"import sqlite3; c = sqlite3.connect('" + tmp_ +
      "/l.db'); c.execute('PRAGMA user_version = 2'); c.commit()\"";
  if (std::system(bump.c_str()) != 0) GTEST_SKIP() << "no python3 sqlite3";
  CliRun run = Run(args + " --out o2");
  EXPECT_EQ(run.code, 1) << Show(run);
  EXPECT_THAT(run.err, HasSubstr("l.db"));
  EXPECT_FALSE(Exists(tmp_ + "/o2/postings.ndjson"));
}

}  // namespace
}  // namespace retcon
