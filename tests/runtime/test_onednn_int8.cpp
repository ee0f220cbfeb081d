// The oneDNN int8 path against the reference backend's TFLite integer kernels (the oracle):
// layer by layer from the same stored integers (both backends' "mobile-compatible" mode), and
// end to end on a quantized TomoGAN.
#include "core/error.hpp"
#include "io/hdf5.hpp"
#include "model/onnx_export.hpp"
#include "onednn_test_util.hpp"
#include "quant/qdq_rewrite.hpp"
#include "pipeline/quantize_file.hpp"
#include "quant/quantize_model.hpp"
#include "quant/scheme.hpp"
#include "runtime/onednn_backend.hpp"
#include "runtime/reference_backend.hpp"
#include "support/cli_runner.hpp"
#include "support/lsb_difference.hpp"
#include "support/temp_dir.hpp"
#include "../quant/quant_test_util.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <map>

using namespace tomoedge;
using namespace tomoedge::testing;
using model::OpKind;
using runtime::int8::ActType;
using runtime::int8::QuantParams;

namespace {

struct Diff {
    int max = 0;            // largest |a - b| in LSB
    double mean = 0;        // mean |a - b| in LSB
    std::int64_t off = 0;   // how many differ
    std::int64_t count = 0;
};

Diff compare(const Tensor<std::int32_t>& a, const Tensor<std::int32_t>& b) {
    Diff d;
    if (a.shape() != b.shape()) {
        ADD_FAILURE() << "shapes " << a.shape().str() << " vs " << b.shape().str();
        d.max = 1 << 30;
        return d;
    }
    for (std::int64_t i = 0; i < a.size(); ++i) {
        const int e = std::abs(a[i] - b[i]);
        d.max = std::max(d.max, e);
        d.mean += e;
        d.off += e != 0;
    }
    d.count = a.size();
    d.mean /= static_cast<double>(std::max<std::int64_t>(a.size(), 1));
    return d;
}

Tensor<std::int32_t> random_q(const Shape& shape, const QuantParams& q, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> u(q.qmin(), q.qmax());
    Tensor<std::int32_t> t(shape);
    for (auto& v : t) v = u(rng);
    return t;
}

// Parameters for a tensor whose real values span [low, high].
QuantParams params(double low, double high, ActType type) { return quant::activation_params({low, high}, type); }

// The QDQ form of `g` with `p` for every quantized tensor.
model::Graph qdq(const model::Graph& g, const std::map<std::string, QuantParams>& p) {
    for (const auto& name : quant::quantized_tensors(g))
        if (!p.count(name)) ADD_FAILURE() << "no parameters for " << name;
    return quant::make_qdq_graph(g, p);
}

// Both backends on the same stored integers; the difference of their stored integer outputs.
Diff layer_diff(const model::Graph& qdq_graph, const Tensor<std::int32_t>& x) {
    runtime::ReferenceBackend ref(qdq_graph, options("reference", runtime::Precision::int8));
    runtime::OnednnBackend dnn(qdq_graph, options("onednn", runtime::Precision::int8));
    return compare(dnn.run_quantized(x), ref.run_quantized(x));
}

// The range of the float graph's output on the dequantized input: a realistic output scale.
std::pair<double, double> float_range(const model::Graph& g, const Tensor<std::int32_t>& xq, const QuantParams& in) {
    Tensor<float> x(xq.shape());
    for (std::int64_t i = 0; i < x.size(); ++i) x[i] = runtime::int8::dequantize_value(xq[i], in);
    auto ref = runtime::make_backend(g, options("reference"));
    const Tensor<float> y = ref->run(x);
    const auto [lo, hi] = std::minmax_element(y.begin(), y.end());
    return {*lo, *hi};
}

struct ConvCase {
    std::int64_t cin, cout;
    int kernel, stride;
    std::array<int, 4> pads;
    bool relu;
    ActType type;
    double in_low;         // input range [in_low, 1]: in_low < 0 gives a non-zero input zero point
    double out_low_extra;  // widen the output range below its minimum: ReLU then clamps above qmin
};

class OnednnInt8Conv : public ::testing::TestWithParam<ConvCase> {};

}  // namespace

