from __future__ import annotations

import numpy as np
import pytest

from symbioflows.errors import InvalidInputError, UnsafeFileError
from symbioflows.materials import MaterialEncoder, normalize_text


def test_hashing_is_deterministic_unit_and_cached():
    enc = MaterialEncoder(backend="hashing", cache_size=2)
    a = enc.encode(["Fly ash", "fly-ash", "", "spent grain"])
    assert a.shape == (4, 384) and a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a[[0, 1, 3]], axis=1), 1, atol=1e-5)
    assert np.all(a[2] == 0)  # empty text: zero vector
    np.testing.assert_array_equal(a[0], a[1])
    assert len(enc._cache) == 2  # LRU bound
    b = MaterialEncoder(backend="hashing").encode(["Fly ash"])
    np.testing.assert_array_equal(a[0], b[0])
    assert enc.encode([]).shape == (0, 384)


def test_bad_arguments():
    with pytest.raises(InvalidInputError):
        MaterialEncoder(backend="word2vec")
    with pytest.raises(TypeError, match="texts\\[1\\]"):
        MaterialEncoder(backend="hashing").encode(["a", None])
    with pytest.raises(InvalidInputError):
        MaterialEncoder(backend="hashing", ngram_range=(4, 2))


def test_disk_cache_roundtrip_and_tamper(tmp_path):
    d = tmp_path / "c"
    enc = MaterialEncoder(backend="hashing", cache_dir=d)
    v = enc.encode(["whey", "BF slag"])
    enc.save_cache()
    enc2 = MaterialEncoder(backend="hashing", cache_dir=d)
    assert len(enc2._cache) == 2
    np.testing.assert_array_equal(enc2.encode(["whey"])[0], v[0])
    (d / "vectors.npz").write_bytes(b"garbage")
    with pytest.raises(UnsafeFileError):
        MaterialEncoder(backend="hashing", cache_dir=d)


def test_normalize_text():
    assert normalize_text("Lactosérum / WHEY!") == "lactoserum whey"


def test_sentence_backend(sentence_encoder):
    v = sentence_encoder.encode(["coal fly ash", "pulverised fuel ash (PFA)", "used cooking oil"])
    assert v.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2]
    assert sentence_encoder.backend_ == "sentence" and "MiniLM" in sentence_encoder.model_id


def test_one_encoder_family_shared_across_packages():
    import warnings

    from symbioflows.learn._embed import hashing_embed
    from symbioflows.learn._embed import make_text_encoder as learn_make
    from symbioflows.matching.text import embed_texts as matching_embed
    from symbioflows.materials import embed_texts, make_text_encoder, shared_encoder

    assert learn_make is make_text_encoder
    a, name = matching_embed(["coal fly ash"], backend="hashing")
    b, _ = embed_texts(["coal fly ash"], backend="hashing", dim=512)
    assert name == "hashing" and np.array_equal(a, b)
    assert shared_encoder("hashing", dim=512) is shared_encoder("hashing", dim=512)
    enc = make_text_encoder("hashing", dim=128)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        old = hashing_embed(["coal fly ash"], 128)
    assert any(issubclass(w.category, DeprecationWarning) for w in rec)
    assert np.array_equal(old, enc(["coal fly ash"]))


def test_encoder_pickles_without_its_cache():
    import pickle

    enc = MaterialEncoder(backend="hashing", dim=64)
    v = enc.encode(["spent grain"])
    back = pickle.loads(pickle.dumps(enc))
    assert len(back._cache) == 0 and np.array_equal(back.encode(["spent grain"]), v)
