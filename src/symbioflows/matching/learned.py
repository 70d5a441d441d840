# Why one module of ~1,150 lines: the receiver scorer's features, its conditional-logit fit and
# the nested feature-set selection are one estimator; the features must stay beside the fit so
# that training and scoring cannot drift apart.
"""A receiver scorer learned from documented exchanges.

Given a donor's stream (waste description, optional EWC code, donor sector) and a candidate
receiver (business text, NACE class), compute a handful of features and a linear score:

* ``text_similarity``: cosine of the embeddings of the two texts;
* ``bm25``: BM25 of the donor text against the candidate texts, divided by the best candidate's;
* ``lift_ewc``: lift of the candidate's NACE division given the EWC code seen in training
  exchanges (six digits, backing off to the sub-chapter, then the chapter);
* ``lift_donor_sector`` / ``lift_donor_class``: lift of the candidate division / class given the
  donor's division / class;
* ``lift_tokens``: mean lift of the candidate division over the description's words;
* ``log_pop_division`` / ``log_pop_class``: how often the division / class receives anything;
* ``same_division``: donor and candidate in the same NACE division;
* ``centroid_similarity``: cosine of the donor text to the mean embedding of the texts that the
  candidate's division received in training;
* ``naive_bayes``: multinomial naive-Bayes log-posterior of the candidate class given the words,
  EWC sub-chapter and donor division;
* ``taxonomy_use`` / ``taxonomy_use_division``: the materials taxonomy's substitution knowledge
  (no training data): the donor text is classified into material classes
  (:class:`symbioflows.materials.MaterialClassifier`, top 3 with their confidences) and the
  candidate scores the confidence of the classes whose ``used_by_nace`` lists its class (or, for
  the second feature, only its division);
* ``taxonomy_ewc``: 1 when a material class listing the query's EWC code is used by the
  candidate's class;
* ``same_class``: donor and candidate in the same NACE class (in a park's own pool the donor
  itself is a candidate);
* ``material_class_fit``: conditional popularity of the candidate class given the donor
  stream's material class, counted on the training exchanges and smoothed towards the
  taxonomy's users mixed with overall class popularity (log probability);
* ``business_nb``: naive-Bayes log-score of the candidate organisation's own business words
  (``Candidate.business``, e.g. "Cement plant") given the query's words, EWC sub-chapter and
  donor division, counted over the receivers of the training exchanges (so that organisations
  of one NACE class need not tie); 0 for a bare NACE class;
* ``is_donor``: the candidate is the donor organisation itself (same class and business);
* ``receiver_share_class`` / ``receiver_share_business``: log of (times received + 1) /
  (times given + 1) in training, for the candidate's class / business words.

The statistics are counts over exchanges (the package may ship them; the rows themselves never
ship); the weights come from a listwise logistic (conditional logit) model fitted on out-of-fold
features (inner folds grouped by case, so that a row never informs its own features), and the
feature set (:data:`CANDIDATE_SUBSETS`) and regularisation (:data:`C_GRID`) are chosen by grouped
cross-validation over the same inner folds.  :data:`DEFAULT_BLEND` is the hand-set, untrained
blend.
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from symbioflows.errors import FormatVersionError, InvalidInputError, NotFittedError
from symbioflows.matching.text import embed_texts, nace_division, tokenize

__all__ = ["Query", "Candidate", "SectorStatistics", "FEATURES", "TAXONOMY_FEATURES",
           "BUSINESS_FEATURES", "business_words", "DEFAULT_BLEND", "ReceiverScorer", "pair_features", "predict_material_classes"]

log = logging.getLogger(__name__)

FEATURES = (
    "text_similarity",
    "bm25",
    "lift_ewc",
    "lift_donor_sector",
    "lift_donor_class",
    "lift_tokens",
    "log_pop_division",
    "log_pop_class",
    "same_division",
    "centroid_similarity",
    "lift_ewc_class",
    "lift_tokens_class",
    "class_centroid_similarity",
    "naive_bayes",
    "taxonomy_use",
    "taxonomy_use_division",
    "taxonomy_ewc",
    "same_class",
    "material_class_fit",
    "business_nb",
    "is_donor",
    "receiver_share_class",
    "receiver_share_business",
)

#: Features that look at the candidate organisation's own business (``Candidate.business``),
#: so that organisations of one NACE class need not tie.
BUSINESS_FEATURES = ("business_nb", "is_donor", "receiver_share_business")

#: Features that use the materials taxonomy (dropped by ``ReceiverScorer(use_taxonomy=False)``).
TAXONOMY_FEATURES = ("taxonomy_use", "taxonomy_use_division", "taxonomy_ewc",
                     "material_class_fit")
#: Features that need text embeddings of the query and the candidates.
_EMBEDDING_FEATURES = frozenset({"text_similarity", "centroid_similarity",
                                 "class_centroid_similarity"})

#: Hand-set blend (the untrained default): text and code knowledge first, sector priors second.
DEFAULT_BLEND: dict[str, float] = {
    "text_similarity": 2.0,
    "bm25": 1.0,
    "lift_ewc": 0.5,
    "lift_donor_sector": 0.5,
    "lift_donor_class": 0.0,
    "lift_tokens": 0.5,
    "log_pop_division": 0.3,
    "log_pop_class": 0.0,
    "same_division": 0.0,
    "centroid_similarity": 1.0,
    "lift_ewc_class": 0.0,
    "lift_tokens_class": 0.0,
    "class_centroid_similarity": 0.0,
    "naive_bayes": 0.0,
    "taxonomy_use": 0.0,
    "taxonomy_use_division": 0.0,
    "taxonomy_ewc": 0.0,
    "same_class": 0.0,
    "material_class_fit": 0.0,
    "business_nb": 0.0,
    "is_donor": 0.0,
    "receiver_share_class": 0.0,
    "receiver_share_business": 0.0,
}

FORMAT_VERSION = 3  # 3: business-word features; 2: taxonomy features (1 and 2 still load)
ARTIFACT_KIND = "symbioflows.receiver_scorer"
PRETRAINED_DIR = Path(__file__).resolve().parent / "models" / "receiver_scorer"

#: A class centroid is kept only when at least this many exchanges back it, so that no single
#: exchange's embedding is ever stored.
MIN_CENTROID_COUNT = 3


@dataclass(frozen=True)
class Query:
    """The donor side of an exchange, as the donor would describe it."""

    text: str
    ewc: str | None = None  # six digits
    donor_nace: str | None = None  # four digits
    donor_business: str = ""


@dataclass(frozen=True)
class Candidate:
    """A candidate receiver, described only by its business and NACE class.

    ``text``: what the text features read (business and NACE title); ``business``: the
    organisation's own business description where known (e.g. ``"Cement plant"``), read by
    :data:`BUSINESS_FEATURES`; empty for a bare NACE class."""

    text: str
    nace: str | None = None  # four digits
    business: str = ""


def business_words(text: str | None) -> list[str]:
    """Words of a business description, plural ``s`` stripped (``"Local farms"`` ->
    ``['local', 'farm']``), each once.

    Examples
    --------
    >>> business_words("Local farms and the farm shop")
    ['local', 'farm', 'shop']
    """
    out: list[str] = []
    for t in tokenize(text or ""):
        if len(t) > 3 and t.endswith("s") and not t.endswith("ss"):
            t = t[:-1]
        if t not in out:
            out.append(t)
    return out


def _lift(table: dict[str, Counter[str]], key: str | None, target: str | None,
          prior: dict[str, float], alpha: float = 1.0) -> float:
    if key is None or target is None or key not in table:
        return 0.0
    row = table[key]
    n = sum(row.values())
    p0 = prior.get(target, prior.get("", 1e-6))
    p = (row.get(target, 0) + alpha * p0) / (n + alpha)
    return math.log(p / p0)


@dataclass
class SectorStatistics:
    """Counts of receiver sectors by EWC code, donor sector and description word."""

    by_ewc6: dict[str, Counter[str]] = field(default_factory=dict)
    by_ewc4: dict[str, Counter[str]] = field(default_factory=dict)
    by_ewc2: dict[str, Counter[str]] = field(default_factory=dict)
    by_donor_div: dict[str, Counter[str]] = field(default_factory=dict)
    by_donor_class: dict[str, Counter[str]] = field(default_factory=dict)
    by_token: dict[str, Counter[str]] = field(default_factory=dict)
    div_counts: Counter[str] = field(default_factory=Counter)
    class_counts: Counter[str] = field(default_factory=Counter)
    centroids: dict[str, list[float]] = field(default_factory=dict)
    embed_backend: str = ""
    by_ewc6_class: dict[str, Counter[str]] = field(default_factory=dict)
    by_ewc4_class: dict[str, Counter[str]] = field(default_factory=dict)
    by_token_class: dict[str, Counter[str]] = field(default_factory=dict)
    class_centroids: dict[str, list[float]] = field(default_factory=dict)
    #: receiver classes by the donor stream's (top predicted) material class
    by_material_class: dict[str, Counter[str]] = field(default_factory=dict)
    #: receiver business words (:func:`business_words`) by description word, EWC sub-chapter
    #: and donor division, and how many exchanges each business word received
    bword_by_token: dict[str, Counter[str]] = field(default_factory=dict)
    bword_by_ewc4: dict[str, Counter[str]] = field(default_factory=dict)
    bword_by_donor_div: dict[str, Counter[str]] = field(default_factory=dict)
    bword_counts: Counter[str] = field(default_factory=Counter)
    #: how many training exchanges each NACE class / business word gave (as donor)
    donor_class_counts: Counter[str] = field(default_factory=Counter)
    donor_bword_counts: Counter[str] = field(default_factory=Counter)

    @classmethod
    def from_pairs(cls, queries: Sequence[Query], receivers: Sequence[str | None],
                   query_emb: np.ndarray | None = None, embed_backend: str = "",
                   materials: Sequence[Sequence[tuple[str, float]]] | None = None,
                   receiver_business: Sequence[str | None] | None = None,
                   ) -> SectorStatistics:
        """Count receiver divisions / classes over known (query, receiver NACE) pairs.

        ``materials``: each query's predicted material classes (``(class id, confidence)``,
        best first, see :func:`predict_material_classes`); the top one is counted in
        ``by_material_class``.  ``receiver_business``: each receiver's business description;
        its words are counted in the ``bword_*`` tables."""
        if materials is not None and len(materials) != len(queries):
            raise InvalidInputError(
                f"materials has {len(materials)} entries for {len(queries)} queries; pass one "
                "list of (class, confidence) per query")
        if receiver_business is not None and len(receiver_business) != len(queries):
            raise InvalidInputError(
                f"receiver_business has {len(receiver_business)} entries for {len(queries)} "
                "queries; pass one business description (or None) per query")
        st = cls(embed_backend=embed_backend)
        sums: dict[str, np.ndarray] = {}
        csums: dict[str, np.ndarray] = {}
        for k, (q, r) in enumerate(zip(queries, receivers)):
            if r is None:
                continue
            div = r[:2]
            st.div_counts[div] += 1
            st.class_counts[r] += 1
            if q.ewc:
                for tab, key in ((st.by_ewc6, q.ewc), (st.by_ewc4, q.ewc[:4]),
                                 (st.by_ewc2, q.ewc[:2])):
                    tab.setdefault(key, Counter())[div] += 1
                st.by_ewc6_class.setdefault(q.ewc, Counter())[r] += 1
                st.by_ewc4_class.setdefault(q.ewc[:4], Counter())[r] += 1
            if q.donor_nace:
                st.by_donor_div.setdefault(q.donor_nace[:2], Counter())[div] += 1
                st.by_donor_class.setdefault(q.donor_nace, Counter())[r] += 1
            for t in sorted(set(tokenize(q.text))):
                st.by_token.setdefault(t, Counter())[div] += 1
                st.by_token_class.setdefault(t, Counter())[r] += 1
            if materials is not None and materials[k]:
                st.by_material_class.setdefault(materials[k][0][0], Counter())[r] += 1
            if q.donor_nace:
                st.donor_class_counts[q.donor_nace] += 1
            st.donor_bword_counts.update(business_words(q.donor_business))
            if receiver_business is not None:
                bw = business_words(receiver_business[k])
                st.bword_counts.update(bw)
                for t in sorted(set(tokenize(q.text))):
                    st.bword_by_token.setdefault(t, Counter()).update(bw)
                if q.ewc:
                    st.bword_by_ewc4.setdefault(q.ewc[:4], Counter()).update(bw)
                if q.donor_nace:
                    st.bword_by_donor_div.setdefault(q.donor_nace[:2], Counter()).update(bw)
            if query_emb is not None:
                sums[div] = sums.get(div, 0) + query_emb[k]
                csums[r] = csums.get(r, 0) + query_emb[k]
        for div, v in sums.items():
            norm = float(np.linalg.norm(v))
            if st.div_counts[div] >= MIN_CENTROID_COUNT and norm > 0:
                st.centroids[div] = (v / norm).tolist()
        for cname, v in csums.items():
            norm = float(np.linalg.norm(v))
            if st.class_counts[cname] >= MIN_CENTROID_COUNT and norm > 0:
                st.class_centroids[cname] = (v / norm).tolist()
        return st

    def pruned(self, min_token_count: int = 2) -> SectorStatistics:
        """A copy without the words seen in fewer than ``min_token_count`` exchanges (what the
        shipped model keeps: no rare word of a single exchange leaves the training data)."""
        import copy

        st = copy.deepcopy(self)
        for tab in (st.by_token, st.by_token_class, st.by_material_class, st.bword_by_token):
            for t in [t for t, row in tab.items() if sum(row.values()) < min_token_count]:
                del tab[t]
        rare = {b for b, n in st.bword_counts.items() if n < min_token_count}
        for b in rare:
            del st.bword_counts[b]
        for b in [b for b, n in st.donor_bword_counts.items() if n < min_token_count]:
            del st.donor_bword_counts[b]
        for tab in (st.bword_by_token, st.bword_by_ewc4, st.bword_by_donor_div):
            for row in tab.values():
                for b in rare & set(row):
                    del row[b]
        return st

    def priors(self) -> tuple[dict[str, float], dict[str, float]]:
        n = sum(self.div_counts.values())
        nd = max(1, len(self.div_counts))
        pd_ = {d: (c + 1) / (n + nd + 1) for d, c in self.div_counts.items()}
        pd_[""] = 1 / (n + nd + 1)
        nc = max(1, len(self.class_counts))
        pc = {c: (k + 1) / (n + nc + 1) for c, k in self.class_counts.items()}
        pc[""] = 1 / (n + nc + 1)
        return pd_, pc

    def to_json(self) -> dict[str, Any]:
        def tab(t: dict[str, Counter[str]]) -> dict[str, dict[str, int]]:
            return {k: dict(sorted(v.items())) for k, v in sorted(t.items())}

        return {
            "by_ewc6": tab(self.by_ewc6), "by_ewc4": tab(self.by_ewc4),
            "by_ewc2": tab(self.by_ewc2), "by_donor_div": tab(self.by_donor_div),
            "by_donor_class": tab(self.by_donor_class), "by_token": tab(self.by_token),
            "div_counts": dict(sorted(self.div_counts.items())),
            "class_counts": dict(sorted(self.class_counts.items())),
            "centroids": {k: [round(x, 6) for x in v] for k, v in sorted(self.centroids.items())},
            "embed_backend": self.embed_backend,
            "by_ewc6_class": tab(self.by_ewc6_class), "by_ewc4_class": tab(self.by_ewc4_class),
            "by_token_class": tab(self.by_token_class),
            "class_centroids": {k: [round(x, 6) for x in v]
                                for k, v in sorted(self.class_centroids.items())},
            "by_material_class": tab(self.by_material_class),
            "bword_by_token": tab(self.bword_by_token), "bword_by_ewc4": tab(self.bword_by_ewc4),
            "bword_by_donor_div": tab(self.bword_by_donor_div),
            "bword_counts": dict(sorted(self.bword_counts.items())),
            "donor_class_counts": dict(sorted(self.donor_class_counts.items())),
            "donor_bword_counts": dict(sorted(self.donor_bword_counts.items())),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> SectorStatistics:
        def tab(t: dict[str, dict[str, int]]) -> dict[str, Counter[str]]:
            return {k: Counter({a: int(b) for a, b in v.items()}) for k, v in t.items()}

        return cls(
            tab(d["by_ewc6"]), tab(d["by_ewc4"]), tab(d["by_ewc2"]), tab(d["by_donor_div"]),
            tab(d["by_donor_class"]), tab(d["by_token"]), Counter(d["div_counts"]),
            Counter(d["class_counts"]),
            {k: list(map(float, v)) for k, v in d.get("centroids", {}).items()},
            str(d.get("embed_backend", "")),
            tab(d.get("by_ewc6_class", {})), tab(d.get("by_ewc4_class", {})),
            tab(d.get("by_token_class", {})),
            {k: list(map(float, v)) for k, v in d.get("class_centroids", {}).items()},
            tab(d.get("by_material_class", {})),
            tab(d.get("bword_by_token", {})), tab(d.get("bword_by_ewc4", {})),
            tab(d.get("bword_by_donor_div", {})),
            Counter({k: int(v) for k, v in d.get("bword_counts", {}).items()}),
            Counter({k: int(v) for k, v in d.get("donor_class_counts", {}).items()}),
            Counter({k: int(v) for k, v in d.get("donor_bword_counts", {}).items()}),
        )


def _bm25_matrix(q_texts: Sequence[str], c_texts: Sequence[str]) -> np.ndarray:
    """BM25 of each query against the candidate texts, per query divided by its maximum."""
    from symbioflows._optional import has_module

    out = np.zeros((len(q_texts), len(c_texts)))
    docs = [tokenize(t) or ["_"] for t in c_texts]
    if not docs:
        return out
    if has_module("rank_bm25"):
        from rank_bm25 import BM25Okapi

        bm = BM25Okapi(docs)
        for i, q in enumerate(q_texts):
            out[i] = bm.get_scores(tokenize(q))
    else:  # plain token overlap when rank-bm25 is missing
        sets = [set(d) for d in docs]
        for i, q in enumerate(q_texts):
            qs = set(tokenize(q))
            out[i] = [len(qs & s) for s in sets]
    m = out.max(axis=1, keepdims=True)
    np.divide(out, m, out=out, where=m > 0)
    return np.maximum(out, 0.0)


def _nb_totals(table: dict[str, Counter[str]]) -> tuple[Counter[str], int]:
    tot: Counter[str] = Counter()
    for row in table.values():
        tot.update(row)
    return tot, max(1, len(table))


NB_ALPHA = 0.5
NB_PARTS = ("tokens", "ewc4", "donor_div")


def _naive_bayes(queries: Sequence[Query], candidates: Sequence[Candidate],
                 stats: SectorStatistics, alpha: float | None = None) -> np.ndarray:
    """Multinomial naive Bayes log-posterior of each candidate class given the query's words,
    EWC sub-chapter and donor division (log-softmax over the candidates)."""
    nq, nc = len(queries), len(candidates)
    out = np.zeros((nq, nc))
    if nq == 0 or nc == 0:
        return out
    classes = [c.nace or "" for c in candidates]
    n_total = sum(stats.class_counts.values())
    prior = np.array([math.log((stats.class_counts.get(c, 0) + 1.0) / (n_total + nc))
                      for c in classes])
    donor_class: dict[str, Counter[str]] = {}
    for dclass, row in stats.by_donor_class.items():
        donor_class.setdefault(dclass[:2], Counter()).update(row)
    alpha = NB_ALPHA if alpha is None else alpha
    donor_cls: dict[str, Counter[str]] = dict(stats.by_donor_class)
    all_parts = {
        "tokens": (stats.by_token_class, lambda q: set(tokenize(q.text))),
        "ewc6": (stats.by_ewc6_class, lambda q: {q.ewc} if q.ewc else set()),
        "ewc4": (stats.by_ewc4_class, lambda q: {q.ewc[:4]} if q.ewc else set()),
        "donor_div": (donor_class, lambda q: {q.donor_nace[:2]} if q.donor_nace else set()),
        "donor_class": (donor_cls, lambda q: {q.donor_nace} if q.donor_nace else set()),
    }
    for part in NB_PARTS:
        table, feats = all_parts[part]
        _add_nb_part(out, queries, table, feats, classes, alpha)
    out += prior
    out -= out.max(axis=1, keepdims=True)
    out -= np.log(np.exp(out).sum(axis=1, keepdims=True))
    return out


def _add_nb_part(out: np.ndarray, queries: Sequence[Query],
                 table: dict[str, Counter[str]], feats: Callable[[Query], set[str]],
                 labels: Sequence[str], alpha: float) -> None:
    """Add one naive-Bayes part to ``out[i, k]``: the log of the smoothed P(feature | label k)
    of each feature of query i that ``table`` (feature -> label counts) has seen."""
    tot, n_feat = _nb_totals(table)
    denom = np.array([tot.get(c, 0) + alpha * n_feat for c in labels])
    terms: dict[str, np.ndarray] = {}  # each feature's log-ratio row, computed once
    for i, q in enumerate(queries):
        for f in sorted(feats(q)):  # a fixed order of addition, whatever the hash seed
            term = terms.get(f)
            if term is None:
                hits = table.get(f)
                if hits is None:
                    continue
                term = terms[f] = np.log(np.array([hits.get(c, 0) + alpha for c in labels])
                                         / denom)
            out[i] += term


def _business_nb(queries: Sequence[Query], candidates: Sequence[Candidate],
                 stats: SectorStatistics, alpha: float | None = None) -> np.ndarray:
    """Naive-Bayes log-score of each candidate's business words given the query's words, EWC
    sub-chapter and donor division (business words as the classes; a candidate scores the mean
    over its words; a word never seen in training, or a candidate without a business, scores
    as an unseen word).  Centred per query (only differences between candidates matter)."""
    nq, nc = len(queries), len(candidates)
    out = np.zeros((nq, nc))
    if nq == 0 or nc == 0:
        return out
    cwords = [business_words(c.business) for c in candidates]
    vocab = sorted({b for ws in cwords for b in ws} | {""})
    vix = {b: k for k, b in enumerate(vocab)}
    n_total = sum(stats.bword_counts.values())
    nv = max(1, len(stats.bword_counts))
    logp = np.log(np.array([stats.bword_counts.get(b, 0) + 1.0 for b in vocab])
                  / (n_total + nv + 1.0))
    alpha = NB_ALPHA if alpha is None else alpha
    parts = (
        (stats.bword_by_token, lambda q: set(tokenize(q.text))),
        (stats.bword_by_ewc4, lambda q: {q.ewc[:4]} if q.ewc else set()),
        (stats.bword_by_donor_div, lambda q: {q.donor_nace[:2]} if q.donor_nace else set()),
    )
    word_scores = np.tile(logp, (nq, 1))
    for table, feats in parts:
        _add_nb_part(word_scores, queries, table, feats, vocab, alpha)
    for j, ws in enumerate(cwords):
        idx = [vix[b] if b in stats.bword_counts else vix[""] for b in ws] or [vix[""]]
        out[:, j] = word_scores[:, idx].mean(axis=1)
    out -= out.mean(axis=1, keepdims=True)
    return out


def _receiver_share(candidates: Sequence[Candidate], stats: SectorStatistics,
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate: log of (times received + 1) / (times given + 1) in training, for its NACE
    class and (mean over its business words; 0 without a business) for its business."""
    cls = np.array([math.log((stats.class_counts.get(c.nace or "", 0) + 1.0)
                             / (stats.donor_class_counts.get(c.nace or "", 0) + 1.0))
                    for c in candidates])
    bus = np.zeros(len(candidates))
    for j, c in enumerate(candidates):
        ws = business_words(c.business)
        if ws:
            bus[j] = float(np.mean([math.log((stats.bword_counts.get(b, 0) + 1.0)
                                             / (stats.donor_bword_counts.get(b, 0) + 1.0))
                                    for b in ws]))
    return cls, bus


