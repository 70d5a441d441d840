"""Stage 7 of the plan: circular chains on the company graph of the allocated exchanges.

Input: the exchanges table (supplier and receiver companies, score, quantity, transport cost,
CO2e, material).  Output: the best circular chains (:func:`symbioflows.chains.find_cycles`,
product of edge scores), one row per chain.

A chain must carry at least two distinct materials (``min_materials=2``, the same rule as
``symbioflows chains``): a loop in which two companies trade one material back and forth is
two traders, not a circular chain that turns one company's residue into another's input.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

__all__ = ["chain_stage", "empty_chains"]

log = logging.getLogger(__name__)


def empty_chains() -> pd.DataFrame:
    return pd.DataFrame({"chain_id": pd.Series(dtype=np.int64), "length": pd.Series(dtype=np.int64),
                         "companies": pd.Series(dtype=object), "materials": pd.Series(dtype=object),
                         "score": pd.Series(dtype=float),
                         "bottleneck_quantity": pd.Series(dtype=float),
                         "co2e_avoided_kg": pd.Series(dtype=float)})


def chain_stage(ex: pd.DataFrame, max_len: int, *, top_k: int = 100,
                time_limit_s: float = 30.0, n_jobs: int | None = -1,
                min_materials: int = 2) -> pd.DataFrame:
    """Best circular chains (:func:`symbioflows.chains.find_cycles`, product of edge scores)
    on the company graph of the given exchanges; one edge per exchange (materials kept).

    ``min_materials`` (default 2) is the fewest distinct materials in a reported chain (the
    exchanges' ``material_class`` where the table has it, else their ``material`` text)."""
    from symbioflows.chains import SymbiosisGraph, find_cycles

    if ex.empty or max_len < 2:
        return empty_chains()
    edges = pd.DataFrame({
        "supplier": ex["supply_company_id"].to_numpy(),
        "receiver": ex["demand_company_id"].to_numpy(),
        "score": np.clip(ex["score"].to_numpy(float), 1e-9, 1.0),
        "tonnes_per_yr": ex["quantity"].to_numpy(float),
        "cost_usd": ex["transport_cost_usd"].to_numpy(float),
        "co2e_avoided_kg": ex["co2e_avoided_kg"].to_numpy(float),
        "material": ex["material"].astype(str).to_numpy(),
    })
    if "material_class" in ex:
        edges["material_class"] = ex["material_class"].to_numpy(object)
    g = SymbiosisGraph(None, edges)
    res = find_cycles(g, min_length=2, max_length=max_len, top_k=top_k,
                      time_limit_s=time_limit_s, n_jobs=n_jobs, min_materials=min_materials)
    if res.truncated:
        log.warning("chain search truncated (%s); the best chains found are reported",
                    res.reason)
    df = res.to_pandas()
    if df.empty:
        return empty_chains()
    out = pd.DataFrame({
        "chain_id": np.arange(len(df), dtype=np.int64),
        "length": df["length"].to_numpy(np.int64),
        "companies": [" -> ".join(map(str, list(c) + [c[0]])) for c in df["companies"]],
        "materials": [" | ".join(map(str, m)) for m in df["materials"]],
        "score": df["score"].to_numpy(float),
        "bottleneck_quantity": df["flow_t_per_yr"].to_numpy(float),
        "co2e_avoided_kg": df["co2e_avoided_kg"].to_numpy(float),
    })
    return out
