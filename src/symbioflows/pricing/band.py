"""Price band of a supply -> demand exchange and the bargained price.

Prices are what the receiver pays the supplier per tonne delivered (negative: the supplier pays
the receiver to take the material).  Transport is paid by the receiver by default.

* supplier's floor   ``p_min = opportunity + supplier_pretreatment``: the supplier's
  alternative is to sell a traded by-product at its market price (``opportunity = +market``),
  else to dispose of a solid or sludge (``opportunity = -disposal``: gate fee plus landfill
  tax, ``disposal_costs.csv``), else nothing (water, steam, heat, gases, liquids: 0);
* receiver's ceiling ``p_max = avoided price - transport - receiver_pretreatment``: the market
  price of a traded by-product (the receiver would buy it on the market), else
  ``substitution_ratio * virgin_price``.
  Every price comes from :mod:`symbioflows.pricing.market` (``reference_prices.csv``, or the
  taxonomy's recalled range where no sourced row exists), the same figures the plan's
  valuation uses.
* surplus ``p_max - p_min``; the band ``[p_min, p_max]`` is non-empty (the exchange is viable)
  exactly when the surplus is >= 0;
* proposed price by generalised Nash bargaining with the supplier's bargaining weight ``w``:
  ``argmax (p - p_min)^w (p_max - p)^(1-w) = p_min + w * surplus``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from symbioflows._config import check_rng
from symbioflows._validation import as_float_array, check_number
from symbioflows.errors import InvalidInputError
from symbioflows.logistics._tables import read_factor_csv, to_usd
from symbioflows.logistics.modes import get_mode
from symbioflows.pricing._taxonomy import material_class_info
from symbioflows.pricing.market import _LANDFILL_MEDIA, export_price, traded_price, virgin_price

__all__ = [
    "PriceBand",
    "PriceBands",
    "Sensitivity",
    "disposal_cost_usd_per_t",
    "price_exchange",
    "price_bands",
    "viability_sensitivity",
]


@functools.lru_cache(maxsize=1)
def _disposal_table() -> dict[str, dict[str, str]]:
    return {r["country"]: r for r in read_factor_csv("disposal_costs.csv")}


def disposal_cost_usd_per_t(country: Any = None) -> dict[str, Any]:
    """Landfill gate fee + landfill tax in USD per tonne for a country (ISO alpha-2).

    Countries without a row get the documented ``default`` row.  Returns a dict with
    ``total_usd_per_t``, ``gate_fee_usd_per_t``, ``landfill_tax_usd_per_t``, ``country_used``,
    ``year``, ``sources``, ``locators`` and ``checked`` (per part: whether the figure was read
    in its published document), ``checked_usd_per_t`` (the part of the total that is) and
    ``gate_fee_known`` (False where no published gate fee was read: it is then counted as 0,
    so the total is the landfill tax alone, a floor).

    Examples
    --------
    >>> d = disposal_cost_usd_per_t("GB")
    >>> round(d["landfill_tax_usd_per_t"], 2)  # GBP 126.15 x 1.2781
    161.23
    >>> d = disposal_cost_usd_per_t("NL")
    >>> round(d["landfill_tax_usd_per_t"], 2), d["checked"]  # EUR 39.71 x 1.0824
    (42.98, {'landfill_tax': True, 'gate_fee': False})
    """
    table = _disposal_table()
    key = str(country).upper() if isinstance(country, str) else "default"
    row = table.get(key, table["default"])
    tax = to_usd(row["landfill_tax_local_per_t"], row["currency"])
    # an empty gate fee is unknown (no published figure read): counted as 0 and flagged
    fee_known = bool(row["gate_fee_local_per_t"].strip())
    fee = to_usd(row["gate_fee_local_per_t"], row["currency"]) if fee_known else 0.0
    checked = {"landfill_tax": row["tax_checked"] == "true",
               "gate_fee": row["gate_fee_checked"] == "true"}
    return {
        "total_usd_per_t": tax + fee,
        "gate_fee_usd_per_t": fee,
        "landfill_tax_usd_per_t": tax,
        "country_used": row["country"],
        "year": int(row["year"]),
        "sources": {"landfill_tax": row["tax_source"], "gate_fee": row["gate_fee_source"]},
        "locators": {"landfill_tax": row["tax_locator"], "gate_fee": row["gate_fee_locator"]},
        "checked": checked,
        "gate_fee_known": fee_known,
        "checked_usd_per_t": tax * checked["landfill_tax"] + fee * checked["gate_fee"],
    }


def _num(value: Any, name: str, *, nonneg: bool = False) -> float:
    return check_number(value, name, nonneg=nonneg)


def _share(value: Any) -> float:
    w = _num(value, "supplier_share")
    if not 0.0 <= w <= 1.0:
        raise InvalidInputError(f"supplier_share must be in [0, 1]; got {w}")
    return w


@dataclass(frozen=True)
class PriceBand:
    """Price band of one exchange (USD per tonne unless named otherwise)."""

    floor_usd_per_t: float
    ceiling_usd_per_t: float
    surplus_usd_per_t: float
    viable: bool
    price_usd_per_t: float
    supplier_share: float
    quantity_t: float
    supplier_gain_usd: float
    receiver_gain_usd: float
    reason: str = ""
    components: dict[str, float] = field(default_factory=dict, compare=False)
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def empty(self) -> bool:
        return not self.viable


def price_exchange(
    *,
    quantity_t: float,
    disposal_cost_usd_per_t: float | None = None,
    supplier_country: str | None = None,
    virgin_price_usd_per_t: float | None = None,
    material_class: str | None = None,
    price_point: str = "mid",
    substitution_ratio: float | None = None,
    transport_usd_per_t: float = 0.0,
    supplier_pretreatment_usd_per_t: float = 0.0,
    receiver_pretreatment_usd_per_t: float = 0.0,
    supplier_share: float = 0.5,
    currency: str = "USD",
    material: str = "",
) -> PriceBand:
    """Price band, viability and Nash-bargained price of one exchange.

    Parameters
    ----------
    quantity_t : float
        Tonnes per year exchanged (for the money each party saves).
    disposal_cost_usd_per_t : float, optional
        The supplier's current disposal cost (positive).  Default: the supplier's alternative
        from the class (:mod:`symbioflows.pricing.market`): a traded by-product is sold at its
        market price (the floor is then ``+market``); a solid or sludge is landfilled at the
        gate fee + landfill tax of ``supplier_country`` (:func:`disposal_cost_usd_per_t`);
        surplus electricity is exported to the grid at the wholesale price
        (:func:`symbioflows.pricing.market.export_price`); water, steam, heat, gases and
        liquids have no disposal cost counted (0).  Without a
        class: the landfill cost of ``supplier_country``.
    virgin_price_usd_per_t : float, optional
        What the receiver pays for the virgin input.  Default: the market price when
        ``material_class`` is a traded by-product, else the sourced price of the virgin input
        it replaces (:func:`symbioflows.pricing.virgin_price`; ``reference_prices.csv``), else
        the class's recalled taxonomy range at ``price_point`` ("low", "mid" or "high").
    substitution_ratio : float, optional
        Units of virgin input displaced per tonne exchanged; default: the taxonomy's ratio for
        ``material_class`` (its main substitute), else 1.
    transport_usd_per_t, supplier_pretreatment_usd_per_t, receiver_pretreatment_usd_per_t : float
        Costs per tonne (see :func:`symbioflows.logistics.cost_route` for transport).
    supplier_share : float, default 0.5
        Supplier's Nash bargaining weight in [0, 1] (0.5 splits the surplus equally).
    currency : {"USD", "EUR", "GBP"}
        Currency of the monetary arguments given; converted to USD at the cited annual rate.
    material : str, optional
        The material's text; a traded-price row with a pattern (e.g. oilseed meal within food
        residues) applies only when it matches.

    Returns
    -------
    PriceBand
        ``viable=False`` with ``reason`` and ``price_usd_per_t = nan`` when the band is empty.

    Raises
    ------
    InvalidInputError
        NaN or infinite prices, negative quantity, share outside [0, 1], unknown currency or
        material class, or neither a virgin price nor a material class.

    Examples
    --------
    Disposal costs the supplier 100 USD/t, the virgin input costs the receiver 300 USD/t,
    transport 40 USD/t: floor -100, ceiling 260, surplus 360, price -100 + 0.5 * 360 = 80.

    >>> b = price_exchange(quantity_t=1000, disposal_cost_usd_per_t=100,
    ...                    virgin_price_usd_per_t=300, transport_usd_per_t=40)
    >>> b.floor_usd_per_t, b.ceiling_usd_per_t, b.price_usd_per_t, b.viable
    (-100.0, 260.0, 80.0, True)

    Cardboard is a traded by-product: the mill would buy it, and the supplier would sell it, at
    the Eurostat 2024 price (156 EUR/t), so moving it costs the transport and saves nothing.

    >>> b = price_exchange(quantity_t=100, material_class="cardboard", transport_usd_per_t=5)
    >>> round(b.floor_usd_per_t, 2), round(b.ceiling_usd_per_t, 2), b.viable
    (168.85, 163.85, False)
    """
    q = _num(quantity_t, "quantity_t", nonneg=True)
    w = _share(supplier_share)
    sources: dict[str, str] = {}
    info = material_class_info(material_class) if material_class is not None else None
    traded = traded_price(material_class, material) if info is not None else None
    market = 0.0
    if traded is not None:
        known = not math.isnan(traded.value_usd)
        market = traded.value_usd if known else 0.0
        sources["market_price"] = traded.cite() if known else (
            f"{traded.source}: price unknown, counted as 0")
    if disposal_cost_usd_per_t is not None:
        disposal = to_usd(_num(disposal_cost_usd_per_t, "disposal_cost_usd_per_t"), currency)
        sources["disposal"] = "given"
        route, opportunity = "landfill", -disposal
    elif traded is not None:
        disposal = 0.0
        route, opportunity = "sold", market
        sources["supplier_alternative"] = "sold at the market price"
    elif info is not None and (exp := export_price(material_class)) is not None:
        disposal = 0.0
        route, opportunity = "sold", exp.value_usd
        sources["supplier_alternative"] = f"exported to the grid: {exp.cite()}"
    elif info is not None and str(info["medium"]) not in _LANDFILL_MEDIA:
        disposal = 0.0
        route, opportunity = "none", 0.0
        sources["supplier_alternative"] = (
            f"no landfill route for medium {info['medium']!r}; no disposal cost counted")
    else:
        d = disposal_cost_usd_per_t_fn(supplier_country)
        disposal = d["total_usd_per_t"]
        route, opportunity = "landfill", -disposal
        sources["disposal"] = (
            f"{d['sources']['landfill_tax']}; {d['sources']['gate_fee']} ({d['country_used']})"
        )
    if substitution_ratio is not None:
        sub = _num(substitution_ratio, "substitution_ratio", nonneg=True)
    if virgin_price_usd_per_t is not None:
        virgin = to_usd(_num(virgin_price_usd_per_t, "virgin_price_usd_per_t"), currency)
        sources["virgin_price"] = "given"
        if substitution_ratio is None:
            sub = float(info["substitution_ratio"]) if info is not None else 1.0
            if info is not None:
                sources["substitution_ratio"] = info["source_substitution"]
    elif traded is not None:
        # the receiver would buy the same by-product on the market
        virgin, sub = market, 1.0 if substitution_ratio is None else sub
        sources["virgin_price"] = "market price of the same by-product"
    elif info is not None:
        virgin, ratio, _checked, cite = virgin_price(material_class, price_point=price_point)
        sources["virgin_price"] = cite
        if substitution_ratio is None:
            sub = ratio
            sources["substitution_ratio"] = info["source_substitution"]
    else:
        raise InvalidInputError(
            "pass virgin_price_usd_per_t or a material_class with a virgin price range"
        )
    transport = to_usd(_num(transport_usd_per_t, "transport_usd_per_t", nonneg=True), currency)
    pre_s = to_usd(_num(supplier_pretreatment_usd_per_t, "supplier_pretreatment_usd_per_t",
                        nonneg=True), currency)
    pre_r = to_usd(_num(receiver_pretreatment_usd_per_t, "receiver_pretreatment_usd_per_t",
                        nonneg=True), currency)
    floor = opportunity + pre_s
    ceiling = sub * virgin - transport - pre_r
    surplus = ceiling - floor
    viable = surplus >= 0
    if viable:
        price = floor + w * surplus
        reason = ""
        s_gain, r_gain = q * (price - floor), q * (ceiling - price)
    else:
        price = math.nan
        reason = (
            f"no surplus: the receiver's ceiling {ceiling:.2f} USD/t is below the supplier's "
            f"floor {floor:.2f} USD/t (shortfall {-surplus:.2f} USD/t)"
        )
        s_gain = r_gain = 0.0
    return PriceBand(
        floor_usd_per_t=floor,
        ceiling_usd_per_t=ceiling,
        surplus_usd_per_t=surplus,
        viable=viable,
        price_usd_per_t=price,
        supplier_share=w,
        quantity_t=q,
        supplier_gain_usd=s_gain,
        receiver_gain_usd=r_gain,
        reason=reason,
        components={
            "disposal_usd_per_t": disposal,
            "market_usd_per_t": market,
            "supplier_opportunity_usd_per_t": opportunity,
            "virgin_usd_per_t": virgin,
            "substitution_ratio": sub,
            "transport_usd_per_t": transport,
            "supplier_pretreatment_usd_per_t": pre_s,
            "receiver_pretreatment_usd_per_t": pre_r,
        },
        sources={**sources, "supplier_route": route},
    )


disposal_cost_usd_per_t_fn = disposal_cost_usd_per_t


@dataclass(frozen=True)
class PriceBands:
    """Vectorised bands (arrays, one per pair); ``price_usd_per_t`` is NaN where not viable."""

    floor_usd_per_t: npt.NDArray[np.float64]
    ceiling_usd_per_t: npt.NDArray[np.float64]
    surplus_usd_per_t: npt.NDArray[np.float64]
    viable: npt.NDArray[np.bool_]
    price_usd_per_t: npt.NDArray[np.float64]

    def to_pandas(self) -> Any:
        import pandas as pd

        return pd.DataFrame({f: getattr(self, f) for f in self.__dataclass_fields__})


def price_bands(
    disposal_cost_usd_per_t: Any,
    virgin_price_usd_per_t: Any,
    *,
    transport_usd_per_t: Any = 0.0,
    substitution_ratio: Any = 1.0,
    supplier_pretreatment_usd_per_t: Any = 0.0,
    receiver_pretreatment_usd_per_t: Any = 0.0,
    supplier_share: float = 0.5,
) -> PriceBands:
    """Vectorised :func:`price_exchange` over pairs (all arguments broadcast; USD per tonne).

    NaN anywhere raises InvalidInputError naming the first bad row.

    Examples
    --------
    >>> b = price_bands([100.0, 10.0], [300.0, 50.0], transport_usd_per_t=[40.0, 80.0])
    >>> b.viable.tolist(), float(b.price_usd_per_t[0])
    ([True, False], 80.0)
    """
    w = _share(supplier_share)
    arrays = {
        "disposal_cost_usd_per_t": disposal_cost_usd_per_t,
        "virgin_price_usd_per_t": virgin_price_usd_per_t,
        "transport_usd_per_t": transport_usd_per_t,
        "substitution_ratio": substitution_ratio,
        "supplier_pretreatment_usd_per_t": supplier_pretreatment_usd_per_t,
        "receiver_pretreatment_usd_per_t": receiver_pretreatment_usd_per_t,
    }
    conv = {}
    for name, v in arrays.items():
        a = np.asarray(v)
        conv[name] = as_float_array(np.atleast_1d(a), name)
    try:
        b = np.broadcast_arrays(*conv.values())
    except ValueError as exc:
        raise InvalidInputError(f"price_bands: arguments do not broadcast: {exc}") from exc
    disp, virg, tr, sub, ps, pr = (np.asarray(x, dtype=np.float64) for x in b)
    for name, a in (("transport_usd_per_t", tr), ("substitution_ratio", sub),
                    ("supplier_pretreatment_usd_per_t", ps),
                    ("receiver_pretreatment_usd_per_t", pr)):
        bad = np.flatnonzero(a < 0)
        if bad.size:
            raise InvalidInputError(f"{name} row {int(bad[0])} = {a[bad[0]]} is negative")
    floor = -disp + ps
    ceiling = sub * virg - tr - pr
    surplus = ceiling - floor
    viable = surplus >= 0
    price = np.where(viable, floor + w * surplus, np.nan)
    return PriceBands(floor, ceiling, surplus, viable, price)


@dataclass(frozen=True)
class Sensitivity:
    """Monte Carlo and tornado sensitivity of an exchange's surplus (USD per tonne)."""

    base_surplus_usd_per_t: float
    probability_viable: float
    surplus_samples: npt.NDArray[np.float64]
    tornado: Any  # pandas DataFrame: factor, surplus_low, surplus_high, swing

    def __repr__(self) -> str:
        return (
            f"Sensitivity(base_surplus_usd_per_t={self.base_surplus_usd_per_t:.2f}, "
            f"probability_viable={self.probability_viable:.3f}, "
            f"n_samples={self.surplus_samples.size})"
        )


