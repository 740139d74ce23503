#!/usr/bin/env bash
# readme_example_matches.sh ROOT: the README's C++ embedding example is the
# code the consumer test compiles and runs (examples/consumer/
# readme_example.cc, between its markers), character for character.
set -euo pipefail
root=$1
from_source=$(sed -n '/^\/\/ --- README example begins ---$/,/^\/\/ --- README example ends ---$/p' \
  "$root/examples/consumer/readme_example.cc" | sed '1d;$d')
from_readme=$(awk '/^```cpp$/ {inside = 1; next} inside && /^```$/ {exit} inside' \
  "$root/README.md")
if [ -z "$from_readme" ] || [ "$from_source" != "$from_readme" ]; then
  echo "README.md's first C++ block differs from examples/consumer/readme_example.cc:" >&2
  diff <(printf '%s\n' "$from_source") <(printf '%s\n' "$from_readme") >&2 || true
  exit 1
fi
echo "README example matches examples/consumer/readme_example.cc"
