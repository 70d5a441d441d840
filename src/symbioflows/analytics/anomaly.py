"""Anomaly detection and volume stability for stream time series.

Three detectors share one result type:

- ``"mad"``: robust z-scores ``0.6745 (x - median) / MAD`` (Iglewicz & Hoaglin, 1993, who
  recommend flagging ``|z| > 3.5``);
- ``"seasonal"`` (default): robust z-scores of the residual of a median-based seasonal
  decomposition (per-phase medians for the season, rolling medians for the trend), so
  seasonal peaks are not flagged and one outlier cannot bend the season;
- ``"stl"``: the same on the residual of statsmodels' robust ``STL`` (Cleveland et al.,
  1990). On short series (2-4 seasons) STL's seasonal smoother tends to absorb part of an
  outlier into the season of its phase, so ``"seasonal"`` is the default;
- ``"iforest"``: scikit-learn's IsolationForest (Liu, Ting & Zhou, 2008) on the value, its
  first difference and its deviation from a rolling median.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from symbioflows._config import check_rng
from symbioflows._optional import import_optional
from symbioflows._validation import check_positive_int
from symbioflows.analytics._series import as_series
from symbioflows.errors import InvalidInputError

__all__ = ["AnomalyResult", "VolumeStability", "detect_anomalies", "robust_zscores", "volume_stability"]

logger = logging.getLogger(__name__)

_METHODS = ("seasonal", "mad", "stl", "iforest")
# Consistency constant: MAD * 1.4826 estimates the standard deviation of a normal sample
# (equivalently z = 0.6745 (x - median) / MAD); Iglewicz & Hoaglin (1993).
_MAD_TO_SD = 1.4826
# Mean absolute deviation * sqrt(pi/2) estimates the normal standard deviation; used when
# more than half of the values are equal (MAD = 0).
_MEANAD_TO_SD = 1.2533


def robust_zscores(values: Any, *, min_scale: float = 0.0) -> np.ndarray:
    """Robust z-scores ``(x - median) / (1.4826 MAD)``.

    When the MAD is zero (more than half the values equal) the mean absolute deviation
    (times 1.2533) is used instead; when every value is equal all scores are 0 (never NaN).

    Examples
    --------
    >>> robust_zscores([10, 11, 9, 10, 50]).round(1).tolist()
    [0.0, 0.7, -0.7, 0.0, 27.0]
    """
    x = as_series(values, "values", min_length=1).to_numpy()
    med = float(np.median(x))
    dev = np.abs(x - med)
    scale = _MAD_TO_SD * float(np.median(dev))
    if scale <= 0.0:
        scale = _MEANAD_TO_SD * float(np.mean(dev))
    scale = max(scale, float(min_scale))
    if scale <= 0.0:
        return np.zeros_like(x)
    return (x - med) / scale


@dataclass(frozen=True)
class AnomalyResult:
    """Per-period anomaly scores.

    ``table`` has columns ``value``, ``expected`` (median, or trend + season for STL),
    ``score`` (robust z for mad/stl, isolation score for iforest; higher = more anomalous
    in absolute value) and ``is_anomaly``.
    """

    table: pd.DataFrame
    method: str
    threshold: float

    @property
    def anomalies(self) -> pd.Index:
        """Index labels of the flagged periods."""
        return self.table.index[self.table["is_anomaly"].to_numpy()]

    @property
    def n_anomalies(self) -> int:
        return int(self.table["is_anomaly"].sum())

    def to_pandas(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, ax: Any = None) -> Any:
        """Plot the series with the anomalies marked (needs the ``viz`` extra)."""
        from symbioflows.analytics.plots import plot_anomalies

        return plot_anomalies(self, ax=ax)

    def __repr__(self) -> str:
        return (
            f"AnomalyResult(method={self.method!r}, n={len(self.table)}, "
            f"n_anomalies={self.n_anomalies})"
        )


def _stl_parts(y: np.ndarray, period: int) -> tuple[np.ndarray, np.ndarray]:
    stl_mod = import_optional("statsmodels.tsa.seasonal", "forecast", purpose="STL decomposition")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        res = stl_mod.STL(y, period=period, robust=True).fit()
    for w in record:
        logger.info("statsmodels STL: %s", w.message)
    expected = np.asarray(res.trend) + np.asarray(res.seasonal)
    return expected, np.asarray(res.resid)


def _median_decomposition(y: np.ndarray, period: int) -> tuple[np.ndarray, np.ndarray]:
    """Expected value (trend + season) and residual from a median-based decomposition.

    The season of period ``i`` is the median of the detrended values of the same phase in
    the *other* cycles (leave-one-out), so the residual is an honest prediction error: an
    outlier does not shrink its own residual, and the residual scale is not biased low by
    the median fitting the noise.
    """
    n = y.size
    ph = np.arange(n) % period
    window = period + 1 if period % 2 == 0 else period
    rough = pd.Series(y).rolling(window, center=True).median().bfill().ffill().to_numpy()
    detrended = y - rough
    season = np.array([np.median(detrended[ph == k]) for k in range(period)])
    season -= season.mean()
    deseason = y - season[ph]
    trend = pd.Series(deseason).rolling(window, center=True, min_periods=1).median().to_numpy()
    season_loo = np.empty(n)
    for k in range(period):
        members = np.flatnonzero(ph == k)
        vals = detrended[members]
        for j, i in enumerate(members):
            others = np.delete(vals, j)
            season_loo[i] = np.median(others) if others.size else season[k]
    expected = trend + season_loo - np.mean(season_loo)
    return expected, y - expected


def detect_anomalies(
    series: Any,
    *,
    method: str = "seasonal",
    threshold: float = 3.5,
    period: int = 12,
    contamination: float | str = "auto",
    rng: Any = 0,
) -> AnomalyResult:
    """Flag anomalous periods of a stream's series (volumes, prices).

    Parameters
    ----------
    series : pandas.Series or array-like
        Observations, oldest first; NaN is refused.
    method : {"seasonal", "mad", "stl", "iforest"}, default "seasonal"
        ``"seasonal"`` and ``"stl"`` need two full seasons (``2 * period`` points); with
        fewer they fall back to ``"mad"`` and log it.
    threshold : float, default 3.5
        ``|robust z|`` above which a period is flagged (mad, stl).
    period : int, default 12
        Season length for STL.
    contamination : float or "auto"
        IsolationForest's expected share of anomalies.
    rng : seed, default 0
        Seed of the isolation forest.

    Returns
    -------
    AnomalyResult

    Examples
    --------
    >>> import numpy as np
    >>> noise = np.random.default_rng(0).normal(0, 2, 48)
    >>> y = 100 + 20 * np.sin(np.arange(48) * 2 * np.pi / 12) + noise
    >>> y[30] += 40
    >>> detect_anomalies(y).anomalies.tolist()
    [30]
    """
    y = as_series(series, "series", min_length=3)
    if method not in _METHODS:
        raise InvalidInputError(f"method must be one of {_METHODS}; got {method!r}")
    if not np.isfinite(threshold) or threshold <= 0:
        raise InvalidInputError(f"threshold must be a positive number; got {threshold!r}")
    period = check_positive_int(period, "period", minimum=2)
    x = y.to_numpy()
    if method in ("stl", "seasonal") and x.size < 2 * period:
        logger.info("series of %d points is shorter than two seasons; using method='mad'", x.size)
        method = "mad"
    if method == "mad":
        score = robust_zscores(x)
        expected = np.full_like(x, float(np.median(x)))
        flag = np.abs(score) > threshold
    elif method in ("stl", "seasonal"):
        if method == "stl":
            expected, resid = _stl_parts(x, period)
        else:
            expected, resid = _median_decomposition(x, period)
        # floor the residual scale at 0.5 % of the typical level so that a noiseless
        # series (residuals ~1e-12) does not turn rounding noise into anomalies
        score = robust_zscores(resid, min_scale=0.005 * float(np.median(np.abs(x))))
        flag = np.abs(score) > threshold
    else:
        ens = import_optional("sklearn.ensemble", "learn", purpose="isolation forest")
        roll = pd.Series(x).rolling(5, center=True, min_periods=1).median().to_numpy()
        diff = np.diff(x, prepend=x[0])
        feats = np.column_stack([x, diff, x - roll])
        seed = int(check_rng(rng).integers(2**31 - 1))
        forest = ens.IsolationForest(
            n_estimators=200, contamination=contamination, random_state=seed
        ).fit(feats)
        score = -forest.score_samples(feats)
        flag = forest.predict(feats) == -1
        expected = roll
    table = pd.DataFrame(
        {"value": x, "expected": expected, "score": score, "is_anomaly": flag}, index=y.index
    )
    return AnomalyResult(table=table, method=method, threshold=float(threshold))


@dataclass(frozen=True)
class VolumeStability:
    """How stable a stream's volume is, and why it is flagged when it is not.

    Attributes
    ----------
    cv : float
        Coefficient of variation (std / mean).
    robust_cv : float
        ``1.4826 MAD / median`` (insensitive to single outliers).
    trend_per_period : float
        Theil-Sen slope divided by the median (fraction of the typical volume per period).
    zero_fraction : float
        Share of periods with no volume (intermittent streams).
    n_anomalies : int
        Periods flagged by :func:`detect_anomalies` (``"seasonal"`` when two seasons exist, else MAD).
    unstable : bool
        True when any of the ``reasons`` applies.
    reasons : tuple of str
    """

    cv: float
    robust_cv: float
    trend_per_period: float
    zero_fraction: float
    n_anomalies: int
    anomaly_fraction: float
    unstable: bool
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "cv": self.cv,
            "robust_cv": self.robust_cv,
            "trend_per_period": self.trend_per_period,
            "zero_fraction": self.zero_fraction,
            "n_anomalies": self.n_anomalies,
            "anomaly_fraction": self.anomaly_fraction,
            "unstable": self.unstable,
            "reasons": list(self.reasons),
        }


def volume_stability(
    series: Any,
    *,
    period: int = 12,
    max_robust_cv: float = 0.3,
    max_trend_per_period: float = 0.02,
    max_zero_fraction: float = 0.25,
    max_anomaly_fraction: float = 0.1,
    threshold: float = 3.5,
) -> VolumeStability:
    """Summarise how stable a stream's monthly volume is (used by reports to flag streams).

    The thresholds are policy choices, not facts: a robust coefficient of variation above
    30 %, a trend above 2 % of the median per period, more than a quarter of empty periods,
    or more than 10 % anomalous periods mark a stream as unstable. Pass your own.

    Examples
    --------
    >>> import numpy as np
    >>> volume_stability(np.full(24, 50.0)).unstable
    False
    >>> volume_stability([50, 10, 45, 120, 20, 60, 5, 35, 90, 15, 70, 5]).reasons[0]
    'robust CV 1.02 > 0.3'
    """
    y = as_series(series, "series", min_length=3)
    if (y.to_numpy() < 0).any():
        raise InvalidInputError("volumes must be non-negative; got a negative value")
    x = y.to_numpy()
    mean = float(np.mean(x))
    med = float(np.median(x))
    cv = float(np.std(x) / mean) if mean > 0 else 0.0
    mad = float(np.median(np.abs(x - med)))
    if med > 0:
        robust_cv = _MAD_TO_SD * mad / med
    else:
        robust_cv = float("inf") if mean > 0 else 0.0
    t = np.arange(x.size, dtype=np.float64)
    i, j = np.triu_indices(x.size, k=1)
    slope = float(np.median((x[j] - x[i]) / (t[j] - t[i])))
    ref = med if med > 0 else mean
    trend = slope / ref if ref > 0 else 0.0
    zero_fraction = float(np.mean(x == 0))
    anomalies = detect_anomalies(x, method="seasonal", period=period, threshold=threshold)
    n_anom = anomalies.n_anomalies
    anom_fraction = n_anom / x.size
    reasons = []
    if robust_cv > max_robust_cv:
        reasons.append(f"robust CV {robust_cv:.2f} > {max_robust_cv}")
    if abs(trend) > max_trend_per_period:
        reasons.append(f"trend {trend:+.3f} of the median per period exceeds {max_trend_per_period}")
    if zero_fraction > max_zero_fraction:
        reasons.append(f"{zero_fraction:.0%} of periods empty > {max_zero_fraction:.0%}")
    if anom_fraction > max_anomaly_fraction:
        reasons.append(f"{n_anom} anomalous periods ({anom_fraction:.0%}) > {max_anomaly_fraction:.0%}")
    return VolumeStability(
        cv=cv,
        robust_cv=float(robust_cv),
        trend_per_period=float(trend),
        zero_fraction=zero_fraction,
        n_anomalies=n_anom,
        anomaly_fraction=float(anom_fraction),
        unstable=bool(reasons),
        reasons=tuple(reasons),
    )
