"""Benchmark of the allocation stage alone (OR-tools min-cost flow), before/after the
locality-ordered network layout, and the exact sparsification (``allocate(price_arcs=K)``:
restricted solves and pricing rounds) beside them, on the allocation inputs of the generated
regions of ``bench_pipeline.py``.

For each size a child process builds the region, runs ``plan()`` up to the allocation and saves
the five arrays that ``allocate()`` receives (``--cache``, reused when present).  A second child
loads them and times ``allocate(method="min_cost_flow")`` with the earlier layout (input node
order, one sink: ``allocation.solver_internals.set_locality(False)``), the current one, and the current one with
``price_arcs=K`` (``--price-arcs``, 0 to skip), alternately (``--repeats`` each below
``--repeat-below`` streams, once above), and checks that all reach the same optimum on the
integer grid.  CPU time
(``time.process_time``), wall time, the largest solved network and the load average are written
to ``benchmarks/results/allocation.json`` and printed.

    PYTHONPATH=src python benchmarks/bench_allocation.py --sizes 10000 100000
    PYTHONPATH=src nice -n 10 python benchmarks/bench_allocation.py --sizes 10000 100000 1000000
    PYTHONPATH=src nice -n 10 python benchmarks/bench_allocation.py --sizes 1000000 --rss \
        --out benchmarks/results/allocation_rss_1m.json
    PYTHONPATH=src nice -n 10 python benchmarks/bench_allocation.py --price-arcs 8 \
        --sizes 10000 100000 300000 1000000 --repeat-below 200000 \
        --out benchmarks/results/allocation_priced.json
    PYTHONPATH=src nice -n 10 python benchmarks/bench_allocation.py --support --sizes 100000 \
        300000 --price-arcs 8 > benchmarks/results/allocation_support.jsonl
    PYTHONPATH=src nice -n 10 python benchmarks/bench_allocation.py --support --sizes 1000000 \
        >> benchmarks/results/allocation_support.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "allocation.json"


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def dump_one(n: int, seed: int, path: Path) -> dict:
    """Plan the region of ``bench_pipeline`` up to the allocation and save its inputs."""
    sys.path.insert(0, str(HERE))
    import bench_pipeline
    from symbioflows.pipeline import plan

    ds = bench_pipeline.region(n, seed)
    p = plan(ds, chains=False)
    prob = p.allocation_problem()  # the allocation stage's exact input (public hook)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, s=prob.supply_qty, d=prob.demand_qty, ps=prob.supply, pd=prob.demand,
             v=prob.value, n_streams=int(ds.n_streams))
    return dict(n_streams=int(ds.n_streams), method=p.options["method"])


def _grid_objective(a, val: np.ndarray) -> int:
    """The objective on the integer grid (units x integer costs), exact."""
    unit, vu = a.scaling["quantity_unit_t"], a.scaling["value_unit"]
    use = val > 0
    f = np.rint(a.flows_t[use] / unit).astype(np.int64)
    c = np.rint(val[use] / vu).astype(np.int64)
    return int(np.dot(f, c))


def time_one(n: int, path: Path, repeats: int, price_arcs: int = 0) -> dict:
    from symbioflows.matching.allocation import allocate, solver_internals

    z = np.load(path)
    s, d, ps, pd_, v = z["s"], z["d"], z["ps"], z["pd"], z["v"]
    use = v > 0
    batches = solver_internals.component_batches(ps[use], pd_[use], s.size, d.size)
    big = max(batches, key=len)
    row: dict = dict(n_streams=int(z["n_streams"]), n_supplies=int(s.size), n_demands=int(d.size),
                     n_pairs=int(ps.size), n_positive_pairs=int(use.sum()),
                     n_batches=len(batches), largest_batch_pairs=int(big.size),
                     largest_batch_nodes=int(np.unique(ps[use][big]).size
                                             + np.unique(pd_[use][big]).size),
                     load_before=_load())
    del batches, big, use
    for flag in (False, True):  # imports and first-call costs out of the timings
        solver_internals.set_locality(flag)
        allocate(s, d, ps[:1], pd_[:1], v[:1])
    runs_of = [("before", False, None), ("after", True, None)]
    if price_arcs:
        runs_of.append(("priced", True, price_arcs))
    res: dict = {name: [] for name, _, _ in runs_of}
    objs: dict = {}
    for _ in range(repeats):
        for name, flag, k in runs_of:
            solver_internals.set_locality(flag)
            t0, c0 = time.perf_counter(), time.process_time()
            a = allocate(s, d, ps, pd_, v, method="min_cost_flow", price_arcs=k)
            res[name].append((time.process_time() - c0, time.perf_counter() - t0, _load()[0]))
            assert a.status == "optimal", a
            objs[name] = (_grid_objective(a, v), a.objective)
            if k:
                row.update(price_arcs=k, pricing_rounds=int(a.stats["pricing_rounds"]),
                           arcs_kept=int(a.stats["arcs_kept"]),
                           arcs_total=int(a.stats["arcs_total"]))
    for name, runs in res.items():
        row[f"{name}_cpu_s"] = float(np.median([r[0] for r in runs]))
        row[f"{name}_wall_s"] = float(np.median([r[1] for r in runs]))
        row[f"{name}_cpu_s_runs"] = [round(r[0], 3) for r in runs]
        row[f"{name}_load1_runs"] = [r[2] for r in runs]
        row[f"{name}_objective"] = objs[name][1]
    row["same_grid_optimum"] = len({g for g, _ in objs.values()}) == 1
    row["load_after"] = _load()
    row["peak_rss_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    return row


def _rank_in_list(keys: np.ndarray, val: np.ndarray) -> np.ndarray:
    """Each pair's rank (0 = best) by value among the pairs of the same supply (or demand)."""
    order = np.lexsort((np.arange(keys.size), -val, keys))
    ks = keys[order]
    rank = np.empty(keys.size, np.int64)
    rank[order] = np.arange(ks.size) - np.searchsorted(ks, ks, side="left")
    return rank


