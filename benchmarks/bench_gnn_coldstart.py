"""Does the GNN earn its place on parks it has never seen? (issue 19, item 2)

On the fixed MAESTRI graph (every undisclosed organisation its own node), five folds grouped by
case, queries = the implemented exchanges of the held-out cases, candidates = every demand
stream of another company (the link-prediction protocol of ``symbioflows.evaluate``), compare:

- the logistic regression on pair features and the materials taxonomy (the baselines to beat),
  and the same-NACE-division score (the leak check);
- the GNN as it ships (no exchange edges: a new park has none);
- the GNN with the cold-start devices of the field: both sides described by text (supply: waste
  description; demand: the receiver's business), sector nodes shared across parks besides the
  material-class nodes (``sector_nodes=True``), negatives drawn from every demand stream as the
  evaluation draws them;
- the logistic regression with the GNN's score as one more feature, the GNN scores of the
  training pairs taken out of fold (GNNs fitted on the other training parks), so the logistic
  model does not learn to trust a score the GNN fitted on the same edges.

Paired bootstrap by case of hits@10 and MRR against the logistic model.  Writes
``benchmarks/results/learn_gnn.json``.  ``PYTHONPATH=src python benchmarks/bench_gnn_coldstart.py``
(about 15-25 min on 2 busy cores with the sentence encoder; ``--encoder hashing`` is faster).
"""

from __future__ import annotations

import argparse
import json
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
    find_data_dir,
    grouped_folds,
    load_maestri,
)
from symbioflows.learn.baselines import (  # noqa: E402
    ClassSubstitutionScorer,
    GNNScorer,
    PairLogisticScorer,
    SameDivisionScorer,
)
from symbioflows.learn.features import PairFeaturizer  # noqa: E402
from symbioflows.learn.split import edge_set, sample_negatives  # noqa: E402

OUT = Path(__file__).resolve().parent / "results" / "learn_gnn.json"


class CachedEncoder:
    """The featurizer's text encoder with a memo, so each GNN fit does not re-embed."""

    def __init__(self, enc: Any) -> None:
        self.enc = enc
        self.name = getattr(enc, "name", "cached")
        self.memo: dict[str, np.ndarray] = {}

    def __call__(self, texts: Any) -> np.ndarray:
        texts = [str(t) for t in texts]
        miss = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if miss:
            for t, v in zip(miss, np.asarray(self.enc(miss), dtype=np.float32)):
                self.memo[t] = v
        if not texts:
            return np.asarray(self.enc([]), dtype=np.float32)
        return np.stack([self.memo[t] for t in texts])


class LogisticWithGNN:
    """Logistic regression on the pair features plus an out-of-fold GNN score."""

    name = "logistic + GNN score (out of fold)"

    def __init__(self, gnn_params: dict[str, Any], case_of_stream: np.ndarray, *, inner: int = 3,
                 neg_ratio: int = 5, rng: int = 0) -> None:
        self.gnn_params = gnn_params
        self.case_of_stream = case_of_stream
        self.inner = inner
        self.neg_ratio = neg_ratio
        self.rng = rng

    def fit(self, feat: PairFeaturizer, positives: np.ndarray) -> LogisticWithGNN:
        from sklearn.linear_model import LogisticRegression

        gen = np.random.default_rng(self.rng)
        self.feat_ = feat
        cand = np.unique(positives[1])
        neg = sample_negatives(positives, cand, n_per_positive=self.neg_ratio,
                               known=edge_set(positives), rng=gen)
        pairs = np.hstack([positives, neg])
        y = np.r_[np.ones(positives.shape[1]), np.zeros(neg.shape[1])]
        groups = self.case_of_stream[pairs[0]]
        oof = np.zeros(pairs.shape[1])
        pos_groups = self.case_of_stream[positives[0]]
        for test in grouped_folds(pos_groups, self.inner, rng=self.rng):
            held = set(pos_groups[test].tolist())
            gnn = GNNScorer(**self.gnn_params).fit(feat, positives[:, ~test])
            rows = np.array([g in held for g in groups.tolist()])
            oof[rows] = gnn.score_index(pairs[0, rows], pairs[1, rows])
        self.gnn_ = GNNScorer(**self.gnn_params).fit(feat, positives)
        x = np.column_stack([feat.transform_index(pairs[0], pairs[1]), oof])
        self.model_ = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
        self.gnn_coef_ = float(self.model_.coef_[0, -1])
        return self

    def score_index(self, s: np.ndarray, r: np.ndarray) -> np.ndarray:
        x = np.column_stack([self.feat_.transform_index(s, r), self.gnn_.score_index(s, r)])
        return self.model_.decision_function(x).astype(np.float64)


