"""Secondary-material taxonomy with substitution knowledge.

About a hundred classes of secondary materials, energy and water that the industrial-symbiosis
literature documents being exchanged (ashes and slags, gypsum, scraps, plastics by polymer,
paper, wood, glass, rubber, textiles, organic residues, solvents, acids and alkalis, sulphur,
CO2, steam, waste heat, water ...).  Each class carries its typical EWC codes, physical state,
bulk density, transport medium, the virgin inputs it replaces with a substitution ratio, the
NACE classes that produce and use it, and the virgin-production emission factor and price range
of its main substitute, each fact with its public source and year (``MaterialClass.facts``;
``estimate=True`` marks rounded or judged values; where the project's checked tables
``virgin_factors.csv`` and ``reference_prices.csv`` hold a figure read in its document, the
taxonomy carries that figure, source ``VF`` or ``RP``).

The data ships as ``symbioflows/data/material_taxonomy.json`` (authored by
``tools/build_material_taxonomy.py``).

Notes
-----
Units.  ``virgin_ef_kg_co2e_per_t`` and ``virgin_price_usd_per_t_low/high`` are per *unit of
the main virgin input replaced* (the first entry of ``substitutes``): per tonne, except for
classes whose ``unit`` is ``"MWh"`` (heat, electricity, fuel gases: per MWh) or ``"m3"``
(water: per m3, about a tonne).  The avoided emission per unit of the secondary material is
``substitutes[0].ratio * virgin_ef_kg_co2e_per_t`` (:attr:`MaterialClass.avoided_ef_kg_co2e_per_t`).

Substitution matrix (supply class -> demand class, in [0, 1]):

* 1 on the diagonal;
* for two classes that replace the same virgin input and travel by the same medium,
  ``0.8 * min(1, r_supply / r_demand)`` (best shared input), where ``r`` is the substitution
  ratio;
* explicit literature pairs (``substitution_overrides`` in the data, e.g. PET -> mixed
  plastics 0.9, steam -> low-temperature heat 0.9, low-grade heat -> steam 0.1) replace that
  value;
* otherwise 0.2 for classes of the same family and medium, else 0.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from symbioflows._resources import shipped_json
from symbioflows.errors import InvalidInputError, UnknownNodeError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MEDIA",
    "MaterialClass",
    "Substitute",
    "Taxonomy",
    "load_taxonomy",
    "material_classes",
    "get_material_class",
    "substitution_matrix",
    "substitution_score",
    "classes_for_ewc",
]

TAXONOMY_FORMAT_VERSION = 1
#: Transport media a class can travel by.
MEDIA = ("bulk_solid", "liquid", "gas", "heat", "steam", "water", "electricity")
_SHARED_VIRGIN_WEIGHT = 0.8
_SAME_FAMILY_SCORE = 0.2


@dataclass(frozen=True)
class Substitute:
    """A virgin input that a secondary class can replace.

    ``ratio`` is the amount of virgin input replaced per unit of the secondary material (per
    tonne, MWh or m3 as given by ``unit``).
    """

    virgin: str
    label: str
    ratio: float
    unit: str


@dataclass(frozen=True)
class MaterialClass:
    """One secondary-material class of the taxonomy (see the module notes for units)."""

    id: str
    label: str
    family: str
    description: str
    synonyms: tuple[str, ...]
    ewc_codes: tuple[str, ...]
    hazardous: bool
    physical_state: str
    density_t_per_m3: float
    medium: str
    unit: str
    substitutes: tuple[Substitute, ...]
    produced_by_nace: tuple[str, ...]
    used_by_nace: tuple[str, ...]
    virgin_ef_kg_co2e_per_t: float
    virgin_price_usd_per_t_low: float
    virgin_price_usd_per_t_high: float
    facts: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def avoided_ef_kg_co2e_per_t(self) -> float:
        """kg CO2e of virgin production avoided per unit of this class (main substitute)."""
        return self.substitutes[0].ratio * self.virgin_ef_kg_co2e_per_t if self.substitutes else 0.0

    @property
    def text(self) -> str:
        """Label, description and synonyms joined: the text embedded for classification."""
        return f"{self.label}. {self.description}. Also called: {', '.join(self.synonyms)}"


class Taxonomy:
    """The loaded taxonomy: an ordered, indexable collection of :class:`MaterialClass`.

    Examples
    --------
    >>> tax = load_taxonomy()
    >>> len(tax) >= 80
    True
    >>> tax["coal_fly_ash"].medium
    'bulk_solid'
    >>> round(float(tax.score("blast_furnace_slag", "coal_fly_ash")), 3)
    0.9
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data
        self.format_version: int = int(data["format_version"])
        self.sources: dict[str, str] = dict(data["sources"])
        self.virgin_materials: dict[str, dict[str, Any]] = dict(data["virgin_materials"])
        classes = []
        for c in data["classes"]:
            classes.append(
                MaterialClass(
                    id=c["id"],
                    label=c["label"],
                    family=c["family"],
                    description=c["description"],
                    synonyms=tuple(c["synonyms"]),
                    ewc_codes=tuple(c["ewc_codes"]),
                    hazardous=bool(c["hazardous"]),
                    physical_state=c["physical_state"],
                    density_t_per_m3=float(c["density_t_per_m3"]),
                    medium=c["medium"],
                    unit=c["unit"],
                    substitutes=tuple(
                        Substitute(s["virgin"], s["label"], float(s["ratio"]), s["unit"])
                        for s in c["substitutes"]
                    ),
                    produced_by_nace=tuple(c["produced_by_nace"]),
                    used_by_nace=tuple(c["used_by_nace"]),
                    virgin_ef_kg_co2e_per_t=float(c["virgin_ef_kg_co2e_per_t"]),
                    virgin_price_usd_per_t_low=float(c["virgin_price_usd_per_t_low"]),
                    virgin_price_usd_per_t_high=float(c["virgin_price_usd_per_t_high"]),
                    facts=c["facts"],
                )
            )
        self.classes: tuple[MaterialClass, ...] = tuple(classes)
        self.ids: tuple[str, ...] = tuple(c.id for c in classes)
        self._pos = {cid: i for i, cid in enumerate(self.ids)}
        self._overrides = [
            (o["supply"], o["demand"], float(o["score"])) for o in data["substitution_overrides"]
        ]
        self._matrix: npt.NDArray[np.float32] | None = None

    def __len__(self) -> int:
        return len(self.classes)

    def __iter__(self) -> Iterator[MaterialClass]:
        return iter(self.classes)

    def __contains__(self, cid: object) -> bool:
        return cid in self._pos

    def __getitem__(self, cid: str) -> MaterialClass:
        return self.classes[self.index_of(cid)]

    def __repr__(self) -> str:
        return f"Taxonomy({len(self)} classes, format {self.format_version})"

    def index_of(self, cid: str) -> int:
        """Row of a class id in :meth:`substitution_matrix`."""
        try:
            return self._pos[cid]
        except (KeyError, TypeError):
            close = [c for c in self.ids if isinstance(cid, str) and cid[:4] in c][:5]
            raise UnknownNodeError(
                f"unknown material class {cid!r}; similar ids: {close or self.ids[:5]} "
                "(see load_taxonomy().ids)"
            ) from None

    def substitution_matrix(self) -> npt.NDArray[np.float32]:
        """Supply class x demand class compatibility in [0, 1] (read-only float32 array)."""
        if self._matrix is None:
            self._matrix = _build_matrix(self.classes, self._overrides)
        return self._matrix

    def score(self, supply: str, demand: str) -> np.float32:
        """Compatibility of a supply class with a demand class."""
        return self.substitution_matrix()[self.index_of(supply), self.index_of(demand)]

    def classes_for_ewc(self, code: object) -> list[MaterialClass]:
        """Classes whose typical EWC codes include ``code`` (any written form)."""
        from symbioflows.materials.ewc import normalize_ewc

        norm = normalize_ewc(code, strict=False).rstrip("*")
        return [c for c in self.classes if any(e.rstrip("*") == norm for e in c.ewc_codes)]

    def to_pandas(self) -> pd.DataFrame:
        """One row per class (lists joined with '; ')."""
        import pandas as pd

        rows = []
        for c in self.classes:
            rows.append(
                {
                    "id": c.id,
                    "label": c.label,
                    "family": c.family,
                    "medium": c.medium,
                    "unit": c.unit,
                    "physical_state": c.physical_state,
                    "density_t_per_m3": c.density_t_per_m3,
                    "hazardous": c.hazardous,
                    "ewc_codes": "; ".join(c.ewc_codes),
                    "substitutes": "; ".join(f"{s.virgin}:{s.ratio:g}" for s in c.substitutes),
                    "produced_by_nace": "; ".join(c.produced_by_nace),
                    "used_by_nace": "; ".join(c.used_by_nace),
                    "virgin_ef_kg_co2e_per_t": c.virgin_ef_kg_co2e_per_t,
                    "virgin_price_usd_per_t_low": c.virgin_price_usd_per_t_low,
                    "virgin_price_usd_per_t_high": c.virgin_price_usd_per_t_high,
                    "synonyms": "; ".join(c.synonyms),
                }
            )
        return pd.DataFrame(rows)


