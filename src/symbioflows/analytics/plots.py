"""Matplotlib plots of forecasts and anomalies (``viz`` extra).

The plots read a result's fields (``history``, ``mean``, ``lower``, ``upper`` ... ) and import
neither result module: the results call these functions from their ``plot()`` methods, so an
import here would close a cycle (``plots`` <-> ``forecast`` / ``anomaly``).
"""

from __future__ import annotations

from typing import Any

from symbioflows._optional import import_optional

__all__ = ["plot_anomalies", "plot_forecast"]


def _axes(ax: Any) -> Any:
    plt = import_optional("matplotlib.pyplot", "viz", purpose="plots")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3))
    return ax


def plot_forecast(result: Any, ax: Any = None) -> Any:
    """History, point forecast and prediction interval of a
    :class:`~symbioflows.analytics.ForecastResult` on one axes; returns the axes."""
    ax = _axes(ax)
    hist = result.history
    ax.plot(hist.index, hist.to_numpy(), color="0.2", label="observed")
    ax.plot(result.mean.index, result.mean.to_numpy(), color="C0", label=f"forecast ({result.model})")
    ax.fill_between(
        result.mean.index,
        result.lower.to_numpy(),
        result.upper.to_numpy(),
        color="C0",
        alpha=0.25,
        label=f"{result.level:.0%} interval",
    )
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_anomalies(result: Any, ax: Any = None) -> Any:
    """The series, its expected level and the flagged periods; returns the axes."""
    ax = _axes(ax)
    t = result.table
    ax.plot(t.index, t["value"].to_numpy(), color="0.2", label="observed")
    ax.plot(t.index, t["expected"].to_numpy(), color="C0", alpha=0.6, label="expected")
    flagged = t[t["is_anomaly"]]
    ax.scatter(flagged.index, flagged["value"].to_numpy(), color="C3", zorder=3, label="anomaly")
    ax.set_title(f"anomalies ({result.method})")
    ax.legend(loc="best", fontsize="small")
    return ax
