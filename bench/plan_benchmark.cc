// Planning a typical return (issue 4): a 5-line order (one line a gift-set
// bundle of three components, an order-level discount code, 20% VAT
// included, shipping), a finalised return of 2 lines — one whole line, one
// bundle component — inspected and refunded by one transaction; 4 decisions
// of 100 rows each (depot, disposition, refund_policy, refund_tolerance),
// FIRST, a catch-all last row. Each Plan() produces a credit note and two
// stock movements with keys and fingerprints.
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "google/protobuf/arena.h"
#include "retcon/idempotency.h"
#include "retcon/planner.h"
#include "retcon/rules.h"
#include "retcon/v1/facts.pb.h"

namespace retcon {
namespace {

constexpr const char* kReasons[] = {
    "TOO_SMALL",        "TOO_LARGE",  "FAULTY", "CHANGED_MIND",
    "NOT_AS_DESCRIBED", "WRONG_ITEM", "DAMAGED"};
constexpr const char* kConditions[] = {
    "ITEM_CONDITION_NEW_WITH_TAGS", "ITEM_CONDITION_AS_NEW",
    "ITEM_CONDITION_USED", "ITEM_CONDITION_FAULTY", "ITEM_CONDITION_DAMAGED"};
constexpr const char* kLocations[] = {"LEEDS", "YORK", "HULL", "STORE-12"};
constexpr const char* kCountries[] = {"GB", "IE", "FR", "DE"};

std::mt19937& Rng() {
  static std::mt19937 rng(20261128);
  return rng;
}
int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(Rng()); }
bool Chance(double p) { return std::bernoulli_distribution(p)(Rng()); }

void AnyOr(v1::Cell* cell, bool test, const std::function<void(v1::Cell*)>& f) {
  if (test) {
    f(cell);
  } else {
    cell->mutable_any();
  }
}

// 100 rows over a ReturnItemFact, ~60% of cells `any`, last a catch-all.
v1::Decision ItemDecision(const std::string& name, v1::Output output,
                          const std::function<void(v1::Row*, int)>& out) {
  v1::Decision d;
  d.set_name(name);
  d.set_fact_type("retcon.v1.ReturnItemFact");
  d.set_hit_policy(v1::Decision::FIRST);
  for (const char* in :
       {"reason_code", "condition", "return_location", "country_code", "sku",
        "unit_paid_minor", "days_since_order"}) {
    d.add_inputs(in);
  }
  *d.add_outputs() = std::move(output);
  for (int r = 0; r < 100; ++r) {
    v1::Row* row = d.add_rows();
    row->set_id(absl::StrCat(name, "-", r));
    const bool last = r == 99;
    AnyOr(row->add_cells(), !last && Chance(0.4), [](v1::Cell* c) {
      c->mutable_equals()->set_string_value(kReasons[Pick(7)]);
    });
    AnyOr(row->add_cells(), !last && Chance(0.4), [](v1::Cell* c) {
      c->mutable_equals()->set_enum_value(kConditions[Pick(5)]);
    });
    AnyOr(row->add_cells(), !last && Chance(0.4), [](v1::Cell* c) {
      c->mutable_equals()->set_string_value(kLocations[Pick(4)]);
    });
    AnyOr(row->add_cells(), !last && Chance(0.4), [](v1::Cell* c) {
      c->mutable_one_of()->add_values()->set_string_value(kCountries[Pick(4)]);
    });
    AnyOr(row->add_cells(), !last && Chance(0.3),
          [](v1::Cell* c) { c->set_regex(absl::StrCat("^GS-", Pick(3))); });
    AnyOr(row->add_cells(), !last && Chance(0.4), [](v1::Cell* c) {
      v1::Range* range = c->mutable_range();
      range->set_low(absl::StrCat(Pick(5) * 1000));
      range->set_low_inclusive(true);
    });
    AnyOr(row->add_cells(), !last && Chance(0.4), [](v1::Cell* c) {
      c->mutable_range()->set_high(absl::StrCat(7 + Pick(60)));
    });
    out(row, r);
  }
  return d;
}

v1::Decision RefundDecision(const std::string& name,
                            std::vector<v1::Output> outputs,
                            const std::function<void(v1::Row*, int)>& out) {
  v1::Decision d;
  d.set_name(name);
  d.set_fact_type("retcon.v1.RefundFact");
  d.set_hit_policy(v1::Decision::FIRST);
  for (const char* in :
       {"reason_code", "country_code", "channel", "method",
        "all_items_returned", "computed_minor", "days_since_order"}) {
    d.add_inputs(in);
  }
  for (v1::Output& o : outputs) *d.add_outputs() = std::move(o);
  for (int r = 0; r < 100; ++r) {
    v1::Row* row = d.add_rows();
    row->set_id(absl::StrCat(name, "-", r));
    const bool last = r == 99;
    AnyOr(row->add_cells(), !last && Chance(0.4), [](v1::Cell* c) {
      c->mutable_equals()->set_string_value(kReasons[Pick(7)]);
    });
    AnyOr(row->add_cells(), !last && Chance(0.4), [](v1::Cell* c) {
      c->mutable_equals()->set_string_value(kCountries[Pick(4)]);
    });
    AnyOr(row->add_cells(), !last && Chance(0.4), [](v1::Cell* c) {
      c->mutable_equals()->set_string_value(Pick(2) ? "web-uk" : "web-eu");
    });
    AnyOr(row->add_cells(), !last && Chance(0.4), [](v1::Cell* c) {
      c->mutable_equals()->set_enum_value(Pick(2) ? "RESOLUTION_STORE_CREDIT"
                                                  : "RESOLUTION_GIFT_CARD");
    });
    AnyOr(row->add_cells(), !last && Chance(0.4), [](v1::Cell* c) {
      c->mutable_equals()->set_bool_value(Pick(2) == 1);
    });
    AnyOr(row->add_cells(), !last && Chance(0.4), [](v1::Cell* c) {
      c->mutable_range()->set_low(absl::StrCat(Pick(10) * 5000));
    });
    AnyOr(row->add_cells(), !last && Chance(0.4), [](v1::Cell* c) {
      c->mutable_range()->set_high(absl::StrCat(7 + Pick(60)));
    });
    out(row, r);
  }
  return d;
}

v1::Output MakeOutput(const std::string& name, v1::Output::Type type,
                      const std::string& enum_type = "") {
  v1::Output o;
  o.set_name(name);
  o.set_type(type);
  o.set_enum_type(enum_type);
  return o;
}

std::shared_ptr<const CompiledRuleSet> Rules() {
  v1::ReturnItemFact::descriptor();
  v1::RuleSet rs;
  rs.set_id("bench");
  *rs.add_decisions() =
      ItemDecision("depot", MakeOutput("depot", v1::Output::STRING),
                   [](v1::Row* row, int r) {
                     row->add_outputs()->set_string_value(kLocations[r % 4]);
                   });
  *rs.add_decisions() = ItemDecision(
      "disposition",
      MakeOutput("disposition", v1::Output::ENUM, "retcon.v1.Disposition"),
      [](v1::Row* row, int r) {
        row->add_outputs()->set_enum_value(r % 3 == 0 ? "DISPOSITION_DAMAGED"
                                                      : "DISPOSITION_SELLABLE");
      });
  std::vector<v1::Output> policy = {
      MakeOutput("shipping", v1::Output::ENUM, "retcon.v1.ShippingRefund")};
  *rs.add_decisions() =
      RefundDecision("refund_policy", policy, [](v1::Row* row, int r) {
        row->add_outputs()->set_enum_value(
            r == 99 ? "SHIPPING_REFUND_WHEN_ALL_RETURNED"
                    : "SHIPPING_REFUND_NEVER");
      });
  std::vector<v1::Output> tolerance = {
      MakeOutput("absolute_minor", v1::Output::INTEGER),
      MakeOutput("basis_points", v1::Output::INTEGER)};
  *rs.add_decisions() =
      RefundDecision("refund_tolerance", tolerance, [](v1::Row* row, int r) {
        row->add_outputs()->set_int_value(r % 3);
        row->add_outputs()->set_int_value(r % 2 ? 50 : 0);
      });
  auto compiled = CompileRuleSet(rs, {});
  if (!compiled.ok()) {
    fprintf(stderr, "%s\n", std::string(compiled.status().message()).c_str());
    abort();
  }
  return std::shared_ptr<const CompiledRuleSet>(std::move(*compiled));
}

v1::SalesOrder Order() {
  v1::SalesOrder order;
  order.set_order_id("5528190042");
  order.set_order_number("#1042");
  order.set_source("shopify");
  order.set_currency_code("GBP");
  order.set_prices_include_tax(true);
  order.set_channel("web-uk");
  order.mutable_shipping_address()->set_country_code("GB");
  order.mutable_placed_at()->set_seconds(1790000000);
  v1::DiscountApplication* code = order.add_discounts();
  code->set_application_id("SPRING10");
  code->set_level(v1::DISCOUNT_LEVEL_ORDER);
  code->mutable_amount()->set_minor_units(1500);
  const char* skus[] = {"DRESS-RED-10", "GS-WINTER", "SCARF-BLU", "TEE-WHT-M",
                        "SOCKS-3PK"};
  const int64_t prices[] = {7999, 7500, 2999, 1499, 899};
  for (int i = 0; i < 5; ++i) {
    v1::SalesOrderLine* line = order.add_lines();
    line->set_line_id(absl::StrCat("L", i + 1));
    line->set_sku(skus[i]);
    line->set_quantity(i == 3 ? 2 : 1);
    line->mutable_unit_price()->set_minor_units(prices[i]);
    line->add_tax_lines()->set_rate("20");
    if (i == 1) {
      const char* components[] = {"GS-0-HAT", "GS-1-SCARF", "GS-2-GLOVES"};
      const int64_t shares[] = {2000, 3500, 2000};
      for (int c = 0; c < 3; ++c) {
        v1::BundleComponent* component = line->add_components();
        component->set_sku(components[c]);
        component->set_quantity(1);
        component->mutable_allocated_price()->set_minor_units(shares[c]);
      }
    }
  }
  v1::ShippingLine* shipping = order.add_shipping_lines();
  shipping->set_shipping_id("STD");
  shipping->mutable_price()->set_minor_units(495);
  shipping->add_tax_lines()->set_rate("20");
  return order;
}

v1::ReturnRequest Return(int64_t refunded) {
  v1::ReturnRequest ret;
  ret.set_source("returngo");
  ret.set_return_id("RMA-88812");
  ret.set_order_id("5528190042");
  ret.set_status(v1::RETURN_STATUS_DONE);
  ret.mutable_created_at()->set_seconds(1790000000 + 12 * 86400);
  auto add = [&](const char* id, const char* line, const char* component,
                 const char* platform_sku, const char* reason,
                 const char* condition) {
    v1::ReturnLine* l = ret.add_lines();
    l->set_return_line_id(id);
    l->set_order_line_id(line);
    l->set_component_sku(component);
    l->set_platform_sku(platform_sku);
    l->set_quantity(1);
    l->set_reason_code(reason);
    l->set_resolution(v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD);
    v1::Inspection* in = l->mutable_inspection();
    in->set_returned(true);
    in->set_restockable(true);
    v1::ItemCondition c;
    v1::ItemCondition_Parse(condition, &c);
    in->set_condition(c);
    in->set_return_location("LEEDS");
  };
  add("RI-1", "L1", "", "DRESS-RED-10", "TOO_SMALL", "ITEM_CONDITION_AS_NEW");
  add("RI-2", "L2", "GS-1-SCARF", "GS-1-SCARF", "FAULTY",
      "ITEM_CONDITION_FAULTY");
  v1::RefundTransaction* refund = ret.add_refunds();
  refund->set_refund_id("RF-1");
  refund->set_status(v1::TRANSACTION_STATUS_SUCCESS);
  refund->set_method(v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD);
  refund->mutable_amount()->set_minor_units(refunded);
  return ret;
}

// The typical return, its order and planner, with the refund set to the
// credit note's own total so that it validates.
struct TypicalReturn {
  TypicalReturn() {
    auto created = Planner::Create(Rules(), v1::Catalog());
    if (!created.ok()) abort();
    planner = *std::move(created);
    order = Order();
    auto probe = planner->Plan(order, Return(0), v1::OrderHistory());
    if (!probe.ok() || probe->parked_credit_notes_size() != 1) abort();
    ret = Return(probe->parked_credit_notes(0).total_gross().minor_units());
  }

