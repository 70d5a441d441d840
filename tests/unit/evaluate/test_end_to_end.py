"""End-to-end evaluation (issue 16 item 5) and the learned pair model (item 4): fold logic,
leakage guard, artefact loading, fallback, and the plan recording its model."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from symbioflows.errors import InvalidInputError
from symbioflows.evaluate import end_to_end as e2e
from symbioflows.evaluate import load_maestri
from symbioflows.matching import pair_model as pm
from symbioflows.matching.features import PAIR_FEATURES

_COLS = ("exchange_id", "donor_name", "donor_business", "donor_nace", "receiver_name",
         "receiver_business", "receiver_nace", "waste_description", "ewc_code", "ewc_hazardous",
         "status")
_ROWS = [
    ("1,1,1", "Steelco", "Steelworks", "2410", "Cemco", "Cement plant", "2351",
     "granulated blast furnace slag", "100202", "No", "Implemented"),
    ("1,1,2", "Brewco", "Brewery", "1105", "Farmco", "Dairy farm", "0141",
     "brewers spent grain", "020702", "No", "Implemented"),
    ("1,1,3", "Brewco", "Brewery", "1105", "Cemco", "Cement plant", "2351",
     "brewers spent grain", "020702", "No", "Planned"),
    ("2,1,1", "Powerco", "Coal power station", "3511", "Brickco", "Brick works", "2332",
     "pulverised fuel ash", "100102", "No", "Implemented"),
    ("2,1,2", "Sugarco", "Sugar factory", "1081", "Pigco", "Pig farm", "0146",
     "sugar beet pulp", "020399", "No", "Implemented"),
    ("3,1,1", "Paperco", "Paper mill", "1712", "Gardenco", "Compost site", "3821",
     "paper sludge", "030311", "No", "Implemented"),
    ("3,1,2", "Dairyco", "Dairy", "1051", "Biogasco", "Biogas plant", "3521",
     "whey", "020501", "No", "Implemented"),
]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("maestri")
    pd.DataFrame(_ROWS, columns=list(_COLS)).to_csv(d / "maestri_exchanges.csv", index=False)
    return load_maestri(d / "maestri_exchanges.csv")


def test_park_folds_are_disjoint_and_cover():
    parks = [str(k) for k in range(11)]
    folds = e2e.park_folds(parks, 4, rng=3)
    flat = [p for f in folds for p in f]
    assert sorted(flat) == sorted(parks) and len(flat) == len(set(flat))
    assert e2e.park_folds(parks, 4, rng=3) == folds  # seeded
    with pytest.raises(InvalidInputError, match="n_folds"):
        e2e.park_folds(parks, 1)


def test_region_carries_no_code_and_no_answer(data):
    rg = e2e.build_region(data, "1", n_distractors=5, placement="region", rng=0)
    st = rg.streams
    assert st["ewc_code"].isna().all() and st["material_class"].isna().all()
    dem = st[st["direction"] == "demand"].merge(rg.companies, on="company_id")
    # the receivers' text is their business only: never the waste description
    assert (dem["material"] == dem["business"]).all()
    assert not set(dem["material"]) & set(st.loc[st["direction"] == "supply", "material"])
    # documented exchanges of the park only (implemented), both ends in the region
    assert len(rg.exchanges) == 2
    # distractors come from the other parks' receivers
    dis = rg.companies[rg.companies["company_id"].str.startswith("X")]
    assert len(dis) == 5
    others = set(data.companies.loc[data.companies["case"] != "1", "business"])
    assert set(dis["business"]) <= others


@pytest.mark.parametrize("placement,radius", [("site", e2e.PARK_RADIUS_KM),
                                              ("region", e2e.REGION_RADIUS_KM)])
def test_distractor_placement(data, placement, radius):
    rg = e2e.build_region(data, "2", n_distractors=50, placement=placement, rng=1)
    c = rg.companies
    dy = (c["lat"] - e2e.SITE[0]) * 111.0
    dx = (c["lon"] - e2e.SITE[1]) * 111.0 * math.cos(math.radians(e2e.SITE[0]))
    r = np.hypot(dx, dy)
    park = ~c["company_id"].str.startswith("X")
    assert r[park].max() <= e2e.PARK_RADIUS_KM + 1e-6
    assert r[~park].max() <= radius + 1e-6
    with pytest.raises(InvalidInputError, match="placement"):
        e2e.build_region(data, "2", n_distractors=1, placement="moon")


def test_conditional_logit_recovers_the_informative_feature():
    rng = np.random.default_rng(0)
    n_groups, size = 300, 6
    x = rng.normal(size=(n_groups * size, 2))
    group = np.repeat(np.arange(n_groups), size)
    z = 2.0 * x[:, 0]
    y = np.zeros(len(x))
    for g in range(n_groups):
        m = np.flatnonzero(group == g)
        p = np.exp(z[m]) / np.exp(z[m]).sum()
        y[m[rng.choice(size, p=p)]] = 1
    w = pm.conditional_logit(x, np.zeros(len(x)), group, y, l2=0.01)
    assert 1.4 < w[0] < 2.6 and abs(w[1]) < 0.4


def test_fit_pair_model_keeps_unidentified_features_at_hand_values():
    rng = np.random.default_rng(1)
    n = 400
    x = np.zeros((n, len(PAIR_FEATURES)))
    k_mat = PAIR_FEATURES.index("material_fit")
    x[:, k_mat] = rng.random(n)
    x[:, PAIR_FEATURES.index("distance_km")] = rng.random(n) * 10
    group = np.repeat(np.arange(n // 4), 4)
    y = np.zeros(n)
    for g in range(n // 4):
        m = np.flatnonzero(group == g)
        y[m[np.argmax(x[m, k_mat])]] = 1
    park = (group % 5).astype(str)
    m = pm.fit_pair_model(x, group, y, park, learn=("material_fit",), l2_grid=(0.1, 1.0))
    assert m.weights["material_fit"] > 2.0
    for f in PAIR_FEATURES:
        if f != "material_fit":
            assert m.weights[f] == pm.HAND_WEIGHTS[f]
    assert m.bias == pm.HAND_BIAS and m.learned == ("material_fit",)
    assert m.meta["l2"] in (0.1, 1.0) and m.meta["n_parks"] == 5


def _choice_sets(seed: int, n_g: int, n_c: int, n_parks: int):
    """``n_g`` supplies of ``n_c`` candidates, random material fits, the best one chosen:
    (x, group, y, park, column of material_fit)."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n_g * n_c, len(PAIR_FEATURES)))
    k = PAIR_FEATURES.index("material_fit")
    x[:, k] = rng.random(n_g * n_c)
    group = np.repeat(np.arange(n_g), n_c)
    y = np.zeros(n_g * n_c)
    for g in range(n_g):
        rows = np.flatnonzero(group == g)
        y[rows[np.argmax(x[rows, k])]] = 1
    return x, group, y, np.array([str(g % n_parks) for g in group]), k


