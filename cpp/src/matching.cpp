// Why one file of ~630 lines: the three candidate searches (grid, k-d tree, all pairs) share
// one prologue and one output format, and score_pairs reads the pair-feature table beside them.
#include "symbioflows/matching.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "symbioflows/errors.hpp"
#include "symbioflows/first_bad.hpp"
#include "symbioflows/geo.hpp"
#include "symbioflows/read_once.hpp"

namespace symbioflows {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kKmPerDegLat = kEarthRadiusKm * kPi / 180.0;

struct Cand {
    double dist;
    int64_t d;
    double fit;
    uint64_t key;  // candidate_tie_key of (supply, demand)
};

inline int64_t tie_id(const StreamPoints& p, int64_t k) { return p.tie_id ? p.tie_id[k] : k; }

// Which candidates a cut keeps: (distance, tie key, demand index), a strict total order.
inline bool keep_before(const Cand& a, const Cand& b) {
    if (a.dist != b.dist) return a.dist < b.dist;
    if (a.key != b.key) return a.key < b.key;
    return a.d < b.d;
}
// The order of a supply's output: (distance, demand index).
inline bool out_before(const Cand& a, const Cand& b) {
    return a.dist < b.dist || (a.dist == b.dist && a.d < b.d);
}

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
    truncated = false;
    if (max_per > 0 && static_cast<int64_t>(c.size()) > max_per) {
        // keep_before is a strict total order, so the k kept are unique
        std::nth_element(c.begin(), c.begin() + max_per, c.end(), keep_before);
        c.resize(static_cast<size_t>(max_per));
        truncated = true;
    }
    std::sort(c.begin(), c.end(), out_before);
}

// Hand the pages of freed heap blocks back to the system.  The per-supply lists below are
// millions of small blocks in the worker threads' malloc arenas; glibc keeps them after they
// are freed (measured: +0.30 GiB resident at 300k streams after the search, gone after
// malloc_trim, which took 0.05 s), so the plan's later stages would allocate on top of them.
void release_free_heap() {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

// The per-supply outputs of a candidate search (each supply writes its own slot, so the
// result does not depend on the thread count), concatenated in supply order by gather().
//
// A supply's list is built in its thread's scratch vector (scratch(): grown once, reused by
// every supply of that thread) and kept in one allocation of its exact size (done()).  Growing
// each supply's own vector by push_back left ~4 KB of freed, fragmented blocks per supply in
// the worker threads' malloc arenas (1, 2, 4 ... 64 candidates), which glibc never returned to
// the system: ~0.9 GiB of the plan's resident memory at 1M streams (docs/benchmarks.md).
struct PerSupply {
    std::vector<std::vector<Cand>> per;
    std::vector<char> trunc;
    std::vector<int64_t> evals;
    explicit PerSupply(int64_t ns)
        : per(static_cast<size_t>(ns)), trunc(static_cast<size_t>(ns), 0), evals(static_cast<size_t>(ns), 0) {}
    // This thread's empty scratch list (capacity kept from the thread's last supply).
    static std::vector<Cand>& scratch() {
        thread_local std::vector<Cand> buf;
        buf.clear();
        return buf;
    }
    // Keep supply i's final list (a copy of `out` of exact size) and its counts; a scratch
    // grown past 4,096 candidates (an uncapped search) is released, so no thread keeps more.
    void done(int64_t i, std::vector<Cand>& out, int64_t n_evals, bool cut) {
        per[static_cast<size_t>(i)].assign(out.begin(), out.end());
        if (out.capacity() > 4096) std::vector<Cand>().swap(out);
        evals[static_cast<size_t>(i)] = n_evals;
        trunc[static_cast<size_t>(i)] = cut ? 1 : 0;
    }
    CandidateResult gather() {
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
        std::vector<std::vector<Cand>>().swap(per);
        release_free_heap();
        return r;
    }
};

// For each supply group, the demand groups it can feed (non-zero entries of compat).
std::vector<std::vector<int32_t>> feeds_of(const double* compat, int32_t n_groups) {
    std::vector<std::vector<int32_t>> feeds(static_cast<size_t>(n_groups));
    for (int32_t a = 0; a < n_groups; ++a)
        for (int32_t b = 0; b < n_groups; ++b)
            if (compat[static_cast<int64_t>(a) * n_groups + b] > 0.0) feeds[static_cast<size_t>(a)].push_back(b);
    return feeds;
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
    PerSupply res(ns);
    if (ns == 0 || dem.n == 0) return res.gather();
    const std::vector<std::vector<int32_t>> feeds = feeds_of(compat, n_groups);
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
                auto& out = PerSupply::scratch();
                const int64_t sid = tie_id(sup, i);
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
                                if (dist <= r) {
                                    out.push_back({dist, j, fit, candidate_tie_key(sid, tie_id(dem, j))});
                                }
                            }
                        }
                    }
                }
                bool t = false;
                finish(out, max_per_supply, t);
                res.done(i, out, ev, t);
            },
            poll);
    }
    return res.gather();
}

