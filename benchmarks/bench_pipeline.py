"""Benchmark of the whole matching pipeline on generated regions, the candidate stage against
the grid index and the naive all-pairs scan, and the quality of the learned scorer against the
baselines.

Each region size runs in a fresh child process (so that its peak resident memory is its own)
and writes one row to ``benchmarks/results/pipeline.json``: per stage the wall time, the
process CPU time (all threads; ``sys_s``: its system part, page faults of fresh memory
mostly) and the peak resident set size, plus the load average of the
machine (other jobs share it) before and after.

    PYTHONPATH=src python benchmarks/bench_pipeline.py --quick
    PYTHONPATH=src python benchmarks/bench_pipeline.py --density-check 1000000   # candidates_density

Each command replaces only the entries it produces in the results file and keeps the others.
    PYTHONPATH=src nice -n 10 python benchmarks/bench_pipeline.py --sizes 10000 100000 1000000
    python benchmarks/bench_pipeline.py --report benchmarks/results/pipeline.json

``--report`` prints the stage table of a results file: per size the median over its repeats of
each stage's wall and CPU seconds and peak RSS, and the growth of the CPU time per stage from
one size to the next.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from _harness import PeakRSS

RESULTS = Path(__file__).resolve().parent / "results" / "pipeline.json"
STAGES = ("prepare", "candidates", "scoring", "allocation", "report_tables")


def layout_radius_km(n_companies: int) -> float:
    # the spatial extent grows with the region so that the company density stays constant:
    # 250 companies within ~30 km (the sample region's layout), radius ~ sqrt(companies) beyond
    return 30.0 * max(1.0, (n_companies / 250.0) ** 0.5)


#: Streams per company that ``make_region`` draws on average (measured: 859,095 streams for
#: 250,000 companies); the benchmark sizes a region by its number of streams.
STREAMS_PER_COMPANY = 3.436


def region(n_streams: int, seed: int):
    from symbioflows.datasets import make_region

    n_companies = max(10, round(n_streams / STREAMS_PER_COMPANY))
    return make_region(n_companies, rng=seed, radius_km=layout_radius_km(n_companies))


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def plan_one(n: int, seed: int) -> dict:
    """One region, planned once (run in a child process)."""
    import psutil

    from symbioflows.pipeline import plan

    proc = psutil.Process()
    t0 = time.perf_counter()
    ds = region(n, seed)
    gen_s = time.perf_counter() - t0
    base = proc.memory_info().rss
    load0 = _load()
    with PeakRSS() as mem:
        t0, c0 = time.perf_counter(), time.process_time()
        # the objective of the recorded table (the default until the expected-surplus one);
        # benchmarks/free_text_scale.py measures today's defaults at 1M streams
        p = plan(ds, chains=True, objective="net_benefit")
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    stats = p.stage_stats  # the documented benchmark hook of SymbiosisPlan
    spans = stats.spans
    n_comp = int(ds.n_companies)
    radius = layout_radius_km(n_comp)
    return dict(
        n_streams=int(ds.n_streams), n_companies=n_comp, layout_radius_km=round(radius, 1),
        companies_per_km2=round(n_comp / (math.pi * radius**2), 4), generate_s=gen_s,
        rss_before_gib=base / 2**30, wall_s=wall, cpu_s=cpu, peak_rss_gib=mem.peak / 2**30,
        stages={k: dict(wall_s=p.timings_s[k], cpu_s=stats.cpu_s[k], sys_s=stats.sys_s.get(k),
                        peak_rss_gib=mem.peak_between(*spans[k]) / 2**30) for k in STAGES},
        load_before=load0, load_after=_load(), n_candidates=int(p.totals["n_candidates"]),
        n_exchanges=int(p.totals["n_exchanges"]), n_chains=int(p.totals["n_chains"]),
        allocation_status=p.allocation.status, allocation_objective=p.allocation.objective,
        n_truncated=int(p.totals["n_supplies_truncated"]),
        n_distance_evals=int(stats.n_distance_evals))


def candidates_one(n: int, seed: int, grid_max: int, all_pairs_max: int) -> dict:
    """k-d tree vs grid vs all-pairs on one region's candidate stage (same output, checked)."""
    from symbioflows.matching.candidates import find_candidates
    from symbioflows.pipeline.candidates import material_fit_matrix
    from symbioflows.pipeline.prepare import prepare_streams

    ds = region(n, seed)
    fr = ds.to_pandas()
    s = prepare_streams(fr.companies, fr.streams)
    sup = s[s["direction"] == "supply"].reset_index(drop=True)
    dem = s[s["direction"] == "demand"].reset_index(drop=True)
    keys = sorted(set(s["group_key"]))
    g = {k: i for i, k in enumerate(keys)}
    cm = material_fit_matrix(keys)
    comp = {c: k for k, c in enumerate(sorted(set(s["company_id"])))}
    args = (sup["lat"].to_numpy(), sup["lon"].to_numpy(), sup["group_key"].map(g).to_numpy(),
            sup["company_id"].map(comp).to_numpy(), sup["radius_km"].to_numpy(),
            dem["lat"].to_numpy(), dem["lon"].to_numpy(), dem["group_key"].map(g).to_numpy(),
            dem["company_id"].map(comp).to_numpy(), cm)
    row: dict = dict(n_streams=len(s), n_supplies=len(sup), n_demands=len(dem),
                     load_before=_load())
    repeats = 3 if len(s) <= 200_000 else 1
    ref = None
    methods = ["kdtree"] + (["grid"] if len(s) <= grid_max else [])
    for method in methods:
        for n_jobs in (1, 2):
            times, cpus = [], []
            for _ in range(repeats):
                t0, c0 = time.perf_counter(), time.process_time()
                res = find_candidates(*args, max_per_supply=50, n_jobs=n_jobs, method=method)
                times.append(time.perf_counter() - t0)
                cpus.append(time.process_time() - c0)
            row[f"{method}_s_{n_jobs}t"] = float(np.median(times))
            row[f"{method}_cpu_s_{n_jobs}t"] = float(np.median(cpus))
        row[f"{method}_distance_evals"] = res.n_distance_evals
        if ref is None:
            ref = res
            row["n_pairs"] = len(res)
            row["n_truncated"] = res.n_truncated
        else:
            row[f"{method}_same_result"] = bool(
                np.array_equal(ref.supply, res.supply) and np.array_equal(ref.demand, res.demand))
    if len(s) <= all_pairs_max:
        t0 = time.perf_counter()
        res = find_candidates(*args, max_per_supply=50, method="all_pairs", n_jobs=1)
        row["all_pairs_s_1t"] = time.perf_counter() - t0
        row["all_pairs_distance_evals"] = res.n_distance_evals
        row["all_pairs_same_result"] = bool(np.array_equal(ref.supply, res.supply)
                                            and np.array_equal(ref.demand, res.demand))
    row["load_after"] = _load()
    return row


