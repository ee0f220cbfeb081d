// The generator has build_tomogan's layout exactly; the exported graph (and its ONNX file) run by
// the reference backend equals the libtorch forward; the discriminator is TomoGAN's critic.
#include "model/model_info.hpp"
#include "model/onnx_export.hpp"
#include "model/onnx_import.hpp"
#include "model/tomogan.hpp"
#include "runtime/backend.hpp"
#include "support/temp_dir.hpp"
#include "train/export.hpp"
#include "train/networks.hpp"
#include "train_fixtures.hpp"

#include <gtest/gtest.h>

#include <cstring>

using namespace tomoedge;
using namespace tomoedge::train;
using tomoedge::testing::TempDir;
using tomoedge::train_testing::message_of;

namespace {

Tensor<float> to_tomoedge(const torch::Tensor& t) {
    const torch::Tensor c = t.contiguous();
    Tensor<float> out(Shape(std::vector<std::int64_t>(c.sizes().begin(), c.sizes().end())));
    std::memcpy(out.data(), c.data_ptr<float>(), sizeof(float) * static_cast<std::size_t>(out.size()));
    return out;
}

double max_abs_difference(const Tensor<float>& a, const torch::Tensor& b) {
    const torch::Tensor c = b.contiguous();
    EXPECT_EQ(a.size(), c.numel());
    double m = 0;
    for (std::int64_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(double(a[i]) - double(c.data_ptr<float>()[i])));
    return m;
}

// A trained-looking generator: Keras init, then a nudge so biases are not all zero.
Generator seeded_generator(const GeneratorConfig& config, std::uint64_t seed) {
    torch::manual_seed(seed);
    Generator g(config);
    initialise_like_keras(*g);
    torch::NoGradGuard no_grad;
    for (auto& p : g->parameters()) p.add_(torch::randn_like(p) * 0.05);
    return g;
}

}  // namespace

TEST(Generator, ParametersHaveTheNamesAndShapesOfBuildTomogan) {
    for (double width : {1.0, 0.25}) {
        for (int depth : {3, 1}) {
            Generator g(GeneratorConfig{depth, width});
            model::TomoGanConfig config;
            config.input_depth = depth;
            config.width = width;
            const model::Graph graph = model::build_tomogan(config);
            const auto params = g->named_parameters();
            ASSERT_EQ(params.size(), graph.constants.size());
            for (const auto& p : params) {
                SCOPED_TRACE(p.key());
                ASSERT_TRUE(graph.is_constant(p.key()));
                EXPECT_EQ(std::vector<std::int64_t>(p.value().sizes().begin(), p.value().sizes().end()),
                          graph.constant(p.key()).shape.dims());
            }
        }
    }
}

TEST(Generator, MapsDepthChannelsToOneAndChecksTheInput) {
    Generator g(GeneratorConfig{3, 0.25});
    EXPECT_EQ(g->forward(torch::zeros({2, 3, 16, 24})).sizes(), (std::vector<std::int64_t>{2, 1, 16, 24}));
    EXPECT_NE(message_of([&] { g->forward(torch::zeros({1, 3, 12, 16})); }).find("multiples of 8"), std::string::npos);
    EXPECT_NE(message_of([&] { g->forward(torch::zeros({1, 2, 16, 16})); }).find("(N, 3, H, W)"), std::string::npos);
    EXPECT_NE(message_of([] { Generator(GeneratorConfig{0, 1.0}); }).find("depth"), std::string::npos);
    EXPECT_NE(message_of([] { Generator(GeneratorConfig{3, 0.0}); }).find("width"), std::string::npos);
}

TEST(Generator, KerasInitialisationIsGlorotUniformWithZeroBias) {
    torch::manual_seed(3);
    Generator g(GeneratorConfig{3, 1.0});
    initialise_like_keras(*g);
    for (const auto& p : g->named_parameters()) {
        SCOPED_TRACE(p.key());
        const auto& t = p.value();
        if (t.dim() == 1) {
            EXPECT_EQ(t.abs().max().item<float>(), 0.0f);
        } else {
            const double fan_in = double(t.size(1) * t.size(2) * t.size(3));
            const double fan_out = double(t.size(0) * t.size(2) * t.size(3));
            const double limit = std::sqrt(6.0 / (fan_in + fan_out));
            EXPECT_LE(t.abs().max().item<double>(), limit);
            EXPECT_GT(t.abs().max().item<double>(), 0.5 * limit);
        }
    }
}

