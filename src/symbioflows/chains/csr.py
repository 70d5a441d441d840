"""The CSR directed multigraph of the native core, with checked construction."""

from __future__ import annotations

from typing import Any

from symbioflows import _core
from symbioflows._validation import as_index_array, check_positive_int
from symbioflows.errors import InvalidInputError

__all__ = ["CsrGraph", "build_csr"]

CsrGraph = _core.CsrGraph


def build_csr(n_nodes: int, src: Any, dst: Any) -> _core.CsrGraph:
    """Build a CSR directed multigraph on nodes ``0 .. n_nodes-1``.

    Parallel edges and self-loops are kept; each out-row is sorted by (target, edge id) and
    ``edge_ids`` maps CSR positions back to input positions.

    Raises
    ------
    TypeError
        Float, bool or object node ids (no silent truncation).
    UnknownNodeError
        An endpoint outside ``[0, n_nodes)``.

    Examples
    --------
    >>> g = build_csr(3, [0, 0, 2], [2, 1, 0])
    >>> g.indptr.tolist(), g.targets.tolist(), g.edge_ids.tolist()
    ([0, 2, 2, 3], [1, 2, 0], [1, 0, 2])
    """
    n = check_positive_int(n_nodes, "n_nodes", minimum=0)
    s = as_index_array(src, "src", n=n)
    d = as_index_array(dst, "dst", n=n)
    if s.size != d.size:
        raise InvalidInputError(f"src has {s.size} values but dst has {d.size}")
    return _core.CsrGraph(n, s, d)
