"""symbioflows: industrial symbiosis — find, price, route and prove exchanges of waste,
by-products, surplus energy and water between companies, and the circular chains between them.

The data entry points are re-exported here and imported lazily, so ``import symbioflows`` stays
light: :func:`read_dataset`, :class:`Dataset`, :class:`ValidationReport`.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from symbioflows import errors

if TYPE_CHECKING:
    from symbioflows.data.dataset import Dataset
    from symbioflows.data.io import read_dataset
    from symbioflows.data.validation import ValidationReport
    from symbioflows.pipeline.planner import plan
    from symbioflows.pipeline.result import SymbiosisPlan

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

_LAZY = {
    "read_dataset": "symbioflows.data.io",
    "Dataset": "symbioflows.data.dataset",
    "ValidationReport": "symbioflows.data.validation",
    "plan": "symbioflows.pipeline.planner",
    "SymbiosisPlan": "symbioflows.pipeline.result",
}

__all__ = ["__version__", "errors", "read_dataset", "Dataset", "ValidationReport", "plan",
           "SymbiosisPlan"]


def __getattr__(name: str) -> Any:
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'symbioflows' has no attribute {name!r}")
    value = getattr(importlib.import_module(mod), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