def _build_matrix(
    classes: tuple[MaterialClass, ...], overrides: list[tuple[str, str, float]]
) -> npt.NDArray[np.float32]:
    n = len(classes)
    m = np.zeros((n, n), dtype=np.float32)
    ratios = [{s.virgin: s.ratio for s in c.substitutes} for c in classes]
    for i, a in enumerate(classes):
        for j, b in enumerate(classes):
            if i == j:
                m[i, j] = 1.0
                continue
            if a.medium != b.medium:
                continue
            best = 0.0
            for v, ra in ratios[i].items():
                rb = ratios[j].get(v)
                if rb:
                    best = max(best, _SHARED_VIRGIN_WEIGHT * min(1.0, ra / rb))
            if best == 0.0 and a.family == b.family:
                best = _SAME_FAMILY_SCORE
            m[i, j] = best
    pos = {c.id: i for i, c in enumerate(classes)}
    for s, d, score in overrides:
        m[pos[s], pos[d]] = score
    m.setflags(write=False)
    return m


def _validate(data: dict[str, Any]) -> None:
    from symbioflows.materials.ewc import normalize_ewc
    from symbioflows.materials.nace import lookup_nace

    seen: set[str] = set()
    for c in data["classes"]:
        cid = c["id"]
        if cid in seen or not cid.replace("_", "").isalnum() or cid != cid.lower():
            raise InvalidInputError(f"taxonomy: bad or duplicate class id {cid!r}")
        seen.add(cid)
        if c["medium"] not in MEDIA:
            raise InvalidInputError(f"taxonomy: class {cid!r} has unknown medium {c['medium']!r}")
        for code in c["ewc_codes"]:
            if normalize_ewc(code) != code:
                raise InvalidInputError(f"taxonomy: class {cid!r} EWC code {code!r} not canonical")
        for code in (*c["produced_by_nace"], *c["used_by_nace"]):
            lookup_nace(code)
        if not c["substitutes"] or not all(0 < s["ratio"] <= 2 for s in c["substitutes"]):
            raise InvalidInputError(f"taxonomy: class {cid!r} needs substitutes with ratio in (0, 2]")
        if not (0 <= c["virgin_price_usd_per_t_low"] <= c["virgin_price_usd_per_t_high"]):
            raise InvalidInputError(f"taxonomy: class {cid!r} price range inverted")
        if not c["density_t_per_m3"] > 0:
            raise InvalidInputError(f"taxonomy: class {cid!r} density must be > 0")
    for o in data["substitution_overrides"]:
        if o["supply"] not in seen or o["demand"] not in seen or not 0 <= o["score"] <= 1:
            raise InvalidInputError(f"taxonomy: bad substitution override {o!r}")


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    """Load (once) and validate the shipped taxonomy."""
    data = shipped_json("material_taxonomy.json", format_version=TAXONOMY_FORMAT_VERSION)
    _validate(data)
    return Taxonomy(data)


