// Multi-hop symbiosis: bounded enumeration and branch-and-bound top-k search of simple
// directed cycles (circular chains) and simple paths (cascades) in a CSR multigraph.
//
// Conventions
// * Chains are sequences of *edges* (positions in the caller's edge arrays), so parallel
//   edges between two companies (different materials) give distinct chains.
// * A cycle is reported once, in canonical rotation: it starts at its smallest node s and
//   only visits nodes > s.  Self-loops are cycles of length 1; min_length >= 2 is enforced
//   by the API, so they never appear (a self-loop inside a longer cycle would repeat a node).
// * Full enumeration order: by start node, then depth-first with out-edges in CSR order
//   (target, edge id).  The output is identical for any number of threads, including when
//   it is truncated by max_results or max_expansions (only time limits and cancellation are
//   timing-dependent).
// * Top-k order: score descending, then the edge-id sequence ascending (lexicographic).
//   Pruning compares with strict '<', so ties are never lost and the top-k is exactly the
//   first k of the full enumeration sorted by that order, whatever the thread count.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "symbioflows/graph.hpp"
#include "symbioflows/parallel.hpp"

namespace symbioflows {

enum class ChainScore : int {
    Product = 0,     // product of edge scores (each in (0, 1])
    Bottleneck = 1,  // minimum edge score
    Sum = 2,         // sum of a per-edge attribute (any finite reals)
};

struct ChainOptions {
    int64_t min_length = 2;         // cycles: edges; paths: ignored (paths have >= 1 edge)
    int64_t max_length = 6;         // cycles: edges; paths: max hops
    int64_t top_k = 0;              // 0 = full enumeration
    bool has_min_score = false;
    double min_score = 0.0;         // chains scoring < min_score are dropped (and pruned)
    ChainScore score = ChainScore::Product;
    int64_t max_results = INT64_MAX;     // full enumeration: stop after this many chains
    int64_t max_expansions = INT64_MAX;  // edges examined by the search, all threads together
    double time_limit_s = 0.0;           // <= 0: no time limit
    int n_threads = 1;
    std::atomic<int64_t>* progress = nullptr;  // incremented per finished work item
};

// std::vector whose resize() leaves elements uninitialised (output buffers are written once,
// in parallel, so a serial zero-fill would only add page faults and time).
template <class T>
struct DefaultInitAllocator : std::allocator<T> {
    template <class U>
    struct rebind {
        using other = DefaultInitAllocator<U>;
    };
    using std::allocator<T>::allocator;
    template <class U>
    void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};
template <class T>
using uvector = std::vector<T, DefaultInitAllocator<T>>;

// Flat result: chain c has edges edges[offsets[c] .. offsets[c+1]-1] (original edge ids).
struct ChainResultData {
    uvector<int64_t> offsets = uvector<int64_t>(1, 0);
    uvector<int64_t> edges;
    uvector<double> scores;  // per chain, as chosen by ChainOptions::score
    uvector<double> flow;    // per chain, bottleneck (minimum) of `tonnes`
    uvector<int64_t> group;  // paths: index of the source in `sources` (empty for cycles)
    bool truncated = false;
    std::string reason;          // "", "max_results", "max_expansions", "time_limit"
    int64_t n_expansions = 0;
    int64_t n_items = 0;         // work items (progress total)
};

// Number of work items the search will split into (for a progress bar total).
int64_t chain_work_items(int64_t n_nodes);

// Simple directed cycles with min_length <= length <= max_length.
//   score_w: per edge id, the values scored (edge score for Product/Bottleneck, the
//            attribute for Sum); tonnes: per edge id.  Both of size g.n_edges(), checked
//            by the kernel as it reads them (Product/Bottleneck: in (0, 1]; Sum: finite;
//            tonnes >= 0), each value read once (the arrays may be shared).
// Throws InvalidInputError for inconsistent options, Cancelled when `poll` asks to stop.
ChainResultData find_cycles(const CsrGraph& g, const double* score_w, const double* tonnes,
                            const ChainOptions& opt, const PollFn& poll = PollFn());

// Best simple paths with 1 .. opt.max_length edges from each source (to any node of
// `targets` when n_targets > 0, else ending anywhere).  With top_k > 0 the k best per
// source; otherwise all of them (up to max_results in total).  Per source, results are
// sorted by (score desc, edge-id sequence asc); sources keep the order given.
ChainResultData find_paths(const CsrGraph& g, const double* score_w, const double* tonnes,
                           const int64_t* sources, int64_t n_sources, const int64_t* targets,
                           int64_t n_targets, const ChainOptions& opt,
                           const PollFn& poll = PollFn());

}  // namespace symbioflows
