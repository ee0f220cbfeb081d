#include "core/error.hpp"
#include "model/tomogan.hpp"
#include "tiling/receptive_field.hpp"

#include <fmt/format.h>

#include <gtest/gtest.h>

using namespace tomoedge;
using namespace tomoedge::model;
using tomoedge::tiling::receptive_field;

namespace {

// A hand-made graph: every op reads the previous tensor (weights are not needed by the analysis,
// but validate() wants them, so convs get 1-channel constants).
struct Chain {
    Graph g;
    std::string last = "input";
    int count = 0;

    Chain() { g.input_channels = 1; }
    Node& push(OpKind op) {
        Node n;
        n.name = fmt::format("n{}", count++);
        n.op = op;
        n.inputs = {last};
        n.outputs = {n.name};
        last = n.name;
        g.nodes.push_back(n);
        return g.nodes.back();
    }
    void conv(int k, int stride = 1, int dilation = 1) {
        Node& n = push(OpKind::Conv);
        Constant w;
        w.shape = Shape{1, 1, k, k};
        w.f32 = Tensor<float>(w.shape, 1.0f);
        g.constants[n.name + ".w"] = std::move(w);
        n.inputs.push_back(n.name + ".w");
        n.kernel = {k, k};
        n.strides = {stride, stride};
        n.dilations = {dilation, dilation};
        const int pad = (k - 1) * dilation / 2;
        n.pads = {pad, pad, pad, pad};
    }
    void pool() {
        Node& n = push(OpKind::MaxPool);
        n.kernel = {2, 2};
        n.strides = {2, 2};
    }
    Node& up(ResizeInterp interp = ResizeInterp::linear) {
        Node& n = push(OpKind::Resize);
        n.scales = {2.0f, 2.0f};
        n.interp = interp;
        return n;
    }
    Graph& done() {
        g.output = last;
        validate(g);
        return g;
    }
};

TEST(ReceptiveField, TwoConvs3x3HaveRadius2) {
    Chain c;
    c.conv(3);
    c.conv(3);
    const auto rf = receptive_field(c.done());
    EXPECT_EQ(rf.radius, (std::array<std::int64_t, 2>{2, 2}));
    EXPECT_EQ(rf.multiple, (std::array<std::int64_t, 2>{1, 1}));
    EXPECT_EQ(tiling::default_halo(rf), (std::array<std::int64_t, 2>{2, 2}));
}

TEST(ReceptiveField, DilatedConvAndLargeKernel) {
    Chain c;
    c.conv(3, 1, 2);  // reach 2
    c.conv(5);        // reach 2
    EXPECT_EQ(receptive_field(c.done()).radius[0], 4);
}

// conv3 -> pool -> conv3: a stride-2 pixel j covers input [2j, 2j+2); it reads pooled j-1..j+1, i.e.
// conv1 outputs [2j-2, 2j+4), which read input [2j-3, 2j+4]: 3 pixels beyond the footprint each side.
// Upsampling back (linear, half-pixel): fine pixel 2i reads coarse i-1 and i, covering input
// [2i-2, 2i+2) around its footprint [2i, 2i+1): 2 more. Then a 3x3 conv at stride 1 adds 1.
TEST(ReceptiveField, ConvPoolConvUpConvByHand) {
    Chain c;
    c.conv(3);
    c.pool();
    c.conv(3);
    const std::string coarse = c.last;
    c.up();
    c.conv(3);
    const auto rf = receptive_field(c.done());
    EXPECT_EQ(rf.tensors.at(coarse).radius[1], 3);
    EXPECT_EQ(rf.tensors.at(coarse).stride[1], 2);
    EXPECT_EQ(rf.radius, (std::array<std::int64_t, 2>{6, 6}));
    EXPECT_EQ(rf.multiple, (std::array<std::int64_t, 2>{2, 2}));
    EXPECT_EQ(tiling::default_halo(rf), (std::array<std::int64_t, 2>{6, 6}));
}

// Nearest upsampling x2 (half-pixel, round_prefer_floor) maps fine 2i and 2i+1 to coarse i: the
// coarse footprint [2i, 2i+2) reaches 1 pixel beyond either fine footprint.
TEST(ReceptiveField, NearestUpsamplingAddsHalfTheCoarsePixel) {
    Chain c;
    c.conv(3);
    c.pool();
    c.conv(3);
    c.up(ResizeInterp::nearest);
    EXPECT_EQ(receptive_field(c.done()).radius[0], 3 + 1);
}

// TomoGAN (the builder's comment lists the layers), radius per stage in input pixels:
// stack 1x1: 0; down1 2 convs: 2; pool (stride 2); down2: 2+2*2 = 6; pool (4); down3: 6+2*4 = 14;
// pool (8); bottleneck: 22; up x2 from stride 8: +8 = 30; up1 2 convs at 4: 38; up from 4: +4 = 42;
// up2 at 2: 46; up from 2: +2 = 48; up3 at 1: 50; 1x1 heads: 50. Halo: 50 rounded up to 8 = 56.
TEST(ReceptiveField, TomoGanFromItsGraph) {
    TomoGanConfig config;
    config.width = 0.25;
    const auto rf = receptive_field(build_tomogan(config));
    EXPECT_EQ(rf.radius, (std::array<std::int64_t, 2>{50, 50}));
    EXPECT_EQ(rf.multiple, (std::array<std::int64_t, 2>{8, 8}));
    EXPECT_EQ(tiling::default_halo(rf), (std::array<std::int64_t, 2>{56, 56}));
    EXPECT_EQ(rf.multiple, spatial_multiple(build_tomogan(config)));
}

TEST(ReceptiveField, RejectsUntileableResizes) {
    {
        Chain c;
        c.pool();
        c.up().coordinate_mode = CoordinateMode::align_corners;
        EXPECT_THROW(receptive_field(c.done()), Error);
    }
    {
        Chain c;
        c.pool();
        c.up().sizes = {16, 16};
        EXPECT_THROW(receptive_field(c.done()), Error);
    }
    {
        Chain c;  // upsampling a stride-1 tensor: output at a finer grid than the input
        c.up();
        EXPECT_THROW(receptive_field(c.done()), Error);
    }
    {
        Chain c;  // output at stride 2: not image-to-image
        c.pool();
        EXPECT_THROW(receptive_field(c.done()), Error);
    }
}

}  // namespace
