"""Impact of exchanges: avoided-burden CO2e, landfill diversion, virgin material, money saved."""

from __future__ import annotations

from symbioflows.impact.avoided import (
    Factor,
    ImpactResult,
    aggregate_impacts,
    avoided_burden,
    disposal_factor,
    impacts_table,
    material_factor,
    project_impacts,
)

__all__ = [
    "Factor",
    "ImpactResult",
    "aggregate_impacts",
    "avoided_burden",
    "disposal_factor",
    "impacts_table",
    "material_factor",
    "project_impacts",
]
