"""One evaluation package: moved names keep a deprecation alias; one report class."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("old", "name", "new"), [
    ("symbioflows.learn.evaluate", "cross_validate_links", "symbioflows.evaluate"),
    ("symbioflows.learn.evaluate", "grouped_folds", "symbioflows.evaluate"),
    ("symbioflows.learn.evaluate", "rank_positives", "symbioflows.evaluate"),
    ("symbioflows.learn.evaluate", "summarize_ranks", "symbioflows.evaluate"),
    ("symbioflows.learn.evaluate", "EvaluationReport", "symbioflows.evaluate"),
    ("symbioflows.learn.evaluate", "GNNScorer", "symbioflows.learn"),
    ("symbioflows.learn.maestri", "load_maestri", "symbioflows.evaluate"),
    ("symbioflows.learn.maestri", "MaestriData", "symbioflows.evaluate"),
])
def test_moved_names_warn_and_resolve(old, name, new):
    import importlib

    mod = importlib.import_module(old)
    with pytest.warns(DeprecationWarning, match=f"{new}"):
        obj = getattr(mod, name)
    assert obj is getattr(importlib.import_module(new), name)
    with pytest.raises(AttributeError):
        mod.no_such_name  # noqa: B018


def test_learning_graph_has_its_own_name():
    import symbioflows.learn as learn
    from symbioflows.chains import SymbiosisGraph
    from symbioflows.learn import ExchangeGraph

    assert ExchangeGraph is not SymbiosisGraph
    with pytest.warns(DeprecationWarning, match="ExchangeGraph"):
        assert learn.SymbiosisGraph is ExchangeGraph
    from symbioflows.learn import graph

    with pytest.warns(DeprecationWarning):
        assert graph.SymbiosisGraph is ExchangeGraph


def test_one_report_class():
    import pandas as pd

    from symbioflows.evaluate import EvaluationReport, cross_validate_links, evaluate_matchers
    from symbioflows.evaluate.links import EvaluationReport as links_report
    from symbioflows.evaluate.receivers import EvaluationReport as receivers_report

    assert links_report is receivers_report is EvaluationReport
    assert cross_validate_links.__annotations__["return"] in ("EvaluationReport", EvaluationReport)
    assert evaluate_matchers.__annotations__["return"] in ("EvaluationReport", EvaluationReport)
    rep = EvaluationReport(pd.DataFrame({"rank": [1.0]}), pd.DataFrame({"model": ["m"]}),
                           {"fit_seconds": {"m": 1.5}})
    assert rep.fit_seconds == {"m": 1.5}
    with pytest.warns(DeprecationWarning, match="per_query"):
        assert rep.ranks is rep.per_query
