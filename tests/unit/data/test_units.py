"""Unit parsing and conversion: known factors, round trips and monotonicity (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbioflows.data.units import (
    convert_quantities,
    from_canonical,
    parse_unit,
    to_canonical,
)
from symbioflows.errors import InvalidInputError

CASES = [
    ("t/yr", "mass", 1.0),
    ("t", "mass", 1.0),
    ("tonnes per year", "mass", 1.0),
    ("Mg/yr", "mass", 1.0),
    ("kt/a", "mass", 1000.0),
    ("tpa", "mass", 1.0),
    ("tpd", "mass", 365.0),
    ("kg/day", "mass", 0.365),
    ("kg / d", "mass", 0.365),
    ("t/month", "mass", 12.0),
    ("t/week", "mass", 365 / 7),
    ("t/h", "mass", 8760.0),
    ("lb/yr", "mass", 0.45359237e-3),
    ("short_ton/yr", "mass", 0.90718474),
    ("m3/yr", "volume", 1.0),
    ("m³/h", "volume", 8760.0),
    ("L/day", "volume", 0.365),
    ("ML/yr", "volume", 1000.0),
    ("mL/yr", "volume", 1e-6),
    ("gal/yr", "volume", 3.785411784e-3),
    ("MWh/yr", "energy", 1.0),
    ("kWh/yr", "energy", 1e-3),
    ("GWh/yr", "energy", 1000.0),
    ("GJ/yr", "energy", 1 / 3.6),
    ("TJ/yr", "energy", 1000 / 3.6),
    ("MMBtu/yr", "energy", 0.29307107017),
    ("toe/yr", "energy", 11.63),
    ("MW", "energy", 8760.0),
    ("kW", "energy", 8.76),
]


@pytest.mark.parametrize(("unit", "dim", "factor"), CASES)
def test_known_factors(unit, dim, factor):
    u = parse_unit(unit)
    assert u.dimension == dim
    assert u.factor == pytest.approx(factor, rel=1e-12)


@pytest.mark.parametrize(
    ("unit", "match"),
    [
        ("", "empty"),
        ("bananas", "not recognised"),
        ("ton", "ambiguous"),
        ("mt/yr", "ambiguous"),
        ("mg/yr", "milligrams"),
        ("MW/yr", "power"),
        ("t/yr/day", "more than one"),
        ("t/fortnight", "period"),
        ("tonnes/yaer", "did you mean"),
    ],
)
def test_bad_units(unit, match):
    with pytest.raises(InvalidInputError, match=match):
        parse_unit(unit)


def test_non_string_unit():
    with pytest.raises(InvalidInputError, match="string"):
        parse_unit(5)  # type: ignore[arg-type]


UNITS = [c[0] for c in CASES]
finite_q = st.floats(min_value=0.0, max_value=1e12, allow_nan=False, allow_infinity=False)


@settings(max_examples=200)
@given(q=finite_q, unit=st.sampled_from(UNITS))
def test_round_trip(q, unit):
    back = from_canonical(to_canonical(q, unit), unit)
    assert math.isclose(back, q, rel_tol=1e-12, abs_tol=1e-300)


@settings(max_examples=200)
@given(a=finite_q, b=finite_q, unit=st.sampled_from(UNITS))
def test_monotonic(a, b, unit):
    lo, hi = sorted((a, b))
    assert to_canonical(lo, unit) <= to_canonical(hi, unit)


@settings(max_examples=100)
@given(q=finite_q, u1=st.sampled_from(UNITS), u2=st.sampled_from(UNITS))
def test_same_dimension_conversions_compose(q, u1, u2):
    p1, p2 = parse_unit(u1), parse_unit(u2)
    if p1.dimension != p2.dimension:
        return
    # q in u1 expressed in u2, then canonical: same canonical value
    in_u2 = from_canonical(to_canonical(q, u1), u2)
    assert math.isclose(to_canonical(in_u2, u2), to_canonical(q, u1), rel_tol=1e-12, abs_tol=1e-300)


@settings(max_examples=100)
@given(
    rows=st.lists(
        st.tuples(finite_q, st.sampled_from(UNITS + ["nonsense"])), min_size=0, max_size=30
    ),
    density=st.floats(min_value=0.01, max_value=20),
)
def test_vectorised_matches_scalar(rows, density):
    q = [r[0] for r in rows]
    u = [r[1] for r in rows]
    c = convert_quantities(q, u, [density] * len(rows))
    for i, (qi, ui) in enumerate(rows):
        if ui == "nonsense":
            assert i in c.unit_errors and c.dimension[i] is None
            continue
        p = parse_unit(ui)
        want = qi * p.factor
        col = {"mass": c.t_per_yr, "energy": c.mwh_per_yr, "volume": c.m3_per_yr}[p.dimension]
        assert col[i] == want
        if p.dimension == "volume":
            assert c.t_per_yr[i] == pytest.approx(want * density)
        elif p.dimension == "energy":
            assert np.isnan(c.t_per_yr[i])
