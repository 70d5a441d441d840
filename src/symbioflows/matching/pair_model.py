"""The pair score's model: weights and bias of ``sigmoid(bias + sum_f w_f x_f)``.

The pair score of the plan is a linear-logistic model over the pair features of
:data:`~symbioflows.matching.features.PAIR_FEATURES`, computed by the native kernel; each
feature's part ``w_f x_f`` is its exact explanation.  A :class:`PairScoreModel` holds the
weights and the bias, where they came from (``name``, ``version``, ``meta``: training data,
folds, metrics) and which weights were learned (``learned``).

Two models exist:

* :data:`HAND_BLEND`: the hand-set weights (:data:`HAND_WEIGHTS`, :data:`HAND_BIAS`), the
  fallback;
* the shipped learned model (``matching/models/pair_scorer``, :func:`shipped_pair_model`),
  fitted by ``tools/train_pair_scorer.py`` with :func:`fit_pair_model` on the documented
  MAESTRI exchanges rebuilt as regions (:mod:`symbioflows.evaluate.end_to_end`).  It is what
  :func:`symbioflows.plan` uses by default; when the artefact is missing or unreadable the plan
  falls back to the hand blend and says so (``plan.options["pair_model"]``).

:func:`fit_pair_model` is a conditional logit (one softmax per supply over its candidate
receivers, positives = documented receivers), L2-regularised, with the regularisation chosen
by cross-validation grouped by park inside the training data.  Only the weights of
``learn`` features are fitted; every other feature enters with its hand weight as a fixed
offset (MAESTRI records no distances, tonnages, qualities, timings or prices, so their weights
cannot be identified from it).  The bias cancels in a per-supply softmax and keeps its hand
value.

A learned model also carries the utility of the *outside alternative* (``outside``, in the
logit's units): "none of these candidates is the partner".  A supply's choice probabilities
(:func:`symbioflows.pipeline.allocation.choice_probabilities`) are a softmax over its usable
candidates *and* that alternative, so a supply whose candidates all score low gives none of
them a high probability.  :func:`fit_outside_utility` estimates it by maximum likelihood from
the training supplies whose documented receiver is among their candidates and those whose
documented receiver is not (the conditional logit's likelihood factors into "the partner is a
candidate" and "which one"; the weights come from the second factor, the outside utility from
the first, given the weights).  Only its difference to the bias is identified, and the bias is
fixed, so the outside utility is learned in the bias's units.  The hand blend has none (its
probabilities are over the candidates alone).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from symbioflows.errors import InvalidInputError
from symbioflows.matching.features import PAIR_FEATURES, check_feature_names

__all__ = ["HAND_WEIGHTS", "HAND_BIAS", "HAND_BLEND", "PairScoreModel", "PAIR_MODEL_DIR",
           "PAIR_MODEL_HASHING_DIR", "PAIR_MODEL_KIND", "shipped_pair_model",
           "resolve_pair_model", "fit_pair_model", "fit_outside_utility",
           "conditional_logit"]

log = logging.getLogger(__name__)

#: Hand-set weights of the pair score (per raw feature unit), the fallback model.
#: ``sector_fit`` is the centred log-score of the receiver's NACE class given the supply, from
#: the receiver scorer learned on the MAESTRI exchanges; the other weights were set by hand
#: before any end-to-end evaluation: a pair with a perfect material, quantity, quality and
#: timing fit at 0 km scores about 0.9; each 100 km costs as much as losing a fifth of the
#: material fit.  ``link_score`` (a link predictor's probability, 0 without one): a certain
#: link counts as much as a perfect material fit.  ``text_fit`` (the cosine of the two
#: streams' texts) has no hand weight: only a learned model gives it one.
#:
#: ``log_distance`` (``ln(1 + road km)``) carries the distance decay: its weight -0.9 makes the
#: odds of an exchange fall as ``(1 + km) ** -0.9``, the mean distance elasticity of the gravity
#: models of trade (Disdier & Head 2008, "The puzzling persistence of the distance effect on
#: bilateral trade", Review of Economics and Statistics 90(1):37-48, a meta-analysis of 1,467
#: estimates; the value is recalled from the paper, and Leamer & Levinsohn 1995 put the usual
#: estimate near 0.6).  Proximity is what industrial symbiosis is known for (Jensen et al.
#: 2011, Resources, Conservation and Recycling 55(7):703-712: the median NISP exchange moved
#: 20.4 miles), but MAESTRI records no distances, so no learned model can set this weight; it
#: was added (2026-12) after the end-to-end evaluation showed that the linear ``distance_km``
#: weight left near and far receivers tied (docs/benchmarks.md).  At 0 km it adds nothing (a
#: perfect pair still scores about 0.9); a perfect pair 5 km apart scores about 0.65, 30 km
#: apart about 0.3, 100 km apart about 0.1: the score ranks partners, it is not a
#: probability that they will trade.
HAND_WEIGHTS: dict[str, float] = {
    "material_fit": 2.0, "quantity_fit_supply": 0.5, "quantity_fit_demand": 0.5,
    "quality_fit": 1.0, "timing_overlap": 1.0, "distance_km": -0.004, "log_distance": -0.9,
    "transport_usd_per_t": 0.0, "surplus_usd_per_t": 0.004, "co2e_avoided_kg_per_t": 0.0005,
    "hazardous": -0.5, "cross_border": -0.3, "sector_fit": 0.3, "link_score": 2.0,
    "text_fit": 0.0,
}
check_feature_names(HAND_WEIGHTS, "HAND_WEIGHTS")
#: Bias of the hand blend's logit.
HAND_BIAS = -2.8

PAIR_MODEL_KIND = "symbioflows.pair_scorer"
PAIR_MODEL_FORMAT = 1
#: Where the shipped learned model lives (a :mod:`symbioflows._persist` artefact), fitted with
#: ``text_fit`` from the sentence model.
PAIR_MODEL_DIR = Path(__file__).resolve().parent / "models" / "pair_scorer"
#: The same design fitted with ``text_fit`` from the hashing encoder: what a plan whose texts the
#: hashing encoder reads (no ``embed`` extra, or above 10,000 distinct texts) scores with, since
#: hashing cosines are on another scale than the sentence model's.
PAIR_MODEL_HASHING_DIR = Path(__file__).resolve().parent / "models" / "pair_scorer_hashing"


@dataclass(frozen=True)
class PairScoreModel:
    """Weights and bias of the pair score, with their provenance.

    Parameters
    ----------
    name : str
        ``"hand_blend"`` or the learned model's name.
    weights : dict
        One weight per pair feature (every name of :data:`PAIR_FEATURES`).
    bias : float
    version : int
    learned : tuple of str
        The features whose weights were fitted (the others keep their hand weights).
    meta : dict
        Provenance: training data, date, commit, folds, metrics.
    outside : float or None
        Utility of the outside alternative ("none of the candidates"), in the logit's units
        (:func:`fit_outside_utility`); None: choice probabilities are over the candidates
        alone.
    """

    name: str
    weights: dict[str, float]
    bias: float
    version: int = PAIR_MODEL_FORMAT
    learned: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict, compare=False)
    outside: float | None = None

    def __post_init__(self) -> None:
        check_feature_names(self.weights, f"pair model {self.name!r} weights")
        bad = {f: v for f, v in self.weights.items() if not np.isfinite(v)}
        if bad or not np.isfinite(self.bias):
            raise InvalidInputError(f"pair model {self.name!r}: weights and bias must be "
                                    f"finite; got {bad or {'bias': self.bias}}")
        if self.outside is not None and not np.isfinite(self.outside):
            raise InvalidInputError(f"pair model {self.name!r}: outside={self.outside!r}; give "
                                    "a finite utility or None (no outside alternative)")

    def vector(self, overrides: dict[str, float] | None = None) -> np.ndarray:
        """The weights in :data:`PAIR_FEATURES` order, with ``overrides`` applied."""
        w = dict(self.weights)
        if overrides:
            w.update({k: float(v) for k, v in overrides.items()})
        return np.array([float(w[f]) for f in PAIR_FEATURES])

    def describe(self) -> dict[str, Any]:
        """What the plan records (``plan.options["pair_model"]``): name, version, weights,
        bias, learned features and the provenance's short form.  :func:`resolve_pair_model`
        reads it back."""
        keys = ("trained_on", "date", "commit", "folds", "metrics", "text_backend")
        prov = {k: self.meta[k] for k in keys if k in self.meta}
        return {"name": self.name, "version": self.version, "bias": float(self.bias),
                "weights": {f: float(self.weights[f]) for f in PAIR_FEATURES},
                "learned": list(self.learned), "provenance": prov,
                "outside": None if self.outside is None else float(self.outside)}

    def save(self, path: str | Path) -> Path:
        """Write as a versioned artefact (JSON payload, sha256, atomic)."""
        from symbioflows._persist import save_artifact

        body = {"name": self.name, "weights": self.weights, "bias": self.bias,
                "learned": list(self.learned), "features": list(PAIR_FEATURES),
                "outside": self.outside}
        return save_artifact(path, kind=PAIR_MODEL_KIND, version=self.version, meta=self.meta,
                             payloads={"model.json": json.dumps(body, indent=1).encode()})

    @classmethod
    def load(cls, path: str | Path) -> PairScoreModel:
        """Read an artefact written by :meth:`save` (kind, format version, hashes and the
        feature names checked against the native table).

        Raises
        ------
        FormatVersionError, UnsafeFileError
            A newer format or a damaged artefact.
        InvalidInputError
            The model names other features than this build's kernel computes.
        """
        from symbioflows._persist import decoding, load_artifact

        meta, payloads = load_artifact(path, kind=PAIR_MODEL_KIND, max_version=PAIR_MODEL_FORMAT)
        with decoding(path, "pair model"):
            body = json.loads(payloads["model.json"].decode("utf-8"))
            weights = {str(k): float(v) for k, v in body["weights"].items()}
            bias = float(body["bias"])
            learned = tuple(str(f) for f in body.get("learned", ()))
            outside = None if body.get("outside") is None else float(body["outside"])
        if list(body.get("features", [])) != list(PAIR_FEATURES):
            raise InvalidInputError(
                f"{path}: the pair model was fitted on features {body.get('features')}, this "
                f"build computes {list(PAIR_FEATURES)}; refit it (tools/train_pair_scorer.py)")
        return cls(str(body["name"]), weights, bias, PAIR_MODEL_FORMAT, learned, dict(meta),
                   outside)


#: The hand-set blend as a model (the fallback).
HAND_BLEND = PairScoreModel("hand_blend", dict(HAND_WEIGHTS), HAND_BIAS, learned=(),
                            meta={"trained_on": "none: weights set by hand"})


@lru_cache(maxsize=2)
def _shipped(text_backend: str = "sentence") -> PairScoreModel | None:
    path = PAIR_MODEL_HASHING_DIR if text_backend == "hashing" else PAIR_MODEL_DIR
    try:
        return PairScoreModel.load(path)
    except Exception as exc:  # the fallback is documented
        log.warning("learned pair model %s unavailable (%s)", path.name, exc)
        return None


def shipped_pair_model(text_backend: str = "sentence") -> PairScoreModel | None:
    """The learned pair model shipped with the package for ``text_backend``'s ``text_fit``
    (``"hashing"``: the variant fitted on hashing cosines; else the sentence model's), falling
    back to the sentence model's; None when neither can be read."""
    return _shipped(text_backend) or (_shipped() if text_backend == "hashing" else None)


def resolve_pair_model(pair_model: Any = None, *, text_backend: str = "sentence") -> PairScoreModel:
    """The model a plan scores with.

    ``None``: the shipped learned model for ``text_backend`` (the encoder of the plan's
    ``text_fit``: :func:`shipped_pair_model`), else the hand blend (fallback);
    ``"hand_blend"``: the hand blend; ``"learned"``: the shipped model (error when missing);
    a :class:`PairScoreModel`; a path to an artefact; or the dict of
    :meth:`PairScoreModel.describe` (as a saved plan records it).
    """
    if pair_model is None:
        return shipped_pair_model(text_backend) or HAND_BLEND
    if isinstance(pair_model, PairScoreModel):
        return pair_model
    if isinstance(pair_model, str) and pair_model == "hand_blend":
        return HAND_BLEND
    if isinstance(pair_model, str) and pair_model == "learned":
        m = shipped_pair_model(text_backend)
        if m is None:
            raise InvalidInputError(f"pair_model='learned': the shipped model ({PAIR_MODEL_DIR}) "
                                    "is missing or unreadable; rebuild it with "
                                    "tools/train_pair_scorer.py or pass pair_model='hand_blend'")
        return m
    if isinstance(pair_model, dict):
        try:
            return PairScoreModel(str(pair_model["name"]),
                                  {str(k): float(v) for k, v in pair_model["weights"].items()},
                                  float(pair_model["bias"]), int(pair_model.get("version", 1)),
                                  tuple(pair_model.get("learned", ())),
                                  dict(pair_model.get("provenance", {})),
                                  None if pair_model.get("outside") is None
                                  else float(pair_model["outside"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInputError(f"pair_model dict: {exc!r}; give name, weights and bias "
                                    "(PairScoreModel.describe())") from None
    if isinstance(pair_model, (str, Path)):
        return PairScoreModel.load(pair_model)
    raise InvalidInputError(
        f"pair_model={pair_model!r}; give None (the shipped learned model), 'hand_blend', "
        "'learned', a PairScoreModel or the path of a saved one")


# -- fitting ---------------------------------------------------------------------------------


def conditional_logit(x: np.ndarray, offset: np.ndarray, group: np.ndarray, y: np.ndarray, *,
                      l2: float, w0: np.ndarray | None = None) -> np.ndarray:
    """Weights ``w`` maximising ``sum_pos log softmax_group(x w + offset) - l2/2 |w|^2``.

    ``group``: integer id of each row's choice set (a supply), rows of a group contiguous or
    not; ``y``: 1 for a chosen row (several per group allowed: each is one observation).
    Complexity: O(rows x features) per L-BFGS iteration.
    """
    from scipy.optimize import minimize

    x = np.asarray(x, np.float64)
    n, k = x.shape
    g = np.asarray(group, np.int64)
    _, g = np.unique(g, return_inverse=True)
    ng = int(g.max()) + 1 if n else 0
    pos = np.asarray(y, np.float64)
    npos = np.bincount(g, weights=pos, minlength=ng)

    def f(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w + offset
        zmax = np.full(ng, -np.inf)
        np.maximum.at(zmax, g, z)
        e = np.exp(z - zmax[g])
        s = np.bincount(g, weights=e, minlength=ng)
        lse = np.log(s) + zmax
        ll = float(pos @ z - npos @ lse)
        p = e / s[g]
        grad = x.T @ pos - x.T @ (p * npos[g])
        return -ll + 0.5 * l2 * float(w @ w), -(grad) + l2 * w

    res = minimize(f, np.zeros(k) if w0 is None else w0, jac=True, method="L-BFGS-B")
    return np.asarray(res.x)


def fit_outside_utility(z: np.ndarray, group: np.ndarray, inside: np.ndarray) -> float | None:
    """Maximum-likelihood utility ``u`` of the outside alternative ("none of the candidates")
    given the candidates' logits ``z`` (``bias + sum_f w_f x_f``) of training supplies.

    ``group``: the supply of each row; ``inside``: per row, whether its supply's documented
    receiver is among its candidates (equal within a group).  A supply ``i`` with candidate
    logits ``z_ij`` picks the outside alternative with probability
    ``e^u / (e^u + sum_j e^z_ij)``; ``u`` maximises the log-likelihood
    ``sum_i [o_i u - log(e^u + Z_i)]`` (``o_i`` = 1 when the documented receiver is no
    candidate), whose derivative ``#outside - sum_i sigmoid(u - log Z_i)`` falls monotonically,
    so the root is found by bisection.  None when no supply, or none on one side (no finite
    maximum).

    Examples
    --------
    >>> u = fit_outside_utility(np.zeros(4), np.array([0, 1, 2, 3]),
    ...                         np.array([True, True, True, False]))
    >>> round(u, 6)  # one candidate each at logit 0: P(outside) = 1/4, so e^u / (e^u + 1) = 1/4
    -1.098612
    """
    z = np.asarray(z, np.float64)
    g = np.asarray(group)
    ins = np.asarray(inside, bool)
    if not (z.size == g.size == ins.size):
        raise InvalidInputError(f"z ({z.size}), group ({g.size}) and inside ({ins.size}) must "
                                "have one entry per candidate row")
    if not z.size:
        return None
    if not np.isfinite(z).all():
        raise InvalidInputError("z: every candidate's logit must be finite")
    codes, gi = np.unique(g, return_inverse=True)
    ng = codes.size
    zmax = np.full(ng, -np.inf)
    np.maximum.at(zmax, gi, z)
    log_z = zmax + np.log(np.bincount(gi, weights=np.exp(z - zmax[gi]), minlength=ng))
    first = np.unique(gi, return_index=True)[1]
    out = ~ins[first]
    n_out = int(out.sum())
    if n_out in (0, ng):
        return None

    def slope(u: float) -> float:
        return n_out - float((1.0 / (1.0 + np.exp(log_z - u))).sum())

    lo, hi = float(log_z.min()) - 50.0, float(log_z.max()) + 50.0
    for _ in range(200):  # slope(lo) > 0 > slope(hi); 200 halvings reach double precision
        mid = 0.5 * (lo + hi)
        if slope(mid) > 0:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return 0.5 * (lo + hi)


def _mrr(x: np.ndarray, offset: np.ndarray, group: np.ndarray, y: np.ndarray,
         w: np.ndarray) -> float:
    """Mean reciprocal rank of the positives (ties counted at their expected rank)."""
    z = x @ w + offset
    out = []
    for gid in np.unique(group[y > 0]):
        m = group == gid
        zg, yg = z[m], y[m]
        for zp in zg[yg > 0]:
            higher = float((zg > zp).sum())
            ties = float((zg == zp).sum()) - 1.0
            out.append(1.0 / (1.0 + higher + ties / 2.0))
    return float(np.mean(out)) if out else 0.0


def fit_pair_model(x: np.ndarray, group: np.ndarray, y: np.ndarray, park: np.ndarray, *,
                   learn: Sequence[str], base: PairScoreModel = HAND_BLEND,
                   l2_grid: Sequence[float] = (0.01, 0.1, 1.0, 10.0), inner_folds: int = 5,
                   name: str = "maestri_conditional_logit", rng: Any = 0,
                   meta: dict[str, Any] | None = None,
                   check: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
                   outside_rows: tuple[np.ndarray, np.ndarray] | None = None
                   ) -> PairScoreModel:
    """Fit the weights of the ``learn`` features by conditional logit; the others keep
    ``base``'s weights (a fixed offset), the bias stays ``base.bias``.

    Parameters
    ----------
    x : array (n_rows, len(PAIR_FEATURES))
        Pair features of every candidate (the kernel's columns).
    group : array of int
        The choice set (supply) of each row.
    y : array of {0, 1}
        1 for a documented receiver.
    park : array
        The park (case) of each row: the inner folds that choose ``l2`` are grouped by it.
    learn : sequence of str
        Features whose weights are fitted.
    l2_grid : sequence of float
        Regularisation strengths tried; the one with the best mean reciprocal rank over the
        inner folds (grouped by park) is refitted on all rows.
    check : (x, group, y, park), optional
        The rows on which each inner fold is scored (default: the training rows themselves):
        for instance the same parks planned among other companies, so that ``l2`` (and a
        design chosen on ``meta["inner_mrr"]``) is chosen where the plan is used.  Inner fold
        ``k`` is fitted on the training rows of the other folds' parks and scored on the
        check rows of its own parks; check rows of a park without training rows are unused.
    outside_rows : (x, group), optional
        The candidates of training supplies whose documented receiver is *not* among their
        candidates (features, supply).  With them, the fitted model's ``outside`` is the
        outside alternative's utility (:func:`fit_outside_utility`, given the fitted weights,
        over these supplies and those of ``x``); without them it stays None.

    Returns
    -------
    PairScoreModel
        ``meta`` records the chosen ``l2``, the inner-fold MRR of each and the row counts.
    """
    x = np.asarray(x, np.float64)
    if x.ndim != 2 or x.shape[1] != len(PAIR_FEATURES):
        raise InvalidInputError(f"x must have one column per pair feature "
                                f"({len(PAIR_FEATURES)}); got shape {x.shape}")
    idx = [PAIR_FEATURES.index(f) for f in learn]
    if not idx:
        raise InvalidInputError("learn: name at least one pair feature to fit")
    fixed = [k for k in range(len(PAIR_FEATURES)) if k not in idx]
    wb = base.vector()
    offset = x[:, fixed] @ wb[fixed]
    xl = x[:, idx]
    scale = np.maximum(xl.std(axis=0), 1e-9)  # fit on standardised columns, report raw units
    xs = xl / scale
    group = np.asarray(group)
    y = np.asarray(y, np.float64)
    park = np.asarray(park).astype(str)
    parks = np.unique(park)
    r = np.random.default_rng(rng)
    perm = r.permutation(parks)
    n_in = max(2, min(inner_folds, parks.size))
    fold_of = {p: k % n_in for k, p in enumerate(perm)}
    pf = np.array([fold_of[p] for p in park])
    if check is None:
        cxs, coff, cgroup, cy, cpf = xs, offset, group, y, pf
    else:
        cx = np.asarray(check[0], np.float64)
        if cx.ndim != 2 or cx.shape[1] != len(PAIR_FEATURES):
            raise InvalidInputError(f"check: x must have one column per pair feature "
                                    f"({len(PAIR_FEATURES)}); got shape {cx.shape}")
        coff, cxs = cx[:, fixed] @ wb[fixed], cx[:, idx] / scale
        cgroup, cy = np.asarray(check[1]), np.asarray(check[2], np.float64)
        cpf = np.array([fold_of.get(p, -1) for p in np.asarray(check[3]).astype(str)], int)
    scores: dict[float, float] = {}
    for l2 in l2_grid:
        vals = []
        for k in range(n_in):
            tr, te = pf != k, cpf == k
            if not (y[tr] > 0).any() or not (cy[te] > 0).any():
                continue
            w = conditional_logit(xs[tr], offset[tr], group[tr], y[tr], l2=l2)
            vals.append(_mrr(cxs[te], coff[te], cgroup[te], cy[te], w))
        scores[float(l2)] = float(np.mean(vals)) if vals else 0.0
    best = max(scores, key=lambda v: (scores[v], v))  # ties: the stronger regularisation
    w = conditional_logit(xs, offset, group, y, l2=best) / scale
    weights = dict(base.weights)
    for f, k in zip(learn, range(len(idx))):
        weights[f] = float(w[k])
    m = dict(meta or {})
    m.update(l2=best, inner_mrr={str(k): v for k, v in scores.items()},
             n_rows=int(x.shape[0]), n_groups=int(np.unique(group).size),
             n_positives=int((y > 0).sum()), n_parks=int(parks.size),
             inner_scored_on="check rows" if check is not None else "training rows",
             fixed_features={PAIR_FEATURES[k]: float(wb[k]) for k in fixed})
    outside = None
    if outside_rows is not None:
        ox = np.asarray(outside_rows[0], np.float64).reshape(-1, len(PAIR_FEATURES))
        og = np.asarray(outside_rows[1]).astype(str)
        wv = np.array([weights[f] for f in PAIR_FEATURES])
        z = np.concatenate([x @ wv, ox @ wv]) + base.bias
        grp = np.concatenate([np.char.add("in|", group.astype(str)), np.char.add("out|", og)])
        inside = np.concatenate([np.ones(len(x), bool), np.zeros(len(ox), bool)])
        outside = fit_outside_utility(z, grp, inside)
        n_out = int(np.unique(og).size)
        m.update(outside_supplies=n_out,
                 outside_share=round(n_out / max(1, n_out + int(np.unique(group).size)), 4))
    return PairScoreModel(name, weights, base.bias, PAIR_MODEL_FORMAT, tuple(learn), m,
                          outside)
