// Which return line resolutions are owed money, and which lines a refund
// transaction covers: shared by the planner (which posts credit notes for
// them) and reconcile (which expects them), so the two agree.
#ifndef RETCON_LIB_INTERNAL_RESOLUTIONS_H_
#define RETCON_LIB_INTERNAL_RESOLUTIONS_H_

#include <algorithm>

#include "retcon/v1/return.pb.h"

namespace retcon {
namespace internal {

// Whether a line so resolved is refunded: to the payment method, as store
// credit, a gift card or a bank transfer, or kept or donated by the customer
// (refunded without coming back). An exchange is owed money only when its
// new items cost less, which the resolution alone does not tell.
inline bool IsRefundResolution(v1::Resolution resolution) {
  switch (resolution) {
    case v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD:
    case v1::RESOLUTION_STORE_CREDIT:
    case v1::RESOLUTION_GIFT_CARD:
    case v1::RESOLUTION_BANK_TRANSFER:
    case v1::RESOLUTION_KEEP_ITEM:
    case v1::RESOLUTION_DONATE:
      return true;
    default:
      return false;
  }
}

// Whether `refund` covers `line`: it lists the line's id, or lists none
// (the whole return).
inline bool RefundCovers(const v1::RefundTransaction& refund,
                         const v1::ReturnLine& line) {
  const auto& ids = refund.return_line_ids();
  return ids.empty() ||
         std::find(ids.begin(), ids.end(), line.return_line_id()) != ids.end();
}

}  // namespace internal
}  // namespace retcon

#endif  // RETCON_LIB_INTERNAL_RESOLUTIONS_H_
