// Feature hashing and the fused compatibility top-k kernel.  See similarity.hpp.
//
// The similarity part is a register-blocked matrix product in the GotoBLAS/BLIS style, fused
// with the top-k selection:
// * the queries (supply rows, usually the smaller side) are normalised and packed once into
//   k-major panels of NR rows, one query per SIMD lane; the candidates (demand rows, often
//   100,000+) are read in place, MR consecutive rows broadcast per step, their inverse norms
//   computed block by block as the rows are first touched (no copy of the large matrix);
// * a micro-kernel keeps an MR x NR tile of dot products in registers over the whole depth:
//   AVX-512F 8 x 48, AVX2+FMA 6 x 16 (each compiled under a target pragma and chosen at run
//   time from CPUID), portable C++ 4 x 8 that the compiler vectorises for the baseline ISA, so
//   the library runs on any x86-64 (and elsewhere); the loops, blocking and epilogues are one
//   source (similarity_tiles.inl) included once per ISA;
// * the epilogue runs on the registers: each query keeps the cosine it must reach to enter
//   its top-k (derived from its heap's worst score and an upper bound of its knowledge term),
//   and one compare of the tile's column maxima with those thresholds discards a tile that
//   cannot change any top-k.  Only the rare tile that can (at the start, then ~k log(n/k)
//   times per query) goes to the scalar path, which computes the exact fused score, applies
//   the hazard/blocked/min-substitution filters and updates the heap.  So the fused score
//   costs about what the raw cosine top-k costs, which costs about what the product costs.
#include "symbioflows/similarity.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "symbioflows/errors.hpp"

// SIMD micro-kernels need GCC/Clang target pragmas and __builtin_cpu_supports (x86-64 only).
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define SYMBIOFLOWS_SIMD 1
#include <immintrin.h>
#else
#define SYMBIOFLOWS_SIMD 0
#endif

