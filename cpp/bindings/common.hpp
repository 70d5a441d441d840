// Helpers shared by the bind_<domain>.cpp files: checked conversion of numpy arrays into
// native-owned buffers (done while holding the GIL), and running a kernel with the GIL
// released while Ctrl-C stays responsive.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "symbioflows/errors.hpp"
#include "symbioflows/parallel.hpp"

namespace symbioflows::bind {
namespace py = pybind11;

// 1-D integer array -> C-contiguous int64 view (converted only when the dtype differs).
// Refuses float/bool/object dtypes (no silent truncation of 1.7 or NaN) and uint64 values
// above INT64_MAX.  The view may alias the caller's buffer: copy before releasing the GIL
// unless the kernel copies block by block itself.
inline py::array_t<int64_t> int64_view(const py::handle& obj, const char* name) {
    py::array arr = py::array::ensure(obj);
    if (!arr) throw py::type_error(std::string(name) + ": expected an integer array");
    const char kind = arr.dtype().kind();
    if (kind != 'i' && kind != 'u') {
        throw py::type_error(std::string(name) + ": expected an integer array; got dtype " +
                             std::string(py::str(arr.dtype())) + " (cast ids with astype('int64') after checking them)");
    }
    if (arr.ndim() != 1) {
        throw InvalidInputError(std::string(name) + ": expected a 1-D array; got ndim=" +
                                std::to_string(arr.ndim()));
    }
    if (kind == 'u' && arr.dtype().itemsize() == 8) {
        auto u = py::array_t<uint64_t, py::array::forcecast>::ensure(arr);
        auto r = u.unchecked<1>();
        for (py::ssize_t k = 0; k < r.shape(0); ++k) {
            if (r(k) > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
                throw InvalidInputError(std::string(name) + "[" + std::to_string(k) +
                                        "] = " + std::to_string(r(k)) + " does not fit in int64");
            }
        }
    }
    return py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(arr);
}

// 1-D integer array -> std::vector<int64_t> (a native-owned copy of int64_view).
inline std::vector<int64_t> int64_vector(const py::handle& obj, const char* name) {
    auto a = int64_view(obj, name);
    const int64_t* p = a.data();
    return std::vector<int64_t>(p, p + a.size());
}

// 1-D real array -> C-contiguous float64 view (converted only when needed).  Refuses
// object/complex/string dtypes.  Same aliasing caveat as int64_view.
inline py::array_t<double> float64_view(const py::handle& obj, const char* name) {
    py::array arr = py::array::ensure(obj);
    if (!arr) throw py::type_error(std::string(name) + ": expected a numeric array");
    const char kind = arr.dtype().kind();
    if (kind != 'f' && kind != 'i' && kind != 'u' && kind != 'b') {
        throw py::type_error(std::string(name) + ": expected a real numeric array; got dtype " +
                             std::string(py::str(arr.dtype())));
    }
    if (arr.ndim() != 1) {
        throw InvalidInputError(std::string(name) + ": expected a 1-D array; got ndim=" +
                                std::to_string(arr.ndim()));
    }
    return py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(arr);
}

// 1-D real array -> std::vector<double> (copy).  When `finite` is set, NaN/inf raise
// InvalidInputError naming the first bad position.
inline std::vector<double> double_vector(const py::handle& obj, const char* name,
                                         bool finite = true) {
    auto a = float64_view(obj, name);
    std::vector<double> out(a.data(), a.data() + a.size());
    if (finite) {
        for (size_t k = 0; k < out.size(); ++k) {
            if (!std::isfinite(out[k])) {
                throw InvalidInputError(std::string(name) + "[" + std::to_string(k) +
                                        "] is not finite (" + std::to_string(out[k]) +
                                        "); drop or fill that row");
            }
        }
    }
    return out;
}

// Wrap a std::vector into a numpy array without a copy (the vector is moved to the heap
// and owned by a capsule).
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& v) {
    auto* heap = new std::vector<T>(std::move(v));
    py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<T>*>(p); });
    return py::array_t<T>({static_cast<py::ssize_t>(heap->size())}, {sizeof(T)}, heap->data(),
                          owner);
}

// Run `fn(poll)` with the GIL released.  `poll` re-acquires the GIL briefly and runs
// PyErr_CheckSignals, so a Ctrl-C in the main thread cancels the kernel and the
// KeyboardInterrupt propagates.
template <class Fn>
auto run_without_gil(Fn&& fn) -> decltype(fn(std::declval<const PollFn&>())) {
    PollFn poll = []() -> bool {
        py::gil_scoped_acquire acquire;
        return PyErr_CheckSignals() != 0;
    };
    try {
        py::gil_scoped_release release;
        return fn(poll);
    } catch (const Cancelled&) {
        if (PyErr_Occurred()) throw py::error_already_set();
        throw;
    }
}

// Latitude and longitude columns of one point set (degrees, already finite): same length,
// lat in [-90, 90], lon in [-180, 180]; the error names the set, the row and the value.
inline void check_coords(const std::vector<double>& lat, const std::vector<double>& lon,
                         const char* which) {
    if (lat.size() != lon.size()) {
        throw InvalidInputError(std::string(which) + ": lat has " + std::to_string(lat.size()) +
                                " values but lon has " + std::to_string(lon.size()));
    }
    for (size_t k = 0; k < lat.size(); ++k) {
        if (lat[k] < -90.0 || lat[k] > 90.0) {
            throw InvalidInputError(std::string(which) + " row " + std::to_string(k) +
                                    ": lat=" + std::to_string(lat[k]) +
                                    " outside [-90, 90] (are lat and lon swapped?)");
        }
        if (lon[k] < -180.0 || lon[k] > 180.0) {
            throw InvalidInputError(std::string(which) + " row " + std::to_string(k) +
                                    ": lon=" + std::to_string(lon[k]) + " outside [-180, 180]");
        }
    }
}

// Check that a product of sizes fits and stays below `limit` elements.
inline int64_t checked_product(int64_t a, int64_t b, int64_t limit, const char* what) {
    if (a < 0 || b < 0) throw InvalidInputError(std::string(what) + ": negative size");
    if (a != 0 && b > limit / a) {
        throw ResourceLimitError(std::string(what) + ": " + std::to_string(a) + " x " +
                                 std::to_string(b) + " elements exceeds the limit of " +
                                 std::to_string(limit) + "; use the pairwise/blocked API");
    }
    return a * b;
}

}  // namespace symbioflows::bind
