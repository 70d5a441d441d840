"""One NACE and one EWC normaliser (issue 15): every module that reads codes uses the functions
of symbioflows.data.nace / symbioflows.data.ewc, and the lenient readers keep the answers of the
copies they replaced (matching.text, learn.maestri, learn.graph) except where those were wrong."""

from __future__ import annotations

import math

import pytest

from symbioflows.data import ewc, nace


def test_every_module_uses_the_one_home():
    import symbioflows.learn.graph as graph
    import symbioflows.matching.text as text
    import symbioflows.materials as materials
    import symbioflows.materials.ewc as m_ewc
    import symbioflows.materials.nace as m_nace

    assert materials.normalize_ewc is m_ewc.normalize_ewc is ewc.normalize_ewc
    assert materials.normalize_nace is m_nace.normalize_nace is nace.normalize_nace
    assert text.ewc_digits is ewc.ewc_digits and text.normalize_nace is nace.nace_digits
    assert graph.nace_division is nace.nace_division and graph.ewc_chapter is ewc.ewc_chapter


# (written, nace_digits, maestri 'NN.NN', division) as the replaced copies answered them
NACE_CASES = [
    ("24.10", "2410", "24.10", 24), ("3511", "3511", "35.11", 35), ("19", "1900", None, 19),
    ("111", "0111", "01.11", 1), (2410, "2410", "24.10", 24), (111, "0111", "01.11", 1),
    ("C24.10", "2410", "24.10", 24), ("2012/2030", "2012", "20.12", 20),
    ("0110 / 0120", "0110", "01.10", 1), ("011 / 012", "0110", "01.10", 1),
    ("101/102/103", "1011", "10.11", 10), ("ND", None, None, -1), ("", None, None, -1),
    (None, None, None, -1), (math.nan, None, None, -1), ("2", None, None, -1),
    # fixed: a group written 'NN.N' was read as a three-digit class with a lost zero ('0241')
    ("24.1", "2410", "24.10", 24),
]


@pytest.mark.parametrize("written,digits,maestri,division", NACE_CASES)
def test_lenient_nace_reader(written, digits, maestri, division):
    from symbioflows.evaluate.maestri import _nace

    assert nace.nace_digits(written) == digits
    assert _nace(written) == maestri
    assert nace.nace_division(written) == division


@pytest.mark.parametrize("written,digits,chapter", [
    ("10 01 02*", "100102", 10), ("100102", "100102", 10), (10102, "010102", 1),
    ("200108/200125", None, 20), ("160209/160210/160214", None, 16), ("99", None, 0),
    (None, None, 0), (math.nan, None, 0), ("99 01 01", "990101", 0),
])
def test_lenient_ewc_reader(written, digits, chapter):
    assert ewc.ewc_digits(written) == digits
    assert ewc.ewc_chapter(written) == chapter


def test_strict_normalisers_still_refuse():
    from symbioflows.data.reference import normalize_nace as known_nace
    from symbioflows.data.validation import normalize_ewc_code
    from symbioflows.errors import InvalidInputError

    assert known_nace("2410") == "24.10" and known_nace("24.1") == "24.1"
    with pytest.raises(InvalidInputError, match="unknown NACE"):
        known_nace("99.99")
    assert normalize_ewc_code("160601") == "16 06 01*"
    with pytest.raises(InvalidInputError):
        normalize_ewc_code("99 99 99")
