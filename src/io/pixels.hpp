#pragma once
// Conversions between float32 (how pixels live in memory) and the integer types files hold.
// Writers round to nearest (halves away from zero) and clamp to the type's range, so a value
// never wraps around.
#include "core/dtype.hpp"

#include <cstddef>
#include <span>
#include <string_view>

namespace tomoedge::io {

/// Smallest and largest value of `t` (for f32: the finite float range).
double dtype_min(DType t);
double dtype_max(DType t);

/// Writes `in` as `t` into `out` (in.size() * dtype_size(t) bytes, native byte order). Throws
/// Error naming `what` if a value is NaN or Inf (a file we could not read back).
void convert_from_float(std::span<const float> in, DType t, std::byte* out, std::string_view what);

/// Reads `count` values of `t` from `in` (native byte order) into `out`.
void convert_to_float(const std::byte* in, DType t, std::span<float> out);

}  // namespace tomoedge::io
