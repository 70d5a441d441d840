from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbioflows.errors import InvalidInputError, UnknownNodeError
from symbioflows.logistics import cost_route
from symbioflows.pricing import (
    disposal_cost_usd_per_t,
    price_bands,
    price_exchange,
    viability_sensitivity,
)

money = st.floats(-1e4, 1e4, allow_nan=False)
pos = st.floats(0, 1e4, allow_nan=False)


def test_hand_worked_band_with_truck_transport():
    # 1,000 t of clean waste wood (landfilled today, not a traded by-product) over 250 km by
    # articulated truck: transport 19,834.98 USD = 19.83498 USD/t (see test_costing).  UK
    # supplier: disposal = (126.15 tax + 26 WRAP median gate fee) GBP x 1.2781 = 194.462915
    # USD/t.  Virgin price given 2,400 USD/t, substitution 0.9 (taxonomy):
    #   floor   = -194.462915
    #   ceiling = 0.9 * 2400 - 19.83498 = 2140.16502
    #   surplus = 2334.627935;  price (w = 0.3) = -194.462915 + 0.3 * 2334.627935 = 505.925466
    t = cost_route((51, 0), (52, 0), quantity=1000, mode="road_articulated", distance_km=250)
    b = price_exchange(quantity_t=1000, supplier_country="GB", material_class="clean_wood",
                       virgin_price_usd_per_t=2400, transport_usd_per_t=t.cost_usd_per_t,
                       supplier_share=0.3)
    assert b.components["substitution_ratio"] == 0.9
    assert b.floor_usd_per_t == pytest.approx(-194.462915, abs=1e-6)
    assert b.ceiling_usd_per_t == pytest.approx(2140.16502, abs=1e-5)
    assert b.price_usd_per_t == pytest.approx(505.925466, abs=1e-5)
    assert b.viable
    assert b.supplier_gain_usd == pytest.approx(1000 * 0.3 * b.surplus_usd_per_t)
    assert b.receiver_gain_usd == pytest.approx(1000 * 0.7 * b.surplus_usd_per_t)
    assert "HM Treasury" in b.sources["disposal"]


def test_traded_by_product_is_priced_at_its_market_on_both_sides():
    # glass cullet: Eurostat 2024 95 EUR/t x 1.0824 = 102.828 USD/t, the same fact the plan's
    # valuation uses (pricing.market); the supplier forgoes that sale, the receiver would pay it
    from symbioflows.pricing import traded_price

    fact = traded_price("glass_cullet")
    b = price_exchange(quantity_t=500, material_class="glass_cullet", supplier_country="GB",
                       transport_usd_per_t=8.0)
    assert b.floor_usd_per_t == pytest.approx(fact.value_usd)
    assert b.ceiling_usd_per_t == pytest.approx(fact.value_usd - 8.0)
    assert not b.viable and b.surplus_usd_per_t == pytest.approx(-8.0)
    assert b.sources["supplier_route"] == "sold" and "Eurostat" in b.sources["market_price"]
    # a stated disposal cost and virgin price still win over the table
    g = price_exchange(quantity_t=1, material_class="glass_cullet", disposal_cost_usd_per_t=10,
                       virgin_price_usd_per_t=100)
    assert g.floor_usd_per_t == -10.0 and g.ceiling_usd_per_t == pytest.approx(120.0)


def test_virgin_prices_come_from_the_sourced_table():
    # waste heat replaces gas-boiler heat: the reference_prices.csv row (World Bank 2023 gas /
    # 0.90), not the taxonomy's recalled range; no landfill route for heat
    from symbioflows.pricing import price_fact, virgin_price

    b = price_exchange(quantity_t=10, material_class="waste_heat_low_temp", supplier_country="NL")
    assert b.ceiling_usd_per_t == pytest.approx(price_fact("gas_heat").value_usd)
    assert b.floor_usd_per_t == 0.0 and b.sources["supplier_route"] == "none"
    assert "World Bank" in b.sources["virgin_price"]
    assert virgin_price("waste_heat_low_temp")[0] == b.components["virgin_usd_per_t"]
    with pytest.raises(InvalidInputError, match="price_point"):
        price_exchange(quantity_t=1, material_class="coal_fly_ash", price_point="top")


def test_taxonomy_price_range_and_points():
    # waste oil replaces base oil, which has no sourced price row: recalled range (bottom ash ->
    # aggregates and fly ash -> cement have checked rows since issue 17, so no range there)
    lo = price_exchange(quantity_t=1, disposal_cost_usd_per_t=0,
                        material_class="waste_oil", price_point="low",
                        substitution_ratio=1.0)
    hi = price_exchange(quantity_t=1, disposal_cost_usd_per_t=0,
                        material_class="waste_oil", price_point="high",
                        substitution_ratio=1.0)
    assert lo.ceiling_usd_per_t == 800.0 and hi.ceiling_usd_per_t == 1300.0
    assert "taxonomy" in lo.sources["virgin_price"]


