"""Helpers shared by tests (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

import os

import pytest


def child_pythonpath() -> str:
    """PYTHONPATH for a child interpreter: the folder this process imported symbioflows from
    (src/ in a developer build, the sanitized copy, or site-packages after ``pip install``),
    then whatever was already set."""
    from pathlib import Path

    import symbioflows

    parts = [str(Path(symbioflows.__file__).resolve().parents[1])]
    if os.environ.get("PYTHONPATH"):
        parts.append(os.environ["PYTHONPATH"])
    return os.pathsep.join(parts)


def _maestri_dir():  # type: ignore[no-untyped-def]
    from symbioflows.evaluate import find_data_dir

    return find_data_dir()


#: the folder of ``maestri_exchanges.csv`` (None when the shared data is absent)
MAESTRI_DATA = _maestri_dir()
#: skip a test that needs the MAESTRI exchanges when they are absent
needs_maestri = pytest.mark.skipif(MAESTRI_DATA is None,
                                   reason="shared/data/maestri_exchanges.csv absent")
