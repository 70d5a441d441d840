from __future__ import annotations

import json

import pytest

from symbioflows._persist import load_artifact, save_artifact
from symbioflows.errors import FormatVersionError, InvalidInputError, UnsafeFileError


def test_round_trip_and_overwrite(tmp_path):
    p = tmp_path / "art"
    save_artifact(p, kind="k", version=2, meta={"a": [1, 2]}, payloads={"w.npz": b"\x00\x01"})
    save_artifact(p, kind="k", version=2, meta={"a": 3}, payloads={"w.npz": b"new"})
    meta, pay = load_artifact(p, kind="k", max_version=2)
    assert meta == {"a": 3} and pay == {"w.npz": b"new"}
    assert [x.name for x in tmp_path.iterdir()] == ["art"]  # no temporaries left


def test_tampered_truncated_missing(tmp_path):
    p = tmp_path / "art"
    save_artifact(p, kind="k", version=1, payloads={"w.bin": b"abcdef"})
    (p / "w.bin").write_bytes(b"abcdeX")
    with pytest.raises(UnsafeFileError, match="sha256"):
        load_artifact(p, kind="k", max_version=1)
    (p / "w.bin").write_bytes(b"abc")
    with pytest.raises(UnsafeFileError, match="truncated"):
        load_artifact(p, kind="k", max_version=1)
    (p / "w.bin").unlink()
    with pytest.raises(UnsafeFileError, match="missing"):
        load_artifact(p, kind="k", max_version=1)


def test_wrong_kind_version_and_not_artifact(tmp_path):
    p = tmp_path / "art"
    save_artifact(p, kind="k", version=3, payloads={})
    with pytest.raises(FormatVersionError):
        load_artifact(p, kind="k", max_version=2)
    with pytest.raises(UnsafeFileError, match="not a 'other'"):
        load_artifact(p, kind="other", max_version=3)
    with pytest.raises(UnsafeFileError):
        load_artifact(tmp_path / "nothing", kind="k", max_version=1)
    m = json.loads((p / "manifest.json").read_text())
    m["payloads"] = {"../escape": {"size": 0, "sha256": ""}}
    (p / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(UnsafeFileError):
        load_artifact(p, kind="k", max_version=3)


def test_bad_arguments(tmp_path):
    with pytest.raises(InvalidInputError):
        save_artifact(tmp_path / "a", kind="k", version=0, payloads={})
    with pytest.raises(InvalidInputError):
        save_artifact(tmp_path / "a", kind="k", version=1, payloads={"../x": b""})
    (tmp_path / "plain").mkdir()
    with pytest.raises(InvalidInputError, match="not a symbioflows artefact"):
        save_artifact(tmp_path / "plain", kind="k", version=1, payloads={})
