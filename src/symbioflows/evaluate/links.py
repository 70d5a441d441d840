"""Link prediction evaluated on held-out groups (parks / cases).

Protocol (see ``shared/data/README.md`` and docs/learning.md): folds grouped by case so no
case is in both training and test; each held-out exchange's supply stream is a query; the
candidates are all demand streams (``candidates="all"``) or those of the same case
(``"group"``); other true receivers of the same query are filtered out of the negatives, and
receivers of the supplier's own company are never candidates. Metrics per positive: the
rank of the true receiver, reciprocal rank, hits@k and the per-query AUC (share of negative
candidates scored below it, ties one half); summarised micro (over positives) and macro
(over cases), with bootstrap intervals by case (:func:`~symbioflows.evaluate.summarize_ranks`).

A scorer is any object with ``fit(featurizer, positives)`` and ``score_index(s, r)``: the
baselines of :mod:`symbioflows.learn.baselines` and :class:`symbioflows.learn.GNNScorer`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from symbioflows._config import check_rng
from symbioflows.errors import InvalidInputError
from symbioflows.evaluate.report import EvaluationReport, summarize_ranks
from symbioflows.learn import as_tables
from symbioflows.learn.features import PairFeaturizer

__all__ = ["cross_validate_links", "exchange_truth", "grouped_folds", "rank_positives"]

logger = logging.getLogger(__name__)


def grouped_folds(groups: Any, n_folds: int = 5, *, rng: Any = 0) -> list[np.ndarray]:
    """Assign whole groups to ``n_folds`` folds, balancing the number of rows (greedy, seeded).

    Returns the test mask of each fold.

    Examples
    --------
    >>> masks = grouped_folds(["a", "a", "b", "c", "c", "c"], 2, rng=0)
    >>> [m.astype(int).tolist() for m in masks]
    [[0, 0, 0, 1, 1, 1], [1, 1, 1, 0, 0, 0]]
    """
    g = np.asarray(groups)
    labels, counts = np.unique(g, return_counts=True)
    if n_folds < 2 or n_folds > labels.size:
        raise InvalidInputError(f"n_folds must be in [2, {labels.size}] (number of groups); got {n_folds}")
    gen = check_rng(rng)
    order = np.lexsort((gen.random(labels.size), -counts))
    load = np.zeros(n_folds)
    fold_of = {}
    for i in order:
        f = int(np.argmin(load))
        fold_of[labels[i]] = f
        load[f] += counts[i]
    fold = np.array([fold_of[x] for x in g.tolist()])
    return [fold == f for f in range(n_folds)]


def exchange_truth(feat: Any, exchanges: pd.DataFrame) -> tuple[np.ndarray, np.ndarray,
                                                                  dict[int, set[int]]]:
    """The featurizer's stream indices of each exchange's supplier and receiver, and the true
    receivers of each supplier stream (``{supplier index: {receiver indices}}``)."""
    s_all = feat.index(exchanges["supplier_stream_id"].tolist())
    r_all = feat.index(exchanges["receiver_stream_id"].tolist())
    truth: dict[int, set[int]] = {}
    for s, r in zip(s_all.tolist(), r_all.tolist()):
        truth.setdefault(s, set()).add(r)
    return s_all, r_all, truth


def rank_positives(
    score_index: Callable[[np.ndarray, np.ndarray], np.ndarray],
    positives: np.ndarray,
    candidates_for: Callable[[int], np.ndarray],
    true_receivers: dict[int, set[int]],
) -> pd.DataFrame:
    """Rank each positive (s, r) among ``candidates_for(s)`` minus the other true receivers."""
    rows = []
    for s in np.unique(positives[0]).tolist():
        cand = candidates_for(s)
        truth = true_receivers.get(s, set())
        pos_r = sorted({int(r) for r in positives[1][positives[0] == s].tolist()})
        negs = np.array([c for c in cand.tolist() if c not in truth], dtype=np.int64)
        allr = np.r_[np.array(pos_r, dtype=np.int64), negs]
        sc = score_index(np.full(allr.size, s, dtype=np.int64), allr)
        sn = sc[len(pos_r):]
        for j, r in enumerate(pos_r):
            sp = sc[j]
            higher = float((sn > sp).sum())
            ties = float((sn == sp).sum())
            rank = 1.0 + higher + ties / 2.0
            auc = 1.0 - (higher + ties / 2.0) / negs.size if negs.size else float("nan")
            rows.append((s, r, rank, negs.size + 1, auc))
    return pd.DataFrame(rows, columns=["s", "r", "rank", "n_candidates", "auc"])


def cross_validate_links(
    dataset: Any,
    exchanges: Any,
    groups: Any,
    models: dict[str, Callable[[], Any]],
    *,
    n_folds: int = 5,
    candidates: str = "all",
    test_mask: Any = None,
    featurizer: PairFeaturizer | None = None,
    rng: Any = 0,
    progress: bool = False,
) -> EvaluationReport:
    """Grouped cross-validation of link scorers.

    Parameters
    ----------
    dataset : Dataset or dict of tables (companies, streams)
    exchanges : table of exchanges (``supplier_stream_id``, ``receiver_stream_id``)
    groups : array-like, one label per exchange (the park / case)
    models : dict name -> zero-argument factory returning a scorer with
        ``fit(featurizer, positives)`` and ``score_index(s, r)``
    candidates : {"all", "group"}
        Rank among all demand streams, or those of companies in the query's group.
    test_mask : array of bool, optional
        Which exchanges may be queries (e.g. only implemented ones); all by default. Every
        exchange of the training folds is used for training regardless.
    featurizer : PairFeaturizer, optional
        Fitted featurizer (saves re-encoding texts); built with hashing embeddings otherwise.

    Returns
    -------
    EvaluationReport
        ``per_query``: one row per (model, fold, held-out positive) with ``rank``,
        ``n_candidates``, ``auc`` and ``group``; ``summary``: one row per model
        (:func:`~symbioflows.evaluate.summarize_ranks`); ``settings["fit_seconds"]``.

    Raises
    ------
    InvalidInputError
        Unknown ``candidates``, or ``groups`` not one label per exchange.
    """
    if candidates not in ("all", "group"):
        raise InvalidInputError(f"candidates must be 'all' or 'group'; got {candidates!r}")
    tables = as_tables(dataset, exchanges)
    ex = tables.exchanges.reset_index(drop=True)
    g = np.asarray(groups)
    if g.shape[0] != len(ex):
        raise InvalidInputError(f"groups has {g.shape[0]} labels for {len(ex)} exchanges")
    qmask = np.ones(len(ex), dtype=bool) if test_mask is None else np.asarray(test_mask, dtype=bool)
    feat = featurizer if featurizer is not None else PairFeaturizer(text_encoder="hashing").fit(tables)
    s_all, r_all, truth = exchange_truth(feat, ex)
    receivers = np.flatnonzero(~feat.is_supply_)
    company = feat.company_
    # group of each stream's company: the group of any exchange it takes part in
    stream_group: dict[int, Any] = {}
    for s, r, gg in zip(s_all.tolist(), r_all.tolist(), g.tolist()):
        stream_group.setdefault(s, gg)
        stream_group.setdefault(r, gg)
    recv_group = np.array([stream_group.get(int(i)) for i in receivers], dtype=object)

    def candidates_for(s: int) -> np.ndarray:
        c = receivers[company[receivers] != company[s]]
        if candidates == "group":
            gs = stream_group.get(s)
            c = receivers[(recv_group == gs) & (company[receivers] != company[s])]
        return c

    folds = grouped_folds(g, n_folds, rng=rng)
    rows = []
    fit_seconds: dict[str, float] = {}
    for f, test in enumerate(folds):
        train_pos = np.unique(np.vstack([s_all[~test], r_all[~test]]), axis=1)
        tq = test & qmask
        test_pos = np.vstack([s_all[tq], r_all[tq]])
        if test_pos.shape[1] == 0:
            continue
        qgroup = {s: gg for s, gg in zip(s_all[tq].tolist(), g[tq].tolist())}
        for name, factory in models.items():
            t0 = time.perf_counter()
            model = factory()
            model.fit(feat, train_pos)
            fit_seconds[name] = fit_seconds.get(name, 0.0) + time.perf_counter() - t0
            rk = rank_positives(model.score_index, test_pos, candidates_for, truth)
            rk["group"] = [qgroup[s] for s in rk["s"].tolist()]
            rk["model"] = name
            rk["fold"] = f
            rows.append(rk)
            logger.info("fold %d %s: hits@10 %.3f", f, name, float((rk["rank"] <= 10).mean()))
    ranks = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    summary = pd.DataFrame(
        [{"model": m, **summarize_ranks(d, rng=rng)} for m, d in ranks.groupby("model", sort=False)]
    ) if len(ranks) else pd.DataFrame()
    settings = {"task": "links", "candidates": candidates, "n_folds": n_folds,
                "fit_seconds": fit_seconds}
    return EvaluationReport(per_query=ranks, summary=summary, settings=settings)
