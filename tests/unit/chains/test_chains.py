"""Chains API: graph building and validation, limits, bad inputs, result views."""

from __future__ import annotations

import _thread
import pickle
import signal
import threading
import time

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from symbioflows import _core
from symbioflows.chains import ChainResult, SymbiosisGraph, find_cycles, find_paths
from symbioflows.errors import InvalidInputError, UnknownNodeError


def loop_graph(**overrides):
    edges = {
        "supplier": ["A", "B", "C", "B", "A", "C"],
        "receiver": ["B", "C", "A", "A", "B", "D"],
        "score": [0.9, 0.8, 0.5, 0.6, 0.7, 0.9],
        "tonnes_per_yr": [100.0, 40.0, 60.0, 10.0, 5.0, 1.0],
        "cost_usd": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        "co2e_avoided_kg": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
        "material": ["slag", "heat", "sludge", "water", "steam", "ash"],
    }
    edges.update(overrides)
    companies = pd.DataFrame({"company_id": ["A", "B", "C", "D"], "name": ["a", "b", "c", "d"]})
    return SymbiosisGraph(companies, edges)


def complete_graph(n):
    src = [u for u in range(n) for v in range(n) if u != v]
    dst = [v for u in range(n) for v in range(n) if u != v]
    return SymbiosisGraph(list(range(n)), {"supplier": src, "receiver": dst, "score": np.ones(len(src))})


# ----------------------------------------------------------------------------- graph
def test_parallel_edges_are_distinct_cycles_per_material():
    res = find_cycles(loop_graph(), max_length=3)
    got = [(c.companies, c.materials) for c in res]
    assert got == [
        (["A", "B"], ["slag", "water"]),
        (["A", "B", "C"], ["slag", "heat", "sludge"]),
        (["A", "B"], ["steam", "water"]),
        (["A", "B", "C"], ["steam", "heat", "sludge"]),
    ]
    assert res.flow_t_per_yr.tolist() == [10.0, 40.0, 5.0, 5.0]
    assert not res.truncated and res.reason is None


@pytest.mark.parametrize(
    "field,value,match",
    [
        ("score", [np.nan, 0.8, 0.5, 0.6, 0.7, 0.9], r"edge 0 \('A' -> 'B', material 'slag'\): score nan"),
        ("score", [0.9, np.inf, 0.5, 0.6, 0.7, 0.9], "edge 1"),
        ("score", [0.9, 0.8, 0.0, 0.6, 0.7, 0.9], "edge 2.*outside"),
        ("score", [0.9, 0.8, 0.5, -1, 0.7, 0.9], "edge 3"),
        ("score", [0.9, 0.8, 0.5, 0.6, 1.0001, 0.9], "edge 4"),
        ("tonnes_per_yr", [1.0, 1.0, -5.0, 1.0, 1.0, 1.0], "edge 2.*tonnes_per_yr -5"),
        ("tonnes_per_yr", [1.0, np.nan, 1.0, 1.0, 1.0, 1.0], "edge 1.*tonnes_per_yr"),
        ("cost_usd", [1.0, np.inf, 1.0, 1.0, 1.0, 1.0], "edge 1.*cost_usd"),
        ("score", ["x", 0.8, 0.5, 0.6, 0.7, 0.9], "column 'score'"),
    ],
)
def test_bad_edge_values_name_the_edge(field, value, match):
    with pytest.raises(InvalidInputError, match=match):
        loop_graph(**{field: value})


def test_unknown_company_and_bad_tables():
    with pytest.raises(UnknownNodeError, match="edge 1: receiver 'Z'"):
        SymbiosisGraph(["A", "B"], {"supplier": ["A", "B"], "receiver": ["B", "Z"], "score": [1, 1]})
    with pytest.raises(InvalidInputError, match="missing"):
        SymbiosisGraph(["A"], {"from": ["A"], "to": ["A"], "score": [1]})
    with pytest.raises(InvalidInputError, match="duplicate company_id 'A'"):
        SymbiosisGraph(["A", "A"], {"supplier": [], "receiver": [], "score": []})
    with pytest.raises(TypeError):
        SymbiosisGraph(["A"], 42)
    g = SymbiosisGraph(["A", "B"], {"from": ["A"], "to": ["B"], "score": [1.0]},
                       supplier_col="from", receiver_col="to")
    assert g.n_edges == 1


def test_table_kinds_and_inferred_companies():
    e = {"supplier": ["A", "B"], "receiver": ["B", "A"], "score": [0.5, 0.5]}
    for table in (e, pd.DataFrame(e), pa.table(e)):
        g = SymbiosisGraph(None, table)
        assert g.n_nodes == 2 and len(find_cycles(g)) == 1
    assert np.isnan(find_cycles(SymbiosisGraph(None, e)).flow_t_per_yr).all()


