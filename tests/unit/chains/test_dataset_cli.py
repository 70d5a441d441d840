"""Graph of a dataset and the ``symbioflows chains`` command."""

from __future__ import annotations

import argparse

import pandas as pd
import pyarrow.parquet as pq
import pytest

import symbioflows as sf
from symbioflows.chains import find_cycles
from symbioflows.chains._cli import register
from symbioflows.chains.dataset import graph_from_dataset
from symbioflows.errors import InvalidInputError

COMPANIES = [
    {"company_id": c, "lat": 51.9 + 0.01 * i, "lon": 4.3, "sector": "24.10"}
    for i, c in enumerate(["a", "b", "c", "far"])
]
COMPANIES[3]["lat"] = 40.0  # ~1,300 km away
STREAMS = [
    ("s1", "a", "supply", "slag", 100), ("d1", "b", "demand", "slag", 50),
    ("s2", "b", "supply", "sludge", 70), ("d2", "c", "demand", "sludge", 80),
    ("s3", "c", "supply", "ash", 10), ("d3", "a", "demand", "ash", 20),
    ("d4", "far", "demand", "slag", 5),
]
STREAMS = [
    {"stream_id": s, "company_id": c, "direction": d, "material": m, "material_class": m,
     "quantity": q, "unit": "t/yr"}
    for s, c, d, m, q in STREAMS
]


def test_candidate_edges_by_material_class_and_distance():
    g = graph_from_dataset({"companies": COMPANIES, "streams": STREAMS}, max_distance_km=50)
    assert g.n_edges == 3  # 'far' is beyond the distance limit
    res = find_cycles(g)
    assert [c.companies for c in res] == [["a", "b", "c"]]
    assert res.flow_t_per_yr.tolist() == [10.0]
    assert len(graph_from_dataset({"companies": COMPANIES, "streams": STREAMS},
                                  max_distance_km=5000).edges) == 4
    with pytest.raises(InvalidInputError):
        graph_from_dataset({"companies": COMPANIES, "streams": STREAMS}, max_distance_km=0)


def test_known_exchanges_are_used_when_present():
    ex = [{"supplier_stream_id": "s1", "receiver_stream_id": "d1", "quantity_t_per_yr": 40,
           "status": "active"},
          {"supplier_stream_id": "s2", "receiver_stream_id": "d3", "status": "proposed"},
          {"supplier_stream_id": "s3", "receiver_stream_id": "d1", "status": "rejected"}]
    g = graph_from_dataset(sf.read_dataset({"companies": COMPANIES, "streams": STREAMS,
                                            "exchanges": ex}))
    assert g.edges["score"].tolist() == [1.0, 0.5]
    assert g.edges["tonnes_per_yr"].tolist() == [40.0, 20.0]
    res = find_cycles(g)
    assert res[0].companies == ["a", "b"] and res[0].materials == ["slag", "sludge"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".json"])
def test_cli_chains(tmp_path, capsys, suffix):
    pd.DataFrame(COMPANIES).to_csv(tmp_path / "companies.csv", index=False)
    pd.DataFrame(STREAMS).to_csv(tmp_path / "streams.csv", index=False)
    parser = argparse.ArgumentParser(prog="symbioflows")
    register(parser.add_subparsers(dest="command"))
    out = tmp_path / f"loops{suffix}"
    args = parser.parse_args(["chains", str(tmp_path), "--max-length", "4", "--top-k", "5",
                              "--out", str(out)])
    assert args.func(args) == 0
    text = capsys.readouterr().out
    assert "1 cycles" in text and "a [slag] -> b [sludge] -> c [ash] -> a" in text
    assert out.exists()
    if suffix == ".parquet":
        assert pq.read_table(out).num_rows == 1


def test_cli_main_entry_point(tmp_path, capsys):
    from symbioflows.cli import main

    pd.DataFrame(COMPANIES).to_csv(tmp_path / "companies.csv", index=False)
    pd.DataFrame(STREAMS).to_csv(tmp_path / "streams.csv", index=False)
    assert main(["chains", str(tmp_path), "--candidates", "--top-k", "3"]) == 0
    assert "a [slag] -> b [sludge] -> c [ash] -> a" in capsys.readouterr().out
    assert main(["chains", str(tmp_path / "missing")]) == 2


def test_min_materials_drops_loops_of_one_material_traded_back_and_forth():
    # a <-> b trade scrap both ways (degenerate); a -> b -> c -> a turns scrap, sludge, ash
    edges = {"supplier": ["a", "b", "b", "c"], "receiver": ["b", "a", "c", "a"],
             "score": [0.99, 0.99, 0.5, 0.5], "tonnes_per_yr": [10.0, 10.0, 5.0, 5.0],
             "material": ["scrap", "old scrap", "sludge", "ash"],
             "material_class": ["ferrous_scrap", "ferrous_scrap", "sludge", "ash"]}
    g = sf.chains.SymbiosisGraph(["a", "b", "c"], edges)
    every = find_cycles(g, top_k=1)
    assert every[0].materials == ["scrap", "old scrap"]  # the degenerate loop scores best
    kept = find_cycles(g, top_k=1, min_materials=2)
    assert [c.materials for c in kept] == [["scrap", "sludge", "ash"]]
    assert len(find_cycles(g, min_materials=2)) == 1
    assert len(find_cycles(g, min_materials=4)) == 0
    with pytest.raises(InvalidInputError):
        find_cycles(g, min_materials=0)


def test_cli_chains_prints_energy_flows_in_mwh_and_hints_at_candidates(tmp_path, capsys):
    from symbioflows.cli import main

    heat = [
        {"stream_id": "h1", "company_id": "a", "direction": "supply", "material": "surplus steam",
         "material_class": "steam", "quantity": 900, "unit": "MWh/yr"},
        {"stream_id": "h2", "company_id": "b", "direction": "demand", "material": "process steam",
         "material_class": "steam", "quantity": 500, "unit": "MWh/yr"},
        {"stream_id": "h3", "company_id": "b", "direction": "supply", "material": "condensate heat",
         "material_class": "waste_heat_low_temp", "quantity": 300, "unit": "MWh/yr"},
        {"stream_id": "h4", "company_id": "a", "direction": "demand", "material": "heat",
         "material_class": "waste_heat_low_temp", "quantity": 400, "unit": "MWh/yr"},
    ]
    pd.DataFrame(COMPANIES).to_csv(tmp_path / "companies.csv", index=False)
    pd.DataFrame(heat).to_csv(tmp_path / "streams.csv", index=False)
    assert main(["chains", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "flow 300 MWh/yr" in text and "t/yr" not in text
    # with recorded exchanges that close no loop, the command says how to search candidates
    pd.DataFrame([{"supplier_stream_id": "h1", "receiver_stream_id": "h2", "status": "active"}]
                 ).to_csv(tmp_path / "exchanges.csv", index=False)
    assert main(["chains", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "0 cycles" in text and "--candidates" in text
