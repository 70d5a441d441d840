"""Produce every figure that docs/reliability.md publishes.

    python tools/reliability_figures.py                      # everything (about 20-30 min)
    python tools/reliability_figures.py --only threads,adversarial
    python tools/reliability_figures.py --only fuzz --fuzz-seconds 120

Sections (``--only``): property, differential, threads, adversarial, malformed, fuzz,
sanitizers.  Each section's results are merged into benchmarks/results/reliability.json; the tables of
docs/reliability.md are rendered from that file by tools/render_tables.py (renderers
``reliability_<section>``), which this script also uses to print them.
Run it with the normal in-place build (tools/dev_build.sh); the ``sanitizers`` and ``fuzz``
sections build/use the sanitized copy in build/asan themselves.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if not os.environ.get("PYTHONPATH"):
    sys.path.insert(1, str(ROOT / "src"))
    os.environ["PYTHONPATH"] = str(ROOT / "src")
OUT = ROOT / "build" / "reliability"  # scratch (fuzz summary)
RESULTS = ROOT / "benchmarks" / "results" / "reliability.json"
sys.path.insert(0, str(ROOT / "tools"))
import render_tables  # noqa: E402


def show(section: str) -> None:
    print(render_tables.RENDERERS[f"reliability_{section}"]())

SECTIONS = ("property", "differential", "threads", "adversarial", "malformed", "fuzz", "sanitizers")


# --------------------------------------------------------------------------------------------
# property tests: hypothesis statistics of tests/property
# --------------------------------------------------------------------------------------------


def property_figures() -> dict[str, Any]:
    env = dict(os.environ, HYPOTHESIS_PROFILE="ci")
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "pytest", "tests/property", "-p", "no:cacheprovider",
                        "-q", "--hypothesis-show-statistics"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=3600)
    out = r.stdout
    per_test: list[dict[str, Any]] = []
    current = None
    for line in out.splitlines():
        m = re.match(r"^(tests/property/\S+::\S+):", line.strip())
        if m:
            current = {"test": m.group(1), "passing": 0, "failing": 0, "invalid": 0}
            per_test.append(current)
            continue
        m = re.search(r"(\d+) passing examples?, (\d+) failing examples?, (\d+) invalid", line)
        if m and current is not None:
            current["passing"] += int(m.group(1))
            current["failing"] += int(m.group(2))
            current["invalid"] += int(m.group(3))
    summary = out.strip().splitlines()[-1] if out.strip() else r.stderr[-500:]
    by_file: dict[str, dict[str, int]] = {}
    for t in per_test:
        f = t["test"].split("::")[0].removeprefix("tests/property/test_").removesuffix("_property.py")
        agg = by_file.setdefault(f, {"tests": 0, "passing": 0, "failing": 0})
        agg["tests"] += 1
        agg["passing"] += t["passing"]
        agg["failing"] += t["failing"]
    return {"per_test": per_test, "by_kernel": by_file, "pytest_summary": summary,
            "exit": r.returncode, "seconds": round(time.perf_counter() - t0)}


# --------------------------------------------------------------------------------------------
# differential tests against independent oracles
# --------------------------------------------------------------------------------------------


def _diff_cycles(rng: np.random.Generator) -> bool:
    import networkx as nx

    from symbioflows.chains import find_cycles
    from symbioflows.testing.reliability_kernels import make_symbiosis_graph

    n = int(rng.integers(1, 10))
    p = float(rng.uniform(0.05, 0.6))
    G = nx.gnp_random_graph(n, p, seed=int(rng.integers(1 << 31)), directed=True)
    src = np.array([u for u, v in G.edges], dtype=np.int64)
    dst = np.array([v for u, v in G.edges], dtype=np.int64)
    lo, hi = sorted(int(x) for x in rng.integers(2, 7, 2))
    g = make_symbiosis_graph(n, src, dst, np.full(src.size, 0.5))
    res = find_cycles(g, min_length=lo, max_length=hi, n_jobs=int(rng.integers(1, 3)))
    ours = sorted(tuple(int(c) for c in cyc) for cyc in res.to_pandas()["companies"])
    ref = []
    for cyc in nx.simple_cycles(G, length_bound=hi):
        if lo <= len(cyc) <= hi:
            k = cyc.index(min(cyc))
            ref.append(tuple(cyc[k:] + cyc[:k]))
    return ours == sorted(ref)


def _diff_paths(rng: np.random.Generator) -> bool:
    from symbioflows.chains import _reference, find_paths
    from symbioflows.testing.reliability_kernels import make_symbiosis_graph

    n = int(rng.integers(1, 9))
    m = int(rng.integers(0, 3 * n + 1))
    src = rng.integers(0, n, m)
    dst = rng.integers(0, n, m)
    g = make_symbiosis_graph(n, src, dst, np.full(m, 0.5))
    s = int(rng.integers(0, n))
    hops = int(rng.integers(1, 5))
    res = find_paths(g, [s], max_hops=hops, top_k=None, n_jobs=1)
    ours = sorted(tuple(int(e) for e in res.edge_ids[res.offsets[i]:res.offsets[i + 1]])
                  for i in range(len(res)))
    ref = sorted(_reference.simple_paths(n, list(src), list(dst), s, hops))
    return ours == ref


def _diff_haversine(rng: np.random.Generator) -> bool:
    from symbioflows.logistics import _reference, great_circle_matrix

    n1, n2 = int(rng.integers(0, 20)), int(rng.integers(0, 20))
    la1, lo1 = rng.uniform(-90, 90, n1), rng.uniform(-180, 180, n1)
    la2, lo2 = rng.uniform(-90, 90, n2), rng.uniform(-180, 180, n2)
    if n1 and rng.random() < 0.3:  # antipodes and identical points
        la2[: min(n1, n2)] = -la1[: min(n1, n2)]
        lo2[: min(n1, n2)] = np.where(lo1[: min(n1, n2)] > 0, lo1[: min(n1, n2)] - 180,
                                      lo1[: min(n1, n2)] + 180)
    ours = great_circle_matrix(la1, lo1, la2, lo2, n_jobs=int(rng.integers(1, 3)))
    ref = np.array([[_reference.haversine_km(a, b, c, d) for c, d in zip(la2, lo2)]
                    for a, b in zip(la1, lo1)]).reshape(n1, n2)
    return bool(np.allclose(ours, ref, rtol=1e-9, atol=1e-6)) and not np.isnan(ours).any()


def _diff_topk(rng: np.random.Generator) -> bool:
    from symbioflows.materials.compat import top_k_compatible

    nq, nx_, d = int(rng.integers(1, 30)), int(rng.integers(1, 60)), int(rng.integers(1, 40))
    q = rng.standard_normal((nq, d))
    x = rng.standard_normal((nx_, d))
    k = int(rng.integers(1, 12))
    res = top_k_compatible(q, x, k=k, w_similarity=1.0, n_jobs=int(rng.integers(1, 3)))
    q32, x32 = q.astype(np.float32), x.astype(np.float32)
    qn = q32 / np.linalg.norm(q32, axis=1, keepdims=True)
    xn = x32 / np.linalg.norm(x32, axis=1, keepdims=True)
    sim = qn.astype(np.float64) @ xn.astype(np.float64).T
    kk = min(k, nx_)
    ref_idx = np.argsort(-sim, axis=1, kind="stable")[:, :kk]
    ref_sc = np.take_along_axis(sim, ref_idx, axis=1)
    if not np.allclose(res.score, ref_sc, atol=1e-5):
        return False
    # indices may differ only where two scores tie within float32 rounding
    diff = res.index != ref_idx
    return bool(np.all(np.abs(np.take_along_axis(sim, res.index, axis=1) - ref_sc)[diff] < 1e-5))


def _diff_allocate(rng: np.random.Generator) -> bool:
    from scipy.optimize import linprog

    from symbioflows.matching import allocate

    ns, nd = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    m = int(rng.integers(1, 12))
    s = rng.uniform(0, 100, ns).round(3)
    d = rng.uniform(0, 100, nd).round(3)
    ps, pd_ = rng.integers(0, ns, m), rng.integers(0, nd, m)
    v = rng.uniform(-10, 50, m).round(3)
    A = np.zeros((ns + nd, m))
    A[ps, np.arange(m)] = 1
    A[ns + pd_, np.arange(m)] = 1
    lp = linprog(-v, A_ub=A, b_ub=np.concatenate([s, d]), bounds=(0, None), method="highs")
    ref = -lp.fun
    ok = True
    for method in ("lp", "min_cost_flow"):
        a = allocate(s, d, ps, pd_, v, method=method)
        tol = 1e-6 * max(1.0, abs(ref)) + (a.scaling.get("max_rounding_loss", 0.0) if method == "min_cost_flow" else 0.0)
        ok &= a.status == "optimal" and abs(a.objective - ref) <= tol + 1e-9
        ok &= bool(np.all(np.bincount(ps, a.flows_t, ns) <= s + 1e-6))
        ok &= bool(np.all(np.bincount(pd_, a.flows_t, nd) <= d + 1e-6))
    return bool(ok)


DIFFERENTIAL: list[tuple[str, str, str, Callable[[np.random.Generator], bool]]] = [
    ("find_cycles", "symbioflows.chains:find_cycles", "networkx.simple_cycles(length_bound=)", _diff_cycles),
    ("find_paths", "symbioflows.chains:find_paths", "chains._reference.simple_paths (pure Python DFS)", _diff_paths),
    ("great_circle_matrix", "symbioflows.logistics:great_circle_matrix", "logistics._reference.haversine_km (math module)", _diff_haversine),
    ("top_k_compatible", "symbioflows.materials.compat:top_k_compatible", "numpy float64 cosine + stable argsort", _diff_topk),
    ("allocate (lp, min_cost_flow)", "symbioflows.matching:allocate", "scipy.optimize.linprog (HiGHS)", _diff_allocate),
]


def differential_figures(instances: int) -> dict[str, Any]:
    from symbioflows.testing.reliability_kernels import lookup as _lookup

    out: dict[str, Any] = {}
    for name, spec, oracle, fn in DIFFERENTIAL:
        if _lookup(spec) is None:
            continue
        rng = np.random.default_rng(20261127)
        n_bad, first_bad = 0, None
        t0 = time.perf_counter()
        for i in range(instances):
            try:
                good = fn(rng)
            except Exception as exc:  # noqa: BLE001 - a crash of the comparison is a mismatch
                good = False
                first_bad = first_bad or f"instance {i}: {type(exc).__name__}: {exc}"
            if not good:
                n_bad += 1
                first_bad = first_bad or f"instance {i}"
        out[name] = {"instances": instances, "mismatches": n_bad, "first": first_bad,
                     "oracle": oracle, "seconds": round(time.perf_counter() - t0, 1)}
    for name, r in out.items():
        if r["first"]:
            print(f"- {name}: first mismatch {r['first']}")
    return out


# --------------------------------------------------------------------------------------------
# thread stress
# --------------------------------------------------------------------------------------------


def thread_figures(calls_per_thread: int) -> dict[str, Any]:
    from symbioflows.testing.reliability_checks import thread_stress
    from symbioflows.testing.reliability_kernels import KERNELS

    out: dict[str, Any] = {}
    for k in KERNELS:
        fn = k.resolve()
        if fn is None:
            continue
        r = thread_stress(k, fn, n_threads=16, calls_per_thread=calls_per_thread)
        out[k.name] = dict(r.__dict__, has_n_jobs=bool(k.n_jobs))
    return out


# --------------------------------------------------------------------------------------------
# adversarial graphs and malformed files
# --------------------------------------------------------------------------------------------

ADVERSARIAL_LIMITS = [
    {"time_limit_s": 0.5},
    {"time_limit_s": 2.0, "max_results": 10_000_000},
    {"max_results": 100_000, "time_limit_s": 5.0},
    {"max_expansions": 2_000_000, "time_limit_s": 5.0},
    {"top_k": 10, "time_limit_s": 0.5},
]


def adversarial_figures(repeats: int) -> dict[str, Any]:
    from symbioflows.testing.reliability_checks import adversarial_cycles
    from symbioflows.testing.reliability_kernels import lookup as _lookup

    if _lookup("symbioflows.chains:find_cycles") is None:
        return {}
    rlimit = 3 << 30
    out = [{"limits": lim,
            "runs": [adversarial_cycles(n=50, max_length=6, limits=lim, n_jobs=2,
                                        rlimit_as_bytes=rlimit) for _ in range(repeats)]}
           for lim in ADVERSARIAL_LIMITS]
    return {"rows": out, "rlimit_as_bytes": rlimit, "repeats": repeats}


def malformed_figures(n_files: int) -> dict[str, Any]:
    from symbioflows.testing.reliability_checks import malformed_files
    from symbioflows.testing.reliability_kernels import lookup as _lookup

    if _lookup("symbioflows:read_dataset") is None:
        return {}
    out = {}
    for fmt in ("csv", "parquet", "json"):
        r = malformed_files(fmt=fmt, n_files=n_files, seed=2026)
        out[fmt] = {k: v for k, v in r.items() if k != "work_dir"}
        for k, v in list(r["undocumented"].items())[:3]:
            print(f"- {fmt} {k}: {v}")
    return out


# --------------------------------------------------------------------------------------------
# fuzzing and sanitizers
# --------------------------------------------------------------------------------------------


def fuzz_figures(seconds: float) -> dict[str, Any]:
    summary = OUT / "fuzz_summary.json"
    r = subprocess.run([sys.executable, "fuzz/run_all.py", "--seconds", str(seconds),
                        "--asan-replay", "--json", str(summary)], cwd=ROOT,
                       capture_output=True, text=True, timeout=100 * (seconds + 120))
    print(r.stdout[-4000:])
    if not summary.exists():
        raise RuntimeError(f"fuzz/run_all.py exit {r.returncode} wrote no summary: {r.stderr[-2000:]}")
    res = json.loads(summary.read_text())
    return {"results": res, "exit": r.returncode, "seconds_per_target": seconds}


def sanitizer_figures(log: str | None = None) -> dict[str, Any]:
    """Run tools/sanitizer_suite.sh, or read the output of a run (``--sanitizer-log``, e.g. the
    log of a fresh-clone ``.ci/run``, which runs the same script)."""
    t0 = time.perf_counter()
    if log:
        text, rc = Path(log).read_text(errors="replace"), None
    else:
        r = subprocess.run(["bash", "tools/sanitizer_suite.sh"], cwd=ROOT, capture_output=True,
                           text=True, timeout=3600)
        text, rc = r.stdout + r.stderr, r.returncode
    lines = [ln for ln in text.splitlines()
             if ln.startswith(("sanitizer_suite:", "kernel_threads_test")) or " passed" in ln]
    if rc is None:  # from a log: the suite's own last line says whether it passed
        rc = 0 if lines and "pytest exit=0" in lines[-1] and "TSan kernels exit=0" in lines[-1] else 1
    return {"exit": rc, "lines": lines[-12:], "seconds": round(time.perf_counter() - t0),
            "from_log": bool(log)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default=",".join(SECTIONS))
    ap.add_argument("--diff-instances", type=int, default=1000)
    ap.add_argument("--stress-calls", type=int, default=8, help="calls per thread (16 threads)")
    ap.add_argument("--adversarial-repeats", type=int, default=3)
    ap.add_argument("--malformed-files", type=int, default=1002, help="per format")
    ap.add_argument("--fuzz-seconds", type=float, default=60)
    ap.add_argument("--sanitizer-log", default=None,
                    help="take the sanitizer section from this output of tools/sanitizer_suite.sh "
                         "(e.g. a .ci/run log) instead of running it")
    args = ap.parse_args(argv)
    only = [s for s in args.only.split(",") if s]
    unknown = set(only) - set(SECTIONS)
    if unknown:
        ap.error(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    OUT.mkdir(parents=True, exist_ok=True)
    path = RESULTS
    figures: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"load average {os.getloadavg()[0]:.1f}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    runners: dict[str, Callable[[], Any]] = {
        "property": property_figures,
        "differential": lambda: differential_figures(args.diff_instances),
        "threads": lambda: thread_figures(args.stress_calls),
        "adversarial": lambda: adversarial_figures(args.adversarial_repeats),
        "malformed": lambda: malformed_figures(args.malformed_files),
        "fuzz": lambda: fuzz_figures(args.fuzz_seconds),
        "sanitizers": lambda: sanitizer_figures(args.sanitizer_log),
    }
    for s in SECTIONS:
        if s in only:
            started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
            load_before = round(os.getloadavg()[0], 2)
            figures[s] = runners[s]()
            commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                    capture_output=True, text=True).stdout.strip()
            figures[s]["run"] = {"started": started, "commit": commit,
                                 "load_before": [load_before],
                                 "load_after": [round(os.getloadavg()[0], 2)],
                                 "cpus": os.cpu_count()}
            path.write_text(json.dumps(figures, indent=1, default=str) + "\n")
            show(s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
