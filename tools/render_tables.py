"""Render the measured tables of the docs from the results files.

    python tools/render_tables.py            # rewrite every table block in place
    python tools/render_tables.py --check    # exit 1 and show the difference when a doc drifted

A table block in a Markdown file of ``docs/`` is written between two markers::

    <!-- table:NAME -->
    | ... rendered rows ... |
    <!-- /table:NAME -->

and its body is whatever the renderer ``NAME`` returns: a function of this file, registered
with ``@table("NAME")``, that reads ``benchmarks/results/`` (never the docs) and returns
Markdown.  Nobody types a measured figure into a block by hand: change the results file (by
re-running its benchmark) and re-render.  ``tests/test_docs_tables.py`` renders every block
and fails when the docs differ, when a block names no renderer, or when a renderer is unused.

To add a table: write a renderer below (formatting helpers: :func:`md_table`, :func:`num`,
:func:`load_note`), put the two markers in the doc, run this script.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DOCS = ROOT / "docs"

RENDERERS: dict[str, Callable[[], str]] = {}
_BLOCK = re.compile(r"(<!-- table:([A-Za-z0-9_.-]+) -->\n)(.*?)(<!-- /table:\2 -->)", re.S)


def table(name: str) -> Callable[[Callable[[], str]], Callable[[], str]]:
    """Register a renderer for the block ``<!-- table:name -->``."""

    def deco(fn: Callable[[], str]) -> Callable[[], str]:
        if name in RENDERERS:
            raise ValueError(f"two renderers named {name!r}")
        RENDERERS[name] = fn
        return fn

    return deco


# --------------------------------------------------------------------------------------------
# formatting helpers
# --------------------------------------------------------------------------------------------


def load(name: str) -> Any:
    """The parsed JSON results file ``benchmarks/results/<name>``."""
    with open(RESULTS / name, encoding="utf-8") as fh:
        return json.load(fh)


def md_table(headers: list[str], rows: list[list[Any]], align: list[str] | None = None) -> str:
    """A Markdown table; ``align`` holds one of ``l``/``r`` per column (default left)."""
    sep = ["---:" if a == "r" else "---" for a in (align or ["l"] * len(headers))]
    out = ["| " + " | ".join(headers) + " |", "| " + " | ".join(sep) + " |"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def num(x: float | int | None, digits: int = 2, *, grouping: bool = True) -> str:
    """A number as the docs write it: thousands separated, ``-`` for a missing value."""
    if x is None:
        return "-"
    if isinstance(x, int) and not isinstance(x, bool):
        return f"{x:,}" if grouping else str(x)
    return f"{x:,.{digits}f}" if grouping else f"{x:.{digits}f}"


def sig(x: float | None, digits: int = 3) -> str:
    """``x`` with ``digits`` significant figures (for times spanning orders of magnitude)."""
    if x is None:
        return "-"
    return f"{x:.{digits}g}" if abs(x) < 10 ** digits else f"{x:,.0f}"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b else "-"


def load_note(machine: dict[str, Any], cores: int | None = None) -> str:
    """One sentence on the machine's load during a run, and whether it counts as noisy.

    A run is noisy when the 1-minute load average at its start (other work) exceeds half the
    cores; the load at the end includes the benchmark's own threads and is shown for
    information (benchmarks/_harness.py).
    """
    cores = cores or machine.get("cpus") or machine.get("cpu_count") or 2

    def first(*keys: str) -> float | None:
        for key in keys:
            if isinstance(machine.get(key), list) and machine[key]:
                return float(machine[key][0])
        return None

    before = first("load_before", "loadavg_at_start", "load_avg_at_start", "load_at_start")
    after = first("load_after", "load_at_end")
    if before is None:
        return "Load average: not recorded by this run (so it cannot be called quiet)."
    end = f", {after:.2f} at the end (own threads included)" if after is not None else ""
    noisy = before > cores / 2
    return (f"1-minute load average {before:.2f} at the start{end}, {cores} cores: "
            + ("**noisy** (other work above half the cores at the start): read ratios, not "
               "absolute times, and no win is claimed from it." if noisy else "quiet."))


# --------------------------------------------------------------------------------------------
# economics.json: costing and vehicle routing
# --------------------------------------------------------------------------------------------


@table("costing")
def _costing() -> str:
    c = load("economics.json")["costing"]
    return md_table(
        ["contender", "CPU s, 1 thread (min of 5)", "ratio"],
        [["symbioflows native", f"{c['native_1_thread_cpu_s']:.3f}", "1"],
         ["numpy (chunked, same chord-haversine)", f"{c['numpy_cpu_s']:.3f}",
          f"native {c['speedup_vs_numpy_1_thread']:.1f}x faster"],
         ["numba njit (same algorithm)", f"{c['numba_cpu_s']:.3f}",
          (f"native {c['speedup_vs_numba_1_thread']:.2f}x faster"
           if c["speedup_vs_numba_1_thread"] >= 1
           else f"numba {1 / c['speedup_vs_numba_1_thread']:.2f}x faster")]])


@table("vrp")
def _vrp() -> str:
    rows = []
    for r in load("economics.json")["vrp"]:
        status = r["status"] + (" (not proven optimal)" if r["status"] == "time_limit" else "")
        rows.append([r["stops"], r["vehicles_available"], status, f"{r['wall_s']:.1f}",
                     num(r["ortools_distance_km"], 1), num(r["nn_distance_km"], 1),
                     num(r["ortools_cost_usd"]), num(r["nn_cost_usd"]),
                     f"{r['cost_ratio_ortools_over_nn']:.3f}"])
    return md_table(["stops", "vehicles available", "status", "wall s", "OR-tools km", "NN km",
                     "OR-tools USD", "NN USD", "cost ratio"], rows)


# --------------------------------------------------------------------------------------------
# chains.json: cycles against igraph / networkx / rustworkx, top-k, memory
# --------------------------------------------------------------------------------------------


@table("chains_cycles")
def _chains_cycles() -> str:
    rows = []
    for r in load("chains.json")["cycles"]:
        nx_s = r.get("networkx_s")
        rows.append([
            r["graph"], r["max_length"], num(r["cycles"]), f"{r['ours_1t_s']:.4f}",
            f"{r['ours_2t_s']:.4f}", f"{r['igraph_s']:.3f}", f"{r['speedup_vs_igraph_1t']:.1f}x",
            f"{r['speedup_vs_igraph_2t']:.1f}x", f"{r['thread_scaling']:.2f}",
            f"{r['parallel_efficiency'] * 1.0:.2f}" if "parallel_efficiency" in r else "-",
            f"{nx_s:.2f}" if nx_s is not None else "-",
            f"{r['speedup_vs_networkx']:.0f}x" if nx_s is not None else "-"])
    return md_table(["graph", "max length", "cycles (all agree)", "ours 1 thread (s)",
                     "ours 2 threads (s)", "igraph (s)", "igraph / ours 1t", "igraph / ours 2t",
                     "1t / 2t wall", "1t / 2t CPU", "networkx (s)", "networkx / ours 1t"], rows)


@table("chains_rustworkx")
def _chains_rustworkx() -> str:
    rows = [[r["graph"], num(r["cycles"]), f"{r['rustworkx_s']:.4f}", f"{r['ours_1t_s']:.4f}",
             f"{r['speedup_vs_rustworkx']:.1f}x"] for r in load("chains.json")["rustworkx"]]
    return md_table(["graph (every cycle)", "cycles", "rustworkx (s)", "ours (s)",
                     "rustworkx / ours"], rows)


@table("chains_topk")
def _chains_topk() -> str:
    r = load("chains.json")["top_k"]
    return md_table(
        ["graph", "max length", "cycles", "full enumeration + sort (s)", "top-10 (s)", "ratio",
         "expansions full / top-10"],
        [[r["graph"], r["max_length"], num(r["cycles"]),
          f"{r['full_enumeration_plus_sort_s']:.3f}", f"{r['top10_s']:.4f}",
          f"{r['speedup']:.1f}x", f"{r['full_expansions']:,} / {r['top10_expansions']:,}"]])


@table("chains_memory")
def _chains_memory() -> str:
    r = load("chains.json")["memory"]
    return md_table(["graph", "max length", "ours peak (MB)", "igraph peak (MB)"],
                    [[r["graph"], r["max_length"], f"{r['ours_peak_mb']:.1f}",
                      f"{r['igraph_peak_mb']:.1f}"]])


@table("chains_machine")
def _chains_machine() -> str:
    return load_note(load("chains.json")["machine"])


# --------------------------------------------------------------------------------------------
# similarity.json: cosine top-k, ours vs FAISS vs sgemm (benchmarks/bench_similarity.py)
# --------------------------------------------------------------------------------------------

_SIM_LABELS = {
    "ours_raw": "ours, cosine top-k (`top_k_compatible`, `w_similarity=1`)",
    "ours_fused": "ours, fused score (0.6 cosine + 0.4 knowledge, hazard and blocked filters)",
    "faiss": "FAISS `IndexFlatIP.search` (index prebuilt)",
    "sgemm": "numpy sgemm of the same shapes (`np.matmul(q, x.T, out=...)`), no top-k",
}


@table("similarity")
def _similarity() -> str:
    res = load("similarity.json")
    rows = []
    for run in res["runs"]:
        med, gf, ratio_ = run["median_s"], run["gflops_median"], run["median_ratio"]
        vs = {"ours_raw": f"{ratio_['ours_raw_over_faiss']:.2f}",
              "ours_fused": f"{ratio_['ours_fused_over_raw']:.2f} x ours raw",
              "faiss": "1", "sgemm": "-"}
        of = {"ours_raw": f"{100 * ratio_['ours_raw_fraction_of_sgemm']:.0f} %",
              "faiss": f"{100 * ratio_['faiss_fraction_of_sgemm']:.0f} %",
              "ours_fused": "-", "sgemm": "100 %"}
        for name in ("ours_raw", "ours_fused", "faiss", "sgemm"):
            rows.append([str(run["threads"]) + (" (noisy)" if run["noisy"] else ""),
                         _SIM_LABELS[name], f"{med[name]:.3f}", f"{run['median_cpu_s'][name]:.3f}",
                         f"{gf[name]:.1f}", vs[name], of[name]])
    table_ = md_table(["threads", "contender", "median wall (s)", "median CPU (s)", "GFLOP/s",
                       "time / FAISS (median of per-round ratios)",
                       "share of sgemm rate (per-round median)"],
                      rows, ["l", "l", "r", "r", "r", "r", "r"])
    cpu_notes = [f"{run['threads']} thread{'s' if run['threads'] > 1 else ''}: ours / FAISS "
                 f"{ratio_['cpu_ours_raw_over_faiss']:.2f}, ours at "
                 f"{100 * ratio_['cpu_ours_raw_fraction_of_sgemm']:.0f} % of the sgemm rate"
                 for run in res["runs"] for ratio_ in [run["median_ratio"]]
                 if "cpu_ours_raw_over_faiss" in ratio_]
    if cpu_notes:
        table_ += ("\n\nSame rounds in process CPU time (medians of per-round ratios; steadier "
                   "than wall time on a loaded machine for 1 thread, while FAISS's OpenMP "
                   "threads spin and inflate its CPU time on 2): " + "; ".join(cpu_notes) + ".")
    return table_


@table("similarity_machine")
def _similarity_machine() -> str:
    res = load("similarity.json")
    m, q, dd = res["machine"], res["quality"], res["data"]
    loads = [x for r in res["runs"] for x in (r["load_before"][0], r["load_after"][0])]
    note = load_note({"cpus": m["cpu_count"], "load_before": [min(loads)],
                      "load_after": [max(loads)]})
    return (f"Machine: {m['cpu_model']}, {m['cpu_count']} cores, micro-kernel `{m['simd_level']}`, "
            f"numpy {m['numpy']} ({', '.join(m['blas'])}), FAISS {m['faiss']}. "
            f"Data: {dd['n_supply']:,} x {dd['n_demand']:,} x {dd['dim']}, k = {dd['k']}, "
            f"seed {dd['seed']}; {res['rounds']} timed rounds per thread count. {note}\n\n"
            f"Top-10 overlap on the first {q['queries_checked']} queries: ours vs FAISS "
            f"{100 * q['ours_raw_vs_faiss_top10_overlap']:.2f} %, ours vs exact float64 "
            f"{100 * q['ours_raw_vs_exact_float64_top10_overlap']:.2f} %, FAISS vs exact "
            f"{100 * q['faiss_vs_exact_float64_top10_overlap']:.2f} %, ours fused vs exact "
            f"float64 fused score {100 * q['ours_fused_vs_exact_float64_top10_overlap']:.2f} %.")


# --------------------------------------------------------------------------------------------
# threads.json: 1 vs 2 threads, interleaved
# --------------------------------------------------------------------------------------------


def _ms(s: float) -> str:
    return f"{s * 1e3:.3g} ms"


@table("threads")
def _threads() -> str:
    rows = []
    for r in load("threads.json")["rows"]:
        name = r["case"]
        rows.append([name, _ms(r["t1_s"]), _ms(r["t2_s"]), f"**{r['speedup']:.2f}x**",
                     " / ".join(f"{x:.2f}" for x in r["speedup_per_pass"]),
                     f"{r['speedup_median']:.2f}x", f"{r['speedup_paired_median']:.2f}x"])
    return md_table(["kernel and input", "1 thread (min)", "2 threads (min)", "speed-up (min)",
                     "per pass", "speed-up (medians)", "median of per-round ratios"], rows,
                    ["l", "r", "r", "r", "r", "r", "r"])


@table("threads_machine")
def _threads_machine() -> str:
    return load_note(load("threads.json")["machine"])


# --------------------------------------------------------------------------------------------
# pipeline.json: the whole pipeline and the candidate stage
# --------------------------------------------------------------------------------------------

STAGES = ("prepare", "candidates", "scoring", "allocation", "report_tables")


def _pipeline_medians() -> dict[int, dict[str, Any]]:
    rows = load("pipeline.json")["plan"]
    out: dict[int, dict[str, Any]] = {}
    for n in sorted({r["n_streams"] for r in rows}):
        rs = [r for r in rows if r["n_streams"] == n]
        m: dict[str, Any] = {f"{st}_{k}": statistics.median(r["stages"][st][k] for r in rs)
                             for st in STAGES for k in ("wall_s", "cpu_s", "peak_rss_gib")}
        for k in ("wall_s", "cpu_s", "peak_rss_gib"):
            m[k] = statistics.median(r[k] for r in rs)
        m["runs"] = rs
        out[n] = m
    return out


@table("pipeline_stages")
def _pipeline_stages() -> str:
    rows = []
    for n, m in _pipeline_medians().items():
        r0 = m["runs"][0]
        cells = [f"{m[st + '_wall_s']:.2f} / {m[st + '_cpu_s']:.2f} s, "
                 f"{m[st + '_peak_rss_gib']:.2f} GiB" for st in STAGES]
        rows.append([f"{n:,}", f"{r0['n_companies']:,}, {r0['layout_radius_km']:.0f} km",
                     f"{r0['n_candidates']:,}", f"{r0['n_exchanges']:,}", len(m["runs"]), *cells,
                     f"**{m['wall_s']:.1f} / {m['cpu_s']:.1f} s**",
                     f"**{m['peak_rss_gib']:.2f} GiB**"])
    return md_table(["streams", "companies, layout radius", "candidate pairs", "exchanges",
                     "runs", "prepare", "candidates", "scoring", "allocation",
                     "tables + chains", "total wall / CPU", "peak RSS"], rows)


@table("pipeline_growth")
def _pipeline_growth() -> str:
    med = _pipeline_medians()
    sizes = list(med)
    rows = []
    for a, b in zip(sizes, sizes[1:]):
        g = [med[b][st + "_cpu_s"] / med[a][st + "_cpu_s"] for st in STAGES]
        lo = [r["cpu_s"] for r in med[a]["runs"]]
        hi = [r["cpu_s"] for r in med[b]["runs"]]
        rows.append([f"{a:,} -> {b:,}", f"{b / a:.2f}", *(f"{x:.1f}" for x in g),
                     f"{med[b]['cpu_s'] / med[a]['cpu_s']:.1f}",
                     f"{min(hi) / max(lo):.1f}-{max(hi) / min(lo):.1f}",
                     f"{med[b]['peak_rss_gib'] / med[a]['peak_rss_gib']:.1f}"])
    return md_table(["from -> to", "streams x", "prepare", "candidates", "scoring", "allocation",
                     "tables + chains", "total CPU", "total CPU, extremes of the runs",
                     "peak RSS"], rows)


@table("pipeline_machine")
def _pipeline_machine() -> str:
    loads = [x for r in load("pipeline.json")["plan"] for key in ("load_before", "load_after")
             for x in ([r[key][0]] if r.get(key) else [])]
    return load_note({"cpus": load("pipeline.json")["machine"].get("cpu_count", 2),
                      "load_before": [min(loads)], "load_after": [max(loads)]}
                     if loads else {})


@table("pipeline_move")
def _pipeline_move() -> str:
    res = load("pipeline_move.json")
    names = list(res["trees"])
    ratios = res.get("ratio_to_" + names[0], {})
    rows = []
    for name in names:
        s, t = res["summary"][name], res["trees"][name]
        r = ratios.get(name)
        ratio = (f"{r['cold']['cpu_s']:.2f} / {r['warm']['cpu_s']:.2f}" if r else "(reference)")
        rows.append([f"{name} (`{t['commit']}`)",
                     f"{s['cold']['wall_s']:.2f} / {s['cold']['cpu_s']:.2f} s",
                     f"{s['warm']['wall_s']:.2f} / {s['warm']['cpu_s']:.2f} s", ratio,
                     ", ".join(f"{x:.2f}" for x in s["cold"]["cpu_s_all"])])
    head = ["tree", "cold call: wall / CPU (median)", "warm call: wall / CPU (median)",
            "CPU ratio, cold / warm", "cold CPU per round (s)"]
    same = "the same totals and objective" if res["same_totals"] and res["same_objective"] \
        else "DIFFERENT totals or objective"
    return (md_table(head, rows, ["l", "r", "r", "r", "l"])
            + f"\n\n{res['rounds']} rounds after one warm-up round, {len(res['summary'][names[0]]['cold']['cpu_s_all'])} "
            f"runs per tree, {res['totals']['n_exchanges']:,.0f} exchanges in every run, "
            f"{same}; {res['elapsed_s']:.0f} s in all. {load_note(res['machine'])}")


@table("candidates")
def _candidates() -> str:
    rows = []
    def both(r: dict[str, Any], p: str) -> str:
        if f"{p}_s_1t" not in r:
            return "not run"
        return (f"{sig(r[p + '_s_1t'])} / {sig(r[p + '_s_2t'])} s "
                f"(CPU {sig(r[p + '_cpu_s_1t'])} / {sig(r[p + '_cpu_s_2t'])})")

    for r in load("pipeline.json")["candidates"]:
        evals = " / ".join(f"{r[k] / 1e6:,.1f} M" if k in r else "-"
                           for k in ("kdtree_distance_evals", "grid_distance_evals",
                                     "all_pairs_distance_evals"))
        same = ", ".join(p for p in ("grid", "all_pairs") if r.get(f"{p}_same_result")) or "-"
        allp = f"{sig(r['all_pairs_s_1t'])} s" if "all_pairs_s_1t" in r else (
            f"not run ({r['n_supplies'] * r['n_demands'] / 1e9:,.1f} billion pairs)")
        rows.append([f"{r['n_streams']:,}", f"{r['n_pairs']:,}", f"{r['n_truncated']:,}",
                     both(r, "kdtree"), both(r, "grid"), allp, evals, same])
    return md_table(["streams", "pairs kept", "supplies cut at k", "k-d tree 1 / 2 threads",
                     "grid 1 / 2 threads", "all-pairs, 1 thread",
                     "distance evaluations k-d tree / grid / all-pairs", "same result"], rows)


@table("candidates_machine")
def _candidates_machine() -> str:
    rs = load("pipeline.json")["candidates"]
    return load_note({"cpus": 2, "load_before": [min(r["load_before"][0] for r in rs)],
                      "load_after": [max(r["load_after"][0] for r in rs)]})


# --------------------------------------------------------------------------------------------
# allocation*.json: the allocation stage alone (benchmarks/bench_allocation.py,
# benchmarks/allocation_structure.py)
# --------------------------------------------------------------------------------------------


@table("allocation_layout")
def _allocation_layout() -> str:
    rows = []
    for r in load("allocation.json")["rows"]:
        rows.append([f"{r['n_streams']:,}", f"{r['n_pairs']:,} ({r['n_positive_pairs']:,})",
                     f"{r['largest_batch_pairs']:,}, {r['largest_batch_nodes']:,}",
                     f"{r['before_cpu_s']:.2f}", f"{r['after_cpu_s']:.2f}",
                     f"{r['before_cpu_s'] / r['after_cpu_s']:.2f}x",
                     f"{r['load_before'][0]:.2f} / {r['load_after'][0]:.2f}"])
    return md_table(["streams", "pairs (value > 0)", "largest network: pairs, nodes",
                     "before CPU s", "after CPU s", "speed-up", "load before / after"], rows)


@table("allocation_priced")
def _allocation_priced() -> str:
    rows = []
    for r in load("allocation_priced.json")["rows"]:
        rows.append([f"{r['n_streams']:,}", r["price_arcs"], r["pricing_rounds"],
                     f"{r['arcs_kept']:,} / {r['arcs_total']:,} "
                     f"({100 * r['arcs_kept'] / r['arcs_total']:.1f}%)",
                     f"{r['after_cpu_s']:.2f}", f"{r['priced_cpu_s']:.2f}",
                     f"{r['priced_cpu_s'] / r['after_cpu_s']:.2f}x", r["same_grid_optimum"]])
    return md_table(["streams", "K", "pricing rounds", "pairs kept / pairs (>0)", "full CPU s",
                     "priced CPU s", "priced / full", "same grid optimum"], rows)


@table("allocation_structure")
def _allocation_structure() -> str:
    a, b = load("allocation_structure.json")["components"][:2]

    def cell(c: dict[str, Any], part: str) -> str:
        return (f"{c[part + '_arcs']:,} arcs, {sig(c[part + '_cpu_s'])} s "
                f"({c[part + '_us_per_arc']:.2f} us/arc)")

    rows = [[label, cell(a, part), cell(b, part),
             f"{b[part + '_arcs'] / a[part + '_arcs']:.1f}x arcs, "
             f"{b[part + '_cpu_s'] / a[part + '_cpu_s']:.1f}x CPU"]
            for label, part in (("largest network: arcs, OR-tools CPU", "largest"),
                                ("all other networks together", "rest"))]
    return md_table(["measurement", f"{a['n_streams'] // 1000:,}k streams",
                     f"{b['n_streams'] // 1_000_000:,}M streams", "growth"], rows)


@table("scoring_issue6")
def _scoring_issue6() -> str:
    """The scoring stage before / after the in-place kernel, every run of scoring_issue6/."""
    runs = []
    for path in sorted((RESULTS / "scoring_issue6").glob("*.json")):
        label = path.stem.replace("_1m", "").replace("_run", " ").replace("_", " ")
        label = label if label[-1].isdigit() else label + " 1"
        for r in json.loads(path.read_text(encoding="utf-8"))["plan"]:
            runs.append((r["n_streams"], label, r))
    rows = []
    last = None
    for n, label, r in sorted(runs, key=lambda x: (x[0], x[1])):
        s = r["stages"]["scoring"]
        sys_s = f"{s['sys_s']:.2f} s" if s.get("sys_s") is not None else "-"
        rows.append([f"{n:,} ({r['n_candidates']:,})" if n != last else "", label,
                     f"{s['wall_s']:.2f} / {s['cpu_s']:.2f} s / {sys_s}",
                     f"{s['peak_rss_gib']:.2f} GiB",
                     f"{r['load_before'][0]:.2f} / {r['load_after'][0]:.2f}"])
        last = n
    return md_table(["streams (pairs)", "run", "scoring wall / CPU / sys", "peak RSS",
                     "load before / after"], rows)


# --------------------------------------------------------------------------------------------
# matching_quality_*.json: receiver ranking on MAESTRI and the case studies (symbioflows.evaluate)
# --------------------------------------------------------------------------------------------

METHOD_NAMES = {"random": "random", "popularity": "popularity", "exact_code": "exact code",
                "bm25": "BM25", "embedding": "embedding", "blend": "untrained blend",
                "learned": "**learned**", "learned_notax": "learned, no taxonomy"}


def _ci(r: dict[str, Any], key: str, bold: bool = False) -> str:
    v, lo, hi = r[key], r.get(key + "_lo"), r.get(key + "_hi")
    same = lo is None or f"{lo:.3f}" == f"{hi:.3f}"
    s = f"{v:.3f}" if same else f"{v:.3f} [{lo:.3f}, {hi:.3f}]"
    return f"**{s}**" if bold else s


def _quality_rows(summary: list[dict[str, Any]], data: str, label: Callable[[str], str],
                  skip: tuple[str, ...] = ()) -> list[list[Any]]:
    rows = []
    for setting in ("all", "case"):
        for method in METHOD_NAMES:
            if method in skip:
                continue
            for r in summary:
                if (r["data"], r["setting"], r["group"], r["average"], r["method"]) == (
                        data, setting, "implemented", "micro", method):
                    b = method == "learned"
                    rows.append([label(setting), METHOD_NAMES[method], _ci(r, "r@1", b),
                                 f"**{r['r@5']:.3f}**" if b else f"{r['r@5']:.3f}",
                                 f"**{r['r@10']:.3f}**" if b else f"{r['r@10']:.3f}",
                                 _ci(r, "mrr", b)])
    return rows


QUALITY_HEADERS = ["setting", "method", "recall@1 [95 % CI]", "recall@5", "recall@10",
                   "MRR [95 % CI]"]


@table("quality_sentence")
def _quality_sentence() -> str:
    s = load("matching_quality_sentence.json")["summary"]
    return md_table(QUALITY_HEADERS, _quality_rows(s, "maestri", lambda st: st))


def _signed(r: dict[str, Any], key: str) -> str:
    return f"{r[key]:+.3f} [{r[key + '_lo']:+.3f}, {r[key + '_hi']:+.3f}]"


@table("quality_sentence_diffs")
def _quality_sentence_diffs() -> str:
    rows = []
    diffs = load("matching_quality_sentence.json")["differences"]
    for setting in ("all", "case"):
        for method in ("learned", "learned_notax"):
            for base in ("popularity", "exact_code", "blend"):
                for r in diffs:
                    if (r["data"], r["setting"], r["group"], r["method"], r["baseline"]) == (
                            "maestri", setting, "implemented", method, base):
                        name = METHOD_NAMES[method].strip("*")
                        rows.append([setting, f"{name} - {METHOD_NAMES[base]}",
                                     _signed(r, "mrr_diff"), _signed(r, "r@1_diff"),
                                     f"{r['mrr_p_le_0']:.3f}"])
    return md_table(["setting", "comparison", "MRR difference [95 % CI]",
                     "recall@1 difference [95 % CI]", "P"], rows)


@table("quality_case_studies")
def _quality_case_studies() -> str:
    s = load("matching_quality_case_studies.json")["summary"]
    rows = _quality_rows(s, "out_of_source", lambda st: f"out of source, {st}", skip=("bm25",))
    for setting in ("all", "case"):
        get = {r["method"]: r for r in s if (r["data"], r["setting"], r["group"], r["average"])
               == ("combined", setting, "implemented", "micro")}
        p, e, lr = get["popularity"], get["exact_code"], get["learned"]
        rows.append([f"combined, {setting}", "popularity / exact code",
                     f"{p['r@1']:.3f} / {e['r@1']:.3f}", "", "", f"{p['mrr']:.3f} / {e['mrr']:.3f}"])
        rows.append([f"combined, {setting}", "**learned**", _ci(lr, "r@1", True),
                     f"{lr['r@5']:.3f}", f"{lr['r@10']:.3f}", _ci(lr, "mrr", True)])
    return md_table(["view, setting", *QUALITY_HEADERS[1:]], rows)


@table("learning_curve")
def _learning_curve() -> str:
    curves = {b: load(f"learning_curve_{b}.json")["summary"] for b in ("sentence", "hashing")}

    def get(b: str, setting: str, method: str) -> dict[float, dict[str, Any]]:
        return {r["fraction"]: r for r in curves[b] if (r["setting"], r["method"]) == (setting, method)}

    fr = sorted(get("sentence", "all", "learned"))
    ref = get("sentence", "all", "learned")
    head = ["training parks (rows) per fold"] + [
        f"{ref[f]['train_cases']:.0f} ({ref[f]['train_rows']:.0f})" for f in fr]
    rows = []
    for setting, b in (("all", "sentence"), ("case", "sentence"), ("all", "hashing"),
                       ("case", "hashing")):
        g = get(b, setting, "learned")
        rows.append([f"`{setting}`, learned, {b}", *(f"{100 * g[f]['recall1']:.1f} %" for f in fr)])
    pa, pc = get("sentence", "all", "popularity"), get("sentence", "case", "popularity")
    rows.append(["`all` / `case`, popularity",
                 *(f"{100 * pa[f]['recall1']:.1f} / {100 * pc[f]['recall1']:.1f} %" for f in fr)])
    return md_table(head, rows)


# --------------------------------------------------------------------------------------------
# learn.json, learn_gnn.json: link prediction, the GNN, federated training (docs/learning.md)
# --------------------------------------------------------------------------------------------


def _run_load(res: dict[str, Any]) -> str:
    machine = dict(res.get("machine", {}))
    for key, out in (("load_avg_before", "load_before"), ("load_avg_after", "load_after")):
        if isinstance(res.get(key), list):
            machine[out] = res[key]
    return load_note(machine)


def _ci10(r: dict[str, Any]) -> str:
    return f"{r['hits@10_lo']:.3f}-{r['hits@10_hi']:.3f}" if "hits@10_lo" in r else ""


def _link_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [[r["model"], f"{r['auc']:.3f}", f"{r['mrr']:.3f}", f"{r['hits@1']:.3f}",
             f"{r['hits@5']:.3f}", f"{r['hits@10']:.3f}", _ci10(r), f"{r['macro_hits@10']:.3f}"]
            for r in rows]


_LINK_HEAD = ["model", "AUC", "MRR", "hits@1", "hits@5", "hits@10", "hits@10 95 % CI",
              "macro hits@10"]


@table("learn_links")
def _learn_links() -> str:
    res = load("learn.json")
    q = res["quality"]
    n = int(q["all"][0]["n"])
    return (md_table(_LINK_HEAD, _link_rows(q["all"]), ["l"] + ["r"] * 7)
            + f"\n\n{n} queries (implemented exchanges of the held-out cases); text encoder "
            f"`{q['encoder']}`. {_run_load(res)}")


@table("learn_links_group")
def _learn_links_group() -> str:
    res = load("learn.json")
    return md_table(_LINK_HEAD, _link_rows(res["quality"]["group"]), ["l"] + ["r"] * 7)


@table("learn_links_planned")
def _learn_links_planned() -> str:
    res = load("learn.json")
    return md_table(_LINK_HEAD, _link_rows(res["quality_planned"]), ["l"] + ["r"] * 7)


@table("learn_gnn_coldstart")
def _learn_gnn_coldstart() -> str:
    res = load("learn_gnn.json")
    diffs = res["paired_vs_logistic"]
    rows = []
    for r in res["summary"]:
        d = diffs.get(r["model"])
        dh = (f"{d['hits@10_diff']:+.3f} [{d['hits@10_diff_lo']:+.3f}, {d['hits@10_diff_hi']:+.3f}]"
              if d else "(reference)")
        dm = (f"{d['mrr_diff']:+.3f} [{d['mrr_diff_lo']:+.3f}, {d['mrr_diff_hi']:+.3f}]"
              if d else "(reference)")
        rows.append([r["model"], f"{r['auc']:.3f}", f"{r['mrr']:.3f}", f"{r['hits@10']:.3f}",
                     _ci10(r), dh, dm])
    head = ["model", "AUC", "MRR", "hits@10", "hits@10 95 % CI", "hits@10 - logistic [95 %]",
            "MRR - logistic [95 %]"]
    return (md_table(head, rows, ["l"] + ["r"] * 6)
            + f"\n\n{int(res['summary'][0]['n'])} queries, {res['n_receivers']} candidate "
            f"receivers, encoder `{res['encoder']}`, GNN up to {res['epochs']} epochs; "
            f"{res['wall_s']:.0f} s wall. {_run_load(res)}")


@table("learn_gnn_group")
def _learn_gnn_group() -> str:
    res = load("learn_gnn.json")["group"]
    diffs = res["paired_vs_logistic"]
    rows = []
    for r in res["summary"]:
        d = diffs.get(r["model"])
        dm = (f"{d['mrr_diff']:+.3f} [{d['mrr_diff_lo']:+.3f}, {d['mrr_diff_hi']:+.3f}]"
              if d else "(reference)")
        rows.append([r["model"], f"{r['auc']:.3f}", f"{r['mrr']:.3f}", f"{r['hits@1']:.3f}", dm])
    return (md_table(["model", "AUC", "MRR", "hits@1", "MRR - logistic [95 %]"], rows,
                     ["l", "r", "r", "r", "r"])
            + f"\n\n{res['wall_s']:.0f} s wall. {_run_load(res)}")


@table("learn_gnn_cost")
def _learn_gnn_cost() -> str:
    cost = load("learn.json")["gnn_cost"]
    rows = [[num(r["streams"], 0), num(r["exchanges"], 0), num(r["edges_per_epoch"], 0),
             f"{r['train_s_per_epoch_per_100k_edges']:.2f}", f"{r['inference_s_per_100k_pairs']:.2f}"]
            for r in cost["runs"]]
    return md_table(["streams", "exchanges", "edges per epoch",
                     "training s per epoch per 100k edges", "inference s per 100k pairs"],
                    rows, ["r"] * 5)


def _fed_rows(fed: dict[str, Any], negatives: str) -> list[list[Any]]:
    eps = {k: v["epsilon"] for k, v in fed["dp"]["by_noise_multiplier"].items()}
    rows = []
    for name, r in fed.items():
        if not isinstance(r, dict) or "auc" not in r:
            continue
        label = name
        for z, e in eps.items():
            if f"({z}," in name:
                label = f"{name} (eps {e:.1f})"
        rows.append([label, negatives, f"{r['auc']:.3f}", f"{r['hits@10']:.3f}", _ci10(r),
                     f"{r['macro_hits@10']:.3f}"])
    loc = fed.get("local-only (each client alone)")
    if loc:
        rows.append(["local-only, mean client (best)", negatives,
                     f"{loc['mean_client_auc']:.3f} ({loc['best_client_auc']:.3f})",
                     f"{loc['mean_client_hits@10']:.3f} ({loc['best_client_hits@10']:.3f})", "", ""])
    return rows


@table("learn_federated")
def _learn_federated() -> str:
    res = load("learn.json")
    rows = (_fed_rows(res["federated"], "own park only")
            + _fed_rows(res["federated_public_negatives"], "+ 100 public NACE pseudo-receivers"))
    return (md_table(["training", "negatives", "AUC", "hits@10", "hits@10 95 % CI",
                      "macro hits@10"], rows, ["l", "l", "r", "r", "r", "r"])
            + f"\n\n{res['federated']['rounds']} rounds; {_run_load(res)}")


@table("pair_features")
def _pair_features() -> str:
    # not a measurement: the pair-feature table of the native core (pair_features.hpp), as
    # symbioflows exports it (run with PYTHONPATH=src on a built tree)
    from symbioflows.matching.features import markdown_table

    return markdown_table()


# --------------------------------------------------------------------------------------------
# reliability.json: the harness (tools/reliability_figures.py), docs/reliability.md
# --------------------------------------------------------------------------------------------


def _rel(section: str) -> dict[str, Any]:
    return load("reliability.json")[section]


def _run_note(sec: dict[str, Any]) -> str:
    r = sec["run"]
    if r.get("note"):
        return f"Run started {r['started']} at commit `{r['commit']}` ({r['note']})."
    commit = f" at commit `{r['commit']}`" if r.get("commit") else ""
    return (f"Run started {r['started']}{commit}, load average {r['load_before'][0]:.1f} before and "
            f"{r['load_after'][0]:.1f} after, {r['cpus']} cores.")


@table("reliability_property")
def _rel_property() -> str:
    s = _rel("property")
    rows = [[k, v["tests"], f"{v['passing']:,}", v["failing"]]
            for k, v in sorted(s["by_kernel"].items())]
    return (md_table(["kernel (tests/property file)", "properties", "examples run",
                      "failing examples"], rows)
            + f"\n\npytest: {s['pytest_summary']}.  {_run_note(s)}")


@table("reliability_differential")
def _rel_differential() -> str:
    s = _rel("differential")
    rows = [[k, v["oracle"], f"{v['instances']:,}", v["mismatches"]]
            for k, v in s.items() if k != "run"]
    return md_table(["kernel", "oracle", "instances", "mismatches"], rows) + "\n\n" + _run_note(s)


@table("reliability_threads")
def _rel_threads() -> str:
    s = _rel("threads")
    rows = [[k, v["calls"], v["mismatches"] + v["errors"],
             "1, 2, 4" if v["has_n_jobs"] else "(no n_jobs)",
             v["n_jobs_mismatches"] if v["has_n_jobs"] else "-"]
            for k, v in s.items() if k != "run"]
    return md_table(["kernel", "threaded calls", "mismatches or errors", "n_jobs compared",
                     "n_jobs mismatches"], rows) + "\n\n" + _run_note(s)


@table("reliability_adversarial")
def _rel_adversarial() -> str:
    s = _rel("adversarial")
    rows = []
    for row in s["rows"]:
        lim, runs = row["limits"], row["runs"]
        label = ", ".join(f"{k}={v:,}" if isinstance(v, int) else f"{k}={v}"
                          for k, v in lim.items())
        ok = [r for r in runs if r.get("rc") == 0]
        if len(ok) != len(runs):
            rows.append([label, "FAILED", str(runs[0].get("stderr", ""))[-200:], "", "", "", "",
                         "", ""])
            continue
        el = sorted(r["elapsed_s"] for r in ok)
        rows.append([
            label, f"{statistics.median(el):.3f} / {el[-1]:.3f}",
            f"{max(r['elapsed_s'] - lim['time_limit_s'] for r in ok):+.3f}",
            f"{statistics.median(r['cpu_s'] for r in ok):.2f}",
            f"{statistics.median(r['load_avg_1min'] for r in ok):.1f}",
            "/".join(sorted({str(r["truncated"]) for r in ok})),
            "/".join(sorted({str(r["reason"]) for r in ok})),
            "/".join(sorted({f"{r['n_cycles']:,}" for r in ok})),
            f"{max(r['peak_rss_bytes'] for r in ok) / 2**20:.0f} MiB "
            f"(base {ok[0]['base_rss_bytes'] / 2**20:.0f})"])
    return (md_table(["limits", "wall s (median / max)", "max overrun vs time_limit_s",
                      "CPU s (median, 2 threads)", "load avg", "truncated", "reason",
                      "cycles returned", "peak RSS"], rows)
            + f"\n\n{s['repeats']} runs per row, RLIMIT_AS {s['rlimit_as_bytes'] >> 30} GiB.  "
            + _run_note(s))


@table("reliability_malformed")
def _rel_malformed() -> str:
    s = _rel("malformed")
    rows = [[fmt, r["files"], r["accepted"], sum(r["documented"].values()),
             ", ".join(f"{k} {v}" for k, v in sorted(r["documented"].items())),
             len(r["undocumented"]), len(r["known_open"]), len(r["crashes"])]
            for fmt, r in s.items() if fmt != "run"]
    return md_table(["format", "files", "accepted", "documented exception", "by class",
                     "undocumented (new)", "undocumented (known open)", "crashes"], rows) + (
        "\n\n" + _run_note(s))


@table("reliability_fuzz")
def _rel_fuzz() -> str:
    s = _rel("fuzz")
    by: dict[str, list[dict[str, Any]]] = {}
    for x in s["results"]:
        by.setdefault(x["target"], []).append(x)
    rows = []
    for name, xs in by.items():
        fz = next((x for x in xs if x.get("mode") == "fuzz"), None)
        rp = next((x for x in xs if x.get("mode") == "replay"), None)
        if fz is None:
            continue
        rows.append([name, fz["cpu_s"], f"{fz['executions']:,}" if fz["executions"] else "?",
                     fz["corpus_files"], len(fz["findings"]),
                     f"{rp['executions']} inputs, {len(rp['findings'])} findings" if rp else "-"])
    return md_table(["target", "CPU s", "executions", "corpus", "new findings",
                     "ASan+UBSan replay"], rows) + (
        f"\n\n{s['seconds_per_target']:.0f} s of wall time per target.  " + _run_note(s))


@table("reliability_sanitizers")
def _rel_sanitizers() -> str:
    s = _rel("sanitizers")
    how = ("read from the log of that run" if s.get("from_log")
           else f"exit {s['exit']}, {s['seconds']} s")
    return ("```\n" + "\n".join(s["lines"]) + "\n```\n\n"
            + f"`tools/sanitizer_suite.sh` ({how}).  " + _run_note(s))


# --------------------------------------------------------------------------------------------
# materials.json: approximate index and classification (benchmarks/bench_materials.py)
# --------------------------------------------------------------------------------------------


@table("materials_ann")
def _materials_ann() -> str:
    a = load("materials.json")["ann"]
    rows = [[name.upper(), f"{a[k]['build_s']:.1f}", f"{a[k]['search_s']:.3f}",
             a[k]["tuned_param"], f"**{a[k]['recall_at_10_vs_exact']:.4f}**"]
            for k, name in (("hnsw", "hnsw"), ("ivf", "ivf")) if k in a]
    return md_table(["approximate index (`MaterialIndex`, 100,000 x 384)", "build (s)",
                     "search 1,000 queries (s)", "tuned efSearch / nprobe",
                     "recall@10 vs exact"], rows, ["l", "r", "r", "r", "r"])


@table("materials_classification")
def _materials_classification() -> str:
    c = load("materials.json")["classification"]
    names = {"hashing": "hashing fallback (native n-grams)",
             "sentence": "sentence model all-MiniLM-L6-v2"}
    parts = {"all": "all", "maestri": "MAESTRI descriptions",
             "written_holdout": "written after public sources"}
    rows = [[f"{names[b]}, {label}", c[b][part]["n"], f"{c[b][part]['top1']:.3f}",
             f"{c[b][part]['top3']:.3f}", f"{c[b][part]['ewc_top1']:.3f}"]
            for b in names if b in c for part, label in parts.items()]
    speed = "; ".join(f"{b} {c[b]['seconds_per_1000_texts']:.1f} s per 1,000 texts"
                      for b in names if b in c)
    return (md_table(["classification, `tests/data/material_eval.csv`", "rows", "top-1", "top-3",
                      "EWC code top-1"], rows, ["l", "r", "r", "r", "r"])
            + f"\n\nTime to classify: {speed}.  " + load_note(load("materials.json")["machine"]))


# --------------------------------------------------------------------------------------------
# labelled_text.json: supply and need descriptions, held out (benchmarks/labelled_text.py)
# --------------------------------------------------------------------------------------------

_LT_BACKENDS = {"sentence": "sentence model", "hashing": "hashing"}
_LT_PARTS = {"all": "all", "maestri": "MAESTRI", "case_study": "case studies"}


def _lt_cell(m: dict[str, Any], key: str) -> str:
    lo, hi = m[key + "_ci"]
    return f"{m[key]:.3f} [{lo:.3f}, {hi:.3f}]"


@table("labelled_text")
def _labelled_text() -> str:
    res = load("labelled_text.json")
    rows = []
    for split in ("heldout", "dev"):
        for direction in ("supply", "need"):
            for b, bname in _LT_BACKENDS.items():
                if b not in res["backends"]:
                    continue
                met = res["backends"][b]["metrics"]
                for part, pname in _LT_PARTS.items():
                    m = met.get(f"{direction}/{split}/{part}")
                    if not m or not m.get("n"):
                        continue
                    held = split == "heldout" and part == "all"
                    t3 = _lt_cell(m, "top3")
                    rows.append(["held out" if split == "heldout" else "development", direction,
                                 bname, pname, f"{m['n']} ({m['n_groups']})",
                                 _lt_cell(m, "top1"), f"**{t3}**" if held else t3])
    return (md_table(["split", "direction", "backend", "part", "rows (parks)",
                      "top-1 [95 % CI]", "top-3 [95 % CI]"], rows,
                     ["l", "l", "l", "l", "r", "r", "r"])
            + "\n\n" + (f"{res['note']}; i" if res.get("note") else "I")
            + f"ntervals: {res['n_boot']:,} bootstrap draws over parks "
            "(accuracy, not timing: the machine's load does not change it).")


_IT_HOW = ("all", "verbatim", "paraphrase", "translation")


@table("independent_text")
def _independent_text() -> str:
    res = load("independent_text.json")
    rows = []
    for direction in ("need", "supply"):
        for b, bname in _LT_BACKENDS.items():
            if b not in res["backends"]:
                continue
            met = res["backends"][b]["metrics"]
            for how in _IT_HOW:
                strict, lenient = met.get(f"{direction}/strict/{how}"), met.get(f"{direction}/lenient/{how}")
                if not strict or not strict.get("n"):
                    continue
                t3 = _lt_cell(strict, "top3")
                rows.append([direction, bname, how, f"{strict['n']} ({strict['n_groups']})",
                             _lt_cell(strict, "top1"), f"**{t3}**" if how == "all" else t3,
                             f"{lenient['top3']:.3f}"])
    return (md_table(["direction", "backend", "text taken", "rows (sources)", "top-1 [95 % CI]",
                      "top-3 [95 % CI]", "top-3, also-ok labels"], rows,
                     ["l", "l", "l", "r", "r", "r", "r"])
            + f"\n\nIntervals: {res['n_boot']:,} bootstrap draws over sources (accuracy, not "
            "timing: the machine's load does not change it).")


@table("labelled_text_before")
def _labelled_text_before() -> str:
    after, before = load("labelled_text.json"), load("labelled_text_before.json")
    rows = []
    for direction in ("supply", "need"):
        for b, bname in _LT_BACKENDS.items():
            if b not in after["backends"] or b not in before["backends"]:
                continue
            cells = []
            for res in (before, after):
                for split in ("dev", "heldout"):
                    m = res["backends"][b]["metrics"][f"{direction}/{split}/all"]
                    cells.append(f"{m['top3']:.3f}")
            rows.append([direction, bname, *cells])
    return md_table(["direction", "backend", "top-3 before, development", "before, held out",
                     "after, development", "after, held out"], rows,
                    ["l", "l", "r", "r", "r", "r"])


_E2E_DESIGN_NAMES = {
    "material_fit + sector_fit": "`material_fit` + `sector_fit` (the base of the others)",
    "+ need_fit": "+ a separate written-need fit beside the sector guess",
    "+ prior": "+ supply class -> receiver division prior, counted on the training parks",
    "+ need_fit + prior": "+ both",
    "+ text_sim": "+ cosine of supply text and receiver business text (became `text_fit`)",
    "+ analog": "+ closest documented exchange of the training parks (supply-text x "
                "receiver-text cosine)",
    "+ analog + text_sim": "+ closest documented exchange + text cosine",
    "+ analog_cls": "+ closest documented exchange of the same supply class (receiver-text "
                    "cosine)",
}


@table("end_to_end_designs")
def _end_to_end_designs() -> str:
    res = load("end_to_end_designs.json")
    rows = [[_E2E_DESIGN_NAMES.get(r["design"], r["design"]), f"{r['recall_at_1']:.3f}",
             f"{r['recall_at_3']:.3f}", f"{r['mrr']:.3f}",
             f"{r['n_ranked']} of {res['n_documented']}"] for r in res["rows"]]
    return md_table(["design (MAESTRI, park alone, out of fold)", "recall@1", "recall@3", "MRR",
                     "ranked"], rows, ["l", "r", "r", "r", "r"])


@table("need_designs")
def _need_designs() -> str:
    res = load("need_designs.json")
    rows = []
    for b, bname in _LT_BACKENDS.items():
        if b not in res["backends"]:
            continue
        for r in res["backends"][b]["rows"]:
            diff = "-"
            if "top3_minus_shipped" in r:
                lo, hi = r["top3_minus_shipped_ci"]
                diff = f"{r['top3_minus_shipped']:+.3f} [{lo:+.3f}, {hi:+.3f}]"
            rows.append([bname, r["design"], f"{r['top1']:.3f}", f"{r['top3']:.3f}", diff])
    first = next(iter(res["backends"].values()))
    return (md_table(["backend", "design", "top-1", "top-3", "top-3 minus shipped [95 % CI]"],
                     rows, ["l", "l", "r", "r", "r"])
            + f"\n\nDevelopment rows only: {first['n']} need texts from {first['n_groups']} "
            "parks, 5 folds grouped by park, 5 shuffles; paired intervals: 2,000 bootstrap "
            "draws over parks (accuracy, not timing).")


@table("supply_designs")
def _supply_designs() -> str:
    res = load("supply_designs.json")
    rows = []
    for r in res["rows"]:
        diff = "-"
        if "top3_minus_shipped" in r:
            lo, hi = r["top3_minus_shipped_ci"]
            diff = f"{r['top3_minus_shipped']:+.3f} [{lo:+.3f}, {hi:+.3f}]"
        rows.append([_LT_BACKENDS.get(r["backend"], r["backend"]), r["design"],
                     f"{r['top1']:.3f}", f"{r['top3']:.3f}", diff])
    return (md_table(["against the encoder", "design", "top-1", "top-3",
                      "top-3 minus shipped [95 % CI]"], rows, ["l", "l", "r", "r", "r"])
            + f"\n\nDevelopment rows only: {res['n']} supply texts from {res['n_groups']} "
            f"parks ({res['n_with_donor_sector']} with the donor's NACE code); paired "
            "intervals: 2,000 bootstrap draws over parks (accuracy, not timing).")


# --------------------------------------------------------------------------------------------
# the command line
# --------------------------------------------------------------------------------------------


def render_text(text: str) -> tuple[str, list[str]]:
    """``text`` with every table block re-rendered, and the block names that have no renderer."""
    unknown: list[str] = []

    def sub(m: re.Match[str]) -> str:
        name = m.group(2)
        fn = RENDERERS.get(name)
        if fn is None:
            unknown.append(name)
            return m.group(0)
        return m.group(1) + fn().rstrip("\n") + "\n" + m.group(4)

    return _BLOCK.sub(sub, text), unknown


def doc_files() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def block_names(text: str) -> list[str]:
    return [m.group(2) for m in _BLOCK.finditer(text)]


# --------------------------------------------------------------------------------------------
# end_to_end.json: the plan on rebuilt MAESTRI parks (issue 16 item 5)
# --------------------------------------------------------------------------------------------


#: How the end-to-end tables name a setting (placement; {n}: the number of distractors).
_E2E_WHERE = {"park_alone": "park alone", "region": "+ {n} in a 40 km region",
              "site": "+ {n} on the park's site"}


def _e2e_blocks(ev: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(label prefix, setting) of every setting of an end-to-end evaluation: MAESTRI's, then
    the case studies'."""
    return ([("MAESTRI, ", st) for st in ev["settings"]]
            + [("case studies, ", st) for st in ev.get("out_of_source", {}).get("settings", [])])


