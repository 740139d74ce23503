// Tests of DetectPayloadKind (lib/adapters/detect.cc).
#include "gtest/gtest.h"
#include "retcon/adapters.h"
#include "tests/adapters/adapters_test_util.h"

namespace retcon {
namespace {

TEST(DetectPayloadKindTest, RecognisesTheFixtures) {
  for (const char* f :
       {"returngo_rma_multi_unit_done.json", "returngo_rma_partial_refund.json",
        "returngo_rma_exchange_uneven.json",
        "returngo_rma_jpy_store_credit.json",
        "returngo_rma_pending_minimal.json"}) {
    EXPECT_EQ(DetectPayloadKind(ReadFixture(f)), PayloadKind::kReturnGoRma)
        << f;
  }
  for (const char* f :
       {"shopify_order_uk_taxes_included.json",
        "shopify_order_us_taxes_excluded.json",
        "shopify_order_eur_zero_rated.json", "shopify_order_jpy.json"}) {
    EXPECT_EQ(DetectPayloadKind(ReadFixture(f)), PayloadKind::kShopifyOrder)
        << f;
  }
}

TEST(DetectPayloadKindTest, RecognisesRetconJson) {
  EXPECT_EQ(DetectPayloadKind(R"({"return_id": "R1", "lines": []})"),
            PayloadKind::kRetconReturn);
  EXPECT_EQ(
      DetectPayloadKind(R"({"returnId": "R1", "orderId": "O1", "lines": []})"),
      PayloadKind::kRetconReturn);
  EXPECT_EQ(DetectPayloadKind(R"({"order_id": "O1", "lines": []})"),
            PayloadKind::kRetconSalesOrder);
  EXPECT_EQ(DetectPayloadKind(R"({"orderId": "O1", "lines": [{}]})"),
            PayloadKind::kRetconSalesOrder);
}

TEST(DetectPayloadKindTest, UnknownWhenAmbiguousOrNotAnObject) {
  EXPECT_EQ(DetectPayloadKind(""), PayloadKind::kUnknown);
  EXPECT_EQ(DetectPayloadKind("{"), PayloadKind::kUnknown);
  EXPECT_EQ(DetectPayloadKind("[]"), PayloadKind::kUnknown);
  EXPECT_EQ(DetectPayloadKind("{}"), PayloadKind::kUnknown);
  EXPECT_EQ(DetectPayloadKind(R"({"lines": []})"), PayloadKind::kUnknown);
  EXPECT_EQ(DetectPayloadKind(R"({"rmaSummary": {}, "line_items": []})"),
            PayloadKind::kUnknown);
  EXPECT_EQ(DetectPayloadKind(R"({"rma": {"x": 1}})"), PayloadKind::kUnknown);
  EXPECT_EQ(DetectPayloadKind(R"({"order": {"line_items": []}})"),
            PayloadKind::kShopifyOrder);
  EXPECT_EQ(DetectPayloadKind(R"({"order": {"line_items": []}, "meta": 1})"),
            PayloadKind::kShopifyOrder);
  EXPECT_EQ(DetectPayloadKind(R"({"rma": {"rmaSummary": {}}, "meta": 1})"),
            PayloadKind::kReturnGoRma);
  EXPECT_EQ(DetectPayloadKind(R"({"items": [{"shopLineItemId": 1}]})"),
            PayloadKind::kReturnGoRma);
}

}  // namespace
}  // namespace retcon
