// Blocked cosine product and its epilogues, written once for every instruction set.
//
// similarity.cpp includes this file once per ISA, inside a namespace that defines
//   V       the vector traits (type, W lanes, zero/load/bcast/store/fma/mul/min/max/ge_mask),
//   MR      candidate rows per micro-tile (broadcast operand),
//   NV      query vectors per micro-tile (NR = NV * W query lanes),
//   NB, QB  candidate panels per packed block and query panels per L2 block,
// and, for the x86 ISAs, inside `#pragma GCC target` so that every function below is compiled
// for that ISA only (and reached only after a CPUID check).  No headers are included here.
//
// Loop nest of one work item (queries [qp0, qp1) x candidates [x_begin, x_end)), GotoBLAS-style:
//   for each block of NB*MR candidate rows (read in place; their inverse norms computed first,
//   which also brings the block into L2):
//     for each block of QB query panels (L2):
//       for each candidate panel p (MR consecutive rows x d, stays in L1):
//         for each query panel (NR lanes x d, streamed from L2):
//           MR x NR tile of dot products in registers over the whole depth (k-blocks of KC
//           when d > KC, partial sums parked in a small buffer), scaled by the candidates'
//           inverse norms, then the epilogue on the registers: for the top-k, an upper
//           bound of every pair's fused score (ws * cos + the knowledge-and-filter term of
//           the row's key) and one compare of the tile's column maxima with the queries'
//           entry thresholds; only a tile holding a pair that can still enter some query's
//           top-k leaves the registers (the scalar `offer` path computes the exact score).

constexpr int W = V::W;
constexpr int NR = NV * W;
constexpr int64_t KC = 384;  // depth per k-block: MR*KC + NR*KC floats stay within L1 + L2
using vec = typename V::type;

// Inverse L2 norms (double accumulation) of candidate rows [r0, r0 + n).  A row holding
// NaN/inf gets 0; returns the first such row or -1.
inline int64_t inverse_norms(const RowMatrix& x, int64_t r0, int64_t n, float* inv) {
    const int64_t d = x.dim;
    int64_t bad = -1;
    for (int64_t i = 0; i < n; ++i) {
        const float* row = x.data + (r0 + i) * d;
        double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        int64_t c = 0;
        for (; c + 8 <= d; c += 8) {
            for (int j = 0; j < 8; ++j) s[j] += static_cast<double>(row[c + j]) * row[c + j];
        }
        for (; c < d; ++c) s[0] += static_cast<double>(row[c]) * row[c];
        const double ss = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
        if (!std::isfinite(ss)) {  // finite float32 squares cannot overflow a double
            if (bad < 0) bad = r0 + i;
            inv[i] = 0.0f;
        } else {
            inv[i] = ss > 0.0 ? static_cast<float>(1.0 / std::sqrt(ss)) : 0.0f;
        }
    }
    return bad;
}

// acc[r][v] (+)= sum_k X[r * ldx + k] * Q[k * NR + v * W + lane]: candidate rows are read in
// place (row-major, ldx apart), query panels are packed k-major.
SF_ALWAYS_INLINE void micro(const float* X, int64_t ldx, const float* Q, int64_t kc, vec (&acc)[MR][NV]) {
    for (int64_t k = 0; k < kc; ++k) {
        vec b[NV];
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) b[v] = V::load(Q + k * NR + v * W);
#pragma GCC unroll 16
        for (int r = 0; r < MR; ++r) {
            const vec a = V::bcast(X + r * ldx + k);
#pragma GCC unroll 4
            for (int v = 0; v < NV; ++v) acc[r][v] = V::fma(a, b[v], acc[r][v]);
        }
    }
}

SF_ALWAYS_INLINE void zero(vec (&acc)[MR][NV]) {
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[r][v] = V::zero();
    }
}

SF_ALWAYS_INLINE void load_tile(const float* C, vec (&acc)[MR][NV]) {
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[r][v] = V::load(C + r * NR + v * W);
    }
}

SF_ALWAYS_INLINE void scale_rows(const float* inv, vec (&acc)[MR][NV]) {
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
        const vec s = V::bcast(inv + r);
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[r][v] = V::mul(acc[r][v], s);
    }
}

SF_ALWAYS_INLINE void store_tile(float* C, const vec (&acc)[MR][NV]) {
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) V::store(C + r * NR + v * W, acc[r][v]);
    }
}

// Cold path: some pair of the tile may enter its query's top-k (bound[] >= thr[]).
SF_NOINLINE void offer_tile(const TopkJob& J, int64_t cc, int64_t x0, int64_t q0, const float* thr,
                            const float* cosv, const float* bound) {
    for (int r = 0; r < MR; ++r) {
        const int64_t x = x0 + r;
        if (x >= J.nx) break;
        for (int l = 0; l < NR; ++l) {
            if (bound[r * NR + l] >= thr[l]) offer(J, cc, x, q0 + l, cosv[r * NR + l]);  // thr[] may rise
        }
    }
}