@table("end_to_end")
def _end_to_end() -> str:
    res = load("end_to_end.json")
    ev = res["evaluation"]
    names = {"plan": "**plan(), learned pair model** (design chosen on the training parks; "
                     "ships)",
             "plan_net_benefit": "same model, allocation by the surplus alone (`net_benefit`)",
             "hand_blend": "plan(), hand blend (baseline)",
             "learned_material_sector": "design: learn material and sector fit",
             "learned_material_sector_surplus":
                 "design: learn material, sector, surplus and CO2e weights",
             "learned_material_sector_surplus_text":
                 "design: learn material, sector, surplus, CO2e and text fit",
             "exact_code": "exact-code lookup (sees the EWC code)",
             "sector_popularity": "sector popularity"}
    where = _E2E_WHERE

    def cell(v: dict[str, Any]) -> str:
        x, (lo, hi) = v["value"], v["ci95"]
        if x != x:  # NaN: not defined for a baseline
            return "-"
        return f"{x:.3f} [{lo:.3f}, {hi:.3f}]"

    rows = []
    blocks = _e2e_blocks(ev)
    for prefix, st in blocks:
        label = prefix + where[st["placement"]].format(n=st["distractors"])
        for m, v in st["methods"].items():
            if "mrr" not in v:
                continue
            rows.append([label, names.get(m, m), str(v["n"]), cell(v["recall_at_1"]),
                         cell(v["recall_at_3"]), cell(v["mrr"]), cell(v["allocated_share"])])
    return md_table(["setting", "method", "exchanges", "recall@1", "recall@3", "MRR",
                     "allocated share"], rows) + "\n\n" + load_note(res["machine"])


