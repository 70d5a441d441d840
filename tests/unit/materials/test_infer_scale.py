"""The free-text classification at scale (issue 16): each distinct text classified once, with
the same result as classifying every text on its own; the phrase index equals the scan it
replaced."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from symbioflows.materials.classify import MaterialClassifier, PhraseIndex
from symbioflows.materials.encoder import MaterialEncoder, normalize_text
from symbioflows.materials.infer import _distinct, infer_stream_classes

_WORDS = ["fly", "ash", "slag", "blast", "furnace", "steel", "scrap", "wood", "a", "b", "of",
          "from", "line", "2"]
_PHRASES = [["blast furnace slag", "slag", "furnace"], ["fly ash", "ash", "a b"],
            ["steel scrap", "scrap steel", "scrap"], ["wood", "a b of"], []]


def _scan(phrases: list[list[str]], text: str) -> dict[int, str]:
    """The reference: each owner's first phrase in order that occurs between spaces."""
    padded = f" {text} "
    out = {}
    for o, ps in enumerate(phrases):
        for p in ps:
            if f" {p} " in padded:
                out[o] = p
                break
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=9))
def test_phrase_index_equals_the_scan(words):
    text = " ".join(words)
    assert PhraseIndex(_PHRASES).first(text) == _scan(_PHRASES, text)


def test_phrase_index_on_the_taxonomy_phrases():
    clf = MaterialClassifier(MaterialEncoder(backend="hashing"))
    clf._build()
    texts = ["granulated blast furnace slag from line 2", "fly ash and bottom ash",
             "brewers spent grain wet", "scrap steel offcuts", "", "gypsum"]
    for t in texts:
        assert clf._phrase_index.first(normalize_text(t)) == _scan(clf._phrases, normalize_text(t))


def test_distinct_normalises_the_same_way_at_every_size():
    texts = ["Hüttensand", "huttensand", "HÜTTENSAND (bulk)", "fly-ash", "fly ash"]
    codes, uniq = _distinct(texts * 20_000)  # large: once the regex path differed
    assert uniq == ["huttensand", "huttensand bulk", "fly ash"]
    assert codes[:5].tolist() == [0, 0, 1, 2, 2]


def test_top_classes_ranks_as_predict():
    clf = MaterialClassifier(MaterialEncoder(backend="hashing"))
    texts = ["fly ash from our boilers", "spent grain", "scrap tyres shredded", "xyz"]
    idx, prob = clf.top_classes(texts, k=3, batch_size=2)
    for i, row in enumerate(clf.predict(texts, k=3)):
        assert [clf.taxonomy.classes[j].id for j in idx[i]] == [p.material_class for p in row]
        assert np.allclose(prob[i], [p.confidence for p in row], rtol=0, atol=1e-12)


def test_dedupe_gives_the_classes_of_one_text_at_a_time():
    """Each distinct text classified once gives every stream the class it gets alone."""
    sup = ["Fly ash from our boilers, wet", "fly ash from our boilers wet",
           "Hüttensand (GGBS)", "spent grain from the brewery", "used cooking oil"]
    dem = ["we need gypsum rock for wallboard", "cattle feed", "WE NEED GYPSUM ROCK FOR WALLBOARD",
           "looking for cement substitute"]
    mat = sup * 3 + dem * 3
    direction = ["supply"] * (3 * len(sup)) + ["demand"] * (3 * len(dem))
    together = infer_stream_classes(mat, direction, [None] * len(mat), backend="hashing")
    alone = pd.concat([infer_stream_classes([m], [d], [None], backend="hashing")
                       for m, d in zip(mat, direction)], ignore_index=True)
    def plain(df: pd.DataFrame) -> pd.DataFrame:  # None and NaN alike, whatever the dtype
        return df.astype(object).where(df.notna(), None)

    pd.testing.assert_frame_equal(plain(together), plain(alone))


