// Every reference kernel against small cases computed by hand (closed forms).
#include "core/error.hpp"
#include "runtime/reference/kernels.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace tomoedge;
using namespace tomoedge::runtime;
using model::CoordinateMode;
using model::Node;

namespace {

Tensor<float> make(Shape shape, std::vector<float> values) {
    Tensor<float> t(shape);
    EXPECT_EQ(static_cast<std::int64_t>(values.size()), t.size());
    std::copy(values.begin(), values.end(), t.begin());
    return t;
}

Tensor<float> ramp(Shape shape) {
    Tensor<float> t(shape);
    for (std::int64_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(i);
    return t;
}

std::vector<float> values(const Tensor<float>& t) { return {t.begin(), t.end()}; }

Node conv_node(int k, int stride = 1, int dilation = 1, std::array<int, 4> pads = {0, 0, 0, 0}) {
    Node n;
    n.op = model::OpKind::Conv;
    n.kernel = {k, k};
    n.strides = {stride, stride};
    n.dilations = {dilation, dilation};
    n.pads = pads;
    return n;
}

}  // namespace

TEST(ReferenceConv, OnesKernelWithSamePaddingCountsNeighbours) {
    Tensor<float> x(Shape{1, 1, 3, 3}, 1.0f);
    Tensor<float> w(Shape{1, 1, 3, 3}, 1.0f);
    Tensor<float> b = make(Shape{1}, {0.5f});
    auto y = reference::conv2d(x, w, &b, conv_node(3, 1, 1, {1, 1, 1, 1}));
    EXPECT_EQ(y.shape(), (Shape{1, 1, 3, 3}));
    EXPECT_EQ(values(y), (std::vector<float>{4.5f, 6.5f, 4.5f, 6.5f, 9.5f, 6.5f, 4.5f, 6.5f, 4.5f}));
}

TEST(ReferenceConv, StrideTwo) {
    auto x = ramp(Shape{1, 1, 4, 4});
    auto w = make(Shape{1, 1, 2, 2}, {1, 2, 3, 4});
    auto y = reference::conv2d(x, w, nullptr, conv_node(2, 2));
    // out[0,0] = 0*1 + 1*2 + 4*3 + 5*4 = 34; each step right adds 2*(1+2+3+4) = 20, down adds 8*10 = 80
    EXPECT_EQ(values(y), (std::vector<float>{34, 54, 114, 134}));
}

TEST(ReferenceConv, DilationTwoAndAsymmetricPads) {
    auto x = ramp(Shape{1, 1, 5, 5});
    Tensor<float> w(Shape{1, 1, 2, 2}, 1.0f);
    auto y = reference::conv2d(x, w, nullptr, conv_node(2, 1, 2));
    // taps at (y,x), (y,x+2), (y+2,x), (y+2,x+2): out[0,0] = 0+2+10+12 = 24, 3x3 output
    EXPECT_EQ(y.shape(), (Shape{1, 1, 3, 3}));
    EXPECT_EQ(y[0], 24);
    EXPECT_EQ(y[8], 24 + 4 * 12);
    // Pad only the top by 1: the first output row sees a zero row on top.
    Tensor<float> w1(Shape{1, 1, 2, 1}, 1.0f);
    Node n = conv_node(1);
    n.kernel = {2, 1};
    n.pads = {1, 0, 0, 0};
    auto z = reference::conv2d(ramp(Shape{1, 1, 2, 2}), w1, nullptr, n);
    EXPECT_EQ(values(z), (std::vector<float>{0, 1, 2, 4}));
}

TEST(ReferenceConv, MultiChannelSumsOverInputChannels) {
    // Two input channels (1s and 2s), two output channels with weights (1, 1) and (1, -1).
    Tensor<float> x(Shape{2, 2, 1, 1});
    x[0] = 1;
    x[1] = 2;
    x[2] = 3;
    x[3] = 5;
    auto w = make(Shape{2, 2, 1, 1}, {1, 1, 1, -1});
    auto b = make(Shape{2}, {0, 10});
    auto y = reference::conv2d(x, w, &b, conv_node(1));
    EXPECT_EQ(values(y), (std::vector<float>{3, 9, 8, 8}));
    Tensor<float> wrong(Shape{1, 3, 1, 1}, 1.0f);
    EXPECT_THROW(reference::conv2d(x, wrong, nullptr, conv_node(1)), Error);
}

TEST(ReferenceElementwise, ReluAndAdd) {
    auto x = make(Shape{1, 1, 1, 4}, {-2, -0.0f, 0.5f, 3});
    EXPECT_EQ(values(reference::relu(x)), (std::vector<float>{0, 0, 0.5f, 3}));
    EXPECT_EQ(values(reference::add(x, x)), (std::vector<float>{-4, 0, 1, 6}));
    EXPECT_THROW(reference::add(x, Tensor<float>(Shape{1, 1, 2, 2})), Error);
}

TEST(ReferenceMaxPool, TwoByTwoStrideTwo) {
    Node n;
    n.kernel = {2, 2};
    n.strides = {2, 2};
    auto y = reference::maxpool2d(ramp(Shape{1, 1, 4, 4}), n);
    EXPECT_EQ(values(y), (std::vector<float>{5, 7, 13, 15}));
    // Odd size: the last row/column is dropped (floor), as in ONNX.
    EXPECT_EQ(reference::maxpool2d(ramp(Shape{1, 2, 5, 5}), n).shape(), (Shape{1, 2, 2, 2}));
}

TEST(ReferenceMaxPool, PaddingNeverWins) {
    Node n;
    n.kernel = {3, 3};
    n.pads = {1, 1, 1, 1};
    auto x = ramp(Shape{1, 1, 3, 3});
    for (auto& v : x) v = -v - 1;  // all negative: a zero pad would win if it counted
    auto y = reference::maxpool2d(x, n);
    EXPECT_EQ(values(y), (std::vector<float>{-1, -1, -2, -1, -1, -2, -4, -4, -5}));
}

TEST(ReferenceResize, BilinearCoordinateModes) {
    auto x = make(Shape{1, 1, 1, 2}, {0, 1});
    Node n;
    n.scales = {1.0f, 2.0f};
    n.coordinate_mode = CoordinateMode::half_pixel;
    EXPECT_EQ(values(reference::resize2d(x, n)), (std::vector<float>{0, 0.25f, 0.75f, 1}));
    n.coordinate_mode = CoordinateMode::pytorch_half_pixel;
    EXPECT_EQ(values(reference::resize2d(x, n)), (std::vector<float>{0, 0.25f, 0.75f, 1}));
    n.coordinate_mode = CoordinateMode::asymmetric;
    EXPECT_EQ(values(reference::resize2d(x, n)), (std::vector<float>{0, 0.5f, 1, 1}));
    n.coordinate_mode = CoordinateMode::align_corners;
    auto y = reference::resize2d(x, n);
    EXPECT_FLOAT_EQ(y[1], 1.0f / 3);
    EXPECT_FLOAT_EQ(y[2], 2.0f / 3);
    EXPECT_EQ(y[3], 1);
}

TEST(ReferenceResize, BilinearTwoDimensions) {
    // 2x2 -> 4x4 half_pixel: separable, so out[r][c] = a(r) * 2 + b(c) for x[i][j] = 2i + j.
    auto x = make(Shape{1, 1, 2, 2}, {0, 1, 2, 3});
    Node n;
    n.scales = {2.0f, 2.0f};
    auto y = reference::resize2d(x, n);
    const float axis[4] = {0, 0.25f, 0.75f, 1};
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c) EXPECT_FLOAT_EQ(y[r * 4 + c], 2 * axis[r] + axis[c]);
}

