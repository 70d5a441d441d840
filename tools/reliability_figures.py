"""Produce every figure that docs/reliability.md publishes.

    python tools/reliability_figures.py                      # everything (about 20-30 min)
    python tools/reliability_figures.py --only threads,adversarial
    python tools/reliability_figures.py --only fuzz --fuzz-seconds 120

Sections (``--only``): property, differential, threads, adversarial, malformed, fuzz,
sanitizers.  Each prints a Markdown table; all results are also written to
build/reliability/figures.json.  The document copies what this printed, nothing else.
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
OUT = ROOT / "build" / "reliability"

SECTIONS = ("property", "differential", "threads", "adversarial", "malformed", "fuzz", "sanitizers")


def table(headers: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


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
    rows = [[k, v["tests"], v["passing"], v["failing"]] for k, v in sorted(by_file.items())]
    print("\n### Property tests (hypothesis, profile `ci`)\n")
    print(table(["kernel (tests/property file)", "properties", "examples run", "failing examples"], rows))
    print(f"\npytest: {summary} ({time.perf_counter() - t0:.0f} s)")
    return {"per_test": per_test, "by_kernel": by_file, "pytest_summary": summary,
            "exit": r.returncode}


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

    rows, out = [], {}
    for name, spec, oracle, fn in DIFFERENTIAL:
        if _lookup(spec) is None:
            rows.append([name, oracle, "not landed", "-"])
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
        rows.append([name, oracle, instances, n_bad])
    print("\n### Differential tests (random instances, seed 20261127)\n")
    print(table(["kernel", "oracle", "instances", "mismatches"], rows))
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

    rows, out = [], {}
    for k in KERNELS:
        fn = k.resolve()
        if fn is None:
            rows.append([k.name, "not landed", "-", "-", "-"])
            continue
        r = thread_stress(k, fn, n_threads=16, calls_per_thread=calls_per_thread)
        out[k.name] = r.__dict__
        nj = "1, 2, 4" if k.n_jobs else "(no n_jobs)"
        rows.append([k.name, r.calls, r.mismatches + r.errors, nj,
                     r.n_jobs_mismatches if k.n_jobs else "-"])
    print("\n### Thread stress (16 Python threads, shared inputs, vs a serial n_jobs=1 call)\n")
    print(table(["kernel", "threaded calls", "mismatches or errors", "n_jobs compared",
                 "n_jobs mismatches"], rows))
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
        print("\n### Adversarial graphs: find_cycles not landed")
        return {}
    rlimit = 3 << 30
    rows, out = [], []
    for lim in ADVERSARIAL_LIMITS:
        runs = [adversarial_cycles(n=50, max_length=6, limits=lim, n_jobs=2, rlimit_as_bytes=rlimit)
                for _ in range(repeats)]
        out.append(runs)
        ok = [r for r in runs if r.get("rc") == 0]
        if len(ok) != len(runs):
            rows.append([json.dumps(lim), "FAILED", runs[0].get("stderr", "")[-200:], "", "", "", "", "", ""])
            continue
        el = sorted(r["elapsed_s"] for r in ok)
        rows.append([
            ", ".join(f"{k}={v:,}" if isinstance(v, int) else f"{k}={v}" for k, v in lim.items()),
            f"{np.median(el):.3f} / {el[-1]:.3f}",
            f"{max(r['elapsed_s'] - lim['time_limit_s'] for r in ok):+.3f}",
            f"{np.median([r['cpu_s'] for r in ok]):.2f}",
            f"{np.median([r['load_avg_1min'] for r in ok]):.1f}",
            "/".join(sorted({str(r["truncated"]) for r in ok})),
            "/".join(sorted({str(r["reason"]) for r in ok})),
            "/".join(sorted({f"{r['n_cycles']:,}" for r in ok})),
            f"{max(r['peak_rss_bytes'] for r in ok) / 2**20:.0f} MiB (base {ok[0]['base_rss_bytes'] / 2**20:.0f})",
        ])
    print(f"\n### Complete digraph K_50, cycle length 2..6 (~2.0e9 cycles), n_jobs=2, "
          f"RLIMIT_AS {rlimit >> 30} GiB, {repeats} runs each\n")
    print(table(["limits", "wall s (median / max)", "max overrun vs time_limit_s",
                 "CPU s (median, 2 threads)", "load avg", "truncated", "reason",
                 "cycles returned", "peak RSS"], rows))
    return {"runs": out, "rlimit_as_bytes": rlimit}


def malformed_figures(n_files: int) -> dict[str, Any]:
    from symbioflows.testing.reliability_checks import malformed_files
    from symbioflows.testing.reliability_kernels import lookup as _lookup

    if _lookup("symbioflows:read_dataset") is None:
        print("\n### Malformed files: read_dataset not landed")
        return {}
    rows, out = [], {}
    for fmt in ("csv", "parquet", "json"):
        r = malformed_files(fmt=fmt, n_files=n_files, seed=2026)
        out[fmt] = {k: v for k, v in r.items() if k != "work_dir"}
        rows.append([fmt, r["files"], r["accepted"], sum(r["documented"].values()),
                     ", ".join(f"{k} {v}" for k, v in sorted(r["documented"].items())),
                     len(r["undocumented"]), len(r["known_open"]), len(r["crashes"])])
    print("\n### Malformed files (mutated companies/streams/exchanges tables, each read in a "
          "crash-detecting subprocess)\n")
    print(table(["format", "files", "accepted", "documented exception", "by class",
                 "undocumented (new)", "undocumented (known open)", "crashes"], rows))
    for fmt, r in out.items():
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
    res = json.loads(summary.read_text())
    rows = []
    by = {}
    for x in res:
        by.setdefault(x["target"], []).append(x)
    for name, xs in by.items():
        fz = next((x for x in xs if x.get("mode") == "fuzz"), None)
        rp = next((x for x in xs if x.get("mode") == "replay"), None)
        if fz is None:
            rows.append([name, "not landed", "-", "-", "-", "-"])
            continue
        rows.append([name, fz["cpu_s"], f"{fz['executions']:,}" if fz["executions"] else "?",
                     fz["corpus_files"], len(fz["findings"]),
                     f"{rp['executions']} inputs, {len(rp['findings'])} findings" if rp else "-"])
    print(f"\n### Fuzzing (atheris/libFuzzer, {seconds:.0f} s wall per target, coverage-guided; "
          "corpus then replayed under ASan+UBSan)\n")
    print(table(["target", "CPU s", "executions", "corpus", "new findings",
                 "ASan+UBSan replay"], rows))
    return {"results": res, "exit": r.returncode}


def sanitizer_figures() -> dict[str, Any]:
    t0 = time.perf_counter()
    r = subprocess.run(["bash", "tools/sanitizer_suite.sh"], cwd=ROOT, capture_output=True,
                       text=True, timeout=3600)
    lines = [ln for ln in (r.stdout + r.stderr).splitlines()
             if ln.startswith(("sanitizer_suite:", "kernel_threads_test")) or " passed" in ln]
    print("\n### Sanitizers\n")
    print("```")
    print("\n".join(lines[-12:]))
    print("```")
    print(f"tools/sanitizer_suite.sh exit {r.returncode} ({time.perf_counter() - t0:.0f} s)")
    return {"exit": r.returncode, "lines": lines}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default=",".join(SECTIONS))
    ap.add_argument("--diff-instances", type=int, default=1000)
    ap.add_argument("--stress-calls", type=int, default=8, help="calls per thread (16 threads)")
    ap.add_argument("--adversarial-repeats", type=int, default=3)
    ap.add_argument("--malformed-files", type=int, default=1002, help="per format")
    ap.add_argument("--fuzz-seconds", type=float, default=60)
    args = ap.parse_args(argv)
    only = [s for s in args.only.split(",") if s]
    unknown = set(only) - set(SECTIONS)
    if unknown:
        ap.error(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "figures.json"
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
        "sanitizers": sanitizer_figures,
    }
    for s in SECTIONS:
        if s in only:
            figures[s] = runners[s]()
            path.write_text(json.dumps(figures, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
