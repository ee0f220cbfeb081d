#pragma once
// The SSIM filter loop on validated input (internal to the module).
#include <cstdint>

namespace tomoedge::metrics::detail {

/// Sum of the SSIM map over the valid region ((height - 10) x (width - 10) pixels, each
/// window fully inside the image). When `map` is non-null the map is stored there, row-major.
/// The sum is formed in row order whatever the thread count, so results are reproducible.
double ssim_sum(const float* image, const float* reference, std::int64_t height, std::int64_t width,
                double data_range, float* map);

}  // namespace tomoedge::metrics::detail
