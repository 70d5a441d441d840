"""NACE Rev. 2 classes: kept importable here; the one home is :mod:`symbioflows.data.nace`
(the data layer, below ``materials``)."""

from __future__ import annotations

from symbioflows.data.nace import (  # noqa: F401 - re-exports
    NaceEntry,
    lookup_nace,
    nace_digits,
    nace_table,
    nace_title,
    normalize_nace,
)

__all__ = ["NaceEntry", "normalize_nace", "lookup_nace", "nace_title", "nace_table", "nace_digits"]
