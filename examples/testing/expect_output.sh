#!/usr/bin/env bash
# expect_output.sh COMMAND EXPECTED_FILE [ARGS...]
#
# Runs COMMAND ARGS... and compares what it did with EXPECTED_FILE, which
# holds its stdout, then "--- stderr" and its stderr, then "--- exit N".
# On a difference prints a unified diff and fails.
# UPDATE_EXPECTED=1 rewrites EXPECTED_FILE instead (review the git diff!).
set -uo pipefail

command=$1
expected=$2
shift 2

out=$(mktemp)
err=$(mktemp)
actual=$(mktemp)
trap 'rm -f "$out" "$err" "$actual"' EXIT

"$command" "$@" >"$out" 2>"$err"
code=$?
{
  cat "$out"
  echo "--- stderr"
  cat "$err"
  echo "--- exit $code"
} >"$actual"

if [ "${UPDATE_EXPECTED:-0}" = 1 ]; then
  cp "$actual" "$expected"
  echo "updated $expected"
  exit 0
fi
if ! diff -u "$expected" "$actual"; then
  echo "FAIL: output of '$command $*' differs from $expected (- expected, + actual)" >&2
  exit 1
fi