@table("allocation_objectives")
def _allocation_objectives() -> str:
    res = load("allocation_objectives.json")
    rows = [[f"`{r['objective']}`", str(r["exchanges"]), f"{r['net_benefit_usd'] / 1e6:,.1f}",
             f"{r['co2e_avoided_t']:,.0f}", f"{r['tonnes_exchanged']:,.0f}",
             f"{r['partner_rank_mean']:.2f}", f"{r['partner_rank_1_share']:.2f}",
             f"{r['partner_score_mean']:.3f}", f"{r['partner_choice_probability_mean']:.3f}"]
            for r in res["rows"]]
    return md_table(["objective", "exchanges", "net benefit (M USD/yr)", "CO2e avoided (t/yr)",
                     "tonnes exchanged", "partner's rank by score (mean)",
                     "share at rank 1", "partner's score (mean)",
                     "choice probability (mean)"], rows,
                    ["l", "r", "r", "r", "r", "r", "r", "r", "r"]) + (
        f"\n\nPair model `{res['pair_model']}`; no chains.  " + load_note(res["machine"]))


@table("end_to_end_weights")
def _end_to_end_weights() -> str:
    ev = load("end_to_end.json")["evaluation"]
    rows = []
    cs = ev.get("out_of_source", {}).get("settings", [])[:1]
    for what, st in [("MAESTRI", x) for x in ev["settings"][:1]] + [("case studies", x)
                                                                     for x in cs]:
        chosen = {f["fold"]: f["design"] for f in st["plan_designs"]}  # per fold, in training
        for m, folds in st["models"].items():
            for f in folds:
                if not f["weights"]:
                    continue
                w = ", ".join(f"{k} {v:.3g}" for k, v in f["weights"].items())
                out = f.get("outside")
                rows.append([what, m, str(f["fold"]), w, sig(f["l2"]),
                             "-" if out is None else f"{out:.2f}",
                             "yes" if chosen.get(f["fold"]) == m else ""])
    return md_table(["parks tested", "design", "fold", "learned weights (raw units)",
                     "L2 (inner folds)", "outside utility", "the plan's model"], rows)


