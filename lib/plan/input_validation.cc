// Checks of Plan()'s inputs before anything is planned: the return's and
// the history's own shape, each error naming the field at fault. Business
// problems (more units returned than sold...) are left to the planners.
#include <cstdint>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "lib/apportion/internal/bundle_components.h"
#include "lib/apportion/internal/fields.h"
#include "lib/internal/status_macros.h"
#include "lib/plan/internal/plan_context.h"
#include "retcon/money.h"
#include "retcon/tax.h"
#include "retcon/v1/facts.pb.h"

namespace retcon {
namespace plan_internal {
namespace {

// Apportioning's field errors ("<path>: <message>"), paths built only when
// an error names them, and its bound on the units of a line.
using apportion_internal::FieldError;
using apportion_internal::kMaxUnits;
using apportion_internal::PathFn;

absl::Status CheckMoney(const v1::Money& money, const std::string& currency,
                        PathFn path) {
  if (!money.currency_code().empty() && money.currency_code() != currency) {
    return FieldError(path(), absl::StrCat("is in ", money.currency_code(),
                                           ", the order is in ", currency));
  }
  if (money.minor_units() < 0) {
    return FieldError(path(), "must not be negative");
  }
  return absl::OkStatus();
}

// Index of the return line `id` among the first `count` lines, or -1.
int FindReturnLine(const v1::ReturnRequest& ret, absl::string_view id,
                   int count) {
  for (int i = 0; i < count; ++i) {
    if (ret.lines(i).return_line_id() == id) return i;
  }
  return -1;
}

}  // namespace

absl::Status ValidateReturn(const v1::SalesOrder& order,
                            const v1::ReturnRequest& ret,
                            const std::string& currency) {
  if (ret.source().empty()) return FieldError("return.source", "is empty");
  if (ret.return_id().empty()) {
    return FieldError("return.return_id", "is empty");
  }
  if (!ret.order_id().empty() && ret.order_id() != order.order_id()) {
    return FieldError("return.order_id",
                      absl::StrCat("'", ret.order_id(), "' is not order '",
                                   order.order_id(), "'"));
  }
  if (!ret.currency_code().empty() && ret.currency_code() != currency) {
    return FieldError(
        "return.currency_code",
        absl::StrCat(ret.currency_code(), " is not the order's ", currency));
  }
  // Ids are checked for duplicates pairwise: returns have few lines, and
  // this allocates nothing. Large returns switch to a hash set.
  absl::flat_hash_set<absl::string_view> many_ids;
  const bool use_set = ret.lines_size() > 32;
  for (int i = 0; i < ret.lines_size(); ++i) {
    const v1::ReturnLine& line = ret.lines(i);
    auto path = [i](absl::string_view field) {
      return absl::StrCat("return.lines[", i, "].", field);
    };
    if (line.return_line_id().empty()) {
      return FieldError(path("return_line_id"), "is empty");
    }
    const bool duplicate =
        use_set ? !many_ids.insert(line.return_line_id()).second
                : FindReturnLine(ret, line.return_line_id(), i) >= 0;
    if (duplicate) {
      return FieldError(path("return_line_id"),
                        absl::StrCat("'", line.return_line_id(),
                                     "' appears twice in the return"));
    }
    bool known = false;
    for (const v1::SalesOrderLine& l : order.lines()) {
      known = known || l.line_id() == line.order_line_id();
    }
    if (!known) {
      return FieldError(
          path("order_line_id"),
          absl::StrCat("the order has no line '", line.order_line_id(), "'"));
    }
    if (line.quantity() <= 0 || line.quantity() > kMaxUnits) {
      return FieldError(path("quantity"),
                        absl::StrCat("must be between 1 and ", kMaxUnits,
                                     ", got ", line.quantity()));
    }
  }
  auto known_line = [&](const std::string& id, PathFn path) {
    const bool known = use_set ? many_ids.contains(id)
                               : FindReturnLine(ret, id, ret.lines_size()) >= 0;
    if (known) return absl::OkStatus();
    return FieldError(path(),
                      absl::StrCat("the return has no line '", id, "'"));
  };
  for (int i = 0; i < ret.refunds_size(); ++i) {
    const v1::RefundTransaction& refund = ret.refunds(i);
    auto path = [i](absl::string_view field) {
      return absl::StrCat("return.refunds[", i, "].", field);
    };
    if (refund.refund_id().empty()) {
      return FieldError(path("refund_id"), "is empty");
    }
    RETCON_RETURN_IF_ERROR(
        CheckMoney(refund.amount(), currency, [&] { return path("amount"); }));
    for (int j = 0; j < refund.return_line_ids_size(); ++j) {
      RETCON_RETURN_IF_ERROR(known_line(refund.return_line_ids(j), [&] {
        return absl::StrCat(path("return_line_ids"), "[", j, "]");
      }));
    }
  }
  for (int i = 0; i < ret.fees_size(); ++i) {
    const v1::Fee& fee = ret.fees(i);
    auto path = [i](absl::string_view field) {
      return absl::StrCat("return.fees[", i, "].", field);
    };
    RETCON_RETURN_IF_ERROR(
        CheckMoney(fee.amount(), currency, [&] { return path("amount"); }));
    if (!fee.return_line_id().empty()) {
      RETCON_RETURN_IF_ERROR(known_line(
          fee.return_line_id(), [&] { return path("return_line_id"); }));
    }
    if (!fee.tax_rate().empty() && !TaxRate::Parse(fee.tax_rate()).ok()) {
      return FieldError(path("tax_rate"), absl::StrCat("'", fee.tax_rate(),
                                                       "' is not a tax rate"));
    }
  }
  for (int i = 0; i < ret.exchange_items_size(); ++i) {
    const v1::ExchangeItem& item = ret.exchange_items(i);
    auto path = [i](absl::string_view field) {
      return absl::StrCat("return.exchange_items[", i, "].", field);
    };
    RETCON_RETURN_IF_ERROR(known_line(item.return_line_id(),
                                      [&] { return path("return_line_id"); }));
    const v1::ReturnLine& replaced =
        ret.lines(FindReturnLine(ret, item.return_line_id(), ret.lines_size()));
    if (IsRefundResolution(replaced.resolution())) {
      return FieldError(
          path("return_line_id"),
          absl::StrCat("line '", item.return_line_id(), "' is refunded (",
                       v1::Resolution_Name(replaced.resolution()),
                       "), so nothing can be sent in exchange for it"));
    }
    if (item.quantity() <= 0 || item.quantity() > kMaxUnits) {
      return FieldError(path("quantity"),
                        absl::StrCat("must be between 1 and ", kMaxUnits,
                                     ", got ", item.quantity()));
    }
    RETCON_RETURN_IF_ERROR(CheckMoney(item.unit_price(), currency,
                                      [&] { return path("unit_price"); }));
  }
  return absl::OkStatus();
}

absl::Status ValidateHistory(const v1::SalesOrder& order,
                             const v1::OrderHistory& history) {
  if (!history.order_id().empty() && history.order_id() != order.order_id()) {
    return FieldError("history.order_id",
                      absl::StrCat("'", history.order_id(), "' is not order '",
                                   order.order_id(), "'"));
  }
  for (int i = 0; i < history.lines_size(); ++i) {
    const v1::LineHistory& h = history.lines(i);
    const std::string path = absl::StrCat("history.lines[", i, "]");
    if (h.moved_quantity() < 0 || h.exchanged_quantity() < 0) {
      return FieldError(path, "moved and exchanged quantities must be >= 0");
    }
  }
  for (int i = 0; i < history.postings_size(); ++i) {
    if (history.postings(i).idempotency_key().empty()) {
      return FieldError(
          absl::StrCat("history.postings[", i, "].idempotency_key"),
          "is empty");
    }
  }
  return absl::OkStatus();
}

}  // namespace plan_internal
}  // namespace retcon
