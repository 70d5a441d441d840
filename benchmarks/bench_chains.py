"""Chains benchmark: symbioflows cycle search against igraph, networkx and rustworkx.

All libraries run in one process on the same seeded graphs; every row checks that the
cycle counts agree.  Writes ``benchmarks/results/chains.json``.

Usage::

    PYTHONPATH=src python benchmarks/bench_chains.py            # full run
    PYTHONPATH=src python benchmarks/bench_chains.py --quick    # small sizes, one repeat
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from _harness import (  # noqa: E402
    close_machine_state,
    interleave,
    machine_state,
    refuse_when_loaded,
)
from symbioflows import _core  # noqa: E402
from symbioflows.chains import SymbiosisGraph, find_cycles  # noqa: E402


# ----------------------------------------------------------------------------- graphs
def random_digraph(n: int, mean_out: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Erdos-Renyi-like simple digraph: n * mean_out edges drawn uniformly (no self-loops),
    duplicates dropped (so that every library sees the same simple graph)."""
    rng = np.random.default_rng(seed)
    m = int(n * mean_out)
    src = rng.integers(0, n, m)
    dst = rng.integers(0, n - 1, m)
    dst = dst + (dst >= src)  # no self-loops
    pairs = np.unique(np.c_[src, dst], axis=0)
    pairs = pairs[rng.permutation(len(pairs))]
    return pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)


def clustered_digraph(n: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Companies in spatial clusters (industrial parks); each links to k of its nearest
    neighbours, so the graph has many short loops like a real region."""
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    n_clusters = max(1, n // 50)
    centres = rng.uniform(0, 100, (n_clusters, 2))
    which = rng.integers(0, n_clusters, n)
    pts = centres[which] + rng.normal(0, 1.5, (n, 2))
    _, nn = cKDTree(pts).query(pts, k=k + 1)
    src = np.repeat(np.arange(n), k)
    dst = nn[:, 1:].reshape(-1)
    return src.astype(np.int64), dst.astype(np.int64)


def sample_region_graph() -> tuple[str, np.ndarray, np.ndarray] | None:
    """The shipped sample region's candidate graph (supply -> demand of the same material
    class within 50 km; its few known exchanges form no loop)."""
    try:
        from symbioflows.chains.dataset import graph_from_dataset
        from symbioflows.datasets import load_sample_region
    except ImportError:
        return None
    g = graph_from_dataset(load_sample_region(), use_exchanges=False)
    return f"sample region candidates ({g.n_nodes} companies, multigraph)", g.src, g.dst


# ----------------------------------------------------------------------------- runners
LAST_MIN: list[float] = [0.0]
LAST_CPU: list[float] = [0.0]


def timed(fn: Any, repeats: int) -> tuple[float, Any]:
    """Median wall time over `repeats` runs (the minimum is kept in LAST_MIN[0])."""
    times, cpus, out = [], [], None
    for _ in range(repeats):
        out = None
        gc.collect()
        c0 = time.process_time()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    LAST_MIN[0] = min(times)
    LAST_CPU[0] = statistics.median(cpus)
    return statistics.median(times), out


_CHILD = """
import gc, sys
sys.path.insert(0, {bench!r})
import numpy as np
import bench_chains as b
src, dst = b.clustered_digraph({n}, 4, seed=2)
if {lib!r} == "ours":
    from symbioflows import _core
    g = _core.CsrGraph({n}, src, dst); ones = np.ones(len(src))
    run = lambda: _core.find_cycles(g, ones, ones, max_length={L}, n_threads=1)
else:
    import igraph as ig
    G = ig.Graph(n={n}, edges=np.c_[src, dst].tolist(), directed=True)
    run = lambda: G.simple_cycles(min=2, max={L})