@table("end_to_end_outside")
def _end_to_end_outside() -> str:
    """The plan model's outside alternative on the held-out parks of each setting."""
    ev = load("end_to_end.json")["evaluation"]
    rows = []
    for prefix, st in _e2e_blocks(ev):
        o = st.get("outside_alternative", {})
        if not o.get("n_supplies"):
            continue
        rows.append([prefix + _E2E_WHERE[st["placement"]].format(n=st["distractors"]),
                     str(o["n_supplies"]), f"{o['observed_share']:.3f}",
                     f"{o['mean_predicted']:.3f}",
                     *("-" if o[k] is None else f"{o[k]:.3f}"
                       for k in ("mean_predicted_when_candidate", "mean_predicted_when_not"))])
    return md_table(["setting", "documented supplies with a candidate",
                     "share whose receiver is no candidate", "predicted P(none of these), mean",
                     "mean where the receiver is a candidate", "mean where it is not"], rows,
                    ["l", "r", "r", "r", "r", "r"])


@table("end_to_end_wording")
def _end_to_end_wording() -> str:
    res = load("end_to_end.json")
    where = _E2E_WHERE
    rows = []
    for r in res["wording_split"]:
        rows.append([r["parks"] + ", " + where[r["placement"]].format(n=r["distractors"]),
                     "yes" if r["shares_a_word"] else "no", str(r["n"]),
                     f"{r['recall_at_1']:.3f}", f"{r['recall_at_3']:.3f}", f"{r['mrr']:.3f}"])
    return md_table(["setting", "receiver's business shares a word with the supply text",
                     "exchanges", "recall@1", "recall@3", "MRR"], rows,
                    ["l", "l", "r", "r", "r", "r"])


