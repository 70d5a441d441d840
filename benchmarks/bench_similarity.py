"""Cosine top-k: the native kernel against FAISS ``IndexFlatIP`` and the machine's sgemm.

    python benchmarks/bench_similarity.py                 # 1,000 x 100,000 x 384, 1 and 2 threads
    python benchmarks/bench_similarity.py --quick         # 200 x 20,000 x 384 (a smoke run)

Four contenders, same seeded data, one process, interleaved round by round (the order rotates
every round), one warm-up round excluded, on each thread count:

* ``ours_raw``: ``top_k_compatible(q, x, k=10, w_similarity=1.0)`` (public API: validation,
  normalisation and the merge included);
* ``ours_fused``: the same call with the fused score (similarity 0.6 + substitution knowledge
  0.4, hazard and blocked filters);
* ``faiss``: ``IndexFlatIP.search`` on a prebuilt index of the normalised rows;
* ``sgemm``: ``np.matmul(q, x.T, out=...)`` of the same shapes (numpy's BLAS), the machine's
  matrix-product rate that the kernel is compared with (2 * nq * nx * d flops).

Threads: ours ``n_jobs``, FAISS ``omp_set_num_threads``, BLAS through threadpoolctl.  The
1-minute load average is recorded before and after each thread count; a run whose load
exceeds half the cores is marked ``noisy`` (read the in-round ratios, claim nothing from it).
Writes ``benchmarks/results/similarity.json`` (rendered into docs/benchmarks.md by
``tools/render_tables.py``).  1-2 minutes on an idle 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from _harness import clustered_embeddings as clustered  # noqa: E402
from symbioflows.materials import load_taxonomy  # noqa: E402
from symbioflows.materials.compat import simd_level, top_k_compatible  # noqa: E402

CONTENDERS = ("ours_raw", "ours_fused", "faiss", "sgemm")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def agreement(a: np.ndarray, b: np.ndarray) -> float:
    """Fraction of top-k ids (as sets per query) that two answers share."""
    return float(np.mean([len(set(x) & set(y)) / len(x) for x, y in zip(a.tolist(), b.tolist())]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="200 x 20,000 x 384")
    ap.add_argument("--rounds", type=int, default=5, help="timed rounds per thread count (default 5)")
    ap.add_argument("--threads", default="1,2", help="thread counts, comma separated (default 1,2)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "similarity.json"))
    args = ap.parse_args()

    import faiss
    from threadpoolctl import threadpool_info, threadpool_limits

    nx, nq = (20_000, 200) if args.quick else (100_000, 1_000)
    d, k, seed = 384, 10, 42
    rng = np.random.default_rng(seed)
    x, xlab, centers = clustered(nx, d, 2000, rng)
    q, qlab, _ = clustered(nq, d, 2000, rng, centers)
    xn = np.ascontiguousarray(x / np.linalg.norm(x, axis=1, keepdims=True), dtype=np.float32)
    qn = np.ascontiguousarray(q / np.linalg.norm(q, axis=1, keepdims=True), dtype=np.float32)
    flops = 2.0 * nq * nx * d

    tax = load_taxonomy()
    S = tax.substitution_matrix()
    ncls = len(tax)
    cq = (qlab % ncls).astype(np.int64)
    cx = (xlab % ncls).astype(np.int64)
    haz = rng.random(nq) < 0.1
    acc = rng.random(nx) < 0.3
    blk = rng.random(nx) < 0.05

    index = faiss.IndexFlatIP(d)
    index.add(xn)
    gemm_out = np.empty((nq, nx), dtype=np.float32)

    def run_raw(th):
        return top_k_compatible(qn, xn, k=k, w_similarity=1.0, n_jobs=th).index

    def run_fused(th):
        return top_k_compatible(qn, xn, k=k, supply_class=cq, demand_class=cx, substitution=S,
                                w_similarity=0.6, supply_hazardous=haz,
                                demand_accepts_hazardous=acc, demand_blocked=blk, n_jobs=th).index

    def run_faiss(th):
        return index.search(qn, k)[1]

    def run_sgemm(th):
        np.matmul(qn, xn.T, out=gemm_out)

    fns = {"ours_raw": run_raw, "ours_fused": run_fused, "faiss": run_faiss, "sgemm": run_sgemm}
    cores = os.cpu_count() or 1
    res: dict = {
        "machine": {"cpu_count": cores, "cpu_model": cpu_model(), "platform": platform.platform(),
                    "simd_level": simd_level(), "numpy": np.__version__,
                    "faiss": faiss.__version__,
                    "blas": sorted({f"{i.get('internal_api')} {i.get('version')}"
                                    for i in threadpool_info() if i.get("user_api") == "blas"})},
        "data": {"n_demand": nx, "n_supply": nq, "dim": d, "k": k, "seed": seed,
                 "distribution": "mixture of 2,000 overlapping Gaussian clusters, noise sd 1.2 "
                                 "(float32), rows normalised before every contender",
                 "fused": "score 0.6 cosine + 0.4 substitution knowledge (taxonomy matrix, "
                          "classes = cluster mod n_classes), 10 % hazardous supplies, 30 % of "
                          "demands accept hazardous, 5 % blocked"},
        "flops_per_call": flops,
        "rounds": args.rounds,
        "runs": [],
    }

    # Quality: ours against FAISS and against exact float64 scores (first 200 queries).
    raw_ids, fused_ids, fa_ids = run_raw(1), run_fused(1), run_faiss(1)
    m = min(nq, 200)
    cos64 = qn[:m].astype(np.float64) @ xn.T.astype(np.float64)
    fused64 = 0.6 * cos64 + 0.4 * S.astype(np.float64)[cq[:m]][:, cx]
    fused64[blk[None, :] | (haz[:m, None] & ~acc[None, :])] = -np.inf

    def top(scores):
        part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        return np.take_along_axis(part, np.argsort(-np.take_along_axis(scores, part, 1), axis=1), 1)

    res["quality"] = {"queries_checked": m,
                      "ours_raw_vs_faiss_top10_overlap": agreement(raw_ids[:m], fa_ids[:m]),
                      "ours_raw_vs_exact_float64_top10_overlap": agreement(raw_ids[:m], top(cos64)),
                      "faiss_vs_exact_float64_top10_overlap": agreement(fa_ids[:m], top(cos64)),
                      "ours_fused_vs_exact_float64_top10_overlap": agreement(fused_ids[:m], top(fused64))}
    del cos64, fused64
    print(json.dumps(res["quality"]))

    for th in [int(t) for t in args.threads.split(",")]:
        faiss.omp_set_num_threads(th)
        with threadpool_limits(limits=th):
            load_before = list(os.getloadavg())
            for name in CONTENDERS:  # warm-up round, not timed
                fns[name](th)
            wall = {n: [] for n in CONTENDERS}
            cpu = {n: [] for n in CONTENDERS}
            for r in range(args.rounds):
                order = CONTENDERS[r % 4:] + CONTENDERS[:r % 4]
                for name in order:
                    c0, t0 = time.process_time(), time.perf_counter()
                    fns[name](th)
                    wall[name].append(time.perf_counter() - t0)
                    cpu[name].append(time.process_time() - c0)
            load_after = list(os.getloadavg())
        per_round = {
            "ours_raw_over_faiss": [a / b for a, b in zip(wall["ours_raw"], wall["faiss"])],
            "ours_fused_over_raw": [a / b for a, b in zip(wall["ours_fused"], wall["ours_raw"])],
            "ours_raw_fraction_of_sgemm": [g / a for a, g in zip(wall["ours_raw"], wall["sgemm"])],
            "faiss_fraction_of_sgemm": [g / a for a, g in zip(wall["faiss"], wall["sgemm"])],
            # process CPU time: on a loaded machine the wall time of a 1-thread contender
            # mostly measures the scheduler; its CPU time is the steadier figure
            "cpu_ours_raw_over_faiss": [a / b for a, b in zip(cpu["ours_raw"], cpu["faiss"])],
            "cpu_ours_raw_fraction_of_sgemm": [g / a for a, g in zip(cpu["ours_raw"], cpu["sgemm"])],
        }
        run = {
            "threads": th,
            "load_before": load_before,
            "load_after": load_after,
            "noisy": load_before[0] > cores / 2,  # the end load includes our own threads
            "wall_s": wall,
            "cpu_s": cpu,
            "median_s": {n: statistics.median(v) for n, v in wall.items()},
            "min_s": {n: min(v) for n, v in wall.items()},
            "median_cpu_s": {n: statistics.median(v) for n, v in cpu.items()},
            "gflops_median": {n: flops / statistics.median(v) / 1e9 for n, v in wall.items()},
            "per_round": per_round,
            "median_ratio": {key: statistics.median(v) for key, v in per_round.items()},
        }
        res["runs"].append(run)
        print(json.dumps({key: run[key] for key in ("threads", "load_before", "load_after", "noisy",
                                                    "median_s", "median_ratio")}, indent=1))

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(res, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
