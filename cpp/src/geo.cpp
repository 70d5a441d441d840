#include "symbioflows/geo.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace symbioflows {
namespace {
constexpr double kDeg = 3.14159265358979323846 / 180.0;
constexpr int64_t kRowsPerItem = 64;
constexpr int64_t kPairsPerItem = 16384;
}  // namespace

double haversine_km(double lat1, double lon1, double lat2, double lon2) noexcept {
    const double p1 = lat1 * kDeg, p2 = lat2 * kDeg;
    const double dp = p2 - p1, dl = (lon2 - lon1) * kDeg;
    const double sp = std::sin(dp * 0.5), sl = std::sin(dl * 0.5);
    double h = sp * sp + std::cos(p1) * std::cos(p2) * sl * sl;
    h = std::min(1.0, std::max(0.0, h));
    return 2.0 * kEarthRadiusKm * std::asin(std::sqrt(h));
}

void haversine_matrix(const double* lat1, const double* lon1, int64_t n1, const double* lat2,
                      const double* lon2, int64_t n2, double* out, int n_threads,
                      const PollFn& poll) {
    if (n1 <= 0 || n2 <= 0) return;
    // Precompute radians and cosines of the second set once.
    std::vector<double> p2(static_cast<size_t>(n2)), l2(static_cast<size_t>(n2)),
        c2(static_cast<size_t>(n2));
    for (int64_t j = 0; j < n2; ++j) {
        p2[j] = lat2[j] * kDeg;
        l2[j] = lon2[j] * kDeg;
        c2[j] = std::cos(p2[j]);
    }
    const int64_t n_items = (n1 + kRowsPerItem - 1) / kRowsPerItem;
    parallel_for(
        n_items, n_threads,
        [&](int64_t item) {
            const int64_t r0 = item * kRowsPerItem;
            const int64_t r1 = std::min(n1, r0 + kRowsPerItem);
            for (int64_t i = r0; i < r1; ++i) {
                const double p1 = lat1[i] * kDeg, l1 = lon1[i] * kDeg, c1 = std::cos(p1);
                double* row = out + i * n2;
                for (int64_t j = 0; j < n2; ++j) {
                    const double sp = std::sin((p2[j] - p1) * 0.5);
                    const double sl = std::sin((l2[j] - l1) * 0.5);
                    double h = sp * sp + c1 * c2[j] * sl * sl;
                    h = std::min(1.0, std::max(0.0, h));
                    row[j] = 2.0 * kEarthRadiusKm * std::asin(std::sqrt(h));
                }
            }
        },
        poll);
}

void haversine_pairs(const double* lat1, const double* lon1, const double* lat2,
                     const double* lon2, const int64_t* i, const int64_t* j, int64_t m,
                     double* out, int n_threads, const PollFn& poll) {
    const int64_t n_items = (m + kPairsPerItem - 1) / kPairsPerItem;
    parallel_for(
        n_items, n_threads,
        [&](int64_t item) {
            const int64_t k0 = item * kPairsPerItem;
            const int64_t k1 = std::min(m, k0 + kPairsPerItem);
            for (int64_t k = k0; k < k1; ++k) {
                out[k] = haversine_km(lat1[i[k]], lon1[i[k]], lat2[j[k]], lon2[j[k]]);
            }
        },
        poll);
}

}  // namespace symbioflows
