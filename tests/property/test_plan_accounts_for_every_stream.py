"""Property (issue 16): every input stream of a plan appears in a candidate, an exchange or a
finding, whatever is wrong with it (bad or zero quantity, unknown unit or company, duplicate
id, no class, no partner)."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import symbioflows as sf

MATERIALS = [("fly ash", "10 01 02"), ("blast furnace slag", "10 02 02"), ("mystery goo", None),
             ("waste heat", None)]
UNITS = ["t/yr", "kt/yr", "t/month", "MWh/yr", "bananas", None]
QTY = [0.0, 5.0, 120.0, 4000.0, float("nan"), float("inf"), -3.0]


@st.composite
def regions(draw):
    n_comp = draw(st.integers(2, 6))
    n = draw(st.integers(0, 14))
    comp = pd.DataFrame({"company_id": [f"c{k}" for k in range(n_comp)],
                         "lat": [55.0 + 0.05 * draw(st.integers(0, 6)) for _ in range(n_comp)],
                         "lon": [12.0 + 0.05 * draw(st.integers(0, 6)) for _ in range(n_comp)],
                         "country": [draw(st.sampled_from(["DK", "SE"])) for _ in range(n_comp)]})
    rows = []
    for k in range(n):
        mat, ewc = draw(st.sampled_from(MATERIALS))
        rows.append({
            "stream_id": f"s{draw(st.integers(0, n + 2)) if draw(st.booleans()) else k}",
            "company_id": f"c{draw(st.integers(0, n_comp))}",  # c{n_comp} is unknown
            "direction": draw(st.sampled_from(["supply", "demand"])),
            "material": mat, "ewc_code": ewc,
            "quantity": draw(st.sampled_from(QTY)),
            "unit": draw(st.sampled_from(UNITS)),
        })
    cols = ["stream_id", "company_id", "direction", "material", "ewc_code", "quantity", "unit"]
    return comp, pd.DataFrame(rows, columns=cols)


@settings(max_examples=25)
@given(regions(), st.sampled_from([1, 50]))
def test_every_input_stream_is_accounted_for(region, max_per_supply):
    comp, streams = region
    p = sf.plan((comp, streams), chains=False, max_per_supply=max_per_supply)
    seen = set(p.candidates["supply_stream_id"].astype(str)) | set(
        p.candidates["demand_stream_id"].astype(str)) | set(
        p.exchanges["supply_stream_id"]) | set(p.exchanges["demand_stream_id"]) | set(
        p.findings["stream_id"].dropna())
    assert set(streams["stream_id"]) <= seen
    # each row is either planned or left out (and listed), never both, never neither
    assert len(p.streams) + int(p.totals["n_streams_left_out"]) == len(streams)
