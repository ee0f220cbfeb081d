#include "core/error.hpp"
#include "model/graph_builders.hpp"
#include "model/tomogan.hpp"
#include "runtime/backend.hpp"
#include "runtime/reference_backend.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace tomoedge;
using namespace tomoedge::runtime;
using tomoedge::testing::make_node;

namespace {

BackendOptions reference_options() {
    BackendOptions o;
    o.backend = "reference";
    return o;
}

}  // namespace

TEST(Backend, PrecisionNames) {
    EXPECT_EQ(precision_name(Precision::bf16), "bf16");
    EXPECT_EQ(parse_precision("fp32"), Precision::fp32);
    EXPECT_EQ(parse_precision("int8"), Precision::int8);
    EXPECT_THROW(parse_precision("fp16"), Error);
}

TEST(Backend, UnknownBackendListsAvailableOnes) {
    BackendOptions o;
    o.backend = "tpu";
    try {
        make_backend(tomoedge::testing::tiny_graph(), o);
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("'tpu'"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("reference"), std::string::npos);
    }
    const auto names = available_backends();
    EXPECT_NE(std::find(names.begin(), names.end(), "reference"), names.end());
}

TEST(ReferenceBackend, RefusesOtherPrecisions) {
    BackendOptions o = reference_options();
    o.precision = Precision::bf16;
    EXPECT_THROW(make_backend(tomoedge::testing::tiny_graph(), o), Error);
}

TEST(ReferenceBackend, RunsTinyGraph) {
    auto backend = make_backend(tomoedge::testing::tiny_graph(), reference_options());
    EXPECT_EQ(backend->name(), "reference");
    Tensor<float> x(Shape{1, 1, 1, 3});
    x[0] = -1;
    x[1] = 0;
    x[2] = 2;
    auto y = backend->run(x);
    EXPECT_EQ(y.shape(), x.shape());
    EXPECT_EQ(y[0], 0);  // relu(2 * -1 + 1)
    EXPECT_EQ(y[1], 1);
    EXPECT_EQ(y[2], 5);
    EXPECT_THROW(backend->run(Tensor<float>(Shape{1, 2, 1, 3})), Error);  // wrong channel count
}

TEST(ReferenceBackend, InvalidGraphIsRefusedAtConstruction) {
    auto g = tomoedge::testing::tiny_graph();
    g.nodes[1].inputs = {"nothing"};
    EXPECT_THROW(make_backend(g, reference_options()), Error);
}

TEST(ReferenceBackend, QdqGraphFakeQuantizes) {
    // input -> Q(scale 0.5, zp 128 u8) -> DQ -> output: values snap to multiples of 0.5 and saturate.
    model::Graph g;
    g.input_channels = 1;
    g.constants["s"] = tomoedge::testing::float_constant(Shape{}, {0.5f});
    g.constants["zp"] = tomoedge::testing::int_constant(DType::u8, Shape{}, {128});
    g.nodes.push_back(make_node("q", model::OpKind::QuantizeLinear, {"input", "s", "zp"}, "xq"));
    g.nodes.push_back(make_node("dq", model::OpKind::DequantizeLinear, {"xq", "s", "zp"}, "output"));
    auto backend = make_backend(g, reference_options());
    Tensor<float> x(Shape{1, 1, 1, 4});
    x[0] = 0.3f;
    x[1] = -0.74f;
    x[2] = 100.0f;
    x[3] = -100.0f;
    auto y = backend->run(x);
    EXPECT_EQ(y[0], 0.5f);
    EXPECT_EQ(y[1], -0.5f);
    EXPECT_EQ(y[2], 63.5f);   // (255 - 128) * 0.5
    EXPECT_EQ(y[3], -64.0f);  // (0 - 128) * 0.5
}

TEST(ReferenceBackend, TomoGanRunsAtOddSizesAndKeepsIntermediates) {
    model::TomoGanConfig c;
    c.width = 0.25;
    const auto g = model::build_tomogan(c);
    ReferenceBackend backend(g, reference_options());
    backend.keep_intermediates(true);
    Tensor<float> x(Shape{2, 3, 24, 40});
    for (std::int64_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.1f * static_cast<float>(i));
    auto y = backend.run(x);
    EXPECT_EQ(y.shape(), (Shape{2, 1, 24, 40}));
    for (float v : y) EXPECT_TRUE(std::isfinite(v));
    EXPECT_EQ(backend.intermediates().at("bottleneck").shape(), (Shape{2, 32, 3, 5}));
    // The batch items are independent: running item 1 alone gives the same answer.
    Tensor<float> one(Shape{1, 3, 24, 40});
    std::copy(x.outer(1), x.outer(1) + one.size(), one.begin());
    auto y1 = backend.run(one);
    for (std::int64_t i = 0; i < y1.size(); ++i) EXPECT_EQ(y1[i], y.outer(1)[i]);
    // 24 x 40 is a multiple of 8; 25 x 40 is not and the skip concat refuses it.
    EXPECT_THROW(backend.run(Tensor<float>(Shape{1, 3, 25, 40}, 0.0f)), Error);
}
