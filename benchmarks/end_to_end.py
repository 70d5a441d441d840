"""End-to-end evaluation of the plan on documented exchanges (issue 16 item 5).

Each MAESTRI case is rebuilt as a region and planned with :func:`symbioflows.plan`:

* organisations become companies placed around one site (within about 5 km, fixed seed);
* supplies are the donors' waste descriptions with the code columns removed (no EWC, CPA, CAS
  code, no class): free text only;
* receivers' needs are written only from their business description (MAESTRI's
  ``receiver_business``), never from the waste description or the final use, which name the
  answer; their NACE class is the company's sector;
* with ``--distractors N``: N further receiver companies drawn (seeded) from the *other* cases'
  receivers (business text and sector), placed around the same site.

For every documented exchange whose two ends are in the region: the rank of the documented
receiver among the supply's candidates (by the plan's pair score; a receiver that is not a
candidate counts as missed), and whether the allocation sent flow to it.  Reported: recall@1,
recall@3, MRR and the allocated share, with 95 % bootstrap intervals over cases (1,000
resamples), for implemented exchanges.

Baselines rank the same candidate receivers of the region (every receiver company):

* ``exact_code``: the supply's EWC code (which the plan does not see) looked up in the other
  cases: receivers ranked by how often that code went to their NACE division, then by how often
  the code's sub-chapter did, then by how often the donor's division gave to them;
* ``sector_popularity``: receivers ranked by how often their NACE division receives in the
  other cases.

Both baselines use statistics of the other cases only (leave-one-case-out: folds grouped by
park).  The plan has no parameter fitted on MAESTRI: its pair score is the hand blend
(``DEFAULT_WEIGHTS``) and its text knowledge was written before this evaluation ran, so there is
nothing to tune inside the folds.  Ties are broken by a seeded random order.

Run: ``python benchmarks/end_to_end.py --distractors 0 300``; writes
``benchmarks/results/end_to_end.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import symbioflows as sf  # noqa: E402
from _harness import close_machine_state, machine_state  # noqa: E402
from symbioflows.evaluate import load_maestri  # noqa: E402

OUT = Path(__file__).resolve().parent / "results" / "end_to_end.json"
SITE = (53.6, -0.6)  # any site: distances inside a park are a few km


def _place(n: int, rng: np.random.Generator, radius_km: float = 5.0) -> tuple[np.ndarray, np.ndarray]:
    r = radius_km * np.sqrt(rng.random(n))
    a = 2 * math.pi * rng.random(n)
    lat = SITE[0] + r * np.cos(a) / 111.0
    lon = SITE[1] + r * np.sin(a) / (111.0 * math.cos(math.radians(SITE[0])))
    return lat, lon


def _div(sector: Any) -> str:
    s = "" if sector is None or (isinstance(sector, float) and math.isnan(sector)) else str(sector)
    d = "".join(ch for ch in s if ch.isdigit())
    return d[:2]


def _rank(scores: dict[str, float], target: str, rng: np.random.Generator) -> float:
    """1-based rank of ``target`` (ties in random order); inf when absent."""
    if target not in scores:
        return math.inf
    keys = list(scores)
    tie = rng.random(len(keys))
    order = sorted(range(len(keys)), key=lambda i: (-scores[keys[i]], tie[i]))
    return float([keys[i] for i in order].index(target) + 1)


def _metrics(ranks: list[float], alloc: list[bool], cases: list[str], rng: np.random.Generator,
             n_boot: int = 1000) -> dict[str, Any]:
    r = np.asarray(ranks, dtype=float)
    a = np.asarray(alloc, dtype=float) if alloc else np.full(r.size, np.nan)
    c = np.asarray(cases)
    rr = np.where(np.isfinite(r), 1.0 / r, 0.0)

    def stats(idx: np.ndarray) -> dict[str, float]:
        return {"recall_at_1": float((r[idx] <= 1).mean()), "recall_at_3": float((r[idx] <= 3).mean()),
                "mrr": float(rr[idx].mean()),
                "allocated_share": float(np.nanmean(a[idx])) if alloc else float("nan")}

    point = stats(np.arange(r.size))
    uc = np.unique(c)
    by_case = {u: np.flatnonzero(c == u) for u in uc}
    boots: dict[str, list[float]] = {k: [] for k in point}
    for _ in range(n_boot):
        pick = rng.choice(uc, size=uc.size, replace=True)
        idx = np.concatenate([by_case[u] for u in pick])
        for k, v in stats(idx).items():
            boots[k].append(v)
    out: dict[str, Any] = {"n": int(r.size), "n_cases": int(uc.size)}
    for k, v in point.items():
        lo, hi = (np.nanpercentile(boots[k], [2.5, 97.5]) if not math.isnan(v) else (math.nan, math.nan))
        out[k] = {"value": v, "ci95": [float(lo), float(hi)]}
    return out


def run(n_distractors: int, *, seed: int = 0, statuses: tuple[str, ...] = ("Implemented",),
        max_cases: int | None = None) -> dict[str, Any]:
    data = load_maestri()
    comp_all = data.companies.set_index("company_id")
    streams = data.streams
    ex_all = data.exchanges
    rng = np.random.default_rng(seed)
    receivers_all = streams[streams["direction"] == "demand"].merge(
        data.companies[["company_id", "sector", "case"]], on="company_id")
    sup_all = streams[streams["direction"] == "supply"].set_index("stream_id")
    # statistics for the baselines, per case (left out at use)
    ex_info = ex_all.merge(sup_all[["company_id", "ewc_code"]], left_on="supplier_stream_id",
                           right_index=True).rename(columns={"company_id": "donor"})
    ex_info["recv"] = ex_info["receiver_stream_id"].str[:-2]
    ex_info["recv_div"] = ex_info["recv"].map(comp_all["sector"]).map(_div)
    ex_info["donor_div"] = ex_info["donor"].map(comp_all["sector"]).map(_div)
    ex_info["ewc6"] = ex_info["ewc_code"].fillna("").str.replace(r"\D", "", regex=True)
    results: dict[str, dict[str, list[Any]]] = {
        m: {"rank": [], "alloc": [], "case": []} for m in ("plan", "exact_code", "sector_popularity")}
    cases = sorted(ex_all["case"].unique(), key=lambda x: (len(x), x))
    if max_cases:
        cases = cases[:max_cases]
    t0 = time.perf_counter()
    for case in cases:
        ex = ex_all[(ex_all["case"] == case) & ex_all["maestri_status"].isin(statuses)]
        if ex.empty:
            continue
        comp = data.companies[data.companies["case"] == case].copy()
        st = streams[streams["company_id"].isin(comp["company_id"])].copy()
        # code columns removed: free text only
        st["ewc_code"] = None
        st["material_class"] = None
        if n_distractors:
            pool = receivers_all[receivers_all["case"] != case]
            pick = pool.iloc[rng.choice(len(pool), size=n_distractors, replace=len(pool) < n_distractors)]
            dcomp = pd.DataFrame({"company_id": [f"X{k}" for k in range(len(pick))],
                                  "name": [f"distractor {k}" for k in range(len(pick))],
                                  "business": pick["material"].to_numpy(),
                                  "sector": pick["sector"].to_numpy(), "case": case})
            dst = pd.DataFrame({"stream_id": [f"X{k}/d" for k in range(len(pick))],
                                "company_id": dcomp["company_id"], "direction": "demand",
                                "material": pick["material"].to_numpy(), "ewc_code": None,
                                "material_class": None})
            comp = pd.concat([comp, dcomp], ignore_index=True)
            st = pd.concat([st, dst], ignore_index=True)
        comp["lat"], comp["lon"] = _place(len(comp), rng)
        comp["country"] = "GB"
        comp["sector"] = comp["sector"].fillna("")
        st["quantity_t_per_yr"] = np.where(st["direction"] == "supply", 1000.0, 100_000.0)
        p = sf.plan((comp[["company_id", "name", "sector", "lat", "lon", "country"]],
                     st[["stream_id", "company_id", "direction", "material", "quantity_t_per_yr"]]),
                    max_per_supply=0, chains=False)
        cand = p.candidates
        cs = cand.groupby(["supply_stream_id", "demand_stream_id"], observed=True)["score"].max()
        alloc = cand[cand["allocated"] > 0]
        alloc_pairs = set(zip(alloc["supply_stream_id"].astype(str), alloc["demand_stream_id"].astype(str)))
        recv_streams = st[st["direction"] == "demand"]
        recv_div = dict(zip(recv_streams["stream_id"], recv_streams["company_id"].map(
            comp.set_index("company_id")["sector"]).map(_div)))
        train = ex_info[ex_info["case"] != case]
        pop = Counter(train["recv_div"])
        by_code = {k: Counter(v) for k, v in train.groupby("ewc6")["recv_div"]}
        by_sub = {k: Counter(v) for k, v in train.groupby(train["ewc6"].str[:4])["recv_div"]}
        by_donor = {k: Counter(v) for k, v in train.groupby("donor_div")["recv_div"]}
        for row in ex.itertuples(index=False):
            s_id, d_id = str(row.supplier_stream_id), str(row.receiver_stream_id)
            donor = sup_all.loc[s_id, "company_id"]
            # candidates for the plan: the supply's scored pairs
            try:
                sc = cs.loc[s_id]
                scores = {str(k): float(v) for k, v in sc.items()}
            except KeyError:
                scores = {}
            results["plan"]["rank"].append(_rank(scores, d_id, rng))
            results["plan"]["alloc"].append((s_id, d_id) in alloc_pairs)
            results["plan"]["case"].append(case)
            code = str(sup_all.loc[s_id, "ewc_code"] or "")
            code6 = "".join(ch for ch in code if ch.isdigit())
            ddiv = _div(comp_all.loc[donor, "sector"]) if donor in comp_all.index else ""
            others = {k: v for k, v in recv_div.items()
                      if not k.startswith(str(donor) + "/")}
            ec = {k: (by_code.get(code6, Counter())[v] * 1e6 + by_sub.get(code6[:4], Counter())[v] * 1e3
                      + by_donor.get(ddiv, Counter())[v]) for k, v in others.items()}
            results["exact_code"]["rank"].append(_rank(ec, d_id, rng))
            results["exact_code"]["case"].append(case)
            sp = {k: float(pop[v]) for k, v in others.items()}
            results["sector_popularity"]["rank"].append(_rank(sp, d_id, rng))
            results["sector_popularity"]["case"].append(case)
    elapsed = time.perf_counter() - t0
    brng = np.random.default_rng(seed + 1)
    out = {m: _metrics(v["rank"], v["alloc"], v["case"], brng) for m, v in results.items()}
    return {"distractors": n_distractors, "statuses": list(statuses), "elapsed_s": elapsed,
            "methods": out}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--distractors", type=int, nargs="+", default=[0, 300])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-cases", type=int, default=None)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    state = machine_state()
    runs = [run(n, seed=args.seed, max_cases=args.max_cases) for n in args.distractors]
    doc = {"benchmark": "end_to_end", "protocol": __doc__, "seed": args.seed,
           "machine": close_machine_state(state), "runs": runs}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1, default=float) + "\n")
    for r in runs:
        for m, v in r["methods"].items():
            print(f"distractors={r['distractors']:4d} {m:18s} n={v['n']:3d} "  # noqa: T201
                  f"R@1={v['recall_at_1']['value']:.3f} R@3={v['recall_at_3']['value']:.3f} "
                  f"MRR={v['mrr']['value']:.3f} alloc={v['allocated_share']['value']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
