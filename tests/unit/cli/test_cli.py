"""The command line, run as ``python -m symbioflows`` in a subprocess: exit codes and messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sf_test_helpers import child_pythonpath

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = child_pythonpath()
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(
        [sys.executable, "-m", "symbioflows", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=cwd,
    )


def _no_traceback(r: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout, r.stderr


@pytest.fixture
def good_folder(tmp_path) -> Path:
    from symbioflows.datasets import make_region

    return make_region(20, rng=0).write(tmp_path / "good")


@pytest.fixture
def bad_folder(good_folder) -> Path:
    s = pd.read_csv(good_folder / "streams.csv", dtype=str, keep_default_na=False)
    s.loc[0, "quantity"] = "12 t"
    s.loc[1, "unit"] = "bananas"
    s.to_csv(good_folder / "streams.csv", index=False)
    return good_folder


def test_help_and_version():
    r = run("--help")
    assert r.returncode == 0 and "validate" in r.stdout and "demo" in r.stdout
    r = run("--version")
    assert r.returncode == 0 and "symbioflows" in r.stdout


def test_no_command_prints_help_and_exits_2():
    r = run()
    assert r.returncode == 2 and "usage" in r.stdout.lower()


def test_unknown_command_and_bad_option_exit_2():
    for args in (["frobnicate"], ["validate"], ["demo", "--bogus"]):
        r = run(*args)
        assert r.returncode == 2, args
        _no_traceback(r)


def test_validate_ok(good_folder):
    r = run("validate", str(good_folder))
    assert r.returncode == 0, r.stderr
    assert "OK" in r.stdout


def test_validate_problems_exit_1_and_lists_them(bad_folder):
    r = run("validate", str(bad_folder))
    assert r.returncode == 1
    _no_traceback(r)
    assert "a number with a unit in a number column" in r.stdout
    assert "unknown unit 'bananas'" in r.stdout
    r = run("validate", str(bad_folder), "--lenient")
    assert r.returncode == 1 and "left out: streams row 0" in r.stdout


def test_validate_json(bad_folder):
    r = run("validate", str(bad_folder), "--json")
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["ok"] is False and doc["n_errors"] == 2
    assert {p["code"] for p in doc["problems"]} >= {"not_a_number", "unknown_unit"}


def test_validate_missing_path_exit_2(tmp_path):
    r = run("validate", str(tmp_path / "missing"))
    assert r.returncode == 2
    _no_traceback(r)
    assert "no such file" in r.stderr


def test_validate_unreadable_file_exit_2(good_folder):
    (good_folder / "streams.csv").write_bytes("stream_id,company_id\ns1,é\n".encode("latin-1"))
    r = run("validate", str(good_folder))
    assert r.returncode == 2
    _no_traceback(r)
    assert "encoding" in r.stderr


def test_demo_writes_report(tmp_path):
    out = tmp_path / "report"
    r = run("demo", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "report:" in r.stdout
    assert (out / "index.html").is_file()
    assert any(p.suffix == ".parquet" for p in (out / "tables").iterdir())
    r = run("demo", "--out", str(out / "index.html"), "--quiet")  # a file, not a folder
    assert r.returncode == 2
    _no_traceback(r)
    assert "is a file" in r.stderr


def test_subcommand_registry_skips_missing_modules(monkeypatch):
    from symbioflows import cli

    monkeypatch.setattr(cli, "SUBCOMMAND_MODULES", ("symbioflows.does_not_exist._cli",))
    parser = cli.build_parser()
    assert parser.parse_args(["demo"]).command == "demo"


def test_import_symbioflows_is_light():
    code = "import sys, symbioflows; print(sorted(m for m in ('pandas', 'pyarrow', 'numpy', 'matplotlib') if m in sys.modules))"
    env = dict(os.environ, PYTHONPATH=child_pythonpath())
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stdout + r.stderr
    code = "import symbioflows as sf; print(sf.read_dataset.__module__, sf.Dataset.__name__, sf.ValidationReport.__name__)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert r.stdout.split() == ["symbioflows.data.io", "Dataset", "ValidationReport"]
