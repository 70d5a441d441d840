"""Shared keyword handling: ``n_jobs`` and ``rng``."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

from symbioflows.errors import InvalidInputError

__all__ = ["resolve_n_jobs", "check_rng", "scoped_env"]


#: The largest thread count ``n_jobs`` may ask for (each kernel starts that many threads).
MAX_N_JOBS = 1024


def resolve_n_jobs(n_jobs: int | None) -> int:
    """Number of threads for ``n_jobs`` (joblib convention).

    ``None`` or ``1`` -> 1; ``-1`` -> all cores; ``-2`` -> all but one; ``0`` and
    ``|n_jobs| > MAX_N_JOBS`` are errors (:class:`InvalidInputError` naming the range).
    """
    if n_jobs is None:
        return 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)):
        raise InvalidInputError(f"n_jobs must be an int; got {n_jobs!r}")
    n = int(n_jobs)
    if n == 0:
        raise InvalidInputError("n_jobs=0 is not allowed; pass a positive count or -1 for all cores")
    if abs(n) > MAX_N_JOBS:
        raise InvalidInputError(
            f"n_jobs must be in [-{MAX_N_JOBS}, {MAX_N_JOBS}] (not 0); got {n}: pass -1 for all "
            "cores")
    cores = os.cpu_count() or 1
    if n < 0:
        return max(1, cores + 1 + n)
    return n


def check_rng(rng: Any = None) -> np.random.Generator:
    """Turn anything :func:`numpy.random.default_rng` accepts into a Generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"rng must be a seed, SeedSequence or Generator; got {rng!r}") from exc


_ENV_LOCK = threading.RLock()


@contextlib.contextmanager
def scoped_env(**values: str) -> Iterator[None]:
    """Set environment variables for the duration of a block, then restore them exactly.

    A library must not change its host's environment: settings that a third-party library
    reads from the environment (``HF_HUB_OFFLINE``, ``FLWR_HOME``) are set only around the
    calls that need them.  Blocks are serialised by one lock (the environment is process-wide).

    Examples
    --------
    >>> import os
    >>> before = os.environ.get("SYMBIOFLOWS_DEMO")
    >>> with scoped_env(SYMBIOFLOWS_DEMO="1"):
    ...     os.environ["SYMBIOFLOWS_DEMO"]
    '1'
    >>> os.environ.get("SYMBIOFLOWS_DEMO") == before
    True
    """
    with _ENV_LOCK:
        saved = {k: os.environ.get(k) for k in values}
        os.environ.update(values)
        try:
            yield
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
