"""Logistics: distances, transport modes, costs and emissions, collection routes."""

from __future__ import annotations

from symbioflows.logistics.costing import (
    FullLoadRates,
    PairCosts,
    RouteCost,
    cost_pairs,
    cost_route,
    full_load_rates,
    max_reach_km,
)
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
    "FullLoadRates",
    "MEDIA",
    "PairCosts",
    "RouteCost",
    "TransportMode",
    "cost_pairs",
    "cost_route",
    "full_load_rates",
    "get_mode",
    "great_circle_km",
    "great_circle_matrix",
    "great_circle_pairs",
    "max_reach_km",
    "modes_table",
    "road_circuity",
    "transport_modes",
]
