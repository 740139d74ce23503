# Sourced by the scripts in scripts/: `find_tool SCRIPT MAKE_TARGET [BUILD_DIR]`
# sets $root (the source tree), $build (BUILD_DIR, absolute; default ./build)
# and $tool (BUILD_DIR/bin/retcon), or exits saying which make target builds
# it.
find_tool() {
  local script=$1 target=$2
  build=${3:-build}
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  case "$build" in /*) ;; *) build="$PWD/$build" ;; esac
  tool="$build/bin/retcon"
  if [ ! -x "$tool" ]; then
    echo "$script: $tool not found; build first (make $target does)" >&2
    exit 1
  fi
}
