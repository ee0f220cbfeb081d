// `tomoedge model-init -o MODEL.onnx`: a TomoGAN generator with seeded random weights, labelled
// tomoedge.weights=random, for benchmarks and pipeline tests (its output is not a restoration).
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "model/graph.hpp"
#include "model/onnx_export.hpp"
#include "model/tomogan.hpp"

#include <fmt/format.h>

#include <memory>
#include <string>

namespace tomoedge::cli {
namespace {

struct ModelInitArgs {
    std::string output;
    model::TomoGanConfig config;
    double low = 0.5, high = 99.5;
    bool json = false;
};

void run_model_init(ModelInitArgs a) {
    a.config.normalisation = {a.low, a.high};
    const model::Graph graph = model::build_tomogan(a.config);
    model::export_onnx(graph, a.output);
    const double gmac = static_cast<double>(model::count_conv_macs(graph, Shape{1, a.config.input_depth, 1024, 1024})) / 1e9;
    if (a.json) {
        print_json({{"output", a.output}, {"architecture", "tomogan"}, {"weights", "random"},
                    {"input_depth", a.config.input_depth}, {"width", a.config.width}, {"seed", a.config.seed},
                    {"gmac_1024", gmac}});
        return;
    }
    print_table({"model-init", "value"}, {{"output", a.output},
                                          {"architecture", "tomogan (random weights: for benchmarks only)"},
                                          {"input depth", std::to_string(a.config.input_depth)},
                                          {"width", fmt::format("{}", a.config.width)},
                                          {"seed", std::to_string(a.config.seed)},
                                          {"GMAC per 1024x1024", fmt::format("{:.1f}", gmac)}});
}

void add_model_init_command(CLI::App& app) {
    auto a = std::make_shared<ModelInitArgs>();
    auto* cmd = app.add_subcommand("model-init", "Write a TomoGAN generator with seeded random (He-normal) weights, "
                                                 "labelled tomoedge.weights=random: for benchmarks, not for images.");
    cmd->add_option("-o,--output", a->output, "Output .onnx file")->required();
    cmd->add_option("--depth", a->config.input_depth, "Input depth (adjacent slices)")->check(CLI::Range(1, 64))->capture_default_str();
    cmd->add_option("--width", a->config.width, "Channel width multiplier (1 = the published network)")
        ->check(CLI::Range(0.01, 16.0))->capture_default_str();
    cmd->add_option("--seed", a->config.seed, "Seed of the random weights")->capture_default_str();
    cmd->add_option("--low-percentile", a->low, "Normalisation: percentile mapped to 0")->check(CLI::Range(0.0, 100.0))->capture_default_str();
    cmd->add_option("--high-percentile", a->high, "Normalisation: percentile mapped to 1")->check(CLI::Range(0.0, 100.0))->capture_default_str();
    add_json_flag(*cmd, a->json);
    cmd->callback([a] { run_model_init(*a); });
}

}  // namespace

TOMOEDGE_COMMAND("model-init", add_model_init_command);

}  // namespace tomoedge::cli
