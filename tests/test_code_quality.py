"""Static checks that CI runs as part of the test suite: ruff, mypy on src/, and the stub check."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=900)


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff not installed")
def test_ruff_clean():
    dirs = [d for d in ("src", "tests", "benchmarks", "tools", "examples") if (ROOT / d).is_dir()]
    r = _run([sys.executable, "-m", "ruff", "check", *dirs])
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_clean():
    pytest.importorskip("mypy")
    r = _run([sys.executable, "-m", "mypy", "--no-incremental"])
    assert r.returncode == 0, r.stdout + r.stderr


def test_core_stub_matches_built_module():
    pytest.importorskip("pybind11_stubgen")
    r = _run([sys.executable, "tools/gen_stubs.py", "--check"])
    assert r.returncode == 0, r.stdout + r.stderr
