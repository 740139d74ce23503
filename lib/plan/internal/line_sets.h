// Sets of return lines, as the indexes a refund transaction covers
// (RefundCover): whether two such sets share a line, or one lies within
// another. Small sets, so plain scans.
#ifndef RETCON_LIB_PLAN_INTERNAL_LINE_SETS_H_
#define RETCON_LIB_PLAN_INTERNAL_LINE_SETS_H_

#include <algorithm>

#include "absl/types/span.h"

namespace retcon {
namespace plan_internal {

// Whether a line of `a` is in `b`.
inline bool Overlap(absl::Span<const int> a, absl::Span<const int> b) {
  return std::any_of(a.begin(), a.end(), [&](int r) {
    return std::find(b.begin(), b.end(), r) != b.end();
  });
}

// Whether every line of `a` is in `b` (true when `a` is empty).
inline bool Within(absl::Span<const int> a, absl::Span<const int> b) {
  return std::all_of(a.begin(), a.end(), [&](int r) {
    return std::find(b.begin(), b.end(), r) != b.end();
  });
}

}  // namespace plan_internal
}  // namespace retcon

#endif  // RETCON_LIB_PLAN_INTERNAL_LINE_SETS_H_
