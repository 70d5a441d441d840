"""Learning curve of the receiver ranker: held-out recall@1 and MRR against the number of
training parks, on the MAESTRI protocol of ``symbioflows.evaluate``.

The same 5 folds grouped by case as ``python -m symbioflows.evaluate``.  In each fold the
learned scorer (and the sector-popularity baseline, for reference) is fitted on a random
subset of the training cases, ``--fractions`` of them, ``--seeds`` draws each (one at 1.0),
and tested on the whole held-out fold.  Micro averages over the held-out implemented
exchanges, averaged over the draws.  The question it answers: would more documented
exchanges of the same kind raise recall@1, or has the model flattened out?

    PYTHONPATH=src nice -n 10 python benchmarks/learning_curve.py --backend hashing
    PYTHONPATH=src python benchmarks/learning_curve.py --only-ambiguity

``--only-ambiguity`` prints how often one waste code goes to several receiver classes in
MAESTRI (a ceiling that no amount of data lifts) and the receiver classes of fly ash.

Writes ``benchmarks/results/learning_curve_<backend>.json`` (``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
METHODS = ("learned", "popularity")


def run(fractions: list[float], seeds: int, backend: str, n_folds: int) -> pd.DataFrame:
    from sklearn.model_selection import GroupKFold

    from symbioflows import evaluate as ev
    from symbioflows.evaluate import receivers as ev_receivers

    df = ev.load_maestri().rows
    pool_all = ev.nace_pool(df)
    folds = GroupKFold(n_splits=n_folds).split(np.zeros(len(df)), groups=df["case"].to_numpy())
    records: list[dict[str, Any]] = []
    for fold, (tr, te) in enumerate(folds):
        train_all, test = df.iloc[tr], df.iloc[te]
        cases = sorted(set(train_all["case"]))
        for frac in fractions:
            for seed in range(seeds if frac < 1.0 else 1):
                rng = np.random.default_rng(1000 * seed + fold)
                k = max(4, int(round(frac * len(cases))))
                keep = set(rng.choice(cases, size=min(k, len(cases)), replace=False).tolist())
                train = train_all[train_all["case"].isin(keep)]
                fns = ev_receivers.fit_scorers(train, pool_all, METHODS, backend, 1.0, fold, "curve", [])
                for r in ev_receivers.score_test(test, fns, pool_all, ev.SETTINGS, fold):
                    r.update(fraction=frac, seed=seed, n_train_cases=len(keep),
                             n_train_rows=len(train))
                    records.append(r)
    return pd.DataFrame(records)


def ambiguity() -> dict[str, Any]:
    """How often the same EWC code goes to more than one receiver class, and fly ash's receivers."""
    from symbioflows import evaluate as ev

    d = ev.find_data_dir()
    assert d is not None, "MAESTRI data not found"
    raw = pd.read_csv(d / "maestri_exchanges.csv", dtype=str)
    raw = raw[raw["ewc_code"].notna() & raw["receiver_nace"].notna()]
    n_classes = raw.groupby("ewc_code")["receiver_nace"].nunique()
    multi = n_classes[n_classes > 1].index
    fly = raw[raw["waste_description"].str.contains("fly ash", case=False, na=False)]
    return dict(ewc_codes=int(n_classes.size), ewc_codes_with_several_receiver_classes=int(
        multi.size), share_of_exchanges_with_such_a_code=round(float(
            raw["ewc_code"].isin(multi).mean()), 3),
        fly_ash_receiver_classes=fly["receiver_nace"].value_counts().to_dict())


def summarise(pq: pd.DataFrame) -> pd.DataFrame:
    impl = pq[pq["group"] == "implemented"]
    # micro average within each draw, then the mean (and range) over the draws
    per_draw = impl.groupby(["setting", "method", "fraction", "seed"]).agg(
        r1=("r@1", "mean"), mrr=("rr", "mean"), cases=("n_train_cases", "mean"),
        rows=("n_train_rows", "mean")).reset_index()
    out = per_draw.groupby(["setting", "method", "fraction"]).agg(
        recall1=("r1", "mean"), recall1_min=("r1", "min"), recall1_max=("r1", "max"),
        mrr=("mrr", "mean"), train_cases=("cases", "mean"), train_rows=("rows", "mean"),
        draws=("seed", "nunique")).reset_index()
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--fractions", type=float, nargs="+", default=[0.25, 0.5, 0.75, 1.0])
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--backend", default="hashing", choices=("hashing", "sentence", "auto"))
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--out", default=None)
    p.add_argument("--only-ambiguity", action="store_true")
    args = p.parse_args()
    if args.only_ambiguity:
        print(json.dumps(ambiguity(), indent=1))
        return 0
    t0, c0 = time.perf_counter(), time.process_time()
    pq = run(args.fractions, args.seeds, args.backend, args.folds)
    s = summarise(pq)
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(s.round(3).to_string(index=False))
    out = Path(args.out) if args.out else HERE / "results" / f"learning_curve_{args.backend}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(
        backend=args.backend, fractions=args.fractions, seeds=args.seeds, folds=args.folds,
        wall_s=round(time.perf_counter() - t0, 1), cpu_s=round(time.process_time() - c0, 1),
        load=[round(x, 2) for x in os.getloadavg()],
        summary=s.to_dict(orient="records")), indent=1))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
