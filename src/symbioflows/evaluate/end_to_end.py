"""End-to-end evaluation of :func:`symbioflows.plan` on documented exchanges (issue 16).

Each park (a MAESTRI case, or a public case-study park) is rebuilt as a region and planned:

* its organisations become companies placed around one site (uniformly within
  :data:`PARK_RADIUS_KM`, seeded);
* supplies are the donors' waste descriptions with every code removed (no EWC code, no class):
  free text only;
* receivers' needs are written only from their business description and NACE class (never
  from the waste description or the final use, which name the answer);
* with ``n_distractors``: that many further receiver companies, their business text and NACE
  class drawn (seeded) from the receivers of the *other* parks, placed either over a region
  around the park (``placement="region"``: uniformly over a disc of
  :data:`REGION_RADIUS_KM`, a county-sized area, so the park's own organisations are on
  average closer, as in a real industrial area) or on the park's own site
  (``placement="site"``: the harder variant in which distance tells nothing).

For each documented exchange whose two ends are in the region: the rank of the documented
receiver among the supply's candidates by the pair score (a receiver that is not a candidate
of the supply counts as missed; ties at their expected rank under a seeded random order), and
whether the allocation sent flow to it.  Reported: recall@1, recall@3, MRR and the allocated
share, with 95 % bootstrap intervals over parks.

Folds are grouped by park.  Everything fitted is fitted on the training parks only: the
receiver scorer behind ``sector_fit`` (the pretrained one saw every MAESTRI exchange, so it is
refitted per fold, :func:`symbioflows.evaluate.fit_learned`), the pair model's weights
(:func:`symbioflows.matching.pair_model.fit_pair_model`, fitted on the training parks alone,
its regularisation chosen by inner folds grouped by park, each inner fold scored on its parks
both alone and among 300 distractors over the region, :data:`SELECT_ON`) and the baselines'
statistics.  One model per fold and design serves every setting, as one shipped model serves
every region.  Rows compared:

* ``plan``: the learned pair model of the fold, its design chosen inside the training parks
  (:func:`select_design`: the learned design of :data:`DESIGNS` with the best MRR on the same
  inner folds), as the shipped model's design is chosen on all parks
  (:func:`fit_final_pair_model`);
* each design of :data:`DESIGNS` on its own (the features whose weights are learned);
* ``hand_blend`` (a design that learns nothing): the same candidates scored with the
  hand-set weights;
* ``exact_code``: the supply's EWC code (which the plan never sees) looked up in the training
  parks: receivers ranked by how often that code went to their NACE division, then its
  sub-chapter, then the donor's division;
* ``sector_popularity``: receivers ranked by how often their division receives in training.

The baselines rank every receiver company of the region (except the donor itself).  The
features of a pair do not depend on the weights, so each region is planned once and
every design re-scores the same candidates (``sigmoid(bias + x w)`` is what the kernel
computes; a test checks that re-scoring equals a plan run with that model).

The public case-study parks (``case_studies``) are cross-validated the same way, by folds of
case-study parks: each fold's pair models are fitted on every MAESTRI park and the case-study
parks of the other folds (the receiver scorer, which needs MAESTRI's rows, on every MAESTRI
park), and the baselines count on the same parks.  The shipped model is fitted on every park of
both (:func:`fit_final_pair_model` on the joined park-alone tables, its inner folds scored on
the joined :data:`SELECT_ON` tables).
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from symbioflows.errors import InvalidInputError
from symbioflows.matching.features import PAIR_FEATURES
from symbioflows.matching.pair_model import HAND_BLEND, PairScoreModel, fit_pair_model

__all__ = ["PLACEMENTS", "SELECT_ON", "DESIGNS", "PARK_RADIUS_KM", "REGION_RADIUS_KM",
           "Region", "park_folds", "build_region", "plan_region", "collect_candidates",
           "reallocate", "check_rows", "labelled_choice_sets", "outside_choice_sets",
           "evaluate_end_to_end", "fit_final_pair_model", "select_design", "maestri_parks",
           "format_end_to_end", "case_study_data"]

log = logging.getLogger(__name__)

#: Radius (km) of the disc around the site in which a park's organisations are placed.
PARK_RADIUS_KM = 5.0
#: Radius (km) of the region over which distractors are scattered (``placement="region"``).
REGION_RADIUS_KM = 40.0
PLACEMENTS = ("region", "site")
#: The settings on whose inner folds (grouped by park) each design's regularisation and the
#: plan's design are chosen: the park alone and the park among 300 distractors over the region
#: (:data:`REGION_RADIUS_KM`), as a plan is run on a region with other companies in it.  The
#: weights are fitted on the park alone, where every candidate is a member of the park.
SELECT_ON = (0, 300)
SITE = (53.6, -0.6)  # any site: only relative positions matter

#: Designs of the pair score compared (each: the features whose weights are learned; the
#: others keep their hand weights).  ``hand_blend`` learns nothing.  No design is fixed: the
#: ``plan`` row and the shipped model take the learned design that :func:`select_design`
#: chooses on the training parks (the surplus and CO2e features come from the library's price
#: and factor knowledge of the classified texts, as they will in a user's region).
DESIGNS: dict[str, tuple[str, ...]] = {
    "hand_blend": (),
    "learned_material_sector": ("material_fit", "sector_fit"),
    "learned_material_sector_surplus": ("material_fit", "sector_fit", "surplus_usd_per_t",
                                        "co2e_avoided_kg_per_t"),
    "learned_material_sector_surplus_text": ("material_fit", "sector_fit", "surplus_usd_per_t",
                                             "co2e_avoided_kg_per_t", "text_fit"),
}


@dataclass
class Region:
    """A park rebuilt as a region: companies, streams (codes removed) and the documented
    exchanges (supplier stream, receiver stream) inside it."""

    park: str
    companies: pd.DataFrame
    streams: pd.DataFrame
    exchanges: pd.DataFrame


def maestri_parks(data: Any, statuses: Sequence[str] = ("Implemented",)) -> list[str]:
    """The MAESTRI cases with at least one exchange of ``statuses``, in case order."""
    ex = data.exchanges[data.exchanges["maestri_status"].isin(statuses)]
    return sorted(ex["case"].astype(str).unique(), key=lambda x: (len(x), x))


def case_study_data(path: Any = None, *, include_maestri_parks: bool = False) -> Any:
    """The public case-study exchanges (:func:`symbioflows.evaluate.load_case_studies`, every
    row validated and citing its source) as a dataset of the same shape as MAESTRI's
    (``companies``, ``streams``, ``exchanges`` with ``case`` = the park id and
    ``maestri_status``).  Parks that are also a MAESTRI case (``maestri_case`` given) are left
    out unless ``include_maestri_parks``: they are not out of source."""
    from symbioflows.evaluate.maestri import (
        MaestriData,
        _dataset,
        find_case_studies,
        load_case_studies,
    )

    rows = load_case_studies(path)  # the checks (sources, codes, statuses)
    csv = find_case_studies(path)
    if csv is None:  # load_case_studies raised already; for the type checker
        raise InvalidInputError("case-study exchanges not found")
    raw = pd.read_csv(csv, dtype=str, keep_default_na=False)
    raw = raw.replace({"": None})
    if not include_maestri_parks:
        raw = raw[raw["maestri_case"].isna()]
        rows = rows[rows["maestri_case"].isna()]
    raw = raw.assign(exchange_id=raw["park_id"] + "," + raw["exchange_id"].str.split(",").str[-1])
    companies, streams, exchanges = _dataset(raw.reset_index(drop=True))
    return MaestriData(companies=companies, streams=streams, exchanges=exchanges,
                       rows=rows.reset_index(drop=True))


def park_folds(parks: Sequence[str], n_folds: int, *, rng: Any = 0) -> list[list[str]]:
    """``n_folds`` disjoint groups of parks (seeded shuffle, round robin): the test parks of
    each fold.  No park is in two folds.

    Examples
    --------
    >>> park_folds(["a", "b", "c", "d", "e"], 2, rng=0)
    [['b', 'c', 'd'], ['a', 'e']]
    """
    parks = list(dict.fromkeys(str(p) for p in parks))
    if n_folds < 2 or n_folds > len(parks):
        raise InvalidInputError(f"n_folds={n_folds}; give 2..{len(parks)} (the number of parks)")
    perm = np.random.default_rng(rng).permutation(len(parks))
    folds: list[list[str]] = [[] for _ in range(n_folds)]
    for k, i in enumerate(perm):
        folds[k % n_folds].append(parks[i])
    return [sorted(f, key=parks.index) for f in folds]


def _disc(n: int, rng: np.random.Generator, radius_km: float) -> tuple[np.ndarray, np.ndarray]:
    r = radius_km * np.sqrt(rng.random(n))
    a = 2 * math.pi * rng.random(n)
    lat = SITE[0] + r * np.cos(a) / 111.0
    lon = SITE[1] + r * np.sin(a) / (111.0 * math.cos(math.radians(SITE[0])))
    return lat, lon


def build_region(data: Any, park: str, *, n_distractors: int = 0, placement: str = "region",
                 statuses: Sequence[str] = ("Implemented",), rng: Any = 0,
                 distractor_data: Any = None) -> Region:
    """Rebuild park ``park`` of ``data`` (:class:`~symbioflows.evaluate.MaestriData`) as a
    region (see the module notes).  The streams carry no code, no class, and the receivers'
    demand text is their business description only.  Distractors are drawn from the
    receivers of ``distractor_data`` (default ``data``) outside the park."""
    if placement not in PLACEMENTS:
        raise InvalidInputError(f"placement={placement!r}; choose one of {PLACEMENTS}")
    r = np.random.default_rng(rng)
    comp = data.companies[data.companies["case"].astype(str) == str(park)].copy()
    if comp.empty:
        raise InvalidInputError(f"park {park!r} is not in the data")
    st = data.streams[data.streams["company_id"].isin(comp["company_id"])].copy()
    ex = data.exchanges[(data.exchanges["case"].astype(str) == str(park))
                        & data.exchanges["maestri_status"].isin(statuses)]
    # the leakage guard: free text only on the supply side, business only on the demand side
    st["ewc_code"] = None
    st["material_class"] = None
    biz = comp.set_index("company_id")["business"].fillna("")
    dem = st["direction"] == "demand"
    st.loc[dem, "material"] = st.loc[dem, "company_id"].map(biz).to_numpy()
    comp["lat"], comp["lon"] = _disc(len(comp), r, PARK_RADIUS_KM)
    if n_distractors:
        src = data if distractor_data is None else distractor_data
        allc = src.companies
        recv_ids = src.streams.loc[src.streams["direction"] == "demand", "company_id"]
        pool = allc[allc["company_id"].isin(recv_ids) & (allc["case"].astype(str) != str(park))]
        if pool.empty:
            raise InvalidInputError("no receivers outside the park to draw distractors from")
        pick = pool.iloc[r.choice(len(pool), size=n_distractors,
                                  replace=len(pool) < n_distractors)]
        radius = REGION_RADIUS_KM if placement == "region" else PARK_RADIUS_KM
        lat, lon = _disc(n_distractors, r, radius)
        ids = [f"X{park}:{k}" for k in range(n_distractors)]
        dcomp = pd.DataFrame({"company_id": ids, "name": [f"distractor {k}" for k in
                                                          range(n_distractors)],
                              "business": pick["business"].fillna("").to_numpy(),
                              "sector": pick["sector"].to_numpy(), "case": str(park),
                              "lat": lat, "lon": lon})
        dst = pd.DataFrame({"stream_id": [f"{c}/d" for c in ids], "company_id": ids,
                            "direction": "demand", "material": dcomp["business"].to_numpy(),
                            "ewc_code": None, "material_class": None})
        comp = pd.concat([comp, dcomp], ignore_index=True)
        st = pd.concat([st, dst], ignore_index=True)
    comp["country"] = "GB"
    comp["sector"] = [_known_sector(v) for v in comp["sector"]]
    st["quantity_t_per_yr"] = np.where(st["direction"] == "supply", 1000.0, 100_000.0)
    ex = ex[ex["supplier_stream_id"].isin(st["stream_id"])
            & ex["receiver_stream_id"].isin(st["stream_id"])]
    return Region(str(park), comp.reset_index(drop=True), st.reset_index(drop=True),
                  ex[["supplier_stream_id", "receiver_stream_id"]].reset_index(drop=True))


def plan_region(region: Region, *, pair_model: Any = None, receiver_scorer: Any = None,
                n_jobs: int | None = 1, text_backend: str = "auto") -> Any:
    """:func:`symbioflows.plan` of a region: every compatible receiver kept as a candidate
    (``max_per_supply=0``), no chains; ``text_backend``: the plan's text encoder."""
    from symbioflows.pipeline import plan

    comp = region.companies[["company_id", "name", "sector", "lat", "lon", "country"]]
    st = region.streams[["stream_id", "company_id", "direction", "material",
                         "quantity_t_per_yr"]]
    return plan((comp, st), max_per_supply=0, chains=False, pair_model=pair_model,
                receiver_scorer=receiver_scorer, n_jobs=n_jobs, text_backend=text_backend)


