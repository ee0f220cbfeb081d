// The XNNPACK int8 backend against the reference backend's TFLite integer kernels (the oracle):
// layer by layer in stored-integer LSB, end to end on the shipped int8 models, and its refusals.
// Skipped where the build has no XNNPACK (runtime::available_backends()).
#include "core/error.hpp"
#include "model/onnx_import.hpp"
#include "onednn_test_util.hpp"
#include "quant/qdq_rewrite.hpp"
#include "quant/scheme.hpp"
#include "runtime/reference_backend.hpp"
#include "support/lsb_difference.hpp"
#include "../quant/quant_test_util.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>

using namespace tomoedge;
using namespace tomoedge::testing;
using model::OpKind;
using runtime::int8::ActType;
using runtime::int8::QuantParams;

namespace {

bool have_xnnpack() {
    const auto names = runtime::available_backends();
    return std::find(names.begin(), names.end(), "xnnpack") != names.end();
}

#define REQUIRE_XNNPACK() \
    if (!have_xnnpack()) GTEST_SKIP() << "built without XNNPACK (libxnnpack-dev, libpthreadpool-dev)"

using Lsb = tomoedge::testing::LsbDifference;

// Both backends on the same float input; the difference of the outputs in output LSB.
Lsb lsb_diff(const model::Graph& qdq_graph, const Tensor<float>& x) {
    runtime::ReferenceBackend ref(qdq_graph, options("reference", runtime::Precision::int8));
    auto xnn = runtime::make_backend(qdq_graph, options("xnnpack", runtime::Precision::int8));
    return tomoedge::testing::lsb_difference(xnn->run(x), ref.run(x), ref.int8_graph().output_q.scale);
}

// Parameters for a tensor whose real values span [low, high].
QuantParams params(double low, double high, ActType type) { return quant::activation_params({low, high}, type); }

struct ConvCase {
    std::int64_t cin, cout;
    int kernel, stride;
    std::array<int, 4> pads;
    bool relu;
    ActType type;
    double in_low;  // input range [in_low, 1]: in_low < 0 gives a non-zero input zero point
};

class XnnpackInt8Conv : public ::testing::TestWithParam<ConvCase> {};

}  // namespace

// One requantizing convolution: XNNPACK rounds acc x scale once in float (half to even); TFLite
// (the reference) multiplies in Q31 fixed point and rounds twice. They disagree only where the
// product lies within float rounding of a half: at most 1 LSB, rarely.
TEST_P(XnnpackInt8Conv, WithinOneLsbOfReference) {
    REQUIRE_XNNPACK();
    const ConvCase c = GetParam();
    model::Graph g;
    g.input_channels = c.cin;
    add_conv(g, "conv", "input", c.relu ? "conv_out" : "output", c.cin, c.cout, c.kernel, 7);
    g.nodes.back().strides = {c.stride, c.stride};
    g.nodes.back().pads = c.pads;
    if (c.relu) g.nodes.push_back(make_node("relu", OpKind::Relu, {"conv_out"}, "output"));
    model::validate(g);
    const QuantParams in = params(c.in_low, 1.0, c.type);
    const Tensor<float> x = random_tensor(Shape{2, c.cin, 17, 23}, 5, static_cast<float>(c.in_low), 1.0f);
    auto ref_fp = runtime::make_backend(g, options("reference"));
    const Tensor<float> y = ref_fp->run(x);
    const auto [lo, hi] = std::minmax_element(y.begin(), y.end());
    const QuantParams out = params(*lo, *hi, c.type);
    const model::Graph q = quant::make_qdq_graph(g, {{"input", in}, {"output", out}});
    const Lsb d = lsb_diff(q, x);
    std::printf("xnnpack vs reference, conv %lldx%lld k%d s%d %s: max %.2f LSB, %.4f%% differ\n",
                static_cast<long long>(c.cin), static_cast<long long>(c.cout), c.kernel, c.stride,
                runtime::int8::act_type_name(c.type).data(), d.max, 100 * d.differ);
    RecordProperty("max_lsb", std::to_string(d.max));
    EXPECT_LE(d.max, 1.0 + 1e-3);
    EXPECT_LT(d.differ, 0.01);
}

