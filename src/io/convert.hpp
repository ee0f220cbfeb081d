#pragma once
// `tomoedge convert`: copy an image stack between HDF5 and TIFF (or within one format),
// slab by slab, changing the dtype and optionally rescaling values to the new type's range.
#include "core/dtype.hpp"
#include "core/shape.hpp"
#include "io/stack.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tomoedge::io {

/// How values map from input to output:
///   none        values unchanged (then rounded and clamped to the output type)
///   minmax      [min, max] of the whole stack -> the output range
///   percentile  [low %, high %] of the whole stack -> the output range, outside clamped
///   automatic   minmax when the output is an integer type the input values may not fit
///               (float -> u8/u16, u16 -> u8, signed -> unsigned); none otherwise
/// The output range is [0, 255] for u8, [0, 65535] for u16 and [0, 1] for f32.
enum class Scaling { automatic, none, minmax, percentile };

Scaling parse_scaling(std::string_view text);
std::string_view scaling_name(Scaling s);

struct ConvertOptions {
    std::optional<DType> dtype;  // default: the input's when it is u8, u16 or f32, else f32
    Scaling scaling = Scaling::automatic;
    double low_pct = 0.5, high_pct = 99.5;
    int deflate_level = 0;
    std::int64_t slab_bytes = std::int64_t{64} << 20;
    /// Percentiles are exact up to this many values; larger stacks use this many evenly spaced
    /// samples (one pass either way).
    std::int64_t percentile_samples = std::int64_t{16} << 20;
    std::uint64_t bigtiff_above_bytes = WriteOptions{}.bigtiff_above_bytes;
};

struct ConvertReport {
    std::string input, output;
    Shape shape;
    DType input_dtype = DType::f32, output_dtype = DType::f32;
    Scaling scaling = Scaling::none;  // as applied (never automatic)
    double window_low = 0, window_high = 0;  // input values mapped to the output range's ends
};

/// The output dataset defaults to the input's (HDF5 input) or "data". The output is written
/// to a temporary beside the target and renamed into place only when complete. Writing to the
/// input's own HDF5 file is refused (the output file is written anew).
ConvertReport convert_stack(std::string_view input, std::string_view output, const ConvertOptions& options);

}  // namespace tomoedge::io
