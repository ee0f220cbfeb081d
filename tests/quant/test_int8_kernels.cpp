// Integer reference kernels against hand-computed cases.
#include "core/error.hpp"
#include "runtime/reference/int8_kernels.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace tomoedge;
using runtime::int8::ActType;
using runtime::int8::QuantParams;

namespace {

Tensor<std::int32_t> ints(Shape s, std::vector<std::int32_t> v) {
    Tensor<std::int32_t> t(std::move(s));
    std::copy(v.begin(), v.end(), t.begin());
    return t;
}

model::Node conv_node(int k, int pad) {
    model::Node n;
    n.op = model::OpKind::Conv;
    n.kernel = {k, k};
    n.pads = {pad, pad, pad, pad};
    return n;
}

}  // namespace

TEST(Int8Quantize, RoundsHalfToEvenAndSaturates) {
    const QuantParams q{0.5f, 10, ActType::u8};
    // x / 0.5: 0.25 -> 0.5 -> 0 (even); 0.75 -> 1.5 -> 2; -0.25 -> -0.5 -> -0 ; then + 10.
    EXPECT_EQ(runtime::int8::quantize_value(0.25f, q), 10);
    EXPECT_EQ(runtime::int8::quantize_value(0.75f, q), 12);
    EXPECT_EQ(runtime::int8::quantize_value(-0.25f, q), 10);
    EXPECT_EQ(runtime::int8::quantize_value(1000.0f, q), 255);
    EXPECT_EQ(runtime::int8::quantize_value(-1000.0f, q), 0);
    const QuantParams s{0.1f, -3, ActType::s8};
    EXPECT_EQ(runtime::int8::quantize_value(100.0f, s), 127);
    EXPECT_EQ(runtime::int8::quantize_value(-100.0f, s), -128);
}

TEST(Int8Quantize, RoundTripErrorIsAtMostHalfAStepInsideTheRange) {
    const QuantParams q{0.02f, 37, ActType::u8};
    const float lo = (0 - 37) * 0.02f, hi = (255 - 37) * 0.02f;
    Tensor<float> x(Shape{1, 1, 1, 1001});
    for (int i = 0; i <= 1000; ++i) x[i] = lo + (hi - lo) * static_cast<float>(i) / 1000.0f;
    const Tensor<float> y = runtime::reference::dequantize_int8(runtime::reference::quantize_int8(x, q), q);
    for (int i = 0; i <= 1000; ++i) EXPECT_LE(std::abs(y[i] - x[i]), 0.01f + 1e-6f) << x[i];
    // Dequantize is exact: (q - zp) * scale.
    EXPECT_FLOAT_EQ(runtime::int8::dequantize_value(47, q), 10 * 0.02f);
}

TEST(Int8Conv, HandComputedPerChannelRequantization) {
    // 2x2 input, one channel, zero point 3 (values 3..6 = real 0..3 with scale 1);
    // 3x3 kernel with padding 1; two output channels with weights all 1 and all -1.
    const Tensor<std::int32_t> x = ints(Shape{1, 1, 2, 2}, {3, 4, 5, 6});
    Tensor<std::int8_t> w(Shape{2, 1, 3, 3});
    for (int i = 0; i < 9; ++i) {
        w[i] = 1;
        w[9 + i] = -1;
    }
    const Tensor<std::int32_t> bias = ints(Shape{2}, {1, 0});
    runtime::int8::ConvQuant q;
    q.input_offset = -3;
    q.output_offset = 100;
    q.output_multiplier = {runtime::int8::quantize_multiplier(0.5), runtime::int8::quantize_multiplier(0.25)};
    q.activation_min = 0;
    q.activation_max = 255;
    // Every output sees all four pixels (3x3 window with pad 1 on 2x2): sum of (x - 3) = 0+1+2+3 = 6.
    // Channel 0: (6 + 1) * 0.5 = 3.5 -> 4 (half away from zero) + 100 = 104.
    // Channel 1: -6 * 0.25 = -1.5 -> -2 + 100 = 98.
    const Tensor<std::int32_t> y = runtime::reference::conv2d_int8(x, w, bias, q, conv_node(3, 1));
    ASSERT_EQ(y.shape(), (Shape{1, 2, 2, 2}));
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(y[i], 104);
        EXPECT_EQ(y[4 + i], 98);
    }
    // A fused ReLU is a clamp at the zero point.
    q.activation_min = 100;
    q.output_multiplier[1] = runtime::int8::quantize_multiplier(1.0);
    const Tensor<std::int32_t> r = runtime::reference::conv2d_int8(x, w, bias, q, conv_node(3, 1));
    EXPECT_EQ(r[4], 100);  // -6 + 100 = 94, clamped to 100
    // And the top of the range saturates.
    q.output_multiplier[0] = runtime::int8::quantize_multiplier(100.0);
    EXPECT_EQ(runtime::reference::conv2d_int8(x, w, bias, q, conv_node(3, 1))[0], 255);
}

