// Compressed sparse row (CSR) directed multigraph.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

namespace symbioflows {

// Out-adjacency of a directed multigraph on nodes 0..n_nodes-1.  For node u, its out-edges
// are positions indptr[u] .. indptr[u+1]-1, sorted by (target, original edge id); `targets`
// holds the head node and `edge_ids` the position of the edge in the input arrays, so
// parallel edges (e.g. different materials between the same two companies) are kept.
struct CsrGraph {
    int64_t n_nodes = 0;
    std::vector<int64_t> indptr;    // size n_nodes + 1
    std::vector<int64_t> targets;   // size n_edges
    std::vector<int64_t> edge_ids;  // size n_edges
    // Only in a graph made by transpose(): for each position, the position of the same edge
    // in the forward graph (so per-edge values gathered in forward order can be read from
    // the in-adjacency without another gather).
    std::vector<int64_t> fwd_pos;

    int64_t n_edges() const noexcept { return static_cast<int64_t>(targets.size()); }
    int64_t out_degree(int64_t u) const { return indptr[u + 1] - indptr[u]; }

    // The in-adjacency (transpose), built on first use and kept: the graph is immutable once
    // built, like the in-index that igraph keeps beside its out-index.  Safe to call from
    // several threads (the first callers may each build it; one copy is kept).
    const CsrGraph& reverse() const;

   private:
    mutable std::shared_ptr<const CsrGraph> reverse_;
};

// Build from edge lists.  Throws InvalidInputError for a negative n_nodes or m and
// UnknownNodeError for an endpoint outside [0, n_nodes).  O(n + m) (counting sort).
CsrGraph build_csr(int64_t n_nodes, const int64_t* src, const int64_t* dst, int64_t m);

// The reverse graph (in-adjacency), same edge ids, with fwd_pos filled.
CsrGraph transpose(const CsrGraph& g);

// Rebuild from raw arrays (pickling); validates the invariants.
CsrGraph csr_from_arrays(int64_t n_nodes, std::vector<int64_t> indptr,
                         std::vector<int64_t> targets, std::vector<int64_t> edge_ids);

}  // namespace symbioflows
