from __future__ import annotations

import pytest

from symbioflows.learn._synthetic import make_synthetic_network


@pytest.fixture(scope="session")
def net():
    return make_synthetic_network(n_parks=4, companies_per_park=8, rng=0)


@pytest.fixture(scope="session")
def small_kw():
    """A tiny, fast configuration of the LinkPredictor for tests."""
    return dict(hidden_dim=16, n_layers=2, max_epochs=12, patience=5, text_encoder="hashing",
                embed_dim=32, device="cpu", n_jobs=1, rng=7)
