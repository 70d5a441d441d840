"""A tiny synthetic region in the symbioflows data model, for matching tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

MATERIALS = [
    ("fly ash", "10 01 02", "t"),
    ("blast furnace slag", "10 02 02", "t"),
    ("waste heat", None, "MWh"),
    ("spent grain", "02 07 04", "t"),
    ("gypsum", "10 01 05", "t"),
    ("spent solvent", "07 01 04*", "t"),
]


def make_test_region(n_companies: int = 30, n_streams: int = 120, seed: int = 0,
                     countries=("DK", "SE")) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    comp = pd.DataFrame({
        "company_id": [f"c{k:04d}" for k in range(n_companies)],
        "name": [f"Company {k}" for k in range(n_companies)],
        "sector": rng.choice(["24.10", "23.51", "11.05", "35.11", "20.14"], n_companies),
        "lat": 55.5 + rng.normal(0, 0.3, n_companies),
        "lon": 12.8 + rng.normal(0, 0.3, n_companies),
        "country": rng.choice(list(countries), n_companies),
    })
    mats = rng.integers(0, len(MATERIALS), n_streams)
    unit = np.array([MATERIALS[m][2] for m in mats])
    qty = np.round(rng.uniform(10, 500, n_streams), 1)
    st = pd.DataFrame({
        "stream_id": [f"s{k:05d}" for k in range(n_streams)],
        "company_id": rng.choice(comp["company_id"], n_streams),
        "direction": rng.choice(["supply", "demand"], n_streams),
        "material": [MATERIALS[m][0] for m in mats],
        "ewc_code": [MATERIALS[m][1] for m in mats],
        "quantity": qty,
        "unit": np.where(unit == "t", "t/yr", "MWh/yr"),
        "quantity_t_per_yr": np.where(unit == "t", qty, np.nan),
        "quantity_mwh_per_yr": np.where(unit == "MWh", qty, np.nan),
        "quality": np.where(rng.random(n_streams) < 0.5, np.nan, rng.random(n_streams)),
        "price_usd_per_t": np.round(rng.uniform(5, 80, n_streams), 2),
        "availability_mask": rng.choice([4095, 0b000000111111, 0b111111000000], n_streams),
    })
    return comp, st
