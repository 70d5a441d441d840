from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbioflows.compliance import check_exchange, compliance_filter
from symbioflows.errors import InvalidInputError


def test_hazardous_cross_border_shipment_hand_worked():
    # Lead batteries, EWC 16 06 01* (absolute hazardous entry), Germany -> Netherlands for
    # recovery: hazardous (flag) + waste status (flag) + cross-border hazardous shipment needs
    # prior written notification and consent under Regulation (EU) 2024/1157 (block).
    r = check_exchange(ewc_code="160601", supplier_country="DE", receiver_country="NL")
    assert r.rule_ids == ["HAZ-ABS", "WASTE-STATUS", "XB-NOTIFY"]
    assert r.blocked and r.flagged
    xb = r.findings[-1]
    assert xb.severity == "block" and "2024/1157" in xb.source and "notify" in xb.action
    assert "DE -> NL" in xb.detail
    # the same within Germany is allowed with documentation
    d = check_exchange(ewc_code="16 06 01*", supplier_country="DE", receiver_country="DE")
    assert not d.blocked and d.rule_ids == ["HAZ-ABS", "WASTE-STATUS"]


def test_mirror_entries():
    r = check_exchange(ewc_code="10 01 14*")
    assert "HAZ-MIRROR" in r.rule_ids
    r = check_exchange(ewc_code="10 01 15")
    assert "MIRROR-NONHAZ" in r.rule_ids


def test_disposal_abroad_and_outside_eu():
    r = check_exchange(ewc_code="10 01 02", supplier_country="FR", receiver_country="BE",
                       treatment="disposal")
    assert r.blocked and "XB-DISPOSAL" in r.rule_ids
    r = check_exchange(ewc_code="10 01 02", supplier_country="FR", receiver_country="NG",
                       treatment="disposal")
    assert "prohibited" in r.findings[-1].detail
    r = check_exchange(ewc_code="10 01 02", supplier_country="FR", receiver_country="BE")
    assert not r.blocked and "XB-GREEN" in r.rule_ids


def test_end_of_waste_abp_food():
    r = check_exchange(ewc_code="17 04 05", material_class="ferrous_scrap")
    eow = [f for f in r.findings if f.rule_id == "EOW"]
    assert eow and "333/2011" in eow[0].detail
    assert "EOW" not in check_exchange(ewc_code="17 04 05", end_of_waste_certified=True).rule_ids
    assert "1179/2012" in check_exchange(material_class="glass_cullet").findings[0].detail
    r = check_exchange(ewc_code="02 02 02", receiver_food_grade=True)
    assert "ABP" in r.rule_ids and "FOOD-WASTE" in r.rule_ids and r.blocked
    r = check_exchange(material="whey from cheese making", receiver_food_grade=True,
                       by_product=True)
    assert "ABP" in r.rule_ids and r.blocked
    r = check_exchange(material="clean wood chips", receiver_food_grade=True)
    assert r.rule_ids == ["FOOD-TRACE"] and not r.blocked


def test_bad_inputs():
    with pytest.raises(InvalidInputError, match="not in the European List"):
        check_exchange(ewc_code="99 99 99")
    with pytest.raises(InvalidInputError, match="alpha-2"):
        check_exchange(ewc_code="10 01 02", supplier_country="Germany", receiver_country="NL")
    with pytest.raises(InvalidInputError, match="treatment"):
        check_exchange(treatment="burn")
    with pytest.raises(InvalidInputError, match="row 1"):
        compliance_filter(["10 01 02", "xx"], "DE", "DE")


CODES = [None, "16 06 01*", "10 01 14*", "10 01 15", "17 04 05", "02 02 02", "20 01 08",
         "15 01 07", "10 01 02"]
COUNTRIES = [None, "DE", "NL", "FR", "NG"]


@settings(max_examples=200)
@given(st.lists(st.tuples(st.sampled_from(CODES), st.sampled_from(COUNTRIES),
                          st.sampled_from(COUNTRIES), st.booleans(),
                          st.sampled_from(["recovery", "disposal"])), min_size=1, max_size=20))
def test_filter_agrees_with_check_exchange(rows):
    codes, sc, rc, food, treat = (list(x) for x in zip(*rows))
    m = compliance_filter(codes, sc, rc, receiver_food_grade=food, treatment=treat)
    for k, (c, a, b, f, t) in enumerate(rows):
        r = check_exchange(ewc_code=c, supplier_country=a, receiver_country=b,
                           receiver_food_grade=f, treatment=t)
        assert bool(m.blocked[k]) == r.blocked
        assert bool(m.flagged[k]) == r.flagged
        if r.blocked:
            assert m.first_block[k] in r.rule_ids
    perm = np.random.default_rng(len(rows)).permutation(len(rows))
    m2 = compliance_filter([codes[p] for p in perm], [sc[p] for p in perm],
                           [rc[p] for p in perm], receiver_food_grade=[food[p] for p in perm],
                           treatment=[treat[p] for p in perm])
    assert np.array_equal(m.blocked[perm], m2.blocked)
