"""What each side of an exchange gives up: the sourced price table and stream valuation.

An exchange is worth what it saves against each side's real alternative:

* the **receiver** would otherwise buy its input: the stream's stated price when the dataset
  gives one, else the market price of the same material when it is a traded by-product (a mill
  that needs scrap buys scrap), else the price of the virgin input the class replaces
  (substitution ratio x virgin price);
* the **supplier** would otherwise sell or dispose of its output: the market price when the
  material is a traded by-product (scrap, meals, sulphur ...: the supplier forgoes that sale),
  else the avoided disposal cost (the stated one, or gate fee + landfill tax of its country) for
  solids and sludges; water, steam, heat, gases and liquids have no landfill route, and nothing
  is counted for them (discharge, venting or treatment costs are not claimed).  Surplus
  electricity is exported to the grid without the exchange: the supplier forgoes the wholesale
  price (an ``export`` row), while the receiver avoids its grid purchase at the non-household
  price, so a private wire saves about the network charges and levies between the two.

``net value = quantity x (receiver's avoided price x material fit - supplier's opportunity value)
- transport - treatment``.  A traded by-product exchanged at its market price therefore saves
only what the two sides do not pay the market (transport aside): never the buyer's full price.

Every price comes from ``symbioflows/data/factors/reference_prices.csv`` (value, currency,
unit, year, source and a locator: table, row, page) or from the stream itself ("given").  Rows
with ``checked = true`` were read in their published document; virgin inputs without a row
fall back to the taxonomy's recalled ranges and say so.  A traded by-product whose price was
not read anywhere has an empty value: it is still valued as traded, with the unknown price
counted as 0 on both sides (exact when it goes to a user of the same material, where the
price cancels; conservative otherwise) and marked unchecked.  :func:`checked_share` tells how much of a total rests on checked
figures.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from symbioflows.errors import InvalidInputError
from symbioflows.logistics._tables import read_factor_csv, to_usd

__all__ = [
    "PriceFact",
    "reference_prices",
    "price_fact",
    "traded_price",
    "export_price",
    "virgin_price",
    "receiver_prices",
    "supplier_alternatives",
    "value_exchanges",
    "checked_share",
    "ROUTES",
]

#: What a supplier does with a stream when it is not exchanged.
ROUTES = ("sold", "landfill", "none")

#: Media that have a landfill route (the taxonomy's transport media; ``solid`` is the
#: pipeline's name for ``bulk_solid``).
_LANDFILL_MEDIA = frozenset({"bulk_solid", "solid", "sludge"})


@dataclass(frozen=True)
class PriceFact:
    """One price with where it comes from (USD per ``unit``)."""

    key: str
    #: "virgin" (input a class replaces), "secondary" (traded by-product) or "export" (what a
    #: supplier earns selling the class into a public network instead: surplus electricity)
    kind: str
    value_usd: float
    unit: str
    year: int
    source: str
    locator: str
    checked: bool
    match: str = ""  # for secondary rows: a regex on the stream's material text ("" = all)

    def cite(self) -> str:
        status = "checked" if self.checked else "unchecked"
        where = f"; {self.locator}" if self.locator else ""
        return f"{self.source} ({self.year}){where} [{status}]"


def _bool(text: str, where: str) -> bool:
    t = str(text).strip().lower()
    if t not in ("true", "false"):
        raise InvalidInputError(f"{where}: checked must be 'true' or 'false'; got {text!r}")
    return t == "true"


@functools.lru_cache(maxsize=1)
def _facts() -> tuple[PriceFact, ...]:
    out = []
    for k, r in enumerate(read_factor_csv("reference_prices.csv")):
        where = f"reference_prices.csv row {k + 2}"
        if r["kind"] not in ("virgin", "secondary", "export"):
            raise InvalidInputError(
                f"{where}: kind {r['kind']!r}; use 'virgin', 'secondary' or 'export'")
        checked = _bool(r["checked"], where)
        if checked and not r["locator"].strip():
            raise InvalidInputError(f"{where}: a checked value needs a locator")
        if not r["value"].strip():  # a traded by-product whose price was not read anywhere
            if checked or r["kind"] != "secondary":
                raise InvalidInputError(
                    f"{where}: only an unchecked secondary row may leave "
                    "its value empty (price unknown)"
                )
            value = float("nan")
        else:
            value = to_usd(float(r["value"]), r["currency"])
        out.append(
            PriceFact(
                key=r["key"],
                kind=r["kind"],
                value_usd=value,
                unit=r["unit"],
                year=int(r["year"]),
                source=r["source"],
                locator=r["locator"],
                checked=checked,
                match=r["match"].strip(),
            )
        )
    return tuple(out)


def reference_prices() -> pd.DataFrame:
    """The sourced price table (one row per fact, values converted to USD).

    Examples
    --------
    >>> t = reference_prices()
    >>> {"key", "kind", "value_usd", "unit", "year", "source", "locator", "checked"} <= set(t)
    True
    """
    return pd.DataFrame([f.__dict__ for f in _facts()])


def price_fact(key: str, kind: str = "virgin") -> PriceFact | None:
    """The table's fact for a virgin input id (or an unconditional secondary class), or None."""
    for f in _facts():
        if f.key == key and f.kind == kind and not f.match:
            return f
    return None


