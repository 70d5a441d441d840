"""The ``symbioflows`` command line.

Exit codes, the same for every command (:data:`EXIT_CODES`):

* 0: success (``--quiet``: nothing printed);
* 1: the data has problems: a dataset with validation errors (``validate`` lists them; ``plan``
  and ``chains`` refuse it with the same message);
* 2: bad input: a wrong argument, a missing path, a file that cannot be read or parsed;
* 3: an unexpected error (a bug: please report it with the ``--debug`` traceback);
* 130: interrupted (Ctrl-C).

Messages go to stderr without a traceback (``--debug`` shows it); a message that names a
Python keyword of the library (``pass encoding=``) names the command's flag instead
(``pass --encoding``).  Warnings go through :mod:`logging` and never cut through a progress
bar; ``--quiet`` shows errors only.  Rows are counted from 0 as in the tables, and the
messages of CSV files add the file's line number (the header is line 1).

Domain subcommands are registered by the modules listed in :data:`SUBCOMMAND_MODULES`: each
provides ``register(subparsers)``, which adds its parser and sets ``func`` (a callable taking the
parsed arguments and returning an exit code) with ``parser.set_defaults(func=...)``.  A listed
module that does not exist yet, or whose optional extra is missing, is skipped.  Keep those
modules light to import (import heavy libraries inside the command function).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import logging
import re
import sys
import traceback
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["main", "build_parser", "cli_wording", "SUBCOMMAND_MODULES", "EXIT_CODES"]

logger = logging.getLogger(__name__)

#: Modules that add domain subcommands (``register(subparsers)``); missing ones are skipped.
SUBCOMMAND_MODULES: tuple[str, ...] = (
    "symbioflows.matching._cli",
    "symbioflows.chains._cli",
)

EXIT_OK, EXIT_INVALID_DATA, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
#: Kept for callers of the earlier name: the data has problems.
EXIT_FAILURE = EXIT_INVALID_DATA
#: Every exit code and its meaning (the module docstring and docs/cli.md say the same).
EXIT_CODES: dict[int, str] = {
    EXIT_OK: "success",
    EXIT_INVALID_DATA: "the data has problems (validation errors)",
    EXIT_BAD_INPUT: "bad input: a wrong argument, a missing path, a file that cannot be read",
    EXIT_INTERNAL: "an unexpected error (a bug; --debug shows the traceback)",
    EXIT_INTERRUPTED: "interrupted",
}

_FILE_CODES = {"unreadable_file", "bad_encoding", "bad_delimiter"}


class _BadInput(Exception):
    """Raised by command functions for bad input: message printed, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's own usage errors: exit 2, no traceback
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


#: ``pass encoding=`` / ``pass data_dir= or ...``: a library message naming a keyword argument.
_KEYWORD = re.compile(r"(?<![\w.-])([a-z][a-z0-9_]*)=(?=[\s,;:)'\"]|$)")


def _flags_of(parser: argparse.ArgumentParser | None) -> dict[str, str]:
    """{keyword: flag} of a (sub)parser's options, from argparse's own table (dest -> the
    long option string), so a new option needs no entry anywhere else."""
    out: dict[str, str] = {}
    for action in getattr(parser, "_actions", []):
        longs = [o for o in action.option_strings if o.startswith("--")]
        if longs and action.dest not in ("help", "version"):
            out[action.dest] = longs[0]
    return out


def cli_wording(text: str, flags: dict[str, str]) -> str:
    """``text`` with each ``keyword=`` that is one of the command's options as its flag.

    >>> cli_wording("save the file as UTF-8, or pass encoding= (e.g. 'latin-1')",
    ...             {"encoding": "--encoding"})
    "save the file as UTF-8, or pass --encoding (e.g. 'latin-1')"
    >>> cli_wording("lat=91.0 outside [-90, 90]; pass data_dir=", {"data_dir": "--data-dir"})
    'lat=91.0 outside [-90, 90]; pass --data-dir'
    """
    return _KEYWORD.sub(lambda m: flags.get(m.group(1), m.group(0)), text)


def _invalid_data(exc: Any) -> bool:
    """True when a dataset error is about the content (rows, columns), not an unreadable file."""
    problems = getattr(exc, "problems", None)
    if not problems:
        return False
    return not all(p.extra.get("code") in _FILE_CODES or p.row is None and p.column is None
                   for p in problems)


