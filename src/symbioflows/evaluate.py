"""Evaluate receiver matchers on real documented exchanges (the MAESTRI database).

The protocol of ``shared/data/README.md``:

* **Queries**: each implemented exchange's donor side (waste description, optional EWC code,
  donor business and NACE class).  Planned exchanges (and those under feasibility study) are
  reported separately.
* **Candidates**: receivers described only by their business and NACE class (never the final
  use or the material).  Two settings: ``case`` (the organisations of the same case, donors and
  receivers, identified by business and NACE class; queries with fewer than two candidates are
  dropped) and ``all`` (every receiver NACE class of the database, described by its NACE title).
* **Folds**: grouped by case, so that no case is both in training and in test.
* **Metrics**: recall@1/5/10 and mean reciprocal rank, micro (over queries) and macro (over
  cases), with percentile bootstrap intervals obtained by resampling cases.  Ties in a score
  are broken uniformly at random *in expectation* (the exact expected recall and reciprocal
  rank), so a constant scorer gets exactly the random baseline.
* **Methods**: ``random``, ``popularity`` (receiver class frequency in training), ``exact_code``
  (same EWC code, then sub-chapter, then chapter, then same donor NACE division, then
  popularity), ``bm25`` (rank-bm25 over the texts), ``embedding`` (plain cosine of sentence
  embeddings), ``blend`` (the untrained hand-set blend of :mod:`symbioflows.matching.learned`),
  ``learned`` (its listwise logistic model fitted on the training folds, with the feature set
  and the regularisation chosen by grouped cross-validation *inside* the training folds, so the
  choice is nested; one model per setting, each fitted on that setting's kind of ranking
  problem: all receiver classes for ``all``, the organisations of each training case for
  ``case``) and ``learned_notax`` (the same without the materials-taxonomy features).
* **Paired differences**: the MRR and recall@1 of ``learned`` minus each baseline, with a
  percentile bootstrap interval from resampling the held-out cases *jointly* for both methods
  (:attr:`EvaluationReport.differences`): the interval of the difference itself, which is what
  "better by more than the noise" asks, and is much narrower than the per-method intervals
  because both methods are scored on the same queries.

* **Public case studies** (optional, ``case_studies=``): documented exchanges from public case
  studies that are not in MAESTRI (``benchmarks/data/case_studies_exchanges.csv`` in the
  repository, every row citing its source; :func:`load_case_studies`), reported in three views
  (the ``data`` column of the summary): ``maestri`` (MAESTRI only, as without the option),
  ``combined`` (MAESTRI plus the case studies as extra cases in the same grouped folds; a case
  study of a park that MAESTRI already covers joins that MAESTRI case, so folds stay grouped by
  park) and ``out_of_source`` (trained on MAESTRI, tested on the case studies only: one split,
  the MAESTRI cases of parks that reappear in the case studies left out of training).

The MAESTRI rows are read from a data directory at run time and never ship in the package;
nor do the case-study rows.  Run ``symbioflows evaluate`` or ``python -m symbioflows.evaluate``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from symbioflows._config import check_rng
from symbioflows._validation import check_positive_int
from symbioflows.errors import InvalidInputError
from symbioflows.matching.learned import (
    Candidate,
    Query,
    ReceiverScorer,
    SectorStatistics,
    _bm25_matrix,
)
from symbioflows.matching.text import embed_texts, ewc_digits, normalize_nace

__all__ = ["METHODS", "SETTINGS", "VIEWS", "DIFFERENCES", "paired_differences", "EvaluationReport",
           "find_data_dir", "load_maestri", "find_case_studies", "load_case_studies",
           "rank_metrics", "evaluate_matchers", "fit_learned", "nace_pool", "main"]

log = logging.getLogger(__name__)

METHODS = ("random", "popularity", "exact_code", "bm25", "embedding", "blend", "learned",
           "learned_notax")
#: (method, baseline) pairs whose paired differences are reported.
DIFFERENCES = (("learned", "popularity"), ("learned", "exact_code"), ("learned", "blend"),
               ("learned_notax", "popularity"), ("learned_notax", "exact_code"))
SETTINGS = ("case", "all")
#: data views reported when case studies are added (see the module docstring)
VIEWS = ("maestri", "combined", "out_of_source")
KS = (1, 5, 10)
#: where the case-study fixture lives, relative to the repository root
CASE_STUDIES_FILE = Path("benchmarks") / "data" / "case_studies_exchanges.csv"


def find_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path | None:
    """Where ``maestri_exchanges.csv`` lives: the argument, ``$SYMBIOFLOWS_DATA_DIR``, or
    ``shared/data`` in an ancestor of the package or working directory (``None`` if absent)."""
    cands: list[Path] = []
    if data_dir is not None:  # an explicit folder is the only one looked at
        if (Path(data_dir) / "maestri_exchanges.csv").is_file():
            return Path(data_dir).resolve()
        raise InvalidInputError(
            f"{data_dir}: no maestri_exchanges.csv there; pass the directory holding the "
            "MAESTRI exchanges (shared/data)")
    if os.environ.get("SYMBIOFLOWS_DATA_DIR"):
        cands.append(Path(os.environ["SYMBIOFLOWS_DATA_DIR"]))
    # ``../shared/data`` next to the repository root (or any ancestor's ``shared/data``,
    # which covers git worktrees nested one level deeper).
    for base in (Path(__file__).resolve(), Path.cwd().resolve() / "x"):
        cands += [a / "shared" / "data" for a in base.parents]
    for c in cands:
        if (c / "maestri_exchanges.csv").is_file():
            return c.resolve()
    return None


def _nace_titles(data_dir: Path) -> dict[str, str]:
    titles: dict[str, str] = {}
    p = data_dir / "nace_rev2.csv"
    if p.is_file():
        t = pd.read_csv(p, dtype=str)
        for _, r in t.iterrows():
            code = normalize_nace(r.get("nace4") or r.get("code"))
            if code:
                titles[code] = str(r.get("description", ""))
                titles.setdefault(code[:2] + "00", str(r.get("division", "")))
    return titles


def nace_pool(df: pd.DataFrame) -> list[Candidate]:
    """Every receiver NACE class of the database, described by its NACE title only."""
    titles: dict[str, str] = df.attrs.get("nace_titles", {})
    return [Candidate(titles.get(c, titles.get(c[:2] + "00", "")), c)
            for c in sorted(set(df["receiver_nace"]))]


def _clean(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    s = str(v).strip()
    return "" if s.upper() in ("ND", "NA", "NAN") else s


def _evaluation_rows(raw: pd.DataFrame, cases: Sequence[str],
                     titles: dict[str, str]) -> list[dict[str, Any]]:
    """Evaluation rows (query, receiver key and text, donor key and text) of an exchanges table
    with the MAESTRI columns; rows without a receiver sector are dropped."""
    rows = []
    for (_, r), case in zip(raw.iterrows(), cases):
        rn = normalize_nace(_clean(r["receiver_nace"]))
        if rn is None:
            continue
        status = _clean(r["status"]).lower()
        group = "implemented" if status == "implemented" else "planned"
        dn = normalize_nace(_clean(r["donor_nace"]))
        q = Query(text=_clean(r["waste_description"]),
                  ewc=ewc_digits(_clean(r["ewc_code"]) or None), donor_nace=dn,
                  donor_business=_clean(r["donor_business"]))
        rb = _clean(r["receiver_business"])
        rows.append(dict(case=str(case), group=group, query=q, receiver_nace=rn,
                         receiver_business=rb, donor_business=_clean(r["donor_business"]),
                         receiver_key=f"{rb.lower()}|{rn}",
                         receiver_text=f"{rb}. {titles.get(rn, titles.get(rn[:2] + '00', ''))}",
                         donor_key=f"{_clean(r['donor_business']).lower()}|{dn}" if dn else None,
                         donor_text=f"{_clean(r['donor_business'])}. "
                                    f"{titles.get(dn or '', '')}" if dn else None,
                         donor_nace=dn))
    return rows


def load_maestri(data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The MAESTRI exchanges as evaluation rows.

    Returns a DataFrame with ``case``, ``group`` (``implemented`` / ``planned``), ``query``
    (:class:`~symbioflows.matching.learned.Query`), ``receiver_nace`` (4 digits),
    ``receiver_key`` (business|nace), ``receiver_text`` and the case's organisations in
    ``org_keys`` / ``org_texts``.  Rows without a receiver sector are dropped.
    """
    d = find_data_dir(data_dir)
    if d is None:
        raise InvalidInputError("MAESTRI data (maestri_exchanges.csv) not found; pass data_dir= "
                                "or set SYMBIOFLOWS_DATA_DIR")
    raw = pd.read_csv(d / "maestri_exchanges.csv", dtype=str)
    titles = _nace_titles(d)
    cases = [str(e).split(",")[0].strip() for e in raw["exchange_id"]]
    df = pd.DataFrame(_evaluation_rows(raw, cases, titles))
    df.attrs["nace_titles"] = titles
    return df


