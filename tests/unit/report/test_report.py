"""Report folders and the demo pipeline."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from symbioflows.errors import InvalidInputError
from symbioflows.report import ReportSection, write_report


def test_write_report_tables_and_html(tmp_path):
    df = pd.DataFrame({"material_class": ["coal_fly_ash", "steam"], "t_per_yr": [1.5, None], "mixed": [1, "x"]})
    sec = ReportSection("Matches & <stuff>", "<p>hello</p>", {"top": df, "arrow": pa.table({"a": [1, 2, 3]})})
    index = write_report(tmp_path / "r", [sec, ReportSection("Empty")], title="T <1>", max_table_rows=1)
    text = index.read_text()
    assert "<title>T &lt;1&gt;</title>" in text and "Matches &amp; &lt;stuff&gt;" in text
    assert "first 1 of 2 rows" in text
    tables = tmp_path / "r" / "tables"
    back = pd.read_csv(tables / "matches_stuff__top.csv")
    assert back["material_class"].tolist() == ["coal_fly_ash", "steam"]
    assert pq.read_table(tables / "matches_stuff__arrow.parquet").num_rows == 3
    assert pq.read_table(tables / "matches_stuff__top.parquet").num_rows == 2


def test_figures_embedded(tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    fig = Figure()
    fig.add_subplot().plot([0, 1], [1, 0])
    index = write_report(tmp_path, [ReportSection("F", figures={"line": fig}), ReportSection("G", figures=[b"\x89PNG"])])
    assert index.read_text().count("data:image/png;base64,") == 2


def test_bad_report_inputs(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(InvalidInputError, match="is a file"):
        write_report(tmp_path / "file", [])
    with pytest.raises(InvalidInputError, match="expected a DataFrame"):
        write_report(tmp_path / "a", [ReportSection("x", tables={"t": [1, 2]})])
    with pytest.raises(InvalidInputError, match="figure"):
        write_report(tmp_path / "b", [ReportSection("x", figures={"f": 3})])
    with pytest.raises(InvalidInputError, match="ReportSection"):
        write_report(tmp_path / "c", ["not a section"])  # type: ignore[list-item]


def test_run_demo(tmp_path):
    from symbioflows.pipeline import run_demo

    res = run_demo(tmp_path / "demo", quiet=True)
    assert res.index_html.is_file()
    assert res.summary["companies"] >= 150 and res.summary["distance_pairs"] > 0
    assert (tmp_path / "demo" / "data" / "streams.csv").is_file()
    html = res.index_html.read_text()
    for title in ("Sample region", "Validation", "Streams by material class", "Distances"):
        assert title in html


def test_plotly_figures_share_one_local_plotly_js(tmp_path):
    go = pytest.importorskip("plotly.graph_objects")
    from symbioflows.report import ReportSection, write_report

    figs = {f"fig {i}": go.Figure(go.Bar(x=[1, 2], y=[i, i + 1])) for i in range(3)}
    write_report(tmp_path, [ReportSection("Plots", "", {}, figs)])
    pages = sorted((tmp_path / "figures").glob("*.html"))
    assert len(pages) == 3
    assert (tmp_path / "figures" / "plotly.min.js").stat().st_size > 1_000_000
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert 'src="plotly.min.js"' in text and len(text) < 100_000
