"""Micro-benchmark of the pair-scoring kernel (``_core.score_pairs``) and of first-touching
fresh memory with and without numpy's transparent-huge-page advice.

The kernel runs on random stream tables (150,000 supplies and demands) and 6.2 million pairs
ordered by supply (the pair count of the 300k-stream region of ``bench_pipeline.py``), with 1
and 2 threads; per call: wall time, user and system CPU time (``os.times``, all threads), and
the 1-minute load average (other jobs share the machine).  ``--touch`` writes 700 MB of fresh
float64 (14 columns x 6.2M, the kernel's output) once per fresh child process, with numpy's
huge-page advice on and off.

    PYTHONPATH=src nice -n 10 python benchmarks/bench_scoring.py [--pairs N] [--touch]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np


def _tables(rng: np.random.Generator, ns: int, nd: int) -> tuple[dict, dict]:
    s = dict(qty_t=rng.uniform(0.1, 100, ns), quality=rng.random(ns),
             mask=rng.integers(0, 4096, ns), disposal_usd_t=rng.uniform(0, 100, ns),
             disposal_co2e_kg_t=rng.uniform(0, 500, ns), fixed_usd_t=rng.uniform(0, 10, ns),
             usd_per_tkm=rng.uniform(0, 0.2, ns), co2e_kg_per_tkm=rng.uniform(0, 0.2, ns),
             hazardous=(rng.random(ns) < 0.2).astype(float), country=rng.integers(0, 3, ns))
    d = dict(qty_t=rng.uniform(0.1, 100, nd), quality=rng.random(nd),
             mask=rng.integers(0, 4096, nd), virgin_usd_t=rng.uniform(0, 300, nd),
             virgin_co2e_kg_t=rng.uniform(0, 3000, nd), country=rng.integers(0, 3, nd))
    return s, d


def kernel(m: int, repeats: int) -> list[dict]:
    from symbioflows import _core

    rng = np.random.default_rng(0)
    ns = nd = 150_000
    s, d = _tables(rng, ns, nd)
    si = np.sort(rng.integers(0, ns, m))
    di = rng.integers(0, nd, m)
    dist, fit, sfit = rng.uniform(0, 500, m), rng.uniform(0, 1, m), rng.normal(0, 1, m)
    w = rng.normal(0, 0.05, _core.NUM_PAIR_FEATURES)
    rows = []
    for nt in (1, 2):
        for r in range(repeats):
            t0, c0 = time.perf_counter(), os.times()
            f, sc = _core.score_pairs(si, di, dist, fit, sfit, s, d, 1.3, w, 0.1, n_threads=nt)
            t1, c1 = time.perf_counter(), os.times()
            del f, sc
            rows.append(dict(pairs=m, threads=nt, repeat=r, wall_s=round(t1 - t0, 3),
                             user_s=round(c1.user - c0.user, 3),
                             sys_s=round(c1.system - c0.system, 3),
                             load=round(os.getloadavg()[0], 2)))
            print(json.dumps(rows[-1]), flush=True)
    return rows


def touch_child(hugepage: bool, m: int) -> dict:
    np._core.multiarray._set_madvise_hugepage(hugepage)  # numpy's own switch (private)
    c0 = os.times()
    a = np.empty((m, 14))
    a[:] = 1.0
    c1 = os.times()
    del a
    return dict(hugepage_advice=hugepage, mbytes=round(m * 14 * 8 / 1e6),
                sys_s=round(c1.system - c0.system, 3), user_s=round(c1.user - c0.user, 3),
                load=round(os.getloadavg()[0], 2))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--pairs", type=int, default=6_200_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--touch", action="store_true", help="also the first-touch comparison")
    p.add_argument("--touch-child", choices=("0", "1"), default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.touch_child is not None:
        print(json.dumps(touch_child(args.touch_child == "1", args.pairs)))
        return 0
    kernel(args.pairs, args.repeats)
    if args.touch:
        for hp in ("0", "1", "0", "1"):  # a fresh process each: its first 700 MB
            out = subprocess.run([sys.executable, __file__, "--pairs", str(args.pairs),
                                  "--touch-child", hp], check=True, capture_output=True,
                                 text=True).stdout
            print(out.strip(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
