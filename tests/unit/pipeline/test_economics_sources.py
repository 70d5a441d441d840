"""One home per figure (issue 17): a demand known only by its need, and avoided_burden for a
taxonomy class, take the same sourced prices and factors as the rest of the plan."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from symbioflows.impact import avoided_burden, virgin_factor
from symbioflows.pipeline.economics import demand_prices
from symbioflows.pricing import price_fact


def _needs(*ids):
    return pd.DataFrame({"material_class": [None] * len(ids), "need": list(ids),
                         "material": [""] * len(ids)})


def test_need_demands_use_the_sourced_tables_and_their_checked_flags():
    prices, fac, ok = demand_prices(
        _needs("coal", "fresh_water", "virgin_solvent", "portland_cement"))
    # coal and water: reference_prices.csv / virgin_factors.csv rows, checked
    assert prices["avoided_usd_per_unit"][0] == pytest.approx(price_fact("coal").value_usd)
    assert prices["avoided_usd_per_unit"][1] == pytest.approx(price_fact("fresh_water").value_usd)
    assert prices["price_checked"].tolist()[:2] == [True, True]
    assert fac[0] == pytest.approx(virgin_factor("coal").value_kg_co2e)  # 2,395.29, not 2,400
    assert bool(ok[0])
    # solvent: no sourced price row (recalled midpoint) and an unchecked factor; both say so
    assert prices["avoided_usd_per_unit"][2] == pytest.approx(1150.0)
    assert not prices["price_checked"][2] and "recalled" in prices["price_source"][2]
    assert not bool(ok[2])  # was counted as checked before: the CO2e share was overstated
    assert fac[2] == pytest.approx(virgin_factor("virgin_solvent").value_kg_co2e)
    # cement: checked price (USGS composite) and checked factor (CBAM default) since issue 17
    assert prices["avoided_usd_per_unit"][3] == pytest.approx(price_fact("portland_cement").value_usd)
    assert bool(prices["price_checked"][3]) and bool(ok[3])
    assert fac[3] == pytest.approx(810.0)


def test_avoided_burden_of_a_class_uses_the_virgin_factor_table():
    # refuse-derived fuel replaces 0.6 t of coal per t: DESNZ 2025 coal (industrial)
    r = avoided_burden(quantity_t=1, material_class="refuse_derived_fuel", disposal_route="none")
    coal = virgin_factor("coal")
    assert r.co2e_avoided_kg == pytest.approx(0.6 * coal.value_kg_co2e)
    prod = [f for f in r.factors if "virgin production" in f.name][0]
    assert "DESNZ" in prod.source and "[checked]" in prod.source
    assert np.isfinite(r.co2e_avoided_kg)
