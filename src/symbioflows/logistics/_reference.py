"""Slow pure-Python reference of the distance kernels, used only by the tests."""

from __future__ import annotations

import math

from symbioflows.errors import InvalidInputError

R_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    h = min(1.0, max(0.0, h))
    return 2 * R_KM * math.asin(math.sqrt(h))


def haversine_matrix(lat1, lon1, lat2, lon2):  # type: ignore[no-untyped-def]
    return [[haversine_km(a, b, c, d) for c, d in zip(lat2, lon2)] for a, b in zip(lat1, lon1)]


def cost_pairs_reference(  # type: ignore[no-untyped-def]
    lat1, lon1, circ1, lat2, lon2, circ2, i, j, quantity, medium, modes, carbon_price_usd_per_kg
):
    """Pure-Python oracle of the native ``cost_pairs`` kernel (true haversine, plain loops).

    ``modes`` is a list of dicts with keys fixed, per_tkm, payload, co2e, max_km, detour, mask.
    Returns (gc, route, cost, co2e, mode) lists; mode -1 and inf values when nothing fits.
    """
    inf = float("inf")
    out: tuple[list, list, list, list, list] = ([], [], [], [], [])
    for row, (a, b, q, med) in enumerate(zip(i, j, quantity, medium)):
        gc = haversine_km(lat1[a], lon1[a], lat2[b], lon2[b])
        road = 0.5 * (circ1[a] + circ2[b])
        best = (inf, -1, inf, inf, inf)
        reached = False
        for k, m in enumerate(modes):
            if not (m["mask"] >> med) & 1:
                continue
            route = gc * (m["detour"] if m["detour"] > 0 else road)
            if route > m["max_km"]:
                continue
            reached = True
            n = q / m["payload"] if m["payload"] > 0 else 0.0
            ships = math.ceil(n) if math.isfinite(n) else inf
            cost = ships * m["fixed"] + m["per_tkm"] * q * route
            co2 = m["co2e"] * q * route
            obj = cost + carbon_price_usd_per_kg * co2
            if obj < best[0]:
                best = (obj, k, route, cost, co2)
        if reached and best[1] < 0:  # every reaching mode overflowed
            raise InvalidInputError(f"quantity row {row} = {q:.6g}: its transport cost or CO2e "
                                    "overflows")
        out[0].append(gc)
        out[1].append(best[2])
        out[2].append(best[3])
        out[3].append(best[4])
        out[4].append(best[1])
    return out


def cost_pairs_numpy(  # type: ignore[no-untyped-def]
    lat1, lon1, circ1, lat2, lon2, circ2, i, j, quantity, medium, modes, carbon_price_usd_per_kg,
    chunk=1 << 20,
):
    """numpy-vectorised version of the same kernel (the benchmark's numpy peer).

    Same chord-form haversine on per-site unit vectors as the native kernel, processed in chunks
    of ``chunk`` pairs to bound memory.
    """
    import numpy as np

    def unit(lat, lon):
        p, lam = np.radians(lat), np.radians(lon)
        cp = np.cos(p)
        return np.stack([cp * np.cos(lam), cp * np.sin(lam), np.sin(p)], axis=1)

    u1, u2 = unit(np.asarray(lat1), np.asarray(lon1)), unit(np.asarray(lat2), np.asarray(lon2))
    circ1, circ2 = np.asarray(circ1), np.asarray(circ2)
    m = len(i)
    gc_all = np.empty(m)
    route_all = np.empty(m)
    cost_all = np.empty(m)
    co2_all = np.empty(m)
    mode_all = np.empty(m, dtype=np.int8)
    two_r = 2.0 * R_KM
    for s in range(0, m, chunk):
        e = min(m, s + chunk)
        a, b = i[s:e], j[s:e]
        q, med = quantity[s:e], medium[s:e]
        d = u1[a] - u2[b]
        h = 0.25 * np.einsum("ij,ij->i", d, d)
        gc = two_r * np.arcsin(np.sqrt(np.minimum(h, 0.5)))
        far = h > 0.5
        if far.any():
            sp = u1[a[far]] + u2[b[far]]
            g = np.minimum(1.0, 0.25 * np.einsum("ij,ij->i", sp, sp))
            gc[far] = two_r * (np.pi / 2 - np.arcsin(np.sqrt(g)))
        road = 0.5 * (circ1[a] + circ2[b])
        best_obj = np.full(e - s, np.inf)
        best = np.full(e - s, -1, dtype=np.int8)
        b_route = np.full(e - s, np.inf)
        b_cost = np.full(e - s, np.inf)
        b_co2 = np.full(e - s, np.inf)
        for k, md in enumerate(modes):
            route = gc * (md["detour"] if md["detour"] > 0 else road)
            ok = ((md["mask"] >> med) & 1).astype(bool) & (route <= md["max_km"])
            ships = np.ceil(q / md["payload"]) if md["payload"] > 0 else 0.0
            tkm = q * route
            cost = ships * md["fixed"] + md["per_tkm"] * tkm
            co2 = md["co2e"] * tkm
            obj = np.where(ok, cost + carbon_price_usd_per_kg * co2, np.inf)
            take = obj < best_obj
            best_obj = np.where(take, obj, best_obj)
            best[take] = k
            b_route = np.where(take, route, b_route)
            b_cost = np.where(take, cost, b_cost)
            b_co2 = np.where(take, co2, b_co2)
        gc_all[s:e], route_all[s:e], cost_all[s:e] = gc, b_route, b_cost
        co2_all[s:e], mode_all[s:e] = b_co2, best
    return gc_all, route_all, cost_all, co2_all, mode_all
