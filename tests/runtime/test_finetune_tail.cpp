// The fused Fine-Tune tail (runtime/int8/finetune_tail.hpp) against the reference backend's
// TFLite integer kernels (the oracle), bit for bit: random weights, biases and quantization
// parameters, odd sizes and strides, both code paths, several thread counts; its recognition on
// the lowered program (and what it refuses); and the oneDNN backend running it.
#include "core/error.hpp"
#include "core/threading.hpp"
#include "model/finetune.hpp"
#include "onednn_test_util.hpp"
#include "quant/qdq_rewrite.hpp"
#include "quant/scheme.hpp"
#include "runtime/int8/finetune_tail.hpp"
#include "runtime/onednn_backend.hpp"
#include "runtime/reference_backend.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace tomoedge;
using namespace tomoedge::testing;
using runtime::int8::ActType;
using runtime::int8::FineTuneTail;
using runtime::int8::QuantParams;
using runtime::int8::TailImage;
using runtime::int8::TailPath;

namespace {

struct TailCase {
    int channels, convs;
    ActType type;
    std::int64_t n, h, w;
    unsigned seed;
};

// A QDQ Fine-Tune net with random biases and random parameters for every quantized tensor (one
// per shared-scale group: g, the correction and the concat share theirs). Ranges span five
// decades, so multipliers above 1 (a left shift) and far below occur, and ReLU outputs get
// non-zero zero points.
model::Graph random_qdq_tail(const TailCase& c) {
    model::Graph g = model::build_finetune({c.channels, c.convs, 0.2, c.seed});
    std::mt19937 rng(c.seed);
    std::uniform_real_distribution<float> bias(-0.3f, 0.3f);
    for (auto& [name, constant] : g.constants)
        if (name.ends_with(".bias") && name.starts_with("ft_conv"))
            for (float& v : constant.f32) v = bias(rng);
    std::uniform_real_distribution<double> low(-1.0, 0.2), log_span(std::log(1e-3), std::log(1e2));
    std::map<std::string, QuantParams> params;
    for (const auto& group : quant::shared_scale_groups(g, quant::quantized_tensors(g))) {
        const double lo = low(rng), hi = lo + std::exp(log_span(rng));
        for (const auto& name : group) params[name] = quant::activation_params({lo, hi}, c.type);
    }
    return quant::make_qdq_graph(g, params);
}

Tensor<std::int32_t> random_integers(const Shape& shape, const QuantParams& q, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> u(q.qmin(), q.qmax());
    Tensor<std::int32_t> t(shape);
    for (auto& v : t) v = u(rng);
    return t;
}

// The fused kernel on `x` (N, 1, H, W stored integers), through byte images with pixel strides
// `in_stride` and `out_stride`, back to int32.
Tensor<std::int32_t> run_fused(const FineTuneTail& tail, const Tensor<std::int32_t>& x, TailPath path, int in_stride = 1,
                               int out_stride = 1) {
    const std::int64_t N = x.dim(0), H = x.dim(2), W = x.dim(3);
    std::vector<std::byte> src(static_cast<std::size_t>(N * H * W * in_stride), std::byte{0x5a});
    std::vector<std::byte> dst(static_cast<std::size_t>(N * H * W * out_stride), std::byte{0xa5});
    for (std::int64_t i = 0; i < x.size(); ++i)
        src[static_cast<std::size_t>(i * in_stride)] = static_cast<std::byte>(static_cast<std::uint8_t>(x[i]));
    runtime::int8::run_finetune_tail(tail, TailImage{src.data(), N, H, W, in_stride, H * W * in_stride},
                                     TailImage{dst.data(), N, H, W, out_stride, H * W * out_stride}, path);
    Tensor<std::int32_t> y(x.shape());
    const bool u8 = tail.residual.out.type == ActType::u8;
    for (std::int64_t i = 0; i < y.size(); ++i) {
        const auto b = std::to_integer<std::uint8_t>(dst[static_cast<std::size_t>(i * out_stride)]);
        y[i] = u8 ? static_cast<std::int32_t>(b) : static_cast<std::int32_t>(static_cast<std::int8_t>(b));
    }
    return y;
}

void expect_equal(const Tensor<std::int32_t>& got, const Tensor<std::int32_t>& want, const std::string& what) {
    ASSERT_EQ(got.shape(), want.shape()) << what;
    std::int64_t off = 0, first = -1;
    for (std::int64_t i = 0; i < want.size(); ++i)
        if (got[i] != want[i]) {
            if (first < 0) first = i;
            ++off;
        }
    EXPECT_EQ(off, 0) << what << ": " << off << " of " << want.size() << " differ, first at " << first << " ("
                      << (first >= 0 ? got[first] : 0) << " vs " << (first >= 0 ? want[first] : 0) << ")";
}

class FineTuneTailOracle : public ::testing::TestWithParam<TailCase> {};

}  // namespace