@table("end_to_end_hashing")
def _end_to_end_hashing() -> str:
    """The plan row with each text encoder: end_to_end.json (auto: the sentence model) and
    end_to_end_hashing.json (every plan on the hashing encoder, as a plain install runs)."""
    rows = []
    for e, (fname, enc) in enumerate((("end_to_end.json", "sentence model"),
                                      ("end_to_end_hashing.json", "hashing (plain install)"))):
        ev = load(fname)["evaluation"]
        blocks = _e2e_blocks(ev)
        for b, (prefix, st) in enumerate(blocks):
            v = st["methods"]["plan"]
            rows.append([(b, e), prefix + _E2E_WHERE[st["placement"]].format(n=st["distractors"]), enc,
                         f"{v['recall_at_1']['value']:.3f}", f"{v['recall_at_3']['value']:.3f}",
                         f"{v['mrr']['value']:.3f} [{v['mrr']['ci95'][0]:.3f}, "
                         f"{v['mrr']['ci95'][1]:.3f}]"])
    rows.sort(key=lambda r: r[0])  # each setting's two encoders side by side
    return md_table(["setting", "text encoder of the plans", "recall@1", "recall@3", "MRR"],
                    [r[1:] for r in rows], ["l", "l", "r", "r", "r"])


def _seed_table(first: str, prefix: str) -> str:
    """The plan row of the protocol under every seed run (folds, park layouts, distractor
    draws and tie orders): ``first`` (seed 0) and ``<prefix><N>.json``, with the mean and the
    lowest of the seeds per setting."""
    by: dict[str, list[list[str]]] = {}
    seeds = sorted(RESULTS.glob(f"{prefix}*.json"), key=lambda f: int(f.stem.removeprefix(prefix)))
    for fname in [first, *(f.name for f in seeds)]:
        res = load(fname)
        for pre, st in _e2e_blocks(res["evaluation"]):
            v = st["methods"]["plan"]
            label = pre + _E2E_WHERE[st["placement"]].format(n=st["distractors"])
            by.setdefault(label, []).append(
                [label, str(res["seed"]), f"{v['recall_at_1']['value']:.3f}",
                 f"{v['recall_at_3']['value']:.3f}", f"{v['mrr']['value']:.3f}"])
    rows = []
    for label, runs in by.items():
        rows += runs
        cols = list(zip(*[[float(x) for x in r[2:]] for r in runs]))
        rows.append([label, f"mean of {len(runs)}", *(f"{statistics.mean(c):.3f}" for c in cols)])
        rows.append([label, "lowest", *(f"{min(c):.3f}" for c in cols)])
    return md_table(["setting", "seed", "recall@1", "recall@3", "MRR"], rows,
                    ["l", "r", "r", "r", "r"])


