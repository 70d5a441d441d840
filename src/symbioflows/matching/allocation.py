# Why one module of ~800 lines: the exact solvers (min-cost flow with its network layout and
# optional column generation, the LP) and the greedy baseline share input checks, the integer
# grid and the Allocation result; the layout helpers only serve the min-cost-flow solver.
"""Optimal allocation of supply tonnes to demands over candidate pairs.

Given supplies with limited tonnes, demands with limited need and candidate pairs with a value
per tonne (net benefit in USD, CO2e avoided in kg, or 1 for "tonnes diverted from landfill"),
choose the flows that maximise the total value subject to both capacities.  Two exact solvers
(OR-tools min-cost flow on an integer-scaled network, or the GLOP linear program) and a greedy
baseline.  "Infeasible", "time limit" and solver failures are statuses in the result, never
exceptions; flows are only read after an ``optimal`` status.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
import numpy.typing as npt

from symbioflows._optional import import_optional
from symbioflows._validation import as_float_array, as_index_array
from symbioflows.errors import InvalidInputError, ResourceLimitError

__all__ = ["Allocation", "allocate", "allocate_greedy", "METHODS"]

log = logging.getLogger(__name__)

METHODS = ("min_cost_flow", "lp", "greedy")

#: Largest number of integer quantity units in the scaled min-cost-flow network (2^31), and the
#: largest integer unit cost (2^20); their product bounds the objective by 2^51, well inside
#: the 2^62 that OR-tools' int64 arithmetic tolerates.
_MAX_QTY_UNITS = float(2**31)
_MAX_COST_UNITS = float(2**20)
_INT64_SAFE = float(2**62)


@dataclass
class Allocation:
    """Result of an allocation.

    Attributes
    ----------
    status : str
        ``"optimal"`` (proved by the solver), ``"heuristic"`` (greedy baseline, no proof),
        ``"time_limit"``, ``"infeasible"``, ``"not_solved"`` or ``"error"``.
    objective : float
        Total value of the flows (sum of ``value_per_t * flow_t``), NaN when no flows were read.
    flows_t : ndarray of float64
        Tonnes per candidate pair (same order as the input pairs); all zeros unless the status
        is ``optimal`` or ``heuristic``.
    method : str
        ``"min_cost_flow"``, ``"lp"`` or ``"greedy"``.
    solve_time_s : float
        Wall time of the solver call.
    message : str
        Human-readable detail (solver status name, scaling used).
    scaling : dict
        For ``min_cost_flow``: ``quantity_unit_t`` and ``value_unit`` (the integer grid used),
        and ``max_rounding_loss`` (an upper bound on objective lost to the rounding).
    stats : dict
        For ``min_cost_flow`` with ``price_arcs``: ``pricing_rounds`` (restricted solves),
        ``arcs_kept`` (pairs in the final restricted network), ``arcs_total`` (pairs with
        value > 0), and the wall seconds ``solve_s``, ``potentials_s`` and ``pricing_s`` spent
        in the restricted solves, the potentials and the pricing; empty otherwise.
    """

    status: str
    objective: float
    flows_t: npt.NDArray[np.float64]
    method: str
    solve_time_s: float = 0.0
    message: str = ""
    scaling: dict[str, float] = field(default_factory=dict)
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def optimal(self) -> bool:
        """True only when the solver proved optimality (never for greedy or time limits)."""
        return self.status == "optimal"

    @property
    def has_flows(self) -> bool:
        """True when :attr:`flows_t` holds a solution (optimal or heuristic)."""
        return self.status in ("optimal", "heuristic")

    def __repr__(self) -> str:
        n = int(np.count_nonzero(self.flows_t))
        return (
            f"Allocation(status={self.status!r}, method={self.method!r}, "
            f"objective={self.objective:.6g}, pairs_used={n}/{self.flows_t.size})"
        )


def _check_inputs(
    supply_capacity_t: Any,
    demand_capacity_t: Any,
    pair_supply: Any,
    pair_demand: Any,
    value_per_t: Any,
    pair_capacity_t: Any | None,
) -> tuple[np.ndarray, ...]:
    s_cap = as_float_array(supply_capacity_t, "supply_capacity_t")
    d_cap = as_float_array(demand_capacity_t, "demand_capacity_t")
    for name, arr in (("supply_capacity_t", s_cap), ("demand_capacity_t", d_cap)):
        bad = np.flatnonzero(arr < 0)
        if bad.size:
            k = int(bad[0])
            raise InvalidInputError(
                f"{name}[{k}] = {arr[k]!r} is negative; capacities are tonnes >= 0"
            )
    for name, arr in (("supply_capacity_t", s_cap), ("demand_capacity_t", d_cap)):
        if not np.isfinite(arr.sum()):
            raise InvalidInputError(
                f"{name}: the capacities add up to more than a float can hold "
                f"(largest {arr.max()!r}); pass tonnes per year of a physical size"
            )
    ps = as_index_array(pair_supply, "pair_supply", n=s_cap.size)
    pd_ = as_index_array(pair_demand, "pair_demand", n=d_cap.size)
    val = as_float_array(value_per_t, "value_per_t")
    if not (ps.size == pd_.size == val.size):
        raise InvalidInputError(
            f"pair_supply, pair_demand and value_per_t must have the same length; got "
            f"{ps.size}, {pd_.size} and {val.size}"
        )
    if pair_capacity_t is None:
        # read-only 0-stride view: inf for every pair without storing 8 bytes per pair
        pcap = np.broadcast_to(np.inf, ps.shape)
    else:
        pcap = as_float_array(pair_capacity_t, "pair_capacity_t", finite=False)
        if pcap.size != ps.size or np.isnan(pcap).any() or (pcap < 0).any():
            raise InvalidInputError(
                "pair_capacity_t must have one non-negative value (inf allowed) per pair"
            )
    return s_cap, d_cap, ps, pd_, val, pcap


def allocate_greedy(
    supply_capacity_t: Any,
    demand_capacity_t: Any,
    pair_supply: Any,
    pair_demand: Any,
    value_per_t: Any,
    *,
    pair_capacity_t: Any | None = None,
) -> Allocation:
    """Greedy baseline: take pairs by value per tonne (descending, ties by pair index) and ship
    as much as both sides still allow.  Pairs with value <= 0 are never used.

    Examples
    --------
    >>> a = allocate_greedy([10.0], [6.0, 6.0], [0, 0], [0, 1], [3.0, 2.0])
    >>> a.flows_t.tolist(), a.objective, a.status
    ([6.0, 4.0], 26.0, 'heuristic')
    """
    s_cap, d_cap, ps, pd_, val, pcap = _check_inputs(
        supply_capacity_t, demand_capacity_t, pair_supply, pair_demand, value_per_t,
        pair_capacity_t,
    )
    t0 = time.perf_counter()
    flows = np.zeros(ps.size)
    s_left = s_cap.copy()
    d_left = d_cap.copy()
    order = np.lexsort((np.arange(ps.size), -val))
    for k in order:
        if val[k] <= 0:
            break
        q = min(s_left[ps[k]], d_left[pd_[k]], pcap[k])
        if q > 0:
            flows[k] = q
            s_left[ps[k]] -= q
            d_left[pd_[k]] -= q
    obj = float(np.dot(val, flows))
    return Allocation(
        "heuristic", obj, flows, "greedy", time.perf_counter() - t0, "greedy by value per tonne"
    )


def allocate(
    supply_capacity_t: Any,
    demand_capacity_t: Any,
    pair_supply: Any,
    pair_demand: Any,
    value_per_t: Any,
    *,
    pair_capacity_t: Any | None = None,
    method: str = "min_cost_flow",
    quantity_unit_t: float | None = None,
    time_limit_s: float | None = None,
    price_arcs: int | None = None,
) -> Allocation:
    """Maximise ``sum(value_per_t * flow)`` subject to supply and demand capacities.

    Parameters
    ----------
    supply_capacity_t, demand_capacity_t : array-like of float, shape (n_supply,), (n_demand,)
        Tonnes per year available / needed (>= 0).
    pair_supply, pair_demand : array-like of int, shape (n_pairs,)
        The candidate pairs, as indices into the two capacity arrays.
    value_per_t : array-like of float, shape (n_pairs,)
        Value of one tonne on each pair (USD net benefit, kg CO2e avoided, 1 for landfill
        diverted...).  Pairs with value <= 0 are never used (shipping nothing is allowed).
    pair_capacity_t : array-like of float, optional
        Upper bound per pair (inf = none), e.g. a pipeline's capacity.
    method : {"min_cost_flow", "lp", "greedy"}
        ``min_cost_flow``: OR-tools ``SimpleMinCostFlow`` on an integer-scaled network (fast,
        exact on the grid, see Notes).  ``lp``: OR-tools GLOP on the continuous linear program
        (exact in floating point; honours ``time_limit_s``).  ``greedy``: the baseline.
    quantity_unit_t : float, optional
        Tonnes per integer unit for ``min_cost_flow``.  Default: 0.001 t (1 kg), coarsened
        so the total supply fits in 2^31 units.
    time_limit_s : float, optional
        Time limit for ``lp``.  A solve stopped by it reports ``status="time_limit"`` and no
        flows, never ``optimal``.
    price_arcs : int, optional
        ``min_cost_flow`` only: exact sparsification (column generation).  Solve on each
        supply's and each demand's ``price_arcs`` best pairs, compute node potentials from that
        optimum (shortest paths in its residual network), price every left-out pair, add up to
        ``price_arcs`` of the most negative reduced costs per node, and repeat until no pair
        prices out negative.  That is an optimality certificate for the whole network: the same
        optimum on the same integer grid as the default full solve.  Off by default: on the
        generated regions of ``benchmarks/bench_allocation.py`` it is slower than the full
        solve (docs/benchmarks.md), because the optimal flows use pairs deep in each node's
        list; it can pay off where the optimum uses mostly each node's best few pairs.

    Returns
    -------
    Allocation

    Raises
    ------
    InvalidInputError
        NaN/inf value or capacity, negative capacity, ids out of range, unknown method.
    ResourceLimitError
        When the scaled costs could overflow int64 (cannot happen with the default scaling).

    Notes
    -----
    Min-cost-flow network: supply i holds ``s_i`` units, arcs supply i -> demand j (cost
    ``-round(v_ij / value_unit)``, capacity ``min(p_ij, s_i, d_j)``), demand j -> sink (capacity
    ``d_j``), plus a zero-cost bypass supply i -> sink so that shipping nothing is allowed.
    (Solved per connected component of the pair graph; this layout, without a common source
    node, solves about 1.7x faster with OR-tools' cost scaling than source -> supply arcs.  The
    nodes are numbered in reverse Cuthill-McKee order and the sink is split into a zero-cost
    two-level tree, both exact, for memory locality.)  Quantities are
    rounded down to multiples of ``quantity_unit_t``; ``value_unit = max|v| / 2^20``.  Hence
    every integer cost is at most 2^20 and the total flow at most 2^31 units, so the objective
    is bounded by 2^51 < 2^62 (checked).  The solution is optimal on that grid; the loss
    against the continuous optimum is at most ``scaling["max_rounding_loss"]``.  Complexity:
    OR-tools' cost-scaling push-relabel; measured 14.6x the CPU time for 8.8x the pairs from
    100k to 1M generated streams (the largest component grows as fast as the region).

    Examples
    --------
    >>> a = allocate([10.0], [6.0, 6.0], [0, 0], [0, 1], [3.0, 2.0])
    >>> a.status, round(a.objective, 6), a.flows_t.round(6).tolist()
    ('optimal', 26.0, [6.0, 4.0])
    """
    if method not in METHODS:
        raise InvalidInputError(f"method={method!r} is unknown; choose one of {METHODS}")
    if price_arcs is not None:
        if isinstance(price_arcs, bool) or not isinstance(price_arcs, (int, np.integer)) \
                or price_arcs < 1:
            raise InvalidInputError(
                f"price_arcs must be a positive integer (pairs per node) or None; got "
                f"{price_arcs!r}; pass e.g. price_arcs=4, or None for the full solve")
        if method != "min_cost_flow":
            raise InvalidInputError(
                f"price_arcs applies to method='min_cost_flow' only; got method={method!r}; "
                f"drop price_arcs or use method='min_cost_flow'")
    if method == "greedy":
        return allocate_greedy(
            supply_capacity_t, demand_capacity_t, pair_supply, pair_demand, value_per_t,
            pair_capacity_t=pair_capacity_t,
        )
    s_cap, d_cap, ps, pd_, val, pcap = _check_inputs(
        supply_capacity_t, demand_capacity_t, pair_supply, pair_demand, value_per_t,
        pair_capacity_t,
    )
    if time_limit_s is not None and not (np.isfinite(time_limit_s) and time_limit_s > 0):
        raise InvalidInputError(f"time_limit_s must be a positive number; got {time_limit_s!r}")
    from symbioflows._optional import has_module

    if not has_module("ortools"):
        # The base install has scipy: solve the same LP with HiGHS rather than fail.
        from symbioflows._optional import install_hint

        log.warning("OR-tools is not installed (%s); solving the allocation LP with scipy's "
                    "HiGHS instead", install_hint("core"))
        return _solve_highs(s_cap, d_cap, ps, pd_, val, pcap, time_limit_s)
    if method == "lp":
        return _solve_lp(s_cap, d_cap, ps, pd_, val, pcap, time_limit_s)
    return _solve_mcf(s_cap, d_cap, ps, pd_, val, pcap, quantity_unit_t,
                      None if price_arcs is None else int(price_arcs))


def _solve_highs(
    s_cap: np.ndarray,
    d_cap: np.ndarray,
    ps: np.ndarray,
    pd_: np.ndarray,
    val: np.ndarray,
    pcap: np.ndarray,
    time_limit_s: float | None,
) -> Allocation:
    """The allocation LP with :func:`scipy.optimize.linprog` (HiGHS), sparse constraints."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    t0 = time.perf_counter()
    n_pairs = ps.size
    vmax, idx = _valued_pairs(val)
    if idx.size == 0:
        return Allocation("optimal", 0.0, np.zeros(n_pairs), "lp_highs", 0.0,
                          "no pair has positive value")
    m = idx.size
    rows = np.concatenate([ps[idx], s_cap.size + pd_[idx]])
    cols = np.concatenate([np.arange(m), np.arange(m)])
    a = coo_matrix((np.ones(2 * m), (rows, cols)), shape=(s_cap.size + d_cap.size, m)).tocsr()
    bounds = np.column_stack([np.zeros(m), np.where(np.isinf(pcap[idx]), np.inf, pcap[idx])])
    opts = {"time_limit": float(time_limit_s)} if time_limit_s is not None else {}
    res = linprog(-val[idx] / vmax, A_ub=a, b_ub=np.concatenate([s_cap, d_cap]),
                  bounds=bounds, method="highs", options=opts)
    elapsed = time.perf_counter() - t0
    if res.status != 0:
        st = {1: "time_limit", 2: "infeasible", 3: "error"}.get(int(res.status), "error")
        return _empty(n_pairs, "lp_highs", st, f"HiGHS: {res.message}", elapsed)
    flows = np.zeros(n_pairs)
    flows[idx] = np.maximum(res.x, 0.0)
    flows = _clip_to_capacity(flows, s_cap, d_cap, ps, pd_)
    return Allocation("optimal", float(np.dot(val, flows)), flows, "lp_highs", elapsed,
                      "HiGHS OPTIMAL (OR-tools not installed)")


