// The first invalid row that any work item of a parallel pass saw.
#pragma once
#include <cstdint>
#include <limits>
#include <mutex>

namespace symbioflows {

// Work items offer the rows they find invalid with the values they read (`Values`); the
// smallest row wins, so the error a kernel raises does not depend on the thread count or on
// which item ran first.  Read `row()` and `values()` after the parallel pass has joined.
template <class Values>
class FirstBad {
   public:
    void offer(int64_t row, const Values& v) {
        std::lock_guard<std::mutex> lk(mu_);
        if (row >= row_) return;
        row_ = row;
        values_ = v;
    }
    // True when a row below `n_rows` was offered.
    bool found(int64_t n_rows) const noexcept { return row_ < n_rows; }
    int64_t row() const noexcept { return row_; }
    const Values& values() const noexcept { return values_; }

   private:
    std::mutex mu_;
    int64_t row_ = std::numeric_limits<int64_t>::max();
    Values values_{};
};

}  // namespace symbioflows
