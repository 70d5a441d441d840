"""Top-1 / top-3 of the supply and need classifiers on labelled text, development and held out.

Issue 16 item 6.  Reads ``benchmarks/data/labelled_text.csv`` (built by
``benchmarks/data/build_labelled_text.py``; MAESTRI texts are read from
``../shared/data/maestri_exchanges.csv`` at run time, never stored here), classifies every row
with each available backend (the hashing encoder always, the sentence model
all-MiniLM-L6-v2 when installed), and writes ``benchmarks/results/labelled_text.json`` with
top-1 and top-3 per direction, split and origin, each with a 95 % bootstrap interval that
resamples groups (MAESTRI cases, case-study parks), 2,000 draws, seed 16.

The held-out rows were fixed before any classifier was run on them; ``HELDOUT_SHA256`` is their
digest, checked by ``tests/unit/benchmarks/test_labelled_text.py`` and on every run here.

Usage: ``PYTHONPATH=src python benchmarks/labelled_text.py [--backends hashing,sentence]
[--split dev] [--out PATH]``  (a few minutes with the sentence model on 2 cores).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import logging
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data" / "labelled_text.csv"
SHARED = ROOT.parent / "shared" / "data" / "maestri_exchanges.csv"
RESULTS = ROOT / "benchmarks" / "results" / "labelled_text.json"
#: sha256 of the held-out rows (see heldout_digest); fixed when the split was drawn.
HELDOUT_SHA256 = "10609ab6651ee93c05320278e4065d528e550b4be0e921dc1bc3eaab49059626"
FIELDS = ("id", "direction", "split", "group", "origin", "ref", "column", "text", "label")
N_BOOT, SEED = 2000, 16


def read_rows(path: Path = DATA) -> list[dict[str, str]]:
    """The labelled rows as stored (MAESTRI rows without text)."""
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(ln for ln in fh if not ln.startswith("#")))


def heldout_digest(rows: list[dict[str, str]]) -> str:
    """sha256 over the stored fields of the held-out rows, in file order."""
    h = hashlib.sha256()
    for r in rows:
        if r["split"] == "heldout":
            h.update(("\x1f".join(r[f] for f in FIELDS) + "\n").encode("utf-8"))
    return h.hexdigest()


def resolve_texts(rows: list[dict[str, str]], shared: Path = SHARED) -> list[str]:
    """Each row's text: stored, or read from the MAESTRI file (exchange id and column)."""
    maestri: dict[str, dict[str, str]] = {}
    if any(not r["text"] for r in rows):
        if not shared.exists():
            raise FileNotFoundError(
                f"MAESTRI rows need {shared} (the shared data folder next to the checkout)")
        with open(shared, encoding="utf-8") as fh:
            maestri = {r["exchange_id"]: r for r in csv.DictReader(fh)}
    out = []
    for r in rows:
        if r["text"]:
            out.append(r["text"])
            continue
        m = maestri[r["ref"]]
        if r["column"] == "waste_description":
            out.append(m["waste_description"].strip())
        elif r["column"] == "final_use+receiver_business":
            out.append(f"{m['final_use'].strip()} for {m['receiver_business'].strip()}")
        else:
            raise ValueError(f"row {r['id']}: unknown column {r['column']!r}")
    return out


def ranked_labels(direction: str, texts: list[str], backend: str) -> list[list[str]]:
    """The top-3 classes (``direction`` "supply") or needs of each text, as the library ranks
    them with ``backend``."""
    if direction == "supply":
        from symbioflows.materials import MaterialClassifier
        from symbioflows.materials.encoder import shared_encoder

        preds = MaterialClassifier(shared_encoder(backend)).predict(texts, k=3)
        return [[p.material_class for p in row] for row in preds]
    from symbioflows.materials import NeedClassifier

    return [[p.need for p in row] for row in NeedClassifier(backend=backend).predict(texts, k=3)]


def group_metric(hits1: np.ndarray, hits3: np.ndarray, groups: list[str],
                 rng: np.random.Generator) -> dict[str, Any]:
    """Top-1 and top-3 of the rows, with 95 % intervals from a bootstrap over their groups."""
    n = len(groups)
    out: dict[str, Any] = {"n": n, "n_groups": len(set(groups))}
    if n == 0:
        return out
    ug = sorted(set(groups))
    idx = {g: np.flatnonzero(np.asarray(groups) == g) for g in ug}
    boot1, boot3 = np.empty(N_BOOT), np.empty(N_BOOT)
    for b in range(N_BOOT):
        pick = np.concatenate([idx[ug[i]] for i in rng.integers(0, len(ug), len(ug))])
        boot1[b], boot3[b] = hits1[pick].mean(), hits3[pick].mean()
    for name, h, bt in (("top1", hits1, boot1), ("top3", hits3, boot3)):
        out[name] = float(h.mean())
        out[f"{name}_ci"] = [float(np.quantile(bt, 0.025)), float(np.quantile(bt, 0.975))]
    return out