def density_check(n: int, seed: int, factors: tuple[float, ...] = (1.0, 5.4)) -> list[dict]:
    """The k-d tree candidate stage on one number of streams at several company densities
    (5.4x = the EU's ~0.48 manufacturing enterprises per km2, see docs/benchmarks.md)."""
    import pandas as pd

    from symbioflows.datasets import make_region
    from symbioflows.matching.candidates import find_candidates
    from symbioflows.pipeline.candidates import material_fit_matrix
    from symbioflows.pipeline.prepare import prepare_streams

    n_comp = max(10, round(n / STREAMS_PER_COMPANY))
    out = []
    for factor in factors:
        rad = layout_radius_km(n_comp) / math.sqrt(factor)
        fr = make_region(n_comp, rng=seed, radius_km=rad).to_pandas()
        s = prepare_streams(fr.companies, fr.streams)
        sup = s[s["direction"] == "supply"].reset_index(drop=True)
        dem = s[s["direction"] == "demand"].reset_index(drop=True)
        keys = sorted(set(s["group_key"]))
        g = {k: i for i, k in enumerate(keys)}
        cc, _ = pd.factorize(pd.concat([sup["company_id"], dem["company_id"]], ignore_index=True))
        t0, c0 = time.perf_counter(), time.process_time()
        r = find_candidates(sup["lat"].to_numpy(), sup["lon"].to_numpy(),
                            sup["group_key"].map(g).to_numpy(), cc[: len(sup)],
                            sup["radius_km"].to_numpy(), dem["lat"].to_numpy(),
                            dem["lon"].to_numpy(), dem["group_key"].map(g).to_numpy(),
                            cc[len(sup):], material_fit_matrix(keys), max_per_supply=50, n_jobs=1)
        out.append(dict(density_factor=factor, layout_radius_km=round(rad),
                        companies_per_km2=round(n_comp / (math.pi * rad**2), 3),
                        n_streams=len(s), wall_s=time.perf_counter() - t0,
                        cpu_s=time.process_time() - c0, n_pairs=len(r),
                        n_truncated=r.n_truncated, distance_evals=r.n_distance_evals,
                        load=_load()))
        print(json.dumps(out[-1]), flush=True)
    return out


