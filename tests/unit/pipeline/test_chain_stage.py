"""The plan's chain stage (issue 17): a loop that trades one material back and forth is not a
circular chain; loops of two or more materials are reported."""

from __future__ import annotations

import pandas as pd
import pytest

from symbioflows.errors import InvalidInputError
from symbioflows.pipeline.chains import chain_stage


def _exchanges(rows):
    return pd.DataFrame(
        rows,
        columns=["supply_company_id", "demand_company_id", "material", "score", "quantity",
                 "transport_cost_usd", "co2e_avoided_kg"],
    )


def test_one_material_back_and_forth_is_not_a_chain():
    ex = _exchanges([
        ("C1", "C2", "steel scrap", 0.9, 100.0, 10.0, 5.0),
        ("C2", "C1", "steel scrap", 0.9, 80.0, 10.0, 5.0),
    ])
    assert chain_stage(ex, 4, n_jobs=1).empty
    # the same loop is found when one material is allowed (the rule is the filter)
    one = chain_stage(ex, 4, n_jobs=1, min_materials=1)
    assert len(one) == 1 and one["materials"][0] == "steel scrap | steel scrap"


def test_loops_of_two_materials_are_kept_and_the_degenerate_one_dropped():
    ex = _exchanges([
        ("C1", "C2", "blast furnace slag", 0.8, 100.0, 10.0, 5.0),
        ("C2", "C3", "waste heat", 0.7, 50.0, 10.0, 5.0),
        ("C3", "C1", "process water", 0.6, 40.0, 10.0, 5.0),
        ("C3", "C2", "steel scrap", 0.95, 30.0, 10.0, 5.0),
        ("C2", "C3", "steel scrap", 0.95, 30.0, 10.0, 5.0),
    ])
    out = chain_stage(ex, 4, n_jobs=1)
    mats = [set(m.split(" | ")) for m in out["materials"]]
    assert {"blast furnace slag", "waste heat", "process water"} in mats
    assert {"steel scrap"} not in mats
    # C2 -> C3 (heat) -> C2 (scrap) has two materials: a real loop
    assert {"waste heat", "steel scrap"} in mats


def test_material_class_wins_over_the_text():
    # two texts of one class: still one material
    ex = _exchanges([
        ("C1", "C2", "HMS 1 scrap", 0.9, 100.0, 10.0, 5.0),
        ("C2", "C1", "shredded steel", 0.9, 80.0, 10.0, 5.0),
    ]).assign(material_class=["ferrous_scrap", "ferrous_scrap"])
    assert chain_stage(ex, 4, n_jobs=1).empty
    assert len(chain_stage(ex.drop(columns="material_class"), 4, n_jobs=1)) == 1


@pytest.mark.parametrize("bad", [0, -1])
def test_min_materials_is_validated(bad):
    ex = _exchanges([("C1", "C2", "a", 0.9, 1.0, 1.0, 1.0), ("C2", "C1", "b", 0.9, 1.0, 1.0, 1.0)])
    with pytest.raises(InvalidInputError, match="min_materials"):
        chain_stage(ex, 4, n_jobs=1, min_materials=bad)
