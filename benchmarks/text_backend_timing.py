"""Seconds to classify N distinct free texts, by encoder: the cost side of ``SENTENCE_MAX_TEXTS``.

``plan(text_backend="auto")`` reads a region's texts with the sentence model (all-MiniLM-L6-v2,
``embed`` extra) up to :data:`symbioflows.materials.infer.SENTENCE_MAX_TEXTS` distinct texts
of a direction and with the native hashing encoder beyond.  This script measures what that
choice costs: the wall seconds of :func:`~symbioflows.materials.infer.classify_supplies` and
:func:`~symbioflows.materials.infer.classify_needs_table` on N distinct texts, per backend.
The quality side (top-1 / top-3 of each encoder on independently labelled text) is
``benchmarks/independent_text.py``.

The texts are those of ``benchmarks/free_text_scale.py`` (a generated region's listings as
companies write them: openings, origins, conditions, request patterns), distinct after
normalisation, the first N of each direction.  Each (size, direction) is timed for every
backend in the same round, the backends' order alternating round by round; the process-wide
embedding caches are emptied before each timed call, so every text is encoded; a warm-up call
on other texts (the sentence model's loading, the classifiers' documents) is not timed.  The
load average is recorded before and after; a run at load above 0.5 on this 2-core machine is
not a figure to quote (``--max-load`` refuses to write it).

Usage: ``PYTHONPATH=src python benchmarks/text_backend_timing.py [--sizes 1000 4000]
[--rounds 2] [--out PATH]``  (about four minutes on 2 cores with the default sizes).
Writes ``benchmarks/results/text_backend_timing.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
RESULTS = ROOT / "benchmarks" / "results" / "text_backend_timing.json"


def distinct_texts(n: int, seed: int = 0) -> dict[str, list[str]]:
    """Up to ``n`` texts per direction, distinct after normalisation, plus 50 warm-up texts
    per direction that are not among them (keys ``supply``, ``demand``, ``warm_supply``,
    ``warm_demand``)."""
    from free_text_scale import region
    from symbioflows.materials.encoder import normalize_text

    _, streams = region(int(n * 8) + 2000, seed)
    out: dict[str, list[str]] = {}
    for direction in ("supply", "demand"):
        seen: set[str] = set()
        picked: list[str] = []
        for t in streams.loc[streams["direction"] == direction, "material"]:
            k = normalize_text(t)
            if k and k not in seen:
                seen.add(k)
                picked.append(t)
        if len(picked) < n + 50:
            raise RuntimeError(f"only {len(picked)} distinct {direction} texts for n={n}")
        out[direction] = picked[:n]
        out[f"warm_{direction}"] = picked[n:n + 50]
    return out


def _clear_caches(backend: str) -> None:
    from symbioflows.materials.encoder import shared_encoder

    shared_encoder(backend)._cache.clear()


def _classify(direction: str, texts: list[str], backend: str) -> None:
    from symbioflows.materials.infer import classify_needs_table, classify_supplies

    if direction == "supply":
        classify_supplies(texts, backend=backend)
    else:
        classify_needs_table(texts, backend=backend)


def measure(sizes: list[int], rounds: int, backends: list[str]) -> dict[str, Any]:
    texts = distinct_texts(max(sizes))
    for b in backends:  # warm-up: model loading, the classifiers' documents, not timed
        for d in ("supply", "demand"):
            _classify(d, texts[f"warm_{d}"], b)
    rows: list[dict[str, Any]] = []
    for r in range(rounds):
        for n in sizes:
            for d in ("supply", "demand"):
                order = backends if r % 2 == 0 else backends[::-1]
                for b in order:
                    _clear_caches(b)
                    load = os.getloadavg()[0]
                    t0 = time.perf_counter()
                    _classify(d, texts[d][:n], b)
                    rows.append({"round": r, "n": n, "direction": d, "backend": b,
                                 "seconds": time.perf_counter() - t0, "load_1min": load})
    summary: dict[str, Any] = {}
    for n in sizes:
        for d in ("supply", "demand"):
            for b in backends:
                s = sorted(x["seconds"] for x in rows
                           if (x["n"], x["direction"], x["backend"]) == (n, d, b))
                summary[f"{b}/{d}/{n}"] = {"median_s": s[len(s) // 2], "min_s": s[0],
                                           "max_s": s[-1],
                                           "texts_per_s": n / s[len(s) // 2]}
    return {"rows": rows, "summary": summary}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--max-load", type=float, default=0.5,
                    help="refuse to write the results when the load before was above this")
    a = ap.parse_args(argv)
    from symbioflows.materials import sentence_model_available

    backends = ["hashing"] + (["sentence"] if sentence_model_available() else [])
    load0 = os.getloadavg()
    res = measure(sorted(a.sizes), a.rounds, backends)
    res["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                      "load_before": list(load0), "load_after": list(os.getloadavg())}
    res["sizes"], res["rounds"] = sorted(a.sizes), a.rounds
    for k, v in res["summary"].items():
        print(f"{k:24s} median {v['median_s']:8.2f} s  {v['texts_per_s']:9.0f} texts/s")  # noqa: T201
    if load0[0] > a.max_load:
        print(f"load {load0[0]:.2f} before the run (> {a.max_load}): not written",  # noqa: T201
              file=sys.stderr)
        return 1
    a.out.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
