"""One evaluation report, and the metrics both evaluations share.

:class:`EvaluationReport` is what :func:`symbioflows.evaluate.evaluate_matchers` (receiver
ranking) and :func:`symbioflows.evaluate.cross_validate_links` (link prediction) return:
per-query rows, a summary table, the run's settings and, where asked, paired differences.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from symbioflows._config import check_rng
from symbioflows._validation import check_positive_int
from symbioflows.errors import InvalidInputError

__all__ = ["DIFFERENCES", "KS", "EvaluationReport", "paired_differences", "rank_metrics",
           "summarize_ranks"]

#: (method, baseline) pairs whose paired differences are reported by receiver ranking.
DIFFERENCES = (("learned", "popularity"), ("learned", "exact_code"), ("learned", "blend"),
               ("learned_notax", "popularity"), ("learned_notax", "exact_code"))
KS = (1, 5, 10)


def rank_metrics(scores: np.ndarray, relevant: int) -> dict[str, float]:
    """Expected recall@k and reciprocal rank of candidate ``relevant`` under random
    tie-breaking.

    Examples
    --------
    >>> rank_metrics(np.array([0.1, 0.9, 0.5]), 2)["rr"]
    0.5
    >>> round(rank_metrics(np.zeros(4), 0)["rr"], 4)  # all tied: E[1/rank] = (1+1/2+1/3+1/4)/4
    0.5208
    """
    s = scores[relevant]
    higher = int(np.sum(scores > s))
    ties = int(np.sum(scores == s))
    ranks = np.arange(higher + 1, higher + ties + 1, dtype=np.float64)
    out = {"rr": float(np.mean(1.0 / ranks))}
    for k in KS:
        out[f"r@{k}"] = float(np.clip((k - higher) / ties, 0.0, 1.0))
    return out



@dataclass
class EvaluationReport:
    """The result of an evaluation: per-query rows, the summary table, the run's settings.

    Receiver ranking (:func:`~symbioflows.evaluate.evaluate_matchers`): ``per_query`` has one
    row per (view, setting, query group, method, query), ``summary`` one row per (view,
    setting, group, average, method) with intervals, ``differences`` the paired bootstrap.
    Link prediction (:func:`~symbioflows.evaluate.cross_validate_links`): ``per_query`` has
    one row per (model, fold, positive) with its rank and AUC, ``summary`` one row per model
    (:func:`summarize_ranks`), ``settings["fit_seconds"]`` the fitting time per model.

    Examples
    --------
    >>> rep = EvaluationReport(pd.DataFrame(), pd.DataFrame({"model": ["a"], "auc": [0.5]}))
    >>> rep.to_pandas()["auc"].tolist()
    [0.5]
    """

    per_query: pd.DataFrame
    summary: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)
    #: paired bootstrap of method-minus-baseline differences (see :func:`paired_differences`)
    differences: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_pandas(self) -> pd.DataFrame:
        """The summary table (a copy)."""
        return self.summary.copy()

    @property
    def fit_seconds(self) -> dict[str, float]:
        """Link prediction: seconds spent fitting each model, summed over folds."""
        return dict(self.settings.get("fit_seconds", {}))

    @property
    def ranks(self) -> pd.DataFrame:
        """Deprecated alias of :attr:`per_query` (the link-prediction report's old name)."""
        warnings.warn("EvaluationReport.ranks is deprecated; use EvaluationReport.per_query",
                      DeprecationWarning, stacklevel=2)
        return self.per_query

    def format_table(self) -> str:
        """A plain-text table: value [low, high] for each metric."""
        if "average" not in self.summary.columns:  # link prediction: one row per model
            return self.summary.to_string(index=False, float_format=lambda v: f"{v:.3f}")
        lines = []
        cols = ["r@1", "r@5", "r@10", "mrr"]
        summary = self.summary
        if "data" not in summary.columns:
            summary = summary.assign(data="maestri")
        several = summary["data"].nunique() > 1
        for (data, setting, group, avg), sub in summary.groupby(
                ["data", "setting", "group", "average"], sort=False):
            n = sub["n_queries"].iloc[0]
            nc = sub["n_cases"].iloc[0]
            head = f"data={data}  " if several else ""
            lines.append(f"\n{head}setting={setting}  queries={group} ({n} queries, {nc} cases)  "
                         f"average={avg}")
            lines.append(f"{'method':<14}" + "".join(f"{c:>22}" for c in cols))
            for _, r in sub.iterrows():
                cells = "".join(
                    f"{r[c]:>8.3f} [{r[c + '_lo']:.3f},{r[c + '_hi']:.3f}]" for c in cols)
                lines.append(f"{r['method']:<14}{cells}")
        if not self.differences.empty:
            lines.append("\npaired differences (micro average; 95 % bootstrap over cases, "
                         "both methods resampled together)")
            for _, r in self.differences.iterrows():
                view = f"{r['data']:<14}" if several and "data" in r else ""
                lines.append(
                    f"{view}{r['setting']:<5} {r['group']:<12} {r['method']:>13} - {r['baseline']:<11}"
                    f" MRR {r['mrr_diff']:+.3f} [{r['mrr_diff_lo']:+.3f},{r['mrr_diff_hi']:+.3f}]"
                    f"  r@1 {r['r@1_diff']:+.3f} [{r['r@1_diff_lo']:+.3f},"
                    f"{r['r@1_diff_hi']:+.3f}]  P(diff<=0) {r['mrr_p_le_0']:.3f}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format_table()



def _bootstrap(pq: pd.DataFrame, n_boot: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    metrics = ["r@1", "r@5", "r@10", "rr"]
    cases = sorted(pq["case"].unique())
    sums = pq.groupby("case")[metrics].sum().reindex(cases)
    cnt = pq.groupby("case").size().reindex(cases).to_numpy(dtype=float)
    means = sums.to_numpy() / cnt[:, None]
    s = sums.to_numpy()
    micro = s.sum(0) / cnt.sum()
    macro = means.mean(0)
    idx = rng.integers(0, len(cases), size=(n_boot, len(cases)))
    b_micro = s[idx].sum(1) / cnt[idx].sum(1)[:, None]
    b_macro = means[idx].mean(1)
    out = []
    for avg, point, boot in (("micro", micro, b_micro), ("macro", macro, b_macro)):
        row: dict[str, Any] = {"average": avg, "n_queries": int(cnt.sum()), "n_cases": len(cases)}
        for m, name in zip(range(4), ("r@1", "r@5", "r@10", "mrr")):
            row[name] = float(point[m])
            row[name + "_lo"] = float(np.percentile(boot[:, m], 2.5))
            row[name + "_hi"] = float(np.percentile(boot[:, m], 97.5))
        out.append(row)
    return out



def paired_differences(pq: pd.DataFrame, pairs: Sequence[tuple[str, str]] = DIFFERENCES, *,
                       n_boot: int = 1000, rng: Any = 0) -> pd.DataFrame:
    """Paired bootstrap of micro-averaged MRR and recall@1 differences between methods.

    ``pq`` holds one row per (setting, group, method, query) with ``case``, ``rr`` and ``r@1``
    (:attr:`EvaluationReport.per_query`).  For each setting, query group and (method,
    baseline) pair present, the held-out cases are resampled with replacement and the
    difference of the two methods' micro averages is computed on the *same* resample, so the
    interval is that of the difference (the queries are shared).  Returns one row per
    (setting, group, method, baseline) with the difference, its 2.5 and 97.5 percentiles and
    the share of resamples in which the difference is not positive.

    Examples
    --------
    >>> pq = pd.DataFrame({"setting": "all", "group": "implemented", "case": [1, 1, 2, 2] * 2,
    ...                    "method": ["a"] * 4 + ["b"] * 4, "rr": [1, 1, .5, .5, .5, .5, .5, .5],
    ...                    "r@1": [1, 1, 0, 0, 0, 0, 0, 0]})
    >>> d = paired_differences(pq, [("a", "b")], n_boot=200)
    >>> float(d["mrr_diff"].iloc[0]), float(d["mrr_diff_lo"].iloc[0]) >= 0
    (0.25, True)
    """
    n_boot = check_positive_int(n_boot, "n_boot")
    gen = check_rng(rng)
    out = []
    for (setting, group), sub in pq.groupby(["setting", "group"], sort=False):
        for a, b in pairs:
            sa, sb = sub[sub["method"] == a], sub[sub["method"] == b]
            if sa.empty or sb.empty:
                continue
            if len(sa) != len(sb) or not (sa["case"].to_numpy() == sb["case"].to_numpy()).all():
                raise InvalidInputError(
                    f"methods {a!r} and {b!r} were not scored on the same queries in "
                    f"setting={setting!r}, group={group!r}; pass per-query rows of one run")
            cases = sorted(sa["case"].unique())
            cnt = sa.groupby("case").size().reindex(cases).to_numpy(dtype=float)
            row: dict[str, Any] = dict(setting=setting, group=group, method=a, baseline=b,
                                       n_queries=int(cnt.sum()), n_cases=len(cases))
            idx = gen.integers(0, len(cases), size=(n_boot, len(cases)))
            for metric, name in (("rr", "mrr"), ("r@1", "r@1")):
                d = (sa.groupby("case")[metric].sum().reindex(cases).to_numpy()
                     - sb.groupby("case")[metric].sum().reindex(cases).to_numpy())
                boot = d[idx].sum(1) / cnt[idx].sum(1)
                row[f"{name}_diff"] = float(d.sum() / cnt.sum())
                row[f"{name}_diff_lo"] = float(np.percentile(boot, 2.5))
                row[f"{name}_diff_hi"] = float(np.percentile(boot, 97.5))
                row[f"{name}_p_le_0"] = float(np.mean(boot <= 0))
            out.append(row)
    return pd.DataFrame(out)



def summarize_ranks(
    ranks: pd.DataFrame, *, ks: tuple[int, ...] = (1, 5, 10), n_boot: int = 1000, rng: Any = 0
) -> dict[str, float]:
    """Micro and macro (by ``group``) metrics, with a 95 % bootstrap interval by group."""
    if ranks.empty:
        return {"n": 0}
    out: dict[str, float] = {"n": float(len(ranks))}
    out["auc"] = float(ranks["auc"].mean())
    out["mrr"] = float((1.0 / ranks["rank"]).mean())
    for k in ks:
        out[f"hits@{k}"] = float((ranks["rank"] <= k).mean())
    if "group" in ranks.columns:
        by = ranks.assign(hit10=(ranks["rank"] <= 10).astype(float)).groupby("group")
        out["macro_hits@10"] = float(by["hit10"].mean().mean())
        out["macro_auc"] = float(by["auc"].mean().mean())
        gen = check_rng(rng)
        groups = ranks["group"].unique()
        per = {g: (d["rank"] <= 10).to_numpy() for g, d in ranks.groupby("group")}
        boots = []
        for _ in range(n_boot):
            pick = gen.choice(groups, groups.size, replace=True)
            v = np.concatenate([per[g] for g in pick])
            boots.append(v.mean())
        if boots:
            out["hits@10_lo"], out["hits@10_hi"] = (float(x) for x in np.percentile(boots, [2.5, 97.5]))
    return out
