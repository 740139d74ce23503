#!/usr/bin/env bash
# plan_test.sh TOOL CASE: end-to-end tests of `retcon plan` and its ledger.
# Run from examples/data (CTest does). Cases:
#   golden     retcon.v1 feed with a ledger: summary, stderr, exit code and
#              both output files against data/expected/plan_*.
#   adapters   Shopify orders (a JSON array) + ReturnGo RMAs (NDJSON), one
#              return line per unit; then with --returngo-lines grouped.
#   rerun      the same feed twice on one ledger: the second run posts
#              nothing and says so; an overlapping feed posts only what is new.
#   crash      RETCON_TEST_CRASH_AFTER=N (the process dies right after the
#              N-th commit, before writing its lines), for every N, with
#              --commit-every 1 and 2, then a rerun into another directory or
#              the same one: the union of the outputs equals one clean run.
#   rule_book  a RuleBook: version by return date or --as-of.
#   odd_text   strings that JSON must escape, in the outputs.
#   bad_records  bad orders and an unclosed JSON array of returns.
#   rejected_rmas  ReturnGo RMAs the planner rejects: the messages name the
#              RMA and the ReturnGo field of each retcon.v1 field path.
#   ledger_errors  ledgers of another schema version, of another application,
#              and not SQLite at all.
#   returngo_lines  a ledger keeps the --returngo-lines of its first ReturnGo
#              run: grouped then the default (unit) is refused with nothing
#              written, grouped again posts nothing new; a ledger made before
#              the setting was recorded is taken as grouped; retcon.v1 feeds
#              are not concerned.
#   sigkill    a 1500-return generated feed killed with SIGKILL at several
#              moments, then rerun: the union equals one clean run.
# UPDATE_EXPECTED=1 rewrites the expected files of golden, adapters,
# bad_records, rejected_rmas, ledger_errors and returngo_lines.
set -euo pipefail
# Every posting and exception line is also printed by protobuf's own JSON
# printer and compared (examples/retcon/json_line.h).
export RETCON_JSON_SELFCHECK=1

tool=$1
case_name=$2
here=$(cd "$(dirname "$0")" && pwd)
expected=$PWD/expected
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
P=(--rules plan/rules.textproto --catalog plan/catalog.json)

fail() { echo "FAIL: $*" >&2; exit 1; }

# run OUT_DIR [ARGS...]: the tool's stdout, stderr and exit code into
# OUT_DIR/run.txt, with the work directory written as $WORK.
run() {
  local out=$1
  shift
  mkdir -p "$out"
  local code=0
  "$tool" plan "$@" --out "$out" >"$out/stdout" 2>"$out/stderr" || code=$?
  { cat "$out/stdout"; echo "--- stderr"; cat "$out/stderr"; echo "--- exit $code"; } |
    sed "s#$work#\$WORK#g" >"$out/run.txt"
  return 0
}

# compare ACTUAL EXPECTED_FILE
compare() {
  if [ "${UPDATE_EXPECTED:-0}" = 1 ]; then
    cp "$1" "$2"
    echo "updated $2"
  elif ! diff -u "$2" "$1"; then
    fail "$1 differs from $2 (- expected, + actual)"
  fi
}

exit_of() { tail -n 1 "$1/run.txt"; }

