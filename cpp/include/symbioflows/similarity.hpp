// Text-embedding kernels: character n-gram feature hashing (the offline fallback encoder) and
// the fused supply x demand compatibility top-k (cosine similarity blended with class-to-class
// substitution knowledge, filtered, blocked and multi-threaded).
#pragma once
#include <cstddef>
#include <cstdint>
#include <new>
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

// The micro-kernels compute tiles of (candidate rows) x (query lanes): `simd_lanes` queries
// share the SIMD registers (one query per lane) and `simd_rows` candidates are broadcast.
int simd_lanes(SimdLevel level) noexcept;
int simd_rows(SimdLevel level) noexcept;

// Allocator aligning buffers to a cache line (a 32- or 64-byte vector load never straddles two).
template <class T>
struct CacheAligned {
    using value_type = T;
    static constexpr std::size_t kAlign = 64;
    CacheAligned() = default;
    template <class U>
    CacheAligned(const CacheAligned<U>&) noexcept {}
    T* allocate(std::size_t n) {
        return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(kAlign)));
    }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t(kAlign)); }
    template <class U>
    bool operator==(const CacheAligned<U>&) const noexcept { return true; }
    template <class U>
    bool operator!=(const CacheAligned<U>&) const noexcept { return false; }
};
using AlignedFloats = std::vector<float, CacheAligned<float>>;

// Packed query operand: panels of `rows_per_panel` rows stored k-major ([panel][k][lane]);
// rows are L2-normalised in double precision while packing, so dot products with normalised
// candidates are cosines (zero rows stay zero: cosine 0, never NaN).
struct PackedRows {
    int64_t n_rows = 0;
    int64_t dim = 0;
    int rows_per_panel = 1;
    AlignedFloats data;  // n_panels * dim * rows_per_panel (zero padded)
    int64_t n_panels() const { return (n_rows + rows_per_panel - 1) / rows_per_panel; }
};

// Pack a row-major float32 matrix (n x dim) for `level` (rows_per_panel = simd_lanes(level)).
// Throws InvalidInputError naming the first row holding NaN or inf (`what` names the matrix).
// Runs on n_threads threads without touching Python (safe with the GIL held).
PackedRows pack_rows(const float* x, int64_t n, int64_t dim, int rows_per_panel, const char* what,
                     int n_threads = 1);

// Candidate operand: a row-major float32 matrix read in place (never copied whole).  The kernels
// normalise it block by block while streaming it and, after the pass, throw InvalidInputError
// naming the first row that holds NaN or inf (whatever the thread count).
struct RowMatrix {
    const float* data = nullptr;
    int64_t n_rows = 0;
    int64_t dim = 0;
    const char* what = "demand";  // name used in error messages
};

struct CompatOptions {
    int64_t k = 10;
    float w_similarity = 0.5f;      // score = w_similarity * cosine + w_substitution * S[cs, cd]
    float w_substitution = 0.5f;
    float unknown_substitution = 0.5f;  // knowledge term when a class id is -1
    float min_substitution = 0.0f;      // pairs with a known S below this are excluded
    int n_threads = 0;
};

// Inputs besides the embeddings (all owned by the caller, sizes checked by the caller):
//   supply_class[nq], demand_class[nx] in [-1, n_classes); substitution: n_classes^2 row-major
//   (supply class row, demand class column); supply_hazardous[nq] (0/1, may be null);
//   demand_flags[nx] (bit 0 = blocked, bit 1 = accepts hazardous; may be null = not blocked,
//   accepts hazardous).
// Output: out_index[nq * kk] (-1 where fewer than kk candidates pass the filters) and
// out_score[nq * kk] (-inf there), kk = min(k, nx), rows sorted by (score desc, index asc).
// The result does not depend on n_threads.
void compat_topk(SimdLevel level, const PackedRows& supply, const RowMatrix& demand,
                 const int32_t* supply_class, const int32_t* demand_class, int32_t n_classes,
                 const float* substitution, const uint8_t* supply_hazardous,
                 const uint8_t* demand_flags, const CompatOptions& opt, int64_t* out_index,
                 float* out_score, const PollFn& poll = PollFn());

// Plain cosine-similarity matrix (a rows x b rows, row-major) with the same micro-kernels
// (used by tests and `cosine_similarity`).
void cosine_matrix(SimdLevel level, const PackedRows& a, const RowMatrix& b, float* out,
                   int n_threads, const PollFn& poll = PollFn());

}  // namespace symbioflows
