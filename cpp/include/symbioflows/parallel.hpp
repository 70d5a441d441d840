// Threading helpers shared by all kernels.
//
// * Work is split into items pulled from an atomic counter; results must be written to
//   per-item slots so the output never depends on thread arrival order.
// * The first exception thrown by any worker is captured and rethrown after the join
//   (an exception escaping a std::thread would terminate the process).
// * The calling thread polls `poll` every `poll_ms` milliseconds while the workers run;
//   when it returns true the shared cancel flag is raised and the workers stop at their
//   next check.  The bindings pass a poll that re-acquires the GIL and runs
//   PyErr_CheckSignals, so Ctrl-C works in Jupyter; kernels stay free of Python.
#pragma once
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "symbioflows/errors.hpp"
#include "symbioflows/read_once.hpp"

namespace symbioflows {

using PollFn = std::function<bool()>;  // returns true to request cancellation

struct CancelToken {
    std::atomic<bool> cancelled{false};
    bool is_cancelled() const noexcept { return cancelled.load(std::memory_order_relaxed); }
    void cancel() noexcept { cancelled.store(true, std::memory_order_relaxed); }
};

// std::thread::hardware_concurrency reads /sys on Linux (a system call on the serial path of
// every call): read it once per process.
inline int hardware_threads() {
    static const int hw = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    return hw;
}

inline int resolve_threads(int n_threads, int64_t n_items) {
    const int hw = hardware_threads();
    int t = n_threads <= 0 ? hw : n_threads;
    if (n_items < t) t = static_cast<int>(std::max<int64_t>(1, n_items));
    return t;
}

// Run body(item) for item in [0, n_items) on up to n_threads threads (the caller's thread
// included when there is no poll function).  Throws Cancelled if the token was raised.
template <class Body>
void parallel_for(int64_t n_items, int n_threads, Body&& body, const PollFn& poll = PollFn(),
                  CancelToken* token = nullptr, int poll_ms = 50) {
    CancelToken local;
    CancelToken& tok = token ? *token : local;
    if (n_items <= 0) return;
    const int t = resolve_threads(n_threads, n_items);
    std::atomic<int64_t> next{0};
    std::exception_ptr first_error;
    std::mutex err_mu;
    auto worker = [&]() {
        try {
            for (;;) {
                if (tok.is_cancelled()) return;
                const int64_t i = next.fetch_add(1, std::memory_order_relaxed);
                if (i >= n_items) return;
                body(i);
            }
        } catch (...) {
            std::lock_guard<std::mutex> lk(err_mu);
            if (!first_error) first_error = std::current_exception();
            tok.cancel();
        }
    };
    if (!poll && t == 1) {
        worker();
    } else {
        std::vector<std::thread> threads;
        threads.reserve(static_cast<size_t>(t));
        std::atomic<int> running{t};
        std::mutex mu;
        std::condition_variable cv;
        for (int k = 0; k < t; ++k) {
            threads.emplace_back([&]() {
                worker();
                if (running.fetch_sub(1) == 1) {
                    std::lock_guard<std::mutex> lk(mu);
                    cv.notify_all();
                }
            });
        }
        if (poll) {
            std::unique_lock<std::mutex> lk(mu);
            while (running.load() > 0) {
                cv.wait_for(lk, std::chrono::milliseconds(poll_ms));
                if (running.load() == 0) break;
                lk.unlock();
                bool stop = false;
                try {
                    stop = poll();
                } catch (...) {
                    stop = true;
                }
                if (stop) tok.cancel();
                lk.lock();
            }
        }
        for (auto& th : threads) th.join();
    }
    if (first_error) std::rethrow_exception(first_error);
    if (tok.is_cancelled()) throw Cancelled();
}

}  // namespace symbioflows