TEST(Discriminator, IsTomoganCriticForOnePatchSize) {
    Discriminator d(32);
    const std::vector<std::string> expected{"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                                            "conv3.weight", "conv3.bias", "conv4.weight", "conv4.bias",
                                            "conv5.weight", "conv5.bias", "conv6.weight", "conv6.bias",
                                            "dense1.weight", "dense1.bias", "dense2.weight", "dense2.bias"};
    std::vector<std::string> names;
    for (const auto& p : d->named_parameters()) names.push_back(p.key());
    EXPECT_EQ(names, expected);
    const auto params = d->named_parameters();
    EXPECT_EQ(params["conv2.weight"].sizes(), (std::vector<std::int64_t>{64, 64, 3, 3}));
    EXPECT_EQ(params["conv6.weight"].sizes(), (std::vector<std::int64_t>{4, 128, 3, 3}));
    EXPECT_EQ(params["dense1.weight"].sizes(), (std::vector<std::int64_t>{64, 4 * 4 * 4}));  // 32 / 8 = 4
    EXPECT_EQ(params["dense2.weight"].sizes(), (std::vector<std::int64_t>{1, 64}));
    EXPECT_EQ(d->forward(torch::zeros({3, 1, 32, 32})).sizes(), (std::vector<std::int64_t>{3, 1}));
    EXPECT_NE(message_of([&] { d->forward(torch::zeros({1, 1, 16, 16})); }).find("(N, 1, 32, 32)"), std::string::npos);
    EXPECT_NE(message_of([] { Discriminator(20); }).find("multiple of 8"), std::string::npos);
}

TEST(Export, GraphOnTheReferenceBackendEqualsLibtorch) {
    torch::set_num_threads(1);
    Generator g = seeded_generator(GeneratorConfig{3, 0.5}, 11);
    const model::Graph graph = generator_to_graph(*g, model::Normalisation{1, 99});
    const torch::Tensor x = torch::rand({2, 3, 24, 16});
    const torch::Tensor expected = g->forward(x).detach();
    auto backend = runtime::make_backend(graph, runtime::BackendOptions{"reference", runtime::Precision::fp32, 1});
    const Tensor<float> y = backend->run(to_tomoedge(x));
    EXPECT_EQ(y.shape(), (Shape{2, 1, 24, 16}));
    EXPECT_LE(max_abs_difference(y, expected), 1e-4);
    EXPECT_GT(expected.abs().max().item<double>(), 1e-2);  // not a trivially zero output

    const model::ModelInfo info = model::read_model_info(graph);
    EXPECT_EQ(info.architecture, "tomogan");
    EXPECT_EQ(info.weights, "trained");
    EXPECT_EQ(info.input_depth, 3);
    EXPECT_EQ(info.width, 0.5);
    ASSERT_TRUE(info.normalisation.has_value());
    EXPECT_EQ(*info.normalisation, (model::Normalisation{1, 99}));
}

TEST(Export, OnnxFileRunByTheReferenceBackendEqualsLibtorch) {
    torch::set_num_threads(1);
    TempDir dir;
    Generator g = seeded_generator(GeneratorConfig{3, 1.0}, 12);
    model::export_onnx(generator_to_graph(*g, model::Normalisation{0.5, 99.5}), dir / "g.onnx");
    const model::Graph loaded = model::import_onnx(dir / "g.onnx");
    const torch::Tensor x = torch::rand({1, 3, 16, 16});
    auto backend = runtime::make_backend(loaded, runtime::BackendOptions{"reference", runtime::Precision::fp32, 1});
    EXPECT_LE(max_abs_difference(backend->run(to_tomoedge(x)), g->forward(x).detach()), 1e-4);
    EXPECT_EQ(model::read_model_info(loaded).weights, "trained");
}
