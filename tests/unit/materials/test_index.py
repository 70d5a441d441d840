from __future__ import annotations

import pickle

import numpy as np
import pytest

from symbioflows.errors import (
    FormatVersionError,
    InvalidInputError,
    NotFittedError,
    UnsafeFileError,
)

faiss = pytest.importorskip("faiss")

from symbioflows.materials.index import MaterialIndex  # noqa: E402


def clustered(n, d=32, n_centers=40, seed=0):
    centers = np.random.default_rng(123).standard_normal((n_centers, d))
    rng = np.random.default_rng(seed)
    lab = rng.integers(0, n_centers, n)
    x = centers[lab] + 0.35 * rng.standard_normal((n, d))
    return x.astype(np.float32), lab


@pytest.fixture(scope="module")
def data():
    return clustered(3000)


@pytest.mark.parametrize("method", ["hnsw", "ivf"])
def test_approximate_index_reaches_target_recall(data, method):
    x, lab = data
    idx = MaterialIndex(exact_threshold=500, method=method, target_recall=0.95, hnsw_m=16,
                        ef_construction=64)
    idx.add(x).build()
    assert idx.kind_ == method and idx.recall_ >= 0.95
    q, _ = clustered(100, seed=1)
    assert idx.recall_at_k(q, 10) >= 0.9


def test_flat_is_exact_and_filters(data):
    x, lab = data
    n = len(x)
    cls = ["steam" if v % 2 else "coal_fly_ash" for v in lab]
    haz = (np.arange(n) % 3 == 0).tolist()
    dirs = ["supply" if i % 2 else "demand" for i in range(n)]
    idx = MaterialIndex(exact_threshold=10_000)
    idx.add(x, ids=[f"s{i}" for i in range(n)], material_class=cls, hazardous=haz, direction=dirs)
    res = idx.search(x[:5], k=3)
    assert [r[0] for r in res.ids] == [f"s{i}" for i in range(5)]
    res = idx.search(x[:5], k=4, hazardous=True, material_class="steam", direction="supply")
    for row in res.rows:
        for j in row[row >= 0]:
            assert haz[j] and cls[j] == "steam" and dirs[j] == "supply"


def test_filtered_approximate_search(data):
    x, lab = data
    idx = MaterialIndex(exact_threshold=100, hnsw_m=16, ef_construction=64)
    idx.add(x, material_class=[str(v % 4) for v in lab])
    for klass in ("0", ["1", "2"]):
        res = idx.search(x[:20], k=5, material_class=klass)
        allowed = {klass} if isinstance(klass, str) else set(klass)
        for row in res.rows:
            assert all(str(lab[j] % 4) in allowed for j in row if j >= 0)


def test_save_load_roundtrip_and_tamper(tmp_path, data):
    x, _ = data
    idx = MaterialIndex(exact_threshold=500, hnsw_m=16, ef_construction=64)
    idx.add(x[:1000], ids=list(range(1000)), hazardous=[True] * 1000)
    p = idx.save(tmp_path / "ix")
    back = MaterialIndex.load(p)
    assert back.kind_ == "hnsw" and len(back) == 1000
    a = idx.search(x[:10], k=5)
    b = back.search(x[:10], k=5)
    np.testing.assert_array_equal(a.rows, b.rows)
    assert b.ids[0][0] == 0
    # pickling round-trips through FAISS's own bytes
    c = pickle.loads(pickle.dumps(back))
    np.testing.assert_array_equal(c.search(x[:10], k=5).rows, a.rows)
    # tampered payload is refused
    blob = (p / "index.faiss").read_bytes()
    (p / "index.faiss").write_bytes(blob[:-8] + b"\0" * 8)
    with pytest.raises(UnsafeFileError):
        MaterialIndex.load(p)
    # a newer format version is refused
    idx.save(tmp_path / "iy")
    import json

    man = json.loads((tmp_path / "iy" / "manifest.json").read_text())
    man["version"] = 99
    (tmp_path / "iy" / "manifest.json").write_text(json.dumps(man))
    with pytest.raises(FormatVersionError):
        MaterialIndex.load(tmp_path / "iy")


def test_bad_inputs(data):
    x, _ = data
    idx = MaterialIndex()
    with pytest.raises(NotFittedError):
        idx.search(x[:1])
    idx.add(x[:10])
    with pytest.raises(InvalidInputError, match="dimension"):
        idx.search(x[:1, :5])
    with pytest.raises(InvalidInputError, match="duplicate"):
        idx.add(x[:1], ids=[3])
    bad = x[:2].copy()
    bad[1, 0] = np.nan
    with pytest.raises(InvalidInputError, match="row 1"):
        idx.search(bad)
    with pytest.raises(InvalidInputError):
        idx.search(x[:1], k=0)
    assert idx.search(x[:1], k=50).rows.shape == (1, 50)
