"""Inputs shared with other threads while a native kernel runs with the GIL released.

* A fresh graph searched from many threads at once: the in-adjacency that the cycle search
  caches on the graph is built once (or by racing builders, one copy kept) and every caller
  gets the serial answer.
* Pair columns rewritten by another thread during ``cost_pairs`` or ``score_pairs``: the call
  either returns or raises the clear error for an out-of-range row; it never reads outside
  the site or stream tables.  ``cost_pairs`` prices a snapshot of its columns (copied under
  the GIL, by native threads, into its output arrays); ``score_pairs`` reads them in place (each value once, checked), a documented
  contract: its pair columns are the pipeline's own arrays, 23 million rows at the largest
  benchmark, where a copy would cost about 1 GB.
* Edge scores and tonnes rewritten while a cycle search reads them in place: each value is
  read once and checked, so the search returns chains whose scores lie in (0, 1] or raises
  the clear error naming an edge.
* A process forked after a parallel search (multiprocessing's "fork" start method) gets a
  fresh pool of helper threads: its own parallel searches neither hang nor differ.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from symbioflows import _core
from symbioflows.errors import InvalidInputError, UnknownNodeError
from symbioflows.logistics import cost_pairs


def _random_graph(n: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, n, m), rng.integers(0, n, m)



def _calls_while_written(write, call, n_calls, errors, check_error):
    """Run ``call()`` ``n_calls`` times while another thread runs ``write(rng)`` in a loop;
    each call must return (``call`` checks its result) or raise one of ``errors``, whose
    message ``check_error`` checks.  Returns the outcomes seen."""
    stop = threading.Event()

    def writer():
        r = np.random.default_rng(1)
        while not stop.is_set():
            write(r)

    t = threading.Thread(target=writer)
    t.start()
    outcomes = set()
    try:
        for _ in range(n_calls):
            try:
                call()
                outcomes.add("ok")
            except errors as e:
                check_error(str(e))
                outcomes.add(type(e).__name__)
    finally:
        stop.set()
        t.join()
    return outcomes

def test_fresh_graph_searched_from_many_threads_at_once():
    n = 400
    src, dst = _random_graph(n, 1600, seed=3)
    ones = np.ones(len(src))
    serial_graph = _core.CsrGraph(n, src, dst)
    want = _core.find_cycles(serial_graph, ones, ones, max_length=4, n_threads=1)
    for _ in range(5):
        g = _core.CsrGraph(n, src, dst)  # reverse adjacency not built yet
        barrier = threading.Barrier(8)

        def run(t: int, g=g, barrier=barrier):
            barrier.wait()
            return _core.find_cycles(g, ones, ones, max_length=4, n_threads=1 + t % 2)

        with ThreadPoolExecutor(8) as ex:
            results = list(ex.map(run, range(8)))
        for r in results:
            assert np.array_equal(r["offsets"], want["offsets"])
            assert np.array_equal(r["edges"], want["edges"])


@pytest.mark.parametrize("medium_dtype", [np.uint8, np.int64])
def test_cost_pairs_columns_mutated_during_the_call(medium_dtype):
    rng = np.random.default_rng(0)
    n_sites, m = 50, 400_000
    lat, lon = rng.uniform(40, 60, n_sites), rng.uniform(-5, 20, n_sites)
    i = rng.integers(0, n_sites, m)
    j = rng.integers(0, n_sites, m)
    q = rng.uniform(0, 100, m)
    med = np.zeros(m, dtype=medium_dtype)

    def write(r):
        k = r.integers(0, m, 64)
        i[k] = r.choice([-(2**62), 2**62, 10**9, n_sites])
        j[k] = r.integers(0, n_sites, 64)
        q[k] = r.choice([np.nan, -1.0, np.inf, 5.0])
        med[k] = r.choice([0, 200]).astype(medium_dtype)

    def call():
        r = cost_pairs(lat, lon, lat, lon, i, j, q, medium=med, n_jobs=2)
        assert r.cost_usd.shape == (m,)

    def check_error(msg):
        assert "row" in msg or "outside" in msg

    outcomes = _calls_while_written(write, call, 20, (UnknownNodeError, InvalidInputError),
                                    check_error)
    assert outcomes  # reached here: no crash, no hang


@pytest.mark.parametrize("n_jobs", [1, 2, 4])
def test_cost_pairs_reports_the_first_bad_row_whatever_the_threads(n_jobs):
    m = 200_000  # several work items of the parallel pass
    i = np.zeros(m, dtype=np.int64)
    q = np.ones(m)
    q[150_000] = -1.0  # a later item: must not win over the earlier bad index
    i[70_000] = 9
    with pytest.raises(UnknownNodeError, match=r"i\[70000\] = 9 outside \[0, 1\)"):
        cost_pairs([50.0], [5.0], [51.0], [6.0], i, np.zeros(m, dtype=np.int64), q, n_jobs=n_jobs)
    i[70_000] = 0
    with pytest.raises(InvalidInputError, match="quantity row 150000 = -1.0+ must be finite"):
        cost_pairs([50.0], [5.0], [51.0], [6.0], i, np.zeros(m, dtype=np.int64), q, n_jobs=n_jobs)


def test_chain_edge_values_mutated_during_the_search():
    n = 2_000
    src, dst = _random_graph(n, 8_000, seed=5)
    g = _core.CsrGraph(n, src, dst)
    m = len(src)
    w = np.full(m, 0.5)
    t = np.ones(m)

    def write(r):
        k = r.integers(0, m, 32)
        w[k] = r.choice([np.nan, -1.0, 2.0, 0.5, 1.0])
        t[k] = r.choice([np.nan, -3.0, 1.0])

    def call():
        r = _core.find_cycles(g, w, t, max_length=5, n_threads=2)
        assert np.all((r["scores"] > 0) & (r["scores"] <= 1))
        assert np.all(r["flow"] >= 0)

    def check_error(msg):
        assert "edge" in msg or "score values[" in msg

    outcomes = _calls_while_written(write, call, 30, (InvalidInputError,), check_error)
    assert outcomes


@pytest.mark.parametrize("n_threads", [1, 2, 4])
def test_chain_search_names_the_smallest_bad_edge(n_threads):
    n = 3_000
    src, dst = _random_graph(n, 12_000, seed=6)
    g = _core.CsrGraph(n, src, dst)
    w, t = np.full(len(src), 0.5), np.ones(len(src))
    w[9_000], t[4_000] = 1.5, -1.0
    with pytest.raises(InvalidInputError, match="edge 4000: tonnes -1.0+ is negative or NaN"):
        _core.find_cycles(g, w, t, max_length=3, n_threads=n_threads)
    t[4_000] = 1.0
    with pytest.raises(InvalidInputError, match=r"edge 9000: score 1\.50* outside \(0, 1\]"):
        _core.find_cycles(g, w, t, max_length=3, n_threads=n_threads)
    w[9_000] = np.inf  # not finite comes before the range check; a sum score must be finite
    with pytest.raises(InvalidInputError, match=r"score values\[9000\] is not finite"):
        _core.find_cycles(g, w, t, max_length=3, score=2, n_threads=n_threads)


def _search_in_child(q, n, src, dst):  # runs in the forked child
    g = _core.CsrGraph(n, src, dst)
    ones = np.ones(len(src))
    r = _core.find_cycles(g, ones, ones, max_length=5, n_threads=2)
    q.put(r["edges"].tolist())


def test_parallel_search_after_fork():
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork start method on this platform")
    n = 1_500
    src, dst = _random_graph(n, 6_000, seed=7)
    g = _core.CsrGraph(n, src, dst)
    ones = np.ones(len(src))
    want = _core.find_cycles(g, ones, ones, max_length=5, n_threads=2)  # pool started here
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_search_in_child, args=(q, n, src, dst))
    p.start()
    got = q.get(timeout=60)
    p.join(timeout=60)
    assert p.exitcode == 0
    assert got == want["edges"].tolist()


def _score_tables(ns: int, nd: int) -> tuple[dict, dict]:
    rng = np.random.default_rng(5)
    s = dict(qty_t=rng.uniform(1, 100, ns), quality=rng.random(ns), mask=rng.integers(0, 4096, ns),
             disposal_usd_t=rng.uniform(0, 50, ns), disposal_co2e_kg_t=np.zeros(ns),
             fixed_usd_t=np.full(ns, 5.0), usd_per_tkm=np.full(ns, 0.1),
             co2e_kg_per_tkm=np.full(ns, 0.06), hazardous=np.zeros(ns),
             country=np.zeros(ns, dtype=np.int64))
    d = dict(qty_t=rng.uniform(1, 100, nd), quality=rng.random(nd), mask=rng.integers(0, 4096, nd),
             virgin_usd_t=rng.uniform(0, 300, nd), virgin_co2e_kg_t=rng.uniform(0, 900, nd),
             country=np.ones(nd, dtype=np.int64))
    return s, d


def test_score_pairs_columns_mutated_during_the_call():
    """score_pairs reads its six pair columns in place: a writer that plants out-of-range
    indices and non-finite values meanwhile gets a result or the clear error, never a read
    outside the stream tables."""
    rng = np.random.default_rng(0)
    ns, nd, m = 40, 60, 400_000
    s, d = _score_tables(ns, nd)
    si, di = rng.integers(0, ns, m), rng.integers(0, nd, m)
    dist, fit = rng.uniform(0, 300, m), rng.uniform(0, 1, m)
    sfit, link = rng.normal(0, 1, m), rng.uniform(0, 1, m)
    w = np.full(_core.NUM_PAIR_FEATURES, 0.01)

    def write(r):
        k = r.integers(0, m, 64)
        si[k] = r.choice([-(2**62), 2**62, 10**9, ns])
        di[k] = r.choice([-1, nd, 0])
        dist[k] = r.choice([np.nan, np.inf, 5.0])
        link[k] = r.choice([np.nan, 0.5])

    def call():
        feats, score = _core.score_pairs(si, di, dist, fit, sfit, s, d, 1.3, w, 0.0,
                                         n_threads=2, link_score=link)
        assert feats.shape == (m, _core.NUM_PAIR_FEATURES) and score.shape == (m,)

    def check_error(msg):
        assert "outside" in msg or "not finite" in msg

    outcomes = _calls_while_written(write, call, 20, (UnknownNodeError, InvalidInputError),
                                    check_error)
    assert outcomes  # reached here: no crash, no hang


@pytest.mark.parametrize("n_jobs", [1, 2, 4])
def test_score_pairs_reports_the_first_bad_row_whatever_the_threads(n_jobs):
    m = 200_000  # several work items of the parallel pass
    s, d = _score_tables(3, 2)
    si, di = np.zeros(m, dtype=np.int64), np.ones(m, dtype=np.int64)
    dist, fit, sfit = np.ones(m), np.ones(m), np.zeros(m)
    w = np.zeros(_core.NUM_PAIR_FEATURES)
    dist[150_000] = np.nan  # a later block: must not win over the earlier bad index
    di[70_000] = 2
    with pytest.raises(UnknownNodeError,
                       match=r"demand_index\[70000\] = 2 outside \[0, 2\): pass row positions"):
        _core.score_pairs(si, di, dist, fit, sfit, s, d, 1.3, w, 0.0, n_threads=n_jobs)
    di[70_000] = 1
    with pytest.raises(InvalidInputError,
                       match=r"distance_km\[150000\] is not finite \(nan\); drop or fill"):
        _core.score_pairs(si, di, dist, fit, sfit, s, d, 1.3, w, 0.0, n_threads=n_jobs)
    dist[150_000] = 1.0
    si[199_999] = -1
    with pytest.raises(UnknownNodeError, match=r"supply_index\[199999\] = -1 outside \[0, 3\)"):
        _core.score_pairs(si, di, dist, fit, sfit, s, d, 1.3, w, 0.0, n_threads=n_jobs)


@pytest.mark.parametrize("column", ["quantity", "j", "medium_u8", "medium_i64"])
def test_cost_pairs_prices_a_snapshot_of_its_columns(column):
    """Issue 18 item 11: another thread rewrites one pair column (in a random row order) while
    ``cost_pairs`` runs; the rows must be priced from one snapshot of the column, taken under
    the GIL: the rows priced with the new values are exactly the first K rows of the writer's
    order, for some K (reading in place gave rows priced with a mix of old and new values from
    different moments).  Every column is snapshotted (the snapshot is written into the output
    arrays by native threads while the GIL is held), uint8 and int64 media alike."""
    m = 400_000
    rng = np.random.default_rng(5)
    lat1, lon1 = rng.uniform(40, 60, 50), rng.uniform(0, 20, 50)
    lat2, lon2 = rng.uniform(40, 60, 50), rng.uniform(0, 20, 50)
    i, j = rng.integers(0, 50, m), rng.integers(0, 50, m)
    cols = {"i": i, "j": j, "quantity": np.full(m, 10.0)}
    cols["medium"] = np.zeros(m, dtype=np.uint8 if column == "medium_u8" else np.int64)
    name = "medium" if column.startswith("medium") else column
    new_col = {"quantity": np.full(m, 20.0), "j": (j + 1) % 50,
               "medium": np.full(m, 1, dtype=cols["medium"].dtype)}[name]

    def price(c):
        return cost_pairs(lat1, lon1, lat2, lon2, c["i"], c["j"], c["quantity"],
                          medium=c["medium"], n_jobs=2).cost_usd

    cost_old = price(cols)
    cost_new = price({**cols, name: new_col})
    differs = cost_old != cost_new
    assert differs.mean() > 0.5
    mixed = 0
    for attempt in range(4):
        c = {**cols, name: cols[name].copy()}
        target = c[name]
        order = np.random.default_rng(attempt).permutation(m)
        rank = np.empty(m, np.int64)
        rank[order] = np.arange(m)
        started, stop = threading.Event(), threading.Event()

        def writer(target=target, order=order, started=started, stop=stop):
            started.set()
            values = new_col.tolist()
            for k in order.tolist():
                if stop.is_set():
                    return
                target[k] = values[k]

        t = threading.Thread(target=writer)
        t.start()
        started.wait()
        try:
            got = price(c)
        finally:
            stop.set()
            t.join()
        is_new = got == cost_new
        assert np.all(is_new | (got == cost_old))  # every row priced with one of the values
        is_new &= differs
        is_old = (got == cost_old) & differs
        if is_new.any() and is_old.any() and rank[is_new].max() > rank[is_old].min():
            mixed += 1
    assert mixed == 0, f"{mixed} of 4 calls priced rows from different moments"
