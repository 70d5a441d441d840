"""Text embeddings for the learners: the materials encoder family, re-exported.

The encoders live in :mod:`symbioflows.materials.encoder` (one text encoder family, one
sentence-model loader).  ``hashing_embed`` is kept one release as a deprecated alias.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from symbioflows.materials.encoder import TextEncoder, embed_texts, make_text_encoder

__all__ = ["TextEncoder", "hashing_embed", "make_text_encoder"]


def hashing_embed(texts: Sequence[str], dim: int = 128) -> np.ndarray:
    """Deprecated: use ``symbioflows.materials.embed_texts(texts, backend="hashing", dim=dim)``."""
    warnings.warn(
        "symbioflows.learn._embed.hashing_embed is deprecated and will be removed in the next "
        "release; use symbioflows.materials.embed_texts(texts, backend='hashing', dim=dim)",
        DeprecationWarning,
        stacklevel=2,
    )
    return embed_texts(list(texts), backend="hashing", dim=dim)[0]
