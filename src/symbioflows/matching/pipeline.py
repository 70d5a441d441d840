"""The end-to-end matcher: candidates -> scores -> optimal allocation -> chains -> report tables.

``plan(dataset)`` returns a :class:`SymbiosisPlan`.  Stages:

1. **Streams**: supplies and demands with their company's site, quantity in the unit of their
   medium (t, MWh or m3), a material group (the taxonomy class, else the EWC code, else the
   normalised material text) and the medium's search radius.
2. **Candidates** (native grid, :func:`~symbioflows.matching.candidates.find_candidates`):
   compatible material groups (the taxonomy's substitution matrix when the materials module is
   installed, else same group only) within the medium's radius, never within one company.
3. **Scores** (native, one pass; with a Ray/Dask ``client``, inside the spatial partitions):
   material, quantity, quality and timing fit, distance, transport cost, price-band surplus,
   CO2e avoided, hazardous and cross-border flags, and a score in (0, 1] with per-feature
   contributions as the explanation.
4. **Allocation** (:func:`~symbioflows.matching.allocation.allocate`): the tonnes that maximise
   the chosen objective under supply and demand capacities.
5. **Chains**: circular chains on the company graph of the allocated exchanges.
6. **Totals and findings**: money, CO2e, tonnes diverted; compliance findings per exchange.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from symbioflows import _core
from symbioflows._config import resolve_n_jobs
from symbioflows._validation import check_known_keys
from symbioflows.errors import InvalidInputError
from symbioflows.matching.allocation import Allocation, allocate
from symbioflows.matching.candidates import CandidatePairs, find_candidates
from symbioflows.matching.features import PAIR_FEATURES, check_feature_names, feature_index

__all__ = ["OBJECTIVES", "PAIR_FEATURES", "DEFAULT_WEIGHTS", "DEFAULT_MAX_DISTANCE_KM",
           "SymbiosisPlan", "plan", "prepare_streams", "candidate_stage"]

log = logging.getLogger(__name__)

OBJECTIVES = ("net_benefit", "co2e", "landfill")
PLAN_ARTIFACT_KIND = "symbioflows.symbiosis_plan"
PLAN_FORMAT_VERSION = 1


#: Default weights of the pair score (per raw feature unit).  ``sector_fit`` is the centred
#: log-score of the receiver's NACE class given the supply, from the receiver scorer learned on
#: the MAESTRI exchanges (:meth:`ReceiverScorer.pretrained`); the other features have no
#: documented counterpart in historical-exchange data (MAESTRI records no tonnages, distances
#: or prices), so their weights are the hand-set blend.  A pair with a perfect material,
#: quantity, quality and timing fit at 0 km scores about 0.9; each 100 km costs as much as
#: losing a fifth of the material fit.
DEFAULT_WEIGHTS: dict[str, float] = {
    "material_fit": 2.0, "quantity_fit_supply": 0.5, "quantity_fit_demand": 0.5,
    "quality_fit": 1.0, "timing_overlap": 1.0, "distance_km": -0.004,
    "transport_usd_per_t": 0.0, "surplus_usd_per_t": 0.004, "co2e_avoided_kg_per_t": 0.0005,
    "hazardous": -0.5, "cross_border": -0.3, "sector_fit": 0.3, "link_score": 2.0,
}
check_feature_names(DEFAULT_WEIGHTS, "DEFAULT_WEIGHTS")
# ``link_score`` is a link predictor's probability of the exchange (e.g. the GNN of
# :class:`symbioflows.learn.LinkPredictor` fitted on the region's known exchanges), 0 when no
# predictor is passed to :func:`plan`.  Hand-set weight: a certain link counts as much as a
# perfect material fit.

#: Lowest material fit (taxonomy substitution score) for a supply to be matched to a demand.
#: The taxonomy gives 0.2 to classes of the same family and medium that replace no common
#: virgin input (e.g. CO2 and hydrogen): a hint for material search, not a substitution, so
#: such pairs are not proposed as exchanges and their value is never counted.
DEFAULT_MIN_MATERIAL_FIT = 0.25
DEFAULT_BIAS = -2.8

#: Planning defaults for how far each medium is worth moving (km, great circle).  These are
#: policy choices of the search, not facts of the world; pass ``max_distance_km=`` to change
#: them.  Heat and steam networks rarely exceed a few km to a few tens of km; bulk goods move
#: by road over a few hundred.
DEFAULT_MAX_DISTANCE_KM: dict[str, float] = {
    "solid": 250.0, "liquid": 250.0, "gas": 50.0, "steam": 5.0, "heat": 15.0, "water": 30.0,
}



def _frames(dataset: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    if hasattr(dataset, "companies") and hasattr(dataset, "streams"):
        comp, st = dataset.companies, dataset.streams
    elif isinstance(dataset, dict):
        comp, st = dataset["companies"], dataset["streams"]
    elif isinstance(dataset, (tuple, list)) and len(dataset) >= 2:
        comp, st = dataset[0], dataset[1]
    else:
        raise InvalidInputError(
            f"dataset must be a symbioflows Dataset, a dict or a (companies, streams) pair; got "
            f"{type(dataset).__name__}")

    def to_pd(t: Any) -> pd.DataFrame:
        if isinstance(t, pd.DataFrame):
            return t.reset_index(drop=True)
        if hasattr(t, "to_pandas"):
            return t.to_pandas()
        return pd.DataFrame(t)

    return to_pd(comp), to_pd(st)


def _taxonomy() -> Any:
    try:
        from symbioflows import materials

        if hasattr(materials, "load_taxonomy"):
            return materials.load_taxonomy()
    except Exception:  # pragma: no cover - materials is optional at this layer
        log.debug("taxonomy unavailable", exc_info=True)
    return None


def _col(df: pd.DataFrame, name: str, default: Any) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series([default] * len(df), index=df.index)


def prepare_streams(companies: pd.DataFrame, streams: pd.DataFrame, *,
                    max_distance_km: dict[str, float] | None = None) -> pd.DataFrame:
    """One row per stream with everything the kernels need (site, quantity, group, medium)."""
    for c in ("company_id", "lat", "lon"):
        if c not in companies.columns:
            raise InvalidInputError(f"companies: column {c!r} missing; got {list(companies.columns)}")
    for c in ("stream_id", "company_id", "direction"):
        if c not in streams.columns:
            raise InvalidInputError(f"streams: column {c!r} missing; got {list(streams.columns)}")
    comp = companies.drop_duplicates("company_id").set_index("company_id")
    missing = ~streams["company_id"].isin(comp.index)
    if missing.any():
        k = int(np.flatnonzero(missing.to_numpy())[0])
        raise InvalidInputError(
            f"streams row {k}: company_id {streams['company_id'].iloc[k]!r} is not in companies")
    s = pd.DataFrame({
        "stream_id": streams["stream_id"].astype(str).to_numpy(),
        "company_id": streams["company_id"].astype(str).to_numpy(),
        "direction": streams["direction"].astype(str).str.lower().to_numpy(),
        "material": _col(streams, "material", "").fillna("").astype(str).to_numpy(),
    })
    bad = ~s["direction"].isin(["supply", "demand"])
    if bad.any():
        k = int(np.flatnonzero(bad.to_numpy())[0])
        raise InvalidInputError(
            f"streams row {k}: direction {s['direction'].iloc[k]!r}; use 'supply' or 'demand'")
    s["lat"] = comp.loc[s["company_id"], "lat"].to_numpy(dtype=float)
    s["lon"] = comp.loc[s["company_id"], "lon"].to_numpy(dtype=float)
    s["country"] = comp.loc[s["company_id"]]["country"].fillna("").astype(str).to_numpy() \
        if "country" in comp.columns else ""
    s["sector"] = comp.loc[s["company_id"]]["sector"].fillna("").astype(str).to_numpy() \
        if "sector" in comp.columns else ""
    t = _col(streams, "quantity_t_per_yr", np.nan).astype(float).to_numpy()
    mwh = _col(streams, "quantity_mwh_per_yr", np.nan).astype(float).to_numpy()
    m3 = _col(streams, "quantity_m3_per_yr", np.nan).astype(float).to_numpy()
    unit = np.where(~np.isnan(mwh) & np.isnan(t), "MWh", np.where(~np.isnan(t), "t",
                                                                  np.where(~np.isnan(m3), "m3", "t")))
    qty = np.where(unit == "MWh", mwh, np.where(unit == "t", t, m3))
    s["unit"] = unit
    s["qty"] = np.nan_to_num(qty, nan=0.0)
    s["ewc_code"] = _col(streams, "ewc_code", None).to_numpy()
    mc = _col(streams, "material_class", None)
    s["material_class"] = mc.where(mc.notna(), None).to_numpy()
    s["quality"] = _col(streams, "quality", np.nan).astype(float).to_numpy()
    s["price_usd_per_t"] = _col(streams, "price_usd_per_t", np.nan).astype(float).to_numpy()
    mask = _col(streams, "availability_mask", 4095).fillna(4095).astype(np.int64).to_numpy()
    s["availability_mask"] = mask
    # material group key: the taxonomy class (given, else the first class listing the EWC
    # code), else the EWC code, else the normalised material text
    tax = _taxonomy()
    cls_col = pd.Series(s["material_class"], dtype=object)
    if tax is not None:
        known = cls_col.map(lambda c: c if isinstance(c, str) and c in tax else None)
        need = known.isna() & pd.Series(s["ewc_code"]).notna().to_numpy()
        if need.any():
            lookup: dict[str, str | None] = {}
            for code in pd.Series(s["ewc_code"])[need].astype(str).unique():
                try:
                    found = tax.classes_for_ewc(code)
                except Exception:
                    found = []
                lookup[code] = found[0].id if found else None
            known[need] = pd.Series(s["ewc_code"])[need].astype(str).map(lookup)
        cls_col = known
    s["material_class"] = cls_col.where(cls_col.notna(), None).to_numpy()
    ewc = pd.Series(s["ewc_code"]).fillna("").astype(str).str.replace(r"\D", "", regex=True)
    text = pd.Series(s["material"]).str.lower().str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()
    has_cls = pd.Series(s["material_class"]).notna().to_numpy()
    key = np.where(has_cls, "class:" + pd.Series(s["material_class"]).fillna("").astype(str),
                   np.where(ewc.str.len() == 6, "ewc:" + ewc, "text:" + text))
    s["group_key"] = key
    medium = np.where(s["unit"] == "MWh", "heat",
                      np.where(s["unit"] == "m3", "water", "solid")).astype(object)
    if tax is not None:
        # once per distinct class, not per stream
        codes, classes = pd.factorize(pd.Series(s["material_class"], dtype=object))
        for u, cls in enumerate(classes):
            if isinstance(cls, str):
                m = str(tax[cls].medium)
                medium[codes == u] = {"bulk_solid": "solid"}.get(m, m)
    s["medium"] = medium
    radii = dict(DEFAULT_MAX_DISTANCE_KM)
    if max_distance_km:
        check_known_keys(max_distance_km, sorted(radii), "max_distance_km", "media")
        radii.update({k: float(v) for k, v in max_distance_km.items()})
    caps = {m: _medium_radius_km(m, r) for m, r in radii.items()}
    if max_distance_km:  # an explicit user radius is not capped
        caps.update({k: float(v) for k, v in max_distance_km.items()})
    s["radius_km"] = s["medium"].map(caps).fillna(caps["solid"]).to_numpy(dtype=float)
    return s


def _compat(keys: list[str], min_fit: float = DEFAULT_MIN_MATERIAL_FIT) -> np.ndarray:
    """Material fit between group keys: the taxonomy's substitution score between classes
    (:meth:`symbioflows.materials.Taxonomy.substitution_matrix`), else 1 for the same key;
    fits below ``min_fit`` are set to 0 (not compatible)."""
    cm = _compat_scores(keys)
    cm[cm < min_fit] = 0.0
    return cm


def _compat_scores(keys: list[str]) -> np.ndarray:
    n = len(keys)
    cm = np.eye(n)
    tax = _taxonomy()
    if tax is None:
        return cm
    pos = np.array([k for k, key in enumerate(keys) if key.startswith("class:")], dtype=np.int64)
    if pos.size:
        mat = np.asarray(tax.substitution_matrix(), dtype=np.float64)
        ti = np.array([tax.index_of(keys[k][6:]) for k in pos], dtype=np.int64)
        cm[np.ix_(pos, pos)] = mat[np.ix_(ti, ti)]
    return np.clip(cm, 0.0, 1.0)


def _transport_rates(medium: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Per-stream fixed USD/t, USD/t.km and kg CO2e/t.km of the cheapest default mode of the
    stream's medium at full load (:mod:`symbioflows.logistics.modes`, sourced table), and
    the default road circuity.  The exact best-mode cost of each allocated exchange comes
    later from :func:`symbioflows.logistics.cost_pairs`."""
    from symbioflows.logistics import DEFAULT_MODES, transport_modes
    from symbioflows.logistics.modes import DEFAULT_ROAD_CIRCUITY

    n = medium.size
    fixed = np.zeros(n)
    per_tkm = np.zeros(n)
    co2 = np.zeros(n)
    table = transport_modes()
    for med in np.unique(medium):
        cands = [table[m] for m in DEFAULT_MODES if m in table and med in table[m].media]
        if not cands:
            continue

        def per_t_at_100km(m: Any) -> float:
            f = m.fixed_cost_usd_per_shipment / m.payload if m.payload > 0 else 0.0
            return f + 100.0 * m.cost_usd_per_tkm

        m = min(cands, key=per_t_at_100km)
        sel = medium == med
        fixed[sel] = m.fixed_cost_usd_per_shipment / m.payload if m.payload > 0 else 0.0
        per_tkm[sel] = m.cost_usd_per_tkm
        co2[sel] = m.co2e_kg_per_tkm
    return fixed, per_tkm, co2, float(DEFAULT_ROAD_CIRCUITY)


