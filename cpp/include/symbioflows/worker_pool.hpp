// Process-wide helper threads for short parallel sections.
//
// Starting a std::thread per call costs the caller a clone() and a fresh stack on the
// critical path of every search, and waking a sleeping thread costs tens of microseconds on
// a virtual machine.  The helpers here are started once, on first use; after a job each
// polls for the next one for 100 microseconds (yielding the CPU at every turn: a search
// often submits its result copy right after its search phase), then sleeps on a condition
// variable, so an idle process uses no CPU.
//
// Contract: `submit(job, helpers)` returns at once; up to `helpers` pooled threads each call
// `job->run()` once, whenever they get to it.  The caller must never wait for a helper that
// has not started: the job's own state (claimed work items) is what the caller waits on.
// That keeps every search correct whether zero or all helpers join, including after fork()
// (the child starts a fresh pool) and when several Python threads submit at once (a job that
// no helper picks up runs on its caller alone).
#pragma once
#include <atomic>
#include <memory>

namespace symbioflows {

struct PoolJob {
    virtual ~PoolJob() = default;
    virtual void run() = 0;  // called by each joining helper; must not throw
    std::atomic<int> seats{0};
};

// Offer `job` to up to `helpers` pooled threads (the pool grows to that many on demand, at
// most kMaxPoolHelpers).  Returns the number of helpers the pool holds for it (a best effort:
// a helper may still arrive after the job's work is gone, and then does nothing).
int submit_to_pool(const std::shared_ptr<PoolJob>& job, int helpers);

constexpr int kMaxPoolHelpers = 256;

}  // namespace symbioflows
