# Why ~870 lines: it is a table (one entry per public kernel: inputs, calls, checks), data for
# the reliability harness rather than logic.
"""The reliability harness's table of public kernels.

Every public kernel of symbioflows is ONE entry in :data:`KERNELS`.  The thread-stress tests,
the ``n_jobs`` determinism tests, the fuzz targets (``fuzz/``), the fuzz regression replays and
``tools/reliability_figures.py`` all iterate over this table, so adding a kernel to the harness
means adding one :class:`Kernel` here:

* ``target``: ``"module:attribute"`` of the public function (resolved lazily; a kernel whose
  code has not landed yet is reported as skipped with the reason, never silently);
* ``make_inputs(rng)``: small, shared inputs for thread stress and determinism;
* ``call(fn, inputs, n_jobs)``: one call (``n_jobs`` is None for kernels without it);
* ``fuzz(fn, fdp)``: decode an :class:`atheris.FuzzedDataProvider` into arguments and call;
  only the exception classes in ``allowed`` may escape (``symbioflows.errors`` always; TypeError
  only where RELIABILITY.md documents it: float / object ids and arrays);
* ``seeds()``: optional valid inputs (bytes) to start the fuzzer from.

This module has no test functions; it is imported by tests/reliability, fuzz/ and tools/ as
``symbioflows.testing.reliability_kernels``.
"""

from __future__ import annotations

import dataclasses
import importlib
import io
import math
import struct
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from symbioflows.errors import SymbioflowsError


