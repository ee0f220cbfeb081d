// The loop on a tiny configuration: losses fall (MSE-only and GAN), a seed makes a run
// repeatable bit for bit, a resumed run continues exactly, validation and the exported model's
// metadata, and the `tomoedge train` command.
#include "pipeline/training_files.hpp"
#include "core/error.hpp"
#include "model/model_info.hpp"
#include "model/onnx_import.hpp"
#include "support/cli_runner.hpp"
#include "support/temp_dir.hpp"
#include "train/checkpoint.hpp"
#include "train/export.hpp"
#include "train/trainer.hpp"
#include "train_fixtures.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <numeric>

using namespace tomoedge;
using namespace tomoedge::train;
using tomoedge::testing::run_tomoedge;
using tomoedge::testing::TempDir;
using tomoedge::train_testing::message_of;
using tomoedge::train_testing::write_dataset;

namespace {

TrainOptions tiny(const std::filesystem::path& data) {
    TrainOptions o;
    o.data = {data};
    o.patch = 16;
    o.batch = 2;
    o.generator.width = 0.25;
    o.lr = 2e-3;
    o.val_every = 0;
    o.threads = 1;
    o.verbose = false;
    o.seed = 7;
    return o;
}

double mean_of(const std::vector<IterationLog>& log, std::size_t first, std::size_t count,
               double IterationLog::*field) {
    double s = 0;
    for (std::size_t i = first; i < first + count; ++i) s += log[i].*field;
    return s / static_cast<double>(count);
}

bool same_parameters(torch::nn::Module& a, torch::nn::Module& b) {
    const auto pa = a.named_parameters(), pb = b.named_parameters();
    if (pa.size() != pb.size()) return false;
    for (const auto& p : pa)
        if (!torch::equal(p.value(), pb[p.key()])) return false;
    return true;
}

class Training : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir();
        write_dataset(data());
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    static std::filesystem::path data() { return *dir_ / "data.h5"; }
    static TempDir* dir_;
};
TempDir* Training::dir_ = nullptr;

}  // namespace

TEST_F(Training, MseOnlyLossFalls) {
    TrainOptions o = tiny(data());
    o.mse_only = true;
    o.iterations = 40;
    const TrainResult r = tomoedge::pipeline::train_supervised(o);
    ASSERT_EQ(r.log.size(), 40u);
    EXPECT_FALSE(r.discriminator);
    EXPECT_TRUE(std::isnan(r.log.back().adv));
    EXPECT_TRUE(std::isnan(r.log.back().disc));
    EXPECT_EQ(r.log.back().gen_total, r.log.back().mse);
    const double first = mean_of(r.log, 0, 5, &IterationLog::mse);
    const double last = mean_of(r.log, 35, 5, &IterationLog::mse);
    EXPECT_LT(last, 0.5 * first) << first << " -> " << last;
}

TEST_F(Training, GanMseFallsAndAllLossesStayFinite) {
    TrainOptions o = tiny(data());
    o.iterations = 25;
    std::vector<std::int64_t> seen;
    const TrainResult r = tomoedge::pipeline::train_supervised(o, [&](const IterationLog& l) { seen.push_back(l.iteration); });
    ASSERT_EQ(r.log.size(), 25u);
    EXPECT_EQ(seen.front(), 1);
    EXPECT_EQ(seen.back(), 25);
    ASSERT_TRUE(r.discriminator);
    for (const auto& l : r.log) {
        EXPECT_TRUE(std::isfinite(l.adv) && std::isfinite(l.disc));
        EXPECT_TRUE(std::isnan(l.perc));  // no --vgg
        EXPECT_NEAR(l.gen_total, 0.5 * l.mse + 20 * l.adv, 1e-6 * std::max(1.0, l.gen_total));
    }
    const double first = mean_of(r.log, 0, 5, &IterationLog::mse);
    const double last = mean_of(r.log, 20, 5, &IterationLog::mse);
    EXPECT_LT(last, 0.7 * first) << first << " -> " << last;
    // Not asserted: that the critic's loss falls. In 25 iterations with lambda_adv = 20 the
    // generator can win (measured: critic loss 1.34 -> 2.08), so a fall is not a property of a
    // correct loop at this size. A check that the critic learns needs its own fixed-batch test.
}