def traded_price(material_class: str | None, material: str = "") -> PriceFact | None:
    """Market price of a traded by-product, or None when the class (and text) is not traded.

    A secondary row with a ``match`` pattern applies only to streams whose material text
    matches it (e.g. oilseed meal within food-processing residues).

    Examples
    --------
    >>> traded_price("no_such_class") is None
    True
    """
    return _first_fact("secondary", material_class, material)


def _first_fact(kind: str, material_class: str | None, material: str | None = None) -> PriceFact | None:
    """The first price fact of ``kind`` for ``material_class`` whose ``match`` pattern (if any)
    matches the material text ``material``, or None."""
    if not material_class:
        return None
    for f in _facts():
        if f.kind == kind and f.key == material_class and (
                not f.match or re.search(f.match, material or "", flags=re.IGNORECASE)):
            return f
    return None


def export_price(material_class: str | None) -> PriceFact | None:
    """What the supplier of a class earns by selling it into a public network instead of to a
    neighbour (surplus electricity exported to the grid at the wholesale price), or None.

    Examples
    --------
    >>> f = export_price("surplus_electricity")
    >>> f.unit, f.year, f.checked
    ('MWh', 2024, True)
    >>> export_price("steam") is None
    True
    """
    return _first_fact("export", material_class)


def _class(material_class: Any) -> Any:
    if not isinstance(material_class, str) or not material_class:
        return None
    from symbioflows.materials.taxonomy import load_taxonomy

    tax = load_taxonomy()
    return tax[material_class] if material_class in tax else None


