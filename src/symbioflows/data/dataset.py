"""The :class:`Dataset` container: companies, streams and exchanges as pyarrow Tables."""

from __future__ import annotations

import html
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pyarrow as pa

from symbioflows.data.schema import TABLES, schema_for
from symbioflows.errors import InvalidInputError

if TYPE_CHECKING:
    import pandas as pd

    from symbioflows.data.validation import ValidationReport

__all__ = ["Dataset", "DatasetFrames"]


class DatasetFrames(NamedTuple):
    """The three tables as pandas DataFrames (returned by :meth:`Dataset.to_pandas`)."""

    companies: pd.DataFrame
    streams: pd.DataFrame
    exchanges: pd.DataFrame


def _conform(table: pa.Table, name: str) -> pa.Table:
    schema = schema_for(name)
    if not isinstance(table, pa.Table):
        raise TypeError(f"Dataset: {name} must be a pyarrow Table; got {type(table).__name__}")
    missing = [f.name for f in schema if f.name not in table.column_names]
    if missing:
        raise InvalidInputError(
            f"Dataset: {name} lacks normalised column(s) {missing}; build datasets with "
            "symbioflows.read_dataset(...), which validates and normalises raw tables"
        )
    cols = [table.column(f.name) for f in schema]
    for f, c in zip(schema, cols):
        if c.type != f.type:
            raise InvalidInputError(
                f"Dataset: {name}.{f.name} has type {c.type}, expected {f.type}; use read_dataset"
            )
    extras = [c for c in table.column_names if c not in schema.names]
    out = pa.Table.from_arrays(cols, schema=schema)
    for c in extras:
        out = out.append_column(c, table.column(c))
    return out


def _columns_equal(a: pa.ChunkedArray, b: pa.ChunkedArray) -> bool:
    """Equal values and nulls; NaN equals NaN (Arrow's ``equals`` says NaN != NaN)."""
    import pyarrow.compute as pc

    if a.type != b.type or len(a) != len(b):
        return False
    if not pa.types.is_floating(a.type):
        return a.equals(b)
    if not pc.is_null(a).equals(pc.is_null(b)):
        return False
    a_nan = pc.fill_null(pc.is_nan(a), False)
    if not a_nan.equals(pc.fill_null(pc.is_nan(b), False)):
        return False
    keep = pc.and_(pc.invert(a_nan), pc.is_valid(a))
    return pc.filter(a, keep).equals(pc.filter(b, keep))


def _tables_equal(a: pa.Table, b: pa.Table) -> bool:
    if a.schema.names != b.schema.names:
        return False
    return all(_columns_equal(x, y) for x, y in zip(a.columns, b.columns))


#: Name of the file :meth:`Dataset.write` puts beside CSV tables: the Arrow types of the free
#: (non-schema) columns, which CSV cannot carry, so that ``read_dataset`` restores them.
COLUMN_TYPES_FILE = "column_types.json"


