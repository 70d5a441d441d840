"""Logistics: distances, transport modes, costs and emissions, collection routes."""

from __future__ import annotations

from symbioflows.logistics.costing import PairCosts, RouteCost, cost_pairs, cost_route
from symbioflows.logistics.distance import great_circle_km, great_circle_matrix, great_circle_pairs
from symbioflows.logistics.modes import (
    DEFAULT_MODES,
    MEDIA,
    TransportMode,
    get_mode,
    modes_table,
    road_circuity,
    transport_modes,
)

__all__ = [
    "DEFAULT_MODES",
    "MEDIA",
    "PairCosts",
    "RouteCost",
    "TransportMode",
    "cost_pairs",
    "cost_route",
    "get_mode",
    "great_circle_km",
    "great_circle_matrix",
    "great_circle_pairs",
    "modes_table",
    "road_circuity",
    "transport_modes",
]
