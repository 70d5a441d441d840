#!/usr/bin/env bash
# Build `_core` with AddressSanitizer + UBSan into a separate tree, without touching the normal
# in-place build in src/symbioflows.
#
# Output: build/asan/pkg/symbioflows  -- a copy of src/symbioflows whose _core*.so is the
# sanitized one; put build/asan/pkg first on PYTHONPATH to test it.  Prints that directory.
# Usage: tools/asan_build.sh [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bdir=build/asan/cmake
pkg=build/asan/pkg
cmake -S . -B "$bdir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSYMBIOFLOWS_SANITIZE=ON \
  -Dpybind11_DIR="$(python -m pybind11 --cmakedir)" -DPython_EXECUTABLE="$(command -v python)" \
  "$@" >/dev/null
cmake --build "$bdir" -j 2 >&2
# Fresh copy of the Python sources (no stale modules), then the sanitized extension.
rm -rf "$pkg"
mkdir -p "$pkg"
cp -r src/symbioflows "$pkg/"
find "$pkg" -name '__pycache__' -prune -exec rm -rf {} +
rm -f "$pkg"/symbioflows/_core*.so
cp "$bdir"/_core*.so "$pkg/symbioflows/"
if [ "$(nm -D "$pkg"/symbioflows/_core*.so | grep -c __asan_)" -eq 0 ]; then
  echo "asan_build: the extension in $pkg is not instrumented" >&2
  exit 1
fi
echo "$root/$pkg"
