"""Stage 4 of the plan: the quantities that maximise the objective under the capacities.

Input: the prepared supplies and demands (``qty`` in each stream's unit), the candidate pairs
and the candidates table (scores, features, ``compliance_blocked``).  Output: an
:class:`~symbioflows.matching.allocation.Allocation` (flows per pair, status, objective).
The value per unit of a pair is its ``surplus_usd_per_t`` (objective ``net_benefit``), that
surplus times the pair's choice probability (``expected_net_benefit``, :func:`choice_probabilities`),
its ``co2e_avoided_kg_per_t`` (``co2e``) or 1 (``landfill``); the choice probability counts
the learned model's outside alternative, "none of these candidates"
(:attr:`~symbioflows.matching.pair_model.PairScoreModel.outside`); a pair scoring below
``min_score``, blocked by a compliance rule, or joining streams of different units is worth 0
and never used.  The solvers live in :mod:`symbioflows.matching.allocation`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from symbioflows.matching.allocation import Allocation, allocate
from symbioflows.matching.candidates import CandidatePairs
from symbioflows.pipeline.prepare import findings_block, findings_frame

__all__ = ["OBJECTIVES", "DEFAULT_OBJECTIVE", "pair_values", "usable_pairs", "ChoiceSets",
           "choice_sets", "choice_probabilities", "allocation_stage", "unit_findings"]

#: What the allocation can maximise: USD of price-band surplus, that surplus weighted by the
#: probability that the pair is the supply's partner (:func:`choice_probabilities`), kg CO2e
#: avoided, or units diverted.
OBJECTIVES = ("net_benefit", "expected_net_benefit", "co2e", "landfill")
#: The objective of :func:`symbioflows.plan` unless told otherwise.
DEFAULT_OBJECTIVE = "expected_net_benefit"

_VALUE_COLUMN = {"net_benefit": "surplus_usd_per_t", "expected_net_benefit": "surplus_usd_per_t",
                 "co2e": "co2e_avoided_kg_per_t"}


def _unit_codes(sup: pd.DataFrame, dem: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """One integer code per unit over both sides (supplies' codes, demands' codes, the units);
    a missing unit is -1, which equals nothing, as NaN != NaN."""
    codes, names = pd.factorize(pd.concat([sup["unit"], dem["unit"]], ignore_index=True))
    return codes[: len(sup)], codes[len(sup):], names


def pair_values(cdf: pd.DataFrame, sup: pd.DataFrame, dem: pd.DataFrame, cand: CandidatePairs,
                *, objective: str, min_score: float, block: int = 1 << 22,
                choice: ChoiceSets | None = None, outside: float | None = None) -> np.ndarray:
    """Value per unit of each candidate pair for ``objective``; 0 where it may not be used.
    ``choice``: the pairs' :func:`choice_sets` when the caller has them (computed here when
    needed and not given, with the scoring model's ``outside`` utility).

    The pairs are read ``block`` at a time and the units compared by integer code, so the
    only arrays per pair are the result and the usable flag (:func:`usable_pairs`; gathering
    each pair's two unit strings took two object arrays of 8 bytes per pair)."""
    col = _VALUE_COLUMN.get(objective)
    value = cdf[col].to_numpy() if col is not None else None
    score = cdf["score"].to_numpy()
    if choice is None and objective == "expected_net_benefit":
        choice = choice_sets(cdf, sup, dem, cand, min_score=min_score, block=block,
                             outside=outside)
    ok = (choice.usable if choice is not None
          else usable_pairs(cdf, sup, dem, cand, min_score=min_score, block=block))
    n = len(cand)
    out = np.empty(n)
    for a in range(0, n, block):
        b = min(a + block, n)
        out[a:b] = np.where(ok[a:b], value[a:b] if value is not None else 1.0, 0.0)
        if objective == "expected_net_benefit" and choice is not None:
            out[a:b] *= choice.probability(score, cand.supply, slice(a, b))
    return out


@dataclass(frozen=True)
class ChoiceSets:
    """Each supply's choice set among its usable candidates (and the outside alternative when
    the scoring model has one): the usable flag per pair and, per supply, the largest utility
    and the sum of ``exp(utility - largest)`` (:func:`choice_sets`)."""

    usable: np.ndarray
    zmax: np.ndarray
    tot: np.ndarray

    def probability(self, score: np.ndarray, supply: np.ndarray,
                    rows: np.ndarray | slice) -> np.ndarray:
        """The choice probability of the pairs ``rows`` (positions or a slice; 0 where not
        usable)."""
        sc, su, ok = score[rows], supply[rows], self.usable[rows]
        out = np.zeros(sc.size)
        m = np.flatnonzero(ok)
        s = su[m]
        out[m] = np.exp(_logit(sc[m]) - self.zmax[s]) / self.tot[s]
        return out


def choice_sets(cdf: pd.DataFrame, sup: pd.DataFrame, dem: pd.DataFrame, cand: CandidatePairs,
                *, min_score: float, block: int = 1 << 22,
                outside: float | None = None) -> ChoiceSets:
    """The :class:`ChoiceSets` of the candidate pairs (:func:`usable_pairs`, then two passes of
    ``block`` pairs over the scores): what ``expected_net_benefit`` weighs by and what the
    exchanges table's ``choice_probability`` reads, whatever the objective.  ``outside``: the
    utility of the outside alternative of the model that scored
    (:attr:`~symbioflows.matching.pair_model.PairScoreModel.outside`; None: none)."""
    ok = usable_pairs(cdf, sup, dem, cand, min_score=min_score, block=block)
    zmax, tot = _softmax_parts(cdf["score"].to_numpy(), cand.supply, ok, len(sup), block,
                               outside)
    return ChoiceSets(ok, zmax, tot)


def usable_pairs(cdf: pd.DataFrame, sup: pd.DataFrame, dem: pd.DataFrame, cand: CandidatePairs,
                 *, min_score: float, block: int = 1 << 22) -> np.ndarray:
    """Whether the allocation may use each pair: scoring at least ``min_score``, not blocked by
    a compliance rule, both streams in one unit (a missing unit matches nothing)."""
    score = cdf["score"].to_numpy()
    blocked = cdf["compliance_blocked"].to_numpy(bool)
    s_unit, d_unit, _ = _unit_codes(sup, dem)
    n = len(cand)
    ok = np.empty(n, bool)
    for a in range(0, n, block):
        b = min(a + block, n)
        su = s_unit[cand.supply[a:b]]
        ok[a:b] = (score[a:b] >= min_score) & ~blocked[a:b] & (su == d_unit[cand.demand[a:b]]) \
            & (su >= 0)
    return ok


def choice_probabilities(score: np.ndarray, supply: np.ndarray, usable: np.ndarray,
                         n_supply: int, *, block: int = 1 << 22,
                         outside: float | None = None) -> np.ndarray:
    """The probability that each usable pair is its supply's partner among the supply's usable
    candidates: the softmax, per supply, of the score's logit ``log(s / (1 - s))``, which is
    ``bias + sum_f w_f x_f`` of the pair model, so that for a learned model it is the
    conditional logit's choice probability
    (:func:`symbioflows.matching.pair_model.conditional_logit`), over the candidates and,
    when ``outside`` is given, the outside alternative "none of these" of that utility
    (:func:`symbioflows.matching.pair_model.fit_outside_utility`): a supply's probabilities
    then sum to ``1 - P(outside)``, less where its candidates all score low.  0 for an
    unusable pair.  The
    pairs are read ``block`` at a time (per-supply maximum, then sum, then the ratio), so the
    only array per pair is the result (:func:`pair_values` multiplies its values in place, and
    the plan reads its exchanges' probabilities from the same :class:`ChoiceSets`).

    >>> choice_probabilities(np.array([0.5, 0.5, 0.9]), np.array([0, 0, 1]),
    ...                      np.array([True, True, True]), 2).tolist()
    [0.5, 0.5, 1.0]
    >>> choice_probabilities(np.array([0.5, 0.5]), np.array([0, 0]), np.array([True, True]), 1,
    ...                      outside=0.0).round(4).tolist()  # logits 0, 0 and the outside's 0
    [0.3333, 0.3333]
    """
    n = int(score.size)
    sets = ChoiceSets(usable, *_softmax_parts(score, supply, usable, n_supply, block, outside))
    out = np.zeros(n)
    for a in range(0, n, block):
        out[a:a + block] = sets.probability(score, supply, slice(a, a + block))
    return out


def _softmax_parts(score: np.ndarray, supply: np.ndarray, usable: np.ndarray, n_supply: int,
                   block: int, outside: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per supply: the largest utility of its usable pairs (and of the outside alternative,
    for a supply with a usable pair, when ``outside`` is given) and the sum of
    ``exp(utility - max)`` over them."""
    n = int(score.size)
    zmax = np.full(n_supply, -np.inf)
    for a in range(0, n, block):
        b = min(a + block, n)
        m = usable[a:b]
        np.maximum.at(zmax, supply[a:b][m], _logit(score[a:b][m]))
    tot = np.zeros(n_supply)
    if outside is not None:
        has = np.isfinite(zmax)
        zmax[has] = np.maximum(zmax[has], outside)
        tot[has] = np.exp(outside - zmax[has])
    for a in range(0, n, block):
        b = min(a + block, n)
        m = usable[a:b]
        s = supply[a:b][m]
        tot += np.bincount(s, weights=np.exp(_logit(score[a:b][m]) - zmax[s]),
                           minlength=n_supply)
    return zmax, tot


def _logit(s: np.ndarray) -> np.ndarray:
    """``log(s / (1 - s))``, the scores clipped to (1e-15, 1 - 1e-15) so that a score that
    rounded to 0 or 1 stays finite."""
    c = np.clip(s, 1e-15, 1.0 - 1e-15)
    return np.log(c) - np.log1p(-c)


def allocation_stage(sup: pd.DataFrame, dem: pd.DataFrame, cand: CandidatePairs,
                     value: np.ndarray, *, method: str) -> Allocation:
    """Solve the allocation (:func:`symbioflows.matching.allocate`) of ``value`` per unit over
    the candidate pairs, under the streams' quantities."""
    return allocate(sup["qty"].to_numpy(float), dem["qty"].to_numpy(float), cand.supply,
                    cand.demand, value, method=method)


def unit_findings(sup: pd.DataFrame, dem: pd.DataFrame, cand: CandidatePairs, *,
                  block: int = 1 << 22) -> pd.DataFrame:
    """One finding (kind ``"stream"``, rule ``UNIT-MISMATCH``) for each stream that has
    candidate partners but none measured in its own unit: the allocation cannot join a t with a
    MWh (:func:`pair_values` gives such pairs no value), so without this the stream would sit
    in the candidates table with no exchange and no word of why.  The pairs are read ``block``
    at a time, as in :func:`pair_values`."""
    s_unit, d_unit, names = _unit_codes(sup, dem)
    n = len(cand)
    n_s, ok_s = np.zeros(len(sup)), np.zeros(len(sup))
    n_d, ok_d = np.zeros(len(dem)), np.zeros(len(dem))
    for a in range(0, n, block):
        b = min(a + block, n)
        si, di = cand.supply[a:b], cand.demand[a:b]
        ok = (s_unit[si] == d_unit[di]) & (s_unit[si] >= 0)
        n_s += np.bincount(si, minlength=len(sup))
        ok_s += np.bincount(si, weights=ok, minlength=len(sup))
        n_d += np.bincount(di, minlength=len(dem))
        ok_d += np.bincount(di, weights=ok, minlength=len(dem))
    parts = []
    for side, tab, own, cnt, good, idx, other_idx, other in (
            ("supply", sup, s_unit, n_s, ok_s, cand.supply, cand.demand, d_unit),
            ("demand", dem, d_unit, n_d, ok_d, cand.demand, cand.supply, s_unit)):
        bad = np.flatnonzero((cnt > 0) & (good == 0))
        if not bad.size:
            continue
        partner = "demand" if side == "supply" else "supply"
        pick = np.isin(idx, bad)  # the few pairs of the flagged streams
        seen: dict[int, set[str]] = {}
        for i, j in zip(np.asarray(idx)[pick].tolist(), np.asarray(other_idx)[pick].tolist()):
            u = int(other[j])
            seen.setdefault(i, set()).add(str(names[u]) if u >= 0 else "no unit")
        titles = [f"its {int(cnt[i])} candidate {partner}(s) are measured in "
                  f"{', '.join(sorted(seen.get(i, set())))} and it in "
                  f"{names[own[i]] if own[i] >= 0 else 'no unit'}: no quantity can be "
                  "exchanged" for i in bad.tolist()]
        parts.append(findings_block(
            bad.size, kind="stream", stream_id=tab["stream_id"].to_numpy(object)[bad],
            rule_id="UNIT-MISMATCH", severity="warning", title=titles,
            action="give the quantity in the unit of the medium it is exchanged in (MWh for "
                   "heat and electricity, m3 for water, t for materials and steam)",
            source="symbioflows.pipeline.allocation"))
    return pd.concat(parts, ignore_index=True) if parts else findings_frame()
