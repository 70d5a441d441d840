"""
symbioflows native core (private: use the symbioflows.* modules)
"""
from __future__ import annotations
import numpy
import numpy.typing
import typing
__all__: list[str] = ['CsrGraph', 'EARTH_RADIUS_KM', 'haversine_matrix', 'haversine_pairs']
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
def haversine_matrix(lat1: typing.Any, lon1: typing.Any, lat2: typing.Any, lon2: typing.Any, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> numpy.typing.NDArray[numpy.float64]:
    """
    Great-circle distance matrix in km (n1 x n2), haversine, GIL released.
    """
def haversine_pairs(lat1: typing.Any, lon1: typing.Any, lat2: typing.Any, lon2: typing.Any, i: typing.Any, j: typing.Any, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> numpy.typing.NDArray[numpy.float64]:
    """
    Great-circle distances in km for candidate pairs (i[k], j[k]), GIL released.
    """
EARTH_RADIUS_KM: float = 6371.0088
