"""Surplus electricity is a medium of the plan (issue 16): a CHP's power surplus and a
neighbour's need for power, written in plain words, become an exchange in MWh over a private
wire, valued against the grid (export price for the supplier, non-household price for the
receiver) and never added to tonnes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def _region(demand_lat: float = 53.55) -> tuple[pd.DataFrame, pd.DataFrame]:
    companies = pd.DataFrame({"company_id": ["chp", "mill"], "sector": ["35.11", "17.12"],
                              "lat": [53.58, demand_lat], "lon": [-0.65, -0.62],
                              "country": ["NL", "NL"]})
    streams = pd.DataFrame({
        "stream_id": ["s", "d"], "company_id": ["chp", "mill"],
        "direction": ["supply", "demand"],
        "material": ["surplus electricity from our gas turbine CHP",
                     "electricity for our paper machines"],
        "quantity": [30000.0, 12000.0], "unit": ["MWh/yr", "MWh/yr"]})
    return companies, streams


@pytest.fixture(scope="module")
def plan():
    import symbioflows as sf

    return sf.plan(_region(), chains=False, text_backend="hashing")


def test_text_becomes_the_electricity_class_and_need(plan):
    s = plan.streams.set_index("stream_id")
    assert s.loc["s", "material_class"] == "surplus_electricity"
    assert s.loc["d", "need"] == "grid_electricity"
    assert s.loc[["s", "d"], "medium"].tolist() == ["electricity", "electricity"]
    assert s.loc[["s", "d"], "unit"].tolist() == ["MWh", "MWh"]
    assert not (plan.findings["kind"] == "stream").any()


def test_exchange_in_mwh_over_a_cheap_private_wire(plan):
    from symbioflows.logistics import get_mode
    from symbioflows.logistics.modes import transport_modes

    ex = plan.exchanges
    assert len(ex) == 1
    r = ex.iloc[0]
    assert (r["unit"], r["medium"], r["transport_mode"]) == ("MWh", "electricity", "private_wire")
    assert r["quantity"] == pytest.approx(12000.0)
    wire = get_mode("private_wire")
    assert wire.media == ("electricity",)
    assert r["transport_cost_usd"] == pytest.approx(
        wire.cost_usd_per_tkm * r["quantity"] * r["route_km"])
    # well under a dollar per MWh over a few km, against about 190 USD/MWh of grid power
    assert r["transport_cost_usd"] / r["quantity"] < 2.0
    # no other default mode carries electricity (a truck of MWh is not a thing)
    assert [m for m in transport_modes().values() if "electricity" in m.media] == [wire]


def test_valued_against_the_grid_and_never_summed_with_tonnes(plan):
    from symbioflows.pricing import export_price

    r = plan.exchanges.iloc[0]
    assert r["supplier_route"] == "sold"  # exported to the grid without the exchange
    assert r["supplier_opportunity_usd"] == pytest.approx(
        r["quantity"] * export_price("surplus_electricity").value_usd)
    assert r["receiver_avoided_usd"] > r["supplier_opportunity_usd"] > 0
    assert r["net_benefit_usd"] > 0
    # the grid would have taken the surplus anyway: no CO2e is claimed for moving it
    assert r["co2e_avoided_kg"] == pytest.approx(0.0, abs=1e-6)
    assert r["landfill_diverted_t"] == 0.0
    t = plan.totals
    assert t["quantity_electricity_MWh"] == pytest.approx(12000.0)
    assert t["tonnes_exchanged"] == 0.0
    assert t["quantity_heat_MWh"] == 0.0


def test_no_waste_rule_fires_on_electricity(plan):
    from symbioflows.compliance import check_exchange

    comp = plan.findings[plan.findings["kind"] == "compliance"]
    assert comp.empty
    r = check_exchange(material_class="surplus_electricity", supplier_country="NL",
                       receiver_country="DE", receiver_food_grade=True)
    assert r.rule_ids == []
    assert check_exchange(material_class="steam", receiver_food_grade=True).rule_ids == [
        "FOOD-TRACE"]


def test_a_private_wire_reaches_a_few_km_only():
    import symbioflows as sf
    from symbioflows.pipeline.prepare import DEFAULT_MAX_DISTANCE_KM

    assert DEFAULT_MAX_DISTANCE_KM["electricity"] <= 10.0
    far = sf.plan(_region(demand_lat=53.80), chains=False, text_backend="hashing")  # ~25 km
    assert far.exchanges.empty
    near = sf.plan(_region(demand_lat=53.80), chains=False, text_backend="hashing",
                   max_distance_km={"electricity": 40.0})
    assert len(near.candidates) == 1


def test_demand_medium_follows_its_need_only_in_the_need_unit():
    from symbioflows.pipeline.prepare import prepare_streams

    companies, streams = _region()
    streams = pd.concat([streams, pd.DataFrame({
        "stream_id": ["d2"], "company_id": ["mill"], "direction": ["demand"],
        "material": ["process steam"], "quantity_t_per_yr": [5000.0]})], ignore_index=True)
    streams["quantity_mwh_per_yr"] = [30000.0, 12000.0, np.nan]
    s = prepare_streams(companies, streams.drop(columns=["quantity", "unit"]),
                        text_backend="hashing").set_index("stream_id")
    assert s.loc["d", "medium"] == "electricity"
    assert s.loc["d2", "need"] == "gas_steam" and s.loc["d2", "medium"] == "steam"
