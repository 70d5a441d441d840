"""Slow pure-Python reference of the CSR builder, used only by the tests."""

from __future__ import annotations


def build_csr(n_nodes: int, src: list[int], dst: list[int]) -> tuple[list[int], list[int], list[int]]:
    order = sorted(range(len(src)), key=lambda e: (src[e], dst[e], e))
    indptr = [0] * (n_nodes + 1)
    for e in range(len(src)):
        indptr[src[e] + 1] += 1
    for v in range(n_nodes):
        indptr[v + 1] += indptr[v]
    return indptr, [dst[e] for e in order], list(order)
