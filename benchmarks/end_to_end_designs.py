"""Pair-score features tried for the end-to-end protocol and not kept (issue 16, docs/benchmarks.md).

The park-alone MAESTRI candidates of :func:`symbioflows.evaluate.end_to_end.evaluate_end_to_end`
(``keep_tables=True``: out-of-fold ``sector_fit``) get extra columns, and a conditional logit
(:func:`symbioflows.matching.pair_model.conditional_logit`, standardised columns, L2 1) is fitted
on the training parks of each of the protocol's folds and scored on its test parks:

* ``need_fit``: the material fit of the supply's top class to the demand's written need alone
  (its group key without the sector guess);
* ``prior``: log lift of the receiver's NACE division given the supply's top class, counted on
  the documented exchanges of the training parks (for a training row, of its other training
  parks), smoothed towards the division's popularity;
* ``text_sim``: cosine of the supply text with the receiver's business text (sentence model,
  hashing when the model is not installed);
* ``analog``: the closest documented exchange of the training parks (for a training row, of its
  other training parks): the largest product, over those exchanges, of the cosine of the two
  supply texts and the cosine of the two receiver texts (each clipped at 0), i.e. "has a waste
  like this one gone to a business like this one before";
* ``analog_cls``: the same with the supply side an exact match of the inferred class (the
  largest receiver-text cosine among the training exchanges of the supply's class).

Ranks put ties at their middle; a documented receiver that is not a candidate counts as missed.
Classes come from ``plan()`` on each park's region (the protocol's seeds).

Run: ``PYTHONPATH=src python benchmarks/end_to_end_designs.py`` (about 2 minutes); writes
``benchmarks/results/end_to_end_designs.json``.
"""

from __future__ import annotations

import json
import logging
import math
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from symbioflows.evaluate import end_to_end as e2e
from symbioflows.evaluate import load_maestri
from symbioflows.matching.pair_model import conditional_logit
from symbioflows.matching.text import embed_texts
from symbioflows.materials.infer import GroupFits

OUT = Path(__file__).resolve().parent / "results" / "end_to_end_designs.json"
DESIGNS = {
    "material_fit + sector_fit": [],
    "+ need_fit": ["need_fit"],
    "+ prior": ["prior"],
    "+ need_fit + prior": ["need_fit", "prior"],
    "+ text_sim": ["text_sim"],
    "+ analog": ["analog"],
    "+ analog + text_sim": ["analog", "text_sim"],
    "+ analog_cls": ["analog_cls"],
}
_EMB: dict[str, np.ndarray] = {}


def middle_ranks(z: np.ndarray, pos: np.ndarray) -> list[float]:
    """Rank of each positive row among the scores ``z`` of its choice set, ties at their
    middle rank."""
    return [float((z > t + 1e-12).sum() + 1 + ((np.abs(z - t) <= 1e-12).sum() - 1) / 2)
            for t in z[pos]]


def rank_metrics(ranks: list[float], n_flows: int) -> dict[str, Any]:
    """recall@1, recall@3 and MRR over ``n_flows`` documented exchanges (an exchange without a
    rank, its receiver not a candidate, counts as missed), and how many were ranked."""
    r = np.array(ranks, float)
    return {"recall_at_1": float((r <= 1).sum() / n_flows),
            "recall_at_3": float((r <= 3).sum() / n_flows),
            "mrr": float((1.0 / r).sum() / n_flows), "n_ranked": int(r.size)}


def _prior(rows: pd.DataFrame) -> Any:
    pos = rows[rows["label"] == 1]
    n = Counter(zip(pos["s_cls"], pos["div"]))
    nc, pop, total = Counter(pos["s_cls"]), Counter(pos["div"]), len(pos)

    def f(c: str, d: str) -> float:
        p = (pop[d] + 1) / (total + 50)
        return math.log((n[(c, d)] + 2.0 * p) / (nc[c] + 2.0)) - math.log(p)

    return f


def _prior_col(lib: pd.DataFrame, rows: pd.DataFrame) -> np.ndarray:
    """Per row: the prior of its (supply class, receiver division), counted on ``lib``."""
    f = _prior(lib)
    return np.array([f(c, d) for c, d in zip(rows["s_cls"], rows["div"])], dtype=float)


def _analog(lib: pd.DataFrame, rows: pd.DataFrame) -> np.ndarray:
    """Per row: max over the documented exchanges of ``lib`` of supply-text cosine x
    receiver-text cosine (both clipped at 0)."""
    pos = lib[lib["label"] == 1]
    if pos.empty:
        return np.zeros(len(rows))
    a = np.stack([_EMB[x] for x in rows["s_text"]]) @ np.stack([_EMB[x] for x in pos["s_text"]]).T
    b = np.stack([_EMB[x] for x in rows["d_text"]]) @ np.stack([_EMB[x] for x in pos["d_text"]]).T
    return (np.clip(a, 0, None) * np.clip(b, 0, None)).max(axis=1)


