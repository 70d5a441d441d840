"""Native candidate grid and pair scoring against the pure-Python references."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbioflows import _core
from symbioflows.matching import _reference as ref
from symbioflows.matching.candidates import find_candidates
from symbioflows.matching.features import NUM_PAIR_FEATURES, feature_index

coords = st.tuples(st.floats(-90, 90), st.floats(-180, 180))
# clustered coordinates (near a random centre) so that radii catch something, including
# near the poles and the date line
def near(center):
    return st.tuples(st.floats(-2, 2), st.floats(-2, 2)).map(
        lambda d: (float(np.clip(center[0] + d[0], -90, 90)),
                   float(((center[1] + d[1] + 180) % 360) - 180)))


@st.composite
def instances(draw):
    center = draw(st.sampled_from([(55.0, 12.0), (0.0, 179.5), (89.5, 0.0), (-45.0, -179.9),
                                   (80.0, 30.0), (-75.0, 179.9)]))
    pt = st.one_of(near(center), coords)
    ns = draw(st.integers(0, 12))
    nd = draw(st.integers(0, 12))
    g = draw(st.integers(1, 3))
    sp = draw(st.lists(pt, min_size=ns, max_size=ns))
    dp = draw(st.lists(pt, min_size=nd, max_size=nd))
    sg = draw(st.lists(st.integers(0, g - 1), min_size=ns, max_size=ns))
    dg = draw(st.lists(st.integers(0, g - 1), min_size=nd, max_size=nd))
    sc = draw(st.lists(st.integers(0, 4), min_size=ns, max_size=ns))
    dc = draw(st.lists(st.integers(0, 4), min_size=nd, max_size=nd))
    rad = draw(st.lists(st.floats(0.5, 3000), min_size=ns, max_size=ns))
    compat = draw(st.lists(st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=g, max_size=g),
                           min_size=g, max_size=g))
    k = draw(st.integers(0, 3))
    return sp, dp, sg, dg, sc, dc, rad, compat, k


def _arr(pts, i):
    return np.array([p[i] for p in pts], dtype=np.float64)


@settings(max_examples=200)
@given(instances())
def test_grid_equals_reference_and_all_pairs(inst):
    sp, dp, sg, dg, sc, dc, rad, compat, k = inst
    args = (_arr(sp, 0), _arr(sp, 1), np.array(sg, dtype=np.int64), np.array(sc, dtype=np.int64),
            np.array(rad), _arr(dp, 0), _arr(dp, 1), np.array(dg, dtype=np.int64),
            np.array(dc, dtype=np.int64), np.array(compat))
    expected = ref.candidates([p[0] for p in sp], [p[1] for p in sp], sg, sc, rad,
                              [p[0] for p in dp], [p[1] for p in dp], dg, dc, compat, k)
    truncated = {}
    for method in ("kdtree", "grid", "all_pairs"):
        for n_jobs in (1, 2):
            got = find_candidates(*args, max_per_supply=k, method=method, n_jobs=n_jobs)
            assert got.supply.tolist() == [e[0] for e in expected]
            assert got.demand.tolist() == [e[1] for e in expected]
            np.testing.assert_allclose(got.distance_km, [e[2] for e in expected], atol=1e-6)
            np.testing.assert_array_equal(got.material_fit, [e[3] for e in expected])
            truncated[method, n_jobs] = got.n_truncated
    assert len(set(truncated.values())) == 1, truncated


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([(51.9, 4.3), (0.0, 179.9), (89.0, 10.0)]),
       st.sampled_from([0.05, 0.5, 5.0]), st.integers(0, 12), st.booleans())
def test_kdtree_equals_all_pairs_on_larger_clustered_regions(seed, center, spread_deg, k,
                                                             coincident):
    """Deep trees (hundreds of demands, many leaves), clustered around a centre near the
    date line or a pole, with duplicate sites (equal distances): the k-d tree's pruning at the
    k-th nearest keeps exactly the pairs, order and truncation count of the brute force."""
    rng = np.random.default_rng(seed)
    ns, nd, g = int(rng.integers(1, 200)), int(rng.integers(1, 600)), int(rng.integers(1, 5))

    def pts(n):
        lat = np.clip(center[0] + rng.normal(0, spread_deg, n), -90, 90)
        lon = ((center[1] + rng.normal(0, spread_deg, n) + 180) % 360) - 180
        if coincident:  # many streams on a few sites
            lat, lon = np.round(lat, 1), np.round(lon, 1)
        return lat, np.clip(lon, -180, 180)

    slat, slon = pts(ns)
    dlat, dlon = pts(nd)
    compat = rng.choice([0.0, 0.3, 1.0], size=(g, g))
    args = (slat, slon, rng.integers(0, g, ns), rng.integers(0, 30, ns),
            rng.uniform(1, 400, ns), dlat, dlon, rng.integers(0, g, nd), rng.integers(0, 30, nd),
            compat)
    want = find_candidates(*args, max_per_supply=k, method="all_pairs", n_jobs=1)
    for n_jobs in (1, 2):
        got = find_candidates(*args, max_per_supply=k, method="kdtree", n_jobs=n_jobs)
        np.testing.assert_array_equal(got.supply, want.supply)
        np.testing.assert_array_equal(got.demand, want.demand)
        np.testing.assert_array_equal(got.distance_km, want.distance_km)
        np.testing.assert_array_equal(got.material_fit, want.material_fit)
        assert got.n_truncated == want.n_truncated
        assert got.n_distance_evals <= want.n_distance_evals


def _tables(rng, ns, nd):
    s = dict(qty_t=rng.uniform(0.1, 100, ns), quality=np.where(rng.random(ns) < 0.3, np.nan,
                                                               rng.random(ns)),
             mask=rng.integers(0, 4096, ns), disposal_usd_t=rng.uniform(0, 100, ns),
             disposal_co2e_kg_t=rng.uniform(0, 500, ns), fixed_usd_t=rng.uniform(0, 10, ns),
             usd_per_tkm=rng.uniform(0, 0.2, ns), co2e_kg_per_tkm=rng.uniform(0, 0.2, ns),
             hazardous=(rng.random(ns) < 0.2).astype(float), country=rng.integers(0, 3, ns))
    d = dict(qty_t=rng.uniform(0.1, 100, nd), quality=np.where(rng.random(nd) < 0.3, np.nan,
                                                               rng.random(nd)),
             mask=rng.integers(0, 4096, nd), virgin_usd_t=rng.uniform(0, 300, nd),
             virgin_co2e_kg_t=rng.uniform(0, 3000, nd), country=rng.integers(0, 3, nd))
    return s, d


@settings(max_examples=100)
@given(st.integers(0, 2**32 - 1), st.integers(1, 8), st.integers(1, 8), st.integers(0, 30))
def test_score_pairs_equals_reference(seed, ns, nd, n_pairs):
    rng = np.random.default_rng(seed)
    s, d = _tables(rng, ns, nd)
    si = rng.integers(0, ns, n_pairs)
    di = rng.integers(0, nd, n_pairs)
    dist = rng.uniform(0, 500, n_pairs)
    fit = rng.uniform(0, 1, n_pairs)
    sfit = rng.normal(0, 1, n_pairs)
    link = rng.uniform(0, 1, n_pairs)
    w = rng.normal(0, 0.05, NUM_PAIR_FEATURES)
    # text rows: unit float32 rows of any width (not always a multiple of the kernel's eight
    # lanes); some streams without a text (-1); no rows at all in a quarter of the cases
    text: dict = {}
    if rng.random() < 0.75:
        nr, dim = int(rng.integers(1, 5)), int(rng.integers(1, 40))
        rows = rng.normal(size=(nr, dim)).astype(np.float32)
        rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        text = dict(text_rows=rows, supply_text=rng.integers(-1, nr, ns),
                    demand_text=rng.integers(-1, nr, nd))
    feats, score = _core.score_pairs(si, di, dist, fit, sfit, s, d, 1.3, w, 0.1, n_threads=2,
                                     link_score=link, **text)
    assert feats.shape == (n_pairs, NUM_PAIR_FEATURES)
    kt = feature_index("text_fit")
    for k in range(n_pairs):
        tf = ref.text_cosine(text.get("text_rows"), text.get("supply_text"),
                             text.get("demand_text"), si[k], di[k])
        x, p = ref.score_pair(si[k], di[k], dist[k], fit[k], s, d, 1.3, w, 0.1, sfit[k], link[k],
                              tf)
        # the kernel sums float32 products in eight lanes, the reference in float64
        assert feats[k, kt] == pytest.approx(x[kt], abs=1e-5)
        np.testing.assert_allclose(np.delete(feats[k], kt), np.delete(x, kt), rtol=1e-12,
                                   atol=1e-9)
        assert score[k] == pytest.approx(p, rel=1e-5, abs=1e-9)
    assert ((score > 0) & (score <= 1)).all()