TEST(ReferenceResize, PytorchHalfPixelSingleOutputAndSizes) {
    auto x = make(Shape{1, 1, 1, 4}, {0, 1, 2, 3});
    Node n;
    n.sizes = {1, 1};
    n.coordinate_mode = CoordinateMode::pytorch_half_pixel;
    EXPECT_EQ(values(reference::resize2d(x, n)), (std::vector<float>{0}));
    n.coordinate_mode = CoordinateMode::half_pixel;  // (0.5 / 0.25) - 0.5 = 1.5
    EXPECT_EQ(values(reference::resize2d(x, n)), (std::vector<float>{1.5f}));
    EXPECT_DOUBLE_EQ(reference::resize_source_coordinate(3, 4, 8, 2.0, CoordinateMode::half_pixel), 1.25);
}

TEST(ReferenceResize, NearestModes) {
    auto x = make(Shape{1, 1, 1, 2}, {10, 20});
    Node n;
    n.interp = model::ResizeInterp::nearest;
    n.scales = {1.0f, 2.0f};
    n.coordinate_mode = CoordinateMode::asymmetric;
    n.nearest_mode = model::NearestMode::floor;
    EXPECT_EQ(values(reference::resize2d(x, n)), (std::vector<float>{10, 10, 20, 20}));
    n.nearest_mode = model::NearestMode::ceil;  // 0, 0.5, 1, 1.5 -> 0, 1, 1, 2 (clamped to 1)
    EXPECT_EQ(values(reference::resize2d(x, n)), (std::vector<float>{10, 20, 20, 20}));
    n.nearest_mode = model::NearestMode::round_prefer_floor;
    EXPECT_EQ(values(reference::resize2d(x, n)), (std::vector<float>{10, 10, 20, 20}));
    n.nearest_mode = model::NearestMode::round_prefer_ceil;
    EXPECT_EQ(values(reference::resize2d(x, n)), (std::vector<float>{10, 20, 20, 20}));
}

