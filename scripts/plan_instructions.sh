#!/usr/bin/env bash
# Instructions per Plan() of bench/plan_benchmark, counted by callgrind
# (deterministic, unlike timings on a shared machine), including the
# PostingPlan's destruction. Needs valgrind.
#   scripts/plan_instructions.sh [BUILD_DIR] [BENCHMARK_FILTER]
# MIN_TIME (seconds, default 0.6) sets how many plans are counted; more
# plans spread the first call's one-time costs thinner.
# With BM_PlanOutputFloor as the filter: instructions per iteration of the
# output floor (copy, destruction and UUIDv5s of the typical plan), over
# its 2000-iteration instance; the setup's one plan adds under 0.1%.
set -euo pipefail
build=${1:-build}
filter=${2:-'BM_PlanTypicalReturn$'}
out=$(mktemp /tmp/plan-callgrind.XXXXXX)
if [[ $filter == BM_PlanOutputFloor* ]]; then
  valgrind --tool=callgrind --callgrind-out-file="$out" \
    --toggle-collect='*PostingPlan::PostingPlan(*PostingPlan const&)' \
    --toggle-collect='*~PostingPlan*' --toggle-collect='*retcon::Uuid5(*' \
    "$build/bench/plan_benchmark" \
    --benchmark_filter='BM_PlanOutputFloor/iterations:2000' >/dev/null 2>&1
  plans=2000
else
  valgrind --tool=callgrind --callgrind-out-file="$out" \
    --toggle-collect='*PlannerImpl::Plan(*' --toggle-collect='*~PostingPlan*' \
    "$build/bench/plan_benchmark" --benchmark_filter="$filter" \
    --benchmark_min_time="${MIN_TIME:-0.6}" >/dev/null 2>&1
  # PaidFigures runs once per Plan: its call count is the number of plans.
  plans=$(callgrind_annotate --tree=caller "$out" 2>/dev/null |
    grep -E "< .*retcon::PaidFigures\(" | head -1 |
    grep -oE "\(([0-9,]+)x\)" | tr -dc 0-9)
fi
total=$(callgrind_annotate "$out" 2>/dev/null | grep "PROGRAM TOTALS" |
  awk '{gsub(",", "", $1); print $1}')
echo "plans=$plans instructions=$total per_plan=$((total / plans)) profile=$out"
