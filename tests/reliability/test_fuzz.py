"""Short fuzz runs of every target in the reliability table, and replays of every recorded
finding (fuzz/regressions/NAME/) and committed corpus input (fuzz/corpus/NAME/).

Each run is a subprocess (a native crash ends that process, not pytest): ``fuzz/fuzz_kernel.py``
for a few seconds, seeded from the table's ``seeds()``; rc 0 means no input made the kernel
raise anything but its documented exceptions, return NaN where it must not, or crash.  Under
tools/sanitizer_suite.sh these runs use the ASan+UBSan build.  Longer runs:
``python fuzz/run_all.py --seconds N``.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from symbioflows.testing.reliability_kernels import KERNELS, ROOT, child_pythonpath

FUZZ = [k for k in KERNELS if k.fuzz is not None]
SECONDS = int(os.environ.get("SYMBIOFLOWS_FUZZ_SECONDS", "2"))


def _run(name: str, extra: list[str], tmp_path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=child_pythonpath())
    return subprocess.run(
        [sys.executable, str(ROOT / "fuzz" / "fuzz_kernel.py"), name, *extra,
         f"-artifact_prefix={tmp_path}/", "-timeout=20", "-rss_limit_mb=4096"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )


@pytest.mark.parametrize("kernel", FUZZ, ids=[k.name for k in FUZZ])
def test_short_fuzz_run(kernel, tmp_path):
    if kernel.resolve() is None:
        pytest.skip(kernel.missing_reason())
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    if kernel.seeds is not None:
        for i, data in enumerate(kernel.seeds()):
            (corpus / f"seed-{i}").write_bytes(data)
    for d in (ROOT / "fuzz" / "corpus" / kernel.name, ROOT / "fuzz" / "regressions" / kernel.name):
        if d.is_dir():
            for f in d.iterdir():
                (corpus / f"{d.name}-{f.name}").write_bytes(f.read_bytes())
    r = _run(kernel.name, [str(corpus), f"-max_total_time={SECONDS}", "-max_len=4096"], tmp_path)
    crashes = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("crash", "timeout", "oom")))
    assert r.returncode == 0 and not crashes, (
        f"fuzz finding for {kernel.name}: {crashes}\n{(r.stdout + r.stderr)[-4000:]}\n"
        f"reproduce: python fuzz/fuzz_kernel.py {kernel.name} <file>; then add it to "
        f"fuzz/regressions/{kernel.name}/"
    )


def _recorded() -> list[tuple[str, str]]:
    out = []
    for sub in ("regressions", "corpus"):
        base = ROOT / "fuzz" / sub
        if base.is_dir():
            for d in sorted(base.iterdir()):
                if d.is_dir() and any(d.iterdir()):
                    out.append((sub, d.name))
    return out


def _files(where: str, name: str) -> list[str]:
    return sorted(str(p) for p in (ROOT / "fuzz" / where / name).iterdir())


@pytest.mark.parametrize("where,name", _recorded() or [("none", "none")])
def test_replay_recorded_inputs(where, name, tmp_path):
    """Every recorded finding (fixed) and corpus input runs clean."""
    if where == "none":
        pytest.skip("no recorded fuzz findings or corpora in fuzz/ yet")
    from symbioflows.testing.reliability_kernels import BY_NAME

    kernel = BY_NAME.get(name)
    assert kernel is not None, f"fuzz/{where}/{name} has no entry in the kernel table"
    if kernel.resolve() is None:
        pytest.skip(kernel.missing_reason())
    files = _files(where, name)
    r = _run(name, files, tmp_path)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]


def test_fuzzer_finds_a_planted_bug(tmp_path):
    """Negative control: the harness reports an undocumented exception as a finding."""
    r = _run("_canary", ["-max_total_time=60"], tmp_path)
    crashes = [p for p in tmp_path.iterdir() if p.name.startswith("crash")]
    assert r.returncode != 0 and crashes, (r.stdout + r.stderr)[-2000:]
    assert "canary bug reached" in r.stdout + r.stderr