TEST_P(FineTuneTailOracle, BitExactWithReferenceOnEveryPathAndThreadCount) {
    const TailCase c = GetParam();
    const model::Graph qdq = random_qdq_tail(c);
    const runtime::int8::Int8Graph program = runtime::int8::lower_qdq(qdq);
    const auto tail = runtime::int8::match_finetune_tail(program, 0);
    ASSERT_TRUE(tail.has_value());
    EXPECT_EQ(tail->last_step, program.steps.size() - 1);
    EXPECT_EQ(tail->output, program.output);
    EXPECT_EQ(static_cast<int>(tail->convs.size()), c.convs);

    const Tensor<std::int32_t> x = random_integers(Shape{c.n, 1, c.h, c.w}, program.input_q, c.seed + 1);
    runtime::ReferenceBackend ref(qdq, options("reference", runtime::Precision::int8));
    const Tensor<std::int32_t> want = ref.run_quantized(x);

    std::vector<TailPath> paths{TailPath::portable};
    if (runtime::int8::avx512_vnni_usable(*tail)) paths.push_back(TailPath::avx512_vnni);
    if (c.channels == 4 && c.type == ActType::u8 && !runtime::int8::avx512_vnni_usable(*tail))
        std::printf("note: this CPU has no AVX-512 VNNI; only the portable path was checked\n");
    for (TailPath path : paths)
        for (int threads : {1, 2, 3}) {
            set_num_threads(threads);
            const std::string what = fmt::format("{} path, {} threads", runtime::int8::tail_path_name(path), threads);
            expect_equal(run_fused(*tail, x, path), want, what);
            expect_equal(run_fused(*tail, x, path, 3, 2), want, what + ", strided images");
        }
    set_num_threads(0);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, FineTuneTailOracle,
    ::testing::Values(TailCase{4, 3, ActType::u8, 1, 37, 53, 1},    // the shipped layout, odd sizes
                      TailCase{4, 3, ActType::u8, 2, 16, 16, 2},    // whole vectors, two images
                      TailCase{4, 3, ActType::u8, 1, 5, 7, 3},      // narrower than one vector
                      TailCase{4, 3, ActType::u8, 1, 1, 33, 4},     // one row: all vertical taps padding
                      TailCase{4, 2, ActType::u8, 1, 9, 31, 5},     // no 4 -> 4 layer
                      TailCase{4, 5, ActType::u8, 1, 20, 18, 6},    // three 4 -> 4 layers
                      TailCase{4, 3, ActType::s8, 1, 19, 21, 7},    // s8: portable only
                      TailCase{3, 4, ActType::u8, 1, 12, 17, 8},    // 3 channels: portable only
                      TailCase{8, 3, ActType::s8, 2, 6, 10, 9}));   // 8 channels, s8

