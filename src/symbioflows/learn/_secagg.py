"""Secure aggregation (SecAgg+) of the federated pair scorer on Flower's simulation engine.

Everything that does the protocol is Flower's own: the server runs
``flwr.server.workflow.DefaultWorkflow(fit_workflow=SecAggPlusWorkflow(...))`` inside a
``ServerApp``; every client is a ``ClientApp`` with ``flwr.client.mod.secaggplus_mod`` (and
``fixedclipping_mod`` under central DP); the run is ``flwr.simulation.run_simulation`` on its
Ray backend (clients in Ray worker processes, the ServerApp in a thread of this process).

The only thing added here is a recording wrapper around the server's ``Grid``: every message
the server sends or receives is copied into a transcript, which is exactly the server's view
of the run. Tests use it to check that the server never holds an individual client's
unmasked update or any raw row.

Quantisation (Flower's SecAgg+): each client multiplies its model by ``w = n_examples /
max_weight`` (itself rounded to ``1/quantization_range``), clips every value to
``[-clipping_range, clipping_range]``, maps it to an integer in ``[0, quantization_range)``
by stochastic rounding, and adds pairwise and private masks modulo ``modulus_range``. The
masks cancel exactly in the sum; what remains is the rounding: per coordinate, the
aggregate differs from the exact weighted mean by at most
``n_clients * (2 * clipping_range / quantization_range) / sum(w)`` (plus the relative
``1 / (2 * quantization_range * w)`` rounding of each weight), provided no weighted value was
clipped.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from symbioflows._config import scoped_env
from symbioflows._optional import import_optional
from symbioflows.errors import SolverError

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def _without_ray_future_warnings() -> Iterator[None]:
    """Ray's FutureWarning about a coming change to how it sets CUDA_VISIBLE_DEVICES, silenced
    (the simulation uses no GPU); every other warning still shows."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"ray\.")
        yield


def quantisation_bound(weights: list[float], *, max_weight: float, clipping_range: float,
                       quantization_range: int) -> float:
    """Worst-case per-coordinate gap between the SecAgg+ aggregate and the exact weighted mean
    of one round (stochastic rounding moves each client's value by less than one step
    ``2 c / Q``; the sum of ``n`` such errors is divided by the sum of the weight ratios)."""
    ratios = [round(w / max_weight * quantization_range) / quantization_range for w in weights]
    step = 2.0 * clipping_range / quantization_range
    return len(weights) * step / sum(ratios)


def _record(msg: Any, direction: str) -> dict[str, Any]:
    """What one message carries, as the server holds it (arrays as npy bytes, config and
    metric values as they are: ints, floats, bytes, lists)."""
    fl_common = import_optional("flwr.common", "federated")
    content = msg.content
    tensors: list[bytes] = []
    shapes: list[tuple[int, ...]] = []
    for rec in content.array_records.values():
        for arr in rec.values():
            a = arr.numpy()
            tensors.append(fl_common.ndarray_to_bytes(a))
            shapes.append(tuple(a.shape))
    config: dict[str, Any] = {}
    for name, rec in content.config_records.items():
        for k, v in rec.items():
            config[f"{name}.{k}"] = v
    metrics: dict[str, Any] = {}
    for name, rec in content.metric_records.items():
        for k, v in rec.items():
            metrics[f"{name}.{k}"] = v
    node = msg.metadata.dst_node_id if direction == "server->client" else msg.metadata.src_node_id
    stage = config.get("secaggplus_configs.stage", msg.metadata.message_type)
    return {"cid": str(node), "direction": direction, "kind": str(stage), "message_type": msg.metadata.message_type,
            "round": msg.metadata.group_id, "tensors": tensors, "shapes": shapes, "config": config,
            "metrics": metrics, "has_error": bool(msg.has_error()), "t": time.monotonic()}


