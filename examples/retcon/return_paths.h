// Messages about a return read from a feed, in the terms of the feed.
//
// `retcon plan` and `retcon reconcile` read a ReturnGo RMA into a
// retcon.v1.ReturnRequest before the planner or the reconciler sees it, and
// their messages name the ReturnRequest's fields ("refunds[1].refund_id",
// "return.lines[0].order_line_id"), which the user never wrote. AboutReturn
// labels such a message with the RMA and, where the field is read from one
// place of the RMA (docs/integration/adapters.md), that place:
//
//   absl::Status s = AboutReturn(record.where, kind, ret, planner_status);
//   // "rmas.ndjson:4: RMA '10002' (as retcon.v1.ReturnRequest):
//   //  return.lines[0].order_line_id (from shopLineItemId of the item with
//   //  returnedItemId \"9001\"): the order has no line '999'"
//
// Thread-safe: no state.
#ifndef RETCON_EXAMPLES_RETCON_RETURN_PATHS_H_
#define RETCON_EXAMPLES_RETCON_RETURN_PATHS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "retcon/adapters.h"
#include "retcon/v1/return.pb.h"

namespace retcon {
namespace cli {

// `status` (not OK) about `ret`, read as a record of `kind` at `where`
// ("rmas.ndjson:4"), with that place in front: "<where>: <message>". When
// `kind` is kReturnGoRma and the message starts with a field path of the
// ReturnRequest (with or without "return."), the RMA and the field's
// ReturnGo source are named too. The code is kept.
absl::Status AboutReturn(absl::string_view where, PayloadKind kind,
                         const v1::ReturnRequest& ret,
                         const absl::Status& status);

// Where in the RMA that `ret` was read from the ReturnRequest field `path`
// ("refunds[1].refund_id", "lines[0].order_line_id") comes from:
// "transactions[1].id", "shopLineItemId of the item with returnedItemId
// \"9001\"". Empty when it is not one place.
std::string ReturnGoSourceOf(const v1::ReturnRequest& ret,
                             absl::string_view path);

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_RETURN_PATHS_H_
