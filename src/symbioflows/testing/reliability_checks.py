"""Checks shared by tests/reliability and tools/reliability_figures.py.

Each function runs one kind of check at a size given by its caller (small in the test suite,
large for the published figures) and returns plain numbers, so that the figures in
docs/reliability.md are exactly what these functions returned.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from symbioflows.testing.reliability_kernels import ROOT, Kernel, canonical_bytes, child_pythonpath

# --------------------------------------------------------------------------------------------
# Thread stress and n_jobs determinism
# --------------------------------------------------------------------------------------------


@dataclass
class StressResult:
    kernel: str
    calls: int
    mismatches: int
    errors: int
    n_jobs_values: tuple[int, ...]
    n_jobs_mismatches: int


def thread_stress(
    kernel: Kernel,
    fn: Callable[..., Any],
    *,
    n_threads: int = 16,
    calls_per_thread: int = 2,
    seed: int = 12345,
    n_jobs_values: tuple[int, ...] = (1, 2, 4),
) -> StressResult:
    """Call ``fn`` from ``n_threads`` Python threads at once on the SAME input objects.

    The reference is a serial call with ``n_jobs=1``; every threaded call (``n_jobs`` cycling
    through ``n_jobs_values`` when the kernel takes it) must give byte-identical output, and
    so must a serial call per ``n_jobs`` value.  The inputs are checked to be unchanged after.
    """
    inputs = kernel.make_inputs(np.random.default_rng(seed))
    before = canonical_bytes({k: v for k, v in inputs.items() if _hashable_input(v)})
    first_nj = 1 if kernel.n_jobs else None
    ref = canonical_bytes(kernel.call(fn, inputs, first_nj))

    nj_mismatch = 0
    if kernel.n_jobs:
        for nj in n_jobs_values:
            if canonical_bytes(kernel.call(fn, inputs, nj)) != ref:
                nj_mismatch += 1

    barrier = threading.Barrier(n_threads)
    lock = threading.Lock()
    counts = {"calls": 0, "mismatches": 0, "errors": 0}

    def worker(t: int) -> None:
        barrier.wait()
        for c in range(calls_per_thread):
            nj = n_jobs_values[(t + c) % len(n_jobs_values)] if kernel.n_jobs else None
            try:
                got = canonical_bytes(kernel.call(fn, inputs, nj))
                bad = got != ref
                err = False
            except Exception:  # noqa: BLE001 - counted, reported
                bad, err = True, True
            with lock:
                counts["calls"] += 1
                counts["mismatches"] += int(bad)
                counts["errors"] += int(err)

    with ThreadPoolExecutor(n_threads) as ex:
        list(ex.map(worker, range(n_threads)))
    after = canonical_bytes({k: v for k, v in inputs.items() if _hashable_input(v)})
    if after != before:
        counts["mismatches"] += 1  # a kernel mutated its shared input
    return StressResult(kernel.name, counts["calls"], counts["mismatches"], counts["errors"],
                        n_jobs_values if kernel.n_jobs else (), nj_mismatch)


def _hashable_input(v: Any) -> bool:
    try:
        canonical_bytes(v)
        return True
    except TypeError:
        return False


# --------------------------------------------------------------------------------------------
# Subprocess runner with a memory rlimit (adversarial inputs)
# --------------------------------------------------------------------------------------------


def run_python(code: str, *, timeout_s: float, rlimit_as_bytes: int | None = None,
               env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run ``code`` in a fresh interpreter (cwd = repo root) and return (rc, stdout, stderr).

    ``rc`` is negative (-signal) when the child died from a signal, so a native crash is
    told apart from a Python exception.  With ``rlimit_as_bytes`` the child sets RLIMIT_AS on
    itself after its imports (the limit applies to what the kernel allocates).
    """
    prelude = ""
    if rlimit_as_bytes is not None:
        prelude = (
            "import resource as _r\n"
            f"_r.setrlimit(_r.RLIMIT_AS, ({int(rlimit_as_bytes)}, {int(rlimit_as_bytes)}))\n"
        )
    full = code.replace("# <RLIMIT>", prelude)
    e = dict(os.environ)
    e.update(env or {})
    e["PYTHONPATH"] = child_pythonpath()
    proc = subprocess.run([sys.executable, "-c", full], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout_s, env=e)
    return proc.returncode, proc.stdout, proc.stderr