# union_equals CLEAN DIR...: the postings (and exceptions) of DIRs together
# are those of CLEAN, none twice.
union_equals() {
  local clean=$1
  shift
  for f in postings exceptions; do
    sort "$clean/$f.ndjson" >"$work/clean.$f"
    local dirs=("$@")
    cat "${dirs[@]/%//$f.ndjson}" | sort >"$work/union.$f"
    if [ -n "$(uniq -d "$work/union.$f")" ]; then
      fail "$f: duplicates in the union of $*"
    fi
    if [ "$f" = exceptions ] && [ "${REPLAYS_MAY_ADD_DUPLICATE_SIGNAL:-0}" = 1 ]; then
      # Not a bug: the rerun plans again the returns the crashed run had
      # committed. A return whose stock movement was parked (say, no depot)
      # is now planned against a history that holds a later return's posted
      # movement of the same unit, so the planner rightly adds a
      # DUPLICATE_SIGNAL (more units back than sold) that the clean run,
      # planning it first, could not see. Every other line must match.
      if [ -n "$(comm -23 "$work/clean.$f" "$work/union.$f")" ] ||
        [ -n "$(comm -13 "$work/clean.$f" "$work/union.$f" | grep -v EXCEPTION_CODE_DUPLICATE_SIGNAL)" ]; then
        fail "$f: the union of $* differs from one clean run"
      fi
      continue
    fi
    if ! cmp -s "$work/clean.$f" "$work/union.$f"; then
      diff "$work/clean.$f" "$work/union.$f" | head -5 >&2
      fail "$f: the union of $* differs from one clean run"
    fi
  done
}

case "$case_name" in
golden)
  run "$work/a" "${P[@]}" --orders plan/orders.ndjson --returns plan/returns.ndjson \
    --ledger "$work/ledger.db"
  compare "$work/a/run.txt" "$expected/plan_retcon.txt"
  compare "$work/a/postings.ndjson" "$expected/plan_retcon_postings.ndjson"
  compare "$work/a/exceptions.ndjson" "$expected/plan_retcon_exceptions.ndjson"
  ;;
adapters)
  run "$work/a" "${P[@]}" --orders plan/shopify_orders.json \
    --returns plan/returngo_rmas.ndjson
  compare "$work/a/run.txt" "$expected/plan_adapters.txt"
  compare "$work/a/postings.ndjson" "$expected/plan_adapters_postings.ndjson"
  compare "$work/a/exceptions.ndjson" "$expected/plan_adapters_exceptions.ndjson"
  run "$work/g" "${P[@]}" --orders plan/shopify_orders.json \
    --returns plan/returngo_rmas.ndjson --returngo-lines grouped
  compare "$work/g/run.txt" "$expected/plan_adapters_grouped.txt"
  ;;
rerun)
  feed=(--orders plan/orders.ndjson --returns plan/returns.ndjson --ledger "$work/l.db")
  run "$work/1" "${P[@]}" "${feed[@]}"
  run "$work/2" "${P[@]}" "${feed[@]}"
  [ -s "$work/1/postings.ndjson" ] || fail "the first run posted nothing"
  [ ! -s "$work/2/postings.ndjson" ] || fail "the second run posted again"
  [ ! -s "$work/2/exceptions.ndjson" ] || fail "the second run queued exceptions again"
  grep -q "^Postings: 0 new" "$work/2/stdout" || fail "the summary of the rerun does not say 0 new"
  grep -q "already posted, dropped: 9;" "$work/2/stdout" ||
    fail "the rerun does not count the 9 postings already posted (7 + RG-9001 twice): $(grep already "$work/2/stdout")"
  # An overlapping feed: the first three good returns again plus the rest.
  head -n 2 plan/returns.ndjson >"$work/first.ndjson"
  run "$work/p1" "${P[@]}" --orders plan/orders.ndjson --returns "$work/first.ndjson" \
    --ledger "$work/o.db"
  run "$work/p2" "${P[@]}" --orders plan/orders.ndjson --returns plan/returns.ndjson \
    --ledger "$work/o.db"
  union_equals "$work/1" "$work/p1" "$work/p2"
  ;;