def _write_atomic(target: Path, write: Any) -> None:
    """Call ``write(tmp)`` on a temporary sibling of ``target``, then move it into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; give the usual file mode
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


#: Arrow types a free column may be restored to from CSV text (see :data:`COLUMN_TYPES_FILE`).
RESTORABLE_TYPES = frozenset(
    {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
     "float", "double", "halffloat", "date32[day]"}
)


def _free_column_types(ds: Dataset, name: str) -> dict[str, str]:
    """Free columns of table ``name`` whose type CSV text does not carry, with that type."""
    schema = schema_for(name)
    table = ds.table(name)
    return {f.name: str(f.type) for f in table.schema
            if f.name not in schema.names and str(f.type) in RESTORABLE_TYPES}


class Dataset:
    """A validated region: ``companies``, ``streams`` and ``exchanges`` pyarrow Tables.

    Build one with :func:`symbioflows.read_dataset` (which validates and normalises) or
    :func:`symbioflows.datasets.load_sample_region`.  The tables follow the schemas of
    :mod:`symbioflows.data.schema`; extra (free attribute) columns follow the schema columns.

    Parameters
    ----------
    companies, streams : pyarrow.Table
        Normalised tables (all schema columns present with their types).
    exchanges : pyarrow.Table, optional
        Normalised exchanges; empty when omitted.
    report : ValidationReport, optional
        The report of the read that produced the tables.

    Examples
    --------
    >>> from symbioflows.datasets import load_sample_region
    >>> ds = load_sample_region()
    >>> ds.n_companies >= 150 and ds.n_streams >= 600
    True
    >>> frames = ds.to_pandas()
    >>> sorted(frames.streams["direction"].unique())
    ['demand', 'supply']
    """

    def __init__(
        self,
        companies: pa.Table,
        streams: pa.Table,
        exchanges: pa.Table | None = None,
        *,
        report: ValidationReport | None = None,
    ) -> None:
        if exchanges is None:
            exchanges = schema_for("exchanges").empty_table()
        self._companies = _conform(companies, "companies")
        self._streams = _conform(streams, "streams")
        self._exchanges = _conform(exchanges, "exchanges")
        if report is None:
            from symbioflows.data.validation import ValidationReport

            report = ValidationReport()
            report.n_rows = {t: self.table(t).num_rows for t in TABLES}
        self.report = report

    # -- access ------------------------------------------------------------------------------
    @property
    def companies(self) -> pa.Table:
        """Companies table (one row per site)."""
        return self._companies

    @property
    def streams(self) -> pa.Table:
        """Streams table (one row per supply or demand), with normalised quantities."""
        return self._streams

    @property
    def exchanges(self) -> pa.Table:
        """Known or proposed exchanges between a supply and a demand stream."""
        return self._exchanges

    def table(self, name: str) -> pa.Table:
        """A table by name: ``companies``, ``streams`` or ``exchanges``."""
        if name not in TABLES:
            raise InvalidInputError(f"unknown table {name!r}; expected one of {TABLES}")
        return {
            "companies": self._companies,
            "streams": self._streams,
            "exchanges": self._exchanges,
        }[name]

    @property
    def n_companies(self) -> int:
        """Number of companies."""
        return self._companies.num_rows

    @property
    def n_streams(self) -> int:
        """Number of streams (supplies and demands)."""
        return self._streams.num_rows

    @property
    def n_exchanges(self) -> int:
        """Number of exchanges."""
        return self._exchanges.num_rows

    def supplies(self) -> pa.Table:
        """The supply streams."""
        import pyarrow.compute as pc

        return self._streams.filter(pc.equal(self._streams.column("direction"), "supply"))

    def demands(self) -> pa.Table:
        """The demand streams."""
        import pyarrow.compute as pc

        return self._streams.filter(pc.equal(self._streams.column("direction"), "demand"))

    def stream_company_index(self) -> np.ndarray:
        """For each stream, the row of its company in :attr:`companies` (int64)."""
        ids = self._companies.column("company_id").to_pylist()
        pos = {c: i for i, c in enumerate(ids)}
        return np.fromiter(
            (pos[c] for c in self._streams.column("company_id").to_pylist()),
            dtype=np.int64,
            count=self.n_streams,
        )

    def stream_coordinates(self) -> tuple[np.ndarray, np.ndarray]:
        """``(lat, lon)`` of each stream's company, float64 arrays aligned with :attr:`streams`."""
        idx = self.stream_company_index()
        lat = self._companies.column("lat").to_numpy()
        lon = self._companies.column("lon").to_numpy()
        return lat[idx], lon[idx]

    # -- conversion --------------------------------------------------------------------------
    def to_pandas(self) -> DatasetFrames:
        """The three tables as pandas DataFrames (a named tuple: companies, streams, exchanges)."""
        return DatasetFrames(
            self._companies.to_pandas(), self._streams.to_pandas(), self._exchanges.to_pandas()
        )

    def to_arrow(self) -> dict[str, pa.Table]:
        """The three tables as a dict of pyarrow Tables."""
        return {t: self.table(t) for t in TABLES}

    def write(
        self, path: str | os.PathLike[str], *, format: str = "csv", overwrite: bool = True
    ) -> Path:
        """Write the dataset to a folder: ``companies.<ext>``, ``streams.<ext>``, ``exchanges.<ext>``.

        Parameters
        ----------
        path : path
            Folder to create (parents too).
        format : {'csv', 'parquet', 'json'}, default 'csv'
            CSV (UTF-8, comma, header; null = empty cell), Parquet, or JSON (an array of
            records; null for missing values).
        overwrite : bool, default True
            Replace existing files; otherwise raise :class:`FileExistsError`.

        Returns
        -------
        pathlib.Path
            The folder.  ``read_dataset(path)`` gives back equal tables (:meth:`equals`).

        Notes
        -----
        Each file is written to a temporary name and moved into place, so a crash never leaves a
        half-written file under the final name.  CSV carries no types: free (non-schema)
        columns of integer, boolean, float or date type are listed in ``column_types.json``
        beside the tables, and :func:`~symbioflows.read_dataset` restores their types from it.
        """
        from symbioflows.data._tables import _json_text

        ext = {"csv": ".csv", "parquet": ".parquet", "json": ".json"}
        if format not in ext:
            raise InvalidInputError(f"unknown format {format!r}; expected one of {sorted(ext)}")
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            target = folder / f"{name}{ext[format]}"
            if target.exists() and not overwrite:
                raise FileExistsError(f"{str(target)!r} exists; pass overwrite=True")
            others = [folder / f"{name}{e}" for f, e in ext.items() if f != format]
            clash = [str(o) for o in others if o.exists()]
            if clash:
                raise FileExistsError(
                    f"{clash} exist next to the {format} files; reading the folder would be ambiguous. "
                    "Write to an empty folder"
                )
            table = self.table(name)
            if format == "csv":
                import pyarrow.csv as pacsv

                _write_atomic(target, lambda tmp, t=table: pacsv.write_csv(t, tmp))
            elif format == "parquet":
                import pyarrow.parquet as pq

                _write_atomic(target, lambda tmp, t=table: pq.write_table(t, tmp))
            else:
                _write_atomic(target, lambda tmp, t=table: Path(tmp).write_text(
                    _json_text(t), encoding="utf-8"))
        types_file = folder / COLUMN_TYPES_FILE
        if format == "csv":
            types = {name: typed for name in TABLES if (typed := _free_column_types(self, name))}
            if types:
                text = json.dumps({"format": "symbioflows-column-types", "version": 1,
                                   "tables": types}, indent=1, sort_keys=True) + "\n"
                _write_atomic(types_file,
                              lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
            elif types_file.exists():
                types_file.unlink()  # left by an earlier write: it no longer applies
        return folder

    # -- comparison and display --------------------------------------------------------------
    def equals(self, other: object) -> bool:
        """True when the three tables hold equal values and types (the report is ignored)."""
        if not isinstance(other, Dataset):
            return False
        return all(_tables_equal(self.table(t), other.table(t)) for t in TABLES)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Dataset):
            return NotImplemented
        return self.equals(other)

    __hash__ = None  # type: ignore[assignment]

    def summary(self) -> dict[str, Any]:
        """Counts: companies, supplies, demands, exchanges, streams per dimension, countries."""
        d = self._streams.column("direction").to_pylist()
        dims = self._streams.column("dimension").to_pylist()
        countries = sorted({c for c in self._companies.column("country").to_pylist() if c})
        return {
            "companies": self.n_companies,
            "supplies": d.count("supply"),
            "demands": d.count("demand"),
            "exchanges": self.n_exchanges,
            "mass_streams": dims.count("mass"),
            "energy_streams": dims.count("energy"),
            "volume_streams": dims.count("volume"),
            "countries": countries,
        }

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"Dataset(companies={s['companies']}, streams={self.n_streams} "
            f"[{s['supplies']} supply, {s['demands']} demand], exchanges={s['exchanges']})"
        )

    def _repr_html_(self) -> str:
        parts = [f"<p><b>{html.escape(repr(self))}</b></p>"]
        for name in TABLES:
            t = self.table(name)
            parts.append(f"<details><summary>{name}: {t.num_rows} rows</summary>")
            parts.append(t.slice(0, 10).to_pandas().to_html(index=False, na_rep=""))
            parts.append("</details>")
        if self.report.problems:
            parts.append(f"<p>{html.escape(self.report.summary())}</p>")
        return "\n".join(parts)
