// Closed-form properties and error paths of SSIM, PSNR and MSE.
#include "core/error.hpp"
#include "core/threading.hpp"
#include "metrics/image_quality.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace tomoedge;

namespace {

// A deterministic textured image with values that are exact in float (multiples of 1/64).
std::vector<float> texture(std::int64_t h, std::int64_t w, unsigned seed = 1) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> level(0, 64);
    std::vector<float> v(static_cast<std::size_t>(h * w));
    for (auto& x : v) x = static_cast<float>(level(rng)) / 64.0f;
    return v;
}

// SSIM of two constant images (a and b) with range R: the variances and covariance vanish, so
// every window gives the luminance term alone, (2ab + C1) / (a^2 + b^2 + C1).
double constant_ssim(double a, double b, double range) {
    const double c1 = (0.01 * range) * (0.01 * range);
    return (2 * a * b + c1) / (a * a + b * b + c1);
}

}  // namespace

TEST(Ssim, IdenticalImagesGiveOneAndInfinitePsnr) {
    const auto a = texture(40, 30);
    EXPECT_NEAR(metrics::ssim(a, a, 40, 30), 1.0, 1e-12);
    EXPECT_EQ(metrics::mse(a, a), 0.0);
    EXPECT_EQ(metrics::psnr(a, a), std::numeric_limits<double>::infinity());
    const auto q = metrics::image_quality(a, a, 40, 30, 2.0);
    EXPECT_NEAR(q.ssim, 1.0, 1e-12);
    EXPECT_TRUE(std::isinf(q.psnr));
    EXPECT_EQ(q.data_range, 2.0);
}

TEST(Ssim, ConstantImagesFollowTheLuminanceTerm) {
    const std::vector<float> a(16 * 20, 0.25f), b(16 * 20, 0.75f);
    EXPECT_NEAR(metrics::ssim(a, b, 16, 20, 1.0), constant_ssim(0.25, 0.75, 1.0), 1e-12);
    EXPECT_NEAR(metrics::ssim(a, b, 16, 20, 10.0), constant_ssim(0.25, 0.75, 10.0), 1e-12);
    const auto map = metrics::ssim_map(a, b, 16, 20, 1.0);
    EXPECT_EQ(map.shape(), (Shape{6, 10}));
    for (float s : map) EXPECT_NEAR(s, constant_ssim(0.25, 0.75, 1.0), 1e-6);
}

TEST(Mse, ConstantOffsetGivesItsSquare) {
    const auto b = texture(13, 17);
    std::vector<float> a(b);
    for (auto& x : a) x += 0.125f;  // exact in float
    EXPECT_DOUBLE_EQ(metrics::mse(a, b), 0.125 * 0.125);
    EXPECT_NEAR(metrics::psnr(a, b, 1.0), 10 * std::log10(1.0 / (0.125 * 0.125)), 1e-12);
    // Without a range the reference's max - min is used.
    const double range = metrics::reference_data_range(b);
    EXPECT_NEAR(metrics::psnr(a, b), 10 * std::log10(range * range / (0.125 * 0.125)), 1e-12);
}

