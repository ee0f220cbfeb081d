// `tomoedge bench [MODEL] --size 1024`: time per slice (median, min, max after warm-up), GFLOP/s
// and peak RSS of a model on one backend. Without MODEL: a random-weight TomoGAN.
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"
#include "core/threading.hpp"
#include "model/onnx_import.hpp"
#include "model/tomogan.hpp"
#include "runtime/benchmark.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

namespace tomoedge::cli {
namespace {

struct BenchArgs {
    std::string model, backend = "onednn", precision = "fp32";
    std::int64_t size = 1024, batch = 1;
    int runs = 5, warmup = 1, threads = 0;
    bool json = false, profile = false;
};

void run_bench(const BenchArgs& a) {
    set_num_threads(a.threads);
    const bool builtin = a.model.empty();
    const model::Graph graph = builtin ? model::build_tomogan() : model::import_onnx(a.model);
    const std::string model_name = builtin ? "TomoGAN (built in, random weights)" : a.model;
    if (builtin && !a.json) std::fprintf(stderr, "tomoedge bench: no MODEL given: timing a random-weight TomoGAN\n");
    const auto multiple = model::spatial_multiple(graph);
    if (a.size % multiple[0] != 0 || a.size % multiple[1] != 0)
        fail("bench: --size {} is not a multiple of {} x {} (the model's pooling grid)", a.size, multiple[0], multiple[1]);

    runtime::BenchConfig config;
    config.backend.backend = a.backend;
    config.backend.precision = runtime::parse_precision(a.precision);
    config.backend.threads = a.threads;
    config.input_shape = Shape{a.batch, graph.input_channels, a.size, a.size};
    config.runs = a.runs;
    config.warmup = a.warmup;
    config.profile = a.profile;
    const std::string precision(runtime::precision_name(runtime::resolved_precision(graph, config.backend)));
    const runtime::BenchResult r = runtime::benchmark(graph, config);
    const double per_slice = static_cast<double>(a.batch);

    if (a.json) {
        nlohmann::json j{{"model", model_name}, {"backend", r.backend_name}, {"precision", precision},
                         {"threads", num_threads()}, {"size", a.size}, {"batch", a.batch}, {"runs", r.seconds.runs},
                         {"warmup", a.warmup}, {"median_s", r.seconds.median / per_slice},
                         {"min_s", r.seconds.min / per_slice}, {"max_s", r.seconds.max / per_slice},
                         {"mean_s", r.seconds.mean / per_slice}, {"first_run_s", r.first_run_seconds},
                         {"gmac", r.gmac / per_slice}, {"gflops", r.gflops}, {"peak_rss_mb", r.peak_rss_bytes / 1048576.0},
                         {"arena_mb", r.arena_bytes / 1048576.0}};
        if (a.profile) j["profile"] = r.profile;
        print_json(j);
        return;
    }
    print_table({"bench", "value"},
                {{"model", model_name},
                 {"backend", fmt::format("{} {} ({} threads)", r.backend_name, precision, num_threads())},
                 {"input", config.input_shape.str()},
                 {"median s/slice", fmt::format("{:.4f}", r.seconds.median / per_slice)},
                 {"min s/slice", fmt::format("{:.4f}", r.seconds.min / per_slice)},
                 {"max s/slice", fmt::format("{:.4f}", r.seconds.max / per_slice)},
                 {"runs (after warm-up)", fmt::format("{} ({})", r.seconds.runs, a.warmup)},
                 {"first run s (planning)", fmt::format("{:.4f}", r.first_run_seconds)},
                 {"GMAC/slice", fmt::format("{:.1f}", r.gmac / per_slice)},
                 {"GFLOP/s", fmt::format("{:.1f}", r.gflops)},
                 {"peak RSS MB", fmt::format("{:.1f}", r.peak_rss_bytes / 1048576.0)},
                 {"activation arena MB", fmt::format("{:.1f}", r.arena_bytes / 1048576.0)}});
    if (a.profile) std::fputs(("\n" + r.profile).c_str(), stdout);
}

void add_bench_command(CLI::App& app) {
    auto a = std::make_shared<BenchArgs>();
    auto* cmd = app.add_subcommand("bench", "Time a model per slice (median/min/max after warm-up), GFLOP/s and peak "
                                            "RSS. Without MODEL: a random-weight TomoGAN.");
    cmd->add_option("MODEL", a->model, "ONNX model (.onnx); omitted: built-in TomoGAN with random weights");
    cmd->add_option("--size", a->size, "Slice height and width")->check(CLI::Range(1, 65536))->capture_default_str();
    cmd->add_option("--batch", a->batch, "Slices per run")->check(CLI::Range(1, 1024))->capture_default_str();
    cmd->add_option("--backend", a->backend, "reference or onednn")->capture_default_str();
    cmd->add_option("--precision", a->precision, "fp32 or bf16 (a QDQ model runs as int8)")->capture_default_str();
    cmd->add_option("--runs", a->runs, "Timed runs")->check(CLI::Range(1, 100000))->capture_default_str();
    cmd->add_option("--warmup", a->warmup, "Untimed runs after the first (planning) run")
        ->check(CLI::Range(0, 100000))->capture_default_str();
    cmd->add_flag("--profile", a->profile, "Also time each layer (onednn backend; extra profiled runs)");
    add_threads_option(*cmd, a->threads);
    add_json_flag(*cmd, a->json);
    cmd->callback([a] { run_bench(*a); });
}

}  // namespace

TOMOEDGE_COMMAND("bench", add_bench_command);

}  // namespace tomoedge::cli
