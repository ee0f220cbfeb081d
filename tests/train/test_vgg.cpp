// The VGG19 weight file loader (docs/vgg19-weights.md) on small files written here, the feature
// network against plain torch ops, and the loss terms.
#include "pipeline/training_files.hpp"
#include "io/hdf5.hpp"
#include "support/temp_dir.hpp"
#include "train/losses.hpp"
#include "train/vgg.hpp"
#include "train_fixtures.hpp"

#include <gtest/gtest.h>

#include <cstring>

using namespace tomoedge;
using namespace tomoedge::train;
using tomoedge::testing::TempDir;
using tomoedge::train_testing::message_of;

namespace {

Tensor<float> random_values(Shape shape, std::uint64_t seed) {
    torch::manual_seed(seed);
    const torch::Tensor t = torch::randn(shape.dims()) * 0.1;
    Tensor<float> out(std::move(shape));
    std::memcpy(out.data(), t.data_ptr<float>(), sizeof(float) * static_cast<std::size_t>(out.size()));
    return out;
}

torch::Tensor as_torch(const Tensor<float>& t) {
    return torch::from_blob(const_cast<float*>(t.data()), t.shape().dims(), torch::kFloat32).clone();
}

struct Layer {
    std::string name;
    std::int64_t out, in;
};

// Writes the given layers with random values; returns them by dataset name.
std::map<std::string, torch::Tensor> write_vgg(const std::filesystem::path& file, const std::vector<Layer>& layers,
                                               std::optional<std::string> wrong_shape = std::nullopt) {
    std::map<std::string, torch::Tensor> values;
    io::Hdf5Writer w(file);
    std::uint64_t seed = 1;
    for (const auto& l : layers) {
        const bool wrong = wrong_shape && *wrong_shape == l.name;
        Tensor<float> weight = random_values(Shape{l.out, wrong ? l.in + 1 : l.in, 3, 3}, seed++);
        Tensor<float> bias = random_values(Shape{l.out}, seed++);
        values[l.name + "/weight"] = as_torch(weight);
        values[l.name + "/bias"] = as_torch(bias);
        w.write(l.name + "/weight", weight);
        w.write(l.name + "/bias", bias);
    }
    w.write("unrelated/extra", Tensor<float>(Shape{2}, 1.0f));  // ignored
    w.commit();
    return values;
}

}  // namespace

TEST(Vgg19, LayerNamesAreVgg19s16Convs) {
    const auto& names = vgg19_layer_names();
    ASSERT_EQ(names.size(), 16u);
    EXPECT_EQ(names.front(), "conv1_1");
    EXPECT_EQ(names[4], "conv3_1");
    EXPECT_EQ(names[7], "conv3_4");
    EXPECT_EQ(names.back(), "conv5_4");
    EXPECT_EQ(Vgg19Features("conv3_2")->layers().size(), 6u);
    EXPECT_NE(message_of([] { Vgg19Features("conv6_1"); }).find("conv6_1"), std::string::npos);
    const auto full = Vgg19Features()->named_parameters();
    EXPECT_EQ(full["conv5_4.weight"].sizes(), (std::vector<std::int64_t>{512, 512, 3, 3}));
    EXPECT_EQ(full["conv3_1.weight"].sizes(), (std::vector<std::int64_t>{256, 128, 3, 3}));
}

TEST(Vgg19, LoadsTheFileAndComputesFeaturesAsPlainTorchOps) {
    TempDir dir;
    const auto file = dir / "vgg.h5";
    const auto values = write_vgg(file, {{"conv1_1", 64, 3}, {"conv1_2", 64, 64}, {"conv2_1", 128, 64}});
    Vgg19Features vgg = pipeline::load_vgg19(file, "conv2_1");
    for (const auto& p : vgg->named_parameters()) {
        SCOPED_TRACE(p.key());
        std::string dataset = p.key();
        dataset[dataset.find('.')] = '/';
        EXPECT_TRUE(torch::equal(p.value(), values.at(dataset)));
        EXPECT_FALSE(p.value().requires_grad());
    }
    EXPECT_FALSE(vgg->is_training());

    torch::manual_seed(9);
    const torch::Tensor grey = torch::rand({2, 1, 16, 12});
    const torch::Tensor mean = torch::tensor({0.485f, 0.456f, 0.406f}).view({1, 3, 1, 1});
    const torch::Tensor stdev = torch::tensor({0.229f, 0.224f, 0.225f}).view({1, 3, 1, 1});
    torch::Tensor x = (torch::cat({grey, grey, grey}, 1) - mean) / stdev;
    auto conv = [&](const torch::Tensor& t, const std::string& name) {
        return torch::relu(torch::conv2d(t, values.at(name + "/weight"), values.at(name + "/bias"), 1, 1));
    };
    x = conv(conv(x, "conv1_1"), "conv1_2");
    x = conv(torch::max_pool2d(x, 2, 2), "conv2_1");
    const torch::Tensor features = vgg->forward(grey);
    EXPECT_EQ(features.sizes(), (std::vector<std::int64_t>{2, 128, 8, 6}));
    EXPECT_LE((features - x).abs().max().item<double>(), 1e-5);
    EXPECT_GT(features.abs().max().item<double>(), 0.0);
}

