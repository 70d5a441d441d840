"""Compliance screening of exchanges: hazardous waste, shipments, end-of-waste, ABP, food."""

from __future__ import annotations

from symbioflows.compliance.rules import (
    EU_EFTA,
    RULES,
    ComplianceMask,
    ComplianceReport,
    Finding,
    check_exchange,
    compliance_filter,
)

__all__ = [
    "EU_EFTA",
    "RULES",
    "ComplianceMask",
    "ComplianceReport",
    "Finding",
    "check_exchange",
    "compliance_filter",
]
