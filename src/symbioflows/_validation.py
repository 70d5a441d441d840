"""Argument checks used at the boundary before data reaches the native core."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from symbioflows.errors import InvalidInputError, UnknownNodeError

__all__ = ["as_float_array", "as_index_array", "check_lat_lon", "check_positive_int", "INT64_MAX",
           "C_INT_MAX"]


def as_float_array(
    values: Any, name: str, *, ndim: int = 1, finite: bool = True, dtype: Any = np.float64
) -> npt.NDArray[Any]:
    """Convert to a C-contiguous float array, refusing object/str/complex dtypes and NaN/inf."""
    arr = np.asarray(values)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{name}: expected real numbers; got dtype {arr.dtype}")
    if arr.ndim != ndim:
        raise InvalidInputError(f"{name}: expected a {ndim}-D array; got shape {arr.shape}")
    out = np.ascontiguousarray(arr, dtype=dtype)
    if finite and out.size and not np.isfinite(out).all():
        bad = np.flatnonzero(~np.isfinite(out.reshape(-1)))
        first = int(bad[0])
        raise InvalidInputError(
            f"{name}: {bad.size} non-finite value(s), first at position {first} "
            f"({out.reshape(-1)[first]!r}); drop or fill those rows"
        )
    return out


def as_index_array(values: Any, name: str, *, n: int | None = None) -> npt.NDArray[np.int64]:
    """Convert integer ids to int64, refusing floats/bools (no silent truncation) and ids outside [0, n)."""
    arr = np.asarray(values)
    if arr.size == 0 and arr.dtype.kind == "f":
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name}: expected integer ids; got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise InvalidInputError(f"{name}: expected a 1-D array; got shape {arr.shape}")
    if arr.dtype.kind == "u" and arr.size and arr.max() > np.iinfo(np.int64).max:
        raise InvalidInputError(f"{name}: id {arr.max()} does not fit in int64")
    out = np.ascontiguousarray(arr, dtype=np.int64)
    if n is not None and out.size:
        bad = np.flatnonzero((out < 0) | (out >= n))
        if bad.size:
            k = int(bad[0])
            raise UnknownNodeError(f"{name}[{k}] = {int(out[k])} outside [0, {n})")
    return out


def check_lat_lon(lat: Any, lon: Any, *, name: str = "points") -> tuple[np.ndarray, np.ndarray]:
    """Validate WGS84 coordinates in degrees; returns float64 arrays."""
    la = as_float_array(lat, f"{name}.lat")
    lo = as_float_array(lon, f"{name}.lon")
    if la.shape != lo.shape:
        raise InvalidInputError(f"{name}: lat has {la.size} values but lon has {lo.size}")
    bad = np.flatnonzero((la < -90) | (la > 90))
    if bad.size:
        k = int(bad[0])
        raise InvalidInputError(
            f"{name} row {k}: lat={la[k]} outside [-90, 90] (are lat and lon swapped?)"
        )
    bad = np.flatnonzero((lo < -180) | (lo > 180))
    if bad.size:
        k = int(bad[0])
        raise InvalidInputError(f"{name} row {k}: lon={lo[k]} outside [-180, 180]")
    return la, lo


def check_number(value: Any, name: str, *, nonneg: bool = False) -> float:
    """A finite real number (bools and None refused), >= 0 when ``nonneg``."""
    if isinstance(value, bool) or value is None:
        raise InvalidInputError(f"{name} must be a number; got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{name} must be a number; got {value!r}") from exc
    if not math.isfinite(v) or (nonneg and v < 0):
        raise InvalidInputError(f"{name} must be finite{' and >= 0' if nonneg else ''}; got {v}")
    return v


#: The largest value a native count or limit takes (int64); ``C_INT_MAX`` for thread counts.
INT64_MAX = int(np.iinfo(np.int64).max)
C_INT_MAX = int(np.iinfo(np.int32).max)


def check_positive_int(value: Any, name: str, *, minimum: int = 1, maximum: int = INT64_MAX) -> int:
    """An int in ``[minimum, maximum]`` (bools refused): the one check of every integer
    argument before it reaches the native core, where an int past int64 (``2**63``,
    ``10**30``) would otherwise raise pybind11's dump of the private signature.

    Raises
    ------
    InvalidInputError
        Naming the argument, the value received and the allowed range.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidInputError(f"{name} must be an int; got {value!r}")
    v = int(value)
    if v < minimum:
        raise InvalidInputError(f"{name} must be >= {minimum}; got {v}")
    if v > maximum:
        raise InvalidInputError(f"{name} must be in [{minimum}, {maximum}]; got {v}")
    return v


def check_known_keys(given: Any, valid: Any, name: str, kind: str) -> None:
    """Raise InvalidInputError naming ``name``, the unknown keys of ``given`` (a mapping) and
    the valid ones, in the order of ``valid``."""
    valid = list(valid)
    unknown = set(given) - set(valid)
    if unknown:
        raise InvalidInputError(f"{name}: unknown {kind} {sorted(unknown)}; valid: {valid}")
