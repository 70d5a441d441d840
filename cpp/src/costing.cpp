#include "symbioflows/costing.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "symbioflows/geo.hpp"

namespace symbioflows {
namespace {
constexpr double kDeg = 3.14159265358979323846 / 180.0;
constexpr int64_t kPairsPerItem = 16384;
constexpr int64_t kPointsPerItem = 65536;

struct UnitVectors {
    std::vector<double> x, y, z;
};

UnitVectors unit_vectors(const double* lat, const double* lon, int64_t n, int n_threads,
                         const PollFn& poll) {
    UnitVectors u;
    u.x.resize(static_cast<size_t>(n));
    u.y.resize(static_cast<size_t>(n));
    u.z.resize(static_cast<size_t>(n));
    const int64_t n_items = (n + kPointsPerItem - 1) / kPointsPerItem;
    parallel_for(
        n_items, n_threads,
        [&](int64_t item) {
            const int64_t a = item * kPointsPerItem, b = std::min(n, a + kPointsPerItem);
            for (int64_t k = a; k < b; ++k) {
                const double p = lat[k] * kDeg, l = lon[k] * kDeg, cp = std::cos(p);
                u.x[k] = cp * std::cos(l);
                u.y[k] = cp * std::sin(l);
                u.z[k] = std::sin(p);
            }
        },
        poll);
    return u;
}
}  // namespace

void cost_pairs(const double* lat1, const double* lon1, const double* circ1, int64_t n1,
                const double* lat2, const double* lon2, const double* circ2, int64_t n2,
                const int64_t* i, const int64_t* j, const double* quantity,
                const uint8_t* medium, int64_t m, const ModeTable& modes,
                uint32_t allowed_modes, double carbon_price_usd_per_kg,
                const PairCostOutput& out, int n_threads, const PollFn& poll) {
    if (m <= 0) return;
    const UnitVectors u1 = unit_vectors(lat1, lon1, n1, n_threads, poll);
    const UnitVectors u2 = unit_vectors(lat2, lon2, n2, n_threads, poll);
    const int nm = std::min<int>(modes.n_modes, kMaxModes);
    // Per medium: the list of candidate modes (allowed and admitting that medium), in index order.
    int cand[kNumMedia][kMaxModes];
    int n_cand[kNumMedia] = {0};
    for (int b = 0; b < kNumMedia; ++b) {
        for (int md = 0; md < nm; ++md) {
            if (((allowed_modes >> md) & 1u) && ((modes.medium_mask[md] >> b) & 1u)) {
                cand[b][n_cand[b]++] = md;
            }
        }
    }
    constexpr double kInf = std::numeric_limits<double>::infinity();
    const double two_r = 2.0 * kEarthRadiusKm;
    const int64_t n_items = (m + kPairsPerItem - 1) / kPairsPerItem;
    parallel_for(
        n_items, n_threads,
        [&](int64_t item) {
            const int64_t k0 = item * kPairsPerItem, k1 = std::min(m, k0 + kPairsPerItem);
            for (int64_t k = k0; k < k1; ++k) {
                const int64_t a = i[k], b = j[k];
                const double dx = u1.x[a] - u2.x[b], dy = u1.y[a] - u2.y[b],
                             dz = u1.z[a] - u2.z[b];
                double h = 0.25 * (dx * dx + dy * dy + dz * dz);
                h = std::min(1.0, std::max(0.0, h));
                const double gc = two_r * std::asin(std::sqrt(h));
                const double road = 0.5 * (circ1[a] + circ2[b]);
                const double q = quantity[k];
                const int med = medium[k];
                double best_obj = kInf, best_cost = kInf, best_co2 = kInf, best_route = kInf;
                int best = -1;
                for (int c = 0; c < n_cand[med]; ++c) {
                    const int md = cand[med][c];
                    const double f = modes.detour[md] > 0.0 ? modes.detour[md] : road;
                    const double route = gc * f;
                    if (route > modes.max_route_km[md]) continue;
                    const double pl = modes.payload[md];
                    const double ships = pl > 0.0 ? std::ceil(q / pl) : 0.0;
                    const double tkm = q * route;
                    const double cost = ships * modes.fixed_usd[md] + modes.usd_per_tkm[md] * tkm;
                    const double co2 = modes.co2e_kg_per_tkm[md] * tkm;
                    const double obj = cost + carbon_price_usd_per_kg * co2;
                    if (obj < best_obj) {
                        best_obj = obj;
                        best = md;
                        best_cost = cost;
                        best_co2 = co2;
                        best_route = route;
                    }
                }
                out.great_circle_km[k] = gc;
                out.route_km[k] = best_route;
                out.cost_usd[k] = best_cost;
                out.co2e_kg[k] = best_co2;
                out.mode[k] = static_cast<int8_t>(best);
            }
        },
        poll);
}

}  // namespace symbioflows
