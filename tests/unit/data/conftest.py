"""Small valid tables the data tests start from (then break one thing at a time)."""

from __future__ import annotations

import pandas as pd
import pytest


def good_companies() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "company_id": ["c1", "c2", "c3"],
            "name": ["Steelworks", "Cement plant", "Brewery"],
            "sector": ["24.10", "23.51", "11.05"],
            "lat": [51.90, 51.88, 51.95],
            "lon": [4.30, 4.35, 4.10],
            "country": ["NL", "NL", "NL"],
        }
    )


def good_streams() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "stream_id": ["s1", "s2", "s3", "s4"],
            "company_id": ["c1", "c2", "c3", "c2"],
            "direction": ["supply", "demand", "supply", "supply"],
            "material": ["blast furnace slag", "slag for clinker", "spent grain", "waste heat"],
            "ewc_code": ["10 02 02", None, "02 07 02", None],
            "material_class": [
                "blast_furnace_slag",
                "blast_furnace_slag",
                "spent_grain",
                "waste_heat",
            ],
            "quantity": [2000.0, 30.0, 150.0, 5.0],
            "unit": ["t/month", "kt/yr", "t/week", "MW"],
            "quality": [0.9, None, 0.7, None],
            "price_usd_per_t": [12.0, 35.0, None, None],
            "availability": ["continuous", "continuous", "jan-oct", "1-3,10-12"],
        }
    )


def good_exchanges() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "supplier_stream_id": ["s1"],
            "receiver_stream_id": ["s2"],
            "quantity_t_per_yr": [20000.0],
            "status": ["active"],
        }
    )


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    return {"companies": good_companies(), "streams": good_streams(), "exchanges": good_exchanges()}


class _Makers:
    companies = staticmethod(good_companies)
    streams = staticmethod(good_streams)
    exchanges = staticmethod(good_exchanges)


@pytest.fixture
def make() -> type[_Makers]:
    """Builders of fresh good tables: make.companies(), make.streams(), make.exchanges()."""
    return _Makers