def virgin_price(
    material_class: Any, *, price_point: str = "mid"
) -> tuple[float, float, bool, str]:
    """Price of the virgin input a class replaces: ``(usd_per_unit_of_input, ratio, checked,
    source)``, where ``ratio`` is the taxonomy's substitution ratio (units of input displaced per
    unit of the class).

    The input's row of ``reference_prices.csv`` when there is one (``price_point`` is then
    ignored: the sourced figure is used); else the class's recalled taxonomy range at
    ``price_point`` ("low", "mid" or "high"), unchecked.  An unknown class, or one without a
    substitute, gives ``(0.0, 1.0, False, ...)``.  This is the one place where virgin prices
    are looked up: :func:`receiver_prices` and :func:`symbioflows.pricing.price_exchange` use it.

    Raises
    ------
    InvalidInputError
        ``price_point`` not one of "low", "mid", "high".

    Examples
    --------
    >>> p, ratio, checked, _ = virgin_price("waste_heat_low_temp")  # gas-boiler heat, per MWh
    >>> round(p, 2), ratio, checked
    (49.7, 1.0, True)
    >>> virgin_price("waste_oil", price_point="low")[:3]  # recalled range: base oil
    (800.0, 0.7, False)
    """
    if price_point not in ("low", "mid", "high"):
        raise InvalidInputError(
            f"price_point must be one of ['high', 'low', 'mid']; got {price_point!r}"
        )
    c = _class(material_class)
    if c is None or not c.substitutes:
        return 0.0, 1.0, False, "no price: class unknown"
    sub = c.substitutes[0]
    fact = price_fact(sub.virgin, "virgin")
    if fact is not None:
        return (
            fact.value_usd,
            float(sub.ratio),
            fact.checked,
            f"{sub.ratio} x {sub.virgin}: {fact.cite()}",
        )
    lo, hi = float(c.virgin_price_usd_per_t_low), float(c.virgin_price_usd_per_t_high)
    value = {"low": lo, "mid": 0.5 * (lo + hi), "high": hi}[price_point]
    what = "midpoint" if price_point == "mid" else f"{price_point} end"
    return (
        value,
        float(sub.ratio),
        False,
        f"{sub.ratio} x {sub.virgin}: taxonomy range {what} (recalled, unchecked)",
    )


def _virgin_avoided(material_class: Any) -> tuple[float, bool, str]:
    """Substitution ratio x virgin price of the class's main substitute (USD per unit of the
    class), whether that price is checked, and its citation."""
    price, ratio, checked, cite = virgin_price(material_class)
    return ratio * price, checked, cite


def _frame(streams: Any, needed: tuple[str, ...]) -> pd.DataFrame:
    df = streams if isinstance(streams, pd.DataFrame) else pd.DataFrame(streams)
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise InvalidInputError(f"streams: column(s) {missing} missing; got {list(df.columns)}")
    return df


def _stated(df: pd.DataFrame) -> np.ndarray:
    if "price_usd_per_t" not in df.columns:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df["price_usd_per_t"], errors="coerce").to_numpy(dtype=float)


def receiver_prices(demands: Any) -> pd.DataFrame:
    """Each demand's avoided purchase per unit of its stream (USD), with its provenance.

    Parameters
    ----------
    demands : table
        Columns ``material_class`` (taxonomy id or missing) and optionally ``material`` (text)
        and ``price_usd_per_t`` (what the input costs today).

    Returns
    -------
    pandas.DataFrame
        ``avoided_usd_per_unit``, ``price_basis`` ("given", "market", "virgin" or "none"),
        ``price_checked`` (bool; a given price counts as the dataset's own figure, not as a
        checked reference) and ``price_source``; one row per demand, same order.

    Examples
    --------
    >>> r = receiver_prices(pd.DataFrame({"material_class": ["steam"], "material": ["LP steam"]}))
    >>> r["price_basis"].tolist(), round(float(r["avoided_usd_per_unit"][0]), 2)
    (['virgin'], 37.28)
    """
    df = _frame(demands, ("material_class",))
    stated = _stated(df)
    texts = df["material"].fillna("").astype(str).tolist() if "material" in df else [""] * len(df)
    cache: dict[tuple[Any, str], tuple[float, str, bool, str]] = {}
    rows = []
    for cls, text, p in zip(df["material_class"].tolist(), texts, stated):
        if np.isfinite(p):
            rows.append((float(p), "given", False, "stated in the dataset"))
            continue
        key = (cls if isinstance(cls, str) else None, text)
        if key not in cache:
            fact = traded_price(key[0], text)
            if fact is not None and np.isnan(fact.value_usd):
                cache[key] = (0.0, "market", False, f"{fact.source}: price unknown, counted as 0")
            elif fact is not None:
                cache[key] = (fact.value_usd, "market", fact.checked, fact.cite())
            elif key[0] is not None and _class(key[0]) is not None:
                v, ok, cite = _virgin_avoided(key[0])
                cache[key] = (v, "virgin", ok, cite)
            else:
                cache[key] = (0.0, "none", True, "no class: nothing counted")
        rows.append(cache[key])
    out = pd.DataFrame(
        rows, columns=["avoided_usd_per_unit", "price_basis", "price_checked", "price_source"]
    )
    return out


