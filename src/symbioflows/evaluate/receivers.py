"""Receiver ranking: evaluate receiver matchers on real documented exchanges (MAESTRI).

The protocol of ``shared/data/README.md``:

* **Queries**: each implemented exchange's donor side (waste description, optional EWC code,
  donor business and NACE class).  Planned exchanges (and those under feasibility study) are
  reported separately.
* **Candidates**: receivers described only by their business and NACE class (never the final
  use or the material).  Two settings: ``case`` (the organisations of the same case, donors and
  receivers, identified by business and NACE class; queries with fewer than two candidates are
  dropped) and ``all`` (every receiver NACE class of the database, described by its NACE title).
* **Folds**: grouped by case, so that no case is both in training and in test.
* **Metrics**: recall@1/5/10 and mean reciprocal rank, micro (over queries) and macro (over
  cases), with percentile bootstrap intervals obtained by resampling cases.  Ties in a score
  are broken uniformly at random *in expectation* (the exact expected recall and reciprocal
  rank), so a constant scorer gets exactly the random baseline.
* **Methods**: ``random``, ``popularity`` (receiver class frequency in training), ``exact_code``
  (same EWC code, then sub-chapter, then chapter, then same donor NACE division, then
  popularity), ``bm25`` (rank-bm25 over the texts), ``embedding`` (plain cosine of sentence
  embeddings), ``blend`` (the untrained hand-set blend of :mod:`symbioflows.matching.learned`),
  ``learned`` (its listwise logistic model fitted on the training folds, with the feature set
  and the regularisation chosen by grouped cross-validation *inside* the training folds, so the
  choice is nested; one model per setting, each fitted on that setting's kind of ranking
  problem: all receiver classes for ``all``, the organisations of each training case for
  ``case``) and ``learned_notax`` (the same without the materials-taxonomy features).
* **Paired differences**: the MRR and recall@1 of ``learned`` minus each baseline, with a
  percentile bootstrap interval from resampling the held-out cases *jointly* for both methods
  (:attr:`EvaluationReport.differences`): the interval of the difference itself, which is what
  "better by more than the noise" asks, and is much narrower than the per-method intervals
  because both methods are scored on the same queries.

* **Public case studies** (optional, ``case_studies=``): documented exchanges from public case
  studies that are not in MAESTRI (``benchmarks/data/case_studies_exchanges.csv`` in the
  repository, every row citing its source; :func:`load_case_studies`), reported in three views
  (the ``data`` column of the summary): ``maestri`` (MAESTRI only, as without the option),
  ``combined`` (MAESTRI plus the case studies as extra cases in the same grouped folds; a case
  study of a park that MAESTRI already covers joins that MAESTRI case, so folds stay grouped by
  park) and ``out_of_source`` (trained on MAESTRI, tested on the case studies only: one split,
  the MAESTRI cases of parks that reappear in the case studies left out of training).

The MAESTRI rows are read from a data directory at run time and never ship in the package;
nor do the case-study rows (:mod:`symbioflows.evaluate.maestri` reads both).  Run
``symbioflows evaluate`` or ``python -m symbioflows.evaluate``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from symbioflows._config import check_rng
from symbioflows._validation import check_positive_int
from symbioflows.errors import InvalidInputError
from symbioflows.evaluate.maestri import load_case_studies, load_maestri, nace_pool
from symbioflows.evaluate.report import (
    DIFFERENCES,
    EvaluationReport,
    _bootstrap,
    paired_differences,
    rank_metrics,
)
from symbioflows.matching.learned import (
    Candidate,
    Query,
    ReceiverScorer,
    SectorStatistics,
    _bm25_matrix,
)
from symbioflows.matching.text import embed_texts

__all__ = ["METHODS", "SETTINGS", "TRAIN_POOLS", "VIEWS", "evaluate_matchers", "fit_learned"]

log = logging.getLogger(__name__)

METHODS = ("random", "popularity", "exact_code", "bm25", "embedding", "blend", "learned",
           "learned_notax")
SETTINGS = ("case", "all")
#: data views reported when case studies are added (see the module docstring)
VIEWS = ("maestri", "combined", "out_of_source")


def _case_pool(org: pd.DataFrame) -> tuple[list[str], list[Candidate]]:
    """Organisations of a case (receivers and donors) keyed by business|nace, each described by
    its business and NACE title (``text``) and its business alone (``business``)."""
    keys: dict[str, tuple[str, str]] = {}
    for k, t, b in zip(org["receiver_key"], org["receiver_text"], org["receiver_business"]):
        keys.setdefault(k, (t, b))
    for k, t, b in zip(org["donor_key"], org["donor_text"], org["donor_business"]):
        if isinstance(k, str) and isinstance(t, str):
            keys.setdefault(k, (t, b))
    klist = sorted(keys)
    return klist, [Candidate(keys[k][0], k.split("|")[1], business=keys[k][1]) for k in klist]


ScoreFn = Callable[[Sequence[Query], Sequence[Candidate]], np.ndarray]
#: a scorer for every setting, or one per setting
Scorer = ScoreFn | dict[str, ScoreFn]


#: ranking problems :func:`fit_learned` can learn from
TRAIN_POOLS = ("both", "all", "case")


def fit_learned(train: pd.DataFrame, pool_all: list[Candidate], *, embed_backend: str = "auto",
                C: float = 1.0, use_taxonomy: bool = True, pools: str = "both") -> ReceiverScorer:
    """Fit :class:`ReceiverScorer` on MAESTRI rows, ranking each training exchange's receiver
    among all receiver classes (``pools="all"``), among the organisations of its case
    (``"case"``) or both (``"both"``).  The feature set and the regularisation are chosen by
    grouped cross-validation within ``train``."""
    if pools not in TRAIN_POOLS:
        raise InvalidInputError(f"pools={pools!r}; choose one of {TRAIN_POOLS}")
    train = train.reset_index(drop=True)
    codes = [c.nace for c in pool_all]
    problems: list[tuple[Sequence[Candidate], Sequence[tuple[int, int]]]] = []
    if pools in ("both", "all"):
        problems.append((pool_all, [(k, codes.index(n)) for k, n in
                                    enumerate(train["receiver_nace"]) if n in codes]))
    if pools in ("both", "case"):
        for _case, org in train.groupby("case"):
            klist, cands = _case_pool(org)
            if len(klist) >= 2:
                problems.append((cands, [(int(k), klist.index(rk))
                                         for k, rk in zip(org.index, org["receiver_key"])]))
    return ReceiverScorer(embed_backend=embed_backend, C=C, use_taxonomy=use_taxonomy).fit(
        list(train["query"]), list(train["receiver_nace"]), list(train["case"]), problems,
        receiver_business=list(train["receiver_business"]))


def _make_scorers(train: pd.DataFrame, pool_all: list[Candidate], methods: Sequence[str],
                  backend: str, C: float,
                  models: dict[tuple[str, str], ReceiverScorer] | None = None,
                  settings: Sequence[str] = SETTINGS) -> dict[str, Scorer]:
    """The scorers of ``methods`` fitted on ``train``; the learned ones are one scorer per
    setting (a dict), fitted on that setting's ranking problems (:func:`fit_learned`)."""
    tq = list(train["query"])
    tr_nace = list(train["receiver_nace"])
    q_emb, used = embed_texts([q.text for q in tq], backend=backend)
    stats = SectorStatistics.from_pairs(tq, tr_nace, q_emb, used)
    pdiv, pclass = stats.priors()
    fns: dict[str, Scorer] = {}

    def random_(qs: Sequence[Query], cs: Sequence[Candidate]) -> np.ndarray:
        return np.zeros((len(qs), len(cs)))

    def popularity(qs: Sequence[Query], cs: Sequence[Candidate]) -> np.ndarray:
        row = np.array([stats.class_counts.get(c.nace or "", 0) * 1e3
                        + stats.div_counts.get((c.nace or "")[:2], 0) for c in cs], dtype=float)
        return np.tile(row, (len(qs), 1))

    def exact_code(qs: Sequence[Query], cs: Sequence[Candidate]) -> np.ndarray:
        pop = popularity(qs, cs)
        pop = pop / (pop.max() + 1.0)
        out = np.zeros((len(qs), len(cs)))
        for i, q in enumerate(qs):
            tab = None
            if q.ewc:
                for t, key in ((stats.by_ewc6, q.ewc), (stats.by_ewc4, q.ewc[:4]),
                               (stats.by_ewc2, q.ewc[:2])):
                    if key in t:
                        tab = t[key]
                        break
            dtab = stats.by_donor_div.get((q.donor_nace or "")[:2]) if q.donor_nace else None
            for j, c in enumerate(cs):
                d = (c.nace or "")[:2]
                out[i, j] = (1e6 * (tab.get(d, 0) if tab else 0)
                             + 1e3 * (dtab.get(d, 0) if dtab else 0) + pop[i, j])
        return out

    def bm25(qs: Sequence[Query], cs: Sequence[Candidate]) -> np.ndarray:
        return _bm25_matrix([q.text for q in qs], [c.text for c in cs])

    def embedding(qs: Sequence[Query], cs: Sequence[Candidate]) -> np.ndarray:
        a, u = embed_texts([q.text for q in qs], backend=used)
        b, _ = embed_texts([c.text for c in cs], backend=u)
        return np.asarray(a @ b.T, dtype=np.float64)

    table: dict[str, ScoreFn] = {"random": random_, "popularity": popularity,
                                 "exact_code": exact_code, "bm25": bm25, "embedding": embedding}
    for m in methods:
        if m in table:
            fns[m] = table[m]
    if "blend" in methods:
        fns["blend"] = ReceiverScorer.untrained(embed_backend=used, stats=stats).score
    for name, tax in (("learned", True), ("learned_notax", False)):
        if name in methods:
            # one model per setting, each fitted on that setting's kind of ranking problem
            per: dict[str, ScoreFn] = {}
            for setting in settings:
                model = fit_learned(train, pool_all, embed_backend=used, C=C, use_taxonomy=tax,
                                    pools=setting)
                per[setting] = model.score
                if models is not None:
                    models[(name, setting)] = model
            fns[name] = per
    return fns


