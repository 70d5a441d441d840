"""Learning from accepted / rejected matches, with a local versioned model registry.

``FeedbackScorer`` ranks (supply, demand) stream pairs with a logistic model on
:class:`~symbioflows.learn.features.PairFeaturizer` features; ``update(feedback)`` takes
accepted/rejected matches and improves the ranking incrementally (AdaGrad SGD
``partial_fit``, deterministic for a seed). ``ModelRegistry`` keeps every version in a folder
(safe artefacts: npz arrays + JSON, sha256-checked) with metadata, an active pointer and
rollback. MLflow is used only when installed and asked for (``mlflow=True``).
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from symbioflows._optional import has_module, import_optional
from symbioflows._persist import decoding, load_artifact, save_artifact
from symbioflows.errors import InvalidInputError, NotFittedError, UnsafeFileError
from symbioflows.learn._tables import as_frame, as_pairs, as_tables
from symbioflows.learn.features import PairFeaturizer
from symbioflows.learn.logistic import SGDLogistic
from symbioflows.learn.split import edge_set, sample_negatives

__all__ = ["FeedbackScorer", "ModelRegistry"]

logger = logging.getLogger(__name__)

SCORER_KIND = "symbioflows.FeedbackScorer"
SCORER_VERSION = 1
_ACCEPT = {"accepted": 1, "accept": 1, "yes": 1, "true": 1, "1": 1, "active": 1,
           "rejected": 0, "reject": 0, "no": 0, "false": 0, "0": 0}


def _labels(fb: pd.DataFrame) -> np.ndarray:
    col = "accepted" if "accepted" in fb.columns else ("outcome" if "outcome" in fb.columns else None)
    if col is None:
        raise InvalidInputError(
            f"feedback needs an 'accepted' (bool) or 'outcome' ('accepted'/'rejected') column; got {list(fb.columns)}"
        )
    out = np.empty(len(fb), dtype=np.float64)
    for i, v in enumerate(fb[col].tolist()):
        key = str(v).strip().lower()
        if isinstance(v, (bool, np.bool_)):
            out[i] = float(v)
        elif key in _ACCEPT:
            out[i] = float(_ACCEPT[key])
        else:
            raise InvalidInputError(f"feedback row {i}: {col}={v!r} is not accepted/rejected")
    return out


class FeedbackScorer:
    """Pair scorer that improves from accepted / rejected matches.

    Parameters
    ----------
    text_encoder : "hashing", "auto", "sentence" or callable, default "hashing"
    n_buckets : int, default 64
    neg_ratio : int, default 3
        Random negatives per known exchange for the initial :meth:`fit`.
    lr, alpha, epochs : see :class:`~symbioflows.learn.logistic.SGDLogistic`
    feedback_weight : float, default 2.0
        Weight of an explicit user decision relative to a (possibly wrong) sampled negative.
    rng : seed

    Attributes
    ----------
    featurizer_ : PairFeaturizer
    model_ : SGDLogistic
    n_updates_ : int
        Feedback rows learned from so far.

    Examples
    --------
    >>> import pandas as pd
    >>> streams = pd.DataFrame({"stream_id": ["s", "d1", "d2"], "company_id": ["a", "b", "c"],
    ...     "direction": ["supply", "demand", "demand"], "material": ["slag", "cement", "paper"]})
    >>> sc = FeedbackScorer().fit({"streams": streams})
    >>> fb = pd.DataFrame({"supplier_stream_id": ["s"] * 2, "receiver_stream_id": ["d1", "d2"],
    ...                    "accepted": [True, False]})
    >>> for _ in range(5):
    ...     _ = sc.update(fb)
    >>> sc.rank("s", ["d1", "d2"])["receiver_stream_id"].tolist()
    ['d1', 'd2']
    """

    def __init__(
        self,
        *,
        text_encoder: Any = "hashing",
        n_buckets: int = 64,
        neg_ratio: int = 3,
        lr: float = 0.1,
        alpha: float = 1e-4,
        epochs: int = 5,
        feedback_weight: float = 2.0,
        rng: Any = 0,
    ) -> None:
        self.text_encoder = text_encoder
        self.n_buckets = n_buckets
        self.neg_ratio = neg_ratio
        self.lr = lr
        self.alpha = alpha
        self.epochs = epochs
        self.feedback_weight = feedback_weight
        self.rng = rng

    def _params(self) -> dict[str, Any]:
        return {"n_buckets": self.n_buckets, "neg_ratio": self.neg_ratio, "lr": self.lr,
                "alpha": self.alpha, "epochs": self.epochs, "feedback_weight": self.feedback_weight}

    def fit(self, dataset: Any, exchanges: Any = None) -> FeedbackScorer:
        """Index the dataset's streams; learn a prior from its known exchanges (if any)."""
        tables = as_tables(dataset, exchanges)
        self.featurizer_ = PairFeaturizer(text_encoder=self.text_encoder, n_buckets=self.n_buckets).fit(tables)
        self.model_ = SGDLogistic(lr=self.lr, alpha=self.alpha, epochs=self.epochs, rng=self.rng)
        self.model_._init(self.featurizer_.n_features)
        self.n_updates_ = 0
        ex = tables.exchanges
        if len(ex):
            f = self.featurizer_
            pos = np.vstack([f.index(ex["supplier_stream_id"].tolist()), f.index(ex["receiver_stream_id"].tolist())])
            cand = np.flatnonzero(~f.is_supply_)
            neg = sample_negatives(pos, cand, n_per_positive=self.neg_ratio, known=edge_set(pos), rng=self.model_._gen)
            x = np.vstack([f.transform_index(pos[0], pos[1]), f.transform_index(neg[0], neg[1])])
            y = np.r_[np.ones(pos.shape[1]), np.zeros(neg.shape[1])]
            self.model_.partial_fit(x, y)
        return self

    def _check(self) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError("FeedbackScorer is not fitted; call fit(dataset) first")

    def update(self, feedback: Any) -> FeedbackScorer:
        """Learn from a batch of decisions.

        Parameters
        ----------
        feedback : table
            ``supplier_stream_id``, ``receiver_stream_id`` and ``accepted`` (bool) or
            ``outcome`` ('accepted' / 'rejected').
        """
        self._check()
        fb = as_frame(feedback, "feedback")
        if fb.empty:
            return self
        s, r = as_pairs(fb)
        y = _labels(fb)
        f = self.featurizer_
        x = f.transform_index(f.index(s.tolist()), f.index(r.tolist()))
        self.model_.partial_fit(x, y, sample_weight=np.full(y.size, self.feedback_weight))
        self.n_updates_ += int(y.size)
        return self

    def score(self, pairs: Any) -> np.ndarray:
        """Probability that each pair is accepted."""
        self._check()
        s, r = as_pairs(pairs)
        f = self.featurizer_
        return self.model_.predict_proba(f.transform_index(f.index(s.tolist()), f.index(r.tolist())))

    def rank(self, supplier_stream_id: str, candidates: Any) -> pd.DataFrame:
        """Candidates ordered by score (desc), ties by id (asc)."""
        cand = [str(c) for c in candidates]
        sc = self.score([(supplier_stream_id, c) for c in cand]) if cand else np.array([])
        df = pd.DataFrame({"receiver_stream_id": cand, "score": sc})
        df = df.sort_values(["score", "receiver_stream_id"], ascending=[False, True], kind="mergesort")
        return df.reset_index(drop=True).assign(rank=lambda d: np.arange(1, len(d) + 1))

    # persistence ------------------------------------------------------------
    def _payloads(self) -> tuple[dict[str, Any], dict[str, bytes]]:
        self._check()
        buf = io.BytesIO()
        arrs = self.model_.get_arrays()
        np.savez(buf, coef=arrs[0], intercept=arrs[1], g2=arrs[2])
        f = self.featurizer_
        tables = f.tables_
        tbuf = io.BytesIO()
        # the featurizer is rebuilt from the stream/company tables (Parquet, explicit columns)
        import pyarrow as pa
        import pyarrow.parquet as pq

        st = tables.streams.astype(object).where(tables.streams.notna(), None)
        pq.write_table(pa.Table.from_pandas(st.astype(str).where(st.notna(), None), preserve_index=False), tbuf)
        cbuf = io.BytesIO()
        co = tables.companies.astype(object).where(tables.companies.notna(), None)
        pq.write_table(pa.Table.from_pandas(co.astype(str).where(co.notna(), None), preserve_index=False), cbuf)
        meta = {"params": self._params(), "text_encoder": f.encoder_name_, "n_updates": self.n_updates_,
                "n_features": f.n_features}
        payloads = {"model.npz": buf.getvalue(), "streams.parquet": tbuf.getvalue(),
                    "companies.parquet": cbuf.getvalue(), "config.json": json.dumps(meta, sort_keys=True).encode()}
        return meta, payloads

    def save(self, path: Any) -> None:
        meta, payloads = self._payloads()
        save_artifact(path, kind=SCORER_KIND, version=SCORER_VERSION, meta=meta, payloads=payloads)

    @classmethod
    def load(cls, path: Any, *, text_encoder: Any = None) -> FeedbackScorer:
        """Load a saved scorer. The text encoder must be the one it was saved with
        (``hashing-*`` is rebuilt automatically; pass others explicitly)."""
        _, payloads = load_artifact(path, kind=SCORER_KIND, max_version=SCORER_VERSION)
        with decoding(path, "FeedbackScorer artefact"):
            import pyarrow.parquet as pq

            try:
                meta = json.loads(payloads["config.json"].decode())
                with np.load(io.BytesIO(payloads["model.npz"]), allow_pickle=False) as z:
                    arrays = [z["coef"], z["intercept"], z["g2"]]
                streams = pq.read_table(io.BytesIO(payloads["streams.parquet"])).to_pandas()
                companies = pq.read_table(io.BytesIO(payloads["companies.parquet"])).to_pandas()
            except (KeyError, ValueError, OSError) as exc:
                raise UnsafeFileError(f"{path}: malformed FeedbackScorer artefact ({exc})") from exc
            enc_name = meta["text_encoder"]
            if not isinstance(enc_name, str) or not enc_name:
                raise UnsafeFileError(f"{path}: text_encoder {enc_name!r} is not an encoder name")
        if text_encoder is None:  # the caller's part: outside the malformed-file guard
            if not enc_name.startswith("hashing-"):
                raise InvalidInputError(f"{path} was saved with text encoder {enc_name!r}; pass text_encoder=")
            text_encoder = "hashing"
        with decoding(path, "FeedbackScorer artefact"):
            params = dict(meta["params"])
            sc = cls(text_encoder=text_encoder, **params)
            for col in ("lat", "lon", "quantity_t_per_yr", "quality"):
                for df in (streams, companies):
                    if col in df.columns:
                        df[col] = pd.to_numeric(df[col], errors="coerce")
            emb_dim = int(enc_name.split("-")[1]) if enc_name.startswith("hashing-") else 128
            sc.featurizer_ = PairFeaturizer(text_encoder=text_encoder, n_buckets=sc.n_buckets, embed_dim=emb_dim).fit(
                {"streams": streams, "companies": companies}
            )
            if sc.featurizer_.n_features != int(meta["n_features"]):
                raise UnsafeFileError(f"{path}: feature count {meta['n_features']} does not match")
            sc.model_ = SGDLogistic(lr=sc.lr, alpha=sc.alpha, epochs=sc.epochs, rng=sc.rng).set_arrays(arrays)
            sc.n_updates_ = int(meta.get("n_updates", 0))
            return sc


