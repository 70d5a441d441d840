"""Native cost_pairs vs the pure-Python reference, and invariants of the costing model."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from symbioflows.logistics import cost_pairs, transport_modes
from symbioflows.logistics._reference import cost_pairs_numpy, cost_pairs_reference
from symbioflows.logistics.modes import MEDIA

ALL = list(transport_modes().values())
NAMES = [m.name for m in ALL]
REF_MODES = [
    {"fixed": m.fixed_cost_usd_per_shipment, "per_tkm": m.cost_usd_per_tkm, "payload": m.payload,
     "co2e": m.co2e_kg_per_tkm, "max_km": m.max_route_km, "detour": m.detour,
     "mask": m.medium_mask()}
    for m in ALL
]

lat = st.floats(-90, 90, allow_nan=False)
lon = st.floats(-180, 180, allow_nan=False)


@st.composite
def instances(draw):
    n1 = draw(st.integers(1, 5))
    n2 = draw(st.integers(1, 5))
    m = draw(st.integers(0, 12))
    pts1 = draw(st.lists(st.tuples(lat, lon, st.sampled_from([1.0, 1.2, 1.3, 1.6])),
                         min_size=n1, max_size=n1))
    pts2 = draw(st.lists(st.tuples(lat, lon, st.sampled_from([1.0, 1.3, 2.0])),
                         min_size=n2, max_size=n2))
    i = draw(st.lists(st.integers(0, n1 - 1), min_size=m, max_size=m))
    j = draw(st.lists(st.integers(0, n2 - 1), min_size=m, max_size=m))
    # exact multiples of the payloads (and neighbours) exercise the ceil(q / payload) path
    qv = st.one_of(st.floats(0, 1e5, allow_nan=False),
                   st.sampled_from([0.0, 10.0, 25.0, 26.0, 52.0, 78.0, 1000.0, 3000.0,
                                    26.000000000000004, 25.999999999999996, 1e-300]))
    q = draw(st.lists(qv, min_size=m, max_size=m))
    med = draw(st.lists(st.integers(0, len(MEDIA) - 1), min_size=m, max_size=m))
    price = draw(st.sampled_from([0.0, 0.1, 2.0]))
    return pts1, pts2, i, j, q, med, price


def _close(a, b):
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-7)


@settings(max_examples=300)
@given(instances())
def test_native_matches_reference(inst):
    pts1, pts2, i, j, q, med, price = inst
    la1, lo1, c1 = (list(x) for x in zip(*pts1))
    la2, lo2, c2 = (list(x) for x in zip(*pts2))
    ref = cost_pairs_reference(la1, lo1, c1, la2, lo2, c2, i, j, q, med, REF_MODES, price)
    npy = cost_pairs_numpy(
        np.array(la1), np.array(lo1), np.array(c1), np.array(la2), np.array(lo2), np.array(c2),
        np.array(i, dtype=np.int64), np.array(j, dtype=np.int64), np.array(q),
        np.array(med, dtype=np.int64), REF_MODES, price)
    for k in range(len(i)):
        assert _close(npy[0][k], ref[0][k])
        if npy[4][k] == ref[4][k]:
            assert _close(npy[2][k], ref[2][k]) and _close(npy[3][k], ref[3][k])
    # the native kernel takes per-point circuity through a ("country" -> factor) override
    got = _native(la1, lo1, c1, la2, lo2, c2, i, j, q, med, price)
    for k in range(len(i)):
        assert _close(got.great_circle_km[k], ref[0][k])
        if got.mode[k] != ref[4][k]:
            # only a numerical tie between two modes may differ
            pa = got.cost_usd[k] + price * got.co2e_kg[k]
            pb = ref[2][k] + price * ref[3][k]
            assert math.isclose(pa, pb, rel_tol=1e-9, abs_tol=1e-7)
            continue
        assert _close(got.route_km[k], ref[1][k])
        assert _close(got.cost_usd[k], ref[2][k])
        assert _close(got.co2e_kg[k], ref[3][k])


def _native(la1, lo1, c1, la2, lo2, c2, i, j, q, med, price, **kw):
    codes = {1.0: "AA", 1.2: "BB", 1.3: "CC", 1.6: "DD", 2.0: "EE"}
    overrides = {v: k for k, v in codes.items()}
    return cost_pairs(la1, lo1, la2, lo2, np.array(i, dtype=np.int64), np.array(j, dtype=np.int64),
                      q, medium=np.array(med, dtype=np.int64),
                      supply_country=[codes[c] for c in c1], demand_country=[codes[c] for c in c2],
                      circuity_overrides=overrides, modes=NAMES,
                      carbon_price_usd_per_t=price * 1000.0, **kw)


@settings(max_examples=200)
@given(st.floats(-60, 60), st.floats(-170, 170), st.floats(0.001, 5.0), st.floats(0.001, 5.0),
       st.floats(0, 1e4), st.floats(0, 1e4), st.sampled_from(NAMES))
def test_cost_and_co2_nonnegative_and_monotone(la, lo, d1, d2, q1, q2, mode):
    m = transport_modes()[mode]
    medium = m.media[0]
    near, far = sorted([d1, d2])
    qa, qb = sorted([q1, q2])
    r = cost_pairs([la], [lo], [la + near, la + far], [lo, lo], [0, 0, 0], [0, 1, 1],
                   [qa, qa, qb], medium=medium, modes=mode, n_jobs=1)
    assert (r.cost_usd >= 0).all() and (r.co2e_kg >= 0).all()
    if r.mode[1] >= 0:
        assert r.mode[0] >= 0  # shorter is never less feasible
        assert r.cost_usd[0] <= r.cost_usd[1] and r.co2e_kg[0] <= r.co2e_kg[1]
    if r.mode[2] >= 0:
        assert r.cost_usd[1] <= r.cost_usd[2] and r.co2e_kg[1] <= r.co2e_kg[2]


@settings(max_examples=100)
@given(st.integers(0, 2**32 - 1))
def test_row_order_does_not_matter(seed):
    rng = np.random.default_rng(seed)
    n, m = 6, 40
    la, lo = rng.uniform(40, 60, n), rng.uniform(0, 20, n)
    i, j = rng.integers(0, n, m), rng.integers(0, n, m)
    q = rng.uniform(0, 300, m)
    med = rng.integers(0, len(MEDIA), m)
    perm = rng.permutation(m)
    a = cost_pairs(la, lo, la, lo, i, j, q, medium=med, modes=NAMES)
    b = cost_pairs(la, lo, la, lo, i[perm], j[perm], q[perm], medium=med[perm], modes=NAMES)
    for f in ("great_circle_km", "route_km", "cost_usd", "co2e_kg", "mode"):
        assert np.array_equal(getattr(a, f)[perm], getattr(b, f))