def score_test(test: pd.DataFrame, fns: dict[str, Scorer], pool_all: list[Candidate],
                settings: Sequence[str], fold: int) -> list[dict[str, Any]]:
    """Rank every held-out query of ``test`` with every scorer in ``fns``.

    A documented internal hook (with :func:`fit_scorers`) for studies that re-use the folds of
    :func:`evaluate_matchers` with other training sets, such as
    ``benchmarks/learning_curve.py``; not part of the stable public API."""
    all_codes = [c.nace for c in pool_all]
    records: list[dict[str, Any]] = []
    for setting in settings:
        for group in ("implemented", "planned"):
            sub = test[test["group"] == group]
            if sub.empty:
                continue
            for case, rows in sub.groupby("case"):
                qs = list(rows["query"])
                if setting == "all":
                    cands = pool_all
                    rel = [all_codes.index(n) for n in rows["receiver_nace"]]
                else:
                    klist, cands = _case_pool(test[test["case"] == case])
                    if len(klist) < 2:
                        continue
                    rel = [klist.index(k) for k in rows["receiver_key"]]
                for method, fn in fns.items():
                    sc = (fn[setting] if isinstance(fn, dict) else fn)(qs, cands)
                    for i, j in enumerate(rel):
                        m = rank_metrics(sc[i], j)
                        records.append(dict(setting=setting, group=group, method=method,
                                            fold=fold, case=case, n_candidates=len(cands), **m))
    return records