@table("end_to_end_seeds")
def _end_to_end_seeds() -> str:
    """end_to_end.json (seed 0) and end_to_end_seed<N>.json (the sentence model)."""
    return _seed_table("end_to_end.json", "end_to_end_seed")


@table("end_to_end_hashing_seeds")
def _end_to_end_hashing_seeds() -> str:
    """end_to_end_hashing.json (seed 0) and end_to_end_hashing_seed<N>.json (a plain install)."""
    return _seed_table("end_to_end_hashing.json", "end_to_end_hashing_seed")


# end_to_end_distance.json: the distance prior's weight, re-scored on the protocol's tables
@table("end_to_end_distance")
def _end_to_end_distance() -> str:
    res = load("end_to_end_distance.json")
    names = {"0_park_alone": "MAESTRI, park alone", "300_region": "MAESTRI, + 300 in a 40 km region",
             "300_site": "MAESTRI, + 300 on the park's site"}
    rows = []
    for r in res["rows"]:
        shipped = abs(r["beta"] - 0.9) < 1e-9
        b = f"**{r['beta']:g}** (ships)" if shipped else f"{r['beta']:g}"
        rows.append([names.get(r["setting"], r["setting"]), b, f"{r['recall_at_1']:.3f}",
                     f"{r['recall_at_3']:.3f}", f"{r['mrr']:.3f}",
                     f"{r['n_ranked']} of {res['n_documented']}"])
    return md_table(["setting", "log_distance weight (minus)", "recall@1", "recall@3", "MRR",
                     "ranked"], rows, ["l", "l", "r", "r", "r", "r"])


