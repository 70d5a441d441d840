"""Native haversine kernels against the pure-Python reference."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from symbioflows.logistics import _reference as ref
from symbioflows.logistics import great_circle_matrix, great_circle_pairs

lat = st.floats(-90, 90, allow_nan=False)
lon = st.floats(-180, 180, allow_nan=False)


@given(st.lists(st.tuples(lat, lon), max_size=12), st.lists(st.tuples(lat, lon), max_size=12),
       st.sampled_from([1, 2, 4]))
def test_matrix_matches_reference(p1, p2, n_jobs):
    la1 = [p[0] for p in p1]
    lo1 = [p[1] for p in p1]
    la2 = [p[0] for p in p2]
    lo2 = [p[1] for p in p2]
    got = great_circle_matrix(la1, lo1, la2, lo2, n_jobs=n_jobs)
    assert got.shape == (len(p1), len(p2))
    want = np.array(ref.haversine_matrix(la1, lo1, la2, lo2)).reshape(len(p1), len(p2))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-9)
    assert np.isfinite(got).all() and (got >= 0).all()
    assert (got <= math.pi * ref.R_KM + 1e-9).all()


@given(hnp.arrays(np.float64, st.integers(1, 20), elements=lat), st.data())
def test_pairs_match_matrix_any_layout(la, data):
    lo = data.draw(hnp.arrays(np.float64, la.shape, elements=lon))
    m = data.draw(st.integers(0, 30))
    i = np.array(data.draw(st.lists(st.integers(0, la.size - 1), min_size=m, max_size=m)), dtype=np.int64)
    j = np.array(data.draw(st.lists(st.integers(0, la.size - 1), min_size=m, max_size=m)), dtype=np.int64)
    # strided / read-only views must give the same answer
    la_s = np.repeat(la, 2)[::2]
    la_s.setflags(write=False)
    got = great_circle_pairs(la_s, lo, la, lo, i, j, n_jobs=2)
    full = great_circle_matrix(la, lo)
    np.testing.assert_allclose(got, full[i, j] if m else np.empty(0), rtol=1e-12, atol=1e-9)
