"""Stream time-series analytics: forecasts with intervals, anomalies, volume stability.

Needs the ``forecast`` extra (statsmodels, scikit-learn); plots need ``viz``.
"""

from __future__ import annotations

from symbioflows.analytics.anomaly import (
    AnomalyResult,
    VolumeStability,
    detect_anomalies,
    robust_zscores,
    volume_stability,
)
from symbioflows.analytics.forecast import ForecastResult, forecast

__all__ = [
    "AnomalyResult",
    "ForecastResult",
    "VolumeStability",
    "detect_anomalies",
    "forecast",
    "robust_zscores",
    "volume_stability",
]
