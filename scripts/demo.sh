#!/usr/bin/env bash
# demo.sh [BUILD_DIR]: the main job. `make demo` builds, then runs this.
#
# 1. `retcon plan` on the sample month (examples/data/month: a UK fashion
#    brand's November in Shopify orders and ReturnGo RMAs) with a fresh
#    ledger: credit notes, stock movements and exchange orders to post, and
#    the exception queue, summarised.
# 2. The same feed again on the same ledger: nothing is posted twice.
# 3. The reference calculator on worked example E1 of docs/money.md.
#
# The run happens in BUILD_DIR/demo (or $RETCON_DEMO_DIR; emptied first),
# so the outputs can be read afterwards: postings.ndjson, exceptions.ndjson
# and ledger.sqlite.
set -euo pipefail

# shellcheck source=scripts/tool.sh
source "$(dirname "$0")/tool.sh"
find_tool demo.sh demo "${1:-build}"

work="${RETCON_DEMO_DIR:-$build/demo}"
rm -rf "$work"
mkdir -p "$work"
cp -R "$root/examples/data/month" "$root/examples/data/rules.textproto" \
  "$root/examples/data/order_1005_six_units.json" "$work/"
cd "$work"

# Runs the tool, echoing the command; exit 3 ("some records were bad and
# skipped") is what the sample month is built to give.
run() {
  printf '\n$ retcon %s\n' "$*"
  local code=0
  "$tool" "$@" 2>&1 || code=$?
  case $code in
    0) ;;
    3) echo "(exit 3: the malformed records above were reported and skipped; the rest is planned and committed)" ;;
    *) echo "demo.sh: retcon failed with exit $code" >&2; exit "$code" ;;
  esac
}

plan=(plan --rules rules.textproto --catalog month/catalog.textproto
  --orders month/orders.ndjson --returns month/returns.ndjson
  --ledger ledger.sqlite --out .)

echo "==== 1. The month's returns, planned into Prima with a ledger"
run "${plan[@]}"

echo
echo "==== 2. The same feed again: everything is in the ledger, nothing is posted twice"
run "${plan[@]}"

echo
echo "==== 3. The reference calculator: six units that paid 10.00, returned 1, then 3, then 2"
run apportion --order order_1005_six_units.json --return L1:1 --then L1:3 --then L1:2

printf '\nThe month'"'"'s outputs (postings.ndjson, exceptions.ndjson, ledger.sqlite)\nare in demo/ under the build directory.\n'