def test_networkx_round_trip_and_pickle():
    g = loop_graph()
    G = g.to_networkx()
    assert isinstance(G, nx.MultiDiGraph)
    assert G.number_of_edges("A", "B") == 2
    assert G.nodes["A"]["name"] == "a"
    g2 = SymbiosisGraph.from_networkx(G)
    r1, r2 = find_cycles(g), find_cycles(g2)
    assert [c.companies for c in r1] == [c.companies for c in r2]
    assert [c.materials for c in r1] == [c.materials for c in r2]
    D = nx.DiGraph([("x", "y", {"score": 0.5}), ("y", "x", {"score": 0.5})])
    assert len(find_cycles(D)) == 1  # networkx graphs are accepted directly
    with pytest.raises(InvalidInputError, match="directed"):
        SymbiosisGraph.from_networkx(nx.Graph([(1, 2)]))
    g3 = pickle.loads(pickle.dumps(g))
    assert find_cycles(g3).scores.tolist() == r1.scores.tolist()


# ----------------------------------------------------------------------------- bad options
@pytest.mark.parametrize(
    "kw",
    [
        {"min_length": 1},
        {"min_length": 3, "max_length": 2},
        {"max_length": 1},
        {"top_k": 0},
        {"top_k": -3},
        {"n_jobs": 0},
        {"min_score": float("nan")},
        {"time_limit_s": -1},
        {"time_limit_s": float("nan")},
        {"max_expansions": 0},
        {"max_results": -1},
        {"score": "nope"},
        {"score": "material"},
        {"min_length": 2.5},
        {"top_k": True},
    ],
)
def test_bad_cycle_options_raise_before_work(kw):
    with pytest.raises(InvalidInputError):
        find_cycles(loop_graph(), **kw)


def test_bad_path_options():
    g = loop_graph()
    with pytest.raises(UnknownNodeError, match="'Z'"):
        find_paths(g, ["A", "Z"])
    with pytest.raises(UnknownNodeError):
        find_paths(g, "A", targets=["Q"])
    with pytest.raises(InvalidInputError):
        find_paths(g, "A", max_hops=0)
    with pytest.raises(InvalidInputError):
        find_paths(g, "A", top_k=0)
    with pytest.raises(InvalidInputError):
        find_paths(g, "A", n_jobs=0)
    with pytest.raises(TypeError):
        find_paths(object(), "A")


def test_native_boundary_refuses_float_ids_and_bad_values():
    g = _core.CsrGraph(3, np.array([0, 1]), np.array([1, 0]))
    ones = np.ones(2)
    with pytest.raises(TypeError):
        _core.find_paths(g, ones, ones, np.array([0.5]))
    with pytest.raises(UnknownNodeError):
        _core.find_paths(g, ones, ones, np.array([7]))
    with pytest.raises(InvalidInputError, match="edge 1: score"):
        _core.find_cycles(g, np.array([1.0, 0.0]), ones)
    with pytest.raises(InvalidInputError, match="edge 0: tonnes"):
        _core.find_cycles(g, ones, np.array([-1.0, 0.0]))
    with pytest.raises(InvalidInputError, match="one per edge"):
        _core.find_cycles(g, np.ones(3), ones)
    with pytest.raises(InvalidInputError):
        _core.find_cycles(g, ones, ones, min_length=1)


def test_empty_graph_and_self_loops():
    empty = SymbiosisGraph([], {"supplier": [], "receiver": [], "score": []})
    assert len(find_cycles(empty)) == 0
    loops = SymbiosisGraph(["A", "B"], {"supplier": ["A", "A", "B"], "receiver": ["A", "B", "A"],
                                        "score": [1.0, 0.5, 0.5]})
    res = find_cycles(loops)
    assert [c.companies for c in res] == [["A", "B"]]  # the self-loop is never a chain
    assert [c.companies for c in find_paths(loops, "A", top_k=None)] == [["A", "B"]]


# ----------------------------------------------------------------------------- scoring, top-k
def test_scores_topk_and_min_score():
    g = loop_graph()
    full = find_cycles(g, max_length=3)
    top = find_cycles(g, max_length=3, top_k=2)
    assert top.scores.tolist() == sorted(full.scores.tolist(), reverse=True)[:2]
    bott = find_cycles(g, max_length=3, score="bottleneck")
    assert bott.scores.tolist() == [0.6, 0.5, 0.6, 0.5]
    co2 = find_cycles(g, max_length=3, score="co2e_avoided_kg", top_k=1)
    assert co2[0].co2e_avoided_kg == co2.scores[0] == 50 + 20 + 30
    assert find_cycles(g, max_length=3, min_score=0.4).scores.round(2).tolist() == [0.54, 0.42]
    assert len(find_cycles(g, max_length=3, min_score=2.0)) == 0


