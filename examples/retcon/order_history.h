// Carrying what was credited from one refund to the next, as a host does
// after it has posted a credit note: the tool's stand-in for a ledger.
//
//   absl::StatusOr<Refund> refund = ApportionRefund(order, history, returns);
//   RecordRefund(order, *refund, &history);  // the next refund continues here
//
// Thread-compatible.
#ifndef RETCON_EXAMPLES_RETCON_ORDER_HISTORY_H_
#define RETCON_EXAMPLES_RETCON_ORDER_HISTORY_H_

#include "retcon/apportion.h"
#include "retcon/v1/history.pb.h"
#include "retcon/v1/order.pb.h"

namespace retcon {
namespace cli {

// Adds what `refund` credited to `history`: quantities and amounts per line
// or bundle component, amounts per shipping line. An entry that records a
// quantity but no amounts stays without amounts (the library then assumes
// its own cumulative rule, which is what this refund followed). Sets
// history->order_id from the order when empty.
// REQUIRES: `refund` was computed for `order` from `history`.
void RecordRefund(const v1::SalesOrder& order, const Refund& refund,
                  v1::OrderHistory* history);

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_ORDER_HISTORY_H_