TEST(Mse, HandlesLengthsThatAreNotAMultipleOfTheVectorWidth) {
    const std::vector<float> a{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    const std::vector<float> b{0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14};
    EXPECT_DOUBLE_EQ(metrics::mse(a, b), (1.0 + 9.0) / 11.0);
}

TEST(Ssim, DefaultDataRangeIsTheReferenceSpan) {
    const auto a = texture(24, 24, 2), b = texture(24, 24, 3);
    const double range = metrics::reference_data_range(b);
    EXPECT_EQ(range, 1.0);  // levels 0..64 of 1/64 all occur
    std::vector<float> b3(b);
    for (auto& x : b3) x = 3 * x - 1;  // span 3
    EXPECT_EQ(metrics::reference_data_range(b3), 3.0);
    EXPECT_EQ(metrics::ssim(a, b3, 24, 24), metrics::ssim(a, b3, 24, 24, 3.0));
    EXPECT_NE(metrics::ssim(a, b3, 24, 24), metrics::ssim(a, b3, 24, 24, 1.0));
}

TEST(Ssim, IsSymmetricAndScaleInvariantWithTheRange) {
    const auto a = texture(31, 29, 4), b = texture(31, 29, 5);
    EXPECT_NEAR(metrics::ssim(a, b, 31, 29, 1.0), metrics::ssim(b, a, 31, 29, 1.0), 1e-14);
    std::vector<float> a4(a), b4(b);
    for (auto& x : a4) x *= 4;
    for (auto& x : b4) x *= 4;
    EXPECT_NEAR(metrics::ssim(a4, b4, 31, 29, 4.0), metrics::ssim(a, b, 31, 29, 1.0), 1e-12);
}

TEST(Ssim, ResultDoesNotDependOnTheThreadCount) {
    const auto a = texture(97, 61, 6), b = texture(97, 61, 7);
    const int before = num_threads();
    set_num_threads(1);
    const double one = metrics::ssim(a, b, 97, 61, 1.0);
    set_num_threads(3);
    const double three = metrics::ssim(a, b, 97, 61, 1.0);
    set_num_threads(before);
    EXPECT_EQ(one, three);
}

TEST(Ssim, MapMeanIsTheSsim) {
    const auto a = texture(20, 33, 8), b = texture(20, 33, 9);
    const auto map = metrics::ssim_map(a, b, 20, 33, 1.0);
    double sum = 0;
    for (float s : map) sum += s;
    EXPECT_NEAR(sum / static_cast<double>(map.size()), metrics::ssim(a, b, 20, 33, 1.0), 1e-6);
}

TEST(MetricErrors, SizeMismatch) {
    const auto a = texture(12, 12), b = texture(12, 13);
    EXPECT_THROW(metrics::mse(a, b), Error);
    EXPECT_THROW(metrics::psnr(a, b, 1.0), Error);
    EXPECT_THROW(metrics::ssim(a, b, 12, 12, 1.0), Error);
    EXPECT_THROW(metrics::ssim(a, a, 12, 13, 1.0), Error);  // spans do not hold height x width
    EXPECT_THROW(metrics::image_quality(a, b, 12, 12, 1.0), Error);
    try {
        metrics::mse(a, b);
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "MSE: image has 144 pixels but the reference has 156");
    }
}

TEST(MetricErrors, EmptyImage) {
    const std::vector<float> none;
    EXPECT_THROW(metrics::mse(none, none), Error);
    EXPECT_THROW(metrics::psnr(none, none, 1.0), Error);
    EXPECT_THROW(metrics::ssim(none, none, 0, 0, 1.0), Error);
    EXPECT_THROW(metrics::ssim(none, none, 0, 11, 1.0), Error);
    EXPECT_THROW(metrics::reference_data_range(none), Error);
}

TEST(MetricErrors, DataRangeMustBePositiveAndFinite) {
    const auto a = texture(12, 12), b = texture(12, 12, 2);
    for (double bad : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
        EXPECT_THROW(metrics::ssim(a, b, 12, 12, bad), Error) << bad;
        EXPECT_THROW(metrics::psnr(a, b, bad), Error) << bad;
        EXPECT_THROW(metrics::image_quality(a, b, 12, 12, bad), Error) << bad;
    }
}

TEST(MetricErrors, ConstantReferenceNeedsAnExplicitRange) {
    const auto a = texture(12, 12);
    const std::vector<float> flat(144, 0.5f);
    EXPECT_THROW(metrics::ssim(a, flat, 12, 12), Error);
    EXPECT_THROW(metrics::psnr(a, flat), Error);
    EXPECT_NO_THROW(metrics::ssim(a, flat, 12, 12, 1.0));
    EXPECT_NO_THROW(metrics::ssim(flat, a, 12, 12));  // the reference decides, not the image
}

TEST(MetricErrors, ImageSmallerThanTheWindow) {
    const auto a = texture(10, 40), b = texture(10, 40, 2);
    EXPECT_THROW(metrics::ssim(a, b, 10, 40, 1.0), Error);
    EXPECT_THROW(metrics::ssim(a, b, 40, 10, 1.0), Error);
    EXPECT_THROW(metrics::ssim_map(a, b, 40, 10, 1.0), Error);
    EXPECT_NO_THROW(metrics::mse(a, b));  // MSE and PSNR have no window
    try {
        metrics::ssim(a, b, 10, 40, 1.0);
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "SSIM: image is 10 x 40 pixels; it needs at least 11 x 11 (the SSIM window)");
    }
}

TEST(MetricErrors, NonFinitePixels) {
    auto a = texture(12, 12);
    const auto b = texture(12, 12, 2);
    a[7] = std::numeric_limits<float>::quiet_NaN();
    EXPECT_THROW(metrics::ssim(a, b, 12, 12, 1.0), Error);
    EXPECT_THROW(metrics::mse(b, a), Error);
    a[7] = std::numeric_limits<float>::infinity();
    EXPECT_THROW(metrics::psnr(a, b, 1.0), Error);
}
