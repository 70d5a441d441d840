"""Stage 4 of the plan: the quantities that maximise the objective under the capacities.

Input: the prepared supplies and demands (``qty`` in each stream's unit), the candidate pairs
and the candidates table (scores, features, ``compliance_blocked``).  Output: an
:class:`~symbioflows.matching.allocation.Allocation` (flows per pair, status, objective).
The value per unit of a pair is its ``surplus_usd_per_t`` (objective ``net_benefit``), its
``co2e_avoided_kg_per_t`` (``co2e``) or 1 (``landfill``); a pair scoring below
``min_score``, blocked by a compliance rule, or joining streams of different units is worth 0
and never used.  The solvers live in :mod:`symbioflows.matching.allocation`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from symbioflows.matching.allocation import Allocation, allocate
from symbioflows.matching.candidates import CandidatePairs

__all__ = ["OBJECTIVES", "pair_values", "allocation_stage"]

#: What the allocation can maximise: USD of price-band surplus, kg CO2e avoided, or units
#: diverted.
OBJECTIVES = ("net_benefit", "co2e", "landfill")

_VALUE_COLUMN = {"net_benefit": "surplus_usd_per_t", "co2e": "co2e_avoided_kg_per_t"}


def pair_values(cdf: pd.DataFrame, sup: pd.DataFrame, dem: pd.DataFrame, cand: CandidatePairs,
                *, objective: str, min_score: float, block: int = 1 << 22) -> np.ndarray:
    """Value per unit of each candidate pair for ``objective``; 0 where it may not be used.

    The pairs are read ``block`` at a time and the units compared by integer code, so the
    only array per pair is the result (gathering each pair's two unit strings took two
    object arrays of 8 bytes per pair)."""
    col = _VALUE_COLUMN.get(objective)
    value = cdf[col].to_numpy() if col is not None else None
    score = cdf["score"].to_numpy()
    blocked = cdf["compliance_blocked"].to_numpy(bool)
    # one code per unit over both sides; a missing unit (-1) equals nothing, as NaN != NaN
    codes, _ = pd.factorize(pd.concat([sup["unit"], dem["unit"]], ignore_index=True))
    s_unit, d_unit = codes[: len(sup)], codes[len(sup):]
    n = len(cand)
    out = np.empty(n)
    for a in range(0, n, block):
        b = min(a + block, n)
        su = s_unit[cand.supply[a:b]]
        usable = (score[a:b] >= min_score) & ~blocked[a:b] & (su == d_unit[cand.demand[a:b]]) \
            & (su >= 0)
        out[a:b] = np.where(usable, value[a:b] if value is not None else 1.0, 0.0)
    return out


def allocation_stage(sup: pd.DataFrame, dem: pd.DataFrame, cand: CandidatePairs,
                     value: np.ndarray, *, method: str) -> Allocation:
    """Solve the allocation (:func:`symbioflows.matching.allocate`) of ``value`` per unit over
    the candidate pairs, under the streams' quantities."""
    return allocate(sup["qty"].to_numpy(float), dem["qty"].to_numpy(float), cand.supply,
                    cand.demand, value, method=method)