def fit_scorers(train: pd.DataFrame, pool_all: list[Candidate], methods: Sequence[str],
                 backend: str, C: float, fold: int, data: str,
                 selected: list[dict[str, Any]],
                 settings: Sequence[str] = SETTINGS) -> dict[str, Scorer]:
    """Fit every method of ``methods`` on ``train`` (a documented internal hook, with
    :func:`score_test`); the learned models' selected features are appended to ``selected``."""
    models: dict[tuple[str, str], ReceiverScorer] = {}
    fns = _make_scorers(train, pool_all, methods, backend, C, models, settings)
    for (name, setting), model in models.items():
        selected.append(dict(data=data, fold=fold, method=name, setting=setting,
                             features=list(getattr(model, "selected_features_", ())),
                             C=getattr(model, "selected_C_", None)))
    return fns


def _cross_validate(df: pd.DataFrame, methods: Sequence[str], settings: Sequence[str],
                    n_folds: int, backend: str, C: float, progress: bool, data: str,
                    selected: list[dict[str, Any]]) -> pd.DataFrame:
    """Grouped k-fold over ``df["case"]``: per-query records of every method."""
    from symbioflows._optional import import_optional

    ms = import_optional("sklearn.model_selection", "learn", purpose="grouped folds")
    pool_all = nace_pool(df)
    cases = df["case"].to_numpy()
    folds = ms.GroupKFold(n_splits=min(n_folds, len(set(cases))))
    records: list[dict[str, Any]] = []
    it = list(folds.split(np.zeros(len(df)), groups=cases))
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(it, desc=f"folds ({data})")
    for fold, (tr, te) in enumerate(it):
        train = df.iloc[tr]
        test = df.iloc[te]
        fns = fit_scorers(train, pool_all, methods, backend, C, fold, data, selected, settings)
        records += score_test(test, fns, pool_all, settings, fold)
    return pd.DataFrame(records)