def _is_donor(queries: Sequence[Query], candidates: Sequence[Candidate]) -> np.ndarray:
    """1 where the candidate is the donor organisation itself (same NACE class and the same
    business words as the query's ``donor_business``)."""
    out = np.zeros((len(queries), len(candidates)))
    cw = [frozenset(business_words(c.business)) for c in candidates]
    for i, q in enumerate(queries):
        dw = frozenset(business_words(q.donor_business))
        if not dw or not q.donor_nace:
            continue
        out[i] = [float(c.nace == q.donor_nace and w == dw) for c, w in zip(candidates, cw)]
    return out


#: Material classes kept per donor text (with their classifier confidences).
MATERIAL_TOP_K = 3
#: Pseudo-count of the taxonomy-and-popularity prior in ``material_class_fit``.
MATERIAL_ALPHA = 2.0
_MATERIAL_CACHE: dict[tuple[str, str], tuple[tuple[str, float], ...]] = {}
_MATERIAL_CACHE_MAX = 200_000
_CLASSIFIERS: dict[str, Any] = {}


def predict_material_classes(texts: Sequence[str], *, backend: str = "hashing",
                             ) -> list[tuple[tuple[str, float], ...]]:
    """Top :data:`MATERIAL_TOP_K` material classes ``(class id, confidence)`` of each text, by
    :class:`symbioflows.materials.MaterialClassifier` (``backend="sentence"`` uses the sentence
    model, anything else the hashing encoder).  Empty tuples when the text is empty or the
    materials module cannot run (logged once per call).

    Examples
    --------
    >>> predict_material_classes(["fly ash from a coal boiler"])[0][0][0]
    'coal_fly_ash'
    """
    mb = "sentence" if backend == "sentence" else "hashing"
    texts = ["" if t is None else str(t) for t in texts]
    todo = sorted({t for t in texts if t.strip() and (mb, t) not in _MATERIAL_CACHE})
    if todo:
        try:
            clf = _CLASSIFIERS.get(mb)
            if clf is None:
                from symbioflows.materials import MaterialClassifier
                from symbioflows.materials.encoder import MaterialEncoder

                clf = _CLASSIFIERS[mb] = MaterialClassifier(MaterialEncoder(backend=mb))
            # ranks and confidences of predict(), without its per-text objects
            top, conf = clf.top_classes(todo, k=MATERIAL_TOP_K)
        except ImportError as exc:
            log.warning("material classifier unavailable (%s); taxonomy features are 0", exc)
            return [() for _ in texts]
        if len(_MATERIAL_CACHE) + len(todo) > _MATERIAL_CACHE_MAX:
            _MATERIAL_CACHE.clear()
        class_ids = [str(c.id) for c in clf.taxonomy.classes]
        for t, row, p in zip(todo, top.tolist(), conf.tolist()):
            _MATERIAL_CACHE[(mb, t)] = tuple((class_ids[j], float(q)) for j, q in zip(row, p))
    return [_MATERIAL_CACHE.get((mb, t), ()) for t in texts]


