"""Avoided-burden impact of exchanges: CO2e, landfill diversion, virgin material, money.

For an exchange of ``q`` tonnes::

    virgin displaced   = q * substitution_ratio * production_factor      (kg CO2e)
    disposal avoided   = q * disposal_factor(route the waste took before) (landfill/incineration)
    reprocessing       = q * reprocessing_factor  (e.g. DEFRA "closed-loop source" production)
    avoided            = virgin displaced + disposal avoided - transport - reprocessing

Factors come from the UK DESNZ/DEFRA 2025 conversion factors shipped in
``symbioflows/data/factors`` (material use: primary production, closed-loop source; waste
disposal: landfill, incineration with energy recovery; Open Government Licence v3.0), or from
the virgin-production table ``virgin_factors.csv`` for a taxonomy class (the figures the plan's
accounting uses), or are given.  Every result carries the
factors it used with their sources.  Closed-loop aluminium: 9,115.9 - 995.1 = 8,120.8 kg CO2e
avoided per tonne.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from symbioflows._validation import check_number
from symbioflows.errors import InvalidInputError
from symbioflows.logistics._tables import read_factor_csv

__all__ = [
    "Factor",
    "ImpactResult",
    "material_factor",
    "disposal_factor",
    "avoided_burden",
    "impacts_table",
    "aggregate_impacts",
    "project_impacts",
    "DEFRA_SOURCE",
]

DEFRA_SOURCE = (
    "UK DESNZ/DEFRA, Greenhouse gas reporting: conversion factors 2025 ({table}); "
    "Open Government Licence v3.0"
)
_ROUTES = {
    "landfill": "Landfill",
    "incineration": "Incineration with Energy Recovery",
    "composting": "Composting",
    "anaerobic_digestion": "Anaerobic digestion",
}
_MATERIAL_COLUMNS = {
    "primary": "Primary material production",
    "closed_loop": "Closed-loop source",
    "open_loop": "Open-loop source",
    "reused": "Re-used",
}


@dataclass(frozen=True)
class Factor:
    """One factor used in a result: what it is, its value, unit and source."""

    name: str
    value: float
    unit: str
    source: str


@functools.lru_cache(maxsize=2)
def _factor_rows(filename: str) -> dict[tuple[str, str], tuple[float, str]]:
    """(Level 3 material, column) -> (kg CO2e per t, DEFRA row ID) of one DEFRA 2025 table."""
    out = {}
    for r in read_factor_csv(filename):
        v = r["GHG Conversion Factor 2025"]
        if v:
            out[(r["Level 3"], r["Column Text"])] = (float(v), r["ID"])
    return out


def _material_rows() -> dict[tuple[str, str], tuple[float, str]]:
    return _factor_rows("defra_2025_material_use.csv")


def _disposal_rows() -> dict[tuple[str, str], tuple[float, str]]:
    return _factor_rows("defra_2025_waste_disposal.csv")


def material_factor(material: str, kind: str = "primary") -> Factor:
    """DEFRA 2025 material-use factor (kg CO2e per tonne) by material name and kind.

    ``kind``: "primary" (primary material production), "closed_loop" (closed-loop source),
    "open_loop", "reused".

    Examples
    --------
    >>> material_factor("Metal: aluminium cans and foil (excl. forming)").value
    9115.90131
    """
    return _defra_factor(_material_rows(), _MATERIAL_COLUMNS, material, kind,
                         what="kind", label="material-use factor", table="material use")


def disposal_factor(material: str, route: str = "landfill") -> Factor:
    """DEFRA 2025 waste-disposal factor (kg CO2e per tonne) for a material and route.

    Examples
    --------
    >>> disposal_factor("Commercial and industrial waste", "landfill").value
    520.5327
    """
    return _defra_factor(_disposal_rows(), _ROUTES, material, route,
                         what="route", label="disposal factor", table="waste disposal")


def _defra_factor(rows: dict[tuple[str, str], tuple[float, str]], columns: dict[str, str],
                  material: str, choice: str, *, what: str, label: str, table: str) -> Factor:
    """Look up one DEFRA 2025 factor by (material, column chosen by ``choice``)."""
    if choice not in columns:
        raise InvalidInputError(f"{what} must be one of {sorted(columns)}; got {choice!r}")
    column = columns[choice]
    key = (material, column)
    if key not in rows:
        names = sorted({m for m, c in rows if c == column})
        raise InvalidInputError(
            f"no DEFRA 2025 {choice!r} {label} for {material!r}; available: {names}"
        )
    value, ident = rows[key]
    return Factor(
        name=f"{material} / {column}",
        value=value,
        unit="kg CO2e per t",
        source=DEFRA_SOURCE.format(table=f"{table}, ID {ident}"),
    )


@dataclass(frozen=True)
class ImpactResult:
    """Impact of one exchange per year (kg CO2e, tonnes, USD)."""

    quantity_t: float
    co2e_avoided_kg: float
    virgin_displaced_kg: float
    disposal_avoided_kg: float
    transport_kg: float
    reprocessing_kg: float
    diverted_from_landfill_t: float
    virgin_material_saved_t: float
    supplier_saving_usd: float
    receiver_saving_usd: float
    factors: tuple[Factor, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["factors"] = [asdict(f) for f in self.factors]
        return d

    def explain(self) -> str:
        """The arithmetic, line by line, with each factor's source."""
        lines = [
            f"virgin displaced   {self.virgin_displaced_kg:,.1f} kg CO2e",
            f"+ disposal avoided {self.disposal_avoided_kg:,.1f} kg CO2e",
            f"- transport        {self.transport_kg:,.1f} kg CO2e",
            f"- reprocessing     {self.reprocessing_kg:,.1f} kg CO2e",
            f"= avoided          {self.co2e_avoided_kg:,.1f} kg CO2e",
        ]
        lines += [f"  [{f.name}: {f.value} {f.unit}; {f.source}]" for f in self.factors]
        return "\n".join(lines)