TEST(FineTuneTail, ManySeedsOfTheShippedLayout) {
    // Random parameters stress the requantization (left shifts, ties, clamps) on both paths.
    int left_shifts = 0;
    for (unsigned seed = 100; seed < 120; ++seed) {
        const TailCase c{4, 3, ActType::u8, 1, 11, 40, seed};
        const model::Graph qdq = random_qdq_tail(c);
        const auto program = runtime::int8::lower_qdq(qdq);
        const auto tail = runtime::int8::match_finetune_tail(program, 0);
        ASSERT_TRUE(tail.has_value());
        for (const auto& conv : tail->convs)
            for (const auto& m : conv.q.output_multiplier) left_shifts += m.shift > 0;
        const Tensor<std::int32_t> x = random_integers(Shape{1, 1, c.h, c.w}, program.input_q, seed);
        runtime::ReferenceBackend ref(qdq, options("reference", runtime::Precision::int8));
        const Tensor<std::int32_t> want = ref.run_quantized(x);
        expect_equal(run_fused(*tail, x, TailPath::portable), want, fmt::format("seed {} portable", seed));
        if (runtime::int8::avx512_vnni_usable(*tail))
            expect_equal(run_fused(*tail, x, TailPath::avx512_vnni), want, fmt::format("seed {} avx512", seed));
    }
    EXPECT_GT(left_shifts, 0) << "no multiplier above 1 was exercised";
}

TEST(FineTuneTail, ConcatOrderIsRead) {
    // [c, g] instead of [g, c]: the residual's weights follow the concat's order.
    model::Graph g = model::build_finetune({4, 3, 0.1, 11});
    for (model::Node& n : g.nodes)
        if (n.op == model::OpKind::Concat) std::swap(n.inputs[0], n.inputs[1]);
    g.constants.at("ft_residual.weight").f32[0] = 0.5f;  // the weight of c now
    std::map<std::string, QuantParams> params;
    std::mt19937 rng(4);
    for (const auto& group : quant::shared_scale_groups(g, quant::quantized_tensors(g))) {
        const double lo = std::uniform_real_distribution<double>(-0.5, 0.0)(rng);
        for (const auto& name : group) params[name] = quant::activation_params({lo, lo + 2.0}, ActType::u8);
    }
    const model::Graph qdq = quant::make_qdq_graph(g, params);
    const auto program = runtime::int8::lower_qdq(qdq);
    const auto tail = runtime::int8::match_finetune_tail(program, 0);
    ASSERT_TRUE(tail.has_value());
    const Tensor<std::int32_t> x = random_integers(Shape{1, 1, 13, 29}, program.input_q, 3);
    runtime::ReferenceBackend ref(qdq, options("reference", runtime::Precision::int8));
    const Tensor<std::int32_t> want = ref.run_quantized(x);
    expect_equal(run_fused(*tail, x, TailPath::portable), want, "portable");
    if (runtime::int8::avx512_vnni_usable(*tail)) expect_equal(run_fused(*tail, x, TailPath::avx512_vnni), want, "avx512");
}

