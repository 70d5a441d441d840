// Feature hashing and the fused compatibility top-k kernel.  See similarity.hpp.
//
// The similarity part is a register-blocked matrix product in the GotoBLAS style: both
// operands are packed once (while the GIL is still held: this is the copy into native-owned
// buffers the bindings need anyway) into k-major panels of MR query rows and NR candidate
// rows; a micro-kernel keeps an MR x NR tile of accumulators in registers and streams the two
// panels.  Micro-kernels: AVX-512F (12 x 32), AVX2+FMA (6 x 16), each compiled with a target
// attribute and chosen at run time from CPUID, and a portable C++ one (4 x 8) that the compiler
// vectorises for the baseline ISA, so the library runs on any x86-64 (and elsewhere).
// The epilogue (blend with substitution knowledge, filters, per-query top-k) runs on each
// cache-resident tile right after it is computed.
#include "symbioflows/similarity.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "symbioflows/errors.hpp"

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#define SYMBIOFLOWS_X86 1
#include <immintrin.h>
#else
#define SYMBIOFLOWS_X86 0
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
// Micro-kernels: C[r * ldc + c] = sum_k A[k * MR + r] * B[k * NR + c]
using MicroFn = void (*)(const float*, const float*, int64_t, float*, int64_t);

constexpr int kPortableMR = 4, kPortableNR = 8;
void micro_portable(const float* A, const float* B, int64_t d, float* C, int64_t ldc) {
    float acc[kPortableMR][kPortableNR] = {};
    for (int64_t k = 0; k < d; ++k) {
        const float* a = A + k * kPortableMR;
        const float* b = B + k * kPortableNR;
        for (int r = 0; r < kPortableMR; ++r) {
            const float ar = a[r];
            for (int c = 0; c < kPortableNR; ++c) acc[r][c] += ar * b[c];
        }
    }
    for (int r = 0; r < kPortableMR; ++r)
        for (int c = 0; c < kPortableNR; ++c) C[r * ldc + c] = acc[r][c];
}

#if SYMBIOFLOWS_X86
constexpr int kAvx2MR = 6, kAvx2NR = 16;
__attribute__((target("avx2,fma"))) void micro_avx2(const float* A, const float* B, int64_t d,
                                                    float* C, int64_t ldc) {
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    for (int64_t k = 0; k < d; ++k) {
        const float* a = A + k * kAvx2MR;
        const __m256 b0 = _mm256_loadu_ps(B + k * kAvx2NR);
        const __m256 b1 = _mm256_loadu_ps(B + k * kAvx2NR + 8);
        __m256 x = _mm256_broadcast_ss(a + 0);
        c00 = _mm256_fmadd_ps(x, b0, c00);
        c01 = _mm256_fmadd_ps(x, b1, c01);
        x = _mm256_broadcast_ss(a + 1);
        c10 = _mm256_fmadd_ps(x, b0, c10);
        c11 = _mm256_fmadd_ps(x, b1, c11);
        x = _mm256_broadcast_ss(a + 2);
        c20 = _mm256_fmadd_ps(x, b0, c20);
        c21 = _mm256_fmadd_ps(x, b1, c21);
        x = _mm256_broadcast_ss(a + 3);
        c30 = _mm256_fmadd_ps(x, b0, c30);
        c31 = _mm256_fmadd_ps(x, b1, c31);
        x = _mm256_broadcast_ss(a + 4);
        c40 = _mm256_fmadd_ps(x, b0, c40);
        c41 = _mm256_fmadd_ps(x, b1, c41);
        x = _mm256_broadcast_ss(a + 5);
        c50 = _mm256_fmadd_ps(x, b0, c50);
        c51 = _mm256_fmadd_ps(x, b1, c51);
    }
    _mm256_storeu_ps(C + 0 * ldc, c00);
    _mm256_storeu_ps(C + 0 * ldc + 8, c01);
    _mm256_storeu_ps(C + 1 * ldc, c10);
    _mm256_storeu_ps(C + 1 * ldc + 8, c11);
    _mm256_storeu_ps(C + 2 * ldc, c20);
    _mm256_storeu_ps(C + 2 * ldc + 8, c21);
    _mm256_storeu_ps(C + 3 * ldc, c30);
    _mm256_storeu_ps(C + 3 * ldc + 8, c31);
    _mm256_storeu_ps(C + 4 * ldc, c40);
    _mm256_storeu_ps(C + 4 * ldc + 8, c41);
    _mm256_storeu_ps(C + 5 * ldc, c50);
    _mm256_storeu_ps(C + 5 * ldc + 8, c51);
}

