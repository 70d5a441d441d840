"""What each allocation objective gives on the shipped sample region (docs/matching.md).

``plan(load_sample_region(), objective=...)`` for every objective of
:data:`symbioflows.pipeline.OBJECTIVES`, the shipped pair model scoring, no chains.  For each:
the exchanges, the net benefit (USD/yr, the economics stage's valuation), the CO2e avoided and
the tonnes exchanged, and how plausible the chosen partners are by the pair score: each allocated
pair's rank among its supply's candidates (1: the supply's best-scored receiver), the share at
rank 1, the mean score and the mean choice probability
(the exchanges' ``choice_probability``, over the supply's usable candidates).
Plausibility is the model's own view, not a measurement against documented exchanges: that is
the allocated share of ``benchmarks/end_to_end.py``.

Run: ``PYTHONPATH=src python benchmarks/allocation_objectives.py`` (about a minute); writes
``benchmarks/results/allocation_objectives.json``.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import close_machine_state, machine_state  # noqa: E402
from symbioflows.datasets import load_sample_region  # noqa: E402
from symbioflows.pipeline import OBJECTIVES, plan  # noqa: E402

OUT = Path(__file__).resolve().parent / "results" / "allocation_objectives.json"


def describe(p: Any) -> dict[str, Any]:
    """The figures of one plan (module notes)."""
    c = p.candidates
    rank = c.groupby("supply_stream_id")["score"].rank(ascending=False, method="min")
    al = (c["allocated"] > 0).to_numpy()
    t = p.totals
    return {"exchanges": int(len(p.exchanges)),
            "net_benefit_usd": float(t["net_benefit_usd"]),
            "co2e_avoided_t": float(t["co2e_avoided_kg"]) / 1000.0,
            "tonnes_exchanged": float(t["tonnes_exchanged"]),
            "partner_rank_mean": float(rank[al].mean()),
            "partner_rank_1_share": float((rank[al] == 1).mean()),
            "partner_score_mean": float(c.loc[al, "score"].mean()),
            "partner_choice_probability_mean": float(p.exchanges["choice_probability"].mean()),
            "status": p.allocation.status}


def main() -> int:
    logging.disable(logging.WARNING)
    state = machine_state()
    ds = load_sample_region()
    rows, model = [], None
    for objective in OBJECTIVES:
        p = plan(ds, objective=objective, chains=False, progress=False)
        model = p.options["pair_model"]["name"]
        rows.append({"objective": objective, **describe(p)})
        print(rows[-1])  # noqa: T201
    doc = {"benchmark": "allocation_objectives", "protocol": __doc__, "pair_model": model,
           "machine": close_machine_state(state), "rows": rows}
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
