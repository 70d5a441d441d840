"""Build the company graph of a :class:`~symbioflows.Dataset` for chain search."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from symbioflows.chains.graph import SymbiosisGraph
from symbioflows.errors import InvalidInputError
from symbioflows.matching.candidates import find_candidates

__all__ = ["EXCHANGE_STATUS_SCORE", "graph_from_dataset"]

#: Edge score of a known exchange by its status: a modelling convention of this library (how
#: far the exchange has progressed, as a rough likelihood that it runs), not a measured fact.
#: 'rejected' and 'ended' exchanges are not edges.
EXCHANGE_STATUS_SCORE: dict[str, float] = {
    "active": 1.0,
    "negotiating": 0.8,
    "contacted": 0.6,
    "proposed": 0.5,
}

#: Smallest score given to a candidate edge at the distance limit (scores must be > 0).
MIN_CANDIDATE_SCORE = 0.05


def graph_from_dataset(
    dataset: Any,
    *,
    max_distance_km: float = 50.0,
    use_exchanges: bool | None = None,
) -> SymbiosisGraph:
    """The company graph of a dataset: one edge per (candidate) exchange.

    Rule, kept deliberately simple (the plan's scored candidates are better edges):

    * when the dataset has exchanges whose status is not ``rejected``/``ended`` (or
      ``use_exchanges=True``), each becomes an edge supplier company -> receiver company with
      score :data:`EXCHANGE_STATUS_SCORE` of its status, ``tonnes_per_yr`` the exchange
      quantity (else the smaller stream quantity, else 0) and the supplier stream's material;
    * otherwise every supply stream is linked to every demand stream of another company with
      the same (non-null) ``material_class`` within ``max_distance_km`` (great-circle; found by
      :func:`symbioflows.matching.candidates.find_candidates`, the plan's candidate search), with
      score ``1 - distance / max_distance_km`` (at least 0.05) and ``tonnes_per_yr`` the
      smaller of the two quantities (0 when unknown, e.g. energy streams).

    Parameters
    ----------
    dataset : Dataset or anything :func:`symbioflows.read_dataset` accepts
    max_distance_km : float
        Distance limit of candidate edges (> 0).
    use_exchanges : bool, optional
        Force (True) or forbid (False) using the exchanges table; default: use it when it
        has usable rows.

    Returns
    -------
    SymbiosisGraph
        Edges carry ``material``, ``material_class``, ``supplier_stream_id``,
        ``receiver_stream_id``, ``quantity`` and ``unit`` (the link's quantity per year in
        its medium's unit: ``t`` when both streams have tonnes, else ``MWh`` or ``m3``; NaN
        when unknown) and ``distance_km`` (candidates).
    """
    from symbioflows import read_dataset

    if not (isinstance(max_distance_km, (int, float)) and np.isfinite(max_distance_km) and max_distance_km > 0):
        raise InvalidInputError(f"max_distance_km must be > 0; got {max_distance_km!r}")
    ds = read_dataset(dataset)
    companies = ds.companies.to_pandas()
    streams = ds.streams.to_pandas()
    exchanges = ds.exchanges.to_pandas()
    usable = exchanges[~exchanges["status"].isin(["rejected", "ended"])]
    if use_exchanges is None:
        use_exchanges = len(usable) > 0
    by_id = streams.set_index("stream_id")
    if use_exchanges:
        s = by_id.loc[usable["supplier_stream_id"]]
        r = by_id.loc[usable["receiver_stream_id"]]
        q = usable["quantity_t_per_yr"].to_numpy(dtype=float)
        fallback = np.fmin(s["quantity_t_per_yr"].to_numpy(float), r["quantity_t_per_yr"].to_numpy(float))
        q = np.where(np.isnan(q), fallback, q)
        score = usable["status"].map(EXCHANGE_STATUS_SCORE).fillna(0.5).to_numpy(float)
        return SymbiosisGraph(companies, _links(s, r, s.index.to_numpy(), r.index.to_numpy(),
                                                q, score))

    pos = companies.set_index("company_id")[["lat", "lon"]]
    st = streams.dropna(subset=["material_class"]).join(pos, on="company_id")
    sup = st[st["direction"] == "supply"].reset_index(drop=True)
    dem = st[st["direction"] == "demand"].reset_index(drop=True)
    # the one candidate generator (the plan's native search): same class, within reach, never
    # inside one company, every pair kept (max_per_supply=0)
    groups, _ = pd.factorize(pd.concat([sup["material_class"], dem["material_class"]],
                                       ignore_index=True))
    comps, _ = pd.factorize(pd.concat([sup["company_id"], dem["company_id"]], ignore_index=True))
    ns = len(sup)
    if ns and len(dem):
        n_groups = int(groups.max()) + 1
        cand = find_candidates(
            sup["lat"].to_numpy(float), sup["lon"].to_numpy(float), groups[:ns],
            comps[:ns], np.full(ns, float(max_distance_km)), dem["lat"].to_numpy(float),
            dem["lon"].to_numpy(float), groups[ns:], comps[ns:], np.eye(n_groups),
            max_per_supply=0, n_jobs=1)
        si, di, dist = cand.supply, cand.demand, cand.distance_km
    else:
        si = di = np.zeros(0, np.int64)
        dist = np.zeros(0)
    keep = dist <= max_distance_km
    si, di, dist = si[keep], di[keep], dist[keep]
    s, r = sup.iloc[si], dem.iloc[di]
    q = np.fmin(s["quantity_t_per_yr"].to_numpy(float), r["quantity_t_per_yr"].to_numpy(float))
    score = np.maximum(MIN_CANDIDATE_SCORE, 1.0 - dist / max_distance_km)
    return SymbiosisGraph(companies, _links(s, r, s["stream_id"].to_numpy(),
                                            r["stream_id"].to_numpy(), q, score,
                                            distance_km=dist))


def _links(s: pd.DataFrame, r: pd.DataFrame, supplier_stream_id: np.ndarray,
           receiver_stream_id: np.ndarray, tonnes: np.ndarray, score: np.ndarray,
           **extra: np.ndarray) -> pd.DataFrame:
    """The chain graph's links (one column set for documented exchanges and for candidates):
    supply stream rows ``s`` to demand stream rows ``r`` (aligned), their tonnes per year and
    score, and any ``extra`` columns."""
    qty, unit = _link_quantity(s, r, tonnes)
    return pd.DataFrame({
        "supplier": s["company_id"].to_numpy(),
        "receiver": r["company_id"].to_numpy(),
        "score": score,
        "tonnes_per_yr": np.nan_to_num(tonnes, nan=0.0),
        "quantity": qty,
        "unit": unit,
        "material": s["material"].to_numpy(),
        "material_class": s["material_class"].to_numpy(),
        "supplier_stream_id": supplier_stream_id,
        "receiver_stream_id": receiver_stream_id,
        **extra,
    })


#: (stream column, unit) in the order a link's unit is chosen: energy first (steam and heat
#: streams may also state tonnes, but MWh is what a heat link carries), then mass, volume.
_QUANTITY_UNITS = (("quantity_mwh_per_yr", "MWh"), ("quantity_t_per_yr", "t"),
                   ("quantity_m3_per_yr", "m3"))


def _link_quantity(sup: pd.DataFrame, dem: pd.DataFrame,
                   tonnes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Quantity and unit of each link: the smaller of the two streams' MWh when both state
    energy, else ``tonnes`` (the exchange's or the smaller stream's), else the smaller m3
    (NaN, in the supply's unit, when unknown)."""
    n = len(tonnes)
    qty = np.full(n, np.nan)
    unit = np.full(n, "", dtype=object)
    for col, u in _QUANTITY_UNITS:
        if col not in sup.columns or col not in dem.columns:
            continue
        a = sup[col].to_numpy(dtype=float)
        v = np.asarray(tonnes, dtype=float) if u == "t" else np.fmin(a, dem[col].to_numpy(dtype=float))
        take = (unit == "") & ~np.isnan(v)
        qty[take] = v[take]
        unit[take] = u
    for col, u in _QUANTITY_UNITS:  # no quantity known: the unit of the supply's medium
        if col in sup.columns:
            unit[(unit == "") & ~np.isnan(sup[col].to_numpy(dtype=float))] = u
    unit[unit == ""] = "t"
    return qty, unit
