"""Write report folders (HTML + CSV + Parquet)."""

from __future__ import annotations

import base64
import html
import io
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from symbioflows.errors import InvalidInputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ReportSection", "write_report"]

logger = logging.getLogger(__name__)

_CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;
color:#1d2a33;line-height:1.45;padding:0 1em}
h1{border-bottom:3px solid #2a7a4b;padding-bottom:.3em}h2{color:#2a7a4b;margin-top:2em}
table{border-collapse:collapse;font-size:.85em;margin:.6em 0}
th,td{border:1px solid #d5dde2;padding:.25em .55em;text-align:right}
th{background:#eef4f0}td:first-child,th:first-child{text-align:left}
.meta{color:#66757f;font-size:.85em}.files a{margin-right:1em}
figure{margin:1em 0}figure img{max-width:100%}figcaption{color:#66757f;font-size:.85em}
nav ul{columns:2}
"""


@dataclass
class ReportSection:
    """One section of a report.

    Parameters
    ----------
    title : str
        Section heading.
    html : str, optional
        HTML body written as given (escape user text with :func:`html.escape`).
    tables : dict of str to DataFrame
        Named tables (pandas DataFrames or pyarrow Tables): shown in the page (first rows) and
        written in full as ``tables/<section>__<name>.csv`` and ``.parquet``.
    figures : dict of str to figure, or list of figures
        matplotlib Figures (embedded as base64 PNG), plotly Figures (written as
        ``figures/<name>.html``, linked, and sharing one ``figures/plotly.min.js``) or PNG
        bytes.
    """

    title: str
    html: str = ""
    tables: dict[str, Any] = field(default_factory=dict)
    figures: Any = field(default_factory=dict)


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return s[:60] or "x"


def _as_pandas(obj: Any, name: str) -> pd.DataFrame:
    import pandas as pd

    if isinstance(obj, pd.DataFrame):
        return obj
    if hasattr(obj, "to_pandas"):
        return obj.to_pandas()
    raise InvalidInputError(f"report table {name!r}: expected a DataFrame or pyarrow Table; got {type(obj).__name__}")


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        table = pa.Table.from_pandas(df.astype(str), preserve_index=False)  # mixed-type columns as text
    pq.write_table(table, path)


def _figure_html(name: str, fig: Any, fig_dir: Path, rel: str) -> str:
    caption = f"<figcaption>{html.escape(name)}</figcaption>"
    if isinstance(fig, (bytes, bytearray)):
        data = base64.b64encode(bytes(fig)).decode("ascii")
        return f'<figure><img alt="{html.escape(name)}" src="data:image/png;base64,{data}">{caption}</figure>'
    if hasattr(fig, "savefig"):  # matplotlib Figure
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        return _figure_html(name, buf.getvalue(), fig_dir, rel)
    if hasattr(fig, "to_html"):  # plotly Figure
        fig_dir.mkdir(parents=True, exist_ok=True)
        target = fig_dir / f"{_slug(name)}.html"
        # one plotly.min.js in figures/ shared by every figure page (offline, ~4.8 MB once)
        fig.write_html(str(target), full_html=True, include_plotlyjs="directory")
        return f'<p class="files">Interactive figure: <a href="{rel}/{target.name}">{html.escape(name)}</a></p>'
    raise InvalidInputError(
        f"report figure {name!r}: expected a matplotlib Figure, a plotly Figure or PNG bytes; got {type(fig).__name__}"
    )


def write_report(
    out_dir: str | os.PathLike[str],
    sections: list[ReportSection],
    *,
    title: str = "symbioflows report",
    max_table_rows: int = 30,
) -> Path:
    """Write a report folder.

    Creates ``out_dir`` (and parents) with ``index.html`` (self-contained: inline CSS, figures
    embedded as PNG), ``tables/`` (every table in full as CSV and Parquet) and, for plotly
    figures, ``figures/``.  ``index.html`` is written last, to a temporary name moved into
    place, so it only appears once the folder is complete.

    Parameters
    ----------
    out_dir : path
        Folder to write into (existing files of the same names are replaced).
    sections : list of ReportSection
    title : str
        Page title.
    max_table_rows : int, default 30
        Rows of each table shown in the page (the CSV and Parquet files hold all rows).

    Returns
    -------
    pathlib.Path
        Path of ``index.html``.

    Raises
    ------
    InvalidInputError
        A section holds something that is not a table or a figure, or ``out_dir`` is a file.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from symbioflows.report import ReportSection, write_report
    >>> sec = ReportSection("Counts", "<p>Two rows.</p>", {"counts": pd.DataFrame({"a": [1, 2]})})
    >>> index = write_report(tempfile.mkdtemp(), [sec], title="Example")
    >>> sorted(p.name for p in (index.parent / "tables").iterdir())
    ['counts__counts.csv', 'counts__counts.parquet']
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InvalidInputError(f"report folder {str(out)!r} is a file; choose a folder path")
    out.mkdir(parents=True, exist_ok=True)
    tab_dir = out / "tables"
    fig_dir = out / "figures"
    body: list[str] = []
    toc: list[str] = []
    used: set[str] = set()
    for sec in sections:
        if not isinstance(sec, ReportSection):
            raise InvalidInputError(f"sections must be ReportSection objects; got {type(sec).__name__}")
        sslug = _slug(sec.title)
        while sslug in used:
            sslug += "_"
        used.add(sslug)
        toc.append(f'<li><a href="#{sslug}">{html.escape(sec.title)}</a></li>')
        body.append(f'<section id="{sslug}"><h2>{html.escape(sec.title)}</h2>')
        if sec.html:
            body.append(sec.html)
        figures = sec.figures
        items = list(figures.items()) if isinstance(figures, dict) else [(f"{sec.title} {i + 1}", f) for i, f in enumerate(figures or [])]
        for name, fig in items:
            body.append(_figure_html(str(name), fig, fig_dir, "figures"))
        for name, table in sec.tables.items():
            df = _as_pandas(table, name)
            tab_dir.mkdir(parents=True, exist_ok=True)
            stem = f"{sslug}__{_slug(name)}"
            df.to_csv(tab_dir / f"{stem}.csv", index=False)
            _write_parquet(df, tab_dir / f"{stem}.parquet")
            shown = df.head(max_table_rows)
            more = "" if len(df) <= max_table_rows else f" (first {max_table_rows} of {len(df)} rows)"
            body.append(f"<h3>{html.escape(str(name))}{html.escape(more)}</h3>")
            body.append(shown.to_html(index=False, na_rep="", float_format=lambda v: f"{v:,.4g}", border=0))
            body.append(
                f'<p class="files"><a href="tables/{stem}.csv">CSV</a><a href="tables/{stem}.parquet">Parquet</a></p>'
            )
        body.append("</section>")
    from symbioflows import __version__

    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    page = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f'<p class="meta">symbioflows {html.escape(__version__)}, written {stamp}.</p>'
        f"<nav><ul>{''.join(toc)}</ul></nav>{''.join(body)}</body></html>\n"
    )
    fd, tmp = tempfile.mkstemp(prefix=".index.", suffix=".html", dir=out)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(page)
    os.chmod(tmp, 0o644)
    target = out / "index.html"
    os.replace(tmp, target)
    logger.info("report written to %s", target)
    return target
