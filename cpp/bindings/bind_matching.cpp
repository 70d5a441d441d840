#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"
#include "symbioflows/matching.hpp"

namespace py = pybind11;
using namespace symbioflows;

namespace {

std::vector<int32_t> int32_vector(const py::handle& obj, const char* name, int64_t lo, int64_t hi) {
    auto v = bind::int64_vector(obj, name);
    std::vector<int32_t> out(v.size());
    for (size_t k = 0; k < v.size(); ++k) {
        if (v[k] < lo || v[k] > hi) {
            throw InvalidInputError(std::string(name) + "[" + std::to_string(k) + "] = " +
                                    std::to_string(v[k]) + " outside [" + std::to_string(lo) +
                                    ", " + std::to_string(hi) + "]");
        }
        out[k] = static_cast<int32_t>(v[k]);
    }
    return out;
}

void check_len(size_t got, size_t want, const char* name) {
    if (got != want) {
        throw InvalidInputError(std::string(name) + ": expected " + std::to_string(want) +
                                " values; got " + std::to_string(got));
    }
}

py::dict to_dict(CandidateResult&& r) {
    py::dict d;
    d["supply"] = bind::to_numpy(std::move(r.supply));
    d["demand"] = bind::to_numpy(std::move(r.demand));
    d["distance_km"] = bind::to_numpy(std::move(r.distance_km));
    d["material_fit"] = bind::to_numpy(std::move(r.material_fit));
    d["n_truncated"] = r.n_truncated;
    d["n_distance_evals"] = r.n_distance_evals;
    return d;
}

py::dict candidates_impl(int method, const py::handle& s_lat, const py::handle& s_lon,
                         const py::handle& s_group, const py::handle& s_company,
                         const py::handle& radius_km, const py::handle& d_lat,
                         const py::handle& d_lon, const py::handle& d_group,
                         const py::handle& d_company, const py::handle& compat, int64_t n_groups,
                         int64_t max_per_supply, int n_threads, const py::handle& s_tie,
                         const py::handle& d_tie) {
    if (n_groups <= 0 || n_groups > 1000000) {
        throw InvalidInputError("n_groups must be in [1, 1e6]; got " + std::to_string(n_groups));
    }
    if (max_per_supply < 0) throw InvalidInputError("max_per_supply must be >= 0 (0 = no cut)");
    auto slat = bind::double_vector(s_lat, "supply_lat"), slon = bind::double_vector(s_lon, "supply_lon");
    auto dlat = bind::double_vector(d_lat, "demand_lat"), dlon = bind::double_vector(d_lon, "demand_lon");
    bind::check_coords(slat, slon, "supplies");
    bind::check_coords(dlat, dlon, "demands");
    auto sg = int32_vector(s_group, "supply_group", 0, n_groups - 1);
    auto dg = int32_vector(d_group, "demand_group", 0, n_groups - 1);
    auto sc = bind::int64_vector(s_company, "supply_company");
    auto dc = bind::int64_vector(d_company, "demand_company");
    auto rad = bind::double_vector(radius_km, "radius_km");
    auto cm = bind::double_vector(compat, "compat");
    check_len(sg.size(), slat.size(), "supply_group");
    check_len(sc.size(), slat.size(), "supply_company");
    check_len(rad.size(), slat.size(), "radius_km");
    check_len(dg.size(), dlat.size(), "demand_group");
    check_len(dc.size(), dlat.size(), "demand_company");
    check_len(cm.size(), static_cast<size_t>(bind::checked_product(n_groups, n_groups, int64_t(1) << 40, "compat")), "compat");
    for (size_t k = 0; k < rad.size(); ++k) {
        if (!(rad[k] > 0.0)) {
            throw InvalidInputError("radius_km[" + std::to_string(k) + "] = " + std::to_string(rad[k]) +
                                    " must be > 0");
        }
    }
    std::vector<int64_t> st, dt;  // empty: tie ids are the row indices
    if (!s_tie.is_none()) {
        st = bind::int64_vector(s_tie, "supply_tie_id");
        check_len(st.size(), slat.size(), "supply_tie_id");
    }
    if (!d_tie.is_none()) {
        dt = bind::int64_vector(d_tie, "demand_tie_id");
        check_len(dt.size(), dlat.size(), "demand_tie_id");
    }
    StreamPoints sp{slat.data(), slon.data(), sg.data(), sc.data(), static_cast<int64_t>(slat.size()),
                    s_tie.is_none() ? nullptr : st.data()};
    StreamPoints dp{dlat.data(), dlon.data(), dg.data(), dc.data(), static_cast<int64_t>(dlat.size()),
                    d_tie.is_none() ? nullptr : dt.data()};
    CandidateResult r = bind::run_without_gil([&](const PollFn& poll) {
        const auto ng = static_cast<int32_t>(n_groups);
        if (method == 2) return kdtree_candidates(sp, rad.data(), dp, cm.data(), ng, max_per_supply, n_threads, poll);
        return method == 1 ? grid_candidates(sp, rad.data(), dp, cm.data(), ng, max_per_supply, n_threads, poll)
                           : all_pairs_candidates(sp, rad.data(), dp, cm.data(), ng, max_per_supply, n_threads, poll);
    });
    return to_dict(std::move(r));
}

}  // namespace

