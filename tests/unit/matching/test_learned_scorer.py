"""The learned receiver scorer: taxonomy features, nested model selection, paired differences
and the no-leakage guarantees of the MAESTRI protocol."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sf_test_helpers import MAESTRI_DATA as DATA
from sf_test_helpers import needs_maestri as needs_data
from symbioflows.errors import InvalidInputError
from symbioflows.evaluate import paired_differences
from symbioflows.matching.learned import (
    FEATURES,
    PRETRAINED_DIR,
    TAXONOMY_FEATURES,
    Candidate,
    Query,
    ReceiverScorer,
    SectorStatistics,
    pair_features,
    predict_material_classes,
)
from symbioflows.matching.text import normalize_nace

ASH = Query("Fly ash from the coal boiler", "100102", "3511", "Power plant")
SLAG = Query("Blast furnace slag", "100202", "2410", "Steel works")
SPENT = Query("Spent grain from brewing", None, "1105", "Brewery")
POOL = [Candidate("Manufacture of cement", "2351"), Candidate("Growing of cereals", "0111"),
        Candidate("Production of electricity", "3511"),
        Candidate("Raising of dairy cattle", "0141")]


def _col(name: str) -> int:
    return FEATURES.index(name)


def test_material_classes_are_predicted_and_cached():
    out = predict_material_classes(["fly ash from a coal boiler", "", "fly ash from a coal boiler"])
    assert out[0][0][0] == "coal_fly_ash" and out[1] == () and out[0] == out[2]
    assert 0 < out[0][0][1] <= 1 and len(out[0]) == 3


def test_taxonomy_features_follow_used_by_nace():
    mats = predict_material_classes([ASH.text])
    x = pair_features([ASH], POOL, SectorStatistics(), materials=mats,
                      needed=frozenset(TAXONOMY_FEATURES) | {"same_class"})
    assert x[0, 0, _col("taxonomy_use")] > 0.5  # cement works use fly ash
    assert x[0, 1, _col("taxonomy_use")] < 0.05  # only a runner-up class (biomass ash)
    assert x[0, 0, _col("taxonomy_ewc")] == 1.0 and x[0, 1, _col("taxonomy_ewc")] == 0.0
    assert x[0, 2, _col("same_class")] == 1.0 and x[0, 0, _col("same_class")] == 0.0
    # only the requested features are computed
    others = [k for k, f in enumerate(FEATURES)
              if f not in set(TAXONOMY_FEATURES) | {"same_class"}]
    assert not x[:, :, others].any()
    # without material predictions the taxonomy features stay 0
    x0 = pair_features([ASH], POOL, SectorStatistics(), needed=frozenset(TAXONOMY_FEATURES))
    assert not x0.any()
    with pytest.raises(InvalidInputError):
        pair_features([ASH], POOL, SectorStatistics(), materials=[], needed=frozenset(FEATURES))


def test_material_class_fit_learns_from_counts():
    qs = [ASH] * 4
    mats = predict_material_classes([q.text for q in qs])
    st = SectorStatistics.from_pairs(qs, ["0141"] * 4, materials=mats)
    assert st.by_material_class["coal_fly_ash"]["0141"] == 4
    x = pair_features([ASH], POOL, st, materials=mats[:1], needed=frozenset(FEATURES) - {
        "text_similarity", "centroid_similarity", "class_centroid_similarity"})
    fit = x[0, :, _col("material_class_fit")]
    assert fit[3] == fit.max()  # the counted receiver beats the taxonomy's own user
    assert fit[0] > fit[1]  # ... and the taxonomy prior still ranks cement above cereals
    with pytest.raises(InvalidInputError):
        SectorStatistics.from_pairs(qs, ["0141"] * 4, materials=mats[:2])
    # serialised with the other counts
    st2 = SectorStatistics.from_json(json.loads(json.dumps(st.to_json())))
    assert st2.by_material_class == st.by_material_class


def _toy_training(n_cases: int = 8):
    queries, receivers, groups = [], [], []
    for g in range(n_cases):
        for q, r in ((ASH, "2351"), (SLAG, "2351"), (SPENT, "0141")):
            queries.append(Query(f"{q.text} {g}", q.ewc, q.donor_nace, q.donor_business))
            receivers.append(r)
            groups.append(g)
    codes = [c.nace for c in POOL]
    pools = [(POOL, [(k, codes.index(r)) for k, r in enumerate(receivers)])]
    return queries, receivers, groups, pools


def test_fit_selects_features_and_C_by_grouped_cv():
    q, r, g, pools = _toy_training()
    s = ReceiverScorer(embed_backend="hashing").fit(q, r, g, pools)
    assert s.selected_features_ in s.candidate_subsets()
    assert s.selected_C_ in s.C_grid
    assert len(s.selection_) == len(s.candidate_subsets()) * len(s.C_grid)
    assert {w for f, w in s.weights_.items() if f not in s.selected_features_} == {0.0}
    sc = s.score([ASH, SPENT], POOL)
    assert sc[0].argmax() == 0 and sc[1].argmax() == 3
    # without the taxonomy: no taxonomy feature is a candidate or carries weight
    s2 = ReceiverScorer(embed_backend="hashing", use_taxonomy=False).fit(q, r, g, pools)
    assert not any(set(sub) & set(TAXONOMY_FEATURES) for sub in s2.candidate_subsets())
    assert all(s2.weights_[f] == 0.0 for f in TAXONOMY_FEATURES)
    assert not s2.stats_.by_material_class


def test_bad_arguments():
    with pytest.raises(InvalidInputError):
        ReceiverScorer(C_grid=())
    with pytest.raises(InvalidInputError):
        ReceiverScorer(C=0.0)
    with pytest.raises(InvalidInputError):
        ReceiverScorer(use_taxonomy=False, feature_subset=("taxonomy_use",))


def test_version_1_artefact_still_loads():
    d = ReceiverScorer.untrained(embed_backend="hashing").to_json()
    d["version"] = 1
    for f in (*TAXONOMY_FEATURES, "same_class"):
        del d["weights"][f]
    s = ReceiverScorer.from_json(d)
    assert all(s.weights_[f] == 0.0 for f in TAXONOMY_FEATURES)


def test_paired_differences():
    rng = np.random.default_rng(0)
    rows = []
    for case in range(6):
        for _ in range(5):
            rr = rng.uniform()
            rows.append(dict(setting="all", group="implemented", case=case, method="a",
                             rr=rr, **{"r@1": float(rr > 0.5)}))
            rows.append(dict(setting="all", group="implemented", case=case, method="b",
                             rr=rr / 2, **{"r@1": 0.0}))
    pq = pd.DataFrame(rows)
    d = paired_differences(pq, [("a", "b"), ("a", "missing")], n_boot=300)
    assert len(d) == 1
    r = d.iloc[0]
    a, b = pq[pq.method == "a"], pq[pq.method == "b"]
    assert r["mrr_diff"] == pytest.approx(a.rr.mean() - b.rr.mean())
    assert 0 < r["mrr_diff_lo"] <= r["mrr_diff"] <= r["mrr_diff_hi"]
    assert r["mrr_p_le_0"] == 0.0 and r["n_cases"] == 6
    # a method against itself: exactly zero
    z = paired_differences(pq, [("a", "a")], n_boot=50).iloc[0]
    assert z["mrr_diff"] == z["mrr_diff_lo"] == z["mrr_diff_hi"] == 0.0
    with pytest.raises(InvalidInputError):
        paired_differences(pq[~((pq.method == "b") & (pq.case == 0))], [("a", "b")])


@needs_data
def test_protocol_does_not_leak(monkeypatch):
    """Every learned model sees only its training cases; candidates carry no final use."""
    import symbioflows.evaluate as ev
    import symbioflows.evaluate.receivers as ev_receivers
    from symbioflows.evaluate.maestri import _clean

    df = ev.load_maestri(DATA).rows
    assert "final_use" not in df.columns
    titles = df.attrs["nace_titles"]
    for c in ev.nace_pool(df):  # `all` candidates: the NACE title only
        assert c.text == titles.get(c.nace, titles.get(c.nace[:2] + "00", ""))
    # `case` candidates: built from the receiver's business and NACE title, nothing else
    raw = pd.read_csv(DATA / "maestri_exchanges.csv", dtype=str)
    allowed = set()
    for b, n in zip(raw["receiver_business"], raw["receiver_nace"]):
        code = normalize_nace(n)
        if code:
            allowed.add(f"{_clean(b)}. {titles.get(code, titles.get(code[:2] + '00', ''))}")
    assert set(df["receiver_text"]) <= allowed

    seen: list[tuple[set[str], ReceiverScorer]] = []
    real_fit = ev.fit_learned

    def spy(train, pool_all, **kw):
        model = real_fit(train, pool_all, **kw)
        seen.append((set(train["case"]), model))
        return model

    monkeypatch.setattr(ev_receivers, "fit_learned", spy)
    rep = ev.evaluate_matchers(data_dir=DATA, methods=["popularity", "learned"], settings=["all"],
                               n_folds=3, n_boot=20, embed_backend="hashing")
    assert len(seen) == 3
    pq = rep.per_query
    for fold, (train_cases, model) in enumerate(seen):
        test_cases = set(pq.loc[pq["fold"] == fold, "case"])
        assert test_cases and not test_cases & train_cases
        n_train = int(df["case"].isin(train_cases).sum())
        # the statistics count the training exchanges and nothing else
        assert sum(model.stats_.class_counts.values()) == n_train
        assert sum(sum(r.values()) for r in model.stats_.by_material_class.values()) <= n_train
    assert set().union(*(s for s, _ in seen)) == set(df["case"])
    d = rep.differences
    assert set(zip(d["method"], d["baseline"])) == {("learned", "popularity")}


@needs_data
def test_shipped_model_holds_no_rows():
    """The shipped artefact keeps counts and weights, never an exchange's description."""
    raw = pd.read_csv(DATA / "maestri_exchanges.csv", dtype=str)
    body = (PRETRAINED_DIR / "scorer.json").read_text().lower()
    descs = {str(t).strip().lower() for t in raw["waste_description"] if isinstance(t, str)}
    leaked = [t for t in descs if len(t) > 15 and t in body]
    assert not leaked, leaked[:5]
    s = ReceiverScorer.pretrained()
    assert s.trained_ and s.stats_.by_material_class
    # every word kept was seen in at least two exchanges
    assert all(sum(r.values()) >= 2 for r in s.stats_.by_token.values())