TEST(Int8MaxPool, MaxOfStoredIntegers) {
    const Tensor<std::int32_t> x = ints(Shape{1, 1, 2, 4}, {-5, 7, 1, 2, 3, -128, 127, 0});
    model::Node n;
    n.op = model::OpKind::MaxPool;
    n.kernel = {2, 2};
    n.strides = {2, 2};
    const Tensor<std::int32_t> y = runtime::reference::maxpool2d_int8(x, n);
    ASSERT_EQ(y.size(), 2);
    EXPECT_EQ(y[0], 7);
    EXPECT_EQ(y[1], 127);
}

TEST(Int8Resize, U8HalfPixelBilinearTruncatesLikeTfliteReference) {
    // 1x2 -> 2x4, half_pixel. Source x for outputs 0..3: -0.25, 0.25, 0.75, 1.25 (clamped taps).
    // Values 10 and 21: out0 = 10 (both taps pixel 0), out1 = 10*0.75 + 21*0.25 = 12.75 -> 12,
    // out2 = 10*0.25 + 21*0.75 = 18.25 -> 18, out3 = 21.
    const Tensor<std::int32_t> x = ints(Shape{1, 1, 1, 2}, {10, 21});
    model::Node n;
    n.op = model::OpKind::Resize;
    n.scales = {2.0f, 2.0f};
    n.coordinate_mode = model::CoordinateMode::half_pixel;
    const Tensor<std::int32_t> y = runtime::reference::resize2d_int8(x, n, ActType::u8);
    ASSERT_EQ(y.shape(), (Shape{1, 1, 2, 4}));
    const std::vector<std::int32_t> row{10, 12, 18, 21};
    for (int r = 0; r < 2; ++r)
        for (int c = 0; c < 4; ++c) EXPECT_EQ(y[r * 4 + c], row[static_cast<std::size_t>(c)]) << r << "," << c;
}

TEST(Int8Resize, S8UsesTenBitFixedPointAndRoundsHalfAwayFromZero) {
    // Same geometry with s8 values -10 and 1: out1 = -10*0.75 + 1*0.25 = -7.25 -> -7,
    // out2 = -10*0.25 + 0.75 = -1.75 -> -2. And values -1, 0: out1 = -0.75 -> -1, out2 = -0.25 -> 0.
    model::Node n;
    n.op = model::OpKind::Resize;
    n.scales = {1.0f, 2.0f};
    n.coordinate_mode = model::CoordinateMode::half_pixel;
    const Tensor<std::int32_t> a = runtime::reference::resize2d_int8(ints(Shape{1, 1, 1, 2}, {-10, 1}), n, ActType::s8);
    EXPECT_EQ(a[0], -10);
    EXPECT_EQ(a[1], -7);
    EXPECT_EQ(a[2], -2);
    EXPECT_EQ(a[3], 1);
    const Tensor<std::int32_t> b = runtime::reference::resize2d_int8(ints(Shape{1, 1, 1, 2}, {1, 2}), n, ActType::s8);
    // 1*0.75 + 2*0.25 = 1.25 -> 1; 1*0.25 + 2*0.75 = 1.75 -> 2.
    EXPECT_EQ(b[1], 1);
    EXPECT_EQ(b[2], 2);
}

TEST(Int8Concat, IsAPlainCopy) {
    const Tensor<std::int32_t> a = ints(Shape{1, 1, 1, 2}, {1, 2});
    const Tensor<std::int32_t> b = ints(Shape{1, 2, 1, 2}, {3, 4, 5, 6});
    const Tensor<std::int32_t>* parts[] = {&a, &b};
    const Tensor<std::int32_t> y = runtime::reference::concat_int8(parts, 1);
    ASSERT_EQ(y.shape(), (Shape{1, 3, 1, 2}));
    for (int i = 0; i < 6; ++i) EXPECT_EQ(y[i], i + 1);
}