void bind_matching(py::module_& m) {
    const char* names[3] = {"all_pairs_candidates", "grid_candidates", "kdtree_candidates"};
    const char* docs[3] = {
        "Same as grid_candidates by brute force over all pairs (reference / baseline).",
        "Candidate (supply, demand) pairs within each supply's radius whose material groups "
        "are compatible, by a lat/lon grid (GIL released). Returns a dict of arrays. A cut to "
        "max_per_supply breaks distance ties by a hash of (supply_tie_id, demand_tie_id) "
        "(default: row positions), so co-located streams spread over the tied demands.",
        "Same as grid_candidates with one k-d tree per material group on 3D unit vectors; with "
        "max_per_supply = k the search prunes past the k-th nearest (GIL released)."};
    for (int method = 2; method >= 0; --method) {
        m.def(
            names[method],
            [method](const py::handle& s_lat, const py::handle& s_lon, const py::handle& s_group,
                     const py::handle& s_company, const py::handle& radius_km, const py::handle& d_lat,
                     const py::handle& d_lon, const py::handle& d_group, const py::handle& d_company,
                     const py::handle& compat, int64_t n_groups, int64_t max_per_supply, int n_threads,
                     const py::handle& s_tie, const py::handle& d_tie) {
                return candidates_impl(method, s_lat, s_lon, s_group, s_company, radius_km, d_lat, d_lon,
                                       d_group, d_company, compat, n_groups, max_per_supply, n_threads,
                                       s_tie, d_tie);
            },
            py::arg("supply_lat"), py::arg("supply_lon"), py::arg("supply_group"),
            py::arg("supply_company"), py::arg("radius_km"), py::arg("demand_lat"),
            py::arg("demand_lon"), py::arg("demand_group"), py::arg("demand_company"),
            py::arg("compat"), py::arg("n_groups"), py::arg("max_per_supply") = 0,
            py::arg("n_threads") = 0, py::arg("supply_tie_id") = py::none(),
            py::arg("demand_tie_id") = py::none(), docs[method]);
    }

    m.attr("NUM_PAIR_FEATURES") = kNumPairFeatures;
    // the pair-feature table (pair_features.hpp): ((name, unit, meaning), ...) in column order
    py::list table;
    for (const PairFeatureInfo& f : kPairFeatureTable) table.append(py::make_tuple(f.name, f.unit, f.meaning));
    m.attr("PAIR_FEATURES") = py::tuple(table);
    m.def(
        "score_pairs",
        [](const py::handle& s_idx, const py::handle& d_idx, const py::handle& distance_km,
           const py::handle& material_fit, const py::handle& sector_fit, py::dict supply, py::dict demand, double circuity,
           const py::handle& weights, double bias, int n_threads, const py::handle& link_score,
           const py::handle& text_rows, const py::handle& supply_text, const py::handle& demand_text) {
            // The six pair columns stay numpy views (no full-size copy under the GIL): the
            // kernel reads every value once in its parallel pass with the GIL released and
            // checks it there (indices within the tables, reals finite; the first bad row is
            // reported whatever the thread count), so a thread that mutates them meanwhile
            // cannot make it read out of bounds.  The views hold references, so the buffers
            // outlive the call.
            auto si = bind::int64_view(s_idx, "supply_index");
            auto di = bind::int64_view(d_idx, "demand_index");
            auto dist = bind::float64_view(distance_km, "distance_km");
            auto fit = bind::float64_view(material_fit, "material_fit");
            auto sfit = bind::float64_view(sector_fit, "sector_fit");
            py::array_t<double> lscore;
            if (!link_score.is_none()) lscore = bind::float64_view(link_score, "link_score");
            auto w = bind::double_vector(weights, "weights");
            const auto n = static_cast<size_t>(si.size());
            check_len(static_cast<size_t>(di.size()), n, "demand_index");
            check_len(static_cast<size_t>(dist.size()), n, "distance_km");
            check_len(static_cast<size_t>(fit.size()), n, "material_fit");
            check_len(static_cast<size_t>(sfit.size()), n, "sector_fit");
            if (!link_score.is_none()) check_len(static_cast<size_t>(lscore.size()), n, "link_score");
            check_len(w.size(), kNumPairFeatures, "weights");
            if (!std::isfinite(bias)) {
                throw InvalidInputError("bias = " + std::to_string(bias) + " must be finite");
            }
            if (!std::isfinite(circuity) || circuity < 1.0) {
                throw InvalidInputError("circuity = " + std::to_string(circuity) +
                                        " must be finite and >= 1 (road km per great-circle km)");
            }
            // stream tables: one value per stream, copied and checked here (O(streams))
            auto get = [](py::dict& t, const char* key, const char* table, bool finite) {
                if (!t.contains(key)) {
                    throw InvalidInputError(std::string(table) + " lacks '" + key +
                                            "'; pass one value per " + table + " stream");
                }
                return bind::double_vector(t[key], (std::string(table) + "." + key).c_str(), finite);
            };
            auto get_int = [](py::dict& t, const char* key, const char* table, int64_t hi) {
                if (!t.contains(key)) {
                    throw InvalidInputError(std::string(table) + " lacks '" + key +
                                            "'; pass one value per " + table + " stream");
                }
                return int32_vector(t[key], (std::string(table) + "." + key).c_str(), 0, hi);
            };
            auto s_q = get(supply, "qty_t", "supply", true), d_q = get(demand, "qty_t", "demand", true);
            const size_t ns = s_q.size(), nd = d_q.size();
            auto s_ql = get(supply, "quality", "supply", false), d_ql = get(demand, "quality", "demand", false);
            auto s_disp = get(supply, "disposal_usd_t", "supply", true);
            auto s_dco2 = get(supply, "disposal_co2e_kg_t", "supply", true);
            auto s_fix = get(supply, "fixed_usd_t", "supply", true);
            auto s_tkm = get(supply, "usd_per_tkm", "supply", true);
            auto s_co2 = get(supply, "co2e_kg_per_tkm", "supply", true);
            auto s_haz = get(supply, "hazardous", "supply", true);
            auto d_vp = get(demand, "virgin_usd_t", "demand", true);
            auto d_vc = get(demand, "virgin_co2e_kg_t", "demand", true);
            auto s_mask = get_int(supply, "mask", "supply", 0xFFFF);
            auto d_mask = get_int(demand, "mask", "demand", 0xFFFF);
            auto s_cty = get_int(supply, "country", "supply", 1 << 30);
            auto d_cty = get_int(demand, "country", "demand", 1 << 30);
            const std::pair<const std::vector<double>*, const char*> s_cols[] = {
                {&s_ql, "supply.quality"}, {&s_disp, "supply.disposal_usd_t"},
                {&s_dco2, "supply.disposal_co2e_kg_t"}, {&s_fix, "supply.fixed_usd_t"},
                {&s_tkm, "supply.usd_per_tkm"}, {&s_co2, "supply.co2e_kg_per_tkm"},
                {&s_haz, "supply.hazardous"}};
            for (const auto& c : s_cols) check_len(c.first->size(), ns, c.second);
            check_len(s_mask.size(), ns, "supply.mask");
            check_len(s_cty.size(), ns, "supply.country");
            const std::pair<const std::vector<double>*, const char*> d_cols[] = {
                {&d_ql, "demand.quality"}, {&d_vp, "demand.virgin_usd_t"},
                {&d_vc, "demand.virgin_co2e_kg_t"}};
            for (const auto& c : d_cols) check_len(c.first->size(), nd, c.second);
            check_len(d_mask.size(), nd, "demand.mask");
            check_len(d_cty.size(), nd, "demand.country");
            std::vector<uint8_t> haz(ns);
            for (size_t k = 0; k < ns; ++k) haz[k] = s_haz[k] != 0.0;
            SupplyAttrs sa{s_q.data(), s_ql.data(), s_mask.data(), s_disp.data(), s_dco2.data(),
                           s_fix.data(), s_tkm.data(), s_co2.data(), haz.data(), s_cty.data()};
            DemandAttrs da{d_q.data(), d_ql.data(), d_mask.data(), d_vp.data(), d_vc.data(), d_cty.data()};
            bind::checked_product(static_cast<int64_t>(n), kNumPairFeatures, int64_t(1) << 34, "features");
            ScorePairColumns pairs;
            pairs.supply = si.data();
            pairs.demand = di.data();
            pairs.distance_km = dist.data();
            pairs.material_fit = fit.data();
            pairs.sector_fit = sfit.data();
            pairs.link_score = link_score.is_none() ? nullptr : lscore.data();
            pairs.n = static_cast<int64_t>(n);
            // text_fit's inputs: all three or none; the row indices are copied and checked here
            // (O(streams)), so no read can leave the rows; the rows themselves are read in place
            // (a float32 C-contiguous array is not copied: 0.6 GiB at 1M streams), checked
            // finite here, so a caller that rewrites them during the call changes values only
            TextRows text;
            py::array_t<float, py::array::c_style | py::array::forcecast> trows;
            std::vector<int64_t> s_row, d_row;
            const int given = int(!text_rows.is_none()) + int(!supply_text.is_none()) +
                              int(!demand_text.is_none());
            if (given != 0 && given != 3) {
                throw InvalidInputError(
                    "text_rows, supply_text and demand_text go together; pass all three or none");
            }
            if (given == 3) {
                trows = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(text_rows);
                if (!trows || trows.ndim() != 2) {
                    throw InvalidInputError("text_rows must be a 2-D float32 array (one row per text)");
                }
                const int64_t nr = trows.shape(0), dim = trows.shape(1);
                s_row = bind::int64_vector(supply_text, "supply_text");
                d_row = bind::int64_vector(demand_text, "demand_text");
                check_len(s_row.size(), ns, "supply_text");
                check_len(d_row.size(), nd, "demand_text");
                auto check_rows = [nr](const std::vector<int64_t>& v, const char* name) {
                    for (size_t k = 0; k < v.size(); ++k) {
                        if (v[k] < -1 || v[k] >= nr) {
                            throw InvalidInputError(std::string(name) + "[" + std::to_string(k) +
                                                    "] = " + std::to_string(v[k]) + " outside [-1, " +
                                                    std::to_string(nr) + "): a row of text_rows or -1");
                        }
                    }
                };
                check_rows(s_row, "supply_text");
                check_rows(d_row, "demand_text");
                const float* tp = trows.data();
                for (int64_t k = 0; k < nr * dim; ++k) {
                    if (!std::isfinite(tp[k])) {
                        throw InvalidInputError("text_rows holds a value that is not finite (flat index " +
                                                std::to_string(k) + "); embed the texts again");
                    }
                }
                text = TextRows{tp, nr, dim, s_row.data(), d_row.data()};
            }
            // The outputs (14 x 8 bytes per pair) are allocated here, not by numpy: numpy
            // advises the kernel to back large arrays with transparent huge pages, and where
            // huge pages must first be compacted (THP defrag=madvise) their first touch cost
            // 2.5-5x the system time of ordinary pages (measured, docs/benchmarks.md #6).
            // The kernel's threads touch the pages first, in parallel.
            const auto np_ = static_cast<py::ssize_t>(n);
            auto* fbuf = new double[n * kNumPairFeatures > 0 ? n * kNumPairFeatures : 1];
            py::capsule fown(fbuf, [](void* q) { delete[] static_cast<double*>(q); });
            auto* sbuf = new double[n > 0 ? n : 1];
            py::capsule sown(sbuf, [](void* q) { delete[] static_cast<double*>(q); });
            // column-major (Fortran order): each feature column is one contiguous array
            py::array_t<double, py::array::f_style> feats(
                {np_, static_cast<py::ssize_t>(kNumPairFeatures)},
                {static_cast<py::ssize_t>(sizeof(double)), static_cast<py::ssize_t>(sizeof(double)) * np_},
                fbuf, fown);
            py::array_t<double> sc({np_}, {static_cast<py::ssize_t>(sizeof(double))}, sbuf, sown);
            double* fp = fbuf;
            double* sp = sbuf;
            bind::run_without_gil([&](const PollFn& poll) {
                score_pairs(pairs, sa, static_cast<int64_t>(ns), da, static_cast<int64_t>(nd),
                            circuity, w.data(), bias, fp, sp, n_threads, poll, text);
                return 0;
            });
            return py::make_tuple(feats, sc);
        },
        py::arg("supply_index"), py::arg("demand_index"), py::arg("distance_km"),
        py::arg("material_fit"), py::arg("sector_fit"), py::arg("supply"), py::arg("demand"), py::arg("circuity"),
        py::arg("weights"), py::arg("bias"), py::arg("n_threads") = 0,
        py::arg("link_score") = py::none(), py::arg("text_rows") = py::none(),
        py::arg("supply_text") = py::none(), py::arg("demand_text") = py::none(),
        "Features (n_pairs x NUM_PAIR_FEATURES) and score in (0, 1] of candidate pairs, one pass, "
        "GIL released.");
}
