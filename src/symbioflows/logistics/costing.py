"""Cost, distance and CO2e of moving a flow from a supplier to a receiver.

Model (per mode m, flow of q units of the medium: tonnes, or MWh for heat)::

    route_km  = great_circle_km * detour_m          (road modes: * mean road circuity of both ends)
    shipments = ceil(q / payload_m)                 (pipelines: continuous, 0 shipments)
    cost_usd  = shipments * fixed_cost_usd_m + cost_usd_per_tkm_m * q * route_km
    co2e_kg   = co2e_kg_per_tkm_m * q * route_km

A mode is eligible when it carries the medium and ``route_km <= max_route_km``.  The best mode
minimises ``cost_usd + carbon_price_usd_per_t * co2e_kg / 1000``; ties go to the mode listed
first.  :func:`cost_route` prices one pair in Python with the full breakdown;
:func:`cost_pairs` prices millions of candidate pairs in the native core (fused great-circle
distance + costing, multi-threaded, GIL released, identical results for any ``n_jobs``).

:func:`full_load_rates` is the same model in linear form (one mode per medium, full loads:
``cost_usd / q = fixed_cost_usd_m / payload_m + cost_usd_per_tkm_m * route_km``), for scoring
pairs before any quantity is allocated; :func:`max_reach_km` is the longest great-circle
distance a default mode carries a medium.  This module is the one home of transport costing:
the plan scores candidates with :func:`full_load_rates` and prices the allocated exchanges
with :func:`cost_pairs`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from symbioflows import _core
from symbioflows._config import resolve_n_jobs
from symbioflows._validation import as_float_array, as_index_array, check_lat_lon, check_number
from symbioflows.errors import InvalidInputError
from symbioflows.logistics.distance import EARTH_RADIUS_KM
from symbioflows.logistics.modes import (
    DEFAULT_MODES,
    MEDIA,
    MEDIUM_ALIASES,
    TransportMode,
    get_mode,
    medium_code,
    road_circuity,
)

__all__ = ["RouteCost", "PairCosts", "cost_route", "cost_pairs", "resolve_modes",
           "full_load_rates", "max_reach_km", "FullLoadRates"]


@dataclass(frozen=True)
class RouteCost:
    """Result of :func:`cost_route`.  ``feasible`` is False (with ``reason``) when no mode fits."""

    mode: str | None
    medium: str
    quantity: float
    great_circle_km: float
    route_km: float
    shipments: int
    cost_usd: float
    co2e_kg: float
    feasible: bool
    reason: str = ""
    alternatives: dict[str, dict[str, float]] = field(default_factory=dict, compare=False)
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def cost_usd_per_t(self) -> float:
        """Cost per unit moved (inf when infeasible, 0 for a zero flow)."""
        if not self.feasible:
            return math.inf
        return self.cost_usd / self.quantity if self.quantity > 0 else 0.0


def resolve_modes(modes: Any = None) -> list[TransportMode]:
    """``None`` -> :data:`DEFAULT_MODES`; a name or a list of names/TransportMode objects."""
    if modes is None:
        modes = DEFAULT_MODES
    if isinstance(modes, (str, TransportMode)):
        modes = [modes]
    out = [get_mode(m) for m in modes]
    if not out:
        raise InvalidInputError("modes is empty; pass at least one transport mode")
    names = [m.name for m in out]
    if len(set(names)) != len(names):
        raise InvalidInputError(f"modes lists a mode twice: {names}")
    if len(out) > int(_core.COSTING_MAX_MODES):
        raise InvalidInputError(f"at most {_core.COSTING_MAX_MODES} modes; got {len(out)}")
    return out


def _point(p: Any, name: str) -> tuple[float, float, Any]:
    if isinstance(p, Mapping):
        try:
            lat, lon = p["lat"], p["lon"]
        except KeyError as exc:
            raise InvalidInputError(
                f"{name}: needs 'lat' and 'lon' keys; got {sorted(p)}"
            ) from exc
        country = p.get("country")
    else:
        try:
            lat, lon = p[0], p[1]
        except (TypeError, IndexError) as exc:
            raise InvalidInputError(
                f"{name}: expected (lat, lon) or a mapping with lat/lon; got {p!r}"
            ) from exc
        country = p[2] if len(p) > 2 else None
    la, lo = check_lat_lon([lat], [lon], name=name)
    return float(la[0]), float(lo[0]), country


def _great_circle(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, h))))


def cost_route(
    supply: Any,
    demand: Any,
    *,
    quantity: float,
    mode: str | Sequence[str] | None = None,
    medium: str = "solid",
    distance_km: float | None = None,
    carbon_price_usd_per_t: float = 0.0,
    circuity_overrides: dict[str, float] | None = None,
) -> RouteCost:
    """Cost, route distance and CO2e of moving ``quantity`` from ``supply`` to ``demand``.

    Parameters
    ----------
    supply, demand : (lat, lon[, country]) or mapping with ``lat``, ``lon`` (``country``)
        WGS84 degrees; ``country`` (ISO alpha-2) selects the road circuity factor.
    quantity : float
        Units of the medium to move (tonnes; MWh for ``heat``), e.g. per year.
    mode : str or list of str, optional
        One mode, or the candidate modes; default :data:`DEFAULT_MODES` (road + pipelines).
    medium : str, default "solid"
        One of :data:`MEDIA`.
    distance_km : float, optional
        Known route distance (road or pipe km).  Overrides the geometry, detours and circuity.
    carbon_price_usd_per_t : float, default 0
        Carbon price used only to pick the best mode (USD per tonne CO2e).

    Returns
    -------
    RouteCost
        Cheapest eligible mode with its cost breakdown; ``alternatives`` lists every eligible
        mode.  ``feasible=False`` with a ``reason`` when none fits (never an exception).

    Raises
    ------
    InvalidInputError
        Bad coordinates, NaN/negative quantity or distance, unknown mode (listing the valid ones)
        or medium.

    Examples
    --------
    A 250 km truck shipment of 1,000 t: 39 trucks of 26 t (ceil(1000/26) = 39).

    >>> r = cost_route((0, 0), (0, 1), quantity=1000, mode="road_articulated", distance_km=250)
    >>> r.shipments, round(r.co2e_kg, 1)
    (39, 19500.0)
    """
    lat1, lon1, c1 = _point(supply, "supply")
    lat2, lon2, c2 = _point(demand, "demand")
    q = _nonneg_scalar(quantity, "quantity")
    code = medium_code(medium)
    medium = MEDIA[code]
    modes = resolve_modes(mode)
    price = _nonneg_scalar(carbon_price_usd_per_t, "carbon_price_usd_per_t")
    gc = _great_circle(lat1, lon1, lat2, lon2)
    if distance_km is not None:
        dist = _nonneg_scalar(distance_km, "distance_km")
    road = 0.5 * (
        road_circuity(c1, overrides=circuity_overrides)
        + road_circuity(c2, overrides=circuity_overrides)
    )
    alternatives: dict[str, dict[str, float]] = {}
    reasons: list[str] = []
    best: tuple[float, str] | None = None
    for m in modes:
        if MEDIA[code] not in m.media:
            reasons.append(f"{m.name} does not carry {medium}")
            continue
        if distance_km is not None:
            route = dist
        else:
            route = gc * (m.detour if m.detour > 0 else road)
        if route > m.max_route_km:
            reasons.append(f"{m.name}: {route:.1f} km exceeds its maximum of {m.max_route_km:g} km")
            continue
        ships = math.ceil(q / m.payload) if m.payload > 0 else 0
        cost = ships * m.fixed_cost_usd_per_shipment + m.cost_usd_per_tkm * q * route
        co2 = m.co2e_kg_per_tkm * q * route
        alternatives[m.name] = {
            "route_km": route,
            "shipments": float(ships),
            "cost_usd": cost,
            "co2e_kg": co2,
        }
        obj = cost + price * co2 / 1000.0
        if best is None or obj < best[0]:
            best = (obj, m.name)
    if best is None:
        return RouteCost(
            mode=None,
            medium=medium,
            quantity=q,
            great_circle_km=gc,
            route_km=math.inf,
            shipments=0,
            cost_usd=math.inf,
            co2e_kg=math.inf,
            feasible=False,
            reason="; ".join(reasons) or "no mode given",
        )
    name = best[1]
    a = alternatives[name]
    chosen = get_mode(name)
    return RouteCost(
        mode=name,
        medium=medium,
        quantity=q,
        great_circle_km=gc,
        route_km=a["route_km"],
        shipments=int(a["shipments"]),
        cost_usd=a["cost_usd"],
        co2e_kg=a["co2e_kg"],
        feasible=True,
        alternatives=alternatives,
        sources={"cost": chosen.cost_source, "co2e": chosen.co2e_source},
    )


def _nonneg_scalar(value: Any, name: str) -> float:
    return check_number(value, name, nonneg=True)


@dataclass(frozen=True)
class PairCosts:
    """Vectorised result of :func:`cost_pairs` (one entry per candidate pair).

    ``mode`` holds an index into ``mode_names`` (-1 = no eligible mode; then ``route_km``,
    ``cost_usd`` and ``co2e_kg`` are +inf).
    """

    great_circle_km: npt.NDArray[np.float64]
    route_km: npt.NDArray[np.float64]
    cost_usd: npt.NDArray[np.float64]
    co2e_kg: npt.NDArray[np.float64]
    mode: npt.NDArray[np.int8]
    mode_names: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.mode.size)

    @property
    def feasible(self) -> npt.NDArray[np.bool_]:
        return self.mode >= 0

    def mode_name(self) -> npt.NDArray[np.object_]:
        """Mode names per pair (None where infeasible)."""
        names = np.array([*self.mode_names, None], dtype=object)
        return names[np.where(self.mode >= 0, self.mode, len(self.mode_names))]

    def to_pandas(self) -> Any:
        import pandas as pd

        return pd.DataFrame(
            {
                "great_circle_km": self.great_circle_km,
                "route_km": self.route_km,
                "cost_usd": self.cost_usd,
                "co2e_kg": self.co2e_kg,
                "mode": self.mode_name(),
            }
        )


def _circuity_array(country: Any, n: int, name: str, overrides: dict[str, float] | None) -> Any:
    if country is None:
        return np.full(n, road_circuity(None), dtype=np.float64)
    arr = np.asarray(country, dtype=object)
    if arr.ndim == 0:
        return np.full(n, road_circuity(arr.item(), overrides=overrides), dtype=np.float64)
    if arr.shape != (n,):
        raise InvalidInputError(f"{name}: expected {n} country codes; got shape {arr.shape}")
    cache: dict[Any, float] = {}
    out = np.empty(n, dtype=np.float64)
    for k, c in enumerate(arr.tolist()):
        key = c if isinstance(c, str) else None
        if key not in cache:
            cache[key] = road_circuity(key, overrides=overrides)
        out[k] = cache[key]
    return out


def _medium_array(medium: Any, m: int) -> npt.NDArray[np.uint8] | npt.NDArray[np.int64]:
    if isinstance(medium, str):
        return np.full(m, medium_code(medium), dtype=np.uint8)
    arr = np.asarray(medium)
    if arr.shape != (m,):
        raise InvalidInputError(f"medium: expected one value per pair ({m}); got shape {arr.shape}")
    if arr.dtype.kind in "iu":
        # codes are range-checked by the native kernel in its parallel pass (no serial
        # full-size pass here); uint8 and int64 are read in place
        if arr.dtype == np.uint8 or arr.dtype == np.int64:
            return arr
        return arr.astype(np.int64)
    codes = {name: c for c, name in enumerate(MEDIA)}
    codes.update({alias: MEDIA.index(target) for alias, target in MEDIUM_ALIASES.items()})
    out = np.empty(m, dtype=np.uint8)
    for k, v in enumerate(arr.tolist()):
        if v not in codes:
            raise InvalidInputError(f"medium row {k}: unknown medium {v!r}; valid media: {list(MEDIA)}")
        out[k] = codes[v]
    return out


def cost_pairs(
    supply_lat: Any,
    supply_lon: Any,
    demand_lat: Any,
    demand_lon: Any,
    i: Any,
    j: Any,
    quantity: Any,
    *,
    medium: Any = "solid",
    supply_country: Any = None,
    demand_country: Any = None,
    modes: Any = None,
    carbon_price_usd_per_t: float = 0.0,
    circuity_overrides: dict[str, float] | None = None,
    n_jobs: int = -1,
) -> PairCosts:
    """Best-mode cost, route distance and CO2e for candidate pairs (native, vectorised).

    Parameters
    ----------
    supply_lat, supply_lon : array_like, shape (n1,)
        Supplier sites (WGS84 degrees).
    demand_lat, demand_lon : array_like, shape (n2,)
        Receiver sites.
    i, j : array_like of int, shape (m,)
        Pair k moves ``quantity[k]`` from supplier ``i[k]`` to receiver ``j[k]``.
    quantity : array_like of float, shape (m,)
        Units of the medium per pair (tonnes; MWh for heat), >= 0.
    medium : str or array_like, default "solid"
        One medium for all pairs or one per pair (names from :data:`MEDIA` or their codes).
    supply_country, demand_country : str or array_like of str, optional
        ISO alpha-2 per site, for road circuity (default factor when omitted).
    modes : str or list, optional
        Candidate modes (default :data:`DEFAULT_MODES`).
    carbon_price_usd_per_t : float, default 0
        Carbon price used in the choice of mode.
    n_jobs : int, default -1
        Threads; results are identical for any value.

    Returns
    -------
    PairCosts

    Notes
    -----
    O(n1 + n2 + m * n_modes); the GIL is released.  The great-circle distance is the haversine
    formula in chord form on unit vectors computed once per site (equal to
    :func:`great_circle_pairs` to about 1e-12 relative).

    Examples
    --------
    >>> r = cost_pairs([0.0], [0.0], [0.0, 0.0], [1.0, 0.01], [0, 0], [0, 1], [26.0, 5.0],
    ...                medium=["solid", "steam"])
    >>> r.mode_name().tolist()
    ['road_articulated', 'pipe_steam']
    >>> bool(r.cost_usd[0] > 0) and bool(r.co2e_kg[0] > 0)
    True
    """
    la1, lo1 = check_lat_lon(supply_lat, supply_lon, name="supply")
    la2, lo2 = check_lat_lon(demand_lat, demand_lon, name="demand")
    # dtype and shape checks here; ranges, NaN and signs are checked block by block in the
    # native binding (no full-size temporaries for millions of pairs)
    ii = as_index_array(i, "i")
    jj = as_index_array(j, "j")
    q = as_float_array(quantity, "quantity", finite=False)
    if not (ii.size == jj.size == q.size):
        raise InvalidInputError(
            f"i, j and quantity have {ii.size}, {jj.size} and {q.size} values; pass one per pair"
        )
    med = _medium_array(medium, q.size)
    price = _nonneg_scalar(carbon_price_usd_per_t, "carbon_price_usd_per_t")
    ms = resolve_modes(modes)
    c1 = _circuity_array(supply_country, la1.size, "supply_country", circuity_overrides)
    c2 = _circuity_array(demand_country, la2.size, "demand_country", circuity_overrides)
    gc, route, cost, co2, mode = _core.cost_pairs(
        la1,
        lo1,
        c1,
        la2,
        lo2,
        c2,
        ii,
        jj,
        q,
        med,
        np.array([m.fixed_cost_usd_per_shipment for m in ms]),
        np.array([m.cost_usd_per_tkm for m in ms]),
        np.array([m.payload for m in ms]),
        np.array([m.co2e_kg_per_tkm for m in ms]),
        np.array([m.max_route_km for m in ms]),
        np.array([m.detour for m in ms]),
        np.array([m.medium_mask() for m in ms], dtype=np.int64),
        (1 << len(ms)) - 1,
        price / 1000.0,
        resolve_n_jobs(n_jobs),
    )
    return PairCosts(gc, route, cost, co2, mode, tuple(m.name for m in ms))


@dataclass(frozen=True)
class FullLoadRates:
    """Per-item linear transport rates (see :func:`full_load_rates`).

    ``usd_per_tkm`` and ``co2e_kg_per_tkm`` are per tonne and per km of ``great_circle_km *
    circuity``; a mode with a detour factor of its own (pipes) has ``detour / circuity``
    folded in, so one formula serves every mode.  ``mode``: the mode chosen per item ("" when
    no default mode carries the medium).
    """

    fixed_usd_per_t: npt.NDArray[np.float64]
    usd_per_tkm: npt.NDArray[np.float64]
    co2e_kg_per_tkm: npt.NDArray[np.float64]
    circuity: float
    mode: npt.NDArray[np.object_]


def _per_t_at_100km(m: TransportMode) -> float:
    fixed = m.fixed_cost_usd_per_shipment / m.payload if m.payload > 0 else 0.0
    return fixed + 100.0 * m.cost_usd_per_tkm


def full_load_rates(medium: Any) -> FullLoadRates:
    """Linear transport rates per item: of the default modes that carry the item's medium, the
    one cheapest per tonne at 100 km at full load (fixed cost per shipment / payload, cost per
    t.km, kg CO2e per t.km), and the default road circuity.

    The rate of moving a tonne ``d`` great-circle km is then ``fixed_usd_per_t + usd_per_tkm *
    d * circuity``: the model of :func:`cost_pairs` for full loads of the chosen mode (its
    route km: ``d`` times the mode's detour factor, or times the default road circuity for
    road modes), usable before any quantity is allocated (the plan's pair scores).  A medium
    that no default mode carries gets zeros.

    Parameters
    ----------
    medium : str or array_like of str
        Medium per item (names of :data:`MEDIA`; ``"bulk_solid"`` is read as ``"solid"``).

    Returns
    -------
    FullLoadRates

    Examples
    --------
    >>> r = full_load_rates(["solid", "steam"])
    >>> bool(r.usd_per_tkm[0] > 0), float(r.fixed_usd_per_t[1]), list(r.mode)
    (True, 0.0, ['road_articulated', 'pipe_steam'])
    """
    from symbioflows.logistics.modes import DEFAULT_ROAD_CIRCUITY, transport_modes

    med = np.asarray([medium] if isinstance(medium, str) else medium, dtype=object)
    n = med.size
    fixed = np.zeros(n)
    per_tkm = np.zeros(n)
    co2 = np.zeros(n)
    mode = np.full(n, "", dtype=object)
    circuity = float(DEFAULT_ROAD_CIRCUITY)
    table = transport_modes()
    for name in _distinct(med):
        key = MEDIUM_ALIASES.get(name, name)
        cands = [table[m] for m in DEFAULT_MODES if m in table and key in table[m].media]
        if not cands:
            continue
        m = min(cands, key=_per_t_at_100km)
        sel = med == name
        # route km per great-circle km as cost_pairs takes it: the mode's detour, else road
        route = (m.detour if m.detour > 0 else circuity) / circuity
        fixed[sel] = m.fixed_cost_usd_per_shipment / m.payload if m.payload > 0 else 0.0
        per_tkm[sel] = m.cost_usd_per_tkm * route
        co2[sel] = m.co2e_kg_per_tkm * route
        mode[sel] = m.name
    return FullLoadRates(fixed, per_tkm, co2, circuity, mode)


def _distinct(values: npt.NDArray[np.object_]) -> list[Any]:
    """Distinct values in order of first appearance (no sort of mixed objects)."""
    return list(dict.fromkeys(values.tolist()))


def max_reach_km(medium: str, default_km: float) -> float:
    """Great-circle search radius for a medium: ``default_km``, capped by the longest route any
    default mode allows for it (``max_route_km`` divided by the mode's detour factor, or by the
    default road circuity for road modes).

    Examples
    --------
    >>> max_reach_km("steam", 50.0) <= 50.0
    True
    """
    from symbioflows.logistics.modes import DEFAULT_ROAD_CIRCUITY, transport_modes

    table = transport_modes()
    reach = [table[m].max_route_km / (table[m].detour if table[m].detour > 0 else
                                      DEFAULT_ROAD_CIRCUITY)
             for m in DEFAULT_MODES if m in table and medium in table[m].media]
    return min(default_km, max(reach)) if reach else default_km
