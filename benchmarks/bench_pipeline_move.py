"""Does the move of the plan into its own layer (issue 15) cost time?  The 100k plan of two
source trees, run interleaved round by round, each run in a fresh child process.

The trees are git worktrees of this repository with their own compiled ``_core``: by default
``/work/wt-premove`` (commit a47c4ef, the last commit before the move) and ``/work/wt-refactor``
(commit 6d034dd, the move alone, same C++).  Each child gets ``PYTHONPATH=<tree>/src`` and
nothing else of ours, builds the same region (``make_region``, same seed and layout as
``bench_pipeline.py``) and times ``symbioflows.plan(ds, chains=True)`` twice: ``cold`` (the
first call of the process: what ``bench_pipeline.py`` reports, lazy imports included) and
``warm`` (a second call on the same data).  Per call it records the wall and process CPU
seconds and the plan's per-stage wall seconds (``timings_s``), plus the plan's totals so that
the trees can be checked to agree.

Elsewhere, make the two trees first (a worktree per commit, each with its own build)::

    git worktree add ../premove a47c4ef && (cd ../premove && bash tools/dev_build.sh)
    git worktree add ../refactor 6d034dd && (cd ../refactor && bash tools/dev_build.sh)
    python benchmarks/bench_pipeline_move.py --tree premove=../premove --tree refactor=../refactor

The round order rotates (``_harness.interleave``), the first round is a warm-up and is not
counted, and the load average is recorded before and after (``noisy`` when the load at the
start is above half the cores).  One command, a few minutes on a quiet 2-core machine::

    python benchmarks/bench_pipeline_move.py                      # 100k, 5 rounds + warm-up
    python benchmarks/bench_pipeline_move.py --rounds 3 --tree premove=/work/wt-premove \
        --tree refactor=/work/wt-refactor --tree main=/path/to/a/copy/of/main

writes ``benchmarks/results/pipeline_move.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "pipeline_move.json"
DEFAULT_TREES = {"premove": "/work/wt-premove", "refactor": "/work/wt-refactor"}

# the region of bench_pipeline.py (kept in step by hand: this script must not import the
# benchmark of either tree, which differ)
STREAMS_PER_COMPANY = 3.436


def child(n: int, seed: int) -> dict:
    """Run in the child: build the region, plan it twice, report the times (JSON on stdout)."""
    t0 = time.perf_counter()
    import symbioflows
    from symbioflows.datasets import make_region

    import_s = time.perf_counter() - t0
    n_comp = max(10, round(n / STREAMS_PER_COMPANY))
    radius = 30.0 * max(1.0, (n_comp / 250.0) ** 0.5)
    ds = make_region(n_comp, rng=seed, radius_km=radius)
    out: dict = {"module": symbioflows.__file__, "import_s": import_s,
                 "n_streams": int(ds.n_streams)}
    for call in ("cold", "warm"):
        t0, c0 = time.perf_counter(), time.process_time()
        p = symbioflows.plan(ds, chains=True)
        out[call] = {"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0,
                     "stages_wall_s": {k: float(v) for k, v in p.timings_s.items()}}
        out["totals"] = {k: (float(v) if isinstance(v, (int, float)) else str(v))
                         for k, v in sorted(p.totals.items())}
        out["allocation_objective"] = float(p.allocation.objective)
    return out


def run_child(tree: str, n: int, seed: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(Path(tree) / "src")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--n", str(n),
           "--seed", str(seed)]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, cwd=tree, capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise RuntimeError(f"child for {tree} failed ({r.returncode}):\n{r.stderr[-3000:]}")
    res = json.loads(r.stdout.strip().splitlines()[-1])
    res["process_wall_s"] = time.perf_counter() - t0
    if not res["module"].startswith(str(Path(tree).resolve())):
        raise RuntimeError(f"child imported {res['module']}, not the tree {tree}")
    return res


def _commit(tree: str) -> str:
    """The tree's commit: git's, or a ``COMMIT`` file beside ``src/`` (a plain copy)."""
    r = subprocess.run(["git", "-C", tree, "rev-parse", "--short", "HEAD"], capture_output=True,
                       text=True, check=False)
    if r.returncode == 0:
        return r.stdout.strip()
    f = Path(tree) / "COMMIT"
    return f.read_text().strip() if f.is_file() else "unknown"


def summarize(runs: list[dict]) -> dict:
    def med(xs: list[float]) -> float:
        return round(statistics.median(xs), 3)

    s: dict = {}
    for call in ("cold", "warm"):
        stages = runs[0][call]["stages_wall_s"]
        s[call] = {"wall_s": med([r[call]["wall_s"] for r in runs]),
                   "cpu_s": med([r[call]["cpu_s"] for r in runs]),
                   "wall_s_all": [round(r[call]["wall_s"], 3) for r in runs],
                   "cpu_s_all": [round(r[call]["cpu_s"], 3) for r in runs],
                   "stages_wall_s": {k: med([r[call]["stages_wall_s"].get(k, float("nan"))
                                             for r in runs]) for k in stages}}
    s["import_s"] = med([r["import_s"] for r in runs])
    s["process_wall_s"] = med([r["process_wall_s"] for r in runs])
    return s


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, default=100_000, help="streams in the region")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=5, help="timed rounds (after 1 warm-up)")
    ap.add_argument("--tree", action="append", default=[], metavar="NAME=PATH",
                    help="a source tree to time (repeatable); default: premove and refactor")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.n, args.seed)))
        return 0

    sys.path.insert(0, str(HERE))
    from _harness import close_machine_state, interleave, machine_state

    trees = dict(DEFAULT_TREES)
    if args.tree:
        trees = dict(t.split("=", 1) for t in args.tree)
    commits = {name: _commit(path) for name, path in trees.items()}
    state = machine_state()
    runs: dict[str, list[dict]] = {name: [] for name in trees}

    def contender(name: str, path: str):
        def go() -> None:
            runs[name].append(run_child(path, args.n, args.seed))
        return go

    t0 = time.perf_counter()
    interleave({name: contender(name, path) for name, path in trees.items()}, args.rounds,
               warmup=1)
    state = close_machine_state(state)
    timed = {name: rs[1:] for name, rs in runs.items()}  # runs[0]: the warm-up round
    totals = {name: rs[-1]["totals"] for name, rs in runs.items()}
    objectives = {name: rs[-1]["allocation_objective"] for name, rs in runs.items()}
    names = list(trees)
    base = names[0]
    summary = {name: summarize(rs) for name, rs in timed.items()}
    ratios = {name: {call: {m: round(summary[name][call][m] / summary[base][call][m], 3)
                            for m in ("wall_s", "cpu_s")} for call in ("cold", "warm")}
              for name in names[1:]}
    result = {
        "what": "100k plan (chains=True) of each source tree, fresh child process per run, "
                "trees interleaved round by round, first round excluded",
        "command": "python benchmarks/bench_pipeline_move.py " + " ".join(sys.argv[1:]),
        "n_streams_requested": args.n, "seed": args.seed, "rounds": args.rounds,
        "trees": {name: {"path": path, "commit": commits[name]} for name, path in trees.items()},
        "machine": state, "elapsed_s": round(time.perf_counter() - t0, 1),
        # totals that every tree reports (a later tree may report more)
        "same_totals": all(t[k] == totals[base][k] for t in totals.values()
                           for k in set.intersection(*(set(t) for t in totals.values()))),
        "same_objective": len({round(o, 6) for o in objectives.values()}) == 1,
        "totals": totals[base], "summary": summary, "ratio_to_" + base: ratios,
        "runs": timed,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    for name in names:
        s = summary[name]
        sys.stdout.write(f"{name:10s} cold {s['cold']['wall_s']:6.2f} s wall "
                         f"{s['cold']['cpu_s']:6.2f} s cpu | warm {s['warm']['wall_s']:6.2f} s "
                         f"wall {s['warm']['cpu_s']:6.2f} s cpu\n")
    sys.stdout.write(f"ratios to {base}: {json.dumps(ratios)}\nnoisy: {state['noisy']} "
                     f"(load {state['load_before']} -> {state['load_after']})  "
                     f"same totals: {result['same_totals']}\nwrote {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
