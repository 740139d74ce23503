// Month-end reconciliation: the returns platform against the ERP (credit
// notes, stock movements) and, optionally, the payment gateway's refunds.
//
// Reconcile() pairs what the returns side says should have been posted with
// what was posted, by idempotency key first, then by references (return id +
// refund id, return id + return line), then by a fuzzy rule (same order
// number, same amount or SKU and quantity, dates within a window) reported
// with a confidence. A whole bundle's return line may pair with one stock
// movement per component. Whatever does not pair or does not agree (amounts,
// currencies, SKUs, units moved) becomes a Gap with an owner, money at
// stake, an age and an ageing bucket.
//
//   retcon::ReconcileOptions options;
//   options.as_of = "2026-11-30";
//   absl::StatusOr<retcon::v1::ReconcileReport> report =
//       retcon::Reconcile(returns, erp_documents, gateway_refunds, options);
//   if (!report.ok()) ...;  // malformed input: names the field
//   std::cout << retcon::ReportSummaryText(*report);
//
// A malformed record is InvalidArgument naming it and its field
// ("erp[12].posted_date: expected YYYY-MM-DD"); a business gap is never an
// error. Same inputs, same report (no hash order leaks into the output).
// The functions are thread-safe: they keep no state between calls.
// See docs/integration/reconcile.md.
#ifndef RETCON_RECONCILE_H_
#define RETCON_RECONCILE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "retcon/v1/reconcile.pb.h"
#include "retcon/v1/return.pb.h"

namespace retcon {

// How to reconcile. A value type; copy it freely.
struct ReconcileOptions {
  // The reconciliation date, "YYYY-MM-DD": ages are counted to this day.
  std::string as_of;
  // Largest difference, in minor units, between credit note, platform refund
  // and gateway refund that is not a gap, per ISO currency code. A currency
  // not listed has tolerance 0 (exact agreement).
  std::map<std::string, int64_t, std::less<>> tolerance_minor_units;
  // Fuzzy matching pairs documents whose dates are at most this many days
  // apart (either way).
  int32_t fuzzy_window_days = 7;
  // ERP item list. When not empty, a returned item whose SKU (its
  // platform_sku, or component_sku for a bundle component) is not in it is
  // a SKU_MISMATCH gap, except a whole bundle moved as its components.
  // Empty: not checked. Borrowed: the strings must outlive the Reconcile()
  // call.
  absl::Span<const std::string> erp_skus;
  // Platform SKU -> ERP SKU, for comparing a return line with a stock
  // movement. A SKU not listed is the same on both sides.
  std::map<std::string, std::string, std::less<>> sku_map;
  // Optional: the depot today's rules would choose for a received return
  // line (a host computes it with the planner's rules). When set, a matched
  // stock movement into another depot is an informational DEPOT_DIFFERS gap;
  // an empty answer means "no opinion". Called once per matched stock
  // movement that names a depot; must be thread-compatible with the call.
  std::function<std::string(const v1::ReturnRequest&, const v1::ReturnLine&)>
      expected_depot;
};

// Checks one record's fields; errors name the field relative to the record
// ("refunds[0].amount.currency_code: unknown currency \"GBX\"").
absl::Status ValidateReturnForReconcile(const v1::ReturnRequest& r);
absl::Status ValidateErpDocument(const v1::ErpDocument& doc);
absl::Status ValidateGatewayRefund(const v1::GatewayRefund& refund);

// Reconciles the three sides. `gateway_refunds` may be empty: the
// three-way comparison then compares credit note and platform refund only.
// Errors: InvalidArgument for a malformed record ("returns[3].", "erp[7].",
// "gateway[2]." prefix; an amount is at most 10^15 minor units) or option
// ("options.as_of"); OutOfRange when a currency's money at stake over the
// month does not fit int64 minor units (over 9,000 gaps near that bound):
// reconcile the month in parts.
absl::StatusOr<v1::ReconcileReport> Reconcile(
    absl::Span<const v1::ReturnRequest> returns,
    absl::Span<const v1::ErpDocument> erp_documents,
    absl::Span<const v1::GatewayRefund> gateway_refunds,
    const ReconcileOptions& options);

// The gaps as CSV (RFC 4180: comma separated, CRLF line ends, fields with
// comma, quote, CR or LF quoted with quotes doubled), one header row. Money
// is a decimal in the currency's minor unit ("24.99"), never a float. A
// text field (ids, order numbers, message) that starts with =, +, -, @, tab
// or CR is written with a leading apostrophe ("'=HYPERLINK(...)") so that a
// spreadsheet shows it as text instead of running it as a formula.
std::string ReportGapsCsv(const v1::ReconcileReport& report);

// The report as JSON (the proto3 JSON mapping of ReconcileReport).
std::string ReportJson(const v1::ReconcileReport& report);

// A readable summary: totals per gap type, owner and ageing bucket with
// money at stake per currency. When the summary counts input records left
// out as malformed (returns_skipped and the like, which the caller sets), a
// WARNING follows the counts and the month's total, before the breakdowns:
// gaps involving those records may be false or missing.
std::string ReportSummaryText(const v1::ReconcileReport& report);

// "YYYY-MM-DD" -> days since 1970-01-01; InvalidArgument naming `field`.
absl::StatusOr<int32_t> ParseCivilDay(absl::string_view text,
                                      absl::string_view field);

}  // namespace retcon

#endif  // RETCON_RECONCILE_H_
