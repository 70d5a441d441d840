#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>

#include "common.hpp"
#include "symbioflows/geo.hpp"

namespace py = pybind11;
using namespace symbioflows;

namespace {

constexpr int64_t kMaxMatrixElements = int64_t(1) << 31;  // 16 GiB of doubles

}  // namespace

void bind_geo(py::module_& m) {
    m.attr("EARTH_RADIUS_KM") = kEarthRadiusKm;

    m.def(
        "haversine_matrix",
        [](const py::handle& lat1, const py::handle& lon1, const py::handle& lat2,
           const py::handle& lon2, int n_threads) {
            auto a_lat = bind::double_vector(lat1, "lat1"), a_lon = bind::double_vector(lon1, "lon1");
            auto b_lat = bind::double_vector(lat2, "lat2"), b_lon = bind::double_vector(lon2, "lon2");
            bind::check_coords(a_lat, a_lon, "points1");
            bind::check_coords(b_lat, b_lon, "points2");
            const int64_t n1 = static_cast<int64_t>(a_lat.size());
            const int64_t n2 = static_cast<int64_t>(b_lat.size());
            bind::checked_product(n1, n2, kMaxMatrixElements, "distance matrix");
            py::array_t<double> out({static_cast<py::ssize_t>(n1), static_cast<py::ssize_t>(n2)});
            double* o = out.mutable_data();
            bind::run_without_gil([&](const PollFn& poll) {
                haversine_matrix(a_lat.data(), a_lon.data(), n1, b_lat.data(), b_lon.data(), n2, o,
                                 n_threads, poll);
                return 0;
            });
            return out;
        },
        py::arg("lat1"), py::arg("lon1"), py::arg("lat2"), py::arg("lon2"), py::arg("n_threads") = 0,
        "Great-circle distance matrix in km (n1 x n2), haversine, GIL released.");

    m.def(
        "haversine_pairs",
        [](const py::handle& lat1, const py::handle& lon1, const py::handle& lat2,
           const py::handle& lon2, const py::handle& i, const py::handle& j, int n_threads) {
            auto a_lat = bind::double_vector(lat1, "lat1"), a_lon = bind::double_vector(lon1, "lon1");
            auto b_lat = bind::double_vector(lat2, "lat2"), b_lon = bind::double_vector(lon2, "lon2");
            bind::check_coords(a_lat, a_lon, "points1");
            bind::check_coords(b_lat, b_lon, "points2");
            auto vi = bind::int64_vector(i, "i"), vj = bind::int64_vector(j, "j");
            if (vi.size() != vj.size()) {
                throw InvalidInputError("i has " + std::to_string(vi.size()) + " values but j has " +
                                        std::to_string(vj.size()));
            }
            const int64_t n1 = static_cast<int64_t>(a_lat.size());
            const int64_t n2 = static_cast<int64_t>(b_lat.size());
            for (size_t k = 0; k < vi.size(); ++k) {
                if (vi[k] < 0 || vi[k] >= n1) {
                    throw UnknownNodeError("i[" + std::to_string(k) + "] = " + std::to_string(vi[k]) +
                                           " outside [0, " + std::to_string(n1) + ")");
                }
                if (vj[k] < 0 || vj[k] >= n2) {
                    throw UnknownNodeError("j[" + std::to_string(k) + "] = " + std::to_string(vj[k]) +
                                           " outside [0, " + std::to_string(n2) + ")");
                }
            }
            const int64_t mm = static_cast<int64_t>(vi.size());
            py::array_t<double> out(static_cast<py::ssize_t>(mm));
            double* o = out.mutable_data();
            bind::run_without_gil([&](const PollFn& poll) {
                haversine_pairs(a_lat.data(), a_lon.data(), b_lat.data(), b_lon.data(), vi.data(),
                                vj.data(), mm, o, n_threads, poll);
                return 0;
            });
            return out;
        },
        py::arg("lat1"), py::arg("lon1"), py::arg("lat2"), py::arg("lon2"), py::arg("i"),
        py::arg("j"), py::arg("n_threads") = 0,
        "Great-circle distances in km for candidate pairs (i[k], j[k]), GIL released.");
}