def test_fit_pair_model_scores_its_inner_folds_on_the_check_rows():
    # the inner folds choose l2 by MRR on the check rows of their parks: check rows in which
    # the learned feature points the wrong way score low, rows of unknown parks are unused
    x, group, y, park, k = _choice_sets(3, 60, 5, 6)
    own = pm.fit_pair_model(x, group, y, park, learn=("material_fit",), l2_grid=(0.1,))
    flipped = x.copy()
    flipped[:, k] = -x[:, k]
    chk = pm.fit_pair_model(x, group, y, park, learn=("material_fit",), l2_grid=(0.1,),
                            check=(flipped, group, y, park))
    assert own.meta["inner_mrr"]["0.1"] == pytest.approx(1.0)
    assert chk.meta["inner_mrr"]["0.1"] < 0.7 and chk.meta["inner_scored_on"] == "check rows"
    assert chk.weights == own.weights  # the weights are fitted on the training rows only
    unknown = pm.fit_pair_model(x, group, y, park, learn=("material_fit",), l2_grid=(0.1,),
                                check=(flipped, group, y, np.full(park.size, "elsewhere")))
    assert unknown.meta["inner_mrr"]["0.1"] == 0.0
    with pytest.raises(InvalidInputError, match="check"):
        pm.fit_pair_model(x, group, y, park, learn=("material_fit",),
                          check=(x[:, :3], group, y, park))


def _outside_reference(z: np.ndarray, group: np.ndarray, inside: np.ndarray) -> float:
    """The outside utility maximising the log-likelihood, by a bounded scalar search (slow)."""
    from scipy.optimize import minimize_scalar

    sets = {}
    for zi, gi, ii in zip(z.tolist(), group.tolist(), inside.tolist()):
        sets.setdefault(gi, ([], ii))[0].append(zi)

    def nll(u: float) -> float:
        return -sum((0.0 if ins else u) - float(np.logaddexp.reduce([u, *zs]))
                    for zs, ins in sets.values())

    lo = min(z.min(), 0.0) - 60
    hi = max(z.max(), 0.0) + 60
    return float(minimize_scalar(nll, bounds=(lo, hi), method="bounded",
                                 options={"xatol": 1e-10}).x)