def _source_root() -> Path:
    """The checkout this harness runs in (the folder with ``pyproject.toml`` and ``fuzz/``),
    found upwards from this file (src/, or the sanitized copy under build/)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "fuzz").is_dir():
            return parent
    return Path.cwd()


ROOT = _source_root()


def child_pythonpath() -> str:
    """PYTHONPATH for a child interpreter: the folder the *current* process imported
    symbioflows from (src/, the sanitized copy, or site-packages; the harness is
    ``symbioflows.testing`` there), then whatever was set."""
    import os

    import symbioflows

    parts = [str(Path(symbioflows.__file__).resolve().parents[1])]
    if os.environ.get("PYTHONPATH"):
        parts += [str(Path(p).resolve()) for p in os.environ["PYTHONPATH"].split(os.pathsep) if p]
    return os.pathsep.join(parts)

# --------------------------------------------------------------------------------------------
# Canonical bytes of a result (for byte-identical comparisons)
# --------------------------------------------------------------------------------------------

#: Result fields that legitimately differ between identical calls (wall-clock measurements).
VOLATILE_FIELDS = frozenset(
    {"solve_time_s", "elapsed_s", "time_s", "wall_s", "wall_time_s", "runtime_s", "seconds",
     # work counters: a parallel top-k search prunes with a bound shared between threads, so
     # the work done (not the result) depends on timing
     "n_expansions"}
)


def _is_volatile(name: str) -> bool:
    return name in VOLATILE_FIELDS or name.endswith("_time_s") or name.startswith("elapsed")


def canonical_bytes(obj: Any) -> bytes:
    """A byte string that is equal for two results iff they are the same, bit for bit.

    Arrays contribute dtype, shape and raw bytes (so -0.0 vs 0.0 and NaN payloads count);
    Arrow/pandas tables go through Arrow IPC; dataclasses and result objects through their
    fields (wall-clock fields excluded, see :data:`VOLATILE_FIELDS`).
    """
    out = io.BytesIO()
    _encode(obj, out, depth=0)
    return out.getvalue()


def _encode(obj: Any, out: io.BytesIO, depth: int) -> None:  # noqa: C901 - a type switch
    if depth > 20:
        raise RecursionError("result nested too deeply to canonicalise")
    w = out.write
    if obj is None or isinstance(obj, (bool, str)):
        w(b"S" + repr(obj).encode() + b";")
    elif isinstance(obj, (int, np.integer)):
        w(b"I" + str(int(obj)).encode() + b";")
    elif isinstance(obj, (float, np.floating)):
        w(b"F" + struct.pack("<d", float(obj)))
    elif isinstance(obj, (bytes, bytearray, memoryview)):
        b = bytes(obj)
        w(b"B" + str(len(b)).encode() + b":" + b)
    elif isinstance(obj, np.ndarray):
        if obj.dtype.kind == "O":
            w(b"O" + str(obj.shape).encode())
            for x in obj.reshape(-1):
                _encode(x, out, depth + 1)
        else:
            a = np.ascontiguousarray(obj)
            w(b"A" + str(a.dtype).encode() + str(a.shape).encode() + a.tobytes())
    elif isinstance(obj, dict):
        w(b"D")
        for k in sorted(obj, key=repr):
            if isinstance(k, str) and _is_volatile(k):
                continue
            _encode(k, out, depth + 1)
            _encode(obj[k], out, depth + 1)
    elif isinstance(obj, (list, tuple)):
        w(b"L" + str(len(obj)).encode())
        for x in obj:
            _encode(x, out, depth + 1)
    elif _is_arrow_table(obj):
        _encode_arrow(obj, out)
    elif _is_pandas(obj):
        import pyarrow as pa

        _encode_arrow(pa.Table.from_pandas(obj, preserve_index=True), out)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        w(b"C" + type(obj).__name__.encode())
        for f in dataclasses.fields(obj):
            if _is_volatile(f.name):
                continue
            _encode(f.name, out, depth + 1)
            _encode(getattr(obj, f.name), out, depth + 1)
    elif hasattr(obj, "to_arrow"):
        w(b"T" + type(obj).__name__.encode())
        _encode(obj.to_arrow(), out, depth + 1)
        for attr in ("truncated", "reason", "truncation_reason", "status"):
            if hasattr(obj, attr):
                _encode(getattr(obj, attr), out, depth + 1)
    elif hasattr(obj, "__getstate__") and type(obj).__module__.startswith("symbioflows"):
        w(b"G" + type(obj).__name__.encode())
        _encode(obj.__getstate__(), out, depth + 1)
    else:
        raise TypeError(f"cannot canonicalise a {type(obj).__name__}; teach canonical_bytes")


def _is_arrow_table(obj: Any) -> bool:
    mod = type(obj).__module__
    return mod.startswith("pyarrow") and type(obj).__name__ in ("Table", "RecordBatch")


def _is_pandas(obj: Any) -> bool:
    return type(obj).__module__.startswith("pandas") and type(obj).__name__ == "DataFrame"


def _encode_arrow(table: Any, out: io.BytesIO) -> None:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write(table)
    out.write(b"R" + sink.getvalue().to_pybytes())


# --------------------------------------------------------------------------------------------
# Fuzz input decoding helpers
# --------------------------------------------------------------------------------------------

_SPECIAL = (0.0, -0.0, 1.0, -1.0, 90.0, -90.0, 180.0, -180.0, math.nan, math.inf, -math.inf,
            1e308, -1e308, 5e-324, 1e-300)


def fuzz_float(fdp: Any, lo: float = -1e3, hi: float = 1e3) -> float:
    """A float that is often ordinary, sometimes a special value, sometimes any double."""
    mode = fdp.ConsumeIntInRange(0, 7)
    if mode == 0:
        return _SPECIAL[fdp.ConsumeIntInRange(0, len(_SPECIAL) - 1)]
    if mode == 1:
        return fdp.ConsumeFloat()
    return fdp.ConsumeFloatInRange(lo, hi)


def fuzz_floats(fdp: Any, n: int, lo: float = -1e3, hi: float = 1e3) -> list[float]:
    return [fuzz_float(fdp, lo, hi) for _ in range(n)]


def fuzz_ids(fdp: Any, n: int, n_nodes: int) -> Any:
    """Node ids: mostly valid int64, sometimes out of range, sometimes a wrong dtype."""
    mode = fdp.ConsumeIntInRange(0, 9)
    hi = max(n_nodes - 1, 0)
    if mode == 0:
        return np.array(fdp.ConsumeIntListInRange(n, -3, n_nodes + 3), dtype=np.int64)
    if mode == 1:
        return np.array(fuzz_floats(fdp, n, -2, n_nodes + 2))  # float ids -> TypeError
    if mode == 2:
        return np.array(fdp.ConsumeIntListInRange(n, 0, hi), dtype=np.uint64)
    if mode == 3:
        return np.array(fdp.ConsumeIntListInRange(n, 0, hi), dtype=np.int32)
    return np.array(fdp.ConsumeIntListInRange(n, 0, hi), dtype=np.int64)


def fuzz_layout(fdp: Any, arr: np.ndarray) -> np.ndarray:
    """The same values in another memory layout or dtype (strided, Fortran, read-only...)."""
    mode = fdp.ConsumeIntInRange(0, 6)
    if mode == 1 and arr.ndim == 2:
        return np.asfortranarray(arr)
    if mode == 2:
        big = np.repeat(arr, 2, axis=0)
        return big[::2]
    if mode == 3:
        a = arr.copy()
        a.setflags(write=False)
        return a
    if mode == 4:
        return arr.astype(np.float32)
    if mode == 5:
        with np.errstate(over="ignore"):
            return arr.astype(np.float16)
    return arr


# --------------------------------------------------------------------------------------------
# Kernel table
# --------------------------------------------------------------------------------------------

Call = Callable[[Callable[..., Any], dict[str, Any], "int | None"], Any]
Fuzz = Callable[[Callable[..., Any], Any], Any]

#: What every fuzz target may raise: the documented hierarchy.
DOCUMENTED: tuple[type[BaseException], ...] = (SymbioflowsError,)
#: ... plus TypeError where RELIABILITY.md documents it (float/object ids and arrays).
DOCUMENTED_AND_TYPE: tuple[type[BaseException], ...] = (SymbioflowsError, TypeError)


@dataclass(frozen=True)
class Kernel:
    name: str
    target: str
    make_inputs: Callable[[np.random.Generator], dict[str, Any]]
    call: Call
    fuzz: Fuzz | None = None
    n_jobs: bool = True
    allowed: tuple[type[BaseException], ...] = DOCUMENTED
    seeds: Callable[[], list[bytes]] | None = None
    #: extra ``module:attribute`` names that must exist (helpers the adapter needs)
    needs: tuple[str, ...] = field(default_factory=tuple)
    #: exceptions of diagnosed, reported, not-yet-fixed findings (each has a strict-xfail test
    #: in test_fuzz_findings.py); tolerated by the fuzz target so it keeps looking for new ones
    known_open: Callable[[BaseException], bool] | None = None

    def resolve(self) -> Callable[..., Any] | None:
        """The public function, or None when its code has not landed."""
        for spec in (self.target, *self.needs):
            if _lookup(spec) is None:
                return None
        return _lookup(self.target)

    def missing_reason(self) -> str:
        missing = [s for s in (self.target, *self.needs) if _lookup(s) is None]
        return f"{self.name}: not on this branch yet ({', '.join(missing)} missing)"


def _lookup(spec: str) -> Any:
    mod_name, _, attr = spec.partition(":")
    try:
        obj: Any = importlib.import_module(mod_name)
    except ImportError:
        return None
    for part in attr.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def resolve(spec: str) -> Any:
    obj = _lookup(spec)
    if obj is None:
        raise LookupError(spec)
    return obj


# ---- logistics: haversine -------------------------------------------------------------------


def _points(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    return rng.uniform(-90, 90, n), rng.uniform(-180, 180, n)


def _gc_matrix_inputs(rng: np.random.Generator) -> dict[str, Any]:
    la1, lo1 = _points(rng, 300)
    la2, lo2 = _points(rng, 257)
    return {"lat1": la1, "lon1": lo1, "lat2": la2, "lon2": lo2}


def _gc_matrix_call(fn: Callable[..., Any], x: dict[str, Any], n_jobs: int | None) -> Any:
    return fn(x["lat1"], x["lon1"], x["lat2"], x["lon2"], n_jobs=n_jobs)


def _gc_matrix_fuzz(fn: Callable[..., Any], fdp: Any) -> Any:
    n1, n2 = fdp.ConsumeIntInRange(0, 8), fdp.ConsumeIntInRange(0, 8)
    la1 = fuzz_layout(fdp, np.array(fuzz_floats(fdp, n1, -100, 100)))
    lo1 = np.array(fuzz_floats(fdp, n1 + fdp.ConsumeIntInRange(0, 1) * fdp.ConsumeIntInRange(-1, 1), -200, 200))
    la2 = np.array(fuzz_floats(fdp, n2, -100, 100))
    lo2 = fuzz_layout(fdp, np.array(fuzz_floats(fdp, n2, -200, 200)))
    out = fn(la1, lo1, la2, lo2, n_jobs=fdp.ConsumeIntInRange(-1, 3) or 1)
    if np.isnan(out).any():
        raise AssertionError("great_circle_matrix returned NaN for accepted input")
    return out


def _gc_pairs_inputs(rng: np.random.Generator) -> dict[str, Any]:
    la1, lo1 = _points(rng, 400)
    la2, lo2 = _points(rng, 300)
    m = 40_000
    return {"lat1": la1, "lon1": lo1, "lat2": la2, "lon2": lo2,
            "i": rng.integers(0, 400, m), "j": rng.integers(0, 300, m)}


def _gc_pairs_call(fn: Callable[..., Any], x: dict[str, Any], n_jobs: int | None) -> Any:
    return fn(x["lat1"], x["lon1"], x["lat2"], x["lon2"], x["i"], x["j"], n_jobs=n_jobs)


def _gc_pairs_fuzz(fn: Callable[..., Any], fdp: Any) -> Any:
    n1, n2, m = (fdp.ConsumeIntInRange(0, 6) for _ in range(3))
    la1 = np.array(fuzz_floats(fdp, n1, -100, 100))
    lo1 = np.array(fuzz_floats(fdp, n1, -200, 200))
    la2 = fuzz_layout(fdp, np.array(fuzz_floats(fdp, n2, -100, 100)))
    lo2 = np.array(fuzz_floats(fdp, n2, -200, 200))
    i = fuzz_ids(fdp, m, n1)
    j = fuzz_ids(fdp, m + fdp.ConsumeIntInRange(-1, 1) * fdp.ConsumeIntInRange(0, 1), n2)
    out = fn(la1, lo1, la2, lo2, i, j, n_jobs=fdp.ConsumeIntInRange(1, 3))
    if np.isnan(out).any():
        raise AssertionError("great_circle_pairs returned NaN for accepted input")
    return out


# ---- chains: CSR graph ---------------------------------------------------------------------


def _csr_inputs(rng: np.random.Generator) -> dict[str, Any]:
    n, m = 2_000, 20_000
    return {"n": n, "src": rng.integers(0, n, m), "dst": rng.integers(0, n, m)}


def _csr_call(fn: Callable[..., Any], x: dict[str, Any], n_jobs: int | None) -> Any:
    return fn(x["n"], x["src"], x["dst"])


def _csr_fuzz(fn: Callable[..., Any], fdp: Any) -> Any:
    n = fdp.ConsumeIntInRange(-2, 12)
    m = fdp.ConsumeIntInRange(0, 30)
    g = fn(n, fuzz_ids(fdp, m, max(n, 0)), fuzz_ids(fdp, m + fdp.ConsumeIntInRange(-1, 1) * fdp.ConsumeIntInRange(0, 1), max(n, 0)))
    g2 = type(g).__new__(type(g))  # type: ignore[call-overload]
    g2.__setstate__(g.__getstate__())  # pickling round trip
    return g2


# ---- chains: cycles and paths (issue 3) ----------------------------------------------------


def make_symbiosis_graph(n: int, src: Any, dst: Any, score: Any, tonnes: Any = None) -> Any:
    """Build the chains issue's graph on companies 0..n-1 through its public constructor."""
    import pandas as pd

    cls = resolve("symbioflows.chains:SymbiosisGraph")
    src = np.asarray(src)
    edges = pd.DataFrame({"supplier": src, "receiver": np.asarray(dst), "score": score})
    if tonnes is not None:
        edges["tonnes_per_yr"] = tonnes
    return cls(list(range(max(n, 0))), edges)


