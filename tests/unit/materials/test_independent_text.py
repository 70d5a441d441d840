"""The independently labelled supply and need texts (benchmarks/data/independent_*_texts.csv):
well-formed, every row cited, labels in the label spaces, the files frozen as committed before
any classifier ran on them."""

from __future__ import annotations

from pathlib import Path

import pytest

from sf_test_helpers import load_module
from symbioflows.materials import load_needs, load_taxonomy

ROOT = Path(__file__).resolve().parents[3]
IT = load_module(ROOT / "benchmarks" / "independent_text.py", "independent_text")


@pytest.mark.parametrize("direction", ["supply", "need"])
def test_rows_are_cited_and_labelled_in_the_label_space(direction):
    rows = IT.read_rows(direction)
    assert len(rows) >= 150
    assert tuple(rows[0]) == IT.COLUMNS
    assert len({r["id"] for r in rows}) == len(rows)
    space = (set(load_taxonomy().ids) if direction == "supply"
             else {n.id for n in load_needs()})
    for r in rows:
        assert r["text"].strip() and r["source_url"].startswith("http"), r["id"]
        assert r["how"] in ("verbatim", "paraphrase", "translation"), r["id"]
        assert r["label"] in space, (r["id"], r["label"])
        assert all(a.strip() in space for a in r["also_ok"].split(";") if a.strip()), r["id"]


@pytest.mark.parametrize("direction", ["supply", "need"])
def test_files_are_frozen(direction):
    assert IT.file_digest(direction) == IT.SHA256[direction], (
        "the independent texts were fixed before any classifier ran on them and must not "
        "be edited")
