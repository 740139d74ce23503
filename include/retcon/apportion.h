// Refund apportioning: what each returned unit of a sales order is worth.
//
// The sales order is the single source of truth. For every line retcon works
// out what was paid (gross, discount, net, tax per rate), using the order's
// own discount allocations and tax amounts where it recorded them and
// computing them only when absent. Returned units then get their share by the
// cumulative rule F(m) = round(T * m / Q), continued from what the history
// says was already credited, so any sequence of partial returns refunds
// exactly what the line paid. See docs/money.md.
//
//   retcon::v1::OrderHistory history;        // nothing credited yet
//   std::vector<retcon::ReturnQuantity> ret = {{"L1", "", 2}};
//   absl::StatusOr<retcon::Refund> refund =
//       retcon::ApportionRefund(order, history, ret);
//   if (!refund.ok()) return refund.status();  // "returns[0].quantity: ..."
//   refund->total.gross;                        // minor units to credit
//
// All functions are pure and thread-safe; results are values.
#ifndef RETCON_APPORTION_H_
#define RETCON_APPORTION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "retcon/money.h"
#include "retcon/tax.h"
#include "retcon/v1/catalog.pb.h"
#include "retcon/v1/history.pb.h"
#include "retcon/v1/order.pb.h"
#include "retcon/v1/plan.pb.h"