// The adaptive weight makes the adversarial gradient at the output layer `adv` times the content
// gradient there, whatever the scales of the two losses (the reason TomoGAN's fixed 20 : 0.5 fails).
TEST(AdversarialWeight, AdaptiveWeightSetsTheGradientRatioAtTheOutputLayer) {
    torch::manual_seed(3);
    Generator gen(GeneratorConfig{3, 0.25});
    Discriminator disc(16);
    const torch::Tensor x = torch::rand({2, 3, 16, 16}), target = torch::rand({2, 1, 16, 16});
    const torch::Tensor fake = gen->forward(x);
    LossWeights w;
    w.mse = 1.0;
    w.adv = 0.1;
    w.adaptive = true;
    const GeneratorLoss loss = generator_loss(fake, target, disc->forward(fake), nullptr, w, gen->output_weight());
    ASSERT_TRUE(std::isfinite(loss.adv_weight));
    ASSERT_GT(loss.adv_weight, 0.0);
    const auto grad_norm = [&](const torch::Tensor& term) {
        return torch::autograd::grad({term}, {gen->output_weight()}, {}, true)[0].norm().item<double>();
    };
    const double content = grad_norm(w.mse * loss.mse), adversarial = grad_norm(loss.adv_weight * loss.adv);
    EXPECT_NEAR(adversarial / content, 0.1, 1e-4);
    const double sum = loss.mse.item<double>() + loss.adv_weight * loss.adv.item<double>();
    EXPECT_NEAR(loss.total.item<double>(), sum, 1e-6 * sum);  // float32 terms

    w.adaptive = false;  // fixed: the weight is the weight
    EXPECT_EQ(generator_loss(fake, target, disc->forward(fake), nullptr, w).adv_weight, 0.1);
    w.adaptive = true;
    EXPECT_NE(message_of([&] { generator_loss(fake, target, disc->forward(fake), nullptr, w); }).find("last layer"),
              std::string::npos);
}

TEST_F(Training, GanRecipeTrainsOnContentFirstThenAddsTheAdaptiveAdversarialTerm) {
    TrainOptions o = tiny(data());
    o.iterations = 16;
    o.weights.mse = 1.0;
    o.weights.adv = 0.1;
    o.weights.adaptive = true;
    o.adv_start = 8;
    const TrainResult r = tomoedge::pipeline::train_supervised(o);
    ASSERT_EQ(r.log.size(), 16u);
    for (const auto& l : r.log) {
        SCOPED_TRACE(l.iteration);
        EXPECT_TRUE(std::isfinite(l.disc));  // the critic learns from the first iteration
        if (l.iteration <= 8) {
            EXPECT_TRUE(std::isnan(l.adv));
            EXPECT_EQ(l.gen_total, l.mse);
        } else {
            ASSERT_TRUE(std::isfinite(l.adv) && std::isfinite(l.adv_weight));
            EXPECT_GT(l.adv_weight, 0.0);
            EXPECT_NEAR(l.gen_total, l.mse + l.adv_weight * l.adv, 1e-6 * std::max(1.0, l.gen_total));
        }
    }
    const auto recipe = nlohmann::json::parse(recipe_json(o));
    EXPECT_EQ(recipe["adv_weighting"], "adaptive");
    EXPECT_EQ(recipe["adv_start"], 8);
    o.adv_start = -1;
    EXPECT_NE(message_of([&] { tomoedge::pipeline::train_supervised(o); }).find("--adv-start"), std::string::npos);
}

TEST_F(Training, CorpusOfFilesTrainsValidatesOnEachAndNamesThemInTheRecipe) {
    TempDir other;
    write_dataset(other / "data.h5", 4, 40, 2, 32);  // another size: a corpus mixes conditions
    TrainOptions o = tiny(data());
    o.data.push_back(other / "data.h5");
    o.mse_only = true;
    o.iterations = 4;
    o.val_every = 4;
    o.val_slices = 1;
    const TrainResult r = tomoedge::pipeline::train_supervised(o);
    ASSERT_EQ(r.validations.size(), 1u);
    // The printed number is the mean of the two files' validations.
    const VolumePair t1 = pipeline::read_volume_pair(o.data[0], "test_ns", "test_gt", o.normalisation);
    const VolumePair t2 = pipeline::read_volume_pair(o.data[1], "test_ns", "test_gt", o.normalisation);
    const ValidationLog v1 = validate(*r.generator.ptr(), t1, 1), v2 = validate(*r.generator.ptr(), t2, 1);
    EXPECT_NEAR(r.validations[0].ssim, (v1.ssim + v2.ssim) / 2, 1e-9);
    EXPECT_NEAR(r.validations[0].psnr, (v1.psnr + v2.psnr) / 2, 1e-9);
    const auto recipe = nlohmann::json::parse(trained_model(r, o).metadata.at("tomoedge.training"));
    EXPECT_EQ(recipe["data"], nlohmann::json::array({(dir_->path().filename() / "data.h5").string(),
                                                    (other.path().filename() / "data.h5").string()}));
    EXPECT_EQ(recipe["corpus"].size(), 2u);
}