def _random_digraph(rng: np.random.Generator, n: int, m: int) -> tuple[Any, ...]:
    src = rng.integers(0, n, m)
    dst = rng.integers(0, n, m)
    score = rng.uniform(0.05, 1.0, m).round(3)
    return src, dst, score


def _cycles_inputs(rng: np.random.Generator) -> dict[str, Any]:
    src, dst, score = _random_digraph(rng, 60, 240)
    return {"graph": make_symbiosis_graph(60, src, dst, score)}


def _cycles_call(fn: Callable[..., Any], x: dict[str, Any], n_jobs: int | None) -> Any:
    return fn(x["graph"], min_length=2, max_length=5, n_jobs=n_jobs)


def _cycles_topk_call(fn: Callable[..., Any], x: dict[str, Any], n_jobs: int | None) -> Any:
    return fn(x["graph"], min_length=2, max_length=6, top_k=25, n_jobs=n_jobs)


def _fuzz_graph(fdp: Any) -> Any:
    n = fdp.ConsumeIntInRange(0, 9)
    m = fdp.ConsumeIntInRange(0, 25) if n else 0
    src = fdp.ConsumeIntListInRange(m, 0, max(n - 1, 0)) if n else []
    dst = fdp.ConsumeIntListInRange(m, 0, max(n - 1, 0)) if n else []
    score = np.array([fuzz_float(fdp, 0.0, 1.0) if fdp.ConsumeIntInRange(0, 5) == 0
                      else fdp.ConsumeFloatInRange(0.01, 1.0) for _ in range(m)])
    tonnes = np.array([fuzz_float(fdp, -1.0, 1e4) if fdp.ConsumeIntInRange(0, 5) == 0
                       else fdp.ConsumeFloatInRange(0.0, 1e4) for _ in range(m)])
    return make_symbiosis_graph(n, np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64),
                                score, tonnes)


