"""Scale of free-text planning (issue 16): N streams with no class and no code, planned end to end.

The region is the one of ``benchmarks/bench_pipeline.py`` (``make_region``: companies in
industrial zones scaled to keep the density, about 3.4 streams per company, sector profiles,
quantities in the units companies use, indicative prices), with every class, EWC code and
sector removed and each stream's ``material`` rewritten as a company would write it in a
marketplace listing:

* supplies: the profile's description or one of the class's names and trade names
  (``load_taxonomy``), with an optional opening ("surplus", "approx. 40 t/month of"), origin
  ("from our kiln", "from line 3"), condition ("wet", "approx. 25 % moisture", "in big bags")
  and casing;
* demands: the profile's description or a phrase of a need the class serves (``load_needs``:
  "gypsum rock", "cement clinker"), inside a request pattern ("looking for ...", "we need ...
  for our ...", "... wanted", "... for <use>").

Numbers, lines and moisture figures make most texts distinct, as real listings are; the
results say how many distinct raw and normalised texts there were.  Every stream's class or
need comes from the classifier inside ``plan()`` (each distinct text once).

Run (one command; each size in a fresh child process so its peak memory is its own)::

    PYTHONPATH=src python benchmarks/free_text_scale.py --n 1000000
    PYTHONPATH=src python benchmarks/free_text_scale.py --n 100000 1000000

Writes ``benchmarks/results/free_text_scale.json`` (one entry per size, replaced when re-run):
wall and CPU time (process and children), peak RSS (the larger of the resident set sampled
every 50 ms, process and children, and the process's high-water mark from ``getrusage``: the
sampler cannot run while a native call holds the GIL; both are recorded too), the load
average before and after, and each stage's wall / CPU seconds
(``SymbiosisPlan.timings_s`` and ``stage_stats``), plus the text reading time before the
stages.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from _harness import PeakRSS

OUT = Path(__file__).resolve().parent / "results" / "free_text_scale.json"
STREAMS_PER_COMPANY = 3.436  # make_region's mean (see benchmarks/bench_pipeline.py)

_OPEN = ["", "", "", "", "surplus ", "our ", "clean ", "mixed ", "excess ", "spare ", "used ",
         "approx. {q} t/month of ", "about {q} t per year of ", "regular supply of "]
_ORIGIN = ["", "", "", " from our boilers", " from our kiln", " from line {k}",
           " from production line {k}", " from the site in zone {k}", " from our process",
           " from the wastewater plant", " from our plant", " (plant {k})",
           " from shift {k}"]
_COND = ["", "", "", ", wet", ", dry", " (bulk)", ", in big bags", ", approx. {p}% moisture",
         ", loose", ", on pallets", ", continuous", ", available weekly", ", free collection",
         " - regular supply", ", sorted", ", unsorted", ", ~{p} % water", ", batch {k}"]
_REQUEST = ["{x}", "{x}", "{x} for {u}", "looking for {x}", "we need {x} for our {u}",
            "{x} wanted", "buying {x}", "sourcing {x}{c}", "need approx. {q} t/yr {x}",
            "{x} required for {u}", "Wanted: {x}", "{x} (for {u})"]
_GENERIC_USE = ["production", "our plant", "the process", "the new line", "our site"]
_QTY = [5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 80, 100, 120, 150, 200, 250, 300, 400, 500,
        600, 750, 800, 1000, 1200, 1500, 2000, 2500, 3000, 5000, 10000]


def layout_radius_km(n_companies: int) -> float:
    """As ``benchmarks/bench_pipeline.py``: 250 companies within ~30 km, density constant."""
    return 30.0 * max(1.0, (n_companies / 250.0) ** 0.5)


def _fill(pattern: str, rng: np.random.Generator) -> str:
    if "{" not in pattern:
        return pattern
    return pattern.format(q=_QTY[rng.integers(len(_QTY))], k=int(rng.integers(1, 10)),
                          p=int(rng.integers(5, 41)), x="{x}", u="{u}", c="{c}")


def region(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Companies and free-text streams (no class, no EWC code, no sector) of about ``n``
    streams on the layout of ``make_region`` (see the module notes)."""
    from symbioflows.datasets import make_region
    from symbioflows.materials import load_needs, load_taxonomy

    rng = np.random.default_rng(seed)
    nc = max(10, round(n / STREAMS_PER_COMPANY))
    frames = make_region(nc, rng=seed, radius_km=layout_radius_km(nc)).to_pandas()
    comp = frames.companies[["company_id", "name", "lat", "lon", "country"]].copy()
    st = frames.streams
    tax = load_taxonomy()
    names = {c.id: [c.label, *c.synonyms] for c in tax.classes}
    needs_of: dict[str, list[tuple[str, list[str]]]] = {}
    for nd in load_needs():
        for cid in nd.served_by:
            needs_of.setdefault(cid, []).append((nd.label, list(nd.phrases)))
    uses_of: dict[str, list[str]] = {}
    for nd in load_needs():
        for cid in nd.served_by:
            uses_of.setdefault(cid, []).extend(nd.uses)
    m = len(st)
    # a few thousand draws per pattern list, then one vectorised pick per stream
    pool = 4096
    opens = np.array([_fill(_OPEN[i], rng) for i in rng.integers(0, len(_OPEN), pool)], object)
    origins = np.array([_fill(_ORIGIN[i], rng) for i in rng.integers(0, len(_ORIGIN), pool)],
                       object)
    conds = np.array([_fill(_COND[i], rng) for i in rng.integers(0, len(_COND), pool)], object)
    reqs = np.array([_fill(_REQUEST[i], rng) for i in rng.integers(0, len(_REQUEST), pool)],
                    object)
    cls = st["material_class"].astype(str).to_numpy()
    desc = st["material"].astype(str).to_numpy()
    supply = st["direction"].to_numpy() == "supply"
    use_desc = rng.random(m) < 0.5
    r_name = rng.random(m)
    pick = rng.integers(0, pool, (4, m))
    case = rng.random(m)
    out = np.empty(m, dtype=object)
    for i in range(m):
        c = cls[i]
        if supply[i]:
            x = desc[i] if use_desc[i] else names[c][int(r_name[i] * len(names[c]))]
            t = opens[pick[0, i]] + x + origins[pick[1, i]] + conds[pick[2, i]]
        else:
            ph = [p for _, ps in needs_of.get(c, []) for p in ps]
            x = desc[i] if use_desc[i] or not ph else ph[int(r_name[i] * len(ph))]
            us = uses_of.get(c) or _GENERIC_USE
            t = reqs[pick[0, i]].format(x=x, u=us[pick[1, i] % len(us)], c=conds[pick[2, i]])
        if case[i] < 0.2:
            t = t.lower()
        elif case[i] < 0.25:
            t = t.upper()
        elif case[i] < 0.3:
            t = t[:1].upper() + t[1:]
        out[i] = t
    streams = pd.DataFrame({
        "stream_id": st["stream_id"].to_numpy(), "company_id": st["company_id"].to_numpy(),
        "direction": st["direction"].to_numpy(), "material": out,
        "quantity": st["quantity"].to_numpy(), "unit": st["unit"].to_numpy(),
        "quality": st["quality"].to_numpy(), "price_usd_per_t": st["price_usd_per_t"].to_numpy(),
    })
    return comp, streams


