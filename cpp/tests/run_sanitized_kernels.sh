#!/usr/bin/env bash
# Build and run cpp/tests/kernel_threads_test under ThreadSanitizer (default) or ASan+UBSan.
#   cpp/tests/run_sanitized_kernels.sh [thread|address]
# Exit 0 only if every check passed and the sanitizer reported nothing.
set -uo pipefail
cd "$(dirname "$0")/../.."
san=${1:-thread}
bdir=build/kernel-tests-$san
cmake -S cpp/tests -B "$bdir" -G Ninja -DSANITIZER="$san" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
cmake --build "$bdir" -j 2 >/dev/null || { cmake --build "$bdir" -j 1; exit 1; }
# Canary: a planted race / overflow must be reported, or the instrumentation is not live.
canary_log="$bdir/canary.log"
TSAN_OPTIONS="halt_on_error=0" ASAN_OPTIONS="detect_leaks=0" "$bdir/kernel_threads_test" --canary >"$canary_log" 2>&1
if ! grep -qE 'WARNING: ThreadSanitizer: data race|ERROR: AddressSanitizer' "$canary_log"; then
  echo "kernel_threads_test[$san]: the planted bug was NOT reported; sanitizer not active" >&2
  exit 1
fi
echo "kernel_threads_test[$san]: planted bug reported (instrumentation live)"
log="$bdir/run.log"
# TSan: halt on the first race; second_deadlock_stack for lock-order reports.
TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" \
ASAN_OPTIONS="detect_leaks=1:halt_on_error=1" UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
  "$bdir/kernel_threads_test" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
reports=$(grep -E -c 'WARNING: ThreadSanitizer|ERROR: ThreadSanitizer|ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:' "$log")
echo "kernel_threads_test[$san]: exit=$rc sanitizer reports=$reports"
[ "$rc" -eq 0 ] && [ "$reports" -eq 0 ]
