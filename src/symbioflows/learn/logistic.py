"""A small numpy logistic regression trained by (proximal) SGD with AdaGrad steps.

Used where the learning must be incremental and its state must travel or be versioned as
plain arrays: the feedback scorer (``partial_fit`` on accepted/rejected matches) and the
federated clients (FedAvg / FedProx exchange only ``coef``/``intercept``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symbioflows._config import check_rng
from symbioflows._validation import as_float_array
from symbioflows.errors import InvalidInputError, NotFittedError

__all__ = ["SGDLogistic"]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.where(z >= 0, 1.0 / (1.0 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1.0 + np.exp(-np.abs(z))))


class SGDLogistic:
    """Binary logistic regression, L2-penalised, AdaGrad SGD, seeded.

    Parameters
    ----------
    lr : float, default 0.1
        AdaGrad base step.
    alpha : float, default 1e-4
        L2 penalty.
    epochs : int, default 5
        Passes over each batch given to :meth:`partial_fit`.
    batch_size : int, default 32
    rng : seed

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 0, 1, 1])
    >>> m = SGDLogistic(epochs=200, rng=0).partial_fit(X, y)
    >>> (m.predict_proba(X) > 0.5).astype(int).tolist()
    [0, 0, 1, 1]
    """

    def __init__(self, *, lr: float = 0.1, alpha: float = 1e-4, epochs: int = 5, batch_size: int = 32, rng: Any = 0) -> None:
        self.lr = lr
        self.alpha = alpha
        self.epochs = epochs
        self.batch_size = batch_size
        self.rng = rng

    def _init(self, n_features: int) -> None:
        self.coef_ = np.zeros(n_features)
        self.intercept_ = 0.0
        self.g2_ = np.full(n_features + 1, 1e-8)
        self.n_seen_ = 0
        self._gen = check_rng(self.rng)

    def partial_fit(
        self, X: Any, y: Any, *, sample_weight: Any = None, prox_center: tuple[np.ndarray, float] | None = None, mu: float = 0.0
    ) -> SGDLogistic:
        """Update on one batch. ``prox_center``/``mu`` add FedProx's ``mu/2 ||w - w0||^2``."""
        x = as_float_array(X, "X", ndim=2)
        t = np.asarray(y, dtype=np.float64).reshape(-1)
        if t.shape[0] != x.shape[0]:
            raise InvalidInputError(f"X has {x.shape[0]} rows but y has {t.shape[0]}")
        if t.size and not np.isin(t, (0.0, 1.0)).all():
            raise InvalidInputError("y must be 0/1 (rejected/accepted)")
        w_s = np.ones(t.size) if sample_weight is None else as_float_array(sample_weight, "sample_weight")
        if not hasattr(self, "coef_"):
            self._init(x.shape[1])
        elif x.shape[1] != self.coef_.size:
            raise InvalidInputError(f"X has {x.shape[1]} features; the model has {self.coef_.size}")
        if not hasattr(self, "_gen"):
            self._gen = check_rng(self.rng)
        n = t.size
        for _ in range(int(self.epochs)):
            order = self._gen.permutation(n)
            for a in range(0, n, self.batch_size):
                idx = order[a : a + self.batch_size]
                xb, yb, wb = x[idx], t[idx], w_s[idx]
                err = (_sigmoid(xb @ self.coef_ + self.intercept_) - yb) * wb
                gw = xb.T @ err / idx.size + self.alpha * self.coef_
                gb = float(err.mean())
                if prox_center is not None and mu > 0:
                    gw = gw + mu * (self.coef_ - prox_center[0])
                    gb = gb + mu * (self.intercept_ - prox_center[1])
                self.g2_[:-1] += gw * gw
                self.g2_[-1] += gb * gb
                self.coef_ = self.coef_ - self.lr * gw / np.sqrt(self.g2_[:-1])
                self.intercept_ = self.intercept_ - self.lr * gb / np.sqrt(self.g2_[-1])
        self.n_seen_ += n
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        if not hasattr(self, "coef_"):
            raise NotFittedError("SGDLogistic is not fitted; call partial_fit first")
        x = as_float_array(X, "X", ndim=2)
        return x @ self.coef_ + self.intercept_

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of the positive class (accepted / exchange)."""
        return _sigmoid(self.decision_function(X))

    def get_arrays(self) -> list[np.ndarray]:
        """Model state as arrays ``[coef, intercept, adagrad accumulators]`` (what may travel)."""
        return [self.coef_.copy(), np.array([self.intercept_]), self.g2_.copy()]

    def set_arrays(self, arrays: list[np.ndarray]) -> SGDLogistic:
        coef, intercept = np.asarray(arrays[0], dtype=np.float64), np.asarray(arrays[1], dtype=np.float64)
        if coef.ndim != 1 or intercept.shape != (1,):
            raise InvalidInputError(f"bad model arrays: coef {coef.shape}, intercept {intercept.shape}")
        if not hasattr(self, "coef_") or self.coef_.size != coef.size:
            self._init(coef.size)
        self.coef_ = coef.copy()
        self.intercept_ = float(intercept[0])
        if len(arrays) > 2:
            g2 = np.asarray(arrays[2], dtype=np.float64)
            if g2.shape != (coef.size + 1,):
                raise InvalidInputError(f"bad AdaGrad state shape {g2.shape}")
            self.g2_ = g2.copy()
        return self