def test_paths_to_targets_and_anywhere():
    g = loop_graph()
    res = find_paths(g, ["A", "C"], targets="D", top_k=None, max_hops=3)
    assert [c.companies for c in res] == [["A", "B", "C", "D"], ["A", "B", "C", "D"], ["C", "D"]]
    assert res.sources.tolist() == [0, 0, 1]
    assert res.to_pandas()["source"].tolist() == ["A", "A", "C"]
    best = find_paths(g, "A", top_k=1, max_hops=2)
    assert best[0].companies == ["A", "B"] and best[0].score == 0.9
    assert len(find_paths(g, "A", targets=[])) == 0


# ----------------------------------------------------------------------------- limits
def test_max_results_truncates_with_reason():
    g = complete_graph(7)
    res = find_cycles(g, max_length=5, max_results=10)
    assert len(res) == 10 and res.truncated and res.reason == "max_results"
    res = find_cycles(g, max_length=5, max_expansions=50)
    assert res.truncated and res.reason == "max_expansions"
    res = find_paths(g, [0, 1], top_k=None, max_hops=4, max_results=7)
    assert len(res) == 7 and res.reason == "max_results"


@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize("kw", [{"top_k": 5}, {}, {"max_results": None}])
def test_adversarial_complete_graph_respects_time_limit(kw, n_jobs):
    g = complete_graph(40)  # about 4.6e8 cycles of length <= 6
    t0 = time.perf_counter()
    res = find_cycles(g, max_length=6, time_limit_s=0.5, n_jobs=n_jobs, **kw)
    elapsed = time.perf_counter() - t0
    assert res.truncated and res.reason in ("time_limit", "max_results")
    assert elapsed < 0.5 + 0.1, elapsed


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_ctrl_c_interrupts_a_long_search(n_jobs):
    g = complete_graph(40)
    # A job started in the background by a non-interactive shell inherits SIGINT ignored, and
    # then interrupt_main() does nothing (the search would run for hours): give the test
    # Python's own handler for its duration.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.2, _thread.interrupt_main)
    t0 = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            find_cycles(g, max_length=7, top_k=3, max_expansions=None, n_jobs=n_jobs)
        assert time.perf_counter() - t0 < 2.0
    finally:
        timer.join()
        signal.signal(signal.SIGINT, previous)


def test_progress_bar_runs():
    res = find_cycles(complete_graph(6), max_length=4, progress=True)
    assert len(res) > 0


# ----------------------------------------------------------------------------- views
def test_result_views():
    res = find_cycles(loop_graph(), max_length=3)
    assert isinstance(res, ChainResult) and len(res) == 4
    df = res.to_pandas()
    assert list(df.columns) == ["chain", "length", "companies", "materials", "edge_ids", "score",
                                "flow_t_per_yr", "cost_usd", "co2e_avoided_kg"]
    assert df["companies"][1] == ["A", "B", "C"]
    assert df["cost_usd"].tolist() == [5.0, 6.0, 9.0, 10.0]
    t = res.to_arrow()
    assert t.num_rows == 4 and t.column("materials").to_pylist()[0] == ["slag", "water"]
    G = res.to_networkx()
    assert G.number_of_edges() == 5 and G.edges["A", "B", 0]["chains"] == [0, 1]
    html = res._repr_html_()
    assert "slag" in html and "4 cycles" in html
    assert "ChainResult 4 cycles" in repr(res)
    assert res[-1].companies == ["A", "B", "C"]
    with pytest.raises(IndexError):
        res.chain(4)
    paths = find_paths(loop_graph(), "A", top_k=3)
    assert paths.to_pandas()["companies"][0] == ["A", "B"]
    assert len(find_cycles(loop_graph(), min_score=5.0).to_pandas()) == 0


def test_plot_draws_a_chain():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = find_cycles(loop_graph(), max_length=3)
    ax = res.plot(1)
    assert "cycle 1" in ax.get_title()
    ax2 = find_paths(loop_graph(), "A", top_k=2).plot(0)
    assert ax2 is not None
    plt.close("all")
    with pytest.raises(InvalidInputError):
        find_cycles(loop_graph(), min_score=9.0).plot(0)


def test_thread_stress_identical_results():
    """Many Python threads x native threads on one shared graph: byte-identical output."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(0)
    n, m = 60, 300
    g = SymbiosisGraph(list(range(n)), {"supplier": rng.integers(0, n, m),
                                        "receiver": rng.integers(0, n, m),
                                        "score": rng.choice([0.5, 1.0], m),
                                        "tonnes_per_yr": rng.integers(0, 9, m)})
    srcs = list(range(0, n, 3))

    def run(_):
        c = find_cycles(g, max_length=5, n_jobs=4)
        p = find_paths(g, srcs, max_hops=3, top_k=None, n_jobs=4)
        t = find_cycles(g, max_length=5, top_k=7, n_jobs=4)
        return [a.tobytes() for r in (c, p, t) for a in (r.offsets, r.edge_ids, r.scores, r.flow_t_per_yr)]

    want = run(0)
    with ThreadPoolExecutor(4) as ex:
        for got in ex.map(run, range(24)):
            assert got == want