def test_empty_band_has_reason():
    b = price_exchange(quantity_t=10, disposal_cost_usd_per_t=5, virgin_price_usd_per_t=20,
                       transport_usd_per_t=40)
    assert not b.viable and b.empty and math.isnan(b.price_usd_per_t)
    assert "no surplus" in b.reason and b.surplus_usd_per_t == pytest.approx(-15)


def test_currency_conversion():
    b = price_exchange(quantity_t=1, disposal_cost_usd_per_t=100, virgin_price_usd_per_t=100,
                       currency="EUR")
    assert b.components["disposal_usd_per_t"] == pytest.approx(108.24)
    with pytest.raises(InvalidInputError, match="unknown currency"):
        price_exchange(quantity_t=1, disposal_cost_usd_per_t=1, virgin_price_usd_per_t=1,
                       currency="XYZ")


def test_disposal_table_default():
    assert disposal_cost_usd_per_t("ZZ")["country_used"] == "default"
    assert disposal_cost_usd_per_t("DE")["landfill_tax_usd_per_t"] == 0.0


def test_bad_inputs():
    with pytest.raises(InvalidInputError, match="nan"):
        price_exchange(quantity_t=1, disposal_cost_usd_per_t=float("nan"),
                       virgin_price_usd_per_t=1)
    with pytest.raises(InvalidInputError, match="supplier_share"):
        price_exchange(quantity_t=1, disposal_cost_usd_per_t=1, virgin_price_usd_per_t=1,
                       supplier_share=1.5)
    with pytest.raises(InvalidInputError, match="virgin_price_usd_per_t or a material_class"):
        price_exchange(quantity_t=1, disposal_cost_usd_per_t=1)
    with pytest.raises(UnknownNodeError):
        price_exchange(quantity_t=1, disposal_cost_usd_per_t=1, material_class="unobtainium")
    with pytest.raises(InvalidInputError, match="position 1"):
        price_bands([1.0, float("nan")], [1.0, 1.0])
    with pytest.raises(InvalidInputError, match="quantity_t"):
        price_exchange(quantity_t=-1, disposal_cost_usd_per_t=1, virgin_price_usd_per_t=1)


@settings(max_examples=300)
@given(money, money, pos, st.floats(0, 3), pos, pos, st.floats(0, 1))
def test_band_empty_exactly_when_surplus_negative(disp, virgin, tr, sub, ps, pr, w):
    b = price_exchange(quantity_t=1, disposal_cost_usd_per_t=disp, virgin_price_usd_per_t=virgin,
                       transport_usd_per_t=tr, substitution_ratio=sub,
                       supplier_pretreatment_usd_per_t=ps, receiver_pretreatment_usd_per_t=pr,
                       supplier_share=w)
    assert b.viable == (b.surplus_usd_per_t >= 0)
    assert b.viable == (b.floor_usd_per_t <= b.ceiling_usd_per_t)
    if b.viable:
        assert b.floor_usd_per_t - 1e-9 <= b.price_usd_per_t <= b.ceiling_usd_per_t + 1e-9
    v = price_bands([disp], [virgin], transport_usd_per_t=[tr], substitution_ratio=[sub],
                    supplier_pretreatment_usd_per_t=[ps], receiver_pretreatment_usd_per_t=[pr],
                    supplier_share=w)
    assert bool(v.viable[0]) == b.viable
    assert v.surplus_usd_per_t[0] == pytest.approx(b.surplus_usd_per_t)


@settings(max_examples=50)
@given(st.integers(0, 2**32 - 1))
def test_price_bands_row_order(seed):
    rng = np.random.default_rng(seed)
    d, v, t = rng.normal(50, 50, 30), rng.normal(100, 80, 30), rng.uniform(0, 80, 30)
    p = rng.permutation(30)
    a = price_bands(d, v, transport_usd_per_t=t)
    b = price_bands(d[p], v[p], transport_usd_per_t=t[p])
    assert np.array_equal(a.viable[p], b.viable)
    assert np.allclose(a.surplus_usd_per_t[p], b.surplus_usd_per_t)


def test_sensitivity_seeded_and_monotone():
    kw = dict(quantity_t=200, distance_km=700, disposal_cost_usd_per_t=0,
              virgin_price_usd_per_t_low=30, virgin_price_usd_per_t_high=120)
    a = viability_sensitivity(**kw, rng=1, n_samples=500)
    b = viability_sensitivity(**kw, rng=1, n_samples=500)
    assert np.array_equal(a.surplus_samples, b.surplus_samples)
    assert 0 < a.probability_viable < 1
    tor = a.tornado.set_index("factor")
    # longer distance -> more transport -> less surplus; more quantity -> fewer fixed costs/t
    assert tor.loc["distance", "surplus_high"] < tor.loc["distance", "surplus_low"]
    assert tor.loc["virgin_price", "surplus_high"] > tor.loc["virgin_price", "surplus_low"]
    with pytest.raises(InvalidInputError, match="high < low"):
        viability_sensitivity(**{**kw, "virgin_price_usd_per_t_high": 1}, rng=0)