def collect_candidates(region: Region, p: Any) -> pd.DataFrame:
    """One row per candidate pair of plan ``p`` of ``region``: park, supply, demand, the pair
    features, ``label`` (1: a documented receiver of the supply), ``documented`` (1: the supply
    has a documented receiver, a candidate or not), ``allocated`` and ``blocked`` (a
    compliance rule blocks the pair)."""
    c = p.candidates
    sup_ids = region.exchanges["supplier_stream_id"].astype(str)
    pos = set(zip(sup_ids, region.exchanges["receiver_stream_id"].astype(str)))
    s = c["supply_stream_id"].astype(str).to_numpy()
    d = c["demand_stream_id"].astype(str).to_numpy()
    out = pd.DataFrame({"park": region.park, "supply": s, "demand": d})
    for f in PAIR_FEATURES:
        out[f] = c[f].to_numpy(float)
    out["label"] = np.array([(a, b) in pos for a, b in zip(s, d)], dtype=np.int8)
    out["documented"] = np.isin(s, sup_ids.unique()).astype(np.int8)
    out["allocated"] = c["allocated"].to_numpy(float) > 0
    out["blocked"] = c["compliance_blocked"].to_numpy(bool)
    return out


def reallocate(region: Region, table: pd.DataFrame, z: np.ndarray, *,
               objective: str | None = None, outside: float | None = None
               ) -> set[tuple[str, str]]:
    """The (supply, demand) pairs to which ``plan()``'s allocation sends flow when the
    candidates of ``table`` (:func:`collect_candidates`) score ``sigmoid(z)``: ``objective``
    (default: the plan's, :data:`symbioflows.pipeline.allocation.DEFAULT_OBJECTIVE`) and the
    plan's solver on the region's quantities, through the plan's own stage functions, so each
    design's rows get the allocation that a plan scored by that design makes (a test checks it
    against a plan run); ``outside``: the scoring model's outside utility
    (:attr:`~symbioflows.matching.pair_model.PairScoreModel.outside`)."""
    from symbioflows.matching.candidates import CandidatePairs
    from symbioflows.pipeline.allocation import (
        DEFAULT_OBJECTIVE,
        allocation_stage,
        choice_sets,
        pair_values,
    )

    if table.empty:
        return set()
    si, s_ids = pd.factorize(table["supply"])
    di, d_ids = pd.factorize(table["demand"])
    qty = region.streams.set_index(region.streams["stream_id"].astype(str))[
        "quantity_t_per_yr"].astype(float)
    sup = pd.DataFrame({"unit": "t", "qty": qty.loc[s_ids].to_numpy()})
    dem = pd.DataFrame({"unit": "t", "qty": qty.loc[d_ids].to_numpy()})
    cand = CandidatePairs(si.astype(np.int64), di.astype(np.int64),
                          table["distance_km"].to_numpy(float),
                          table["material_fit"].to_numpy(float))
    cdf = pd.DataFrame({"surplus_usd_per_t": table["surplus_usd_per_t"].to_numpy(float),
                        "score": np.clip(1.0 / (1.0 + np.exp(-z)), 1e-9, 1.0),
                        "compliance_blocked": table["blocked"].to_numpy(bool)})
    choice = choice_sets(cdf, sup, dem, cand, min_score=0.0, outside=outside)
    value = pair_values(cdf, sup, dem, cand, objective=objective or DEFAULT_OBJECTIVE,
                        min_score=0.0, choice=choice)
    a = allocation_stage(sup, dem, cand, value, method="min_cost_flow")
    if not a.has_flows:
        return set()
    used = a.flows_t > 0
    return set(zip(s_ids[si[used]], d_ids[di[used]]))