def _recording_grid(grid: Any, transcript: list[dict[str, Any]], stop: threading.Event) -> Any:
    grid_mod = import_optional("flwr.serverapp.grid", "federated")

    class RecordingGrid(grid_mod.Grid):  # type: ignore[misc,name-defined]
        """Delegates to Flower's grid and copies every message that crosses it."""

        def __init__(self) -> None:
            self._inner = grid

        def set_run(self, run: Any) -> None:
            self._inner.set_run(run)

        @property
        def run(self) -> Any:
            return self._inner.run

        def create_message(self, *args: Any, **kwargs: Any) -> Any:
            return self._inner.create_message(*args, **kwargs)

        def get_node_ids(self) -> Any:
            return self._inner.get_node_ids()

        def push_messages(self, messages: Any) -> Any:
            messages = list(messages)
            transcript.extend(_record(m, "server->client") for m in messages)
            return self._inner.push_messages(messages)

        def pull_messages(self, message_ids: Any) -> Any:
            out = list(self._inner.pull_messages(message_ids))
            transcript.extend(_record(m, "client->server") for m in out)
            return out

        def send_and_receive(self, messages: Any, *, timeout: float | None = None) -> Any:
            # push, then pull until every reply is in, the timeout passes, or the simulation
            # runtime has stopped (Flower's own loop would wait forever for replies from a
            # crashed runtime and keep this process alive)
            messages = list(messages)
            transcript.extend(_record(m, "server->client") for m in messages)
            pending = set(self._inner.push_messages(messages))
            out = []
            end = None if timeout is None else time.monotonic() + timeout
            while pending and not stop.is_set() and (end is None or time.monotonic() < end):
                got = list(self._inner.pull_messages(list(pending)))
                out.extend(got)
                pending -= {m.metadata.reply_to_message_id for m in got}
                if pending:
                    stop.wait(0.02)
            stages = {transcript[-1 - i]["kind"] for i in range(len(messages))}
            for m in out:
                entry = _record(m, "client->server")
                if len(stages) == 1:  # a reply carries no stage of its own: that of the request
                    entry["kind"] = next(iter(stages))
                transcript.append(entry)
            return out

    return RecordingGrid()


#: per Ray worker process: the clients it has fetched, by (run token, index)
_PARKS: dict[tuple[str, int], Any] = {}


def _park(token: str, idx: int, ref: Any) -> Any:
    """The client's data in this worker: fetched from Ray's object store on first use only."""
    key = (token, idx)
    if key not in _PARKS:
        ray = import_optional("ray", "federated")
        for k in [k for k in _PARKS if k[0] != token]:  # an earlier run's clients
            del _PARKS[k]
        _PARKS[key] = ray.get(ref)
    return _PARKS[key]


def _numpy_client_class() -> type:
    fl_client = import_optional("flwr.client", "federated")

    class ParkNumPyClient(fl_client.NumPyClient):  # type: ignore[misc,name-defined]
        """Flower NumPyClient around one park's ``ParkClient``; runs in a Ray worker."""

        def __init__(self, park: Any) -> None:
            self.park = park

        def get_parameters(self, config: Any) -> Any:
            return self.park.get_parameters(dict(config))

        def fit(self, parameters: Any, config: Any) -> Any:
            cfg = dict(config)
            # Flower's SecAgg+ quantisation draws its stochastic rounding from numpy's
            # global RNG in this (client) process: seed it per client and round so a run
            # is reproducible; the masks come from the OS's CSPRNG and cancel exactly
            np.random.seed([self.park._seed, int(cfg.get("round", 0))])  # noqa: NPY002
            return self.park.fit(parameters, cfg)

        def evaluate(self, parameters: Any, config: Any) -> Any:
            return self.park.evaluate(parameters, dict(config))

    return ParkNumPyClient


@contextlib.contextmanager
def flower_sandbox() -> Iterator[dict[str, str]]:
    """Flower's home folder in a temporary directory and its telemetry off, for one block.

    Flower writes ``~/.flwr/source`` (a telemetry id) and posts telemetry events unless
    ``FLWR_TELEMETRY_ENABLED=0``; it reads ``FLWR_HOME`` when it needs its folder.  Both are
    set here, before Flower is imported by the block, and the host's environment is restored
    (and the folder removed) afterwards.  Ray, started by the block, also sets variables in
    the driver process (``PYTHONBREAKPOINT``, ``RAY_USAGE_STATS_ENABLED``, ...): the whole
    environment is put back as it was.  Yields the variables, for worker processes."""
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="symbioflows-flwr-",
                                     ignore_cleanup_errors=True) as home:
        env = {"FLWR_HOME": home, "FLWR_TELEMETRY_ENABLED": "0"}
        try:
            with scoped_env(**env):
                yield env
        finally:
            for k in [k for k in os.environ if k not in saved]:
                del os.environ[k]
            for k, v in saved.items():
                if os.environ.get(k) != v:
                    os.environ[k] = v


