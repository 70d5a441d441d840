"""Stage 6 of the plan: money and CO2e of each stream and of each allocated exchange.

Input: the prepared supplies and demands, and the allocated exchanges with their features.
Output: per stream each side's alternative (:func:`supply_alternatives`: sell, landfill or
nothing; :func:`demand_prices`: the avoided purchase) used by the pair score; per exchange
(:func:`exchange_economics`) the best transport mode at the allocated quantity
(:func:`symbioflows.logistics.cost_pairs`), its cost and CO2e, the net benefit against both
sides' alternatives and the CO2e avoided (:mod:`symbioflows.pricing.market`,
:mod:`symbioflows.impact.accounting`: the valuation lives there, this stage only calls it);
:func:`plan_totals` per medium and unit with the checked shares (docs/economics.md).
Transport costing lives in :mod:`symbioflows.logistics` only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from symbioflows.pipeline.prepare import taxonomy

__all__ = ["hazard_flags", "supply_alternatives", "demand_prices", "exchange_economics",
           "plan_totals", "ENERGY_AND_WATER_MEDIA"]

#: Media that are not materials: never counted in ``tonnes_exchanged`` (steam and water come
#: in t, heat and electricity in MWh; each has its own ``quantity_<medium>_<unit>`` total).
ENERGY_AND_WATER_MEDIA = ("water", "steam", "heat", "electricity")


def hazard_flags(s: pd.DataFrame) -> np.ndarray:
    """1.0 where a stream is hazardous (an EWC code with ``*``, or a hazardous taxonomy
    class), else 0.0.  Prices and factors are not looked up here: they come from
    :func:`supply_alternatives` and :func:`demand_prices` (:mod:`symbioflows.pricing.market`,
    :mod:`symbioflows.impact.accounting`), the one home of each figure."""
    haz = np.zeros(len(s))
    ewc = pd.Series(s["ewc_code"]).fillna("").astype(str)
    haz[ewc.str.contains(r"\*", regex=True).to_numpy()] = 1.0
    tax = taxonomy()
    if tax is not None:
        # once per distinct class, not per stream
        codes, classes = pd.factorize(pd.Series(s["material_class"], dtype=object))
        for u, cls in enumerate(classes):
            if isinstance(cls, str) and cls in tax:
                rows = codes == u
                haz[rows] = np.maximum(haz[rows], float(tax[cls].hazardous))
    return haz


def _class_factors(classes: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """:func:`symbioflows.impact.avoided_factor` per stream (once per distinct class)."""
    from symbioflows.impact import avoided_factor

    codes, uniq = pd.factorize(pd.Series(classes, dtype=object))
    vals = [avoided_factor(c if isinstance(c, str) else None) for c in uniq]
    f = np.array([v[0] for v in vals] + [0.0])
    ok = np.array([v[1] for v in vals] + [True])
    return f[codes], ok[codes]  # code -1 (missing class) takes the last entry


def supply_alternatives(sup: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Each supply's alternative (:func:`symbioflows.pricing.supplier_alternatives`), the CO2e
    credit it earns without the exchange (its class factor when it is sold today) and whether
    that factor is checked."""
    from symbioflows.pricing import supplier_alternatives

    alt = supplier_alternatives(sup)
    fac, ok = _class_factors(sup["material_class"])
    credit = np.where(alt["route"].to_numpy() == "sold", fac, 0.0)
    return alt, credit, ok


