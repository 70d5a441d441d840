"""
symbioflows native core (private: use the symbioflows.* modules)
"""
from __future__ import annotations
import collections.abc
import numpy
import numpy.typing
import typing
__all__: list[str] = ['COSTING_MAX_MODES', 'COSTING_NUM_MEDIA', 'CsrGraph', 'EARTH_RADIUS_KM', 'NUM_PAIR_FEATURES', 'PAIR_FEATURES', 'all_pairs_candidates', 'chain_work_items', 'compat_topk', 'cosine_matrix', 'cost_pairs', 'find_cycles', 'find_paths', 'grid_candidates', 'hash_embed', 'haversine_matrix', 'haversine_pairs', 'kdtree_candidates', 'score_pairs', 'simd_level']
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
def all_pairs_candidates(supply_lat: typing.Any, supply_lon: typing.Any, supply_group: typing.Any, supply_company: typing.Any, radius_km: typing.Any, demand_lat: typing.Any, demand_lon: typing.Any, demand_group: typing.Any, demand_company: typing.Any, compat: typing.Any, n_groups: typing.SupportsInt | typing.SupportsIndex, max_per_supply: typing.SupportsInt | typing.SupportsIndex = 0, n_threads: typing.SupportsInt | typing.SupportsIndex = 0, supply_tie_id: typing.Any = None, demand_tie_id: typing.Any = None) -> dict:
    """
    Same as grid_candidates by brute force over all pairs (reference / baseline).
    """
def chain_work_items(n_nodes: typing.SupportsInt | typing.SupportsIndex) -> int:
    """
    Number of work items (progress total) of a cycle search on n_nodes nodes.
    """
def compat_topk(supply: typing.Any, demand: typing.Any, supply_class: typing.Any, demand_class: typing.Any, substitution: typing.Any, supply_hazardous: typing.Any, demand_flags: typing.Any, k: typing.SupportsInt | typing.SupportsIndex, w_similarity: typing.SupportsFloat | typing.SupportsIndex, w_substitution: typing.SupportsFloat | typing.SupportsIndex, unknown_substitution: typing.SupportsFloat | typing.SupportsIndex, min_substitution: typing.SupportsFloat | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex = 0, simd: str = 'auto') -> tuple[numpy.typing.NDArray[numpy.int64], numpy.typing.NDArray[numpy.float32]]:
    """
    Fused top-k of w_similarity * cosine + w_substitution * S[class] per supply row, GIL released.
    """
def cosine_matrix(a: typing.Any, b: typing.Any, n_threads: typing.SupportsInt | typing.SupportsIndex = 0, simd: str = 'auto') -> numpy.typing.NDArray[numpy.float32]:
    """
    Cosine-similarity matrix (rows of a x rows of b) with the blocked micro-kernels.
    """