@hsettings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.floats(-6.0, 6.0)), min_size=2, max_size=40),
       st.lists(st.booleans(), min_size=8, max_size=8))
def test_outside_utility_is_the_maximum_likelihood(rows, inside_of):
    group = np.array([r[0] for r in rows])
    z = np.array([r[1] for r in rows])
    inside = np.array([inside_of[g] for g in group])
    got = pm.fit_outside_utility(z, group, inside)
    sides = {bool(inside_of[g]) for g in set(group.tolist())}
    if len(sides) < 2:  # every supply on one side: no finite maximum
        assert got is None
        return
    assert got == pytest.approx(_outside_reference(z, group, inside), abs=1e-5)
    # at the maximum, the expected number of outside choices is the observed one
    lz = {g: float(np.logaddexp.reduce(z[group == g])) for g in set(group.tolist())}
    expected = sum(1.0 / (1.0 + math.exp(v - got)) for v in lz.values())
    n_out = sum(not inside_of[g] for g in lz)
    assert expected == pytest.approx(n_out, abs=1e-6)


def test_fit_pair_model_learns_the_outside_alternative_from_the_missed_supplies():
    n_c = 4
    x, group, y, park, _k = _choice_sets(4, 80, n_c, 5)
    plain = pm.fit_pair_model(x, group, y, park, learn=("material_fit",), l2_grid=(0.1,))
    assert plain.outside is None
    few = pm.fit_pair_model(x, group, y, park, learn=("material_fit",), l2_grid=(0.1,),
                            outside_rows=(x[:n_c * 5], np.repeat(np.arange(5), n_c)))
    many = pm.fit_pair_model(x, group, y, park, learn=("material_fit",), l2_grid=(0.1,),
                             outside_rows=(x[:n_c * 60], np.repeat(np.arange(60), n_c)))
    assert few.weights == plain.weights  # the weights come from the supplies' choices alone
    assert few.outside is not None and many.outside is not None and few.outside < many.outside
    assert few.meta["outside_supplies"] == 5 and many.meta["outside_share"] == round(60 / 140, 4)


def test_artefact_round_trip_and_schema_check(tmp_path):
    w = dict(pm.HAND_WEIGHTS, material_fit=4.5)
    m = pm.PairScoreModel("test_model", w, -1.0, learned=("material_fit",),
                          meta={"trained_on": "unit test", "date": "2026-12-07"})
    m.save(tmp_path / "m")
    back = pm.PairScoreModel.load(tmp_path / "m")
    assert back.weights == m.weights and back.bias == -1.0 and back.learned == ("material_fit",)
    assert back.meta["trained_on"] == "unit test"
    assert pm.resolve_pair_model(back.describe()).weights == m.weights
    assert back.outside is None and pm.resolve_pair_model(back.describe()).outside is None
    o = pm.PairScoreModel("with_outside", w, -1.0, outside=0.75)
    o.save(tmp_path / "o")
    assert pm.PairScoreModel.load(tmp_path / "o").outside == 0.75
    assert pm.resolve_pair_model(o.describe()).outside == 0.75
    with pytest.raises(InvalidInputError, match="outside"):
        pm.PairScoreModel("bad", w, 0.0, outside=float("nan"))
    for bad in ("high", float("inf")):  # a recorded model whose outside utility is unusable
        with pytest.raises(InvalidInputError, match="outside|pair_model dict"):
            pm.resolve_pair_model({**o.describe(), "outside": bad})
    with pytest.raises(InvalidInputError, match="pair_model"):
        pm.resolve_pair_model(42)
    with pytest.raises(InvalidInputError, match="every pair feature"):
        pm.PairScoreModel("bad", {"material_fit": 1.0}, 0.0)


def test_shipped_model_is_the_default_and_has_provenance():
    m = pm.shipped_pair_model()
    assert m is not None, "the learned pair model must ship with the package"
    assert m.name != "hand_blend" and set(m.learned) <= set(PAIR_FEATURES)
    assert "MAESTRI" in m.meta["trained_on"] and m.meta.get("date")
    # "none of these": learned from the training supplies whose receiver was no candidate
    assert m.outside is not None and m.meta["outside_supplies"] > 0
    assert m.describe()["outside"] == m.outside
    assert pm.resolve_pair_model(None) is m


def test_fallback_to_hand_blend_when_the_artefact_is_missing(monkeypatch, tmp_path, caplog):
    monkeypatch.setattr(pm, "PAIR_MODEL_DIR", tmp_path / "absent")
    pm._shipped.cache_clear()
    try:
        assert pm.resolve_pair_model(None) is pm.HAND_BLEND
        with pytest.raises(InvalidInputError, match="learned"):
            pm.resolve_pair_model("learned")
    finally:
        pm._shipped.cache_clear()


