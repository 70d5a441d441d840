// The machinery of the chain searches' parallel runs (see chains.cpp): a search's shared
// control (cancel token, deadline with the time reserved for its final merge, the inline
// poll of the calling thread) and run_items, which runs work items on the calling thread and
// on the process-wide helper threads of worker_pool.hpp.
//
// parallel_for (parallel.hpp) suits kernels whose items are many and short: it starts its
// threads per call, keeps the calling thread for polling only and joins every thread.  A
// chain search is often a few milliseconds: run_items lets the caller work too and never
// waits for a helper that has not started, so a small search costs no more with n_jobs=2
// than with 1.
#pragma once
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>

#include "symbioflows/errors.hpp"
#include "symbioflows/parallel.hpp"
#include "symbioflows/worker_pool.hpp"

namespace symbioflows {

using Clock = std::chrono::steady_clock;

// Cost (ns) of the final merge per buffered output edge, calibrated once per process: fresh
// memory written and copied (page faults included), the fastest of 3 tries (a thread
// descheduled during one try must not inflate the figure for the whole process), times a
// safety factor of 4, at least 25 ns and at most 2 us.  The time limit reserves this much per
// buffered edge so that a search returns on time even on slow memory (sanitizer builds, busy
// machines); the merge itself also caps its work by the time left (merge_units_left).
inline double merge_ns_per_edge() {
    static const double v = [] {
        const size_t n = size_t{1} << 19;  // 4 MiB of int64
        double best = 1e300;
        for (int rep = 0; rep < 3; ++rep) {
            const auto t0 = Clock::now();
            std::unique_ptr<int64_t[]> a(new int64_t[n]);
            for (size_t i = 0; i < n; ++i) a[i] = static_cast<int64_t>(i);
            std::unique_ptr<int64_t[]> b(new int64_t[n]);
            std::copy(a.get(), a.get() + n, b.get());
            volatile int64_t sink = b[n - 1];
            (void)sink;
            best = std::min(best, std::chrono::duration<double, std::nano>(Clock::now() - t0).count() /
                                      static_cast<double>(n));
        }
        return std::min(2000.0, std::max(25.0, 4.0 * best));
    }();
    return v;
}

// now + `seconds` in `out`; false (no deadline) when that lies past what the clock can hold
// (time_limit_s = 1e10 is 1e19 ns, past int64: it must mean "no limit", not wrap to the past).
inline bool deadline_after(double seconds, Clock::time_point& out) {
    const auto now = Clock::now();
    const double room_s = std::chrono::duration<double>(Clock::time_point::max() - now).count();
    if (!(seconds < 0.5 * room_s)) return false;
    out = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    return true;
}

// True in the calling (Python) thread while it works on a search.
inline thread_local bool tl_main_worker = false;

// What every worker of one search shares: the cancel token (Ctrl-C, errors), the deadline
// with the time reserved for the final merge, and the inline poll of the calling thread.
struct SearchControl {
    CancelToken token;
    std::atomic<bool> time_up{false};
    bool has_deadline = false;
    Clock::time_point deadline;