def evaluate(backends: list[str], splits: tuple[str, ...] = ("dev", "heldout")) -> dict[str, Any]:
    rows = read_rows()
    digest = heldout_digest(rows)
    if digest != HELDOUT_SHA256:
        raise RuntimeError(f"held-out rows changed (sha256 {digest}, frozen {HELDOUT_SHA256})")
    texts = resolve_texts(rows)
    rng = np.random.default_rng(SEED)
    res: dict[str, Any] = {"backends": {}, "heldout_sha256": digest, "n_boot": N_BOOT,
                          }
    for backend in backends:
        t0 = time.perf_counter()
        per: dict[str, Any] = {}
        for direction in ("supply", "need"):
            sel = [i for i, r in enumerate(rows)
                   if r["direction"] == direction and r["split"] in splits]
            ranked = ranked_labels(direction, [texts[i] for i in sel], backend)
            gold = [rows[i]["label"] for i in sel]
            h1 = np.array([rk[:1] == [g] for rk, g in zip(ranked, gold)], dtype=float)
            h3 = np.array([g in rk[:3] for rk, g in zip(ranked, gold)], dtype=float)
            for split in splits:
                for origin in ("all", "maestri", "case_study"):
                    m = [k for k, i in enumerate(sel) if rows[i]["split"] == split
                         and origin in ("all", rows[i]["origin"])]
                    per[f"{direction}/{split}/{origin}"] = group_metric(
                        h1[m], h3[m], [rows[sel[k]]["group"] for k in m], rng)
        res["backends"][backend] = {"metrics": per, "seconds": time.perf_counter() - t0}
    return res


def available_backends(spec: str) -> list[str]:
    """The backends named in ``spec`` ("hashing,sentence"), less the sentence model when it is
    not installed (said on stderr)."""
    backends = [b.strip() for b in spec.split(",") if b.strip()]
    if "sentence" in backends:
        from symbioflows.materials.encoder import shared_encoder

        if shared_encoder("auto").backend_ != "sentence":
            print("sentence model not installed: skipped", file=sys.stderr)  # noqa: T201
            backends.remove("sentence")
    return backends


def dev_rows(direction: str) -> tuple[list[dict[str, str]], list[int], list[str]]:
    """All rows, the positions of ``direction``'s development rows and their texts, after
    checking that the held-out rows are the frozen ones (a design study reads only these)."""
    rows = read_rows()
    if heldout_digest(rows) != HELDOUT_SHA256:
        raise RuntimeError("held-out rows changed")
    sel = [i for i, r in enumerate(rows) if r["direction"] == direction and r["split"] == "dev"]
    texts = resolve_texts(rows)
    return rows, sel, [texts[i] for i in sel]


def backend_args(doc: str, out: Path, argv: list[str] | None) -> argparse.Namespace:
    """The command line of a benchmark over the text backends: ``--backends`` (read with
    :func:`available_backends`) and ``--out``; library logging below warnings is silenced."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--backends", default="hashing,sentence")
    ap.add_argument("--out", type=Path, default=out)
    a = ap.parse_args(argv)
    logging.disable(logging.WARNING)
    a.backends = available_backends(a.backends)
    return a


def machine(load_before: tuple[float, float, float]) -> dict[str, Any]:
    """CPUs, Python and the load average before (given) and now."""
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "load_before": list(load_before), "load_after": list(os.getloadavg())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--backends", default="hashing,sentence")
    ap.add_argument("--split", choices=("dev", "heldout", "both"), default="both",
                    help="'dev' while tuning; 'both' for the recorded result")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--note", default="", help="what classifier version ran (kept in the file)")
    a = ap.parse_args(argv)
    backends = available_backends(a.backends)
    splits = ("dev", "heldout") if a.split == "both" else (a.split,)
    load0 = os.getloadavg()
    res = evaluate(backends, splits)
    res["machine"] = machine(load0)
    res["splits"] = list(splits)
    res["note"] = a.note
    if a.split == "both":
        a.out.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    for b, v in res["backends"].items():
        for key, m in v["metrics"].items():
            if m.get("n"):
                print(f"{b:8s} {key:28s} n={m['n']:4d} top1={m['top1']:.3f} top3={m['top3']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
