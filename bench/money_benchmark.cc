// The money primitives the apportioning is built from.
#include <cstdint>
#include <vector>

#include "benchmark/benchmark.h"
#include "retcon/allocation.h"
#include "retcon/money.h"
#include "retcon/tax.h"

namespace retcon {
namespace {

void BM_ParseMinorUnits_Gbp(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseMinorUnits("179.25", 2));
  }
}
BENCHMARK(BM_ParseMinorUnits_Gbp);

void BM_AllocateByWeights(benchmark::State& state) {
  std::vector<int64_t> weights(state.range(0));
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = 1000 + 37 * i;
  std::vector<int64_t> shares(weights.size());
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        AllocateByWeights(123457, weights, absl::MakeSpan(shares)));
  }
}
BENCHMARK(BM_AllocateByWeights)->Arg(3)->Arg(10)->Arg(100);

void BM_CumulativeSlice(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(CumulativeSlice(1000, 1, 3, 6));
  }
}
BENCHMARK(BM_CumulativeSlice);

void BM_ExtractTax(benchmark::State& state) {
  const TaxRate vat = *TaxRate::Parse("20");
  int64_t gross = 17925;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ExtractTax(gross, vat));
  }
}
BENCHMARK(BM_ExtractTax);

}  // namespace
}  // namespace retcon
