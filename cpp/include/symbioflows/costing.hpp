// Fused great-circle distance + transport costing for candidate supply -> demand pairs.
//
// For each pair k (supply i[k], demand j[k], quantity q[k] in the medium's unit, medium code
// medium[k]) and each allowed transport mode m whose medium mask admits the pair's medium and
// whose maximum distance is not exceeded:
//   route_km  = great_circle_km * detour_m                 (detour_m > 0: fixed factor)
//             = great_circle_km * (circ1[i] + circ2[j]) / 2 (detour_m <= 0: road circuity)
//   shipments = ceil(q / payload_m)                        (payload_m <= 0: continuous, 0)
//   cost_usd  = shipments * fixed_usd_m + usd_per_tkm_m * q * route_km
//   co2e_kg   = co2e_kg_per_tkm_m * q * route_km
// The best mode minimises cost_usd + carbon_price_usd_per_kg * co2e_kg; ties go to the lowest
// mode index.  A pair that no mode can serve gets mode -1 and +inf route/cost/co2e.
//
// The great-circle distance uses the chord form of the haversine formula on unit vectors
// precomputed once per point: h = |u1 - u2|^2 / 4 = sin^2(c / 2), d = 2 R asin(sqrt(h)); for
// h > 1/2 the complementary chord g = |u1 + u2|^2 / 4 = cos^2(c / 2) gives d = 2 R (pi/2 -
// asin(sqrt(g))), well conditioned up to antipodal points (identical points give exactly 0).
#pragma once
#include <cstdint>
#include <vector>

#include "symbioflows/parallel.hpp"

namespace symbioflows {

constexpr int kMaxModes = 32;
constexpr int kNumMedia = 8;

struct ModeTable {
    int32_t n_modes = 0;
    const double* fixed_usd = nullptr;        // per shipment
    const double* usd_per_tkm = nullptr;      // per tonne-km (MWh-km for heat)
    const double* payload = nullptr;          // per shipment; <= 0 means continuous
    const double* co2e_kg_per_tkm = nullptr;  // per tonne-km (MWh-km for heat)
    const double* max_route_km = nullptr;     // +inf when unlimited
    const double* detour = nullptr;           // route/great-circle factor; <= 0: road circuity
    const uint32_t* medium_mask = nullptr;    // bit b set: medium code b allowed
};

struct PairCostOutput {
    double* great_circle_km = nullptr;
    double* route_km = nullptr;
    double* cost_usd = nullptr;
    double* co2e_kg = nullptr;
    int8_t* mode = nullptr;
};

// One site as a unit vector plus its road circuity, packed in 32 bytes so that a random
// candidate pair touches two cache lines at most.
struct alignas(32) Site {
    double x, y, z, circ;
};

// Unit vectors of n sites (degrees in), with their circuity factors.
std::vector<Site> pack_sites(const double* lat, const double* lon, const double* circ, int64_t n,
                             int n_threads, const PollFn& poll = PollFn());

// Pair columns, read in place (for example numpy buffers that the caller keeps alive).  The
// medium column is either uint8 (medium8) or int64 (medium64); set exactly one.
struct PairColumns {
    const int64_t* i = nullptr;
    const int64_t* j = nullptr;
    const double* quantity = nullptr;
    const uint8_t* medium8 = nullptr;
    const int64_t* medium64 = nullptr;
    int64_t m = 0;
};

// Evaluate the candidate pairs against packed sites; outputs are written at out[0..m).  The
// pair columns are validated inside the parallel pass (i in [0, n1), j in [0, n2), quantity
// finite and >= 0, medium in [0, kNumMedia)): every value is read exactly once, checked, and
// only the checked copy is used, so a caller that mutates the columns concurrently can tear a
// row but can never make the kernel read outside the site tables.  The first bad row in input
// order is reported (UnknownNodeError for an index, InvalidInputError otherwise), whatever
// the thread count.  Site tables (circuity finite and >= 1) are validated by the caller.
// Deterministic for any thread count (each pair writes its own slot).
void cost_pairs_packed(const Site* s1, int64_t n1, const Site* s2, int64_t n2,
                       const PairColumns& pairs, const ModeTable& modes, uint32_t allowed_modes,
                       double carbon_price_usd_per_kg, const PairCostOutput& out, int n_threads,
                       const PollFn& poll = PollFn());

// A snapshot of the pair columns in the output arrays, for cost_pairs_snapshot: the bits of
// i[k] in great_circle_km[k], of j[k] in route_km[k], quantity[k] in cost_usd[k], and the
// medium in mode[k] (uint8 codes) or the bits of medium64[k] in co2e_kg[k].  Runs on up to
// n_threads threads and touches no Python object: the bindings call it while holding the
// GIL, so no Python thread can write the columns during the copy.  The copy needs no buffer
// of its own (the pricing pass then overwrites each row's slots with its results) and runs
// in parallel, where a serial copy into fresh vectors doubled the single-thread time.
void snapshot_pairs(const PairColumns& pairs, const PairCostOutput& out, int n_threads);

// cost_pairs_packed on the rows that snapshot_pairs stored in `out`: each row reads its own
// slots, checks them like cost_pairs_packed, then overwrites them with its results.
// `medium8`: the media were uint8 codes (stored in mode).
void cost_pairs_snapshot(const Site* s1, int64_t n1, const Site* s2, int64_t n2, int64_t m,
                         bool medium8, const ModeTable& modes, uint32_t allowed_modes,
                         double carbon_price_usd_per_kg, const PairCostOutput& out, int n_threads,
                         const PollFn& poll = PollFn());

// Convenience: pack both site sets, then cost_pairs_packed.
void cost_pairs(const double* lat1, const double* lon1, const double* circ1, int64_t n1,
                const double* lat2, const double* lon2, const double* circ2, int64_t n2,
                const int64_t* i, const int64_t* j, const double* quantity,
                const uint8_t* medium, int64_t m, const ModeTable& modes,
                uint32_t allowed_modes, double carbon_price_usd_per_kg,
                const PairCostOutput& out, int n_threads, const PollFn& poll = PollFn());

}  // namespace symbioflows
