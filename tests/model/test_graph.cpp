#include "core/error.hpp"
#include "model/graph.hpp"
#include "model/graph_builders.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace tomoedge;
using namespace tomoedge::model;
using tomoedge::testing::float_constant;
using tomoedge::testing::make_node;
using tomoedge::testing::tiny_graph;

namespace {

// Runs `f`, expects an Error whose message contains every one of `parts`.
template <typename F>
void expect_error(F&& f, std::initializer_list<std::string> parts) {
    try {
        f();
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        const std::string msg = e.what();
        for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
    }
}

}  // namespace

TEST(Graph, OpNames) {
    EXPECT_EQ(op_name(OpKind::Conv), "Conv");
    EXPECT_EQ(op_name(OpKind::MaxPool), "MaxPool");
    EXPECT_EQ(op_name(OpKind::DequantizeLinear), "DequantizeLinear");
    EXPECT_EQ(coordinate_mode_name(CoordinateMode::align_corners), "align_corners");
    EXPECT_EQ(nearest_mode_name(NearestMode::floor), "floor");
}

TEST(Graph, ConstantLookup) {
    Graph g = tiny_graph();
    EXPECT_EQ(g.constant("w").shape, (Shape{1, 1, 1, 1}));
    EXPECT_TRUE(g.is_constant("b"));
    expect_error([&] { (void)g.constant("nope"); }, {"nope"});
}

TEST(Graph, ValidateSortsTopologically) {
    Graph g = tiny_graph();
    std::swap(g.nodes[0], g.nodes[1]);
    validate(g);
    EXPECT_EQ(g.nodes[0].name, "c");
    EXPECT_EQ(g.nodes[1].name, "r");
}

TEST(Graph, ValidateRejectsCycle) {
    Graph g = tiny_graph();
    g.nodes.push_back(make_node("a", OpKind::Add, {"c_out", "loop_b"}, "loop_a"));
    g.nodes.push_back(make_node("b", OpKind::Relu, {"loop_a"}, "loop_b"));
    expect_error([&] { validate(g); }, {"cycle", "(Add)"});
}

TEST(Graph, ValidateRejectsDanglingInput) {
    Graph g = tiny_graph();
    g.nodes[1].inputs = {"missing"};
    expect_error([&] { validate(g); }, {"node 'r' (Relu)", "missing", "dangling"});
}

TEST(Graph, ValidateRejectsTensorProducedTwice) {
    Graph g = tiny_graph();
    g.nodes.push_back(make_node("again", OpKind::Relu, {"input"}, "c_out"));
    expect_error([&] { validate(g); }, {"node 'again' (Relu)", "c_out", "also produced by node 'c'"});
    Graph h = tiny_graph();
    h.nodes.push_back(make_node("shadow", OpKind::Relu, {"input"}, "w"));
    expect_error([&] { validate(h); }, {"node 'shadow' (Relu)", "constant"});
}

TEST(Graph, ValidateRejectsMissingOutput) {
    Graph g = tiny_graph();
    g.output = "nowhere";
    expect_error([&] { validate(g); }, {"nowhere", "not produced"});
    Graph h = tiny_graph();
    h.output = "input";
    expect_error([&] { validate(h); }, {"not produced"});
}

TEST(Graph, ValidateRejectsWrongArity) {
    Graph g = tiny_graph();
    g.nodes[1].inputs = {"c_out", "c_out"};
    expect_error([&] { validate(g); }, {"node 'r' (Relu)", "takes 1 input(s), has 2"});
    Graph h = tiny_graph();
    h.nodes[0].inputs = {"input"};
    expect_error([&] { validate(h); }, {"node 'c' (Conv)", "2 to 3"});
    Graph k = tiny_graph();
    k.nodes[0].outputs.push_back("extra");
    expect_error([&] { validate(k); }, {"node 'c' (Conv)", "exactly one output"});
}

