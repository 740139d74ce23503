#!/usr/bin/env bash
# apportion_examples.sh [BUILD_DIR]: runs the reference calculator
# (`retcon apportion`) over the sample orders in examples/data and prints
# each refund's breakdown. The refunds are listed in
# examples/data/demo_refunds.txt. `make apportion-examples` runs this.
set -euo pipefail

# shellcheck source=scripts/tool.sh
source "$(dirname "$0")/tool.sh"
find_tool apportion_examples.sh apportion-examples "${1:-build}"

# A scratch copy of the sample data: histories are written next to the
# orders, and the source tree stays untouched.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$root/examples/data/." "$work"
mkdir -p "$work/history"
cd "$work"

runs=0
in_section=false
failures=0
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in
    "## "*)
      in_section=true
      printf '\n==== %s\n' "${line#\#\# }" ;;
    "# "* | "#")
      # Comments before the first section describe the file, not the demo.
      if $in_section; then printf '%s\n' "$line"; fi ;;
    "retcon "* | "! retcon "*)
      expect_failure=false
      if [ "${line:0:1}" = "!" ]; then
        expect_failure=true
        line=${line#! }
      fi
      read -ra args <<<"${line#retcon }"
      printf '\n$ %s\n' "$line"
      runs=$((runs + 1))
      if "$tool" "${args[@]}" 2>&1; then
        if $expect_failure; then
          echo "apportion_examples.sh: expected this to fail" >&2
          failures=$((failures + 1))
        fi
      else
        code=$?
        if $expect_failure; then
          echo "(exit $code, as expected)"
        else
          echo "apportion_examples.sh: failed with exit $code" >&2
          failures=$((failures + 1))
        fi
      fi ;;
  esac
done <"$root/examples/data/demo_refunds.txt"

printf '\n%d runs of retcon apportion, %d unexpected results.\n' "$runs" "$failures"
[ "$failures" -eq 0 ]
