"""Stage 5 of the plan: what the compliance rules say about candidates and exchanges.

Input: the prepared supplies and demands and the candidate pairs (or the allocated
exchanges).  Output: a mask of the candidates a rule blocks (:func:`compliance_blocked`,
used by the allocation stage) and the findings per allocated exchange
(:func:`compliance_findings`: the rule, its source and what the parties must do).  The rules
live in :mod:`symbioflows.compliance`; this module only gathers their inputs and fans the
answers out, one check per distinct combination of inputs.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from symbioflows.matching.candidates import CandidatePairs
from symbioflows.pipeline.prepare import FINDING_COLUMNS, findings_frame

__all__ = ["compliance_blocked", "compliance_findings", "pair_flags"]

log = logging.getLogger(__name__)


def compliance_blocked(sup: pd.DataFrame, dem: pd.DataFrame, cand: CandidatePairs,
                       *, block: int = 1 << 22) -> np.ndarray:
    """Pairs that a compliance rule blocks (:func:`symbioflows.compliance.compliance_filter`:
    hazardous waste across a border without notification, waste for disposal across a border,
    waste to food-grade receivers).

    Notes
    -----
    The rules read a pair only through its supply's (EWC code, country, treatment route) and
    its demand's (country, treatment route, food grade): each side gets one code for its
    combination (O(streams)), the rules run once per distinct pair of codes, and the pairs are
    gathered ``block`` at a time, so the stage holds one boolean per pair plus block-sized
    temporaries (one int64 key per pair and its ``np.unique`` sort took ~1.4 GiB at 1M
    free-text streams, 23.8M candidates).
    """
    from symbioflows.compliance import compliance_filter

    n = len(cand)
    if n == 0:
        return np.zeros(0, dtype=bool)
    e_id, e_vals = pd.factorize(sup["ewc_code"].where(sup["ewc_code"].notna(), None))
    c_id, c_vals = pd.factorize(pd.concat([sup["country"], dem["country"]], ignore_index=True))
    nc = len(c_vals) + 1
    s_disp, d_disp, food = side_flags(sup, dem)
    # one code per supply (EWC code, country, disposal) and per demand (country, disposal,
    # food grade), numbered in order of first appearance
    s_code, s_keys = pd.factorize(((e_id.astype(np.int64) + 1) * nc + c_id[: len(sup)] + 1) * 2
                                  + s_disp)
    d_code, d_keys = pd.factorize(((c_id[len(sup):].astype(np.int64) + 1) * 2 + d_disp) * 2
                                  + food)
    nd = len(d_keys)

    def pair_keys(a: int, b: int) -> np.ndarray:
        return s_code[cand.supply[a:b]].astype(np.int64) * nd + d_code[cand.demand[a:b]]

    combos = np.unique(np.concatenate([pd.unique(pair_keys(a, min(a + block, n)))
                                       for a in range(0, n, block)]))
    s_key = np.asarray(s_keys, np.int64)[combos // nd]
    d_key = np.asarray(d_keys, np.int64)[combos % nd]
    disposal = (s_key % 2 == 1) | ((d_key // 2) % 2 == 1)
    e_all = np.array(list(e_vals) + [None], dtype=object)  # code -1 (no EWC code): None
    c_all = np.array([v if v else None for v in c_vals] + [None], dtype=object)
    mask = compliance_filter(e_all[s_key // 2 // nc - 1], c_all[s_key // 2 % nc - 1],
                             c_all[d_key // 4 - 1], receiver_food_grade=d_key % 2 == 1,
                             treatment=np.where(disposal, "disposal", "recovery"))
    blocked_keys = combos[np.asarray(mask.blocked, dtype=bool)]
    out = np.zeros(n, dtype=bool)
    if blocked_keys.size:
        for a in range(0, n, block):
            b = min(a + block, n)
            out[a:b] = np.isin(pair_keys(a, b), blocked_keys)
    return out


def side_flags(sup: pd.DataFrame, dem: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per stream (0/1, int64): the supply is for disposal, the demand is for disposal (their
    ``treatment_route``), the demand is food-grade (``food_grade``)."""
    s_disp = _column(sup, "treatment_route", None) == "disposal"
    d_disp = _column(dem, "treatment_route", None) == "disposal"
    food = _column(dem, "food_grade", False).astype(bool)
    return s_disp.astype(np.int64), d_disp.astype(np.int64), food.astype(np.int64)


