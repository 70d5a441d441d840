"""Search for circular chains (cycles) and cascades (paths) in a :class:`SymbiosisGraph`."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from symbioflows import _core
from symbioflows._config import resolve_n_jobs
from symbioflows._validation import check_positive_int
from symbioflows.chains.graph import SymbiosisGraph
from symbioflows.chains.result import ChainResult
from symbioflows.errors import InvalidInputError

__all__ = ["find_cycles", "find_paths"]

logger = logging.getLogger(__name__)

_SCORE_KINDS = {"product": 0, "bottleneck": 1}
_INT64_MAX = np.iinfo(np.int64).max
#: The longest chain the native search accepts (edges; it allocates per-depth scratch).
MAX_CHAIN_LENGTH = 1_000_000


def _as_graph(graph: Any) -> SymbiosisGraph:
    if isinstance(graph, SymbiosisGraph):
        return graph
    if hasattr(graph, "is_directed") and hasattr(graph, "edges"):
        return SymbiosisGraph.from_networkx(graph)
    raise TypeError(f"graph: expected a SymbiosisGraph or a networkx DiGraph; got {type(graph).__name__}")


def _score_values(graph: SymbiosisGraph, score: str) -> tuple[int, np.ndarray]:
    if not isinstance(score, str):
        raise InvalidInputError(f"score must be 'product', 'bottleneck' or a column name; got {score!r}")
    if score in _SCORE_KINDS:
        return _SCORE_KINDS[score], graph.edges["score"].to_numpy(dtype=np.float64)
    return 2, graph.edge_values(score)


def _limits(
    top_k: int | None,
    min_score: float | None,
    max_results: int | None,
    max_expansions: int | None,
    time_limit_s: float | None,
) -> tuple[int, float | None, int, int, float]:
    k = 0 if top_k is None else check_positive_int(top_k, "top_k")
    ms: float | None = None
    if min_score is not None:
        if isinstance(min_score, bool) or not isinstance(min_score, (int, float, np.number)):
            raise InvalidInputError(f"min_score must be a number or None; got {min_score!r}")
        ms = float(min_score)
        if not math.isfinite(ms):
            raise InvalidInputError(f"min_score must be finite; got {min_score!r}")
    mr = _INT64_MAX if max_results is None else check_positive_int(max_results, "max_results",
                                                                   minimum=0)
    me = _INT64_MAX if max_expansions is None else check_positive_int(max_expansions, "max_expansions")
    tl = 0.0
    if time_limit_s is not None:
        if isinstance(time_limit_s, bool) or not isinstance(time_limit_s, (int, float, np.number)):
            raise InvalidInputError(f"time_limit_s must be a number of seconds or None; got {time_limit_s!r}")
        tl = float(time_limit_s)
        if not (math.isfinite(tl) and tl > 0):
            raise InvalidInputError(f"time_limit_s must be > 0 and finite; got {time_limit_s!r}")
    return k, ms, mr, me, tl


def _progress_hook(progress: bool, total: int, desc: str) -> tuple[Callable[[int, int], None] | None, Any]:
    if not progress:
        return None, None
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=desc, unit="item")

    def hook(done: int, tot: int) -> None:
        bar.n = min(done, tot)
        bar.refresh()

    return hook, bar


def _distinct_materials(graph: SymbiosisGraph, raw: dict[str, Any]) -> np.ndarray:
    """Number of distinct materials (``material_class``, else ``material``) of each chain."""
    ed = graph.edges
    col = "material_class" if "material_class" in ed.columns else "material"
    labels = ed[col] if col in ed.columns else None
    offsets = np.asarray(raw["offsets"], dtype=np.int64)
    n = len(offsets) - 1
    if labels is None:
        return np.ones(n, dtype=np.int64)
    if col == "material_class" and "material" in ed.columns:  # an edge without class: its text
        labels = labels.where(labels.notna(), ed["material"])
    codes = pd.factorize(labels.astype(object).where(labels.notna(), ""))[0].astype(np.int64)
    per_edge = codes[np.asarray(raw["edges"], dtype=np.int64)]
    return np.array([np.unique(per_edge[offsets[i]:offsets[i + 1]]).size for i in range(n)],
                    dtype=np.int64)


def _keep_chains(raw: dict[str, Any], keep: np.ndarray) -> dict[str, Any]:
    """``raw`` (the kernel's flat arrays) with only the chains where ``keep`` is true."""
    offsets = np.asarray(raw["offsets"], dtype=np.int64)
    lengths = np.diff(offsets)
    edge_keep = np.repeat(keep, lengths)
    out = dict(raw)
    out["offsets"] = np.concatenate([[0], np.cumsum(lengths[keep])]).astype(np.int64)
    out["edges"] = np.asarray(raw["edges"], dtype=np.int64)[edge_keep]
    for name in ("scores", "flow", "group"):
        if name in raw and raw[name] is not None and len(raw[name]) == len(keep):
            out[name] = np.asarray(raw[name])[keep]
    return out


def _result(kind: str, graph: SymbiosisGraph, raw: dict[str, Any], score: str) -> ChainResult:
    flow = raw["flow"]
    if not graph.has_tonnes:
        flow = np.full(len(flow), np.nan)
    return ChainResult(
        kind=kind,
        graph=graph,
        offsets=raw["offsets"],
        edge_ids=raw["edges"],
        scores=raw["scores"],
        flow_t_per_yr=flow,
        truncated=bool(raw["truncated"]),
        reason=raw["reason"] or None,
        n_expansions=int(raw["n_expansions"]),
        score_kind=score,
        sources=raw["group"] if kind == "path" else None,
    )


def find_cycles(
    graph: SymbiosisGraph,
    *,
    min_length: int = 2,
    max_length: int = 6,
    top_k: int | None = None,
    min_score: float | None = None,
    score: str = "product",
    max_results: int | None = 1_000_000,
    max_expansions: int | None = 1_000_000_000,
    time_limit_s: float | None = None,
    n_jobs: int | None = -1,
    progress: bool = False,
    min_materials: int = 1,
) -> ChainResult:
    """Circular chains: every simple directed cycle with ``min_length <= length <= max_length``.

    Each cycle is reported once, in canonical rotation (it starts at its smallest node in
    the graph's company order).  Parallel edges give one cycle per combination of edges,
    so loops that differ only by material are reported separately.

    Parameters
    ----------
    graph : SymbiosisGraph
        The company graph (a networkx DiGraph/MultiDiGraph is converted).
    min_length, max_length : int
        Bounds on the number of exchanges in a loop; ``2 <= min_length <= max_length``.
        Self-loops (length 1) are therefore never reported.
    top_k : int, optional
        Return only the ``top_k`` best loops, found by branch-and-bound: a partial chain is
        abandoned as soon as its upper bound falls below the current k-th best score.
    min_score : float, optional
        Drop (and prune) loops scoring below this value.
    score : str
        ``"product"`` of edge scores (the probability that every link works),
        ``"bottleneck"`` (the weakest link), or the name of a numeric edge column to sum
        (e.g. ``"co2e_avoided_kg"``; larger is better).
    max_results, max_expansions : int or None
        Stop after this many loops / this many edges examined (None: no limit).
    time_limit_s : float, optional
        Stop after this many seconds (checked about every thousand expansions).
    n_jobs : int
        Threads (-1: all cores).  Results do not depend on it.
    progress : bool
        Show a tqdm progress bar.
    min_materials : int, default 1
        Fewest distinct materials in a loop (the edges' ``material_class``, else their
        ``material``).  2 drops the degenerate loops that trade one material back and forth
        (scrap yard A sells steel scrap to B, B sells steel scrap to A): a circular chain
        turns one company's residue into another's input, and such a loop is two traders.

    Returns
    -------
    ChainResult
        Without ``top_k``: loops in canonical order (by smallest company, then depth-first
        order); with ``top_k``: sorted by score (desc), ties by edge-id sequence (asc).
        ``truncated`` and ``reason`` say whether and why a limit stopped the search.

    Raises
    ------
    InvalidInputError
        ``min_length < 2``, ``max_length < min_length``, ``top_k <= 0``, ``n_jobs == 0``,
        a non-finite ``min_score`` or a bad limit (before any work starts).

    Notes
    -----
    For each start node ``s`` a reverse breadth-first sweep over nodes ``> s`` (at most
    ``max_length - 1`` hops) gives each node's distance back to ``s``; the depth-first search
    only enters a node from which ``s`` can still be reached within the remaining budget.
    Time is proportional to the number of bounded paths that can close into a loop; memory
    is O(nodes + edges + results).  Truncation by ``max_results`` or ``max_expansions``
    returns the same prefix whatever ``n_jobs`` (top-k searches share the k-th best score
    between threads, so only there the expansion count depends on ``n_jobs``).

    Examples
    --------
    >>> g = SymbiosisGraph(
    ...     ["A", "B", "C"],
    ...     {"supplier": ["A", "B", "C", "B"], "receiver": ["B", "C", "A", "A"],
    ...      "score": [0.9, 0.8, 0.5, 0.6], "tonnes_per_yr": [100.0, 40.0, 60.0, 10.0],
    ...      "material": ["slag", "heat", "sludge", "water"]},
    ... )
    >>> res = find_cycles(g, max_length=3)
    >>> [c.companies for c in res]
    [['A', 'B'], ['A', 'B', 'C']]
    >>> res.scores.round(2).tolist(), res.flow_t_per_yr.tolist()
    ([0.54, 0.36], [10.0, 40.0])
    """
    g = _as_graph(graph)
    lo = check_positive_int(min_length, "min_length", minimum=2, maximum=MAX_CHAIN_LENGTH)
    hi = check_positive_int(max_length, "max_length", minimum=2, maximum=MAX_CHAIN_LENGTH)
    if hi < lo:
        raise InvalidInputError(f"max_length ({hi}) must be >= min_length ({lo})")
    k, ms, mr, me, tl = _limits(top_k, min_score, max_results, max_expansions, time_limit_s)
    threads = resolve_n_jobs(n_jobs)
    kind, values = _score_values(g, score)
    n_mat = check_positive_int(min_materials, "min_materials", minimum=1)
    tonnes = np.nan_to_num(g.edges["tonnes_per_yr"].to_numpy(dtype=np.float64), nan=0.0)
    hook, bar = _progress_hook(progress, _core.chain_work_items(g.n_nodes), "cycles")
    # With a material filter and top_k, ask for more loops until top_k survive the filter
    # or the search is exhausted (each round asks for four times as many).
    ask = k
    try:
        while True:
            raw = _core.find_cycles(
                g.csr, values, tonnes, min_length=lo, max_length=hi, top_k=ask, min_score=ms,
                score=kind, max_results=mr, max_expansions=me, time_limit_s=tl,
                n_threads=threads, progress=hook,
            )
            if n_mat > 1:
                found = len(raw["scores"])
                raw = _keep_chains(raw, _distinct_materials(g, raw) >= n_mat)
                if k and len(raw["scores"]) < k and found == ask and not raw["truncated"]:
                    ask *= 4
                    continue
                if k:
                    raw = _keep_chains(raw, np.arange(len(raw["scores"])) < k)
            break
    finally:
        if bar is not None:
            bar.close()
    res = _result("cycle", g, raw, score)
    if res.truncated:
        logger.info("find_cycles truncated by %s after %d cycles", res.reason, len(res))
    return res


def find_paths(
    graph: SymbiosisGraph,
    sources: Any,
    *,
    targets: Any = None,
    max_hops: int = 4,
    top_k: int | None = 10,
    min_score: float | None = None,
    score: str = "product",
    max_results: int | None = 1_000_000,
    max_expansions: int | None = 1_000_000_000,
    time_limit_s: float | None = None,
    n_jobs: int | None = -1,
    progress: bool = False,
) -> ChainResult:
    """Cascades: the best simple paths (1 to ``max_hops`` exchanges) from each source.

    Parameters
    ----------
    graph : SymbiosisGraph
    sources : company id or iterable of ids
        Where cascades start.  Each source is searched on its own.
    targets : company id or iterable of ids, optional
        Keep only paths that end at one of these companies (default: ending anywhere).
    max_hops : int
        Maximum number of exchanges in a path (>= 1).
    top_k : int or None
        The ``top_k`` best paths per source (branch-and-bound); None: all paths.
    min_score, score, max_results, max_expansions, time_limit_s, n_jobs, progress
        As in :func:`find_cycles`.

    Returns
    -------
    ChainResult
        ``kind="path"``; per source (in the order given) paths sorted by score (desc), ties
        by edge-id sequence; ``sources`` holds the position of each path's source.

    Raises
    ------
    UnknownNodeError
        A source or target that is not a company of the graph.
    InvalidInputError
        ``max_hops < 1``, ``top_k <= 0``, ``n_jobs == 0`` or a bad limit.

    Examples
    --------
    >>> g = SymbiosisGraph(
    ...     ["A", "B", "C", "D"],
    ...     {"supplier": ["A", "B", "A", "C"], "receiver": ["B", "D", "C", "D"],
    ...      "score": [0.9, 0.9, 0.5, 0.9], "material": ["slag", "sand", "heat", "steam"]},
    ... )
    >>> res = find_paths(g, ["A"], targets=["D"], top_k=1)
    >>> res[0].companies, round(res[0].score, 2)
    (['A', 'B', 'D'], 0.81)
    """
    g = _as_graph(graph)
    hops = check_positive_int(max_hops, "max_hops", minimum=1, maximum=MAX_CHAIN_LENGTH)
    k, ms, mr, me, tl = _limits(top_k, min_score, max_results, max_expansions, time_limit_s)
    threads = resolve_n_jobs(n_jobs)
    src = g.node_index(sources, "sources")
    tgt = None if targets is None else g.node_index(targets, "targets")
    empty_targets = tgt is not None and tgt.size == 0
    if empty_targets:  # no target at all: no path can end anywhere allowed
        src = src[:0]
    kind, values = _score_values(g, score)
    tonnes = np.nan_to_num(g.edges["tonnes_per_yr"].to_numpy(dtype=np.float64), nan=0.0)
    hook, bar = _progress_hook(progress, len(src), "paths")
    try:
        raw = _core.find_paths(
            g.csr, values, tonnes, src, targets=tgt, max_hops=hops, top_k=k, min_score=ms,
            score=kind, max_results=mr, max_expansions=me, time_limit_s=tl, n_threads=threads,
            progress=hook,
        )
    finally:
        if bar is not None:
            bar.close()
    return _result("path", g, raw, score)
