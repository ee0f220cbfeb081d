#include "evaluate/speed_table.hpp"

#include "core/error.hpp"
#include "core/timer.hpp"
#include "runtime/backend.hpp"
#include "tiling/tiled_runner.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <memory>
#include <random>

namespace tomoedge::evaluate {
namespace {

constexpr double not_applicable = std::numeric_limits<double>::quiet_NaN();

Tensor<float> random_slice_group(const model::Graph& graph, std::int64_t size) {
    Tensor<float> input(Shape{1, graph.input_channels, size, size});
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    for (float& v : input.span()) v = uniform(rng);
    return input;
}

// Medians of one way of running one model: the model's own time and the stitching around it.
struct ModeTiming {
    double model = 0, stitch = 0, total = 0;
    std::int64_t tiles = 1;
};

// How a row runs its model: the whole image in one backend call, or tiles of `tile` pixels
// with `halo` (nullopt: the graph's receptive-field radius).
struct Mode {
    std::int64_t tile = 0;
    std::optional<std::int64_t> halo;
};

ModeTiming time_mode(const model::Graph& graph, runtime::Precision precision, const Mode& mode,
                     const SpeedTableConfig& c) {
    runtime::BackendOptions options;
    options.backend = c.backend;
    options.precision = precision;
    options.threads = c.threads;
    auto backend = runtime::make_backend(graph, options);
    const Tensor<float> input = random_slice_group(graph, c.size);

    std::vector<double> model_s, stitch_s, total_s;
    ModeTiming t;
    if (mode.tile == 0) {
        for (int i = 0; i < 1 + c.warmup; ++i) backend->run(input);  // planning + warm-up
        for (int i = 0; i < c.runs; ++i) {
            Stopwatch watch;
            backend->run(input);
            model_s.push_back(watch.seconds());
        }
        t.model = t.total = summarize(model_s).median;
        return t;
    }

    tiling::TileOptions tile_options;
    tile_options.tile = mode.tile;
    tile_options.halo = mode.halo;
    const auto factory = tiling::tiled_runner_factory(graph, tile_options, options);
    auto runner = factory(*backend, model::spatial_multiple(graph));
    auto* tiled = dynamic_cast<tiling::TiledRunner*>(runner.get());
    if (!tiled) fail("bench: the tiling factory made no TiledRunner");
    for (int i = 0; i < 1 + c.warmup; ++i) tiled->run(input);
    for (int i = 0; i < c.runs; ++i) {
        tiled->reset_timings();
        tiled->run(input);
        const tiling::TileTimings& s = tiled->timings();
        model_s.push_back(s.model);
        stitch_s.push_back(s.partition + s.stitch);
        total_s.push_back(s.total);
    }
    t.model = summarize(model_s).median;
    t.stitch = summarize(stitch_s).median;
    t.total = summarize(total_s).median;
    t.tiles = tiled->last_tile_count();
    return t;
}

std::string mode_name(const Mode& mode, const model::Graph& graph) {
    if (mode.tile == 0) return "whole image";
    const std::int64_t halo = mode.halo ? *mode.halo : tiling::default_halo(tiling::receptive_field(graph))[0];
    return fmt::format("{} x {} tiles, halo {}", mode.tile, mode.tile, halo);
}

}  // namespace

std::vector<SpeedRow> measure_speed_table(const SpeedTableConfig& c,
                                          const std::function<void(const SpeedRow&)>& on_row) {
    if (!c.fp32) fail("bench: the speed table needs the fp32 model");
    if (c.runs < 1) fail("bench: --runs must be at least 1, got {}", c.runs);
    if (c.int8_ft && !c.int8) fail("bench: the Fine-Tune rows need the int8 model too (--int8)");
    const double gop = 2.0 * static_cast<double>(model::count_conv_macs(*c.fp32, Shape{1, c.fp32->input_channels,
                                                                                       c.size, c.size})) / 1e9;
    std::vector<SpeedRow> rows;
    auto add = [&](SpeedRow row) {
        row.gop = gop;
        row.gops = gop / row.total_s;
        row.peak_rss_mb = static_cast<double>(peak_rss_bytes()) / 1048576.0;
        rows.push_back(row);
        if (on_row) on_row(rows.back());
    };
    auto model_row = [&](const model::Graph& graph, runtime::Precision precision, const Mode& mode,
                         const std::string& name) {
        const ModeTiming t = time_mode(graph, precision, mode, c);
        SpeedRow row{name, std::string(runtime::precision_name(precision)), mode_name(mode, graph)};
        row.tiles = t.tiles;
        row.model_s = t.model;
        row.stitch_s = mode.tile == 0 ? not_applicable : t.stitch;
        row.fine_tune_s = not_applicable;
        row.total_s = t.total;
        add(row);
        return t;
    };

    const Mode whole{}, seam_free{c.seam_free_tile, std::nullopt},
        paper{c.paper_tile, std::int64_t{0}};
    model_row(*c.fp32, runtime::Precision::fp32, whole, "fp32");
    try {
        model_row(*c.fp32, runtime::Precision::bf16, whole, "bf16");
    } catch (const Error&) {
        // oneDNN refuses bf16 on CPUs without it; the row is simply absent there.
    }
    if (!c.int8) return rows;
    const std::vector<std::pair<Mode, std::string>> int8_modes{
        {whole, "int8"}, {paper, "int8, paper's tiles"}, {seam_free, "int8, seam-free tiles"}};
    for (const auto& [mode, name] : int8_modes) {
        const ModeTiming plain = model_row(*c.int8, runtime::Precision::int8, mode, name);
        if (!c.int8_ft) continue;
        const ModeTiming chained = time_mode(*c.int8_ft, runtime::Precision::int8, mode, c);
        SpeedRow row{name + " + Fine-Tune", "int8", mode_name(mode, *c.int8_ft), true, chained.tiles};
        row.model_s = plain.model;
        row.fine_tune_s = chained.model - plain.model;
        row.stitch_s = mode.tile == 0 ? not_applicable : chained.stitch;
        row.total_s = chained.total;
        add(row);
    }
    return rows;
}

}  // namespace tomoedge::evaluate