def sanitized() -> bool:
    """True when running under the ASan preload (rlimits on address space make no sense there:
    ASan reserves terabytes of shadow address space)."""
    return "libasan" in os.environ.get("LD_PRELOAD", "")


ADVERSARIAL_CODE = r"""
import json, resource, sys, time, threading
import numpy as np
from symbioflows.testing.reliability_kernels import make_symbiosis_graph, resolve
find_cycles = resolve("symbioflows.chains:find_cycles")
n = {n}
src, dst = np.nonzero(~np.eye(n, dtype=bool))
g = make_symbiosis_graph(n, src.astype(np.int64), dst.astype(np.int64), np.full(src.size, 0.9))
base_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
# <RLIMIT>
peak = [0]
stop = threading.Event()
def sample():
    import os
    while not stop.is_set():
        with open(f"/proc/{{os.getpid()}}/statm") as fh:
            rss = int(fh.read().split()[1]) * 4096
        peak[0] = max(peak[0], rss)
        stop.wait(0.01)
th = threading.Thread(target=sample, daemon=True); th.start()
t0 = time.perf_counter(); c0 = time.process_time()
res = find_cycles(g, min_length=2, max_length={max_length}, n_jobs={n_jobs}, **{limits})
dt = time.perf_counter() - t0; cpu = time.process_time() - c0
load = __import__("os").getloadavg()[0]
stop.set(); th.join()
n_found = len(res) if hasattr(res, "__len__") else -1
reason = getattr(res, "reason", getattr(res, "truncation_reason", None))
print(json.dumps({{"elapsed_s": dt, "cpu_s": cpu, "load_avg_1min": load, "truncated": bool(res.truncated), "reason": str(reason),
                  "n_cycles": n_found, "peak_rss_bytes": peak[0],
                  "maxrss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "base_rss_bytes": base_rss_kb * 1024}}))
"""


def adversarial_cycles(*, n: int = 50, max_length: int = 6, limits: dict[str, Any],
                       n_jobs: int = 2, rlimit_as_bytes: int | None = 4 << 30,
                       timeout_s: float = 120) -> dict[str, Any]:
    """find_cycles on the complete digraph K_n in a subprocess under RLIMIT_AS."""
    if sanitized():
        rlimit_as_bytes = None
    code = ADVERSARIAL_CODE.format(n=n, max_length=max_length, n_jobs=n_jobs, limits=repr(limits))
    rc, out, err = run_python(code, timeout_s=timeout_s, rlimit_as_bytes=rlimit_as_bytes)
    if rc != 0:
        return {"rc": rc, "stderr": err[-3000:], "limits": limits}
    res = json.loads(out.strip().splitlines()[-1])
    res.update(rc=rc, limits=limits, rlimit_as_bytes=rlimit_as_bytes)
    return res


# --------------------------------------------------------------------------------------------
# Malformed files
# --------------------------------------------------------------------------------------------

MUTATORS = ("flip_bytes", "truncate", "insert_garbage", "delete_chunk", "duplicate_chunk",
            "number_with_unit", "nan_inf", "drop_header_field", "swap_delimiter", "latin1",
            "huge_number", "empty", "nul_bytes", "repeat_rows", "bad_quote")


