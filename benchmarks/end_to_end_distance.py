"""How the distance prior of the pair score moves the end-to-end figures (issue 16, docs/benchmarks.md).

The pair feature ``log_distance`` (``ln(1 + road km)``) has the hand weight -0.9 (the gravity
models' mean distance elasticity, :data:`symbioflows.matching.pair_model.HAND_WEIGHTS`), a fixed
offset that no learned design fits (MAESTRI records no coordinates).  This script re-scores the
end-to-end protocol's out-of-fold candidate tables (:func:`symbioflows.evaluate.end_to_end.
evaluate_end_to_end` with ``keep_tables=True``: MAESTRI, park alone and with 300 distractors in
the 40 km region and on the park's site) with that weight set to each of ``BETAS`` (0: no
prior, the plan before it; 0.6: Leamer & Levinsohn's usual estimate; 0.9: the shipped value;
1.5: the upper end of the usual range) and reports recall@1, recall@3 and MRR of the plan's row
(per fold, each learned design fitted on the training parks alone with that offset, its
regularisation and the design chosen by :func:`~symbioflows.evaluate.end_to_end.select_design`
on inner folds scored alone and among 300 distractors over the region, as in the protocol:
:data:`~symbioflows.evaluate.end_to_end.SELECT_ON`; the fold's model then scores every
setting).  Ties at their middle rank; a documented receiver that is not a candidate counts as
missed.

The protocol places a park's organisations at random within 5 km, so inside a park distance
carries no information by construction: the park-alone and on-site rows show what the prior
costs where distance tells nothing, the region rows what it gains where the park's own
organisations are nearer than the distractors, as in a real industrial region.

Run: ``PYTHONPATH=src python benchmarks/end_to_end_distance.py`` (about 4 minutes); writes
``benchmarks/results/end_to_end_distance.json``.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from end_to_end_designs import middle_ranks, rank_metrics  # noqa: E402
from symbioflows.evaluate import end_to_end as e2e  # noqa: E402
from symbioflows.evaluate import load_maestri  # noqa: E402
from symbioflows.matching.features import PAIR_FEATURES  # noqa: E402
from symbioflows.matching.pair_model import HAND_BLEND, PairScoreModel, fit_pair_model  # noqa: E402

OUT = Path(__file__).resolve().parent / "results" / "end_to_end_distance.json"
BETAS = (0.0, 0.6, 0.9, 1.5)


def _base(beta: float) -> PairScoreModel:
    w = dict(HAND_BLEND.weights)
    w["log_distance"] = -beta
    return PairScoreModel(f"hand_blend_log_distance_{beta:g}", w, HAND_BLEND.bias)


def fold_models(tables: dict[str, pd.DataFrame], folds: list[list[str]], beta: float,
                seed: int = 0) -> list[PairScoreModel]:
    """The plan's model of each fold with the prior's weight ``-beta`` (module notes)."""
    base = _base(beta)
    alone = tables["0_park_alone"].assign(park=lambda d: d["park"].astype(str))
    check = e2e.check_rows(tables)
    check["park"] = check["park"].astype(str)
    out = []
    for test in folds:
        tr, g = e2e.labelled_choice_sets(alone[~alone["park"].isin(test)], ["park", "supply"])
        c, cg = e2e.labelled_choice_sets(check[~check["park"].isin(test)], ["setting", "park", "supply"])
        chk = (c[list(PAIR_FEATURES)].to_numpy(), cg, c["label"].to_numpy(), c["park"].to_numpy())
        fitted = {d: fit_pair_model(tr[list(PAIR_FEATURES)].to_numpy(), g,
                                    tr["label"].to_numpy(), tr["park"].to_numpy(), learn=f,
                                    base=base, name=d, rng=seed, check=chk)
                  for d, f in e2e.DESIGNS.items() if f}
        out.append(fitted[e2e.select_design(fitted)])
    return out


def score(table: pd.DataFrame, folds: list[list[str]], models: list[PairScoreModel],
          beta: float, n_flows: int) -> dict[str, Any]:
    """The plan row's metrics on ``table`` with each fold's model of ``models``."""
    t = table.copy()
    t["park"] = t["park"].astype(str)
    ranks: list[float] = []
    for test, m in zip(folds, models):
        te = t[t["park"].isin(test)]
        z = te[list(PAIR_FEATURES)].to_numpy() @ m.vector() + m.bias
        for _, idx in te.groupby(["park", "supply"]).indices.items():
            lab = te["label"].to_numpy()[idx] == 1
            if lab.any():
                ranks.extend(middle_ranks(z[idx], lab))
    return {"beta": beta, **rank_metrics(ranks, n_flows), "designs": [m.name for m in models]}


def main() -> int:
    logging.disable(logging.WARNING)
    data = load_maestri()
    res = e2e.evaluate_end_to_end(data, distractors=(0, 300), keep_tables=True, n_boot=10)
    n_flows = int(res["settings"][0]["methods"]["plan"]["n"])
    out: dict[str, Any] = {"benchmark": "end_to_end_distance", "protocol": __doc__,
                           "n_documented": n_flows, "rows": []}
    models = {beta: fold_models(res["tables"], res["folds"], beta) for beta in BETAS}
    for setting, table in res["tables"].items():
        for beta in BETAS:
            row = {"setting": setting, **score(table, res["folds"], models[beta], beta, n_flows)}
            out["rows"].append(row)
            print(row)  # noqa: T201
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