def supplier_alternatives(supplies: Any) -> pd.DataFrame:
    """Each supply's opportunity value per unit (USD) and the route it takes today.

    ``opportunity_usd_per_unit`` is positive when the supplier gives up a sale (traded
    by-products, at market price; surplus electricity, at the grid's wholesale price:
    :func:`export_price`), negative when it saves a disposal cost (solids and sludges: the
    stated cost, else gate fee + landfill tax of its ``country``), and 0 where nothing is
    claimed (water, steam, heat, gases, liquids).  ``route`` is "sold", "landfill" or "none".
    ``opportunity_checked_usd_per_unit`` is the part of it that rests on figures checked in
    their published document (a stated cost is the dataset's own figure: 0).

    Parameters
    ----------
    supplies : table
        Columns ``material_class``, ``medium`` (pipeline or taxonomy medium), ``country`` and
        optionally ``material`` and ``price_usd_per_t`` (stated disposal cost, positive).

    Examples
    --------
    >>> s = pd.DataFrame({"material_class": ["steam", "coal_fly_ash"],
    ...                   "medium": ["steam", "solid"], "country": ["NL", "NL"]})
    >>> a = supplier_alternatives(s)
    >>> a["route"].tolist(), round(float(a["opportunity_usd_per_unit"][1]), 2)
    (['none', 'landfill'], -42.98)
    """
    from symbioflows.pricing.band import disposal_cost_usd_per_t

    df = _frame(supplies, ("material_class", "medium", "country"))
    stated = _stated(df)
    texts = df["material"].fillna("").astype(str).tolist() if "material" in df else [""] * len(df)
    disp_cache: dict[str, tuple[float, float, str]] = {}
    rows = []
    for cls, med, cc, text, p in zip(
        df["material_class"].tolist(),
        df["medium"].tolist(),
        df["country"].fillna("").astype(str).tolist(),
        texts,
        stated,
    ):
        fact = traded_price(cls if isinstance(cls, str) else None, text)
        if np.isfinite(p):
            route = "landfill" if str(med) in _LANDFILL_MEDIA else "none"
            rows.append((-float(p), route, 0.0, "disposal cost stated in the dataset"))
        elif fact is not None and np.isnan(fact.value_usd):
            rows.append((0.0, "sold", 0.0, f"{fact.source}: price unknown, counted as 0"))
        elif fact is not None:
            rows.append((fact.value_usd, "sold", fact.value_usd * fact.checked, fact.cite()))
        elif (exp := export_price(cls if isinstance(cls, str) else None)) is not None:
            rows.append((exp.value_usd, "sold", exp.value_usd * exp.checked,
                         f"exported to the grid: {exp.cite()}"))
        elif str(med) in _LANDFILL_MEDIA:
            if cc not in disp_cache:
                d = disposal_cost_usd_per_t(cc or None)
                loc = d["locators"]
                disp_cache[cc] = (
                    d["total_usd_per_t"],
                    d["checked_usd_per_t"],
                    f"landfill tax: {d['sources']['landfill_tax']}"
                    f"{'; ' + loc['landfill_tax'] if loc['landfill_tax'] else ''}"
                    f" [{'checked' if d['checked']['landfill_tax'] else 'unchecked'}]; "
                    f"gate fee: {d['sources']['gate_fee']}"
                    f" [{'checked' if d['checked']['gate_fee'] else 'unchecked'}]"
                    f" ({d['country_used']})",
                )
            v, ok_v, cite = disp_cache[cc]
            rows.append((-v, "landfill", -ok_v, cite))
        else:
            rows.append((0.0, "none", 0.0, "no landfill route; no disposal cost claimed"))
    return pd.DataFrame(
        rows,
        columns=[
            "opportunity_usd_per_unit",
            "route",
            "opportunity_checked_usd_per_unit",
            "opportunity_source",
        ],
    )


