from __future__ import annotations

import math

import numpy as np
import pytest

from symbioflows.errors import InvalidInputError, ResourceLimitError, UnknownNodeError
from symbioflows.logistics import great_circle_km, great_circle_matrix, great_circle_pairs
from symbioflows.logistics.distance import EARTH_RADIUS_KM


def test_known_distance_london_paris():
    # 343.6 km by haversine on R = 6371.0088 km
    assert great_circle_km(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343.56, abs=0.05)


def test_identical_and_antipodal_points():
    assert great_circle_km(10.0, 20.0, 10.0, 20.0) == 0.0
    d = great_circle_km(45.0, 30.0, -45.0, -150.0)
    assert d == pytest.approx(math.pi * EARTH_RADIUS_KM, rel=1e-12)
    assert not math.isnan(great_circle_km(90, 0, -90, 0))


@pytest.mark.parametrize("bad", [[float("nan")], [float("inf")], [91.0], [-90.5]])
def test_bad_latitude_names_row(bad):
    with pytest.raises(InvalidInputError, match="row 0|position 0"):
        great_circle_matrix(bad, [0.0])


def test_bad_longitude_and_shape():
    with pytest.raises(InvalidInputError, match="lon"):
        great_circle_matrix([0.0], [181.0])
    with pytest.raises(InvalidInputError, match="lat has 2 values but lon has 1"):
        great_circle_matrix([0.0, 1.0], [0.0])
    with pytest.raises(TypeError):
        great_circle_matrix(np.array(["a"]), np.array(["b"]))


def test_empty_inputs():
    assert great_circle_matrix([], []).shape == (0, 0)
    assert great_circle_pairs([1.0], [1.0], [1.0], [1.0], [], []).shape == (0,)


def test_pairs_index_checks():
    with pytest.raises(UnknownNodeError):
        great_circle_pairs([0.0], [0.0], [0.0], [0.0], [1], [0])
    with pytest.raises(TypeError):
        great_circle_pairs([0.0], [0.0], [0.0], [0.0], [0.5], [0])


def test_matrix_size_limit():
    from symbioflows import _core

    n = 50_000
    z = np.zeros(n)
    with pytest.raises(ResourceLimitError):
        _core.haversine_matrix(z, z, np.zeros(n), np.zeros(n), 1)


def test_native_checks_bypass_of_python_wrapper():
    from symbioflows import _core

    with pytest.raises(InvalidInputError, match="lat1\\[0\\] is not finite"):
        _core.haversine_matrix(np.array([np.nan]), np.array([0.0]), np.array([0.0]), np.array([0.0]), 1)
    with pytest.raises(TypeError):
        _core.haversine_pairs(np.zeros(1), np.zeros(1), np.zeros(1), np.zeros(1),
                              np.array([0.7]), np.array([0]), 1)


def test_threads_do_not_change_result():
    rng = np.random.default_rng(0)
    la, lo = rng.uniform(-90, 90, 300), rng.uniform(-180, 180, 300)
    a = great_circle_matrix(la, lo, n_jobs=1)
    b = great_circle_matrix(la, lo, n_jobs=2)
    assert np.array_equal(a, b)
