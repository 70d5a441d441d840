"""The data model, loaders, validation and shipped reference data.

Public entry points: :func:`read_dataset`, :class:`Dataset`, :class:`ValidationReport`,
the schemas in :mod:`symbioflows.data.schema` and the unit conversions of
:mod:`symbioflows.data.units`.
"""

from __future__ import annotations

from symbioflows.data.dataset import Dataset, DatasetFrames
from symbioflows.data.io import read_dataset, read_table, to_arrow_table
from symbioflows.data.schema import (
    COMPANIES_SCHEMA,
    EXCHANGES_SCHEMA,
    STREAMS_SCHEMA,
)
from symbioflows.data.units import convert_quantities, parse_unit
from symbioflows.data.validation import ValidationReport, parse_availability, validate_tables

__all__ = [
    "Dataset",
    "DatasetFrames",
    "ValidationReport",
    "read_dataset",
    "read_table",
    "to_arrow_table",
    "validate_tables",
    "parse_availability",
    "parse_unit",
    "convert_quantities",
    "COMPANIES_SCHEMA",
    "STREAMS_SCHEMA",
    "EXCHANGES_SCHEMA",
]
