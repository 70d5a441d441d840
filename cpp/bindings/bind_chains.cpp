// Bindings of the chain search kernels (cycles and paths).  Options and node ids are checked
// while the GIL is held; the per-edge arrays are read in place (float64 views) and checked
// by the kernel as it gathers them, with the GIL released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <string>

#include "common.hpp"
#include "symbioflows/chains.hpp"
#include "symbioflows/graph.hpp"

namespace py = pybind11;
using namespace symbioflows;

namespace {

ChainScore parse_score(int kind) {
    if (kind < 0 || kind > 2) {
        throw InvalidInputError("score kind must be 0 (product), 1 (bottleneck) or 2 (sum); got " +
                                std::to_string(kind));
    }
    return static_cast<ChainScore>(kind);
}

// Per-edge arrays as float64 views of the caller's buffers (converted only when the dtype or
// layout differs); the kernel checks each value as it reads it, with the GIL released.
struct EdgeArrays {
    py::array_t<double> w, t;
};

EdgeArrays edge_arrays(const CsrGraph& g, const py::handle& score_w, const py::handle& tonnes) {
    EdgeArrays a{bind::float64_view(score_w, "score values"), bind::float64_view(tonnes, "tonnes")};
    const auto m = static_cast<py::ssize_t>(g.n_edges());
    if (a.w.size() != m) {
        throw InvalidInputError("score values: expected one per edge (" + std::to_string(m) +
                                "); got " + std::to_string(a.w.size()));
    }
    if (a.t.size() != m) {
        throw InvalidInputError("tonnes: expected one per edge (" + std::to_string(m) + "); got " +
                                std::to_string(a.t.size()));
    }
    return a;
}

ChainOptions make_options(int64_t min_length, int64_t max_length, int64_t top_k,
                          const py::object& min_score, int score, int64_t max_results,
                          int64_t max_expansions, double time_limit_s, int n_threads) {
    ChainOptions o;
    o.min_length = min_length;
    o.max_length = max_length;
    o.top_k = top_k;
    if (!min_score.is_none()) {
        o.has_min_score = true;
        o.min_score = min_score.cast<double>();
        if (std::isnan(o.min_score)) throw InvalidInputError("min_score is NaN");
    }
    o.score = parse_score(score);
    o.max_results = max_results;
    o.max_expansions = max_expansions;
    o.time_limit_s = time_limit_s;
    o.n_threads = n_threads;
    return o;
}

// Run `fn(poll)` without the GIL; the poll checks signals (Ctrl-C) and reports progress.
template <class Fn>
ChainResultData run_search(Fn&& fn, ChainOptions& opt, int64_t total, const py::object& progress) {
    std::atomic<int64_t> counter{0};
    opt.progress = &counter;
    PollFn poll = [&]() -> bool {
        py::gil_scoped_acquire acquire;
        if (PyErr_CheckSignals() != 0) return true;
        if (!progress.is_none()) {
            try {
                progress(counter.load(), total);
            } catch (py::error_already_set& e) {
                e.restore();
                return true;
            }
        }
        return false;
    };
    ChainResultData r;
    try {
        py::gil_scoped_release release;
        r = fn(poll);
    } catch (const Cancelled&) {
        if (PyErr_Occurred()) throw py::error_already_set();
        throw;
    }
    if (!progress.is_none()) progress(total, total);
    return r;
}

// uvector -> numpy without a copy (the vector is moved to the heap, owned by a capsule).
template <class T>
py::array_t<T> to_numpy(uvector<T>&& v) {
    auto* heap = new uvector<T>(std::move(v));
    py::capsule owner(heap, [](void* p) { delete static_cast<uvector<T>*>(p); });
    return py::array_t<T>({static_cast<py::ssize_t>(heap->size())}, {sizeof(T)}, heap->data(),
                          owner);
}

py::dict to_dict(ChainResultData&& r) {
    py::dict d;
    d["offsets"] = to_numpy(std::move(r.offsets));
    d["edges"] = to_numpy(std::move(r.edges));
    d["scores"] = to_numpy(std::move(r.scores));
    d["flow"] = to_numpy(std::move(r.flow));
    d["group"] = to_numpy(std::move(r.group));
    d["truncated"] = r.truncated;
    d["reason"] = r.reason;
    d["n_expansions"] = r.n_expansions;
    return d;
}

}  // namespace

