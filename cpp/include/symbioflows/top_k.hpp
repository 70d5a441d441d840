// Bounded top-k of ranked edge sequences (the branch-and-bound chain searches), in flat
// storage: one heap of slot ids over fixed-stride edge arrays, so an entry costs
// max_len x 8 + 32 bytes and no allocation (a vector per entry cost about 130 bytes and one
// malloc each: 1.77 GB and seconds of merge for top_k = 3,000,000).
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

namespace symbioflows {

// Rank order: score descending, then the edge-id sequence ascending (lexicographic).
inline bool ranks_before(double sa, const int64_t* qa, int32_t la, double sb, const int64_t* qb,
                         int32_t lb) {
    if (sa != sb) return sa > sb;
    return std::lexicographical_compare(qa, qa + la, qb, qb + lb);
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

    // The slot ids kept, in rank order (the heap is consumed).
    std::vector<int64_t> sorted_slots() {
        std::vector<int64_t> out;
        out.swap(heap_);
        std::sort(out.begin(), out.end(), cmp());
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
