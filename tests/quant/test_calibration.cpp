// Histograms and the four range-selection methods on synthetic distributions with known answers.
#include "core/error.hpp"
#include "quant/calibration.hpp"
#include "quant/histogram.hpp"
#include "quant/scheme.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace tomoedge;
using namespace tomoedge::quant;

namespace {

// n values evenly spread over [lo, hi] (a deterministic uniform distribution).
void add_uniform(Histogram& h, double lo, double hi, int n) {
    for (int i = 0; i < n; ++i) h.add(static_cast<float>(lo + (hi - lo) * (i + 0.5) / n), 1);
}

}  // namespace

TEST(Histogram, GrowsByDoublingAndKeepsEveryCount) {
    Histogram h(16);
    h.add(0.3f, 5);
    EXPECT_EQ(h.half_range(), 0.5);  // smallest power of two above 0.3
    h.add(-0.1f, 2);
    h.add(3.0f, 1);  // three doublings: R = 4
    EXPECT_EQ(h.half_range(), 4.0);
    EXPECT_EQ(h.count(), 8u);
    std::uint64_t total = 0;
    for (auto c : h.counts()) total += c;
    EXPECT_EQ(total, 8u);
    EXPECT_FLOAT_EQ(h.min(), -0.1f);
    EXPECT_FLOAT_EQ(h.max(), 3.0f);
    // With R = 4 and 16 bins of width 0.5: 0.3 lies in [0, 0.5) = bin 8, -0.1 in [-0.5, 0) = bin 7.
    EXPECT_EQ(h.counts()[8], 5u);
    EXPECT_EQ(h.counts()[7], 2u);
    EXPECT_EQ(h.counts()[14], 1u);  // 3.0 in [3, 3.5)
    EXPECT_THROW(Histogram(6), Error);
    EXPECT_THROW(h.add(std::nanf(""), 1), Error);
}

TEST(Histogram, QuantileOfUniformData) {
    Histogram h;
    add_uniform(h, 0.0, 1.0, 100000);
    EXPECT_NEAR(h.quantile(0.5), 0.5, 1e-3);
    EXPECT_NEAR(h.quantile(0.99), 0.99, 1e-3);
    EXPECT_NEAR(h.quantile(0.0), h.min(), 1e-12);
}

TEST(Calibration, MinMaxIsExact) {
    Histogram h;
    h.add(-0.123f, 1);
    add_uniform(h, 0, 2, 1000);
    h.add(7.77f, 1);
    const Range r = choose_range(h, {Method::minmax});
    EXPECT_FLOAT_EQ(static_cast<float>(r.low), -0.123f);
    EXPECT_FLOAT_EQ(static_cast<float>(r.high), 7.77f);
}

TEST(Calibration, PercentileClipsTheTails) {
    Histogram h;
    add_uniform(h, -1.0, 1.0, 200000);
    CalibrationOptions o{Method::percentile, 99.0};
    const Range r = choose_range(h, o);
    // 99th percentile of U(-1, 1) is 0.98, the 1st is -0.98.
    EXPECT_NEAR(r.high, 0.98, 2e-3);
    EXPECT_NEAR(r.low, -0.98, 2e-3);
    // Non-negative data keeps its minimum at the low end.
    Histogram relu;
    relu.add(0.0f, 5000);
    add_uniform(relu, 0, 4, 5000);
    EXPECT_EQ(choose_range(relu, o).low, 0.0);
    o.percentile = 40;
    EXPECT_THROW(choose_range(h, o), Error);
}