def _valued_pairs(val: np.ndarray) -> tuple[float, np.ndarray]:
    """The largest value and the pairs the LP solvers consider: values above 1e-12 of the
    largest (smaller ones are treated as 0, so the scaled objective stays well conditioned)."""
    vmax = float(val.max(initial=0.0))
    idx = np.flatnonzero(val > 1e-12 * vmax) if vmax > 0 else np.zeros(0, np.int64)
    return vmax, idx


def _empty(n: int, method: str, status: str, message: str, t: float) -> Allocation:
    return Allocation(status, float("nan"), np.zeros(n), method, t, message)


def _solve_mcf(
    s_cap: np.ndarray,
    d_cap: np.ndarray,
    ps: np.ndarray,
    pd_: np.ndarray,
    val: np.ndarray,
    pcap: np.ndarray,
    quantity_unit_t: float | None,
    price_arcs: int | None = None,
) -> Allocation:
    mcf_mod = import_optional("ortools.graph.python.min_cost_flow", "core",
                              purpose="min-cost-flow allocation")
    t0 = time.perf_counter()
    n_pairs = ps.size
    use = val > 0
    total = float(s_cap.sum())
    if quantity_unit_t is None:
        unit = max(1e-3, total / _MAX_QTY_UNITS)
    else:
        unit = float(quantity_unit_t)
        if not (np.isfinite(unit) and unit > 0):
            raise InvalidInputError(f"quantity_unit_t must be > 0; got {quantity_unit_t!r}")
    if not use.any() or total <= 0 or float(d_cap.sum()) <= 0:
        return Allocation("optimal", 0.0, np.zeros(n_pairs), "min_cost_flow",
                          time.perf_counter() - t0, "no pair has positive value or capacity",
                          {"quantity_unit_t": unit, "value_unit": 1.0, "max_rounding_loss": 0.0})
    vmax = float(val.max())  # the largest positive value (some value is > 0)
    value_unit = vmax / _MAX_COST_UNITS
    s_units = np.floor(s_cap / unit + 1e-9).astype(np.int64)
    d_units = np.floor(d_cap / unit + 1e-9).astype(np.int64)
    tot_units = int(s_units.sum())
    # The arrays per valued pair are 4 bytes each where the counts allow (node and pair counts
    # below 2^31; unit costs lie in [-2^20, 0]): at 1M free-text streams (~19.6M valued pairs)
    # the 64-bit ones held 0.58 GiB through the solve, these half of it.
    idx = _narrow(np.flatnonzero(use), n_pairs)
    finite_pcap = bool(np.isfinite(pcap).any())
    del use
    c = val[idx]
    c /= value_unit
    np.rint(c, out=c)
    np.negative(c, out=c)
    costs = c.astype(np.int32)  # |cost| <= 2^20 (value_unit = vmax / 2^20)
    del c
    bound = float(-int(costs.min(initial=0))) * float(tot_units)
    if bound >= _INT64_SAFE:
        raise ResourceLimitError(
            f"scaled objective bound {bound:.3g} (max unit cost x {tot_units} quantity units "
            f"of {unit} t) exceeds 2^62; pass a larger quantity_unit_t"
        )
    ns, nd = s_cap.size, d_cap.size
    scaling = {
        "quantity_unit_t": unit,
        "value_unit": value_unit,
        # Rounding each capacity down loses at most one unit on each of the (ns + nd) capacity
        # arcs, worth at most vmax each; cost rounding loses at most value_unit/2 per unit.
        "max_rounding_loss": unit * vmax * (ns + nd + n_pairs) + 0.5 * value_unit * total,
    }
    grid = _Grid(s_units, d_units, _narrow(ps[idx], ns + nd), _narrow(pd_[idx], ns + nd), costs,
                 pcap[idx] if finite_pcap else None, total, unit)
    del costs
    stats: dict[str, float] = {}
    if price_arcs is None:
        f_units, status = _solve_grid(mcf_mod, grid, None)
        message = "SimpleMinCostFlow OPTIMAL on the integer grid (per connected component)"
    else:
        f_units, status, stats = _solve_priced(mcf_mod, grid, price_arcs)
        message = (f"SimpleMinCostFlow OPTIMAL on the integer grid, priced: "
                   f"{int(stats['arcs_kept'])} of {int(stats['arcs_total'])} pairs after "
                   f"{int(stats['pricing_rounds'])} restricted solves")
    if status != "optimal":
        res = _empty(n_pairs, "min_cost_flow", status, f"SimpleMinCostFlow status {status}",
                     time.perf_counter() - t0)
        res.scaling = scaling
        return res
    del grid
    f_t = f_units.astype(np.float64)
    del f_units
    f_t *= unit
    flows = np.zeros(n_pairs)
    flows[idx] = f_t
    del f_t, idx
    elapsed = time.perf_counter() - t0
    return Allocation("optimal", float(np.dot(val, flows)), flows, "min_cost_flow", elapsed,
                      message, scaling, stats)


