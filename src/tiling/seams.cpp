#include "tiling/seams.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>

namespace tomoedge::tiling {
namespace {

// Distance of row/column i to the nearest internal border (a multiple of tile strictly inside);
// a border at b lies between pixels b - 1 and b, both at distance 0.
std::int64_t border_distance(std::int64_t i, std::int64_t size, std::int64_t tile) {
    std::int64_t best = size;
    const std::int64_t below = i / tile * tile;  // border at or before i
    if (below > 0) best = std::min(best, i - below);
    const std::int64_t above = below + tile;  // border after i
    if (above < size) best = std::min(best, above - 1 - i);
    return best;
}

}  // namespace

SeamStats seam_stats(std::span<const float> stitched, std::span<const float> whole, std::int64_t height,
                     std::int64_t width, std::int64_t tile, std::int64_t band) {
    if (tile <= 0 || band <= 0) fail("seams: tile {} and band {} must be positive", tile, band);
    if (height <= 0 || width <= 0 || static_cast<std::int64_t>(stitched.size()) != height * width ||
        whole.size() != stitched.size())
        fail("seams: images of {} and {} pixels do not match {} x {}", stitched.size(), whole.size(), height, width);
    SeamStats s;
    double border_sum = 0, interior_sum = 0;
    for (std::int64_t y = 0; y < height; ++y) {
        const bool row_border = border_distance(y, height, tile) < band;
        for (std::int64_t x = 0; x < width; ++x) {
            const std::size_t i = static_cast<std::size_t>(y * width + x);
            const double e = std::fabs(static_cast<double>(stitched[i]) - static_cast<double>(whole[i]));
            if (row_border || border_distance(x, width, tile) < band) {
                border_sum += e;
                s.border_max = std::max(s.border_max, e);
                ++s.border_pixels;
            } else {
                interior_sum += e;
                s.interior_max = std::max(s.interior_max, e);
                ++s.interior_pixels;
            }
        }
    }
    s.border_mean = s.border_pixels ? border_sum / static_cast<double>(s.border_pixels) : 0;
    s.interior_mean = s.interior_pixels ? interior_sum / static_cast<double>(s.interior_pixels) : 0;
    return s;
}

}  // namespace tomoedge::tiling
