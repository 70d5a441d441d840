"""Adapter to the material taxonomy (``symbioflows.materials.taxonomy``) with a local fallback.

The materials helper owns the taxonomy.  Fields used here: ``virgin_price_usd_per_t_low``,
``virgin_price_usd_per_t_high``, ``virgin_ef_kg_co2e_per_t``, ``density_t_per_m3``, ``medium``,
``substitutes``.  Until it is importable, :data:`FALLBACK_CLASSES` (a small, clearly labelled
illustrative fixture) stands in; every result says which one was used.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from symbioflows.errors import InvalidInputError

__all__ = ["FALLBACK_CLASSES", "material_class_info", "taxonomy_source"]

FIELDS = (
    "virgin_price_usd_per_t_low",
    "virgin_price_usd_per_t_high",
    "virgin_ef_kg_co2e_per_t",
    "density_t_per_m3",
    "medium",
    "substitutes",
)

_FIX = "illustrative fixture (symbioflows.pricing._taxonomy), replaced by the materials taxonomy"
# Illustrative values only, each with where its order of magnitude comes from; the materials
# taxonomy supersedes them.  EF = DESNZ/DEFRA 2025 material-use "primary material production"
# (kg CO2e/t, OGL v3.0) where a matching row exists.
FALLBACK_CLASSES: dict[str, dict[str, Any]] = {
    "aluminium_scrap": {
        "virgin_price_usd_per_t_low": 2200.0,  # primary aluminium, LME cash range 2024 (order)
        "virgin_price_usd_per_t_high": 2700.0,
        "virgin_ef_kg_co2e_per_t": 9115.90131,  # DEFRA 2025 aluminium cans and foil, primary
        "density_t_per_m3": 0.3,  # loose scrap (assumption)
        "medium": "solid",
        "substitutes": ("primary aluminium",),
        "source": _FIX,
    },
    "steel_scrap": {
        "virgin_price_usd_per_t_low": 350.0,  # pig iron / DRI range 2024 (order of magnitude)
        "virgin_price_usd_per_t_high": 500.0,
        "virgin_ef_kg_co2e_per_t": 2863.90131,  # DEFRA 2025 steel cans, primary
        "density_t_per_m3": 0.9,
        "medium": "solid",
        "substitutes": ("pig iron",),
        "source": _FIX,
    },
    "glass_cullet": {
        "virgin_price_usd_per_t_low": 70.0,  # Eurostat recycled-glass indicator EUR 65 (2022)
        "virgin_price_usd_per_t_high": 103.0,  # ... and EUR 95 (2024), x 1.0824 USD/EUR
        "virgin_ef_kg_co2e_per_t": 1402.76667,  # DEFRA 2025 glass, primary
        "density_t_per_m3": 1.4,
        "medium": "solid",
        "substitutes": ("glass batch (sand, soda ash, limestone)",),
        "source": _FIX,
    },
    "paper_cardboard": {
        "virgin_price_usd_per_t_low": 169.0,  # Eurostat recycled-paper indicator EUR 156 (2024)
        "virgin_price_usd_per_t_high": 223.0,  # EUR 206 (2022)
        "virgin_ef_kg_co2e_per_t": 1288.50358,  # DEFRA 2025 paper and board mixed, primary
        "density_t_per_m3": 0.5,
        "medium": "solid",
        "substitutes": ("virgin pulp",),
        "source": _FIX,
    },
    "plastic_mixed": {
        "virgin_price_usd_per_t_low": 347.0,  # Eurostat recycled-plastic indicator EUR 321 (2024)
        "virgin_price_usd_per_t_high": 491.0,  # EUR 454 (2022)
        "virgin_ef_kg_co2e_per_t": 3172.49932,  # DEFRA 2025 average plastics, primary
        "density_t_per_m3": 0.4,
        "medium": "solid",
        "substitutes": ("virgin polymer",),
        "source": _FIX,
    },
    "steam": {
        "virgin_price_usd_per_t_low": 20.0,  # cost of raising steam in a gas boiler (assumption)
        "virgin_price_usd_per_t_high": 40.0,
        "virgin_ef_kg_co2e_per_t": 0.0,
        "density_t_per_m3": None,
        "medium": "steam",
        "substitutes": ("boiler steam",),
        "source": _FIX,
    },
}


def _real_taxonomy() -> Any:
    try:
        return importlib.import_module("symbioflows.materials.taxonomy")
    except ImportError:
        return None


def taxonomy_source() -> str:
    """Which taxonomy answers lookups: the materials taxonomy or the local fixture."""
    return "symbioflows.materials.taxonomy" if _real_taxonomy() is not None else _FIX


def _as_dict(entry: Any) -> dict[str, Any]:
    if isinstance(entry, Mapping):
        return dict(entry)
    out = {f: getattr(entry, f) for f in FIELDS if hasattr(entry, f)}
    return out


def material_class_info(material_class: str) -> dict[str, Any]:
    """Fields of a material class (see module docstring), plus ``source``.

    Looks in ``symbioflows.materials.taxonomy`` first (functions ``get_material_class``,
    ``get_class``, ``lookup_class`` or a mapping ``TAXONOMY`` / ``MATERIAL_CLASSES``), then in the
    local fixture.  Unknown classes raise InvalidInputError listing the known ones.
    """
    tax = _real_taxonomy()
    if tax is not None:
        for fn_name in ("get_material_class", "get_class", "lookup_class"):
            fn = getattr(tax, fn_name, None)
            if callable(fn):
                try:
                    entry = fn(material_class)
                except (KeyError, LookupError, ValueError):
                    entry = None
                if entry is not None:
                    d = _as_dict(entry)
                    d.setdefault("source", "symbioflows.materials.taxonomy")
                    return d
        for table_name in ("TAXONOMY", "MATERIAL_CLASSES"):
            table = getattr(tax, table_name, None)
            if isinstance(table, Mapping) and material_class in table:
                d = _as_dict(table[material_class])
                d.setdefault("source", "symbioflows.materials.taxonomy")
                return d
    if material_class in FALLBACK_CLASSES:
        return dict(FALLBACK_CLASSES[material_class])
    raise InvalidInputError(
        f"unknown material class {material_class!r}; known here: {sorted(FALLBACK_CLASSES)} "
        "(or pass virgin_price_usd_per_t explicitly)"
    )
