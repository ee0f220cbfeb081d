// Cross-layer range equalization: the function is unchanged, each channel's ranges are balanced
// (closed form: both become sqrt(r1 r2)), and only Conv+ReLU -> sole-reader Conv pairs change.
#include "core/error.hpp"
#include "quant/equalize.hpp"
#include "quant_test_util.hpp"
#include "runtime/reference_backend.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

using namespace tomoedge;
using namespace tomoedge::quant;

namespace {

// Per-channel maxima spread over two decades, as trained nets have them.
std::map<std::string, std::vector<float>> spread_maxima(const model::Graph& g, std::uint64_t seed = 3) {
    std::mt19937 rng(static_cast<std::uint32_t>(seed));
    std::uniform_real_distribution<float> exponent(-2.0f, 0.0f);
    std::map<std::string, std::vector<float>> out;
    for (const auto& n : g.nodes)
        if (n.op == model::OpKind::Conv) {
            const std::int64_t channels = g.constant(n.inputs[1]).shape[0];
            auto& v = out[n.name];  // the fused ReLU's output carries the conv's name in TomoGAN
            for (std::int64_t c = 0; c < channels; ++c) v.push_back(std::pow(10.0f, exponent(rng)));
        }
    return out;
}

float max_abs_input_channel(const Tensor<float>& w, std::int64_t i) {
    const std::int64_t channels = w.dim(1), k = w.dim(2) * w.dim(3);
    float m = 0;
    for (std::int64_t o = 0; o < w.dim(0); ++o)
        for (std::int64_t j = 0; j < k; ++j) m = std::max(m, std::abs(w[(o * channels + i) * k + j]));
    return m;
}

}  // namespace

TEST(Equalize, EqualizesEveryConvReluConvPairOfTomoGanAndNothingElse) {
    model::Graph g = test_util::small_tomogan();
    const auto pairs = equalize_ranges(g, spread_maxima(g));
    std::vector<std::string> firsts;
    for (const auto& p : pairs) firsts.push_back(p.first + ">" + p.second);
    // Skip tensors (read by a pool and a concat) and the bottleneck/up_conv2 (read by a resize) stay.
    const std::vector<std::string> expected{"stack>down1_conv1",     "down1_conv1>down1_conv2", "down2_conv1>down2_conv2",
                                            "down3_conv1>down3_conv2", "up1_conv1>up1_conv2",   "up2_conv1>up2_conv2",
                                            "up3_conv1>up3_conv2",   "up3_conv2>head1",         "head1>head2"};
    EXPECT_EQ(firsts, expected);
}

TEST(Equalize, LeavesTheNetworkFunctionUnchanged) {
    const model::Graph original = test_util::small_tomogan();
    model::Graph g = original.clone();
    const auto pairs = equalize_ranges(g, spread_maxima(g));
    ASSERT_FALSE(pairs.empty());
    for (const auto& p : pairs) EXPECT_LT(p.min_scale, p.max_scale);  // the spread maxima really move weights
    runtime::BackendOptions options{"reference", runtime::Precision::fp32, 1};
    runtime::ReferenceBackend a(original, options), b(g, options);
    const Tensor<float> v = test_util::smooth_volume(3, 24, 32);
    Tensor<float> x(Shape{1, 3, 24, 32});
    std::copy(v.begin(), v.end(), x.begin());
    const Tensor<float> ya = a.run(x), yb = b.run(x);
    float range = 0;
    for (float y : ya) range = std::max(range, std::abs(y));
    for (std::int64_t i = 0; i < ya.size(); ++i) ASSERT_NEAR(ya[i], yb[i], 1e-5f * range) << i;
}

TEST(Equalize, BalancesActivationAndWeightRangesPerChannel) {
    const model::Graph original = test_util::small_tomogan();
    model::Graph g = original.clone();
    const auto maxima = spread_maxima(g);
    equalize_ranges(g, maxima);
    // head1 -> head2: channel i's activation range r1/s and head2's weight range r2*s both
    // equal sqrt(r1 r2), with r1, r2 measured before equalization.
    const Tensor<float>& before = original.constant("head2.weight").f32;
    const Tensor<float>& after = g.constant("head2.weight").f32;
    const Tensor<float>& bias_before = original.constant("head1.bias").f32;
    const Tensor<float>& bias_after = g.constant("head1.bias").f32;
    for (std::int64_t i = 0; i < before.dim(1); ++i) {
        const double r1 = maxima.at("head1")[static_cast<std::size_t>(i)];
        const double r2 = max_abs_input_channel(before, i);
        const double s = std::sqrt(r1 / r2);
        EXPECT_NEAR(max_abs_input_channel(after, i), std::sqrt(r1 * r2), 1e-5 * std::sqrt(r1 * r2)) << i;
        EXPECT_NEAR(bias_after[i], bias_before[i] / s, 1e-6 + 1e-5 * std::abs(bias_before[i] / s)) << i;
    }
}

TEST(Equalize, ChannelsThatNeverFireOrTensorsWithoutStatisticsAreLeftAlone) {
    const model::Graph original = test_util::small_tomogan();
    model::Graph g = original.clone();
    auto maxima = spread_maxima(g);
    std::fill(maxima.at("head1").begin(), maxima.at("head1").end(), 0.0f);  // a dead layer: s = 1
    maxima.erase("up3_conv1");                                                // no statistics: skipped
    const auto pairs = equalize_ranges(g, maxima);
    for (const auto& p : pairs) EXPECT_NE(p.first, "up3_conv1");
    const Tensor<float>& w0 = original.constant("head2.weight").f32;
    const Tensor<float>& w1 = g.constant("head2.weight").f32;
    for (std::int64_t i = 0; i < w0.size(); ++i) EXPECT_EQ(w0[i], w1[i]);
    const Tensor<float>& u0 = original.constant("up3_conv1.weight").f32;  // only the skipped pair would scale it
    const Tensor<float>& u1 = g.constant("up3_conv1.weight").f32;
    for (std::int64_t i = 0; i < u0.size(); ++i) EXPECT_EQ(u0[i], u1[i]);
}

TEST(Equalize, ACalibrationOfTheWrongChannelCountIsAnError) {
    model::Graph g = test_util::small_tomogan();
    auto maxima = spread_maxima(g);
    maxima.at("head1").pop_back();
    try {
        equalize_ranges(g, maxima);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("'head1'"), std::string::npos) << e.what();
    }
}
