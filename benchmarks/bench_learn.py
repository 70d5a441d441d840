"""Learning benchmarks: link prediction on MAESTRI (held-out cases) against baselines, GNN
CPU cost per 100k edges, and the federated vs centralised vs local-only gap.

Usage: ``PYTHONPATH=src python benchmarks/bench_learn.py [--quick]``; writes
``benchmarks/results/learn.json``. MAESTRI is read from ``../shared/data`` (never shipped);
without it the quality parts run on the synthetic network only.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from symbioflows.evaluate import (  # noqa: E402
    cross_validate_links,
    exchange_truth,
    find_data_dir,
    grouped_folds,
    load_maestri,
    rank_positives,
    summarize_ranks,
)
from symbioflows.learn import LinkPredictor, make_synthetic_network  # noqa: E402
from symbioflows.learn.baselines import (  # noqa: E402
    ClassSubstitutionScorer,
    CooccurrenceScorer,
    EmbeddingSimilarityScorer,
    GNNScorer,
    PairLogisticScorer,
    PopularityScorer,
    RandomScorer,
    SameDivisionScorer,
)
from symbioflows.learn.features import PairFeaturizer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "learn.json"


def quality(data: Any, groups: np.ndarray, test_mask: np.ndarray, encoder: str, quick: bool, seed: int,
            gnn_in: tuple[str, ...] = ("all", "group")) -> dict[str, Any]:
    feat = PairFeaturizer(text_encoder=encoder).fit(data)
    epochs = 40 if quick else 150
    models = {
        "random": lambda: RandomScorer(seed),
        "popularity (receiver sector)": PopularityScorer,
        "same NACE division (leak check)": SameDivisionScorer,
        "embedding similarity": EmbeddingSimilarityScorer,
        "class/sector co-occurrence": CooccurrenceScorer,
        "class substitution (taxonomy)": ClassSubstitutionScorer,
        "logistic regression (pair features)": lambda: PairLogisticScorer(rng=seed),
        "GNN (hetero GraphSAGE)": lambda: GNNScorer(text_encoder=encoder, hidden_dim=32, max_epochs=epochs,
                                                    use_exchange_edges=False, device="cpu", n_jobs=1, rng=seed),
    }
    if not quick:
        models["GNN + exchange edges"] = lambda: GNNScorer(text_encoder=encoder, hidden_dim=32, max_epochs=epochs,
                                                          use_exchange_edges=True, device="cpu", n_jobs=1, rng=seed)
    out: dict[str, Any] = {"encoder": feat.encoder_name_}
    for cand in ("all", "group"):
        use = {k: v for k, v in models.items() if cand in gnn_in or not k.startswith("GNN")}
        rep = cross_validate_links(data, data.exchanges if hasattr(data, "exchanges") else data["exchanges"],
                                   groups, use, n_folds=5, candidates=cand, test_mask=test_mask,
                                   featurizer=feat, rng=seed)
        out[cand] = rep.summary.round(4).to_dict(orient="records")
        out[f"fit_seconds_{cand}"] = {k: round(v, 2) for k, v in rep.fit_seconds.items()}
    return out


def gnn_cost(quick: bool, seed: int) -> dict[str, Any]:
    """CPU seconds per 100k edges: one training epoch (message passing over the exchange edges
    + supervision) and inference (scoring pairs)."""
    sizes = [(40, 30)] if quick else [(40, 30), (120, 30)]
    rows = []
    for parks, per in sizes:
        net = make_synthetic_network(n_parks=parks, companies_per_park=per, rng=seed)
        n_ex = len(net["exchanges"])
        n_struct = len(net["streams"])
        epochs = 10
        lp = LinkPredictor(hidden_dim=64, n_layers=2, max_epochs=epochs, val_fraction=0.0, text_encoder="hashing",
                           device="cpu", n_jobs=1, rng=seed)
        t0 = time.perf_counter()
        lp.fit(net)
        fit_s = time.perf_counter() - t0
        # edges per epoch: exchanges (both directions) + structural edges (both directions)
        edges = 2 * n_ex + 2 * (n_struct + int(sum(e.shape[1] for k, e in lp.graph_.edges.items() if k[1] == "is_a")))
        st = net["streams"]
        sup = st.loc[st.direction == "supply", "stream_id"].to_numpy()
        dem = st.loc[st.direction == "demand", "stream_id"].to_numpy()
        rng = np.random.default_rng(seed)
        n_pairs = 100_000 if not quick else 20_000
        pairs = np.column_stack([rng.choice(sup, n_pairs), rng.choice(dem, n_pairs)])
        lp._h_cache = None
        t0 = time.perf_counter()
        lp.predict(pairs)
        inf_s = time.perf_counter() - t0
        rows.append({
            "streams": n_struct, "exchanges": n_ex, "edges_per_epoch": edges, "epochs": epochs,
            "fit_s": round(fit_s, 3),
            "train_s_per_epoch_per_100k_edges": round(fit_s / epochs / edges * 1e5, 3),
            "inference_s_per_100k_pairs": round(inf_s / n_pairs * 1e5, 3),
        })
    return {"device": "cpu", "torch_threads": 1, "runs": rows,
            "gpu": "not measured: no GPU was available to this task"}


def federated_gap(data: Any, groups: np.ndarray, test_mask: np.ndarray, quick: bool, seed: int,
                  public_neg: int = 0, secagg: bool = False, secagg_shares: int = 13,
                  dp_noise: tuple[float, ...] = (1.0, 3.0, 8.0)) -> dict[str, Any]:
    from symbioflows.learn.federated import (
        make_park_clients,
        run_federated,
        train_centralised,
        train_local_only,
    )
    from symbioflows.learn.logistic import SGDLogistic

    ex = (data.exchanges if hasattr(data, "exchanges") else data["exchanges"]).reset_index(drop=True)
    feat = PairFeaturizer(text_encoder="hashing").fit(data)
    s_all, r_all, truth = exchange_truth(feat, ex)
    receivers = np.flatnonzero(~feat.is_supply_)
    comp = feat.company_
    rounds = 10 if quick else 30
    res: dict[str, list[pd.DataFrame]] = {}
    eps: dict[str, dict[str, float]] = {}
    secagg_cost: list[dict[str, Any]] = []

    def add(name: str, model: SGDLogistic, pos: np.ndarray, grp: dict[int, Any]) -> None:
        rk = rank_positives(lambda s, r: model.decision_function(feat.transform_index(s, r)), pos,
                            lambda s: receivers[comp[receivers] != comp[s]], truth)
        rk["group"] = [grp[s] for s in rk["s"].tolist()]
        res.setdefault(name, []).append(rk)

    folds = grouped_folds(groups, 5, rng=seed)
    for test in folds[: 2 if quick else 5]:
        train_ex = ex[~test]
        clients = make_park_clients(data, train_ex, groups[~test], rng=seed, public_negatives=public_neg)
        tq = test & test_mask
        pos = np.vstack([s_all[tq], r_all[tq]])
        grp = {s: g for s, g in zip(s_all[tq].tolist(), groups[tq].tolist())}
        add("centralised", train_centralised(clients, epochs=rounds, rng=seed), pos, grp)
        plain = run_federated(clients, strategy="fedavg", n_rounds=rounds, local_epochs=1, rng=seed)
        add("fedavg", plain.model(), pos, grp)
        fr = run_federated(clients, strategy="fedprox", n_rounds=rounds, local_epochs=1, rng=seed)
        add("fedprox", fr.model(), pos, grp)
        if secagg:
            t0, c0 = time.perf_counter(), time.process_time()
            fr = run_federated(clients, strategy="fedavg", n_rounds=rounds, local_epochs=1, rng=seed,
                               secure_aggregation=True, secagg_num_shares=secagg_shares)
            secagg_cost.append({"num_shares": secagg_shares, "wall_s": round(time.perf_counter() - t0, 1),
                                "driver_cpu_s": round(time.process_time() - c0, 1),
                                "load_avg_1min": round(os.getloadavg()[0], 2), "clients": len(clients),
                                "max_abs_coef_fedavg": round(float(np.abs(plain.coef).max()), 4),
                                "max_abs_diff_vs_fedavg": float(np.abs(fr.coef - plain.coef).max())})
            add("fedavg + SecAgg+", fr.model(), pos, grp)
        # central DP (unweighted mean of clipped updates, every client every round): the
        # noise multiplier sets epsilon; clip 0.5 as before
        for z in dp_noise:
            fr = run_federated(clients, strategy="fedavg", n_rounds=rounds, noise_multiplier=z, clipping_norm=0.5,
                               rng=seed)
            add(f"fedavg + DP (z={z:g}, C=0.5)", fr.model(), pos, grp)
            eps[f"z={z:g}"] = {"epsilon": fr.privacy["epsilon"], "epsilon_rdp_bound": fr.privacy["epsilon_rdp_bound"],
                               "noise_std_per_round": z * 0.5 / len(clients)}
        local = train_local_only(clients, epochs=rounds, rng=seed)
        # local-only: every client's own model on the same held-out edges; report the mean client
        per_client = []
        for cid, m in local.items():
            rk = rank_positives(lambda s, r, m=m: m.decision_function(feat.transform_index(s, r)), pos,
                                lambda s: receivers[comp[receivers] != comp[s]], truth)
            per_client.append(rk.assign(client=cid))
        allc = pd.concat(per_client)
        allc["group"] = [grp[s] for s in allc["s"].tolist()]
        res.setdefault("_local_clients", []).append(allc)
    out: dict[str, Any] = {
        "public_negatives": public_neg, "rounds": rounds, "n_clients_last_fold": len(clients),
        "dp": {"delta": 1e-5, "clipping_norm": 0.5, "accountant": "exact Gaussian DP composition (mu = sqrt(T)/z)",
               "sampling": "every client every round, no amplification", "adjacency": "add/remove one client",
               "by_noise_multiplier": eps},
        "secagg_runs": secagg_cost,
    }
    for name, parts in res.items():
        d = pd.concat(parts, ignore_index=True)
        if name == "_local_clients":
            # local-only: each client's own model on the same held-out edges; mean and best client
            per = [summarize_ranks(g.drop(columns="client"), n_boot=0, rng=seed) for _, g in d.groupby("client")]
            for key in ("auc", "hits@10"):
                vals = np.array([p[key] for p in per])
                out.setdefault("local-only (each client alone)", {})[f"mean_client_{key}"] = round(float(vals.mean()), 4)
                out["local-only (each client alone)"][f"best_client_{key}"] = round(float(vals.max()), 4)
            out["local-only (each client alone)"]["n_client_models"] = len(per)
            continue
        s = summarize_ranks(d, rng=seed)
        out[name] = {k: round(v, 4) for k, v in s.items()}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--encoder", default="auto", help="text encoder: auto (sentence model), hashing")
    ap.add_argument("--skip", default="", help="comma list of parts to skip: quality,cost,federated")
    ap.add_argument("--gnn-in", default="all,group",
                    help="candidate settings in which the GNNs run (e.g. 'all'; the planned queries "
                         "follow 'all'); the GNN is the slow part on 2 cores")
    ap.add_argument("--no-secagg", action="store_true",
                    help="skip the SecAgg+ rows (Flower's simulation engine, ~2 min a fold on 2 cores)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    skip = set(filter(None, args.skip.split(",")))
    results: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "quick": args.quick, "seed": args.seed, "load_avg_before": list(os.getloadavg()),
    }
    path = find_data_dir()  # the one MAESTRI finder ($SYMBIOFLOWS_DATA_DIR, shared/data)
    if path is not None:
        data = load_maestri(path)
        groups = data.exchanges["case"].to_numpy()
        impl = (data.exchanges["maestri_status"] == "Implemented").to_numpy()
        source = "MAESTRI (43 cases, implemented exchanges as queries)"
    else:
        net = make_synthetic_network(n_parks=12, companies_per_park=12, rng=args.seed)
        data, groups = net, net["exchanges"]["park"].to_numpy()
        impl = np.ones(len(groups), dtype=bool)
        source = "synthetic network (MAESTRI not found)"
    results["data"] = source
    if "quality" not in skip:
        t = time.perf_counter()
        gnn_in = tuple(filter(None, args.gnn_in.split(",")))
        results["quality"] = quality(data, groups, impl, args.encoder, args.quick, args.seed, gnn_in=gnn_in)
        if path is not None and not args.quick:
            planned = ~impl
            results["quality_planned"] = quality(data, groups, planned, args.encoder, True, args.seed,
                                                 gnn_in=gnn_in)["all"]
        print(f"quality done in {time.perf_counter() - t:.0f} s")
    if "cost" not in skip:
        results["gnn_cost"] = gnn_cost(args.quick, args.seed)
        print("cost", json.dumps(results["gnn_cost"]["runs"]))
    if "federated" not in skip:
        results["federated"] = federated_gap(data, groups, impl, args.quick, args.seed)
        print("federated", json.dumps(results["federated"]))
        # SecAgg+ (Flower's simulation engine, ~5 s a round with 33-35 clients on 2 cores) only
        # here: 13 neighbours per client (2 log2(n) + 1, the SecAgg+ regime of a log-size graph)
        results["federated_public_negatives"] = federated_gap(data, groups, impl, args.quick, args.seed,
                                                              public_neg=100, secagg=not args.no_secagg)
        print("federated_public_negatives", json.dumps(results["federated_public_negatives"]))
    results["load_avg_after"] = list(os.getloadavg())
    OUT.parent.mkdir(parents=True, exist_ok=True)
    prev = json.loads(OUT.read_text()) if OUT.exists() else {}
    prev.update(results)
    OUT.write_text(json.dumps(prev, indent=2, default=float))
    if "quality" in results:
        for cand in ("all", "group"):
            print(f"--- candidates: {cand}")
            print(pd.DataFrame(results["quality"][cand]).to_string(index=False))


if __name__ == "__main__":
    main()