def pair_flags(sup: pd.DataFrame, dem: pd.DataFrame, si: np.ndarray,
               di: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pair: the shipment is for disposal (either stream's ``treatment_route`` is
    ``"disposal"``), and the receiver is food-grade (the demand's ``food_grade``)."""
    s_disp, d_disp, food = side_flags(sup, dem)
    return s_disp[si] | d_disp[di], food[di]


def _column(df: pd.DataFrame, name: str, default: object) -> np.ndarray:
    if name in df.columns:
        return df[name].to_numpy(object)
    return np.full(len(df), default, dtype=object)


def compliance_findings(ex: pd.DataFrame, sup: pd.DataFrame, dem: pd.DataFrame, si: np.ndarray,
              di: np.ndarray, max_exchanges: int = 20_000) -> pd.DataFrame:
    """Compliance findings per allocated exchange (:func:`symbioflows.compliance.check_exchange`:
    the rule, its source and what the parties must do); one check per distinct combination."""
    from symbioflows.compliance import check_exchange

    cols = list(FINDING_COLUMNS)
    n = min(len(ex), max_exchanges)
    if len(ex) > max_exchanges:
        log.warning("compliance findings listed for the first %d of %d exchanges",
                    max_exchanges, len(ex))
    if n == 0:
        return findings_frame()
    si_n, di_n = np.asarray(si[:n], np.int64), np.asarray(di[:n], np.int64)
    ewc = sup["ewc_code"].to_numpy(object)[si_n]
    cls = sup["material_class"].to_numpy(object)[si_n]
    e = np.array([v if isinstance(v, str) and v else None for v in ewc], dtype=object)
    c = np.array([v if isinstance(v, str) else None for v in cls], dtype=object)
    mat = sup["material"].to_numpy(object)[si_n]
    sc = np.array([v or None for v in sup["country"].to_numpy(object)[si_n]], dtype=object)
    dc = np.array([v or None for v in dem["country"].to_numpy(object)[di_n]], dtype=object)
    disposal, food = pair_flags(sup, dem, si_n, di_n)
    # one check per distinct (EWC, countries, class, material, route, food); rows fanned out
    codes = np.stack([pd.factorize(col, use_na_sentinel=False)[0]
                      for col in (e, sc, dc, c, mat, disposal, food)])
    _, first, key = np.unique(codes, axis=1, return_index=True, return_inverse=True)
    key = key.reshape(-1)
    per_key = [check_exchange(ewc_code=e[k], supplier_country=sc[k], receiver_country=dc[k],
                              material_class=c[k], material=mat[k],
                              treatment="disposal" if disposal[k] else "recovery",
                              receiver_food_grade=bool(food[k])).findings for k in first]
    n_f = np.array([len(f) for f in per_key], dtype=np.int64)
    flat = [f for fs in per_key for f in fs]
    if not flat:
        return findings_frame()
    offset = np.concatenate([[0], np.cumsum(n_f)[:-1]])
    reps = n_f[key]
    row = np.repeat(np.arange(n), reps)
    within = np.arange(row.size) - np.repeat(np.cumsum(reps) - reps, reps)
    fi = offset[key[row]] + within
    attrs = {a: np.array([getattr(f, a) for f in flat], dtype=object)[fi]
             for a in ("rule_id", "severity", "title", "action", "source")}
    return pd.DataFrame({"kind": np.full(row.size, "compliance", dtype=object),
                         "stream_id": np.full(row.size, None, dtype=object),
                         "supply_stream_id": ex["supply_stream_id"].to_numpy()[row],
                         "demand_stream_id": ex["demand_stream_id"].to_numpy()[row], **attrs},
                        columns=cols)
