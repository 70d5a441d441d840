"""Forecasts with prediction intervals for stream time series (statsmodels ETS / ARIMA)."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from symbioflows._optional import import_optional
from symbioflows._validation import check_positive_int
from symbioflows.analytics._series import as_series
from symbioflows.errors import InvalidInputError, SolverError

__all__ = ["ForecastResult", "forecast"]

logger = logging.getLogger(__name__)

_METHODS = ("ets", "arima")


@dataclass(frozen=True)
class ForecastResult:
    """A point forecast with a central prediction interval.

    Attributes
    ----------
    mean, lower, upper : pandas.Series
        Point forecast and interval bounds, indexed by the future periods.
    level : float
        Nominal coverage of the interval (0.9 = 90 %).
    method : str
        ``"ets"`` or ``"arima"`` and the model that was fitted (``model``).
    history : pandas.Series
        The observed series the model was fitted on.
    """

    mean: pd.Series
    lower: pd.Series
    upper: pd.Series
    level: float
    method: str
    model: str
    history: pd.Series
    aic: float = float("nan")
    warnings: tuple[str, ...] = field(default=())

    def to_pandas(self) -> pd.DataFrame:
        """Forecast table with columns ``mean``, ``lower``, ``upper``."""
        return pd.DataFrame({"mean": self.mean, "lower": self.lower, "upper": self.upper})

    def plot(self, ax: Any = None) -> Any:
        """Plot history, forecast and interval (needs the ``viz`` extra)."""
        from symbioflows.analytics.plots import plot_forecast

        return plot_forecast(self, ax=ax)

    def __repr__(self) -> str:
        return (
            f"ForecastResult(method={self.method!r}, model={self.model!r}, "
            f"horizon={len(self.mean)}, level={self.level})"
        )


def _future_index(index: pd.Index, horizon: int) -> pd.Index:
    if isinstance(index, pd.DatetimeIndex):
        freq = index.freq or (pd.infer_freq(index) if len(index) >= 3 else None)
        if freq is not None:
            return pd.date_range(index[-1], periods=horizon + 1, freq=freq)[1:]
    if isinstance(index, pd.PeriodIndex):
        return pd.period_range(index[-1] + 1, periods=horizon, freq=index.freq)
    if isinstance(index, pd.RangeIndex) or pd.api.types.is_integer_dtype(index):
        start = int(index[-1]) + 1
        return pd.RangeIndex(start, start + horizon)
    return pd.RangeIndex(len(index), len(index) + horizon)


def forecast(
    series: Any,
    horizon: int = 12,
    *,
    method: str = "ets",
    seasonal_period: int | None = 12,
    level: float = 0.9,
    log_transform: bool = False,
) -> ForecastResult:
    """Forecast a stream's monthly series with a prediction interval.

    Parameters
    ----------
    series : pandas.Series or array-like
        Observed values (e.g. tonnes per month, USD per tonne), oldest first. A
        DatetimeIndex/PeriodIndex with a regular frequency gives a dated forecast.
    horizon : int, default 12
        Number of future periods.
    method : {"ets", "arima"}
        ``"ets"``: additive-error exponential smoothing (statsmodels ``ETSModel``) with a
        damped additive trend and, when at least two seasons are observed, additive
        seasonality. ``"arima"``: ARIMA(1,1,1), seasonal (1,0,0)s when two seasons exist.
    seasonal_period : int or None, default 12
        Season length in periods (12 for monthly data); ``None`` for no seasonality.
    level : float, default 0.9
        Coverage of the prediction interval, in (0, 1).
    log_transform : bool, default False
        Model ``log1p(y)`` and transform back (keeps volumes positive; intervals become
        asymmetric). Requires ``y >= 0``.

    Returns
    -------
    ForecastResult

    Raises
    ------
    InvalidInputError
        NaN in the series, fewer than 4 observations, bad ``level`` or ``method``.
    MissingExtraError
        statsmodels is not installed (``pip install 'statsmodels>=0.14'``; extra ``forecast``).

    Notes
    -----
    Warnings from statsmodels (convergence, frequency) are captured, logged and kept in
    ``ForecastResult.warnings`` instead of being raised.

    Examples
    --------
    >>> import numpy as np
    >>> y = 100 + 10 * np.sin(np.arange(36) * 2 * np.pi / 12)
    >>> fc = forecast(y, horizon=6)
    >>> len(fc.mean), bool((fc.lower <= fc.mean).all() and (fc.mean <= fc.upper).all())
    (6, True)
    """
    y = as_series(series, "series", min_length=4)
    horizon = check_positive_int(horizon, "horizon")
    if method not in _METHODS:
        raise InvalidInputError(f"method must be one of {_METHODS}; got {method!r}")
    if not (isinstance(level, (float, int)) and 0.0 < float(level) < 1.0):
        raise InvalidInputError(f"level must be in (0, 1); got {level!r}")
    if seasonal_period is not None:
        seasonal_period = check_positive_int(seasonal_period, "seasonal_period", minimum=2)
    values = y.to_numpy()
    if log_transform:
        if (values < 0).any():
            raise InvalidInputError("log_transform=True needs non-negative values; got a negative one")
        values = np.log1p(values)
    seasonal = seasonal_period is not None and values.size >= 2 * seasonal_period
    alpha = 1.0 - float(level)
    caught: list[str] = []
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        try:
            if method == "ets":
                ets = import_optional("statsmodels.tsa.exponential_smoothing.ets", "forecast")
                const = bool(np.ptp(values) == 0)
                model = ets.ETSModel(
                    pd.Series(values, index=pd.RangeIndex(values.size)),
                    error="add",
                    trend=None if const else "add",
                    damped_trend=not const,
                    seasonal="add" if (seasonal and not const) else None,
                    seasonal_periods=seasonal_period if (seasonal and not const) else None,
                )
                fit = model.fit(disp=False)
                frame = fit.get_prediction(
                    start=values.size, end=values.size + horizon - 1
                ).summary_frame(alpha=alpha)
                mean = frame["mean"].to_numpy(dtype=np.float64)
                lower = frame["pi_lower"].to_numpy()
                upper = frame["pi_upper"].to_numpy()
                name = (
                    f"ETS(A,{'Ad' if not const else 'N'},"
                    f"{'A' if seasonal and not const else 'N'})"
                )
            else:
                arima = import_optional("statsmodels.tsa.arima.model", "forecast")
                order = (1, 1, 1)
                sorder = (1, 0, 0, seasonal_period) if seasonal else (0, 0, 0, 0)
                fit = arima.ARIMA(values, order=order, seasonal_order=sorder).fit()
                pred = fit.get_forecast(horizon)
                mean = np.asarray(pred.predicted_mean)
                ci = np.asarray(pred.conf_int(alpha=alpha))
                lower, upper = ci[:, 0], ci[:, 1]
                name = f"ARIMA{order}" + (f"x{sorder}" if seasonal else "")
        except (np.linalg.LinAlgError, ValueError) as exc:
            raise SolverError(f"statsmodels failed to fit {method}: {exc}") from exc
        caught = [str(w.message) for w in record]
    for msg in caught:
        logger.info("statsmodels: %s", msg)
    if not (np.isfinite(mean).all() and np.isfinite(lower).all() and np.isfinite(upper).all()):
        raise SolverError(f"{method} produced a non-finite forecast; try method='arima' or 'ets'")
    if log_transform:
        mean, lower, upper = np.expm1(mean), np.expm1(lower), np.expm1(upper)
    idx = _future_index(y.index, horizon)
    return ForecastResult(
        mean=pd.Series(mean, index=idx, name="mean"),
        lower=pd.Series(np.minimum(lower, mean), index=idx, name="lower"),
        upper=pd.Series(np.maximum(upper, mean), index=idx, name="upper"),
        level=float(level),
        method=method,
        model=name,
        history=y,
        aic=float(getattr(fit, "aic", float("nan"))),
        warnings=tuple(caught),
    )