def _transport_per_t(q: npt.NDArray[np.float64], d: npt.NDArray[np.float64], mode: Any) -> Any:
    ships = np.ceil(q / mode.payload) if mode.payload > 0 else 0.0
    total = ships * mode.fixed_cost_usd_per_shipment + mode.cost_usd_per_tkm * q * d
    return np.where(q > 0, total / np.where(q > 0, q, 1.0), 0.0)


def viability_sensitivity(
    *,
    quantity_t: float,
    distance_km: float,
    disposal_cost_usd_per_t: float,
    virgin_price_usd_per_t_low: float,
    virgin_price_usd_per_t_high: float,
    mode: str = "road_articulated",
    substitution_ratio: float = 1.0,
    pretreatment_usd_per_t: float = 0.0,
    rel_quantity: float = 0.3,
    rel_distance: float = 0.3,
    rel_disposal: float = 0.2,
    n_samples: int = 2000,
    rng: Any = None,
) -> Sensitivity:
    """How robust is viability to quantity, distance and price uncertainty?

    Monte Carlo: quantity and distance uniform within ``±rel`` of the base, virgin price uniform
    over its [low, high] range, disposal cost within ``±rel_disposal``; transport per tonne is
    recomputed with the mode's cost model (so small quantities pay more per tonne).  Tornado:
    the surplus with each factor at its low and high end, others at base.

    Examples
    --------
    >>> s = viability_sensitivity(quantity_t=500, distance_km=80, disposal_cost_usd_per_t=60,
    ...                           virgin_price_usd_per_t_low=40, virgin_price_usd_per_t_high=90,
    ...                           rng=0)
    >>> 0.0 <= s.probability_viable <= 1.0, list(s.tornado["factor"])[0]
    (True, 'virgin_price')
    """
    import pandas as pd

    m = get_mode(mode)
    q0 = _num(quantity_t, "quantity_t", nonneg=True)
    d0 = _num(distance_km, "distance_km", nonneg=True)
    disp0 = _num(disposal_cost_usd_per_t, "disposal_cost_usd_per_t")
    lo = _num(virgin_price_usd_per_t_low, "virgin_price_usd_per_t_low")
    hi = _num(virgin_price_usd_per_t_high, "virgin_price_usd_per_t_high")
    if hi < lo:
        raise InvalidInputError(f"virgin price range [{lo}, {hi}] has high < low")
    sub = _num(substitution_ratio, "substitution_ratio", nonneg=True)
    pre = _num(pretreatment_usd_per_t, "pretreatment_usd_per_t", nonneg=True)
    rels = {n: _num(v, n, nonneg=True) for n, v in
            (("rel_quantity", rel_quantity), ("rel_distance", rel_distance),
             ("rel_disposal", rel_disposal))}
    if int(n_samples) < 1:
        raise InvalidInputError(f"n_samples must be >= 1; got {n_samples}")
    gen = check_rng(rng)

    def surplus(q: Any, d: Any, virgin: Any, disp: Any) -> Any:
        q, d = np.asarray(q, dtype=float), np.asarray(d, dtype=float)
        return sub * np.asarray(virgin) - _transport_per_t(q, d, m) - pre + np.asarray(disp)

    mid = 0.5 * (lo + hi)
    base = float(surplus(q0, d0, mid, disp0))
    n = int(n_samples)
    rq, rd, rp = rels["rel_quantity"], rels["rel_distance"], rels["rel_disposal"]
    qs = gen.uniform(q0 * (1 - rq), q0 * (1 + rq), n).clip(min=0.0)
    ds = gen.uniform(d0 * (1 - rd), d0 * (1 + rd), n).clip(min=0.0)
    vs = gen.uniform(lo, hi, n)
    ps = gen.uniform(disp0 * (1 - rp), disp0 * (1 + rp), n)
    samples = surplus(qs, ds, vs, ps)
    rows = []
    for factor, low_args, high_args in (
        ("quantity", (max(0.0, q0 * (1 - rq)), d0, mid, disp0), (q0 * (1 + rq), d0, mid, disp0)),
        ("distance", (q0, max(0.0, d0 * (1 - rd)), mid, disp0), (q0, d0 * (1 + rd), mid, disp0)),
        ("virgin_price", (q0, d0, lo, disp0), (q0, d0, hi, disp0)),
        ("disposal_cost", (q0, d0, mid, disp0 * (1 - rp)), (q0, d0, mid, disp0 * (1 + rp))),
    ):
        s_lo, s_hi = float(surplus(*low_args)), float(surplus(*high_args))
        rows.append({"factor": factor, "surplus_low": s_lo, "surplus_high": s_hi,
                     "swing": abs(s_hi - s_lo)})
    tornado = pd.DataFrame(rows).sort_values(["swing", "factor"], ascending=[False, True])
    return Sensitivity(
        base_surplus_usd_per_t=base,
        probability_viable=float(np.mean(samples >= 0)),
        surplus_samples=samples,
        tornado=tornado.reset_index(drop=True),
    )