def _analog_cls(lib: pd.DataFrame, rows: pd.DataFrame) -> np.ndarray:
    """Per row: the largest receiver-text cosine (clipped at 0) among the documented exchanges
    of ``lib`` whose supply has the row's inferred class."""
    pos = lib[lib["label"] == 1]
    if pos.empty:
        return np.zeros(len(rows))
    same = rows["s_cls"].to_numpy()[:, None] == pos["s_cls"].to_numpy()[None, :]
    b = np.stack([_EMB[x] for x in rows["d_text"]]) @ np.stack([_EMB[x] for x in pos["d_text"]]).T
    return np.where(same, np.clip(b, 0, None), 0.0).max(axis=1)


def _table(data: Any) -> tuple[pd.DataFrame, list[list[str]], int]:
    res = e2e.evaluate_end_to_end(data, distractors=(0,), keep_tables=True, n_boot=10)
    t = res["tables"]["0_park_alone"].copy()
    t["park"] = t["park"].astype(str)
    info = []
    for park in sorted(t["park"].unique()):
        rg = e2e.build_region(data, park, rng=(0, e2e._park_num(park)))
        s = e2e.plan_region(rg).streams
        info.append(s.assign(park=park)[["park", "stream_id", "material_class", "group_key",
                                        "material", "sector"]])
    st = pd.concat(info, ignore_index=True).rename(columns={"stream_id": "id"})
    sup = st.rename(columns={"id": "supply", "material_class": "s_cls", "material": "s_text"})
    dem = st.rename(columns={"id": "demand", "group_key": "d_key", "material": "d_text",
                             "sector": "d_sector"})
    t = t.merge(sup[["park", "supply", "s_cls", "s_text"]], on=["park", "supply"]).merge(
        dem[["park", "demand", "d_key", "d_text", "d_sector"]], on=["park", "demand"])
    t = t[t["s_cls"].notna() & t["d_key"].notna()].reset_index(drop=True)
    n_flows = int(sum(len(e2e.build_region(data, p).exchanges) for p in e2e.maestri_parks(data)))
    return t, res["folds"], n_flows


def main() -> int:
    logging.disable(logging.WARNING)
    data = load_maestri()
    t, folds, n_flows = _table(data)
    t["div"] = t["d_sector"].fillna("").astype(str).str[:2]
    keys = sorted(set(t["d_key"].astype(str)) | {k.split("|sector=")[0] for k in t["d_key"]}
                  | set("class:" + t["s_cls"].astype(str)))
    ix = {k: i for i, k in enumerate(keys)}
    gf = GroupFits(keys, 0.25)
    t["need_fit"] = gf.pair_fit(np.array([ix["class:" + c] for c in t["s_cls"]]),
                                np.array([ix[k.split("|sector=")[0]] for k in t["d_key"]]))
    texts = sorted(set(t["s_text"].astype(str)) | set(t["d_text"].astype(str)))
    emb, _ = embed_texts(texts, backend="auto")
    e = np.asarray(emb, np.float64)
    pos = {x: i for i, x in enumerate(texts)}
    t["text_sim"] = np.einsum("ij,ij->i", e[[pos[x] for x in t["s_text"]]],
                              e[[pos[x] for x in t["d_text"]]])
    _EMB.update({x: e[pos[x]] for x in texts})
    t["g"] = pd.factorize(t["park"] + "|" + t["supply"])[0]
    out: dict[str, Any] = {"benchmark": "end_to_end_designs", "protocol": __doc__,
                           "n_documented": n_flows, "rows": []}
    for name, extra in DESIGNS.items():
        feats = ["material_fit", "sector_fit", *extra]
        ranks = []
        for test in folds:
            tr = t[~t["park"].isin(test)].copy()
            te = t[t["park"].isin(test)].copy()
            # a training row's column comes from its other training parks (leave its park out)
            for col, fn in (("prior", _prior_col), ("analog", _analog),
                            ("analog_cls", _analog_cls)):
                if col not in extra:
                    continue
                vals = np.zeros(len(tr))
                for p in tr["park"].unique():
                    m = (tr["park"] == p).to_numpy()
                    vals[m] = fn(tr[~m], tr[m])
                tr[col], te[col] = vals, fn(tr, te)
            tr = tr[tr.groupby("g")["label"].transform("max") > 0]
            x = tr[feats].to_numpy(float)
            scale = np.maximum(x.std(axis=0), 1e-9)
            w = conditional_logit(x / scale, np.zeros(len(tr)), tr["g"].to_numpy(),
                                  tr["label"].to_numpy(float), l2=1.0) / scale
            te["z"] = te[feats].to_numpy(float) @ w
            for _, c in te.groupby("g"):
                ranks.extend(middle_ranks(c["z"].to_numpy(), c["label"].to_numpy() == 1))
        row = {"design": name, **rank_metrics(ranks, n_flows)}
        out["rows"].append(row)
        print(row)  # noqa: T201
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
