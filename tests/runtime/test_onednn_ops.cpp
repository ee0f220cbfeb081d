// The oneDNN backend against the reference backend on small random graphs, one op family each.
#include "core/error.hpp"
#include "onednn_test_util.hpp"
#include "runtime/onednn_backend.hpp"

#include <gtest/gtest.h>

using namespace tomoedge;
using namespace tomoedge::testing;
using model::OpKind;

namespace {

constexpr double fp32_tolerance = 1e-4;

struct ConvCase {
    int kernel, stride, dilation;
    std::array<int, 4> pads;
    bool bias, relu;
};

class OnednnConv : public ::testing::TestWithParam<ConvCase> {};

}  // namespace

TEST_P(OnednnConv, MatchesReference) {
    const ConvCase c = GetParam();
    model::Graph g;
    g.input_channels = 5;
    add_conv(g, "conv", "input", c.relu ? "conv_out" : "output", 5, 24, c.kernel, 11, c.bias);
    model::Node& conv = g.nodes.back();
    conv.strides = {c.stride, c.stride};
    conv.dilations = {c.dilation, c.dilation};
    conv.pads = c.pads;
    if (c.relu) g.nodes.push_back(make_node("relu", OpKind::Relu, {"conv_out"}, "output"));
    model::validate(g);
    for (const Shape& s : {Shape{1, 5, 17, 23}, Shape{2, 5, 16, 9}})
        EXPECT_LT(onednn_vs_reference(g, random_tensor(s, 3)), fp32_tolerance) << s.str();
}

INSTANTIATE_TEST_SUITE_P(
    Variants, OnednnConv,
    ::testing::Values(ConvCase{1, 1, 1, {0, 0, 0, 0}, true, true}, ConvCase{3, 1, 1, {1, 1, 1, 1}, true, true},
                      ConvCase{5, 1, 1, {2, 2, 2, 2}, true, false}, ConvCase{3, 2, 1, {1, 1, 1, 1}, true, true},
                      ConvCase{3, 1, 2, {2, 2, 2, 2}, false, true}, ConvCase{3, 1, 1, {0, 1, 2, 0}, true, true},
                      ConvCase{5, 2, 2, {1, 0, 3, 2}, true, false}, ConvCase{3, 1, 1, {0, 0, 0, 0}, false, false}));

TEST(OnednnOps, ReluFusedOnlyWhenItIsTheSoleReader) {
    // conv1 -> relu (fused); conv2's output feeds both a Relu and an Add, so its Relu runs alone.
    model::Graph g;
    g.input_channels = 3;
    add_conv(g, "c1", "input", "c1_out", 3, 16, 3, 1);
    g.nodes.push_back(make_node("r1", OpKind::Relu, {"c1_out"}, "r1_out"));
    add_conv(g, "c2", "r1_out", "c2_out", 16, 16, 3, 2);
    g.nodes.push_back(make_node("r2", OpKind::Relu, {"c2_out"}, "r2_out"));
    g.nodes.push_back(make_node("add", OpKind::Add, {"r2_out", "c2_out"}, "add_out"));
    g.nodes.push_back(make_node("r3", OpKind::Relu, {"add_out"}, "output"));
    model::validate(g);
    EXPECT_LT(onednn_vs_reference(g, random_tensor(Shape{1, 3, 20, 12}, 5)), fp32_tolerance);

    runtime::OnednnBackend backend(g, options("onednn"));
    backend.set_profiling(true);
    backend.run(random_tensor(Shape{1, 3, 20, 12}, 5));
    int relu_steps = 0, fused_convs = 0;
    for (const auto& s : backend.profile()) {
        relu_steps += s.what == "Relu";
        fused_convs += s.what.find("+relu") != std::string::npos && s.what.rfind("Conv", 0) == 0;
    }
    EXPECT_EQ(fused_convs, 1);  // c1 only
    EXPECT_EQ(relu_steps, 1);   // r2 (r3 is fused into the Add)
}

TEST(OnednnOps, MaxPoolVariants) {
    struct Case {
        int k, s, d;
        std::array<int, 4> pads;
    };
    for (const Case c : {Case{2, 2, 1, {0, 0, 0, 0}}, Case{3, 1, 1, {1, 1, 1, 1}}, Case{3, 2, 1, {0, 1, 1, 0}},
                         Case{2, 1, 2, {0, 0, 0, 0}}}) {
        model::Graph g;
        g.input_channels = 16;
        add_conv(g, "c", "input", "c_out", 16, 16, 1, 9);
        model::Node pool = make_node("pool", OpKind::MaxPool, {"c_out"}, "output");
        pool.kernel = {c.k, c.k};
        pool.strides = {c.s, c.s};
        pool.dilations = {c.d, c.d};
        pool.pads = c.pads;
        g.nodes.push_back(pool);
        model::validate(g);
        EXPECT_LT(onednn_vs_reference(g, random_tensor(Shape{1, 16, 15, 22}, 7)), fp32_tolerance) << c.k << " " << c.s;
    }
}

