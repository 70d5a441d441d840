"""Slow pure-Python references of the chain kernels, used only by the tests.

Everything here is brute force on purpose: no pruning, no canonical-order tricks beyond the
definition, so it can serve as an oracle for the native search.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def build_csr(n_nodes: int, src: list[int], dst: list[int]) -> tuple[list[int], list[int], list[int]]:
    order = sorted(range(len(src)), key=lambda e: (src[e], dst[e], e))
    indptr = [0] * (n_nodes + 1)
    for e in range(len(src)):
        indptr[src[e] + 1] += 1
    for v in range(n_nodes):
        indptr[v + 1] += indptr[v]
    return indptr, [dst[e] for e in order], list(order)


def _out_edges(n_nodes: int, src: Sequence[int], dst: Sequence[int]) -> list[list[int]]:
    out: list[list[int]] = [[] for _ in range(n_nodes)]
    for e in sorted(range(len(src)), key=lambda e: (src[e], dst[e], e)):
        out[src[e]].append(e)
    return out


def simple_cycles(
    n_nodes: int, src: Sequence[int], dst: Sequence[int], min_length: int, max_length: int
) -> list[tuple[int, ...]]:
    """Every simple directed cycle (as edge ids, from its smallest node) in canonical order."""
    out = _out_edges(n_nodes, src, dst)
    found: list[tuple[int, ...]] = []

    def dfs(s: int, v: int, path_nodes: list[int], path_edges: list[int]) -> None:
        for e in out[v]:
            w = dst[e]
            if w == s:
                if min_length <= len(path_edges) + 1 <= max_length:
                    found.append(tuple(path_edges + [e]))
            elif w > s and w not in path_nodes and len(path_edges) + 1 < max_length:
                dfs(s, w, path_nodes + [w], path_edges + [e])

    for s in range(n_nodes):
        dfs(s, s, [s], [])
    return found


def simple_paths(
    n_nodes: int,
    src: Sequence[int],
    dst: Sequence[int],
    source: int,
    max_hops: int,
    targets: Sequence[int] | None = None,
) -> list[tuple[int, ...]]:
    """Every simple path (edge ids) with 1..max_hops edges from ``source`` (ending in targets)."""
    out = _out_edges(n_nodes, src, dst)
    tset = None if targets is None else set(targets)
    found: list[tuple[int, ...]] = []

    def dfs(v: int, path_nodes: list[int], path_edges: list[int]) -> None:
        if len(path_edges) == max_hops:
            return
        for e in out[v]:
            w = dst[e]
            if w in path_nodes:
                continue
            edges = path_edges + [e]
            if tset is None or w in tset:
                found.append(tuple(edges))
            dfs(w, path_nodes + [w], edges)

    dfs(source, [source], [])
    return found


def chain_score(edges: Sequence[int], kind: str, values: Sequence[float]) -> float:
    """Score of a chain: 'product' or 'bottleneck' of edge scores, or 'sum' of values."""
    if kind == "product":
        acc = 1.0
        for e in edges:
            acc *= values[e]
        return acc
    if kind == "bottleneck":
        return min((values[e] for e in edges), default=math.inf)
    acc = 0.0
    for e in edges:
        acc += values[e]
    return acc


def ranked(chains: list[tuple[int, ...]], kind: str, values: Sequence[float]) -> list[tuple[int, ...]]:
    """Chains sorted by (score desc, edge-id sequence asc)."""
    return sorted(chains, key=lambda c: (-chain_score(c, kind, values), c))