def cost_pairs(lat1: typing.Any, lon1: typing.Any, circuity1: typing.Any, lat2: typing.Any, lon2: typing.Any, circuity2: typing.Any, i: typing.Any, j: typing.Any, quantity: typing.Any, medium: typing.Any, fixed_usd: typing.Any, usd_per_tkm: typing.Any, payload: typing.Any, co2e_kg_per_tkm: typing.Any, max_route_km: typing.Any, detour: typing.Any, medium_mask: typing.Any, allowed_modes: typing.SupportsInt | typing.SupportsIndex, carbon_price_usd_per_kg: typing.SupportsFloat | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> tuple[numpy.typing.NDArray[numpy.float64], numpy.typing.NDArray[numpy.float64], numpy.typing.NDArray[numpy.float64], numpy.typing.NDArray[numpy.float64], numpy.typing.NDArray[numpy.int8]]:
    """
    Fused great-circle distance + transport costing of candidate pairs, GIL released. Returns (great_circle_km, route_km, cost_usd, co2e_kg, mode) arrays.
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
def grid_candidates(supply_lat: typing.Any, supply_lon: typing.Any, supply_group: typing.Any, supply_company: typing.Any, radius_km: typing.Any, demand_lat: typing.Any, demand_lon: typing.Any, demand_group: typing.Any, demand_company: typing.Any, compat: typing.Any, n_groups: typing.SupportsInt | typing.SupportsIndex, max_per_supply: typing.SupportsInt | typing.SupportsIndex = 0, n_threads: typing.SupportsInt | typing.SupportsIndex = 0, supply_tie_id: typing.Any = None, demand_tie_id: typing.Any = None) -> dict:
    """
    Candidate (supply, demand) pairs within each supply's radius whose material groups are compatible, by a lat/lon grid (GIL released). Returns a dict of arrays. A cut to max_per_supply breaks distance ties by a hash of (supply_tie_id, demand_tie_id) (default: row positions), so co-located streams spread over the tied demands.
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
def kdtree_candidates(supply_lat: typing.Any, supply_lon: typing.Any, supply_group: typing.Any, supply_company: typing.Any, radius_km: typing.Any, demand_lat: typing.Any, demand_lon: typing.Any, demand_group: typing.Any, demand_company: typing.Any, compat: typing.Any, n_groups: typing.SupportsInt | typing.SupportsIndex, max_per_supply: typing.SupportsInt | typing.SupportsIndex = 0, n_threads: typing.SupportsInt | typing.SupportsIndex = 0, supply_tie_id: typing.Any = None, demand_tie_id: typing.Any = None) -> dict:
    """
    Same as grid_candidates with one k-d tree per material group on 3D unit vectors; with max_per_supply = k the search prunes past the k-th nearest (GIL released).
    """
def score_pairs(supply_index: typing.Any, demand_index: typing.Any, distance_km: typing.Any, material_fit: typing.Any, sector_fit: typing.Any, supply: dict, demand: dict, circuity: typing.SupportsFloat | typing.SupportsIndex, weights: typing.Any, bias: typing.SupportsFloat | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex = 0, link_score: typing.Any = None, text_rows: typing.Any = None, supply_text: typing.Any = None, demand_text: typing.Any = None) -> tuple[numpy.typing.NDArray[numpy.float64], numpy.typing.NDArray[numpy.float64]]:
    """
    Features (n_pairs x NUM_PAIR_FEATURES) and score in (0, 1] of candidate pairs, one pass, GIL released.
    """
def simd_level() -> str:
    """
    Best SIMD level of the similarity micro-kernels on this CPU.
    """
COSTING_MAX_MODES: int = 32
COSTING_NUM_MEDIA: int = 8
EARTH_RADIUS_KM: float = 6371.0088
NUM_PAIR_FEATURES: int = 15
PAIR_FEATURES: tuple = (('material_fit', '1', "taxonomy substitution score of the supply's material for the demand's input, in [0, 1] (a per-pair input)"), ('quantity_fit_supply', '1', 'min(q_supply, q_demand) / q_supply: share of the supply taken'), ('quantity_fit_demand', '1', 'min(q_supply, q_demand) / q_demand: share of the demand met'), ('quality_fit', '1', '1 - max(0, quality required - quality offered); 1 when either is unknown'), ('timing_overlap', '1', 'months both are available / months the demand needs (12 monthly bits); 1 when the demand gives none'), ('distance_km', 'km', "road distance: great-circle km x the supply medium's circuity"), ('log_distance', 'ln km', 'ln(1 + road km): distance on a log scale, for a score that falls as a power of distance (gravity)'), ('transport_usd_per_t', 'USD/t', 'fixed + per-t.km rate x road km (cheapest default mode of the medium at full load)'), ('surplus_usd_per_t', 'USD/t', 'avoided disposal cost + virgin price x material_fit - transport cost'), ('co2e_avoided_kg_per_t', 'kg CO2e/t', 'avoided disposal CO2e + virgin production CO2e x material_fit - transport CO2e'), ('hazardous', '0/1', '1 when the supply is hazardous waste'), ('cross_border', '0/1', '1 when supplier and receiver are in different countries'), ('sector_fit', 'log-score', "centred learned log-score of the receiver's NACE class given the supply (a per-pair input; 0 when unused)"), ('link_score', 'probability', "a link predictor's probability of the exchange (a per-pair input; 0 when none)"), ('text_fit', 'cosine', "cosine of the supply's text and the demand's text embeddings (the plan's encoder; 0 when either has no text)"))