def _child(flag: str, n: int, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, flag, str(n), "--seed", str(args.seed),
           "--grid-max", str(args.grid_max), "--all-pairs-max", str(args.all_pairs_max)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    row = json.loads(out.strip().splitlines()[-1])
    print(json.dumps(row), flush=True)
    return row


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
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--all-pairs-max", type=int, default=40_000,
                   help="largest region (streams) on which the all-pairs scan is run")
    p.add_argument("--grid-max", type=int, default=200_000,
                   help="largest region (streams) on which the grid index is run")
    p.add_argument("--no-candidates", action="store_true", help="skip the candidate comparison")
    p.add_argument("--density-check", type=int, default=None, metavar="N",
                   help="only: the k-d tree candidate stage on N streams at 1x and 5.4x density")
    p.add_argument("--quality", action="store_true", help="also run the MAESTRI evaluation")
    p.add_argument("--backend", default="auto", choices=("auto", "sentence", "hashing"))
    p.add_argument("--boot", type=int, default=1000)
    p.add_argument("--quick", action="store_true", help="small sizes, no quality run")
    p.add_argument("--out", default=str(RESULTS))
    p.add_argument("--keep-quality", default=None,
                   help="copy the 'quality' entry of this earlier results file")
    p.add_argument("--report", default=None, metavar="JSON",
                   help="only: print the stage table (medians over repeats) of a results file")
    p.add_argument("--plan-one", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--candidates-one", type=int, default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.report is not None:
        report(args.report)
        return 0
    if args.plan_one is not None:
        print(json.dumps(plan_one(args.plan_one, args.seed)))
        return 0
    if args.candidates_one is not None:
        print(json.dumps(candidates_one(args.candidates_one, args.seed, args.grid_max,
                                        args.all_pairs_max)))
        return 0
    if args.density_check is not None:
        rows = density_check(args.density_check, args.seed)
        print(json.dumps(rows))
        _write(args.out, {"candidates_density": rows})
        return 0
    if args.quick:
        args.sizes, args.repeats, args.all_pairs_max = [2_000, 10_000], 1, 10_000
    res: dict = {
        "machine": dict(platform=platform.platform(), python=platform.python_version(),
                        cpu_count=os.cpu_count()),
        "sizes": args.sizes,
        "candidates": [] if args.no_candidates else [
            _child("--candidates-one", n, args) for n in args.sizes],
        "plan": [dict(_child("--plan-one", n, args), repeat=r) for n in args.sizes
                 for r in range(args.repeats)],
    }
    if args.quality and not args.quick:
        res["quality"] = bench_quality(args.backend, args.boot)
    elif args.keep_quality:
        with open(args.keep_quality) as fh:
            res["quality"] = json.load(fh).get("quality", [])
            res["quality_from"] = args.keep_quality
    _write(args.out, res)
    return 0


def _median(xs: list[float]) -> float:
    return float(np.median(np.asarray(xs, float)))


def report(path: str) -> None:
    """Print the per-stage medians over the repeats of each size, and the growth between sizes."""
    with open(path) as fh:
        rows = json.load(fh)["plan"]
    sizes = sorted({r["n_streams"] for r in rows})
    med: dict[int, dict[str, float]] = {}
    print("| streams | runs | " + " | ".join(STAGES) + " | total wall / CPU | peak RSS |")
    print("| --- " * (len(STAGES) + 4) + "|")
    for n in sizes:
        rs = [r for r in rows if r["n_streams"] == n]
        m = {f"{st}_{k}": _median([r["stages"][st][k] for r in rs])
             for st in STAGES for k in ("wall_s", "cpu_s", "peak_rss_gib")}
        m.update(wall_s=_median([r["wall_s"] for r in rs]), cpu_s=_median([r["cpu_s"] for r in rs]),
                 peak_rss_gib=_median([r["peak_rss_gib"] for r in rs]))
        med[n] = m
        cells = [f"{m[st + '_wall_s']:.2f} / {m[st + '_cpu_s']:.2f} s, "
                 f"{m[st + '_peak_rss_gib']:.2f} GiB" for st in STAGES]
        print(f"| {n:,} | {len(rs)} | " + " | ".join(cells) +
              f" | {m['wall_s']:.1f} / {m['cpu_s']:.1f} s | {m['peak_rss_gib']:.2f} GiB |")
    print("\nGrowth of the median CPU time per stage (10.0 = linear for 10x the streams):")
    for a, b in zip(sizes, sizes[1:]):
        g = [med[b][st + "_cpu_s"] / med[a][st + "_cpu_s"] for st in STAGES]
        print(f"| {a:,} -> {b:,} | {b / a:.2f}x streams | " + " | ".join(f"{x:.1f}" for x in g) +
              f" | total CPU {med[b]['cpu_s'] / med[a]['cpu_s']:.1f} | "
              f"peak RSS {med[b]['peak_rss_gib'] / med[a]['peak_rss_gib']:.1f} |")
        per = {r["repeat"]: r["cpu_s"] for r in rows if r["n_streams"] == b}
        lo = [r["cpu_s"] for r in rows if r["n_streams"] == a]
        if per and lo:
            print(f"  total CPU growth over the runs' extremes: "
                  f"{min(per.values()) / max(lo):.1f}-{max(per.values()) / min(lo):.1f}")


def _write(out: str, res: dict) -> None:
    """Write ``res`` into the results file, keeping the entries of the file that this run did
    not produce (the density check and the pipeline runs are separate commands)."""
    path = Path(out)
    merged: dict = {}
    if path.exists():
        try:
            merged = json.loads(path.read_text())
        except (OSError, ValueError):
            merged = {}
    merged.update(res)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        json.dump(merged, fh, indent=1)
    print(f"wrote {out}")


if __name__ == "__main__":
    raise SystemExit(main())
