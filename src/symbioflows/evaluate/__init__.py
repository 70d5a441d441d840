"""One evaluation package: matchers and learners measured on real documented exchanges.

- :mod:`~symbioflows.evaluate.maestri`: the one MAESTRI loader (:func:`load_maestri`, giving
  evaluation rows *and* a dataset, :class:`MaestriData`) and the public case studies
  (:func:`load_case_studies`);
- :mod:`~symbioflows.evaluate.receivers`: receiver ranking (:func:`evaluate_matchers`, the
  protocol of ``shared/data/README.md``; the ``symbioflows evaluate`` command);
- :mod:`~symbioflows.evaluate.links`: link prediction on held-out parks
  (:func:`cross_validate_links`, :func:`grouped_folds`);
- :mod:`~symbioflows.evaluate.report`: the one :class:`EvaluationReport` both return, and the
  shared metrics (:func:`rank_metrics`, :func:`summarize_ranks`, :func:`paired_differences`).

The MAESTRI rows and the case-study rows are read at run time and never ship in the package.
"""

from __future__ import annotations

from symbioflows.evaluate._cli import add_arguments, main, run_from_args
from symbioflows.evaluate.links import (
    cross_validate_links,
    exchange_truth,
    grouped_folds,
    rank_positives,
)
from symbioflows.evaluate.maestri import (
    CASE_STUDIES_FILE,
    UNDISCLOSED,
    MaestriData,
    find_case_studies,
    find_data_dir,
    load_case_studies,
    load_maestri,
    nace_pool,
)
from symbioflows.evaluate.receivers import (
    METHODS,
    SETTINGS,
    TRAIN_POOLS,
    VIEWS,
    evaluate_matchers,
    fit_learned,
)
from symbioflows.evaluate.report import (
    DIFFERENCES,
    KS,
    EvaluationReport,
    paired_differences,
    rank_metrics,
    summarize_ranks,
)

__all__ = [
    "CASE_STUDIES_FILE",
    "DIFFERENCES",
    "KS",
    "METHODS",
    "SETTINGS",
    "TRAIN_POOLS",
    "UNDISCLOSED",
    "VIEWS",
    "EvaluationReport",
    "MaestriData",
    "add_arguments",
    "cross_validate_links",
    "exchange_truth",
    "evaluate_matchers",
    "find_case_studies",
    "find_data_dir",
    "fit_learned",
    "grouped_folds",
    "load_case_studies",
    "load_maestri",
    "main",
    "nace_pool",
    "paired_differences",
    "rank_metrics",
    "rank_positives",
    "run_from_args",
    "summarize_ranks",
]