TEST(FineTuneTail, OnlyTheExactPatternIsRecognised) {
    const model::Graph qdq = random_qdq_tail({4, 3, ActType::u8, 1, 8, 8, 21});
    const runtime::int8::Int8Graph program = runtime::int8::lower_qdq(qdq);
    ASSERT_TRUE(runtime::int8::match_finetune_tail(program, 0).has_value());
    EXPECT_FALSE(runtime::int8::match_finetune_tail(program, 1).has_value());      // not at the first conv
    EXPECT_FALSE(runtime::int8::match_finetune_tail(program, 99).has_value());     // past the end
    const auto refused = [&](const std::function<void(runtime::int8::Int8Graph&)>& change) {
        runtime::int8::Int8Graph p = runtime::int8::lower_qdq(qdq);
        change(p);
        return !runtime::int8::match_finetune_tail(p, 0).has_value();
    };
    EXPECT_TRUE(refused([](auto& p) { p.steps[1].node.strides = {2, 2}; }));       // a strided conv
    EXPECT_TRUE(refused([](auto& p) { p.steps[0].node.pads = {0, 0, 0, 0}; }));    // no padding
    EXPECT_TRUE(refused([](auto& p) { p.steps[2].node.dilations = {2, 2}; }));     // dilated
    EXPECT_TRUE(refused([](auto& p) { p.output = p.steps[0].output; }));           // an intermediate is the output
    EXPECT_TRUE(refused([](auto& p) {                                              // an intermediate read elsewhere
        runtime::int8::Step extra;
        extra.op = model::OpKind::MaxPool;
        extra.inputs = {p.steps[1].output};
        extra.output = "extra";
        p.steps.push_back(std::move(extra));
    }));
    EXPECT_TRUE(refused([](auto& p) { p.steps[3].node.axis = 2; }));               // concat along H
    EXPECT_TRUE(refused([](auto& p) { p.steps[3].inputs[0] = p.steps[1].output; })); // concat of something else
    EXPECT_TRUE(refused([](auto& p) { p.steps.pop_back(); }));                     // no residual
    EXPECT_TRUE(refused([](auto& p) { std::swap(p.steps[1], p.steps[2]); }));      // not a chain
}

TEST(FineTuneTail, Errors) {
    const model::Graph qdq = random_qdq_tail({3, 3, ActType::u8, 1, 8, 8, 31});
    const auto tail = runtime::int8::match_finetune_tail(runtime::int8::lower_qdq(qdq), 0);
    ASSERT_TRUE(tail.has_value());
    EXPECT_FALSE(runtime::int8::avx512_vnni_usable(*tail));  // 3 channels
    EXPECT_EQ(runtime::int8::best_tail_path(*tail), TailPath::portable);
    std::vector<std::byte> a(64), b(64);
    const TailImage small{a.data(), 1, 8, 8, 1, 64}, other{b.data(), 1, 4, 16, 1, 64};
    try {
        runtime::int8::run_finetune_tail(*tail, small, other, TailPath::portable);
        ADD_FAILURE() << "no error for different sizes";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("differ"), std::string::npos) << e.what();
    }
    try {
        runtime::int8::run_finetune_tail(*tail, small, small, TailPath::avx512_vnni);
        ADD_FAILURE() << "no error for the AVX-512 path on 3 channels";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("4 channels"), std::string::npos) << e.what();
    }
}