crash)
  feed=(--orders plan/orders.ndjson --returns plan/returns.ndjson)
  run "$work/clean" "${P[@]}" "${feed[@]}" --ledger "$work/clean.db"
  for every in 1 2; do
    for n in 1 2 3 4 5 6 7 8 9; do
      for same in no yes; do
        t="$work/c$every-$n-$same"
        RETCON_TEST_CRASH_AFTER=$n run "$t/1" "${P[@]}" "${feed[@]}" --ledger "$t/l.db" \
          --commit-every $every
        code=$(exit_of "$t/1")
        if [ "$code" != "--- exit 86" ]; then
          # Fewer commits than N: the run finished normally.
          [ "$code" = "--- exit 3" ] || fail "crash after $n: $code"
          continue
        fi
        if [ $same = yes ]; then
          cp -R "$t/1" "$t/1.saved"
          run "$t/1" "${P[@]}" "${feed[@]}" --ledger "$t/l.db"
          union_equals "$work/clean" "$t/1"
        else
          run "$t/2" "${P[@]}" "${feed[@]}" --ledger "$t/l.db"
          union_equals "$work/clean" "$t/1" "$t/2"
        fi
      done
    done
  done
  ;;
sigkill)
  # The generated feed has returns parked for an unmapped depot followed by
  # another return of the same unit (see union_equals).
  export REPLAYS_MAY_ADD_DUPLICATE_SIGNAL=1
  python3 "$here/gen_plan_feed.py" --returns 1500 --seed 11 --out "$work/feed"
  feed=(--orders "$work/feed/orders.ndjson" --returns "$work/feed/returns.ndjson")
  run "$work/clean" "${P[@]}" "${feed[@]}" --ledger "$work/clean.db"
  for delay in 0.05 0.15 0.3 0.45; do
    t="$work/k$delay"
    mkdir -p "$t/1"
    "$tool" plan "${P[@]}" "${feed[@]}" --ledger "$t/l.db" --out "$t/1" \
      --commit-every 7 >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    # Killed before it created its files: it had committed nothing.
    touch "$t/1/postings.ndjson" "$t/1/exceptions.ndjson"
    run "$t/2" "${P[@]}" "${feed[@]}" --ledger "$t/l.db"
    union_equals "$work/clean" "$t/1" "$t/2"
    # And a third run posts nothing.
    run "$t/3" "${P[@]}" "${feed[@]}" --ledger "$t/l.db"
    [ ! -s "$t/3/postings.ndjson" ] || fail "a third run posted again"
  done
  ;;
rule_book)
  # A RuleBook: the version in force on each return's created_at (the latest
  # when it has none), or on --as-of; a date no version covers stops the run.
  book=(--rules plan/rules_book.textproto --catalog plan/catalog.json
    --orders plan/orders.ndjson --returns plan/returns.ndjson)
  run "$work/latest" "${book[@]}"
  grep -q "^  LEEDS-2 " "$work/latest/stdout" || fail "latest version not used: $(cat "$work/latest/run.txt")"
  run "$work/old" "${book[@]}" --as-of 2026-01-01
  grep -q "^  LEEDS  " "$work/old/stdout" || fail "--as-of 2026-01-01 not used: $(cat "$work/old/run.txt")"
  run "$work/none" "${book[@]}" --as-of 2020-01-01
  grep -q "no version of the rules is in force on 2020-01-01" "$work/none/stderr" &&
    [ "$(exit_of "$work/none")" = "--- exit 1" ] || fail "$(cat "$work/none/run.txt")"
  ;;
odd_text)
  # Ids and reason codes with quotes, backslashes, <, >, &, ', DEL, a control
  # character, U+2028/U+2029 and non-ASCII: the lines are valid JSON and the
  # same as protobuf's printer gives (the self-check aborts otherwise).
  run "$work/a" "${P[@]}" --orders plan/orders.ndjson --returns plan/returns_odd_text.ndjson
  [ "$(exit_of "$work/a")" = "--- exit 0" ] || fail "$(cat "$work/a/run.txt")"
  python3 -c 'import json, sys
for line in open(sys.argv[1]): json.loads(line)' "$work/a/postings.ndjson"
  ;;
bad_records)
  # Bad orders (wrong type, no order_id, malformed JSON) and a JSON array of
  # returns whose last element is never closed: reported, skipped, exit 3.
  run "$work/a" "${P[@]}" --orders plan/broken/orders_bad.ndjson \
    --returns plan/broken/returns_unclosed.json
  compare "$work/a/run.txt" "$expected/plan_bad_records.txt"
  ;;
