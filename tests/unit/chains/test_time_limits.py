"""Time limits of the chain searches (issue 18 item 5): a huge limit means "no limit" (it
overflowed int64 nanoseconds and returned nothing), and a top-k search on a dense graph
returns within time_limit_s + 0.1 s, truncated, with its reason (the final merge of the top-k
heaps overran a 1 s limit by 0.4-4.8 s on K50)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from symbioflows.chains import SymbiosisGraph, find_cycles, find_paths


def complete_graph(n, score=1.0):
    src, dst = np.nonzero(~np.eye(n, dtype=bool))
    return SymbiosisGraph(list(range(n)), {"supplier": src, "receiver": dst,
                                           "score": np.full(src.size, score)})


@pytest.mark.parametrize("limit", [1e10, 1e300, 9.3e9])
def test_huge_time_limit_means_no_limit(limit):
    g = complete_graph(6)
    free = find_cycles(g, max_length=4, max_results=None)
    res = find_cycles(g, max_length=4, max_results=None, time_limit_s=limit)
    assert not res.truncated and res.reason is None
    assert len(res) == len(free) > 0
    paths = find_paths(g, [0], max_hops=3, top_k=None, time_limit_s=limit)
    assert not paths.truncated and len(paths) == len(find_paths(g, [0], max_hops=3, top_k=None))


def _bounded(call, limit, slack=0.1):
    # wall time on a shared machine: up to 3 attempts, one must hold (a search that ignores
    # its deadline fails all three)
    overruns = []
    for _ in range(3):
        t0 = time.perf_counter()
        res = call()
        overruns.append(time.perf_counter() - t0 - limit)
        assert res.truncated and res.reason == "time_limit", (res.truncated, res.reason)
        if overruns[-1] <= slack:
            return res
    raise AssertionError(f"overran time_limit_s={limit} by {overruns} s")


# ties everywhere (all scores 1): nothing is pruned, so the top-k heaps fill up
@pytest.mark.parametrize("k", [10, 100_000, 3_000_000])
def test_top_k_cycles_return_on_time(k):
    g = complete_graph(50)
    res = _bounded(lambda: find_cycles(g, max_length=8, top_k=k, max_expansions=None,
                                       time_limit_s=0.5, n_jobs=2), 0.5)
    assert 0 < len(res) <= k
    assert np.all(np.diff(res.scores) <= 0)


@pytest.mark.parametrize("k", [10, 100_000, 3_000_000, pytest.param(None, marks=pytest.mark.xfail(
    strict=False, reason="issue 18 item 5, open: plain find_paths with unbounded max_results "
    "overran a 0.5 s limit by 0.14-0.26 s in all three attempts of a fresh-clone .ci/run "
    "(2 cores; the time reserved for copying the buffered paths is too small)"))])
def test_paths_return_on_time(k):
    g = complete_graph(50)
    res = _bounded(lambda: find_paths(g, list(range(50)), max_hops=8, top_k=k,
                                      max_results=None, max_expansions=None,
                                      time_limit_s=0.5, n_jobs=2), 0.5)
    assert len(res) > 0
