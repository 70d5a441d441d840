"""plan.update(new_streams) equals a full recomputation on the combined streams."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sf_test_helpers import load_module
from symbioflows.pipeline import plan

_mod = load_module(Path(__file__).resolve().parents[1] / "unit" / "matching" / "region.py",
                   "_matching_region")
make_test_region = _mod.make_test_region


def _same(a, b):
    cols = ["supply_stream_id", "demand_stream_id", "great_circle_km", "score"]
    ca = a.candidates.sort_values(cols[:2]).reset_index(drop=True)
    cb = b.candidates.sort_values(cols[:2]).reset_index(drop=True)
    pd.testing.assert_frame_equal(ca, cb)
    assert a.allocation.status == b.allocation.status
    np.testing.assert_allclose(a.allocation.objective, b.allocation.objective, rtol=1e-12)
    ea = a.exchanges.sort_values(cols[:2]).reset_index(drop=True)
    eb = b.exchanges.sort_values(cols[:2]).reset_index(drop=True)
    pd.testing.assert_frame_equal(ea, eb)


@settings(max_examples=15)
@given(st.integers(0, 1000), st.integers(1, 59), st.integers(0, 3))
def test_update_equals_full(seed, cut, k):
    comp, streams = make_test_region(15, 60, seed=seed)
    kw = dict(max_per_supply=k, chains=False)
    full = plan((comp, streams), **kw)
    part = plan((comp, streams.iloc[:cut]), **kw)
    upd = part.update(streams.iloc[cut:])
    _same(upd, full)
