// The adapters on typical payloads: a ReturnGo RMA of 3 units (2 lines, one
// refund transaction) and a Shopify order of 2 lines with discounts, taxes
// and shipping (the fixtures of tests/testdata/adapters), plus larger
// generated ones. Reports input bytes/s and records (payloads)/s.
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "lib/adapters/internal/json.h"
#include "retcon/adapters.h"

namespace retcon {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(RETCON_ADAPTERS_TESTDATA) + "/" + name,
                   std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// An RMA of `units` units over units / 2 order lines, each with an
// inspection, half of them covered by one of two transactions.
std::string GeneratedRma(int units) {
  std::string items, ids_a, ids_b;
  for (int u = 0; u < units; ++u) {
    absl::StrAppend(
        &items, u ? "," : "", R"({"shopLineItemId": )", 1000 + u / 2,
        R"(, "returnedItemId": )", 5000 + u, R"(, "sku": "SKU-)", u / 2,
        R"(", "productName": "Product )", u / 2,
        R"(", "paidPrice": {"amount": "19.99", "currency": "GBP", "shopAmount": "19.99", "shopCurrency": "GBP"},
        "returnReason": "TOO_SMALL", "extendedReason": "Runs small",
        "resolutionType": "RefundToPaymentMethod", "restockingFee": "0.50",
        "itemValidationStatusResponse": {"isReturned": 1, "isRestockable": true,
          "storeLocationId": "LEEDS-DC", "lastValidationDate": "2025-03-20T10:00:00Z"}})");
    absl::StrAppend(u % 2 ? &ids_b : &ids_a,
                    (u % 2 ? ids_b : ids_a).empty() ? "" : ",", 5000 + u);
  }
  return absl::StrCat(
      R"({"rmaSummary": {"rmaId": 1, "status": "Done", "order_name": "#1"},
          "orderDetails": {"orderId": 1}, "items": [)",
      items, R"(], "transactions": [
        {"id": 1, "type": "RefundToPaymentMethod", "status": "Success",
         "amount": {"amount": "100.00", "currency": "GBP"}, "returnItemIds": [)",
      ids_a, R"(]},
        {"id": 2, "type": "StoreCredit", "status": "Pending",
         "amount": {"amount": "100.00", "currency": "GBP"}, "returnItemIds": [)",
      ids_b, "]}]}");
}

// A Shopify order of `lines` lines, each with an order-code allocation and
// a tax line with price sets.
std::string GeneratedOrder(int lines) {
  std::string items;
  for (int i = 0; i < lines; ++i) {
    absl::StrAppend(&items, i ? "," : "", R"({"id": )", 137110440000 + i,
                    R"(, "variant_id": 4412033925, "sku": "SKU-)", i,
                    R"(", "name": "Product )", i,
                    R"(", "quantity": 2, "price": "24.99",
        "price_set": {"shop_money": {"amount": "24.99", "currency_code": "GBP"},
                      "presentment_money": {"amount": "24.99", "currency_code": "GBP"}},
        "discount_allocations": [{"amount": "5.00", "discount_application_index": 0,
          "amount_set": {"shop_money": {"amount": "5.00", "currency_code": "GBP"},
                         "presentment_money": {"amount": "5.00", "currency_code": "GBP"}}}],
        "tax_lines": [{"title": "GB VAT", "price": "7.50", "rate": 0.2,
          "price_set": {"shop_money": {"amount": "7.50", "currency_code": "GBP"},
                        "presentment_money": {"amount": "7.50", "currency_code": "GBP"}}}]})");
  }
  return absl::StrCat(
      R"({"id": 5528190001, "name": "#1001", "currency": "GBP", "taxes_included": true,
          "processed_at": "2025-03-14T09:12:38+00:00",
          "customer": {"id": 1, "email": "a@example.com", "first_name": "A", "last_name": "B"},
          "shipping_address": {"name": "A B", "address1": "1 St", "city": "Leeds", "zip": "LS1", "country_code": "GB"},
          "discount_applications": [{"type": "discount_code", "code": "SPRING10",
            "allocation_method": "across", "target_selection": "all", "target_type": "line_item"}],
          "line_items": [)",
      items, R"(], "shipping_lines": [{"id": 1, "title": "Std", "price": "4.95",
          "tax_lines": [{"rate": 0.2, "price": "0.83"}]}]})");
}

template <typename Fn>
void RunAdapter(benchmark::State& state, const std::string& json, Fn adapt) {
  if (absl::Status s = adapt(json).status(); !s.ok()) {
    state.SkipWithError(std::string(s.message()).c_str());
  }
  for (auto _ : state) {
    auto result = adapt(json);
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(state.iterations() * json.size());
  state.SetItemsProcessed(state.iterations());
}

auto ReturnGo = [](absl::string_view json) {
  return ReturnRequestFromReturnGo(json);
};
auto Shopify = [](absl::string_view json) {
  return SalesOrderFromShopify(json);
};

void BM_ReturnGo_TypicalRma(benchmark::State& state) {
  RunAdapter(state, Fixture("returngo_rma_multi_unit_done.json"), ReturnGo);
}
BENCHMARK(BM_ReturnGo_TypicalRma);

void BM_ReturnGo_GeneratedRma(benchmark::State& state) {
  RunAdapter(state, GeneratedRma(state.range(0)), ReturnGo);
}
BENCHMARK(BM_ReturnGo_GeneratedRma)->Arg(40);

void BM_Shopify_TypicalOrder(benchmark::State& state) {
  RunAdapter(state, Fixture("shopify_order_uk_taxes_included.json"), Shopify);
}
BENCHMARK(BM_Shopify_TypicalOrder);

void BM_Shopify_GeneratedOrder(benchmark::State& state) {
  RunAdapter(state, GeneratedOrder(state.range(0)), Shopify);
}
BENCHMARK(BM_Shopify_GeneratedOrder)->Arg(20);

// The JSON reader alone, on the typical order.
void BM_Json_ParseTypicalOrder(benchmark::State& state) {
  RunAdapter(state, Fixture("shopify_order_uk_taxes_included.json"),
             [](absl::string_view json) {
               return adapters_internal::JsonDocument::Parse(json);
             });
}
BENCHMARK(BM_Json_ParseTypicalOrder);

void BM_DetectPayloadKind_TypicalRma(benchmark::State& state) {
  const std::string json = Fixture("returngo_rma_multi_unit_done.json");
  for (auto _ : state) benchmark::DoNotOptimize(DetectPayloadKind(json));
  state.SetBytesProcessed(state.iterations() * json.size());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DetectPayloadKind_TypicalRma);

}  // namespace
}  // namespace retcon
