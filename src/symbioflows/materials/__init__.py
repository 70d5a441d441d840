"""Materials intelligence: waste codes, material classes, embeddings and search."""

from __future__ import annotations

from symbioflows.materials.ewc import EwcEntry, ewc_table, lookup_ewc, normalize_ewc

__all__ = ["EwcEntry", "ewc_table", "lookup_ewc", "normalize_ewc"]