TEST(FineTuneTail, OnednnBackendRunsItFusedAndBitExact) {
    // The oneDNN backend's other int8 layers are within 1 LSB of the reference; the tail is exact,
    // so a Fine-Tune-only model (host quantization, the tail, host dequantization) matches exactly.
    const TailCase c{4, 3, ActType::u8, 1, 45, 67, 41};
    const model::Graph qdq = random_qdq_tail(c);
    const auto program = runtime::int8::lower_qdq(qdq);
    if (!runtime::int8::avx512_vnni_usable(*runtime::int8::match_finetune_tail(program, 0)))
        GTEST_SKIP() << "no AVX-512 VNNI on this CPU: the oneDNN backend runs the general path";
    const Tensor<std::int32_t> x = random_integers(Shape{1, 1, c.h, c.w}, program.input_q, 5);
    runtime::ReferenceBackend ref(qdq, options("reference", runtime::Precision::int8));
    runtime::OnednnBackend dnn(qdq, options("onednn", runtime::Precision::int8));
    dnn.set_profiling(true);
    expect_equal(dnn.run_quantized(x), ref.run_quantized(x), "onednn backend");
    int fused = 0;
    for (const auto& step : dnn.profile()) {
        EXPECT_NE(step.what.find("Conv"), 0u) << "a Fine-Tune conv ran unfused: " << step.node;
        fused += step.what.find("Fine-Tune tail") != std::string::npos;
    }
    EXPECT_EQ(fused, 1);
    // Float mode too (the host quantization and dequantization around it).
    const Tensor<float> xf = random_tensor(Shape{1, 1, c.h, c.w}, 6, 0.0f, 1.0f);
    const Tensor<float> a = dnn.run(xf);
    const Tensor<float> b = ref.run(xf);
    for (std::int64_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << i;
}

TEST(FineTuneTail, AccumulatorsBeyondTheFastRequantizationTakeThePortablePath) {
    const model::Graph qdq = random_qdq_tail({4, 3, ActType::u8, 1, 8, 8, 51});
    auto tail = runtime::int8::match_finetune_tail(runtime::int8::lower_qdq(qdq), 0);
    ASSERT_TRUE(tail.has_value());
    if (!runtime::int8::avx512_vnni_usable(*tail)) GTEST_SKIP() << "no AVX-512 VNNI on this CPU";
    tail->convs[1].bias[2] = (std::int32_t{1} << 30) - 1;  // |acc| can reach 2^30: doubling it would overflow
    EXPECT_FALSE(runtime::int8::avx512_vnni_usable(*tail));
    EXPECT_EQ(runtime::int8::best_tail_path(*tail), TailPath::portable);
}

TEST(FineTuneTail, RareRequantizationVariantsAgreeWithThePortablePath) {
    // Multipliers far below 1 (a zero point too large to fold into the rounding constant) and
    // above 1 (a left shift), in one layer or in only one of the last conv and the residual,
    // which share a loop. The portable path is TFLite's arithmetic (int8/fixed_point.hpp),
    // checked against the reference above; the AVX-512 path must agree with it everywhere.
    const model::Graph qdq = random_qdq_tail({4, 3, ActType::u8, 1, 23, 37, 61});
    const auto program = runtime::int8::lower_qdq(qdq);
    const Tensor<std::int32_t> x = random_integers(Shape{1, 1, 23, 37}, program.input_q, 9);
    const auto base = runtime::int8::match_finetune_tail(program, 0);
    ASSERT_TRUE(base.has_value());
    if (!runtime::int8::avx512_vnni_usable(*base)) GTEST_SKIP() << "no AVX-512 VNNI on this CPU";
    const std::vector<std::pair<int, int>> changes{{0, -26}, {1, -28}, {2, -25}, {3, -27}, {2, 3}, {3, 2}, {1, 1}, {0, 4}};
    for (const auto& [layer, shift] : changes) {
        auto tail = runtime::int8::match_finetune_tail(program, 0);
        runtime::int8::TailConv& conv = layer < 3 ? tail->convs[static_cast<std::size_t>(layer)] : tail->residual;
        for (auto& m : conv.q.output_multiplier) m.shift = shift;
        ASSERT_TRUE(runtime::int8::avx512_vnni_usable(*tail)) << layer << " " << shift;
        expect_equal(run_fused(*tail, x, TailPath::avx512_vnni), run_fused(*tail, x, TailPath::portable),
                     fmt::format("layer {} shift {}", layer, shift));
    }
}

TEST(FineTuneTail, OnednnBackendKeepsTheGeneralPathWhereTheFastKernelCannotRun) {
    // 3 channels: no AVX-512 path, so the oneDNN primitives run (the portable kernel is no faster).
    const model::Graph qdq = random_qdq_tail({3, 3, ActType::u8, 1, 12, 20, 71});
    const auto program = runtime::int8::lower_qdq(qdq);
    const Tensor<std::int32_t> x = random_integers(Shape{1, 1, 12, 20}, program.input_q, 5);
    runtime::OnednnBackend dnn(qdq, options("onednn", runtime::Precision::int8));
    dnn.set_profiling(true);
    const Tensor<std::int32_t> y = dnn.run_quantized(x);
    EXPECT_EQ(y.shape(), x.shape());
    int convs = 0;
    for (const auto& step : dnn.profile()) {
        EXPECT_EQ(step.what.find("Fine-Tune tail"), std::string::npos);
        convs += step.what.starts_with("Conv");
    }
    EXPECT_EQ(convs, 4);
}