def _num(value: Any, name: str, *, nonneg: bool = True) -> float:
    return check_number(value, name, nonneg=nonneg)


def avoided_burden(
    *,
    quantity_t: float,
    material: str | None = None,
    material_class: str | None = None,
    production_factor_kg_per_t: float | None = None,
    substitution_ratio: float | None = None,
    disposal_route: str = "landfill",
    disposal_material: str | None = None,
    disposal_factor_kg_per_t: float | None = None,
    reprocessing_kg_per_t: float | None = None,
    transport_co2e_kg: float = 0.0,
    supplier_saving_usd: float = 0.0,
    receiver_saving_usd: float = 0.0,
) -> ImpactResult:
    """CO2e avoided (avoided burden) and the other impacts of one exchange.

    Parameters
    ----------
    quantity_t : float
        Tonnes exchanged (per year).
    material : str, optional
        DEFRA 2025 material name (e.g. "Metal: aluminium cans and foil (excl. forming)"): gives
        the primary-production factor and, by default, the closed-loop source factor as
        reprocessing and the same material's disposal factor.
    material_class : str, optional
        Taxonomy class: the production factor of the virgin input it replaces, from
        ``virgin_factors.csv`` (:func:`symbioflows.impact.virgin_factor`, with its locator and
        checked flag in the source), else the taxonomy's ``virgin_ef_kg_co2e_per_t``.
    production_factor_kg_per_t : float, optional
        Overrides the production factor (source "given").
    substitution_ratio : float, optional
        Default: the taxonomy's ratio for ``material_class``, else 1.
    disposal_route : {"landfill", "incineration", "composting", "anaerobic_digestion", "none"}
        Where the material went before the exchange.
    disposal_material : str, optional
        DEFRA disposal row (defaults to ``material``).
    disposal_factor_kg_per_t, reprocessing_kg_per_t : float, optional
        Override factors (source "given").  Reprocessing defaults to the closed-loop source
        factor of ``material`` when DEFRA has one, else 0.
    transport_co2e_kg : float
        Transport emissions of the exchange (e.g. ``cost_route(...).co2e_kg``).
    supplier_saving_usd, receiver_saving_usd : float
        Money each party saves (e.g. from :func:`symbioflows.pricing.price_exchange`).

    Examples
    --------
    Closed-loop aluminium, one tonne, nothing else counted: 9,115.9 - 995.1 = 8,120.8.

    >>> r = avoided_burden(quantity_t=1, material="Metal: aluminium cans and foil (excl. forming)",
    ...                    disposal_route="none")
    >>> round(r.co2e_avoided_kg, 1)
    8120.8
    """
    q = _num(quantity_t, "quantity_t")
    info = None
    if material_class is not None:
        from symbioflows.pricing._taxonomy import material_class_info

        info = material_class_info(material_class)
    if substitution_ratio is None:
        sub = float(info["substitution_ratio"]) if info is not None and material is None and \
            production_factor_kg_per_t is None else 1.0
    else:
        sub = _num(substitution_ratio, "substitution_ratio")
    transport = _num(transport_co2e_kg, "transport_co2e_kg")
    s_save = _num(supplier_saving_usd, "supplier_saving_usd", nonneg=False)
    r_save = _num(receiver_saving_usd, "receiver_saving_usd", nonneg=False)
    factors: list[Factor] = []
    if production_factor_kg_per_t is not None:
        prod = Factor("production (given)", _num(production_factor_kg_per_t,
                                                 "production_factor_kg_per_t"),
                      "kg CO2e per t", "given")
    elif material is not None:
        prod = material_factor(material, "primary")
    elif info is not None:
        from symbioflows.impact.accounting import virgin_factor
        from symbioflows.materials.taxonomy import get_material_class

        c = get_material_class(info["id"])
        vf = virgin_factor(c.substitutes[0].virgin) if c.substitutes else None
        if vf is not None:  # the sourced table (virgin_factors.csv), as the plan uses
            prod = Factor(f"{material_class} / virgin production of {info['substitute']}",
                          vf.value_kg_co2e, f"kg CO2e per {vf.unit} of virgin input", vf.cite())
        else:
            prod = Factor(f"{material_class} / virgin production of {info['substitute']}",
                          _num(info["virgin_ef_kg_co2e_per_t"], "virgin_ef_kg_co2e_per_t"),
                          f"kg CO2e per {info['unit']} of virgin input", info["source_ef"])
        factors.append(Factor("substitution ratio", sub, "virgin per unit exchanged",
                              info["source_substitution"]))
    else:
        raise InvalidInputError(
            "pass material (DEFRA name), material_class (taxonomy) or production_factor_kg_per_t"
        )
    factors.append(prod)
    if reprocessing_kg_per_t is not None:
        rep = Factor("reprocessing (given)", _num(reprocessing_kg_per_t, "reprocessing_kg_per_t"),
                     "kg CO2e per t", "given")
    elif material is not None and (material, _MATERIAL_COLUMNS["closed_loop"]) in _material_rows():
        rep = material_factor(material, "closed_loop")
    else:
        rep = Factor("reprocessing (none counted)", 0.0, "kg CO2e per t", "no factor available")
    factors.append(rep)
    if disposal_route == "none":
        disp = Factor("disposal (none: not diverted from disposal)", 0.0, "kg CO2e per t", "-")
    elif disposal_factor_kg_per_t is not None:
        if disposal_route not in _ROUTES:
            raise InvalidInputError(
                f"disposal_route must be one of {sorted(_ROUTES) + ['none']}; got {disposal_route!r}"
            )
        disp = Factor(f"disposal {disposal_route} (given)",
                      _num(disposal_factor_kg_per_t, "disposal_factor_kg_per_t"),
                      "kg CO2e per t", "given")
    else:
        name = disposal_material or material
        if name is None:
            raise InvalidInputError(
                "disposal needs disposal_material (DEFRA name), material or "
                "disposal_factor_kg_per_t; or pass disposal_route='none'"
            )
        disp = disposal_factor(name, disposal_route)
    factors.append(disp)
    virgin = q * sub * prod.value
    disposal = q * disp.value
    reprocessing = q * rep.value
    avoided = virgin + disposal - transport - reprocessing
    return ImpactResult(
        quantity_t=q,
        co2e_avoided_kg=avoided,
        virgin_displaced_kg=virgin,
        disposal_avoided_kg=disposal,
        transport_kg=transport,
        reprocessing_kg=reprocessing,
        diverted_from_landfill_t=q if disposal_route == "landfill" else 0.0,
        virgin_material_saved_t=q * sub,
        supplier_saving_usd=s_save,
        receiver_saving_usd=r_save,
        factors=tuple(factors),
    )


