"""The plan report: one self-contained HTML page (plotly.js inlined once, no network at view time).

What it shows, and why each choice:

* **cards** with their units (exchanges, companies, materials t/yr, heat and gas MWh/yr,
  electricity MWh/yr, water and steam t/yr, net benefit USD/yr, CO2e t/yr, landfill diverted
  t/yr, chains) and the share of the value and CO2e that rests on checked figures;
* **flows per medium**: one Sankey per unit (materials in t, heat and gas in MWh, electricity
  in MWh, water and steam in t, volumes in m3): t, MWh and m3 never share a chart, nor do heat
  and electricity, so a pipe of effluent does not dwarf every material; nodes are sector
  titles and materials, not codes;
* **a map** on shipped coastlines and borders (GSHHG, :file:`data/basemap.npz`, built by
  ``tools/build_basemap.py``), exchanges coloured by medium, sites named;
* **one bar per chain** (its companies' names and materials as the label, score on a 0-1 axis);
* **value by medium** (USD/yr) and **CO2e by medium** (t CO2e/yr) as two charts: one unit each;
* tables with company names and formatted numbers.

The page of an empty plan has no plot and no plotly.js (a few kB).  Otherwise plotly.js is
inlined once, gzip-compressed and base64-encoded (4.8 MB of script become 1.96 MB of page), and
unpacked by the browser's own ``DecompressionStream`` (Chrome 80, Firefox 113, Safari 16.4):
the page stays one file that works offline.  The figures are JSON specs drawn once the script
is unpacked; ``<html data-plots>`` then reads ``drawn`` (or ``failed``, with the error on the
console), which is what the browser test waits for.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
import logging
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

__all__ = ["render_plan_report", "write_plan_report", "MEDIUM_COLOURS", "format_number"]

#: Colour of each medium (exchanges' ``medium``), on the map, in the Sankeys and the charts.
MEDIUM_COLOURS: dict[str, str] = {
    "solid": "#8c6d31", "bulk_solid": "#8c6d31", "liquid": "#7b4173", "gas": "#636363",
    "heat": "#d6616b", "steam": "#e6550d", "water": "#3182bd", "electricity": "#e7ba52",
}
_MEDIUM_NAMES = {"solid": "solids", "bulk_solid": "solids", "liquid": "liquids", "gas": "gases",
                 "heat": "heat", "steam": "steam", "water": "water",
                 "electricity": "electricity"}

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2a33;
background:#f6f8f7}
main{max-width:1180px;margin:0 auto;padding:1.5em 1.2em 3em}
h1{margin:.2em 0 0;font-size:1.7em}h2{color:#2a7a4b;margin:1.8em 0 .4em;font-size:1.25em}
.sub{color:#5b6b75;margin:.3em 0 1em;font-size:.92em}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px}
.card{background:#fff;border:1px solid #dde5e0;border-radius:8px;padding:10px 14px}
.card b{display:block;font-size:1.45em;color:#173d2a;margin:.1em 0}
.card span{color:#5b6b75;font-size:.82em}
.plot{background:#fff;border:1px solid #dde5e0;border-radius:8px;margin:.6em 0;padding:4px}
table{border-collapse:collapse;margin:.6em 0;font-size:13px;background:#fff;width:100%}
td,th{border-bottom:1px solid #e3e8e5;padding:5px 8px;text-align:right;vertical-align:top}
th{background:#eef4f0;font-weight:600}td.l,th.l{text-align:left}
.note{color:#5b6b75;font-size:.85em}
"""


def format_number(v: Any, *, digits: int = 3) -> str:
    """A number for people: thousands separators, no false precision.

    >>> format_number(1234567.89), format_number(0.012345), format_number(float("nan"))
    ('1,234,568', '0.0123', '–')
    """
    if v is None or isinstance(v, str):
        return html.escape(str(v or ""))
    x = float(v)
    if not np.isfinite(x):
        return "–"
    if abs(x) >= 100 or x == int(x):
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def _short(text: str, n: int = 34) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


