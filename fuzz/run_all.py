"""Run every fuzz target of the reliability table.

    python fuzz/run_all.py --seconds 60            # each target 60 s, coverage-guided
    python fuzz/run_all.py --seconds 5 --targets find_cycles,allocate
    python fuzz/run_all.py --seconds 30 --asan-replay   # then replay every corpus input and
                                                        # finding under the ASan+UBSan build

Corpora grow in build/fuzz/corpus/NAME (seeded from the table's ``seeds()`` and from
fuzz/regressions/NAME).  A finding (crash file written by libFuzzer) is copied to
fuzz/regressions/NAME/, where tests/reliability/test_fuzz.py replays it on every test run.
Prints one line per target (CPU seconds, executions, findings) and writes the same as JSON to
build/fuzz/summary.json.  Exit status 1 if any target has a finding.

Coverage-guided runs use the normal build: gcc's ASan runtime, when preloaded, takes over the
``__sanitizer_cov_*`` hooks that libFuzzer needs, so coverage feedback would be lost.  The
corpus those runs produce is then replayed under the sanitized build (``--asan-replay``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "fuzz"
REGRESSIONS = ROOT / "fuzz" / "regressions"


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _env(asan: bool) -> dict[str, str]:
    env = dict(os.environ)
    if asan:
        pkg = ROOT / "build" / "asan" / "pkg"
        if not pkg.is_dir():
            raise SystemExit("no sanitized build: run tools/asan_build.sh first")
        libs = [subprocess.run(["gcc", f"-print-file-name={lib}"], capture_output=True,
                               text=True, check=True).stdout.strip()
                for lib in ("libasan.so", "libubsan.so", "libstdc++.so")]
        env.update(LD_PRELOAD=":".join(libs), PYTHONPATH=str(pkg),
                   ASAN_OPTIONS="detect_leaks=0:halt_on_error=1",
                   UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
    else:
        env.setdefault("PYTHONPATH", str(ROOT / "src"))
    return env


def _seed(name: str, corpus: Path) -> None:
    from symbioflows.testing.reliability_kernels import BY_NAME

    corpus.mkdir(parents=True, exist_ok=True)
    k = BY_NAME[name]
    if k.seeds is not None and not any(corpus.iterdir()):
        for i, data in enumerate(k.seeds()):
            (corpus / f"seed-{i}").write_bytes(data)
    reg = REGRESSIONS / name
    if reg.is_dir():
        for f in reg.iterdir():
            shutil.copy(f, corpus / f"regression-{f.name}")


def fuzz_one(name: str, seconds: float, *, asan: bool = False, replay_only: bool = False,
             max_len: int = 4096) -> dict:
    from symbioflows.testing.reliability_kernels import BY_NAME

    if BY_NAME[name].resolve() is None:
        return {"target": name, "status": "skipped", "reason": BY_NAME[name].missing_reason()}
    corpus = OUT / "corpus" / name
    crashes = OUT / "crashes" / name
    crashes.mkdir(parents=True, exist_ok=True)
    if not replay_only:
        _seed(name, corpus)
    before = {p.name for p in crashes.iterdir()}
    args = [sys.executable, str(ROOT / "fuzz" / "fuzz_kernel.py"), name, str(corpus),
            f"-artifact_prefix={crashes}/", "-timeout=20", "-rss_limit_mb=6144",
            f"-max_len={max_len}", "-print_final_stats=1"]
    if replay_only:
        args.append("-runs=0")
    else:
        args.append(f"-max_total_time={max(1, int(seconds))}")
    cpu0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.run(args, cwd=ROOT, env=_env(asan), capture_output=True, text=True,
                          timeout=seconds + 600)
    cpu, wall = _children_cpu() - cpu0, time.perf_counter() - t0
    log = proc.stdout + proc.stderr
    if "SKIP " in log and proc.returncode != 0 and "Traceback" not in log:
        return {"target": name, "status": "skipped", "reason": log.strip().splitlines()[-1]}
    new = sorted(p for p in crashes.iterdir() if p.name not in before)
    execs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", log)
    findings = []
    for p in new:
        REGRESSIONS.joinpath(name).mkdir(parents=True, exist_ok=True)
        dest = REGRESSIONS / name / p.name
        shutil.copy(p, dest)
        findings.append(str(dest.relative_to(ROOT)))
    ok = proc.returncode == 0 and not findings
    if not ok and not findings:
        findings.append(f"exit {proc.returncode} without a crash file")
    result = {"target": name, "status": "ok" if ok else "FINDING", "cpu_s": round(cpu, 1),
              "wall_s": round(wall, 1), "executions": int(execs[-1]) if execs else None,
              "corpus_files": len(list(corpus.iterdir())) if corpus.is_dir() else 0,
              "findings": findings, "asan": asan, "mode": "replay" if replay_only else "fuzz"}
    if not ok:
        result["log_tail"] = log[-3000:]
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=30, help="fuzzing time per target")
    ap.add_argument("--targets", default="", help="comma-separated names (default: all)")
    ap.add_argument("--asan", action="store_true",
                    help="fuzz under the ASan build (blind: no coverage feedback)")
    ap.add_argument("--asan-replay", action="store_true",
                    help="after fuzzing, replay each corpus under the ASan+UBSan build")
    ap.add_argument("--json", default=str(OUT / "summary.json"))
    args = ap.parse_args(argv)
    from symbioflows.testing.reliability_kernels import KERNELS

    names = [k.name for k in KERNELS if k.fuzz is not None]
    if args.targets:
        wanted = args.targets.split(",")
        unknown = set(wanted) - set(names)
        if unknown:
            ap.error(f"unknown targets {sorted(unknown)}; known: {names}")
        names = wanted
    results = []
    for name in names:
        r = fuzz_one(name, args.seconds, asan=args.asan)
        results.append(r)
        _print(r)
        if args.asan_replay and r["status"] != "skipped":
            rr = fuzz_one(name, args.seconds, asan=True, replay_only=True)
            results.append(rr)
            _print(rr)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=2))
    return 1 if any(r["status"] == "FINDING" for r in results) else 0


def _print(r: dict) -> None:
    if r["status"] == "skipped":
        print(f"{r['target']:<22} skipped  {r['reason']}")  # noqa: T201
        return
    tag = f"{r['mode']}{'+asan' if r['asan'] else ''}"
    print(f"{r['target']:<22} {tag:<12} {r['status']:<8} cpu={r['cpu_s']:>7.1f}s "  # noqa: T201
          f"execs={r['executions']} corpus={r['corpus_files']} findings={len(r['findings'])}",
          flush=True)
    for f in r["findings"]:
        print(f"    finding: {f}")  # noqa: T201
    if r["status"] == "FINDING":
        print("    " + r.get("log_tail", "")[-1500:].replace("\n", "\n    "))  # noqa: T201


if __name__ == "__main__":
    sys.exit(main())