constexpr int kAvx512MR = 12, kAvx512NR = 32;
__attribute__((target("avx512f"))) void micro_avx512(const float* A, const float* B, int64_t d,
                                                     float* C, int64_t ldc) {
    __m512 acc0[kAvx512MR], acc1[kAvx512MR];
#pragma GCC unroll 12
    for (int r = 0; r < kAvx512MR; ++r) {
        acc0[r] = _mm512_setzero_ps();
        acc1[r] = _mm512_setzero_ps();
    }
    for (int64_t k = 0; k < d; ++k) {
        const float* a = A + k * kAvx512MR;
        const __m512 b0 = _mm512_loadu_ps(B + k * kAvx512NR);
        const __m512 b1 = _mm512_loadu_ps(B + k * kAvx512NR + 16);
#pragma GCC unroll 12
        for (int r = 0; r < kAvx512MR; ++r) {
            const __m512 x = _mm512_set1_ps(a[r]);
            acc0[r] = _mm512_fmadd_ps(x, b0, acc0[r]);
            acc1[r] = _mm512_fmadd_ps(x, b1, acc1[r]);
        }
    }
#pragma GCC unroll 12
    for (int r = 0; r < kAvx512MR; ++r) {
        _mm512_storeu_ps(C + r * ldc, acc0[r]);
        _mm512_storeu_ps(C + r * ldc + 16, acc1[r]);
    }
}
#endif

struct Kernel {
    int mr;
    int nr;
    MicroFn fn;
};

Kernel kernel_for(SimdLevel level) {
#if SYMBIOFLOWS_X86
    if (level == SimdLevel::avx512) return {kAvx512MR, kAvx512NR, &micro_avx512};
    if (level == SimdLevel::avx2) return {kAvx2MR, kAvx2NR, &micro_avx2};
#else
    (void)level;
#endif
    return {kPortableMR, kPortableNR, &micro_portable};
}

// Query rows per work item (a multiple of MR) and candidate rows per cache block (of NR).
constexpr int kQueryRowsPerItem = 96;
constexpr int kCandRowsPerBlock = 256;

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
    float threshold() const noexcept {
        return size < cap ? -std::numeric_limits<float>::infinity() : h[0].score;
    }
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