def _known_sector(sector: Any) -> str:
    """A NACE code the data model accepts: MAESTRI writes some groups as classes ('01.10',
    '23.10'); those become the group ('01.1'), else the division; '' when unreadable."""
    from symbioflows.data.nace import nace_title

    s = "" if sector is None or (isinstance(sector, float) and math.isnan(sector)) else str(sector)
    for code in (s, s[:4], s[:2]):
        if not code:
            continue
        try:
            nace_title(code)
            return code
        except Exception:
            continue
    return ""


def _div(sector: Any) -> str:
    s = "" if sector is None or (isinstance(sector, float) and math.isnan(sector)) else str(sector)
    return "".join(ch for ch in s if ch.isdigit())[:2]


def _rank(scores: dict[str, float], target: str, rng: np.random.Generator) -> float:
    """1-based rank of ``target`` among ``scores`` (ties in random order); inf when absent."""
    if target not in scores:
        return math.inf
    keys = list(scores)
    tie = rng.random(len(keys))
    order = sorted(range(len(keys)), key=lambda i: (-scores[keys[i]], tie[i]))
    return float([keys[i] for i in order].index(target) + 1)


def _metrics(ranks: Sequence[float], alloc: Sequence[float], parks: Sequence[str],
             rng: np.random.Generator, n_boot: int) -> dict[str, Any]:
    r = np.asarray(ranks, dtype=float)
    a = np.asarray(alloc, dtype=float) if len(alloc) else np.full(r.size, np.nan)
    c = np.asarray(parks)
    rr = np.where(np.isfinite(r), 1.0 / r, 0.0)

    def stats(idx: np.ndarray) -> dict[str, float]:
        al = a[idx]
        return {"recall_at_1": float((r[idx] <= 1).mean()),
                "recall_at_3": float((r[idx] <= 3).mean()), "mrr": float(rr[idx].mean()),
                "allocated_share": float(al.mean()) if not np.isnan(al).all() else math.nan}

    out: dict[str, Any] = {"n": int(r.size), "n_parks": int(np.unique(c).size)}
    if r.size == 0:
        return out
    point = stats(np.arange(r.size))
    uc = np.unique(c)
    by = {u: np.flatnonzero(c == u) for u in uc}
    boots: dict[str, list[float]] = {k: [] for k in point}
    for _ in range(n_boot):
        idx = np.concatenate([by[u] for u in rng.choice(uc, size=uc.size, replace=True)])
        for k, v in stats(idx).items():
            boots[k].append(v)
    for k, v in point.items():
        lo, hi = ((math.nan, math.nan) if math.isnan(v)
                  else np.percentile(boots[k], [2.5, 97.5]))
        out[k] = {"value": v, "ci95": [float(lo), float(hi)]}
    return out


