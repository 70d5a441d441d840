# Why one module of ~1,400 lines: the column rules of the three tables (ids, units, codes,
# coordinates, references between tables) and their row-level messages form one checked
# contract; most of the length is per-column rules and their error texts.
"""Validation and normalisation of the three tables of a dataset.

:func:`validate_tables` checks raw tables (as read from files or given as data frames) against
the data model of :mod:`symbioflows.data.schema`, reports **every** problem it finds with table,
row, column, value and fix, and returns the normalised tables.  In strict mode any error raises
one :class:`~symbioflows.errors.InvalidDatasetError` listing them all; in lenient mode the rows
with errors are left out and the :class:`ValidationReport` names every row left out and why
(rows of companies left out take their streams with them, and streams left out take their
exchanges).  No row is ever dropped silently.

Rows are numbered from 0 in the order of the input table (in a CSV file with a header, row
``r`` is on line ``r + 2``).

Checks
------
companies
    missing or misspelled columns; empty or duplicate ``company_id``; ``lat``/``lon`` missing,
    non-numeric (e.g. ``"51.9 N"``), non-finite, out of range or swapped; malformed or unknown
    NACE Rev. 2 ``sector``; unknown ``country`` code.
streams
    missing or misspelled columns; empty or duplicate ``stream_id``; ``company_id`` unknown;
    ``direction`` not ``supply``/``demand``; no material description; malformed or unknown
    ``ewc_code``; ``material_class`` not snake_case; ``quantity`` missing, text (``"12 t"``),
    negative or non-finite; unknown ``unit``; ``density_t_per_m3`` not positive; ``quality``
    outside [0, 1]; negative or non-finite ``price_usd_per_t``; bad ``availability``.
    A volume stream without density is a *warning* (it stays a volume stream).
exchanges
    missing columns; unknown stream ids; supplier not a supply stream or receiver not a demand
    stream; negative or non-finite ``quantity_t_per_yr``; unknown ``status``.

Examples
--------
>>> import pandas as pd
>>> from symbioflows.data.validation import validate_tables
>>> companies = pd.DataFrame({"company_id": ["a"], "lat": [51.9], "lon": [4.3]})
>>> streams = pd.DataFrame({"stream_id": ["s1"], "company_id": ["a"], "direction": ["supply"],
...                         "material": ["fly ash"], "quantity": ["12 t"], "unit": ["t/yr"]})
>>> tables, report = validate_tables({"companies": companies, "streams": streams}, strict=False)
>>> print(report.problems[0])  # doctest: +ELLIPSIS
streams row 0 column 'quantity': a number with a unit in a number column (got '12 t'); fix: ...
>>> tables["streams"].num_rows, report.n_dropped
(0, 1)
"""

from __future__ import annotations

import difflib
import json
import logging
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from symbioflows.data._tables import _as_text, _is_missing, to_arrow_table
from symbioflows.data.schema import (
    COLUMN_ALIASES,
    CONTINUOUS_MASK,
    DIRECTIONS,
    EXCHANGE_STATUSES,
    TABLES,
    columns_for,
    input_columns,
    required_columns,
    schema_for,
)
from symbioflows.errors import DatasetProblem, InvalidDatasetError, InvalidInputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ValidationReport",
    "validate_tables",
    "parse_availability",
    "normalize_ewc_code",
]

logger = logging.getLogger(__name__)

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_CONTINUOUS_WORDS = {"continuous", "all", "all year", "year-round", "year round", "always", "*"}
_DIRECTION_HINTS = {
    "output": "supply",
    "offer": "supply",
    "have": "supply",
    "waste": "supply",
    "source": "supply",
    "supplier": "supply",
    "input": "demand",
    "need": "demand",
    "want": "demand",
    "sink": "demand",
    "receiver": "demand",
    "request": "demand",
}
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_NUM_WITH_UNIT = re.compile(r"^\s*[-+]?\d[\d.,' ]*\s*[^\d\s.,'+-].*$")


