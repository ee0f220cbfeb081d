#include "metrics/image_quality.hpp"

#include "core/error.hpp"
#include "metrics/ssim_kernel.hpp"
#include "metrics/validation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tomoedge::metrics {
namespace {

double mean_squared_error(std::span<const float> image, std::span<const float> reference) {
    // Several partial sums let the compiler vectorise a double reduction without -ffast-math.
    constexpr std::size_t lanes = 8;
    double partial[lanes] = {};
    const std::size_t n = image.size(), body = n - n % lanes;
    for (std::size_t i = 0; i < body; i += lanes)
        for (std::size_t l = 0; l < lanes; ++l) {
            const double d = static_cast<double>(image[i + l]) - static_cast<double>(reference[i + l]);
            partial[l] += d * d;
        }
    double sum = 0;
    for (double p : partial) sum += p;
    for (std::size_t i = body; i < n; ++i) {
        const double d = static_cast<double>(image[i]) - static_cast<double>(reference[i]);
        sum += d * d;
    }
    return sum / static_cast<double>(n);
}

double psnr_of(double mse_value, double data_range) {
    if (mse_value == 0) return std::numeric_limits<double>::infinity();
    return 10.0 * std::log10(data_range * data_range / mse_value);
}

double mean_ssim(std::span<const float> image, std::span<const float> reference, std::int64_t height,
                 std::int64_t width, double data_range) {
    const std::int64_t valid = (height - ssim_window + 1) * (width - ssim_window + 1);
    return detail::ssim_sum(image.data(), reference.data(), height, width, data_range, nullptr) /
           static_cast<double>(valid);
}

}  // namespace

double reference_data_range(std::span<const float> reference) {
    if (reference.empty()) fail("data range: empty reference image");
    const auto [lo, hi] = std::minmax_element(reference.begin(), reference.end());
    return static_cast<double>(*hi) - static_cast<double>(*lo);
}

double mse(std::span<const float> image, std::span<const float> reference) {
    detail::check_pair(image, reference, "MSE");
    return mean_squared_error(image, reference);
}

double psnr(std::span<const float> image, std::span<const float> reference, std::optional<double> data_range) {
    detail::check_pair(image, reference, "PSNR");
    const double range = detail::resolve_data_range(reference, data_range, "PSNR");
    return psnr_of(mean_squared_error(image, reference), range);
}

double ssim(std::span<const float> image, std::span<const float> reference, std::int64_t height,
            std::int64_t width, std::optional<double> data_range) {
    detail::check_pair(image, reference, height, width, ssim_window, "SSIM");
    const double range = detail::resolve_data_range(reference, data_range, "SSIM");
    return mean_ssim(image, reference, height, width, range);
}

Tensor<float> ssim_map(std::span<const float> image, std::span<const float> reference, std::int64_t height,
                       std::int64_t width, std::optional<double> data_range) {
    detail::check_pair(image, reference, height, width, ssim_window, "SSIM");
    const double range = detail::resolve_data_range(reference, data_range, "SSIM");
    Tensor<float> map(Shape{height - ssim_window + 1, width - ssim_window + 1});
    detail::ssim_sum(image.data(), reference.data(), height, width, range, map.data());
    return map;
}

ImageQuality image_quality(std::span<const float> image, std::span<const float> reference, std::int64_t height,
                           std::int64_t width, std::optional<double> data_range) {
    detail::check_pair(image, reference, height, width, ssim_window, "image quality");
    ImageQuality q;
    q.data_range = detail::resolve_data_range(reference, data_range, "image quality");
    q.mse = mean_squared_error(image, reference);
    q.psnr = psnr_of(q.mse, q.data_range);
    q.ssim = mean_ssim(image, reference, height, width, q.data_range);
    return q;
}

}  // namespace tomoedge::metrics
