"""The European List of Waste (EWC codes): lookups and normalisation.

Source: Commission Decision 2000/532/EC as amended by Commission Decision 2014/955/EU (the
List of Waste), as tabulated by the UK Department for Environment, Food & Rural Affairs
(repository ``DEFRA/waste-movement-utils``, ``src/constants/ewc-codes.js``).  Contains public
sector information licensed under the Open Government Licence v3.0.

Codes are written ``NN NN NN`` (chapter, sub-chapter, entry); a trailing ``*`` marks a
hazardous entry.  "Absolute" entries are hazardous (or not) whatever their composition;
"mirror" entries come in pairs whose hazardous twin applies when the waste contains hazardous
substances above the thresholds of Annex III to Directive 2008/98/EC.
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

__all__ = ["EwcEntry", "normalize_ewc", "lookup_ewc", "ewc_table", "is_hazardous", "ewc_digits",
           "ewc_chapter"]

_CODE_RE = re.compile(r"^\s*(\d{2})[\s.\-_/]*(\d{2})[\s.\-_/]*(\d{2})\s*(\*?)\s*$")


@dataclass(frozen=True)
class EwcEntry:
    """One six-digit entry of the List of Waste."""

    code: str  # 'NN NN NN' (without the star)
    description: str
    hazardous: bool
    entry_type: str  # 'absolute' or 'mirror'
    chapter: str  # 'NN'
    chapter_title: str
    sub_chapter: str  # 'NN NN'
    sub_chapter_title: str

    @property
    def code_with_star(self) -> str:
        """The code as written in the List, with ``*`` for hazardous entries."""
        return self.code + ("*" if self.hazardous else "")


@lru_cache(maxsize=1)
def _entries() -> dict[str, EwcEntry]:
    out: dict[str, EwcEntry] = {}
    for row in shipped_csv_rows("ewc_codes.csv"):
        c = row["code"]
        code = f"{c[0:2]} {c[2:4]} {c[4:6]}"
        out[code] = EwcEntry(
            code=code,
            description=row["description"],
            hazardous=row["is_hazardous"].strip().lower() == "true",
            entry_type="mirror" if row["entry_type"].lower().startswith("mirror") else "absolute",
            chapter=c[0:2],
            chapter_title=row["chapter"],
            sub_chapter=f"{c[0:2]} {c[2:4]}",
            sub_chapter_title=row["sub_chapter"],
        )
    return out


def _parse(code: object) -> tuple[str, bool]:
    if not isinstance(code, str):
        if isinstance(code, int) and not isinstance(code, bool) and 0 <= code <= 999999:
            code = f"{code:06d}"  # e.g. read from a spreadsheet as a number: 10102 -> 010102
        else:
            raise InvalidInputError(
                f"EWC code must be a string like '10 01 02'; got {code!r} ({type(code).__name__})"
            )
    m = _CODE_RE.match(code)
    if m is None:
        raise InvalidInputError(
            f"malformed EWC code {code!r}; write six digits as 'NN NN NN' (e.g. '10 01 02'), "
            "optionally followed by '*' for hazardous entries"
        )
    return f"{m.group(1)} {m.group(2)} {m.group(3)}", bool(m.group(4))


def normalize_ewc(code: object, *, strict: bool = True) -> str:
    """Normalise a written EWC code to ``'NN NN NN'`` (``'NN NN NN*'`` for hazardous entries).

    Accepts ``'100102'``, ``'10 01 02'``, ``'10-01-02'``, ``'10.01.02'``, ``'10 01 02*'`` and
    integers that lost their leading zero in a spreadsheet (``10102`` -> ``'01 01 02'``).  The
    star is taken from the List itself, not from the input.

    Parameters
    ----------
    code : str or int
    strict : bool, default True
        Raise for a well-formed code that is not in the List; otherwise return it without a
        star.

    Raises
    ------
    InvalidInputError
        Malformed code, or (strict) a code absent from the List, or a star written on a
        non-hazardous entry.

    Examples
    --------
    >>> normalize_ewc("100102")
    '10 01 02'
    >>> normalize_ewc("16-06-01")
    '16 06 01*'
    """
    norm, star = _parse(code)
    entry = _entries().get(norm)
    if entry is None:
        if strict:
            raise InvalidInputError(
                f"EWC code {code!r} ({norm}) is not in the European List of Waste "
                "(Decision 2000/532/EC as amended); check the digits"
            )
        return norm
    if star and not entry.hazardous:
        raise InvalidInputError(
            f"EWC code {code!r} is marked '*' but {norm} is a non-hazardous entry "
            f"({entry.description!r}); remove the '*' or check the code"
        )
    return entry.code_with_star


def lookup_ewc(code: object) -> EwcEntry:
    """The List of Waste entry for a code in any accepted written form.

    Examples
    --------
    >>> e = lookup_ewc("10 01 02")
    >>> e.description, e.hazardous, e.chapter
    ('Coal fly ash', False, '10')
    """
    norm, _ = _parse(code)
    entry = _entries().get(norm)
    if entry is None:
        raise InvalidInputError(f"EWC code {code!r} ({norm}) is not in the European List of Waste")
    return entry


def is_hazardous(code: object) -> bool:
    """True for a hazardous (``*``) entry of the List."""
    return lookup_ewc(code).hazardous


def ewc_table() -> pd.DataFrame:
    """All 842 entries as a pandas DataFrame (one row per code)."""
    import pandas as pd

    return pd.DataFrame([e.__dict__ for e in _entries().values()])


# -- lenient readers for messy sources (MAESTRI exports, spreadsheets) -------------------------
# The one EWC normaliser is :func:`normalize_ewc` (strict: a code of the List or an error).
# Feature builders that must read whatever a source wrote, never fail and never guess beyond
# the digits use these two, defined here once (before: matching.text, learn.maestri and
# learn.graph each had their own copy).


def _missing(code: object) -> bool:
    return code is None or (isinstance(code, float) and code != code)


def ewc_digits(code: object) -> str | None:
    """Six EWC digits without spaces or star, or ``None`` (lenient: never raises).

    A five-digit value is read as a code whose leading zero a spreadsheet dropped; anything
    that is not six digits then (several codes in one cell, text) is ``None``.

    Examples
    --------
    >>> ewc_digits("10 01 02*"), ewc_digits(10102), ewc_digits("200108/200125"), ewc_digits(None)
    ('100102', '010102', None, None)
    """
    if _missing(code):
        return None
    digits = re.sub(r"\D", "", str(code))
    if len(digits) == 5:  # leading zero lost by a spreadsheet
        digits = "0" + digits
    return digits if len(digits) == 6 else None


def ewc_chapter(code: object) -> int:
    """EWC chapter 1..20 of the first code written (``'10 02 99'``, ``'100299'``,
    ``'17 05 03*'``, ``'200108/200125'``); 0 when missing or not a chapter (lenient).

    Examples
    --------
    >>> ewc_chapter("17 05 03*"), ewc_chapter("200108/200125"), ewc_chapter("99"), ewc_chapter(None)
    (17, 20, 0, 0)
    """
    if _missing(code):
        return 0
    digits = "".join(ch for ch in str(code) if ch.isdigit())
    if len(digits) == 5:  # a leading zero lost in a numeric column
        digits = "0" + digits
    if len(digits) < 6:
        return 0
    ch = int(digits[:2])
    return ch if 1 <= ch <= 20 else 0
