// `tomoedge run MODEL INPUT.h5:ds OUTPUT.h5:ds`: the model on a raw (N, C, H, W) tensor, with no
// grouping, normalisation or padding: the way to compare against other runtimes.
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"
#include "core/threading.hpp"
#include "core/timer.hpp"
#include "io/data_path.hpp"
#include "io/hdf5.hpp"
#include "model/onnx_import.hpp"
#include "runtime/backend.hpp"

#include <fmt/format.h>

#include <memory>
#include <string>

namespace tomoedge::cli {
namespace {

struct RunArgs {
    std::string model, input, output, backend = "onednn", precision = "fp32";
    int threads = 0;
    bool json = false;
};

io::DataPath hdf5_dataset(const std::string& text) {
    io::DataPath p = io::parse_data_path(text);
    if (p.format != io::StackFormat::hdf5 || p.dataset.empty())
        fail("{}: `run` reads and writes HDF5 datasets: name them FILE.h5:DATASET", text);
    return p;
}

void run_model(const RunArgs& a) {
    set_num_threads(a.threads);
    const io::DataPath in = hdf5_dataset(a.input), out = hdf5_dataset(a.output);
    const model::Graph graph = model::import_onnx(a.model);
    runtime::BackendOptions o;
    o.backend = a.backend;
    o.precision = runtime::parse_precision(a.precision);
    o.threads = a.threads;
    auto backend = runtime::make_backend(graph, o);
    const std::string precision(runtime::precision_name(runtime::resolved_precision(graph, o)));

    Tensor<float> x = io::Hdf5Reader(in.file).read(in.dataset);
    if (x.rank() != 4) fail("{}: shape {} is not (N, C, H, W)", in.str(), x.shape().str());
    Stopwatch watch;
    Tensor<float> y = backend->run(x);
    const double seconds = watch.seconds();
    io::Hdf5Writer writer(out.file);
    writer.write(out.dataset, y);
    writer.commit();
    if (a.json) {
        print_json({{"model", a.model}, {"backend", backend->name()}, {"precision", precision},
                    {"input_shape", x.shape().dims()}, {"output_shape", y.shape().dims()}, {"seconds", seconds}});
        return;
    }
    print_table({"run", "value"}, {{"backend", fmt::format("{} {}", backend->name(), precision)},
                                   {"input", fmt::format("{} {}", in.str(), x.shape().str())},
                                   {"output", fmt::format("{} {}", out.str(), y.shape().str())},
                                   {"seconds", fmt::format("{:.4f}", seconds)}});
}

void add_run_command(CLI::App& app) {
    auto a = std::make_shared<RunArgs>();
    auto* cmd = app.add_subcommand("run", "Run a model on a raw (N, C, H, W) float tensor from an HDF5 dataset: no "
                                          "grouping, normalisation or padding.");
    cmd->add_option("MODEL", a->model, "ONNX model (.onnx)")->required();
    cmd->add_option("INPUT", a->input, "Input tensor FILE.h5:DATASET of shape (N, C, H, W)")->required();
    cmd->add_option("OUTPUT", a->output, "Output FILE.h5:DATASET (float32; the file is replaced)")->required();
    cmd->add_option("--backend", a->backend, "reference, onednn or xnnpack (int8 models; when built with XNNPACK)")->capture_default_str();
    cmd->add_option("--precision", a->precision, "fp32 or bf16 (a QDQ model runs as int8)")->capture_default_str();
    add_threads_option(*cmd, a->threads);
    add_json_flag(*cmd, a->json);
    cmd->callback([a] { run_model(*a); });
}

}  // namespace

TOMOEDGE_COMMAND("run", add_run_command);

}  // namespace tomoedge::cli
