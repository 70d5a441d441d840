// Why one file of ~1,100 lines: the cycle and path searches, their top-k branch and bound and
// the merge of per-item results share file-local DFS state and budget checks; the reusable
// machinery (thread runner, block cache, top-k heaps) already lives in headers beside parallel.hpp.
// Bounded enumeration and branch-and-bound top-k search of simple cycles and simple paths.
//
// Cycles (Johnson-style canonical rotation, without Johnson's blocking lists): for every start
// node s, a reverse BFS from s over nodes > s, limited to max_length - 1 hops, gives dist[v],
// the fewest hops from v back to s.  The depth-first search from s then only follows an edge
// (v -> w) with w > s, w not on the path and depth + 1 + dist[w] <= max_length, so every
// branch it enters can still close within the length budget: the work is proportional to
// the number of bounded paths that can become cycles, not to all bounded paths.
//
// Work is split into items (blocks of consecutive start nodes, or one source per item for
// paths); each item fills its own buffers and items are concatenated in index order, so the
// output does not depend on the thread count.  max_results / max_expansions truncation is
// made deterministic by a prefix rule: the result is exactly what a serial run would return
// (the one item that crosses the expansion budget is re-run with the exact remaining budget).
#include "symbioflows/chains.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <system_error>
#include <type_traits>
#include <thread>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <numeric>
#include <string>

#include "symbioflows/block_vec.hpp"
#include "symbioflows/errors.hpp"
#include "symbioflows/search_runner.hpp"
#include "symbioflows/top_k.hpp"

namespace symbioflows {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int64_t kCheckEvery = 1024;  // expansions between clock / flag checks

enum StopKind : int { kComplete = 0, kResultCap = 1, kExpCap = 2, kInterrupted = 3 };

// One found chain's per-chain values (its edges are appended to Item::edges).
struct ChainRec {
    double score;
    double flow;
    int64_t group;  // paths: index of the source; unused for cycles
    int32_t len;
};

// Output buffers of one work item.  Cache-line aligned: consecutive items run at the same
// time on different threads and update their counters often (no false sharing).
struct alignas(64) Item {
    BlockVec<int64_t> edges;
    BlockVec<ChainRec> chains;
    int64_t exp = 0;
    int stop = kComplete;
    bool started = false;
    int64_t size() const { return chains.size(); }
    void end_chain(int32_t len, double score, double fl, int64_t grp) {
        chains.push_back(ChainRec{score, fl, grp, len});
    }
    void clear() {
        edges.clear();
        chains.clear();
        exp = 0;
        stop = kComplete;
        started = false;
    }
};

// Per-thread scratch of a search (one per thread that works on it).
struct Scratch {
    std::vector<uint32_t> stamp;
    std::vector<int32_t> dist;
    std::vector<char> onpath;
    std::vector<int64_t> queue;
    std::vector<int64_t> node, it, en, ch;
    std::vector<double> val, fl;
    std::vector<int64_t> seq;
    uint32_t epoch = 0;
    TopK top;
    Scratch(int64_t n, int64_t depth, int64_t k)
        : stamp(static_cast<size_t>(n), 0),
          dist(static_cast<size_t>(n), 0),
          onpath(static_cast<size_t>(n), 0),
          node(static_cast<size_t>(depth) + 2),
          it(static_cast<size_t>(depth) + 2),
          en(static_cast<size_t>(depth) + 2),
          ch(static_cast<size_t>(depth) + 2),
          val(static_cast<size_t>(depth) + 2),
          fl(static_cast<size_t>(depth) + 2) {
        top.reset(k, depth);
    }
    uint32_t next_epoch() {
        if (++epoch == 0) {  // wrapped: clear the stamps once every 2^32 searches
            std::fill(stamp.begin(), stamp.end(), 0u);
            epoch = 1;
        }
        return epoch;
    }
};

class ScratchPool {
   public:
    ScratchPool(int64_t n, int64_t depth, int64_t k) : n_(n), depth_(depth), k_(k) {}
    // The calling thread's scratch for this search (taken on its first item and kept until
    // the search ends: no lock per item).  Keyed by a process-unique search id, so a thread
    // never reuses the scratch of an earlier search.
    Scratch* mine() {
        thread_local uint64_t tl_id = 0;
        thread_local Scratch* tl_scratch = nullptr;
        if (tl_id != id_) {
            std::lock_guard<std::mutex> lk(mu_);
            all_.push_back(std::make_unique<Scratch>(n_, depth_, k_));
            tl_scratch = all_.back().get();
            tl_id = id_;
        }
        return tl_scratch;
    }
    std::vector<std::unique_ptr<Scratch>>& all() { return all_; }

   private:
    static uint64_t next_id() {
        static std::atomic<uint64_t> ids{0};
        return ids.fetch_add(1) + 1;
    }
    int64_t n_, depth_, k_;
    uint64_t id_ = next_id();
    std::mutex mu_;
    std::vector<std::unique_ptr<Scratch>> all_;
};

// State shared by the workers of one chain search: the control of search_runner.hpp plus
// the shared top-k threshold and the serial-prefix bookkeeping of deterministic truncation.
struct Shared : SearchControl {
    const ChainOptions& opt;
    std::atomic<int64_t> cut{std::numeric_limits<int64_t>::max()};  // items after it are moot
    std::atomic<double> thr{-kInf};                                  // shared k-th best
    std::atomic<int64_t> global_exp{0};  // top-k cycles: expansions of all threads
    std::atomic<bool> exp_up{false};
    // prefix bookkeeping for deterministic truncation
    std::mutex mu;
    std::unique_ptr<std::atomic<char>[]> done;
    std::vector<int64_t> item_exp, item_res;  // written before done[i] is released
    int64_t n_items = 0;
    bool unbounded = false;
    int64_t prefix = 0, cum_exp = 0, cum_res = 0;  // guarded by mu