CandidateResult all_pairs_candidates(const StreamPoints& sup, const double* radius_km,
                                     const StreamPoints& dem, const double* compat,
                                     int32_t n_groups, int64_t max_per_supply, int n_threads,
                                     const PollFn& poll) {
    const int64_t ns = sup.n;
    PerSupply res(ns);
    parallel_for(
        ns, n_threads,
        [&](int64_t i) {
            auto& out = PerSupply::scratch();
            for (int64_t j = 0; j < dem.n; ++j) {
                const double dist = haversine_km(sup.lat[i], sup.lon[i], dem.lat[j], dem.lon[j]);
                const double fit = compat[static_cast<int64_t>(sup.group[i]) * n_groups + dem.group[j]];
                if (fit > 0.0 && sup.company[i] != dem.company[j] && dist <= radius_km[i])
                    out.push_back({dist, j, fit, candidate_tie_key(tie_id(sup, i), tie_id(dem, j))});
            }
            bool t = false;
            finish(out, max_per_supply, t);
            res.done(i, out, dem.n, t);
        },
        poll);
    return res.gather();
}

namespace {

// k-d tree over the demands of one material group, on 3D unit vectors: the chord between two
// unit vectors grows monotonically with the great-circle distance, so a box bound in 3D prunes
// exactly, with no special case at the poles or the date line.
struct KdNode {
    double lo[3], hi[3];
    int64_t begin, end;   // range in KdForest::order
    int32_t left, right;  // children (-1 = leaf)
};

struct KdForest {
    std::vector<int64_t> order;               // demand indices, grouped by material group
    std::vector<double> xyz;                  // unit vectors in `order` (3 per item)
    std::vector<double> lat, lon;             // in `order`, for cache-friendly leaf scans
    std::vector<int64_t> company;             // in `order`
    std::vector<KdNode> nodes;
    std::vector<int32_t> root;                // per group, -1 if the group has no demand
    static constexpr int64_t kLeaf = 12;

