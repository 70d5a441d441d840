"""Federated training with Flower strategies: runs, compares, and keeps raw rows local."""

from __future__ import annotations

import gc

import numpy as np
import pytest

pytest.importorskip("flwr")

from symbioflows.errors import InvalidInputError  # noqa: E402
from symbioflows.learn.federated import (  # noqa: E402
    gaussian_dp_epsilon,
    gaussian_dp_epsilon_exact,
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
    assert a.epsilon == pytest.approx(gaussian_dp_epsilon_exact(1.0, 3, 1e-5))
    assert a.strategy == "fedavg+dp" and a.delta == 1e-5
    p = a.privacy
    assert p["epsilon_rdp_bound"] == pytest.approx(gaussian_dp_epsilon(1.0, 3, 1e-5))
    assert p["epsilon"] < p["epsilon_rdp_bound"]
    assert (p["noise_multiplier"], p["clipping_norm"], p["rounds"], p["clients_per_round"]) == (1.0, 0.5, 3, 4)
    assert "no amplification" in p["sampling"] and p["aggregation"].startswith("unweighted")
    assert gaussian_dp_epsilon(2.0, 3, 1e-5) < gaussian_dp_epsilon(1.0, 3, 1e-5)
    assert gaussian_dp_epsilon(1.0, 6, 1e-5) > gaussian_dp_epsilon(1.0, 3, 1e-5)


def test_exact_gaussian_accountant():
    """The mu-GDP curve: delta(eps) recomputed from the returned eps gives the target delta;
    T rounds at noise z equal one round at z / sqrt(T); tighter than the RDP bound."""
    from scipy.stats import norm

    for z, t in [(1.0, 1), (1.0, 30), (3.0, 30), (0.7, 5)]:
        eps = gaussian_dp_epsilon_exact(z, t, 1e-5)
        mu = np.sqrt(t) / z
        d = norm.cdf(-eps / mu + mu / 2) - np.exp(eps) * norm.cdf(-eps / mu - mu / 2)
        assert d == pytest.approx(1e-5, rel=1e-6)
        assert eps == pytest.approx(gaussian_dp_epsilon_exact(z / np.sqrt(t), 1, 1e-5), rel=1e-9)
        assert eps < gaussian_dp_epsilon(z, t, 1e-5)
    assert gaussian_dp_epsilon_exact(0.0, 3, 1e-5) == float("inf")
    with pytest.raises(InvalidInputError):
        gaussian_dp_epsilon_exact(1.0, 3, 1.5)


def test_dp_weights_every_client_equally(clients):
    """Under DP each client reports weight 1 (the noise is sized for an unweighted mean)."""
    res = run_federated(clients, n_rounds=1, noise_multiplier=1.0, clipping_norm=0.5)
    sent = [m for m in res.transcript if m["direction"] == "client->server" and m["kind"] == "fit"]
    assert {m["config"]["num_examples"] for m in sent} == {1}
    plain = run_federated(clients, n_rounds=1)
    assert {m["config"]["num_examples"] for m in plain.transcript
            if m["direction"] == "client->server" and m["kind"] == "fit"} == {c.n_examples for c in clients}


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


# --- secure aggregation: Flower's SecAgg+ on Flower's simulation engine (Ray) -------------

MOD = 2**32

# Flower's simulation engine runs on Ray; ray.shutdown() leaves its raylet Popen handles and
# /dev/null files to the garbage collector (collected in the fixture, under these filters)
ray_marks = [
    pytest.mark.extra,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]


def _with_ray(fn):
    for m in ray_marks:
        fn = m(fn)
    return fn


def _quantised(params: list[np.ndarray], ratio: float, c: float, q: int) -> np.ndarray:
    """A client's weighted model on SecAgg+'s integer grid, before any mask (the floor of
    Flower's stochastic rounding; the rounded value is this or this + 1)."""
    flat = np.concatenate([np.asarray(p, dtype=np.float64).ravel() for p in params])
    return np.floor((np.clip(flat * ratio, -c, c) + c) * q / (2 * c)).astype(np.int64)


_HOST: dict[str, object] = {}


@pytest.fixture(scope="module")
def secagg_run(clients, tmp_path_factory):
    """One SecAgg+ run, with HOME pointed at an empty folder to see what Flower leaves there."""
    pytest.importorskip("ray")
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        import os

        before = dict(os.environ)
        try:
            return run_federated(clients, n_rounds=2, local_epochs=2, secure_aggregation=True)
        finally:
            _HOST.update(home=home, env_before=before, env_after=dict(os.environ))
            gc.collect()


@_with_ray
def test_secagg_leaves_home_and_environment_untouched(secagg_run):
    """Flower writes ~/.flwr/source for its telemetry: before the fix the run left it in the
    user's home (issue 18, item 12)."""
    assert sorted(p.name for p in _HOST["home"].iterdir()) == []
    assert _HOST["env_after"] == _HOST["env_before"]


@_with_ray
def test_secagg_matches_fedavg_up_to_quantisation(clients, secagg_run):
    """Masks cancel exactly (mod 2^32); what differs from FedAvg is SecAgg+'s stochastic
    rounding. One round: each client's weighted value moves by < one step 2c/Q, so the mean
    moves by < n * (2c/Q) / sum(w_i / max_w) (``quantisation_bound``, 4.7e-6 here). After two
    rounds the clients' local SGD carries that perturbation on: allowed ten times the bound."""
    from symbioflows.learn._secagg import quantisation_bound

    res = secagg_run
    assert res.strategy == "fedavg+secagg" and res.secure_aggregation["protocol"].startswith("SecAgg+")
    info = res.secure_aggregation
    n = [c.n_examples for c in clients]
    bound = quantisation_bound(n, max_weight=info["max_weight"], clipping_range=info["clipping_range"],
                               quantization_range=info["quantization_range"])
    assert 0 < bound < 1e-4
    # round 1: the global model the server sent in round 2 is SecAgg+'s first aggregate
    sent = [m for m in res.transcript if m["direction"] == "server->client" and m["kind"] == "collect_masked_vectors"
            and m["round"] == "2"]
    first = np.load(__import__("io").BytesIO(sent[0]["tensors"][0]), allow_pickle=False)
    plain1 = run_federated(clients, n_rounds=1, local_epochs=2)
    assert np.abs(first - plain1.coef).max() <= bound
    plain = run_federated(clients, n_rounds=2, local_epochs=2)
    assert np.abs(res.coef - plain.coef).max() <= 10 * bound
    assert abs(res.intercept - plain.intercept) <= 10 * bound
    assert [h["round"] for h in res.history] == [1, 2]
    assert res.history[-1]["train_loss"] == pytest.approx(plain.history[-1]["train_loss"], abs=1e-4)


@_with_ray
def test_secagg_server_never_sees_an_unmasked_update_or_a_raw_row(net, clients, secagg_run):
    """The transcript is every message the server's Grid sent or received. Clients send no
    float arrays at all; their model travels only as integer vectors masked mod 2^32, which
    agree with the client's own (recomputed) unmasked quantised update in almost no
    coordinate; and no id or text of any client's rows appears in any byte."""
    res = secagg_run
    info = res.secure_aggregation
    c, q, max_w = info["clipping_range"], info["quantization_range"], info["max_weight"]
    received = [m for m in res.transcript if m["direction"] == "client->server"]
    assert received and all(not m["has_error"] for m in received)
    allowed = {
        "setup": {"secaggplus_configs.pk1", "secaggplus_configs.pk2"},
        "share_keys": {"secaggplus_configs.dsts", "secaggplus_configs.ctxts"},
        "collect_masked_vectors": {"secaggplus_configs.masked_params", "fitres.status.code",
                                   "fitres.status.message", "fitres.num_examples.num_examples"},
        "unmask": {"secaggplus_configs.nids", "secaggplus_configs.shares"},
        "evaluate": {"evaluateres.status.code", "evaluateres.status.message", "evaluateres.loss.loss",
                     "evaluateres.num_examples.num_examples"},
    }
    for m in received:
        assert m["tensors"] == [], "a client sent a float array to the server"
        assert set(m["config"]) | set(m["metrics"]) <= allowed[m["kind"]], m["kind"]
    # every client's true update in each round, recomputed from the global model it was sent
    masked = [m for m in received if m["kind"] == "collect_masked_vectors"]
    assert len(masked) == 2 * len(clients)
    for rnd in ("1", "2"):
        sent = next(m for m in res.transcript if m["direction"] == "server->client"
                    and m["kind"] == "collect_masked_vectors" and m["round"] == rnd)
        glob = [np.load(__import__("io").BytesIO(t), allow_pickle=False) for t in sent["tensors"]]
        cfg = {k.split(".")[-1]: v for k, v in sent["config"].items() if k.startswith("fitins.config.")}
        for client in clients:
            arrays, n, _ = client.fit(glob, cfg)
            ratio = round(n / max_w * q) / q
            plain = _quantised(arrays, ratio, c, q)
            for m in (m for m in masked if m["round"] == rnd):
                vec = np.concatenate([np.load(__import__("io").BytesIO(b), allow_pickle=False).ravel()
                                      for b in m["config"]["secaggplus_configs.masked_params"]][1:]).astype(np.int64)
                assert vec.shape == plain.shape
                assert vec.min() >= 0 and vec.max() < MOD
                same = ((vec - plain) % MOD <= 1).mean()
                assert same < 0.01, f"round {rnd}: a masked vector equals {client.cid}'s update in {same:.0%}"
    blob = bytearray()
    for m in res.transcript:
        for t in m["tensors"]:
            blob += t
        for v in list(m["config"].values()) + list(m["metrics"].values()):
            for part in v if isinstance(v, list) else [v]:
                blob += part if isinstance(part, bytes) else repr(part).encode()
    raw = bytes(blob)
    for s in net["streams"]["material"].tolist() + net["companies"]["name"].tolist():
        assert str(s).encode() not in raw, f"raw value {s!r} reached the server"


@_with_ray
def test_secagg_with_client_side_dp(clients):
    """DP under SecAgg+: clients clip (Flower's fixedclipping_mod), the server adds noise to
    the sum it can unmask (DifferentialPrivacyClientSideFixedClipping). Clipping and noise
    (same seed) equal the server-side DP run, so the two models agree up to quantisation."""
    pytest.importorskip("ray")
    try:
        a = run_federated(clients, n_rounds=1, noise_multiplier=1.0, clipping_norm=0.5, rng=3, secure_aggregation=True)
    finally:
        gc.collect()
    b = run_federated(clients, n_rounds=1, noise_multiplier=1.0, clipping_norm=0.5, rng=3)
    assert a.strategy == "fedavg+secagg+dp" and a.privacy["clipping"].startswith("client-side")
    assert a.secure_aggregation["max_weight"] == 1.0  # unweighted mean under DP
    np.testing.assert_allclose(a.coef, b.coef, atol=1e-4)
    assert a.epsilon == b.epsilon == pytest.approx(gaussian_dp_epsilon_exact(1.0, 1, 1e-5))


def test_secagg_needs_three_clients(clients):
    with pytest.raises(InvalidInputError, match="at least 3 clients"):
        run_federated(clients[:2], secure_aggregation=True)
