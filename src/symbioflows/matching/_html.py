"""Self-contained HTML report of a SymbiosisPlan (plotly inlined; no network at view time).

Plots: a Sankey diagram of the material flows (supplier sector -> material -> receiver
sector), a map of the sites and the allocated exchanges (longitude/latitude axes, so no map
tiles or topojson need downloading), the top circular chains, and the impact totals.  Without
plotly the report keeps its tables and says which extra adds the plots.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

__all__ = ["write_report", "render_report"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1200px;color:#222}
h1{margin-bottom:0}.sub{color:#666;margin-top:.2em}
table{border-collapse:collapse;margin:1em 0;font-size:13px}
td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}th{background:#f4f4f4}
td.l,th.l{text-align:left}.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid #ddd;border-radius:6px;padding:10px 16px;min-width:150px}
.card b{display:block;font-size:22px}
"""


def _fmt(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        x = float(v)
        if not np.isfinite(x):
            return "–"
        return f"{x:,.4g}" if abs(x) < 1e4 else f"{x:,.0f}"
    return html.escape(str(v))


def _table(df: pd.DataFrame, cols: list[str], n: int = 50) -> str:
    cols = [c for c in cols if c in df.columns]
    if df.empty:
        return "<p><i>none</i></p>"
    head = "".join(f"<th class='l'>{html.escape(c)}</th>" for c in cols)
    body = []
    for _, r in df.head(n).iterrows():
        cells = "".join(
            f"<td class='{'l' if isinstance(r[c], str) else ''}'>{_fmt(r[c])}</td>" for c in cols)
        body.append(f"<tr>{cells}</tr>")
    more = f"<p>… {len(df) - n} more rows in the CSV/Parquet tables.</p>" if len(df) > n else ""
    return f"<table><tr>{head}</tr>{''.join(body)}</table>{more}"


def _figures(p: Any) -> list[tuple[str, Any]]:
    from symbioflows._optional import import_optional

    go = import_optional("plotly.graph_objects", "viz", purpose="report plots")
    figs: list[tuple[str, Any]] = []
    ex = p.exchanges
    comp = p.companies.set_index("company_id")
    sector = comp["sector"].fillna("").astype(str) if "sector" in comp.columns else \
        pd.Series("", index=comp.index)
    name = comp["name"].astype(str) if "name" in comp.columns else pd.Series(comp.index,
                                                                              index=comp.index)

    def sec(c: str) -> str:
        s = sector.get(c, "")
        return f"NACE {s}" if s else "sector unknown"

    if not ex.empty:
        t = ex.assign(src=[sec(c) for c in ex["supply_company_id"]],
                      dst=[sec(c) for c in ex["demand_company_id"]],
                      mat=ex["material"].fillna("").astype(str).str.slice(0, 40))
        top = t.groupby("mat")["quantity"].sum().nlargest(25).index
        t = t[t["mat"].isin(top)]
        left = [f"from {s}" for s in sorted(set(t["src"]))]
        mid = sorted(set(t["mat"]))
        right = [f"to {s}" for s in sorted(set(t["dst"]))]
        labels = left + mid + right
        idx = {v: k for k, v in enumerate(labels)}
        a = t.groupby(["src", "mat"])["quantity"].sum()
        b = t.groupby(["mat", "dst"])["quantity"].sum()
        src = [idx[f"from {s}"] for s, _ in a.index] + [idx[m] for m, _ in b.index]
        dst = [idx[m] for _, m in a.index] + [idx[f"to {d}"] for _, d in b.index]
        val = list(a.to_numpy()) + list(b.to_numpy())
        fig = go.Figure(go.Sankey(node=dict(label=labels, pad=12),
                                  link=dict(source=src, target=dst, value=val)))
        fig.update_layout(height=600, margin=dict(l=10, r=10, t=30, b=10),
                          title="Material flows (quantity in the medium's unit per year)")
        figs.append(("Sankey of material flows", fig))
    # map
    fig = go.Figure()
    fig.add_trace(go.Scattergl(x=comp["lon"], y=comp["lat"], mode="markers",
                               marker=dict(size=5, color="#888"), name="sites",
                               text=[f"{name.get(c, c)} ({sec(c)})" for c in comp.index],
                               hoverinfo="text"))
    if not ex.empty:
        lon1 = comp.loc[ex["supply_company_id"], "lon"].to_numpy()
        lat1 = comp.loc[ex["supply_company_id"], "lat"].to_numpy()
        lon2 = comp.loc[ex["demand_company_id"], "lon"].to_numpy()
        lat2 = comp.loc[ex["demand_company_id"], "lat"].to_numpy()
        k = np.argsort(-ex["quantity"].to_numpy())[:2000]
        xs = np.column_stack([lon1[k], lon2[k], np.full(k.size, np.nan)]).ravel()
        ys = np.column_stack([lat1[k], lat2[k], np.full(k.size, np.nan)]).ravel()
        fig.add_trace(go.Scattergl(x=xs, y=ys, mode="lines", line=dict(width=1, color="#1f77b4"),
                                   name="exchanges", hoverinfo="skip"))
    fig.update_layout(height=600, title="Sites and allocated exchanges",
                      xaxis_title="longitude (°)", yaxis_title="latitude (°)",
                      yaxis=dict(scaleanchor="x", scaleratio=1.0 / max(
                          0.2, float(np.cos(np.deg2rad(comp["lat"].mean())))) if len(comp) else 1))
    figs.append(("Map of sites and exchanges", fig))
    if not p.chains.empty:
        top = p.chains.head(15)
        fig = go.Figure(go.Bar(x=top["score"], y=top["companies"], orientation="h"))
        fig.update_layout(height=120 + 28 * len(top), title="Top circular chains (score)",
                          yaxis=dict(autorange="reversed"), margin=dict(l=300))
        figs.append(("Top chains", fig))
    tot = p.totals
    keys = ["net_benefit_usd", "co2e_avoided_kg", "transport_cost_usd", "landfill_diverted_t"]
    fig = go.Figure(go.Bar(x=keys, y=[tot.get(k, 0.0) for k in keys]))
    fig.update_layout(height=400, title="Impact totals (per year)")
    figs.append(("Impact totals", fig))
    return figs


def render_report(p: Any, *, title: str = "symbioflows — industrial symbiosis plan") -> str:
    """The report as one HTML string."""
    tot = p.totals
    cards = "".join(
        f"<div class='card'>{html.escape(label)}<b>{_fmt(tot.get(k, float('nan')))}</b></div>"
        for k, label in [("n_exchanges", "exchanges"), ("tonnes_exchanged", "tonnes / yr"),
                         ("mwh_exchanged", "MWh / yr"), ("net_benefit_usd", "net benefit USD / yr"),
                         ("co2e_avoided_kg", "kg CO2e avoided / yr"), ("n_chains", "circular chains")])
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
             f"<style>{_CSS}</style>"]
    plots_html = []
    try:
        import plotly.io as pio
        import plotly.offline

        figs = _figures(p)
        parts.append(f"<script type='text/javascript'>{plotly.offline.get_plotlyjs()}</script>")
        for head, fig in figs:
            plots_html.append(f"<h2>{html.escape(head)}</h2>"
                              + pio.to_html(fig, include_plotlyjs=False, full_html=False))
    except ImportError:
        from symbioflows._optional import install_hint

        plots_html.append(f"<p><i>Plots need plotly: {html.escape(install_hint('viz'))}.</i></p>")
    parts.append("</head><body>")
    parts.append(f"<h1>{html.escape(title)}</h1><p class='sub'>allocation: "
                 f"{html.escape(p.allocation.method)}, status <b>{html.escape(p.allocation.status)}"
                 f"</b>, objective {html.escape(str(p.options.get('objective')))} = "
                 f"{_fmt(p.allocation.objective)}</p>")
    parts.append(f"<div class='cards'>{cards}</div>")
    parts.extend(plots_html)
    parts.append("<h2>Top exchanges</h2>")
    ex = p.exchanges.sort_values("net_benefit_usd", ascending=False) if not p.exchanges.empty \
        else p.exchanges
    parts.append(_table(ex, ["supply_company_id", "demand_company_id", "material", "quantity",
                             "unit", "distance_km", "score", "net_benefit_usd", "co2e_avoided_kg"]))
    parts.append("<h2>Circular chains</h2>")
    parts.append(_table(p.chains, ["chain_id", "length", "companies", "score",
                                   "bottleneck_quantity"], n=25))
    parts.append("<h2>Compliance findings</h2>")
    if not p.findings.empty:
        summary = p.findings.groupby(["rule_id", "severity", "title", "action", "source"],
                                     sort=True).size().reset_index(name="exchanges")
        parts.append(_table(summary, ["rule_id", "severity", "title", "exchanges", "action",
                                      "source"], n=50))
    else:
        parts.append(_table(p.findings, ["rule_id"]))
    parts.append("<h2>Stage timings (s)</h2>")
    parts.append(_table(pd.DataFrame([p.timings_s]), list(p.timings_s)))
    parts.append("</body></html>")
    return "".join(parts)


def write_report(p: Any, path: str | Path) -> Path:
    """Write :func:`render_report` to ``path`` (UTF-8) and return it."""
    path = Path(path)
    path.write_text(render_report(p), encoding="utf-8")
    return path