TEST_F(Training, SameSeedSameLossesBitForBit) {
    TrainOptions o = tiny(data());
    o.iterations = 4;
    const TrainResult a = tomoedge::pipeline::train_supervised(o);
    const TrainResult b = tomoedge::pipeline::train_supervised(o);
    ASSERT_EQ(a.log.size(), b.log.size());
    for (std::size_t i = 0; i < a.log.size(); ++i) {
        EXPECT_EQ(a.log[i].gen_total, b.log[i].gen_total) << i;
        EXPECT_EQ(a.log[i].mse, b.log[i].mse) << i;
        EXPECT_EQ(a.log[i].adv, b.log[i].adv) << i;
        EXPECT_EQ(a.log[i].disc, b.log[i].disc) << i;
    }
    EXPECT_TRUE(same_parameters(*a.generator.ptr(), *b.generator.ptr()));
    o.seed = 8;
    const TrainResult c = tomoedge::pipeline::train_supervised(o);
    EXPECT_NE(a.log[0].gen_total, c.log[0].gen_total);
}

TEST_F(Training, ResumedRunContinuesBitIdentically) {
    TempDir ckpt;
    TrainOptions o = tiny(data());
    o.iterations = 6;
    o.checkpoint_dir = ckpt.path();
    o.checkpoint_every = 3;
    const TrainResult full = tomoedge::pipeline::train_supervised(o);
    ASSERT_EQ(full.checkpoints.size(), 2u);
    EXPECT_EQ(full.checkpoints[0], checkpoint_path(ckpt.path(), 3));
    const CheckpointState state = read_checkpoint_state(full.checkpoints[0]);
    EXPECT_EQ(state.iteration, 3);
    EXPECT_EQ(state.seed, 7u);
    EXPECT_EQ(state.recipe, recipe_json(o));

    TrainOptions r = o;
    r.checkpoint_dir.clear();
    r.resume = full.checkpoints[0];
    const TrainResult resumed = tomoedge::pipeline::train_supervised(r);
    EXPECT_EQ(resumed.start_iteration, 3);
    ASSERT_EQ(resumed.log.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(resumed.log[i].iteration, full.log[i + 3].iteration);
        EXPECT_EQ(resumed.log[i].gen_total, full.log[i + 3].gen_total) << i;
        EXPECT_EQ(resumed.log[i].disc, full.log[i + 3].disc) << i;
    }
    EXPECT_TRUE(same_parameters(*resumed.generator.ptr(), *full.generator.ptr()));
    EXPECT_TRUE(same_parameters(*resumed.discriminator.ptr(), *full.discriminator.ptr()));
    EXPECT_GE(resumed.wall_seconds, state.wall_seconds);
}

TEST_F(Training, ResumeRefusesOtherSettingsAndBadFiles) {
    TempDir ckpt;
    TrainOptions o = tiny(data());
    o.iterations = 2;
    o.checkpoint_dir = ckpt.path();
    const TrainResult r = tomoedge::pipeline::train_supervised(o);
    ASSERT_EQ(r.checkpoints.size(), 1u);  // only at the end: no validation, no period

    TrainOptions other = tiny(data());
    other.iterations = 3;
    other.resume = r.checkpoints[0];
    other.patch = 8;
    const std::string m = message_of([&] { tomoedge::pipeline::train_supervised(other); });
    EXPECT_NE(m.find("ckpt-000000002.pt"), std::string::npos) << m;
    EXPECT_NE(m.find("patch"), std::string::npos) << m;

    other = tiny(data());
    other.iterations = 1;
    other.resume = r.checkpoints[0];
    EXPECT_NE(message_of([&] { tomoedge::pipeline::train_supervised(other); }).find("beyond --iterations"), std::string::npos);

    std::ofstream(ckpt / "junk.pt") << "not a checkpoint";
    other.iterations = 3;
    other.resume = ckpt / "junk.pt";
    EXPECT_NE(message_of([&] { tomoedge::pipeline::train_supervised(other); }).find("junk.pt"), std::string::npos);
    other.resume = ckpt / "missing.pt";
    EXPECT_NE(message_of([&] { tomoedge::pipeline::train_supervised(other); }).find("no such checkpoint"), std::string::npos);
}

