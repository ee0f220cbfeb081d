#pragma once
// Full-reference image quality of a float32 image against a reference of the same size: SSIM
// exactly as Wang et al. 2004 (and scikit-image's structural_similarity with
// gaussian_weights=True, sigma=1.5, use_sample_covariance=False), PSNR and MSE.
//
// Images are row-major spans of height x width pixels. The second image is always the
// reference: when no data range is given, it is max - min of the reference. Every function
// throws Error for sizes that do not match, empty images, a data range that is not a positive
// finite number (or a constant reference with no range given) and NaN/Inf pixels.
#include "core/tensor.hpp"

#include <cstdint>
#include <optional>
#include <span>

namespace tomoedge::metrics {

// The SSIM constants of Wang et al. 2004. The window is the 11 x 11 Gaussian that scipy's
// gaussian_filter uses for sigma 1.5 with skimage's truncate = 3.5: radius int(3.5 * 1.5 + 0.5) = 5.
inline constexpr int ssim_window = 11;
inline constexpr double ssim_sigma = 1.5;
inline constexpr double ssim_k1 = 0.01;
inline constexpr double ssim_k2 = 0.03;

/// max - min of the reference (0 for a constant image). Throws Error on an empty image.
double reference_data_range(std::span<const float> reference);

/// Mean squared error, accumulated in double.
double mse(std::span<const float> image, std::span<const float> reference);

/// 10 log10(R^2 / MSE) in dB with R the data range; +infinity when the images are identical.
double psnr(std::span<const float> image, std::span<const float> reference,
            std::optional<double> data_range = std::nullopt);

/// Mean SSIM over the pixels whose 11 x 11 window lies inside the image: the map is cropped by
/// (11 - 1) / 2 = 5 pixels on every border before averaging, as scikit-image does, so border
/// handling never enters the result. Images must be at least 11 x 11.
double ssim(std::span<const float> image, std::span<const float> reference, std::int64_t height,
            std::int64_t width, std::optional<double> data_range = std::nullopt);

/// The SSIM map over that same valid region: shape (height - 10, width - 10); its mean is ssim().
Tensor<float> ssim_map(std::span<const float> image, std::span<const float> reference, std::int64_t height,
                       std::int64_t width, std::optional<double> data_range = std::nullopt);

struct ImageQuality {
    double ssim = 0;
    double psnr = 0;  // +infinity for identical images
    double mse = 0;
    double data_range = 0;  // the range used (given, or taken from the reference)
};

/// All three at once (one validation, one data-range scan): what `tomoedge compare` reports.
ImageQuality image_quality(std::span<const float> image, std::span<const float> reference, std::int64_t height,
                           std::int64_t width, std::optional<double> data_range = std::nullopt);

}  // namespace tomoedge::metrics