    // time_limit_s <= 0: none; rank_len: the longest top-k entry (edges), for merge_reserve
    SearchControl(double time_limit_s, int64_t rank_len_) : rank_len(std::max<int64_t>(rank_len_, 1)) {
        if (time_limit_s > 0) {
            has_deadline = deadline_after(time_limit_s, deadline);
            merge_ns = merge_ns_per_edge();
        }
    }
    // Output buffered so far (all items): edges, which the final merge copies, and top-k
    // entries, which it sorts and copies; the time limit reserves time for that merge (see
    // merge_reserve).
    std::atomic<int64_t> buffered_edges{0};
    std::atomic<int64_t> buffered_ranked{0};
    double merge_ns = 25.0;
    int64_t rank_len = 1;
    // Searches whose merge also sorts each item's chains (plain paths): each buffered edge
    // is moved twice (copy, then the permutation) and each chain costs kSortUnits more (its
    // key, the radix passes and the tie check of sort_slice in chains.cpp).  The search
    // reports such output with sorted_units().
    static constexpr int64_t kSortUnits = 6;
    static int64_t sorted_units(int64_t edges, int64_t chains) {
        return 2 * edges + kSortUnits * chains;
    }
    // Time to merge e buffered edge units and r top-k entries: merge_ns per edge copied, and
    // per entry merge_ns x (max_length + log2 r): its copy and its share of the final sort.
    std::chrono::nanoseconds merge_reserve(int64_t e, int64_t r) const {
        const double rr = static_cast<double>(std::max<int64_t>(r, 0));
        const double ns = merge_ns * (static_cast<double>(e) +
                                      rr * (static_cast<double>(rank_len) + std::log2(rr + 2.0)));
        return std::chrono::nanoseconds(static_cast<int64_t>(std::min(ns, 1e18)));
    }
    // The merge itself may end at most this long after the deadline; it cuts the output
    // (truncated by the time limit) when its estimate would not fit (see merge_items in
    // chains.cpp), so a search delayed past its reserve (a busy machine) still returns on time.
    static constexpr int kMergeGraceMs = 20;
    // ... but never less than this many units (a few milliseconds): a search that returns
    // late keeps a small result rather than none.
    static constexpr int64_t kMinMergeUnits = int64_t{1} << 16;
    // Edge units the merge may still handle now (no deadline: no cap).
    int64_t merge_units_left() const {
        if (!has_deadline) return std::numeric_limits<int64_t>::max();
        const double ns = std::chrono::duration<double, std::nano>(
                              deadline + std::chrono::milliseconds(kMergeGraceMs) - Clock::now())
                              .count();
        return std::max(kMinMergeUnits, static_cast<int64_t>(std::min(std::max(ns, 0.0) / merge_ns, 1e18)));
    }
    // Record output that was buffered without a check (a flush of a top-k heap).
    void account(int64_t new_edges, int64_t new_ranked) {
        if (new_edges) buffered_edges.fetch_add(new_edges, std::memory_order_relaxed);
        if (new_ranked) buffered_ranked.fetch_add(new_ranked, std::memory_order_relaxed);
    }
    // The calling thread works too; it alone runs the poll (Ctrl-C, progress), from here,
    // at most every kPollMs (tl_main_worker marks it).
    const PollFn* inline_poll = nullptr;
    Clock::time_point next_poll{};
    unsigned poll_tick = 0;
    static constexpr int kPollMs = 50;
    void poll_if_due() {
        if (inline_poll == nullptr) return;
        // read the clock on every 8th call only (it is called per item and per 1,024
        // expansions; a clock read costs ~100 ns on some virtual machines)
        if ((++poll_tick & 7u) != 0) return;
        const auto now = Clock::now();
        if (now < next_poll) return;
        next_poll = now + std::chrono::milliseconds(kPollMs);
        bool stop = false;
        try {
            stop = (*inline_poll)();
        } catch (...) {
            stop = true;
        }
        if (stop) token.cancel();
    }
    bool interrupted(int64_t new_edges = 0, int64_t new_ranked = 0) {
        if (tl_main_worker) poll_if_due();
        if (token.is_cancelled() || time_up.load(std::memory_order_relaxed)) return true;
        if (has_deadline) {
            const int64_t e = buffered_edges.fetch_add(new_edges, std::memory_order_relaxed) + new_edges;
            const int64_t r = buffered_ranked.fetch_add(new_ranked, std::memory_order_relaxed) + new_ranked;
            if (Clock::now() + merge_reserve(e, r) >= deadline) {
                time_up.store(true);
                return true;
            }
        }
        return false;
    }
};

// Run body(i) for i in [0, n) on t threads.  The calling thread works too (and alone polls
// for Ctrl-C); up to t - 1 pooled helper threads (worker_pool.hpp: started once, kept
// between searches) claim items from the same counter.  A helper that arrives late finds no
// item left and returns touching only the shared state it co-owns, so the caller never waits for a helper that has not started work: on a busy
// machine a small search costs no more with n_jobs=2 than with 1.  The first exception is
// rethrown after every claimed item has finished; Cancelled is thrown when the poll asked to
// stop.  (parallel_for of parallel.hpp keeps the calling thread for polling only and joins
// every thread, so each call waits for all threads to be scheduled.)
inline constexpr int kEndSpinUs = 200;

struct PoolState {
    std::atomic<int64_t> next{0};
    std::atomic<int> active{0};
    int64_t n = 0;
    // Optional first phase (the gather of the edge values): items [0, n_pre) run pre(k);
    // an item of the main phase starts only once every first-phase item has finished.
    int64_t n_pre = 0;
    void (*pre_call)(void*, int64_t) = nullptr;
    void* pre_ctx = nullptr;
    std::atomic<int64_t> pre_done{0};
    std::mutex mu;
    std::condition_variable cv;
    std::exception_ptr err;
    // valid only while an item is claimed (the caller waits for active == 0)
    void (*call)(void*, int64_t) = nullptr;
    void* body = nullptr;
    CancelToken* token = nullptr;
    SearchControl* sh = nullptr;

