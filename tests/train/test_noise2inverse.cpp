// Noise2Inverse (self-supervised) training and warm starts: the X:1 pairing against its closed
// form, a tiny run on a simulated low-dose scan whose loss falls and whose output beats its
// input, the --init round trip, and the `train --self-supervised` command with its errors.
#include "core/error.hpp"
#include "io/data_exchange.hpp"
#include "io/hdf5.hpp"
#include "model/model_info.hpp"
#include "model/onnx_export.hpp"
#include "model/onnx_import.hpp"
#include "recon/angle_split.hpp"
#include "recon/dose.hpp"
#include "recon/fbp.hpp"
#include "recon/geometry.hpp"
#include "recon/normalise.hpp"
#include "recon/phantom.hpp"
#include "recon/projector.hpp"
#include "support/cli_runner.hpp"
#include "support/temp_dir.hpp"
#include "train/export.hpp"
#include "train/noise2inverse.hpp"
#include "train/trainer.hpp"
#include "train_fixtures.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <set>

using namespace tomoedge;
using namespace tomoedge::train;
using tomoedge::testing::run_tomoedge;
using tomoedge::testing::TempDir;
using tomoedge::train_testing::message_of;

namespace {

// K volumes whose voxel value says where it came from: 1000 j + 10 z + (y + x) / 100.
std::vector<Tensor<float>> labelled_subsets(int k, std::int64_t n, std::int64_t h, std::int64_t w) {
    std::vector<Tensor<float>> out;
    for (int j = 0; j < k; ++j) {
        Tensor<float> t(Shape{n, h, w});
        for (std::int64_t z = 0; z < n; ++z)
            for (std::int64_t y = 0; y < h; ++y)
                for (std::int64_t x = 0; x < w; ++x)
                    t[(z * h + y) * w + x] = static_cast<float>(1000 * j + 10 * z) + static_cast<float>(y + x) / 100.0f;
        out.push_back(std::move(t));
    }
    return out;
}

// A small foam scan: line integrals (angles, rows, cols) of `rows` slices of `size` pixels.
Tensor<float> foam_integrals(std::int64_t rows, std::int64_t size, std::int64_t angles) {
    recon::FoamOptions f;
    f.seed = 11;
    f.count = 40;
    const recon::Phantom phantom = recon::foam_phantom(f);
    const auto rad = recon::to_radians(recon::angles_deg(angles));
    Tensor<float> L(Shape{angles, rows, size});
    for (std::int64_t r = 0; r < rows; ++r)
        recon::project(recon::slice_phantom(phantom, recon::slice_z(r, rows, size), size), rad, size,
                       recon::default_centre(size), L.data() + r * size, rows * size);
    return L;
}

TrainOptions tiny_self_supervised() {
    TrainOptions o;
    o.self_supervised = true;
    o.mse_only = true;
    o.splits = 4;
    o.patch = 16;
    o.batch = 4;
    o.generator.width = 0.25;
    o.lr = 2e-3;
    o.val_every = 0;
    o.threads = 1;
    o.verbose = false;
    o.seed = 3;
    return o;
}

}  // namespace

TEST(Noise2Inverse, SplitVolumesAreNormalisedByTheFullReconstruction) {
    const auto raw = labelled_subsets(4, 3, 8, 8);  // the same volumes again, for the oracle
    const SplitVolumes v = make_split_volumes(labelled_subsets(4, 3, 8, 8), {0, 100});
    // Percentiles 0 and 100 of the mean volume: its min and max.
    double lo = 1e30, hi = -1e30;
    for (std::int64_t i = 0; i < raw[0].size(); ++i) {
        double m = 0;
        for (const auto& t : raw) m += t[i] / 4.0;
        lo = std::min(lo, m), hi = std::max(hi, m);
    }
    EXPECT_NEAR(v.low, lo, 1e-3);
    EXPECT_NEAR(v.high, hi, 1e-3);
    const Tensor<float> full = full_reconstruction(v);
    for (int target = 0; target < 4; ++target) {
        const Tensor<float> x1 = leave_one_out_mean(v, target);
        for (std::int64_t i = 0; i < x1.size(); i += 7) {
            double others = 0, all = 0;
            for (int j = 0; j < 4; ++j) {
                const double mapped = (raw[static_cast<std::size_t>(j)][i] - v.low) / (v.high - v.low);
                all += mapped / 4;
                if (j != target) others += mapped / 3;
            }
            ASSERT_NEAR(x1[i], others, 1e-4) << target << " " << i;
            ASSERT_NEAR(full[i], all, 1e-4) << i;
        }
    }
}

