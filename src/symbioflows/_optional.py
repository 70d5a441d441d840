"""Lazy imports of optional dependencies, with an error that names the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from symbioflows.errors import MissingExtraError

__all__ = ["import_optional", "has_module"]


def import_optional(module: str, extra: str, *, purpose: str = "") -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` naming ``extra``.

    Parameters
    ----------
    module : str
        Dotted module name, e.g. ``"faiss"``.
    extra : str
        The symbioflows extra that installs it, e.g. ``"faiss"``.
    purpose : str, optional
        What the caller needed it for, added to the message.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        why = f" for {purpose}" if purpose else ""
        raise MissingExtraError(
            f"{module!r} is needed{why} but is not installed; "
            f"pip install 'symbioflows[{extra}]'"
        ) from exc


def has_module(module: str) -> bool:
    """True when ``module`` can be imported (without raising)."""
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True