// Runs body(item) over (query item, candidate chunk) pairs; computes each tile with the
// micro-kernel and hands it to `epilogue(tile, ldt, q_row0, n_q_rows, x_row0, n_x_rows, slot)`.
template <class Epilogue>
void blocked_product(const Kernel& K, const PackedRows& a, const PackedRows& b, int64_t n_chunks,
                     int n_threads, const PollFn& poll, Epilogue&& epilogue) {
    const int64_t d = a.dim;
    const int64_t a_panels = a.n_panels(), b_panels = b.n_panels();
    const int64_t qp_per_item = std::max<int64_t>(1, kQueryRowsPerItem / K.mr);
    const int64_t bp_per_block = std::max<int64_t>(1, kCandRowsPerBlock / K.nr);
    const int64_t n_qitems = (a_panels + qp_per_item - 1) / qp_per_item;
    const int64_t bp_per_chunk = (b_panels + n_chunks - 1) / n_chunks;
    const int64_t ldt = bp_per_block * K.nr;
    parallel_for(
        n_qitems * n_chunks, n_threads,
        [&](int64_t item) {
            const int64_t qi = item / n_chunks, cc = item % n_chunks;
            const int64_t qp0 = qi * qp_per_item, qp1 = std::min(a_panels, qp0 + qp_per_item);
            const int64_t bp0 = cc * bp_per_chunk, bp1 = std::min(b_panels, bp0 + bp_per_chunk);
            std::vector<float> tile(static_cast<size_t>((qp1 - qp0) * K.mr * ldt));
            const int64_t q_row0 = qp0 * K.mr;
            const int64_t q_rows = std::min(a.n_rows, qp1 * K.mr) - q_row0;
            for (int64_t pb = bp0; pb < bp1; pb += bp_per_block) {
                const int64_t pe = std::min(bp1, pb + bp_per_block);
                for (int64_t p = pb; p < pe; ++p) {
                    const float* B = b.data.data() + p * d * K.nr;
                    for (int64_t qp = qp0; qp < qp1; ++qp) {
                        K.fn(a.data.data() + qp * d * K.mr, B, d,
                             tile.data() + (qp - qp0) * K.mr * ldt + (p - pb) * K.nr, ldt);
                    }
                }
                const int64_t x_row0 = pb * K.nr;
                const int64_t x_rows = std::min(b.n_rows, pe * K.nr) - x_row0;
                epilogue(tile.data(), ldt, q_row0, q_rows, x_row0, x_rows, cc);
            }
        },
        poll);
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
#if SYMBIOFLOWS_X86 && defined(__GNUC__)
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

int simd_mr(SimdLevel level) noexcept { return kernel_for(level).mr; }
int simd_nr(SimdLevel level) noexcept { return kernel_for(level).nr; }

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
    for (int64_t panel = 0; panel < n_panels; ++panel) {
        const int64_t i = bad[static_cast<size_t>(panel)];
        if (i < 0) continue;
        int64_t c = 0;
        while (c < dim && std::isfinite(x[i * dim + c])) ++c;
        throw InvalidInputError(std::string(what) + " row " + std::to_string(i) +
                                " holds a non-finite value (" + std::to_string(x[i * dim + c]) +
                                ") at column " + std::to_string(c) + "; drop or re-embed that row");
    }
    return p;
}

