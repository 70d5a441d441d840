#include "symbioflows/graph.hpp"

#include <atomic>
#include <memory>
#include <string>

#include "symbioflows/errors.hpp"

namespace symbioflows {

namespace {
CsrGraph build_sorted(int64_t n_nodes, const int64_t* src, const int64_t* dst, int64_t m) {
    // Two stable counting-sort passes: by target, then by source -> rows sorted by
    // (source, target, edge id).
    std::vector<int64_t> count(static_cast<size_t>(n_nodes) + 1, 0);
    std::vector<int64_t> by_target(static_cast<size_t>(m));
    for (int64_t e = 0; e < m; ++e) ++count[dst[e] + 1];
    for (int64_t v = 0; v < n_nodes; ++v) count[v + 1] += count[v];
    for (int64_t e = 0; e < m; ++e) by_target[count[dst[e]]++] = e;

    CsrGraph g;
    g.n_nodes = n_nodes;
    g.indptr.assign(static_cast<size_t>(n_nodes) + 1, 0);
    for (int64_t e = 0; e < m; ++e) ++g.indptr[src[e] + 1];
    for (int64_t v = 0; v < n_nodes; ++v) g.indptr[v + 1] += g.indptr[v];
    std::vector<int64_t> pos(g.indptr.begin(), g.indptr.end() - 1);
    g.targets.resize(static_cast<size_t>(m));
    g.edge_ids.resize(static_cast<size_t>(m));
    for (int64_t k = 0; k < m; ++k) {
        const int64_t e = by_target[k];
        const int64_t p = pos[src[e]]++;
        g.targets[p] = dst[e];
        g.edge_ids[p] = e;
    }
    return g;
}
}  // namespace

CsrGraph build_csr(int64_t n_nodes, const int64_t* src, const int64_t* dst, int64_t m) {
    if (n_nodes < 0) throw InvalidInputError("n_nodes must be >= 0; got " + std::to_string(n_nodes));
    if (m < 0) throw InvalidInputError("number of edges must be >= 0; got " + std::to_string(m));
    for (int64_t e = 0; e < m; ++e) {
        if (src[e] < 0 || src[e] >= n_nodes || dst[e] < 0 || dst[e] >= n_nodes) {
            throw UnknownNodeError("edge " + std::to_string(e) + " (" + std::to_string(src[e]) +
                                   " -> " + std::to_string(dst[e]) +
                                   ") names a node outside [0, " + std::to_string(n_nodes) + ")");
        }
    }
    return build_sorted(n_nodes, src, dst, m);
}

CsrGraph transpose(const CsrGraph& g) {
    // One stable counting sort by head node.  Reading g row by row (tails ascending, each row
    // sorted by (head, edge id)) leaves every reverse row sorted by (tail, edge id): the same
    // order that build_csr gives the reversed edge list.
    const int64_t n = g.n_nodes, m = g.n_edges();
    CsrGraph t;
    t.n_nodes = n;
    t.indptr.assign(static_cast<size_t>(n) + 1, 0);
    for (int64_t p = 0; p < m; ++p) ++t.indptr[g.targets[p] + 1];
    for (int64_t v = 0; v < n; ++v) t.indptr[v + 1] += t.indptr[v];
    std::vector<int64_t> pos(t.indptr.begin(), t.indptr.end() - 1);
    t.targets.resize(static_cast<size_t>(m));
    t.edge_ids.resize(static_cast<size_t>(m));
    t.fwd_pos.resize(static_cast<size_t>(m));
    for (int64_t u = 0; u < n; ++u) {
        for (int64_t p = g.indptr[u]; p < g.indptr[u + 1]; ++p) {
            const int64_t q = pos[g.targets[p]]++;
            t.targets[q] = u;
            t.edge_ids[q] = g.edge_ids[p];
            t.fwd_pos[q] = p;
        }
    }
    return t;
}

const CsrGraph& CsrGraph::reverse() const {
    std::shared_ptr<const CsrGraph> r = std::atomic_load(&reverse_);
    if (!r) {
        auto built = std::make_shared<const CsrGraph>(transpose(*this));
        std::shared_ptr<const CsrGraph> expected;
        // keep the first copy stored; a concurrent builder's copy is dropped
        if (std::atomic_compare_exchange_strong(&reverse_, &expected, built)) {
            r = std::move(built);
        } else {
            r = std::move(expected);
        }
    }
    return *r;
}

CsrGraph csr_from_arrays(int64_t n_nodes, std::vector<int64_t> indptr,
                         std::vector<int64_t> targets, std::vector<int64_t> edge_ids) {
    if (n_nodes < 0 || static_cast<int64_t>(indptr.size()) != n_nodes + 1 || indptr[0] != 0 ||
        targets.size() != edge_ids.size() ||
        indptr.back() != static_cast<int64_t>(targets.size())) {
        throw InvalidInputError("inconsistent CSR arrays");
    }
    for (int64_t u = 0; u < n_nodes; ++u) {
        if (indptr[u + 1] < indptr[u]) throw InvalidInputError("CSR indptr is not monotone");
    }
    for (int64_t t : targets) {
        if (t < 0 || t >= n_nodes) throw UnknownNodeError("CSR target out of range");
    }
    CsrGraph g;
    g.n_nodes = n_nodes;
    g.indptr = std::move(indptr);
    g.targets = std::move(targets);
    g.edge_ids = std::move(edge_ids);
    return g;
}

}  // namespace symbioflows
