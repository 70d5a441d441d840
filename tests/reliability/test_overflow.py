"""Quantities and scores whose arithmetic overflows (issue 18 item 6, native side).

* ``cost_pairs`` with quantity 1e308: the cost overflowed to inf in every mode, so the pair
  came back as "no mode" (mode -1, infinite route) although a truck reaches it.  Now an
  InvalidInputError names the column and the row.
* Chain sum-scores: finite per-edge values near the largest double summed to +-inf and ranked
  first or last silently.  Now values whose sum over ``max_length`` edges could overflow are
  refused, naming the edge.
"""

from __future__ import annotations

import numpy as np
import pytest

from symbioflows.chains import SymbiosisGraph, find_cycles, find_paths
from symbioflows.errors import InvalidInputError
from symbioflows.logistics import cost_pairs
from symbioflows.logistics._reference import cost_pairs_reference


@pytest.mark.parametrize("q", [1e308, 1.7e308, 1e307])
def test_cost_pairs_overflowing_quantity_names_the_row(q):
    with pytest.raises(InvalidInputError, match=r"quantity row 1 = .*overflows"):
        cost_pairs([50.0], [5.0], [50.5], [5.5], [0, 0], [0, 0], [10.0, q])


def test_cost_pairs_large_finite_quantity_still_priced():
    r = cost_pairs([50.0], [5.0], [50.5], [5.5], [0], [0], [1e200])
    assert r.mode[0] >= 0 and np.isfinite(r.cost_usd[0]) and np.isfinite(r.route_km[0])


def test_cost_pairs_unreachable_pair_is_still_a_status():
    # beyond every mode's range: "no mode" (mode -1, inf), not an error, whatever the quantity
    r = cost_pairs([50.0], [5.0], [52.0], [5.0], [0], [0], [1e308], medium="steam")
    assert r.mode[0] == -1 and np.isinf(r.cost_usd[0])


def test_reference_agrees_on_overflow():
    modes = [dict(fixed=100.0, per_tkm=0.06, payload=26.0, co2e=0.078, max_km=1e9, detour=0.0,
                  mask=1)]
    with pytest.raises(InvalidInputError, match="quantity row 0"):
        cost_pairs_reference([50.0], [5.0], [1.3], [50.5], [5.5], [1.3], [0], [0], [1e308], [0],
                             modes, 0.0)


def _triangle(values):
    return SymbiosisGraph(["A", "B", "C"], {"supplier": ["A", "B", "C"],
                                            "receiver": ["B", "C", "A"], "score": [0.9] * 3,
                                            "value_usd": values})


@pytest.mark.parametrize("values", [[1e308, 1e308, 1e308], [-1e308, -1e308, 1.0],
                                    [6e307, 1.0, 1.0]])
def test_chain_sum_that_could_overflow_is_refused(values):
    g = _triangle(values)
    with pytest.raises(InvalidInputError, match=r"score values\[\d\] = .*sum past the largest"):
        find_cycles(g, score="value_usd", max_length=3)
    with pytest.raises(InvalidInputError, match=r"score values\[\d\] = "):
        find_paths(g, ["A"], score="value_usd", max_hops=3)


def test_chain_sum_large_but_safe_values_are_summed():
    g = _triangle([1e300, 2e300, 3e300])
    res = find_cycles(g, score="value_usd", max_length=3)
    assert len(res) == 1 and res.scores[0] == pytest.approx(6e300)
    assert np.isfinite(res.scores).all()
