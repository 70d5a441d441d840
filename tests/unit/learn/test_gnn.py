"""LinkPredictor: leakage, determinism, persistence, errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("torch")
pytest.importorskip("torch_geometric")

from symbioflows.errors import (  # noqa: E402
    FormatVersionError,
    InvalidInputError,
    NotFittedError,
    UnknownNodeError,
    UnsafeFileError,
)
from symbioflows.learn import LinkPredictor, edge_set, link_split, roc_auc  # noqa: E402


def test_roc_auc_matches_sklearn():
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    pos, neg = rng.normal(1, 1, 50), rng.normal(0, 1, 70)
    pos[:5] = neg[:5]  # ties
    y = np.r_[np.ones(50), np.zeros(70)]
    assert roc_auc(pos, neg) == pytest.approx(sk.roc_auc_score(y, np.r_[pos, neg]))
    assert np.isnan(roc_auc([], [1.0]))


def test_link_split_disjoint_and_grouped():
    rng = np.random.default_rng(0)
    e = rng.integers(0, 30, (2, 200))
    sp = link_split(e, val_fraction=0.2, test_fraction=0.2, rng=1)
    tr, va, te = edge_set(sp.train), edge_set(sp.val), edge_set(sp.test)
    assert not (tr & va) and not (tr & te) and not (va & te)
    assert tr | va | te == edge_set(e)
    groups = np.arange(200) % 5
    sg = link_split(e, val_fraction=0.2, test_fraction=0.2, groups=groups, rng=1)
    assert not (edge_set(sg.message_passing) & (edge_set(sg.val) | edge_set(sg.test)))
    with pytest.raises(InvalidInputError):
        link_split(e, val_fraction=0.6, test_fraction=0.5)


def test_no_leakage_into_message_passing(net, small_kw, monkeypatch):
    """Held-out exchanges never enter message passing: neither the validation edges during
    fit, nor edges not given to fit (the test parks) at prediction time."""
    ex = net["exchanges"]
    test_mask = ex["park"] == "park0"
    train_ex = ex[~test_mask]
    seen: list[set[tuple[int, int]]] = []
    orig = LinkPredictor._tensors

    def spy(self, graph, mp_edges, device):
        seen.append(edge_set(mp_edges))
        return orig(self, graph, mp_edges, device)

    monkeypatch.setattr(LinkPredictor, "_tensors", spy)
    lp = LinkPredictor(val_fraction=0.2, **small_kw).fit(net, train_ex)
    lp.predict(train_ex.iloc[:3])
    g = lp.graph_
    val = edge_set(lp.split_.val)
    train = edge_set(lp.split_.train)
    assert val and not (val & train)
    test_idx = set(
        zip(
            g.stream_index(ex.loc[test_mask, "supplier_stream_id"]).tolist(),
            g.stream_index(ex.loc[test_mask, "receiver_stream_id"]).tolist(),
        )
    )
    assert test_idx
    # every message-passing edge set used during fit avoids validation and test edges
    fit_sets = seen[:-1]
    assert len(fit_sets) >= 2
    for s in fit_sets:
        assert not (s & val), "validation edge leaked into message passing"
        assert not (s & test_idx), "test edge leaked into message passing"
        assert s <= train
    # prediction-time message passing: all fitted exchanges, none of the held-out park
    assert not (seen[-1] & test_idx)
    assert seen[-1] == edge_set(lp.message_passing_edges_) == train | val
    assert not (edge_set(g.exchanges) & test_idx)


def test_deterministic_for_fixed_seed(net, small_kw):
    a = LinkPredictor(**small_kw).fit(net)
    b = LinkPredictor(**small_kw).fit(net)
    pairs = net["exchanges"].iloc[:10]
    np.testing.assert_array_equal(a.predict(pairs), b.predict(pairs))
    assert [h["loss"] for h in a.history_] == [h["loss"] for h in b.history_]
    c = LinkPredictor(**{**small_kw, "rng": 8}).fit(net)
    assert not np.array_equal(a.predict(pairs), c.predict(pairs))


def test_learns_synthetic_structure():
    from symbioflows.learn._synthetic import make_synthetic_network

    net = make_synthetic_network(n_parks=4, companies_per_park=8, rng=0, noise=0.0)
    lp = LinkPredictor(hidden_dim=32, n_layers=1, max_epochs=60, val_fraction=0.0,
                       text_encoder="hashing", embed_dim=64, device="cpu", n_jobs=1, rng=0).fit(net)
    ex = net["exchanges"]
    dem = net["streams"].query("direction == 'demand'")["stream_id"].to_numpy()
    rng = np.random.default_rng(0)
    neg = list(zip(ex["supplier_stream_id"], rng.choice(dem, len(ex))))
    assert roc_auc(lp.predict(ex), lp.predict(neg)) > 0.7  # fits its training edges


def test_predict_recommend_and_errors(net, small_kw):
    with pytest.raises(NotFittedError):
        LinkPredictor().predict([("a", "b")])
    lp = LinkPredictor(**small_kw).fit(net)
    p = lp.predict(net["exchanges"])
    assert p.shape == (len(net["exchanges"]),) and ((p > 0) & (p < 1)).all()
    assert lp.predict([]).shape == (0,)
    with pytest.raises(UnknownNodeError, match="nope"):
        lp.predict([("nope", "S1")])
    sup = net["streams"].query("direction == 'supply'")["stream_id"].iloc[:3].tolist()
    rec = lp.recommend(sup, k=4)
    assert list(rec.columns) == ["supplier_stream_id", "receiver_stream_id", "score", "rank"]
    assert rec.groupby("supplier_stream_id").size().max() <= 4
    for _, grp in rec.groupby("supplier_stream_id"):
        assert grp["score"].is_monotonic_decreasing
    known = edge_set(np.vstack([lp.graph_.stream_index(rec["supplier_stream_id"]),
                                lp.graph_.stream_index(rec["receiver_stream_id"])]))
    assert not (known & edge_set(lp.message_passing_edges_))
    m = lp.score_matrix(sup, rec["receiver_stream_id"].unique())
    assert m.shape == (3, rec["receiver_stream_id"].nunique())
    with pytest.raises(InvalidInputError):
        LinkPredictor(hidden_dim=0).fit(net)
    with pytest.raises(InvalidInputError, match="no exchanges"):
        LinkPredictor(**small_kw).fit(net, net["exchanges"].iloc[:0])
    with pytest.raises(InvalidInputError, match="column"):
        LinkPredictor(**small_kw).fit(net, pd.DataFrame({"a": [1]}))


def test_save_load_identical_and_refusals(net, small_kw, tmp_path):
    lp = LinkPredictor(**small_kw).fit(net)
    path = tmp_path / "lp"
    lp.save(path)
    lp2 = LinkPredictor.load(path, device="cpu")
    pairs = net["exchanges"]
    np.testing.assert_array_equal(lp.predict(pairs), lp2.predict(pairs))
    pd.testing.assert_frame_equal(lp.recommend(["S0"], k=3), lp2.recommend(["S0"], k=3))

    # tampered weights: one byte flipped -> refused before any weight is used
    w = path / "weights.safetensors"
    data = bytearray(w.read_bytes())
    data[-1] ^= 0xFF
    w.write_bytes(bytes(data))
    with pytest.raises(UnsafeFileError, match="sha256"):
        LinkPredictor.load(path)

    # wrong (newer) format version
    lp.save(path)
    man = json.loads((path / "manifest.json").read_text())
    man["version"] = 99
    (path / "manifest.json").write_text(json.dumps(man))
    with pytest.raises(FormatVersionError, match="version 99"):
        LinkPredictor.load(path)

    # edited config (hidden size) without fixing hashes -> refused
    lp.save(path)
    cfg = path / "config.json"
    cfg.write_text(cfg.read_text().replace('"hidden_dim": 16', '"hidden_dim": 17'))
    with pytest.raises(UnsafeFileError):
        LinkPredictor.load(path)

    # something that is not an artefact at all
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "weights.pt").write_bytes(b"\x80\x04not a pickle")
    with pytest.raises(UnsafeFileError):
        LinkPredictor.load(tmp_path / "junk")
