"""The plan: :func:`plan` runs the stages in order, :func:`update_plan` adds streams to a plan.

Stages (one module each in :mod:`symbioflows.pipeline`)::

    prepare     companies + streams             -> streams table (site, qty, unit, class, group,
                                                   medium, radius) + findings for streams left out
    candidates  streams                         -> CandidatePairs (native spatial search)
    scoring     streams + CandidatePairs        -> candidates table (features, score)
    compliance  streams + CandidatePairs        -> blocked mask; later findings per exchange
    allocation  candidates table + capacities   -> Allocation (flows per pair)
    economics   exchanges                       -> transport mode, cost, CO2e, net benefit, totals
    chains      exchanges                       -> circular chains
    report      the plan                        -> report.html (``SymbiosisPlan.write``)

With a Ray or Dask ``client`` the candidate and scoring stages run inside spatial partitions
(:func:`symbioflows.pipeline.scoring.distributed_scored_candidates`); everything else runs on
the driver.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from symbioflows._config import resolve_n_jobs
from symbioflows.errors import InvalidInputError
from symbioflows.matching.pair_model import resolve_pair_model
from symbioflows.pipeline.allocation import (
    DEFAULT_OBJECTIVE,
    OBJECTIVES,
    allocation_stage,
    choice_sets,
    pair_values,
    unit_findings,
)
from symbioflows.pipeline.candidates import (
    DEFAULT_MIN_MATERIAL_FIT,
    candidate_findings,
    candidate_stage,
    material_groups,
    merge_candidates,
)
from symbioflows.pipeline.chains import chain_stage, empty_chains
from symbioflows.pipeline.compliance import compliance_blocked, compliance_findings
from symbioflows.pipeline.economics import exchange_economics, plan_totals
from symbioflows.pipeline.prepare import (
    encoder_findings,
    findings_block,
    findings_frame,
    plan_text_backend,
    prepare_streams,
    read_plan_input,
    stream_findings,
)
from symbioflows.pipeline.result import StageStats, SymbiosisPlan, _PlanState
from symbioflows.pipeline.scoring import (
    PAIR_FEATURES,
    ScoringInputs,
    candidate_frame,
    id_columns,
    resolve_weights,
    score_candidates,
    scoring_inputs,
    stream_texts,
    take,
)
from symbioflows.pipeline.scoring import text_fit_backend as text_fit_backend_for

__all__ = ["plan", "update_plan"]


def plan(
    dataset: Any,
    *,
    objective: str = DEFAULT_OBJECTIVE,
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
    strict: bool = False,
    pair_model: Any = None,
    receiver_scorer: Any = None,
    text_backend: str = "auto",
) -> SymbiosisPlan:
    """Find, score and allocate every worthwhile exchange in a region.

    Parameters
    ----------
    dataset : Dataset, folder, JSON file, dict or (companies, streams)
        Anything :func:`symbioflows.read_dataset` takes: companies (``company_id``, ``lat``,
        ``lon``, ``country``, ``sector``) and streams in the symbioflows data model, as pandas,
        polars, Arrow, lists of records or dicts of columns.  Streams give ``quantity`` +
        ``unit`` (or, as before, ``quantity_t_per_yr`` / ``quantity_mwh_per_yr`` /
        ``quantity_m3_per_yr``).
    objective : {"expected_net_benefit", "net_benefit", "co2e", "landfill"}
        What the allocation maximises.  ``expected_net_benefit`` (default): the USD of
        price-band surplus weighted by the probability that the pair is the supply's partner
        among its usable candidates (the per-supply softmax of the score's logit,
        :func:`~symbioflows.pipeline.allocation.choice_probabilities`), so that a lucrative
        but unlikely partner does not take the flow from a likely one; ``net_benefit``: the
        surplus alone; ``co2e``: kg CO2e avoided; ``landfill``: tonnes diverted.
    method : {"min_cost_flow", "lp", "greedy"}
        Allocation solver.
    max_distance_km : dict, optional
        Search radius per medium (see :data:`~symbioflows.pipeline.prepare.DEFAULT_MAX_DISTANCE_KM`).
    max_per_supply : int
        Nearest compatible candidates kept per supply (0 = all).
    min_score : float
        Candidates scoring below this are not allocated.
    weights : dict, optional
        Pair-score weights that override those of ``pair_model`` feature by feature.
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
        :data:`~symbioflows.pipeline.scoring.DEFAULT_WEIGHTS`).  A stream the predictor was not fitted on scores 0.  Any
        object with ``predict(DataFrame[supplier_stream_id, receiver_stream_id])`` returning
        probabilities in [0, 1] works.
    min_material_fit : float, default 0.25
        (:data:`~symbioflows.pipeline.candidates.DEFAULT_MIN_MATERIAL_FIT`)
        Lowest material fit (taxonomy substitution score) for which a supply and a demand are
        candidates; in [0, 1].

    strict : bool, default False
        Raw tables are read by :func:`symbioflows.read_dataset` (same checks, same unit
        normalisation).  With ``strict=False`` a stream or company row with an error is left
        out and listed in ``plan.findings`` (kind ``"input"``, with the message and the fix);
        with ``strict=True`` the plan raises the same
        :class:`~symbioflows.errors.InvalidDatasetError` as ``read_dataset``.
    pair_model : None, "learned", "hand_blend", PairScoreModel or path, optional
        The weights and bias of the pair score
        (:func:`~symbioflows.matching.pair_model.resolve_pair_model`).  Default: the learned
        model shipped with the package (fitted on the documented MAESTRI exchanges,
        ``docs/benchmarks.md``), or the hand blend when that artefact is missing.  The plan
        records which one scored in ``plan.options["pair_model"]`` (name, version, weights,
        bias, provenance) and in its report.
    receiver_scorer : ReceiverScorer, optional
        The receiver scorer behind the ``sector_fit`` feature (default the pretrained one);
        like ``link_predictor`` it is not saved with the plan.
    text_backend : {"auto", "sentence", "hashing"}
        The encoder that classifies streams given only as free text (supplies into material
        classes, demands into needs): ``"sentence"`` (all-MiniLM-L6-v2, shipped offline; more
        accurate, about 400-500 distinct texts/s on 2 cores), ``"hashing"`` (no model, fast at any scale) or
        ``"auto"`` (the sentence model up to 10,000 distinct texts of a direction, else
        hashing).  The plan records the encoder it used in ``plan.options["text_backend"]``,
        and :meth:`~symbioflows.pipeline.SymbiosisPlan.update` keeps it, so that adding
        streams never switches the encoder (and every class) under the existing ones.

    Returns
    -------
    SymbiosisPlan
        Every input stream appears in ``candidates``, ``exchanges`` or ``findings``.

    Raises
    ------
    InvalidInputError
        A bad option (objective, min_score, min_material_fit, weights, link_predictor).
    InvalidDatasetError
        ``strict=True`` and the data have errors.

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
    _check_options(objective, min_material_fit, link_predictor, min_score)
    model = resolve_pair_model(pair_model)  # checked before any work
    # the shipped model is chosen in _run, to match the encoder of the plan's text_fit
    given_model = pair_model if pair_model is None or pair_model == "learned" else \
        model.describe()
    comp, st, input_findings = read_plan_input(dataset, strict=strict)
    text_backend = plan_text_backend(st, text_backend)
    return _run(comp, st, previous=None, input_findings=input_findings, progress=progress, objective=objective, method=method,
                max_distance_km=max_distance_km, max_per_supply=max_per_supply,
                min_score=min_score, weights=weights, chains=chains,
                max_chain_length=max_chain_length, client=client, n_partitions=n_partitions,
                n_jobs=n_jobs, link_predictor=link_predictor,
                min_material_fit=float(min_material_fit), strict=strict,
                pair_model=given_model, receiver_scorer=receiver_scorer,
                text_backend=text_backend)


