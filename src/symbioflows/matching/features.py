"""The pair features of the matcher: names, order, units and meanings.

The one table lives in the native core (``cpp/include/symbioflows/pair_features.hpp``), which
the scoring kernel indexes by name; the extension exports it as ``_core.PAIR_FEATURES`` and
this module turns it into Python objects.  The scorer's weights, the pure-Python reference
(``matching/_reference.py``) and the table in ``docs/matching.md`` are checked against it (at
import and by tests), so a feature is added in one place: a row of the table, its line in the
kernel, its line in the reference, its default weight and a test.

Examples
--------
>>> from symbioflows.matching.features import PAIR_FEATURES, feature_index
>>> PAIR_FEATURES[0], feature_index("distance_km")
('material_fit', 5)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from symbioflows import _core
from symbioflows.errors import InvalidInputError

__all__ = ["PairFeature", "PAIR_FEATURE_TABLE", "PAIR_FEATURES", "NUM_PAIR_FEATURES",
           "feature_index", "check_feature_names", "markdown_table"]


@dataclass(frozen=True)
class PairFeature:
    """One pair feature: its column in the feature block, name, unit and meaning."""

    index: int
    name: str
    unit: str
    meaning: str


#: The table, in column order (from the native core).
PAIR_FEATURE_TABLE: tuple[PairFeature, ...] = tuple(
    PairFeature(k, str(name), str(unit), str(meaning))
    for k, (name, unit, meaning) in enumerate(_core.PAIR_FEATURES))
#: The feature names in column order: the columns of the feature block and of the weights.
PAIR_FEATURES: tuple[str, ...] = tuple(f.name for f in PAIR_FEATURE_TABLE)
NUM_PAIR_FEATURES: int = len(PAIR_FEATURES)

if NUM_PAIR_FEATURES != _core.NUM_PAIR_FEATURES or len(set(PAIR_FEATURES)) != NUM_PAIR_FEATURES:
    raise ImportError(  # pragma: no cover - a broken build
        f"symbioflows._core exports {NUM_PAIR_FEATURES} pair features {PAIR_FEATURES} but "
        f"NUM_PAIR_FEATURES = {_core.NUM_PAIR_FEATURES}; rebuild the extension")

_INDEX = {name: k for k, name in enumerate(PAIR_FEATURES)}


def feature_index(name: str) -> int:
    """The column of feature ``name`` in the feature block.

    Raises
    ------
    InvalidInputError
        If ``name`` is not a pair feature (the message lists them).
    """
    try:
        return _INDEX[name]
    except KeyError:
        raise InvalidInputError(
            f"unknown pair feature {name!r}; the features are {list(PAIR_FEATURES)}") from None


def check_feature_names(names: Iterable[str], what: str) -> None:
    """Check that ``names`` are exactly the pair features (any order): ties a table keyed by
    feature (the default weights, the reference implementation) to the native table.

    Raises
    ------
    InvalidInputError
        Naming the missing and the unknown features.
    """
    got = set(names)
    missing = [f for f in PAIR_FEATURES if f not in got]
    extra = sorted(got - set(PAIR_FEATURES))
    if missing or extra:
        raise InvalidInputError(
            f"{what} must name every pair feature of _core.PAIR_FEATURES once; missing "
            f"{missing}, unknown {extra}: add the feature to cpp/include/symbioflows/"
            "pair_features.hpp or to " + what)


def markdown_table() -> str:
    """The table as Markdown (what ``docs/matching.md`` shows between its
    ``<!-- table:pair_features -->`` markers; a test checks that they agree)."""
    lines = ["| # | feature | unit | meaning |", "| --- | --- | --- | --- |"]
    lines += [f"| {f.index} | `{f.name}` | {f.unit} | {f.meaning} |" for f in PAIR_FEATURE_TABLE]
    return "\n".join(lines) + "\n"
