// Bounded top-k of ranked edge sequences (the branch-and-bound chain searches), in flat
// storage: one heap of slot ids over fixed-stride edge arrays, so an entry costs
// max_len x 8 + 32 bytes and no allocation (a vector per entry cost about 130 bytes and one
// malloc each: 1.77 GB and seconds of merge for top_k = 3,000,000).
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace symbioflows {

// Rank order: score descending, then the edge-id sequence ascending (lexicographic).
inline bool ranks_before(double sa, const int64_t* qa, int32_t la, double sb, const int64_t* qb,
                         int32_t lb) {
    if (sa != sb) return sa > sb;
    return std::lexicographical_compare(qa, qa + la, qb, qb + lb);
}

// Order-preserving key of a chain score: ascending key == descending score (-0 as +0; the
// scores are never NaN).
inline uint64_t descending_key(double score) {
    if (score == 0.0) score = 0.0;
    uint64_t u;
    std::memcpy(&u, &score, sizeof u);
    const uint64_t asc = (u >> 63) != 0 ? ~u : (u | (uint64_t{1} << 63));
    return ~asc;
}

struct KeyIdx {
    uint64_t key;
    int64_t idx;
};

// Stable sort by key: LSD radix in 16-bit digits (passes whose digit is the same for every
// entry are skipped), std::sort by (key, idx) for small inputs.
inline void sort_keys(std::vector<KeyIdx>& a) {
    const size_t n = a.size();
    if (n < 2048) {
        std::sort(a.begin(), a.end(), [](const KeyIdx& x, const KeyIdx& y) {
            return x.key != y.key ? x.key < y.key : x.idx < y.idx;
        });
        return;
    }
    std::vector<KeyIdx> tmp(n);
    std::vector<size_t> cnt(size_t{1} << 16);
    for (int shift = 0; shift < 64; shift += 16) {
        std::fill(cnt.begin(), cnt.end(), size_t{0});
        for (const KeyIdx& x : a) ++cnt[(x.key >> shift) & 0xFFFFu];
        if (cnt[(a[0].key >> shift) & 0xFFFFu] == n) continue;
        size_t sum = 0;
        for (size_t& c : cnt) {
            const size_t t = c;
            c = sum;
            sum += t;
        }
        for (const KeyIdx& x : a) tmp[cnt[(x.key >> shift) & 0xFFFFu]++] = x;
        a.swap(tmp);
    }
}

// Sort `ids` (given in the order the search found them) by (score desc, edge sequence asc):
// a stable sort by score key, then each group of equal scores is checked and, only where the
// found order is not already the edge-sequence order, sorted by comparison.  The depth-first
// searches find chains in edge-sequence order whenever each node's out-edges in CSR order
// (target, edge id) have increasing edge ids, so on such graphs this is O(n) even when every
// score ties (a comparison sort of 270,000 tied cycles took 0.4 s).
// score_of(id) -> double; less_seq(a, b): a's edge sequence before b's.
template <class ScoreOf, class LessSeq>
void rank_found_order(std::vector<int64_t>& ids, ScoreOf&& score_of, LessSeq&& less_seq) {
    const size_t n = ids.size();
    if (n < 2) return;
    std::vector<KeyIdx> order(n);
    bool keys_sorted = true;
    for (size_t k = 0; k < n; ++k) {
        order[k] = KeyIdx{descending_key(score_of(ids[k])), static_cast<int64_t>(k)};
        if (k > 0 && order[k].key < order[k - 1].key) keys_sorted = false;
    }
    if (!keys_sorted) sort_keys(order);
    for (size_t g0 = 0; g0 < n;) {
        size_t g1 = g0 + 1;
        bool in_order = true;
        while (g1 < n && order[g1].key == order[g0].key) {
            if (in_order && !less_seq(ids[order[g1 - 1].idx], ids[order[g1].idx])) in_order = false;
            ++g1;
        }
        if (!in_order) {
            std::sort(order.begin() + g0, order.begin() + g1, [&](const KeyIdx& x, const KeyIdx& y) {
                return less_seq(ids[x.idx], ids[y.idx]);
            });
        }
        g0 = g1;
    }
    std::vector<int64_t> out(n);
    for (size_t k = 0; k < n; ++k) out[k] = ids[order[k].idx];
    ids.swap(out);
}

class TopK {
   public:
    struct Slot {
        double score;
        double flow;
        int64_t group;
        int32_t len;
    };

    // k entries of at most max_len edges each; storage grows with the entries kept.
    void reset(int64_t k, int64_t max_len) {
        k_ = k;
        stride_ = max_len;
        clear();
    }
    void clear() {
        heap_.clear();
        slots_.clear();
        seq_.clear();
    }
    int64_t size() const { return static_cast<int64_t>(heap_.size()); }
    bool full() const { return size() >= k_; }
    double worst_score() const { return slots_[static_cast<size_t>(heap_.front())].score; }
    const Slot& slot(int64_t s) const { return slots_[static_cast<size_t>(s)]; }
    const int64_t* edges(int64_t s) const { return seq_.data() + s * stride_; }
    int64_t n_slots() const { return static_cast<int64_t>(slots_.size()); }

    // Offer a chain; returns 1 when it was added (the heap grew), 0 when it replaced the
    // worst entry or was rejected.  `kept` tells whether it is now among the k best.
    int offer(double score, double flow, int64_t group, const int64_t* q, int32_t len, bool& kept) {
        kept = false;
        if (k_ <= 0) return 0;
        if (full()) {
            const int64_t w = heap_.front();
            const Slot& ws = slots_[static_cast<size_t>(w)];
            if (!ranks_before(score, q, len, ws.score, edges(w), ws.len)) return 0;
            std::pop_heap(heap_.begin(), heap_.end(), cmp());
            put(w, score, flow, group, q, len);
            std::push_heap(heap_.begin(), heap_.end(), cmp());
            kept = true;
            return 0;
        }
        const int64_t s = n_slots();
        slots_.push_back(Slot{});
        seq_.resize(static_cast<size_t>((s + 1) * stride_));
        put(s, score, flow, group, q, len);
        heap_.push_back(s);
        std::push_heap(heap_.begin(), heap_.end(), cmp());
        kept = true;
        return 1;
    }

    // The slot ids kept, in rank order (the heap is consumed).  The heap always holds slots
    // 0 .. n - 1 (a replaced entry reuses its slot), and slot order is the order found until
    // the heap is full: see rank_found_order.
    std::vector<int64_t> sorted_slots() {
        std::vector<int64_t> out(heap_.size());
        heap_.clear();
        for (size_t s = 0; s < out.size(); ++s) out[s] = static_cast<int64_t>(s);
        rank_found_order(
            out, [&](int64_t s) { return slots_[static_cast<size_t>(s)].score; },
            [&](int64_t a, int64_t b) {
                const Slot& x = slots_[static_cast<size_t>(a)];
                const Slot& y = slots_[static_cast<size_t>(b)];
                return std::lexicographical_compare(edges(a), edges(a) + x.len, edges(b),
                                                    edges(b) + y.len);
            });
        return out;
    }

   private:
    struct Cmp {
        const TopK* t;
        bool operator()(int64_t a, int64_t b) const {
            const Slot& x = t->slots_[static_cast<size_t>(a)];
            const Slot& y = t->slots_[static_cast<size_t>(b)];
            return ranks_before(x.score, t->edges(a), x.len, y.score, t->edges(b), y.len);
        }
    };
    Cmp cmp() const { return Cmp{this}; }
    void put(int64_t s, double score, double flow, int64_t group, const int64_t* q, int32_t len) {
        slots_[static_cast<size_t>(s)] = Slot{score, flow, group, len};
        std::copy(q, q + len, seq_.data() + s * stride_);
    }
    int64_t k_ = 0, stride_ = 0;
    std::vector<int64_t> heap_;  // slot ids; front = the worst kept entry
    std::vector<Slot> slots_;
    std::vector<int64_t> seq_;   // slot s: edges at [s * stride_, s * stride_ + len)
};

}  // namespace symbioflows
