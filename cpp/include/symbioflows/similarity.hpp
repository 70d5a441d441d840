// Text-embedding kernels: character n-gram feature hashing (the offline fallback encoder) and
// the fused supply x demand compatibility top-k (cosine similarity blended with class-to-class
// substitution knowledge, filtered, blocked and multi-threaded).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "symbioflows/parallel.hpp"

namespace symbioflows {

// ---- feature hashing ---------------------------------------------------------------------------
// Embed already-normalised texts (lower case, words separated by single spaces) into `dim`
// float32 dimensions: every byte n-gram (ngram_min <= n <= ngram_max) of " " + text + " " and
// every word (weight `word_weight`) is hashed (FNV-1a 64, seeded by n) to a signed bucket; rows
// are L2-normalised (an empty text gives a zero row).  out: n_texts x dim, row-major.
void hash_embed(const std::vector<std::string>& texts, int64_t dim, int ngram_min, int ngram_max,
                float word_weight, float* out, int n_threads, const PollFn& poll = PollFn());

// ---- compatibility top-k -----------------------------------------------------------------------
enum class SimdLevel : int { portable = 0, avx2 = 1, avx512 = 2 };

// Best level this CPU and OS support (AVX-512F, else AVX2+FMA, else portable C++).
SimdLevel detect_simd() noexcept;
const char* simd_name(SimdLevel level) noexcept;

// Row-panel layout of a packed operand: panels of `rows_per_panel` rows stored k-major
// ([panel][k][r]); rows are L2-normalised in double precision while packing, so dot products
// of packed rows are cosines (zero rows stay zero: cosine 0, never NaN).
struct PackedRows {
    int64_t n_rows = 0;
    int64_t dim = 0;
    int rows_per_panel = 1;
    std::vector<float> data;  // n_panels * dim * rows_per_panel (zero padded)
    int64_t n_panels() const { return (n_rows + rows_per_panel - 1) / rows_per_panel; }
};

// Micro-kernel tile shape for a SIMD level: queries per panel (MR), candidates per panel (NR).
int simd_mr(SimdLevel level) noexcept;
int simd_nr(SimdLevel level) noexcept;

// Pack a row-major float32 matrix (n x dim).  Throws InvalidInputError naming the first row
// holding NaN or inf (`what` names the matrix in the message).
// Runs on n_threads threads without touching Python (safe with the GIL held).
PackedRows pack_rows(const float* x, int64_t n, int64_t dim, int rows_per_panel, const char* what,
                     int n_threads = 1);

struct CompatOptions {
    int64_t k = 10;
    float w_similarity = 0.5f;      // score = w_similarity * cosine + w_substitution * S[cs, cd]
    float w_substitution = 0.5f;
    float unknown_substitution = 0.5f;  // knowledge term when a class id is -1
    float min_substitution = 0.0f;      // pairs with a known S below this are excluded
    int n_threads = 0;
};

// Inputs besides the packed embeddings (all owned by the caller, sizes checked by the caller):
//   supply_class[nq], demand_class[nx] in [-1, n_classes); substitution: n_classes^2 row-major
//   (supply class row, demand class column); supply_hazardous[nq] (0/1, may be null);
//   demand_flags[nx] (bit 0 = blocked, bit 1 = accepts hazardous; may be null = not blocked,
//   accepts hazardous).
// Output: out_index[nq * kk] (-1 where fewer than kk candidates pass the filters) and
// out_score[nq * kk] (-inf there), kk = min(k, nx), rows sorted by (score desc, index asc).
// The result does not depend on n_threads.
void compat_topk(SimdLevel level, const PackedRows& supply, const PackedRows& demand,
                 const int32_t* supply_class, const int32_t* demand_class, int32_t n_classes,
                 const float* substitution, const uint8_t* supply_hazardous,
                 const uint8_t* demand_flags, const CompatOptions& opt, int64_t* out_index,
                 float* out_score, const PollFn& poll = PollFn());

// Plain cosine-similarity matrix (nq x nx, row-major) with the same blocked micro-kernels
// (used by tests and the benchmark's raw-similarity figure).
void cosine_matrix(SimdLevel level, const PackedRows& a, const PackedRows& b, float* out,
                   int n_threads, const PollFn& poll = PollFn());

}  // namespace symbioflows
