"""Candidate generation: compatible demands within the distance a medium allows.

The native kernel buckets demands in a lat/lon grid whose cells are as wide as a supply's
search radius (rounded up to a power of two, one grid per radius tier), so each supply visits
only the few cells that can hold a demand within reach.  Cost grows with the number of streams
times the local density, not with the number of supply x demand pairs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from symbioflows import _core
from symbioflows._config import resolve_n_jobs
from symbioflows._validation import as_float_array, as_index_array, check_lat_lon
from symbioflows.errors import InvalidInputError

__all__ = ["CandidatePairs", "find_candidates"]

log = logging.getLogger(__name__)


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
    method: str = "grid",
    n_jobs: int | None = -1,
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
        cut is reported in ``n_truncated``.
    method : {"grid", "all_pairs"}
        ``all_pairs`` is the brute-force baseline (same result, quadratic cost).
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
    if method not in ("grid", "all_pairs"):
        raise InvalidInputError(f"method={method!r}; choose 'grid' or 'all_pairs'")
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
    fn = _core.grid_candidates if method == "grid" else _core.all_pairs_candidates
    r = fn(slat, slon, sg, sc, rad, dlat, dlon, dg, dc, cm.reshape(-1), g,
           max_per_supply=int(max_per_supply), n_threads=resolve_n_jobs(n_jobs))
    return CandidatePairs(r["supply"], r["demand"], r["distance_km"], r["material_fit"],
                          int(r["n_truncated"]), int(r["n_distance_evals"]))
