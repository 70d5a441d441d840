"""Impact accounting: additionality, landfill diversion, per-medium totals, locators."""

from __future__ import annotations

import csv
from importlib import resources

import numpy as np
import pytest

from symbioflows.errors import InvalidInputError
from symbioflows.impact import (
    avoided_factor,
    check_value_per_company,
    exchange_impacts,
    park_benchmarks,
    totals_by_medium,
    virgin_factors,
)


def _defra_material_use() -> dict[str, float]:
    path = resources.files("symbioflows").joinpath("data/factors/defra_2025_material_use.csv")
    with path.open(encoding="utf-8") as f:
        return {
            r["ID"]: float(r["GHG Conversion Factor 2025"])
            for r in csv.DictReader(f)
            if r["GHG Conversion Factor 2025"]
        }


def test_defra_locators_point_at_the_row_with_that_value():
    rows = _defra_material_use()
    f = virgin_factors()
    located = f[f["locator"].str.contains("row ID ")]
    assert len(located) >= 20
    for _, r in located.iterrows():
        ident = r["locator"].split("row ID ")[1].split(" ")[0]
        assert rows[ident] == pytest.approx(r["value_kg_co2e"]), r["virgin_id"]


def test_checked_factors_have_locators_and_unchecked_say_so():
    f = virgin_factors()
    assert (f.loc[f["checked"], "locator"].str.len() > 0).all()
    assert set(f["virgin_id"]) >= {"primary_aluminium", "natural_gas", "portland_cement"}


def test_avoided_factor_is_ratio_times_factor():
    v, ok, cite = avoided_factor("aluminium_scrap")
    assert v == pytest.approx(0.9 * 9115.90131) and ok and "19_504_5104_15_1" in cite
    assert avoided_factor(None) == (0.0, True, "no class: nothing claimed")


def test_traded_supply_earns_no_extra_credit_and_only_landfill_is_diverted():
    r = exchange_impacts(
        quantity=[100.0, 100.0, 1e6, 5e4, 10.0],
        unit=["t", "t", "t", "t", "MWh"],
        route=["sold", "landfill", "none", "none", "none"],
        material_fit=[1.0, 0.5, 1.0, 1.0, 1.0],
        demand_factor_kg=[2700.0, 100.0, 0.2, 152.0, 203.0],
        supply_factor_kg=[2700.0, 0.0, 0.2, 152.0, 203.0],
        transport_co2e_kg=[10.0, 10.0, 0.0, 0.0, 0.0],
        demand_factor_checked=[True, False, False, True, True],
    )
    assert r["co2e_avoided_kg"].tolist() == pytest.approx([-10.0, 4990.0, 2e5, 7.6e6, 2030.0])
    assert r["landfill_diverted_t"].tolist() == [0.0, 100.0, 0.0, 0.0, 0.0]
    # the unchecked factor's share is left out of the checked basis
    assert r["co2e_checked_basis_kg"][1] == pytest.approx(10.0)
    with pytest.raises(InvalidInputError, match="route row 0"):
        exchange_impacts([1.0], ["t"], ["burned"], [1.0], [1.0], [0.0], [0.0])


def test_totals_by_medium_never_add_units_together():
    t = totals_by_medium(
        ["solid", "water", "water", "heat", "gas"],
        ["t", "t", "m3", "MWh", "MWh"],
        [1.0, 2.0, 3.0, 4.0, 5.0],
    )
    assert t["quantity_solid_t"] == 1.0 and t["quantity_water_t"] == 2.0
    assert t["quantity_water_m3"] == 3.0 and t["quantity_heat_MWh"] == 4.0
    assert t["quantity_gas_MWh"] == 5.0 and t["quantity_steam_t"] == 0.0


def test_park_benchmarks_are_sourced_and_the_check_uses_their_range():
    b = park_benchmarks()
    assert {"Kalundborg (DK)", "NISP (UK national programme)"} <= set(b["park"])
    assert (b["source"].str.len() > 0).all() and (b["locator"].str.len() > 0).all()
    derived = (
        b["value"]
        * np.where(b["currency"] == "GBP", 1.2781, 1.0)
        / b["companies"]
        / b["period_years"]
    )
    np.testing.assert_allclose(derived, b["usd_per_company_per_year"], rtol=1e-3)
    assert check_value_per_company(1e7, 1)["within"] is False
    with pytest.raises(InvalidInputError):
        check_value_per_company(1.0, 0)
