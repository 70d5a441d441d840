"""Stage 2 of the plan: candidate pairs (supply, demand) from the native spatial search.

Input: the supplies and demands of :mod:`~symbioflows.pipeline.prepare` (site, material group,
search radius).  Output: :class:`~symbioflows.matching.candidates.CandidatePairs` in canonical
order (supply, distance, demand): compatible material groups (material fit at least
``min_material_fit``) within the supply's radius, never within one company, the
``max_per_supply`` nearest per supply (``n_truncated`` counts the supplies that were cut).

This is the one candidate generator: :func:`~symbioflows.pipeline.plan` and the chain graph of
:func:`~symbioflows.pipeline.chains.candidate_graph` (``symbioflows chains``) both use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from symbioflows.matching.candidates import CandidatePairs, candidate_tie_key, find_candidates
from symbioflows.pipeline.prepare import findings_block, taxonomy

__all__ = ["DEFAULT_MIN_MATERIAL_FIT", "MaterialGroups", "material_fit_matrix", "candidate_stage", "merge_index",
           "merge_candidates", "material_groups", "candidate_findings"]

#: Lowest material fit (taxonomy substitution score) for a supply to be matched to a demand.
#: The taxonomy gives 0.2 to classes of the same family and medium that replace no common
#: virgin input (e.g. CO2 and hydrogen): a hint for material search, not a substitution, so
#: such pairs are not proposed as exchanges and their value is never counted.
DEFAULT_MIN_MATERIAL_FIT = 0.25


@dataclass
class MaterialGroups:
    """The material groups of a region and how the candidate search finds compatible pairs.

    ``keys`` are the sorted ``group_key`` values (a stream's group is its index).  The search
    does not use the ``keys x keys`` fit matrix (a free-text region has a group per distinct
    signature of top classes, about 13,000 at 100k streams, and that matrix grows with their
    square): supplies are searched by their *search group* (the demand groups they can meet,
    :meth:`~symbioflows.materials.infer.GroupFits.search_sets`), demands by theirs, and
    ``search_compat`` says which meet (1) or not (0).  The material fit of each found pair
    comes from :meth:`pair_fit`, exactly the entry of :func:`material_fit_matrix`.
    """

    keys: list[str]
    min_fit: float
    fits: Any  # GroupFits, or None without the taxonomy (each key fits only itself)
    sup_search: np.ndarray
    dem_search: np.ndarray
    search_compat: np.ndarray

    def pair_fit(self, supply_group: np.ndarray, demand_group: np.ndarray) -> np.ndarray:
        """Material fit of each (supply group, demand group) pair; 0 below ``min_fit``."""
        sg = np.asarray(supply_group, np.int64)
        dg = np.asarray(demand_group, np.int64)
        f = (self.fits.pair_fit(sg, dg) if self.fits is not None
             else (sg == dg).astype(np.float64))
        f[f < self.min_fit] = 0.0
        return f

    def __repr__(self) -> str:
        return (f"MaterialGroups({len(self.keys)} groups, {self.search_compat.shape[0]} search "
                f"groups, min_fit={self.min_fit})")


def material_groups(streams: pd.DataFrame,
                    min_material_fit: float = DEFAULT_MIN_MATERIAL_FIT
                    ) -> tuple[dict[str, int], MaterialGroups]:
    """The material groups of a prepared streams table (sorted ``group_key`` values, numbered)
    and their :class:`MaterialGroups` (search groups and pair fits).

    Notes
    -----
    Supplies with the same set of compatible demand groups share a search group; the search
    matrix has ``max(supply search groups, demand search groups)`` squared entries (about
    3,200 x 3,200 at 100k free-text streams, where the fit matrix had 12,930 x 12,930).
    """
    keys = sorted(str(k) for k in pd.unique(streams["group_key"]))  # not one Python str per row
    group_of = {k: i for i, k in enumerate(keys)}
    n = len(keys)
    code = streams["group_key"].astype(str).map(group_of).to_numpy(np.int64)
    is_sup = (streams["direction"] == "supply").to_numpy()
    on_sup = np.bincount(code[is_sup], minlength=n) > 0
    on_dem = np.bincount(code[~is_sup], minlength=n) > 0
    fits = None
    if taxonomy() is not None and n:
        from symbioflows.materials.infer import GroupFits

        fits = GroupFits(keys, min_material_fit)
        sup_sets, dem_sets = fits.search_sets(on_sup & on_dem)
    else:
        sup_sets = dem_sets = [(i,) for i in range(n)]
    # demand search groups: the distinct label sets of the demands' keys
    dem_search = np.zeros(n, np.int64)
    a_sets: dict[tuple[int, ...], int] = {}
    for i in np.flatnonzero(on_dem):
        dem_search[i] = a_sets.setdefault(dem_sets[i], len(a_sets))
    # supply search groups: the distinct sets of demand search groups their labels meet
    s_sets: dict[tuple[int, ...], int] = {}
    s_of_key = np.zeros(n, np.int64)
    for i in np.flatnonzero(on_sup):
        s_of_key[i] = s_sets.setdefault(sup_sets[i], len(s_sets))
    labels = sorted({x for t in list(a_sets) + list(s_sets) for x in t})
    lab = {x: k for k, x in enumerate(labels)}
    sm = np.zeros((len(s_sets), len(labels)), np.float32)
    for t, r in s_sets.items():
        sm[r, [lab[x] for x in t]] = 1.0
    am = np.zeros((len(a_sets), len(labels)), np.float32)
    for t, r in a_sets.items():
        am[r, [lab[x] for x in t]] = 1.0
    meets = (sm @ am.T) > 0
    sig, first = np.unique(meets, axis=0, return_inverse=True) if len(meets) else (meets, meets)
    sup_search = np.zeros(n, np.int64)
    if len(s_sets):
        sup_search[on_sup] = np.asarray(first).reshape(-1)[s_of_key[on_sup]]
    g = max(sig.shape[0], len(a_sets), 1)
    compat = np.zeros((g, g))
    compat[: sig.shape[0], : len(a_sets)] = sig
    return group_of, MaterialGroups(keys, float(min_material_fit), fits, sup_search, dem_search,
                                    compat)


def material_fit_matrix(keys: list[str], min_fit: float = DEFAULT_MIN_MATERIAL_FIT) -> np.ndarray:
    """Material fit between group keys: the taxonomy's substitution score between classes
    (:meth:`symbioflows.materials.Taxonomy.substitution_matrix`), for inferred supplies and
    needs the fit of :func:`symbioflows.materials.infer.group_fit_matrix`, else 1 for the same
    key; fits below ``min_fit`` are set to 0 (not compatible)."""
    cm = _compat_scores(keys, min_fit)
    cm[cm < min_fit] = 0.0
    return cm


def _compat_scores(keys: list[str], min_fit: float = DEFAULT_MIN_MATERIAL_FIT) -> np.ndarray:
    if taxonomy() is None:
        return np.eye(len(keys))
    from symbioflows.materials.infer import group_fit_matrix

    return group_fit_matrix(keys, min_fit)


def candidate_stage(
    sup: pd.DataFrame,
    dem: pd.DataFrame,
    group_of: dict[str, int],
    groups: MaterialGroups,
    *,
    max_per_supply: int,
    n_jobs: int | None,
    supply_subset: np.ndarray | None = None,
    demand_subset: np.ndarray | None = None,
) -> CandidatePairs:
    """Candidates for (a subset of) supplies against (a subset of) demands, global indices."""
    si = np.arange(len(sup)) if supply_subset is None else np.asarray(supply_subset, np.int64)
    di = np.arange(len(dem)) if demand_subset is None else np.asarray(demand_subset, np.int64)
    if si.size == 0 or di.size == 0:  # nothing to pair (the kernel needs one group at least)
        e = np.zeros(0, np.int64)
        return CandidatePairs(e, e.copy(), np.zeros(0), np.zeros(0))
    s = sup.iloc[si]
    d = dem.iloc[di]
    # any consistent integer code per company will do (only equality is tested)
    comp_code, _ = pd.factorize(pd.concat([s["company_id"], d["company_id"]], ignore_index=True))
    s_key = s["group_key"].astype(str).map(group_of).to_numpy(np.int64)
    d_key = d["group_key"].astype(str).map(group_of).to_numpy(np.int64)
    c = find_candidates(
        s["lat"].to_numpy(), s["lon"].to_numpy(), groups.sup_search[s_key],
        comp_code[: len(s)].astype(np.int64), s["radius_km"].to_numpy(),
        d["lat"].to_numpy(), d["lon"].to_numpy(), groups.dem_search[d_key],
        comp_code[len(s):].astype(np.int64), groups.search_compat,
        max_per_supply=max_per_supply, n_jobs=n_jobs, supply_ids=si, demand_ids=di)
    fit = groups.pair_fit(s_key[c.supply], d_key[c.demand])
    return CandidatePairs(si[c.supply], di[c.demand], c.distance_km, fit,
                          c.n_truncated, c.n_distance_evals)


def merge_index(s: np.ndarray, d: np.ndarray, dist: np.ndarray,
                 max_per_supply: int) -> tuple[np.ndarray, int]:
    """Positions (into the concatenated pair columns) of the merged candidate set in canonical
    order (supply, distance, demand), duplicates removed and each supply cut to
    ``max_per_supply`` as the kernel cuts (distance ties by :func:`candidate_tie_key`); and the
    number of supplies cut."""
    # the cut's order: (supply, distance, tie key, demand); duplicates are adjacent in it
    order = np.lexsort((d, candidate_tie_key(s, d), dist, s))
    s_o, d_o = s[order], d[order]
    keep = np.ones(s_o.size, bool)
    if s_o.size:
        keep[1:] = (s_o[1:] != s_o[:-1]) | (d_o[1:] != d_o[:-1])
    order, s_o = order[keep], s_o[keep]
    trunc = 0
    if max_per_supply and s_o.size:
        start = np.r_[0, np.flatnonzero(s_o[1:] != s_o[:-1]) + 1]
        rank = np.arange(s_o.size) - np.repeat(start, np.diff(np.r_[start, s_o.size]))
        trunc = int(np.unique(s_o[rank >= max_per_supply]).size)
        order = order[rank < max_per_supply]
    # the kept pairs in canonical order (supply, distance, demand)
    order = order[np.lexsort((d[order], dist[order], s[order]))]
    return order, trunc


def merge_candidates(parts: list[CandidatePairs], max_per_supply: int) -> CandidatePairs:
    """Union of candidate sets in canonical order (supply, distance, demand), duplicates
    removed and each supply cut to ``max_per_supply``."""
    if not parts:
        e = np.zeros(0, np.int64)
        return CandidatePairs(e, e.copy(), np.zeros(0), np.zeros(0))
    s = np.concatenate([p.supply for p in parts])
    d = np.concatenate([p.demand for p in parts])
    dist = np.concatenate([p.distance_km for p in parts])
    fit = np.concatenate([p.material_fit for p in parts])
    k, trunc = merge_index(s, d, dist, max_per_supply)
    return CandidatePairs(s[k], d[k], dist[k], fit[k], trunc,
                          sum(p.n_distance_evals for p in parts))


def candidate_findings(sup: pd.DataFrame, dem: pd.DataFrame, cand: CandidatePairs,
                       max_per_supply: int) -> pd.DataFrame:
    """Findings of the candidate stage: each stream with no candidate partner (kind
    ``"stream"``, rule ``NO-CANDIDATE``), and one row (kind ``"candidates"``, rule
    ``CANDIDATES-CUT``) when supplies had more compatible demands within reach than
    ``max_per_supply`` and only the nearest were kept."""
    parts = []
    for side, tab, idx in (("supply", sup, cand.supply), ("demand", dem, cand.demand)):
        lonely = np.bincount(np.asarray(idx, np.int64), minlength=len(tab)) == 0
        other = "demand" if side == "supply" else "supply"
        radius = tab["radius_km"].to_numpy(float)[lonely]
        group = tab["group_key"].to_numpy(object)[lonely]
        titles = [f"no compatible {other} of another company within {r:g} km (material "
                  f"group {g})" for r, g in zip(radius.tolist(), group.tolist())]
        parts.append(findings_block(
            int(lonely.sum()), kind="stream", stream_id=tab["stream_id"].to_numpy(object)[lonely],
            rule_id="NO-CANDIDATE", severity="info", title=titles,
            action="check the material class, the location and the search radius "
                   "(max_distance_km=); a partner outside the region cannot be seen",
            source="symbioflows.pipeline.candidates"))
    if cand.n_truncated:
        parts.append(findings_block(
            1, kind="candidates", rule_id="CANDIDATES-CUT", severity="warning",
            title=f"{cand.n_truncated} supplies had more than {max_per_supply} compatible "
                  f"demands within reach; only the nearest {max_per_supply} of each were kept "
                  "as candidates",
            action="raise max_per_supply (0 = keep all) when the cut hides better partners",
            source="symbioflows.pipeline.candidates"))
    return pd.concat(parts, ignore_index=True)
