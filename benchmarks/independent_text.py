"""Top-1 / top-3 of the supply and need classifiers on independently labelled text.

Issue 16 items 3 and 6.  ``benchmarks/data/independent_need_texts.csv`` and
``independent_supply_texts.csv`` hold demand and supply descriptions as companies and public
sources write them ("wanted" and "available" listings of material exchanges, symbiosis case
studies, reports, permits), each with its public source.  They were collected and labelled by a
separate session that saw only the list of needs (id, label, usual uses) or of material classes
(id, label, family), never the classifiers, their vocabulary, their tests or the other labelled
rows; the files were committed before any classifier ran on them (``SHA256`` below, checked on
every run and by ``tests/unit/benchmarks/test_independent_text.py``).  Nothing is tuned on them.

A row's ``label`` is the labeller's one answer; ``also_ok`` lists the answers the labeller judged
equally defensible for the text as written.  Reported per backend and direction: top-1 and top-3
against ``label`` (strict) and against ``label`` or ``also_ok`` (lenient), each with a 95 %
bootstrap interval that resamples sources (2,000 draws, seed 16), and split by how the text was
taken from its source (verbatim, paraphrase, translation).

Usage: ``PYTHONPATH=src python benchmarks/independent_text.py [--backends hashing,sentence]``
(about a minute on 2 cores), then ``python tools/render_tables.py``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from labelled_text import (  # noqa: E402
    N_BOOT,
    SEED,
    available_backends,
    group_metric,
    machine,
    ranked_labels,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = {"need": ROOT / "benchmarks" / "data" / "independent_need_texts.csv",
        "supply": ROOT / "benchmarks" / "data" / "independent_supply_texts.csv"}
RESULTS = ROOT / "benchmarks" / "results" / "independent_text.json"
COLUMNS = ("id", "text", "label", "also_ok", "source_title", "source_url", "locator", "how")
#: sha256 of each file as committed before any classifier ran on it (see file_digest).
SHA256 = {"need": "5f80943037c685f86be94612060f231a28e314267ac77be6b780b802de275c7d",
          "supply": "2e3ba0c9ad45187bcceeb10f1cc571ebdb7ed3ea9125a36ac2b53e44abad7e9e"}


def read_rows(direction: str) -> list[dict[str, str]]:
    """The rows of one direction's file, as stored."""
    with open(DATA[direction], encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def file_digest(direction: str) -> str:
    """sha256 of the file's bytes."""
    return hashlib.sha256(DATA[direction].read_bytes()).hexdigest()


def _accepted(row: dict[str, str]) -> set[str]:
    return {row["label"]} | {a.strip() for a in row["also_ok"].split(";") if a.strip()}


def evaluate(backends: list[str]) -> dict[str, Any]:
    rng = np.random.default_rng(SEED)
    res: dict[str, Any] = {"backends": {}, "sha256": {}, "n_boot": N_BOOT}
    for direction in ("supply", "need"):
        digest = file_digest(direction)
        if SHA256[direction] and digest != SHA256[direction]:
            raise RuntimeError(f"{DATA[direction].name} changed (sha256 {digest}, "
                               f"frozen {SHA256[direction]})")
        res["sha256"][direction] = digest
    for backend in backends:
        per: dict[str, Any] = {}
        for direction in ("supply", "need"):
            rows = read_rows(direction)
            ranked = ranked_labels(direction, [r["text"] for r in rows], backend)
            groups = [r["source_url"] for r in rows]
            for rule in ("strict", "lenient"):
                ok = [{r["label"]} if rule == "strict" else _accepted(r) for r in rows]
                h1 = np.array([bool(set(rk[:1]) & a) for rk, a in zip(ranked, ok)], dtype=float)
                h3 = np.array([bool(set(rk[:3]) & a) for rk, a in zip(ranked, ok)], dtype=float)
                for how in ("all", "verbatim", "paraphrase", "translation"):
                    m = [i for i, r in enumerate(rows) if how in ("all", r["how"])]
                    if m:
                        per[f"{direction}/{rule}/{how}"] = group_metric(
                            h1[m], h3[m], [groups[i] for i in m], rng)
            per[f"{direction}/misses"] = [
                {"id": r["id"], "label": r["label"], "top3": rk[:3]}
                for r, rk in zip(rows, ranked) if not set(rk[:3]) & _accepted(r)]
        res["backends"][backend] = {"metrics": per}
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--backends", default="hashing,sentence")
    ap.add_argument("--out", type=Path, default=RESULTS)
    a = ap.parse_args(argv)
    load0 = os.getloadavg()
    res = evaluate(available_backends(a.backends))
    res["machine"] = machine(load0)
    a.out.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    for b, v in res["backends"].items():
        for key, m in v["metrics"].items():
            if isinstance(m, dict) and m.get("n"):
                print(f"{b:8s} {key:30s} n={m['n']:4d} sources={m['n_groups']:3d} "
                      f"top1={m['top1']:.3f} top3={m['top3']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
