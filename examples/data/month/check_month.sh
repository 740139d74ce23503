#!/usr/bin/env bash
# check_month.sh RETCON DATA_DIR
#
# The sample month end to end: `retcon plan` on month/ with a fresh ledger
# (the Shopify/ReturnGo feed, then the Prima phone-order feed into the same
# ledger) must
#   - report exactly the malformed records and skip them (exit 3), then the
#     Prima feed cleanly (exit 0);
#   - raise every exception code that scenarios.csv expects, and no other;
#   - post nothing on a rerun of the same feed with the same ledger.
set -uo pipefail
retcon=$1
data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

plan() {  # plan OUT ORDERS RETURNS
  "$retcon" plan --rules "$data/rules.textproto" \
    --catalog "$data/month/catalog.textproto" --orders "$data/month/$2" \
    --returns "$data/month/$3" --ledger "$work/ledger.sqlite" --out "$work/$1" \
    >"$work/$1.summary" 2>"$work/$1.stderr"
}

mkdir -p "$work/month" "$work/prima" "$work/rerun"
plan month orders.ndjson returns.ndjson
code=$?
[ "$code" = 3 ] || { cat "$work/month.stderr"; fail "plan on the month exited $code, expected 3"; }
skipped=$(grep -c '' "$work/month.stderr")
[ "$skipped" = 4 ] || { cat "$work/month.stderr"; fail "expected 4 malformed records reported, got $skipped"; }
plan prima prima_orders.ndjson prima_returns.ndjson ||
  { cat "$work/prima.stderr"; fail "plan on the Prima feed failed"; }

# The last column of scenarios.csv (never quoted) is the expected code.
expected=$(tail -n +2 "$data/month/scenarios.csv" | sed 's/.*,//' |
  grep -E '^[A-Z_]+$' | sort -u)
raised=$(cat "$work/month/exceptions.ndjson" "$work/prima/exceptions.ndjson" |
  grep -o '"code":"EXCEPTION_CODE_[A-Z_]*"' | sed 's/.*EXCEPTION_CODE_//; s/"//' | sort -u)
[ "$(echo "$expected" | wc -l)" = 10 ] || fail "scenarios.csv should target all 10 codes: $expected"
if [ "$expected" != "$raised" ]; then
  diff <(echo "$expected") <(echo "$raised") >&2
  fail "exception codes raised differ from those scenarios.csv expects (< expected, > raised)"
fi

plan rerun orders.ndjson returns.ndjson
grep -q '^Postings: 0 new' "$work/rerun.summary" ||
  { cat "$work/rerun.summary"; fail "a rerun of the same feed posted something"; }
[ ! -s "$work/rerun/postings.ndjson" ] || fail "the rerun's postings.ndjson is not empty"
echo "OK: the month raises $(echo $raised | wc -w) exception codes: $(echo $raised)"