TEST_P(OnednnInt8Conv, WithinOneLsbOfReference) {
    const ConvCase c = GetParam();
    model::Graph g;
    g.input_channels = c.cin;
    add_conv(g, "conv", "input", c.relu ? "conv_out" : "output", c.cin, c.cout, c.kernel, 7);
    g.nodes.back().strides = {c.stride, c.stride};
    g.nodes.back().pads = c.pads;
    if (c.relu) g.nodes.push_back(make_node("relu", OpKind::Relu, {"conv_out"}, "output"));
    model::validate(g);
    const QuantParams in = params(c.in_low, 1.0, c.type);
    for (const Shape& s : {Shape{1, c.cin, 17, 23}, Shape{2, c.cin, 9, 16}}) {
        const Tensor<std::int32_t> x = random_q(s, in, 5);
        auto [lo, hi] = float_range(g, x, in);
        const QuantParams out = params(lo - c.out_low_extra * (hi - lo), hi, c.type);
        const Diff d = layer_diff(qdq(g, {{"input", in}, {"output", out}}), x);
        EXPECT_LE(d.max, 1) << s.str();
        // A 1-LSB difference needs scale * acc within float rounding of a half: rare.
        EXPECT_LT(static_cast<double>(d.off), 0.01 * static_cast<double>(d.count)) << s.str();
    }
}

INSTANTIATE_TEST_SUITE_P(
    Variants, OnednnInt8Conv,
    ::testing::Values(
        ConvCase{3, 8, 1, 1, {0, 0, 0, 0}, true, ActType::u8, -0.2, 0},     // input zero point folded (no padding)
        ConvCase{5, 24, 3, 1, {1, 1, 1, 1}, true, ActType::u8, -1.0, 0},    // zero point attribute with padding
        ConvCase{32, 32, 3, 1, {1, 1, 1, 1}, true, ActType::u8, 0.0, 0},    // TomoGAN's case: zero points 0
        ConvCase{64, 17, 3, 1, {1, 1, 1, 1}, false, ActType::u8, 0.0, 0},   // no ReLU: output zero point
        ConvCase{16, 1, 1, 1, {0, 0, 0, 0}, false, ActType::u8, 0.0, 0},    // TomoGAN's head
        ConvCase{128, 64, 3, 1, {1, 1, 1, 1}, true, ActType::u8, 0.0, 0.3}, // ReLU above qmin: post-op
        ConvCase{24, 40, 3, 2, {0, 1, 2, 0}, true, ActType::u8, -0.5, 0},   // stride 2, odd padding
        ConvCase{8, 16, 5, 1, {2, 2, 2, 2}, false, ActType::s8, -1.0, 0},   // s8 activations
        ConvCase{32, 32, 3, 1, {1, 1, 1, 1}, true, ActType::s8, 0.0, 0.2}));

TEST(OnednnInt8Ops, MaxPoolIsExact) {
    for (ActType type : {ActType::u8, ActType::s8})
        for (const auto& [k, s, pads] : {std::tuple{2, 2, std::array<int, 4>{0, 0, 0, 0}},
                                         std::tuple{3, 2, std::array<int, 4>{1, 1, 1, 1}}}) {
            model::Graph g;
            g.input_channels = 24;
            model::Node pool = make_node("pool", OpKind::MaxPool, {"input"}, "output");
            pool.kernel = {k, k};
            pool.strides = {s, s};
            pool.pads = pads;
            g.nodes.push_back(pool);
            model::validate(g);
            const QuantParams q = params(-1, 2, type);
            const Diff d = layer_diff(qdq(g, {{"input", q}, {"output", q}}), random_q(Shape{2, 24, 18, 22}, q, 3));
            EXPECT_EQ(d.max, 0) << k;
        }
}

TEST(OnednnInt8Ops, ResizeIsExact) {
    struct Case {
        model::CoordinateMode mode;
        float scale;
    };
    for (ActType type : {ActType::u8, ActType::s8})
        for (const Case c : {Case{model::CoordinateMode::half_pixel, 2.0f},           // the fast x2 kernel
                             Case{model::CoordinateMode::pytorch_half_pixel, 2.0f},   // same
                             Case{model::CoordinateMode::half_pixel, 3.0f},           // reference kernel
                             Case{model::CoordinateMode::align_corners, 2.0f}}) {
            model::Graph g;
            g.input_channels = 19;
            model::Node r = make_node("up", OpKind::Resize, {"input"}, "output");
            r.scales = {c.scale, c.scale};
            r.coordinate_mode = c.mode;
            r.interp = model::ResizeInterp::linear;
            g.nodes.push_back(r);
            model::validate(g);
            const QuantParams q = params(-0.3, 2, type);
            for (const Shape& s : {Shape{1, 19, 7, 13}, Shape{2, 19, 1, 5}}) {
                const Diff d = layer_diff(qdq(g, {{"input", q}, {"output", q}}), random_q(s, q, 9));
                EXPECT_EQ(d.max, 0) << model::coordinate_mode_name(c.mode) << " x" << c.scale << " " << s.str();
            }
        }
}