// Epilogue of the top-k: bound = ws * clamp(cos) + term(key of the row, query) per pair (one
// FMA; -inf where a filter drops the pair), compared with the queries' entry thresholds on the
// column maxima.  T: this query panel's table, keys: the tile's candidate rows.
SF_ALWAYS_INLINE void finish_topk(const TopkJob& J, int64_t cc, int64_t x0, int64_t q0, const float* thr,
                                  const float* T, const int32_t* keys, vec (&acc)[MR][NV]) {
    const float one = 1.0f, minus_one = -1.0f;
    const vec hi = V::bcast(&one), lo = V::bcast(&minus_one), ws = V::bcast(&J.ws);
    vec bound[MR][NV];
    vec m[NV];
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
        const float* t = T + static_cast<int64_t>(keys[r]) * NR;
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) {
            acc[r][v] = V::min(V::max(acc[r][v], lo), hi);
            bound[r][v] = V::fma(acc[r][v], ws, V::load(t + v * W));
            m[v] = r == 0 ? bound[r][v] : V::max(m[v], bound[r][v]);
        }
    }
    unsigned hit = 0;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) hit |= V::ge_mask(m[v], V::load(thr + v * W));
    if (__builtin_expect(hit != 0, 0)) {
        alignas(64) float cosv[MR * NR];
        alignas(64) float bnd[MR * NR];
        store_tile(cosv, acc);
        store_tile(bnd, bound);
        offer_tile(J, cc, x0, q0, thr, cosv, bnd);
    }
}

// Epilogue of the cosine matrix: write the tile (queries are rows of `out`).
SF_NOINLINE void finish_store(const TopkJob& J, int64_t x0, int64_t q0, const float* tile) {
    const int64_t rows = std::min<int64_t>(MR, J.nx - x0);
    const int64_t lanes = std::min<int64_t>(NR, J.nq - q0);
    for (int64_t l = 0; l < lanes; ++l) {
        float* o = J.out + (q0 + l) * J.nx + x0;
        for (int64_t r = 0; r < rows; ++r) o[r] = tile[r * NR + l];
    }
}

template <bool kTopk>
void run_item(const TopkJob& J, int64_t item) {
    const int64_t qi = item / J.n_chunks, cc = item % J.n_chunks;
    const int64_t q_panels = J.q->n_panels();
    const int64_t qp0 = qi * J.q_panels_per_item, qp1 = std::min(q_panels, qp0 + J.q_panels_per_item);
    const int64_t x_begin = cc * J.x_rows_per_chunk, x_end = std::min(J.nx, x_begin + J.x_rows_per_chunk);
    const int64_t d = J.d;
    // Equal k-blocks (the last one shorter); one empty block when d == 0 (all cosines 0).
    const int64_t nkb = std::max<int64_t>(1, (d + KC - 1) / KC);
    const int64_t kc = std::max<int64_t>(1, (d + nkb - 1) / nkb);
    AlignedFloats cbuf(nkb > 1 ? static_cast<size_t>(NB * QB * MR * NR) : 0);
    AlignedFloats tail(static_cast<size_t>(MR * d));  // the last rows, zero padded to MR
    float inv[NB * MR];
    const float* qdata = J.q->data.data();
    float* thr_all = kTopk ? J.thr + cc * J.nq_pad : nullptr;
    AlignedFloats table(kTopk ? static_cast<size_t>((qp1 - qp0) * J.n_keys * NR) : 0);
    if (kTopk) build_table(J, qp0, qp1, NR, table.data());
    alignas(64) float tile[MR * NR];
    vec acc[MR][NV];
    for (int64_t xb = x_begin; xb < x_end; xb += NB * MR) {
        const int64_t n = std::min<int64_t>(NB * MR, x_end - xb);
        const int64_t npan = (n + MR - 1) / MR;
        const int64_t bad = inverse_norms(J.x, xb, n, inv);
        if (bad >= 0 && (J.bad_row[item] < 0 || bad < J.bad_row[item])) J.bad_row[item] = bad;
        for (int64_t i = n; i < npan * MR; ++i) inv[i] = 0.0f;
        if (n % MR != 0) {
            const int64_t full = n / MR * MR;
            std::fill(tail.begin(), tail.end(), 0.0f);
            std::copy(J.x.data + (xb + full) * d, J.x.data + (xb + n) * d, tail.begin());
        }
        for (int64_t qb = qp0; qb < qp1; qb += QB) {
            const int64_t qe = std::min(qp1, qb + QB);
            for (int64_t kb = 0; kb < nkb; ++kb) {
                const int64_t k0 = kb * kc;
                const int64_t kl = std::max<int64_t>(0, std::min(kc, d - k0));
                const bool first = kb == 0, last = kb == nkb - 1;
                for (int64_t p = 0; p < npan; ++p) {
                    const float* X = ((p + 1) * MR <= n ? J.x.data + (xb + p * MR) * d : tail.data()) + k0;
                    for (int64_t qp = qb; qp < qe; ++qp) {
                        const float* Q = qdata + qp * d * NR + k0 * NR;
                        float* C = last && first ? nullptr : cbuf.data() + ((p * QB) + (qp - qb)) * MR * NR;
                        if (first) zero(acc);
                        else load_tile(C, acc);
                        micro(X, d, Q, kl, acc);
                        if (!last) {
                            store_tile(C, acc);
                            continue;
                        }
                        scale_rows(inv + p * MR, acc);
                        if (kTopk) {
                            finish_topk(J, cc, xb + p * MR, qp * NR, thr_all + qp * NR,
                                        table.data() + (qp - qp0) * J.n_keys * NR, J.key + xb + p * MR, acc);
                        } else {
                            store_tile(tile, acc);
                            finish_store(J, xb + p * MR, qp * NR, tile);
                        }
                    }
                }
            }
        }
    }
}

void topk_item(const TopkJob& J, int64_t item) { run_item<true>(J, item); }
void cosine_item(const TopkJob& J, int64_t item) { run_item<false>(J, item); }
