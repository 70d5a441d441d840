"""Options for reading a dataset on the command line, shared by every command that reads one
(``validate``, ``plan``, ``chains``), so that each offers the same ``--format``, ``--encoding``
and ``--delimiter`` and an error about them can name the flag."""

from __future__ import annotations

from typing import Any

__all__ = ["add_read_arguments", "read_kwargs"]


def add_read_arguments(p: Any) -> None:
    """Add ``--format``, ``--encoding`` and ``--delimiter`` to an :mod:`argparse` parser."""
    p.add_argument("--format", choices=["csv", "parquet", "json"], default=None,
                   help="force the file format (default: from the file names)")
    p.add_argument("--encoding", default="utf-8", help="text encoding of CSV/JSON files (default utf-8)")
    p.add_argument("--delimiter", default=None, help="CSV delimiter (default: detected)")


def read_kwargs(args: Any) -> dict[str, Any]:
    """The keyword arguments of :func:`~symbioflows.data.io.read_dataset` from parsed options."""
    return {"format": args.format, "encoding": args.encoding, "delimiter": args.delimiter}
