# Why one module of ~620 lines: the heterogeneous graph construction, the GraphSAGE model and
# its training loop are one optional-extra adapter (torch / torch-geometric imported here only).
"""GNN link prediction of supplier-stream -> receiver-stream exchanges (``gnn`` extra).

A heterogeneous GraphSAGE encoder (torch_geometric ``HeteroConv`` of ``SAGEConv`` per
relation, residual, mean aggregation) over companies, streams and material classes, and an
MLP decoder on ``[h_s * h_r, h_s, h_r]``.

Training follows the usual link-prediction protocol: a share of the given exchanges is held
out for validation and never enters message passing; in each epoch the remaining training
exchanges are split again into message-passing edges and supervision targets (so the model
cannot learn to "see" the edge it must predict); each target is paired with negatives whose
receiver is a random demand stream; early stopping on validation AUC.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from symbioflows._config import check_rng, resolve_n_jobs
from symbioflows._optional import import_optional
from symbioflows._persist import decoding, load_artifact, save_artifact
from symbioflows._validation import check_positive_int
from symbioflows.errors import InvalidInputError, NotFittedError, UnsafeFileError
from symbioflows.learn._embed import make_text_encoder
from symbioflows.learn._tables import as_pairs, as_tables
from symbioflows.learn.graph import RELATIONS, ExchangeGraph, build_graph
from symbioflows.learn.split import edge_set, link_split, sample_negatives

__all__ = ["LinkPredictor", "roc_auc"]

logger = logging.getLogger(__name__)

ARTIFACT_KIND = "symbioflows.LinkPredictor"
FORMAT_VERSION = 1


def roc_auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """ROC AUC of positive vs negative scores (ties count one half); NaN if a side is empty."""
    pos = np.asarray(pos, dtype=np.float64)
    neg = np.asarray(neg, dtype=np.float64)
    if pos.size == 0 or neg.size == 0:
        return float("nan")
    allv = np.concatenate([pos, neg])
    order = np.argsort(allv, kind="mergesort")
    ranks = np.empty_like(allv)
    sorted_v = allv[order]
    # average ranks of ties
    _, start, counts = np.unique(sorted_v, return_index=True, return_counts=True)
    avg = start + (counts - 1) / 2.0 + 1.0
    ranks[order] = np.repeat(avg, counts)
    r_pos = ranks[: pos.size].sum()
    return float((r_pos - pos.size * (pos.size + 1) / 2.0) / (pos.size * neg.size))


def _torch() -> Any:
    return import_optional("torch", "gnn", purpose="LinkPredictor")


def _resolve_device(device: str) -> str:
    torch = _torch()
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device not in ("cpu", "cuda") and not str(device).startswith("cuda:"):
        raise InvalidInputError(f"device must be 'auto', 'cpu' or 'cuda[:n]'; got {device!r}")
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise InvalidInputError(f"device={device!r} but CUDA is not available; use device='auto'")
    return str(device)


@contextlib.contextmanager
def _torch_threads(n_jobs: int | None) -> Iterator[None]:
    """Run with ``n_jobs`` torch CPU threads (``None``: leave torch's setting), then restore."""
    torch = _torch()
    if n_jobs is None:
        yield
        return
    prev = torch.get_num_threads()
    torch.set_num_threads(resolve_n_jobs(n_jobs))
    try:
        yield
    finally:
        torch.set_num_threads(prev)


@contextlib.contextmanager
def _deterministic(seed: int, cuda: bool) -> Iterator[None]:
    """Seed torch in a forked RNG state (and, on CUDA, enable deterministic algorithms).

    On the CPU the kernels used here (linear layers, ``scatter_add_``) are already
    deterministic for a fixed thread count, and torch's deterministic mode makes the CPU
    scatter about twice as slow, so it is only switched on for CUDA.
    """
    torch = _torch()
    prev = torch.are_deterministic_algorithms_enabled()
    prev_warn = torch.is_deterministic_algorithms_warn_only_enabled()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if cuda:
            torch.use_deterministic_algorithms(True, warn_only=True)
        try:
            yield
        finally:
            torch.use_deterministic_algorithms(prev, warn_only=prev_warn)


def _build_model(in_dims: dict[str, int], hidden: int, n_layers: int, dropout: float) -> Any:
    torch = _torch()
    pyg = import_optional("torch_geometric.nn", "gnn", purpose="LinkPredictor")
    nn = torch.nn

    class HeteroSageLinkModel(nn.Module):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.lin_in = nn.ModuleDict({nt: nn.Linear(d, hidden) for nt, d in in_dims.items()})
            self.convs = nn.ModuleList(
                [
                    pyg.HeteroConv(
                        {rel: pyg.SAGEConv(hidden, hidden, aggr="mean") for rel in RELATIONS},
                        aggr="sum",
                    )
                    for _ in range(n_layers)
                ]
            )
            self.norms = nn.ModuleList(
                [nn.ModuleDict({nt: nn.LayerNorm(hidden) for nt in in_dims}) for _ in range(n_layers)]
            )
            self.dropout = nn.Dropout(dropout)
            self.decoder = nn.Sequential(
                nn.Linear(3 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1)
            )

        def encode(self, x_dict: dict[str, Any], edge_index_dict: dict[Any, Any]) -> Any:
            h = {nt: torch.relu(self.lin_in[nt](x)) for nt, x in x_dict.items()}
            for conv, norm in zip(self.convs, self.norms):
                out = conv(h, edge_index_dict)
                h = {
                    nt: norm[nt](v + self.dropout(torch.relu(out[nt])) if nt in out else v)
                    for nt, v in h.items()
                }
            return h["stream"]

        def decode(self, hs: Any, hr: Any) -> Any:
            return self.decoder(torch.cat([hs * hr, hs, hr], dim=-1)).squeeze(-1)

    return HeteroSageLinkModel()


class LinkPredictor:
    """Predict which supply stream feeds which demand stream (heterogeneous GraphSAGE).

    Parameters
    ----------
    hidden_dim : int, default 64
    n_layers : int, default 2
        Message-passing rounds.
    dropout : float, default 0.0
    lr : float, default 0.01
    weight_decay : float, default 0.0
    max_epochs : int, default 300
    patience : int, default 40
        Epochs without a better validation AUC before stopping (the best weights are kept).
    val_fraction : float, default 0.1
        Share of the given exchanges held out for early stopping (never in message passing).
    target_fraction : float, default 0.3
        Share of the remaining training exchanges used as supervision targets each epoch;
        they are removed from message passing in that epoch.
    neg_ratio : int, default 2
        Negatives per positive.
    text_encoder : "auto", "hashing", "sentence" or callable, default "auto"
        Material-text embedding (see ``symbioflows.learn._embed``).
    embed_dim : int, default 128
        Dimension of the hashing encoder.
    use_exchange_edges : bool, default True
        Pass messages along known exchanges (training edges only). Turn off for inductive
        use on parks without known exchanges: receivers that already have exchanges then do
        not get an advantage from their degree (see docs/learning.md).
    device : "auto", "cpu" or "cuda", default "auto"
    n_jobs : int or None, default None
        CPU threads torch may use during ``fit`` / ``predict`` (``None``: torch's setting).
        Results are identical for a given seed and thread count; on small graphs or a busy
        machine ``n_jobs=1`` is often fastest.
    rng : seed, default 0
        Seeds weights, splits and negatives: same seed, same data, same CPU -> same scores.
    progress : bool, default False

    Attributes
    ----------
    graph_ : ExchangeGraph
    model_ : torch.nn.Module
    history_ : list of dict
        ``epoch``, ``loss``, ``val_auc`` per epoch.
    best_epoch_ : int
    split_ : LinkSplit
        Train/validation edges (stream indices) used by ``fit``.
    message_passing_edges_ : ndarray (2, E)
        Exchanges used for message passing at prediction time (all fitted exchanges).

    Examples
    --------
    >>> import pandas as pd
    >>> streams = pd.DataFrame({
    ...     "stream_id": ["s1", "s2", "d1", "d2"], "company_id": ["a", "b", "c", "d"],
    ...     "direction": ["supply", "supply", "demand", "demand"],
    ...     "material": ["fly ash", "waste heat", "cement raw meal", "district heating"]})
    >>> ex = pd.DataFrame({"supplier_stream_id": ["s1", "s2"], "receiver_stream_id": ["d1", "d2"]})
    >>> lp = LinkPredictor(max_epochs=5, val_fraction=0.0, text_encoder="hashing").fit(
    ...     {"streams": streams}, ex)
    >>> lp.predict([("s1", "d1"), ("s1", "d2")]).shape
    (2,)
    """

    def __init__(
        self,
        *,
        hidden_dim: int = 64,
        n_layers: int = 2,
        dropout: float = 0.0,
        lr: float = 0.01,
        weight_decay: float = 0.0,
        max_epochs: int = 300,
        patience: int = 40,
        val_fraction: float = 0.1,
        target_fraction: float = 0.3,
        neg_ratio: int = 2,
        text_encoder: Any = "auto",
        embed_dim: int = 128,
        use_exchange_edges: bool = True,
        sector_nodes: bool = False,
        device: str = "auto",
        n_jobs: int | None = None,
        rng: Any = 0,
        progress: bool = False,
    ) -> None:
        self.use_exchange_edges = use_exchange_edges
        self.sector_nodes = sector_nodes
        self.n_jobs = n_jobs
        self.hidden_dim = hidden_dim
        self.n_layers = n_layers
        self.dropout = dropout
        self.lr = lr
        self.weight_decay = weight_decay
        self.max_epochs = max_epochs
        self.patience = patience
        self.val_fraction = val_fraction
        self.target_fraction = target_fraction
        self.neg_ratio = neg_ratio
        self.text_encoder = text_encoder
        self.embed_dim = embed_dim
        self.device = device
        self.rng = rng
        self.progress = progress

    # ------------------------------------------------------------------ helpers
    def _params(self) -> dict[str, Any]:
        return {
            "hidden_dim": self.hidden_dim,
            "n_layers": self.n_layers,
            "dropout": self.dropout,
            "lr": self.lr,
            "weight_decay": self.weight_decay,
            "max_epochs": self.max_epochs,
            "patience": self.patience,
            "val_fraction": self.val_fraction,
            "target_fraction": self.target_fraction,
            "neg_ratio": self.neg_ratio,
            "embed_dim": self.embed_dim,
            "use_exchange_edges": self.use_exchange_edges,
            "sector_nodes": self.sector_nodes,
            "n_jobs": self.n_jobs,
        }

    def _check_params(self) -> None:
        check_positive_int(self.hidden_dim, "hidden_dim")
        check_positive_int(self.n_layers, "n_layers")
        check_positive_int(self.max_epochs, "max_epochs")
        check_positive_int(self.patience, "patience")
        check_positive_int(self.neg_ratio, "neg_ratio")
        check_positive_int(self.embed_dim, "embed_dim", minimum=8)
        for name in ("dropout", "val_fraction"):
            v = getattr(self, name)
            if not (0.0 <= v < 1.0):
                raise InvalidInputError(f"{name} must be in [0, 1); got {v}")
        if not (0.0 < self.target_fraction <= 1.0):
            raise InvalidInputError(f"target_fraction must be in (0, 1]; got {self.target_fraction}")
        if not self.lr > 0:
            raise InvalidInputError(f"lr must be > 0; got {self.lr}")

    def _tensors(self, graph: ExchangeGraph, mp_edges: np.ndarray, device: str) -> tuple[Any, Any]:
        torch = _torch()
        x = {nt: torch.from_numpy(v).to(device) for nt, v in graph.x.items()}
        ei = {rel: torch.from_numpy(v).to(device) for rel, v in graph.edges.items()}
        if not self.use_exchange_edges:
            mp_edges = np.zeros((2, 0), dtype=np.int64)
        mp = torch.from_numpy(np.ascontiguousarray(mp_edges, dtype=np.int64)).to(device)
        ei[("stream", "exchanges", "stream")] = mp
        ei[("stream", "rev_exchanges", "stream")] = mp.flip(0)
        return x, ei

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError("this LinkPredictor is not fitted yet; call fit(dataset, exchanges)")

    # ------------------------------------------------------------------ fit
    def fit(self, dataset: Any, exchanges: Any = None) -> LinkPredictor:
        """Build the graph from ``dataset`` and train on ``exchanges``.

        Parameters
        ----------
        dataset : Dataset or dict of tables
            Companies (optional) and streams; every stream becomes a node.
        exchanges : table, optional
            Known exchanges (``supplier_stream_id``, ``receiver_stream_id``) to learn from;
            defaults to ``dataset.exchanges``. Pass only the training edges: edges given here
            are used for message passing at prediction time.

        Returns
        -------
        self
        """
        torch = _torch()
        self._check_params()
        tables = as_tables(dataset, exchanges)
        encoder = make_text_encoder(self.text_encoder, dim=self.embed_dim)
        graph = build_graph(tables, encoder, sector_nodes=self.sector_nodes)
        if graph.exchanges.shape[1] == 0:
            raise InvalidInputError("no exchanges to learn from; pass exchanges with at least 1 row")
        device = _resolve_device(self.device)
        gen = check_rng(self.rng)
        seed = int(gen.integers(2**31 - 1))
        split = link_split(graph.exchanges, val_fraction=self.val_fraction, rng=gen)
        receivers = np.flatnonzero(~graph.stream_is_supply)
        if receivers.size == 0:
            receivers = np.arange(graph.n_streams)
        known = edge_set(graph.exchanges)
        val_neg = sample_negatives(split.val, receivers, n_per_positive=5, known=known, rng=gen)
        history: list[dict[str, float]] = []
        with _torch_threads(self.n_jobs), _deterministic(seed, device.startswith("cuda")):
            model = _build_model(graph.in_dims(), self.hidden_dim, self.n_layers, self.dropout).to(device)
            opt = torch.optim.Adam(model.parameters(), lr=self.lr, weight_decay=self.weight_decay)
            loss_fn = torch.nn.BCEWithLogitsLoss()
            best_auc, best_state, best_epoch, stale = -1.0, None, 0, 0
            x_val, ei_val = self._tensors(graph, split.train, device)
            tqdm = import_optional("tqdm.auto", "gnn") if self.progress else None
            epochs = range(self.max_epochs)
            bar = tqdm.tqdm(epochs, desc="LinkPredictor") if tqdm is not None else epochs
            train = split.train
            n_train = train.shape[1]
            for epoch in bar:
                model.train()
                perm = gen.permutation(n_train)
                n_tgt = max(1, int(round(self.target_fraction * n_train)))
                if n_train > 1:
                    n_tgt = min(n_tgt, n_train - 1) if self.target_fraction < 1.0 else n_tgt
                tgt, mp = train[:, perm[:n_tgt]], train[:, perm[n_tgt:]]
                neg = sample_negatives(tgt, receivers, n_per_positive=self.neg_ratio, known=known, rng=gen)
                x, ei = self._tensors(graph, mp, device)
                h = model.encode(x, ei)
                pairs = torch.from_numpy(np.hstack([tgt, neg])).to(device)
                labels = torch.cat(
                    [torch.ones(tgt.shape[1]), torch.zeros(neg.shape[1])]
                ).to(device)
                logits = model.decode(h[pairs[0]], h[pairs[1]])
                loss = loss_fn(logits, labels)
                opt.zero_grad()
                loss.backward()
                opt.step()
                rec: dict[str, float] = {"epoch": epoch, "loss": float(loss.detach().cpu())}
                if split.val.shape[1]:
                    model.eval()
                    with torch.no_grad():
                        hv = model.encode(x_val, ei_val)
                        sp = model.decode(hv[split.val[0]], hv[split.val[1]]).cpu().numpy()
                        sn = model.decode(hv[val_neg[0]], hv[val_neg[1]]).cpu().numpy()
                    auc = roc_auc(sp, sn)
                    rec["val_auc"] = auc
                    if auc > best_auc + 1e-6:
                        best_auc, best_epoch, stale = auc, epoch, 0
                        best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
                    else:
                        stale += 1
                else:
                    best_epoch = epoch
                history.append(rec)
                if split.val.shape[1] and stale >= self.patience:
                    logger.info("early stop at epoch %d (best %d, val AUC %.3f)", epoch, best_epoch, best_auc)
                    break
            if best_state is not None:
                model.load_state_dict(best_state)
            model.eval()
        self.graph_ = graph
        self.model_ = model
        self.device_ = device
        self.history_ = history
        self.best_epoch_ = best_epoch
        self.split_ = split
        self.message_passing_edges_ = graph.exchanges
        self.encoder_name_ = encoder.name
        self._h_cache: Any = None
        return self

    # ------------------------------------------------------------------ inference
    def _embeddings(self) -> Any:
        torch = _torch()
        if getattr(self, "_h_cache", None) is None:
            x, ei = self._tensors(self.graph_, self.message_passing_edges_, self.device_)
            with torch.no_grad(), _torch_threads(self.n_jobs):
                self._h_cache = self.model_.encode(x, ei)
        return self._h_cache

    def _score_index(self, s: np.ndarray, r: np.ndarray) -> np.ndarray:
        torch = _torch()
        h = self._embeddings()
        out = np.empty(s.size, dtype=np.float64)
        step = 1 << 16
        with torch.no_grad(), _torch_threads(self.n_jobs):
            for a in range(0, s.size, step):
                si = torch.from_numpy(s[a : a + step]).to(self.device_)
                ri = torch.from_numpy(r[a : a + step]).to(self.device_)
                out[a : a + step] = torch.sigmoid(self.model_.decode(h[si], h[ri])).cpu().double().numpy()
        return out

    def predict(self, pairs: Any) -> np.ndarray:
        """Probability that each (supplier_stream_id, receiver_stream_id) pair is an exchange.

        Parameters
        ----------
        pairs : table with ``supplier_stream_id``/``receiver_stream_id`` or sequence of pairs

        Returns
        -------
        ndarray of float64 in (0, 1)

        Raises
        ------
        NotFittedError, UnknownNodeError (a stream not in the fitted dataset)
        """
        self._check_fitted()
        s_ids, r_ids = as_pairs(pairs)
        s = self.graph_.stream_index(s_ids, "supplier_stream_id")
        r = self.graph_.stream_index(r_ids, "receiver_stream_id")
        return self._score_index(s, r)

    def score_matrix(self, supplier_ids: Any, receiver_ids: Any) -> np.ndarray:
        """Scores of every supplier x receiver pair, shape (n_suppliers, n_receivers)."""
        self._check_fitted()
        s = self.graph_.stream_index(list(supplier_ids), "supplier_stream_id")
        r = self.graph_.stream_index(list(receiver_ids), "receiver_stream_id")
        if s.size == 0 or r.size == 0:
            return np.zeros((s.size, r.size))
        ss = np.repeat(s, r.size)
        rr = np.tile(r, s.size)
        return self._score_index(ss, rr).reshape(s.size, r.size)

    def recommend(
        self, stream_ids: Any, k: int = 10, *, exclude_known: bool = True, same_company: bool = False
    ) -> pd.DataFrame:
        """Top-``k`` demand streams for each supply stream.

        Ties are broken by receiver id (ascending). Known exchanges are left out unless
        ``exclude_known=False``; receivers of the supplier's own company are left out unless
        ``same_company=True``.

        Returns
        -------
        pandas.DataFrame
            ``supplier_stream_id``, ``receiver_stream_id``, ``score``, ``rank`` (1 = best).
        """
        self._check_fitted()
        k = check_positive_int(k, "k")
        ids = [stream_ids] if isinstance(stream_ids, str) else list(stream_ids)
        g = self.graph_
        s = g.stream_index(ids, "stream_ids")
        receivers = np.flatnonzero(~g.stream_is_supply)
        rid = g.node_ids["stream"]
        known = edge_set(self.message_passing_edges_) if exclude_known else set()
        rows = []
        for q, si in zip(ids, s):
            cand = receivers
            if not same_company:
                cand = cand[g.stream_company[cand] != g.stream_company[si]]
            if known:
                cand = np.array([c for c in cand if (int(si), int(c)) not in known], dtype=np.int64)
            if cand.size == 0:
                continue
            sc = self._score_index(np.full(cand.size, si), cand)
            names = rid[cand].astype(str)
            order = np.lexsort((names, -sc))[:k]
            for rank, j in enumerate(order, start=1):
                rows.append((str(q), names[j], float(sc[j]), rank))
        return pd.DataFrame(rows, columns=["supplier_stream_id", "receiver_stream_id", "score", "rank"])

    # ------------------------------------------------------------------ persistence
    def save(self, path: Any) -> None:
        """Save weights (safetensors), graph arrays (safetensors) and a versioned JSON config.

        The text encoder is not saved: node features are stored, so loading needs no model.
        """
        self._check_fitted()
        st_torch = import_optional("safetensors.torch", "gnn", purpose="saving a LinkPredictor")
        st_np = import_optional("safetensors.numpy", "gnn", purpose="saving a LinkPredictor")
        g = self.graph_
        state = {k: v.detach().cpu().contiguous() for k, v in self.model_.state_dict().items()}
        arrays: dict[str, np.ndarray] = {f"x.{nt}": v for nt, v in g.x.items()}
        for rel, e in g.edges.items():
            arrays["edge." + ".".join(rel)] = e
        arrays["exchanges"] = g.exchanges
        arrays["mp_edges"] = self.message_passing_edges_
        arrays["stream_is_supply"] = g.stream_is_supply.astype(np.uint8)
        arrays["stream_company"] = g.stream_company
        ids = {nt: [str(v) for v in arr.tolist()] for nt, arr in g.node_ids.items()}
        meta = {
            "params": self._params(),
            "in_dims": g.in_dims(),
            "relations": [list(r) for r in RELATIONS],
            "encoder": self.encoder_name_,
            "best_epoch": int(self.best_epoch_),
            "state_keys": sorted(state),
        }
        save_artifact(
            path,
            kind=ARTIFACT_KIND,
            version=FORMAT_VERSION,
            meta=meta,
            payloads={
                "weights.safetensors": st_torch.save(state),
                "graph.safetensors": st_np.save({k: np.ascontiguousarray(v) for k, v in arrays.items()}),
                "ids.json": json.dumps(ids).encode(),
                # the config lives in a hashed payload too, so editing it is detected
                "config.json": json.dumps(meta, sort_keys=True).encode(),
            },
        )

    @classmethod
    def load(cls, path: Any, *, device: str = "auto", n_jobs: Any = "saved") -> LinkPredictor:
        """Load a predictor saved by :meth:`save`.

        ``n_jobs`` defaults to the saved thread count, so scores are bit-identical on the
        same machine; pass another count (or ``None``) to change it.

        Raises
        ------
        UnsafeFileError
            Not a LinkPredictor artefact, tampered (sha256 mismatch) or inconsistent contents.
        FormatVersionError
            Saved by a newer format version.
        """
        st_torch = import_optional("safetensors.torch", "gnn", purpose="loading a LinkPredictor")
        st_np = import_optional("safetensors.numpy", "gnn", purpose="loading a LinkPredictor")
        _resolve_device(device)  # the caller's arguments first: their errors stay theirs
        if n_jobs != "saved":
            resolve_n_jobs(n_jobs)
        _, payloads = load_artifact(path, kind=ARTIFACT_KIND, max_version=FORMAT_VERSION)
        with decoding(path, "LinkPredictor artefact"):
            try:
                meta = json.loads(payloads["config.json"].decode())
                params = dict(meta["params"])
                in_dims = {str(k): int(v) for k, v in meta["in_dims"].items()}
                if [tuple(r) for r in meta["relations"]] != list(RELATIONS):
                    raise UnsafeFileError(f"{path}: relations {meta['relations']} differ from this release's")
                state = st_torch.load(payloads["weights.safetensors"])
                arrays = st_np.load(payloads["graph.safetensors"])
                ids = json.loads(payloads["ids.json"].decode())
            except UnsafeFileError:
                raise
            except (KeyError, TypeError, ValueError, json.JSONDecodeError) as exc:
                raise UnsafeFileError(f"{path}: malformed LinkPredictor artefact ({exc})") from exc
            except Exception as exc:  # safetensors raises its own error types on corrupt bytes
                raise UnsafeFileError(f"{path}: unreadable weights ({type(exc).__name__}: {exc})") from exc
            if n_jobs != "saved":
                params["n_jobs"] = n_jobs
            lp = cls(**params, device=device)
            lp._check_params()
            dev = _resolve_device(device)
            try:
                node_ids = {nt: np.array(v, dtype=object) for nt, v in ids.items()}
                x = {nt: arrays[f"x.{nt}"].astype(np.float32) for nt in node_ids}
                edges = {rel: arrays["edge." + ".".join(rel)].astype(np.int64) for rel in RELATIONS[:6]}
                graph = ExchangeGraph(
                    node_ids=node_ids,
                    x=x,
                    edges=edges,
                    stream_is_supply=arrays["stream_is_supply"].astype(bool),
                    stream_company=arrays["stream_company"].astype(np.int64),
                    exchanges=arrays["exchanges"].astype(np.int64),
                    encoder_name=str(meta.get("encoder", "")),
                )
                for nt, v in x.items():
                    if v.shape != (node_ids[nt].size, in_dims[nt]):
                        raise UnsafeFileError(f"{path}: features of {nt!r} have shape {v.shape}")
                n = {nt: v.size for nt, v in node_ids.items()}
                for rel, e in list(edges.items()) + [(("stream", "x", "stream"), arrays["mp_edges"])]:
                    if e.ndim != 2 or e.shape[0] != 2:
                        raise UnsafeFileError(f"{path}: edges {rel} have shape {e.shape}")
                    if e.size and (e.min() < 0 or e[0].max() >= n[rel[0]] or e[1].max() >= n[rel[2]]):
                        raise UnsafeFileError(f"{path}: edges {rel} point outside the node tables")
                model = _build_model(in_dims, params["hidden_dim"], params["n_layers"], params["dropout"])
                model.load_state_dict(state, strict=True)
            except UnsafeFileError:
                raise
            except (KeyError, RuntimeError, ValueError) as exc:
                raise UnsafeFileError(f"{path}: weights do not fit the saved config ({exc})") from exc
            model.to(dev).eval()
            lp.graph_ = graph
            lp.model_ = model
            lp.device_ = dev
            lp.history_ = []
            lp.best_epoch_ = int(meta.get("best_epoch", 0))
            lp.message_passing_edges_ = arrays["mp_edges"].astype(np.int64)
            lp.encoder_name_ = graph.encoder_name
            lp._h_cache = None
            return lp

    def __repr__(self) -> str:
        fitted = f", fitted on {self.graph_!r}" if hasattr(self, "graph_") else ""
        return f"LinkPredictor(hidden_dim={self.hidden_dim}, n_layers={self.n_layers}{fitted})"

