"""End-to-end evaluation of the plan on documented exchanges (issue 16 item 5): a thin runner.

The protocol lives in the library (:mod:`symbioflows.evaluate.end_to_end`, also
``symbioflows evaluate --end-to-end``): each MAESTRI park is rebuilt as a free-text region and
planned; folds grouped by park; the receiver scorer and the pair model are fitted on the
training parks only; baselines exact-code lookup and sector popularity, and the hand blend as
its own row.  The public case-study parks (``benchmarks/data/case_studies_exchanges.csv``, those
not also a MAESTRI case) are then cross-validated by folds of case-study parks, each fold's
pair models trained on every MAESTRI park and the other folds' case-study parks.  This script
records the machine's load and writes
``benchmarks/results/end_to_end.json``, which ``tools/render_tables.py`` renders into
``docs/benchmarks.md``.

Run: ``python benchmarks/end_to_end.py`` (about 10-15 minutes on 2 quiet cores);
``--max-parks 8 --receiver-fit fixed`` for a quick look.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import close_machine_state, machine_state  # noqa: E402
from symbioflows.evaluate import end_to_end as e2e  # noqa: E402
from symbioflows.evaluate import load_maestri  # noqa: E402

OUT = Path(__file__).resolve().parent / "results" / "end_to_end.json"


def wording_split(data: Any, res: dict[str, Any]) -> list[dict[str, Any]]:
    """The plan's metrics split by whether the documented receiver's business text shares a
    word with the supply's text (``wording_overlap.shares_a_word``, the rule of
    ``benchmarks/wording_overlap.py``): the ``text_fit`` feature reads exactly that."""
    from wording_overlap import shares_a_word

    out = []
    blocks = [("MAESTRI", data, st) for st in res["settings"]]
    if "out_of_source" in res:
        cs = e2e.case_study_data()
        blocks += [("case studies", cs, st) for st in res["out_of_source"]["settings"]]
    for what, d, st in blocks:
        text = d.streams.set_index("stream_id")["material"].fillna("").astype(str)
        comp = d.streams.set_index("stream_id")["company_id"]
        biz = d.companies.set_index("company_id")["business"].fillna("").astype(str)
        parts: dict[bool, list[float]] = {True: [], False: []}
        for r in st["plan_ranks"]:
            shared = shares_a_word(text[r["supply"]], biz[comp[r["demand"]]])
            parts[shared].append(math.inf if r["rank"] is None else float(r["rank"]))
        for shared, ranks in parts.items():
            x = np.asarray(ranks, float)
            if not x.size:
                continue
            out.append({"parks": what, "placement": st["placement"],
                        "distractors": st["distractors"], "shares_a_word": shared,
                        "n": int(x.size), "recall_at_1": float((x <= 1).mean()),
                        "recall_at_3": float((x <= 3).mean()),
                        "mrr": float(np.where(np.isfinite(x), 1 / x, 0).mean())})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--distractors", type=int, nargs="+", default=[0, 300])
    ap.add_argument("--placements", default="region,site")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-parks", type=int, default=None)
    ap.add_argument("--receiver-fit", default="fixed", choices=("fixed", "select"))
    ap.add_argument("--no-case-studies", action="store_true",
                    help="skip the public case-study parks (tested out of source)")
    ap.add_argument("--text-backend", default="auto", choices=("auto", "sentence", "hashing"),
                    help="the plans' text encoder (hashing: a plain install's)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("symbioflows").setLevel(logging.ERROR)
    state = machine_state()
    data = load_maestri()
    parks = e2e.maestri_parks(data)[: args.max_parks] if args.max_parks else None
    res = e2e.evaluate_end_to_end(data, distractors=args.distractors,
                                  placements=args.placements.split(","), n_folds=args.folds,
                                  parks=parks, receiver_fit=args.receiver_fit, seed=args.seed,
                                  case_studies=None if args.no_case_studies else True,
                                  text_backend=args.text_backend)
    doc = {"benchmark": "end_to_end", "protocol": e2e.__doc__, "seed": args.seed,
           "machine": close_machine_state(state), "evaluation": res,
           "wording_split": wording_split(data, res)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1, default=float) + "\n")
    print(e2e.format_end_to_end(res))  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
