"""Allocation invariants: capacities hold, optimum >= greedy, equals scipy linprog."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from symbioflows.matching import allocate, allocate_greedy


@st.composite
def instances(draw, integer: bool = False):
    ns = draw(st.integers(1, 6))
    nd = draw(st.integers(1, 6))
    n_pairs = draw(st.integers(0, ns * nd))
    pairs = draw(st.lists(st.tuples(st.integers(0, ns - 1), st.integers(0, nd - 1)),
                          min_size=n_pairs, max_size=n_pairs))
    if integer:
        qty = st.integers(0, 50).map(float)
        val = st.integers(-5, 20).map(float)
    else:
        qty = st.floats(0, 100, allow_nan=False)
        val = st.floats(-10, 50, allow_nan=False)
    s = draw(st.lists(qty, min_size=ns, max_size=ns))
    d = draw(st.lists(qty, min_size=nd, max_size=nd))
    v = draw(st.lists(val, min_size=len(pairs), max_size=len(pairs)))
    ps = np.array([p[0] for p in pairs], dtype=np.int64)
    pd_ = np.array([p[1] for p in pairs], dtype=np.int64)
    return np.array(s), np.array(d), ps, pd_, np.array(v)


def _lp_reference(s, d, ps, pd_, v):
    if ps.size == 0:
        return 0.0
    a = np.zeros((s.size + d.size, ps.size))
    a[ps, np.arange(ps.size)] = 1
    a[s.size + pd_, np.arange(ps.size)] = 1
    res = linprog(-v, A_ub=a, b_ub=np.concatenate([s, d]), bounds=(0, None), method="highs")
    assert res.status == 0
    return -res.fun


def _check_capacities(a, s, d, ps, pd_):
    assert (a.flows_t >= -1e-9).all()
    assert (np.bincount(ps, weights=a.flows_t, minlength=s.size) <= s + 1e-6).all()
    assert (np.bincount(pd_, weights=a.flows_t, minlength=d.size) <= d + 1e-6).all()


@settings(max_examples=150)
@given(instances(integer=True))
def test_integer_instances_exact(inst):
    s, d, ps, pd_, v = inst
    ref = _lp_reference(s, d, ps, pd_, v)
    g = allocate_greedy(s, d, ps, pd_, v)
    _check_capacities(g, s, d, ps, pd_)
    for method in ("min_cost_flow", "lp"):
        a = allocate(s, d, ps, pd_, v, method=method)
        assert a.status == "optimal"
        _check_capacities(a, s, d, ps, pd_)
        assert abs(a.objective - ref) <= 1e-6 * max(1.0, abs(ref))
        assert a.objective >= g.objective - 1e-6 * max(1.0, abs(ref))


@settings(max_examples=150)
@given(instances(integer=False))
@example(inst=(np.array([1.0]), np.array([1.0]), np.array([0]), np.array([0]),
               np.array([2.29212966e-184])))
def test_float_instances_close_to_lp(inst):
    s, d, ps, pd_, v = inst
    ref = _lp_reference(s, d, ps, pd_, v)
    g = allocate_greedy(s, d, ps, pd_, v)
    a = allocate(s, d, ps, pd_, v)
    assert a.status == "optimal"
    _check_capacities(a, s, d, ps, pd_)
    tol = a.scaling["max_rounding_loss"] + 1e-6 * max(1.0, abs(ref))
    assert ref - tol <= a.objective <= ref + 1e-6 * max(1.0, abs(ref))
    assert a.objective >= g.objective - tol
    lp = allocate(s, d, ps, pd_, v, method="lp")
    _check_capacities(lp, s, d, ps, pd_)
    assert abs(lp.objective - ref) <= 1e-5 * max(1.0, abs(ref))
    assert lp.objective >= g.objective - 1e-5 * max(1.0, abs(ref))


@settings(max_examples=100)
@given(instances(integer=True), st.integers(1, 4), st.booleans())
def test_network_layout_does_not_change_the_optimum(inst, fanin, locality):
    """The locality order of the nodes and the sink tree (any fan-in, here down to one node
    per local sink) are a renumbering and a zero-cost splitting: same optimum as the LP."""
    import symbioflows.matching.allocation as alloc_mod

    s, d, ps, pd_, v = inst
    ref = _lp_reference(s, d, ps, pd_, v)
    old = alloc_mod._SINK_FANIN, alloc_mod._LOCALITY
    alloc_mod._SINK_FANIN, alloc_mod._LOCALITY = fanin, locality
    try:
        a = allocate(s, d, ps, pd_, v)
    finally:
        alloc_mod._SINK_FANIN, alloc_mod._LOCALITY = old
    assert a.status == "optimal"
    _check_capacities(a, s, d, ps, pd_)
    assert abs(a.objective - ref) <= 1e-6 * max(1.0, abs(ref))


@settings(max_examples=100)
@given(st.integers(1, 40), st.integers(1, 40), st.integers(0, 200), st.integers(1, 30),
       st.integers(0, 2**31 - 1))
def test_component_batches_partition_components(ns, nd, m, min_arcs, seed):
    """Each batch is a union of whole connected components, pair indices ascending, every
    pair in exactly one batch; the O(n) local renumbering equals np.unique."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from symbioflows.matching.allocation import _component_batches, _local_ids

    rng = np.random.default_rng(seed)
    ps = rng.integers(0, ns, m)
    pd_ = rng.integers(0, nd, m)
    batches = _component_batches(ps, pd_, ns, nd, min_arcs=min_arcs)
    allp = np.concatenate(batches) if batches else np.zeros(0, np.int64)
    assert np.array_equal(np.sort(allp), np.arange(m))
    if m:
        g = coo_matrix((np.ones(m), (ps, ns + pd_)), shape=(ns + nd, ns + nd))
        lab = connected_components(g, directed=False)[1][ps]
        for b in batches:
            assert (np.diff(b) > 0).all()
            inside = np.isin(lab, lab[b])
            assert np.array_equal(np.flatnonzero(inside), b)
    for ids, n in ((ps, ns), (pd_, nd)):
        u, inv = _local_ids(ids, n)
        u_ref, inv_ref = np.unique(ids, return_inverse=True)
        assert np.array_equal(u, u_ref) and np.array_equal(inv, inv_ref)
