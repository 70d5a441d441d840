// Great-circle distances on a spherical Earth (haversine).
#pragma once
#include <cstdint>

#include "symbioflows/parallel.hpp"

namespace symbioflows {

// Mean Earth radius R1 = (2a + b) / 3 of WGS84, in km (IUGG; Moritz 2000, "Geodetic Reference
// System 1980", Journal of Geodesy 74: 128-133).
constexpr double kEarthRadiusKm = 6371.0088;

// Distance in km between two points given in degrees.  The haversine intermediate is
// clamped to [0, 1] so antipodal points give exactly pi * R, never NaN.
double haversine_km(double lat1, double lon1, double lat2, double lon2) noexcept;

// out[i * n2 + j] = distance(point1_i, point2_j); out has n1 * n2 doubles (row-major).
void haversine_matrix(const double* lat1, const double* lon1, int64_t n1, const double* lat2,
                      const double* lon2, int64_t n2, double* out, int n_threads,
                      const PollFn& poll = PollFn());

// out[k] = distance(point1_{i[k]}, point2_{j[k]}) for candidate pairs; indices must be
// in range (checked by the caller).
void haversine_pairs(const double* lat1, const double* lon1, const double* lat2,
                     const double* lon2, const int64_t* i, const int64_t* j, int64_t m,
                     double* out, int n_threads, const PollFn& poll = PollFn());

}  // namespace symbioflows