@lru_cache(maxsize=1)
def _taxonomy_users() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Material class id -> (NACE classes, NACE divisions) that use it (``used_by_nace``)."""
    try:
        from symbioflows.materials import material_classes
    except ImportError:  # pragma: no cover - part of the package
        return {}
    out = {}
    for c in material_classes():
        cls4 = {"".join(ch for ch in str(n) if ch.isdigit())[:4] for n in c.used_by_nace}
        cls4 = {x for x in cls4 if len(x) == 4}
        out[c.id] = (frozenset(cls4), frozenset(x[:2] for x in cls4))
    return out


@lru_cache(maxsize=4096)
def _ewc_material_classes(ewc6: str) -> tuple[str, ...]:
    try:
        from symbioflows.materials import classes_for_ewc

        return tuple(c.id for c in classes_for_ewc(ewc6))
    except (ImportError, InvalidInputError):
        return ()


def _taxonomy_features(queries: Sequence[Query], candidates: Sequence[Candidate],
                       stats: SectorStatistics,
                       materials: Sequence[Sequence[tuple[str, float]]],
                       ) -> npt.NDArray[np.float64]:
    """(n_queries, n_candidates, 4): taxonomy_use, taxonomy_use_division, taxonomy_ewc,
    material_class_fit."""
    nq, nc = len(queries), len(candidates)
    out = np.zeros((nq, nc, 4))
    users = _taxonomy_users()
    classes = [c.nace or "" for c in candidates]
    _pdiv, pclass = stats.priors()
    base = np.array([pclass.get(c, pclass[""]) for c in classes])
    base = base / base.sum()
    rows: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    ewc_rows: dict[str, np.ndarray] = {}

    def row(mid: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if mid not in rows:
            cls4, divs = users.get(mid, (frozenset(), frozenset()))
            inc = np.array([c in cls4 for c in classes], dtype=np.float64)
            ind = np.array([(c not in cls4) and c[:2] in divs for c in classes],
                           dtype=np.float64)
            tp = np.where(inc > 0, 1.0, np.where(ind > 0, 0.2, 0.02))
            prior = 0.5 * tp / tp.sum() + 0.5 * base
            counts = stats.by_material_class.get(mid)
            cnt = np.array([counts.get(c, 0) for c in classes], dtype=np.float64) if counts \
                else np.zeros(nc)
            fit = np.log((cnt + MATERIAL_ALPHA * prior) / (cnt.sum() + MATERIAL_ALPHA))
            rows[mid] = (inc, ind, fit)
        return rows[mid]

    for i, q in enumerate(queries):
        for mid, conf in materials[i]:
            inc, ind, fit = row(mid)
            out[i, :, 0] += conf * inc
            out[i, :, 1] += conf * ind
            out[i, :, 3] += conf * fit
        if q.ewc:
            if q.ewc not in ewc_rows:
                e = np.zeros(nc)
                for mid in _ewc_material_classes(q.ewc):
                    e = np.maximum(e, row(mid)[0])
                ewc_rows[q.ewc] = e
            out[i, :, 2] = ewc_rows[q.ewc]
    return out


def pair_features(
    queries: Sequence[Query],
    candidates: Sequence[Candidate],
    stats: SectorStatistics,
    *,
    q_emb: np.ndarray | None = None,
    c_emb: np.ndarray | None = None,
    bm25: np.ndarray | None = None,
    needed: frozenset[str] | None = None,
    materials: Sequence[Sequence[tuple[str, float]]] | None = None,
) -> npt.NDArray[np.float64]:
    """Feature tensor of shape (n_queries, n_candidates, len(FEATURES)).

    ``needed``: compute only these features (the others stay 0), e.g. those with a
    non-zero weight.  ``q_emb`` / ``c_emb``: normalised text embeddings, required for the
    embedding features.  ``materials``: each query's predicted material classes
    (:func:`predict_material_classes`); without them the taxonomy features stay 0."""
    nq, nc = len(queries), len(candidates)
    x = np.zeros((nq, nc, len(FEATURES)))
    if nq == 0 or nc == 0:
        return x
    if materials is not None and len(materials) != nq:
        raise InvalidInputError(f"materials has {len(materials)} entries for {nq} queries")
    want = frozenset(FEATURES) if needed is None else needed
    ix = {f: k for k, f in enumerate(FEATURES)}
    if "naive_bayes" in want:
        x[:, :, ix["naive_bayes"]] = _naive_bayes(queries, candidates, stats)
    if materials is not None and want & set(TAXONOMY_FEATURES):
        t = _taxonomy_features(queries, candidates, stats, materials)
        for k, f in enumerate(("taxonomy_use", "taxonomy_use_division", "taxonomy_ewc",
                               "material_class_fit")):
            x[:, :, ix[f]] = t[:, :, k]
    if "business_nb" in want:
        x[:, :, ix["business_nb"]] = _business_nb(queries, candidates, stats)
    if "is_donor" in want:
        x[:, :, ix["is_donor"]] = _is_donor(queries, candidates)
    if want & {"receiver_share_class", "receiver_share_business"}:
        rc, rb_ = _receiver_share(candidates, stats)
        if "receiver_share_class" in want:
            x[:, :, ix["receiver_share_class"]] = rc[None, :]
        if "receiver_share_business" in want:
            x[:, :, ix["receiver_share_business"]] = rb_[None, :]
    if "same_class" in want:
        for i, q in enumerate(queries):
            if q.donor_nace:
                x[i, :, ix["same_class"]] = [float(c.nace == q.donor_nace) for c in candidates]
    rest = set(FEATURES) - {"naive_bayes", "same_class", "receiver_share_class"} \
        - set(TAXONOMY_FEATURES) - set(BUSINESS_FEATURES)
    if not want & rest:
        return x
    if want & _EMBEDDING_FEATURES:
        if q_emb is None or c_emb is None:
            raise InvalidInputError("q_emb and c_emb are required for the embedding features")
        x[:, :, 0] = q_emb @ c_emb.T
    if "bm25" in want:
        x[:, :, 1] = _bm25_matrix([q.text for q in queries], [c.text for c in candidates]) \
            if bm25 is None else bm25
    pdiv, pclass = stats.priors()
    cdiv = [nace_division(c.nace) for c in candidates]
    if q_emb is not None and want & _EMBEDDING_FEATURES:
        cent = np.zeros((nc, q_emb.shape[1]), dtype=np.float32)
        for j, d in enumerate(cdiv):
            v = stats.centroids.get(d or "")
            if v is not None and len(v) == q_emb.shape[1]:
                cent[j] = v
        x[:, :, 9] = q_emb @ cent.T
        ccent = np.zeros((nc, q_emb.shape[1]), dtype=np.float32)
        for j, c in enumerate(candidates):
            v = stats.class_centroids.get(c.nace or "")
            if v is not None and len(v) == q_emb.shape[1]:
                ccent[j] = v
        x[:, :, 12] = q_emb @ ccent.T
    for j, c in enumerate(candidates):
        d = cdiv[j]
        x[:, j, 6] = math.log(pdiv.get(d or "", pdiv[""]))
        x[:, j, 7] = math.log(pclass.get(c.nace or "", pclass[""]))
    for i, q in enumerate(queries):
        toks = [t for t in sorted(set(tokenize(q.text))) if t in stats.by_token]
        ddiv = nace_division(q.donor_nace)
        for j, c in enumerate(candidates):
            d = cdiv[j]
            if q.ewc:
                for tab, key in ((stats.by_ewc6, q.ewc), (stats.by_ewc4, q.ewc[:4]),
                                 (stats.by_ewc2, q.ewc[:2])):
                    if key in tab:
                        x[i, j, 2] = _lift(tab, key, d, pdiv)
                        break
            x[i, j, 3] = _lift(stats.by_donor_div, ddiv, d, pdiv)
            x[i, j, 4] = _lift(stats.by_donor_class, q.donor_nace, c.nace, pclass)
            if toks:
                x[i, j, 5] = float(np.mean([_lift(stats.by_token, t, d, pdiv) for t in toks]))
                x[i, j, 11] = float(np.mean([_lift(stats.by_token_class, t, c.nace, pclass)
                                             for t in toks]))
            if q.ewc:
                for tab, key in ((stats.by_ewc6_class, q.ewc), (stats.by_ewc4_class, q.ewc[:4])):
                    if key in tab:
                        x[i, j, 10] = _lift(tab, key, c.nace, pclass)
                        break
            x[i, j, 8] = 1.0 if (ddiv is not None and ddiv == d) else 0.0
    return x


def _fit_conditional_logit(blocks: Sequence[np.ndarray], rels: Sequence[int], *,
                           l2: float) -> tuple[np.ndarray, float]:
    """Listwise logistic (conditional logit) model: for each ranking problem the true
    candidate's probability is the softmax of ``x @ w`` over the candidates; maximise the
    log-likelihood with an L2 penalty on standardised features (L-BFGS).  Returns raw-scale
    weights and an intercept (irrelevant to ranking, kept 0)."""
    from scipy.optimize import minimize

    allx = np.concatenate(blocks)
    mu = allx.mean(axis=0)
    sd = allx.std(axis=0)
    sd[sd == 0] = 1.0
    zs = [(b - mu) / sd for b in blocks]
    lens = np.array([z.shape[0] for z in zs])
    z_all = np.concatenate(zs)
    offs = np.r_[0, np.cumsum(lens)]
    pos = np.array([offs[i] + r for i, r in enumerate(rels)])
    seg = np.repeat(np.arange(len(zs)), lens)
    n = len(zs)

    def fun(w: np.ndarray) -> tuple[float, np.ndarray]:
        s_ = z_all @ w
        m = np.maximum.reduceat(s_, offs[:-1])
        e = np.exp(s_ - m[seg])
        tot = np.add.reduceat(e, offs[:-1])
        lse = m + np.log(tot)
        loss = float(lse.sum() - s_[pos].sum()) / n + 0.5 * l2 * float(w @ w) / n
        p = e / tot[seg]
        grad = (p @ z_all - z_all[pos].sum(axis=0)) / n + l2 * w / n
        return loss, grad

    res = minimize(fun, np.zeros(z_all.shape[1]), jac=True, method="L-BFGS-B",
                   options={"maxiter": 500})
    w = res.x / sd
    return w, 0.0


_TAX_CORE = ("naive_bayes", "taxonomy_use", "taxonomy_use_division", "taxonomy_ewc",
             "same_class")

#: Feature sets compared by grouped cross-validation inside :meth:`ReceiverScorer.fit`
#: (small, nested sets: with a few hundred training exchanges, more features overfit).
CANDIDATE_SUBSETS: tuple[tuple[str, ...], ...] = (
    ("naive_bayes",),
    ("naive_bayes", "lift_ewc", "text_similarity"),
    _TAX_CORE,
    _TAX_CORE + BUSINESS_FEATURES,
    _TAX_CORE + BUSINESS_FEATURES + ("receiver_share_class",),
    _TAX_CORE + BUSINESS_FEATURES + ("receiver_share_class", "text_similarity"),
    _TAX_CORE + ("material_class_fit",),
    _TAX_CORE + ("material_class_fit",) + BUSINESS_FEATURES,
    _TAX_CORE + ("material_class_fit", "receiver_share_class") + BUSINESS_FEATURES,
    _TAX_CORE + ("material_class_fit", "log_pop_class", "lift_donor_class",
                 "class_centroid_similarity"),
    FEATURES,
)

#: Inverse L2 strengths compared by the same grouped cross-validation.
C_GRID: tuple[float, ...] = (0.01, 0.1, 1.0)

#: MRR margin within which the smaller feature set is preferred.
SELECTION_TOLERANCE = 0.01


def _mrr(blocks: Sequence[np.ndarray], rels: Sequence[int], w: np.ndarray) -> float:
    rr = []
    for b, r in zip(blocks, rels):
        sc = b @ w
        higher = float(np.sum(sc > sc[r]))
        ties = float(np.sum(sc == sc[r]))
        rr.append(float(np.mean(1.0 / np.arange(higher + 1, higher + ties + 1))))
    return float(np.mean(rr)) if rr else 0.0


def _select_subset(blocks: Sequence[np.ndarray], rels: Sequence[int], fold: np.ndarray, *,
                   subsets: Sequence[tuple[str, ...]], c_grid: Sequence[float],
                   ) -> tuple[tuple[str, ...], float, list[dict[str, Any]]]:
    """Choose the feature set and the regularisation by grouped cross-validation over the
    inner folds (``fold``: the inner fold of each ranking problem; no case spans two folds).

    For each set the best ``C`` of ``c_grid`` is kept; then the smallest set whose MRR is
    within :data:`SELECTION_TOLERANCE` of the best (a one-standard-error style rule: with a
    few hundred exchanges, the differences between sets are mostly noise, and the simpler set
    transfers better to unseen parks).  Returns the set, its ``C`` and the table of results."""
    folds = np.unique(fold)
    if folds.size < 2:
        return tuple(subsets[0]), float(c_grid[-1]), []
    table: list[dict[str, Any]] = []
    best_c: list[float] = []
    best_m: list[float] = []
    for subset in subsets:
        use = [FEATURES.index(f) for f in subset]
        per_c = []
        for c in c_grid:
            scores = []
            for f in folds:
                tr = np.flatnonzero(fold != f).tolist()
                te = np.flatnonzero(fold == f).tolist()
                w, _ = _fit_conditional_logit([blocks[k][:, use] for k in tr],
                                              [rels[k] for k in tr], l2=1.0 / c)
                scores.append(_mrr([blocks[k][:, use] for k in te], [rels[k] for k in te], w))
            m = float(np.mean(scores))
            table.append({"features": list(subset), "C": float(c), "cv_mrr": m})
            log.debug("feature subset %s C=%g: grouped CV MRR %.4f", subset, c, m)
            per_c.append(m)
        k = int(np.argmax(per_c))
        best_c.append(float(c_grid[k]))
        best_m.append(per_c[k])
    top = max(best_m)
    for subset, c, m in zip(subsets, best_c, best_m):
        if m >= top - SELECTION_TOLERANCE:
            return tuple(subset), c, table
    return tuple(subsets[-1]), best_c[-1], table  # pragma: no cover - the loop returns


class ReceiverScorer:
    """Linear receiver scorer: ``score = intercept + sum_f weight_f * feature_f``.

    Parameters
    ----------
    C : float
        Inverse regularisation strength of the listwise logistic model when ``C_grid`` is
        ``None`` or a feature subset is fixed.
    embed_backend : {"auto", "sentence", "hashing"}
        Text embedding used by ``text_similarity`` and ``centroid_similarity`` (and the
        material classifier behind the taxonomy features: sentence model or hashing).
    inner_folds : int
        Grouped folds used to compute out-of-fold features for fitting, and to choose the
        feature set and ``C``.
    feature_subset : sequence of str, optional
        Fix the features instead of choosing them among :data:`CANDIDATE_SUBSETS`.
    use_taxonomy : bool
        Allow the features that use the materials taxonomy (:data:`TAXONOMY_FEATURES`);
        ``False`` gives a model learned from the exchange statistics and texts alone.
    C_grid : sequence of float, optional
        Inverse regularisation strengths compared by grouped cross-validation
        (default :data:`C_GRID`); ``None`` uses ``C``.

    Attributes
    ----------
    weights_ : dict[str, float]
        Learned weight per feature (on raw feature scale).
    stats_ : SectorStatistics
        Counts from all the training exchanges (used at prediction time).

    Examples
    --------
    >>> s = ReceiverScorer.untrained()
    >>> sorted(s.weights_)[:2]
    ['bm25', 'business_nb']
    """

    def __init__(self, *, C: float = 1.0, embed_backend: str = "auto", inner_folds: int = 4,
                 feature_subset: Sequence[str] | None = None, use_taxonomy: bool = True,
                 C_grid: Sequence[float] | None = C_GRID):
        self.C = C
        self.embed_backend = embed_backend
        self.inner_folds = inner_folds
        self.use_taxonomy = bool(use_taxonomy)
        self.C_grid = tuple(float(c) for c in C_grid) if C_grid is not None else None
        if self.C_grid is not None and (not self.C_grid or min(self.C_grid) <= 0):
            raise InvalidInputError(f"C_grid={C_grid!r}: give one or more positive numbers")
        if not C > 0:
            raise InvalidInputError(f"C={C!r} must be positive")
        self.feature_subset = tuple(feature_subset) if feature_subset is not None else None
        if self.feature_subset is not None:
            bad = [f for f in self.feature_subset if f not in FEATURES]
            if bad:
                raise InvalidInputError(f"unknown features {bad}; choose from {FEATURES}")
            if not self.use_taxonomy and set(self.feature_subset) & set(TAXONOMY_FEATURES):
                raise InvalidInputError(
                    "feature_subset names taxonomy features but use_taxonomy=False; drop "
                    f"{sorted(set(self.feature_subset) & set(TAXONOMY_FEATURES))}")

    def candidate_subsets(self) -> tuple[tuple[str, ...], ...]:
        """The feature sets that :meth:`fit` compares (without the taxonomy features when
        ``use_taxonomy=False``; duplicates removed, order kept)."""
        if self.feature_subset is not None:
            return (self.feature_subset,)
        out: list[tuple[str, ...]] = []
        for sub in CANDIDATE_SUBSETS:
            if not self.use_taxonomy:
                sub = tuple(f for f in sub if f not in TAXONOMY_FEATURES)
            if sub and sub not in out:
                out.append(sub)
        return tuple(out)

    @classmethod
    def untrained(cls, *, embed_backend: str = "auto",
                  stats: SectorStatistics | None = None) -> ReceiverScorer:
        """The hand-set blend :data:`DEFAULT_BLEND` (with optional statistics)."""
        s = cls(embed_backend=embed_backend)
        s.weights_ = dict(DEFAULT_BLEND)
        s.intercept_ = 0.0
        s.stats_ = stats if stats is not None else SectorStatistics()
        s.trained_ = False
        return s

    def fit(
        self,
        queries: Sequence[Query],
        receivers: Sequence[str | None],
        groups: Sequence[Any],
        pools: Sequence[tuple[Sequence[Candidate], Sequence[tuple[int, int]]]],
        *,
        receiver_business: Sequence[str | None] | None = None,
    ) -> ReceiverScorer:
        """Fit on known exchanges.

        Parameters
        ----------
        queries : sequence of Query
            Donor sides of the training exchanges.
        receivers : sequence of str or None
            Receiver NACE class (four digits) of each exchange: the statistics count these.
        groups : sequence
            Case (park) of each exchange; the inner folds that produce out-of-fold features
            never split a case.
        pools : sequence of (candidates, (query_index, relevant_index) pairs)
            Ranking problems to learn from: each pool is a candidate list and the queries ranked
            against it with the index of their true receiver.
        receiver_business : sequence of str or None, optional
            Business description of each exchange's receiver, counted for
            :data:`BUSINESS_FEATURES` (without it those features carry no training counts).

        Returns
        -------
        self
        """
        from symbioflows._optional import import_optional

        ms = import_optional("sklearn.model_selection", "learn", purpose="grouped folds")
        if not (len(queries) == len(receivers) == len(groups)):
            raise InvalidInputError("queries, receivers and groups must have the same length")
        if len(queries) == 0:
            raise InvalidInputError("cannot fit on zero exchanges")
        if receiver_business is not None and len(receiver_business) != len(queries):
            raise InvalidInputError(
                f"receiver_business has {len(receiver_business)} entries for {len(queries)} "
                "queries; pass one business description (or None) per exchange")
        rb = list(receiver_business) if receiver_business is not None else None
        groups_arr = np.asarray([str(g) for g in groups])
        n_groups = len(set(groups_arr))
        q_emb, backend = embed_texts([q.text for q in queries], backend=self.embed_backend)
        materials = predict_material_classes([q.text for q in queries], backend=backend) \
            if self.use_taxonomy else None
        folds = ms.GroupKFold(n_splits=min(self.inner_folds, n_groups)) if n_groups > 1 else None
        splits = list(folds.split(np.zeros(len(queries)), groups=groups_arr)) if folds else \
            [(np.arange(len(queries)), np.arange(len(queries)))]
        fold_of = np.zeros(len(queries), dtype=np.int64)
        stats_by_fold = []
        for f, (tr, te) in enumerate(splits):
            fold_of[te] = f
            stats_by_fold.append(SectorStatistics.from_pairs(
                [queries[int(k)] for k in tr], [receivers[int(k)] for k in tr], q_emb[tr],
                backend, [materials[int(k)] for k in tr] if materials is not None else None,
                [rb[int(k)] for k in tr] if rb is not None else None))
        blocks: list[np.ndarray] = []
        rels: list[int] = []
        block_fold: list[int] = []
        for cands, items in pools:
            if not items or not cands:
                continue
            c_emb, _ = embed_texts([c.text for c in cands], backend=backend)
            qi = np.array([a for a, _ in items])
            rel = np.array([b for _, b in items])
            bm = _bm25_matrix([queries[k].text for k in qi], [c.text for c in cands])
            for f in np.unique(fold_of[qi]):
                sel = np.flatnonzero(fold_of[qi] == f)
                x = pair_features([queries[k] for k in qi[sel]], cands, stats_by_fold[f],
                                  q_emb=q_emb[qi[sel]], c_emb=c_emb, bm25=bm[sel],
                                  materials=[materials[k] for k in qi[sel]]
                                  if materials is not None else None)
                blocks.extend(x)
                rels.extend(int(r) for r in rel[sel])
                block_fold.extend([int(f)] * sel.size)
        if not blocks:
            raise InvalidInputError("no ranking problems to learn from (empty pools)")
        subsets = self.candidate_subsets()
        c_grid = self.C_grid if self.C_grid is not None else (self.C,)
        table: list[dict[str, Any]]
        if len(subsets) == 1 and len(c_grid) == 1:
            subset, c_sel, table = subsets[0], float(c_grid[0]), []
        else:
            subset, c_sel, table = _select_subset(blocks, rels, np.asarray(block_fold),
                                                  subsets=subsets, c_grid=c_grid)
        self.selected_features_ = tuple(subset)
        self.selected_C_ = c_sel
        self.selection_ = table
        use = [FEATURES.index(f) for f in subset]
        w_sub, b = _fit_conditional_logit([blk[:, use] for blk in blocks], rels, l2=1.0 / c_sel)
        w = np.zeros(len(FEATURES))
        w[use] = w_sub
        self.weights_ = {f: float(v) for f, v in zip(FEATURES, w)}
        self.intercept_ = float(b)
        self.stats_ = SectorStatistics.from_pairs(list(queries), list(receivers), q_emb, backend,
                                                  materials, rb)
        self.embed_backend = backend
        self.trained_ = True
        return self

    def _check(self) -> None:
        if not hasattr(self, "weights_"):
            raise NotFittedError("ReceiverScorer is not fitted; call fit() or load()")

    def features(self, queries: Sequence[Query], candidates: Sequence[Candidate],
                 *, only_weighted: bool = False) -> np.ndarray:
        """Feature tensor (n_queries, n_candidates, n_features); with ``only_weighted`` the
        features whose weight is 0 are left at 0 (faster)."""
        self._check()
        needed = frozenset(f for f, w in self.weights_.items() if w != 0) if only_weighted \
            else frozenset(FEATURES)
        backend = self.stats_.embed_backend or self.embed_backend
        q_emb = c_emb = None
        if needed & _EMBEDDING_FEATURES:
            q_emb, backend = embed_texts([q.text for q in queries], backend=backend)
            c_emb, _ = embed_texts([c.text for c in candidates], backend=backend)
        materials = None
        if needed & set(TAXONOMY_FEATURES) and getattr(self, "use_taxonomy", True):
            if backend == "auto":
                backend = "sentence" if embed_texts([""], backend="auto")[1] == "sentence" \
                    else "hashing"
            materials = predict_material_classes([q.text for q in queries], backend=backend)
        return pair_features(queries, candidates, self.stats_, q_emb=q_emb, c_emb=c_emb,
                             needed=needed, materials=materials)

    def score(self, queries: Sequence[Query], candidates: Sequence[Candidate]) -> np.ndarray:
        """Scores (n_queries, n_candidates); higher is better."""
        x = self.features(queries, candidates, only_weighted=True)
        w = np.array([self.weights_[f] for f in FEATURES])
        return np.asarray(x @ w + self.intercept_, dtype=np.float64)

    def explain(self, queries: Sequence[Query], candidates: Sequence[Candidate]) -> np.ndarray:
        """Per-feature contributions ``weight * feature`` (n_queries, n_candidates, n_features)."""
        x = self.features(queries, candidates)
        w = np.array([self.weights_[f] for f in FEATURES])
        return np.asarray(x * w, dtype=np.float64)

    def to_json(self) -> dict[str, Any]:
        self._check()
        return {"format": "symbioflows.ReceiverScorer", "version": FORMAT_VERSION,
                "weights": self.weights_, "intercept": self.intercept_,
                "trained": bool(self.trained_), "C": self.C,
                "stats": self.stats_.to_json()}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ReceiverScorer:
        if d.get("format") != "symbioflows.ReceiverScorer":
            raise FormatVersionError(f"not a ReceiverScorer file (format={d.get('format')!r})")
        if int(d.get("version", -1)) > FORMAT_VERSION:
            raise FormatVersionError(
                f"ReceiverScorer format version {d.get('version')} is newer than the "
                f"supported {FORMAT_VERSION}; upgrade symbioflows")
        missing = set(FEATURES) - set(d["weights"])
        if int(d.get("version", 1)) <= 2:  # version 2 had no business features: weight 0
            missing -= set(BUSINESS_FEATURES) | {"receiver_share_class"}
        if int(d.get("version", 1)) <= 1:  # version 1 had no taxonomy features: weight 0
            missing -= set(TAXONOMY_FEATURES) | {"same_class"}
        if missing:
            raise FormatVersionError(f"ReceiverScorer file lacks weights for {sorted(missing)}")
        s = cls(C=float(d.get("C", 1.0)))
        s.weights_ = {f: float(d["weights"].get(f, 0.0)) for f in FEATURES}
        s.intercept_ = float(d["intercept"])
        s.trained_ = bool(d.get("trained", True))
        s.stats_ = SectorStatistics.from_json(d["stats"])
        s.embed_backend = s.stats_.embed_backend or "auto"
        return s

    def save(self, path: str | Path) -> Path:
        """Write as a versioned artefact (:func:`symbioflows._persist.save_artifact`): one JSON
        payload of weights and counts, a sha256 in the manifest, no pickle; atomic."""
        from symbioflows._persist import save_artifact

        self._check()
        body = json.dumps(self.to_json(), sort_keys=True).encode("utf-8")
        return save_artifact(path, kind=ARTIFACT_KIND, version=FORMAT_VERSION,
                             meta={"features": list(FEATURES),
                                   "selected": list(getattr(self, "selected_features_", ())),
                                   "C": getattr(self, "selected_C_", self.C)},
                             payloads={"scorer.json": body})

    @classmethod
    def load(cls, path: str | Path) -> ReceiverScorer:
        """Read an artefact written by :meth:`save` (hashes and format version checked)."""
        from symbioflows._persist import decoding, load_artifact

        _meta, payloads = load_artifact(path, kind=ARTIFACT_KIND, max_version=FORMAT_VERSION)
        with decoding(path, "ReceiverScorer artefact"):
            try:
                d = json.loads(payloads["scorer.json"].decode("utf-8"))
            except (KeyError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise FormatVersionError(f"{path}: not a valid scorer artefact ({exc})") from exc
            return cls.from_json(d)

    @classmethod
    def pretrained(cls) -> ReceiverScorer:
        """The scorer shipped with the package: weights and receiver-sector statistics learned
        from the MAESTRI exchanges database (425 documented exchanges, 43 cases; the rows
        themselves are not shipped), hashing text embeddings.  Rebuilt by
        ``tools/train_receiver_scorer.py``.

        Examples
        --------
        >>> s = ReceiverScorer.pretrained()
        >>> s.trained_, len(s.stats_.class_counts) > 50
        (True, True)
        """
        return _pretrained()

    def __repr__(self) -> str:
        state = "trained" if getattr(self, "trained_", False) else "untrained"
        return f"ReceiverScorer({state}, backend={self.embed_backend!r})"


@lru_cache(maxsize=1)
def _pretrained() -> ReceiverScorer:
    return ReceiverScorer.load(PRETRAINED_DIR)
