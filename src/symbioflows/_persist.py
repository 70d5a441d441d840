"""Safe persistence for every saved artefact (indexes, models, plans).

An artefact is a directory holding a ``manifest.json`` and one file per payload.  The
manifest records the artefact ``kind``, its format ``version``, free JSON metadata, and the
size and sha256 of every payload; :func:`load_artifact` checks all of them before returning a
byte.  Payloads are opaque bytes chosen by the caller from safe formats only (npz with
``allow_pickle=False``, safetensors, Parquet with an explicit schema, FAISS's own format,
JSON); nothing here unpickles anything.

Writes are atomic: the artefact is written to a temporary sibling directory, fsynced, and
moved into place with :func:`os.replace`, so a crash never leaves a half-written artefact
where a good one was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from symbioflows.errors import FormatVersionError, InvalidInputError, UnsafeFileError

__all__ = ["save_artifact", "load_artifact", "MANIFEST", "MAX_PAYLOAD_BYTES"]

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


def save_artifact(
    path: str | os.PathLike[str],
    *,
    kind: str,
    version: int,
    meta: dict[str, Any] | None = None,
    payloads: dict[str, bytes],
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
    try:
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
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def load_artifact(
    path: str | os.PathLike[str], *, kind: str, max_version: int
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Read and verify an artefact written by :func:`save_artifact`.

    Raises
    ------
    UnsafeFileError
        Not an artefact, wrong kind, a payload missing, resized or whose sha256 differs, or an
        unexpected file name in the manifest.
    FormatVersionError
        Written by a newer format version than ``max_version``.
    """
    root = Path(path)
    mpath = root / MANIFEST
    if not mpath.is_file():
        raise UnsafeFileError(f"{root} is not a symbioflows artefact (no {MANIFEST})")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnsafeFileError(f"{mpath}: unreadable manifest ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("magic") != MAGIC:
        raise UnsafeFileError(f"{mpath}: not a symbioflows manifest")
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
