"""Is the free-text plan reproducible to the pair?  The region of ``free_text_scale.py``, planned
in fresh processes under different string hash seeds, compared by digest.

Each run is a child process with its own ``PYTHONHASHSEED``: it generates the region, runs
``plan(chains=False)`` and reports sha256 digests (first 16 hex digits) of every stream's
inferred class, need, confidence and material group, and of the sorted candidate pairs, with
the counts of candidates and exchanges.  The plan is reproducible when every run gives the same
digests.  (Until d10c001 it was not: equal-length phrases were ordered by set iteration, which
follows the hash seed; one stream in 70,000 then got another confidence or group.)

Run: ``PYTHONPATH=src python benchmarks/free_text_repro.py --n 1000000 --seeds 11 12``
(about 2.5 minutes and 7.5 GiB per run at 1M on 2 cores); writes
``benchmarks/results/free_text_repro.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "results" / "free_text_repro.json"


def _digest(frame: Any) -> str:
    import pandas as pd

    values = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha256(values.tobytes()).hexdigest()[:16]


def run_child(n: int) -> dict[str, Any]:
    """Plan the region in this process; digests and counts."""
    import logging

    import symbioflows as sf
    from free_text_scale import region

    logging.disable(logging.WARNING)
    comp, st = region(n, 0)
    p = sf.plan((comp, st), chains=False, n_jobs=2)
    s = p.streams[["stream_id", "group_key", "material_class", "need", "class_confidence"]]
    c = p.candidates[["supply_stream_id", "demand_stream_id"]].astype(str)
    return {"streams": int(len(s)), "streams_digest": _digest(s.astype(str)),
            "candidates": int(len(c)),
            "candidates_digest": _digest(c.sort_values(list(c.columns))),
            "exchanges": int(len(p.exchanges))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seeds", nargs="+", default=["11", "12"], help="PYTHONHASHSEED per run")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(run_child(a.n)))  # noqa: T201
        return 0
    runs = []
    for seed in a.seeds:
        env = {**os.environ, "PYTHONHASHSEED": str(seed),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parent),
                                                            os.environ.get("PYTHONPATH", "")]))}
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, __file__, "--n", str(a.n), "--child"], env=env,
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        r.update(hash_seed=str(seed), wall_s=round(time.perf_counter() - t0, 1))
        runs.append(r)
        print(json.dumps(r))  # noqa: T201
    keys = ("streams_digest", "candidates_digest", "candidates", "exchanges")
    same = all(all(r[k] == runs[0][k] for k in keys) for r in runs)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=Path(__file__).parent).stdout.strip()
    doc = {"benchmark": "free_text_repro", "protocol": __doc__, "n": a.n, "tree": commit,
           "runs": runs, "reproducible": same,
           "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    a.out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
