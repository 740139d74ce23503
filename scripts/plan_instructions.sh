#!/usr/bin/env bash
# Instructions per Plan() of bench/plan_benchmark, counted by callgrind
# (deterministic, unlike timings on a shared machine), including the
# PostingPlan's destruction. Needs valgrind.
#   scripts/plan_instructions.sh [BUILD_DIR] [BENCHMARK_FILTER]
# MIN_TIME (seconds, default 0.6) sets how many plans are counted; more
# plans spread the first call's one-time costs thinner.
set -euo pipefail
build=${1:-build}
filter=${2:-'BM_PlanTypicalReturn$'}
out=$(mktemp /tmp/plan-callgrind.XXXXXX)
valgrind --tool=callgrind --callgrind-out-file="$out" \
  --toggle-collect='*PlannerImpl::Plan(*' --toggle-collect='*~PostingPlan*' \
  "$build/bench/plan_benchmark" --benchmark_filter="$filter" \
  --benchmark_min_time="${MIN_TIME:-0.6}" >/dev/null 2>&1
# PaidFigures runs once per Plan: its call count is the number of plans.
plans=$(callgrind_annotate --tree=caller "$out" 2>/dev/null |
  grep -E "< .*retcon::PaidFigures\(" | head -1 |
  grep -oE "\(([0-9,]+)x\)" | tr -dc 0-9)
total=$(callgrind_annotate "$out" 2>/dev/null | grep "PROGRAM TOTALS" |
  awk '{gsub(",", "", $1); print $1}')
echo "plans=$plans instructions=$total per_plan=$((total / plans)) profile=$out"