namespace symbioflows {
namespace {

// ---------------------------------------------------------------------------------------------
// Feature hashing
inline uint64_t mix64(uint64_t x) noexcept {  // splitmix64 finaliser
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

inline uint64_t fnv1a(const char* p, size_t n, uint64_t seed) noexcept {
    uint64_t h = 1469598103934665603ULL ^ (seed * 0x9e3779b97f4a7c15ULL);
    for (size_t i = 0; i < n; ++i) {
        h ^= static_cast<unsigned char>(p[i]);
        h *= 1099511628211ULL;
    }
    return mix64(h);
}

inline void add_feature(float* row, int64_t dim, uint64_t h, float w) noexcept {
    const int64_t b = static_cast<int64_t>(h % static_cast<uint64_t>(dim));
    row[b] += (h >> 63) ? -w : w;
}

// ---------------------------------------------------------------------------------------------
// Compatibility top-k: shared state and the scalar (cold) path

struct Entry {
    float score;
    int64_t index;
};
// Strict total order: higher score first, then lower index.
inline bool better(const Entry& a, const Entry& b) noexcept {
    return a.score > b.score || (a.score == b.score && a.index < b.index);
}

// Fixed-capacity heap keeping the best `cap` entries; the worst kept entry sits at the root.
struct TopK {
    Entry* h;
    int64_t cap;
    int64_t size = 0;
    void sift_down(int64_t i) noexcept {
        for (;;) {
            int64_t l = 2 * i + 1, r = l + 1, w = i;
            if (l < size && better(h[w], h[l])) w = l;
            if (r < size && better(h[w], h[r])) w = r;
            if (w == i) return;
            std::swap(h[i], h[w]);
            i = w;
        }
    }
    void push(Entry e) noexcept {
        if (size < cap) {
            int64_t i = size++;
            h[i] = e;
            while (i > 0) {
                int64_t p = (i - 1) / 2;
                if (!better(h[p], h[i])) break;  // parent is worse or equal: heap holds
                std::swap(h[p], h[i]);
                i = p;
            }
        } else if (better(e, h[0])) {
            h[0] = e;
            sift_down(0);
        }
    }
};

// Everything the work items of one call share.  Work item = (query range, candidate chunk);
// each (chunk, query) pair owns a top-k slot, merged at the end in the total order, so the
// result does not depend on how the candidates were split.
struct TopkJob {
    const PackedRows* q = nullptr;  // queries (supply), packed in panels of NR lanes
    RowMatrix x;                    // candidates (demand), read in place
    int64_t nq = 0, nx = 0, d = 0, kk = 0;
    int64_t q_panels_per_item = 1, x_rows_per_chunk = 1, n_chunks = 1;
    // score = ws * clamp(cos) + wk * knowledge, filters
    const int32_t* supply_class = nullptr;
    const int32_t* demand_class = nullptr;
    int32_t n_classes = 0;
    const float* substitution = nullptr;
    const uint8_t* hazardous = nullptr;
    const uint8_t* flags = nullptr;
    float ws = 1, wk = 0, unknown = 0, min_sub = 0;
    // Knowledge-and-filter table: every candidate row has a key (blocked / class x accepts
    // hazardous, see `demand_key`); term(key, query) = wk * knowledge, or -inf where a filter
    // drops the pair.  The tile epilogue adds it to ws * cos: an upper bound of each pair's
    // score, exact up to rounding, so only pairs that can enter a top-k leave the registers.
    const int32_t* key = nullptr;  // nx + padding (padding rows: key 0, blocked)
    int64_t n_keys = 1;
    double slack = 0;  // absolute rounding margin of the bound
    // top-k slots (chunk-major) and the score each query must reach to enter its slot
    Entry* part = nullptr;
    int64_t* part_size = nullptr;
    float* thr = nullptr;  // n_chunks * nq_pad
    int64_t nq_pad = 0;
    int64_t* bad_row = nullptr;  // per item: first non-finite candidate row, -1 if none
    float* out = nullptr;        // cosine matrix (nq x nx)
};

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kLowest = std::numeric_limits<float>::lowest();  // "any finite score passes"

// Key of a candidate row in the knowledge-and-filter table: 0 = blocked, else
// 1 + 2 * (class + 1) + (does not accept hazardous material).
int32_t demand_key(const TopkJob& J, int64_t x) noexcept {
    const uint8_t f = J.flags ? J.flags[x] : 2u;
    if (f & 1u) return 0;
    const int32_t cx = J.demand_class ? J.demand_class[x] : -1;
    return 1 + 2 * (cx + 1) + ((f & 2u) ? 0 : 1);
}

// The table for query panels [qp0, qp1): [panel][key][lane], nr lanes per panel.
void build_table(const TopkJob& J, int64_t qp0, int64_t qp1, int nr, float* out) {
    for (int64_t p = qp0; p < qp1; ++p) {
        float* T = out + (p - qp0) * J.n_keys * nr;
        for (int l = 0; l < nr; ++l) {
            const int64_t q = p * nr + l;
            const int32_t cq = (q < J.nq && J.supply_class) ? J.supply_class[q] : -1;
            const bool haz = q < J.nq && J.hazardous && J.hazardous[q];
            for (int64_t key = 0; key < J.n_keys; ++key) {
                float t = -kInf;
                if (q < J.nq && key > 0 && !(haz && ((key - 1) & 1))) {
                    const int32_t cx = static_cast<int32_t>((key - 1) / 2) - 1;
                    if (cq >= 0 && cx >= 0) {
                        const float kn = J.substitution[static_cast<int64_t>(cq) * J.n_classes + cx];
                        if (!(kn < J.min_sub)) t = J.wk * kn;
                    } else {
                        t = J.wk * J.unknown;
                    }
                }
                T[key * nr + l] = t;
            }
        }
    }
}

// Score a pair must reach (>=) in the tile test to be offered: the slot's worst kept score
// minus a margin for float rounding (the bound is one FMA, the exact score two operations).
float entry_threshold(const TopkJob& J, float worst) noexcept {
    return static_cast<float>(worst - (1e-6 * std::fabs(static_cast<double>(worst)) + J.slack));
}

// Exact score of (candidate x, query q) and insertion into the chunk's slot.
void offer(const TopkJob& J, int64_t cc, int64_t x, int64_t q, float cosv) {
    if (q >= J.nq || x >= J.nx) return;
    float kn = J.unknown;
    const int32_t cq = J.supply_class ? J.supply_class[q] : -1;
    const int32_t cx = J.demand_class ? J.demand_class[x] : -1;
    if (cq >= 0 && cx >= 0) {
        kn = J.substitution[static_cast<int64_t>(cq) * J.n_classes + cx];
        if (kn < J.min_sub) return;
    }
    if (J.flags) {
        const uint8_t f = J.flags[x];
        if ((f & 1u) || (J.hazardous && J.hazardous[q] && !(f & 2u))) return;
    }
    const float c = std::min(1.0f, std::max(-1.0f, cosv));
    const float s = J.ws * c + J.wk * kn;
    const int64_t slot = cc * J.nq + q;
    TopK heap{J.part + slot * J.kk, J.kk, J.part_size[slot]};
    const Entry e{s, x};
    if (heap.size == heap.cap && !better(e, heap.h[0])) return;
    heap.push(e);
    J.part_size[slot] = heap.size;
    if (heap.size == heap.cap) J.thr[cc * J.nq_pad + q] = entry_threshold(J, heap.h[0].score);
}

#if defined(__GNUC__)
#define SF_ALWAYS_INLINE __attribute__((always_inline)) inline
#define SF_NOINLINE __attribute__((noinline))
#else
#define SF_ALWAYS_INLINE inline
#define SF_NOINLINE
#endif

// ---- portable micro-kernel: 4 candidates x 8 queries, plain C++ the compiler vectorises --------
namespace isa_portable {
struct V {
    static constexpr int W = 4;
    struct type {
        float f[4];
    };
    static type zero() { return type{{0, 0, 0, 0}}; }
    static type load(const float* p) { return type{{p[0], p[1], p[2], p[3]}}; }
    static type bcast(const float* p) { return type{{*p, *p, *p, *p}}; }
    static void store(float* p, const type& a) {
        for (int i = 0; i < 4; ++i) p[i] = a.f[i];
    }
    static type fma(const type& a, const type& b, const type& c) {
        type r;
        for (int i = 0; i < 4; ++i) r.f[i] = a.f[i] * b.f[i] + c.f[i];
        return r;
    }
    static type mul(const type& a, const type& b) {
        type r;
        for (int i = 0; i < 4; ++i) r.f[i] = a.f[i] * b.f[i];
        return r;
    }
    static type max(const type& a, const type& b) {
        type r;
        for (int i = 0; i < 4; ++i) r.f[i] = a.f[i] > b.f[i] ? a.f[i] : b.f[i];
        return r;
    }
    static type min(const type& a, const type& b) {
        type r;
        for (int i = 0; i < 4; ++i) r.f[i] = a.f[i] < b.f[i] ? a.f[i] : b.f[i];
        return r;
    }
    static unsigned ge_mask(const type& a, const type& b) {
        unsigned m = 0;
        for (int i = 0; i < 4; ++i) m |= static_cast<unsigned>(a.f[i] >= b.f[i]) << i;
        return m;
    }
};
constexpr int MR = 4, NV = 2, NB = 16, QB = 8;
#include "similarity_tiles.inl"
}  // namespace isa_portable

#if SYMBIOFLOWS_SIMD
// ---- AVX2 + FMA: 6 candidates x 16 queries (12 accumulators of the 16 ymm registers) ---------
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
namespace isa_avx2 {
struct V {
    static constexpr int W = 8;
    using type = __m256;
    static SF_ALWAYS_INLINE type zero() { return _mm256_setzero_ps(); }
    static SF_ALWAYS_INLINE type load(const float* p) { return _mm256_loadu_ps(p); }
    static SF_ALWAYS_INLINE type bcast(const float* p) { return _mm256_broadcast_ss(p); }
    static SF_ALWAYS_INLINE void store(float* p, type a) { _mm256_storeu_ps(p, a); }
    static SF_ALWAYS_INLINE type fma(type a, type b, type c) { return _mm256_fmadd_ps(a, b, c); }
    static SF_ALWAYS_INLINE type mul(type a, type b) { return _mm256_mul_ps(a, b); }
    static SF_ALWAYS_INLINE type max(type a, type b) { return _mm256_max_ps(a, b); }
    static SF_ALWAYS_INLINE type min(type a, type b) { return _mm256_min_ps(a, b); }
    static SF_ALWAYS_INLINE unsigned ge_mask(type a, type b) {
        return static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_GE_OQ)));
    }
};
constexpr int MR = 6, NV = 2, NB = 16, QB = 8;
#include "similarity_tiles.inl"
}  // namespace isa_avx2
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

