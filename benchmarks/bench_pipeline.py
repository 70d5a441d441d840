"""Benchmark of the whole matching pipeline on generated regions, the candidate stage against
the naive all-pairs scan, and the quality of the learned scorer against the baselines.

Runs everything in one process on seeded data and writes ``benchmarks/results/pipeline.json``.

    PYTHONPATH=src python benchmarks/bench_pipeline.py --quick
    PYTHONPATH=src python benchmarks/bench_pipeline.py --sizes 10000 100000 --quality
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import threading
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results" / "pipeline.json"


class PeakRSS:
    """Samples the process's resident set size every 20 ms (native memory included)."""

    def __init__(self) -> None:
        import psutil

        self.proc = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            self._stop.wait(0.02)

    def __enter__(self) -> PeakRSS:
        self.peak = self.proc.memory_info().rss
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)


def region(n_streams: int, seed: int):
    from symbioflows.datasets import make_region

    n_companies = max(10, int(n_streams / 4))
    # the spatial extent grows with the region so that density stays that of a real
    # industrial landscape: ~30 km for the sample-size region, ~sqrt(n) beyond
    radius_km = 30.0 * max(1.0, (n_companies / 250.0) ** 0.5)
    return make_region(n_companies, rng=seed, radius_km=radius_km)


def bench_plan(sizes: list[int], repeats: int, seed: int) -> list[dict]:
    from symbioflows.matching.pipeline import plan

    out = []
    for n in sizes:
        ds = region(n, seed)
        for r in range(repeats):
            with PeakRSS() as mem:
                t0 = time.perf_counter()
                p = plan(ds, chains=True)
                wall = time.perf_counter() - t0
            row = dict(n_streams=int(ds.n_streams), n_companies=int(ds.n_companies), repeat=r,
                       wall_s=wall, peak_rss_gib=mem.peak / 2**30,
                       stages_s=dict(p.timings_s), n_candidates=int(p.totals["n_candidates"]),
                       n_exchanges=int(p.totals["n_exchanges"]), n_chains=int(p.totals["n_chains"]),
                       allocation_status=p.allocation.status)
            print(json.dumps(row))
            out.append(row)
    return out


def bench_candidates(sizes: list[int], seed: int, all_pairs_max: int) -> list[dict]:
    """Grid candidate stage vs the brute-force all-pairs scan (same output, checked)."""
    from symbioflows.matching.candidates import find_candidates
    from symbioflows.matching.pipeline import _compat, prepare_streams

    out = []
    for n in sizes:
        ds = region(n, seed)
        fr = ds.to_pandas()
        s = prepare_streams(fr.companies, fr.streams)
        sup = s[s["direction"] == "supply"].reset_index(drop=True)
        dem = s[s["direction"] == "demand"].reset_index(drop=True)
        keys = sorted(set(s["group_key"]))
        g = {k: i for i, k in enumerate(keys)}
        cm = _compat(keys)
        comp = {c: k for k, c in enumerate(sorted(set(s["company_id"])))}
        args = (sup["lat"].to_numpy(), sup["lon"].to_numpy(), sup["group_key"].map(g).to_numpy(),
                sup["company_id"].map(comp).to_numpy(), sup["radius_km"].to_numpy(),
                dem["lat"].to_numpy(), dem["lon"].to_numpy(), dem["group_key"].map(g).to_numpy(),
                dem["company_id"].map(comp).to_numpy(), cm)
        row: dict = dict(n_streams=len(s), n_supplies=len(sup), n_demands=len(dem))
        for n_jobs in (1, 2):
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                res = find_candidates(*args, max_per_supply=50, n_jobs=n_jobs)
                times.append(time.perf_counter() - t0)
            row[f"grid_s_{n_jobs}t"] = float(np.median(times))
        row["n_pairs"] = len(res)
        row["grid_distance_evals"] = res.n_distance_evals
        if len(s) <= all_pairs_max:
            t0 = time.perf_counter()
            ref = find_candidates(*args, max_per_supply=50, method="all_pairs", n_jobs=1)
            row["all_pairs_s_1t"] = time.perf_counter() - t0
            row["all_pairs_distance_evals"] = ref.n_distance_evals
            row["same_result"] = bool(np.array_equal(ref.supply, res.supply)
                                      and np.array_equal(ref.demand, res.demand))
            row["speedup_1t"] = row["all_pairs_s_1t"] / row["grid_s_1t"]
        print(json.dumps(row))
        out.append(row)
    return out


def bench_quality(backend: str, n_boot: int) -> list[dict]:
    from symbioflows.evaluate import evaluate_matchers, find_data_dir

    if find_data_dir() is None:
        print("MAESTRI data not found: quality figures skipped")
        return []
    rep = evaluate_matchers(embed_backend=backend, n_boot=n_boot)
    print(rep.format_table())
    return rep.summary.to_dict(orient="records")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--all-pairs-max", type=int, default=40_000,
                   help="largest region (streams) on which the all-pairs scan is run")
    p.add_argument("--quality", action="store_true", help="also run the MAESTRI evaluation")
    p.add_argument("--backend", default="auto", choices=("auto", "sentence", "hashing"))
    p.add_argument("--boot", type=int, default=1000)
    p.add_argument("--quick", action="store_true", help="small sizes, no quality run")
    p.add_argument("--out", default=str(RESULTS))
    p.add_argument("--keep-quality", default=None,
                   help="copy the 'quality' entry of this earlier results file")
    args = p.parse_args()
    if args.quick:
        args.sizes, args.repeats, args.all_pairs_max = [2_000, 10_000], 1, 10_000
    res = {
        "machine": dict(platform=platform.platform(), python=platform.python_version(),
                        cpu_count=os.cpu_count()),
        "sizes": args.sizes,
        "candidates": bench_candidates(args.sizes, args.seed, args.all_pairs_max),
        "plan": bench_plan(args.sizes, args.repeats, args.seed),
    }
    if args.quality and not args.quick:
        res["quality"] = bench_quality(args.backend, args.boot)
    elif args.keep_quality:
        with open(args.keep_quality) as fh:
            res["quality"] = json.load(fh).get("quality", [])
            res["quality_from"] = args.keep_quality
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(res, fh, indent=1)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
