"""Adversarial inputs.

* Complete digraphs: find_cycles on K_50 with cycles up to length 6 (about 2.0e9 simple
  cycles) under explicit limits returns within time_limit_s + 0.1 s, says it was truncated and
  why, and stays under an address-space rlimit (a subprocess sets RLIMIT_AS on itself).
* Malformed files: mutated CSV / Parquet / JSON tables each give a documented exception (or
  are accepted), none an undocumented exception, none a crash; each file is read in a
  subprocess that logs it before reading, so a crash is detected as a signal exit and names
  the file.  The suite runs a small corpus; tools/reliability_figures.py runs >= 1,000 per
  format.
"""

from __future__ import annotations

import math

import pytest

from symbioflows.testing.reliability_checks import adversarial_cycles, malformed_files, sanitized
from symbioflows.testing.reliability_kernels import _lookup

N_MALFORMED = 40  # per format in the test suite


def _need_cycles():
    if _lookup("symbioflows.chains:find_cycles") is None or _lookup(
        "symbioflows.chains:SymbiosisGraph"
    ) is None:
        pytest.skip("symbioflows.chains.find_cycles / SymbiosisGraph not on this branch yet")


@pytest.mark.parametrize(
    "limits",
    [
        {"time_limit_s": 0.5},
        {"max_results": 100_000, "time_limit_s": 5.0},
        {"max_expansions": 2_000_000, "time_limit_s": 5.0},
        {"top_k": 10, "time_limit_s": 0.5},
    ],
    ids=["time", "results", "expansions", "topk-time"],
)
def test_complete_digraph_is_bounded(limits):
    _need_cycles()
    slack = 0.1 if not sanitized() else 1.0
    # Wall-clock bounds on a shared 2-core machine: scheduling delays of other processes
    # land in our wall time, so the timing bound gets up to 3 attempts and must hold on one
    # (a search that ignores its deadline fails all three).  Every other check holds on all.
    overruns = []
    for _attempt in range(3):
        res = adversarial_cycles(n=50, max_length=6, limits=limits, n_jobs=2,
                                 rlimit_as_bytes=3 << 30)
        assert res["rc"] == 0, res
        if "top_k" in limits:
            # best-first branch and bound may prove the top k exactly before any limit: then
            # it is not truncated and returns exactly k chains
            assert res["truncated"] or res["n_cycles"] == limits["top_k"], res
        else:
            assert res["truncated"] is True, res
        if res["truncated"]:
            assert res["reason"] in ("time_limit", "max_results", "max_expansions"), res
        if "max_results" in limits:
            assert res["n_cycles"] <= limits["max_results"], res
        overruns.append(res["elapsed_s"] - limits["time_limit_s"])
        if overruns[-1] <= slack:
            break
    assert min(overruns) <= slack, (overruns, res)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_malformed_files_give_documented_errors(fmt):
    if _lookup("symbioflows:read_dataset") is None:
        pytest.skip("symbioflows.read_dataset not on this branch yet")
    res = malformed_files(fmt=fmt, n_files=N_MALFORMED, seed=1)
    assert res["crashes"] == [], res
    assert res["undocumented"] == {}, res
    n_known = len(res["known_open"])  # diagnosed, reported, strict-xfail tests of their own
    assert sum(res["documented"].values()) + res["accepted"] + n_known == N_MALFORMED
    # the mutations must actually bite: most files are refused
    assert sum(res["documented"].values()) >= math.ceil(0.3 * N_MALFORMED), res


def test_complete_digraph_large_top_k_is_bounded():
    """top_k=3,000,000 on K_50, length <= 8, 1 s (issue 18 item 5: it took 5.8 s and 1.77 GB,
    a heap entry was a vector of its own and the final merge was not in the time budget)."""
    _need_cycles()
    slack = 0.1 if not sanitized() else 1.0
    limits = {"top_k": 3_000_000, "time_limit_s": 1.0, "max_expansions": None}
    overruns = []
    for _attempt in range(3):
        res = adversarial_cycles(n=50, max_length=8, limits=limits, n_jobs=2,
                                 rlimit_as_bytes=3 << 30)
        assert res["rc"] == 0, res
        assert res["truncated"] and res["reason"] == "time_limit", res
        assert res["peak_rss_bytes"] - res["base_rss_bytes"] < 512 << 20, res
        overruns.append(res["elapsed_s"] - limits["time_limit_s"])
        if overruns[-1] <= slack:
            break
    assert min(overruns) <= slack, (overruns, res)