def mutate(data: bytes, rng: np.random.Generator, fmt: str) -> tuple[str, bytes]:
    """One random mutation of a valid file (byte-level for every format, plus text-level
    mutations that target what spreadsheets produce)."""
    op = MUTATORS[int(rng.integers(len(MUTATORS)))]
    b = bytearray(data)
    n = len(b)
    if op == "flip_bytes" and n:
        for _ in range(int(rng.integers(1, 9))):
            b[int(rng.integers(n))] = int(rng.integers(256))
    elif op == "truncate" and n:
        b = b[: int(rng.integers(n))]
    elif op == "insert_garbage":
        pos = int(rng.integers(n + 1))
        b[pos:pos] = bytes(rng.integers(0, 256, int(rng.integers(1, 64)), dtype=np.uint8))
    elif op == "delete_chunk" and n:
        a = int(rng.integers(n))
        b = b[:a] + b[a + int(rng.integers(1, 200)):]
    elif op == "duplicate_chunk" and n:
        a = int(rng.integers(n))
        chunk = b[a:a + int(rng.integers(1, 200))]
        b[a:a] = chunk
    elif op == "number_with_unit":
        b = _sub_number(b, rng, lambda s: s + b" t")
    elif op == "nan_inf":
        b = _sub_number(b, rng, lambda s: [b"nan", b"inf", b"-inf", b"NaN", b"1e999"][int(rng.integers(5))])
    elif op == "huge_number":
        b = _sub_number(b, rng, lambda s: b"9" * int(rng.integers(20, 400)))
    elif op == "drop_header_field" and fmt == "csv":
        lines = bytes(b).split(b"\n", 1)
        cols = lines[0].split(b",")
        if len(cols) > 1:
            cols.pop(int(rng.integers(len(cols))))
        b = bytearray(b",".join(cols) + (b"\n" + lines[1] if len(lines) > 1 else b""))
    elif op == "swap_delimiter":
        b = bytearray(bytes(b).replace(b",", [b";", b"\t", b"|"][int(rng.integers(3))]))
    elif op == "latin1":
        b = bytearray(bytes(b).replace(b"a", b"\xe4", int(rng.integers(1, 20))))
    elif op == "empty":
        b = bytearray()
    elif op == "nul_bytes" and n:
        pos = int(rng.integers(n))
        b[pos:pos] = b"\x00" * int(rng.integers(1, 16))
    elif op == "repeat_rows":
        lines = bytes(b).split(b"\n")
        if len(lines) > 2:
            lines.insert(1, lines[1 + int(rng.integers(len(lines) - 1))])
        b = bytearray(b"\n".join(lines))
    elif op == "bad_quote":
        pos = int(rng.integers(n + 1))
        b[pos:pos] = b'"'
    return op, bytes(b)


def _sub_number(b: bytearray, rng: np.random.Generator, repl: Callable[[bytes], bytes]) -> bytearray:
    import re

    nums = [m for m in re.finditer(rb"-?\d+\.?\d*", bytes(b))]
    if not nums:
        return b
    m = nums[int(rng.integers(len(nums)))]
    return bytearray(bytes(b[: m.start()]) + repl(m.group()) + bytes(b[m.end():]))


MALFORMED_WORKER = r"""
import json, os, shutil, sys, tempfile, traceback
from pathlib import Path
from symbioflows.testing.reliability_kernels import resolve
from symbioflows.errors import SymbioflowsError
read_dataset = resolve("symbioflows:read_dataset")
base = Path(sys.argv[1]); cases = Path(sys.argv[2]); fmt = sys.argv[3]
status = open(sys.argv[4], "w", buffering=1)
for case in sorted(cases.iterdir()):
    which, _ = case.name.split("__", 1)
    status.write(f"START {case.name}\n")
    with tempfile.TemporaryDirectory() as tmp:
        for f in base.iterdir():
            shutil.copy(f, Path(tmp) / f.name)
        shutil.copy(case, Path(tmp) / f"{which}.{fmt}")
        try:
            read_dataset(tmp)
            outcome = "accepted"
        except SymbioflowsError as exc:
            outcome = "documented:" + type(exc).__name__
        except Exception as exc:  # undocumented exception: a bug
            outcome = "UNDOCUMENTED:" + type(exc).__name__ + ":" + str(exc)[:200]
    status.write(f"DONE {case.name} {outcome}\n")
status.write("FINISHED\n")
"""


