"""Regression tests for what the fuzzers found, one per finding, written as a direct call.

Fixed findings are plain tests.  Findings in code owned by another part of the project that
are not fixed yet are ``xfail(strict=True)`` with the diagnosis: when the fix lands the test
XPASSes, strict turns that into a failure, and the marker is removed so the test guards the
fix from then on.  The raw fuzzer inputs of fixed native crashes live in fuzz/regressions/.
"""

from __future__ import annotations

import numpy as np
import pytest

from symbioflows.errors import InvalidInputError
from symbioflows.testing.reliability_kernels import _lookup


def _need(spec: str):
    fn = _lookup(spec)
    if fn is None:
        pytest.skip(f"{spec} not on this branch yet")
    return fn


# FIXED (found by fuzz/fuzz_kernel.py top_k_compatible, 2026-11-27): w_similarity=4.68e295 is
# finite as a double but inf in float32; inf * 0 gave NaN scores.  materials/compat.py now
# refuses weights beyond +-1e6 (InvalidInputError).
def test_top_k_compatible_huge_weight_gives_no_nan():
    top_k_compatible = _need("symbioflows.materials.compat:top_k_compatible")
    q = np.zeros((1, 1), dtype=np.float16)
    c = np.array([[-10.0], [4.84379772]])
    try:
        r = top_k_compatible(q, c, k=2, n_jobs=2, w_similarity=4.678570306380357e295)
    except InvalidInputError:
        return
    assert not np.isnan(r.score).any(), r


# FIXED (data/io.py _read_parquet decodes the schema names inside its try block): found by the
# malformed-file run, tests/reliability/test_adversarial.py, 2026-11-27.
def test_parquet_with_non_utf8_column_name_is_a_dataset_error(tmp_path):
    import io

    import pyarrow.parquet as pq

    from symbioflows.errors import InvalidDatasetError
    from symbioflows.testing.reliability_kernels import sample_tables, write_dataset_files

    read_dataset = _need("symbioflows:read_dataset")
    write_dataset_files(sample_tables(4, 0), tmp_path, "parquet")
    t = pq.read_table(tmp_path / "exchanges.parquet")
    buf = io.BytesIO()
    pq.write_table(t, buf, store_schema=False)
    (tmp_path / "exchanges.parquet").write_bytes(buf.getvalue().replace(b"status", b"st\xe4tus"))
    with pytest.raises(InvalidDatasetError):
        read_dataset(tmp_path)


# FIXED (data/io.py _check_parquet_text validates the text columns of a Parquet file): found by
# the malformed-file run of tools/reliability_figures.py, 2026-11-28 (Latin-1 bytes in a text
# value escaped as UnicodeDecodeError when the value was decoded during validation).
def test_parquet_with_non_utf8_text_value_is_a_dataset_error(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from symbioflows.errors import InvalidDatasetError
    from symbioflows.testing.reliability_kernels import sample_tables, write_dataset_files

    read_dataset = _need("symbioflows:read_dataset")
    write_dataset_files(sample_tables(4, 0), tmp_path, "parquet")
    t = pq.read_table(tmp_path / "companies.parquet")
    i = next(k for k, f in enumerate(t.schema) if pa.types.is_string(f.type))
    vals = [v.encode() + b"\xe4" if v is not None else None for v in t.column(i).to_pylist()]
    bad = pa.array(vals, pa.binary()).view(pa.string())
    pq.write_table(t.set_column(i, t.schema[i].name, bad), tmp_path / "companies.parquet")
    with pytest.raises(InvalidDatasetError):
        read_dataset(tmp_path)


# FIXED on the matching branch (found by fuzz/fuzz_kernel.py allocate, 2026-11-27):
# allocate(method='lp', time_limit_s=1e300) raised a bare OverflowError from OR-tools'
# Solver.SetTimeLimit (int64 milliseconds); the limit is now clamped.
def test_allocate_huge_finite_time_limit():
    allocate = _need("symbioflows.matching:allocate")
    try:
        res = allocate([1.0], [1.0], [0], [0], [1.0], method="lp", time_limit_s=1e300)
    except InvalidInputError:
        return
    assert res.status == "optimal"


# FIXED on the matching branch (found by fuzz/fuzz_kernel.py allocate, 2026-11-27):
# capacities near 1e308 overflowed the total supply to inf in the min-cost-flow scaling and gave
# status='optimal' with NaN flows; capacities whose sum is not finite are now refused with
# InvalidInputError.
def test_allocate_huge_capacities_never_optimal_nan():
    import warnings

    allocate = _need("symbioflows.matching:allocate")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            res = allocate([1e308, 1e308], [1e308], [0, 1], [0, 0], [1.0, 2.0])
        except InvalidInputError:
            return
    assert not (res.status == "optimal" and not np.isfinite(res.flows_t).all()), res


def test_allocate_lp_tiny_value_is_solved():
    """FIXED on main (found by hypothesis, tests/property/test_allocation_property.py under the
    random `dev` profile during tools/sanitizer_suite.sh, 2026-11-27): allocate(method='lp')
    returned status='error' (GLOP status 4, ABNORMAL) for one pair with value_per_t=7.3e-280."""
    allocate = _need("symbioflows.matching:allocate")
    res = allocate([1.0], [1.0], [0], [0], [7.305792404332229e-280], method="lp")
    assert res.status == "optimal", res


# FIXED (data/validation.py _check_columns keeps the first of each repeated column after
# reporting it): found by fuzz/fuzz_kernel.py read_dataset_csv, 2026-11-27.
def test_csv_with_duplicate_column_is_a_dataset_error(tmp_path):
    from symbioflows.errors import InvalidDatasetError
    from symbioflows.testing.reliability_kernels import sample_tables, write_dataset_files

    read_dataset = _need("symbioflows:read_dataset")
    write_dataset_files(sample_tables(4, 0), tmp_path, "csv")
    f = tmp_path / "streams.csv"
    lines = f.read_text().splitlines()
    header = lines[0].split(",")
    q = header.index('"quality"')
    rows = [ln + "," + ln.split(",")[q] if i else ln + ',"quality"' for i, ln in enumerate(lines)]
    f.write_text("\n".join(rows) + "\n")
    with pytest.raises(InvalidDatasetError):
        read_dataset(tmp_path)