def run_secagg_simulation(
    clients: list[Any],
    strategy: Any,
    *,
    n_rounds: int,
    num_shares: int | float,
    reconstruction_threshold: int | float,
    max_weight: float,
    clipping_range: float,
    quantization_range: int,
    client_side_clipping: bool,
    num_cpus: int | None,
) -> tuple[list[np.ndarray], list[dict[str, float]], list[dict[str, Any]]]:
    """Run ``n_rounds`` of ``strategy`` with SecAgg+ on Flower's simulation engine.

    Returns the final global arrays, the per-round distributed loss and the server's
    transcript.

    Flower keeps a home folder (``~/.flwr``, where its telemetry writes a source id) and sends
    telemetry unless told otherwise.  Both are pointed away for this call only: ``FLWR_HOME`` is
    a temporary folder (removed afterwards) and ``FLWR_TELEMETRY_ENABLED=0``, set before Flower
    is imported and restored afterwards, so the host's home and environment stay untouched.
    """
    with flower_sandbox() as worker_env:
        fl_client = import_optional("flwr.client", "federated")
        fl_mod = import_optional("flwr.client.mod", "federated")
        fl_server = import_optional("flwr.server", "federated")
        fl_workflow = import_optional("flwr.server.workflow", "federated")
        fl_sim = import_optional("flwr.simulation", "federated")
        fl_compat = import_optional("flwr.compat.common.recorddict_compat", "federated")
        fl_common = import_optional("flwr.common", "federated")

        ray = import_optional("ray", "federated", purpose="Flower's simulation engine (run_simulation)")
        token = uuid.uuid4().hex
        cpus = num_cpus or max(1, min(2, os.cpu_count() or 1))
        started_ray = False
        if not ray.is_initialized():
            # started here rather than by Flower's backend so that each client's data can be put
            # into Ray's object store once: Flower ships the ClientApp (and whatever its client_fn
            # closes over) with every single message. Same settings as Flower's own start: the
            # workers get this process's sys.path as PYTHONPATH, so they import this symbioflows.
            # address="local": a new private instance, never another job's cluster.
            pythonpath = os.pathsep.join(p for p in [*sys.path, os.environ.get("PYTHONPATH", "")] if p)
            with _without_ray_future_warnings():
                ray.init(address="local", num_cpus=cpus, num_gpus=0, include_dashboard=False, logging_level=logging.ERROR,
                         log_to_driver=False, configure_logging=False,
                         runtime_env={"env_vars": {"PYTHONPATH": pythonpath, **worker_env}})
            started_ray = True
        backend_config = {"client_resources": {"num_cpus": 1, "num_gpus": 0.0},
                          "init_args": {"num_cpus": cpus, "num_gpus": 0, "include_dashboard": False,
                                        "logging_level": logging.ERROR, "log_to_driver": False}}
        out: dict[str, Any] = {}
        stop = threading.Event()
        transcript: list[dict[str, Any]] = []
        try:
            refs = [ray.put(c) for c in clients]
            numpy_client_cls = _numpy_client_class()

            def client_fn(context: Any) -> Any:
                idx = int(context.node_config["partition-id"])
                return numpy_client_cls(_park(token, idx, refs[idx])).to_client()

            mods = [fl_mod.secaggplus_mod]
            if client_side_clipping:
                mods.append(fl_mod.fixedclipping_mod)  # clip first, then mask (mods wrap outward-in)
            client_app = fl_client.ClientApp(client_fn=client_fn, mods=mods)

            server_app = fl_server.ServerApp()

            @server_app.main()  # type: ignore[untyped-decorator,misc]
            def _main(grid: Any, context: Any) -> None:
                rec = _recording_grid(grid, transcript, stop)
                ctx = fl_server.LegacyContext(context=context, config=fl_server.ServerConfig(num_rounds=n_rounds),
                                              strategy=strategy)
                workflow = fl_workflow.DefaultWorkflow(fit_workflow=fl_workflow.SecAggPlusWorkflow(
                    num_shares=num_shares, reconstruction_threshold=reconstruction_threshold, max_weight=max_weight,
                    clipping_range=clipping_range, quantization_range=quantization_range))
                workflow(rec, ctx)
                params = fl_compat.arrayrecord_to_parameters(ctx.state.array_records["parameters"], keep_input=True)
                out["arrays"] = fl_common.parameters_to_ndarrays(params)
                out["losses"] = list(ctx.history.losses_distributed)

            with _without_ray_future_warnings():
                fl_sim.run_simulation(server_app=server_app, client_app=client_app, num_supernodes=len(clients),
                                      backend_config=backend_config)
        finally:
            stop.set()  # lets the ServerApp thread return if the runtime stopped under it
            if started_ray and ray.is_initialized():  # Flower's backend normally shuts it down
                ray.shutdown()
        if "arrays" not in out:
            raise SolverError("Flower's SecAgg+ simulation ended without a global model; see the flwr log above "
                              "(a client failing or too few clients answering halts SecAgg+)")
        history = [{"round": int(r), "train_loss": float(loss)} for r, loss in out["losses"]]
        return out["arrays"], history, transcript
