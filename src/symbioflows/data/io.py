"""Reading datasets from files, folders and in-memory tables.

:func:`read_dataset` accepts

- a folder holding ``companies.*``, ``streams.*`` and optionally ``exchanges.*`` files, each in
  CSV (``.csv``, ``.csv.gz``, ``.tsv``), Parquet (``.parquet``, ``.pq``) or JSON (``.json``: an
  array of records or an object of equal-length lists; ``.jsonl``/``.ndjson``: one record per
  line);
- one JSON file holding an object ``{"companies": [...], "streams": [...], "exchanges": [...]}``;
- a dict ``{"companies": X, "streams": Y, "exchanges": Z}`` (``exchanges`` optional) or a tuple
  ``(companies, streams[, exchanges])`` where each item is a path, a pandas / polars DataFrame, a
  pyarrow Table or RecordBatch, a list of records or a dict of columns.

Errors
------
- A path that does not exist: :class:`FileNotFoundError`.
- A file that cannot be parsed (bad encoding, wrong delimiter giving ragged rows, truncated or
  corrupt Parquet, malformed JSON): :class:`~symbioflows.errors.InvalidDatasetError` with one
  problem per unreadable file (code ``unreadable_file``), chained (``__cause__``) from the
  parser's exception.
- A file larger than ``max_bytes``: :class:`~symbioflows.errors.ResourceLimitError`.
- Content problems: :class:`~symbioflows.errors.InvalidDatasetError` listing every problem
  (strict mode), see :mod:`symbioflows.data.validation`.

CSV files are read with every column as text (so ids such as ``"007"``, EWC codes such as
``"010101"`` and NACE codes such as ``"24.10"`` keep their exact spelling); an empty cell is
missing, and only an empty cell (``"NA"`` is Namibia).  The delimiter is detected from the
header line among ``, ; TAB |`` unless ``delimiter=`` is given.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from symbioflows.data.schema import TABLES
from symbioflows.errors import (
    DatasetProblem,
    InvalidDatasetError,
    InvalidInputError,
    ResourceLimitError,
)

if TYPE_CHECKING:
    from symbioflows.data.dataset import Dataset

__all__ = ["read_dataset", "read_table", "to_arrow_table", "FORMATS"]

#: Accepted file suffixes per format.
FORMATS: dict[str, tuple[str, ...]] = {
    "csv": (".csv", ".csv.gz", ".tsv", ".txt"),
    "parquet": (".parquet", ".pq"),
    "json": (".json", ".jsonl", ".ndjson"),
}


class _FileProblem(Exception):
    def __init__(self, problem: DatasetProblem, cause: BaseException | None) -> None:
        super().__init__(str(problem))
        self.problem = problem
        self.cause = cause


def _file_error(table: str, path: Path, message: str, fix: str, code: str,
                exc: BaseException) -> _FileProblem:
    """A problem with a whole file (no row or column): its path stands as the value."""
    return _FileProblem(DatasetProblem(table, None, None, str(path), message, fix,
                                       extra={"code": code}), exc)


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt is not None:
        if fmt not in FORMATS:
            raise InvalidInputError(f"unknown format {fmt!r}; expected one of {sorted(FORMATS)}")
        return fmt
    name = path.name.lower()
    for f, suffixes in FORMATS.items():
        if any(name.endswith(s) for s in suffixes):
            return f
    raise InvalidInputError(
        f"cannot tell the format of {str(path)!r} from its name; use a suffix among "
        f"{[s for v in FORMATS.values() for s in v]} or pass format="
    )


def _sniff_delimiter(path: Path, encoding: str) -> str:
    import gzip

    opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as fh:
        head = fh.read(65536)
    line = head.split(b"\n", 1)[0].decode(encoding, errors="replace")
    counts = {d: line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _header(path: Path, encoding: str, delimiter: str) -> list[str]:
    import gzip

    opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding=encoding, errors="strict", newline="") as fh:
        row = next(csv.reader(fh, delimiter=delimiter), [])
    return row


def _read_csv(path: Path, table: str, encoding: str, delimiter: str | None) -> pa.Table:
    import pyarrow.csv as pacsv

    try:
        delim = delimiter or _sniff_delimiter(path, encoding)
        names = _header(path, encoding, delim)
        opts_read = pacsv.ReadOptions(encoding=encoding)
        opts_parse = pacsv.ParseOptions(delimiter=delim)
        opts_conv = pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            null_values=[""],
            strings_can_be_null=True,
        )
        return pacsv.read_csv(
            path, read_options=opts_read, parse_options=opts_parse, convert_options=opts_conv
        )
    except (UnicodeDecodeError, LookupError) as exc:
        raise _file_error(table, path, f"file is not valid {encoding} text ({exc})",
                          "save the file as UTF-8, or pass encoding= (e.g. 'latin-1')",
                          "bad_encoding", exc) from exc
    except (pa.ArrowInvalid, pa.ArrowException, OSError, csv.Error, StopIteration) as exc:
        msg = str(exc)
        if "UTF8" in msg or "utf8" in msg or "UTF-8" in msg:
            fix = "save the file as UTF-8, or pass encoding= (e.g. 'latin-1')"
            code = "bad_encoding"
        elif "columns" in msg:
            fix = (
                "rows have a different number of fields than the header: check the delimiter "
                f"(read with {delim!r}; pass delimiter=) and quote fields that contain it"
            )
            code = "bad_delimiter"
        else:
            fix = "check that the file is a well-formed CSV file"
            code = "unreadable_file"
        raise _file_error(table, path, f"cannot parse CSV: {msg}", fix, code, exc) from exc


def _read_parquet(path: Path, table_name: str) -> pa.Table:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
        _ = [f.name for f in table.schema]  # names that are not valid UTF-8 raise here
    except UnicodeDecodeError as exc:
        raise _file_error(table_name, path,
                          f"a column name in the Parquet file is not valid UTF-8 ({exc})",
                          "re-export the file with UTF-8 column names",
                          "bad_encoding", exc) from exc
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _file_error(table_name, path,
                          f"cannot read Parquet (truncated or corrupt?): {exc}",
                          "re-export the file, or check that it was copied completely",
                          "unreadable_file", exc) from exc
    _check_parquet_text(table, path, table_name)
    return table


def _check_parquet_text(table: pa.Table, path: Path, table_name: str) -> None:
    """Parquet does not check that its text columns hold UTF-8: a file written by another tool
    can carry raw bytes (Latin-1 umlauts) that fail only when a value is decoded.  Check every
    text column once (Arrow's full validation) and name the first bad value."""
    for field, column in zip(table.schema, table.columns):
        if not (pa.types.is_string(field.type) or pa.types.is_large_string(field.type)):
            continue
        try:
            column.validate(full=True)
        except pa.ArrowInvalid as exc:
            row, raw = _first_bad_utf8(column)
            raise _FileProblem(
                DatasetProblem(
                    table_name,
                    row,
                    field.name,
                    raw,
                    "text that is not valid UTF-8 (a Latin-1 or other legacy encoding?)",
                    "re-export the file with its text columns encoded as UTF-8",
                    extra={"code": "bad_encoding", "path": str(path)},
                ),
                exc,
            ) from exc


def _first_bad_utf8(column: pa.ChunkedArray) -> tuple[int | None, bytes | None]:
    """Row and raw bytes of the first value of ``column`` that is not valid UTF-8."""
    binary = column.cast(pa.large_binary() if pa.types.is_large_string(column.type) else pa.binary())
    for row, value in enumerate(binary.to_pylist()):
        if value is None:
            continue
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            return row, value
    return None, None


def _load_json(path: Path, table: str, encoding: str) -> Any:
    try:
        text = path.read_text(encoding=encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise _file_error(table, path, f"file is not valid {encoding} text ({exc})",
                          "save the file as UTF-8, or pass encoding=",
                          "bad_encoding", exc) from exc
    try:
        if path.name.lower().endswith((".jsonl", ".ndjson")):
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _file_error(table, path,
                          f"cannot parse JSON (truncated or malformed?) at line {exc.lineno} "
                          f"column {exc.colno}: {exc.msg}",
                          "write an array of records, an object of equal-length lists, or one "
                          "record per line (.jsonl)",
                          "unreadable_file", exc) from exc


def _column_array(values: list[Any]) -> pa.Array:
    from symbioflows.data.validation import _as_text

    try:
        arr = pa.array(values)
        if not (
            pa.types.is_struct(arr.type) or pa.types.is_list(arr.type) or pa.types.is_map(arr.type)
        ):
            return arr
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        pass
    return pa.array(
        [json.dumps(v) if isinstance(v, (dict, list)) else _as_text(v) for v in values],
        type=pa.string(),
    )


def _records_to_table(obj: Any, table: str, where: str) -> pa.Table:
    if isinstance(obj, list):
        if not all(isinstance(r, dict) for r in obj):
            raise InvalidInputError(f"{table} ({where}): expected a list of records (objects)")
        names: dict[str, None] = {}
        for r in obj:
            for k in r:
                names.setdefault(str(k), None)
        return pa.table({k: _column_array([r.get(k) for r in obj]) for k in names})
    if isinstance(obj, dict):
        cols = {str(k): v for k, v in obj.items()}
        if not all(isinstance(v, list) for v in cols.values()):
            raise InvalidInputError(
                f"{table} ({where}): expected an object of equal-length lists or a list of records"
            )
        lengths = {len(v) for v in cols.values()}
        if len(lengths) > 1:
            raise InvalidInputError(
                f"{table} ({where}): columns have different lengths {sorted(lengths)}"
            )
        return pa.table({k: _column_array(v) for k, v in cols.items()})
    raise InvalidInputError(f"{table} ({where}): expected records; got {type(obj).__name__}")


def _check_size(path: Path, max_bytes: int | None) -> None:
    if max_bytes is not None:
        size = path.stat().st_size
        if size > max_bytes:
            raise ResourceLimitError(
                f"{str(path)!r} is {size} bytes, more than max_bytes={max_bytes}; raise max_bytes "
                "or split the file"
            )


def read_table(
    path: str | os.PathLike[str],
    *,
    table: str = "table",
    format: str | None = None,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    max_bytes: int | None = None,
) -> pa.Table:
    """Read one raw table (no validation) from a CSV, Parquet or JSON file.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    InvalidDatasetError
        The file cannot be parsed; chained from the parser's exception.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{table}: no such file {str(p)!r}")
    fmt = _format_of(p, format)
    _check_size(p, max_bytes)
    try:
        if fmt == "csv":
            return _read_csv(p, table, encoding, delimiter)
        if fmt == "parquet":
            return _read_parquet(p, table)
        return _records_to_table(_load_json(p, table, encoding), table, str(p))
    except _FileProblem as fp:
        raise InvalidDatasetError([fp.problem]) from fp.cause


def to_arrow_table(obj: Any, *, name: str = "table") -> pa.Table:
    """Convert a pandas / polars DataFrame, pyarrow Table or RecordBatch, list of records or dict
    of columns to a pyarrow Table, without losing values (mixed-type columns become text)."""
    if isinstance(obj, pa.Table):
        return obj
    if isinstance(obj, pa.RecordBatch):
        return pa.Table.from_batches([obj])
    mod = type(obj).__module__.split(".")[0]
    if mod == "polars" and hasattr(obj, "to_arrow"):
        return obj.to_arrow()
    if mod == "pandas" and hasattr(obj, "columns"):
        return _from_pandas(obj, name)
    if isinstance(obj, (list, dict)):
        return _records_to_table(obj, name, "in-memory object")
    if hasattr(obj, "__arrow_c_stream__"):
        return pa.table(obj)
    raise TypeError(
        f"{name}: cannot read a {type(obj).__name__}; pass a path, a pandas or polars DataFrame, "
        "a pyarrow Table, a list of records or a dict of columns"
    )


def _from_pandas(df: Any, name: str) -> pa.Table:
    df = df.copy(deep=False)
    df.columns = [str(c) for c in df.columns]
    try:
        return pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        pass
    cols = {}
    for c in df.columns:
        s = df[c]
        try:
            cols[c] = pa.Array.from_pandas(s)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
            cols[c] = _column_array(s.tolist())
    return pa.table(cols)


def _find_table_files(folder: Path, table: str, fmt: str | None) -> Path | None:
    hits = []
    for f, suffixes in FORMATS.items():
        if fmt is not None and f != fmt:
            continue
        for s in suffixes:
            p = folder / f"{table}{s}"
            if p.is_file():
                hits.append(p)
    if len(hits) > 1:
        raise InvalidInputError(
            f"{str(folder)!r} holds several {table} files {[h.name for h in hits]}; keep one or pass format="
        )
    return hits[0] if hits else None


def _resolve_sources(
    source: Any, fmt: str | None, read_kw: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Map the user's argument to {table: raw object} and {table: description}."""
    if isinstance(source, (str, os.PathLike)):
        p = Path(source)
        if p.is_dir():
            found = {t: _find_table_files(p, t, fmt) for t in TABLES}
            if found["companies"] is None and found["streams"] is None:
                listing = sorted(x.name for x in p.iterdir())[:20]
                raise InvalidInputError(
                    f"{str(p)!r} holds no companies.* or streams.* file (found {listing}); name "
                    "the files companies.csv, streams.csv and exchanges.csv (or .parquet / .json)"
                )
            return {t: v for t, v in found.items() if v is not None}, {
                t: str(v) for t, v in found.items() if v is not None
            }
        if p.is_file():
            f = _format_of(p, fmt)
            if f != "json" or p.name.lower().endswith((".jsonl", ".ndjson")):
                raise InvalidInputError(
                    f"{str(p)!r} is a single {f} file; pass a folder with companies/streams/exchanges "
                    "files, or a dict {'companies': path, 'streams': path}"
                )
            _check_size(p, read_kw.get("max_bytes"))
            try:
                obj = _load_json(p, "dataset", read_kw.get("encoding", "utf-8"))
            except _FileProblem as fp:
                raise InvalidDatasetError([fp.problem]) from fp.cause
            if not isinstance(obj, dict) or not ({"companies", "streams"} & set(obj)):
                raise InvalidInputError(
                    f"{str(p)!r}: a single JSON file must hold an object with 'companies' and "
                    "'streams' (and optionally 'exchanges') lists of records"
                )
            unknown = set(obj) - set(TABLES)
            if unknown:
                raise InvalidInputError(
                    f"{str(p)!r}: unknown table(s) {sorted(unknown)}; expected {TABLES}"
                )
            return dict(obj), dict.fromkeys(obj, str(p))
        raise FileNotFoundError(f"no such file or folder: {str(p)!r}")
    if isinstance(source, Mapping):
        unknown = set(source) - set(TABLES)
        if unknown:
            raise InvalidInputError(
                f"unknown table name(s) {sorted(map(str, unknown))}; expected {TABLES}"
            )
        return dict(source), {
            t: (str(v) if isinstance(v, (str, os.PathLike)) else type(v).__name__)
            for t, v in source.items()
        }
    if isinstance(source, tuple) and 2 <= len(source) <= 3:
        d = dict(zip(TABLES, source))
        return d, {
            t: (str(v) if isinstance(v, (str, os.PathLike)) else type(v).__name__)
            for t, v in d.items()
        }
    raise TypeError(
        f"read_dataset: cannot read a {type(source).__name__}; pass a folder, a JSON file, a dict "
        "{'companies': ..., 'streams': ..., 'exchanges': ...} or a tuple (companies, streams[, exchanges])"
    )


def read_dataset(
    path_or_tables: Any,
    *,
    strict: bool = True,
    format: str | None = None,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    max_bytes: int | None = None,
) -> Dataset:
    """Read, validate and normalise a dataset (companies, streams, exchanges).

    Parameters
    ----------
    path_or_tables : path, dict or tuple
        A folder with ``companies.*``, ``streams.*`` and optional ``exchanges.*`` files (CSV,
        Parquet or JSON); a JSON file holding all three; a dict ``{"companies": X, "streams": Y,
        "exchanges": Z}`` or a tuple ``(X, Y[, Z])`` whose items are paths, pandas / polars
        DataFrames, pyarrow Tables, lists of records or dicts of columns.
    strict : bool, default True
        Raise one :class:`~symbioflows.errors.InvalidDatasetError` listing every problem.  With
        ``strict=False`` the rows with errors are left out and ``dataset.report`` (a
        :class:`~symbioflows.data.validation.ValidationReport`) names each of them.
    format : {'csv', 'parquet', 'json'}, optional
        Force the file format (default: from the file suffix).
    encoding : str, default 'utf-8'
        Text encoding of CSV and JSON files.
    delimiter : str, optional
        CSV delimiter (default: detected from the header among ``, ; TAB |``).
    max_bytes : int, optional
        Refuse files larger than this (:class:`~symbioflows.errors.ResourceLimitError`).

    Returns
    -------
    Dataset
        With ``.companies``, ``.streams``, ``.exchanges`` (pyarrow Tables in the schemas of
        :mod:`symbioflows.data.schema`) and ``.report``.

    Raises
    ------
    InvalidDatasetError
        Content problems (strict mode), or a file that cannot be parsed (any mode; chained from
        the parser's exception).
    FileNotFoundError
        A path that does not exist.
    ResourceLimitError
        A file larger than ``max_bytes``.
    InvalidInputError, TypeError
        An argument of the wrong kind (an unknown table name, an unsupported object).

    Examples
    --------
    >>> import symbioflows as sf
    >>> ds = sf.read_dataset({
    ...     "companies": [{"company_id": "a", "lat": 51.9, "lon": 4.3, "sector": "24.10"},
    ...                   {"company_id": "b", "lat": 51.88, "lon": 4.35, "sector": "23.51"}],
    ...     "streams": [{"stream_id": "s1", "company_id": "a", "direction": "supply",
    ...                  "material": "blast furnace slag", "ewc_code": "100202",
    ...                  "quantity": 2000, "unit": "t/month"},
    ...                 {"stream_id": "s2", "company_id": "b", "direction": "demand",
    ...                  "material": "slag", "quantity": 30, "unit": "kt/yr"}],
    ... })
    >>> ds.streams.column("quantity_t_per_yr").to_pylist()
    [24000.0, 30000.0]
    >>> ds.streams.column("ewc_code").to_pylist()
    ['10 02 02', None]
    """
    from symbioflows.data.dataset import Dataset
    from symbioflows.data.validation import validate_tables

    if isinstance(path_or_tables, Dataset):
        return path_or_tables
    read_kw = {"encoding": encoding, "delimiter": delimiter, "max_bytes": max_bytes}
    sources, where = _resolve_sources(path_or_tables, format, read_kw)
    raw: dict[str, Any] = {}
    problems: list[DatasetProblem] = []
    first_cause: BaseException | None = None
    for t in TABLES:
        obj = sources.get(t)
        if obj is None:
            continue
        if isinstance(obj, (str, os.PathLike)):
            p = Path(obj)
            if not p.is_file():
                raise FileNotFoundError(f"{t}: no such file {str(p)!r}")
            try:
                raw[t] = read_table(
                    p,
                    table=t,
                    format=format,
                    encoding=encoding,
                    delimiter=delimiter,
                    max_bytes=max_bytes,
                )
            except InvalidDatasetError as exc:
                problems.extend(exc.problems)
                first_cause = first_cause or exc.__cause__
        else:
            raw[t] = obj
    if problems:
        raise InvalidDatasetError(problems) from first_cause
    tables, report = validate_tables(raw, strict=strict, sources=where)
    return Dataset(tables["companies"], tables["streams"], tables["exchanges"], report=report)


def _json_text(table: pa.Table) -> str:
    """Records JSON of a table; NaN/inf are written as null (they are null in the data model)."""
    import math

    if table.num_rows == 0:
        return json.dumps({c: [] for c in table.column_names}) + "\n"
    rows = table.to_pylist()
    for r in rows:
        for k, v in r.items():
            if isinstance(v, float) and not math.isfinite(v):
                r[k] = None
            elif not isinstance(v, (str, int, float, bool, type(None), list, dict)):
                r[k] = str(v)
    buf = io.StringIO()
    buf.write("[\n")
    for i, r in enumerate(rows):
        buf.write(json.dumps(r, ensure_ascii=False, allow_nan=False))
        buf.write(",\n" if i + 1 < len(rows) else "\n")
    buf.write("]\n")
    return buf.getvalue()
