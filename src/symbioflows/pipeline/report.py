"""Report glue of the plan: the plan's own ``report.html`` and its section in a report folder.

The HTML of the plan report (plots, tables) is rendered by
:func:`symbioflows.report.plan.write_plan_report`; the report folder and its sections by
:mod:`symbioflows.report`.  This module only hands the plan to them.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from symbioflows.pipeline.result import SymbiosisPlan
    from symbioflows.report import ReportSection

__all__ = ["write_plan_report", "plan_section"]


def write_plan_report(result: SymbiosisPlan, path: str | Path) -> Path:
    """Write the plan's self-contained ``report.html`` (Sankey, map, chains, totals)."""
    from symbioflows.report.plan import write_plan_report

    return write_plan_report(result, Path(path))


def plan_section(result: SymbiosisPlan) -> ReportSection:
    """The plan as a section of a report folder (:func:`symbioflows.report.write_report`)."""
    import pandas as pd

    from symbioflows.report import ReportSection
    from symbioflows.report.plan import pair_model_note

    t = result.totals
    body = (
        "<p>Candidates from the native spatial grid, scored in one native pass (material, "
        "quantity, quality and timing fit, distance, transport cost, price-band surplus, CO2e "
        "avoided, compliance flags, learned sector fit), allocated by OR-tools min-cost flow "
        f"(status <b>{html.escape(result.allocation.status)}</b>), chains by the native cycle "
        "search. The interactive report with the Sankey diagram of material flows, the map of "
        "sites and exchanges, the top chains and the impact totals: "
        '<a href="plan/report.html">plan/report.html</a>.</p>'
        f"<p>{html.escape(pair_model_note(result))}</p>"
        f"<p>{int(t['n_exchanges'])} exchanges, {t['tonnes_exchanged']:,.0f} t/yr and "
        f"{t['mwh_exchanged']:,.0f} MWh/yr"
        + (f" (of which {t['quantity_electricity_MWh']:,.0f} MWh/yr electricity)"
           if t.get("quantity_electricity_MWh", 0.0) > 0 else "")
        + f", net benefit {t['net_benefit_usd']:,.0f} USD/yr, "
        f"{t['co2e_avoided_kg'] / 1000:,.0f} t CO2e avoided/yr, {int(t['n_chains'])} circular "
        "chains.</p>"
    )
    ex = result.exchanges.sort_values("net_benefit_usd", ascending=False)
    comp = result.companies
    names = dict(zip(comp["company_id"], comp["name"])) if "name" in comp.columns else {}
    ex = ex.assign(supplier=[names.get(c) or c for c in ex["supply_company_id"]],
                   receiver=[names.get(c) or c for c in ex["demand_company_id"]])
    cols = [c for c in ("supplier", "receiver", "material", "medium", "quantity", "unit",
                        "route_km", "transport_mode", "score", "choice_probability", "net_benefit_usd",
                        "co2e_avoided_kg", "supply_company_id", "demand_company_id")
            if c in ex.columns]
    tables: dict[str, Any] = {"totals": pd.DataFrame([t]), "exchanges": ex[cols]}
    if not result.chains.empty:
        tables["chains"] = result.chains
    f = result.findings
    if not f.empty and "kind" in f.columns:
        comp = f[f["kind"] == "compliance"]
        if not comp.empty:
            tables["compliance findings"] = comp.groupby(
                ["rule_id", "severity", "title", "action"], sort=True).size().reset_index(
                name="exchanges")
        other = f[f["kind"] != "compliance"]
        if not other.empty:
            cuts = other[other["kind"] == "candidates"]
            body += "".join(f"<p><b>{html.escape(str(t))}</b>: {html.escape(str(a))}</p>"
                            for t, a in zip(cuts["title"], cuts["action"]))
            rest = other[other["kind"] != "candidates"]
            counts = rest.groupby(["kind", "rule_id"]).size()
            body += "".join(f"<p>{int(n)} stream(s): {html.escape(str(key[0]))} finding "
                            f"{html.escape(str(key[1]))}</p>" for key, n in counts.items()
                            if isinstance(key, tuple))
            tables["streams and candidates left out or cut"] = other[
                ["kind", "stream_id", "rule_id", "severity", "title", "action"]]
    return ReportSection("Symbiosis plan", body, tables)