namespace {

// input -> c1 (skip) -> pool -> c2 -> resize x2 -> concat(skip, up) -> c3 -> output: TomoGAN's
// skip connection. `up_first` puts the upsampled tensor first in the concat.
model::Graph skip_graph(bool up_first) {
    model::Graph g;
    g.input_channels = 4;
    add_conv(g, "c1", "input", "c1_out", 4, 6, 3, 1);
    g.nodes.push_back(make_node("r1", OpKind::Relu, {"c1_out"}, "skip"));
    model::Node pool = make_node("pool", OpKind::MaxPool, {"skip"}, "pooled");
    pool.kernel = {2, 2};
    pool.strides = {2, 2};
    g.nodes.push_back(pool);
    add_conv(g, "c2", "pooled", "c2_out", 6, 5, 3, 2);
    g.nodes.push_back(make_node("r2", OpKind::Relu, {"c2_out"}, "low"));
    model::Node up = make_node("up", OpKind::Resize, {"low"}, "up");
    up.scales = {2.0f, 2.0f};
    up.interp = model::ResizeInterp::linear;
    g.nodes.push_back(up);
    g.nodes.push_back(make_node("cat", OpKind::Concat, up_first ? std::vector<std::string>{"up", "skip"}
                                                               : std::vector<std::string>{"skip", "up"}, "cat"));
    g.nodes.back().axis = 1;
    add_conv(g, "c3", "cat", "output", 11, 3, 3, 3);
    model::validate(g);
    return g;
}

}  // namespace

TEST(OnednnInt8Ops, ConcatWithinOneLsbAndResizeWritesIntoIt) {
    for (bool up_first : {false, true}) {
        const model::Graph g = skip_graph(up_first);
        const QuantParams in = params(0, 1, ActType::u8);
        const QuantParams shared = params(0, 3, ActType::u8);  // skip, pooled, low, up, cat: one group
        const QuantParams out = params(-3, 3, ActType::u8);
        const model::Graph q = qdq(g, {{"input", in}, {"skip", shared}, {"pooled", shared}, {"low", shared},
                                       {"up", shared}, {"cat", shared}, {"output", out}});
        const Tensor<std::int32_t> x = random_q(Shape{2, 4, 12, 20}, in, 1);
        const Diff d = layer_diff(q, x);
        // Three requantizing convolutions in a row: a 1-LSB difference in c1 or c2 can move c3's
        // output by a few LSB where its weights are large; measured max 1.
        EXPECT_LE(d.max, 2);
        EXPECT_LT(d.mean, 0.05);

        runtime::OnednnBackend dnn(q, options("onednn", runtime::Precision::int8));
        dnn.set_profiling(true);
        dnn.run_quantized(x);
        int copies = 0, into = 0;
        for (const auto& s : dnn.profile()) {
            copies += s.what.find("(copy)") != std::string::npos;
            into += s.what.find("(into concat)") != std::string::npos;
        }
        EXPECT_EQ(into, 1);   // the resize writes its slice of the concat buffer
        EXPECT_EQ(copies, 1); // only the skip tensor is copied
    }
}

TEST(OnednnInt8Ops, StoredIntegerModeAndFloatModeAgree) {
    const model::Graph g = skip_graph(false);
    const QuantParams in = params(-0.1, 1, ActType::u8), shared = params(0, 3, ActType::u8), out = params(-3, 3, ActType::u8);
    const model::Graph q = qdq(g, {{"input", in}, {"skip", shared}, {"pooled", shared}, {"low", shared},
                                   {"up", shared}, {"cat", shared}, {"output", out}});
    runtime::OnednnBackend dnn(q, options("onednn", runtime::Precision::int8));
    const Tensor<float> x = random_tensor(Shape{1, 4, 8, 8}, 4, -0.2f, 1.1f);
    Tensor<std::int32_t> xq(x.shape());
    for (std::int64_t i = 0; i < x.size(); ++i) xq[i] = runtime::int8::quantize_value(x[i], in);
    const Tensor<float> y = dnn.run(x);
    const Tensor<std::int32_t> yq = dnn.run_quantized(xq);
    ASSERT_EQ(y.shape(), yq.shape());
    for (std::int64_t i = 0; i < y.size(); ++i) ASSERT_EQ(y[i], runtime::int8::dequantize_value(yq[i], out)) << i;
    xq[3] = 256;
    EXPECT_THROW(dnn.run_quantized(xq), Error);
    runtime::OnednnBackend fp32(g, options("onednn"));
    EXPECT_THROW(fp32.run_quantized(xq), Error);
}

