"""Feedback loop: incremental improvement, persistence, registry with rollback."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from symbioflows.errors import InvalidInputError, NotFittedError, UnsafeFileError
from symbioflows.learn.feedback import FeedbackScorer, ModelRegistry


def _feedback(net, rng):
    st = net["streams"]
    ex = net["exchanges"]
    dem = st.loc[st.direction == "demand", "stream_id"].to_numpy()
    good = ex[["supplier_stream_id", "receiver_stream_id"]].assign(accepted=True)
    bad = pd.DataFrame({"supplier_stream_id": ex["supplier_stream_id"],
                        "receiver_stream_id": rng.choice(dem, len(ex)), "accepted": False})
    known = set(zip(ex.supplier_stream_id, ex.receiver_stream_id))
    bad = bad[[(a, b) not in known for a, b in zip(bad.supplier_stream_id, bad.receiver_stream_id)]]
    return pd.concat([good, bad], ignore_index=True).sample(frac=1.0, random_state=0)


def test_update_improves_ranking(net):
    from symbioflows.learn import roc_auc

    sc = FeedbackScorer(rng=0).fit({"streams": net["streams"], "companies": net["companies"]})
    fb = _feedback(net, np.random.default_rng(0))
    held = _feedback(net, np.random.default_rng(1))

    def auc():
        p = sc.score(held)
        return roc_auc(p[held.accepted.to_numpy()], p[~held.accepted.to_numpy()])

    before = auc()
    for a in range(0, len(fb), 20):
        sc.update(fb.iloc[a : a + 20])
    after = auc()
    assert sc.n_updates_ == len(fb)
    assert after > before + 0.1


def test_rejections_push_a_pair_down(net):
    sc = FeedbackScorer(rng=0).fit(net)
    pair = [("S0", "S5")]
    p0 = sc.score(pair)[0]
    for _ in range(3):
        sc.update(pd.DataFrame({"supplier_stream_id": ["S0"], "receiver_stream_id": ["S5"], "outcome": ["rejected"]}))
    assert sc.score(pair)[0] < p0


def test_feedback_errors(net):
    with pytest.raises(NotFittedError):
        FeedbackScorer().update(pd.DataFrame())
    sc = FeedbackScorer().fit(net)
    with pytest.raises(InvalidInputError, match="accepted"):
        sc.update(pd.DataFrame({"supplier_stream_id": ["S0"], "receiver_stream_id": ["S5"]}))
    with pytest.raises(InvalidInputError, match="maybe"):
        sc.update(pd.DataFrame({"supplier_stream_id": ["S0"], "receiver_stream_id": ["S5"], "accepted": ["maybe"]}))
    assert sc.update(pd.DataFrame()) is sc


def test_deterministic_and_save_load(net, tmp_path):
    fb = _feedback(net, np.random.default_rng(0))
    a = FeedbackScorer(rng=3).fit(net).update(fb)
    b = FeedbackScorer(rng=3).fit(net).update(fb)
    np.testing.assert_array_equal(a.score(fb), b.score(fb))
    a.save(tmp_path / "fs")
    c = FeedbackScorer.load(tmp_path / "fs")
    np.testing.assert_array_equal(a.score(fb), c.score(fb))
    # loaded scorer keeps learning exactly like the original
    a.update(fb.iloc[:10])
    c.update(fb.iloc[:10])
    np.testing.assert_allclose(a.score(fb), c.score(fb), rtol=0, atol=1e-12)
    (tmp_path / "fs" / "model.npz").write_bytes(b"PK\x03\x04 tampered")
    with pytest.raises(UnsafeFileError):
        FeedbackScorer.load(tmp_path / "fs")


def test_registry_versions_and_rollback(net, tmp_path):
    reg = ModelRegistry(tmp_path / "reg")
    sc = FeedbackScorer(rng=0).fit(net)
    v1 = reg.register(sc, metrics={"auc": 0.6}, note="initial")
    fb = _feedback(net, np.random.default_rng(0))
    sc.update(fb)
    v2 = reg.register(sc, metrics={"auc": 0.8}, note="after feedback")
    assert (v1, v2) == (1, 2) and reg.active_version() == 2
    table = reg.versions()
    assert table["version"].tolist() == [1, 2] and table["active"].tolist() == [False, True]
    assert table.loc[1, "n_updates"] == len(fb)
    np.testing.assert_array_equal(reg.load().score(fb), sc.score(fb))
    reg.rollback(1)
    assert reg.active_version() == 1
    old = reg.load()
    assert old.n_updates_ == 0
    assert not np.array_equal(old.score(fb), sc.score(fb))
    with pytest.raises(InvalidInputError):
        reg.rollback(7)
    with pytest.raises(InvalidInputError):
        reg.register(sc, name="../escape")
    idx = tmp_path / "reg" / "feedback" / "registry.json"
    assert json.loads(idx.read_text())["active"] == 1
    idx.write_text("{not json")
    with pytest.raises(UnsafeFileError):
        reg.versions()


def test_registry_mlflow_absent_is_skipped_cleanly(tmp_path, caplog):
    pytest.importorskip("sklearn")
    try:
        import mlflow  # noqa: F401
    except ImportError:
        reg = ModelRegistry(tmp_path, mlflow=True)
        assert reg.mlflow is False
        assert "MLflow is not installed" in caplog.text
    else:  # pragma: no cover
        pytest.skip("MLflow installed; the fallback path is not exercised")
