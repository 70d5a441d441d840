"""The demo's plan, pinned: ``sf.plan(load_sample_region())`` with default options gives the
exchanges, chains and totals stored in ``data/demo_plan.json``.

The fixture was written from the code before the pipeline moved into its own layer (issue 15),
so a refactor that claims "behaviour unchanged" is checked here.  A change that is meant to
move the numbers regenerates the file on purpose and says why in its commit::

    PYTHONPATH=src python tests/unit/pipeline/test_demo_pinned.py --regenerate
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parent / "data" / "demo_plan.json"


def _snapshot() -> dict:
    import symbioflows as sf
    from symbioflows.datasets import load_sample_region

    p = sf.plan(load_sample_region())
    ex = p.exchanges.sort_values(["supply_stream_id", "demand_stream_id"])
    exchanges = [[str(s), str(d), round(float(q), 3)] for s, d, q in zip(
        ex["supply_stream_id"], ex["demand_stream_id"], ex["quantity"])]
    chains = [[int(r.length), str(r.companies), str(r.materials), round(float(r.score), 9),
               round(float(r.bottleneck_quantity), 3)] for r in p.chains.itertuples()]
    return {"exchanges": exchanges, "chains": chains,
            "totals": {k: float(v) for k, v in p.totals.items()},
            "status": p.allocation.status}


@pytest.fixture(scope="module")
def got() -> dict:
    return _snapshot()


@pytest.fixture(scope="module")
def want() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def test_demo_exchanges_pinned(got, want):
    assert got["status"] == want["status"]
    assert [e[:2] for e in got["exchanges"]] == [e[:2] for e in want["exchanges"]]
    for g, w in zip(got["exchanges"], want["exchanges"]):
        assert g[2] == pytest.approx(w[2], rel=1e-7, abs=2e-3), g[:2]


def test_demo_chains_pinned(got, want):
    assert [c[:3] for c in got["chains"]] == [c[:3] for c in want["chains"]]
    for g, w in zip(got["chains"], want["chains"]):
        assert g[3:] == pytest.approx(w[3:], rel=1e-7, abs=2e-3)


def test_demo_totals_pinned(got, want):
    for k, w in want["totals"].items():
        assert got["totals"][k] == pytest.approx(w, rel=1e-7, abs=1e-6), k


if __name__ == "__main__" and "--regenerate" in sys.argv:
    snap = _snapshot()
    lines = ["{"]
    for key in ("exchanges", "chains"):
        rows = ",\n".join("  " + json.dumps(r) for r in snap[key])
        lines.append(f'"{key}": [\n{rows}\n],')
    lines.append(f'"totals": {json.dumps(snap["totals"], indent=1)},')
    lines.append(f'"status": {json.dumps(snap["status"])}')
    lines.append("}")
    FIXTURE.write_text("\n".join(lines) + "\n", encoding="utf-8")
