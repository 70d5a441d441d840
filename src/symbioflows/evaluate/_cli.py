"""``symbioflows evaluate``: the command line of the receiver-ranking protocol."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from symbioflows.evaluate.receivers import METHODS, SETTINGS, VIEWS, evaluate_matchers

__all__ = ["add_arguments", "main", "run_from_args"]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m symbioflows.evaluate``: run the protocol and print the table."""
    import argparse

    p = argparse.ArgumentParser(prog="symbioflows evaluate",
                                description="Evaluate receiver matchers on MAESTRI.")
    add_arguments(p)
    args = p.parse_args(argv)
    return run_from_args(args)


def add_arguments(p: Any) -> None:
    p.add_argument("--data-dir", default=None,
                   help="folder holding maestri_exchanges.csv (default: $SYMBIOFLOWS_DATA_DIR, "
                        "else shared/data next to the repository)")
    p.add_argument("--methods", default=",".join(METHODS),
                   help=f"comma-separated matchers to rank with (default: all of {','.join(METHODS)})")
    p.add_argument("--settings", default=",".join(SETTINGS),
                   help="comma-separated candidate sets: 'case' (the organisations of the same "
                        "case) and/or 'all' (every receiver NACE class); default case,all")
    p.add_argument("--folds", type=int, default=5,
                   help="cross-validation folds, grouped by case (default 5)")
    p.add_argument("--boot", type=int, default=1000,
                   help="bootstrap resamples over cases for the 95%% intervals (default 1000)")
    p.add_argument("--backend", default="auto", choices=("auto", "sentence", "hashing"),
                   help="text embedding: the MiniLM sentence model, hashed n-grams, or auto "
                        "(the model when installed)")
    p.add_argument("--json", default=None,
                   help="also write the summary (and the paired differences) as JSON here")
    p.add_argument("--case-studies", nargs="?", const="auto", default=None, metavar="CSV",
                   help="also evaluate on the public case-study exchanges (default path: "
                        "benchmarks/data/case_studies_exchanges.csv of a source checkout): "
                        "MAESTRI only, MAESTRI + case studies, trained on MAESTRI and tested "
                        "on the case studies")
    p.add_argument("--views", default=",".join(VIEWS),
                   help="with --case-studies: which of maestri,combined,out_of_source to run")
    p.add_argument("--quiet", action="store_true", help="no progress bars; print the table only")
    e2e = p.add_argument_group("end to end (issue 16): plan() on each held-out park")
    e2e.add_argument("--end-to-end", action="store_true",
                     help="rebuild each MAESTRI park as a free-text region, run plan() on it "
                          "and rank each documented receiver (symbioflows.evaluate.end_to_end)")
    e2e.add_argument("--distractors", type=int, nargs="+", default=[0, 300],
                     help="distractor receiver companies around each park (0 = park alone; "
                          "default 0 300)")
    e2e.add_argument("--placements", default="region,site",
                     help="where distractors sit: 'region' (a 40 km disc around the park) "
                          "and/or 'site' (the park's own 5 km disc); default region,site")
    e2e.add_argument("--receiver-fit", default="fixed", choices=("fixed", "select"),
                     help="per-fold receiver scorer: the shipped scorer's features refitted on "
                          "the training parks (default, what plan() runs) or a full feature "
                          "selection inside them")
    e2e.add_argument("--text-backend", default="auto", choices=("auto", "sentence", "hashing"),
                     help="the text encoder of every plan (classification and text_fit); "
                          "'hashing' measures a plain install")
    e2e.add_argument("--max-parks", type=int, default=None,
                     help="only the first N parks (development)")
    e2e.add_argument("--out", default=None, help="write the results as JSON here")


def _case_studies_arg(value: str | None) -> str | bool | None:
    return None if value is None else True if value == "auto" else value


def _run_end_to_end(args: Any) -> int:
    import json

    from symbioflows.evaluate.end_to_end import (
        evaluate_end_to_end,
        format_end_to_end,
        maestri_parks,
    )
    from symbioflows.evaluate.maestri import load_maestri

    data = load_maestri(args.data_dir)
    parks = maestri_parks(data)
    if args.max_parks:
        parks = parks[: args.max_parks]
    res = evaluate_end_to_end(data, distractors=args.distractors,
                              placements=args.placements.split(","), parks=parks,
                              n_folds=min(args.folds, len(parks)), n_boot=args.boot,
                              receiver_fit=args.receiver_fit, progress=not args.quiet,
                              case_studies=_case_studies_arg(getattr(args, "case_studies", None)),
                              text_backend=args.text_backend)
    print(format_end_to_end(res))  # noqa: T201 - command-line output
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(res, fh, indent=1, default=float)
    return 0


def run_from_args(args: Any) -> int:
    if getattr(args, "end_to_end", False):
        return _run_end_to_end(args)
    rep = evaluate_matchers(data_dir=args.data_dir, methods=args.methods.split(","),
                            settings=args.settings.split(","), n_folds=args.folds,
                            n_boot=args.boot, embed_backend=args.backend,
                            progress=not args.quiet,
                            case_studies=_case_studies_arg(getattr(args, "case_studies", None)),
                            views=getattr(args, "views", ",".join(VIEWS)).split(","))
    print(rep.format_table())  # noqa: T201 - command-line output
    if args.json:
        import json

        with open(args.json, "w") as fh:
            json.dump({"summary": rep.summary.to_dict(orient="records"),
                       "differences": rep.differences.to_dict(orient="records"),
                       "settings": rep.settings}, fh, indent=1)
    return 0
