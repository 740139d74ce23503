// Rules evaluation cost by table size (issue 3): FIRST tables of 10 to
// 10,000 rows over 7 inputs of retcon.rules_test.ReturnFact — reason (enum
// of 12), condition (enum of 6), location (8 values), country (10 values),
// SKU (regex in ~30% of rows), order total and days since order (ranges).
// About 60% of cells are `any`; the last row is a catch-all. 100,000 facts
// are generated, each built to satisfy a random row, so the winning rows
// spread across the table.
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "retcon/field_accessors.h"
#include "retcon/rules.h"
#include "retcon/rules_analysis.h"
#include "tests/rules/rules_test_fact.pb.h"

namespace retcon {
namespace {

using rules_test::ReturnFact;

constexpr int kFacts = 100000;
constexpr int64_t kTotals[] = {0, 2000, 5000, 10000, 20000, 50000, 100000};
constexpr int64_t kDays[] = {0, 7, 14, 30, 60, 90, 365};

// One column's cell and how to build a value it accepts.
struct Generator {
  explicit Generator(uint32_t seed) : rng(seed) {}
  std::mt19937 rng;
  int Uniform(int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng);
  }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng); }
};

// A row's tests, -1 / empty meaning `any`.
struct RowSpec {
  std::vector<int> reasons;  // one_of
  int condition_not = -1;    // not_one_of {condition_not}
  int condition = -1;        // equals
  int location = -1;
  std::vector<int> countries;
  int sku_prefix = -1;    // regex ^SKU-<n>
  int total_bucket = -1;  // range [kTotals[i], kTotals[i+1])
  int days_bucket = -1;
};

int Constraints(const RowSpec& r) {
  return !r.reasons.empty() + (r.condition >= 0 || r.condition_not >= 0) +
         (r.location >= 0) + !r.countries.empty() + (r.sku_prefix >= 0) +
         (r.total_bucket >= 0) + (r.days_bucket >= 0);
}

RowSpec RandomRowOnce(Generator& g) {
  RowSpec r;
  if (g.Chance(0.36)) {
    r.reasons.push_back(1 + g.Uniform(11));
    if (g.Chance(0.3)) r.reasons.push_back(1 + g.Uniform(11));
  }
  if (g.Chance(0.36)) {
    if (g.Chance(0.3))
      r.condition_not = g.Uniform(6);
    else
      r.condition = g.Uniform(6);
  }
  if (g.Chance(0.36)) r.location = g.Uniform(8);
  if (g.Chance(0.36)) {
    r.countries.push_back(g.Uniform(10));
    if (g.Chance(0.5)) r.countries.push_back(g.Uniform(10));
  }
  if (g.Chance(0.3)) r.sku_prefix = g.Uniform(100);
  if (g.Chance(0.36)) r.total_bucket = g.Uniform(6);
  if (g.Chance(0.36)) r.days_bucket = g.Uniform(6);
  return r;
}

// Only the last row is a catch-all: every other row tests at least two
// inputs (an all-`any` row early on would end every search there).
RowSpec RandomRow(Generator& g) {
  RowSpec r = RandomRowOnce(g);
  while (Constraints(r) < 2) r = RandomRowOnce(g);
  return r;
}

std::string Location(int i) { return absl::StrCat("LOC", i); }
std::string Country(int i) { return absl::StrCat("C", i); }

void AddRange(v1::Cell* cell, const int64_t* bounds, int bucket) {
  if (bucket < 0) return (void)cell->mutable_any();
  v1::Range* range = cell->mutable_range();
  range->set_low(absl::StrCat(bounds[bucket]));
  range->set_low_inclusive(true);
  range->set_high(absl::StrCat(bounds[bucket + 1]));
}

