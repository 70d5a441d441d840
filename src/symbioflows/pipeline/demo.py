"""The demo: the main job on the shipped sample region.

:func:`run_demo` loads and validates the sample region, summarises it, plans it
(:func:`~symbioflows.pipeline.plan`) and writes a report folder (``index.html`` with the
tables, and ``plan/report.html``, the self-contained interactive report with the Sankey
diagram of material flows, the map of sites and exchanges, the top chains and the impact
totals).  ``symbioflows demo`` on the command line runs it.
"""

from __future__ import annotations

import html
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from symbioflows.pipeline.planner import plan
from symbioflows.pipeline.report import plan_section
from symbioflows.pipeline.result import SymbiosisPlan

if TYPE_CHECKING:
    import pandas as pd

    from symbioflows.data.dataset import Dataset
    from symbioflows.report import ReportSection

__all__ = ["run_demo", "DemoResult"]

logger = logging.getLogger(__name__)


@dataclass
class DemoResult:
    """What :func:`run_demo` produced."""

    out_dir: Path
    index_html: Path
    dataset: Dataset
    summary: dict[str, Any] = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)
    plan: SymbiosisPlan | None = None
    plan_html: Path | None = None


def _class_table(ds: Dataset) -> pd.DataFrame:
    s = ds.streams.to_pandas()
    s["material_class"] = s["material_class"].fillna("(unclassified)")
    rows = []
    for cls, g in s.groupby("material_class", sort=True):
        sup = g[g["direction"] == "supply"]
        dem = g[g["direction"] == "demand"]
        rows.append(
            {
                "material_class": cls,
                "supplies": len(sup),
                "demands": len(dem),
                "supply_t_per_yr": sup["quantity_t_per_yr"].sum(min_count=1),
                "demand_t_per_yr": dem["quantity_t_per_yr"].sum(min_count=1),
                "supply_mwh_per_yr": sup["quantity_mwh_per_yr"].sum(min_count=1),
                "demand_mwh_per_yr": dem["quantity_mwh_per_yr"].sum(min_count=1),
                "supply_m3_per_yr": sup["quantity_m3_per_yr"].sum(min_count=1),
                "demand_m3_per_yr": dem["quantity_m3_per_yr"].sum(min_count=1),
            }
        )
    import pandas as pd

    return pd.DataFrame(rows)


def _sector_table(ds: Dataset) -> pd.DataFrame:
    import pandas as pd

    from symbioflows.data.reference import nace_titles

    titles = nace_titles()
    c = ds.companies.to_pandas()
    s = ds.streams.to_pandas().merge(c[["company_id", "sector"]], on="company_id", how="left")
    counts = c.groupby("sector", dropna=False).size().rename("companies")
    sup = s[s["direction"] == "supply"].groupby("sector", dropna=False).size().rename("supplies")
    dem = s[s["direction"] == "demand"].groupby("sector", dropna=False).size().rename("demands")
    out = pd.concat([counts, sup, dem], axis=1).fillna(0).astype(int).reset_index()
    out.insert(1, "title", [titles.get(str(x), "") for x in out["sector"]])
    return out.sort_values(["companies", "sector"], ascending=[False, True]).reset_index(drop=True)


def _distance_section(ds: Dataset, timings: dict[str, float]) -> tuple[ReportSection, dict[str, Any]]:
    import pandas as pd

    from symbioflows.logistics import great_circle_matrix
    from symbioflows.report import ReportSection

    lat = ds.companies.column("lat").to_numpy()
    lon = ds.companies.column("lon").to_numpy()
    t0 = time.perf_counter()
    dist = great_circle_matrix(lat, lon)
    timings["distance_matrix"] = time.perf_counter() - t0
    n = dist.shape[0]
    iu = np.triu_indices(n, k=1)
    pairs = dist[iu]
    stats = {
        "companies": n,
        "pairs": int(pairs.size),
        "median_km": float(np.median(pairs)) if pairs.size else float("nan"),
        "mean_km": float(pairs.mean()) if pairs.size else float("nan"),
        "max_km": float(pairs.max()) if pairs.size else float("nan"),
        "pairs_within_5_km": int((pairs <= 5).sum()),
        "pairs_within_10_km": int((pairs <= 10).sum()),
        "pairs_within_25_km": int((pairs <= 25).sum()),
    }
    # nearest demand of the same class for each supply (a first look at matchable pairs)
    s = ds.streams.to_pandas()
    comp_idx = ds.stream_company_index()
    rows = []
    for cls, g in s.groupby("material_class", sort=True):
        sup = g.index[g["direction"] == "supply"].to_numpy()
        dem = g.index[g["direction"] == "demand"].to_numpy()
        if sup.size == 0 or dem.size == 0:
            continue
        d = dist[np.ix_(comp_idx[sup], comp_idx[dem])]
        same = comp_idx[sup][:, None] == comp_idx[dem][None, :]
        d = np.where(same, np.inf, d)
        nearest = d.min(axis=1)
        nearest = nearest[np.isfinite(nearest)]
        if nearest.size == 0:
            continue
        rows.append(
            {
                "material_class": cls,
                "supplies": int(sup.size),
                "demands": int(dem.size),
                "median_nearest_demand_km": float(np.median(nearest)),
                "supplies_with_demand_within_10_km": int((nearest <= 10).sum()),
            }
        )
    nearest_df = pd.DataFrame(rows)
    figures: dict[str, Any] = {}
    from symbioflows._optional import has_module

    if has_module("matplotlib"):
        figures = _figures(ds, pairs)
    text = (
        f"<p>Great-circle distances (haversine, native kernel) between the {n} companies: "
        f"median {stats['median_km']:.1f} km, maximum {stats['max_km']:.1f} km; "
        f"{stats['pairs_within_10_km']} pairs lie within 10 km. Road distances are longer "
        "(the logistics module applies a circuity factor).</p>"
    )
    section = ReportSection(
        "Distances",
        text,
        {"distance summary": pd.DataFrame([stats]), "nearest demand per material class": nearest_df},
        figures,
    )
    return section, stats