TEST(OnednnInt8Ops, Int8NeedsAQdqModelAndMakeBackendRoutesOne) {
    const model::Graph g = skip_graph(false);
    EXPECT_THROW(runtime::make_backend(g, options("onednn", runtime::Precision::int8)), Error);
    const QuantParams p = params(0, 3, ActType::u8);
    const model::Graph q = qdq(g, {{"input", p}, {"skip", p}, {"pooled", p}, {"low", p}, {"up", p}, {"cat", p}, {"output", p}});
    auto backend = runtime::make_backend(q, options("onednn"));  // fp32 asked: a QDQ model runs as int8
    auto* dnn = dynamic_cast<runtime::OnednnBackend*>(backend.get());
    ASSERT_NE(dnn, nullptr);
    EXPECT_TRUE(dnn->is_int8());
}

TEST(OnednnInt8Ops, RepeatedShapeBuildsAndAllocatesNothing) {
    const model::Graph g = skip_graph(false);
    const QuantParams p = params(0, 3, ActType::u8);
    const model::Graph q = qdq(g, {{"input", p}, {"skip", p}, {"pooled", p}, {"low", p}, {"up", p}, {"cat", p}, {"output", p}});
    runtime::OnednnBackend dnn(q, options("onednn", runtime::Precision::int8));
    const Tensor<float> x = random_tensor(Shape{1, 4, 16, 16}, 2, 0.0f, 1.0f);
    const Tensor<float> first = dnn.run(x);
    const auto stats = dnn.stats();
    EXPECT_EQ(stats.plans_built, 1);
    EXPECT_GT(stats.arena_bytes, 0);
    const Tensor<float> again = dnn.run(x);
    EXPECT_EQ(dnn.stats().plans_built, 1);
    EXPECT_EQ(dnn.stats().allocations, stats.allocations);
    for (std::int64_t i = 0; i < first.size(); ++i) ASSERT_EQ(first[i], again[i]);
    dnn.run(random_tensor(Shape{1, 4, 8, 24}, 2, 0.0f, 1.0f));
    EXPECT_EQ(dnn.stats().plans_built, 2);
}

TEST(OnednnInt8Ops, SmallPlanFollowsTheSharedArenaWhenALargerOneGrowsIt) {
    const model::Graph g = skip_graph(false);
    const QuantParams p = params(0, 3, ActType::u8);
    const model::Graph q = qdq(g, {{"input", p}, {"skip", p}, {"pooled", p}, {"low", p}, {"up", p}, {"cat", p}, {"output", p}});
    runtime::OnednnBackend dnn(q, options("onednn", runtime::Precision::int8));
    const Tensor<float> small = random_tensor(Shape{1, 4, 8, 24}, 3, 0.0f, 1.0f);
    const Tensor<float> first = dnn.run(small);
    const std::int64_t small_bytes = dnn.stats().shared_bytes;
    dnn.run(random_tensor(Shape{1, 4, 32, 32}, 4, 0.0f, 1.0f));  // grows (moves) the shared arena
    EXPECT_GT(dnn.stats().shared_bytes, small_bytes);
    const Tensor<float> again = dnn.run(small);  // the first plan, rebound to the moved arena
    EXPECT_EQ(dnn.stats().plans_built, 2);
    ASSERT_EQ(again.shape(), first.shape());
    for (std::int64_t i = 0; i < first.size(); ++i) ASSERT_EQ(first[i], again[i]) << i;
}

