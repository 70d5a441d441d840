"""Thread scaling of the native kernels: one thread against two, on an otherwise idle machine.

The chains and economics benchmarks were first run while other jobs shared the two cores, which
made their two-thread rows meaningless; this script re-measures only the scaling, interleaving
the 1- and 2-thread runs (after one warm-up call each) and reporting the minimum and the median
wall time of the rounds, the median of the per-round ratios, and the minor page faults per
call (``resource.getrusage``).  The cycle searches are every row of the table of
``bench_chains.py`` (same graph generators and seeds, and the sample region).  It checks
that both runs return identical results.  Writes ``benchmarks/results/threads.json``.

Usage::

    PYTHONPATH=src python benchmarks/bench_threads.py [--repeats 301] [--cost-repeats 11] [--pairs 10000000]
        [--only-chains SUBSTRING] [--skip-costing]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench_chains import clustered_digraph, ours, random_digraph, sample_region_graph
from bench_costing import MODES, make_pairs
from symbioflows.logistics import cost_pairs

HERE = Path(__file__).resolve().parent
LOAD_AT_START = os.getloadavg()


def scaling(name: str, make_run: Any, repeats: int, same: Any) -> dict[str, Any]:
    runs = {1: make_run(1), 2: make_run(2)}
    times: dict[int, list[float]] = {1: [], 2: []}
    results: dict[int, Any] = {}
    for t in (1, 2):  # warm-up (first-use caches, page faults of the first outputs)
        results[t] = runs[t]()
    faults = {1: 0, 2: 0}  # minor page faults of the process during each thread count's runs
    for _ in range(repeats):
        for t in (1, 2):
            f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            t0 = time.perf_counter()
            results[t] = runs[t]()
            times[t].append(time.perf_counter() - t0)
            faults[t] += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0
    assert same(results[1], results[2]), f"{name}: 1- and 2-thread results differ"
    best = {t: min(v) for t, v in times.items()}
    med = {t: float(np.median(v)) for t, v in times.items()}
    # each round times 1 and 2 threads back to back: the median of the per-round ratios is
    # less sensitive to a slow spell of the VM than the ratio of the two medians
    paired = float(np.median(np.asarray(times[1]) / np.asarray(times[2])))
    row = {"case": name, "repeats": repeats, "t1_s": best[1], "t2_s": best[2],
           "speedup": best[1] / best[2], "t1_median_s": med[1], "t2_median_s": med[2],
           "speedup_median": med[1] / med[2], "speedup_paired_median": paired,
           "minor_faults_per_call_1t": faults[1] / repeats,
           "minor_faults_per_call_2t": faults[2] / repeats}
    print(f"{name:70s} 1 thread {best[1] * 1e3:9.3f} ms   2 threads {best[2] * 1e3:9.3f} ms   "
          f"x{row['speedup']:.2f} (medians x{row['speedup_median']:.2f}, "
          f"paired x{paired:.2f}; page faults per call {faults[1] / repeats:.0f} / "
          f"{faults[2] / repeats:.0f})", flush=True)
    return row


def same_cycles(a: Any, b: Any) -> bool:
    return all(np.array_equal(np.asarray(a[k]), np.asarray(b[k])) for k in ("offsets", "edges"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=301,
                    help="rounds for the cycle searches (a few ms each)")
    ap.add_argument("--cost-repeats", type=int, default=11, help="rounds for cost_pairs")
    ap.add_argument("--pairs", type=int, default=10_000_000)
    ap.add_argument("--out", default=str(HERE / "results" / "threads.json"))
    ap.add_argument("--only-chains", default=None, help="substring of the graph label to run")
    ap.add_argument("--skip-costing", action="store_true")
    args = ap.parse_args()
    rows = []
    # the graphs of bench_chains.py (same generators and seeds), every row of its table
    graphs = [("random", 1000, [4, 5]), ("clustered", 1000, [4, 5]), ("random", 5000, [4, 5, 6]),
              ("clustered", 5000, [4, 5, 6]), ("clustered", 20_000, [4, 5, 6])]
    cases = []
    for kind, n, lengths in graphs:
        src, dst = (random_digraph(n, 4, seed=1) if kind == "random"
                    else clustered_digraph(n, 4, seed=2))
        cases += [(f"{kind} {n:,} nodes, out-degree 4", n, src, dst, L) for L in lengths]
    sample = sample_region_graph()
    if sample is not None:
        _, src, dst = sample
        n = int(max(src.max(initial=0), dst.max(initial=0))) + 1
        cases += [(f"sample region candidates ({n} companies)", n, src, dst, L) for L in (4, 5)]
    if args.only_chains is not None:
        cases = [c for c in cases if args.only_chains in c[0]]
    for label, n, src, dst, L in cases:
        rows.append(scaling(f"find_cycles {label}, L<={L}",
                            lambda t, n=n, s=src, d=dst, L=L: ours(n, s, d, L, t),
                            args.repeats, same_cycles))
    if args.skip_costing:
        return write(rows, args)
    d = make_pairs(args.pairs, 20_000, seed=42)
    countries = np.where(d["circ"] == 1.2, "US", "ZZ").astype(object)

    def costing(t: int) -> Any:
        return lambda: cost_pairs(d["lat"], d["lon"], d["lat"], d["lon"], d["i"], d["j"], d["q"],
                                  medium=d["med"], supply_country=countries,
                                  demand_country=countries, modes=MODES, n_jobs=t)

    rows.append(scaling(f"cost_pairs {args.pairs:,} pairs", costing, args.cost_repeats,
                        lambda a, b: np.array_equal(a.cost_usd, b.cost_usd)
                        and np.array_equal(a.mode, b.mode)))
    return write(rows, args)


def write(rows: list[dict[str, Any]], args: Any) -> int:
    out = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                       "load_avg_at_start": LOAD_AT_START},
           "rows": rows}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