def _limits(fdp: Any) -> dict[str, Any]:
    kw: dict[str, Any] = {}
    if fdp.ConsumeBool():
        kw["max_results"] = fdp.ConsumeIntInRange(-1, 50)
    if fdp.ConsumeBool():
        kw["max_expansions"] = fdp.ConsumeIntInRange(-1, 500)
    if fdp.ConsumeBool():
        kw["time_limit_s"] = fuzz_float(fdp, -1.0, 0.05)
    if fdp.ConsumeBool():
        kw["top_k"] = fdp.ConsumeIntInRange(-1, 10)
    kw["n_jobs"] = fdp.ConsumeIntInRange(-1, 3)
    return kw


def _cycles_fuzz(fn: Callable[..., Any], fdp: Any) -> Any:
    g = _fuzz_graph(fdp)
    lo = fdp.ConsumeIntInRange(0, 7)
    hi = fdp.ConsumeIntInRange(0, 7)
    return fn(g, min_length=lo, max_length=hi, **_limits(fdp))


def _paths_inputs(rng: np.random.Generator) -> dict[str, Any]:
    src, dst, score = _random_digraph(rng, 80, 320)
    return {"graph": make_symbiosis_graph(80, src, dst, score), "sources": np.arange(0, 80, 7)}


def _paths_call(fn: Callable[..., Any], x: dict[str, Any], n_jobs: int | None) -> Any:
    return fn(x["graph"], x["sources"], max_hops=4, top_k=10, n_jobs=n_jobs)


def _paths_fuzz(fn: Callable[..., Any], fdp: Any) -> Any:
    g = _fuzz_graph(fdp)
    n_src = fdp.ConsumeIntInRange(0, 4)
    sources = fuzz_ids(fdp, n_src, 9)
    kw = _limits(fdp)
    kw.pop("top_k", None)
    return fn(g, sources, max_hops=fdp.ConsumeIntInRange(-1, 6), top_k=fdp.ConsumeIntInRange(-1, 6), **kw)


# ---- the dataset loaders (issue 2) -----------------------------------------------------------