void AddRow(const RowSpec& s, int index, v1::Decision& d) {
  v1::Row* row = d.add_rows();
  row->set_id(absl::StrCat("R", index));
  v1::Cell* c = row->add_cells();
  if (s.reasons.empty()) c->mutable_any();
  for (int r : s.reasons) {
    c->mutable_one_of()->add_values()->set_enum_value(
        rules_test::Reason_Name(r));
  }
  c = row->add_cells();
  if (s.condition >= 0) {
    c->mutable_equals()->set_enum_value(
        rules_test::Condition_Name(s.condition));
  } else if (s.condition_not >= 0) {
    c->mutable_not_one_of()->add_values()->set_enum_value(
        rules_test::Condition_Name(s.condition_not));
  } else {
    c->mutable_any();
  }
  c = row->add_cells();
  if (s.location < 0)
    c->mutable_any();
  else
    c->mutable_equals()->set_string_value(Location(s.location));
  c = row->add_cells();
  if (s.countries.empty()) c->mutable_any();
  for (int k : s.countries) {
    c->mutable_one_of()->add_values()->set_string_value(Country(k));
  }
  c = row->add_cells();
  if (s.sku_prefix < 0)
    c->mutable_any();
  else
    c->set_regex(absl::StrFormat("^SKU-%02d-", s.sku_prefix));
  AddRange(row->add_cells(), kTotals, s.total_bucket);
  AddRange(row->add_cells(), kDays, s.days_bucket);
  row->add_outputs()->set_string_value(absl::StrCat("DEPOT", index % 7));
}

// A fact that satisfies `s` (random where `s` accepts anything).
ReturnFact FactFor(const RowSpec& s, Generator& g) {
  ReturnFact f;
  f.set_reason(static_cast<rules_test::Reason>(
      s.reasons.empty() ? g.Uniform(12)
                        : s.reasons[g.Uniform(s.reasons.size())]));
  int condition = s.condition >= 0 ? s.condition : g.Uniform(6);
  if (condition == s.condition_not) condition = (condition + 1) % 6;
  f.set_condition(static_cast<rules_test::Condition>(condition));
  f.set_location(Location(s.location >= 0 ? s.location : g.Uniform(8)));
  f.mutable_order()->set_country(Country(
      s.countries.empty() ? g.Uniform(10)
                          : s.countries[g.Uniform(s.countries.size())]));
  int prefix = s.sku_prefix >= 0 ? s.sku_prefix : g.Uniform(100);
  f.set_sku(absl::StrFormat("SKU-%02d-%06d", prefix, g.Uniform(1000000)));
  int tb = s.total_bucket >= 0 ? s.total_bucket : g.Uniform(6);
  f.mutable_order()->set_total_minor(
      kTotals[tb] + g.Uniform(static_cast<int>(kTotals[tb + 1] - kTotals[tb])));
  int db = s.days_bucket >= 0 ? s.days_bucket : g.Uniform(6);
  f.set_days_since_order(
      kDays[db] + g.Uniform(static_cast<int>(kDays[db + 1] - kDays[db])));
  return f;
}

struct Workload {
  v1::RuleSet rule_set;
  std::unique_ptr<const CompiledRuleSet> rules;
  double any_share = 0;  // Fraction of cells that are `any`.
  std::vector<ReturnFact> facts;
};

