"""Impact of exchanges: avoided-burden CO2e, landfill diversion, virgin material, money saved."""

from __future__ import annotations

from symbioflows.impact.accounting import (
    MEDIUM_UNITS,
    VirginFactor,
    avoided_factor,
    check_value_per_company,
    exchange_impacts,
    park_benchmarks,
    totals_by_medium,
    virgin_factor,
    virgin_factors,
)
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
    "MEDIUM_UNITS",
    "VirginFactor",
    "avoided_factor",
    "check_value_per_company",
    "exchange_impacts",
    "park_benchmarks",
    "totals_by_medium",
    "virgin_factor",
    "virgin_factors",
    "Factor",
    "ImpactResult",
    "aggregate_impacts",
    "avoided_burden",
    "disposal_factor",
    "impacts_table",
    "material_factor",
    "project_impacts",
]
