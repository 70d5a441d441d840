"""Federated training of the pair scorer with Flower (``federated`` extra).

Each park (or company) is a client that keeps its streams and exchanges: it builds its own
pair features and labels locally (its exchanges as positives, random pairs inside its own
park as negatives) and sends only model arrays. The server runs Flower's own strategies,
``FedAvg`` or ``FedProx`` (the ``proximal_mu`` it sends is applied in the clients' local
SGD), optionally wrapped in Flower's ``DifferentialPrivacyServerSideFixedClipping``
(central DP: each client's update is clipped to ``clipping_norm`` and Gaussian noise of
standard deviation ``noise_multiplier * clipping_norm / n_clients`` is added to the mean).

How it runs. Plain FedAvg/FedProx (and server-side DP) run in-process: Flower's simulation
engine (``flwr.simulation``) starts Ray, which costs seconds per run, so this round loop calls
the strategy's ``configure_fit`` / ``aggregate_fit`` itself and talks to each client through a
``ClientProxy`` that serialises every message with Flower's ``ndarrays_to_parameters`` (what a
network transport would carry). Every message that crosses is recorded in
:attr:`FederatedResult.transcript`, so tests can prove that no raw row leaves a client.

Secure aggregation (``secure_aggregation=True``) runs Flower's SecAgg+ protocol, which exists
only in Flower's message-based runtime: ``SecAggPlusWorkflow`` in a ``ServerApp`` and
``secaggplus_mod`` in each ``ClientApp``, run by ``flwr.simulation.run_simulation`` on its
Ray backend (see :mod:`symbioflows.learn._secagg`). The server then receives only masked
integer vectors and their unmasked sum; the transcript is the server's own view of the run.
With DP and SecAgg+ together the clipping moves to the clients (Flower's
``fixedclipping_mod`` with ``DifferentialPrivacyClientSideFixedClipping``), because the server
can no longer see, hence clip, an individual update.

Privacy accounting (ours; Flower 1.42's legacy wrappers report no budget, and its
``RdpAccountant`` needs Google's ``dp-accounting``, not a dependency here). Every client takes
part in every round and, under DP, every client's update has weight 1 (an unweighted mean:
with FedAvg's ``num_examples`` weights one large park would move the mean by more than
``clipping_norm / n_clients`` and the noise would not cover it; Flower's own accounted DP
strategies refuse unequal weights for the same reason). Each round is then a Gaussian mechanism
with noise multiplier ``z`` on the sum of clipped updates (add/remove-one-client adjacency,
no sub-sampling amplification). ``T`` rounds compose exactly to ``sqrt(T)/z``-Gaussian DP
(Dong, Roth & Su, 2022, JRSS-B, Cor. 3.3), whose tight ``(eps, delta)`` curve is
``delta = Phi(-eps/mu + mu/2) - e^eps Phi(-eps/mu - mu/2)`` (Balle & Wang, 2018, Thm. 8):
:func:`gaussian_dp_epsilon_exact`, the figure reported. :func:`gaussian_dp_epsilon` is the
looser Rényi-DP bound (Mironov, 2017) kept for comparison. The guarantee is client-level: it
covers a whole park's data, not one exchange, and it says nothing about the per-round losses
the clients report for monitoring.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from symbioflows._config import check_rng
from symbioflows._optional import import_optional
from symbioflows._validation import check_positive_int
from symbioflows.errors import InvalidInputError
from symbioflows.learn._tables import Tables, as_tables
from symbioflows.learn.features import PairFeaturizer
from symbioflows.learn.logistic import SGDLogistic
from symbioflows.learn.split import edge_set, sample_negatives

__all__ = [
    "FederatedResult",
    "ParkClient",
    "gaussian_dp_epsilon",
    "gaussian_dp_epsilon_exact",
    "make_park_clients",
    "run_federated",
    "train_centralised",
    "train_local_only",
]

logger = logging.getLogger(__name__)


def gaussian_dp_epsilon(noise_multiplier: float, rounds: int, delta: float) -> float:
    """(eps, delta)-DP of ``rounds`` Gaussian mechanisms with noise multiplier ``z`` (RDP bound).

    Examples
    --------
    >>> round(gaussian_dp_epsilon(1.0, 1, 1e-5), 2)
    5.3
    >>> gaussian_dp_epsilon(0.0, 3, 1e-5)
    inf
    """
    if noise_multiplier <= 0:
        return float("inf")
    if not (0 < delta < 1):
        raise InvalidInputError(f"delta must be in (0, 1); got {delta}")
    orders = np.concatenate([np.linspace(1.01, 10, 200), np.linspace(10.5, 512, 400)])
    eps = rounds * orders / (2 * noise_multiplier**2) + np.log(1 / delta) / (orders - 1)
    return float(eps.min())


def gaussian_dp_epsilon_exact(noise_multiplier: float, rounds: int, delta: float) -> float:
    """Tight (eps, delta) of ``rounds`` Gaussian mechanisms with noise multiplier ``z``.

    Their composition is exactly ``mu``-Gaussian DP with ``mu = sqrt(rounds) / z`` (Dong, Roth &
    Su, 2022); eps solves ``delta = Phi(-eps/mu + mu/2) - e^eps Phi(-eps/mu - mu/2)`` (Balle &
    Wang, 2018). Smaller than the RDP bound of :func:`gaussian_dp_epsilon` for the same setting.

    Examples
    --------
    >>> round(gaussian_dp_epsilon_exact(1.0, 1, 1e-5), 2)
    4.38
    >>> round(gaussian_dp_epsilon_exact(1.0, 30, 1e-5), 1) < round(gaussian_dp_epsilon(1.0, 30, 1e-5), 1)
    True
    """
    if noise_multiplier <= 0:
        return float("inf")
    if not (0 < delta < 1):
        raise InvalidInputError(f"delta must be in (0, 1); got {delta}")
    rounds = check_positive_int(rounds, "rounds")
    from scipy.optimize import brentq
    from scipy.special import log_ndtr, ndtr

    mu = float(np.sqrt(rounds) / noise_multiplier)

    def excess(eps: float) -> float:
        return float(ndtr(-eps / mu + mu / 2) - np.exp(eps + log_ndtr(-eps / mu - mu / 2)) - delta)

    if excess(0.0) <= 0:
        return 0.0
    hi = 1.0
    while excess(hi) > 0:
        hi *= 2
    return float(brentq(excess, 0.0, hi, xtol=1e-10))


PUBLIC_PREFIX = "__public_nace__"


def _with_public_receivers(tables: Tables, n: int, rng: np.random.Generator) -> Tables:
    """Add ``n`` public pseudo-receivers: random NACE Rev. 2 classes (Eurostat, shipped with
    symbioflows) as companies with one demand stream described by the class title. They
    give a client negatives from outside its own park without any other client's data."""
    mat = import_optional("symbioflows.materials", "embed", purpose="public negatives")
    nace = mat.nace_table()
    pick = nace.iloc[rng.choice(len(nace), size=min(n, len(nace)), replace=False)]
    cids = [f"{PUBLIC_PREFIX}{c}" for c in pick["code"]]
    co = pd.DataFrame({"company_id": cids, "sector": pick["code"].to_numpy()})
    st = pd.DataFrame({"stream_id": [f"{c}/d" for c in cids], "company_id": cids, "direction": "demand",
                       "material": pick["title"].to_numpy()})
    return Tables(companies=pd.concat([tables.companies, co], ignore_index=True),
                  streams=pd.concat([tables.streams, st], ignore_index=True), exchanges=tables.exchanges)


