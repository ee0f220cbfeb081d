#include "metrics/validation.hpp"

#include "core/checks.hpp"
#include "core/error.hpp"
#include "metrics/image_quality.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace tomoedge::metrics::detail {

void check_pair(std::span<const float> image, std::span<const float> reference, const char* what) {
    if (image.empty() || reference.empty())
        fail("{}: empty image ({} and {} pixels)", what, image.size(), reference.size());
    if (image.size() != reference.size())
        fail("{}: image has {} pixels but the reference has {}", what, image.size(), reference.size());
    require_finite(image, fmt::format("{}: image", what));
    require_finite(reference, fmt::format("{}: reference", what));
}

void check_pair(std::span<const float> image, std::span<const float> reference, std::int64_t height,
                std::int64_t width, std::int64_t min_side, const char* what) {
    if (height <= 0 || width <= 0) fail("{}: empty image ({} x {} pixels)", what, height, width);
    if (height > std::numeric_limits<std::int64_t>::max() / width)
        fail("{}: image size {} x {} is too large", what, height, width);
    const auto pixels = static_cast<std::size_t>(height * width);
    if (image.size() != pixels || reference.size() != pixels)
        fail("{}: image has {} pixels and the reference {}, but {} x {} = {} were expected", what, image.size(),
             reference.size(), height, width, pixels);
    if (height < min_side || width < min_side)
        fail("{}: image is {} x {} pixels; it needs at least {} x {} (the SSIM window)", what, height, width,
             min_side, min_side);
    check_pair(image, reference, what);
}

double resolve_data_range(std::span<const float> reference, std::optional<double> data_range, const char* what) {
    if (data_range) {
        if (!(std::isfinite(*data_range) && *data_range > 0))
            fail("{}: data range must be a positive number, got {}", what, *data_range);
        return *data_range;
    }
    const double range = reference_data_range(reference);
    if (!(range > 0))
        fail("{}: the reference image is constant ({}), so it gives no data range; pass one explicitly", what,
             reference.empty() ? 0.0 : static_cast<double>(reference[0]));
    return range;
}

}  // namespace tomoedge::metrics::detail
