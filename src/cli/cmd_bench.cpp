// `tomoedge bench [MODEL] --size 1024`: time per slice (median, min, max after warm-up), GFLOP/s
// and peak RSS of a model on one backend. Without MODEL: a random-weight TomoGAN.
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"
#include "core/threading.hpp"
#include "evaluate/onnxruntime_peer.hpp"
#include "evaluate/speed_table.hpp"
#include "model/onnx_import.hpp"
#include "model/tomogan.hpp"
#include "runtime/benchmark.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace tomoedge::cli {
namespace {

struct BenchArgs {
    std::string model, backend = "onednn", precision = "fp32";
    std::int64_t size = 1024, batch = 1;
    int runs = 5, warmup = 1, threads = 0;
    bool json = false, profile = false;
    // Table I mode
    bool table = false, no_ort = false;
    std::string int8, fine_tune;
    std::int64_t seam_free_tile = 512;
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

// ONNX Runtime's rows (evaluate/onnxruntime_peer.hpp): node runs bench/ort_time.js, spawned without a
// shell. When node, the script or the onnxruntime-node peer is missing, one note on stderr says
// so and the table has no ONNX Runtime rows; a model ONNX Runtime fails on gets its own note.
struct PeerModel {
    std::string row, path;
    std::int64_t channels = 3;
};

std::vector<evaluate::PeerRow> onnxruntime_rows(const std::vector<PeerModel>& models, const BenchArgs& a) {
    std::vector<evaluate::PeerRow> rows;
    if (models.empty()) return rows;
    std::string why;
    const auto runner = evaluate::find_ort_runner(evaluate::default_ort_search(), &why);
    if (!runner) {
        std::fprintf(stderr, "tomoedge bench: no ONNX Runtime rows: %s\n", why.c_str());
        return rows;
    }
    for (const PeerModel& m : models) {
        const evaluate::OrtTiming t =
            evaluate::time_in_onnxruntime(*runner, {m.path, m.channels, a.size, a.runs, num_threads(), a.warmup});
        if (t.node_missing) {
            std::fprintf(stderr, "tomoedge bench: no ONNX Runtime rows: %s\n", t.why.c_str());
            return {};
        }
        if (!t.median_s) {
            std::fprintf(stderr, "tomoedge bench: no row '%s': %s\n", m.row.c_str(), t.why.c_str());
            continue;
        }
        rows.push_back({m.row, *t.median_s});
    }
    return rows;
}

void run_table(const BenchArgs& a) {
    set_num_threads(a.threads);
    const model::Graph fp32 = a.model.empty() ? model::build_tomogan() : model::import_onnx(a.model);
    std::optional<model::Graph> int8, int8_ft;
    if (!a.int8.empty()) int8 = model::import_onnx(a.int8);
    if (!a.fine_tune.empty()) int8_ft = model::import_onnx(a.fine_tune);

    evaluate::SpeedTableConfig config;
    config.fp32 = &fp32;
    config.int8 = int8 ? &*int8 : nullptr;
    config.int8_ft = int8_ft ? &*int8_ft : nullptr;
    config.backend = a.backend;
    config.size = a.size;
    config.runs = a.runs;
    config.warmup = a.warmup;
    config.threads = a.threads;
    config.seam_free_tile = a.seam_free_tile;
    const auto rows = evaluate::measure_speed_table(config, [&](const evaluate::SpeedRow& r) {
        if (!a.json) std::fprintf(stderr, "  measured: %s (%s), total %.4f s\n", r.name.c_str(), r.mode.c_str(), r.total_s);
    });

    std::vector<evaluate::PeerRow> peers;
    if (!a.no_ort) {
        std::vector<PeerModel> models;
        // The built-in model has no file: no ONNX Runtime row for it.
        if (!a.model.empty()) models.push_back({"ONNX Runtime fp32", a.model, fp32.input_channels});
        if (int8) models.push_back({"ONNX Runtime int8 (QDQ)", a.int8, int8->input_channels});
        peers = onnxruntime_rows(models, a);
    }

    if (a.json) {
        nlohmann::json j{{"model", a.model.empty() ? "built-in TomoGAN (random weights)" : a.model},
                         {"int8_model", a.int8}, {"fine_tune_model", a.fine_tune}, {"backend", a.backend},
                         {"threads", num_threads()}, {"size", a.size}, {"runs", a.runs}, {"warmup", a.warmup}};
        auto number = [](double v) { return std::isnan(v) ? nlohmann::json() : nlohmann::json(v); };
        for (const auto& r : rows)
            j["rows"].push_back({{"name", r.name}, {"precision", r.precision}, {"mode", r.mode}, {"tiles", r.tiles},
                                 {"fine_tune", r.fine_tune}, {"model_s", number(r.model_s)},
                                 {"stitch_s", number(r.stitch_s)}, {"fine_tune_s", number(r.fine_tune_s)},
                                 {"total_s", r.total_s}, {"gop", r.gop}, {"gops", r.gops},
                                 {"peak_rss_mb", r.peak_rss_mb}});
        for (const auto& p : peers) j["onnxruntime"].push_back({{"name", p.name}, {"median_s", p.median_s}});
        print_json(j);
        return;
    }
    const evaluate::SpeedTableText text = evaluate::speed_table_text(rows, peers);
    fmt::print("Table I on this machine: one {} x {} slice, {} threads, median of {} runs after {} warm-up; "
               "{:.1f} GOP per slice (2 x conv MACs of the fp32 model)\n",
               a.size, a.size, num_threads(), a.runs, a.warmup, rows.empty() ? 0.0 : rows.front().gop);
    print_table(text.header, text.cells);
    for (const std::string& note : text.notes) fmt::print("{}\n", note);
}

void add_bench_command(CLI::App& app) {
    auto a = std::make_shared<BenchArgs>();
    auto* cmd = app.add_subcommand("bench", "Time a model per slice (median/min/max after warm-up), GFLOP/s and peak "
                                            "RSS. Without MODEL: a random-weight TomoGAN.");
    cmd->add_option("MODEL", a->model, "ONNX model (.onnx); omitted: built-in TomoGAN with random weights");
    cmd->add_option("--size", a->size, "Slice height and width")->check(CLI::Range(1, 65536))->capture_default_str();
    cmd->add_option("--batch", a->batch, "Slices per run")->check(CLI::Range(1, 1024))->capture_default_str();
    cmd->add_option("--backend", a->backend, "reference, onednn or xnnpack (int8 models; when built with XNNPACK)")->capture_default_str();
    cmd->add_option("--precision", a->precision, "fp32 or bf16 (a QDQ model runs as int8)")->capture_default_str();
    cmd->add_option("--runs", a->runs, "Timed runs")->check(CLI::Range(1, 100000))->capture_default_str();
    cmd->add_option("--warmup", a->warmup, "Untimed runs after the first (planning) run")
        ->check(CLI::Range(0, 100000))->capture_default_str();
    cmd->add_flag("--profile", a->profile, "Also time each layer (onednn backend; extra profiled runs)");
    cmd->add_flag("--table", a->table,
                  "The paper's Table I: fp32, bf16, int8 whole image, int8 in the paper's 64 x 64 tiles and in "
                  "seam-free tiles, each int8 row with and without Fine-Tune; ONNX Runtime rows when installed");
    cmd->add_option("--int8", a->int8, "With --table: the QDQ int8 model (tomoedge quantize)");
    cmd->add_option("--fine-tune", a->fine_tune, "With --table: the int8 model with its Fine-Tune net (tomoedge finetune)");
    cmd->add_option("--seam-free-tile", a->seam_free_tile, "With --table: tile size of the seam-free rows")
        ->check(CLI::Range(8, 65536))->capture_default_str();
    cmd->add_flag("--no-ort", a->no_ort, "With --table: skip the ONNX Runtime rows");
    add_threads_option(*cmd, a->threads);
    add_json_flag(*cmd, a->json);
    cmd->callback([a] {
        if (!a->table && (!a->int8.empty() || !a->fine_tune.empty()))
            fail("bench: --int8 and --fine-tune belong to --table");
        if (a->table) run_table(*a);
        else run_bench(*a);
    });
}

}  // namespace

TOMOEDGE_COMMAND("bench", add_bench_command);

}  // namespace tomoedge::cli
