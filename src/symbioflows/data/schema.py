"""The symbioflows data model as Arrow schemas.

Three tables describe a region:

``companies``
    One row per site: ``company_id`` (unique string), ``name``, ``sector`` (NACE Rev. 2 code,
    e.g. ``"24.10"``), ``lat``/``lon`` (WGS84 degrees) and ``country`` (ISO 3166-1 alpha-2).
    Any other column is kept as a free attribute.
``streams``
    One row per material, energy or water flow a company offers (``direction="supply"``) or
    needs (``direction="demand"``).  The *input* columns are what a user writes
    (``quantity`` + ``unit`` as given); the loader adds the *normalised* columns
    (``dimension``, ``quantity_t_per_yr``, ``quantity_mwh_per_yr``, ``quantity_m3_per_yr``,
    ``availability_mask``).
``exchanges``
    Known or proposed flows between a supply stream and a demand stream.

Units are fixed: tonnes, km, MWh, m3, USD, kg CO2e, always per year for flows.  See
``docs/data-model.md`` for the full description and :mod:`symbioflows.data.units` for the
conversion factors.

Examples
--------
>>> from symbioflows.data.schema import STREAMS_SCHEMA, required_columns
>>> STREAMS_SCHEMA.field("quantity_t_per_yr").type
DataType(double)
>>> required_columns("companies")
('company_id', 'lat', 'lon')
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

__all__ = [
    "ColumnSpec",
    "COMPANIES_COLUMNS",
    "STREAMS_COLUMNS",
    "EXCHANGES_COLUMNS",
    "COMPANIES_SCHEMA",
    "STREAMS_SCHEMA",
    "EXCHANGES_SCHEMA",
    "TABLES",
    "DIRECTIONS",
    "EXCHANGE_STATUSES",
    "DIMENSIONS",
    "CONTINUOUS_MASK",
    "COLUMN_ALIASES",
    "schema_for",
    "required_columns",
    "input_columns",
]

#: Stream directions: ``supply`` = an output the company wants to place; ``demand`` = an input
#: it needs.
DIRECTIONS: tuple[str, ...] = ("supply", "demand")

#: Life cycle of an exchange, in order.
EXCHANGE_STATUSES: tuple[str, ...] = (
    "proposed",
    "contacted",
    "negotiating",
    "active",
    "rejected",
    "ended",
)

#: Physical dimension of a stream's quantity; decides which normalised column is set.
DIMENSIONS: tuple[str, ...] = ("mass", "energy", "volume")

#: ``availability_mask`` value of a stream available all year (bits 0..11 set).
CONTINUOUS_MASK: int = 0xFFF  # 4095


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the data model.

    ``role`` is ``"required"`` (must be present in the input), ``"optional"`` (may be absent
    from the input; filled with nulls or the documented default) or ``"derived"`` (computed by
    the loader from other columns; a value in the input is recomputed).
    """

    name: str
    type: pa.DataType
    role: str
    nullable: bool
    description: str
    unit: str = ""


def _schema(cols: tuple[ColumnSpec, ...], doc: str) -> pa.Schema:
    fields = [
        pa.field(
            c.name,
            c.type,
            nullable=c.nullable,
            metadata={"description": c.description, "unit": c.unit, "role": c.role},
        )
        for c in cols
    ]
    return pa.schema(fields, metadata={"symbioflows.table": doc, "symbioflows.version": "1"})


COMPANIES_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("company_id", pa.string(), "required", False, "Unique company (site) id."),
    ColumnSpec("name", pa.string(), "optional", True, "Company or site name."),
    ColumnSpec(
        "sector",
        pa.string(),
        "optional",
        True,
        "NACE Rev. 2 code: class 'NN.NN' (e.g. '24.10'), group 'NN.N' or division 'NN'.",
    ),
    ColumnSpec("lat", pa.float64(), "required", False, "Latitude, WGS84.", "degree"),
    ColumnSpec("lon", pa.float64(), "required", False, "Longitude, WGS84.", "degree"),
    ColumnSpec("country", pa.string(), "optional", True, "ISO 3166-1 alpha-2 code, upper case."),
)

