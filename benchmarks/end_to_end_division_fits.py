"""Which candidate pairs exist only because the receiver's NACE *division* matches a usual user.

A demand's material fit is raised to ``SECTOR_WEIGHT`` (0.8) x :func:`~symbioflows.materials.
infer.sector_fit` of its company's sector, which is 1 where the sector is a usual user of the
supply class (or of a need it serves) and 0.5 where only the division (two digits) matches
(:func:`~symbioflows.materials.needs.nace_user_weight`): 0.4, above the plan's threshold of
0.25.  So any class used by a cement works (23.51) is a candidate for a cellulose-insulation
maker (23.99) at fit 0.4; in a region written by us, biomass boiler ash was allocated so.  For
the park-alone regions of ``benchmarks/end_to_end.py`` (same seeds, every compatible receiver
kept: :func:`symbioflows.evaluate.end_to_end.plan_region`), this counts the candidate pairs
whose fit reaches the threshold only through such a division match (the fit recomputed with the
division weight at 0 falls below it), by whether the pair is a documented exchange.  It asks
whether the division match finds documented receivers, or mostly others.

Run: ``PYTHONPATH=src python benchmarks/end_to_end_division_fits.py`` (about a minute); writes
``benchmarks/results/end_to_end_division_fits.json``.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from _harness import count_on_both_sources, park_alone_plans
from symbioflows.materials import infer, needs
from symbioflows.materials.infer import GroupFits
from symbioflows.pipeline.candidates import DEFAULT_MIN_MATERIAL_FIT as MIN_FIT

OUT = Path(__file__).resolve().parent / "results" / "end_to_end_division_fits.json"


@contextmanager
def _without_division_match() -> Iterator[None]:
    """``nace_user_weight`` without its division-level 0.5 (the sector-fit cache cleared on
    the way in and out)."""
    orig = needs.nace_user_weight

    def exact_only(sector: str, users: Any, divisions: Any = ()) -> float:
        return 1.0 if sector and sector in users else 0.0

    needs.nace_user_weight = exact_only  # type: ignore[assignment]
    infer._sector_fit_cached.cache_clear()
    try:
        yield
    finally:
        needs.nace_user_weight = orig  # type: ignore[assignment]
        infer._sector_fit_cached.cache_clear()


def division_only(data: Any, parks: list[str]) -> dict[str, Any]:
    """Candidate pairs in all, and those whose fit reaches the threshold only through a
    division match, documented or not (with the supply class and receiver sector of each
    documented one)."""
    pairs: Counter[str] = Counter()
    only: Counter[str] = Counter()
    documented: list[str] = []
    for park, _rg, p, doc in park_alone_plans(data, parks):
        st = p.streams.set_index("stream_id")
        cand = list(zip(p.candidates["supply_stream_id"].astype(str),
                        p.candidates["demand_stream_id"].astype(str)))
        if not cand:
            continue
        keys = sorted({str(st.loc[x, "group_key"]) for pair in cand for x in pair})
        at = {k: i for i, k in enumerate(keys)}
        sg = [at[str(st.loc[a, "group_key"])] for a, _ in cand]
        dg = [at[str(st.loc[b, "group_key"])] for _, b in cand]
        with _without_division_match():
            exact = GroupFits(keys, MIN_FIT).pair_fit(sg, dg)
        for (a, b), f in zip(cand, exact):
            kind = "documented" if (a, b) in doc else "other"
            pairs[kind] += 1
            if f < MIN_FIT:
                only[kind] += 1
                if kind == "documented":
                    documented.append(f"{park}: {st.loc[a, 'material_class']} -> "
                                      f"{st.loc[b, 'sector'] if 'sector' in st else ''}")
    return {"candidate_pairs": dict(pairs), "only_through_a_division_match": dict(only),
            "documented_ones": documented}


def main() -> int:
    return count_on_both_sources("end_to_end_division_fits", __doc__, OUT, division_only, min_fit=MIN_FIT)


if __name__ == "__main__":
    sys.exit(main())
