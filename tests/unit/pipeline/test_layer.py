"""The pipeline layer: its place in the import graph, the moved names' deprecation aliases, and
the plan result's public views (Arrow, stage measurements, allocation input)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import symbioflows as sf

SRC = Path(sf.__file__).resolve().parent
DOMAINS = ("data", "materials", "matching", "chains", "logistics", "pricing", "impact",
           "compliance", "learn", "analytics", "distributed", "datasets", "report")
# deprecated aliases (one release) that import the new home lazily, inside __getattr__
ALIAS_MODULES = {"matching/pipeline.py", "distributed/__init__.py"}


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module imported, inside a module-level ``__getattr__``) for every import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    shim = {id(n) for f in tree.body if isinstance(f, ast.FunctionDef) and f.name == "__getattr__"
            for n in ast.walk(f)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.module, id(node) in shim))
        elif isinstance(node, ast.Import):
            out += [(a.name, id(node) in shim) for a in node.names]
    return out


def test_domain_packages_never_import_the_pipeline():
    bad = []
    for dom in DOMAINS:
        for path in (SRC / dom).rglob("*.py"):
            rel = path.relative_to(SRC).as_posix()
            if path.name == "_cli.py":  # the CLI layer's per-domain plumbing (cli.py loads it)
                continue
            for mod, in_shim in _imports(path):
                if mod.startswith("symbioflows.pipeline") and not (
                        in_shim and rel in ALIAS_MODULES):
                    bad.append(f"{rel} imports {mod}")
    assert not bad, bad


def test_import_symbioflows_stays_light():
    code = ("import sys, symbioflows; "
            "print(sorted(m for m in sys.modules if m.startswith(('symbioflows', 'pandas', "
            "'torch', 'pyarrow'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(SRC.parent)}).stdout
    assert eval(out) == ["symbioflows", "symbioflows.errors"]


@pytest.mark.parametrize(("old", "name", "new"), [
    ("symbioflows.matching.pipeline", "plan", "symbioflows.pipeline.planner"),
    ("symbioflows.matching.pipeline", "SymbiosisPlan", "symbioflows.pipeline.result"),
    ("symbioflows.matching.pipeline", "PAIR_FEATURES", "symbioflows.pipeline.scoring"),
    ("symbioflows.matching.pipeline", "prepare_streams", "symbioflows.pipeline.prepare"),
    ("symbioflows.api", "run_demo", "symbioflows.pipeline.demo"),
    ("symbioflows.api", "plan", "symbioflows.pipeline.planner"),
    ("symbioflows.distributed", "distributed_scored_candidates", "symbioflows.pipeline.scoring"),
])
def test_moved_names_keep_a_deprecation_alias(old, name, new):
    import importlib

    mod = importlib.import_module(old)
    with pytest.warns(DeprecationWarning, match=new.replace(".", r"\.")):
        value = getattr(mod, name)
    assert value is getattr(importlib.import_module(new), name)
    with pytest.raises(AttributeError):
        getattr(mod, "no_such_name")


@pytest.fixture(scope="module")
def small_plan():
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "matching"))
    from region import make_test_region  # tests/unit/matching/region.py

    return sf.plan(make_test_region(), chains=False)


def test_plan_to_arrow(small_plan):
    import pyarrow as pa

    t = small_plan.to_arrow()
    assert set(t) == {"streams", "candidates", "exchanges", "chains", "findings", "totals"}
    assert all(isinstance(v, pa.Table) for v in t.values())
    assert t["exchanges"].num_rows == len(small_plan.exchanges)
    assert t["candidates"].column_names == list(small_plan.candidates.columns)
    assert t["totals"].num_rows == 1
    np.testing.assert_allclose(t["exchanges"]["quantity"].to_numpy(),
                               small_plan.exchanges["quantity"].to_numpy())


def test_options_are_public_and_stage_stats_documented(small_plan):
    assert not [k for k in small_plan.options if k.startswith("_")]
    assert small_plan.options["objective"] == "expected_net_benefit"
    st = small_plan.stage_stats
    assert set(st.cpu_s) == set(small_plan.timings_s) == set(st.spans)
    assert st.n_distance_evals > 0
    assert small_plan.totals["n_supplies_truncated"] >= 0


def test_allocation_problem_reproduces_the_allocation(small_plan):
    from symbioflows.matching import allocate

    prob = small_plan.allocation_problem()
    a = allocate(prob.supply_qty, prob.demand_qty, prob.supply, prob.demand, prob.value)
    assert a.objective == pytest.approx(small_plan.allocation.objective, rel=1e-9)


def test_plan_is_the_function_after_every_stage_module_is_imported():
    # a submodule named like a lazily exported function would shadow it once imported
    import importlib
    import pkgutil

    import symbioflows.pipeline as pipeline

    for info in pkgutil.iter_modules(pipeline.__path__):
        importlib.import_module(f"symbioflows.pipeline.{info.name}")
        assert info.name not in pipeline.__all__, info.name
    from symbioflows.pipeline import plan

    assert callable(plan) and plan is sf.plan
