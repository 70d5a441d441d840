"""Native cycle and path search against networkx and the pure-Python reference."""

from __future__ import annotations

from collections import Counter

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbioflows import _core
from symbioflows.chains import _reference as ref

KINDS = {"product": 0, "bottleneck": 1, "sum": 2}


@st.composite
def multigraphs(draw, max_nodes=8, max_edges=24):
    """Random directed multigraphs: empty, self-loops, parallel edges, disconnected, dense."""
    n = draw(st.integers(0, max_nodes))
    if n == 0:
        return 0, [], [], [], []
    if draw(st.booleans()) and n <= 5:  # dense small graph: every ordered pair, maybe twice
        pairs = [(u, v) for u in range(n) for v in range(n) if u != v]
        pairs += draw(st.lists(st.sampled_from(pairs), max_size=4)) if pairs else []
        src = [u for u, _ in pairs]
        dst = [v for _, v in pairs]
    else:
        m = draw(st.integers(0, max_edges))
        src = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
        dst = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    m = len(src)
    # a few distinct values so that ties are frequent
    scores = draw(st.lists(st.sampled_from([0.25, 0.5, 0.75, 1.0, 0.3]), min_size=m, max_size=m))
    tonnes = draw(st.lists(st.integers(0, 5), min_size=m, max_size=m))
    return n, src, dst, scores, tonnes


def run_cycles(case, **kw):
    n, src, dst, scores, tonnes = case
    g = _core.CsrGraph(n, np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64))
    return _core.find_cycles(g, np.array(scores, dtype=float), np.array(tonnes, dtype=float), **kw)


def chains_of(raw):
    off, e = raw["offsets"], raw["edges"]
    return [tuple(int(x) for x in e[off[i] : off[i + 1]]) for i in range(len(off) - 1)]


def nx_cycles(n, src, dst, min_length, max_length):
    """Node sequences (canonical rotation) with multiplicity = product of parallel edges."""
    G = nx.DiGraph()
    G.add_nodes_from(range(n))
    mult = Counter(zip(src, dst))
    G.add_edges_from(mult)
    out = Counter()
    for c in nx.simple_cycles(G, length_bound=max_length):
        if len(c) < min_length:
            continue
        k = c.index(min(c))
        c = c[k:] + c[:k]
        w = 1
        for i in range(len(c)):
            w *= mult[(c[i], c[(i + 1) % len(c)])]
        out[tuple(c)] += w
    return out


@given(multigraphs(), st.integers(2, 5), st.integers(0, 3), st.sampled_from([1, 2, 4]))
@settings(max_examples=300)
def test_cycles_equal_networkx_and_reference(case, max_length, extra_min, n_jobs):
    n, src, dst, _, tonnes = case
    min_length = min(2 + extra_min, max_length)
    raw = run_cycles(case, min_length=min_length, max_length=max_length, n_threads=n_jobs)
    got = chains_of(raw)
    assert not raw["truncated"]
    # same cycles as networkx (node sequences with parallel-edge multiplicity)
    nodes = Counter(tuple(src[e] for e in c) for c in got)
    assert nodes == nx_cycles(n, src, dst, min_length, max_length)
    # same edge sequences, same canonical order as the brute-force reference
    assert got == ref.simple_cycles(n, src, dst, min_length, max_length)
    # flows are the bottleneck tonnes
    assert raw["flow"].tolist() == [min(tonnes[e] for e in c) for c in got]


@given(multigraphs(), st.integers(2, 5), st.sampled_from(list(KINDS)), st.integers(1, 8),
       st.sampled_from([None, 0.2, 0.5, 1.5]))
@settings(max_examples=250)
def test_topk_cycles_equal_best_of_full_enumeration(case, max_length, kind, k, min_score):
    n, src, dst, scores, tonnes = case
    values = scores if kind != "sum" else [float(t) - 1.5 for t in tonnes]  # negatives too
    case2 = (n, src, dst, values, tonnes)
    full = ref.simple_cycles(n, src, dst, 2, max_length)
    if min_score is not None:
        full = [c for c in full if ref.chain_score(c, kind, values) >= min_score]
    want = ref.ranked(full, kind, values)[:k]
    outs = []
    for n_jobs in (1, 2, 4):
        raw = run_cycles(case2, max_length=max_length, top_k=k, score=KINDS[kind],
                         min_score=min_score, n_threads=n_jobs)
        assert chains_of(raw) == want
        assert raw["scores"].tolist() == [ref.chain_score(c, kind, values) for c in want]
        outs.append(raw["scores"].tolist())
    # min_score alone filters the full enumeration
    raw = run_cycles(case2, max_length=max_length, score=KINDS[kind], min_score=min_score)
    assert chains_of(raw) == full