    int32_t build(int64_t b, int64_t e) {
        KdNode nd{};
        for (int a = 0; a < 3; ++a) {
            nd.lo[a] = std::numeric_limits<double>::infinity();
            nd.hi[a] = -std::numeric_limits<double>::infinity();
        }
        for (int64_t k = b; k < e; ++k)
            for (int a = 0; a < 3; ++a) {
                nd.lo[a] = std::min(nd.lo[a], xyz[static_cast<size_t>(3 * k + a)]);
                nd.hi[a] = std::max(nd.hi[a], xyz[static_cast<size_t>(3 * k + a)]);
            }
        nd.begin = b;
        nd.end = e;
        nd.left = nd.right = -1;
        const int32_t id = static_cast<int32_t>(nodes.size());
        nodes.push_back(nd);
        if (e - b <= kLeaf) return id;
        int axis = 0;
        for (int a = 1; a < 3; ++a)
            if (nd.hi[a] - nd.lo[a] > nd.hi[axis] - nd.lo[axis]) axis = a;
        const int64_t mid = b + (e - b) / 2;
        // partition a permutation of [b, e) by the axis coordinate (ties by demand index)
        std::vector<int64_t> perm(static_cast<size_t>(e - b));
        std::iota(perm.begin(), perm.end(), b);
        std::nth_element(perm.begin(), perm.begin() + (mid - b), perm.end(), [&](int64_t u, int64_t v) {
            const double cu = xyz[static_cast<size_t>(3 * u + axis)], cv = xyz[static_cast<size_t>(3 * v + axis)];
            return cu < cv || (cu == cv && order[static_cast<size_t>(u)] < order[static_cast<size_t>(v)]);
        });
        std::vector<int64_t> o2(perm.size());
        std::vector<double> x2(3 * perm.size());
        for (size_t t = 0; t < perm.size(); ++t) {
            o2[t] = order[static_cast<size_t>(perm[t])];
            for (int a = 0; a < 3; ++a) x2[3 * t + a] = xyz[static_cast<size_t>(3 * perm[t] + a)];
        }
        std::copy(o2.begin(), o2.end(), order.begin() + b);
        std::copy(x2.begin(), x2.end(), xyz.begin() + 3 * b);
        const int32_t l = build(b, mid);
        const int32_t r = build(mid, e);
        nodes[static_cast<size_t>(id)].left = l;
        nodes[static_cast<size_t>(id)].right = r;
        return id;
    }
};

void unit_vector(double lat, double lon, double* out) {
    const double la = lat * kPi / 180.0, lo = lon * kPi / 180.0;
    out[0] = std::cos(la) * std::cos(lo);
    out[1] = std::cos(la) * std::sin(lo);
    out[2] = std::sin(la);
}

// Squared chord of a great-circle distance, padded so that rounding never prunes a point that
// the exact test would keep.
double chord2_bound(double dist_km) {
    const double ang = std::min(dist_km / kEarthRadiusKm, kPi);
    const double c = 2.0 * std::sin(ang / 2.0) * (1.0 + 1e-9) + 1e-9;
    return c * c;
}

double box_dist2(const KdNode& nd, const double* q) {
    double s = 0.0;
    for (int a = 0; a < 3; ++a) {
        const double d = q[a] < nd.lo[a] ? nd.lo[a] - q[a] : (q[a] > nd.hi[a] ? q[a] - nd.hi[a] : 0.0);
        s += d * d;
    }
    return s;
}

}  // namespace