_TABLE_COLUMNS = (
    "quantity_t",
    "production_factor_kg_per_t",
    "substitution_ratio",
    "disposal_factor_kg_per_t",
    "reprocessing_kg_per_t",
    "transport_co2e_kg",
)


def impacts_table(exchanges: Any) -> Any:
    """Vectorised impacts for a table of exchanges (pandas/polars/pyarrow).

    Needs the columns in ``_TABLE_COLUMNS`` (factors already resolved, kg CO2e per t) plus,
    optionally, ``landfilled`` (bool), ``supplier_saving_usd``, ``receiver_saving_usd`` and any
    grouping columns (kept).  Adds ``co2e_avoided_kg``, ``virgin_displaced_kg``,
    ``disposal_avoided_kg``, ``reprocessing_kg``, ``diverted_from_landfill_t`` and
    ``virgin_material_saved_t``.  The result does not depend on row order (row-wise).
    """
    import pandas as pd

    df = _to_pandas(exchanges).copy()
    missing = [c for c in _TABLE_COLUMNS if c not in df.columns]
    if missing:
        raise InvalidInputError(
            f"impacts_table: missing column(s) {missing}; got {list(df.columns)}"
        )
    for c in _TABLE_COLUMNS:
        v = pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(v) | (v < 0))
        if bad.size:
            k = int(bad[0])
            raise InvalidInputError(
                f"impacts_table row {k} column {c!r}: {df[c].iloc[k]!r} is not a finite number >= 0"
            )
        df[c] = v
    q = df["quantity_t"].to_numpy()
    df["virgin_displaced_kg"] = q * df["substitution_ratio"] * df["production_factor_kg_per_t"]
    df["disposal_avoided_kg"] = q * df["disposal_factor_kg_per_t"]
    df["reprocessing_kg"] = q * df["reprocessing_kg_per_t"]
    df["co2e_avoided_kg"] = (
        df["virgin_displaced_kg"] + df["disposal_avoided_kg"] - df["transport_co2e_kg"]
        - df["reprocessing_kg"]
    )
    landfilled = df["landfilled"].astype(bool) if "landfilled" in df.columns else True
    df["diverted_from_landfill_t"] = np.where(landfilled, q, 0.0)
    df["virgin_material_saved_t"] = q * df["substitution_ratio"]
    for c in ("supplier_saving_usd", "receiver_saving_usd"):
        if c not in df.columns:
            df[c] = 0.0
    return df