@given(multigraphs(), st.integers(2, 5), st.integers(0, 12), st.integers(1, 200))
@settings(max_examples=200)
def test_truncation_is_a_serial_prefix_for_any_n_jobs(case, max_length, max_results, max_exp):
    full = chains_of(run_cycles(case, max_length=max_length))
    outs = [run_cycles(case, max_length=max_length, max_results=max_results, n_threads=j)
            for j in (1, 2, 4)]
    for raw in outs:
        assert chains_of(raw) == full[:max_results]
        assert raw["truncated"] == (len(full) > max_results)
        assert raw["reason"] == ("max_results" if len(full) > max_results else "")
    outs = [run_cycles(case, max_length=max_length, max_expansions=max_exp, n_threads=j)
            for j in (1, 2, 4)]
    first = chains_of(outs[0])
    assert first == full[: len(first)]
    for raw in outs[1:]:
        assert chains_of(raw) == first
        assert (raw["truncated"], raw["reason"]) == (outs[0]["truncated"], outs[0]["reason"])
        assert raw["n_expansions"] >= min(max_exp, outs[0]["n_expansions"])
    if not outs[0]["truncated"]:
        assert first == full


@st.composite
def path_queries(draw):
    case = draw(multigraphs(max_nodes=7, max_edges=18))
    n = case[0]
    if n == 0:
        return case, [], None
    sources = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4))
    targets = draw(st.one_of(st.none(), st.lists(st.integers(0, n - 1), min_size=1, max_size=3)))
    return case, sources, targets


@given(path_queries(), st.integers(1, 4), st.sampled_from(list(KINDS)),
       st.one_of(st.none(), st.integers(1, 6)), st.sampled_from([1, 2, 4]))
@settings(max_examples=250)
def test_paths_equal_reference(query, max_hops, kind, top_k, n_jobs):
    (n, src, dst, scores, tonnes), sources, targets = query
    if n == 0:
        return
    values = scores if kind != "sum" else [float(t) for t in tonnes]
    g = _core.CsrGraph(n, np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64))
    raw = _core.find_paths(
        g, np.array(values, dtype=float), np.array(tonnes, dtype=float),
        np.array(sources, dtype=np.int64),
        targets=None if targets is None else np.array(targets, dtype=np.int64),
        max_hops=max_hops, top_k=top_k or 0, score=KINDS[kind], n_threads=n_jobs,
    )
    want, groups = [], []
    for i, s in enumerate(sources):
        paths = ref.ranked(ref.simple_paths(n, src, dst, s, max_hops, targets), kind, values)
        if top_k:
            paths = paths[:top_k]
        want += paths
        groups += [i] * len(paths)
    assert chains_of(raw) == want
    assert raw["group"].tolist() == groups
    assert raw["flow"].tolist() == [min(tonnes[e] for e in c) for c in want]


@pytest.mark.parametrize("edge_order", ["csr", "shuffled"])
@pytest.mark.parametrize("kind", ["product", "sum"])
def test_many_paths_per_source_sorted_like_reference(edge_order, kind):
    """Thousands of paths per source (the merge's radix sort by score, not the small-input
    sort), with heavy ties: edge ids in CSR order (the depth-first order is already the final
    order within a tie) and shuffled (each tie group must be sorted by edge sequence)."""
    rng = np.random.default_rng(3)
    n = 10
    pairs = [(u, v) for u in range(n) for v in range(n) if u != v and rng.random() < 0.6]
    if edge_order == "shuffled":
        pairs = [pairs[k] for k in rng.permutation(len(pairs))]
    src = [u for u, _ in pairs]
    dst = [v for _, v in pairs]
    scores = rng.choice([0.5, 0.75, 1.0], len(pairs)).tolist()
    tonnes = rng.integers(0, 5, len(pairs)).astype(float).tolist()
    values = scores if kind == "product" else [t - 2.0 for t in tonnes]
    g = _core.CsrGraph(n, np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64))
    sources = [0, 4]
    raw = _core.find_paths(g, np.array(values), np.array(tonnes), np.array(sources),
                           max_hops=6, top_k=0, score=KINDS[kind], n_threads=2)
    per_source = [ref.ranked(ref.simple_paths(n, src, dst, s, 6), kind, values) for s in sources]
    assert min(len(p) for p in per_source) > 2048
    want = per_source[0] + per_source[1]
    assert chains_of(raw) == want
