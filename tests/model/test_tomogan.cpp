#include "core/error.hpp"
#include "model/model_info.hpp"
#include "model/tomogan.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace tomoedge;
using namespace tomoedge::model;

TEST(TomoGan, MacCountIsThePapers97Point2GmacAt1024) {
    const Graph g = build_tomogan();
    const std::int64_t macs = count_conv_macs(g, Shape{1, 3, 1024, 1024});
    // Closed form per layer (MACs per output pixel x pixels), 1024^2 = 1048576 pixels:
    //   full res: 3*8 + 8*32*9 + 32*32*9 + 64*32*9 + 32*32*9 + 32*16 + 16*1
    //   /4: 32*64*9 + 64*64*9 + 128*32*9 + 32*32*9;  /16: 64*128*9 + 128*128*9 + 256*64*9 + 64*64*9
    //   /64: 128*128*9
    const std::int64_t P = 1024 * 1024;
    const std::int64_t expected = (3 * 8 + 8 * 32 * 9 + 32 * 32 * 9 + 64 * 32 * 9 + 32 * 32 * 9 + 32 * 16 + 16) * P +
                                  (32 * 64 * 9 + 64 * 64 * 9 + 128 * 32 * 9 + 32 * 32 * 9) * (P / 4) +
                                  (64 * 128 * 9 + 128 * 128 * 9 + 256 * 64 * 9 + 64 * 64 * 9) * (P / 16) +
                                  (128 * 128 * 9) * (P / 64);
    EXPECT_EQ(macs, expected);
    EXPECT_EQ(std::round(static_cast<double>(macs) / 1e8) / 10.0, 97.2);
}

TEST(TomoGan, LayerListAndShapes) {
    const Graph g = build_tomogan();
    int convs = 0, relus = 0, pools = 0, resizes = 0, concats = 0;
    for (const auto& n : g.nodes) {
        convs += n.op == OpKind::Conv;
        relus += n.op == OpKind::Relu;
        pools += n.op == OpKind::MaxPool;
        resizes += n.op == OpKind::Resize;
        concats += n.op == OpKind::Concat;
    }
    EXPECT_EQ(convs, 16);
    EXPECT_EQ(relus, 15);  // every conv but the last
    EXPECT_EQ(pools, 3);
    EXPECT_EQ(resizes, 3);
    EXPECT_EQ(concats, 3);
    EXPECT_EQ(g.nodes.back().op, OpKind::Conv);
    EXPECT_EQ(g.nodes.back().outputs[0], g.output);
    auto shapes = infer_shapes(g, Shape{1, 3, 16, 24});
    EXPECT_EQ(shapes.at("output"), (Shape{1, 1, 16, 24}));
    EXPECT_EQ(shapes.at("up1_concat"), (Shape{1, 256, 4, 6}));
    EXPECT_EQ(shapes.at("bottleneck"), (Shape{1, 128, 2, 3}));
    EXPECT_EQ(g.constant("stack.weight").shape, (Shape{8, 3, 1, 1}));
    EXPECT_EQ(g.constant("head2.weight").shape, (Shape{1, 16, 1, 1}));
    EXPECT_EQ(spatial_multiple(g), (std::array<std::int64_t, 2>{8, 8}));
}

TEST(TomoGan, DepthWidthAndMetadata) {
    TomoGanConfig c;
    c.input_depth = 5;
    c.width = 0.5;
    c.seed = 7;
    const Graph g = build_tomogan(c);
    EXPECT_EQ(g.input_channels, 5);
    EXPECT_EQ(g.constant("stack.weight").shape, (Shape{4, 5, 1, 1}));
    EXPECT_EQ(g.constant("up1_conv1.weight").shape, (Shape{32, 128, 3, 3}));
    const ModelInfo info = read_model_info(g);
    EXPECT_EQ(info.architecture, "tomogan");
    EXPECT_EQ(info.input_depth, 5);
    EXPECT_EQ(info.width, 0.5);
    EXPECT_EQ(info.weights, "random");
    EXPECT_EQ(info.seed, 7u);
    ASSERT_TRUE(info.normalisation.has_value());
    EXPECT_EQ(effective_input_depth(g), 5);
    EXPECT_THROW(build_tomogan(TomoGanConfig{0, 1.0, 0, {}}), Error);
    EXPECT_THROW(build_tomogan(TomoGanConfig{3, -1.0, 0, {}}), Error);
}

TEST(TomoGan, WeightsAreHeScaledAndSeeded) {
    const Graph a = build_tomogan(TomoGanConfig{3, 1.0, 1, {}});
    const Graph b = build_tomogan(TomoGanConfig{3, 1.0, 1, {}});
    const Graph c = build_tomogan(TomoGanConfig{3, 1.0, 2, {}});
    const auto& wa = a.constant("up1_conv1.weight").f32;
    EXPECT_TRUE(std::equal(wa.begin(), wa.end(), b.constant("up1_conv1.weight").f32.begin()));
    EXPECT_FALSE(std::equal(wa.begin(), wa.end(), c.constant("up1_conv1.weight").f32.begin()));
    double sum2 = 0;
    for (float v : wa) sum2 += double(v) * v;
    const double std_dev = std::sqrt(sum2 / static_cast<double>(wa.size()));
    EXPECT_NEAR(std_dev, std::sqrt(2.0 / (256 * 9)), 0.02 * std::sqrt(2.0 / (256 * 9)));  // 147k samples
}
