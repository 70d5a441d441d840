"""The labelled supply/need texts of issue 16 item 6 (benchmarks/data/labelled_text.csv):
well-formed, every row cited, labels in the label spaces, the held-out split frozen."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sf_test_helpers import MAESTRI_DATA, load_module, needs_maestri
from symbioflows.materials import load_needs, load_taxonomy

ROOT = Path(__file__).resolve().parents[3]


LT = load_module(ROOT / "benchmarks" / "labelled_text.py", "labelled_text")
ROWS = LT.read_rows()


def test_counts_ids_and_labels():
    ids = [r["id"] for r in ROWS]
    assert len(ids) == len(set(ids))
    n = Counter(r["direction"] for r in ROWS)
    assert n["supply"] >= 300 and n["need"] >= 200, n
    classes, needs = set(load_taxonomy().ids), {x.id for x in load_needs()}
    for r in ROWS:
        space = classes if r["direction"] == "supply" else needs
        assert r["label"] in space, (r["id"], r["label"])
        assert r["split"] in ("dev", "heldout"), r["id"]
        assert r["group"] and r["origin"] in ("maestri", "case_study"), r["id"]


def test_every_row_cites_its_source_and_maestri_text_is_not_stored():
    for r in ROWS:
        assert r["source"].strip() and r["note"].strip(), r["id"]
        if r["origin"] == "maestri":
            # MAESTRI may not be redistributed: only the exchange id and column are stored
            assert not r["text"] and r["ref"] and r["column"], r["id"]
            assert "MAESTRI" in r["source"], r["id"]
        else:
            assert r["text"].strip() and "http" in r["source"], r["id"]


def test_heldout_split_is_frozen_and_grouped():
    assert LT.heldout_digest(ROWS) == LT.HELDOUT_SHA256, (
        "held-out rows changed: they were fixed before any tuning and must not be edited")
    held = {r["group"] for r in ROWS if r["split"] == "heldout"}
    dev = {r["group"] for r in ROWS if r["split"] == "dev"}
    assert held and dev and not held & dev
    assert sum(r["split"] == "heldout" for r in ROWS if r["direction"] == "need") >= 100


@needs_maestri
def test_maestri_texts_resolve():
    texts = LT.resolve_texts(ROWS, Path(MAESTRI_DATA) / "maestri_exchanges.csv")
    assert len(texts) == len(ROWS) and all(t.strip() for t in texts)
    # no development text repeats a held-out text of the same direction
    norm = [" ".join(t.lower().split()) for t in texts]
    held = {(r["direction"], t) for r, t in zip(ROWS, norm) if r["split"] == "heldout"}
    assert not [r["id"] for r, t in zip(ROWS, norm)
                if r["split"] == "dev" and (r["direction"], t) in held]


def test_results_file_matches_the_frozen_split():
    import json

    res = json.loads((ROOT / "benchmarks" / "results" / "labelled_text.json").read_text("utf-8"))
    assert res["heldout_sha256"] == LT.HELDOUT_SHA256
    assert "hashing" in res["backends"]


pytestmark = pytest.mark.filterwarnings("error")
