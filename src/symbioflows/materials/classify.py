"""Classify free-text material descriptions into taxonomy classes and EWC codes.

The score of class ``c`` for a text combines four signals:

* ``syn``: the highest cosine similarity between the text and the class's label or any of its
  synonyms (trade names, abbreviations, loanwords);
* ``desc``: cosine similarity with the class's one-line description;
* ``ewc``: the highest cosine similarity with the List-of-Waste descriptions of the class's
  typical EWC codes;
* ``lex``: a lexical bonus when a synonym or the label occurs verbatim (after normalisation)
  in the text, larger when the phrase covers more of the text; and a code bonus when the text
  carries an EWC code that the class lists.

A class loses :data:`CONTRADICTION_PENALTY` when the text states a fact that rules it out: a
temperature outside its range (``facts["temperature_c"]``: low- and high-temperature waste
heat; ``"at 30 C"``), or an origin that its definition excludes (``facts["not_if_text_says"]``:
"fly ash from our biomass boiler" is not coal fly ash under EN 450-1).  A stated fact is not a
hint.

``score = 0.55 syn + 0.25 desc + 0.20 ewc + lex`` (+ the code bonus, - the contradiction
penalty); confidences are a softmax of the scores (temperature 0.05).  The EWC code returned with a class is a code written in the text when the
class lists it, else the class's code whose description is closest to the text (with a prior of
0.2 for the class's first-listed code, chosen on ``tests/data/material_eval.csv``; the scoring
weights were fixed before that set was labelled).  Accuracy on that set, MAESTRI rows and rows
written after other public sources reported separately: ``docs/benchmarks.md``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from symbioflows.errors import InvalidInputError
from symbioflows.materials.encoder import MaterialEncoder, normalize_text
from symbioflows.materials.ewc import lookup_ewc, normalize_ewc
from symbioflows.materials.taxonomy import Taxonomy, load_taxonomy

__all__ = ["MaterialPrediction", "MaterialClassifier", "PhraseIndex", "classify_material",
           "temperatures_in"]

W_SYN, W_DESC, W_EWC = 0.55, 0.25, 0.20
LEX_BASE, LEX_COVER, CODE_BONUS = 0.08, 0.12, 0.25
TEMPERATURE = 0.05
PRIMARY_CODE_PRIOR = 0.2
_CODE_IN_TEXT = re.compile(r"(?<!\d)(\d{2})[\s.\-]?(\d{2})[\s.\-]?(\d{2})(?!\d)\s*\*?")
#: A temperature written in the text, in deg C ("30 C", "30°C", "85 ºC", "450 degrees C",
#: "120 Celsius"); a bare number or another unit is not read as one.
_TEMPERATURE_IN_TEXT = re.compile(
    r"(?<![\w.,])(-?\d{1,4}(?:[.,]\d+)?)\s*(?:°|º|deg(?:rees?)?\.?)?\s*(?:c|celsius)(?![a-z])",
    re.IGNORECASE)
#: Score taken from a class that a fact stated in the text rules out (a temperature outside
#: ``facts["temperature_c"]``, words of ``facts["not_if_text_says"]``): enough to put it below
#: every class without such a conflict.
CONTRADICTION_PENALTY = 1.0


def temperatures_in(text: str) -> list[float]:
    """The temperatures (deg C) a text states.

    Examples
    --------
    >>> temperatures_in("waste heat from servers at 30 C"), temperatures_in("exhaust, 450°C")
    ([30.0], [450.0])
    >>> temperatures_in("class C fly ash, 2 CHP units"), temperatures_in("hot water 85,5 ºC")
    ([], [85.5])
    """
    return [float(m.group(1).replace(",", ".")) for m in _TEMPERATURE_IN_TEXT.finditer(text)]


@dataclass(frozen=True)
class MaterialPrediction:
    """One ranked guess: taxonomy class, EWC code and confidence in [0, 1]."""

    material_class: str
    label: str
    ewc_code: str | None
    confidence: float
    score: float
    explanation: str | None = None


def _codes_in(text: str) -> list[str]:
    out = []
    for m in _CODE_IN_TEXT.finditer(text):
        try:
            out.append(normalize_ewc("".join(m.groups()), strict=True))
        except InvalidInputError:
            continue
    return out


def longest_first(phrases: Any) -> list[str]:
    """Distinct phrases, longest first; ties by more words, then alphabetically.

    The order decides which of a class's phrases :meth:`PhraseIndex.first` reports, and so its
    lexical score, so it must not depend on set iteration (which follows the process's string
    hash seed): "grey water" and "wastewater" have the same length, and ordering them by length
    alone gave a stream's class confidence 0.948 in one process and 0.929 in another.

    >>> longest_first(["wastewater", "grey water", "water", "grey water"])
    ['grey water', 'wastewater', 'water']
    """
    return sorted(set(phrases), key=lambda p: (-len(p), -len(p.split()), p))


class PhraseIndex:
    """Which owners' phrases occur verbatim (whole words) in a normalised text.

    ``phrases[o]`` lists owner ``o``'s normalised phrases in preference order; :meth:`first`
    returns, for each owner with a phrase in the text, the earliest of its phrases that occurs,
    exactly as scanning ``phrases[o]`` in order with ``f" {p} " in f" {text} "`` would, but
    by looking up the text's word n-grams in a dict: the cost grows with the words of the text,
    not with the number of phrases (the reference scan, 1,241 taxonomy phrases per text, took
    about 0.8 ms per text; this takes a few microseconds).

    Examples
    --------
    >>> ix = PhraseIndex([["blast furnace slag", "slag"], ["fly ash"]])
    >>> ix.first("granulated blast furnace slag from line 2")
    {0: 'blast furnace slag'}
    """

    def __init__(self, phrases: list[list[str]]) -> None:
        self._at: dict[str, list[tuple[int, int]]] = {}
        self._prefixes: set[str] = set()
        for o, ps in enumerate(phrases):
            for rank, p in enumerate(ps):
                words = p.split()
                if not words or " ".join(words) != p:
                    continue  # not normalised: it can never occur between spaces
                self._at.setdefault(p, []).append((o, rank))
                for j in range(1, len(words) + 1):
                    self._prefixes.add(" ".join(words[:j]))
        self._phrases = phrases

    def first(self, text: str) -> dict[int, str]:
        """``{owner: its first phrase occurring in text}`` (``text`` normalised)."""
        words = text.split()
        best: dict[int, int] = {}
        at, prefixes = self._at, self._prefixes
        for i in range(len(words)):
            g = words[i]
            j = i + 1
            while g in prefixes:
                for o, rank in at.get(g, ()):
                    if rank < best.get(o, 1 << 30):
                        best[o] = rank
                if j >= len(words):
                    break
                g = g + " " + words[j]
                j += 1
        return {o: self._phrases[o][r] for o, r in best.items()}


PRECOMPUTED_FILE = "material_doc_embeddings_minilm.npz"


def doc_texts_digest(texts: list[str]) -> str:
    """sha256 of the classifier's document texts (checks that shipped embeddings are current)."""
    import hashlib

    return hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()


