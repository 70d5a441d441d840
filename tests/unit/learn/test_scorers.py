"""Pair features, baselines, ranking evaluation, MAESTRI adapter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from symbioflows.errors import InvalidInputError, UnknownNodeError
from symbioflows.evaluate import (
    cross_validate_links,
    grouped_folds,
    rank_positives,
    summarize_ranks,
)
from symbioflows.learn.baselines import (
    CooccurrenceScorer,
    EmbeddingSimilarityScorer,
    PairLogisticScorer,
    PopularityScorer,
    RandomScorer,
)
from symbioflows.learn.features import PairFeaturizer
from symbioflows.learn.graph import ewc_chapter, nace_division
from symbioflows.learn.logistic import SGDLogistic

# ``../shared/data`` next to the repository root (worktrees sit one level deeper, so look in
# every ancestor); absent -> the MAESTRI test is skipped
MAESTRI = next(
    (a / "shared" / "data" / "maestri_exchanges.csv" for a in Path(__file__).resolve().parents
     if (a / "shared" / "data" / "maestri_exchanges.csv").is_file()),
    Path("/nonexistent/maestri_exchanges.csv"),
)


def test_code_parsers():
    assert nace_division("24.10") == 24 and nace_division("2410") == 24 and nace_division(111) == 1
    assert nace_division(None) == -1 and nace_division("x") == -1
    assert ewc_chapter("10 02 02") == 10 and ewc_chapter("17 05 03*") == 17
    assert ewc_chapter("20125") == 2 and ewc_chapter(None) == 0 and ewc_chapter("99 99 99") == 0


def test_featurizer_shapes_and_values(net):
    f = PairFeaturizer(text_encoder="hashing").fit(net)
    ex = net["exchanges"]
    x = f.transform(ex["supplier_stream_id"], ex["receiver_stream_id"])
    assert x.shape == (len(ex), f.n_features) == (len(ex), len(f.feature_names))
    assert np.isfinite(x).all()
    assert (x[:, 0] <= 1 + 1e-6).all() and (x[:, 0] >= -1 - 1e-6).all()
    assert (x[:, 4] == 1).all()  # synthetic companies all have coordinates
    assert f.transform([], []).shape == (0, f.n_features)
    with pytest.raises(UnknownNodeError):
        f.transform(["nope"], ["S1"])


def test_sgd_logistic_learns_and_prox_pulls_to_center():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] - x[:, 1] > 0).astype(float)
    m = SGDLogistic(epochs=20, rng=0).partial_fit(x, y)
    assert ((m.predict_proba(x) > 0.5) == y).mean() > 0.9
    center = (np.zeros(3), 0.0)
    p = SGDLogistic(epochs=20, rng=0).partial_fit(x, y, prox_center=center, mu=5.0)
    assert np.linalg.norm(p.coef_) < np.linalg.norm(m.coef_)
    with pytest.raises(InvalidInputError):
        m.partial_fit(x, y * 2)
    with pytest.raises(InvalidInputError):
        m.partial_fit(x[:, :2], y)


def test_grouped_folds_keep_groups_apart():
    g = np.repeat(np.arange(10), np.arange(1, 11))
    masks = grouped_folds(g, 3, rng=0)
    assert sum(m.sum() for m in masks) == g.size
    for m in masks:
        assert not (set(g[m]) & set(g[~m]))
    with pytest.raises(InvalidInputError):
        grouped_folds(g, 11)


def test_rank_positives_filters_other_truths():
    # scores = receiver index; candidates 0..4; truth of query 9 = {4, 3}
    pos = np.array([[9], [3]])
    rk = rank_positives(lambda s, r: r.astype(float), pos, lambda s: np.arange(5), {9: {3, 4}})
    assert rk["rank"].tolist() == [1.0]  # 4 is another true receiver: filtered, not a negative
    assert rk["auc"].tolist() == [1.0]
    s = summarize_ranks(rk.assign(group="a"), n_boot=10)
    assert s["hits@1"] == 1.0 and s["mrr"] == 1.0


def test_cross_validation_on_synthetic(net):
    ex = net["exchanges"]
    models = {
        "random": lambda: RandomScorer(0),
        "popularity": PopularityScorer,
        "embedding": EmbeddingSimilarityScorer,
        "cooc": CooccurrenceScorer,
        "logreg": lambda: PairLogisticScorer(rng=0),
    }
    rep = cross_validate_links(net, ex, ex["park"], models, n_folds=2, rng=0)
    s = rep.summary.set_index("model")
    assert set(s.index) == set(models)
    assert (s["n"] == s["n"].iloc[0]).all()  # the same positives for every model
    # every test positive was ranked once per model; folds never share a park
    for _, d in rep.per_query.groupby("model"):
        folds = d.groupby("group")["fold"].nunique()
        assert (folds == 1).all()
    assert s.loc["logreg", "auc"] > s.loc["random", "auc"]
    with pytest.raises(InvalidInputError):
        cross_validate_links(net, ex, ex["park"], models, candidates="nearby")


@pytest.mark.skipif(not MAESTRI.exists(), reason="MAESTRI data not present in ../shared/data")
def test_maestri_adapter():
    from symbioflows.evaluate import load_maestri

    m = load_maestri(MAESTRI)
    assert len(m.exchanges) == 425 and m.exchanges["case"].nunique() == 43
    st = m.streams.set_index("stream_id")
    demand = st[st["direction"] == "demand"]
    # the receiver side carries only its business text: never the final use or material
    raw = pd.read_csv(MAESTRI, dtype=str)
    finals = set(raw["final_use"].dropna().str.lower())
    assert not (set(demand["material"].str.lower()) & finals - set(raw["receiver_business"].dropna().str.lower()))
    assert demand["ewc_code"].isna().all()
    assert set(m.exchanges["status"]) <= {"active", "proposed"}
    assert (m.exchanges["maestri_status"] == "Implemented").sum() == 281
    codes = st["ewc_code"].dropna()
    assert codes.str.match(r"^\d\d \d\d \d\d\*?$").all()
    assert m.companies["sector"].dropna().str.match(r"^\d\d\.\d\d$").all()


def test_sector_nodes_connect_parks():
    """With sector_nodes, streams of two parks whose companies share a NACE division meet at one
    class node described by the division's title; without, no sector node exists."""
    from symbioflows.learn import build_graph
    from symbioflows.learn._embed import make_text_encoder
    from symbioflows.learn._tables import as_tables

    comp = pd.DataFrame({"company_id": ["a", "b", "c"], "sector": ["24.10", "24.20", "23.51"]})
    st = pd.DataFrame({"stream_id": ["s1", "s2", "d1"], "company_id": ["a", "b", "c"],
                       "direction": ["supply", "supply", "demand"],
                       "material": ["slag", "mill scale", "cement plant"]})
    tables = as_tables({"companies": comp, "streams": st})
    enc = make_text_encoder("hashing", dim=16)
    plain = build_graph(tables, enc)
    assert not any("NACE" in str(k) for k in plain.node_ids["class"])
    g = build_graph(tables, enc, sector_nodes=True)
    ids = g.node_ids["class"].tolist()
    isa = g.edges[("stream", "is_a", "class")]
    k24 = ids.index("NACE division 24")
    assert sorted(isa[0][isa[1] == k24].tolist()) == [0, 1]
    assert isa[0][isa[1] == ids.index("NACE division 23")].tolist() == [2]
