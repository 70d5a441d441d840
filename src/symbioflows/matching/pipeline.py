"""Deprecated: the plan moved to :mod:`symbioflows.pipeline` (one module per stage).

Every public name of this module still works for one release and emits a
``DeprecationWarning`` naming its new home; it will be removed in the next release.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

# old name -> (new module, new name)
_MOVED = {
    "OBJECTIVES": ("symbioflows.pipeline.allocation", "OBJECTIVES"),
    "PAIR_FEATURES": ("symbioflows.pipeline.scoring", "PAIR_FEATURES"),
    "DEFAULT_WEIGHTS": ("symbioflows.pipeline.scoring", "DEFAULT_WEIGHTS"),
    "DEFAULT_BIAS": ("symbioflows.pipeline.scoring", "DEFAULT_BIAS"),
    "DEFAULT_MAX_DISTANCE_KM": ("symbioflows.pipeline.prepare", "DEFAULT_MAX_DISTANCE_KM"),
    "DEFAULT_MIN_MATERIAL_FIT": ("symbioflows.pipeline.candidates", "DEFAULT_MIN_MATERIAL_FIT"),
    "SymbiosisPlan": ("symbioflows.pipeline.result", "SymbiosisPlan"),
    "plan": ("symbioflows.pipeline.planner", "plan"),
    "prepare_streams": ("symbioflows.pipeline.prepare", "prepare_streams"),
    "candidate_stage": ("symbioflows.pipeline.candidates", "candidate_stage"),
    "merge_candidates": ("symbioflows.pipeline.candidates", "merge_candidates"),
    "resolve_weights": ("symbioflows.pipeline.scoring", "resolve_weights"),
    "scoring_inputs": ("symbioflows.pipeline.scoring", "scoring_inputs"),
    "score_candidates": ("symbioflows.pipeline.scoring", "score_candidates"),
    "candidate_frame": ("symbioflows.pipeline.scoring", "candidate_frame"),
}

__all__: list[str] = []


def __getattr__(name: str) -> Any:
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    mod, new = _MOVED[name]
    warnings.warn(f"symbioflows.matching.pipeline.{name} moved to {mod}.{new} "
                  "(symbioflows.pipeline); the old name will be removed in the next release",
                  DeprecationWarning, stacklevel=2)
    return getattr(importlib.import_module(mod), new)
