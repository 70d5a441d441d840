"""NACE Rev. 2 activity classes as text, so that sectors can be read and embedded.

Source: Eurostat, *Statistical classification of economic activities in the European
Community, NACE Rev. 2* (2008), 615 classes, as tabulated in the public repository
``vegetablestabber/internship-one``; reused under the Eurostat reuse policy (reuse with
acknowledgement of the source).  Shipped reduced to code, ISIC Rev. 4 code and the titles of
the class, group, division and section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from symbioflows._resources import shipped_csv_rows
from symbioflows.errors import InvalidInputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["NaceEntry", "normalize_nace", "lookup_nace", "nace_title", "nace_titles", "nace_table",
           "nace_digits", "nace_division"]

_NACE_RE = re.compile(r"^\s*[A-Ua-u]?\s*(\d{2})(?:[.\s]?(\d)(\d)?)?\s*$")


@dataclass(frozen=True)
class NaceEntry:
    """One NACE Rev. 2 class (four digits)."""

    code: str  # 'NN.NN'
    isic4: str
    title: str
    group: str
    division: str
    section: str


@lru_cache(maxsize=1)
def _entries() -> dict[str, NaceEntry]:
    out: dict[str, NaceEntry] = {}
    for row in shipped_csv_rows("nace_rev2.csv"):
        out[row["code"]] = NaceEntry(
            code=row["code"],
            isic4=row["isic4"],
            title=row["description"],
            group=row["group"],
            division=row["division"],
            section=row["section"],
        )
    return out


@lru_cache(maxsize=1)
def nace_titles() -> dict[str, str]:
    """NACE Rev. 2 code -> title, for classes ('24.10'), groups ('24.1') and divisions ('24').

    Examples
    --------
    >>> t = nace_titles()
    >>> t["23.51"], t["24"]
    ('Manufacture of cement', 'Manufacture of basic metals')
    """
    out: dict[str, str] = {}
    for e in _entries().values():
        out[e.code] = e.title
        out.setdefault(e.code[:4], e.group)
        out.setdefault(e.code[:2], e.division)
    return out


def normalize_nace(code: object) -> str:
    """Normalise a written NACE Rev. 2 code.

    Four digits give a class ``'NN.NN'``; two digits a division ``'NN'``; three digits a
    group ``'NN.N'``.  Accepts ``'24.10'``, ``'2410'``, ``'C24.10'``, ``'24 10'`` and integers
    (``2410``; ``111`` is read as ``'01.11'``).

    Raises
    ------
    InvalidInputError
        Malformed code.

    Examples
    --------
    >>> normalize_nace("2410"), normalize_nace("C24.1"), normalize_nace(111)
    ('24.10', '24.1', '01.11')
    """
    if isinstance(code, int) and not isinstance(code, bool):
        if not 0 <= code <= 9999:
            raise InvalidInputError(f"NACE code {code!r} out of range; expected up to four digits")
        code = f"{code:04d}" if code >= 100 else f"{code:02d}"
    if not isinstance(code, str):
        raise InvalidInputError(f"NACE code must be a string like '24.10'; got {code!r}")
    m = _NACE_RE.match(code)
    if m is None:
        raise InvalidInputError(
            f"malformed NACE Rev. 2 code {code!r}; write 'NN.NN' for a class (e.g. '24.10') "
            "or 'NN' for a division"
        )
    div, g, c = m.groups()
    if g is None:
        return div
    if c is None:
        return f"{div}.{g}"
    return f"{div}.{g}{c}"


def lookup_nace(code: object) -> NaceEntry:
    """The NACE Rev. 2 class for a four-digit code in any accepted form.

    Examples
    --------
    >>> lookup_nace("3511").title
    'Production of electricity'
    """
    norm = normalize_nace(code)
    entry = _entries().get(norm)
    if entry is None:
        raise InvalidInputError(f"NACE code {code!r} ({norm}) is not a NACE Rev. 2 class")
    return entry


def nace_title(code: object) -> str:
    """Title of a NACE Rev. 2 class, group or division.

    Examples
    --------
    >>> nace_title("23.51")
    'Manufacture of cement'
    >>> nace_title("24")
    'Manufacture of basic metals'
    """
    norm = normalize_nace(code)
    title = nace_titles().get(norm)
    if title is None:
        kind = {2: "division", 4: "group"}.get(len(norm), "class")
        raise InvalidInputError(f"NACE Rev. 2 {kind} {code!r} ({norm}) does not exist")
    return title


def nace_table() -> pd.DataFrame:
    """All 615 NACE Rev. 2 classes as a pandas DataFrame."""
    import pandas as pd

    return pd.DataFrame([e.__dict__ for e in _entries().values()])


# -- lenient reader for messy sources (MAESTRI exports, spreadsheets) -------------------------
# The one NACE normaliser is :func:`normalize_nace` (strict: a well-formed code or an error);
# :func:`nace_digits` is its lenient mode for feature builders (before: matching.text,
# learn.maestri and learn.graph each had their own copy, and '24.1' became '0241' in one).


def nace_digits(code: object, *, division_only: bool = True) -> str | None:
    """NACE Rev. 2 code as 4 digits without dots, or ``None`` (lenient: never raises).

    A code written with its structure (``'24.10'``, ``'C24.1'``, ``'24 10'``) is read by
    :func:`normalize_nace` (a group ``'24.1'`` gives ``'2410'``); otherwise from its digits: two
    digits are a division (``'19'`` -> ``'1900'``, or ``None`` with ``division_only=False``),
    three digits a class whose leading zero was lost (``'111'`` -> ``'0111'``), more than four
    the first four (``'2012/2030'`` -> ``'2012'``).

    Examples
    --------
    >>> [nace_digits(c) for c in ("24.10", "3511", "19", "24.1", "111", "2012/2030", "ND", None)]
    ['2410', '3511', '1900', '2410', '0111', '2012', None, None]
    >>> nace_digits("19", division_only=False) is None
    True
    """
    if code is None or (isinstance(code, float) and code != code):
        return None
    text = str(code)
    if isinstance(code, str) and re.search(r"\d[.\s]\d", text) and _NACE_RE.match(code):
        norm = normalize_nace(code)
        digits = norm.replace(".", "")
        if len(digits) == 2 and not division_only:
            return None
        return digits.ljust(4, "0")
    digits = re.sub(r"\D", "", text)
    if len(digits) == 2:
        return digits + "00" if division_only else None
    if len(digits) == 3:
        return "0" + digits
    if len(digits) >= 4:
        return digits[:4]
    return None


def nace_division(code: object) -> int:
    """NACE Rev. 2 division 1..99 (first two digits) of a code in any written form; -1 if
    unknown (lenient).

    Examples
    --------
    >>> nace_division("24.10"), nace_division(2410), nace_division("111"), nace_division("ND")
    (24, 24, 1, -1)
    """
    d = nace_digits(code)
    if d is None:
        return -1
    div = int(d[:2])
    return div if 1 <= div <= 99 else -1
