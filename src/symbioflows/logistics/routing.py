"""Collection routes: many small suppliers -> one receiver, by vehicle routing.

:func:`plan_collection` wraps OR-tools' routing solver (extra ``routing``; imported lazily):
capacities, optional time windows, several vehicles, a start depot and an end plant (the
receiver; the depot when omitted).  ``method="nearest_neighbour"`` gives the greedy baseline.

Integer scaling (OR-tools works in int64)
-----------------------------------------
* arc cost: ``round(cost_usd * cost_scale)`` with ``cost_scale = 100`` (US cents) by default;
  an arc's cost is ``distance_km * cost_usd_per_vehicle_km`` where the vehicle-km cost is the
  mode's per-tonne-km cost times its payload (the full-load vehicle-km cost it was derived from);
* loads: kilograms, ``round(t * 1000)``;
* time: minutes, ``round(h * 60)``.
Before solving, the worst-case sums (every arc at the largest arc cost for every vehicle, plus
the fixed costs; every load) are checked against 2**62 so int64 arithmetic cannot overflow; a
scale that would overflow raises :class:`InvalidInputError` naming a smaller ``cost_scale``.

Status
------
``"optimal"`` only when OR-tools proves optimality (``ROUTING_OPTIMAL``); a search stopped by
``time_limit_s`` with a solution is ``"time_limit"``; a search that ended on its own at a local
optimum is ``"local_optimum"``; ``"infeasible"`` when no plan serves every stop (never an
exception).  CO2e is computed on the tonne-km actually carried on each leg.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from symbioflows._validation import as_float_array, check_lat_lon, check_positive_int
from symbioflows.errors import InvalidInputError
from symbioflows.logistics.distance import great_circle_matrix
from symbioflows.logistics.modes import get_mode, road_circuity

__all__ = ["CollectionPlan", "plan_collection", "INT_LIMIT"]

INT_LIMIT = 2**62


@dataclass(frozen=True)
class CollectionPlan:
    """A set of vehicle routes.  ``routes[v]`` lists stop indices (into the inputs) in order."""

    status: str
    method: str
    routes: list[list[int]]
    route_distance_km: list[float]
    route_load_t: list[float]
    distance_km: float
    cost_usd: float
    co2e_kg: float
    vehicles_used: int
    proven_optimal: bool
    stopped_by_time_limit: bool
    solve_time_s: float
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def feasible(self) -> bool:
        return self.status not in ("infeasible", "no_solution")

    def to_pandas(self) -> Any:
        import pandas as pd

        rows = [
            {"vehicle": v, "order": k, "stop": s}
            for v, r in enumerate(self.routes)
            for k, s in enumerate(r)
        ]
        return pd.DataFrame(rows, columns=["vehicle", "order", "stop"])


def _check_windows(tw: Any, n: int) -> npt.NDArray[np.float64] | None:
    if tw is None:
        return None
    arr = as_float_array(tw, "time_windows_h", ndim=2)
    if arr.shape != (n, 2):
        raise InvalidInputError(f"time_windows_h: expected shape ({n}, 2); got {arr.shape}")
    bad = np.flatnonzero((arr[:, 0] < 0) | (arr[:, 1] < arr[:, 0]))
    if bad.size:
        k = int(bad[0])
        raise InvalidInputError(
            f"time_windows_h row {k}: window {arr[k].tolist()} must satisfy 0 <= earliest <= latest"
        )
    return arr


def plan_collection(
    lat: Any,
    lon: Any,
    quantity_t: Any,
    *,
    depot: tuple[float, float],
    receiver: tuple[float, float] | None = None,
    vehicle_capacity_t: float | None = None,
    n_vehicles: int = 1,
    mode: str = "road_rigid",
    time_windows_h: Any = None,
    service_time_h: float = 0.25,
    speed_kmh: float = 50.0,
    max_route_h: float = 24.0,
    country: str | None = None,
    time_limit_s: float = 10.0,
    cost_scale: int = 100,
    method: str = "ortools",
) -> CollectionPlan:
    """Plan vehicle routes that collect ``quantity_t`` from every stop and deliver it.

    Parameters
    ----------
    lat, lon : array_like, shape (n,)
        Supplier stops (WGS84 degrees).
    quantity_t : array_like, shape (n,)
        Tonnes to collect at each stop (>= 0).
    depot : (lat, lon)
        Where vehicles start.
    receiver : (lat, lon), optional
        Where vehicles unload and end (the receiving plant); ``depot`` when omitted.
    vehicle_capacity_t : float, optional
        Per-vehicle capacity; the mode's payload when omitted.
    n_vehicles : int, default 1
    mode : str, default "road_rigid"
        Road mode for costs and emission factor (see :func:`~symbioflows.logistics.get_mode`).
    time_windows_h : array_like, shape (n, 2), optional
        [earliest, latest] arrival per stop, hours after the shift starts.
    service_time_h, speed_kmh, max_route_h : float
        Loading time per stop, average speed, shift length.
    country : str, optional
        ISO alpha-2 for the road circuity factor (default factor otherwise).
    time_limit_s : float, default 10
        Wall-clock limit of the OR-tools search (guided local search).
    cost_scale : int, default 100
        Integer units per USD for arc costs (100 = cents).
    method : {"ortools", "nearest_neighbour"}

    Returns
    -------
    CollectionPlan
        With ``status`` ("optimal" only when proven; "time_limit", "local_optimum",
        "feasible", "infeasible").

    Raises
    ------
    InvalidInputError
        Bad coordinates, NaN or negative quantities, non-positive or NaN capacity, speed or
        time limit, bad windows, a cost scale that would overflow int64, unknown method.
    MissingExtraError
        OR-tools missing (a core dependency: ``pip install 'ortools>=9.10'``).

    Examples
    --------
    >>> plan = plan_collection([52.0, 52.1], [5.0, 5.1], [3.0, 4.0], depot=(52.05, 5.05),
    ...                        method="nearest_neighbour")
    >>> plan.status, plan.routes
    ('feasible', [[1, 0]])
    """
    la, lo = check_lat_lon(lat, lon, name="stops")
    n = la.size
    q = as_float_array(quantity_t, "quantity_t")
    if q.shape != (n,):
        raise InvalidInputError(f"quantity_t: expected {n} values; got shape {q.shape}")
    neg = np.flatnonzero(q < 0)
    if neg.size:
        raise InvalidInputError(f"quantity_t row {int(neg[0])} = {q[neg[0]]} is negative")
    dep = check_lat_lon([depot[0]], [depot[1]], name="depot")
    rec = dep if receiver is None else check_lat_lon([receiver[0]], [receiver[1]], name="receiver")
    m = get_mode(mode)
    cap = m.payload if vehicle_capacity_t is None else vehicle_capacity_t
    cap = _positive(cap, "vehicle_capacity_t")
    nv = check_positive_int(n_vehicles, "n_vehicles")
    speed = _positive(speed_kmh, "speed_kmh")
    shift = _positive(max_route_h, "max_route_h")
    tl = _positive(time_limit_s, "time_limit_s")
    service = float(service_time_h)
    if not math.isfinite(service) or service < 0:
        raise InvalidInputError(f"service_time_h must be finite and >= 0; got {service_time_h!r}")
    tw = _check_windows(time_windows_h, n)
    scale = check_positive_int(cost_scale, "cost_scale")
    if method not in ("ortools", "nearest_neighbour"):
        raise InvalidInputError(
            f"unknown method {method!r}; valid: ['ortools', 'nearest_neighbour']"
        )
    # nodes: 0 = depot, 1..n = stops, n+1 = receiver (end)
    all_lat = np.concatenate([dep[0], la, rec[0]])
    all_lon = np.concatenate([dep[1], lo, rec[1]])
    dist = great_circle_matrix(all_lat, all_lon, n_jobs=1) * road_circuity(country)
    vkm_cost = m.cost_usd_per_tkm * m.payload  # USD per vehicle-km (see module notes)
    fixed = m.fixed_cost_usd_per_shipment
    ctx = _Ctx(dist, q, cap, nv, speed, shift, service, tw, vkm_cost, fixed, m.co2e_kg_per_tkm)
    t0 = time.perf_counter()
    if method == "nearest_neighbour":
        routes, status = _nearest_neighbour(ctx)
        return _finish(ctx, routes, status, "nearest_neighbour", False, False,
                       time.perf_counter() - t0, {})
    return _solve_ortools(ctx, tl, scale, t0)


def _positive(value: Any, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{name} must be a positive number; got {value!r}") from exc
    if not math.isfinite(v) or v <= 0:
        raise InvalidInputError(f"{name} must be finite and > 0; got {value!r}")
    return v


@dataclass
class _Ctx:
    dist: npt.NDArray[np.float64]
    q: npt.NDArray[np.float64]
    cap: float
    nv: int
    speed: float
    shift_h: float
    service_h: float
    tw: npt.NDArray[np.float64] | None
    vkm_cost: float
    fixed: float
    co2e_per_tkm: float

    @property
    def n(self) -> int:
        return int(self.q.size)


def _nearest_neighbour(ctx: _Ctx) -> tuple[list[list[int]], str]:
    """Greedy baseline: each vehicle repeatedly visits the nearest unvisited stop that fits its
    remaining capacity, its time window (waiting when early) and the shift; then unloads."""
    n, end = ctx.n, ctx.n + 1
    left = set(range(n))
    routes: list[list[int]] = []
    for _ in range(ctx.nv):
        if not left:
            break
        node, load, t_h, route = 0, 0.0, 0.0, []
        while True:
            best, best_d = -1, math.inf
            for s in sorted(left):
                d = ctx.dist[node, s + 1]
                if d >= best_d or load + ctx.q[s] > ctx.cap + 1e-9:
                    continue
                arr = t_h + d / ctx.speed
                if ctx.tw is not None:
                    if arr > ctx.tw[s, 1]:
                        continue
                    arr = max(arr, ctx.tw[s, 0])
                if arr + ctx.service_h + ctx.dist[s + 1, end] / ctx.speed > ctx.shift_h:
                    continue
                best, best_d = s, d
            if best < 0:
                break
            arr = t_h + best_d / ctx.speed
            if ctx.tw is not None:
                arr = max(arr, ctx.tw[best, 0])
            t_h = arr + ctx.service_h
            load += ctx.q[best]
            node = best + 1
            route.append(best)
            left.discard(best)
        if route:
            routes.append(route)
    return routes, ("feasible" if not left else "infeasible")


def _solve_ortools(ctx: _Ctx, time_limit_s: float, scale: int, t0: float) -> CollectionPlan:
    from symbioflows._optional import import_optional

    pywrapcp = import_optional(
        "ortools.constraint_solver.pywrapcp", "core", purpose="plan_collection"
    )
    enums = import_optional(
        "ortools.constraint_solver.routing_enums_pb2", "core", purpose="plan_collection"
    )
    n, n_nodes = ctx.n, ctx.n + 2
    arc_f = np.rint(ctx.dist * ctx.vkm_cost * scale)
    fixed_f = round(ctx.fixed * scale)
    # overflow guard, in floating point before any cast: worst-case objective (every arc at the
    # largest cost, for every vehicle, plus fixed costs) and load sums must stay below 2**62
    worst_cost_f = float(arc_f.max(initial=0.0)) * (n_nodes + 1) * ctx.nv + fixed_f * ctx.nv
    worst_load_f = float(np.rint(ctx.q * 1000.0).sum()) + ctx.cap * 1000.0 * ctx.nv
    if worst_cost_f >= INT_LIMIT or worst_load_f >= INT_LIMIT:
        raise InvalidInputError(
            f"integer scaling would overflow int64 (worst-case cost sum {worst_cost_f:.3g}, load "
            f"sum {worst_load_f:.3g} vs 2**62); pass a smaller cost_scale (got {scale})"
        )
    arc = arc_f.astype(np.int64)
    fixed_int = int(fixed_f)
    loads = np.concatenate([[0], np.rint(ctx.q * 1000.0), [0]]).astype(np.int64)
    cap_int = int(math.floor(ctx.cap * 1000.0 + 1e-6))
    minutes = np.rint(ctx.dist / ctx.speed * 60.0).astype(np.int64)
    service = int(round(ctx.service_h * 60.0))
    shift = int(round(ctx.shift_h * 60.0))
    if np.any(loads[1:-1] > cap_int):
        return _finish(ctx, [], "infeasible", "ortools", False, False,
                       time.perf_counter() - t0,
                       {"reason": "a stop's quantity exceeds the vehicle capacity"})
    manager = pywrapcp.RoutingIndexManager(n_nodes, ctx.nv, [0] * ctx.nv, [n + 1] * ctx.nv)
    routing = pywrapcp.RoutingModel(manager)

    arc_list = arc.tolist()
    minutes_list = minutes.tolist()
    load_list = loads.tolist()

    def cost_cb(fi: int, ti: int) -> int:
        return arc_list[manager.IndexToNode(fi)][manager.IndexToNode(ti)]

    cost_idx = routing.RegisterTransitCallback(cost_cb)
    routing.SetArcCostEvaluatorOfAllVehicles(cost_idx)
    routing.SetFixedCostOfAllVehicles(fixed_int)

    def demand_cb(fi: int) -> int:
        return load_list[manager.IndexToNode(fi)]

    dem_idx = routing.RegisterUnaryTransitCallback(demand_cb)
    routing.AddDimensionWithVehicleCapacity(dem_idx, 0, [cap_int] * ctx.nv, True, "Load")

    def time_cb(fi: int, ti: int) -> int:
        a = manager.IndexToNode(fi)
        extra = service if 1 <= a <= n else 0
        return minutes_list[a][manager.IndexToNode(ti)] + extra

    time_idx = routing.RegisterTransitCallback(time_cb)
    routing.AddDimension(time_idx, shift, shift, True, "Time")
    tdim = routing.GetDimensionOrDie("Time")
    if ctx.tw is not None:
        for s in range(n):
            lo_m = int(round(ctx.tw[s, 0] * 60.0))
            hi_m = int(round(ctx.tw[s, 1] * 60.0))
            tdim.CumulVar(manager.NodeToIndex(s + 1)).SetRange(min(lo_m, shift), min(hi_m, shift))

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = enums.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = enums.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    solution = routing.SolveWithParameters(params)
    elapsed = time.perf_counter() - t0
    st = routing.status()
    names = {v: k for k, v in enums.RoutingSearchStatus.Value.items()}
    raw = names.get(st, str(st))
    proven = raw == "ROUTING_OPTIMAL"
    # Guided local search only stops at the limit: a solution returned then is time-limited.
    hit_limit = raw in ("ROUTING_FAIL_TIMEOUT", "ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED") or (
        not proven and elapsed >= 0.95 * time_limit_s
    )
    if solution is None:
        status = "infeasible" if raw == "ROUTING_INFEASIBLE" or not hit_limit else "no_solution"
        return _finish(ctx, [], status, "ortools", False, hit_limit, elapsed,
                       {"solver_status": raw})
    routes: list[list[int]] = []
    for v in range(ctx.nv):
        idx = routing.Start(v)
        r: list[int] = []
        while not routing.IsEnd(idx):
            node = manager.IndexToNode(idx)
            if 1 <= node <= n:
                r.append(node - 1)
            idx = solution.Value(routing.NextVar(idx))
        if r:
            routes.append(r)
    status = "optimal" if proven else ("time_limit" if hit_limit else "local_optimum")
    return _finish(ctx, routes, status, "ortools", proven, hit_limit, elapsed,
                   {"solver_status": raw, "objective_int": solution.ObjectiveValue(),
                    "cost_scale": scale})


def _finish(ctx: _Ctx, routes: list[list[int]], status: str, method: str, proven: bool,
            hit_limit: bool, elapsed: float, details: dict[str, Any]) -> CollectionPlan:
    end = ctx.n + 1
    dists, loads = [], []
    co2 = 0.0
    for r in routes:
        path = [0] + [s + 1 for s in r] + [end]
        d, load = 0.0, 0.0
        for a, b in zip(path[:-1], path[1:]):
            leg = float(ctx.dist[a, b])
            d += leg
            co2 += ctx.co2e_per_tkm * load * leg  # tonnes on board on this leg
            if 1 <= b <= ctx.n:
                load += float(ctx.q[b - 1])
        dists.append(d)
        loads.append(load)
    total = float(sum(dists))
    cost = total * ctx.vkm_cost + ctx.fixed * len(routes)
    if status in ("infeasible", "no_solution"):
        total, cost, co2 = math.inf, math.inf, math.inf
    return CollectionPlan(
        status=status,
        method=method,
        routes=routes,
        route_distance_km=dists,
        route_load_t=loads,
        distance_km=total,
        cost_usd=cost,
        co2e_kg=co2,
        vehicles_used=len(routes),
        proven_optimal=proven,
        stopped_by_time_limit=hit_limit,
        solve_time_s=elapsed,
        details=details,
    )
