// Reading validated values out of retcon.v1 documents, with errors that name
// the field path. Paths are built only when an error is returned.
#ifndef RETCON_LIB_APPORTION_INTERNAL_FIELDS_H_
#define RETCON_LIB_APPORTION_INTERNAL_FIELDS_H_

#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "retcon/apportion.h"
#include "retcon/tax.h"
#include "retcon/v1/money.pb.h"

namespace retcon {
namespace apportion_internal {

// Produces a field path such as "order.lines[2]" on demand.
using PathFn = absl::FunctionRef<std::string()>;

// a == b, cheaper than a memcmp call when ids differ in length or in their
// last character, as the line ids and rates of one order mostly do.
inline bool SameText(absl::string_view a, absl::string_view b) {
  return a.size() == b.size() && (a.empty() || a.back() == b.back()) && a == b;
}

// InvalidArgument "<path>: <message>".
absl::Status FieldError(absl::string_view path, absl::string_view message);

// The amount of `money` when it is in `currency` (an empty code means the
// document's currency) and not negative; otherwise InvalidArgument at `path`.
absl::StatusOr<int64_t> ReadNonNegative(const v1::Money& money,
                                        absl::string_view currency,
                                        PathFn path);

// Parses a tax rate field; InvalidArgument at `path` when malformed.
absl::StatusOr<TaxRate> ReadRate(absl::string_view rate, PathFn path);

// PaidFigures into `figures` (which must be empty), without the move of the
// result: ApportionRefund's hot path.
absl::Status ComputePaidFigures(const v1::SalesOrder& order,
                                const ApportionOptions& options,
                                OrderFigures& figures);

// ApportionRefund and RecordRefund with the order's figures already
// computed (by PaidFigures with the same options), for callers that make
// several calls on one order. RecordWithFigures updates `history` in place:
// on an error it may be partly updated (RecordRefund works on a copy).
absl::StatusOr<Refund> ApportionWithFigures(
    const v1::SalesOrder& order, const OrderFigures& figures,
    const v1::OrderHistory& history, absl::Span<const ReturnQuantity> returns,
    const ApportionOptions& options);
// Adds the order's shipping less what `history` credited of it to
// `refund`, as ApportionWithFigures does after the goods when
// options.include_shipping is set: for a caller that has the goods-only
// refund already.
absl::Status AddShippingWithFigures(const v1::SalesOrder& order,
                                    const OrderFigures& figures,
                                    const v1::OrderHistory& history,
                                    Refund& refund);
absl::Status RecordWithFigures(const v1::SalesOrder& order,
                               const OrderFigures& figures,
                               const Refund& refund, v1::OrderHistory* history,
                               const ApportionOptions& options);

}  // namespace apportion_internal
}  // namespace retcon

#endif  // RETCON_LIB_APPORTION_INTERNAL_FIELDS_H_
