#!/usr/bin/env bash
# Run the test suite against an AddressSanitizer + UndefinedBehaviorSanitizer build of _core and
# fail on any sanitizer report.
#
#   tools/sanitizer_suite.sh [extra pytest args...]
#
# 1. tools/asan_build.sh builds the sanitized _core into build/asan/pkg (a copy of the package;
#    the normal in-place build in src/ is untouched).
# 2. pytest runs with gcc's runtimes preloaded (libasan, libubsan, libstdc++), the sanitized
#    package first on PYTHONPATH, ASAN_OPTIONS=detect_leaks=0 (CPython itself "leaks" by design
#    at exit) and UBSan halting on the first error; tests listed in tools/sanitizer_exclude.txt
#    are skipped (each with its reason), as are tests marked slow; hypothesis uses its `dev`
#    profile (100 examples per property, seed 0 so runs repeat) to fit the time budget.
# 3. Sanitizer reports are counted from the pytest output and from the per-process report files
#    (log_path), so reports from subprocesses are caught too.
# 4. cpp/tests/run_sanitized_kernels.sh thread: the C++-only threaded-kernel test under
#    ThreadSanitizer (skip with SYMBIOFLOWS_SKIP_TSAN=1).
# Exit status 0 only when pytest and the TSan binary passed AND there are zero reports.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=build/asan
mkdir -p "$out"
pkg=$(tools/asan_build.sh) || { echo "sanitizer_suite: build failed" >&2; exit 1; }

pre=""
for lib in libasan.so libubsan.so libstdc++.so; do
  p=$(gcc -print-file-name="$lib")
  if [ ! -e "$p" ]; then echo "sanitizer_suite: $lib not found via gcc" >&2; exit 1; fi
  pre="${pre:+$pre:}$p"
done
logs="$root/$out/reports"
rm -rf "$logs"; mkdir -p "$logs"
export LD_PRELOAD="$pre"
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=0:log_path=$logs/asan:log_exe_name=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan:log_exe_name=1"
export PYTHONPATH="$pkg"
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-dev}"
export SYMBIOFLOWS_SANITIZED=1
export PYTHONDONTWRITEBYTECODE=1

# The tests must import the sanitized extension, not an installed or in-place one.
python - <<'PY' || exit 1
import symbioflows._core as c, sys
if "build/asan/pkg" not in c.__file__:
    sys.exit(f"sanitizer_suite: imported {c.__file__}, not the sanitized build")
print(f"sanitizer_suite: testing {c.__file__}")
PY

# Canary: a deliberate heap-buffer-overflow in a tiny sanitized library must be reported, or the
# detection below (preload + log_path + grep) is broken and "0 reports" would mean nothing.
canary="$out/canary"
rm -rf "$canary"; mkdir -p "$canary"
printf '%s\n' '#include <cstdlib>' 'extern "C" int canary_overflow(int i) {' \
  '  int* p = static_cast<int*>(std::malloc(4 * sizeof(int))); int v = p[i]; std::free(p); return v; }' \
  > "$canary/canary.cpp"
g++ -shared -fPIC -g -fsanitize=address,undefined "$canary/canary.cpp" -o "$canary/libcanary.so"
ASAN_OPTIONS="detect_leaks=0:log_path=$root/$canary/asan" python -c \
  "import ctypes; ctypes.CDLL('$root/$canary/libcanary.so').canary_overflow(4)" >/dev/null 2>&1
if ! grep -qs 'ERROR: AddressSanitizer: heap-buffer-overflow' "$canary"/asan*; then
  echo "sanitizer_suite: canary overflow was NOT reported; the harness cannot be trusted" >&2
  exit 1
fi
echo "sanitizer_suite: canary heap-buffer-overflow detected (harness works)"

ignores=()
while IFS= read -r line; do
  line=${line%%#*}; line=$(echo "$line" | xargs)
  case "$line" in
    deselect:*) ignores+=("--deselect=${line#deselect:}") ;;
    ?*) ignores+=("--ignore-glob=$line") ;;
  esac
done < tools/sanitizer_exclude.txt

echo "sanitizer_suite: excluded: ${ignores[*]}"
start=$(date +%s)
python -m pytest -q -p no:cacheprovider -m "not slow" --hypothesis-seed=0 "${ignores[@]}" "$@" tests 2>&1 | tee "$out/pytest.log"
rc=${PIPESTATUS[0]}
secs=$(( $(date +%s) - start ))

pattern='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer|SUMMARY: AddressSanitizer'
in_output=$(grep -E -c "$pattern" "$out/pytest.log")
in_files=$(cat "$logs"/* 2>/dev/null | grep -E -c "$pattern")
reports=$(( in_output + in_files ))
if [ "$in_files" -gt 0 ]; then
  echo "---- sanitizer report files ----"; head -n 80 "$logs"/*
fi
echo "sanitizer_suite: pytest exit=$rc, sanitizer reports=$reports, ${secs}s"

tsan_rc=0
if [ "${SYMBIOFLOWS_SKIP_TSAN:-0}" != "1" ]; then
  env -u LD_PRELOAD -u ASAN_OPTIONS -u UBSAN_OPTIONS cpp/tests/run_sanitized_kernels.sh thread
  tsan_rc=$?
fi
echo "sanitizer_suite: ASan+UBSan pytest exit=$rc reports=$reports; TSan kernels exit=$tsan_rc; total $(( $(date +%s) - start ))s"
[ "$rc" -eq 0 ] && [ "$reports" -eq 0 ] && [ "$tsan_rc" -eq 0 ]