TEST(ReferenceConcat, ChannelAndWidthAxes) {
    auto a = make(Shape{2, 1, 1, 2}, {1, 2, 3, 4});
    auto b = make(Shape{2, 2, 1, 2}, {5, 6, 7, 8, 9, 10, 11, 12});
    const Tensor<float>* parts[] = {&a, &b};
    auto y = reference::concat(parts, 1);
    EXPECT_EQ(y.shape(), (Shape{2, 3, 1, 2}));
    EXPECT_EQ(values(y), (std::vector<float>{1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12}));
    auto c = make(Shape{2, 1, 1, 1}, {0, -1});
    const Tensor<float>* along_w[] = {&a, &c};
    EXPECT_EQ(values(reference::concat(along_w, 3)), (std::vector<float>{1, 2, 0, 3, 4, -1}));
    EXPECT_THROW(reference::concat(parts, 3), Error);
}

TEST(ReferenceQuantize, RoundsHalfToEvenAndSaturates) {
    auto x = make(Shape{1, 1, 1, 6}, {-1, 0.5f, 1.5f, 2.5f, 300, 7});
    auto scale = make(Shape{1}, {1});
    EXPECT_EQ(values(reference::quantize_linear(x, scale, nullptr, 1, DType::u8)),
              (std::vector<float>{0, 0, 2, 2, 255, 7}));
    auto zp = make(Shape{1}, {-3});
    EXPECT_EQ(values(reference::quantize_linear(x, scale, &zp, 1, DType::s8)),
              (std::vector<float>{-4, -3, -1, -1, 127, 4}));
    auto half = make(Shape{1}, {0.5f});
    EXPECT_EQ(values(reference::quantize_linear(x, half, nullptr, 1, DType::s8)),
              (std::vector<float>{-2, 1, 3, 5, 127, 14}));
    EXPECT_THROW(reference::quantize_linear(x, scale, nullptr, 1, DType::f32), Error);
}

TEST(ReferenceQuantize, DequantizePerTensorAndPerAxis) {
    auto q = make(Shape{2, 2, 1, 1}, {0, 10, 20, 30});
    auto s = make(Shape{1}, {0.5f});
    auto zp = make(Shape{1}, {10});
    EXPECT_EQ(values(reference::dequantize_linear(q, s, &zp, 1)), (std::vector<float>{-5, 0, 5, 10}));
    // Per output channel (axis 0, as for weights): scales 1 and 0.1.
    auto per = make(Shape{2}, {1, 0.1f});
    auto y = reference::dequantize_linear(q, per, nullptr, 0);
    EXPECT_FLOAT_EQ(y[0], 0);
    EXPECT_FLOAT_EQ(y[1], 10);
    EXPECT_FLOAT_EQ(y[2], 2);
    EXPECT_FLOAT_EQ(y[3], 3);
    // Per axis 1 (channels of an activation).
    auto z = reference::dequantize_linear(q, per, nullptr, 1);
    EXPECT_FLOAT_EQ(z[1], 1);
    EXPECT_FLOAT_EQ(z[2], 20);
    auto three = make(Shape{3}, {1, 1, 1});
    EXPECT_THROW(reference::dequantize_linear(q, three, nullptr, 1), Error);
}
