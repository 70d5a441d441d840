"""Link splits without leakage, and negative sampling.

Examples
--------
>>> import numpy as np
>>> edges = np.array([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]])
>>> sp = link_split(edges, val_fraction=0.2, test_fraction=0.2, rng=0)
>>> sp.train.shape[1], sp.val.shape[1], sp.test.shape[1]
(6, 2, 2)
>>> edge_set(sp.message_passing) & (edge_set(sp.val) | edge_set(sp.test))
set()
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from symbioflows._config import check_rng
from symbioflows.errors import InvalidInputError

__all__ = ["LinkSplit", "edge_set", "link_split", "sample_negatives"]


def edge_set(edges: np.ndarray) -> set[tuple[int, int]]:
    """Set of ``(source, target)`` tuples of a (2, E) edge array."""
    e = np.asarray(edges).reshape(2, -1)
    return set(zip(e[0].tolist(), e[1].tolist()))


@dataclass(frozen=True)
class LinkSplit:
    """Disjoint (2, E) edge arrays. Only ``train`` edges may enter message passing."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray

    @property
    def message_passing(self) -> np.ndarray:
        """The edges message passing may use when scoring ``val`` and ``test``: ``train`` only."""
        return self.train


def link_split(
    edges: Any,
    *,
    val_fraction: float = 0.1,
    test_fraction: float = 0.0,
    groups: Any = None,
    rng: Any = None,
) -> LinkSplit:
    """Split unique directed edges into train / validation / test.

    Parameters
    ----------
    edges : array (2, E)
        Source and target indices; duplicates are merged first, so the same edge can never
        be in two parts.
    val_fraction, test_fraction : float
        Shares of edges (or of groups, when ``groups`` is given) held out.
    groups : array (E,), optional
        Group label per edge (e.g. the park); whole groups are held out together.
    rng : seed or Generator
    """
    e = np.asarray(edges, dtype=np.int64).reshape(2, -1)
    for name, f in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if not (0.0 <= f < 1.0):
            raise InvalidInputError(f"{name} must be in [0, 1); got {f}")
    if val_fraction + test_fraction >= 1.0:
        raise InvalidInputError("val_fraction + test_fraction must be < 1")
    gen = check_rng(rng)
    if groups is None:
        e, first = np.unique(e, axis=1, return_index=True)
        n = e.shape[1]
        perm = gen.permutation(n)
        n_test = int(round(test_fraction * n))
        n_val = int(round(val_fraction * n))
        test_idx, val_idx, train_idx = (
            perm[:n_test],
            perm[n_test : n_test + n_val],
            perm[n_test + n_val :],
        )
    else:
        g = np.asarray(groups)
        if g.shape[0] != e.shape[1]:
            raise InvalidInputError(f"groups has {g.shape[0]} labels for {e.shape[1]} edges")
        labels = np.unique(g)
        perm = labels[gen.permutation(labels.size)]
        n_test = int(round(test_fraction * labels.size))
        n_val = int(round(val_fraction * labels.size))
        tg, vg = set(perm[:n_test].tolist()), set(perm[n_test : n_test + n_val].tolist())
        gl = g.tolist()
        test_idx = np.array([i for i, x in enumerate(gl) if x in tg], dtype=np.int64)
        val_idx = np.array([i for i, x in enumerate(gl) if x in vg], dtype=np.int64)
        train_idx = np.array([i for i, x in enumerate(gl) if x not in tg and x not in vg], dtype=np.int64)
    parts = [np.unique(e[:, np.sort(ix)], axis=1) for ix in (train_idx, val_idx, test_idx)]
    train, val, test = parts
    # an edge duplicated across groups goes to the held-out side only
    held = edge_set(val) | edge_set(test)
    keep = np.array([(a, b) not in held for a, b in zip(train[0], train[1])], dtype=bool)
    train = train[:, keep] if train.size else train
    test_set = edge_set(test)
    keep = np.array([(a, b) not in test_set for a, b in zip(val[0], val[1])], dtype=bool)
    val = val[:, keep] if val.size else val
    return LinkSplit(train=train.reshape(2, -1), val=val.reshape(2, -1), test=test.reshape(2, -1))


def sample_negatives(
    positives: np.ndarray,
    candidates: np.ndarray,
    *,
    n_per_positive: int = 1,
    known: set[tuple[int, int]] | None = None,
    rng: Any = None,
    max_tries: int = 20,
) -> np.ndarray:
    """Corrupt the target of each positive edge with a random candidate target.

    Negatives avoid ``known`` edges (and the positives themselves) when possible; returns a
    (2, n_per_positive * E) array.
    """
    gen = check_rng(rng)
    pos = np.asarray(positives, dtype=np.int64).reshape(2, -1)
    cand = np.asarray(candidates, dtype=np.int64)
    if pos.shape[1] == 0 or cand.size == 0:
        return np.zeros((2, 0), dtype=np.int64)
    avoid = edge_set(pos) | (known or set())
    src = np.repeat(pos[0], n_per_positive)
    dst = cand[gen.integers(0, cand.size, src.size)]
    for _ in range(max_tries):
        bad = np.array([(a, b) in avoid for a, b in zip(src.tolist(), dst.tolist())], dtype=bool)
        if not bad.any():
            break
        dst[bad] = cand[gen.integers(0, cand.size, int(bad.sum()))]
    return np.vstack([src, dst])
