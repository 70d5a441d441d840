// Bindings of the fused distance + transport costing kernel (costing.hpp).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cmath>
#include <limits>
#include <algorithm>
#include <string>
#include <vector>

#include "common.hpp"
#include "symbioflows/costing.hpp"

namespace py = pybind11;
using namespace symbioflows;

namespace {

void check_points(const std::vector<double>& lat, const std::vector<double>& lon,
                  const std::vector<double>& circ, const char* which) {
    bind::check_coords(lat, lon, which);
    if (circ.size() != lat.size()) {
        throw InvalidInputError(std::string(which) + ": lat and circuity have " +
                                std::to_string(lat.size()) + " and " + std::to_string(circ.size()) +
                                " values");
    }
    for (size_t k = 0; k < circ.size(); ++k) {
        if (!(circ[k] >= 1.0)) {
            throw InvalidInputError(std::string(which) + " row " + std::to_string(k) +
                                    ": road circuity " + std::to_string(circ[k]) +
                                    " must be >= 1");
        }
    }
}

std::vector<double> mode_column(const py::handle& obj, const char* name, size_t n,
                                bool allow_inf) {
    auto v = bind::double_vector(obj, name, /*finite=*/false);
    if (v.size() != n) {
        throw InvalidInputError(std::string(name) + ": expected " + std::to_string(n) +
                                " values (one per mode); got " + std::to_string(v.size()));
    }
    for (size_t k = 0; k < n; ++k) {
        if (std::isnan(v[k]) || (!allow_inf && std::isinf(v[k]))) {
            throw InvalidInputError(std::string(name) + "[" + std::to_string(k) +
                                    "] is not a finite number");
        }
        if (v[k] < 0.0 && std::string(name) != "payload" && std::string(name) != "detour") {
            throw InvalidInputError(std::string(name) + "[" + std::to_string(k) + "] = " +
                                    std::to_string(v[k]) + " is negative");
        }
    }
    return v;
}


}  // namespace

