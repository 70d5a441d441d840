"""Semantic search over material embeddings with FAISS, with metadata filters.

:class:`MaterialIndex` stores unit-normalised vectors (inner product = cosine similarity) and
chooses the FAISS index by size: exact ``IndexFlatIP`` up to ``exact_threshold`` vectors,
above it an approximate index, HNSW (``IndexHNSWFlat``, Malkov & Yashunin 2018) or IVF
(``IndexIVFFlat``), whose search breadth (``efSearch`` / ``nprobe``) is raised at build time
until recall@10 against exact search, measured on a sample of the stored vectors, reaches
``target_recall`` (``recall_`` holds the figure).  Filters on hazard, material class and
direction use FAISS ID selectors; a filter that leaves few rows is answered exactly on the
subset.  ``save``/``load`` write FAISS's own format (``serialize_index`` bytes) plus a
versioned metadata payload through :mod:`symbioflows._persist` (sha256 checked on load; no
pickle).  Needs the ``faiss`` extra.
"""

from __future__ import annotations

import io
import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from symbioflows._config import check_rng
from symbioflows._optional import import_optional
from symbioflows._validation import check_positive_int
from symbioflows.errors import InvalidInputError, NotFittedError, UnsafeFileError

__all__ = ["MaterialIndex", "SearchResult"]

logger = logging.getLogger(__name__)

_KIND = "material-index"
_VERSION = 1
_DIRECTIONS = {"supply": 0, "demand": 1}
_SUBSET_EXACT_FRACTION = 0.05


def _faiss() -> Any:
    return import_optional("faiss", "faiss", purpose="MaterialIndex")


@dataclass(frozen=True)
class SearchResult:
    """``ids[i, t]``: id of the t-th hit of query i (``None`` past the hits found);
    ``rows``: positions in the index (-1 there); ``scores``: cosine similarities (-inf there)."""

    ids: list[list[Any]]
    rows: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float32]


def _unit_rows(x: Any, name: str, dim: int | None = None) -> npt.NDArray[np.float32]:
    arr = np.asarray(x)
    if arr.dtype.kind not in "fiu":
        raise TypeError(f"{name}: expected real-valued embeddings; got dtype {arr.dtype}")
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise InvalidInputError(f"{name}: expected a 2-D array; got shape {arr.shape}")
    if dim is not None and arr.shape[1] != dim:
        raise InvalidInputError(
            f"{name}: dimension {arr.shape[1]} but the index holds {dim}-d vectors; "
            "use the encoder that built the index"
        )
    out = np.array(arr, dtype=np.float32, order="C", copy=True)
    if out.size:
        bad = ~np.isfinite(out).all(axis=1)
        if bad.any():
            raise InvalidInputError(f"{name}: row {int(np.flatnonzero(bad)[0])} holds NaN or inf")
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