def _baseline_tables(data: Any, train_parks: set[str]) -> dict[str, Any]:
    comp = data.companies.set_index("company_id")
    sup = data.streams[data.streams["direction"] == "supply"].set_index("stream_id")
    ex = data.exchanges[data.exchanges["case"].astype(str).isin(train_parks)]
    ex = ex.merge(sup[["company_id", "ewc_code"]], left_on="supplier_stream_id",
                  right_index=True).rename(columns={"company_id": "donor"})
    recv = ex["receiver_stream_id"].str[:-2]
    ex = ex.assign(recv_div=recv.map(comp["sector"]).map(_div),
                   donor_div=ex["donor"].map(comp["sector"]).map(_div),
                   ewc6=ex["ewc_code"].fillna("").astype(str).str.replace(r"\D", "", regex=True))
    return {"pop": Counter(ex["recv_div"]),
            "code": {k: Counter(v) for k, v in ex.groupby("ewc6")["recv_div"]},
            "sub": {k: Counter(v) for k, v in ex.groupby(ex["ewc6"].str[:4])["recv_div"]},
            "donor": {k: Counter(v) for k, v in ex.groupby("donor_div")["recv_div"]}}


def _receiver_rows(data: Any, parks: set[str]) -> pd.DataFrame:
    rows = data.rows
    return rows[rows["case"].astype(str).isin(parks)].reset_index(drop=True)


def _fit_receiver_scorer(data: Any, train_parks: set[str], receiver_fit: str) -> Any:
    """The receiver scorer behind ``sector_fit``, fitted on the training parks only
    (``"fixed"``: the shipped scorer's feature set and C, as ``plan()`` runs it; ``"select"``:
    the full :func:`fit_learned`, features and C chosen by inner folds)."""
    from symbioflows.evaluate.maestri import nace_pool
    from symbioflows.evaluate.receivers import fit_learned
    from symbioflows.matching.learned import ReceiverScorer

    rows = _receiver_rows(data, train_parks)
    pool = nace_pool(data.rows)
    if receiver_fit == "fixed":
        shipped = ReceiverScorer.pretrained()
        sel = tuple(f for f, w in shipped.weights_.items() if w != 0.0)
        codes = [c.nace for c in pool]
        problems = [(pool, [(k, codes.index(n)) for k, n in enumerate(rows["receiver_nace"])
                            if n in codes])]
        return ReceiverScorer(embed_backend="hashing", C=shipped.C, feature_subset=sel,
                              C_grid=(shipped.C,)).fit(
            list(rows["query"]), list(rows["receiver_nace"]), list(rows["case"]), problems,
            receiver_business=list(rows["receiver_business"]))
    return fit_learned(rows, pool, embed_backend="hashing", pools="all")


