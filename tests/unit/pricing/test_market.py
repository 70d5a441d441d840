"""Valuation against each side's real alternative (symbioflows.pricing.market)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from symbioflows.errors import InvalidInputError
from symbioflows.pricing import (
    disposal_cost_usd_per_t,
    receiver_prices,
    reference_prices,
    supplier_alternatives,
    traded_price,
    value_exchanges,
)


def test_every_checked_price_has_a_locator_source_year_and_unit():
    t = reference_prices()
    assert len(t) > 0
    for _, r in t.iterrows():
        assert r["source"] and r["unit"] in ("t", "MWh", "m3") and 2000 <= r["year"] <= 2026
        if r["checked"]:
            assert r["locator"].strip() and math.isfinite(r["value_usd"]) and r["value_usd"] > 0
        elif not math.isfinite(r["value_usd"]):  # an unknown price: only a traded by-product
            assert r["kind"] == "secondary"


def test_traded_by_products_are_recognised_by_class_and_text():
    assert traded_price("ferrous_scrap") is not None
    assert traded_price("food_processing_residues", "rapeseed meal") is not None
    assert traded_price("food_processing_residues", "oilseed press cake") is not None
    assert traded_price("food_processing_residues", "vegetable peelings") is None
    assert traded_price("coal_fly_ash") is None


def test_supplier_alternative_is_sale_disposal_or_nothing():
    s = pd.DataFrame(
        {
            "material_class": [
                "mixed_paper",
                "coal_fly_ash",
                "steam",
                "treated_wastewater",
                "aluminium_scrap",
                "food_processing_residues",
            ],
            "material": ["OCC", "PFA", "LP steam", "effluent", "Al scrap", "vegetable peelings"],
            "medium": ["solid", "solid", "steam", "water", "solid", "solid"],
            "country": ["NL"] * 6,
        }
    )
    a = supplier_alternatives(s)
    assert a["route"].tolist() == ["sold", "landfill", "none", "none", "sold", "landfill"]
    # paper is sold at the Eurostat 2024 price (EUR 156/t), checked
    assert a["opportunity_usd_per_unit"][0] == pytest.approx(156 * 1.0824)
    assert a["opportunity_checked_usd_per_unit"][0] == pytest.approx(156 * 1.0824)
    # fly ash saves the NL landfill tax (EUR 39.71, checked); no published NL gate fee was
    # read, so it is unknown and counted as 0 rather than guessed
    d = disposal_cost_usd_per_t("NL")
    assert not d["gate_fee_known"] and d["gate_fee_usd_per_t"] == 0.0
    assert a["opportunity_usd_per_unit"][1] == pytest.approx(-39.71 * 1.0824)
    assert a["opportunity_checked_usd_per_unit"][1] == pytest.approx(-39.71 * 1.0824)
    assert disposal_cost_usd_per_t("GB")["gate_fee_known"]
    # nothing is claimed for steam or water; an unknown scrap price counts as 0
    assert a["opportunity_usd_per_unit"][2] == 0 and a["opportunity_usd_per_unit"][3] == 0
    assert a["opportunity_usd_per_unit"][4] == 0 and a["opportunity_checked_usd_per_unit"][4] == 0


def test_a_stated_price_wins_and_is_not_counted_as_checked():
    d = pd.DataFrame({"material_class": ["steam", "steam"], "price_usd_per_t": [np.nan, 20.0]})
    r = receiver_prices(d)
    assert r["price_basis"].tolist() == ["virgin", "given"]
    assert r["avoided_usd_per_unit"][1] == 20.0 and not r["price_checked"][1]
    assert r["price_checked"][0]  # derived from the checked World Bank gas price


def test_a_traded_commodity_exchanged_at_market_saves_only_what_the_market_costs():
    # scrap bought at its market price from a yard that would sell it anyway: the exchange is
    # worth minus its transport, never the buyer's full price
    s = pd.DataFrame({"material_class": ["ferrous_scrap"], "medium": ["solid"], "country": ["NL"]})
    d = pd.DataFrame({"material_class": ["ferrous_scrap"]})
    op = supplier_alternatives(s)["opportunity_usd_per_unit"].to_numpy()
    av = receiver_prices(d)["avoided_usd_per_unit"].to_numpy()
    v = value_exchanges(1000.0, av, op, 1.0, 2500.0)
    assert v["net_value_usd"][0] == pytest.approx(-2500.0)


def test_value_exchanges_validates_and_reports_its_checked_basis():
    v = value_exchanges(
        [10.0, 10.0],
        [50.0, 50.0],
        [-20.0, 0.0],
        1.0,
        0.0,
        avoided_checked=[True, False],
        opportunity_checked_usd_per_unit=[-5.0, 0.0],
    )
    assert v["net_value_usd"].tolist() == [700.0, 500.0]
    assert v["value_basis_usd"].tolist() == [700.0, 500.0]
    assert v["value_checked_basis_usd"].tolist() == [550.0, 0.0]
    with pytest.raises(InvalidInputError, match="quantity row 1"):
        value_exchanges([1.0, np.nan], 1.0, 1.0, 1.0, 0.0)
