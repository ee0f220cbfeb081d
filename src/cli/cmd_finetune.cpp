// `tomoedge finetune MODEL-int8.onnx --data DATA.h5 -o MODEL-int8-ft.onnx`: trains the paper's
// Fine-Tune net on the int8 model's own outputs and writes ONE model in which it follows the
// generator (train/finetune.hpp). Needs libtorch; a build without it lists the command and says so.
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"

#ifdef TOMOEDGE_HAVE_TORCH
#include "model/graph.hpp"
#include "model/onnx_export.hpp"
#include "model/onnx_import.hpp"
#include "quant/calibration.hpp"
#include "pipeline/training_files.hpp"
#include "train/finetune.hpp"

#include <fmt/format.h>
#endif

#include <memory>
#include <string>

namespace tomoedge::cli {
namespace {

#ifdef TOMOEDGE_HAVE_TORCH

struct FinetuneCommand {
    train::FineTuneOptions options;
    std::string model, data, output, net_output, method = "minmax";
    bool no_augment = false;
    bool json = false;
};

void run_finetune(FinetuneCommand& c) {
    auto& o = c.options;
    o.data = c.data;
    o.augment = !c.no_augment;
    o.calibration.method = quant::parse_method(c.method);
    o.backend.threads = o.threads;
    train::check_finetune_options(o);  // bad flags fail before the model is read
    const model::Graph int8_model = model::import_onnx(c.model);
    const train::FineTuneResult r = pipeline::finetune_file(int8_model, o);
    model::export_onnx(r.model, c.output);
    if (!c.net_output.empty()) model::export_onnx(r.finetune_int8, c.net_output);

    const Shape slice{1, int8_model.input_channels, 1024, 1024};
    const std::int64_t gen_macs = model::count_conv_macs(int8_model, slice);
    const std::int64_t ft_macs = model::count_conv_macs(r.finetune_fp32, Shape{1, 1, 1024, 1024});
    const double share = 100.0 * static_cast<double>(ft_macs) / static_cast<double>(gen_macs);
    if (c.json) {
        nlohmann::json j;
        j["output"] = c.output;
        j["slices"] = o.slices;
        j["iterations"] = o.iterations;
        j["loss_first"] = r.losses.front();
        j["loss_last"] = r.losses.back();
        j["mse_int8"] = r.int8_mse;
        j["mse_int8_finetune_fp32"] = r.finetune_mse;
        j["int8_seconds"] = r.int8_seconds;
        j["train_seconds"] = r.train_seconds;
        j["macs_1024"] = {{"generator", gen_macs}, {"finetune", ft_macs}, {"share_percent", share}};
        print_json(j);
        return;
    }
    print_table({"finetune", "value"},
                {{"int8 slices", std::to_string(o.slices)},
                 {"int8 run (s)", fmt::format("{:.1f}", r.int8_seconds)},
                 {"iterations", std::to_string(o.iterations)},
                 {"train (s)", fmt::format("{:.1f}", r.train_seconds)},
                 {"loss first / last", fmt::format("{:.5g} / {:.5g}", r.losses.front(), r.losses.back())},
                 {"MSE int8 (train slices)", fmt::format("{:.5g}", r.int8_mse)},
                 {"MSE int8 + FT fp32", fmt::format("{:.5g}", r.finetune_mse)},
                 {"FT MACs at 1024x1024", fmt::format("{} ({:.2f}% of the generator)", ft_macs, share)},
                 {"model", c.output}});
}

void add_finetune_command(CLI::App& app) {
    auto c = std::make_shared<FinetuneCommand>();
    auto& o = c->options;
    auto* cmd = app.add_subcommand(
        "finetune",
        "Train the Fine-Tune net (libtorch) on an int8 model's outputs over --slices slices of train_ns, run as "
        "denoise runs it, to train_gt; quantize it calibrated on those outputs and write one model: generator, "
        "then Fine-Tune net.");
    cmd->add_option("model", c->model, "The int8 model (.onnx, QDQ; from tomoedge quantize)")->required();
    cmd->add_option("--data", c->data, "Training data, TomoGAN HDF5 layout (train_ns/train_gt)")->required();
    cmd->add_option("-o,--output", c->output, "The int8 + Fine-Tune model (.onnx)")->required();
    cmd->add_option("--save-net", c->net_output,
                    "Also write the int8 Fine-Tune net alone (input: the generator's output), to time it apart");
    cmd->add_option("--slices", o.slices, "Training slices run through the int8 model (evenly spaced)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--backend", o.backend.backend, "Backend that runs the int8 model")->capture_default_str();
    cmd->add_option("--iterations", o.iterations, "Training steps")->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--patch", o.patch, "Patch size in pixels (a multiple of 8)")->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--batch", o.batch, "Patches per step")->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--lr", o.lr, "Adam learning rate")->capture_default_str();
    cmd->add_flag("--no-augment", c->no_augment, "No flips or 90-degree rotations of the patches");
    cmd->add_option("--channels", o.net.channels, "Channels of the Fine-Tune net's hidden layers")
        ->capture_default_str();
    cmd->add_option("--convs", o.net.convs, "3x3 convolutions of the Fine-Tune net (>= 2)")->capture_default_str();
    cmd->add_option("--method", c->method, "Calibration of the Fine-Tune net: minmax, percentile, mse or entropy")
        ->capture_default_str()
        ->check(CLI::IsMember({"minmax", "percentile", "mse", "entropy"}));
    cmd->add_option("--percentile", o.calibration.percentile, "Percentile P for --method percentile")
        ->capture_default_str();
    cmd->add_option("--seed", o.seed, "Seed of the weights and the patch draws")->capture_default_str();
    add_threads_option(*cmd, o.threads);
    add_json_flag(*cmd, c->json);
    cmd->callback([c] { run_finetune(*c); });
}

#else

void add_finetune_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("finetune", "Fine-tune an int8 model (needs a build with libtorch)");
    cmd->allow_extras();
    cmd->callback([] { fail("finetune: this build has no libtorch; rebuild with libtorch-dev installed"); });
}

#endif

}  // namespace

TOMOEDGE_COMMAND("finetune", add_finetune_command);

}  // namespace tomoedge::cli