    explicit Shared(const ChainOptions& o, int64_t n_items_)
        : SearchControl(o.time_limit_s, o.max_length), opt(o) {
        n_items = n_items_;
        unbounded = o.max_expansions == std::numeric_limits<int64_t>::max() &&
                    o.max_results == std::numeric_limits<int64_t>::max();
        done.reset(new std::atomic<char>[static_cast<size_t>(n_items)]);
        for (int64_t i = 0; i < n_items; ++i) done[i].store(0, std::memory_order_relaxed);
        item_exp.assign(static_cast<size_t>(n_items), 0);
        item_res.assign(static_cast<size_t>(n_items), 0);
    }
    // Record a finished item and advance the completed prefix.  `cut` only lets later items
    // be skipped once the serial prefix is known to exceed a budget; the result itself is
    // planned from the items by merge_items.  So a thread that finds the lock taken leaves
    // the advance to the holder or to a later finisher (no thread waits here); a prefix that
    // lags only skips fewer moot items.
    void finish(int64_t i, int64_t exp, int64_t res) {
        if (unbounded) return;  // no budget to exceed: nothing can be cut
        item_exp[i] = exp;
        item_res[i] = res;
        done[i].store(1, std::memory_order_release);
        std::unique_lock<std::mutex> lk(mu, std::try_to_lock);
        if (!lk.owns_lock()) return;
        const int64_t n = n_items;
        while (prefix < n && done[prefix].load(std::memory_order_acquire)) {
            cum_exp = sat_add(cum_exp, item_exp[prefix]);
            cum_res = sat_add(cum_res, item_res[prefix]);
            if (cum_exp > opt.max_expansions || cum_res > opt.max_results) {
                int64_t c = cut.load();
                if (prefix < c) cut.store(prefix);
                prefix = n;  // stop advancing
                break;
            }
            ++prefix;
        }
    }
    static int64_t sat_add(int64_t a, int64_t b) {
        return a > std::numeric_limits<int64_t>::max() - b ? std::numeric_limits<int64_t>::max()
                                                           : a + b;
    }
    void raise_thr(double v) {
        double cur = thr.load(std::memory_order_relaxed);
        while (v > cur && !thr.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
        }
    }
};

template <ChainScore S>
inline double combine(double acc, double x) {
    if constexpr (S == ChainScore::Product) return acc * x;
    if constexpr (S == ChainScore::Bottleneck) return acc < x ? acc : x;
    return acc + x;
}
template <ChainScore S>
inline double identity() {
    if constexpr (S == ChainScore::Product) return 1.0;
    if constexpr (S == ChainScore::Bottleneck) return kInf;
    return 0.0;
}

// The expansion budget and the periodic checks of the depth-first searches (cycles and
// paths alike): step() is called once per edge examined and says whether to go on.  Every
// kCheckEvery expansions it reports the output buffered since the last check (for the time
// limit's merge reserve), polls, and checks the deadline and the serial-prefix cut; at the
// same checks `on_check` runs the caller's own test (false: stop by expansions).
struct Pace {
    int64_t exp, next_check, edges_seen, chains_seen;
    int64_t new_ranked = 0;        // top-k entries added since the last check
    int64_t ranked_accounted = 0;  // top-k entries reported so far
    bool sorted;                   // the merge sorts this item's chains (plain paths)
    explicit Pace(const Item& out, bool sorted_ = false)
        : exp(out.exp),
          next_check(out.exp + kCheckEvery),
          edges_seen(out.edges.size()),
          chains_seen(out.chains.size()),
          sorted(sorted_) {}
    template <class OnCheck>
    int step(const Item& out, Shared& sh, int64_t budget, int64_t item_index, OnCheck&& on_check) {
        if (++exp > budget) return kExpCap;
        if (exp < next_check) return kComplete;
        next_check = exp + kCheckEvery;
        const int64_t ne = out.edges.size() - edges_seen;
        edges_seen += ne;
        const int64_t nc = out.chains.size() - chains_seen;
        chains_seen += nc;
        const int64_t nr = new_ranked;
        new_ranked = 0;
        ranked_accounted += nr;
        const int64_t units = sorted ? SearchControl::sorted_units(ne, nc) : ne;
        if (sh.interrupted(units, nr) || item_index > sh.cut.load(std::memory_order_relaxed)) {
            return kInterrupted;
        }
        return on_check() ? kComplete : kExpCap;
    }
};

// Graph arrays in CSR order, shared read-only by the workers.  The per-edge values are
// gathered into CSR order by the first phase of the search (`gather_chunk`, all threads).
struct View {
    int64_t n = 0;
    int64_t m = 0;
    const int64_t* indptr = nullptr;
    const int64_t* targets = nullptr;
    const int64_t* eids = nullptr;
    std::unique_ptr<double[]> w;    // scored value per CSR position
    std::unique_ptr<double[]> t;    // tonnes per CSR position
    const CsrGraph* rev = nullptr;  // in-adjacency (cached on the graph, with fwd_pos)
    std::atomic<double> max_w{-kInf};  // for the Sum bound (final once the gather is done)
    // the gather's inputs and its first bad edge
    const double* score_in = nullptr;
    const double* tonnes_in = nullptr;
    bool bounded = true;
    // Sum: |value| <= sum_limit, so that no chain of max_length edges sums past the largest
    // double (a sum-score of +-inf would rank as the best or the worst chain silently)
    double sum_limit = std::numeric_limits<double>::max();
    int64_t max_length = 1;
    std::mutex bad_mu;
    int64_t bad = -1;
    double bad_w = 0.0, bad_t = 0.0;
};

constexpr int64_t kGatherChunk = 4096;  // CSR positions per gather work item

std::string edge_value_error(const View& v, int64_t e, double w, double t) {
    const bool bounded = v.bounded;
    if (!std::isfinite(w)) {
        return "score values[" + std::to_string(e) + "] is not finite (" + std::to_string(w) +
               "); drop or fill that row";
    }
    if (!bounded && !(std::fabs(w) <= v.sum_limit)) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "score values[%lld] = %.6g: a chain of %lld edges could "
                      "sum past the largest double; |values| must be <= %.6g (rescale the column)",
                      static_cast<long long>(e), w, static_cast<long long>(v.max_length), v.sum_limit);
        return buf;
    }
    if (bounded && !(w > 0.0 && w <= 1.0)) {
        return "edge " + std::to_string(e) + ": score " + std::to_string(w) +
               " outside (0, 1]; scores are probabilities of success";
    }
    return "edge " + std::to_string(e) + ": tonnes " + std::to_string(t) + " is negative or NaN";
}

