"""Pricing: disposal floor, virgin-input ceiling, bargained price, sensitivity, forecasts."""

from __future__ import annotations

from symbioflows.pricing.band import (
    PriceBand,
    PriceBands,
    Sensitivity,
    disposal_cost_usd_per_t,
    price_bands,
    price_exchange,
    viability_sensitivity,
)
from symbioflows.pricing.forecast import PriceForecast, forecast_prices
from symbioflows.pricing.market import (
    PriceFact,
    checked_share,
    export_price,
    price_fact,
    receiver_prices,
    reference_prices,
    supplier_alternatives,
    traded_price,
    value_exchanges,
    virgin_price,
)

__all__ = [
    "PriceFact",
    "checked_share",
    "export_price",
    "price_fact",
    "receiver_prices",
    "reference_prices",
    "supplier_alternatives",
    "traded_price",
    "value_exchanges",
    "virgin_price",
    "PriceBand",
    "PriceBands",
    "PriceForecast",
    "Sensitivity",
    "disposal_cost_usd_per_t",
    "forecast_prices",
    "price_bands",
    "price_exchange",
    "viability_sensitivity",
]