TEST(Noise2Inverse, BadSubsetsAreErrors) {
    EXPECT_NE(message_of([] { make_split_volumes(labelled_subsets(1, 2, 8, 8), {0, 100}); }).find("at least 2"),
              std::string::npos);
    auto mixed = labelled_subsets(2, 2, 8, 8);
    mixed.push_back(Tensor<float>(Shape{2, 8, 16}, 0.0f));
    EXPECT_NE(message_of([&] { make_split_volumes(std::move(mixed), {0, 100}); }).find("sub-reconstruction 2 has shape"),
              std::string::npos);
    auto nan = labelled_subsets(2, 2, 8, 8);
    nan[1][5] = std::nanf("");
    EXPECT_NE(message_of([&] { make_split_volumes(std::move(nan), {0, 100}); }).find("non-finite"), std::string::npos);
}

TEST(Noise2Inverse, EachPatchIsTheMeanOfTheOtherSubsetsAgainstOneSubset) {
    const SplitVolumes v = make_split_volumes(labelled_subsets(4, 5, 24, 24), {0, 100});
    PatchOptions p;
    p.patch = 8, p.batch = 6, p.depth = 3, p.augment = false, p.seed = 5;
    const Noise2InverseSampler sampler(v, p);
    std::set<int> targets_seen;
    for (std::int64_t index = 0; index < 12; ++index) {
        const Batch b = sampler.batch(index);
        const auto draws = draw_patches(p, v.sum.shape(), index);
        const auto targets = sampler.targets(index);
        ASSERT_EQ(b.input.sizes(), (std::vector<std::int64_t>{6, 3, 8, 8}));
        for (std::size_t k = 0; k < draws.size(); ++k) {
            const int j = targets[k];
            targets_seen.insert(j);
            const Tensor<float> x1 = leave_one_out_mean(v, j);
            const auto group = slice_group(draws[k].slice, 5, 3);
            for (int c = 0; c < 3; ++c)
                for (std::int64_t y = 0; y < 8; ++y)
                    for (std::int64_t x = 0; x < 8; ++x) {
                        const std::int64_t at = (group[static_cast<std::size_t>(c)] * 24 + draws[k].top + y) * 24 +
                                                draws[k].left + x;
                        ASSERT_FLOAT_EQ(b.input[static_cast<std::int64_t>(k)][c][y][x].item<float>(), x1[at]);
                    }
            const std::int64_t at = (draws[k].slice * 24 + draws[k].top + 3) * 24 + draws[k].left + 5;
            EXPECT_FLOAT_EQ(b.target[static_cast<std::int64_t>(k)][0][3][5].item<float>(),
                            v.subsets[static_cast<std::size_t>(j)][at]);
        }
        // Same index, same batch (resume and prefetch rely on it).
        EXPECT_TRUE(torch::equal(sampler.batch(index).input, b.input));
    }
    EXPECT_EQ(targets_seen.size(), 4u);
}

TEST(Noise2Inverse, TinyRunOnALowDoseScanLossFallsAndOutputBeatsInput) {
    const std::int64_t rows = 6, size = 48, angles = 128;
    const Tensor<float> L = foam_integrals(rows, size, angles);
    recon::DoseOptions dose;
    dose.i0 = 150;
    dose.seed = 9;
    const Projections scan = recon::expose(L, recon::angles_deg(angles), dose);
    recon::NormaliseStats stats;
    const Tensor<float> sino = recon::normalise(scan, stats);
    const recon::FbpOptions fbp{recon::FilterWindow::shepp_logan, -1, size};
    SplitVolumes volumes = make_split_volumes(recon::reconstruct_subsets(sino, scan.theta_deg, 4, fbp), {0.5, 99.5});

    // The clean reference: FBP of the noise-free line integrals, all angles (never trained on).
    Tensor<float> clean_sino(Shape{rows, angles, size});
    for (std::int64_t a = 0; a < angles; ++a)
        for (std::int64_t r = 0; r < rows; ++r)
            std::copy(L.data() + (a * rows + r) * size, L.data() + (a * rows + r + 1) * size,
                      clean_sino.data() + (r * angles + a) * size);
    recon::Fbp full(scan.theta_deg, size, fbp);
    VolumePair check;
    check.noisy = full_reconstruction(volumes);
    check.clean = full.reconstruct(clean_sino);
    for (auto& x : check.clean) x = static_cast<float>((x - volumes.low) / (volumes.high - volumes.low));

    TrainOptions o = tiny_self_supervised();
    o.iterations = 250;
    TrainResult r = train_self_supervised(o, volumes, nullptr);
    ASSERT_EQ(r.log.size(), 250u);
    double first = 0, last = 0;
    for (int i = 0; i < 10; ++i) first += r.log[static_cast<std::size_t>(i)].mse / 10, last += r.log[240 + static_cast<std::size_t>(i)].mse / 10;
    EXPECT_LT(last, 0.7 * first) << first << " -> " << last;
    const ValidationLog v = validate(*r.generator, check, static_cast<int>(rows));
    std::printf("tiny Noise2Inverse run: SSIM %.4f (input %.4f), PSNR %.2f dB (input %.2f dB)\n", v.ssim,
                v.input_ssim, v.psnr, v.input_psnr);
    EXPECT_GT(v.ssim, v.input_ssim + 0.05) << "output " << v.ssim << " input " << v.input_ssim;
    EXPECT_GT(v.psnr, v.input_psnr + 1.0) << "output " << v.psnr << " input " << v.input_psnr;
    EXPECT_EQ(nlohmann::json::parse(r.recipe)["method"], "noise2inverse");
}