void init_view(View& v, const CsrGraph& g, const double* score_w, const double* tonnes,
               bool bounded, bool need_rev, int64_t max_length) {
    v.max_length = std::max<int64_t>(1, max_length);
    v.sum_limit = std::numeric_limits<double>::max() / static_cast<double>(v.max_length + 1);
    v.n = g.n_nodes;
    v.m = g.n_edges();
    v.indptr = g.indptr.data();
    v.targets = g.targets.data();
    v.eids = g.edge_ids.data();
    v.w.reset(new double[static_cast<size_t>(v.m)]);
    v.t.reset(new double[static_cast<size_t>(v.m)]);
    v.score_in = score_w;
    v.tonnes_in = tonnes;
    v.bounded = bounded;
    if (need_rev) v.rev = &g.reverse();
}

// Gather CSR positions [k * kGatherChunk, ...) of the per-edge values, checking each value as
// it is read.  The inputs may alias the caller's numpy buffers (no copy): every value is read
// exactly once and only the checked copy is used, so a thread that writes to them during the
// call cannot break the search's invariants.  The error names the smallest bad edge id.
void gather_chunk(View& v, int64_t k) {
    const int64_t a = k * kGatherChunk, b = std::min(v.m, a + kGatherChunk);
    const int64_t* id = v.eids;
    double* W = v.w.get();
    double* T = v.t.get();
    const bool bounded = v.bounded;
    int64_t bad = -1;
    double bad_w = 0.0, bad_t = 0.0;
    double mx = -kInf;
    for (int64_t p = a; p < b; ++p) {
        const int64_t e = id[p];
        const double wv = read_once(v.score_in + e);
        const double tv = read_once(v.tonnes_in + e);
        const bool ok_w = bounded ? (wv > 0.0 && wv <= 1.0) : std::fabs(wv) <= v.sum_limit;
        if (!ok_w || !(tv >= 0.0)) {  // tonnes >= 0, +inf allowed
            if (bad < 0 || e < bad) {
                bad = e;
                bad_w = wv;
                bad_t = tv;
            }
            W[p] = bounded ? 1.0 : 0.0;  // never used: the search does not start
            T[p] = 0.0;
            continue;
        }
        W[p] = wv;
        T[p] = tv;
        if (wv > mx) mx = wv;
    }
    double cur = v.max_w.load(std::memory_order_relaxed);
    while (mx > cur && !v.max_w.compare_exchange_weak(cur, mx, std::memory_order_relaxed)) {
    }
    if (bad >= 0) {
        std::lock_guard<std::mutex> lk(v.bad_mu);
        if (v.bad < 0 || bad < v.bad) {
            v.bad = bad;
            v.bad_w = bad_w;
            v.bad_t = bad_t;
        }
    }
}

// Work items of the gather (the first phase of a search's items, see run_items).
int64_t gather_chunks(const View& v) { return (v.m + kGatherChunk - 1) / kGatherChunk; }

void throw_if_bad(const View& v) {
    if (v.bad >= 0) throw InvalidInputError(edge_value_error(v, v.bad, v.bad_w, v.bad_t));
}

void check_options(const ChainOptions& opt, bool cycles) {
    if (cycles && opt.min_length < 2) {
        throw InvalidInputError("min_length must be >= 2 (self-loops are not chains); got " +
                                std::to_string(opt.min_length));
    }
    if (opt.max_length < (cycles ? opt.min_length : 1)) {
        throw InvalidInputError("max_length (" + std::to_string(opt.max_length) +
                                ") must be >= " + (cycles ? "min_length (" + std::to_string(opt.min_length) + ")" : std::string("1")));
    }
    if (opt.max_length > 1000000) {
        throw InvalidInputError("max_length must be <= 1000000; got " +
                                std::to_string(opt.max_length));
    }
    if (opt.top_k < 0) throw InvalidInputError("top_k must be >= 1 or 0 for all");
    if (opt.max_results < 0) throw InvalidInputError("max_results must be >= 0");
    if (opt.max_expansions < 0) throw InvalidInputError("max_expansions must be >= 0");
    if (std::isnan(opt.time_limit_s)) throw InvalidInputError("time_limit_s is NaN");
    if (opt.has_min_score && std::isnan(opt.min_score)) throw InvalidInputError("min_score is NaN");
}

// Sort chains [a, b) of `res` by (score desc, edge sequence asc), in place.  Their edges
// start at e0 (passed in: res.offsets[a] may be written concurrently by the previous item).
// O(n) for the usual inputs (see rank_found_order in top_k.hpp); nothing is moved when the
// order found is already the final order.
void sort_slice(ChainResultData& res, int64_t a, int64_t b, int64_t e0) {
    if (b - a < 2) return;
    const int64_t n = b - a;
    std::vector<int64_t> off(static_cast<size_t>(n) + 1);
    off[0] = e0;
    for (int64_t k = 1; k <= n; ++k) off[k] = res.offsets[a + k];
    const int64_t* E = res.edges.data();
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), int64_t{0});
    rank_found_order(
        order, [&](int64_t x) { return res.scores[a + x]; },
        [&](int64_t x, int64_t y) {
            return std::lexicographical_compare(E + off[x], E + off[x + 1], E + off[y], E + off[y + 1]);
        });
    bool identity = true;
    for (int64_t k = 0; identity && k < n; ++k) identity = order[k] == k;
    if (identity) return;
    std::vector<int64_t> edges;
    edges.reserve(static_cast<size_t>(off[n] - e0));
    std::vector<double> sc(static_cast<size_t>(n)), fl(static_cast<size_t>(n));
    std::vector<int64_t> gr(static_cast<size_t>(n)), offs(static_cast<size_t>(n));
    for (int64_t k = 0; k < n; ++k) {
        const int64_t x = order[k];
        edges.insert(edges.end(), E + off[x], E + off[x + 1]);
        offs[k] = e0 + static_cast<int64_t>(edges.size());
        sc[k] = res.scores[a + x];
        fl[k] = res.flow[a + x];
        gr[k] = res.group[a + x];
    }
    std::copy(edges.begin(), edges.end(), res.edges.begin() + e0);
    for (int64_t k = 0; k < n; ++k) {
        res.offsets[a + k + 1] = offs[k];
        res.scores[a + k] = sc[k];
        res.flow[a + k] = fl[k];
        res.group[a + k] = gr[k];
    }
}

