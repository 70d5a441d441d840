"""No secrets, no network: importing the package and running the main job opens no network
connection and reads no credential file.

A subprocess installs guards before importing anything of ours: socket connect / connect_ex /
create_connection / getaddrinfo / gethostbyname raise and are recorded; builtins.open, io.open,
os.open and pathlib reads record any path that looks like a credential store.  HOME points at a
temporary directory seeded with honeypot credential files (~/.aws/credentials, ~/.netrc, ...)
and the working directory holds a honeypot ``.env``, so a read of any of them is caught even if
it goes through a route the path patterns miss (the honeypots' contents are checked too: the
child fails if a honeypot token shows up in anything the package returns or logs).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from symbioflows.testing.reliability_kernels import child_pythonpath

HONEYPOT = "SYMBIOFLOWS-HONEYPOT-3f9c2a"

GUARD = r'''
import builtins, io, json, os, re, socket, sys, pathlib
EVENTS = []
CRED = re.compile(r"(/\.aws/|/\.netrc$|/\.ssh/|/\.git-credentials$|/\.docker/config\.json$|"
                  r"/\.kube/|/\.pypirc$|(^|/)\.env$|/\.config/|"
                  r"/\.huggingface/token$|/huggingface/token$|credentials\.json$|/\.npmrc$)")
def _net(name):
    def f(*a, **k):
        EVENTS.append(("network", name, repr(a[:2])[:200]))
        raise OSError(f"network disabled by the reliability test: {name}{a[:2]!r}")
    return f
socket.socket.connect = _net("socket.connect")
socket.socket.connect_ex = _net("socket.connect_ex")
socket.create_connection = _net("socket.create_connection")
socket.getaddrinfo = _net("socket.getaddrinfo")
socket.gethostbyname = _net("socket.gethostbyname")
def _check(path):
    try:
        p = os.fsdecode(path)
    except TypeError:
        return
    if CRED.search(os.path.abspath(p)):
        EVENTS.append(("credential-read", os.path.abspath(p), ""))
_open, _io_open, _os_open = builtins.open, io.open, os.open
def g_open(file, *a, **k):
    if not isinstance(file, int):
        _check(file)
    return _open(file, *a, **k)
def g_os_open(path, *a, **k):
    _check(path)
    return _os_open(path, *a, **k)
builtins.open = g_open
io.open = g_open
os.open = g_os_open
_read_text, _read_bytes = pathlib.Path.read_text, pathlib.Path.read_bytes
def g_read_text(self, *a, **k):
    _check(self); return _read_text(self, *a, **k)
def g_read_bytes(self, *a, **k):
    _check(self); return _read_bytes(self, *a, **k)
pathlib.Path.read_text = g_read_text
pathlib.Path.read_bytes = g_read_bytes
'''

CHILD = GUARD + r'''
import importlib, pkgutil, logging, tempfile, contextlib
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
mode = sys.argv[1]
out = []
if mode == "selftest":
    # the guards themselves must catch a connection and a credential read
    try:
        socket.create_connection(("example.com", 80), timeout=1)
    except OSError:
        pass
    with open(os.path.expanduser("~/.aws/credentials")) as fh:
        fh.read()
elif mode == "import":
    import symbioflows
    names = ["symbioflows"]
    for info in pkgutil.walk_packages(symbioflows.__path__, "symbioflows."):
        names.append(info.name)
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError as exc:  # an optional extra that is not installed
            out.append(f"skip {name}: {exc}")
elif mode == "main_job":
    import symbioflows
    from symbioflows.testing.reliability_kernels import KERNELS, available
    import numpy as np
    cli = importlib.import_module("symbioflows.cli")
    with tempfile.TemporaryDirectory() as tmp:
        try:
            rc = cli.main(["demo", "--out", os.path.join(tmp, "report"), "--quiet"])
        except SystemExit as exc:
            rc = exc.code
        out.append(f"demo rc={rc}")
    # read_dataset + every kernel in the reliability table, whether or not the demo exists
    for k, fn in available(KERNELS):
        k.call(fn, k.make_inputs(np.random.default_rng(0)), 1 if k.n_jobs else None)
        out.append(f"ran {k.name}")
print(json.dumps({"events": EVENTS, "notes": out}))
'''


def _run(mode: str, tmp_path: Path) -> dict:
    home = tmp_path / "home"
    for rel in (".aws/credentials", ".netrc", ".ssh/id_rsa", ".git-credentials",
                ".config/gcloud/credentials.db", ".cache/huggingface/token", ".pypirc"):
        p = home / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(f"token = {HONEYPOT}\n")
    work = tmp_path / "work"
    work.mkdir()
    (work / ".env").write_text(f"API_KEY={HONEYPOT}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "HF_TOKEN"))}
    env.update(HOME=str(home), PYTHONPATH=child_pythonpath(), HF_HUB_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1", MPLCONFIGDIR=str(tmp_path / "mpl"),
               XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"))
    r = subprocess.run([sys.executable, "-c", CHILD, mode], cwd=work, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-4000:]
    assert HONEYPOT not in r.stderr, "a honeypot credential was logged"
    res = json.loads(r.stdout.strip().splitlines()[-1])
    assert HONEYPOT not in json.dumps(res["notes"])
    return res


def test_guards_catch_network_and_credential_reads(tmp_path):
    res = _run("selftest", tmp_path)
    kinds = sorted({e[0] for e in res["events"]})
    assert kinds == ["credential-read", "network"], res


def test_import_opens_no_network_and_reads_no_credentials(tmp_path):
    res = _run("import", tmp_path)
    assert res["events"] == [], res["events"]


@pytest.mark.timeout(600)
def test_main_job_opens_no_network_and_reads_no_credentials(tmp_path):
    res = _run("main_job", tmp_path)
    assert res["events"] == [], res["events"]
    assert any(n.startswith("ran ") for n in res["notes"]), res["notes"]
    assert "demo rc=0" in res["notes"], res["notes"]