void bind_logistics(py::module_& m) {
    m.attr("COSTING_MAX_MODES") = kMaxModes;
    m.attr("COSTING_NUM_MEDIA") = kNumMedia;
    m.def(
        "cost_pairs",
        [](const py::handle& lat1, const py::handle& lon1, const py::handle& circ1,
           const py::handle& lat2, const py::handle& lon2, const py::handle& circ2,
           const py::handle& i, const py::handle& j, const py::handle& quantity,
           const py::handle& medium, const py::handle& fixed_usd, const py::handle& usd_per_tkm,
           const py::handle& payload, const py::handle& co2e_kg_per_tkm,
           const py::handle& max_route_km, const py::handle& detour,
           const py::handle& medium_mask, uint32_t allowed_modes,
           double carbon_price_usd_per_kg, int n_threads) {
            auto a_lat = bind::double_vector(lat1, "lat1"), a_lon = bind::double_vector(lon1, "lon1");
            auto a_c = bind::double_vector(circ1, "circuity1");
            auto b_lat = bind::double_vector(lat2, "lat2"), b_lon = bind::double_vector(lon2, "lon2");
            auto b_c = bind::double_vector(circ2, "circuity2");
            check_points(a_lat, a_lon, a_c, "supply");
            check_points(b_lat, b_lon, b_c, "demand");
            // The pair columns are viewed here (converted only when the dtype or layout
            // differs) and snapshotted below, under the GIL, into the output arrays: the
            // kernel prices that one snapshot, so another Python thread that writes the
            // columns during the call cannot get rows priced with a mix of old and new
            // values (issue 18 item 11).  The snapshot runs on n_threads native threads and
            // needs no buffer of its own (a serial copy into fresh vectors doubled the
            // single-thread time at 10M pairs).  The kernel still checks every value
            // (ranges, NaN, signs) in its parallel pass.
            const auto ai = bind::int64_view(i, "i");
            const auto aj = bind::int64_view(j, "j");
            const auto aq = bind::float64_view(quantity, "quantity");
            // media: uint8 arrays are read as bytes, other integer dtypes as int64
            py::array med_arr = py::array::ensure(medium);
            const bool med_u8 = med_arr && med_arr.dtype().kind() == 'u' &&
                                med_arr.dtype().itemsize() == 1 && med_arr.ndim() == 1;
            py::array_t<uint8_t> amed8;
            py::array_t<int64_t> amed;
            if (med_u8) {
                amed8 = py::array_t<uint8_t, py::array::c_style | py::array::forcecast>::ensure(med_arr);
            } else {
                amed = bind::int64_view(medium, "medium");
            }
            const int64_t n_med = med_u8 ? static_cast<int64_t>(amed8.size())
                                         : static_cast<int64_t>(amed.size());
            const int64_t mm = static_cast<int64_t>(ai.size());
            if (static_cast<int64_t>(aj.size()) != mm || static_cast<int64_t>(aq.size()) != mm ||
                n_med != mm) {
                throw InvalidInputError("i, j, quantity and medium have " + std::to_string(mm) +
                                        ", " + std::to_string(aj.size()) + ", " +
                                        std::to_string(aq.size()) + " and " +
                                        std::to_string(n_med) + " values");
            }
            const int64_t n1 = static_cast<int64_t>(a_lat.size());
            const int64_t n2 = static_cast<int64_t>(b_lat.size());
            auto mask64 = bind::int64_vector(medium_mask, "medium_mask");
            const size_t nmodes = mask64.size();
            if (nmodes > static_cast<size_t>(kMaxModes)) {
                throw InvalidInputError("at most " + std::to_string(kMaxModes) +
                                        " transport modes; got " + std::to_string(nmodes));
            }
            auto f = mode_column(fixed_usd, "fixed_usd", nmodes, false);
            auto c = mode_column(usd_per_tkm, "usd_per_tkm", nmodes, false);
            auto p = mode_column(payload, "payload", nmodes, false);
            auto e = mode_column(co2e_kg_per_tkm, "co2e_kg_per_tkm", nmodes, false);
            auto x = mode_column(max_route_km, "max_route_km", nmodes, true);
            auto d = mode_column(detour, "detour", nmodes, false);
            std::vector<uint32_t> mask(nmodes);
            for (size_t k = 0; k < nmodes; ++k) {
                if (mask64[k] < 0 || mask64[k] >= (int64_t(1) << kNumMedia)) {
                    throw InvalidInputError("medium_mask[" + std::to_string(k) + "] out of range");
                }
                mask[k] = static_cast<uint32_t>(mask64[k]);
            }
            if (!std::isfinite(carbon_price_usd_per_kg) || carbon_price_usd_per_kg < 0.0) {
                throw InvalidInputError("carbon price must be finite and >= 0; got " +
                                        std::to_string(carbon_price_usd_per_kg));
            }
            ModeTable modes;
            modes.n_modes = static_cast<int32_t>(nmodes);
            modes.fixed_usd = f.data();
            modes.usd_per_tkm = c.data();
            modes.payload = p.data();
            modes.co2e_kg_per_tkm = e.data();
            modes.max_route_km = x.data();
            modes.detour = d.data();
            modes.medium_mask = mask.data();
            const auto sz = static_cast<py::ssize_t>(mm);
            py::array_t<double> gc(sz), route(sz), cost(sz), co2(sz);
            py::array_t<int8_t> mode(sz);
            const std::vector<Site> s1 = bind::run_without_gil([&](const PollFn& poll) {
                return pack_sites(a_lat.data(), a_lon.data(), a_c.data(), n1, n_threads, poll);
            });
            const std::vector<Site> s2 = bind::run_without_gil([&](const PollFn& poll) {
                return pack_sites(b_lat.data(), b_lon.data(), b_c.data(), n2, n_threads, poll);
            });
            PairCostOutput out;
            out.great_circle_km = gc.mutable_data();
            out.route_km = route.mutable_data();
            out.cost_usd = cost.mutable_data();
            out.co2e_kg = co2.mutable_data();
            out.mode = mode.mutable_data();
            PairColumns pairs;
            pairs.i = ai.data();
            pairs.j = aj.data();
            pairs.quantity = aq.data();
            pairs.medium8 = med_u8 ? amed8.data() : nullptr;
            pairs.medium64 = med_u8 ? nullptr : amed.data();
            pairs.m = mm;
            snapshot_pairs(pairs, out, n_threads);  // GIL held: see above
            bind::run_without_gil([&](const PollFn& poll) {
                cost_pairs_snapshot(s1.data(), n1, s2.data(), n2, mm, med_u8, modes,
                                    allowed_modes, carbon_price_usd_per_kg, out, n_threads, poll);
                return 0;
            });
            return py::make_tuple(gc, route, cost, co2, mode);
        },
        py::arg("lat1"), py::arg("lon1"), py::arg("circuity1"), py::arg("lat2"), py::arg("lon2"),
        py::arg("circuity2"), py::arg("i"), py::arg("j"), py::arg("quantity"), py::arg("medium"),
        py::arg("fixed_usd"), py::arg("usd_per_tkm"), py::arg("payload"),
        py::arg("co2e_kg_per_tkm"), py::arg("max_route_km"), py::arg("detour"),
        py::arg("medium_mask"), py::arg("allowed_modes"), py::arg("carbon_price_usd_per_kg"),
        py::arg("n_threads") = 0,
        "Fused great-circle distance + transport costing of candidate pairs, GIL released. "
        "Returns (great_circle_km, route_km, cost_usd, co2e_kg, mode) arrays.");
}
