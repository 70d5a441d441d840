"""Features of a (supply stream, demand stream) pair, for the logistic scorer, the feedback
scorer, the federated clients and the baselines.

Every feature is computed from the two streams and their companies only (no exchange
history), so a pair can be scored in a park that has no known exchanges.

Columns (in order):

``cosine``          cosine similarity of the two material-text embeddings
``same_division``   both companies share a NACE Rev. 2 division
``same_section``    both divisions start with the same digit (a coarse sector family)
``log_distance``    log1p(great-circle km) / 10 when both companies have coordinates
``has_distance``    1 when the distance is known
``log_qty_ratio``   |log(supply t/yr / demand t/yr)| / 10 when both are known
``has_qty``         1 when both quantities are known
``hazardous``       the supply's EWC code is a hazardous entry
then hashed one-hot blocks (signed hashing, Weinberger et al. 2009):
``class x receiver division``   supply EWC chapter (or material class) crossed with the
                                 receiver's NACE division
``word x receiver division``    each word of the supply text crossed with the receiver's
                                 division (averaged)
``division x division``         supplier division crossed with receiver division
``receiver division``           popularity of receiving sectors
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import numpy as np
import pandas as pd

from symbioflows.learn._embed import TextEncoder, make_text_encoder
from symbioflows.learn._tables import Tables, as_tables
from symbioflows.learn.graph import ewc_chapter, nace_division

__all__ = ["PairFeaturizer"]

_WORD = re.compile(r"[a-z]{3,}")
_STOP = frozenset({"and", "the", "from", "for", "with", "other", "waste", "wastes", "not"})
# Mean Earth radius (IUGG), km.
_EARTH_RADIUS_KM = 6371.0088


def _bucket(token: str, n: int) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little") % n


class PairFeaturizer:
    """Turn stream pairs into a dense float32 feature matrix.

    Parameters
    ----------
    text_encoder : "auto", "hashing", "sentence" or callable
    n_buckets : int, default 64
        Size of each hashed block.

    Examples
    --------
    >>> import pandas as pd
    >>> streams = pd.DataFrame({"stream_id": ["s", "d"], "company_id": ["a", "b"],
    ...     "direction": ["supply", "demand"], "material": ["fly ash", "cement"]})
    >>> f = PairFeaturizer(text_encoder="hashing").fit({"streams": streams})
    >>> f.transform(["s"], ["d"]).shape == (1, f.n_features)
    True
    """

    DENSE = (
        "cosine",
        "same_division",
        "same_section",
        "log_distance",
        "has_distance",
        "log_qty_ratio",
        "has_qty",
        "hazardous",
    )

    def __init__(self, *, text_encoder: Any = "auto", n_buckets: int = 64, embed_dim: int = 128) -> None:
        self.text_encoder = text_encoder
        self.n_buckets = n_buckets
        self.embed_dim = embed_dim

    @property
    def n_features(self) -> int:
        return len(self.DENSE) + 4 * self.n_buckets

    @property
    def feature_names(self) -> list[str]:
        names = list(self.DENSE)
        for block in ("class_x_div", "word_x_div", "div_x_div", "recv_div"):
            names += [f"{block}_{i}" for i in range(self.n_buckets)]
        return names

    def fit(self, dataset: Any, *, encoder: TextEncoder | None = None) -> PairFeaturizer:
        """Index the streams and companies of ``dataset`` (no labels are used)."""
        tables: Tables = dataset if isinstance(dataset, Tables) else as_tables(dataset)
        enc = encoder or make_text_encoder(self.text_encoder, dim=self.embed_dim)
        st = tables.streams.reset_index(drop=True)
        comp = tables.companies.drop_duplicates("company_id").set_index("company_id")
        self.stream_pos_ = {s: i for i, s in enumerate(st["stream_id"].tolist())}
        emb = enc(st["material"].fillna("").astype(str).tolist())
        norms = np.linalg.norm(emb, axis=1, keepdims=True)
        self.emb_ = np.divide(emb, norms, out=np.zeros_like(emb), where=norms > 0)
        sector = comp["sector"] if "sector" in comp.columns else pd.Series(dtype=object)
        self.div_ = np.array(
            [nace_division(sector.get(c)) if c in sector.index else -1 for c in st["company_id"]],
            dtype=np.int64,
        )
        lat = pd.to_numeric(comp["lat"], errors="coerce") if "lat" in comp.columns else None
        lon = pd.to_numeric(comp["lon"], errors="coerce") if "lon" in comp.columns else None
        if lat is not None and lon is not None:
            self.lat_ = np.array([lat.get(c, np.nan) for c in st["company_id"]], dtype=np.float64)
            self.lon_ = np.array([lon.get(c, np.nan) for c in st["company_id"]], dtype=np.float64)
        else:
            self.lat_ = np.full(len(st), np.nan)
            self.lon_ = np.full(len(st), np.nan)
        q = pd.to_numeric(st["quantity_t_per_yr"], errors="coerce") if "quantity_t_per_yr" in st.columns else None
        self.qty_ = q.to_numpy(dtype=np.float64) if q is not None else np.full(len(st), np.nan)
        ewc = st["ewc_code"] if "ewc_code" in st.columns else pd.Series([None] * len(st))
        mcls = st["material_class"] if "material_class" in st.columns else pd.Series([None] * len(st))
        self.hazardous_ = np.array(["*" in str(v) for v in ewc.tolist()], dtype=np.float32)
        cls = []
        for mc, code in zip(mcls.tolist(), ewc.tolist()):
            if mc is not None and not (isinstance(mc, float) and np.isnan(mc)) and str(mc).strip():
                cls.append(f"class:{str(mc).strip().lower()}")
            else:
                ch = ewc_chapter(code)
                cls.append(f"ewc:{ch:02d}" if ch else "ewc:none")
        self.class_ = np.array(cls, dtype=object)
        self.words_ = [
            sorted({w for w in _WORD.findall(str(t).lower()) if w not in _STOP})
            for t in st["material"].fillna("").tolist()
        ]
        self.company_ = st["company_id"].to_numpy(dtype=object)
        self.encoder_name_ = enc.name
        self.tables_ = tables
        self.encoder_ = enc
        self.stream_ids_ = st["stream_id"].to_numpy(dtype=object)
        self.is_supply_ = (st["direction"] == "supply").to_numpy()
        return self

    def index(self, ids: Any) -> np.ndarray:
        from symbioflows.errors import UnknownNodeError

        out = np.empty(len(ids), dtype=np.int64)
        for k, sid in enumerate(ids):
            p = self.stream_pos_.get(str(sid))
            if p is None:
                raise UnknownNodeError(f"stream {sid!r} (position {k}) is not in the featurized dataset")
            out[k] = p
        return out

    def transform(self, supplier_ids: Any, receiver_ids: Any) -> np.ndarray:
        """Feature matrix (n_pairs, n_features) for stream-id pairs."""
        return self.transform_index(self.index(supplier_ids), self.index(receiver_ids))

    def transform_index(self, s: np.ndarray, r: np.ndarray) -> np.ndarray:
        """Feature matrix for stream positions (as given by :meth:`index`)."""
        n, b = s.size, self.n_buckets
        x = np.zeros((n, self.n_features), dtype=np.float32)
        if n == 0:
            return x
        x[:, 0] = np.einsum("ij,ij->i", self.emb_[s], self.emb_[r])
        ds, dr = self.div_[s], self.div_[r]
        known = (ds > 0) & (dr > 0)
        x[:, 1] = known & (ds == dr)
        x[:, 2] = known & (ds // 10 == dr // 10)
        la1, lo1, la2, lo2 = (np.radians(v) for v in (self.lat_[s], self.lon_[s], self.lat_[r], self.lon_[r]))
        has = np.isfinite(la1) & np.isfinite(la2) & np.isfinite(lo1) & np.isfinite(lo2)
        if has.any():
            a = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
            d = 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(np.where(has, a, 0.0), 0.0, 1.0)))
            x[:, 3] = np.where(has, np.log1p(d) / 10.0, 0.0)
        x[:, 4] = has
        qs, qr = self.qty_[s], self.qty_[r]
        hq = np.isfinite(qs) & np.isfinite(qr) & (qs > 0) & (qr > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            x[:, 5] = np.where(hq, np.abs(np.log(np.where(hq, qs / qr, 1.0))) / 10.0, 0.0)
        x[:, 6] = hq
        x[:, 7] = self.hazardous_[s]
        o = len(self.DENSE)
        for i, (si, ri) in enumerate(zip(s.tolist(), r.tolist())):
            rd = int(self.div_[ri])
            x[i, o + _bucket(f"{self.class_[si]}|{rd}", b)] = 1.0
            words = self.words_[si]
            for w in words:
                x[i, o + b + _bucket(f"{w}|{rd}", b)] += 1.0 / len(words)
            x[i, o + 2 * b + _bucket(f"{int(self.div_[si])}|{rd}", b)] = 1.0
            x[i, o + 3 * b + _bucket(f"recv|{rd}", b)] = 1.0
        return x
