"""``symbioflows chains DATA``: circular chains of a dataset, on the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``chains`` sub-command to an ``argparse`` sub-parsers object."""
    from symbioflows.data._cli import add_read_arguments

    p = subparsers.add_parser(
        "chains",
        help="find circular symbiosis chains (loops of exchanges) in a dataset",
        description=(
            "Find the best circular chains (A -> B -> ... -> A) in a dataset. The graph uses "
            "the dataset's exchanges, or when it has none, supply -> demand links of the same "
            "material class within --max-distance-km."
        ),
    )
    p.add_argument("data", help="dataset: a folder, a JSON file, anything read_dataset accepts")
    add_read_arguments(p)
    p.add_argument("--min-length", type=int, default=2, help="fewest companies in a loop (>= 2)")
    p.add_argument("--max-length", type=int, default=5, help="most companies in a loop")
    p.add_argument("--top-k", type=int, default=20, help="number of loops to report (0: all)")
    p.add_argument("--score", default="product",
                   help="'product', 'bottleneck' or a numeric edge column to sum")
    p.add_argument("--max-distance-km", type=float, default=50.0,
                   help="distance limit of candidate links when the dataset has no exchanges")
    p.add_argument("--candidates", action="store_true",
                   help="use candidate links (same material class within --max-distance-km) "
                        "even when the dataset has exchanges")
    p.add_argument("--min-materials", type=int, default=2,
                   help="fewest distinct materials in a loop (default 2: loops that trade one "
                        "material back and forth are left out; 1 keeps them)")
    p.add_argument("--time-limit", type=float, default=60.0, help="seconds (default 60)")
    p.add_argument("--n-jobs", type=int, default=-1, help="threads (default -1: all cores)")
    p.add_argument("--out", type=Path, help="write the loops to .csv, .parquet or .json")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run the sub-command; returns the exit status (0: done, even when no loop exists)."""
    from symbioflows.chains.dataset import graph_from_dataset
    from symbioflows.chains.search import find_cycles
    from symbioflows.data._cli import read_kwargs
    from symbioflows.data.io import read_dataset

    graph = graph_from_dataset(
        read_dataset(args.data, **read_kwargs(args)),
        max_distance_km=args.max_distance_km,
        use_exchanges=False if args.candidates else None,
    )
    res = find_cycles(
        graph,
        min_length=args.min_length,
        max_length=args.max_length,
        top_k=args.top_k or None,
        score=args.score,
        time_limit_s=args.time_limit,
        n_jobs=args.n_jobs,
        min_materials=args.min_materials,
    )
    out = sys.stdout
    out.write(f"{graph!r}: {res._summary()}\n")
    if len(res) == 0 and not args.candidates and _from_exchanges(graph):
        out.write(
            "no loop among the dataset's recorded exchanges; --candidates searches the links "
            "a supply could have (same material class within --max-distance-km)\n")
    edges = graph.edges
    qty = edges["quantity"].to_numpy(float) if "quantity" in edges.columns else None
    units = edges["unit"].to_numpy(object) if "unit" in edges.columns else None
    for i, c in enumerate(res, start=1):
        loop = " -> ".join(f"{a} [{m}]" for a, m in zip(c.companies, c.materials))
        loop += f" -> {c.companies[0]}"
        out.write(f"{i:3d}  score {c.score:.4g}  flow {_flow(c, qty, units)}  {loop}\n")
    if args.out is not None:
        table = res.to_arrow()
        suffix = args.out.suffix.lower()
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            pq.write_table(table, args.out)
        elif suffix == ".json":
            res.to_pandas().to_json(args.out, orient="records", indent=1)
        else:
            df = res.to_pandas()
            for col in ("companies", "materials", "edge_ids"):
                df[col] = [" > ".join(map(str, x)) for x in df[col]]
            df.to_csv(args.out, index=False)
        out.write(f"wrote {len(res)} loops to {args.out}\n")
    return 0


def _from_exchanges(graph: Any) -> bool:
    """True when the graph was built from recorded exchanges (no candidate distances)."""
    return "distance_km" not in graph.edges.columns


def _flow(chain: Any, qty: Any, units: Any) -> str:
    """The loop's bottleneck flow in its links' unit (t/yr, MWh/yr, m3/yr); per unit when
    the loop mixes media (a steam link and a sludge link have no common bottleneck)."""
    if qty is None or units is None:
        return f"{_number(chain.flow_t_per_yr)} t/yr"
    by_unit: dict[str, float] = {}
    for e in chain.edge_ids:
        u = str(units[e])
        by_unit[u] = min(by_unit.get(u, float("inf")), float(qty[e]))
    return " + ".join(f"{_number(v)} {u}/yr" for u, v in sorted(by_unit.items()))


def _number(v: float) -> str:
    if v != v:
        return "unknown"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"
