"""Bad and edge inputs of the compatibility kernel (RELIABILITY.md, similarity top-k)."""

from __future__ import annotations

import numpy as np
import pytest

from symbioflows.errors import InvalidInputError, UnknownNodeError
from symbioflows.materials.compat import cosine_similarity, simd_level, top_k_compatible

rng = np.random.default_rng(0)
Q = rng.standard_normal((5, 8)).astype(np.float32)
X = rng.standard_normal((9, 8)).astype(np.float32)


def test_dimension_mismatch_and_ndim():
    with pytest.raises(InvalidInputError, match="dim 8 but demand embeddings have dim 7"):
        top_k_compatible(Q, X[:, :7])
    with pytest.raises(InvalidInputError, match="2-D"):
        top_k_compatible(Q[0], X)


def test_object_dtype_is_a_type_error():
    with pytest.raises(TypeError, match="dtype object"):
        top_k_compatible(np.array([[1, "a"]], dtype=object), X[:, :2])


def test_nan_row_is_named():
    q = Q.copy()
    q[3, 2] = np.nan
    with pytest.raises(InvalidInputError, match="row 3"):
        top_k_compatible(q, X)
    x = X.copy()
    x[7, 0] = np.inf
    with pytest.raises(InvalidInputError, match="row 7"):
        top_k_compatible(Q, x)


def test_empty_and_clamped():
    r = top_k_compatible(Q[:0], X, k=3)
    assert r.index.shape == (0, 3)
    r = top_k_compatible(Q, X[:0], k=3)
    assert r.index.shape == (5, 0)
    r = top_k_compatible(Q, X, k=100)
    assert r.index.shape == (5, 9)
    assert sorted(r.index[0].tolist()) == list(range(9))
    with pytest.raises(InvalidInputError):
        top_k_compatible(Q, X, k=0)


def test_zero_vectors_give_cosine_zero():
    q = np.zeros((2, 8), np.float32)
    r = top_k_compatible(q, X, k=3, w_similarity=1.0)
    assert np.all(r.score == 0.0)
    assert r.index.tolist() == [[0, 1, 2], [0, 1, 2]]  # ties -> lowest index first
    c = cosine_similarity(q, X)
    assert np.all(c == 0) and not np.isnan(c).any()


def test_float16_fortran_readonly_strided():
    base = top_k_compatible(Q, X, k=4, w_similarity=1.0)
    q16 = Q.astype(np.float16)
    r16 = top_k_compatible(q16, X, k=4, w_similarity=1.0)
    want = top_k_compatible(q16.astype(np.float32), X, k=4, w_similarity=1.0)
    np.testing.assert_array_equal(r16.index, want.index)
    xf = np.asfortranarray(X)
    xf.setflags(write=False)
    qs = np.repeat(Q, 3, axis=0)[::3]
    r = top_k_compatible(qs, xf, k=4, w_similarity=1.0)
    np.testing.assert_array_equal(r.index, base.index)


def test_filters():
    S = np.ones((2, 2), np.float32)
    r = top_k_compatible(Q, X, k=9, supply_class=[0] * 5, demand_class=[1] * 9, substitution=S,
                         demand_blocked=np.arange(9) < 4, supply_hazardous=[True] * 5,
                         demand_accepts_hazardous=np.arange(9) % 2 == 0)
    kept = {4, 6, 8}
    for row in r.index:
        assert set(row[row >= 0].tolist()) == kept
        assert (row[3:] == -1).all()
    assert np.isneginf(r.score[:, 3:]).all()
    df = r.to_pandas()
    assert len(df) == 15


def test_class_checks():
    with pytest.raises(UnknownNodeError):
        top_k_compatible(Q, X, supply_class=["not_a_class"] * 5, demand_class=["steam"] * 9)
    with pytest.raises(UnknownNodeError):
        top_k_compatible(Q, X, supply_class=[5] * 5, demand_class=[0] * 9,
                         substitution=np.eye(2))
    with pytest.raises(InvalidInputError, match="has 2 values for 5 rows"):
        top_k_compatible(Q, X, supply_class=["steam"] * 2, demand_class=["steam"] * 9)