def _cmd_validate(args: argparse.Namespace) -> int:
    from symbioflows.data._cli import read_kwargs
    from symbioflows.data.io import read_dataset
    from symbioflows.errors import InvalidDatasetError

    flags = args._flags
    try:
        # always read leniently, so a strict check still lists every problem of every row
        with _quiet_logger("symbioflows.data"):
            ds = read_dataset(args.path, strict=False, **read_kwargs(args))
    except InvalidDatasetError as exc:  # the files cannot be parsed at all
        if args.json:
            print(json.dumps({"ok": False, "error": cli_wording(str(exc), flags),
                              "problems": [_problem(p, flags) for p in exc.problems]}, indent=2))
        else:
            print(f"error: {cli_wording(str(exc), flags)}", file=sys.stderr)
        return EXIT_INVALID_DATA if _invalid_data(exc) else EXIT_BAD_INPUT
    rep = ds.report
    if args.json:
        doc = rep.to_dict()
        for p in doc["problems"]:
            p["fix"] = cli_wording(p["fix"], flags)
        if not args.lenient:  # a strict check leaves nothing out
            doc.pop("dropped")
            doc.pop("n_dropped")
        print(json.dumps(doc, indent=2))
    else:
        print(f"{args.path}: {rep.summary(left_out=args.lenient)}")
        for p in rep.problems:
            print(f"  [{p.severity}] {cli_wording(str(p), flags)}")
        if args.lenient:
            for table, rows in rep.dropped.items():
                for row, why in sorted(rows.items()):
                    print(f"  left out: {rep.where(table, row)}: {why}")
        if rep.ok:
            print("OK")
        elif not args.lenient:
            print(f"invalid: fix the errors above, or pass --lenient to see the {rep.n_dropped} row(s) "
                  "a lenient read would leave out")
    return EXIT_OK if rep.ok else EXIT_INVALID_DATA


@contextlib.contextmanager
def _quiet_logger(name: str) -> Iterator[None]:
    """Hold back a logger's warnings while a command prints the same facts itself."""
    log = logging.getLogger(name)
    old = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(old)


def _problem(p: Any, flags: dict[str, str]) -> dict[str, Any]:
    return {
        "table": p.table,
        "row": p.row,
        "line": p.extra.get("line"),
        "column": p.column,
        "value": p.value if isinstance(p.value, (str, int, float, type(None))) else str(p.value),
        "message": p.message,
        "fix": cli_wording(p.fix, flags),
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
    from symbioflows.data._cli import add_read_arguments

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
    add_read_arguments(p)
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


class _ProgressSafeHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes log records to stderr through ``tqdm.write`` when tqdm is loaded, so a warning
    appears on its own line above a progress bar instead of cutting through it."""

    def emit(self, record: logging.LogRecord) -> None:
        tqdm = sys.modules.get("tqdm")
        if tqdm is None:
            super().emit(record)
            return
        try:
            tqdm.tqdm.write(self.format(record), file=self.stream)
        except Exception:  # pragma: no cover - logging must not raise
            self.handleError(record)


def _setup_logging(args: argparse.Namespace) -> None:
    """Warnings and errors through :mod:`logging` (``warnings.warn`` too); ``--debug`` shows
    everything, ``--quiet`` errors only."""
    level = logging.WARNING
    if getattr(args, "quiet", False):
        level = logging.ERROR
    if args.debug:
        level = logging.DEBUG
    handler = _ProgressSafeHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for h in list(root.handlers):
        if isinstance(h, _ProgressSafeHandler):
            root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (see :data:`EXIT_CODES`)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    sub = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
    args._flags = _flags_of(sub.choices.get(args.command) if sub is not None else None)
    from symbioflows.errors import (
        InvalidDatasetError,
        InvalidInputError,
        MissingExtraError,
        ResourceLimitError,
        UnsafeFileError,
    )

    def fail(exc: BaseException, code: int) -> int:
        if args.debug:
            traceback.print_exc()
        print(f"error: {cli_wording(str(exc), args._flags)}", file=sys.stderr)
        return code

    try:
        return int(func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except InvalidDatasetError as exc:
        code = EXIT_INVALID_DATA if _invalid_data(exc) else EXIT_BAD_INPUT
        if code == EXIT_INVALID_DATA and getattr(args, "command", "") != "validate":
            exc = InvalidDatasetError(exc.problems)
            exc.args = (f"{exc.args[0]}\n(symbioflows validate DATA lists them; "
                        "--lenient there shows the rows a lenient read leaves out)",)
        return fail(exc, code)
    except (_BadInput, InvalidInputError, FileNotFoundError, NotADirectoryError, IsADirectoryError,
            PermissionError, FileExistsError, ResourceLimitError, UnsafeFileError, MissingExtraError) as exc:
        return fail(exc, EXIT_BAD_INPUT)
    except Exception as exc:  # a bug: say so, keep the traceback for --debug
        if args.debug:
            traceback.print_exc()
        print(f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