TEST(Calibration, MseFindsTheClosedFormOptimumForUniformPlusOutlier) {
    // N values uniform on [0, 1] and k outliers at A. For a range [0, T] with 1 <= T <= A the cost
    // model is N (T/255)^2 / 12 + k (A - T)^2, minimised at T* = 2 k A / (N / (6 * 255^2) + 2 k).
    const int N = 1000000, k = 1;
    const double A = 100;
    Histogram h;
    add_uniform(h, 0, 1, N);
    h.add(static_cast<float>(A), k);
    const double t_star = 2 * k * A / (N / (6.0 * 255 * 255) + 2 * k);
    const Range r = choose_range(h, {Method::mse});
    EXPECT_NEAR(r.high, t_star, 0.03 * t_star);  // about 43.8; the grid steps A/512
    EXPECT_NEAR(r.low, 0.0, 1e-6);  // the smallest sample (5e-7) scaled by the same factor
    // The chosen range beats both min/max and the bulk-only range under the same cost.
    const double best = expected_squared_error(h, r, 256);
    EXPECT_LT(best, expected_squared_error(h, {0, A}, 256));
    EXPECT_LT(best, expected_squared_error(h, {0, 1}, 256));
}

TEST(Calibration, EntropyClipsLongTailsButNotBoundedData) {
    // A Gaussian's KL threshold lies well inside its extreme values but beyond ~2 sigma.
    std::mt19937 rng(3);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    Histogram g;
    for (int i = 0; i < 200000; ++i) g.add(std::abs(normal(rng)), 1);  // half-normal, like a ReLU output
    const Range rg = choose_range(g, {Method::entropy});
    EXPECT_GT(rg.high, 2.0);
    EXPECT_LT(rg.high, g.max());
    // Uniform data has no tail to clip: the threshold stays near the maximum.
    Histogram u;
    add_uniform(u, 0, 3, 200000);
    EXPECT_GT(choose_range(u, {Method::entropy}).high, 0.95 * 3);
}

TEST(Calibration, ParsesMethodNames) {
    EXPECT_EQ(parse_method("mse"), Method::mse);
    EXPECT_EQ(method_name(Method::entropy), "entropy");
    EXPECT_THROW(parse_method("kl"), Error);
}

TEST(Scheme, ActivationParamsContainZeroAndMapTheRangeEnds) {
    const QuantParams u = activation_params({0.0, 2.55}, ActType::u8);
    EXPECT_FLOAT_EQ(u.scale, 0.01f);
    EXPECT_EQ(u.zero_point, 0);
    const QuantParams a = activation_params({-1.0, 3.0}, ActType::u8);
    EXPECT_FLOAT_EQ(a.scale, 4.0f / 255);
    EXPECT_EQ(a.zero_point, 64);  // round(255 / 4) = 64: real 0 is exact
    const QuantParams s = activation_params({-1.0, 3.0}, ActType::s8);
    EXPECT_EQ(s.zero_point, -64);
    // A positive-only range still includes 0.
    const QuantParams p = activation_params({1.0, 2.0}, ActType::u8);
    EXPECT_FLOAT_EQ(p.scale, 2.0f / 255);
    EXPECT_EQ(p.zero_point, 0);
    EXPECT_EQ(activation_params({0, 0}, ActType::u8).scale, 1.0f);
    EXPECT_THROW(activation_params({2, 1}, ActType::u8), Error);
}

TEST(Scheme, WeightsAreSymmetricPerChannelAndBiasUsesTheProductScale) {
    Tensor<float> w(Shape{2, 1, 1, 3});
    const float v[] = {0.5f, -1.27f, 0.01f, 0, 0, 0};
    std::copy(std::begin(v), std::end(v), w.begin());
    const ChannelQuant q = quantize_weights(w);
    EXPECT_FLOAT_EQ(q.scale[0], 0.01f);
    EXPECT_EQ(q.values[0], 50);
    EXPECT_EQ(q.values[1], -127);
    EXPECT_EQ(q.values[2], 1);
    EXPECT_EQ(q.scale[1], 1.0f);  // all-zero channel
    Tensor<float> b(Shape{2});
    b[0] = 0.3f;
    b[1] = -1e12f;
    const Tensor<std::int32_t> bq = quantize_bias(b, 0.5f, q.scale);
    EXPECT_EQ(bq[0], 60);  // 0.3 / (0.5 * 0.01)
    EXPECT_EQ(bq[1], std::numeric_limits<std::int32_t>::min());  // saturates
}