def sample_tables(n_companies: int = 20, seed: int = 0) -> Any:
    """A small valid dataset (companies, streams, exchanges) built here, read through the
    public loader so it is in the package's schemas."""
    read_dataset = resolve("symbioflows:read_dataset")
    rng = np.random.default_rng(seed)
    companies = [{"company_id": f"c{i:03d}", "name": f"Company {i}", "sector": "24.10",
                  "lat": round(float(rng.uniform(51.8, 52.0)), 5),
                  "lon": round(float(rng.uniform(4.0, 4.5)), 5), "country": "NL"}
                 for i in range(n_companies)]
    materials = [("blast furnace slag", "10 02 02", "t/yr"), ("fly ash", "10 01 02", "t/month"),
                 ("waste heat", None, "MWh/yr"), ("spent grain", "02 07 04", "t/yr")]
    streams = []
    for s in range(2 * n_companies):
        mat, code, unit = materials[s % len(materials)]
        streams.append({"stream_id": f"s{s:04d}", "company_id": f"c{s % n_companies:03d}",
                        "direction": "supply" if s % 2 == 0 else "demand", "material": mat,
                        "ewc_code": code, "quantity": round(float(rng.uniform(1, 5000)), 2),
                        "unit": unit, "quality": round(float(rng.uniform(0, 1)), 2)})
    exchanges = [{"supplier_stream_id": f"s{2 * e:04d}", "receiver_stream_id": f"s{2 * e + 1:04d}",
                  "quantity_t_per_yr": 10.0, "status": "proposed"} for e in range(n_companies // 2)]
    return read_dataset({"companies": companies, "streams": streams, "exchanges": exchanges})


def write_dataset_files(ds: Any, folder: Path, fmt: str) -> Path:
    """Write ``ds`` into ``folder`` as companies/streams/exchanges files in ``fmt``."""
    folder.mkdir(parents=True, exist_ok=True)
    if hasattr(ds, "write"):
        try:
            ds.write(folder, format=fmt)
            return folder
        except TypeError:
            pass
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    for name in ("companies", "streams", "exchanges"):
        t = getattr(ds, name)
        if fmt == "csv":
            pacsv.write_csv(t, folder / f"{name}.csv")
        elif fmt == "parquet":
            pq.write_table(t, folder / f"{name}.parquet")
        else:
            t.to_pandas().to_json(folder / f"{name}.json", orient="records")
    return folder


def _loader_kernel_inputs(fmt: str) -> Callable[[np.random.Generator], dict[str, Any]]:
    def make(rng: np.random.Generator) -> dict[str, Any]:
        folder = Path(tempfile.mkdtemp(prefix=f"sf-rel-{fmt}-"))
        write_dataset_files(sample_tables(25, int(rng.integers(0, 1000))), folder, fmt)
        return {"path": folder}

    return make


def _loader_call(fn: Callable[..., Any], x: dict[str, Any], n_jobs: int | None) -> Any:
    ds = fn(x["path"])
    return [ds.companies, ds.streams, ds.exchanges]


def _loader_seeds(fmt: str) -> Callable[[], list[bytes]]:
    def seeds() -> list[bytes]:
        out = []
        for seed in (0, 1):
            folder = Path(tempfile.mkdtemp(prefix="sf-seed-"))
            write_dataset_files(sample_tables(6, seed), folder, fmt)
            out.append((folder / f"streams.{fmt}").read_bytes())
            out.append((folder / f"companies.{fmt}").read_bytes())
        return out

    return seeds


def _loader_fuzz(fmt: str) -> Fuzz:
    """Replace one table's file of a valid folder by the fuzzer's bytes, then read it."""
    cache: dict[str, Path] = {}

    def fuzz(fn: Callable[..., Any], fdp: Any) -> Any:
        if "base" not in cache:
            base = Path(tempfile.mkdtemp(prefix=f"sf-fuzz-{fmt}-"))
            write_dataset_files(sample_tables(6, 0), base, fmt)
            cache["base"] = base
        base = cache["base"]
        which = ("companies", "streams", "exchanges")[fdp.ConsumeIntInRange(0, 2)]
        data = fdp.ConsumeBytes(fdp.remaining_bytes())
        with tempfile.TemporaryDirectory(prefix="sf-fuzz-") as tmp:
            folder = Path(tmp)
            for f in base.iterdir():
                (folder / f.name).write_bytes(f.read_bytes())
            (folder / f"{which}.{fmt}").write_bytes(data)
            return fn(folder)

    return fuzz


# ---- materials: fused compatibility top-k (issue 4) ----------------------------------------


def _sim_inputs(rng: np.random.Generator) -> dict[str, Any]:
    q = rng.standard_normal((150, 48)).astype(np.float32)
    c = rng.standard_normal((2_000, 48)).astype(np.float32)
    n_cls = 6
    sub = rng.uniform(0, 1, (n_cls, n_cls)).astype(np.float32)
    return {"queries": q, "candidates": c, "k": 10, "substitution": sub,
            "supply_class": rng.integers(-1, n_cls, 150), "demand_class": rng.integers(-1, n_cls, 2_000)}


def _sim_call(fn: Callable[..., Any], x: dict[str, Any], n_jobs: int | None) -> Any:
    return fn(x["queries"], x["candidates"], k=x["k"], n_jobs=n_jobs)


def _sim_classes_call(fn: Callable[..., Any], x: dict[str, Any], n_jobs: int | None) -> Any:
    return fn(x["queries"], x["candidates"], k=x["k"], supply_class=x["supply_class"],
              demand_class=x["demand_class"], substitution=x["substitution"], n_jobs=n_jobs)


def _sim_fuzz(fn: Callable[..., Any], fdp: Any) -> Any:
    nq, nc, d = fdp.ConsumeIntInRange(0, 6), fdp.ConsumeIntInRange(0, 9), fdp.ConsumeIntInRange(0, 20)
    q = fuzz_layout(fdp, np.array(fuzz_floats(fdp, nq * d, -10, 10)).reshape(nq, d))
    d2 = d + fdp.ConsumeIntInRange(-1, 1) * fdp.ConsumeIntInRange(0, 1)
    c = fuzz_layout(fdp, np.array(fuzz_floats(fdp, nc * max(d2, 0), -10, 10)).reshape(nc, max(d2, 0)))
    if fdp.ConsumeIntInRange(0, 9) == 0:
        q = q.reshape(-1)  # wrong ndim
    if fdp.ConsumeIntInRange(0, 19) == 0:
        c = c.astype(object)  # object dtype -> TypeError
    kw: dict[str, Any] = {"k": fdp.ConsumeIntInRange(-1, 12), "n_jobs": fdp.ConsumeIntInRange(1, 3),
                          "simd": ("auto", "portable", "avx2", "avx512", "sse9")[fdp.ConsumeIntInRange(0, 4)]}
    if fdp.ConsumeBool():
        n_cls = fdp.ConsumeIntInRange(0, 4)
        kw["substitution"] = np.array(fuzz_floats(fdp, n_cls * n_cls, -1, 2)).reshape(n_cls, n_cls)
        kw["supply_class"] = fuzz_ids(fdp, q.shape[0] if q.ndim == 2 else nq, n_cls)
        kw["demand_class"] = fuzz_ids(fdp, nc, n_cls)
    if fdp.ConsumeBool():
        kw["supply_hazardous"] = np.array([fdp.ConsumeBool() for _ in range(nq)])
        kw["demand_accepts_hazardous"] = np.array([fdp.ConsumeBool() for _ in range(nc)])
        kw["demand_blocked"] = np.array([fdp.ConsumeBool() for _ in range(nc)])
    if fdp.ConsumeBool():
        kw["w_similarity"] = fuzz_float(fdp, -1, 2)
        kw["min_substitution"] = fuzz_float(fdp, -1, 2)
    res = fn(q, c, **kw)
    if np.isnan(res.score).any():
        raise AssertionError("top_k_compatible returned a NaN score")
    return res


def _cosine_call(fn: Callable[..., Any], x: dict[str, Any], n_jobs: int | None) -> Any:
    return fn(x["queries"], x["candidates"][:500], n_jobs=n_jobs)


def _cosine_fuzz(fn: Callable[..., Any], fdp: Any) -> Any:
    nq, nc, d = fdp.ConsumeIntInRange(0, 5), fdp.ConsumeIntInRange(0, 5), fdp.ConsumeIntInRange(0, 9)
    a = fuzz_layout(fdp, np.array(fuzz_floats(fdp, nq * d, -10, 10)).reshape(nq, d))
    b = fuzz_layout(fdp, np.array(fuzz_floats(fdp, nc * d, -10, 10)).reshape(nc, d))
    out = fn(a, b, n_jobs=fdp.ConsumeIntInRange(1, 3))
    if np.isnan(out).any():
        raise AssertionError("cosine_similarity returned NaN (zero vectors must give 0)")
    return out


# ---- logistics: route costing (issue 5) -----------------------------------------------------


def _cost_inputs(rng: np.random.Generator) -> dict[str, Any]:
    la1, lo1 = rng.uniform(45, 55, 400), rng.uniform(-5, 15, 400)
    la2, lo2 = rng.uniform(45, 55, 300), rng.uniform(-5, 15, 300)
    m = 30_000
    from symbioflows.logistics import MEDIA

    return {"lat1": la1, "lon1": lo1, "lat2": la2, "lon2": lo2, "i": rng.integers(0, 400, m),
            "j": rng.integers(0, 300, m), "q": rng.uniform(0, 5_000, m).round(1),
            "medium": np.array(MEDIA, dtype=object)[rng.integers(0, len(MEDIA), m)]}


def _cost_call(fn: Callable[..., Any], x: dict[str, Any], n_jobs: int | None) -> Any:
    return fn(x["lat1"], x["lon1"], x["lat2"], x["lon2"], x["i"], x["j"], x["q"],
              medium=x["medium"], n_jobs=n_jobs)


def _cost_fuzz(fn: Callable[..., Any], fdp: Any) -> Any:
    n1, n2, m = fdp.ConsumeIntInRange(0, 5), fdp.ConsumeIntInRange(0, 5), fdp.ConsumeIntInRange(0, 8)
    la1, lo1 = np.array(fuzz_floats(fdp, n1, -95, 95)), np.array(fuzz_floats(fdp, n1, -185, 185))
    la2, lo2 = np.array(fuzz_floats(fdp, n2, -95, 95)), np.array(fuzz_floats(fdp, n2, -185, 185))
    i, j = fuzz_ids(fdp, m, n1), fuzz_ids(fdp, m, n2)
    q = np.array(fuzz_floats(fdp, m + fdp.ConsumeIntInRange(-1, 1) * fdp.ConsumeIntInRange(0, 1), -10, 1e5))
    media = ("solid", "liquid", "gas", "steam", "heat", "water", "plasma", "")
    kw: dict[str, Any] = {"n_jobs": fdp.ConsumeIntInRange(1, 3)}
    if fdp.ConsumeBool():
        kw["medium"] = np.array([media[fdp.ConsumeIntInRange(0, 7)] for _ in range(m)], dtype=object)
    elif fdp.ConsumeBool():
        kw["medium"] = np.array(fdp.ConsumeIntListInRange(m, -1, 7), dtype=np.int64)
    if fdp.ConsumeBool():
        kw["modes"] = [("road_articulated", "rail", "pipe_steam", "teleport", "road_tanker")[fdp.ConsumeIntInRange(0, 4)]]
    if fdp.ConsumeBool():
        kw["carbon_price_usd_per_t"] = fuzz_float(fdp, -10, 500)
    if fdp.ConsumeBool():
        kw["supply_country"] = ["DE", "NL", "XX", "", "de"][fdp.ConsumeIntInRange(0, 4)]
    res = fn(la1, lo1, la2, lo2, i, j, q, **kw)
    for name in ("great_circle_km", "route_km", "cost_usd", "co2e_kg"):
        if np.isnan(getattr(res, name)).any():
            raise AssertionError(f"cost_pairs returned NaN in {name}")
    return res


# ---- matching: native pair scoring (issue 6) ------------------------------------------------


def _score_tables(rng: np.random.Generator, ns: int, nd: int) -> tuple[dict[str, Any], dict[str, Any]]:
    s = dict(qty_t=rng.uniform(1, 100, ns), quality=rng.random(ns),
             mask=rng.integers(0, 4096, ns), disposal_usd_t=rng.uniform(0, 50, ns),
             disposal_co2e_kg_t=rng.uniform(0, 500, ns), fixed_usd_t=np.full(ns, 5.0),
             usd_per_tkm=np.full(ns, 0.1), co2e_kg_per_tkm=np.full(ns, 0.06),
             hazardous=(rng.random(ns) < 0.1).astype(float),
             country=rng.integers(0, 3, ns).astype(np.int64))
    d = dict(qty_t=rng.uniform(1, 100, nd), quality=rng.random(nd),
             mask=rng.integers(0, 4096, nd), virgin_usd_t=rng.uniform(0, 300, nd),
             virgin_co2e_kg_t=rng.uniform(0, 900, nd),
             country=rng.integers(0, 3, nd).astype(np.int64))
    return s, d


def _n_pair_features() -> int:
    from symbioflows import _core

    return int(_core.NUM_PAIR_FEATURES)


def _score_inputs(rng: np.random.Generator) -> dict[str, Any]:
    ns, nd, m = 300, 400, 40_000
    s, d = _score_tables(rng, ns, nd)
    return {"si": rng.integers(0, ns, m), "di": rng.integers(0, nd, m),
            "dist": rng.uniform(0, 300, m), "fit": rng.uniform(0, 1, m),
            "sfit": rng.normal(0, 1, m), "link": rng.uniform(0, 1, m), "s": s, "d": d,
            "w": rng.normal(0, 1, _n_pair_features())}


def _score_call(fn: Callable[..., Any], x: dict[str, Any], n_jobs: int | None) -> Any:
    return fn(x["si"], x["di"], x["dist"], x["fit"], x["sfit"], x["s"], x["d"], 1.3, x["w"],
              0.0, n_threads=n_jobs or 0, link_score=x["link"])


def _score_fuzz(fn: Callable[..., Any], fdp: Any) -> Any:
    ns, nd, m = fdp.ConsumeIntInRange(0, 4), fdp.ConsumeIntInRange(0, 4), fdp.ConsumeIntInRange(0, 8)
    s, d = _score_tables(np.random.default_rng(fdp.ConsumeIntInRange(0, 3)), ns, nd)
    for table in (s, d):  # plant odd values in one column of each table
        key = sorted(table)[fdp.ConsumeIntInRange(0, len(table) - 1)]
        n = len(table[key])
        if key in ("mask", "country"):
            table[key] = np.array(fdp.ConsumeIntListInRange(n, -2, 70_000), dtype=np.int64)
        else:
            table[key] = np.array(fuzz_floats(fdp, n, -1e3, 1e3))
    si, di = fuzz_ids(fdp, m, ns), fuzz_ids(fdp, m, nd)
    cols = [np.array(fuzz_floats(fdp, m + fdp.ConsumeIntInRange(-1, 1) * fdp.ConsumeIntInRange(0, 1),
                                 -10, 1e4)) for _ in range(3)]
    link = np.array(fuzz_floats(fdp, m, -1, 2)) if fdp.ConsumeBool() else None
    w = np.array(fuzz_floats(fdp, _n_pair_features() + fdp.ConsumeIntInRange(-1, 0), -5, 5))
    feats, score = fn(si, di, cols[0], cols[1], cols[2], s, d, fuzz_float(fdp, 0.5, 3), w,
                      fuzz_float(fdp, -3, 3), n_threads=fdp.ConsumeIntInRange(1, 3), link_score=link)
    if np.isnan(score).any() or ((score <= 0) | (score > 1)).any():
        raise AssertionError("score_pairs returned a score outside (0, 1]")
    return feats, score


# ---- matching: allocation (issue 6) ---------------------------------------------------------


def _alloc_inputs(rng: np.random.Generator) -> dict[str, Any]:
    ns, nd, m = 40, 50, 300
    return {"s": rng.uniform(0, 100, ns).round(2), "d": rng.uniform(0, 100, nd).round(2),
            "ps": rng.integers(0, ns, m), "pd": rng.integers(0, nd, m),
            "v": rng.uniform(-5, 50, m).round(2)}


def _alloc_call(fn: Callable[..., Any], x: dict[str, Any], n_jobs: int | None) -> Any:
    return fn(x["s"], x["d"], x["ps"], x["pd"], x["v"])


def _alloc_fuzz(fn: Callable[..., Any], fdp: Any) -> Any:
    ns, nd, m = fdp.ConsumeIntInRange(0, 5), fdp.ConsumeIntInRange(0, 5), fdp.ConsumeIntInRange(0, 10)
    s = np.array(fuzz_floats(fdp, ns, -5, 1e4))
    d = np.array(fuzz_floats(fdp, nd, -5, 1e4))
    ps, pd_ = fuzz_ids(fdp, m, ns), fuzz_ids(fdp, m, nd)
    v = np.array(fuzz_floats(fdp, m, -1e3, 1e3))
    kw: dict[str, Any] = {"method": ("min_cost_flow", "lp", "greedy", "bogus")[fdp.ConsumeIntInRange(0, 3)]}
    if fdp.ConsumeBool():
        kw["pair_capacity_t"] = np.array(fuzz_floats(fdp, m, -1, 1e3))
    if fdp.ConsumeBool():
        kw["time_limit_s"] = fuzz_float(fdp, 0.0, 1.0)
    res = fn(s, d, ps, pd_, v, **kw)
    if res.status == "optimal" and not np.isfinite(res.flows_t).all():
        raise AssertionError("optimal allocation with non-finite flows")
    return res


def _alloc_greedy_fuzz(fn: Callable[..., Any], fdp: Any) -> Any:
    ns, nd, m = fdp.ConsumeIntInRange(0, 5), fdp.ConsumeIntInRange(0, 5), fdp.ConsumeIntInRange(0, 10)
    return fn(np.array(fuzz_floats(fdp, ns, -5, 1e4)), np.array(fuzz_floats(fdp, nd, -5, 1e4)),
              fuzz_ids(fdp, m, ns), fuzz_ids(fdp, m, nd), np.array(fuzz_floats(fdp, m, -1e3, 1e3)))


# ---- matching: candidate generation (issue 6) -----------------------------------------------


def _cand_inputs(rng: np.random.Generator) -> dict[str, Any]:
    ns, nd, ng = 600, 700, 5
    return {"s_lat": rng.uniform(50, 52, ns), "s_lon": rng.uniform(4, 7, ns),
            "s_group": rng.integers(0, ng, ns), "s_company": rng.integers(0, 300, ns),
            "radius": rng.uniform(5, 80, ns), "d_lat": rng.uniform(50, 52, nd),
            "d_lon": rng.uniform(4, 7, nd), "d_group": rng.integers(0, ng, nd),
            "d_company": rng.integers(0, 300, nd),
            "compat": (rng.uniform(0, 1, (ng, ng)) * (rng.uniform(0, 1, (ng, ng)) > 0.4)).round(2)}


def _cand_call(method: str, cap: int = 0) -> Call:
    def call(fn: Callable[..., Any], x: dict[str, Any], n_jobs: int | None) -> Any:
        return fn(x["s_lat"], x["s_lon"], x["s_group"], x["s_company"], x["radius"], x["d_lat"],
                  x["d_lon"], x["d_group"], x["d_company"], x["compat"], max_per_supply=cap,
                  method=method, n_jobs=n_jobs)

    return call


def _cand_fuzz(fn: Callable[..., Any], fdp: Any) -> Any:
    ns, nd, ng = fdp.ConsumeIntInRange(0, 6), fdp.ConsumeIntInRange(0, 6), fdp.ConsumeIntInRange(0, 3)
    s_lat, s_lon = np.array(fuzz_floats(fdp, ns, -95, 95)), np.array(fuzz_floats(fdp, ns, -185, 185))
    d_lat, d_lon = np.array(fuzz_floats(fdp, nd, -95, 95)), np.array(fuzz_floats(fdp, nd, -185, 185))
    radius = np.array(fuzz_floats(fdp, ns, -10, 20_100))
    compat = np.array(fuzz_floats(fdp, ng * ng, -0.5, 1.5)).reshape(ng, ng)
    res = fn(s_lat, s_lon, fuzz_ids(fdp, ns, ng), fuzz_ids(fdp, ns, 4), radius, d_lat, d_lon,
             fuzz_ids(fdp, nd, ng), fuzz_ids(fdp, nd, 4), compat,
             max_per_supply=fdp.ConsumeIntInRange(-1, 4),
             method=("grid", "all_pairs", "kdtree")[fdp.ConsumeIntInRange(0, 2)],
             n_jobs=fdp.ConsumeIntInRange(1, 3))
    for v in vars(res).values() if hasattr(res, "__dict__") else ():
        if isinstance(v, np.ndarray) and v.dtype.kind == "f" and np.isnan(v).any():
            raise AssertionError("find_candidates returned NaN")
    return res


# ---- materials: EWC normalisation (pure Python, shared cache) -------------------------------


def _ewc_inputs(rng: np.random.Generator) -> dict[str, Any]:
    table = resolve("symbioflows.materials:ewc_table")()
    codes = list(table["code"].astype(str))
    pick = rng.choice(len(codes), 300)
    return {"codes": [codes[i].replace(" ", "") for i in pick]}


def _ewc_call(fn: Callable[..., Any], x: dict[str, Any], n_jobs: int | None) -> Any:
    return [fn(c) for c in x["codes"]]


def _ewc_fuzz(fn: Callable[..., Any], fdp: Any) -> Any:
    text = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 16))
    return fn(text, strict=fdp.ConsumeBool())


