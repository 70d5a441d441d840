"""The plan result: :class:`SymbiosisPlan`, its tables, its Arrow and pandas views, and its
versioned artefact (save / load).

A plan holds the tables the stages produced (streams, candidates, exchanges, chains,
findings), the totals, the allocation, the settings that produced it (``options``: the public
keyword arguments of :func:`~symbioflows.pipeline.plan`, nothing private) and the per-stage
measurements (``stage_stats``: the documented hook that benchmarks read).  What
:meth:`SymbiosisPlan.update` needs to recompute only the new pairs (the raw input streams and
the candidate pairs) is kept in a private state object, never in ``options``.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from symbioflows.errors import InvalidInputError
from symbioflows.matching.allocation import Allocation
from symbioflows.matching.candidates import CandidatePairs
from symbioflows.pipeline.allocation import pair_values
from symbioflows.pipeline.scoring import DEFAULT_WEIGHTS, PAIR_FEATURES

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["SymbiosisPlan", "StageStats", "AllocationProblem", "PLAN_TABLES"]

PLAN_ARTIFACT_KIND = "symbioflows.symbiosis_plan"
PLAN_FORMAT_VERSION = 1

#: The tables of a plan, in the order :meth:`SymbiosisPlan.to_arrow` returns them.
PLAN_TABLES = ("streams", "candidates", "exchanges", "chains", "findings", "totals")


@dataclass
class StageStats:
    """Measurements of each stage of one :func:`~symbioflows.pipeline.plan` run: the public
    hook for benchmarks (``benchmarks/bench_pipeline.py``).

    Attributes
    ----------
    cpu_s : dict
        Process CPU seconds per stage (all threads, native kernels included).
    sys_s : dict
        The system part of ``cpu_s`` (page faults of fresh memory, mostly).
    spans : dict
        ``(start, end)`` of each stage on the :func:`time.perf_counter` clock, so a memory
        sampler running beside the plan can attribute its samples to stages.
    n_distance_evals : int
        Distance evaluations of the candidate search (its work, for comparisons of indexes).
    """

    cpu_s: dict[str, float] = field(default_factory=dict)
    sys_s: dict[str, float] = field(default_factory=dict)
    spans: dict[str, tuple[float, float]] = field(default_factory=dict)
    n_distance_evals: int = 0


@dataclass
class AllocationProblem:
    """The allocation stage's input: capacities (in each stream's unit), the candidate pairs
    and the value per unit of each pair (0 where the pair may not be used: below
    ``min_score``, blocked by a compliance rule, or mixing units).
    ``symbioflows.matching.allocate(*astuple)`` solves it."""

    supply_qty: np.ndarray
    demand_qty: np.ndarray
    supply: np.ndarray
    demand: np.ndarray
    value: np.ndarray


@dataclass
class _PlanState:
    """What :meth:`SymbiosisPlan.update` needs (private: never read outside this package)."""

    raw_streams: pd.DataFrame
    cand: CandidatePairs
    n_sup_dem: tuple[int, int]
    link_predictor: Any = None
    link_predictor_missing: bool = False
    receiver_scorer: Any = None


@dataclass
class SymbiosisPlan:
    """The result of :func:`~symbioflows.pipeline.plan`: tables, totals and the settings that
    produced them.

    Attributes
    ----------
    companies, streams : DataFrame
        The input companies, and one prepared row per stream (site, ``qty`` and ``unit``,
        material class and where it came from, group, medium, search radius).
    candidates : DataFrame
        One row per candidate pair: ids, great-circle km, the pair features, the score,
        ``compliance_blocked`` and ``allocated`` (quantity).
    exchanges : DataFrame
        The allocated pairs with their economics, CO2e and per-feature contributions.
    chains : DataFrame
        Circular chains on the allocated company graph.
    findings : DataFrame
        What the user must know or do: compliance findings per exchange, streams that could
        not take part and candidate cuts (``kind``, ``rule_id``, ``severity``, ``title``,
        ``action``, ...).
    totals : dict
        Counts, quantities, money and CO2e.
    allocation : Allocation
        The solver's result.
    timings_s : dict
        Wall seconds per stage.
    options : dict
        The public keyword arguments of :func:`~symbioflows.pipeline.plan` that made it.
    stage_stats : StageStats
        CPU time, spans and work counters per stage (for benchmarks).
    """

    companies: pd.DataFrame
    streams: pd.DataFrame
    candidates: pd.DataFrame
    exchanges: pd.DataFrame
    chains: pd.DataFrame
    findings: pd.DataFrame
    totals: dict[str, float]
    allocation: Allocation
    timings_s: dict[str, float] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    stage_stats: StageStats = field(default_factory=StageStats)
    _state: _PlanState | None = field(default=None, repr=False, compare=False)

    def to_pandas(self) -> dict[str, pd.DataFrame]:
        """All tables as pandas DataFrames (``streams``, ``candidates``, ``exchanges``,
        ``chains``, ``findings``, ``totals``).  ``streams`` shows each stream's material class,
        where it came from (``class_source``: given, ewc, inferred), the classifier's confidence
        and runner-up classes, a demand's inferred ``need`` and ``low_confidence``."""
        return {
            "streams": self.streams.copy(),
            "candidates": self.candidates.copy(), "exchanges": self.exchanges.copy(),
            "chains": self.chains.copy(), "findings": self.findings.copy(),
            "totals": pd.DataFrame([self.totals]),
        }

    def to_arrow(self) -> dict[str, pa.Table]:
        """All tables as :class:`pyarrow.Table` (the canonical columnar form, like
        :meth:`symbioflows.Dataset.to_arrow`): ``streams``, ``candidates``, ``exchanges``,
        ``chains``, ``findings`` and ``totals`` (one row).  Categorical id columns become
        dictionary-encoded strings; mixed object columns become strings.

        Examples
        --------
        >>> import symbioflows as sf
        >>> from symbioflows.datasets import load_sample_region
        >>> t = sf.plan(load_sample_region(), chains=False).to_arrow()
        >>> sorted(t) == sorted(PLAN_TABLES), t["exchanges"].num_rows > 0
        (True, True)
        """
        import pyarrow as pa

        frames = {"streams": self.streams, "candidates": self.candidates,
                  "exchanges": self.exchanges, "chains": self.chains,
                  "findings": self.findings, "totals": pd.DataFrame([self.totals])}
        return {name: pa.Table.from_pandas(_plain_objects(df), preserve_index=False)
                for name, df in frames.items()}

    def contributions(self, table: str = "candidates") -> pd.DataFrame:
        """The explanation of each row's score: ``contrib_<feature> = w_f x_f`` per pair feature
        (same rows and order as ``self.candidates`` or ``self.exchanges``).  The contributions
        plus the bias add up to the logit of ``score``.  The exchanges table carries them as
        columns already; the candidates table does not store them (one more float column per
        feature and candidate), they are computed here on request."""
        if table not in ("candidates", "exchanges"):
            raise InvalidInputError(f"table={table!r}; choose 'candidates' or 'exchanges'")
        df = self.candidates if table == "candidates" else self.exchanges
        w = dict(DEFAULT_WEIGHTS)
        model = self.options.get("pair_model")
        if isinstance(model, dict) and "weights" in model:  # the model that scored
            w.update(model["weights"])
        w.update(self.options.get("weights") or {})
        return pd.DataFrame({"contrib_" + f: df[f].to_numpy(float) * w[f] for f in PAIR_FEATURES},
                            index=df.index)

    def allocation_problem(self) -> AllocationProblem:
        """The allocation stage's exact input (for studies of the solver, e.g.
        ``benchmarks/bench_allocation.py``); see :class:`AllocationProblem`."""
        st = self._require_state("allocation_problem")
        sup = self.streams[self.streams["direction"] == "supply"]
        dem = self.streams[self.streams["direction"] == "demand"]
        value = pair_values(self.candidates, sup, dem, st.cand,
                            objective=self.options["objective"],
                            min_score=self.options["min_score"],
                            outside=self.options.get("choice_outside"))
        return AllocationProblem(sup["qty"].to_numpy(float), dem["qty"].to_numpy(float),
                                 st.cand.supply, st.cand.demand, value)

    def _require_state(self, what: str) -> _PlanState:
        if self._state is None:
            raise InvalidInputError(f"{what}: this plan was not made by plan() or load(); "
                                    "make it with symbioflows.plan(...)")
        return self._state

    def write(self, out_dir: str | Path, *, html: bool = True) -> dict[str, Path]:
        """Write every table as Parquet and CSV, and ``report.html`` (self-contained)."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written: dict[str, Path] = {}
        for name, df in self.to_pandas().items():
            df2 = _plain_objects(df)
            df2.to_parquet(out / f"{name}.parquet", index=False)
            df2.to_csv(out / f"{name}.csv", index=False)
            written[name] = out / f"{name}.parquet"
        if html:
            from symbioflows.pipeline.report import write_plan_report

            written["report"] = write_plan_report(self, out / "report.html")
        return written

    def save(self, path: str | Path) -> Path:
        """Write the plan as a versioned artefact (:mod:`symbioflows._persist`): every table as
        Parquet, the candidate arrays as npz (``allow_pickle=False``), totals and options as
        JSON; sha256 per payload, atomic.  A loaded plan supports :meth:`update`."""
        from symbioflows._persist import save_artifact

        def pq(df: pd.DataFrame) -> bytes:
            buf = io.BytesIO()
            _plain_objects(df).to_parquet(buf, index=False)
            return buf.getvalue()

        st = self._require_state("save")
        cand = st.cand
        buf = io.BytesIO()
        np.savez(buf, supply=cand.supply, demand=cand.demand, distance_km=cand.distance_km,
                 material_fit=cand.material_fit, flows_t=self.allocation.flows_t,
                 n_sup_dem=np.asarray(st.n_sup_dem, np.int64))
        kw = dict(self.options)
        kw["link_predictor_used"] = st.link_predictor is not None
        meta = {"totals": self.totals, "timings_s": self.timings_s, "kwargs": kw,
                "allocation": {"status": self.allocation.status,
                               "objective": self.allocation.objective,
                               "method": self.allocation.method,
                               "message": self.allocation.message,
                               "scaling": self.allocation.scaling},
                "n_truncated": cand.n_truncated}
        payloads = {f"{n}.parquet": pq(df) for n, df in (
            ("companies", self.companies), ("streams", self.streams),
            ("raw_streams", st.raw_streams), ("candidates", self.candidates),
            ("exchanges", self.exchanges), ("chains", self.chains),
            ("findings", self.findings))}
        payloads["arrays.npz"] = buf.getvalue()
        payloads["meta.json"] = json.dumps(meta, default=float).encode("utf-8")
        return save_artifact(path, kind=PLAN_ARTIFACT_KIND, version=PLAN_FORMAT_VERSION,
                             meta={"n_exchanges": len(self.exchanges)}, payloads=payloads)

    @classmethod
    def load(cls, path: str | Path) -> SymbiosisPlan:
        """Read a plan written by :meth:`save` (hashes and format version checked; no
        pickle)."""
        from symbioflows._persist import decoding, load_artifact

        _m, pl = load_artifact(path, kind=PLAN_ARTIFACT_KIND, max_version=PLAN_FORMAT_VERSION)
        # the sha256 only proves the bytes are those written: parse them so that any error a
        # crafted payload raises becomes one UnsafeFileError (issue 18 item 8)
        with decoding(path, "plan artefact"):
            t = {n: pd.read_parquet(io.BytesIO(pl[f"{n}.parquet"])) for n in (
                "companies", "streams", "raw_streams", "candidates", "exchanges", "chains",
                "findings")}
            meta = json.loads(pl["meta.json"].decode("utf-8"))
            arr = np.load(io.BytesIO(pl["arrays.npz"]), allow_pickle=False)
            a = meta["allocation"]
            alloc = Allocation(a["status"], float(a["objective"]), arr["flows_t"], a["method"],
                               0.0, a["message"], {k: float(v) for k, v in a["scaling"].items()})
            cand = CandidatePairs(arr["supply"], arr["demand"], arr["distance_km"],
                                  arr["material_fit"], int(meta.get("n_truncated", 0)))
            kw = dict(meta["kwargs"])
            lp_used = bool(kw.pop("link_predictor_used", False))
            for private in ("client", "link_predictor"):  # written by format-1 files before 0.2
                kw.pop(private, None)
            n_sup, n_dem = (int(x) for x in arr["n_sup_dem"])
            # counts stay ints (JSON keeps them), amounts floats
            totals = {k: v if type(v) is int else float(v) for k, v in meta["totals"].items()}
            timings = {k: float(v) for k, v in meta["timings_s"].items()}
        state = _PlanState(t["raw_streams"], cand, (n_sup, n_dem), None, lp_used)
        return cls(t["companies"], t["streams"], t["candidates"], t["exchanges"], t["chains"],
                   t["findings"], totals, alloc, timings, kw, StageStats(), state)

    def update(self, new_streams: Any, new_companies: Any = None, *,
               progress: bool = False, link_predictor: Any = None) -> SymbiosisPlan:
        """Add streams (and their companies) and return the new plan.

        Only the candidates and scores that involve a new stream are computed; the old ones
        are kept.  Allocation and chains are global and re-solved.  The result equals
        ``plan()`` on the combined dataset (with the same ``link_predictor``: a plan read by
        :meth:`load` that was made with one needs it passed again here).  ``new_streams`` and
        ``new_companies`` take anything :func:`~symbioflows.pipeline.plan` takes as a table
        (pandas, polars, Arrow, a list of dicts), with the same checks.
        """
        from symbioflows.pipeline.planner import update_plan

        return update_plan(self, new_streams, new_companies, progress=progress,
                           link_predictor=link_predictor)

    def __repr__(self) -> str:
        t = self.totals
        return (f"SymbiosisPlan(candidates={len(self.candidates)}, exchanges={len(self.exchanges)}, "
                f"chains={len(self.chains)}, status={self.allocation.status!r}, "
                f"net_benefit_usd={t.get('net_benefit_usd', 0):.4g}, "
                f"co2e_avoided_kg={t.get('co2e_avoided_kg', 0):.4g})")

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{k}</td><td>{v:,.4g}</td></tr>" for k, v in self.totals.items())
        return f"<b>SymbiosisPlan</b><table>{rows}</table>"


def _plain_objects(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose object columns hold only str or None (Parquet and Arrow need one type per
    column)."""
    d = df.copy()
    for c in d.columns:
        if d[c].dtype == object:
            d[c] = d[c].map(lambda v: v if v is None or isinstance(v, str) else str(v))
    return d
