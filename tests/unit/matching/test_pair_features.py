"""The pair-feature table: one native table that the scorer, the reference and the docs derive
from (issue 15 item 2)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from symbioflows import _core
from symbioflows.errors import InvalidInputError
from symbioflows.matching import _reference as ref
from symbioflows.matching.features import (
    NUM_PAIR_FEATURES,
    PAIR_FEATURE_TABLE,
    PAIR_FEATURES,
    check_feature_names,
    feature_index,
    markdown_table,
)
from symbioflows.pipeline.scoring import DEFAULT_WEIGHTS, resolve_weights

DOCS = Path(__file__).resolve().parents[3] / "docs" / "matching.md"


def test_python_names_come_from_the_native_table():
    assert PAIR_FEATURES == tuple(name for name, _unit, _meaning in _core.PAIR_FEATURES)
    assert NUM_PAIR_FEATURES == _core.NUM_PAIR_FEATURES == len(PAIR_FEATURE_TABLE)
    for k, f in enumerate(PAIR_FEATURE_TABLE):
        assert f.index == k and feature_index(f.name) == k
        assert f.unit and len(f.meaning) > 10


def test_weights_follow_the_table():
    assert set(DEFAULT_WEIGHTS) == set(PAIR_FEATURES)
    w = resolve_weights({"distance_km": -1.0})
    assert w.shape == (NUM_PAIR_FEATURES,) and w[feature_index("distance_km")] == -1.0


def test_docs_table_is_rendered_from_the_native_table():
    text = DOCS.read_text(encoding="utf-8")
    m = re.search(r"<!-- table:pair_features -->\n(.*?)<!-- /table:pair_features -->", text, re.S)
    assert m, "docs/matching.md lacks the pair_features table markers"
    assert m.group(1) == markdown_table(), (
        "docs/matching.md's pair-feature table is stale: paste the output of "
        "symbioflows.matching.features.markdown_table() between the markers")


def test_kernel_columns_are_the_named_features():
    # one pair whose every feature has a distinct, known value: the kernel's column of each
    # name holds that name's value (the reference fills the same names by name)
    s = dict(qty_t=np.array([10.0]), quality=np.array([0.5]), mask=np.array([0b11]),
             disposal_usd_t=np.array([7.0]), disposal_co2e_kg_t=np.array([3.0]),
             fixed_usd_t=np.array([2.0]), usd_per_tkm=np.array([0.1]),
             co2e_kg_per_tkm=np.array([0.05]), hazardous=np.array([1.0]), country=np.array([0]))
    d = dict(qty_t=np.array([40.0]), quality=np.array([0.7]), mask=np.array([0b111]),
             virgin_usd_t=np.array([100.0]), virgin_co2e_kg_t=np.array([500.0]),
             country=np.array([1]))
    w = np.zeros(NUM_PAIR_FEATURES)
    feats, _ = _core.score_pairs(np.array([0]), np.array([0]), np.array([10.0]),
                                 np.array([0.8]), np.array([0.3]), s, d, 1.5, w, 0.0,
                                 link_score=np.array([0.6]),
                                 text_rows=np.array([[0.6, 0.8], [1.0, 0.0]], np.float32),
                                 supply_text=np.array([0]), demand_text=np.array([1]))
    want = {"material_fit": 0.8, "quantity_fit_supply": 1.0, "quantity_fit_demand": 0.25,
            "quality_fit": 0.8, "timing_overlap": 2 / 3, "distance_km": 15.0,
            "log_distance": math.log1p(15.0),
            "transport_usd_per_t": 3.5, "surplus_usd_per_t": 7.0 + 80.0 - 3.5,
            "co2e_avoided_kg_per_t": 3.0 + 400.0 - 0.75, "hazardous": 1.0,
            "cross_border": 1.0, "sector_fit": 0.3, "link_score": 0.6, "text_fit": 0.6}
    assert set(want) == set(PAIR_FEATURES)
    got = {f: feats[0, feature_index(f)] for f in PAIR_FEATURES}
    assert got == pytest.approx(want, rel=1e-7)
    x, _p = ref.score_pair(0, 0, 10.0, 0.8, s, d, 1.5, w, 0.0, 0.3, 0.6, 0.6)
    np.testing.assert_allclose(x, feats[0], rtol=1e-7)


def test_unknown_and_missing_names_are_named():
    with pytest.raises(InvalidInputError, match="unknown pair feature 'nope'"):
        feature_index("nope")
    with pytest.raises(InvalidInputError, match=r"missing \['text_fit'\], unknown \['x'\]"):
        check_feature_names([*PAIR_FEATURES[:-1], "x"], "a table")


def test_text_rows_are_checked():
    s = dict(qty_t=np.array([1.0]), quality=np.array([np.nan]), mask=np.array([0]),
             disposal_usd_t=np.array([0.0]), disposal_co2e_kg_t=np.array([0.0]),
             fixed_usd_t=np.array([0.0]), usd_per_tkm=np.array([0.0]),
             co2e_kg_per_tkm=np.array([0.0]), hazardous=np.array([0.0]), country=np.array([0]))
    d = dict(qty_t=np.array([1.0]), quality=np.array([np.nan]), mask=np.array([0]),
             virgin_usd_t=np.array([0.0]), virgin_co2e_kg_t=np.array([0.0]),
             country=np.array([0]))
    args = (np.array([0]), np.array([0]), np.array([1.0]), np.array([1.0]), np.array([0.0]),
            s, d, 1.0, np.zeros(NUM_PAIR_FEATURES), 0.0)
    rows = np.ones((1, 3), np.float32) / np.sqrt(3)
    with pytest.raises(InvalidInputError, match="pass all three or none"):
        _core.score_pairs(*args, text_rows=rows)
    with pytest.raises(InvalidInputError, match=r"demand_text\[0\] = 1 outside \[-1, 1\)"):
        _core.score_pairs(*args, text_rows=rows, supply_text=np.array([0]),
                          demand_text=np.array([1]))
    bad = rows.copy()
    bad[0, 1] = np.nan
    with pytest.raises(InvalidInputError, match="not finite"):
        _core.score_pairs(*args, text_rows=bad, supply_text=np.array([0]),
                          demand_text=np.array([0]))
    feats, _ = _core.score_pairs(*args, text_rows=rows, supply_text=np.array([-1]),
                                 demand_text=np.array([0]))
    assert feats[0, feature_index("text_fit")] == 0.0