TEST_F(Training, RejectsBadOptions) {
    TrainOptions o = tiny(data());
    o.iterations = 0;
    EXPECT_NE(message_of([&] { tomoedge::pipeline::train_supervised(o); }).find("--iterations"), std::string::npos);
    o = tiny(data());
    o.mse_only = true;
    o.vgg = "vgg.h5";
    EXPECT_NE(message_of([&] { tomoedge::pipeline::train_supervised(o); }).find("--mse-only"), std::string::npos);
    o = tiny(data());
    o.lr = -1;
    EXPECT_NE(message_of([&] { tomoedge::pipeline::train_supervised(o); }).find("--lr"), std::string::npos);
    o = tiny(data());
    o.patch = 64;
    EXPECT_NE(message_of([&] { tomoedge::pipeline::train_supervised(o); }).find("does not fit"), std::string::npos);
}

TEST_F(Training, ValidatesAndExportsTheRecipe) {
    TrainOptions o = tiny(data());
    o.mse_only = true;
    o.iterations = 6;
    o.val_every = 3;
    o.val_slices = 2;
    const TrainResult r = tomoedge::pipeline::train_supervised(o);
    ASSERT_EQ(r.validations.size(), 2u);
    EXPECT_EQ(r.validations[0].iteration, 3);
    EXPECT_EQ(r.validations[1].iteration, 6);
    for (const auto& v : r.validations) {
        EXPECT_GT(v.ssim, -1.0);
        EXPECT_LE(v.ssim, 1.0);
        EXPECT_GT(v.input_ssim, 0.0);
        EXPECT_LT(v.input_ssim, 1.0);
        EXPECT_TRUE(std::isfinite(v.psnr));
    }
    EXPECT_EQ(r.validations[0].input_ssim, r.validations[1].input_ssim);  // same slices

    const model::Graph g = trained_model(r, o);
    const model::ModelInfo info = model::read_model_info(g);
    EXPECT_EQ(info.weights, "trained");
    EXPECT_EQ(info.seed, std::optional<std::uint64_t>(7));
    EXPECT_EQ(info.width, 0.25);
    ASSERT_TRUE(info.normalisation.has_value());
    EXPECT_EQ(*info.normalisation, o.normalisation);
    const auto recipe = nlohmann::json::parse(info.training);
    EXPECT_EQ(recipe["iterations"], 6);
    EXPECT_EQ(recipe["seed"], 7);
    EXPECT_EQ(recipe["losses"], "mse");
    EXPECT_EQ(recipe["data"], "data.h5");
    EXPECT_EQ(recipe["patch"], 16);
    EXPECT_TRUE(recipe.contains("wall_seconds"));
    EXPECT_EQ(recipe["validation"]["iteration"], 6);
}

TEST_F(Training, CommandTrainsAndWritesAModel) {
    TempDir out;
    const auto model_file = out / "m.onnx";
    const auto res = run_tomoedge({"train", "--data", data().string(), "-o", model_file.string(), "--iterations", "3",
                                   "--patch", "16", "--batch", "1", "--width", "0.25", "--val-every", "2",
                                   "--val-slices", "1", "--threads", "1", "--checkpoint", (out / "ck").string(),
                                   "--json"});
    ASSERT_EQ(res.exit_code, 0) << res.err;
    // Said once, not per iteration.
    const std::string note = "perceptual loss disabled: no VGG19 weights given";
    const auto at = res.err.find(note);
    ASSERT_NE(at, std::string::npos) << res.err;
    EXPECT_EQ(res.err.find(note, at + 1), std::string::npos);
    const auto j = nlohmann::json::parse(res.out);
    EXPECT_EQ(j["iterations"], 3);
    EXPECT_TRUE(j["loss"]["discriminator"].is_number());
    EXPECT_TRUE(j["loss"]["perceptual"].is_null());
    EXPECT_EQ(j["validation"]["iteration"], 3);
    EXPECT_EQ(j["checkpoints"].size(), 2u);  // at validation 2 and at the end
    const model::Graph g = model::import_onnx(model_file);
    EXPECT_EQ(model::read_model_info(g).weights, "trained");

    const auto resumed = run_tomoedge({"train", "--data", data().string(), "-o", model_file.string(),
                                       "--iterations", "4", "--patch", "16", "--batch", "1", "--width", "0.25",
                                       "--val-every", "0", "--threads", "1", "--resume",
                                       (out / "ck" / "ckpt-000000003.pt").string(), "--json"});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(nlohmann::json::parse(resumed.out)["start_iteration"], 3);
}

