// ReturnGo's enum strings and money objects, read for
// ReturnRequestFromReturnGo (lib/adapters/returngo.cc).
#ifndef RETCON_LIB_ADAPTERS_INTERNAL_RETURNGO_FIELDS_H_
#define RETCON_LIB_ADAPTERS_INTERNAL_RETURNGO_FIELDS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/adapters/internal/fields.h"
#include "lib/adapters/internal/json.h"
#include "retcon/adapters.h"
#include "retcon/v1/money.pb.h"
#include "retcon/v1/return.pb.h"

namespace retcon {
namespace adapters_internal {

// resolutionType or a transaction's type: RefundToPaymentMethod,
// StoreCredit, GiftCard, BankTransfer, Exchange..., KeepItem..., Donate (any
// case, punctuation ignored). Errors name the path and the value.
absl::StatusOr<v1::Resolution> ParseResolution(const JsonValue& value,
                                               const Path& path);
// Pending, Approved, Received, Validated, Done, Rejected, Canceled.
absl::StatusOr<v1::ReturnStatus> ParseReturnStatus(const JsonValue& value,
                                                   const Path& path);
// Requested, Pending, Success, Failed, Canceled.
absl::StatusOr<v1::TransactionStatus> ParseTransactionStatus(
    const JsonValue& value, const Path& path);

// State shared while one RMA is read.
struct Reading {
  const ReturnGoOptions& options;
  std::string currency;  // The RMA's currency; empty when it states none.
};

// A ReturnGo amount: an object {amount, currency, shopAmount, shopCurrency}
// (shop pair preferred when options.shop_money), or a bare decimal string or
// number in the RMA's currency.
absl::Status ReadAmount(const Reading& reading, const JsonValue& value,
                        const Path& path, v1::Money* money);

// The RMA's currency: that of the first item's paid price, else of the first
// transaction's amount; empty when it states none. Errors name where an
// unknown currency code was found.
absl::StatusOr<std::string> FindCurrency(const ReturnGoOptions& options,
                                         const JsonValue* items,
                                         const JsonValue* transactions,
                                         const Path& path);

}  // namespace adapters_internal
}  // namespace retcon

#endif  // RETCON_LIB_ADAPTERS_INTERNAL_RETURNGO_FIELDS_H_
