"""Deprecated: the demo and the plan moved to :mod:`symbioflows.pipeline`
(:func:`symbioflows.pipeline.run_demo`, :func:`symbioflows.plan`).

Every public name of this module still works for one release and emits a
``DeprecationWarning`` naming its new home; it will be removed in the next release.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

_MOVED = {
    "run_demo": ("symbioflows.pipeline.demo", "run_demo"),
    "DemoResult": ("symbioflows.pipeline.demo", "DemoResult"),
    "plan": ("symbioflows.pipeline.planner", "plan"),
    "SymbiosisPlan": ("symbioflows.pipeline.result", "SymbiosisPlan"),
}

__all__: list[str] = []


def __getattr__(name: str) -> Any:
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    mod, new = _MOVED[name]
    warnings.warn(f"symbioflows.api.{name} moved to {mod}.{new}; the old name will be removed "
                  "in the next release", DeprecationWarning, stacklevel=2)
    return getattr(importlib.import_module(mod), new)
