"""Fit the pair score's learned model and write it to ``src/symbioflows/matching/models/pair_scorer``.

The documented MAESTRI exchanges (implemented) and those of the public case-study parks are
rebuilt as regions
(:func:`symbioflows.evaluate.end_to_end.build_region`: free-text supplies, receivers known by
business and sector only) and planned, park by park, by the cross-validated end-to-end
protocol (park alone, 5 folds grouped by park, the receiver scorer behind ``sector_fit``
refitted without the park's fold); the weights of each learned design's features
(:data:`symbioflows.evaluate.end_to_end.DESIGNS`) are then fitted by conditional logit on all
parks' candidates, and the design with the best MRR on inner folds grouped by park ships
(:func:`symbioflows.evaluate.end_to_end.fit_final_pair_model`; the same inner folds choose the
regularisation; each inner fold is scored on its parks alone and among 300 distractors over
the region, :data:`symbioflows.evaluate.end_to_end.SELECT_ON`).  The artefact records the training
data, the date, the commit, the folds and the cross-validated metrics of that same run.

Run: ``PYTHONPATH=src python tools/train_pair_scorer.py`` (the model of plans whose texts the
sentence model reads, ``matching/models/pair_scorer``) and ``... --text-backend hashing``
(``matching/models/pair_scorer_hashing``: ``text_fit`` on hashing cosines, for plans read by
the hashing encoder).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))

import pandas as pd  # noqa: E402

from symbioflows.evaluate import end_to_end as e2e  # noqa: E402
from symbioflows.matching.pair_model import (  # noqa: E402
    PAIR_MODEL_DIR,
    PAIR_MODEL_HASHING_DIR,
)


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--text-backend", default="sentence", choices=("sentence", "hashing"),
                    help="the encoder of every plan's texts (text_fit included); hashing "
                         "writes the variant that plans read by the hashing encoder use")
    args = ap.parse_args(argv)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("symbioflows").setLevel(logging.ERROR)
    res = e2e.evaluate_end_to_end(distractors=(0,), keep_tables=True, n_boot=200,
                                  text_backend=args.text_backend)
    select = e2e._select_settings(e2e.SELECT_ON)
    st = res["settings"][0]
    metrics = {m: {k: round(v[k]["value"], 4) for k in ("recall_at_1", "recall_at_3", "mrr")}
               for m, v in st["methods"].items() if "mrr" in v}
    meta = {"trained_on": "MAESTRI Exchanges Database (EU H2020 MAESTRI, grant 680570), "
                          "implemented exchanges, rebuilt as regions by "
                          "symbioflows.evaluate.end_to_end (free-text supplies, receivers by "
                          "business and sector only); rows not shipped",
            "date": dt.date.today().isoformat(), "commit": commit,
            "folds": f"{res['n_folds']} outer folds grouped by park {res['folds']}; "
                     "regularisation by 5 inner folds grouped by park",
            "metrics": {"park_alone_cross_validated": metrics,
                        "protocol": "symbioflows.evaluate.end_to_end"}}
    # the public case-study parks join the training rows, planned with the receiver scorer
    # fitted on every MAESTRI park (none of them is a MAESTRI case)
    from symbioflows.evaluate import load_maestri

    data = load_maestri()
    scorer = e2e._fit_receiver_scorer(data, set(e2e.maestri_parks(data)), "fixed")
    cs = e2e.case_study_data()
    cs_tables = {st: e2e.case_study_tables(data, cs, scorer, st[0], st[1], seed=0,
                                           text_backend=args.text_backend)[0]
                 for st in select}
    table = pd.concat([res["tables"]["0_park_alone"], *cs_tables[(0, "site")].values()],
                      ignore_index=True)
    # the inner folds that choose l2 and the design score each park alone and among 300
    # distractors over the region (e2e.SELECT_ON), as in the cross-validated protocol
    check = pd.concat([e2e.check_rows(res["tables"]), e2e.check_rows(
        {e2e._key(st): pd.concat(list(t.values()), ignore_index=True)
         for st, t in cs_tables.items()})], ignore_index=True)
    meta["trained_on"] += ("; and the public case-study parks of "
                           "benchmarks/data/case_studies_exchanges.csv (each row citing its source), "
                           "rebuilt the same way; rows not shipped")
    meta["parks"] = {"maestri": len(res["tables"]["0_park_alone"]["park"].unique()),
                     "case_studies": len(cs_tables[(0, "site")])}
    meta["text_backend"] = args.text_backend  # the encoder of text_fit it was fitted on
    meta["selected_on"] = [e2e._key(st) for st in select]
    model = e2e.fit_final_pair_model(table, meta=meta, check=check)
    model.save(PAIR_MODEL_HASHING_DIR if args.text_backend == "hashing" else PAIR_MODEL_DIR)
    print(json.dumps(model.describe(), indent=1))  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
