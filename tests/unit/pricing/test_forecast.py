from __future__ import annotations

import numpy as np
import pytest

from symbioflows.errors import InvalidInputError

pytest.importorskip("statsmodels")

from symbioflows.pricing import forecast_prices  # noqa: E402


@pytest.mark.parametrize("method", ["ets", "arima"])
def test_forecast_intervals(method):
    rng = np.random.default_rng(0)
    y = 200 + np.cumsum(rng.normal(0.5, 3, 36))
    f = forecast_prices(y, 6, method=method, alpha=0.1)
    t = f.table
    assert len(t) == 6 and list(t.index) == [1, 2, 3, 4, 5, 6]
    assert (t["lower"] <= t["mean"]).all() and (t["mean"] <= t["upper"]).all()
    # intervals widen with the horizon
    w = (t["upper"] - t["lower"]).to_numpy()
    assert w[-1] > w[0]


def test_forecast_bad_inputs():
    y = np.arange(20.0)
    with pytest.raises(InvalidInputError, match="position 3"):
        forecast_prices(np.where(np.arange(20) == 3, np.nan, y), 2)
    with pytest.raises(InvalidInputError, match="at least 8"):
        forecast_prices([1.0, 2.0], 2)
    with pytest.raises(InvalidInputError, match="horizon"):
        forecast_prices(y, 0)
    with pytest.raises(InvalidInputError, match="method"):
        forecast_prices(y, 2, method="prophet")