def find_case_studies(path: str | os.PathLike[str] | None = None) -> Path | None:
    """Where the case-study fixture lives: the argument, ``$SYMBIOFLOWS_CASE_STUDIES``, or
    ``benchmarks/data/case_studies_exchanges.csv`` in an ancestor of the package or working
    directory (a source checkout); ``None`` if absent.  The rows never ship in the package."""
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise InvalidInputError(
                f"case_studies={str(path)!r}: no such file; pass the path of "
                f"{CASE_STUDIES_FILE.as_posix()} (in the symbioflows source repository)")
        return p.resolve()
    if os.environ.get("SYMBIOFLOWS_CASE_STUDIES"):
        return find_case_studies(os.environ["SYMBIOFLOWS_CASE_STUDIES"])
    for base in (Path(__file__).resolve(), Path.cwd().resolve() / "x"):
        for a in base.parents:
            if (a / CASE_STUDIES_FILE).is_file():
                return (a / CASE_STUDIES_FILE).resolve()
    return None


_CASE_STUDY_REQUIRED = ("exchange_id", "park_id", "country", "maestri_case", "donor_name",
                        "donor_business", "donor_nace", "receiver_name", "receiver_business",
                        "receiver_nace", "waste_description", "ewc_code", "ewc_hazardous",
                        "status", "source", "source_url", "source_locator")
