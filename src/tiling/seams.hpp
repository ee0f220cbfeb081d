#pragma once
// Where stitched tiles differ from the whole-image output: the error along tile borders vs inside
// tiles (the paper's 64 x 64 stitching without halo), for `tomoedge seams`.
#include <cstdint>
#include <span>

namespace tomoedge::tiling {

struct SeamStats {
    double border_mean = 0, border_max = 0;      // |stitched - whole| within `band` of a tile border
    double interior_mean = 0, interior_max = 0;  // everywhere else
    std::int64_t border_pixels = 0, interior_pixels = 0;
};

/// Splits |stitched - whole| (height x width, row-major) by distance to the nearest internal tile
/// border (rows/columns at multiples of `tile`): pixels less than `band` away are border pixels.
/// Throws Error for sizes that do not match or a non-positive tile or band.
SeamStats seam_stats(std::span<const float> stitched, std::span<const float> whole, std::int64_t height,
                     std::int64_t width, std::int64_t tile, std::int64_t band = 1);

}  // namespace tomoedge::tiling
