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


def _grid_objective(a, v):
    """The min-cost-flow objective on its integer grid (units x integer costs), exact."""
    unit, vu = a.scaling["quantity_unit_t"], a.scaling["value_unit"]
    use = v > 0
    f = np.rint(a.flows_t[use] / unit).astype(np.int64)
    c = np.rint(v[use] / vu).astype(np.int64)
    return int(np.dot(f, c))


@st.composite
def larger_instances(draw):
    """Random instances big enough that the first restricted network misses needed pairs
    (several pricing rounds), with optional pair capacities, duplicate pairs and ties."""
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    ns, nd = draw(st.integers(1, 25)), draw(st.integers(1, 25))
    m = draw(st.integers(0, 150))
    ps, pd_ = rng.integers(0, ns, m), rng.integers(0, nd, m)
    ties = draw(st.booleans())
    v = (rng.integers(-2, 4, m) if ties else rng.integers(-20, 100, m)).astype(float)
    s = rng.integers(0, 40, ns).astype(float)
    d = rng.integers(0, 40, nd).astype(float)
    pcap = None
    if draw(st.booleans()):
        pcap = np.where(rng.random(m) < 0.3, np.inf, rng.integers(0, 15, m).astype(float))
    return s, d, ps, pd_, v, pcap


@settings(max_examples=150, deadline=None)
@given(larger_instances(), st.integers(1, 3))
def test_priced_solve_equals_full_solve(inst, k):
    """Exact sparsification (price_arcs): the same optimum on the integer grid as the full
    min-cost-flow solve, and the LP optimum (integer data: the grid is exact)."""
    s, d, ps, pd_, v, pcap = inst
    full = allocate(s, d, ps, pd_, v, pair_capacity_t=pcap)
    pr = allocate(s, d, ps, pd_, v, pair_capacity_t=pcap, price_arcs=k)
    assert full.status == pr.status == "optimal"
    _check_capacities(pr, s, d, ps, pd_)
    if pcap is not None:
        assert (pr.flows_t <= pcap + 1e-9).all()
    assert pr.scaling == full.scaling
    assert _grid_objective(pr, v) == _grid_objective(full, v)
    assert abs(pr.objective - full.objective) <= 1e-9 * max(1.0, abs(full.objective))
    if pcap is None:
        ref = _lp_reference(s, d, ps, pd_, v)
        assert abs(pr.objective - ref) <= 1e-6 * max(1.0, abs(ref))
    if (v > 0).any() and s.sum() > 0 and d.sum() > 0:
        assert 1 <= pr.stats["pricing_rounds"]
        assert pr.stats["arcs_kept"] <= pr.stats["arcs_total"] == (v > 0).sum()


@settings(max_examples=100, deadline=None)
@given(instances(integer=False), st.integers(1, 2))
def test_priced_solve_float_instances(inst, k):
    """Float data: the same grid optimum as the full solve, within the rounding loss of the
    LP."""
    s, d, ps, pd_, v = inst
    full = allocate(s, d, ps, pd_, v)
    pr = allocate(s, d, ps, pd_, v, price_arcs=k)
    assert pr.status == "optimal"
    _check_capacities(pr, s, d, ps, pd_)
    if (v > 0).any() and s.sum() > 0 and d.sum() > 0:
        assert _grid_objective(pr, v) == _grid_objective(full, v)
    ref = _lp_reference(s, d, ps, pd_, v)
    tol = pr.scaling["max_rounding_loss"] + 1e-6 * max(1.0, abs(ref))
    assert ref - tol <= pr.objective <= ref + 1e-6 * max(1.0, abs(ref))