// Concatenate item outputs in index order, applying the serial-prefix truncation rule:
// the item that crosses the expansion budget is re-run with the exact remaining budget,
// results past max_results are dropped, and an interrupted item (time limit) contributes the
// part it finished (a prefix of its own order) and ends the output.  With a time limit the
// plan also caps the output at what the merge can copy (and sort) by the deadline plus
// SearchControl::kMergeGraceMs, measured now: a search that overran its reserve (its threads
// were descheduled on a busy machine) returns a shorter prefix, truncated by "time_limit",
// instead of returning late.  The plan is made serially (O(items)); the copy into the final
// arrays runs on all threads.
template <class Rerun, class Par>
void merge_items(ChainResultData& res, std::vector<Item>& items, int64_t max_exp,
                 int64_t max_res, bool with_group, bool sort_each, const SearchControl& ctl,
                 Rerun&& rerun, Par&& par) {
    struct Plan {
        int64_t take = 0, n_edges = 0, chain0 = 0, edge0 = 0;
    };
    const int64_t n_items = static_cast<int64_t>(items.size());
    std::vector<Plan> plan(static_cast<size_t>(n_items));
    int64_t rem_e = max_exp, rem_r = max_res, n_chains = 0, n_edges = 0, used = 0;
    int64_t units_left = ctl.merge_units_left();
    auto units_of = [&](int64_t edges, int64_t chains) {
        return sort_each ? SearchControl::sorted_units(edges, chains) : edges;
    };
    for (int64_t i = 0; i < n_items; ++i) {
        Item* it = &items[i];
        if (!it->started) {
            res.truncated = true;
            res.reason = "time_limit";
            break;
        }
        bool exp_trunc = false;
        if (it->stop != kInterrupted && it->exp > rem_e) {
            exp_trunc = true;
            rerun(i, rem_e);
            it = &items[i];
        }
        const bool interrupted = it->stop == kInterrupted;
        if (interrupted) exp_trunc = false;
        int64_t take = it->size();
        const bool res_trunc = take > rem_r;
        if (res_trunc) take = rem_r;
        Plan& pl = plan[i];
        bool time_cut = false;
        if (take == it->size() && units_of(it->edges.size(), take) <= units_left) {
            pl.n_edges = it->edges.size();
        } else {
            // a prefix: up to `take` chains, and with a time limit what fits in units_left
            int64_t t = 0;
            it->chains.for_each_prefix(take, [&](const ChainRec& c) {
                if (time_cut) return;
                if (units_of(pl.n_edges + c.len, t + 1) > units_left) {
                    time_cut = true;
                    return;
                }
                pl.n_edges += c.len;
                ++t;
            });
            take = t;
        }
        pl.take = take;
        units_left -= units_of(pl.n_edges, take);
        pl.chain0 = n_chains;
        pl.edge0 = n_edges;
        n_chains += take;
        n_edges += pl.n_edges;
        used = i + 1;
        rem_r -= take;
        rem_e -= std::min(rem_e, it->exp);
        if (time_cut) {
            res.truncated = true;
            res.reason = "time_limit";
            break;
        }
        if (res_trunc) {
            res.truncated = true;
            res.reason = "max_results";
            break;
        }
        if (exp_trunc) {
            res.truncated = true;
            res.reason = "max_expansions";
            break;
        }
        if (interrupted) {
            res.truncated = true;
            res.reason = "time_limit";
            break;
        }
    }
    res.offsets.resize(static_cast<size_t>(n_chains) + 1);
    res.offsets[0] = 0;
    res.edges.resize(static_cast<size_t>(n_edges));
    res.scores.resize(static_cast<size_t>(n_chains));
    res.flow.resize(static_cast<size_t>(n_chains));
    if (with_group) res.group.resize(static_cast<size_t>(n_chains));
    par(used, n_edges, [&](int64_t i) {
        Item& it = items[i];
        const Plan& pl = plan[i];
        if (pl.take > 0) {
            int64_t e = pl.edge0, c = pl.chain0;
            it.chains.for_each_prefix(pl.take, [&](const ChainRec& r) {
                e += r.len;
                res.offsets[c + 1] = e;
                res.scores[c] = r.score;
                res.flow[c] = r.flow;
                if (with_group) res.group[c] = r.group;
                ++c;
            });
            it.edges.copy_prefix(res.edges.data() + pl.edge0, pl.n_edges);
            if (sort_each) sort_slice(res, pl.chain0, pl.chain0 + pl.take, pl.edge0);
        }
        it.clear();
    });
}

void gather_item(void* v, int64_t k) { gather_chunk(*static_cast<View*>(v), k); }

// The frame that the cycle and the path searches share: one output item per work item, one
// scratch per thread, the run (edge-value gather first) and the deterministic merge.
// `fill(i, item, scratch, budget)` searches work item i.
struct SearchFrame {
    View& v;
    const ChainOptions& opt;
    const PollFn& poll;
    const int threads;
    Shared sh;
    ScratchPool pool;
    std::vector<Item> items;
    const int64_t result_cap;  // per item: one past max_results tells "more than allowed"

