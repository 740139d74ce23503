// A deterministic month of returns, ERP documents and gateway refunds for
// reconciliation tests and the benchmark: clean data plus injected faults of
// known counts. Same config, same month, byte for byte.
#ifndef RETCON_TESTS_RECONCILE_MONTH_GENERATOR_H_
#define RETCON_TESTS_RECONCILE_MONTH_GENERATOR_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "retcon/v1/reconcile.pb.h"
#include "retcon/v1/return.pb.h"

namespace retcon {
namespace testing {

struct MonthConfig {
  uint64_t seed = 20261130;
  int64_t returns = 1000;  // All returns of the month.
  // Every `in_flight_every`-th return is still approved, with nothing to
  // post; 2 makes half of them in flight (1M returns vs 1M ERP documents).
  int64_t in_flight_every = 2;
  // Faults, each on a different finalised return (or an extra record).
  int64_t missing_credit_notes = 0;
  int64_t credit_notes_without_return = 0;
  int64_t amount_disagreements = 0;
  int64_t missing_stock_movements = 0;
  int64_t stock_movements_without_return = 0;
  int64_t duplicate_postings = 0;  // Half stock movements, half credit notes.
  int64_t sku_mismatches = 0;
  int64_t currency_mismatches = 0;
  int64_t gateway_refunds_without_return = 0;
  // Refunds that failed (or, every other one, were canceled) after their
  // credit note was posted; the gateway paid nothing.
  int64_t credit_notes_for_failed_refunds = 0;
  bool with_gateway = true;  // Emit gateway refunds.
};

struct Month {
  std::vector<v1::ReturnRequest> returns;
  std::vector<v1::ErpDocument> erp;
  std::vector<v1::GatewayRefund> gateway;
  std::string as_of;  // "2026-11-30".
  // Gap type -> how many gaps the faults must produce.
  std::map<v1::GapType, int64_t> expected_gaps;
  // return ids, ERP document ids and gateway refund ids touched by a fault:
  // every gap must name one of them.
  std::set<std::string> faulty_ids;
};

// Every fault count at most 1/10 of the finalised, key- or reference-posted
// returns in total. REQUIRES: that bound holds.
Month GenerateMonth(const MonthConfig& config);

}  // namespace testing
}  // namespace retcon

#endif  // RETCON_TESTS_RECONCILE_MONTH_GENERATOR_H_
