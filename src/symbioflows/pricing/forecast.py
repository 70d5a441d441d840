"""Market-price forecasts for user-supplied price series (statsmodels; extra ``forecast``).

Exponential smoothing (ETS, additive error and trend) or ARIMA, each with prediction intervals.
statsmodels is imported lazily; its fitting warnings (convergence, inferred frequency) are
captured and logged rather than raised, and the fit's convergence is reported in the result.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from symbioflows._optional import import_optional
from symbioflows._validation import as_float_array
from symbioflows.errors import InvalidInputError

__all__ = ["PriceForecast", "forecast_prices"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PriceForecast:
    """Forecast table (``mean``, ``lower``, ``upper``; one row per step ahead) and fit facts."""

    table: Any  # pandas DataFrame
    method: str
    alpha: float
    aic: float
    warnings: tuple[str, ...]

    def to_pandas(self) -> Any:
        return self.table.copy()


def forecast_prices(
    prices: Any,
    horizon: int,
    *,
    method: str = "ets",
    alpha: float = 0.05,
    order: tuple[int, int, int] = (1, 1, 1),
    trend: bool = True,
    seasonal_periods: int | None = None,
) -> PriceForecast:
    """Forecast a price series ``horizon`` steps ahead with (1 - alpha) prediction intervals.

    Parameters
    ----------
    prices : array_like or pandas Series
        Observed prices (USD per tonne), oldest first, evenly spaced; at least 8 values.
    horizon : int
        Steps to forecast (>= 1).
    method : {"ets", "arima"}
        ETS(A, A, N) (or (A, N, N) with ``trend=False``; seasonal with ``seasonal_periods``),
        or ARIMA ``order``.
    alpha : float, default 0.05
        Interval level: 95 % intervals by default.

    Raises
    ------
    InvalidInputError
        NaN/inf prices (naming the position), too few values, bad horizon, method or alpha.
    MissingExtraError
        statsmodels missing (``pip install 'statsmodels>=0.14'``; extra ``forecast``).

    Examples
    --------
    >>> f = forecast_prices([100, 102, 101, 104, 106, 105, 108, 110, 109, 112], 3)
    >>> list(f.table.columns), len(f.table)
    (['mean', 'lower', 'upper'], 3)
    >>> bool((f.table["lower"] <= f.table["mean"]).all())
    True
    """
    y = as_float_array(np.asarray(prices), "prices")
    if y.size < 8:
        raise InvalidInputError(f"prices: need at least 8 observations; got {y.size}")
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise InvalidInputError(f"horizon must be an int >= 1; got {horizon!r}")
    if not 0.0 < float(alpha) < 1.0:
        raise InvalidInputError(f"alpha must be in (0, 1); got {alpha!r}")
    if method not in ("ets", "arima"):
        raise InvalidInputError(f"unknown method {method!r}; valid: ['arima', 'ets']")
    import_optional("statsmodels", "forecast", purpose="forecast_prices")
    import pandas as pd

    caught: list[str] = []
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        if method == "ets":
            from statsmodels.tsa.exponential_smoothing.ets import ETSModel

            model = ETSModel(
                pd.Series(y),
                error="add",
                trend="add" if trend else None,
                seasonal="add" if seasonal_periods else None,
                seasonal_periods=seasonal_periods,
            )
            res = model.fit(disp=False)
            pred = res.get_prediction(start=y.size, end=y.size + horizon - 1)
            frame = pred.summary_frame(alpha=alpha)
            table = pd.DataFrame(
                {
                    "mean": np.asarray(frame["mean"]),
                    "lower": np.asarray(frame["pi_lower"]),
                    "upper": np.asarray(frame["pi_upper"]),
                }
            )
        else:
            from statsmodels.tsa.arima.model import ARIMA

            res = ARIMA(y, order=order).fit()
            fc = res.get_forecast(steps=horizon)
            ci = np.asarray(fc.conf_int(alpha=alpha))
            table = pd.DataFrame(
                {"mean": np.asarray(fc.predicted_mean), "lower": ci[:, 0], "upper": ci[:, 1]}
            )
        for w in rec:
            caught.append(f"{w.category.__name__}: {w.message}")
    for msg in caught:
        log.info("statsmodels: %s", msg)
    table.index = pd.RangeIndex(1, horizon + 1, name="step")
    return PriceForecast(table=table, method=method, alpha=float(alpha), aic=float(res.aic),
                         warnings=tuple(caught))
