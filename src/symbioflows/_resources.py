"""The reference files shipped inside the package (``symbioflows/data/*.csv``, ``*.json``):
one reader per format, so that every table is read, and its format checked, the same way.

* CSV tables start with ``#`` lines that name their source and licence; :func:`shipped_csv_rows`
  skips them and returns the rows as dicts of strings.
* JSON files carry a ``format_version``; :func:`shipped_json` refuses any other version with an
  error that names the file, the versions and the fix.

The lowest layer (beside :mod:`symbioflows.errors`): the data model and every domain package
read their shipped files through it.
"""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from typing import Any

from symbioflows.errors import InvalidInputError

__all__ = ["shipped_text", "shipped_csv_rows", "shipped_json"]

DATA_PACKAGE = "symbioflows.data"


def shipped_text(name: str, *, package: str = DATA_PACKAGE) -> str:
    """The text (UTF-8) of a file shipped in ``package``."""
    return resources.files(package).joinpath(name).read_text("utf-8")


def shipped_csv_rows(name: str, *, package: str = DATA_PACKAGE) -> list[dict[str, str]]:
    """The rows of a shipped CSV table as dicts (header -> text), its ``#`` source lines skipped.

    ``name`` is relative to ``package`` (``"factors/landfill_costs.csv"``).

    Examples
    --------
    >>> rows = shipped_csv_rows("nace_rev2.csv")
    >>> rows[0]["code"], len(rows)
    ('01.11', 615)
    """
    lines = io.StringIO(shipped_text(name, package=package), newline="")
    return list(csv.DictReader(ln for ln in lines if not ln.startswith("#")))


def shipped_json(name: str, *, format_version: int, package: str = DATA_PACKAGE) -> Any:
    """A shipped JSON document whose ``format_version`` is the one this version reads.

    Raises
    ------
    InvalidInputError
        The file has another ``format_version`` (a mixed installation): reinstall symbioflows.
    """
    data = json.loads(shipped_text(name, package=package))
    found = data.get("format_version") if isinstance(data, dict) else None
    if found != format_version:
        raise InvalidInputError(
            f"{name} has format_version {found!r}; this version of symbioflows reads "
            f"{format_version}: reinstall symbioflows"
        )
    return data