// ---- AVX-512F: 8 candidates x 48 queries (24 accumulators of the 32 zmm registers; 8 rows
// keep every row pointer in a general register) -----------------------------------------------
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
#pragma GCC diagnostic push
// GCC 12's _mm512_max_ps is built on _mm512_undefined_ps (a deliberate self-initialisation).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
namespace isa_avx512 {
struct V {
    static constexpr int W = 16;
    using type = __m512;
    static SF_ALWAYS_INLINE type zero() { return _mm512_setzero_ps(); }
    static SF_ALWAYS_INLINE type load(const float* p) { return _mm512_loadu_ps(p); }
    static SF_ALWAYS_INLINE type bcast(const float* p) { return _mm512_set1_ps(*p); }
    static SF_ALWAYS_INLINE void store(float* p, type a) { _mm512_storeu_ps(p, a); }
    static SF_ALWAYS_INLINE type fma(type a, type b, type c) { return _mm512_fmadd_ps(a, b, c); }
    static SF_ALWAYS_INLINE type mul(type a, type b) { return _mm512_mul_ps(a, b); }
    static SF_ALWAYS_INLINE type max(type a, type b) { return _mm512_max_ps(a, b); }
    static SF_ALWAYS_INLINE type min(type a, type b) { return _mm512_min_ps(a, b); }
    static SF_ALWAYS_INLINE unsigned ge_mask(type a, type b) {
        return static_cast<unsigned>(_mm512_cmp_ps_mask(a, b, _CMP_GE_OQ));
    }
};
constexpr int MR = 8, NV = 3, NB = 12, QB = 4;
#include "similarity_tiles.inl"
}  // namespace isa_avx512
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC diagnostic pop
#pragma GCC pop_options
#endif
#endif  // SYMBIOFLOWS_SIMD

