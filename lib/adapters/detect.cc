// DetectPayloadKind: which of the shapes retcon reads a document has.
#include "absl/strings/string_view.h"
#include "lib/adapters/internal/json.h"
#include "retcon/adapters.h"

namespace retcon {
namespace {

using adapters_internal::JsonDocument;
using adapters_internal::JsonValue;

bool Has(const JsonValue& object, absl::string_view key) {
  return object.Find(key) != nullptr;
}

// items[0] has shopLineItemId.
bool HasReturnGoItems(const JsonValue& object) {
  const JsonValue* items = object.Find("items");
  return items != nullptr && items->is_array() && items->size() > 0 &&
         items->element(0).Find("shopLineItemId") != nullptr;
}

bool LooksLikeReturnGo(const JsonValue& o) {
  return Has(o, "rmaSummary") || HasReturnGoItems(o);
}
bool LooksLikeShopify(const JsonValue& o) { return Has(o, "line_items"); }
// retcon.v1 JSON: proto field names or their lowerCamelCase JSON names.
bool LooksLikeRetconReturn(const JsonValue& o) {
  return (Has(o, "return_id") || Has(o, "returnId")) && Has(o, "lines");
}
bool LooksLikeRetconOrder(const JsonValue& o) {
  return (Has(o, "order_id") || Has(o, "orderId")) && Has(o, "lines") &&
         !Has(o, "return_id") && !Has(o, "returnId");
}

}  // namespace

PayloadKind DetectPayloadKind(absl::string_view json) {
  absl::StatusOr<JsonDocument> doc = JsonDocument::Parse(json);
  if (!doc.ok() || !doc->root().is_object()) return PayloadKind::kUnknown;
  const JsonValue* o = &doc->root();
  // The wrappers the API responses use, unwrapped when the adapters would
  // unwrap them: {"rma": {...}}, {"order": {...}}. A wrapper is a match of
  // its kind like any other; one of something else makes the document
  // unknown.
  const JsonValue* rma = o->Find("rma");
  const bool rma_wrapper =
      rma != nullptr && rma->is_object() && !LooksLikeReturnGo(*o);
  const JsonValue* order = o->Find("order");
  const bool order_wrapper =
      order != nullptr && order->is_object() && !LooksLikeShopify(*o);
  if ((rma_wrapper && !LooksLikeReturnGo(*rma)) ||
      (order_wrapper && !LooksLikeShopify(*order))) {
    return PayloadKind::kUnknown;
  }
  PayloadKind kind = PayloadKind::kUnknown;
  int matches = 0;
  const auto match = [&](bool yes, PayloadKind k) {
    if (yes) {
      kind = k;
      ++matches;
    }
  };
  match(rma_wrapper || LooksLikeReturnGo(*o), PayloadKind::kReturnGoRma);
  match(order_wrapper || LooksLikeShopify(*o), PayloadKind::kShopifyOrder);
  match(LooksLikeRetconReturn(*o), PayloadKind::kRetconReturn);
  match(LooksLikeRetconOrder(*o), PayloadKind::kRetconSalesOrder);
  return matches == 1 ? kind : PayloadKind::kUnknown;
}

}  // namespace retcon