INSTANTIATE_TEST_SUITE_P(
    Variants, XnnpackInt8Conv,
    ::testing::Values(ConvCase{3, 8, 1, 1, {0, 0, 0, 0}, true, ActType::u8, -0.2},
                      ConvCase{5, 24, 3, 1, {1, 1, 1, 1}, true, ActType::u8, -1.0},   // zero point and padding
                      ConvCase{32, 32, 3, 1, {1, 1, 1, 1}, true, ActType::u8, 0.0},   // TomoGAN's case
                      ConvCase{64, 17, 3, 1, {1, 1, 1, 1}, false, ActType::u8, 0.0},  // no ReLU
                      ConvCase{24, 40, 3, 2, {0, 1, 2, 0}, true, ActType::u8, -0.5},  // stride 2, odd padding
                      ConvCase{8, 16, 5, 1, {2, 2, 2, 2}, false, ActType::s8, -1.0},  // s8 activations
                      ConvCase{32, 32, 3, 1, {1, 1, 1, 1}, true, ActType::s8, 0.0}));

TEST(XnnpackInt8Ops, MaxPoolIsExact) {
    REQUIRE_XNNPACK();
    for (ActType type : {ActType::u8, ActType::s8}) {
        model::Graph g;
        g.input_channels = 24;
        model::Node pool = make_node("pool", OpKind::MaxPool, {"input"}, "output");
        pool.kernel = {2, 2};
        pool.strides = {2, 2};
        g.nodes.push_back(pool);
        model::validate(g);
        const QuantParams p = params(-0.5, 1.0, type);
        const model::Graph q = quant::make_qdq_graph(g, {{"input", p}, {"output", p}});
        const Lsb d = lsb_diff(q, random_tensor(Shape{1, 24, 18, 22}, 3, -0.5f, 1.0f));
        EXPECT_EQ(d.max, 0.0) << runtime::int8::act_type_name(type);
    }
}

// The shipped int8 models end to end (generator; generator + Fine-Tune tail) on a smooth input:
// per-layer 1-LSB differences spread through the network as oneDNN's do (test_onednn_int8.cpp),
// with the same bounds.
TEST(XnnpackInt8, ShippedModelsAgainstReference) {
    REQUIRE_XNNPACK();
    for (const char* name : {"tomogan-general-int8", "tomogan-general-int8-ft"}) {
        const model::Graph g = model::import_onnx(std::string(TOMOEDGE_SOURCE_DIR) + "/models/" + name + ".onnx");
        const Tensor<float> v = quant::test_util::smooth_volume(3, 40, 48, 99);
        Tensor<float> x(Shape{1, 3, 40, 48});
        std::copy(v.begin(), v.end(), x.begin());
        const Lsb d = lsb_diff(g, x);
        std::printf("xnnpack vs reference int8, %s, 40x48: max %.1f LSB, mean %.4f LSB, %.2f%% differ\n", name, d.max,
                    d.mean, 100 * d.differ);
        RecordProperty(std::string("max_lsb_") + name, std::to_string(d.max));
        EXPECT_LE(d.max, 20.0) << name;
        EXPECT_LE(d.mean, 2.0) << name;
    }
}

TEST(XnnpackInt8, RefusesWhatItCannotRun) {
    REQUIRE_XNNPACK();
    // An fp32 model: a clear error, no silent float or reference fallback.
    model::Graph g;
    g.input_channels = 3;
    add_conv(g, "conv", "input", "output", 3, 4, 3, 1);
    model::validate(g);
    try {
        runtime::make_backend(g, options("xnnpack"));
        ADD_FAILURE() << "an fp32 model ran on xnnpack";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("int8"), std::string::npos) << e.what();
    }
    // A QDQ model asked for bf16.
    const model::Graph q = quant::make_qdq_graph(g, {{"input", params(0, 1, ActType::u8)}, {"output", params(-1, 1, ActType::u8)}});
    EXPECT_THROW(runtime::make_backend(q, options("xnnpack", runtime::Precision::bf16)), Error);
    // A requantization XNNPACK cannot represent (scale x acc factor >= 256): the error names the node.
    model::Graph big;
    big.input_channels = 3;
    add_conv(big, "huge_gain", "input", "output", 3, 4, 1, 2);
    model::validate(big);
    const model::Graph qb = quant::make_qdq_graph(
        big, {{"input", params(0, 1000, ActType::u8)}, {"output", params(-1e-4, 1e-4, ActType::u8)}});
    try {
        auto b = runtime::make_backend(qb, options("xnnpack", runtime::Precision::int8));
        // Accepted: then it must still agree with the reference.
        const Lsb d = lsb_diff(qb, random_tensor(Shape{1, 3, 5, 6}, 9, 0.0f, 1000.0f));
        EXPECT_LE(d.max, 1.0 + 1e-3);
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("huge_gain"), std::string::npos) << e.what();
    }
}
