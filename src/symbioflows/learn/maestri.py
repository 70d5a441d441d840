"""Deprecated: the MAESTRI loader moved to :mod:`symbioflows.evaluate.maestri` (one loader for
receiver ranking and link prediction)."""

from __future__ import annotations

from symbioflows._deprecation import moved_names

__getattr__ = moved_names(__name__, {
    "MaestriData": "symbioflows.evaluate.maestri:MaestriData",
    "UNDISCLOSED": "symbioflows.evaluate.maestri:UNDISCLOSED",
    "load_maestri": "symbioflows.evaluate.maestri:load_maestri",
})