@table("free_text_scale")
def _free_text_scale() -> str:
    res = load("free_text_scale.json")
    stages = ("prepare", "candidates", "scoring", "allocation", "report_tables")

    def st(r: dict[str, Any], k: str) -> str:
        v = r["stages"].get(k)
        if v is None:
            return "-"
        peak = v.get("peak_rss_gib")
        return f"{v['wall_s']:.1f} / {v['cpu_s']:.1f}" + (f", {peak:.2f} GiB" if peak else "")

    rows = []
    for r in res.get("before", []) + res["runs"]:
        m = r["machine"]
        rows.append([
            r.get("tree", "this work"), f"{r['n_streams']:,}", f"{r['n_companies']:,}",
            f"{r['distinct_texts']:,} / {r['distinct_normalised_texts']:,}", f"{r['n_groups']:,}",
            f"{r['n_candidates']:,}", f"{r['n_exchanges']:,}", f"{r['read_input_s']:.1f}",
            *(st(r, k) for k in stages),
            f"**{r['wall_s']:.1f} / {r['cpu_s']:.1f}**", f"**{r['peak_rss_gib']:.2f}**",
            f"{m['load_before'][0]:.1f} -> {m['load_after'][0]:.1f}"
            + (" (noisy)" if m.get("noisy") else ""),
        ])
    return md_table(
        ["tree", "streams (no class, no code)", "companies", "distinct texts (raw / normalised)",
         "material groups", "candidates", "exchanges", "reading s", "prepare s", "candidates s",
         "scoring s", "allocation s", "tables + chains s", "total wall / CPU s", "peak RSS GiB",
         "load (1 min)"], rows)


