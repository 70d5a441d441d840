"""Analytics: forecasts with intervals, anomaly detectors on series with known anomalies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from symbioflows.analytics import (
    detect_anomalies,
    forecast,
    robust_zscores,
    volume_stability,
)
from symbioflows.errors import InvalidInputError


def _seasonal(n=60, seed=0, noise=2.0, trend=0.3):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 100 + trend * t + 20 * np.sin(2 * np.pi * t / 12) + rng.normal(0, noise, n)
    idx = pd.date_range("2020-01-01", periods=n, freq="MS")
    return pd.Series(y, index=idx, name="t_per_month")


@pytest.mark.parametrize("method", ["ets", "arima"])
def test_forecast_interval_and_index(method):
    y = _seasonal()
    fc = forecast(y, horizon=12, method=method, level=0.9)
    assert len(fc.mean) == 12
    assert isinstance(fc.mean.index, pd.DatetimeIndex)
    assert fc.mean.index[0] == pd.Timestamp("2025-01-01")
    assert (fc.lower <= fc.mean).all() and (fc.mean <= fc.upper).all()
    # the truth (without noise) of the next year lies within the interval for most months
    t = np.arange(60, 72)
    truth = 100 + 0.3 * t + 20 * np.sin(2 * np.pi * t / 12)
    inside = (truth >= fc.lower.to_numpy() - 1) & (truth <= fc.upper.to_numpy() + 1)
    assert inside.mean() >= 0.75
    assert np.abs(fc.mean.to_numpy() - truth).mean() < 8
    df = fc.to_pandas()
    assert list(df.columns) == ["mean", "lower", "upper"]


def test_forecast_wider_interval_for_higher_level():
    y = _seasonal(seed=1)
    a = forecast(y, horizon=6, level=0.5)
    b = forecast(y, horizon=6, level=0.95)
    assert ((b.upper - b.lower) > (a.upper - a.lower)).all()


def test_forecast_log_transform_stays_positive():
    y = np.abs(_seasonal(noise=5).to_numpy()) / 20
    fc = forecast(y, horizon=24, log_transform=True)
    assert (fc.lower > -1e-9).all()


def test_forecast_constant_and_short():
    fc = forecast(np.full(10, 5.0), horizon=3)
    np.testing.assert_allclose(fc.mean.to_numpy(), 5.0, atol=1e-6)
    with pytest.raises(InvalidInputError, match="at least 4"):
        forecast([1.0, 2.0, 3.0])


@pytest.mark.parametrize(
    "bad, match",
    [([1.0, np.nan, 2.0, 3.0, 4.0], "position 1"), ([1.0, np.inf, 2.0, 3.0], "non-finite")],
)
def test_forecast_refuses_nan(bad, match):
    with pytest.raises(InvalidInputError, match=match):
        forecast(bad)


def test_forecast_bad_arguments():
    y = _seasonal()
    with pytest.raises(InvalidInputError, match="method"):
        forecast(y, method="prophet")
    with pytest.raises(InvalidInputError, match="level"):
        forecast(y, level=1.5)
    with pytest.raises(InvalidInputError, match="horizon"):
        forecast(y, horizon=0)
    with pytest.raises(TypeError):
        forecast(np.array(["a", "b", "c", "d"]))


def test_robust_zscores_properties():
    z = robust_zscores([1, 1, 1, 1])
    assert (z == 0).all()
    z = robust_zscores([5, 5, 5, 5, 9])  # MAD = 0 -> mean absolute deviation fallback
    assert np.isfinite(z).all() and z[-1] > 3
    x = np.random.default_rng(0).normal(10, 2, 2000)
    z = robust_zscores(x)
    assert abs(np.std(z) - 1) < 0.1  # consistent with the normal sd


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("method", ["seasonal", "mad"])
def test_detect_known_anomalies(seed, method):
    y = _seasonal(seed=seed, trend=0.0 if method == "mad" else 0.5).to_numpy().copy()
    if method == "mad":
        y = 100 + np.random.default_rng(seed).normal(0, 2, 60)
    y[30] += 40
    y[7] -= 35
    res = detect_anomalies(y, method=method)
    flagged = set(res.anomalies.tolist())
    assert {7, 30} <= flagged
    assert len(flagged) <= 4  # few false positives
    assert res.table.loc[30, "score"] > 3.5 and res.table.loc[7, "score"] < -3.5


def test_seasonal_peaks_are_not_anomalies_for_seasonal_but_are_for_mad():
    t = np.arange(48)
    y = 100 + np.where(t % 12 == 11, 80.0, 0.0) + np.random.default_rng(3).normal(0, 1, 48)
    assert detect_anomalies(y, method="seasonal").n_anomalies == 0
    assert detect_anomalies(y, method="mad").n_anomalies >= 4


def test_isolation_forest_ranks_spikes_first():
    y = 100 + np.random.default_rng(0).normal(0, 2, 80)
    y[[10, 50]] += [60, -60]
    res = detect_anomalies(y, method="iforest", contamination=0.05, rng=0)
    top2 = set(np.argsort(-res.table["score"].to_numpy())[:2].tolist())
    assert top2 == {10, 50}
    assert {10, 50} <= set(res.anomalies.tolist())
    again = detect_anomalies(y, method="iforest", contamination=0.05, rng=0)
    pd.testing.assert_frame_equal(res.table, again.table)


def test_stl_and_short_series_fallback():
    y = _seasonal(n=48, seed=2).to_numpy().copy()
    y[20] += 60
    assert 20 in detect_anomalies(y, method="stl").anomalies
    short = detect_anomalies(y[:10], method="seasonal")
    assert short.method == "mad"
    with pytest.raises(InvalidInputError, match="method"):
        detect_anomalies(y, method="lof")
    with pytest.raises(InvalidInputError, match="threshold"):
        detect_anomalies(y, threshold=-1)


def test_volume_stability():
    stable = volume_stability(100 + np.random.default_rng(0).normal(0, 3, 36))
    assert not stable.unstable and stable.reasons == ()
    trending = volume_stability(100 + 5 * np.arange(36.0))
    assert trending.unstable and any("trend" in r for r in trending.reasons)
    intermittent = volume_stability(np.array([0, 0, 0, 50] * 6, dtype=float))
    assert intermittent.unstable
    assert any("empty" in r for r in intermittent.reasons)
    assert intermittent.to_dict()["unstable"] is True
    with pytest.raises(InvalidInputError, match="non-negative"):
        volume_stability([1.0, -2.0, 3.0])


def test_plots_smoke():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    y = _seasonal()
    ax = forecast(y, horizon=6).plot()
    assert ax.get_legend() is not None
    ax2 = detect_anomalies(y).plot()
    assert "anomalies" in ax2.get_title()
    plt.close("all")