rejected_rmas)
  # An RMA whose item names no line of its order, and one whose order is not
  # in --orders: reported in the RMA's terms, skipped, exit 3.
  run "$work/a" "${P[@]}" --orders plan/shopify_orders.json \
    --returns plan/broken/rmas_rejected.ndjson
  compare "$work/a/run.txt" "$expected/plan_rejected_rmas.txt"
  ;;
ledger_errors)
  # A ledger of another schema version, another application's SQLite file,
  # and a file that is not SQLite: each a clear error, exit 1, nothing run.
  python3 - "$work" <<'PY'
import sqlite3, sys
w = sys.argv[1]
db = sqlite3.connect(w + "/v99.db")
db.executescript("CREATE TABLE runs (run_id INTEGER PRIMARY KEY);"
                 "PRAGMA application_id = 1381253966; PRAGMA user_version = 99;")
db.close()
db = sqlite3.connect(w + "/other.db")
db.executescript("CREATE TABLE t (x); PRAGMA user_version = 1;")
db.close()
open(w + "/text.db", "w").write("not a database, just text\n" * 100)
PY
  for db in v99 other text; do
    run "$work/$db" "${P[@]}" --orders plan/orders.ndjson --returns plan/returns.ndjson \
      --ledger "$work/$db.db"
  done
  compare <(cat "$work/v99/run.txt" "$work/other/run.txt" "$work/text/run.txt") \
    "$expected/plan_ledger_errors.txt"
  ;;
