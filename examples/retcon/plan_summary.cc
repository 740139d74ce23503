#include "examples/retcon/plan_summary.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "retcon/money.h"

namespace retcon {
namespace cli {
namespace {

std::string FormatMoney(const std::string& currency, int64_t minor_units) {
  absl::StatusOr<int> exponent = CurrencyExponent(currency);
  // An unknown code cannot reach a plan; print minor units if it does.
  return absl::StrCat(currency.empty() ? "???" : currency, " ",
                      exponent.ok()
                          ? FormatMinorUnits(minor_units, *exponent)
                          : absl::StrCat(minor_units, " minor units"));
}

void Add(CurrencyTotals* totals, const v1::Money& money,
         const std::string& fallback_currency) {
  const std::string& code =
      money.currency_code().empty() ? fallback_currency : money.currency_code();
  (*totals)[code] += money.minor_units();
}

std::string EnumSuffix(const std::string& name, absl::string_view prefix) {
  absl::string_view rest = name;
  absl::ConsumePrefix(&rest, prefix);
  return std::string(rest);
}

}  // namespace

std::string FormatTotals(const CurrencyTotals& totals) {
  std::vector<std::string> parts;
  for (const auto& [currency, minor] : totals) {
    parts.push_back(FormatMoney(currency, minor));
  }
  return parts.empty() ? "-" : absl::StrJoin(parts, ", ");
}

void PlanSummary::AddPlan(const v1::PostingPlan& plan) {
  for (const v1::CreditNote& note : plan.credit_notes()) {
    ++credit_notes_;
    Add(&credit_total_, note.total_gross(), note.currency_code());
  }
  for (const v1::StockMovement& m : plan.stock_movements()) {
    ++stock_movements_;
    stock_units_ += m.quantity();
    stock_[{m.depot(), EnumSuffix(v1::Disposition_Name(m.disposition()),
                                  "DISPOSITION_")}] += m.quantity();
  }
  for (const v1::ExchangeOrder& order : plan.exchange_orders()) {
    ++exchange_orders_;
    for (const v1::ExchangeOrderLine& line : order.lines()) {
      if (line.kind() == v1::EXCHANGE_LINE_KIND_PRICE_DIFFERENCE) {
        ++charge_lines_;
        v1::Money amount = line.unit_price();
        amount.set_minor_units(amount.minor_units() * line.quantity());
        Add(&charge_total_, amount, order.currency_code());
      } else {
        exchange_units_ += line.quantity();
      }
    }
  }
  parked_credit_notes_ += plan.parked_credit_notes_size();
  parked_stock_movements_ += plan.parked_stock_movements_size();
  parked_exchange_orders_ += plan.parked_exchange_orders_size();
  already_posted_ += plan.already_posted_size();
}

void PlanSummary::AddException(const v1::Exception& exception, bool is_new) {
  if (!is_new) {
    ++exceptions_repeated_;
    return;
  }
  ++exceptions_new_;
  ++exception_counts_[{
      EnumSuffix(v1::ExceptionCode_Name(exception.code()), "EXCEPTION_CODE_"),
      EnumSuffix(v1::Owner_Name(exception.owner()), "OWNER_")}];
}

void PlanSummary::AddRecovered(int64_t postings, int64_t exceptions) {
  recovered_postings_ += postings;
  recovered_exceptions_ += exceptions;
}

std::string PlanSummary::Text(const std::string& postings_path,
                              const std::string& exceptions_path) const {
  std::string text;
  absl::StrAppendFormat(&text,
                        "Orders:  %d read, %d failed\n"
                        "Returns: %d read, %d planned, %d failed\n",
                        counts_.orders_read, counts_.orders_failed,
                        counts_.returns_read, counts_.returns_planned,
                        counts_.returns_failed);
  if (recovered_postings_ + recovered_exceptions_ > 0) {
    absl::StrAppendFormat(&text,
                          "Recovered from an interrupted run: %d postings, "
                          "%d exceptions (at the top of the files; not in "
                          "the figures below)\n",
                          recovered_postings_, recovered_exceptions_);
  }
  absl::StrAppendFormat(&text, "\nPostings: %d new -> %s\n", postings(),
                        postings_path);
  absl::StrAppendFormat(&text, "  %-16s %6d  %s\n", "credit notes",
                        credit_notes_, FormatTotals(credit_total_));
  absl::StrAppendFormat(&text, "  %-16s %6d  %d units\n", "stock movements",
                        stock_movements_, stock_units_);
  absl::StrAppendFormat(&text, "  %-16s %6d  %d units sent\n",
                        "exchange orders", exchange_orders_, exchange_units_);
  absl::StrAppendFormat(&text, "  %-16s %6d  %s\n", "charge lines",
                        charge_lines_, FormatTotals(charge_total_));
  absl::StrAppendFormat(&text,
                        "  already posted, dropped: %d; parked: %d credit "
                        "notes, %d stock movements, %d exchange orders\n",
                        already_posted_, parked_credit_notes_,
                        parked_stock_movements_, parked_exchange_orders_);
  if (!stock_.empty()) {
    absl::StrAppend(&text, "\nStock units by depot x disposition\n");
    for (const auto& [key, units] : stock_) {
      absl::StrAppendFormat(&text, "  %-16s %-16s %6d\n",
                            key.first.empty() ? "(none)" : key.first,
                            key.second, units);
    }
  }
  absl::StrAppendFormat(&text, "\nExceptions: %d new -> %s", exceptions_new_,
                        exceptions_path);
  if (exceptions_repeated_ > 0) {
    absl::StrAppendFormat(&text, " (%d already queued, not repeated)",
                          exceptions_repeated_);
  }
  absl::StrAppend(&text, "\n");
  for (const auto& [key, count] : exception_counts_) {
    absl::StrAppendFormat(&text, "  %-24s %-18s %6d\n", key.first, key.second,
                          count);
  }
  return text;
}

}  // namespace cli
}  // namespace retcon
