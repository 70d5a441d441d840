// Process-wide helper threads (see worker_pool.hpp for the contract).
#include "symbioflows/worker_pool.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <system_error>
#include <thread>

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#define SYMBIOFLOWS_HAVE_ATFORK 1
#endif

namespace symbioflows {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kLinger = std::chrono::microseconds(100);

struct Pool {
    std::mutex mu;
    std::condition_variable cv;
    std::shared_ptr<PoolJob> job;  // the latest job (guarded by mu)
    std::atomic<uint64_t> gen{0};  // bumped under mu at each submit
    int n_threads = 0;             // guarded by mu
    int sleeping = 0;              // guarded by mu

    void worker() {
        uint64_t seen = 0;  // a helper started for a job takes that job
        for (;;) {
            // A search often submits a second job right after its first (the parallel copy
            // of the results): poll briefly before sleeping.
            const auto until = Clock::now() + kLinger;
            while (gen.load(std::memory_order_acquire) == seen && Clock::now() < until) {
                std::this_thread::yield();
            }
            std::shared_ptr<PoolJob> j;
            {
                std::unique_lock<std::mutex> lk(mu);
                if (gen.load(std::memory_order_relaxed) == seen) {
                    ++sleeping;
                    cv.wait(lk, [&] { return gen.load(std::memory_order_relaxed) != seen; });
                    --sleeping;
                }
                seen = gen.load(std::memory_order_relaxed);
                j = job;
            }
            if (j && j->seats.fetch_sub(1) > 0) j->run();
        }
    }
};

std::atomic<Pool*> g_pool{nullptr};

#ifdef SYMBIOFLOWS_HAVE_ATFORK
// A forked child has none of the parent's threads and may inherit a locked mutex: it gets a
// fresh pool.  The old one is kept reachable (never freed: its state belongs to threads that
// do not exist in the child), without allocating in the fork handler.
Pool* g_retired[64];
std::atomic<int> g_n_retired{0};
void after_fork_in_child() {
    Pool* old = g_pool.exchange(nullptr);
    const int k = g_n_retired.fetch_add(1);
    if (old != nullptr && k < 64) g_retired[k] = old;
}
#endif

Pool& pool() {
    Pool* p = g_pool.load(std::memory_order_acquire);
    if (p != nullptr) return *p;
#ifdef SYMBIOFLOWS_HAVE_ATFORK
    static const int registered = pthread_atfork(nullptr, nullptr, &after_fork_in_child);
    (void)registered;
#endif
    Pool* fresh = new Pool();  // intentionally never deleted: helpers outlive static destructors
    if (g_pool.compare_exchange_strong(p, fresh, std::memory_order_acq_rel)) return *fresh;
    delete fresh;  // another thread installed one first
    return *p;
}

}  // namespace

int submit_to_pool(const std::shared_ptr<PoolJob>& job, int helpers) {
    helpers = std::min(helpers, kMaxPoolHelpers);
    if (helpers <= 0 || !job) return 0;
    job->seats.store(helpers);
    Pool& p = pool();
    std::lock_guard<std::mutex> lk(p.mu);
    p.job = job;
    p.gen.fetch_add(1, std::memory_order_release);
    while (p.n_threads < helpers) {
        try {
            std::thread([&p]() { p.worker(); }).detach();
        } catch (const std::system_error&) {  // cannot start more threads: go on with fewer
            break;
        }
        ++p.n_threads;
    }
    for (int k = 0, wake = std::min(helpers, p.sleeping); k < wake; ++k) p.cv.notify_one();
    return std::min(helpers, p.n_threads);
}

}  // namespace symbioflows
