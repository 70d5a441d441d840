"""Pure-Python references of the matching kernels (used only by tests)."""

from __future__ import annotations

import math

import numpy as np

from symbioflows.logistics._reference import haversine_km


def candidates(s_lat, s_lon, s_group, s_company, radius, d_lat, d_lon, d_group, d_company,
               compat, max_per_supply=0):
    out: list[tuple[int, int, float, float]] = []
    for i in range(len(s_lat)):
        row = []
        for j in range(len(d_lat)):
            fit = compat[s_group[i]][d_group[j]]
            if fit <= 0 or s_company[i] == d_company[j]:
                continue
            dist = haversine_km(s_lat[i], s_lon[i], d_lat[j], d_lon[j])
            if dist <= radius[i]:
                row.append((dist, j, fit))
        row.sort(key=lambda t: (t[0], t[1]))
        if max_per_supply:
            row = row[:max_per_supply]
        out.extend((i, j, dist, fit) for dist, j, fit in row)
    return out


def score_pair(i, j, dist, fit, s, d, circuity, weights, bias, sector_fit=0.0, link_score=0.0):
    qs, qd = s["qty_t"][i], d["qty_t"][j]
    q = min(qs, qd)
    x = [0.0] * 13
    x[0] = fit
    x[1] = q / qs if qs > 0 else 0.0
    x[2] = q / qd if qd > 0 else 0.0
    a, b = s["quality"][i], d["quality"][j]
    x[3] = 1.0 if (math.isnan(a) or math.isnan(b)) else 1.0 - max(0.0, b - a)
    md, ms = int(d["mask"][j]) & 0xFFF, int(s["mask"][i]) & 0xFFF
    pd_ = bin(md).count("1")
    x[4] = 1.0 if pd_ == 0 else bin(md & ms).count("1") / pd_
    road = dist * circuity
    x[5] = road
    x[6] = s["fixed_usd_t"][i] + s["usd_per_tkm"][i] * road
    x[7] = s["disposal_usd_t"][i] + d["virgin_usd_t"][j] * fit - x[6]
    x[8] = s["disposal_co2e_kg_t"][i] + d["virgin_co2e_kg_t"][j] * fit - s["co2e_kg_per_tkm"][i] * road
    x[9] = 1.0 if s["hazardous"][i] else 0.0
    x[10] = 1.0 if s["country"][i] != d["country"][j] else 0.0
    x[11] = sector_fit
    x[12] = link_score
    z = bias + sum(w * v for w, v in zip(weights, x))
    p = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
    return np.array(x), min(1.0, max(1e-9, p))
