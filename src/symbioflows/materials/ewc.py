"""The European List of Waste: kept importable here; the one home is :mod:`symbioflows.data.ewc`
(the data layer, below ``materials``, so that validation does not import upwards)."""

from __future__ import annotations

from symbioflows.data.ewc import (  # noqa: F401 - re-exports
    EwcEntry,
    ewc_chapter,
    ewc_digits,
    ewc_table,
    is_hazardous,
    lookup_ewc,
    normalize_ewc,
)

__all__ = ["EwcEntry", "normalize_ewc", "lookup_ewc", "ewc_table", "is_hazardous", "ewc_digits",
           "ewc_chapter"]
