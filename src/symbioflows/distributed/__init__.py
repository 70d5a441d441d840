"""Scale-out of the candidate and scoring stage over spatial partitions on Ray or Dask.

The user passes an engine they started (``ray`` after ``ray.init(...)``, or a
``dask.distributed.Client``); symbioflows never starts a cluster itself.  Supplies are split
into latitude bands of equal count; each task gets its band's supplies and every demand within
the largest search radius of the band (a halo), so each supply sees exactly the demands it
would see on one machine.  The pieces are merged in canonical order, so the result equals the
single-machine run bit for bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from symbioflows.errors import InvalidInputError
from symbioflows.matching.candidates import CandidatePairs

__all__ = ["spatial_partitions", "distributed_candidates"]

_KM_PER_DEG_LAT = 6371.0088 * np.pi / 180.0


def spatial_partitions(sup: pd.DataFrame, dem: pd.DataFrame,
                       n_partitions: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(supply indices, demand indices) per latitude band, with a halo of demands."""
    if n_partitions < 1:
        raise InvalidInputError(f"n_partitions must be >= 1; got {n_partitions}")
    if len(sup) == 0:
        return []
    lat_s = sup["lat"].to_numpy(float)
    lat_d = dem["lat"].to_numpy(float)
    order = np.argsort(lat_s, kind="stable")
    parts = []
    for chunk in np.array_split(order, min(n_partitions, len(sup))):
        if chunk.size == 0:
            continue
        lo, hi = lat_s[chunk].min(), lat_s[chunk].max()
        halo = float(sup["radius_km"].to_numpy(float)[chunk].max()) / _KM_PER_DEG_LAT * 1.001 + 1e-6
        d_idx = np.flatnonzero((lat_d >= lo - halo) & (lat_d <= hi + halo))
        parts.append((np.sort(chunk), d_idx))
    return parts


def _task(sup: pd.DataFrame, dem: pd.DataFrame, group_of: dict[str, int], compat: np.ndarray,
          s_idx: np.ndarray, d_idx: np.ndarray, max_per_supply: int) -> CandidatePairs:
    from symbioflows.matching.pipeline import candidate_stage

    return candidate_stage(sup, dem, group_of, compat, max_per_supply=max_per_supply, n_jobs=1,
                           supply_subset=s_idx, demand_subset=d_idx)


def _is_dask(client: Any) -> bool:
    return type(client).__module__.startswith("distributed") and hasattr(client, "submit")


def distributed_candidates(client: Any, sup: pd.DataFrame, dem: pd.DataFrame,
                           group_of: dict[str, int], compat: np.ndarray, *,
                           max_per_supply: int, n_partitions: int | None = None) -> CandidatePairs:
    """Run the candidate stage on ``client`` (the ``ray`` module or a Dask ``Client``)."""
    from symbioflows.matching.pipeline import merge_candidates

    if _is_dask(client):
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        parts = spatial_partitions(sup, dem, n_partitions or 2 * n_workers)
        [sup_f, dem_f] = client.scatter([sup, dem], broadcast=True)
        futs = [client.submit(_task, sup_f, dem_f, group_of, compat, s, d, max_per_supply,
                              pure=False) for s, d in parts]
        results = client.gather(futs)
    elif getattr(client, "__name__", "") == "ray" and hasattr(client, "remote"):
        ray = client
        if not ray.is_initialized():
            raise InvalidInputError("ray is not initialised; call ray.init(...) first "
                                    "(symbioflows never starts a cluster)")
        n_cpu = int(ray.cluster_resources().get("CPU", 1))
        parts = spatial_partitions(sup, dem, n_partitions or 2 * n_cpu)
        remote = ray.remote(_task)
        sref, dref = ray.put(sup), ray.put(dem)
        results = ray.get([remote.remote(sref, dref, group_of, compat, s, d, max_per_supply)
                           for s, d in parts])
    else:
        raise InvalidInputError(
            f"client must be the ray module (after ray.init) or a dask.distributed.Client; got "
            f"{type(client).__name__}")
    merged = merge_candidates(list(results), max_per_supply)
    # supplies are disjoint across partitions, so the per-part counts add up exactly
    merged.n_truncated = sum(r.n_truncated for r in results)
    return merged
