"""Safe persistence for every saved artefact (indexes, models, plans).

An artefact is a directory holding a ``manifest.json`` and one file per payload.  The
manifest records the artefact ``kind``, its format ``version``, free JSON metadata, and the
size and sha256 of every payload; :func:`load_artifact` checks all of them before returning a
byte.  Payloads are opaque bytes chosen by the caller from safe formats only (npz with
``allow_pickle=False``, safetensors, Parquet with an explicit schema, FAISS's own format,
JSON); nothing here unpickles anything.

Writes are atomic: the artefact is written to a temporary sibling directory, fsynced, and
moved into place.  Over an existing artefact the two directories are swapped in one step
(Linux ``renameat2(RENAME_EXCHANGE)``); where that call is missing, the old artefact is moved
aside and moved back if the new one cannot take its place.  A crash or a failed save never
leaves the target without a complete artefact.

What the sha256 does and does not do
------------------------------------
The manifest's sha256 per payload detects *accidents*: a truncated copy, a flipped bit, a
payload from another artefact.  It is no protection against someone who edits a payload on
purpose, since they can recompute the manifest as well.  For artefacts that cross a trust
boundary (downloaded, shared between organisations), sign them: pass ``key=`` (at least 16
bytes) to :func:`save_artifact` and :func:`load_artifact`, or set the environment variable
``SYMBIOFLOWS_ARTIFACT_KEY`` to the key in hex (every ``save``/``load`` of the library then
signs and checks).  The signature is an HMAC-SHA256 over the whole manifest (kind, version,
metadata and every payload's sha256).  With a key, a load refuses an unsigned artefact or a
wrong signature (:class:`~symbioflows.errors.UnsafeFileError`).  Whatever the signature,
payloads are parsed by loaders that turn every malformed input into
:class:`~symbioflows.errors.UnsafeFileError` (see :func:`decoding`), never unpickled.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import hashlib
import hmac
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from symbioflows.errors import FormatVersionError, InvalidInputError, UnsafeFileError

__all__ = ["save_artifact", "load_artifact", "decoding", "MANIFEST", "MAX_PAYLOAD_BYTES",
           "KEY_ENV"]

#: Environment variable holding a signing key in hex (see the module notes).
KEY_ENV = "SYMBIOFLOWS_ARTIFACT_KEY"
_MIN_KEY_BYTES = 16
_SIG_ALG = "hmac-sha256"

MANIFEST = "manifest.json"
MAGIC = "symbioflows-artifact"
#: Refuse payloads larger than this when loading (a crafted manifest cannot make us read more).
MAX_PAYLOAD_BYTES = 1 << 36  # 64 GiB
_SAFE_NAME = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def _check_name(name: str) -> None:
    if (
        not name
        or name in (".", "..", MANIFEST)
        or not set(name) <= _SAFE_NAME
        or name.startswith(".")
    ):
        raise InvalidInputError(
            f"payload name {name!r} is not allowed; use letters, digits, '.', '_' or '-'"
        )


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _load_renameat2() -> Callable[[str, str], None] | None:
    """``renameat2(RENAME_EXCHANGE)``: swap two paths atomically (Linux >= 3.15, glibc >= 2.28)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    at_fdcwd, rename_exchange = -100, 2

    def exchange(a: str, b: str) -> None:
        if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), a, None, b)

    return exchange


#: Atomic swap of two directories, or None where the system has none (then a two-step move
#: with restore on failure is used).
_exchange: Callable[[str, str], None] | None = _load_renameat2()


def _move_into_place(tmp: Path, target: Path) -> None:
    """Put the directory ``tmp`` at ``target``; an existing ``target`` survives any failure."""
    if not target.exists():
        os.replace(tmp, target)
        return
    if _exchange is not None:
        try:
            _exchange(str(tmp), str(target))
        except OSError as exc:
            import errno

            if exc.errno not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EXDEV):
                raise  # a real failure: nothing was swapped, the old artefact is untouched
        else:
            shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the old artefact
            return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.replace(target, old)
    try:
        os.replace(tmp, target)
    except BaseException:
        os.replace(old, target)  # put the good copy back before reporting the failure
        raise
    shutil.rmtree(old, ignore_errors=True)


