from __future__ import annotations

import pytest

from symbioflows.errors import InvalidInputError
from symbioflows.materials.ewc import ewc_table, is_hazardous, lookup_ewc, normalize_ewc


@pytest.mark.parametrize("written", ["100102", "10 01 02", "10-01-02", "10.01.02", " 10 01 02 "])
def test_written_forms(written):
    assert normalize_ewc(written) == "10 01 02"


def test_hazard_star_comes_from_the_list():
    assert normalize_ewc("160601") == "16 06 01*"
    assert normalize_ewc("16 06 01*") == "16 06 01*"
    assert is_hazardous("16 06 01") and not is_hazardous("10 01 02")
    with pytest.raises(InvalidInputError, match="non-hazardous"):
        normalize_ewc("10 01 02*")


def test_spreadsheet_integer_lost_leading_zero():
    assert normalize_ewc(10102) == "01 01 02"


@pytest.mark.parametrize("bad", ["1001", "10 01 0x", "", "abcdef", None, 1.5, True])
def test_malformed(bad):
    with pytest.raises(InvalidInputError):
        normalize_ewc(bad)


def test_unknown_code_strict_and_lenient():
    with pytest.raises(InvalidInputError, match="not in the European List"):
        normalize_ewc("99 99 98")
    assert normalize_ewc("99 99 98", strict=False) == "99 99 98"


def test_table_counts():
    t = ewc_table()
    assert len(t) == 842
    assert int(t.hazardous.sum()) == 408
    assert int((t.hazardous & (t.entry_type == "absolute")).sum()) == 235
    assert int((t.hazardous & (t.entry_type == "mirror")).sum()) == 173
    assert lookup_ewc("01 01 01").chapter == "01"
