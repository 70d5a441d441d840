"""Why documented receivers are not candidates in the end-to-end protocol (issue 16, docs/benchmarks.md).

For every documented exchange of the regions that ``benchmarks/end_to_end.py`` builds (park
alone, same seeds: :func:`symbioflows.evaluate.end_to_end.build_region`), planned by
:func:`~symbioflows.evaluate.end_to_end.plan_region` (every compatible receiver kept), this
says why the documented receiver is not a candidate of the supply: ``no class`` (the supply
text got no class), ``fit`` (the material fit of the supply's inferred classes to the
receiver's inferred needs is below the plan's threshold, 0.25) or ``radius`` (they fit, but
the receiver is beyond the supply medium's search radius).  Candidate membership does not
depend on the pair score's weights, so one plan per park answers it.  MAESTRI parks and the
public case-study parks.

Run: ``PYTHONPATH=src python benchmarks/end_to_end_misses.py`` (about 2 minutes); writes
``benchmarks/results/end_to_end_misses.json``.
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from _harness import count_on_both_sources, park_alone_plans
from symbioflows.materials.infer import GroupFits
from symbioflows.pipeline.candidates import DEFAULT_MIN_MATERIAL_FIT

OUT = Path(__file__).resolve().parent / "results" / "end_to_end_misses.json"


def _km(a: Any, b: Any) -> float:
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2)
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def misses(data: Any, parks: list[str]) -> dict[str, Any]:
    """Counts of the documented receivers that are not candidates, by reason and by the
    supply's class."""
    n = 0
    reasons: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    for _park, rg, p, _doc in park_alone_plans(data, parks):
        c = p.candidates
        cand = set(zip(c["supply_stream_id"].astype(str), c["demand_stream_id"].astype(str)))
        s = p.streams.set_index("stream_id")
        comp = rg.companies.set_index("company_id")
        for a, b in zip(rg.exchanges["supplier_stream_id"].astype(str),
                        rg.exchanges["receiver_stream_id"].astype(str)):
            n += 1
            if (a, b) in cand:
                continue
            cls = s.loc[a, "material_class"]
            if not isinstance(cls, str):
                why = "no class"
            else:
                fit = float(GroupFits([s.loc[a, "group_key"], s.loc[b, "group_key"]],
                                      DEFAULT_MIN_MATERIAL_FIT).pair_fit([0], [1])[0])
                km = _km(comp.loc[s.loc[a, "company_id"]], comp.loc[s.loc[b, "company_id"]])
                why = ("fit" if fit < DEFAULT_MIN_MATERIAL_FIT
                       else "radius" if km > float(s.loc[a, "radius_km"]) else "other")
            reasons[why] += 1
            classes[f"{why}: {cls}"] += 1
    return {"n_documented": n, "n_not_candidates": int(sum(reasons.values())),
            "by_reason": dict(reasons), "by_reason_and_class": dict(classes.most_common())}


def main() -> int:
    return count_on_both_sources("end_to_end_misses", __doc__, OUT, misses)


if __name__ == "__main__":
    sys.exit(main())