@lru_cache(maxsize=1)
def _basemap() -> dict[str, Any]:
    ref = resources.files("symbioflows.report") / "data" / "basemap.npz"
    with resources.as_file(ref) as path, np.load(path, allow_pickle=False) as z:
        if int(z["format_version"]) != 1:
            raise ValueError(f"basemap.npz format {int(z['format_version'])}; expected 1")
        scale = float(z["scale"])
        out = {}
        for key in ("coast", "border"):
            d, n = z[key], z[f"{key}_n"]
            starts = np.concatenate([[0], np.cumsum(n)[:-1]])
            xy = np.cumsum(d, axis=0)  # deltas restart at each polyline's first point
            base = np.repeat(xy[starts] - d[starts], n, axis=0)
            out[key] = ((xy - base) / scale, n)
        return out


def _clip(key: str, lon0: float, lon1: float, lat0: float, lat1: float) -> tuple[list, list]:
    """Polylines of the basemap inside a box, NaN-separated (a point just outside is kept so
    that a line leaving the box reaches its edge)."""
    xy, n = _basemap()[key]
    inside = (xy[:, 0] >= lon0) & (xy[:, 0] <= lon1) & (xy[:, 1] >= lat0) & (xy[:, 1] <= lat1)
    first = np.zeros(len(xy), dtype=bool)
    first[np.concatenate([[0], np.cumsum(n)[:-1]])] = True
    keep = inside.copy()
    keep[:-1] |= inside[1:] & ~first[1:]
    keep[1:] |= inside[:-1] & ~first[1:]
    brk = first | np.concatenate([[True], ~keep[:-1]])
    idx = np.flatnonzero(keep)
    if idx.size == 0:
        return [], []
    xs: list[float | None] = []
    ys: list[float | None] = []
    for i in idx:
        if brk[i] and xs:
            xs.append(None)
            ys.append(None)
        xs.append(round(float(xy[i, 0]), 3))
        ys.append(round(float(xy[i, 1]), 3))
    return xs, ys


def _names(p: Any) -> tuple[pd.Series, pd.Series]:
    comp = p.companies.set_index("company_id")
    names = comp["name"].fillna("").astype(str) if "name" in comp.columns else \
        pd.Series("", index=comp.index)
    names = names.where(names != "", pd.Series(comp.index, index=comp.index).astype(str))
    from symbioflows.data.reference import nace_titles

    titles = nace_titles()
    sector = comp["sector"].fillna("").astype(str) if "sector" in comp.columns else \
        pd.Series("", index=comp.index)
    sector_title = sector.map(lambda s: titles.get(s, "") or (f"NACE {s}" if s else "sector unknown"))
    return names, sector_title


def _medium(ex: pd.DataFrame) -> pd.Series:
    if "medium" in ex.columns:
        return ex["medium"].fillna("solid").astype(str)
    return ex["unit"].map({"MWh": "heat", "m3": "water"}).fillna("solid")


