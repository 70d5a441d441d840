from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from region import make_test_region

from symbioflows.errors import InvalidInputError
from symbioflows.pipeline import plan
from symbioflows.pipeline.allocation import choice_probabilities


@pytest.fixture(scope="module")
def region():
    return make_test_region()


@pytest.fixture(scope="module")
def result(region):
    return plan(region)


def test_capacities_and_totals(region, result):
    comp, st = region
    ex = result.exchanges
    assert len(ex) > 0 and result.allocation.status == "optimal"
    q = st.set_index("stream_id")
    cap = q["quantity_t_per_yr"].fillna(q["quantity_mwh_per_yr"])
    for col in ("supply_stream_id", "demand_stream_id"):
        used = ex.groupby(col)["quantity"].sum()
        assert (used <= cap.loc[used.index] + 1e-6).all()
    # no exchange inside one company, none that a compliance rule blocks, units never mixed
    assert (ex["supply_company_id"] != ex["demand_company_id"]).all()
    assert not ex["compliance_blocked"].any()
    cross_haz = result.candidates[(result.candidates["hazardous"] == 1)
                                  & (result.candidates["cross_border"] == 1)]
    assert cross_haz["compliance_blocked"].all() and (cross_haz["allocated"] == 0).all()
    # hazardous exchanges that are allowed carry findings that say what to do
    if (ex["hazardous"] == 1).any():
        assert set(result.findings["rule_id"]) & {"HAZ-ABS", "HAZ-MIRROR"}
    sup_unit = result.streams.set_index("stream_id").loc[ex["supply_stream_id"], "unit"].to_numpy()
    dem_unit = result.streams.set_index("stream_id").loc[ex["demand_stream_id"], "unit"].to_numpy()
    assert (sup_unit == dem_unit).all()
    assert result.totals["net_benefit_usd"] == pytest.approx(ex["net_benefit_usd"].sum())
    # the allocation optimises the full-load estimate weighted by each pair's choice
    # probability (objective expected_net_benefit); the exact best-mode transport at the
    # allocated quantity only changes the transport term
    c = result.candidates
    units = result.streams.set_index("stream_id")["unit"]
    usable = (~c["compliance_blocked"].to_numpy(bool)
              & (c["supply_stream_id"].map(units).to_numpy()
                 == c["demand_stream_id"].map(units).to_numpy()))
    sid, _ = pd.factorize(c["supply_stream_id"])
    prob = choice_probabilities(c["score"].to_numpy(), sid, usable, int(sid.max()) + 1,
                                outside=result.options["choice_outside"])
    est = (c["allocated"] * c["surplus_usd_per_t"] * prob).sum()
    assert result.totals["objective_value"] == pytest.approx(est, rel=1e-9, abs=1e-6)
    # each exchange says how likely its partner is among the supply's usable candidates and
    # the pair model's outside alternative
    np.testing.assert_allclose(ex["choice_probability"],
                               prob[c["allocated"].to_numpy() > 1e-9], rtol=1e-12)
    assert ((ex["choice_probability"] > 0) & (ex["choice_probability"] <= 1)).all()
    assert (ex["transport_cost_usd"] >= 0).all() and ex["transport_mode"].notna().all()
    # explanation: contributions add up to the logit of the score
    for table in ("candidates", "exchanges"):
        c = getattr(result, table)
        contrib = result.contributions(table).sum(axis=1) - 2.8
        np.testing.assert_allclose(1 / (1 + np.exp(-contrib)), c["score"], rtol=1e-9, atol=1e-9)
    ex_contrib = ex[[k for k in ex.columns if k.startswith("contrib_")]]
    pd.testing.assert_frame_equal(ex_contrib, result.contributions("exchanges"))


def test_objectives_and_greedy(region, result):
    co2 = plan(region, objective="co2e", chains=False)
    assert co2.allocation.status == "optimal"
    greedy = plan(region, method="greedy", chains=False)
    assert greedy.allocation.status == "heuristic"
    assert result.allocation.objective >= greedy.allocation.objective - 1e-6
    with pytest.raises(InvalidInputError):
        plan(region, objective="profit")