#: Undocumented exceptions already diagnosed and reported, each with its strict-xfail regression
#: test in test_fuzz_findings.py: (format, exception class) -> that test.  They are counted
#: separately (``known_open``) so a run still fails on anything new.
KNOWN_OPEN_LOADER: dict[tuple[str, str], str] = {
    # fixed on main: ("parquet", "UnicodeDecodeError") -> test_parquet_with_non_utf8_column_name
    # fixed on main: ("csv", "KeyError") -> test_csv_with_duplicate_column_is_a_dataset_error
    # fixed on main: ("parquet", "UnicodeDecodeError") in a text value
    #   -> test_parquet_with_non_utf8_text_value_is_a_dataset_error
}


def malformed_files(*, fmt: str, n_files: int, seed: int = 0, timeout_s: float = 600,
                    keep_dir: Path | None = None) -> dict[str, Any]:
    """Write ``n_files`` mutated copies of one table of a valid dataset folder and read each.

    A subprocess reads the cases one by one, logging START/DONE per file with line buffering,
    so that a native crash (signal exit) names the file that caused it; the run then resumes
    after that file.  Returns counts of accepted, documented exceptions, undocumented ones and
    crashes.
    """
    from symbioflows.testing.reliability_kernels import sample_tables, write_dataset_files

    work = Path(tempfile.mkdtemp(prefix=f"sf-malformed-{fmt}-", dir=keep_dir))
    base = write_dataset_files(sample_tables(8, seed), work / "base", fmt)
    cases = work / "cases"
    cases.mkdir()
    rng = np.random.default_rng(seed)
    tables = ("companies", "streams", "exchanges")
    ops: dict[str, int] = {}
    for i in range(n_files):
        which = tables[i % 3]
        data = (base / f"{which}.{fmt}").read_bytes()
        for _ in range(int(rng.integers(1, 4))):
            op, data = mutate(data, rng, fmt)
            ops[op] = ops.get(op, 0) + 1
        (cases / f"{which}__{i:05d}").write_bytes(data)

    results: dict[str, str] = {}
    crashes: list[str] = []
    remaining = sorted(p.name for p in cases.iterdir())
    t0 = time.perf_counter()
    while remaining:
        todo = work / "todo"
        shutil_rmtree(todo)
        todo.mkdir()
        for name in remaining:
            os.link(cases / name, todo / name)
        status = work / "status.log"
        env = dict(os.environ)
        env["PYTHONPATH"] = child_pythonpath()
        proc = subprocess.run([sys.executable, "-c", MALFORMED_WORKER, str(base), str(todo), fmt,
                               str(status)], cwd=ROOT, capture_output=True, text=True,
                              timeout=timeout_s, env=env)
        started = None
        for line in status.read_text().splitlines():
            if line.startswith("START "):
                started = line.split()[1]
            elif line.startswith("DONE "):
                _, name, outcome = line.split(" ", 2)
                results[name] = outcome
                started = None
        if proc.returncode != 0:
            if started is None:  # died before the first file: infrastructure failure
                raise RuntimeError(f"malformed-file worker failed: {proc.stderr[-2000:]}")
            crashes.append(f"{started} (exit {proc.returncode})")
            results[started] = f"CRASH:{proc.returncode}"
        remaining = [n for n in remaining if n not in results]
    elapsed = time.perf_counter() - t0
    undocumented: dict[str, str] = {}
    known_open: dict[str, str] = {}
    for k, v in results.items():
        if v.startswith("UNDOCUMENTED"):
            exc = v.split(":")[1]
            (known_open if (fmt, exc) in KNOWN_OPEN_LOADER else undocumented)[k] = v
    documented: dict[str, int] = {}
    for v in results.values():
        if v.startswith("documented:"):
            documented[v.split(":", 1)[1]] = documented.get(v.split(":", 1)[1], 0) + 1
    return {
        "format": fmt, "files": n_files, "accepted": sum(v == "accepted" for v in results.values()),
        "documented": documented, "undocumented": undocumented, "known_open": known_open,
        "crashes": crashes,
        "mutations": ops, "elapsed_s": elapsed, "work_dir": str(work),
    }


def shutil_rmtree(p: Path) -> None:
    import shutil

    shutil.rmtree(p, ignore_errors=True)


__all__ = ["StressResult", "adversarial_cycles", "malformed_files", "mutate", "run_python",
           "sanitized", "signal", "thread_stress"]