def test_search_groups_find_exactly_the_pairs_of_the_fit_matrix():
    """The plan's candidate search uses search groups instead of the dense fit matrix: the
    compatible (supply key, demand key) pairs and their fits are those of the matrix."""
    from symbioflows.pipeline.candidates import material_fit_matrix, material_groups

    sup = ["fly ash from our boilers", "Hüttensand", "spent grain, wet", "scrap tyres",
           "surplus heat", "wood chips from the sawmill", "mixed plastics", "xyz 123"]
    dem = ["we need gypsum rock for wallboard", "cattle feed", "cement substitute",
           "fuel for the kiln", "district heat", "compost", "steel scrap"]
    mat = sup + dem
    direction = ["supply"] * len(sup) + ["demand"] * len(dem)
    inf = infer_stream_classes(mat, direction, [None] * len(mat), backend="hashing",
                               sector=[""] * len(mat))
    keys = list(inf["group_key"]) + ["class:coal_fly_ash", "class:blast_furnace_slag",
                                     "ewc:100102", "text:foo"]
    direction += ["supply", "demand", "supply", "demand"]
    direction += ["demand", "supply"]  # a key on both sides: it pairs with itself
    keys += ["ewc:100102", "class:coal_fly_ash"]
    streams = pd.DataFrame({"group_key": keys, "direction": direction})
    for min_fit in (0.25, 0.0, 0.6):
        group_of, groups = material_groups(streams, min_fit)
        dense = material_fit_matrix(groups.keys, min_fit)
        sk = sorted({group_of[k] for k, d in zip(keys, direction) if d == "supply"})
        dk = sorted({group_of[k] for k, d in zip(keys, direction) if d == "demand"})
        assert (dense[np.ix_(sk, dk)] > 0).sum() >= 5
        for i in sk:
            for j in dk:
                meets = groups.search_compat[groups.sup_search[i], groups.dem_search[j]] > 0
                assert meets == (dense[i, j] > 0), (groups.keys[i], groups.keys[j], min_fit)
                assert groups.pair_fit([i], [j])[0] == dense[i, j]


def test_a_demand_that_names_no_input_is_classified_in_the_plan_path():
    """A text read through its sector ("raw material for a wallboard plant") once deadlocked
    classify_needs_table, which held a scores lock while the sector table took it again."""
    import threading

    from symbioflows.materials.infer import classify_needs_table

    out: list[object] = []
    t = threading.Thread(target=lambda: out.append(classify_needs_table(
        ["raw material for a wallboard plant", "cattle feed"], backend="hashing")), daemon=True)
    t.start()
    t.join(60)
    assert out, "classify_needs_table did not return within 60 s (lock taken twice?)"


def test_need_readings_do_not_leak_between_threads():
    """What a batch of demand texts asks for (product, requested) is returned with its scores,
    not kept on the shared classifier between calls: threads reading different texts at once
    get what each reads alone."""
    from concurrent.futures import ThreadPoolExecutor

    from symbioflows.materials.infer import classify_needs_table

    batches = [["clinker substitute", "cement production"],
               ["ready-mixed concrete", "steel scrap for the electric arc furnace"],
               ["raw material for a wallboard plant"],
               ["cattle feed", "alternative fuels for the kiln", "recycled paper mill"]] * 3
    alone = [classify_needs_table(b, backend="hashing") for b in batches]
    with ThreadPoolExecutor(4) as ex:
        together = list(ex.map(lambda b: classify_needs_table(b, backend="hashing"), batches))
    for a, b in zip(alone, together):
        assert (a.ids == b.ids).all() and (a.probs == b.probs).all()
        assert (a.product == b.product).all() and (a.requested == b.requested).all()


_CLS = ["coal_fly_ash", "blast_furnace_slag", "brewers_spent_grain", "manure", "glass_cullet",
        "pet_plastic", "waste_heat_low_temp", "steam", "waste_wood", "steel_slag"]
_NEEDS = ["portland_cement", "animal_feed", "virgin_pet", "glass_batch", "gas_steam",
          "natural_gypsum", "virgin_wood"]


