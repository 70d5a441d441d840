"""The one MAESTRI loader: documented exchanges as evaluation rows and as a graph dataset.

The MAESTRI "Exchanges Database" (EU Horizon 2020 project MAESTRI, grant 680570) documents
425 industrial-symbiosis exchanges from 43 cases.  It carries no licence, so symbioflows never
ships its rows: :func:`load_maestri` reads your copy (the project's tests and benchmarks read
``../shared/data/maestri_exchanges.csv``) and builds, from one reading and one keying of the
organisations, both views the evaluations need (:class:`MaestriData`):

- ``rows``: one evaluation row per exchange with a receiver sector, for receiver ranking
  (:func:`symbioflows.evaluate.evaluate_matchers`): the donor side as a
  :class:`~symbioflows.matching.learned.Query`, the receiver's NACE class, business and key;
- ``companies`` / ``streams`` / ``exchanges``: a symbiosis dataset for link prediction
  (:func:`symbioflows.evaluate.cross_validate_links`, the learners of :mod:`symbioflows.learn`).

Mapping of the dataset view:

- companies: every donor and receiver, keyed by (case, name); ``sector`` = its NACE class
  ("2410" -> "24.10"), ``business`` = its business description.  MAESTRI names 292 of its
  425 receivers and 235 donors "ND" (not disclosed): an undisclosed organisation is its own
  company, keyed by its row and role (``M<case>:nd-<row>-donor``), never merged with another
  by the name "ND" (merging them made one company of up to 23 organisations and turned 207
  of the 425 exchanges into self-loops, which leaked the answer through ``same_division``);
- supply streams: one per (donor, waste description, EWC code); ``material`` = the waste
  description, ``ewc_code`` = 'NN NN NN' (with '*' when MAESTRI flags it hazardous);
- demand streams: one per receiver company, described *only* by its business text (the
  evaluation protocol forbids the receiver's final use or the material on the candidate
  side, which would leak the answer);
- exchanges: supply stream -> receiver's demand stream, with ``case`` (the first component
  of ``exchange_id``), ``maestri_status`` and ``status`` ('active' for implemented,
  'proposed' for planned or under study).

The public case studies (:func:`load_case_studies`, ``benchmarks/data/case_studies_exchanges.csv``
in the repository, every row citing its source) use the same evaluation-row columns.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from symbioflows.data.ewc import ewc_digits, ewc_table
from symbioflows.data.nace import nace_digits, nace_titles
from symbioflows.errors import InvalidInputError
from symbioflows.matching.learned import Candidate, Query

__all__ = ["CASE_STUDIES_FILE", "UNDISCLOSED", "MaestriData", "find_case_studies",
           "find_data_dir", "load_case_studies", "load_maestri", "nace_pool"]

#: where the case-study fixture lives, relative to the repository root
CASE_STUDIES_FILE = Path("benchmarks") / "data" / "case_studies_exchanges.csv"
#: names that MAESTRI uses for an organisation it does not disclose
UNDISCLOSED = frozenset({"nd", "n.d.", "not disclosed", "na", "n/a", ""})

_REQUIRED = (
    "exchange_id",
    "donor_name",
    "donor_business",
    "donor_nace",
    "receiver_name",
    "receiver_business",
    "receiver_nace",
    "waste_description",
    "ewc_code",
    "ewc_hazardous",
    "status",
)
_STATUS = {"implemented": "active", "planned": "proposed", "under feasibility study": "proposed"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:40] or "x"


def _nace(value: Any) -> str | None:
    """'NN.NN' from whatever MAESTRI wrote (:func:`symbioflows.data.nace.nace_digits`; a bare
    division is not a class here)."""
    d = nace_digits(value, division_only=False)
    return None if d is None else f"{d[:2]}.{d[2:4]}"


def _ewc(code: Any, hazardous: Any) -> str | None:
    """'NN NN NN[*]' from MAESTRI's code and hazardous flag (:func:`symbioflows.data.ewc.ewc_digits`)."""
    digits = ewc_digits(code)
    if digits is None:
        return None
    star = "*" if str(hazardous).strip().lower() == "yes" else ""
    return f"{digits[:2]} {digits[2:4]} {digits[4:6]}{star}"


