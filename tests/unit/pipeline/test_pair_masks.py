"""The allocation's per-pair masks read the pairs in blocks (issue 16, memory at 1M streams):
``compliance_blocked`` and ``pair_values`` equal a plain per-pair evaluation whatever the
block size; the choice probabilities of ``expected_net_benefit`` equal a per-supply softmax
computed pair by pair."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbioflows.compliance import compliance_filter
from symbioflows.matching.candidates import CandidatePairs
from symbioflows.pipeline.allocation import choice_probabilities, pair_values
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


@pytest.mark.parametrize("objective", ["net_benefit", "co2e", "landfill"])  # expected: below
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


def _choice_reference(score: np.ndarray, supply: np.ndarray, usable: np.ndarray,
                      outside: float | None = None) -> np.ndarray:
    """Per supply, pair by pair: exp(logit) / (sum of exp(logit) over its usable pairs, plus
    exp(outside) when given)."""
    out = np.zeros(score.size)
    for s in set(supply.tolist()):
        idx = [k for k in range(score.size) if supply[k] == s and usable[k]]
        z = {k: math.log(min(max(score[k], 1e-15), 1 - 1e-15))
             - math.log1p(-min(max(score[k], 1e-15), 1 - 1e-15)) for k in idx}
        top = max([*z.values(), *([outside] if outside is not None else [])], default=0.0)
        tot = sum(math.exp(v - top) for v in z.values())
        if outside is not None:
            tot += math.exp(outside - top)
        for k in idx:
            out[k] = math.exp(z[k] - top) / tot
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.floats(0.0, 1.0), st.booleans()), min_size=1,
                max_size=40),
       st.sampled_from([1, 3, 1 << 22]))
def test_choice_probabilities_equal_a_per_supply_softmax(rows, block) -> None:
    supply = np.array([r[0] for r in rows])
    score = np.array([r[1] for r in rows])
    usable = np.array([r[2] for r in rows])
    got = choice_probabilities(score, supply, usable, 6, block=block)
    np.testing.assert_allclose(got, _choice_reference(score, supply, usable), rtol=1e-9,
                               atol=1e-12)
    for s in set(supply[usable].tolist()):  # a distribution over each supply's usable pairs
        assert got[(supply == s) & usable].sum() == pytest.approx(1.0)
    assert (got[~usable] == 0).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.floats(0.0, 1.0), st.booleans()), min_size=1,
                max_size=40),
       st.sampled_from([1, 3, 1 << 22]), st.floats(-40.0, 40.0))
def test_choice_probabilities_with_an_outside_alternative(rows, block, outside) -> None:
    supply = np.array([r[0] for r in rows])
    score = np.array([r[1] for r in rows])
    usable = np.array([r[2] for r in rows])
    got = choice_probabilities(score, supply, usable, 6, block=block, outside=outside)
    np.testing.assert_allclose(got, _choice_reference(score, supply, usable, outside),
                               rtol=1e-9, atol=1e-12)
    plain = choice_probabilities(score, supply, usable, 6, block=block)
    assert (got <= plain + 1e-12).all()  # "none of these" only takes probability away
    for s in set(supply[usable].tolist()):  # the rest is the outside alternative's
        assert 0.0 <= got[(supply == s) & usable].sum() < 1.0 + 1e-12
    assert (got[~usable] == 0).all()


@pytest.mark.parametrize("block", [1, 7, 1 << 22])
def test_expected_net_benefit_is_the_surplus_times_the_choice_probability(block: int) -> None:
    sup, dem, cand = _region(3)
    rng = np.random.default_rng(5)
    n = len(cand)
    cdf = pd.DataFrame({"surplus_usd_per_t": rng.normal(10, 20, n),
                        "co2e_avoided_kg_per_t": rng.normal(50, 100, n),
                        "score": rng.random(n), "compliance_blocked": rng.random(n) < 0.2})
    plain = pair_values(cdf, sup, dem, cand, objective="net_benefit", min_score=0.3)
    usable = (cdf["score"].to_numpy() >= 0.3) & ~cdf["compliance_blocked"].to_numpy() & (
        sup["unit"].to_numpy(object)[cand.supply] == dem["unit"].to_numpy(object)[cand.demand])
    want = plain * _choice_reference(cdf["score"].to_numpy(), cand.supply, usable)
    got = pair_values(cdf, sup, dem, cand, objective="expected_net_benefit", min_score=0.3,
                      block=block)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_expected_net_benefit_sends_the_flow_to_the_likely_partner() -> None:
    # one supply, two receivers with room for all of it: the surplus alone prefers the
    # unlikely one (12 > 10 USD/t); weighted by the choice probability the likely one wins
    from symbioflows.matching.allocation import allocate

    sup = pd.DataFrame({"unit": ["t"], "qty": [100.0]})
    dem = pd.DataFrame({"unit": ["t", "t"], "qty": [500.0, 500.0]})
    cand = CandidatePairs(np.array([0, 0]), np.array([0, 1]), np.array([5.0, 5.0]),
                          np.array([1.0, 1.0]))
    cdf = pd.DataFrame({"surplus_usd_per_t": [10.0, 12.0], "score": [0.9, 0.2],
                        "compliance_blocked": [False, False]})
    flows = {}
    for obj in ("net_benefit", "expected_net_benefit"):
        v = pair_values(cdf, sup, dem, cand, objective=obj, min_score=0.0)
        flows[obj] = allocate(sup["qty"].to_numpy(), dem["qty"].to_numpy(), cand.supply,
                              cand.demand, v).flows_t.round(6).tolist()
    assert flows == {"net_benefit": [0.0, 100.0], "expected_net_benefit": [100.0, 0.0]}


def test_the_command_line_offers_the_plans_objectives_and_default() -> None:
    import argparse

    from symbioflows.matching._cli import add_plan_arguments
    from symbioflows.pipeline.allocation import DEFAULT_OBJECTIVE, OBJECTIVES

    p = argparse.ArgumentParser()
    add_plan_arguments(p)
    action = next(a for a in p._actions if a.dest == "objective")
    assert tuple(action.choices) == OBJECTIVES and action.default == DEFAULT_OBJECTIVE
