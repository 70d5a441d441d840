"""The allocation's per-pair masks read the pairs in blocks (issue 16, memory at 1M streams):
``compliance_blocked`` and ``pair_values`` equal a plain per-pair evaluation whatever the
block size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from symbioflows.compliance import compliance_filter
from symbioflows.matching.candidates import CandidatePairs
from symbioflows.pipeline.allocation import pair_values
from symbioflows.pipeline.compliance import compliance_blocked


def _region(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, CandidatePairs]:
    rng = np.random.default_rng(seed)
    ns, nd, m = 40, 30, 600
    codes = np.array(["16 06 01*", "17 04 05", "02 02 03", "10 01 02", None], dtype=object)
    countries = np.array(["DE", "NL", "FR", None], dtype=object)
    routes = np.array(["recovery", "disposal", None], dtype=object)
    units = np.array(["t", "MWh", "m3"], dtype=object)
    sup = pd.DataFrame({"ewc_code": codes[rng.integers(0, len(codes), ns)],
                        "country": countries[rng.integers(0, len(countries), ns)],
                        "treatment_route": routes[rng.integers(0, len(routes), ns)],
                        "unit": units[rng.integers(0, len(units), ns)]})
    dem = pd.DataFrame({"country": countries[rng.integers(0, len(countries), nd)],
                        "treatment_route": routes[rng.integers(0, len(routes), nd)],
                        "food_grade": rng.random(nd) < 0.3,
                        "unit": units[rng.integers(0, len(units), nd)]})
    si = np.sort(rng.integers(0, ns, m))
    di = rng.integers(0, nd, m)
    cand = CandidatePairs(si, di, rng.random(m) * 50, rng.random(m))
    return sup, dem, cand


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("block", [1, 7, 1 << 22])
def test_compliance_blocked_equals_the_rules_pair_by_pair(seed: int, block: int) -> None:
    sup, dem, cand = _region(seed)
    disposal = ((sup["treatment_route"].to_numpy(object)[cand.supply] == "disposal")
                | (dem["treatment_route"].to_numpy(object)[cand.demand] == "disposal"))
    want = compliance_filter(
        sup["ewc_code"].to_numpy(object)[cand.supply],
        sup["country"].to_numpy(object)[cand.supply],
        dem["country"].to_numpy(object)[cand.demand],
        receiver_food_grade=dem["food_grade"].to_numpy(bool)[cand.demand],
        treatment=np.where(disposal, "disposal", "recovery")).blocked
    got = compliance_blocked(sup, dem, cand, block=block)
    assert got.dtype == bool
    assert 0 < got.sum() < len(cand)  # the region exercises both answers
    np.testing.assert_array_equal(got, np.asarray(want, dtype=bool))


@pytest.mark.parametrize("objective", ["net_benefit", "co2e", "landfill"])
@pytest.mark.parametrize("block", [1, 7, 1 << 22])
def test_pair_values_equal_a_per_pair_evaluation(objective: str, block: int) -> None:
    sup, dem, cand = _region(3)
    sup.loc[2, "unit"] = None  # a missing unit matches nothing, not even another missing one
    dem.loc[5, "unit"] = None
    rng = np.random.default_rng(4)
    n = len(cand)
    cdf = pd.DataFrame({"surplus_usd_per_t": rng.normal(10, 20, n),
                        "co2e_avoided_kg_per_t": rng.normal(50, 100, n),
                        "score": rng.random(n), "compliance_blocked": rng.random(n) < 0.2})
    col = {"net_benefit": "surplus_usd_per_t", "co2e": "co2e_avoided_kg_per_t"}.get(objective)
    value = cdf[col].to_numpy() if col else np.ones(n)
    su = sup["unit"].to_numpy(object)[cand.supply]
    du = dem["unit"].to_numpy(object)[cand.demand]
    same = np.array([a is not None and a == b for a, b in zip(su, du)])
    want = np.where((cdf["score"].to_numpy() >= 0.3) & ~cdf["compliance_blocked"].to_numpy()
                    & same, value, 0.0)
    got = pair_values(cdf, sup, dem, cand, objective=objective, min_score=0.3, block=block)
    np.testing.assert_array_equal(got, want)
