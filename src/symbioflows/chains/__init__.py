"""Multi-hop symbiosis: circular chains and cascades over the company graph.

A pair of companies is the easy case; the value no bilateral matcher shows lies in chains:
A's by-product feeds B, B's residue feeds C, C's output returns to A (a circular loop,
:func:`find_cycles`), or a cascade A -> B -> C -> D (:func:`find_paths`).  Both searches run
in the native core with explicit limits and return a :class:`ChainResult`.
"""

from __future__ import annotations

from symbioflows.chains.csr import build_csr
from symbioflows.chains.graph import SymbiosisGraph
from symbioflows.chains.result import Chain, ChainResult
from symbioflows.chains.search import find_cycles, find_paths

__all__ = ["Chain", "ChainResult", "SymbiosisGraph", "build_csr", "find_cycles", "find_paths"]