@st.composite
def _supply_key(draw):
    cls = draw(st.lists(st.sampled_from(_CLS), min_size=1, max_size=3, unique=True))
    if len(cls) == 1 and draw(st.booleans()):
        return f"class:{cls[0]}"
    steps = draw(st.lists(st.integers(1, 18), min_size=len(cls), max_size=len(cls)))
    steps = sorted(steps, reverse=True)
    return "mix:" + ",".join(f"{c}={s * 0.05:.2f}" for c, s in zip(cls, steps))


@st.composite
def _demand_key(draw):
    if draw(st.booleans()):
        return f"class:{draw(st.sampled_from(_CLS))}"
    needs = draw(st.lists(st.sampled_from(_NEEDS), min_size=1, max_size=2, unique=True))
    key = "need:" + ",".join(f"{n}={1 / len(needs):.2f}" for n in needs)
    if draw(st.booleans()):
        key += f"|named={draw(st.sampled_from(_CLS))}"
    if draw(st.booleans()):
        key += f"|sector={draw(st.sampled_from(['23.51', '01.41', '22.21', '10.51']))}"
    return key


@settings(max_examples=60, deadline=None)
@given(st.lists(_supply_key(), min_size=1, max_size=6, unique=True),
       st.lists(_demand_key(), min_size=1, max_size=6, unique=True),
       st.sampled_from([0.25, 0.0, 0.6]))
def test_search_sets_equal_pair_fits_on_any_keys(sup, dem, min_fit):
    """Property: for any supply and demand keys, the search finds exactly the pairs whose
    fit reaches ``min_fit``, and a runner-up below ``RAISE_MIN_PROB`` never makes one."""
    from symbioflows.materials.infer import RAISE_MIN_PROB, GroupFits, _parse
    from symbioflows.materials.taxonomy import load_taxonomy
    from symbioflows.pipeline.candidates import material_fit_matrix, material_groups

    dem = [k for k in dem if k not in sup]
    if not dem:
        return
    keys = sup + dem
    direction = ["supply"] * len(sup) + ["demand"] * len(dem)
    group_of, groups = material_groups(pd.DataFrame({"group_key": keys,
                                                     "direction": direction}), min_fit)
    dense = material_fit_matrix(groups.keys, min_fit)
    raw = GroupFits(groups.keys, min_fit)
    tax = load_taxonomy()
    for s in sup:
        i = group_of[s]
        _kind, vals, _n, _sec = _parse(s)
        for d in dem:
            j = group_of[d]
            meets = groups.search_compat[groups.sup_search[i], groups.dem_search[j]] > 0
            assert meets == (dense[i, j] > 0), (s, d, min_fit)
            assert groups.pair_fit([i], [j])[0] == dense[i, j]
            # the classes that may make the pair: the top one and likely runners-up
            likely = [c for r, (c, p) in enumerate(vals.items()) if r == 0 or p >= RAISE_MIN_PROB]
            col = raw._f[raw._col[j]]
            best = max(col[tax.index_of(c)] for c in likely)
            assert (dense[i, j] > 0) == (best >= min_fit and best > 0), (s, d, min_fit)


def test_auto_reads_with_the_sentence_model_up_to_the_limit():
    """``text_backend="auto"``: the sentence model (when installed) up to SENTENCE_MAX_TEXTS
    distinct texts, hashing beyond; a named backend is kept at any size."""
    from symbioflows.materials import sentence_model_available
    from symbioflows.materials.infer import SENTENCE_MAX_TEXTS, resolve_text_backend

    assert SENTENCE_MAX_TEXTS == 10_000  # docs/benchmarks.md, "Which encoder reads ..."
    at = resolve_text_backend("auto", SENTENCE_MAX_TEXTS)
    assert at == ("sentence" if sentence_model_available() else "hashing")
    assert resolve_text_backend("auto", SENTENCE_MAX_TEXTS + 1) == "hashing"
    assert resolve_text_backend("sentence", 10 * SENTENCE_MAX_TEXTS) == "sentence"
