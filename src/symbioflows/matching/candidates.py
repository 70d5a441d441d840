"""Candidate generation: compatible demands within the distance a medium allows.

Two native spatial indexes give the same pairs:

* ``kdtree`` (default): one k-d tree per material group over the demands' 3D unit vectors.
  The chord between unit vectors grows monotonically with the great-circle distance, so box
  bounds prune exactly everywhere on the sphere.  With ``max_per_supply = k`` the search keeps
  the k best pairs found so far and skips every subtree farther than the k-th, so each supply
  costs about ``k + log(n)`` distance evaluations per compatible group, however dense the
  region and however long the medium's radius: total cost ``O(n log n)``.
* ``grid``: demands bucketed in a lat/lon grid whose cells are as wide as a supply's search
  radius (rounded up to a power of two), so each supply visits only the cells within reach;
  its cost grows with the number of demands within the radius, which on a region no larger
  than the radius is a growing share of all demands.

``all_pairs`` is the brute-force baseline.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from symbioflows import _core
from symbioflows._config import resolve_n_jobs
from symbioflows._validation import (
    as_float_array,
    as_index_array,
    check_lat_lon,
    check_positive_int,
)
from symbioflows.errors import InvalidInputError

__all__ = ["CandidatePairs", "candidate_tie_key", "find_candidates"]

log = logging.getLogger(__name__)

_METHODS = {"kdtree": "kdtree_candidates", "grid": "grid_candidates",
            "all_pairs": "all_pairs_candidates"}


@dataclass
class CandidatePairs:
    """Candidate (supply, demand) pairs, ordered by supply, then distance, then demand index."""

    supply: npt.NDArray[np.int64]
    demand: npt.NDArray[np.int64]
    distance_km: npt.NDArray[np.float64]
    material_fit: npt.NDArray[np.float64]
    n_truncated: int = 0
    n_distance_evals: int = 0

    def __len__(self) -> int:
        return int(self.supply.size)

    def __repr__(self) -> str:
        return (f"CandidatePairs(n_pairs={len(self)}, n_truncated={self.n_truncated}, "
                f"n_distance_evals={self.n_distance_evals})")


def find_candidates(
    supply_lat: Any,
    supply_lon: Any,
    supply_group: Any,
    supply_company: Any,
    radius_km: Any,
    demand_lat: Any,
    demand_lon: Any,
    demand_group: Any,
    demand_company: Any,
    compat: Any,
    *,
    max_per_supply: int = 0,
    method: str = "kdtree",
    n_jobs: int | None = -1,
    supply_ids: Any = None,
    demand_ids: Any = None,
) -> CandidatePairs:
    """Every demand within each supply's radius whose material group is compatible.

    Parameters
    ----------
    supply_lat, supply_lon, demand_lat, demand_lon : array-like of float
        WGS84 degrees.
    supply_group, demand_group : array-like of int
        Material group ids in ``[0, n_groups)``.
    supply_company, demand_company : array-like of int
        Company ids; a company is never its own candidate.
    radius_km : array-like of float
        Search radius of each supply (> 0): the longest distance its medium is worth moving.
    compat : array-like of float, shape (n_groups, n_groups)
        Material fit of supply group -> demand group in [0, 1]; 0 = incompatible.
    max_per_supply : int
        Keep at most this many nearest candidates per supply (0 = all); the number of supplies
        cut is reported in ``n_truncated``.  Demands tied at the cut distance are chosen by
        :func:`candidate_tie_key` of (supply id, demand id), not by row order, so co-located
        streams spread over the tied demands (with row order, 1,000 co-located supplies all
        kept the same 50 demands and the allocation starved).
    supply_ids, demand_ids : array-like of int, optional
        Stable ids of the streams for that tie-break (default: the row positions); pass
        global ids when the streams are a subset, so that a partitioned run keeps the same
        candidates as a single one.
    method : {"kdtree", "grid", "all_pairs"}
        Spatial index (see the module notes); ``all_pairs`` is the brute-force baseline.  All
        three give the same result.
    n_jobs : int
        Threads (-1 = all cores); the result does not depend on it.

    Returns
    -------
    CandidatePairs

    Examples
    --------
    >>> c = find_candidates([55.0], [12.0], [0], [1], [50.0],
    ...                     [55.1, 56.0], [12.0, 12.0], [0, 0], [2, 3], [[1.0]])
    >>> c.demand.tolist(), c.distance_km.round(2).tolist()
    ([0], [11.12])
    """
    if method not in _METHODS:
        raise InvalidInputError(f"method={method!r}; choose one of {sorted(_METHODS)}")
    slat, slon = check_lat_lon(supply_lat, supply_lon, name="supplies")
    dlat, dlon = check_lat_lon(demand_lat, demand_lon, name="demands")
    cm = as_float_array(compat, "compat", ndim=2)
    if cm.shape[0] != cm.shape[1] or cm.shape[0] == 0:
        raise InvalidInputError(f"compat must be square (n_groups x n_groups); got {cm.shape}")
    if ((cm < 0) | (cm > 1)).any():
        raise InvalidInputError("compat values must lie in [0, 1]")
    g = cm.shape[0]
    sg = as_index_array(supply_group, "supply_group", n=g)
    dg = as_index_array(demand_group, "demand_group", n=g)
    sc = as_index_array(supply_company, "supply_company")
    dc = as_index_array(demand_company, "demand_company")
    rad = as_float_array(radius_km, "radius_km")
    fn = getattr(_core, _METHODS[method])
    sid = None if supply_ids is None else as_index_array(supply_ids, "supply_ids")
    did = None if demand_ids is None else as_index_array(demand_ids, "demand_ids")
    r = fn(slat, slon, sg, sc, rad, dlat, dlon, dg, dc, cm.reshape(-1), g,
           max_per_supply=check_positive_int(max_per_supply, "max_per_supply", minimum=0),
           n_threads=resolve_n_jobs(n_jobs), supply_tie_id=sid, demand_tie_id=did)
    return CandidatePairs(r["supply"], r["demand"], r["distance_km"], r["material_fit"],
                          int(r["n_truncated"]), int(r["n_distance_evals"]))


def candidate_tie_key(supply_id: Any, demand_id: Any) -> npt.NDArray[np.uint64]:
    """The tie-break key of candidate pairs at equal distance (the native
    ``candidate_tie_key``: splitmix64 of ``supply_id * 0x9E3779B97F4A7C15 + demand_id``).

    A cut to ``max_per_supply`` keeps candidates by (distance, this key, demand id); code that
    merges or cuts candidate sets itself (partitioned runs) uses it to keep the same ones.

    Examples
    --------
    >>> k = candidate_tie_key([0, 0, 1], [5, 6, 5])
    >>> k.dtype.name, len(set(k.tolist()))
    ('uint64', 3)
    """
    z = np.asarray(supply_id, dtype=np.int64).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    z = z + np.asarray(demand_id, dtype=np.int64).astype(np.uint64)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return np.asarray(z ^ (z >> np.uint64(31)), dtype=np.uint64)
