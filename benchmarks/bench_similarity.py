"""Materials benchmarks: the native compatibility kernel against numpy and FAISS, ANN recall,
and classification accuracy.  One process, same seeded data, ratios measured side by side.

    python benchmarks/bench_similarity.py            # 100k x 384, 1,000 queries
    python benchmarks/bench_similarity.py --quick    # 20k x 384, 200 queries

Writes benchmarks/results/materials.json.  Timings are medians of --repeat runs (min also kept);
the machine's matmul peak is measured here with a large numpy sgemm, its memory bandwidth with a
large numpy copy.
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

from symbioflows.materials import load_taxonomy  # noqa: E402
from symbioflows.materials.compat import simd_level, top_k_compatible  # noqa: E402


def timeit(fn, repeat):
    ts = []
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts), min(ts), out


def clustered(n, d, n_centers, rng, centers=None, noise=1.2):
    """Overlapping clusters: noise norm (~1.2 sqrt(d)) exceeds the centre spacing (~1.4 sqrt(d)
    / 1.4), so near neighbours often sit in other clusters, as with real text embeddings."""
    if centers is None:
        centers = rng.standard_normal((n_centers, d)).astype(np.float32)
    lab = rng.integers(0, len(centers), n)
    x = centers[lab] + noise * rng.standard_normal((n, d)).astype(np.float32)
    return x.astype(np.float32), lab, centers


def numpy_topk(scores, k):
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    ps = np.take_along_axis(scores, part, 1)
    order = np.lexsort((part, -ps), axis=1)
    return np.take_along_axis(part, order, 1), np.take_along_axis(ps, order, 1)


def measure_peaks(rng, repeat):
    """Matmul peak (GFLOP/s of a 4096^3 sgemm) and copy bandwidth (GB/s) of this machine."""
    a = rng.standard_normal((4096, 4096)).astype(np.float32)
    a @ a
    _, t_mm_min, _ = timeit(lambda: a @ a, repeat)
    big = rng.standard_normal(64 * 1024 * 1024).astype(np.float32)  # 256 MB
    dst = np.empty_like(big)
    _, t_cp_min, _ = timeit(lambda: np.copyto(dst, big), repeat)
    return 2 * 4096**3 / t_mm_min / 1e9, 2 * big.nbytes / t_cp_min / 1e9


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
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    qn = q / np.linalg.norm(q, axis=1, keepdims=True)
    flops = 2.0 * nq * nx * d
    bytes_in = 4.0 * (nq + nx) * d

    # --- machine peaks --------------------------------------------------------------------
    peak, bw = measure_peaks(rng, args.repeat)
    res["peak"] = {"sgemm_4096_gflops": peak, "copy_gbs": bw}

    # --- raw similarity top-k -------------------------------------------------------------
    t_ours, t_ours_min, r_ours = timeit(
        lambda: top_k_compatible(q, x, k=k, w_similarity=1.0, w_substitution=0.0), args.repeat)

    def np_raw():
        out_i = np.empty((nq, k), np.int64)
        for s in range(0, nq, 250):
            sc = qn[s:s + 250] @ xn.T
            out_i[s:s + 250] = numpy_topk(sc, k)[0]
        return out_i

    t_np, t_np_min, i_np = timeit(np_raw, args.repeat)
    raw = {"ours_s": t_ours, "numpy_s": t_np, "ours_min_s": t_ours_min, "numpy_min_s": t_np_min,
           "ours_gflops": flops / t_ours_min / 1e9, "ours_gbs": bytes_in / t_ours_min / 1e9,
           "numpy_gflops": flops / t_np_min / 1e9,
           "agreement_with_numpy": float((r_ours.index == i_np).mean())}
    try:
        import faiss

        def faiss_flat():
            ix = faiss.IndexFlatIP(d)
            ix.add(xn)
            return ix.search(qn, k)

        t_f, t_f_min, (fs, fi) = timeit(faiss_flat, args.repeat)
        ix = faiss.IndexFlatIP(d)
        ix.add(xn)
        t_fs, t_fs_min, _ = timeit(lambda: ix.search(qn, k), args.repeat)
        raw.update({"faiss_flat_s": t_f, "faiss_flat_min_s": t_f_min, "faiss_search_only_s": t_fs,
                    "faiss_search_only_min_s": t_fs_min,
                    "faiss_gflops": flops / t_fs_min / 1e9,
                    "agreement_with_faiss": float((r_ours.index == fi).mean())})
    except ImportError:
        faiss = None
    raw["fraction_of_sgemm_peak"] = raw["ours_gflops"] / peak
    res["raw_similarity_topk"] = raw

    # --- fused score: similarity + substitution knowledge + filters ----------------------
    tax = load_taxonomy()
    S = tax.substitution_matrix()
    ncls = len(tax)
    cq = (qlab % ncls).astype(np.int64)
    cx = (xlab % ncls).astype(np.int64)
    haz = rng.random(nq) < 0.1
    acc = rng.random(nx) < 0.3
    blk = rng.random(nx) < 0.05
    t_fu, t_fu_min, r_fu = timeit(lambda: top_k_compatible(
        q, x, k=k, supply_class=cq, demand_class=cx, substitution=S, w_similarity=0.6,
        supply_hazardous=haz, demand_accepts_hazardous=acc, demand_blocked=blk), args.repeat)

    def np_fused():
        out_i = np.empty((nq, k), np.int64)
        for s in range(0, nq, 250):
            sc = 0.6 * (qn[s:s + 250] @ xn.T) + 0.4 * S[cq[s:s + 250]][:, cx]
            bad = blk[None, :] | (haz[s:s + 250, None] & ~acc[None, :])
            sc[bad] = -np.inf
            out_i[s:s + 250] = numpy_topk(sc, k)[0]
        return out_i

    t_nf, t_nf_min, i_nf = timeit(np_fused, args.repeat)
    fused = {"ours_s": t_fu, "ours_min_s": t_fu_min, "numpy_s": t_nf, "numpy_min_s": t_nf_min,
             "speedup_vs_numpy": t_nf / t_fu, "ours_gflops": flops / t_fu_min / 1e9,
             "agreement_with_numpy": float((r_fu.index == i_nf).mean())}
    if faiss is not None:
        # FAISS cannot blend class knowledge inside the search: exact answer needs a full scan,
        # so the closest FAISS pipeline is a flat search for a shortlist + re-ranking.
        def faiss_rerank(short=100):
            ix = faiss.IndexFlatIP(d)
            ix.add(xn)
            sel = faiss.IDSelectorBatch(np.flatnonzero(~blk).astype(np.int64))
            sims, ids = ix.search(qn, short, params=faiss.SearchParameters(sel=sel))
            sc = 0.6 * sims + 0.4 * S[cq[:, None], cx[ids]]
            sc[haz[:, None] & ~acc[ids]] = -np.inf
            order = np.argsort(-sc, axis=1, kind="stable")[:, :k]
            return np.take_along_axis(ids, order, 1)

        t_fr, t_fr_min, i_fr = timeit(faiss_rerank, args.repeat)
        fused.update({"faiss_shortlist100_rerank_s": t_fr, "faiss_shortlist100_rerank_min_s": t_fr_min,
                      "speedup_vs_faiss_rerank": t_fr / t_fu,
                      "faiss_rerank_agreement_with_exact": float((i_fr == r_fu.index).mean())})
    res["fused_compat_topk"] = fused
    print(json.dumps({k2: res[k2] for k2 in ("peak", "raw_similarity_topk", "fused_compat_topk")}, indent=1))

    # --- approximate search recall ---------------------------------------------------------
    if not args.skip_ann and faiss is not None:
        from symbioflows.materials.index import MaterialIndex

        exact = top_k_compatible(q, x, k=k, w_similarity=1.0, w_substitution=0.0).index
        ann = {}
        for method in ("hnsw", "ivf"):
            t0 = time.perf_counter()
            mi = MaterialIndex(exact_threshold=1000, method=method, target_recall=0.95,
                               hnsw_m=32, ef_construction=80).add(x).build()
            t_build = time.perf_counter() - t0
            t_s, t_s_min, got = timeit(lambda mi=mi: mi.search(q, k), args.repeat)
            hits = sum(len(set(a_) & set(b_)) for a_, b_ in zip(got.rows.tolist(), exact.tolist()))
            ann[method] = {"build_s": t_build, "search_s": t_s, "search_min_s": t_s_min,
                           "tuned_param": mi._search_param, "tuning_recall": mi.recall_,
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

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(res, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
