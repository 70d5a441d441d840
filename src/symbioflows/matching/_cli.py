"""Command-line subcommands of the matching domain (loaded by :mod:`symbioflows.cli`):
``plan`` (the whole pipeline on a dataset, written as tables and an HTML report) and
``evaluate`` (the MAESTRI evaluation protocol)."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["register", "add_plan_arguments", "run_plan"]


def _run_evaluate(args: Any) -> int:
    from symbioflows.evaluate import run_from_args

    return run_from_args(args)


def add_plan_arguments(p: Any) -> None:
    """Options shared by ``plan`` (and the demo)."""
    from symbioflows.pipeline.allocation import DEFAULT_OBJECTIVE, OBJECTIVES

    p.add_argument("--out", default="symbioflows-plan", help="output folder (default: symbioflows-plan)")
    p.add_argument("--objective", choices=OBJECTIVES, default=DEFAULT_OBJECTIVE,
                   help=f"what the allocation maximises (default: {DEFAULT_OBJECTIVE}, the "
                        "USD surplus weighted by the probability that the pair is the "
                        "supply's partner; net_benefit: the surplus alone)")
    p.add_argument("--method", choices=("min_cost_flow", "lp", "greedy"), default="min_cost_flow",
                   help="allocation solver (default: min_cost_flow)")
    p.add_argument("--max-per-supply", type=int, default=50,
                   help="nearest compatible demands kept per supply (0 = all; default 50)")
    p.add_argument("--max-chain-length", type=int, default=4, help="longest circular chain (default 4)")
    p.add_argument("--text-backend", choices=("auto", "sentence", "hashing"), default="auto",
                   help="encoder that classifies streams written as free text: sentence "
                        "(all-MiniLM-L6-v2, more accurate), hashing (fast, no model) or auto "
                        "(sentence up to 10,000 distinct texts; default)")
    p.add_argument("--no-html", action="store_true", help="write the tables only")
    p.add_argument("--quiet", action="store_true", help="no progress bars, print nothing on success")


def run_plan(dataset: Any, args: Any) -> int:
    """Run :func:`~symbioflows.pipeline.plan` with the parsed options and write it."""
    from symbioflows.pipeline.planner import plan

    result = plan(dataset, objective=args.objective, method=args.method,
                  max_per_supply=args.max_per_supply, max_chain_length=args.max_chain_length,
                  text_backend=getattr(args, "text_backend", "auto"), progress=not args.quiet)
    files = result.write(args.out, html=not args.no_html)
    if not args.quiet:
        t = result.totals
        out = sys.stdout
        out.write(f"{int(t['n_supplies'])} supplies, {int(t['n_demands'])} demands -> "
              f"{int(t['n_candidates'])} candidates -> {int(t['n_exchanges'])} exchanges "
              f"(allocation {result.allocation.status}), {int(t['n_chains'])} circular chains\n")
        out.write(f"net benefit {t['net_benefit_usd']:,.0f} USD/yr, "
              f"{t['co2e_avoided_kg'] / 1000:,.0f} t CO2e avoided/yr, "
              f"{t['tonnes_exchanged']:,.0f} t/yr exchanged\n")
        _write_plan_findings(result.findings, out)
        _write_exchanges(result.exchanges, out)
        _write_inferred(result.streams, out)
        where = files.get("report", files.get("exchanges"))
        out.write(f"written to {args.out} ({where})\n")
    return 0


def _write_plan_findings(findings: Any, out: Any) -> None:
    """The findings about the whole plan (kind ``"plan"``: no streams, the text encoder),
    each with its fix."""
    for r in findings[findings["kind"] == "plan"].itertuples(index=False):
        out.write(f"{r.severity} ({r.rule_id}): {r.title}; {r.action}\n")


def _write_exchanges(ex: Any, out: Any, limit: int = 10) -> None:
    """The largest exchanges (the first ``limit``)."""
    if not len(ex):
        return
    top = ex.sort_values("quantity", ascending=False).head(limit)
    for r in top.itertuples(index=False):
        out.write(f"  {r.supply_company_id} -> {r.demand_company_id}: {r.material!r}, "
                  f"{r.quantity:,.0f} {r.unit}/yr\n")
    if len(ex) > limit:
        out.write(f"  ... and {len(ex) - limit} more (exchanges.csv)\n")


def _write_inferred(streams: Any, out: Any, limit: int = 20) -> None:
    """List the classes the plan inferred from free text (the first ``limit``)."""
    if "class_source" not in streams.columns:
        return
    inf = streams[streams["class_source"] == "inferred"]
    if len(inf):
        out.write(f"classes inferred from the text of {len(inf)} streams "
              "(class or need, confidence; runner-ups; the classes a need names):\n")
    from symbioflows.materials.infer import named_in_key

    for r in inf.head(limit).itertuples(index=False):
        what = r.material_class if r.direction == "supply" else f"need {r.need}"
        flag = "  LOW CONFIDENCE" if r.low_confidence else ""
        runners = f"; {r.class_runners_up}" if r.class_runners_up else ""
        named = named_in_key(getattr(r, "group_key", None))
        names = f", names {', '.join(named)}" if named else ""
        out.write(f"  {r.stream_id} ({r.direction}) {r.material!r} -> {what} "
                  f"({r.class_confidence:.2f}{runners}){names}{flag}\n")
    if len(inf) > limit:
        out.write(f"  ... and {len(inf) - limit} more (streams.csv)\n")


def _run_plan(args: Any) -> int:
    from symbioflows.data._cli import read_kwargs
    from symbioflows.data.io import read_dataset

    ds = read_dataset(args.data, **read_kwargs(args))
    return run_plan(ds, args)


def register(subparsers: Any) -> None:
    """Add ``plan`` and ``evaluate`` to an :mod:`argparse` subparsers object."""
    from symbioflows.data._cli import add_read_arguments
    from symbioflows.evaluate import add_arguments

    p = subparsers.add_parser(
        "plan",
        help="find, score and allocate every worthwhile exchange; write tables and an HTML report",
        description="Candidates (native spatial grid) -> scores -> optimal allocation -> circular "
        "chains -> economics, impact and compliance, written as Parquet + CSV tables and a "
        "self-contained report.html.",
    )
    p.add_argument("data", help="dataset folder (companies.*, streams.*) or JSON file")
    add_plan_arguments(p)
    add_read_arguments(p)
    p.set_defaults(func=_run_plan)

    p = subparsers.add_parser(
        "evaluate",
        help="rank the real receivers of documented exchanges (MAESTRI) with every matcher",
        description="Run the evaluation protocol of docs/matching.md, 'Evaluation on real "
        "exchanges (MAESTRI)': grouped folds by case; recall@1/5/10 and MRR, micro and macro, "
        "bootstrap intervals.  Needs the MAESTRI exchanges (maestri_exchanges.csv, not shipped "
        "with the package: see --data-dir).",
    )
    add_arguments(p)
    p.set_defaults(func=_run_evaluate)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use: symbioflows plan | symbioflows evaluate")