_CASE_STUDY_STATUS = ("implemented", "planned", "under feasibility study")


def _ewc_table(data_dir: Path | None) -> dict[str, bool]:
    if data_dir is None or not (data_dir / "ewc_codes.csv").is_file():
        return {}
    t = pd.read_csv(data_dir / "ewc_codes.csv", dtype=str)
    return {str(c).replace(" ", "").replace("*", ""): str(h).strip().lower() == "true"
            for c, h in zip(t["code"], t["is_hazardous"])}


def load_case_studies(path: str | os.PathLike[str] | None = None, *,
                      data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The public case-study exchanges as evaluation rows (same columns as
    :func:`load_maestri`, plus ``park_id``, ``maestri_case`` and ``source``).

    Every row is validated: it must name a source (``source``, ``source_url`` starting with
    ``http``, ``source_locator``) and a park; donor and receiver NACE codes must be NACE Rev. 2
    classes (checked against ``nace_rev2.csv`` when the data directory has it); an EWC code,
    where given, must be on the European List of Waste with the matching hazardous flag;
    ``status`` one of Implemented / Planned / Under feasibility study; ``maestri_case`` empty or
    a MAESTRI case number.  ``case`` is the park id.

    Raises
    ------
    InvalidInputError
        The file is absent, lacks a column, or a row fails a check (the message names the row,
        the field, the value and the fix).
    """
    p = find_case_studies(path)
    if p is None:
        raise InvalidInputError(
            f"case-study exchanges not found; pass the path of {CASE_STUDIES_FILE.as_posix()} "
            "(in a source checkout) or set SYMBIOFLOWS_CASE_STUDIES")
    raw = pd.read_csv(p, dtype=str, keep_default_na=False)
    missing = [c for c in _CASE_STUDY_REQUIRED if c not in raw.columns]
    if missing:
        raise InvalidInputError(f"{p}: column(s) {missing} missing; see benchmarks/data/README.md")
    d = find_data_dir(data_dir)
    titles = _nace_titles(d) if d is not None else {}
    ewc = _ewc_table(d)
    seen: set[str] = set()
    for i, r in raw.iterrows():
        where = f"{p.name} row {int(str(i)) + 2} (exchange_id {r['exchange_id']!r})"

        def bad(field: str, fix: str, r: pd.Series = r, where: str = where) -> InvalidInputError:
            return InvalidInputError(f"{where}: {field}={r[field]!r}; {fix}")

        if r["exchange_id"] in seen:
            raise bad("exchange_id", "exchange ids must be unique")
        seen.add(r["exchange_id"])
        for f in ("park_id", "source", "source_locator", "waste_description", "donor_business",
                  "receiver_business"):
            if not str(r[f]).strip():
                raise bad(f, "every row needs it (a case study without a cited source, page "
                             "or park cannot be used)")
        if not str(r["source_url"]).startswith(("http://", "https://")):
            raise bad("source_url", "give the URL (or https://doi.org/...) of the source")
        for f in ("donor_nace", "receiver_nace"):
            code = str(r[f]).strip()
            if not (len(code) == 4 and code.isdigit()) or (titles and code not in titles):
                raise bad(f, "give a NACE Rev. 2 class as 4 digits (e.g. 2410)")
        code = str(r["ewc_code"]).strip()
        if code:
            if not (len(code) == 6 and code.isdigit()) or (ewc and code not in ewc):
                raise bad("ewc_code", "give a 6-digit code of the European List of Waste, or "
                                      "leave it empty when the source does not make it clear")
            flag = str(r["ewc_hazardous"]).strip().lower()
            if ewc and flag != ("yes" if ewc[code] else "no"):
                raise bad("ewc_hazardous", f"the List of Waste says {'Yes' if ewc[code] else 'No'}")
        if str(r["status"]).strip().lower() not in _CASE_STUDY_STATUS:
            raise bad("status", "use Implemented, Planned or Under feasibility study")
        mc = str(r["maestri_case"]).strip()
        if mc and not mc.isdigit():
            raise bad("maestri_case", "leave empty, or give the MAESTRI case number of the same park")
    df = pd.DataFrame(_evaluation_rows(raw, list(raw["park_id"]), titles))
    keep = raw[[normalize_nace(_clean(n)) is not None for n in raw["receiver_nace"]]]
    df["park_id"] = list(keep["park_id"])
    df["maestri_case"] = [str(m).strip() or None for m in keep["maestri_case"]]
    df["source"] = list(keep["source"])
    df.attrs["nace_titles"] = titles
    return df


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
    """Per-query results and the summary table."""

    per_query: pd.DataFrame
    summary: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)
    #: paired bootstrap of method-minus-baseline differences (see :func:`paired_differences`)
    differences: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_pandas(self) -> pd.DataFrame:
        return self.summary.copy()

    def format_table(self) -> str:
        """A plain-text table: value [low, high] for each metric."""
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


def _case_pool(org: pd.DataFrame) -> tuple[list[str], list[Candidate]]:
    """Organisations of a case (receivers and donors) keyed by business|nace, each described by
    its business and NACE title (``text``) and its business alone (``business``)."""
    keys: dict[str, tuple[str, str]] = {}
    for k, t, b in zip(org["receiver_key"], org["receiver_text"], org["receiver_business"]):
        keys.setdefault(k, (t, b))
    for k, t, b in zip(org["donor_key"], org["donor_text"], org["donor_business"]):
        if isinstance(k, str) and isinstance(t, str):
            keys.setdefault(k, (t, b))
    klist = sorted(keys)
    return klist, [Candidate(keys[k][0], k.split("|")[1], business=keys[k][1]) for k in klist]


ScoreFn = Callable[[Sequence[Query], Sequence[Candidate]], np.ndarray]
#: a scorer for every setting, or one per setting
Scorer = ScoreFn | dict[str, ScoreFn]


#: ranking problems :func:`fit_learned` can learn from
TRAIN_POOLS = ("both", "all", "case")


def fit_learned(train: pd.DataFrame, pool_all: list[Candidate], *, embed_backend: str = "auto",
                C: float = 1.0, use_taxonomy: bool = True, pools: str = "both") -> ReceiverScorer:
    """Fit :class:`ReceiverScorer` on MAESTRI rows, ranking each training exchange's receiver
    among all receiver classes (``pools="all"``), among the organisations of its case
    (``"case"``) or both (``"both"``).  The feature set and the regularisation are chosen by
    grouped cross-validation within ``train``."""
    if pools not in TRAIN_POOLS:
        raise InvalidInputError(f"pools={pools!r}; choose one of {TRAIN_POOLS}")
    train = train.reset_index(drop=True)
    codes = [c.nace for c in pool_all]
    problems: list[tuple[Sequence[Candidate], Sequence[tuple[int, int]]]] = []
    if pools in ("both", "all"):
        problems.append((pool_all, [(k, codes.index(n)) for k, n in
                                    enumerate(train["receiver_nace"]) if n in codes]))
    if pools in ("both", "case"):
        for _case, org in train.groupby("case"):
            klist, cands = _case_pool(org)
            if len(klist) >= 2:
                problems.append((cands, [(int(k), klist.index(rk))
                                         for k, rk in zip(org.index, org["receiver_key"])]))
    return ReceiverScorer(embed_backend=embed_backend, C=C, use_taxonomy=use_taxonomy).fit(
        list(train["query"]), list(train["receiver_nace"]), list(train["case"]), problems,
        receiver_business=list(train["receiver_business"]))


def _make_scorers(train: pd.DataFrame, pool_all: list[Candidate], methods: Sequence[str],
                  backend: str, C: float,
                  models: dict[tuple[str, str], ReceiverScorer] | None = None,
                  settings: Sequence[str] = SETTINGS) -> dict[str, Scorer]:
    """The scorers of ``methods`` fitted on ``train``; the learned ones are one scorer per
    setting (a dict), fitted on that setting's ranking problems (:func:`fit_learned`)."""
    tq = list(train["query"])
    tr_nace = list(train["receiver_nace"])
    q_emb, used = embed_texts([q.text for q in tq], backend=backend)
    stats = SectorStatistics.from_pairs(tq, tr_nace, q_emb, used)
    pdiv, pclass = stats.priors()
    fns: dict[str, Scorer] = {}

    def random_(qs: Sequence[Query], cs: Sequence[Candidate]) -> np.ndarray:
        return np.zeros((len(qs), len(cs)))

    def popularity(qs: Sequence[Query], cs: Sequence[Candidate]) -> np.ndarray:
        row = np.array([stats.class_counts.get(c.nace or "", 0) * 1e3
                        + stats.div_counts.get((c.nace or "")[:2], 0) for c in cs], dtype=float)
        return np.tile(row, (len(qs), 1))

    def exact_code(qs: Sequence[Query], cs: Sequence[Candidate]) -> np.ndarray:
        pop = popularity(qs, cs)
        pop = pop / (pop.max() + 1.0)
        out = np.zeros((len(qs), len(cs)))
        for i, q in enumerate(qs):
            tab = None
            if q.ewc:
                for t, key in ((stats.by_ewc6, q.ewc), (stats.by_ewc4, q.ewc[:4]),
                               (stats.by_ewc2, q.ewc[:2])):
                    if key in t:
                        tab = t[key]
                        break
            dtab = stats.by_donor_div.get((q.donor_nace or "")[:2]) if q.donor_nace else None
            for j, c in enumerate(cs):
                d = (c.nace or "")[:2]
                out[i, j] = (1e6 * (tab.get(d, 0) if tab else 0)
                             + 1e3 * (dtab.get(d, 0) if dtab else 0) + pop[i, j])
        return out

    def bm25(qs: Sequence[Query], cs: Sequence[Candidate]) -> np.ndarray:
        return _bm25_matrix([q.text for q in qs], [c.text for c in cs])

    def embedding(qs: Sequence[Query], cs: Sequence[Candidate]) -> np.ndarray:
        a, u = embed_texts([q.text for q in qs], backend=used)
        b, _ = embed_texts([c.text for c in cs], backend=u)
        return np.asarray(a @ b.T, dtype=np.float64)

    table: dict[str, ScoreFn] = {"random": random_, "popularity": popularity,
                                 "exact_code": exact_code, "bm25": bm25, "embedding": embedding}
    for m in methods:
        if m in table:
            fns[m] = table[m]
    if "blend" in methods:
        fns["blend"] = ReceiverScorer.untrained(embed_backend=used, stats=stats).score
    for name, tax in (("learned", True), ("learned_notax", False)):
        if name in methods:
            # one model per setting, each fitted on that setting's kind of ranking problem
            per: dict[str, ScoreFn] = {}
            for setting in settings:
                model = fit_learned(train, pool_all, embed_backend=used, C=C, use_taxonomy=tax,
                                    pools=setting)
                per[setting] = model.score
                if models is not None:
                    models[(name, setting)] = model
            fns[name] = per
    return fns


def _score_test(test: pd.DataFrame, fns: dict[str, Scorer], pool_all: list[Candidate],
                settings: Sequence[str], fold: int) -> list[dict[str, Any]]:
    """Rank every held-out query of ``test`` with every scorer in ``fns``."""
    all_codes = [c.nace for c in pool_all]
    records: list[dict[str, Any]] = []
    for setting in settings:
        for group in ("implemented", "planned"):
            sub = test[test["group"] == group]
            if sub.empty:
                continue
            for case, rows in sub.groupby("case"):
                qs = list(rows["query"])
                if setting == "all":
                    cands = pool_all
                    rel = [all_codes.index(n) for n in rows["receiver_nace"]]
                else:
                    klist, cands = _case_pool(test[test["case"] == case])
                    if len(klist) < 2:
                        continue
                    rel = [klist.index(k) for k in rows["receiver_key"]]
                for method, fn in fns.items():
                    sc = (fn[setting] if isinstance(fn, dict) else fn)(qs, cands)
                    for i, j in enumerate(rel):
                        m = rank_metrics(sc[i], j)
                        records.append(dict(setting=setting, group=group, method=method,
                                            fold=fold, case=case, n_candidates=len(cands), **m))
    return records


def _fit_scorers(train: pd.DataFrame, pool_all: list[Candidate], methods: Sequence[str],
                 backend: str, C: float, fold: int, data: str,
                 selected: list[dict[str, Any]],
                 settings: Sequence[str] = SETTINGS) -> dict[str, Scorer]:
    models: dict[tuple[str, str], ReceiverScorer] = {}
    fns = _make_scorers(train, pool_all, methods, backend, C, models, settings)
    for (name, setting), model in models.items():
        selected.append(dict(data=data, fold=fold, method=name, setting=setting,
                             features=list(getattr(model, "selected_features_", ())),
                             C=getattr(model, "selected_C_", None)))
    return fns


def _cross_validate(df: pd.DataFrame, methods: Sequence[str], settings: Sequence[str],
                    n_folds: int, backend: str, C: float, progress: bool, data: str,
                    selected: list[dict[str, Any]]) -> pd.DataFrame:
    """Grouped k-fold over ``df["case"]``: per-query records of every method."""
    from symbioflows._optional import import_optional

    ms = import_optional("sklearn.model_selection", "learn", purpose="grouped folds")
    pool_all = nace_pool(df)
    cases = df["case"].to_numpy()
    folds = ms.GroupKFold(n_splits=min(n_folds, len(set(cases))))
    records: list[dict[str, Any]] = []
    it = list(folds.split(np.zeros(len(df)), groups=cases))
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(it, desc=f"folds ({data})")
    for fold, (tr, te) in enumerate(it):
        train = df.iloc[tr]
        test = df.iloc[te]
        fns = _fit_scorers(train, pool_all, methods, backend, C, fold, data, selected, settings)
        records += _score_test(test, fns, pool_all, settings, fold)
    return pd.DataFrame(records)


def _summarise(pq: pd.DataFrame, n_boot: int, gen: np.random.Generator,
               data: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows_out = []
    for keys, sub in pq.groupby(["setting", "group", "method"], sort=False):
        s_, g_, m_ = (str(k) for k in keys)  # type: ignore[union-attr]
        for r in _bootstrap(sub, n_boot, gen):
            rows_out.append(dict(data=data, setting=s_, group=g_, method=m_, **r))
    diffs = paired_differences(pq, DIFFERENCES, n_boot=n_boot, rng=gen)
    if not diffs.empty:
        diffs.insert(0, "data", data)
    return pd.DataFrame(rows_out), diffs


def _combine(maestri: pd.DataFrame, cs: pd.DataFrame) -> pd.DataFrame:
    """MAESTRI plus the case studies as extra cases: a case study of a park that MAESTRI
    already covers joins that MAESTRI case (so no park is split across folds)."""
    extra = cs.copy()
    extra["case"] = [m if isinstance(m, str) and m else c
                     for m, c in zip(extra["maestri_case"], extra["case"])]
    cols = list(maestri.columns)
    out = pd.concat([maestri, extra[cols]], ignore_index=True)
    out.attrs["nace_titles"] = maestri.attrs.get("nace_titles", {})
    return out


def evaluate_matchers(
    *,
    data_dir: str | os.PathLike[str] | None = None,
    methods: Sequence[str] = METHODS,
    settings: Sequence[str] = SETTINGS,
    n_folds: int = 5,
    n_boot: int = 1000,
    embed_backend: str = "auto",
    C: float = 1.0,
    rng: Any = 0,
    progress: bool = False,
    case_studies: str | os.PathLike[str] | bool | None = None,
    views: Sequence[str] = VIEWS,
) -> EvaluationReport:
    """Run the MAESTRI evaluation protocol for the chosen methods.

    Parameters
    ----------
    data_dir : path, optional
        Directory with ``maestri_exchanges.csv`` (and ``nace_rev2.csv`` for NACE titles).
    methods : sequence of str
        Any of :data:`METHODS`.
    settings : sequence of {"case", "all"}
        Candidate pools (see the module docstring).
    n_folds : int
        Grouped folds over cases.
    n_boot : int
        Bootstrap resamples of cases for the intervals.
    embed_backend : {"auto", "sentence", "hashing"}
    C : float
        Regularisation of the learned scorer when its grid search is off (unused by default:
        the scorer chooses ``C`` by grouped cross-validation inside each training fold).
    rng : seed
        Seeds the bootstrap.
    case_studies : path, True or None
        Also evaluate on the public case-study exchanges (:func:`load_case_studies`): a path to
        the CSV, or ``True`` to find ``benchmarks/data/case_studies_exchanges.csv`` in a source
        checkout.  ``None`` (default): MAESTRI only.
    views : sequence of {"maestri", "combined", "out_of_source"}
        With ``case_studies``: which views to report (see the module docstring).  The
        ``maestri`` view is identical to a run without case studies (same seed, same numbers).

    Returns
    -------
    EvaluationReport
        ``summary``: one row per (data view, setting, query group, average, method) with
        recall@1/5/10, MRR and their 95 % intervals; ``differences``: the paired bootstrap of
        :data:`DIFFERENCES` (:func:`paired_differences`), per data view.

    Raises
    ------
    InvalidInputError
        Unknown method, setting or view, or the data directory lacks the file, or a
        case-study row fails validation.
    """
    bad = [m for m in methods if m not in METHODS]
    if bad:
        raise InvalidInputError(f"unknown methods {bad}; choose from {METHODS}")
    bad = [s for s in settings if s not in SETTINGS]
    if bad:
        raise InvalidInputError(f"unknown settings {bad}; choose from {SETTINGS}")
    n_folds = check_positive_int(n_folds, "n_folds", minimum=2)
    n_boot = check_positive_int(n_boot, "n_boot")
    gen = check_rng(rng)
    if case_studies is None or case_studies is False:
        views = ("maestri",)
    else:
        bad = [v for v in views if v not in VIEWS]
        if bad or not views:
            raise InvalidInputError(f"views={list(views)!r}; choose one or more of {VIEWS}")
    df = load_maestri(data_dir)
    cs = None
    if case_studies is not None and case_studies is not False:
        cs = load_case_studies(None if case_studies is True else case_studies,  # type: ignore[arg-type]
                               data_dir=data_dir)
    selected: list[dict[str, Any]] = []
    per_query: list[pd.DataFrame] = []
    summaries: list[pd.DataFrame] = []
    diffs: list[pd.DataFrame] = []
    for view in VIEWS:
        if view not in views:
            continue
        if view == "maestri":
            pq = _cross_validate(df, methods, settings, n_folds, embed_backend, C, progress,
                                 view, selected)
        elif view == "combined":
            assert cs is not None
            pq = _cross_validate(_combine(df, cs), methods, settings, n_folds, embed_backend, C,
                                 progress, view, selected)
        else:
            assert cs is not None
            # train on MAESTRI without the cases whose parks reappear in the case studies;
            # rank among every receiver class of the combined database
            overlap = {m for m in cs["maestri_case"] if isinstance(m, str) and m}
            train = df[~df["case"].isin(overlap)].reset_index(drop=True)
            pool_all = nace_pool(_combine(df, cs))
            fns = _fit_scorers(train, pool_all, methods, embed_backend, C, 0, view, selected,
                               settings)
            pq = pd.DataFrame(_score_test(cs, fns, pool_all, settings, 0))
        pq.insert(0, "data", view)
        summary, d = _summarise(pq, n_boot, gen, view)
        per_query.append(pq)
        summaries.append(summary)
        diffs.append(d)
    summary = pd.concat(summaries, ignore_index=True)
    order = {m: k for k, m in enumerate(METHODS)}
    vorder = {v: k for k, v in enumerate(VIEWS)}
    summary["_o"] = summary["method"].map(order)
    summary["_v"] = summary["data"].map(vorder)
    summary = summary.sort_values(["_v", "setting", "group", "average", "_o"]).drop(
        columns=["_o", "_v"])
    summary = summary.reset_index(drop=True)
    info: dict[str, Any] = dict(n_folds=n_folds, n_boot=n_boot, embed_backend=embed_backend,
                                methods=list(methods), selected=selected, views=list(views))
    if cs is not None:
        info["case_studies"] = dict(
            rows=int(len(cs)), parks=int(cs["case"].nunique()),
            implemented=int((cs["group"] == "implemented").sum()),
            maestri_cases_left_out_of_out_of_source_training=sorted(
                {m for m in cs["maestri_case"] if isinstance(m, str) and m}, key=int))
    return EvaluationReport(pd.concat(per_query, ignore_index=True), summary, info,
                            pd.concat(diffs, ignore_index=True))


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m symbioflows.evaluate``: run the protocol and print the table."""
    import argparse

    p = argparse.ArgumentParser(prog="symbioflows evaluate", description=__doc__.split("\n")[0])
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


def _case_studies_arg(value: str | None) -> str | bool | None:
    return None if value is None else True if value == "auto" else value


def run_from_args(args: Any) -> int:
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


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
