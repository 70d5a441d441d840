"""Native CSR builder against the pure-Python reference."""

from __future__ import annotations

import pickle

from hypothesis import given
from hypothesis import strategies as st

from symbioflows.chains import _reference as ref
from symbioflows.chains import build_csr


@st.composite
def edge_lists(draw):
    n = draw(st.integers(0, 15))
    if n == 0:
        return 0, [], []
    m = draw(st.integers(0, 60))
    src = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    dst = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    return n, src, dst


@given(edge_lists())
def test_csr_matches_reference(case):
    n, src, dst = case
    g = build_csr(n, src, dst)
    indptr, targets, eids = ref.build_csr(n, src, dst)
    assert g.indptr.tolist() == indptr
    assert g.targets.tolist() == targets
    assert g.edge_ids.tolist() == eids
    assert g.n_edges == len(src)
    g2 = pickle.loads(pickle.dumps(g))
    assert g2.targets.tolist() == targets and g2.indptr.tolist() == indptr
    t = g.transpose()
    tindptr, ttargets, teids = ref.build_csr(n, dst, src)
    assert t.indptr.tolist() == tindptr and t.targets.tolist() == ttargets
    assert t.edge_ids.tolist() == teids