gc.collect()
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return float(line.split()[1])  # KiB
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak RSS (VmHWM) to the current RSS
before = status("VmRSS")
r = run()
print(status("VmHWM") - before)
"""


def child_peak_mb(n: int, L: int, lib: str) -> float:
    """Peak RSS (MB) during one search in a fresh process, above the RSS once the graph is
    built (the result included)."""
    import subprocess

    code = _CHILD.format(bench=str(Path(__file__).parent), n=n, L=L, lib=lib)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True)
    return float(out.stdout.strip().splitlines()[-1]) / 1024


def ours(n: int, src: np.ndarray, dst: np.ndarray, L: int, threads: int, **kw: Any) -> Any:
    g = _core.CsrGraph(n, src, dst)
    ones = np.ones(len(src))

    def run() -> Any:
        return _core.find_cycles(g, ones, ones, min_length=2, max_length=L, n_threads=threads, **kw)

    return run


def bench_row(name: str, n: int, src: np.ndarray, dst: np.ndarray, L: int, args: Any) -> dict[str, Any]:
    import igraph as ig

    row: dict[str, Any] = {"graph": name, "n_nodes": n, "n_edges": int(len(src)), "max_length": L}
    T = args.threads
    G = ig.Graph(n=n, edges=np.c_[src, dst].tolist(), directed=True)
    # ours on 1 and T threads and igraph, interleaved round by round after one warm-up call
    res = interleave({"ours_1t": ours(n, src, dst, L, 1), f"ours_{T}t": ours(n, src, dst, L, T),
                      "igraph": lambda: G.simple_cycles(min=2, max=L)}, args.repeats)
    r1, rall, cyc = res["ours_1t"]["out"], res[f"ours_{T}t"]["out"], res["igraph"]["out"]
    t1, tall, tig = res["ours_1t"]["median"], res[f"ours_{T}t"]["median"], res["igraph"]["median"]
    row["ours_1t_min_s"] = res["ours_1t"]["min"]
    row["ours_1t_cpu_s"] = res["ours_1t"]["cpu_median"]
    row[f"ours_{T}t_min_s"] = res[f"ours_{T}t"]["min"]
    row[f"ours_{T}t_cpu_s"] = res[f"ours_{T}t"]["cpu_median"]
    # CPU seconds of all threads: when equal for 1 and N threads, the work splits without
    # overhead and the wall-time speedup on an idle machine approaches N.
    row["parallel_efficiency"] = row["ours_1t_cpu_s"] / max(row[f"ours_{T}t_cpu_s"], 1e-9)
    row["ours_1t_s"] = t1
    row[f"ours_{T}t_s"] = tall
    row["cycles"] = len(r1["scores"])
    assert len(rall["scores"]) == row["cycles"]
    assert np.array_equal(r1["edges"], rall["edges"])  # identical for any thread count
    row["igraph_s"] = tig
    row["igraph_cycles"] = len(cyc)
    assert len(cyc) == row["cycles"], (len(cyc), row["cycles"])
    row["speedup_vs_igraph_1t"] = tig / t1
    row[f"speedup_vs_igraph_{T}t"] = tig / tall
    row["thread_scaling"] = t1 / tall
    row["thread_scaling_min"] = row["ours_1t_min_s"] / row[f"ours_{T}t_min_s"]
    if n <= args.nx_max_nodes and L <= args.nx_max_length:
        import networkx as nx

        D = nx.DiGraph()
        D.add_nodes_from(range(n))
        D.add_edges_from(zip(src.tolist(), dst.tolist()))
        multi = len(D.edges) != len(src)
        if not multi:
            # seconds per call: one timed run (no warm-up), far slower than the others
            tnx, ncyc = timed(
                lambda: sum(1 for c in nx.simple_cycles(D, length_bound=L) if len(c) >= 2), 1
            )
            row["networkx_s"] = tnx
            assert ncyc == row["cycles"], (ncyc, row["cycles"])
            row["speedup_vs_networkx"] = tnx / t1
    return row


def rustworkx_row(n: int, src: np.ndarray, dst: np.ndarray, args: Any) -> dict[str, Any] | None:
    """rustworkx.simple_cycles (Johnson) has no length bound: it enumerates every cycle, so
    the comparison runs ours with max_length = the longest cycle, on small random graphs
    whose cycles can all be listed."""
    try:
        import rustworkx as rx
    except ImportError:
        return None
    G = rx.PyDiGraph()
    G.add_nodes_from(range(n))
    G.add_edges_from_no_data(list(zip(src.tolist(), dst.tolist())))
    cyc = [c for c in rx.simple_cycles(G) if len(c) >= 2]
    longest = max((len(c) for c in cyc), default=2)
    res = interleave({"rustworkx": lambda: [c for c in rx.simple_cycles(G) if len(c) >= 2],
                      "ours": ours(n, src, dst, longest, 1)}, args.repeats)
    t, tours, r = res["rustworkx"]["median"], res["ours"]["median"], res["ours"]["out"]
    assert len(r["scores"]) == len(cyc), (len(r["scores"]), len(cyc))
    return {"graph": f"random n={n}, {len(src)} edges (all cycles, longest {longest})",
            "rustworkx_s": t, "ours_1t_s": tours, "cycles": len(cyc),
            "speedup_vs_rustworkx": t / tours}


def topk_row(args: Any) -> dict[str, Any]:
    """top-k vs full enumeration + sort on a graph with > 1M cycles."""
    n = args.topk_nodes
    src, dst = clustered_digraph(n, 5, seed=7)
    rng = np.random.default_rng(3)
    scores = rng.uniform(0.05, 1.0, len(src))
    comp = SymbiosisGraph(np.arange(n), {"supplier": src, "receiver": dst, "score": scores,
                                         "tonnes_per_yr": rng.uniform(1, 100, len(src))})
    L = args.topk_length

    def full_sort() -> Any:
        r = find_cycles(comp, max_length=L, max_results=None, max_expansions=None, n_jobs=1)
        order = np.lexsort((np.arange(len(r)), -r.scores))[:10]
        return r, order

    res = interleave({"full": full_sort,
                      "top10": lambda: find_cycles(comp, max_length=L, top_k=10, n_jobs=1)},
                     args.repeats)
    tf, (rf, _order) = res["full"]["median"], res["full"]["out"]
    tk, rk = res["top10"]["median"], res["top10"]["out"]
    assert np.allclose(np.sort(rf.scores)[::-1][:10], rk.scores)
    return {"graph": f"clustered n={n} k=5", "max_length": L, "cycles": len(rf),
            "full_enumeration_plus_sort_s": tf, "top10_s": tk, "speedup": tf / tk,
            "top10_expansions": rk.n_expansions, "full_expansions": rf.n_expansions}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes, one repeat")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "chains.json")
    ap.add_argument("--allow-noisy", action="store_true",
                    help="run on a loaded machine too (the results are then marked noisy)")
    args = ap.parse_args()
    refuse_when_loaded(args.allow_noisy)
    state = machine_state()
    args.nx_max_nodes = 1000
    args.nx_max_length = 5
    args.topk_nodes = 20_000
    args.topk_length = 7
    # networkx runs on the 1,000-node graphs only (it needs minutes on the 5,000-node ones)
    sizes = [("random", 1000, [4, 5]), ("clustered", 1000, [4, 5]), ("random", 5000, [4, 5, 6]),
             ("clustered", 5000, [4, 5, 6]), ("clustered", 20_000, [4, 5, 6])]
    if args.quick:
        args.repeats = 1
        args.nx_max_nodes = 1000
        args.nx_max_length = 5
        args.topk_nodes = 2000
        args.topk_length = 6
        sizes = [("random", 1000, [4, 5]), ("clustered", 1000, [4, 5])]
    rows = []
    for kind, n, lengths in sizes:
        src, dst = random_digraph(n, 4, seed=1) if kind == "random" else clustered_digraph(n, 4, seed=2)
        for L in lengths:
            row = bench_row(f"{kind} n={n} out-degree 4", n, src, dst, L, args)
            print(json.dumps(row), flush=True)
            rows.append(row)
    sample = sample_region_graph()
    if sample is not None:
        name, s, d = sample
        n = int(max(s.max(initial=0), d.max(initial=0))) + 1
        for L in (4, 5):
            row = bench_row(name, n, s, d, L, args)
            print(json.dumps(row), flush=True)
            rows.append(row)
    rx_rows = []
    for n_rx, deg in ((200, 1.6), (60, 2.2), (300, 1.5)):
        rx_row = rustworkx_row(n_rx, *random_digraph(n_rx, deg, seed=5), args)
        if rx_row:
            print(json.dumps(rx_row), flush=True)
            rx_rows.append(rx_row)
    tk = topk_row(args)
    print(json.dumps(tk), flush=True)
    big = max(sizes, key=lambda x: x[1])
    mem = {"graph": f"clustered n={big[1]} out-degree 4", "max_length": max(big[2]),
           "ours_peak_mb": child_peak_mb(big[1], max(big[2]), "ours"),
           "igraph_peak_mb": child_peak_mb(big[1], max(big[2]), "igraph")}
    print(json.dumps(mem), flush=True)
    out = {
        "machine": close_machine_state(state),
        "threads": args.threads,
        "repeats": args.repeats,
        "cycles": rows,
        "rustworkx": rx_rows,
        "top_k": tk,
        "memory": mem,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2))
    print(f"wrote {args.out}; render the docs with python tools/render_tables.py")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
