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


def load_module(path, name: str):  # type: ignore[no-untyped-def]
    """Import the Python file at ``path`` (a benchmark, a tool, a test's region builder that is
    not on sys.path) as the module ``name``."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _maestri_dir():  # type: ignore[no-untyped-def]
    from symbioflows.evaluate import find_data_dir

    return find_data_dir()


#: the folder of ``maestri_exchanges.csv`` (None when the shared data is absent)
MAESTRI_DATA = _maestri_dir()
#: skip a test that needs the MAESTRI exchanges when they are absent
needs_maestri = pytest.mark.skipif(MAESTRI_DATA is None,
                                   reason="shared/data/maestri_exchanges.csv absent")