def paired(ranks: pd.DataFrame, a: str, b: str, n_boot: int = 2000, seed: int = 0) -> dict[str, float]:
    """Paired bootstrap by case of hits@10 and MRR differences (a - b)."""
    ra = ranks[ranks["model"] == a].sort_values(["fold", "s", "r"]).reset_index(drop=True)
    rb = ranks[ranks["model"] == b].sort_values(["fold", "s", "r"]).reset_index(drop=True)
    d = pd.DataFrame({"group": ra["group"],
                      "h": (ra["rank"] <= 10).astype(float) - (rb["rank"] <= 10).astype(float),
                      "rr": 1.0 / ra["rank"] - 1.0 / rb["rank"]})
    per = d.groupby("group").agg(h=("h", "sum"), rr=("rr", "sum"), n=("h", "size"))
    gen = np.random.default_rng(seed)
    idx = gen.integers(0, len(per), size=(n_boot, len(per)))
    out: dict[str, float] = {}
    for m in ("h", "rr"):
        v, n = per[m].to_numpy(), per["n"].to_numpy(dtype=float)
        boot = v[idx].sum(1) / n[idx].sum(1)
        name = "hits@10" if m == "h" else "mrr"
        out[f"{name}_diff"] = round(float(v.sum() / n.sum()), 4)
        out[f"{name}_diff_lo"] = round(float(np.percentile(boot, 2.5)), 4)
        out[f"{name}_diff_hi"] = round(float(np.percentile(boot, 97.5)), 4)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--encoder", default="auto", help="auto (sentence model) or hashing")
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--group-only", action="store_true",
                    help="only the same-case setting with exchange edges (added to the results "
                         "file): does the GNN's exchange-edge lift survive when every candidate "
                         "is a receiver of the held-out park?")
    args = ap.parse_args()
    load0 = list(os.getloadavg())
    d = find_data_dir()
    if d is None:
        raise SystemExit("MAESTRI data not found (../shared/data)")
    m = load_maestri(d)
    ex = m.exchanges
    groups = ex["case"].to_numpy()
    impl = (ex["maestri_status"] == "Implemented").to_numpy()
    feat = PairFeaturizer(text_encoder=args.encoder).fit(m)
    enc = CachedEncoder(feat.encoder_)
    case_of_company = dict(zip(m.companies["company_id"], m.companies["case"]))
    case_of_stream = np.array([case_of_company[c] for c in feat.company_], dtype=object)
    gnn = dict(text_encoder=enc, hidden_dim=32, max_epochs=args.epochs, patience=20,
               use_exchange_edges=False, device="cpu", n_jobs=1, rng=args.seed)
    models = {
        "same NACE division (leak check)": SameDivisionScorer,
        "class substitution (taxonomy)": ClassSubstitutionScorer,
        "logistic regression (pair features)": lambda: PairLogisticScorer(rng=args.seed),
        "GNN (as shipped: no exchange edges)": lambda: GNNScorer(**gnn),
        "GNN + sector nodes (cold start)": lambda: GNNScorer(**gnn, sector_nodes=True),
        "logistic + GNN score (out of fold)": lambda: LogisticWithGNN(
            {**gnn, "sector_nodes": True}, case_of_stream, rng=args.seed),
    }
    if args.group_only:
        gmodels = {
            "class substitution (taxonomy)": ClassSubstitutionScorer,
            "logistic regression (pair features)": lambda: PairLogisticScorer(rng=args.seed),
            "GNN (as shipped: no exchange edges)": lambda: GNNScorer(**gnn),
            "GNN + exchange edges": lambda: GNNScorer(**{**gnn, "use_exchange_edges": True}),
        }
        t0 = time.perf_counter()
        grep_ = cross_validate_links(m, ex, groups, gmodels, n_folds=5, candidates="group",
                                     test_mask=impl, featurizer=feat, rng=args.seed)
        prev = json.loads(OUT.read_text())
        prev["group"] = {
            "load_avg_before": load0, "load_avg_after": list(os.getloadavg()),
            "wall_s": round(time.perf_counter() - t0, 1),
            "summary": grep_.summary.round(4).to_dict(orient="records"),
            "paired_vs_logistic": {n: paired(grep_.per_query, n, "logistic regression (pair features)",
                                             seed=args.seed)
                                   for n in gmodels if not n.startswith("logistic")},
        }
        OUT.write_text(json.dumps(prev, indent=1, default=float) + "\n")
        print(grep_.summary.round(3).to_string(index=False))  # noqa: T201
        return
    t0 = time.perf_counter()
    rep = cross_validate_links(m, ex, groups, models, n_folds=5, candidates="all",
                               test_mask=impl, featurizer=feat, rng=args.seed)
    wall = time.perf_counter() - t0
    base = "logistic regression (pair features)"
    diffs = {name: paired(rep.per_query, name, base, seed=args.seed)
             for name in models if name != base}
    load1 = list(os.getloadavg())
    out = {
        "what": "link prediction on held-out MAESTRI cases (fixed graph), GNN variants vs logistic",
        "data": "MAESTRI, 425 exchanges, 43 cases; queries = implemented exchanges of held-out cases",
        "encoder": feat.encoder_name_, "epochs": args.epochs, "seed": args.seed,
        "n_receivers": int((~feat.is_supply_).sum()),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "load_avg_before": load0, "load_avg_after": load1, "wall_s": round(wall, 1),
        "fit_seconds": {k: round(v, 1) for k, v in rep.fit_seconds.items()},
        "summary": rep.summary.round(4).to_dict(orient="records"),
        "paired_vs_logistic": diffs,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=1, default=float) + "\n")
    print(rep.summary.round(3).to_string(index=False))  # noqa: T201
    print(json.dumps(diffs, indent=1))  # noqa: T201


if __name__ == "__main__":
    main()
