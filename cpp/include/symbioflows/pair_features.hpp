// The pair features: the one table of their names, order, units and meanings.
//
// Everything else derives from this table: the kernel (score_pairs in matching.cpp writes
// x[pf::NAME]), the bindings (the module exports it as _core.PAIR_FEATURES and sizes the
// feature block from it), the Python scorer (symbioflows.matching.features reads
// _core.PAIR_FEATURES; the default weights are checked against it at import), the pure-Python
// reference (matching/_reference.py fills a dict by name, checked against the table) and the
// docs (the table in docs/matching.md is rendered from it and a test checks that they agree).
//
// To add a feature: one row here, its line in score_pairs, its line in
// matching/_reference.py::score_pair, a default weight, and a test.  The order of the rows is
// the order of the columns of the feature block and of the weights.
#pragma once

namespace symbioflows {

// X(name, unit, meaning)
#define SYMBIOFLOWS_PAIR_FEATURES(X)                                                             \
    X(material_fit, "1",                                                                         \
      "taxonomy substitution score of the supply's material for the demand's input, in [0, 1] " \
      "(a per-pair input)")                                                                      \
    X(quantity_fit_supply, "1", "min(q_supply, q_demand) / q_supply: share of the supply taken") \
    X(quantity_fit_demand, "1", "min(q_supply, q_demand) / q_demand: share of the demand met")   \
    X(quality_fit, "1",                                                                          \
      "1 - max(0, quality required - quality offered); 1 when either is unknown")                \
    X(timing_overlap, "1",                                                                       \
      "months both are available / months the demand needs (12 monthly bits); 1 when the "      \
      "demand gives none")                                                                       \
    X(distance_km, "km", "road distance: great-circle km x the supply medium's circuity")        \
    X(log_distance, "ln km",                                                                     \
      "ln(1 + road km): distance on a log scale, for a score that falls as a power of distance " \
      "(gravity)")                                                                               \
    X(transport_usd_per_t, "USD/t",                                                              \
      "fixed + per-t.km rate x road km (cheapest default mode of the medium at full load)")      \
    X(surplus_usd_per_t, "USD/t",                                                                \
      "avoided disposal cost + virgin price x material_fit - transport cost")                    \
    X(co2e_avoided_kg_per_t, "kg CO2e/t",                                                        \
      "avoided disposal CO2e + virgin production CO2e x material_fit - transport CO2e")          \
    X(hazardous, "0/1", "1 when the supply is hazardous waste")                                  \
    X(cross_border, "0/1", "1 when supplier and receiver are in different countries")            \
    X(sector_fit, "log-score",                                                                   \
      "centred learned log-score of the receiver's NACE class given the supply (a per-pair "     \
      "input; 0 when unused)")                                                                   \
    X(link_score, "probability",                                                                 \
      "a link predictor's probability of the exchange (a per-pair input; 0 when none)")          \
    X(text_fit, "cosine",                                                                        \
      "cosine of the supply's text and the demand's text embeddings (the plan's encoder; 0 "    \
      "when either has no text)")

// pf::material_fit, pf::quantity_fit_supply, ...: the column of each feature.
namespace pf {
enum PairFeature : int {
#define SYMBIOFLOWS_PF_ENUM(name, unit, meaning) name,
    SYMBIOFLOWS_PAIR_FEATURES(SYMBIOFLOWS_PF_ENUM)
#undef SYMBIOFLOWS_PF_ENUM
    kCount
};
}  // namespace pf

constexpr int kNumPairFeatures = pf::kCount;

struct PairFeatureInfo {
    const char* name;
    const char* unit;
    const char* meaning;
};

inline constexpr PairFeatureInfo kPairFeatureTable[kNumPairFeatures] = {
#define SYMBIOFLOWS_PF_INFO(name, unit, meaning) {#name, unit, meaning},
    SYMBIOFLOWS_PAIR_FEATURES(SYMBIOFLOWS_PF_INFO)
#undef SYMBIOFLOWS_PF_INFO
};

}  // namespace symbioflows
