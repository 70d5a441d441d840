"""Text helpers for matching: tokenising, NACE / EWC code normalisation and embeddings.

Embeddings come from :mod:`symbioflows.materials.encoder` (the offline ``all-MiniLM-L6-v2``
sentence model with the ``embed`` extra, else the native hashing encoder).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from symbioflows.data.ewc import ewc_digits
from symbioflows.data.nace import nace_digits

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


#: The lenient NACE reader, kept under its old name here; the one home is
#: :func:`symbioflows.data.nace.nace_digits` (``'24.10'`` -> ``'2410'``, ``None`` if unreadable).
normalize_nace = nace_digits


def nace_division(code: str | None) -> str | None:
    """First two digits of a normalised NACE code."""
    return code[:2] if code else None


def embed_texts(texts: Sequence[str], *, backend: str = "auto") -> tuple[np.ndarray, str]:
    """Embed texts as L2-normalised float32 rows (hashing backend: :data:`HASH_DIM` dimensions).

    A thin front of :func:`symbioflows.materials.embed_texts`, the library's one text encoder
    family (texts deduplicated and cached process-wide).

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
    from symbioflows.materials.encoder import embed_texts as _embed

    return _embed(texts, backend=backend, dim=HASH_DIM)
