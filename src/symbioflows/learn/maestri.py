"""Adapter: the MAESTRI exchanges table -> a symbiosis dataset for link prediction.

The MAESTRI "Exchanges Database" (EU Horizon 2020 project MAESTRI, grant 680570) documents
425 industrial-symbiosis exchanges from 43 cases. It carries no licence, so symbioflows
never ships its rows: pass the path of your copy (the project's tests and benchmarks read
``../shared/data/maestri_exchanges.csv``).

Mapping (one dataset for all cases):

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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from symbioflows.errors import InvalidInputError

__all__ = ["UNDISCLOSED", "MaestriData", "load_maestri"]

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
#: names that MAESTRI uses for an organisation it does not disclose
UNDISCLOSED = frozenset({"nd", "n.d.", "not disclosed", "na", "n/a", ""})
_STATUS = {"implemented": "active", "planned": "proposed", "under feasibility study": "proposed"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:40] or "x"


def _nace(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    digits = "".join(ch for ch in str(value) if ch.isdigit())
    if len(digits) == 3:
        digits = "0" + digits
    if len(digits) < 4:
        return None
    return f"{digits[:2]}.{digits[2:4]}"


def _ewc(code: Any, hazardous: Any) -> str | None:
    if code is None or (isinstance(code, float) and np.isnan(code)):
        return None
    digits = "".join(ch for ch in str(code) if ch.isdigit())
    if len(digits) == 5:
        digits = "0" + digits
    if len(digits) != 6:
        return None
    star = "*" if str(hazardous).strip().lower() == "yes" else ""
    return f"{digits[:2]} {digits[2:4]} {digits[4:6]}{star}"


@dataclass(frozen=True)
class MaestriData:
    """Tables built from MAESTRI (pandas). ``exchanges`` has ``case`` and ``status``."""

    companies: pd.DataFrame
    streams: pd.DataFrame
    exchanges: pd.DataFrame

    @property
    def cases(self) -> np.ndarray:
        return np.asarray(self.exchanges["case"].to_numpy())

    def __repr__(self) -> str:
        return (
            f"MaestriData(companies={len(self.companies)}, streams={len(self.streams)}, "
            f"exchanges={len(self.exchanges)}, cases={self.exchanges['case'].nunique()})"
        )


def load_maestri(path: str | Path) -> MaestriData:
    """Read ``maestri_exchanges.csv`` and build companies, streams and exchanges.

    Parameters
    ----------
    path : path to ``maestri_exchanges.csv``

    Raises
    ------
    InvalidInputError
        The file lacks a required column.
    """
    raw = pd.read_csv(path, dtype=str, keep_default_na=True)
    missing = [c for c in _REQUIRED if c not in raw.columns]
    if missing:
        raise InvalidInputError(f"{path}: column(s) {missing} missing; is this the MAESTRI table?")
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
            streams[key] = sid
            stream_rows.append(
                {
                    "stream_id": sid,
                    "company_id": donor,
                    "direction": "supply",
                    "material": desc,
                    "ewc_code": ewc,
                    "material_class": None,
                }
            )
        if recv not in demand:
            did = f"{recv}/d"
            demand[recv] = did
            stream_rows.append(
                {
                    "stream_id": did,
                    "company_id": recv,
                    "direction": "demand",
                    "material": companies[recv]["business"],
                    "ewc_code": None,
                    "material_class": None,
                }
            )
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
    ex = pd.DataFrame(ex_rows)
    return MaestriData(
        companies=pd.DataFrame(list(companies.values())),
        streams=pd.DataFrame(stream_rows),
        exchanges=ex,
    )
