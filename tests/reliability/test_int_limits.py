"""Integers past what the native core takes (issue 18 item 9): ``max_results=2**63``,
``max_length=10**30``, ``n_jobs=2**31`` reached pybind11, which raised a TypeError dumping the
private signature.  Each now raises InvalidInputError naming the argument and its range
(one helper: ``_validation.check_positive_int``; ``_config.resolve_n_jobs`` for n_jobs)."""

from __future__ import annotations

import numpy as np
import pytest

from symbioflows.chains import SymbiosisGraph, find_cycles, find_paths
from symbioflows.errors import InvalidInputError
from symbioflows.logistics import great_circle_matrix
from symbioflows.matching.candidates import find_candidates


@pytest.fixture(scope="module")
def g():
    return SymbiosisGraph(["A", "B", "C"], {"supplier": ["A", "B", "C"],
                                            "receiver": ["B", "C", "A"], "score": [0.9] * 3})


@pytest.mark.parametrize(("kw", "name"), [
    ({"max_results": 2**63}, "max_results"),
    ({"max_results": 10**30}, "max_results"),
    ({"max_expansions": 2**63}, "max_expansions"),
    ({"top_k": 2**64}, "top_k"),
    ({"max_length": 10**30}, "max_length"),
    ({"min_length": 2**70, "max_length": 2**71}, "min_length"),
    ({"n_jobs": 2**31}, "n_jobs"),
    ({"n_jobs": -(2**63)}, "n_jobs"),
])
def test_find_cycles_names_the_argument_and_range(g, kw, name):
    with pytest.raises(InvalidInputError, match=rf"{name} must be in \[-?\d+, \d+\]") as ei:
        find_cycles(g, **kw)
    assert "pybind" not in str(ei.value) and "arg0" not in str(ei.value)


@pytest.mark.parametrize(("kw", "name"), [
    ({"max_hops": 10**30}, "max_hops"),
    ({"max_results": 2**63}, "max_results"),
    ({"top_k": 2**63}, "top_k"),
    ({"n_jobs": 2**31}, "n_jobs"),
])
def test_find_paths_names_the_argument_and_range(g, kw, name):
    with pytest.raises(InvalidInputError, match=rf"{name} must be in \["):
        find_paths(g, ["A"], **kw)


def test_other_kernels_check_n_jobs_and_counts():
    with pytest.raises(InvalidInputError, match=r"n_jobs must be in \[-1024, 1024\]"):
        great_circle_matrix([0.0], [0.0], [1.0], [1.0], n_jobs=2**31)
    args = ([55.0], [12.0], [0], [1], [50.0], [55.1], [12.0], [0], [2], [[1.0]])
    with pytest.raises(InvalidInputError, match=r"max_per_supply must be in \[0, "):
        find_candidates(*args, max_per_supply=2**63)
    with pytest.raises(InvalidInputError, match=r"max_per_supply must be >= 0"):
        find_candidates(*args, max_per_supply=-1)
    # the largest allowed values still work
    assert find_candidates(*args, max_per_supply=2**63 - 1).demand.tolist() == [0]
    assert great_circle_matrix([0.0], [0.0], [0.0], [0.0], n_jobs=1024).shape == (1, 1)
    assert np.isfinite(great_circle_matrix([0.0], [0.0], [1.0], [1.0], n_jobs=-1024)).all()