def evaluate_end_to_end(data: Any = None, *, distractors: Sequence[int] = (0, 300),
                        placements: Sequence[str] = ("region", "site"), n_folds: int = 5,
                        statuses: Sequence[str] = ("Implemented",),
                        parks: Sequence[str] | None = None, receiver_fit: str = "fixed",
                        designs: dict[str, tuple[str, ...]] | None = None, seed: int = 0,
                        n_boot: int = 1000, progress: bool = False,
                        keep_tables: bool = False, case_studies: Any = None,
                        text_backend: str = "auto",
                        select_on: Sequence[int] = SELECT_ON) -> dict[str, Any]:
    """Run the protocol (module notes) and return the results as a JSON-ready dict.

    Parameters
    ----------
    data : MaestriData, optional
        Default :func:`symbioflows.evaluate.load_maestri`.
    distractors : sequence of int
        Settings: 0 is the park alone.
    placements : sequence of {"region", "site"}
        Where distractors are placed (ignored for 0 distractors).
    n_folds : int
        Folds grouped by park.
    parks : sequence of str, optional
        Restrict to these parks (development; training uses only the folds' other parks of
        this list).
    receiver_fit : {"fixed", "select"}
        How the per-fold receiver scorer is fitted (see :func:`_fit_receiver_scorer`):
        ``"fixed"`` (default) refits the shipped scorer's feature set and C on the training
        parks, so the evaluation measures what ``plan()`` runs; ``"select"`` re-selects the
        features inside the training parks (``sector_fit`` scores receiver classes only, so
        features of the receiver's own words stay unused).
    designs : dict, optional
        Pair-score designs (default :data:`DESIGNS`).
    case_studies : True or path, optional
        Also test on the public case-study parks (:func:`case_study_data`; parks that are a
        MAESTRI case left out), in ``n_folds`` folds grouped by park: each fold's pair models
        (designs and the plan's choice among them) and the baselines' counts come from every
        MAESTRI park and the other folds' case-study parks, the receiver scorer from every
        MAESTRI park; distractors are drawn from MAESTRI's receivers (``"out_of_source"``).
    text_backend : {"auto", "sentence", "hashing"}
        The text encoder of every plan (classification and ``text_fit``): ``"hashing"``
        measures what a plain install, or a region above 10,000 distinct texts, gets.
    select_on : sequence of int
        The settings (0: the park alone; n: n distractors over the region) on whose inner
        folds each design's regularisation and the plan's design are chosen
        (:data:`SELECT_ON`); they are planned whether reported or not.
    keep_tables : bool
        Also return the candidate tables (``"tables"``: one DataFrame per setting, every
        park's candidates with out-of-fold ``sector_fit``; not JSON), from which
        :func:`fit_final_pair_model` fits the shipped model.

    Returns
    -------
    dict
        ``settings``: one entry per (distractors, placement) with ``methods`` (metrics per
        row), ``models`` (each fold's fitted weights) and the timing.
    """
    if receiver_fit not in ("select", "fixed"):
        raise InvalidInputError(f"receiver_fit={receiver_fit!r}; choose 'select' or 'fixed'")
    if text_backend not in ("auto", "sentence", "hashing"):
        raise InvalidInputError(f"text_backend={text_backend!r}; choose 'auto', 'sentence' or "
                                "'hashing'")
    select = _select_settings(select_on)  # a bad value is refused before any work
    if data is None:
        from symbioflows.evaluate.maestri import load_maestri

        data = load_maestri()
    designs = dict(DESIGNS if designs is None else designs)
    all_parks = list(parks) if parks is not None else maestri_parks(data, statuses)
    folds = park_folds(all_parks, n_folds, rng=seed)
    settings = _settings(distractors, placements)
    scorers = {}
    t0 = time.perf_counter()
    for k, test in enumerate(folds):
        train = set(all_parks) - set(test)
        scorers[k] = _fit_receiver_scorer(data, train, receiver_fit)
        log.info("fold %d: receiver scorer fitted on %d parks", k, len(train))
    t_fit = time.perf_counter() - t0
    out: dict[str, Any] = {"n_folds": n_folds, "folds": folds, "statuses": list(statuses),
                           "text_backend": text_backend,
                           "receiver_fit": receiver_fit, "designs": {k: list(v) for k, v in
                                                                     designs.items()},
                           "select_on": [_key(st) for st in select],
                           "receiver_fit_s": t_fit,
                           "settings": []}
    built: dict[tuple[int, str], tuple[dict[str, pd.DataFrame], dict[str, Region]]] = {}
    times: dict[tuple[int, str], float] = {}
    for n_dis, placement in _needed(settings, select_on):
        t1 = time.perf_counter()
        tables: dict[str, pd.DataFrame] = {}
        regions: dict[str, Region] = {}
        for k, test in enumerate(folds):
            # the candidates of every park are planned with the fold's receiver scorer; a
            # park's features are used for training in the folds where it is not tested
            for park in test:
                rg = build_region(data, park, n_distractors=n_dis, placement=placement,
                                  statuses=statuses, rng=(seed, int(_park_num(park))))
                if rg.exchanges.empty:
                    continue
                regions[park] = rg
                p = plan_region(rg, pair_model=HAND_BLEND, receiver_scorer=scorers[k],
                                text_backend=text_backend)
                tables[park] = collect_candidates(rg, p)
            if progress:
                log.warning("distractors=%d %s: fold %d/%d planned", n_dis, placement, k + 1,
                            len(folds))
        built[(n_dis, placement)] = (tables, regions)
        times[(n_dis, placement)] = time.perf_counter() - t1
    check = _check_table(built, select_on)
    alone = built[(0, "site")][0]
    fold_models = [_fit_designs(pd.concat([alone[p] for p in alone if p not in test],
                                          ignore_index=True)
                                if any(p not in test for p in alone) else None, designs, seed,
                                check[~check["park"].isin(test)]) for test in folds]
    for n_dis, placement in settings:
        t1 = time.perf_counter()
        tables, regions = built[(n_dis, placement)]
        res = _score_setting(data, folds, tables, regions, designs, seed, n_boot,
                             given_models=fold_models)
        res.update(distractors=n_dis, placement=placement if n_dis else "park_alone",
                   elapsed_s=times[(n_dis, placement)] + time.perf_counter() - t1)
        out["settings"].append(res)
    if keep_tables:
        out["tables"] = {_key(st): pd.concat(list(built[st][0].values()), ignore_index=True)
                         for st in built if built[st][0]}
    if case_studies is not None:
        out["out_of_source"] = _out_of_source(
            data, case_studies, pd.concat(list(alone.values()), ignore_index=True), check,
            set(all_parks), settings, designs,
            statuses=statuses, receiver_fit=receiver_fit, seed=seed, n_folds=n_folds,
            n_boot=n_boot, text_backend=text_backend, select_on=select_on)
    return out


def _key(setting: tuple[int, str]) -> str:
    """The name of a setting in results: ``"0_park_alone"``, ``"300_region"``, ..."""
    n, placement = setting
    return f"{n}_{placement if n else 'park_alone'}"


def _settings(distractors: Sequence[int], placements: Sequence[str]) -> list[tuple[int, str]]:
    """The reported settings: the park alone (``(0, "site")``) if 0 is in ``distractors``,
    then each number of distractors in each placement."""
    out = [(0, "site")] if 0 in distractors else []
    return out + [(n, p) for n in distractors if n for p in placements]


def _select_settings(select_on: Sequence[int]) -> list[tuple[int, str]]:
    if not select_on or any(isinstance(n, bool) or not isinstance(n, (int, np.integer))
                            or n < 0 for n in select_on):
        raise InvalidInputError(f"select_on={select_on!r}; give numbers of distractors (0: the "
                                "park alone), for instance (0, 300)")
    return [(0, "site") if n == 0 else (int(n), "region") for n in dict.fromkeys(select_on)]


def _needed(settings: list[tuple[int, str]], select_on: Sequence[int]
            ) -> list[tuple[int, str]]:
    """Every setting to plan: the park alone (the pair models are fitted on it), the reported
    ones and those the designs are chosen on."""
    return list(dict.fromkeys([(0, "site"), *settings, *_select_settings(select_on)]))


def _check_table(built: dict[tuple[int, str], tuple[dict[str, pd.DataFrame], Any]],
                 select_on: Sequence[int]) -> pd.DataFrame:
    """:func:`check_rows` of the settings planned in ``built`` (per setting, one table per
    park)."""
    return check_rows({_key(st): pd.concat(list(tabs.values()), ignore_index=True)
                       for st, (tabs, _) in built.items() if tabs}, select_on)