def _to_pandas(table: Any) -> Any:
    import pandas as pd

    if isinstance(table, pd.DataFrame):
        return table
    if hasattr(table, "to_pandas"):
        return table.to_pandas()
    return pd.DataFrame(table)


_SUM_COLUMNS = (
    "quantity_t",
    "co2e_avoided_kg",
    "virgin_displaced_kg",
    "disposal_avoided_kg",
    "transport_co2e_kg",
    "reprocessing_kg",
    "diverted_from_landfill_t",
    "virgin_material_saved_t",
)


def aggregate_impacts(
    impacts: Any,
    by: str,
    *,
    supplier_col: str = "supplier_company_id",
    receiver_col: str = "receiver_company_id",
    attribution: str = "split",
) -> Any:
    """Sum impacts per company, per chain or per region.

    Parameters
    ----------
    impacts : table
        Output of :func:`impacts_table`.
    by : str
        "company" (each exchange counted for its supplier and its receiver: CO2e and tonnes by
        ``attribution`` = "split" (half each, totals preserved), "supplier" or "receiver";
        money: each party its own saving), or the name of a grouping column such as
        ``chain_id`` or ``region`` (plain sums).

    Returns
    -------
    pandas.DataFrame, sorted by the group key (independent of row order).
    """
    import pandas as pd

    df = _to_pandas(impacts)
    if by != "company":
        if by not in df.columns:
            raise InvalidInputError(f"no column {by!r} to group by; got {list(df.columns)}")
        cols = [c for c in (*_SUM_COLUMNS, "supplier_saving_usd", "receiver_saving_usd")
                if c in df.columns]
        out = df.groupby(by, sort=True)[cols].sum()
        out["n_exchanges"] = df.groupby(by, sort=True).size()
        return out.reset_index()
    for c in (supplier_col, receiver_col):
        if c not in df.columns:
            raise InvalidInputError(f"aggregate by company needs column {c!r}")
    shares = {"split": (0.5, 0.5), "supplier": (1.0, 0.0), "receiver": (0.0, 1.0)}
    if attribution not in shares:
        raise InvalidInputError(f"attribution must be one of {sorted(shares)}; got {attribution!r}")
    s_w, r_w = shares[attribution]
    cols = [c for c in _SUM_COLUMNS if c in df.columns]
    sup = df[[supplier_col, *cols]].rename(columns={supplier_col: "company_id"})
    sup[cols] = sup[cols] * s_w
    sup["saving_usd"] = df["supplier_saving_usd"].to_numpy() if "supplier_saving_usd" in df else 0.0
    rec = df[[receiver_col, *cols]].rename(columns={receiver_col: "company_id"})
    rec[cols] = rec[cols] * r_w
    rec["saving_usd"] = df["receiver_saving_usd"].to_numpy() if "receiver_saving_usd" in df else 0.0
    both = pd.concat([sup, rec], ignore_index=True)
    out = both.groupby("company_id", sort=True)[[*cols, "saving_usd"]].sum()
    return out.reset_index()