Workload MakeWorkload(int rows) {
  Generator g(20261128 + rows);
  v1::RuleSet rs;
  rs.set_id("bench");
  v1::Decision& d = *rs.add_decisions();
  d.set_name("depot");
  d.set_fact_type("retcon.rules_test.ReturnFact");
  d.set_hit_policy(v1::Decision::FIRST);
  for (const char* in : {"reason", "condition", "location", "order.country",
                         "sku", "order.total_minor", "days_since_order"}) {
    d.add_inputs(in);
  }
  v1::Output* out = d.add_outputs();
  out->set_name("depot");
  out->set_type(v1::Output::STRING);
  std::vector<RowSpec> specs;
  for (int r = 0; r + 1 < rows; ++r) specs.push_back(RandomRow(g));
  specs.push_back(RowSpec{});  // The catch-all.
  for (size_t r = 0; r < specs.size(); ++r) AddRow(specs[r], r, d);
  ReturnFact::descriptor();
  Workload w;
  int any = 0;
  for (const v1::Row& row : d.rows()) {
    for (const v1::Cell& cell : row.cells()) any += cell.has_any();
  }
  w.any_share = static_cast<double>(any) / (7.0 * d.rows_size());
  w.rule_set = rs;
  auto compiled = CompileRuleSet(rs, CompileOptions{});
  if (!compiled.ok()) abort();
  w.rules = *std::move(compiled);
  for (int i = 0; i < kFacts; ++i) {
    w.facts.push_back(FactFor(specs[g.Uniform(specs.size())], g));
  }
  return w;
}

// Built once per size: benchmark calls each function several times.
const Workload& WorkloadOf(int rows) {
  static auto* const cache = new std::map<int, Workload>();
  auto it = cache->find(rows);
  if (it == cache->end()) it = cache->emplace(rows, MakeWorkload(rows)).first;
  return it->second;
}

// Evaluates by decision name (`by_name`) or by the index looked up once.
void RunFirst(benchmark::State& state, bool by_name) {
  const Workload& w = WorkloadOf(static_cast<int>(state.range(0)));
  const int index = w.rules->DecisionIndex("depot");
  size_t i = 0;
  int64_t rows_fired = 0;
  for (auto _ : state) {
    absl::StatusOr<DecisionResult> r =
        by_name ? w.rules->Evaluate("depot", w.facts[i])
                : w.rules->Evaluate(index, w.facts[i]);
    rows_fired += r->hits[0].row_index;
    benchmark::DoNotOptimize(r);
    if (++i == w.facts.size()) i = 0;
  }
  state.counters["any_share"] = w.any_share;
  state.counters["mean_winning_row"] =
      static_cast<double>(rows_fired) / state.iterations();
}

void BM_Rules_First(benchmark::State& state) { RunFirst(state, false); }
BENCHMARK(BM_Rules_First)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000);

void BM_Rules_FirstByName(benchmark::State& state) { RunFirst(state, true); }
BENCHMARK(BM_Rules_FirstByName)->Arg(100)->Arg(10000);

// The same, reading the fact's top-level inputs through generated accessors
// (retcon/field_accessors.h); country and order total, nested under
// `order`, are still read by reflection.
void BM_Rules_FirstWithAccessors(benchmark::State& state) {
  const Workload& w = WorkloadOf(static_cast<int>(state.range(0)));
  static const FieldAccessors* const accessors = [] {
    auto* a = new FieldAccessors(FieldAccessors::For<ReturnFact>());
    bool ok = a->Add<&ReturnFact::reason>(ReturnFact::kReasonFieldNumber).ok();
    ok &=
        a->Add<&ReturnFact::condition>(ReturnFact::kConditionFieldNumber).ok();
    ok &= a->Add<&ReturnFact::location>(ReturnFact::kLocationFieldNumber).ok();
    ok &= a->Add<&ReturnFact::sku>(ReturnFact::kSkuFieldNumber).ok();
    ok &= a->Add<&ReturnFact::days_since_order>(
               ReturnFact::kDaysSinceOrderFieldNumber)
              .ok();
    if (!ok) abort();
    return a;
  }();
  const int index[] = {w.rules->DecisionIndex("depot")};
  size_t i = 0;
  DecisionResult result;
  for (auto _ : state) {
    absl::Status status = w.rules->EvaluateEach(index, w.facts[i], *accessors,
                                                absl::MakeSpan(&result, 1));
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(result);
    if (++i == w.facts.size()) i = 0;
  }
}
BENCHMARK(BM_Rules_FirstWithAccessors)->Arg(100)->Arg(10000);