    void release() {
        if (active.fetch_sub(1) == 1) {
            std::lock_guard<std::mutex> lk(mu);
            cv.notify_all();
        }
    }
    // Claim and run items until none is left or the search is cancelled.
    void work(bool main) {
        for (;;) {
            active.fetch_add(1);
            const int64_t k = next.fetch_add(1);
            if (k >= n_pre + n) {
                release();
                return;
            }
            bool stop = token->is_cancelled();
            if (!stop) {
                try {
                    if (main) sh->poll_if_due();
                    if (k < n_pre) {
                        pre_call(pre_ctx, k);
                        pre_done.fetch_add(1, std::memory_order_acq_rel);
                    } else {
                        // the last first-phase items are in flight on other threads: a
                        // short wait (one item at most)
                        while (pre_done.load(std::memory_order_acquire) < n_pre &&
                               !token->is_cancelled()) {
                            std::this_thread::yield();
                        }
                        if (!token->is_cancelled()) call(body, k - n_pre);
                    }
                } catch (...) {
                    std::lock_guard<std::mutex> lk(mu);
                    if (!err) err = std::current_exception();
                    token->cancel();
                    stop = true;
                }
            }
            release();
            if (stop) return;
        }
    }
};

// The pooled helpers' view of a search: claim items until none is left.
struct ItemsJob final : PoolJob {
    std::shared_ptr<PoolState> st;
    void run() override { st->work(false); }
};

template <class Body>
void run_items(SearchControl& sh, int64_t n, int t, Body&& body, const PollFn& poll,
               int64_t n_pre = 0, void (*pre_call)(void*, int64_t) = nullptr,
               void* pre_ctx = nullptr) {
    if (n <= 0 && n_pre <= 0) return;
    const int nt = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(t, std::max(n, n_pre))));
    auto st = std::make_shared<PoolState>();
    st->n = n;
    st->n_pre = n_pre;
    st->pre_call = pre_call;
    st->pre_ctx = pre_ctx;
    st->call = [](void* b, int64_t i) { (*static_cast<std::remove_reference_t<Body>*>(b))(i); };
    st->body = const_cast<void*>(static_cast<const void*>(std::addressof(body)));
    st->token = &sh.token;
    st->sh = &sh;
    if (nt > 1) {
        auto job = std::make_shared<ItemsJob>();
        job->st = st;
        submit_to_pool(job, nt - 1);
    }
    sh.inline_poll = poll ? &poll : nullptr;
    sh.next_poll = Clock::now() + std::chrono::milliseconds(SearchControl::kPollMs);
    tl_main_worker = true;
    st->work(true);
    // No new claim can succeed from here on; wait for the claimed items, still polling.
    st->next.store(n_pre + n + (int64_t{1} << 40));
    // The helpers still at work finish one item each: spin briefly before sleeping, so a
    // small search does not add a wake-up (tens of microseconds) to its end.
    const auto spin_until = Clock::now() + std::chrono::microseconds(kEndSpinUs);
    while (st->active.load() > 0 && Clock::now() < spin_until) std::this_thread::yield();
    {
        std::unique_lock<std::mutex> lk(st->mu);
        while (st->active.load() > 0) {
            st->cv.wait_for(lk, std::chrono::milliseconds(SearchControl::kPollMs));
            if (st->active.load() == 0) break;
            lk.unlock();
            sh.poll_if_due();
            lk.lock();
        }
    }
    tl_main_worker = false;
    sh.inline_poll = nullptr;
    if (st->err) std::rethrow_exception(st->err);
    if (sh.token.is_cancelled()) throw Cancelled();
}

}  // namespace symbioflows
