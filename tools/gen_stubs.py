"""Generate (or with --check, verify) src/symbioflows/_core.pyi from the built extension.

Uses pybind11-stubgen; the stub file is committed and the test suite checks it is current.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

STUB = Path(__file__).resolve().parents[1] / "src" / "symbioflows" / "_core.pyi"


def generate() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pybind11_stubgen", "symbioflows._core", "-o", tmp,
             "--numpy-array-use-type-var"],
            check=True, capture_output=True, text=True,
        )
        text = (Path(tmp) / "symbioflows" / "_core.pyi").read_text()
    return text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--check", action="store_true", help="fail if the committed stub differs")
    args = ap.parse_args()
    text = generate()
    if args.check:
        if STUB.read_text() != text:
            print("_core.pyi is out of date: run python tools/gen_stubs.py", file=sys.stderr)
            return 1
        return 0
    STUB.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
