#include "symbioflows/matching.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "symbioflows/errors.hpp"
#include "symbioflows/geo.hpp"

namespace symbioflows {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kKmPerDegLat = kEarthRadiusKm * kPi / 180.0;

struct Cand {
    double dist;
    int64_t d;
    double fit;
};

struct Grid {
    double cell_deg = 1.0;      // latitude cell height; 180 / n_lat exactly
    double lon_cell_deg = 1.0;  // longitude cell width; 360 / n_lon exactly, so cells wrap
    int64_t n_lat = 1, n_lon = 1;
    std::vector<std::pair<int64_t, int64_t>> items;  // (cell key, demand index), sorted

    int64_t lat_cell(double lat) const {
        return std::min<int64_t>(n_lat - 1, std::max<int64_t>(0, static_cast<int64_t>(
                                                                     std::floor((lat + 90.0) / cell_deg))));
    }
    int64_t lon_cell(double lon) const {
        int64_t c = static_cast<int64_t>(std::floor((lon + 180.0) / lon_cell_deg));
        c %= n_lon;
        if (c < 0) c += n_lon;
        return c;
    }
};

// Demands are keyed by (material group, cell) so that a supply visits only the cells of the
// groups its own group is compatible with.
Grid build_grid(const StreamPoints& dem, double radius) {
    Grid g;
    const double want = std::min(180.0, std::max(1e-4, radius / kKmPerDegLat));
    g.n_lat = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(180.0 / want)));
    g.n_lon = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(360.0 / want)));
    g.cell_deg = 180.0 / static_cast<double>(g.n_lat);
    g.lon_cell_deg = 360.0 / static_cast<double>(g.n_lon);
    g.items.resize(static_cast<size_t>(dem.n));
    for (int64_t j = 0; j < dem.n; ++j) {
        const int64_t cell = g.lat_cell(dem.lat[j]) * g.n_lon + g.lon_cell(dem.lon[j]);
        g.items[static_cast<size_t>(j)] = {static_cast<int64_t>(dem.group[j]) * g.n_lat * g.n_lon + cell, j};
    }
    std::sort(g.items.begin(), g.items.end());
    return g;
}

void finish(std::vector<Cand>& c, int64_t max_per, bool& truncated) {
    auto less = [](const Cand& a, const Cand& b) {
        return a.dist < b.dist || (a.dist == b.dist && a.d < b.d);
    };
    truncated = false;
    if (max_per > 0 && static_cast<int64_t>(c.size()) > max_per) {
        // (distance, index) is a strict total order, so the k smallest are unique
        std::nth_element(c.begin(), c.begin() + max_per, c.end(), less);
        c.resize(static_cast<size_t>(max_per));
        c.shrink_to_fit();
        truncated = true;
    }
    std::sort(c.begin(), c.end(), less);
}

CandidateResult gather(std::vector<std::vector<Cand>>& per, const std::vector<char>& trunc,
                       const std::vector<int64_t>& evals) {
    CandidateResult r;
    size_t total = 0;
    for (auto& v : per) total += v.size();
    r.supply.reserve(total);
    r.demand.reserve(total);
    r.distance_km.reserve(total);
    r.material_fit.reserve(total);
    for (size_t i = 0; i < per.size(); ++i) {
        for (const auto& c : per[i]) {
            r.supply.push_back(static_cast<int64_t>(i));
            r.demand.push_back(c.d);
            r.distance_km.push_back(c.dist);
            r.material_fit.push_back(c.fit);
        }
        std::vector<Cand>().swap(per[i]);
        r.n_truncated += trunc[i] ? 1 : 0;
        r.n_distance_evals += evals[i];
    }
    return r;
}

int tier_of(double radius) {
    // smallest k with 2^k >= radius (radius in km, >= 2^-10)
    return static_cast<int>(std::ceil(std::log2(std::max(radius, 1.0 / 1024.0))));
}

}  // namespace

