// Which return line resolutions are owed money: shared by the planner (which
// posts a credit note for them) and reconcile (which expects one), so the
// two agree on what a finalised return should have credited.
#ifndef RETCON_LIB_INTERNAL_RESOLUTIONS_H_
#define RETCON_LIB_INTERNAL_RESOLUTIONS_H_

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

}  // namespace internal
}  // namespace retcon

#endif  // RETCON_LIB_INTERNAL_RESOLUTIONS_H_
