"""Baseline scorers of (supply stream, demand stream) pairs, sharing one interface:
``fit(featurizer, positives)`` with positives as (2, E) stream positions, then
``score_index(s, r) -> scores``.

- :class:`RandomScorer`: random scores (seeded) — the floor.
- :class:`PopularityScorer`: how often the receiver's NACE division received in training.
- :class:`SameDivisionScorer`: 1 when donor and receiver share a NACE division (the leak
  check of issue 19: on a graph that merges organisations it beat every model).
- :class:`EmbeddingSimilarityScorer`: cosine of the material-text embeddings (no training).
- :class:`CooccurrenceScorer`: class-substitution knowledge learned from training exchanges:
  smoothed log-odds that a supply of this EWC chapter / material class, or from this donor
  division, goes to this receiver division.
- :class:`ClassSubstitutionScorer`: the materials taxonomy's knowledge, no training: the
  supply is mapped to material classes (by its EWC code, else the class whose text is most
  similar) and a receiver scores 1 when its NACE class is among the classes' ``used_by_nace``
  (0.5 for the same division).
- :class:`PairLogisticScorer`: logistic regression on :class:`PairFeaturizer` features with
  sampled negatives.
- :class:`GNNScorer`: a :class:`~symbioflows.learn.LinkPredictor` behind the same interface.

:func:`symbioflows.evaluate.cross_validate_links` evaluates any of them on held-out parks.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from symbioflows._config import check_rng
from symbioflows._optional import import_optional
from symbioflows.learn.features import PairFeaturizer
from symbioflows.learn.split import edge_set, sample_negatives

__all__ = [
    "ClassSubstitutionScorer",
    "CooccurrenceScorer",
    "EmbeddingSimilarityScorer",
    "GNNScorer",
    "PairLogisticScorer",
    "PopularityScorer",
    "RandomScorer",
    "SameDivisionScorer",
]


class RandomScorer:
    name = "random"

    def __init__(self, rng: Any = 0) -> None:
        self.rng = rng

    def fit(self, feat: PairFeaturizer, positives: np.ndarray) -> RandomScorer:
        self.gen_ = check_rng(self.rng)
        return self

    def score_index(self, s: np.ndarray, r: np.ndarray) -> np.ndarray:
        return self.gen_.random(s.size)


class PopularityScorer:
    name = "popularity (receiver sector)"

    def fit(self, feat: PairFeaturizer, positives: np.ndarray) -> PopularityScorer:
        self.feat_ = feat
        self.counts_ = Counter(feat.div_[positives[1]].tolist())
        return self

    def score_index(self, s: np.ndarray, r: np.ndarray) -> np.ndarray:
        d = self.feat_.div_[r]
        return np.array([self.counts_.get(int(v), 0) for v in d], dtype=np.float64)


class SameDivisionScorer:
    """1 when the supplier's and the receiver's companies share a NACE Rev. 2 division."""

    name = "same NACE division"

    def fit(self, feat: PairFeaturizer, positives: np.ndarray) -> SameDivisionScorer:
        self.feat_ = feat
        return self

    def score_index(self, s: np.ndarray, r: np.ndarray) -> np.ndarray:
        ds, dr = self.feat_.div_[s], self.feat_.div_[r]
        return ((ds > 0) & (ds == dr)).astype(np.float64)


class EmbeddingSimilarityScorer:
    name = "embedding similarity"

    def fit(self, feat: PairFeaturizer, positives: np.ndarray) -> EmbeddingSimilarityScorer:
        self.feat_ = feat
        return self

    def score_index(self, s: np.ndarray, r: np.ndarray) -> np.ndarray:
        e = self.feat_.emb_
        return np.einsum("ij,ij->i", e[s], e[r]).astype(np.float64)


class CooccurrenceScorer:
    """Smoothed log-odds of (supply class, receiver division) and (donor division, receiver
    division) from training exchanges, plus the text similarity as a tie-breaker."""

    name = "class/sector co-occurrence"

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def fit(self, feat: PairFeaturizer, positives: np.ndarray) -> CooccurrenceScorer:
        self.feat_ = feat
        s, r = positives
        self.cls_rd_ = Counter(zip(feat.class_[s].tolist(), feat.div_[r].tolist()))
        self.cls_ = Counter(feat.class_[s].tolist())
        self.dd_ = Counter(zip(feat.div_[s].tolist(), feat.div_[r].tolist()))
        self.d_ = Counter(feat.div_[s].tolist())
        self.rd_ = Counter(feat.div_[r].tolist())
        self.n_ = max(1, s.size)
        return self

    def score_index(self, s: np.ndarray, r: np.ndarray) -> np.ndarray:
        f, a = self.feat_, self.alpha
        out = np.empty(s.size)
        n_div = max(1, len(self.rd_))
        for i, (si, ri) in enumerate(zip(s.tolist(), r.tolist())):
            c, rd, sd = f.class_[si], int(f.div_[ri]), int(f.div_[si])
            prior = (self.rd_.get(rd, 0) + a) / (self.n_ + a * n_div)
            p1 = (self.cls_rd_.get((c, rd), 0) + a * prior) / (self.cls_.get(c, 0) + a)
            p2 = (self.dd_.get((sd, rd), 0) + a * prior) / (self.d_.get(sd, 0) + a)
            out[i] = np.log(p1) + np.log(p2)
        return out + 1e-3 * np.einsum("ij,ij->i", f.emb_[s], f.emb_[r])


class PairLogisticScorer:
    """scikit-learn logistic regression on pair features, negatives sampled per positive."""

    name = "logistic regression (pair features)"

    def __init__(self, *, neg_ratio: int = 5, C: float = 1.0, rng: Any = 0) -> None:
        self.neg_ratio = neg_ratio
        self.C = C
        self.rng = rng

    def fit(self, feat: PairFeaturizer, positives: np.ndarray, candidates: np.ndarray | None = None) -> PairLogisticScorer:
        lm = import_optional("sklearn.linear_model", "learn", purpose="PairLogisticScorer")
        gen = check_rng(self.rng)
        self.feat_ = feat
        if candidates is None:
            candidates = np.unique(positives[1])
        neg = sample_negatives(positives, candidates, n_per_positive=self.neg_ratio,
                               known=edge_set(positives), rng=gen)
        x = np.vstack([feat.transform_index(positives[0], positives[1]),
                       feat.transform_index(neg[0], neg[1])])
        y = np.r_[np.ones(positives.shape[1]), np.zeros(neg.shape[1])]
        self.model_ = lm.LogisticRegression(C=self.C, max_iter=2000).fit(x, y)
        return self

    def score_index(self, s: np.ndarray, r: np.ndarray) -> np.ndarray:
        x = self.feat_.transform_index(s, r)
        return self.model_.decision_function(x).astype(np.float64)


class ClassSubstitutionScorer:
    """Taxonomy knowledge: does the receiver's sector use the supply's material class?"""

    name = "class substitution (taxonomy)"

    def fit(self, feat: PairFeaturizer, positives: np.ndarray) -> ClassSubstitutionScorer:
        mat = import_optional("symbioflows.materials", "embed", purpose="the taxonomy baseline")
        classes = mat.material_classes()
        self.feat_ = feat
        texts = [c.text for c in classes]
        cemb = feat.encoder_(texts)
        cn = np.linalg.norm(cemb, axis=1, keepdims=True)
        cemb = np.divide(cemb, cn, out=np.zeros_like(cemb), where=cn > 0)
        ewc = feat.tables_.streams["ewc_code"] if "ewc_code" in feat.tables_.streams.columns else None
        used: list[tuple[set[str], set[int]]] = []
        for c in classes:
            codes = {"".join(ch for ch in str(n) if ch.isdigit())[:4] for n in c.used_by_nace}
            used.append(({x for x in codes if len(x) == 4}, {int(x[:2]) for x in codes if len(x) >= 2}))
        self.used_ = used
        self.supply_classes_: dict[int, list[int]] = {}
        comps = feat.tables_.companies
        nace: dict[str, Any] = (
            dict(zip(comps["company_id"], comps["sector"])) if "sector" in comps.columns else {}
        )
        self.recv_class_ = np.array(
            ["".join(ch for ch in str(nace.get(c, "") or "") if ch.isdigit())[:4] for c in feat.company_], dtype=object
        )
        index = {c.id: i for i, c in enumerate(classes)}
        for i in np.flatnonzero(feat.is_supply_).tolist():
            found: list[int] = []
            if ewc is not None and isinstance(ewc.iloc[i], str) and ewc.iloc[i].strip():
                found = [index[c.id] for c in mat.classes_for_ewc(ewc.iloc[i]) if c.id in index]
            if not found:
                found = [int(np.argmax(cemb @ feat.emb_[i]))]
            self.supply_classes_[i] = found
        return self

    def score_index(self, s: np.ndarray, r: np.ndarray) -> np.ndarray:
        f = self.feat_
        out = np.zeros(s.size)
        for k, (si, ri) in enumerate(zip(s.tolist(), r.tolist())):
            rc = self.recv_class_[ri]
            rd = int(rc[:2]) if len(rc) >= 2 else -1
            best = 0.0
            for c in self.supply_classes_.get(si, []):
                cls4, divs = self.used_[c]
                if rc in cls4:
                    best = 1.0
                    break
                if rd in divs:
                    best = max(best, 0.5)
            out[k] = best
        return out + 1e-3 * np.einsum("ij,ij->i", f.emb_[s], f.emb_[r])


class GNNScorer:
    """Adapter: a :class:`~symbioflows.learn.LinkPredictor` as a fold scorer; ``params`` go to
    its constructor."""

    def __init__(self, name: str = "GNN (hetero GraphSAGE)", **params: Any) -> None:
        self.name = name
        self.params = params

    def fit(self, feat: PairFeaturizer, positives: np.ndarray) -> GNNScorer:
        import pandas as pd

        from symbioflows.learn.gnn import LinkPredictor

        ids = feat.stream_ids_
        ex = pd.DataFrame({"supplier_stream_id": ids[positives[0]],
                           "receiver_stream_id": ids[positives[1]]})
        self.model_ = LinkPredictor(**self.params).fit(feat.tables_, ex)
        self.map_ = self.model_.graph_.stream_index(ids.tolist())
        return self

    def score_index(self, s: np.ndarray, r: np.ndarray) -> np.ndarray:
        return self.model_._score_index(self.map_[s], self.map_[r])
