"""Deprecated: link-prediction evaluation moved to :mod:`symbioflows.evaluate` (one evaluation
package, one report class); :class:`GNNScorer` moved to :mod:`symbioflows.learn.baselines`."""

from __future__ import annotations

from symbioflows._deprecation import moved_names

__getattr__ = moved_names(__name__, {
    "EvaluationReport": "symbioflows.evaluate:EvaluationReport",
    "GNNScorer": "symbioflows.learn.baselines:GNNScorer",
    "cross_validate_links": "symbioflows.evaluate:cross_validate_links",
    "grouped_folds": "symbioflows.evaluate:grouped_folds",
    "rank_positives": "symbioflows.evaluate:rank_positives",
    "summarize_ranks": "symbioflows.evaluate:summarize_ranks",
})