def _narrow(a: np.ndarray, bound: int) -> np.ndarray:
    """``a`` (non-negative ints below ``bound``) as int32 when ``bound`` fits, else int64
    (node ids are narrowed by the node count, so ``ns + demand id`` stays in range)."""
    return a.astype(np.int32 if bound < 2**31 else np.int64, copy=False)


@dataclass
class _Grid:
    """The integer min-cost-flow network of one allocation: node capacities in quantity units,
    and per pair with value > 0 its supply, demand and (negative) integer unit cost."""

    s_units: np.ndarray
    d_units: np.ndarray
    ps: np.ndarray
    pd: np.ndarray
    costs: np.ndarray
    pcap: np.ndarray | None  # the pairs' own capacities in tonnes, None when all are inf
    total_t: float
    unit: float

    def caps(self, sel: np.ndarray) -> np.ndarray:
        """Integer capacity of the pairs ``sel``: never more than either end holds (tighter
        arcs, same optimum), nor than the pair's own capacity."""
        cap = np.minimum(self.s_units[self.ps[sel]], self.d_units[self.pd[sel]])
        if self.pcap is not None:
            pc = self.pcap[sel]
            lim = np.floor(np.minimum(pc, self.total_t) / self.unit + 1e-9)
            cap = np.where(np.isinf(pc), cap, np.minimum(cap, lim)).astype(np.int64)
        return cap