    SearchFrame(View& v_, const ChainOptions& o, const PollFn& p, int64_t n_items, int t,
                int64_t depth, bool topk)
        : v(v_),
          opt(o),
          poll(p),
          threads(t),
          sh(o, n_items),
          pool(v_.n, depth, topk ? o.top_k : 0),
          items(static_cast<size_t>(n_items)),
          result_cap(topk || o.max_results == std::numeric_limits<int64_t>::max()
                         ? std::numeric_limits<int64_t>::max()
                         : o.max_results + 1) {}

    template <class Fill>
    void run_item(Fill& fill, int64_t i, int64_t budget) {
        Item& it = items[i];
        it.clear();
        it.started = true;
        fill(i, it, *pool.mine(), budget);
    }

    // Run every item.  `track_prefix`: record finished items for the serial-prefix budget
    // rule; `count_results`: the results of an item count against max_results.
    template <class Fill>
    void run(Fill& fill, bool track_prefix, bool count_results) {
        const int64_t n_items = static_cast<int64_t>(items.size());
        run_items(
            sh, n_items, threads,
            [&](int64_t i) {
                if (v.bad >= 0 || sh.interrupted() || i > sh.cut.load()) return;
                run_item(fill, i, opt.max_expansions);
                if (track_prefix && items[i].stop != kInterrupted) {
                    sh.finish(i, items[i].exp, count_results ? items[i].size() : 0);
                }
                if (opt.progress) opt.progress->fetch_add(1, std::memory_order_relaxed);
            },
            poll, gather_chunks(v), &gather_item, &v);
        throw_if_bad(v);
    }

    ChainResultData start_result() const {
        ChainResultData res;
        res.n_items = static_cast<int64_t>(items.size());
        for (auto& it : items) res.n_expansions += it.exp;
        return res;
    }

    // Concatenate the items into `res` (see merge_items).
    template <class Fill>
    void merge(ChainResultData& res, Fill& fill, int64_t max_res, bool with_group, bool sort_each) {
        merge_items(
            res, items, opt.max_expansions, max_res, with_group, sort_each, sh,
            [&](int64_t i, int64_t budget) {
                run_items(
                    sh, 1, 1, [&](int64_t) { run_item(fill, i, budget); }, poll);
            },
            [&](int64_t n_used, int64_t n_edges, auto&& body) {
                // copy in parallel unless the output is too small to repay the helpers
                run_items(sh, n_used, n_edges > (int64_t{1} << 15) ? threads : 1, body, poll);
            });
    }
};

// ---------------------------------------------------------------------------------------
// Cycles
// ---------------------------------------------------------------------------------------

struct CycleRun {
    const View& v;
    const ChainOptions& opt;
    Shared& sh;
};

