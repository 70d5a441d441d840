"""Scale-out of the candidate and scoring stages over spatial partitions on Ray or Dask.

The user passes an engine they started (``ray`` after ``ray.init(...)``, or a
``dask.distributed.Client``; extras ``symbioflows[ray]`` and ``symbioflows[dask]``);
symbioflows never starts a cluster itself and imports neither engine.  Supplies are split into
latitude bands of equal count; each task gets its band's supplies and every demand within the
largest search radius of the band (a halo), so each supply sees exactly the demands it would
see on one machine.  Each task then scores its own candidate pairs with the stream-level
tables that the driver built once (a pair's features and score depend only on the pair and
those tables).  The driver merges the pieces in canonical order (supply, distance, demand), so
candidates, features and scores equal the single-machine run bit for bit.

The allocation is not partitioned: the optimum couples every supply and demand of the region
(a demand's tonnes are shared by supplies of several bands), so it runs once on the driver
over the merged candidates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from symbioflows._optional import install_hint
from symbioflows.errors import InvalidInputError
from symbioflows.matching.candidates import CandidatePairs
from symbioflows.matching.features import NUM_PAIR_FEATURES

if TYPE_CHECKING:
    from symbioflows.matching.pipeline import _ScoringInputs

__all__ = ["spatial_partitions", "distributed_scored_candidates"]

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


def _scored_task(sup: pd.DataFrame, dem: pd.DataFrame, group_of: dict[str, int],
                 compat: np.ndarray, s_idx: np.ndarray, d_idx: np.ndarray, max_per_supply: int,
                 inputs: _ScoringInputs) -> tuple[CandidatePairs, np.ndarray, np.ndarray]:
    """One partition: its candidates (global indices) and their features and scores."""
    from symbioflows.matching.pipeline import score_candidates

    cand = _task(sup, dem, group_of, compat, s_idx, d_idx, max_per_supply)
    feats, score = score_candidates(inputs, sup, dem, cand, n_jobs=1)
    return cand, feats, score


def _is_dask(client: Any) -> bool:
    return type(client).__module__.startswith("distributed") and hasattr(client, "submit")


def _run_partitions(client: Any, sup: pd.DataFrame, dem: pd.DataFrame,
                    n_partitions: int | None, fn: Callable[..., Any], *args: Any) -> list[Any]:
    """``fn(sup, dem, *args[:2], s_idx, d_idx, *args[2:])`` per spatial partition on
    ``client``; the results in partition order."""
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


def distributed_scored_candidates(
    client: Any, sup: pd.DataFrame, dem: pd.DataFrame, group_of: dict[str, int],
    compat: np.ndarray, inputs: _ScoringInputs, *, max_per_supply: int,
    n_partitions: int | None = None,
) -> tuple[CandidatePairs, np.ndarray, np.ndarray]:
    """Run the candidate and the scoring stage on ``client``: each partition finds and scores
    its own candidate pairs; the driver concatenates them in canonical order.  Returns the
    merged candidates, their features (n_pairs x NUM_PAIR_FEATURES, column-major) and scores, equal to
    :func:`symbioflows.matching.pipeline.score_candidates` on the single-machine candidates."""
    from symbioflows.matching.pipeline import _merge_index

    results = _run_partitions(client, sup, dem, n_partitions, _scored_task, group_of, compat,
                              max_per_supply, inputs)
    cands = [r[0] for r in results]
    s = np.concatenate([c.supply for c in cands]) if cands else np.zeros(0, np.int64)
    d = np.concatenate([c.demand for c in cands]) if cands else np.zeros(0, np.int64)
    dist = np.concatenate([c.distance_km for c in cands]) if cands else np.zeros(0)
    k, _ = _merge_index(s, d, dist, max_per_supply)
    fit = np.concatenate([c.material_fit for c in cands])[k] if cands else np.zeros(0)
    # supplies are disjoint across partitions, so the per-part counts add up exactly
    merged = CandidatePairs(s[k], d[k], dist[k], fit,
                            sum(c.n_truncated for c in cands),
                            sum(c.n_distance_evals for c in cands))
    n_feat = NUM_PAIR_FEATURES
    feats = np.empty((k.size, n_feat), order="F")
    for f in range(n_feat):
        feats[:, f] = np.concatenate([r[1][:, f] for r in results])[k] if results else 0.0
    score = np.concatenate([r[2] for r in results])[k] if results else np.zeros(0)
    return merged, feats, score