returngo_lines)
  rg=(--orders plan/shopify_orders.json --returns plan/returngo_rmas.ndjson)
  # dump DB: every row of every table, to tell whether a run changed it.
  dump() {
    python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for line in db.iterdump():
    print(line)
PY
  }
  setting() {
    python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for row in db.execute("SELECT name, value, run_id FROM settings"):
    print(*row)
PY
  }
  # The hazard: unit lines give this feed's stock movements other keys.
  run "$work/u" "${P[@]}" "${rg[@]}"
  run "$work/g" "${P[@]}" "${rg[@]}" --returngo-lines grouped
  grep stock_movement "$work/u/postings.ndjson" | grep -o '"idempotency_key":"[^"]*"' | sort >"$work/u.keys"
  grep stock_movement "$work/g/postings.ndjson" | grep -o '"idempotency_key":"[^"]*"' | sort >"$work/g.keys"
  [ -n "$(comm -23 "$work/u.keys" "$work/g.keys")" ] ||
    fail "unit and grouped lines give the same stock movement keys: nothing to guard"

  # Grouped, then the default: refused, nothing written.
  run "$work/1" "${P[@]}" "${rg[@]}" --ledger "$work/l.db" --returngo-lines grouped
  [ "$(exit_of "$work/1")" = "--- exit 0" ] || fail "$(cat "$work/1/run.txt")"
  [ -s "$work/1/postings.ndjson" ] || fail "the grouped run posted nothing"
  [ "$(setting "$work/l.db")" = "returngo_lines grouped 1" ] ||
    fail "setting after the grouped run: $(setting "$work/l.db")"
  dump "$work/l.db" >"$work/before.sql"
  run "$work/2" "${P[@]}" "${rg[@]}" --ledger "$work/l.db"
  run "$work/3" "${P[@]}" "${rg[@]}" --ledger "$work/l.db" --returngo-lines unit
  for n in 2 3; do
    [ ! -e "$work/$n/postings.ndjson" ] || fail "run $n wrote postings.ndjson"
  done
  dump "$work/l.db" >"$work/after.sql"
  cmp -s "$work/before.sql" "$work/after.sql" || fail "a refused run changed the ledger"
  # Grouped again: runs, posts nothing new.
  run "$work/4" "${P[@]}" "${rg[@]}" --ledger "$work/l.db" --returngo-lines grouped
  [ "$(exit_of "$work/4")" = "--- exit 0" ] || fail "$(cat "$work/4/run.txt")"
  [ ! -s "$work/4/postings.ndjson" ] || fail "grouped twice posted again"
  grep -q "^Postings: 0 new" "$work/4/stdout" || fail "$(cat "$work/4/run.txt")"

  # Ledgers made before the setting existed (no settings table) holding
  # ReturnGo postings, planned grouped or per unit: "unknown" (run_id 0); a
  # run must state the setting (refused without one, the grouped ledger's
  # message counting its stock movements of several units), which is then
  # recorded.
  for mode in grouped unit; do
    db="$work/old-$mode.db"
    run "$work/p1-$mode" "${P[@]}" "${rg[@]}" --ledger "$db" --returngo-lines $mode
    python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("DROP TABLE settings")' \
      "$db"
    run "$work/p2-$mode" "${P[@]}" "${rg[@]}" --ledger "$db"
    [ ! -e "$work/p2-$mode/postings.ndjson" ] || fail "p2-$mode wrote postings.ndjson"
    [ "$(setting "$db")" = "returngo_lines unknown 0" ] ||
      fail "setting of the upgraded ledger: $(setting "$db")"
    run "$work/p3-$mode" "${P[@]}" "${rg[@]}" --ledger "$db" --returngo-lines $mode
    [ "$(exit_of "$work/p3-$mode")" = "--- exit 0" ] || fail "$(cat "$work/p3-$mode/run.txt")"
    [ ! -s "$work/p3-$mode/postings.ndjson" ] || fail "the upgraded $mode ledger posted again"
    [ "$(setting "$db")" = "returngo_lines $mode 2" ] ||
      fail "setting stated on the upgraded ledger: $(setting "$db")"
  done
  # Once stated, the other setting is refused like any.
  run "$work/p4" "${P[@]}" "${rg[@]}" --ledger "$work/old-grouped.db"
  # Without ReturnGo postings, an old ledger has no setting until a run
  # records one.
  run "$work/e1" "${P[@]}" --orders plan/orders.ndjson --returns /dev/null \
    --ledger "$work/empty.db"
  python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("DROP TABLE settings")' \
    "$work/empty.db"
  run "$work/e2" "${P[@]}" "${rg[@]}" --ledger "$work/empty.db"
  [ "$(exit_of "$work/e2")" = "--- exit 0" ] || fail "$(cat "$work/e2/run.txt")"
  [ "$(setting "$work/empty.db")" = "returngo_lines unit 2" ] ||
    fail "setting of the empty old ledger: $(setting "$work/empty.db")"

  # retcon.v1 feeds: no setting recorded, none checked (the fixture's
  # returns come from ReturnGo but are retcon.v1 JSON).
  run "$work/v1" "${P[@]}" --orders plan/orders.ndjson --returns plan/returns.ndjson \
    --ledger "$work/v.db"
  [ -z "$(setting "$work/v.db")" ] || fail "a retcon.v1 feed recorded $(setting "$work/v.db")"
  run "$work/v2" "${P[@]}" --orders plan/orders.ndjson --returns plan/returns.ndjson \
    --ledger "$work/l.db"
  [ "$(exit_of "$work/v2")" = "--- exit 3" ] && ! grep -q returngo-lines "$work/v2/stderr" ||
    fail "a retcon.v1 feed on a grouped ledger: $(cat "$work/v2/run.txt")"
  [ -s "$work/v2/postings.ndjson" ] || fail "the retcon.v1 feed posted nothing"

  compare <(cat "$work/2/run.txt" "$work/3/run.txt" "$work/p2-grouped/run.txt" \
      "$work/p2-unit/run.txt" "$work/p4/run.txt") \
    "$expected/plan_returngo_lines_refused.txt"
  ;;
*)
  fail "unknown case $case_name"
  ;;
esac
echo "ok: $case_name"