def support_one(n: int, path: Path, price_arcs: int) -> dict:
    """Where the optimal flows sit in the nodes' candidate lists: for each pair that carries
    flow in the full solve, its rank by value among its supply's and its demand's positive
    pairs, and the smaller of the two (a restricted set of each node's K best pairs holds the
    pair only if that is below K).  With ``price_arcs`` > 0, also one priced solve and where
    its time goes (restricted solves, potentials, pricing; wall seconds)."""
    from symbioflows.matching.allocation import allocate

    z = np.load(path)
    s, d, ps, pd_, v = z["s"], z["d"], z["ps"], z["pd"], z["v"]
    use = np.flatnonzero(v > 0)
    c0 = time.process_time()
    a = allocate(s, d, ps, pd_, v)
    row: dict = dict(n_streams=int(z["n_streams"]), n_positive_pairs=int(use.size),
                     full_cpu_s=time.process_time() - c0)
    r_s = _rank_in_list(ps[use], v[use])
    r_d = _rank_in_list(pd_[use], v[use])
    on = a.flows_t[use] > 0
    best = np.minimum(r_s, r_d)[on]
    row.update(support_pairs=int(on.sum()), n_nodes=int(s.size + d.size),
               min_rank_percentiles={str(q): float(np.percentile(best, q))
                                     for q in (50, 90, 99, 100)},
               support_outside_top_k={str(k): float(np.mean(best >= k))
                                      for k in (1, 2, 4, 8, 16, 32)})
    if price_arcs:
        c0 = time.process_time()
        b = allocate(s, d, ps, pd_, v, price_arcs=price_arcs)
        row.update(price_arcs=price_arcs, priced_cpu_s=time.process_time() - c0,
                   priced_stats=b.stats,
                   same_grid_optimum=_grid_objective(a, v) == _grid_objective(b, v))
    row["load"] = _load()
    return row


