"""
symbioflows native core (private: use the symbioflows.* modules)
"""
from __future__ import annotations
import numpy
import numpy.typing
import typing
__all__: list[str] = ['CsrGraph', 'EARTH_RADIUS_KM', 'chain_work_items', 'find_cycles', 'find_paths', 'haversine_matrix', 'haversine_pairs']
class CsrGraph:
    """
    Directed multigraph in CSR form (out-edges sorted by target, then edge id).
    """
    def __getstate__(self) -> tuple[int, numpy.typing.NDArray[numpy.int64], numpy.typing.NDArray[numpy.int64], numpy.typing.NDArray[numpy.int64]]:
        ...
    def __init__(self, n_nodes: typing.SupportsInt | typing.SupportsIndex, src: typing.Any, dst: typing.Any) -> None:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, arg0: tuple) -> None:
        ...
    def out_degree(self) -> numpy.typing.NDArray[numpy.int64]:
        ...
    def successors(self, u: typing.SupportsInt | typing.SupportsIndex) -> numpy.typing.NDArray[numpy.int64]:
        ...
    def transpose(self) -> CsrGraph:
        ...
    @property
    def edge_ids(self) -> numpy.typing.NDArray[numpy.int64]:
        ...
    @property
    def indptr(self) -> numpy.typing.NDArray[numpy.int64]:
        ...
    @property
    def n_edges(self) -> int:
        ...
    @property
    def n_nodes(self) -> int:
        ...
    @property
    def targets(self) -> numpy.typing.NDArray[numpy.int64]:
        ...
def chain_work_items(n_nodes: typing.SupportsInt | typing.SupportsIndex) -> int:
    """
    Number of work items (progress total) of a cycle search on n_nodes nodes.
    """
def find_cycles(graph: CsrGraph, score_values: typing.Any, tonnes: typing.Any, *, min_length: typing.SupportsInt | typing.SupportsIndex = 2, max_length: typing.SupportsInt | typing.SupportsIndex = 6, top_k: typing.SupportsInt | typing.SupportsIndex = 0, min_score: typing.Any = None, score: typing.SupportsInt | typing.SupportsIndex = 0, max_results: typing.SupportsInt | typing.SupportsIndex = 9223372036854775807, max_expansions: typing.SupportsInt | typing.SupportsIndex = 9223372036854775807, time_limit_s: typing.SupportsFloat | typing.SupportsIndex = 0.0, n_threads: typing.SupportsInt | typing.SupportsIndex = 1, progress: typing.Any = None) -> dict:
    """
    Simple directed cycles (canonical rotation) as flat arrays; GIL released.
    score: 0 product, 1 bottleneck, 2 sum of score_values.  top_k=0: all.
    """
def find_paths(graph: CsrGraph, score_values: typing.Any, tonnes: typing.Any, sources: typing.Any, *, targets: typing.Any = None, max_hops: typing.SupportsInt | typing.SupportsIndex = 4, top_k: typing.SupportsInt | typing.SupportsIndex = 10, min_score: typing.Any = None, score: typing.SupportsInt | typing.SupportsIndex = 0, max_results: typing.SupportsInt | typing.SupportsIndex = 9223372036854775807, max_expansions: typing.SupportsInt | typing.SupportsIndex = 9223372036854775807, time_limit_s: typing.SupportsFloat | typing.SupportsIndex = 0.0, n_threads: typing.SupportsInt | typing.SupportsIndex = 1, progress: typing.Any = None) -> dict:
    """
    Best simple paths per source (to targets or anywhere) as flat arrays; GIL released.
    Per source sorted by (score desc, edge ids asc).  top_k=0: all paths.
    """
def haversine_matrix(lat1: typing.Any, lon1: typing.Any, lat2: typing.Any, lon2: typing.Any, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> numpy.typing.NDArray[numpy.float64]:
    """
    Great-circle distance matrix in km (n1 x n2), haversine, GIL released.
    """
def haversine_pairs(lat1: typing.Any, lon1: typing.Any, lat2: typing.Any, lon2: typing.Any, i: typing.Any, j: typing.Any, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> numpy.typing.NDArray[numpy.float64]:
    """
    Great-circle distances in km for candidate pairs (i[k], j[k]), GIL released.
    """
EARTH_RADIUS_KM: float = 6371.0088
