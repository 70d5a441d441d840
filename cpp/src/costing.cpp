#include "symbioflows/costing.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "symbioflows/errors.hpp"
#include "symbioflows/first_bad.hpp"

#include "symbioflows/geo.hpp"
#include "symbioflows/read_once.hpp"

namespace symbioflows {
namespace {
constexpr double kDeg = 3.14159265358979323846 / 180.0;
constexpr int64_t kPairsPerItem = 16384;
constexpr int64_t kPrefetch = 16;
constexpr double kHalfPi = 1.57079632679489661923;
constexpr int64_t kPointsPerItem = 65536;
constexpr int64_t kSnapshotPerItem = 65536;

// asin(sqrt(h)) for h in [0, 1/2], the half central angle of a chord.  Rational approximation
// of fdlibm's e_asin.c (Sun Microsystems 1993, freely redistributable): asin(x) = x + x R(x^2)
// for |x| <= 1/2, and asin(x) = pi/2 - 2 asin(sqrt((1 - x) / 2)) above.  Max relative error
// against libm measured at 4e-16; about 3x cheaper than a libm call and inlinable.
inline double rational_r(double t) {
    const double p =
        t * (1.66666666666666657415e-01 +
             t * (-3.25565818622400915405e-01 +
                  t * (2.01212532134862925881e-01 +
                       t * (-4.00555345006794114027e-02 +
                            t * (7.91534994289814532176e-04 + t * 3.47933107596021167570e-05)))));
    const double q = 1.0 + t * (-2.40339491173441421878e+00 +
                                t * (2.02094576023350569471e+00 +
                                     t * (-6.88283971605453293030e-01 +
                                          t * 7.70381505559019352791e-02)));
    return p / q;
}

inline double asin_sqrt(double h) {
    const double x = std::sqrt(h);
    if (h <= 0.25) return x + x * rational_r(h);
    const double w = 0.5 * (1.0 - x), s = std::sqrt(w);
    return kHalfPi - 2.0 * (s + s * rational_r(w));
}

// ceil(q / payload), equal to the correctly rounded division's ceiling: q * (1 / payload) may
// differ from q / payload by an ulp or two, which changes the ceiling only when the quotient
// is within that distance of an integer; then (rarely) divide exactly.
inline double shipments(double q, double payload, double inv_payload) {
    if (!(payload > 0.0)) return 0.0;
    const double y = q * inv_payload;
    const double k = std::ceil(y);
    if (k - y <= 1e-12 * k || y - (k - 1.0) <= 1e-12 * k) return std::ceil(q / payload);
    return k;
}

// The values read from an invalid pair row (see FirstBad).
struct BadRow {
    int64_t i = 0, j = 0, medium = 0;
    double q = 0.0;
    bool overflow = false;  // a valid row whose cost or CO2e is not finite for every mode
};

[[noreturn]] void raise_bad_row(int64_t row, const BadRow& b, int64_t n1, int64_t n2) {
    const std::string k = std::to_string(row);
    if (b.i < 0 || b.i >= n1) {
        throw UnknownNodeError("i[" + k + "] = " + std::to_string(b.i) + " outside [0, " +
                               std::to_string(n1) + ")");
    }
    if (b.j < 0 || b.j >= n2) {
        throw UnknownNodeError("j[" + k + "] = " + std::to_string(b.j) + " outside [0, " +
                               std::to_string(n2) + ")");
    }
    if (!std::isfinite(b.q) || b.q < 0.0) {
        throw InvalidInputError("quantity row " + k + " = " + std::to_string(b.q) +
                                " must be finite and >= 0");
    }
    if (b.overflow) {
        char q[32];
        std::snprintf(q, sizeof q, "%.6g", b.q);
        throw InvalidInputError("quantity row " + k + " = " + q +
                                ": its transport cost or CO2e overflows (is not finite) for every "
                                "mode that reaches the pair; quantities are in t (MWh for heat) "
                                "per pair: check the unit of that row");
    }
    throw InvalidInputError("medium row " + k + " = " + std::to_string(b.medium) +
                            " outside [0, " + std::to_string(kNumMedia) + ")");
}

}  // namespace

std::vector<Site> pack_sites(const double* lat, const double* lon, const double* circ, int64_t n,
                             int n_threads, const PollFn& poll) {
    std::vector<Site> s(static_cast<size_t>(n));
    const int64_t n_items = (n + kPointsPerItem - 1) / kPointsPerItem;
    parallel_for(
        n_items, n_threads,
        [&](int64_t item) {
            const int64_t a = item * kPointsPerItem, b = std::min(n, a + kPointsPerItem);
            for (int64_t k = a; k < b; ++k) {
                const double p = lat[k] * kDeg, l = lon[k] * kDeg, cp = std::cos(p);
                s[k] = Site{cp * std::cos(l), cp * std::sin(l), std::sin(p), circ[k]};
            }
        },
        poll);
    return s;
}

void cost_pairs(const double* lat1, const double* lon1, const double* circ1, int64_t n1,
                const double* lat2, const double* lon2, const double* circ2, int64_t n2,
                const int64_t* i, const int64_t* j, const double* quantity,
                const uint8_t* medium, int64_t m, const ModeTable& modes,
                uint32_t allowed_modes, double carbon_price_usd_per_kg,
                const PairCostOutput& out, int n_threads, const PollFn& poll) {
    if (m <= 0) return;
    const std::vector<Site> s1 = pack_sites(lat1, lon1, circ1, n1, n_threads, poll);
    const std::vector<Site> s2 = pack_sites(lat2, lon2, circ2, n2, n_threads, poll);
    PairColumns pairs;
    pairs.i = i;
    pairs.j = j;
    pairs.quantity = quantity;
    pairs.medium8 = medium;
    pairs.m = m;
    cost_pairs_packed(s1.data(), n1, s2.data(), n2, pairs, modes, allowed_modes,
                      carbon_price_usd_per_kg, out, n_threads, poll);
}

namespace {

// Where the pricing pass reads row k: the caller's columns in place (each value read once),
// or the snapshot that snapshot_pairs wrote into the row's own output slots.
struct ColumnReader {
    const int64_t* i;
    const int64_t* j;
    const double* quantity;
    const uint8_t* med8;
    const int64_t* med64;
    int64_t i_ahead(int64_t k) const { return read_once(i + k); }
    int64_t j_ahead(int64_t k) const { return read_once(j + k); }
    void read(int64_t k, int64_t& a, int64_t& b, double& q, int64_t& med) const {
        a = read_once(i + k);
        b = read_once(j + k);
        q = read_once(quantity + k);
        med = med8 != nullptr ? static_cast<int64_t>(read_once(med8 + k)) : read_once(med64 + k);
    }
};

inline int64_t bits_of(double x) {
    int64_t v;
    std::memcpy(&v, &x, sizeof v);
    return v;
}
inline double as_double(int64_t v) {
    double x;
    std::memcpy(&x, &v, sizeof x);
    return x;
}

struct SlotReader {
    const PairCostOutput& out;
    bool med8;
    int64_t i_ahead(int64_t k) const { return bits_of(out.great_circle_km[k]); }
    int64_t j_ahead(int64_t k) const { return bits_of(out.route_km[k]); }
    void read(int64_t k, int64_t& a, int64_t& b, double& q, int64_t& med) const {
        a = bits_of(out.great_circle_km[k]);
        b = bits_of(out.route_km[k]);
        q = out.cost_usd[k];
        med = med8 ? static_cast<int64_t>(static_cast<uint8_t>(out.mode[k])) : bits_of(out.co2e_kg[k]);
    }
};

// The pricing pass.  Row k is read in full (reader.read) before any output of row k is
// written, so the SlotReader may read from the output arrays themselves.
template <class Reader>
void cost_rows(const Site* s1, int64_t n1, const Site* s2, int64_t n2, int64_t m,
               const Reader& reader, const ModeTable& modes, uint32_t allowed_modes,
               double carbon_price_usd_per_kg, const PairCostOutput& out, int n_threads,
               const PollFn& poll) {
    FirstBad<BadRow> bad;
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
    // Local copy of the mode table (no aliasing with the output arrays, stays in registers/L1).
    struct Row {
        double fixed, per_tkm, payload, inv_payload, co2e, max_km, detour;
    };
    Row rows[kMaxModes];
    for (int md = 0; md < nm; ++md) {
        const double pl = modes.payload[md];
        rows[md] = Row{modes.fixed_usd[md],       modes.usd_per_tkm[md],  pl,
                       pl > 0.0 ? 1.0 / pl : 0.0, modes.co2e_kg_per_tkm[md],
                       modes.max_route_km[md],    modes.detour[md]};
    }
    constexpr double kInf = std::numeric_limits<double>::infinity();
    const double two_r = 2.0 * kEarthRadiusKm;
    const int64_t n_items = (m + kPairsPerItem - 1) / kPairsPerItem;
    parallel_for(
        n_items, n_threads,
        [&](int64_t item) {
            const int64_t k0 = item * kPairsPerItem, k1 = std::min(m, k0 + kPairsPerItem);
            for (int64_t k = k0; k < k1; ++k) {
#if defined(__GNUC__) || defined(__clang__)
                // Candidate pairs index the sites at random: prefetch the sites a few pairs
                // ahead so their cache misses overlap instead of serialising (an index not yet
                // checked is clamped into the table).
                if (k + kPrefetch < k1) {  // within the item (a SlotReader's later items
                                           // may already hold results)
                    const auto pa = static_cast<uint64_t>(reader.i_ahead(k + kPrefetch));
                    const auto pb = static_cast<uint64_t>(reader.j_ahead(k + kPrefetch));
                    __builtin_prefetch(&s1[pa < static_cast<uint64_t>(n1) ? pa : 0]);
                    __builtin_prefetch(&s2[pb < static_cast<uint64_t>(n2) ? pb : 0]);
                }
#endif
                int64_t a, b, med;
                double q;
                reader.read(k, a, b, q, med);
                // one well-predicted branch for the whole row check
                if ((static_cast<uint64_t>(a) >= static_cast<uint64_t>(n1)) |
                    (static_cast<uint64_t>(b) >= static_cast<uint64_t>(n2)) | !(q >= 0.0) |
                    (q == kInf) | (static_cast<uint64_t>(med) >= static_cast<uint64_t>(kNumMedia))) {
                    bad.offer(k, BadRow{a, b, med, q});
                    return;  // the rest of this item cannot hold an earlier bad row
                }
                const Site& u = s1[a];
                const Site& v = s2[b];
                const double dx = u.x - v.x, dy = u.y - v.y, dz = u.z - v.z;
                const double h = 0.25 * (dx * dx + dy * dy + dz * dz);
                double gc;
                if (h <= 0.5) {
                    gc = two_r * asin_sqrt(h);
                } else {
                    // Near-antipodal: asin is ill-conditioned near 1, so use the complementary
                    // chord |u1 + u2|^2 / 4 = cos^2(c / 2).
                    const double sx = u.x + v.x, sy = u.y + v.y, sz = u.z + v.z;
                    const double g = std::min(1.0, 0.25 * (sx * sx + sy * sy + sz * sz));
                    gc = two_r * (kHalfPi - asin_sqrt(g));
                }
                const double road = 0.5 * (u.circ + v.circ);
                double best_obj = kInf, best_cost = kInf, best_co2 = kInf, best_route = kInf;
                int best = -1;
                bool reached = false;  // some mode's route is within its maximum
                for (int c = 0; c < n_cand[med]; ++c) {
                    const int md = cand[med][c];
                    const Row& r = rows[md];
                    const double route = gc * (r.detour > 0.0 ? r.detour : road);
                    const double ships = shipments(q, r.payload, r.inv_payload);
                    const double tkm = q * route;
                    const double cost = ships * r.fixed + r.per_tkm * tkm;
                    const double co2 = r.co2e * tkm;
                    // selections written as conditional moves: which mode wins is random
                    // across pairs, so branches here would mispredict
                    const bool reach = route <= r.max_km;
                    reached |= reach;
                    const double obj = reach ? cost + carbon_price_usd_per_kg * co2 : kInf;
                    const bool take = obj < best_obj;
                    best_obj = take ? obj : best_obj;
                    best = take ? md : best;
                    best_cost = take ? cost : best_cost;
                    best_co2 = take ? co2 : best_co2;
                    best_route = take ? route : best_route;
                }
                // a pair some mode reaches but none prices finitely: the values overflowed
                // (e.g. quantity 1e308); never report it as "no mode" with an infinite route
                if (reached && !(best_cost < kInf && best_co2 < kInf)) {
                    bad.offer(k, BadRow{a, b, med, q, true});
                    return;
                }
                out.great_circle_km[k] = gc;
                out.route_km[k] = best_route;
                out.cost_usd[k] = best_cost;
                out.co2e_kg[k] = best_co2;
                out.mode[k] = static_cast<int8_t>(best);
            }
        },
        poll);
    if (bad.found(m)) raise_bad_row(bad.row(), bad.values(), n1, n2);
}

}  // namespace

void cost_pairs_packed(const Site* s1, int64_t n1, const Site* s2, int64_t n2,
                       const PairColumns& pairs, const ModeTable& modes, uint32_t allowed_modes,
                       double carbon_price_usd_per_kg, const PairCostOutput& out, int n_threads,
                       const PollFn& poll) {
    if (pairs.m <= 0) return;
    if ((pairs.medium8 == nullptr) == (pairs.medium64 == nullptr)) {
        throw InvalidInputError("cost_pairs_packed: pass exactly one medium column");
    }
    const ColumnReader reader{pairs.i, pairs.j, pairs.quantity, pairs.medium8, pairs.medium64};
    cost_rows(s1, n1, s2, n2, pairs.m, reader, modes, allowed_modes, carbon_price_usd_per_kg, out,
              n_threads, poll);
}

void snapshot_pairs(const PairColumns& pairs, const PairCostOutput& out, int n_threads) {
    const int64_t m = pairs.m;
    if (m <= 0) return;
    if ((pairs.medium8 == nullptr) == (pairs.medium64 == nullptr)) {
        throw InvalidInputError("snapshot_pairs: pass exactly one medium column");
    }
    const int64_t n_items = (m + kSnapshotPerItem - 1) / kSnapshotPerItem;
    // a few items only: threads are started per call, so small inputs copy serially
    const int t = m < 4 * kSnapshotPerItem ? 1 : n_threads;
    parallel_for(n_items, t, [&](int64_t item) {
        const int64_t k0 = item * kSnapshotPerItem, k1 = std::min(m, k0 + kSnapshotPerItem);
        for (int64_t k = k0; k < k1; ++k) {
            out.great_circle_km[k] = as_double(pairs.i[k]);
            out.route_km[k] = as_double(pairs.j[k]);
        }
        std::memcpy(out.cost_usd + k0, pairs.quantity + k0, static_cast<size_t>(k1 - k0) * sizeof(double));
        if (pairs.medium8 != nullptr) {
            std::memcpy(out.mode + k0, pairs.medium8 + k0, static_cast<size_t>(k1 - k0));
        } else {
            for (int64_t k = k0; k < k1; ++k) out.co2e_kg[k] = as_double(pairs.medium64[k]);
        }
    });
}

void cost_pairs_snapshot(const Site* s1, int64_t n1, const Site* s2, int64_t n2, int64_t m,
                         bool medium8, const ModeTable& modes, uint32_t allowed_modes,
                         double carbon_price_usd_per_kg, const PairCostOutput& out, int n_threads,
                         const PollFn& poll) {
    if (m <= 0) return;
    const SlotReader reader{out, medium8};
    cost_rows(s1, n1, s2, n2, m, reader, modes, allowed_modes, carbon_price_usd_per_kg, out,
              n_threads, poll);
}

}  // namespace symbioflows
