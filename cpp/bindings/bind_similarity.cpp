// Bindings of the text-embedding kernels (similarity.hpp).  Inputs are checked and copied
// into native buffers while the GIL is held (the queries packed for the micro-kernel), except
// the candidate matrix of compat_topk / cosine_matrix: it is read in place with the GIL
// released (the kernel normalises it block by block and reports its first non-finite row
// after the pass, as score_pairs does with its pair columns), so a 100,000 x 384 matrix is
// never copied; a concurrent writer can change the result but never make a read go out of
// bounds.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "common.hpp"
#include "symbioflows/similarity.hpp"

namespace py = pybind11;
using namespace symbioflows;

namespace {

constexpr int64_t kMaxOutputElements = int64_t(1) << 32;
using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

SimdLevel resolve_simd(const std::string& name) {
    const SimdLevel best = detect_simd();
    if (name == "auto") return best;
    SimdLevel want;
    if (name == "portable") want = SimdLevel::portable;
    else if (name == "avx2") want = SimdLevel::avx2;
    else if (name == "avx512") want = SimdLevel::avx512;
    else throw InvalidInputError("simd must be 'auto', 'portable', 'avx2' or 'avx512'; got '" + name + "'");
    if (static_cast<int>(want) > static_cast<int>(best)) {
        throw InvalidInputError("simd='" + name + "' is not supported by this CPU (best: " +
                                std::string(simd_name(best)) + ")");
    }
    return want;
}

FloatArray matrix(const py::handle& obj, const char* name) {
    py::array arr = py::array::ensure(obj);
    if (!arr) throw py::type_error(std::string(name) + ": expected a 2-D float array");
    const char kind = arr.dtype().kind();
    if (kind != 'f' && kind != 'i' && kind != 'u') {
        throw py::type_error(std::string(name) + ": expected real numbers; got dtype " +
                             std::string(py::str(arr.dtype())));
    }
    if (arr.ndim() != 2) {
        throw InvalidInputError(std::string(name) + ": expected a 2-D array (rows x dim); got ndim=" +
                                std::to_string(arr.ndim()));
    }
    return FloatArray::ensure(arr);
}

std::vector<int32_t> class_ids(const py::handle& obj, int64_t n, int32_t n_classes, const char* name) {
    if (obj.is_none()) return {};
    auto v = bind::int64_vector(obj, name);
    if (static_cast<int64_t>(v.size()) != n) {
        throw InvalidInputError(std::string(name) + " has " + std::to_string(v.size()) +
                                " values for " + std::to_string(n) + " rows");
    }
    std::vector<int32_t> out(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] < -1 || v[i] >= n_classes) {
            throw UnknownNodeError(std::string(name) + "[" + std::to_string(i) + "] = " +
                                   std::to_string(v[i]) + " outside [-1, " +
                                   std::to_string(n_classes) + ")");
        }
        out[i] = static_cast<int32_t>(v[i]);
    }
    return out;
}

std::vector<uint8_t> flags(const py::handle& obj, int64_t n, const char* name) {
    if (obj.is_none()) return {};
    auto v = bind::int64_vector(obj, name);
    if (static_cast<int64_t>(v.size()) != n) {
        throw InvalidInputError(std::string(name) + " has " + std::to_string(v.size()) +
                                " values for " + std::to_string(n) + " rows");
    }
    std::vector<uint8_t> out(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] < 0 || v[i] > 3) {
            throw InvalidInputError(std::string(name) + "[" + std::to_string(i) + "] = " +
                                    std::to_string(v[i]) + " is not a valid flag (0..3)");
        }
        out[i] = static_cast<uint8_t>(v[i]);
    }
    return out;
}

}  // namespace