STREAMS_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("stream_id", pa.string(), "required", False, "Unique stream id."),
    ColumnSpec("company_id", pa.string(), "required", False, "Owner; a companies.company_id."),
    ColumnSpec("direction", pa.string(), "required", False, "'supply' or 'demand'."),
    ColumnSpec(
        "material",
        pa.string(),
        "required",
        True,
        "Free-text description as the company writes it (may be null when ewc_code or "
        "material_class is given).",
    ),
    ColumnSpec(
        "ewc_code",
        pa.string(),
        "optional",
        True,
        "EU List of Waste code normalised to 'NN NN NN'; a trailing '*' marks a hazardous entry.",
    ),
    ColumnSpec("material_class", pa.string(), "optional", True, "Material class id (snake_case)."),
    ColumnSpec("quantity", pa.float64(), "required", False, "Quantity as given, in 'unit'."),
    ColumnSpec(
        "unit", pa.string(), "required", False, "Unit as given, e.g. 't/yr', 'kg/day', 'MWh/yr'."
    ),
    ColumnSpec("dimension", pa.string(), "derived", False, "'mass', 'energy' or 'volume'."),
    ColumnSpec(
        "quantity_t_per_yr",
        pa.float64(),
        "derived",
        True,
        "Mass flow; set for mass streams, and for volume streams with a density.",
        "t/yr",
    ),
    ColumnSpec(
        "quantity_mwh_per_yr",
        pa.float64(),
        "derived",
        True,
        "Energy flow; set for energy streams.",
        "MWh/yr",
    ),
    ColumnSpec(
        "quantity_m3_per_yr",
        pa.float64(),
        "derived",
        True,
        "Volume flow; set for volume streams.",
        "m3/yr",
    ),
    ColumnSpec(
        "density_t_per_m3",
        pa.float64(),
        "optional",
        True,
        "Bulk density; converts volume to mass.",
        "t/m3",
    ),
    ColumnSpec("quality", pa.float64(), "optional", True, "Quality or purity score in [0, 1]."),
    ColumnSpec(
        "price_usd_per_t",
        pa.float64(),
        "optional",
        True,
        "Demand: what the input costs today. Supply: what disposal costs today (positive).",
        "USD/t",
    ),
    ColumnSpec(
        "availability_mask",
        pa.int16(),
        "derived",
        False,
        "Months available: bit m-1 set = month m; 4095 = continuous. From 'availability' "
        "('continuous', '1-3,6', 'jan-mar') or given directly.",
    ),
    ColumnSpec(
        "treatment_route",
        pa.string(),
        "optional",
        True,
        "'recovery' or 'disposal' (Directive 2008/98/EC Annex I/II): what is done with a waste; "
        "on a demand, the receiver's operation. An exchange is for disposal when either side "
        "says so (compliance rule XB-DISPOSAL). Empty = recovery.",
    ),
    ColumnSpec(
        "food_grade",
        pa.bool_(),
        "optional",
        True,
        "Demand: the input goes into food, feed or food-contact production (compliance rules "
        "FOOD-WASTE, FOOD-TRACE). Empty = no.",
    ),
)

EXCHANGES_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "supplier_stream_id", pa.string(), "required", False, "A supply stream's stream_id."
    ),
    ColumnSpec(
        "receiver_stream_id", pa.string(), "required", False, "A demand stream's stream_id."
    ),
    ColumnSpec("quantity_t_per_yr", pa.float64(), "optional", True, "Exchanged mass flow.", "t/yr"),
    ColumnSpec(
        "status",
        pa.string(),
        "optional",
        False,
        "One of " + ", ".join(EXCHANGE_STATUSES) + "; 'proposed' when the column is absent.",
    ),
)

COMPANIES_SCHEMA = _schema(COMPANIES_COLUMNS, "companies")
STREAMS_SCHEMA = _schema(STREAMS_COLUMNS, "streams")
EXCHANGES_SCHEMA = _schema(EXCHANGES_COLUMNS, "exchanges")

TABLES: tuple[str, ...] = ("companies", "streams", "exchanges")

_COLUMNS = {
    "companies": COMPANIES_COLUMNS,
    "streams": STREAMS_COLUMNS,
    "exchanges": EXCHANGES_COLUMNS,
}
_SCHEMAS = {
    "companies": COMPANIES_SCHEMA,
    "streams": STREAMS_SCHEMA,
    "exchanges": EXCHANGES_SCHEMA,
}

#: Common other spellings of column names, used to suggest the right one (never applied
#: silently).
COLUMN_ALIASES: dict[str, str] = {
    "latitude": "lat",
    "longitude": "lon",
    "lng": "lon",
    "long": "lon",
    "nace": "sector",
    "nace_code": "sector",
    "company": "company_id",
    "companyid": "company_id",
    "id": "company_id",
    "stream": "stream_id",
    "streamid": "stream_id",
    "ewc": "ewc_code",
    "waste_code": "ewc_code",
    "qty": "quantity",
    "amount": "quantity",
    "units": "unit",
    "type": "direction",
    "supplier": "supplier_stream_id",
    "receiver": "receiver_stream_id",
    "price": "price_usd_per_t",
    "density": "density_t_per_m3",
}


def schema_for(table: str) -> pa.Schema:
    """The normalised Arrow schema of ``table`` (``companies``, ``streams`` or ``exchanges``)."""
    try:
        return _SCHEMAS[table]
    except KeyError:
        raise KeyError(f"unknown table {table!r}; expected one of {TABLES}") from None


def columns_for(table: str) -> tuple[ColumnSpec, ...]:
    """The :class:`ColumnSpec` tuple of ``table``."""
    schema_for(table)
    return _COLUMNS[table]


def required_columns(table: str) -> tuple[str, ...]:
    """Columns that must be present in the input of ``table``."""
    return tuple(c.name for c in columns_for(table) if c.role == "required")


def input_columns(table: str) -> tuple[str, ...]:
    """Columns a user may write for ``table`` (required + optional + ``availability``)."""
    names = [c.name for c in columns_for(table) if c.role != "derived"]
    if table == "streams":
        names += ["availability", "availability_mask"]
    return tuple(names)
