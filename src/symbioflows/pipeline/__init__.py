"""The plan: the layer above the domain packages that turns a region's companies and streams
into exchanges, chains, money, CO2e and findings.

One module per stage, each with its inputs and outputs in its docstring:

* :mod:`~symbioflows.pipeline.prepare`: the streams table (site, quantity and unit, material
  class, group, medium, search radius);
* :mod:`~symbioflows.pipeline.candidates`: candidate pairs (the one candidate generator);
* :mod:`~symbioflows.pipeline.scoring`: pair features and scores (native, one pass);
* :mod:`~symbioflows.pipeline.compliance`: pairs the rules block, findings per exchange;
* :mod:`~symbioflows.pipeline.allocation`: the quantities that maximise the objective;
* :mod:`~symbioflows.pipeline.economics`: transport, money and CO2e per exchange, totals;
* :mod:`~symbioflows.pipeline.chains`: circular chains on the allocated company graph;
* :mod:`~symbioflows.pipeline.report`: the plan's report.

:mod:`~symbioflows.pipeline.result` holds :class:`SymbiosisPlan` (tables, Arrow and pandas
views, save / load / update); :mod:`~symbioflows.pipeline.planner` runs the stages;
:mod:`~symbioflows.pipeline.demo` is the demo on the sample region.  Domain packages never
import this package.  Names are imported lazily, so ``import symbioflows`` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from symbioflows.pipeline.allocation import OBJECTIVES
    from symbioflows.pipeline.candidates import DEFAULT_MIN_MATERIAL_FIT
    from symbioflows.pipeline.demo import DemoResult, run_demo
    from symbioflows.pipeline.planner import plan, update_plan
    from symbioflows.pipeline.prepare import DEFAULT_MAX_DISTANCE_KM, prepare_streams
    from symbioflows.pipeline.result import AllocationProblem, StageStats, SymbiosisPlan
    from symbioflows.pipeline.scoring import DEFAULT_BIAS, DEFAULT_WEIGHTS, PAIR_FEATURES

_LAZY = {
    "plan": "planner", "update_plan": "planner",
    "SymbiosisPlan": "result", "StageStats": "result", "AllocationProblem": "result",
    "run_demo": "demo", "DemoResult": "demo",
    "OBJECTIVES": "allocation",
    "DEFAULT_MIN_MATERIAL_FIT": "candidates",
    "DEFAULT_MAX_DISTANCE_KM": "prepare", "prepare_streams": "prepare",
    "PAIR_FEATURES": "scoring", "DEFAULT_WEIGHTS": "scoring", "DEFAULT_BIAS": "scoring",
}

__all__ = ["AllocationProblem", "DEFAULT_BIAS", "DEFAULT_MAX_DISTANCE_KM",
           "DEFAULT_MIN_MATERIAL_FIT", "DEFAULT_WEIGHTS", "DemoResult", "OBJECTIVES",
           "PAIR_FEATURES", "StageStats", "SymbiosisPlan", "plan", "prepare_streams",
           "run_demo", "update_plan"]


def __getattr__(name: str) -> Any:
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'symbioflows.pipeline' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"symbioflows.pipeline.{mod}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