def test_id_columns_dictionary_encoded_in_candidates_only(region, result):
    comp, st = region
    cand, ex = result.candidates, result.exchanges
    for col in ("supply_stream_id", "demand_stream_id", "supply_company_id", "demand_company_id"):
        assert isinstance(cand[col].dtype, pd.CategoricalDtype), col
        assert not isinstance(ex[col].dtype, pd.CategoricalDtype), col
    # the codes decode to the ids of the streams each row pairs, and the exchanges agree
    owner = st.set_index("stream_id")["company_id"]
    sup_ids = cand["supply_stream_id"].astype(str)
    assert (owner.loc[sup_ids].to_numpy() == cand["supply_company_id"].astype(str).to_numpy()).all()
    key = ["supply_stream_id", "demand_stream_id"]
    both = ex[key].merge(cand[key].astype(str), on=key, how="left", indicator=True)
    assert (both["_merge"] == "both").all()


def test_write_outputs(result, tmp_path):
    files = result.write(tmp_path)
    for name in ("exchanges", "candidates", "chains", "findings", "totals"):
        assert (tmp_path / f"{name}.parquet").is_file()
        assert (tmp_path / f"{name}.csv").is_file()
    back = pd.read_parquet(tmp_path / "exchanges.parquet")
    assert len(back) == len(result.exchanges)
    cand = pd.read_parquet(tmp_path / "candidates.parquet")
    assert cand["supply_stream_id"].astype(str).tolist() == \
        result.candidates["supply_stream_id"].astype(str).tolist()
    csv = pd.read_csv(tmp_path / "candidates.csv", nrows=5)
    assert csv["demand_company_id"].tolist() == \
        result.candidates["demand_company_id"].astype(str).head(5).tolist()
    html = files["report"].read_text(encoding="utf-8")
    assert "data-plot='map'" in html and "Materials (t/yr)" in html
    assert html.count("Plotly") >= 1 and html.count("<script type='text/javascript'>/**") <= 1
    assert "https://cdn" not in html.split("<body>")[1]  # plotly.js inlined once: works offline


def test_bad_dataset():
    with pytest.raises(InvalidInputError):
        plan(42)
    comp, st = make_test_region(5, 10)
    st.loc[0, "company_id"] = "nope"
    # the same check as read_dataset: strict raises, the default lists the stream it left out
    from symbioflows.errors import InvalidDatasetError

    with pytest.raises(InvalidDatasetError, match="unknown company"):
        plan((comp, st), strict=True)
    f = plan((comp, st)).findings
    assert f.loc[f["kind"] == "input", "stream_id"].tolist() == [st["stream_id"].iloc[0]]


def test_plan_subcommand_on_a_read_dataset(tmp_path, capsys):
    import argparse

    from symbioflows.matching import _cli

    comp, st = make_test_region(20, 80, seed=5)
    data = tmp_path / "region"
    data.mkdir()
    comp.to_csv(data / "companies.csv", index=False)
    st.to_csv(data / "streams.csv", index=False)
    parser = argparse.ArgumentParser()
    _cli.register(parser.add_subparsers())
    args = parser.parse_args(["plan", str(data), "--out", str(tmp_path / "out"), "--quiet"])
    assert args.func(args) == 0
    assert (tmp_path / "out" / "report.html").is_file()
    assert (tmp_path / "out" / "exchanges.parquet").is_file()
    assert capsys.readouterr().out == ""


def test_save_load_round_trip_and_update(region, tmp_path):
    from symbioflows.pipeline import SymbiosisPlan

    comp, st = region
    base = plan((comp, st.iloc[:80]), chains=False)
    base.save(tmp_path / "p")
    back = SymbiosisPlan.load(tmp_path / "p")
    pd.testing.assert_frame_equal(back.exchanges, base.exchanges, check_dtype=False)
    assert back.totals == base.totals and back.allocation.status == base.allocation.status
    a = back.update(st.iloc[80:])
    b = plan((comp, st), chains=False)
    assert a.totals["objective_value"] == pytest.approx(b.totals["objective_value"], rel=1e-12)
