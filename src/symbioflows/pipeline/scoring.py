"""Stage 3 of the plan: the pair features and score of each candidate, in one native pass.

Input: the supplies and demands of :mod:`~symbioflows.pipeline.prepare` and the candidate
pairs of :mod:`~symbioflows.pipeline.candidates`.  Output: one row per candidate with the
features of :data:`~symbioflows.matching.features.PAIR_FEATURES` (the one
table of pair features, shared with the native kernel) and a score in (0, 1], ``sigmoid(bias + sum_f w_f x_f)``;
``w_f x_f`` is the exact explanation of each feature's part.

The stream-level inputs (:class:`ScoringInputs`: quantities, quality, availability, prices,
transport rates from :func:`symbioflows.logistics.full_load_rates`, sector-fit tables, a
link predictor) are built once in O(streams); each pair's features depend only on the pair
and those tables, so any subset of pairs (a spatial partition's) is scored on its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from symbioflows import _core
from symbioflows._config import resolve_n_jobs
from symbioflows._validation import check_known_keys
from symbioflows.errors import InvalidInputError
from symbioflows.logistics import full_load_rates
from symbioflows.matching.candidates import CandidatePairs
from symbioflows.matching.features import PAIR_FEATURES, check_feature_names, feature_index
from symbioflows.matching.pair_model import HAND_BIAS, HAND_WEIGHTS, PairScoreModel
from symbioflows.pipeline.candidates import MaterialGroups, candidate_stage, merge_index
from symbioflows.pipeline.economics import demand_prices, hazard_flags, supply_alternatives

__all__ = ["PAIR_FEATURES", "DEFAULT_WEIGHTS", "DEFAULT_BIAS", "ScoringInputs",
           "resolve_weights", "scoring_inputs", "score_candidates", "candidate_frame",
           "id_columns", "take", "distributed_scored_candidates", "text_fit_backend",
           "stream_texts"]

log = logging.getLogger(__name__)

#: The hand-set weights of the pair score (:data:`symbioflows.matching.pair_model.HAND_WEIGHTS`),
#: the fallback when the learned model (:func:`~symbioflows.matching.pair_model.shipped_pair_model`)
#: is missing.  ``sector_fit`` is the centred log-score of the receiver's NACE class given the
#: supply, from the receiver scorer learned on the MAESTRI exchanges; ``link_score`` a link
#: predictor's probability (0 without one).
DEFAULT_WEIGHTS: dict[str, float] = dict(HAND_WEIGHTS)
check_feature_names(DEFAULT_WEIGHTS, "DEFAULT_WEIGHTS")
#: Bias of the hand blend's logit.
DEFAULT_BIAS = HAND_BIAS


def take(col: pd.Series, idx: np.ndarray) -> pd.Series:
    """``col`` at positions ``idx`` as a new Series (0..n-1 index) of the same dtype; an Arrow
    string column is gathered natively instead of through one Python string per row."""
    return pd.Series(col.array.take(idx), copy=False)


def take_categorical(col: pd.Series, idx: np.ndarray) -> pd.Categorical:
    """``col`` at positions ``idx`` as a categorical: each distinct value stored once, one
    integer code per row (the candidates table's id columns; at 1M streams, 19.9M candidates,
    the scoring stage's peak fell from 5.42 to 4.80 GiB, docs/benchmarks.md)."""
    codes, uniques = pd.factorize(col)
    return pd.Categorical.from_codes(codes[idx], categories=uniques)


def id_columns(sup: pd.DataFrame, dem: pd.DataFrame,
                cand: CandidatePairs) -> list[tuple[str, pd.DataFrame, str, np.ndarray]]:
    """(column, stream table, its id column, row positions) of the four id columns of the
    candidates and exchanges tables."""
    return [("supply_stream_id", sup, "stream_id", cand.supply),
            ("demand_stream_id", dem, "stream_id", cand.demand),
            ("supply_company_id", sup, "company_id", cand.supply),
            ("demand_company_id", dem, "company_id", cand.demand)]


def _link_scores(model: Any, sup: pd.DataFrame, dem: pd.DataFrame,
                 cand: CandidatePairs) -> np.ndarray | None:
    """``model.predict`` of each candidate pair; 0 for streams the model does not know."""
    if model is None or len(cand) == 0:
        return None
    s_ids = sup["stream_id"].astype(str).to_numpy()
    d_ids = dem["stream_id"].astype(str).to_numpy()
    graph = getattr(model, "graph_", None)
    known = getattr(graph, "node_ids", {}).get("stream") if graph is not None else None
    ok = np.ones(len(cand), dtype=bool)
    if known is not None:  # a fitted LinkPredictor: streams outside its graph score 0
        ks = np.asarray(known).astype(str)
        ok = np.isin(s_ids, ks)[cand.supply] & np.isin(d_ids, ks)[cand.demand]
    out = np.zeros(len(cand))
    if ok.any():
        pairs = pd.DataFrame({"supplier_stream_id": s_ids[cand.supply[ok]],
                              "receiver_stream_id": d_ids[cand.demand[ok]]})
        p = np.asarray(model.predict(pairs), dtype=np.float64)
        if p.shape != (int(ok.sum()),) or not np.all((p >= 0) & (p <= 1)):
            raise InvalidInputError("link_predictor.predict must return one probability in "
                                    f"[0, 1] per pair; got shape {p.shape}")
        out[ok] = p
    if (~ok).any():
        log.info("link_score: %d candidate pairs involve streams the link predictor was not "
                 "fitted on; their link_score is 0", int((~ok).sum()))
    return out


@dataclass
class _SectorTables:
    """Stream-level tables of the ``sector_fit`` feature: the query of each supply, the
    receiver class of each demand (-1: unknown) and the centred score of each (query, class),
    with a last column of zeros that class -1 selects."""

    query_of_supply: np.ndarray
    class_of_demand: np.ndarray
    score: np.ndarray

    def pairs(self, cand: CandidatePairs, block: int = 1 << 20) -> np.ndarray:
        """``sector_fit`` of each candidate pair: gathers by blocks of pairs (no per-pair
        Python work, and the index temporaries stay block-sized)."""
        out = np.empty(len(cand))
        for a in range(0, len(cand), block):
            b = min(a + block, len(cand))
            out[a:b] = self.score[self.query_of_supply[cand.supply[a:b]],
                                  self.class_of_demand[cand.demand[a:b]]]
        return out


def _sector_fit(sup: pd.DataFrame, dem: pd.DataFrame, cand: CandidatePairs,
                receiver_scorer: Any = None) -> np.ndarray:
    """Per pair: how much likelier the receiver's NACE class is than the average class, given
    the supply's material text, EWC code and sector (the pretrained receiver scorer's score,
    centred over all known receiver classes, clipped to [-5, 5]; 0 when a sector is unknown)."""
    if len(cand) == 0:
        return np.zeros(0)
    tables = _sector_tables(sup, dem, receiver_scorer)
    return np.zeros(len(cand)) if tables is None else tables.pairs(cand)


def _sector_tables(sup: pd.DataFrame, dem: pd.DataFrame,
                   receiver_scorer: Any = None) -> _SectorTables | None:
    """The stream-level part of :func:`_sector_fit` (once per region, O(streams)); None when
    the pretrained receiver scorer is unavailable (sector_fit = 0).  ``receiver_scorer``: a
    fitted :class:`~symbioflows.matching.learned.ReceiverScorer` to use instead of the
    pretrained one (the end-to-end evaluation fits one per fold)."""
    from symbioflows.matching.learned import Candidate, Query, ReceiverScorer
    from symbioflows.matching.text import ewc_digits, normalize_nace

    if receiver_scorer is not None:
        scorer = receiver_scorer
    else:
        try:
            scorer = ReceiverScorer.pretrained()
        except Exception as exc:  # pragma: no cover - the artefact ships with the package
            log.warning("pretrained receiver scorer unavailable (%s); sector_fit = 0", exc)
            return None
    try:
        from symbioflows.materials import nace_title

        def title(c: str) -> str:
            try:
                return str(nace_title(f"{c[:2]}.{c[2:]}"))
            except Exception:
                return ""
    except ImportError:  # pragma: no cover
        def title(c: str) -> str:
            return ""
    classes = sorted(scorer.stats_.class_counts)
    cidx = {c: k for k, c in enumerate(classes)}
    pool = [Candidate(title(c), c) for c in classes]
    def per_distinct(col: pd.Series, fn: Callable[[Any], Any]) -> np.ndarray:
        # a function of a column, evaluated once per distinct value (a few hundred sectors
        # and codes among a million streams)
        # (missing values: code -1, mapped from None, as a row-wise call would see them)
        codes, vals = pd.factorize(col.astype(object))
        mapped = np.empty(len(vals) + 1, dtype=object)
        mapped[:] = [fn(v) for v in vals] + [fn(None)]
        return mapped[codes]

    def factorize_keep_none(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        codes, vals = pd.factorize(v)
        return codes, np.array(list(vals) + [None], dtype=object)

    mat_codes, mat_vals = pd.factorize(sup["material"].astype(str))
    ewc_codes, ewc_vals = factorize_keep_none(per_distinct(sup["ewc_code"], ewc_digits))
    sec_codes, sec_vals = factorize_keep_none(per_distinct(sup["sector"], normalize_nace))
    # distinct (material, EWC, sector) queries in order of first appearance
    # (one int64 key per triple, hashed: O(supplies), no sort; factorize numbers the distinct
    # keys in order of first appearance, the k-th first appearance is query k)
    key = ((mat_codes.astype(np.int64) * (len(ewc_vals) + 1) + ewc_codes + 1)
           * (len(sec_vals) + 1) + sec_codes + 1)
    q_of_supply, _ = pd.factorize(key)
    first = np.flatnonzero(~pd.Series(key).duplicated().to_numpy())
    queries = [Query(str(mat_vals[mat_codes[k]]), ewc_vals[ewc_codes[k]],
                     sec_vals[sec_codes[k]]) for k in first]
    d_cls = per_distinct(dem["sector"], lambda x: cidx.get(normalize_nace(x) or "", -1))
    d_cls = d_cls.astype(np.int64)
    if (d_cls >= 0).any():
        sc = scorer.score(queries, pool)
        sc = np.clip(sc - sc.mean(axis=1, keepdims=True), -5.0, 5.0)
    else:  # no receiver has a known sector: every pair's sector_fit is 0, nothing to score
        sc = np.zeros((len(queries), len(classes)))
    # class -1 (unknown) selects the appended column of zeros
    sc = np.concatenate([sc, np.zeros((sc.shape[0], 1))], axis=1)
    return _SectorTables(q_of_supply.astype(np.int64), d_cls, np.ascontiguousarray(sc))


def resolve_weights(weights: dict[str, float] | None,
                    model: PairScoreModel | None = None) -> np.ndarray:
    """The pair-score weights in :data:`PAIR_FEATURES` order: ``model``'s (default the hand
    blend, :data:`DEFAULT_WEIGHTS`) updated with ``weights``."""
    w = dict(DEFAULT_WEIGHTS if model is None else model.weights)
    if weights:
        check_known_keys(weights, PAIR_FEATURES, "weights", "features")
        w.update(weights)
    out = np.array([float(w[f]) for f in PAIR_FEATURES])
    if not np.all(np.isfinite(out)):
        raise InvalidInputError(f"weights must be finite numbers; got {weights}")
    return out


@dataclass
class _TextRows:
    """Stream-level tables of the ``text_fit`` feature: one unit row per distinct text
    (float32) and the row of each supply and each demand (-1: no text)."""

    rows: np.ndarray
    supply: np.ndarray
    demand: np.ndarray
    backend: str


def stream_texts(sup: pd.DataFrame, dem: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    """Each stream's text (supplies, then demands) as a code into the distinct texts: the
    planner counts them once and passes them to :func:`text_fit_backend` and
    :func:`scoring_inputs` (one ``pd.factorize``, about 0.25 s at 1M streams)."""
    texts = pd.concat([sup["material"], dem["material"]], ignore_index=True)
    texts = texts.astype(object).where(texts.notna(), "").astype(str).str.strip()
    return pd.factorize(texts)


def text_fit_backend(sup: pd.DataFrame, dem: pd.DataFrame, backend: str = "auto", *,
                     texts: tuple[np.ndarray, pd.Index] | None = None) -> str:
    """The encoder of ``text_fit``: ``backend`` when it names one, else what ``"auto"`` picks
    for the streams' distinct texts (as classification does: the sentence model up to 2,000
    texts when installed, the hashing encoder above).  The plan's pair model is chosen to match
    (:func:`~symbioflows.matching.pair_model.resolve_pair_model`)."""
    from symbioflows.materials.infer import resolve_text_backend

    if backend != "auto":
        return resolve_text_backend(backend, 0)
    _codes, distinct = texts if texts is not None else stream_texts(sup, dem)
    return resolve_text_backend("auto", int((np.asarray(distinct, dtype=object) != "").sum()))


def _text_rows(sup: pd.DataFrame, dem: pd.DataFrame, backend: str = "auto", *,
               texts: tuple[np.ndarray, pd.Index] | None = None) -> _TextRows | None:
    """Embed each distinct stream text once (``backend``: the encoder of
    :func:`text_fit_backend`; ``texts``: :func:`stream_texts` when already counted); None when
    no stream has a text (every pair's ``text_fit`` is 0)."""
    from symbioflows.materials.encoder import embed_texts
    from symbioflows.materials.infer import resolve_text_backend

    codes, distinct = texts if texts is not None else stream_texts(sup, dem)
    uniq = np.asarray(distinct, dtype=object)
    empty = np.flatnonzero(uniq == "")
    if len(uniq) == len(empty):
        return None
    row = codes.astype(np.int64)
    if empty.size:  # the empty text: row -1, later rows one down
        e = int(empty[0])
        row = np.where(row == e, -1, np.where(row > e, row - 1, row))
        uniq = np.delete(uniq, e)
    be = resolve_text_backend(backend, len(uniq))
    emb, used = embed_texts(list(uniq), backend=be)
    rows = np.ascontiguousarray(emb, dtype=np.float32)
    log.info("text_fit: %d distinct stream texts embedded (%s backend)", len(uniq), used)
    return _TextRows(rows, row[: len(sup)].copy(), row[len(sup):].copy(), str(used))


@dataclass
class ScoringInputs:
    """Stream-level inputs of the scoring stage, built once by the driver in O(streams); any
    subset of candidate pairs (a spatial partition's) is scored with them, and each pair's
    features and score depend only on the pair and these tables, so scoring partitions
    separately equals scoring all pairs at once."""

    sa: dict[str, np.ndarray]
    da: dict[str, np.ndarray]
    circuity: float
    weights: np.ndarray
    sector: _SectorTables | None
    link_predictor: Any = None
    bias: float = DEFAULT_BIAS
    text: _TextRows | None = None


def scoring_inputs(sup: pd.DataFrame, dem: pd.DataFrame, weights: np.ndarray,
                   link_predictor: Any = None, *, bias: float = DEFAULT_BIAS,
                   receiver_scorer: Any = None, text_backend: str = "auto",
                   texts: tuple[np.ndarray, pd.Index] | None = None) -> ScoringInputs:
    """Per-stream attributes of the pair score (see :func:`score_candidates`); ``bias`` is the
    logit's bias of the pair model, ``receiver_scorer`` the one behind ``sector_fit``
    (default the pretrained one), ``text_backend`` the encoder of ``text_fit`` (the plan's),
    ``texts`` the streams' texts from :func:`stream_texts` (counted here when not given)."""
    rates = full_load_rates(sup["medium"].to_numpy(object))
    fixed, per_tkm, co2_tkm, circuity = (rates.fixed_usd_per_t, rates.usd_per_tkm,
                                         rates.co2e_kg_per_tkm, rates.circuity)
    s_haz = hazard_flags(sup)
    s_alt, s_credit, _s_ok = supply_alternatives(sup)
    d_price, d_vco2, _d_ok = demand_prices(dem)
    # any consistent integer code per country will do (the kernel only tests equality)
    cc, _ = pd.factorize(pd.concat([sup["country"], dem["country"]], ignore_index=True),
                         use_na_sentinel=False)
    cc = cc.astype(np.int64)
    sa = dict(qty_t=sup["qty"].to_numpy(float), quality=sup["quality"].to_numpy(float),
              mask=sup["availability_mask"].to_numpy(np.int64) & 0xFFFF,
              disposal_usd_t=-s_alt["opportunity_usd_per_unit"].to_numpy(float),
              disposal_co2e_kg_t=-s_credit,
              fixed_usd_t=fixed, usd_per_tkm=per_tkm, co2e_kg_per_tkm=co2_tkm, hazardous=s_haz,
              country=cc[: len(sup)])
    da = dict(qty_t=dem["qty"].to_numpy(float), quality=dem["quality"].to_numpy(float),
              mask=dem["availability_mask"].to_numpy(np.int64) & 0xFFFF,
              virgin_usd_t=d_price["avoided_usd_per_unit"].to_numpy(float),
              virgin_co2e_kg_t=d_vco2,
              country=cc[len(sup):])
    k_sector = feature_index("sector_fit")
    sector = (_sector_tables(sup, dem, receiver_scorer)
              if weights[k_sector] != 0 and len(sup) and len(dem) else None)
    k_link = feature_index("link_score")
    text = _text_rows(sup, dem, text_backend, texts=texts) if len(sup) and len(dem) else None
    return ScoringInputs(sa, da, circuity, weights, sector,
                          link_predictor if weights[k_link] != 0 else None, float(bias), text)


def score_candidates(inputs: ScoringInputs, sup: pd.DataFrame, dem: pd.DataFrame,
                     cand: CandidatePairs, *, n_jobs: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Features (n_pairs x len(PAIR_FEATURES), column-major) and scores of ``cand`` in one native pass
    (``_core.score_pairs``: reads the pair columns in place and checks them in its parallel
    pass, GIL released)."""
    sfit = inputs.sector.pairs(cand) if inputs.sector is not None else np.zeros(len(cand))
    lscore = _link_scores(inputs.link_predictor, sup, dem, cand)
    t = inputs.text
    feats, score = _core.score_pairs(cand.supply, cand.demand, cand.distance_km,
                                     cand.material_fit, sfit, inputs.sa, inputs.da,
                                     inputs.circuity, inputs.weights, inputs.bias,
                                     n_threads=resolve_n_jobs(n_jobs), link_score=lscore,
                                     text_rows=None if t is None else t.rows,
                                     supply_text=None if t is None else t.supply,
                                     demand_text=None if t is None else t.demand)
    return feats, score


def candidate_frame(sup: pd.DataFrame, dem: pd.DataFrame, cand: CandidatePairs,
                    feats: np.ndarray, score: np.ndarray) -> pd.DataFrame:
    """The candidates table: stream and company ids, great-circle km, one column per feature
    and the score."""
    # one column per feature, built once (no 2-D block to consolidate later); the per-feature
    # contributions w_f x_f are not stored per candidate (16 more columns: 2.9 GB at 23 M
    # pairs): SymbiosisPlan.contributions() computes them, exchanges carry them
    cols: dict[str, Any] = {
        col: take_categorical(tab[key], idx) for col, tab, key, idx in id_columns(sup, dem, cand)
    }
    cols["great_circle_km"] = cand.distance_km
    for k, f in enumerate(PAIR_FEATURES):
        # column k of a Fortran-order block is contiguous: a view, no copy
        cols[f] = np.ascontiguousarray(feats[:, k])
    cols["score"] = score
    return pd.DataFrame(cols, copy=False)


def _scored_partition(sup: pd.DataFrame, dem: pd.DataFrame, group_of: dict[str, int],
                      groups: MaterialGroups, s_idx: np.ndarray, d_idx: np.ndarray,
                      max_per_supply: int, inputs: ScoringInputs
                      ) -> tuple[CandidatePairs, np.ndarray, np.ndarray]:
    """One spatial partition: its candidates (global indices) and their features and scores."""
    cand = candidate_stage(sup, dem, group_of, groups, max_per_supply=max_per_supply, n_jobs=1,
                           supply_subset=s_idx, demand_subset=d_idx)
    feats, score = score_candidates(inputs, sup, dem, cand, n_jobs=1)
    return cand, feats, score


def distributed_scored_candidates(
    client: Any, sup: pd.DataFrame, dem: pd.DataFrame, group_of: dict[str, int],
    groups: MaterialGroups, inputs: ScoringInputs, *, max_per_supply: int,
    n_partitions: int | None = None,
) -> tuple[CandidatePairs, np.ndarray, np.ndarray]:
    """Run the candidate and the scoring stage on ``client`` (Ray or Dask, through
    :func:`symbioflows.distributed.map_partitions`): each partition finds and scores its own
    candidate pairs; the driver concatenates them in canonical order.  Returns the merged
    candidates, their features (n_pairs x n_features, column-major) and scores, equal to
    :func:`score_candidates` on the single-machine candidates."""
    from symbioflows.distributed import map_partitions

    results = map_partitions(client, sup, dem, n_partitions, _scored_partition, group_of, groups,
                             max_per_supply, inputs)
    cands = [r[0] for r in results]
    s = np.concatenate([c.supply for c in cands]) if cands else np.zeros(0, np.int64)
    d = np.concatenate([c.demand for c in cands]) if cands else np.zeros(0, np.int64)
    dist = np.concatenate([c.distance_km for c in cands]) if cands else np.zeros(0)
    k, _ = merge_index(s, d, dist, max_per_supply)
    fit = np.concatenate([c.material_fit for c in cands])[k] if cands else np.zeros(0)
    # supplies are disjoint across partitions, so the per-part counts add up exactly
    merged = CandidatePairs(s[k], d[k], dist[k], fit,
                            sum(c.n_truncated for c in cands),
                            sum(c.n_distance_evals for c in cands))
    n_feat = results[0][1].shape[1] if results else len(PAIR_FEATURES)
    feats = np.empty((k.size, n_feat), order="F")
    for f in range(n_feat):
        feats[:, f] = np.concatenate([r[1][:, f] for r in results])[k] if results else 0.0
    score = np.concatenate([r[2] for r in results])[k] if results else np.zeros(0)
    return merged, feats, score