CandidateResult kdtree_candidates(const StreamPoints& sup, const double* radius_km,
                                  const StreamPoints& dem, const double* compat, int32_t n_groups,
                                  int64_t max_per_supply, int n_threads, const PollFn& poll) {
    const int64_t ns = sup.n;
    PerSupply res(ns);
    if (ns == 0 || dem.n == 0) return res.gather();
    const std::vector<std::vector<int32_t>> feeds = feeds_of(compat, n_groups);
    KdForest f;
    f.order.resize(static_cast<size_t>(dem.n));
    std::iota(f.order.begin(), f.order.end(), int64_t(0));
    std::stable_sort(f.order.begin(), f.order.end(),
                     [&](int64_t u, int64_t v) { return dem.group[u] < dem.group[v]; });
    f.xyz.resize(static_cast<size_t>(3 * dem.n));
    for (int64_t k = 0; k < dem.n; ++k) {
        const int64_t j = f.order[static_cast<size_t>(k)];
        unit_vector(dem.lat[j], dem.lon[j], &f.xyz[static_cast<size_t>(3 * k)]);
    }
    f.root.assign(static_cast<size_t>(n_groups), -1);
    f.nodes.reserve(static_cast<size_t>(2 * dem.n / KdForest::kLeaf + 2 * n_groups + 8));
    for (int64_t b = 0; b < dem.n;) {
        int64_t e = b;
        const int32_t g = dem.group[f.order[static_cast<size_t>(b)]];
        while (e < dem.n && dem.group[f.order[static_cast<size_t>(e)]] == g) ++e;
        f.root[static_cast<size_t>(g)] = f.build(b, e);
        b = e;
    }
    f.lat.resize(static_cast<size_t>(dem.n));
    f.lon.resize(static_cast<size_t>(dem.n));
    f.company.resize(static_cast<size_t>(dem.n));
    for (int64_t k = 0; k < dem.n; ++k) {
        const int64_t j = f.order[static_cast<size_t>(k)];
        f.lat[static_cast<size_t>(k)] = dem.lat[j];
        f.lon[static_cast<size_t>(k)] = dem.lon[j];
        f.company[static_cast<size_t>(k)] = dem.company[j];
    }
    // Visit supplies in a space-filling order (Morton code of their lat/lon) so that
    // consecutive queries touch the same tree nodes; each result still lands at its index.
    std::vector<std::pair<uint64_t, int64_t>> zkey(static_cast<size_t>(ns));
    for (int64_t i = 0; i < ns; ++i) {
        const auto qa = static_cast<uint32_t>(std::min(65535.0, std::max(0.0, (sup.lat[i] + 90.0) / 180.0 * 65536.0)));
        const auto qo = static_cast<uint32_t>(std::min(65535.0, std::max(0.0, (sup.lon[i] + 180.0) / 360.0 * 65536.0)));
        uint64_t z = 0;
        for (int b = 0; b < 16; ++b)
            z |= (static_cast<uint64_t>((qa >> b) & 1u) << (2 * b + 1)) | (static_cast<uint64_t>((qo >> b) & 1u) << (2 * b));
        zkey[static_cast<size_t>(i)] = {z, i};
    }
    std::sort(zkey.begin(), zkey.end());
    const auto less = keep_before;  // the capped heap keeps the k first by keep_before
    parallel_for(
        ns, n_threads,
        [&](int64_t zi) {
            const int64_t i = zkey[static_cast<size_t>(zi)].second;
            const double lat = sup.lat[i], lon = sup.lon[i], r = radius_km[i];
            double q[3];
            unit_vector(lat, lon, q);
            const bool capped = max_per_supply > 0;
            const size_t kcap = static_cast<size_t>(capped ? max_per_supply : 0);
            auto& out = PerSupply::scratch();  // a max-heap by keep_before when capped
            const int64_t sid = tie_id(sup, i);
            const double r2 = chord2_bound(r);
            double bound2 = r2;
            int64_t ev = 0;
            bool cut = false, maybe_cut = false;
            std::vector<int32_t> stack;
            const int32_t gs = sup.group[i];
            for (const int32_t gd : feeds[static_cast<size_t>(gs)]) {
                const int32_t root = f.root[static_cast<size_t>(gd)];
                if (root < 0) continue;
                const double fit = compat[static_cast<int64_t>(gs) * n_groups + gd];
                stack.clear();
                stack.push_back(root);
                while (!stack.empty()) {
                    const KdNode& nd = f.nodes[static_cast<size_t>(stack.back())];
                    stack.pop_back();
                    const double bd2 = box_dist2(nd, q);
                    if (bd2 > bound2) {
                        if (bd2 <= r2) maybe_cut = true;  // pruned by the cap, not the radius
                        continue;
                    }
                    if (nd.left < 0) {
                        for (int64_t k = nd.begin; k < nd.end; ++k) {
                            const auto ku = static_cast<size_t>(k);
                            if (sup.company[i] == f.company[ku]) continue;
                            ++ev;
                            const double dist = haversine_km(lat, lon, f.lat[ku], f.lon[ku]);
                            if (!(dist <= r)) continue;
                            const int64_t j = f.order[ku];
                            const Cand c{dist, j, fit, candidate_tie_key(sid, tie_id(dem, j))};
                            if (!capped) {
                                out.push_back(c);
                            } else if (out.size() < kcap) {
                                out.push_back(c);
                                std::push_heap(out.begin(), out.end(), less);
                                if (out.size() == kcap) bound2 = std::min(r2, chord2_bound(out.front().dist));
                            } else if (less(c, out.front())) {
                                cut = true;
                                std::pop_heap(out.begin(), out.end(), less);
                                out.back() = c;
                                std::push_heap(out.begin(), out.end(), less);
                                bound2 = std::min(r2, chord2_bound(out.front().dist));
                            } else {
                                cut = true;
                            }
                        }
                    } else {
                        // nearer child last so that it is popped first
                        const KdNode& a = f.nodes[static_cast<size_t>(nd.left)];
                        const KdNode& b = f.nodes[static_cast<size_t>(nd.right)];
                        if (box_dist2(a, q) <= box_dist2(b, q)) {
                            stack.push_back(nd.right);
                            stack.push_back(nd.left);
                        } else {
                            stack.push_back(nd.left);
                            stack.push_back(nd.right);
                        }
                    }
                }
            }
            // The list was cut iff some compatible demand within the radius is not kept.  `cut`
            // saw one; a subtree pruned by the cap may hold one: look for it (first hit ends).
            if (capped && !cut && maybe_cut && out.size() == kcap) {
                const Cand last = out.front();
                for (const int32_t gd : feeds[static_cast<size_t>(gs)]) {
                    const int32_t root = f.root[static_cast<size_t>(gd)];
                    if (root < 0 || cut) continue;
                    stack.clear();
                    stack.push_back(root);
                    while (!stack.empty() && !cut) {
                        const KdNode& nd = f.nodes[static_cast<size_t>(stack.back())];
                        stack.pop_back();
                        if (box_dist2(nd, q) > r2) continue;
                        if (nd.left >= 0) {
                            stack.push_back(nd.left);
                            stack.push_back(nd.right);
                            continue;
                        }
                        for (int64_t k = nd.begin; k < nd.end && !cut; ++k) {
                            const auto ku = static_cast<size_t>(k);
                            if (sup.company[i] == f.company[ku]) continue;
                            ++ev;
                            const double dist = haversine_km(lat, lon, f.lat[ku], f.lon[ku]);
                            const int64_t j = f.order[ku];
                            if (dist <= r && less(last, Cand{dist, j, 0.0, candidate_tie_key(sid, tie_id(dem, j))})) {
                                cut = true;
                            }
                        }
                    }
                }
            }
            std::sort(out.begin(), out.end(), out_before);
            res.done(i, out, ev, cut);
        },
        poll);
    return res.gather();
}