// Search the cycles whose smallest node is s.  Returns false when the item must stop.
// `exp` counts edges examined (reverse sweep included); `budget` is the item's budget.
template <ChainScore S, bool TOPK>
bool cycles_from(int64_t s, const CycleRun& r, Scratch& c, Item& out, int64_t item_index,
                 int64_t budget, int64_t result_cap) {
    const View& v = r.v;
    const int64_t L = r.opt.max_length;
    const int64_t Lmin = r.opt.min_length;
    Shared& sh = r.sh;
    const int64_t* ip = v.indptr;
    const int64_t* tg = v.targets;

    // ---- reverse BFS from s over nodes > s, at most L - 1 hops ----
    const uint32_t ep = c.next_epoch();
    uint32_t* stamp = c.stamp.data();
    int32_t* dist = c.dist.data();
    const int64_t* rip = v.rev->indptr.data();
    const int64_t* rtg = v.rev->targets.data();
    const int64_t* rfp = v.rev->fwd_pos.data();
    const double* W = v.w.get();
    double best_close = -kInf;  // best value of an edge (u -> s), u > s
    c.queue.clear();
    int64_t bfs_exp = 0;  // edges examined by the sweep (added to out.exp once)
    {
        const int64_t* b = rtg + rip[s];
        const int64_t* e = rtg + rip[s + 1];
        const int64_t* q = std::upper_bound(b, e, s);
        bfs_exp += e - b;
        for (; q != e; ++q) {
            const int64_t u = *q;
            const double wv = W[rfp[q - rtg]];
            if (wv > best_close) best_close = wv;
            if (stamp[u] != ep) {
                stamp[u] = ep;
                dist[u] = 1;
                c.queue.push_back(u);
            }
        }
    }
    if (c.queue.empty()) {
        out.exp += bfs_exp;
        return true;
    }
    for (size_t h = 0; h < c.queue.size(); ++h) {
        const int64_t x = c.queue[h];
        const int32_t dx = dist[x];
        if (dx >= L - 1) break;  // BFS order: every later node is at least as far
        const int64_t* b = rtg + rip[x];
        const int64_t* e = rtg + rip[x + 1];
        const int64_t* q = std::upper_bound(b, e, s);
        bfs_exp += e - b;
        for (; q != e; ++q) {
            const int64_t u = *q;
            if (stamp[u] != ep) {
                stamp[u] = ep;
                dist[u] = dx + 1;
                c.queue.push_back(u);
            }
        }
    }
    out.exp += bfs_exp;
    if (out.exp > budget) return false;

    // ---- bounded depth-first search from s ----
    double eff_min = r.opt.has_min_score ? r.opt.min_score : -kInf;
    auto threshold = [&]() -> double {
        if constexpr (TOPK) {
            const double t = sh.thr.load(std::memory_order_relaxed);
            return t > eff_min ? t : eff_min;
        } else {
            return eff_min;
        }
    };
    double thr = threshold();
    const bool bounded = TOPK || r.opt.has_min_score;

    int64_t* node = c.node.data();
    int64_t* itp = c.it.data();
    int64_t* en = c.en.data();
    int64_t* ch = c.ch.data();
    double* val = c.val.data();
    double* fl = c.fl.data();
    char* onpath = c.onpath.data();
    const double* T = v.t.get();
    const double max_w = v.max_w.load(std::memory_order_relaxed);

    node[0] = s;
    itp[0] = std::lower_bound(tg + ip[s], tg + ip[s + 1], s) - tg;
    en[0] = ip[s + 1];
    val[0] = identity<S>();
    fl[0] = kInf;
    int64_t d = 0;
    Pace pace(out);
    bool ok = true;

    auto emit = [&](int64_t p, double sc, double flow) -> bool {
        if constexpr (TOPK) {
            auto& seq = c.seq;
            seq.clear();
            for (int64_t k = 1; k <= d; ++k) seq.push_back(v.eids[ch[k]]);
            seq.push_back(v.eids[p]);
            bool kept = false;
            pace.new_ranked += c.top.offer(sc, flow, s, seq.data(), static_cast<int32_t>(seq.size()), kept);
            if (kept && c.top.full()) {
                sh.raise_thr(c.top.worst_score());
                thr = threshold();
            }
            return true;
        } else {
            for (int64_t k = 1; k <= d; ++k) out.edges.push_back(v.eids[ch[k]]);
            out.edges.push_back(v.eids[p]);
            out.end_chain(static_cast<int32_t>(d + 1), sc, flow, s);
            return out.size() < result_cap;
        }
    };

    for (;;) {
        if (itp[d] == en[d]) {
            if (d == 0) break;
            onpath[node[d]] = 0;
            --d;
            continue;
        }
        const int64_t p = itp[d]++;
        const int st = pace.step(out, sh, budget, item_index, [&]() {
            if constexpr (TOPK) {
                thr = threshold();
                if (sh.global_exp.fetch_add(kCheckEvery) + kCheckEvery > r.opt.max_expansions) {
                    sh.exp_up.store(true);
                    return false;
                }
            }
            return true;
        });
        if (st != kComplete) {
            out.stop = st;
            ok = false;
            break;
        }
        const int64_t w = tg[p];
        if (w == s) {
            if (d + 1 >= Lmin) {
                const double sc = combine<S>(val[d], W[p]);
                if (!(sc < thr)) {
                    const double f = fl[d] < T[p] ? fl[d] : T[p];
                    if (!emit(p, sc, f)) {
                        out.stop = kResultCap;
                        ok = false;
                        break;
                    }
                }
            }
            continue;
        }
        if (onpath[w] || stamp[w] != ep || d + 1 + dist[w] > L) continue;
        const double nv = combine<S>(val[d], W[p]);
        if (bounded) {
            double bound;
            if constexpr (S == ChainScore::Sum) {
                const double rem = max_w >= 0 ? max_w * static_cast<double>(L - d - 1)
                                              : max_w * static_cast<double>(dist[w]);
                bound = nv + rem;
                bound += 1e-9 * (std::fabs(nv) + std::fabs(rem)) + 1e-300;
            } else {
                bound = combine<S>(nv, best_close);
            }
            if (bound < thr) continue;
        }
        ++d;
        node[d] = w;
        ch[d] = p;
        val[d] = nv;
        fl[d] = fl[d - 1] < T[p] ? fl[d - 1] : T[p];
        onpath[w] = 1;
        const int64_t* rb = tg + ip[w];
        const int64_t* re = tg + ip[w + 1];
        const int64_t* lo = std::lower_bound(rb, re, s);
        itp[d] = lo - tg;
        if (d == L - 1) {  // only a closing edge (w -> s) can follow
            const int64_t* hi = lo;
            while (hi != re && *hi == s) ++hi;
            en[d] = hi - tg;
        } else {
            en[d] = re - tg;
        }
    }
    sh.account(0, pace.new_ranked);
    // unwind the on-path marks when stopping early
    for (int64_t k = 1; k <= d; ++k) onpath[node[k]] = 0;
    if (pace.exp > budget && out.stop == kComplete) out.stop = kExpCap;
    out.exp = pace.exp;
    return ok;
}

template <ChainScore S, bool TOPK>
ChainResultData cycles_impl(const CsrGraph& g, View& v, const ChainOptions& opt,
                            const PollFn& poll) {
    const int64_t n = g.n_nodes;
    const int t = resolve_threads(opt.n_threads, std::max<int64_t>(n, 1));
    const int64_t n_items = chain_work_items(n);
    const int64_t block = n_items > 0 ? (n + n_items - 1) / n_items : 1;
    SearchFrame f(v, opt, poll, n_items, t, opt.max_length, TOPK);
    Shared& sh = f.sh;
    CycleRun run{v, opt, sh};
    auto fill = [&](int64_t i, Item& it, Scratch& c, int64_t budget) {
        const int64_t s0 = i * block, s1 = std::min(n, s0 + block);
        for (int64_t s = s0; s < s1; ++s) {
            if (!cycles_from<S, TOPK>(s, run, c, it, i, budget, f.result_cap)) break;
            if (it.exp > budget) {
                it.stop = kExpCap;
                break;
            }
        }
    };
    f.run(fill, !TOPK, true);
    ChainResultData res = f.start_result();

    if constexpr (TOPK) {
        // each thread's k best in rank order, then a k-way merge of those lists: the first
        // top_k of their union.  With a time limit the merge stops early (a shorter prefix of
        // that order, truncated by the time limit) when the copy would not fit in the time
        // left (SearchControl::merge_units_left).
        struct Run {
            const TopK* t;
            std::vector<int64_t> slots;
            size_t pos = 0;
        };
        std::vector<Run> runs;
        for (auto& c : f.pool.all()) {
            if (c->top.size() > 0) runs.push_back(Run{&c->top, c->top.sorted_slots()});
        }
        auto before = [](const Run& a, const Run& b) {
            const int64_t sa = a.slots[a.pos], sb = b.slots[b.pos];
            const TopK::Slot& x = a.t->slot(sa);
            const TopK::Slot& y = b.t->slot(sb);
            return ranks_before(x.score, a.t->edges(sa), x.len, y.score, b.t->edges(sb), y.len);
        };
        int64_t units_left = sh.merge_units_left();
        bool time_cut = false;
        std::vector<std::pair<const TopK*, int64_t>> picked;
        int64_t n_edges = 0;
        // a heap of the runs by their next entry (front: the run whose next entry ranks first)
        std::vector<Run*> heap;
        for (Run& r : runs) heap.push_back(&r);
        auto after = [&](const Run* a, const Run* b) { return before(*b, *a); };
        std::make_heap(heap.begin(), heap.end(), after);
        while (!heap.empty() && static_cast<int64_t>(picked.size()) < opt.top_k) {
            std::pop_heap(heap.begin(), heap.end(), after);
            Run* best = heap.back();
            const int64_t slot = best->slots[best->pos++];
            const int64_t len = best->t->slot(slot).len;
            if (len + 1 > units_left) {
                time_cut = true;
                break;
            }
            units_left -= len + 1;
            n_edges += len;
            picked.emplace_back(best->t, slot);
            if (best->pos < best->slots.size()) {
                std::push_heap(heap.begin(), heap.end(), after);
            } else {
                heap.pop_back();
            }
        }
        const size_t k = picked.size();
        res.offsets.resize(k + 1);
        res.edges.resize(static_cast<size_t>(n_edges));
        res.scores.resize(k);
        res.flow.resize(k);
        int64_t e = 0;
        for (size_t i = 0; i < k; ++i) {
            const TopK::Slot& sl = picked[i].first->slot(picked[i].second);
            const int64_t* q = picked[i].first->edges(picked[i].second);
            std::copy(q, q + sl.len, res.edges.data() + e);
            e += sl.len;
            res.offsets[i + 1] = e;
            res.scores[i] = sl.score;
            res.flow[i] = sl.flow;
        }
        for (auto& c : f.pool.all()) c->top.clear();
        if (sh.token.is_cancelled()) throw Cancelled();
        if (sh.exp_up.load()) {
            res.truncated = true;
            res.reason = "max_expansions";
        } else if (sh.time_up.load() || time_cut) {
            res.truncated = true;
            res.reason = "time_limit";
        }
        return res;
    } else {
        f.merge(res, fill, opt.max_results, false, false);
        return res;
    }
}