def _precomputed(encoder: MaterialEncoder, texts: list[str],
                 filename: str = PRECOMPUTED_FILE) -> npt.NDArray[np.float32] | None:
    """Shipped sentence-model embeddings of document texts (``filename`` in the package data),
    when they match exactly (same model, same texts)."""
    if encoder.backend_ != "sentence":
        return None
    from importlib import resources
    from io import BytesIO

    try:
        raw = resources.files("symbioflows.data").joinpath(filename).read_bytes()
    except (FileNotFoundError, OSError):
        return None
    with np.load(BytesIO(raw), allow_pickle=False) as z:
        if str(z["model_id"]) != encoder.model_id or str(z["digest"]) != doc_texts_digest(texts):
            return None
        emb = np.asarray(z["embeddings"], dtype=np.float32)
    if emb.shape != (len(texts), encoder.dimension):
        return None
    norms = np.linalg.norm(emb, axis=1, keepdims=True)
    return np.ascontiguousarray(np.divide(emb, norms, out=np.zeros_like(emb), where=norms > 0))


class MaterialClassifier:
    """Embedding + synonym classifier over the taxonomy (see the module docstring).

    Parameters
    ----------
    encoder : MaterialEncoder, optional
        Default: ``MaterialEncoder(backend="auto")``.
    taxonomy : Taxonomy, optional
        Default: the shipped taxonomy.

    Examples
    --------
    >>> clf = MaterialClassifier(MaterialEncoder(backend="hashing"))
    >>> best = clf.predict(["granulated blast furnace slag (GGBS)"], k=1)[0][0]
    >>> best.material_class, best.ewc_code
    ('blast_furnace_slag', '10 02 02')
    """

    def __init__(self, encoder: MaterialEncoder | None = None, *, taxonomy: Taxonomy | None = None):
        self.encoder = encoder if encoder is not None else MaterialEncoder(backend="auto")
        self.taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
        self._lock = threading.Lock()
        self._built = False

    # ------------------------------------------------------------------ fitting the documents
    def _build(self) -> None:
        with self._lock:
            if self._built:
                return
            tax = self.taxonomy
            syn_texts: list[str] = []
            syn_owner: list[int] = []
            self._phrases: list[list[str]] = []
            for ci, c in enumerate(tax.classes):
                phrases = []
                for s in (c.label, *c.synonyms):
                    syn_texts.append(s)
                    syn_owner.append(ci)
                    p = normalize_text(s)
                    if p:
                        phrases.append(p)
                self._phrases.append(longest_first(phrases))
            self._syn_texts = syn_texts
            self._syn_owner = np.asarray(syn_owner, dtype=np.int64)
            self._syn_start = np.flatnonzero(np.r_[True, np.diff(self._syn_owner) != 0])
            codes = sorted({e for c in tax.classes for e in c.ewc_codes})
            self._codes = codes
            self._code_pos = {e: i for i, e in enumerate(codes)}
            code_texts = []
            for e in codes:
                entry = lookup_ewc(e)
                code_texts.append(f"{entry.description} ({entry.sub_chapter_title})")
            desc_texts = [f"{c.label}. {c.description}" for c in tax.classes]
            pre = _precomputed(self.encoder, syn_texts + desc_texts + code_texts)
            if pre is not None:
                a, b = len(syn_texts), len(syn_texts) + len(desc_texts)
                self._syn_emb, self._desc_emb, self._code_emb = pre[:a], pre[a:b], pre[b:]
            else:
                enc = self.encoder
                self._syn_emb = enc.encode(syn_texts)
                self._desc_emb = enc.encode(desc_texts)
                self._code_emb = enc.encode(code_texts)
            self._doc_texts = syn_texts + desc_texts + code_texts
            self._code_texts = code_texts
            self._class_codes = [[self._code_pos[e] for e in c.ewc_codes] for c in tax.classes]
            self._phrase_index = PhraseIndex(self._phrases)
            self._temp_range = [
                (ci, lo if lo is not None else -np.inf, hi if hi is not None else np.inf)
                for ci, c in enumerate(tax.classes)
                for lo, hi in [c.facts.get("temperature_c", {}).get("value") or (None, None)]
                if (lo, hi) != (None, None)
            ]
            self._not_if = [
                (ci, [normalize_text(w) for w in v["words"]],
                 [normalize_text(w) for w in v.get("unless", [])])
                for ci, c in enumerate(tax.classes)
                for v in [c.facts.get("not_if_text_says", {}).get("value")] if v
            ]
            self._built = True

    # ------------------------------------------------------------------ scoring
    def _scores(self, texts: list[str]) -> dict[str, npt.NDArray[np.float64]]:
        self._build()
        n, m = len(texts), len(self.taxonomy)
        q = self.encoder.encode(texts).astype(np.float64)
        syn_all = q @ self._syn_emb.T.astype(np.float64)
        syn = np.maximum.reduceat(syn_all, self._syn_start, axis=1) if n else np.zeros((0, m))
        desc = q @ self._desc_emb.T.astype(np.float64)
        code_sim = q @ self._code_emb.T.astype(np.float64)
        ewc = np.full((n, m), 0.0)
        for ci, cols in enumerate(self._class_codes):
            if cols:
                ewc[:, ci] = code_sim[:, cols].max(axis=1)
        lex = np.zeros((n, m))
        lex_phrase: dict[tuple[int, int], str] = {}
        code_hint = np.zeros((n, m))
        contra = np.zeros((n, m))
        why_not: dict[tuple[int, int], str] = {}
        index = self._phrase_index
        for i, t in enumerate(texts):
            norm = normalize_text(t)
            n_words = max(1, len(norm.split()))
            for ci, p in index.first(norm).items():  # each class's longest phrase in the text
                lex[i, ci] = LEX_BASE + LEX_COVER * min(1.0, len(p.split()) / n_words)
                lex_phrase[(i, ci)] = p
            for code in _codes_in(t):
                base = code.rstrip("*")
                for ci, c in enumerate(self.taxonomy.classes):
                    if any(e.rstrip("*") == base for e in c.ewc_codes):
                        code_hint[i, ci] = CODE_BONUS
            stated = temperatures_in(t) if self._temp_range else []
            for ci, lo, hi in self._temp_range if stated else ():
                if not any(lo <= x <= hi for x in stated):  # no stated temperature is in range
                    contra[i, ci] = -CONTRADICTION_PENALTY
                    why_not[(i, ci)] = (
                        f"the temperature the text states is outside this class's range "
                        f"({'' if lo == -np.inf else f'{lo:g}'}.."
                        f"{'' if hi == np.inf else f'{hi:g}'} °C)")
            padded = f" {norm} "
            for ci, words, unless in self._not_if:
                said = next((w for w in words if f" {w} " in padded), None)
                if said and not any(f" {u} " in padded for u in unless):
                    contra[i, ci] = -CONTRADICTION_PENALTY
                    why_not[(i, ci)] = f"the text says {said!r}, which this class's definition excludes"
        total = W_SYN * syn + W_DESC * desc + W_EWC * ewc + lex + code_hint + contra
        return {
            "total": total, "syn": syn, "desc": desc, "ewc": ewc, "lex": lex,
            "code": code_hint, "contra": contra, "code_sim": code_sim, "syn_all": syn_all,
            "why_not": why_not,  # type: ignore[dict-item]
            "lex_phrase": lex_phrase,  # type: ignore[dict-item]
        }

    def predict(self, texts: Any, k: int = 3, *, explain: bool = False) -> list[list[MaterialPrediction]]:
        """Ranked predictions for each text (see :func:`classify_material`)."""
        texts = _check_texts(texts)
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise InvalidInputError(f"k must be a positive int; got {k!r}")
        if not texts:
            return []
        sc = self._scores(texts)
        total = sc["total"]
        z = (total - total.max(axis=1, keepdims=True)) / TEMPERATURE
        prob = np.exp(z)
        prob /= prob.sum(axis=1, keepdims=True)
        out = []
        classes = self.taxonomy.classes
        kk = min(int(k), len(classes))
        for i, t in enumerate(texts):
            order = np.lexsort((np.arange(total.shape[1]), -total[i]))[:kk]
            written = _codes_in(t)
            row = []
            for ci in order:
                c = classes[ci]
                code = self._pick_code(i, ci, written, sc["code_sim"])
                why = self._explain(i, ci, sc) if explain else None
                row.append(MaterialPrediction(c.id, c.label, code, float(prob[i, ci]),
                                              float(total[i, ci]), why))
            out.append(row)
        return out

    def top_classes(self, texts: Any, k: int = 3, *, batch_size: int = 4096
                    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """Taxonomy indices and confidences of the ``k`` best classes of each text, as
        :meth:`predict` ranks them (same scores, ties by class order), without the EWC code and
        the per-text objects: for many texts (the plan classifies each distinct text of a
        region once).  Texts are scored ``batch_size`` at a time, so memory stays bounded
        (about ``batch_size`` x 1,241 phrases x 8 bytes per batch).

        Examples
        --------
        >>> clf = MaterialClassifier(MaterialEncoder(backend="hashing"))
        >>> idx, prob = clf.top_classes(["fly ash from our boilers"], k=2)
        >>> clf.taxonomy.classes[int(idx[0, 0])].id, idx.shape
        ('coal_fly_ash', (1, 2))
        """
        texts = _check_texts(texts)
        kk = min(int(k), len(self.taxonomy))
        idx = np.zeros((len(texts), kk), np.int64)
        prob = np.zeros((len(texts), kk))
        for s in range(0, len(texts), batch_size):
            total = self._scores(texts[s : s + batch_size])["total"]
            z = np.exp((total - total.max(axis=1, keepdims=True)) / TEMPERATURE)
            z /= z.sum(axis=1, keepdims=True)
            order = np.argsort(-total, axis=1, kind="stable")[:, :kk]
            idx[s : s + len(order)] = order
            prob[s : s + len(order)] = np.take_along_axis(z, order, axis=1)
        return idx, prob

    def _pick_code(self, i: int, ci: int, written: list[str], code_sim: npt.NDArray[np.float64]) -> str | None:
        cols = self._class_codes[ci]
        if not cols:
            return None
        listed = self.taxonomy.classes[ci].ewc_codes
        for w in written:
            for e in listed:
                if e.rstrip("*") == w.rstrip("*"):
                    return e
        # the class's first-listed code is its most typical one: a small prior in its favour
        best = max(range(len(cols)), key=lambda j: (code_sim[i, cols[j]] + PRIMARY_CODE_PRIOR * (j == 0), -j))
        return listed[best]

    def _explain(self, i: int, ci: int, sc: dict[str, Any]) -> str:
        owner = self._syn_owner
        cols = np.flatnonzero(owner == ci)
        j = cols[int(np.argmax(sc["syn_all"][i, cols]))]
        parts = [
            f"closest name {self._syn_texts[j]!r} (cosine {sc['syn'][i, ci]:.2f})",
            f"description cosine {sc['desc'][i, ci]:.2f}",
        ]
        codes = self._class_codes[ci]
        if codes:
            b = codes[int(np.argmax(sc["code_sim"][i, codes]))]
            parts.append(f"EWC {self._codes[b]} '{lookup_ewc(self._codes[b]).description}' "
                         f"(cosine {sc['ewc'][i, ci]:.2f})")
        p = sc["lex_phrase"].get((i, ci))
        if p:
            parts.append(f"the text contains the name {p!r}")
        if sc["code"][i, ci] > 0:
            parts.append("the text carries an EWC code this class lists")
        if (i, ci) in sc["why_not"]:
            parts.append(sc["why_not"][(i, ci)])
        return f"score {sc['total'][i, ci]:.3f}: " + "; ".join(parts)


_DEFAULT: dict[str, MaterialClassifier] = {}
_DEFAULT_LOCK = threading.Lock()


#: Longest description accepted, in characters.  A material description is a few words to a
#: few sentences; the scorer's cost grows with the text (a 1 MB string of EWC codes took 9 s),
#: so longer input is refused with this limit named.
MAX_TEXT_CHARS = 10_000


def _check_texts(texts: Any) -> list[str]:
    """The texts as a list of str: bytes are refused (their encoding is unknown), as is any text
    longer than :data:`MAX_TEXT_CHARS`."""
    if isinstance(texts, (bytes, bytearray, memoryview)):
        raise TypeError(
            f"texts is {type(texts).__name__}, not text; decode it first, e.g. "
            "classify_material(data.decode('utf-8'))"
        )
    if isinstance(texts, str):
        texts = [texts]
    texts = list(texts)
    for i, t in enumerate(texts):
        if isinstance(t, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"texts[{i}] is {type(t).__name__} ({bytes(t)[:40]!r}), not text; decode it "
                "first, e.g. value.decode('utf-8')"
            )
        if not isinstance(t, str):
            raise TypeError(f"texts[{i}] is {type(t).__name__} ({t!r}), not a string")
        if len(t) > MAX_TEXT_CHARS:
            raise InvalidInputError(
                f"texts[{i}] has {len(t)} characters, more than MAX_TEXT_CHARS={MAX_TEXT_CHARS} "
                "(symbioflows.materials.classify); describe one material per text, in a few "
                "words or sentences"
            )
    return texts


def classify_material(
    texts: Any,
    k: int = 3,
    *,
    explain: bool = False,
    backend: str = "auto",
    encoder: MaterialEncoder | None = None,
) -> list[list[MaterialPrediction]]:
    """Rank taxonomy classes (with an EWC code and a confidence) for free-text descriptions.

    Parameters
    ----------
    texts : str or sequence of str
        Descriptions as companies write them ("BF slag", "Altholz A2", "spent grain, wet").
    k : int, default 3
        Predictions per text.
    explain : bool, default False
        Fill ``MaterialPrediction.explanation`` with the evidence (closest name, cosines,
        matched synonym, EWC description).
    backend : {"auto", "sentence", "hashing"}
        Encoder backend when ``encoder`` is not given (classifiers are cached per backend).
    encoder : MaterialEncoder, optional

    Returns
    -------
    list of list of MaterialPrediction
        One ranked list per text (best first).

    Examples
    --------
    >>> r = classify_material("Altreifen / scrap tyres, shredded", k=2, backend="hashing")
    >>> r[0][0].material_class, r[0][0].ewc_code
    ('end_of_life_tyres', '16 01 03')
    >>> r = classify_material(["fly ash 10 01 02"], k=1, explain=True, backend="hashing")
    >>> "EWC code" in r[0][0].explanation
    True
    """
    if encoder is not None:
        clf = MaterialClassifier(encoder)
    else:
        with _DEFAULT_LOCK:
            cached = _DEFAULT.get(backend)
            if cached is None:
                cached = _DEFAULT[backend] = MaterialClassifier(MaterialEncoder(backend=backend))
            clf = cached
    return clf.predict(texts, k, explain=explain)
