// Candidate generation by spatial grid and one-pass pair scoring for the matcher.
#pragma once
#include <cstdint>
#include <vector>

#include "symbioflows/pair_features.hpp"
#include "symbioflows/parallel.hpp"

namespace symbioflows {

struct StreamPoints {
    const double* lat;
    const double* lon;
    const int32_t* group;     // material group id in [0, n_groups)
    const int64_t* company;   // company id; pairs within one company are skipped
    int64_t n;
    const int64_t* tie_id = nullptr;  // stable id per stream for breaking distance ties
                                      // (null: the row index); see candidate_tie_key
};

// Where a supply's list is cut, demands at the same distance are chosen by this key of
// (supply tie id, demand tie id), a fixed 64-bit mix (splitmix64), then by demand index: so
// co-located streams spread over the tied demands instead of every supply keeping the same
// lowest-index ones (1,000 supplies and 1,000 demands at one point all kept demands 0-49 and
// the allocation moved 5 % of the tonnes).  Deterministic, and independent of how the
// streams are partitioned when callers pass global ids.
inline uint64_t candidate_tie_key(int64_t supply_id, int64_t demand_id) {
    uint64_t z = static_cast<uint64_t>(supply_id) * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(demand_id);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

struct CandidateResult {
    std::vector<int64_t> supply;
    std::vector<int64_t> demand;
    std::vector<double> distance_km;
    std::vector<double> material_fit;
    int64_t n_truncated = 0;  // supplies whose list was cut to max_per_supply (each such
                              // supply had more candidates within its radius than it kept)
    int64_t n_distance_evals = 0;
};

// For each supply i: every demand j with compat[g_i * n_groups + g_j] > 0, a different company
// and great-circle distance <= radius_km[i].  Demands are bucketed in a lat/lon grid whose cell
// is the supply's radius rounded up to a power of two (one grid per tier), so each supply only
// visits the cells within its radius.  Per supply the candidates are cut to max_per_supply
// (0 = no cut) by (distance, candidate_tie_key, demand index) and the kept ones ordered by
// (distance, demand index).  Output is ordered by supply index:
// identical for any thread count.
CandidateResult grid_candidates(const StreamPoints& sup, const double* radius_km,
                                const StreamPoints& dem, const double* compat, int32_t n_groups,
                                int64_t max_per_supply, int n_threads,
                                const PollFn& poll = PollFn());

// The same result with one k-d tree per material group over the demands' 3D unit vectors
// (chord distance is monotone in great-circle distance: exact pruning, no pole or date-line
// special case).  With max_per_supply = k > 0 the search keeps the k best (distance, index)
// found so far and prunes every subtree farther than the k-th, so the work per supply is about
// k + log(n) distance evaluations per compatible group, whatever the density or the radius.
CandidateResult kdtree_candidates(const StreamPoints& sup, const double* radius_km,
                                  const StreamPoints& dem, const double* compat, int32_t n_groups,
                                  int64_t max_per_supply, int n_threads,
                                  const PollFn& poll = PollFn());

// The same result by brute force over all pairs (reference and benchmark baseline).
CandidateResult all_pairs_candidates(const StreamPoints& sup, const double* radius_km,
                                     const StreamPoints& dem, const double* compat,
                                     int32_t n_groups, int64_t max_per_supply, int n_threads,
                                     const PollFn& poll = PollFn());

struct SupplyAttrs {
    const double* qty_t;            // > 0
    const double* quality;          // NaN = unknown
    const int32_t* mask;            // availability bits (12 months)
    const double* disposal_usd_t;   // avoided disposal cost per t (>= 0)
    const double* disposal_co2e_kg_t;
    const double* fixed_usd_t;      // transport: fixed per t
    const double* usd_per_tkm;      // transport: per t.km
    const double* co2e_kg_per_tkm;  // transport emissions per t.km
    const uint8_t* hazardous;
    const int32_t* country;
};

struct DemandAttrs {
    const double* qty_t;
    const double* quality;          // minimum quality required, NaN = none
    const int32_t* mask;
    const double* virgin_usd_t;     // what the input costs today
    const double* virgin_co2e_kg_t; // production emissions of the displaced virgin input
    const int32_t* country;
};

// The per-pair input columns of score_pairs, read in place (they may alias caller buffers):
// each value is read once inside the parallel pass and checked before use (indices within the
// stream tables, the four real columns finite), so a concurrent writer cannot cause a read
// outside the tables.  link_score may be null (0 for every pair).
struct ScorePairColumns {
    const int64_t* supply = nullptr;      // row of the supply table, in [0, n_supplies)
    const int64_t* demand = nullptr;      // row of the demand table, in [0, n_demands)
    const double* distance_km = nullptr;  // great-circle km
    const double* material_fit = nullptr;
    const double* sector_fit = nullptr;
    const double* link_score = nullptr;   // null: 0
    int64_t n = 0;
};

// The texts behind the text_fit feature: one L2-normalised float32 row per distinct text
// (row-major, n_rows x dim) and the row of each supply and each demand (-1: no text, whose
// pairs get 0).  Rows are checked by the caller (in [-1, n_rows)).  rows == nullptr: text_fit
// is 0 for every pair.
struct TextRows {
    const float* rows = nullptr;
    int64_t n_rows = 0;
    int64_t dim = 0;
    const int64_t* supply_row = nullptr;  // one per supply
    const int64_t* demand_row = nullptr;  // one per demand
};

// Features per pair, in the order and with the meaning of the table in pair_features.hpp
// (column-major: feature f of pair k at features[f * n_pairs + k]).
// score = sigmoid(bias + sum_f w_f x_f), clamped to [1e-9, 1].
// Throws UnknownNodeError / InvalidInputError for the first (lowest) bad row whatever the
// thread count, naming the column, the row, the value and the valid range.
void score_pairs(const ScorePairColumns& pairs, const SupplyAttrs& s, int64_t n_supplies,
                 const DemandAttrs& d, int64_t n_demands, double circuity, const double* weights,
                 double bias, double* features, double* score, int n_threads,
                 const PollFn& poll = PollFn(), const TextRows& text = TextRows());

}  // namespace symbioflows