struct Kernel {
    int mr;  // candidate rows per tile
    int nr;  // query lanes per tile
    void (*topk_item)(const TopkJob&, int64_t);
    void (*cosine_item)(const TopkJob&, int64_t);
};

Kernel kernel_for(SimdLevel level) {
#if SYMBIOFLOWS_SIMD
    if (level == SimdLevel::avx512)
        return {isa_avx512::MR, isa_avx512::NR, &isa_avx512::topk_item, &isa_avx512::cosine_item};
    if (level == SimdLevel::avx2)
        return {isa_avx2::MR, isa_avx2::NR, &isa_avx2::topk_item, &isa_avx2::cosine_item};
#else
    (void)level;
#endif
    return {isa_portable::MR, isa_portable::NR, &isa_portable::topk_item, &isa_portable::cosine_item};
}

// Split the work: query ranges of at most ~1,024 queries; candidate chunks (whole blocks of
// rows), bounded by the memory of their top-k slots.
void plan_items(TopkJob& J, const Kernel& K, int threads, int64_t slot_bytes) {
    const int64_t q_panels = J.q->n_panels();
    // ~1,024 queries per item, fewer when their knowledge table would pass 8 MB.
    const int64_t table_panel_bytes = J.n_keys * K.nr * static_cast<int64_t>(sizeof(float));
    J.q_panels_per_item = std::max<int64_t>(1, std::min<int64_t>(1024 / K.nr, (int64_t(8) << 20) / table_panel_bytes));
    const int64_t n_qitems = (q_panels + J.q_panels_per_item - 1) / J.q_panels_per_item;
    const int64_t block_rows = static_cast<int64_t>(K.mr) * 16;  // a few packed blocks per chunk at least
    const int64_t x_blocks = std::max<int64_t>(1, (J.nx + block_rows - 1) / block_rows);
    // One thread: one chunk (each chunk's top-k slots warm up on their own).  Several: about
    // four items per thread, pulled dynamically, so a slow core does not hold the others back.
    const int64_t want = threads > 1 ? 4 * static_cast<int64_t>(threads) : 1;
    int64_t n_chunks = 1;
    if (n_qitems < want) n_chunks = std::min<int64_t>((want + n_qitems - 1) / n_qitems, x_blocks);
    constexpr int64_t kSlotBudget = int64_t(256) << 20;  // bytes of per-chunk top-k slots
    if (slot_bytes > 0) n_chunks = std::max<int64_t>(1, std::min(n_chunks, kSlotBudget / slot_bytes));
    const int64_t blocks_per_chunk = (x_blocks + n_chunks - 1) / n_chunks;
    J.x_rows_per_chunk = blocks_per_chunk * block_rows;
    J.n_chunks = std::max<int64_t>(1, (J.nx + J.x_rows_per_chunk - 1) / J.x_rows_per_chunk);
}

