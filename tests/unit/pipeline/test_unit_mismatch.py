"""A stream whose every candidate partner is measured in another unit (a heat need given in
tonnes beside a waste-heat supply in MWh) cannot be allocated: the plan says so in its
findings (UNIT-MISMATCH, both streams, with the units and the fix) instead of leaving the pair
in the candidates table with no exchange and no word of why."""

from __future__ import annotations

import pandas as pd


def _region(demand_unit: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    companies = pd.DataFrame({"company_id": ["kiln", "greenhouse"], "sector": ["23.51", "01.13"],
                              "lat": [51.0, 51.01], "lon": [0.0, 0.01],
                              "country": ["GB", "GB"]})
    streams = pd.DataFrame({
        "stream_id": ["s", "d"], "company_id": ["kiln", "greenhouse"],
        "direction": ["supply", "demand"],
        "material": ["waste heat from our kiln exhaust", "heat for our greenhouse"],
        "quantity": [10000.0, 5000.0], "unit": ["MWh/yr", demand_unit]})
    return companies, streams


def test_units_that_cannot_meet_are_a_finding_for_both_streams():
    import symbioflows as sf

    p = sf.plan(_region("t/yr"), chains=False, text_backend="hashing")
    assert len(p.candidates) == 1 and len(p.exchanges) == 0
    f = p.findings[p.findings["rule_id"] == "UNIT-MISMATCH"].set_index("stream_id")
    assert sorted(f.index) == ["d", "s"]
    assert "measured in t and it in MWh" in f.loc["s", "title"]
    assert "measured in MWh and it in t" in f.loc["d", "title"]
    assert "MWh for heat" in f.loc["d", "action"]


def test_matching_units_give_the_exchange_and_no_such_finding():
    import symbioflows as sf

    p = sf.plan(_region("MWh/yr"), chains=False, text_backend="hashing")
    assert len(p.exchanges) == 1
    assert not (p.findings["rule_id"] == "UNIT-MISMATCH").any()
