"""The demand side of the material knowledge: needs, their classifier, and supply classes.

A *need* is what a receiver buys today and a secondary material can replace: a virgin input
(gypsum rock, Portland cement and clinker, mineral fertiliser, compound feed, natural gas, fuel
oil, aggregates ...) or a utility (fresh and cooling water, process steam, district heat).  The
59 needs ship as ``symbioflows/data/need_inputs.json`` (authored by
``tools/build_need_inputs.py``): for each, how buyers write it (``phrases``), the processes that
consume it (``uses``), its CPA 2.1 product class, the NACE classes that typically buy it
(``users``), and the supply classes of the taxonomy that serve it with a fit in (0, 1] (1: the
class's main substitute, 0.8: a further listed substitute; sources in the file).

A demand may be written as a need or a use ("animal feed for dairy cows"), a virgin input
("raw gypsum"), a product name ("GGBS"), a secondary material ("recovered paper"), or only the
receiver's process ("wallboard line").  :class:`NeedClassifier` scores each need for a text as

``score = 0.6 syn + 0.25 use + lex + named + 0.3 sector``

* ``syn``: the highest cosine between the need's phrases and the text's *head* (the words before
  "for", "to", "in", with request words such as "we need", "replacement", "substitute"
  removed), or 0.9 x that with the whole text.  A head that names no input ("raw material",
  "process material", "feedstock") is replaced by the use part, which then also stands for the
  whole text: "raw material for a wallboard plant" is read as "wallboard plant";
* ``use``: the highest cosine between the whole text and the need's uses;
* ``lex``: 0.08 + 0.12 x coverage when one of the need's phrases occurs verbatim (after
  normalisation) in the head ("process heat for ammonia production" does not ask for
  ammonia), 0.05 when one of its uses occurs in the text, plus 0.12 x coverage when the text
  is only a business or process with no separate use ("biogas plant", a use of the digester's
  feedstock, outweighs "biogas", a phrase of natural gas that names the plant's product);
* ``named``: 0.15 x fit when the head names a secondary class that serves the need (the supply
  classifier, :class:`~symbioflows.materials.MaterialClassifier`, scores the head at least 0.45
  for that class (0.65 with the sentence model): "GGBS", "scrap steel", "fly ash"; "animal feed" or "natural gas" stay below);
  a head that lists materials names each part that clears a bar 0.15 higher ("waste plastics
  and wood waste"; for "<product> from <inputs>" the inputs only);
* ``sector``: only for a text read from its use: the highest cosine between that use and the
  NACE Rev. 2 title of a class that typically buys the need (its ``users``), so "raw material
  for iron and steel production" lifts iron ore, coke and scrap.

Confidences are a softmax (temperature 0.05), as for supplies.  The weights of ``syn``,
``use``, ``lex`` and ``named`` were set by hand before any labelled need text was read; the
generic-head reading, the head-only phrase match and ``sector`` (weight 0.3, the best of 0, 0.3,
0.6, 1, 2) were added on the development part of ``benchmarks/data/labelled_text.csv`` only;
the held-out part was measured once at the end (``docs/materials.md``).

:meth:`NeedClassifier.supply_fit` turns a text into the fit of each supply class: the
probability-weighted fit of its top needs, and 1 on the classes the text names directly (their
substitution-matrix column), so "ground granulated blast furnace slag for cement" is served best
by blast-furnace slag and well by fly ash.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from symbioflows._resources import shipped_json
from symbioflows.errors import InvalidInputError, UnknownNodeError
from symbioflows.materials.encoder import MaterialEncoder, normalize_text, shared_encoder
from symbioflows.materials.taxonomy import Taxonomy, load_taxonomy

__all__ = [
    "Need",
    "NeedPrediction",
    "NeedClassifier",
    "load_needs",
    "classify_needs",
    "suggest_needs",
]

NEEDS_FORMAT_VERSION = 1
#: Shipped sentence-model embeddings of the needs' phrases and uses (tools/build_material_embeddings.py).
PRECOMPUTED_FILE = "need_doc_embeddings_minilm.npz"
W_SYN, W_USE, W_FULL = 0.6, 0.25, 0.9
W_USERS = 0.3
LEX_BASE, LEX_COVER, USE_LEX, NAMED = 0.08, 0.12, 0.05, 0.15
TEMPERATURE = 0.05
#: Supply-classifier score from which a demand's head counts as naming a class, per backend
#: (the sentence model's scores run higher).  Set by hand on six example heads ("GGBS" in words,
#: "cattle feed", "natural gas", "animal feed", "aggregates", "supplementary cementitious
#: material") before the labelled need texts were written.
#: Cosine from which a head counts as naming a need's product (not only a process).
PRODUCT_MIN_SIM = 0.85
NAMED_MIN_SCORE = {"hashing": 0.45, "sentence": 0.65}
#: Added to ``NAMED_MIN_SCORE`` for one part of a listed head ("wood waste" in "waste plastics
#: and wood waste"): short parts such as "fertiliser", "slag" or "lead" score high for a class
#: they do not name, or tie between two.  Set by hand on 17 example parts (the listed head of a
#: case-study receiver that no class was named for, "fly ash and slag", "soil quality
#: improvement and fertiliser", single utility and mineral words) before any measurement.
NAMED_PART_EXTRA = 0.15

# request words that say "this is a need", not what is needed
_REQUEST = re.compile(
    r"\b(we need|we are looking for|looking for|we seek|seeking|we buy|we use|required|"
    r"requirement|wanted|needed|need|demand for|demand|supply of|source of|sourcing|"
    r"replacement|replacements|substitute|substitutes|alternative|alternatives|"
    r"secondary|recycled|recovered|cheaper|low carbon|lower carbon)\b"
)
# words that make a text a business or a process, not a product
_BUSINESS = re.compile(
    r" (plant|plants|production|producer|producers|manufacturing|manufacturer|manufacture|"
    r"factory|mill|mills|works|steelworks|company|companies|refinery|station|farm|farms|"
    r"industry|industries|facility|site|operator|processing|processor|smelter|foundry|"
    r"brewery|distillery|distilleries|dairy|greenhouse|greenhouses|utility|entity|generation|"
    r"generator|generators) "
)
# process nouns of a business that takes in the material its text names ("municipal waste
# incineration", "water and wastewater treatment"): naming that material is not asking for it
_TREATS = re.compile(
    r" (treatment|collection|incineration|demolition|dismantling|recycling|recycler|recyclers|"
    r"gasification|biogasification|digestion|composting|shredding|sorting|disposal|"
    r"management|melting|reprocessing|recovery) "
)
# where one listed material ends and the next begins ("waste plastics and wood waste"), in
# a normalised text (see _LIST_MARKS) or in raw words
_LIST_MARKS = re.compile(r"[,;/&+]")
_LIST_SPLIT = re.compile(rf"\s*(?:{_LIST_MARKS.pattern}|\band\b|\bor\b|\bplus\b)\s*")
# where the thing needed ends and its use begins
_USE_SPLIT = re.compile(r"\s(?:for|to|in|into|as|at|used in|used for|used as|on)\s")
# words that say "some input" without naming it: a head of only these ("raw material for a
# steelworks", "process material for pulp production") is read from its use instead
_GENERIC = re.compile(
    r"\b(raw|materials?|process|inputs?|feedstocks?|feed stock|resources?|products?|"
    r"substances?|ingredients?|supplies|supply|base|basic|stock|other|various|main|primary|"
    r"secondary|alternative)\b"
)


def nace_user_weight(sector: str, users: Any, divisions: Any = ()) -> float:
    """How much a company of NACE code ``sector`` counts as a user of something used by the
    NACE classes ``users`` and by most companies of the divisions ``divisions``: 1 for one of
    the classes, 0.5 when only the division matches, else 0 (also for no sector).

    Examples
    --------
    >>> nace_user_weight("23.51", ["23.51"]), nace_user_weight("23.52", ["23.51"])
    (1.0, 0.5)
    >>> nace_user_weight("21.20", ["17.12"], ["21"]), nace_user_weight("", ["23.51"])
    (0.5, 0.0)
    """
    if not sector:
        return 0.0
    if sector in users:
        return 1.0
    div = sector[:2]
    return 0.5 if div in divisions or any(u[:2] == div for u in users) else 0.0


@dataclass(frozen=True)
class Need:
    """One need: a virgin input or utility that secondary classes can replace."""

    id: str
    label: str
    unit: str
    phrases: tuple[str, ...]
    uses: tuple[str, ...]
    cpa: str
    users: tuple[str, ...]
    served_by: dict[str, float] = field(compare=False, hash=False)
    virgin_ef_kg_co2e_per_unit: float = 0.0
    virgin_price_usd_per_unit: tuple[float, float] = (0.0, 0.0)
    facts: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    #: NACE divisions (2 digits) in which the need is a usual input of most companies (the
    #: utilities: steam, heat, water, fuel gas); a company there is a user at half weight.
    user_divisions: tuple[str, ...] = ()

    def user_weight(self, sector: str) -> float:
        """1 when NACE class ``sector`` is one of the need's ``users``, 0.5 when only its
        division matches a user or is one of ``user_divisions``, else 0
        (:func:`nace_user_weight`)."""
        return nace_user_weight(sector, self.users, self.user_divisions)


@dataclass(frozen=True)
class NeedPrediction:
    """One ranked guess for a demand text: the need, its confidence and the best supply classes."""

    need: str
    label: str
    confidence: float
    score: float
    served_by: tuple[tuple[str, float], ...]
    suggested: bool = False


@lru_cache(maxsize=1)
def load_needs() -> tuple[Need, ...]:
    """The shipped needs (validated against the taxonomy on load).

    Examples
    --------
    >>> needs = {n.id: n for n in load_needs()}
    >>> needs["natural_gypsum"].served_by["fgd_gypsum"]
    1.0
    """
    raw = shipped_json("need_inputs.json", format_version=NEEDS_FORMAT_VERSION)
    tax = load_taxonomy()
    out = []
    seen: set[str] = set()
    for n in raw["needs"]:
        if n["id"] in seen or not n["phrases"]:
            raise InvalidInputError(
                f"need_inputs.json: need {n['id']!r} duplicated or without phrases"
            )
        seen.add(n["id"])
        for cid, fit in n["served_by"].items():
            if cid not in tax or not 0.0 < float(fit) <= 1.0:
                raise InvalidInputError(
                    f"need_inputs.json: need {n['id']!r} served by {cid!r} with fit {fit!r}"
                )
        out.append(
            Need(
                id=n["id"],
                label=n["label"],
                unit=n["unit"],
                phrases=tuple(n["phrases"]),
                uses=tuple(n["uses"]),
                cpa=n["cpa"],
                users=tuple(n["users"]),
                served_by={k: float(v) for k, v in n["served_by"].items()},
                virgin_ef_kg_co2e_per_unit=float(n["virgin_ef_kg_co2e_per_unit"]),
                virgin_price_usd_per_unit=(
                    float(n["virgin_price_usd_per_unit"][0]),
                    float(n["virgin_price_usd_per_unit"][1]),
                ),
                facts=n.get("facts", {}),
                user_divisions=tuple(n.get("user_divisions", ())),
            )
        )
    return tuple(out)


def _parse_need(norm: str) -> tuple[str, bool, str]:
    """(head, generic, raw) of a normalised need text: ``head``, the words naming what is
    needed (before the use part), request words removed; when those words name no input
    ("raw material for a steelworks"), the use part instead, and ``generic`` is True; ``raw``,
    the words before the use part with their request words kept (single spaces)."""
    padded = f" {norm} "
    m = _USE_SPLIT.search(padded)
    raw = " ".join((padded[: m.start()] if m and m.start() > 0 else padded).split())
    head = " ".join(_REQUEST.sub(" ", raw).split())
    if m and m.start() > 0 and not _GENERIC.sub(" ", head).split():
        tail = " ".join(padded[m.end():].split())
        if tail:
            return tail, True, raw
    return head or " ".join(_REQUEST.sub(" ", norm).split()) or norm, False, raw


class _Reading(NamedTuple):
    """What :class:`NeedClassifier` reads in a batch of demand texts: scores and confidences
    (texts x needs), the classes each names (texts x taxonomy classes, 0/1), and whether each
    names a product and asks for one."""

    total: npt.NDArray[np.float64]
    prob: npt.NDArray[np.float64]
    named: npt.NDArray[np.float64]
    product: npt.NDArray[np.bool_]
    requested: npt.NDArray[np.bool_]


class NeedClassifier:
    """Classify demand texts into needs and score the supply classes that serve them.

    Parameters
    ----------
    encoder : MaterialEncoder, optional
        Default: the process-wide shared encoder for ``backend``.
    backend : {"auto", "sentence", "hashing"}, default "auto"
    taxonomy : Taxonomy, optional

    Examples
    --------
    >>> clf = NeedClassifier(backend="hashing")
    >>> clf.predict(["cattle feed"], k=1)[0][0].need
    'animal_feed'
    """

    def __init__(
        self,
        encoder: MaterialEncoder | None = None,
        *,
        backend: str = "auto",
        taxonomy: Taxonomy | None = None,
    ) -> None:
        self.encoder = encoder if encoder is not None else shared_encoder(backend)
        self.taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
        self.needs = load_needs()
        self._lock = threading.Lock()
        self._built = False
        self._sector_cache: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None = None

    def __repr__(self) -> str:
        return f"NeedClassifier(backend={self.encoder.backend_!r}, needs={len(self.needs)})"

    def _build(self) -> None:
        with self._lock:
            if self._built:
                return
            from symbioflows.materials.classify import (
                MaterialClassifier,
                PhraseIndex,
                _precomputed,
                longest_first,
            )

            phrases, owner, uses, use_owner = [], [], [], []
            self._lex: list[list[str]] = []
            self._use_lex: list[list[str]] = []
            for k, n in enumerate(self.needs):
                texts = [n.label, *n.phrases]
                phrases += texts
                owner += [k] * len(texts)
                uses += list(n.uses)
                use_owner += [k] * len(n.uses)
                self._lex.append(longest_first({normalize_text(p) for p in n.phrases} - {""}))
                self._use_lex.append(longest_first({normalize_text(u) for u in n.uses} - {""}))
            enc = self.encoder
            self._doc_texts = phrases + uses
            pre = _precomputed(enc, self._doc_texts, PRECOMPUTED_FILE)
            if pre is None:
                pre = enc.encode(self._doc_texts)
            self._phrase_emb = pre[: len(phrases)].astype(np.float64)
            self._use_emb = pre[len(phrases) :].astype(np.float64)
            self._phrase_start = np.flatnonzero(np.r_[True, np.diff(owner) != 0])
            self._use_start = np.flatnonzero(np.r_[True, np.diff(use_owner) != 0])
            self._use_owner_first = np.asarray(use_owner, dtype=np.int64)[self._use_start]
            tax = self.taxonomy
            m = len(tax)
            self._fit = np.zeros((len(self.needs), m))
            for k, n in enumerate(self.needs):
                for cid, f in n.served_by.items():
                    self._fit[k, tax.index_of(cid)] = f
            self._materials = MaterialClassifier(enc, taxonomy=tax)
            self._lex_index = PhraseIndex(self._lex)
            self._use_index = PhraseIndex(self._use_lex)
            self._built = True

    # ------------------------------------------------------------------ scoring
    def _scores(self, texts: list[str]) -> _Reading:
        """The needs score matrix, the named-class matrix (in [0, 1] over taxonomy classes) and
        whether each text names a product and asks for one (``prob`` left empty: see
        :meth:`_probabilities`)."""
        c = self._components(texts)
        total = W_SYN * c["syn"] + W_USE * c["use"] + c["lex"] + c["named"] + W_USERS * c["sector"]
        named = c["named_classes"]
        product, requested = c["product"], c["requested"]
        if named.any():
            # a text that names a secondary class serving its top need asks for it ("steel
            # scrap"); "ready-mixed concrete" read as concrete rubble, which does not serve
            # concrete, still names the writer's product
            serves = (named * self._fit[total.argmax(axis=1)]).max(axis=1) > 0
            asked = serves & c["names"]
            requested, product = requested | asked, product | asked
        return _Reading(total, np.zeros((0, 0)), named, product, requested)

    def _components(self, texts: list[str]) -> dict[str, np.ndarray]:
        """The terms of the score (texts x needs): ``syn``, ``use``, ``lex`` (weighted already),
        ``named`` (the bonus, weighted already) and ``sector``; ``named_classes`` (texts x
        taxonomy classes); and per text whether it asks for a product (``requested``), names
        one (``product``) and names a class as what it needs (``names``, see :meth:`_scores`).
        Separate so that ``benchmarks/need_designs.py`` can refit their weights."""
        self._build()
        n, k = len(texts), len(self.needs)
        norms = [normalize_text(t) for t in texts]
        # a generic head ("raw material for a steelworks") was replaced by the use part, which
        # then stands for the whole text too
        parsed_raw = [_parse_need(t) for t in norms]
        parsed = [(h, g) for h, g, _ in parsed_raw]
        heads = [h for h, _ in parsed]
        fulls = [h if generic else t for t, (h, generic) in zip(norms, parsed)]
        enc = self.encoder
        q_full = enc.encode(fulls).astype(np.float64)
        q_head = enc.encode(heads).astype(np.float64)
        if n == 0:
            z, no = np.zeros((0, k)), np.zeros(0, dtype=bool)
            return {"syn": z, "use": z, "lex": z, "named": z, "sector": z,
                    "named_classes": np.zeros((0, len(self.taxonomy))),
                    "requested": no, "product": no, "names": no}
        syn_h = np.maximum.reduceat(q_head @ self._phrase_emb.T, self._phrase_start, axis=1)
        syn_f = np.maximum.reduceat(q_full @ self._phrase_emb.T, self._phrase_start, axis=1)
        syn = np.maximum(syn_h, W_FULL * syn_f)
        use = np.zeros((n, k))
        if self._use_emb.shape[0]:
            u = np.maximum.reduceat(q_full @ self._use_emb.T, self._use_start, axis=1)
            use[:, self._use_owner_first] = u
        lex = np.zeros((n, k))
        process = np.zeros(n, dtype=bool)
        for i, (full, head) in enumerate(zip(norms, heads)):
            padded, n_words = f" {full} ", max(1, len(head.split()))
            # each need's longest use in the text and longest phrase in its head (word n-gram
            # lookups, see PhraseIndex: the same as scanning every phrase, in microseconds)
            found_uses = self._use_index.first(full)
            process[i] = bool(_BUSINESS.search(padded)) or bool(found_uses)
            # a text that is only a business or process ("biogas plant", "sawmill") and is
            # one of a need's uses names the process that consumes the need, which outweighs a
            # phrase inside it naming the plant's product ("biogas"): a use counts with its
            # coverage there, as a phrase does in a head
            whole = head == full
            for j, found in found_uses.items():
                lex[i, j] = USE_LEX + (LEX_COVER * min(1.0, len(found.split()) / n_words)
                                       if whole else 0.0)
            # a need's phrase counts where the text names what it needs (its head), not in
            # its use ("process heat for ammonia production" does not ask for ammonia); the
            # head with its request words too, for the phrases that contain one ("alternative
            # fuel"), covering the head without them
            raw = head if parsed[i][1] else parsed_raw[i][2]
            phrases = self._lex_index.first(head)
            if raw != head:
                phrases = {**self._lex_index.first(raw), **phrases}
            for j, p in phrases.items():
                cover = min(1.0, len(p.split()) / n_words)
                lex[i, j] = max(lex[i, j], LEX_BASE + LEX_COVER * cover)
        # a text that names no input ("raw material for a steelworks", "wallboard line") is
        # read through its sector: the needs whose usual buyers' NACE title is closest
        sector = np.zeros((n, k))
        which = [i for i, (_, generic) in enumerate(parsed) if generic]
        if which and W_USERS:
            nace_emb, users = self._sectors()
            sim = q_full[which] @ nace_emb.T  # (m, NACE classes)
            sector[which] = (users[None, :, :] * sim[:, None, :]).max(axis=2)
        # a use standing in for a generic head names the receiver's process, not a material
        # the list marks (",", "/", "&" ...) that normalisation drops, kept as " and " for the
        # part-by-part reading of a listed head
        listed = [_parse_need(normalize_text(_LIST_MARKS.sub(" and ", t)))[0]
                  if _LIST_MARKS.search(t) else h for t, h in zip(texts, heads)]
        named, named_whole = self._named_classes(
            [h if not g else "" for h, g in parsed],
            [h if not g else "" for h, (_, g) in zip(listed, parsed)])
        named_bonus = NAMED * (named @ self._fit.T).clip(0.0, 1.0) if named.any() else np.zeros((n, k))
        # a text that asks for something by name, with a request word or a use after it
        # ("alternative fuels for the kiln", "clinker substitute", "sawdust for pellet
        # production"), names a product, whatever its use part says, and is not its writer's
        # own output; a head that is a business ("recycled paper mill") does not ask
        requested = np.array(
            [bool(h) and not g and (h != t or bool(_REQUEST.search(f" {t} ")))
             and not _BUSINESS.search(f" {h} ") for t, (h, g) in zip(norms, parsed)],
            dtype=bool).reshape(n)
        # see _scores; "<product> from <inputs>" and a process that treats the named
        # material ("municipal waste incineration") describe the writer's business
        names = named_whole & ~process & np.array(
            [" from " not in f" {h} " and not _TREATS.search(f" {h} ") for h in heads],
            dtype=bool).reshape(n)
        # the text names a product (it asks for one, or names a need's phrase, verbatim or
        # nearly, or a secondary class, and is not only a process or a business)
        product = requested | (~process & (
            (lex >= LEX_BASE).any(axis=1) | (syn >= PRODUCT_MIN_SIM).any(axis=1) | named_whole
        ))
        return {"syn": syn, "use": use, "lex": lex, "named": named_bonus, "sector": sector,
                "named_classes": named, "requested": requested, "product": product,
                "names": names}

    def _sectors(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """(embeddings of the NACE class titles, needs x classes 0/1 matrix of the needs'
        ``users``), built on first use, under the build lock: only texts that name no input
        need them."""
        with self._lock:
            if self._sector_cache is None:
                from symbioflows.data.nace import nace_table

                nace = nace_table()
                col = {c: i for i, c in enumerate(nace["code"])}
                users = np.zeros((len(self.needs), len(col)))
                for k, n in enumerate(self.needs):
                    for u in n.users:
                        if u in col:
                            users[k, col[u]] = 1.0
                emb = self.encoder.encode(list(nace["title"])).astype(np.float64)
                self._sector_cache = (emb, users)
            return self._sector_cache

    def _named_classes(
        self, heads: list[str], listed: list[str] | None = None
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
        """(1 on each taxonomy class a demand's head names, whether the whole head names one).

        A head names a class when the supply classifier is sure of it (its score >=
        ``NAMED_MIN_SCORE`` of the backend: a verbatim or near-verbatim name such as "GGBS",
        "scrap steel", "fly ash"; generic words such as "animal feed" stay below).  A head that
        lists materials is also read part by part, at a bar higher by ``NAMED_PART_EXTRA``: the
        words after "from" ("electricity and heat from waste-derived fuel" is made from the fuel,
        it does not ask for electricity), else the whole head, split at ``,``, ``;``, ``/``,
        ``&``, "and", "or", "plus" ("waste plastics and wood waste").  Only the whole head decides
        whether the text names a product (``product`` of :meth:`_components`).  ``listed``: each head with
        its list marks as " and " (normalisation drops punctuation), read for the parts."""
        out = np.zeros((len(heads), len(self.taxonomy)))
        if not heads:
            return out, np.zeros(0, dtype=bool)
        texts, owner = list(heads), list(range(len(heads)))
        for i, h in enumerate(heads if listed is None else listed):
            _, sep, tail = h.partition(" from ")
            src = tail if sep else h
            parts = [p for p in (x.strip() for x in _LIST_SPLIT.split(src)) if p]
            if sep:
                parts = [src, *parts] if len(parts) > 1 else parts
            if len(parts) > 1 or sep:
                texts += parts
                owner += [i] * len(parts)
        total = self._materials._scores(texts)["total"]
        best = total.argmax(axis=1)
        bar = np.full(len(texts), NAMED_MIN_SCORE[self.encoder.backend_])
        bar[len(heads):] += NAMED_PART_EXTRA  # a part is read more strictly
        sure = total[np.arange(len(texts)), best] >= bar
        out[np.asarray(owner)[sure], best[sure]] = 1.0
        return out, sure[: len(heads)].copy()

    def _probabilities(self, texts: list[str]) -> _Reading:
        """:meth:`_scores` with the confidences (softmax of the scores, temperature
        :data:`TEMPERATURE`)."""
        r = self._scores(texts)
        if r.total.shape[0] == 0:
            return r._replace(prob=r.total)
        z = (r.total - r.total.max(axis=1, keepdims=True)) / TEMPERATURE
        prob = np.exp(z)
        prob /= prob.sum(axis=1, keepdims=True)
        return r._replace(prob=prob)

    @staticmethod
    def _check(texts: Any) -> list[str]:
        if isinstance(texts, str):
            texts = [texts]
        items = list(texts)
        for i, t in enumerate(items):
            if not isinstance(t, str):
                raise TypeError(f"texts[{i}] is {type(t).__name__} ({t!r}), not a string")
        return items

    def predict(self, texts: Any, k: int = 3) -> list[list[NeedPrediction]]:
        """Ranked needs for each demand text (see :func:`classify_needs`)."""
        items = self._check(texts)
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise InvalidInputError(f"k must be a positive int; got {k!r}")
        if not items:
            return []
        r = self._probabilities(items)
        total, prob = r.total, r.prob
        kk = min(int(k), len(self.needs))
        out = []
        for i in range(len(items)):
            order = np.lexsort((np.arange(total.shape[1]), -total[i]))[:kk]
            row = []
            for j in order:
                nd = self.needs[j]
                served = tuple(
                    sorted(((c, f) for c, f in nd.served_by.items()), key=lambda x: (-x[1], x[0]))
                )
                row.append(
                    NeedPrediction(nd.id, nd.label, float(prob[i, j]), float(total[i, j]), served)
                )
            out.append(row)
        return out

    def supply_fit(self, texts: Any, *, top: int = 3) -> npt.NDArray[np.float64]:
        """Fit in [0, 1] of every taxonomy class (columns, taxonomy order) as a supply for each
        demand text (rows): the fit of the ``top`` needs weighted by their renormalised
        probabilities, raised to the substitution-matrix column of a class the text names.

        Examples
        --------
        >>> clf = NeedClassifier(backend="hashing")
        >>> f = clf.supply_fit(["ground granulated blast furnace slag for cement"])
        >>> clf.taxonomy.ids[int(f[0].argmax())]
        'blast_furnace_slag'
        """
        items = self._check(texts)
        self._build()
        m = len(self.taxonomy)
        if not items:
            return np.zeros((0, m))
        r = self._probabilities(items)
        prob, named = r.prob, r.named
        top = max(1, min(int(top), prob.shape[1]))
        idx = np.argsort(-prob, axis=1, kind="stable")[:, :top]
        p = np.take_along_axis(prob, idx, axis=1)
        p /= p.sum(axis=1, keepdims=True)
        fit = np.einsum("nk,nkm->nm", p, self._fit[idx])
        if named.any():
            sub = np.asarray(self.taxonomy.substitution_matrix(), dtype=np.float64)
            for col in np.flatnonzero(named.any(axis=0)):  # each named class, its rows at once
                rows = np.flatnonzero(named[:, col])
                fit[rows] = np.maximum(fit[rows], sub[:, col])
        return np.clip(fit, 0.0, 1.0)


_DEFAULT: dict[str, NeedClassifier] = {}
_DEFAULT_LOCK = threading.Lock()


def _default(backend: str) -> NeedClassifier:
    with _DEFAULT_LOCK:
        clf = _DEFAULT.get(backend)
        if clf is None:
            clf = _DEFAULT[backend] = NeedClassifier(backend=backend)
        return clf


def classify_needs(texts: Any, k: int = 3, *, backend: str = "auto") -> list[list[NeedPrediction]]:
    """Rank needs (virgin inputs and utilities) for free-text demands.

    Parameters
    ----------
    texts : str or sequence of str
        Demands as receivers write them: "animal feed for dairy cows", "raw gypsum for
        wallboard production", "natural gas replacement for boilers", "process steam".
    k : int, default 3
    backend : {"auto", "sentence", "hashing"}

    Returns
    -------
    list of list of NeedPrediction
        One ranked list per text; each prediction lists the supply classes that serve it.

    Examples
    --------
    >>> r = classify_needs(["raw gypsum for wallboard production"], k=1, backend="hashing")
    >>> r[0][0].need, sorted(c for c, fit in r[0][0].served_by if fit == 1.0)
    ('natural_gypsum', ['chemical_gypsum', 'fgd_gypsum', 'plasterboard_waste'])
    """
    return _default(backend).predict(texts, k)


def suggest_needs(sector: Any, k: int = 5) -> list[NeedPrediction]:
    """Needs that companies of a NACE sector typically have (marked ``suggested=True``).

    Read from the needs' ``users`` (NACE classes judged from the class titles and the taxonomy's
    ``used_by_nace``) and ``user_divisions`` (the utilities that most companies of a division
    use): exact class matches first, then matches on the division (2 digits).  Confidence is 1
    for a class match and 0.5 for a division match (:meth:`Need.user_weight`).

    Raises
    ------
    InvalidInputError
        The sector is not a NACE Rev. 2 code.

    Examples
    --------
    >>> [s.need for s in suggest_needs("23.51", k=3)]
    ['coal', 'fuel_oil', 'grid_electricity']
    """
    from symbioflows.materials.nace import normalize_nace

    try:
        code = normalize_nace(sector)
    except (InvalidInputError, UnknownNodeError) as exc:
        raise InvalidInputError(
            f"sector {sector!r} is not a NACE Rev. 2 code; pass e.g. '23.51' ({exc})"
        ) from exc
    ranked: list[tuple[float, str, Need]] = []
    for n in load_needs():
        w = n.user_weight(code)
        if w:
            ranked.append((w, n.id, n))
    ranked.sort(key=lambda x: (-x[0], x[1]))
    return [
        NeedPrediction(
            n.id,
            n.label,
            conf,
            conf,
            tuple(sorted(n.served_by.items(), key=lambda x: (-x[1], x[0]))),
            suggested=True,
        )
        for conf, _, n in ranked[: max(0, int(k))]
    ]