namespace {

// The values read from an invalid pair row (see FirstBad).
struct BadPair {
    int64_t i = 0, j = 0;
    double dist = 0.0, fit = 0.0, sfit = 0.0, link = 0.0;
};

[[noreturn]] void raise_bad_pair(int64_t row, const BadPair& b, int64_t ns, int64_t nd) {
    const std::string k = std::to_string(row);
    if (b.i < 0 || b.i >= ns) {
        throw UnknownNodeError("supply_index[" + k + "] = " + std::to_string(b.i) +
                               " outside [0, " + std::to_string(ns) +
                               "): pass row positions of the supply table");
    }
    if (b.j < 0 || b.j >= nd) {
        throw UnknownNodeError("demand_index[" + k + "] = " + std::to_string(b.j) +
                               " outside [0, " + std::to_string(nd) +
                               "): pass row positions of the demand table");
    }
    const char* names[4] = {"distance_km", "material_fit", "sector_fit", "link_score"};
    const double vals[4] = {b.dist, b.fit, b.sfit, b.link};
    for (int c = 0; c < 4; ++c) {
        if (!std::isfinite(vals[c])) {
            throw InvalidInputError(std::string(names[c]) + "[" + k + "] is not finite (" +
                                    std::to_string(vals[c]) + "); drop or fill that row");
        }
    }
    throw InvalidInputError("pair row " + k + " is invalid");  // not reached
}

}  // namespace