def run_one(n: int, seed: int) -> dict[str, Any]:
    """Generate, plan and measure one region (in this process)."""
    import symbioflows as sf
    from symbioflows.materials.encoder import normalize_text

    t = time.perf_counter()
    comp, st = region(n, seed)
    gen_s = time.perf_counter() - t
    raw = st["material"].unique()
    norm = {normalize_text(x) for x in raw}
    l0 = os.getloadavg()
    ct0 = os.times()
    t0 = time.perf_counter()
    with PeakRSS(0.05, children=True) as rss:
        p = sf.plan((comp, st), chains=True, n_jobs=2)
    wall = time.perf_counter() - t0
    # the kernel's high-water mark of this process (Linux: KiB): the sampler thread cannot
    # run while a native call holds the GIL (OR-tools' min-cost-flow solve does, for most of
    # the allocation), so the sampled peak can miss the true one; region generation before
    # the plan stays far below it
    hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    ct1 = os.times()
    l1 = os.getloadavg()
    cpu = (ct1.user - ct0.user) + (ct1.system - ct0.system)
    cpu_children = (ct1.children_user - ct0.children_user) + (ct1.children_system
                                                               - ct0.children_system)
    spans = p.stage_stats.spans
    stages = {k: {"wall_s": round(float(v), 3),
                  "cpu_s": round(float(p.stage_stats.cpu_s.get(k, float("nan"))), 3),
                  "peak_rss_gib": (round(rss.peak_between(*spans[k]) / 2**30, 3)
                                   if k in spans else None)}
              for k, v in p.timings_s.items()}
    read_s = wall - sum(float(v) for v in p.timings_s.values())
    inferred = p.streams["class_source"].isin(["inferred", "suggested"])
    return {
        "n_streams": int(len(st)), "n_companies": int(len(comp)), "seed": seed,
        "distinct_texts": int(len(raw)), "distinct_normalised_texts": len(norm),
        "generate_s": round(gen_s, 2), "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
        "cpu_children_s": round(cpu_children, 2), "read_input_s": round(read_s, 2),
        "stages": stages, "peak_rss_gib": round(max(rss.peak, hwm) / 2**30, 3),
        "peak_rss_sampled_gib": round(rss.peak / 2**30, 3),
        "peak_rss_hwm_gib": round(hwm / 2**30, 3),
        "n_candidates": int(len(p.candidates)), "n_exchanges": int(len(p.exchanges)),
        "n_chains": int(len(p.chains)), "n_groups": int(p.streams["group_key"].nunique()),
        "inferred": int(inferred.sum()),
        "low_confidence": int(p.streams["low_confidence"].fillna(False).astype(bool).sum()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_before": [round(x, 2) for x in l0],
                    "load_after": [round(x, 2) for x in l1],
                    # the rule of benchmarks/_harness.py: the load at the start (the end load
                    # includes this run's own threads)
                    "noisy": l0[0] > (os.cpu_count() or 1) / 2},
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, help="sizes (same as --n)")
    ap.add_argument("--n", nargs="+", type=int, default=None, help="streams per region")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    sizes = (args.n or []) + args.sizes or [100_000]
    if args.child:
        print(json.dumps(run_one(sizes[0], args.seed)))  # noqa: T201
        return 0
    runs = []
    for n in sizes:
        cmd = [sys.executable, __file__, "--child", "--n", str(n), "--seed", str(args.seed)]
        res = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if res.returncode != 0:
            sys.stderr.write(res.stderr)
            return res.returncode
        run = json.loads(res.stdout.strip().splitlines()[-1])
        print(json.dumps(run))  # noqa: T201
        runs.append(run)
    old = json.loads(args.out.read_text()) if args.out.exists() else {}
    kept = [r for r in old.get("runs", []) if r.get("n_target", r["n_streams"]) not in sizes]
    for n, r in zip(sizes, runs):
        r["n_target"] = n
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                         text=True, check=False, cwd=Path(__file__).resolve().parent)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--",
                            ":(top)", ":(top,exclude)benchmarks/results"],
                           capture_output=True, text=True, check=False,
                           cwd=Path(__file__).resolve().parent).stdout.strip()
    for r in runs:
        r["tree"] = (git.stdout.strip() or "unknown") + (" + changes" if dirty else "")
    out = {"benchmark": "benchmarks/free_text_scale.py",
           "runs": sorted(kept + runs, key=lambda r: r["n_streams"]),
           "before": old.get("before", [])}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
