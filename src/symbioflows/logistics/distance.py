"""Great-circle distances (haversine) computed in the native core.

Notes
-----
Spherical Earth with the WGS84 mean radius R1 = 6371.0088 km (Moritz 2000, "Geodetic
Reference System 1980", J. Geodesy 74:128-133).  The spherical error against the ellipsoid is
below 0.5 %.  Road distances are estimated elsewhere by a circuity factor on top of these.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from symbioflows import _core
from symbioflows._config import resolve_n_jobs
from symbioflows._validation import as_index_array, check_lat_lon

__all__ = ["EARTH_RADIUS_KM", "great_circle_km", "great_circle_matrix", "great_circle_pairs"]

EARTH_RADIUS_KM: float = float(_core.EARTH_RADIUS_KM)


def great_circle_matrix(
    lat1: Any,
    lon1: Any,
    lat2: Any | None = None,
    lon2: Any | None = None,
    *,
    n_jobs: int = -1,
) -> npt.NDArray[np.float64]:
    """Distance matrix in km between two sets of WGS84 points.

    Parameters
    ----------
    lat1, lon1 : array_like of float, shape (n1,)
        First set of points, degrees.
    lat2, lon2 : array_like of float, shape (n2,), optional
        Second set; the first set again when omitted.
    n_jobs : int, default -1
        Threads (-1 = all cores).  The result does not depend on it.

    Returns
    -------
    numpy.ndarray of float64, shape (n1, n2)

    Raises
    ------
    InvalidInputError
        NaN/inf, latitude outside [-90, 90] or longitude outside [-180, 180], naming the row.
    ResourceLimitError
        More than 2**31 cells; use :func:`great_circle_pairs` for candidate pairs.

    Notes
    -----
    O(n1 * n2) time and memory; the GIL is released.

    Examples
    --------
    >>> d = great_circle_matrix([51.5074], [-0.1278], [48.8566], [2.3522])
    >>> round(float(d[0, 0]), 1)  # London -> Paris
    343.6
    """
    la1, lo1 = check_lat_lon(lat1, lon1, name="points1")
    if lat2 is None and lon2 is None:
        la2, lo2 = la1, lo1
    else:
        la2, lo2 = check_lat_lon(lat2, lon2, name="points2")
    return _core.haversine_matrix(la1, lo1, la2, lo2, resolve_n_jobs(n_jobs))


def great_circle_pairs(
    lat1: Any,
    lon1: Any,
    lat2: Any,
    lon2: Any,
    i: Any,
    j: Any,
    *,
    n_jobs: int = -1,
) -> npt.NDArray[np.float64]:
    """Distances in km for candidate pairs only: ``out[k] = d(points1[i[k]], points2[j[k]])``.

    Examples
    --------
    >>> great_circle_pairs([0.0, 0.0], [0.0, 90.0], [0.0], [0.0], [0, 1], [0, 0]).round(1)
    array([    0. , 10007.6])
    """
    la1, lo1 = check_lat_lon(lat1, lon1, name="points1")
    la2, lo2 = check_lat_lon(lat2, lon2, name="points2")
    ii = as_index_array(i, "i", n=la1.size)
    jj = as_index_array(j, "j", n=la2.size)
    if ii.size != jj.size:
        from symbioflows.errors import InvalidInputError

        raise InvalidInputError(f"i has {ii.size} values but j has {jj.size}")
    return _core.haversine_pairs(la1, lo1, la2, lo2, ii, jj, resolve_n_jobs(n_jobs))


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in km between two points (scalar convenience).

    Examples
    --------
    >>> great_circle_km(0.0, 0.0, 0.0, 180.0) == np.pi * EARTH_RADIUS_KM
    True
    """
    out = great_circle_pairs([lat1], [lon1], [lat2], [lon2], [0], [0], n_jobs=1)
    return float(out[0])
