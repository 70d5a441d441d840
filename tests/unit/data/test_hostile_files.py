"""What an attack on the loaders found (issue 18), one test per finding.

Each test reproduced its finding before the fix: BOM headers rewrote ids, a JSON dataset could
name another local file, ``max_bytes`` did not bound a ``.csv.gz``, a quantity could overflow to
inf in unit conversion, a symlink could leave the dataset folder, a JSON nested 100k deep raised
a bare RecursionError, a very wide header got delimiter advice, and a CSV round trip turned
typed free columns into text.
"""

from __future__ import annotations

import gzip
import json
import math
import os

import pandas as pd
import pytest

import symbioflows as sf
from symbioflows.errors import InvalidDatasetError, InvalidInputError, ResourceLimitError

BOM = "\ufeff"


def _write(path, text: str, *, bom: bool = False) -> None:
    path.write_bytes(((BOM if bom else "") + text).encode("utf-8"))


COMPANIES = "company_id,lat,lon,sector\n007,51.9,4.3,24.10\n"
STREAMS = (
    "stream_id,company_id,direction,material,quantity,unit\n"
    "0001,007,supply,ash,5,t\n"
    "1e3,007,demand,ash,5,t\n"
    "12345678901234567890,007,supply,ash,5,t\n"
)


@pytest.mark.parametrize("where", ["companies", "streams", "both"])
def test_utf8_bom_keeps_ids_as_text(tmp_path, where):
    _write(tmp_path / "companies.csv", COMPANIES, bom=where in ("companies", "both"))
    _write(tmp_path / "streams.csv", STREAMS, bom=where in ("streams", "both"))
    ds = sf.read_dataset(tmp_path)
    assert ds.companies.column("company_id").to_pylist() == ["007"]
    assert ds.streams.column("stream_id").to_pylist() == ["0001", "1e3", "12345678901234567890"]
    assert ds.streams.column("company_id").to_pylist() == ["007"] * 3
    assert not ds.report.problems


def test_utf8_bom_in_gzip_and_semicolon_csv(tmp_path):
    with gzip.open(tmp_path / "companies.csv.gz", "wb") as fh:
        fh.write((BOM + COMPANIES.replace(",", ";")).encode())
    _write(tmp_path / "streams.csv", STREAMS, bom=True)
    ds = sf.read_dataset(tmp_path)
    assert ds.companies.column("company_id").to_pylist() == ["007"]


def test_utf8_bom_in_json_files(tmp_path):
    _write(tmp_path / "companies.json",
           json.dumps([{"company_id": "007", "lat": 51.9, "lon": 4.3}]), bom=True)
    _write(tmp_path / "streams.jsonl",
           json.dumps({"stream_id": "0001", "company_id": "007", "direction": "supply",
                       "material": "ash", "quantity": 5, "unit": "t"}) + "\n", bom=True)
    ds = sf.read_dataset(tmp_path)
    assert ds.streams.column("stream_id").to_pylist() == ["0001"]
    one = tmp_path / "one.json"
    _write(one, json.dumps({"companies": [{"company_id": "007", "lat": 1, "lon": 1}],
                            "streams": []}), bom=True)
    assert sf.read_dataset(one).companies.column("company_id").to_pylist() == ["007"]


# -- values inside a data file are data, never paths ----------------------------------------


@pytest.mark.parametrize("value", ["{other}", ["{other}"], {"company_id": "{other}"}, 7])
def test_json_dataset_never_opens_a_path_it_holds(tmp_path, value):
    other = tmp_path / "private.csv"
    other.write_text("secret_header_x,secret_header_y\n1,2\n")

    def fill(v):
        if isinstance(v, str):
            return v.format(other=other)
        if isinstance(v, list):
            return [fill(x) for x in v]
        if isinstance(v, dict):
            return {k: fill(x) for k, x in v.items()}
        return v

    f = tmp_path / "dataset.json"
    f.write_text(json.dumps({"companies": fill(value), "streams": []}))
    opened = []
    real_open = os.open

    def spy(path, *a, **k):
        opened.append(os.fspath(path))
        return real_open(path, *a, **k)

    import unittest.mock

    with unittest.mock.patch("os.open", spy), pytest.raises(
        (InvalidDatasetError, InvalidInputError)
    ) as ei:
        sf.read_dataset(f)
    assert "secret_header" not in str(ei.value)
    assert str(other) not in opened