def _medium_radius_km(medium: str, planning_default: float) -> float:
    """Great-circle search radius: the planning default, capped by the longest route any
    default mode allows for that medium (divided by its detour factor)."""
    from symbioflows.logistics import DEFAULT_MODES, transport_modes
    from symbioflows.logistics.modes import DEFAULT_ROAD_CIRCUITY

    table = transport_modes()
    reach = [table[m].max_route_km / (table[m].detour if table[m].detour > 0 else
                                      DEFAULT_ROAD_CIRCUITY)
             for m in DEFAULT_MODES if m in table and medium in table[m].media]
    return min(planning_default, max(reach)) if reach else planning_default


def _virgin(s: pd.DataFrame, *, supply: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Today's price (USD/t), virgin CO2e (kg/t) of the material, and whether the class is
    hazardous, from the taxonomy where the stream names a class.

    A demand without a price is valued at the midpoint of its class's virgin price range.  A
    supply's price is its disposal cost today; without one, a solid is valued at the country's
    landfill cost (gate fee + landfill tax, :func:`symbioflows.pricing.disposal_cost_usd_per_t`)
    and any other medium (water, liquids, gases, heat, steam: no landfill route) at 0 —
    never at the virgin price of its own class."""
    n = len(s)
    price = s["price_usd_per_t"].to_numpy(dtype=float).copy()
    if supply:
        from symbioflows.pricing import disposal_cost_usd_per_t

        missing = np.isnan(price)
        if "medium" in s:
            solid = pd.Series(s["medium"]).astype(str).to_numpy() == "solid"
            price[missing & ~solid] = 0.0
            missing &= solid
        if missing.any():
            countries = pd.Series(s["country"]).fillna("").astype(str).to_numpy()
            cache: dict[str, float] = {}
            for row in np.flatnonzero(missing).tolist():
                cc = str(countries[row])
                if cc not in cache:
                    try:
                        cache[cc] = float(disposal_cost_usd_per_t(cc or None)["total_usd_per_t"])
                    except Exception:  # unknown country: the table's default
                        cache[cc] = float(disposal_cost_usd_per_t(None)["total_usd_per_t"])
                price[row] = cache[cc]
    vco2 = np.zeros(n)
    haz = np.zeros(n)
    tax = _taxonomy()
    ewc = pd.Series(s["ewc_code"]).fillna("").astype(str)
    haz[ewc.str.contains(r"\*", regex=True).to_numpy()] = 1.0
    if tax is not None:
        # once per distinct class, not per stream
        codes, classes = pd.factorize(pd.Series(s["material_class"], dtype=object))
        for u, cls in enumerate(classes):
            if not isinstance(cls, str):
                continue
            try:
                c = tax[cls]
            except Exception:
                continue
            rows = codes == u
            vco2[rows] = float(c.avoided_ef_kg_co2e_per_t)
            if not supply:
                fill = rows & np.isnan(price)
                price[fill] = 0.5 * (c.virgin_price_usd_per_t_low + c.virgin_price_usd_per_t_high)
            haz[rows] = np.maximum(haz[rows], float(c.hazardous))
    return np.nan_to_num(price, nan=0.0), vco2, haz


def _take(col: pd.Series, idx: np.ndarray) -> pd.Series:
    """``col`` at positions ``idx`` as a new Series (0..n-1 index) of the same dtype; an Arrow
    string column is gathered natively instead of through one Python string per row."""
    return pd.Series(col.array.take(idx), copy=False)


def _take_categorical(col: pd.Series, idx: np.ndarray) -> pd.Categorical:
    """``col`` at positions ``idx`` as a categorical: each distinct value stored once, one
    integer code per row (the candidates table's id columns; at 1M streams, 19.9M candidates,
    the scoring stage's peak fell from 5.42 to 4.80 GiB, docs/benchmarks.md)."""
    codes, uniques = pd.factorize(col)
    return pd.Categorical.from_codes(codes[idx], categories=uniques)


def _id_columns(sup: pd.DataFrame, dem: pd.DataFrame,
                cand: CandidatePairs) -> list[tuple[str, pd.DataFrame, str, np.ndarray]]:
    """(column, stream table, its id column, row positions) of the four id columns of the
    candidates and exchanges tables."""
    return [("supply_stream_id", sup, "stream_id", cand.supply),
            ("demand_stream_id", dem, "stream_id", cand.demand),
            ("supply_company_id", sup, "company_id", cand.supply),
            ("demand_company_id", dem, "company_id", cand.demand)]


def _link_scores(model: Any, sup: pd.DataFrame, dem: pd.DataFrame,
                 cand: CandidatePairs) -> np.ndarray | None:
    """``model.predict`` of each candidate pair; 0 for streams the model does not know."""
    if model is None or len(cand) == 0:
        return None
    s_ids = sup["stream_id"].astype(str).to_numpy()
    d_ids = dem["stream_id"].astype(str).to_numpy()
    graph = getattr(model, "graph_", None)
    known = getattr(graph, "node_ids", {}).get("stream") if graph is not None else None
    ok = np.ones(len(cand), dtype=bool)
    if known is not None:  # a fitted LinkPredictor: streams outside its graph score 0
        ks = np.asarray(known).astype(str)
        ok = np.isin(s_ids, ks)[cand.supply] & np.isin(d_ids, ks)[cand.demand]
    out = np.zeros(len(cand))
    if ok.any():
        pairs = pd.DataFrame({"supplier_stream_id": s_ids[cand.supply[ok]],
                              "receiver_stream_id": d_ids[cand.demand[ok]]})
        p = np.asarray(model.predict(pairs), dtype=np.float64)
        if p.shape != (int(ok.sum()),) or not np.all((p >= 0) & (p <= 1)):
            raise InvalidInputError("link_predictor.predict must return one probability in "
                                    f"[0, 1] per pair; got shape {p.shape}")
        out[ok] = p
    if (~ok).any():
        log.info("link_score: %d candidate pairs involve streams the link predictor was not "
                 "fitted on; their link_score is 0", int((~ok).sum()))
    return out


@dataclass
class _SectorTables:
    """Stream-level tables of the ``sector_fit`` feature: the query of each supply, the
    receiver class of each demand (-1: unknown) and the centred score of each (query, class),
    with a last column of zeros that class -1 selects."""

    query_of_supply: np.ndarray
    class_of_demand: np.ndarray
    score: np.ndarray

    def pairs(self, cand: CandidatePairs, block: int = 1 << 20) -> np.ndarray:
        """``sector_fit`` of each candidate pair: gathers by blocks of pairs (no per-pair
        Python work, and the index temporaries stay block-sized)."""
        out = np.empty(len(cand))
        for a in range(0, len(cand), block):
            b = min(a + block, len(cand))
            out[a:b] = self.score[self.query_of_supply[cand.supply[a:b]],
                                  self.class_of_demand[cand.demand[a:b]]]
        return out


def _sector_fit(sup: pd.DataFrame, dem: pd.DataFrame, cand: CandidatePairs) -> np.ndarray:
    """Per pair: how much likelier the receiver's NACE class is than the average class, given
    the supply's material text, EWC code and sector (the pretrained receiver scorer's score,
    centred over all known receiver classes, clipped to [-5, 5]; 0 when a sector is unknown)."""
    if len(cand) == 0:
        return np.zeros(0)
    tables = _sector_tables(sup, dem)
    return np.zeros(len(cand)) if tables is None else tables.pairs(cand)


def _sector_tables(sup: pd.DataFrame, dem: pd.DataFrame) -> _SectorTables | None:
    """The stream-level part of :func:`_sector_fit` (once per region, O(streams)); None when
    the pretrained receiver scorer is unavailable (sector_fit = 0)."""
    from symbioflows.matching.learned import Candidate, Query, ReceiverScorer
    from symbioflows.matching.text import ewc_digits, normalize_nace

    try:
        scorer = ReceiverScorer.pretrained()
    except Exception as exc:  # pragma: no cover - the artefact ships with the package
        log.warning("pretrained receiver scorer unavailable (%s); sector_fit = 0", exc)
        return None
    try:
        from symbioflows.materials import nace_title

        def title(c: str) -> str:
            try:
                return str(nace_title(f"{c[:2]}.{c[2:]}"))
            except Exception:
                return ""
    except ImportError:  # pragma: no cover
        def title(c: str) -> str:
            return ""
    classes = sorted(scorer.stats_.class_counts)
    cidx = {c: k for k, c in enumerate(classes)}
    pool = [Candidate(title(c), c) for c in classes]
    def per_distinct(col: pd.Series, fn: Callable[[Any], Any]) -> np.ndarray:
        # a function of a column, evaluated once per distinct value (a few hundred sectors
        # and codes among a million streams)
        # (missing values: code -1, mapped from None, as a row-wise call would see them)
        codes, vals = pd.factorize(col.astype(object))
        mapped = np.empty(len(vals) + 1, dtype=object)
        mapped[:] = [fn(v) for v in vals] + [fn(None)]
        return mapped[codes]

    def factorize_keep_none(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        codes, vals = pd.factorize(v)
        return codes, np.array(list(vals) + [None], dtype=object)

    mat_codes, mat_vals = pd.factorize(sup["material"].astype(str))
    ewc_codes, ewc_vals = factorize_keep_none(per_distinct(sup["ewc_code"], ewc_digits))
    sec_codes, sec_vals = factorize_keep_none(per_distinct(sup["sector"], normalize_nace))
    # distinct (material, EWC, sector) queries in order of first appearance
    # (one int64 key per triple, hashed: O(supplies), no sort; factorize numbers the distinct
    # keys in order of first appearance, the k-th first appearance is query k)
    key = ((mat_codes.astype(np.int64) * (len(ewc_vals) + 1) + ewc_codes + 1)
           * (len(sec_vals) + 1) + sec_codes + 1)
    q_of_supply, _ = pd.factorize(key)
    first = np.flatnonzero(~pd.Series(key).duplicated().to_numpy())
    queries = [Query(str(mat_vals[mat_codes[k]]), ewc_vals[ewc_codes[k]],
                     sec_vals[sec_codes[k]]) for k in first]
    sc = scorer.score(queries, pool)
    sc = np.clip(sc - sc.mean(axis=1, keepdims=True), -5.0, 5.0)
    d_cls = per_distinct(dem["sector"], lambda x: cidx.get(normalize_nace(x) or "", -1))
    d_cls = d_cls.astype(np.int64)
    # class -1 (unknown) selects the appended column of zeros
    sc = np.concatenate([sc, np.zeros((sc.shape[0], 1))], axis=1)
    return _SectorTables(q_of_supply.astype(np.int64), d_cls, np.ascontiguousarray(sc))


def resolve_weights(weights: dict[str, float] | None) -> np.ndarray:
    """The pair-score weights in :data:`PAIR_FEATURES` order: :data:`DEFAULT_WEIGHTS` updated
    with ``weights``."""
    w = dict(DEFAULT_WEIGHTS)
    if weights:
        check_known_keys(weights, PAIR_FEATURES, "weights", "features")
        w.update(weights)
    return np.array([float(w[f]) for f in PAIR_FEATURES])


@dataclass
class _ScoringInputs:
    """Stream-level inputs of the scoring stage, built once by the driver in O(streams); any
    subset of candidate pairs (a spatial partition's) is scored with them, and each pair's
    features and score depend only on the pair and these tables, so scoring partitions
    separately equals scoring all pairs at once."""

    sa: dict[str, np.ndarray]
    da: dict[str, np.ndarray]
    circuity: float
    weights: np.ndarray
    sector: _SectorTables | None
    link_predictor: Any = None


def scoring_inputs(sup: pd.DataFrame, dem: pd.DataFrame, weights: np.ndarray,
                   link_predictor: Any = None) -> _ScoringInputs:
    """Per-stream attributes of the pair score (see :func:`score_candidates`)."""
    fixed, per_tkm, co2_tkm, circuity = _transport_rates(sup["medium"].to_numpy())
    s_price, _s_vco2, s_haz = _virgin(sup, supply=True)
    d_price, d_vco2, _d_haz = _virgin(dem)
    # any consistent integer code per country will do (the kernel only tests equality)
    cc, _ = pd.factorize(pd.concat([sup["country"], dem["country"]], ignore_index=True),
                         use_na_sentinel=False)
    cc = cc.astype(np.int64)
    sa = dict(qty_t=sup["qty"].to_numpy(float), quality=sup["quality"].to_numpy(float),
              mask=sup["availability_mask"].to_numpy(np.int64) & 0xFFFF,
              disposal_usd_t=np.maximum(s_price, 0.0), disposal_co2e_kg_t=np.zeros(len(sup)),
              fixed_usd_t=fixed, usd_per_tkm=per_tkm, co2e_kg_per_tkm=co2_tkm, hazardous=s_haz,
              country=cc[: len(sup)])
    da = dict(qty_t=dem["qty"].to_numpy(float), quality=dem["quality"].to_numpy(float),
              mask=dem["availability_mask"].to_numpy(np.int64) & 0xFFFF,
              virgin_usd_t=np.maximum(d_price, 0.0), virgin_co2e_kg_t=d_vco2,
              country=cc[len(sup):])
    k_sector = feature_index("sector_fit")
    sector = (_sector_tables(sup, dem)
              if weights[k_sector] != 0 and len(sup) and len(dem) else None)
    k_link = feature_index("link_score")
    return _ScoringInputs(sa, da, circuity, weights, sector,
                          link_predictor if weights[k_link] != 0 else None)


def score_candidates(inputs: _ScoringInputs, sup: pd.DataFrame, dem: pd.DataFrame,
                     cand: CandidatePairs, *, n_jobs: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Features (n_pairs x NUM_PAIR_FEATURES, column-major) and scores of ``cand`` in one native pass
    (``_core.score_pairs``: reads the pair columns in place and checks them in its parallel
    pass, GIL released)."""
    sfit = inputs.sector.pairs(cand) if inputs.sector is not None else np.zeros(len(cand))
    lscore = _link_scores(inputs.link_predictor, sup, dem, cand)
    feats, score = _core.score_pairs(cand.supply, cand.demand, cand.distance_km,
                                     cand.material_fit, sfit, inputs.sa, inputs.da,
                                     inputs.circuity, inputs.weights, DEFAULT_BIAS,
                                     n_threads=resolve_n_jobs(n_jobs), link_score=lscore)
    return feats, score


def candidate_frame(sup: pd.DataFrame, dem: pd.DataFrame, cand: CandidatePairs,
                    feats: np.ndarray, score: np.ndarray) -> pd.DataFrame:
    """The candidates table: stream and company ids, great-circle km, one column per feature
    and the score."""
    # one column per feature, built once (no 2-D block to consolidate later); the per-feature
    # contributions w_f x_f are not stored per candidate (13 more columns: 2.4 GB at 23 M
    # pairs): SymbiosisPlan.contributions() computes them, exchanges carry them
    cols: dict[str, Any] = {
        col: _take_categorical(tab[key], idx) for col, tab, key, idx in _id_columns(sup, dem, cand)
    }
    cols["great_circle_km"] = cand.distance_km
    for k, f in enumerate(PAIR_FEATURES):
        # column k of a Fortran-order block is contiguous: a view, no copy
        cols[f] = np.ascontiguousarray(feats[:, k])
    cols["score"] = score
    return pd.DataFrame(cols, copy=False)


def candidate_stage(
    sup: pd.DataFrame,
    dem: pd.DataFrame,
    group_of: dict[str, int],
    compat: np.ndarray,
    *,
    max_per_supply: int,
    n_jobs: int | None,
    supply_subset: np.ndarray | None = None,
    demand_subset: np.ndarray | None = None,
) -> CandidatePairs:
    """Candidates for (a subset of) supplies against (a subset of) demands, global indices."""
    si = np.arange(len(sup)) if supply_subset is None else np.asarray(supply_subset, np.int64)
    di = np.arange(len(dem)) if demand_subset is None else np.asarray(demand_subset, np.int64)
    s = sup.iloc[si]
    d = dem.iloc[di]
    # any consistent integer code per company will do (only equality is tested)
    comp_code, _ = pd.factorize(pd.concat([s["company_id"], d["company_id"]], ignore_index=True))
    c = find_candidates(
        s["lat"].to_numpy(), s["lon"].to_numpy(),
        s["group_key"].map(group_of).to_numpy(np.int64),
        comp_code[: len(s)].astype(np.int64), s["radius_km"].to_numpy(),
        d["lat"].to_numpy(), d["lon"].to_numpy(), d["group_key"].map(group_of).to_numpy(np.int64),
        comp_code[len(s):].astype(np.int64), compat,
        max_per_supply=max_per_supply, n_jobs=n_jobs)
    return CandidatePairs(si[c.supply], di[c.demand], c.distance_km, c.material_fit,
                          c.n_truncated, c.n_distance_evals)


def _merge_index(s: np.ndarray, d: np.ndarray, dist: np.ndarray,
                 max_per_supply: int) -> tuple[np.ndarray, int]:
    """Positions (into the concatenated pair columns) of the merged candidate set in canonical
    order (supply, distance, demand), duplicates removed and each supply cut to
    ``max_per_supply``; and the number of supplies cut."""
    order = np.lexsort((d, dist, s))
    s, d = s[order], d[order]
    keep = np.ones(s.size, bool)
    if s.size:
        keep[1:] = (s[1:] != s[:-1]) | (d[1:] != d[:-1])
    order, s = order[keep], s[keep]
    trunc = 0
    if max_per_supply and s.size:
        start = np.r_[0, np.flatnonzero(s[1:] != s[:-1]) + 1]
        rank = np.arange(s.size) - np.repeat(start, np.diff(np.r_[start, s.size]))
        trunc = int(np.unique(s[rank >= max_per_supply]).size)
        order = order[rank < max_per_supply]
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
    k, trunc = _merge_index(s, d, dist, max_per_supply)
    return CandidatePairs(s[k], d[k], dist[k], fit[k], trunc,
                          sum(p.n_distance_evals for p in parts))


@dataclass
class SymbiosisPlan:
    """The result of :func:`plan`: tables, totals and the settings that produced them."""

    companies: pd.DataFrame
    streams: pd.DataFrame
    candidates: pd.DataFrame
    exchanges: pd.DataFrame
    chains: pd.DataFrame
    findings: pd.DataFrame
    totals: dict[str, float]
    allocation: Allocation
    timings_s: dict[str, float] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    def to_pandas(self) -> dict[str, pd.DataFrame]:
        """All tables as pandas DataFrames (``candidates``, ``exchanges``, ``chains``,
        ``findings``, ``totals``)."""
        return {
            "candidates": self.candidates.copy(), "exchanges": self.exchanges.copy(),
            "chains": self.chains.copy(), "findings": self.findings.copy(),
            "totals": pd.DataFrame([self.totals]),
        }

    def contributions(self, table: str = "candidates") -> pd.DataFrame:
        """The explanation of each row's score: ``contrib_<feature> = w_f x_f`` per pair feature
        (same rows and order as ``self.candidates`` or ``self.exchanges``).  The contributions
        plus the bias add up to the logit of ``score``.  The exchanges table carries them as
        columns already; the candidates table does not store them (one more float column per
        feature and candidate), they are computed here on request."""
        if table not in ("candidates", "exchanges"):
            raise InvalidInputError(f"table={table!r}; choose 'candidates' or 'exchanges'")
        df = self.candidates if table == "candidates" else self.exchanges
        w = dict(DEFAULT_WEIGHTS)
        w.update(self.options.get("_kwargs", {}).get("weights") or {})
        return pd.DataFrame({"contrib_" + f: df[f].to_numpy(float) * w[f] for f in PAIR_FEATURES},
                            index=df.index)

    def write(self, out_dir: str | Path, *, html: bool = True) -> dict[str, Path]:
        """Write every table as Parquet and CSV, and ``report.html`` (self-contained)."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written: dict[str, Path] = {}
        for name, df in self.to_pandas().items():
            df2 = df.copy()
            for c in df2.columns:
                if df2[c].dtype == object:
                    df2[c] = df2[c].map(lambda v: v if v is None or isinstance(v, str) else str(v))
            df2.to_parquet(out / f"{name}.parquet", index=False)
            df2.to_csv(out / f"{name}.csv", index=False)
            written[name] = out / f"{name}.parquet"
        if html:
            from symbioflows.matching._html import write_report

            written["report"] = write_report(self, out / "report.html")
        return written

    def save(self, path: str | Path) -> Path:
        """Write the plan as a versioned artefact (:mod:`symbioflows._persist`): every table as
        Parquet, the candidate arrays as npz (``allow_pickle=False``), totals and options as
        JSON; sha256 per payload, atomic.  A loaded plan supports :meth:`update`."""
        import io
        import json

        from symbioflows._persist import save_artifact

        def pq(df: pd.DataFrame) -> bytes:
            buf = io.BytesIO()
            d = df.copy()
            for c in d.columns:
                if d[c].dtype == object:
                    d[c] = d[c].map(lambda v: v if v is None or isinstance(v, str) else str(v))
            d.to_parquet(buf, index=False)
            return buf.getvalue()

        cand: CandidatePairs = self.options["_cand"]
        buf = io.BytesIO()
        np.savez(buf, supply=cand.supply, demand=cand.demand, distance_km=cand.distance_km,
                 material_fit=cand.material_fit, flows_t=self.allocation.flows_t,
                 n_sup_dem=np.asarray(self.options["_n_sup_dem"], np.int64))
        kw = {k: v for k, v in self.options["_kwargs"].items()
              if k not in ("client", "link_predictor")}
        kw["link_predictor_used"] = self.options["_kwargs"].get("link_predictor") is not None
        meta = {"totals": self.totals, "timings_s": self.timings_s, "kwargs": kw,
                "allocation": {"status": self.allocation.status,
                               "objective": self.allocation.objective,
                               "method": self.allocation.method,
                               "message": self.allocation.message,
                               "scaling": self.allocation.scaling},
                "n_truncated": cand.n_truncated}
        payloads = {f"{n}.parquet": pq(df) for n, df in (
            ("companies", self.companies), ("streams", self.streams),
            ("raw_streams", self.options["_raw_streams"]), ("candidates", self.candidates),
            ("exchanges", self.exchanges), ("chains", self.chains),
            ("findings", self.findings))}
        payloads["arrays.npz"] = buf.getvalue()
        payloads["meta.json"] = json.dumps(meta, default=float).encode("utf-8")
        return save_artifact(path, kind=PLAN_ARTIFACT_KIND, version=PLAN_FORMAT_VERSION,
                             meta={"n_exchanges": len(self.exchanges)}, payloads=payloads)

    @classmethod
    def load(cls, path: str | Path) -> SymbiosisPlan:
        """Read a plan written by :meth:`save` (hashes and format version checked; no
        pickle)."""
        import io
        import json

        from symbioflows._persist import load_artifact

        _m, pl = load_artifact(path, kind=PLAN_ARTIFACT_KIND, max_version=PLAN_FORMAT_VERSION)
        try:
            t = {n: pd.read_parquet(io.BytesIO(pl[f"{n}.parquet"])) for n in (
                "companies", "streams", "raw_streams", "candidates", "exchanges", "chains",
                "findings")}
            meta = json.loads(pl["meta.json"].decode("utf-8"))
            arr = np.load(io.BytesIO(pl["arrays.npz"]), allow_pickle=False)
        except (KeyError, ValueError, OSError) as exc:
            from symbioflows.errors import UnsafeFileError

            raise UnsafeFileError(f"{path}: not a readable plan artefact ({exc})") from exc
        a = meta["allocation"]
        alloc = Allocation(a["status"], float(a["objective"]), arr["flows_t"], a["method"],
                           0.0, a["message"], {k: float(v) for k, v in a["scaling"].items()})
        cand = CandidatePairs(arr["supply"], arr["demand"], arr["distance_km"],
                              arr["material_fit"], int(meta.get("n_truncated", 0)))
        kw = dict(meta["kwargs"])
        kw["client"] = None
        opts_lp_used = bool(kw.pop("link_predictor_used", False))
        kw["link_predictor"] = None
        opts: dict[str, Any] = {k: kw[k] for k in ("objective", "method", "max_per_supply",
                                                   "min_score")}
        opts.update(_kwargs=kw, _raw_streams=t["raw_streams"], _cand=cand,
                    _n_sup_dem=tuple(int(x) for x in arr["n_sup_dem"]),
                    _link_predictor_missing=opts_lp_used)
        return cls(t["companies"], t["streams"], t["candidates"], t["exchanges"], t["chains"],
                   t["findings"], {k: float(v) for k, v in meta["totals"].items()}, alloc,
                   {k: float(v) for k, v in meta["timings_s"].items()}, opts)

    def update(self, new_streams: Any, new_companies: Any = None, *,
               progress: bool = False, link_predictor: Any = None) -> SymbiosisPlan:
        """Add streams (and their companies) and return the new plan.

        Only the candidates and scores that involve a new stream are computed; the old ones
        are kept.  Allocation and chains are global and re-solved.  The result equals
        ``plan()`` on the combined dataset (with the same ``link_predictor``: a plan read by
        :meth:`load` that was made with one needs it passed again here).
        """
        kwargs = dict(self.options["_kwargs"])
        if link_predictor is not None:
            kwargs["link_predictor"] = link_predictor
        elif self.options.get("_link_predictor_missing"):
            raise InvalidInputError(
                "this plan was made with a link_predictor, which is not saved with the plan; "
                "pass the same model: plan.update(new_streams, link_predictor=model)")
        comp = self.companies
        if new_companies is not None:
            nc = _frames((new_companies, pd.DataFrame(columns=["stream_id"])))[0]
            comp = pd.concat([comp, nc], ignore_index=True)
        ns = new_streams if isinstance(new_streams, pd.DataFrame) else _frames(
            (comp, new_streams))[1]
        raw = pd.concat([self.options["_raw_streams"], ns], ignore_index=True)
        return _run(comp, raw, previous=self, progress=progress, **kwargs)

    def __repr__(self) -> str:
        t = self.totals
        return (f"SymbiosisPlan(candidates={len(self.candidates)}, exchanges={len(self.exchanges)}, "
                f"chains={len(self.chains)}, status={self.allocation.status!r}, "
                f"net_benefit_usd={t.get('net_benefit_usd', 0):.4g}, "
                f"co2e_avoided_kg={t.get('co2e_avoided_kg', 0):.4g})")

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{k}</td><td>{v:,.4g}</td></tr>" for k, v in self.totals.items())
        return f"<b>SymbiosisPlan</b><table>{rows}</table>"


def plan(
    dataset: Any,
    *,
    objective: str = "net_benefit",
    method: str = "min_cost_flow",
    max_distance_km: dict[str, float] | None = None,
    max_per_supply: int = 50,
    min_score: float = 0.0,
    weights: dict[str, float] | None = None,
    chains: bool = True,
    max_chain_length: int = 4,
    client: Any = None,
    n_partitions: int | None = None,
    n_jobs: int | None = -1,
    progress: bool = False,
    link_predictor: Any = None,
    min_material_fit: float = DEFAULT_MIN_MATERIAL_FIT,
) -> SymbiosisPlan:
    """Find, score and allocate every worthwhile exchange in a region.

    Parameters
    ----------
    dataset : Dataset, dict or (companies, streams)
        Companies (``company_id``, ``lat``, ``lon``, ``country``, ``sector``) and streams in the
        symbioflows data model.
    objective : {"net_benefit", "co2e", "landfill"}
        What the allocation maximises: USD of price-band surplus, kg CO2e avoided, or tonnes
        diverted.
    method : {"min_cost_flow", "lp", "greedy"}
        Allocation solver.
    max_distance_km : dict, optional
        Search radius per medium (see :data:`DEFAULT_MAX_DISTANCE_KM`).
    max_per_supply : int
        Nearest compatible candidates kept per supply (0 = all).
    min_score : float
        Candidates scoring below this are not allocated.
    weights : dict, optional
        Pair-score weights (default :data:`DEFAULT_WEIGHTS`).
    chains : bool
        Search circular chains on the allocated company graph.
    max_chain_length : int
        Longest chain searched.
    client : ray module or dask.distributed.Client, optional
        Run the candidate and scoring stages over spatial partitions on that engine (extras
        ``symbioflows[ray]`` / ``symbioflows[dask]``; symbioflows never starts a cluster):
        each partition finds and scores its own candidate pairs, the driver concatenates them
        in canonical order.  The allocation stays global, on the driver: optimality couples
        every supply and demand of the region.  Candidates, features, scores and the plan equal
        the single-machine run.
    n_partitions : int, optional
        Number of spatial partitions for ``client`` (default 2 x workers).
    n_jobs : int
        Threads for the native kernels.
    progress : bool
        Progress bars.
    link_predictor : fitted LinkPredictor, optional
        Its probability for each candidate (supply stream -> demand stream) becomes the
        ``link_score`` feature of the pair score (weight ``weights["link_score"]``, default
        :data:`DEFAULT_WEIGHTS`).  A stream the predictor was not fitted on scores 0.  Any
        object with ``predict(DataFrame[supplier_stream_id, receiver_stream_id])`` returning
        probabilities in [0, 1] works.
    min_material_fit : float, default :data:`DEFAULT_MIN_MATERIAL_FIT`
        Lowest material fit (taxonomy substitution score) for which a supply and a demand are
        candidates; in [0, 1].

    Returns
    -------
    SymbiosisPlan

    Examples
    --------
    >>> import pandas as pd
    >>> companies = pd.DataFrame({"company_id": ["a", "b"], "lat": [55.0, 55.1],
    ...                           "lon": [12.0, 12.0], "country": ["DK", "DK"]})
    >>> streams = pd.DataFrame({"stream_id": ["s1", "d1"], "company_id": ["a", "b"],
    ...     "direction": ["supply", "demand"], "material": ["fly ash", "fly ash"],
    ...     "ewc_code": ["10 01 02", "10 01 02"], "quantity_t_per_yr": [100.0, 60.0],
    ...     "price_usd_per_t": [30.0, 40.0]})
    >>> p = plan((companies, streams), chains=False)
    >>> p.exchanges[["supply_stream_id", "demand_stream_id", "quantity"]].values.tolist()
    [['s1', 'd1', 60.0]]
    """
    if objective not in OBJECTIVES:
        raise InvalidInputError(f"objective={objective!r}; choose one of {OBJECTIVES}")
    if not (isinstance(min_material_fit, (int, float)) and 0.0 <= min_material_fit <= 1.0):
        raise InvalidInputError(f"min_material_fit={min_material_fit!r}; give a number in [0, 1]")
    if link_predictor is not None and not callable(getattr(link_predictor, "predict", None)):
        raise InvalidInputError("link_predictor: expected a fitted model with predict(pairs) "
                                f"(e.g. symbioflows.learn.LinkPredictor); got {type(link_predictor).__name__}")
    comp, st = _frames(dataset)
    kwargs = dict(objective=objective, method=method, max_distance_km=max_distance_km,
                  max_per_supply=max_per_supply, min_score=min_score, weights=weights,
                  chains=chains, max_chain_length=max_chain_length, client=client,
                  n_partitions=n_partitions, n_jobs=n_jobs, link_predictor=link_predictor,
                  min_material_fit=float(min_material_fit))
    return _run(comp, st, previous=None, progress=progress, **kwargs)


def _bar(progress: bool, total: int) -> Callable[[str], None]:
    if not progress:
        return lambda _s: None
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc="plan")

    def step(name: str) -> None:
        bar.set_postfix_str(name)
        bar.update(1)
        if bar.n >= total:
            bar.close()

    return step


class _StageClock:
    """Wall time, process CPU time (all threads, native kernels included; and its system
    part) and the ``perf_counter`` span of each pipeline stage; the benchmark reads the CPU
    times and spans from ``plan.options`` (``_stage_cpu_s``, ``_stage_sys_s``,
    ``_stage_spans``)."""

    def __init__(self) -> None:
        self.cpu_s: dict[str, float] = {}
        self.sys_s: dict[str, float] = {}
        self.spans: dict[str, tuple[float, float]] = {}
        self._t0 = self._c0 = self._s0 = 0.0

    def start(self) -> None:
        self._t0, self._c0 = time.perf_counter(), time.process_time()
        self._s0 = os.times().system

    def stop(self, name: str) -> float:
        t1 = time.perf_counter()
        self.cpu_s[name] = time.process_time() - self._c0
        # the kernel's share of the CPU time (page faults of fresh memory, mostly)
        self.sys_s[name] = os.times().system - self._s0
        self.spans[name] = (self._t0, t1)
        return t1 - self._t0


def _run(comp: pd.DataFrame, raw_streams: pd.DataFrame, *, previous: SymbiosisPlan | None,
         progress: bool, objective: str, method: str, max_distance_km: dict[str, float] | None,
         max_per_supply: int, min_score: float, weights: dict[str, float] | None,
         chains: bool, max_chain_length: int, client: Any, n_partitions: int | None,
         n_jobs: int | None, link_predictor: Any = None,
         min_material_fit: float = DEFAULT_MIN_MATERIAL_FIT) -> SymbiosisPlan:
    timings: dict[str, float] = {}
    clock = _StageClock()
    step = _bar(progress, 5)
    clock.start()
    s = prepare_streams(comp, raw_streams, max_distance_km=max_distance_km)
    sup = s[s["direction"] == "supply"].reset_index(drop=True)
    dem = s[s["direction"] == "demand"].reset_index(drop=True)
    keys = sorted(str(k) for k in pd.unique(s["group_key"]))  # not one Python str per row
    group_of = {k: i for i, k in enumerate(keys)}
    compat = _compat(keys, min_material_fit)
    wv = resolve_weights(weights)  # checked before any pair is searched
    timings["prepare"] = clock.stop("prepare")
    step("streams")
    clock.start()
    nt = resolve_n_jobs(n_jobs)
    scored: tuple[np.ndarray, np.ndarray] | None = None
    inputs: _ScoringInputs | None = None
    if client is not None:
        from symbioflows.distributed import distributed_scored_candidates

        inputs = scoring_inputs(sup, dem, wv, link_predictor)

        # each partition finds and scores its own candidates; allocation below stays global
        cand, feats_d, score_d = distributed_scored_candidates(
            client, sup, dem, group_of, compat, inputs, max_per_supply=max_per_supply,
            n_partitions=n_partitions)
        scored = (feats_d, score_d)
        del feats_d, score_d
    elif previous is not None and len(previous.options.get("_n_sup_dem", ())) == 2:
        n_sup_old, n_dem_old = previous.options["_n_sup_dem"]
        old = previous.options["_cand"]
        new_s = np.arange(n_sup_old, len(sup))
        new_d = np.arange(n_dem_old, len(dem))
        parts = [old]
        if new_s.size:
            parts.append(candidate_stage(sup, dem, group_of, compat, max_per_supply=max_per_supply,
                                         n_jobs=nt, supply_subset=new_s))
        if new_d.size and n_sup_old:
            parts.append(candidate_stage(sup, dem, group_of, compat, max_per_supply=max_per_supply,
                                         n_jobs=nt, supply_subset=np.arange(n_sup_old),
                                         demand_subset=new_d))
        cand = merge_candidates(parts, max_per_supply)
    else:
        cand = candidate_stage(sup, dem, group_of, compat, max_per_supply=max_per_supply, n_jobs=nt)
    timings["candidates"] = clock.stop("candidates")
    step("candidates")

    # -- scoring (with a client: done in the partitions above; here the table is built) --
    clock.start()
    if inputs is None:
        inputs = scoring_inputs(sup, dem, wv, link_predictor)
    if scored is None:
        feats, score = score_candidates(inputs, sup, dem, cand, n_jobs=nt)
    else:
        feats, score = scored
        scored = None
    sa, da = inputs.sa, inputs.da
    cdf = candidate_frame(sup, dem, cand, feats, score)
    del feats
    timings["scoring"] = clock.stop("scoring")
    step("scores")

    # -- allocation ----------------------------------------------------------------------
    clock.start()
    if objective == "net_benefit":
        value = cdf["surplus_usd_per_t"].to_numpy()
    elif objective == "co2e":
        value = cdf["co2e_avoided_kg_per_t"].to_numpy()
    else:
        value = np.ones(len(cand))
    blocked = _compliance_blocked(sup, dem, cand)
    cdf["compliance_blocked"] = blocked
    usable = (score >= min_score) & ~blocked & (sup["unit"].to_numpy()[cand.supply]
                                                == dem["unit"].to_numpy()[cand.demand])
    value = np.where(usable, value, 0.0)
    alloc = allocate(sup["qty"].to_numpy(float), dem["qty"].to_numpy(float), cand.supply,
                     cand.demand, value, method=method)
    flows = alloc.flows_t if alloc.has_flows else np.zeros(len(cand))
    del value, usable
    cdf["allocated"] = flows
    timings["allocation"] = clock.stop("allocation")
    step("allocation")

    # -- exchanges, chains, findings, totals ----------------------------------------------
    clock.start()
    used = np.flatnonzero(flows > 1e-9)
    ex = cdf.iloc[used].reset_index(drop=True).copy()
    for col, tab, key, idx in _id_columns(sup, dem, cand):
        ex[col] = _take(tab[key], idx[used])  # plain text ids in the (small) exchanges table
    at = list(ex.columns).index("compliance_blocked")
    for k, (f, wf) in enumerate(zip(PAIR_FEATURES, wv)):
        ex.insert(at + k, "contrib_" + f, ex[f].to_numpy(float) * wf)
    ex.insert(4, "quantity", flows[used])
    ex.insert(5, "unit", sup["unit"].to_numpy()[cand.supply[used]])
    ex.insert(6, "material", sup["material"].to_numpy()[cand.supply[used]])
    ex = ex.drop(columns=["allocated"])
    ex = _exchange_economics(ex, sup, dem, cand.supply[used], cand.demand[used], sa, da)
    chains_df = _chains(ex, max_chain_length, n_jobs=n_jobs) if chains else _empty_chains()
    findings = _findings(ex, sup, dem, cand.supply[used], cand.demand[used])
    totals = {
        "n_supplies": float(len(sup)), "n_demands": float(len(dem)),
        "n_candidates": float(len(cand)), "n_exchanges": float(len(ex)),
        "tonnes_exchanged": float(ex.loc[ex["unit"] == "t", "quantity"].sum()),
        "mwh_exchanged": float(ex.loc[ex["unit"] == "MWh", "quantity"].sum()),
        "net_benefit_usd": float(ex["net_benefit_usd"].sum()),
        "co2e_avoided_kg": float(ex["co2e_avoided_kg"].sum()),
        "transport_cost_usd": float(ex["transport_cost_usd"].sum()),
        "landfill_diverted_t": float(ex.loc[ex["unit"] == "t", "quantity"].sum()),
        "objective_value": float(alloc.objective) if alloc.has_flows else float("nan"),
        "n_chains": float(len(chains_df)),
    }
    timings["report_tables"] = clock.stop("report_tables")
    step("chains")
    opts: dict[str, Any] = dict(objective=objective, method=method, max_per_supply=max_per_supply,
                                min_score=min_score)
    opts["_kwargs"] = dict(objective=objective, method=method, max_distance_km=max_distance_km,
                           max_per_supply=max_per_supply, min_score=min_score, weights=weights,
                           chains=chains, max_chain_length=max_chain_length, client=None,
                           n_partitions=None, n_jobs=n_jobs, link_predictor=link_predictor,
                           min_material_fit=min_material_fit)
    opts["_raw_streams"] = raw_streams
    opts["_cand"] = cand
    opts["_n_sup_dem"] = (len(sup), len(dem))
    opts["_stage_cpu_s"] = clock.cpu_s
    opts["_stage_sys_s"] = clock.sys_s
    opts["_stage_spans"] = clock.spans
    return SymbiosisPlan(comp, s, cdf, ex, chains_df, findings, totals, alloc, timings, opts)


def _exchange_economics(ex: pd.DataFrame, sup: pd.DataFrame, dem: pd.DataFrame,
                        si: np.ndarray, di: np.ndarray, sa: dict[str, np.ndarray],
                        da: dict[str, np.ndarray]) -> pd.DataFrame:
    """Exact best-mode transport (:func:`symbioflows.logistics.cost_pairs`) at the allocated
    quantity, and per-exchange money and CO2e.

    net benefit = quantity x (avoided disposal cost + avoided virgin purchase x material fit)
    - transport;
    CO2e avoided = quantity x (avoided disposal emissions + virgin production x material fit)
    - transport emissions.  The material fit (the taxonomy's substitution score) stands for the
    share of the virgin input that a tonne of the secondary material really displaces.
    """
    from symbioflows.logistics import cost_pairs

    q = ex["quantity"].to_numpy(float)
    if len(ex):
        pc = cost_pairs(sup["lat"].to_numpy(), sup["lon"].to_numpy(), dem["lat"].to_numpy(),
                        dem["lon"].to_numpy(), si, di, q,
                        medium=sup["medium"].to_numpy(object)[si],
                        supply_country=sup["country"].to_numpy(object),
                        demand_country=dem["country"].to_numpy(object))
        ok = pc.feasible
        est_cost = q * ex["transport_usd_per_t"].to_numpy(float)
        est_co2 = q * sa["co2e_kg_per_tkm"][si] * ex["distance_km"].to_numpy(float)
        cost = np.where(ok, pc.cost_usd, est_cost)
        co2 = np.where(ok, pc.co2e_kg, est_co2)
        ex["transport_mode"] = pc.mode_name()
        ex["route_km"] = np.where(ok, pc.route_km, ex["distance_km"].to_numpy(float))
    else:
        cost = co2 = np.zeros(0)
        ex["transport_mode"] = pd.Series(dtype=object)
        ex["route_km"] = pd.Series(dtype=float)
    ex["transport_cost_usd"] = cost
    ex["transport_co2e_kg"] = co2
    gross = sa["disposal_usd_t"][si] + da["virgin_usd_t"][di] * ex["material_fit"].to_numpy(float)
    ex["net_benefit_usd"] = q * gross - cost
    ex["co2e_avoided_kg"] = q * (sa["disposal_co2e_kg_t"][si] + da["virgin_co2e_kg_t"][di]
                                 * ex["material_fit"].to_numpy(float)) - co2
    return ex


def _empty_chains() -> pd.DataFrame:
    return pd.DataFrame({"chain_id": pd.Series(dtype=np.int64), "length": pd.Series(dtype=np.int64),
                         "companies": pd.Series(dtype=object), "materials": pd.Series(dtype=object),
                         "score": pd.Series(dtype=float),
                         "bottleneck_quantity": pd.Series(dtype=float),
                         "co2e_avoided_kg": pd.Series(dtype=float)})


def _chains(ex: pd.DataFrame, max_len: int, *, top_k: int = 100,
            time_limit_s: float = 30.0, n_jobs: int | None = -1) -> pd.DataFrame:
    """Best circular chains (:func:`symbioflows.chains.find_cycles`, product of edge scores)
    on the company graph of the given exchanges; one edge per exchange (materials kept)."""
    from symbioflows.chains import SymbiosisGraph, find_cycles

    if ex.empty or max_len < 2:
        return _empty_chains()
    edges = pd.DataFrame({
        "supplier": ex["supply_company_id"].to_numpy(),
        "receiver": ex["demand_company_id"].to_numpy(),
        "score": np.clip(ex["score"].to_numpy(float), 1e-9, 1.0),
        "tonnes_per_yr": ex["quantity"].to_numpy(float),
        "cost_usd": ex["transport_cost_usd"].to_numpy(float),
        "co2e_avoided_kg": ex["co2e_avoided_kg"].to_numpy(float),
        "material": ex["material"].astype(str).to_numpy(),
    })
    g = SymbiosisGraph(None, edges)
    res = find_cycles(g, min_length=2, max_length=max_len, top_k=top_k,
                      time_limit_s=time_limit_s, n_jobs=n_jobs)
    if res.truncated:
        log.warning("chain search truncated (%s); the best chains found are reported",
                    res.reason)
    df = res.to_pandas()
    if df.empty:
        return _empty_chains()
    out = pd.DataFrame({
        "chain_id": np.arange(len(df), dtype=np.int64),
        "length": df["length"].to_numpy(np.int64),
        "companies": [" -> ".join(map(str, list(c) + [c[0]])) for c in df["companies"]],
        "materials": [" | ".join(map(str, m)) for m in df["materials"]],
        "score": df["score"].to_numpy(float),
        "bottleneck_quantity": df["flow_t_per_yr"].to_numpy(float),
        "co2e_avoided_kg": df["co2e_avoided_kg"].to_numpy(float),
    })
    return out


def _compliance_blocked(sup: pd.DataFrame, dem: pd.DataFrame, cand: CandidatePairs) -> np.ndarray:
    """Pairs that a compliance rule blocks (:func:`symbioflows.compliance.compliance_filter`:
    hazardous waste across a border without notification, waste for disposal across a border,
    waste to food-grade receivers)."""
    from symbioflows.compliance import compliance_filter

    if len(cand) == 0:
        return np.zeros(0, dtype=bool)
    e_id, e_vals = pd.factorize(sup["ewc_code"].where(sup["ewc_code"].notna(), None))
    c_id, c_vals = pd.factorize(pd.concat([sup["country"], dem["country"]], ignore_index=True))
    sc_id = c_id[: len(sup)]
    dc_id = c_id[len(sup):]
    nc = len(c_vals) + 1
    key = ((e_id[cand.supply].astype(np.int64) + 1) * nc + sc_id[cand.supply] + 1) * nc \
        + dc_id[cand.demand] + 1
    _, first, inv = np.unique(key, return_index=True, return_inverse=True)
    e_all = np.array(list(e_vals) + [None], dtype=object)
    c_all = np.array([v if v else None for v in c_vals] + [None], dtype=object)
    mask = compliance_filter(e_all[e_id[cand.supply][first]],
                             c_all[sc_id[cand.supply][first]],
                             c_all[dc_id[cand.demand][first]])
    return np.asarray(mask.blocked, dtype=bool)[inv]


def _findings(ex: pd.DataFrame, sup: pd.DataFrame, dem: pd.DataFrame, si: np.ndarray,
              di: np.ndarray, max_exchanges: int = 20_000) -> pd.DataFrame:
    """Compliance findings per allocated exchange (:func:`symbioflows.compliance.check_exchange`:
    the rule, its source and what the parties must do); one check per distinct combination."""
    from symbioflows.compliance import check_exchange

    cols = ["supply_stream_id", "demand_stream_id", "rule_id", "severity", "title", "action",
            "source"]
    n = min(len(ex), max_exchanges)
    if len(ex) > max_exchanges:
        log.warning("compliance findings listed for the first %d of %d exchanges",
                    max_exchanges, len(ex))
    if n == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    si_n, di_n = np.asarray(si[:n], np.int64), np.asarray(di[:n], np.int64)
    ewc = sup["ewc_code"].to_numpy(object)[si_n]
    cls = sup["material_class"].to_numpy(object)[si_n]
    e = np.array([v if isinstance(v, str) and v else None for v in ewc], dtype=object)
    c = np.array([v if isinstance(v, str) else None for v in cls], dtype=object)
    mat = sup["material"].to_numpy(object)[si_n]
    sc = np.array([v or None for v in sup["country"].to_numpy(object)[si_n]], dtype=object)
    dc = np.array([v or None for v in dem["country"].to_numpy(object)[di_n]], dtype=object)
    # one check per distinct (EWC, countries, class, material); rows fanned out by numpy
    codes = np.stack([pd.factorize(col, use_na_sentinel=False)[0] for col in (e, sc, dc, c, mat)])
    _, first, key = np.unique(codes, axis=1, return_index=True, return_inverse=True)
    key = key.reshape(-1)
    per_key = [check_exchange(ewc_code=e[k], supplier_country=sc[k], receiver_country=dc[k],
                              material_class=c[k], material=mat[k]).findings for k in first]
    n_f = np.array([len(f) for f in per_key], dtype=np.int64)
    flat = [f for fs in per_key for f in fs]
    if not flat:
        return pd.DataFrame({c_: pd.Series(dtype=object) for c_ in cols})
    offset = np.concatenate([[0], np.cumsum(n_f)[:-1]])
    reps = n_f[key]
    row = np.repeat(np.arange(n), reps)
    within = np.arange(row.size) - np.repeat(np.cumsum(reps) - reps, reps)
    fi = offset[key[row]] + within
    attrs = {a: np.array([getattr(f, a) for f in flat], dtype=object)[fi]
             for a in ("rule_id", "severity", "title", "action", "source")}
    return pd.DataFrame({"supply_stream_id": ex["supply_stream_id"].to_numpy()[row],
                         "demand_stream_id": ex["demand_stream_id"].to_numpy()[row], **attrs},
                        columns=cols)
