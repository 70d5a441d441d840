"""Distance ties at the cut (issue 18 item 2, kernel side): 1,000 supplies and 1,000 demands
at one point, 50 candidates per supply.  Ties broken by row order gave every supply the same
demands 0-49 and the allocation moved 5,100 of 100,000 t; a tie key of (supply, demand)
spreads the supplies over the tied demands, so all 1,000 exchanges are possible."""

from __future__ import annotations

import numpy as np
import pytest

from symbioflows.matching import _reference as ref
from symbioflows.matching import allocate
from symbioflows.matching.candidates import candidate_tie_key, find_candidates

N, K = 1000, 50


def _colocated(method, **kw):
    z = np.zeros(N)
    return find_candidates(z + 55.0, z + 12.0, np.zeros(N, np.int64), np.arange(N), z + 10.0,
                           z + 55.0, z + 12.0, np.zeros(N, np.int64), np.arange(N) + N,
                           [[1.0]], max_per_supply=K, method=method, **kw)


@pytest.mark.parametrize("method", ["kdtree", "grid", "all_pairs"])
def test_colocated_supplies_spread_over_tied_demands(method):
    c = _colocated(method)
    assert len(c) == N * K and c.n_truncated == N  # every supply was cut, and says so
    per_demand = np.bincount(c.demand, minlength=N)
    assert per_demand.min() >= 20, per_demand.min()  # row order gave 1,000 to 50, 0 to 950
    a = allocate(np.full(N, 100.0), np.full(N, 100.0), c.supply, c.demand, np.ones(len(c)))
    assert a.status == "optimal"
    assert a.flows_t.sum() == pytest.approx(100.0 * N)
    assert np.count_nonzero(a.flows_t > 1e-9) == N


def test_three_methods_and_reference_keep_the_same_tied_candidates():
    got = [_colocated(m) for m in ("kdtree", "grid", "all_pairs")]
    for c in got[1:]:
        np.testing.assert_array_equal(c.supply, got[0].supply)
        np.testing.assert_array_equal(c.demand, got[0].demand)
    # the kept demands of supply 7: the 50 smallest tie keys (all distances are 0)
    keys = candidate_tie_key(np.full(N, 7), np.arange(N))
    want = np.sort(np.argsort(keys, kind="stable")[:K])
    np.testing.assert_array_equal(got[0].demand[got[0].supply == 7], want)
    z = [0.0] * 30
    r = ref.candidates([55.0] * 30, [12.0] * 30, [0] * 30, list(range(30)), [10.0] * 30,
                       [55.0] * 30, [12.0] * 30, [0] * 30, list(range(30, 60)), [[1.0]],
                       max_per_supply=4)
    c = find_candidates(np.array(z) + 55, np.array(z) + 12, np.zeros(30, np.int64), np.arange(30),
                        np.full(30, 10.0), np.array(z) + 55, np.array(z) + 12,
                        np.zeros(30, np.int64), np.arange(30, 60), [[1.0]], max_per_supply=4)
    assert [(i, j) for i, j, _, _ in r] == list(zip(c.supply.tolist(), c.demand.tolist()))


def test_tie_ids_make_a_subset_keep_what_the_whole_keeps():
    full = _colocated("kdtree")
    sub = np.arange(100, 200)
    z = np.zeros(sub.size)
    part = find_candidates(z + 55.0, z + 12.0, np.zeros(sub.size, np.int64), sub, z + 10.0,
                           np.zeros(N) + 55.0, np.zeros(N) + 12.0, np.zeros(N, np.int64),
                           np.arange(N) + N, [[1.0]], max_per_supply=K, supply_ids=sub)
    mask = (full.supply >= 100) & (full.supply < 200)
    np.testing.assert_array_equal(sub[part.supply], full.supply[mask])
    np.testing.assert_array_equal(part.demand, full.demand[mask])
