"""Thread stress: every public kernel in the reliability table, called from 16 Python threads
at once on the same input objects, gives results byte-identical to a serial run, and the same
bytes for n_jobs in {1, 2, 4}; the shared inputs are left unchanged."""

from __future__ import annotations

import pytest

from symbioflows.testing.reliability_checks import thread_stress
from symbioflows.testing.reliability_kernels import KERNELS


@pytest.mark.parametrize("kernel", KERNELS, ids=[k.name for k in KERNELS])
def test_sixteen_threads_byte_identical_to_serial(kernel):
    fn = kernel.resolve()
    if fn is None:
        pytest.skip(kernel.missing_reason())
    res = thread_stress(kernel, fn, n_threads=16, calls_per_thread=2)
    assert res.calls == 32
    assert res.errors == 0, res
    assert res.mismatches == 0, res
    assert res.n_jobs_mismatches == 0, res


def test_harness_detects_a_racy_kernel():
    """Negative control: a kernel that shares mutable state between calls must be caught."""
    import threading
    import time

    import numpy as np

    from symbioflows.testing.reliability_kernels import Kernel

    state = {"n": 0}
    lock = threading.Lock()

    def racy(x, n_jobs=1):
        with lock:
            state["n"] += 1
            v = state["n"]
        time.sleep(0.001)
        return np.array([v], dtype=np.int64)

    k = Kernel("racy", "x:y", lambda rng: {"x": np.zeros(3)},
               lambda fn, x, nj: fn(x["x"], n_jobs=nj))
    res = thread_stress(k, racy, n_threads=16, calls_per_thread=2)
    assert res.mismatches == 32 and res.n_jobs_mismatches == 3


def test_canonical_bytes_sees_every_bit():
    import numpy as np

    from symbioflows.testing.reliability_kernels import canonical_bytes

    assert canonical_bytes(np.array([0.0])) != canonical_bytes(np.array([-0.0]))
    assert canonical_bytes(np.array([1.0])) != canonical_bytes(np.array([1.0], dtype=np.float32))
    assert canonical_bytes(np.zeros((2, 3))) != canonical_bytes(np.zeros((3, 2)))
    assert canonical_bytes({"a": 1, "solve_time_s": 1.0}) == canonical_bytes({"a": 1, "solve_time_s": 2.0})