def _check_options(objective: str, min_material_fit: Any, link_predictor: Any,
                   min_score: Any) -> None:
    if objective not in OBJECTIVES:
        raise InvalidInputError(f"objective={objective!r}; choose one of {OBJECTIVES}")
    if isinstance(min_score, bool) or not (isinstance(min_score, (int, float, np.floating))
                                           and np.isfinite(min_score)):
        raise InvalidInputError(f"min_score={min_score!r}; give a finite number (scores lie in "
                                "(0, 1]; 0 keeps every candidate)")
    if not (isinstance(min_material_fit, (int, float)) and 0.0 <= min_material_fit <= 1.0):
        raise InvalidInputError(f"min_material_fit={min_material_fit!r}; give a number in [0, 1]")
    if link_predictor is not None and not callable(getattr(link_predictor, "predict", None)):
        raise InvalidInputError("link_predictor: expected a fitted model with predict(pairs) "
                                f"(e.g. symbioflows.learn.LinkPredictor); got {type(link_predictor).__name__}")


def update_plan(previous: SymbiosisPlan, new_streams: Any, new_companies: Any = None, *,
                progress: bool = False, link_predictor: Any = None) -> SymbiosisPlan:
    """:meth:`SymbiosisPlan.update`: ``previous`` with ``new_streams`` (and their companies)
    added; only the pairs that involve a new stream are searched and scored."""
    state = previous._require_state("update")
    if link_predictor is None:
        if state.link_predictor_missing:
            raise InvalidInputError(
                "this plan was made with a link_predictor, which is not saved with the plan; "
                "pass the same model: plan.update(new_streams, link_predictor=model)")
        link_predictor = state.link_predictor
    comp = previous.companies
    if new_companies is not None:
        no_streams = pd.DataFrame({c: pd.Series(dtype=object) for c in (
            "stream_id", "company_id", "direction", "material", "quantity", "unit")})
        nc = read_plan_input((new_companies, no_streams), strict=True)[0]
        comp = pd.concat([comp, nc], ignore_index=True)
    _c, ns, new_findings = read_plan_input((comp, new_streams),
                                           strict=bool(previous.options.get("strict", False)))
    clash = ns["stream_id"].isin(state.raw_streams["stream_id"]).to_numpy()
    if clash.any():  # validation saw the new rows alone: ids already in the plan are refused
        new_findings = pd.concat([new_findings, findings_block(
            int(clash.sum()), kind="input", stream_id=ns["stream_id"].to_numpy(object)[clash],
            rule_id="duplicate_id", severity="error",
            title="new stream left out: its stream_id is already in the plan",
            action="give each new stream a stream_id the plan does not have",
            source="symbioflows.read_dataset validation")], ignore_index=True)
        ns = ns[~clash]
    raw = pd.concat([state.raw_streams, ns], ignore_index=True)
    old_input = previous.findings[previous.findings["kind"] == "input"]
    input_findings = pd.concat([old_input, new_findings], ignore_index=True)
    kwargs = dict(previous.options)
    kwargs.pop("n_partitions", None)
    kwargs.pop("choice_outside", None)  # the pair model's (recorded in pair_model), or none
    kwargs.setdefault("pair_model", "hand_blend")  # a plan saved before pair models existed
    # the encoder of the plan (a plan saved before the option: what "auto" picked for its
    # streams), never re-picked for the larger set, which would re-classify every old stream
    kwargs.setdefault("text_backend", plan_text_backend(state.raw_streams, "auto"))
    # text_fit keeps the encoder it used, so old and new pairs' cosines are on one scale
    # (a plan saved before text_fit has none: its text_backend decides)
    kwargs.setdefault("text_fit_backend", None)
    return _run(comp, raw, previous=previous, input_findings=input_findings, progress=progress,
                client=None, n_partitions=None, link_predictor=link_predictor,
                receiver_scorer=state.receiver_scorer, **kwargs)


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
    part) and the ``perf_counter`` span of each pipeline stage (``SymbiosisPlan.stage_stats``)."""

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
         input_findings: pd.DataFrame, progress: bool, objective: str, method: str, max_distance_km: dict[str, float] | None,
         max_per_supply: int, min_score: float, weights: dict[str, float] | None,
         chains: bool, max_chain_length: int, client: Any, n_partitions: int | None,
         n_jobs: int | None, link_predictor: Any = None,
         min_material_fit: float = DEFAULT_MIN_MATERIAL_FIT,
         strict: bool = False, pair_model: Any = None,
         receiver_scorer: Any = None, text_backend: str = "auto",
         text_fit_backend: str | None = None) -> SymbiosisPlan:
    timings: dict[str, float] = {}
    clock = _StageClock()
    step = _bar(progress, 5)
    clock.start()
    s = prepare_streams(comp, raw_streams, max_distance_km=max_distance_km,
                        text_backend=text_backend)
    sup = s[s["direction"] == "supply"].reset_index(drop=True)
    dem = s[s["direction"] == "demand"].reset_index(drop=True)
    group_of, groups = material_groups(s, min_material_fit)
    # the pair model matches the encoder of its text_fit feature (an update keeps the plan's)
    texts = stream_texts(sup, dem)  # counted once: picks text_fit's encoder, numbers its rows
    text_fit_backend = text_fit_backend or text_fit_backend_for(sup, dem, text_backend,
                                                                texts=texts)
    model = resolve_pair_model(pair_model, text_backend=text_fit_backend)
    wv = resolve_weights(weights, model)  # checked before any pair is searched
    timings["prepare"] = clock.stop("prepare")
    step("streams")

    # -- candidates (with a client: found and scored inside the spatial partitions) --------
    clock.start()
    nt = resolve_n_jobs(n_jobs)
    scored: tuple[np.ndarray, np.ndarray] | None = None
    inputs: ScoringInputs | None = None
    prev_state = previous._state if previous is not None else None
    if client is not None:
        from symbioflows.pipeline.scoring import distributed_scored_candidates

        inputs = scoring_inputs(sup, dem, wv, link_predictor, bias=model.bias,
                                receiver_scorer=receiver_scorer,
                                text_backend=text_fit_backend, texts=texts)
        cand, feats_d, score_d = distributed_scored_candidates(
            client, sup, dem, group_of, groups, inputs, max_per_supply=max_per_supply,
            n_partitions=n_partitions)
        scored = (feats_d, score_d)
        del feats_d, score_d
    elif prev_state is not None:
        n_sup_old, n_dem_old = prev_state.n_sup_dem
        new_s = np.arange(n_sup_old, len(sup))
        new_d = np.arange(n_dem_old, len(dem))
        parts = [prev_state.cand]
        if new_s.size:
            parts.append(candidate_stage(sup, dem, group_of, groups, max_per_supply=max_per_supply,
                                         n_jobs=nt, supply_subset=new_s))
        if new_d.size and n_sup_old:
            parts.append(candidate_stage(sup, dem, group_of, groups, max_per_supply=max_per_supply,
                                         n_jobs=nt, supply_subset=np.arange(n_sup_old),
                                         demand_subset=new_d))
        cand = merge_candidates(parts, max_per_supply)
    else:
        cand = candidate_stage(sup, dem, group_of, groups, max_per_supply=max_per_supply, n_jobs=nt)
    found = [input_findings, stream_findings(s), encoder_findings(s, text_backend),
             candidate_findings(sup, dem, cand, max_per_supply)]
    # the search structures are done with (the search-group matrix alone is 8,890 x 8,890
    # float64, 0.59 GiB, at 1M free-text streams)
    del group_of, groups
    timings["candidates"] = clock.stop("candidates")
    step("candidates")

    # -- scoring (with a client: done in the partitions above; here the table is built) --
    clock.start()
    if inputs is None:
        inputs = scoring_inputs(sup, dem, wv, link_predictor, bias=model.bias,
                                receiver_scorer=receiver_scorer,
                                text_backend=text_fit_backend, texts=texts)
    if scored is None:
        feats, score = score_candidates(inputs, sup, dem, cand, n_jobs=nt)
    else:
        feats, score = scored
        scored = None
    sa, da = inputs.sa, inputs.da
    inputs.text = None  # the text rows (0.67 GiB at 1M free-text streams) are done with
    del texts
    cdf = candidate_frame(sup, dem, cand, feats, score)
    del feats, score
    # the material_fit feature is the candidates' own fit, copied by the kernel: keep one
    # (0.18 GiB at 23.8M candidates)
    cand.material_fit = cdf["material_fit"].to_numpy()
    timings["scoring"] = clock.stop("scoring")
    step("scores")

    # -- allocation ----------------------------------------------------------------------
    clock.start()
    cdf["compliance_blocked"] = compliance_blocked(sup, dem, cand)
    # the model's outside alternative ("none of these") was fitted with its own weights: a
    # plan whose weights are overridden weighs its candidates alone
    outside = None if weights else model.outside
    choice = choice_sets(cdf, sup, dem, cand, min_score=min_score, outside=outside)
    value = pair_values(cdf, sup, dem, cand, objective=objective, min_score=min_score,
                        choice=choice)
    alloc = allocation_stage(sup, dem, cand, value, method=method)
    found.append(unit_findings(sup, dem, cand))
    flows = alloc.flows_t if alloc.has_flows else np.zeros(len(cand))
    del value
    cdf["allocated"] = pd.Series(flows, copy=False)  # no second copy of the flows
    timings["allocation"] = clock.stop("allocation")
    step("allocation")

    # -- exchanges, chains, findings, totals ----------------------------------------------
    clock.start()
    used = np.flatnonzero(flows > 1e-9)
    ex = cdf.iloc[used].reset_index(drop=True).copy()
    for col, tab, key, idx in id_columns(sup, dem, cand):
        ex[col] = take(tab[key], idx[used])  # plain text ids in the (small) exchanges table
    # how likely the model finds each chosen partner among its supply's usable candidates and
    # "none of these" (the learned model's outside alternative)
    ex.insert(list(ex.columns).index("score") + 1, "choice_probability",
              choice.probability(cdf["score"].to_numpy(), cand.supply, used))
    del choice
    at = list(ex.columns).index("compliance_blocked")
    for k, (f, wf) in enumerate(zip(PAIR_FEATURES, wv)):
        ex.insert(at + k, "contrib_" + f, ex[f].to_numpy(float) * wf)
    ex.insert(4, "quantity", flows[used])
    ex.insert(5, "unit", sup["unit"].to_numpy()[cand.supply[used]])
    ex.insert(6, "material", sup["material"].to_numpy()[cand.supply[used]])
    ex = ex.drop(columns=["allocated"])
    ex = exchange_economics(ex, sup, dem, cand.supply[used], cand.demand[used], sa, da)
    chains_df = chain_stage(ex, max_chain_length, n_jobs=n_jobs) if chains else empty_chains()
    found.append(compliance_findings(ex, sup, dem, cand.supply[used], cand.demand[used]))
    if len(s) == 0:
        found.append(findings_block(
            1, kind="plan", rule_id="NO-STREAMS", severity="warning",
            title="no stream to plan: the streams table is empty"
                  + (" after validation left rows out" if len(input_findings) else ""),
            action="give supplies and demands in the streams table (see plan.findings for "
                   "rows left out)", source="symbioflows.pipeline.planner"))
    findings = pd.concat([f for f in found if len(f)] or [findings_frame()], ignore_index=True)
    totals = plan_totals(ex, len(sup), len(dem), len(cand),
                         alloc.objective if alloc.has_flows else float("nan"), len(chains_df))
    totals["n_supplies_truncated"] = int(cand.n_truncated)
    totals["n_streams_left_out"] = int((input_findings["kind"] == "input").sum()
                                       if len(input_findings) else 0)
    timings["report_tables"] = clock.stop("report_tables")
    step("chains")
    opts: dict[str, Any] = dict(objective=objective, method=method,
                                max_distance_km=max_distance_km, max_per_supply=max_per_supply,
                                min_score=min_score, weights=weights, chains=chains,
                                max_chain_length=max_chain_length, n_jobs=n_jobs,
                                min_material_fit=min_material_fit, n_partitions=n_partitions,
                                strict=strict, pair_model=model.describe(),
                                text_backend=text_backend, text_fit_backend=text_fit_backend,
                                choice_outside=outside)
    stats = StageStats(clock.cpu_s, clock.sys_s, clock.spans, int(cand.n_distance_evals))
    state = _PlanState(raw_streams, cand, (len(sup), len(dem)), link_predictor,
                       receiver_scorer=receiver_scorer)
    return SymbiosisPlan(comp, s, cdf, ex, chains_df, findings, totals, alloc, timings, opts,
                         stats, state)