def _resolve_key(key: bytes | None) -> bytes | None:
    if key is None:
        env = os.environ.get(KEY_ENV)
        if not env:
            return None
        try:
            key = bytes.fromhex(env.strip())
        except ValueError as exc:
            raise InvalidInputError(
                f"{KEY_ENV} must hold the signing key in hex (at least {_MIN_KEY_BYTES} bytes); "
                "e.g. python -c 'import secrets; print(secrets.token_hex(32))'") from exc
    if not isinstance(key, (bytes, bytearray)) or len(key) < _MIN_KEY_BYTES:
        raise InvalidInputError(
            f"the signing key must be bytes, at least {_MIN_KEY_BYTES} long; got "
            f"{type(key).__name__}" + (f" of {len(key)} bytes" if isinstance(key, (bytes, bytearray)) else "")
            + "; e.g. key=secrets.token_bytes(32)")
    return bytes(key)


def _signature(manifest: dict[str, Any], key: bytes) -> str:
    body = {k: v for k, v in manifest.items() if k != "signature"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


@contextlib.contextmanager
def decoding(path: str | os.PathLike[str], what: str) -> Iterator[None]:
    """Turn every error raised while a loader parses verified payloads into
    :class:`~symbioflows.errors.UnsafeFileError`.

    The sha256 proves that the bytes are those written at save time, not that a friendly
    program wrote them: a crafted payload with a recomputed manifest reaches numpy, Arrow,
    JSON and the loader's own code, which raise ``BadZipFile``, ``ValueError``, ``KeyError``,
    ``TypeError``, ``OverflowError``, ``RecursionError``, ... .  Wrap the parsing in
    ``with decoding(path, "material index"):`` so the caller sees one documented exception
    (chained from the original).  ``UnsafeFileError``, ``FormatVersionError`` and a missing
    optional dependency (``ImportError``) pass through unchanged.

    Examples
    --------
    >>> import json
    >>> with decoding("plan", "plan artefact"):
    ...     json.loads(b"[1, 2]")["n"]
    Traceback (most recent call last):
    ...
    symbioflows.errors.UnsafeFileError: plan: malformed plan artefact (TypeError: list indices must be integers or slices, not str)
    """
    try:
        yield
    except (UnsafeFileError, FormatVersionError, ImportError):
        raise
    except (Exception, RecursionError, MemoryError) as exc:  # noqa: BLE001 - see docstring
        msg = str(exc)
        if len(msg) > 300:
            msg = msg[:300] + "..."
        raise UnsafeFileError(f"{path}: malformed {what} ({type(exc).__name__}: {msg})") from exc


def save_artifact(
    path: str | os.PathLike[str],
    *,
    kind: str,
    version: int,
    meta: dict[str, Any] | None = None,
    payloads: dict[str, bytes],
    key: bytes | None = None,
) -> Path:
    """Write an artefact directory atomically.

    Parameters
    ----------
    path : path-like
        Target directory (replaced if it exists and is an artefact).
    kind : str
        What this is, e.g. ``"material-index"``; checked on load.
    version : int
        Format version of ``kind``; loaders refuse versions newer than they know.
    meta : dict, optional
        JSON-serialisable metadata.
    payloads : dict of str to bytes
        File name -> content.
    key : bytes, optional
        Sign the manifest with HMAC-SHA256 under this key (at least 16 bytes); default: the
        hex key in ``SYMBIOFLOWS_ARTIFACT_KEY`` if set, else unsigned.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, os
    >>> d = os.path.join(tempfile.mkdtemp(), "a")
    >>> _ = save_artifact(d, kind="demo", version=1, meta={"n": 1}, payloads={"x.bin": b"hi"})
    >>> load_artifact(d, kind="demo", max_version=1)
    ({'n': 1}, {'x.bin': b'hi'})
    """
    target = Path(path)
    if not isinstance(version, int) or version < 1:
        raise InvalidInputError(f"version must be a positive int; got {version!r}")
    entries = {}
    for name, data in payloads.items():
        _check_name(name)
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidInputError(f"payload {name!r} must be bytes; got {type(data).__name__}")
        b = bytes(data)
        entries[name] = {"sha256": hashlib.sha256(b).hexdigest(), "size": len(b)}
    manifest = {
        "magic": MAGIC,
        "kind": kind,
        "version": version,
        "meta": meta or {},
        "payloads": entries,
    }
    signing_key = _resolve_key(key)
    try:
        if signing_key is not None:
            manifest["signature"] = {"alg": _SIG_ALG, "value": _signature(manifest, signing_key)}
        manifest_text = json.dumps(manifest, indent=2, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"artefact metadata is not plain JSON: {exc}") from exc
    if target.exists() and not (target / MANIFEST).exists():
        raise InvalidInputError(
            f"{target} exists and is not a symbioflows artefact; refusing to overwrite it"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        for name, data in payloads.items():
            with open(tmp / name, "wb") as fh:
                fh.write(bytes(data))
                fh.flush()
                os.fsync(fh.fileno())
        with open(tmp / MANIFEST, "w", encoding="utf-8") as fh:
            fh.write(manifest_text)
            fh.flush()
            os.fsync(fh.fileno())
        _fsync_dir(tmp)
        _move_into_place(tmp, target)
        _fsync_dir(target.parent)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def load_artifact(
    path: str | os.PathLike[str], *, kind: str, max_version: int, key: bytes | None = None
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Read and verify an artefact written by :func:`save_artifact`.

    Parameters
    ----------
    path : path-like
    kind : str
        The expected kind.
    max_version : int
        Newest format version the caller reads.
    key : bytes, optional
        Check the HMAC-SHA256 signature with this key and refuse unsigned artefacts; default:
        the hex key in ``SYMBIOFLOWS_ARTIFACT_KEY`` if set, else signatures are not checked.

    Raises
    ------
    UnsafeFileError
        Not an artefact, wrong kind, a payload missing, resized or whose sha256 differs, an
        unexpected file name in the manifest, or (with a key) unsigned or a wrong signature.
    FormatVersionError
        Written by a newer format version than ``max_version``.
    """
    root = Path(path)
    mpath = root / MANIFEST
    if not mpath.is_file():
        aside = sorted(root.parent.glob(f".{root.name}.old-*")) if root.name else []
        hint = (f"; an interrupted save left the previous artefact at {aside[0]}: move it back "
                f"to {root}") if aside and not root.exists() else ""
        raise UnsafeFileError(f"{root} is not a symbioflows artefact (no {MANIFEST}){hint}")
    try:
        if mpath.stat().st_size > 1 << 24:
            raise UnsafeFileError(f"{mpath}: manifest larger than 16 MiB")
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise UnsafeFileError(f"{mpath}: unreadable manifest ({type(exc).__name__}: {exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("magic") != MAGIC:
        raise UnsafeFileError(f"{mpath}: not a symbioflows manifest")
    check_key = _resolve_key(key)
    if check_key is not None:
        sig = manifest.get("signature")
        if not isinstance(sig, dict) or "value" not in sig:
            raise UnsafeFileError(
                f"{root} is not signed, and a signing key was given (key= or {KEY_ENV}); "
                "refusing an artefact of unknown origin")
        if sig.get("alg") != _SIG_ALG or not isinstance(sig["value"], str) or not \
                hmac.compare_digest(sig["value"], _signature(manifest, check_key)):
            raise UnsafeFileError(
                f"{root}: the signature does not match (edited after signing, or signed with "
                "another key)")
    if manifest.get("kind") != kind:
        raise UnsafeFileError(f"{root} holds a {manifest.get('kind')!r}, not a {kind!r}")
    version = manifest.get("version")
    if not isinstance(version, int) or version < 1:
        raise UnsafeFileError(f"{mpath}: bad format version {version!r}")
    if version > max_version:
        raise FormatVersionError(
            f"{root} has format version {version}; this release reads up to {max_version}: "
            "upgrade symbioflows"
        )
    entries = manifest.get("payloads")
    if not isinstance(entries, dict):
        raise UnsafeFileError(f"{mpath}: payload list missing")
    out: dict[str, bytes] = {}
    for name, info in entries.items():
        try:
            _check_name(name)
        except InvalidInputError as exc:
            raise UnsafeFileError(f"{mpath}: {exc}") from exc
        if not isinstance(info, dict):
            raise UnsafeFileError(f"{mpath}: bad entry for {name!r}")
        size, digest = info.get("size"), info.get("sha256")
        if not isinstance(size, int) or not 0 <= size <= MAX_PAYLOAD_BYTES:
            raise UnsafeFileError(f"{mpath}: bad size for {name!r}")
        fpath = root / name
        if not fpath.is_file() or fpath.is_symlink():
            raise UnsafeFileError(f"{root}: payload {name!r} is missing")
        if fpath.stat().st_size != size:
            raise UnsafeFileError(f"{root}: payload {name!r} is truncated or resized")
        data = fpath.read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            raise UnsafeFileError(f"{root}: payload {name!r} fails its sha256 check (tampered?)")
        out[name] = data
    meta = manifest.get("meta", {})
    if not isinstance(meta, dict):
        raise UnsafeFileError(f"{mpath}: metadata is not an object")
    return meta, out
