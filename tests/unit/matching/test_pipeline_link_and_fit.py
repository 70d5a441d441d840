"""The pipeline's minimum material fit, and a link predictor's score as a pair feature."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from region import make_test_region

from symbioflows.errors import InvalidInputError
from symbioflows.pipeline import DEFAULT_MIN_MATERIAL_FIT, PAIR_FEATURES, SymbiosisPlan, plan
from symbioflows.pipeline.candidates import material_fit_matrix


@pytest.fixture(scope="module")
def region():
    return make_test_region()


def test_family_fallback_is_not_a_substitution():
    # CO2 and hydrogen off-gas share a family and medium but replace no common virgin input:
    # the taxonomy scores them 0.2, below the default minimum, so they are not candidates
    keys = ["class:co2_stream", "class:hydrogen_offgas"]
    assert DEFAULT_MIN_MATERIAL_FIT > 0.2
    assert material_fit_matrix(keys)[0, 1] == 0.0 and material_fit_matrix(keys)[1, 0] == 0.0
    assert material_fit_matrix(keys, min_fit=0.1)[0, 1] == pytest.approx(0.2)
    assert np.all(np.diag(material_fit_matrix(keys)) == 1.0)


def _co2_h2_region():
    comp = pd.DataFrame({"company_id": ["a", "b"], "lat": [51.9, 51.91], "lon": [4.4, 4.41],
                         "country": ["NL", "NL"]})
    st = pd.DataFrame({"stream_id": ["s", "d"], "company_id": ["a", "b"],
                       "direction": ["supply", "demand"],
                       "material": ["carbon dioxide from ethylene oxide off-gas",
                                    "hydrogen for hydrotreating"],
                       "material_class": ["co2_stream", "hydrogen_offgas"],
                       "ewc_code": [None, None], "quantity_t_per_yr": [1000.0, 1000.0]})
    return comp, st


def test_no_co2_to_hydrogen_exchange_by_default():
    p = plan(_co2_h2_region(), chains=False)
    assert len(p.candidates) == 0 and len(p.exchanges) == 0
    # below the default, the pair is a candidate again, at the taxonomy's family score
    low = plan(_co2_h2_region(), chains=False, min_material_fit=0.1)
    assert low.candidates["material_fit"].tolist() == [pytest.approx(0.2)]
    with pytest.raises(InvalidInputError, match="min_material_fit"):
        plan(_co2_h2_region(), min_material_fit=1.5)


class _FixedLink:
    """A stand-in model with a predict(pairs) method: probability from the stream ids."""

    def __init__(self):
        self.calls = 0

    def predict(self, pairs):
        self.calls += 1
        s = pairs["supplier_stream_id"].str[1:].astype(int).to_numpy()
        d = pairs["receiver_stream_id"].str[1:].astype(int).to_numpy()
        return ((s * 7 + d * 3) % 10) / 10.0


def test_link_score_is_a_feature_with_its_contribution(region):
    base = plan(region, chains=False)
    model = _FixedLink()
    with_lp = plan(region, chains=False, link_predictor=model)
    assert model.calls == 1 and "link_score" in PAIR_FEATURES
    c = with_lp.candidates
    want = model.predict(pd.DataFrame({"supplier_stream_id": c["supply_stream_id"],
                                       "receiver_stream_id": c["demand_stream_id"]}))
    np.testing.assert_allclose(c["link_score"], want)
    assert (base.candidates["link_score"] == 0).all()
    # same candidates; the score moves exactly by the link term's logit
    np.testing.assert_array_equal(c["supply_stream_id"], base.candidates["supply_stream_id"])
    logit = lambda p: np.log(p) - np.log1p(-p)  # noqa: E731
    np.testing.assert_allclose(logit(c["score"]) - logit(base.candidates["score"]), 2.0 * want,
                               atol=1e-6)
    # weight 0: the model is not asked
    off = _FixedLink()
    p0 = plan(region, chains=False, link_predictor=off, weights={"link_score": 0.0})
    assert off.calls == 0
    np.testing.assert_allclose(p0.candidates["score"], base.candidates["score"])


def test_bad_link_predictor_output_is_refused(region):
    class Bad:
        def predict(self, pairs):
            return np.full(len(pairs), 3.0)

    with pytest.raises(InvalidInputError, match="probability in"):
        plan(region, chains=False, link_predictor=Bad())
    with pytest.raises(InvalidInputError, match="link_predictor"):
        plan(region, chains=False, link_predictor=object())


def test_update_with_link_predictor_equals_full_plan(region, tmp_path):
    comp, st = region
    model = _FixedLink()
    full = plan((comp, st), chains=False, link_predictor=model)
    base = plan((comp, st.iloc[:80]), chains=False, link_predictor=model)
    inc = base.update(st.iloc[80:])
    assert inc.totals["objective_value"] == pytest.approx(full.totals["objective_value"],
                                                          rel=1e-12)
    base.save(tmp_path / "p")
    back = SymbiosisPlan.load(tmp_path / "p")
    with pytest.raises(InvalidInputError, match="pass the same model"):
        back.update(st.iloc[80:])
    again = back.update(st.iloc[80:], link_predictor=model)
    assert again.totals["objective_value"] == pytest.approx(full.totals["objective_value"],
                                                            rel=1e-12)


def test_gnn_link_predictor_end_to_end(region):
    pytest.importorskip("torch")
    pytest.importorskip("torch_geometric")
    from symbioflows.learn import LinkPredictor

    comp, st = region
    known = plan(region, chains=False).exchanges  # stand-in for the region's past exchanges
    ex = pd.DataFrame({"supplier_stream_id": known["supply_stream_id"],
                       "receiver_stream_id": known["demand_stream_id"]})
    lp = LinkPredictor(hidden_dim=16, max_epochs=10, patience=5, val_fraction=0.0,
                       text_encoder="hashing", embed_dim=32, device="cpu", n_jobs=1,
                       rng=0).fit({"companies": comp, "streams": st}, ex)
    p = plan(region, chains=False, link_predictor=lp)
    ls = p.candidates["link_score"].to_numpy()
    assert ((ls > 0) & (ls < 1)).all() and np.ptp(ls) > 0
    assert "contrib_link_score" in p.exchanges.columns or "link_score" in p.exchanges.columns
