"""The measured tables of docs/ are rendered from benchmarks/results/ (tools/render_tables.py).

Fails when a doc drifted from its results file, when a block names no renderer, or when a
renderer is used by no doc: re-run the benchmark, then ``python tools/render_tables.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sf_test_helpers import load_module

ROOT = Path(__file__).resolve().parents[1]


RT = load_module(ROOT / "tools" / "render_tables.py", "render_tables")
DOCS = RT.doc_files()


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_doc_tables_match_results(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    rendered, unknown = RT.render_text(text)
    assert not unknown, f"{path.name}: table blocks with no renderer: {unknown}"
    if rendered != text:
        import difflib

        diff = "".join(difflib.unified_diff(text.splitlines(True), rendered.splitlines(True),
                                            path.name, path.name + " (rendered)", n=1))
        pytest.fail(f"{path.name} differs from its results files; run "
                    f"`python tools/render_tables.py`:\n{diff[:4000]}")


def test_every_renderer_is_used() -> None:
    used = {name for p in DOCS for name in RT.block_names(p.read_text(encoding="utf-8"))}
    assert set(RT.RENDERERS) <= used, sorted(set(RT.RENDERERS) - used)


def test_load_note_marks_loaded_runs_noisy() -> None:
    assert "noisy" in RT.load_note({"cpus": 2, "load_before": [1.5, 1, 1]})
    assert "quiet" in RT.load_note({"cpus": 2, "load_before": [0.4, 1, 1], "load_after": [0.9, 1, 1]})
    assert "not recorded" in RT.load_note({"cpus": 2})


def test_drift_is_detected(tmp_path: Path) -> None:
    text = "x\n<!-- table:costing -->\n| made up | 1 |\n<!-- /table:costing -->\n"
    rendered, unknown = RT.render_text(text)
    assert not unknown and rendered != text and "made up" not in rendered
    assert RT.render_text(rendered)[0] == rendered
    _, unknown = RT.render_text("<!-- table:nope -->\n<!-- /table:nope -->")
    assert unknown == ["nope"]


def test_every_table_of_the_benchmarks_page_is_rendered() -> None:
    """No measured table in docs/benchmarks.md is typed by hand: each sits in a block."""
    import re

    text = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    outside = re.sub(r"<!-- table:([\w.-]+) -->.*?<!-- /table:\1 -->", "", text, flags=re.S)
    rows = [ln for ln in outside.splitlines() if ln.lstrip().startswith("|")]
    assert not rows, f"tables outside a rendered block: {rows[:3]}"