def _summarise(pq: pd.DataFrame, n_boot: int, gen: np.random.Generator,
               data: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows_out = []
    for keys, sub in pq.groupby(["setting", "group", "method"], sort=False):
        s_, g_, m_ = (str(k) for k in keys)  # type: ignore[union-attr]
        for r in _bootstrap(sub, n_boot, gen):
            rows_out.append(dict(data=data, setting=s_, group=g_, method=m_, **r))
    diffs = paired_differences(pq, DIFFERENCES, n_boot=n_boot, rng=gen)
    if not diffs.empty:
        diffs.insert(0, "data", data)
    return pd.DataFrame(rows_out), diffs


def _combine(maestri: pd.DataFrame, cs: pd.DataFrame) -> pd.DataFrame:
    """MAESTRI plus the case studies as extra cases: a case study of a park that MAESTRI
    already covers joins that MAESTRI case (so no park is split across folds)."""
    extra = cs.copy()
    extra["case"] = [m if isinstance(m, str) and m else c
                     for m, c in zip(extra["maestri_case"], extra["case"])]
    cols = list(maestri.columns)
    out = pd.concat([maestri, extra[cols]], ignore_index=True)
    out.attrs["nace_titles"] = maestri.attrs.get("nace_titles", {})
    return out


def evaluate_matchers(
    *,
    data_dir: str | os.PathLike[str] | None = None,
    methods: Sequence[str] = METHODS,
    settings: Sequence[str] = SETTINGS,
    n_folds: int = 5,
    n_boot: int = 1000,
    embed_backend: str = "auto",
    C: float = 1.0,
    rng: Any = 0,
    progress: bool = False,
    case_studies: str | os.PathLike[str] | bool | None = None,
    views: Sequence[str] = VIEWS,
) -> EvaluationReport:
    """Run the MAESTRI evaluation protocol for the chosen methods.

    Parameters
    ----------
    data_dir : path, optional
        Directory with ``maestri_exchanges.csv`` (and ``nace_rev2.csv`` for NACE titles).
    methods : sequence of str
        Any of :data:`METHODS`.
    settings : sequence of {"case", "all"}
        Candidate pools (see the module docstring).
    n_folds : int
        Grouped folds over cases.
    n_boot : int
        Bootstrap resamples of cases for the intervals.
    embed_backend : {"auto", "sentence", "hashing"}
    C : float
        Regularisation of the learned scorer when its grid search is off (unused by default:
        the scorer chooses ``C`` by grouped cross-validation inside each training fold).
    rng : seed
        Seeds the bootstrap.
    case_studies : path, True or None
        Also evaluate on the public case-study exchanges (:func:`load_case_studies`): a path to
        the CSV, or ``True`` to find ``benchmarks/data/case_studies_exchanges.csv`` in a source
        checkout.  ``None`` (default): MAESTRI only.
    views : sequence of {"maestri", "combined", "out_of_source"}
        With ``case_studies``: which views to report (see the module docstring).  The
        ``maestri`` view is identical to a run without case studies (same seed, same numbers).

    Returns
    -------
    EvaluationReport
        ``summary``: one row per (data view, setting, query group, average, method) with
        recall@1/5/10, MRR and their 95 % intervals; ``differences``: the paired bootstrap of
        :data:`DIFFERENCES` (:func:`paired_differences`), per data view.

    Raises
    ------
    InvalidInputError
        Unknown method, setting or view, or the data directory lacks the file, or a
        case-study row fails validation.
    """
    bad = [m for m in methods if m not in METHODS]
    if bad:
        raise InvalidInputError(f"unknown methods {bad}; choose from {METHODS}")
    bad = [s for s in settings if s not in SETTINGS]
    if bad:
        raise InvalidInputError(f"unknown settings {bad}; choose from {SETTINGS}")
    n_folds = check_positive_int(n_folds, "n_folds", minimum=2)
    n_boot = check_positive_int(n_boot, "n_boot")
    gen = check_rng(rng)
    if case_studies is None or case_studies is False:
        views = ("maestri",)
    else:
        bad = [v for v in views if v not in VIEWS]
        if bad or not views:
            raise InvalidInputError(f"views={list(views)!r}; choose one or more of {VIEWS}")
    df = load_maestri(data_dir).rows
    cs = None
    if case_studies is not None and case_studies is not False:
        cs = load_case_studies(None if case_studies is True else case_studies,  # type: ignore[arg-type]
                               data_dir=data_dir)
    selected: list[dict[str, Any]] = []
    per_query: list[pd.DataFrame] = []
    summaries: list[pd.DataFrame] = []
    diffs: list[pd.DataFrame] = []
    for view in VIEWS:
        if view not in views:
            continue
        if view == "maestri":
            pq = _cross_validate(df, methods, settings, n_folds, embed_backend, C, progress,
                                 view, selected)
        elif view == "combined":
            assert cs is not None
            pq = _cross_validate(_combine(df, cs), methods, settings, n_folds, embed_backend, C,
                                 progress, view, selected)
        else:
            assert cs is not None
            # train on MAESTRI without the cases whose parks reappear in the case studies;
            # rank among every receiver class of the combined database
            overlap = {m for m in cs["maestri_case"] if isinstance(m, str) and m}
            train = df[~df["case"].isin(overlap)].reset_index(drop=True)
            pool_all = nace_pool(_combine(df, cs))
            fns = fit_scorers(train, pool_all, methods, embed_backend, C, 0, view, selected,
                               settings)
            pq = pd.DataFrame(score_test(cs, fns, pool_all, settings, 0))
        pq.insert(0, "data", view)
        summary, d = _summarise(pq, n_boot, gen, view)
        per_query.append(pq)
        summaries.append(summary)
        diffs.append(d)
    summary = pd.concat(summaries, ignore_index=True)
    order = {m: k for k, m in enumerate(METHODS)}
    vorder = {v: k for k, v in enumerate(VIEWS)}
    summary["_o"] = summary["method"].map(order)
    summary["_v"] = summary["data"].map(vorder)
    summary = summary.sort_values(["_v", "setting", "group", "average", "_o"]).drop(
        columns=["_o", "_v"])
    summary = summary.reset_index(drop=True)
    info: dict[str, Any] = dict(n_folds=n_folds, n_boot=n_boot, embed_backend=embed_backend,
                                methods=list(methods), selected=selected, views=list(views))
    if cs is not None:
        info["case_studies"] = dict(
            rows=int(len(cs)), parks=int(cs["case"].nunique()),
            implemented=int((cs["group"] == "implemented").sum()),
            maestri_cases_left_out_of_out_of_source_training=sorted(
                {m for m in cs["maestri_case"] if isinstance(m, str) and m}, key=int))
    return EvaluationReport(pd.concat(per_query, ignore_index=True), summary, info,
                            pd.concat(diffs, ignore_index=True))