TEST(OnednnOps, ResizeModes) {
    struct Case {
        model::ResizeInterp interp;
        model::CoordinateMode mode;
        float scale;
    };
    using M = model::CoordinateMode;
    using I = model::ResizeInterp;
    // half_pixel x2 runs natively; the others take the host path with the reference kernel.
    for (const Case c : {Case{I::linear, M::half_pixel, 2.0f}, Case{I::linear, M::pytorch_half_pixel, 2.0f},
                         Case{I::linear, M::align_corners, 2.0f}, Case{I::linear, M::asymmetric, 2.0f},
                         Case{I::linear, M::half_pixel, 1.5f}, Case{I::nearest, M::asymmetric, 2.0f},
                         Case{I::linear, M::half_pixel, 0.5f}}) {
        model::Graph g;
        g.input_channels = 8;
        add_conv(g, "c", "input", "c_out", 8, 16, 3, 4);
        model::Node up = make_node("up", OpKind::Resize, {"c_out"}, "up_out");
        up.interp = c.interp;
        up.coordinate_mode = c.mode;
        up.scales = {c.scale, c.scale};
        if (c.interp == I::nearest) up.nearest_mode = model::NearestMode::floor;
        g.nodes.push_back(up);
        add_conv(g, "c2", "up_out", "output", 16, 4, 3, 5);
        model::validate(g);
        EXPECT_LT(onednn_vs_reference(g, random_tensor(Shape{1, 8, 9, 14}, 8)), fp32_tolerance)
            << model::coordinate_mode_name(c.mode) << " x" << c.scale;
    }
}

namespace {

// input -> a (16 ch) ; a -> pool -> b (24 ch) -> up x2 -> concat(up, a) -> consumers
model::Graph concat_graph(bool non_conv_reader, bool concat_is_output) {
    model::Graph g;
    g.input_channels = 3;
    add_conv(g, "a", "input", "a_pre", 3, 16, 3, 1);
    g.nodes.push_back(make_node("a_relu", OpKind::Relu, {"a_pre"}, "a"));
    model::Node pool = make_node("pool", OpKind::MaxPool, {"a"}, "pooled");
    pool.kernel = {2, 2};
    pool.strides = {2, 2};
    g.nodes.push_back(pool);
    add_conv(g, "b", "pooled", "b_pre", 16, 24, 3, 2);
    g.nodes.push_back(make_node("b_relu", OpKind::Relu, {"b_pre"}, "b"));
    model::Node up = make_node("up", OpKind::Resize, {"b"}, "up");
    up.scales = {2.0f, 2.0f};
    g.nodes.push_back(up);
    model::Node cat = make_node("cat", OpKind::Concat, {"up", "a"}, concat_is_output ? "output" : "cat");
    g.nodes.push_back(cat);
    if (concat_is_output) return g;
    add_conv(g, "c", "cat", "c_pre", 40, 8, 3, 3);
    g.nodes.push_back(make_node("c_relu", OpKind::Relu, {"c_pre"}, "c"));
    add_conv(g, "d", "cat", "d", 40, 8, 1, 4);  // a second conv reader of the same concat
    g.nodes.push_back(make_node("sum", OpKind::Add, {"c", "d"}, non_conv_reader ? "sum" : "output"));
    if (non_conv_reader) {
        g.nodes.push_back(make_node("cat_relu", OpKind::Relu, {"cat"}, "cat_relu"));
        add_conv(g, "e", "cat_relu", "e", 40, 8, 1, 5);
        g.nodes.push_back(make_node("out", OpKind::Add, {"sum", "e"}, "output"));
    }
    return g;
}

int steps_named(const runtime::OnednnBackend& b, const std::string& prefix) {
    int n = 0;
    for (const auto& s : b.profile()) n += s.what.rfind(prefix, 0) == 0;
    return n;
}

}  // namespace

