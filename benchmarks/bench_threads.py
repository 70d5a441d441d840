"""Thread scaling of the native kernels: one thread against two, on an otherwise idle machine.

The chains and economics benchmarks were first run while other jobs shared the two cores, which
made their two-thread rows meaningless; this script re-measures only the scaling, interleaving
the 1- and 2-thread runs (after one warm-up call each; ``--passes`` passes over all the searches
of ``--repeats`` rounds each) and reporting the minimum and the median wall time of the rounds,
the ratio of the minima in each pass, the median of the per-round ratios, and the minor page
faults per call (``resource.getrusage``).  The cycle searches are every row of the table of
``bench_chains.py`` (same graph generators and seeds, and the sample region).  It checks
that both runs return identical results.  Writes ``benchmarks/results/threads.json``.

Usage::

    PYTHONPATH=src python benchmarks/bench_threads.py [--repeats 101] [--passes 3] [--cost-repeats 11] [--pairs 10000000]
        [--only-chains SUBSTRING] [--skip-costing]
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path
from typing import Any

import numpy as np

from _harness import close_machine_state, machine_state, refuse_when_loaded
from bench_chains import clustered_digraph, ours, random_digraph, sample_region_graph
from bench_costing import MODES, make_pairs
from symbioflows.logistics import cost_pairs

HERE = Path(__file__).resolve().parent
STATE = machine_state()


class Scaling:
    """One kernel and input, timed with 1 and 2 threads in interleaved rounds over passes."""

    def __init__(self, name: str, make_run: Any, same: Any) -> None:
        self.name, self.same = name, same
        self.runs = {1: make_run(1), 2: make_run(2)}
        self.times: dict[int, list[float]] = {1: [], 2: []}
        self.faults = {1: 0, 2: 0}  # minor page faults of the process during the runs
        self.pass_speedups: list[float] = []  # ratio of the minima, per pass

    def measure(self, repeats: int) -> None:
        results: dict[int, Any] = {}
        for t in (1, 2):  # warm-up (first-use caches, page faults of the first outputs)
            results[t] = self.runs[t]()
        mins = {1: float("inf"), 2: float("inf")}
        for _ in range(repeats):
            for t in (1, 2):
                f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
                t0 = time.perf_counter()
                results[t] = self.runs[t]()
                dt = time.perf_counter() - t0
                self.faults[t] += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0
                self.times[t].append(dt)
                mins[t] = min(mins[t], dt)
        assert self.same(results[1], results[2]), f"{self.name}: 1- and 2-thread results differ"
        self.pass_speedups.append(mins[1] / mins[2])

    def row(self) -> dict[str, Any]:
        times, n = self.times, len(self.times[1])
        best = {t: min(v) for t, v in times.items()}
        med = {t: float(np.median(v)) for t, v in times.items()}
        # each round times 1 and 2 threads back to back: the median of the per-round ratios
        # is less sensitive to a slow spell of the VM than the ratio of the two medians
        paired = float(np.median(np.asarray(times[1]) / np.asarray(times[2])))
        row = {"case": self.name, "rounds": n, "passes": len(self.pass_speedups),
               "t1_s": best[1], "t2_s": best[2], "speedup": best[1] / best[2],
               "speedup_per_pass": self.pass_speedups,
               "t1_median_s": med[1], "t2_median_s": med[2],
               "speedup_median": med[1] / med[2], "speedup_paired_median": paired,
               "minor_faults_per_call_1t": self.faults[1] / n,
               "minor_faults_per_call_2t": self.faults[2] / n}
        per_pass = " ".join(f"{x:.2f}" for x in self.pass_speedups)
        print(f"{self.name:70s} 1 thread {best[1] * 1e3:9.3f} ms   2 threads {best[2] * 1e3:9.3f} "
              f"ms   x{row['speedup']:.2f} (per pass {per_pass}; medians "
              f"x{row['speedup_median']:.2f}, paired x{paired:.2f}; page faults per call "
              f"{row['minor_faults_per_call_1t']:.0f} / {row['minor_faults_per_call_2t']:.0f})",
              flush=True)
        return row


def same_cycles(a: Any, b: Any) -> bool:
    return all(np.array_equal(np.asarray(a[k]), np.asarray(b[k])) for k in ("offsets", "edges"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=101,
                    help="rounds per pass for the cycle searches (a few ms each)")
    ap.add_argument("--passes", type=int, default=3,
                    help="passes over all the cycle searches")
    ap.add_argument("--cost-repeats", type=int, default=11, help="rounds for cost_pairs")
    ap.add_argument("--pairs", type=int, default=10_000_000)
    ap.add_argument("--out", default=str(HERE / "results" / "threads.json"))
    ap.add_argument("--only-chains", default=None, help="substring of the graph label to run")
    ap.add_argument("--skip-costing", action="store_true")
    ap.add_argument("--allow-noisy", action="store_true",
                    help="run on a loaded machine too (the results are then marked noisy)")
    args = ap.parse_args()
    refuse_when_loaded(args.allow_noisy)
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
    searches = [Scaling(f"find_cycles {label}, L<={L}",
                        lambda t, n=n, s=src, d=dst, L=L: ours(n, s, d, L, t), same_cycles)
                for label, n, src, dst, L in cases]
    # the passes spread each search's rounds over the whole run, so that one slow spell of
    # the VM cannot cover all of them
    for _ in range(args.passes):
        for sc in searches:
            sc.measure(args.repeats)
    rows += [sc.row() for sc in searches]
    if args.skip_costing:
        return write(rows, args)
    d = make_pairs(args.pairs, 20_000, seed=42)
    countries = np.where(d["circ"] == 1.2, "US", "ZZ").astype(object)

    def costing(t: int) -> Any:
        return lambda: cost_pairs(d["lat"], d["lon"], d["lat"], d["lon"], d["i"], d["j"], d["q"],
                                  medium=d["med"], supply_country=countries,
                                  demand_country=countries, modes=MODES, n_jobs=t)

    cost = Scaling(f"cost_pairs {args.pairs:,} pairs", costing,
                   lambda a, b: np.array_equal(a.cost_usd, b.cost_usd)
                   and np.array_equal(a.mode, b.mode))
    cost.measure(args.cost_repeats)
    rows.append(cost.row())
    return write(rows, args)


def write(rows: list[dict[str, Any]], args: Any) -> int:
    out = {"machine": close_machine_state(STATE), "rows": rows}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
