"""Multi-hop symbiosis: circular chains and cascades over the company graph."""

from __future__ import annotations

from symbioflows.chains.csr import build_csr

__all__ = ["build_csr"]
