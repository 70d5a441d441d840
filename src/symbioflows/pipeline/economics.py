"""Stage 6 of the plan: money and CO2e of each stream and of each allocated exchange.

Input: the prepared supplies and demands, and the allocated exchanges with their features.
Output: per stream (:func:`stream_values`) today's price and the virgin material's CO2e, used
by the pair score; per exchange (:func:`exchange_economics`) the best transport mode at the
allocated quantity (:func:`symbioflows.logistics.cost_pairs`), its cost and CO2e, the net
benefit and the CO2e avoided.  Transport costing lives in :mod:`symbioflows.logistics` only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from symbioflows.pipeline.prepare import taxonomy

__all__ = ["stream_values", "exchange_economics", "plan_totals"]


def stream_values(s: pd.DataFrame, *, supply: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Today's price (USD/t), virgin CO2e (kg/t) of the material, and whether the class is
    hazardous, from the taxonomy where the stream names a class.

    A demand without a price is valued at the midpoint of its class's virgin price range.  A
    supply's price is its disposal cost today; without one, a solid is valued at the country's
    landfill cost (gate fee + landfill tax, :func:`symbioflows.pricing.disposal_cost_usd_per_t`)
    and any other medium (water, liquids, gases, heat, steam: no landfill route) at 0 —
    never at the virgin price of its own class."""
    n = len(s)
    price = s["price_usd_per_t"].to_numpy(dtype=float).copy()
    if supply:
        from symbioflows.pricing import disposal_cost_usd_per_t

        missing = np.isnan(price)
        if "medium" in s:
            solid = pd.Series(s["medium"]).astype(str).to_numpy() == "solid"
            price[missing & ~solid] = 0.0
            missing &= solid
        if missing.any():
            countries = pd.Series(s["country"]).fillna("").astype(str).to_numpy()
            cache: dict[str, float] = {}
            for row in np.flatnonzero(missing).tolist():
                cc = str(countries[row])
                if cc not in cache:
                    try:
                        cache[cc] = float(disposal_cost_usd_per_t(cc or None)["total_usd_per_t"])
                    except Exception:  # unknown country: the table's default
                        cache[cc] = float(disposal_cost_usd_per_t(None)["total_usd_per_t"])
                price[row] = cache[cc]
    vco2 = np.zeros(n)
    haz = np.zeros(n)
    tax = taxonomy()
    ewc = pd.Series(s["ewc_code"]).fillna("").astype(str)
    haz[ewc.str.contains(r"\*", regex=True).to_numpy()] = 1.0
    if tax is not None:
        # once per distinct class, not per stream
        codes, classes = pd.factorize(pd.Series(s["material_class"], dtype=object))
        for u, cls in enumerate(classes):
            if not isinstance(cls, str):
                continue
            try:
                c = tax[cls]
            except Exception:
                continue
            rows = codes == u
            vco2[rows] = float(c.avoided_ef_kg_co2e_per_t)
            if not supply:
                fill = rows & np.isnan(price)
                price[fill] = 0.5 * (c.virgin_price_usd_per_t_low + c.virgin_price_usd_per_t_high)
            haz[rows] = np.maximum(haz[rows], float(c.hazardous))
    return np.nan_to_num(price, nan=0.0), vco2, haz


def exchange_economics(ex: pd.DataFrame, sup: pd.DataFrame, dem: pd.DataFrame,
                        si: np.ndarray, di: np.ndarray, sa: dict[str, np.ndarray],
                        da: dict[str, np.ndarray]) -> pd.DataFrame:
    """Exact best-mode transport (:func:`symbioflows.logistics.cost_pairs`) at the allocated
    quantity, and per-exchange money and CO2e.

    net benefit = quantity x (avoided disposal cost + avoided virgin purchase x material fit)
    - transport;
    CO2e avoided = quantity x (avoided disposal emissions + virgin production x material fit)
    - transport emissions.  The material fit (the taxonomy's substitution score) stands for the
    share of the virgin input that a tonne of the secondary material really displaces.
    """
    from symbioflows.logistics import cost_pairs

    q = ex["quantity"].to_numpy(float)
    if len(ex):
        pc = cost_pairs(sup["lat"].to_numpy(), sup["lon"].to_numpy(), dem["lat"].to_numpy(),
                        dem["lon"].to_numpy(), si, di, q,
                        medium=sup["medium"].to_numpy(object)[si],
                        supply_country=sup["country"].to_numpy(object),
                        demand_country=dem["country"].to_numpy(object))
        ok = pc.feasible
        est_cost = q * ex["transport_usd_per_t"].to_numpy(float)
        est_co2 = q * sa["co2e_kg_per_tkm"][si] * ex["distance_km"].to_numpy(float)
        cost = np.where(ok, pc.cost_usd, est_cost)
        co2 = np.where(ok, pc.co2e_kg, est_co2)
        ex["transport_mode"] = pc.mode_name()
        ex["route_km"] = np.where(ok, pc.route_km, ex["distance_km"].to_numpy(float))
    else:
        cost = co2 = np.zeros(0)
        ex["transport_mode"] = pd.Series(dtype=object)
        ex["route_km"] = pd.Series(dtype=float)
    ex["transport_cost_usd"] = cost
    ex["transport_co2e_kg"] = co2
    gross = sa["disposal_usd_t"][si] + da["virgin_usd_t"][di] * ex["material_fit"].to_numpy(float)
    ex["net_benefit_usd"] = q * gross - cost
    ex["co2e_avoided_kg"] = q * (sa["disposal_co2e_kg_t"][si] + da["virgin_co2e_kg_t"][di]
                                 * ex["material_fit"].to_numpy(float)) - co2
    return ex


def plan_totals(ex: pd.DataFrame, n_supplies: int, n_demands: int, n_candidates: int,
                objective_value: float, n_chains: int) -> dict[str, float]:
    """The plan's totals: counts, quantities exchanged, money and CO2e (sums over exchanges)."""
    tonnes = float(ex.loc[ex["unit"] == "t", "quantity"].sum())
    return {
        "n_supplies": float(n_supplies), "n_demands": float(n_demands),
        "n_candidates": float(n_candidates), "n_exchanges": float(len(ex)),
        "tonnes_exchanged": tonnes,
        "mwh_exchanged": float(ex.loc[ex["unit"] == "MWh", "quantity"].sum()),
        "net_benefit_usd": float(ex["net_benefit_usd"].sum()),
        "co2e_avoided_kg": float(ex["co2e_avoided_kg"].sum()),
        "transport_cost_usd": float(ex["transport_cost_usd"].sum()),
        "landfill_diverted_t": tonnes,
        "objective_value": float(objective_value),
        "n_chains": float(n_chains),
    }
