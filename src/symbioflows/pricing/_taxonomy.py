"""Facts of a material class from the taxonomy (``symbioflows.materials.taxonomy``).

Fields used by pricing and impact: ``virgin_price_usd_per_t_low/high`` and
``virgin_ef_kg_co2e_per_t`` (per unit of the main virgin input replaced), the substitution ratio
of that input (``substitutes[0].ratio``), ``density_t_per_m3``, ``medium`` and ``unit``, with the
taxonomy's own source keys and years.
"""

from __future__ import annotations

from typing import Any

from symbioflows.materials.taxonomy import get_material_class

__all__ = ["material_class_info"]


def _source(facts: dict[str, Any], key: str) -> str:
    f = facts.get(key)
    if isinstance(f, dict):
        est = ", estimate" if f.get("estimate") else ""
        return f"symbioflows.materials.taxonomy ({f.get('source')} {f.get('year')}{est})"
    return "symbioflows.materials.taxonomy"


def material_class_info(material_class: str) -> dict[str, Any]:
    """Pricing/impact facts of a taxonomy class; unknown ids raise UnknownNodeError.

    Examples
    --------
    >>> info = material_class_info("aluminium_scrap")
    >>> info["virgin_ef_kg_co2e_per_t"], info["substitution_ratio"]
    (9115.90131, 0.9)
    """
    c = get_material_class(material_class)
    facts = c.facts or {}
    return {
        "id": c.id,
        "virgin_price_usd_per_t_low": c.virgin_price_usd_per_t_low,
        "virgin_price_usd_per_t_high": c.virgin_price_usd_per_t_high,
        "virgin_ef_kg_co2e_per_t": c.virgin_ef_kg_co2e_per_t,
        "substitution_ratio": c.substitutes[0].ratio if c.substitutes else 1.0,
        "substitute": c.substitutes[0].label if c.substitutes else "",
        "density_t_per_m3": c.density_t_per_m3,
        "medium": c.medium,
        "unit": c.unit,
        "hazardous": c.hazardous,
        "ewc_codes": c.ewc_codes,
        "family": c.family,
        "source_price": _source(facts, "virgin_price_usd_per_t"),
        "source_ef": _source(facts, "virgin_ef_kg_co2e_per_t"),
        "source_substitution": _source(facts, "substitutes"),
    }
