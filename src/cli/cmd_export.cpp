// `tomoedge export MODEL --format tflite|onnx -o OUT [--input HxW]`: the model for another edge
// runtime. tflite: a full-integer TFLite flatbuffer from a QDQ int8 model (quant/tflite_export),
// static input (64 x 64 by default), for TFLite and the Edge TPU compiler. onnx: the model as
// ONNX opset 13 (fp32 or QDQ int8, as given) for ONNX Runtime and TensorRT, with symbolic N, H, W
// or, with --input, a static 1 x C x H x W.
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"
#include "model/onnx_export.hpp"
#include "model/onnx_import.hpp"
#include "quant/scheme.hpp"
#include "quant/tflite_export.hpp"
#include "runtime/int8/qdq_graph.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <memory>
#include <string>

namespace tomoedge::cli {
namespace {

struct ExportCliOptions {
    std::string model, output, format, input, io;
    bool json = false;
};

void export_tflite(const ExportCliOptions& o, const model::Graph& g) {
    if (!runtime::int8::is_qdq(g))
        fail("{}: is a float model; --format tflite needs a QDQ int8 model (make one with tomoedge quantize)", o.model);
    quant::TfliteOptions options;
    const auto size = quant::parse_input_size(o.input.empty() ? "64x64" : o.input);
    options.height = size[0];
    options.width = size[1];
    if (!o.io.empty()) options.io = quant::parse_act_type(o.io);
    quant::TfliteExport e;
    try {
        e = quant::export_tflite(g, options, o.output);
    } catch (const Error& error) {
        fail("{}: {}", o.model, error.what());
    }
    const bool fits = e.parameter_bytes <= quant::edgetpu_parameter_memory;
    if (o.json) {
        print_json({{"model", o.model},
                    {"output", o.output},
                    {"format", "tflite"},
                    {"bytes", e.bytes.size()},
                    {"input", e.input_shape},
                    {"output_shape", e.output_shape},
                    {"io", runtime::int8::act_type_name(e.io)},
                    {"input_quantization", {{"scale", e.input_q.scale}, {"zero_point", e.input_q.zero_point}}},
                    {"output_quantization", {{"scale", e.output_q.scale}, {"zero_point", e.output_q.zero_point}}},
                    {"operators", e.operators},
                    {"tensors", e.tensors},
                    {"parameter_bytes", e.parameter_bytes},
                    {"edgetpu_parameters_fit", fits}});
        return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& [op, count] : e.operators) rows.push_back({op, std::to_string(count)});
    print_table({"operator", "count"}, rows);
    fmt::print("{} -> {} ({} bytes): input {} {} (scale {:.6g}, zero point {}), output {}, {} tensors\n", o.model,
               o.output, e.bytes.size(), fmt::join(e.input_shape, "x"), runtime::int8::act_type_name(e.io),
               e.input_q.scale, e.input_q.zero_point, fmt::join(e.output_shape, "x"), e.tensors);
    fmt::print("parameters {} bytes: {} the Edge TPU's 8 MiB on-chip memory\n", e.parameter_bytes,
               fits ? "fit in" : "exceed");
}

void export_onnx(const ExportCliOptions& o, const model::Graph& g) {
    if (!o.io.empty()) fail("--io applies to --format tflite only");
    model::StaticInput static_input;
    if (!o.input.empty()) static_input = quant::parse_input_size(o.input);
    try {
        model::export_onnx(g, o.output, static_input);
    } catch (const Error& error) {
        fail("{}: {}", o.model, error.what());
    }
    const auto bytes = std::filesystem::file_size(o.output);
    const std::string precision = runtime::int8::is_qdq(g) ? "int8 (QDQ)" : "fp32";
    const std::string shape = static_input ? fmt::format("1x{}x{}x{}", g.input_channels, (*static_input)[0], (*static_input)[1])
                                           : fmt::format("Nx{}xHxW", g.input_channels);
    if (o.json) {
        print_json({{"model", o.model}, {"output", o.output}, {"format", "onnx"}, {"bytes", bytes},
                    {"precision", precision}, {"input", shape}, {"static", static_input.has_value()}});
        return;
    }
    fmt::print("{} -> {} ({} bytes): ONNX opset {}, {}, input {}\n", o.model, o.output, bytes, model::onnx_export_opset,
               precision, shape);
}

void run_export(const ExportCliOptions& o) {
    const model::Graph g = model::import_onnx(o.model);
    if (o.format == "tflite") export_tflite(o, g);
    else export_onnx(o, g);
}

void add_export_command(CLI::App& app) {
    auto o = std::make_shared<ExportCliOptions>();
    auto* cmd = app.add_subcommand(
        "export",
        "Write MODEL for another runtime: a full-integer TFLite flatbuffer from a QDQ int8 model (TFLite, Edge TPU "
        "compiler), or ONNX (fp32 or QDQ int8) with a static or symbolic input size (ONNX Runtime, TensorRT).");
    cmd->add_option("MODEL", o->model, "Model (.onnx); a QDQ int8 model for --format tflite")->required();
    cmd->add_option("--format", o->format, "tflite or onnx")->required()->check(CLI::IsMember({"tflite", "onnx"}));
    cmd->add_option("-o,--output", o->output, "Output file (.tflite or .onnx)")->required();
    cmd->add_option("--input", o->input,
                    "Static input size HxW (tflite: default 64x64; onnx: symbolic N, H, W unless given)")
        ->check(CLI::Validator(
            [](std::string& text) {
                try {
                    quant::parse_input_size(text);
                    return std::string();
                } catch (const Error& e) {
                    return std::string(e.what());
                }
            },
            "HxW", "input size"));
    cmd->add_option("--io", o->io, "tflite input/output type: u8 or s8 (default: the model's activation type)")
        ->check(CLI::IsMember({"u8", "s8"}));
    add_json_flag(*cmd, o->json);
    cmd->callback([o] { run_export(*o); });
}

}  // namespace

TOMOEDGE_COMMAND("export", add_export_command);

}  // namespace tomoedge::cli