def _loader_known_open(exc: BaseException) -> bool:
    # No open loader findings (the duplicate-column KeyError is fixed; its regression test is
    # test_fuzz_findings.py::test_csv_with_duplicate_column_is_a_dataset_error).
    return False


KERNELS: list[Kernel] = [
    Kernel("great_circle_matrix", "symbioflows.logistics:great_circle_matrix",
           _gc_matrix_inputs, _gc_matrix_call, _gc_matrix_fuzz),
    Kernel("great_circle_pairs", "symbioflows.logistics:great_circle_pairs",
           _gc_pairs_inputs, _gc_pairs_call, _gc_pairs_fuzz, allowed=DOCUMENTED_AND_TYPE),
    Kernel("build_csr", "symbioflows.chains:build_csr",
           _csr_inputs, _csr_call, _csr_fuzz, n_jobs=False, allowed=DOCUMENTED_AND_TYPE),
    Kernel("normalize_ewc", "symbioflows.materials:normalize_ewc",
           _ewc_inputs, _ewc_call, _ewc_fuzz, n_jobs=False),
    Kernel("find_cycles", "symbioflows.chains:find_cycles", _cycles_inputs, _cycles_call,
           _cycles_fuzz, allowed=DOCUMENTED_AND_TYPE, needs=("symbioflows.chains:SymbiosisGraph",)),
    Kernel("find_cycles_topk", "symbioflows.chains:find_cycles", _cycles_inputs,
           _cycles_topk_call, None, needs=("symbioflows.chains:SymbiosisGraph",)),
    Kernel("find_paths", "symbioflows.chains:find_paths", _paths_inputs, _paths_call,
           _paths_fuzz, allowed=DOCUMENTED_AND_TYPE, needs=("symbioflows.chains:SymbiosisGraph",)),
    Kernel("read_dataset_csv", "symbioflows:read_dataset", _loader_kernel_inputs("csv"),
           _loader_call, _loader_fuzz("csv"), n_jobs=False, seeds=_loader_seeds("csv"),
           known_open=_loader_known_open),
    Kernel("read_dataset_parquet", "symbioflows:read_dataset", _loader_kernel_inputs("parquet"),
           _loader_call, _loader_fuzz("parquet"), n_jobs=False, seeds=_loader_seeds("parquet"),
           known_open=_loader_known_open),
    Kernel("read_dataset_json", "symbioflows:read_dataset", _loader_kernel_inputs("json"),
           _loader_call, _loader_fuzz("json"), n_jobs=False, seeds=_loader_seeds("json"),
           known_open=_loader_known_open),
    Kernel("top_k_compatible", "symbioflows.materials.compat:top_k_compatible", _sim_inputs,
           _sim_call, _sim_fuzz, allowed=DOCUMENTED_AND_TYPE),
    Kernel("top_k_compatible_classes", "symbioflows.materials.compat:top_k_compatible",
           _sim_inputs, _sim_classes_call, None),
    Kernel("cosine_similarity", "symbioflows.materials.compat:cosine_similarity", _sim_inputs,
           _cosine_call, _cosine_fuzz, allowed=DOCUMENTED_AND_TYPE),
    Kernel("cost_pairs", "symbioflows.logistics:cost_pairs", _cost_inputs, _cost_call,
           _cost_fuzz, allowed=DOCUMENTED_AND_TYPE),
    Kernel("score_pairs", "symbioflows._core:score_pairs", _score_inputs, _score_call,
           _score_fuzz, allowed=DOCUMENTED_AND_TYPE),
    Kernel("find_candidates_grid", "symbioflows.matching.candidates:find_candidates",
           _cand_inputs, _cand_call("grid"), _cand_fuzz, allowed=DOCUMENTED_AND_TYPE),
    Kernel("find_candidates_kdtree", "symbioflows.matching.candidates:find_candidates",
           _cand_inputs, _cand_call("kdtree", cap=5), None),
    Kernel("find_candidates_all_pairs", "symbioflows.matching.candidates:find_candidates",
           _cand_inputs, _cand_call("all_pairs", cap=5), None),
    Kernel("allocate", "symbioflows.matching:allocate", _alloc_inputs, _alloc_call, _alloc_fuzz,
           n_jobs=False, allowed=DOCUMENTED_AND_TYPE),
    Kernel("allocate_greedy", "symbioflows.matching:allocate_greedy", _alloc_inputs, _alloc_call,
           _alloc_greedy_fuzz, n_jobs=False, allowed=DOCUMENTED_AND_TYPE),
]

BY_NAME: dict[str, Kernel] = {k.name: k for k in KERNELS}


def available(kernels: Sequence[Kernel] = KERNELS) -> list[tuple[Kernel, Callable[..., Any]]]:
    out = []
    for k in kernels:
        fn = k.resolve()
        if fn is not None:
            out.append((k, fn))
    return out

#: Public name of :func:`_lookup` for the tools.
lookup = _lookup
