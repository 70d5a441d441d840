"""
symbioflows native core (private: use the symbioflows.* modules)
"""
from __future__ import annotations
import collections.abc
import numpy
import numpy.typing
import typing
__all__: list[str] = ['CsrGraph', 'EARTH_RADIUS_KM', 'compat_topk', 'cosine_matrix', 'hash_embed', 'haversine_matrix', 'haversine_pairs', 'simd_level']
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
def compat_topk(supply: typing.Any, demand: typing.Any, supply_class: typing.Any, demand_class: typing.Any, substitution: typing.Any, supply_hazardous: typing.Any, demand_flags: typing.Any, k: typing.SupportsInt | typing.SupportsIndex, w_similarity: typing.SupportsFloat | typing.SupportsIndex, w_substitution: typing.SupportsFloat | typing.SupportsIndex, unknown_substitution: typing.SupportsFloat | typing.SupportsIndex, min_substitution: typing.SupportsFloat | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex = 0, simd: str = 'auto') -> tuple[numpy.typing.NDArray[numpy.int64], numpy.typing.NDArray[numpy.float32]]:
    """
    Fused top-k of w_similarity * cosine + w_substitution * S[class] per supply row, GIL released.
    """
def cosine_matrix(a: typing.Any, b: typing.Any, n_threads: typing.SupportsInt | typing.SupportsIndex = 0, simd: str = 'auto') -> numpy.typing.NDArray[numpy.float32]:
    """
    Cosine-similarity matrix (rows of a x rows of b) with the blocked micro-kernels.
    """
def hash_embed(texts: collections.abc.Sequence[str], dim: typing.SupportsInt | typing.SupportsIndex, ngram_min: typing.SupportsInt | typing.SupportsIndex, ngram_max: typing.SupportsInt | typing.SupportsIndex, word_weight: typing.SupportsFloat | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> numpy.typing.NDArray[numpy.float32]:
    """
    Signed feature hashing of byte n-grams and words of normalised texts, L2-normalised rows.
    """
def haversine_matrix(lat1: typing.Any, lon1: typing.Any, lat2: typing.Any, lon2: typing.Any, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> numpy.typing.NDArray[numpy.float64]:
    """
    Great-circle distance matrix in km (n1 x n2), haversine, GIL released.
    """
def haversine_pairs(lat1: typing.Any, lon1: typing.Any, lat2: typing.Any, lon2: typing.Any, i: typing.Any, j: typing.Any, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> numpy.typing.NDArray[numpy.float64]:
    """
    Great-circle distances in km for candidate pairs (i[k], j[k]), GIL released.
    """
def simd_level() -> str:
    """
    Best SIMD level of the similarity micro-kernels on this CPU.
    """
EARTH_RADIUS_KM: float = 6371.0088
