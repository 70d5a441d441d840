"""The heterogeneous symbiosis graph the link predictor learns on.

Node types: ``company``, ``stream``, ``class`` (material class). Relations:
``company -produces-> stream`` (supply streams), ``company -needs-> stream`` (demand
streams), ``stream -is_a-> class`` and ``stream -exchanges-> stream`` (supplier -> receiver),
each with a reverse relation (``rev_*``) so messages flow both ways.

Exchanges are kept apart from the structural edges: which of them enter message passing is
decided by the learner (training edges only; held-out edges never do).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from symbioflows._deprecation import moved_names
from symbioflows.data.ewc import ewc_chapter as _ewc_chapter
from symbioflows.data.nace import nace_division as _nace_division
from symbioflows.errors import InvalidInputError, UnknownNodeError
from symbioflows.learn._embed import TextEncoder
from symbioflows.learn._tables import Tables

__all__ = ["ExchangeGraph", "build_graph", "nace_division", "ewc_chapter"]

STRUCT_RELATIONS: tuple[tuple[str, str, str], ...] = (
    ("company", "produces", "stream"),
    ("company", "needs", "stream"),
    ("stream", "is_a", "class"),
    ("stream", "rev_produces", "company"),
    ("stream", "rev_needs", "company"),
    ("class", "rev_is_a", "stream"),
)
EXCHANGE_RELATIONS: tuple[tuple[str, str, str], ...] = (
    ("stream", "exchanges", "stream"),
    ("stream", "rev_exchanges", "stream"),
)
RELATIONS = STRUCT_RELATIONS + EXCHANGE_RELATIONS
N_DIVISIONS = 100  # NACE Rev. 2 divisions are 01..99
N_EWC_CHAPTERS = 21  # EWC chapters 01..20, index 0 = no code


#: Lenient code readers; their one home is :mod:`symbioflows.data.nace` / :mod:`symbioflows.data.ewc`.
nace_division = _nace_division
ewc_chapter = _ewc_chapter


def _division_title(division: int) -> str:
    """The NACE Rev. 2 title of a division (``"NACE division NN"`` when the table lacks it)."""
    from symbioflows.materials.nace import nace_title

    try:
        return f"sector: {nace_title(f'{division:02d}')}"
    except InvalidInputError:
        return f"NACE division {division:02d}"


def _quantity(streams: pd.DataFrame) -> np.ndarray:
    q = np.full(len(streams), np.nan)
    for col in ("quantity_t_per_yr", "quantity_mwh_per_yr", "quantity_m3_per_yr"):
        if col in streams.columns:
            v = pd.to_numeric(streams[col], errors="coerce").to_numpy(dtype=np.float64)
            q = np.where(np.isnan(q), v, q)
    return q


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series([None] * len(df), index=df.index, dtype=object)


@dataclass
class ExchangeGraph:
    """The learning graph: node ids, features and structural edges (numpy); exchanges are held
    separately.  (Formerly ``SymbiosisGraph``, a name the chain graph
    :class:`symbioflows.chains.SymbiosisGraph` keeps.)"""

    node_ids: dict[str, np.ndarray]
    x: dict[str, np.ndarray]
    edges: dict[tuple[str, str, str], np.ndarray]
    stream_is_supply: np.ndarray
    stream_company: np.ndarray
    exchanges: np.ndarray  # (2, E) stream indices (supplier, receiver) known at fit time
    encoder_name: str = ""
    _pos: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._pos = {sid: i for i, sid in enumerate(self.node_ids["stream"].tolist())}

    @property
    def n_streams(self) -> int:
        return int(self.node_ids["stream"].size)

    def stream_index(self, ids: Any, name: str = "stream_id") -> np.ndarray:
        """Positions of stream ids; :class:`UnknownNodeError` naming the first unknown one."""
        out = np.empty(len(ids), dtype=np.int64)
        for k, sid in enumerate(ids):
            pos = self._pos.get(str(sid))
            if pos is None:
                raise UnknownNodeError(
                    f"{name}[{k}] = {sid!r} is not a stream of the fitted dataset"
                )
            out[k] = pos
        return out

    def in_dims(self) -> dict[str, int]:
        return {nt: int(v.shape[1]) for nt, v in self.x.items()}

    def __repr__(self) -> str:
        sizes = ", ".join(f"{nt}={v.size}" for nt, v in self.node_ids.items())
        return f"ExchangeGraph({sizes}, exchanges={self.exchanges.shape[1]})"


def build_graph(tables: Tables, encoder: TextEncoder, *, sector_nodes: bool = False) -> ExchangeGraph:
    """Build the heterogeneous graph from validated tables.

    Features: company = one-hot NACE division (100) + unit-sphere location (3) + has-location;
    stream = text embedding of ``material`` + direction + log quantity + has-quantity +
    quality + one-hot EWC chapter (21) + hazardous flag; class = text embedding of its name.

    With ``sector_nodes=True`` every stream whose company has a NACE division is also linked
    (``is_a``) to a shared class node of that division, described by the division's title:
    parks, which share no company or stream, then meet at sector nodes as well as at
    material-class nodes (a cold-start device for parks without known exchanges).
    """
    comp = tables.companies.drop_duplicates("company_id").reset_index(drop=True)
    streams = tables.streams.reset_index(drop=True)
    # companies referenced by streams but absent from the companies table are added bare
    extra = sorted(set(streams["company_id"]) - set(comp["company_id"]))
    if extra:
        comp = pd.concat([comp, pd.DataFrame({"company_id": extra})], ignore_index=True)
    cpos = {c: i for i, c in enumerate(comp["company_id"].tolist())}

    # company features
    nc = len(comp)
    xc = np.zeros((nc, N_DIVISIONS + 4), dtype=np.float32)
    for i, s in enumerate(_col(comp, "sector").tolist()):
        d = nace_division(s)
        if d > 0:
            xc[i, d] = 1.0
    lat = pd.to_numeric(_col(comp, "lat"), errors="coerce").to_numpy(dtype=np.float64)
    lon = pd.to_numeric(_col(comp, "lon"), errors="coerce").to_numpy(dtype=np.float64)
    has = np.isfinite(lat) & np.isfinite(lon)
    la, lo = np.radians(np.where(has, lat, 0.0)), np.radians(np.where(has, lon, 0.0))
    xc[:, N_DIVISIONS] = np.where(has, np.cos(la) * np.cos(lo), 0)
    xc[:, N_DIVISIONS + 1] = np.where(has, np.cos(la) * np.sin(lo), 0)
    xc[:, N_DIVISIONS + 2] = np.where(has, np.sin(la), 0)
    xc[:, N_DIVISIONS + 3] = has

    # stream features
    texts = _col(streams, "material").fillna("").astype(str).tolist()
    emb = encoder(texts)
    ns = len(streams)
    is_supply = (streams["direction"] == "supply").to_numpy()
    q = _quantity(streams)
    hasq = np.isfinite(q) & (q >= 0)
    quality = pd.to_numeric(_col(streams, "quality"), errors="coerce").to_numpy(dtype=np.float64)
    ewc = [ewc_chapter(v) for v in _col(streams, "ewc_code").tolist()]
    hazardous = np.array(["*" in str(v) for v in _col(streams, "ewc_code").tolist()])
    xs_extra = np.zeros((ns, 5 + N_EWC_CHAPTERS), dtype=np.float32)
    xs_extra[:, 0] = is_supply
    xs_extra[:, 1] = np.where(hasq, np.log1p(np.where(hasq, q, 0.0)) / 10.0, 0.0)
    xs_extra[:, 2] = hasq
    xs_extra[:, 3] = np.where(np.isfinite(quality), quality, 0.5)
    xs_extra[:, 4] = hazardous
    xs_extra[np.arange(ns), 5 + np.asarray(ewc, dtype=np.int64)] = 1.0
    xs = np.hstack([emb, xs_extra]).astype(np.float32)

    # classes: material_class when given, else the EWC chapter
    mclass = _col(streams, "material_class").tolist()
    labels: list[str | None] = []
    for mc, ch in zip(mclass, ewc):
        if mc is not None and not (isinstance(mc, float) and np.isnan(mc)) and str(mc).strip():
            labels.append(str(mc).strip())
        elif ch > 0:
            labels.append(f"EWC chapter {ch:02d}")
        else:
            labels.append(None)
    extra_isa: list[tuple[int, str]] = []
    sector_text: dict[str, str] = {}
    if sector_nodes:
        sec = dict(zip(comp["company_id"], _col(comp, "sector").tolist()))
        for i, cid in enumerate(streams["company_id"].tolist()):
            d = nace_division(sec.get(cid))
            if d > 0:
                label = f"NACE division {d:02d}"
                extra_isa.append((i, label))
                sector_text.setdefault(label, _division_title(d))
    class_ids = np.array(sorted({lab for lab in labels if lab is not None}
                                | {lab for _, lab in extra_isa}), dtype=object)
    kpos = {k: i for i, k in enumerate(class_ids.tolist())}
    xk = encoder([sector_text.get(k, k) for k in class_ids.tolist()]) if class_ids.size else np.zeros((0, xs.shape[1] - xs_extra.shape[1]), np.float32)
    if xk.shape[0] == 0:
        # keep one placeholder class so every node type exists
        class_ids = np.array(["(none)"], dtype=object)
        xk = np.zeros((1, emb.shape[1]), dtype=np.float32)

    scomp = np.array([cpos[c] for c in streams["company_id"].tolist()], dtype=np.int64)
    sidx = np.arange(ns, dtype=np.int64)
    prod = np.vstack([scomp[is_supply], sidx[is_supply]])
    need = np.vstack([scomp[~is_supply], sidx[~is_supply]])
    isa_pairs = [(i, lab) for i, lab in enumerate(labels) if lab is not None] + extra_isa
    isa_s = np.array([i for i, _ in isa_pairs], dtype=np.int64)
    isa_k = np.array([kpos[lab] for _, lab in isa_pairs], dtype=np.int64)
    isa = np.vstack([isa_s, isa_k]) if isa_s.size else np.zeros((2, 0), dtype=np.int64)
    edges = {
        ("company", "produces", "stream"): prod,
        ("company", "needs", "stream"): need,
        ("stream", "is_a", "class"): isa,
        ("stream", "rev_produces", "company"): prod[::-1].copy(),
        ("stream", "rev_needs", "company"): need[::-1].copy(),
        ("class", "rev_is_a", "stream"): isa[::-1].copy(),
    }
    graph = ExchangeGraph(
        node_ids={
            "company": comp["company_id"].to_numpy(dtype=object),
            "stream": streams["stream_id"].to_numpy(dtype=object),
            "class": class_ids,
        },
        x={"company": xc, "stream": xs, "class": xk.astype(np.float32)},
        edges={k: np.ascontiguousarray(v, dtype=np.int64) for k, v in edges.items()},
        stream_is_supply=is_supply,
        stream_company=scomp,
        exchanges=np.zeros((2, 0), dtype=np.int64),
        encoder_name=encoder.name,
    )
    ex = tables.exchanges
    if len(ex):
        s = graph.stream_index(ex["supplier_stream_id"].tolist(), "exchanges.supplier_stream_id")
        r = graph.stream_index(ex["receiver_stream_id"].tolist(), "exchanges.receiver_stream_id")
        pairs = np.unique(np.vstack([s, r]), axis=1)
        graph.exchanges = np.ascontiguousarray(pairs, dtype=np.int64)
    return graph


__getattr__ = moved_names(__name__, {"SymbiosisGraph": "symbioflows.learn.graph:ExchangeGraph"})
