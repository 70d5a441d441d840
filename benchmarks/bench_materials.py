"""Materials benchmarks besides the kernel: approximate-index recall and classification accuracy.

    python benchmarks/bench_materials.py              # 100k x 384, 1,000 queries
    python benchmarks/bench_materials.py --quick      # 20k x 384, 200 queries

Writes benchmarks/results/materials.json.  The exact cosine top-k kernel against FAISS and the
machine's sgemm is benchmarks/bench_similarity.py (results/similarity.json).  The ANN part
builds an HNSW index of 100,000 vectors (several minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import csv
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
from symbioflows.materials.compat import simd_level, top_k_compatible  # noqa: E402


def timeit(fn, repeat):
    ts = []
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts), min(ts), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "materials.json"))
    ap.add_argument("--skip-ann", action="store_true")
    ap.add_argument("--skip-classify", action="store_true")
    args = ap.parse_args()
    nx, nq = (20_000, 200) if args.quick else (100_000, 1_000)
    d, k = 384, 10
    rng = np.random.default_rng(42)
    res: dict = {
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(),
                    "simd_level": simd_level(), "numpy": np.__version__,
                    "loadavg_at_start": os.getloadavg()},
        "data": {"n_demand": nx, "n_supply": nq, "dim": d, "k": k, "seed": 42,
                 "distribution": "mixture of 2,000 overlapping Gaussian clusters, noise sd 1.2 (float32)"},
    }
    x, xlab, centers = clustered(nx, d, 2000, rng)
    q, qlab, _ = clustered(nq, d, 2000, rng, centers)

    # --- approximate search recall ---------------------------------------------------------
    if not args.skip_ann:
        from symbioflows.materials.index import MaterialIndex

        t0 = time.perf_counter()
        exact = top_k_compatible(q, x, k=k, w_similarity=1.0, w_substitution=0.0).index
        t_ours = time.perf_counter() - t0
        ann = {}
        for method in ("hnsw", "ivf"):
            t0 = time.perf_counter()
            mi = MaterialIndex(exact_threshold=1000, method=method, target_recall=0.95,
                               hnsw_m=32, ef_construction=80).add(x).build()
            t_build = time.perf_counter() - t0
            t_s, t_s_min, got = timeit(lambda mi=mi: mi.search(q, k), args.repeat)
            hits = sum(len(set(a_) & set(b_)) for a_, b_ in zip(got.rows.tolist(), exact.tolist()))
            ann[method] = {"build_s": t_build, "search_s": t_s, "search_min_s": t_s_min,
                           "tuned_param": mi.search_param_, "tuning_recall": mi.recall_,
                           "recall_at_10_vs_exact": hits / exact.size,
                           "speedup_vs_exact_kernel": t_ours / t_s}
            print(method, ann[method])
        res["ann"] = ann

    # --- classification accuracy -----------------------------------------------------------
    if not args.skip_classify:
        from symbioflows.materials import sentence_model_available
        from symbioflows.materials.classify import classify_material

        path = ROOT / "tests" / "data" / "material_eval.csv"
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
        texts = [r["text"] for r in rows]
        cls_res = {}
        for backend in ["hashing"] + (["sentence"] if sentence_model_available() else []):
            classify_material(["warm-up"], backend=backend)
            t0 = time.perf_counter()
            preds = classify_material(texts, k=3, backend=backend)
            dt = time.perf_counter() - t0
            out = {"seconds_per_1000_texts": dt / len(texts) * 1000}
            for name, sel in (("all", lambda r: True),
                              ("maestri", lambda r: r["source"].startswith("MAESTRI")),
                              ("written_holdout", lambda r: not r["source"].startswith("MAESTRI"))):
                idx = [i for i, r in enumerate(rows) if sel(r)]
                coded = [i for i in idx if rows[i]["ewc_code"]]
                out[name] = {
                    "n": len(idx),
                    "top1": float(np.mean([preds[i][0].material_class == rows[i]["material_class"] for i in idx])),
                    "top3": float(np.mean([rows[i]["material_class"] in [p.material_class for p in preds[i]] for i in idx])),
                    "ewc_top1": float(np.mean([preds[i][0].ewc_code == rows[i]["ewc_code"] for i in coded])),
                }
            cls_res[backend] = out
            print(backend, out)
        res["classification"] = cls_res

    res["machine"]["loadavg_at_end"] = os.getloadavg()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(res, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
