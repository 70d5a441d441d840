"""Helpers shared by tests (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

import os


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