def test_plan_records_its_model_and_rescoring_equals_the_kernel(data):
    rg = e2e.build_region(data, "1", n_distractors=4, rng=0)
    w = dict(pm.HAND_WEIGHTS, material_fit=3.0, sector_fit=0.7)
    model = pm.PairScoreModel("unit_model", w, -1.5, learned=("material_fit", "sector_fit"),
                              outside=0.5)
    p = e2e.plan_region(rg, pair_model=model)
    rec = p.options["pair_model"]
    assert rec["name"] == "unit_model" and rec["bias"] == -1.5 and rec["outside"] == 0.5
    assert p.options["choice_outside"] == 0.5
    t = e2e.collect_candidates(rg, p)
    assert len(t) and t["label"].sum() >= 1
    z = t[list(PAIR_FEATURES)].to_numpy() @ model.vector() + model.bias
    np.testing.assert_allclose(np.clip(1 / (1 + np.exp(-z)), 1e-9, 1.0),
                               p.candidates["score"].to_numpy(), rtol=1e-9, atol=1e-12)
    # re-allocating the table under a design's scores is what a plan scored by it allocates
    hand = e2e.collect_candidates(rg, e2e.plan_region(rg, pair_model=pm.HAND_BLEND))
    for tab, m in ((t, model), (hand, pm.HAND_BLEND)):
        want = set(zip(tab.loc[tab["allocated"], "supply"], tab.loc[tab["allocated"], "demand"]))
        zz = tab[list(PAIR_FEATURES)].to_numpy() @ m.vector() + m.bias
        assert want and e2e.reallocate(rg, tab, zz, outside=m.outside) == want
    # contributions use the model that scored; weights= still overrides one feature
    c = p.contributions()
    np.testing.assert_allclose(c["contrib_material_fit"], 3.0 * p.candidates["material_fit"])
    from symbioflows.pipeline import plan

    comp = rg.companies[["company_id", "name", "sector", "lat", "lon", "country"]]
    st = rg.streams[["stream_id", "company_id", "direction", "material", "quantity_t_per_yr"]]
    p3 = plan((comp, st), chains=False, pair_model="hand_blend", weights={"material_fit": 5.0})
    assert p3.options["pair_model"]["name"] == "hand_blend"
    np.testing.assert_allclose(p3.contributions()["contrib_material_fit"],
                               5.0 * p3.candidates["material_fit"])


def test_cli_takes_the_end_to_end_options():
    import argparse

    from symbioflows.evaluate import add_arguments

    p = argparse.ArgumentParser()
    add_arguments(p)
    a = p.parse_args(["--end-to-end", "--distractors", "0", "300", "--placements", "site",
                      "--out", "e2e.json"])
    assert a.end_to_end and a.distractors == [0, 300] and a.placements == "site"
    assert a.receiver_fit == "fixed" and a.out == "e2e.json" and a.text_backend == "auto"
    assert p.parse_args(["--end-to-end", "--text-backend", "hashing"]).text_backend == "hashing"


def test_select_design_takes_the_best_inner_fold_mrr_and_the_simpler_on_ties():
    def model(name, learned, mrrs):
        return pm.PairScoreModel(name, dict(pm.HAND_WEIGHTS), pm.HAND_BIAS, learned=learned,
                                 meta={"inner_mrr": {str(k): v for k, v in enumerate(mrrs)}})

    a = model("a", ("material_fit", "sector_fit"), [0.50, 0.53])
    b = model("b", ("material_fit", "sector_fit", "surplus_usd_per_t"), [0.55, 0.52])
    assert e2e.select_design({"a": a, "b": b}) == "b"  # each design at its best l2
    c = model("c", ("material_fit", "sector_fit", "surplus_usd_per_t"), [0.53])
    assert e2e.select_design({"a": a, "c": c}) == "a"  # a tie: fewer learned weights
    with pytest.raises(InvalidInputError, match="no learned design"):
        e2e.select_design({"hand": pm.HAND_BLEND})


