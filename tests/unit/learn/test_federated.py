"""Federated training with Flower strategies: runs, compares, and keeps raw rows local."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("flwr")

from symbioflows.errors import InvalidInputError  # noqa: E402
from symbioflows.learn.federated import (  # noqa: E402
    gaussian_dp_epsilon,
    make_park_clients,
    run_federated,
    train_centralised,
    train_local_only,
)


@pytest.fixture(scope="module")
def clients(net):
    ex = net["exchanges"]
    return make_park_clients(net, ex, ex["park"], rng=0)


def test_each_client_holds_only_its_park(net, clients):
    assert len(clients) == 4
    parks = net["companies"].set_index("company_id")["park"]
    for c in clients:
        assert set(parks[c._tables.companies["company_id"]]) == {c.cid}
        assert set(c._tables.exchanges["park"]) == {c.cid}


@pytest.mark.parametrize("strategy", ["fedavg", "fedprox"])
def test_federated_runs_and_learns(clients, strategy):
    res = run_federated(clients, strategy=strategy, n_rounds=4, local_epochs=2)
    assert len(res.history) == 4
    assert res.history[-1]["train_loss"] < res.history[0]["train_loss"]
    assert res.epsilon is None
    assert res.coef.shape == (clients[0].n_features,)


def test_raw_rows_never_cross_the_boundary(net, clients):
    """Instrumented transcript: every message is model arrays of the model's shape plus
    scalar config/metrics; none of a client's ids or texts appear in any byte sent."""
    res = run_federated(clients, strategy="fedprox", n_rounds=2, noise_multiplier=0.5)
    n = clients[0].n_features
    assert res.transcript
    blob = bytearray()
    for msg in res.transcript:
        assert msg["direction"] in ("server->client", "client->server")
        for v in msg["config"].values():
            assert isinstance(v, (int, float, bool)), msg["config"]
        if msg["kind"] in ("fit", "get_parameters"):
            assert msg["tensor_type"] == "numpy.ndarray"
            arrays = [np.load(__import__("io").BytesIO(t), allow_pickle=False) for t in msg["tensors"]]
            assert [a.shape for a in arrays] == [(n,), (1,)]
            assert all(a.dtype.kind == "f" for a in arrays)
        for t in msg["tensors"]:
            blob += t
        blob += repr(msg["config"]).encode()
    raw = bytes(blob)
    secrets = (
        net["streams"]["material"].tolist()
        + net["companies"]["name"].tolist()
        + [f"{a}->{b}" for a, b in zip(net["exchanges"].supplier_stream_id, net["exchanges"].receiver_stream_id)]
    )
    # (short ids such as 'S1' can occur by chance inside float bytes; long texts cannot, and
    # the shape check above leaves no room for rows of any kind)
    for s in secrets:
        assert str(s).encode() not in raw, f"raw value {s!r} crossed the boundary"
    # the numbers of values that crossed per fit message equal the model size: no room for rows
    per_msg = {len(m["tensors"]) for m in res.transcript if m["kind"] == "fit"}
    assert per_msg == {2}
    # no client ever received another client's message
    cids = {c.cid for c in clients}
    assert {m["cid"] for m in res.transcript} == cids


def test_dp_budget_reported_and_noise_seeded(clients):
    a = run_federated(clients, n_rounds=3, noise_multiplier=1.0, clipping_norm=0.5, rng=1)
    b = run_federated(clients, n_rounds=3, noise_multiplier=1.0, clipping_norm=0.5, rng=1)
    np.testing.assert_array_equal(a.coef, b.coef)
    assert a.epsilon == pytest.approx(gaussian_dp_epsilon(1.0, 3, 1e-5))
    assert a.strategy == "fedavg+dp" and a.delta == 1e-5
    assert gaussian_dp_epsilon(2.0, 3, 1e-5) < gaussian_dp_epsilon(1.0, 3, 1e-5)
    assert gaussian_dp_epsilon(1.0, 6, 1e-5) > a.epsilon


def test_baselines_and_errors(clients):
    central = train_centralised(clients, epochs=2)
    local = train_local_only(clients, epochs=2)
    assert central.coef_.shape == (clients[0].n_features,)
    assert set(local) == {c.cid for c in clients}
    with pytest.raises(InvalidInputError):
        run_federated(clients[:1])
    with pytest.raises(InvalidInputError):
        run_federated(clients, strategy="fedsgd")


def test_public_negatives_come_from_the_nace_list(net):
    pytest.importorskip("symbioflows._core")
    ex = net["exchanges"]
    plain = make_park_clients(net, ex, ex["park"], rng=0)
    public = make_park_clients(net, ex, ex["park"], rng=0, public_negatives=10)
    c = public[0]
    ids = c._featurizer.stream_ids_.tolist()
    added = [s for s in ids if s.startswith("__public_nace__")]
    assert len(added) == 10
    # the pseudo-receivers are public NACE classes, not rows of any other park
    other = set(net["streams"]["stream_id"]) - set(c._tables.streams["stream_id"])
    assert not (set(ids) & other)
    assert c._x.shape[1] == plain[0]._x.shape[1]
