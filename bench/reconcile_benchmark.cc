// Reconcile() over a generated month: N returns (half finalised, half in
// flight) against N ERP documents (a credit note and a stock movement per
// finalised return) and N/2 gateway refunds, with a few hundred faults.
// Goal: 1,000,000 vs 1,000,000 in at most 5 s on one core and 2 GiB peak.
//
// Counters: peak_rss_MiB is getrusage's ru_maxrss (whole process: inputs,
// generator and reconciliation); input_rss_MiB is the resident size after
// generating the inputs, before the first Reconcile().
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>

#include "benchmark/benchmark.h"
#include "retcon/reconcile.h"
#include "tests/reconcile/month_generator.h"

namespace retcon {
namespace {

double ResidentMiB() {
  long pages_total = 0, pages_resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  if (std::fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2) {
    pages_resident = 0;
  }
  std::fclose(f);
  return static_cast<double>(pages_resident) * sysconf(_SC_PAGESIZE) /
         (1024.0 * 1024.0);
}

double PeakMiB() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB on Linux.
}

struct Generated {
  testing::Month month;
  double input_mib = 0;
};

// One month per size, generated once (and kept: the inputs count in peak).
const Generated& MonthOf(int64_t returns) {
  static auto* months = new std::map<int64_t, std::unique_ptr<Generated>>();
  auto& slot = (*months)[returns];
  if (slot == nullptr) {
    months->clear();  // Free the previous size's month first.
    auto& fresh = (*months)[returns];
    fresh = std::make_unique<Generated>();
    testing::MonthConfig config;
    config.returns = returns;
    config.missing_credit_notes = 100;
    config.credit_notes_without_return = 100;
    config.amount_disagreements = 100;
    config.missing_stock_movements = 100;
    config.stock_movements_without_return = 100;
    config.duplicate_postings = 100;
    config.sku_mismatches = 100;
    config.currency_mismatches = 100;
    config.gateway_refunds_without_return = 100;
    fresh->month = testing::GenerateMonth(config);
    fresh->input_mib = ResidentMiB();
    return *fresh;
  }
  return *slot;
}

void BM_Reconcile_Month(benchmark::State& state) {
  const Generated& g = MonthOf(state.range(0));
  ReconcileOptions options;
  options.as_of = g.month.as_of;
  int64_t gaps = 0;
  for (auto _ : state) {
    absl::StatusOr<v1::ReconcileReport> report =
        Reconcile(g.month.returns, g.month.erp, g.month.gateway, options);
    if (!report.ok()) {
      state.SkipWithError(std::string(report.status().message()).c_str());
      return;
    }
    gaps = report->gaps_size();
    benchmark::DoNotOptimize(report);
  }
  state.counters["returns"] = static_cast<double>(g.month.returns.size());
  state.counters["erp_documents"] = static_cast<double>(g.month.erp.size());
  state.counters["gateway_refunds"] =
      static_cast<double>(g.month.gateway.size());
  state.counters["gaps"] = static_cast<double>(gaps);
  state.counters["input_rss_MiB"] = g.input_mib;
  state.counters["peak_rss_MiB"] = PeakMiB();
}
BENCHMARK(BM_Reconcile_Month)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->Repetitions(5)
    ->ReportAggregatesOnly(false);

}  // namespace
}  // namespace retcon