def _flow_groups(ex: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """(title, rows) per chart: one unit per chart."""
    med = _medium(ex)
    unit = ex["unit"].astype(str)
    groups = [
        ("Materials (t/yr)", (unit == "t") & ~med.isin(["water", "steam"])),
        ("Energy: heat and gas (MWh/yr)", (unit == "MWh") & (med != "electricity")),
        ("Electricity by private wire (MWh/yr)", (unit == "MWh") & (med == "electricity")),
        ("Water and steam by pipe (t/yr)", (unit == "t") & med.isin(["water", "steam"])),
        ("Water (m3/yr)", unit == "m3"),
    ]
    return [(t, ex[m.to_numpy()]) for t, m in groups if m.any()]


def _sankey(go: Any, rows: pd.DataFrame, title: str, sector_title: pd.Series) -> Any:
    t = rows.assign(
        src=["from " + _short(sector_title.get(c, c), 38) for c in rows["supply_company_id"]],
        dst=["to " + _short(sector_title.get(c, c), 38) for c in rows["demand_company_id"]],
        mat=rows["material"].fillna("").astype(str).map(lambda s: _short(s, 34)),
        med=_medium(rows).to_numpy())
    top = t.groupby("mat")["quantity"].sum().nlargest(20).index
    t = t[t["mat"].isin(top)]
    labels = list(dict.fromkeys(sorted(set(t["src"])) + sorted(set(t["mat"])) + sorted(set(t["dst"]))))
    idx = {v: k for k, v in enumerate(labels)}
    a = t.groupby(["src", "mat", "med"])["quantity"].sum().reset_index()
    b = t.groupby(["mat", "dst", "med"])["quantity"].sum().reset_index()
    src = [idx[s] for s in a["src"]] + [idx[m] for m in b["mat"]]
    dst = [idx[m] for m in a["mat"]] + [idx[d] for d in b["dst"]]
    val = list(a["quantity"]) + list(b["quantity"])
    colours = [_rgba(MEDIUM_COLOURS.get(m, "#888888"), 0.45) for m in list(a["med"]) + list(b["med"])]
    unit = title[title.rfind("(") + 1: -1]
    fig = go.Figure(go.Sankey(
        valueformat=",.0f", valuesuffix=" " + unit,
        node=dict(label=labels, pad=10, thickness=14, color="#4a6b5a"),
        link=dict(source=src, target=dst, value=val, color=colours)))
    fig.update_layout(title=dict(text=title, x=0.01), height=max(360, 22 * len(labels) + 80),
                      margin=dict(l=10, r=10, t=40, b=10), font=dict(size=11))
    return fig


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i: i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _map(go: Any, p: Any, names: pd.Series, sector_title: pd.Series) -> Any:
    comp = p.companies.set_index("company_id")
    ex = p.exchanges
    lat, lon = comp["lat"].astype(float), comp["lon"].astype(float)
    pad_lat = max(0.02, 0.08 * float(lat.max() - lat.min()))
    pad_lon = max(0.02, 0.08 * float(lon.max() - lon.min()))
    box = (float(lon.min()) - pad_lon, float(lon.max()) + pad_lon,
           float(lat.min()) - pad_lat, float(lat.max()) + pad_lat)
    fig = go.Figure()
    cx, cy = _clip("coast", box[0] - 1, box[1] + 1, box[2] - 1, box[3] + 1)
    if cx:
        fig.add_trace(go.Scatter(x=cx, y=cy, mode="lines", line=dict(color="#9aa9a0", width=1),
                                 name="coastline (GSHHG)", hoverinfo="skip"))
    bx, by = _clip("border", box[0] - 1, box[1] + 1, box[2] - 1, box[3] + 1)
    if bx:
        fig.add_trace(go.Scatter(x=bx, y=by, mode="lines",
                                 line=dict(color="#b9a7c9", width=1, dash="dash"),
                                 name="border", hoverinfo="skip"))
    if not ex.empty:
        med = _medium(ex).to_numpy()
        for m in sorted(set(med)):
            sel = ex[med == m]
            k = np.argsort(-sel["quantity"].to_numpy())[:1500]
            sel = sel.iloc[k]
            x1 = lon.loc[sel["supply_company_id"]].to_numpy()
            y1 = lat.loc[sel["supply_company_id"]].to_numpy()
            x2 = lon.loc[sel["demand_company_id"]].to_numpy()
            y2 = lat.loc[sel["demand_company_id"]].to_numpy()
            xs = np.column_stack([x1, x2, np.full(len(sel), np.nan)]).ravel()
            ys = np.column_stack([y1, y2, np.full(len(sel), np.nan)]).ravel()
            fig.add_trace(go.Scatter(
                x=np.round(xs, 5), y=np.round(ys, 5), mode="lines", hoverinfo="skip",
                line=dict(width=1.3, color=MEDIUM_COLOURS.get(m, "#888")),
                opacity=0.6, name=f"{_MEDIUM_NAMES.get(m, m)} ({len(sel)})"))
    fig.add_trace(go.Scatter(
        x=lon.round(5), y=lat.round(5), mode="markers", name="sites",
        marker=dict(size=6, color="#173d2a", line=dict(width=0.5, color="#fff")),
        text=[f"{html.escape(names.get(c, c))}<br>{html.escape(sector_title.get(c, ''))}<br>{c}"
              for c in comp.index], hoverinfo="text"))
    ratio = 1.0 / max(0.2, float(np.cos(np.deg2rad(lat.mean()))))
    fig.update_layout(
        title=dict(text="Sites and exchanges, coloured by medium", x=0.01), height=620,
        margin=dict(l=50, r=10, t=40, b=40), plot_bgcolor="#eaf2f8",
        legend=dict(bgcolor="rgba(255,255,255,0.8)"),
        xaxis=dict(title="longitude (°)", range=[box[0], box[1]], showgrid=False),
        yaxis=dict(title="latitude (°)", range=[box[2], box[3]], showgrid=False,
                   scaleanchor="x", scaleratio=ratio))
    return fig


def _chain_labels(p: Any, names: pd.Series) -> pd.DataFrame:
    ch = p.chains.copy()
    ids = ch["companies"].astype(str).str.split(" -> ")
    ch["names"] = [" → ".join(_short(names.get(c, c), 28) for c in row) for row in ids]
    ch["label"] = [f"#{i + 1} " + " → ".join(_short(names.get(c, c), 22) for c in row[:-1])
                   for i, row in enumerate(ids)]
    ch["materials"] = ch["materials"].astype(str).str.replace(" | ", ", ")
    return ch


def _chains_fig(go: Any, ch: pd.DataFrame) -> Any:
    top = ch.head(15)
    fig = go.Figure(go.Bar(
        x=top["score"], y=top["label"], orientation="h", marker_color="#2a7a4b",
        text=top["materials"].map(lambda s: _short(s, 60)), textposition="inside",
        insidetextanchor="start", textfont=dict(color="#fff", size=11),
        customdata=np.column_stack([top["names"], top["materials"]]),
        hovertemplate="%{customdata[0]}<br>%{customdata[1]}<br>score %{x:.3f}<extra></extra>"))
    fig.update_layout(title=dict(text="Circular chains (score 0-1: the chance every link works)",
                                 x=0.01),
                      height=110 + 34 * len(top), margin=dict(l=10, r=10, t=40, b=40),
                      xaxis=dict(range=[0, 1], title="score"),
                      yaxis=dict(autorange="reversed", automargin=True))
    return fig


def _by_medium_fig(go: Any, ex: pd.DataFrame, column: str, scale: float, title: str,
                   unit: str) -> Any:
    med = _medium(ex)
    s = (ex[column].astype(float) * scale).groupby(med).sum().sort_values(ascending=False)
    fig = go.Figure(go.Bar(
        x=[_MEDIUM_NAMES.get(m, m) for m in s.index], y=s.to_numpy(),
        marker_color=[MEDIUM_COLOURS.get(m, "#888") for m in s.index],
        text=[format_number(v) for v in s.to_numpy()], textposition="outside",
        hovertemplate="%{x}: %{y:,.0f} " + unit + "<extra></extra>"))
    fig.update_layout(title=dict(text=title, x=0.01), height=360, yaxis=dict(title=unit),
                      margin=dict(l=60, r=10, t=40, b=40))
    return fig


def _figures(p: Any) -> list[tuple[str, Any]]:
    from symbioflows._optional import import_optional

    go = import_optional("plotly.graph_objects", "viz", purpose="report plots")
    names, sector_title = _names(p)
    ex = p.exchanges
    figs: list[tuple[str, Any]] = []
    if ex.empty:
        return figs
    for title, rows in _flow_groups(ex):
        figs.append((title, _sankey(go, rows, title, sector_title)))
    figs.append(("map", _map(go, p, names, sector_title)))
    if not p.chains.empty:
        figs.append(("chains", _chains_fig(go, _chain_labels(p, names))))
    if "net_benefit_usd" in ex.columns:
        figs.append(("value", _by_medium_fig(go, ex, "net_benefit_usd", 1.0,
                                              "Net benefit by medium", "USD/yr")))
    if "co2e_avoided_kg" in ex.columns:
        figs.append(("co2e", _by_medium_fig(go, ex, "co2e_avoided_kg", 1e-3,
                                             "CO2e avoided by medium", "t CO2e/yr")))
    return figs


def _table(df: pd.DataFrame, cols: dict[str, str], n: int = 40) -> str:
    if df.empty:
        return "<p class='note'>none</p>"
    cols = {k: v for k, v in cols.items() if k in df.columns}
    head = "".join(f"<th class='{'l' if df[k].dtype == object else ''}'>{html.escape(v)}</th>"
                   for k, v in cols.items())
    body = []
    for _, r in df.head(n).iterrows():
        cells = "".join(
            f"<td class='l'>{html.escape(str(r[k]))}</td>" if isinstance(r[k], str)
            else f"<td>{format_number(r[k])}</td>" for k in cols)
        body.append(f"<tr>{cells}</tr>")
    more = (f"<p class='note'>{len(df) - n:,} more rows in the CSV and Parquet tables.</p>"
            if len(df) > n else "")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>{more}"


def _cards(p: Any) -> str:
    t = p.totals
    water_t = t.get("quantity_water_t", 0.0) + t.get("quantity_steam_t", 0.0)
    elec_mwh = t.get("quantity_electricity_MWh", 0.0)
    n_comp = t.get("n_participating_companies")
    per = t.get("net_benefit_usd_per_company")
    items = [
        (format_number(t.get("n_exchanges", len(p.exchanges))), "exchanges"),
        (format_number(n_comp) if n_comp is not None else "–", "participating companies"),
        (format_number(t.get("tonnes_exchanged", float("nan"))), "t/yr of materials"),
        (format_number(t.get("mwh_exchanged", float("nan")) - elec_mwh),
         "MWh/yr of heat and gas"),
        (format_number(elec_mwh), "MWh/yr of electricity by private wire"),
        (format_number(water_t), "t/yr of water and steam by pipe"),
        (format_number(t.get("net_benefit_usd", float("nan"))), "USD/yr net benefit"
         + (f" ({format_number(per)} per company)" if per is not None else "")),
        (format_number(t.get("co2e_avoided_kg", float("nan")) / 1000), "t CO2e/yr avoided"),
        (format_number(t.get("landfill_diverted_t", float("nan"))), "t/yr kept from landfill"),
        (format_number(t.get("n_chains", len(p.chains))), "circular chains"),
    ]
    for key, label in (("value_checked_share", "of the value on checked prices"),
                       ("co2e_checked_share", "of the CO2e on checked factors")):
        if key in t:
            items.append((f"{100 * float(t[key]):.0f} %", label))
    return "".join(f"<div class='card'><b>{v}</b><span>{html.escape(label)}</span></div>"
                   for v, label in items)


def pair_model_note(p: Any) -> str:
    """Which model scored the pairs (``plan.options["pair_model"]``), as one sentence."""
    m = p.options.get("pair_model")
    if not isinstance(m, dict):
        return "Pairs scored by the hand-set blend."
    name = str(m.get("name", "?"))
    if name == "hand_blend":
        return "Pairs scored by the hand-set blend (no learned pair model)."
    prov = m.get("provenance", {}) or {}
    return (f"Pairs scored by the learned pair model {name} v{m.get('version', '?')} "
            f"(learned: {', '.join(m.get('learned', [])) or 'none'}; trained on "
            f"{str(prov.get('trained_on', 'unknown')).split(',')[0]}, "
            f"{prov.get('date', 'undated')}).")


def _objective_note(p: Any) -> str:
    obj = float(p.allocation.objective)
    objective = str(p.options.get("objective"))
    text = (f"{html.escape(pair_model_note(p))} "
            f"Allocation {html.escape(p.allocation.method)}, status "
            f"<b>{html.escape(p.allocation.status)}</b>; objective {html.escape(objective)}")
    if not np.isfinite(obj):
        return text
    if objective in ("net_benefit", "expected_net_benefit"):
        net = float(p.totals.get("net_benefit_usd", float("nan")))
        per = ("scored surplus per unit × quantity" if objective == "net_benefit" else
               "scored surplus per unit × the probability that the pair is the supply's "
               "partner × quantity")
        text += (f" = {format_number(obj)} USD/yr: the value the solver maximised (each pair's "
                 f"{per}). The net benefit card values the same "
                 "exchanges again, each against the receiver's avoided purchase and the "
                 "supplier's alternative, less transport (docs/economics.md)")
        if np.isfinite(net):
            text += f"; the two differ by {format_number(net - obj)} USD/yr"
        return text + "."
    unit = {"co2e": "kg CO2e/yr", "landfill": "units/yr"}.get(objective, "")
    return text + f" = {format_number(obj)} {unit}."


@lru_cache(maxsize=1)
def _plotly_js_gzip_b64() -> str:
    """plotly.js of the installed plotly, gzip-compressed (deterministic: mtime 0), base64."""
    import plotly.offline

    raw = plotly.offline.get_plotlyjs().encode("utf-8")
    return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")


# Unpacks plotly.js with the browser's DecompressionStream, runs it once, then draws every
# figure spec; <html data-plots> says "drawn" or "failed" (the error goes to the console).
_LOADER = """(async () => {
  const root = document.documentElement;
  try {
    const bytes = Uint8Array.from(atob(document.getElementById('plotly-gz').textContent),
                                  c => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    const code = document.createElement('script');
    code.text = await new Response(stream).text();
    document.head.appendChild(code);
    const specs = JSON.parse(document.getElementById('plot-specs').textContent);
    await Promise.all(specs.map(([id, fig]) =>
      Plotly.newPlot(id, fig.data, fig.layout || {}, CONFIG)));
    root.dataset.plots = 'drawn';
  } catch (err) {
    root.dataset.plots = 'failed';
    console.error('plan report: the plots could not be drawn: ' + err);
  }
})();"""


def _json_script(text: str) -> str:
    """JSON safe inside a <script> element (no closing tag, no HTML comment opener)."""
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")


def render_plan_report(p: Any, *, title: str = "Industrial symbiosis plan") -> str:
    """The plan report as one HTML string (see the module docstring).

    Parameters
    ----------
    p : SymbiosisPlan
    title : str
        Page title.

    Returns
    -------
    str
        A complete HTML page; plotly.js is inlined once when there is a plot, absent otherwise.
    """
    names, sector_title = _names(p)
    plots: list[str] = []
    try:
        figs = _figures(p)
    except ImportError:
        from symbioflows._optional import install_hint

        figs = []
        plots.append(f"<p class='note'>Plots need plotly: {html.escape(install_hint('viz'))}.</p>")
    tail = ""
    if figs:
        config = {"displaylogo": False, "responsive": True}
        specs = []
        for key, fig in figs:
            div_id = f"plot-{_slug(key)}"
            height = fig.layout.height or 450
            specs.append([div_id, json.loads(fig.to_json())])
            plots.append(f"<div class='plot' data-plot='{html.escape(key)}'>"
                         f"<div id='{div_id}' class='plotly-graph-div' "
                         f"style='height:{int(height)}px;width:100%'></div></div>")
        tail = ("<script type='application/gzip+base64' id='plotly-gz'>"
                f"{_plotly_js_gzip_b64()}</script>"
                "<script type='application/json' id='plot-specs'>"
                f"{_json_script(json.dumps(specs, separators=(',', ':')))}</script>"
                "<script type='text/javascript'>"
                f"{_LOADER.replace('CONFIG', json.dumps(config))}</script>")
    ex = p.exchanges
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
             f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body><main>",
             f"<h1>{html.escape(title)}</h1><p class='sub'>{_objective_note(p)}</p>",
             f"<div class='cards'>{_cards(p)}</div>"]
    if plots:
        parts.append("<h2>Flows, places and value</h2>")
        key = " ".join(
            f"<span style='color:{MEDIUM_COLOURS[m]}'>&#9632;</span>&nbsp;{_MEDIUM_NAMES[m]}"
            for m in ("solid", "liquid", "gas", "heat", "steam", "water", "electricity"))
        parts.append("<p class='note'>One chart per unit: materials in t, heat and gas in MWh, "
                     "electricity in MWh, water and steam in t (or m3): never added together. "
                     f"Colours: {key}.</p>")
        parts.extend(plots)
    parts.append("<h2>Top exchanges by net benefit</h2>")
    if not ex.empty:
        top = ex.sort_values("net_benefit_usd", ascending=False) if "net_benefit_usd" in ex else ex
        top = top.assign(
            supplier=[names.get(c, c) for c in top["supply_company_id"]],
            receiver=[names.get(c, c) for c in top["demand_company_id"]],
            medium_name=[_MEDIUM_NAMES.get(m, m) for m in _medium(top)],
            qty=[f"{format_number(q)} {u}/yr" for q, u in zip(top["quantity"], top["unit"])],
            co2e_t=top["co2e_avoided_kg"] / 1000 if "co2e_avoided_kg" in top else np.nan)
        parts.append(_table(top, {"supplier": "supplier", "receiver": "receiver",
                                  "material": "material", "medium_name": "medium",
                                  "qty": "quantity", "route_km": "route km",
                                  "choice_probability": "partner probability",
                                  "net_benefit_usd": "net benefit USD/yr",
                                  "co2e_t": "CO2e avoided t/yr"}))
    else:
        parts.append("<p class='note'>No exchange was allocated.</p>")
    parts.append("<h2>Circular chains</h2>")
    if not p.chains.empty:
        ch = _chain_labels(p, names)
        ch["co2e_t"] = ch["co2e_avoided_kg"] / 1000 if "co2e_avoided_kg" in ch else np.nan
        parts.append(_table(ch, {"names": "companies", "materials": "materials",
                                 "score": "score", "bottleneck_quantity": "bottleneck quantity",
                                 "co2e_t": "CO2e avoided t/yr"}, n=25))
    else:
        parts.append("<p class='note'>No circular chain among the allocated exchanges.</p>")
    f = p.findings
    kind = f["kind"] if "kind" in f.columns else pd.Series("compliance", index=f.index)
    other = f[kind != "compliance"]
    if not other.empty:
        # streams left out by validation, streams without a class or a partner, candidate cuts
        parts.append("<h2>Streams left out, unmatched or cut</h2>")
        summary = other.groupby(["kind", "rule_id", "severity", "action"], sort=True).agg(
            rows=("rule_id", "size"), example=("title", "first")).reset_index()
        parts.append(_table(summary, {"kind": "kind", "rule_id": "rule", "severity": "severity",
                                      "rows": "rows", "example": "example",
                                      "action": "action"}, n=50))
    parts.append("<h2>Compliance findings</h2>")
    comp_f = f[kind == "compliance"]
    if not comp_f.empty:
        summary = comp_f.groupby(["rule_id", "severity", "title", "action", "source"],
                                 sort=True).size().reset_index(name="exchanges")
        parts.append(_table(summary, {"rule_id": "rule", "severity": "severity",
                                      "title": "finding", "exchanges": "exchanges",
                                      "action": "action", "source": "source"}, n=50))
    else:
        parts.append("<p class='note'>No finding.</p>")
    timings = "; ".join(f"{html.escape(k)} {v:.2f} s" for k, v in p.timings_s.items())
    credit = (" Map: coastlines and borders from GSHHG (Wessel and Smith, LGPL-3.0), "
              "intermediate resolution." if any(k == "map" for k, _ in figs) else "")
    parts.append(f"<p class='note'>Stage timings: {timings}.{credit}</p>")
    parts.append(f"</main>{tail}</body></html>")
    return "".join(parts)


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")[:40] or "x"


def write_plan_report(p: Any, path: str | Path, **kwargs: Any) -> Path:
    """Write :func:`render_plan_report` to ``path`` (UTF-8) and return it."""
    path = Path(path)
    path.write_text(render_plan_report(p, **kwargs), encoding="utf-8")
    log.debug("plan report written to %s (%d bytes)", path, path.stat().st_size)
    return path

