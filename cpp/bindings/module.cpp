// The single private extension module symbioflows._core.
#include <pybind11/pybind11.h>

#include "common.hpp"
#include "symbioflows/errors.hpp"

namespace py = pybind11;

// One bind_<domain>(m) per domain, defined in bind_<domain>.cpp.
void bind_graph(py::module_& m);
void bind_geo(py::module_& m);
void bind_similarity(py::module_& m);
void bind_logistics(py::module_& m);
void bind_chains(py::module_& m);
void bind_matching(py::module_& m);

PYBIND11_MODULE(_core, m) {
    m.doc() = "symbioflows native core (private: use the symbioflows.* modules)";

    // One translator from the C++ hierarchy (errors.hpp) to symbioflows.errors.
    py::module_ errors = py::module_::import("symbioflows.errors");
    // Leaked on purpose: the handles must outlive interpreter finalisation order.
    static PyObject* invalid = py::object(errors.attr("InvalidInputError")).release().ptr();
    static PyObject* unknown = py::object(errors.attr("UnknownNodeError")).release().ptr();
    static PyObject* limit = py::object(errors.attr("ResourceLimitError")).release().ptr();
    static PyObject* cancelled = py::object(errors.attr("CancelledError")).release().ptr();
    static PyObject* base = py::object(errors.attr("SymbioflowsError")).release().ptr();
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const symbioflows::UnknownNodeError& e) {
            PyErr_SetString(unknown, e.what());
        } catch (const symbioflows::InvalidInputError& e) {
            PyErr_SetString(invalid, e.what());
        } catch (const symbioflows::ResourceLimitError& e) {
            PyErr_SetString(limit, e.what());
        } catch (const symbioflows::Cancelled& e) {
            PyErr_SetString(cancelled, e.what());
        } catch (const symbioflows::Error& e) {
            PyErr_SetString(base, e.what());
        }
    });

    bind_graph(m);
    bind_geo(m);
    bind_similarity(m);
    bind_logistics(m);
    bind_chains(m);
    bind_matching(m);
}
