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


def run(*args: str, cwd: Path | None = None, pythonpath: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (pythonpath, child_pythonpath()) if p)
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
    # a strict check leaves nothing out, and says so; rows carry their line in the file
    assert "left out" not in r.stdout.splitlines()[0]
    assert "streams row 0 (line 2) column 'quantity'" in r.stdout
    assert "--lenient" in r.stdout
    r = run("validate", str(bad_folder), "--lenient")
    assert r.returncode == 1 and "left out: streams row 0 (line 2)" in r.stdout
    assert "2 row(s) left out" in r.stdout.splitlines()[0]


def test_same_bad_data_same_exit_code_from_every_command(bad_folder, tmp_path):
    codes = {cmd: run(cmd, str(bad_folder), *extra).returncode
             for cmd, extra in (("validate", ()), ("plan", ("--out", str(tmp_path / "p"))),
                                ("chains", ()))}
    assert codes == {"validate": 1, "plan": 1, "chains": 1}
    r = run("plan", str(bad_folder), "--out", str(tmp_path / "p"))
    _no_traceback(r)
    assert "streams row 1 (line 3) column 'unit'" in r.stderr and "validate" in r.stderr


def test_exit_codes_are_documented():
    from symbioflows import cli

    for code, meaning in cli.EXIT_CODES.items():
        assert f"* {code}: " in cli.__doc__, (code, meaning)


def test_messages_name_the_cli_flag_not_the_python_keyword(good_folder, tmp_path):
    (good_folder / "streams.csv").write_bytes("stream_id,company_id\ns1,é\n".encode("latin-1"))
    for cmd in ("validate", "plan", "chains"):
        r = run(cmd, str(good_folder))
        assert r.returncode == 2, cmd
        assert "pass --encoding" in r.stderr and "encoding=" not in r.stderr, r.stderr
    r = run("evaluate", "--data-dir", str(tmp_path), "--quiet")
    assert r.returncode == 2 and "no maestri_exchanges.csv" in r.stderr


def test_cli_wording_maps_keywords_of_the_command_only():
    from symbioflows.cli import cli_wording

    flags = {"encoding": "--encoding", "data_dir": "--data-dir"}
    assert cli_wording("pass data_dir= or set X", flags) == "pass --data-dir or set X"
    assert cli_wording("pass lat_col=; lat=91", flags) == "pass lat_col=; lat=91"


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


def test_demo_quiet_prints_nothing_and_warnings_never_cut_a_progress_bar(tmp_path):
    # hide OR-tools, so the allocation warns that it falls back to HiGHS
    fake = tmp_path / "site"
    (fake / "ortools").mkdir(parents=True)
    (fake / "ortools" / "__init__.py").write_text("raise ImportError('hidden by the test')\n")
    r = run("demo", "--out", str(tmp_path / "q"), "--quiet", pythonpath=str(fake))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "" and r.stderr == ""
    r = run("demo", "--out", str(tmp_path / "v"), pythonpath=str(fake))
    assert r.returncode == 0, r.stderr
    # tqdm redraws with carriage returns: the warning must start its own line
    pieces = [p for line in r.stderr.split("\n") for p in line.split("\r")]
    warned = [p for p in r.stderr.split("\n") if "OR-tools is not installed" in p]
    assert warned and all(p.lstrip("\r ").startswith("WARNING") for p in warned), r.stderr
    assert any(p.startswith("plan:") for p in pieces)


def test_evaluate_help_documents_every_option():
    r = run("evaluate", "--help")
    assert r.returncode == 0
    assert "shared/data/README.md" not in r.stdout and "docs/matching.md" in r.stdout
    from symbioflows.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, parser in sub.choices.items():
        for action in parser._actions:
            assert action.help, (name, action.option_strings or action.dest)


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