def rss_one(n: int, path: Path, layout: str) -> dict:
    """Peak resident memory of one ``allocate()`` call in a fresh process, over the memory
    held after loading its inputs (sampled every 20 ms, native memory included)."""
    sys.path.insert(0, str(HERE))
    from _harness import PeakRSS
    from symbioflows.matching.allocation import allocate, solver_internals

    z = np.load(path)
    s, d, ps, pd_, v = z["s"], z["d"], z["ps"], z["pd"], z["v"]
    solver_internals.set_locality(layout == "after")
    allocate(s, d, ps[:1], pd_[:1], v[:1])  # imports out of the measurement
    with PeakRSS() as mem:
        base = mem.samples[0][1]
        c0 = time.process_time()
        allocate(s, d, ps, pd_, v, method="min_cost_flow")
        cpu = time.process_time() - c0
    return dict(layout=layout, inputs_rss_gib=base / 2**30,
                peak_over_inputs_gib=(mem.peak - base) / 2**30, cpu_s=cpu, load=_load())


def _child(args: argparse.Namespace, flag: str, n: int, *extra: str) -> dict:
    reps = args.repeats if n < args.repeat_below else 1
    cmd = [sys.executable, __file__, flag, str(n), "--seed", str(args.seed),
           "--cache", args.cache, "--repeats", str(reps), "--price-arcs", str(args.price_arcs),
           *extra]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def write_results(path: str, res: dict) -> None:
    """Write a results file (JSON, parents created) and say where."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        json.dump(res, fh, indent=1)
    print(f"wrote {path}")


def _cache_path(cache: str, n: int, seed: int) -> Path:
    return Path(cache) / f"alloc_inputs_{n}_seed{seed}.npz"


def report(rows: list[dict]) -> None:
    """Print the table and the growth ratios (every pair of sizes) of a results file's rows."""
    print("\nstreams | pairs (>0) | largest network: pairs, nodes | before CPU s | after CPU s "
          "| speed-up | same optimum | objective after/before - 1 | load before / after")
    for r in rows:
        print(f"{r['n_streams']:,} | {r['n_pairs']:,} ({r['n_positive_pairs']:,}) | "
              f"{r['largest_batch_pairs']:,}, {r['largest_batch_nodes']:,} | "
              f"{r['before_cpu_s']:.2f} | {r['after_cpu_s']:.2f} | "
              f"{r['before_cpu_s'] / r['after_cpu_s']:.2f}x | {r['same_grid_optimum']} | "
              f"{r['after_objective'] / r['before_objective'] - 1:.1e} | "
              f"{r['load_before'][0]} / {r['load_after'][0]}")
    priced = [r for r in rows if "priced_cpu_s" in r]
    if priced:
        print("\nexact sparsification (price_arcs=K) beside the full solve (after layout)\n"
              "streams | K | pricing rounds | pairs kept / pairs (>0) | full CPU s | priced "
              "CPU s | priced / full | same grid optimum")
        for r in priced:
            print(f"{r['n_streams']:,} | {r['price_arcs']} | {r['pricing_rounds']} | "
                  f"{r['arcs_kept']:,} / {r['arcs_total']:,} "
                  f"({r['arcs_kept'] / r['arcs_total']:.1%}) | {r['after_cpu_s']:.2f} | "
                  f"{r['priced_cpu_s']:.2f} | {r['priced_cpu_s'] / r['after_cpu_s']:.2f}x | "
                  f"{r['same_grid_optimum']}")
    for r in rows:
        for m in r.get("rss", []):
            print(f"{r['n_streams']:,} streams, {m['layout']} layout, own process: allocate() "
                  f"peak {m['peak_over_inputs_gib']:.2f} GiB over the {m['inputs_rss_gib']:.2f} "
                  f"GiB held with its inputs, {m['cpu_s']:.1f} CPU s, load {m['load'][0]}")
    print("\ngrowth of the CPU time (linear = the streams ratio)")
    for i, a in enumerate(rows):
        for b in rows[i + 1:]:
            x = b["n_streams"] / a["n_streams"]
            print(f"{a['n_streams']:,} -> {b['n_streams']:,} ({x:.1f}x streams, "
                  f"{b['n_pairs'] / a['n_pairs']:.1f}x pairs, largest network "
                  f"{b['largest_batch_pairs'] / a['largest_batch_pairs']:.1f}x): before "
                  f"{b['before_cpu_s'] / a['before_cpu_s']:.1f}x, after "
                  f"{b['after_cpu_s'] / a['after_cpu_s']:.1f}x"
                  + (f", priced {b['priced_cpu_s'] / a['priced_cpu_s']:.1f}x"
                     if "priced_cpu_s" in a and "priced_cpu_s" in b else ""))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--repeats", type=int, default=3,
                   help="timed runs per layout (median) below --repeat-below streams; 1 above")
    p.add_argument("--repeat-below", type=int, default=500_000)
    p.add_argument("--price-arcs", type=int, default=0,
                   help="also time allocate(price_arcs=K) (exact sparsification); 0 skips it")
    p.add_argument("--cache", default=os.path.join(os.environ.get("TMPDIR", "/tmp"),
                                                   "symbioflows_bench_allocation"))
    p.add_argument("--out", default=str(RESULTS))
    p.add_argument("--report", default=None, metavar="JSON",
                   help="only print the tables of an earlier results file")
    p.add_argument("--dump-one", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--time-one", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--rss", action="store_true",
                   help="also measure each layout's peak memory in its own process")
    p.add_argument("--rss-one", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--layout", default="after", help=argparse.SUPPRESS)
    p.add_argument("--support", action="store_true",
                   help="only analyse where the optimal flows sit in the candidate lists "
                        "(and, with --price-arcs > 0, one priced solve's time split); printed")
    p.add_argument("--support-one", type=int, default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.report is not None:
        with open(args.report) as fh:
            report(json.load(fh)["rows"])
        return 0
    if args.dump_one is not None:
        print(json.dumps(dump_one(args.dump_one, args.seed,
                                  _cache_path(args.cache, args.dump_one, args.seed))))
        return 0
    if args.rss_one is not None:
        print(json.dumps(rss_one(args.rss_one, _cache_path(args.cache, args.rss_one, args.seed),
                                 args.layout)))
        return 0
    if args.support_one is not None:
        print(json.dumps(support_one(args.support_one, _cache_path(args.cache, args.support_one,
                                                                   args.seed), args.price_arcs)))
        return 0
    if args.support:
        for n in args.sizes:
            print(json.dumps(_child(args, "--support-one", n)), flush=True)
        return 0
    if args.time_one is not None:
        print(json.dumps(time_one(args.time_one, _cache_path(args.cache, args.time_one,
                                                             args.seed), args.repeats,
                                  args.price_arcs)))
        return 0
    rows = []
    for n in args.sizes:
        if not _cache_path(args.cache, n, args.seed).exists():
            _child(args, "--dump-one", n)
        row = _child(args, "--time-one", n)
        if args.rss:
            row["rss"] = [_child(args, "--rss-one", n, "--layout", lay)
                          for lay in ("before", "after")]
        rows.append(row)
        print(json.dumps(row), flush=True)
    report(rows)
    res = dict(machine=dict(platform=platform.platform(), python=platform.python_version(),
                            cpu_count=os.cpu_count()),
               sizes=args.sizes, seed=args.seed, repeats=args.repeats,
               repeat_below=args.repeat_below, price_arcs=args.price_arcs, rows=rows)
    write_results(args.out, res)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