@table("text_backend_timing")
def _text_backend_timing() -> str:
    res = load("text_backend_timing.json")
    sm = res["summary"]
    rows = []
    for n in res["sizes"]:
        for d, name in (("supply", "supplies"), ("demand", "needs")):
            h, s = sm.get(f"hashing/{d}/{n}"), sm.get(f"sentence/{d}/{n}")
            rows.append([f"{n:,}", name,
                         f"{h['median_s']:.2f} ({h['texts_per_s']:,.0f}/s)" if h else "-",
                         f"{s['median_s']:.1f} ({s['texts_per_s']:,.0f}/s)" if s else "-",
                         ratio(s["median_s"], h["median_s"]) if h and s else "-"])
    return (md_table(["distinct texts", "direction", "hashing s (texts/s)",
                      "sentence model s (texts/s)", "sentence / hashing"], rows,
                     ["r", "l", "r", "r", "r"])
            + f"\n\nUpper median of {res['rounds']} rounds, backends interleaved, embedding caches "
            f"emptied before each call, warm-up excluded. " + load_note(res["machine"]))


def main(argv: list[str] | None = None) -> int:
    # run as a script: renderers that read a table defined in the package import it from the
    # working tree when it is not installed (never done on import: a test that imports this
    # file must not change the sys.path that its process, and the workers it starts, inherit)
    if str(ROOT / "src") not in sys.path:
        try:
            import symbioflows  # noqa: F401
        except ImportError:
            sys.path.insert(0, str(ROOT / "src"))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 when a doc differs from its rendering")
    args = ap.parse_args(argv)
    drift = False
    used: set[str] = set()
    for path in doc_files():
        old = path.read_text(encoding="utf-8")
        new, unknown = render_text(old)
        used.update(block_names(old))
        for name in unknown:
            print(f"{path.relative_to(ROOT)}: block {name!r} has no renderer", file=sys.stderr)
            drift = True
        if new != old:
            if args.check:
                drift = True
                sys.stdout.writelines(difflib.unified_diff(
                    old.splitlines(True), new.splitlines(True), str(path), str(path) + " (rendered)"))
            else:
                path.write_text(new, encoding="utf-8")
                print(f"rendered {path.relative_to(ROOT)}")
    for name in sorted(set(RENDERERS) - used):
        print(f"renderer {name!r} is used by no doc", file=sys.stderr)
        drift = True
    return 1 if drift else 0


if __name__ == "__main__":
    raise SystemExit(main())
