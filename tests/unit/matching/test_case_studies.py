"""The public case-study fixture (benchmarks/data/case_studies_exchanges.csv) and its use in
the evaluation protocol."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import pytest

from sf_test_helpers import MAESTRI_DATA as DATA
from sf_test_helpers import needs_maestri as needs_data
from symbioflows.errors import InvalidInputError
from symbioflows.evaluate import (
    VIEWS,
    evaluate_matchers,
    find_case_studies,
    load_case_studies,
)

CSV = Path(__file__).resolve().parents[3] / "benchmarks" / "data" / "case_studies_exchanges.csv"


def test_fixture_is_found_in_a_checkout_and_not_shipped():
    assert CSV.is_file()
    assert find_case_studies() == CSV.resolve()
    import symbioflows

    pkg = Path(symbioflows.__file__).parent
    assert not list(pkg.rglob("case_studies_exchanges*"))


def test_every_row_cites_a_source():
    raw = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    assert len(raw) >= 50
    assert raw["exchange_id"].is_unique
    for col in ("source", "source_url", "source_locator", "park_id", "country"):
        assert (raw[col].str.strip() != "").all(), col
    assert raw["source_url"].str.match(r"https?://").all()
    assert set(raw["status"]) <= {"Implemented", "Planned", "Under feasibility study"}
    # the exchange id's first component is the park id (as MAESTRI's is its case)
    assert (raw["exchange_id"].str.split(",").str[0] == raw["park_id"]).all()


@needs_data
def test_codes_are_valid_and_rows_not_in_maestri():
    raw = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    nace = set(pd.read_csv(DATA / "nace_rev2.csv", dtype=str)["nace4"])
    assert set(raw["donor_nace"]) <= nace and set(raw["receiver_nace"]) <= nace
    ewc = pd.read_csv(DATA / "ewc_codes.csv", dtype=str)
    haz = dict(zip(ewc["code"], ewc["is_hazardous"]))
    for code, flag in zip(raw["ewc_code"], raw["ewc_hazardous"]):
        if code:
            assert code in haz and flag == ("Yes" if haz[code] == "true" else "No")
    # no (donor, receiver, material) triple repeats a MAESTRI row
    m = pd.read_csv(DATA / "maestri_exchanges.csv", dtype=str)
    key = {(str(d).lower(), str(r).lower(), str(w).lower())
           for d, r, w in zip(m["donor_name"], m["receiver_name"], m["waste_description"])}
    for d, r, w in zip(raw["donor_name"], raw["receiver_name"], raw["waste_description"]):
        assert (d.lower(), r.lower(), w.lower()) not in key
    # a park MAESTRI covers is flagged with that MAESTRI case
    cases = set(m["exchange_id"].str.split(",").str[0])
    assert set(raw["maestri_case"]) - {""} <= cases


@needs_data
def test_loader_rows_and_validation(tmp_path):
    cs = load_case_studies(CSV)
    assert len(cs) == len(pd.read_csv(CSV))
    assert {"case", "group", "query", "receiver_nace", "receiver_key", "park_id", "maestri_case",
            "source"} <= set(cs.columns)
    assert (cs["case"] == cs["park_id"]).all()
    raw = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    for field, value, msg in (("source", "", "source"), ("source_url", "see above", "source_url"),
                              ("receiver_nace", "9999", "receiver_nace"),
                              ("ewc_code", "999999", "ewc_code"), ("status", "maybe", "status"),
                              ("maestri_case", "Kalundborg", "maestri_case")):
        bad = raw.copy()
        bad.loc[0, field] = value
        p = tmp_path / f"bad_{field}.csv"
        bad.to_csv(p, index=False)
        with pytest.raises(InvalidInputError, match=msg):
            load_case_studies(p)
    with pytest.raises(InvalidInputError, match="column"):
        raw.drop(columns=["source"]).to_csv(tmp_path / "nosrc.csv", index=False)
        load_case_studies(tmp_path / "nosrc.csv")
    with pytest.raises(InvalidInputError, match="no such file"):
        load_case_studies(tmp_path / "absent.csv")


@needs_data
def test_views_small_run():
    methods = ["random", "popularity", "exact_code"]
    rep = evaluate_matchers(methods=methods, settings=["all", "case"], n_folds=3, n_boot=30,
                            embed_backend="hashing", case_studies=CSV)
    s, pq = rep.summary, rep.per_query
    assert list(dict.fromkeys(s["data"])) == list(VIEWS)
    # the MAESTRI view equals a run without case studies (same seed, same numbers)
    base = evaluate_matchers(methods=methods, settings=["all", "case"], n_folds=3, n_boot=30,
                             embed_backend="hashing")
    a = s[s["data"] == "maestri"].drop(columns="data").reset_index(drop=True)
    b = base.summary.drop(columns="data").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    # combined: folds stay grouped by park (case-study parks included)
    comb = pq[pq["data"] == "combined"]
    assert (comb.groupby("case")["fold"].nunique() == 1).all()
    assert comb["case"].astype(str).str.startswith("CS-").any()
    # out of source: only case-study parks are tested
    oos = pq[pq["data"] == "out_of_source"]
    assert oos["case"].str.startswith("CS-").all()
    assert rep.differences.empty  # no (learned, baseline) pair was run
    assert "data=out_of_source" in rep.format_table()
    with pytest.raises(InvalidInputError):
        evaluate_matchers(methods=["random"], case_studies=CSV, views=["elsewhere"])


@needs_data
def test_out_of_source_learned(monkeypatch):
    """Trained on MAESTRI only (without the cases of parks that reappear), tested on the case
    studies: the learned scorer never sees a case-study row and beats random."""
    import symbioflows.evaluate as ev
    import symbioflows.evaluate.receivers as ev_receivers

    seen: list[set[str]] = []
    real_fit = ev.fit_learned

    def spy(train, pool_all, **kw):
        seen.append(set(train["case"]))
        return real_fit(train, pool_all, **kw)

    monkeypatch.setattr(ev_receivers, "fit_learned", spy)
    rep = evaluate_matchers(methods=["random", "learned"], settings=["all"], n_boot=30,
                            embed_backend="hashing", case_studies=CSV, views=["out_of_source"])
    left_out = set(rep.settings["case_studies"]["maestri_cases_left_out_of_out_of_source_training"])
    assert len(seen) == 1 and left_out and not seen[0] & left_out
    assert not any(c.startswith("CS-") for c in seen[0])
    s = rep.summary
    micro = s[(s["average"] == "micro") & (s["group"] == "implemented")].set_index("method")
    assert micro.loc["learned", "mrr"] > micro.loc["random", "mrr"]


@needs_data
def test_cli_flag(tmp_path):
    from symbioflows.matching import _cli

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    _cli.register(sub)
    out = tmp_path / "cs.json"
    args = parser.parse_args(["evaluate", "--methods", "random,popularity", "--settings", "all",
                              "--folds", "2", "--boot", "10", "--backend", "hashing", "--quiet",
                              "--case-studies", str(CSV), "--views", "out_of_source",
                              "--json", str(out)])
    assert args.func(args) == 0
    import json

    d = json.loads(out.read_text())
    assert {r["data"] for r in d["summary"]} == {"out_of_source"}
    assert d["settings"]["case_studies"]["rows"] == len(pd.read_csv(CSV))