CandidateResult grid_candidates(const StreamPoints& sup, const double* radius_km,
                                const StreamPoints& dem, const double* compat, int32_t n_groups,
                                int64_t max_per_supply, int n_threads, const PollFn& poll) {
    const int64_t ns = sup.n;
    std::vector<std::vector<Cand>> per(static_cast<size_t>(ns));
    std::vector<char> trunc(static_cast<size_t>(ns), 0);
    std::vector<int64_t> evals(static_cast<size_t>(ns), 0);
    if (ns == 0 || dem.n == 0) return gather(per, trunc, evals);
    // For each supply group, the demand groups it can feed.
    std::vector<std::vector<int32_t>> feeds(static_cast<size_t>(n_groups));
    for (int32_t a = 0; a < n_groups; ++a)
        for (int32_t b = 0; b < n_groups; ++b)
            if (compat[static_cast<int64_t>(a) * n_groups + b] > 0.0) feeds[static_cast<size_t>(a)].push_back(b);
    // Group supplies by radius tier.
    std::vector<int> tiers(static_cast<size_t>(ns));
    for (int64_t i = 0; i < ns; ++i) tiers[static_cast<size_t>(i)] = tier_of(radius_km[i]);
    std::vector<int> distinct(tiers);
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    for (int tier : distinct) {
        const double R = std::ldexp(1.0, tier);
        const Grid grid = build_grid(dem, R);
        std::vector<int64_t> members;
        for (int64_t i = 0; i < ns; ++i)
            if (tiers[static_cast<size_t>(i)] == tier) members.push_back(i);
        parallel_for(
            static_cast<int64_t>(members.size()), n_threads,
            [&](int64_t k) {
                const int64_t i = members[static_cast<size_t>(k)];
                const double lat = sup.lat[i], lon = sup.lon[i], r = radius_km[i];
                const int32_t gs = sup.group[i];
                const double dlat = r / kKmPerDegLat;
                const int64_t li0 = grid.lat_cell(lat - dlat * (1 + 1e-9) - 1e-9),
                              li1 = grid.lat_cell(lat + dlat * (1 + 1e-9) + 1e-9);
                // Exact longitude half-width of a spherical cap (Matuschek's bounding box):
                // asin(sin(delta) / cos(lat)), unless the cap holds a pole.
                const double delta = r / kEarthRadiusKm;
                const double ratio = std::sin(std::min(delta, kPi / 2)) / std::cos(lat * kPi / 180.0);
                bool all_lon = std::fabs(lat) + dlat >= 90.0 || delta >= kPi / 2 || !(ratio < 1.0);
                int64_t lo0 = 0, lo1 = grid.n_lon - 1;
                if (!all_lon) {
                    const double dlon = std::asin(ratio) * 180.0 / kPi * (1.0 + 1e-9) + 1e-9;
                    lo0 = static_cast<int64_t>(std::floor((lon - dlon + 180.0) / grid.lon_cell_deg));
                    lo1 = static_cast<int64_t>(std::floor((lon + dlon + 180.0) / grid.lon_cell_deg));
                    if (lo1 - lo0 + 1 >= grid.n_lon) all_lon = true;
                }
                if (all_lon) {
                    lo0 = 0;
                    lo1 = grid.n_lon - 1;
                }
                auto& out = per[static_cast<size_t>(i)];
                int64_t ev = 0;
                const int64_t n_cells = grid.n_lat * grid.n_lon;
                for (const int32_t gd : feeds[static_cast<size_t>(gs)]) {
                    const double fit = compat[static_cast<int64_t>(gs) * n_groups + gd];
                    for (int64_t li = li0; li <= li1; ++li) {
                        for (int64_t lc = lo0; lc <= lo1; ++lc) {
                            int64_t wrapped = lc % grid.n_lon;
                            if (wrapped < 0) wrapped += grid.n_lon;
                            const int64_t key = static_cast<int64_t>(gd) * n_cells + li * grid.n_lon + wrapped;
                            auto it = std::lower_bound(grid.items.begin(), grid.items.end(),
                                                       std::make_pair(key, int64_t(-1)));
                            for (; it != grid.items.end() && it->first == key; ++it) {
                                const int64_t j = it->second;
                                if (sup.company[i] == dem.company[j]) continue;
                                ++ev;
                                const double dist = haversine_km(lat, lon, dem.lat[j], dem.lon[j]);
                                if (dist <= r) out.push_back({dist, j, fit});
                            }
                        }
                    }
                }
                evals[static_cast<size_t>(i)] = ev;
                bool t = false;
                finish(out, max_per_supply, t);
                trunc[static_cast<size_t>(i)] = t ? 1 : 0;
            },
            poll);
    }
    return gather(per, trunc, evals);
}

