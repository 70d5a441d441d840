"""The README's Python examples run as written (docs are promises)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_the_readme_has_python_examples():
    assert len(_blocks()) >= 2


@pytest.mark.parametrize("k", range(len(_blocks())))
def test_a_readme_example_runs(k, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # plan.write("my-report") writes here
    ns: dict = {}
    exec(compile(_blocks()[k], f"README.md python block {k + 1}", "exec"), ns)  # noqa: S102
    if "p" in ns and "streams" in ns:  # the free-text example: the pairs it promises
        ex = ns["p"].exchanges
        assert set(zip(ex["supply_stream_id"], ex["demand_stream_id"])) == {("s1", "d1"),
                                                                            ("s2", "d2")}
        assert (ns["p"].streams["class_source"] == "inferred").all()