TEST(Graph, ValidateRejectsBadAttributes) {
    Graph g = tiny_graph();
    g.nodes[0].strides = {0, 1};
    expect_error([&] { validate(g); }, {"node 'c' (Conv)", "stride"});
    g = tiny_graph();
    g.nodes[0].pads = {0, -1, 0, 0};
    expect_error([&] { validate(g); }, {"node 'c' (Conv)", "padding"});
    g = tiny_graph();
    g.nodes[0].dilations = {1, 0};
    expect_error([&] { validate(g); }, {"dilation"});
    g = tiny_graph();
    g.nodes.push_back(make_node("up", OpKind::Resize, {"output"}, "up_out"));
    g.nodes.back().scales = {2.0f, -1.0f};
    expect_error([&] { validate(g); }, {"node 'up' (Resize)", "scale"});
    g = tiny_graph();
    g.nodes.push_back(make_node("cat", OpKind::Concat, {"output", "c_out"}, "cat_out"));
    g.nodes.back().axis = 4;
    expect_error([&] { validate(g); }, {"node 'cat' (Concat)", "axis"});
}

TEST(Graph, ValidateRejectsDuplicateAndEmptyNames) {
    Graph g = tiny_graph();
    g.nodes[1].name = "c";
    expect_error([&] { validate(g); }, {"two nodes", "'c'"});
    g = tiny_graph();
    g.nodes[1].name.clear();
    expect_error([&] { validate(g); }, {"no name"});
}

TEST(Graph, ValidateRejectsConstantWithWrongValueCount) {
    Graph g = tiny_graph();
    g.constants["w"].shape = Shape{1, 1, 2, 1};
    expect_error([&] { validate(g); }, {"'w'", "shape"});
}

TEST(Graph, InferShapesOfConvPoolResizeConcat) {
    Graph g;
    g.input_channels = 2;
    g.constants["w"] = float_constant(Shape{4, 2, 3, 3}, {});
    g.nodes.push_back(make_node("conv", OpKind::Conv, {"input", "w"}, "a"));
    g.nodes.back().kernel = {3, 3};
    g.nodes.back().strides = {2, 1};
    g.nodes.back().pads = {1, 0, 1, 0};
    g.nodes.push_back(make_node("pool", OpKind::MaxPool, {"a"}, "p"));
    g.nodes.back().kernel = {2, 2};
    g.nodes.back().strides = {2, 2};
    g.nodes.push_back(make_node("up", OpKind::Resize, {"p"}, "u"));
    g.nodes.back().scales = {2.0f, 2.0f};
    g.nodes.push_back(make_node("cat", OpKind::Concat, {"u", "u"}, "output"));
    validate(g);
    auto shapes = infer_shapes(g, Shape{1, 2, 9, 10});
    EXPECT_EQ(shapes.at("a"), (Shape{1, 4, 5, 8}));  // (9+2-3)/2+1 = 5, (10-3)/1+1 = 8
    EXPECT_EQ(shapes.at("p"), (Shape{1, 4, 2, 4}));
    EXPECT_EQ(shapes.at("u"), (Shape{1, 4, 4, 8}));
    EXPECT_EQ(shapes.at("output"), (Shape{1, 8, 4, 8}));
    EXPECT_EQ(count_conv_macs(g, Shape{1, 2, 9, 10}), std::int64_t{4} * 5 * 8 * 2 * 9);
    EXPECT_EQ(tensor_shape(g, shapes, "w"), (Shape{4, 2, 3, 3}));
    EXPECT_EQ(spatial_multiple(g), (std::array<std::int64_t, 2>{4, 2}));
}

TEST(Graph, InferShapesRejectsWrongChannelCount) {
    Graph g = tiny_graph();
    validate(g);
    expect_error([&] { infer_shapes(g, Shape{1, 3, 4, 4}); }, {"3 channels", "expects 1"});
    // A graph whose first conv disagrees with the declared input channels names the node.
    g.input_channels = 2;
    expect_error([&] { infer_shapes(g, Shape{1, 2, 4, 4}); }, {"node 'c' (Conv)", "2 channels", "expect 1"});
}