def test_priced_solve_degenerate_cases():
    # no feasible pair (no positive value), and no pair at all
    for v in ([-1.0, 0.0], []):
        n = len(v)
        a = allocate([5.0, 5.0], [5.0], [0, 1][:n], [0, 0][:n], v, price_arcs=1)
        assert a.status == "optimal" and a.objective == 0.0 and not a.flows_t.any()
    # every pair of supply 0 needed: it feeds 30 demands, while each demand's best pair
    # comes from an empty supply 1, so the first restricted set holds one of them
    n = 30
    ps = np.repeat([0, 1], n)
    pd_ = np.tile(np.arange(n), 2)
    v = np.concatenate([np.arange(1.0, n + 1), np.full(n, 100.0)])
    a = allocate([float(n), 0.0], np.ones(n), ps, pd_, v, price_arcs=1)
    assert a.status == "optimal" and a.objective == n * (n + 1) / 2
    assert (a.flows_t[:n] == 1).all() and a.stats["pricing_rounds"] > 1
    # ties everywhere: a complete 8 x 8 network with one value, supplies short of demand
    ps, pd_ = np.divmod(np.arange(64), 8)
    a = allocate(np.full(8, 2.0), np.full(8, 3.0), ps, pd_, np.ones(64), price_arcs=1)
    assert a.status == "optimal" and a.objective == 16.0


def test_price_arcs_is_validated():
    import pytest

    from symbioflows.errors import InvalidInputError

    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(InvalidInputError, match="price_arcs"):
            allocate([1.0], [1.0], [0], [0], [1.0], price_arcs=bad)
    with pytest.raises(InvalidInputError, match="price_arcs"):
        allocate([1.0], [1.0], [0], [0], [1.0], method="lp", price_arcs=2)


def _potentials_reference(ps, pd_, costs, caps, f, s_units, d_units):
    """Plain Bellman-Ford over a Python list of residual arcs (the reference)."""
    ns, nd = len(s_units), len(d_units)
    sink = ns + nd
    out, inn = [0] * ns, [0] * nd
    for i, j, x in zip(ps, pd_, f):
        out[i] += int(x)
        inn[j] += int(x)
    arcs = []
    for i, j, c, u, x in zip(ps, pd_, costs, caps, f):
        if x < u:
            arcs.append((int(i), ns + int(j), int(c)))
        if x > 0:
            arcs.append((ns + int(j), int(i), -int(c)))
    for j in range(nd):
        if inn[j] < d_units[j]:
            arcs.append((ns + j, sink, 0))
        if inn[j] > 0:
            arcs.append((sink, ns + j, 0))
    for i in range(ns):
        if out[i] > 0:
            arcs.append((i, sink, 0))
        if out[i] < s_units[i]:
            arcs.append((sink, i, 0))
    dist = [0] * (ns + nd + 1)
    for _ in range(ns + nd + 2):
        changed = False
        for t, h, c in arcs:
            if dist[t] + c < dist[h]:
                dist[h] = dist[t] + c
                changed = True
        if not changed:
            return dist
    return None


@settings(max_examples=150, deadline=None)
@given(larger_instances(), st.booleans())
def test_residual_potentials_match_reference(inst, optimal):
    """The vectorised Bellman-Ford equals the plain one: on an optimal flow the distances and
    non-negative reduced costs on every residual arc; on a flow that is not (every pair
    empty while a positive pair has room) the same verdict, distances or a negative cycle."""
    from ortools.graph.python import min_cost_flow as mcf_mod

    from symbioflows.matching.allocation import _Grid, _residual_potentials, _solve_grid

    s, d, ps, pd_, v, pcap = inst
    use = np.flatnonzero(v > 0)
    su, du = s.astype(np.int64), d.astype(np.int64)
    costs = -v[use].astype(np.int64)
    grid = _Grid(su, du, ps[use], pd_[use], costs, None if pcap is None else pcap[use],
                 float(s.sum()), 1.0)
    caps = grid.caps(np.arange(use.size))
    if optimal:
        f, status = _solve_grid(mcf_mod, grid, np.arange(use.size))
        assert status == "optimal"
    else:
        f = np.zeros(use.size, np.int64)
    got = _residual_potentials(ps[use], pd_[use], costs, caps, f, su, du)
    ref = _potentials_reference(ps[use], pd_[use], costs, caps, f, su, du)
    if ref is None:
        assert got is None and not optimal
        return
    assert got is not None and got.tolist() == ref
    if optimal:
        ns = s.size
        rc = costs + got[ps[use]] - got[ns + pd_[use]]
        assert (rc[f < caps] >= 0).all() and (rc[f > 0] <= 0).all()