// ---------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------

template <ChainScore S, bool TOPK>
void paths_from(int64_t src, int64_t group, const View& v, const ChainOptions& opt, Shared& sh,
                const int32_t* tdist, const char* is_target, bool any_end, Scratch& c, Item& out,
                int64_t item_index, int64_t budget, int64_t result_cap) {
    const int64_t H = opt.max_length;
    const int64_t* ip = v.indptr;
    const int64_t* tg = v.targets;
    const double* W = v.w.get();
    const double* T = v.t.get();
    const double max_w = v.max_w.load(std::memory_order_relaxed);
    const double eff_min = opt.has_min_score ? opt.min_score : -kInf;
    const bool bounded = TOPK || opt.has_min_score;
    int64_t* node = c.node.data();
    int64_t* itp = c.it.data();
    int64_t* en = c.en.data();
    int64_t* ch = c.ch.data();
    double* val = c.val.data();
    double* fl = c.fl.data();
    char* onpath = c.onpath.data();
    c.top.clear();

    double thr = eff_min;
    node[0] = src;
    itp[0] = ip[src];
    en[0] = ip[src + 1];
    val[0] = identity<S>();
    fl[0] = kInf;
    onpath[src] = 1;
    int64_t d = 0;
    Pace pace(out, !TOPK);
    for (;;) {
        if (itp[d] == en[d]) {
            onpath[node[d]] = 0;
            if (d == 0) break;
            --d;
            continue;
        }
        const int64_t p = itp[d]++;
        const int st = pace.step(out, sh, budget, item_index, [] { return true; });
        if (st != kComplete) {
            out.stop = st;
            break;
        }
        const int64_t w = tg[p];
        if (onpath[w]) continue;
        const int32_t dw = tdist[w];
        if (dw < 0 || d + 1 + dw > H) continue;
        const double nv = combine<S>(val[d], W[p]);
        const double f = fl[d] < T[p] ? fl[d] : T[p];
        if (bounded) {
            double bound = nv;
            if constexpr (S == ChainScore::Sum) {
                const double rem = max_w >= 0 ? max_w * static_cast<double>(H - d - 1)
                                              : max_w * static_cast<double>(dw);
                bound = nv + rem + 1e-9 * (std::fabs(nv) + std::fabs(rem)) + 1e-300;
            }
            if (bound < thr) continue;
        }
        if ((any_end || is_target[w]) && !(nv < thr)) {
            if constexpr (TOPK) {
                auto& seq = c.seq;
                seq.clear();
                for (int64_t k = 1; k <= d; ++k) seq.push_back(v.eids[ch[k]]);
                seq.push_back(v.eids[p]);
                bool kept = false;
                pace.new_ranked += c.top.offer(nv, f, group, seq.data(), static_cast<int32_t>(seq.size()), kept);
                if (kept && c.top.full()) thr = std::max(eff_min, c.top.worst_score());
            } else {
                for (int64_t k = 1; k <= d; ++k) out.edges.push_back(v.eids[ch[k]]);
                out.edges.push_back(v.eids[p]);
                out.end_chain(static_cast<int32_t>(d + 1), nv, f, group);
                if (out.size() >= result_cap) {
                    out.stop = kResultCap;
                    break;
                }
            }
        }
        if (d + 1 >= H) continue;
        ++d;
        node[d] = w;
        ch[d] = p;
        val[d] = nv;
        fl[d] = f;
        onpath[w] = 1;
        itp[d] = ip[w];
        en[d] = ip[w + 1];
    }
    for (int64_t k = 0; k <= d; ++k) onpath[node[k]] = 0;
    out.exp = pace.exp;
    if constexpr (TOPK) {
        // the heap becomes output edges: its entries leave the reserve, its edges enter it
        const int64_t e0 = out.edges.size();
        for (int64_t slot : c.top.sorted_slots()) {
            const TopK::Slot& r = c.top.slot(slot);
            const int64_t* q = c.top.edges(slot);
            for (int32_t k = 0; k < r.len; ++k) out.edges.push_back(q[k]);
            out.end_chain(r.len, r.score, r.flow, r.group);
        }
        c.top.clear();
        sh.account(out.edges.size() - e0, -pace.ranked_accounted);
    }
}

