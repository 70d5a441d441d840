# Why one module of ~700 lines: every reader (CSV, gzip, Parquet, JSON, in-memory tables) goes
# through the same byte, depth and link limits and the same problem reporting; splitting by format
# would scatter those guards.
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
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from symbioflows.data._tables import _records_to_table, to_arrow_table
from symbioflows.data.schema import TABLES
from symbioflows.errors import (
    DatasetProblem,
    InvalidDatasetError,
    InvalidInputError,
    ResourceLimitError,
)

if TYPE_CHECKING:
    from symbioflows.data.dataset import Dataset

logger = logging.getLogger(__name__)

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


#: Most columns a dataset table may have.  A real table has a few dozen; a header with more is
#: almost always a file that is not a table (or a denial-of-service attempt), and Arrow would
#: otherwise fail on it with an unrelated "cannot infer number of columns" message.
MAX_COLUMNS = 10_000
#: Size of the blocks Arrow parses; a header longer than this gets a larger block.
_BLOCK_SIZE = 1 << 20


def _python_encoding(encoding: str) -> str:
    """The codec Python should decode with: UTF-8 text may start with a byte-order mark (what
    spreadsheet programs write for "CSV UTF-8"); 'utf-8-sig' drops it, any other codec is kept."""
    return "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding


def _open_binary(path: Path) -> Any:
    import gzip

    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


def _sniff_delimiter(path: Path, encoding: str) -> str:
    with _open_binary(path) as fh:
        head = fh.read(65536)
    line = head.split(b"\n", 1)[0].decode(_python_encoding(encoding), errors="replace")
    counts = {d: line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _header(path: Path, encoding: str, delimiter: str) -> list[str]:
    import gzip

    opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding=_python_encoding(encoding), errors="strict",
                newline="") as fh:
        row = next(csv.reader(fh, delimiter=delimiter), [])
    if row and row[0].startswith("\ufeff"):  # a mark kept by an explicit 'utf-8-sig' twice
        row[0] = row[0].lstrip("\ufeff")
    return row


def _read_csv(path: Path, table: str, encoding: str, delimiter: str | None) -> pa.Table:
    import pyarrow.csv as pacsv

    try:
        delim = delimiter or _sniff_delimiter(path, encoding)
        names = _header(path, encoding, delim)
        if len(names) > MAX_COLUMNS:
            raise _file_error(
                table, path,
                f"the header has {len(names)} columns, more than the limit of {MAX_COLUMNS} "
                "(symbioflows.data.io.MAX_COLUMNS)",
                f"a {table} table has a few dozen columns: check that this is the right file",
                "too_many_columns", ValueError(f"{len(names)} columns"))
        header_bytes = sum(len(n.encode("utf-8")) + 3 for n in names)
        # Arrow reads the header from the first block: make it fit (a long header of free
        # attributes is legal), with room for the rows.
        opts_read = pacsv.ReadOptions(encoding=encoding,
                                      block_size=max(_BLOCK_SIZE, 4 * header_bytes))
        opts_parse = pacsv.ParseOptions(delimiter=delim)
        opts_conv = pacsv.ConvertOptions(
            # every column as text (ids "007", codes "010101"); Arrow skips a UTF-8 BOM, so the
            # names here are the header without one
            column_types=dict.fromkeys(names, pa.string()),
            null_values=[""],
            strings_can_be_null=True,
        )
        out = pacsv.read_csv(
            path, read_options=opts_read, parse_options=opts_parse, convert_options=opts_conv
        )
        not_text = [f.name for f in out.schema if not pa.types.is_string(f.type)]
        if not_text:  # a header Arrow split differently: never let it guess types
            out = pa.Table.from_arrays(
                [c if pa.types.is_string(f.type) else c.cast(pa.string())
                 for f, c in zip(out.schema, out.columns)], names=out.column_names)
        return out
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