def find_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path | None:
    """Where ``maestri_exchanges.csv`` lives: the argument, ``$SYMBIOFLOWS_DATA_DIR``, or
    ``shared/data`` in an ancestor of the package or working directory (``None`` if absent)."""
    cands: list[Path] = []
    if data_dir is not None:  # an explicit folder is the only one looked at
        if (Path(data_dir) / "maestri_exchanges.csv").is_file():
            return Path(data_dir).resolve()
        raise InvalidInputError(
            f"{data_dir}: no maestri_exchanges.csv there; pass the directory holding the "
            "MAESTRI exchanges (shared/data)")
    if os.environ.get("SYMBIOFLOWS_DATA_DIR"):
        cands.append(Path(os.environ["SYMBIOFLOWS_DATA_DIR"]))
    # ``../shared/data`` next to the repository root (or any ancestor's ``shared/data``,
    # which covers git worktrees nested one level deeper).
    for base in (Path(__file__).resolve(), Path.cwd().resolve() / "x"):
        cands += [a / "shared" / "data" for a in base.parents]
    for c in cands:
        if (c / "maestri_exchanges.csv").is_file():
            return c.resolve()
    return None



def _nace_titles() -> dict[str, str]:
    """NACE Rev. 2 class titles by four digits, division titles as ``'NN00'`` (the shipped
    table of :mod:`symbioflows.data.nace`, the same list as the data folder's copy)."""
    t = nace_titles()
    titles: dict[str, str] = {}
    for code, title in t.items():
        if len(code) == 5:  # a class 'NN.NN'
            titles[code.replace(".", "")] = title
            titles.setdefault(code[:2] + "00", t[code[:2]])
    return titles



def nace_pool(df: pd.DataFrame) -> list[Candidate]:
    """Every receiver NACE class of the database, described by its NACE title only."""
    titles: dict[str, str] = df.attrs.get("nace_titles", {})
    return [Candidate(titles.get(c, titles.get(c[:2] + "00", "")), c)
            for c in sorted(set(df["receiver_nace"]))]