template <ChainScore S, bool TOPK>
ChainResultData paths_impl(View& v, const int64_t* sources, int64_t n_sources,
                           const int64_t* targets, int64_t n_targets, const ChainOptions& opt,
                           const PollFn& poll) {
    const int64_t n = v.n;
    const int64_t H = opt.max_length;
    // hops from each node to the nearest target (multi-source reverse BFS), -1 = none
    std::vector<int32_t> tdist(static_cast<size_t>(n), n_targets > 0 ? -1 : 0);
    std::vector<char> is_target(static_cast<size_t>(n), 0);
    if (n_targets > 0) {
        std::vector<int64_t> q;
        for (int64_t k = 0; k < n_targets; ++k) {
            const int64_t x = targets[k];
            if (!is_target[x]) {
                is_target[x] = 1;
                tdist[x] = 0;
                q.push_back(x);
            }
        }
        const int64_t* rip = v.rev->indptr.data();
        const int64_t* rtg = v.rev->targets.data();
        for (size_t h = 0; h < q.size(); ++h) {
            const int64_t x = q[h];
            if (tdist[x] >= H - 1) break;
            for (int64_t p = rip[x]; p < rip[x + 1]; ++p) {
                const int64_t u = rtg[p];
                if (tdist[u] < 0) {
                    tdist[u] = tdist[x] + 1;
                    q.push_back(u);
                }
            }
        }
    }
    const bool any_end = n_targets == 0;
    const int t = resolve_threads(opt.n_threads, std::max<int64_t>(n_sources, 1));
    SearchFrame f(v, opt, poll, n_sources, t, H, TOPK);
    auto fill = [&](int64_t i, Item& it, Scratch& c, int64_t budget) {
        paths_from<S, TOPK>(sources[i], i, v, opt, f.sh, tdist.data(), is_target.data(), any_end,
                            c, it, i, budget, f.result_cap);
    };
    f.run(fill, true, !TOPK);
    ChainResultData res = f.start_result();
    f.merge(res, fill, TOPK ? std::numeric_limits<int64_t>::max() : opt.max_results, true, !TOPK);
    return res;
}

template <bool TOPK>
ChainResultData cycles_dispatch(const CsrGraph& g, View& v, const ChainOptions& opt,
                                const PollFn& poll) {
    switch (opt.score) {
        case ChainScore::Product: return cycles_impl<ChainScore::Product, TOPK>(g, v, opt, poll);
        case ChainScore::Bottleneck:
            return cycles_impl<ChainScore::Bottleneck, TOPK>(g, v, opt, poll);
        default: return cycles_impl<ChainScore::Sum, TOPK>(g, v, opt, poll);
    }
}

template <bool TOPK>
ChainResultData paths_dispatch(View& v, const int64_t* sources, int64_t n_sources,
                               const int64_t* targets, int64_t n_targets,
                               const ChainOptions& opt, const PollFn& poll) {
    switch (opt.score) {
        case ChainScore::Product:
            return paths_impl<ChainScore::Product, TOPK>(v, sources, n_sources, targets,
                                                         n_targets, opt, poll);
        case ChainScore::Bottleneck:
            return paths_impl<ChainScore::Bottleneck, TOPK>(v, sources, n_sources, targets,
                                                            n_targets, opt, poll);
        default:
            return paths_impl<ChainScore::Sum, TOPK>(v, sources, n_sources, targets, n_targets,
                                                     opt, poll);
    }
}

}  // namespace

int64_t chain_work_items(int64_t n_nodes) {
    if (n_nodes <= 0) return 0;
    // Blocks of consecutive start nodes: small enough to balance the skewed work (low start
    // nodes see larger subgraphs), large enough to keep per-item overhead negligible.
    const int64_t block = std::max<int64_t>(1, std::min<int64_t>(64, n_nodes / 256));
    return (n_nodes + block - 1) / block;
}

ChainResultData find_cycles(const CsrGraph& g, const double* score_w, const double* tonnes,
                            const ChainOptions& opt, const PollFn& poll) {
    check_options(opt, true);
    if (g.n_nodes == 0 || g.n_edges() == 0) {
        ChainResultData r;
        r.n_items = chain_work_items(g.n_nodes);
        return r;
    }
    View v;
    init_view(v, g, score_w, tonnes, opt.score != ChainScore::Sum, true, opt.max_length);
    return opt.top_k > 0 ? cycles_dispatch<true>(g, v, opt, poll)
                         : cycles_dispatch<false>(g, v, opt, poll);
}

ChainResultData find_paths(const CsrGraph& g, const double* score_w, const double* tonnes,
                           const int64_t* sources, int64_t n_sources, const int64_t* targets,
                           int64_t n_targets, const ChainOptions& opt, const PollFn& poll) {
    check_options(opt, false);
    for (int64_t k = 0; k < n_sources; ++k) {
        if (sources[k] < 0 || sources[k] >= g.n_nodes) {
            throw UnknownNodeError("sources[" + std::to_string(k) + "] = " +
                                   std::to_string(sources[k]) + " outside [0, " +
                                   std::to_string(g.n_nodes) + ")");
        }
    }
    for (int64_t k = 0; k < n_targets; ++k) {
        if (targets[k] < 0 || targets[k] >= g.n_nodes) {
            throw UnknownNodeError("targets[" + std::to_string(k) + "] = " +
                                   std::to_string(targets[k]) + " outside [0, " +
                                   std::to_string(g.n_nodes) + ")");
        }
    }
    View v;
    init_view(v, g, score_w, tonnes, opt.score != ChainScore::Sum, n_targets > 0, opt.max_length);
    return opt.top_k > 0
               ? paths_dispatch<true>(v, sources, n_sources, targets, n_targets, opt, poll)
               : paths_dispatch<false>(v, sources, n_sources, targets, n_targets, opt, poll);
}

}  // namespace symbioflows
