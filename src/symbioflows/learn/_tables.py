"""Coerce the inputs of the learners (datasets, exchange tables, pairs) to pandas."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from symbioflows.errors import InvalidInputError

__all__ = ["Tables", "as_frame", "as_pairs", "as_tables"]

_COMPANY_COLS = ("company_id",)
_STREAM_COLS = ("stream_id", "company_id", "direction", "material")
_EXCHANGE_COLS = ("supplier_stream_id", "receiver_stream_id")


def as_frame(table: Any, name: str) -> pd.DataFrame:
    """pandas, polars or pyarrow table -> pandas DataFrame (a copy is not guaranteed)."""
    if table is None:
        return pd.DataFrame()
    if isinstance(table, pd.DataFrame):
        return table
    if hasattr(table, "to_pandas"):
        return table.to_pandas()
    if isinstance(table, (dict, list)):
        return pd.DataFrame(table)
    raise TypeError(
        f"{name}: expected a pandas/polars/pyarrow table; got {type(table).__name__}"
    )


def _require(df: pd.DataFrame, cols: tuple[str, ...], name: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InvalidInputError(
            f"{name}: column(s) {missing} missing; got {list(df.columns)}"
        )


@dataclass(frozen=True)
class Tables:
    """The three tables of a dataset, as pandas, with ids as str."""

    companies: pd.DataFrame
    streams: pd.DataFrame
    exchanges: pd.DataFrame


def as_tables(dataset: Any, exchanges: Any = None) -> Tables:
    """Dataset (``.companies``/``.streams``/``.exchanges`` or a dict of them) -> :class:`Tables`.

    ``exchanges`` overrides the dataset's exchanges (pass the training edges only).
    """
    if isinstance(dataset, dict):
        get = dataset.get
    else:

        def get(key: str, default: Any = None) -> Any:
            return getattr(dataset, key, default)

    streams = as_frame(get("streams"), "streams")
    if streams.empty and "stream_id" not in streams.columns:
        raise InvalidInputError("dataset has no streams table; pass a Dataset or a dict with 'streams'")
    _require(streams, _STREAM_COLS, "streams")
    companies = as_frame(get("companies"), "companies")
    if companies.empty:
        companies = pd.DataFrame({"company_id": streams["company_id"].unique()})
    _require(companies, _COMPANY_COLS, "companies")
    ex = as_frame(get("exchanges") if exchanges is None else exchanges, "exchanges")
    if ex.empty and not set(_EXCHANGE_COLS) <= set(ex.columns):
        ex = pd.DataFrame({c: pd.Series(dtype=str) for c in _EXCHANGE_COLS})
    _require(ex, _EXCHANGE_COLS, "exchanges")
    streams = streams.assign(
        stream_id=streams["stream_id"].astype(str), company_id=streams["company_id"].astype(str)
    )
    companies = companies.assign(company_id=companies["company_id"].astype(str))
    ex = ex.assign(
        supplier_stream_id=ex["supplier_stream_id"].astype(str),
        receiver_stream_id=ex["receiver_stream_id"].astype(str),
    )
    dup = streams["stream_id"].duplicated()
    if dup.any():
        k = int(np.flatnonzero(dup.to_numpy())[0])
        raise InvalidInputError(
            f"streams row {k}: duplicate stream_id {streams['stream_id'].iloc[k]!r}; ids must be unique"
        )
    bad = ~streams["direction"].isin(["supply", "demand"])
    if bad.any():
        k = int(np.flatnonzero(bad.to_numpy())[0])
        raise InvalidInputError(
            f"streams row {k}: direction {streams['direction'].iloc[k]!r} is not 'supply' or 'demand'"
        )
    return Tables(companies=companies, streams=streams, exchanges=ex)


def as_pairs(pairs: Any) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of (supplier_stream_id, receiver_stream_id) from a table or a sequence of pairs."""
    if isinstance(pairs, pd.DataFrame) or hasattr(pairs, "to_pandas") or isinstance(pairs, dict):
        df = as_frame(pairs, "pairs")
        _require(df, _EXCHANGE_COLS, "pairs")
        return (
            df["supplier_stream_id"].astype(str).to_numpy(),
            df["receiver_stream_id"].astype(str).to_numpy(),
        )
    arr = np.asarray(pairs, dtype=object)
    if arr.size == 0:
        return np.array([], dtype=object), np.array([], dtype=object)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise InvalidInputError(
            f"pairs: expected (supplier_stream_id, receiver_stream_id) pairs; got shape {arr.shape}"
        )
    return arr[:, 0].astype(str), arr[:, 1].astype(str)