TEST(Noise2Inverse, OptionsThatDoNotFitAreErrors) {
    const SplitVolumes v = make_split_volumes(labelled_subsets(4, 3, 16, 16), {0, 100});
    TrainOptions o = tiny_self_supervised();
    o.iterations = 1;
    o.mse_only = false;
    EXPECT_NE(message_of([&] { train_self_supervised(o, v, nullptr); }).find("MSE alone"), std::string::npos);
    o.mse_only = true;
    o.splits = 3;
    EXPECT_NE(message_of([&] { train_self_supervised(o, v, nullptr); }).find("4 sub-reconstructions given for --splits 3"),
              std::string::npos);
}

TEST(WarmStart, InitRoundTripCopiesEveryWeight) {
    torch::manual_seed(1);
    Generator a(GeneratorConfig{3, 0.25});
    initialise_like_keras(*a);
    const model::Graph g = generator_to_graph(*a, {0.5, 99.5});
    torch::manual_seed(2);
    Generator b(GeneratorConfig{3, 0.25});
    initialise_like_keras(*b);
    load_generator_weights(*b, g, "a.onnx");
    for (const auto& p : a->named_parameters()) EXPECT_TRUE(torch::equal(p.value(), b->named_parameters()[p.key()])) << p.key();

    // Through a file and the trainer: iteration 0 of a warm-started run is the model it started from.
    TempDir dir;
    model::export_onnx(g, dir / "init.onnx");
    auto subsets = labelled_subsets(4, 3, 16, 16);
    const SplitVolumes v = make_split_volumes(std::move(subsets), {0, 100});
    TrainOptions o = tiny_self_supervised();
    o.init = dir / "init.onnx";
    o.iterations = 1;
    o.lr = 1e-12;  // one step that moves nothing measurable
    const TrainResult r = train_self_supervised(o, v, nullptr);
    for (const auto& p : a->named_parameters())
        EXPECT_TRUE(torch::allclose(p.value(), r.generator->named_parameters()[p.key()], 0, 1e-6)) << p.key();
    EXPECT_EQ(nlohmann::json::parse(r.recipe)["init"], "init.onnx");
}

TEST(WarmStart, AnotherLayoutOrAnInt8ModelIsRefused) {
    torch::manual_seed(1);
    Generator wide(GeneratorConfig{3, 0.5});
    const model::Graph g = generator_to_graph(*wide, {0.5, 99.5});
    Generator narrow(GeneratorConfig{3, 0.25});
    std::string m = message_of([&] { load_generator_weights(*narrow, g, "wide.onnx"); });
    EXPECT_NE(m.find("wide.onnx: Conv"), std::string::npos) << m;
    EXPECT_NE(m.find("another layout"), std::string::npos) << m;
    Generator one_slice(GeneratorConfig{1, 0.5});
    m = message_of([&] { load_generator_weights(*one_slice, g, "wide.onnx"); });
    EXPECT_NE(m.find("another layout"), std::string::npos) << m;
    const model::Graph int8 = model::import_onnx(std::string(TOMOEDGE_SOURCE_DIR) + "/models/tomogan-general-int8.onnx");
    Generator full(GeneratorConfig{3, 1.0});
    m = message_of([&] { load_generator_weights(*full, int8, "int8.onnx"); });
    EXPECT_NE(m.find("warm starts need the fp32 model"), std::string::npos) << m;
}

namespace {

// A Data Exchange scan of `angles` projections over `span_deg` (a half turn by default).
void write_scan(const std::filesystem::path& file, std::int64_t angles, double span_deg = 180) {
    const Tensor<float> L = foam_integrals(4, 32, angles);
    std::vector<float> theta(static_cast<std::size_t>(angles));
    for (std::int64_t a = 0; a < angles; ++a)
        theta[static_cast<std::size_t>(a)] = static_cast<float>(span_deg * static_cast<double>(a) / static_cast<double>(angles));
    recon::DoseOptions dose;
    dose.i0 = 300;
    io::write_projections(file, recon::expose(L, theta, dose));
}

}  // namespace

