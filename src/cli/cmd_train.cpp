// `tomoedge train --data DATA.h5 -o MODEL.onnx`: trains TomoGAN (libtorch) on the TomoGAN HDF5
// layout and exports the generator to ONNX with its recipe and normalisation in the metadata.
// A build without libtorch still lists the command, and says how to get it.
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"

#ifdef TOMOEDGE_HAVE_TORCH
#include "io/data_exchange.hpp"
#include "io/data_path.hpp"
#include "io/stack.hpp"
#include "model/onnx_export.hpp"
#include "pipeline/reconstruct_file.hpp"
#include "pipeline/training_files.hpp"
#include "train/export.hpp"
#include "train/trainer.hpp"

#include <fmt/format.h>
#include <malloc.h>

#include <cmath>
#include <cstdio>
#include <optional>
#endif

#include <memory>
#include <string>

namespace tomoedge::cli {
namespace {

#ifdef TOMOEDGE_HAVE_TORCH

struct TrainCommand {
    train::TrainOptions options;
    std::vector<std::string> data;  // one file, or several: a corpus
    std::string output, vgg, checkpoint, resume, scan, reference, init, filter = "shepp-logan", centre, rows;
    // The default: the recipe that won against MSE alone on held-out data (README, "A TomoGAN
    // recipe that trains"); tomogan's fixed weights diverge without VGG19 weights.
    std::string recipe = "gan";
    bool recipe_given = false;
    bool no_augment = false;
    bool json = false;
    // Flags a recipe must not override when the user gave them.
    CLI::Option *lambda_mse = nullptr, *lambda_adv = nullptr, *adv_start = nullptr;
};

bool given(const CLI::Option* option) { return option != nullptr && option->count() > 0; }

// The recipes `train --recipe` names (README, "A TomoGAN recipe that trains"):
//   mse      the generator on MSE alone;
//   tomogan  the paper's fixed weights: 0.5 MSE + 20 adversarial (+ 2 perceptual with --vgg),
//            two discriminator steps per generator step;
//   gan      MSE + an adversarial term whose weight adapts so that its gradient at the output
//            layer is --lambda-adv (0.1) of the content gradient there; the first 100 iterations
//            train the generator on content alone while the discriminator learns.
// Flags given explicitly win over the recipe's values.
void apply_recipe(TrainCommand& c) {
    auto& o = c.options;
    if (o.mse_only && c.recipe != "mse") {
        if (c.recipe_given) fail("--mse-only and --recipe {}: choose one", c.recipe);
        c.recipe = "mse";
    }
    if (c.recipe == "mse") {
        o.mse_only = true;
    } else if (c.recipe == "tomogan") {
        o.weights.adaptive = false;
    } else if (c.recipe == "gan") {
        o.weights.adaptive = true;
        if (!given(c.lambda_mse)) o.weights.mse = 1.0;
        if (!given(c.lambda_adv)) o.weights.adv = 0.1;
        if (!given(c.adv_start)) o.adv_start = 100;  // not tied to --iterations: a resumed run keeps it
    } else {
        fail("--recipe: unknown recipe '{}' (use mse, gan or tomogan)", c.recipe);
    }
}

nlohmann::json number_or_null(double value) {
    return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

std::string format_loss(double value) { return std::isnan(value) ? "-" : fmt::format("{:.5g}", value); }

// libtorch frees and reallocates activations of tens of MB every step. Above glibc's mmap threshold
// (at most 32 MB) each one is a fresh mmap whose pages the kernel zeroes on first touch: on 2 cores
// that was 44 s of system time in 62 s of training. Serving them from the heap, and keeping freed
// memory instead of trimming it, halves the wall time of an iteration.
void keep_freed_memory_for_reuse() {
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, -1);
}

// The scan's sub-reconstructions (Noise2Inverse), with recon's normalisation, centre and filter.
train::SplitVolumes split_scan(const TrainCommand& c) {
    pipeline::ReconOptions r;
    r.window = recon::parse_filter_window(c.filter);
    pipeline::parse_centre(c.centre, r);
    if (!c.rows.empty()) {
        const io::ProjectionInfo info = io::read_projection_info(c.scan);
        std::tie(r.row_first, r.row_count) = pipeline::parse_row_range(c.rows, info.rows);
    }
    pipeline::ReconSummary summary;
    auto subsets = pipeline::reconstruct_subsets_file(c.scan, r, c.options.splits, &summary);
    if (c.options.verbose)
        std::fprintf(stderr, "train: %d sub-reconstructions of %s: %lld slices of %lld x %lld, %lld angles, centre %.2f (%s), %.1f s\n",
                     c.options.splits, c.scan.c_str(), static_cast<long long>(summary.slices),
                     static_cast<long long>(summary.size), static_cast<long long>(summary.size),
                     static_cast<long long>(summary.angles), summary.centre, summary.centre_source.c_str(),
                     summary.seconds);
    return train::make_split_volumes(std::move(subsets), c.options.normalisation);
}

// Validation data for self-supervised training: the full reconstruction against a reference
// (e.g. a normal-dose reconstruction), mapped like the training volumes. It only reports.
train::VolumePair reference_pair(const train::SplitVolumes& volumes, const std::string& reference) {
    const io::DataPath path = io::parse_data_path(reference);
    auto reader = io::StackReader::open(path);
    const Shape& want = volumes.sum.shape();
    if (reader->info().shape != want)
        fail("{}: shape {} differs from the scan's reconstruction {}", reader->name(), reader->info().shape.str(),
             want.str());
    train::VolumePair pair;
    pair.noisy = train::full_reconstruction(volumes);
    pair.clean = reader->read(0, want[0]);
    pair.low = volumes.low;
    pair.high = volumes.high;
    const float scale = static_cast<float>(1.0 / (volumes.high - volumes.low));
    const float offset = static_cast<float>(volumes.low);
    for (auto& v : pair.clean) {
        if (!std::isfinite(v)) fail("{}: holds a non-finite value (NaN or Inf)", reader->name());
        v = (v - offset) * scale;
    }
    return pair;
}

void run_train(TrainCommand& c) {
    keep_freed_memory_for_reuse();
    auto& o = c.options;
    o.data.assign(c.data.begin(), c.data.end());
    o.vgg = c.vgg;
    o.checkpoint_dir = c.checkpoint;
    o.resume = c.resume;
    o.init = c.init;
    o.augment = !c.no_augment;
    if (o.self_supervised && c.recipe_given && c.recipe != "mse")
        fail("--self-supervised trains on MSE alone; drop --recipe {}", c.recipe);
    if (o.self_supervised) c.recipe = "mse";
    apply_recipe(c);
    train::TrainResult result;
    if (o.self_supervised) {
        if (c.scan.empty()) fail("--self-supervised needs --scan SCAN.h5 (Data Exchange projections)");
        if (!c.data.empty()) fail("--self-supervised trains on --scan alone; drop --data (or --self-supervised)");
        if (!c.vgg.empty()) fail("--self-supervised trains on MSE alone; drop --vgg");
        o.mse_only = true;
        o.scan = c.scan;
        const train::SplitVolumes volumes = split_scan(c);
        std::optional<train::VolumePair> validation;
        if (!c.reference.empty()) validation = reference_pair(volumes, c.reference);
        result = train::train_self_supervised(o, volumes, validation ? &*validation : nullptr);
    } else {
        if (!c.scan.empty() || !c.reference.empty())
            fail("--scan and --reference are for --self-supervised training; supervised training reads --data");
        if (c.data.empty()) fail("--data: no training data file given (or --self-supervised --scan SCAN.h5)");
        result = pipeline::train_supervised(o);
    }
    const model::Graph graph = train::trained_model(result, o);
    model::export_onnx(graph, c.output);

    const train::IterationLog last = result.log.empty() ? train::IterationLog{} : result.log.back();
    if (c.json) {
        nlohmann::json j;
        j["output"] = c.output;
        j["iterations"] = result.iterations;
        j["start_iteration"] = result.start_iteration;
        j["wall_seconds"] = result.wall_seconds;
        j["loss"] = {{"generator", number_or_null(last.gen_total)}, {"mse", number_or_null(last.mse)},
                     {"adversarial", number_or_null(last.adv)}, {"perceptual", number_or_null(last.perc)},
                     {"discriminator", number_or_null(last.disc)}};
        if (!result.validations.empty()) {
            const auto& v = result.validations.back();
            j["validation"] = {{"iteration", v.iteration}, {"ssim", v.ssim}, {"psnr", number_or_null(v.psnr)},
                               {"input_ssim", v.input_ssim}, {"input_psnr", number_or_null(v.input_psnr)}};
        }
        j["checkpoints"] = nlohmann::json::array();
        for (const auto& p : result.checkpoints) j["checkpoints"].push_back(p.string());
        print_json(j);
        return;
    }
    std::vector<std::vector<std::string>> rows{
        {"iterations", std::to_string(result.iterations)},
        {"wall time (s)", fmt::format("{:.1f}", result.wall_seconds)},
        {"generator loss", format_loss(last.gen_total)},
        {"mse", format_loss(last.mse)},
        {"adversarial", format_loss(last.adv)},
        {"perceptual", format_loss(last.perc)},
        {"discriminator loss", format_loss(last.disc)},
    };
    if (!result.validations.empty()) {
        const auto& v = result.validations.back();
        rows.push_back({"validation SSIM", fmt::format("{:.4f}", v.ssim)});
        rows.push_back({"input SSIM", fmt::format("{:.4f}", v.input_ssim)});
        rows.push_back({"validation PSNR (dB)", fmt::format("{:.2f}", v.psnr)});
        rows.push_back({"input PSNR (dB)", fmt::format("{:.2f}", v.input_psnr)});
    }
    rows.push_back({"model", c.output});
    print_table({"train", "value"}, rows);
}

void add_train_command(CLI::App& app) {
    auto c = std::make_shared<TrainCommand>();
    auto& o = c->options;
    auto* cmd = app.add_subcommand("train", "Train TomoGAN (libtorch) and export the generator to ONNX");
    cmd->add_option("--data", c->data,
                    "Training data, TomoGAN HDF5 layout (train_ns/train_gt, test_ns/test_gt). Several files (--data A.h5 "
                    "B.h5 ...) make a corpus: each normalised by its own range, every patch from one chosen uniformly, "
                    "validation the mean over the files");
    cmd->add_flag("--self-supervised", o.self_supervised,
                  "Noise2Inverse: learn from the low-dose scan alone (--scan), no clean data: the angles are split "
                  "into --splits interleaved subsets, each reconstructed by FBP; the network learns to predict one "
                  "sub-reconstruction from the mean of the others (X:1), with MSE");
    cmd->add_option("--scan", c->scan, "With --self-supervised: the scan, Data Exchange HDF5 (projections, flats, "
                                       "darks, theta over a half turn)");
    cmd->add_option("--splits", o.splits, "With --self-supervised: interleaved angle subsets K")->capture_default_str();
    cmd->add_option("--reference", c->reference,
                    "With --self-supervised: FILE.h5:DATASET or TIFF stack to validate against (e.g. a normal-dose "
                    "reconstruction of the same rows); reported only, never trained on");
    cmd->add_option("--filter", c->filter, "With --scan: FBP window, as recon: " + recon::filter_window_names())
        ->capture_default_str();
    cmd->add_option("--center", c->centre, "With --scan: rotation axis column or 'auto', as recon");
    cmd->add_option("--rows", c->rows, "With --scan: detector rows FIRST:END, as recon");
    cmd->add_option("--init", c->init,
                    "Warm start: an fp32 TomoGAN ONNX model of the same layout (tomoedge's or PyTorch-exported)");
    cmd->add_option("-o,--output", c->output, "The trained model (.onnx)")->required();
    cmd->add_option("--iterations", o.iterations, "Iterations to reach (one = 1 generator + 2 discriminator steps)")
        ->capture_default_str();
    cmd->add_option("--patch", o.patch, "Patch size in pixels (a multiple of 8)")->capture_default_str();
    cmd->add_option("--batch", o.batch, "Patches per step")->capture_default_str();
    cmd->add_flag("--no-augment", c->no_augment, "No flips or 90-degree rotations of the patches");
    cmd->add_option_function<std::string>(
           "--recipe",
           [c](const std::string& r) {
               c->recipe = r;
               c->recipe_given = true;
           },
           "mse (MSE alone), gan (MSE + an adaptively weighted adversarial term after 100 content-only iterations) or "
           "tomogan (the paper's fixed weights: 0.5 MSE + 20 adversarial + 2 perceptual with --vgg)")
        ->default_str(c->recipe);
    cmd->add_flag("--mse-only", o.mse_only, "Same as --recipe mse");
    cmd->add_option("--vgg", c->vgg, "VGG19 weights (HDF5, docs/vgg19-weights.md) for the perceptual loss");
    cmd->add_option("--vgg-layer", o.vgg_layer, "VGG19 layer whose features the perceptual loss compares")
        ->capture_default_str();
    c->lambda_mse = cmd->add_option("--lambda-mse", o.weights.mse, "Weight of the MSE term (gan recipe: 1)")
                        ->capture_default_str();
    c->lambda_adv = cmd->add_option("--lambda-adv", o.weights.adv,
                                    "Weight of the adversarial term (gan recipe: 0.1, the ratio of its gradient to the "
                                    "content's at the output layer)")
                        ->capture_default_str();
    cmd->add_option("--lambda-perc", o.weights.perc, "Weight of the perceptual term")->capture_default_str();
    cmd->add_option("--lr", o.lr, "Adam learning rate (both networks)")->capture_default_str();
    cmd->add_option("--disc-steps", o.disc_steps, "Discriminator steps per iteration")->capture_default_str();
    c->adv_start = cmd->add_option("--adv-start", o.adv_start,
                                   "Iterations on the content terms alone before the adversarial term joins (gan "
                                   "recipe: 100)")
                       ->capture_default_str();
    cmd->add_option("--width", o.generator.width, "Generator channel multiplier (1 = published TomoGAN)")
        ->capture_default_str();
    cmd->add_option("--val-every", o.val_every, "Validate SSIM/PSNR on test_ns/test_gt every K iterations (0 = never)")
        ->capture_default_str();
    cmd->add_option("--val-slices", o.val_slices, "Test slices to validate on, evenly spaced (0 = all: the number `compare` gives for the exported "
                    "model's denoise output on the whole test volume)")->capture_default_str();
    cmd->add_option("--checkpoint", c->checkpoint, "Folder for checkpoints (ckpt-<iteration>.pt)");
    cmd->add_option("--checkpoint-every", o.checkpoint_every, "Checkpoint every K iterations (0 = at validations)")
        ->capture_default_str();
    cmd->add_option("--resume", c->resume, "Continue from a checkpoint (same settings)");
    cmd->add_option("--seed", o.seed, "Seed of the weights and the patch draws (same seed: same run)")
        ->capture_default_str();
    add_threads_option(*cmd, o.threads);
    add_json_flag(*cmd, c->json);
    cmd->callback([c] { run_train(*c); });
}

#else

void add_train_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("train", "Train TomoGAN (needs a build with libtorch)");
    cmd->allow_extras();
    cmd->callback([] { fail("train: this build has no libtorch; rebuild with libtorch-dev installed"); });
}

#endif

}  // namespace

TOMOEDGE_COMMAND("train", add_train_command);

}  // namespace tomoedge::cli