def _clean(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    s = str(v).strip()
    return "" if s.upper() in ("ND", "NA", "NAN") else s



def _evaluation_rows(raw: pd.DataFrame, cases: Sequence[str],
                     titles: dict[str, str]) -> list[dict[str, Any]]:
    """Evaluation rows (query, receiver key and text, donor key and text) of an exchanges table
    with the MAESTRI columns; rows without a receiver sector are dropped."""
    rows = []
    for (_, r), case in zip(raw.iterrows(), cases):
        rn = nace_digits(_clean(r["receiver_nace"]))
        if rn is None:
            continue
        status = _clean(r["status"]).lower()
        group = "implemented" if status == "implemented" else "planned"
        dn = nace_digits(_clean(r["donor_nace"]))
        q = Query(text=_clean(r["waste_description"]),
                  ewc=ewc_digits(_clean(r["ewc_code"]) or None), donor_nace=dn,
                  donor_business=_clean(r["donor_business"]))
        rb = _clean(r["receiver_business"])
        rows.append(dict(case=str(case), group=group, query=q, exchange_id=str(r["exchange_id"]), receiver_nace=rn,
                         receiver_business=rb, donor_business=_clean(r["donor_business"]),
                         receiver_key=f"{rb.lower()}|{rn}",
                         receiver_text=f"{rb}. {titles.get(rn, titles.get(rn[:2] + '00', ''))}",
                         donor_key=f"{_clean(r['donor_business']).lower()}|{dn}" if dn else None,
                         donor_text=f"{_clean(r['donor_business'])}. "
                                    f"{titles.get(dn or '', '')}" if dn else None,
                         donor_nace=dn))
    return rows



@dataclass(frozen=True)
class MaestriData:
    """MAESTRI as evaluation rows (``rows``) and as a dataset (``companies``, ``streams``,
    ``exchanges``; pandas).  ``exchanges`` has ``case`` and ``status``; ``rows`` carries the
    NACE titles in ``rows.attrs["nace_titles"]``."""

    companies: pd.DataFrame
    streams: pd.DataFrame
    exchanges: pd.DataFrame
    rows: pd.DataFrame

    @property
    def cases(self) -> np.ndarray:
        """The case of every exchange (the park: folds are grouped by it)."""
        return np.asarray(self.exchanges["case"].to_numpy())

    def __repr__(self) -> str:
        return (
            f"MaestriData(companies={len(self.companies)}, streams={len(self.streams)}, "
            f"exchanges={len(self.exchanges)}, cases={self.exchanges['case'].nunique()}, "
            f"rows={len(self.rows)})"
        )


def _resolve(path: str | os.PathLike[str] | None) -> Path:
    """The MAESTRI CSV of a file, a folder or None."""
    if path is not None and Path(path).is_file():
        return Path(path).resolve()
    d = find_data_dir(path)
    if d is None:
        raise InvalidInputError("MAESTRI data (maestri_exchanges.csv) not found; pass its path "
                                "(or its folder) or set SYMBIOFLOWS_DATA_DIR")
    return d / "maestri_exchanges.csv"


def load_maestri(path: str | os.PathLike[str] | None = None) -> MaestriData:
    """Read ``maestri_exchanges.csv`` once and build both views (:class:`MaestriData`).

    Parameters
    ----------
    path : path, optional
        The CSV file, or the folder holding it; by default :func:`find_data_dir`.  The titles
        that describe the receiver classes are the shipped NACE table's.

    Returns
    -------
    MaestriData
        ``rows``: evaluation rows (``case``, ``group`` implemented / planned, ``query``,
        ``receiver_nace`` 4 digits, ``receiver_key`` business|nace, ``receiver_text``, the donor
        key and text, ``exchange_id``); rows without a receiver sector are dropped there.
        ``companies`` / ``streams`` / ``exchanges``: the dataset of all 425 exchanges.

    Raises
    ------
    InvalidInputError
        The file is not found or lacks a required column.
    """
    csv = _resolve(path)
    raw = pd.read_csv(csv, dtype=str, keep_default_na=True)
    missing = [c for c in _REQUIRED if c not in raw.columns]
    if missing:
        raise InvalidInputError(f"{csv}: column(s) {missing} missing; is this the MAESTRI table?")
    titles = _nace_titles()
    cases_all = [str(e).split(",")[0].strip() for e in raw["exchange_id"]]
    rows = pd.DataFrame(_evaluation_rows(raw, cases_all, titles))
    rows.attrs["nace_titles"] = titles
    companies, streams, exchanges = _dataset(raw)
    return MaestriData(companies=companies, streams=streams, exchanges=exchanges, rows=rows)


def _dataset(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """companies, streams and exchanges of the MAESTRI rows (see the module docstring)."""
    raw = raw.dropna(subset=["donor_name", "receiver_name"]).reset_index(drop=True)
    case = raw["exchange_id"].astype(str).str.split(",").str[0].str.strip()
    companies: dict[str, dict[str, Any]] = {}

    def company(c: str, name: str, business: Any, nace: Any, row: int, role: str) -> str:
        if str(name).strip().lower() in UNDISCLOSED:
            cid = f"M{c}:nd-{row}-{role}"
        else:
            cid = f"M{c}:{_slug(name)}"
        if cid not in companies:
            companies[cid] = {
                "company_id": cid,
                "name": str(name),
                "business": "" if pd.isna(business) else str(business),
                "sector": _nace(nace),
                "case": c,
            }
        return cid

    streams: dict[tuple[str, str, str | None], str] = {}
    stream_rows: list[dict[str, Any]] = []

    def add_stream(sid: str, cid: str, direction: str, material: str, ewc: str | None) -> str:
        stream_rows.append({"stream_id": sid, "company_id": cid, "direction": direction,
                            "material": material, "ewc_code": ewc, "material_class": None})
        return sid

    demand: dict[str, str] = {}
    ex_rows = []
    cases = case.tolist()
    for i, (_, row) in enumerate(raw.iterrows()):
        c = str(cases[i])
        donor = company(c, row["donor_name"], row["donor_business"], row["donor_nace"], i, "donor")
        recv = company(c, row["receiver_name"], row["receiver_business"], row["receiver_nace"], i,
                       "receiver")
        desc = "" if pd.isna(row["waste_description"]) else str(row["waste_description"]).strip()
        ewc = _ewc(row["ewc_code"], row["ewc_hazardous"])
        key = (donor, desc.lower(), ewc)
        if key not in streams:
            sid = f"{donor}/s{sum(1 for k in streams if k[0] == donor)}"
            streams[key] = add_stream(sid, donor, "supply", desc, ewc)
        if recv not in demand:
            demand[recv] = add_stream(f"{recv}/d", recv, "demand", companies[recv]["business"],
                                      None)
        mstatus = str(row["status"]).strip()
        ex_rows.append(
            {
                "supplier_stream_id": streams[key],
                "receiver_stream_id": demand[recv],
                "exchange_id": row["exchange_id"],
                "case": c,
                "maestri_status": mstatus,
                "status": _STATUS.get(mstatus.lower(), "proposed"),
            }
        )
    return (pd.DataFrame(list(companies.values())), pd.DataFrame(stream_rows),
            pd.DataFrame(ex_rows))


def find_case_studies(path: str | os.PathLike[str] | None = None) -> Path | None:
    """Where the case-study fixture lives: the argument, ``$SYMBIOFLOWS_CASE_STUDIES``, or
    ``benchmarks/data/case_studies_exchanges.csv`` in an ancestor of the package or working
    directory (a source checkout); ``None`` if absent.  The rows never ship in the package."""
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise InvalidInputError(
                f"case_studies={str(path)!r}: no such file; pass the path of "
                f"{CASE_STUDIES_FILE.as_posix()} (in the symbioflows source repository)")
        return p.resolve()
    if os.environ.get("SYMBIOFLOWS_CASE_STUDIES"):
        return find_case_studies(os.environ["SYMBIOFLOWS_CASE_STUDIES"])
    for base in (Path(__file__).resolve(), Path.cwd().resolve() / "x"):
        for a in base.parents:
            if (a / CASE_STUDIES_FILE).is_file():
                return (a / CASE_STUDIES_FILE).resolve()
    return None



_CASE_STUDY_REQUIRED = ("exchange_id", "park_id", "country", "maestri_case", "donor_name",
                        "donor_business", "donor_nace", "receiver_name", "receiver_business",
                        "receiver_nace", "waste_description", "ewc_code", "ewc_hazardous",
                        "status", "source", "source_url", "source_locator")
_CASE_STUDY_STATUS = ("implemented", "planned", "under feasibility study")



def _ewc_hazardous() -> dict[str, bool]:
    """Whether each entry of the European List of Waste (six digits) is hazardous (the
    shipped list of :mod:`symbioflows.data.ewc`)."""
    t = ewc_table()
    return dict(zip(t["code"].str.replace(" ", "", regex=False), t["hazardous"].astype(bool)))



def load_case_studies(path: str | os.PathLike[str] | None = None, *,
                      data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The public case-study exchanges as evaluation rows (same columns as
    :func:`load_maestri`, plus ``park_id``, ``maestri_case`` and ``source``).

    Every row is validated: it must name a source (``source``, ``source_url`` starting with
    ``http``, ``source_locator``) and a park; donor and receiver NACE codes must be NACE Rev. 2
    classes (of the shipped NACE table, :mod:`symbioflows.data.nace`); an EWC code,
    where given, must be on the European List of Waste with the matching hazardous flag;
    ``status`` one of Implemented / Planned / Under feasibility study; ``maestri_case`` empty or
    a MAESTRI case number.  ``case`` is the park id.

    Raises
    ------
    InvalidInputError
        The file is absent, lacks a column, or a row fails a check (the message names the row,
        the field, the value and the fix).
    """
    p = find_case_studies(path)
    if p is None:
        raise InvalidInputError(
            f"case-study exchanges not found; pass the path of {CASE_STUDIES_FILE.as_posix()} "
            "(in a source checkout) or set SYMBIOFLOWS_CASE_STUDIES")
    raw = pd.read_csv(p, dtype=str, keep_default_na=False)
    missing = [c for c in _CASE_STUDY_REQUIRED if c not in raw.columns]
    if missing:
        raise InvalidInputError(f"{p}: column(s) {missing} missing; see benchmarks/data/README.md")
    if data_dir is not None:
        warnings.warn("load_case_studies(data_dir=) is not needed any more: the NACE and EWC "
                      "lists are the shipped ones; drop the argument (it goes in the next "
                      "release)", DeprecationWarning, stacklevel=2)
    titles = _nace_titles()
    ewc = _ewc_hazardous()
    seen: set[str] = set()
    for i, r in raw.iterrows():
        where = f"{p.name} row {int(str(i)) + 2} (exchange_id {r['exchange_id']!r})"

        def bad(field: str, fix: str, r: pd.Series = r, where: str = where) -> InvalidInputError:
            return InvalidInputError(f"{where}: {field}={r[field]!r}; {fix}")

        if r["exchange_id"] in seen:
            raise bad("exchange_id", "exchange ids must be unique")
        seen.add(r["exchange_id"])
        for f in ("park_id", "source", "source_locator", "waste_description", "donor_business",
                  "receiver_business"):
            if not str(r[f]).strip():
                raise bad(f, "every row needs it (a case study without a cited source, page "
                             "or park cannot be used)")
        if not str(r["source_url"]).startswith(("http://", "https://")):
            raise bad("source_url", "give the URL (or https://doi.org/...) of the source")
        for f in ("donor_nace", "receiver_nace"):
            code = str(r[f]).strip()
            if not (len(code) == 4 and code.isdigit()) or (titles and code not in titles):
                raise bad(f, "give a NACE Rev. 2 class as 4 digits (e.g. 2410)")
        code = str(r["ewc_code"]).strip()
        if code:
            if not (len(code) == 6 and code.isdigit()) or (ewc and code not in ewc):
                raise bad("ewc_code", "give a 6-digit code of the European List of Waste, or "
                                      "leave it empty when the source does not make it clear")
            flag = str(r["ewc_hazardous"]).strip().lower()
            if ewc and flag != ("yes" if ewc[code] else "no"):
                raise bad("ewc_hazardous", f"the List of Waste says {'Yes' if ewc[code] else 'No'}")
        if str(r["status"]).strip().lower() not in _CASE_STUDY_STATUS:
            raise bad("status", "use Implemented, Planned or Under feasibility study")
        mc = str(r["maestri_case"]).strip()
        if mc and not mc.isdigit():
            raise bad("maestri_case", "leave empty, or give the MAESTRI case number of the same park")
    df = pd.DataFrame(_evaluation_rows(raw, list(raw["park_id"]), titles))
    keep = raw[[nace_digits(_clean(n)) is not None for n in raw["receiver_nace"]]]
    df["park_id"] = list(keep["park_id"])
    df["maestri_case"] = [str(m).strip() or None for m in keep["maestri_case"]]
    df["source"] = list(keep["source"])
    df.attrs["nace_titles"] = titles
    return df
