// `tomoedge train --data DATA.h5 -o MODEL.onnx`: trains TomoGAN (libtorch) on the TomoGAN HDF5
// layout and exports the generator to ONNX with its recipe and normalisation in the metadata.
// A build without libtorch still lists the command, and says how to get it.
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"

#ifdef TOMOEDGE_HAVE_TORCH
#include "model/onnx_export.hpp"
#include "train/export.hpp"
#include "train/trainer.hpp"

#include <fmt/format.h>
#include <malloc.h>

#include <cmath>
#endif

#include <memory>
#include <string>

namespace tomoedge::cli {
namespace {

#ifdef TOMOEDGE_HAVE_TORCH

struct TrainCommand {
    train::TrainOptions options;
    std::string data, output, vgg, checkpoint, resume;
    bool no_augment = false;
    bool json = false;
};

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

void run_train(TrainCommand& c) {
    keep_freed_memory_for_reuse();
    auto& o = c.options;
    o.data = c.data;
    o.vgg = c.vgg;
    o.checkpoint_dir = c.checkpoint;
    o.resume = c.resume;
    o.augment = !c.no_augment;
    const train::TrainResult result = train::train(o);
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
    cmd->add_option("--data", c->data, "Training data, TomoGAN HDF5 layout (train_ns/train_gt, test_ns/test_gt)")
        ->required();
    cmd->add_option("-o,--output", c->output, "The trained model (.onnx)")->required();
    cmd->add_option("--iterations", o.iterations, "Iterations to reach (one = 1 generator + 2 discriminator steps)")
        ->capture_default_str();
    cmd->add_option("--patch", o.patch, "Patch size in pixels (a multiple of 8)")->capture_default_str();
    cmd->add_option("--batch", o.batch, "Patches per step")->capture_default_str();
    cmd->add_flag("--no-augment", c->no_augment, "No flips or 90-degree rotations of the patches");
    cmd->add_flag("--mse-only", o.mse_only, "Train on MSE alone (no discriminator): a fast baseline");
    cmd->add_option("--vgg", c->vgg, "VGG19 weights (HDF5, docs/vgg19-weights.md) for the perceptual loss");
    cmd->add_option("--vgg-layer", o.vgg_layer, "VGG19 layer whose features the perceptual loss compares")
        ->capture_default_str();
    cmd->add_option("--lambda-mse", o.weights.mse, "Weight of the MSE term")->capture_default_str();
    cmd->add_option("--lambda-adv", o.weights.adv, "Weight of the adversarial term")->capture_default_str();
    cmd->add_option("--lambda-perc", o.weights.perc, "Weight of the perceptual term")->capture_default_str();
    cmd->add_option("--lr", o.lr, "Adam learning rate (both networks)")->capture_default_str();
    cmd->add_option("--disc-steps", o.disc_steps, "Discriminator steps per iteration")->capture_default_str();
    cmd->add_option("--width", o.generator.width, "Generator channel multiplier (1 = published TomoGAN)")
        ->capture_default_str();
    cmd->add_option("--val-every", o.val_every, "Validate SSIM/PSNR on test_ns/test_gt every K iterations (0 = never)")
        ->capture_default_str();
    cmd->add_option("--val-slices", o.val_slices, "Test slices to validate on (evenly spaced)")->capture_default_str();
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