[[noreturn]] void throw_bad_row(const RowMatrix& x, int64_t i) {
    int64_t c = 0;
    while (c < x.dim && std::isfinite(x.data[i * x.dim + c])) ++c;
    const float v = c < x.dim ? x.data[i * x.dim + c] : 0.0f;
    throw InvalidInputError(std::string(x.what) + " row " + std::to_string(i) +
                            " holds a non-finite value (" + std::to_string(v) + ") at column " +
                            std::to_string(c) + "; drop or re-embed that row");
}

int64_t first_bad(const std::vector<int64_t>& bad) {
    int64_t b = -1;
    for (int64_t v : bad)
        if (v >= 0 && (b < 0 || v < b)) b = v;
    return b;
}
}  // namespace

// ---------------------------------------------------------------------------------------------
void hash_embed(const std::vector<std::string>& texts, int64_t dim, int ngram_min, int ngram_max,
                float word_weight, float* out, int n_threads, const PollFn& poll) {
    if (dim <= 0) throw InvalidInputError("hash_embed: dim must be positive");
    if (ngram_min < 1 || ngram_max < ngram_min)
        throw InvalidInputError("hash_embed: need 1 <= ngram_min <= ngram_max");
    const int64_t n = static_cast<int64_t>(texts.size());
    std::fill(out, out + n * dim, 0.0f);
    constexpr int64_t kPerItem = 64;
    parallel_for(
        (n + kPerItem - 1) / kPerItem, n_threads,
        [&](int64_t item) {
            std::string padded;
            for (int64_t t = item * kPerItem; t < std::min(n, (item + 1) * kPerItem); ++t) {
                float* row = out + t * dim;
                const std::string& s = texts[static_cast<size_t>(t)];
                if (s.empty()) continue;
                padded.assign(1, ' ');
                padded += s;
                padded += ' ';
                const size_t L = padded.size();
                for (int g = ngram_min; g <= ngram_max; ++g) {
                    const size_t gs = static_cast<size_t>(g);
                    for (size_t i = 0; i + gs <= L; ++i) {
                        add_feature(row, dim, fnv1a(padded.data() + i, gs, static_cast<uint64_t>(g)),
                                    1.0f);
                    }
                }
                if (word_weight != 0.0f) {
                    size_t i = 0;
                    while (i < s.size()) {
                        size_t j = s.find(' ', i);
                        if (j == std::string::npos) j = s.size();
                        if (j > i) add_feature(row, dim, fnv1a(s.data() + i, j - i, 1000), word_weight);
                        i = j + 1;
                    }
                }
                double ss = 0.0;
                for (int64_t c = 0; c < dim; ++c) ss += static_cast<double>(row[c]) * row[c];
                if (ss > 0.0) {
                    const float inv = static_cast<float>(1.0 / std::sqrt(ss));
                    for (int64_t c = 0; c < dim; ++c) row[c] *= inv;
                }
            }
        },
        poll);
}

