"""Stage 1 of the plan: the streams table that every later stage reads.

Input: companies and streams frames (the data model of :mod:`symbioflows.data.schema`).
Output: one row per stream with its company's site (``lat``, ``lon``, ``country``,
``sector``), the quantity in the unit of its medium (``qty`` in t, MWh or m3, ``unit``), the
material class (given, else from the EWC code, else inferred from the text: supplies get the
classifier's top classes, demands their needs; ``class_source``, ``class_confidence``,
``class_runners_up``, ``need``, ``low_confidence``), the material group (``group_key``: the
class, else the inferred top classes or needs with their probabilities, else the EWC code,
else the normalised material text), the medium and the medium's search radius
(``radius_km``).

The search radius of a medium is the planning default of :data:`DEFAULT_MAX_DISTANCE_KM`,
capped by the longest route a default transport mode allows
(:func:`symbioflows.logistics.max_reach_km`).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from symbioflows._validation import check_known_keys
from symbioflows.errors import InvalidInputError
from symbioflows.logistics import max_reach_km

__all__ = ["DEFAULT_MAX_DISTANCE_KM", "prepare_streams", "dataset_frames", "taxonomy"]

log = logging.getLogger(__name__)

#: Planning defaults for how far each medium is worth moving (km, great circle).  These are
#: policy choices of the search, not facts of the world; pass ``max_distance_km=`` to change
#: them.  Heat and steam networks rarely exceed a few km to a few tens of km; bulk goods move
#: by road over a few hundred.
DEFAULT_MAX_DISTANCE_KM: dict[str, float] = {
    "solid": 250.0, "liquid": 250.0, "gas": 50.0, "steam": 5.0, "heat": 15.0, "water": 30.0,
}


def dataset_frames(dataset: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    if hasattr(dataset, "companies") and hasattr(dataset, "streams"):
        comp, st = dataset.companies, dataset.streams
    elif isinstance(dataset, dict):
        comp, st = dataset["companies"], dataset["streams"]
    elif isinstance(dataset, (tuple, list)) and len(dataset) >= 2:
        comp, st = dataset[0], dataset[1]
    else:
        raise InvalidInputError(
            f"dataset must be a symbioflows Dataset, a dict or a (companies, streams) pair; got "
            f"{type(dataset).__name__}")

    def to_pd(t: Any) -> pd.DataFrame:
        if isinstance(t, pd.DataFrame):
            return t.reset_index(drop=True)
        if hasattr(t, "to_pandas"):
            return t.to_pandas()
        return pd.DataFrame(t)

    return to_pd(comp), to_pd(st)


def taxonomy() -> Any:
    """The material taxonomy, or None when it cannot be loaded."""
    try:
        from symbioflows import materials

        if hasattr(materials, "load_taxonomy"):
            return materials.load_taxonomy()
    except Exception:  # pragma: no cover - materials is optional at this layer
        log.debug("taxonomy unavailable", exc_info=True)
    return None


def _col(df: pd.DataFrame, name: str, default: Any) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series([default] * len(df), index=df.index)


def prepare_streams(companies: pd.DataFrame, streams: pd.DataFrame, *,
                    max_distance_km: dict[str, float] | None = None,
                    text_backend: str = "auto") -> pd.DataFrame:
    """One row per stream with everything the kernels need (site, quantity, group, medium).

    Streams without a class (given, or from the EWC code) get one from their ``material``
    text (:func:`symbioflows.materials.infer.infer_stream_classes`): supplies a material
    class, demands a need; ``class_source``, ``class_confidence``, ``class_runners_up``,
    ``need`` and ``low_confidence`` say how.  ``text_backend`` picks the encoder ("auto": the
    sentence model for up to 2,000 distinct texts, else the hashing encoder)."""
    for c in ("company_id", "lat", "lon"):
        if c not in companies.columns:
            raise InvalidInputError(f"companies: column {c!r} missing; got {list(companies.columns)}")
    for c in ("stream_id", "company_id", "direction"):
        if c not in streams.columns:
            raise InvalidInputError(f"streams: column {c!r} missing; got {list(streams.columns)}")
    comp = companies.drop_duplicates("company_id").set_index("company_id")
    missing = ~streams["company_id"].isin(comp.index)
    if missing.any():
        k = int(np.flatnonzero(missing.to_numpy())[0])
        raise InvalidInputError(
            f"streams row {k}: company_id {streams['company_id'].iloc[k]!r} is not in companies")
    s = pd.DataFrame({
        "stream_id": streams["stream_id"].astype(str).to_numpy(),
        "company_id": streams["company_id"].astype(str).to_numpy(),
        "direction": streams["direction"].astype(str).str.lower().to_numpy(),
        "material": _col(streams, "material", "").fillna("").astype(str).to_numpy(),
    })
    bad = ~s["direction"].isin(["supply", "demand"])
    if bad.any():
        k = int(np.flatnonzero(bad.to_numpy())[0])
        raise InvalidInputError(
            f"streams row {k}: direction {s['direction'].iloc[k]!r}; use 'supply' or 'demand'")
    s["lat"] = comp.loc[s["company_id"], "lat"].to_numpy(dtype=float)
    s["lon"] = comp.loc[s["company_id"], "lon"].to_numpy(dtype=float)
    s["country"] = comp.loc[s["company_id"]]["country"].fillna("").astype(str).to_numpy() \
        if "country" in comp.columns else ""
    s["sector"] = comp.loc[s["company_id"]]["sector"].fillna("").astype(str).to_numpy() \
        if "sector" in comp.columns else ""
    t = _col(streams, "quantity_t_per_yr", np.nan).astype(float).to_numpy()
    mwh = _col(streams, "quantity_mwh_per_yr", np.nan).astype(float).to_numpy()
    m3 = _col(streams, "quantity_m3_per_yr", np.nan).astype(float).to_numpy()
    unit = np.where(~np.isnan(mwh) & np.isnan(t), "MWh", np.where(~np.isnan(t), "t",
                                                                  np.where(~np.isnan(m3), "m3", "t")))
    qty = np.where(unit == "MWh", mwh, np.where(unit == "t", t, m3))
    s["unit"] = unit
    s["qty"] = np.nan_to_num(qty, nan=0.0)
    s["ewc_code"] = _col(streams, "ewc_code", None).to_numpy()
    mc = _col(streams, "material_class", None)
    s["material_class"] = mc.where(mc.notna(), None).to_numpy()
    s["quality"] = _col(streams, "quality", np.nan).astype(float).to_numpy()
    s["price_usd_per_t"] = _col(streams, "price_usd_per_t", np.nan).astype(float).to_numpy()
    mask = _col(streams, "availability_mask", 4095).fillna(4095).astype(np.int64).to_numpy()
    s["availability_mask"] = mask
    # material group key: the taxonomy class (given, else the first class listing the EWC
    # code), else the EWC code, else the normalised material text
    tax = taxonomy()
    cls_col = pd.Series(s["material_class"], dtype=object)
    if tax is not None:
        known = cls_col.map(lambda c: c if isinstance(c, str) and c in tax else None)
        need = known.isna() & pd.Series(s["ewc_code"]).notna().to_numpy()
        if need.any():
            lookup: dict[str, str | None] = {}
            for code in pd.Series(s["ewc_code"])[need].astype(str).unique():
                try:
                    found = tax.classes_for_ewc(code)
                except Exception:
                    found = []
                lookup[code] = found[0].id if found else None
            known[need] = pd.Series(s["ewc_code"])[need].astype(str).map(lookup)
        cls_col = known
    ewc_cls = cls_col.where(cls_col.notna(), None).to_numpy()
    given = pd.Series(s["material_class"], dtype=object)
    given = given.where(given.map(lambda c: isinstance(c, str) and tax is not None and c in tax),
                        None) if tax is not None else given
    inferred = None
    if tax is not None:
        # free text: supplies into classes, demands into needs (given > EWC code > text)
        from symbioflows.materials.infer import infer_stream_classes

        inferred = infer_stream_classes(
            s["material"], s["direction"], given.to_numpy(),
            ewc_class=[None if g else e for g, e in zip(given.notna().to_numpy(), ewc_cls)],
            sector=s["sector"], backend=text_backend)
        s["material_class"] = inferred["material_class"].to_numpy()
        for c in ("class_source", "class_confidence", "class_runners_up", "need",
                  "low_confidence"):
            s[c] = inferred[c].to_numpy()
    else:
        s["material_class"] = ewc_cls
    ewc = pd.Series(s["ewc_code"]).fillna("").astype(str).str.replace(r"\D", "", regex=True)
    text = pd.Series(s["material"]).str.lower().str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()
    has_cls = pd.Series(s["material_class"]).notna().to_numpy()
    key = np.where(has_cls, "class:" + pd.Series(s["material_class"]).fillna("").astype(str),
                   np.where(ewc.str.len() == 6, "ewc:" + ewc, "text:" + text))
    if inferred is not None:
        own = inferred["group_key"].to_numpy()
        key = np.where(pd.notna(own), own, key)
    s["group_key"] = key
    medium = np.where(s["unit"] == "MWh", "heat",
                      np.where(s["unit"] == "m3", "water", "solid")).astype(object)
    if tax is not None:
        # once per distinct class, not per stream
        codes, classes = pd.factorize(pd.Series(s["material_class"], dtype=object))
        for u, cls in enumerate(classes):
            if isinstance(cls, str):
                m = str(tax[cls].medium)
                medium[codes == u] = {"bulk_solid": "solid"}.get(m, m)
    s["medium"] = medium
    radii = dict(DEFAULT_MAX_DISTANCE_KM)
    if max_distance_km:
        check_known_keys(max_distance_km, sorted(radii), "max_distance_km", "media")
        radii.update({k: float(v) for k, v in max_distance_km.items()})
    caps = {m: max_reach_km(m, r) for m, r in radii.items()}
    if max_distance_km:  # an explicit user radius is not capped
        caps.update({k: float(v) for k, v in max_distance_km.items()})
    s["radius_km"] = s["medium"].map(caps).fillna(caps["solid"]).to_numpy(dtype=float)
    return s
