#!/usr/bin/env bash
# Re-run every peer comparison of docs/benchmarks.md, one after the other, then render the
# docs from the new results files.  Run it on an otherwise idle machine: each benchmark
# refuses to start when the 1-minute load average is above half the cores (benchmarks/_harness.py)
# and records the load before and after; the renderer marks a loaded run "noisy".
#   tools/rerun_peer_benchmarks.sh [--allow-noisy]
# About 15 minutes on the 2-core development machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=src
extra=("$@")
wait_quiet() {  # up to 2 minutes for the load left by the previous benchmark to decay
  for _ in $(seq 24); do
    awk -v c="$(nproc)" '{exit !($1 <= c / 2)}' /proc/loadavg && return 0
    sleep 5
  done
}
run() { wait_quiet; echo "+ $*"; "$@" "${extra[@]}"; }
run python benchmarks/bench_costing.py
run python benchmarks/bench_chains.py
run python benchmarks/bench_threads.py
run python benchmarks/bench_similarity.py
python tools/render_tables.py