SimdLevel detect_simd() noexcept {
#if SYMBIOFLOWS_SIMD
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return SimdLevel::avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return SimdLevel::avx2;
#endif
    return SimdLevel::portable;
}

const char* simd_name(SimdLevel level) noexcept {
    switch (level) {
        case SimdLevel::avx512: return "avx512";
        case SimdLevel::avx2: return "avx2";
        default: return "portable";
    }
}

int simd_lanes(SimdLevel level) noexcept { return kernel_for(level).nr; }
int simd_rows(SimdLevel level) noexcept { return kernel_for(level).mr; }

PackedRows pack_rows(const float* x, int64_t n, int64_t dim, int rows_per_panel, const char* what,
                     int n_threads) {
    PackedRows p;
    p.n_rows = n;
    p.dim = dim;
    p.rows_per_panel = rows_per_panel;
    const int64_t R = rows_per_panel;
    const int64_t n_panels = p.n_panels();
    p.data.assign(static_cast<size_t>(n_panels * dim * R), 0.0f);
    // One panel per item: a pass for the norms (double), then a transposing copy that writes
    // the panel contiguously.  Rows with NaN/inf are recorded per panel; the lowest is reported.
    std::vector<int64_t> bad(static_cast<size_t>(n_panels), -1);
    std::vector<double> inv(static_cast<size_t>(n));
    parallel_for(n_panels, n_threads, [&](int64_t panel) {
        const int64_t r0 = panel * R, r1 = std::min(n, r0 + R);
        for (int64_t i = r0; i < r1; ++i) {
            const float* row = x + i * dim;
            double ss = 0.0;
            for (int64_t c = 0; c < dim; ++c) ss += static_cast<double>(row[c]) * row[c];
            if (!std::isfinite(ss)) {  // finite float32 squares cannot overflow a double
                bad[static_cast<size_t>(panel)] = i;
                return;
            }
            inv[static_cast<size_t>(i)] = ss > 0.0 ? 1.0 / std::sqrt(ss) : 0.0;
        }
        float* dst = p.data.data() + panel * dim * R;
        for (int64_t c = 0; c < dim; ++c) {
            for (int64_t i = r0; i < r1; ++i) {
                dst[c * R + (i - r0)] = static_cast<float>(x[i * dim + c] * inv[static_cast<size_t>(i)]);
            }
        }
    });
    const int64_t b = first_bad(bad);
    if (b >= 0) throw_bad_row(RowMatrix{x, n, dim, what}, b);
    return p;
}

