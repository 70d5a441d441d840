"""Classes for streams written in free text: supplies into material classes, demands into needs.

:func:`classify_supplies` and :func:`classify_needs_table` classify each *distinct* text once
(texts deduplicated after normalisation, embeddings cached process-wide) and return one row per
input text.  :func:`infer_stream_classes` does both for a streams table the way the plan needs
it: a class given by the user always wins, then the class of the EWC code, then the classifier;
each row says where its class came from (``class_source``: ``given``, ``ewc``, ``inferred``,
``none``), how sure the classifier is, and the runner-up classes.

The plan's material groups (``group_key``) for inferred rows carry the top classes with their
probabilities, rounded to :data:`PROB_STEP` (``mix:blast_furnace_slag=0.85,steel_slag=0.15``)
or, for a demand, its top needs (``need:animal_feed=1.00``) and the class its text names
(``|named=...``).  :func:`group_fit_matrix` gives the material fit between such groups: the
expected fit over the supply's top classes, raised to ``min_fit`` when the top class or a likely
runner-up (probability at least :data:`RAISE_MIN_PROB`) fits at least ``min_fit``, so that one
wrong top-1 class does not hide the partner, and a faint runner-up does not invent one.

Backend: ``"auto"`` uses the sentence model (``embed`` extra) when at most
:data:`SENTENCE_MAX_TEXTS` distinct texts need a class (about 400-500 distinct texts/s on 2
cores, so under half a minute a direction at the limit) and the native hashing encoder beyond
(microseconds per text).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from symbioflows.errors import InvalidInputError
from symbioflows.materials.encoder import BACKENDS, normalize_text, sentence_model_available

__all__ = [
    "PROB_STEP",
    "LOW_CONFIDENCE",
    "RAISE_MIN_PROB",
    "SENTENCE_MAX_TEXTS",
    "StreamClasses",
    "count_distinct_texts",
    "classify_supplies",
    "classify_needs_table",
    "infer_stream_classes",
    "group_fit_matrix",
    "GroupFits",
    "sector_fit",
    "named_in_key",
]

log = logging.getLogger(__name__)

#: Probabilities in group keys are rounded to this step (bounds the number of groups).
PROB_STEP = 0.05
#: A top-1 probability below this flags the stream as low-confidence.
LOW_CONFIDENCE = 0.5
#: A supply's runner-up class makes a pair compatible (and raises its fit to ``min_fit``) only
#: with at least this probability in its group key; the top class always may.  Measured by
#: ``benchmarks/end_to_end_runner_ups.py``: no documented exchange of MAESTRI or the case
#: studies was a candidate only through a runner-up of probability 0.05, while glass bottles
#: offered to a PET recycler through a 5 % PET runner-up were.
RAISE_MIN_PROB = 0.1
#: ``backend="auto"`` uses the sentence model up to this many distinct texts (of a direction):
#: about 20 s for 10,000 supply texts and 24 s for 10,000 need texts on 2 cores
#: (``benchmarks/text_backend_timing.py``), for top-3 0.92 against the hashing encoder's 0.81
#: on independently labelled supplies (``benchmarks/independent_text.py``).
SENTENCE_MAX_TEXTS = 10_000
_TOP = 3
#: A demand's sector counts for this share of a written need: the plan prefers what the
#: receiver wrote, and still proposes what its sector typically uses.
SECTOR_WEIGHT = 0.8


def resolve_text_backend(backend: str, n_texts: int) -> str:
    """The backend ``"auto"`` picks for ``n_texts`` distinct texts (see the module notes)."""
    if backend not in BACKENDS:
        raise InvalidInputError(f"text_backend={backend!r}; choose one of {BACKENDS}")
    if backend != "auto":
        return backend
    # the count first: checking for the sentence model imports it (about 12 s of imports)
    if n_texts <= SENTENCE_MAX_TEXTS and sentence_model_available():
        return "sentence"
    return "hashing"


@dataclass
class StreamClasses:
    """Per-text classes: top ids and probabilities (``(n, k)``, ``""`` / 0 where absent)."""

    ids: npt.NDArray[np.object_]
    probs: npt.NDArray[np.float64]
    named: npt.NDArray[np.object_]
    backend: str
    product: npt.NDArray[np.bool_] | None = None
    requested: npt.NDArray[np.bool_] | None = None

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def runners_up(self) -> npt.NDArray[np.object_]:
        """``"class (0.12); class (0.05)"`` of the ranks after the first."""
        out = np.empty(len(self), dtype=object)
        for i in range(len(self)):
            out[i] = "; ".join(
                f"{c} ({p:.2f})"
                for c, p in zip(self.ids[i, 1:], self.probs[i, 1:])
                if c and p >= 0.005
            )
        return out


def _distinct(texts: Any, *, raw_text: bool = False) -> tuple[npt.NDArray[np.int64], list[str]]:
    """(code of each text, distinct normalised texts): the same normalisation
    (:func:`~symbioflows.materials.encoder.normalize_text`) at every size, computed once per
    distinct raw text (a hash table pass over the rows, then Python on the distinct texts).
    ``raw_text``: give each distinct normalised text as its first raw wording instead (the
    need classifier normalises it the same way, and reads the list marks, "gypsum, fly ash
    or slag", that normalisation drops); ``""`` where the normalised text is empty ("---"),
    which is no text."""
    arr = pd.Series(texts, dtype=object).fillna("").astype(str)
    raw_codes, raw = pd.factorize(arr, sort=False)
    codes, uniques = pd.factorize(
        np.array([normalize_text(t) for t in raw], dtype=object), sort=False
    )
    if raw_text:  # codes number the groups by first appearance, so their first raw is in order
        first = np.unique(codes, return_index=True)[1]
        return codes[raw_codes].astype(np.int64), [str(raw[i]) if uniques[k] else ""
                                                   for k, i in enumerate(first)]
    return codes[raw_codes].astype(np.int64), [str(u) for u in uniques]


def count_distinct_texts(texts: Any) -> int:
    """How many distinct texts the classifier sees among ``texts`` (after the normalisation of
    :func:`~symbioflows.materials.encoder.normalize_text`; what ``backend="auto"`` counts).

    Examples
    --------
    >>> count_distinct_texts(["Fly ash", "fly-ash", "spent grain"])
    2
    """
    return len(_distinct(texts)[1])


def classify_supplies(texts: Any, *, k: int = _TOP, backend: str = "auto") -> StreamClasses:
    """Top-``k`` material classes with probabilities for supply texts, each distinct text once.

    Examples
    --------
    >>> r = classify_supplies(["brewers spent grain", "Brewers' spent grain"], backend="hashing")
    >>> r.ids[:, 0].tolist(), bool(r.probs[0, 0] > 0.5)
    (['brewers_spent_grain', 'brewers_spent_grain'], True)
    """

    codes, uniques = _distinct(texts)
    ids, probs, be = _classify_distinct_supplies(uniques, k, backend)
    return StreamClasses(ids[codes], probs[codes], np.full(codes.size, "", dtype=object), be)


def _classify_distinct_supplies(
    uniques: list[str], k: int, backend: str
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.float64], str]:
    from symbioflows.materials.classify import MaterialClassifier
    from symbioflows.materials.encoder import shared_encoder

    be = resolve_text_backend(backend, len(uniques))
    ids = np.full((len(uniques), k), "", dtype=object)
    probs = np.zeros((len(uniques), k))
    todo = np.array([i for i, u in enumerate(uniques) if u], dtype=np.int64)
    if todo.size:
        clf = _material_classifier(be, MaterialClassifier, shared_encoder)
        top, p = clf.top_classes([uniques[i] for i in todo], k)
        class_ids = np.array([c.id for c in clf.taxonomy.classes], dtype=object)
        kk = top.shape[1]
        ids[todo, :kk] = class_ids[top]
        probs[todo, :kk] = p
    return ids, probs, be


_MC: dict[str, Any] = {}


def _material_classifier(backend: str, cls: Any, shared: Any) -> Any:
    clf = _MC.get(backend)
    if clf is None:
        clf = _MC[backend] = cls(shared(backend))
    return clf


def classify_needs_table(texts: Any, *, k: int = _TOP, backend: str = "auto") -> StreamClasses:
    """Top-``k`` needs with probabilities for demand texts, each distinct text once, and the
    taxonomy class each text names (``named``, ``""`` when none), whether the text names a
    product (``product``) rather than only a process or a business, and whether it asks for
    one (``requested``: a request word or a use after a named input, "clinker substitute",
    "alternative fuels for the kiln", or a secondary class serving its need, "steel scrap"),
    which is then never read as its writer's own output.

    Examples
    --------
    >>> r = classify_needs_table(["cattle feed"], backend="hashing")
    >>> r.ids[0, 0]
    'animal_feed'
    """

    codes, uniques = _distinct(texts, raw_text=True)
    ids, probs, named, product, requested, be = _classify_distinct_needs(uniques, k, backend)
    return StreamClasses(ids[codes], probs[codes], named[codes], be, product[codes],
                         requested[codes])


def _classify_distinct_needs(
    uniques: list[str], k: int, backend: str, batch_size: int = 2048
) -> tuple[
    npt.NDArray[np.object_],
    npt.NDArray[np.float64],
    npt.NDArray[np.object_],
    npt.NDArray[np.bool_],
    npt.NDArray[np.bool_],
    str,
]:
    from symbioflows.materials.needs import _default

    be = resolve_text_backend(backend, len(uniques))
    ids = np.full((len(uniques), k), "", dtype=object)
    probs = np.zeros((len(uniques), k))
    named = np.full(len(uniques), "", dtype=object)
    product = np.zeros(len(uniques), dtype=bool)
    requested = np.zeros(len(uniques), dtype=bool)
    todo = np.array([i for i, u in enumerate(uniques) if u], dtype=np.int64)
    if todo.size:
        clf = _default(be)
        need_ids = np.array([nd.id for nd in clf.needs], dtype=object)
        tax_ids = np.asarray(clf.taxonomy.ids, dtype=object)
        kk = min(k, len(need_ids))
        for s in range(0, todo.size, batch_size):  # bounded memory per batch
            rows = todo[s : s + batch_size]
            got = clf._probabilities([uniques[i] for i in rows])
            order = np.argsort(-got.total, axis=1, kind="stable")[:, :kk]
            ids[rows, :kk] = need_ids[order]
            probs[rows, :kk] = np.take_along_axis(got.prob, order, axis=1)
            for r in np.flatnonzero(got.named.any(axis=1)):  # each class it names, "+"-joined
                named[rows[r]] = "+".join(tax_ids[np.flatnonzero(got.named[r])])
            product[rows] = got.product
            requested[rows] = got.requested
    return ids, probs, named, product, requested, be


def _supplies_of_distinct(uniques: list[str], backend: str) -> StreamClasses:
    ids, probs, be = _classify_distinct_supplies(uniques, _TOP, backend)
    return StreamClasses(ids, probs, np.full(len(uniques), "", dtype=object), be)


def _needs_of_distinct(uniques: list[str], backend: str) -> StreamClasses:
    ids, probs, named, product, requested, be = _classify_distinct_needs(uniques, _TOP, backend)
    return StreamClasses(ids, probs, named, be, product, requested)


def _signature(prefix: str, ids: Any, probs: Any, named: str = "") -> str:
    keep = [(c, p) for c, p in zip(ids, probs) if c and p >= PROB_STEP / 2] or [(ids[0], 1.0)]
    total = sum(p for _, p in keep)
    parts: list[str] = []
    for c, p in keep:
        q = round(round(p / total / PROB_STEP) * PROB_STEP, 2)
        if q > 0 or not parts:
            parts.append(f"{c}={max(q, PROB_STEP):.2f}")
    sig = f"{prefix}:" + ",".join(parts)
    return sig + (f"|named={named}" if named else "")


def infer_stream_classes(
    material: Any,
    direction: Any,
    material_class: Any,
    *,
    ewc_class: Any = None,
    sector: Any = None,
    backend: str = "auto",
) -> pd.DataFrame:
    """Classes of a streams table: given > from the EWC code > inferred from the text.

    Parameters
    ----------
    material : sequence of str
        Free-text descriptions (may be empty).
    direction : sequence of {"supply", "demand"}
    material_class : sequence of str or None
        Classes the user gave (always kept).
    ewc_class : sequence of str or None, optional
        Classes found from the streams' EWC codes.
    sector : sequence of str, optional
        The NACE class of each stream's company.  A demand without a class also accepts what
        its sector typically uses (``|sector=`` in its group key, see :func:`group_fit_matrix`)
        when its text names no product (only a process or a business: "cement production");
        a demand with no text but a sector gets only those suggested needs
        (``class_source`` ``"suggested"``).
    backend : {"auto", "sentence", "hashing"}

    Returns
    -------
    DataFrame
        One row per stream: ``material_class`` (the top-1 class; for an inferred demand, the best
        supply class for its top need is not a class of the demand and stays empty),
        ``class_source``, ``class_confidence``, ``class_runners_up``, ``need`` (a demand's top
        need), ``low_confidence`` and ``group_key`` (``None`` where the caller keeps its own).

    Examples
    --------
    >>> t = infer_stream_classes(["granulated blast furnace slag", "cattle feed"],
    ...                          ["supply", "demand"], [None, None], backend="hashing")
    >>> t["material_class"][0], t["class_source"].tolist(), t["need"][1]
    ('blast_furnace_slag', ['inferred', 'inferred'], 'animal_feed')
    """
    mat = pd.Series(material, dtype=object).fillna("").astype(str).reset_index(drop=True)
    n = len(mat)
    dirn = pd.Series(direction, dtype=object).astype(str).str.lower().to_numpy()
    given = pd.Series(material_class, dtype=object).reset_index(drop=True)
    from_ewc = (
        pd.Series(ewc_class, dtype=object).reset_index(drop=True)
        if ewc_class is not None
        else pd.Series([None] * n, dtype=object)
    )
    if len(dirn) != n or len(given) != n or len(from_ewc) != n:
        raise InvalidInputError(
            f"material ({n}), direction ({len(dirn)}), material_class ({len(given)}) and "
            f"ewc_class ({len(from_ewc)}) must have one entry per stream"
        )
    has_given = given.notna().to_numpy() & (given.astype(str).to_numpy() != "")
    has_ewc = ~has_given & from_ewc.notna().to_numpy()
    cls = given.to_numpy(dtype=object).copy()
    cls[~has_given] = None
    cls[has_ewc] = from_ewc.to_numpy(dtype=object)[has_ewc]
    source = np.where(has_given, "given", np.where(has_ewc, "ewc", "none")).astype(object)
    conf = np.where(has_given | has_ewc, 1.0, np.nan)
    runners = np.full(n, "", dtype=object)
    need = np.full(n, None, dtype=object)
    key = np.full(n, None, dtype=object)
    low = np.zeros(n, dtype=bool)
    product = np.zeros(n, dtype=bool)
    requested = np.zeros(n, dtype=bool)
    has_text = (mat.str.strip() != "").to_numpy()
    for d, classify_distinct, prefix in (
        ("supply", _supplies_of_distinct, "mix"),
        ("demand", _needs_of_distinct, "need"),
    ):
        rows = np.flatnonzero((source == "none") & has_text & (dirn == d))
        if not rows.size:
            continue
        # each distinct text once (after normalisation); rows get their text's results
        tcode, uniq = _distinct(mat.iloc[rows].to_numpy(), raw_text=d == "demand")
        r = classify_distinct(uniq, backend)
        log.info(
            "classified %d %s texts, %d distinct (%s backend)", rows.size, d, len(uniq), r.backend
        )
        top = r.ids[:, 0]
        if d == "supply":
            cls[rows] = top[tcode]
        else:
            need[rows] = top[tcode]
        source[rows] = "inferred"
        conf[rows] = r.probs[tcode, 0]
        runners[rows] = r.runners_up()[tcode]
        low[rows] = r.probs[tcode, 0] < LOW_CONFIDENCE
        # one signature per distinct (ids, probs, named) row, not per text
        sig_src = pd.DataFrame(r.ids.tolist()).astype(str)
        for j in range(r.probs.shape[1]):
            sig_src[f"p{j}"] = np.round(r.probs[:, j], 3)
        sig_src["named"] = r.named
        codes, uniq_sig = pd.factorize(pd.MultiIndex.from_frame(sig_src.astype(str)))
        first = np.unique(codes, return_index=True)[1]
        sigs = np.array(
            [_signature(prefix, r.ids[f], r.probs[f], str(r.named[f])) for f in first], dtype=object
        )
        key[rows] = sigs[codes][tcode]
        if d == "demand" and r.product is not None:
            product[rows] = r.product[tcode]
        if d == "demand" and r.requested is not None:
            requested[rows] = r.requested[tcode]
    if sector is not None:
        sec = pd.Series(sector, dtype=object).fillna("").astype(str).to_numpy()
        if len(sec) != n:
            raise InvalidInputError(f"sector has {len(sec)} entries for {n} streams")
        scode, sdistinct = pd.factorize(sec)  # once per distinct sector, not per stream
        norm = np.array([_sector_code(str(x)) for x in sdistinct] + [""], dtype=object)[scode]
        # a demand that names a product is taken at its word; one written as a process or a
        # business ("cement production", "refinery") also accepts its sector's usual inputs,
        # and so does one whose named product is what its own sector makes ("ready-mixed
        # concrete" from a 23.63 company, "electricity generation" from a 35.11 one: the
        # business's output, not its input), unless the text asks for it ("clinker
        # substitute" from a cement works)
        product = product & ~(_own_output(need, norm) & ~requested)
        dem = (dirn == "demand") & ~has_given & ~has_ewc & (norm != "") & ~product
        empty = dem & pd.isna(key)
        key[empty] = "need:"
        source[empty] = "suggested"
        key[dem] = key[dem] + "|sector=" + norm[dem]
    cls = np.array([c if isinstance(c, str) and c else None for c in cls], dtype=object)
    return pd.DataFrame(
        {
            "material_class": cls,
            "class_source": source,
            "class_confidence": conf,
            "class_runners_up": runners,
            "need": need,
            "low_confidence": low,
            "group_key": key,
        }
    )


def _own_output(need: npt.NDArray[np.object_], sector: npt.NDArray[np.object_]) -> np.ndarray:
    """Per stream: its top need is a product of its own NACE code (the need's CPA product
    class, whose code is the NACE class that makes it, starts with the sector as far as the
    sector is written: '23.63', '23.6' and '23' all make CPA 23.63), so a text that names it
    names the company's output.

    Examples
    --------
    >>> _own_output(np.array(["concrete", "concrete", "animal_feed", None], dtype=object),
    ...             np.array(["23.63", "23.51", "01.41", "23.63"], dtype=object)).tolist()
    [True, False, False, False]
    """
    from symbioflows.materials.needs import load_needs

    cpa = {nd.id: nd.cpa for nd in load_needs()}
    pairs = pd.Series(list(zip(need.tolist(), sector.tolist())), dtype=object)
    codes, uniq = pd.factorize(pairs)  # once per distinct (need, sector)
    hit = np.array([bool(isinstance(nid, str) and sec and cpa.get(nid, "").startswith(sec))
                    for nid, sec in uniq] + [False], dtype=bool)
    return hit[codes]


def _sector_code(value: str) -> str:
    """A sector as the data model writes it (:func:`symbioflows.data.nace.normalize_nace`: a
    class 'NN.NN', a group 'NN.N' or a division 'NN'); '' when it is not a NACE code.

    Examples
    --------
    >>> [_sector_code(v) for v in ("23.51", "2351", "17.1", "C17.1", "17", "x")]
    ['23.51', '23.51', '17.1', '17.1', '17', '']
    """
    from symbioflows.data.nace import normalize_nace

    try:
        return str(normalize_nace(value))
    except InvalidInputError:  # not a NACE code: the demand simply has no sector to read
        return ""


def named_in_key(key: Any) -> list[str]:
    """The taxonomy classes a demand's text names outright, read from its ``group_key``
    (``[]`` for a supply, a given class or no key).

    Examples
    --------
    >>> named_in_key("need:virgin_plastics=1.00|named=mixed_plastics+waste_wood|sector=22.23")
    ['mixed_plastics', 'waste_wood']
    >>> named_in_key("class:coal_fly_ash"), named_in_key(None)
    ([], [])
    """
    if not isinstance(key, str) or not key.startswith("need:"):
        return []
    named = _parse(key)[2]
    return [c for c in named.split("+") if c]


def _parse(key: str) -> tuple[str, dict[str, float], str, str]:
    kind, _, rest = key.partition(":")
    rest, _, sector = rest.partition("|sector=")
    body, _, named = rest.partition("|named=")
    if kind == "class":
        return kind, {body: 1.0}, "", ""
    vals: dict[str, float] = {}
    for part in body.split(","):
        c, _, p = part.partition("=")
        if c:
            vals[c] = float(p or 1.0)
    return kind, vals, named, sector


def sector_fit(sector: str) -> npt.NDArray[np.float64]:
    """Fit of every taxonomy class (taxonomy order) for what a NACE class typically uses:
    1 where the taxonomy lists the sector among the class's users (``used_by_nace``) or a need
    the class serves lists it (``users`` of :mod:`~symbioflows.materials.needs`, times the fit);
    half that where only the division (2 digits) matches, or where the need is a utility that
    the sector's division uses (``user_divisions``: steam, heat, water, fuel gas).

    Examples
    --------
    >>> from symbioflows.materials import load_taxonomy
    >>> f = sector_fit("23.51")
    >>> float(f[load_taxonomy().index_of("coal_fly_ash")])
    1.0
    """
    return _sector_fit_cached(sector).copy()


@lru_cache(maxsize=4096)
def _sector_fit_cached(sector: str) -> npt.NDArray[np.float64]:
    from symbioflows.materials.needs import load_needs, nace_user_weight
    from symbioflows.materials.taxonomy import load_taxonomy

    tax = load_taxonomy()
    out = np.zeros(len(tax))
    if not sector:
        return out
    for i, c in enumerate(tax.classes):
        out[i] = nace_user_weight(sector, set(c.used_by_nace))
    for nd in load_needs():
        w = nd.user_weight(sector)
        if w:
            for cid, fit in nd.served_by.items():
                j = tax.index_of(cid)
                out[j] = max(out[j], w * fit)
    return out


def group_fit_matrix(keys: list[str], min_fit: float) -> npt.NDArray[np.float64]:
    """Material fit (supply group x demand group) between the plan's material groups.

    ``class:X`` -> ``class:Y`` is the taxonomy's substitution score; a supply ``mix:`` key
    (top classes with probabilities) -> a demand (``class:Y`` or ``need:`` key) is the expected
    fit over its classes, raised to ``min_fit`` when its top class or a runner-up of probability
    at least :data:`RAISE_MIN_PROB` fits at least ``min_fit`` (else held below the best fit of
    those classes, so the pair stays below ``min_fit``); a demand ``need:`` key's fit to a
    supply class is the probability-weighted fit of its needs, raised to the substitution-matrix column of the class it names and to
    ``SECTOR_WEIGHT`` x :func:`sector_fit` of its company's sector (``|sector=``).  Other keys (EWC codes,
    plain texts) fit only themselves (1).

    Examples
    --------
    >>> m = group_fit_matrix(["mix:brewers_spent_grain=0.80,manure=0.20",
    ...                       "need:animal_feed=1.00"], 0.25)
    >>> float(m[0, 1])  # expected fit: 0.8 x 1 (spent grain is feed) + 0.2 x 0 (manure is not)
    0.8
    """
    return GroupFits(keys, min_fit).dense()


class GroupFits:
    """The material fit between the plan's material groups, pair by pair, and the search
    sets that find the compatible pairs without the dense ``groups x groups`` matrix.

    One home for the formula of :func:`group_fit_matrix` (which is ``GroupFits(keys,
    min_fit).dense()``): a free-text region has a group per distinct (top classes,
    probabilities) signature, about 13,000 at 100k streams, and the dense matrix grows with
    their square (1.3 GB at 100k); the plan uses :meth:`pair_fit` on its candidate pairs and
    :meth:`search_sets` to find them.

    A supply key is *active* when it is ``class:`` or ``mix:`` with classes the taxonomy
    knows; a key is a *demand column* when it is ``class:`` or ``need:`` (its fit over the
    supply classes: the substitution column of the class, or its needs' fits raised by the
    class it names and its sector).  An active supply and a demand column are compatible
    exactly when the supply's top class or a runner-up of probability at least
    :data:`RAISE_MIN_PROB` fits the demand at least ``min_fit`` (and more than 0); every other
    key fits only itself (1).

    Examples
    --------
    >>> g = GroupFits(["mix:brewers_spent_grain=0.80,manure=0.20", "need:animal_feed=1.00"], 0.25)
    >>> float(g.pair_fit([0], [1])[0])
    0.8
    """

    def __init__(self, keys: list[str], min_fit: float) -> None:
        from symbioflows.materials.needs import load_needs
        from symbioflows.materials.taxonomy import load_taxonomy

        self.keys = list(keys)
        self.min_fit = float(min_fit)
        n = len(keys)
        tax = load_taxonomy()
        self.n_classes = m = len(tax)
        parsed = [_parse(k) for k in keys]
        # supply side: up to _TOP (or more) classes with normalised probabilities
        width = max([len(p[1]) for p in parsed if p[0] in ("class", "mix")] + [1])
        self._idx = np.full((n, width), -1, np.int64)
        self._p = np.zeros((n, width))
        written = np.zeros((n, width))  # the probabilities as the key writes them
        self._n_idx = np.zeros(n, np.int64)
        for i, (kind, vals, _named, _sector) in enumerate(parsed):
            if kind not in ("class", "mix"):
                continue
            idx = [tax.index_of(c) for c in vals if c in tax]
            if not idx:
                continue
            p = np.array([vals[c] for c in vals if c in tax])
            self._idx[i, : len(idx)] = idx
            self._p[i, : len(idx)] = p / p.sum()
            written[i, : len(idx)] = p
            self._n_idx[i] = len(idx)
        self.active = self._n_idx > 0
        # the classes that may make a pair compatible: the top one and likely runners-up
        self._may_raise = (self._idx >= 0) & (
            (np.arange(width) == 0)[None, :] | (written >= RAISE_MIN_PROB - 1e-9))
        # demand side: the fit column over supply classes of each class / need key
        dem = [i for i, p in enumerate(parsed) if p[0] in ("class", "need")]
        self._col = np.full(n, -1, np.int64)
        self._col[dem] = np.arange(len(dem))
        sub = np.asarray(tax.substitution_matrix(), dtype=np.float64)
        need_fit = {nd.id: nd.served_by for nd in load_needs()}
        f = np.zeros((len(dem), m))
        for j, i in enumerate(dem):
            kind, vals, named, sector = parsed[i]
            if kind == "class":
                (cid,) = vals
                if cid in tax:
                    f[j] = sub[:, tax.index_of(cid)]
                continue
            for nid, q in vals.items():
                for cid, fit in need_fit.get(nid, {}).items():
                    f[j, tax.index_of(cid)] += q * fit
            for nm in named.split("+") if named else ():
                if nm in tax:
                    f[j] = np.maximum(f[j], sub[:, tax.index_of(nm)])
            if sector:
                f[j] = np.maximum(f[j], SECTOR_WEIGHT * _sector_fit_cached(sector))
        np.clip(f, 0.0, 1.0, out=f)
        self._f = f
        # keys whose pairs are only with themselves (fit 1): all but active demand columns
        self.self_only = ~(self.active & (self._col >= 0))
        if not self.active.any() or not len(dem):
            self.active = np.zeros(n, bool)  # no supply meets a demand column: identity
            self.self_only = np.ones(n, bool)

    def pair_fit(self, supply_group: Any, demand_group: Any) -> npt.NDArray[np.float64]:
        """Fit of each (supply group, demand group) pair (indices into ``keys``), in [0, 1]
        (before the ``min_fit`` cut of :func:`~symbioflows.pipeline.candidates.material_fit_matrix`)."""
        sg = np.asarray(supply_group, np.int64)
        dg = np.asarray(demand_group, np.int64)
        block = 1 << 20  # pairs per block: the temporaries stay ~150 MB however many pairs
        if sg.size > block:
            return np.concatenate(
                [
                    self.pair_fit(sg[a : a + block], dg[a : a + block])
                    for a in range(0, sg.size, block)
                ]
            )
        out = (sg == dg).astype(np.float64)  # the identity, where the formula does not apply
        use = self.active[sg] & (self._col[dg] >= 0)
        if use.any():
            s, col = sg[use], self._col[dg[use]]
            idx, p, k = self._idx[s], self._p[s], self._n_idx[s]
            vals = self._f[col[:, None], np.maximum(idx, 0)]
            has = idx >= 0
            expected = np.zeros(s.size)
            for c in range(idx.shape[1]):  # in key order, as the dot product adds them
                expected = expected + p[:, c] * np.where(has[:, c], vals[:, c], 0.0)
            may = self._may_raise[s]
            best = np.where(may, vals, 0.0).max(axis=1)
            fits = (best >= self.min_fit) & (best > 0)
            # compatible: raised to min_fit; not: held below what a likely class gives, so
            # that unlikely classes (p < RAISE_MIN_PROB) never make a pair compatible
            row = np.where(fits, np.maximum(expected, self.min_fit), np.minimum(expected, best))
            out[use] = np.where(k == 1, vals[:, 0], row)
        return np.clip(out, 0.0, 1.0)

    def dense(self) -> npt.NDArray[np.float64]:
        """The ``keys x keys`` fit matrix (``pair_fit`` of every pair; small key sets only)."""
        n = len(self.keys)
        sg, dg = np.divmod(np.arange(n * n, dtype=np.int64), n)
        return self.pair_fit(sg, dg).reshape(n, n)

    def search_sets(
        self, on_both_sides: Any = None
    ) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
        """For each key, the search labels of a supply with it and of a demand with it: a
        supply and a demand are compatible exactly when their label sets meet.  Labels
        ``0 .. n_classes-1`` are taxonomy classes (an active supply's top class and its
        runners-up of probability at least :data:`RAISE_MIN_PROB`; a demand
        column's classes that fit it at least ``min_fit`` and more than 0), ``n_classes + i``
        is key ``i`` itself (the keys that fit only themselves), given only where
        ``on_both_sides[i]`` (some supply and some demand have key ``i``; default: all keys),
        since a key that one side never has cannot pair with itself."""
        ok = (self._f >= self.min_fit) & (self._f > 0)
        both = (
            np.ones(len(self.keys), bool)
            if on_both_sides is None
            else np.asarray(on_both_sides, bool)
        )
        sup: list[tuple[int, ...]] = []
        dem: list[tuple[int, ...]] = []
        for i in range(len(self.keys)):
            own = (self.n_classes + i,) if self.self_only[i] and both[i] else ()
            sup.append(
                (tuple(int(c) for c in self._idx[i][self._may_raise[i]]) if self.active[i] else ())
                + own
            )
            dem.append(
                (
                    tuple(int(c) for c in np.flatnonzero(ok[self._col[i]]))
                    if self._col[i] >= 0 and self.active.any()
                    else ()
                )
                + own
            )
        return sup, dem