void bind_similarity(py::module_& m) {
    m.def("simd_level", []() { return std::string(simd_name(detect_simd())); },
          "Best SIMD level of the similarity micro-kernels on this CPU.");

    m.def(
        "hash_embed",
        [](const std::vector<std::string>& texts, int64_t dim, int ngram_min, int ngram_max,
           float word_weight, int n_threads) {
            const int64_t n = static_cast<int64_t>(texts.size());
            bind::checked_product(n, dim, kMaxOutputElements, "hash embedding");
            py::array_t<float> out({static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(dim)});
            float* o = out.mutable_data();
            bind::run_without_gil([&](const PollFn& poll) {
                hash_embed(texts, dim, ngram_min, ngram_max, word_weight, o, n_threads, poll);
                return 0;
            });
            return out;
        },
        py::arg("texts"), py::arg("dim"), py::arg("ngram_min"), py::arg("ngram_max"),
        py::arg("word_weight"), py::arg("n_threads") = 0,
        "Signed feature hashing of byte n-grams and words of normalised texts, L2-normalised rows.");

    m.def(
        "compat_topk",
        [](const py::handle& supply, const py::handle& demand, const py::handle& supply_class,
           const py::handle& demand_class, const py::handle& substitution,
           const py::handle& supply_hazardous, const py::handle& demand_flags, int64_t k,
           float w_similarity, float w_substitution, float unknown_substitution,
           float min_substitution, int n_threads, const std::string& simd) {
            if (k < 1) throw InvalidInputError("k must be >= 1; got " + std::to_string(k));
            const SimdLevel level = resolve_simd(simd);
            FloatArray q = matrix(supply, "supply"), x = matrix(demand, "demand");
            const int64_t nq = q.shape(0), nx = x.shape(0), d = q.shape(1);
            if (x.shape(1) != d) {
                throw InvalidInputError("supply has dim " + std::to_string(d) + " but demand has dim " +
                                        std::to_string(x.shape(1)) + "; embed both with the same encoder");
            }
            FloatArray S = matrix(substitution, "substitution");
            if (S.shape(0) != S.shape(1)) throw InvalidInputError("substitution must be square");
            const int32_t ncls = static_cast<int32_t>(S.shape(0));
            std::vector<float> sub(S.data(), S.data() + S.size());
            for (size_t i = 0; i < sub.size(); ++i) {
                if (!std::isfinite(sub[i])) {
                    throw InvalidInputError("substitution[" + std::to_string(i / static_cast<size_t>(std::max(1, ncls))) + ", " +
                                            std::to_string(i % static_cast<size_t>(std::max(1, ncls))) + "] is not finite");
                }
            }
            auto cq = class_ids(supply_class, nq, ncls, "supply_class");
            auto cx = class_ids(demand_class, nx, ncls, "demand_class");
            auto hz = flags(supply_hazardous, nq, "supply_hazardous");
            auto fl = flags(demand_flags, nx, "demand_flags");
            const int64_t kk = std::min(k, nx);
            bind::checked_product(nq, kk, kMaxOutputElements, "top-k output");
            PackedRows pq = pack_rows(q.data(), nq, d, simd_lanes(level), "supply", n_threads);
            const RowMatrix px{x.data(), nx, d, "demand"};
            CompatOptions opt;
            opt.k = k;
            opt.w_similarity = w_similarity;
            opt.w_substitution = w_substitution;
            opt.unknown_substitution = unknown_substitution;
            opt.min_substitution = min_substitution;
            opt.n_threads = n_threads;
            py::array_t<int64_t> idx({static_cast<py::ssize_t>(nq), static_cast<py::ssize_t>(kk)});
            py::array_t<float> score({static_cast<py::ssize_t>(nq), static_cast<py::ssize_t>(kk)});
            int64_t* pi = idx.mutable_data();
            float* ps = score.mutable_data();
            bind::run_without_gil([&](const PollFn& poll) {
                compat_topk(level, pq, px, cq.empty() ? nullptr : cq.data(),
                            cx.empty() ? nullptr : cx.data(), ncls, sub.data(),
                            hz.empty() ? nullptr : hz.data(), fl.empty() ? nullptr : fl.data(), opt,
                            pi, ps, poll);
                return 0;
            });
            return py::make_tuple(idx, score);
        },
        py::arg("supply"), py::arg("demand"), py::arg("supply_class"), py::arg("demand_class"),
        py::arg("substitution"), py::arg("supply_hazardous"), py::arg("demand_flags"),
        py::arg("k"), py::arg("w_similarity"), py::arg("w_substitution"),
        py::arg("unknown_substitution"), py::arg("min_substitution"), py::arg("n_threads") = 0,
        py::arg("simd") = "auto",
        "Fused top-k of w_similarity * cosine + w_substitution * S[class] per supply row, GIL released.");

    m.def(
        "cosine_matrix",
        [](const py::handle& a, const py::handle& b, int n_threads, const std::string& simd) {
            const SimdLevel level = resolve_simd(simd);
            FloatArray qa = matrix(a, "a"), qb = matrix(b, "b");
            const int64_t na = qa.shape(0), nb = qb.shape(0), d = qa.shape(1);
            if (qb.shape(1) != d) {
                throw InvalidInputError("a has dim " + std::to_string(d) + " but b has dim " +
                                        std::to_string(qb.shape(1)));
            }
            bind::checked_product(na, nb, kMaxOutputElements, "cosine matrix");
            PackedRows pa = pack_rows(qa.data(), na, d, simd_lanes(level), "a", n_threads);
            const RowMatrix pb{qb.data(), nb, d, "b"};
            py::array_t<float> out({static_cast<py::ssize_t>(na), static_cast<py::ssize_t>(nb)});
            float* o = out.mutable_data();
            bind::run_without_gil([&](const PollFn& poll) {
                cosine_matrix(level, pa, pb, o, n_threads, poll);
                return 0;
            });
            return out;
        },
        py::arg("a"), py::arg("b"), py::arg("n_threads") = 0, py::arg("simd") = "auto",
        "Cosine-similarity matrix (rows of a x rows of b) with the blocked micro-kernels.");
}
