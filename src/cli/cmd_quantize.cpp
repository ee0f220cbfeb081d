// `tomoedge quantize MODEL.onnx --calib DATA -o MODEL-int8.onnx`: post-training int8
// quantization (quant module). Runs the fp32 model over calibration slices, picks a range per
// activation by --method, and writes the QDQ model that every int8 runtime of the project runs.
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "core/threading.hpp"
#include "io/data_path.hpp"
#include "model/onnx_export.hpp"
#include "model/onnx_import.hpp"
#include "pipeline/quantize_file.hpp"

#include <fmt/format.h>

#include <memory>
#include <string>

namespace tomoedge::cli {
namespace {

struct QuantizeCliOptions {
    std::string model, calib, output, method = "percentile", activations = "u8";
    double percentile = 99.99;
    int slices = 8;
    int threads = 0;
    bool json = false;
    bool clip_output = false;
    bool no_equalize = false;
    bool no_bias_correction = false;
};

void run_quantize(const QuantizeCliOptions& o) {
    set_num_threads(o.threads);
    quant::QuantizeOptions options;
    options.calibration.method = quant::parse_method(o.method);
    options.calibration.percentile = o.percentile;
    options.activations = quant::parse_act_type(o.activations);
    options.slices = o.slices;
    options.clip_output = o.clip_output;
    options.equalize = !o.no_equalize;
    options.correct_bias = !o.no_bias_correction;
    const model::Graph fp32 = model::import_onnx(o.model);
    quant::QuantizeReport report;
    const model::Graph q = pipeline::quantize_file(fp32, io::parse_data_path(o.calib), options, &report);
    model::export_onnx(q, o.output);

    if (o.json) {
        nlohmann::json tensors = nlohmann::json::object();
        for (const auto& [name, t] : report.tensors)
            tensors[name] = {{"min", t.min}, {"max", t.max}, {"low", t.range.low}, {"high", t.range.high},
                             {"scale", t.params.scale}, {"zero_point", t.params.zero_point}};
        print_json({{"model", o.model},
                    {"output", o.output},
                    {"calibration", quant::describe_method(options.calibration)},
                    {"activations", o.activations},
                    {"slices", o.slices},
                    {"shape", {report.height, report.width}},
                    {"groups", report.groups},
                    {"equalized_pairs", report.equalized_pairs},
                    {"corrected_biases", report.corrected_biases},
                    {"seconds", report.seconds},
                    {"tensors", std::move(tensors)}});
        return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& [name, t] : report.tensors)
        rows.push_back({name, fmt::format("{:.5g}", t.min), fmt::format("{:.5g}", t.max), fmt::format("{:.5g}", t.range.low),
                        fmt::format("{:.5g}", t.range.high), fmt::format("{:.5g}", t.params.scale),
                        std::to_string(t.params.zero_point)});
    print_table({"tensor", "min", "max", "low", "high", "scale", "zero_point"}, rows);
    fmt::print("{} tensors in {} shared-scale groups, {} conv pairs equalized, {} biases corrected, {} ({} activations), {} slices of {} x {}, "
               "{:.2f} s -> {}\n",
               report.tensors.size(), report.groups, report.equalized_pairs, report.corrected_biases, quant::describe_method(options.calibration), o.activations,
               o.slices, report.height, report.width, report.seconds, o.output);
}

void add_quantize_command(CLI::App& app) {
    auto o = std::make_shared<QuantizeCliOptions>();
    auto* cmd = app.add_subcommand(
        "quantize",
        "Post-training int8 quantization to a QDQ ONNX model (TFLite scheme: int8 per-channel weights, u8/s8 "
        "per-tensor activations, int32 bias), calibrated on slices of DATA prepared exactly as `denoise` does.");
    cmd->add_option("MODEL", o->model, "fp32 model (.onnx)")->required();
    cmd->add_option("--calib", o->calib, "Calibration data: FILE.h5:DATASET, FILE.tif or FOLDER/")->required();
    cmd->add_option("-o,--output", o->output, "Output QDQ model (.onnx)")->required();
    cmd->add_option("--slices", o->slices, "Calibration slices, evenly spread through DATA")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--method", o->method, "Range selection: minmax, percentile, mse or entropy")
        ->capture_default_str()
        ->check(CLI::IsMember({"minmax", "percentile", "mse", "entropy"}));
    cmd->add_option("--percentile", o->percentile, "Percentile P for --method percentile (50 < P <= 100)")
        ->capture_default_str();
    cmd->add_option("--activations", o->activations, "Activation type: u8 (as in the paper) or s8")
        ->capture_default_str()
        ->check(CLI::IsMember({"u8", "s8"}));
    cmd->add_flag("--clip-output", o->clip_output,
                  "Let --method clip the model's output (the image) too; by default it keeps its whole observed range");
    cmd->add_flag("--no-equalize", o->no_equalize,
                  "Skip cross-layer range equalization of Conv+ReLU -> Conv pairs (saves one calibration pass)");
    cmd->add_flag("--no-bias-correction", o->no_bias_correction,
                  "Skip empirical bias correction (one float simulation of the int8 model per Conv)");
    add_json_flag(*cmd, o->json);
    add_threads_option(*cmd, o->threads);
    cmd->callback([o] { run_quantize(*o); });
}

}  // namespace

TOMOEDGE_COMMAND("quantize", add_quantize_command);

}  // namespace tomoedge::cli
