// Read a value exactly once from memory that another thread may write meanwhile.
#pragma once

namespace symbioflows {

// A relaxed atomic load compiles to a plain load, but the compiler may not re-read the
// location later: the kernels read pair columns in place (numpy buffers shared with a writer
// they do not control), so the value checked and the value used must be the same.
template <class T>
inline T read_once(const T* p) {
#if defined(__GNUC__) || defined(__clang__)
    T v;
    __atomic_load(p, &v, __ATOMIC_RELAXED);
    return v;
#else
    return *static_cast<const volatile T*>(p);
#endif
}

}  // namespace symbioflows
