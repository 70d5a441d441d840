"""The install advice of missing optional dependencies works without a package-index entry."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from symbioflows._optional import (
    CORE_PACKAGES,
    EXTRA_PACKAGES,
    import_optional,
    install_hint,
)
from symbioflows.errors import MissingExtraError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _project() -> dict:
    return tomllib.loads(PYPROJECT.read_text())["project"]


def test_extra_table_mirrors_pyproject():
    extras = {
        k: tuple(v)
        for k, v in _project()["optional-dependencies"].items()
        if k not in ("all", "test")
    }
    assert extras == EXTRA_PACKAGES


def test_ortools_is_a_core_dependency():
    # the plan's allocation and plan_collection use OR-tools: pip install . brings it
    deps = _project()["dependencies"]
    for spec in CORE_PACKAGES["core"]:
        assert spec in deps
    assert not any(d.startswith("faiss") for d in deps)  # MaterialIndex only, not the plan


def test_advice_names_packages_not_an_unpublished_distribution():
    for extra in EXTRA_PACKAGES:
        hint = install_hint(extra)
        assert "symbioflows[" not in hint
        assert hint.startswith("pip install '")
    with pytest.raises(MissingExtraError, match=r"pip install 'faiss-cpu>=1.8'"):
        import_optional("symbioflows_no_such_module", "faiss")
    with pytest.raises(ValueError, match="unknown extra"):
        install_hint("routing")


def test_no_unpublished_install_advice_in_the_sources():
    root = PYPROJECT.parent
    offenders = []
    for base in ("src", "docs", "README.md", "examples"):
        p = root / base
        files = (
            [p]
            if p.is_file()
            else [f for f in p.rglob("*") if f.suffix in (".py", ".md", ".ipynb")]
        )
        for f in files:
            if "pip install 'symbioflows[" in f.read_text(errors="replace"):
                offenders.append(str(f.relative_to(root)))
    assert offenders == []
