"""Scale-out of the candidate and scoring stages over spatial partitions on Ray or Dask.

The user passes an engine they started (``ray`` after ``ray.init(...)``, or a
``dask.distributed.Client``; extras ``symbioflows[ray]`` and ``symbioflows[dask]``);
symbioflows never starts a cluster itself and imports neither engine.  Supplies are split into
latitude bands of equal count; each task gets its band's supplies and every demand within the
largest search radius of the band (a halo), so each supply sees exactly the demands it would
see on one machine.  Each task then scores its own candidate pairs with the stream-level
tables that the driver built once (a pair's features and score depend only on the pair and
those tables).  The driver merges the pieces in canonical order (supply, distance, demand), so
candidates, features and scores equal the single-machine run bit for bit.  This package
only partitions and runs; what runs in a partition (find and score its candidates) and the
merge are the plan's scoring stage, :func:`symbioflows.pipeline.scoring.distributed_scored_candidates`.

The allocation is not partitioned: the optimum couples every supply and demand of the region
(a demand's tonnes are shared by supplies of several bands), so it runs once on the driver
over the merged candidates.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from symbioflows._optional import install_hint
from symbioflows.errors import InvalidInputError

__all__ = ["spatial_partitions", "map_partitions"]

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


def _is_dask(client: Any) -> bool:
    return type(client).__module__.startswith("distributed") and hasattr(client, "submit")


def map_partitions(client: Any, sup: pd.DataFrame, dem: pd.DataFrame,
                   n_partitions: int | None, fn: Callable[..., Any], *args: Any) -> list[Any]:
    """``fn(sup, dem, *args[:2], s_idx, d_idx, *args[2:])`` per spatial partition
    (:func:`spatial_partitions`) on ``client``; the results in partition order.

    ``sup`` and ``dem`` need ``lat`` and, for supplies, ``radius_km`` columns; they are sent to
    the workers once (broadcast).  ``fn`` must be a module-level function (workers import it).
    """
    if _is_dask(client):
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        parts = spatial_partitions(sup, dem, n_partitions or 2 * n_workers)
        [sup_f, dem_f] = client.scatter([sup, dem], broadcast=True)
        futs = [client.submit(fn, sup_f, dem_f, *args[:2], s, d, *args[2:], pure=False)
                for s, d in parts]
        return list(client.gather(futs))
    if getattr(client, "__name__", "") == "ray" and hasattr(client, "remote"):
        ray = client
        if not ray.is_initialized():
            raise InvalidInputError("ray is not initialised; call ray.init(...) first "
                                    "(symbioflows never starts a cluster)")
        n_cpu = int(ray.cluster_resources().get("CPU", 1))
        parts = spatial_partitions(sup, dem, n_partitions or 2 * n_cpu)
        remote = ray.remote(fn)
        sref, dref = ray.put(sup), ray.put(dem)
        return list(ray.get([remote.remote(sref, dref, *args[:2], s, d, *args[2:])
                             for s, d in parts]))
    raise InvalidInputError(
        f"client must be the ray module (after ray.init; {install_hint('ray')}) or a "
        f"dask.distributed.Client ({install_hint('dask')}); got "
        f"{type(client).__name__}")


def __getattr__(name: str) -> Any:
    # deprecated alias (one release): the merge of scored partitions belongs to the plan's
    # scoring stage, so that this package never imports the pipeline at module level
    if name == "distributed_scored_candidates":
        warnings.warn("symbioflows.distributed.distributed_scored_candidates moved to "
                      "symbioflows.pipeline.scoring.distributed_scored_candidates; the old "
                      "name will be removed in the next release", DeprecationWarning,
                      stacklevel=2)
        from symbioflows.pipeline import scoring  # deprecated alias only

        return scoring.distributed_scored_candidates
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
