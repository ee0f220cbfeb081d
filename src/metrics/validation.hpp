#pragma once
// Argument checks shared by the metric functions (internal to the module).
#include <cstdint>
#include <optional>
#include <span>

namespace tomoedge::metrics::detail {

/// Both images non-empty, the same number of pixels, all finite. `what` prefixes messages ("SSIM").
void check_pair(std::span<const float> image, std::span<const float> reference, const char* what);

/// check_pair, plus: height, width positive, both images height x width pixels, at least
/// `min_side` pixels along each axis.
void check_pair(std::span<const float> image, std::span<const float> reference, std::int64_t height,
                std::int64_t width, std::int64_t min_side, const char* what);

/// The given range if it is positive and finite; else the reference's max - min, which must be > 0.
double resolve_data_range(std::span<const float> reference, std::optional<double> data_range, const char* what);

}  // namespace tomoedge::metrics::detail
