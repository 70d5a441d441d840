"""How far distractors of the same kind can be told apart at all (issue 16, docs/benchmarks.md).

The distractors of the end-to-end protocol (:mod:`symbioflows.evaluate.end_to_end`) are other
parks' receivers, so many have the same business text and NACE sector as a documented receiver.
For each documented exchange of the regions that ``benchmarks/end_to_end.py`` builds (same seeds),
this counts the receivers that an oracle could not tell from the documented one: same business
text (case-insensitive) and same sector, the donor itself excluded.  An oracle that ranks every
other receiver below them and orders the tied ones at random reaches recall@1 = mean(1/k),
recall@3 = mean(min(3, k)/k) and MRR = mean(H_k / k) (H_k the k-th harmonic number): an upper
bound for any score that reads only the business text and the sector of a receiver.

Run: ``PYTHONPATH=src python benchmarks/end_to_end_ceiling.py`` (about a minute); writes
``benchmarks/results/end_to_end_ceiling.json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from symbioflows.evaluate import end_to_end as e2e
from symbioflows.evaluate import load_maestri

OUT = Path(__file__).resolve().parent / "results" / "end_to_end_ceiling.json"


def ceiling(data: Any, parks: list[str], *, n_distractors: int, placement: str, seed: int = 0,
            distractor_data: Any = None) -> dict[str, float]:
    """The oracle's recall@1, recall@3 and MRR over the documented exchanges of ``parks``."""
    r1, r3, rr = [], [], []
    for park in parks:
        rg = e2e.build_region(data, park, n_distractors=n_distractors, placement=placement,
                              rng=(seed, e2e._park_num(park)), distractor_data=distractor_data)
        if rg.exchanges.empty:
            continue
        comp = rg.companies.set_index("company_id")
        dem = rg.streams[rg.streams["direction"] == "demand"]
        key = {sid: (str(comp.loc[c, "business"]).strip().lower(), str(comp.loc[c, "sector"]))
               for sid, c in zip(dem["stream_id"], dem["company_id"])}
        donor_of = dict(zip(rg.streams["stream_id"], rg.streams["company_id"]))
        for s, d in zip(rg.exchanges["supplier_stream_id"], rg.exchanges["receiver_stream_id"]):
            donor = donor_of[s]
            k = sum(1 for sid, kk in key.items()
                    if kk == key[d] and not str(sid).startswith(f"{donor}/"))
            r1.append(1.0 / k)
            r3.append(min(3, k) / k)
            rr.append(sum(1.0 / i for i in range(1, k + 1)) / k)
    return {"n": len(rr), "recall_at_1": float(np.mean(r1)), "recall_at_3": float(np.mean(r3)),
            "mrr": float(np.mean(rr))}


def main() -> int:
    data = load_maestri()
    cs = e2e.case_study_data()
    out: dict[str, Any] = {"benchmark": "end_to_end_ceiling", "protocol": __doc__, "rows": []}
    for n, placement in ((0, "site"), (300, "region"), (300, "site")):
        for name, d, dd in (("MAESTRI", data, None), ("case studies", cs, data)):
            c = ceiling(d, e2e.maestri_parks(d), n_distractors=n, placement=placement,
                        distractor_data=dd)
            out["rows"].append({"parks": name, "distractors": n,
                                "placement": placement if n else "park_alone", **c})
            print(name, n, placement if n else "park_alone", c)  # noqa: T201
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
