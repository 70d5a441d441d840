"""Loading of the factor tables shipped in ``symbioflows/data/factors`` and currency conversion.

Every table row names its source and year; docs/economics.md lists them all.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from symbioflows._resources import shipped_csv_rows
from symbioflows.errors import InvalidInputError

__all__ = ["read_factor_csv", "to_usd", "exchange_rates", "FACTOR_DIR"]

FACTOR_DIR = "data/factors"


@functools.cache
def _read(name: str) -> tuple[dict[str, str], ...]:
    return tuple(shipped_csv_rows(f"factors/{name}"))


def read_factor_csv(name: str) -> list[dict[str, str]]:
    """Rows of a shipped factor table as dicts of strings (a fresh list; the cache is shared)."""
    return [dict(r) for r in _read(name)]


@functools.cache
def exchange_rates() -> dict[str, float]:
    """USD per unit of each currency (annual averages; see ``exchange_rates.csv``)."""
    return {r["currency"]: float(r["usd_per_unit"]) for r in _read("exchange_rates.csv")}


def to_usd(amount: Any, currency: str) -> float:
    """Convert an amount in ``currency`` (USD, EUR, GBP) to USD at the cited annual rate.

    Examples
    --------
    >>> round(to_usd(100.0, "EUR"), 2)
    108.24
    """
    rates = exchange_rates()
    cur = str(currency).upper()
    if cur not in rates:
        raise InvalidInputError(
            f"unknown currency {currency!r}; valid: {sorted(rates)} (convert to USD first)"
        )
    value = float(amount)
    if math.isnan(value):
        raise InvalidInputError(f"amount is NaN ({currency}); pass a number")
    return value * rates[cur]
