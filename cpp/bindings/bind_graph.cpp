#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>

#include "common.hpp"
#include "symbioflows/graph.hpp"

namespace py = pybind11;
using namespace symbioflows;

namespace {
py::array_t<int64_t> copy_out(const std::vector<int64_t>& v) {
    std::vector<int64_t> c(v);
    return bind::to_numpy(std::move(c));
}
}  // namespace

void bind_graph(py::module_& m) {
    py::class_<CsrGraph>(m, "CsrGraph",
                         "Directed multigraph in CSR form (out-edges sorted by target, then edge id).")
        .def(py::init([](int64_t n_nodes, const py::handle& src, const py::handle& dst) {
                 auto s = bind::int64_vector(src, "src");
                 auto d = bind::int64_vector(dst, "dst");
                 if (s.size() != d.size()) {
                     throw InvalidInputError("src has " + std::to_string(s.size()) +
                                             " values but dst has " + std::to_string(d.size()));
                 }
                 return build_csr(n_nodes, s.data(), d.data(), static_cast<int64_t>(s.size()));
             }),
             py::arg("n_nodes"), py::arg("src"), py::arg("dst"))
        .def_property_readonly("n_nodes", [](const CsrGraph& g) { return g.n_nodes; })
        .def_property_readonly("n_edges", &CsrGraph::n_edges)
        .def_property_readonly("indptr", [](const CsrGraph& g) { return copy_out(g.indptr); })
        .def_property_readonly("targets", [](const CsrGraph& g) { return copy_out(g.targets); })
        .def_property_readonly("edge_ids", [](const CsrGraph& g) { return copy_out(g.edge_ids); })
        .def("out_degree",
             [](const CsrGraph& g) {
                 std::vector<int64_t> d(static_cast<size_t>(g.n_nodes));
                 for (int64_t u = 0; u < g.n_nodes; ++u) d[u] = g.out_degree(u);
                 return bind::to_numpy(std::move(d));
             })
        .def("successors",
             [](const CsrGraph& g, int64_t u) {
                 if (u < 0 || u >= g.n_nodes) {
                     throw UnknownNodeError("node " + std::to_string(u) + " outside [0, " +
                                            std::to_string(g.n_nodes) + ")");
                 }
                 std::vector<int64_t> s(g.targets.begin() + g.indptr[u],
                                        g.targets.begin() + g.indptr[u + 1]);
                 return bind::to_numpy(std::move(s));
             },
             py::arg("u"))
        .def("transpose", [](const CsrGraph& g) { return transpose(g); })
        .def("__repr__",
             [](const CsrGraph& g) {
                 return "<CsrGraph n_nodes=" + std::to_string(g.n_nodes) +
                        " n_edges=" + std::to_string(g.n_edges()) + ">";
             })
        .def(py::pickle(
            [](const CsrGraph& g) {
                return py::make_tuple(g.n_nodes, copy_out(g.indptr), copy_out(g.targets),
                                      copy_out(g.edge_ids));
            },
            [](const py::tuple& t) {
                if (t.size() != 4) throw InvalidInputError("bad CsrGraph pickle state");
                return csr_from_arrays(t[0].cast<int64_t>(), bind::int64_vector(t[1], "indptr"),
                                       bind::int64_vector(t[2], "targets"),
                                       bind::int64_vector(t[3], "edge_ids"));
            }));
}
