"""Why the allocation stage grows faster than linearly: three measurements on the allocation
inputs of the generated regions (the cache of ``bench_allocation.py``, built when missing).

1. ``components``: OR-tools CPU time of every solved network (batch of connected components)
   against its number of arcs, per region size.  Shows whether the cost per arc depends on
   the size of the connected network.
2. ``copies``: the largest network of one region, solved once; then ``--copies`` disjoint
   copies of it in one OR-tools call, each with its own sink; then the same copies sharing one
   sink (which connects them).  Separates "a bigger network" from "a bigger *connected*
   network".
3. ``windows``: exact solves of windows (contiguous ranges of the reverse Cuthill-McKee node
   order, every pair with an end outside the window kept at its current flow), alternating
   two window grids offset by half a window, against the full optimum.  If the improvements
   that the optimum needs were local, two sweeps would reach it; the gap left after each sweep
   measures how far the optimum's adjustments reach.

    PYTHONPATH=src nice -n 10 python benchmarks/allocation_structure.py
    PYTHONPATH=src nice -n 10 python benchmarks/allocation_structure.py --sizes 100000 \
        --only windows --window 10000 30000

Writes ``benchmarks/results/allocation_structure.json`` (``--out``).  CPU seconds
(``time.process_time``); run it on a quiet machine, the figures are single runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_allocation  # noqa: E402


def _grid(path: Path) -> Any:
    """The integer network that ``allocate(method="min_cost_flow")`` solves (same scaling)."""
    import symbioflows.matching.allocation as al

    z = np.load(path)
    s_cap, d_cap, ps, pd_, val = (z[k] for k in ("s", "d", "ps", "pd", "v"))
    use = val > 0
    idx = np.flatnonzero(use)
    total = float(s_cap.sum())
    unit = max(1e-3, total / al.solver_internals.MAX_QTY_UNITS)
    value_unit = float(val[use].max()) / al.solver_internals.MAX_COST_UNITS
    s_units = np.floor(s_cap / unit + 1e-9).astype(np.int64)
    d_units = np.floor(d_cap / unit + 1e-9).astype(np.int64)
    costs = -np.rint(val[idx] / value_unit).astype(np.int64)
    return al.solver_internals.Grid(s_units, d_units, ps[idx], pd_[idx], costs, None, total, unit)


class _TimedMcf:
    """``SimpleMinCostFlow`` that records (arcs, nodes, CPU seconds) of every solve."""

    rows: list[tuple[int, int, float]] = []

    def __init__(self) -> None:
        from ortools.graph.python import min_cost_flow

        self._o = min_cost_flow.SimpleMinCostFlow()
        self._m = self._n = 0

    def add_arcs_with_capacity_and_unit_cost(self, t, h, c, u):  # type: ignore[no-untyped-def]
        self._m = len(t)
        self._n = int(max(t.max(), h.max())) + 1
        return self._o.add_arcs_with_capacity_and_unit_cost(t, h, c, u)

    def solve(self):  # type: ignore[no-untyped-def]
        c0 = time.process_time()
        st = self._o.solve()
        _TimedMcf.rows.append((self._m, self._n, time.process_time() - c0))
        return st

    def __getattr__(self, k: str) -> Any:
        return getattr(self._o, k)


def components(n: int, path: Path) -> dict:
    import symbioflows.matching.allocation as al

    grid = _grid(path)

    class Mod:
        SimpleMinCostFlow = _TimedMcf

    _TimedMcf.rows = []
    al.solver_internals.solve_grid(Mod, grid, np.arange(grid.costs.size))
    rows = sorted(_TimedMcf.rows, reverse=True)
    big = rows[0]
    rest_m = sum(r[0] for r in rows[1:])
    rest_t = sum(r[2] for r in rows[1:])
    return dict(n_streams=n, networks=[dict(arcs=m, nodes=k, cpu_s=round(t, 3)) for m, k, t in rows],
                largest_arcs=big[0], largest_cpu_s=round(big[2], 3),
                largest_us_per_arc=round(1e6 * big[2] / big[0], 3),
                rest_arcs=rest_m, rest_cpu_s=round(rest_t, 3),
                rest_us_per_arc=round(1e6 * rest_t / max(rest_m, 1), 3),
                load=bench_allocation._load())


def _largest_network(grid: Any) -> tuple[np.ndarray, ...]:
    """Arc arrays and node supplies of the largest batch, exactly as ``_solve_grid`` builds it."""
    import symbioflows.matching.allocation as al

    ns, nd = grid.s_units.size, grid.d_units.size
    sel = max(al.solver_internals.component_batches(grid.ps, grid.pd, ns, nd), key=len)
    su, sinv = al.solver_internals.local_ids(grid.ps[sel], ns)
    du, dinv = al.solver_internals.local_ids(grid.pd[sel], nd)
    bs, bd = su.size, du.size
    b_tot = int(grid.s_units[su].sum())
    sid, did = al.solver_internals.locality_order(sinv, dinv, bs, bd)
    loc_sink, sink_t, sink_h, n_nodes, sink = al.solver_internals.sink_tree(bs + bd, al.solver_internals.SINK_FANIN)
    tails = np.concatenate([sid[sinv], did, sid, sink_t]).astype(np.int64)
    heads = np.concatenate([did[dinv], loc_sink[did], loc_sink[sid], sink_h]).astype(np.int64)
    caps = np.concatenate([grid.caps(sel), grid.d_units[du], grid.s_units[su],
                           np.full(sink_t.size, b_tot, np.int64)])
    costs = np.concatenate([grid.costs[sel], np.zeros(bd + bs + sink_t.size, np.int64)])
    sup = np.zeros(n_nodes, np.int64)
    sup[sid] = grid.s_units[su]
    sup[sink] = -b_tot
    return tails, heads, caps, costs, sup, np.int64(sink)


def _solve_arrays(tails, heads, caps, costs, sup) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    from ortools.graph.python import min_cost_flow

    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), heads.astype(np.int32),
                                              caps, costs)
    smcf.set_nodes_supplies(np.arange(sup.size, dtype=np.int32), sup)
    c0 = time.process_time()
    st = smcf.solve()
    t = time.process_time() - c0
    assert st == smcf.OPTIMAL, st
    return t, int(smcf.optimal_cost())


def copies(n: int, path: Path, k: int) -> dict:
    tails, heads, caps, costs, sup, sink = _largest_network(_grid(path))
    nn = sup.size
    t1, c1 = _solve_arrays(tails, heads, caps, costs, sup)
    out = dict(n_streams=n, copies=k, arcs=int(tails.size), nodes=int(nn), one_cpu_s=round(t1, 3))
    for shared in (False, True):
        offs = np.repeat(np.arange(k, dtype=np.int64) * nn, tails.size)
        T = np.tile(tails, k) + offs
        H = np.tile(heads, k) + offs
        S = np.tile(sup, k)
        if shared:  # every copy's sink arcs go to copy 0's sink; one sink holds all deficits
            H = np.where(np.tile(heads, k) == sink, sink, H)
            S[sink + nn * np.arange(1, k)] = 0
            S[sink] = sup[sink] * k
        t, c = _solve_arrays(T, H, np.tile(caps, k), np.tile(costs, k), S)
        assert c == k * c1, (c, k * c1)  # the same optimum, k times
        out["shared_sink" if shared else "own_sinks"] = dict(
            cpu_s=round(t, 3), per_copy_s=round(t / k, 3), vs_one=round(t / k / t1, 3))
    out["load"] = bench_allocation._load()
    return out


def windows(n: int, path: Path, widths: list[int], sweeps: int) -> dict:
    from ortools.graph.python import min_cost_flow
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import reverse_cuthill_mckee

    import symbioflows.matching.allocation as al

    grid = _grid(path)
    m = grid.costs.size
    ns, nd = grid.s_units.size, grid.d_units.size
    c0 = time.process_time()
    f_full, st = al.solver_internals.solve_grid(min_cost_flow, grid, np.arange(m))
    assert st == "optimal"
    full_cpu = time.process_time() - c0
    obj_full = int(grid.costs @ f_full)
    nn = ns + nd
    rows = np.concatenate([grid.ps, ns + grid.pd])
    cols = np.concatenate([ns + grid.pd, grid.ps])
    g = csr_matrix((np.ones(rows.size, np.int8), (rows, cols)), shape=(nn, nn))
    g.sum_duplicates()
    rank = np.empty(nn, np.int64)
    rank[reverse_cuthill_mckee(g, symmetric_mode=True)] = np.arange(nn)
    del g, rows, cols
    rs, rd = rank[grid.ps], rank[ns + grid.pd]
    out: dict[str, Any] = dict(n_streams=n, pairs=m, nodes=nn, full_cpu_s=round(full_cpu, 3),
                               runs=[])
    for w in widths:
        f = np.zeros(m, np.int64)
        run: dict[str, Any] = dict(window_nodes=w, sweeps=[])
        for sweep in range(sweeps):
            off = 0 if sweep % 2 == 0 else w // 2
            c0 = time.process_time()
            inside = (rs + off) // w == (rd + off) // w
            cross = np.flatnonzero(~inside)
            out_x = np.bincount(grid.ps[cross], weights=f[cross], minlength=ns).astype(np.int64)
            in_x = np.bincount(grid.pd[cross], weights=f[cross], minlength=nd).astype(np.int64)
            sub = al.solver_internals.Grid(grid.s_units - out_x, grid.d_units - in_x, grid.ps, grid.pd,
                           grid.costs, None, grid.total_t, grid.unit)
            sel = np.flatnonzero(inside)
            f_sel, st = al.solver_internals.solve_grid(min_cost_flow, sub, sel)
            assert st == "optimal"
            f[sel] = f_sel
            obj = int(grid.costs @ f)
            run["sweeps"].append(dict(offset=off, pairs_inside=int(sel.size),
                                      cpu_s=round(time.process_time() - c0, 3),
                                      relative_gap=(obj - obj_full) / abs(obj_full)))
        out["runs"].append(run)
    out["load"] = bench_allocation._load()
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cache", default=os.path.join(os.environ.get("TMPDIR", "/tmp"),
                                                   "symbioflows_alloc_cache"))
    p.add_argument("--only", nargs="+", default=["components", "copies", "windows"],
                   choices=["components", "copies", "windows"])
    p.add_argument("--copies", type=int, default=9)
    p.add_argument("--copies-size", type=int, default=100_000,
                   help="region whose largest network is copied")
    p.add_argument("--windows-size", type=int, default=100_000)
    p.add_argument("--window", type=int, nargs="+", default=[10_000, 30_000],
                   help="window widths in nodes")
    p.add_argument("--sweeps", type=int, default=4)
    p.add_argument("--out", default=str(HERE / "results" / "allocation_structure.json"))
    p.add_argument("--one", default=None, help=argparse.SUPPRESS)
    p.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args()
    path = lambda n: bench_allocation._cache_path(args.cache, n, args.seed)  # noqa: E731
    if args.one is not None:  # child process: one measurement, JSON on the last line
        if args.one == "components":
            res = components(args.n, path(args.n))
        elif args.one == "copies":
            res = copies(args.n, path(args.n), args.copies)
        else:
            res = windows(args.n, path(args.n), args.window, args.sweeps)
        print(json.dumps(res))
        return 0

    def child(kind: str, n: int) -> dict:
        if not path(n).exists():
            subprocess.run([sys.executable, bench_allocation.__file__, "--dump-one", str(n),
                            "--seed", str(args.seed), "--cache", args.cache], check=True,
                           capture_output=True)
        cmd = [sys.executable, __file__, "--one", kind, "--n", str(n), "--seed", str(args.seed),
               "--cache", args.cache, "--copies", str(args.copies), "--sweeps", str(args.sweeps),
               "--window", *map(str, args.window)]
        res = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        row = json.loads(res.strip().splitlines()[-1])
        print(json.dumps({k: v for k, v in row.items() if k != "networks"}), flush=True)
        return row

    out: dict[str, Any] = dict(seed=args.seed, cpu_count=os.cpu_count())
    if "components" in args.only:
        out["components"] = [child("components", n) for n in args.sizes]
        if len(out["components"]) >= 2:
            a, b = out["components"][0], out["components"][-1]
            print(f"largest network: {b['largest_arcs'] / a['largest_arcs']:.1f}x arcs, "
                  f"{b['largest_cpu_s'] / a['largest_cpu_s']:.1f}x CPU; the rest: "
                  f"{b['rest_arcs'] / a['rest_arcs']:.1f}x arcs, "
                  f"{b['rest_cpu_s'] / a['rest_cpu_s']:.1f}x CPU")
    if "copies" in args.only:
        out["copies"] = child("copies", args.copies_size)
    if "windows" in args.only:
        out["windows"] = child("windows", args.windows_size)
    bench_allocation.write_results(args.out, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