def test_json_dataset_with_records_still_reads(tmp_path):
    f = tmp_path / "dataset.json"
    f.write_text(json.dumps({
        "companies": {"company_id": ["a"], "lat": [1.0], "lon": [2.0]},
        "streams": [{"stream_id": "s", "company_id": "a", "direction": "supply",
                     "material": "ash", "quantity": 1, "unit": "t"}],
    }))
    assert sf.read_dataset(f).n_streams == 1


# -- links that leave the dataset folder ----------------------------------------------------


def test_symlink_leaving_the_folder_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "private.csv").write_text("company_id,lat,lon\nsecret_row_x,1,2\n")
    ds_dir = tmp_path / "ds"
    ds_dir.mkdir()
    (ds_dir / "companies.csv").symlink_to(outside / "private.csv")
    _write(ds_dir / "streams.csv", STREAMS)
    with pytest.raises(InvalidDatasetError) as ei:
        sf.read_dataset(ds_dir)
    msg = str(ei.value)
    assert "secret_row_x" not in msg
    assert "link" in msg and "companies" in msg
    assert ei.value.problems[0].extra["code"] == "link_outside_folder"


def test_symlink_inside_the_folder_is_read(tmp_path):
    ds_dir = tmp_path / "ds"
    (ds_dir / "v1").mkdir(parents=True)
    _write(ds_dir / "v1" / "companies.csv", COMPANIES)
    _write(ds_dir / "streams.csv", STREAMS)
    (ds_dir / "companies.csv").symlink_to(ds_dir / "v1" / "companies.csv")
    assert sf.read_dataset(ds_dir).n_companies == 1


# -- max_bytes bounds what is decompressed ---------------------------------------------------


def test_max_bytes_limits_the_decompressed_size_of_csv_gz(tmp_path):
    row = "s{i},007,supply,ash,5,t\n"
    body = "stream_id,company_id,direction,material,quantity,unit\n" + "".join(
        row.format(i=i) for i in range(200_000))  # about 4.6 MB of text, ~0.9 MB gzipped
    with gzip.open(tmp_path / "streams.csv.gz", "wb", compresslevel=9) as fh:
        fh.write(body.encode())
    _write(tmp_path / "companies.csv", COMPANIES)
    gz_size = (tmp_path / "streams.csv.gz").stat().st_size
    assert gz_size < 2_000_000 < len(body)
    with pytest.raises(ResourceLimitError, match="decompress") as ei:
        sf.read_dataset(tmp_path, max_bytes=2_000_000)
    assert "max_bytes=2000000" in str(ei.value)
    assert sf.read_dataset(tmp_path, max_bytes=10_000_000).n_streams == 200_000


def test_max_bytes_limits_the_decompressed_size_of_parquet(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    text = ["x" * 1000] * 5000  # 5 MB of text, a few KB compressed
    pq.write_table(pa.table({"company_id": [f"c{i}" for i in range(5000)], "note": text,
                             "lat": [1.0] * 5000, "lon": [1.0] * 5000}),
                   tmp_path / "companies.parquet", compression="zstd")
    _write(tmp_path / "streams.csv", "stream_id,company_id,direction,material,quantity,unit\n")
    assert (tmp_path / "companies.parquet").stat().st_size < 1_000_000
    with pytest.raises(ResourceLimitError, match="max_bytes"):
        sf.read_dataset(tmp_path, max_bytes=1_000_000)


def test_deeply_nested_json_is_a_documented_error(tmp_path):
    f = tmp_path / "dataset.json"
    f.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InvalidDatasetError, match="nest"):
        sf.read_dataset({"companies": f, "streams": []})
    g = tmp_path / "one.json"
    g.write_text('{"companies": ' + "[" * 100_000 + "]" * 100_000 + ', "streams": []}')
    with pytest.raises(InvalidDatasetError, match="nest"):
        sf.read_dataset(g)


def test_very_wide_header_names_the_column_limit(tmp_path):
    # the attack used 10**6 columns; 10**5 shows the same at a tenth of the cost
    (tmp_path / "companies.csv").write_text(",".join(f"c{i}" for i in range(100_000)) + "\n")
    _write(tmp_path / "streams.csv", STREAMS)
    with pytest.raises(InvalidDatasetError) as ei:
        sf.read_dataset(tmp_path)
    msg = str(ei.value)
    assert "100000 columns" in msg and "delimiter" not in msg.split("fix:")[0]
    assert ei.value.problems[0].extra["code"] == "too_many_columns"


