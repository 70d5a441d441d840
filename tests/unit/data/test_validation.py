"""Every validation problem: feed the bad input, check the exception type and message."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import symbioflows as sf
from symbioflows.errors import InvalidDatasetError, InvalidInputError


def _raise(tables) -> InvalidDatasetError:
    with pytest.raises(InvalidDatasetError) as info:
        sf.read_dataset(tables)
    assert isinstance(info.value, InvalidInputError) and isinstance(info.value, ValueError)
    return info.value


def _codes(err: InvalidDatasetError) -> list[tuple[str, int | None, str | None, str]]:
    return [(p.table, p.row, p.column, p.extra["code"]) for p in err.problems]


def test_good_tables_read(tables):
    ds = sf.read_dataset(tables)
    assert ds.report.ok and ds.report.n_dropped == 0
    s = ds.streams.to_pandas()
    assert s["quantity_t_per_yr"].tolist()[:3] == [24000.0, 30000.0, 150.0 * 365 / 7]
    assert s["quantity_mwh_per_yr"].iloc[3] == 5.0 * 8760
    assert s["availability_mask"].tolist() == [4095, 4095, 0b001111111111, 0b111000000111]
    assert ds.exchanges.column("status").to_pylist() == ["active"]


def test_missing_column_lists_columns_and_fix(tables):
    tables["companies"] = tables["companies"].drop(columns=["lon"])
    err = _raise(tables)
    assert ("companies", None, "lon", "missing_column") in _codes(err)
    assert "required column 'lon' is missing" in str(err)


def test_misspelled_column_suggests_closest(tables):
    tables["companies"] = tables["companies"].rename(columns={"lat": "latitude", "lon": "lonn"})
    tables["streams"] = tables["streams"].rename(columns={"quantity": "quantiy"})
    err = _raise(tables)
    text = str(err)
    assert "rename column 'latitude' to 'lat'" in text
    assert "rename column 'lonn' to 'lon'" in text
    assert "rename column 'quantiy' to 'quantity'" in text


def test_misspelled_optional_column_is_a_warning(tables):
    tables["streams"] = tables["streams"].rename(columns={"quality": "qualty"})
    ds = sf.read_dataset(tables)
    w = ds.report.warnings
    assert any(
        p.extra["code"] == "unknown_column" and "did you mean 'quality'" in p.message for p in w
    )
    assert "qualty" in ds.streams.column_names  # kept as a free attribute


def test_duplicate_ids(tables):
    tables["companies"].loc[2, "company_id"] = "c1"
    tables["streams"].loc[3, "stream_id"] = "s1"
    err = _raise(tables)
    codes = _codes(err)
    assert ("companies", 2, "company_id", "duplicate_id") in codes
    assert ("streams", 3, "stream_id", "duplicate_id") in codes
    assert "duplicate company_id (first at row 0)" in str(err)


def test_stream_of_unknown_company_suggests(tables):
    tables["streams"].loc[1, "company_id"] = "c22"
    err = _raise(tables)
    assert ("streams", 1, "company_id", "unknown_company") in _codes(err)
    assert "did you mean 'c2'" in str(err)


def test_exchange_unknown_stream_and_wrong_direction(tables):
    tables["exchanges"] = pd.DataFrame(
        {
            "supplier_stream_id": ["s1", "s2", "nope"],
            "receiver_stream_id": ["s2", "s1", "s2"],
            "status": ["active", "proposed", "proposed"],
        }
    )
    err = _raise(tables)
    codes = _codes(err)
    assert ("exchanges", 1, "supplier_stream_id", "wrong_direction") in codes
    assert ("exchanges", 1, "receiver_stream_id", "wrong_direction") in codes
    assert ("exchanges", 2, "supplier_stream_id", "unknown_stream") in codes
    assert "is a demand stream" in str(err)


def test_bad_exchange_status_and_quantity(tables):
    tables["exchanges"].loc[0, "status"] = "done"
    tables["exchanges"].loc[0, "quantity_t_per_yr"] = -5.0
    err = _raise(tables)
    codes = _codes(err)
    assert ("exchanges", 0, "status", "bad_status") in codes
    assert ("exchanges", 0, "quantity_t_per_yr", "bad_quantity") in codes


@pytest.mark.parametrize(
    ("lat", "lon", "code", "text"),
    [
        (95.0, 4.3, "lat_out_of_range", "outside [-90, 90]"),
        (51.9, 200.0, "lon_out_of_range", "lon outside [-180, 180]"),
        (120.0, 51.9, "lat_out_of_range", "look swapped"),
        (float("nan"), 4.3, "missing_coordinate", "missing lat"),
        (float("inf"), 4.3, "nonfinite_coordinate", "non-finite lat"),
    ],
)
def test_bad_coordinates(tables, lat, lon, code, text):
    tables["companies"].loc[1, "lat"] = lat
    tables["companies"].loc[1, "lon"] = lon
    err = _raise(tables)
    assert any(c[1] == 1 and c[3] == code for c in _codes(err)), _codes(err)
    assert text in str(err)


def test_text_with_unit_in_number_column(tables):
    s = tables["streams"].astype({"quantity": object})
    s.loc[0, "quantity"] = "12 t"
    s.loc[1, "quantity"] = "1,200"
    s.loc[2, "quantity"] = "lots"
    tables["streams"] = s
    c = tables["companies"].astype({"lat": object})
    c.loc[0, "lat"] = "51.9 N"
    tables["companies"] = c
    err = _raise(tables)
    text = str(err)
    assert (
        "streams row 0 column 'quantity': a number with a unit in a number column (got '12 t')"
        in text
    )
    assert "put the number (12) in 'quantity' and the unit in 'unit'" in text
    assert "separators" in text and "'1,200'" in text
    assert "not a number (got 'lots')" in text
    assert "companies row 0 column 'lat': a number with text in a number column" in text


@pytest.mark.parametrize(
    ("value", "code", "text"),
    [
        (-1.0, "negative_quantity", "negative quantity"),
        (math.inf, "nonfinite_quantity", "non-finite"),
        (None, "missing_value", "missing quantity"),
    ],
)
def test_bad_quantities(tables, value, code, text):
    tables["streams"].loc[2, "quantity"] = value
    err = _raise(tables)
    assert ("streams", 2, "quantity", code) in _codes(err)
    assert text in str(err)


@pytest.mark.parametrize(
    ("unit", "text"),
    [
        ("bananas/yr", "unknown unit"),
        ("ton/yr", "ambiguous"),
        ("MW/yr", "power"),
        ("t/fortnight", "period"),
    ],
)
def test_unknown_units(tables, unit, text):
    tables["streams"].loc[0, "unit"] = unit
    err = _raise(tables)
    assert ("streams", 0, "unit", "unknown_unit") in _codes(err)
    assert text in str(err)


@pytest.mark.parametrize("code", ["1234", "10 02 0X", "10-02-02-02"])
def test_malformed_waste_codes(tables, code):
    tables["streams"].loc[0, "ewc_code"] = code
    err = _raise(tables)
    assert ("streams", 0, "ewc_code", "malformed_ewc") in _codes(err)
    assert "EWC code" in str(err) or "ewc" in str(err).lower()


def test_unknown_waste_code(tables):
    pytest.importorskip(
        "symbioflows.materials.ewc", reason="EWC list lands with the materials module"
    )
    tables["streams"].loc[0, "ewc_code"] = "99 99 99"
    err = _raise(tables)
    assert ("streams", 0, "ewc_code", "unknown_ewc") in _codes(err)


def test_waste_code_spellings_are_normalised(tables):
    tables["streams"]["ewc_code"] = ["100202", "10.02.02", "02 07 02", None]
    ds = sf.read_dataset(tables)
    assert ds.streams.column("ewc_code").to_pylist() == ["10 02 02", "10 02 02", "02 07 02", None]


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("output", "write 'supply'"),
        ("need", "write 'demand'"),
        ("sideways", "'supply' (an output to place)"),
    ],
)
def test_bad_directions(tables, value, hint):
    tables["streams"].loc[1, "direction"] = value
    err = _raise(tables)
    assert ("streams", 1, "direction", "bad_direction") in _codes(err)
    assert hint in str(err)


def test_direction_case_is_normalised(tables):
    tables["streams"].loc[0, "direction"] = " Supply "
    assert sf.read_dataset(tables).streams.column("direction")[0].as_py() == "supply"


@pytest.mark.parametrize(
    ("value", "fix"), [(85.0, "write 0.85"), (-0.1, "between 0 and 1"), (1000.0, "between 0 and 1")]
)
def test_quality_outside_unit_interval(tables, value, fix):
    tables["streams"].loc[0, "quality"] = value
    err = _raise(tables)
    assert ("streams", 0, "quality", "bad_quality") in _codes(err)
    assert fix in str(err)


@pytest.mark.parametrize("value", ["sometimes", "13", "jan-foo", "0"])
def test_bad_availability(tables, value):
    tables["streams"].loc[0, "availability"] = value
    err = _raise(tables)
    assert ("streams", 0, "availability", "bad_availability") in _codes(err)


def test_bad_availability_mask(tables):
    tables["streams"]["availability_mask"] = [4095, 0, 5000, None]
    tables["streams"] = tables["streams"].drop(columns=["availability"])
    err = _raise(tables)
    codes = _codes(err)
    assert ("streams", 1, "availability_mask", "bad_availability") in codes
    assert ("streams", 2, "availability_mask", "bad_availability") in codes


@pytest.mark.parametrize(
    ("value", "text"),
    [("UK", "did you mean 'GB'"), ("NLD", "did you mean 'NL'"), ("XX", "alpha-2")],
)
def test_bad_country(tables, value, text):
    tables["companies"].loc[0, "country"] = value
    err = _raise(tables)
    assert ("companies", 0, "country", "bad_country") in _codes(err)
    assert text in str(err)


def test_country_case_is_normalised_and_na_is_namibia(tables):
    tables["companies"]["country"] = ["nl", "NA", "de"]
    assert sf.read_dataset(tables).companies.column("country").to_pylist() == ["NL", "NA", "DE"]


@pytest.mark.parametrize(
    ("value", "code"),
    [("99.99", "unknown_nace"), ("steel", "malformed_nace"), ("24.1.0", "malformed_nace")],
)
def test_bad_nace_sector(tables, value, code):
    tables["companies"].loc[0, "sector"] = value
    err = _raise(tables)
    assert ("companies", 0, "sector", code) in _codes(err)
    assert "NACE" in str(err)


def test_nace_spellings_are_normalised(tables):
    tables["companies"]["sector"] = ["2410", "C23.51", "11"]
    assert sf.read_dataset(tables).companies.column("sector").to_pylist() == [
        "24.10",
        "23.51",
        "11",
    ]


def test_bad_density_price_material_class(tables):
    tables["streams"]["density_t_per_m3"] = [0.0, None, -1.0, None]
    tables["streams"].loc[0, "price_usd_per_t"] = -3.0
    tables["streams"].loc[1, "material_class"] = "Fly Ash"
    err = _raise(tables)
    codes = _codes(err)
    assert ("streams", 0, "density_t_per_m3", "bad_density") in codes
    assert ("streams", 2, "density_t_per_m3", "bad_density") in codes
    assert ("streams", 0, "price_usd_per_t", "bad_price") in codes
    assert ("streams", 1, "material_class", "bad_material_class") in codes
    assert "write 'fly_ash'" in str(err)


def test_missing_material_description(tables):
    tables["streams"].loc[1, ["material", "ewc_code", "material_class"]] = None
    err = _raise(tables)
    assert ("streams", 1, "material", "missing_material") in _codes(err)


def test_volume_without_density_is_a_warning_and_stays_volume(tables):
    tables["streams"].loc[1, "unit"] = "m3/yr"
    ds = sf.read_dataset(tables)
    row = ds.streams.to_pandas().iloc[1]
    assert row["dimension"] == "volume" and row["quantity_m3_per_yr"] == 30.0
    assert np.isnan(row["quantity_t_per_yr"])
    w = [p for p in ds.report.warnings if p.extra["code"] == "volume_without_density"]
    assert len(w) == 1 and w[0].row == 1 and "density_t_per_m3" in w[0].fix


def test_volume_with_density_gets_tonnes(tables):
    tables["streams"].loc[1, "unit"] = "m3/yr"
    tables["streams"]["density_t_per_m3"] = [None, 1.2, None, None]
    ds = sf.read_dataset(tables)
    row = ds.streams.to_pandas().iloc[1]
    assert row["quantity_m3_per_yr"] == 30.0 and row["quantity_t_per_yr"] == pytest.approx(36.0)


def test_strict_raises_one_error_listing_every_problem(tables):
    tables["companies"].loc[0, "lat"] = 100.0
    tables["streams"].loc[0, "unit"] = "bananas"
    tables["streams"].loc[1, "direction"] = "x"
    tables["exchanges"].loc[0, "status"] = "?"
    err = _raise(tables)
    assert len(err.errors if hasattr(err, "errors") else err.problems) == 4
    assert str(err).startswith("4 problem(s) in the dataset")


def test_missing_table(tables):
    with pytest.raises(InvalidDatasetError, match="the streams table is missing"):
        sf.read_dataset({"companies": tables["companies"]})


def test_unknown_table_name(tables):
    with pytest.raises(InvalidInputError, match="unknown table name"):
        sf.read_dataset({**tables, "stream": tables["streams"]})


# -- lenient mode --------------------------------------------------------------------------
def test_lenient_names_every_row_left_out_with_cascade(tables):
    tables["companies"].loc[1, "lat"] = 999.0  # c2 left out -> its streams s2, s4 -> exchange 0
    tables["streams"].loc[2, "unit"] = "bananas"  # s3 left out
    ds = sf.read_dataset(tables, strict=False)
    rep = ds.report
    assert not rep.ok
    assert rep.dropped["companies"].keys() == {1}
    assert rep.dropped["streams"].keys() == {1, 2, 3}
    assert "its company 'c2' was left out (companies row 1)" in rep.dropped["streams"][1]
    assert "unit" in rep.dropped["streams"][2]
    assert rep.dropped["exchanges"].keys() == {0}
    assert "'s2' was left out" in rep.dropped["exchanges"][0]
    # every row is either kept or named
    for t in ("companies", "streams", "exchanges"):
        assert ds.table(t).num_rows + len(rep.dropped[t]) == rep.n_rows[t]
    assert ds.companies.column("company_id").to_pylist() == ["c1", "c3"]
    assert ds.streams.column("stream_id").to_pylist() == ["s1"]
    df = rep.dropped_rows()
    assert len(df) == rep.n_dropped == 5
    assert "left out: streams row 2" in str(rep)


def test_lenient_missing_required_column_drops_the_table_with_reasons(tables):
    tables["streams"] = tables["streams"].drop(columns=["unit"])
    ds = sf.read_dataset(tables, strict=False)
    assert ds.n_streams == 0
    assert set(ds.report.dropped["streams"]) == {0, 1, 2, 3}
    assert all("unit" in why for why in ds.report.dropped["streams"].values())


def test_report_serialisations(tables):
    tables["streams"].loc[0, "quantity"] = -1.0
    rep = sf.read_dataset(tables, strict=False).report
    d = rep.to_dict()
    assert d["n_errors"] == 1 and d["dropped"]["streams"][0]["row"] == 0
    import json

    assert json.loads(rep.to_json())["ok"] is False
    assert list(rep.to_pandas().columns)[:4] == ["table", "row", "column", "value"]
    assert "<table" in rep._repr_html_()
    with pytest.raises(InvalidDatasetError):
        rep.raise_if_errors()


def test_mixed_types_in_pandas_object_columns(tables):
    s = tables["streams"].astype({"quantity": object})
    s.loc[0, "quantity"] = "12 t"
    s.loc[1, "quantity"] = 5
    tables["streams"] = s
    err = _raise(tables)
    assert ("streams", 0, "quantity", "not_a_number") in _codes(err)
    assert len(err.problems) == 1


def test_header_case_and_whitespace_are_tolerated(tables):
    tables["companies"] = tables["companies"].rename(
        columns={"lat": " LAT ", "company_id": "\ufeffcompany_id"}
    )
    ds = sf.read_dataset(tables)
    assert ds.companies.column("lat").to_pylist() == [51.90, 51.88, 51.95]
