// Exception hierarchy of the native core.  Each type maps to one class of
// symbioflows.errors in the single translator (cpp/bindings/module.cpp).
#pragma once
#include <stdexcept>
#include <string>

namespace symbioflows {

// Base of every error raised on purpose by a kernel.
struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Bad arguments: wrong sizes, NaN, out-of-range values.  -> InvalidInputError
struct InvalidInputError : Error {
    using Error::Error;
};

// A node / stream / company index that does not exist.  -> UnknownNodeError
struct UnknownNodeError : InvalidInputError {
    using InvalidInputError::InvalidInputError;
};

// A requested allocation would exceed a documented size limit.  -> ResourceLimitError
struct ResourceLimitError : Error {
    using Error::Error;
};

// The caller (Ctrl-C, a progress hook) asked the kernel to stop.
struct Cancelled : Error {
    Cancelled() : Error("cancelled") {}
};

}  // namespace symbioflows