def demand_prices(dem: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Each demand's avoided purchase (:func:`symbioflows.pricing.receiver_prices`), avoided
    virgin-production factor (:func:`symbioflows.impact.avoided_factor`) and whether it is
    checked."""
    from symbioflows.pricing import receiver_prices

    fac, ok = _class_factors(dem["material_class"])
    prices = receiver_prices(dem)
    if "need" in dem:
        _fill_need_prices(dem, prices, fac, ok)
    return prices, fac, ok


def _fill_need_prices(dem: pd.DataFrame, prices: pd.DataFrame, fac: np.ndarray,
                      ok: np.ndarray) -> None:
    """A demand known only by its need (a virgin input, no class, no price of its own): the
    input's price and emission factor per unit of the input (the supply's substitution ratio is
    not applied), from the same tables as every other figure (``reference_prices.csv``,
    ``virgin_factors.csv``: :func:`symbioflows.pricing.price_fact`,
    :func:`symbioflows.impact.virgin_factor`), else the need's recalled range midpoint and
    factor (``need_inputs.json``), marked unchecked."""
    from symbioflows.impact import virgin_factor
    from symbioflows.materials.needs import load_needs
    from symbioflows.pricing import price_fact

    needs = {nd.id: nd for nd in load_needs()}
    basis = prices["price_basis"].to_numpy(object)
    codes, vals = pd.factorize(pd.Series(dem["need"], dtype=object).reset_index(drop=True))
    for u, nid in enumerate(vals):
        nd = needs.get(nid) if isinstance(nid, str) else None
        if nd is None:
            continue
        rows = np.flatnonzero((codes == u) & (basis == "none"))
        if not rows.size:
            continue
        fact = price_fact(nd.id, "virgin")
        if fact is not None:
            price, checked, source = fact.value_usd, fact.checked, f"need {nd.id}: {fact.cite()}"
        else:
            price, checked = 0.5 * sum(nd.virgin_price_usd_per_unit), False
            source = f"need {nd.id}: {nd.label}, recalled range midpoint (need_inputs.json)"
        prices.loc[rows, "avoided_usd_per_unit"] = price
        prices.loc[rows, "price_basis"] = "virgin"
        prices.loc[rows, "price_checked"] = checked
        prices.loc[rows, "price_source"] = source
        vf = virgin_factor(nd.id)
        fac[rows] = vf.value_kg_co2e if vf is not None else nd.virgin_ef_kg_co2e_per_unit
        ok[rows] = vf.checked if vf is not None else False


def exchange_economics(ex: pd.DataFrame, sup: pd.DataFrame, dem: pd.DataFrame,
                        si: np.ndarray, di: np.ndarray, sa: dict[str, np.ndarray],
                        da: dict[str, np.ndarray]) -> pd.DataFrame:
    """Exact best-mode transport (:func:`symbioflows.logistics.cost_pairs`) at the allocated
    quantity, and per-exchange money and CO2e against each side's alternative.

    net benefit = quantity x (receiver's avoided price x material fit - supplier's opportunity
    value) - transport (:func:`symbioflows.pricing.value_exchanges`);
    CO2e avoided = quantity x (virgin production x material fit - the credit a sold
    by-product earns anyway) - transport emissions
    (:func:`symbioflows.impact.exchange_impacts`).  The material fit (the taxonomy's
    substitution score) stands for the share of the virgin input that a unit of the secondary
    material really displaces.
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
    from symbioflows.impact import exchange_impacts
    from symbioflows.pricing import value_exchanges

    fit = ex["material_fit"].to_numpy(float)
    s_alt, s_credit, s_ok = supply_alternatives(sup.iloc[si].reset_index(drop=True))
    d_price, d_fac, d_ok = demand_prices(dem.iloc[di].reset_index(drop=True))
    val = value_exchanges(
        q, d_price["avoided_usd_per_unit"].to_numpy(float),
        s_alt["opportunity_usd_per_unit"].to_numpy(float), fit, cost,
        avoided_checked=d_price["price_checked"].to_numpy(bool),
        opportunity_checked_usd_per_unit=s_alt["opportunity_checked_usd_per_unit"].to_numpy(float))
    imp = exchange_impacts(q, ex["unit"].to_numpy(object), s_alt["route"].to_numpy(object), fit,
                           d_fac, s_credit, co2, demand_factor_checked=d_ok,
                           supply_factor_checked=s_ok)
    ex["medium"] = sup["medium"].to_numpy(object)[si]
    ex["supplier_route"] = s_alt["route"].to_numpy(object)
    ex["receiver_price_basis"] = d_price["price_basis"].to_numpy(object)
    ex["receiver_avoided_usd"] = val["receiver_avoided_usd"].to_numpy()
    ex["supplier_opportunity_usd"] = val["supplier_opportunity_usd"].to_numpy()
    ex["net_benefit_usd"] = val["net_value_usd"].to_numpy()
    ex["co2e_avoided_kg"] = imp["co2e_avoided_kg"].to_numpy()
    ex["landfill_diverted_t"] = imp["landfill_diverted_t"].to_numpy()
    ex["receiver_price_source"] = d_price["price_source"].to_numpy(object)
    ex["supplier_alternative_source"] = s_alt["opportunity_source"].to_numpy(object)
    # the checked-share bases: kept on the exchanges as attrs, not as columns
    ex.attrs["_checked_bases"] = (float(val["value_basis_usd"].sum()),
                                  float(val["value_checked_basis_usd"].sum()),
                                  float(imp["co2e_basis_kg"].sum()),
                                  float(imp["co2e_checked_basis_kg"].sum()))
    return ex