def _local_examples(tables: Tables, featurizer: PairFeaturizer, neg_ratio: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    ex = tables.exchanges
    if len(ex) == 0:
        return np.zeros((0, featurizer.n_features), np.float32), np.zeros(0)
    pos = np.vstack([featurizer.index(ex["supplier_stream_id"].tolist()),
                     featurizer.index(ex["receiver_stream_id"].tolist())])
    pos = np.unique(pos, axis=1)
    cand = np.flatnonzero(~featurizer.is_supply_)
    neg = sample_negatives(pos, cand, n_per_positive=neg_ratio, known=edge_set(pos), rng=rng)
    x = np.vstack([featurizer.transform_index(pos[0], pos[1]), featurizer.transform_index(neg[0], neg[1])])
    y = np.r_[np.ones(pos.shape[1]), np.zeros(neg.shape[1])]
    return x, y


class ParkClient:
    """One park's private data and its local learner (a Flower ``NumPyClient`` in spirit:
    ``get_parameters`` / ``fit`` / ``evaluate`` take and return only arrays and scalars).

    The raw tables and the local examples never leave this object; :func:`run_federated`
    reaches it only through a serialising proxy.

    ``public_negatives=n`` adds ``n`` pseudo-receivers drawn from the public NACE Rev. 2 list
    as extra negative candidates (without them every negative lies inside the client's own
    park, which teaches within-park discrimination rather than ranking among all receivers).
    """

    def __init__(self, cid: str, tables: Tables, *, n_buckets: int = 64, neg_ratio: int = 3,
                 public_negatives: int = 0, text_encoder: Any = "hashing", lr: float = 0.1,
                 alpha: float = 1e-4, rng: Any = 0) -> None:
        self.cid = str(cid)
        gen = check_rng(rng)
        if public_negatives > 0:
            tables = _with_public_receivers(tables, public_negatives, gen)
        self._featurizer = PairFeaturizer(text_encoder=text_encoder, n_buckets=n_buckets).fit(tables)
        self._x, self._y = _local_examples(tables, self._featurizer, neg_ratio, gen)
        self._tables = tables
        self._lr, self._alpha = lr, alpha
        self._seed = int(gen.integers(2**31 - 1))
        self._model = SGDLogistic(lr=lr, alpha=alpha, epochs=1, rng=self._seed)
        self._model._init(self._featurizer.n_features)
        self.n_features = self._featurizer.n_features

    @property
    def n_examples(self) -> int:
        return int(self._y.size)

    def get_parameters(self, config: dict[str, Any]) -> list[np.ndarray]:
        return self._model.get_arrays()[:2]

    def fit(self, parameters: list[np.ndarray], config: dict[str, Any]) -> tuple[list[np.ndarray], int, dict[str, Any]]:
        # a fresh local optimiser each round (AdaGrad state and shuffling seeded by the
        # round), so a run depends only on the global model it receives
        rnd = int(config.get("round", 0))
        self._model = SGDLogistic(lr=self._lr, alpha=self._alpha, epochs=int(config.get("local_epochs", 1)),
                                  rng=[self._seed, rnd])
        self._model.set_arrays(list(parameters))
        mu = float(config.get("proximal_mu", 0.0))
        center = (np.asarray(parameters[0], dtype=np.float64).copy(), float(np.asarray(parameters[1])[0]))
        if self._y.size:
            self._model.partial_fit(self._x, self._y, prox_center=center if mu > 0 else None, mu=mu)
        # under DP every client weighs 1 (unweighted mean), so one client's clipped update
        # moves the aggregate by at most clipping_norm / n_clients, what the noise is sized for
        weight = 1 if config.get("uniform_weight", False) else self.n_examples
        return self._model.get_arrays()[:2], weight, {}

    def evaluate(self, parameters: list[np.ndarray], config: dict[str, Any]) -> tuple[float, int, dict[str, Any]]:
        self._model.set_arrays(list(parameters))
        if not self._y.size:
            return 0.0, 0, {}
        p = np.clip(self._model.predict_proba(self._x), 1e-7, 1 - 1e-7)
        loss = float(-np.mean(self._y * np.log(p) + (1 - self._y) * np.log(1 - p)))
        return loss, self.n_examples, {}

    def local_data(self) -> tuple[np.ndarray, np.ndarray]:
        """The local examples — used only by the centralised baseline that pools raw data."""
        return self._x, self._y

    def __repr__(self) -> str:
        return f"ParkClient({self.cid!r}, n_examples={self.n_examples})"


def make_park_clients(dataset: Any, exchanges: Any, groups: Any, **kwargs: Any) -> list[ParkClient]:
    """Split a dataset by group (park): each client gets only its own companies, streams and
    exchanges (streams are assigned to the group of the exchanges they take part in)."""
    tables = as_tables(dataset, exchanges)
    ex = tables.exchanges.reset_index(drop=True)
    g = np.asarray(groups)
    if g.shape[0] != len(ex):
        raise InvalidInputError(f"groups has {g.shape[0]} labels for {len(ex)} exchanges")
    stream_company = dict(zip(tables.streams["stream_id"], tables.streams["company_id"]))
    gen = check_rng(kwargs.pop("rng", 0))
    clients = []
    for label in pd.unique(g):
        mine = ex[g == label]
        companies = set(stream_company[s] for s in pd.concat([mine["supplier_stream_id"], mine["receiver_stream_id"]]))
        st = tables.streams[tables.streams["company_id"].isin(companies)]
        co = tables.companies[tables.companies["company_id"].isin(companies)]
        local = Tables(companies=co.reset_index(drop=True), streams=st.reset_index(drop=True),
                       exchanges=mine.reset_index(drop=True))
        clients.append(ParkClient(str(label), local, rng=gen.integers(2**31 - 1), **kwargs))
    return clients


@dataclass
class FederatedResult:
    """Global model after the last round, per-round history, the privacy budget and the
    transcript of every message that crossed the client/server boundary."""

    coef: np.ndarray
    intercept: float
    history: list[dict[str, float]]
    epsilon: float | None
    delta: float | None
    strategy: str
    transcript: list[dict[str, Any]] = field(default_factory=list, repr=False)
    #: accountant, its parameters and both epsilons (``None`` without DP)
    privacy: dict[str, Any] | None = None
    #: the SecAgg+ settings used (``None`` without secure aggregation)
    secure_aggregation: dict[str, Any] | None = None

    def model(self) -> SGDLogistic:
        m = SGDLogistic()
        return m.set_arrays([self.coef, np.array([self.intercept])])


def _proxy_class() -> type:
    fl_common = import_optional("flwr.common", "federated", purpose="federated training")
    proxy_mod = import_optional("flwr.server.client_proxy", "federated")

    class InProcessProxy(proxy_mod.ClientProxy):  # type: ignore[misc,name-defined]
        """Carries Flower messages to a local client as serialised bytes and records them."""

        def __init__(self, client: ParkClient, transcript: list[dict[str, Any]]) -> None:
            super().__init__(client.cid)
            self._client = client
            self._transcript = transcript

        def _record(self, direction: str, kind: str, params: Any, config: dict[str, Any]) -> None:
            self._transcript.append({
                "cid": self.cid, "direction": direction, "kind": kind,
                "tensors": [bytes(t) for t in params.tensors], "tensor_type": params.tensor_type,
                "config": dict(config),
            })

        def get_properties(self, ins: Any, timeout: Any, group_id: Any) -> Any:
            return fl_common.GetPropertiesRes(status=fl_common.Status(code=fl_common.Code.OK, message=""), properties={})

        def get_parameters(self, ins: Any, timeout: Any, group_id: Any) -> Any:
            arrays = self._client.get_parameters({})
            params = fl_common.ndarrays_to_parameters(arrays)
            self._record("client->server", "get_parameters", params, {})
            return fl_common.GetParametersRes(status=fl_common.Status(code=fl_common.Code.OK, message=""), parameters=params)

        def fit(self, ins: Any, timeout: Any, group_id: Any) -> Any:
            self._record("server->client", "fit", ins.parameters, ins.config)
            arrays, n, metrics = self._client.fit(fl_common.parameters_to_ndarrays(ins.parameters), dict(ins.config))
            params = fl_common.ndarrays_to_parameters(arrays)
            self._record("client->server", "fit", params, {"num_examples": n, **metrics})
            return fl_common.FitRes(status=fl_common.Status(code=fl_common.Code.OK, message=""),
                                    parameters=params, num_examples=n, metrics=metrics)

        def evaluate(self, ins: Any, timeout: Any, group_id: Any) -> Any:
            self._record("server->client", "evaluate", ins.parameters, ins.config)
            loss, n, metrics = self._client.evaluate(fl_common.parameters_to_ndarrays(ins.parameters), dict(ins.config))
            self._transcript.append({"cid": self.cid, "direction": "client->server", "kind": "evaluate",
                                     "tensors": [], "tensor_type": "", "config": {"loss": loss, "num_examples": n}})
            return fl_common.EvaluateRes(status=fl_common.Status(code=fl_common.Code.OK, message=""),
                                         loss=loss, num_examples=n, metrics=metrics)

        def reconnect(self, ins: Any, timeout: Any, group_id: Any) -> Any:
            return fl_common.DisconnectRes(reason="")

    return InProcessProxy


def _in_flower_sandbox(fn: Any) -> Any:
    """Run ``fn`` with Flower's home and telemetry sandboxed (:func:`_secagg.flower_sandbox`)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from symbioflows.learn._secagg import flower_sandbox

        with flower_sandbox():
            return fn(*args, **kwargs)

    return wrapper


@_in_flower_sandbox
def run_federated(
    clients: list[ParkClient],
    *,
    strategy: str = "fedavg",
    n_rounds: int = 10,
    local_epochs: int = 1,
    proximal_mu: float = 0.1,
    noise_multiplier: float | None = None,
    clipping_norm: float = 1.0,
    delta: float = 1e-5,
    secure_aggregation: bool = False,
    secagg_num_shares: int | float = 1.0,
    secagg_reconstruction_threshold: int | float = 0.67,
    secagg_clipping_range: float = 8.0,
    secagg_quantization_range: int = 2**22,
    num_cpus: int | None = None,
    rng: Any = 0,
) -> FederatedResult:
    """Train the pair scorer across clients with Flower's FedAvg or FedProx.

    Parameters
    ----------
    clients : list of ParkClient
    strategy : {"fedavg", "fedprox"}
    n_rounds : int
    local_epochs : int
        Local passes over each client's examples per round.
    proximal_mu : float
        FedProx's proximal weight (ignored by FedAvg).
    noise_multiplier : float, optional
        Turn on central DP with this noise multiplier ``z``; ``clipping_norm`` bounds each
        client's update and Gaussian noise of standard deviation ``z * clipping_norm /
        n_clients`` is added to the (then unweighted) mean. Flower's
        ``DifferentialPrivacyServerSideFixedClipping`` does it, or, with secure aggregation,
        ``DifferentialPrivacyClientSideFixedClipping`` with ``fixedclipping_mod`` on the clients.
    delta : float
        Target delta of the reported (epsilon, delta).
    secure_aggregation : bool
        Run Flower's SecAgg+ (``SecAggPlusWorkflow`` + ``secaggplus_mod``) on Flower's
        simulation engine (Ray): the server sees only masked vectors and their sum.
    secagg_num_shares, secagg_reconstruction_threshold : int or float
        SecAgg+'s neighbourhood size and the shares needed to rebuild a secret (floats are
        fractions of the clients / of the shares, as in Flower). Defaults: every client is a
        neighbour of every other, two thirds of the shares rebuild a secret.
    secagg_clipping_range, secagg_quantization_range : float, int
        SecAgg+'s quantisation: weighted model values are clipped to
        ``[-clipping_range, clipping_range]`` and rounded to ``quantization_range`` levels.
        The client weight ratio is ``n_examples / max(n_examples)`` (or 1 under DP), so the
        range must cover the model's largest coefficient; a run that clipped logs a warning.
    num_cpus : int, optional
        CPUs Ray may use for the SecAgg+ simulation (default: up to 2). A private local Ray
        instance is started for the run; if Ray is already initialised in this process that
        instance is used instead, and Flower's backend shuts it down when the run ends.
    rng : seed
        Seeds the DP noise (numpy global state is saved and restored around Flower's noise).
    """
    fl_common = import_optional("flwr.common", "federated", purpose="federated training")
    strat_mod = import_optional("flwr.server.strategy", "federated")
    if strategy not in ("fedavg", "fedprox"):
        raise InvalidInputError(f"strategy must be 'fedavg' or 'fedprox'; got {strategy!r}")
    n_rounds = check_positive_int(n_rounds, "n_rounds")
    if len(clients) < 2:
        raise InvalidInputError(f"federated training needs at least 2 clients; got {len(clients)}")
    if secure_aggregation and len(clients) < 3:
        raise InvalidInputError(f"secure aggregation needs at least 3 clients (with 2, each one's update is the "
                                f"sum minus the other's); got {len(clients)}")
    dims = {c.n_features for c in clients}
    if len(dims) != 1:
        raise InvalidInputError(f"clients disagree on the feature count: {sorted(dims)}")
    if noise_multiplier is not None and (noise_multiplier < 0 or clipping_norm <= 0):
        raise InvalidInputError(f"noise_multiplier must be >= 0 and clipping_norm > 0; got {noise_multiplier} and "
                                f"{clipping_norm}")
    if secure_aggregation and not (secagg_clipping_range > 0 and secagg_quantization_range >= 2):
        raise InvalidInputError(f"secagg_clipping_range must be > 0 and secagg_quantization_range >= 2; got "
                                f"{secagg_clipping_range} and {secagg_quantization_range}")
    n_features = dims.pop()
    dp = noise_multiplier is not None
    init = fl_common.ndarrays_to_parameters([np.zeros(n_features), np.zeros(1)])
    common = dict(
        fraction_fit=1.0, fraction_evaluate=1.0, min_fit_clients=len(clients),
        min_evaluate_clients=len(clients), min_available_clients=len(clients),
        initial_parameters=init,
        on_fit_config_fn=lambda r: {"local_epochs": local_epochs, "round": r, "uniform_weight": dp},
    )
    if strategy == "fedprox":
        strat = strat_mod.FedProx(proximal_mu=proximal_mu, **common)
    else:
        strat = strat_mod.FedAvg(**common)
    if dp:
        wrapper = (strat_mod.DifferentialPrivacyClientSideFixedClipping if secure_aggregation
                   else strat_mod.DifferentialPrivacyServerSideFixedClipping)
        strat = wrapper(strat, noise_multiplier=noise_multiplier, clipping_norm=clipping_norm,
                        num_sampled_clients=len(clients))
    state = np.random.get_state()  # noqa: NPY002 - Flower's DP noise draws from numpy's global RNG
    np.random.seed(int(check_rng(rng).integers(2**31 - 1)))  # noqa: NPY002
    secagg_info: dict[str, Any] | None = None
    try:
        if secure_aggregation:
            from symbioflows.learn._secagg import run_secagg_simulation

            max_weight = 1.0 if dp else float(max(max(c.n_examples for c in clients), 1))
            secagg_info = {
                "protocol": "SecAgg+ (flwr.server.workflow.SecAggPlusWorkflow + flwr.client.mod.secaggplus_mod)",
                "num_shares": secagg_num_shares, "reconstruction_threshold": secagg_reconstruction_threshold,
                "max_weight": max_weight, "clipping_range": float(secagg_clipping_range),
                "quantization_range": int(secagg_quantization_range), "modulus_range": 2**32,
            }
            arrays, history, transcript = run_secagg_simulation(
                clients, strat, n_rounds=n_rounds, num_shares=secagg_num_shares,
                reconstruction_threshold=secagg_reconstruction_threshold, max_weight=max_weight,
                clipping_range=float(secagg_clipping_range), quantization_range=int(secagg_quantization_range),
                client_side_clipping=dp, num_cpus=num_cpus,
            )
        else:
            arrays, history, transcript = _run_in_process(clients, strat, n_rounds)
    finally:
        np.random.set_state(state)  # noqa: NPY002
    privacy: dict[str, Any] | None = None
    eps: float | None = None
    if dp:
        assert noise_multiplier is not None
        eps = gaussian_dp_epsilon_exact(noise_multiplier, n_rounds, delta)
        privacy = {
            "accountant": "Gaussian DP composition, exact (Dong, Roth & Su 2022; Balle & Wang 2018)",
            "epsilon": eps,
            "epsilon_rdp_bound": gaussian_dp_epsilon(noise_multiplier, n_rounds, delta),
            "delta": delta, "noise_multiplier": float(noise_multiplier), "clipping_norm": float(clipping_norm),
            "rounds": n_rounds, "clients_per_round": len(clients), "population": len(clients),
            "sampling": "every client every round (no amplification)",
            "adjacency": "add or remove one client (a whole park's data)",
            "aggregation": "unweighted mean of clipped updates",
            "clipping": "client-side (fixedclipping_mod)" if secure_aggregation else "server-side",
        }
    label = strategy + ("+secagg" if secure_aggregation else "") + ("+dp" if dp else "")
    return FederatedResult(
        coef=np.asarray(arrays[0], dtype=np.float64), intercept=float(np.asarray(arrays[1]).reshape(-1)[0]),
        history=history, epsilon=eps, delta=delta if dp else None,
        strategy=label, transcript=transcript, privacy=privacy, secure_aggregation=secagg_info,
    )


def _run_in_process(clients: list[ParkClient], strat: Any, n_rounds: int
                    ) -> tuple[list[np.ndarray], list[dict[str, float]], list[dict[str, Any]]]:
    fl_common = import_optional("flwr.common", "federated", purpose="federated training")
    cm_mod = import_optional("flwr.server.client_manager", "federated")
    transcript: list[dict[str, Any]] = []
    proxy_cls = _proxy_class()
    manager = cm_mod.SimpleClientManager()
    for c in clients:
        manager.register(proxy_cls(c, transcript))
    params = strat.initialize_parameters(manager)
    history = []
    for rnd in range(1, n_rounds + 1):
        instructions = strat.configure_fit(server_round=rnd, parameters=params, client_manager=manager)
        results = [(proxy, proxy.fit(ins, None, None)) for proxy, ins in sorted(instructions, key=lambda t: t[0].cid)]
        new_params, _ = strat.aggregate_fit(rnd, results, [])
        if new_params is not None:
            params = new_params
        ev = strat.configure_evaluate(server_round=rnd, parameters=params, client_manager=manager)
        ev_res = [(proxy, proxy.evaluate(ins, None, None)) for proxy, ins in sorted(ev, key=lambda t: t[0].cid)]
        n_tot = sum(r.num_examples for _, r in ev_res) or 1
        loss = sum(r.loss * r.num_examples for _, r in ev_res) / n_tot
        history.append({"round": rnd, "train_loss": float(loss)})
    return fl_common.parameters_to_ndarrays(params), history, transcript


def train_centralised(clients: list[ParkClient], *, epochs: int = 10, lr: float = 0.1, alpha: float = 1e-4, rng: Any = 0) -> SGDLogistic:
    """Baseline that pools every client's examples in one place (what federation avoids)."""
    xs, ys = zip(*(c.local_data() for c in clients))
    x, y = np.vstack(xs), np.concatenate(ys)
    return SGDLogistic(lr=lr, alpha=alpha, epochs=epochs, rng=rng).partial_fit(x, y)


def train_local_only(clients: list[ParkClient], *, epochs: int = 10, lr: float = 0.1, alpha: float = 1e-4, rng: Any = 0) -> dict[str, SGDLogistic]:
    """Baseline: each client trains on its own examples only."""
    out = {}
    for c in clients:
        x, y = c.local_data()
        m = SGDLogistic(lr=lr, alpha=alpha, epochs=epochs, rng=rng)
        m._init(c.n_features)
        if y.size:
            m.partial_fit(x, y)
        out[c.cid] = m
    return out
