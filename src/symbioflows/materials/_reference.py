"""Pure-Python / numpy references of the native materials kernels (used by the tests only)."""

from __future__ import annotations

import math

import numpy as np

_MASK = (1 << 64) - 1


def _mix64(x: int) -> int:
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _MASK
    x ^= x >> 31
    return x


def _fnv1a(data: bytes, seed: int) -> int:
    h = 1469598103934665603 ^ ((seed * 0x9E3779B97F4A7C15) & _MASK)
    for b in data:
        h ^= b
        h = (h * 1099511628211) & _MASK
    return _mix64(h)


def hash_embed(texts, dim, ngram_min, ngram_max, word_weight):
    """Reference of ``_core.hash_embed`` (float64 accumulation)."""
    out = np.zeros((len(texts), dim))
    for t, s in enumerate(texts):
        raw = s.encode("utf-8")
        if not raw:
            continue
        padded = b" " + raw + b" "
        row = out[t]
        for g in range(ngram_min, ngram_max + 1):
            for i in range(len(padded) - g + 1):
                h = _fnv1a(padded[i : i + g], g)
                row[h % dim] += -1.0 if h >> 63 else 1.0
        if word_weight:
            for w in raw.split(b" "):
                if w:
                    h = _fnv1a(w, 1000)
                    row[h % dim] += -word_weight if h >> 63 else word_weight
        n = math.sqrt(float(row @ row))
        if n > 0:
            row /= n
    return out.astype(np.float32)


def compat_topk(
    supply,
    demand,
    supply_class,
    demand_class,
    substitution,
    supply_hazardous,
    demand_flags,
    k,
    w_similarity,
    w_substitution,
    unknown_substitution,
    min_substitution,
):
    """Reference of ``_core.compat_topk``: dense scores, filters, then a stable sort.

    Returns (index, score) with -1 / -inf where fewer than ``min(k, n_demand)`` pass.
    """
    q = np.asarray(supply, dtype=np.float64)
    x = np.asarray(demand, dtype=np.float64)
    nq, nx = q.shape[0], x.shape[0]
    kk = min(k, nx)
    qn = np.linalg.norm(q, axis=1, keepdims=True) if nq else np.zeros((0, 1))
    xn = np.linalg.norm(x, axis=1, keepdims=True) if nx else np.zeros((0, 1))
    qs = np.divide(q, qn, out=np.zeros_like(q), where=qn > 0)
    xs = np.divide(x, xn, out=np.zeros_like(x), where=xn > 0)
    cos = np.clip(qs @ xs.T, -1.0, 1.0)
    cq = np.full(nq, -1) if supply_class is None else np.asarray(supply_class)
    cx = np.full(nx, -1) if demand_class is None else np.asarray(demand_class)
    S = np.asarray(substitution, dtype=np.float64)
    idx = np.full((nq, kk), -1, dtype=np.int64)
    sc = np.full((nq, kk), -np.inf, dtype=np.float32)
    for i in range(nq):
        rows = []
        for j in range(nx):
            known = cq[i] >= 0 and cx[j] >= 0
            kn = S[cq[i], cx[j]] if known else unknown_substitution
            if known and kn < min_substitution:
                continue
            if demand_flags is not None:
                f = int(demand_flags[j])
                if f & 1:
                    continue
                if supply_hazardous is not None and supply_hazardous[i] and not (f & 2):
                    continue
            rows.append((-(w_similarity * cos[i, j] + w_substitution * kn), j))
        rows.sort()
        for t, (negs, j) in enumerate(rows[:kk]):
            idx[i, t] = j
            sc[i, t] = -negs
    return idx, sc
