"""Matching: candidate generation, scoring, optimal allocation and evaluation on real exchanges."""

from __future__ import annotations

from symbioflows.matching.allocation import Allocation, allocate, allocate_greedy

__all__ = ["Allocation", "allocate", "allocate_greedy"]