def _solve_grid(mcf_mod: Any, grid: _Grid, arcs_sel: np.ndarray | None) -> tuple[np.ndarray, str]:
    """Optimal integer flows of the network restricted to the pairs ``arcs_sel`` (indices into
    the grid's pairs; None: all of them), one OR-tools solve per batch of connected components.
    Returns (flow units per selected pair, status); the flows are only valid with status
    ``optimal``."""
    ns, nd = grid.s_units.size, grid.d_units.size
    s_units, d_units = grid.s_units, grid.d_units
    m = grid.ps.size if arcs_sel is None else arcs_sel.size
    f_out = np.zeros(m, np.int64)
    batches = (_component_batches(grid.ps, grid.pd, ns, nd) if arcs_sel is None
               else _component_batches(grid.ps[arcs_sel], grid.pd[arcs_sel], ns, nd))
    for batch in batches:
        sel = batch if arcs_sel is None else arcs_sel[batch]
        su, sinv = _local_ids(grid.ps[sel], ns)
        du, dinv = _local_ids(grid.pd[sel], nd)
        bs, bd = su.size, du.size
        b_tot = int(s_units[su].sum())
        # Supply i holds its units as node supply; each may ship to its demands or, at no
        # value, straight to the sink (the "ship nothing" bypass), so the network is always
        # balanced.  Node ids in a bandwidth-reducing order (see _locality_order) and a
        # two-level sink (see _sink_tree): same network up to renumbering and zero-cost
        # splitting, hence the same optimal cost; 1.38x less CPU for the whole allocation at
        # 1M streams.
        if _LOCALITY:
            sid, did = _locality_order(sinv, dinv, bs, bd)
        else:  # the input order, one sink (kept for benchmarks/bench_allocation.py)
            sid, did = np.arange(bs, dtype=np.int32), np.arange(bs, bs + bd, dtype=np.int32)
        loc_sink, sink_t, sink_h, n_nodes, sink = _sink_tree(
            bs + bd, _SINK_FANIN if _LOCALITY else bs + bd)
        tails = np.concatenate([sid[sinv], did, sid, sink_t])
        heads = np.concatenate([did[dinv], loc_sink[did], loc_sink[sid], sink_h])
        caps = np.concatenate([grid.caps(sel), d_units[du], s_units[su],
                               np.full(sink_t.size, b_tot, np.int64)])
        unit_costs = np.concatenate([grid.costs[sel],
                                     np.zeros(bd + bs + sink_t.size, np.int64)])
        del sinv, dinv
        smcf = mcf_mod.SimpleMinCostFlow()
        arcs = smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, unit_costs)
        del tails, heads, caps, unit_costs
        supplies = np.zeros(n_nodes, np.int64)
        supplies[sid] = s_units[su]
        supplies[sink] = -b_tot
        smcf.set_nodes_supplies(np.arange(n_nodes, dtype=np.int32), supplies)
        del sid, did, loc_sink
        status = smcf.solve()
        if status != smcf.OPTIMAL:
            names = {smcf.INFEASIBLE: "infeasible", smcf.UNBALANCED: "infeasible",
                     smcf.NOT_SOLVED: "not_solved"}
            log.warning("min-cost flow ended with status %s", status)
            return f_out, names.get(status, "error")
        # Only read flows after an OPTIMAL status (reading them otherwise can crash OR-tools).
        f_out[batch] = smcf.flows(arcs[: sel.size])
    return f_out, "optimal"


