"""Run the Examples sections of every public module as doctests (against the installed package)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import symbioflows
from symbioflows.errors import MissingExtraError


def _modules() -> list[str]:
    names = ["symbioflows"]
    for info in pkgutil.walk_packages(symbioflows.__path__, "symbioflows."):
        last = info.name.rsplit(".", 1)[-1]
        if last.startswith("_") and last not in ("__init__",):
            continue  # private modules: references, CLI plumbing
        if ".tests" in info.name:
            continue
        names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_module_doctests(name):
    try:
        mod = importlib.import_module(name)
    except MissingExtraError as exc:  # pragma: no cover - depends on installed extras
        pytest.skip(str(exc))
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(mod, name, module=mod):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
