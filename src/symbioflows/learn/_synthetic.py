"""Synthetic symbiosis networks with a known, learnable structure (tests, benchmarks, notebook).

Each material family has donor sectors and receiver sectors (plausible pairings, not
facts about the world); exchanges link a supply stream of a family to a demand stream of a
receiver in the same park that accepts that family, with some noise.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from symbioflows._config import check_rng

__all__ = ["make_synthetic_network"]

# family: (supply text, demand text, donor NACE, receiver NACE, EWC code)
_FAMILIES = [
    ("fly ash from coal combustion", "cement raw meal additive", "35.11", "23.51", "10 01 02"),
    ("blast furnace slag", "clinker substitute", "24.10", "23.51", "10 02 02"),
    ("surplus low-grade process heat", "district heating supply", "20.14", "35.30", None),
    ("spent sulphuric acid", "acid for fertiliser production", "20.13", "20.15", "06 01 01*"),
    ("wood offcuts and sawdust", "biomass boiler fuel", "16.10", "35.11", "03 01 05"),
    ("brewers spent grain", "animal feed ingredient", "11.05", "10.91", "02 07 04"),
    ("waste cooking oil", "biodiesel feedstock", "56.10", "20.59", "20 01 25"),
    ("scrap steel turnings", "electric arc furnace charge", "25.62", "24.10", "12 01 01"),
    ("gypsum from flue gas desulphurisation", "plasterboard gypsum", "35.11", "23.62", "10 01 05"),
    ("treated wastewater effluent", "cooling water make-up", "37.00", "19.20", "19 08 14"),
    ("waste glass cullet", "glass furnace batch", "38.32", "23.13", "19 12 05"),
    ("excess carbon dioxide", "greenhouse CO2 enrichment", "20.11", "01.13", None),
]


def make_synthetic_network(
    n_parks: int = 6, companies_per_park: int = 10, *, noise: float = 0.1, rng: Any = 0
) -> dict[str, pd.DataFrame]:
    """Companies, streams and exchanges (pandas) with a ``park`` column on companies.

    Returns a dict with ``companies``, ``streams``, ``exchanges`` (and ``park`` per exchange).
    """
    gen = check_rng(rng)
    comp_rows, stream_rows, ex_rows = [], [], []
    sid = 0
    for p in range(n_parks):
        lat0, lon0 = gen.uniform(40, 60), gen.uniform(-5, 25)
        members = []
        for c in range(companies_per_park):
            fam = int(gen.integers(len(_FAMILIES)))
            role = "donor" if c % 2 == 0 else "receiver"
            sector = _FAMILIES[fam][2] if role == "donor" else _FAMILIES[fam][3]
            cid = f"P{p}C{c}"
            comp_rows.append(
                {
                    "company_id": cid,
                    "name": f"company {cid}",
                    "sector": sector,
                    "lat": lat0 + gen.normal(0, 0.05),
                    "lon": lon0 + gen.normal(0, 0.05),
                    "country": "XX",
                    "park": f"park{p}",
                }
            )
            members.append((cid, fam, role))
        supplies: list[tuple[str, int, str]] = []
        demands: list[tuple[str, int, str]] = []
        for cid, fam, role in members:
            fams = [fam] + ([int(gen.integers(len(_FAMILIES)))] if gen.random() < 0.5 else [])
            for f in fams:
                direction = "supply" if role == "donor" else "demand"
                text = _FAMILIES[f][0] if direction == "supply" else _FAMILIES[f][1]
                s = f"S{sid}"
                sid += 1
                stream_rows.append(
                    {
                        "stream_id": s,
                        "company_id": cid,
                        "direction": direction,
                        "material": text,
                        "ewc_code": _FAMILIES[f][4] if direction == "supply" else None,
                        "material_class": None,
                        "quantity_t_per_yr": float(np.round(gen.lognormal(7, 1), 1)),
                        "quality": float(np.round(gen.uniform(0.5, 1.0), 2)),
                    }
                )
                (supplies if direction == "supply" else demands).append((s, f, cid))
        for s, f, cid in supplies:
            match = [d for d, g, c in demands if g == f and c != cid]
            if gen.random() < noise or not match:
                match = [d for d, _, c in demands if c != cid]
            if not match:
                continue
            for d in gen.permutation(match)[: 1 + int(gen.random() < 0.3)]:
                ex_rows.append(
                    {"supplier_stream_id": s, "receiver_stream_id": str(d), "park": f"park{p}",
                     "status": "active"}
                )
    ex = pd.DataFrame(ex_rows).drop_duplicates(["supplier_stream_id", "receiver_stream_id"])
    return {
        "companies": pd.DataFrame(comp_rows),
        "streams": pd.DataFrame(stream_rows),
        "exchanges": ex.reset_index(drop=True),
    }