def _best_per_node(keys: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` smallest ``score`` values of each key (ties by position)."""
    order = np.lexsort((np.arange(keys.size), score, keys))
    ks = keys[order]
    rank = np.arange(ks.size) - np.searchsorted(ks, ks, side="left")
    return order[rank < k]


def _solve_priced(mcf_mod: Any, grid: _Grid,
                  k: int) -> tuple[np.ndarray, str, dict[str, float]]:
    """Exact sparsification of :func:`_solve_grid` over all pairs (column generation).

    Start from each supply's and each demand's ``k`` cheapest pairs (largest value); solve;
    take node potentials ``pi`` from that optimum (:func:`_residual_potentials`: every arc of
    the restricted residual network has reduced cost ``c + pi[tail] - pi[head] >= 0``); a
    left-out pair with spare capacity and a negative reduced cost could improve the flow, so up
    to ``k`` of the most negative per supply and per demand join the restricted set, and again
    until none is left.  Then every residual arc of the whole network has a non-negative
    reduced cost: the flow is optimal for the whole network (reduced-cost optimality), on the
    same integer grid as the full solve.  Terminates: the set grows each round."""
    m = grid.costs.size
    ns = grid.s_units.size
    in_r = np.zeros(m, bool)
    in_r[_best_per_node(grid.ps, grid.costs, k)] = True
    in_r[_best_per_node(grid.pd, grid.costs, k)] = True
    cap = grid.caps(np.arange(m))
    rounds = 0
    # wall seconds in the restricted solves, the potentials and the pricing (for benchmarks)
    t_solve = t_pot = t_price = 0.0
    while True:
        rounds += 1
        sel = np.flatnonzero(in_r)
        t0 = time.perf_counter()
        f_sel, status = _solve_grid(mcf_mod, grid, sel)
        t1 = time.perf_counter()
        t_solve += t1 - t0
        stats = {"pricing_rounds": float(rounds), "arcs_kept": float(sel.size),
                 "arcs_total": float(m), "solve_s": t_solve, "potentials_s": t_pot,
                 "pricing_s": t_price}
        if status != "optimal":
            return np.zeros(m, np.int64), status, stats
        pi = _residual_potentials(grid.ps[sel], grid.pd[sel], grid.costs[sel], cap[sel], f_sel,
                                  grid.s_units, grid.d_units)
        t2 = time.perf_counter()
        t_pot += t2 - t1
        stats["potentials_s"] = t_pot
        if pi is None:  # pragma: no cover - an optimal flow has no negative residual cycle
            log.error("negative cycle in the residual network of an OPTIMAL restricted flow")
            return np.zeros(m, np.int64), "error", stats
        rc = grid.costs + pi[grid.ps] - pi[ns + grid.pd]
        viol = np.flatnonzero((rc < 0) & (cap > 0) & ~in_r)
        log.debug("pricing round %d: %d of %d pairs, %d price out negative", rounds, sel.size,
                  m, viol.size)
        if viol.size == 0:
            t_price += time.perf_counter() - t2
            stats["pricing_s"] = t_price
            f = np.zeros(m, np.int64)
            f[sel] = f_sel
            return f, "optimal", stats
        rcv = rc[viol]
        del rc
        in_r[viol[_best_per_node(grid.ps[viol], rcv, k)]] = True
        in_r[viol[_best_per_node(grid.pd[viol], rcv, k)]] = True
        t_price += time.perf_counter() - t2


def _residual_potentials(ps: np.ndarray, pd_: np.ndarray, costs: np.ndarray, caps: np.ndarray,
                         f: np.ndarray, s_units: np.ndarray,
                         d_units: np.ndarray) -> np.ndarray | None:
    """Node potentials of a flow on the pairs ``(ps, pd_)`` (unit costs, capacities, flows) in
    the allocation network: supplies ``0..ns-1``, demands ``ns..ns+nd-1``, one sink ``ns+nd``
    (the per-batch sinks of :func:`_solve_grid` merged: no cycle runs through two components,
    and the sink tree's zero-cost arcs never bind).

    ``pi`` is the shortest-path distance from a virtual root with a zero-cost arc to every
    node in the residual network (pair arcs forward with spare capacity at cost ``c``, backward
    with flow at ``-c``; demand -> sink and supply -> sink bypass arcs the same at cost 0), by
    Bellman-Ford relaxing only the arcs out of the nodes improved in the last pass (numpy, one
    vectorised pass per arc-count of the shortest paths).  Then every residual arc ``u -> v``
    has ``c + pi[u] - pi[v] >= 0``.  None when the residual network has a negative cycle (the
    flow is not optimal), detected by a pass count above the number of nodes."""
    ns, nd = s_units.size, d_units.size
    n = ns + nd + 1
    sink = ns + nd
    out = np.rint(np.bincount(ps, weights=f, minlength=ns)).astype(np.int64)
    inn = np.rint(np.bincount(pd_, weights=f, minlength=nd)).astype(np.int64)
    fw, bw = f < caps, f > 0
    d_free, d_used = np.flatnonzero(inn < d_units), np.flatnonzero(inn > 0)
    s_ships, s_keeps = np.flatnonzero(out > 0), np.flatnonzero(out < s_units)
    tails = np.concatenate([ps[fw], ns + pd_[bw], ns + d_free, np.full(d_used.size, sink),
                            s_ships, np.full(s_keeps.size, sink)])
    heads = np.concatenate([ns + pd_[fw], ps[bw], np.full(d_free.size, sink), ns + d_used,
                            np.full(s_ships.size, sink), s_keeps])
    w = np.concatenate([costs[fw], -costs[bw],
                        np.zeros(d_free.size + d_used.size + s_ships.size + s_keeps.size,
                                 np.int64)])
    del fw, bw, d_free, d_used, s_ships, s_keeps
    order = np.argsort(tails, kind="stable")
    tails, heads, w = tails[order], heads[order], w[order]
    del order
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(tails, minlength=n), out=indptr[1:])
    dist = np.zeros(n, np.int64)
    active = np.arange(n)
    for _ in range(n + 1):
        start, cnt = indptr[active], indptr[active + 1] - indptr[active]
        tot = int(cnt.sum())
        if tot == 0:
            return dist
        # the arcs out of the active nodes, without a Python loop
        pos = np.repeat(start - np.cumsum(cnt) + cnt, cnt) + np.arange(tot)
        h = heads[pos]
        cand = dist[tails[pos]] + w[pos]
        better = cand < dist[h]
        if not better.any():
            return dist
        np.minimum.at(dist, h[better], cand[better])
        active = np.unique(h[better])
    return None


def _locality_order(sinv: np.ndarray, dinv: np.ndarray, bs: int,
                    bd: int) -> tuple[np.ndarray, np.ndarray]:
    """New node ids (``0..bs+bd-1``) for the ``bs`` supplies and ``bd`` demands of one batch,
    in reverse Cuthill-McKee order of the supply-demand graph: nodes joined by a pair get
    close ids, so the push-relabel solver's scans over a node's arcs and its neighbours' data
    stay in cache.  Input ids (row order of the caller's tables) carry no locality; with it
    and :func:`_sink_tree` the whole allocation of a 1M-stream region takes 73 instead of 101
    CPU seconds (``benchmarks/bench_allocation.py``, docs/benchmarks.md).  A pure
    renumbering: the optimum is unchanged."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import reverse_cuthill_mckee

    n = bs + bd
    rows = np.concatenate([sinv, bs + dinv]).astype(np.int32)
    cols = np.concatenate([bs + dinv, sinv]).astype(np.int32)
    g = csr_matrix((np.ones(rows.size, np.int8), (rows, cols)), shape=(n, n))
    del rows, cols
    g.sum_duplicates()  # sorted column indices: the order does not depend on the pair order
    perm = reverse_cuthill_mckee(g, symmetric_mode=True)
    del g
    rank = np.empty(n, np.int32)
    rank[perm] = np.arange(n, dtype=np.int32)
    return rank[:bs], rank[bs:]


#: Nodes per local sink in :func:`_sink_tree` (256: about 10 % less CPU than one sink on the
#: 2.6M-arc largest component of a 300k-stream region in ad-hoc runs; 64-4096 were within the
#: noise of each other on the shared machine).
_SINK_FANIN = 256
#: Renumber nodes (:func:`_locality_order`) and split the sink (:func:`_sink_tree`); False
#: restores the earlier layout (input order, one sink) for the before/after benchmark.
_LOCALITY = True


def _set_locality(on: bool) -> bool:
    """Switch :data:`_LOCALITY` (False: the earlier layout, for before/after studies); returns
    the previous setting."""
    global _LOCALITY
    old, _LOCALITY = _LOCALITY, bool(on)
    return old


def _sink_tree(n: int, fanin: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """A two-level sink for a batch of ``n`` nodes numbered by :func:`_locality_order`: node
    ``k`` drains (bypass or demand arc) into local sink ``n + k // fanin``, and every
    local sink into the global sink through a zero-cost arc that can carry the whole batch.
    Any flow of the one-sink network maps to a flow of the same cost here and back (the tree
    arcs cost nothing and never bind), so the optimum is the same; it avoids one node of degree
    ``n`` (about 270k on the 1M-stream giant component) whose scans and relabels cost O(n).

    Returns (local sink per node id, tree arc tails, tree arc heads, number of nodes, global
    sink id).  With ``n <= fanin`` there is one sink and no tree arc."""
    k = -(-n // fanin)
    if k <= 1:
        loc = np.full(n, n, np.int32)
        empty = np.zeros(0, np.int32)
        return loc, empty, empty, n + 1, n
    loc = (n + np.arange(n, dtype=np.int64) // fanin).astype(np.int32)
    sink = n + k
    tails = np.arange(n, n + k, dtype=np.int32)
    heads = np.full(k, sink, np.int32)
    return loc, tails, heads, sink + 1, sink


def _component_batches(ps: np.ndarray, pd_: np.ndarray, ns: int, nd: int,
                       min_arcs: int = 50_000) -> list[np.ndarray]:
    """Pair indices grouped by connected component of the supply-demand graph, small
    components packed together up to ``min_arcs`` pairs.  The optimum of a disjoint union is
    the union of the optima, and smaller networks solve much faster."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    m = ps.size
    if m == 0:
        return []
    g = coo_matrix((np.ones(m), (ps, ns + pd_)), shape=(ns + nd, ns + nd))
    _, labels = connected_components(g, directed=False)
    comp = labels[ps]
    del g, labels
    # pack components (in label order) into batches of >= min_arcs pairs, then one stable
    # counting sort of the pairs by batch: pair indices stay increasing within each batch
    sizes = np.bincount(comp)
    batch_of = np.zeros(sizes.size, np.int64)
    b, acc = 0, 0
    for c in np.flatnonzero(sizes).tolist():
        batch_of[c] = b
        acc += int(sizes[c])
        if acc >= min_arcs:
            b, acc = b + 1, 0
    n_batches = b + (acc > 0)
    bid = batch_of[comp]
    del comp, sizes, batch_of
    # numpy's stable sort is a radix sort on 16-bit keys
    key = bid.astype(np.int16) if n_batches < 2**15 else bid
    order = np.argsort(key, kind="stable").astype(np.int32 if m < 2**31 else np.int64)
    bounds = np.cumsum(np.bincount(bid, minlength=n_batches))[:-1]
    return [grp for grp in np.split(order, bounds) if grp.size]


def _local_ids(ids: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(ids, return_inverse=True)`` for ids in ``[0, n)`` in O(n + ids.size)
    (no sort): the sorted distinct ids and each id's position among them (int32)."""
    mark = np.zeros(n, bool)
    mark[ids] = True
    uniq = np.flatnonzero(mark)
    pos = np.zeros(n, np.int32)
    pos[uniq] = np.arange(uniq.size, dtype=np.int32)
    return uniq, pos[ids]


def _solve_lp(
    s_cap: np.ndarray,
    d_cap: np.ndarray,
    ps: np.ndarray,
    pd_: np.ndarray,
    val: np.ndarray,
    pcap: np.ndarray,
    time_limit_s: float | None,
) -> Allocation:
    pywraplp = import_optional("ortools.linear_solver.pywraplp", "core",
                               purpose="LP allocation")
    t0 = time.perf_counter()
    n_pairs = ps.size
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:  # pragma: no cover - GLOP ships with every OR-tools wheel
        return _empty(n_pairs, "lp", "error", "GLOP unavailable", 0.0)
    if time_limit_s is not None:
        # OR-tools takes int64 milliseconds: clamp (2^62 ms is longer than any run)
        solver.SetTimeLimit(int(min(max(1.0, time_limit_s * 1000.0), 2.0**62)))
    # Objective coefficients scaled so the largest is 1 (GLOP reports ABNORMAL on coefficients
    # like 1e-184).
    vmax, idx = _valued_pairs(val)
    inf = solver.infinity()
    x = [solver.NumVar(0.0, float(pcap[k]) if np.isfinite(pcap[k]) else inf, "") for k in idx]
    s_rows: dict[int, list[Any]] = {}
    d_rows: dict[int, list[Any]] = {}
    for var, k in zip(x, idx):
        s_rows.setdefault(int(ps[k]), []).append(var)
        d_rows.setdefault(int(pd_[k]), []).append(var)
    for i, vs in s_rows.items():
        solver.Add(solver.Sum(vs) <= float(s_cap[i]))
    for j, vs in d_rows.items():
        solver.Add(solver.Sum(vs) <= float(d_cap[j]))
    obj = solver.Objective()
    for var, k in zip(x, idx):
        obj.SetCoefficient(var, float(val[k] / vmax))
    obj.SetMaximization()
    status = solver.Solve()
    elapsed = time.perf_counter() - t0
    if status != pywraplp.Solver.OPTIMAL:
        hit_limit = time_limit_s is not None and elapsed >= time_limit_s * 0.95
        st = {pywraplp.Solver.INFEASIBLE: "infeasible",
              pywraplp.Solver.NOT_SOLVED: "not_solved"}.get(status, "error")
        if hit_limit or status == pywraplp.Solver.FEASIBLE:
            st = "time_limit" if hit_limit else "feasible"
        return _empty(n_pairs, "lp", st, f"GLOP status {status}", elapsed)
    flows = np.zeros(n_pairs)
    flows[idx] = np.maximum(0.0, [v.solution_value() for v in x])
    # Clip tiny solver noise so capacities hold exactly.
    flows = _clip_to_capacity(flows, s_cap, d_cap, ps, pd_)
    return Allocation("optimal", float(np.dot(val, flows)), flows, "lp", elapsed,
                      "GLOP OPTIMAL")


def _clip_to_capacity(
    flows: np.ndarray, s_cap: np.ndarray, d_cap: np.ndarray, ps: np.ndarray, pd_: np.ndarray
) -> np.ndarray:
    for ids, cap in ((ps, s_cap), (pd_, d_cap)):
        used = np.bincount(ids, weights=flows, minlength=cap.size)
        over = used > cap
        if over.any():
            factor = np.ones(cap.size)
            factor[over] = cap[over] / used[over]
            flows = flows * factor[ids]
    return flows


#: Documented internal hook for studies of the min-cost-flow solver
#: (``benchmarks/allocation_structure.py``): the integer network (``Grid``), its solver, the
#: connected-component batches, the local node numbering, the locality order and the sink
#: tree, with the scaling limits.  Not part of the stable API: names and signatures follow
#: the solver.  ``set_locality(False)`` restores the earlier network layout (input node order,
#: one sink) until ``set_locality(True)``; it returns the previous setting.
solver_internals = SimpleNamespace(
    MAX_QTY_UNITS=_MAX_QTY_UNITS, MAX_COST_UNITS=_MAX_COST_UNITS, SINK_FANIN=_SINK_FANIN,
    Grid=_Grid, solve_grid=_solve_grid, component_batches=_component_batches,
    local_ids=_local_ids, locality_order=_locality_order, sink_tree=_sink_tree,
    set_locality=_set_locality,
)
