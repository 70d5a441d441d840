from __future__ import annotations

import numpy as np
import pytest

from symbioflows.errors import InvalidInputError, UnknownNodeError
from symbioflows.matching import allocate, allocate_greedy


def test_simple_optimum_beats_greedy():
    # Greedy takes the 5/t pair first and starves demand 1; the optimum routes around it.
    s = [10.0, 10.0]
    d = [10.0, 10.0]
    ps = [0, 0, 1]
    pdm = [0, 1, 0]
    v = [5.0, 4.0, 4.5]
    g = allocate_greedy(s, d, ps, pdm, v)
    assert g.objective == pytest.approx(50.0)
    for m in ("min_cost_flow", "lp"):
        a = allocate(s, d, ps, pdm, v, method=m)
        assert a.optimal and a.status == "optimal"
        assert a.objective == pytest.approx(85.0)
        np.testing.assert_allclose(a.flows_t, [0.0, 10.0, 10.0], atol=1e-6)


def test_negative_values_never_used_and_empty():
    a = allocate([5.0], [5.0], [0], [0], [-1.0])
    assert a.status == "optimal" and a.objective == 0.0 and a.flows_t.tolist() == [0.0]
    a = allocate([], [], np.array([], dtype=np.int64), np.array([], dtype=np.int64), [])
    assert a.status == "optimal" and a.flows_t.size == 0


def test_pair_capacity_respected():
    a = allocate([10.0], [10.0], [0], [0], [1.0], pair_capacity_t=[3.0])
    assert a.flows_t[0] == pytest.approx(3.0)
    a = allocate([10.0], [10.0], [0], [0], [1.0], pair_capacity_t=[3.0], method="lp")
    assert a.flows_t[0] == pytest.approx(3.0)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(supply_capacity_t=[np.nan]),
        dict(supply_capacity_t=[-1.0]),
        dict(value_per_t=[np.inf]),
        dict(method="simplex"),
    ],
)
def test_bad_input(kwargs):
    base = dict(supply_capacity_t=[1.0], demand_capacity_t=[1.0], pair_supply=[0],
                pair_demand=[0], value_per_t=[1.0])
    base.update(kwargs)
    with pytest.raises(InvalidInputError):
        allocate(**base)


def test_unknown_ids_and_float_ids():
    with pytest.raises(UnknownNodeError):
        allocate([1.0], [1.0], [1], [0], [1.0])
    with pytest.raises(TypeError):
        allocate([1.0], [1.0], [0.0], [0], [1.0])


def test_time_limit_never_optimal():
    # A time limit of 1 ms on a non-trivial LP: either it solved in time (optimal) or it
    # reports the limit and no flows; it must never claim optimal without a proof.
    rng = np.random.default_rng(0)
    n = 300
    a = allocate(rng.uniform(1, 10, n), rng.uniform(1, 10, n), rng.integers(0, n, 3000),
                 rng.integers(0, n, 3000), rng.uniform(0, 1, 3000), method="lp",
                 time_limit_s=0.001)
    if a.status != "optimal":
        assert not a.optimal and np.isnan(a.objective) and not a.flows_t.any()
    with pytest.raises(InvalidInputError):
        allocate([1.0], [1.0], [0], [0], [1.0], method="lp", time_limit_s=0)


def test_without_ortools_falls_back_to_highs(monkeypatch):
    from scipy.optimize import linprog

    import symbioflows._optional as opt

    real = opt.has_module
    monkeypatch.setattr(opt, "has_module", lambda m: False if m == "ortools" else real(m))
    rng = np.random.default_rng(1)
    s, d = rng.uniform(1, 10, 5), rng.uniform(1, 10, 4)
    ps, pdm = rng.integers(0, 5, 12), rng.integers(0, 4, 12)
    v = rng.uniform(-1, 5, 12)
    a = allocate(s, d, ps, pdm, v)
    assert a.status == "optimal" and a.method == "lp_highs"
    amat = np.zeros((9, 12))
    amat[ps, np.arange(12)] = 1
    amat[5 + pdm, np.arange(12)] = 1
    ref = linprog(-v, A_ub=amat, b_ub=np.r_[s, d], bounds=(0, None), method="highs")
    assert a.objective == pytest.approx(-ref.fun, rel=1e-7)
