"""Business-word features of the receiver scorer (organisations of one NACE class need not
tie), their statistics, and the per-setting learned models of the evaluation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sf_test_helpers import MAESTRI_DATA as DATA
from sf_test_helpers import needs_maestri as needs_data
from symbioflows.errors import InvalidInputError
from symbioflows.matching.learned import (
    BUSINESS_FEATURES,
    FEATURES,
    Candidate,
    Query,
    ReceiverScorer,
    SectorStatistics,
    business_words,
    pair_features,
)

ASH = Query("Fly ash from the coal boiler", "100102", "3511", "Power plant")
STEAM = Query("Excess steam", None, "3511", "Power plant")
#: two organisations of one class (2351) and one of another; the donor itself (3511)
ORGS = [Candidate("Cement plant. Manufacture of cement", "2351", business="Cement plant"),
        Candidate("Lime kiln. Manufacture of cement", "2351", business="Lime kiln"),
        Candidate("Greenhouses. Growing of vegetables", "0113", business="Greenhouses"),
        Candidate("Power plant. Production of electricity", "3511", business="Power plant")]


def _stats() -> SectorStatistics:
    qs = [ASH, ASH, STEAM, STEAM, Query("Fly ash", "100102", "3511", "Power plants")]
    recv = ["2351", "2351", "0113", "0113", "2351"]
    business = ["Cement plant", "Cement plants", "Greenhouse", "Greenhouses", "Cement plant"]
    return SectorStatistics.from_pairs(qs, recv, receiver_business=business)


def _col(name: str) -> int:
    return FEATURES.index(name)


def test_business_words():
    assert business_words("Cement plants") == ["cement", "plant"]
    assert business_words("Glass and the glass works") == ["glass", "work"]
    assert business_words("") == [] and business_words(None) == []
    assert business_words("Process") == ["process"]  # "ss" is not a plural


def test_statistics_count_business_words_and_round_trip():
    st = _stats()
    assert st.bword_counts["cement"] == 3 and st.bword_counts["greenhouse"] == 2
    assert st.bword_by_token["ash"]["cement"] == 3 and "greenhouse" not in st.bword_by_token["ash"]
    assert st.bword_by_ewc4["1001"]["plant"] == 3
    assert st.bword_by_donor_div["35"]["greenhouse"] == 2
    assert st.donor_class_counts["3511"] == 5 and st.donor_bword_counts["power"] == 5
    back = SectorStatistics.from_json(st.to_json())
    assert back.to_json() == st.to_json()
    # pruning drops business words of fewer than 2 exchanges everywhere
    st2 = SectorStatistics.from_pairs([ASH, STEAM], ["2351", "0113"],
                                      receiver_business=["Cement plant", "Greenhouse"])
    p = st2.pruned(min_token_count=2)
    assert not p.bword_counts and not any(p.bword_by_ewc4.values())
    with pytest.raises(InvalidInputError, match="receiver_business"):
        SectorStatistics.from_pairs([ASH], ["2351"], receiver_business=["a", "b"])


def test_business_nb_breaks_ties_within_a_class():
    st = _stats()
    x = pair_features([ASH, STEAM], ORGS, st, needed=frozenset(BUSINESS_FEATURES))
    nb = x[:, :, _col("business_nb")]
    # fly ash went to cement plants: the cement plant beats the lime kiln of the same class
    assert nb[0, 0] > nb[0, 1] and nb[0, 0] == nb[0].max()
    assert nb[1, 2] == nb[1].max()  # steam went to greenhouses
    assert np.allclose(nb.mean(axis=1), 0.0)  # centred per query
    # candidates without a business (NACE classes) all score alike
    bare = [Candidate("Manufacture of cement", "2351"), Candidate("Growing of vegetables", "0113")]
    xb = pair_features([ASH], bare, st, needed=frozenset({"business_nb"}))
    assert np.all(xb[0, :, _col("business_nb")] == 0.0)
    # only the requested features are computed
    others = [k for k, f in enumerate(FEATURES) if f not in BUSINESS_FEATURES]
    assert not x[:, :, others].any()


def test_is_donor_and_receiver_shares():
    st = _stats()
    x = pair_features([ASH], ORGS, st, needed=frozenset(
        {"is_donor", "receiver_share_class", "receiver_share_business"}))
    assert list(x[0, :, _col("is_donor")]) == [0.0, 0.0, 0.0, 1.0]
    rc = x[0, :, _col("receiver_share_class")]
    assert rc[0] > 0 and rc[3] < 0  # 2351 only received, 3511 only gave
    rb = x[0, :, _col("receiver_share_business")]
    assert rb[0] > 0 and rb[3] < 0 and rb[1] == 0.0  # "lime kiln": never seen
    # a donor without a business description is never "the donor itself"
    xq = pair_features([Query("Fly ash", None, "3511")], ORGS, st, needed=frozenset({"is_donor"}))
    assert not xq.any()


def test_fit_counts_business_and_checks_lengths():
    qs = [ASH, STEAM, ASH, STEAM, ASH, STEAM]
    recv = ["2351", "0113"] * 3
    business = ["Cement plant", "Greenhouses"] * 3
    groups = [0, 0, 1, 1, 2, 2]
    pools = [(ORGS, [(k, 0 if r == "2351" else 2) for k, r in enumerate(recv)])]
    s = ReceiverScorer(embed_backend="hashing", feature_subset=("naive_bayes", "business_nb"),
                       C_grid=None).fit(qs, recv, groups, pools, receiver_business=business)
    assert s.stats_.bword_counts["cement"] == 3
    sc = s.score([ASH], ORGS)
    assert sc[0, 0] > sc[0, 1]  # the cement plant above the lime kiln of its class
    with pytest.raises(InvalidInputError, match="receiver_business"):
        ReceiverScorer(embed_backend="hashing").fit(qs, recv, groups, pools,
                                                    receiver_business=business[:2])


def test_version_2_artefact_loads_without_business_weights():
    d = ReceiverScorer.untrained(embed_backend="hashing").to_json()
    d["version"] = 2
    for f in (*BUSINESS_FEATURES, "receiver_share_class"):
        del d["weights"][f]
    del d["stats"]["bword_counts"]
    s = ReceiverScorer.from_json(d)
    assert all(s.weights_[f] == 0.0 for f in BUSINESS_FEATURES)
    d["version"] = 3
    with pytest.raises(Exception, match="lacks weights"):
        ReceiverScorer.from_json(d)


@needs_data
def test_case_model_is_fitted_on_case_lists_of_training_cases(monkeypatch):
    """One learned model per setting; the `case` one learns from the training cases'
    organisation lists, and its business counts come from the training rows only."""
    import symbioflows.evaluate as ev
    import symbioflows.evaluate.receivers as ev_receivers

    df = ev.load_maestri(DATA).rows
    with pytest.raises(InvalidInputError, match="pools"):
        ev.fit_learned(df.head(5), ev.nace_pool(df), pools="park")
    seen: list[tuple[pd.DataFrame, str, ReceiverScorer]] = []
    real_fit = ev.fit_learned

    def spy(train, pool_all, **kw):
        model = real_fit(train, pool_all, **kw)
        seen.append((train, kw["pools"], model))
        return model

    monkeypatch.setattr(ev_receivers, "fit_learned", spy)
    rep = ev.evaluate_matchers(data_dir=DATA, methods=["learned"], settings=["case"], n_folds=3,
                               n_boot=20, embed_backend="hashing")
    assert len(seen) == 3 and {p for _, p, _ in seen} == {"case"}
    pq = rep.per_query
    for fold, (train, _, model) in enumerate(seen):
        assert not set(pq.loc[pq["fold"] == fold, "case"]) & set(train["case"])
        expected = sum(len(business_words(b)) for b in train["receiver_business"])
        assert sum(model.stats_.bword_counts.values()) == expected
    sel = rep.settings["selected"]
    assert {s["setting"] for s in sel} == {"case"}
