"""Atheris fuzz target for one kernel of the reliability table.

    python fuzz/fuzz_kernel.py NAME [CORPUS_DIR ...] [libFuzzer flags, e.g. -max_total_time=60]
    python fuzz/fuzz_kernel.py --list

NAME is an entry of ``KERNELS`` in tests/reliability/reliability_kernels.py.  Each input is
decoded by that entry's ``fuzz`` function into arguments for the public function; only the
exception classes in the entry's ``allowed`` (the documented ``symbioflows.errors`` hierarchy,
plus TypeError where RELIABILITY.md documents it) may escape.  Anything else -- another Python
exception, a NaN where none may appear, or a native crash -- is a finding: libFuzzer writes the
input to ``-artifact_prefix`` and exits non-zero.  ``fuzz/run_all.py`` drives all targets.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parents[1]
if "symbioflows" not in sys.modules and not any(
    (Path(p) / "symbioflows").is_dir() for p in sys.path if p
):
    sys.path.insert(1, str(ROOT / "src"))

import numpy as np  # noqa: E402

from symbioflows.testing.reliability_kernels import BY_NAME, KERNELS  # noqa: E402


def _instrumented_import(name: str) -> None:
    """Import the target's modules with atheris' bytecode instrumentation, so the fuzzer gets
    coverage feedback from our Python code (only what the target needs: importing every
    module, torch-backed ones included, would cost seconds per run)."""
    kernel = BY_NAME.get(name)
    if kernel is None:
        return
    with atheris.instrument_imports(include=["symbioflows"]):
        kernel.resolve()  # imports the target's modules (and lazy re-exports) here


def _canary(data: bytes) -> None:
    """Negative control used by the tests: a 'kernel' with a bug the fuzzer must find."""
    if len(data) >= 2 and data[0] == 0x42 and data[1] == 0x7F:
        raise RuntimeError("canary bug reached")


def make_target(name: str):
    if name == "_canary":
        return _canary
    kernel = BY_NAME[name]
    fn = kernel.resolve()
    if fn is None:
        raise SystemExit(f"SKIP {kernel.missing_reason()}")
    if kernel.fuzz is None:
        raise SystemExit(f"SKIP {name}: no fuzz decoder in the table")
    allowed = kernel.allowed

    def test_one_input(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        try:
            with np.errstate(all="ignore"):
                kernel.fuzz(fn, fdp)
        except allowed:
            pass
        except Exception as exc:
            if kernel.known_open is None or not kernel.known_open(exc):
                raise

    return test_one_input


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--list":
        for k in KERNELS:
            state = "ready" if k.resolve() is not None and k.fuzz else "skip"
            print(f"{k.name}\t{state}")  # noqa: T201
        return
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    name = sys.argv.pop(1)
    _instrumented_import(name)
    target = make_target(name)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
