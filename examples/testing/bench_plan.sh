#!/usr/bin/env bash
# bench_plan.sh TOOL [RETURNS] [RUNS]: `retcon plan` on a generated feed of
# RETURNS returns (default 100000) and their orders, pinned to one core
# (taskset -c 0), RUNS times (default 3) with a fresh ledger and RUNS times
# without one. Prints each run's wall time, returns/s, input MB/s and peak
# RSS (/usr/bin/time -v), CPU time (user + sys: what the run itself used,
# less sensitive to other load on the machine than the wall time), the medians, the --stats phase split of the last
# run of each kind, and the load average. Not part of CTest.
set -euo pipefail

tool=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
returns=${2:-100000}
runs=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
data=$(cd "$here/../data/plan" && pwd)
work=${BENCH_DIR:-/tmp/retcon-bench}
mkdir -p "$work"
feed="$work/feed-$returns"
if [ ! -s "$feed/returns.ndjson" ]; then
  python3 "$here/gen_plan_feed.py" --returns "$returns" --seed 7 --out "$feed"
fi
bytes=$(($(stat -c %s "$feed/orders.ndjson") + $(stat -c %s "$feed/returns.ndjson")))
echo "feed: $returns returns, $(wc -l <"$feed/orders.ndjson") orders, $bytes bytes"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for mode in ledger no-ledger; do
  : >"$work/times.$mode"
  for i in $(seq "$runs"); do
    out="$work/out-$mode"
    rm -rf "$out"
    mkdir -p "$out"
    extra=()
    [ "$mode" = ledger ] && extra=(--ledger "$out/ledger.db")
    /usr/bin/time -v -o "$out/time.txt" taskset -c 0 "$tool" plan \
      --rules "$data/rules.textproto" --catalog "$data/catalog.json" \
      --orders "$feed/orders.ndjson" --returns "$feed/returns.ndjson" \
      --out "$out" --stats "${extra[@]}" >"$out/summary.txt" 2>"$out/stderr.txt" || true
    wall=$(grep "Elapsed (wall" "$out/time.txt" | awk '{print $NF}' |
      awk -F: '{ if (NF == 3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
    rss=$(grep "Maximum resident" "$out/time.txt" | awk '{print $NF}')
    cpu=$(awk -F': ' '/User time|System time/ {t += $2} END {print t}' "$out/time.txt")
    printf '%s run %d: %.2f s wall, %.2f s CPU, %.0f returns/s, %.2f MB/s (per CPU second: %.0f, %.2f), peak RSS %.0f MB\n' \
      "$mode" "$i" "$wall" "$cpu" "$(echo "$returns / $wall" | bc -l)" \
      "$(echo "$bytes / $wall / 1000000" | bc -l)" "$(echo "$returns / $cpu" | bc -l)" \
      "$(echo "$bytes / $cpu / 1000000" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
    echo "$wall $rss $cpu" >>"$work/times.$mode"
  done
  w=$(cut -d' ' -f1 "$work/times.$mode" | median)
  r=$(cut -d' ' -f2 "$work/times.$mode" | median)
  c=$(cut -d' ' -f3 "$work/times.$mode" | median)
  printf '%s median: %.2f s wall (%.0f returns/s, %.2f MB/s); %.2f s CPU (%.0f returns/s, %.2f MB/s); peak RSS %.0f MB\n' \
    "$mode" "$w" "$(echo "$returns / $w" | bc -l)" "$(echo "$bytes / $w / 1000000" | bc -l)" \
    "$c" "$(echo "$returns / $c" | bc -l)" "$(echo "$bytes / $c / 1000000" | bc -l)" \
    "$(echo "$r / 1024" | bc -l)"
  grep "stats" -A1 "$work/out-$mode/stderr.txt" | sed 's/^/  /'
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