def value_exchanges(
    quantity: Any,
    avoided_usd_per_unit: Any,
    opportunity_usd_per_unit: Any,
    material_fit: Any,
    transport_cost_usd: Any,
    *,
    treatment_usd_per_unit: Any = 0.0,
    avoided_checked: Any = False,
    opportunity_checked_usd_per_unit: Any = 0.0,
) -> pd.DataFrame:
    """Money of each exchange against both sides' alternatives (vectorised).

    ``gross = quantity x (avoided x fit - opportunity)``; ``net = gross - transport -
    quantity x treatment``.  All arguments broadcast; USD and units of the stream's medium.

    ``avoided_checked`` (bool per exchange) and ``opportunity_checked_usd_per_unit`` (from
    :func:`receiver_prices` and :func:`supplier_alternatives`) give the part of the value that
    rests on checked figures.

    Returns
    -------
    pandas.DataFrame
        ``receiver_avoided_usd``, ``supplier_opportunity_usd``, ``treatment_cost_usd``,
        ``gross_value_usd``, ``net_value_usd``, ``value_basis_usd`` (|receiver| + |supplier|)
        and ``value_checked_basis_usd`` (the part of that basis on checked figures).

    Examples
    --------
    A mill buys 1,000 t of scrap at the market price of 300 USD/t from a yard that sells it at
    300 USD/t: the exchange saves nothing but costs its transport.

    >>> v = value_exchanges(1000.0, 300.0, 300.0, 1.0, 5000.0)
    >>> float(v["net_value_usd"][0])
    -5000.0
    """
    arrays = [
        np.atleast_1d(np.asarray(a, dtype=float))
        for a in (
            quantity,
            avoided_usd_per_unit,
            opportunity_usd_per_unit,
            material_fit,
            transport_cost_usd,
            treatment_usd_per_unit,
            avoided_checked,
            opportunity_checked_usd_per_unit,
        )
    ]
    try:
        q, av, op, fit, tr, trt, av_ok, op_ok = np.broadcast_arrays(*arrays)
    except ValueError as exc:
        raise InvalidInputError(f"value_exchanges: arguments do not broadcast: {exc}") from exc
    for name, a in (
        ("quantity", q),
        ("avoided_usd_per_unit", av),
        ("opportunity_usd_per_unit", op),
        ("material_fit", fit),
        ("transport_cost_usd", tr),
        ("treatment_usd_per_unit", trt),
    ):
        bad = np.flatnonzero(~np.isfinite(a))
        if bad.size:
            raise InvalidInputError(f"value_exchanges: {name} row {int(bad[0])} is {a[bad[0]]}")
    receiver = q * av * fit
    supplier = q * op
    treatment = q * trt
    gross = receiver - supplier
    return pd.DataFrame(
        {
            "receiver_avoided_usd": receiver,
            "supplier_opportunity_usd": supplier,
            "treatment_cost_usd": treatment,
            "gross_value_usd": gross,
            "net_value_usd": gross - tr - treatment,
            "value_basis_usd": np.abs(receiver) + np.abs(supplier),
            "value_checked_basis_usd": np.abs(receiver) * (av_ok != 0) + np.abs(q * op_ok),
        }
    )


def checked_share(amounts: Any, checked: Any) -> float:
    """Share of ``sum(|amounts|)`` carried by rows whose figures are all checked (1.0 when the
    total is 0).

    Examples
    --------
    >>> checked_share([90.0, -10.0, 5.0], [True, False, True])
    0.9047619047619048
    """
    a = np.abs(np.asarray(amounts, dtype=float))
    c = np.asarray(checked, dtype=bool)
    total = float(a.sum())
    return 1.0 if total == 0 else float(a[c].sum() / total)
