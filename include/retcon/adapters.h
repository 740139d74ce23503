// Adapters: real platform payloads -> retcon.v1 messages.
//
//   absl::StatusOr<retcon::v1::ReturnRequest> ret =
//       retcon::ReturnRequestFromReturnGo(rma_json);   // GET /rma/{id} body
//   absl::StatusOr<retcon::v1::SalesOrder> order =
//       retcon::SalesOrderFromShopify(order_json);     // Shopify order JSON
//
// The adapters are the edge of the library (ARCHITECTURE.md, "adapters"):
// they parse JSON, tolerate what real payloads do (booleans sent as 0/1, ids
// as numbers or strings, amounts as decimal strings or numbers, unknown
// fields), and never compute money: amounts are copied exactly as decimal
// text into integer minor units, never through a double. A field they use
// and cannot read is an error, never a guess; the values of the fields
// adapters.md lists as ignored (ReturnGo's paidPrice amounts, for one) are
// not read at all.
//
// Errors: InvalidArgument naming the JSON path of the field and the reason,
// e.g. `transactions[1].amount.amount: '12.3.4' is not a decimal amount
// (expected digits, e.g. 12.34) (GBP)`,
// `$: not valid JSON at offset 118: expected ',' or '}'`. A missing required
// field is `<path>: required field is missing`.
//
// Thread-safe: the functions keep no state.
// See docs/integration/adapters.md for the field-by-field mapping.
#ifndef RETCON_ADAPTERS_H_
#define RETCON_ADAPTERS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "retcon/v1/order.pb.h"
#include "retcon/v1/return.pb.h"

namespace retcon {

// How to read a ReturnGo RMA. A value type.
struct ReturnGoOptions {
  // Amounts from the shop-currency pair (shopAmount/shopCurrency) of each
  // ReturnGo money object instead of amount/currency (what the customer saw).
  // Either pair is used when the other is absent. Keep it equal to
  // !ShopifyOptions::presentment_money so that returns and orders agree.
  bool shop_money = true;
  // One ReturnLine per items[] entry, that is per unit (return_line_id =
  // its returnedItemId, quantity 1, or the entry's own `quantity` when it
  // carries one), the default. The planner's idempotency keys include the
  // return line id, and a per-unit line's id never changes, however the RMA
  // progresses. Set it to false to group units that agree (same order line,
  // SKU, resolution, inspection outcome and covering transactions) into one
  // line whose id is its first unit's: fewer posting lines, but grouped ids
  // change when an RMA fetched again has a unit judged or refunded
  // differently from its group (a transaction covering 1 of 3 units moves it
  // to a line of its own), and a stock movement posted for the old group
  // then conflicts with the new lines (REPLAY_CONFLICT, or a second movement
  // when the order has units to spare). Group only when each RMA is planned
  // once, finalised.
  // Upgrading: the default used to be grouped. A host that has posted grouped
  // lines sets this to false explicitly until every RMA it posted grouped is
  // finished: unit lines give the same units other return line ids, so other
  // idempotency keys, and their stock movements would be posted again.
  bool line_per_unit = true;
  // ReturnRequest.source of the result.
  std::string source = "returngo";
};

// A ReturnGo RMA, as `GET /rma/{id}` returns it (the JSON object itself, or
// an object wrapping it under "rma"), to a ReturnRequest:
// - return_id from rmaSummary.rmaId, order_id from orderDetails.orderId,
//   order_number from orderDetails.order_name (or rmaSummary.order_name),
//   status from rmaSummary.status;
// - items[] (one per unit) -> one ReturnLine per unit (return_line_id = its
//   returnedItemId); or, without ReturnGoOptions::line_per_unit, grouped by
//   shopLineItemId and SKU, keeping apart units that differ in resolution,
//   inspection outcome (isReturned, isRestockable) or the transactions that
//   cover them, so that no unit's facts are merged into another's;
//   return_line_id is then the first unit's returnedItemId, item_ids are all
//   of them; order_line_id is the
//   shopLineItemId, which is the Shopify order line id that
//   SalesOrderFromShopify uses as line_id, so the two join;
// - itemValidationStatusResponse -> Inspection (absent = not inspected:
//   inspection unset; an absent isReturned/isRestockable stays unset);
// - transactions[] -> RefundTransaction, returnItemIds mapped to the lines
//   holding those units;
// - restockingFee / shipmentFee / returnFee are per unit and summed per line
//   (FEE_TYPE_RESTOCKING / RETURN_SHIPPING / OTHER; zero fees left out);
//   exchangeItems -> ExchangeItem, effectivePrice = the price of one unit.
// Required: rmaSummary.rmaId, rmaSummary.status, orderDetails.orderId or an
// order_name, a non-empty items[] each with shopLineItemId and a unique
// returnedItemId; per transaction id, status and amount; per exchange item a
// sku or variantId. The RMA's currency is that of the first paidPrice (or
// transaction amount); bare amounts are in it.
// The full mapping is in docs/integration/adapters.md.
absl::StatusOr<v1::ReturnRequest> ReturnRequestFromReturnGo(
    absl::string_view rma_json, const ReturnGoOptions& options = {});

// How to read a Shopify order. A value type.
struct ShopifyOptions {
  // Amounts from the `presentment_money` sets (what the customer paid, in the
  // order's presentment currency) instead of `shop_money` (the shop's
  // currency). When a set is absent the plain amount field is used.
  bool presentment_money = false;
  // SalesOrder.order_type and .channel of the result (ERP order type, sales
  // channel for the rules); Shopify's own source_name is not used.
  std::string order_type;
  std::string channel;
  // SalesOrder.source of the result.
  std::string source = "shopify";
};

// A Shopify order (REST Admin API order JSON, the object itself or wrapped
// under "order") to a SalesOrder: line_items with discount_allocations and
// tax_lines, shipping_lines, discount_applications, taxes_included,
// customer, billing and shipping addresses. line_id is the line item's id as
// a decimal string; unit_price is Shopify's `price`, the unit price before
// discounts; a tax line's amount is the tax on the whole line after
// discounts, as Shopify computed it; its rate 0.2 becomes "20", exactly.
// Discount application ids are their indexes in discount_applications, their
// amounts the sum of what was allocated of them; "all"/"across" applications
// are DISCOUNT_LEVEL_ORDER, the others LINE.
// Required: id, currency (presentment_currency with presentment_money),
// line_items[] each with id, quantity > 0 and price; tax_lines[].rate;
// discount_allocations[].amount; shipping_lines[].id and price.
absl::StatusOr<v1::SalesOrder> SalesOrderFromShopify(
    absl::string_view order_json, const ShopifyOptions& options = {});

// What a JSON document looks like, for tools that accept several shapes.
enum class PayloadKind {
  kUnknown,           // None of the below, or not a JSON object.
  kReturnGoRma,       // Has rmaSummary / items with shopLineItemId.
  kShopifyOrder,      // Has line_items.
  kRetconReturn,      // retcon.v1 ReturnRequest JSON (return_id, lines).
  kRetconSalesOrder,  // retcon.v1 SalesOrder JSON (order_id, lines).
};

// Recognises a payload's shape from its top-level keys without parsing the
// whole document into messages. kUnknown when it is ambiguous or not JSON.
PayloadKind DetectPayloadKind(absl::string_view json);

}  // namespace retcon

#endif  // RETCON_ADAPTERS_H_