class ModelRegistry:
    """Versioned local registry of scorers: ``root/<name>/v<k>/`` artefacts + ``registry.json``.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> streams = pd.DataFrame({"stream_id": ["s", "d"], "company_id": ["a", "b"],
    ...     "direction": ["supply", "demand"], "material": ["slag", "cement"]})
    >>> reg = ModelRegistry(tempfile.mkdtemp())
    >>> v1 = reg.register(FeedbackScorer().fit({"streams": streams}), metrics={"hits@10": 0.3})
    >>> v2 = reg.register(reg.load(), note="after feedback")
    >>> reg.rollback(v1); reg.active_version()
    1
    """

    def __init__(self, root: str | os.PathLike[str], *, mlflow: bool = False) -> None:
        self.root = Path(root)
        self.mlflow = mlflow
        if mlflow and not has_module("mlflow"):
            logger.warning("mlflow=True but MLflow is not installed; using the local registry only")
            self.mlflow = False

    def _index_path(self, name: str) -> Path:
        return self.root / name / "registry.json"

    def _read(self, name: str) -> dict[str, Any]:
        p = self._index_path(name)
        if not p.exists():
            return {"name": name, "active": None, "versions": []}
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise UnsafeFileError(f"{p}: unreadable registry index ({exc})") from exc
        if not isinstance(data, dict) or "versions" not in data:
            raise UnsafeFileError(f"{p}: not a registry index")
        return data

    def _write(self, name: str, data: dict[str, Any]) -> None:
        p = self._index_path(name)
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".registry.", dir=p.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)

    def register(self, scorer: FeedbackScorer, *, name: str = "feedback", metrics: dict[str, float] | None = None,
                 note: str = "", activate: bool = True) -> int:
        """Save ``scorer`` as the next version of ``name``; returns the version number."""
        if not name or not all(c.isalnum() or c in "-_" for c in name):
            raise InvalidInputError(f"registry name must be letters, digits, '-' or '_'; got {name!r}")
        data = self._read(name)
        version = 1 + max((v["version"] for v in data["versions"]), default=0)
        scorer.save(self.root / name / f"v{version}")
        entry = {
            "version": version,
            "created_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "metrics": {k: float(v) for k, v in (metrics or {}).items()},
            "note": note,
            "n_updates": int(getattr(scorer, "n_updates_", 0)),
        }
        data["versions"].append(entry)
        if activate:
            data["active"] = version
        self._write(name, data)
        if self.mlflow:  # pragma: no cover - MLflow is not a test dependency
            mlflow = import_optional("mlflow", "learn")
            with mlflow.start_run(run_name=f"{name}-v{version}"):
                mlflow.log_metrics(entry["metrics"])
                mlflow.log_artifacts(str(self.root / name / f"v{version}"))
        return version

    def versions(self, name: str = "feedback") -> pd.DataFrame:
        """Table of versions with their metadata and which one is active."""
        data = self._read(name)
        rows = [{**v, "active": v["version"] == data["active"]} for v in data["versions"]]
        return pd.DataFrame(rows, columns=["version", "created_utc", "metrics", "note", "n_updates", "active"])

    def active_version(self, name: str = "feedback") -> int | None:
        return self._read(name)["active"]

    def load(self, name: str = "feedback", version: int | None = None, **kwargs: Any) -> FeedbackScorer:
        """Load ``version`` (default: the active one)."""
        data = self._read(name)
        v = data["active"] if version is None else version
        if v is None or v not in {e["version"] for e in data["versions"]}:
            raise InvalidInputError(f"registry {name!r} has no version {v!r}; versions: {[e['version'] for e in data['versions']]}")
        return FeedbackScorer.load(self.root / name / f"v{v}", **kwargs)

    def rollback(self, version: int, name: str = "feedback") -> None:
        """Make an earlier ``version`` the active one (later versions are kept)."""
        data = self._read(name)
        if version not in {e["version"] for e in data["versions"]}:
            raise InvalidInputError(f"registry {name!r} has no version {version}")
        data["active"] = int(version)
        self._write(name, data)
