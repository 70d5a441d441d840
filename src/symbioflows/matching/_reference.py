"""Pure-Python references of the matching kernels (used only by tests)."""

from __future__ import annotations

import math

import numpy as np

from symbioflows.logistics._reference import haversine_km
from symbioflows.matching.features import PAIR_FEATURES, check_feature_names


def _tie_key(a: int, b: int) -> int:
    """splitmix64 of a * 0x9E3779B97F4A7C15 + b, in plain integers (mod 2**64)."""
    m = (1 << 64) - 1
    z = (a * 0x9E3779B97F4A7C15 + b) & m
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & m
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & m
    return z ^ (z >> 31)


def candidates(s_lat, s_lon, s_group, s_company, radius, d_lat, d_lon, d_group, d_company,
               compat, max_per_supply=0, supply_ids=None, demand_ids=None):
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
        if max_per_supply and len(row) > max_per_supply:
            # the cut keeps by (distance, tie key, demand), the output is by (distance, demand)
            sid = i if supply_ids is None else supply_ids[i]
            key = {j: int(_tie_key(sid, j if demand_ids is None else demand_ids[j]))
                   for _, j, _ in row}
            row.sort(key=lambda t: (t[0], key[t[1]], t[1]))
            row = row[:max_per_supply]
        row.sort(key=lambda t: (t[0], t[1]))
        out.extend((i, j, dist, fit) for dist, j, fit in row)
    return out


def text_cosine(rows, supply_row, demand_row, i, j):
    """``text_fit`` of pair (i, j): the dot product of the two streams' unit text rows in
    float64 (0 when either has no row, -1, or there are no rows)."""
    if rows is None:
        return 0.0
    a, b = int(supply_row[i]), int(demand_row[j])
    if a < 0 or b < 0:
        return 0.0
    return float(sum(float(u) * float(v) for u, v in zip(rows[a], rows[b], strict=True)))


def score_pair(i, j, dist, fit, s, d, circuity, weights, bias, sector_fit=0.0, link_score=0.0,
               text_fit=0.0):
    """Features (in :data:`PAIR_FEATURES` order) and score of one pair; the features are
    filled by name, and every name of the native table must be filled once."""
    qs, qd = s["qty_t"][i], d["qty_t"][j]
    q = min(qs, qd)
    x: dict[str, float] = {}
    x["material_fit"] = fit
    x["quantity_fit_supply"] = q / qs if qs > 0 else 0.0
    x["quantity_fit_demand"] = q / qd if qd > 0 else 0.0
    a, b = s["quality"][i], d["quality"][j]
    x["quality_fit"] = 1.0 if (math.isnan(a) or math.isnan(b)) else 1.0 - max(0.0, b - a)
    md, ms = int(d["mask"][j]) & 0xFFF, int(s["mask"][i]) & 0xFFF
    pd_ = bin(md).count("1")
    x["timing_overlap"] = 1.0 if pd_ == 0 else bin(md & ms).count("1") / pd_
    road = dist * circuity
    x["distance_km"] = road
    x["log_distance"] = math.log1p(road)
    x["transport_usd_per_t"] = s["fixed_usd_t"][i] + s["usd_per_tkm"][i] * road
    x["surplus_usd_per_t"] = (s["disposal_usd_t"][i] + d["virgin_usd_t"][j] * fit
                              - x["transport_usd_per_t"])
    x["co2e_avoided_kg_per_t"] = (s["disposal_co2e_kg_t"][i] + d["virgin_co2e_kg_t"][j] * fit
                                  - s["co2e_kg_per_tkm"][i] * road)
    x["hazardous"] = 1.0 if s["hazardous"][i] else 0.0
    x["cross_border"] = 1.0 if s["country"][i] != d["country"][j] else 0.0
    x["sector_fit"] = sector_fit
    x["link_score"] = link_score
    x["text_fit"] = text_fit
    check_feature_names(x, "matching/_reference.py::score_pair")
    v = [x[f] for f in PAIR_FEATURES]
    z = bias + sum(w * xf for w, xf in zip(weights, v, strict=True))
    p = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
    return np.array(v), min(1.0, max(1e-9, p))