namespace retcon {

// Tax at one rate, in minor units.
struct TaxShare {
  TaxRate rate;
  int64_t amount = 0;
};
using TaxShares = absl::InlinedVector<TaxShare, 2>;

// Money figures of some units of goods (or shipping), in minor units of the
// order's currency. Always gross == net + tax().
struct Figures {
  int64_t gross = 0;     // Tax-inclusive amount.
  int64_t discount = 0;  // Discount given, in the order's price basis.
  int64_t net = 0;       // gross - tax().
  TaxShares taxes;       // Tax per rate; one entry per distinct rate.
  int64_t tax() const;
};

// What an order line, or one component of a bundle line, was paid.
struct PaidLine {
  int line_index = 0;  // Index into SalesOrder.lines.
  // For a component: index into the line's components, or into the catalog
  // definition's components when the line lists none. -1 for a line.
  int component_index = -1;
  // Line SKU, or the component SKU: a view into the order or the catalog.
  absl::string_view sku;
  int64_t units = 0;  // Units sold (components: bundles x per-bundle).
  Figures paid;
  // For a bundle line: its components are OrderFigures.components
  // [component_begin, component_end). Empty range for other lines.
  int component_begin = 0;
  int component_end = 0;
};

// What a shipping line was paid.
struct PaidShipping {
  int shipping_index = 0;  // Index into SalesOrder.shipping_lines.
  Figures paid;
};

// The paid figures of a whole order. It refers to the SalesOrder and Catalog
// it was computed from (PaidLine::sku): keep them alive while it is used.
struct OrderFigures {
  std::string currency_code;
  int exponent = 2;  // Decimals of the currency.
  // One entry per order line, in order. (Inline storage: an order of up to
  // 16 lines costs no allocation.)
  absl::InlinedVector<PaidLine, 16> lines;
  // The components of bundle lines, grouped by line in line order; each
  // line's components add up exactly to the line's figures.
  std::vector<PaidLine> components;
  absl::InlinedVector<PaidShipping, 2> shipping;
};

// Options of the apportioning functions.
struct ApportionOptions {
  // Rounding of computed tax and of cumulative shares. HMRC allows half away
  // from zero (the default); half-even is available for other regimes.
  RoundingMode rounding = RoundingMode::kHalfAwayFromZero;
  // Add what remains unrefunded of every shipping line to the refund.
  bool include_shipping = false;
  // Bundle definitions, for bundle lines whose components or weights the
  // order does not state. Not owned; may be null; must outlive the call.
  const v1::Catalog* catalog = nullptr;
};

// A quantity of one order line (or of one component of a bundle line) being
// returned.
struct ReturnQuantity {
  std::string order_line_id;  // SalesOrderLine.line_id.
  // A component SKU of a bundle line; empty returns whole units of the line
  // (whole bundles, which return every component).
  std::string component_sku;
  int64_t quantity = 0;  // Units (components, or whole bundles); > 0.
};

// The kind of a refunded line.
enum class RefundedKind { kGoods, kShipping };

// The refund of one order line, bundle component or shipping line.
struct RefundedLine {
  RefundedKind kind = RefundedKind::kGoods;
  std::string order_line_id;  // Line id, or ShippingLine.shipping_id.
  std::string component_sku;  // For a bundle component.
  std::string sku;            // SKU credited (component SKU for components).
  int64_t quantity = 0;       // Units credited; 0 for shipping.
  Figures refund;
};

// A refund breakdown: one RefundedLine per returned line or component (whole
// bundles expand to their components), then shipping if requested.
struct Refund {
  std::string currency_code;
  int exponent = 2;
  std::vector<RefundedLine> lines;
  Figures total;  // Sums of the lines; taxes summed per rate.
};

// Computes what every line, bundle component and shipping line of `order`
// was paid.
// Errors: InvalidArgument naming the field path ("order.lines[2].quantity:
// must be between 1 and 10000000, got 0") for: an unknown currency or an
// amount in another currency; an empty or duplicate line id; a quantity
// outside 1..10,000,000; a negative price, discount or tax; discounts above
// the line's price; tax above the tax-inclusive price; a malformed tax rate;
// a discount allocation naming an unknown application or allocations that
// disagree with their application's amount; a bundle line whose allocation
// weights are unknown.
// REQUIRES: `order` and `options.catalog` outlive the result, unmoved.
absl::StatusOr<OrderFigures> PaidFigures(const v1::SalesOrder& order,
                                         const ApportionOptions& options = {});
// A temporary order would leave the result's SKU views dangling.
absl::StatusOr<OrderFigures> PaidFigures(const v1::SalesOrder&& order,
                                         const ApportionOptions& options = {}) =
    delete;

// Computes the refund of `returns` given what `history` says was already
// credited for the order.
//
// Each returned slice is F(k + n) - C for every figure, where k units were
// credited before, F(m) = round(T * m / Q) and C is the amount the history
// records as credited (F(k) when it records none). So the last unit closes
// the line out exactly, earlier rounding differences are absorbed, and a
// refund is never negative nor takes the credited total above what was paid.
// Several entries for the same line or component are merged.
//
// Errors: as PaidFigures, plus InvalidArgument naming the field path for: a
// return of an unknown line or component ("returns[1].order_line_id"); a
// component SKU on a line that is not a bundle; a quantity <= 0 or above what
// remains returnable after the history ("returns[0].quantity: asked for 3
// units of line 'L1', but only 2 remain returnable (6 sold, 4 already
// credited)"); history
// entries for unknown lines, with negative or impossible quantities, negative
// amounts, another currency, or a history for another order.
absl::StatusOr<Refund> ApportionRefund(const v1::SalesOrder& order,
                                       const v1::OrderHistory& history,
                                       absl::Span<const ReturnQuantity> returns,
                                       const ApportionOptions& options = {});

// Adds what `refund` credited to `history`, as a host does once the credit
// note is posted, so that the next ApportionRefund continues from it:
// quantities and gross, discount and tax per rate for each line or bundle
// component, amounts for each shipping line. Where an entry recorded a
// quantity but not the amounts, they are first filled in by the cumulative
// rule ApportionRefund assumed. Sets history->order_id when empty.
// REQUIRES: `refund` was computed by ApportionRefund for `order` and
// `history` with the same options, and `history` has not changed since.
// Recording the same refund twice credits it twice: exactly-once delivery is
// the caller's (or the planner's idempotency keys') business.
// Errors: as PaidFigures; InvalidArgument when the refund is in another
// currency, names a line or component the order does not have
// ("refund.lines[2].order_line_id"), or would credit more units than were
// sold. On an error `history` is left unchanged.
absl::Status RecordRefund(const v1::SalesOrder& order, const Refund& refund,
                          v1::OrderHistory* history,
                          const ApportionOptions& options = {});

// Writes a refund's lines and totals into `note` (lines, total_gross,
// total_net, total_tax, tax_summary, currency_code), replacing those fields.
// Other fields of `note` are left as they are.
void FillCreditNote(const Refund& refund, v1::CreditNote* note);

}  // namespace retcon

#endif  // RETCON_APPORTION_H_
