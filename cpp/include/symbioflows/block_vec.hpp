// Append-only output storage of the chain searches: blocks that are never moved, recycled
// through a bounded process-wide cache (see chains.cpp).
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace symbioflows {

// Freed output blocks are kept for the next search, up to kBlockCacheBytes per element type
// for the whole process: a search of a few milliseconds otherwise pays a page fault for
// every fresh page of its buffers, because the allocator gives the freed blocks back to the
// system between calls.  One process-wide cache, not one per thread: the merge frees blocks
// on whichever thread copies them.  It is only ever try-locked: a busy (or, in a forked
// child, orphaned) lock means a plain allocation or free, never a wait.  The bound is a
// constant, so memory stays O(nodes + edges + results).
inline constexpr int kBlockClasses = 11;  // block b >= 10 all hold 65536 elements
inline constexpr int64_t kBlockCacheBytes = int64_t{32} << 20;

template <class T>
struct BlockCache {
    std::mutex mu;
    std::vector<std::unique_ptr<T[]>> free[kBlockClasses];  // guarded by mu
    int64_t bytes = 0;                                      // guarded by mu

    static BlockCache& shared() {
        static BlockCache* c = new BlockCache();  // never destroyed: used until exit
        return *c;
    }
    std::unique_ptr<T[]> take(int cls, int64_t cap) {
        {
            std::unique_lock<std::mutex> lk(mu, std::try_to_lock);
            auto& f = free[cls];
            if (lk.owns_lock() && !f.empty()) {
                std::unique_ptr<T[]> p = std::move(f.back());
                f.pop_back();
                bytes -= cap * static_cast<int64_t>(sizeof(T));
                return p;
            }
        }
        return std::unique_ptr<T[]>(new T[static_cast<size_t>(cap)]);
    }
    // Keep blocks [0, n) of `blocks` (block b of class min(b, 10)) while there is room;
    // the others are freed with `blocks`.
    template <class CapOf, class ClassOf>
    void give(std::vector<std::unique_ptr<T[]>>& blocks, CapOf&& cap_of, ClassOf&& class_of) {
        std::unique_lock<std::mutex> lk(mu, std::try_to_lock);
        if (!lk.owns_lock()) return;
        for (size_t b = 0; b < blocks.size(); ++b) {
            const int64_t sz = cap_of(b) * static_cast<int64_t>(sizeof(T));
            if (bytes + sz > kBlockCacheBytes) return;
            free[class_of(b)].push_back(std::move(blocks[b]));
            bytes += sz;
        }
    }
};

// Append-only storage in blocks that are never moved (no realloc copies, each output page
// is touched once before the final merge).  Block b holds min(64 << b, 65536) elements, so an
// item that finds a few chains costs one small block and one small index allocation.
template <class T>
class BlockVec {
   public:
    void push_back(const T& x) {
        if (used_ == cap_) grow();
        blocks_.back()[used_++] = x;
        ++n_;
    }
    int64_t size() const { return n_; }
    ~BlockVec() { clear(); }
    BlockVec() = default;
    BlockVec(const BlockVec&) = delete;
    BlockVec& operator=(const BlockVec&) = delete;
    // Empty it; its blocks go back to the cache.
    void clear() {
        if (!blocks_.empty()) {
            BlockCache<T>::shared().give(blocks_, &block_cap, &block_class);
            blocks_.clear();
        }
        n_ = 0;
        used_ = cap_ = 0;
    }
    // Copy the first k elements to out.
    void copy_prefix(T* out, int64_t k) const {
        for_each_block(k, [&](const T* p, int64_t len) {
            std::copy(p, p + len, out);
            out += len;
        });
    }
    // f(x) for each of the first k elements, in order.
    template <class F>
    void for_each_prefix(int64_t k, F&& f) const {
        for_each_block(k, [&](const T* p, int64_t len) {
            for (int64_t t = 0; t < len; ++t) f(p[t]);
        });
    }

   private:
    static int block_class(size_t b) {
        return static_cast<int>(std::min<size_t>(b, kBlockClasses - 1));
    }
    static int64_t block_cap(size_t b) { return int64_t{64} << block_class(b); }
    template <class F>
    void for_each_block(int64_t k, F&& f) const {
        for (size_t b = 0; b < blocks_.size() && k > 0; ++b) {
            const int64_t len = std::min<int64_t>(k, b + 1 == blocks_.size() ? used_ : block_cap(b));
            f(blocks_[b].get(), len);
            k -= len;
        }
    }
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((noinline))  // keep push_back small enough to be inlined in the search loops
#endif
    void grow() {
        if (blocks_.empty()) blocks_.reserve(8);
        cap_ = block_cap(blocks_.size());
        blocks_.push_back(BlockCache<T>::shared().take(block_class(blocks_.size()), cap_));
        used_ = 0;
    }
    std::vector<std::unique_ptr<T[]>> blocks_;
    int64_t n_ = 0, used_ = 0, cap_ = 0;
};

}  // namespace symbioflows