def test_simd_choice():
    assert simd_level() in ("avx512", "avx2", "portable")
    with pytest.raises(InvalidInputError):
        top_k_compatible(Q, X, simd="sse9")


def test_threads_stress_byte_identical():
    from concurrent.futures import ThreadPoolExecutor

    q = rng.standard_normal((50, 32)).astype(np.float32)
    x = rng.standard_normal((500, 32)).astype(np.float32)
    base = top_k_compatible(q, x, k=10, n_jobs=1)
    with ThreadPoolExecutor(4) as ex:
        outs = list(ex.map(lambda nj: top_k_compatible(q, x, k=10, n_jobs=nj), [1, 2, 3, 4] * 2))
    for o in outs:
        np.testing.assert_array_equal(o.index, base.index)
        np.testing.assert_array_equal(o.score, base.score)


LEVELS = ["portable"] + (["avx2"] if simd_level() in ("avx2", "avx512") else []) + (
    ["avx512"] if simd_level() == "avx512" else [])


@pytest.mark.parametrize("d", [383, 385, 769])
@pytest.mark.parametrize("simd", LEVELS)
def test_deep_embeddings_match_the_reference(d, simd):
    """Depths past one k-block of the micro-kernel (384) park partial sums between blocks."""
    from symbioflows.materials import _reference as ref

    r = np.random.default_rng(d)
    q = r.standard_normal((21, d)).astype(np.float32)
    x = r.standard_normal((131, d)).astype(np.float32)
    S = r.random((3, 3)).astype(np.float32)
    cq, cx = r.integers(-1, 3, 21), r.integers(-1, 3, 131)
    haz, acc, blk = r.random(21) < 0.3, r.random(131) < 0.5, r.random(131) < 0.1
    got = top_k_compatible(q, x, k=7, supply_class=cq, demand_class=cx, substitution=S,
                           w_similarity=0.7, supply_hazardous=haz, demand_accepts_hazardous=acc,
                           demand_blocked=blk, n_jobs=2, simd=simd)
    flags = np.where(acc, 2, 0) | blk.astype(int)
    want_i, want_s = ref.compat_topk(q, x, cq, cx, S, haz, flags, 7, 0.7, 0.3, 0.5, 0.0)
    np.testing.assert_array_equal(got.index, want_i)
    np.testing.assert_allclose(got.score, want_s, rtol=1e-5, atol=1e-6)
    qn = q / np.linalg.norm(q, axis=1, keepdims=True)
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    np.testing.assert_allclose(cosine_similarity(q, x), qn @ xn.T, atol=2e-6)


def test_a_filter_that_drops_most_pairs_still_gives_the_exact_answer():
    """The tile test bounds each pair's score with its knowledge-and-filter term; a query whose
    pairs are nearly all filtered never fills its top-k, and the answer stays exact."""
    from symbioflows.materials import _reference as ref

    r = np.random.default_rng(3)
    q = r.standard_normal((40, 24)).astype(np.float32)
    x = r.standard_normal((3000, 24)).astype(np.float32)
    haz = np.ones(40, bool)
    acc = np.zeros(3000, bool)
    acc[[5, 77, 2999]] = True
    for ws in (1.0, 0.0, -0.5):
        got = top_k_compatible(q, x, k=5, w_similarity=ws, w_substitution=0.2,
                               supply_hazardous=haz, demand_accepts_hazardous=acc)
        want_i, want_s = ref.compat_topk(q, x, None, None, np.zeros((1, 1)), haz,
                                         np.where(acc, 2, 0), 5, ws, 0.2, 0.5, 0.0)
        np.testing.assert_array_equal(got.index, want_i)
        np.testing.assert_allclose(got.score, want_s, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("simd", LEVELS)
def test_zero_dimensional_embeddings_score_cosine_zero(simd):
    """d = 0: every cosine is 0 (found by fuzz/fuzz_kernel.py: the k-block split divided by 0)."""
    r = top_k_compatible(np.zeros((3, 0)), np.zeros((5, 0)), k=2, w_similarity=1.0, simd=simd)
    assert r.index.tolist() == [[0, 1]] * 3 and (r.score == 0).all()
    assert cosine_similarity(np.zeros((2, 0)), np.zeros((4, 0))).tolist() == [[0.0] * 4] * 2
