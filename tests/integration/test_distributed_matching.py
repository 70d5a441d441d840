"""The candidate and scoring stages on a local Ray and a local Dask cluster equal the
single-machine run: same candidates, features and scores bit for bit, same allocation."""

from __future__ import annotations

import gc
import threading
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sf_test_helpers import load_module
from symbioflows.pipeline import PAIR_FEATURES, plan
from symbioflows.pipeline import scoring as scoring_mod

_mod = load_module(Path(__file__).resolve().parents[1] / "unit" / "matching" / "region.py",
                   "_matching_region")


def _check(a, b):
    key = ["supply_stream_id", "demand_stream_id"]
    assert len(a.candidates) == len(b.candidates) > 0
    # scores and every feature column equal exactly (the partitions score their own pairs)
    for col in ("score", *PAIR_FEATURES):
        np.testing.assert_array_equal(a.candidates[col].to_numpy(), b.candidates[col].to_numpy(),
                                      err_msg=col)
    pd.testing.assert_frame_equal(a.candidates.reset_index(drop=True),
                                  b.candidates.reset_index(drop=True))
    pd.testing.assert_frame_equal(a.exchanges.sort_values(key).reset_index(drop=True),
                                  b.exchanges.sort_values(key).reset_index(drop=True))
    assert a.allocation.objective == pytest.approx(b.allocation.objective, rel=1e-12)


@pytest.fixture(scope="module")
def region_and_plan():
    region = _mod.make_test_region(40, 200, seed=3)
    return region, plan(region, max_per_supply=5, chains=False)


@pytest.mark.extra
def test_dask_equals_single_machine(region_and_plan, monkeypatch):
    distributed = pytest.importorskip("distributed")
    region, single = region_and_plan
    # the in-process cluster runs tasks in worker threads: record where pairs are scored
    calls: list[tuple[bool, int]] = []
    real = scoring_mod.score_candidates

    def spy(inputs, sup, dem, cand, **kw):
        calls.append((threading.current_thread() is threading.main_thread(), len(cand)))
        return real(inputs, sup, dem, cand, **kw)

    monkeypatch.setattr(scoring_mod, "score_candidates", spy)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        got = plan(region, max_per_supply=5, chains=False, client=client, n_partitions=4)
    _check(got, single)
    # scored in the partitions (one call each, none on the driver), every pair once
    assert len(calls) == 4 and not any(on_driver for on_driver, _ in calls)
    assert sum(n for _, n in calls) == len(single.candidates)


@pytest.mark.extra
# ray.shutdown() leaves its raylet Popen handles to the garbage collector
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_ray_equals_single_machine(region_and_plan, monkeypatch):
    ray = pytest.importorskip("ray")
    region, single = region_and_plan
    monkeypatch.setenv("RAY_ACCEL_ENV_VAR_OVERRIDE_ON_ZERO", "0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False,
                 configure_logging=False, ignore_reinit_error=True)
    try:
        got = plan(region, max_per_supply=5, chains=False, client=ray, n_partitions=3)
    finally:
        ray.shutdown()
        gc.collect()  # collect ray's Popen handles here, under this test's warning filters
    _check(got, single)


def test_refuses_unknown_client(region_and_plan):
    from symbioflows.errors import InvalidInputError

    region, _ = region_and_plan
    with pytest.raises(InvalidInputError, match="ray module") as e:
        plan(region, client=object())
    # the error names the extras that provide the engines
    assert "pip install 'ray>=2.9'" in str(e.value) and "'.[dask]'" in str(e.value)
