#!/usr/bin/env bash
# Developer build: compile _core in place into src/symbioflows so that
# `PYTHONPATH=src python -m pytest` runs against the working tree.
# Usage: tools/dev_build.sh [Release|Debug] [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."
type=${1:-Release}; shift || true
bdir=build/dev-${type,,}
cmake -S . -B "$bdir" -G Ninja -DCMAKE_BUILD_TYPE="$type" \
  -Dpybind11_DIR="$(python -m pybind11 --cmakedir)" -DPython_EXECUTABLE="$(command -v python)" "$@" >/dev/null
cmake --build "$bdir" -j 2
# copy to a temporary name, then rename: a process that has the old module loaded keeps its
# mapping (cp over it in place would rewrite pages under it and crash it)
for so in "$bdir"/_core*.so; do
  dest=src/symbioflows/$(basename "$so")
  cp "$so" "$dest.tmp.$$"
  mv -f "$dest.tmp.$$" "$dest"
done
echo "built $(ls src/symbioflows/_core*.so)"
