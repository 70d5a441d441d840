from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from symbioflows.errors import InvalidInputError
from symbioflows.impact import (
    aggregate_impacts,
    avoided_burden,
    disposal_factor,
    impacts_table,
    material_factor,
    project_impacts,
)
from symbioflows.logistics import cost_route

ALU = "Metal: aluminium cans and foil (excl. forming)"


def test_closed_loop_aluminium_is_8120_8():
    # DEFRA 2025: primary production 9,115.90131 - closed-loop source 995.07790 = 8,120.82341
    r = avoided_burden(quantity_t=1, material=ALU, disposal_route="none")
    assert r.co2e_avoided_kg == pytest.approx(9115.90131 - 995.0779, abs=1e-9)
    assert round(r.co2e_avoided_kg, 1) == 8120.8
    names = [f.name for f in r.factors]
    assert any("Primary material production" in n for n in names)
    assert any("Closed-loop source" in n for n in names)
    assert all("DEFRA" in f.source or f.source == "-" for f in r.factors)
    assert "8,120.8" in r.explain()


def test_hand_worked_full_balance():
    # 1,000 t aluminium, 250 km by truck (19,500 kg CO2e), diverted from landfill:
    #   virgin   1000 * 9115.90131 = 9,115,901.31
    #   disposal 1000 * 8.98311    =     8,983.11   (DEFRA landfill, aluminium cans)
    #   reproc.  1000 * 995.0779   =   995,077.90
    #   avoided  = 9,115,901.31 + 8,983.11 - 19,500 - 995,077.90 = 8,110,306.52
    t = cost_route((51, 0), (52, 0), quantity=1000, mode="road_articulated", distance_km=250)
    r = avoided_burden(quantity_t=1000, material=ALU, transport_co2e_kg=t.co2e_kg,
                       supplier_saving_usd=5000, receiver_saving_usd=7000)
    assert r.co2e_avoided_kg == pytest.approx(8_110_306.52, abs=0.01)
    assert r.diverted_from_landfill_t == 1000 and r.virgin_material_saved_t == 1000
    assert r.supplier_saving_usd == 5000


def test_taxonomy_class_uses_substitution_ratio():
    r = avoided_burden(quantity_t=10, material_class="aluminium_scrap", disposal_route="none")
    # taxonomy: 0.9 t primary aluminium replaced per t, EF 9,115.90131
    assert r.virgin_displaced_kg == pytest.approx(10 * 0.9 * 9115.90131)
    assert any("substitution" in f.name for f in r.factors)


def test_factor_lookups_and_errors():
    assert material_factor(ALU, "closed_loop").value == 995.0779
    assert disposal_factor("Wood", "landfill").value == 925.34348
    assert disposal_factor("Wood", "incineration").value > 0
    with pytest.raises(InvalidInputError, match="available"):
        material_factor("Unobtainium")
    with pytest.raises(InvalidInputError, match="route"):
        disposal_factor("Wood", "ocean")
    with pytest.raises(InvalidInputError, match="quantity_t"):
        avoided_burden(quantity_t=float("nan"), material=ALU)
    with pytest.raises(InvalidInputError, match="pass material"):
        avoided_burden(quantity_t=1)


def _table():
    return pd.DataFrame({
        "supplier_company_id": ["A", "A", "B"],
        "receiver_company_id": ["B", "C", "C"],
        "chain_id": [1, 1, 2],
        "region": ["north", "south", "north"],
        "quantity_t": [10.0, 20.0, 5.0],
        "production_factor_kg_per_t": [1000.0, 500.0, 2000.0],
        "substitution_ratio": [1.0, 0.5, 1.0],
        "disposal_factor_kg_per_t": [100.0, 0.0, 10.0],
        "reprocessing_kg_per_t": [50.0, 10.0, 0.0],
        "transport_co2e_kg": [30.0, 40.0, 5.0],
        "supplier_saving_usd": [1.0, 2.0, 3.0],
        "receiver_saving_usd": [10.0, 20.0, 30.0],
    })


def test_table_aggregates_and_order_independence():
    t = impacts_table(_table())
    # row 0: 10*1000 + 10*100 - 30 - 10*50 = 10,470
    assert t["co2e_avoided_kg"].iloc[0] == pytest.approx(10_470)
    by_region = aggregate_impacts(t, "region")
    assert by_region.set_index("region").loc["north", "n_exchanges"] == 2
    comp = aggregate_impacts(t, "company").set_index("company_id")
    assert comp["co2e_avoided_kg"].sum() == pytest.approx(t["co2e_avoided_kg"].sum())
    assert comp.loc["A", "saving_usd"] == 3.0 and comp.loc["C", "saving_usd"] == 50.0
    shuffled = impacts_table(_table().sample(frac=1, random_state=3))
    a = aggregate_impacts(shuffled, "chain_id").set_index("chain_id")
    b = aggregate_impacts(t, "chain_id").set_index("chain_id")
    assert np.allclose(a.to_numpy(), b.to_numpy())
    bad = _table()
    bad.loc[1, "quantity_t"] = np.nan
    with pytest.raises(InvalidInputError, match="row 1 column 'quantity_t'"):
        impacts_table(bad)


def test_projection():
    r = avoided_burden(quantity_t=100, production_factor_kg_per_t=1000, disposal_route="none")
    p = project_impacts(r, years=4, ramp_up_years=2, production_decarbonisation=0.1)
    assert p["year"].tolist() == [2026, 2027, 2028, 2029]
    assert p["quantity_t"].tolist() == [50.0, 100.0, 100.0, 100.0]
    assert p["co2e_avoided_kg"].iloc[2] == pytest.approx(100_000 * 0.81)
    assert p["cumulative_co2e_avoided_kg"].iloc[-1] == pytest.approx(p["co2e_avoided_kg"].sum())