void score_pairs(const ScorePairColumns& pairs, const SupplyAttrs& s, int64_t n_supplies,
                 const DemandAttrs& d, int64_t n_demands, double circuity, const double* weights,
                 double bias, double* features, double* score, int n_threads,
                 const PollFn& poll, const TextRows& text) {
    constexpr int64_t kBlock = 16384;
    constexpr int64_t kPrefetch = 16;
    const int64_t n_pairs = pairs.n;
    if (n_pairs <= 0) return;
    const int64_t* s_idx = pairs.supply;
    const int64_t* d_idx = pairs.demand;
    const double* distance_km = pairs.distance_km;
    const double* material_fit = pairs.material_fit;
    const double* sector_fit = pairs.sector_fit;
    const double* link_score = pairs.link_score;
    const auto ns = static_cast<uint64_t>(n_supplies), nd = static_cast<uint64_t>(n_demands);
    double w[kNumPairFeatures];
    for (int f = 0; f < kNumPairFeatures; ++f) w[f] = weights[f];
    // Pairs are ordered by supply, so the supply columns are read almost sequentially, but
    // each pair reads a random demand: pack the demand columns into one 40-byte row per
    // demand, so that a pair costs one cache miss instead of six (O(n_demands), parallel).
    struct DemandRow {
        double qty, quality, virgin_usd, virgin_co2e;
        int32_t mask, country;
    };
    std::vector<DemandRow> drow(static_cast<size_t>(n_demands));
    constexpr int64_t kRowsPerItem = 65536;
    parallel_for(
        (n_demands + kRowsPerItem - 1) / kRowsPerItem, n_threads,
        [&](int64_t item) {
            const int64_t a = item * kRowsPerItem, e = std::min(n_demands, a + kRowsPerItem);
            for (int64_t j = a; j < e; ++j) {
                drow[static_cast<size_t>(j)] =
                    DemandRow{d.qty_t[j], d.quality[j], d.virgin_usd_t[j], d.virgin_co2e_kg_t[j],
                              d.mask[j] & 0xFFF, d.country[j]};
            }
        },
        poll);
    const DemandRow* dr = drow.data();
    // text_fit: the dot product of the two texts' unit rows (their cosine); the supply's row
    // is reused across its consecutive pairs, the demand's is prefetched like its attributes
    const float* trows = text.rows;
    const int64_t tdim = text.dim;
    FirstBad<BadPair> bad;
    const int64_t n_blocks = (n_pairs + kBlock - 1) / kBlock;
    parallel_for(
        n_blocks, n_threads,
        [&](int64_t b) {
            const int64_t k0 = b * kBlock, k1 = std::min(n_pairs, k0 + kBlock);
            for (int64_t k = k0; k < k1; ++k) {
#if defined(__GNUC__) || defined(__clang__)
                // pairs index the stream tables at random (demand side): prefetch a few pairs
                // ahead (an index not yet checked is clamped into the table)
                if (k + kPrefetch < k1) {
                    const auto pj = static_cast<uint64_t>(d_idx[k + kPrefetch]);
                    __builtin_prefetch(dr + (pj < nd ? pj : 0));
                    if (trows != nullptr && pj < nd) {
                        const int64_t tr = text.demand_row[pj];
                        if (tr >= 0) __builtin_prefetch(trows + tr * tdim);
                    }
                }
#endif
                const int64_t i = read_once(s_idx + k), j = read_once(d_idx + k);
                const double dist = read_once(distance_km + k);
                const double fit = read_once(material_fit + k);
                const double sfit = read_once(sector_fit + k);
                const double link = link_score != nullptr ? read_once(link_score + k) : 0.0;
                // one well-predicted branch for the whole row check (x - x is 0 for a finite
                // x and NaN for NaN or inf)
                const double fin = (dist - dist) + (fit - fit) + (sfit - sfit) + (link - link);
                if ((static_cast<uint64_t>(i) >= ns) | (static_cast<uint64_t>(j) >= nd) |
                    !(fin == 0.0)) {
                    bad.offer(k, BadPair{i, j, dist, fit, sfit, link});
                    return;  // the rest of this block cannot hold an earlier bad row
                }
                double x[kNumPairFeatures];
                const DemandRow& dj = dr[j];
                const double qs = s.qty_t[i], qd = dj.qty;
                const double q = std::min(qs, qd);
                x[pf::material_fit] = fit;
                x[pf::quantity_fit_supply] = qs > 0 ? q / qs : 0.0;
                x[pf::quantity_fit_demand] = qd > 0 ? q / qd : 0.0;
                const double qual_s = s.quality[i], qual_d = dj.quality;
                x[pf::quality_fit] = (std::isnan(qual_s) || std::isnan(qual_d))
                                         ? 1.0
                                         : 1.0 - std::max(0.0, qual_d - qual_s);
                const int md = dj.mask, ms = s.mask[i] & 0xFFF;
                const int pd = __builtin_popcount(static_cast<unsigned>(md));
                x[pf::timing_overlap] =
                    pd == 0 ? 1.0
                            : static_cast<double>(__builtin_popcount(static_cast<unsigned>(md & ms))) / pd;
                const double road = dist * circuity;
                x[pf::distance_km] = road;
                x[pf::log_distance] = std::log1p(road);
                x[pf::transport_usd_per_t] = s.fixed_usd_t[i] + s.usd_per_tkm[i] * road;
                x[pf::surplus_usd_per_t] =
                    s.disposal_usd_t[i] + dj.virgin_usd * fit - x[pf::transport_usd_per_t];
                x[pf::co2e_avoided_kg_per_t] =
                    s.disposal_co2e_kg_t[i] + dj.virgin_co2e * fit - s.co2e_kg_per_tkm[i] * road;
                x[pf::hazardous] = s.hazardous[i] ? 1.0 : 0.0;
                x[pf::cross_border] = s.country[i] != dj.country ? 1.0 : 0.0;
                x[pf::sector_fit] = sfit;
                x[pf::link_score] = link;
                double tfit = 0.0;
                if (trows != nullptr) {
                    const int64_t ra = text.supply_row[i], rb = text.demand_row[j];
                    if (ra >= 0 && rb >= 0) {
                        const float* va = trows + ra * tdim;
                        const float* vb = trows + rb * tdim;
                        // eight independent partial sums: vectorised without -ffast-math
                        float acc[8] = {0.0F, 0.0F, 0.0F, 0.0F, 0.0F, 0.0F, 0.0F, 0.0F};
                        int64_t c = 0;
                        for (; c + 8 <= tdim; c += 8) {
                            for (int l = 0; l < 8; ++l) acc[l] += va[c + l] * vb[c + l];
                        }
                        for (; c < tdim; ++c) acc[0] += va[c] * vb[c];
                        tfit = static_cast<double>(((acc[0] + acc[1]) + (acc[2] + acc[3])) +
                                                   ((acc[4] + acc[5]) + (acc[6] + acc[7])));
                    }
                }
                x[pf::text_fit] = tfit;
                double z = bias;
                for (int f = 0; f < kNumPairFeatures; ++f) z += w[f] * x[f];
                const double p = 1.0 / (1.0 + std::exp(-z));
                score[k] = std::min(1.0, std::max(1e-9, p));
                for (int f = 0; f < kNumPairFeatures; ++f) features[f * n_pairs + k] = x[f];
            }
        },
        poll);
    if (bad.found(n_pairs)) raise_bad_pair(bad.row(), bad.values(), n_supplies, n_demands);
}

}  // namespace symbioflows