def _read_parquet_bounded(path: Path, max_bytes: int) -> pa.Table:
    """Read a Parquet file batch by batch and stop once the decoded data passes ``max_bytes``
    (pages are compressed and dictionary-encoded: a few KB on disk can decode to gigabytes)."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    batches, total = [], 0
    for batch in pf.iter_batches(batch_size=16384):
        total += batch.nbytes
        if total > max_bytes:
            raise ResourceLimitError(
                f"{str(path)!r} decodes to more than max_bytes={max_bytes} bytes (stopped after "
                f"{total}; the file itself is {path.stat().st_size}); raise max_bytes or split "
                "the file")
        batches.append(batch)
    return pa.Table.from_batches(batches, schema=pf.schema_arrow)


def _read_parquet(path: Path, table_name: str, max_bytes: int | None = None) -> pa.Table:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path) if max_bytes is None else _read_parquet_bounded(path, max_bytes)
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


#: Deepest nesting accepted in a JSON data file (a dataset needs 3: object, list, record; a
#: free attribute may hold a small nested value).  Deeper files are refused before any of our
#: code recurses into them.
MAX_JSON_DEPTH = 64


def _check_json_depth(obj: Any) -> None:
    """Raise RecursionError when ``obj`` nests deeper than :data:`MAX_JSON_DEPTH` (iterative)."""
    stack = [(obj, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise RecursionError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list)))


def _load_json(path: Path, table: str, encoding: str) -> Any:
    try:
        text = path.read_text(encoding=_python_encoding(encoding))
    except (UnicodeDecodeError, LookupError) as exc:
        raise _file_error(table, path, f"file is not valid {encoding} text ({exc})",
                          "save the file as UTF-8, or pass encoding=",
                          "bad_encoding", exc) from exc
    try:
        if path.name.lower().endswith((".jsonl", ".ndjson")):
            obj: Any = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            obj = json.loads(text)
        _check_json_depth(obj)
        return obj
    except json.JSONDecodeError as exc:
        raise _file_error(table, path,
                          f"cannot parse JSON (truncated or malformed?) at line {exc.lineno} "
                          f"column {exc.colno}: {exc.msg}",
                          "write an array of records, an object of equal-length lists, or one "
                          "record per line (.jsonl)",
                          "unreadable_file", exc) from exc
    except RecursionError as exc:
        # Python's JSON parser follows nesting with the interpreter's recursion limit; a file
        # nested deeper (a '[' * 100_000 bomb) stops here, never in the middle of our code
        raise _file_error(table, path,
                          "JSON nested too deeply to read (more than about "
                          f"{MAX_JSON_DEPTH} levels; a dataset needs 2 or 3)",
                          "write an array of records, an object of equal-length lists, or one "
                          "record per line (.jsonl)",
                          "too_deep", exc) from exc


def _check_size(path: Path, max_bytes: int | None) -> None:
    if max_bytes is not None:
        size = path.stat().st_size
        if size > max_bytes:
            raise ResourceLimitError(
                f"{str(path)!r} is {size} bytes, more than max_bytes={max_bytes}; raise max_bytes "
                "or split the file"
            )


def _check_expanded_size(path: Path, fmt: str, max_bytes: int | None) -> None:
    """``max_bytes`` bounds what is read into memory, so a compressed file counts with its
    decompressed size: a ``.gz`` is inflated in 1 MiB chunks (nothing kept) and refused as soon
    as it passes the limit.  Parquet is bounded while it is read (:func:`_read_parquet`)."""
    if max_bytes is None:
        return
    if path.name.lower().endswith(".gz"):
        import gzip
        import zlib

        total = 0
        try:
            with gzip.open(path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    total += len(chunk)
                    if total > max_bytes:
                        raise ResourceLimitError(
                            f"{str(path)!r} decompresses to more than max_bytes={max_bytes} "
                            f"bytes (stopped after {total}; the file itself is "
                            f"{path.stat().st_size}); raise max_bytes or split the file")
        except (OSError, EOFError, zlib.error):
            return  # not a valid gzip: the CSV reader reports it as an unreadable file


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
    _check_expanded_size(p, fmt, max_bytes)
    try:
        if fmt == "csv":
            return _read_csv(p, table, encoding, delimiter)
        if fmt == "parquet":
            return _read_parquet(p, table, max_bytes)
        return _records_to_table(_load_json(p, table, encoding), table, str(p))
    except _FileProblem as fp:
        raise InvalidDatasetError([fp.problem]) from fp.cause


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


def _refuse_links_out_of(folder: Path, found: dict[str, Path]) -> None:
    """A table file of a dataset folder that is a link (or sits behind one) to a place outside
    the folder is refused before it is opened: a dataset folder received from someone else
    must not make us read (and quote in an error) another file of this machine."""
    root = folder.resolve()
    problems = []
    for t, f in found.items():
        real = f.resolve()
        if real != root and root not in real.parents:
            problems.append(DatasetProblem(
                t, None, None, str(f),
                f"{f.name} is a link that leaves the dataset folder; it was not opened",
                f"copy the file into {str(folder)!r} instead of linking to it",
                extra={"code": "link_outside_folder"}))
    if problems:
        raise InvalidDatasetError(problems)


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
            _refuse_links_out_of(p, {t: v for t, v in found.items() if v is not None})
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
            # The values are data: records, never the name of another file to open.
            tables: dict[str, Any] = {}
            for t, v in obj.items():
                if not isinstance(v, (list, dict)):
                    raise InvalidInputError(
                        f"{str(p)!r}: {t!r} holds a {type(v).__name__}; in a JSON dataset each "
                        "table is a list of records or an object of equal-length lists (a "
                        "string there is never read as a file name)"
                    )
                tables[t] = _records_to_table(v, t, str(p))
            return tables, dict.fromkeys(obj, str(p))
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


def _restore_column_types(folder: Path, raw: dict[str, Any], sources: dict[str, Any]) -> None:
    """Give the free columns of CSV tables back the types :meth:`Dataset.write` recorded in
    ``column_types.json``.  Only types of :data:`~symbioflows.data.dataset.RESTORABLE_TYPES`,
    only for columns that exist; a value that no longer converts leaves the column as text."""
    from symbioflows.data.dataset import COLUMN_TYPES_FILE, RESTORABLE_TYPES
    from symbioflows.data.schema import schema_for

    f = folder / COLUMN_TYPES_FILE
    if not f.is_file() or f.stat().st_size > 1 << 20:
        return
    try:
        spec = json.loads(f.read_text(encoding="utf-8"))
        tables = spec["tables"] if spec.get("format") == "symbioflows-column-types" else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        logger.warning("%s is not a column-types file; free CSV columns stay text", f)
        return
    if not isinstance(tables, dict):
        return
    for name, types in tables.items():
        src = sources.get(name)
        if (name not in raw or not isinstance(types, dict) or not isinstance(src, Path)
                or _format_of(src, None) != "csv"):
            continue
        t = raw[name]
        fixed = schema_for(name).names
        for col, typ in types.items():
            if typ not in RESTORABLE_TYPES or col in fixed or col not in t.column_names:
                continue
            i = t.column_names.index(col)
            try:
                t = t.set_column(i, col, t.column(i).cast(pa.type_for_alias(typ)))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
                logger.warning("%s: column %r no longer converts to %s; kept as text",
                               name, col, typ)
        raw[name] = t


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
    if isinstance(path_or_tables, (str, os.PathLike)) and Path(path_or_tables).is_dir():
        _restore_column_types(Path(path_or_tables), raw, sources)
    csv_files = {
        t: Path(obj) for t, obj in sources.items()
        if isinstance(obj, (str, os.PathLike)) and _format_of(Path(obj), format) == "csv"
    }
    try:
        tables, report = validate_tables(raw, strict=strict, sources=where)
    except InvalidDatasetError as exc:
        lines = _row_lines(csv_files, {(p.table, p.row) for p in exc.problems}, encoding, delimiter)
        raise InvalidDatasetError(_with_lines(exc.problems, lines)) from exc.__cause__
    wanted = {(p.table, p.row) for p in report.problems}
    wanted |= {(t, r) for t, rows in report.dropped.items() for r in rows}
    report.lines = _row_lines(csv_files, wanted, encoding, delimiter)
    report.problems = _with_lines(report.problems, report.lines)
    return Dataset(tables["companies"], tables["streams"], tables["exchanges"], report=report)


def _row_lines(files: dict[str, Path], wanted: set[tuple[str, int | None]], encoding: str,
               delimiter: str | None) -> dict[str, dict[int, int]]:
    """For each CSV table, row -> the 1-based line where the row starts (the header is line 1;
    a quoted field may span lines, so the file is scanned up to the last row wanted)."""
    import gzip

    out: dict[str, dict[int, int]] = {}
    for table, path in files.items():
        rows = sorted(r for t, r in wanted if t == table and r is not None)
        if not rows:
            continue
        delim = delimiter or _sniff_delimiter(path, encoding)
        opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
        found: dict[int, int] = {}
        want = set(rows)
        with opener(path, "rt", encoding=encoding, errors="replace", newline="") as fh:
            reader = csv.reader(fh, delimiter=delim)
            start, i = 1, -1  # row -1: the header
            for record in reader:
                if record:  # blank lines are not rows (the CSV reader skips them too)
                    if i in want:
                        found[i] = start
                        if i >= rows[-1]:
                            break
                    i += 1
                start = reader.line_num + 1
        out[table] = found
    return out


def _with_lines(problems: list[DatasetProblem], lines: dict[str, dict[int, int]]) -> list[DatasetProblem]:
    """The problems with ``extra["line"]`` set where the row's file line is known."""
    import dataclasses

    out = []
    for p in problems:
        line = lines.get(p.table, {}).get(p.row) if p.row is not None else None
        out.append(p if line is None else dataclasses.replace(p, extra={**p.extra, "line": line}))
    return out

