"""Units of stream quantities and their conversion to the canonical flows.

Every stream quantity is converted to one of three canonical annual flows, chosen by the
unit's physical dimension:

========== ====================== ======================================
dimension  canonical column       examples of accepted units
========== ====================== ======================================
mass       ``quantity_t_per_yr``  t/yr, tonnes per year, tpa, kg/day, Mg/month, lb/week, kt/yr
energy     ``quantity_mwh_per_yr`` MWh/yr, kWh/day, GJ/yr, GWh/yr, MMBtu/yr, MW (continuous)
volume     ``quantity_m3_per_yr`` m3/yr, m3/h, L/day, ML/yr, kL/month, gal/day, Nm3/h
========== ====================== ======================================

A unit is ``AMOUNT[/PERIOD]`` (``per`` may replace ``/``; spaces are ignored).  A unit
without a period is read as **per year** (``"t"`` is ``"t/yr"``).  A power unit (kW, MW,
GW) is a continuous rate and takes no period.  A volume becomes mass only with a density
(``density_t_per_m3``); without one the stream stays a volume stream.

Conversion factors (exact unless noted)
---------------------------------------
Mass, to tonnes (t = Mg = 1000 kg; SI): kg 1e-3; g 1e-6; kt 1e3; Mt 1e6;
lb 0.45359237e-3 (international avoirdupois pound, exact by the International Yard and Pound
Agreement, 1959); short ton 0.90718474 (2000 lb); long ton 1.0160469088 (2240 lb).

Volume, to m3 (SI): L 1e-3; hL 0.1; kL 1; ML (megalitre) 1e3; GL 1e6; mL 1e-6;
US gallon 3.785411784e-3 (exact, US customary definition: 231 cubic inches);
oil barrel 0.158987294928 (42 US gallons); Nm3 (normal cubic metre of gas) is kept as m3.

Energy, to MWh: Wh 1e-6; kWh 1e-3; GWh 1e3; TWh 1e6; MJ 1/3600; GJ 1/3.6; TJ 1000/3.6
(1 MWh = 3.6 GJ exactly, SI); MMBtu 0.29307107017 (1 Btu_IT = 1055.05585262 J, ISO 31-4 /
International Steam Table Btu); therm 0.029307107017 (100,000 Btu_IT); toe 11.63 (tonne of
oil equivalent = 41.868 GJ, IEA/OECD convention).

Power, to MWh/yr: kW 8.76; MW 8760; GW 8.76e6 (continuous operation, 8760 h/yr).

Periods, occurrences per year (calendar convention used throughout: a 365-day year of
continuous operation): year 1; month 12; week 365/7; day 365; hour 8760.

Examples
--------
>>> from symbioflows.data.units import parse_unit, to_canonical
>>> parse_unit("kg/day")
Unit(text='kg/day', dimension='mass', factor=0.365)
>>> round(to_canonical(2.0, "MW"), 6)
17520.0
>>> parse_unit("tonnes per month").factor
12.0
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from symbioflows.errors import InvalidInputError

__all__ = [
    "Unit",
    "parse_unit",
    "to_canonical",
    "from_canonical",
    "convert_quantities",
    "CANONICAL_UNITS",
    "known_units",
]

#: Canonical unit of each dimension.
CANONICAL_UNITS: dict[str, str] = {"mass": "t/yr", "energy": "MWh/yr", "volume": "m3/yr"}

HOURS_PER_YEAR = 8760.0  # 365 d x 24 h, continuous-operation convention (see module doc)
DAYS_PER_YEAR = 365.0

# -- amounts ---------------------------------------------------------------------------
# Case-sensitive spellings (where case changes the meaning: Mg vs mg, ML vs mL, Mt vs mt).
_AMOUNT_EXACT: dict[str, tuple[str, float]] = {
    "Mg": ("mass", 1.0),
    "Mt": ("mass", 1e6),
    "kt": ("mass", 1e3),
    "ML": ("volume", 1e3),
    "Ml": ("volume", 1e3),
    "GL": ("volume", 1e6),
    "mL": ("volume", 1e-6),
    "ml": ("volume", 1e-6),
}
# Case-insensitive spellings (looked up lower-cased).
_AMOUNT: dict[str, tuple[str, float]] = {
    # mass -> t
    "t": ("mass", 1.0),
    "tonne": ("mass", 1.0),
    "tonnes": ("mass", 1.0),
    "metric_ton": ("mass", 1.0),
    "metric_tons": ("mass", 1.0),
    "metric_tonne": ("mass", 1.0),
    "metric_tonnes": ("mass", 1.0),
    "kg": ("mass", 1e-3),
    "kilogram": ("mass", 1e-3),
    "kilograms": ("mass", 1e-3),
    "g": ("mass", 1e-6),
    "gram": ("mass", 1e-6),
    "grams": ("mass", 1e-6),
    "kilotonne": ("mass", 1e3),
    "kilotonnes": ("mass", 1e3),
    "lb": ("mass", 0.45359237e-3),
    "lbs": ("mass", 0.45359237e-3),
    "pound": ("mass", 0.45359237e-3),
    "pounds": ("mass", 0.45359237e-3),
    "short_ton": ("mass", 0.90718474),
    "short_tons": ("mass", 0.90718474),
    "long_ton": ("mass", 1.0160469088),
    "long_tons": ("mass", 1.0160469088),
    # volume -> m3
    "m3": ("volume", 1.0),
    "cubic_metre": ("volume", 1.0),
    "cubic_metres": ("volume", 1.0),
    "cubic_meter": ("volume", 1.0),
    "cubic_meters": ("volume", 1.0),
    "nm3": ("volume", 1.0),
    "l": ("volume", 1e-3),
    "litre": ("volume", 1e-3),
    "litres": ("volume", 1e-3),
    "liter": ("volume", 1e-3),
    "liters": ("volume", 1e-3),
    "hl": ("volume", 0.1),
    "kl": ("volume", 1.0),
    "megalitre": ("volume", 1e3),
    "megalitres": ("volume", 1e3),
    "gal": ("volume", 3.785411784e-3),
    "gallon": ("volume", 3.785411784e-3),
    "gallons": ("volume", 3.785411784e-3),
    "bbl": ("volume", 0.158987294928),
    "barrel": ("volume", 0.158987294928),
    "barrels": ("volume", 0.158987294928),
    # energy -> MWh
    "wh": ("energy", 1e-6),
    "kwh": ("energy", 1e-3),
    "mwh": ("energy", 1.0),
    "gwh": ("energy", 1e3),
    "twh": ("energy", 1e6),
    "mj": ("energy", 1.0 / 3600.0),
    "gj": ("energy", 1.0 / 3.6),
    "tj": ("energy", 1000.0 / 3.6),
    "mmbtu": ("energy", 0.29307107017),
    "therm": ("energy", 0.029307107017),
    "therms": ("energy", 0.029307107017),
    "toe": ("energy", 11.63),
}
# Power: a continuous rate, converted with 8760 h/yr; takes no period.
_POWER: dict[str, float] = {"kw": 8.76, "mw": 8760.0, "gw": 8.76e6}
# Spellings refused as ambiguous, with the fix.
_AMBIGUOUS: dict[str, str] = {
    "ton": "'ton' is ambiguous (metric tonne, short ton or long ton); write 't', 'short_ton' or 'long_ton'",
    "tons": "'tons' is ambiguous (metric tonne, short ton or long ton); write 't', 'short_ton' or 'long_ton'",
    "mt": "'mt' is ambiguous (metric tonne or megatonne); write 't' or 'Mt'",
    "mg": "'mg' would be milligrams; write 'Mg' for megagrams (= t) or 't'",
}
# Shorthands for a whole unit.
_SHORTHAND: dict[str, str] = {
    "tpy": "t/yr",
    "tpa": "t/yr",
    "tpd": "t/day",
    "tph": "t/h",
    "mtpa": "Mt/yr",
    "ktpa": "kt/yr",
}

# -- periods: occurrences per year ------------------------------------------------------
_PERIOD: dict[str, float] = {}
for _names, _per_year in (
    (("yr", "y", "a", "year", "annum", "pa", "annual"), 1.0),
    (("month", "mo", "mon", "mth"), 12.0),
    (("week", "wk", "w"), DAYS_PER_YEAR / 7.0),
    (("day", "d"), DAYS_PER_YEAR),
    (("hour", "h", "hr"), HOURS_PER_YEAR),
):
    for _n in _names:
        _PERIOD[_n] = _per_year
        _PERIOD[_n + "s"] = _per_year


@dataclass(frozen=True)
class Unit:
    """A parsed unit: ``quantity * factor`` is the canonical annual flow of ``dimension``."""

    text: str
    dimension: str
    factor: float

    @property
    def canonical(self) -> str:
        """The canonical unit: ``t/yr``, ``MWh/yr`` or ``m3/yr``."""
        return CANONICAL_UNITS[self.dimension]


def known_units() -> list[str]:
    """Examples of accepted unit spellings (used to suggest a fix for an unknown unit)."""
    amounts = sorted(set(_AMOUNT) | set(_AMOUNT_EXACT) | {"MWh", "kWh", "GJ", "GWh"})
    out = (
        [f"{a}/yr" for a in amounts]
        + [f"{a}/day" for a in amounts]
        + [f"{a}/month" for a in amounts]
    )
    return out + sorted(_POWER) + sorted(_SHORTHAND)


def _clean(text: str) -> str:
    s = text.strip().replace("³", "3").replace("m^3", "m3").replace("\u00a0", " ")
    s = re.sub(r"\s+per\s+", "/", s, flags=re.IGNORECASE)
    s = re.sub(r"\s*/\s*", "/", s)
    s = re.sub(r"\s+", "_", s)
    return s


def _fail(text: str, why: str) -> InvalidInputError:
    near = difflib.get_close_matches(_clean(text), known_units(), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else ""
    return InvalidInputError(
        f"unknown unit {text!r}: {why}{hint} Use AMOUNT[/PERIOD] with a mass (t, kg, Mg, lb), "
        "volume (m3, L) or energy (MWh, kWh, GJ) amount and a period (yr, month, week, day, h)"
    )


@functools.lru_cache(maxsize=4096)
def parse_unit(text: str) -> Unit:
    """Parse a unit string.

    Parameters
    ----------
    text : str
        For example ``"t/yr"``, ``"kg per day"``, ``"MWh/yr"``, ``"m3/h"``, ``"MW"``.

    Returns
    -------
    Unit
        Its dimension and the factor to the canonical annual unit.

    Raises
    ------
    InvalidInputError
        When the unit is not a string, is empty, unknown or ambiguous; the message names the
        closest accepted spellings.

    Examples
    --------
    >>> parse_unit("GJ/yr").factor == 1 / 3.6
    True
    >>> parse_unit("L/day").dimension
    'volume'
    """
    if not isinstance(text, str):
        raise InvalidInputError(f"unit must be a string; got {text!r}")
    s = _clean(text)
    if not s:
        raise InvalidInputError("unit is empty; write e.g. 't/yr', 'MWh/yr' or 'm3/yr'")
    if s.lower() in _SHORTHAND:
        s = _SHORTHAND[s.lower()]
    parts = s.split("/")
    if len(parts) > 2:
        raise _fail(text, "more than one '/'")
    amount = parts[0].rstrip("_")
    period = parts[1].strip("_").replace(".", "").lower() if len(parts) == 2 else None
    if period is not None and period.startswith("1_"):
        period = period[2:]
    if amount.lower() in _POWER:
        if period is not None:
            raise _fail(
                text,
                f"{amount!r} is a power (a rate already); drop '/{period}' or write MWh/{period}",
            )
        return Unit(text, "energy", _POWER[amount.lower()])
    if amount in _AMOUNT_EXACT:
        dim, fac = _AMOUNT_EXACT[amount]
    elif amount.lower() in _AMBIGUOUS:
        raise InvalidInputError(f"ambiguous unit {text!r}: {_AMBIGUOUS[amount.lower()]}")
    elif amount.lower() in _AMOUNT:
        dim, fac = _AMOUNT[amount.lower()]
    else:
        raise _fail(text, f"amount {amount!r} not recognised")
    per_year = 1.0
    if period is not None:
        if period not in _PERIOD:
            raise _fail(text, f"period {period!r} not recognised")
        per_year = _PERIOD[period]
    return Unit(text, dim, fac * per_year)


def to_canonical(quantity: float, unit: str) -> float:
    """Convert one quantity to its canonical annual flow (t/yr, MWh/yr or m3/yr)."""
    return float(quantity) * parse_unit(unit).factor


def from_canonical(value: float, unit: str) -> float:
    """Inverse of :func:`to_canonical`: express a canonical flow in ``unit``."""
    return float(value) / parse_unit(unit).factor


@dataclass
class ConvertedQuantities:
    """Result of :func:`convert_quantities` (arrays aligned with the input rows)."""

    dimension: npt.NDArray[np.object_]
    t_per_yr: npt.NDArray[np.float64]
    mwh_per_yr: npt.NDArray[np.float64]
    m3_per_yr: npt.NDArray[np.float64]
    #: row -> error message for rows whose unit could not be parsed
    unit_errors: dict[int, str]


def convert_quantities(
    quantity: Any, unit: Any, density_t_per_m3: Any = None
) -> ConvertedQuantities:
    """Vectorised conversion of quantities with per-row units.

    Each distinct unit string is parsed once.  Rows whose unit fails to parse get NaN
    everywhere and an entry in ``unit_errors``.  A volume row with a finite positive density
    also gets ``t_per_yr = m3_per_yr * density``.  Columns that do not apply are NaN.  A
    finite quantity whose conversion overflows (``1e306 kt/yr``) comes out as inf, without a
    warning: :func:`symbioflows.read_dataset` reports such rows (code ``quantity_overflow``).

    Examples
    --------
    >>> c = convert_quantities([1.0, 2.0, 3.0], ["t/yr", "MWh/month", "m3/yr"], [None, None, 0.5])
    >>> c.t_per_yr.tolist(), c.mwh_per_yr.tolist()
    ([1.0, nan, 1.5], [nan, 24.0, nan])
    """
    q = np.asarray(quantity, dtype=np.float64)
    units = np.asarray(unit, dtype=object)
    n = q.shape[0]
    dims = np.empty(n, dtype=object)
    t = np.full(n, np.nan)
    mwh = np.full(n, np.nan)
    m3 = np.full(n, np.nan)
    errors: dict[int, str] = {}
    if n == 0:
        return ConvertedQuantities(dims, t, mwh, m3, errors)
    import pandas as pd

    inv, uniques = pd.factorize(pd.Series(units, dtype=object), use_na_sentinel=False)
    codes: dict[Any, int] = {u: k for k, u in enumerate(uniques)}
    factor = np.full(len(codes), np.nan)
    dim_code = np.full(len(codes), -1, dtype=np.int64)
    dim_names = ("mass", "energy", "volume")
    bad_msg: dict[int, str] = {}
    for u, k in codes.items():
        try:
            parsed = parse_unit(u)
        except InvalidInputError as exc:
            bad_msg[k] = str(exc)
            continue
        factor[k] = parsed.factor
        dim_code[k] = dim_names.index(parsed.dimension)
    fac_row = factor[inv]
    dim_row = dim_code[inv]
    with np.errstate(over="ignore", invalid="ignore"):  # overflow gives inf; callers check
        value = q * fac_row
    t = np.where(dim_row == 0, value, np.nan)
    mwh = np.where(dim_row == 1, value, np.nan)
    m3 = np.where(dim_row == 2, value, np.nan)
    if density_t_per_m3 is not None:
        dens = np.asarray(
            [np.nan if d is None else d for d in density_t_per_m3]
            if not isinstance(density_t_per_m3, np.ndarray)
            else density_t_per_m3,
            dtype=np.float64,
        )
        ok = (dim_row == 2) & np.isfinite(dens) & (dens > 0)
        with np.errstate(over="ignore", invalid="ignore"):
            t = np.where(ok, m3 * np.where(ok, dens, 0.0), t)
    names = np.array(dim_names + (None,), dtype=object)
    dims = names[dim_row]
    if bad_msg:
        for row in np.flatnonzero(dim_row < 0):
            errors[int(row)] = bad_msg[int(inv[row])]
    return ConvertedQuantities(dims, t, mwh, m3, errors)