TEST(TrainCli, SelfSupervisedOnAScanWritesAModelThatSaysHowItWasTrained) {
    TempDir dir;
    write_scan(dir / "scan.h5", 64);
    const auto model = dir / "n2i.onnx";
    const auto r = run_tomoedge({"train", "--self-supervised", "--scan", (dir / "scan.h5").string(), "--splits", "4",
                                 "--iterations", "3", "--patch", "16", "--batch", "2", "--width", "0.25", "--threads",
                                 "1", "--json", "-o", model.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["iterations"], 3);
    const model::ModelInfo info = model::read_model_info(model::import_onnx(model));
    const auto recipe = nlohmann::json::parse(info.training);
    EXPECT_EQ(recipe["mode"], "self-supervised");
    EXPECT_EQ(recipe["method"], "noise2inverse");
    EXPECT_EQ(recipe["splits"], 4);
    EXPECT_EQ(recipe["data"], "scan.h5");
    EXPECT_EQ(recipe["losses"], "mse");

    // Warm start from it, with a reference to validate against (the full reconstruction itself:
    // SSIM of the input is then 1).
    const auto recon_out = dir / "full.h5";
    ASSERT_EQ(run_tomoedge({"recon", (dir / "scan.h5").string(), "-o", recon_out.string() + ":recon"}).exit_code, 0);
    const auto r2 = run_tomoedge({"train", "--self-supervised", "--scan", (dir / "scan.h5").string(), "--init",
                                  model.string(), "--reference", recon_out.string() + ":recon", "--iterations", "2",
                                  "--patch", "16", "--batch", "2", "--width", "0.25", "--threads", "1", "--json", "-o",
                                  (dir / "warm.onnx").string()});
    ASSERT_EQ(r2.exit_code, 0) << r2.err;
    const auto j2 = nlohmann::json::parse(r2.out);
    EXPECT_NEAR(j2["validation"]["input_ssim"].get<double>(), 1.0, 1e-3);
}

TEST(TrainCli, ScansThatCannotBeSplitAreRefusedWithNothingWritten) {
    TempDir dir;
    write_scan(dir / "few.h5", 24);
    write_scan(dir / "full_turn.h5", 64, 360);
    const auto out = dir / "m.onnx";
    const std::vector<std::string> common{"--iterations", "1", "--patch", "16", "--width", "0.25", "-o", out.string()};
    auto args = [&](std::vector<std::string> a) {
        a.insert(a.end(), common.begin(), common.end());
        return a;
    };
    auto r = run_tomoedge(args({"train", "--self-supervised", "--scan", (dir / "few.h5").string()}));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("few.h5: 24 angles are too few for 4 subsets"), std::string::npos) << r.err;
    r = run_tomoedge(args({"train", "--self-supervised", "--scan", (dir / "full_turn.h5").string()}));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("full_turn.h5: the angles cover 360"), std::string::npos) << r.err;
    r = run_tomoedge(args({"train", "--self-supervised"}));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("--self-supervised needs --scan"), std::string::npos) << r.err;
    r = run_tomoedge(args({"train", "--self-supervised", "--scan", (dir / "missing.h5").string()}));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("missing.h5"), std::string::npos) << r.err;
    // Flat fields of another detector width than the projections.
    {
        io::Hdf5Writer w(dir / "flats.h5");
        w.write("/exchange/data", Tensor<float>(Shape{64, 4, 32}, 100.0f));
        w.write("/exchange/data_white", Tensor<float>(Shape{2, 4, 30}, 1000.0f));
        w.write("/exchange/data_dark", Tensor<float>(Shape{2, 4, 32}, 10.0f));
        Tensor<float> theta(Shape{64});
        for (std::int64_t a = 0; a < 64; ++a) theta[a] = static_cast<float>(180.0 * static_cast<double>(a) / 64.0);
        w.write("/exchange/theta", theta);
        w.commit();
    }
    r = run_tomoedge(args({"train", "--self-supervised", "--scan", (dir / "flats.h5").string()}));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("flats.h5"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("data_white"), std::string::npos) << r.err;
    // An --init model of another layout (the shipped model is width 1, this run 0.25).
    write_scan(dir / "ok.h5", 64);
    r = run_tomoedge(args({"train", "--self-supervised", "--scan", (dir / "ok.h5").string(), "--init",
                           std::string(TOMOEDGE_SOURCE_DIR) + "/models/tomogan-general.onnx"}));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("tomogan-general.onnx: Conv"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("another layout"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out));
}