def test_case_study_folds_train_on_maestri_and_the_other_folds_only(data, tmp_path,
                                                                   monkeypatch):
    # the case-study parks are cross-validated: each fold's pair models see every MAESTRI
    # park and the case-study parks of the other folds, never the fold's own
    rows = [(f"{int(r[0].split(',')[0]) + 10}{r[0][1:]}", *r[1:]) for r in _ROWS]
    pd.DataFrame(rows, columns=list(_COLS)).to_csv(tmp_path / "cs.csv", index=False)
    cs = load_maestri(tmp_path / "cs.csv")
    monkeypatch.setattr(e2e, "case_study_data", lambda *a, **k: cs)
    seen = []
    real = e2e._fit_designs

    def spy(table, designs, seed, check=None):
        seen.append((set(table["park"].astype(str)), set(check["park"].astype(str)),
                     set(check["setting"])))
        return real(table, designs, seed, check)

    monkeypatch.setattr(e2e, "_fit_designs", spy)
    res = e2e.evaluate_end_to_end(data, distractors=(0,), n_folds=2, n_boot=10,
                                  designs={"hand_blend": (),
                                           "learned_material_sector": ("material_fit",
                                                                       "sector_fit")},
                                  case_studies=True)
    oos = res["out_of_source"]
    assert sorted(p for f in oos["folds"] for p in f) == ["11", "12", "13"]
    maestri = {"1", "2", "3"}
    # MAESTRI's folds first (their own training parks), then the case-study folds
    assert len(seen) == len(res["folds"]) + len(oos["folds"])
    for test, (parks, checked, settings) in zip(res["folds"], seen):
        assert parks == checked == maestri - set(test)
        assert settings == {"0_park_alone", "300_region"}  # SELECT_ON: chosen among others
    for test, (parks, checked, settings) in zip(oos["folds"], seen[len(res["folds"]):]):
        assert parks == checked == maestri | ({"11", "12", "13"} - set(test))
        assert settings == {"0_park_alone", "300_region"}
    assert res["select_on"] == ["0_park_alone", "300_region"]
    assert [s["placement"] for s in res["settings"]] == ["park_alone"]  # only those asked
    st = oos["settings"][0]
    assert st["placement"] == "park_alone" and st["methods"]["plan"]["n"] > 0


def test_plans_read_by_the_hashing_encoder_use_the_model_fitted_on_hashing_cosines(
        monkeypatch, tmp_path):
    h = pm.shipped_pair_model("hashing")
    s = pm.shipped_pair_model()
    assert h is not None and s is not None and h is not s
    assert h.meta["text_backend"] == "hashing" and s.meta["text_backend"] == "sentence"
    assert pm.resolve_pair_model(None, text_backend="hashing") is h
    assert pm.resolve_pair_model("learned", text_backend="hashing") is h
    assert pm.resolve_pair_model(None) is s
    from symbioflows import plan

    comp = pd.DataFrame({"company_id": ["a", "b"], "lat": [51.9, 51.91], "lon": [4.4, 4.41],
                         "country": ["NL", "NL"]})
    st = pd.DataFrame({"stream_id": ["s", "d"], "company_id": ["a", "b"],
                       "direction": ["supply", "demand"],
                       "material": ["granulated blast furnace slag", "GGBS for cement"],
                       "quantity_t_per_yr": [1000.0, 1000.0]})
    p = plan((comp, st), chains=False, text_backend="hashing")
    assert p.options["text_fit_backend"] == "hashing"
    assert p.options["pair_model"]["provenance"]["text_backend"] == "hashing"
    # without the hashing variant, the sentence model's weights (the fallback)
    monkeypatch.setattr(pm, "PAIR_MODEL_HASHING_DIR", tmp_path / "absent")
    pm._shipped.cache_clear()
    try:
        assert pm.resolve_pair_model(None, text_backend="hashing").weights == s.weights
    finally:
        pm._shipped.cache_clear()


@pytest.mark.parametrize("bad", [(), (-1,), (True,), ("300",), (0.5,)])
def test_select_on_takes_numbers_of_distractors_only(data, bad):
    with pytest.raises(InvalidInputError, match="select_on"):
        e2e.evaluate_end_to_end(data, distractors=(0,), n_folds=2, n_boot=10, select_on=bad)


def test_docs_quote_the_shipped_text_fit_weights():
    # the prose quotes the shipped models' text_fit weights; a retrain that moves them must
    # move the docs too
    from pathlib import Path

    docs = Path(__file__).resolve().parents[3] / "docs"
    sent = f"{pm.shipped_pair_model('sentence').weights['text_fit']:.2f}"
    hashing = f"{pm.shipped_pair_model('hashing').weights['text_fit']:.2f}"
    assert f"its weight ({sent} in the shipped model" in (docs / "matching.md").read_text()
    bench = (docs / "benchmarks.md").read_text()
    assert f"The weight ({sent} in the shipped model)" in bench
    assert f"`text_fit` weight {hashing} against {sent} for the sentence" in bench
