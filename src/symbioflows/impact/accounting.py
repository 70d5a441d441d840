"""Impact accounting of a set of exchanges: what is additional, what is diverted, what is checked.

* **CO2e** of an exchange = quantity x (receiver's avoided virgin production x material fit -
  the credit the supply already earns without the exchange) - transport.  A traded by-product
  (route ``"sold"``: scrap, meals, sulphur ...) is recycled through the market anyway, so its own
  avoided-production credit is subtracted: moving it to a neighbour instead of the market saves
  only the difference.  Other routes earn no credit today.
* **Landfill diverted** counts only what would otherwise be landfilled (route ``"landfill"``,
  tonnes): never water, steam, heat, electricity, gases, liquids or traded by-products.
* **Totals per medium and unit**: tonnes, MWh and m3 are never added together.
* **Checked shares**: the part of the CO2e (and, with :mod:`symbioflows.pricing.market`, of the
  value) that rests on factors read in their published document, with a locator
  (``symbioflows/data/factors/virgin_factors.csv``; DEFRA freight factors for transport).

Emission factors of virgin production come from ``virgin_factors.csv`` (value, unit, year,
source, locator, checked) keyed by the taxonomy's virgin-input ids; the class factor is the
taxonomy's substitution ratio x that factor.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from symbioflows.errors import InvalidInputError
from symbioflows.logistics._tables import read_factor_csv

__all__ = [
    "VirginFactor",
    "virgin_factors",
    "virgin_factor",
    "avoided_factor",
    "exchange_impacts",
    "totals_by_medium",
    "MEDIUM_UNITS",
    "park_benchmarks",
    "check_value_per_company",
]

#: Media of the plan and the units their quantities come in (water may be given in t or m3).
MEDIUM_UNITS: dict[str, tuple[str, ...]] = {
    "solid": ("t",),
    "liquid": ("t", "m3"),
    "gas": ("t", "MWh"),
    "steam": ("t",),
    "heat": ("MWh",),
    "water": ("t", "m3"),
    "electricity": ("MWh",),
}


@dataclass(frozen=True)
class VirginFactor:
    """kg CO2e of producing one unit of a virgin input, with its document locator."""

    virgin_id: str
    value_kg_co2e: float
    unit: str
    year: int
    source: str
    locator: str
    checked: bool

    def cite(self) -> str:
        status = "checked" if self.checked else "unchecked"
        where = f"; {self.locator}" if self.locator else ""
        return f"{self.source} ({self.year}){where} [{status}]"


@functools.lru_cache(maxsize=1)
def _factors() -> dict[str, VirginFactor]:
    out = {}
    for k, r in enumerate(read_factor_csv("virgin_factors.csv")):
        checked = r["checked"].strip().lower() == "true"
        if checked and not r["locator"].strip():
            raise InvalidInputError(
                f"virgin_factors.csv row {k + 2}: a checked value needs a locator"
            )
        out[r["virgin_id"]] = VirginFactor(
            r["virgin_id"],
            float(r["value_kg_co2e"]),
            r["unit"],
            int(r["year"]),
            r["source"],
            r["locator"],
            checked,
        )
    return out


def virgin_factors() -> pd.DataFrame:
    """The virgin-production emission factors with their sources and locators.

    Examples
    --------
    >>> f = virgin_factors().set_index("virgin_id")
    >>> float(f.loc["primary_aluminium", "value_kg_co2e"]), bool(f.loc["primary_aluminium", "checked"])
    (9115.90131, True)
    """
    return pd.DataFrame([f.__dict__ for f in _factors().values()])


def virgin_factor(virgin_id: Any) -> VirginFactor | None:
    """The table's emission factor of one virgin input (``virgin_factors.csv``), or None.

    This is the one place where production factors are looked up: :func:`avoided_factor`,
    :func:`symbioflows.impact.avoided_burden` and the plan's demands known only by a need use it.

    Examples
    --------
    >>> f = virgin_factor("natural_gas")
    >>> f.value_kg_co2e, f.unit, f.checked
    (182.96, 'MWh', True)
    >>> virgin_factor("unobtainium") is None
    True
    """
    return _factors().get(virgin_id) if isinstance(virgin_id, str) else None


def avoided_factor(material_class: Any) -> tuple[float, bool, str]:
    """kg CO2e of virgin production avoided per unit of a class (ratio x factor of its main
    substitute), whether the factor is checked, and its citation.  Unknown or missing classes
    give ``(0.0, True, ...)``: nothing is claimed.

    Examples
    --------
    >>> v, ok, _ = avoided_factor("aluminium_scrap")
    >>> round(v, 1), ok  # 0.9 x 9,115.9
    (8204.3, True)
    """
    if not isinstance(material_class, str) or not material_class:
        return 0.0, True, "no class: nothing claimed"
    from symbioflows.materials.taxonomy import load_taxonomy

    tax = load_taxonomy()
    if material_class not in tax or not tax[material_class].substitutes:
        return 0.0, True, "class unknown: nothing claimed"
    sub = tax[material_class].substitutes[0]
    f = virgin_factor(sub.virgin)
    if f is None:
        c = tax[material_class]
        return (
            float(c.avoided_ef_kg_co2e_per_t),
            False,
            f"{sub.ratio} x {sub.virgin}: taxonomy figure (unchecked)",
        )
    return sub.ratio * f.value_kg_co2e, f.checked, f"{sub.ratio} x {sub.virgin}: {f.cite()}"


def exchange_impacts(
    quantity: Any,
    unit: Any,
    route: Any,
    material_fit: Any,
    demand_factor_kg: Any,
    supply_factor_kg: Any,
    transport_co2e_kg: Any,
    *,
    demand_factor_checked: Any = True,
    supply_factor_checked: Any = True,
) -> pd.DataFrame:
    """CO2e avoided, landfill diverted and the checked share basis of each exchange.

    Parameters
    ----------
    quantity, unit : array-like
        Quantity exchanged per year and its unit ("t", "MWh", "m3").
    route : array-like of {"sold", "landfill", "none"}
        What the supplier does with the stream today
        (:func:`symbioflows.pricing.market.supplier_alternatives`).
    material_fit : array-like
        Share of the receiver's virgin input that a unit displaces.
    demand_factor_kg, supply_factor_kg : array-like
        :func:`avoided_factor` of the demand's and the supply's class (kg CO2e per unit).
    transport_co2e_kg : array-like
        Transport emissions of each exchange.
    demand_factor_checked, supply_factor_checked : array-like of bool
        Whether each factor was checked in its document.

    Returns
    -------
    pandas.DataFrame
        ``virgin_avoided_kg``, ``already_credited_kg`` (the credit of a traded by-product,
        route "sold"), ``co2e_avoided_kg``, ``landfill_diverted_t``, ``co2e_basis_kg`` (sum of
        the absolute terms) and ``co2e_checked_basis_kg`` (the part of it on checked factors;
        transport uses the DEFRA 2025 freight factors, checked).

    Examples
    --------
    Scrap that a yard would sell anyway, moved to a neighbour's furnace: only the transport
    counts; a landfilled ash replacing aggregate counts in full and is diverted.

    >>> r = exchange_impacts([100.0, 100.0], ["t", "t"], ["sold", "landfill"], [1.0, 1.0],
    ...                      [2700.0, 7.8], [2700.0, 0.0], [50.0, 50.0])
    >>> r["co2e_avoided_kg"].tolist(), r["landfill_diverted_t"].tolist()
    ([-50.0, 730.0], [0.0, 100.0])
    """
    q = np.asarray(quantity, dtype=float)
    n = q.shape[0] if q.ndim else 1
    q = np.broadcast_to(q, (n,)).astype(float)

    def arr(x: Any, dtype: Any = float) -> np.ndarray:
        a = np.asarray(x, dtype=dtype)
        try:
            return np.broadcast_to(a, (n,)).astype(dtype)
        except ValueError as exc:
            raise InvalidInputError(
                f"exchange_impacts: argument of shape {a.shape} does not match {n} exchanges"
            ) from exc

    u = arr(unit, object).astype(str)
    rt = arr(route, object).astype(str)
    bad = ~np.isin(rt, ("sold", "landfill", "none"))
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InvalidInputError(
            f"exchange_impacts: route row {k} is {rt[k]!r}; use 'sold', 'landfill' or 'none'"
        )
    fit, dfac, sfac, tr = (
        arr(x) for x in (material_fit, demand_factor_kg, supply_factor_kg, transport_co2e_kg)
    )
    dchk, schk = arr(demand_factor_checked, bool), arr(supply_factor_checked, bool)
    for name, a in (
        ("quantity", q),
        ("material_fit", fit),
        ("demand_factor_kg", dfac),
        ("supply_factor_kg", sfac),
        ("transport_co2e_kg", tr),
    ):
        badv = np.flatnonzero(~np.isfinite(a))
        if badv.size:
            raise InvalidInputError(f"exchange_impacts: {name} row {int(badv[0])} is {a[badv[0]]}")
    virgin = q * dfac * fit
    credited = np.where(rt == "sold", q * sfac, 0.0)
    co2e = virgin - credited - tr
    basis = np.abs(virgin) + np.abs(credited) + np.abs(tr)
    checked = np.abs(virgin) * dchk + np.abs(credited) * schk + np.abs(tr)
    return pd.DataFrame(
        {
            "virgin_avoided_kg": virgin,
            "already_credited_kg": credited,
            "co2e_avoided_kg": co2e,
            "landfill_diverted_t": np.where((rt == "landfill") & (u == "t"), q, 0.0),
            "co2e_basis_kg": basis,
            "co2e_checked_basis_kg": checked,
        }
    )


def totals_by_medium(medium: Any, unit: Any, quantity: Any) -> dict[str, float]:
    """Quantities per medium and unit as flat fields ``quantity_<medium>_<unit>``.

    Every (medium, unit) pair of :data:`MEDIUM_UNITS` is present (0.0 when absent), so the
    fields are stable; a pair outside it is added too.  Tonnes, MWh and m3 are never summed.

    Examples
    --------
    >>> t = totals_by_medium(["solid", "water", "heat"], ["t", "t", "MWh"], [5.0, 100.0, 2.0])
    >>> t["quantity_solid_t"], t["quantity_water_t"], t["quantity_heat_MWh"], t["quantity_steam_t"]
    (5.0, 100.0, 2.0, 0.0)
    """
    out = {f"quantity_{m}_{u}": 0.0 for m, units in MEDIUM_UNITS.items() for u in units}
    df = pd.DataFrame(
        {
            "m": np.asarray(medium, dtype=object).astype(str),
            "u": np.asarray(unit, dtype=object).astype(str),
            "q": np.asarray(quantity, dtype=float),
        }
    )
    sums = df.groupby(["m", "u"], sort=True)["q"].sum()
    for key, q in zip(sums.index.tolist(), sums.to_numpy(dtype=float)):
        out[f"quantity_{key[0]}_{key[1]}"] = float(q)
    return out


def park_benchmarks() -> pd.DataFrame:
    """Value per participating company and year that documented symbiosis parks report.

    ``symbioflows/data/factors/park_benchmarks.csv``: Kalundborg (USD 72-87 million a year,
    nine companies; Reuters 2015), the Korean national EIP programme (USD 1.68 billion over
    2005-2014, 596 participating firms), NISP UK (GBP 1 billion of cost savings over 2005-2012,
    15,000 members; a floor).  Each row gives its source, a locator (the quoted sentence) and
    how the per-company figure was derived.

    Examples
    --------
    >>> b = park_benchmarks()
    >>> int(b["usd_per_company_per_year"].min()), int(b["usd_per_company_per_year"].max())
    (10651, 9666667)
    """
    rows = read_factor_csv("park_benchmarks.csv")
    df = pd.DataFrame(rows)
    for c in ("value", "usd_per_company_per_year"):
        df[c] = df[c].astype(float)
    for c in ("value_year", "period_years", "companies"):
        df[c] = df[c].astype(int)
    return df


def check_value_per_company(net_benefit_usd: float, n_companies: int) -> dict[str, Any]:
    """Is a plan's value per participating company within what documented parks report?

    Returns ``usd_per_company``, ``low``, ``high`` (the range of :func:`park_benchmarks`),
    ``within`` (bool) and ``ratio_to_high``.

    Examples
    --------
    >>> r = check_value_per_company(5.0e8, 100)
    >>> r["within"], round(r["ratio_to_high"], 2)
    (True, 0.52)
    """
    if n_companies <= 0:
        raise InvalidInputError(f"n_companies must be >= 1; got {n_companies}")
    b = park_benchmarks()["usd_per_company_per_year"]
    per = float(net_benefit_usd) / int(n_companies)
    lo, hi = float(b.min()), float(b.max())
    return {
        "usd_per_company": per,
        "low": lo,
        "high": hi,
        "within": lo <= per <= hi,
        "ratio_to_high": per / hi,
    }
