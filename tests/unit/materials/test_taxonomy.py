from __future__ import annotations

import numpy as np
import pytest

from symbioflows.errors import UnknownNodeError
from symbioflows.materials import (
    classes_for_ewc,
    get_material_class,
    load_taxonomy,
    lookup_nace,
    nace_table,
    nace_title,
    normalize_ewc,
    normalize_nace,
    substitution_matrix,
    substitution_score,
)
from symbioflows.materials.taxonomy import MEDIA

REQUIRED_FAMILIES_OR_IDS = [
    "coal_fly_ash", "blast_furnace_slag", "steel_slag", "fgd_gypsum", "ferrous_scrap",
    "aluminium_scrap", "pet_plastic", "hdpe_plastic", "pp_plastic", "pvc_plastic", "cardboard",
    "clean_wood", "glass_cullet", "end_of_life_tyres", "textile_waste", "brewers_spent_grain",
    "whey_dairy_residues", "food_waste", "manure", "sewage_sludge", "spent_solvents",
    "spent_sulphuric_acid", "spent_alkali", "sulphur", "co2_stream", "steam", "waste_heat_low_temp",
    "cooling_water", "treated_wastewater", "excavated_soil", "mixed_cd_waste", "spent_catalysts",
    "waste_oil",
]


def test_size_and_coverage():
    tax = load_taxonomy()
    assert 80 <= len(tax) <= 150
    for cid in REQUIRED_FAMILIES_OR_IDS:
        assert cid in tax
    assert len(set(tax.ids)) == len(tax)


def test_fields_are_consistent():
    for c in load_taxonomy():
        assert c.medium in MEDIA
        assert c.density_t_per_m3 > 0
        assert c.substitutes and all(0 < s.ratio <= 2 for s in c.substitutes)
        assert c.virgin_ef_kg_co2e_per_t > 0
        assert 0 <= c.virgin_price_usd_per_t_low <= c.virgin_price_usd_per_t_high
        for code in c.ewc_codes:
            assert normalize_ewc(code) == code
        for code in c.produced_by_nace + c.used_by_nace:
            lookup_nace(code)
        for key in ("virgin_ef_kg_co2e_per_t", "virgin_price_usd_per_t", "density_t_per_m3"):
            fact = c.facts[key]
            assert fact["source"] in load_taxonomy().sources and 2000 <= fact["year"] <= 2026
        assert c.synonyms and c.label and c.description


def test_taxonomy_agrees_with_the_checked_tables():
    # issue 17: where virgin_factors.csv / reference_prices.csv hold a figure read in its
    # document, the taxonomy carries that figure (source VF / RP, not an estimate), never the
    # rounded recalled one (tools/build_material_taxonomy.py derives them)
    from symbioflows.impact import virgin_factor
    from symbioflows.pricing import price_fact

    tax = load_taxonomy()
    n_ef = n_price = 0
    for c in tax:
        virgin = c.substitutes[0].virgin
        f, p = virgin_factor(virgin), price_fact(virgin, "virgin")
        assert f is not None  # every virgin input has a factor row, checked or not
        assert c.virgin_ef_kg_co2e_per_t == pytest.approx(f.value_kg_co2e)
        if f.checked:
            n_ef += 1
            assert not c.facts["virgin_ef_kg_co2e_per_t"]["estimate"], c.id
        if p is not None and p.checked:
            n_price += 1
            assert c.virgin_price_usd_per_t_low == c.virgin_price_usd_per_t_high
            assert c.virgin_price_usd_per_t_low == pytest.approx(p.value_usd, abs=0.005), c.id
            assert c.facts["virgin_price_usd_per_t"]["source"] == "RP"
    for key, v in tax.virgin_materials.items():
        f = virgin_factor(key)
        assert v["ef_kg_co2e_per_t"] == pytest.approx(f.value_kg_co2e), key
        assert v["ef_estimate"] is not f.checked, key
    assert n_ef >= 70 and n_price >= 40


def test_defra_factors_match_the_shared_file():
    # The classes that cite DEFRA 2025 carry its exact primary-production values.
    assert get_material_class("pet_plastic").virgin_ef_kg_co2e_per_t == pytest.approx(3863.90131)
    assert get_material_class("aluminium_scrap").virgin_ef_kg_co2e_per_t == pytest.approx(9115.90131)
    assert get_material_class("cardboard").facts["virgin_ef_kg_co2e_per_t"]["source"] == "DEFRA25"


def test_substitution_matrix():
    m = substitution_matrix()
    n = len(load_taxonomy())
    assert m.shape == (n, n) and m.dtype == np.float32
    assert np.all(np.diag(m) == 1) and m.min() >= 0 and m.max() <= 1
    assert not m.flags.writeable
    assert substitution_score("pet_plastic", "mixed_plastics") == 0.9
    assert substitution_score("waste_heat_low_temp", "steam") == 0.0 or substitution_score(
        "waste_heat_low_temp", "steam"
    ) < 0.3
    # same virgin input, same medium -> compatible
    assert substitution_score("coal_fly_ash", "blast_furnace_slag") >= 0.7
    # different media never mix unless stated
    assert substitution_score("steam", "ferrous_scrap") == 0.0
    with pytest.raises(UnknownNodeError, match="unknown material class"):
        substitution_score("fly_ash_typo", "steam")


def test_classes_for_ewc_and_to_pandas():
    assert "coal_fly_ash" in [c.id for c in classes_for_ewc("10-01-02")]
    df = load_taxonomy().to_pandas()
    assert len(df) == len(load_taxonomy()) and "virgin_ef_kg_co2e_per_t" in df


def test_nace():
    assert normalize_nace("C24.10") == "24.10"
    assert nace_title(3511) == "Production of electricity"
    assert nace_title("23.5") == "Manufacture of cement, lime and plaster"
    assert len(nace_table()) == 615
    from symbioflows.errors import InvalidInputError

    for bad in ["", "2a10", None, 12345]:
        with pytest.raises(InvalidInputError):
            normalize_nace(bad)
    with pytest.raises(InvalidInputError):
        lookup_nace("99.99")
