from __future__ import annotations

import numpy as np
import pytest

from symbioflows.chains import build_csr
from symbioflows.errors import InvalidInputError, UnknownNodeError


def test_parallel_edges_and_self_loops_kept():
    g = build_csr(2, [0, 0, 1, 1], [1, 1, 1, 0])
    assert g.n_edges == 4
    assert g.successors(0).tolist() == [1, 1]
    assert g.successors(1).tolist() == [0, 1]
    assert g.out_degree().tolist() == [2, 2]
    assert "n_edges=4" in repr(g)


@pytest.mark.parametrize("ids", [[1.7], [np.nan], [True]])
def test_float_or_bool_ids_refused(ids):
    with pytest.raises(TypeError):
        build_csr(3, np.array(ids), np.array(ids))


def test_out_of_range_and_mismatch():
    with pytest.raises(UnknownNodeError):
        build_csr(2, [0], [2])
    with pytest.raises(UnknownNodeError):
        build_csr(2, [-1], [0])
    with pytest.raises(InvalidInputError):
        build_csr(2, [0, 1], [0])
    with pytest.raises(InvalidInputError):
        build_csr(-1, [], [])
    with pytest.raises(InvalidInputError):
        build_csr(2, np.array([np.iinfo(np.uint64).max], dtype=np.uint64), np.array([0], dtype=np.uint64))


def test_successor_unknown_node():
    g = build_csr(1, [], [])
    with pytest.raises(UnknownNodeError):
        g.successors(5)
