"""Regression tests for what the fuzzers found, one per finding, written as a direct call.

Fixed findings are plain tests.  Findings in code owned by another part of the project that
are not fixed yet are ``xfail(strict=True)`` with the diagnosis: when the fix lands the test
XPASSes, strict turns that into a failure, and the marker is removed so the test guards the
fix from then on.  The raw fuzzer inputs of fixed native crashes live in fuzz/regressions/.
"""

from __future__ import annotations

import numpy as np
import pytest
from reliability_kernels import _lookup

from symbioflows.errors import InvalidInputError


def _need(spec: str):
    fn = _lookup(spec)
    if fn is None:
        pytest.skip(f"{spec} not on this branch yet")
    return fn


@pytest.mark.xfail(
    strict=True,
    reason="OPEN (found by fuzz/fuzz_kernel.py top_k_compatible, 2026-11-27): w_similarity="
    "4.68e295 is finite as a double but inf in float32; inf * 0 (cosine of a zero vector) = NaN "
    "scores.  Fix in materials/compat.py: refuse weights not finite in float32.",
)
def test_top_k_compatible_huge_weight_gives_no_nan():
    top_k_compatible = _need("symbioflows.materials.compat:top_k_compatible")
    q = np.zeros((1, 1), dtype=np.float16)
    c = np.array([[-10.0], [4.84379772]])
    try:
        r = top_k_compatible(q, c, k=2, n_jobs=2, w_similarity=4.678570306380357e295)
    except InvalidInputError:
        return
    assert not np.isnan(r.score).any(), r
