"""Slow pure-Python reference of the distance kernels, used only by the tests."""

from __future__ import annotations

import math

R_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    h = min(1.0, max(0.0, h))
    return 2 * R_KM * math.asin(math.sqrt(h))


def haversine_matrix(lat1, lon1, lat2, lon2):  # type: ignore[no-untyped-def]
    return [[haversine_km(a, b, c, d) for c, d in zip(lat2, lon2)] for a, b in zip(lat1, lon1)]
