// RETCON_RETURN_IF_ERROR and RETCON_ASSIGN_OR_RETURN: the installed Abseil
// (20220623) has no public equivalent, so they are defined once, here.
#ifndef RETCON_LIB_INTERNAL_STATUS_MACROS_H_
#define RETCON_LIB_INTERNAL_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define RETCON_STATUS_CONCAT_INNER_(a, b) a##b
#define RETCON_STATUS_CONCAT_(a, b) RETCON_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status); returns it from the enclosing function
// if it is not OK.
#define RETCON_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    const ::absl::Status retcon_status_ = (expr);    \
    if (!retcon_status_.ok()) return retcon_status_; \
  } while (0)

// `lhs = *expr` when the absl::StatusOr `expr` is OK; otherwise returns its
// status. `lhs` may be a declaration: RETCON_ASSIGN_OR_RETURN(auto x, F());
#define RETCON_ASSIGN_OR_RETURN(lhs, expr) \
  RETCON_ASSIGN_OR_RETURN_IMPL_(           \
      RETCON_STATUS_CONCAT_(retcon_statusor_, __LINE__), lhs, expr)

#define RETCON_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = *std::move(statusor)

#endif  // RETCON_LIB_INTERNAL_STATUS_MACROS_H_