void bind_chains(py::module_& m) {
    m.def("chain_work_items", &chain_work_items, py::arg("n_nodes"),
          "Number of work items (progress total) of a cycle search on n_nodes nodes.");
    m.def(
        "find_cycles",
        [](const CsrGraph& g, const py::handle& score_w, const py::handle& tonnes,
           int64_t min_length, int64_t max_length, int64_t top_k, const py::object& min_score,
           int score, int64_t max_results, int64_t max_expansions, double time_limit_s,
           int n_threads, const py::object& progress) {
            ChainOptions o = make_options(min_length, max_length, top_k, min_score, score,
                                          max_results, max_expansions, time_limit_s, n_threads);
            const EdgeArrays a = edge_arrays(g, score_w, tonnes);
            const double* w = a.w.data();
            const double* t = a.t.data();
            const int64_t total = chain_work_items(g.n_nodes);
            auto r = run_search(
                [&](const PollFn& poll) { return find_cycles(g, w, t, o, poll); }, o,
                total, progress);
            return to_dict(std::move(r));
        },
        py::arg("graph"), py::arg("score_values"), py::arg("tonnes"), py::kw_only(),
        py::arg("min_length") = 2, py::arg("max_length") = 6, py::arg("top_k") = 0,
        py::arg("min_score") = py::none(), py::arg("score") = 0,
        py::arg("max_results") = std::numeric_limits<int64_t>::max(),
        py::arg("max_expansions") = std::numeric_limits<int64_t>::max(),
        py::arg("time_limit_s") = 0.0, py::arg("n_threads") = 1,
        py::arg("progress") = py::none(),
        "Simple directed cycles (canonical rotation) as flat arrays; GIL released.\n"
        "score: 0 product, 1 bottleneck, 2 sum of score_values.  top_k=0: all.");

    m.def(
        "find_paths",
        [](const CsrGraph& g, const py::handle& score_w, const py::handle& tonnes,
           const py::handle& sources, const py::handle& targets, int64_t max_hops, int64_t top_k,
           const py::object& min_score, int score, int64_t max_results, int64_t max_expansions,
           double time_limit_s, int n_threads, const py::object& progress) {
            ChainOptions o = make_options(2, max_hops, top_k, min_score, score, max_results,
                                          max_expansions, time_limit_s, n_threads);
            const EdgeArrays a = edge_arrays(g, score_w, tonnes);
            const double* w = a.w.data();
            const double* t = a.t.data();
            auto src = bind::int64_vector(sources, "sources");
            std::vector<int64_t> tgt;
            if (!targets.is_none()) tgt = bind::int64_vector(targets, "targets");
            const int64_t total = static_cast<int64_t>(src.size());
            auto r = run_search(
                [&](const PollFn& poll) {
                    return find_paths(g, w, t, src.data(),
                                      static_cast<int64_t>(src.size()), tgt.data(),
                                      static_cast<int64_t>(tgt.size()), o, poll);
                },
                o, total, progress);
            return to_dict(std::move(r));
        },
        py::arg("graph"), py::arg("score_values"), py::arg("tonnes"), py::arg("sources"),
        py::kw_only(), py::arg("targets") = py::none(), py::arg("max_hops") = 4,
        py::arg("top_k") = 10, py::arg("min_score") = py::none(), py::arg("score") = 0,
        py::arg("max_results") = std::numeric_limits<int64_t>::max(),
        py::arg("max_expansions") = std::numeric_limits<int64_t>::max(),
        py::arg("time_limit_s") = 0.0, py::arg("n_threads") = 1,
        py::arg("progress") = py::none(),
        "Best simple paths per source (to targets or anywhere) as flat arrays; GIL released.\n"
        "Per source sorted by (score desc, edge ids asc).  top_k=0: all paths.");
}
