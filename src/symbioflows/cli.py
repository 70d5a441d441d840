"""The ``symbioflows`` command line.

Exit codes: 0 success; 1 failure (the data has problems, or an unexpected error); 2 bad input
(a missing or unreadable path, a wrong argument), always with a message on stderr and no
traceback (``--debug`` shows it).

Domain subcommands are registered by the modules listed in :data:`SUBCOMMAND_MODULES`: each
provides ``register(subparsers)``, which adds its parser and sets ``func`` (a callable taking the
parsed arguments and returning an exit code) with ``parser.set_defaults(func=...)``.  A listed
module that does not exist yet, or whose optional extra is missing, is skipped.  Keep those
modules light to import (import heavy libraries inside the command function).
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
import traceback
from collections.abc import Sequence
from typing import Any

__all__ = ["main", "build_parser", "SUBCOMMAND_MODULES"]

logger = logging.getLogger(__name__)

#: Modules that add domain subcommands (``register(subparsers)``); missing ones are skipped.
SUBCOMMAND_MODULES: tuple[str, ...] = (
    "symbioflows.matching._cli",
    "symbioflows.chains._cli",
)

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2

_FILE_CODES = {"unreadable_file", "bad_encoding", "bad_delimiter"}


class _BadInput(Exception):
    """Raised by command functions for bad input: message printed, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's own usage errors: exit 2, no traceback
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _cmd_validate(args: argparse.Namespace) -> int:
    from symbioflows.data.io import read_dataset
    from symbioflows.errors import InvalidDatasetError

    try:
        ds = read_dataset(
            args.path,
            strict=False,
            format=args.format,
            encoding=args.encoding,
            delimiter=args.delimiter,
        )
    except InvalidDatasetError as exc:  # the files cannot be parsed at all
        if args.json:
            print(json.dumps({"ok": False, "error": str(exc), "problems": [_problem(p) for p in exc.problems]}, indent=2))
        else:
            print(f"error: {exc}", file=sys.stderr)
        if all(p.extra.get("code") in _FILE_CODES or p.row is None for p in exc.problems):
            return EXIT_BAD_INPUT
        return EXIT_FAILURE
    rep = ds.report
    if args.json:
        print(rep.to_json(indent=2))
    else:
        print(f"{args.path}: {rep.summary()}")
        for p in rep.problems:
            print(f"  [{p.severity}] {p}")
        if args.lenient:
            for table, rows in rep.dropped.items():
                for row, why in sorted(rows.items()):
                    print(f"  left out: {table} row {row}: {why}")
        if rep.ok:
            print("OK")
        elif not args.lenient:
            print("invalid: fix the errors above, or see which rows --lenient would leave out")
    return EXIT_OK if rep.ok else EXIT_FAILURE


def _problem(p: Any) -> dict[str, Any]:
    return {
        "table": p.table,
        "row": p.row,
        "column": p.column,
        "value": p.value if isinstance(p.value, (str, int, float, type(None))) else str(p.value),
        "message": p.message,
        "fix": p.fix,
        "code": p.extra.get("code", ""),
    }


def _cmd_demo(args: argparse.Namespace) -> int:
    from symbioflows.pipeline.demo import run_demo

    res = run_demo(args.out, quiet=args.quiet)
    if not args.quiet:
        s = res.summary
        print(
            f"sample region: {s['companies']} companies, {s['supplies']} supplies, "
            f"{s['demands']} demands, {s['exchanges']} known exchanges"
        )
        print(
            f"plan: {int(s['plan_n_exchanges'])} exchanges (allocation "
            f"{s['plan_allocation_status']}), {int(s['plan_n_chains'])} circular chains, net "
            f"benefit {s['plan_net_benefit_usd']:,.0f} USD/yr, "
            f"{s['plan_co2e_avoided_kg'] / 1000:,.0f} t CO2e avoided/yr"
        )
        print(f"report: {res.index_html}")
        print(f"interactive report: {res.plan_html}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with the domain subcommands that are available."""
    from symbioflows import __version__

    parser = _Parser(
        prog="symbioflows",
        description="Industrial symbiosis: find, price, route and prove exchanges of waste, "
        "by-products, heat and water between companies.",
    )
    parser.add_argument("--version", action="version", version=f"symbioflows {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser(
        "validate",
        help="check a dataset (folder of companies/streams/exchanges files, or a JSON file)",
        description="Read and validate a dataset; list every problem with row, column, value and fix. "
        "Exit 0 when valid, 1 when there are errors, 2 when the input cannot be read.",
    )
    p.add_argument("path", help="folder with companies.*, streams.*, exchanges.* (CSV, Parquet, JSON) or one JSON file")
    p.add_argument("--lenient", action="store_true", help="also list the rows that a lenient read would leave out")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--format", choices=["csv", "parquet", "json"], default=None, help="force the file format")
    p.add_argument("--encoding", default="utf-8", help="text encoding of CSV/JSON files (default utf-8)")
    p.add_argument("--delimiter", default=None, help="CSV delimiter (default: detected)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser(
        "demo",
        help="run the main job on the shipped sample region and write a report folder",
        description="Load the shipped sample region (port of Rotterdam, synthetic), validate it, "
        "analyse it and write a report folder (index.html, tables as CSV and Parquet).",
    )
    p.add_argument("--out", default="symbioflows-report", help="report folder (default: symbioflows-report)")
    p.add_argument("--quiet", action="store_true", help="print nothing on success")
    p.set_defaults(func=_cmd_demo)

    for name in SUBCOMMAND_MODULES:
        try:
            mod = importlib.import_module(name)
        except ImportError as exc:  # not built yet, or its optional extra is missing
            logger.debug("subcommands of %s not available: %s", name, exc)
            continue
        register = getattr(mod, "register", None)
        if callable(register):
            register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    from symbioflows.errors import (
        InvalidInputError,
        MissingExtraError,
        ResourceLimitError,
        UnsafeFileError,
    )

    try:
        return int(func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (_BadInput, InvalidInputError, FileNotFoundError, NotADirectoryError, IsADirectoryError,
            PermissionError, FileExistsError, ResourceLimitError, UnsafeFileError, MissingExtraError) as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # a bug: say so, keep the traceback for --debug
        if args.debug:
            traceback.print_exc()
        print(f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
