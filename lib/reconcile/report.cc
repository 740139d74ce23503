// The reconciliation report: owners, buckets, totals and the output formats.
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "lib/internal/status_macros.h"
#include "lib/reconcile/internal/reconcile_internal.h"
#include "retcon/money.h"
#include "retcon/reconcile.h"

namespace retcon {
namespace reconcile_internal {

v1::Owner OwnerOf(v1::GapType type) {
  switch (type) {
    case v1::GAP_TYPE_RETURN_WITHOUT_STOCK_MOVEMENT:
    case v1::GAP_TYPE_STOCK_MOVEMENT_WITHOUT_RETURN:
    case v1::GAP_TYPE_SKU_MISMATCH:
    case v1::GAP_TYPE_DEPOT_DIFFERS:
      return v1::OWNER_OPERATIONS;
    case v1::GAP_TYPE_CREDIT_NOTE_WITHOUT_RETURN:
    case v1::GAP_TYPE_GATEWAY_REFUND_WITHOUT_RETURN:
      return v1::OWNER_CUSTOMER_SERVICE;
    default:
      return v1::OWNER_FINANCE;
  }
}

v1::AgeBucket BucketOf(int32_t age_days) {
  if (age_days <= 2) return v1::AGE_BUCKET_0_2;
  if (age_days <= 7) return v1::AGE_BUCKET_3_7;
  if (age_days <= 30) return v1::AGE_BUCKET_8_30;
  return v1::AGE_BUCKET_OVER_30;
}

absl::string_view BucketName(v1::AgeBucket bucket) {
  switch (bucket) {
    case v1::AGE_BUCKET_0_2:
      return "0-2";
    case v1::AGE_BUCKET_3_7:
      return "3-7";
    case v1::AGE_BUCKET_8_30:
      return "8-30";
    case v1::AGE_BUCKET_OVER_30:
      return ">30";
    default:
      return "";
  }
}

absl::string_view GapTypeName(v1::GapType type) {
  absl::string_view name = v1::GapType_Name(type);
  absl::ConsumePrefix(&name, "GAP_TYPE_");
  return name;
}

absl::string_view OwnerName(v1::Owner owner) {
  absl::string_view name = v1::Owner_Name(owner);
  absl::ConsumePrefix(&name, "OWNER_");
  return name;
}

namespace {

struct Total {
  int64_t count = 0;
  std::map<std::string, absl::int128> money;  // Currency -> minor units.
  void Add(const v1::Money& m) {
    ++count;
    if (m.minor_units() == 0) return;  // No money figure (stock gaps).
    money[m.currency_code()] += m.minor_units();
  }
  // Errors: OutOfRange when a currency's total does not fit int64.
  absl::Status To(absl::string_view name, v1::GapTotal* out) const {
    out->set_name(std::string(name));
    out->set_count(count);
    for (const auto& [currency, units] : money) {
      if (units > std::numeric_limits<int64_t>::max()) {
        return absl::OutOfRangeError(absl::StrCat(
            "the gaps' money at stake in ", currency,
            " exceeds 9223372036854775807 minor units: reconcile the month "
            "in parts"));
      }
      v1::Money* m = out->add_money_at_stake();
      m->set_currency_code(currency);
      m->set_minor_units(static_cast<int64_t>(units));
    }
    return absl::OkStatus();
  }
};

}  // namespace

absl::Status SummariseGaps(v1::ReconcileReport* report) {
  std::map<int, Total> by_type, by_owner, by_bucket;
  Total all;
  for (const v1::Gap& gap : report->gaps()) {
    by_type[gap.type()].Add(gap.money_at_stake());
    by_owner[gap.owner()].Add(gap.money_at_stake());
    by_bucket[gap.age_bucket()].Add(gap.money_at_stake());
    all.Add(gap.money_at_stake());
  }
  v1::ReconcileSummary* s = report->mutable_summary();
  s->set_gaps(all.count);
  for (const auto& [type, total] : by_type) {
    RETCON_RETURN_IF_ERROR(total.To(GapTypeName(static_cast<v1::GapType>(type)),
                                    s->add_by_type()));
  }
  for (const auto& [owner, total] : by_owner) {
    RETCON_RETURN_IF_ERROR(
        total.To(OwnerName(static_cast<v1::Owner>(owner)), s->add_by_owner()));
  }
  for (const auto& [bucket, total] : by_bucket) {
    RETCON_RETURN_IF_ERROR(
        total.To(BucketName(static_cast<v1::AgeBucket>(bucket)),
                 s->add_by_age_bucket()));
  }
  v1::GapTotal everything;
  RETCON_RETURN_IF_ERROR(all.To("", &everything));
  *s->mutable_money_at_stake() = everything.money_at_stake();
  return absl::OkStatus();
}

}  // namespace reconcile_internal

namespace {

using reconcile_internal::BucketName;
using reconcile_internal::GapTypeName;
using reconcile_internal::OwnerName;

// "24.99" for GBP 2499; minor units as they are for an unknown currency.
std::string Amount(const v1::Money& m) {
  absl::StatusOr<int> exponent = CurrencyExponent(m.currency_code());
  return FormatMinorUnits(m.minor_units(), exponent.ok() ? *exponent : 0);
}

std::string CsvField(absl::string_view value) {
  if (value.find_first_of(",\"\r\n") == absl::string_view::npos) {
    return std::string(value);
  }
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

// A text field that came from outside (ids, order numbers, messages): one a
// spreadsheet would run as a formula (leading =, +, -, @, tab or CR) gets a
// leading apostrophe, the OWASP guard against CSV injection. Numeric columns
// are written by retcon itself and pass through CsvField unchanged, so a
// negative amount stays a number.
std::string CsvText(absl::string_view value) {
  if (!value.empty() &&
      absl::string_view("=+-@\t\r").find(value[0]) != absl::string_view::npos) {
    return CsvField(absl::StrCat("'", value));
  }
  return CsvField(value);
}

std::string MoneyList(const google::protobuf::RepeatedPtrField<v1::Money>& m) {
  if (m.empty()) return "-";
  std::string out;
  for (const v1::Money& x : m) {
    absl::StrAppend(&out, out.empty() ? "" : ", ", x.currency_code(), " ",
                    Amount(x));
  }
  return out;
}

void AppendTotals(absl::string_view title,
                  const google::protobuf::RepeatedPtrField<v1::GapTotal>& t,
                  std::string* out) {
  absl::StrAppend(out, "\n", title, "\n");
  if (t.empty()) absl::StrAppend(out, "  (none)\n");
  for (const v1::GapTotal& row : t) {
    absl::StrAppendFormat(out, "  %-34s %8d  %s\n", row.name(), row.count(),
                          MoneyList(row.money_at_stake()));
  }
}

}  // namespace

std::string ReportGapsCsv(const v1::ReconcileReport& report) {
  std::string out =
      "type,owner,currency,money_at_stake,age_days,age_bucket,match_method,"
      "confidence_percent,source,return_id,refund_id,return_line_id,"
      "order_number,erp_document_id,idempotency_key,gateway_refund_id,"
      "message\r\n";
  for (const v1::Gap& g : report.gaps()) {
    absl::string_view method = v1::MatchMethod_Name(g.match_method());
    absl::ConsumePrefix(&method, "MATCH_METHOD_");
    if (g.match_method() == v1::MATCH_METHOD_UNSPECIFIED) method = "";
    const std::string numbers[] = {
        std::string(GapTypeName(g.type())),
        std::string(OwnerName(g.owner())),
        g.money_at_stake().currency_code(),
        Amount(g.money_at_stake()),
        absl::StrCat(g.age_days()),
        std::string(BucketName(g.age_bucket())),
        std::string(method),
        g.match_method() == v1::MATCH_METHOD_UNSPECIFIED
            ? ""
            : absl::StrCat(g.confidence_percent())};
    const std::string* texts[] = {
        &g.source(),          &g.return_id(),         &g.refund_id(),
        &g.return_line_id(),  &g.order_number(),      &g.erp_document_id(),
        &g.idempotency_key(), &g.gateway_refund_id(), &g.message()};
    bool first = true;
    for (const std::string& f : numbers) {
      if (!first) out += ',';
      first = false;
      out += CsvField(f);
    }
    for (const std::string* f : texts) {
      out += ',';
      out += CsvText(*f);
    }
    out += "\r\n";
  }
  return out;
}

std::string ReportJson(const v1::ReconcileReport& report) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(report, &json, options);
  return json;
}

std::string ReportSummaryText(const v1::ReconcileReport& report) {
  const v1::ReconcileSummary& s = report.summary();
  std::string out = absl::StrFormat(
      "Reconciliation as of %s\n"
      "  returns %d, ERP documents %d, gateway refunds %d\n"
      "  matched by idempotency key %d, by reference %d, fuzzy %d\n"
      "  gaps %d, money at stake %s\n",
      s.as_of(), s.returns(), s.erp_documents(), s.gateway_refunds(),
      s.matched_by_key(), s.matched_by_reference(), s.matched_fuzzy(), s.gaps(),
      MoneyList(s.money_at_stake()));
  const int64_t skipped = s.returns_skipped() + s.erp_documents_skipped() +
                          s.gateway_refunds_skipped();
  if (skipped > 0) {
    absl::StrAppendFormat(
        &out,
        "\n  WARNING: %d input %s left out as malformed (returns %d, ERP\n"
        "  documents %d, gateway refunds %d; see stderr). Gaps that involve "
        "them may\n  be false or missing: a credit note left out shows its "
        "return as without\n  one, so do not post it again. Fix the records "
        "and run the report again.\n",
        skipped, skipped == 1 ? "record was" : "records were",
        s.returns_skipped(), s.erp_documents_skipped(),
        s.gateway_refunds_skipped());
  }
  AppendTotals("By gap type", s.by_type(), &out);
  AppendTotals("By owner", s.by_owner(), &out);
  AppendTotals("By age (days)", s.by_age_bucket(), &out);
  return out;
}

}  // namespace retcon