def _figures(ds: Dataset, pairs: np.ndarray) -> dict[str, Any]:
    from matplotlib.figure import Figure

    out: dict[str, Any] = {}
    c = ds.companies.to_pandas()
    fig = Figure(figsize=(7, 5.5))
    ax = fig.add_subplot()
    divisions = c["sector"].fillna("??").str[:2]
    for div, g in c.groupby(divisions, sort=True):
        ax.scatter(g["lon"], g["lat"], s=14, label=div, alpha=0.8)
    ax.set_xlabel("longitude (deg)")
    ax.set_ylabel("latitude (deg)")
    ax.set_title("Companies by NACE division")
    ax.legend(fontsize=6, ncol=2, loc="best", markerscale=0.8)
    out["Map of companies"] = fig
    fig2 = Figure(figsize=(6, 3.5))
    ax2 = fig2.add_subplot()
    ax2.hist(pairs, bins=40, color="#2a7a4b")
    ax2.set_xlabel("distance between two companies (km)")
    ax2.set_ylabel("pairs")
    ax2.set_title("Pairwise great-circle distances")
    out["Distance histogram"] = fig2
    return out


def run_demo(
    out_dir: str | os.PathLike[str] = "symbioflows-report",
    *,
    quiet: bool = False,
) -> DemoResult:
    """Run the main job on the shipped sample region and write a report folder.

    Parameters
    ----------
    out_dir : path, default ``"symbioflows-report"``
        Report folder (created): ``index.html``, ``tables/`` (CSV + Parquet), ``data/`` (the
        input dataset as CSV).
    quiet : bool, default False
        Log progress at DEBUG instead of INFO level.

    Returns
    -------
    DemoResult

    Raises
    ------
    InvalidInputError
        ``out_dir`` is an existing file.

    Examples
    --------
    >>> import tempfile
    >>> from symbioflows.pipeline import run_demo
    >>> res = run_demo(tempfile.mkdtemp(), quiet=True)
    >>> res.index_html.name, res.summary["companies"] >= 150
    ('index.html', True)
    """
    import pandas as pd

    from symbioflows.datasets import load_sample_region
    from symbioflows.errors import InvalidInputError
    from symbioflows.report import ReportSection, write_report

    level = logging.DEBUG if quiet else logging.INFO
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InvalidInputError(f"--out {str(out)!r} is a file; choose a folder path")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    ds = load_sample_region()
    timings["load_and_validate"] = time.perf_counter() - t0
    logger.log(level, "loaded %r", ds)
    summary = ds.summary()
    sections = [
        ReportSection(
            "Sample region",
            "<p>A synthetic region generated by <code>symbioflows.datasets.make_region</code> "
            "around the industrial areas of the port of Rotterdam (Maasvlakte, Europoort, "
            "Botlek, Pernis, Moerdijk, Westland ...), with sector profiles drawn from the EU BAT "
            "reference documents and public waste statistics. It is not data of real companies.</p>"
            f"<p>{html.escape(repr(ds))}</p>",
            {
                "summary": pd.DataFrame([{k: v for k, v in summary.items() if k != "countries"}]),
                "companies by sector": _sector_table(ds),
            },
        ),
        ReportSection(
            "Validation",
            f"<p>{html.escape(ds.report.summary())}</p>",
            {"problems": ds.report.to_pandas()} if ds.report.problems else {},
        ),
        ReportSection(
            "Streams by material class",
            "<p>Supplies and demands per material class (quantities in t/yr, MWh/yr or m3/yr). "
            "Classes present on both sides are where exchanges can be found.</p>",
            {"material classes": _class_table(ds)},
        ),
    ]
    dist_section, dist_stats = _distance_section(ds, timings)
    sections.append(dist_section)
    logger.log(level, "distance matrix %dx%d in %.3f s", ds.n_companies, ds.n_companies, timings["distance_matrix"])
    if ds.n_exchanges:
        s = ds.streams.to_pandas().set_index("stream_id")
        e = ds.exchanges.to_pandas()
        e["material_class"] = s.loc[e["supplier_stream_id"], "material_class"].to_numpy()
        e["supplier_company"] = s.loc[e["supplier_stream_id"], "company_id"].to_numpy()
        e["receiver_company"] = s.loc[e["receiver_stream_id"], "company_id"].to_numpy()
        sections.append(
            ReportSection(
                "Known exchanges",
                "<p>Exchanges recorded in the dataset, with their status.</p>",
                {"exchanges": e},
            )
        )
    t_plan = time.perf_counter()
    result = plan(ds, progress=not quiet)
    timings["plan"] = time.perf_counter() - t_plan
    plan_files = result.write(out / "plan")
    sections.append(plan_section(result))
    logger.log(level, "%r", result)
    t1 = time.perf_counter()
    ds.write(out / "data", format="csv")
    index = write_report(out, sections, title="symbioflows demo: port of Rotterdam sample region")
    timings["report"] = time.perf_counter() - t1
    summary.update({f"distance_{k}": v for k, v in dist_stats.items() if k != "companies"})
    summary.update({f"plan_{k}": v for k, v in result.totals.items()})
    summary["plan_allocation_status"] = result.allocation.status
    logger.log(level, "report written to %s", index)
    return DemoResult(out, index, ds, summary, timings, result, plan_files.get("report"))