void compat_topk(SimdLevel level, const PackedRows& supply, const RowMatrix& demand,
                 const int32_t* supply_class, const int32_t* demand_class, int32_t n_classes,
                 const float* substitution, const uint8_t* supply_hazardous,
                 const uint8_t* demand_flags, const CompatOptions& opt, int64_t* out_index,
                 float* out_score, const PollFn& poll) {
    const Kernel K = kernel_for(level);
    if (supply.rows_per_panel != K.nr || supply.dim != demand.dim)
        throw InvalidInputError("compat_topk: supply packed for another kernel or dimension");
    const int64_t nq = supply.n_rows, nx = demand.n_rows;
    const int64_t kk = std::min(opt.k, nx);
    if (nq == 0 || kk <= 0) return;
    const int threads = resolve_threads(opt.n_threads, 1 << 30);
    TopkJob J;
    J.q = &supply;
    J.x = demand;
    J.nq = nq;
    J.nx = nx;
    J.d = supply.dim;
    J.kk = kk;
    J.supply_class = supply_class;
    J.demand_class = demand_class;
    J.n_classes = n_classes;
    J.substitution = substitution;
    J.hazardous = supply_hazardous;
    J.flags = demand_flags;
    J.ws = opt.w_similarity;
    J.wk = opt.w_substitution;
    J.unknown = opt.unknown_substitution;
    J.min_sub = opt.min_substitution;
    J.n_keys = 1 + 2 * (static_cast<int64_t>(demand_class ? n_classes : 0) + 1);
    double tmax = std::fabs(static_cast<double>(J.unknown));
    for (int64_t i = 0; demand_class && i < static_cast<int64_t>(n_classes) * n_classes; ++i)
        tmax = std::max(tmax, std::fabs(static_cast<double>(substitution[i])));
    J.slack = 1e-6 * (std::fabs(static_cast<double>(J.ws)) + std::fabs(static_cast<double>(J.wk)) * tmax);
    std::vector<int32_t> key(static_cast<size_t>(nx + K.mr), 0);  // padding rows: blocked
    for (int64_t x = 0; x < nx; ++x) key[static_cast<size_t>(x)] = demand_key(J, x);
    J.key = key.data();
    plan_items(J, K, threads, nq * kk * static_cast<int64_t>(sizeof(Entry)));
    std::vector<Entry> part(static_cast<size_t>(J.n_chunks * nq * kk), Entry{-kInf, -1});
    std::vector<int64_t> part_size(static_cast<size_t>(J.n_chunks * nq), 0);
    J.nq_pad = supply.n_panels() * K.nr;
    std::vector<float> thr(static_cast<size_t>(J.n_chunks * J.nq_pad), kInf);  // padding lanes: never
    for (int64_t cc = 0; cc < J.n_chunks; ++cc)
        std::fill_n(thr.begin() + static_cast<std::ptrdiff_t>(cc * J.nq_pad), nq, kLowest);
    J.part = part.data();
    J.part_size = part_size.data();
    J.thr = thr.data();
    const int64_t n_items = ((supply.n_panels() + J.q_panels_per_item - 1) / J.q_panels_per_item) * J.n_chunks;
    std::vector<int64_t> bad(static_cast<size_t>(n_items), -1);
    J.bad_row = bad.data();
    parallel_for(n_items, opt.n_threads, [&](int64_t item) { K.topk_item(J, item); }, poll);
    const int64_t b = first_bad(bad);
    if (b >= 0) throw_bad_row(demand, b);

    // Merge chunks and sort each query's entries by the total order; fully deterministic.
    std::vector<Entry> buf;
    for (int64_t q = 0; q < nq; ++q) {
        buf.clear();
        for (int64_t cc = 0; cc < J.n_chunks; ++cc) {
            const size_t slot = static_cast<size_t>(cc * nq + q);
            buf.insert(buf.end(), part.begin() + static_cast<std::ptrdiff_t>(slot * kk),
                       part.begin() + static_cast<std::ptrdiff_t>(slot * kk + part_size[slot]));
        }
        std::sort(buf.begin(), buf.end(), better);
        for (int64_t t = 0; t < kk; ++t) {
            const bool ok = t < static_cast<int64_t>(buf.size());
            out_index[q * kk + t] = ok ? buf[static_cast<size_t>(t)].index : -1;
            out_score[q * kk + t] = ok ? buf[static_cast<size_t>(t)].score : -kInf;
        }
    }
}

void cosine_matrix(SimdLevel level, const PackedRows& a, const RowMatrix& b, float* out,
                   int n_threads, const PollFn& poll) {
    const Kernel K = kernel_for(level);
    if (a.rows_per_panel != K.nr || a.dim != b.dim)
        throw InvalidInputError("cosine_matrix: a packed for another kernel or dimension");
    if (a.n_rows == 0 || b.n_rows == 0) return;
    TopkJob J;
    J.q = &a;
    J.x = b;
    J.nq = a.n_rows;
    J.nx = b.n_rows;
    J.d = a.dim;
    J.out = out;
    plan_items(J, K, resolve_threads(n_threads, 1 << 30), 0);
    const int64_t n_items = ((a.n_panels() + J.q_panels_per_item - 1) / J.q_panels_per_item) * J.n_chunks;
    std::vector<int64_t> bad(static_cast<size_t>(n_items), -1);
    J.bad_row = bad.data();
    parallel_for(n_items, n_threads, [&](int64_t item) { K.cosine_item(J, item); }, poll);
    const int64_t bb = first_bad(bad);
    if (bb >= 0) throw_bad_row(b, bb);
}

}  // namespace symbioflows