  std::unique_ptr<const Planner> planner;
  v1::SalesOrder order;
  v1::ReturnRequest ret;
  v1::OrderHistory history;
};

void BM_PlanTypicalReturn(benchmark::State& state) {
  const TypicalReturn in;
  for (auto _ : state) {
    absl::StatusOr<v1::PostingPlan> plan =
        in.planner->Plan(in.order, in.ret, in.history);
    benchmark::DoNotOptimize(plan);
  }
  auto plan = in.planner->Plan(in.order, in.ret, in.history);
  state.counters["credit_notes"] = plan->credit_notes_size();
  state.counters["stock_movements"] = plan->stock_movements_size();
  state.counters["exceptions"] = plan->exceptions_size();
}
BENCHMARK(BM_PlanTypicalReturn);

// The same, planning into a PostingPlan on a protobuf arena whose first
// block is reused, as a batch host would: the plan's own allocations and
// its destruction mostly disappear.
void BM_PlanTypicalReturnIntoArena(benchmark::State& state) {
  const TypicalReturn in;
  static char block[64 * 1024];
  google::protobuf::ArenaOptions options;
  options.initial_block = block;
  options.initial_block_size = sizeof(block);
  for (auto _ : state) {
    google::protobuf::Arena arena(options);
    auto* plan =
        google::protobuf::Arena::CreateMessage<v1::PostingPlan>(&arena);
    absl::Status status = in.planner->Plan(in.order, in.ret, in.history, plan);
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(plan);
  }
}
BENCHMARK(BM_PlanTypicalReturnIntoArena);

// The same, into one heap PostingPlan reused from plan to plan: Clear()
// keeps repeated elements and string buffers for the next plan.
void BM_PlanTypicalReturnReusingPlan(benchmark::State& state) {
  const TypicalReturn in;
  v1::PostingPlan plan;
  for (auto _ : state) {
    absl::Status status = in.planner->Plan(in.order, in.ret, in.history, &plan);
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(plan);
  }
}
BENCHMARK(BM_PlanTypicalReturnReusingPlan);

// Not a plan: a floor under BM_PlanTypicalReturn. It does only what any
// Plan() returning this PostingPlan by value must do, whatever the planner's
// own work costs: build the typical plan's output on the heap (a copy of
// it: 29 messages, 64 strings), destroy it, and compute its six UUIDv5s
// (three keys over the identity strings, three fingerprints over content
// strings of the typical plan's lengths: 312 bytes for its credit note,
// 195 for each stock movement). Instructions per iteration:
// scripts/plan_instructions.sh build BM_PlanOutputFloor (it runs the
// fixed-count instance below).
void BM_PlanOutputFloor(benchmark::State& state) {
  const TypicalReturn in;
  const absl::StatusOr<v1::PostingPlan> typical =
      in.planner->Plan(in.order, in.ret, in.history);
  if (!typical.ok()) abort();
  std::vector<std::string> names;
  auto add = [&](const v1::PostingId& id, size_t content) {
    names.push_back(id.identity());
    names.push_back(std::string(content, 'c'));
  };
  for (const auto& note : typical->credit_notes()) add(note.id(), 312);
  for (const auto& move : typical->stock_movements()) add(move.id(), 195);
  for (auto _ : state) {
    v1::PostingPlan plan(*typical);
    for (const std::string& name : names) {
      benchmark::DoNotOptimize(Uuid5(RetconNamespace(), name));
    }
    benchmark::DoNotOptimize(plan);
  }
}
BENCHMARK(BM_PlanOutputFloor);
BENCHMARK(BM_PlanOutputFloor)->Iterations(2000);

}  // namespace
}  // namespace retcon
