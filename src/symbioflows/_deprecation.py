"""Deprecation aliases for public names that moved (kept for one release).

A module whose names moved sets ``__getattr__ = moved_names(__name__, {...})``: reading an old
name warns (``DeprecationWarning`` naming the new home) and returns the object from its new
module, imported only then.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["moved_names"]


def moved_names(module: str, moves: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``moves``: old name -> ``"new.module:new_name"``."""

    def __getattr__(name: str) -> Any:
        target = moves.get(name)
        if target is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        new_mod, _, new_name = target.partition(":")
        warnings.warn(f"{module}.{name} is deprecated and will be removed in the next release; "
                      f"use {new_mod}.{new_name}", DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(new_mod), new_name)

    return __getattr__