def project_impacts(
    annual: ImpactResult | dict[str, float],
    *,
    years: int,
    start_year: int = 2026,
    volume_growth: float = 0.0,
    ramp_up_years: int = 0,
    production_decarbonisation: float = 0.0,
) -> Any:
    """Scenario projection of an exchange (or a portfolio total) over ``years``.

    Volume grows by ``volume_growth`` per year and ramps up linearly over ``ramp_up_years``;
    the virgin-production factor falls by ``production_decarbonisation`` per year (cleaner
    primary production shrinks the credit).  Other terms scale with volume.

    Returns a DataFrame: year, quantity_t, co2e_avoided_kg, cumulative_co2e_avoided_kg,
    diverted_from_landfill_t.

    Examples
    --------
    >>> r = avoided_burden(quantity_t=100, production_factor_kg_per_t=1000, disposal_route="none")
    >>> p = project_impacts(r, years=3, volume_growth=0.1)
    >>> p["quantity_t"].round(1).tolist()
    [100.0, 110.0, 121.0]
    """
    import pandas as pd

    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or years < 1:
        raise InvalidInputError(f"years must be an int >= 1; got {years!r}")
    base = asdict(annual) if isinstance(annual, ImpactResult) else dict(annual)
    g = _num(volume_growth, "volume_growth", nonneg=False)
    dec = _num(production_decarbonisation, "production_decarbonisation")
    if g <= -1 or dec >= 1:
        raise InvalidInputError("volume_growth must be > -1 and production_decarbonisation < 1")
    q0 = _num(base.get("quantity_t", 0.0), "quantity_t")
    rows = []
    cum = 0.0
    for k in range(int(years)):
        ramp = min(1.0, (k + 1) / ramp_up_years) if ramp_up_years and ramp_up_years > 0 else 1.0
        vol = (1 + g) ** k * ramp
        virgin = base["virgin_displaced_kg"] * vol * (1 - dec) ** k
        other = (base["disposal_avoided_kg"] - base["transport_kg"] - base["reprocessing_kg"]) * vol
        avoided = virgin + other
        cum += avoided
        rows.append({
            "year": start_year + k,
            "quantity_t": q0 * vol,
            "co2e_avoided_kg": avoided,
            "cumulative_co2e_avoided_kg": cum,
            "diverted_from_landfill_t": base["diverted_from_landfill_t"] * vol,
        })
    return pd.DataFrame(rows)