TEST_F(Training, CommandErrors) {
    TempDir out;
    const auto missing = run_tomoedge({"train", "--data", (out / "none.h5").string(), "-o", (out / "m.onnx").string()});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.err.find("none.h5"), std::string::npos) << missing.err;
    EXPECT_FALSE(std::filesystem::exists(out / "m.onnx"));
    const auto no_output = run_tomoedge({"train", "--data", data().string()});
    EXPECT_EQ(no_output.exit_code, 2);
    const auto bad_patch = run_tomoedge({"train", "--data", data().string(), "-o", (out / "m.onnx").string(),
                                         "--patch", "12", "--iterations", "1"});
    EXPECT_EQ(bad_patch.exit_code, 1);
    EXPECT_NE(bad_patch.err.find("--patch"), std::string::npos) << bad_patch.err;
}

TEST_F(Training, CommandRecipes) {
    TempDir out;
    const auto base = [&](std::vector<std::string> extra) {
        std::vector<std::string> args{"train", "--data", data().string(), "-o", (out / "m.onnx").string(),
                                      "--iterations", "4", "--patch", "16", "--batch", "1", "--width", "0.25",
                                      "--val-every", "0", "--threads", "1"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_tomoedge(args);
    };
    const auto gan = base({"--recipe", "gan"});
    ASSERT_EQ(gan.exit_code, 0) << gan.err;
    auto recipe = nlohmann::json::parse(model::read_model_info(model::import_onnx(out / "m.onnx")).training);
    EXPECT_EQ(recipe["adv_weighting"], "adaptive");
    EXPECT_EQ(recipe["adv_start"], 100);  // fixed, so that a resumed run with more iterations keeps it
    EXPECT_EQ(recipe["lambda_adv"], 0.1);
    EXPECT_EQ(recipe["lambda_mse"], 1.0);
    const auto explicit_weight = base({"--recipe", "gan", "--lambda-adv", "0.3", "--adv-start", "2"});
    ASSERT_EQ(explicit_weight.exit_code, 0) << explicit_weight.err;
    recipe = nlohmann::json::parse(model::read_model_info(model::import_onnx(out / "m.onnx")).training);
    EXPECT_EQ(recipe["lambda_adv"], 0.3);  // a flag given wins over the recipe
    EXPECT_EQ(recipe["adv_start"], 2);
    const auto mse = base({"--recipe", "mse"});
    ASSERT_EQ(mse.exit_code, 0) << mse.err;
    EXPECT_EQ(nlohmann::json::parse(model::read_model_info(model::import_onnx(out / "m.onnx")).training)["losses"], "mse");

    std::filesystem::remove(out / "m.onnx");
    const auto unknown = base({"--recipe", "wgan"});
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_NE(unknown.err.find("--recipe: unknown recipe 'wgan'"), std::string::npos) << unknown.err;
    const auto both = base({"--recipe", "gan", "--mse-only"});
    EXPECT_EQ(both.exit_code, 1);
    EXPECT_NE(both.err.find("choose one"), std::string::npos) << both.err;
    EXPECT_FALSE(std::filesystem::exists(out / "m.onnx"));
}

// The validation SSIM/PSNR the log prints is what a user measures afterwards: `compare` on the
// exported model's `denoise` output, whole test volume, same data-range convention.
TEST_F(Training, ValidationIsWhatCompareMeasuresOnTheExportedModel) {
    TempDir out;
    const auto model_file = out / "m.onnx";
    const auto res = run_tomoedge({"train", "--data", data().string(), "-o", model_file.string(), "--iterations", "30",
                                   "--patch", "16", "--batch", "2", "--width", "0.25", "--mse-only", "--lr", "2e-3",
                                   "--val-every", "30", "--threads", "1", "--json"});
    ASSERT_EQ(res.exit_code, 0) << res.err;
    const auto v = nlohmann::json::parse(res.out)["validation"];
    const auto dn = run_tomoedge({"denoise", model_file.string(), data().string() + ":test_ns",
                                  (out / "dn.h5").string() + ":dn", "--backend", "reference"});
    ASSERT_EQ(dn.exit_code, 0) << dn.err;
    const auto cmp = run_tomoedge({"compare", (out / "dn.h5").string() + ":dn", data().string() + ":test_gt", "--json"});
    ASSERT_EQ(cmp.exit_code, 0) << cmp.err;
    const auto c = nlohmann::json::parse(cmp.out)["mean"];
    EXPECT_NEAR(v["ssim"].get<double>(), c["ssim"].get<double>(), 2e-4) << res.out << "\n" << cmp.out;
    EXPECT_NEAR(v["psnr"].get<double>(), c["psnr"].get<double>(), 0.02) << res.out << "\n" << cmp.out;
    const auto cin = run_tomoedge({"compare", data().string() + ":test_ns", data().string() + ":test_gt", "--json"});
    EXPECT_NEAR(v["input_ssim"].get<double>(), nlohmann::json::parse(cin.out)["mean"]["ssim"].get<double>(), 2e-4);
}
