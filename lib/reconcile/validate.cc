// Field checks of reconciliation inputs; errors name the field.
#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "lib/internal/iso_date.h"
#include "lib/internal/status_macros.h"
#include "lib/reconcile/internal/reconcile_internal.h"
#include "retcon/money.h"
#include "retcon/reconcile.h"

namespace retcon {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

absl::Status CheckRequired(absl::string_view value, absl::string_view field) {
  if (value.empty()) return Invalid(field, "required");
  return absl::OkStatus();
}

// The largest amount a document may carry: 10^15 minor units (GBP 10
// trillion), far above any refund, so that sums over one return's
// documents stay far inside int64 (the month's totals are summed in int128
// and checked: report.cc).
constexpr int64_t kMaxMinorUnits = 1'000'000'000'000'000;

// `amount` in a known currency (or `fallback_currency` when it has none),
// not negative, at most kMaxMinorUnits.
absl::Status CheckMoney(const v1::Money& amount,
                        absl::string_view fallback_currency,
                        absl::string_view field) {
  absl::string_view code = amount.currency_code().empty()
                               ? fallback_currency
                               : absl::string_view(amount.currency_code());
  if (code.empty()) {
    return Invalid(absl::StrCat(field, ".currency_code"), "required");
  }
  if (!CurrencyExponent(code).ok()) {
    return Invalid(absl::StrCat(field, ".currency_code"),
                   absl::StrCat("unknown currency \"", code, "\""));
  }
  if (amount.minor_units() < 0) {
    return Invalid(absl::StrCat(field, ".minor_units"), "must not be negative");
  }
  if (amount.minor_units() > kMaxMinorUnits) {
    return Invalid(absl::StrCat(field, ".minor_units"),
                   absl::StrCat("must be at most ", kMaxMinorUnits, ", got ",
                                amount.minor_units()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int32_t> ParseCivilDay(absl::string_view text,
                                      absl::string_view field) {
  if (text.empty()) return Invalid(field, "required");
  const std::optional<int32_t> days = internal::IsoDateDays(text);
  if (!days) {
    return Invalid(
        field, absl::StrCat("expected a date YYYY-MM-DD, got \"", text, "\""));
  }
  return *days;
}

absl::Status ValidateReturnForReconcile(const v1::ReturnRequest& r) {
  RETCON_RETURN_IF_ERROR(CheckRequired(r.return_id(), "return_id"));
  if (!r.currency_code().empty() && !CurrencyExponent(r.currency_code()).ok()) {
    return Invalid("currency_code", absl::StrCat("unknown currency \"",
                                                 r.currency_code(), "\""));
  }
  for (int i = 0; i < r.lines_size(); ++i) {
    const v1::ReturnLine& line = r.lines(i);
    const std::string at = absl::StrCat("lines[", i, "]");
    RETCON_RETURN_IF_ERROR(CheckRequired(line.return_line_id(),
                                         absl::StrCat(at, ".return_line_id")));
    if (line.quantity() <= 0) {
      return Invalid(absl::StrCat(at, ".quantity"), "must be > 0");
    }
    for (int j = 0; j < i; ++j) {
      if (r.lines(j).return_line_id() == line.return_line_id()) {
        return Invalid(absl::StrCat(at, ".return_line_id"),
                       absl::StrCat("\"", line.return_line_id(),
                                    "\" repeats lines[", j, "]"));
      }
    }
  }
  for (int i = 0; i < r.refunds_size(); ++i) {
    const v1::RefundTransaction& refund = r.refunds(i);
    const std::string at = absl::StrCat("refunds[", i, "]");
    RETCON_RETURN_IF_ERROR(
        CheckRequired(refund.refund_id(), absl::StrCat(at, ".refund_id")));
    for (int j = 0; j < i; ++j) {
      if (r.refunds(j).refund_id() == refund.refund_id()) {
        return Invalid(absl::StrCat(at, ".refund_id"),
                       absl::StrCat("\"", refund.refund_id(),
                                    "\" repeats refunds[", j, "]"));
      }
    }
    RETCON_RETURN_IF_ERROR(CheckMoney(refund.amount(), r.currency_code(),
                                      absl::StrCat(at, ".amount")));
  }
  return absl::OkStatus();
}

absl::Status ValidateErpDocument(const v1::ErpDocument& doc) {
  if (doc.kind() != v1::ERP_DOCUMENT_KIND_CREDIT_NOTE &&
      doc.kind() != v1::ERP_DOCUMENT_KIND_STOCK_MOVEMENT) {
    return Invalid("kind",
                   "must be ERP_DOCUMENT_KIND_CREDIT_NOTE or "
                   "ERP_DOCUMENT_KIND_STOCK_MOVEMENT");
  }
  RETCON_RETURN_IF_ERROR(CheckRequired(doc.document_id(), "document_id"));
  RETCON_RETURN_IF_ERROR(
      ParseCivilDay(doc.posted_date(), "posted_date").status());
  if (!doc.idempotency_key().empty()) {
    const std::string& k = doc.idempotency_key();
    bool ok = k.size() == 36;
    for (size_t i = 0; ok && i < k.size(); ++i) {
      const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
      ok = dash ? k[i] == '-'
                : absl::ascii_isxdigit(static_cast<unsigned char>(k[i]));
    }
    if (!ok) {
      return Invalid("idempotency_key",
                     absl::StrCat("expected a UUID, got \"", k, "\""));
    }
  }
  if (doc.kind() == v1::ERP_DOCUMENT_KIND_CREDIT_NOTE) {
    if (!doc.has_amount()) return Invalid("amount", "required");
    return CheckMoney(doc.amount(), "", "amount");
  }
  if (doc.quantity() <= 0) return Invalid("quantity", "must be > 0");
  return absl::OkStatus();
}

absl::Status ValidateGatewayRefund(const v1::GatewayRefund& refund) {
  RETCON_RETURN_IF_ERROR(
      CheckRequired(refund.gateway_refund_id(), "gateway_refund_id"));
  if (!refund.has_amount()) return Invalid("amount", "required");
  RETCON_RETURN_IF_ERROR(CheckMoney(refund.amount(), "", "amount"));
  return ParseCivilDay(refund.refund_date(), "refund_date").status();
}

}  // namespace retcon
