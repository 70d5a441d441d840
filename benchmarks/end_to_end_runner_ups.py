"""Which candidate pairs exist only because a runner-up class fits (issue 16, next step).

A free-text supply carries its top classes with probabilities (``mix:glass_cullet=0.90,
pet_plastic=0.05,...``); the material fit of a pair is raised to the plan's threshold (0.25)
when the top class or a runner-up of probability at least ``RAISE_MIN_PROB`` (0.1) fits, so
that one wrong top-1 class does not hide the partner (before that floor, any runner-up raised
it; the counts of that version, 12 pairs through a 0.05 runner-up and no documented one, are
in docs/benchmarks.md and were the evidence for the floor).  For the park-
alone regions of ``benchmarks/end_to_end.py`` (same seeds, every compatible receiver kept:
:func:`symbioflows.evaluate.end_to_end.plan_region`), this counts the candidate pairs whose
supply's top class alone does not reach the threshold, by whether the pair is a documented
exchange and by the largest probability among the runner-up classes that do fit.  It asked
whether a floor on that probability would cut spurious pairs (glass bottles opened to a PET
recycler by a 5 % PET guess) without losing documented receivers; it now shows what the floor
leaves.

Run: ``PYTHONPATH=src python benchmarks/end_to_end_runner_ups.py`` (about a minute); writes
``benchmarks/results/end_to_end_runner_ups.json``.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

from _harness import count_on_both_sources, park_alone_plans
from symbioflows.materials.infer import GroupFits
from symbioflows.pipeline.candidates import DEFAULT_MIN_MATERIAL_FIT as MIN_FIT

OUT = Path(__file__).resolve().parent / "results" / "end_to_end_runner_ups.json"


def runner_ups(data: Any, parks: list[str]) -> dict[str, Any]:
    """Candidate pairs in all, and those opened by a runner-up only, by documented or not and
    by the largest fitting runner-up's probability (as written in the group key)."""
    pairs: Counter[str] = Counter()
    opened: Counter[str] = Counter()
    for _park, _rg, p, doc in park_alone_plans(data, parks):
        key = p.streams.set_index("stream_id")["group_key"]
        for a, b in zip(p.candidates["supply_stream_id"].astype(str),
                        p.candidates["demand_stream_id"].astype(str)):
            ks, kd = str(key[a]), str(key[b])
            if not ks.startswith("mix:"):
                continue
            kind = "documented" if (a, b) in doc else "other"
            pairs[kind] += 1
            classes = [c.split("=") for c in ks[4:].split(",")]
            fits = GroupFits([*(f"class:{c}" for c, _ in classes), kd], MIN_FIT)
            f = fits.pair_fit(range(len(classes)), [len(classes)] * len(classes))
            if f[0] >= MIN_FIT:
                continue
            ps = [float(pr) for (_, pr), fc in zip(classes[1:], f[1:]) if fc >= MIN_FIT]
            opened[f"{kind}: {max(ps):.2f}" if ps else f"{kind}: none"] += 1
    return {"candidate_pairs": dict(pairs), "opened_by_a_runner_up": dict(sorted(opened.items()))}


def main() -> int:
    return count_on_both_sources("end_to_end_runner_ups", __doc__, OUT, runner_ups, min_fit=MIN_FIT)


if __name__ == "__main__":
    sys.exit(main())
