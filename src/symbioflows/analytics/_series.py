"""Validation of stream time series (monthly volumes, prices)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from symbioflows.errors import InvalidInputError

__all__ = ["as_series"]


def as_series(series: Any, name: str = "series", *, min_length: int = 3) -> pd.Series:
    """Return a float64 :class:`pandas.Series` with a clean index, refusing NaN/inf.

    Accepts a pandas Series (its index is kept: a DatetimeIndex/PeriodIndex gives dated
    forecasts), a 1-D numpy array, a list, or a one-column DataFrame.
    """
    if isinstance(series, pd.DataFrame):
        if series.shape[1] != 1:
            raise InvalidInputError(
                f"{name}: expected one column; got {list(series.columns)}; pass df[column]"
            )
        series = series.iloc[:, 0]
    if isinstance(series, pd.Series):
        values = series.to_numpy()
        index = series.index
        label = series.name
    else:
        values = np.asarray(series)
        index = None
        label = None
    if values.dtype.kind not in "fiub":
        try:
            values = values.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name}: expected numbers; got dtype {values.dtype}") from exc
    if values.ndim != 1:
        raise InvalidInputError(f"{name}: expected a 1-D series; got shape {values.shape}")
    values = values.astype(np.float64)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        k = int(bad[0])
        raise InvalidInputError(
            f"{name}: {bad.size} missing or non-finite value(s), first at position {k} "
            f"({values[k]!r}); fill or drop them first (e.g. series.interpolate())"
        )
    if values.size < min_length:
        raise InvalidInputError(
            f"{name}: needs at least {min_length} observations; got {values.size}"
        )
    if index is None:
        index = pd.RangeIndex(values.size)
    return pd.Series(values, index=index, name=label, dtype=np.float64)
