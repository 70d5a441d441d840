"""Logistics: distances, transport modes, costs and emissions, collection routes."""

from __future__ import annotations

from symbioflows.logistics.distance import great_circle_km, great_circle_matrix, great_circle_pairs

__all__ = ["great_circle_km", "great_circle_matrix", "great_circle_pairs"]
