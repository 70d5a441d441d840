"""``cost_pairs`` across builds of symbioflows (``src`` folders, each with a compiled ``_core``),
for a change to the costing kernel or its bindings.

Builds cannot share a process (one ``_core`` per process), so each round runs one fresh
process per build, the order rotated between rounds; each process makes the data of
``benchmarks/bench_costing.py`` (same seed), makes one untimed warm-up call, then times one
call on 1 thread (process CPU time, wall, and minor page faults, which the machine's load does
not change) and one on 2 threads (wall).  Medians and minima
over the rounds, and the 1-minute load average before and after, go to the results file.

Usage (each build: a worktree of a commit, built with tools/dev_build.sh):
    python benchmarks/ab_costing.py --build "before=/path/old/src" --build "after=src" \\
        --pairs 10000000 --rounds 5 --out benchmarks/results/costing_snapshot_ab.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from _harness import close_machine_state, machine_state  # noqa: E402

CHILD = r"""
import json, resource, sys, time
import numpy as np
sys.path.insert(0, sys.argv[3])
from bench_costing import make_pairs, MODES
from symbioflows.logistics import cost_pairs
m = int(sys.argv[1]); reps = int(sys.argv[2])
d = make_pairs(m, 20_000, seed=42)
codes = {1.2: "US", 1.3: "ZZ"}
countries = np.array([codes[c] for c in d["circ"]], dtype=object)
def run(n_jobs):
    return cost_pairs(d["lat"], d["lon"], d["lat"], d["lon"], d["i"], d["j"], d["q"],
                      medium=d["med"], supply_country=countries, demand_country=countries,
                      modes=MODES, n_jobs=n_jobs)
run(1)
out = {"cpu_1": [], "wall_1": [], "wall_2": [], "minor_faults_1": []}
for _ in range(reps):
    f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    c0, w0 = time.process_time(), time.perf_counter()
    r1 = run(1)
    out["cpu_1"].append(time.process_time() - c0)
    out["minor_faults_1"].append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0)
    out["wall_1"].append(time.perf_counter() - w0)
    w0 = time.perf_counter()
    r2 = run(2)
    out["wall_2"].append(time.perf_counter() - w0)
out["checksum"] = float(np.nansum(r1.cost_usd[np.isfinite(r1.cost_usd)]))
out["threads_identical"] = bool(np.array_equal(r1.cost_usd, r2.cost_usd, equal_nan=True))
print(json.dumps(out))
"""


def child(src: str, pairs: int, reps: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(Path(src).resolve()))
    res = subprocess.run([sys.executable, "-c", CHILD, str(pairs), str(reps),
                          str(ROOT / "benchmarks")], env=env, capture_output=True, text=True,
                         check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", action="append", required=True,
                    help="LABEL=SRC_FOLDER (repeat; the first is the baseline)")
    ap.add_argument("--pairs", type=int, default=10_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--calls", type=int, default=1, help="timed calls per process")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    builds = [tuple(b.split("=", 1)) for b in args.build]
    state = machine_state()
    runs: dict[str, list[dict]] = {label: [] for label, _ in builds}
    for r in range(args.rounds):
        k = r % len(builds)
        for label, src in builds[k:] + builds[:k]:
            runs[label].append(child(src, args.pairs, args.calls))
    state = close_machine_state(state)
    rows = []
    for label, src in builds:
        rs = runs[label]
        row = {"label": label, "src": src}
        for f in ("cpu_1", "wall_1", "wall_2", "minor_faults_1"):
            xs = [x for r in rs for x in r[f]]
            row[f"{f}_median_s"] = statistics.median(xs)
            row[f"{f}_min_s"] = min(xs)
            row[f"{f}_all_s"] = xs
        row["threads_identical"] = all(r["threads_identical"] for r in rs)
        row["checksum"] = rs[0]["checksum"]
        rows.append(row)
    result = {"pairs": args.pairs, "rounds": args.rounds, "calls_per_process": args.calls,
              "builds": rows, "same_results": len({r["checksum"] for r in rows}) == 1,
              "machine": state}
    for row in rows:
        print(f"{row['label']:>40s}: CPU 1 thread median {row['cpu_1_median_s']:.3f} s "
              f"(min {row['cpu_1_min_s']:.3f}); wall 1 thread {row['wall_1_median_s']:.3f}, "
              f"2 threads {row['wall_2_median_s']:.3f}; page faults per 1-thread call "
              f"{row['minor_faults_1_median_s']:,.0f}")
    print("load", state["load_before"], "->", state["load_after"], "noisy" if state["noisy"] else "")
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