def check_rows(tables: dict[str, pd.DataFrame],
               select_on: Sequence[int] = SELECT_ON) -> pd.DataFrame:
    """The candidates of the ``select_on`` settings (``tables``: one candidate table per
    setting, keyed ``"0_park_alone"``, ``"300_region"``, ... as ``keep_tables`` returns them),
    as one table with a ``setting`` column (a supply of each setting is its own choice set):
    the rows on which the inner folds that choose a design are scored."""
    parts = [tables[_key(st)].assign(setting=_key(st)) for st in _select_settings(select_on)
             if _key(st) in tables]
    if not parts:
        return pd.DataFrame(columns=["park", "supply", "demand", *PAIR_FEATURES, "label",
                                     "allocated", "setting"])
    return pd.concat(parts, ignore_index=True)


def _combined(data: Any, case_studies: Any) -> Any:
    """MAESTRI and the case studies as one dataset (the baselines count on both)."""
    from symbioflows.evaluate.maestri import MaestriData

    return MaestriData(
        companies=pd.concat([data.companies, case_studies.companies], ignore_index=True),
        streams=pd.concat([data.streams, case_studies.streams], ignore_index=True),
        exchanges=pd.concat([data.exchanges, case_studies.exchanges], ignore_index=True),
        rows=data.rows)


def case_study_tables(data: Any, case_studies: Any, scorer: Any, n_distractors: int = 0,
                      placement: str = "site", *, statuses: Sequence[str] = ("Implemented",),
                      seed: int = 0, text_backend: str = "auto"
                      ) -> tuple[dict[str, pd.DataFrame], dict[str, Region]]:
    """The candidates of every case-study park rebuilt as a region (distractors drawn from
    ``data``'s receivers), planned with the hand blend and ``scorer`` behind ``sector_fit``
    (the features do not depend on the weights): one table and one region per park."""
    tables: dict[str, pd.DataFrame] = {}
    regions: dict[str, Region] = {}
    for park in maestri_parks(case_studies, statuses):
        rg = build_region(case_studies, park, n_distractors=n_distractors, placement=placement,
                          statuses=statuses, rng=(seed, _park_num(park)), distractor_data=data)
        if rg.exchanges.empty:
            continue
        regions[park] = rg
        tables[park] = collect_candidates(
            rg, plan_region(rg, pair_model=HAND_BLEND, receiver_scorer=scorer,
                            text_backend=text_backend))
    return tables, regions


