"""Fused supply x demand compatibility search in the native core.

For every supply stream, the ``k`` demand streams with the highest score

    score = w_similarity * cos(e_supply, e_demand) + w_substitution * S[class_supply, class_demand]

where ``e`` are text embeddings (:class:`~symbioflows.materials.MaterialEncoder`), ``cos`` is
their cosine similarity (0 for a zero vector, never NaN) and ``S`` the class-to-class
substitution matrix of the taxonomy (:func:`~symbioflows.materials.substitution_matrix`);
when either class is unknown (``None``/-1) the knowledge term is ``unknown_substitution``.
Filters drop a pair before ranking: a blocked demand, a hazardous supply offered to a demand
that does not accept hazardous material, and (for known classes) ``S < min_substitution``.

This is the first stage of the matcher: it narrows a region's supply x demand pairs to a few
candidates per supply, in one pass over a blocked, multi-threaded matrix product (GIL
released).  Ties are broken by demand index (lower first); the result does not depend on
``n_jobs``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from symbioflows import _core
from symbioflows._config import resolve_n_jobs
from symbioflows._validation import check_positive_int
from symbioflows.errors import InvalidInputError

__all__ = ["CompatResult", "top_k_compatible", "cosine_similarity", "simd_level"]

_MAX_WEIGHT = 1e6


@dataclass(frozen=True)
class CompatResult:
    """Top-k demands per supply.

    ``index[i, t]`` is the demand row of the t-th best match of supply ``i`` (-1 where fewer
    than ``k`` demands passed the filters) and ``score[i, t]`` its score (-inf there).
    """

    index: npt.NDArray[np.int64]
    score: npt.NDArray[np.float32]

    def to_pandas(self) -> Any:
        """Long table: supply, rank, demand, score (unfilled slots dropped)."""
        import pandas as pd

        nq, kk = self.index.shape
        df = pd.DataFrame(
            {
                "supply": np.repeat(np.arange(nq), kk),
                "rank": np.tile(np.arange(kk), nq),
                "demand": self.index.reshape(-1),
                "score": self.score.reshape(-1),
            }
        )
        return df[df["demand"] >= 0].reset_index(drop=True)


def simd_level() -> str:
    """SIMD level the native kernels use on this CPU ('avx512', 'avx2' or 'portable')."""
    return str(_core.simd_level())


def _embeddings(values: Any, name: str) -> npt.NDArray[np.float32]:
    arr = np.asarray(values)
    if arr.dtype.kind not in "fiu":
        raise TypeError(f"{name}: expected a real-valued embedding matrix; got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise InvalidInputError(f"{name}: expected a 2-D array (rows x dim); got shape {arr.shape}")
    # Finiteness is checked by the native kernel in the pass that reads the rows anyway (it
    # names the first bad row); a numpy pass here would read a 100,000 x 384 matrix once more.
    return np.ascontiguousarray(arr, dtype=np.float32)


def _classes(values: Any, n: int, name: str) -> npt.NDArray[np.int64] | None:
    if values is None:
        return None
    from symbioflows.materials.taxonomy import load_taxonomy

    seq = list(values) if not isinstance(values, np.ndarray) else values
    if len(seq) != n:
        raise InvalidInputError(f"{name} has {len(seq)} values for {n} rows")
    if isinstance(seq, np.ndarray) and seq.dtype.kind in "iu":
        return np.ascontiguousarray(seq, dtype=np.int64)
    if isinstance(seq, np.ndarray) and seq.dtype.kind == "f":
        raise TypeError(f"{name}: class ids must be integers or class names; got dtype {seq.dtype}")
    tax = load_taxonomy()
    out = np.empty(n, dtype=np.int64)
    for i, v in enumerate(seq):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out[i] = -1
        elif isinstance(v, str):
            out[i] = tax.index_of(v)
        elif isinstance(v, (int, np.integer)) and not isinstance(v, bool):
            out[i] = int(v)
        else:
            raise TypeError(f"{name}[{i}] = {v!r} is neither a class name nor an integer id")
    return out


def _bools(values: Any, n: int, name: str) -> npt.NDArray[np.bool_] | None:
    if values is None:
        return None
    arr = np.asarray(values)
    if arr.shape != (n,):
        raise InvalidInputError(f"{name}: expected {n} booleans; got shape {arr.shape}")
    if arr.dtype.kind not in "biu":
        raise TypeError(f"{name}: expected booleans; got dtype {arr.dtype}")
    return arr.astype(bool)


def top_k_compatible(
    supply_embeddings: Any,
    demand_embeddings: Any,
    *,
    k: int = 10,
    supply_class: Sequence[Any] | npt.NDArray[Any] | None = None,
    demand_class: Sequence[Any] | npt.NDArray[Any] | None = None,
    substitution: Any | None = None,
    w_similarity: float = 0.5,
    w_substitution: float | None = None,
    unknown_substitution: float = 0.5,
    min_substitution: float = 0.0,
    supply_hazardous: Any | None = None,
    demand_accepts_hazardous: Any | None = None,
    demand_blocked: Any | None = None,
    n_jobs: int = -1,
    simd: str = "auto",
) -> CompatResult:
    """Top-``k`` compatible demands for every supply (see the module docstring for the score).

    Parameters
    ----------
    supply_embeddings, demand_embeddings : array_like, shape (n_supply, d) and (n_demand, d)
        Any real dtype (float16 included), any memory layout; rows need not be normalised.
    k : int, default 10
        Clamped to ``n_demand``.
    supply_class, demand_class : sequence of str or int, optional
        Taxonomy class names or row indices of ``substitution``; ``None``/-1 = unknown.
    substitution : array_like (n_classes, n_classes), optional
        Supply-class x demand-class compatibility; default: the taxonomy's matrix.
    w_similarity : float, default 0.5
    w_substitution : float, optional
        Defaults to ``1 - w_similarity``.
    unknown_substitution : float, default 0.5
        Knowledge term when a class is unknown.  Weights and this term must lie within
        +-1e6 (scores are float32); ``substitution`` entries within [0, 1].
    min_substitution : float, default 0.0
        Drop pairs of known classes whose substitution score is below this.
    supply_hazardous, demand_accepts_hazardous, demand_blocked : array_like of bool, optional
        Hazard filter (a hazardous supply only reaches demands that accept hazardous
        material; default: all accept) and a mask of demands to leave out.
    n_jobs : int, default -1
    simd : {"auto", "avx512", "avx2", "portable"}
        Micro-kernel; "auto" takes the best this CPU supports.

    Returns
    -------
    CompatResult

    Raises
    ------
    InvalidInputError
        Dimension mismatch, wrong ndim, NaN/inf rows (naming the row), ``k < 1``.
    TypeError
        Object, string or complex embeddings.

    Notes
    -----
    O(n_supply * n_demand * d) flops in a register-blocked micro-kernel (AVX-512, AVX2+FMA or
    portable C++ chosen at run time), plus O(n_supply * n_demand) for the fused epilogue;
    memory O((n_supply + n_demand) * d + n_supply * k).

    Examples
    --------
    >>> s = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> d = np.array([[1.0, 0.1], [0.1, 1.0], [0.0, 0.0]])
    >>> r = top_k_compatible(s, d, k=2, w_similarity=1.0)
    >>> r.index.tolist()
    [[0, 1], [1, 0]]
    >>> r = top_k_compatible(s, d, k=1, supply_class=["coal_fly_ash", "steam"],
    ...                      demand_class=["steam", "coal_fly_ash", "blast_furnace_slag"])
    >>> r.index.tolist()
    [[1], [0]]
    """
    check_positive_int(k, "k")
    q = _embeddings(supply_embeddings, "supply_embeddings")
    x = _embeddings(demand_embeddings, "demand_embeddings")
    if q.shape[1] != x.shape[1]:
        raise InvalidInputError(
            f"supply embeddings have dim {q.shape[1]} but demand embeddings have dim "
            f"{x.shape[1]}; embed both with the same encoder"
        )
    nq, nx = q.shape[0], x.shape[0]
    cq = _classes(supply_class, nq, "supply_class")
    cx = _classes(demand_class, nx, "demand_class")
    if substitution is None:
        if cq is None and cx is None:
            S = np.zeros((1, 1), dtype=np.float32)
        else:
            from symbioflows.materials.taxonomy import substitution_matrix

            S = substitution_matrix()
    else:
        S = np.asarray(substitution)
        if S.dtype.kind not in "fiu" or S.ndim != 2 or S.shape[0] != S.shape[1]:
            raise InvalidInputError(
                f"substitution must be a square real matrix; got shape {S.shape}, dtype {S.dtype}"
            )
        S = np.ascontiguousarray(S, dtype=np.float32)
    ws = float(w_similarity)
    wk = 1.0 - ws if w_substitution is None else float(w_substitution)
    # Scores are float32: weights beyond +-1e6 could overflow (inf * 0 = NaN), so refuse them.
    for name, v in (("w_similarity", ws), ("w_substitution", wk),
                    ("unknown_substitution", unknown_substitution),
                    ("min_substitution", min_substitution)):
        if not np.isfinite(v) or abs(v) > _MAX_WEIGHT:
            raise InvalidInputError(
                f"{name} must be finite and within +-{_MAX_WEIGHT:g}; got {v} "
                "(weights are relative: scale them down)"
            )
    if S.size and (not np.isfinite(S).all() or S.min() < 0 or S.max() > 1):
        raise InvalidInputError(
            "substitution scores must lie in [0, 1] (compatibility); got values in "
            f"[{np.nanmin(S):g}, {np.nanmax(S):g}]"
        )
    haz = _bools(supply_hazardous, nq, "supply_hazardous")
    acc = _bools(demand_accepts_hazardous, nx, "demand_accepts_hazardous")
    blk = _bools(demand_blocked, nx, "demand_blocked")
    flags = None
    if acc is not None or blk is not None:
        flags = np.full(nx, 2, dtype=np.int64)
        if acc is not None:
            flags = np.where(acc, 2, 0).astype(np.int64)
        if blk is not None:
            flags = flags | blk.astype(np.int64)
    if nq == 0 or nx == 0:
        kk = min(k, nx)
        return CompatResult(np.full((nq, kk), -1, np.int64), np.full((nq, kk), -np.inf, np.float32))
    idx, sc = _core.compat_topk(
        q, x, cq, cx, S,
        None if haz is None else haz.astype(np.int64),
        flags, k, ws, wk, float(unknown_substitution), float(min_substitution),
        resolve_n_jobs(n_jobs), simd,
    )
    return CompatResult(idx, sc)


def cosine_similarity(a: Any, b: Any, *, n_jobs: int = -1) -> npt.NDArray[np.float32]:
    """Cosine-similarity matrix of the rows of ``a`` and ``b`` (native blocked kernel).

    Examples
    --------
    >>> cosine_similarity([[1.0, 0.0]], [[2.0, 0.0], [0.0, 0.0]]).tolist()
    [[1.0, 0.0]]
    """
    qa = _embeddings(a, "a")
    qb = _embeddings(b, "b")
    if qa.shape[1] != qb.shape[1]:
        raise InvalidInputError(f"a has dim {qa.shape[1]} but b has dim {qb.shape[1]}")
    return _core.cosine_matrix(qa, qb, resolve_n_jobs(n_jobs), "auto")
