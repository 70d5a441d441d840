"""Command-line subcommands of the matching domain (loaded by :mod:`symbioflows.cli`)."""

from __future__ import annotations

from typing import Any

__all__ = ["register"]


def _run_evaluate(args: Any) -> int:
    from symbioflows.evaluate import run_from_args

    return run_from_args(args)


def register(subparsers: Any) -> None:
    """Add ``evaluate`` to an :mod:`argparse` subparsers object."""
    from symbioflows.evaluate import add_arguments

    p = subparsers.add_parser(
        "evaluate",
        help="rank the real receivers of documented exchanges (MAESTRI) with every matcher",
        description="Run the evaluation protocol of shared/data/README.md (grouped folds by "
        "case; recall@1/5/10 and MRR, micro and macro, bootstrap intervals).",
    )
    add_arguments(p)
    p.set_defaults(func=_run_evaluate)
