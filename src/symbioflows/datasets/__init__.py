"""Synthetic regions for demos, tests and benchmarks.

- :func:`make_region`: a seeded, vectorised generator of companies clustered in real industrial
  areas, with per-sector supply and demand profiles whose sources are cited in
  :mod:`symbioflows.datasets._profiles`.
- :func:`load_sample_region`: the shipped sample (port of Rotterdam region, 180 companies).
"""

from __future__ import annotations

from symbioflows.datasets.generator import make_region, material_classes
from symbioflows.datasets.sample import load_sample_region

__all__ = ["make_region", "load_sample_region", "material_classes"]
