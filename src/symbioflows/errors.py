"""One exception hierarchy for the whole library.

Every error raised on purpose by symbioflows derives from :class:`SymbioflowsError`.
Input errors also derive from :class:`ValueError` (or :class:`LookupError` for unknown ids)
so generic handlers keep working.  The native core's C++ exceptions are translated to these
classes in one place (``cpp/bindings/module.cpp``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "SymbioflowsError",
    "InvalidInputError",
    "UnknownNodeError",
    "InvalidDatasetError",
    "DatasetProblem",
    "ResourceLimitError",
    "CancelledError",
    "UnsafeFileError",
    "FormatVersionError",
    "MissingExtraError",
    "NotFittedError",
    "SolverError",
]


class SymbioflowsError(Exception):
    """Base class of every error that symbioflows raises on purpose."""


class InvalidInputError(SymbioflowsError, ValueError):
    """An argument is malformed: wrong shape, NaN, out of range, inconsistent bounds."""


class UnknownNodeError(InvalidInputError, LookupError):
    """An id or index (company, stream, node) that does not exist."""


@dataclass(frozen=True)
class DatasetProblem:
    """One validation problem: where it is, what was found, how to fix it.

    ``row`` is the 0-based row position in the table as read (``None`` for a table-level
    problem such as a missing column).  Problems of CSV files also carry ``extra["line"]``,
    the 1-based line of the file where the row starts (the header is line 1), which an
    editor shows.
    """

    table: str
    row: int | None
    column: str | None
    value: Any
    message: str
    fix: str = ""
    severity: str = "error"
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        where = self.table
        if self.row is not None:
            where += f" row {self.row}"
            if self.extra.get("line") is not None:
                where += f" (line {self.extra['line']})"
        if self.column is not None:
            where += f" column {self.column!r}"
        text = f"{where}: {self.message}"
        if self.value is not None:
            text += f" (got {self.value!r})"
        if self.fix:
            text += f"; fix: {self.fix}"
        return text


class InvalidDatasetError(InvalidInputError):
    """A dataset failed validation.  ``problems`` lists *every* problem found."""

    def __init__(self, problems: list[DatasetProblem], *, max_shown: int = 50) -> None:
        self.problems = list(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:max_shown])
        more = len(self.problems) - max_shown
        if more > 0:
            shown += f"\n  ... and {more} more (see .problems)"
        super().__init__(f"{len(self.problems)} problem(s) in the dataset:\n{shown}")


class ResourceLimitError(SymbioflowsError, MemoryError):
    """A request would exceed a documented size limit (memory, elements)."""


class CancelledError(SymbioflowsError):
    """A native kernel was cancelled (for example by a progress hook)."""


class UnsafeFileError(SymbioflowsError):
    """A file was refused: not in a safe format, tampered with, truncated or unverifiable."""


class FormatVersionError(UnsafeFileError):
    """A saved artefact has a format version this release cannot read."""


class MissingExtraError(SymbioflowsError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""


class NotFittedError(SymbioflowsError, ValueError, AttributeError):
    """A learner was used before ``fit``."""


class SolverError(SymbioflowsError):
    """An external solver failed in a way that is not a normal status (infeasible is a status)."""