def labelled_choice_sets(table: pd.DataFrame, keys: Sequence[str] = ("park", "supply")
                         ) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows of the supplies with a documented receiver, and their choice sets."""
    t = table[table.groupby(list(keys))["label"].transform("max") > 0]
    if t.empty:
        return t, np.zeros(0, np.int64)
    return t, pd.factorize(t[list(keys)].astype(str).agg("|".join, axis=1))[0]


def outside_choice_sets(table: pd.DataFrame, keys: Sequence[str] = ("park", "supply")
                        ) -> tuple[np.ndarray, np.ndarray] | None:
    """The pair features and choice set of the candidates of supplies whose documented
    receiver is not among their candidates (``documented`` 1, no ``label`` 1): what
    :func:`~symbioflows.matching.pair_model.fit_pair_model` learns the outside alternative
    from.  None for a table without the ``documented`` column."""
    if "documented" not in table.columns:
        return None
    by = table.groupby(list(keys))["label"].transform("max")
    t = table[(by == 0) & (table["documented"] > 0)]
    return (t[list(PAIR_FEATURES)].to_numpy(np.float64),
            t[list(keys)].astype(str).agg("|".join, axis=1).to_numpy()
            if len(t) else np.zeros(0, dtype=object))


def _fit_designs(table: pd.DataFrame | None, designs: dict[str, tuple[str, ...]],
                 seed: int, check: pd.DataFrame | None = None) -> dict[str, PairScoreModel]:
    """Each design fitted on ``table`` (supplies with a documented receiver), its inner folds
    scored on ``check`` (:func:`_check_table`; default ``table``), and ``"plan"``: the learned
    design :func:`select_design` picks on the same inner folds.  No table, or no documented
    receiver in it: the hand blend for every design."""
    if table is None or not table["label"].any():
        return {**{name: HAND_BLEND for name in designs}, "plan": HAND_BLEND}
    t, g = labelled_choice_sets(table)
    out_rows = outside_choice_sets(table)
    chk = None
    if check is not None:
        c, cg = labelled_choice_sets(check, ("setting", "park", "supply"))
        chk = (c[list(PAIR_FEATURES)].to_numpy(), cg, c["label"].to_numpy(),
               c["park"].to_numpy())
    out: dict[str, PairScoreModel] = {}
    for name, learn in designs.items():
        out[name] = (fit_pair_model(t[list(PAIR_FEATURES)].to_numpy(), g, t["label"].to_numpy(),
                                    t["park"].to_numpy(), learn=learn, name=name, rng=seed,
                                    check=chk, outside_rows=out_rows)
                     if learn else HAND_BLEND)
    learned = {k: m for k, m in out.items() if m.learned}
    out["plan"] = out[select_design(learned)] if learned else HAND_BLEND
    return out


def _out_of_source(data: Any, case_studies: Any, table: pd.DataFrame, check: pd.DataFrame,
                   train_parks: set[str],
                   settings: list[tuple[int, str]], designs: dict[str, tuple[str, ...]], *,
                   statuses: Sequence[str], receiver_fit: str, seed: int, n_folds: int,
                   n_boot: int, text_backend: str = "auto",
                   select_on: Sequence[int] = (0,)) -> dict[str, Any]:
    """The case-study parks, cross-validated by park (see :func:`evaluate_end_to_end`): each
    fold's models are fitted on every MAESTRI park and the case-study parks of the other
    folds, park alone (``table``: MAESTRI's), their inner folds scored on the same parks in
    the ``select_on`` settings (``check``: MAESTRI's, :func:`_check_table`); the receiver
    scorer on every MAESTRI park."""
    cs = case_study_data(None if case_studies is True else case_studies)
    scorer = _fit_receiver_scorer(data, train_parks, receiver_fit)
    built: dict[tuple[int, str], tuple[dict[str, pd.DataFrame], dict[str, Region]]] = {}
    times: dict[tuple[int, str], float] = {}
    for n_dis, placement in _needed(settings, select_on):
        t1 = time.perf_counter()
        built[(n_dis, placement)] = case_study_tables(data, cs, scorer, n_dis, placement,
                                                      statuses=statuses, seed=seed,
                                                      text_backend=text_backend)
        times[(n_dis, placement)] = time.perf_counter() - t1
    alone = built[(0, "site")][0]
    cs_check = _check_table(built, select_on)
    folds = park_folds(list(alone), min(n_folds, len(alone)), rng=seed)
    per_fold = []
    for test in folds:
        train = pd.concat([table, *[alone[p] for p in alone if p not in test]],
                          ignore_index=True)
        per_fold.append(_fit_designs(train, designs, seed, pd.concat(
            [check, cs_check[~cs_check["park"].isin(test)]], ignore_index=True)))
    base = _combined(data, cs)
    out: dict[str, Any] = {"parks": list(alone), "folds": folds, "settings": []}
    for n_dis, placement in settings:
        tables, regions = built[(n_dis, placement)]
        t1 = time.perf_counter()
        res = _score_setting(cs, folds, tables, regions, designs, seed, n_boot,
                             base_data=base, given_models=per_fold)
        res.update(distractors=n_dis, placement=placement if n_dis else "park_alone",
                   elapsed_s=times[(n_dis, placement)] + time.perf_counter() - t1)
        out["settings"].append(res)
    return out


def select_design(models: dict[str, PairScoreModel]) -> str:
    """The learned design whose model scored the best MRR on its inner folds (grouped by park,
    on the training parks only: ``meta["inner_mrr"]`` of :func:`fit_pair_model`, the best
    regularisation of each); ties go to the design with fewer learned weights.

    Raises
    ------
    InvalidInputError
        No model of ``models`` learned a weight.
    """
    scored = {name: max(m.meta["inner_mrr"].values()) for name, m in models.items()
              if m.learned and m.meta.get("inner_mrr")}
    if not scored:
        raise InvalidInputError("no learned design to select; fit at least one design of "
                                f"{[d for d, f in DESIGNS.items() if f]}")
    return max(scored, key=lambda d: (round(scored[d], 12), -len(models[d].learned), d))


def _park_num(park: str) -> int:
    return sum(ord(ch) * (k + 1) for k, ch in enumerate(str(park)))


def _score_setting(data: Any, folds: list[list[str]], tables: dict[str, pd.DataFrame],
                   regions: dict[str, Region], designs: dict[str, tuple[str, ...]], seed: int,
                   n_boot: int, *, given_models: list[dict[str, PairScoreModel]],
                   base_data: Any = None) -> dict[str, Any]:
    """Ranks of every documented exchange for every design and baseline of one setting.
    ``given_models``: each fold's models (:func:`_fit_designs`, fitted on its training parks);
    ``base_data``: where the baselines count (default ``data``, minus the fold's parks)."""
    base_data = data if base_data is None else base_data
    rng = np.random.default_rng(seed + 7)
    methods = ["plan", "plan_net_benefit", *designs, "exact_code", "sector_popularity"]
    rec: dict[str, dict[str, list[Any]]] = {m: {"rank": [], "alloc": [], "park": []}
                                            for m in methods}
    models: dict[str, list[dict[str, Any]]] = {m: [] for m in designs}
    plan_designs: list[dict[str, Any]] = []
    per_exchange: list[dict[str, Any]] = []  # the plan's rank of each documented exchange
    outside_rows: list[pd.DataFrame] = []  # P(none of these) of each documented supply
    comp_all = data.companies.set_index("company_id")
    sup_all = data.streams[data.streams["direction"] == "supply"].set_index("stream_id")
    for k, test in enumerate(folds):
        fold_models = given_models[k]
        for name, learn in designs.items():
            models[name].append({"fold": k, "weights": {f: fold_models[name].weights[f]
                                                        for f in learn},
                                 "l2": fold_models[name].meta.get("l2"),
                                 "outside": fold_models[name].outside})
        plan_designs.append({"fold": k, "design": fold_models["plan"].name if
                             fold_models["plan"].learned else None,
                             "inner_mrr": {n: max(m.meta["inner_mrr"].values())
                                           for n, m in fold_models.items()
                                           if n in designs and m.learned}})
        base = _baseline_tables(base_data, {str(c) for c in base_data.exchanges["case"].unique()}
                                - set(test))
        for park in test:
            if park not in tables:
                continue
            tab, rg = tables[park], regions[park]
            x = tab[list(PAIR_FEATURES)].to_numpy()
            z = {name: x @ m.vector() + m.bias for name, m in fold_models.items()}
            outside_rows.append(_outside_check(tab, z["plan"], fold_models["plan"].outside))
            comp = rg.companies.set_index("company_id")
            dem = rg.streams[rg.streams["direction"] == "demand"]
            recv_div = dict(zip(dem["stream_id"].astype(str),
                                dem["company_id"].map(comp["sector"]).map(_div)))
            alloc = {name: reallocate(rg, tab, z[name], outside=fold_models[name].outside)
                     for name in ["plan", *designs]}
            # the plan's model under the surplus alone: what the objective changes
            alloc["plan_net_benefit"] = reallocate(rg, tab, z["plan"], objective="net_benefit",
                                                   outside=fold_models["plan"].outside)
            for row in rg.exchanges.itertuples(index=False):
                s_id, d_id = str(row.supplier_stream_id), str(row.receiver_stream_id)
                m = (tab["supply"] == s_id).to_numpy()
                for name in ["plan", *designs]:
                    scores = dict(zip(tab["demand"][m], z[name][m]))
                    rec[name]["rank"].append(_rank(scores, d_id, rng))
                    if name == "plan":
                        r = rec[name]["rank"][-1]
                        per_exchange.append({"park": park, "supply": s_id, "demand": d_id,
                                             "rank": r if math.isfinite(r) else None})
                        rec["plan_net_benefit"]["rank"].append(r)
                        rec["plan_net_benefit"]["alloc"].append(
                            float((s_id, d_id) in alloc["plan_net_benefit"]))
                        rec["plan_net_benefit"]["park"].append(park)
                    rec[name]["alloc"].append(float((s_id, d_id) in alloc[name]))
                    rec[name]["park"].append(park)
                donor = str(sup_all.loc[s_id, "company_id"])
                code6 = "".join(ch for ch in str(sup_all.loc[s_id, "ewc_code"] or "")
                                if ch.isdigit())
                ddiv = _div(comp_all.loc[donor, "sector"]) if donor in comp_all.index else ""
                others = {k2: v for k2, v in recv_div.items() if not k2.startswith(donor + "/")}
                ec = {k2: (base["code"].get(code6, Counter())[v] * 1e6
                           + base["sub"].get(code6[:4], Counter())[v] * 1e3
                           + base["donor"].get(ddiv, Counter())[v]) for k2, v in others.items()}
                sp = {k2: float(base["pop"][v]) for k2, v in others.items()}
                for name, sc in (("exact_code", ec), ("sector_popularity", sp)):
                    rec[name]["rank"].append(_rank(sc, d_id, rng))
                    rec[name]["park"].append(park)
    brng = np.random.default_rng(seed + 1)
    return {"methods": {m: _metrics(v["rank"], v["alloc"], v["park"], brng, n_boot)
                        for m, v in rec.items()},
            "models": models, "plan_designs": plan_designs, "plan_ranks": per_exchange,
            "outside_alternative": _outside_summary(outside_rows),
            "n_candidates": {p: int(len(t)) for p, t in tables.items()}}


def _outside_check(tab: pd.DataFrame, z: np.ndarray, outside: float | None) -> pd.DataFrame:
    """Per documented supply of a test park with a candidate: the plan model's probability of
    the outside alternative (1 minus its candidates' choice probabilities,
    :func:`symbioflows.pipeline.allocation.choice_probabilities`), and whether the documented
    receiver is among the candidates (``inside``).  Empty without an outside utility."""
    from symbioflows.pipeline.allocation import choice_probabilities

    if outside is None or "documented" not in tab.columns or tab.empty:
        return pd.DataFrame({"p_outside": [], "inside": []})
    code, ids = pd.factorize(tab["supply"])
    prob = choice_probabilities(1.0 / (1.0 + np.exp(-z)), code, np.ones(code.size, bool),
                                ids.size, outside=outside)
    doc = np.bincount(code, weights=tab["documented"].to_numpy(float), minlength=ids.size) > 0
    inside = np.bincount(code, weights=tab["label"].to_numpy(float), minlength=ids.size) > 0
    p_out = 1.0 - np.bincount(code, weights=prob, minlength=ids.size)
    return pd.DataFrame({"p_outside": p_out[doc], "inside": inside[doc]})


def _outside_summary(rows: list[pd.DataFrame]) -> dict[str, Any]:
    """How the plan model's outside alternative fares on the held-out supplies: the share of
    documented supplies whose receiver is not a candidate against the mean predicted
    probability, and the mean prediction where it is and where it is not a candidate."""
    d = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    if d.empty:
        return {"n_supplies": 0}
    ins = d["inside"].to_numpy(bool)
    p = d["p_outside"].to_numpy(float)
    return {"n_supplies": int(d.shape[0]), "observed_share": float((~ins).mean()),
            "mean_predicted": float(p.mean()),
            "mean_predicted_when_candidate": float(p[ins].mean()) if ins.any() else None,
            "mean_predicted_when_not": float(p[~ins].mean()) if (~ins).any() else None}


def fit_final_pair_model(table: pd.DataFrame, *, design: str | None = None,
                         seed: int = 0, meta: dict[str, Any] | None = None,
                         check: pd.DataFrame | None = None) -> PairScoreModel:
    """The model shipped with the package: a design's weights fitted on every park's
    candidates (``table``: the park-alone table of :func:`evaluate_end_to_end` with
    ``keep_tables=True``), ``l2`` chosen by inner folds grouped by park, scored on ``check``
    (the same parks in the :data:`SELECT_ON` settings, with a ``setting`` column; default
    ``table``); the design is ``design``, or (default) the one :func:`select_design` chooses
    on the same inner folds (recorded in ``meta["design_selection"]``).  Its ``sector_fit``
    values are out of fold (each park's from a receiver scorer that never saw that park), as
    they will be for a park the plan has never seen; fitting on in-sample values (the
    pretrained scorer saw every MAESTRI exchange) would overweight ``sector_fit``.

    Raises
    ------
    InvalidInputError
        ``design`` learns nothing, or ``table`` has no documented receiver.
    """
    if design is not None and not DESIGNS.get(design):
        raise InvalidInputError(f"design={design!r}; choose one that learns a weight: "
                                f"{[d for d, f in DESIGNS.items() if f]}, or None to select")
    if not table["label"].any():
        raise InvalidInputError("table has no documented receiver (label 1) to fit on")
    names = [design] if design is not None else [d for d, f in DESIGNS.items() if f]
    fitted = _fit_designs(table, {d: DESIGNS[d] for d in names}, seed, check)
    model = fitted.pop("plan")
    model.meta.update(meta or {})
    model.meta["design"] = model.name
    model.meta["design_selection"] = {d: max(m.meta["inner_mrr"].values())
                                      for d, m in fitted.items()}
    return model


def format_end_to_end(res: dict[str, Any]) -> str:
    """The results of :func:`evaluate_end_to_end` as a plain-text table."""
    lines = []
    blocks = [("MAESTRI", st) for st in res["settings"]]
    blocks += [("case studies (out of source)", st)
               for st in res.get("out_of_source", {}).get("settings", [])]
    for what, st in blocks:
        lines.append(f"{what}: distractors={st['distractors']} placement={st['placement']}")
        lines.append(f"{'method':34s} {'n':>4s} {'recall@1':>20s} {'recall@3':>20s} "
                     f"{'MRR':>20s} {'allocated':>20s}")
        for m, v in st["methods"].items():
            if "mrr" not in v:
                continue
            cells = []
            for k in ("recall_at_1", "recall_at_3", "mrr", "allocated_share"):
                x, (lo, hi) = v[k]["value"], v[k]["ci95"]
                cells.append("-" if x != x else f"{x:.3f} [{lo:.3f},{hi:.3f}]")
            lines.append(f"{m:34s} {v['n']:4d} " + " ".join(f"{c:>20s}" for c in cells))
        chosen = [str(f["design"]) for f in st.get("plan_designs", [])]
        if chosen:  # which design the plan row used, chosen on each fold's training parks
            lines.append("plan's design by fold: " + ", ".join(chosen))
        lines.append("")
    return "\n".join(lines)
