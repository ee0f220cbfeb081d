// `tomoedge denoise MODEL INPUT OUTPUT`: the model over every slice of a stack (3 adjacent slices
// per output slice), output in the input's units and dtype. Logic lives in runtime/denoiser.
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "core/dtype.hpp"
#include "core/threading.hpp"
#include "model/model_info.hpp"
#include "model/onnx_import.hpp"
#include "pipeline/denoise_file.hpp"
#include "runtime/denoiser.hpp"
#include "tiling/tiled_runner.hpp"

#include <fmt/format.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

namespace tomoedge::cli {
namespace {

struct DenoiseArgs {
    std::string model, input, output, backend = "onednn", precision = "fp32", dtype;
    int threads = 0;
    std::int64_t slab = 8;
    std::int64_t tile = 0, batch = 1;
    int workers = 0;
    std::optional<std::int64_t> halo;
    int deflate = 0;
    bool json = false;
};

void warn_if_random(const model::Graph& graph, const std::string& file) {
    if (model::read_model_info(graph).weights == "random")
        std::fprintf(stderr, "tomoedge: warning: %s has random weights (tomoedge.weights=random): output is not a "
                             "restoration, only good for timing\n", file.c_str());
}

// Tiles promise bounded memory. glibc raises its mmap threshold each time a large block is freed;
// after that the per-band buffers (band rows, windows, outputs: 1-30 MB each, from two threads) come
// from heap arenas that keep their pages, and the peak RSS of one 4096 x 4096 run varied from 260 to
// 345 MB. A fixed 1 MiB threshold hands every large buffer back on free: 238 MB in every run, at the
// same speed (tools/tiling_memory.sh).
void bound_heap_growth() {
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
}

void run_denoise(const DenoiseArgs& a) {
    set_num_threads(a.threads);
    if (a.tile > 0) bound_heap_growth();
    const model::Graph graph = model::import_onnx(a.model);
    warn_if_random(graph, a.model);
    runtime::BackendOptions backend;
    backend.backend = a.backend;
    backend.precision = runtime::parse_precision(a.precision);
    backend.threads = a.threads;
    pipeline::DenoiseFileOptions o;
    if (!a.dtype.empty()) o.dtype = parse_dtype(a.dtype);
    o.slab = a.slab;
    o.deflate_level = a.deflate;
    tiling::TileOptions t;
    t.tile = a.tile;
    t.halo = a.halo;
    t.batch = a.batch;
    t.workers = a.workers;
    const auto tiled = tiling::tiled_runner_factory(graph, t, backend);  // checks the flags before any work
    runtime::Denoiser denoiser(graph, backend);
    if (tiled) denoiser.set_runner(tiled);
    const auto r = pipeline::denoise_file(denoiser, io::parse_data_path(a.input), io::parse_data_path(a.output), o);
    const double per_slice = r.slices > 0 ? r.network_seconds / static_cast<double>(r.slices) : 0;
    const std::string precision(runtime::precision_name(runtime::resolved_precision(graph, backend)));
    if (a.json) {
        print_json({{"model", a.model},
                    {"input", a.input},
                    {"output", a.output},
                    {"backend", r.backend},
                    {"precision", precision},
                    {"shape", {r.slices, r.height, r.width}},
                    {"input_depth", r.input_depth},
                    {"tile", a.tile},
                    {"batch", a.batch},
                    {"normalised", r.normalised},
                    {"window", {r.window.low, r.window.high}},
                    {"seconds", r.seconds},
                    {"network_seconds", r.network_seconds},
                    {"network_seconds_per_slice", per_slice}});
        return;
    }
    print_table({"denoise", "value"},
                {{"output", a.output},
                 {"backend", fmt::format("{} {}", r.backend, precision)},
                 {"slices", fmt::format("{} x {} x {}", r.slices, r.height, r.width)},
                 {"input depth", std::to_string(r.input_depth)},
                 {"window", r.normalised ? fmt::format("[{:.6g}, {:.6g}] -> [0, 1]", r.window.low, r.window.high) : "none"},
                 {"total s", fmt::format("{:.3f}", r.seconds)},
                 {"network s/slice", fmt::format("{:.4f}", per_slice)}});
}

void add_denoise_command(CLI::App& app) {
    auto a = std::make_shared<DenoiseArgs>();
    auto* cmd = app.add_subcommand("denoise",
                                   "Restore every slice of a stack with an ONNX model: adjacent slices as channels, "
                                   "normalisation from the model's metadata, any H x W, output in the input's units "
                                   "and dtype.");
    cmd->add_option("MODEL", a->model, "ONNX model (.onnx)")->required();
    cmd->add_option("INPUT", a->input, "Input stack: FILE.h5:DATASET, FILE.tif or FOLDER/")->required();
    cmd->add_option("OUTPUT", a->output, "Output stack: FILE.h5:DATASET (e.g. out.h5:dn), FILE.tif or FOLDER/")->required();
    cmd->add_option("--backend", a->backend, "reference, onednn or xnnpack (int8 models; when built with XNNPACK)")->capture_default_str();
    cmd->add_option("--precision", a->precision, "fp32 or bf16")->capture_default_str();
    cmd->add_option("--dtype", a->dtype, "Output type u8, u16 or f32 (default: the input's)");
    cmd->add_option("--slab", a->slab, "Slices per read/write")->check(CLI::PositiveNumber)->capture_default_str();
    cmd->add_option("--tile", a->tile,
                    "Tile size in pixels, a multiple of the network's pooling multiple (0 = whole image)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--halo", a->halo,
                    "Pixels of real context around each tile (default: the model's receptive-field radius, "
                    "seam-free; 0 = the paper's stitching)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--batch", a->batch, "Tiles per backend call")->check(CLI::PositiveNumber)->capture_default_str();
    cmd->add_option("--workers", a->workers,
                    "Concurrent backend calls on tiles, one thread each (0 = one per thread)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--deflate", a->deflate, "Output compression level 0-9")->check(CLI::Range(0, 9));
    add_threads_option(*cmd, a->threads);
    add_json_flag(*cmd, a->json);
    cmd->callback([a] { run_denoise(*a); });
}

}  // namespace

TOMOEDGE_COMMAND("denoise", add_denoise_command);

}  // namespace tomoedge::cli