TEST(Vgg19, MissingLayerNamesFileAndDataset) {
    TempDir dir;
    const auto file = dir / "short.h5";
    write_vgg(file, {{"conv1_1", 64, 3}});
    const std::string m = message_of([&] { pipeline::load_vgg19(file, "conv1_2"); });
    EXPECT_NE(m.find("short.h5"), std::string::npos) << m;
    EXPECT_NE(m.find("conv1_2/weight"), std::string::npos) << m;
    EXPECT_NO_THROW(pipeline::load_vgg19(file, "conv1_1"));
}

TEST(Vgg19, WrongShapeNamesFileDatasetAndBothShapes) {
    TempDir dir;
    const auto file = dir / "bad.h5";
    write_vgg(file, {{"conv1_1", 64, 3}, {"conv1_2", 64, 64}}, "conv1_2");
    const std::string m = message_of([&] { pipeline::load_vgg19(file, "conv1_2"); });
    EXPECT_NE(m.find("bad.h5"), std::string::npos) << m;
    EXPECT_NE(m.find("conv1_2/weight"), std::string::npos) << m;
    EXPECT_NE(m.find("(64, 65, 3, 3)"), std::string::npos) << m;
    EXPECT_NE(m.find("(64, 64, 3, 3)"), std::string::npos) << m;
    EXPECT_NE(message_of([&] { pipeline::load_vgg19(dir / "none.h5"); }).find("none.h5"), std::string::npos);
}

TEST(Losses, GeneratorLossCombinesTheWeightedTerms) {
    TempDir dir;
    write_vgg(dir / "vgg.h5", {{"conv1_1", 64, 3}});
    Vgg19Features vgg = pipeline::load_vgg19(dir / "vgg.h5", "conv1_1");
    torch::manual_seed(4);
    const torch::Tensor fake = torch::rand({2, 1, 8, 8}, torch::requires_grad());
    const torch::Tensor target = torch::rand({2, 1, 8, 8});
    const torch::Tensor logits = torch::randn({2, 1});
    const LossWeights w{0.5, 20, 2};

    const double mse = (fake - target).pow(2).mean().item<double>();
    const double adv = torch::log1p(torch::exp(-logits)).mean().item<double>();  // BCE(logit, 1)
    const double perc = (vgg->forward(fake) - vgg->forward(target)).pow(2).mean().item<double>();

    const GeneratorLoss plain = generator_loss(fake, target, torch::Tensor(), nullptr, w);
    EXPECT_NEAR(plain.total.item<double>(), mse, 1e-6);  // MSE-only: unweighted
    EXPECT_FALSE(plain.adv.defined());
    EXPECT_FALSE(plain.perc.defined());

    const GeneratorLoss all = generator_loss(fake, target, logits, vgg.get(), w);
    EXPECT_NEAR(all.adv.item<double>(), adv, 1e-6);
    EXPECT_NEAR(all.perc.item<double>(), perc, 1e-5);
    EXPECT_NEAR(all.total.item<double>(), 0.5 * mse + 20 * adv + 2 * perc, 1e-4);
    all.total.backward();
    EXPECT_TRUE(fake.grad().defined());

    const torch::Tensor real_logits = torch::randn({2, 1});
    const double d = torch::log1p(torch::exp(-real_logits)).mean().item<double>() +
                     torch::log1p(torch::exp(logits)).mean().item<double>();  // BCE(real, 1) + BCE(fake, 0)
    EXPECT_NEAR(discriminator_loss(real_logits, logits).item<double>(), d, 1e-6);
}