def material_classes() -> tuple[MaterialClass, ...]:
    """All classes, in matrix order.

    Examples
    --------
    >>> any(c.id == "steam" and c.medium == "steam" for c in material_classes())
    True
    """
    return load_taxonomy().classes


def get_material_class(cid: str) -> MaterialClass:
    """One class by id (:class:`UnknownNodeError` names close ids when absent).

    Examples
    --------
    >>> get_material_class("fgd_gypsum").substitutes[0].virgin
    'natural_gypsum'
    """
    return load_taxonomy()[cid]


def substitution_matrix() -> npt.NDArray[np.float32]:
    """The class-to-class substitution matrix (see the module notes)."""
    return load_taxonomy().substitution_matrix()


def substitution_score(supply: str, demand: str) -> float:
    """Compatibility in [0, 1] of a supply class with a demand class.

    Examples
    --------
    >>> substitution_score("pet_plastic", "mixed_plastics")
    0.9
    >>> substitution_score("steam", "steam")
    1.0
    """
    return round(float(load_taxonomy().score(supply, demand)), 6)


def classes_for_ewc(code: object) -> list[MaterialClass]:
    """Classes listing ``code`` among their typical EWC codes.

    Examples
    --------
    >>> [c.id for c in classes_for_ewc("100102")][:1]
    ['coal_fly_ash']
    """
    return load_taxonomy().classes_for_ewc(code)
