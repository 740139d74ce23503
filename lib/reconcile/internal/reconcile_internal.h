// Shared pieces of lib/reconcile: gap construction and the summary.
#ifndef RETCON_LIB_RECONCILE_INTERNAL_RECONCILE_INTERNAL_H_
#define RETCON_LIB_RECONCILE_INTERNAL_RECONCILE_INTERNAL_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "retcon/v1/reconcile.pb.h"

namespace retcon {
namespace reconcile_internal {

// The owner of each gap type (documented in docs/integration/reconcile.md).
v1::Owner OwnerOf(v1::GapType type);

// Bucket of an age in days (negative ages count as 0).
v1::AgeBucket BucketOf(int32_t age_days);

// "0-2", "3-7", "8-30", ">30".
absl::string_view BucketName(v1::AgeBucket bucket);

// "RETURN_WITHOUT_CREDIT_NOTE" for GAP_TYPE_RETURN_WITHOUT_CREDIT_NOTE.
absl::string_view GapTypeName(v1::GapType type);

// "FINANCE", "OPERATIONS", "CUSTOMER_SERVICE".
absl::string_view OwnerName(v1::Owner owner);

// Fills report->summary's totals from report->gaps. Errors: OutOfRange when
// a total does not fit int64 minor units (only when over 9,000 gaps in one
// currency each carry near the largest amount a document may have).
absl::Status SummariseGaps(v1::ReconcileReport* report);

}  // namespace reconcile_internal
}  // namespace retcon

#endif  // RETCON_LIB_RECONCILE_INTERNAL_RECONCILE_INTERNAL_H_