TEST(OnednnOps, ConcatFoldedIntoConvReaders) {
    model::Graph g = concat_graph(false, false);
    model::validate(g);
    const Tensor<float> x = random_tensor(Shape{1, 3, 16, 24}, 6);
    EXPECT_LT(onednn_vs_reference(g, x), fp32_tolerance);
    runtime::OnednnBackend backend(g, options("onednn"));
    backend.set_profiling(true);
    backend.run(x);
    EXPECT_EQ(steps_named(backend, "Concat"), 0);  // no concat buffer, no copy
    int split_parts = 0;
    for (const auto& s : backend.profile()) split_parts += s.what.find("concat part") != std::string::npos;
    EXPECT_EQ(split_parts, 4);  // two readers x two parts
}

TEST(OnednnOps, ConcatWithOtherReadersOrAsOutputIsCopied) {
    for (const bool as_output : {false, true}) {
        model::Graph g = concat_graph(!as_output, as_output);
        model::validate(g);
        const Tensor<float> x = random_tensor(Shape{2, 3, 8, 16}, 12);
        EXPECT_LT(onednn_vs_reference(g, x), fp32_tolerance);
        runtime::OnednnBackend backend(g, options("onednn"));
        backend.set_profiling(true);
        backend.run(x);
        EXPECT_EQ(steps_named(backend, "Concat"), 1);
    }
}

TEST(OnednnOps, GraphInputReadByManyAndOutputFromPool) {
    // The input feeds a conv and an Add; the output comes from a pool (an output-edge reorder).
    model::Graph g;
    g.input_channels = 4;
    add_conv(g, "c", "input", "c", 4, 4, 3, 2);
    g.nodes.push_back(make_node("add", OpKind::Add, {"c", "input"}, "sum"));
    model::Node pool = make_node("pool", OpKind::MaxPool, {"sum"}, "output");
    pool.kernel = {2, 2};
    pool.strides = {2, 2};
    g.nodes.push_back(pool);
    model::validate(g);
    EXPECT_LT(onednn_vs_reference(g, random_tensor(Shape{3, 4, 10, 6}, 2)), fp32_tolerance);
}

TEST(OnednnOps, UnsupportedOpNamesNodeAndOp) {
    model::Graph g;
    g.input_channels = 1;
    g.constants["s"] = float_constant(Shape{1}, {0.1f});
    g.constants["z"] = int_constant(DType::u8, Shape{1}, {128});
    g.nodes.push_back(make_node("q", OpKind::QuantizeLinear, {"input", "s", "z"}, "qx"));
    g.nodes.push_back(make_node("dq", OpKind::DequantizeLinear, {"qx", "s", "z"}, "output"));
    // make_backend routes a QDQ graph to int8 (here: quantize, dequantize); built directly in
    // fp32, the backend names the node and op it cannot run.
    const Tensor<float> y = runtime::make_backend(g, options("onednn"))->run(Tensor<float>(Shape{1, 1, 1, 2}, 0.26f));
    EXPECT_FLOAT_EQ(y[1], 0.3f);  // 0.26 / 0.1 rounds to 3 steps (stored 131)
    try {
        runtime::OnednnBackend backend(g, options("onednn"));
        FAIL() << "expected an error";
    } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("'q'"), std::string::npos) << msg;
        EXPECT_NE(msg.find("QuantizeLinear"), std::string::npos) << msg;
    }
}

TEST(OnednnOps, RefusesInt8AndBadInputs) {
    EXPECT_THROW(runtime::make_backend(tiny_graph(), options("onednn", runtime::Precision::int8)), Error);
    auto backend = runtime::make_backend(tiny_graph(), options("onednn"));
    EXPECT_EQ(backend->name(), "onednn");
    EXPECT_THROW(backend->run(Tensor<float>(Shape{1, 4, 4})), Error);          // not N,C,H,W
    EXPECT_THROW(backend->run(Tensor<float>(Shape{1, 2, 4, 4}, 0.0f)), Error);  // 2 channels, graph wants 1
}

TEST(OnednnOps, TinyGraphExactValues) {
    auto backend = runtime::make_backend(tiny_graph(), options("onednn"));
    Tensor<float> x(Shape{1, 1, 1, 3});
    x[0] = -1;
    x[1] = 0;
    x[2] = 2;
    const Tensor<float> y = backend->run(x);
    ASSERT_EQ(y.shape(), x.shape());
    EXPECT_EQ(y[0], 0.0f);  // relu(2 * -1 + 1)
    EXPECT_EQ(y[1], 1.0f);
    EXPECT_EQ(y[2], 5.0f);
}
