"""Reading files and tables, writing, round trips, and unreadable files."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import symbioflows as sf
from symbioflows.errors import InvalidDatasetError, ResourceLimitError


@pytest.fixture
def ds(tables):
    tables["companies"]["founded"] = ["1920", "1965", None]  # a free attribute (text)
    return sf.read_dataset(tables)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_round_trip(ds, tmp_path, fmt):
    folder = ds.write(tmp_path / "out", format=fmt)
    back = sf.read_dataset(folder)
    assert back.equals(ds) and back == ds
    for t in ("companies", "streams", "exchanges"):
        assert back.table(t).equals(ds.table(t)), t


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_round_trip_of_awkward_values(tmp_path, fmt):
    companies = pd.DataFrame(
        {
            "company_id": ["007", "a,b", 'quote"d'],
            "name": ["Zürich AG — ünïcode", "line\nbreak", None],
            "sector": ["24.10", None, "01"],
            "lat": [0.1 + 0.2, -89.999999999, 1e-12],
            "lon": [179.123456789012345, -180.0, 0.0],
            "country": ["NA", "CH", None],
        }
    )
    streams = pd.DataFrame(
        {
            "stream_id": ["010101", "x", "y"],
            "company_id": ["007", "a,b", 'quote"d'],
            "direction": ["supply", "demand", "supply"],
            "material": ["ash; fly", "", "steam"],
            "ewc_code": ["010101", None, None],
            "material_class": [None, "fly_ash", "steam"],
            "quantity": [1 / 3, 1e12, 0.0],
            "unit": ["kg/day", "L/h", "GJ/month"],
            "density_t_per_m3": [None, 0.8, None],
            "availability": ["nov-feb", "continuous", "6"],
        }
    )
    ds = sf.read_dataset({"companies": companies, "streams": streams})
    assert ds.companies.column("country").to_pylist() == ["NA", "CH", None]
    back = sf.read_dataset(ds.write(tmp_path / fmt, format=fmt))
    assert back.equals(ds)
    assert back.streams.column("stream_id").to_pylist()[0] == "010101"


def test_folder_of_mixed_formats(tmp_path, make):
    make.companies().to_csv(tmp_path / "companies.csv", index=False)
    pq.write_table(
        pa.Table.from_pandas(make.streams(), preserve_index=False), tmp_path / "streams.parquet"
    )
    (tmp_path / "exchanges.json").write_text(make.exchanges().to_json(orient="records"))
    ds = sf.read_dataset(tmp_path)
    assert (ds.n_companies, ds.n_streams, ds.n_exchanges) == (3, 4, 1)
    assert ds.report.sources["streams"].endswith("streams.parquet")


def test_dict_of_paths_and_jsonl(tmp_path, make):
    make.companies().to_json(tmp_path / "c.jsonl", orient="records", lines=True)
    make.streams().to_csv(tmp_path / "s.tsv", index=False, sep="\t")
    ds = sf.read_dataset({"companies": tmp_path / "c.jsonl", "streams": str(tmp_path / "s.tsv")})
    assert ds.n_streams == 4 and ds.n_exchanges == 0


def test_single_json_file(tmp_path, make):
    doc = {
        "companies": make.companies().to_dict(orient="records"),
        "streams": make.streams().to_dict(orient="list"),
    }
    doc["streams"]["quality"] = [None if pd.isna(v) else v for v in doc["streams"]["quality"]]
    doc["streams"]["ewc_code"] = [None if pd.isna(v) else v for v in doc["streams"]["ewc_code"]]
    p = tmp_path / "region.json"
    p.write_text(json.dumps(doc))
    assert sf.read_dataset(p).n_streams == 4


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow", "records", "tuple"])
def test_in_memory_inputs_give_equal_datasets(tables, kind):
    ref = sf.read_dataset(tables)
    if kind == "pandas":
        got = sf.read_dataset(tables)
    elif kind == "polars":
        pl = pytest.importorskip("polars")
        got = sf.read_dataset({k: pl.from_pandas(v) for k, v in tables.items()})
    elif kind == "pyarrow":
        got = sf.read_dataset(
            {k: pa.Table.from_pandas(v, preserve_index=False) for k, v in tables.items()}
        )
    elif kind == "records":
        got = sf.read_dataset(
            {
                k: v.astype(object).where(v.notna(), None).to_dict(orient="records")
                for k, v in tables.items()
            }
        )
    else:
        got = sf.read_dataset((tables["companies"], tables["streams"], tables["exchanges"]))
    assert got.equals(ref)


def test_polars_with_bad_rows_reports_them(tables):
    pl = pytest.importorskip("polars")
    s = tables["streams"].copy()
    s["quantity"] = ["12 t", "5", "6", "7"]
    with pytest.raises(InvalidDatasetError, match="a number with a unit"):
        sf.read_dataset(
            {"companies": pl.from_pandas(tables["companies"]), "streams": pl.from_pandas(s)}
        )


def test_csv_keeps_codes_and_ids_as_written(tmp_path):
    (tmp_path / "companies.csv").write_text(
        "company_id,lat,lon,sector,country\n001,51.9,4.3,24.10,NA\n"
    )
    (tmp_path / "streams.csv").write_text(
        "stream_id,company_id,direction,material,ewc_code,quantity,unit\n0002,001,supply,ash,010101,5,t\n"
    )
    ds = sf.read_dataset(tmp_path)
    assert ds.companies.column("company_id").to_pylist() == ["001"]
    assert ds.companies.column("sector").to_pylist() == ["24.10"]
    assert ds.companies.column("country").to_pylist() == ["NA"]
    assert ds.streams.column("ewc_code").to_pylist() == ["01 01 01"]


def test_semicolon_delimiter_is_detected(tmp_path, make):
    make.companies().to_csv(tmp_path / "companies.csv", index=False, sep=";")
    make.streams().to_csv(tmp_path / "streams.csv", index=False, sep=";")
    assert sf.read_dataset(tmp_path).n_streams == 4


def test_wrong_delimiter_gives_documented_error(tmp_path, make):
    make.companies().to_csv(tmp_path / "companies.csv", index=False)
    make.streams().to_csv(tmp_path / "streams.csv", index=False)
    with pytest.raises(InvalidDatasetError) as info:
        sf.read_dataset(tmp_path, delimiter=";")
    assert "required column 'company_id' is missing" in str(info.value)


def test_ragged_rows_give_documented_error_chained(tmp_path, make):
    make.companies().to_csv(tmp_path / "companies.csv", index=False)
    (tmp_path / "streams.csv").write_text(
        "stream_id,company_id,direction\ns1,c1,supply,extra,fields\n"
    )
    with pytest.raises(InvalidDatasetError) as info:
        sf.read_dataset(tmp_path)
    assert info.value.problems[0].extra["code"] == "bad_delimiter"
    assert "cannot parse CSV" in str(info.value) and "delimiter" in str(info.value)
    assert isinstance(info.value.__cause__, pa.ArrowInvalid)


def test_bad_encoding_gives_documented_error_and_encoding_option_works(tmp_path, make):
    text = "company_id,name,lat,lon\nc1,Usine Société Générale,48.8,2.3\n"
    (tmp_path / "companies.csv").write_bytes(text.encode("latin-1"))
    make.streams().iloc[:0].to_csv(tmp_path / "streams.csv", index=False)
    with pytest.raises(InvalidDatasetError) as info:
        sf.read_dataset(tmp_path)
    assert info.value.problems[0].extra["code"] == "bad_encoding"
    assert "encoding=" in str(info.value)
    assert info.value.__cause__ is not None
    ds = sf.read_dataset(tmp_path, encoding="latin-1")
    assert ds.companies.column("name").to_pylist() == ["Usine Société Générale"]


def test_truncated_parquet_gives_documented_error_chained(ds, tmp_path):
    folder = ds.write(tmp_path / "pq", format="parquet")
    p = folder / "streams.parquet"
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(InvalidDatasetError) as info:
        sf.read_dataset(folder)
    assert "cannot read Parquet" in str(info.value)
    assert info.value.problems[0].table == "streams"
    assert isinstance(info.value.__cause__, (pa.ArrowException, OSError))


def test_corrupt_json_gives_documented_error_chained(ds, tmp_path):
    folder = ds.write(tmp_path / "js", format="json")
    p = folder / "companies.json"
    p.write_text(p.read_text()[:-20])
    with pytest.raises(InvalidDatasetError) as info:
        sf.read_dataset(folder)
    assert "cannot parse JSON" in str(info.value) and "line" in str(info.value)
    assert isinstance(info.value.__cause__, json.JSONDecodeError)


def test_garbage_bytes_as_parquet(tmp_path, make):
    (tmp_path / "companies.parquet").write_bytes(b"\x00\x01garbage" * 10)
    make.streams().to_csv(tmp_path / "streams.csv", index=False)
    with pytest.raises(InvalidDatasetError, match="cannot read Parquet"):
        sf.read_dataset(tmp_path)


def test_missing_path_and_oversize(tmp_path, make):
    with pytest.raises(FileNotFoundError):
        sf.read_dataset(tmp_path / "nope")
    make.companies().to_csv(tmp_path / "companies.csv", index=False)
    make.streams().to_csv(tmp_path / "streams.csv", index=False)
    with pytest.raises(ResourceLimitError, match="max_bytes"):
        sf.read_dataset(tmp_path, max_bytes=10)


def test_folder_without_tables_and_single_csv_file(tmp_path, make):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(sf.errors.InvalidInputError, match="no companies"):
        sf.read_dataset(tmp_path)
    make.companies().to_csv(tmp_path / "companies.csv", index=False)
    with pytest.raises(sf.errors.InvalidInputError, match="single csv file"):
        sf.read_dataset(tmp_path / "companies.csv")


def test_unsupported_object():
    with pytest.raises(TypeError, match="cannot read"):
        sf.read_dataset(42)


def test_write_refuses_ambiguous_folder(ds, tmp_path):
    ds.write(tmp_path, format="csv")
    with pytest.raises(FileExistsError, match="ambiguous"):
        ds.write(tmp_path, format="parquet")
    with pytest.raises(FileExistsError):
        ds.write(tmp_path, format="csv", overwrite=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "companies.csv",
        "exchanges.csv",
        "streams.csv",
    ]


def test_parquet_with_non_utf8_text_value_names_row_and_column(ds, tmp_path):
    folder = ds.write(tmp_path / "pq", format="parquet")
    t = pq.read_table(folder / "streams.parquet")
    col = t.schema.get_field_index("direction")
    raw = pa.array([b"dem\xe4nd"] + [v.encode() for v in t.column(col).to_pylist()[1:]], pa.binary())
    # Parquet stores text as bytes and does not check them: Latin-1 bytes in a string column
    # are what a writer with a legacy encoding leaves behind
    pq.write_table(t.set_column(col, "direction", raw.view(pa.string())), folder / "streams.parquet")
    with pytest.raises(InvalidDatasetError, match="not valid UTF-8") as info:
        sf.read_dataset(folder)
    p = info.value.problems[0]
    assert (p.table, p.row, p.column) == ("streams", 0, "direction")
    assert p.value == b"dem\xe4nd"


def test_parquet_with_non_utf8_column_name(ds, tmp_path):
    import io as _io

    folder = ds.write(tmp_path / "pq", format="parquet")
    t = pq.read_table(folder / "exchanges.parquet")
    buf = _io.BytesIO()
    pq.write_table(t, buf, store_schema=False)
    (folder / "exchanges.parquet").write_bytes(buf.getvalue().replace(b"status", b"st\xe4tus"))
    with pytest.raises(InvalidDatasetError, match="not valid UTF-8") as info:
        sf.read_dataset(folder)
    assert info.value.problems[0].table == "exchanges"
    assert isinstance(info.value.__cause__, UnicodeDecodeError)