# -------------------------------------------------------------------------------------------
# the report
# -------------------------------------------------------------------------------------------
@dataclass
class ValidationReport:
    """Every problem found while reading a dataset, and every row left out.

    Attributes
    ----------
    problems : list of DatasetProblem
        Errors and warnings, in table order (companies, streams, exchanges), then row order.
    dropped : dict of str to dict of int to str
        For each table, row -> the reason the row was left out (lenient mode only; empty in
        strict mode, where errors raise instead).
    n_rows : dict of str to int
        Rows read per table.
    sources : dict of str to str
        Where each table came from (a path, or a description of the object passed).
    lines : dict of str to dict of int to int
        For tables read from CSV files, row -> the 1-based line of the file where the row
        starts (rows with a problem or left out only).
    """

    problems: list[DatasetProblem] = field(default_factory=list)
    dropped: dict[str, dict[int, str]] = field(default_factory=lambda: {t: {} for t in TABLES})
    n_rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    sources: dict[str, str] = field(default_factory=dict)
    lines: dict[str, dict[int, int]] = field(default_factory=dict)

    def where(self, table: str, row: int) -> str:
        """``"streams row 3 (line 5)"``: the row, and its file line when read from CSV."""
        line = self.lines.get(table, {}).get(row)
        return f"{table} row {row}" + ("" if line is None else f" (line {line})")

    @property
    def errors(self) -> list[DatasetProblem]:
        """Problems of severity ``error``."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[DatasetProblem]:
        """Problems of severity ``warning`` (rows are kept)."""
        return [p for p in self.problems if p.severity != "error"]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    @property
    def n_dropped(self) -> int:
        """Number of rows left out, all tables together."""
        return sum(len(v) for v in self.dropped.values())

    def dropped_rows(self) -> pd.DataFrame:
        """A data frame (table, row, reason) of the rows left out."""
        import pandas as pd

        rows = [(t, r, why) for t in TABLES for r, why in sorted(self.dropped.get(t, {}).items())]
        return pd.DataFrame(rows, columns=["table", "row", "reason"])

    def to_pandas(self) -> pd.DataFrame:
        """The problems as a data frame (table, row, column, value, severity, code, message, fix)."""
        import pandas as pd

        cols = ["table", "row", "column", "value", "severity", "code", "message", "fix"]
        return pd.DataFrame(
            [
                (
                    p.table,
                    p.row,
                    p.column,
                    _jsonable(p.value),
                    p.severity,
                    p.extra.get("code", ""),
                    p.message,
                    p.fix,
                )
                for p in self.problems
            ],
            columns=cols,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable summary (used by ``symbioflows validate --json``)."""
        return {
            "ok": self.ok,
            "n_errors": len(self.errors),
            "n_warnings": len(self.warnings),
            "n_rows": dict(self.n_rows),
            "n_dropped": self.n_dropped,
            "sources": dict(self.sources),
            "problems": [
                {
                    "table": p.table,
                    "row": p.row,
                    "line": p.extra.get("line"),
                    "column": p.column,
                    "value": _jsonable(p.value),
                    "severity": p.severity,
                    "code": p.extra.get("code", ""),
                    "message": p.message,
                    "fix": p.fix,
                }
                for p in self.problems
            ],
            "dropped": {
                t: [{"row": r, "line": self.lines.get(t, {}).get(r), "reason": why}
                    for r, why in sorted(d.items())]
                for t, d in self.dropped.items()
            },
        }

    def to_json(self, **kwargs: Any) -> str:
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict(), **kwargs)

    def raise_if_errors(self) -> None:
        """Raise one :class:`InvalidDatasetError` listing every error, if there is any."""
        if self.errors:
            raise InvalidDatasetError(self.errors)

    def summary(self, *, left_out: bool = True) -> str:
        """One line: rows read, errors, warnings and (``left_out=True``) rows left out.

        ``left_out=False`` words it for a strict check, where no row is left out.
        """
        rows = ", ".join(f"{self.n_rows.get(t, 0)} {t}" for t in TABLES)
        text = f"{rows}; {len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        if left_out:
            return f"{text}, {self.n_dropped} row(s) left out"
        return text

    def __str__(self) -> str:
        lines = [self.summary()]
        lines += [f"  [{p.severity}] {p}" for p in self.problems]
        for t in TABLES:
            for r, why in sorted(self.dropped.get(t, {}).items()):
                lines.append(f"  left out: {self.where(t, r)}: {why}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        head = f"<p><b>ValidationReport</b>: {html.escape(self.summary())}</p>"
        if not self.problems:
            return head
        df = self.to_pandas()
        return head + df.head(200).to_html(index=False, na_rep="")


def _jsonable(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else str(v)
    if isinstance(v, np.generic):
        return _jsonable(v.item())
    return str(v)


# -------------------------------------------------------------------------------------------
# cell helpers
# -------------------------------------------------------------------------------------------
class _Collector:
    """Collects problems and the rows they make bad."""

    def __init__(self) -> None:
        self.problems: list[DatasetProblem] = []
        self.bad: dict[str, dict[int, str]] = {t: {} for t in TABLES}

    def add(
        self,
        table: str,
        row: int | None,
        column: str | None,
        value: Any,
        message: str,
        fix: str = "",
        *,
        code: str,
        severity: str = "error",
    ) -> None:
        self.problems.append(
            DatasetProblem(
                table, row, column, _jsonable(value), message, fix, severity, {"code": code}
            )
        )
        if severity == "error" and row is not None:
            reason = f"{column}: {message}" if column else message
            self.bad[table].setdefault(row, reason)


def _text_column(values: list[Any]) -> list[str | None]:
    return [_as_text(v) for v in values]


def _text_values(col: pa.ChunkedArray) -> list[str | None]:
    """A column's cells as stripped text (None for missing or empty), vectorised for string and
    integer columns."""
    import pyarrow.compute as pc

    typ = col.type
    if pa.types.is_dictionary(typ):
        col = col.cast(typ.value_type)
        typ = col.type
    if pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_string_view(typ):
        trimmed = pc.utf8_trim_whitespace(col)
        blank = pc.equal(pc.utf8_length(trimmed), 0)
        return pc.if_else(blank, pa.scalar(None, trimmed.type), trimmed).to_pylist()
    if pa.types.is_integer(typ):
        return pc.cast(col, pa.string()).to_pylist()
    if pa.types.is_null(typ):
        return [None] * len(col)
    return _text_column(col.to_pylist())


def _optional_nonnegative(t: Any, names: Any, n: int, table: str, column: str, out: Any, *,
                          unit_hint: str, what: str, fix: str, code: str) -> np.ndarray:
    """An optional numeric column that must be finite and >= 0 where given: each bad value
    is reported (non-finite / negative ``what``) and becomes NaN; absent column: all NaN."""
    vals = np.full(n, np.nan)
    if column in names:
        vals = _numeric_column(t.column(column), table, column, out, required=False,
                               unit_hint=unit_hint)
        for i in map(int, np.flatnonzero(~np.isnan(vals) & ~(np.isfinite(vals) & (vals >= 0)))):
            fv = float(vals[i])
            msg = f"non-finite {what}" if not np.isfinite(fv) else f"negative {what}"
            out.add(table, i, column, fv, msg, fix, code=code)
    return np.where(np.isfinite(vals) & (vals >= 0), vals, np.nan)


def _numeric_column(
    col: pa.ChunkedArray,
    table: str,
    name: str,
    out: _Collector,
    *,
    required: bool,
    unit_hint: str = "",
) -> np.ndarray:
    """Float64 values of a column (NaN for missing); records problems for text that is not a
    number.  Non-finite and missing values are left to the caller's checks."""
    n = len(col)
    typ = col.type
    if pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_decimal(typ):
        arr = col.cast(pa.float64()).to_numpy(zero_copy_only=False)
        return np.asarray(arr, dtype=np.float64)
    if pa.types.is_null(typ):
        return np.full(n, np.nan)
    if pa.types.is_boolean(typ):
        vals = col.to_pylist()
        for i, v in enumerate(vals):
            if v is not None:
                out.add(
                    table,
                    i,
                    name,
                    v,
                    "a true/false value in a number column",
                    "write a number",
                    code="not_a_number",
                )
        return np.full(n, np.nan)
    import pyarrow.compute as pc

    try:  # fast path: every cell is a plain number (or empty)
        return np.asarray(
            pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        pass
    import pandas as pd

    series = pd.Series(_text_values(col), dtype=object)
    parsed = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.flatnonzero(np.isnan(parsed) & series.notna().to_numpy())
    for i in map(int, bad):
        text = str(series.iat[i])
        low = text.lower()
        if low in {"nan", "na", "n/a", "null", "none", "-"}:
            continue  # explicit missing marker: handled as missing
        if re.fullmatch(r"[-+]?\d[\d.,' ]*", text.strip()):
            msg = "a number with separators that cannot be read"
            fix = "write plain numbers with '.' as the decimal mark and no thousands separators"
        elif _NUM_WITH_UNIT.match(text):
            number = re.match(r"^\s*[-+]?\d[\d.,' ]*", text)
            num_txt = number.group(0).strip() if number else text
            if name == "quantity":
                msg = "a number with a unit in a number column"
                fix = f"put the number ({num_txt}) in 'quantity' and the unit in 'unit'"
            else:
                msg = "a number with text in a number column"
                fix = f"write only the number ({num_txt}){unit_hint}"
        else:
            msg = "not a number"
            fix = f"write a number{unit_hint}"
        out.add(table, int(i), name, text, msg, fix, code="not_a_number")
    return parsed


def _suggest(name: str, candidates: Iterable[str]) -> str | None:
    cands = list(candidates)
    low = name.strip().lower()
    if low in COLUMN_ALIASES and COLUMN_ALIASES[low] in cands:
        return COLUMN_ALIASES[low]
    near = difflib.get_close_matches(low, cands, n=1, cutoff=0.75)
    return near[0] if near else None


def _check_columns(table: str, t: pa.Table, out: _Collector) -> tuple[pa.Table, list[str]]:
    """Normalise header names (strip, BOM, lower case), report missing / misspelled ones.

    Returns the renamed table and the list of missing required columns."""
    names = [str(c).replace("\ufeff", "").strip() for c in t.column_names]
    known = set(input_columns(table)) | {c.name for c in columns_for(table)}
    lowered = []
    for c in names:
        lowered.append(c.lower() if c.lower() in known else c)
    seen: dict[str, int] = {}
    for c in lowered:
        seen[c] = seen.get(c, 0) + 1
    for c, k in seen.items():
        if k > 1:
            out.add(
                table,
                None,
                c,
                None,
                f"column {c!r} appears {k} times",
                "keep one column of each name",
                code="duplicate_column",
            )
    t = t.rename_columns(lowered)
    if any(k > 1 for k in seen.values()):
        # Keep the first column of each name (the duplicates are reported above) so the
        # row checks can still run and report everything else.
        first: dict[str, int] = {}
        for i, c in enumerate(lowered):
            first.setdefault(c, i)
        t = t.select(sorted(first.values()))
        lowered = [lowered[i] for i in sorted(first.values())]
    present = set(lowered)
    unknown = [c for c in lowered if c not in known]
    missing = [c for c in required_columns(table) if c not in present]
    for m in missing:
        guess = _suggest_from(m, unknown)
        fix = f"rename column {guess!r} to {m!r}" if guess else f"add a column {m!r}"
        out.add(
            table,
            None,
            m,
            None,
            f"required column {m!r} is missing; got {lowered}",
            fix,
            code="missing_column",
        )
    absent_known = [c for c in input_columns(table) if c not in present]
    for u in unknown:
        guess = _suggest(u, absent_known)
        if guess and guess not in missing:
            out.add(
                table,
                None,
                u,
                None,
                f"unknown column {u!r} kept as a free attribute; did you mean {guess!r}?",
                f"rename column {u!r} to {guess!r}",
                code="unknown_column",
                severity="warning",
            )
    return t, missing


def _suggest_from(missing: str, unknown: list[str]) -> str | None:
    for u in unknown:
        if COLUMN_ALIASES.get(u.strip().lower()) == missing:
            return u
    near = difflib.get_close_matches(missing, unknown, n=1, cutoff=0.7)
    if near:
        return near[0]
    lowered = {u.lower(): u for u in unknown}
    near = difflib.get_close_matches(missing, list(lowered), n=1, cutoff=0.7)
    return lowered[near[0]] if near else None


def _ids(table: str, name: str, values: list[str | None], out: _Collector, *, unique: bool) -> None:
    import pandas as pd

    ser = pd.Series(values, dtype=object)
    missing = ser.isna().to_numpy()
    dup = ser.duplicated(keep="first").to_numpy() & ~missing if unique else np.zeros(len(ser), bool)
    first: dict[str, int] = {}
    if dup.any():
        for k in map(int, np.flatnonzero(~missing)):
            first.setdefault(values[k], k)  # type: ignore[arg-type]
    for i in map(int, np.flatnonzero(missing | dup)):
        v = values[i]
        if v is None:
            out.add(
                table,
                i,
                name,
                None,
                f"empty {name}",
                f"give every row a {name}",
                code="missing_value",
            )
            continue
        out.add(
            table,
            i,
            name,
            v,
            f"duplicate {name} (first at row {first[v]})",
            "make the ids unique, or merge the rows",
            code="duplicate_id",
        )


def _map_unique(values: list[str | None], fn: Callable[[str], Any]) -> dict[str, Any]:
    """Apply ``fn`` once per distinct non-missing value; exceptions are returned as values."""
    res: dict[str, Any] = {}
    for v in values:
        if v is None or v in res:
            continue
        try:
            res[v] = fn(v)
        except InvalidInputError as exc:
            res[v] = exc
    return res


def _map_rows(values: list[str | None], fn: Callable[[str], Any],
              on_error: Callable[[int, str, InvalidInputError], None]) -> list[Any]:
    """``fn`` of each row's value, computed once per distinct value.  A missing value stays
    None; a value that ``fn`` rejects with InvalidInputError is passed to
    ``on_error(row, value, error)`` and stays None."""
    mapped = _map_unique(values, fn)
    res: list[Any] = [None] * len(values)
    for i, v in enumerate(values):
        if v is None:
            continue
        r = mapped[v]
        if isinstance(r, InvalidInputError):
            on_error(i, v, r)
        else:
            res[i] = r
    return res


# -------------------------------------------------------------------------------------------
# EWC codes and availability
# -------------------------------------------------------------------------------------------
def normalize_ewc_code(code: str) -> str:
    """Normalise an EU List of Waste code to 'NN NN NN' ('*' appended for hazardous entries);
    codes not in the List are refused.  The one EWC normaliser is
    :func:`symbioflows.data.ewc.normalize_ewc`; this is its strict form."""
    from symbioflows.data.ewc import normalize_ewc

    return str(normalize_ewc(code, strict=True))


def parse_availability(value: Any) -> int:
    """Parse an availability description into a 12-bit month mask.

    Accepts ``'continuous'`` (also ``'all'``, ``'year-round'``; 4095), month numbers and
    ranges (``'1-3,6'``), month names or abbreviations (``'jan-mar; jun'``, ranges may wrap:
    ``'nov-feb'``), or an integer mask 1..4095.

    Examples
    --------
    >>> parse_availability("continuous"), parse_availability("1-3,6"), parse_availability("nov-feb")
    (4095, 39, 3075)
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        v = int(value)
        if 1 <= v <= CONTINUOUS_MASK:
            return v
        raise InvalidInputError(f"availability mask {v} outside 1..4095")
    if isinstance(value, float) and value.is_integer():
        return parse_availability(int(value))
    s = str(value).strip().lower()
    if s in _CONTINUOUS_WORDS:
        return CONTINUOUS_MASK
    if re.fullmatch(r"\d+", s):
        v = int(s)
        if 1 <= v <= 12 and not s.startswith("0"):
            return 1 << (v - 1)
        raise InvalidInputError(
            f"availability {value!r}: a lone number is read as a month 1..12; write months as "
            "'1-3,6' or names, or use the availability_mask column for a bit mask"
        )
    s = re.sub(r"\s*-\s*", "-", s)
    tokens = [tok for tok in re.split(r"[,;/\s]+", s) if tok]
    if not tokens:
        raise InvalidInputError(f"availability {value!r} is empty")
    mask = 0
    for tok in tokens:
        ends = tok.split("-")
        if len(ends) > 2:
            raise InvalidInputError(f"availability {value!r}: bad range {tok!r}")
        months = [_month(e, value) for e in ends]
        a, b = months[0], months[-1]
        m = a
        while True:
            mask |= 1 << (m - 1)
            if m == b:
                break
            m = m % 12 + 1
    return mask


def _month(tok: str, original: Any) -> int:
    if tok.isdigit() and 1 <= int(tok) <= 12:
        return int(tok)
    key = tok[:3]
    if len(tok) >= 3 and key in _MONTHS:
        return _MONTHS.index(key) + 1
    raise InvalidInputError(
        f"availability {original!r}: {tok!r} is not a month; write 'continuous', month numbers "
        "('1-3,6') or names ('jan-mar')"
    )


# -------------------------------------------------------------------------------------------
# per-table validation
# -------------------------------------------------------------------------------------------
def _companies(t: pa.Table, out: _Collector) -> tuple[dict[str, Any], list[str]]:
    T = "companies"
    t, missing = _check_columns(T, t, out)
    n = t.num_rows
    cols: dict[str, Any] = {}
    names = t.column_names
    ids: list[str | None] = (
        _text_values(t.column("company_id")) if "company_id" in names else [None] * n
    )
    if "company_id" in names:
        _ids(T, "company_id", ids, out, unique=True)
    cols["company_id"] = ids
    cols["name"] = _text_values(t.column("name")) if "name" in names else [None] * n
    # sector
    sectors: list[str | None] = [None] * n
    if "sector" in names:
        from symbioflows.data.reference import normalize_nace

        def bad_sector(i: int, v: str, r: InvalidInputError) -> None:
            out.add(T, i, "sector", v, str(r).split(";")[0],
                    "write a NACE Rev. 2 code such as '24.10' (class), '24.1' or '24'",
                    code="malformed_nace" if "malformed" in str(r) else "unknown_nace")

        sectors = _map_rows(_text_values(t.column("sector")), normalize_nace, bad_sector)
    cols["sector"] = sectors
    # coordinates
    lat = lon = np.full(n, np.nan)
    if "lat" in names:
        lat = _numeric_column(
            t.column("lat"), T, "lat", out, required=True, unit_hint=" in decimal degrees"
        )
    if "lon" in names:
        lon = _numeric_column(
            t.column("lon"), T, "lon", out, required=True, unit_hint=" in decimal degrees"
        )
    if "lat" in names and "lon" in names:
        _check_coordinates(t, lat, lon, out)
    cols["lat"] = lat
    cols["lon"] = lon
    # country
    countries: list[str | None] = [None] * n
    if "country" in names:
        from symbioflows.data.reference import normalize_country

        def bad_country(i: int, v: str, r: InvalidInputError) -> None:
            msg = str(r)
            fix = msg.split("; ", 1)[1] if "; " in msg else "use an ISO 3166-1 alpha-2 code"
            out.add(T, i, "country", v, "unknown country code", fix, code="bad_country")

        countries = _map_rows(_text_values(t.column("country")), normalize_country,
                              bad_country)
    cols["country"] = countries
    return cols, missing


def _check_coordinates(t: pa.Table, lat: np.ndarray, lon: np.ndarray, out: _Collector) -> None:
    T = "companies"
    raw_lat = t.column("lat")
    raw_lon = t.column("lon")
    already = set(out.bad[T])
    for name, arr, raw in (("lat", lat, raw_lat), ("lon", lon, raw_lon)):
        for i in map(int, np.flatnonzero(~np.isfinite(arr))):
            if i in already and out.bad[T][i].startswith(name + ":"):
                continue  # already reported as text
            v = raw[i].as_py()
            if _is_missing(v) or (
                isinstance(v, str)
                and v.strip().lower() in {"nan", "na", "n/a", "null", "none", "-"}
            ):
                out.add(
                    T,
                    i,
                    name,
                    None,
                    f"missing {name}",
                    f"give WGS84 {name} in decimal degrees, or leave the company out",
                    code="missing_coordinate",
                )
            else:
                out.add(
                    T,
                    i,
                    name,
                    float(arr[i]),
                    f"non-finite {name}",
                    f"give a finite WGS84 {name} in decimal degrees",
                    code="nonfinite_coordinate",
                )
    finite = np.isfinite(lat) & np.isfinite(lon)
    lat_bad = finite & (np.abs(lat) > 90)
    lon_bad = finite & (np.abs(lon) > 180)
    for i in map(int, np.flatnonzero(lat_bad | lon_bad)):
        swapped = abs(lat[i]) <= 180 and abs(lon[i]) <= 90
        if swapped:
            out.add(
                T,
                i,
                "lat",
                float(lat[i]),
                f"lat={lat[i]} outside [-90, 90] while lon={lon[i]} would be a valid latitude: lat and lon look swapped",
                "swap the lat and lon values (WGS84 decimal degrees)",
                code="lat_out_of_range",
            )
            continue
        for name, vals, bad, lim, word in (("lat", lat, lat_bad, 90, "latitude"),
                                           ("lon", lon, lon_bad, 180, "longitude")):
            if bad[i]:
                out.add(
                    T,
                    i,
                    name,
                    float(vals[i]),
                    f"{name} outside [-{lim}, {lim}]",
                    f"give WGS84 {word} in decimal degrees",
                    code=f"{name}_out_of_range",
                )


def _streams(
    t: pa.Table, out: _Collector, company_ids: set[str]
) -> tuple[dict[str, Any], list[str]]:
    from symbioflows.data.units import convert_quantities

    T = "streams"
    t, missing = _check_columns(T, t, out)
    n = t.num_rows
    names = t.column_names
    cols: dict[str, Any] = {}

    def text(name: str) -> list[str | None]:
        return _text_values(t.column(name)) if name in names else [None] * n

    sid = text("stream_id")
    if "stream_id" in names:
        _ids(T, "stream_id", sid, out, unique=True)
    cols["stream_id"] = sid
    cid = text("company_id")
    if "company_id" in names:
        known_sorted: list[str] | None = None
        suspect = [k for k, c in enumerate(cid) if c is None or c not in company_ids]
        for i in suspect:
            v = cid[i]
            if v is None:
                out.add(
                    T,
                    i,
                    "company_id",
                    None,
                    "empty company_id",
                    "give every stream its company's company_id",
                    code="missing_value",
                )
            elif v not in company_ids:
                if known_sorted is None:
                    known_sorted = sorted(company_ids)
                near = (
                    difflib.get_close_matches(v, known_sorted, n=1, cutoff=0.8)
                    if len(known_sorted) < 20000
                    else []
                )
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                out.add(
                    T,
                    i,
                    "company_id",
                    v,
                    f"stream of an unknown company{hint}",
                    "add the company to the companies table or correct the id",
                    code="unknown_company",
                )
    cols["company_id"] = cid
    # direction
    dirs_raw = text("direction")
    dirs: list[str | None] = [None] * n
    if "direction" in names:
        norm = {u: u.strip().lower() for u in set(dirs_raw) if u is not None}
        dirs = [norm[v] if v is not None and norm[v] in DIRECTIONS else None for v in dirs_raw]
        for i in [k for k, dv in enumerate(dirs) if dv is None]:
            v = dirs_raw[i]
            d = None if v is None else norm[v]
            if d is None:
                out.add(
                    T,
                    i,
                    "direction",
                    None,
                    "empty direction",
                    "write 'supply' or 'demand'",
                    code="bad_direction",
                )
                continue
            hint = _DIRECTION_HINTS.get(d, "")
            fix = (
                f"write {hint!r}"
                if hint
                else "write 'supply' (an output to place) or 'demand' (an input needed)"
            )
            out.add(
                T,
                i,
                "direction",
                v,
                "direction must be 'supply' or 'demand'",
                fix,
                code="bad_direction",
            )
    cols["direction"] = dirs
    # material / ewc / class
    material = text("material")
    ewc_raw = text("ewc_code")
    mclass = text("material_class")
    ewc: list[str | None] = [None] * n
    if "ewc_code" in names:
        def bad_ewc(i: int, v: str, r: InvalidInputError) -> None:
            msg = str(r)
            unknown = "unknown" in msg.lower() or "not in" in msg.lower()
            out.add(T, i, "ewc_code", v, msg.split(";")[0],
                    "write a code of the European List of Waste (Decision 2014/955/EU) as "
                    "'NN NN NN'", code="unknown_ewc" if unknown else "malformed_ewc")

        ewc = _map_rows(ewc_raw, normalize_ewc_code, bad_ewc)
    bad_classes = {u for u in set(mclass) if u is not None and not _SNAKE.match(u)}
    for i in [k for k, c in enumerate(mclass) if c in bad_classes] if bad_classes else []:
        v = mclass[i]
        if v is not None:
            fix = re.sub(r"[^a-z0-9]+", "_", v.lower()).strip("_")
            out.add(
                T,
                i,
                "material_class",
                v,
                "material_class must be a snake_case class id",
                f"write {fix!r}",
                code="bad_material_class",
            )
            mclass[i] = None
    if "material" in names:
        for i in range(n):
            if material[i] is None and ewc_raw[i] is None and mclass[i] is None:
                out.add(
                    T,
                    i,
                    "material",
                    None,
                    "no material description (material, ewc_code and material_class are all empty)",
                    "describe the material in 'material'",
                    code="missing_material",
                )
    cols["material"] = material
    cols["ewc_code"] = ewc
    cols["material_class"] = mclass
    # quantities
    q = np.full(n, np.nan)
    if "quantity" in names:
        q = _numeric_column(t.column("quantity"), T, "quantity", out, required=True)
        flagged = {r for r, why in out.bad[T].items() if why.startswith("quantity:")}
        for i in map(int, np.flatnonzero(~(np.isfinite(q) & (q >= 0)))):
            if i in flagged:
                continue
            if np.isnan(q[i]):
                out.add(
                    T,
                    i,
                    "quantity",
                    None,
                    "missing quantity",
                    "give the quantity as a number",
                    code="missing_value",
                )
            elif not np.isfinite(q[i]):
                out.add(
                    T,
                    i,
                    "quantity",
                    float(q[i]),
                    "non-finite quantity",
                    "give a finite quantity",
                    code="nonfinite_quantity",
                )
            else:
                out.add(
                    T,
                    i,
                    "quantity",
                    float(q[i]),
                    "negative quantity",
                    "quantities are >= 0; the direction column says supply or demand",
                    code="negative_quantity",
                )
    units = text("unit")
    density = np.full(n, np.nan)
    if "density_t_per_m3" in names:
        density = _numeric_column(
            t.column("density_t_per_m3"),
            T,
            "density_t_per_m3",
            out,
            required=False,
            unit_hint=" in t/m3",
        )
        for i in map(
            int, np.flatnonzero(~np.isnan(density) & ~(np.isfinite(density) & (density > 0)))
        ):
            out.add(
                T,
                int(i),
                "density_t_per_m3",
                float(density[i]),
                "density must be a finite number > 0",
                "give the bulk density in t/m3 (water = 1.0), or leave it empty",
                code="bad_density",
            )
    conv = convert_quantities(q, [u if u is not None else "" for u in units], density)
    if "unit" in names:
        for i, msg in conv.unit_errors.items():
            if units[i] is None:
                out.add(
                    T,
                    i,
                    "unit",
                    None,
                    "empty unit",
                    "write the unit, e.g. 't/yr'",
                    code="unknown_unit",
                )
            else:
                out.add(
                    T,
                    i,
                    "unit",
                    units[i],
                    msg.split(" Use ")[0].rstrip(";"),
                    "use AMOUNT[/PERIOD], e.g. 't/yr', 'kg/day', 'MWh/yr', 'm3/month'",
                    code="unknown_unit",
                )
    overflow = np.isfinite(q) & (np.isinf(conv.t_per_yr) | np.isinf(conv.mwh_per_yr)
                                 | np.isinf(conv.m3_per_yr))
    for i in map(int, np.flatnonzero(overflow)):
        out.add(
            T,
            i,
            "quantity",
            float(q[i]),
            f"quantity {float(q[i]):g} {units[i]} is not a finite number once converted to a "
            "yearly amount (it overflows a 64-bit float)",
            "check the quantity and its unit; give a realistic yearly amount",
            code="quantity_overflow",
        )
    vol_no_density = np.flatnonzero(
        (conv.dimension == "volume") & ~(np.isfinite(density) & (density > 0))
    )
    for i in map(int, vol_no_density):
        out.add(
            T,
            i,
            "density_t_per_m3",
            None,
            "volume stream without a density: kept as a volume stream (quantity_m3_per_yr), no tonnes",
            "give density_t_per_m3 to convert it to tonnes",
            code="volume_without_density",
            severity="warning",
        )
    cols["quantity"] = q
    cols["unit"] = units
    cols["dimension"] = list(conv.dimension)
    cols["quantity_t_per_yr"] = conv.t_per_yr
    cols["quantity_mwh_per_yr"] = conv.mwh_per_yr
    cols["quantity_m3_per_yr"] = conv.m3_per_yr
    cols["density_t_per_m3"] = np.where(np.isfinite(density) & (density > 0), density, np.nan)
    # quality
    quality = np.full(n, np.nan)
    if "quality" in names:
        quality = _numeric_column(
            t.column("quality"), T, "quality", out, required=False, unit_hint=" between 0 and 1"
        )
        for i in map(int, np.flatnonzero(~np.isnan(quality) & ~((quality >= 0) & (quality <= 1)))):
            fv = float(quality[i])
            fix = (
                f"write {fv / 100:g} (a fraction, not a percentage)"
                if 1 < fv <= 100
                else "give a quality score between 0 and 1"
            )
            out.add(T, int(i), "quality", fv, "quality outside [0, 1]", fix, code="bad_quality")
    cols["quality"] = np.where((quality >= 0) & (quality <= 1), quality, np.nan)
    # price
    cols["price_usd_per_t"] = _optional_nonnegative(
        t, names, n, T, "price_usd_per_t", out, unit_hint=" in USD per tonne", what="price",
        fix="give a price >= 0 in USD/t (a supply's disposal cost is written as a positive number)",
        code="bad_price")
    # availability
    mask = np.full(n, CONTINUOUS_MASK, dtype=np.int16)
    if "availability_mask" in names:
        mcol = t.column("availability_mask")
        raw_mask: list[Any] = []
        if pa.types.is_integer(mcol.type):
            mv_np = mcol.cast(pa.float64()).to_numpy(zero_copy_only=False)
            ok_m = np.isnan(mv_np) | ((mv_np >= 1) & (mv_np <= CONTINUOUS_MASK))
            mask[:] = np.where(
                np.isnan(mv_np), CONTINUOUS_MASK, np.where(ok_m, mv_np, CONTINUOUS_MASK)
            ).astype(np.int16)
            bad_rows = np.flatnonzero(~ok_m)
            raw_mask = [None] * n
            for k in map(int, bad_rows):
                raw_mask[k] = int(mv_np[k])
        else:
            raw_mask = mcol.to_pylist()
        for i, v in enumerate(raw_mask):
            if _is_missing(v):
                continue
            try:
                mv: Any = v
                if isinstance(v, str):
                    if not re.fullmatch(r"\s*\d+\s*", v):
                        raise InvalidInputError("not an integer")
                    mv = int(v.strip())
                mask[i] = parse_availability(mv)
            except (InvalidInputError, ValueError, OverflowError):
                out.add(
                    T,
                    i,
                    "availability_mask",
                    v,
                    "availability_mask must be an integer 1..4095 (bit m-1 = month m)",
                    "use 4095 for continuous, or the 'availability' column with month names",
                    code="bad_availability",
                )
    if "availability" in names:
        raw_av = text("availability")
        given_mask = "availability_mask" in names
        mapped = _map_unique(raw_av, parse_availability)
        for i, v in enumerate(raw_av):
            if v is None:
                continue
            r = mapped[v]
            if isinstance(r, Exception):
                out.add(
                    T,
                    i,
                    "availability",
                    v,
                    str(r).split(";")[0],
                    "write 'continuous', month numbers ('1-3,6') or month names ('jan-mar')",
                    code="bad_availability",
                )
            elif given_mask and not _is_missing(t.column("availability_mask")[i].as_py()):
                if int(mask[i]) != r:
                    out.add(
                        T,
                        i,
                        "availability",
                        v,
                        f"availability disagrees with availability_mask {int(mask[i])}",
                        "keep one of the two columns",
                        code="bad_availability",
                    )
            else:
                mask[i] = r
    cols["availability_mask"] = mask
    cols["treatment_route"], cols["food_grade"] = _compliance_fields(t, names, n, out)
    return cols, missing


_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}


def _compliance_fields(
    t: pa.Table, names: list[str], n: int, out: _Collector
) -> tuple[list[str | None], list[bool | None]]:
    """``treatment_route`` ('recovery' / 'disposal') and ``food_grade`` (bool) of each stream:
    the inputs of the compliance rules XB-DISPOSAL, FOOD-WASTE and FOOD-TRACE."""
    T = "streams"
    route: list[str | None] = [None] * n
    if "treatment_route" in names:
        for i, v in enumerate(_text_values(t.column("treatment_route"))):
            if v is None:
                continue
            r = v.strip().lower()
            if r in ("recovery", "disposal"):
                route[i] = r
            else:
                out.add(T, i, "treatment_route", v, "treatment_route must be 'recovery' or "
                        "'disposal'", "write 'recovery' (R operations) or 'disposal' "
                        "(D operations, Directive 2008/98/EC Annex I), or leave it empty",
                        code="bad_treatment_route")
    food: list[bool | None] = [None] * n
    if "food_grade" in names:
        for i, v in enumerate(t.column("food_grade").to_pylist()):
            if _is_missing(v):
                continue
            key = str(v).strip().lower() if not isinstance(v, bool) else str(v).lower()
            if isinstance(v, float) and v in (0.0, 1.0):
                key = str(int(v))
            if key in _TRUE:
                food[i] = True
            elif key in _FALSE:
                food[i] = False
            else:
                out.add(T, i, "food_grade", v, "food_grade must be true or false",
                        "write true when the input goes into food, feed or food-contact "
                        "production, else false", code="bad_food_grade")
    return route, food


def _exchanges(
    t: pa.Table, out: _Collector, stream_dir: dict[str, str | None]
) -> tuple[dict[str, Any], list[str]]:
    T = "exchanges"
    t, missing = _check_columns(T, t, out)
    n = t.num_rows
    names = t.column_names
    cols: dict[str, Any] = {}
    for name, want in (("supplier_stream_id", "supply"), ("receiver_stream_id", "demand")):
        vals = _text_values(t.column(name)) if name in names else [None] * n
        if name in names:
            for i, v in enumerate(vals):
                if v is None:
                    out.add(
                        T,
                        i,
                        name,
                        None,
                        f"empty {name}",
                        f"give the {want} stream's stream_id",
                        code="missing_value",
                    )
                elif v not in stream_dir:
                    out.add(
                        T,
                        i,
                        name,
                        v,
                        "exchange of an unknown stream",
                        "add the stream to the streams table or correct the id",
                        code="unknown_stream",
                    )
                elif stream_dir[v] is not None and stream_dir[v] != want:
                    out.add(
                        T,
                        i,
                        name,
                        v,
                        f"wrong direction: stream {v!r} is a {stream_dir[v]} stream, but {name} must name a {want} stream",
                        "swap supplier and receiver, or correct the stream's direction",
                        code="wrong_direction",
                    )
        cols[name] = vals
    cols["quantity_t_per_yr"] = _optional_nonnegative(
        t, names, n, T, "quantity_t_per_yr", out, unit_hint=" in t/yr", what="quantity",
        fix="give a finite quantity >= 0 in t/yr, or leave it empty", code="bad_quantity")
    status: list[str | None] = ["proposed"] * n
    if "status" in names:
        raw = _text_values(t.column("status"))
        for i, v in enumerate(raw):
            s = None if v is None else v.lower()
            if s in EXCHANGE_STATUSES:
                status[i] = s
            else:
                status[i] = None
                out.add(
                    T,
                    i,
                    "status",
                    v,
                    "unknown exchange status",
                    "write one of " + ", ".join(EXCHANGE_STATUSES),
                    code="bad_status",
                )
    cols["status"] = status
    return cols, missing


# -------------------------------------------------------------------------------------------
# assembling
# -------------------------------------------------------------------------------------------
def _empty_raw(table: str) -> pa.Table:
    return pa.table({c: pa.array([], pa.string()) for c in required_columns(table)})


def _build(table: str, cols: dict[str, Any], raw: pa.Table, keep: np.ndarray) -> pa.Table:
    schema = schema_for(table)
    arrays = []
    for f in schema:
        v = cols[f.name]
        if isinstance(v, np.ndarray) and v.dtype.kind == "f":
            arr = pa.array(v[keep], type=f.type, from_pandas=True)  # NaN -> null
        elif isinstance(v, np.ndarray):
            arr = pa.array(v[keep], type=f.type)
        elif keep.all():
            arr = pa.array(v, type=f.type)
        else:
            arr = pa.array([v[i] for i in np.flatnonzero(keep)], type=f.type)
        arrays.append(arr)
    out = pa.Table.from_arrays(arrays, schema=schema)
    known = {c.lower() for c in input_columns(table)} | set(schema.names)
    raw_names = [str(c).replace("\ufeff", "").strip() for c in raw.column_names]
    idx = pa.array(np.flatnonzero(keep))
    for j, name in enumerate(raw_names):
        if name.lower() in known or name in out.column_names:
            continue
        col = raw.column(j).take(idx)
        if pa.types.is_large_string(col.type) or pa.types.is_string_view(col.type):
            col = col.cast(
                pa.string()
            )  # one string type for free attributes (pandas 3 gives large_string)
        out = out.append_column(name, col)
    return out


def validate_tables(
    tables: dict[str, Any],
    *,
    strict: bool = True,
    sources: dict[str, str] | None = None,
) -> tuple[dict[str, pa.Table], ValidationReport]:
    """Validate and normalise raw tables.

    Parameters
    ----------
    tables : dict
        ``companies`` and ``streams`` (required) and ``exchanges`` (optional), each a pyarrow
        Table, a pandas or polars DataFrame.  Column types may be anything (CSV text, numbers).
    strict : bool, default True
        Raise on any error; otherwise leave the bad rows out and name them in the report.
    sources : dict, optional
        Where each table came from, recorded in the report.

    Returns
    -------
    (dict of str to pyarrow.Table, ValidationReport)
        The normalised tables (schemas of :mod:`symbioflows.data.schema`, free attribute columns
        appended) and the report.

    Raises
    ------
    InvalidDatasetError
        In strict mode, when there is at least one error; ``.problems`` lists every error.
    """
    out = _Collector()
    raw: dict[str, pa.Table] = {}
    for name in tables:
        if name not in TABLES:
            raise InvalidInputError(f"unknown table {name!r}; expected {TABLES}")
    for name in TABLES:
        if tables.get(name) is None:
            if name == "exchanges":
                raw[name] = pa.table(
                    {
                        "supplier_stream_id": pa.array([], pa.string()),
                        "receiver_stream_id": pa.array([], pa.string()),
                    }
                )
                continue
            out.add(
                name,
                None,
                None,
                None,
                f"the {name} table is missing",
                f"provide a {name} table",
                code="missing_table",
            )
            raw[name] = _empty_raw(name)
            continue
        raw[name] = to_arrow_table(tables[name], name=name)
        if raw[name].num_rows == 0 and raw[name].num_columns == 0:
            raw[name] = _empty_raw(name)  # an empty file / list: an empty table
    report = ValidationReport(sources=dict(sources or {}))
    report.n_rows = {t: raw[t].num_rows for t in TABLES}

    ccols, cmiss = _companies(raw["companies"], out)
    company_ids = {c for c in ccols["company_id"] if c is not None}
    scols, smiss = _streams(raw["streams"], out, company_ids)
    stream_dir: dict[str, str | None] = {}
    for s, d in zip(scols["stream_id"], scols["direction"]):
        if s is not None:
            stream_dir.setdefault(s, d)
    ecols, emiss = _exchanges(raw["exchanges"], out, stream_dir)

    report.problems = out.problems
    if strict:
        if report.errors:
            raise InvalidDatasetError(report.errors)
        keeps = {t: np.ones(raw[t].num_rows, dtype=bool) for t in TABLES}
    else:
        keeps = _lenient_keep(
            raw,
            out,
            report,
            ccols,
            scols,
            ecols,
            {"companies": cmiss, "streams": smiss, "exchanges": emiss},
        )
    result = {
        "companies": _build("companies", ccols, raw["companies"], keeps["companies"]),
        "streams": _build("streams", scols, raw["streams"], keeps["streams"]),
        "exchanges": _build("exchanges", ecols, raw["exchanges"], keeps["exchanges"]),
    }
    if report.warnings:
        logger.info("dataset read with %d warning(s)", len(report.warnings))
    if report.n_dropped:
        logger.warning("%d row(s) left out; see the ValidationReport", report.n_dropped)
    return result, report


def _lenient_keep(
    raw: dict[str, pa.Table],
    out: _Collector,
    report: ValidationReport,
    ccols: dict[str, Any],
    scols: dict[str, Any],
    ecols: dict[str, Any],
    missing: dict[str, list[str]],
) -> dict[str, np.ndarray]:
    keeps: dict[str, np.ndarray] = {}
    dropped: dict[str, dict[int, str]] = {t: {} for t in TABLES}
    for t in TABLES:
        n = raw[t].num_rows
        keep = np.ones(n, dtype=bool)
        if missing[t]:
            why = "required column(s) missing: " + ", ".join(missing[t])
            keep[:] = False
            dropped[t] = dict.fromkeys(range(n), why)
        for r, why in out.bad[t].items():
            if keep[r]:
                keep[r] = False
                dropped[t][r] = why
        keeps[t] = keep
    # cascade: companies -> streams -> exchanges
    kept_companies = {
        c for c, k in zip(ccols["company_id"], keeps["companies"]) if k and c is not None
    }
    dropped_company_row = {
        c: r
        for r, c in enumerate(ccols["company_id"])
        if c is not None and not keeps["companies"][r]
    }
    for r, c in enumerate(scols["company_id"]):
        if keeps["streams"][r] and c not in kept_companies:
            keeps["streams"][r] = False
            cr = dropped_company_row.get(c)
            dropped["streams"][r] = f"its company {c!r} was left out (companies row {cr})"
    kept_streams = {s for s, k in zip(scols["stream_id"], keeps["streams"]) if k and s is not None}
    stream_row = {s: r for r, s in enumerate(scols["stream_id"]) if s is not None}
    for r in range(raw["exchanges"].num_rows):
        if not keeps["exchanges"][r]:
            continue
        for col in ("supplier_stream_id", "receiver_stream_id"):
            s = ecols[col][r]
            if s not in kept_streams:
                keeps["exchanges"][r] = False
                dropped["exchanges"][r] = (
                    f"its stream {s!r} was left out (streams row {stream_row.get(s)})"
                )
                break
    report.dropped = dropped
    return keeps
