// The summary `retcon plan` prints: what a run handed over, by document type
// (counts and money per currency), stock units by depot x disposition, and
// exceptions by code x owner.
//
//   PlanSummary summary;
//   summary.AddPlan(plan);          // the ready postings of one return
//   summary.AddException(e, true);  // queued now (false: queued before)
//   out << summary.Text();
//
// Money is exact: integer minor units per currency, printed with the
// currency's decimals; currencies are never added together.
// Thread-compatible.
#ifndef RETCON_EXAMPLES_RETCON_PLAN_SUMMARY_H_
#define RETCON_EXAMPLES_RETCON_PLAN_SUMMARY_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "retcon/v1/plan.pb.h"

namespace retcon {
namespace cli {

// Money per currency code, in minor units.
using CurrencyTotals = std::map<std::string, int64_t>;

// "GBP 12.50, EUR 3.00" (currencies in code order); "-" when empty.
std::string FormatTotals(const CurrencyTotals& totals);

struct PlanCounts {
  int64_t orders_read = 0;
  int64_t orders_failed = 0;
  int64_t returns_read = 0;
  int64_t returns_failed = 0;
  int64_t returns_planned = 0;
};

class PlanSummary {
 public:
  // Counts the ready postings of `plan` (written to postings.ndjson), its
  // parked postings and those it dropped as already posted.
  void AddPlan(const v1::PostingPlan& plan);
  // An exception of a plan: `is_new` when it goes to exceptions.ndjson,
  // false when the same exception was queued before (by an earlier run or
  // return) and is not repeated.
  void AddException(const v1::Exception& exception, bool is_new);
  // Lines recovered from an interrupted earlier run into this run's files.
  void AddRecovered(int64_t postings, int64_t exceptions);

  PlanCounts& counts() { return counts_; }
  int64_t postings() const {
    return credit_notes_ + stock_movements_ + exchange_orders_;
  }
  int64_t exceptions() const { return exceptions_new_; }

  // The report. `postings_path` and `exceptions_path` name the files.
  std::string Text(const std::string& postings_path,
                   const std::string& exceptions_path) const;

 private:
  PlanCounts counts_;
  int64_t credit_notes_ = 0;
  CurrencyTotals credit_total_;
  int64_t stock_movements_ = 0;
  int64_t stock_units_ = 0;
  int64_t exchange_orders_ = 0;
  int64_t exchange_units_ = 0;
  int64_t charge_lines_ = 0;
  CurrencyTotals charge_total_;
  int64_t parked_credit_notes_ = 0;
  int64_t parked_stock_movements_ = 0;
  int64_t parked_exchange_orders_ = 0;
  int64_t already_posted_ = 0;
  int64_t exceptions_new_ = 0;
  int64_t exceptions_repeated_ = 0;
  int64_t recovered_postings_ = 0;
  int64_t recovered_exceptions_ = 0;
  // (depot, disposition) -> units.
  std::map<std::pair<std::string, std::string>, int64_t> stock_;
  // (code, owner) -> count, new exceptions only.
  std::map<std::pair<std::string, std::string>, int64_t> exception_counts_;
};

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_PLAN_SUMMARY_H_
