"""Scale of free-text planning (issue 16): N streams with no class and no code, planned end to end.

Supplies are taxonomy names and synonyms with random suffixes ("fly ash, wet", "BF slag from
line 2"); demands are need phrases with a use ("gypsum rock for wallboard production, dry"), on
N/20 companies spread over about 550 x 550 km; quantities uniform 10-1,000 t.  Every stream's
class or need comes from the classifier inside ``plan()`` (each distinct text once; the hashing
encoder above 2,000 distinct texts).  Records wall and CPU time, peak RSS and the load.

Run: ``python benchmarks/free_text_scale.py 100000`` (writes
``benchmarks/results/free_text_scale.json``).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import symbioflows as sf
from symbioflows.materials import load_needs, load_taxonomy

OUT = Path(__file__).resolve().parent / "results" / "free_text_scale.json"


def region(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    tax = load_taxonomy()
    syn = [s for c in tax.classes for s in (c.label, *c.synonyms)]
    nph = [f"{p} for {u}" for nd in load_needs() for p in nd.phrases[:4] for u in (nd.uses[:2] or [""])]
    suffix = ["", " from line 1", " from line 2", ", wet", ", dry", " (bulk)", ", mixed",
              " from the kiln", " residue", " batch 4"]
    nc = max(2, n // 20)
    comp = pd.DataFrame({"company_id": [f"c{i}" for i in range(nc)],
                         "lat": 50 + 5 * rng.random(nc), "lon": 5 + 8 * rng.random(nc),
                         "country": "DE", "sector": ""})
    ns = n // 2
    sup = [syn[i] + suffix[j] for i, j in zip(rng.integers(0, len(syn), ns),
                                              rng.integers(0, len(suffix), ns))]
    dem = [nph[i] + suffix[j] for i, j in zip(rng.integers(0, len(nph), n - ns),
                                              rng.integers(0, len(suffix), n - ns))]
    st = pd.DataFrame({"stream_id": [f"s{i}" for i in range(n)],
                       "company_id": [f"c{i}" for i in rng.integers(0, nc, n)],
                       "direction": ["supply"] * ns + ["demand"] * (n - ns), "material": sup + dem,
                       "quantity_t_per_yr": rng.uniform(10, 1000, n)})
    return comp, st


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    n = int(args[0]) if args else 100_000
    comp, st = region(n)
    l0 = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    p = sf.plan((comp, st), chains=False, n_jobs=2)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    out = {"n_streams": n, "distinct_texts": int(st["material"].nunique()), "wall_s": wall,
           "cpu_s": cpu, "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
           "machine": {"cpus": os.cpu_count(), "load_before": [round(l0, 2)],
                       "load_after": [round(os.getloadavg()[0], 2)]},
           "n_candidates": len(p.candidates), "n_exchanges": len(p.exchanges),
           "inferred": int((p.streams["class_source"] == "inferred").sum())}
    out["machine"]["noisy"] = max(out["machine"]["load_before"] + out["machine"]["load_after"]) > 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(out))  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
