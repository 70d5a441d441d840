"""
symbioflows native core (private: use the symbioflows.* modules)
"""
from __future__ import annotations
import numpy
import numpy.typing
import typing
__all__: list[str] = ['CsrGraph', 'EARTH_RADIUS_KM', 'NUM_PAIR_FEATURES', 'all_pairs_candidates', 'grid_candidates', 'haversine_matrix', 'haversine_pairs', 'score_pairs']
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
def all_pairs_candidates(supply_lat: typing.Any, supply_lon: typing.Any, supply_group: typing.Any, supply_company: typing.Any, radius_km: typing.Any, demand_lat: typing.Any, demand_lon: typing.Any, demand_group: typing.Any, demand_company: typing.Any, compat: typing.Any, n_groups: typing.SupportsInt | typing.SupportsIndex, max_per_supply: typing.SupportsInt | typing.SupportsIndex = 0, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> dict:
    """
    Same as grid_candidates by brute force over all pairs (reference / baseline).
    """
def grid_candidates(supply_lat: typing.Any, supply_lon: typing.Any, supply_group: typing.Any, supply_company: typing.Any, radius_km: typing.Any, demand_lat: typing.Any, demand_lon: typing.Any, demand_group: typing.Any, demand_company: typing.Any, compat: typing.Any, n_groups: typing.SupportsInt | typing.SupportsIndex, max_per_supply: typing.SupportsInt | typing.SupportsIndex = 0, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> dict:
    """
    Candidate (supply, demand) pairs within each supply's radius whose material groups are compatible, by a lat/lon grid (GIL released). Returns a dict of arrays.
    """
def haversine_matrix(lat1: typing.Any, lon1: typing.Any, lat2: typing.Any, lon2: typing.Any, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> numpy.typing.NDArray[numpy.float64]:
    """
    Great-circle distance matrix in km (n1 x n2), haversine, GIL released.
    """
def haversine_pairs(lat1: typing.Any, lon1: typing.Any, lat2: typing.Any, lon2: typing.Any, i: typing.Any, j: typing.Any, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> numpy.typing.NDArray[numpy.float64]:
    """
    Great-circle distances in km for candidate pairs (i[k], j[k]), GIL released.
    """
def score_pairs(supply_index: typing.Any, demand_index: typing.Any, distance_km: typing.Any, material_fit: typing.Any, supply: dict, demand: dict, circuity: typing.SupportsFloat | typing.SupportsIndex, weights: typing.Any, bias: typing.SupportsFloat | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> tuple[numpy.typing.NDArray[numpy.float64], numpy.typing.NDArray[numpy.float64]]:
    """
    Features (n_pairs x NUM_PAIR_FEATURES) and score in (0, 1] of candidate pairs, one pass, GIL released.
    """
EARTH_RADIUS_KM: float = 6371.0088
NUM_PAIR_FEATURES: int = 11