TEST(Graph, InferShapesRejectsConcatSpatialMismatch) {
    Graph g;
    g.input_channels = 1;
    g.nodes.push_back(make_node("pool", OpKind::MaxPool, {"input"}, "p"));
    g.nodes.back().kernel = {2, 2};
    g.nodes.back().strides = {2, 2};
    g.nodes.push_back(make_node("up", OpKind::Resize, {"p"}, "u"));
    g.nodes.back().scales = {2.0f, 2.0f};
    g.nodes.push_back(make_node("cat", OpKind::Concat, {"input", "u"}, "output"));
    validate(g);
    EXPECT_EQ(infer_shapes(g, Shape{1, 1, 6, 6}).at("output"), (Shape{1, 2, 6, 6}));
    expect_error([&] { infer_shapes(g, Shape{1, 1, 7, 6}); }, {"node 'cat' (Concat)", "(1, 1, 6, 6)", "(1, 1, 7, 6)"});
}

TEST(Graph, InferShapesRejectsOverflowAndTooSmallInputs) {
    Graph g = tiny_graph();
    validate(g);
    const std::int64_t big = std::int64_t{1} << 31;
    EXPECT_THROW(infer_shapes(g, Shape{1, 1, big, big * 4}), Error);
    Graph up;
    up.input_channels = 1;
    up.nodes.push_back(make_node("up", OpKind::Resize, {"input"}, "output"));
    up.nodes.back().scales = {65536.0f, 65536.0f};
    validate(up);
    expect_error([&] { infer_shapes(up, Shape{1, 1, std::int64_t{1} << 20, std::int64_t{1} << 20}); }, {"node 'up' (Resize)"});
    Graph conv = tiny_graph();
    conv.constants["w"] = float_constant(Shape{1, 1, 5, 5}, {});
    conv.nodes[0].kernel = {5, 5};
    validate(conv);
    expect_error([&] { infer_shapes(conv, Shape{1, 1, 3, 8}); }, {"node 'c' (Conv)", "height 3"});
    expect_error([&] { infer_shapes(conv, Shape{1, 1, 0, 8}); }, {"empty"});
    expect_error([&] { infer_shapes(conv, Shape{1, 8, 8}); }, {"(N, C, H, W)"});
}

TEST(Graph, InferShapesChecksKernelAndBias) {
    Graph g = tiny_graph();
    g.nodes[0].kernel = {3, 3};
    validate(g);
    expect_error([&] { infer_shapes(g, Shape{1, 1, 4, 4}); }, {"node 'c' (Conv)", "kernel 3x3"});
    g = tiny_graph();
    g.constants["b"] = float_constant(Shape{2}, {});
    validate(g);
    expect_error([&] { infer_shapes(g, Shape{1, 1, 4, 4}); }, {"bias"});
}

TEST(Graph, ConsumerCountsIncludeGraphOutput) {
    Graph g = tiny_graph();
    auto counts = consumer_counts(g);
    EXPECT_EQ(counts.at("input"), 1);
    EXPECT_EQ(counts.at("c_out"), 1);
    EXPECT_EQ(counts.at("output"), 1);
}

// Found by fuzzing (fuzz/regressions/qdq_program/maxpool-padding-end-sides): only the top and left
// pads were checked, so a window wholly in the bottom or right padding had no maximum (INT32_MIN
// from the int8 kernel, then a signed overflow in the next convolution).
TEST(Graph, ValidateRejectsMaxPoolPaddingAsLargeAsTheWindowOnEverySide) {
    for (int side = 0; side < 4; ++side) {
        Graph g;
        g.input_channels = 1;
        g.nodes.push_back(make_node("pool", OpKind::MaxPool, {"input"}, "output"));
        g.nodes.back().kernel = {2, 2};
        g.nodes.back().strides = {2, 2};
        g.nodes.back().pads[static_cast<std::size_t>(side)] = 2;
        expect_error([&] { validate(g); }, {"node 'pool' (MaxPool)", "padding 2 is not smaller than the pooling window"});
        g.nodes.back().pads[static_cast<std::size_t>(side)] = 1;
        EXPECT_NO_THROW(validate(g)) << side;
    }
}
