"""Native compatibility top-k and feature hashing against the numpy / pure-Python references."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from symbioflows import _core
from symbioflows.materials import _reference as ref
from symbioflows.materials.compat import top_k_compatible

LEVELS = ["portable"] + (["avx2"] if _core.simd_level() in ("avx2", "avx512") else []) + (
    ["avx512"] if _core.simd_level() == "avx512" else []
)
# Small integers keep the products exact in float32, so ties are real ties in both.
elems = st.integers(-3, 3).map(float)


@settings(max_examples=150)
@given(
    st.integers(0, 14), st.integers(0, 40), st.integers(1, 9), st.integers(1, 12),
    st.sampled_from(LEVELS), st.sampled_from([1, 2, 3]), st.data(),
)
def test_compat_topk_matches_reference(nq, nx, d, k, simd, n_jobs, data):
    q = data.draw(hnp.arrays(np.float32, (nq, d), elements=elems))
    x = data.draw(hnp.arrays(np.float32, (nx, d), elements=elems))
    ncls = 4
    S = data.draw(hnp.arrays(np.float32, (ncls, ncls), elements=st.sampled_from([0.0, 0.25, 0.5, 1.0])))
    cq = data.draw(hnp.arrays(np.int64, nq, elements=st.integers(-1, ncls - 1)))
    cx = data.draw(hnp.arrays(np.int64, nx, elements=st.integers(-1, ncls - 1)))
    haz = data.draw(hnp.arrays(np.bool_, nq))
    acc = data.draw(hnp.arrays(np.bool_, nx))
    blk = data.draw(hnp.arrays(np.bool_, nx))
    ws = data.draw(st.sampled_from([0.0, 0.5, 1.0, -0.5]))
    ms = data.draw(st.sampled_from([0.0, 0.3]))
    got = top_k_compatible(
        q, x, k=k, supply_class=cq, demand_class=cx, substitution=S, w_similarity=ws,
        min_substitution=ms, supply_hazardous=haz, demand_accepts_hazardous=acc,
        demand_blocked=blk, n_jobs=n_jobs, simd=simd,
    )
    flags = np.where(acc, 2, 0) | blk.astype(int)
    want_i, want_s = ref.compat_topk(q, x, cq, cx, S, haz, flags, k, ws, 1 - ws, 0.5, ms)
    assert got.index.shape == want_i.shape == (nq, min(k, nx))
    np.testing.assert_allclose(got.score, want_s, rtol=1e-5, atol=1e-5)
    # indices agree except where float rounding reorders near-equal scores
    valid = want_i >= 0
    assert ((got.index >= 0) == valid).all()
    same = got.index == want_i
    if not same.all():
        s = want_s[~same]
        # every disagreement must sit on a (near) tie
        assert np.all(np.abs(got.score[~same] - s) < 1e-5)
    assert np.isfinite(got.score[valid]).all()


@settings(max_examples=60)
@given(st.integers(1, 30), st.integers(1, 60), st.sampled_from(LEVELS), st.data())
def test_any_layout_and_thread_count_give_identical_results(nq, nx, simd, data):
    d = 16
    q = data.draw(hnp.arrays(np.float32, (nq, d), elements=st.floats(-2, 2, width=32)))
    x = data.draw(hnp.arrays(np.float32, (nx, d), elements=st.floats(-2, 2, width=32)))
    base = top_k_compatible(q, x, k=7, w_similarity=1.0, n_jobs=1, simd=simd)
    qf = np.asfortranarray(q)
    xs = np.repeat(x, 2, axis=0)[::2]
    xs.setflags(write=False)
    for nj in (2, 3):
        r = top_k_compatible(qf, xs, k=7, w_similarity=1.0, n_jobs=nj, simd=simd)
        np.testing.assert_array_equal(r.index, base.index)
        np.testing.assert_array_equal(r.score, base.score)


@settings(max_examples=100)
@given(st.lists(st.text(alphabet="abcdef xyzé", max_size=20), max_size=6), st.integers(2, 64),
       st.integers(1, 3), st.integers(0, 2))
def test_hash_embed_matches_reference(texts, dim, lo, span):
    got = _core.hash_embed(texts, dim, lo, lo + span, 1.0, 2)
    want = ref.hash_embed(texts, dim, lo, lo + span, 1.0)
    np.testing.assert_allclose(got, want, atol=1e-6)
