"""Transport modes: cost, payload, emission factor, medium constraints and road circuity.

Every figure comes from ``symbioflows/data/factors/transport_modes.csv`` (source and year per
row; emission factors from the UK DESNZ/DEFRA 2025 conversion factors, Open Government Licence
v3.0, and the inland-waterway figure of doi 10.1186/s12544-019-0344-x).  Costs in that table are
in EUR and converted to USD at the ECB 2024 annual average (1.0824 USD per EUR).

Media (what a mode can carry)
-----------------------------
``solid`` (bulk or packed, tonnes), ``liquid`` (tonnes), ``gas`` (tonnes, compressed),
``steam`` (tonnes), ``heat`` (MWh, as hot water in a pipe), ``water`` (tonnes = m3),
``electricity`` (MWh, over a private wire).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

from symbioflows.errors import InvalidInputError
from symbioflows.logistics._tables import read_factor_csv, to_usd

__all__ = [
    "MEDIA",
    "DEFAULT_MODES",
    "DEFAULT_ROAD_CIRCUITY",
    "TransportMode",
    "transport_modes",
    "get_mode",
    "medium_code",
    "road_circuity",
    "modes_table",
]

MEDIA: tuple[str, ...] = ("solid", "liquid", "gas", "steam", "heat", "water", "electricity")

# Modes used when the caller does not say: road and pipelines.  Rail, inland waterway and
# short-sea need sidings, quays or ports at both ends, which symbioflows cannot see; pass them in
# ``modes=`` explicitly.
DEFAULT_MODES: tuple[str, ...] = (
    "road_articulated",
    "road_rigid",
    "road_tanker",
    "pipe_steam",
    "pipe_heat",
    "pipe_water",
    "private_wire",
)


@dataclass(frozen=True)
class TransportMode:
    """One transport mode.  Costs in USD; quantities in the medium's unit (t, or MWh for heat
    and electricity).

    ``payload`` is per shipment (0 = continuous, as in a pipeline).  ``detour`` multiplies the
    great-circle distance; 0 means "use the road circuity of the countries".
    """

    name: str
    media: tuple[str, ...]
    fixed_cost_usd_per_shipment: float
    cost_usd_per_tkm: float
    payload: float
    co2e_kg_per_tkm: float
    max_route_km: float
    detour: float
    cost_source: str = field(default="", compare=False)
    co2e_source: str = field(default="", compare=False)
    year: int = field(default=0, compare=False)
    notes: str = field(default="", compare=False)

    def medium_mask(self) -> int:
        """Bit b set when medium ``MEDIA[b]`` is allowed."""
        return sum(1 << MEDIA.index(m) for m in self.media)


@functools.lru_cache(maxsize=1)
def _modes() -> dict[str, TransportMode]:
    out: dict[str, TransportMode] = {}
    for r in read_factor_csv("transport_modes.csv"):
        media = tuple(m.strip() for m in r["media"].split("|"))
        for m in media:
            if m not in MEDIA:  # pragma: no cover - guards the shipped table
                raise RuntimeError(f"transport_modes.csv: unknown medium {m!r}")
        out[r["mode"]] = TransportMode(
            name=r["mode"],
            media=media,
            fixed_cost_usd_per_shipment=to_usd(r["fixed_cost_local_per_shipment"], r["currency"]),
            cost_usd_per_tkm=to_usd(r["cost_local_per_tkm"], r["currency"]),
            payload=float(r["payload"]),
            co2e_kg_per_tkm=float(r["co2e_kg_per_tkm"]),
            max_route_km=float(r["max_route_km"]),
            detour=float(r["detour"]),
            cost_source=f"{r['cost_source']} (converted from {r['currency']} {r['cost_year']})",
            co2e_source=r["co2e_factor"],
            year=int(r["cost_year"]),
            notes=r["notes"],
        )
    return out


def transport_modes() -> dict[str, TransportMode]:
    """All shipped transport modes by name (a copy).

    Examples
    --------
    >>> sorted(transport_modes())[:3]
    ['inland_waterway', 'pipe_heat', 'pipe_steam']
    >>> transport_modes()["road_articulated"].co2e_kg_per_tkm
    0.078
    """
    return dict(_modes())


def get_mode(mode: str | TransportMode) -> TransportMode:
    """Look a mode up by name; an unknown name raises InvalidInputError listing the valid ones."""
    if isinstance(mode, TransportMode):
        return mode
    table = _modes()
    if not isinstance(mode, str) or mode not in table:
        raise InvalidInputError(f"unknown transport mode {mode!r}; valid modes: {sorted(table)}")
    return table[mode]


#: Names used by the material taxonomy for the same media.
MEDIUM_ALIASES: dict[str, str] = {"bulk_solid": "solid"}


def medium_code(medium: str) -> int:
    """Index of a medium in :data:`MEDIA` (InvalidInputError listing the valid media).

    The taxonomy's ``"bulk_solid"`` is accepted for ``"solid"``.
    """
    if isinstance(medium, str):
        medium = MEDIUM_ALIASES.get(medium, medium)
    if not isinstance(medium, str) or medium not in MEDIA:
        raise InvalidInputError(f"unknown medium {medium!r}; valid media: {list(MEDIA)}")
    return MEDIA.index(medium)


@functools.lru_cache(maxsize=1)
def _circuity() -> dict[str, float]:
    return {r["country"]: float(r["road_circuity"]) for r in read_factor_csv("road_circuity.csv")}


DEFAULT_ROAD_CIRCUITY: float = _circuity()["default"]


def road_circuity(country: Any = None, *, overrides: dict[str, float] | None = None) -> float:
    """Road distance / great-circle distance for a country (ISO alpha-2).

    Countries without a sourced factor get the documented default (1.30; see
    ``road_circuity.csv``).  ``overrides`` lets a user supply measured factors.

    Examples
    --------
    >>> road_circuity("US"), road_circuity("FR"), road_circuity(None)
    (1.2, 1.3, 1.3)
    """
    if country is None or (isinstance(country, float) and math.isnan(country)):
        return DEFAULT_ROAD_CIRCUITY
    key = str(country).upper()
    if overrides and key in overrides:
        value = float(overrides[key])
        if not value >= 1.0 or math.isinf(value):
            raise InvalidInputError(f"road circuity for {key} must be finite and >= 1; got {value}")
        return value
    return _circuity().get(key, DEFAULT_ROAD_CIRCUITY)


def modes_table() -> Any:
    """The mode table as a pandas DataFrame (USD), with its sources."""
    import pandas as pd

    rows = []
    for m in _modes().values():
        rows.append(
            {
                "mode": m.name,
                "media": "|".join(m.media),
                "fixed_cost_usd_per_shipment": m.fixed_cost_usd_per_shipment,
                "cost_usd_per_tkm": m.cost_usd_per_tkm,
                "payload": m.payload,
                "co2e_kg_per_tkm": m.co2e_kg_per_tkm,
                "max_route_km": m.max_route_km,
                "detour": m.detour,
                "cost_source": m.cost_source,
                "co2e_source": m.co2e_source,
            }
        )
    return pd.DataFrame(rows)
