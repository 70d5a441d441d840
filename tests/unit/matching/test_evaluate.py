from __future__ import annotations

import argparse

import numpy as np
import pytest

from sf_test_helpers import needs_maestri as needs_data
from symbioflows.errors import InvalidInputError
from symbioflows.evaluate import evaluate_matchers, rank_metrics


def test_rank_metrics_ties_are_expected_random():
    m = rank_metrics(np.zeros(10), 3)
    assert m["r@1"] == pytest.approx(0.1)
    assert m["r@5"] == pytest.approx(0.5)
    assert m["r@10"] == pytest.approx(1.0)
    m = rank_metrics(np.array([3.0, 2.0, 2.0, 1.0]), 2)
    assert m["r@1"] == 0.0 and m["r@5"] == 1.0
    assert m["rr"] == pytest.approx((1 / 2 + 1 / 3) / 2)


def test_bad_arguments():
    with pytest.raises(InvalidInputError):
        evaluate_matchers(methods=["oracle"])
    with pytest.raises(InvalidInputError):
        evaluate_matchers(settings=["park"])


@needs_data
def test_protocol_runs_and_learned_beats_random():
    rep = evaluate_matchers(methods=["random", "popularity", "exact_code", "learned"],
                            settings=["all"], n_folds=3, n_boot=50, embed_backend="hashing")
    s = rep.summary
    assert set(s["method"]) == {"random", "popularity", "exact_code", "learned"}
    assert set(s["group"]) == {"implemented", "planned"}
    # folds are grouped: every case appears in exactly one fold
    pq = rep.per_query
    assert (pq.groupby("case")["fold"].nunique() == 1).all()
    micro = s[(s["average"] == "micro") & (s["group"] == "implemented")].set_index("method")
    assert micro.loc["learned", "mrr"] > micro.loc["random", "mrr"] + 0.05
    # the random baseline is exactly 1/n_candidates at k=1
    n = pq["n_candidates"].iloc[0]
    assert micro.loc["random", "r@1"] == pytest.approx(1 / n)
    assert "learned" in rep.format_table()
    assert (s["mrr_lo"] <= s["mrr"] + 1e-12).all() and (s["mrr"] <= s["mrr_hi"] + 1e-12).all()


@needs_data
def test_cli_register():
    from symbioflows.matching import _cli

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    _cli.register(sub)
    args = parser.parse_args(["evaluate", "--methods", "random", "--settings", "case",
                              "--folds", "2", "--boot", "10", "--backend", "hashing", "--quiet"])
    assert args.func(args) == 0