def test_long_header_under_the_column_limit_is_read(tmp_path):
    extra = [f"attribute_{i:03d}_" + "x" * 6000 for i in range(200)]  # header > Arrow's 1 MiB block
    (tmp_path / "companies.csv").write_text(
        ",".join(["company_id", "lat", "lon", *extra]) + "\n" + "007,1,2" + ",x" * 200 + "\n")
    _write(tmp_path / "streams.csv", STREAMS)
    ds = sf.read_dataset(tmp_path)
    assert ds.companies.column_names[-1].startswith("attribute_199_")


# -- quantities that overflow in unit conversion ---------------------------------------------


@pytest.mark.parametrize("quantity,unit", [(1e306, "kt/yr"), (1e300, "Mt/day"),
                                           (1.5e308, "kg/hour")])
def test_quantity_that_overflows_in_conversion_is_a_row_error(quantity, unit):
    tables = {
        "companies": [{"company_id": "a", "lat": 1.0, "lon": 1.0}],
        "streams": [{"stream_id": "s", "company_id": "a", "direction": "supply",
                     "material": "ash", "quantity": quantity, "unit": unit},
                    {"stream_id": "ok", "company_id": "a", "direction": "supply",
                     "material": "ash", "quantity": 1.0, "unit": unit}],
    }
    with pytest.raises(InvalidDatasetError) as ei:
        sf.read_dataset(tables)
    (p,) = ei.value.problems
    assert (p.table, p.row, p.column) == ("streams", 0, "quantity")
    assert p.extra["code"] == "quantity_overflow"
    assert unit in p.message
    ds = sf.read_dataset(tables, strict=False)
    assert ds.streams.column("stream_id").to_pylist() == ["ok"]
    assert all(math.isfinite(v) for v in ds.streams.column("quantity_t_per_yr").to_pylist())


def test_volume_times_density_overflow_is_a_row_error():
    tables = {
        "companies": [{"company_id": "a", "lat": 1.0, "lon": 1.0}],
        "streams": [{"stream_id": "s", "company_id": "a", "direction": "supply",
                     "material": "sludge", "quantity": 1e300, "unit": "m3/yr",
                     "density_t_per_m3": 1e10}],
    }
    with pytest.raises(InvalidDatasetError, match="quantity_overflow|overflow"):
        sf.read_dataset(tables)


# -- equality and round trips of free columns ------------------------------------------------


def _typed_free_columns(tables):
    c = tables["companies"]
    c["employees"] = pd.array([120, None, 15], dtype="Int64")
    c["certified"] = pd.array([True, False, None], dtype="boolean")
    c["score"] = [0.5, float("nan"), 2.25]
    c["note"] = ["a", None, "c"]
    return sf.read_dataset(tables)


@pytest.mark.parametrize("kind", ["pandas", "arrow"])
def test_equals_with_nan_in_a_free_float_column(tables, kind):
    import pyarrow as pa

    c = tables["companies"]
    if kind == "arrow":  # a NaN that stays NaN (pandas turns NaN into null)
        c = pa.Table.from_pandas(c, preserve_index=False).append_column(
            "score", pa.array([0.5, float("nan"), 2.25]))
    else:
        c["score"] = [0.5, float("nan"), 2.25]
    ds = sf.read_dataset({"companies": c, "streams": tables["streams"]})
    assert ds.equals(ds) and ds == ds
    again = sf.read_dataset({"companies": c, "streams": tables["streams"]})
    assert ds.equals(again)
    changed = ds.companies.set_column(
        ds.companies.column_names.index("score"), "score", pa.array([0.5, 1.0, 2.25]))
    assert not ds.equals(sf.Dataset(changed, ds.streams, ds.exchanges))


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_round_trip_keeps_types_of_free_columns(tables, tmp_path, fmt):
    ds = _typed_free_columns(tables)
    back = sf.read_dataset(ds.write(tmp_path / "out", format=fmt))
    for name in ("employees", "certified", "score", "note"):
        assert back.companies.column(name).type == ds.companies.column(name).type, (fmt, name)
    assert back.equals(ds), fmt