void compat_topk(SimdLevel level, const PackedRows& supply, const PackedRows& demand,
                 const int32_t* supply_class, const int32_t* demand_class, int32_t n_classes,
                 const float* substitution, const uint8_t* supply_hazardous,
                 const uint8_t* demand_flags, const CompatOptions& opt, int64_t* out_index,
                 float* out_score, const PollFn& poll) {
    const Kernel K = kernel_for(level);
    if (supply.rows_per_panel != K.mr || demand.rows_per_panel != K.nr || supply.dim != demand.dim)
        throw InvalidInputError("compat_topk: operands packed for another kernel");
    const int64_t nq = supply.n_rows, nx = demand.n_rows;
    const int64_t kk = std::min(opt.k, nx);
    if (nq == 0 || kk <= 0) return;
    const float ninf = -std::numeric_limits<float>::infinity();

    const int threads = resolve_threads(opt.n_threads, 1 << 30);
    const int64_t qp_per_item = std::max<int64_t>(1, kQueryRowsPerItem / K.mr);
    const int64_t n_qitems = (supply.n_panels() + qp_per_item - 1) / qp_per_item;
    const int64_t b_blocks = (demand.n_rows + kCandRowsPerBlock - 1) / kCandRowsPerBlock;
    int64_t n_chunks = 1;
    if (n_qitems < 4 * static_cast<int64_t>(threads)) {
        n_chunks = std::min<int64_t>((4 * threads + n_qitems - 1) / n_qitems, std::max<int64_t>(1, b_blocks));
    }
    // Partial top-k per (candidate chunk, query), each slot kk entries.
    std::vector<Entry> part(static_cast<size_t>(n_chunks * nq * kk), Entry{ninf, -1});
    std::vector<int64_t> part_size(static_cast<size_t>(n_chunks * nq), 0);

    const float ws = opt.w_similarity, wk = opt.w_substitution;
    blocked_product(
        K, supply, demand, n_chunks, opt.n_threads, poll,
        [&](const float* tile, int64_t ldt, int64_t q0, int64_t nqr, int64_t x0, int64_t nxr,
            int64_t cc) {
            for (int64_t r = 0; r < nqr; ++r) {
                const int64_t q = q0 + r;
                const size_t slot = static_cast<size_t>(cc * nq + q);
                TopK heap{part.data() + slot * kk, kk, part_size[slot]};
                const int32_t cq = supply_class ? supply_class[q] : -1;
                const float* srow = (cq >= 0) ? substitution + static_cast<int64_t>(cq) * n_classes : nullptr;
                const bool haz = supply_hazardous && supply_hazardous[q];
                const float* t = tile + r * ldt;
                float thr = heap.threshold();
                for (int64_t c = 0; c < nxr; ++c) {
                    const int64_t x = x0 + c;
                    float kn = opt.unknown_substitution;
                    if (srow) {
                        const int32_t cx = demand_class ? demand_class[x] : -1;
                        if (cx >= 0) {
                            kn = srow[cx];
                            if (kn < opt.min_substitution) continue;
                        }
                    }
                    const float cosv = std::min(1.0f, std::max(-1.0f, t[c]));
                    const float s = ws * cosv + wk * kn;
                    if (s < thr) continue;  // equal scores arrive in increasing index: keep the first
                    if (demand_flags) {
                        const uint8_t f = demand_flags[x];
                        if ((f & 1u) || (haz && !(f & 2u))) continue;
                    }
                    if (s == thr) continue;
                    heap.push(Entry{s, x});
                    thr = heap.threshold();
                }
                part_size[slot] = heap.size;
            }
        });

    // Merge chunks and sort each query's entries by the total order; fully deterministic.
    std::vector<Entry> buf;
    for (int64_t q = 0; q < nq; ++q) {
        buf.clear();
        for (int64_t cc = 0; cc < n_chunks; ++cc) {
            const size_t slot = static_cast<size_t>(cc * nq + q);
            buf.insert(buf.end(), part.begin() + static_cast<std::ptrdiff_t>(slot * kk),
                       part.begin() + static_cast<std::ptrdiff_t>(slot * kk + part_size[slot]));
        }
        std::sort(buf.begin(), buf.end(), better);
        for (int64_t t = 0; t < kk; ++t) {
            const bool ok = t < static_cast<int64_t>(buf.size());
            out_index[q * kk + t] = ok ? buf[static_cast<size_t>(t)].index : -1;
            out_score[q * kk + t] = ok ? buf[static_cast<size_t>(t)].score : ninf;
        }
    }
}

void cosine_matrix(SimdLevel level, const PackedRows& a, const PackedRows& b, float* out,
                   int n_threads, const PollFn& poll) {
    const Kernel K = kernel_for(level);
    if (a.rows_per_panel != K.mr || b.rows_per_panel != K.nr || a.dim != b.dim)
        throw InvalidInputError("cosine_matrix: operands packed for another kernel");
    const int64_t nx = b.n_rows;
    if (a.n_rows == 0 || nx == 0) return;
    blocked_product(K, a, b, 1, n_threads, poll,
                    [&](const float* tile, int64_t ldt, int64_t q0, int64_t nqr, int64_t x0,
                        int64_t nxr, int64_t) {
                        for (int64_t r = 0; r < nqr; ++r)
                            std::memcpy(out + (q0 + r) * nx + x0, tile + r * ldt,
                                        static_cast<size_t>(nxr) * sizeof(float));
                    });
}

}  // namespace symbioflows