class MaterialIndex:
    """Cosine-similarity search over material embeddings (FAISS).

    Parameters
    ----------
    exact_threshold : int, default 20000
        Up to this many vectors the index is exact (``IndexFlatIP``).
    method : {"hnsw", "ivf"}, default "hnsw"
        Approximate index above the threshold.
    target_recall : float, default 0.95
        Recall@10 (against exact search) the approximate index is tuned to reach.
    hnsw_m : int, default 32
    ef_construction : int, default 200
    n_lists : int, optional
        IVF lists (default ``4 * sqrt(n)``).
    rng : seed, default 0
        Sampling of the recall-tuning queries and IVF training.

    Attributes
    ----------
    kind_ : str
        ``"flat"``, ``"hnsw"`` or ``"ivf"`` once built.
    recall_ : float or None
        Measured recall@10 of the approximate index (1.0 for flat).
    search_param_ : int or None
        The tuned efSearch (HNSW) or nprobe (IVF); None for the flat index.

    Examples
    --------
    >>> idx = MaterialIndex()
    >>> v = np.eye(4, dtype=np.float32)
    >>> _ = idx.add(v, ids=["a", "b", "c", "d"], material_class=["steam"] * 4,
    ...             hazardous=[False, True, False, False], direction=["demand"] * 4)
    >>> idx.search(v[:1] + 0.1 * v[1:2], k=2).ids
    [['a', 'b']]
    >>> idx.search(v[:1] + 0.1 * v[1:2], k=2, hazardous=False).ids
    [['a', 'c']]
    """

    def __init__(
        self,
        *,
        exact_threshold: int = 20_000,
        method: str = "hnsw",
        target_recall: float = 0.95,
        hnsw_m: int = 32,
        ef_construction: int = 200,
        n_lists: int | None = None,
        rng: Any = 0,
    ) -> None:
        if method not in ("hnsw", "ivf"):
            raise InvalidInputError(f"method must be 'hnsw' or 'ivf'; got {method!r}")
        if not 0 < target_recall <= 1:
            raise InvalidInputError(f"target_recall must be in (0, 1]; got {target_recall}")
        self.exact_threshold = check_positive_int(exact_threshold, "exact_threshold", minimum=0)
        self.method = method
        self.target_recall = float(target_recall)
        self.hnsw_m = check_positive_int(hnsw_m, "hnsw_m", minimum=4)
        self.ef_construction = check_positive_int(ef_construction, "ef_construction")
        self.n_lists = n_lists
        self.rng = rng
        self._vectors: list[npt.NDArray[np.float32]] = []
        self._ids: list[Any] = []
        self._cls: list[str] = []
        self._haz: list[int] = []
        self._dir: list[int] = []
        self.dim: int | None = None
        self._index: Any = None
        self.kind_: str | None = None
        self.recall_: float | None = None
        self._search_param: int | None = None
        self._mat: npt.NDArray[np.float32] | None = None

    # ------------------------------------------------------------------ building
    @property
    def search_param_(self) -> int | None:
        """The tuned efSearch (HNSW) or nprobe (IVF) of the built index; None when flat."""
        return self._search_param

    def __len__(self) -> int:
        return len(self._ids)

    def __repr__(self) -> str:
        built = f", {self.kind_}" if self.kind_ else ", not built"
        rec = f", recall@10={self.recall_:.3f}" if self.recall_ is not None else ""
        return f"MaterialIndex(n={len(self)}, dim={self.dim}{built}{rec})"

    def add(
        self,
        embeddings: Any,
        *,
        ids: Sequence[Any] | None = None,
        material_class: Sequence[str | None] | None = None,
        hazardous: Sequence[bool | None] | None = None,
        direction: Sequence[str | None] | None = None,
    ) -> MaterialIndex:
        """Append vectors with their ids and metadata (the index is rebuilt on next search).

        ``ids`` default to running integers; ids must be str or int and unique.  ``direction``
        is ``"supply"``, ``"demand"`` or ``None``; ``hazardous`` may be ``None`` (unknown).
        """
        x = _unit_rows(embeddings, "embeddings", self.dim)
        n = x.shape[0]
        if self.dim is None and n:
            self.dim = int(x.shape[1])
        if ids is None:
            ids = list(range(len(self._ids), len(self._ids) + n))
        ids = list(ids)
        if len(ids) != n:
            raise InvalidInputError(f"ids has {len(ids)} values for {n} vectors")
        for i, v in enumerate(ids):
            if isinstance(v, bool) or not isinstance(v, (str, int, np.integer)):
                raise TypeError(f"ids[{i}] = {v!r}: ids must be str or int")
        ids = [int(v) if isinstance(v, np.integer) else v for v in ids]
        seen = set(self._ids)
        for v in ids:
            if v in seen:
                raise InvalidInputError(f"duplicate id {v!r}")
            seen.add(v)

        def col(values: Sequence[Any] | None, name: str) -> list[Any]:
            if values is None:
                return [None] * n
            vals = list(values)
            if len(vals) != n:
                raise InvalidInputError(f"{name} has {len(vals)} values for {n} vectors")
            return vals

        cls = ["" if c is None else str(c) for c in col(material_class, "material_class")]
        haz = [-1 if h is None else int(bool(h)) for h in col(hazardous, "hazardous")]
        dirs = []
        for i, d in enumerate(col(direction, "direction")):
            if d is None:
                dirs.append(-1)
            elif d in _DIRECTIONS:
                dirs.append(_DIRECTIONS[d])
            else:
                raise InvalidInputError(f"direction[{i}] = {d!r}; use 'supply', 'demand' or None")
        self._vectors.append(x)
        self._ids += ids
        self._cls += cls
        self._haz += haz
        self._dir += dirs
        self._index = None
        self._mat = None
        return self

    def fit(self, embeddings: Any, **metadata: Any) -> MaterialIndex:
        """Add ``embeddings`` (with ``ids``/``material_class``/``hazardous``/``direction``)
        and build the index now; returns ``self`` (scikit-learn style)."""
        return self.add(embeddings, **metadata).build()

    def _matrix(self) -> npt.NDArray[np.float32]:
        if self._mat is None:
            d = self.dim or 0
            self._mat = np.concatenate(self._vectors) if self._vectors else np.zeros((0, d), np.float32)
            self._vectors = [self._mat]
        return self._mat

    def build(self) -> MaterialIndex:
        """Build (and for approximate indexes, tune) the FAISS index now."""
        faiss = _faiss()
        x = self._matrix()
        n = x.shape[0]
        if n == 0:
            raise NotFittedError("MaterialIndex is empty: add() vectors first")
        d = x.shape[1]
        if n <= self.exact_threshold:
            index = faiss.IndexFlatIP(d)
            index.add(x)
            self._index, self.kind_, self.recall_, self._search_param = index, "flat", 1.0, None
            return self
        if self.method == "hnsw":
            index = faiss.IndexHNSWFlat(d, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = self.ef_construction
            index.add(x)
            self._index, self.kind_ = index, "hnsw"
            candidates = [32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024]
        else:
            nlist = self.n_lists or max(1, min(int(4 * math.sqrt(n)), n // 39))
            quant = faiss.IndexFlatIP(d)
            index = faiss.IndexIVFFlat(quant, d, nlist, faiss.METRIC_INNER_PRODUCT)
            gen = check_rng(self.rng)
            train = x[gen.choice(n, size=min(n, 40 * nlist), replace=False)]
            index.train(train)
            index.add(x)
            self._index, self.kind_ = index, "ivf"
            candidates = [c for c in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512) if c <= nlist] + [nlist]
        self._tune(candidates)
        return self

    def _set_param(self, value: int) -> None:
        if self.kind_ == "hnsw":
            self._index.hnsw.efSearch = int(value)
        elif self.kind_ == "ivf":
            self._index.nprobe = int(value)
        self._search_param = int(value)

    def _tune(self, candidates: list[int]) -> None:
        # Queries: stored vectors, each excluded from its own answer (neighbours within the data).
        gen = check_rng(self.rng)
        x = self._matrix()
        n = x.shape[0]
        rows = np.sort(gen.choice(n, size=min(n, 500), replace=False))
        q = x[rows]
        exact = _drop_self(self._exact(q, 11, None)[0], rows)
        for c in candidates:
            self._set_param(c)
            _, got = self._index.search(q, 11)
            rec = _recall(_drop_self(np.asarray(got), rows), exact)
            self.recall_ = rec
            if rec >= self.target_recall:
                break
        logger.info("%s index tuned: param=%s recall@10=%.3f", self.kind_, self._search_param, self.recall_)

    # ------------------------------------------------------------------ searching
    def _mask(
        self, hazardous: bool | None, material_class: str | Sequence[str] | None, direction: str | None
    ) -> npt.NDArray[np.bool_] | None:
        if hazardous is None and material_class is None and direction is None:
            return None
        n = len(self._ids)
        m = np.ones(n, dtype=bool)
        if hazardous is not None:
            m &= np.asarray(self._haz) == int(bool(hazardous))
        if material_class is not None:
            wanted = {material_class} if isinstance(material_class, str) else set(material_class)
            m &= np.fromiter((c in wanted for c in self._cls), dtype=bool, count=n)
        if direction is not None:
            if direction not in _DIRECTIONS:
                raise InvalidInputError(f"direction must be 'supply' or 'demand'; got {direction!r}")
            m &= np.asarray(self._dir) == _DIRECTIONS[direction]
        return m

    def _exact(
        self, q: npt.NDArray[np.float32], k: int, rows: npt.NDArray[np.int64] | None
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        x = self._matrix()
        sub = x if rows is None else x[rows]
        nq = q.shape[0]
        kk = min(k, sub.shape[0])
        out_i = np.full((nq, k), -1, dtype=np.int64)
        out_s = np.full((nq, k), -np.inf, dtype=np.float32)
        if kk == 0 or nq == 0:
            return out_i, out_s
        from symbioflows.materials.compat import top_k_compatible

        r = top_k_compatible(q, sub, k=kk, w_similarity=1.0, w_substitution=0.0)
        idx = r.index if rows is None else np.where(r.index >= 0, rows[np.maximum(r.index, 0)], -1)
        out_i[:, :kk], out_s[:, :kk] = idx, r.score
        return out_i, out_s

    def search(
        self,
        queries: Any,
        k: int = 10,
        *,
        hazardous: bool | None = None,
        material_class: str | Sequence[str] | None = None,
        direction: str | None = None,
    ) -> SearchResult:
        """The ``k`` most similar stored vectors for each query, optionally filtered.

        Raises
        ------
        NotFittedError
            Empty index.
        InvalidInputError
            Dimension mismatch, NaN/inf rows, ``k < 1``.
        """
        k = check_positive_int(k, "k")
        if len(self) == 0:
            raise NotFittedError("MaterialIndex is empty: add() vectors first")
        q = _unit_rows(queries, "queries", self.dim)
        if self._index is None:
            self.build()
        mask = self._mask(hazardous, material_class, direction)
        if mask is not None and not mask.all():
            rows = np.flatnonzero(mask)
            if self.kind_ == "flat" or rows.size <= max(k, _SUBSET_EXACT_FRACTION * len(self)):
                ri, rs = self._exact(q, k, rows)
            else:
                faiss = _faiss()
                sel = faiss.IDSelectorBatch(rows.astype(np.int64))
                if self.kind_ == "hnsw":
                    params = faiss.SearchParametersHNSW(sel=sel, efSearch=self._search_param)
                else:
                    params = faiss.SearchParametersIVF(sel=sel, nprobe=self._search_param)
                rs, ri = self._index.search(q, k, params=params)
        elif self.kind_ == "flat":
            ri, rs = self._exact(q, k, None)
        else:
            rs, ri = self._index.search(q, k)
        ri = np.asarray(ri, dtype=np.int64)
        rs = np.where(ri >= 0, np.asarray(rs, dtype=np.float32), -np.inf).astype(np.float32)
        ids = [[self._ids[j] if j >= 0 else None for j in row] for row in ri]
        return SearchResult(ids=[[i for i in row if i is not None] for row in ids], rows=ri, scores=rs)

    def recall_at_k(self, queries: Any, k: int = 10) -> float:
        """Recall@k of this index against exact search for ``queries`` (1.0 for flat)."""
        q = _unit_rows(queries, "queries", self.dim)
        got = self.search(q, k).rows
        return _recall(got, self._exact(q, k, None)[0])

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write FAISS bytes + metadata atomically (see :mod:`symbioflows._persist`)."""
        from symbioflows._persist import save_artifact

        if self._index is None:
            self.build()
        faiss = _faiss()
        blob = faiss.serialize_index(self._index).tobytes()
        classes = sorted(set(self._cls))
        pos = {c: i for i, c in enumerate(classes)}
        buf = io.BytesIO()
        int_ids = all(isinstance(i, int) for i in self._ids)
        np.savez(
            buf,
            ids=np.asarray(self._ids, dtype=np.int64 if int_ids else np.str_),
            material_class=np.asarray([pos[c] for c in self._cls], dtype=np.int32),
            hazardous=np.asarray(self._haz, dtype=np.int8),
            direction=np.asarray(self._dir, dtype=np.int8),
        )
        meta = {
            "kind": self.kind_, "n": len(self), "dim": self.dim, "classes": classes,
            "search_param": self._search_param, "recall": self.recall_,
            "params": {"exact_threshold": self.exact_threshold, "method": self.method,
                       "target_recall": self.target_recall, "hnsw_m": self.hnsw_m,
                       "ef_construction": self.ef_construction, "n_lists": self.n_lists},
        }
        return save_artifact(path, kind=_KIND, version=_VERSION, meta=meta,
                             payloads={"index.faiss": blob, "metadata.npz": buf.getvalue()})

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> MaterialIndex:
        """Read an index written by :meth:`save`; every payload's sha256 is checked first.

        Raises
        ------
        UnsafeFileError
            Not an index artefact, tampered, truncated, or inconsistent metadata.
        FormatVersionError
            Written by a newer format.
        """
        from symbioflows._persist import decoding, load_artifact

        meta, payloads = load_artifact(path, kind=_KIND, max_version=_VERSION)
        with decoding(path, "material index"):
            faiss = _faiss()
            try:
                with np.load(io.BytesIO(payloads["metadata.npz"]), allow_pickle=False) as z:
                    ids_arr, cls_arr = z["ids"], z["material_class"]
                    haz, dirs = z["hazardous"], z["direction"]
                index = faiss.deserialize_index(np.frombuffer(payloads["index.faiss"], dtype=np.uint8))
                n, dim, classes = int(meta["n"]), int(meta["dim"]), list(meta["classes"])
            except (KeyError, ValueError, TypeError, OSError, RuntimeError) as exc:
                raise UnsafeFileError(f"{path}: malformed material index ({exc})") from exc
            if index.ntotal != n or index.d != dim or not (len(ids_arr) == len(cls_arr) == len(haz) == len(dirs) == n):
                raise UnsafeFileError(f"{path}: index and metadata sizes disagree")
            if cls_arr.size and (cls_arr.min() < 0 or cls_arr.max() >= len(classes)):
                raise UnsafeFileError(f"{path}: class codes out of range")
            p = meta.get("params", {})
            self = cls(**p)
            self.dim = dim
            self._ids = [int(v) if ids_arr.dtype.kind in "iu" else str(v) for v in ids_arr]
            self._cls = [classes[int(i)] for i in cls_arr]
            self._haz = [int(h) for h in haz]
            self._dir = [int(d) for d in dirs]
            self._index = index
            self.kind_ = meta["kind"]
            self.recall_ = meta.get("recall")
            if meta.get("search_param") is not None:
                self._set_param(int(meta["search_param"]))
            # keep our own copy of the vectors for exact / filtered search
            self._mat = index.reconstruct_n(0, n).astype(np.float32) if n else np.zeros((0, dim), np.float32)
            self._vectors = [self._mat]
            return self

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        if state["_index"] is not None:
            state["_index"] = _faiss().serialize_index(state["_index"]).tobytes()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state.get("_index") is not None:
            state["_index"] = _faiss().deserialize_index(np.frombuffer(state["_index"], dtype=np.uint8))
        self.__dict__.update(state)


def _drop_self(res: npt.NDArray[Any], rows: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
    """Remove each query's own row from its top-11 and keep 10 columns."""
    out = np.full((res.shape[0], 10), -1, dtype=np.int64)
    for i, (r, self_row) in enumerate(zip(res, rows)):
        kept = [int(v) for v in r if v != self_row][:10]
        out[i, : len(kept)] = kept
    return out


def _recall(got: npt.NDArray[Any], exact: npt.NDArray[Any]) -> float:
    hits = 0
    total = 0
    for g, e in zip(got, exact):
        ev = set(int(v) for v in e if v >= 0)
        hits += len(ev & set(int(v) for v in g if v >= 0))
        total += len(ev)
    return hits / total if total else 1.0
