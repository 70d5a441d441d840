"""One input path (issue 16 item 1): plan() and plan.update() read what read_dataset reads,
with the same checks and unit normalisation; no stream is dropped or zeroed silently; the
compliance fields of the data model reach the rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import symbioflows as sf
from symbioflows.errors import InvalidDatasetError, InvalidInputError

COMPANIES = pd.DataFrame({"company_id": ["a", "b", "c"], "lat": [55.0, 55.05, 55.1],
                          "lon": [12.0, 12.0, 12.05], "country": ["DK", "DK", "DK"],
                          "sector": ["35.11", "23.51", "01.41"]})


def _streams(**over) -> pd.DataFrame:
    st = pd.DataFrame({
        "stream_id": ["s1", "d1", "s2", "d2"], "company_id": ["a", "b", "a", "c"],
        "direction": ["supply", "demand", "supply", "demand"],
        "material": ["fly ash", "fly ash", "fly ash", "fly ash"],
        "ewc_code": ["10 01 02"] * 4,
        "quantity": [2.0, 1500.0, 100.0, 50.0], "unit": ["kt/yr", "t/yr", "t/month", "t/yr"],
        "price_usd_per_t": [30.0, 40.0, 30.0, 40.0]})
    for k, v in over.items():
        st[k] = v
    return st


def _moved(p) -> dict[tuple[str, str], float]:
    return {(s, d): round(q, 6) for s, d, q in zip(p.exchanges["supply_stream_id"],
                                                   p.exchanges["demand_stream_id"],
                                                   p.exchanges["quantity"])}


def test_quantity_and_unit_are_normalised_like_read_dataset():
    p = sf.plan((COMPANIES, _streams()), chains=False)
    qty = p.streams.set_index("stream_id")["qty"]
    assert qty.to_dict() == {"s1": 2000.0, "d1": 1500.0, "s2": 1200.0, "d2": 50.0}
    assert p.exchanges["quantity"].sum() == pytest.approx(1550.0)
    same = sf.plan(sf.read_dataset((COMPANIES, _streams())), chains=False)
    assert _moved(p) == _moved(same)


@pytest.mark.parametrize("kind", ["polars", "arrow", "records", "dict"])
def test_every_table_form_gives_the_same_plan(kind):
    base = _moved(sf.plan((COMPANIES, _streams()), chains=False))
    c, s = COMPANIES, _streams()
    if kind == "polars":
        pl = pytest.importorskip("polars")
        data = (pl.from_pandas(c), pl.from_pandas(s))
    elif kind == "arrow":
        import pyarrow as pa

        data = (pa.Table.from_pandas(c), pa.Table.from_pandas(s))
    elif kind == "records":
        data = {"companies": c.to_dict("records"), "streams": s.to_dict("records")}
    else:
        data = {"companies": c.to_dict("list"), "streams": s.to_dict("list")}
    assert _moved(sf.plan(data, chains=False)) == base


@pytest.mark.parametrize(("quantity", "code"), [(np.nan, "missing_value"),
                                                (np.inf, "nonfinite_quantity"),
                                                (-5.0, "negative_quantity")])
def test_bad_quantity_is_a_finding_not_a_zero(quantity, code):
    st = _streams()
    st.loc[2, "quantity"] = quantity
    p = sf.plan((COMPANIES, st), chains=False)
    f = p.findings[p.findings["kind"] == "input"]
    assert f["stream_id"].tolist() == ["s2"] and f["rule_id"].tolist() == [code]
    assert "s2" not in set(p.streams["stream_id"])
    assert p.totals["n_streams_left_out"] == 1
    with pytest.raises(InvalidDatasetError, match="quantity"):
        sf.plan((COMPANIES, st), strict=True)


def test_unknown_unit_duplicate_id_and_unknown_company_are_findings():
    st = _streams()
    st.loc[1, "unit"] = "bananas/yr"
    st.loc[3, "stream_id"] = "s1"
    st.loc[2, "company_id"] = "zz"
    p = sf.plan((COMPANIES, st), chains=False)
    f = p.findings[p.findings["kind"] == "input"].set_index("title")
    codes = set(p.findings.loc[p.findings["kind"] == "input", "rule_id"])
    assert {"unknown_unit", "unknown_company"} <= codes
    assert any("duplicate" in t or "unique" in t for t in f.index.str.lower())
    assert p.findings.loc[p.findings["kind"] == "input", "action"].str.len().gt(0).all()


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "0.5", None])
def test_min_score_must_be_a_finite_number(bad):
    with pytest.raises(InvalidInputError, match="min_score"):
        sf.plan((COMPANIES, _streams()), min_score=bad)


def test_no_streams_gives_an_empty_plan_that_says_why():
    p = sf.plan((COMPANIES, _streams().iloc[:0]))
    assert len(p.exchanges) == 0 and len(p.candidates) == 0 and p.totals["n_exchanges"] == 0
    assert "NO-STREAMS" in set(p.findings["rule_id"])
    st = _streams(quantity=[np.nan] * 4)
    p = sf.plan((COMPANIES, st), chains=False)
    assert "NO-STREAMS" in set(p.findings["rule_id"])
    assert (p.findings["kind"] == "input").sum() == 4


def test_update_reads_quantity_and_unit_like_plan():
    st = _streams()
    full = sf.plan((COMPANIES, st), chains=False)
    part = sf.plan((COMPANIES, st.iloc[:2]), chains=False)
    upd = part.update(st.iloc[2:])
    assert _moved(upd) == _moved(full)
    assert upd.streams.set_index("stream_id").loc["s2", "qty"] == 1200.0
    again = upd.update(st.iloc[2:3].assign(quantity=5.0))  # s2 again: refused, listed
    f = again.findings[again.findings["kind"] == "input"]
    assert f["stream_id"].tolist() == ["s2"] and f["rule_id"].tolist() == ["duplicate_id"]


def test_stream_without_class_or_partner_is_listed():
    st = _streams()
    st.loc[3, ["material", "ewc_code"]] = ["mystery sludge", None]
    p = sf.plan((COMPANIES, st), chains=False)
    f = p.findings[p.findings["stream_id"] == "d2"]
    assert "NO-CANDIDATE" in set(f["rule_id"])  # its text gives no partner of fly ash
    src = p.streams.set_index("stream_id")["class_source"]
    assert src["d1"] == "ewc" and src["d2"] == "inferred"
    # without a class, a need or a code the stream is listed as unclassified
    from symbioflows.pipeline.prepare import stream_findings

    s = p.streams.assign(material_class=None, need=None)
    assert set(stream_findings(s)["rule_id"]) == {"NO-CLASS"}


def _rules(p) -> set[str]:
    return set(p.findings.loc[p.findings["kind"] == "compliance", "rule_id"])


def test_food_grade_receiver_fires_food_rules():
    # a waste (EWC code) to a food-grade receiver is blocked (FOOD-WASTE) ...
    st = _streams(food_grade=[False, True, False, False])
    p = sf.plan((COMPANIES, st), chains=False)
    cand = p.candidates
    blocked = cand[cand["demand_stream_id"] == "d1"]["compliance_blocked"]
    assert len(blocked) and blocked.all()
    assert "d1" not in set(p.exchanges["demand_stream_id"])
    # ... and a non-waste by-product to the same receiver is flagged (FOOD-TRACE)
    st = _streams(food_grade=[False, True, False, False], ewc_code=[None] * 4,
                  material_class=["brewers_spent_grain"] * 4)
    p = sf.plan((COMPANIES, st), chains=False)
    assert "FOOD-TRACE" in _rules(p)


def test_food_waste_finding_and_disposal_across_a_border():
    comp = COMPANIES.assign(country=["DK", "DE", "DK"])
    st = _streams(treatment_route=["disposal", None, None, None])
    p = sf.plan((comp, st), chains=False)
    cand = p.candidates.set_index(["supply_stream_id", "demand_stream_id"])
    assert bool(cand.loc[("s1", "d1"), "compliance_blocked"])        # XB-DISPOSAL
    assert not bool(cand.loc[("s2", "d1"), "compliance_blocked"])    # recovery: allowed
    assert not bool(cand.loc[("s1", "d2"), "compliance_blocked"])    # same country
    st = _streams(treatment_route=[None, "disposal", None, None])
    p = sf.plan((comp, st), chains=False)
    assert "XB-DISPOSAL" not in _rules(p)  # blocked pairs are never allocated ...
    assert p.candidates.set_index(["supply_stream_id", "demand_stream_id"]).loc[
        ("s2", "d1"), "compliance_blocked"]
    # FOOD-WASTE fires as a finding on a food-grade exchange of animal by-products named in
    # the text (the vectorised pair screen reads EWC codes only, so it does not block it)
    st = _streams(food_grade=[False, False, False, True], ewc_code=[None] * 4,
                  material=["slaughterhouse animal by-products"] * 4)
    p = sf.plan((COMPANIES, st), chains=False)
    assert "FOOD-WASTE" in _rules(p)


def test_bad_compliance_fields_are_findings():
    st = _streams(treatment_route=["landfill", None, None, None],
                  food_grade=["maybe", None, None, None])
    p = sf.plan((COMPANIES, st), chains=False)
    f = p.findings[p.findings["kind"] == "input"]
    assert f["stream_id"].tolist() == ["s1"]
    assert f["rule_id"].iloc[0] in ("bad_treatment_route", "bad_food_grade")


def test_candidate_cut_is_visible_in_totals_findings_and_report(tmp_path):
    n = 6
    comp = pd.DataFrame({"company_id": [f"c{k}" for k in range(2 * n)], "lat": 55.0,
                         "lon": 12.0, "country": "DK"})
    st = pd.DataFrame({"stream_id": [f"x{k}" for k in range(2 * n)],
                       "company_id": [f"c{k}" for k in range(2 * n)],
                       "direction": ["supply"] * n + ["demand"] * n,
                       "material": "fly ash", "ewc_code": "10 01 02",
                       "quantity": 10.0, "unit": "t/yr"})
    p = sf.plan((comp, st), max_per_supply=2, chains=False)
    assert p.totals["n_supplies_truncated"] == n
    cut = p.findings[p.findings["rule_id"] == "CANDIDATES-CUT"]
    assert len(cut) == 1 and cut["title"].iloc[0].startswith(f"{n} supplies had more than 2")
    from symbioflows.pipeline.report import plan_section

    assert f"{n} supplies had more than 2" in plan_section(p).html
    html = p.write(tmp_path)["report"].read_text(encoding="utf-8")
    assert "CANDIDATES-CUT" in html


def test_free_text_read_by_the_hashing_encoder_says_so(monkeypatch):
    from symbioflows.materials import encoder

    free = _streams(ewc_code=[None] * 4)
    p = sf.plan((COMPANIES, free), chains=False, text_backend="hashing")
    f = p.findings[p.findings["rule_id"] == "TEXT-ENCODER"]
    assert len(f) == 1 and f["kind"].iloc[0] == "plan" and "4 free-text" in f["title"].iloc[0]
    want = "info" if encoder.sentence_model_installed() else "warning"
    assert f["severity"].iloc[0] == want
    # a plain install (no sentence model): a warning that names the extra to install
    monkeypatch.setattr(encoder, "sentence_model_installed", lambda: False)
    f = sf.plan((COMPANIES, free), chains=False, text_backend="hashing").findings
    f = f[f["rule_id"] == "TEXT-ENCODER"]
    assert f["severity"].iloc[0] == "warning" and "'.[embed]'" in f["action"].iloc[0]
    # classes from the EWC code: no text was read, nothing to say
    p = sf.plan((COMPANIES, _streams()), chains=False, text_backend="hashing")
    assert "TEXT-ENCODER" not in set(p.findings["rule_id"])
