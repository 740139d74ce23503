#!/usr/bin/env bash
# Installs the Debian packages retcon builds with, if any is missing.
# As root it runs apt-get itself; otherwise it prints the one sudo command to run.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache python3
  libabsl-dev libprotobuf-dev protobuf-compiler libre2-dev
  libgtest-dev libgmock-dev libbenchmark-dev libssl-dev libsqlite3-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "retcon: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "retcon: missing Debian packages. Run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