def plan_totals(ex: pd.DataFrame, n_supplies: int, n_demands: int, n_candidates: int,
                objective_value: float, n_chains: int) -> dict[str, Any]:
    """The plan's totals: counts (ints), quantities per medium and unit (never summed across
    units), money and CO2e with the share that rests on checked figures, landfill diverted
    (landfilled solids only) and the net benefit per participating company.  Field names are
    documented in docs/economics.md ("Plan totals")."""
    from symbioflows.impact import totals_by_medium

    qty = ex["quantity"].to_numpy(float)
    unit = ex["unit"].to_numpy(object)
    medium = (ex["medium"].to_numpy(object) if "medium" in ex
              else np.full(len(ex), "solid", dtype=object))
    materials = ~np.isin(medium.astype(str), ENERGY_AND_WATER_MEDIA)
    # set by exchange_economics; taken off so that it does not travel with the table
    v_basis, v_checked, c_basis, c_checked = ex.attrs.pop("_checked_bases", (0.0, 0.0, 0.0, 0.0))
    companies = pd.unique(pd.concat([ex["supply_company_id"].astype(str),
                                     ex["demand_company_id"].astype(str)], ignore_index=True))

    def col(c: str) -> float:
        return float(ex[c].sum()) if c in ex else 0.0

    totals: dict[str, Any] = {
        "n_supplies": int(n_supplies), "n_demands": int(n_demands),
        "n_candidates": int(n_candidates), "n_exchanges": int(len(ex)),
        "n_participating_companies": int(len(companies)),
        # materials in tonnes (solid, liquid, gas); water, steam, heat and electricity are
        # reported apart (quantity_<medium>_<unit>); mwh_exchanged is all energy in MWh
        "tonnes_exchanged": float(qty[materials & (unit == "t")].sum()),
        "mwh_exchanged": float(qty[unit == "MWh"].sum()),
        **totals_by_medium(medium, unit, qty),
        "net_benefit_usd": col("net_benefit_usd"),
        "receiver_avoided_usd": col("receiver_avoided_usd"),
        "supplier_opportunity_usd": col("supplier_opportunity_usd"),
        "co2e_avoided_kg": col("co2e_avoided_kg"),
        "transport_cost_usd": col("transport_cost_usd"),
        "landfill_diverted_t": col("landfill_diverted_t"),
        "value_checked_share": v_checked / v_basis if v_basis > 0 else 1.0,
        "co2e_checked_share": c_checked / c_basis if c_basis > 0 else 1.0,
        "objective_value": float(objective_value),
        "n_chains": int(n_chains),
    }
    totals["net_benefit_usd_per_company"] = (totals["net_benefit_usd"] / len(companies)
                                             if len(companies) else 0.0)
    return totals
