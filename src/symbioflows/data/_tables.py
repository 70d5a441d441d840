"""Raw tables in memory: records, column dicts and data frames to pyarrow, cells as text, and
tables to records JSON.

The lowest module of :mod:`symbioflows.data` after the schemas: :mod:`~symbioflows.data.io`
(files) and :mod:`~symbioflows.data.validation` (rules) both build on it, and it imports
neither, so the three never import each other in a circle.
"""

from __future__ import annotations

import io
import json
import math
from typing import Any

import numpy as np
import pyarrow as pa

from symbioflows.errors import InvalidInputError

__all__ = ["to_arrow_table"]


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() == ""
    if isinstance(v, float):
        return math.isnan(v)
    if isinstance(v, (int, bool)):
        return False
    name = type(v).__name__
    if name in ("NAType", "NaTType"):  # pandas.NA / pandas.NaT, without importing pandas
        return True
    return isinstance(v, np.floating) and bool(np.isnan(v))


def _as_text(v: Any) -> str | None:
    """A cell as text: None for missing; integral floats lose their '.0' (ids read as floats)."""
    if isinstance(v, str):
        v = v.strip()
        return v or None
    if _is_missing(v):
        return None
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("utf-8", "replace").strip() or None
    return str(v).strip()


def _column_array(values: list[Any]) -> pa.Array:
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
