"""The shipped sample region's plan: defensible totals (issue 17, item 1)."""

from __future__ import annotations

import pytest

from symbioflows import plan
from symbioflows.datasets import load_sample_region
from symbioflows.impact import check_value_per_company


@pytest.fixture(scope="module")
def sample_plan():
    return plan(load_sample_region())


def test_counts_are_ints_and_units_are_never_mixed(sample_plan):
    t = sample_plan.totals
    for k in ("n_supplies", "n_demands", "n_candidates", "n_exchanges", "n_chains",
              "n_participating_companies"):
        assert isinstance(t[k], int), k
    ex = sample_plan.exchanges
    for (medium, unit), q in ex.groupby(["medium", "unit"])["quantity"].sum().items():
        assert t[f"quantity_{medium}_{unit}"] == pytest.approx(q)
    # "tonnes exchanged" are materials: water by pipe and steam are reported apart
    materials = ~ex["medium"].isin(["water", "steam", "heat"]) & (ex["unit"] == "t")
    assert t["tonnes_exchanged"] == pytest.approx(ex.loc[materials, "quantity"].sum())


def test_landfill_diverted_counts_only_what_would_be_landfilled(sample_plan):
    ex, t = sample_plan.exchanges, sample_plan.totals
    assert (ex.loc[ex["medium"].isin(["water", "steam", "heat", "gas"]),
                   "landfill_diverted_t"] == 0).all()
    assert (ex.loc[ex["supplier_route"] != "landfill", "landfill_diverted_t"] == 0).all()
    assert t["landfill_diverted_t"] <= t["quantity_solid_t"] + 1e-6
    assert t["landfill_diverted_t"] == pytest.approx(ex["landfill_diverted_t"].sum())


def test_traded_commodities_are_not_valued_at_the_buyers_full_price(sample_plan):
    ex = sample_plan.exchanges
    streams = sample_plan.streams.set_index("stream_id")
    s_cls = streams.loc[ex["supply_stream_id"], "material_class"].to_numpy()
    d_cls = streams.loc[ex["demand_stream_id"], "material_class"].to_numpy()
    sold = ex["supplier_route"] == "sold"
    # a by-product the supplier sells today is valued net of that sale (never below 0)
    assert (ex.loc[sold, "supplier_opportunity_usd"] >= 0).all()
    # scrap to a scrap user at market price saves nothing but transport: never proposed
    for cls in ("ferrous_scrap", "aluminium_scrap"):
        same = (s_cls == cls) & (d_cls == cls)
        assert (ex.loc[same, "net_benefit_usd"] <= 0).all(), cls
    # spent bleaching earth is not offered as feed
    assert not ex["material"].str.contains("bleaching earth", case=False).any()


def test_value_per_company_sits_within_documented_parks(sample_plan):
    t = sample_plan.totals
    r = check_value_per_company(t["net_benefit_usd"], t["n_participating_companies"])
    assert r["within"], r
    assert t["net_benefit_usd_per_company"] == pytest.approx(r["usd_per_company"])


def test_checked_shares_are_reported_and_do_not_regress(sample_plan):
    t = sample_plan.totals
    # measured 0.928 (value) and 0.914 (CO2e) once the hydrogen, sulphuric acid, cement, merchant
    # CO2, compound feed, virgin plastics, aggregates, gypsum and quicklime prices and the
    # hydrogen, cement, quicklime and compound feed factors were checked (0.56 and 0.59 before);
    # issue 17 asks for 0.90 of each (docs/economics.md lists what is still unchecked)
    assert 0.90 <= t["value_checked_share"] <= 1.0
    assert 0.90 <= t["co2e_checked_share"] <= 1.0