namespace {

// A quantized TomoGAN (the real quantizer, calibrated on a smooth synthetic volume), run by both
// backends on the same float input; the difference of the outputs in output LSB.
LsbDifference tomogan_end_to_end(double width, ActType type, std::int64_t h, std::int64_t w) {
    TempDir dir;
    quant::test_util::write_h5(dir / "calib.h5", "ns", quant::test_util::smooth_volume(6, 40, 48));
    model::TomoGanConfig config;
    config.width = width;
    config.seed = 11;
    const model::Graph fp32 = model::build_tomogan(config);
    quant::QuantizeOptions o;
    o.activations = type;
    o.slices = 4;
    const model::Graph q = pipeline::quantize_file(fp32, {dir / "calib.h5", "ns", io::StackFormat::hdf5}, o);
    runtime::ReferenceBackend ref(q, options("reference", runtime::Precision::int8));
    runtime::OnednnBackend dnn(q, options("onednn", runtime::Precision::int8));
    const Tensor<float> v = quant::test_util::smooth_volume(3, h, w, 99);
    Tensor<float> x(Shape{1, 3, h, w});
    std::copy(v.begin(), v.end(), x.begin());
    return lsb_difference(dnn.run(x), ref.run(x), ref.int8_graph().output_q.scale);
}

}  // namespace

TEST(OnednnInt8TomoGan, EndToEndAgainstReference) {
    for (const auto& [width, type] : {std::pair{0.25, ActType::u8}, std::pair{0.25, ActType::s8}, std::pair{1.0, ActType::u8}}) {
        const LsbDifference r = tomogan_end_to_end(width, type, 40, 48);
        const std::string name = fmt::format("x{}_{}", width, runtime::int8::act_type_name(type));
        std::printf("onednn int8 vs reference int8, TomoGAN %s, 40x48: max %.1f LSB, mean %.4f LSB\n", name.c_str(),
                    r.max, r.mean);
        RecordProperty("max_lsb_" + name, std::to_string(r.max));
        // Per layer the two agree within 1 LSB and differ in 0.05-0.3 % of the outputs (oneDNN
        // rounds scale * acc once, in float; TFLite rounds twice in fixed point). Through up to 18
        // requantizing layers of random weights those differences spread and grow (measured layer
        // by layer: 0.08 % of the first conv's outputs differ, 20-30 % of the last ones', by 1-5
        // LSB), as the reference's own distance from float QDQ simulation does (test_qdq.cpp: max
        // 14 LSB, mean 0.5). The last 1x1 conv sums 16 such channels, so the output's mean is
        // highest. Measured here: x0.25 u8 max 9, mean 0.40; s8 max 11, mean 0.39; x1 u8 max 5,
        // mean 1.0 LSB (signed mean 0.2: no bias). Bounds: about twice that.
        EXPECT_LE(r.max, 20.0) << name;
        EXPECT_LE(r.mean, 2.0) << name;
    }
}

TEST(OnednnInt8Cli, RunAndBenchRunAQdqModelAsInt8WithoutFlags) {
    const model::Graph g = skip_graph(false);
    const QuantParams in = params(0, 1, ActType::u8), shared = params(0, 3, ActType::u8), out = params(-3, 3, ActType::u8);
    const model::Graph q = qdq(g, {{"input", in}, {"skip", shared}, {"pooled", shared}, {"low", shared},
                                   {"up", shared}, {"cat", shared}, {"output", out}});
    TempDir dir;
    model::export_onnx(q, dir / "int8.onnx");
    const Tensor<float> x = random_tensor(Shape{1, 4, 16, 24}, 8, 0.0f, 1.0f);
    {
        io::Hdf5Writer w(dir / "in.h5");
        w.write("x", x);
        w.commit();
    }
    const std::string model = (dir / "int8.onnx").string();
    const CliResult run = run_tomoedge({"run", model, (dir / "in.h5").string() + ":x", (dir / "out.h5").string() + ":y",
                                        "--threads", "1", "--json"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto j = nlohmann::json::parse(run.out);
    EXPECT_EQ(j["backend"], "onednn");
    EXPECT_EQ(j["precision"], "int8");
    // The file holds what the backend computes.
    const Tensor<float> y = io::Hdf5Reader(dir / "out.h5").read("y");
    runtime::OnednnBackend dnn(q, options("onednn", runtime::Precision::int8));
    const Tensor<float> expected = dnn.run(x);
    ASSERT_EQ(y.shape(), expected.shape());
    for (std::int64_t i = 0; i < y.size(); ++i) ASSERT_EQ(y[i], expected[i]) << i;

    const CliResult bench = run_tomoedge({"bench", model, "--size", "16", "--runs", "2", "--threads", "1", "--json"});
    ASSERT_EQ(bench.exit_code, 0) << bench.err;
    const auto b = nlohmann::json::parse(bench.out);
    EXPECT_EQ(b["precision"], "int8");
    EXPECT_GT(b["median_s"].get<double>(), 0.0);
}