CandidateResult all_pairs_candidates(const StreamPoints& sup, const double* radius_km,
                                     const StreamPoints& dem, const double* compat,
                                     int32_t n_groups, int64_t max_per_supply, int n_threads,
                                     const PollFn& poll) {
    const int64_t ns = sup.n;
    std::vector<std::vector<Cand>> per(static_cast<size_t>(ns));
    std::vector<char> trunc(static_cast<size_t>(ns), 0);
    std::vector<int64_t> evals(static_cast<size_t>(ns), 0);
    parallel_for(
        ns, n_threads,
        [&](int64_t i) {
            auto& out = per[static_cast<size_t>(i)];
            for (int64_t j = 0; j < dem.n; ++j) {
                const double dist = haversine_km(sup.lat[i], sup.lon[i], dem.lat[j], dem.lon[j]);
                const double fit = compat[static_cast<int64_t>(sup.group[i]) * n_groups + dem.group[j]];
                if (fit > 0.0 && sup.company[i] != dem.company[j] && dist <= radius_km[i])
                    out.push_back({dist, j, fit});
            }
            evals[static_cast<size_t>(i)] = dem.n;
            bool t = false;
            finish(out, max_per_supply, t);
            trunc[static_cast<size_t>(i)] = t ? 1 : 0;
        },
        poll);
    return gather(per, trunc, evals);
}

void score_pairs(const int64_t* s_idx, const int64_t* d_idx, const double* distance_km,
                 const double* material_fit, const double* sector_fit, const double* link_score,
                 int64_t n_pairs, const SupplyAttrs& s,
                 const DemandAttrs& d, double circuity, const double* weights, double bias,
                 double* features, double* score, int n_threads, const PollFn& poll) {
    constexpr int64_t kBlock = 4096;
    const int64_t n_blocks = (n_pairs + kBlock - 1) / kBlock;
    parallel_for(
        n_blocks, n_threads,
        [&](int64_t b) {
            const int64_t k0 = b * kBlock, k1 = std::min(n_pairs, k0 + kBlock);
            for (int64_t k = k0; k < k1; ++k) {
                const int64_t i = s_idx[k], j = d_idx[k];
                double* x = features + k * kNumPairFeatures;
                const double qs = s.qty_t[i], qd = d.qty_t[j];
                const double q = std::min(qs, qd);
                x[0] = material_fit[k];
                x[1] = qs > 0 ? q / qs : 0.0;
                x[2] = qd > 0 ? q / qd : 0.0;
                const double qual_s = s.quality[i], qual_d = d.quality[j];
                x[3] = (std::isnan(qual_s) || std::isnan(qual_d)) ? 1.0
                                                                   : 1.0 - std::max(0.0, qual_d - qual_s);
                const int md = d.mask[j] & 0xFFF, ms = s.mask[i] & 0xFFF;
                const int pd = __builtin_popcount(static_cast<unsigned>(md));
                x[4] = pd == 0 ? 1.0 : static_cast<double>(__builtin_popcount(static_cast<unsigned>(md & ms))) / pd;
                const double road = distance_km[k] * circuity;
                x[5] = road;
                x[6] = s.fixed_usd_t[i] + s.usd_per_tkm[i] * road;
                x[7] = s.disposal_usd_t[i] + d.virgin_usd_t[j] * material_fit[k] - x[6];
                x[8] = s.disposal_co2e_kg_t[i] + d.virgin_co2e_kg_t[j] * material_fit[k] -
                       s.co2e_kg_per_tkm[i] * road;
                x[9] = s.hazardous[i] ? 1.0 : 0.0;
                x[10] = s.country[i] != d.country[j] ? 1.0 : 0.0;
                x[11] = sector_fit[k];
                x[12] = link_score[k];
                double z = bias;
                for (int f = 0; f < kNumPairFeatures; ++f) z += weights[f] * x[f];
                double p = 1.0 / (1.0 + std::exp(-z));
                score[k] = std::min(1.0, std::max(1e-9, p));
            }
        },
        poll);
}

}  // namespace symbioflows