void BM_Rules_FirstWithTrace(benchmark::State& state) {
  const Workload& w = WorkloadOf(static_cast<int>(state.range(0)));
  size_t i = 0;
  EvaluationTrace trace;
  for (auto _ : state) {
    benchmark::DoNotOptimize(w.rules->Evaluate("depot", w.facts[i], &trace));
    if (++i == w.facts.size()) i = 0;
  }
}
BENCHMARK(BM_Rules_FirstWithTrace)->Arg(100)->Arg(10000);

void BM_Rules_Compile(benchmark::State& state) {
  const Workload& w = WorkloadOf(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(CompileRuleSet(w.rule_set, CompileOptions{}));
  }
}
BENCHMARK(BM_Rules_Compile)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond);

// One input, one row per distinct value (an `equals` string) or per range,
// 8,000 and 32,000 rows. Each row touches only its own values and range
// buckets (the build that checked every row against every value took 12 s
// at 32,000); what still grows with values x rows is the bitsets, rows / 8
// bytes per distinct value or bucket, so 4 times the rows take about 8
// times as long.
void BM_Rules_CompileDistinct(benchmark::State& state, bool ranges) {
  const int rows = static_cast<int>(state.range(0));
  v1::RuleSet rs;
  v1::Decision& d = *rs.add_decisions();
  d.set_name("d");
  d.set_fact_type("retcon.rules_test.ReturnFact");
  d.set_hit_policy(v1::Decision::FIRST);
  d.add_inputs(ranges ? "days_since_order" : "sku");
  v1::Output* out = d.add_outputs();
  out->set_name("o");
  out->set_type(v1::Output::STRING);
  for (int i = 0; i < rows; ++i) {
    v1::Row* row = d.add_rows();
    row->set_id(absl::StrCat("R", i));
    v1::Cell* cell = row->add_cells();
    if (ranges) {
      cell->mutable_range()->set_low(absl::StrCat(3 * i));
      cell->mutable_range()->set_high(absl::StrCat(3 * i + 100));
    } else {
      cell->mutable_equals()->set_string_value(absl::StrCat("SKU-", i));
    }
    row->add_outputs()->set_string_value("A");
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(CompileRuleSet(rs, CompileOptions{}));
  }
}
BENCHMARK_CAPTURE(BM_Rules_CompileDistinct, values, false)
    ->Arg(8000)
    ->Arg(32000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Rules_CompileDistinct, ranges, true)
    ->Arg(8000)
    ->Arg(32000)
    ->Unit(benchmark::kMillisecond);

// AnalyseRuleSet of the table as generated (its SKU regexes rule out the
// search for rows shadowed by several rows together) and with every SKU
// cell made `any` (the search then runs for each row not shadowed by one).
void RunAnalyse(benchmark::State& state, bool without_regexes) {
  const Workload& w = WorkloadOf(static_cast<int>(state.range(0)));
  std::unique_ptr<const CompiledRuleSet> rules;
  if (without_regexes) {
    v1::RuleSet rs = w.rule_set;
    for (v1::Row& row : *rs.mutable_decisions(0)->mutable_rows()) {
      row.mutable_cells(4)->mutable_any();
    }
    rules = *CompileRuleSet(rs, CompileOptions{});
  }
  const CompiledRuleSet& subject = without_regexes ? *rules : *w.rules;
  size_t findings = 0;
  for (auto _ : state) {
    std::vector<RuleFinding> f = AnalyseRuleSet(subject);
    findings = f.size();
    benchmark::DoNotOptimize(f);
  }
  state.counters["findings"] = static_cast<double>(findings);
}

void BM_Rules_Analyse(benchmark::State& state) { RunAnalyse(state, false); }
BENCHMARK(BM_Rules_Analyse)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond);

void BM_Rules_AnalyseWithoutRegexes(benchmark::State& state) {
  RunAnalyse(state, true);
}
BENCHMARK(BM_Rules_AnalyseWithoutRegexes)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace retcon
