"""Fit the shipped receiver scorer on the MAESTRI exchanges and save it into the package.

The package receives weights and counts (statistics), never the MAESTRI rows.  The feature set
and the regularisation are chosen by grouped cross-validation over the cases (see
``ReceiverScorer.fit``); the hashing text backend keeps the shipped model free of the optional
sentence model.  The pipeline ranks receiver NACE classes (``sector_fit``), so the model is
fitted on that kind of ranking problem (``pools="all"``, the ``all`` setting of
``symbioflows.evaluate``).
Usage: PYTHONPATH=src python tools/train_receiver_scorer.py [--data-dir ../shared/data]
"""

from __future__ import annotations

import argparse

from symbioflows.evaluate import find_data_dir, fit_learned, load_maestri, nace_pool
from symbioflows.matching.learned import PRETRAINED_DIR


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-dir", default=None)
    args = p.parse_args()
    d = find_data_dir(args.data_dir)
    if d is None:
        raise SystemExit("MAESTRI data not found; pass --data-dir")
    df = load_maestri(d).rows
    model = fit_learned(df, nace_pool(df), embed_backend="hashing", pools="all")
    model.stats_ = model.stats_.pruned(min_token_count=2)
    model.save(PRETRAINED_DIR)
    print(f"saved {model!r} to {PRETRAINED_DIR}; features {model.selected_features_}, "
          f"C {model.selected_C_}")
    for row in model.selection_:
        print(f"  grouped CV MRR {row['cv_mrr']:.4f}  C={row['C']:<5} {row['features']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
